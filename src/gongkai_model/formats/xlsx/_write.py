"""Writing reports and fillable templates in the official layout."""

from __future__ import annotations

import datetime as dt
import functools
import math
import os
import re
import unicodedata
from decimal import Decimal
from typing import IO, Any

import attrs
import xlsxwriter
import xlsxwriter.exceptions
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.hyperlink import Hyperlink

from ...codes import CATALOGUE
from ...errors import Problem
from ...model.identities import identities
from ...model.layout import Shape, layout, shape_of, values
from ...model.report import AnnualReport, OtherMatters, Overview
from ...model.spec import Kind, Value, field_specs
from ...model.values import Amount, Edition
from ...presentation import SheetPlan, figure_text, plans
from ._prefill import check_draft_totals, template_report
from ._safety import MAX_CELL_CHARS, ExcelError, escape_text, safe_text

__all__ = ["COVER", "MAX_EXACT_INTEGER", "TEXTS", "write_report", "write_template"]

COVER = "封面"
TEXTS = "正文"
CHECKS = "校验"
#: The 封面 label of the edition.
EDITION_LABEL = "格式"

_THIN = Side(style="thin")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)
_RED = PatternFill(start_color="FFC7CE", end_color="FFC7CE", fill_type="solid")
_INPUT = PatternFill(start_color="FFF9E5", end_color="FFF9E5", fill_type="solid")
#: What XML 1.0 cannot carry at all (besides the C0 controls openpyxl's own pattern names):
#: lone surrogates and the non-characters U+FFFE and U+FFFF.
_NOT_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")
#: Beyond this, a spreadsheet number (a binary double) no longer holds every whole number exactly.
MAX_EXACT_INTEGER = 2**53
_FORMATS = {Value.COUNT: "0", Value.SIGNED: "0", Value.MONEY: "General", Value.AMOUNT: "@"}


def _check_texts(report: AnnualReport) -> None:
    """Refuse, all at once, texts a workbook cannot hold as they are (never truncate or drop characters)."""
    problems = []
    for path, label, text in _text_fields(report):
        if not isinstance(text, str):
            continue
        if len(text) > MAX_CELL_CHARS:
            problems.append(Problem(path, f"{len(text)} characters; a cell holds at most {MAX_CELL_CHARS}", label))
        bad = ILLEGAL_CHARACTERS_RE.search(text) or _NOT_XML.search(text)
        if bad:
            problems.append(
                Problem(
                    path,
                    f"holds the character U+{ord(bad.group()):04X} at position {bad.start()}, which XML 1.0 and so a "
                    "workbook cannot carry (a control character, a lone surrogate or a non-character)",
                    label,
                )
            )
    if problems:
        raise ExcelError("a text cannot be written to a workbook", problems)


def _text_fields(report: AnnualReport) -> list[tuple[str, str, Any]]:
    out: list[tuple[str, str, Any]] = []
    for info in field_specs(AnnualReport):
        value = getattr(report, info.name)
        if info.spec.kind is Kind.META or (info.spec.kind is Kind.SECTION and info.spec.value is Value.TEXT):
            out.append((info.name, info.spec.label, value))
        elif isinstance(value, Overview | OtherMatters):
            for sub in field_specs(type(value)):
                out.append((f"{info.name}.{sub.name}", sub.spec.label, getattr(value, sub.name)))
    return out


def _printed(value: Decimal | Amount) -> str:
    """A figure stored as text, as every renderer prints it (plain digits, which the readers read back); the
    scientific form only where the plain one would not fit in a cell (``1E+40000``)."""
    text = figure_text(value)
    return text if len(text) <= MAX_CELL_CHARS else str(value)


def _cell_value(value: Any) -> tuple[str, Any]:
    """How a value is stored: ``("s", text)``, ``("n", number)``, ``("d", date)``, ``("b", bool)`` or ``("", None)``.

    Numbers a spreadsheet cannot hold exactly (or that 16 significant digits, as openpyxl and xlsxwriter print
    numbers, do not pin down) become exact text.
    """
    if value is None:
        return "", None
    if isinstance(value, str):
        return "s", value
    if isinstance(value, Amount):
        return "s", _printed(value)
    if isinstance(value, bool):
        return "b", value
    if isinstance(value, Decimal):
        number = float(value)
        # both writers print 16 significant digits: a double that needs 17 would come back changed
        if Decimal(repr(number)) == value and float(f"{number:.16G}") == number:
            return "n", number
        return "s", _printed(value)  # more digits than a spreadsheet number keeps: exact text instead
    if isinstance(value, int):
        return ("s", str(value)) if abs(value) > MAX_EXACT_INTEGER else ("n", value)
    if isinstance(value, dt.date):
        return "d", value
    return "n", value


