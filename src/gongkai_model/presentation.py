"""Where every label and every cell of the three tables goes in the official layout, derived from the model.

A :class:`SheetPlan` lists the label cells (with their merged ranges) and the
value cells (with their model paths) of one table, in the official layout:

- 表二: per 第二十条 banner, a banner row, a header row (信息内容 and the
  columns), then its rows; a group with fewer columns than the widest one
  has its value cells merged across the spare width;
- 表三: the corner note over the label columns and three header rows
  (申请人情况 / 自然人 · 法人或其他组织 · 总计 / the organisation types), then
  one row per table row, the group labels (三、本年度办理结果, （三）不予公开 …)
  merged down over their rows;
- 表四: the three blocks side by side, 行政诉讼 over the two litigation
  blocks, the five outcomes under each, one data row.
"""

from __future__ import annotations

import functools
from decimal import Decimal
from typing import Literal

import attrs

from .model.layout import Cell, Shape, layout, rows
from .model.report import NUMERALS, AnnualReport
from .model.spec import Kind, field_specs
from .model.tables import ApplicantCounts, Applications, ProactiveDisclosure2021
from .model.values import Amount

__all__ = [
    "Label",
    "SheetPlan",
    "ValueCell",
    "figure_text",
    "plans",
    "section_headings",
    "section_names",
    "section_texts",
    "sheet_name",
    "workbook_cells",
]


def figure_text(value: object) -> str:
    """A model value as a published table prints it: the one number formatter of every renderer.

    Blank for ``None`` (never ``0``); a :class:`~decimal.Decimal` in plain notation with its printed digits
    (``1E+2`` is ``100``, ``1.50`` stays ``1.50``, never an exponent) and ``-0`` as ``0``; an
    :class:`~gongkai_model.Amount` as its figure followed by its unit (``160.5964万元``); anything else
    (``int``, text) as ``str``. What it prints is what the one value parser reads back.

    >>> from decimal import Decimal
    >>> [figure_text(v) for v in (None, 12, Decimal("1E+2"), Decimal("-0.0"), Amount(Decimal("2.5E+1")))]
    ['', '12', '100', '0.0', '25']
    """
    if value is None:
        return ""
    if isinstance(value, Amount):
        return figure_text(value.value) + (value.unit.value if value.unit is not None else "")
    if isinstance(value, Decimal):
        return format(value.copy_abs() if value.is_zero() else value, "f")
    return str(value)


def get_column_letter(col: int) -> str:
    """A spreadsheet column's letters (1 → ``A``, 27 → ``AA``); plans need no spreadsheet library.

    >>> get_column_letter(1), get_column_letter(26), get_column_letter(27), get_column_letter(16384)
    ('A', 'Z', 'AA', 'XFD')
    """
    letters = ""
    while col > 0:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


#: What a printed :class:`Label` of a sheet plan is.
LabelKind = Literal["title", "header", "row", "group", "note"]


@attrs.frozen
class Label:
    row: int
    col: int
    text: str
    last_row: int
    last_col: int
    kind: LabelKind

    @property
    def ref(self) -> str:
        return f"{get_column_letter(self.col)}{self.row}"

    @property
    def merged(self) -> str | None:
        if (self.row, self.col) == (self.last_row, self.last_col):
            return None
        return f"{self.ref}:{get_column_letter(self.last_col)}{self.last_row}"


@attrs.frozen
class ValueCell:
    row: int
    col: int
    cell: Cell
    last_col: int

    @property
    def ref(self) -> str:
        return f"{get_column_letter(self.col)}{self.row}"


@attrs.frozen
class SheetPlan:
    table: str
    title: str
    labels: tuple[Label, ...]
    values: tuple[ValueCell, ...]
    width: int  # columns used

    @property
    def name(self) -> str:
        return sheet_name(self.table)


def sheet_name(table: str) -> str:
    return f"表{table}"


