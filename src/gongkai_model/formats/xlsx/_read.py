"""Workbooks (``.xlsx``) on the shared reading core.

Each worksheet becomes a :class:`~._document.Grid`: one :class:`~._document.Span` per cell, merged
ranges as ``rowspan``/``colspan``, every cell placed as ``sheet!ref`` (``表三!C7``). A formula
cell (``formula=True``) holds its value: the templates' sums (``=SUM(D7:J7)``, ``=D7+E7``, across
sheets) are computed from the cells they name, within ``Limits.max_formula_cells``; any other
formula gives the value saved with it. Numbers are handed to the one value parser
(:func:`~._values.parse_value`) as the exact decimal text the file holds. The core then finds the
tables by their labels and parses every figure, as for every other format. The 封面 sheet (metadata
and 格式) and the 正文 sheet (the sections' texts) are read by their labels too.

>>> import io
>>> import gongkai_model as gk
>>> from gongkai_model import excel
>>> buffer = io.BytesIO()
>>> excel.write_report(gk.examples.seed_report(), buffer)
>>> got = read_xlsx(buffer.getvalue())
>>> got.ok, got.report == gk.examples.seed_report()
(True, True)
>>> str(got.provenance["table3.new_received.total"].place)
'<workbook>, 表三!J5'
"""

from __future__ import annotations

import datetime as dt
import decimal
import functools
import re
from decimal import Decimal
from typing import Any

import attrs

from ...errors import ExcelError, ModelError, Place, Problem
from ...labels import normalize_label
from ...limits import DEFAULT_LIMITS, Limits
from ...model.layout import Cell, Shape, layout
from ...model.report import AnnualReport, OtherMatters, Overview
from ...model.spec import Kind, Value, field_specs
from ...model.values import Edition
from .._assemble import assemble
from .._document import Block, Document, Grid, Span
from .._reader import Reader, ReadOptions, make_reader
from .._result import Imported
from .._values import parse_value
from ._safety import check_zip
from ._sheetxml import Book, RawSheet, cell_ref, parse_ref, read_book
from ._write import CHECKS, COVER, EDITION_LABEL, TEXTS

__all__ = ["parse_xlsx", "read_xlsx"]

_TERM = re.compile(
    r"^(?:(?P<sheet>'(?:[^']|'')+'|[^'!:(),+]+)!)?(?P<a>\$?[A-Za-z]{1,3}\$?[0-9]+)(?::(?P<b>\$?[A-Za-z]{1,3}\$?[0-9]+))?$"
)
_SUM = re.compile(r"^SUM\((.*)\)$", re.IGNORECASE)
_INT = re.compile(r"^[+-]?[0-9]+$")
_MAX_DEPTH = 50
#: Exact sums: enough digits for any figure the value parser accepts, and an error instead of rounding.
_EXACT = decimal.Context(prec=400, traps=[decimal.Inexact, decimal.Overflow, decimal.InvalidOperation])


class _Unsupported(Exception):
    """A formula this reader does not compute (its saved value is read instead).

    ``cause`` is the ``sheet!cell`` of the input that is no number (a text typed into a figure's cell)
    when that is why, and ``text`` what it holds; ``None`` when the formula itself is not one of ours.
    """

    def __init__(self, what: str, cause: str | None = None, text: str | None = None) -> None:
        super().__init__(what)
        self.cause = cause
        self.text = text


class _OverLimit(Exception):
    def __init__(self, cells: int) -> None:
        super().__init__(cells)
        self.cells = cells


def _plain(d: Decimal) -> str:
    return str(int(d)) if d == d.to_integral_value() else format(d, "f")


