"""The cells of a workbook, read from its XML in one bounded streaming pass (no openpyxl load).

A worksheet's XML is read element by element (expat through defusedxml: entity declarations are
refused, nothing external is fetched), and every bound of :class:`~gongkai_model.limits.Limits` is
checked as the elements go by, before anything is kept: a cell beyond ``max_rows``/``max_columns``
is not kept, a merged range that would cover more than ``max_merged_cells`` is not applied, a sheet
of more than ``max_cells`` cell elements stops there. Each such cut is a located problem. Numbers
are kept as the exact text the file holds; nothing is converted through binary floating point
unless the file's text is itself a binary fraction (``0.30000000000000004``).

>>> import io
>>> import gongkai_model as gk
>>> from gongkai_model import excel
>>> buffer = io.BytesIO()
>>> excel.write_report(gk.examples.seed_report(), buffer)
>>> book = read_book(buffer.getvalue(), "<workbook>", gk.limits.DEFAULT_LIMITS)
>>> [s.name for s in book.sheets]
['封面', '表二', '表三', '表四', '正文']
"""

from __future__ import annotations

import datetime as dt
import io
import math
import posixpath
import re
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

import attrs
import defusedxml.ElementTree as SafeET
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

from ...errors import ExcelError, Place, Problem
from ...limits import Limits
from ._safety import check_zip, unescape_text

__all__ = [
    "Book",
    "RawCell",
    "RawSheet",
    "cell_ref",
    "column_index",
    "column_letters",
    "number_text",
    "parse_ref",
    "read_book",
]

_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?([0-9]{1,7})$")
_INT = re.compile(r"^[+-]?[0-9]+$")
_MAX_COLUMN = 16_384  # XFD: the widest sheet any spreadsheet writes
_MAX_ROW = 1_048_576


@attrs.define
class RawCell:
    """One cell as the file holds it.

    ``kind`` is ``"n"`` (a number; ``text`` is its exact decimal text), ``"s"`` (text), ``"b"``
    (a boolean, ``TRUE``/``FALSE``), ``"e"`` (an error value such as ``#REF!``), ``"d"`` (a number
    shown as a date or time; ``text`` is its ISO form) or ``""`` (no value). ``formula`` is the
    formula (``=SUM(D7:J7)``; ``"="`` when the file gives none, e.g. a shared formula), or ``None``;
    for a formula cell the value is the one saved with it.
    """

    kind: str
    text: str
    formula: str | None = None


@attrs.define
class RawSheet:
    """A worksheet: its cells by (row, column) from 1, and its merged ranges (top, left, bottom, right)."""

    name: str
    cells: dict[tuple[int, int], RawCell]
    merges: list[tuple[int, int, int, int]]


@attrs.define
class Book:
    """The worksheets of a workbook in order, and the problems met while reading them."""

    sheets: list[RawSheet]
    problems: list[Problem]