def _titles() -> dict[str, str]:
    out = {}
    number = 0
    for info in field_specs(AnnualReport):
        if info.spec.kind is Kind.SECTION:
            out[NUMERALS[number]] = f"{NUMERALS[number]}、{info.spec.label}"
            number += 1
    return out


def _plan_table2(shape: Shape) -> SheetPlan:
    cells = [c for c in layout(shape) if c.table == "二"]
    the_rows = [r for r in rows(shape) if r.table == "二"]
    width = 1 + max(sum(c.row_info == r for c in cells) for r in the_rows)
    corner = ProactiveDisclosure2021.CORNER
    labels: list[Label] = [Label(1, 1, _titles()["二"], 1, width, "title")]
    values: list[ValueCell] = []
    y = 2
    banner = None
    for r in the_rows:
        mine = [c for c in cells if c.row_info == r]
        if r.spec.banner != banner:
            banner = r.spec.banner
            labels.append(Label(y, 1, banner or "", y, width, "group"))
            labels.append(Label(y + 1, 1, corner, y + 1, 1, "header"))
            spans = _spans(len(mine), width - 1)
            for c, (first, last) in zip(mine, spans, strict=True):
                labels.append(Label(y + 1, 2 + first, c.column, y + 1, 2 + last, "header"))
            y += 2
        labels.append(Label(y, 1, r.label, y, 1, "row"))
        for c, (first, last) in zip(mine, _spans(len(mine), width - 1), strict=True):
            values.append(ValueCell(y, 2 + first, c, 2 + last))
        y += 1
    return SheetPlan("二", _titles()["二"], tuple(labels), tuple(values), width)


def _spans(n: int, width: int) -> list[tuple[int, int]]:
    """Spread ``n`` cells over ``width`` columns (the last one takes what is left)."""
    out = [(i, i) for i in range(n)]
    if n and n < width:
        out[-1] = (n - 1, width - 1)
    return out


def _plan_table3(shape: Shape) -> SheetPlan:
    cells = [c for c in layout(shape) if c.table == "三"]
    the_rows = [r for r in rows(shape) if r.table == "三"]
    depth = max(len(r.groups) + 1 for r in the_rows)
    columns = [c for c in cells if c.row_info == the_rows[0]]
    first_col = depth + 1
    width = depth + len(columns)
    labels: list[Label] = [Label(1, 1, _titles()["三"], 1, width, "title")]
    labels.append(Label(2, 1, Applications.CORNER, 4, depth, "note"))
    labels.append(Label(2, first_col, ApplicantCounts.HEADER, 2, width, "header"))
    x = first_col
    i = 0
    while i < len(columns):
        c = columns[i]
        header = c.spec.header
        if header is None:
            labels.append(Label(3, x, c.column, 4, x, "header"))
            i += 1
            x += 1
            continue
        span = [d for d in columns[i:] if d.spec.header == header]
        labels.append(Label(3, x, header, 3, x + len(span) - 1, "header"))
        for j, d in enumerate(span):
            labels.append(Label(4, x + j, d.column, 4, x + j, "header"))
        i += len(span)
        x += len(span)
    values: list[ValueCell] = []
    y0 = 5
    # group labels, merged down over their rows
    for level in range(depth - 1):
        start = 0
        while start < len(the_rows):
            groups = the_rows[start].groups
            if len(groups) <= level:
                start += 1
                continue
            g = groups[level]
            end = start
            while (
                end + 1 < len(the_rows)
                and len(the_rows[end + 1].groups) > level
                and the_rows[end + 1].groups[level] == g
            ):
                end += 1
            labels.append(Label(y0 + start, 1 + level, g.label, y0 + end, 1 + level, "group"))
            start = end + 1
    for k, r in enumerate(the_rows):
        y = y0 + k
        labels.append(Label(y, 1 + len(r.groups), r.label, y, depth, "row"))
        for j, c in enumerate(cc for cc in cells if cc.row_info == r):
            values.append(ValueCell(y, first_col + j, c, first_col + j))
    return SheetPlan("三", _titles()["三"], tuple(labels), tuple(values), width)


