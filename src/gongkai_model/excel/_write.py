"""Writing reports and fillable templates in the official layout."""

from __future__ import annotations

import datetime as dt
import os
import re
from decimal import Decimal
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from ..checks._identities import identities
from ..errors import Problem
from ..formats._layout import SheetPlan, plans
from ..model._spec import Kind, Value, field_specs
from ..model.layout import Shape, layout, shape_of, values
from ..model.report import AnnualReport, OtherMatters, Overview
from ..model.values import Amount, Edition
from ._prefill import check_draft_totals, template_report
from ._safety import MAX_CELL_CHARS, ExcelError, safe_text

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


def _put(ws: Any, row: int, col: int, value: Any, kind: Value | None = None) -> Any:
    cell = ws.cell(row=row, column=col)
    if isinstance(value, str):
        safe_text(cell, value)
    elif isinstance(value, Amount):
        safe_text(cell, str(value))
    elif isinstance(value, Decimal):
        cell.value = value if Decimal(repr(float(value))) == value else None
        if cell.value is None:  # more digits than a spreadsheet number keeps: exact text instead
            safe_text(cell, str(value))
    elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_EXACT_INTEGER:
        safe_text(cell, str(value))  # a spreadsheet number would round it: exact text instead
    elif isinstance(value, dt.date):
        cell.value = value
        cell.number_format = "yyyy-mm-dd"
    else:
        cell.value = value
    if kind is not None:
        cell.number_format = _FORMATS.get(kind, "General")
    return cell


def _render_plan(ws: Any, plan: SheetPlan, cell_values: dict[str, Any] | None) -> dict[str, str]:
    """Write one table; returns {model path: cell reference}."""
    refs: dict[str, str] = {}
    for label in plan.labels:
        cell = _put(ws, label.row, label.col, label.text)
        cell.alignment = _CENTER if label.kind != "row" else _LEFT
        cell.font = _TITLE if label.kind == "title" else _BOLD if label.kind in ("header", "group", "note") else Font()
        if label.merged:
            ws.merge_cells(label.merged)
        if label.kind != "title":
            for r in range(label.row, label.last_row + 1):
                for c in range(label.col, label.last_col + 1):
                    ws.cell(row=r, column=c).border = _BORDER
    for v in plan.values:
        value = None if cell_values is None else cell_values[v.cell.path]
        cell = _put(ws, v.row, v.col, value, v.cell.kind)
        cell.alignment = _CENTER
        for c in range(v.col, v.last_col + 1):
            ws.cell(row=v.row, column=c).border = _BORDER
        if v.last_col > v.col:
            ws.merge_cells(start_row=v.row, start_column=v.col, end_row=v.row, end_column=v.last_col)
        refs[v.cell.path] = v.ref
    first_value_col = min(v.col for v in plan.values)
    for c in range(1, plan.width + 1):
        width = 12 if c >= first_value_col else 16 if c == 1 else 22
        if plan.table == "三" and c == first_value_col - 1:
            width = 40
        ws.column_dimensions[get_column_letter(c)].width = width
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if plan.table != "二" else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    return refs


def _cover(ws: Any, report: AnnualReport, shape: Shape) -> None:
    ws.column_dimensions["A"].width = 16
    ws.column_dimensions["B"].width = 60
    _put(ws, 1, 1, AnnualReport.TITLE).font = _TITLE
    row = 2
    for path, label, value in _text_fields(report):
        if "." in path or path == "problems":
            continue
        _put(ws, row, 1, label).font = _BOLD
        _put(ws, row, 2, value)
        row += 1
    _put(ws, row, 1, EDITION_LABEL).font = _BOLD
    _put(ws, row, 2, shape.edition.value)


def _texts(ws: Any, report: AnnualReport) -> None:
    ws.column_dimensions["A"].width = 30
    ws.column_dimensions["B"].width = 24
    ws.column_dimensions["C"].width = 100
    row = 1
    for path, label, value in _text_fields(report):
        if "." not in path and path != "problems":
            continue
        section = path.split(".")[0]
        heading = next(i.spec.label for i in field_specs(AnnualReport) if i.name == section)
        _put(ws, row, 1, heading).font = _BOLD
        _put(ws, row, 2, label).font = _BOLD
        cell = _put(ws, row, 3, value)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        row += 1


