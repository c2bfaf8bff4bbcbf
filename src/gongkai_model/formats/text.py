"""Plain-text copies of reports: the text a reader gets by copying a published page, or a converter's output.

Text has no grid. A copied table prints each cell after a tab, one cell per line, a blank line
after each table row (the seed report), or one row per line with its cells separated by tabs; a
label broken inside its cell continues on the next line (``商业`` / ``企业``), and a row label
wrapped onto the next line by a converter, its figures on either line, is joined where the joined
text is a statutory row label and neither piece a label alone (:func:`join_wrapped`). Paragraphs and
headings are lines without a tab.

:func:`parse_text` turns the line stream into a :class:`~gongkai_model.formats.Document` with a
*sequence adapter*: in each printed row, a cell that is a row label of the model is followed by
that row's cells, blanks included; their number must be the number of columns the model has for
that row (from :func:`gongkai_model.model.layout`), else the row is refused (a located problem, its
cells blank), because text offers nothing else to align figures by. Header lines become header
cells above the value columns, placed by their labels, so the shared locator finds every figure
by row and column label like in any other form. A label and figures that ran together
(``行政许可396442278``) are no label and no figure: they are refused, never split.

A table row printed as a token stream (``行政许可 125 84 125``: labels of the tables and figures
separated by white space, as an archive's or a crawler's text rendering prints it) is a table
line like a line of tabs (:func:`flat_tokens`). A row whose figures ran together (``规章 000``)
is split only where one split is possible (:func:`split_run`): read with a ``READ_SPLIT``
warning, its figures marked ``split`` in provenance; otherwise refused.

:func:`render_text` writes a report as such a copy (one table row per line, cells after tabs); a
prose line that would read as a table row or a heading is escaped behind a backslash
(:func:`escape_line`), and :func:`parse_text` reads such a line back as the prose it was.

>>> import gongkai_model as gk
>>> text = render_text(gk.examples.seed_report())
>>> got = read_text(text.encode())
>>> got.ok, got.report.table3.results.total.total, got.report.other_matters.text
(True, 0, '无。')
"""

from __future__ import annotations

import functools
import re
import warnings
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import attrs

from ..errors import Place, Problem
from ..labels import normalize_label
from ..limits import DEFAULT_LIMITS, Limits
from ..model.identities import identities
from ..model.layout import Cell, RowInfo, Shape, get_path, label_index, layout, rows, shape_of
from ..model.report import NUMERALS, AnnualReport
from ..model.spec import Value
from ..presentation import SheetPlan, figure_text, plans, section_headings, section_texts
from ..records import infer_edition, infer_shape
from ._assemble import PROSE, could_head, find_heading
from ._document import Block, BlockKind, CellBudget, Document, Grid, Span, maker
from ._locate import known_labels
from ._reader import Reader, assembled, make_reader
from ._values import parse_value

__all__ = [
    "LineTables",
    "ProseRun",
    "cut_cell",
    "decode_text",
    "escape_line",
    "parse_lines",
    "parse_text",
    "read_text",
    "render_text",
    "unescape_line",
]

_TRAILING_FIGURES = re.compile(r"[0-9.,，]+$")
_LINE = re.compile(r"\r\n|\r|\n")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: A table cell longer than this is no label and no figure; it is cut (and refused) before matching.
MAX_CELL_CHARS = 2000
#: A line longer than this is never taken as a heading or a label broken across lines.
_MAX_SHORT = 200
#: Lines before the first heading read one by one (the title is looked for among them); later ones are prose.
_TITLE_LINES = 32
#: A line that continues the label of the cell above is at most this long.
_MAX_CONTINUATION = 20

#: A span made without the frozen ``__init__`` (``_codegen.maker``: a fast path; the thorough one is ``Span``).
_make_span = maker(Span)


def decode_text(data: bytes) -> tuple[str, bool]:
    """The text of ``data`` and whether it decoded cleanly: UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030.

    The rules are the shared ones of :func:`~gongkai_model.formats._encoding.decode_bytes` (a text
    file declares nothing).

    >>> import codecs
    >>> decode_text("年度报告".encode("gb18030")), decode_text(codecs.BOM_UTF16_LE + "年度报告".encode("utf-16-le"))
    (('年度报告', True), ('年度报告', True))
    """
    from ._encoding import decode_bytes  # imported here: the rest of this module is another part's

    decoded = decode_bytes(data)
    return decoded.text, decoded.clean


def clean_text(data: bytes | str, source: str, problems: list[Problem]) -> str:
    """Decoded text without NUL and other control characters (said so), shared with the Markdown reader."""
    from ._encoding import decode_bytes

    if isinstance(data, bytes):
        decoded = decode_bytes(data)
        text = decoded.text
        if decoded.note is not None:
            problems.append(
                Problem(
                    source,
                    decoded.note,
                    code="READ_ENCODING",
                    severity="warning",
                    place=Place(source),
                )
            )
    else:
        text = data
    if text.startswith("\ufeff"):
        text = text[1:]
    stripped = _CONTROL.sub("", text)
    if len(stripped) != len(text):
        problems.append(
            Problem(
                source,
                f"{len(text) - len(stripped)} control character(s) (NUL …) removed before reading",
                code="READ_CONTROL_CHARS",
                severity="warning",
                place=Place(source),
            )
        )
    return stripped


def split_lines(text: str) -> list[str]:
    """Lines as an editor numbers them (``\\r\\n``, ``\\r`` or ``\\n``; no other separators)."""
    return _LINE.split(text)