def _put(ws: Any, row: int, col: int, value: Any, kind: Value | None = None) -> Any:
    """Write one value with openpyxl (texts as plain strings, never formulas)."""
    cell = ws.cell(row=row, column=col)
    how, stored = _cell_value(value)
    if how == "s":
        safe_text(cell, stored)
    else:
        cell.value = stored
        if how == "d":
            cell.number_format = "yyyy-mm-dd"
    if kind is not None:
        cell.number_format = _FORMATS.get(kind, "General")
    return cell


# --- print layout: one description of each sheet, written by openpyxl (templates) or xlsxwriter (reports) ---

#: The font every cell names. Agencies print on Windows, where SimSun (宋体) is installed; elsewhere a
#: spreadsheet substitutes a CJK font it has (LibreOffice on Linux: Noto Serif/Sans CJK).
FONT = "SimSun"
_SIZE = 11.0
_TITLE_SIZE = 14.0
#: Points per line of wrapped text, per point of font size (CJK fonts need about 1.3-1.45 em).
_LINE = 1.5
#: Width of one character in column-width units (the width of "0" in the default font): CJK characters
#: (East Asian wide and fullwidth) about 2, others about 1; with a margin for bold text and cell padding.
_WIDE, _NARROW, _PADDING = 2.1, 1.15, 1.5
#: Excel's largest row height in points (409), in whole pixels (0.75 pt).
MAX_ROW_HEIGHT = 408.75


@attrs.frozen(cache_hash=True)
class _Style:
    font: str = "plain"  # "plain", "bold", "title"
    align: str = "center"  # "center", "left", "top"
    border: bool = True
    number_format: str | None = None


@attrs.define
class _Sheet:
    name: str
    cells: dict[tuple[int, int], tuple[Any, _Style]] = attrs.Factory(dict)
    merges: list[tuple[int, int, int, int]] = attrs.Factory(list)
    widths: dict[int, float] = attrs.Factory(dict)
    heights: dict[int, float] = attrs.Factory(dict)
    landscape: bool = False
    title_rows: tuple[int, int] | None = None
    covered: set[tuple[int, int]] = attrs.Factory(set)  # cells inside a merged range, but its first

    def put(self, row: int, col: int, value: Any, style: _Style) -> None:
        self.cells[(row, col)] = (value, style)

    def merge(self, row: int, col: int, last_row: int, last_col: int, style: _Style) -> None:
        """Merge a range; every cell of it carries ``style`` (so its borders print all round)."""
        for r in range(row, last_row + 1):
            for c in range(col, last_col + 1):
                if (r, c) != (row, col):
                    self.cells[(r, c)] = (None, style)
                    self.covered.add((r, c))
        self.merges.append((row, col, last_row, last_col))

    def fit_heights(self) -> None:
        """Row heights that fit every wrapped text: single-row cells first, then ranges merged down."""
        spans = {(r, c): (lr, lc) for r, c, lr, lc in self.merges}
        needs: list[tuple[int, int, float]] = []
        for (r, c), (value, style) in self.cells.items():
            if value is None or type(value) is int:
                continue
            how, value = _cell_value(value)
            if how != "s" or not value:
                continue  # a number does not wrap
            last_row, last_col = spans.get((r, c), (r, c))
            width = sum(self.widths.get(k, 8.43) for k in range(c, last_col + 1))
            size = _TITLE_SIZE if style.font == "title" else _SIZE
            lines = _lines(value, width, size / _SIZE)
            needs.append((r, last_row, lines * size * _LINE + 4))
        for first, last, need in sorted(needs, key=lambda n: n[1] - n[0]):
            rows = range(first, last + 1)
            have = sum(self.heights.get(k, _SIZE * _LINE + 4) for k in rows)
            if need > have:
                extra = (need - have) / len(rows)
                for k in rows:
                    self.heights[k] = self.heights.get(k, _SIZE * _LINE + 4) + extra
        for k in {r for r, _ in self.cells}:  # every row explicit: a CJK line is taller than the default row
            height = math.ceil(self.heights.get(k, _SIZE * _LINE + 4) / 0.75) * 0.75  # whole pixels, as written
            self.heights[k] = min(MAX_ROW_HEIGHT, height)


def _lines(text: str, width: float, scale: float = 1.0) -> int:
    """The lines ``text`` takes wrapped in a cell ``width`` units wide (CJK characters count about 2)."""
    room = max(width - _PADDING, 1.0)
    total = 0
    for paragraph in text.split("\n"):
        total += max(1, math.ceil(_units(paragraph) * scale / room))
    return total


