"""Reading workbooks back: ours, filled-in templates, and official-layout tables made by other tools.

Tables are found by their labels, not by coordinates: a row's label cell and a
column's header cell (the nearest one above the row, within the table) fix a
value cell.  Labels are compared with :func:`~gongkai_model.normalize_label`,
so extra spaces, full-width forms and line breaks inside labels do not matter.
The cells found become records, and :func:`~gongkai_model.from_records` builds
the report: its shape follows from the labels present.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
from decimal import Decimal
from typing import IO, Any

import attrs
from openpyxl.utils import get_column_letter, range_boundaries

from ..errors import ModelError, Problem, RecordsError
from ..labels import normalize_label
from ..model._spec import Kind, Value, field_specs
from ..model.layout import Shape, layout, rows
from ..model.report import AnnualReport, OtherMatters, Overview
from ..model.tables import OTHER_HANDLING
from ..model.values import Amount, Edition
from ..records import from_records
from ._safety import ExcelError, Limits, open_workbook, read_bytes, unescape_text
from ._write import COVER, EDITION_LABEL, TEXTS

__all__ = ["read_report"]

_ALL_SHAPES = (
    Shape(Edition.FORMAT_2021, False, True),
    Shape(Edition.FORMAT_2021, True, True),
    Shape(Edition.FORMAT_2019, True, True),
)
_NUMBER = re.compile(r"^[+-]?[0-9]+(\.[0-9]+)?$")


@attrs.define
class _Sheet:
    """A sheet's text cells by normalised text, and its merged ranges."""

    ws: Any
    texts: dict[str, list[tuple[int, int]]]
    merged: dict[tuple[int, int], tuple[int, int, int, int]]
    rows_of: dict[str, list[int]] | None = None

    @classmethod
    def of(cls, ws: Any) -> _Sheet:
        texts: dict[str, list[tuple[int, int]]] = {}
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str) and c.value.strip() and c.data_type != "f":
                    texts.setdefault(normalize_label(c.value), []).append((c.row, c.column))
        merged = {}
        for rng in ws.merged_cells.ranges:
            min_col, min_row, max_col, max_row = rng.bounds
            for r in range(min_row, max_row + 1):
                for c in range(min_col, max_col + 1):
                    merged[(r, c)] = (min_row, min_col, max_row, max_col)
        return cls(ws, texts, merged)

    def box(self, r: int, c: int) -> tuple[int, int, int, int]:
        return self.merged.get((r, c), (r, c, r, c))

    def find(self, label: str) -> list[tuple[int, int]]:
        return self.texts.get(normalize_label(label), [])


@functools.cache
def _known(table: str) -> frozenset[str]:
    """Normalised row labels (and aliases) of ``table`` in every shape."""
    return frozenset(
        normalize_label(x)
        for shape in _ALL_SHAPES
        for r in rows(shape)
        if r.table == table
        for x in (r.label, *r.spec.aliases)
    )


def _locate_rows(sheets: list[_Sheet], table: str) -> list[tuple[_Sheet, str, tuple[int, int]]]:
    row_labels = _known(table)
    out: list[tuple[_Sheet, str, tuple[int, int]]] = []
    for sheet in sheets:
        for key, places in sheet.texts.items():
            if key in row_labels:
                out.extend((sheet, key, p) for p in places)
    return out


def _header_above(sheet: _Sheet, label: str, r: int, lo_col: int, hi_col: int, stop: int) -> int | None:
    """The column of the nearest header cell ``label`` above row ``r`` (not above ``stop``)."""
    best = None
    for hr, hc in sheet.find(label):
        if stop <= hr < r and lo_col <= hc <= hi_col and (best is None or hr > best[0]):
            best = (hr, hc)
    return None if best is None else best[1]