def bounded_text(text: str, source: str, limits: Limits, problems: list[Problem]) -> str:
    """``text`` within ``limits.max_chars`` (a document's characters): the rest is not read, and said so.

    A real report is a few hundred thousand characters; the bound keeps every later step (lines,
    blocks, cells) proportional to it, whatever the file holds.
    """
    if len(text) <= limits.max_chars:
        return text
    line = text.count("\n", 0, limits.max_chars) + 1
    problems.append(
        Problem(
            f"{source}, line {line}",
            f"the text has {len(text)} characters where the limit is {limits.max_chars} (Limits.max_chars); "
            "only its first part is read",
            code="READ_LIMIT",
            severity="warning",
            place=Place(source, line=line),
        )
    )
    return text[: limits.max_chars]


class CellCounter:
    """The table cells one document may still print (``Limits.max_cells``), counted before they are built."""

    def __init__(self, limits: Limits, source: str, problems: list[Problem]) -> None:
        self.cap = self.left = limits.max_cells
        self.source = source
        self.problems = problems
        self.refused = False

    def take(self, n: int, line: int) -> bool:
        """Whether ``n`` more cells (printed on ``line``) may be built; the first refusal is said."""
        if n <= self.left:
            self.left -= n
            return True
        if not self.refused:
            self.refused = True
            self.problems.append(
                Problem(
                    f"{self.source}, line {line}",
                    f"the tables print more cells than the {self.cap} one document may have (Limits.max_cells); "
                    "table lines from here on are not read",
                    code="READ_LIMIT",
                    place=Place(self.source, line=line),
                )
            )
        self.left = 0
        return False


# --- prose that cannot be read as a table: escaped lines -----------------------------------------------

#: A prose line :func:`render_text` escaped starts with this mark; ``\\``, ``\\t`` and ``\\r`` in it
#: are a backslash, a tab and a carriage return.
ESCAPE_MARK = "\\"
_UNESCAPE = re.compile(r"\\([\\tr])")
_UNESCAPED = {"\\": "\\", "t": "\t", "r": "\r"}


@functools.cache
def table_words() -> frozenset[str]:
    """Every normalised label a table of some shape prints: rows, groups, banners, headers, corners, notes."""
    return known_labels().union(*(Labels.of(s).words for s in Shape.all(subtotal=True)))


def flat_tokens(line: str, limit: int) -> tuple[list[str], int] | None:
    """The cells of a line printed as a token stream (labels and figures separated by white space), or ``None``.

    Every token must be a label of the tables or a figure (a blank-like mark included); the second
    value counts the labels. At most ``limit`` tokens are split off; a line holding more is no such
    row (its last token keeps the rest of the line, and is no label or figure).

    >>> flat_tokens("行政许可 125 84 125", 1000)
    (['行政许可', '125', '84', '125'], 1)
    >>> flat_tokens("本年度 无", 1000) is None
    True
    """
    tokens = line.split(None, limit)
    words = table_words()
    labels = 0
    for token in tokens:
        if len(token) <= _MAX_SHORT and normalize_label(token) in words:
            labels += 1
        elif not is_figure(token):
            return None
    return (tokens, labels) if tokens else None


def _label_with_figures(line: str) -> bool:
    """Whether a prose line would be read as a table row printed as a token stream (labels and figures)."""
    found = flat_tokens(line, DEFAULT_LIMITS.max_columns)
    return found is not None and found[1] > 0


def needs_escape(line: str) -> bool:
    """Whether a prose line would be read as something else (a table row, a heading, an escaped line)."""
    return (
        "\t" in line
        or "\r" in line
        or "|" in line
        or line.startswith(ESCAPE_MARK)
        or could_head(line.strip())
        or _label_with_figures(line)
    )


def escape_line(line: str) -> str:
    r"""A prose line as :func:`render_text` prints it: as is, or behind :data:`ESCAPE_MARK` when needed.

    >>> escape_line("本年度无。"), escape_line("行政许可\t5"), escape_line("二、主动公开政府信息情况")
    ('本年度无。', '\\行政许可\\t5', '\\二、主动公开政府信息情况')
    """
    if not needs_escape(line):
        return line
    return ESCAPE_MARK + line.replace("\\", "\\\\").replace("\t", "\\t").replace("\r", "\\r")


def unescape_line(line: str) -> str:
    """The prose line an escaped line (one starting with :data:`ESCAPE_MARK`) stands for."""
    return _UNESCAPE.sub(lambda m: _UNESCAPED[m.group(1)], line[len(ESCAPE_MARK) :])


@functools.lru_cache(maxsize=65536)
def is_figure(text: str) -> bool:
    """Whether a printed cell is a figure or a blank-like mark (as the one value parser reads it)."""
    if not text.strip() or len(text) > _MAX_SHORT:
        return False
    for kind in (Value.SIGNED, Value.AMOUNT):
        parsed = parse_value(text, kind)
        if parsed.value is not None or parsed.mark is not None:
            return True
    return False


def short_heading(text: str, expected: int | None) -> int | None:
    """The section a short line heads (as the shared core decides), or ``None``."""
    if len(text) > _MAX_SHORT or not text.strip():
        return None
    hit = find_heading(text, expected)
    return hit[0] if hit else None


# --- the model's labels, per shape ---------------------------------------------------------------


