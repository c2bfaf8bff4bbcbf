"""Compare two reports cell by cell: two years of one agency, or two agencies.

>>> import gongkai_model as gk
>>> a = gk.examples.seed_report()
>>> b = gk.model.replace_path(a, "table3.new_received.natural_person", 7)
>>> b = gk.model.replace_path(b, "table4.reconsideration.upheld", None)
>>> result = gk.compare(a, b)
>>> [(c.path, c.old, c.new, c.difference) for c in result.changes]
[('table3.new_received.natural_person', 0, 7, 7), ('table4.reconsideration.upheld', 0, None, None)]
>>> result.unchanged, result.only_in_a, result.only_in_b
(198, (), ())
"""

from __future__ import annotations

import functools
from decimal import Decimal
from typing import TYPE_CHECKING

import attrs

from .errors import GongkaiError, Problem
from .model.layout import Shape, cells, layout
from .model.report import AnnualReport
from .model.spec import Value
from .model.values import Amount
from .records import CellValue, Record

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["COMPARISON_COLUMNS", "CellChange", "Comparison", "compare"]

#: The columns of :meth:`Comparison.to_frame`, in order.
COMPARISON_COLUMNS = (
    "status", "table", "row", "column", "path", "old", "new", "difference", "old_money", "new_money",
    "money_difference",
)  # fmt: skip


@functools.cache
def _money_paths() -> frozenset[str]:
    """The paths of the money cells of every shape (表二 2021 本年收费金额, 2019 采购总金额)."""
    return frozenset(c.path for s in Shape.all() for c in layout(s) if c.kind in (Value.MONEY, Value.AMOUNT))


@attrs.frozen
class CellChange:
    """One cell whose value differs between two reports.

    ``old`` is the value in the first report, ``new`` in the second
    (``None`` for a blank); ``difference`` is ``new - old`` when both are
    numbers of the same unit, else ``None`` (a blank against a figure, even 0,
    is a change with no difference; so are two amounts printed in different
    units).
    """

    table: str
    row: str
    column: str
    path: str
    old: CellValue
    new: CellValue
    difference: int | Decimal | None


