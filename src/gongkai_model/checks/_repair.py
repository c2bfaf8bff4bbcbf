"""Repair suggestions: which cells most probably hold the error, and what values restore the sums.

Every cell takes part in one or more identities.  A single wrong cell breaks
every identity it is in by the same amount, and only that cell's change
restores all of them without breaking another.  A *move* is a set of changes
tried together; the search tries these moves:

1. *single cell*: for each broken identity and each cell in it, the value
   that restores that identity;
2. *fill total*: a total that is blank (so its identity is not assessable)
   while all its parts are filled, set to the sum of its parts; a total
   printed as 0 while its parts are not is a case of 1;
3. *split*: two broken identities off by ``+d`` and ``-d``, repaired by moving
   ``d`` between two cells of one row (a number typed into its neighbour);
4. *a figure with its totals*: a figure changed together with the totals
   that contain it, by one amount: its row's 总计 (and 小计) only
   (``with_row_total``), its column's （七）总计 only (``with_column_total``),
   or every total above it (``with_totals``).  The figure may lie under a
   member of the broken identity (a detail cell under （七）总计);
5. *row removed* / *row moved*: every cell of one 表三 row set to 0 (or added
   to another 表三 row), with or without the column totals following.

Cells the caller declares *derived* (template formulas) are never changed on
their own (except a blank one, filled): they follow every change of a cell
below them, and they do not count as printed figures changed.

A move is kept only if it restores at least one broken identity and breaks
none that held.  Moves are ranked by how many identities they restore, then
by how little evidence speaks against them (:mod:`._evidence`: a figure the
report's text states, or a cross-year identity with the previous or next
year's report, that agreed with the cells and would no longer), then by how
few printed figures they change, then by how much evidence speaks for them;
moves equal on all four get the same ``rank`` (ties are listed, never
broken).  Without evidence the ranking is by the identities restored and the
figures changed alone.  Nothing is changed: a suggestion is data.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from typing import Any

import attrs

from ..model.layout import Cell, Shape, layout
from ._evidence import Claim, weigh
from ._findings import Change, Evidence, Suggestion, SuggestionKind
from ._identities import Identity, IdentityStatus, evaluate, identities, identities_of_cell, side_sum

__all__ = ["MOVES", "following", "suggest"]

#: At most this many broken identities are paired for split suggestions (the pairing is quadratic).
MAX_BROKEN_FOR_SPLITS = 24

#: The kinds of move, in the order they are listed among equals.
MOVES: tuple[SuggestionKind, ...] = (
    "single_cell",
    "fill_total",
    "split",
    "with_row_total",
    "with_column_total",
    "with_totals",
    "row_removed",
    "row_moved",
)
_ORDER = {k: i for i, k in enumerate(MOVES)}
#: Among equals: one cell first (a total before a part, below), then a split, then the larger moves.
_LISTED = {**_ORDER, "fill_total": _ORDER["single_cell"]}


@attrs.frozen
class _Graph:
    """How the cells of a shape are summed: which totals lie above and below each cell."""

    #: For each anchor cell: the identities defining it, those within its own row first.
    defining: dict[int, tuple[int, ...]]
    #: For each cell: the totals of its own row that contain it (总计, 小计).
    row_parents: tuple[frozenset[int], ...]
    #: For each cell: the totals of its own column that contain it (（七）总计).
    column_parents: tuple[frozenset[int], ...]
    #: For each cell: every total that contains it, directly or through another total.
    ancestors: tuple[frozenset[int], ...]
    #: For each cell: the cells it is the total of (its parts, in any identity it is the total of).
    parts: tuple[frozenset[int], ...]
    #: For each cell: how many sums lie below it (0 for a figure that is no total).
    height: tuple[int, ...]
    #: For each identity: its two sides as sets.
    lhs: tuple[frozenset[int], ...]
    rhs: tuple[frozenset[int], ...]
    #: The 表三 rows that are no total row (cell indices in each), for row moves; and which are results.
    rows: tuple[tuple[int, ...], ...]
    in_results: tuple[bool, ...]


@functools.lru_cache(maxsize=65536)
def _reach(shape: Shape, x: int, follow: frozenset[int], derived: frozenset[int]) -> tuple[tuple[int, int], ...]:
    """How a change of ``x`` by 1 (its followed and derived totals following) moves each identity's ``lhs - rhs``."""
    graph = _graph(shape)
    ids = identities(shape)
    changed = {x}
    chosen = follow | derived
    for a in sorted(graph.ancestors[x] & chosen, key=graph.height.__getitem__):
        if any(changed & graph.rhs[k] for k in graph.defining[a]):
            changed.add(a)
    of_cell = identities_of_cell(shape)
    out = []
    for k in sorted({k for m in changed for k in of_cell[m]}):
        c = len(changed & graph.lhs[k]) - len(changed & graph.rhs[k])
        if c:
            out.append((k, c))
    _ = ids
    return tuple(out)


