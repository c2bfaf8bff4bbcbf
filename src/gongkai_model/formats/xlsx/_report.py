"""Reading workbooks back: ours, filled-in templates, and official-layout tables made by other tools.

The workbook is read on the shared reading core (:mod:`gongkai_model.formats`): its sheets become
grids of printed cells, the tables are found by their labels (never by coordinates), and every
figure goes through the one value parser. :func:`read_report` is the Excel module's own entry
point, kept for compatibility: it returns the report and the problems, each located at its
``sheet!cell``; :func:`gongkai_model.formats.xlsx._read.read_xlsx` is the reader of the common kind.
"""

from __future__ import annotations

import attrs

from ...errors import ExcelError, Problem
from ...limits import DEFAULT_LIMITS, Limits, Source, read_source, source_name
from ...model.report import AnnualReport
from ...model.values import Edition

__all__ = ["read_report"]


def _at_cell(problem: Problem) -> Problem:
    """The problem located by its ``sheet!cell`` alone (as this function always has)."""
    if problem.place is not None and problem.place.cell is not None:
        return attrs.evolve(problem, location=problem.place.cell)
    return problem


def read_report(
    source: Source,
    *,
    agency: str | None = None,
    year: int | None = None,
    edition: Edition | str | None = None,
    limits: Limits | None = None,
) -> tuple[AnnualReport, list[Problem]]:
    """Read a report from a workbook; returns the report and the problems found, each at its ``sheet!cell``.

    Reads this library's workbooks and templates (formulas without saved values are recomputed; a
    saved value that disagrees with its inputs is a warning) and official-layout tables made by
    other tools, found by their labels. Text where a number belongs, negative counts and merged
    cells over two figures are problems (severity ``"error"``) and the cell is read as blank; a
    number stored as text is read, with a warning; nothing else is guessed. ``agency``, ``year``
    and ``edition`` override (or supply, for workbooks without a 封面 sheet) the metadata. A file
    that is not a safe workbook (too large, a zip bomb, damaged, not a zip), or from which no report
    can be built, raises :class:`ExcelError` naming every problem.
    """
    from ._read import read_workbook

    limits = limits or DEFAULT_LIMITS
    name = source_name(source, "<workbook>")
    data = read_source(source, limits, name, ExcelError, "workbook")
    got = read_workbook(data, name=name, agency=agency, year=year, edition=edition, strict=False, limits=limits)
    problems = [_at_cell(p) for p in got.problems]
    if got.report is None:
        raise ExcelError("cannot read the report", problems)
    return got.report, problems