def _shape(sheets: list[_Sheet], edition: Edition) -> Shape:
    def present(label: str) -> bool:
        return any(s.find(label) for s in sheets)

    detailed = [r.label for r in rows(Shape(Edition.FORMAT_2021, False)) if r.path.startswith("table3.results.other.")]
    single = edition is Edition.FORMAT_2019 or (present(OTHER_HANDLING) and not any(present(x) for x in detailed))
    subtotal_labels = [c.column for c in layout(Shape(edition, single, True)) if c.spec.total == "header"]
    return Shape(edition, single, any(present(x) for x in subtotal_labels))


def _edition(sheets: list[_Sheet], given: Edition | None, year: int | None) -> Edition:
    if given is not None:
        return given
    only_2019 = {normalize_label(c.column) for c in layout(_ALL_SHAPES[2])} | {
        normalize_label(r.label) for r in rows(_ALL_SHAPES[2])
    }
    only_2019 -= {normalize_label(c.column) for c in layout(_ALL_SHAPES[0])} | {
        normalize_label(x) for r in rows(_ALL_SHAPES[0]) for x in (r.label, *r.spec.aliases)
    }
    if any(key in only_2019 for s in sheets for key in s.texts):
        return Edition.FORMAT_2019
    if year is not None:
        return Edition.for_year(year) if year >= 2019 else Edition.FORMAT_2021
    return Edition.FORMAT_2021


def _place_cells(sheets: list[_Sheet], shape: Shape, issues: list[Problem]) -> dict[str, tuple[_Sheet, int, int]]:
    """Where each cell of ``shape`` is: {model path: (sheet, row, column)}."""
    found: dict[str, tuple[_Sheet, int, int]] = {}
    by_label: dict[tuple[str, str], list[tuple[_Sheet, tuple[int, int]]]] = {}
    for table in ("二", "三", "四"):
        for sheet, key, at in _locate_rows(sheets, table):
            by_label.setdefault((table, key), []).append((sheet, at))
    for r in rows(shape):
        keys = [normalize_label(x) for x in (r.label, *r.spec.aliases)]
        places = [p for k in keys for p in by_label.get((r.table, k), [])]
        if not places:
            issues.append(Problem(f"表{r.table}", f"row {r.label!r} not found in the workbook", r.label))
            continue
        best: tuple[list[Problem], dict[str, tuple[_Sheet, int, int]]] | None = None
        for sheet, (lr, lc) in places:  # the occurrence whose headers are found wins
            got_issues: list[Problem] = []
            got = _place_row(sheet, r, lr, lc, shape, got_issues)
            if best is None or len(got_issues) < len(best[0]):
                best = (got_issues, got)
            if not got_issues:
                break
        assert best is not None
        issues.extend(best[0])
        found.update(best[1])
    return found


def _place_row(
    sheet: _Sheet, r: Any, lr: int, lc: int, shape: Shape, issues: list[Problem]
) -> dict[str, tuple[_Sheet, int, int]]:
    found: dict[str, tuple[_Sheet, int, int]] = {}
    _, left, bottom, right = sheet.box(lr, lc)
    mine = [c for c in layout(shape) if c.row_info == r]
    where = f"{sheet.ws.title}!{_ref(lr, lc)}"
    if r.table == "四":  # a block: its outcomes under it, its data row below them
        for c in mine:
            col = _header_below(sheet, c.column, bottom, left, right)
            if col is None:
                issues.append(
                    Problem(where, f"column {c.column!r} not found under {r.label!r}", f"{r.label} × {c.column}")
                )
                continue
            hr = max(hr for hr, hc in sheet.find(c.column) if hc == col and hr > bottom)
            found[c.path] = (sheet, sheet.box(hr, col)[2] + 1, col)
        return found
    stop = _table_top(sheet, r.table, lr)
    for c in mine:
        col = _header_above(sheet, c.column, lr, right + 1, sheet.ws.max_column, stop)
        if col is None:
            issues.append(
                Problem(where, f"column {c.column!r} not found above row {r.label!r}", f"{r.label} × {c.column}")
            )
            continue
        found[c.path] = (sheet, lr, col)
    return found