def _same_row(cells: Sequence[Cell], ident: Identity) -> bool:
    return ident.anchor is not None and all(cells[m].row_info == cells[ident.anchor].row_info for m in ident.members)


@functools.cache
def _graph(shape: Shape) -> _Graph:
    cells = layout(shape)
    ids = identities(shape)
    n = len(cells)
    defining: dict[int, list[int]] = {}
    row_parents: list[set[int]] = [set() for _ in range(n)]
    column_parents: list[set[int]] = [set() for _ in range(n)]
    below: list[set[int]] = [set() for _ in range(n)]
    for k, ident in enumerate(ids):
        if ident.anchor is None:
            continue
        same = _same_row(cells, ident)
        defining.setdefault(ident.anchor, [])
        defining[ident.anchor].insert(len(defining[ident.anchor]) if not same else 0, k)
        for m in ident.rhs:
            (row_parents if same else column_parents)[m].add(ident.anchor)
            below[ident.anchor].add(m)

    def closure(start: set[int], step: list[set[int]]) -> frozenset[int]:
        seen: set[int] = set()
        todo = list(start)
        while todo:
            x = todo.pop()
            if x not in seen:
                seen.add(x)
                todo.extend(step[x])
        return frozenset(seen)

    parents = [row_parents[i] | column_parents[i] for i in range(n)]
    ancestors = tuple(closure(parents[i], parents) for i in range(n))
    heights: dict[int, int] = {}

    def height(i: int) -> int:
        if i not in heights:
            heights[i] = 1 + max(height(m) for m in below[i]) if below[i] else 0
        return heights[i]

    totals_rows = {
        cells[ident.anchor].row_info for ident in ids if ident.anchor is not None and not _same_row(cells, ident)
    }
    anchors = {ident.anchor for ident in ids if ident.anchor is not None}
    row_list: list[tuple[int, ...]] = []
    results: list[bool] = []
    seen_rows: dict[Any, list[int]] = {}
    for i, c in enumerate(cells):
        if c.table == "三" and c.row_info not in totals_rows:
            seen_rows.setdefault(c.row_info, []).append(i)
    for members in seen_rows.values():
        row_list.append(tuple(members))
        results.append(any(column_parents[m] for m in members if m not in anchors))
    return _Graph(
        {a: tuple(ks) for a, ks in defining.items()},
        tuple(frozenset(s) for s in row_parents),
        tuple(frozenset(s) for s in column_parents),
        ancestors,
        tuple(frozenset(b) for b in below),
        tuple(height(i) for i in range(n)),
        tuple(frozenset(i.lhs) for i in ids),
        tuple(frozenset(i.rhs) for i in ids),
        tuple(row_list),
        tuple(results),
    )


def following(shape: Shape, derived: frozenset[int], statuses: Sequence[IdentityStatus]) -> frozenset[int]:
    """The ``derived`` cells that still follow their parts: no identity that defines them is broken.

    A formula total is derived because the spreadsheet computes it from the cells it adds up. One
    whose value does not add up to its parts (a total typed over a formula elsewhere, that its own
    formula does not add, or a saved value that no longer follows its inputs) is treated as typed: the
    repair search may change it, and a change below it is not assumed to carry up through it.
    """
    if not derived:
        return derived
    defining = _graph(shape).defining
    broken = {k for k, s in enumerate(statuses) if s.assessable and not s.ok}
    return frozenset(a for a in derived if not broken.intersection(defining.get(a, ())))