def _units(text: str) -> float:
    """Width of ``text`` in column units: East Asian wide and fullwidth characters ``_WIDE``, others ``_NARROW``."""
    return _label_units(text) if len(text) <= 200 else _text_units(text)


@functools.lru_cache(maxsize=4096)
def _label_units(text: str) -> float:  # labels repeat in every workbook
    return _text_units(text)


def _text_units(text: str) -> float:
    if text.isascii():
        return len(text) * _NARROW
    wide = sum(1 for ch in text if unicodedata.east_asian_width(ch) in "WF")
    return wide * _WIDE + (len(text) - wide) * _NARROW


_LABEL_FONT = {"title": "title", "header": "bold", "group": "bold", "note": "bold"}


def _skeleton(plan: SheetPlan) -> _Skeleton:
    """One table's sheet without its figures (labels, merges, widths, heights), computed once per shape;
    with the value cells as (position, model path, style) and {model path: cell reference}."""
    sheet = _Sheet(plan.name, landscape=plan.table != "二")
    for label in plan.labels:
        style = _Style(
            font=_LABEL_FONT.get(label.kind, "plain"),
            align="left" if label.kind == "row" else "center",
            border=label.kind != "title",
        )
        sheet.put(label.row, label.col, label.text, style)
        if label.merged:
            sheet.merge(label.row, label.col, label.last_row, label.last_col, style)
    slots = []
    for v in plan.values:
        style = _Style(number_format=_FORMATS.get(v.cell.kind, "General"))
        sheet.put(v.row, v.col, None, style)
        if v.last_col > v.col:
            sheet.merge(v.row, v.col, v.row, v.last_col, style)
        slots.append(((v.row, v.col), v.cell.path, style))
    first_value_col = min(v.col for v in plan.values)
    first_value_row = min(v.row for v in plan.values)
    for c in range(1, plan.width + 1):
        width = 12 if c >= first_value_col else 16 if c == 1 else 22
        if plan.table == "三" and c == first_value_col - 1:
            width = 40
        sheet.widths[c] = width
    # the rows above the first figures (title and column headers) repeat on every printed page;
    # 表二 repeats its title only (each of its blocks has its own header row)
    sheet.title_rows = (1, 1 if plan.table == "二" else first_value_row - 1)
    sheet.fit_heights()
    return sheet, tuple(slots), {v.cell.path: v.ref for v in plan.values}


_Skeleton = tuple[_Sheet, tuple[tuple[tuple[int, int], str, _Style], ...], dict[str, str]]


@functools.cache
def _skeletons(shape: Shape) -> tuple[_Skeleton, ...]:
    """The skeletons of 表二, 表三 and 表四 for ``shape`` (cached by the shape, which hashes quickly)."""
    return tuple(_skeleton(plan) for plan in plans(shape))


def _plan_sheet(shape: Shape, k: int, cell_values: dict[str, Any]) -> tuple[_Sheet, dict[str, str]]:
    """Table ``k`` of ``shape`` as a sheet description; returns it and {model path: cell reference}."""
    skeleton, slots, refs = _skeletons(shape)[k]
    sheet = attrs.evolve(
        skeleton,
        cells=dict(skeleton.cells),
        merges=skeleton.merges,  # never changed after the skeleton is built
        widths=skeleton.widths,
        heights=dict(skeleton.heights),
    )
    cells = sheet.cells
    texts = False
    for at, path, style in slots:
        value = cell_values[path]
        cells[at] = (value, style)
        texts = texts or (value is not None and type(value) is not int and _cell_value(value)[0] == "s")
    if texts:  # a figure written as text (an amount, exact digits) may need a taller row
        sheet.fit_heights()
    return sheet, dict(refs)


def _cover(report: AnnualReport, shape: Shape) -> _Sheet:
    sheet = _Sheet(COVER, widths={1: 16, 2: 60}, title_rows=(1, 1))
    sheet.put(1, 1, AnnualReport.TITLE, _Style(font="title", align="left", border=False))
    row = 2
    for path, label, value in _text_fields(report):
        if "." in path or path == "problems":
            continue
        sheet.put(row, 1, label, _Style(font="bold", align="left"))
        sheet.put(row, 2, value, _Style(align="left"))
        row += 1
    sheet.put(row, 1, EDITION_LABEL, _Style(font="bold", align="left"))
    sheet.put(row, 2, shape.edition.value, _Style(align="left"))
    sheet.fit_heights()
    return sheet


