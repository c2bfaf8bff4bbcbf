"""PDFs: reports published as PDF files with a text layer (exported from Word, WPS or a PDF editor).

The file is opened with pdfplumber (an optional extra: ``pip install 'gongkai-model[pdf]'``),
page by page, never more than ``limits.max_pages`` pages. On each page:

- **tables** come from the ruling lines (pdfplumber's table finder), never from the text layer:
  a row heading printed one character per line (``三、本年度办理结果`` down the side of 表三)
  lands inside the data lines of the text layer, but inside its own cell in the table. Only lines
  a reader can see are rulings: a rectangle filled white and not stroked (some PDF editors put one
  behind every line of text) is not a border. The cells' boxes give the merges (a cell over two
  columns is a span of two), so the grid is the table as printed; a region the lines do not close
  is kept as a cell of its own, with the text printed in it, so no figure is lost to a missing
  line. A "table" of one column is a frame around text, not a table: its text is read
  as paragraphs.
- **paragraphs** come from the text layer outside the tables, in reading order: lines are joined
  into a paragraph until a line is indented, the one before it ended short, the type size or the
  typeface changes, or a line is one of the section headings. Page numbers (``- 3 -``, ``第3页``)
  in the page's margins are left out. A paragraph that runs over a page break is joined.

A table continued on the next page is stacked by the shared core (:func:`._assemble.assemble`)
when it has the same width and no headers of its own; a continuation that repeats the header
rows is located against its own headers. Every cell's place is ``Place(source, page=N, table=k,
row=r, column=c)`` with ``k`` the table's number on its page, every paragraph's
``Place(source, page=N, line=k)`` with ``k`` its first line among the page's text lines outside
the tables.

A file that is not a PDF, is encrypted with a password, or is too damaged to open raises
:class:`~gongkai_model.errors.ReadError`; a page that cannot be read, a PDF with no text layer
(a scan) and pages beyond the limit are located problems in the result.
"""

from __future__ import annotations

import bisect
import contextlib
import functools
import io
import itertools
import math
import re
import statistics
import threading
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import attrs

from .._optional import import_optional, install_hint
from ..errors import GongkaiError, Place, Problem, ReadError
from ..limits import DEFAULT_LIMITS, Limits
from . import _ocr
from ._assemble import find_heading
from ._document import Block, CellBudget, Document, Grid, MetaText, Span, ruled_rows
from ._pdfbounds import Budget, LimitReached, UnsupportedPdfminer, bounded, page_class
from ._pdfbounds import _decompress_corrupted as _decompress_corrupted  # the linear recovery (tests)
from ._pictures import PageRenderer, needs_ocr, page_list, page_text
from ._reader import Reader, assembled, exhausted, make_reader

__all__ = ["parse_pdf", "read_pdf"]

#: A page with more ruling segments than this is not searched for tables (the search is quadratic).
MAX_EDGES = 4000
_PAGE_NUMBER = re.compile(
    r"^(?:[-—–－_\s]*\d{1,4}[-—–－_\s]*|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?|\d{1,4}\s*/\s*\d{1,4})$"
)
_CJK = re.compile(r"[\u3000-\u30ff\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")


def _pdfplumber() -> Any:
    return import_optional("pdfplumber", "pdf", purpose="reading PDFs", error=ReadError)


def _visible(obj: dict[str, Any]) -> bool:
    """Whether a page object can be seen: a rectangle filled white (or not at all) and not stroked cannot."""
    if obj.get("object_type") != "rect" or obj.get("stroke"):
        return True
    if not obj.get("fill"):
        return False
    colour = obj.get("non_stroking_color")
    if isinstance(colour, int | float):
        colour = (colour,)
    if isinstance(colour, tuple | list) and colour and all(isinstance(x, int | float) for x in colour):
        if len(colour) in (1, 3):
            return not all(x >= 0.99 for x in colour)
        if len(colour) == 4:  # CMYK: white is no ink at all
            return not all(x <= 0.01 for x in colour)
    return True


def _positions(values: Sequence[float], tolerance: float = 1.5) -> list[float]:
    """Distinct coordinates, those within ``tolerance`` of the one before taken as the same."""
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > tolerance:
            out.append(v)
    return out


def _index(positions: Sequence[float], value: float, *, below: bool = False) -> int:
    """The index of the position nearest ``value`` (``below``: of the last position at or above it, -1 if none)."""
    if below:
        return bisect.bisect_right(positions, value) - 1
    return min(range(len(positions)), key=lambda i: abs(positions[i] - value))


