"""The one label locator: finds every cell of the model in the grids of a document, by its labels.

A row is found by its label (normalised, or one of the model's declared variants, or, failing
both, a close misprint that is reported); a column by its header above the row (for 表四, the
outcome header below the block label); the value is the printed cell where the row and the
column's header meet. Positions are never counted from the start of a table: a missing or extra
row or column shifts nothing else. When a row's value cells are merged differently from its
headers (a header over two columns, the value over one), they are paired in order only when both
count the same, and the reader says so.
"""

from __future__ import annotations

import functools
import operator
import weakref
from collections.abc import Sequence

import attrs

from .._codegen import FAST_PATHS
from ..errors import Place, Problem
from ..labels import FUZZY_CUTOFF, normalize_label, similarity
from ..model.layout import Cell, RowInfo, Shape, label_index, layout, rows
from ..presentation import sheet_name
from ._document import Grid, GridCell
from ._values import parse_value

__all__ = ["Located", "cell_keys", "joined", "known_labels", "locate"]


def cell_keys(grid: Grid) -> tuple[str, ...]:
    """The label form (:func:`~gongkai_model.labels.normalize_label`) of the text of each of
    ``grid.cells()``, in the same order.

    Found once per grid while it lives (the assembler and the locator each look at every cell's
    label form), as :meth:`Grid.cells`.
    """
    if not FAST_PATHS:
        return tuple(normalize_label(c.text) for c in grid.cells())
    found = _KEYS_OF.get(grid)
    if found is None:
        found = _KEYS_OF[grid] = tuple([normalize_label(c.text) for c in grid.cells()])
    return found


#: The label forms of each grid's cells asked for, while it lives (:func:`cell_keys`).
_KEYS_OF: weakref.WeakKeyDictionary[Grid, tuple[str, ...]] = weakref.WeakKeyDictionary()


@functools.cache
def _cells_of(shape: Shape) -> dict[str, list[Cell]]:
    """The cells of every row of ``shape``, by the row's path."""
    out: dict[str, list[Cell]] = {}
    for c in layout(shape):
        out.setdefault(c.row_info.path, []).append(c)
    return out


#: Occurrences of one row label weighed against each other (each is tried as the row's place). A
#: report prints a label once or a few times (a table of contents, a table continued); a label
#: printed more often is not a layout, and weighing every occurrence would take quadratic time.
MAX_OCCURRENCES = 16


@functools.cache
def known_labels() -> frozenset[str]:
    """Every normalised row, group, banner and column label of every shape (for telling labels from text)."""
    return frozenset().union(*(label_index(shape).words for shape in Shape.all(subtotal=True)))


@attrs.frozen
class Located:
    """Where the cells of a shape were found: ``cells`` maps a model path to its printed cell."""

    cells: dict[str, GridCell]
    problems: list[Problem]
    #: Row labels read from a misprint or a variant: model path of the row → the printed label.
    corrected: dict[str, str]


def _problem(
    place: Place | None, message: str, label: str | None, code: str, severity: str = "error", where: str = ""
) -> Problem:
    return Problem.at(place, message, label, code=code, severity=severity, where=where)


_LEFT = operator.attrgetter("left")

#: Adjacent cells of one row joined into a row label split mid-word by a conversion (``1.属于 | 国家秘密``).
MAX_SPLIT = 3


class _Index:
    def __init__(self, grids: Sequence[Grid], row_keys: frozenset[str] = frozenset()) -> None:
        self.grids = grids
        self.by_text: dict[str, list[tuple[int, GridCell]]] = {}
        self.distinct: list[list[GridCell]] = []
        self.keys: list[tuple[str, ...]] = []  #: the label form of each of ``distinct``'s cells
        for gi, grid in enumerate(grids):
            cells = grid.cells()
            keys = cell_keys(grid)
            self.distinct.append(cells)
            self.keys.append(keys)
            for cell, key in zip(cells, keys, strict=True):
                if key:
                    self.by_text.setdefault(key, []).append((gi, cell))
            if row_keys:
                for label in joined(grid, cells, row_keys):
                    self.by_text.setdefault(normalize_label(label.text), []).append((gi, label))

    def find(self, labels: Sequence[str]) -> list[tuple[int, GridCell]]:
        out: list[tuple[int, GridCell]] = []
        for label in labels:
            out.extend(self.by_text.get(normalize_label(label), []))
        return out