def _header_below(sheet: _Sheet, label: str, row: int, lo: int, hi: int) -> int | None:
    cols = [hc for hr, hc in sheet.find(label) if hr > row and lo <= hc <= hi]
    return min(cols) if cols else None


def _table_top(sheet: _Sheet, table: str, r: int) -> int:
    """The first row of the table that row ``r`` is in: below any row of another table above it."""
    if sheet.rows_of is None:
        sheet.rows_of = {t: [at[0] for _, _, at in _locate_rows([sheet], t)] for t in ("二", "三", "四")}
    above = [orow + 1 for other, found in sheet.rows_of.items() if other != table for orow in found if orow < r]
    return max(above, default=1)


def _ref(r: int, c: int) -> str:
    return f"{get_column_letter(c)}{r}"


def _formula_value(formula: str, sheet: Any, wb: Any, depth: int = 0) -> Any:
    """Evaluate the formulas templates use: SUM of cells and ranges, and sums of cells."""
    expr = formula[1:].strip()
    m = re.fullmatch(r"SUM\((.*)\)", expr, re.IGNORECASE)
    terms = [t.strip() for t in (m.group(1).split(",") if m else expr.split("+"))]
    total: Any = None  # a sum of blanks only is blank, not 0
    for term in terms:
        if depth > 20:
            raise _Unsupported(formula)
        target_ws = sheet
        t = term
        if "!" in t:
            name, t = t.rsplit("!", 1)
            name = name.strip("'")
            if name not in wb.sheetnames:
                raise _Unsupported(formula)
            target_ws = wb[name]
        t = t.replace("$", "")
        if not re.fullmatch(r"[A-Z]{1,3}[0-9]+(:[A-Z]{1,3}[0-9]+)?", t):
            raise _Unsupported(formula)
        bounds = range_boundaries(t if ":" in t else f"{t}:{t}")
        if None in bounds:
            raise _Unsupported(formula)
        min_col, min_row, max_col, max_row = (int(b) for b in bounds)  # type: ignore[arg-type]
        for r in range(min_row, max_row + 1):
            for c in range(min_col, max_col + 1):
                v = target_ws.cell(row=r, column=c).value
                if isinstance(v, str) and v.startswith("="):
                    v = _formula_value(v, target_ws, wb, depth + 1)
                if v is None:
                    continue
                if isinstance(v, bool) or not isinstance(v, int | float | Decimal):
                    raise _Unsupported(formula)
                total = v if total is None else total + v
    return total


class _Unsupported(Exception):
    pass


def _number(raw: Any, kind: Value, where: str, label: str, issues: list[Problem]) -> Any:
    """A cell's value as the model's type, or None with an issue saying why."""
    if raw is None:
        return None
    if isinstance(raw, str):
        text = normalize_label(raw)
        if text == "":
            return None
        if kind is Value.AMOUNT:
            try:
                return Amount.parse(text)
            except ModelError:
                issues.append(Problem(where, f"cannot read {raw!r} as an amount (left blank)", label))
                return None
        if _NUMBER.match(text):
            issues.append(Problem(where, f"number stored as text: {raw!r}, read as {text}", label))
            raw = Decimal(text)
        else:
            issues.append(Problem(where, f"text where a number belongs: {raw!r} (left blank)", label))
            return None
    if isinstance(raw, bool | dt.datetime | dt.date):
        issues.append(Problem(where, f"not a number: {raw!r} (left blank)", label))
        return None
    if isinstance(raw, float):
        raw = Decimal(repr(raw))
    if isinstance(raw, Decimal) and kind in (Value.COUNT, Value.SIGNED):
        if raw != raw.to_integral_value():
            issues.append(Problem(where, f"a count must be whole, got {raw} (left blank)", label))
            return None
        raw = int(raw)
    if kind is Value.COUNT and isinstance(raw, int) and raw < 0:
        issues.append(Problem(where, f"a count cannot be negative, got {raw} (left blank)", label))
        return None
    if kind is Value.MONEY and isinstance(raw, int):
        raw = Decimal(raw)
    if kind is Value.MONEY and isinstance(raw, Decimal) and raw < 0:
        issues.append(Problem(where, f"an amount cannot be negative, got {raw} (left blank)", label))
        return None
    if kind is Value.AMOUNT and isinstance(raw, int | Decimal):
        return Amount(Decimal(raw))
    return raw