class _Table:
    """A table found on a page: its cells' boxes and texts, and the characters printed inside it."""

    def __init__(self, page: Any, table: Any, number: int) -> None:
        self.page = number
        self.bbox = tuple(float(v) for v in table.bbox)
        texts: dict[tuple[float, ...], str] = {}
        for group, row in zip(table.rows, table.extract(), strict=False):
            for box, text in zip(group.cells, row, strict=False):
                if box is not None:
                    texts[tuple(float(v) for v in box)] = text or ""
        self.cells = [(box, texts.get(box)) for box in dict.fromkeys(tuple(float(v) for v in c) for c in table.cells)]
        x0, top, x1, bottom = self.bbox
        self.chars = [ch for ch in page.chars if _inside(ch, (x0 - 1, top - 1, x1 + 1, bottom + 1))]
        self.xs = _positions([v for c, _ in self.cells for v in (c[0], c[2])])
        self.ys = _positions([v for c, _ in self.cells for v in (c[1], c[3])])
        self.split_rows: set[int] = set()  #: grid rows made by splitting a numbered list (see :meth:`_sub_rows`)
        self._sub_rows()

    def _sub_rows(self) -> None:
        """Rows the rulings leave out: a cell of one row holding a numbered list (``1、…`` ``2、…``) is its rows.

        Some reports print the sub-rows of a group (表三 （六）其他处理: ``1、…``, ``2、…``, ``3、…``) as
        one ruled row, the labels one under another in one cell and each column's figures one under
        another in one cell. Each item of the list starts a row of its own, at its first line's top;
        the figures beside it are then split by their lines' positions (:meth:`_stacked`). A row is
        only split where one cell of it holds a list of at least two items whose first line is an
        item.
        """
        extra: list[float] = []
        for box, _ in self.cells:
            r0, r1 = _index(self.ys, box[1]), _index(self.ys, box[3])
            if r1 - r0 != 1:
                continue
            lines = _text_lines([ch for ch in self.chars if _inside(ch, box)])
            starts = [k for k, (_, _, text) in enumerate(lines) if _NUMBERED.match(text)]
            if len(starts) < 2 or starts[0] != 0:
                continue
            for k in starts[1:]:
                extra.append((lines[k - 1][1] + lines[k][0]) / 2)  # between the item before and this one
                self.split_rows.add(r0)
        if extra:
            self.ys = sorted({*self.ys, *extra})

    @property
    def size(self) -> tuple[int, int]:
        return len(self.ys) - 1, len(self.xs) - 1

    def spans(self) -> list[list[Span]]:
        """The printed cells as rows of spans, merges from the cells' boxes over the columns ``xs``."""
        xs, ys = self.xs, self.ys
        nrows, ncols = self.size
        starts: dict[tuple[int, int], Span] = {}
        covered: set[tuple[int, int]] = set()
        for box, text in self.cells:
            c0, c1 = _index(xs, box[0]), _index(xs, box[2])
            r0, r1 = _index(ys, box[1]), _index(ys, box[3])
            if c1 <= c0 or r1 <= r0 or (r0, c0) in covered:
                continue
            if r1 - r0 > 1:
                stacked = self._stacked(box, r0, r1)
                if stacked is not None:
                    for r, line in enumerate(stacked, r0):
                        starts[(r, c0)] = Span(line, colspan=c1 - c0)
                    covered.update((r, k) for r in range(r0, r1) for k in range(c0, c1))
                    continue
            if text is None:
                text = self.text_in(box)
            elif "\n" in text:
                text = _unwrap_figure(text, [ch for ch in self.chars if _inside(ch, box)], box)
            starts[(r0, c0)] = Span(text, rowspan=r1 - r0, colspan=c1 - c0)
            covered.update((r, k) for r in range(r0, r1) for k in range(c0, c1))
        # a region the lines do not close: keep what is printed in it
        return ruled_rows(
            nrows, ncols, starts, covered, lambda r, k: Span(self.text_in((xs[k], ys[r], xs[k + 1], ys[r + 1])))
        )

    def _stacked(self, box: tuple[float, ...], r0: int, r1: int) -> list[str] | None:
        """The texts of a cell over rows ``r0 … r1-1`` that holds one text per row, one per row; else ``None``.

        A cell is split when its lines are figures (or blank marks), at least two, not one figure wrapped
        at the cell's edge, and each line's middle falls in a different row; or when the cell is a
        numbered list split into rows by :meth:`_sub_rows`, each item in its row. Anything else (a group
        label over its sub-rows, one figure centred in a merged cell) stays one merged cell.
        """
        chars = [ch for ch in self.chars if _inside(ch, box)]
        lines = _text_lines(chars)
        rows: list[list[str]] = [[] for _ in range(r0, r1)]
        if len(lines) >= 2 and all(_FIGURE_LINE.fullmatch(text) for _, _, text in lines):
            if _unwrap_figure("\n".join(text for _, _, text in lines), chars, box).count("\n") < len(lines) - 1:
                return None  # one figure wrapped over lines, not figures stacked
            for top, bottom, text in lines:
                r = _index(self.ys, (top + bottom) / 2, below=True)
                if not r0 <= r < r1 or rows[r - r0]:
                    return None
                rows[r - r0].append(text)
            return ["".join(row) for row in rows]
        if not any(r in self.split_rows for r in range(r0, r1)) or not lines or not _NUMBERED.match(lines[0][2]):
            return None
        row = -1
        for top, _, text in lines:
            if _NUMBERED.match(text):
                row = _index(self.ys, top + 0.5, below=True) - r0
                if not 0 <= row < len(rows) or rows[row]:
                    return None
            rows[row].append(text)
        return ["".join(row) for row in rows]

    def text_in(self, box: tuple[float, ...]) -> str:
        chars = [ch for ch in self.chars if _inside(ch, box)]
        if not chars:
            return ""
        from pdfplumber.utils.text import extract_text

        text = str(extract_text(chars)).strip()
        return _unwrap_figure(text, chars, box)