@attrs.frozen(eq=False)
class Labels:
    """What the sequence adapters need to know of a shape's labels (all derived from the model)."""

    shape: Shape
    row_keys: dict[str, RowInfo]
    columns: dict[str, tuple[Cell, ...]]
    column_keys: dict[str, frozenset[str]]  #: model path of a cell → its normalised column labels
    header_keys: frozenset[str]  #: every normalised column label and header above columns
    words: frozenset[str]  #: every normalised label of the official layout (corners and notes included)

    @staticmethod
    @functools.cache
    def of(shape: Shape) -> Labels:
        index = label_index(shape)
        columns: dict[str, list[Cell]] = {}
        for c in layout(shape):
            columns.setdefault(c.row_info.path, []).append(c)
        words = frozenset(normalize_label(x.text) for p in plans(shape) for x in p.labels if x.kind != "title")
        return Labels(
            shape,
            {k: rs[0] for k, rs in index.rows.items()},
            {k: tuple(v) for k, v in columns.items()},
            dict(index.column_keys),
            index.headers,
            words,
        )

    def row(self, text: str) -> tuple[RowInfo, bool] | None:
        """The row ``text`` labels: exactly (or a declared variant), or as a close misprint (``False``)."""
        return _row_of(self, text) if len(text) <= _MAX_SHORT else None

    def _row(self, text: str) -> tuple[RowInfo, bool] | None:
        key = normalize_label(text)
        if not key:
            return None
        hit = self.row_keys.get(key)
        if hit is not None:
            return hit, True
        fuzzy = self._fuzzy(key)
        return (fuzzy, False) if fuzzy is not None else None

    def _fuzzy(self, key: str) -> RowInfo | None:
        return _fuzzy_row(self.shape, key)

    def run_together(self, text: str) -> str | None:
        """The row label that ``text`` starts with when figures follow it with no separator (never split)."""
        key = normalize_label(text) if len(text) <= _MAX_SHORT else ""
        m = _TRAILING_FIGURES.search(key)
        if m is None or m.start() == 0:
            return None
        hit = self.row(key[: m.start()])
        return hit[0].label if hit is not None else None

    def is_label(self, text: str) -> bool:
        """Whether ``text`` is some label of the tables (row, group, banner, header, note)."""
        key = normalize_label(text) if len(text) <= _MAX_SHORT else ""
        return bool(key) and (
            key in known_labels() or key in self.words or key in self.row_keys or self._fuzzy(key) is not None
        )


@functools.lru_cache(maxsize=65536)
def _row_of(labels: Labels, text: str) -> tuple[RowInfo, bool] | None:
    """:meth:`Labels.row`, remembered: a table prints the same cell texts (figures, labels) over and over."""
    return labels._row(text)


@functools.lru_cache(maxsize=8192)
def _fuzzy_row(shape: Shape, key: str) -> RowInfo | None:
    """The one row whose label ``key`` is a close misprint of (as the shared locator judges), or ``None``."""
    if key in known_labels() or len(key) < 2 or any(ch.isdigit() for ch in key[2:]) or is_figure(key):
        return None
    path = label_index(shape).fuzzy.best(key)
    return None if path is None else next(r for r in rows(shape) if r.path == path)


@functools.cache
def row_identities(shape: Shape, path: str) -> tuple[tuple[tuple[int, ...], tuple[int, ...]], ...]:
    """The identities within one row (its totals), as ``(lhs, rhs)`` positions among the row's cells."""
    cells = layout(shape)
    mine = {i: k for k, i in enumerate(i for i, c in enumerate(cells) if c.row_info.path == path)}
    return tuple(
        (tuple(mine[i] for i in x.lhs), tuple(mine[i] for i in x.rhs))
        for x in identities(shape)
        if all(i in mine for i in x.members)
    )


#: Digits of one row's run-together figures the splitter tries (beyond, only one digit per cell is split).
MAX_SPLIT_DIGITS = 40
#: Candidate splits the splitter weighs for one row before it gives up (refuses the row).
MAX_SPLITS = 20_000
_DIGITS = re.compile(r"[0-9]+")


def split_run(
    texts: Sequence[str], n: int, ids: Sequence[tuple[Sequence[int], Sequence[int]]] = ()
) -> list[tuple[int, str]] | None:
    """``texts`` (a row's printed figures) as ``n`` cells when only one split is possible, else ``None``.

    A text of ASCII digits may be cut into several figures (none with a leading zero); any other
    text (a mark, a decimal) stays one cell. The split is returned when it is the only one, or the
    only one that satisfies the row's identities ``ids`` (``(lhs, rhs)`` positions among the ``n``
    cells: ``sum(lhs) == sum(rhs)``); each cell is ``(index into texts, text)``. Nothing is guessed:
    a row with more than :data:`MAX_SPLIT_DIGITS` digits is split only digit by digit (as many digits
    as cells), and a row with more than :data:`MAX_SPLITS` candidates is refused.

    >>> split_run(["1000001"], 7)
    [(0, '1'), (0, '0'), (0, '0'), (0, '0'), (0, '0'), (0, '0'), (0, '1')]
    >>> split_run(["12"], 1), split_run(["1234"], 2), split_run(["5", "27"], 3, [((2,), (0, 1))])
    ([(0, '12')], None, [(0, '5'), (1, '2'), (1, '7')])
    """
    cut = [_DIGITS.fullmatch(t) is not None for t in texts]
    digits = sum(len(t) for t, c in zip(texts, cut, strict=True) if c)
    fixed = sum(1 for c in cut if not c)
    if n - fixed < sum(cut) or n - fixed > digits:
        return None
    if n - fixed == digits:  # every digit a cell of its own: the one split there is
        return [(i, d) for i, t in enumerate(texts) for d in (t if cut[i] else (t,))]
    if digits > MAX_SPLIT_DIGITS:
        return None
    found: list[list[tuple[int, str]]] = []
    tried = 0
    chosen: list[tuple[int, str]] = []

    def holds(cells: Sequence[tuple[int, str]]) -> bool:
        values = [int(t) if cut[i] else None for i, t in cells]
        for lhs, rhs in ids:
            left = [values[k] for k in lhs]
            right = [values[k] for k in rhs]
            if any(v is None for v in left + right):
                return False
            if sum(v for v in left if v is not None) != sum(v for v in right if v is not None):
                return False
        return True

    def walk(i: int, at: int, left: int) -> bool:
        """Cells of texts[i][at:] and after; ``False`` when the candidates ran out of budget."""
        nonlocal tried
        tried += 1
        if tried > MAX_SPLITS:
            return False
        if i == len(texts):
            if left == 0 and holds(chosen):
                found.append(list(chosen))
            return True
        text = texts[i]
        if not cut[i]:
            chosen.append((i, text))
            ok = walk(i + 1, 0, left - 1)
            chosen.pop()
            return ok
        rest = len(text) - at
        if rest == 0:
            return walk(i + 1, 0, left)
        if left <= 0:
            return True
        ends = range(at + 1, at + 2) if text[at] == "0" else range(at + 1, len(text) + 1)
        for end in ends:
            chosen.append((i, text[at:end]))
            ok = walk(i, end, left - 1) if end < len(text) else walk(i + 1, 0, left - 1)
            chosen.pop()
            if not ok:
                return False
        return True

    if not walk(0, 0, n) or len(found) != 1:
        return None
    return found[0]