def _plan_table4(shape: Shape) -> SheetPlan:
    cells = [c for c in layout(shape) if c.table == "四"]
    the_rows = [r for r in rows(shape) if r.table == "四"]
    per_block = [[c for c in cells if c.row_info == r] for r in the_rows]
    width = sum(len(b) for b in per_block)
    labels: list[Label] = [Label(1, 1, _titles()["四"], 1, width, "title")]
    values: list[ValueCell] = []
    x = 1
    k = 0
    while k < len(the_rows):
        r = the_rows[k]
        if r.spec.banner is None:
            n = len(per_block[k])
            labels.append(Label(2, x, r.label, 2, x + n - 1, "row"))
            for j, c in enumerate(per_block[k]):
                labels.append(Label(3, x + j, c.column, 4, x + j, "header"))
                values.append(ValueCell(5, x + j, c, x + j))
            x += n
            k += 1
            continue
        group = [i for i in range(k, len(the_rows)) if the_rows[i].spec.banner == r.spec.banner]
        total = sum(len(per_block[i]) for i in group)
        labels.append(Label(2, x, r.spec.banner, 2, x + total - 1, "group"))
        for i in group:
            n = len(per_block[i])
            labels.append(Label(3, x, the_rows[i].label, 3, x + n - 1, "row"))
            for j, c in enumerate(per_block[i]):
                labels.append(Label(4, x + j, c.column, 4, x + j, "header"))
                values.append(ValueCell(5, x + j, c, x + j))
            x += n
        k = group[-1] + 1
    return SheetPlan("四", _titles()["四"], tuple(labels), tuple(values), width)


@functools.cache
def plans(shape: Shape) -> tuple[SheetPlan, ...]:
    """The sheet plans of 表二, 表三 and 表四 for ``shape``."""
    return (_plan_table2(shape), _plan_table3(shape), _plan_table4(shape))


@functools.cache
def workbook_cells(shape: Shape) -> dict[str, str]:
    """``{model path: "表三!J7"}``: where each figure of ``shape`` is in the official workbook layout.

    The cells the Excel writer puts each figure in (``gongkai template``, ``gongkai convert … .xlsx``), so a
    finding about a report read from JSON or built in Python can still name a cell one can look at.
    Do not change the returned dict (it is shared).

    >>> from gongkai_model.model.layout import shape_of
    >>> from gongkai_model.examples import seed_report
    >>> workbook_cells(shape_of(seed_report()))["table3.results.granted.total"]
    '表三!J7'
    """
    return {v.cell.path: f"{plan.name}!{v.ref}" for plan in plans(shape) for v in plan.values}


def section_headings() -> list[tuple[str, str, str]]:
    """``(heading, attribute, type)`` of the six sections, e.g. ``("一、总体情况", "overview", "Overview")``."""
    out: list[tuple[str, str, str]] = []
    for info in field_specs(AnnualReport):
        if info.spec.kind is Kind.SECTION:
            kind = " | ".join(t.__name__ for t in info.types) if info.types else "str | None"
            out.append((f"{NUMERALS[len(out)]}、{info.spec.label}", info.name, kind))
    return out


def section_names() -> list[str]:
    """The attribute names of the six sections, in order (``["overview", "table2", …]``)."""
    return [attribute for _, attribute, _ in section_headings()]


def section_texts(report: AnnualReport) -> dict[str, str | None]:
    """The prose printed under each section that is not a table, by attribute.

    A section is either its prose itself (``problems``) or a node whose ``text`` is (``overview``,
    ``other_matters``); the three tables have none.

    >>> from gongkai_model.examples import seed_report
    >>> sorted(section_texts(seed_report()))
    ['other_matters', 'overview', 'problems']
    """
    out: dict[str, str | None] = {}
    for attribute in section_names():
        value = getattr(report, attribute)
        if value is None or isinstance(value, str):
            out[attribute] = value
        elif isinstance(getattr(value, "text", 0), str | None):
            out[attribute] = value.text
    return out