_FRAGMENT = re.compile(r"[0-9０-９,，.]+")
#: The numbering of a sub-row label: ``1、`` ``1.`` ``1．`` ``（1）`` ``(1)``.
_NUMBERED = re.compile(r"\s*(?:[0-9０-９]{1,2}\s*[、.．]|[（(]\s*[0-9０-９]{1,2}\s*[)）])")
#: A line that is one figure or one blank mark.
_FIGURE_LINE = re.compile(r"\s*(?:[-+]?[0-9０-９][0-9０-９,，.．]*|[-—/／无－]|0\.00)\s*")


def _text_lines(chars: Sequence[dict[str, Any]]) -> list[tuple[float, float, str]]:
    """The characters as printed lines, top to bottom: ``(top, bottom, text)``, each line's text left to right.

    A character starts a new line when its top is below the current line's middle.
    """
    tops: list[float] = []
    bottoms: list[float] = []
    members: list[list[dict[str, Any]]] = []
    for ch in sorted(chars, key=lambda c: (c["top"], c["x0"])):
        if members and ch["top"] < (tops[-1] + bottoms[-1]) / 2:
            bottoms[-1] = max(bottoms[-1], ch["bottom"])
            members[-1].append(ch)
        else:
            tops.append(ch["top"])
            bottoms.append(ch["bottom"])
            members.append([ch])
    return [
        (top, bottom, "".join(c["text"] for c in sorted(line, key=lambda c: c["x0"])).strip())
        for top, bottom, line in zip(tops, bottoms, members, strict=True)
    ]


def _unwrap_figure(text: str, chars: Sequence[dict[str, Any]], box: tuple[float, ...]) -> str:
    """One figure wrapped over lines because it is wider than its cell, joined; anything else as printed.

    A figure is wrapped when every line is a run of digits and every line but the last reaches the
    cell's right edge (within a quarter of its width): the page's layout, not a guess, joins it.
    Lines that stop short of the edge are separate figures and stay apart (the value parser refuses them).
    """
    lines = text.split("\n")
    if len(lines) < 2 or not all(_FRAGMENT.fullmatch(line.strip()) for line in lines):
        return text
    tops = sorted({round(ch["top"]) for ch in chars})
    width = box[2] - box[0]
    for top in tops[:-1]:
        right = max(ch["x1"] for ch in chars if round(ch["top"]) == top)
        if right < box[2] - width / 4:
            return text
    return "".join(line.strip() for line in lines)


def _inside(ch: dict[str, Any], box: tuple[float, ...]) -> bool:
    x = (ch["x0"] + ch["x1"]) / 2
    y = (ch["top"] + ch["bottom"]) / 2
    return bool(box[0] <= x < box[2] and box[1] <= y < box[3])


def _align_continued(pages: Sequence[list[tuple[float, _Table | _Line]]]) -> None:
    """Give a table continued at the top of the next page and its first part the same columns.

    A part printed on one page may lack a column boundary the other has (rows where a label is
    merged over two columns); both parts then get every boundary of either, so they have the
    same width and the core can stack them. Only the last item of a page and the first of the
    next, when both are tables with the same left and right edges, are aligned.
    """
    chains: list[list[_Table]] = []
    last: _Table | None = None
    for items in pages:
        first = items[0][1] if items else None
        if isinstance(first, _Table) and last is not None and _same_edges(last, first):
            if chains and chains[-1][-1] is last:
                chains[-1].append(first)
            else:
                chains.append([last, first])
        end = items[-1][1] if items else None
        last = end if isinstance(end, _Table) else None
    for chain in chains:
        xs = _positions([x for t in chain for x in t.xs])
        for t in chain:
            t.xs = xs