def shape_for(texts: Sequence[str]) -> Shape:
    """The shape the printed labels show (the same inference the shared core makes)."""
    edition, _ = infer_edition(texts, None)
    shape, _ = infer_shape(texts, edition)
    return shape


# --- the line stream -------------------------------------------------------------------------------


@attrs.define
class PCell:
    """A printed cell of a text table: its text and the line it starts on."""

    text: str
    line: int


@attrs.define
class _Region:
    rows: list[list[PCell]] = attrs.field(factory=list)
    single: list[bool] = attrs.field(factory=list)  #: whether the row is printed one cell per line
    open: bool = False
    blanks: int = 0
    flat: bool = False  #: the region's last row was printed as a token stream (no tabs)


def cut_cell(text: str, line: int, source: str, problems: list[Problem]) -> str:
    """A table cell's text, cut (and refused with a ``READ_LIMIT`` problem) when longer than :data:`MAX_CELL_CHARS`."""
    if len(text) > MAX_CELL_CHARS:
        problems.append(
            Problem(
                f"{source}, line {line}",
                f"a table cell of {len(text)} characters is no label and no figure; it is not read",
                code="READ_LIMIT",
                place=Place(source, line=line),
            )
        )
        text = text[:40] + "…"
    return text


def _cell(text: str, line: int, source: str, problems: list[Problem]) -> PCell:
    return PCell(cut_cell(text, line, source, problems), line)


class ProseRun:
    """The prose lines of a line format's scan, gathered into paragraph blocks (text and Markdown alike).

    Up to :data:`_TITLE_LINES` blocks and before the first heading each line is a block of its own
    (the title is looked for among them); later, consecutive lines are one block, read as prose
    once a heading was seen or when a line was escaped.
    """

    def __init__(self, source: str, out: list[tuple[str, Any]], unescape: Callable[[str], str] = str) -> None:
        self.source = source
        self.out = out
        self.unescape = unescape
        self.lines: list[tuple[int, str]] = []
        self.seen_heading = False
        self.escaped = False  #: the run holds an escaped line

    def flush(self) -> None:
        """The run so far as one block (blank lines around it dropped)."""
        run = self.lines
        while run and not run[-1][1].strip():
            run.pop()
        while run and not run[0][1].strip():
            run.pop(0)
        if run:
            text = "\n".join(self.unescape(t) for _, t in run)
            kind: BlockKind = PROSE if self.seen_heading or self.escaped else "paragraph"
            self.out.append(("block", Block(kind, text, Place(self.source, line=run[0][0]))))
        run.clear()
        self.escaped = False

    def add(self, n: int, line: str, *, escaped: bool = False) -> None:
        """Line ``n``: a block of its own among the first lines, else part of the run."""
        alone = not self.seen_heading and len(self.out) < _TITLE_LINES
        if alone:
            self.flush()
        self.lines.append((n, line))
        self.escaped = self.escaped or escaped
        if alone:
            self.flush()


@functools.cache
def statutory_rows() -> frozenset[str]:
    """Every normalised row label (and declared variant) of every shape."""
    return frozenset(k for s in Shape.all(subtotal=True) for k in label_index(s).rows)


def _piece(text: str) -> bool:
    """Whether a printed text can be a piece of a row label wrapped over two lines: no figure, no label itself."""
    if not text.strip() or len(text) > _MAX_SHORT or is_figure(text):
        return False
    key = normalize_label(text)
    return bool(key) and key not in statutory_rows() and key not in table_words()


def wrapped(first: str, second: str) -> bool:
    """Whether ``first`` and ``second`` are one row label wrapped over two lines (or cells) by a conversion.

    Only when their joined text is a statutory row label and neither piece is a label alone.

    >>> from gongkai_model.model import Edition, Shape, rows
    >>> denied = [r.label for r in rows(Shape(Edition.FORMAT_2021, False)) if ".denied." in r.path]
    >>> wrapped("3.危及“三安全", "一稳定”"), wrapped(denied[0], denied[1]), wrapped("行政", "许可")
    (True, False, True)
    """
    return (
        _piece(first)
        and _piece(second)
        and len(first) + len(second) <= _MAX_SHORT
        and normalize_label(first + second) in statutory_rows()
    )


def join_wrapped(printed: list[list[PCell]]) -> list[list[PCell]]:
    """Printed rows with row labels wrapped over two lines (or two cells) by a conversion joined back.

    A label cell continued in the next cell of its row (one cell per line), or on the next printed
    row, with the figures after the first piece (the second piece alone on its line) or after the
    second: joined into one cell where :func:`wrapped` says so, before any label is matched.
    """
    out: list[list[PCell]] = []
    i = 0
    while i < len(printed):
        row = list(printed[i])
        k = 0
        while k + 1 < len(row):  # pieces side by side in one printed row
            if wrapped(row[k].text.strip(), row[k + 1].text.strip()):
                row[k : k + 2] = [PCell(row[k].text.strip() + row[k + 1].text.strip(), row[k].line)]
            k += 1
        if i + 1 < len(printed):
            nxt = printed[i + 1]
            texts = [c.text.strip() for c in row]
            last = max((j for j, t in enumerate(texts) if t and not is_figure(t)), default=-1)
            head = next((j for j, c in enumerate(nxt) if c.text.strip()), -1)
            # the figures (blanks included) on the first line and the rest of the label alone on the next,
            # or the first piece last on its line and the figures after the rest
            below = last + 1 < len(row) and head + 1 == len(nxt)
            above = last + 1 == len(row) and all(not c.text.strip() or is_figure(c.text) for c in nxt[head + 1 :])
            if last >= 0 and head >= 0 and (below or above) and wrapped(texts[last], nxt[head].text.strip()):
                cell = PCell(texts[last] + nxt[head].text.strip(), row[last].line)
                out.append([*row[:last], cell, *(row[last + 1 :] if below else nxt[head + 1 :])])
                i += 2
                continue
        out.append(row)
        i += 1
    return out


