"""A noted cell lifted out of its table by a conversion, put back only where its cell is certain.

A cell printed on two lines (a figure and its remark, ``22`` / ``（其中修订16件）``) is often lifted
out of its table by the tools that turn PDFs and Word files into text or Markdown: the figure and
its remark land on lines of their own just above (or below) the table, and the row that held them
prints an empty cell. :func:`put_back` puts such a figure back, ONLY when

- the lifted lines are the lines of the table's section immediately before its first grid (or
  immediately after its last), and among them there is exactly one figure (with at most one
  remark in brackets, on its line or on the line beside it);
- every cell of the table was found by its labels, and exactly one of them is printed empty (a
  blank mark such as ``/`` is a printed blank, not an empty cell); and
- every identity the cell takes part in then holds (no blank among its members); a cell that
  takes part in none is put back only with its remark (a bare number beside a table may be a page
  number, a remark is what makes a converter lift a cell).

The figure put back reads as if printed in its cell with its remark (``22（其中修订16件）``: the
value 22, the note ``（其中修订16件）`` kept in provenance), with ``Provenance.how == "lifted"`` and
one ``READ_LIFTED`` warning. Where a lifted figure is seen but its cell is not certain, nothing is
put back: the cells stay as read and one ``READ_LIFTED_UNPLACED`` warning says why.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import attrs

from ..errors import Place, Problem
from ..model.identities import holds, identities
from ..model.layout import Shape, layout
from ..model.spec import Value
from ..presentation import sheet_name
from ._document import Block, Document, GridCell
from ._values import parse_value

__all__ = ["Lifted", "put_back"]

#: The section (index from 0) of each statutory table.
_SECTION = {"二": 1, "三": 2, "四": 3}
#: A remark on a line of its own: one bracketed text (``（其中修订16件）``).
_REMARK = re.compile(r"^[（(][^（()）]{1,80}[）)]$")
#: Lines looked at on each side of a table (a lifted cell is a line or two).
_MAX_LINES = 8
#: Characters of a line that can be a lifted figure or remark.
_MAX_CHARS = 100


@attrs.frozen
class Lifted:
    """What was put back: model path → the printed cell standing for it, and the problems to add."""

    cells: dict[str, GridCell]
    problems: list[Problem]


@attrs.frozen
class _Line:
    text: str
    place: Place
    figure: bool  #: a figure (possibly with its remark on the same line), else a remark alone


def _classify(text: str) -> bool | None:
    """``True`` for a figure line, ``False`` for a remark line, ``None`` for anything else."""
    t = text.strip()
    if not t or len(t) > _MAX_CHARS:
        return None
    if _REMARK.match(t):
        return False
    for kind in (Value.COUNT, Value.AMOUNT):
        parsed = parse_value(t, kind)
        if parsed.problem is None and parsed.value is not None:
            return True
    return None


def _lines(block: Block, backwards: bool) -> tuple[list[tuple[str, Place]], bool]:
    """The lines of a text block nearest the table first (at most a few dozen), and whether there were more."""
    most = 4 * _MAX_LINES
    parts = block.text.rsplit("\n", most) if backwards else block.text.split("\n", most)
    more = len(parts) > most
    if more:
        parts = parts[1:] if backwards else parts[:-1]
    first = block.text.count("\n") - len(parts) + 1 if backwards else 0
    out = []
    for k, part in enumerate(parts, first):
        place = block.place if block.place.line is None else attrs.evolve(block.place, line=block.place.line + k)
        out.append((part[: _MAX_CHARS + 1], place))
    return (out[::-1] if backwards else out), more


def _run(blocks: Sequence[Block], backwards: bool) -> list[_Line]:
    """The figure and remark lines next to the table, nearest first.

    ``blocks`` are the text blocks between the table and its section's heading (or the next one),
    nearest the table first.
    """
    out: list[_Line] = []
    for block in blocks:
        lines, more = _lines(block, backwards)
        for text, place in lines:
            if not text.strip():
                continue
            kind = _classify(text)
            if kind is None or len(out) >= _MAX_LINES:
                return out
            out.append(_Line(text.strip(), place, kind))
        if more:
            return out  # a long block: what is beyond is not next to the table
    return out


def _section(doc: Document, section: int, order: Sequence[tuple[int, int]]) -> tuple[int, int] | None:
    for k, (bi, index) in enumerate(order):
        if index == section:
            return bi + 1, order[k + 1][0] if k + 1 < len(order) else len(doc.blocks)
    return None


def put_back(
    doc: Document,
    order: Sequence[tuple[int, int]],
    misplaced: set[int],
    shape: Shape,
    cells: dict[str, GridCell],
    by_order: frozenset[str],
) -> Lifted:
    """The lifted figures of ``doc`` put back where their cell is certain (see the module's docstring).

    ``order`` is (block, section) of the headings found, ``misplaced`` the grids left out, ``cells``
    the printed cell of every model path found, ``by_order`` the tables read by order (left alone).
    """
    out: dict[str, GridCell] = {}
    problems: list[Problem] = []
    for table, section in _SECTION.items():
        if table in by_order:
            continue
        span = _section(doc, section, order)
        if span is not None:
            got = _table(doc, span, misplaced, table, shape, cells, problems)
            if got is not None:
                out[got[0]] = got[1]
    return Lifted(out, problems)


def _table(
    doc: Document,
    span: tuple[int, int],
    misplaced: set[int],
    table: str,
    shape: Shape,
    cells: dict[str, GridCell],
    problems: list[Problem],
) -> tuple[str, GridCell] | None:
    """The lifted figure of one table's section put back: (model path, printed cell), or ``None``."""
    all_cells = layout(shape)
    start, end = span
    grids = [j for j in range(start, end) if doc.blocks[j].grid is not None and j not in misplaced]
    if not grids:
        return None
    before = [doc.blocks[j] for j in range(grids[0] - 1, start - 1, -1)]
    after = [doc.blocks[j] for j in range(grids[-1] + 1, end)]
    before = before[: next((k for k, b in enumerate(before) if b.kind == "table"), len(before))]
    after = after[: next((k for k, b in enumerate(after) if b.kind == "table"), len(after))]
    sides = [_run(before, backwards=True), _run(after, backwards=False)]
    figures = [x for side in sides for x in side if x.figure]
    if not figures:
        return None
    mine = [c for c in all_cells if c.table == table]
    empty = [c for c in mine if c.path in cells and not cells[c.path].text.strip()]
    if not empty:
        return None  # no empty cell: the lines are no lifted cell
    index_of = {c.path: i for i, c in enumerate(all_cells)}
    first = figures[0]
    name = sheet_name(table)

    def unplaced(why: str, label: str = name) -> None:
        problems.append(
            Problem.at(
                first.place,
                f"{first.text!r} printed beside {name} looks like a figure lifted out of the table; {why}, so "
                "nothing is put back (the cells stay as printed)",
                label,
                code="READ_LIFTED_UNPLACED",
                severity="warning",
            )
        )

    side = next(s for s in sides if any(x.figure for x in s))
    remarks = [x for x in side if not x.figure]
    if len(figures) > 1 or len(remarks) > 1 or (remarks and len(side) != 2):
        unplaced(f"{len(figures)} figure line(s) and {len(remarks)} remark line(s) are printed there, not one")
        return None
    missing = [c for c in mine if c.path not in cells]
    if missing:
        unplaced(f"{len(missing)} cell(s) of the table were not found, so the figure's cell is not certain")
        return None
    if len(empty) > 1:
        unplaced(f"{len(empty)} of its cells are printed empty, so the figure's cell is not certain")
        return None
    cell = empty[0]
    label = f"{cell.row} × {cell.column}"
    text = first.text + (remarks[0].text if remarks else "")
    parsed = parse_value(text, cell.kind, unit=cell.spec.unit)
    if parsed.problem is not None or parsed.value is None:
        unplaced(f"it is not a figure of the one empty cell ({cell.row!r} × {cell.column!r})", label=label)
        return None
    values: list[object] = [None] * len(all_cells)
    for c in all_cells:
        printed = cells.get(c.path)
        if printed is not None:
            values[index_of[c.path]] = parse_value(printed.text, c.kind, unit=c.spec.unit).value
    values[index_of[cell.path]] = parsed.value
    mine_ids = [i for i in identities(shape) if index_of[cell.path] in i.members]
    failed = [i.code for i in mine_ids if holds(i, values) is not True]
    if failed:
        unplaced(
            f"in the one empty cell ({cell.row!r} × {cell.column!r}) it would not satisfy {', '.join(failed)}",
            label=label,
        )
        return None
    if not mine_ids and parsed.note is None:
        unplaced(
            f"it has no remark and the one empty cell ({cell.row!r} × {cell.column!r}) takes part in no identity "
            "that could confirm it (a bare number beside a table may be a page number)",
            label=label,
        )
        return None
    confirmed = f"; confirmed by {', '.join(sorted({i.code for i in mine_ids}))}" if mine_ids else ""
    problems.append(
        Problem.at(
            first.place,
            f"{text!r} was printed outside {name}, whose only empty cell is {cell.row!r} × {cell.column!r}: put "
            f"back there{confirmed}",
            label,
            code="READ_LIFTED",
            severity="warning",
        )
    )
    return cell.path, attrs.evolve(cells[cell.path], text=text, place=first.place)