def _same_edges(a: _Table, b: _Table, tolerance: float = 2.0) -> bool:
    return abs(a.bbox[0] - b.bbox[0]) <= tolerance and abs(a.bbox[2] - b.bbox[2]) <= tolerance


class _Line:
    """One line of the text layer outside the tables."""

    def __init__(self, page: int, number: int, line: dict[str, Any]) -> None:
        chars = line.get("chars") or []
        self.page = page
        self.number = number
        self.text = str(line["text"]).strip()
        self.x0 = float(line["x0"])
        self.x1 = float(line["x1"])
        self.top = float(line["top"])
        self.bottom = float(line["bottom"])
        sizes = [float(c.get("size") or 0) for c in chars if str(c.get("text", "")).strip()]
        self.size = statistics.median(sizes) if sizes else max(self.bottom - self.top, 1.0)
        self.fonts = {str(c.get("fontname", "")) for c in chars if str(c.get("text", "")).strip()}


def _join(a: str, b: str) -> str:
    """Two lines of one paragraph: Chinese text wraps anywhere (even inside a number) without a space."""
    if not a or not b:
        return a + b
    if _CJK.search(a) or _CJK.search(b) or a.endswith("-"):
        return a + b
    return f"{a} {b}"


class _Paragraphs:
    """Lines joined into paragraphs across a document, with the margins of its body text."""

    def __init__(self, lines: Sequence[_Line]) -> None:
        self.left = _mode([round(x.x0) for x in lines])
        self.right = _mode([round(x.x1) for x in lines])

    def indented(self, line: _Line) -> bool:
        return line.x0 > self.left + 0.9 * line.size

    def short(self, line: _Line) -> bool:
        return line.x1 < self.right - 1.5 * line.size

    def breaks(self, a: _Line, b: _Line, same_page: bool) -> bool:
        """Whether line ``b`` starts a new paragraph after line ``a``."""
        if self.indented(b) or self.short(a):
            return True
        if abs(a.size - b.size) > 0.15 * max(a.size, b.size):
            return True
        if a.fonts and b.fonts and not (a.fonts & b.fonts):
            return True
        if find_heading(a.text) is not None or find_heading(b.text) is not None:
            return True
        return same_page and b.top - a.bottom > 1.5 * max(a.size, b.size)


def _mode(values: Sequence[int]) -> float:
    return float(Counter(values).most_common(1)[0][0]) if values else 0.0


def _placed(obj: dict[str, Any]) -> bool:
    """Whether a page object has a position (a damaged drawing can put text at NaN or infinity)."""
    return all(math.isfinite(v) for k in ("x0", "x1", "top", "bottom") if isinstance(v := obj.get(k), int | float))


def _page_items(page: Any, number: int, source: str, problems: list[Problem]) -> list[tuple[float, _Table | _Line]]:
    """The tables and the text lines outside them, each with its top, of one page."""
    unplaced = sum(1 for objects in page.objects.values() for obj in objects if not _placed(obj))
    if unplaced:
        place = Place(source, page=number)
        problems.append(
            Problem.at(
                place,
                f"{unplaced} object(s) of the page have no finite position (NaN or infinite coordinates); "
                "they were not read",
                code="READ_PAGE",
            )
        )
    seen = page.filter(lambda obj: _placed(obj) and _visible(obj))
    items: list[tuple[float, _Table | _Line]] = []
    boxes: list[tuple[float, ...]] = []
    edges = len(seen.edges)
    if edges > MAX_EDGES:
        place = Place(source, page=number)
        problems.append(
            Problem.at(
                place,
                f"the page has {edges} ruling lines (more than {MAX_EDGES}); it was not searched for tables",
                code="READ_LIMIT",
            )
        )
        found = []
    else:
        found = seen.find_tables()
    for table in found:
        t = _Table(seen, table, number)
        if t.size[1] < 2:
            continue  # a frame around text, not a table: its text is read as paragraphs
        # A single row of several columns stays a table: it is the last row of a table cut by a page break.
        items.append((t.bbox[1], t))
        boxes.append(t.bbox)

    def outside(obj: dict[str, Any]) -> bool:
        return obj.get("object_type") != "char" or not any(_inside(obj, b) for b in boxes)

    text_page = seen.filter(outside) if boxes else seen  # text with a position only
    height = float(page.height) or 1.0
    for n, raw in enumerate(text_page.extract_text_lines(return_chars=True), start=1):
        line = _Line(number, n, raw)
        if not line.text:
            continue
        margin = line.top < 0.1 * height or line.bottom > 0.85 * height
        if margin and _PAGE_NUMBER.match(line.text):
            continue
        items.append((line.top, line))
    items.sort(key=lambda item: item[0])
    return items