def _texts(report: AnnualReport) -> _Sheet:
    sheet = _Sheet(TEXTS, widths={1: 24, 2: 24, 3: 150}, landscape=True)
    headings = {i.name: i.spec.label for i in field_specs(AnnualReport)}
    row = 1
    for path, label, value in _text_fields(report):
        if "." not in path and path != "problems":
            continue
        sheet.put(row, 1, headings[path.split(".")[0]], _Style(font="bold", align="top"))
        sheet.put(row, 2, label, _Style(font="bold", align="top"))
        sheet.put(row, 3, value, _Style(align="top"))
        # a text taller than a row can be spreads over rows merged down (the reader reads the first row)
        need = _lines(value, sheet.widths[3]) * _SIZE * _LINE + 4 if isinstance(value, str) else 0
        span = max(1, math.ceil(need / MAX_ROW_HEIGHT))
        if span > 1:
            for col in (1, 2, 3):
                sheet.merge(row, col, row + span - 1, col, sheet.cells[(row, col)][1])
        row += span
    sheet.fit_heights()
    return sheet


def _sheets(report: AnnualReport) -> tuple[list[_Sheet], dict[str, tuple[str, str]], Shape]:
    _check_texts(report)
    shape = shape_of(report)
    cell_values = dict(zip((c.path for c in layout(shape)), values(report), strict=True))
    sheets = [_cover(report, shape)]
    refs: dict[str, tuple[str, str]] = {}
    for k in range(len(plans(shape))):
        sheet, plan_refs = _plan_sheet(shape, k, cell_values)
        sheets.append(sheet)
        for path, ref in plan_refs.items():
            refs[path] = (sheet.name, ref)
    sheets.append(_texts(report))
    return sheets, refs, shape


# --- openpyxl (templates: formulas, names, validation and protection are added afterwards) ---

_ALIGN = {
    "center": Alignment(horizontal="center", vertical="center", wrap_text=True),
    "left": Alignment(horizontal="left", vertical="center", wrap_text=True),
    "top": Alignment(horizontal="left", vertical="top", wrap_text=True),
}
_FONTS = {
    "plain": Font(name=FONT, size=_SIZE, charset=134),
    "bold": Font(name=FONT, size=_SIZE, bold=True, charset=134),
    "title": Font(name=FONT, size=_TITLE_SIZE, bold=True, charset=134),
}


def _to_openpyxl(sheets: list[_Sheet]) -> Workbook:
    wb = Workbook()
    first = wb.active
    assert first is not None  # a new workbook has one sheet
    for k, sheet in enumerate(sheets):
        ws: Any = first if k == 0 else wb.create_sheet(sheet.name)
        ws.title = sheet.name
        for (r, c), (value, style) in sheet.cells.items():
            cell = _put(ws, r, c, value)
            cell.font = _FONTS[style.font]
            cell.alignment = _ALIGN[style.align]
            if style.border:
                cell.border = _BORDER
            if style.number_format is not None:
                cell.number_format = style.number_format
        for r, c, lr, lc in sheet.merges:
            ws.merge_cells(start_row=r, start_column=c, end_row=lr, end_column=lc)
        for c, w in sheet.widths.items():  # stored as Excel (and xlsxwriter) store it: characters plus padding
            ws.column_dimensions[get_column_letter(c)].width = (int(w * 7 + 0.5) + 5) / 7
        for r, h in sheet.heights.items():
            ws.row_dimensions[r].height = h
        _print_setup(ws, sheet.landscape, sheet.title_rows)
    return wb