def _continues(cell: PCell, line: str) -> bool:
    """Whether a line without a tab continues the label in ``cell`` (a label broken across lines)."""
    body = line.strip()
    return (
        bool(cell.text.strip())
        and not is_figure(cell.text)
        and 0 < len(body) <= _MAX_CONTINUATION
        and not is_figure(body)
        and short_heading(body, None) is None
    )


def _wrapped_label(row: list[PCell]) -> PCell | None:
    """The last label-like cell of a printed row followed only by figures (or blanks), if any."""
    for cell in reversed(row):
        if cell.text.strip() and not is_figure(cell.text):
            return cell
    return None


def _flat_next(lines: Sequence[str], n: int, limits: Limits) -> bool:
    """Whether line ``n + 1`` is a table row printed as a token stream (a label line above it is its table's)."""
    if n >= len(lines):
        return False
    found = flat_tokens(lines[n], limits.max_columns)
    return found is not None and found[1] > 0 and len(found[0]) > 1


def _scan(lines: Sequence[str], source: str, problems: list[Problem], limits: Limits) -> list[tuple[str, Any]]:
    """Paragraph blocks and table regions (printed rows of printed cells), in reading order.

    Table cells are counted against ``limits.max_cells`` before they are built, and a line is split
    into at most ``limits.max_columns`` cells. An escaped line (:data:`ESCAPE_MARK`) is prose.
    """
    out: list[tuple[str, Any]] = []
    prose = ProseRun(source, out)
    region: _Region | None = None
    expected: int | None = 0
    counter = CellCounter(limits, source, problems)

    def end_region() -> None:
        nonlocal region
        if region is not None and region.rows:
            out.append(("table", join_wrapped(region.rows)))  # before the shape is inferred from the labels
        region = None

    for n, line in enumerate(lines, 1):
        if line.startswith(ESCAPE_MARK):
            end_region()
            prose.add(n, unescape_line(line), escaped=True)
            continue
        if "\t" in line:
            if region is None:
                prose.flush()
                region = _Region()
            if counter.refused:
                continue
            fields = line.split("\t", limits.max_columns + 1)
            if not fields[0].strip():
                fields = fields[1:]
            if not counter.take(len(fields), n):
                continue
            cells = [_cell(f, n, source, problems) for f in fields]
            region.flat = False
            label = _wrapped_label(region.rows[-1]) if region.rows and not region.open and not region.blanks else None
            if len(cells) == 1 and label is not None and wrapped(label.text.strip(), cells[0].text.strip()):
                label.text = label.text.strip() + cells[0].text.strip()  # a label wrapped below its figures
                continue
            if len(cells) > 1:
                region.rows.append(cells)
                region.single.append(False)
                region.open = False
            else:
                if not region.open:
                    region.rows.append([])
                    region.single.append(True)
                    region.open = True
                region.rows[-1].extend(cells)
            region.blanks = 0
            continue
        if not line.strip():
            if region is not None:
                region.open = False
                region.blanks += 1
            else:
                prose.lines.append((n, line))
            continue
        flat = flat_tokens(line, limits.max_columns)
        if flat is not None and (
            (region is not None and region.flat and region.blanks == 0)
            or (flat[1] and (len(flat[0]) > 1 or _flat_next(lines, n, limits)))
        ):
            # a table row printed as a token stream: a label of the tables and figures, spaces between
            if region is None or not region.flat or region.blanks:
                end_region()
                prose.flush()
                region = _Region(flat=True)
            if not counter.refused and counter.take(len(flat[0]), n):
                region.rows.append([_cell(t, n, source, problems) for t in flat[0]])
                region.single.append(False)
                region.open = False
            region.blanks = 0
            continue
        if region is not None and not region.flat:
            last = region.rows[-1] if region.rows and region.rows[-1] else None
            if last is not None and region.blanks <= 1 and _continues(last[-1], line):
                last[-1].text += "\n" * (region.blanks + 1) + line.strip()
                region.open = region.single[-1]
                region.blanks = 0
                continue
            label = _wrapped_label(last) if last is not None and region.blanks == 0 else None
            if label is not None and wrapped(label.text.strip(), line.strip()):
                label.text = label.text.strip() + line.strip()  # a label wrapped below its figures
                continue
        end_region()
        index = short_heading(line.strip(), expected) if len(line) <= _MAX_SHORT else None
        if index is not None:
            prose.flush()
            out.append(("block", Block("paragraph", line.strip(), Place(source, line=n))))
            prose.seen_heading = True
            expected = index + 1
        else:
            prose.add(n, line)
    end_region()
    prose.flush()
    return out


# --- the sequence adapter --------------------------------------------------------------------------