def joined(grid: Grid, cells: Sequence[GridCell], row_keys: frozenset[str]) -> list[GridCell]:
    """Row labels split mid-word over adjacent cells of one row, joined into one label cell spanning them.

    Only pieces side by side on the same rows, the first no label itself and none a row label,
    whose joined text is a row label of the shape; the joined cell stands for them all (its figures
    are right of the last).

    >>> from gongkai_model.errors import Place
    >>> from gongkai_model.formats._document import Span
    >>> g = Grid.build([[Span("1.某一"), Span("类情形"), Span("3")]], Place("x"))
    >>> [(c.text, c.left, c.right) for c in joined(g, g.cells(), frozenset({"1.某一类情形"}))]
    [('1.某一类情形', 0, 1)]
    """
    out: list[GridCell] = []
    for line, starts in _pieces(grid, cells):
        for i in starts:
            first, text, _, _ = line[i]
            for j in range(i + 1, min(i + MAX_SPLIT, len(line))):
                piece, bit, no_piece, key = line[j]
                if piece.left != line[j - 1][0].right + 1 or no_piece or key in row_keys:
                    break
                text += bit
                if normalize_label(text) in row_keys:
                    out.append(GridCell(text, first.place, first.top, first.left, piece.bottom, piece.right))
                    break
    return out


#: One line of cells side by side (the same rows) for :func:`joined`, left to right: each cell with its
#: stripped text, whether it can be no piece of a label (blank or a figure) and its stripped text's label form;
#: and the cells a label split over cells may start at (no piece, or a label itself, cannot).
_Line = tuple[list[tuple[GridCell, str, bool, str]], list[int]]


def _pieces(grid: Grid, cells: Sequence[GridCell]) -> list[_Line]:
    """The lines of ``cells`` (of ``grid``) :func:`joined` reads (it does not depend on the row labels
    looked for); found once per grid for its own cells (:meth:`Grid.cells`), while it lives."""
    if FAST_PATHS:
        own = grid.cells()
        whole = own == (cells if isinstance(cells, list) else list(cells))  # (a cell equals itself only)
        if whole:
            found = _PIECES_OF.get(grid)
            if found is None:
                found = _PIECES_OF[grid] = _lines_of(cells, dict(zip(map(id, own), cell_keys(grid), strict=True)))
            return found
    return _lines_of(cells)


def _lines_of(cells: Sequence[GridCell], keys: dict[int, str] | None = None) -> list[_Line]:
    """The lines of ``cells``; ``keys``: the label form of each cell's text (:func:`cell_keys`), by the cell's id,
    when known (a text without white space around it has the label form of its stripped text: the same text)."""
    known = known_labels()
    by_row: dict[tuple[int, int], list[GridCell]] = {}
    wanted: set[tuple[int, int]] = set()  # the lines holding a cell a split label can start at (few: most hold none)
    for cell in cells:
        at = (cell.top, cell.bottom)
        by_row.setdefault(at, []).append(cell)
        if at not in wanted:
            text = cell.text.strip()
            if text and not text.isdigit():
                key = keys[id(cell)] if keys is not None and text == cell.text else normalize_label(text)
                if key not in known:
                    wanted.add(at)
    out: list[_Line] = []
    for at, line in by_row.items():
        if at not in wanted:
            continue  # (no cell starts a label there: what the steps below find, and drop)
        line.sort(key=_LEFT)
        read: list[tuple[GridCell, str, bool, str]] = []
        starts: list[int] = []
        for i, cell in enumerate(line):
            text = cell.text.strip()
            key = keys[id(cell)] if keys is not None and text == cell.text else normalize_label(text)
            no_piece = not text or text.isdigit()
            read.append((cell, text, no_piece, key))
            if not no_piece and key not in known:  # a figure or a label: no piece
                starts.append(i)
        if starts:
            out.append((read, starts))
    return out


#: The lines of each grid's cells :func:`joined` read, while it lives (:func:`_pieces`).
_PIECES_OF: weakref.WeakKeyDictionary[Grid, list[_Line]] = weakref.WeakKeyDictionary()


@functools.cache
def _all_row_keys(shape: Shape) -> frozenset[str]:
    return frozenset(k for keys in label_index(shape).row_keys.values() for k in keys)