def _blocks(
    pages: Sequence[list[tuple[float, _Table | _Line]]],
    source: str,
    limits: Limits,
    problems: list[Problem],
    pictures: Mapping[int, list[Block]] | None = None,
    budget: CellBudget | None = None,
) -> list[Block]:
    """The document's blocks: each page's tables and paragraphs, or (``pictures``, by index in
    ``pages``) the blocks OCR read from the page's picture, in their place."""
    pictures = pictures or {}
    _align_continued(pages)
    lines = [item for page in pages for _, item in page if isinstance(item, _Line)]
    paragraphs = _Paragraphs(lines)
    blocks: list[Block] = []
    current: list[_Line] = []
    if budget is None:
        budget = CellBudget(limits.max_cells)  # the cells all the document's tables may expand to

    def flush() -> None:
        if current:
            text = ""
            for line in current:
                text = _join(text, line.text)
            first = current[0]
            blocks.append(Block("paragraph", text, Place(source, page=first.page, line=first.number)))
            current.clear()

    for index, page in enumerate(pages):
        if index in pictures:
            flush()
            blocks.extend(pictures[index])
            continue
        k = 0
        for _, item in page:
            if isinstance(item, _Table):
                flush()
                k += 1
                place = Place(source, page=item.page, table=k)
                grid = Grid.build(item.spans(), place, limits, problems, budget)
                text = "\n".join("\t".join(c.text for c in row if c) for row in grid.rows)
                blocks.append(Block("table", text, place, grid))
                continue
            if current and paragraphs.breaks(current[-1], item, current[-1].page == item.page):
                flush()
            current.append(item)
    flush()
    return blocks


def _iter_pages(pdf: Any, limit: int, budget: Budget) -> Iterator[Any]:
    """Pages of an open PDF, built one by one and never more than ``limit`` (+1 to tell there are more).

    Each page's layout is made within ``budget`` (characters, drawings, Form XObjects counted).
    """
    from pdfminer.pdfpage import PDFPage

    page_cls = page_class()
    doctop = 0.0
    for i, raw in enumerate(itertools.islice(PDFPage.create_pages(pdf.doc), limit + 1)):
        page = page_cls(pdf, raw, page_number=i + 1, initial_doctop=doctop)
        page.budget = budget
        doctop += float(page.height)
        yield page


def _failure(exc: BaseException) -> tuple[str, str]:
    """What went wrong inside pdfminer, in a reader's words (the exception may be wrapped by pdfplumber)."""
    inner = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else exc
    kind = type(inner).__name__
    if isinstance(inner, MemoryError | RecursionError):
        return "READ_LIMIT", exhausted(inner)
    if "Password" in kind or "Encrypt" in kind:
        return "READ_DAMAGED", "the PDF is encrypted with a password; save an unprotected copy"
    detail = str(inner).strip()
    return "READ_DAMAGED", f"the PDF is damaged ({kind}{': ' + detail[:200] if detail else ''})"


#: Memory set aside while a PDF is parsed (address space only: never touched), given back the moment
#: memory runs out, so that saying so (a problem, a place, the bounds' clean-up) does not itself fail:
#: CPython 3.11 could crash outright when an exception travelled on with no memory left at all.
_RESERVE_BYTES = 16 * 1024 * 1024
_RESERVE = threading.local()


def _hold_reserve() -> None:
    if getattr(_RESERVE, "block", None) is None:
        try:
            _RESERVE.block = bytearray(_RESERVE_BYTES)
        except MemoryError:
            _RESERVE.block = None


def _release_reserve() -> None:
    _RESERVE.block = None


def _exhausting(exc: BaseException) -> bool:
    """Whether ``exc`` is (or wraps, as pdfplumber does) a ``MemoryError``."""
    return isinstance(exc, MemoryError) or bool(exc.args and isinstance(exc.args[0], MemoryError))


def _guard(what: Callable[[], Any], source: str, page: int | None = None) -> Any:
    """Run a pdfminer/pdfplumber step; any foreign exception becomes a ReadError naming the place.

    A limit of :class:`Limits` reached inside pdfminer (:class:`._pdfbounds.LimitReached`) passes
    through, for the caller to decide what is skipped.
    """
    try:
        return what()
    except GongkaiError:
        raise
    except Exception as exc:  # pdfminer raises many kinds (KeyError, TypeError, struct.error, PSEOF …)
        if _exhausting(exc):
            _release_reserve()
        place = Place(source, page=page)
        code, message = _failure(exc)
        raise ReadError("cannot read the PDF", [Problem.at(place, message, code=code)]) from None


#: Limits of the whole document: reaching one stops the reading (the pages after it are not read).
_DOCUMENT_LIMITS = frozenset({"max_chars", "max_unpacked_bytes", "max_xref_entries"})