def _cell_value(sheet: _Sheet, r: int, c: int, values_wb: Any, wb: Any, issues: list[Problem], label: str) -> Any:
    cell = sheet.ws.cell(row=r, column=c)
    where = f"{sheet.ws.title}!{_ref(r, c)}"
    if cell.data_type != "f" and not (isinstance(cell.value, str) and cell.value.startswith("=")):
        return cell.value
    formula = str(cell.value)
    cached = values_wb[sheet.ws.title].cell(row=r, column=c).value if values_wb is not None else None
    try:
        computed = _formula_value(formula, sheet.ws, wb)
    except _Unsupported:
        if cached is None:
            issues.append(
                Problem(where, f"formula {formula} has no saved value and cannot be evaluated (left blank)", label)
            )
        return cached
    if cached is not None and not isinstance(cached, str) and Decimal(repr(cached)) != Decimal(repr(computed or 0)):
        issues.append(
            Problem(where, f"saved value {cached} disagrees with its formula {formula}, which gives {computed}", label)
        )
    return computed


def _meta(sheets: dict[str, _Sheet], issues: list[Problem]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    cover = sheets.get(COVER)
    if cover is not None:
        for info in field_specs(AnnualReport):
            if info.spec.kind is not Kind.META:
                continue
            for r, c in cover.find(info.spec.label):
                value = cover.ws.cell(row=r, column=c + 1).value
                out[info.name] = _meta_value(
                    info.spec.value, value, f"{COVER}!{_ref(r, c + 1)}", info.spec.label, issues
                )
                break
        for r, c in cover.find(EDITION_LABEL):
            out["edition"] = cover.ws.cell(row=r, column=c + 1).value
    texts = sheets.get(TEXTS)
    if texts is not None:
        for info in field_specs(AnnualReport):
            if info.spec.kind is Kind.SECTION and info.spec.value is Value.TEXT:
                raw, where = _text_cell(texts, info.spec.label, info.spec.label)
                out[info.name] = _meta_value(Value.TEXT, raw, where, info.spec.label, issues)
            elif info.types in ((Overview,), (OtherMatters,)):
                sub: dict[str, Any] = {}
                for s in field_specs(info.types[0]):
                    raw, where = _text_cell(texts, info.spec.label, s.spec.label)
                    sub[s.name] = _meta_value(s.spec.value, raw, where, s.spec.label, issues)
                out[info.name] = info.types[0](**sub)
    return out


def _text_cell(sheet: _Sheet, section: str, label: str) -> tuple[Any, str]:
    """The value of the 正文 row (section, part), and its ``sheet!cell``."""
    for r, c in sheet.find(label):
        if c == 2 and normalize_label(str(sheet.ws.cell(row=r, column=1).value or "")) == normalize_label(section):
            return sheet.ws.cell(row=r, column=3).value, f"{sheet.ws.title}!{_ref(r, 3)}"
    return None, sheet.ws.title


def _meta_value(kind: Value, value: Any, where: str, label: str, issues: list[Problem]) -> Any:
    if value is None:
        return None
    if kind is Value.DATE:
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value).strip())
        except ValueError:
            issues.append(Problem(where, f"not a date: {value!r} (left blank)", label))
            return None
    if kind in (Value.YEAR, Value.COUNT, Value.MONEY):
        return _number(value, Value.COUNT if kind is Value.YEAR else kind, where, label, issues)
    if isinstance(value, str):
        return unescape_text(value)
    shown = value.isoformat() if isinstance(value, dt.date) else str(value)
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        shown = value.date().isoformat()
    issues.append(Problem(where, f"a {type(value).__name__} where text belongs, read as the text {shown!r}", label))
    return shown


