"""Repair suggestions: which cell most probably holds the error, and what value restores the sums.

Every cell takes part in one or more identities.  A single wrong cell breaks
every identity it is in by the same amount, and only that cell's change
restores all of them without breaking another.  So the search is:

1. *single cell*: for each broken identity and each cell in it, the value
   that restores that identity; keep it unless it breaks an identity that
   held (or could not be assessed) before;
2. *fill total*: a total that is blank (so its identity is not assessable)
   while all its parts are filled, set to the sum of its parts, under the same
   condition; a total printed as 0 while its parts are not is a case of 1;
3. *split*: two broken identities off by ``+d`` and ``-d``, repaired by moving
   ``d`` between two cells of one row (a number typed into its neighbour).

Suggestions are ranked by how many identities they restore, then by how few
cells they change.  Nothing is changed: a suggestion is data.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..model.layout import Cell, Shape, layout
from ._findings import Change, Suggestion
from ._identities import Identity, IdentityStatus, evaluate, identities, identities_of_cell, side_sum

__all__ = ["suggest"]

#: At most this many broken identities are paired for split suggestions (the pairing is quadratic).
MAX_BROKEN_FOR_SPLITS = 24


def _valid(cell: Cell, value: Any) -> bool:
    return isinstance(value, int) and value >= 0


def _describe(ident: Identity) -> str:
    where = ident.column if ident.row is None else f"{ident.row} × {ident.column}"
    return f"{ident.code} 表{ident.table} {where}"


def suggest(
    shape: Shape, values: Sequence[Any], statuses: Sequence[IdentityStatus], blanks_as_zero: bool
) -> list[Suggestion]:
    """Ranked repair suggestions for a report with the given cell values."""
    ids = identities(shape)
    of_cell = identities_of_cell(shape)
    cells = layout(shape)
    bad = {k for k, s in enumerate(statuses) if not s.ok}
    if not bad:
        return []

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

    found: dict[tuple[tuple[int, int], ...], tuple[str, int]] = {}

    def consider(kind: str, changes: dict[int, Any]) -> None:
        if any(not _valid(cells[m], v) or values[m] == v for m, v in changes.items()):
            return
        key = tuple(sorted(changes.items()))
        if key in found:
            return
        restored, ok = trial(changes)
        if ok:
            found[key] = (kind, restored)

    broken: list[tuple[int, Any]] = []
    for k in sorted(bad):
        status, ident = statuses[k], ids[k]
        if status.assessable:
            diff = status.left - status.right
            broken.append((k, diff))
            for m in ident.members:
                current = values[m] if values[m] is not None else (0 if blanks_as_zero else None)
                if current is None:
                    continue
                kind = "fill_total" if m == ident.anchor and current == 0 else "single_cell"
                consider(kind, {m: current - diff if m in ident.lhs else current + diff})
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
                    vx = values[x] - d1 if x in ids[k1].lhs else values[x] + d1
                    vy = values[y] - d2 if y in ids[k2].lhs else values[y] + d2
                    consider("split", {x: vx, y: vy})

    order = {"single_cell": 0, "fill_total": 0, "split": 1}

    def rank(item: tuple[tuple[tuple[int, int], ...], tuple[str, int]]) -> tuple[Any, ...]:
        key, (kind, restored) = item
        # Among equals, a total is the likelier culprit: totals are computed by hand.
        on_total = any(ids[k].anchor == m for m, _ in key for k in of_cell[m])
        return (-restored, len(key), order[kind], not on_total, key)

    ranked = sorted(found.items(), key=rank)
    out = []
    for key, (kind, restored) in ranked:
        changes = tuple(
            Change(cells[m].path, cells[m].table, cells[m].row, cells[m].column, values[m], v) for m, v in key
        )
        touched = sorted({k for m, _ in key for k in of_cell[m] if k in bad})
        what = "; ".join(f"表{c.table} {c.row} × {c.column}: {c.current} → {c.proposed}" for c in changes)
        what_zh = "；".join(
            f"表{c.table}{c.row}「{c.column}」由 {'空白' if c.current is None else c.current} 改为 {c.proposed}"
            for c in changes
        )
        out.append(
            Suggestion(
                kind,
                changes,
                tuple(_describe(ids[k]) for k in touched),
                restored,
                f"建议{what_zh}（可使 {restored} 个勾稽关系成立）",
                f"{what} (restores {restored} identit{'y' if restored == 1 else 'ies'})",
            )
        )
    return out
