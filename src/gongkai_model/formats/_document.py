"""What every reader produces: a document of blocks in order, tables as grids of printed cells.

A reader's only job is to turn its format into a :class:`Document`; finding the tables, matching
labels, parsing figures and building the report are shared (:mod:`._locate`, :mod:`._values`,
:mod:`._assemble`).

>>> from gongkai_model.errors import Place
>>> grid = Grid.build([[Span("a", colspan=2), Span("b", rowspan=2)], [Span("c"), Span("d")]], Place("x.html", table=1))
>>> [[c.text if c else None for c in row] for row in grid.rows]
[['a', 'a', 'b'], ['c', 'd', 'b']]
>>> grid.rows[0][1] is grid.rows[0][0], grid.rows[1][2].place.row
(True, 1)
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Container, Mapping, Sequence
from typing import Literal, TypeVar

import attrs

from .._codegen import FAST_PATHS, maker
from ..errors import Place, Problem
from ..limits import DEFAULT_LIMITS, Limits

__all__ = [
    "Block",
    "CellBudget",
    "Document",
    "Grid",
    "GridCell",
    "MetaText",
    "Recognition",
    "Span",
    "maker",
    "ruled_rows",
]

_C = TypeVar("_C")


@attrs.frozen
class Recognition:
    """What an OCR engine said of one printed cell: how sure it was, and what else its text could be.

    ``confidence`` is in ``[0, 1]`` (the least sure of the cell's characters or lines);
    ``alternatives`` are other readings of the whole cell text, most likely first (``"16"`` read
    where ``"18"`` was the engine's second choice for one glyph gives ``("18",)``).
    """

    confidence: float
    alternatives: tuple[str, ...] = ()


@attrs.frozen
class Span:
    """A cell as a format prints it, before merges are expanded (an HTML ``<td>``, a Word cell)."""

    text: str
    rowspan: int = 1
    colspan: int = 1
    formula: bool = False  #: the cell was a formula (a derived total in a template)
    place: Place | None = None  #: its own place, when the format knows better than the grid (``表三!C7``)
    split: bool = False  #: cut from figures printed run together (the only split possible): ``Provenance.how``
    ocr: Recognition | None = None  #: the text was recognised in a picture (its place has the ``box``)


@attrs.frozen(eq=False)
class GridCell:
    """One printed cell (a merged box appears at every grid position it covers, as the same object).

    ``top``/``left``/``bottom``/``right`` are its box in grid coordinates (from 0, inclusive);
    ``place`` is where it was printed (rows and columns counted from 1).
    """

    text: str
    place: Place
    top: int
    left: int
    bottom: int
    right: int
    formula: bool = False
    split: bool = False  #: cut from figures printed run together (:attr:`Span.split`)
    ocr: Recognition | None = None  #: recognised in a picture (:attr:`Span.ocr`)


_make_place = maker(Place)
_make_cell = maker(GridCell)


def ruled_rows(
    nrows: int,
    ncols: int,
    starts: Mapping[tuple[int, int], Span],
    covered: Container[tuple[int, int]],
    blank: Callable[[int, int], Span],
) -> list[list[Span]]:
    """The rows of spans of a table found from its rulings (a PDF's vector lines, a picture's strokes).

    ``starts`` holds each cell's span at its top-left region (row, column), ``covered`` every region
    a cell covers; a region no cell covers (the lines do not close it, or a ruling was drawn twice)
    is kept as printed, as ``blank(row, column)``; a region a merged cell covers gives nothing (the
    span's ``rowspan``/``colspan`` stand for it in :meth:`Grid.build`).

    >>> rows = ruled_rows(2, 2, {(0, 0): Span("a", colspan=2)}, {(0, 0), (0, 1)}, lambda r, k: Span(f"{r}{k}"))
    >>> [[s.text for s in row] for row in rows]
    [['a'], ['10', '11']]
    """
    out: list[list[Span]] = []
    for r in range(nrows):
        row: list[Span] = []
        for k in range(ncols):
            if (r, k) in starts:
                row.append(starts[(r, k)])
            elif (r, k) not in covered:
                row.append(blank(r, k))
        out.append(row)
    return out


@attrs.define
class CellBudget:
    """The grid cells every table of one document may still expand to, together.

    ``Limits.max_cells`` bounds one grid; a reader passes one budget (``CellBudget(limits.max_cells)``)
    to every :meth:`Grid.build` of a document, so that many tables of wide spans (a few bytes of
    HTML or Word each) cannot multiply it.
    """

    left: int


@attrs.frozen(eq=False)
class Grid:
    """A table as printed: ``rows`` of cells after merges are expanded (``None`` where nothing is)."""

    rows: tuple[tuple[GridCell | None, ...], ...]
    place: Place

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)

    def cells(self) -> list[GridCell]:
        """Every distinct cell, in reading order (top to bottom, left to right).

        Found once per grid (a grid does not change; the reading core asks for each grid's cells a
        dozen times): each call gets its own list.
        """
        if not FAST_PATHS:
            return self._cells()
        found = _CELLS_OF.get(self)
        if found is None:
            found = _CELLS_OF[self] = self._cells()
        return list(found)

    def _cells(self) -> list[GridCell]:
        return [
            cell
            for r, row in enumerate(self.rows)
            for c, cell in enumerate(row)
            if cell is not None and cell.top == r and cell.left == c
        ]

    @classmethod
    def build(
        cls,
        spans: Sequence[Sequence[Span | str]],
        place: Place,
        limits: Limits = DEFAULT_LIMITS,
        problems: list[Problem] | None = None,
        budget: CellBudget | None = None,
    ) -> Grid:
        """Expand ``rowspan``/``colspan`` as HTML does, within ``limits`` (spans are clipped, and said so).

        With a ``budget`` (shared by the grids of one document) the grid also stays within what is
        left of it, and takes its cells from it. A ``str`` stands for ``Span(str)`` (a reader's plain
        cells, without a span object each).
        """
        grid: list[list[GridCell | None]] = []
        clipped = False
        total = 0
        cap = limits.max_cells if budget is None else min(limits.max_cells, budget.left)
        max_columns = limits.max_columns
        source, page, table, at_line, at_cell, image = (
            place.source, place.page, place.table, place.line, place.cell, place.image
        )  # fmt: skip
        make_cell, make_place = _make_cell, _make_place
        for r, row in enumerate(spans[: limits.max_rows]):
            while len(grid) <= r:
                grid.append([])
            line = grid[r]
            c = 0
            row_number = r + 1
            for item in row:
                while c < len(line) and line[c] is not None:
                    c += 1
                if isinstance(item, str):
                    if c < max_columns and total < cap:
                        # a plain cell at one grid position: the step below for Span(span), without it
                        total += 1
                        cell = make_cell(
                            item,
                            make_place(source, page, table, row_number, c + 1, at_line, at_cell, image, None),
                            r,
                            c,
                            r,
                            c,
                            False,
                            False,
                            None,
                        )
                        if c < len(line):
                            line[c] = cell
                        else:
                            line.append(cell)
                        c += 1
                        continue
                    span = Span(item)
                else:
                    span = item
                if span.rowspan == 1 and span.colspan == 1 and c < max_columns and total < cap:
                    # one grid position (the common case): what the general steps below do for it
                    total += 1
                    cell = make_cell(
                        span.text,
                        span.place or make_place(source, page, table, r + 1, c + 1, at_line, at_cell, image, None),
                        r,
                        c,
                        r,
                        c,
                        span.formula,
                        span.split,
                        span.ocr,
                    )
                    if c < len(line):
                        line[c] = cell
                    else:
                        line.append(cell)
                    c += 1
                    continue
                rowspan = max(1, min(span.rowspan, limits.max_rows - r))
                colspan = max(1, min(span.colspan, limits.max_columns - c))
                if c >= limits.max_columns:
                    clipped = True
                    break
                room = cap - total
                if colspan > room:
                    clipped = True
                    break
                rowspan = min(rowspan, room // colspan)
                clipped |= rowspan != max(1, span.rowspan) or colspan != max(1, span.colspan)
                total += rowspan * colspan
                at = span.place or make_place(source, page, table, r + 1, c + 1, at_line, at_cell, image, None)
                cell = make_cell(
                    span.text, at, r, c, r + rowspan - 1, c + colspan - 1, span.formula, span.split, span.ocr
                )
                for rr in range(r, r + rowspan):
                    while len(grid) <= rr:
                        grid.append([])
                    target = grid[rr]
                    while len(target) < c + colspan:
                        target.append(None)
                    for cc in range(c, c + colspan):
                        if target[cc] is None:
                            target[cc] = cell
                c += colspan
        if len(spans) > limits.max_rows:
            clipped = True
        if budget is not None:
            budget.left -= total
        if clipped and problems is not None:
            problems.append(
                Problem.at(
                    place,
                    "the table is larger than the reading limits allow; only its first part was read",
                    code="READ_LIMIT",
                )
            )
        return cls(tuple(tuple(row) for row in grid), place)

    @classmethod
    def stack(cls, grids: Sequence[Grid]) -> Grid:
        """``grids`` one below the other (a table continued over pages), built in one pass.

        Each grid's cells move down by the rows above them; a merged cell stays one object.
        """
        rows: list[tuple[GridCell | None, ...]] = []
        for grid in grids:
            offset = len(rows)
            if offset == 0:
                rows.extend(grid.rows)
                continue
            moved: dict[int, GridCell] = {}
            for row in grid.rows:
                out: list[GridCell | None] = []
                for cell in row:
                    if cell is None:
                        out.append(None)
                        continue
                    key = id(cell)
                    if key not in moved:
                        moved[key] = attrs.evolve(cell, top=cell.top + offset, bottom=cell.bottom + offset)
                    out.append(moved[key])
                rows.append(tuple(out))
        return cls(tuple(rows), grids[0].place)

    def map(self, change: Callable[[GridCell], GridCell]) -> Grid:
        """The grid with each distinct cell replaced by ``change(cell)`` (a merged cell stays one object).

        For a cell's text or place as another producer gives it (the OCR reader's, in tests and docs).
        """
        done: dict[int, GridCell] = {}

        def one(cell: GridCell | None) -> GridCell | None:
            if cell is None:
                return None
            if id(cell) not in done:
                done[id(cell)] = change(cell)
            return done[id(cell)]

        return attrs.evolve(self, rows=tuple(tuple(one(c) for c in row) for row in self.rows))


#: The cells of each grid asked for, while it lives (:meth:`Grid.cells`).
_CELLS_OF: weakref.WeakKeyDictionary[Grid, list[GridCell]] = weakref.WeakKeyDictionary()

#: What a :class:`Block` is.
BlockKind = Literal["heading", "paragraph", "table", "prose"]


@attrs.frozen
class Block:
    """One block of a document, in reading order: a ``"heading"``, a ``"paragraph"`` or a ``"table"``.

    ``"prose"`` is a paragraph a reader knows is no heading (``formats._assemble.PROSE``).
    """

    kind: BlockKind
    text: str
    place: Place
    grid: Grid | None = None


@attrs.frozen
class MetaText:
    """A text outside the body that may name the agency or the year, with where it was found.

    ``key`` says what it is: ``"title"`` (a document title: HTML ``<title>``, ``<meta name=ArticleTitle>``,
    Word ``docProps/core.xml`` title, PDF ``/Title``) or ``"agency"`` (a site or column name that may
    be the agency: ``<meta name=SiteName>``, ``ColumnName``). The assembler decides from them
    (``formats._metadata``), the same way for every reader.
    """

    key: Literal["title", "agency"]
    text: str
    place: Place


@attrs.frozen
class Document:
    """A published report as blocks in reading order, with the problems met while reading the format.

    ``meta`` holds the texts outside the body that may name the agency or year (:class:`MetaText`).
    """

    source: str
    blocks: tuple[Block, ...]
    problems: tuple[Problem, ...] = ()
    meta: tuple[MetaText, ...] = ()

    @property
    def grids(self) -> list[Grid]:
        return [b.grid for b in self.blocks if b.grid is not None]