def _limit_problem(exc: LimitReached, source: str, page: int | None) -> Problem:
    """A limit reached: which, its value, where, and what was skipped."""
    place = Place(source, page=page)
    if page is None:
        skipped = "the PDF was not read"
    elif exc.limit in _DOCUMENT_LIMITS:
        skipped = "this page and the pages after it were not read"
    else:
        skipped = "the page was not read"
    return Problem.at(place, f"{exc.what} (Limits.{exc.limit} = {exc.value}); {skipped}", code="READ_LIMIT")


def _count_chars(page: Any) -> int:
    return len(page.chars)


def _page_problems(exc: ReadError) -> list[Problem]:
    """A page that cannot be read: its problems, located, and the rest of the document still read."""
    return [
        Problem(
            p.location,
            p.message.replace("the PDF is", "the page is"),
            code="READ_LIMIT" if p.code == "READ_LIMIT" else "READ_PAGE",
            place=p.place,
        )
        for p in exc.problems
    ]


def parse_pdf(data: bytes, *, source: str = "<pdf>", limits: Limits = DEFAULT_LIMITS) -> Document:
    """The :class:`Document` of a PDF: per page, its tables and the paragraphs outside them, in reading order.

    Raises :class:`~gongkai_model.errors.ReadError` when the file is not a PDF, is encrypted with a
    password, or cannot be opened; a page that cannot be read is a located problem. pdfminer works
    within ``limits`` (:mod:`._pdfbounds`): a limit reached is a located ``READ_LIMIT`` problem
    naming the limit and its value, and the page (or, for the document's limits, the rest of the
    document) is skipped; so is running out of memory or stack (``MemoryError``, ``RecursionError``).
    """
    if b"%PDF-" not in data[:1024]:
        raise ReadError("not a PDF", [Problem(source, "the file does not start with %PDF-", code="READ_NOT_A_REPORT")])
    pdfplumber = _pdfplumber()
    _hold_reserve()
    try:
        with bounded(limits) as budget:
            try:
                return _parse(pdfplumber, data, source, limits, budget)
            except (MemoryError, RecursionError):
                _release_reserve()
                raise
            except ReadError as exc:  # nothing read: what the bounds clipped on the way is part of the reason
                notes = [p for p in _notes(budget, source) if p not in exc.problems]
                if not notes:
                    raise
                raise ReadError(str(exc).split("\n", 1)[0], [*exc.problems, *notes]) from None
    except (MemoryError, RecursionError) as exc:  # outside pdfminer's steps (they are guarded page by page)
        _release_reserve()
        place = Place(source)
        raise ReadError("cannot read the PDF", [Problem.at(place, exhausted(exc), code="READ_LIMIT")]) from None
    except UnsupportedPdfminer as exc:  # an untested pdfminer.six without the functions the bounds replace
        raise ReadError("cannot read the PDF", [Problem(source, f"{exc} ({install_hint('pdf')})")]) from None
    finally:
        _release_reserve()


def _notes(budget: Budget, source: str) -> list[Problem]:
    """What the bounds clipped and the damaged streams pdfminer recovered, located."""
    out = []
    for note in budget.notes:
        place = Place(source, page=note.page)
        out.append(Problem.at(place, note.message, code=note.code, severity=note.severity))
    return out


