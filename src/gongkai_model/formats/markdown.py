"""Markdown: reports as converters of PDFs and Word files write them (markitdown, pandoc, docling style).

Tables are pipe tables (``| a | b |``, a ``|---|`` separator under the first row, ``\\|`` for a
pipe inside a cell, ``<br>`` for a line break inside a cell); headings are ``#`` lines or whole
bold lines (``**一、总体情况**``). Markdown has no merged cells: converters repeat a merged cell's
text over its box, or leave the covered cells blank. :func:`parse_markdown` rebuilds the boxes
before the shared locator runs:

- equal label texts side by side or one above the other are one merged label (a figure or a
  blank is never merged);
- a figure (or a blank) followed by blanks, under a merged header that covers exactly those
  columns, is one merged value cell (as published, 表二's single figures under a wide header);
- a row label printed alone, with its figures on the next row (and nothing else there), is
  joined to them (a label detached from its values).
- a header row with fewer cells than the value rows under it (the empty cells over the label
  columns dropped) is right-aligned onto the value columns where only that fits
  (:func:`_short_headers`), else not read, never read one column off.

A table split into several consecutive tables is stacked back by the shared core (same width,
no headers of its own). :func:`render_markdown` writes a report so, repeating merged labels, and
escapes the texts (:func:`escape_prose`): no line of prose reads back as a table, a heading or HTML.

>>> import gongkai_model as gk
>>> page = render_markdown(gk.examples.seed_report())
>>> got = read_markdown(page.encode())
>>> got.ok, got.report.table4.reconsideration.total
(True, 0)
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from typing import Any

import attrs

from ..errors import Place, Problem
from ..labels import normalize_label
from ..limits import DEFAULT_LIMITS, Limits
from ..model.layout import get_path
from ..model.report import AnnualReport
from ..presentation import SheetPlan, figure_text
from ._assemble import could_head
from ._document import Block, CellBudget, Document, Grid, Span
from ._order import is_footer
from ._reader import Reader, assembled, make_reader
from .text import (
    MAX_CELL_CHARS,
    CellCounter,
    Labels,
    LineTables,
    ProseRun,
    cut_cell,
    is_figure,
    parse_lines,
    printed_sections,
    short_heading,
    title_of,
)

__all__ = ["escape_prose", "parse_markdown", "read_markdown", "render_markdown", "unescape_prose"]

_HEADING = re.compile(r"^ {0,3}#{1,6}(?:\s+|$)(?P<text>.*?)(?:\s+#+)?\s*$")
_BOLD_LINE = re.compile(r"^\s*(?:\*\*|__)(?P<text>[^*_].*?)(?:\*\*|__)\s*[:：]?\s*$")
_RULE = re.compile(r"^ {0,3}([-*_])(?:\s*\1){2,}\s*$")
_SEPARATOR = re.compile(r"^\s*:?-+:?\s*$")
_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)
_BOLD = re.compile(r"(\*\*|__)(.+?)\1")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
#: A cell of a pipe-table line: runs of plain characters and backslash escapes, up to the next pipe.
_CELL = re.compile(r"(?:[^\\|]+|\\.?)*", re.DOTALL)
#: A line longer than this is prose: never a heading, whatever its first characters.
_MAX_HEADING_LINE = 1000


@attrs.define
class _MCell:
    text: str
    line: int


def _split_pipes(body: str, most: int) -> tuple[list[str], bool]:
    """The pipe-separated parts of ``body`` (at most ``most``; whether there were more), in linear time."""
    if "\\" not in body:
        parts = body.split("|", most)
        return (parts[:most], True) if len(parts) > most else (parts, False)
    cells: list[str] = []
    pos = 0
    while True:
        m = _CELL.match(body, pos)
        assert m is not None  # the pattern matches the empty string
        if len(cells) == most:
            return cells, True
        cells.append(m.group())
        pos = m.end()
        if pos >= len(body):
            return cells, False
        pos += 1  # the pipe


def _split_row(line: str, most: int) -> tuple[list[str], bool]:
    """The cells of a pipe-table line (``\\|`` is a pipe inside a cell): at most ``most``, and whether more."""
    body = line.strip()
    cells, more = _split_pipes(body, most + 2)
    if body.startswith("|"):
        cells = cells[1:]
    if not more and body.endswith("|") and not body.endswith("\\|") and cells:
        cells = cells[:-1]
    if len(cells) > most:
        return cells[:most], True
    return cells, more


def _cell_text(raw: str) -> str:
    if not any(ch in raw for ch in "<*_\\&\n"):
        return raw.strip()  # nothing to undo (most cells: labels and figures)
    text = _BR.sub("\n", raw)
    text = _BOLD.sub(r"\2", text)
    text = _ESCAPE.sub(r"\1", text)
    text = html.unescape(text)
    return "\n".join(part.strip() for part in text.split("\n")).strip()


def _is_table_line(line: str) -> bool:
    stripped = line.lstrip(" ")
    return len(line) - len(stripped) <= 3 and stripped.startswith("|")


def unescape_prose(line: str) -> str:
    r"""A prose line as Markdown shows it: backslash escapes and HTML character references undone.

    >>> unescape_prose(r"a \| b &lt;script&gt; \*x\* &amp;amp;")
    'a | b <script> *x* &amp;'
    """
    return html.unescape(_ESCAPE.sub(r"\1", line)) if ("\\" in line or "&" in line) else line


def _scan(lines: Sequence[str], source: str, problems: list[Problem], limits: Limits) -> list[tuple[str, Any]]:
    """Blocks of prose and tables (rows of cells with their lines), in reading order.

    Table cells are counted against ``limits.max_cells`` before they are built (a line gives at most
    ``limits.max_columns``); prose lines are unescaped (:func:`unescape_prose`).
    """
    out: list[tuple[str, Any]] = []
    prose = ProseRun(source, out, unescape_prose)
    table: list[list[_MCell]] | None = None
    expected: int | None = 0
    counter = CellCounter(limits, source, problems)
    wide = False  # a row of the current table printed more cells than max_columns (said once per table)

    def end_table() -> None:
        nonlocal table
        if table:
            out.append(("table", table))
        table = None

    for n, line in enumerate(lines, 1):
        if _is_table_line(line):
            if table is None:
                prose.flush()
                table = []
                wide = False
            if counter.refused:
                continue
            raw, more = _split_row(line, limits.max_columns)
            if more and not wide:
                wide = True
                problems.append(
                    Problem(
                        f"{source}, line {n}",
                        f"a table row prints more than {limits.max_columns} cells (Limits.max_columns); "
                        "only the first are read",
                        code="READ_LIMIT",
                        place=Place(source, line=n),
                    )
                )
            if raw and all(len(c) <= 100 and _SEPARATOR.match(c) for c in raw):
                continue
            if not counter.take(len(raw), n):
                continue
            texts = (_cell_text(c) if len(c) <= 4 * MAX_CELL_CHARS else c for c in raw)
            table.append([_MCell(cut_cell(text, n, source, problems), n) for text in texts])
            continue
        end_table()
        if _RULE.match(line):
            prose.flush()
            continue
        short = len(line) <= _MAX_HEADING_LINE
        marked = (_HEADING.match(line) or _BOLD_LINE.match(line)) if short else None
        body = _cell_text(marked.group("text")) if marked else line.strip() if short else ""
        index = short_heading(body, expected) if short else None
        if marked or index is not None:
            prose.flush()
            if body:
                out.append(("block", Block("heading" if marked else "paragraph", body, Place(source, line=n))))
            if index is not None:
                prose.seen_heading = True
                expected = index + 1
        else:
            prose.add(n, line)
    end_table()
    prose.flush()
    return out


def _join_detached(rows: list[list[_MCell]], labels: Labels) -> list[list[_MCell]]:
    """A row label printed alone with its figures on the next row: one row."""
    out: list[list[_MCell]] = []
    i = 0
    while i < len(rows):
        row = rows[i]
        hits = [k for k, c in enumerate(row) if labels.row(c.text) is not None]
        if hits and i + 1 < len(rows):
            k = hits[-1]
            nxt = rows[i + 1]
            rest = nxt[k + 1 :]
            if (
                len(nxt) == len(row)
                and all(not c.text for c in row[k + 1 :])
                and all(not c.text or c.text == row[j].text for j, c in enumerate(nxt[: k + 1]))
                and all(not c.text or is_figure(c.text) for c in rest)
                and any(c.text for c in rest)
            ):
                out.append([*row[: k + 1], *rest])
                i += 2
                continue
        out.append(row)
        i += 1
    return out


def _label_like(text: str) -> bool:
    return bool(text) and not is_figure(text)


_VOID = (-1, -1)


def _short_rows(
    rows: list[list[_MCell]], labels: Labels, source: str, number: int, problems: list[Problem]
) -> dict[int, int]:
    """Rows with figures printed with fewer cells than the table: row index → first column not read.

    A converter that drops the cells a merged box covers (markdownify does, for ``rowspan``) shifts
    the figures of such rows to the left; they cannot be placed under their headers, so they are
    refused (the label is kept), never read one column off.
    """
    width = max((len(r) for r in rows), default=0)
    out: dict[int, int] = {}
    for i, row in enumerate(rows):
        if len(row) >= width or not any(is_figure(c.text) for c in row):
            continue
        hits = [k for k, c in enumerate(row) if labels.row(c.text) is not None]
        start = hits[-1] + 1 if hits else 0
        out[i] = start
        line = row[0].line
        place = Place(source, table=number, row=i + 1, line=line)
        problems.append(
            Problem.at(
                place,
                f"this row prints {len(row)} cells where its table has {width}: a converter dropped merged cells, "
                "so its figures cannot be placed under their headers and are left blank",
                row[hits[-1]].text.strip() if hits else None,
                code="READ_UNALIGNED",
            )
        )
    return out


def _short_headers(
    rows: list[list[_MCell]], labels: Labels, source: str, number: int, problems: list[Problem]
) -> list[list[_MCell]]:
    """Header rows printed with fewer cells than the value rows under them, aligned where only one way fits.

    A converter that drops a table's empty leading header cells (the corner above the label
    columns) prints a header row short; read from the left, its column labels would stand over the
    label columns and the figures one column off. Such a row (a column label of the tables among its
    cells over the label columns of the value rows below, as far as their labels reach) is
    right-aligned onto the value columns when it has exactly as many cells as those rows have value
    columns (the missing cells are the leading label columns); otherwise it is left out
    (``READ_UNALIGNED``: the columns it names are not found, their cells blank), never read one
    column off.
    """
    width = max((len(r) for r in rows), default=0)
    valued = [any(is_figure(c.text) or labels.row(c.text) is not None for c in r) for r in rows]
    # from the end: the next value row's width and how far the labels of the value rows below reach
    nxt: list[int] = [0] * (len(rows) + 1)
    reach: list[int] = [0] * (len(rows) + 1)
    for i in range(len(rows) - 1, -1, -1):
        nxt[i], reach[i] = nxt[i + 1], reach[i + 1]
        if valued[i]:
            nxt[i] = len(rows[i])
            reach[i] = max(reach[i], *(k + 1 for k, c in enumerate(rows[i]) if _label_like(c.text) or k == 0))
    out: list[list[_MCell]] = []
    for i, row in enumerate(rows):
        if not row or len(row) >= width or valued[i] or nxt[i + 1] < width:
            out.append(row)
            continue
        lead = reach[i + 1]  # the label columns
        keys = labels.header_keys
        if not any(len(c.text) <= MAX_CELL_CHARS and normalize_label(c.text) in keys for c in row[:lead]):
            out.append(row)  # read from the left, as printed: no column label over the label columns
            continue
        missing = width - len(row)
        if missing == lead:
            out.append([*(_MCell("", c.line) for c in row[:missing]), *row])
            continue
        problems.append(
            Problem.at(
                Place(source, table=number, row=i + 1, line=row[0].line),
                f"this header row prints {len(row)} cells over rows of {width} ({width - lead} of them figures): "
                "its column labels cannot be placed over their columns one way only, so it is not read",
                None,
                code="READ_UNALIGNED",
            )
        )
    return out


def _boxes(rows: list[list[_MCell]], labels: Labels, void: dict[int, int]) -> list[list[tuple[int, int, int, _MCell]]]:
    """Each row's cells that start a box there: ``(column, rowspan, colspan, cell)``, in column order."""
    height = len(rows)
    width = max((len(r) for r in rows), default=0)
    grid = [[r[c] if c < len(r) else _MCell("", r[-1].line if r else 0) for c in range(width)] for r in rows]

    def row_label(text: str) -> bool:
        hit = labels.row(text)
        return hit is not None and hit[0].table != "四"

    # header rows: labels, no figure and no row of 表二/表三 (whose figures may all be blank)
    header = [
        any(_label_like(x.text) for x in row) and not any(is_figure(x.text) or row_label(x.text) for x in row)
        for row in grid
    ]
    owner: list[list[tuple[int, int] | None]] = [[None] * width for _ in range(height)]
    for r, start in void.items():
        owner[r][start:] = [_VOID] * (width - start)
    box: dict[tuple[int, int], tuple[int, int]] = {}  # top-left → (bottom, right)
    nearest: list[tuple[int, int] | None] = [None] * width  # per column, the box of the last label above
    for r in range(height):
        for c in range(width):
            if owner[r][c] is not None:
                continue
            text = grid[r][c].text
            right = c
            bottom = r
            if _label_like(text):
                while right + 1 < width and owner[r][right + 1] is None and grid[r][right + 1].text == text:
                    right += 1
                while bottom + 1 < height and all(
                    owner[bottom + 1][x] is None and grid[bottom + 1][x].text == text for x in range(c, right + 1)
                ):
                    bottom += 1
                if (right, bottom) == (c, r) and header[r]:
                    # a merged header printed once, its box left blank (markdownify, pandoc)
                    while right + 1 < width and owner[r][right + 1] is None and not grid[r][right + 1].text:
                        right += 1
                    while (
                        bottom + 1 < height
                        and header[bottom + 1]
                        and all(
                            owner[bottom + 1][x] is None and not grid[bottom + 1][x].text for x in range(c, right + 1)
                        )
                    ):
                        bottom += 1
            if (right, bottom) == (c, r) and not header[r] and labels.row(text) is None:  # a row label: its own box
                right = _value_right(grid, owner, box, nearest[c], r, c)
            for y in range(r, bottom + 1):
                for x in range(c, right + 1):
                    owner[y][x] = (r, c)
            box[(r, c)] = (bottom, right)
            if _label_like(text):
                for x in range(c, right + 1):
                    nearest[x] = (r, c)
    out: list[list[tuple[int, int, int, _MCell]]] = []
    for r in range(height):
        out.append(
            [(c, box[(r, c)][0] - r + 1, box[(r, c)][1] - c + 1, grid[r][c]) for c in range(width) if (r, c) in box]
        )
    return out