def _valid(cell: Cell, value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _describe(ident: Identity) -> str:
    where = ident.column if ident.row is None else f"{ident.row} × {ident.column}"
    return f"{ident.code} 表{ident.table} {where}"


def suggest(
    shape: Shape,
    values: Sequence[Any],
    statuses: Sequence[IdentityStatus],
    blanks_as_zero: bool,
    derived: frozenset[int] = frozenset(),
    frozen: frozenset[int] = frozenset(),
    claims: Sequence[Claim] = (),
) -> list[Suggestion]:
    """Ranked repair suggestions for a report with the given cell values.

    ``derived`` are the layout indices of cells computed by formulas (they
    follow their parts); ``frozen`` those that must not be changed (cells
    holding an invalid value); ``claims`` what the report's text and its
    neighbouring years say about its cells (:mod:`._evidence`).
    """
    ids = identities(shape)
    of_cell = identities_of_cell(shape)
    cells = layout(shape)
    graph = _graph(shape)
    bad = {k for k, s in enumerate(statuses) if not s.ok}
    if not bad:
        return []

    def current(m: int) -> Any:
        v = values[m]
        return 0 if v is None and blanks_as_zero else v

    def trial(changes: dict[int, int]) -> tuple[int, bool]:
        """(identities restored, whether the change set is acceptable)."""
        new = list(values)
        for m, v in changes.items():
            new[m] = v
        touched = {k for m in changes for k in of_cell[m]}
        restored = 0
        for k in touched:
            after = evaluate(ids[k], new, blanks_as_zero)
            if after.assessable and not after.ok and k not in bad:
                return 0, False  # it would break an identity that held (or could not be assessed)
            restored += k in bad and after.ok
        return restored, restored > 0

    found: dict[tuple[tuple[int, int], ...], tuple[SuggestionKind, int]] = {}

    def consider(kind: SuggestionKind, changes: dict[int, Any]) -> None:
        if any(m in frozen or not _valid(cells[m], v) or values[m] == v for m, v in changes.items()):
            return
        key = tuple(sorted(changes.items()))
        if key in found:
            if _ORDER[kind] < _ORDER[found[key][0]]:
                found[key] = (kind, found[key][1])
            return
        restored, ok = trial(changes)
        if ok:
            found[key] = (kind, restored)

    def moved(primary: dict[int, Any], follow: frozenset[int]) -> dict[int, Any] | None:
        """New values: the primary deltas, and every derived or followed total above them."""
        deltas = dict(primary)
        chosen = follow | derived
        above = {a for m in primary for a in graph.ancestors[m]} & chosen
        for a in sorted(above, key=graph.height.__getitem__):
            if a in deltas:
                continue
            for k in graph.defining[a]:
                parts = graph.rhs[k]
                d = sum(v for x, v in deltas.items() if x in parts)
                if d:
                    deltas[a] = d
                    break
        if not any(_net(deltas, k) == need for k, need in wanted(deltas)):
            return None  # it restores no broken identity
        out = {}
        for m, d in deltas.items():
            base = current(m)
            if base is None:
                return None
            out[m] = base + d
        return out

    needed = {k: s.right - s.left for k, s in enumerate(statuses) if not s.ok and s.assessable}

    def wanted(deltas: dict[int, Any]) -> Iterable[tuple[int, Any]]:
        for k in {k for m in deltas for k in of_cell[m]}:
            if k in needed:
                yield k, needed[k]

    def _net(deltas: dict[int, Any], k: int) -> Any:
        """How much the deltas change ``lhs - rhs`` of identity ``k``."""
        lhs, rhs = graph.lhs[k], graph.rhs[k]
        return sum(d for x, d in deltas.items() if x in lhs) - sum(d for x, d in deltas.items() if x in rhs)

    inputs_under: dict[int, frozenset[int]] = {}

    def under(m: int) -> frozenset[int]:
        """The inputs below ``m`` through derived totals only (none when ``m`` is not derived)."""
        if m not in inputs_under:
            found_: set[int] = set()
            if m in derived:
                for x in graph.parts[m]:
                    found_.update(under(x) if x in derived else (x,))
            inputs_under[m] = frozenset(found_)
        return inputs_under[m]

    tried: set[tuple[Any, ...]] = set()

    def try_move(kind: SuggestionKind, primary: dict[int, Any], follow: frozenset[int] = frozenset()) -> None:
        if any(m in derived for m in primary):
            return  # a formula is never mistyped on its own
        memo = (kind, tuple(primary.items()), follow)
        if memo in tried:
            return
        tried.add(memo)
        if len(primary) == 1:  # the common case, pre-screened on the shape's structure (cached)
            ((x, delta),) = primary.items()
            coefficients = _reach(shape, x, follow, derived)
            if any(k not in bad for k, _ in coefficients):
                return  # it would break an identity that held
            if not any(c * delta == needed.get(k) for k, c in coefficients):
                return  # it restores none
        changes = moved(primary, follow)
        if changes is not None:
            consider(kind, changes)

    broken: list[tuple[int, Any]] = []
    for k in sorted(bad):
        status, ident = statuses[k], ids[k]
        if status.assessable:
            diff = status.left - status.right
            broken.append((k, diff))
            for m in ident.members:
                if current(m) is None:
                    continue
                delta = -diff if m in ident.lhs else diff
                kind: SuggestionKind = "fill_total" if m == ident.anchor and current(m) == 0 else "single_cell"
                try_move(kind, {m: delta})
                try_move("with_row_total", {m: delta}, graph.row_parents[m])
                try_move("with_column_total", {m: delta}, graph.column_parents[m])
                try_move("with_totals", {m: delta}, graph.ancestors[m])
                for x in graph.parts[m]:  # a figure just below the member, with the totals up to it
                    if current(x) is None:
                        continue
                    if m in graph.row_parents[x]:
                        try_move("with_row_total", {x: delta}, graph.row_parents[x])
                    if m in graph.column_parents[x]:
                        try_move("with_column_total", {x: delta}, graph.column_parents[x])
                    try_move("with_totals", {x: delta}, graph.ancestors[x])
                for x in under(m):  # an input below a formula total: the formulas follow it
                    if current(x) is not None:
                        try_move("single_cell", {x: delta})
        elif ident.anchor is not None and status.blanks == (ident.anchor,):
            consider("fill_total", {ident.anchor: side_sum(values, ident.rhs)})

    pairs = broken[:MAX_BROKEN_FOR_SPLITS]
    for i, (k1, d1) in enumerate(pairs):
        for k2, d2 in pairs[i + 1 :]:
            if d1 != -d2:
                continue
            for x in ids[k1].members:
                for y in ids[k2].members:
                    if x == y or values[x] is None or values[y] is None or not set(of_cell[x]) & set(of_cell[y]):
                        continue
                    dx = -d1 if x in ids[k1].lhs else d1
                    dy = -d2 if y in ids[k2].lhs else d2
                    if dx == -dy:  # a number moved from one cell to the other
                        try_move("split", {x: dx, y: dy})
            if derived:  # inputs of one row under derived members of the two identities
                under1 = {x: (-d1 if m in ids[k1].lhs else d1) for m in ids[k1].members for x in under(m)}
                under2 = {y: (-d2 if m in ids[k2].lhs else d2) for m in ids[k2].members for y in under(m)}
                for x, dx in under1.items():
                    for y, dy in under2.items():
                        if x != y and dx == -dy and graph.row_parents[x] & graph.row_parents[y]:
                            try_move("split", {x: dx, y: dy})

    if broken:
        sizes = {abs(d) for _, d in broken}
        for r, row in enumerate(graph.rows):
            vector = {m: -current(m) for m in row if current(m) and m not in derived}
            if not vector or any(current(m) is None for m in row):
                continue
            if not any(-v in sizes for v in vector.values()):
                continue  # no broken identity is off by any of the row's figures
            above = frozenset(a for m in vector for a in graph.ancestors[m]) - set(row)
            try_move("row_removed", vector)
            try_move("row_removed", vector, above)
            for r2, other in enumerate(graph.rows):
                if r2 == r or graph.in_results[r2] or len(other) != len(row):
                    continue
                both = dict(vector)
                for m, m2 in zip(row, other, strict=True):
                    if m in vector:
                        both[m2] = -vector[m]
                try_move("row_moved", both)
                both_above = frozenset(a for m in both for a in graph.ancestors[m]) - set(row) - set(other)
                try_move("row_moved", both, both_above)

    return _ranked(found, values, cells, ids, of_cell, bad, derived, claims)


def _ranked(
    found: dict[tuple[tuple[int, int], ...], tuple[SuggestionKind, int]],
    values: Sequence[Any],
    cells: Sequence[Cell],
    ids: Sequence[Identity],
    of_cell: Sequence[tuple[int, ...]],
    bad: set[int],
    derived: frozenset[int],
    claims: Sequence[Claim] = (),
) -> list[Suggestion]:
    def printed(key: tuple[tuple[int, int], ...]) -> int:
        return sum(m not in derived for m, _ in key)

    evidence: dict[tuple[tuple[int, int], ...], tuple[Evidence, ...]] = {}
    for key in found:
        relevant = {m for x, _ in key for k in of_cell[x] if k in bad for m in ids[k].members}
        evidence[key] = weigh(claims, values, dict(key), relevant)

    def weight(key: tuple[tuple[int, int], ...]) -> tuple[int, int]:
        """(evidence against, evidence for) of a suggestion."""
        against = sum(e.stance == "against" for e in evidence[key])
        return against, len(evidence[key]) - against

    def rank(item: tuple[tuple[tuple[int, int], ...], tuple[SuggestionKind, int]]) -> tuple[Any, ...]:
        key, (kind, restored) = item
        # Among equals, a total is the likelier culprit: totals are computed by hand.
        on_total = any(ids[k].anchor == m for m, _ in key if m not in derived for k in of_cell[m])
        against, support = weight(key)
        return (-restored, against, printed(key), -support, _LISTED[kind], len(key), not on_total, key)

    out = []
    place = 0
    last: tuple[int, ...] | None = None
    for key, (kind, restored) in sorted(found.items(), key=rank):
        standing = (restored, *weight(key), printed(key))
        if standing != last:
            place += 1
            last = standing
        changes = tuple(
            Change(cells[m].path, cells[m].table, cells[m].row, cells[m].column, values[m], v, m in derived)
            for m, v in key
        )
        suggestion = _suggestion(kind, changes, key, restored, printed(key), place, ids, of_cell, bad)
        out.append(attrs.evolve(suggestion, evidence=evidence[key]) if evidence[key] else suggestion)
    return out


def _suggestion(
    kind: SuggestionKind,
    changes: tuple[Change, ...],
    key: tuple[tuple[int, int], ...],
    restored: int,
    printed: int,
    place: int,
    ids: Sequence[Identity],
    of_cell: Sequence[tuple[int, ...]],
    bad: set[int],
) -> Suggestion:
    touched = sorted({k for m, _ in key for k in of_cell[m] if k in bad})
    inputs = [c for c in changes if not c.derived]
    following = len(changes) - len(inputs)
    what = "; ".join(f"表{c.table} {c.row} × {c.column}: {c.current} → {c.proposed}" for c in inputs)
    what_zh = "；".join(
        f"表{c.table}{c.row}「{c.column}」由 {'空白' if c.current is None else c.current} 改为 {c.proposed}"
        for c in inputs
    )
    follow_en = f", its {following} formula total(s) following" if following else ""
    follow_zh = f"，其公式计算的 {following} 个合计随之变化" if following else ""
    return Suggestion(
        kind,
        changes,
        tuple(_describe(ids[k]) for k in touched),
        restored,
        f"建议{what_zh}{follow_zh}（可使 {restored} 个勾稽关系成立）",
        f"{what}{follow_en} (restores {restored} identit{'y' if restored == 1 else 'ies'})",
        printed,
        place,
    )