def _parse(pdfplumber: Any, data: bytes, source: str, limits: Limits, budget: Budget) -> Document:
    problems: list[Problem] = []
    try:
        pdf = _guard(lambda: pdfplumber.open(io.BytesIO(data)), source)
    except LimitReached as exc:
        raise ReadError("cannot read the PDF", [_limit_problem(exc, source, None)]) from None
    pages: list[list[tuple[float, _Table | _Line]]] = []
    chars = 0
    empty: list[int] = []
    scans: list[_Scan] = []  # the pages whose text layer is not read: their pictures are (OCR)
    read: list[int] = []  # the numbers of the pages read, those of ``pages``
    try:  # pdfplumber decoded the document information when it opened the file: a dict, read once
        info = _guard(lambda: pdf.metadata, source)
    except (ReadError, LimitReached):
        info = None
    try:
        iterator = _iter_pages(pdf, limits.max_pages, budget)
        number = 0
        while True:
            budget.page = number + 1
            try:
                page = _guard(lambda: next(iterator, None), source, number + 1)
            except ReadError as exc:
                if number == 0:
                    raise
                problems.extend(_page_problems(exc))
                break
            except LimitReached as exc:
                if number == 0:
                    raise ReadError("cannot read the PDF", [_limit_problem(exc, source, None)]) from None
                problems.append(_limit_problem(exc, source, number + 1))
                break
            if page is None:
                break
            number += 1
            if number > limits.max_pages:
                place = Place(source, page=number)
                problems.append(
                    Problem.at(
                        place,
                        f"the PDF has more than {limits.max_pages} pages; only the first {limits.max_pages} were read",
                        code="READ_LIMIT",
                    )
                )
                break
            try:
                items = _guard(functools.partial(_page_items, page, number, source, problems), source, number)
                count = _guard(functools.partial(_count_chars, page), source, number)
                chars += count
                if count == 0:
                    empty.append(number)
                scan = _guard(functools.partial(_scan_of, page, number, len(pages)), source, number)
                if scan is not None:
                    scans.append(scan)
            except ReadError as exc:
                problems.extend(_page_problems(exc))
                continue
            except LimitReached as exc:
                problems.append(_limit_problem(exc, source, number))
                if exc.limit in _DOCUMENT_LIMITS:
                    break
                continue
            finally:
                page.close()
                _hold_reserve()  # given back if this page ran out of memory: set aside again for the next
            pages.append(items)
            read.append(number)
    finally:
        with contextlib.suppress(Exception):  # closing a damaged file must not hide the reason it failed
            pdf.close()
    problems.extend(_notes(budget, source))
    if number == 0:
        raise ReadError("cannot read the PDF", [Problem(source, "the PDF has no pages", code="READ_NOT_A_REPORT")])
    cells = CellBudget(limits.max_cells)  # the cells all the document's tables may expand to
    scanned = {scan.number for scan in scans}
    text_read = any(n not in scanned and n not in empty for n in read)  # pages read from their text
    pictures = _read_scans(data, scans, source, limits, problems, cells, text_read=text_read)
    for index in pictures:
        pages[index] = []  # read from its picture: its text layer (a header, an invisible layer) is not
    if chars:  # a page without text in a PDF with text: a scanned page, or a content stream that would not decode
        for n in empty:
            if n in scanned:
                continue  # read by OCR, or said to need it
            place = Place(source, page=n)
            problems.append(
                Problem.at(
                    place,
                    "the page has no text (a scanned or damaged page?); nothing on it could be read",
                    code="READ_PAGE_NO_TEXT",
                    severity="warning",
                )
            )
    if chars == 0 and not scans:  # nothing drawn that OCR could read either (an empty or vector-only file)
        problems.append(
            Problem(
                source,
                "the PDF has no text layer (a scan?); its figures cannot be read without OCR",
                code="READ_NOT_A_REPORT",
                place=Place(source, page=1),
            )
        )
    blocks = _blocks(pages, source, limits, problems, pictures, cells)
    return Document(source, tuple(blocks), tuple(problems), _info_title(info, source))


@attrs.frozen
class _Scan:
    """A page whose text layer is not read as it is: why, and how many pixels its pictures store."""

    number: int  #: the page's number (from 1)
    index: int  #: its index among the pages read
    reason: str  #: why it needs OCR (:func:`._pictures.needs_ocr`)
    largest: int  #: pixels of its largest picture, as stored in the file
    pixels: int  #: pixels of all its pictures


def _scan_of(page: Any, number: int, index: int) -> _Scan | None:
    """The page as a :class:`_Scan` when it must be read from its picture, else ``None``."""
    text = page_text(
        page.chars,
        page.images,
        float(page.width),
        float(page.height),
        invisible=int(getattr(page, "invisible_chars", 0)),
        curves=len(page.curves),
    )
    reason = needs_ocr(text)
    if reason is None:
        return None
    stored = [_stored_pixels(picture) for picture in page.images]
    return _Scan(number, index, reason, max(stored, default=0), sum(stored))


def _stored_pixels(picture: dict[str, Any]) -> int:
    size = picture.get("srcsize")
    if not isinstance(size, tuple | list) or len(size) != 2:
        return 0
    width, height = size
    if not isinstance(width, int | float) or not isinstance(height, int | float):
        return 0
    if not (math.isfinite(width) and math.isfinite(height)):
        return 2**62
    return int(max(width, 0)) * int(max(height, 0))


#: A page's pictures may store this many times ``Limits.max_image_pixels`` in all (rendering decodes them all).
_STORED_PIXELS = 4


def _unavailable(source: str, numbers: Sequence[int], *, text_read: bool) -> Problem:
    """One problem for every page that needs OCR when the engine is not installed."""
    what = "page" if len(numbers) == 1 else "pages"
    tail = (
        "the pages with a text layer were read"
        if text_read
        else "no page has a text layer to read: the report's figures are not read"
    )
    return Problem.at(
        Place(source, page=numbers[0]),
        f"{what} {page_list(numbers)} must be read from the page's picture (a scan), and the OCR engine is "
        f"not installed: install it with: {install_hint('ocr')}; {tail}",
        code="READ_OCR_UNAVAILABLE",
        severity="warning" if text_read else "error",
    )


