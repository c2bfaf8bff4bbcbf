"""gongkai_model: the 政府信息公开工作年度报告 as typed Python objects.

>>> import gongkai_model as gk
>>> report = gk.examples.seed_report()
>>> report.agency, report.year, report.edition.value
('北京市西城区信访办公室', 2023, '2021')
>>> len(gk.to_records(report))
200

The top level holds what a script needs every day: the report and its values, the verbs from a
file to findings (``read``, ``check``, ``validate``, ``read_many``, ``check_many``, ``compare``),
the conversions (``load``/``loads``/``dumps``, ``to_records``/``from_records``, ``to_frame``), the
results those verbs return, the error base class with what it carries, and the subpackages where
everything else lives (the table row classes in :mod:`gongkai_model.model`, the other errors in
:mod:`gongkai_model.errors`, ...). See "The public API" in ``docs/architecture.md``.
"""

import importlib as _importlib
import sys as _sys
import warnings as _warnings
from typing import TYPE_CHECKING as _TYPE_CHECKING

from . import batch, checks, errors, examples, formats, model, notebook
from .batch import check_many, read_many, to_parquet
from .checks import Finding, Severity, Suggestion, ValidationResult, validate
from .compare import Comparison, compare
from .errors import GongkaiError, Place, Problem, ReadError, Verdict
from .formats import Imported, read, write
from .frames import to_frame
from .jsonio import dumps, load, loads
from .model import Amount, AnnualReport, Edition, MoneyUnit
from .readcheck import CheckedReport, check
from .records import from_records, to_records

__version__ = "0.1.0"


__all__ = [
    "Amount",
    "AnnualReport",
    "CheckedReport",
    "Comparison",
    "Edition",
    "Finding",
    "GongkaiError",
    "Imported",
    "MoneyUnit",
    "Place",
    "Problem",
    "ReadError",
    "Severity",
    "Suggestion",
    "ValidationResult",
    "Verdict",
    "__version__",
    "batch",
    "check",
    "check_many",
    "checks",
    "compare",
    "dumps",
    "errors",
    "examples",
    "formats",
    "from_records",
    "load",
    "loads",
    "model",
    "notebook",
    "read",
    "read_many",
    "to_frame",
    "to_parquet",
    "to_records",
    "validate",
    "write",
]

#: Names that were at the top level before 0.2 and where they live now. They still work, with a
#: ``DeprecationWarning`` naming the new place (as attrs and pandas do with moved names).
_MOVED: dict[str, str] = {
    **dict.fromkeys(
        (
            "ApplicantCounts",
            "Applications",
            "DecisionRow2021",
            "Denied",
            "DocumentRow2019",
            "DocumentRow2021",
            "FeeItemRow2019",
            "FeeRow2021",
            "ItemRow2019",
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
            "Unable",
        ),
        "gongkai_model.model",
    ),
    **dict.fromkeys(("ExcelError", "JSONError", "ModelError", "RecordsError"), "gongkai_model.errors"),
    **dict.fromkeys(("SCHEMA_VERSION", "from_dict", "json_schema", "loads_many", "to_dict"), "gongkai_model.jsonio"),
    "CellChange": "gongkai_model.compare",
    "CellValue": "gongkai_model.records",
    "Record": "gongkai_model.records",
    "Provenance": "gongkai_model.formats",
    "findings_frame": "gongkai_model.frames",
    "normalize_label": "gongkai_model.labels",
    "validate_series": "gongkai_model.checks",
}


#: Modules renamed before 0.2: the old name still finds the module, with a ``DeprecationWarning``.
_RENAMED: dict[str, str] = {"display": "gongkai_model.notebook"}  # so that it never shadows IPython's display()
_sys.modules.setdefault(f"{__name__}.display", notebook)  # ``import gongkai_model.display`` keeps working

if not _TYPE_CHECKING:  # type checkers report a moved name as missing: they point to the new place

    def __getattr__(name: str) -> object:
        """A name moved off the top level: still found, with a ``DeprecationWarning`` naming its place."""
        if name in _RENAMED:
            _warnings.warn(
                f"gongkai_model.{name} is deprecated; use {_RENAMED[name]} (the module was renamed)",
                DeprecationWarning,
                stacklevel=2,
            )
            return _importlib.import_module(_RENAMED[name])
        place = _MOVED.get(name)
        if place is None:
            raise AttributeError(f"module 'gongkai_model' has no attribute {name!r}")
        _warnings.warn(
            f"gongkai_model.{name} is deprecated; use {place}.{name} (from {place} import {name})",
            DeprecationWarning,
            stacklevel=2,
        )
        return getattr(_importlib.import_module(place), name)