class _Formulas:
    """Computes the sums templates use, within a budget of cells read (``Limits.max_formula_cells``)."""

    def __init__(self, sheets: dict[str, Any], limits: Limits) -> None:
        self.sheets = sheets
        self.limit = limits.max_formula_cells  #: cells one range may cover
        self.budget = limits.max_formula_cells  #: cells all formulas together may read
        self.memo: dict[tuple[str, int, int], Decimal | Exception | None] = {}
        self.depth = 0

    def evaluate(self, sheet: Any, formula: str) -> Decimal | None:
        expr = formula[1:].strip()
        m = _SUM.match(expr)
        terms = [t.strip() for t in (m.group(1).split(",") if m else expr.split("+"))]
        total: Decimal | None = None
        for term in terms:
            tm = _TERM.match(term)
            if tm is None:
                raise _Unsupported(formula)
            target = sheet
            if tm.group("sheet"):
                name = tm.group("sheet")
                name = name[1:-1].replace("''", "'") if name.startswith("'") else name
                if name not in self.sheets:
                    raise _Unsupported(formula)
                target = self.sheets[name]
            a = parse_ref(tm.group("a"))
            b = parse_ref(tm.group("b")) if tm.group("b") else a
            if a is None or b is None:
                raise _Unsupported(formula)  # =A0: no such cell
            top, bottom = min(a[0], b[0]), max(a[0], b[0])
            left, right = min(a[1], b[1]), max(a[1], b[1])
            area = (bottom - top + 1) * (right - left + 1)
            cost = min(area, len(target.cells))
            if area > self.limit or cost > self.budget:
                raise _OverLimit(area)
            self.budget -= cost
            if area <= len(target.cells):
                positions: Any = ((r, c) for r in range(top, bottom + 1) for c in range(left, right + 1))
            else:
                positions = sorted(p for p in target.cells if top <= p[0] <= bottom and left <= p[1] <= right)
            for at in positions:
                v = self.value(target, at)
                if v is not None:
                    try:
                        total = v if total is None else _EXACT.add(total, v)
                    except decimal.DecimalException:
                        raise _Unsupported(formula) from None
        return total

    def value(self, sheet: Any, at: tuple[int, int]) -> Decimal | None:
        cell = sheet.cells.get(at)
        if cell is None:
            return None
        if cell.formula is None:
            if cell.kind == "":
                return None
            if cell.kind != "n":
                raise _Unsupported(cell.text, f"{sheet.name}!{cell_ref(*at)}", cell.text)
            return Decimal(cell.text)
        key = (sheet.name, *at)
        if key in self.memo:
            got = self.memo[key]
            if isinstance(got, Exception):
                raise got
            return got
        if self.depth > _MAX_DEPTH:
            raise _Unsupported(cell.formula)
        self.memo[key] = _Unsupported(cell.formula)  # a cycle reads as unsupported
        self.depth += 1
        try:
            result = self.evaluate(sheet, cell.formula) if cell.formula != "=" else None
            if cell.formula == "=":
                raise _Unsupported(cell.formula)
        except _Unsupported as exc:
            if cell.kind != "n":
                self.memo[key] = exc
                raise
            result = Decimal(cell.text)
        except _OverLimit as exc:
            self.memo[key] = exc
            raise
        finally:
            self.depth -= 1
        self.memo[key] = result
        return result


@attrs.define
class _Parsed:
    doc: Document
    sheets: dict[str, Any]
    #: Problems of one cell (its formula), reported only if the cell holds a figure of the report.
    deferred: dict[str, list[Problem]]


def _formula_text(
    ev: _Formulas, sheet: Any, at: tuple[int, int], cell: Any, place: Place, limits: Limits
) -> tuple[str, list[Problem]]:
    def problem(message: str, code: str, severity: str = "error") -> Problem:
        return Problem.at(place, message, code=code, severity=severity)

    saved = cell.kind != ""
    try:
        if cell.formula == "=":
            raise _Unsupported(cell.formula)
        computed = ev.evaluate(sheet, cell.formula)
    except _OverLimit as exc:
        message = (
            f"formula {cell.formula} covers {exc.cells} cells, beyond the reading limit "
            f"({limits.max_formula_cells} cells for a range, and for all formulas together)"
        )
        if saved:
            return cell.text, [problem(message + "; its saved value is read", "READ_LIMIT", "warning")]
        return "", [problem(message + " and has no saved value (left blank)", "READ_LIMIT")]
    except _Unsupported as exc:
        if not saved:
            if exc.cause is not None:  # the formula is ours: an input it sums is no number
                held = exc.text if exc.text is None or len(exc.text) <= 40 else exc.text[:40] + "…"
                why = f"the cell {exc.cause} it adds up holds {held!r}, not a number"
                return "", [problem(f"formula {cell.formula} cannot be computed: {why} (left blank)", "READ_FORMULA")]
            return "", [
                problem(
                    f"formula {cell.formula} has no saved value and cannot be evaluated (left blank)", "READ_FORMULA"
                )
            ]
        return cell.text, []
    text = "" if computed is None else _plain(computed)
    if saved and not (cell.kind == "n" and Decimal(cell.text) == (computed or 0)):
        shown = "blank" if computed is None else text
        return text, [
            problem(
                f"saved value {cell.text} disagrees with its formula {cell.formula}, which gives {shown}; "
                "the formula's value is read",
                "READ_FORMULA",
                "warning",
            )
        ]
    return text, []


