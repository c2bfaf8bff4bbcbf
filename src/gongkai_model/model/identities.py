"""The identities (勾稽关系 and sums) of a report shape, derived from the specs: pure data, no evaluation.

Nothing here lists rows or columns: a sum comes from a ``Spec.total`` mark on
a field, and the 表三 balance from ``Applications.BALANCE``.  Each identity is
a pair of index tuples into :func:`~gongkai_model.model.layout`; the checks evaluate
them (:mod:`gongkai_model.checks`) and the Excel writer turns them into formulas.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from decimal import Decimal

import attrs

from .layout import Cell, RowInfo, Shape, layout, rows
from .report import AnnualReport
from .spec import field_specs
from .tables import Applications

__all__ = [
    "T3_BALANCE",
    "T3_RESULTS_TOTAL",
    "T3_ROW_TOTAL",
    "T3_SUBTOTAL",
    "T4_TOTAL",
    "Identity",
    "holds",
    "identities",
]

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


def holds(identity: Identity, values: Sequence[object]) -> bool | None:
    """Whether ``identity`` holds on ``values`` (indexed like the shape's layout); ``None`` when it cannot be told.

    An identity with a blank member (``None``) or a member that is not a number cannot be told: it
    neither holds nor fails. A pure evaluator for the readers (which may not import the checks).

    >>> i = Identity("X", "三", None, None, (0,), (1, 2), 0)
    >>> holds(i, [3, 1, 2]), holds(i, [3, 1, 1]), holds(i, [3, None, 2])
    (True, False, None)
    """
    total_l: int | Decimal = 0
    total_r: int | Decimal = 0
    for k in identity.lhs:
        v = values[k]
        if isinstance(v, bool) or not isinstance(v, (int, Decimal)):
            return None
        total_l += v
    for k in identity.rhs:
        v = values[k]
        if isinstance(v, bool) or not isinstance(v, (int, Decimal)):
            return None
        total_r += v
    return total_l == total_r