def locate(grids: Sequence[Grid], shape: Shape, *, strict: bool = False) -> Located:
    """Find every cell of ``shape`` in ``grids``; what cannot be found is a located problem.

    A row label split mid-word over adjacent cells of a row is joined before matching.
    """
    index = _Index(grids, _all_row_keys(shape))
    problems: list[Problem] = []
    corrected: dict[str, str] = {}
    found_rows: dict[str, tuple[int, GridCell]] = {}
    conflicts: set[str] = set()  # cell paths printed with different figures in two places
    repeats: dict[tuple[str, int, int], int] = {}  # (table, grid, other grid) → rows printed twice alike
    the_rows = rows(shape)
    row_keys = label_index(shape).row_keys  # (looked up once: a shape's hash is computed in Python)
    for r in the_rows:
        keys = row_keys[r.path]
        hits = [(gi, cell, keys[normalize_label(cell.text)]) for gi, cell in index.find(list(keys))]
        if len(hits) > MAX_OCCURRENCES:
            problems.append(
                _problem(
                    hits[MAX_OCCURRENCES][1].place,
                    f"row label {r.label!r} is printed {len(hits)} times; "
                    f"only the first {MAX_OCCURRENCES} are considered",
                    r.label,
                    "READ_LIMIT",
                    severity="warning",
                )
            )
            hits = hits[:MAX_OCCURRENCES]
        if hits:
            best, rivals = _best(index, r, shape, [(gi, cell) for gi, cell, _ in hits])
            found_rows[r.path] = best
            statutory = next(s for gi, cell, s in hits if (gi, cell) == best)
            if not statutory:
                corrected[r.path] = best[1].text
            if rivals:
                _compare(r, shape, best, rivals, conflicts, repeats, problems)
    for (table, gi, other), count in repeats.items():
        first, second = index.grids[gi].place, index.grids[other].place
        problems.append(
            _problem(
                first,
                f"{count} row(s) of 表{table} are printed again with the same figures at {second}; read once",
                sheet_name(table),
                "READ_REPEATED",
                severity="info",
            )
        )
    reported = _fuzzy(index, shape, the_rows, found_rows, corrected, problems, strict)
    cells: dict[str, GridCell] = {}
    missing_tables = {r.table for r in the_rows} - {r.table for r in the_rows if r.path in found_rows}
    used: dict[int, str] = {}
    bottoms: dict[int, list[tuple[str, int]]] | None = None  # (made once every row is found)
    cells_of = _cells_of(shape)
    for table in sorted(missing_tables, key="二三四".index):
        name = sheet_name(table)  # 表二
        message = "was not found in the document; its cells are blank"
        problems.append(_problem(None, message, name, "READ_TABLE_MISSING", where=name))
    for r in the_rows:
        if r.path not in found_rows:
            if r.table not in missing_tables and r.path not in reported:
                problems.append(
                    _problem(
                        None,
                        f"row {r.label!r} of 表{r.table} was not found; its cells are blank",
                        r.label,
                        "READ_ROW_MISSING",
                    )
                )
            continue
        gi, label_cell = found_rows[r.path]
        if bottoms is None:
            bottoms = _bottoms(shape, found_rows)
        mine = cells_of.get(r.path, [])
        if r.table == "四":
            got = _block(index.grids[gi], label_cell, mine, problems)
        else:
            got = _row(index, gi, label_cell, mine, bottoms, shape, problems)
        for path, cell in got.items():
            if path in conflicts:
                continue
            key = id(cell)
            if key in used:
                owner = used[key]
                problems.append(
                    _problem(
                        cell.place,
                        f"one printed cell would hold the figures of {owner} and {path}; read for {owner} only",
                        None,
                        "READ_CELL_SHARED",
                    )
                )
                continue
            used[key] = path
            cells[path] = cell
    return Located(cells, problems, corrected)


_Candidate = tuple[tuple[int, GridCell], dict[str, GridCell]]


