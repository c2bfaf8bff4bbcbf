"""gongkai_model: the 政府信息公开工作年度报告 as typed Python objects.

>>> import gongkai_model as gk
>>> report = gk.examples.seed_report()
>>> report.agency, report.year, report.edition.value
('北京市西城区信访办公室', 2023, '2021')
>>> len(gk.to_records(report))
200
"""

from . import batch, checks, display, examples, formats, model
from .batch import check_many, read_many
from .checks import Finding, Severity, Suggestion, ValidationResult, validate, validate_series
from .compare import CellChange, Comparison, compare
from .errors import ExcelError, GongkaiError, JSONError, ModelError, Place, Problem, ReadError, RecordsError
from .formats import Imported, Provenance, read
from .frames import findings_frame, to_frame
from .jsonio import SCHEMA_VERSION, dumps, from_dict, json_schema, load, loads, loads_many, to_dict
from .labels import normalize_label
from .model import (
    Amount,
    AnnualReport,
    ApplicantCounts,
    Applications,
    DecisionRow2021,
    Denied,
    DocumentRow2019,
    DocumentRow2021,
    Edition,
    FeeItemRow2019,
    FeeRow2021,
    ItemRow2019,
    MoneyUnit,
    NotProcessed,
    OtherHandling,
    OtherMatters,
    OutcomeCounts,
    Overview,
    ProactiveDisclosure2019,
    ProactiveDisclosure2021,
    ProcurementRow2019,
    Results,
    ReviewAndLitigation,
    Unable,
)
from .readcheck import CheckedReport, check
from .records import CellValue, Record, from_records, to_records

__version__ = "0.1.0"


__all__ = [
    "SCHEMA_VERSION",
    "Amount",
    "AnnualReport",
    "ApplicantCounts",
    "Applications",
    "CellChange",
    "CellValue",
    "CheckedReport",
    "Comparison",
    "DecisionRow2021",
    "Denied",
    "DocumentRow2019",
    "DocumentRow2021",
    "Edition",
    "ExcelError",
    "FeeItemRow2019",
    "FeeRow2021",
    "Finding",
    "GongkaiError",
    "Imported",
    "ItemRow2019",
    "JSONError",
    "ModelError",
    "MoneyUnit",
    "NotProcessed",
    "OtherHandling",
    "OtherMatters",
    "OutcomeCounts",
    "Overview",
    "Place",
    "ProactiveDisclosure2019",
    "ProactiveDisclosure2021",
    "Problem",
    "ProcurementRow2019",
    "Provenance",
    "ReadError",
    "Record",
    "RecordsError",
    "Results",
    "ReviewAndLitigation",
    "Severity",
    "Suggestion",
    "Unable",
    "ValidationResult",
    "__version__",
    "batch",
    "check",
    "check_many",
    "checks",
    "compare",
    "display",
    "dumps",
    "examples",
    "findings_frame",
    "formats",
    "from_dict",
    "from_records",
    "json_schema",
    "load",
    "loads",
    "loads_many",
    "model",
    "normalize_label",
    "read",
    "read_many",
    "to_dict",
    "to_frame",
    "to_records",
    "validate",
    "validate_series",
]