def _value_right(
    grid: list[list[_MCell]],
    owner: list[list[tuple[int, int] | None]],
    box: dict[tuple[int, int], tuple[int, int]],
    top: tuple[int, int] | None,
    r: int,
    c: int,
) -> int:
    """The last column of a figure (or blank) at ``(r, c)``: across the merged header above it, the rest blank.

    ``top`` is the box of the nearest label above ``(r, c)`` in its column.
    """
    if top is None:
        return c
    right = box[top][1]
    if top[1] != c or right == c:
        return c
    text = grid[r][c].text
    covered = range(c + 1, right + 1)
    if all(owner[r][x] is None and grid[r][x].text in ("", text) for x in covered) and (
        text or all(not grid[r][x].text for x in covered)
    ):
        return right
    return c


def _bounded(
    rows: list[list[_MCell]], source: str, number: int, limits: Limits, budget: CellBudget, problems: list[Problem]
) -> list[list[_MCell]]:
    """The rows of a table whose grid (every row padded to the widest) stays within the limits, before it is built.

    Markdown has no merges to expand, but a short row is padded to the table's width: one wide row
    over many short ones would make width × height cells out of a few bytes.
    """
    width = max((len(r) for r in rows), default=0)
    cap = min(limits.max_cells, budget.left)
    keep = min(len(rows), limits.max_rows, cap // width if width else len(rows))
    if keep < len(rows):
        line = rows[keep][0].line if rows[keep] else 0
        place = Place(source, table=number, row=keep + 1, line=line)
        problems.append(
            Problem.at(
                place,
                f"the table has {len(rows)} rows of up to {width} cells, more than the reading limits allow "
                f"(Limits.max_rows, Limits.max_cells for the document); only its first {keep} rows are read",
                code="READ_LIMIT",
            )
        )
    return rows[:keep]


def _without_footers(rows: list[list[_MCell]], source: str, number: int, problems: list[Problem]) -> list[list[_MCell]]:
    """The rows but the page footers a conversion left in the table (``— 3 —``, ``第3页``), each dropped with a note.

    Left in, a footer row would read as a header over the figures below it.
    """
    out: list[list[_MCell]] = []
    dropped: list[tuple[str, int]] = []
    for row in rows:
        texts = [c.text.strip() for c in row if c.text.strip()]
        if texts and all(is_footer(t) for t in texts):
            dropped.append((texts[0], row[0].line))
            continue
        out.append(row)
    if dropped:  # one note per table
        text, line = dropped[0]
        more = f" (and {len(dropped) - 1} more)" if len(dropped) > 1 else ""
        problems.append(
            Problem.at(
                Place(source, table=number, line=line),
                f"{text!r} inside the table is a page footer; dropped{more}",
                None,
                code="READ_FOOTER_DROPPED",
                severity="info",
            )
        )
    return out


def _grid(
    rows: list[list[_MCell]],
    labels: Labels,
    source: str,
    number: int,
    limits: Limits,
    problems: list[Problem],
    budget: CellBudget | None = None,
) -> Grid:
    rows = _without_footers(rows, source, number, problems)
    rows = _short_headers(rows, labels, source, number, problems)
    void = _short_rows(rows, labels, source, number, problems)
    spans = [
        [
            Span(
                cell.text, rowspan, colspan, place=Place(source, table=number, row=r + 1, column=x + 1, line=cell.line)
            )
            for x, rowspan, colspan, cell in row
        ]
        for r, row in enumerate(_boxes(rows, labels, void))
    ]
    return Grid.build(spans, Place(source, table=number), limits, problems, budget)


def _markdown_table(region: Any, context: LineTables) -> list[Grid]:
    """The grid of one pipe table (rows detached from their label joined back, merged cells expanded)."""
    c = context
    c.tables += 1
    rows = _bounded(region, c.source, c.tables, c.limits, c.budget, c.problems)
    return [_grid(_join_detached(rows, c.labels), c.labels, c.source, c.tables, c.limits, c.problems, c.budget)]


def parse_markdown(data: bytes | str, *, source: str = "<markdown>", limits: Limits = DEFAULT_LIMITS) -> Document:
    """The :class:`Document` of a Markdown file: headings, paragraphs and pipe tables (as grids) in reading order."""
    return parse_lines(data, source, limits, _scan, _markdown_table)


read_markdown: Reader = make_reader(
    assembled(parse_markdown),
    __name__,
    "markdown",
    "Markdown file",
    doc="""Read a report from Markdown (a path, bytes or a binary stream), as
    :func:`~gongkai_model.formats.read_html` does.

    Every figure's provenance names its table, row, column and line
    (``Place(source, table=2, row=5, column=4, line=61)``).
    """,
)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", "<br>")


#: Characters escaped with a backslash anywhere in prose (emphasis, code, links, tables, strike-through).
_INLINE = frozenset("\\`*_[]|~")
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"}
#: Characters that open a block (heading, list, quote, rule, setext underline) at the start of a line.
_LEADING = frozenset("#-+=")
_ORDERED = re.compile(r"\d+(?=[.)])")


def escape_prose(line: str) -> str:
    """A prose line as Markdown that every renderer shows as this very text (and :func:`read_markdown` reads back).

    Pipes and the other inline syntax are backslash-escaped, ``&``, ``<`` and ``>`` are character
    references (no raw HTML passes through), white space at the line's start is a character
    reference (never a code block), a character that would open a block at the start is escaped,
    and a line worded like a section heading starts with a character reference.

    >>> escape_prose("| 行政许可 | 5 |"), escape_prose("<script>alert(1)</script>")
    ('\\\\| 行政许可 \\\\| 5 \\\\|', '&lt;script&gt;alert(1)&lt;/script&gt;')
    >>> escape_prose("  # 1. 二、主动公开政府信息情况")
    '&#32;&#32;\\\\# 1. 二、主动公开政府信息情况'
    """
    body = line.lstrip(" \t")
    lead = "".join(f"&#{ord(ch)};" for ch in line[: len(line) - len(body)])
    out = "".join(_ENTITIES.get(ch) or ("\\" + ch if ch in _INLINE else ch) for ch in body)
    if body[:1] in _LEADING:
        out = "\\" + out
    elif (m := _ORDERED.match(out)) is not None:
        out = out[: m.end()] + "\\" + out[m.end() :]
    elif body and could_head(body.strip()):
        out = f"&#{ord(body[0])};" + out[1:]
    trailing = len(out) - len(out.rstrip(" \t"))
    if trailing:  # trailing white space is a line break in Markdown, and trimmed by editors
        out = out[: len(out) - trailing] + "".join(f"&#{ord(ch)};" for ch in out[len(out) - trailing :])
    return lead + out


def _table(report: AnnualReport, plan: SheetPlan, repeat: bool) -> list[str]:
    """The plan's table below its title: merged labels repeated over their box (or printed once), figures once."""
    top = min(lab.row for lab in plan.labels if lab.kind != "title")
    bottom = max([lab.last_row for lab in plan.labels] + [v.row for v in plan.values])
    cells = [[""] * plan.width for _ in range(top, bottom + 1)]
    for lab in plan.labels:
        if lab.kind == "title":
            continue
        for y in range(lab.row, lab.last_row + 1 if repeat else lab.row + 1):
            for x in range(lab.col, lab.last_col + 1 if repeat else lab.col + 1):
                cells[y - top][x - 1] = lab.text
    for v in plan.values:
        cells[v.row - top][v.col - 1] = figure_text(get_path(report, v.cell.path))
    lines = ["| " + " | ".join(_escape(c) for c in row) + " |" for row in cells]
    lines.insert(1, "|" + "---|" * plan.width)
    return lines


def render_markdown(report: AnnualReport, *, merged: str = "repeat") -> str:
    """The report as Markdown: ``#`` title, ``##`` the six numbered headings, texts, pipe tables.

    Merged labels are repeated over their box (``merged="repeat"``, as docling writes them) or
    printed once with the rest of their box blank (``merged="blank"``, as markdownify and pandoc
    write them); a figure merged across columns is printed once with blanks beside it. Either way
    :func:`read_markdown` reads it back to the same report. The texts are escaped
    (:func:`escape_prose`): no line of prose can be read as a table, a heading or raw HTML.
    """
    if merged not in ("repeat", "blank"):
        raise ValueError(f"merged must be 'repeat' or 'blank', not {merged!r}")
    lines = [f"# {escape_prose(title_of(report))}", ""]
    for heading, text, plan in printed_sections(report):
        lines += [f"## {heading}", ""]
        if plan is not None:
            lines += [*_table(report, plan, merged == "repeat"), ""]
        elif text:
            lines += [*(escape_prose(line) for line in text.split("\n")), ""]
    return "\n".join(lines)