class _Adapter:
    """Printed rows of one table region → grids with a row label, its cells, and headers above them."""

    def __init__(
        self,
        labels: Labels,
        source: str,
        limits: Limits,
        problems: list[Problem],
        first: int,
        budget: CellBudget | None = None,
    ) -> None:
        self.labels = labels
        self.budget = budget
        self.source = source
        self.limits = limits
        self.problems = problems
        self.number = first
        self.grids: list[Grid] = []
        self.spans: list[list[Span]] = []
        self.table: str | None = None
        self.pending: list[list[PCell]] = []
        self.refusing = False  #: the last header rows were printed out of the statutory order
        self.places: dict[int, Place] = {}  #: one place per line (a row's cells share it)
        four = [r for r in rows(labels.shape) if r.table == "四"]
        self.four_rows = four
        self.four_keys = {normalize_label(x) for r in four for x in (r.label, *r.spec.aliases, r.spec.banner) if x}

    def place(self, cell: PCell) -> Place:
        place = self.places.get(cell.line)
        if place is None:
            place = self.places[cell.line] = Place(self.source, line=cell.line)
        return place

    def span(self, cell: PCell, colspan: int = 1) -> Span:
        return _make_span(cell.text, 1, colspan, False, self.place(cell), False, None)

    def problem(self, cell: PCell, message: str, label: str | None, code: str) -> None:
        place = self.place(cell)
        self.problems.append(Problem.at(place, message, label, code=code))

    def flush(self) -> None:
        if self.spans:
            self.number += 1
            place = Place(self.source, table=self.number)
            self.grids.append(Grid.build(self.spans, place, self.limits, self.problems, self.budget))
        self.spans = []
        self.table = None

    def start(self, table: str) -> None:
        if self.table is not None and self.table != table:
            self.flush()
        self.table = table

    def orphan(self, cells: Sequence[PCell]) -> None:
        """A printed row with no label at all: kept as one grid row (no row label, so nothing reads it)."""
        if any(c.text.strip() for c in cells):
            self.spans.append([self.span(c) for c in cells])
            for cell in cells:
                self.check_run_together(cell)

    def loose(self, cells: Sequence[PCell]) -> None:
        """Printed cells that are no row of the model: kept in the grid, one per row, at the label column."""
        for cell in cells:
            if cell.text.strip():
                self.spans.append([self.span(cell)])
                self.check_run_together(cell)

    def check_run_together(self, cell: PCell) -> None:
        label = self.labels.run_together(cell.text)
        if label is not None:
            self.problem(
                cell,
                f"a label and figures ran together with no separator: {cell.text.strip()!r}; "
                "they are not split (the figures of that row are left blank)",
                label,
                "READ_RUN_TOGETHER",
            )

    def run(self, printed: list[list[PCell]]) -> list[Grid]:
        i = 0
        while i < len(printed):
            row = printed[i]
            hits = [(k, *hit) for k, cell in enumerate(row) if (hit := self.labels.row(cell.text)) is not None]
            keys = {normalize_label(c.text) for c in row if len(c.text) <= _MAX_SHORT}
            if any(r.table == "四" for _, r, _ in hits) or keys & self.four_keys:
                j = i + 1
                while j < len(printed) and not any(
                    (hit := self.labels.row(c.text)) is not None and hit[0].table != "四" for c in printed[j]
                ):
                    j += 1
                self.four(printed[i:j])
                i = j
                continue
            if not hits:
                if any(self.labels.is_label(c.text) for c in row):
                    self.pending.append(row)
                else:
                    self.orphan(row)
                i += 1
                continue
            i += 1
            before = row[: hits[0][0]]
            for h, (k, r, _) in enumerate(hits):
                end = hits[h + 1][0] if h + 1 < len(hits) else len(row)
                values = row[k + 1 : end]
                # Printed before the next row label (rows not ended by a blank line): its headers, group
                # labels and the blank cells of the groups merged over it (as many as the model has) are
                # that row's, not these values.
                carry: list[PCell] = []
                if h + 1 < len(hits):
                    while values and self.labels.is_label(values[-1].text):
                        carry.insert(0, values.pop())
                    groups = len(hits[h + 1][1].groups)
                    while values and len(carry) < groups and not values[-1].text.strip():
                        carry.insert(0, values.pop())
                n = len(self.labels.columns[r.path])
                if not values and h + 1 == len(hits) and i < len(printed) and self._detached(printed[i], n):
                    values = printed[i]
                    i += 1
                self.data(row[k], r, before, values, n)
                before = carry
        self.loose([c for p in self.pending for c in p])
        self.pending = []
        self.flush()
        return self.grids

    def _detached(self, nxt: list[PCell], n: int) -> bool:
        """Whether the next printed row holds the values of a label printed alone (a label detached from them)."""
        return (
            len(nxt) == n
            and all(not c.text.strip() or is_figure(c.text) for c in nxt)
            and any(c.text.strip() for c in nxt)
        )

    def data(self, label: PCell, r: RowInfo, before: Sequence[PCell], values: Sequence[PCell], n: int) -> None:
        self.start(r.table)
        cols = self.labels.columns[r.path]
        if any(normalize_label(c.text) in self.labels.header_keys for c in before if len(c.text) <= _MAX_SHORT):
            self.pending.append(list(before))  # header cells printed in the same row as the label
            before = ()
        self.headers(cols)
        self.loose(before)
        if self.refusing:
            self.spans.append([self.span(label)])
            return
        if len(values) != n and self.split(label, r, values, n):
            return
        if len(values) != n:
            self.problem(
                label,
                f"{len(values)} cell(s) follow the label of row {r.label!r} where 表{r.table} has {n} "
                "column(s) for it; "
                "text has no columns to align them by, so its cells are left blank",
                r.label,
                "READ_CELLS_MISCOUNTED",
            )
            self.spans.append([self.span(label)])
            return
        self.spans.append([self.span(label), *(self.span(v) for v in values)])

    def split(self, label: PCell, r: RowInfo, values: Sequence[PCell], n: int) -> bool:
        """Figures that ran together (``1000001``), split into the row's ``n`` cells where only one split is possible.

        Only a row printed as one run of digits is split (figures separated by spaces or tabs are
        cells as printed: fewer of them means cells are missing, not joined). The row is read (each
        cell marked ``split``, one ``READ_SPLIT`` warning) when :func:`split_run` finds the one split;
        otherwise nothing is added and the caller refuses the row.
        """
        texts = [v.text.strip() for v in values]
        if len(texts) != 1 or n < 2 or not is_figure(texts[0]):
            return False
        cells = split_run(texts, n, row_identities(self.labels.shape, r.path))
        if cells is None:
            return False
        printed = " ".join(texts)
        self.problems.append(
            Problem.at(
                self.place(label),
                f"the figures of row {r.label!r} ran together ({printed!r}); split into its {n} cells, the only "
                "split possible: " + " ".join(t for _, t in cells),
                r.label,
                code="READ_SPLIT",
                severity="warning",
            )
        )
        spans = [Span(t, place=self.place(values[i]), split=True) for i, t in cells]
        self.spans.append([self.span(label), *spans])
        return True

    def headers(self, cols: Sequence[Cell]) -> None:
        """The pending header rows, their labels placed above the value columns they name."""
        if not self.pending:
            return
        self.refusing = False
        width = len(cols) + 1
        for printed in self.pending:
            placed: list[tuple[int, int, PCell]] = []
            loose: list[PCell] = []
            for cell in printed:
                key = normalize_label(cell.text) if len(cell.text) <= _MAX_SHORT else ""
                if not key:
                    continue
                at = [j for j, c in enumerate(cols) if key in self.labels.column_keys[c.path]]
                if not at:
                    at = [j for j, c in enumerate(cols) if c.spec.header and normalize_label(c.spec.header) == key]
                if at and at == list(range(at[0], at[-1] + 1)):
                    placed.append((at[0], at[-1], cell))
                else:
                    loose.append(cell)
            self.loose(loose)
            for segment in self.levels(placed, cols):
                self.header_row(segment, width)
        self.pending = []

    def levels(self, placed: list[tuple[int, int, PCell]], cols: Sequence[Cell]) -> list[list[tuple[int, int, PCell]]]:
        """Header cells of one printed row split into header rows (a sub-header row follows its banner).

        Within a header row the columns must come in the statutory order; a column printed before
        one it follows makes the figures under them unpairable (text pairs figures by order), so
        the rows below are refused.
        """
        segments: list[list[tuple[int, int, PCell]]] = []
        banners: set[str] = set()
        for first, last, cell in placed:
            key = normalize_label(cell.text)
            if segments and first <= segments[-1][-1][0]:
                sub = {normalize_label(c.spec.header) for c in cols[first : last + 1] if c.spec.header}
                if len(sub) == 1 and sub <= banners and key not in banners:
                    segments.append([])
                else:
                    self.problem(
                        cell,
                        "the column headers are printed in another order than the statutory one; the figures "
                        "under them cannot be paired with their columns and are left blank",
                        None,
                        "READ_UNALIGNED",
                    )
                    self.refusing = True
                    segments.append([])
            if not segments:
                segments.append([])
            segments[-1].append((first, last, cell))
            if last > first:
                banners.add(key)
        return segments

    def header_row(self, placed: list[tuple[int, int, PCell]], width: int) -> None:
        spans: list[Span] = [Span("")]
        x = 1
        for first, last, cell in sorted(placed, key=lambda p: p[0]):
            while x < first + 1:
                spans.append(Span(""))
                x += 1
            if first + 1 < x:
                continue
            spans.append(self.span(cell, colspan=last - first + 1))
            x = last + 2
        while x < width:
            spans.append(Span(""))
            x += 1
        self.spans.append(spans)

    def four(self, printed: list[list[PCell]]) -> None:
        """表四: three blocks side by side; labels, then outcome headers, then the figures, in reading order."""
        self.start("四")
        if self.pending:
            self.loose([c for p in self.pending for c in p])
            self.pending = []
        blocks = self.four_rows
        col_keys = [self.labels.column_keys[c.path] for r in blocks for c in self.labels.columns[r.path]]
        all_cols = frozenset().union(*col_keys)
        found: list[tuple[RowInfo, PCell]] = []
        heads: list[PCell] = []
        banners: list[PCell] = []
        last = (-1, -1)
        for ri, row in enumerate(printed):
            for ci, cell in enumerate(row):
                key = normalize_label(cell.text) if len(cell.text) <= _MAX_SHORT else ""
                if not key:
                    continue
                hit = self.labels.row(cell.text)
                if hit is not None and hit[0].table == "四":
                    found.append((hit[0], cell))
                elif key in all_cols:
                    heads.append(cell)
                elif key in self.four_keys:
                    banners.append(cell)
                else:
                    continue
                last = (ri, ci)
        values: list[PCell] = []
        if last[0] >= 0:
            trailing = printed[last[0]][last[1] + 1 :]
            after = [c for row in printed[last[0] + 1 :] for c in row]
            values = [*trailing, *after] if any(c.text.strip() for c in trailing) else after
        self.loose(banners)
        x_spans: list[Span] = []
        for r, cell in found:
            x_spans.append(self.span(cell, colspan=len(self.labels.columns[r.path])))
        if x_spans:
            self.spans.append(x_spans)
        if heads:
            self.spans.append([self.span(c) for c in heads])
        ok = (
            [r.path for r, _ in found] == [r.path for r in blocks]
            and len(heads) == len(col_keys)
            and all(normalize_label(h.text) in keys for h, keys in zip(heads, col_keys, strict=False))
            and len(values) == len(col_keys)
        )
        if ok:
            self.spans.append([self.span(v) for v in values])
            return
        anchor = found[0][1] if found else (heads[0] if heads else printed[0][0] if printed[0] else PCell("", 0))
        self.problem(
            anchor,
            f"表四 prints {len(found)} of its {len(blocks)} block labels, {len(heads)} outcome headers and "
            f"{len(values)} cell(s) after them where the statutory table has {len(col_keys)} in order; "
            "text has no columns to align them by, so its cells are left blank",
            "表四",
            "READ_CELLS_MISCOUNTED",
        )
        # the refused figures are not put in the grid: at its left they would stand under the first
        # outcome header (表四's grid has no label column), and be read there