def _best(
    index: _Index, r: RowInfo, shape: Shape, hits: list[tuple[int, GridCell]]
) -> tuple[tuple[int, GridCell], list[_Candidate]]:
    """The occurrence of a row label whose columns are all found (the first one on a tie), and its rivals.

    The rivals are the other occurrences that read as well (the same number of the row's cells
    found, with no problem more): a second copy of the row, to be compared with the first.
    """
    if len(hits) == 1:
        return hits[0], []
    mine = _cells_of(shape).get(r.path, [])
    scored: list[tuple[int, tuple[int, GridCell], dict[str, GridCell]]] = []
    for gi, cell in hits:
        scratch: list[Problem] = []
        if r.table == "四":
            got = _block(index.grids[gi], cell, mine, scratch)
        else:
            got = _row(index, gi, cell, mine, {}, shape, scratch)
        scored.append((len(got) * 10 - len(scratch), (gi, cell), got))
    top = max(score for score, _, _ in scored)
    best = next(hit for score, hit, _ in scored if score == top)
    rivals = [(hit, got) for score, hit, got in scored if score == top and got]
    return best, rivals if len(rivals) > 1 else []


def _figure(cell: Cell, printed: GridCell) -> object:
    """What a printed cell reads as, for comparing two copies (the value, or the blank mark)."""
    parsed = parse_value(printed.text, cell.kind, unit=cell.spec.unit)
    return (parsed.value, parsed.mark) if parsed.problem is None else ("?", " ".join(printed.text.split()))


def _compare(
    r: RowInfo,
    shape: Shape,
    best: tuple[int, GridCell],
    rivals: list[_Candidate],
    conflicts: set[str],
    repeats: dict[tuple[str, int, int], int],
    problems: list[Problem],
) -> None:
    """Two or more copies of one statutory row: alike they are read once; different figures are a conflict.

    The cells whose copies differ are left blank with a ``READ_CONFLICT`` error naming every place;
    no copy is chosen.
    """
    mine = {c.path: c for c in _cells_of(shape).get(r.path, [])}
    chosen = next(got for hit, got in rivals if hit == best)
    differing: list[str] = []
    places: list[Place] = []
    seen: dict[str, str] = {}  # cell path → the other copy's printed figure
    for hit, got in rivals:
        if hit == best:
            continue
        differs = [
            path
            for path, cell in chosen.items()
            if path in got and got[path] is not cell and _figure(mine[path], cell) != _figure(mine[path], got[path])
        ]
        if differs:
            for path in differs:
                if path not in seen:
                    differing.append(path)
                    seen[path] = got[path].text.strip()
            places.append(hit[1].place)
        elif hit[0] != best[0]:
            key = (r.table, best[0], hit[0])
            repeats[key] = repeats.get(key, 0) + 1
    if not differing:
        return
    conflicts.update(differing)
    columns = ", ".join(f"{mine[p].column} ({chosen[p].text.strip()!r} / {seen[p]!r})" for p in differing[:6])
    more = f" and {len(differing) - 6} more" if len(differing) > 6 else ""
    others = "; ".join(str(p) for p in places)
    problems.append(
        _problem(
            best[1].place,
            f"row {r.label!r} of 表{r.table} is printed at {best[1].place} and again at {others} with different "
            f"figures in {columns}{more}; those cells are blank (no copy is chosen)",
            r.label,
            "READ_CONFLICT",
        )
    )


def _fuzzy(
    index: _Index,
    shape: Shape,
    the_rows: Sequence[RowInfo],
    found_rows: dict[str, tuple[int, GridCell]],
    corrected: dict[str, str],
    problems: list[Problem],
    strict: bool,
) -> set[str]:
    """Rows not found by label: a unique close misprint in a grid that holds the same table is read, and said so."""
    missing = [r for r in the_rows if r.path not in found_rows]
    if not missing:
        return set()  # (every row found by its label: no cell is looked at, nothing is said)
    known = known_labels()
    grids_of: dict[str, set[int]] = {r.table: set() for r in the_rows}
    for x in the_rows:
        if x.path in found_rows:
            grids_of[x.table].add(found_rows[x.path][0])
    taken = {id(cell) for _, cell in found_rows.values()}
    candidates: list[tuple[int, GridCell, str]] = []
    for gi, cells in enumerate(index.distinct):
        for cell, key in zip(cells, index.keys[gi], strict=True):
            if len(key) >= 2 and key not in known and id(cell) not in taken and not any(ch.isdigit() for ch in key[2:]):
                candidates.append((gi, cell, key))
    pairs: list[tuple[float, RowInfo, int, GridCell]] = []
    for r in missing:
        targets = list(label_index(shape).row_keys[r.path])
        for gi, cell, key in candidates:
            if gi not in grids_of.get(r.table, set()):
                continue
            ratio = max(similarity(key, t) for t in targets)
            if ratio >= FUZZY_CUTOFF:
                pairs.append((ratio, r, gi, cell))
    pairs.sort(key=lambda p: -p[0])
    used_rows: set[str] = set()
    used_cells: set[int] = set()
    reported: set[str] = set()
    for ratio, r, gi, cell in pairs:
        if r.path in used_rows or id(cell) in used_cells:
            continue
        rivals = [p for p in pairs if p[1].path == r.path and p[0] == ratio and p[3] is not cell]
        used_rows.add(r.path)
        used_cells.add(id(cell))
        if rivals:
            problems.append(
                _problem(
                    cell.place,
                    f"several printed labels are as close to {r.label!r}; none was read",
                    r.label,
                    "READ_LABEL_AMBIGUOUS",
                )
            )
            continue
        if strict:
            problems.append(
                _problem(
                    cell.place,
                    f"label {cell.text!r} is not the statutory {r.label!r} (strict: its row is not read)",
                    r.label,
                    "READ_LABEL_REFUSED",
                )
            )
            reported.add(r.path)
            continue
        found_rows[r.path] = (gi, cell)
        corrected[r.path] = cell.text
    return reported