def _grid(
    sheet: RawSheet, source: str, limits: Limits, ev: _Formulas, parsed: _Parsed, problems: list[Problem]
) -> Grid | None:
    content = [at for at, c in sheet.cells.items() if c.kind or c.formula is not None]
    ends = content + [(b, r) for _, _, b, r in sheet.merges]
    if not ends:
        return None
    # The box read: every cell the file has (blank cells with borders included) and one row under the
    # last, where a table's last row of figures may be all blank and absent from the file; when that
    # is too large, the box of the cells that hold something.
    max_row = max(max(r for r, _ in sheet.cells), max(r for r, _ in ends)) + 1 if sheet.cells else 0
    max_col = max(max(c for _, c in sheet.cells), max(c for _, c in ends)) if sheet.cells else 0
    if max_row * max_col > limits.max_cells or max_row > limits.max_rows:
        max_row = min(max(r for r, _ in ends) + 1, limits.max_rows)
        max_col = max(c for _, c in ends)
    if max_row * max_col > limits.max_cells:
        cut = max(1, limits.max_cells // max_col)
        place = Place(source, cell=f"{sheet.name}!{cell_ref(cut + 1, 1)}")
        problems.append(
            Problem.at(
                place,
                f"the sheet spans {max_row} rows × {max_col} columns, more than the {limits.max_cells} cells "
                f"the reading limits allow; only its first {cut} rows are read",
                code="READ_LIMIT",
            )
        )
        max_row = cut
    spans_at = {(t, lft): (b - t + 1, r - lft + 1) for t, lft, b, r in sheet.merges}
    covered = {
        (r, c) for t, lft, b, rt in sheet.merges for r in range(t, b + 1) for c in range(lft, rt + 1)
    } - spans_at.keys()
    rows: list[list[Span]] = []
    for r in range(1, max_row + 1):
        row: list[Span] = []
        for c in range(1, max_col + 1):
            if (r, c) in covered:
                continue
            ref = f"{sheet.name}!{cell_ref(r, c)}"
            place = Place(source, cell=ref)
            rowspan, colspan = spans_at.get((r, c), (1, 1))
            cell = sheet.cells.get((r, c))
            if cell is None:
                row.append(Span("", rowspan, colspan, place=place))
                continue
            if cell.formula is None:
                row.append(Span(cell.text, rowspan, colspan, place=place))
                continue
            text, found = _formula_text(ev, sheet, (r, c), cell, place, limits)
            if found:
                parsed.deferred[ref] = found
            row.append(Span(text, rowspan, colspan, True, place))
        rows.append(row)
    return Grid.build(rows, Place(source, cell=sheet.name), limits, problems)


def _check_and_read(data: bytes, source: str, limits: Limits) -> Book:
    return read_book(check_zip(data, limits, source), source, limits)


def _parse(data: bytes, source: str, limits: Limits) -> _Parsed:
    book = _check_and_read(data, source, limits)
    problems: list[Problem] = list(book.problems)
    sheets = {s.name: s for s in book.sheets}
    parsed = _Parsed(Document(source, ()), sheets, {})
    ev = _Formulas(sheets, limits)
    blocks: list[Block] = []
    for sheet in book.sheets:
        if sheet.name in (COVER, TEXTS, CHECKS):
            continue  # metadata, texts and the template's own checks are not tables of the report
        grid = _grid(sheet, source, limits, ev, parsed, problems)
        if grid is not None:
            blocks.append(Block("table", sheet.name, Place(source, cell=sheet.name), grid))
    parsed.doc = Document(source, tuple(blocks), tuple(problems))
    return parsed


def parse_xlsx(data: bytes, *, source: str = "<workbook>", limits: Limits = DEFAULT_LIMITS) -> Document:
    """The worksheets of a workbook as a document of grids (see the module's description).

    Raises :class:`~gongkai_model.errors.ExcelError` when the file is not a safe, readable workbook.
    """
    return _parse(data, source, limits).doc


# --- 封面 and 正文: metadata and texts, by their labels ------------------------------------------


def _kind_name(cell: Any) -> str:
    if cell.kind == "n":
        return "int" if _INT.match(cell.text) else "float"
    if cell.kind == "d":
        return "time" if ":" in cell.text and "-" not in cell.text else "date"
    return {"b": "bool", "e": "error value"}.get(cell.kind, "value")


def _meta_value(kind: Value, cell: Any, place: Place, label: str, problems: list[Problem]) -> Any:
    def problem(message: str, severity: str = "error", code: str = "READ_META") -> None:
        problems.append(Problem.at(place, message, label, code=code, severity=severity))

    if cell is None or cell.kind == "" or (cell.kind == "s" and cell.text == ""):
        return None  # an empty text is a blank cell in a workbook
    text: str = cell.text
    if kind is Value.DATE:
        if cell.kind in ("d", "s"):
            try:
                return dt.date.fromisoformat(text.strip()[:10] if cell.kind == "d" else text.strip())
            except ValueError:
                pass
        problem(f"not a date: {text!r} (left blank)")
        return None
    if kind in (Value.YEAR, Value.COUNT, Value.MONEY):
        got = parse_value(text, Value.COUNT if kind is Value.YEAR else kind)
        if got.problem:
            problem(got.problem, code="READ_VALUE_REFUSED")
        elif cell.kind == "s" and got.value is not None:
            problem(f"number stored as text: {text!r}, read as {got.value}", "warning", "READ_NUMBER_AS_TEXT")
        return got.value
    if cell.kind == "s":
        return text
    problem(f"a {_kind_name(cell)} where text belongs, read as the text {text!r}", "warning")
    return text


def _labels_of(sheet: Any) -> dict[str, tuple[int, int]]:
    out: dict[str, tuple[int, int]] = {}
    for at in sorted(sheet.cells):
        cell = sheet.cells[at]
        if cell.kind == "s" and cell.formula is None and cell.text.strip():
            out.setdefault(normalize_label(cell.text), at)
    return out


def _meta(sheets: dict[str, Any], source: str, problems: list[Problem]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    cover = sheets.get(COVER)
    if cover is not None:
        index = _labels_of(cover)
        for info in field_specs(AnnualReport):
            at = index.get(normalize_label(info.spec.label)) if info.spec.kind is Kind.META else None
            if at is not None:
                place = Place(source, cell=f"{COVER}!{cell_ref(at[0], at[1] + 1)}")
                value_cell = cover.cells.get((at[0], at[1] + 1))
                out[info.name] = _meta_value(info.spec.value, value_cell, place, info.spec.label, problems)
        at = index.get(normalize_label(EDITION_LABEL))
        if at is not None:
            edition = cover.cells.get((at[0], at[1] + 1))
            out["edition"] = edition.text.strip() if edition is not None else None
    texts = sheets.get(TEXTS)
    if texts is not None:
        rows: dict[tuple[str, str], int] = {}
        for (r, c), cell in sorted(texts.cells.items()):
            if c == 2 and cell.kind == "s":
                head = texts.cells.get((r, 1))
                key = (normalize_label(head.text) if head is not None else "", normalize_label(cell.text))
                rows.setdefault(key, r)

        def text_of(section: str, part: str, kind: Value) -> Any:
            r = rows.get((normalize_label(section), normalize_label(part)))
            if r is None:
                return None
            place = Place(source, cell=f"{TEXTS}!{cell_ref(r, 3)}")
            return _meta_value(kind, texts.cells.get((r, 3)), place, part, problems)

        for info in field_specs(AnnualReport):
            if info.spec.kind is Kind.SECTION and info.spec.value is Value.TEXT:
                out[info.name] = text_of(info.spec.label, info.spec.label, Value.TEXT)
            elif info.types in ((Overview,), (OtherMatters,)):
                sub = {s.name: text_of(info.spec.label, s.spec.label, s.spec.value) for s in field_specs(info.types[0])}
                out[info.name] = info.types[0](**sub)
    return out


# --- the reader -----------------------------------------------------------------------------------


@functools.cache
def _cells_by_path() -> dict[str, Cell]:
    return {c.path: c for shape in Shape.all(subtotal=True) for c in layout(shape)}


def _figure_problems(imported: Imported, parsed: _Parsed) -> list[Problem]:
    """Problems of the cells that hold figures: their formulas, and numbers stored as text."""
    out: list[Problem] = []
    cells = _cells_by_path()
    for path, prov in imported.provenance.items():
        ref = prov.place.cell or ""
        cell = cells.get(path)
        label = cell.label if cell is not None else None
        out.extend(attrs.evolve(p, label=label) for p in parsed.deferred.get(ref, ()))
        sheet_name, _, at = ref.rpartition("!")
        sheet = parsed.sheets.get(sheet_name)
        pos = parse_ref(at) if sheet is not None else None
        raw = sheet.cells.get(pos) if sheet is not None and pos is not None else None
        if raw is None or raw.kind != "s" or raw.formula is not None or cell is None:
            continue
        if cell.kind in (Value.COUNT, Value.SIGNED, Value.MONEY):
            got = parse_value(prov.text, cell.kind, unit=cell.spec.unit)
            if got.value is not None:
                out.append(
                    Problem.at(
                        prov.place,
                        f"number stored as text: {prov.text!r}, read as {got.value}",
                        label,
                        code="READ_NUMBER_AS_TEXT",
                        severity="warning",
                    )
                )
    return out


def _bounded(problems: list[Problem], limits: Limits, source: str) -> tuple[Problem, ...]:
    if len(problems) <= limits.max_problems:
        return tuple(problems)
    kept = problems[: limits.max_problems - 1]
    dropped = problems[limits.max_problems - 1 :]
    severity = "error" if any(p.severity == "error" for p in dropped) else dropped[0].severity
    kept.append(
        Problem(
            source,
            f"{len(dropped)} more problem(s) not kept (the limit is {limits.max_problems})",
            code="READ_LIMIT",
            severity=severity,
        )
    )
    return tuple(kept)


def read_workbook(
    data: bytes,
    *,
    name: str,
    agency: str | None,
    year: int | None,
    edition: Edition | str | None,
    strict: bool,
    limits: Limits,
) -> Imported:
    """Read ``data``; raises :class:`ExcelError` only when it is not a safe, readable workbook."""
    parsed = _parse(data, name, limits)
    meta_problems: list[Problem] = []
    meta = _meta(parsed.sheets, name, meta_problems)
    cover_agency = meta.pop("agency", None)
    cover_year = meta.pop("year", None)
    cover_edition = meta.pop("edition", None)
    agency = agency if agency is not None else cover_agency
    year = year if year is not None else cover_year
    if edition is None and cover_edition in ("2019", "2021"):
        edition = Edition(cover_edition)
    doc = attrs.evolve(parsed.doc, problems=(*parsed.doc.problems, *meta_problems))
    imported = assemble(doc, agency=agency, year=year, edition=edition, strict=strict)
    problems = list(imported.problems)
    if any(p.code == "READ_TITLE_MISSING" for p in problems):
        specs = {i.name: i.spec.label for i in field_specs(AnnualReport)}
        place = Place(name, cell=COVER)
        problems = [p for p in problems if p.code != "READ_TITLE_MISSING"]
        problems.append(
            Problem.at(
                place,
                f"the agency ({specs['agency']}) and year ({specs['year']}) were not found; pass agency= and year=",
                code="READ_TITLE_MISSING",
            )
        )
    problems.extend(_figure_problems(imported, parsed))
    report = imported.report
    if report is not None and meta:
        try:
            report = attrs.evolve(report, **meta)
        except ModelError as exc:
            problems.extend(attrs.evolve(p, code="READ_INVALID") for p in exc.problems)
            report = None
    return attrs.evolve(imported, report=report, problems=_bounded(problems, limits, name))


def _workbook(data: bytes, options: ReadOptions) -> Imported:
    return read_workbook(
        data,
        name=options.name,
        agency=options.agency,
        year=options.year,
        edition=options.edition,
        strict=options.strict,
        limits=options.limits,
    )


def _unread(exc: BaseException, name: str) -> Imported:
    """A workbook that could not be read: no report, the reason as a problem (never a foreign exception)."""
    if not isinstance(exc, ExcelError):  # MemoryError, RecursionError
        message = f"{type(exc).__name__} while reading the workbook"
        return Imported(None, (Problem(name, message, code="READ_LIMIT", place=Place(name)),), {}, name)
    head = str(exc).split("\n", 1)[0]
    problems = tuple(
        attrs.evolve(p, message=f"{head}: {p.message}", code=p.code or "READ_XLSX") for p in exc.problems
    ) or (Problem(name, head, code="READ_XLSX"),)
    return Imported(None, problems, {}, name)


read_xlsx: Reader = make_reader(
    _workbook,
    __name__,
    "xlsx",
    "workbook",
    default_name="<workbook>",
    error=ExcelError,
    recover=_unread,
    doc="""Read a report from a workbook: this library's workbooks and templates, and tables made by other tools.

    ``source`` is a path (regular files only), bytes or a binary stream. A file that is not a safe,
    readable workbook (too large, a zip bomb, damaged, not a zip) gives no report and the reason as
    a problem; everything else is located at its ``sheet!cell``.
    """,
)
