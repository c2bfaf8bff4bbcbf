"""Workbooks as a reader of the common kind (for ``read``/``check``)."""

from __future__ import annotations

import attrs

from ..errors import ExcelError, Problem
from ..limits import DEFAULT_LIMITS, Limits
from ..model.values import Edition
from ._result import Imported

__all__ = ["read_xlsx"]


def read_xlsx(
    data: bytes,
    *,
    name: str = "<workbook>",
    agency: str | None = None,
    year: int | None = None,
    edition: Edition | str | None = None,
    strict: bool = False,
    limits: Limits = DEFAULT_LIMITS,
) -> Imported:
    """Read a workbook with :func:`gongkai_model.excel.read_report`; its issues become located problems."""
    from ..excel import read_report

    _ = strict
    try:
        report, issues = read_report(data, agency=agency, year=year, edition=edition, limits=limits)
    except ExcelError as exc:
        problems = tuple(attrs.evolve(p, code=p.code or "READ_XLSX") for p in exc.problems) or (
            Problem(name, str(exc), code="READ_XLSX"),
        )
        return Imported(None, problems, {}, name)
    return Imported(report, tuple(attrs.evolve(p, code=p.code or "READ_XLSX") for p in issues), {}, name)