def _save(wb: Workbook, target: str | os.PathLike[str] | IO[bytes]) -> None:
    try:
        wb.save(target)
    except OSError as exc:
        raise ExcelError(
            "cannot write the workbook",
            [Problem(os.fspath(target) if isinstance(target, str | os.PathLike) else "<stream>", str(exc))],
        ) from None


def _workbook(report: AnnualReport) -> tuple[Workbook, dict[str, tuple[str, str]], Shape]:
    _check_texts(report)
    shape = shape_of(report)
    cell_values = dict(zip((c.path for c in layout(shape)), values(report), strict=True))
    wb = Workbook()
    cover = wb.active
    assert cover is not None  # a new workbook has one sheet
    _cover(cover, report, shape)
    cover.title = COVER
    refs: dict[str, tuple[str, str]] = {}
    for plan in plans(shape):
        ws = wb.create_sheet(plan.name)
        for path, ref in _render_plan(ws, plan, cell_values).items():
            refs[path] = (plan.name, ref)
    _texts(wb.create_sheet(TEXTS), report)
    return wb, refs, shape


def write_report(report: AnnualReport, target: str | os.PathLike[str] | IO[bytes]) -> None:
    """Write ``report`` as a workbook in the official layout.

    Sheets: 封面 (metadata), 表二, 表三, 表四 (merged headers, the exact labels,
    the 勾稽关系 note in 表三's corner, number formats, widths, A4 print setup)
    and 正文 (the text sections).  Blank cells stay blank and zeros stay 0;
    texts are written as plain text (never as formulas).
    """
    wb, _, _ = _workbook(report)
    _save(wb, target)


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
                    error="请填写不小于 0 的整数（本年增/减可为负数；金额可有小数）。",
                )
                ws.add_data_validation(dv)
                per_sheet[key] = dv
            per_sheet[key].add(r)
        name = f"gk.{cells[i].path}"
        wb.defined_names[name] = DefinedName(name, attr_text=f"'{sheet}'!${r[0 : _split(r)]}${r[_split(r) :]}")
    _check_sheet(wb, ids, cells, ref)
    for sheet in (p.name for p in plans(shape)):
        wb[sheet].protection.sheet = True
        wb[sheet].protection.formatCells = False
        wb[sheet].protection.formatColumns = False
    _save(wb, target)


def _split(ref: str) -> int:
    return next(i for i, ch in enumerate(ref) if ch.isdigit())


def _check_sheet(wb: Workbook, ids: Any, cells: Any, ref: Any) -> None:
    ws = wb.create_sheet(CHECKS)
    headers = ("检查", "表", "行", "列", "左边", "右边", "结果")
    for j, h in enumerate(headers, start=1):
        _put(ws, 1, j, h).font = _BOLD
    for k, ident in enumerate(ids, start=2):
        _put(ws, k, 1, ident.code)
        _put(ws, k, 2, ident.table)
        _put(ws, k, 3, ident.row or "")
        _put(ws, k, 4, ident.column or "")
        ws.cell(row=k, column=5).value = "=" + "+".join(ref(m) for m in ident.lhs)
        ws.cell(row=k, column=6).value = "=" + "+".join(ref(m) for m in ident.rhs)
        ws.cell(row=k, column=7).value = f'=IF(E{k}=F{k},"平衡","不平衡")'
    last = len(ids) + 1
    rule = FormulaRule(formula=['$G2="不平衡"'], fill=_RED)  # type: ignore[no-untyped-call]
    ws.conditional_formatting.add(f"A2:G{last}", rule)
    for col, width in zip("ABCDEFG", (18, 6, 40, 14, 10, 10, 10), strict=True):
        ws.column_dimensions[col].width = width
    ws.protection.sheet = True