@attrs.define
class LineTables:
    """What a line format's table hook is given: the labels of the shape shown, the bounds, the problems so far.

    ``tables`` counts the tables made so far; the hook adds the ones it makes.
    """

    labels: Labels
    source: str
    limits: Limits
    problems: list[Problem]
    budget: CellBudget  #: the cells all the document's tables may expand to
    tables: int = 0


#: A line format's scan: the lines into paragraph blocks (``("block", Block)``) and table regions (``("table", rows)``).
Scan = Callable[[Sequence[str], str, list[Problem], Limits], list[tuple[str, Any]]]
#: A line format's table hook: one table region into its grids.
TableHook = Callable[[Any, LineTables], list[Grid]]


def parse_lines(data: bytes | str, source: str, limits: Limits, scan: Scan, table: TableHook) -> Document:
    """The one skeleton of the line formats (plain text, Markdown): decode, bound, scan lines, build tables.

    The text is decoded and cleaned (:func:`clean_text`), bounded (:func:`bounded_text`) and split
    into lines; ``scan`` cuts them into paragraph blocks and table regions, the shape the tables
    show is inferred from all their cells, and ``table`` (the format's hook) builds each region's
    grids, which become table blocks in reading order.
    """
    problems: list[Problem] = []
    text = clean_text(data, source, problems)
    if not text.strip():
        return Document(source, (), (*problems, Problem(source, "the text is empty", code="READ_NOT_A_REPORT")))
    text = bounded_text(text, source, limits, problems)
    parts = scan(split_lines(text), source, problems, limits)
    texts = [c.text for kind, region in parts if kind == "table" for row in region for c in row]
    context = LineTables(Labels.of(shape_for(texts)), source, limits, problems, CellBudget(limits.max_cells))
    blocks: list[Block] = []
    for kind, part in parts:
        if kind == "block":
            blocks.append(part)
            continue
        for grid in table(part, context):
            body = "\n".join("\t".join(c.text for c in row if c) for row in grid.rows)
            blocks.append(Block("table", body, grid.place, grid))
    return Document(source, tuple(blocks), tuple(problems))


