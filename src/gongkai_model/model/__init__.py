"""The domain model: pure attrs classes, no I/O.

Every class and field is described in ``docs/model.md``.
"""

from .layout import Cell, RowInfo, Shape, cells, get_path, layout, replace_path, rows, shape_of, values
from .report import AnnualReport, OtherMatters, Overview
from .spec import Kind, Node, Row, Spec, Value, field_specs
from .tables import (
    ApplicantCounts,
    Applications,
    DecisionRow2021,
    Denied,
    DocumentRow2019,
    DocumentRow2021,
    FeeItemRow2019,
    FeeRow2021,
    ItemRow2019,
    NotProcessed,
    OtherHandling,
    OutcomeCounts,
    ProactiveDisclosure2019,
    ProactiveDisclosure2021,
    ProcurementRow2019,
    Results,
    ReviewAndLitigation,
    Unable,
)
from .values import Amount, Edition, MoneyUnit

__all__ = [
    "Amount",
    "AnnualReport",
    "ApplicantCounts",
    "Applications",
    "Cell",
    "DecisionRow2021",
    "Denied",
    "DocumentRow2019",
    "DocumentRow2021",
    "Edition",
    "FeeItemRow2019",
    "FeeRow2021",
    "ItemRow2019",
    "Kind",
    "MoneyUnit",
    "Node",
    "NotProcessed",
    "OtherHandling",
    "OtherMatters",
    "OutcomeCounts",
    "Overview",
    "ProactiveDisclosure2019",
    "ProactiveDisclosure2021",
    "ProcurementRow2019",
    "Results",
    "ReviewAndLitigation",
    "Row",
    "RowInfo",
    "Shape",
    "Spec",
    "Unable",
    "Value",
    "cells",
    "field_specs",
    "get_path",
    "layout",
    "replace_path",
    "rows",
    "shape_of",
    "values",
]