def column_index(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def column_letters(n: int) -> str:
    out = ""
    while n > 0:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def parse_ref(ref: str) -> tuple[int, int] | None:
    """``"C7"`` → ``(7, 3)``; ``None`` for anything that is not a cell of a sheet (``A0``, ``XFE1``)."""
    m = _REF.match(ref.strip())
    if m is None:
        return None
    row, col = int(m.group(2)), column_index(m.group(1))
    if not (1 <= row <= _MAX_ROW and 1 <= col <= _MAX_COLUMN):
        return None
    return row, col


def cell_ref(row: int, col: int) -> str:
    return f"{column_letters(col)}{row}"


def number_text(raw: str) -> str | None:
    """The exact decimal text of a number as the file stores it, or ``None`` if it is not a finite number.

    Whole numbers written as digits are kept digit for digit (``9007199254740993`` stays exact);
    other numbers are binary fractions in a spreadsheet, written by their shortest exact form.

    >>> number_text("12"), number_text("1234.5"), number_text("1e+20"), number_text("0.30000000000000004")
    ('12', '1234.5', '100000000000000000000', '0.30000000000000004')
    >>> number_text("1E+309") is None, number_text("NaN") is None
    (True, True)
    """
    s = raw.strip()
    if _INT.match(s):
        return s.lstrip("+")
    try:
        f = float(s)
    except ValueError:
        return None
    if not math.isfinite(f):
        return None
    d = Decimal(repr(f))
    if d == d.to_integral_value() and abs(d) < Decimal(10) ** 40:
        return str(int(d))
    return format(d, "f")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _attr(el: Any, name: str) -> str | None:
    """An attribute by local name, whatever its namespace (``r:id`` in transitional and strict files)."""
    value = el.get(name)
    if value is not None:
        return str(value)
    for key, v in el.attrib.items():
        if _local(key) == name:
            return str(v)
    return None


class _Reader:
    def __init__(self, parts: Mapping[str, bytes], name: str, limits: Limits) -> None:
        self.parts = parts
        self.name = name
        self.limits = limits
        self.problems: list[Problem] = []
        self.members = set(parts)

    def events(self, member: str, events: tuple[str, ...] = ("end",)) -> Iterator[tuple[str, Any]]:
        yield from SafeET.iterparse(io.BytesIO(self.parts[member]), events=events)

    def part(self, member: str) -> Any:
        """A part read whole (the workbook, its styles, relationships): bounded by ``Limits.max_xml_tags``."""
        blob = self.parts[member]
        tags = blob.count(b"<")
        if tags > self.limits.max_xml_tags:
            place = Place(self.name)
            message = f"{tags} tags in one XML part; the limit is {self.limits.max_xml_tags} (Limits.max_xml_tags)"
            raise ExcelError(
                "workbook refused", [Problem(f"{self.name}!{member}", message, code="READ_LIMIT", place=place)]
            )
        return SafeET.parse(io.BytesIO(blob)).getroot()

    def rels(self, member: str) -> dict[str, tuple[str, str]]:
        """Relationship id → (type, member path) of ``member``."""
        folder, base = posixpath.split(member)
        rels_member = posixpath.join(folder, "_rels", base + ".rels")
        if rels_member not in self.members:
            return {}
        out: dict[str, tuple[str, str]] = {}
        for el in self.part(rels_member).iter():
            if _local(el.tag) != "Relationship" or (el.get("TargetMode") or "") == "External":
                continue
            target = el.get("Target") or ""
            path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
            out[el.get("Id") or ""] = (el.get("Type") or "", path)
        return out

    def workbook_member(self) -> str:
        for kind, path in self.rels("").values():
            if kind.endswith("/officeDocument"):
                return path
        return "xl/workbook.xml"

    def shared_strings(self, member: str | None) -> list[str]:
        if member is None or member not in self.members:
            return []
        out: list[str] = []
        for _, el in self.events(member):
            if _local(el.tag) != "si":
                continue
            parts: list[str] = []
            for child in el:
                tag = _local(child.tag)
                if tag == "t":
                    parts.append(child.text or "")
                elif tag == "r":
                    parts.extend(t.text or "" for t in child if _local(t.tag) == "t")
            out.append(unescape_text("".join(parts)))
            el.clear()
            if len(out) > self.limits.max_cells:
                self.problems.append(
                    Problem(
                        self.name,
                        f"more than {self.limits.max_cells} shared strings; the rest are not read",
                        code="READ_LIMIT",
                        place=Place(self.name),
                    )
                )
                break
        return out

    def date_styles(self, member: str | None) -> list[bool]:
        """For each cell style (``s`` attribute), whether it shows numbers as dates or times."""
        if member is None or member not in self.members:
            return []
        root = self.part(member)
        custom: dict[int, str] = {}
        out: list[bool] = []
        for el in root.iter():
            tag = _local(el.tag)
            if tag == "numFmt":
                try:
                    custom[int(el.get("numFmtId") or "")] = el.get("formatCode") or ""
                except ValueError:
                    continue
            elif tag == "cellXfs":
                for xf in el:
                    try:
                        fmt_id = int(xf.get("numFmtId") or "0")
                    except ValueError:
                        fmt_id = 0
                    code = custom.get(fmt_id, BUILTIN_FORMATS.get(fmt_id, "General"))
                    out.append(bool(is_date_format(code)))
        return out


def _date_text(number: str, epoch: dt.datetime) -> str:
    try:
        value = from_excel(float(number), epoch=epoch)
    except (ValueError, OverflowError, TypeError):
        return f"{number} (shown as a date)"
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date().isoformat()
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return f"{number} (shown as a date)"  # pragma: no cover - from_excel gives one of the above


class _SheetState:
    def __init__(self) -> None:
        self.row = 0
        self.col = 0
        self.elements = 0
        self.beyond: tuple[int, int] | None = None
        self.beyond_count = 0


def _read_sheet(
    reader: _Reader, title: str, member: str, strings: list[str], dates: list[bool], epoch: dt.datetime
) -> RawSheet:
    limits = reader.limits
    cells: dict[tuple[int, int], RawCell] = {}
    merges: list[tuple[int, int, int, int]] = []
    st = _SheetState()
    merged_total = 0
    covered: set[tuple[int, int]] = set()
    sheet_data: Any = None
    where = Place(reader.name, cell=f"{title}!A1")

    def problem(message: str, cell: str | None = None, severity: str = "error") -> None:
        place = attrs.evolve(where, cell=f"{title}!{cell}") if cell else Place(reader.name, cell=title)
        reader.problems.append(Problem.at(place, message, code="READ_LIMIT", severity=severity))

    for event, el in reader.events(member, ("start", "end")):
        tag = _local(el.tag)
        if event == "start":
            if tag == "sheetData":
                sheet_data = el
            elif tag == "row":
                try:
                    st.row = int(el.get("r") or st.row + 1)
                except ValueError:
                    st.row += 1
                st.col = 0
            continue
        if tag == "c":
            st.elements += 1
            if st.elements > limits.max_cells:
                problem(f"more than {limits.max_cells} cells; the rest of the sheet is not read")
                break
            ref = el.get("r")
            at = parse_ref(ref) if ref else (st.row or 1, st.col + 1)
            if at is None:
                problem(f"a cell with the reference {ref!r}, which no sheet has, is not read")
                el.clear()
                continue
            st.row, st.col = at
            cell = _cell(el, strings, dates, epoch)
            el.clear()
            if at[0] > limits.max_rows or at[1] > limits.max_columns:
                if cell.kind or cell.formula is not None:
                    st.beyond_count += 1
                    st.beyond = st.beyond or at
                continue
            if cell.kind or cell.formula is not None or at not in cells:
                cells[at] = cell
        elif tag == "row":
            el.clear()
            if sheet_data is not None:
                sheet_data.clear()
        elif tag == "dimension":
            ref = el.get("ref") or ""
            last = parse_ref(ref.split(":")[-1]) if ref else None
            if last is not None and (last[0] > limits.max_rows or last[1] > limits.max_columns):
                problem(
                    f"the sheet declares its extent as {ref}, beyond the reading limits "
                    f"({limits.max_rows} rows, {limits.max_columns} columns); only cells within them are read",
                    severity="warning",
                )
        elif tag == "mergeCell":
            ref = el.get("ref") or ""
            ends = [parse_ref(x) for x in ref.split(":")] if ref.count(":") == 1 else [None]
            el.clear()
            if any(e is None for e in ends):
                problem(f"a merged range {ref!r} that no sheet can have is not applied", severity="warning")
                continue
            (r1, c1), (r2, c2) = ends  # type: ignore[misc]
            top, bottom, left, right = min(r1, r2), max(r1, r2), min(c1, c2), max(c1, c2)
            area = (bottom - top + 1) * (right - left + 1)
            if area == 1:
                continue
            if bottom > limits.max_rows or right > limits.max_columns or merged_total + area > limits.max_merged_cells:
                problem(
                    f"the merged range {ref} ({area} cells) lies beyond the reading limits "
                    f"({limits.max_rows} rows, {limits.max_columns} columns, {limits.max_merged_cells} merged cells "
                    "in all); it is not applied",
                    cell_ref(top, left),
                    severity="warning",
                )
                continue
            box = [(r, c) for r in range(top, bottom + 1) for c in range(left, right + 1)]
            if any(p in covered for p in box):
                problem(f"the merged range {ref} overlaps another; it is not applied", cell_ref(top, left), "warning")
                continue
            merged_total += area
            covered.update(box)
            merges.append((top, left, bottom, right))
    if st.beyond is not None:
        problem(
            f"{st.beyond_count} cell(s) with content lie beyond the reading limits ({limits.max_rows} rows, "
            f"{limits.max_columns} columns), the first at {cell_ref(*st.beyond)}; they are not read",
            cell_ref(*st.beyond),
        )
    return RawSheet(title, cells, merges)


def _cell(el: Any, strings: list[str], dates: list[bool], epoch: dt.datetime) -> RawCell:
    t = el.get("t") or "n"
    formula: str | None = None
    value: str | None = None
    inline: list[str] = []
    for child in el:
        tag = _local(child.tag)
        if tag == "f":
            formula = "=" + (child.text or "").strip() if (child.text or "").strip() else "="
        elif tag == "v":
            value = child.text or ""
        elif tag == "is":
            for part in child.iter():
                if _local(part.tag) == "t" and part.text:
                    inline.append(part.text)
    if t == "inlineStr":
        return RawCell("s", unescape_text("".join(inline)), formula)
    if value is None or (value.strip() == "" and t not in ("s", "str")):
        return RawCell("", "", formula)
    if t == "s":
        try:
            return RawCell("s", strings[int(value)], formula)
        except (ValueError, IndexError):
            return RawCell("e", f"#REF! (shared string {value!r} does not exist)", formula)
    if t == "str":
        return RawCell("s", unescape_text(value), formula)
    if t == "b":
        return RawCell("b", "TRUE" if value.strip() in ("1", "true") else "FALSE", formula)
    if t == "e":
        return RawCell("e", value.strip(), formula)
    if t == "d":
        return RawCell("d", value.strip(), formula)
    number = number_text(value)
    if number is None:
        return RawCell("e", value.strip(), formula)  # not a finite number: kept as written, and refused
    try:
        style = int(el.get("s") or "0")
    except ValueError:
        style = 0
    if 0 <= style < len(dates) and dates[style]:
        return RawCell("d", _date_text(number, epoch), formula)
    return RawCell("n", number, formula)


def read_book(data: bytes | Mapping[str, bytes], name: str, limits: Limits) -> Book:
    """Every worksheet of a workbook, within ``limits``.

    ``data`` is the workbook's members as the zip check produced them
    (:func:`~gongkai_model.formats.xlsx._safety.check_zip`), or the file's bytes, which are checked first.
    Only the checked bytes are parsed; the archive is never opened again. Raises
    :class:`ExcelError` when the workbook cannot be read at all (a zip that breaks the limits or is
    damaged, XML that is not well formed, entity declarations).
    """
    parts = check_zip(data, limits, name) if isinstance(data, bytes | bytearray) else data
    try:
        reader = _Reader(parts, name, limits)
        wb_member = reader.workbook_member()
        if wb_member not in reader.members:
            raise ExcelError(
                "not a workbook",
                [Problem(name, "the archive holds no workbook part", code="READ_NOT_A_REPORT", place=Place(name))],
            )
        rels = reader.rels(wb_member)
        root = reader.part(wb_member)
        epoch = CALENDAR_WINDOWS_1900
        listed: list[tuple[str, str]] = []
        for el in root.iter():
            tag = _local(el.tag)
            if tag == "workbookPr" and (el.get("date1904") or "").lower() in ("1", "true"):
                epoch = CALENDAR_MAC_1904
            elif tag == "sheet":
                listed.append((el.get("name") or "", _attr(el, "id") or ""))
        by_type = {kind.rsplit("/", 1)[-1]: path for kind, path in rels.values()}
        strings = reader.shared_strings(by_type.get("sharedStrings"))
        dates = reader.date_styles(by_type.get("styles"))
        sheets: list[RawSheet] = []
        for title, rid in listed:
            kind, member = rels.get(rid, ("", ""))
            if not kind.endswith("/worksheet") or member not in reader.members:
                continue  # a chart sheet, or a sheet the archive does not hold
            sheets.append(_read_sheet(reader, title, member, strings, dates, epoch))
        return Book(sheets, reader.problems)
    except ExcelError:
        raise
    except MemoryError:
        problem = Problem(name, "MemoryError while parsing the workbook", code="READ_LIMIT", place=Place(name))
        raise ExcelError("workbook refused", [problem]) from None
    except Exception as exc:  # expat and the parts' structure fail in many ways on damaged files
        problem = Problem(name, f"{type(exc).__name__}: {exc}", code="READ_DAMAGED", place=Place(name))
        raise ExcelError("cannot read the workbook", [problem]) from None