@attrs.frozen
class Comparison:
    """What :func:`compare` found: the changed cells, and the cells only one report has.

    Cells are matched by model path, so reports of different shapes (2019
    and 2021 formats, one or three （六）其他处理 rows, with or without the
    小计 column) are compared on the cells they share; the others are listed
    in ``only_in_a`` and ``only_in_b`` as :class:`~gongkai_model.records.Record`
    objects.  ``changes`` and ``only_in_a`` follow the first report's
    published order, ``only_in_b`` the second's.  ``unchanged`` counts the
    shared cells with equal values (blank and blank are equal).
    """

    a_name: str
    b_name: str
    changes: tuple[CellChange, ...]
    only_in_a: tuple[Record, ...]
    only_in_b: tuple[Record, ...]
    unchanged: int

    @property
    def same(self) -> bool:
        """Whether the two reports have the same cells with the same values."""
        return not (self.changes or self.only_in_a or self.only_in_b)

    def to_frame(self, *, exact: bool = False) -> pd.DataFrame:
        """The comparison as a pandas DataFrame (needs the ``pandas`` extra); columns :data:`COMPARISON_COLUMNS`.

        One row per changed cell (``status`` ``"changed"``), then one per cell
        only in the first report (``"only_in_a"``, its value as ``old``) and
        only in the second (``"only_in_b"``, its value as ``new``).  A count
        cell's figures are in ``old``, ``new`` and ``difference``, always
        ``Int64``; a money cell's (表二 2021 本年收费金额, 2019 采购总金额) in
        ``old_money``, ``new_money`` and ``money_difference``: ``Float64``, or
        exact objects (``Decimal``, :class:`~gongkai_model.Amount`) when an
        amount with its unit is among them or with ``exact=True``. So counts
        stay integers whatever money is compared; a blank is missing, never 0.
        """
        from .frames import _numbers, _pandas

        pandas = _pandas()
        rows: list[tuple[str, str, str, str, str, CellValue, CellValue, int | Decimal | None]] = [
            ("changed", c.table, c.row, c.column, c.path, c.old, c.new, c.difference) for c in self.changes
        ]
        rows.extend(("only_in_a", r.table, r.row, r.column, r.path, r.value, None, None) for r in self.only_in_a)
        rows.extend(("only_in_b", r.table, r.row, r.column, r.path, None, r.value, None) for r in self.only_in_b)
        columns = list(zip(*rows, strict=True)) if rows else [()] * len(COMPARISON_COLUMNS)
        status = pandas.CategoricalDtype(["changed", "only_in_a", "only_in_b"])
        data = {"status": pandas.Categorical(list(columns[0]), dtype=status)}
        for i, name in enumerate(COMPARISON_COLUMNS[1:5], 1):
            data[name] = pandas.array(list(columns[i]), dtype="string")
        money = [path in _money_paths() for path in columns[4]]
        for i, name in enumerate(COMPARISON_COLUMNS[5:8], 5):
            counts = [None if m else v for m, v in zip(money, columns[i], strict=True)]
            data[name] = pandas.array(counts, dtype="Int64")
            amounts = [v if m else None for m, v in zip(money, columns[i], strict=True)]
            data[COMPARISON_COLUMNS[i + 3]] = _numbers(pandas, amounts, exact, money=True)
        frame: pd.DataFrame = pandas.DataFrame(data, columns=list(COMPARISON_COLUMNS))
        return frame

    def _repr_html_(self) -> str:
        """The comparison as a notebook shows it (:func:`gongkai_model.notebook.comparison_html`)."""
        from ._views import html

        return html(self)


def _difference(old: CellValue, new: CellValue) -> int | Decimal | None:
    if isinstance(old, Amount) and isinstance(new, Amount):
        return new.value - old.value if old.unit == new.unit else None
    if isinstance(old, (int, Decimal)) and isinstance(new, (int, Decimal)):
        return new - old
    return None


def _name(report: AnnualReport) -> str:
    if report.agency is None or report.year is None:  # unknown: as the title prints it (（机关不详）…)
        return report.title.removesuffix(report.TITLE)
    return f"{report.agency} {report.year}"


def compare(a: AnnualReport, b: AnnualReport) -> Comparison:
    """Compare the table cells of two reports; see :class:`Comparison`.

    Raises :class:`~gongkai_model.GongkaiError` when either is not a report.
    """
    wrong = [
        Problem(name, f"expected an AnnualReport, got {type(r).__name__}")
        for name, r in (("a", a), ("b", b))
        if not isinstance(r, AnnualReport)
    ]
    if wrong:
        raise GongkaiError("cannot compare", wrong)
    in_b = {cell.path: (cell, value) for cell, value in cells(b)}
    seen: set[str] = set()
    changes: list[CellChange] = []
    only_a: list[Record] = []
    unchanged = 0
    for cell, old in cells(a):
        if cell.path not in in_b:
            only_a.append(Record(cell.table, cell.row, cell.column, old, cell.path))
            continue
        seen.add(cell.path)
        new = in_b[cell.path][1]
        if (old is None) == (new is None) and old == new:
            unchanged += 1
            continue
        changes.append(CellChange(cell.table, cell.row, cell.column, cell.path, old, new, _difference(old, new)))
    only_b = [
        Record(cell.table, cell.row, cell.column, value, cell.path)
        for cell, value in in_b.values()
        if cell.path not in seen
    ]
    a_name, b_name = _name(a), _name(b)
    if a_name == b_name:
        a_name, b_name = f"{a_name} (a)", f"{b_name} (b)"
    return Comparison(a_name, b_name, tuple(changes), tuple(only_a), tuple(only_b), unchanged)