@functools.cache
def _column_keys(shape: Shape) -> dict[str, tuple[str, ...]]:
    """The normalised column header and its variants of every cell of ``shape``, by the cell's path
    (what :meth:`_Index.find` looks up for them)."""
    return {c.path: tuple(normalize_label(x) for x in (c.column, *c.spec.aliases)) for c in layout(shape)}


def _bottoms(shape: Shape, found_rows: dict[str, tuple[int, GridCell]]) -> dict[int, list[tuple[str, int]]]:
    """The found rows' label cells by grid: (their table, their last grid row), for :func:`_table_top`."""
    out: dict[int, list[tuple[str, int]]] = {}
    for r in rows(shape):
        hit = found_rows.get(r.path)
        if hit is not None:
            out.setdefault(hit[0], []).append((r.table, hit[1].bottom))
    return out


def _table_top(gi: int, table: str, row: int, bottoms: dict[int, list[tuple[str, int]]]) -> int:
    """The first grid row that can hold headers of ``table``: below any row of another table above ``row``
    (``bottoms``: :func:`_bottoms` of the rows found)."""
    top = 0
    for other, bottom in bottoms.get(gi, ()):
        if other != table and bottom < row:
            top = max(top, bottom + 1)
    return top


def _row(
    index: _Index,
    gi: int,
    label: GridCell,
    mine: list[Cell],
    bottoms: dict[int, list[tuple[str, int]]],
    shape: Shape,
    problems: list[Problem],
) -> dict[str, GridCell]:
    """The value cells of a 表二/表三 row: under the nearest matching header above, right of the label
    (``bottoms``: where the rows found end, :func:`_bottoms`)."""
    grid = index.grids[gi]
    top, right = label.top, label.right
    stop = _table_top(gi, mine[0].table, top, bottoms) if mine else 0
    headers: dict[str, GridCell] = {}
    column_keys = _column_keys(shape)
    by_text = index.by_text
    for c in mine:
        best: GridCell | None = None
        for key in column_keys[c.path]:
            for hgi, h in by_text.get(key, ()):
                above = hgi == gi and stop <= h.top and h.bottom < top and h.right > right
                if above and (best is None or h.bottom > best.bottom):
                    best = h
        if best is None:
            problems.append(
                _problem(
                    label.place,
                    f"column {c.column!r} was not found above row {c.row!r}; the cell is blank",
                    f"{c.row} × {c.column}",
                    "READ_COLUMN_MISSING",
                )
            )
        else:
            headers[c.path] = best
    boxes = _value_boxes(grid, label, headers.values())
    out: dict[str, GridCell] = {}
    by_overlap: dict[str, list[GridCell]] = {
        path: [b for b in boxes if b.left <= h.right and b.right >= h.left] for path, h in headers.items()
    }
    # clean: each header over one box, and no box under two (a cell is hashed by its identity)
    if all(len(got) == 1 for got in by_overlap.values()):
        firsts = {path: got[0] for path, got in by_overlap.items()}
        if len(set(firsts.values())) == len(firsts):
            return firsts
    claims: dict[int, int] = {}
    for got in by_overlap.values():
        for b in got:
            claims[id(b)] = claims.get(id(b), 0) + 1
    ordered_headers = sorted(headers.items(), key=lambda kv: kv[1].left)
    if len(headers) == len(mine) and len(boxes) == len(headers):
        problems.append(
            _problem(
                label.place,
                f"the value cells of row {label.text.strip()!r} are merged differently from their headers; "
                "paired in order (as many values as headers)",
                None,
                "READ_ALIGNED_BY_ORDER",
                "warning",
            )
        )
        return {path: box for (path, _), box in zip(ordered_headers, boxes, strict=True)}
    for path, got in by_overlap.items():
        if len(got) == 1 and claims[id(got[0])] == 1:
            out[path] = got[0]
        else:
            c = next(x for x in mine if x.path == path)
            problems.append(
                _problem(
                    label.place,
                    f"the value of {c.row!r} × {c.column!r} cannot be aligned with its header; the cell is blank",
                    f"{c.row} × {c.column}",
                    "READ_UNALIGNED",
                )
            )
    return out