def _text_tables(region: Any, context: LineTables) -> list[Grid]:
    """The grids of one table region of a plain-text copy (columns by tabs, runs of spaces or figures)."""
    c = context
    adapter = _Adapter(c.labels, c.source, c.limits, c.problems, c.tables, c.budget)
    grids = list(adapter.run(region))
    c.tables = adapter.number
    return grids


def parse_text(data: bytes | str, *, source: str = "<text>", limits: Limits = DEFAULT_LIMITS) -> Document:
    """The :class:`Document` of a plain-text copy: paragraphs, headings and tables (as grids) in reading order."""
    return parse_lines(data, source, limits, _scan, _text_tables)


read_text: Reader = make_reader(
    assembled(parse_text),
    __name__,
    "text",
    "text",
    doc="""Read a report from a plain-text copy (a path, bytes or a binary stream).

    ``agency``, ``year`` and ``edition`` supply or override what the title and tables say;
    ``strict=True`` refuses misprinted labels instead of reading them with a warning; ``name`` is
    the name problems and provenance give the source (by default its path). Every figure's
    provenance is its line (``Place(source, line=N)``).
    """,
)


# --- rendering ---------------------------------------------------------------------------------------


def title_of(report: AnnualReport) -> str:
    """The report's title as published."""
    return report.title


def printed_sections(report: AnnualReport) -> Iterator[tuple[str, str | None, SheetPlan | None]]:
    """``(heading, text, table plan)`` of the six sections as printed, in order.

    Not to be confused with ``checks._structure.sections()``, the model's six section fields.
    """
    by_table = {p.table: p for p in plans(shape_of(report))}
    texts = section_texts(report)
    for i, (heading, attr, _) in enumerate(section_headings()):
        yield heading, texts.get(attr), by_table.get(NUMERALS[i])


def sections(report: AnnualReport) -> Iterator[tuple[str, str | None, SheetPlan | None]]:
    """Deprecated alias of :func:`printed_sections` (the name is the checks' too, with other results)."""
    warnings.warn(
        "gongkai_model.formats.text.sections is deprecated; use gongkai_model.formats.text.printed_sections",
        DeprecationWarning,
        stacklevel=2,
    )
    return printed_sections(report)


def plan_rows(report: AnnualReport, plan: SheetPlan) -> list[list[tuple[int, int, int, str]]]:
    """The plan's rows below its title: ``(first col, last col, last row, text)`` of the cells starting there."""
    by_row: dict[int, list[tuple[int, int, int, str]]] = {}
    for label in plan.labels:
        if label.kind != "title":
            by_row.setdefault(label.row, []).append((label.col, label.last_col, label.last_row, label.text))
    for v in plan.values:
        by_row.setdefault(v.row, []).append((v.col, v.last_col, v.row, figure_text(get_path(report, v.cell.path))))
    return [sorted(by_row[r]) for r in sorted(by_row)]


def render_text(report: AnnualReport) -> str:
    """The report as a plain-text copy: title, the six numbered headings, texts, tables one row per line.

    Each table row is printed as its cells after tabs, label cells once (where their merged box
    starts) and every figure in the column order of the model, blanks included, so that
    :func:`read_text` reads it back to the same report. A prose line that would be read as
    something else (a tab, a pipe, a heading's wording, a label followed by figures, a carriage
    return, a leading backslash) is escaped (:func:`escape_line`), and read back as printed.
    """
    lines = [escape_line(title_of(report)), ""]
    for heading, text, plan in printed_sections(report):
        lines.append(heading)
        if plan is not None:
            for row in plan_rows(report, plan):
                lines.append("\t" + "\t".join(t for _, _, _, t in row))
        elif text:
            lines.extend(escape_line(line) for line in text.split("\n"))
        lines.append("")
    return "\n".join(lines)