def _read_scans(
    data: bytes,
    scans: Sequence[_Scan],
    source: str,
    limits: Limits,
    problems: list[Problem],
    cells: CellBudget,
    *,
    text_read: bool,
) -> dict[int, list[Block]]:
    """The blocks OCR reads from the pictures of the pages that need it, by the page's index.

    Each page is rendered (:class:`._pictures.PageRenderer`) and handed to
    :func:`._ocr.picture_blocks`, at most ``limits.max_images`` pages. Without the OCR engine, one
    ``READ_OCR_UNAVAILABLE`` problem names the pages (their text layer, if any, is read as it is).
    """
    if not scans:
        return {}
    numbers = [scan.number for scan in scans]
    if not _ocr.ocr_available():
        problems.append(_unavailable(source, numbers, text_read=text_read))
        return {}
    out: dict[int, list[Block]] = {}
    renderer = PageRenderer(data, limits)
    try:
        for k, scan in enumerate(scans):
            place = Place(source, page=scan.number)
            if k >= limits.max_images:
                problems.append(
                    Problem.at(
                        place,
                        f"{len(scans)} pages must be read from their pictures, more than Limits.max_images = "
                        f"{limits.max_images}; pages {page_list(numbers[k:])} were not read",
                        code="READ_LIMIT",
                    )
                )
                break
            if scan.largest > limits.max_image_pixels or scan.pixels > _STORED_PIXELS * limits.max_image_pixels:
                problems.append(
                    Problem.at(
                        place,
                        f"the page's pictures store {scan.pixels} pixels (the largest {scan.largest}); rendering "
                        f"it would decode them all (Limits.max_image_pixels = {limits.max_image_pixels}); "
                        "the page was not read",
                        code="READ_LIMIT",
                    )
                )
                continue
            try:
                shot = renderer.render(scan.number)
            except ReadError as exc:
                message = "; ".join(p.message for p in exc.problems)
                problems.append(Problem.at(place, f"{message}; the page was not read", code="READ_PAGE"))
                continue
            if isinstance(shot, str):
                problems.append(Problem.at(place, f"{shot}; the page was not read", code="READ_LIMIT"))
                continue
            found: list[Problem] = []
            try:
                blocks = _ocr.picture_blocks(
                    shot.png, source=source, page=scan.number, image=1, limits=limits, problems=found, budget=cells
                )
            except ReadError as exc:
                if any(p.code == "READ_OCR_UNAVAILABLE" for p in exc.problems):
                    problems.append(_unavailable(source, numbers[k:], text_read=text_read or bool(out)))
                    break
                problems.extend(exc.problems)
                continue
            except (MemoryError, RecursionError):
                raise
            except Exception as exc:  # the engine's own failure: this page is not read, the others are
                problems.append(
                    Problem.at(
                        place,
                        f"the OCR engine failed on the page's picture ({type(exc).__name__}: {str(exc)[:200]}); "
                        "the page was not read",
                        code="READ_PAGE",
                    )
                )
                continue
            problems.extend(found)
            problems.append(
                Problem.at(
                    place,
                    f"the page was read from its picture by OCR ({scan.reason}), rendered at {shot.dpi} dpi "
                    f"({shot.size[0]} × {shot.size[1]} pixels)",
                    code="READ_PAGE_OCR",
                    severity="info",
                )
            )
            out[scan.index] = list(blocks)
    finally:
        renderer.close()
    return out


#: Characters of the document information's /Title kept (a title is a line or two).
_MAX_INFO_CHARS = 400


def _info_title(info: Any, source: str) -> tuple[MetaText, ...]:
    """The document information's ``/Title`` as pdfplumber decoded it (a text only), bounded."""
    title = info.get("Title") if isinstance(info, dict) else None
    if not isinstance(title, str):
        return ()
    text = " ".join(title[:_MAX_INFO_CHARS].split())
    return (MetaText("title", text, Place(source, cell="PDF /Title")),) if text else ()


read_pdf: Reader = make_reader(
    assembled(parse_pdf),
    __name__,
    "pdf",
    "PDF",
    doc="""Read a report from a PDF with a text layer (a path, bytes or a binary stream).

    ``agency``, ``year`` and ``edition`` supply or override what the title and tables say;
    ``strict=True`` refuses misprinted labels instead of reading them with a warning; ``name`` is
    the name problems and provenance give the source (by default its path). Needs the ``pdf``
    extra (``pip install 'gongkai-model[pdf]'``).

    >>> from gongkai_model.formats.pdf import read_pdf
    >>> got = read_pdf("tests/data/cases/huaian-hongze-qu-2024.pdf")  # doctest: +SKIP
    >>> got.report.agency, got.report.year, str(got.provenance["table3.new_received.total"].place)  # doctest: +SKIP
    ('淮安市洪泽区人民政府', 2024, 'tests/data/cases/huaian-hongze-qu-2024.pdf, page 3, table 2, row 4, column 10')
    """,
)