def _print_setup(ws: Any, landscape: bool, title_rows: tuple[int, int] | None) -> None:
    """A4, fitted to the page width (as many pages down as needed), ``title_rows`` repeated on each page."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if title_rows is not None:
        ws.print_title_rows = f"{title_rows[0]}:{title_rows[1]}"


def _workbook(report: AnnualReport) -> tuple[Workbook, dict[str, tuple[str, str]], Shape]:
    sheets, refs, shape = _sheets(report)
    return _to_openpyxl(sheets), refs, shape


def _save(wb: Workbook, target: str | os.PathLike[str] | IO[bytes]) -> None:
    try:
        wb.save(target)
    except OSError as exc:
        raise ExcelError("cannot write the workbook", [Problem(_target_name(target), str(exc))]) from None


def _target_name(target: str | os.PathLike[str] | IO[bytes]) -> str:
    return os.fspath(target) if isinstance(target, str | os.PathLike) else "<stream>"


# --- xlsxwriter (reports: the same sheets, written several times faster) ---


_XLSXWRITER_ESCAPE = re.compile("(_x[0-9a-fA-F]{4}_)")


def _xlsxwriter_keeps(value: Any) -> bool:
    """Whether xlsxwriter writes ``value`` as openpyxl does: it escapes texts as :func:`escape_text` does,
    but for overlapping ``_xHHHH_x…_`` patterns."""
    if not isinstance(value, str) or "_x" not in value:
        return True
    return _XLSXWRITER_ESCAPE.sub(r"_x005F\1", value) == escape_text(value)


def _write_xlsxwriter(sheets: list[_Sheet], target: str | os.PathLike[str] | IO[bytes]) -> None:
    out: Any = os.fspath(target) if isinstance(target, str | os.PathLike) else target
    wb = xlsxwriter.Workbook(
        out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    )
    formats: dict[_Style, Any] = {}
    date_formats: dict[_Style, Any] = {}

    def fmt(style: _Style, date: bool = False) -> Any:
        cache = date_formats if date else formats
        found = cache.get(style)
        if found is None:
            props: dict[str, Any] = {
                "font_name": FONT,
                "font_size": _TITLE_SIZE if style.font == "title" else _SIZE,
                "font_charset": 134,
                "bold": style.font != "plain",
                "text_wrap": True,
                "align": "center" if style.align == "center" else "left",
                "valign": "top" if style.align == "top" else "vcenter",
            }
            if style.border:
                props["border"] = 1
            if date:
                props["num_format"] = "yyyy-mm-dd"
            elif style.number_format not in (None, "General"):
                props["num_format"] = style.number_format
            found = cache[style] = wb.add_format(props)
        return found

    for sheet in sheets:
        ws = wb.add_worksheet(sheet.name)
        for c, w in sheet.widths.items():
            ws.set_column(c - 1, c - 1, w)
        for r, h in sheet.heights.items():
            ws.set_row(r - 1, h)
        for r, c, lr, lc in sheet.merges:
            ws.merge_range(r - 1, c - 1, lr - 1, lc - 1, None, fmt(sheet.cells[(r, c)][1]))
        covered = sheet.covered
        for (r, c), (value, style) in sheet.cells.items():
            if (r, c) in covered:
                continue  # merge_range wrote it, blank with the range's style
            how, stored = _cell_value(value)
            if how == "s":
                ws.write_string(r - 1, c - 1, stored, fmt(style))
            elif how == "n":
                ws.write_number(r - 1, c - 1, stored, fmt(style))
            elif how == "d":
                # openpyxl's serial (as the reader expects), also before 1900-03-01 where xlsxwriter's differs
                ws.write_number(r - 1, c - 1, to_excel(stored), fmt(style, True))  # type: ignore[no-untyped-call]
            elif how == "b":
                ws.write_boolean(r - 1, c - 1, stored, fmt(style))
            else:
                ws.write_blank(r - 1, c - 1, None, fmt(style))
        ws.set_paper(9)  # A4
        if sheet.landscape:
            ws.set_landscape()
        else:
            ws.set_portrait()
        ws.fit_to_pages(1, 0)
        if sheet.title_rows is not None:
            ws.repeat_rows(sheet.title_rows[0] - 1, sheet.title_rows[1] - 1)
    try:
        wb.close()
    except (OSError, xlsxwriter.exceptions.FileCreateError) as exc:
        raise ExcelError("cannot write the workbook", [Problem(_target_name(target), str(exc))]) from None


def write_report(report: AnnualReport, target: str | os.PathLike[str] | IO[bytes]) -> None:
    """Write ``report`` as a workbook in the official layout.

    Sheets: 封面 (metadata), 表二, 表三, 表四 (merged headers, the exact labels,
    the 勾稽关系 note in 表三's corner, number formats, widths) and 正文 (the
    text sections).  Blank cells stay blank and zeros stay 0; texts are written
    as plain text (never as formulas).  It prints as the report does: labels
    wrap in rows tall enough for them, the CJK font SimSun is named, each sheet
    is A4 fitted to the page width (表三, 表四 and 正文 landscape) and header
    rows repeat on every page.
    """
    sheets, _, _ = _sheets(report)
    if all(_xlsxwriter_keeps(v) for sheet in sheets for v, _ in sheet.cells.values()):
        _write_xlsxwriter(sheets, target)
    else:  # a text xlsxwriter would escape ambiguously: the same sheets through openpyxl
        _save(_to_openpyxl(sheets), target)


def write_template(
    target: str | os.PathLike[str] | IO[bytes],
    *,
    agency: str | None = None,
    year: int | None = None,
    edition: Edition | str | None = None,
    single_other_row: bool | None = None,
    subtotal_column: bool = False,
    previous: AnnualReport | None = None,
    draft: AnnualReport | None = None,
) -> None:
    """Write a blank fillable workbook for one report.

    Input cells are unlocked (and tinted) on protected sheets and accept whole
    numbers ≥ 0 (signed for 2019 本年增/减, decimals for money) with an error
    message; every total is a formula; the sheet 校验 has one check per
    identity, marked red while it does not balance (as are 表三's check row
    cells); every input cell has a defined name from its model path
    (``gk.table3.results.granted.natural_person``).

    ``previous=`` (last year's report) prefills 二、上年结转 with its 四、结转下年度继续办理 and notes
    last year's 现行有效件数 on 表二's cells; ``draft=`` prefills every figure and text of a draft
    (agency, year and shape are the draft's unless given), refusing one whose totals are not the
    sums of its figures. See ``docs/excel.md``.
    """
    report, notes = template_report(
        agency=agency,
        year=year,
        edition=edition,
        single_other_row=single_other_row,
        subtotal_column=subtotal_column,
        previous=previous,
        draft=draft,
    )
    wb, refs, shape = _workbook(report)
    cells = layout(shape)
    ids = identities(shape)
    formula_of: dict[int, Any] = {}
    for ident in ids:
        if ident.anchor is not None and ident.anchor not in formula_of and ident.code != "T3_RESULTS_TOTAL":
            formula_of[ident.anchor] = ident
    for ident in ids:  # （七）总计: the column sums, where no row sum was given
        if ident.anchor is not None and ident.anchor not in formula_of:
            formula_of[ident.anchor] = ident
    if draft is not None:
        check_draft_totals(report, cells, {i: ident.rhs for i, ident in formula_of.items()})
    for path, note in notes.items():
        wb[refs[path][0]][refs[path][1]].comment = Comment(note, "gongkai")

    def ref(i: int) -> str:
        sheet, r = refs[cells[i].path]
        return f"'{sheet}'!{r}"

    for i, ident in formula_of.items():
        sheet, r = refs[cells[i].path]
        ws = wb[sheet]
        same = all(refs[cells[m].path][0] == sheet for m in ident.rhs)
        parts = [refs[cells[m].path][1] if same else ref(m) for m in ident.rhs]
        ws[r].value = f"=SUM({','.join(parts)})"
        ws[r].data_type = "f"
    input_idx = [i for i in range(len(cells)) if i not in formula_of]
    rules: dict[Value, dict[str, Any]] = {
        Value.COUNT: {"type": "whole", "operator": "greaterThanOrEqual", "formula1": "0"},
        Value.SIGNED: {"type": "whole", "operator": "between", "formula1": "-1000000000", "formula2": "1000000000"},
        Value.MONEY: {"type": "decimal", "operator": "greaterThanOrEqual", "formula1": "0"},
    }
    per_sheet: dict[tuple[str, Value], DataValidation] = {}
    for i in input_idx:
        sheet, r = refs[cells[i].path]
        ws = wb[sheet]
        ws[r].protection = Protection(locked=False)
        ws[r].fill = _INPUT
        kind = cells[i].kind
        if kind in rules:
            key = (sheet, kind)
            if key not in per_sheet:
                dv = DataValidation(
                    **rules[kind],
                    allow_blank=True,
                    showErrorMessage=True,
                    errorTitle="输入有误",
                    error=_INPUT_RULE[kind].format(column=cells[i].column),
                )
                ws.add_data_validation(dv)
                per_sheet[key] = dv
            per_sheet[key].add(r)
        name = f"gk.{cells[i].path}"
        wb.defined_names[name] = DefinedName(name, attr_text=f"'{sheet}'!${r[0 : _split(r)]}${r[_split(r) :]}")
    _check_sheet(wb, ids, cells, ref, refs)
    _check_summary(wb[CHECKS], ids, ref, formula_of, input_idx)
    for sheet in (p.name for p in plans(shape)):
        wb[sheet].protection.sheet = True
        wb[sheet].protection.formatCells = False
        wb[sheet].protection.formatColumns = False
    _save(wb, target)


#: The message of each input cell's data validation, by its value kind (the column named where it matters).
_INPUT_RULE = {
    Value.COUNT: "请填写不小于 0 的整数。",
    Value.SIGNED: "请填写整数（{column}可为负数）。",
    Value.MONEY: "请填写不小于 0 的金额（可有小数）。",
}


def _split(ref: str) -> int:
    return next(i for i, ch in enumerate(ref) if ch.isdigit())


#: The columns of the sheet 校验, in order: what each holds.
CHECK_COLUMNS = ("检查", "说明", "表", "行", "列", "左边", "右边", "结果", "单元格")


def _members_text(ident: Any, cells: Any, refs: dict[str, tuple[str, str]]) -> str:
    """The cells of an identity, as one looks them up: ``表三：J7 = D7:I7`` (``表四!E5`` across sheets; runs of
    three or more adjacent cells as a range, the parts joined by `` + `` so that a long line wraps)."""
    where = [refs[cells[m].path] for m in ident.members]
    sheets = {sheet for sheet, _ in where}
    one = len(sheets) == 1
    head = f"{next(iter(sheets))}：" if one else ""

    def side(members: Any) -> str:
        return " + ".join(_runs([refs[cells[m].path] for m in members], one))

    return f"{head}{side(ident.lhs)} = {side(ident.rhs)}"


def _runs(refs: list[tuple[str, str]], bare: bool) -> list[str]:
    """Cell references with runs of three or more adjacent cells (down a column or along a row) as ranges."""

    def split(ref: str) -> tuple[str, int]:
        k = _split(ref)
        return ref[:k], int(ref[k:])

    def name(sheet: str, ref: str) -> str:
        return ref if bare else f"{sheet}!{ref}"

    out: list[str] = []
    k = 0
    while k < len(refs):
        sheet, ref = refs[k]
        col, row = split(ref)
        end = k
        while end + 1 < len(refs) and refs[end + 1][0] == sheet:
            next_col, next_row = split(refs[end + 1][1])
            down = next_col == col and next_row == row + (end + 1 - k)
            along = next_row == row and _column(next_col) == _column(col) + (end + 1 - k)
            if not (down or along) or (end > k and down != (split(refs[k + 1][1])[0] == col)):
                break
            end += 1
        if end - k >= 2:
            out.append(name(sheet, f"{ref}:{refs[end][1]}"))
            k = end + 1
        else:
            out.append(name(sheet, ref))
            k += 1
    return out


def _side_formula(members: Any, cells: Any, refs: dict[str, tuple[str, str]]) -> str:
    """One side of an identity as a formula over the very cells to look at: ``='表三'!J7``,
    ``=SUM('表三'!D7:D27)`` for a run of adjacent cells, parts joined by ``+``."""
    parts = []
    for run in _runs([refs[cells[m].path] for m in members], False):
        sheet, _, cell = run.partition("!")
        parts.append(f"SUM('{sheet}'!{cell})" if ":" in cell else f"'{sheet}'!{cell}")
    return "=" + "+".join(parts)


def _column(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _check_sheet(wb: Workbook, ids: Any, cells: Any, ref: Any, refs: dict[str, tuple[str, str]]) -> None:
    """The sheet 校验: one row per identity, its code and its meaning in Chinese, both sides as formulas, the
    result, and the cells to look at (linked to the first of them)."""
    ws = wb.create_sheet(CHECKS)
    for j, h in enumerate(CHECK_COLUMNS, start=1):
        _put(ws, 1, j, h).font = _BOLD
    for k, ident in enumerate(ids, start=2):
        known = CATALOGUE.get(ident.code)
        _put(ws, k, 1, ident.code)
        _put(ws, k, 2, known.zh if known is not None else "")
        _put(ws, k, 3, ident.table)
        _put(ws, k, 4, ident.row or "")
        _put(ws, k, 5, ident.column or "")
        ws.cell(row=k, column=6).value = _side_formula(ident.lhs, cells, refs)
        ws.cell(row=k, column=7).value = _side_formula(ident.rhs, cells, refs)
        ws.cell(row=k, column=8).value = f'=IF(F{k}=G{k},"平衡","不平衡")'
        members = _put(ws, k, 9, _members_text(ident, cells, refs))
        first = ident.anchor if ident.anchor is not None else ident.lhs[0]
        members.hyperlink = Hyperlink(ref=members.coordinate, location=ref(first))
    last = len(ids) + 1
    rule = FormulaRule(formula=['$H2="不平衡"'], fill=_RED)  # type: ignore[no-untyped-call]
    ws.conditional_formatting.add(f"A2:I{last}", rule)
    widths = (18, 30, 6, 40, 14, 10, 10, 10, 40)
    for col, width in zip("ABCDEFGHI", widths, strict=True):
        ws.column_dimensions[col].width = width
    for k, ident in enumerate(ids, start=2):  # the texts wrap, with heights that fit them
        texts = (ws.cell(row=k, column=2).value, ident.row or "", ident.column or "", ws.cell(row=k, column=9).value)
        lines = max(_lines(str(t), w) for t, w in zip(texts, (widths[1], widths[3], widths[4], widths[8]), strict=True))
        for c in range(1, len(CHECK_COLUMNS) + 1):
            ws.cell(row=k, column=c).alignment = _LEFT
        ws.row_dimensions[k].height = lines * _SIZE * _LINE + 4
    _print_setup(ws, True, (1, 1))
    ws.protection.sheet = True


#: Where the 校验 sheet's summary is: the labels in column J, the figures in K, from row 1 (right of the checks).
_SUMMARY_COLUMN = 10
#: The column of each check's status as ``gk.check`` sees it (成立, 不成立, 无法核对): hidden, the summary counts it.
_STATUS_COLUMN = 26
#: ``COUNT`` takes at most 255 arguments: longer lists are counted in pieces.
_COUNT_ARGS = 200


def _count(refs: list[str]) -> str:
    """``COUNT`` of the cells ``refs`` (pieces added up when there are many)."""
    pieces = [refs[i : i + _COUNT_ARGS] for i in range(0, len(refs), _COUNT_ARGS)]
    return "+".join(f"COUNT({','.join(piece)})" for piece in pieces) or "0"


def _check_summary(ws: Any, ids: Any, ref: Any, formula_of: dict[int, Any], input_idx: list[int]) -> None:
    """The 校验 sheet's summary, beside its checks: the identities held, broken and not assessable, the
    figures filled in, and a conclusion that is never 平衡 for an unfilled or mostly blank report.

    Each check's status is computed as ``gk.check`` sees it, in a hidden column: not assessable while a
    cell it adds is blank (an input cell left blank, or a formula total all of whose inputs are blank),
    else 成立 or 不成立. No figure at all, or more than half of the identities not assessable
    (``errors.UNASSESSED_SHARE``), and the conclusion says so, as the verdicts ``empty`` and
    ``unassessed`` do.
    """
    inputs_below: dict[int, list[int]] = {}

    def below(m: int) -> list[int]:
        """The input cells a formula total adds up, through other totals (the cell itself for an input)."""
        if m not in formula_of:
            return [m]
        if m not in inputs_below:
            inputs_below[m] = sorted({x for part in formula_of[m].rhs for x in below(part)})
        return inputs_below[m]

    status = get_column_letter(_STATUS_COLUMN)
    _put(ws, 1, _STATUS_COLUMN, "状态")
    for k, ident in enumerate(ids, start=2):
        own = [ref(m) for m in ident.members if m not in formula_of]
        blank = [f"{_count(own)}<{len(own)}"] if own else []
        blank += [f"({_count([ref(x) for x in below(m)])})=0" for m in ident.members if m in formula_of]
        lhs, rhs = "+".join(ref(m) for m in ident.lhs), "+".join(ref(m) for m in ident.rhs)
        ws.cell(
            row=k, column=_STATUS_COLUMN
        ).value = f'=IF(OR({",".join(blank) or "FALSE"}),"无法核对",IF({lhs}={rhs},"成立","不成立"))'
    ws.column_dimensions[status].hidden = True
    last = len(ids) + 1
    statuses = f"{status}2:{status}{last}"
    col, val = _SUMMARY_COLUMN, _SUMMARY_COLUMN + 1
    v = get_column_letter(val)
    rows = [
        ("汇总", None),
        ("勾稽关系（项）", len(ids)),
        ("已核对", f"={v}4+{v}5"),
        ("其中成立", f'=COUNTIF({statuses},"成立")'),
        ("其中不成立", f'=COUNTIF({statuses},"不成立")'),
        ("无法核对（有空白单元格）", f'=COUNTIF({statuses},"无法核对")'),
        ("已填报数字的单元格", "=" + _count([ref(i) for i in input_idx])),
        ("应填报的单元格", len(input_idx)),
        (
            "结论",
            f'=IF({v}7=0,"未填报：没有填报任何数字",IF({v}5>0,"不平衡：有勾稽关系不成立",'
            f'IF({v}6*2>{v}2,"多数无法核对：过半勾稽关系有空白单元格","平衡")))',
        ),
    ]
    for r, (label, value) in enumerate(rows, start=1):
        cell = _put(ws, r, col, label)
        if r in (1, len(rows)):
            cell.font = _BOLD
        if value is not None:
            ws.cell(row=r, column=val).value = value
        ws.cell(row=r, column=val).alignment = _LEFT
    ws.conditional_formatting.add(
        f"{v}{len(rows)}",
        FormulaRule(formula=[f'${v}${len(rows)}<>"平衡"'], fill=_RED),  # type: ignore[no-untyped-call]
    )
    ws.column_dimensions[get_column_letter(col)].width = 24
    ws.column_dimensions[v].width = 36
