"""What a template starts from: last year's report (``previous=``) or a draft to edit (``draft=``).

- ``previous``: this year's 二、上年结转 is last year's 四、结转下年度继续办理 (``Applications.CARRY``),
  every column both tables have; 表二's 现行有效件数 (``DocumentRow2021.STOCK``) is **not** copied
  into this year's cell (it is this year's figure, and last year's would read back as this year's
  if left untouched): each such input cell gets a note (a cell comment) with last year's figure,
  the baseline this year's count starts from.
- ``draft``: every figure and text of the draft; totals are the template's formulas, so a draft
  whose printed totals are not the sums of their inputs is refused (nothing is silently changed).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import attrs

from ...errors import Problem
from ...model.layout import Cell, get_path, layout, replace_path, shape_of
from ...model.report import AnnualReport
from ...model.spec import field_specs
from ...model.tables import Applications
from ...model.values import Edition
from ._safety import ExcelError

__all__ = ["check_draft_totals", "template_report"]


def template_report(
    *,
    agency: str | None,
    year: int | None,
    edition: Edition | str | None,
    single_other_row: bool | None,
    subtotal_column: bool,
    previous: AnnualReport | None,
    draft: AnnualReport | None,
) -> tuple[AnnualReport, dict[str, str]]:
    """The report a template is written from, and notes (model path → comment text) for its cells."""
    if draft is not None:
        return _from_draft(draft, agency, year, edition, single_other_row, subtotal_column, previous), {}
    if agency is None or year is None:
        missing = [
            Problem(n, "is required (or pass draft=)") for n, v in (("agency", agency), ("year", year)) if v is None
        ]
        raise ExcelError("cannot write the template", missing)
    report = AnnualReport.blank(
        agency=agency, year=year, edition=edition, single_other_row=single_other_row, subtotal_column=subtotal_column
    )
    if previous is None:
        return report, {}
    if not isinstance(previous, AnnualReport):
        problem = Problem("previous", f"expected an AnnualReport, got {previous!r}")
        raise ExcelError("cannot write the template", [problem])
    if previous.year != year - 1:
        raise ExcelError(
            "cannot write the template",
            [Problem("previous", f"is the report of {previous.year}; a template for {year} starts from {year - 1}")],
        )
    return _carry(report, previous), _stock_notes(report, previous)


def _from_draft(
    draft: AnnualReport,
    agency: str | None,
    year: int | None,
    edition: Edition | str | None,
    single_other_row: bool | None,
    subtotal_column: bool,
    previous: AnnualReport | None,
) -> AnnualReport:
    if not isinstance(draft, AnnualReport):
        raise ExcelError("cannot write the template", [Problem("draft", f"expected an AnnualReport, got {draft!r}")])
    shape = shape_of(draft)
    conflicts = [
        Problem(name, f"is {given!r}, but the draft's is {own!r} (the draft fixes the template's shape)")
        for name, given, own in (
            ("edition", None if edition is None else Edition.resolve(edition, draft.year), shape.edition),
            ("single_other_row", single_other_row, shape.single_other_row),
            ("subtotal_column", subtotal_column or None, shape.subtotal_column),
            ("previous", previous, None),
        )
        if given is not None and given != own
    ]
    if conflicts:
        raise ExcelError("cannot write the template", conflicts)
    if agency is not None:
        draft = attrs.evolve(draft, agency=agency)
    if year is not None:
        draft = attrs.evolve(draft, year=year)
    return draft


def _carry(report: AnnualReport, previous: AnnualReport) -> AnnualReport:
    """``report`` with 二、上年结转 set to ``previous``'s 四、结转下年度继续办理, column by column."""
    section = next(i.name for i in field_specs(AnnualReport) if Applications in i.types)
    this_name, last_name = Applications.CARRY
    last_paths = {c.path for c in layout(shape_of(previous))}
    for cell in layout(shape_of(report)):
        prefix = f"{section}.{this_name}."
        if not cell.path.startswith(prefix):
            continue
        source = f"{section}.{last_name}.{cell.path[len(prefix) :]}"
        if source in last_paths:
            report = replace_path(report, cell.path, get_path(previous, source))
    return report


def _stock_notes(report: AnnualReport, previous: AnnualReport) -> dict[str, str]:
    """A note on each 现行有效件数 input cell with last year's figure (same edition only)."""
    if previous.edition is not report.edition:
        return {}
    notes: dict[str, str] = {}
    for info in field_specs(type(report.table2)):
        row_cls = info.types[0] if len(info.types) == 1 else None
        stock_names = getattr(row_cls, "STOCK", None)
        if row_cls is None or not stock_names:
            continue
        stock, issued, repealed = stock_names
        labels = {i.name: i.spec.label for i in field_specs(row_cls)}
        table2 = next(i.name for i in field_specs(AnnualReport) if type(report.table2) in i.types)
        path = f"{table2}.{info.name}.{stock}"
        before = get_path(previous, path)
        shown = "空白" if before is None else str(before)
        notes[path] = (
            f"上年度（{previous.year}年）{labels[stock]}：{shown}。"
            f"本年{labels[stock]}一般为上年度{labels[stock]}加{labels[issued]}减{labels[repealed]}，请按实际填写。"
        )
    return notes


def check_draft_totals(draft: AnnualReport, cells: Sequence[Cell], formulas: Mapping[int, Sequence[int]]) -> None:
    """Refuse a draft whose printed totals are not what the template's formulas give from its inputs.

    ``formulas`` maps each total's index in ``cells`` to the indices its formula sums. A formula
    over blanks is blank (as the reader reads it).
    """
    printed = [get_path(draft, c.path) for c in cells]
    memo: dict[int, Any] = {}

    def value(i: int) -> Any:
        if i not in formulas:
            return printed[i]
        if i not in memo:
            parts = [v for v in (value(m) for m in formulas[i]) if v is not None]
            memo[i] = sum(parts, Decimal(0) if any(isinstance(v, Decimal) for v in parts) else 0) if parts else None
        return memo[i]

    problems = [
        Problem(
            cells[i].path,
            f"is {printed[i]!r} in the draft, but the template's formula gives {value(i)!r} from its inputs",
            f"表{cells[i].table} {cells[i].row} × {cells[i].column}",
        )
        for i in sorted(formulas)
        if value(i) != printed[i]
    ]
    if problems:
        raise ExcelError(
            "the draft's totals are not the sums of its figures; fix them first (gongkai check shows repairs)",
            problems,
        )
