"""The identities (勾稽关系 and sums) of a report shape, derived from the model.

Nothing here lists rows or columns: a sum comes from a ``Spec.total`` mark on
a field, and the 表三 balance from ``Applications.BALANCE``.  Each identity is
compiled to indices into :func:`~gongkai_model.model.layout`, so evaluating
one is a few list look-ups.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import attrs

from .._codegen import FAST_PATHS, compile_function
from ..model._spec import field_specs
from ..model.layout import Cell, RowInfo, Shape, layout, rows
from ..model.report import AnnualReport
from ..model.tables import Applications

__all__ = ["Identity", "IdentityStatus", "evaluate", "identities", "identities_of_cell"]

#: Stable codes of the identity checks.
T3_BALANCE = "T3_BALANCE"
T3_RESULTS_TOTAL = "T3_RESULTS_TOTAL"
T3_ROW_TOTAL = "T3_ROW_TOTAL"
T3_SUBTOTAL = "T3_SUBTOTAL"
T4_TOTAL = "T4_TOTAL"

_ROW_TOTAL_CODES = {("三", "siblings"): T3_ROW_TOTAL, ("三", "header"): T3_SUBTOTAL, ("四", "siblings"): T4_TOTAL}


@attrs.frozen
class Identity:
    """``sum(lhs) == sum(rhs)`` over cells of one shape (indices into its layout).

    For a total, ``lhs`` is the total cell and ``rhs`` its parts.  ``anchor``
    is the cell the identity is about (the total), or ``None`` for the 表三
    balance, which is about a whole column.
    """

    code: str
    table: str
    row: str | None
    column: str | None
    lhs: tuple[int, ...]
    rhs: tuple[int, ...]
    anchor: int | None

    @property
    def members(self) -> tuple[int, ...]:
        return self.lhs + self.rhs


def _row_totals(shape: Shape, cells: Sequence[Cell], index: dict[str, int]) -> list[Identity]:
    out = []
    by_row: dict[RowInfo, list[Cell]] = {}
    for c in cells:
        by_row.setdefault(c.row_info, []).append(c)
    for row, row_cells in by_row.items():
        for total in row_cells:
            code = _ROW_TOTAL_CODES.get((row.table, total.spec.total or ""))
            if code is None:
                continue
            if total.spec.total == "header":
                parts = [c for c in row_cells if c.spec.total is None and c.spec.header == total.spec.header]
            else:
                parts = [c for c in row_cells if c.spec.total is None]
            out.append(
                Identity(
                    code,
                    row.table,
                    row.label,
                    total.column,
                    (index[total.path],),
                    tuple(index[c.path] for c in parts),
                    index[total.path],
                )
            )
    return out


def _column_totals(shape: Shape, cells: Sequence[Cell], index: dict[str, int]) -> list[Identity]:
    out = []
    all_rows = rows(shape)
    for total_row in all_rows:
        if total_row.spec.total != "siblings":
            continue
        parent = total_row.path.rsplit(".", 1)[0] + "."
        parts = [r for r in all_rows if r.path.startswith(parent) and r is not total_row]
        for c in cells:
            if c.row_info is not total_row:
                continue
            name = c.path.rsplit(".", 1)[1]
            out.append(
                Identity(
                    T3_RESULTS_TOTAL,
                    total_row.table,
                    total_row.label,
                    c.column,
                    (index[c.path],),
                    tuple(index[f"{r.path}.{name}"] for r in parts),
                    index[c.path],
                )
            )
    return out


def _balance(shape: Shape, cells: Sequence[Cell], index: dict[str, int]) -> list[Identity]:
    section = next(i.name for i in field_specs(AnnualReport) if Applications in i.types)
    left, right = Applications.BALANCE
    first = f"{section}.{left[0]}."
    out = []
    for c in cells:
        if not c.path.startswith(first):
            continue
        name = c.path.rsplit(".", 1)[1]
        out.append(
            Identity(
                T3_BALANCE,
                c.table,
                None,
                c.column,
                tuple(index[f"{section}.{p}.{name}"] for p in left),
                tuple(index[f"{section}.{p}.{name}"] for p in right),
                None,
            )
        )
    return out


@functools.cache
def identities(shape: Shape) -> tuple[Identity, ...]:
    """Every identity of ``shape``: 表三 balance, results totals, row totals, 小计, 表四 totals."""
    cells = layout(shape)
    index = {c.path: i for i, c in enumerate(cells)}
    return tuple(_balance(shape, cells, index) + _column_totals(shape, cells, index) + _row_totals(shape, cells, index))


@functools.cache
def identities_of_cell(shape: Shape) -> tuple[tuple[int, ...], ...]:
    """For each cell index, the indices of the identities it takes part in."""
    ids = identities(shape)
    out: list[list[int]] = [[] for _ in layout(shape)]
    for k, ident in enumerate(ids):
        for m in ident.members:
            out[m].append(k)
    return tuple(tuple(x) for x in out)


@attrs.frozen
class IdentityStatus:
    """How one identity stands on given values."""

    ok: bool
    assessable: bool
    left: Any
    right: Any
    blanks: tuple[int, ...]


def evaluate(ident: Identity, values: Sequence[Any], blanks_as_zero: bool) -> IdentityStatus:
    """How ``ident`` stands on ``values`` (cell values in layout order)."""
    lhs = [values[m] for m in ident.lhs]
    rhs = [values[m] for m in ident.rhs]
    if None in lhs or None in rhs:
        blanks = tuple(m for m in ident.members if values[m] is None)
        if not blanks_as_zero:
            return IdentityStatus(False, False, None, None, blanks)
        left, right = sum(v for v in lhs if v is not None), sum(v for v in rhs if v is not None)
        return IdentityStatus(left == right, True, left, right, blanks)
    left, right = sum(lhs), sum(rhs)
    return HOLDS if left == right else IdentityStatus(False, True, left, right, ())


#: The status of every identity that holds with no blanks (shared: statuses are immutable).
HOLDS = IdentityStatus(True, True, None, None, ())


def side_sum(values: Sequence[object], members: tuple[int, ...]) -> int | Decimal:
    total: int | Decimal = 0
    for m in members:
        v = values[m]
        if v is not None:
            total += v  # type: ignore[operator]
    return total


@functools.cache
def _statuses_fn(shape: Shape, blanks_as_zero: bool) -> Any:
    """A function generated for ``shape``: the status of every identity on the cell values, in order.

    Each identity is summed inline; one that holds is :data:`HOLDS`; anything else (a blank,
    which cannot be added, or a broken identity) is left to :func:`evaluate`, so every status is
    exactly the one :func:`evaluate` gives.
    """
    env: dict[str, Any] = {"evaluate": evaluate, "HOLDS": HOLDS, "blanks_as_zero": blanks_as_zero}
    lines = ["def statuses(v):", "    out = []", "    add = out.append"]
    for k, ident in enumerate(identities(shape)):
        env[f"I{k}"] = ident
        left = " + ".join(["0", *(f"v[{m}]" for m in ident.lhs)])  # in the order sum() adds them
        right = " + ".join(["0", *(f"v[{m}]" for m in ident.rhs)])
        lines += [
            "    try:",
            f"        holds = {left} == {right}",
            "    except Exception:",
            "        holds = False",
            f"    add(HOLDS if holds is True else evaluate(I{k}, v, blanks_as_zero))",
        ]
    lines.append("    return tuple(out)")
    what = f"identity sums {shape.edition.value}{' blanks as zero' if blanks_as_zero else ''}"
    return compile_function("\n".join(lines) + "\n", "statuses", env, what)


def statuses(shape: Shape, values: Sequence[Any], blanks_as_zero: bool) -> tuple[IdentityStatus, ...]:
    """``tuple(evaluate(i, values, blanks_as_zero) for i in identities(shape))``, faster."""
    if not FAST_PATHS:
        return tuple(evaluate(ident, values, blanks_as_zero) for ident in identities(shape))
    return _statuses_fn(shape, blanks_as_zero)(values)  # type: ignore[no-any-return]