def _value_boxes(grid: Grid, label: GridCell, headers: object) -> list[GridCell]:
    """Distinct cells right of ``label`` on its rows, within the headers' columns, left to right."""
    hs = list(headers)  # type: ignore[call-overload]
    if not hs:
        return []
    lo = min(h.left for h in hs)
    hi = max(h.right for h in hs)
    seen: dict[GridCell, None] = {}  # (a cell is hashed by its identity: each once, in the order met)
    top, bottom = label.top, label.bottom
    for r in range(top, bottom + 1):
        if r >= len(grid.rows):
            break
        row = grid.rows[r]
        for c in range(max(label.right + 1, lo), min(hi + 1, len(row))):
            cell = row[c]
            if cell is not None and cell is not label and cell.top >= top and cell.bottom <= bottom:
                seen[cell] = None
    return sorted(seen, key=_LEFT)


def _block(grid: Grid, label: GridCell, mine: list[Cell], problems: list[Problem]) -> dict[str, GridCell]:
    """表四: a block label, its outcome headers below it within its columns, the values below them.

    A block label printed in two or more adjacent cells (its text repeated) covers them all.
    """
    out: dict[str, GridCell] = {}
    left, right = _repeated(grid, label)
    # each column's header: the first cell below the label, within its columns, that names it
    # (one pass over the rows for all the columns)
    names = [{normalize_label(x) for x in (c.column, *c.spec.aliases)} for c in mine]
    headers: list[GridCell | None] = [None] * len(mine)
    for r in range(label.bottom + 1, len(grid.rows)):
        if all(h is not None for h in headers):
            break
        row = grid.rows[r]
        for col in range(left, min(right + 1, len(row))):
            cell = row[col]
            if cell is not None and cell.top == r and max(cell.left, left) == col:  # each cell once
                key = normalize_label(cell.text)
                for k, known in enumerate(names):
                    if headers[k] is None and key in known:
                        headers[k] = cell
    for c, header in zip(mine, headers, strict=True):
        value = None
        if header is not None and header.bottom + 1 < len(grid.rows):
            row = grid.rows[header.bottom + 1]
            candidates = {id(x): x for x in row[header.left : header.right + 1] if x is not None}
            if len(candidates) == 1:
                value = next(iter(candidates.values()))
        if value is None:
            problems.append(
                _problem(
                    label.place,
                    f"no value found under {c.row!r} × {c.column!r}; the cell is blank",
                    f"{c.row} × {c.column}",
                    "READ_COLUMN_MISSING",
                )
            )
        else:
            out[c.path] = value
    return out


def _repeated(grid: Grid, label: GridCell) -> tuple[int, int]:
    """The columns of ``label`` and of the cells beside it on the same rows that repeat its text."""
    row = grid.rows[label.top]
    key = normalize_label(label.text)

    def same(cell: GridCell | None) -> bool:
        return (
            cell is not None
            and (cell.top, cell.bottom) == (label.top, label.bottom)
            and normalize_label(cell.text) == key
        )

    left, right = label.left, label.right
    while left > 0 and same(row[left - 1]):
        left = row[left - 1].left  # type: ignore[union-attr]
    while right + 1 < len(row) and same(row[right + 1]):
        right = row[right + 1].right  # type: ignore[union-attr]
    return left, right