def read_report(
    source: str | os.PathLike[str] | IO[bytes] | bytes,
    *,
    agency: str | None = None,
    year: int | None = None,
    edition: Edition | str | None = None,
    limits: Limits | None = None,
) -> tuple[AnnualReport, list[Problem]]:
    """Read a report from a workbook; returns the report and the issues found, each at its ``sheet!cell``.

    Reads this library's workbooks and templates (formulas without saved values
    are recomputed; a saved value that disagrees with its inputs is an issue)
    and official-layout tables made by other tools, found by their labels.
    Text where a number belongs, negative counts and merged cells over two
    figures give issues, and the cell is read as blank; nothing else is
    guessed.  ``agency``, ``year`` and ``edition`` override (or supply, for
    workbooks without a 封面 sheet) the metadata.  A file that is not a safe
    workbook (too large, a zip bomb, damaged, not a zip) raises
    :class:`ExcelError` before it is parsed.
    """
    name = os.fspath(source) if isinstance(source, str | os.PathLike) else "<workbook>"
    data = read_bytes(source, limits or Limits(), name)
    wb = open_workbook(data, limits=limits, data_only=False, name=name)
    has_formulas = any(c.data_type == "f" for ws in wb.worksheets for row in ws.iter_rows() for c in row)
    values_wb = open_workbook(data, limits=limits, data_only=True, name=name) if has_formulas else None
    issues: list[Problem] = []
    sheets = {ws.title: _Sheet.of(ws) for ws in wb.worksheets}
    try:
        meta = _meta(sheets, issues)
    except ModelError as exc:  # pragma: no cover - every value is converted or refused above
        raise ExcelError("the workbook does not hold a valid report", exc.problems) from None
    agency = agency if agency is not None else meta.pop("agency", None)
    meta.pop("agency", None)
    year = year if year is not None else meta.pop("year", None)
    meta.pop("year", None)
    ed_text = meta.pop("edition", None)
    if agency is None or year is None:
        raise ExcelError(
            "cannot read the report",
            [Problem("封面", "the agency (机关名称) and year (报告年度) were not found; pass agency= and year=")],
        )
    given = (
        Edition.resolve(edition, year)
        if edition is not None
        else (Edition(ed_text) if ed_text in ("2019", "2021") else None)
    )
    table_sheets = [s for name, s in sheets.items() if name not in (COVER, TEXTS)]
    ed = _edition(table_sheets, given, year)
    shape = _shape(table_sheets, ed)
    places = _place_cells(table_sheets, shape, issues)
    records = []
    seen: dict[tuple[str, int, int], str] = {}
    for cell in layout(shape):
        if cell.path not in places:
            continue
        sheet, r, c = places[cell.path]
        top, left, _, _ = sheet.box(r, c)
        where = f"{sheet.ws.title}!{_ref(top, left)}"
        label = f"{cell.row} × {cell.column}"
        key = (sheet.ws.title, top, left)
        if key in seen:
            issues.append(
                Problem(where, f"one merged cell covers the figures of {seen[key]} and {label} (read once)", label)
            )
            continue
        seen[key] = label
        raw = _cell_value(sheet, top, left, values_wb, wb, issues, label)
        value = _number(raw, cell.kind, where, label, issues)
        records.append({"table": cell.table, "row": cell.row, "column": cell.column, "value": value, "where": where})
    try:
        report = from_records(records, agency=str(agency), year=year, edition=shape.edition)
        if shape.subtotal_column and not report.table3.subtotal_column:
            report = attrs.evolve(report, table3=attrs.evolve(report.table3, subtotal_column=True))
        report = attrs.evolve(report, **meta)
    except (RecordsError, ModelError) as exc:
        located = []
        for p in exc.problems:
            m = re.match(r"record (\d+)", p.location)
            located.append(Problem(records[int(m.group(1))]["where"], p.message, p.label) if m else p)
        raise ExcelError("the workbook does not hold a valid report", located) from None
    return report, issues
