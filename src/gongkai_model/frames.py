"""pandas frames of reports and findings (the optional ``pandas`` extra).

:func:`to_frame` gives the tidy long form, one row per table cell, or with
``wide=True`` each table as a grid of its statutory row and column labels;
:func:`findings_frame` gives one row per finding, :func:`files_frame` one row per file. Each takes
reports, what ``read``, ``check``, ``read_many`` and ``check_many`` return, or lists of them, and
names each file's ``source``.  pandas is imported when a function
is called, never at ``import gongkai_model``; without it the functions raise
:class:`~gongkai_model.GongkaiError` naming the extra to install.

>>> import gongkai_model as gk
>>> frame = gk.to_frame(gk.examples.seed_report())
>>> len(frame), str(frame["value"].dtype), frame["row"].cat.ordered
(200, 'Int64', True)
>>> frame.loc[11, ["table", "row", "column"]].tolist(), int(frame.loc[11, "value"])
(['三', '一、本年新收政府信息公开申请数量', '商业企业'], 0)
>>> tables = gk.to_frame(gk.examples.seed_report(), wide=True)
>>> tables["三"].shape
(25, 7)
"""

from __future__ import annotations

import functools
import heapq
import itertools
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, Literal, overload

import attrs

from ._optional import import_optional, install_hint
from ._views import parts, register_frame
from .checks import Finding, Severity, ValidationResult, validate
from .errors import GongkaiError, Problem, Verdict
from .formats import Coverage, Imported
from .model.layout import Shape, cells, layout, rows, shape_of, values
from .model.report import AnnualReport
from .model.spec import Value
from .model.values import Amount, Edition, MoneyUnit

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import pandas as pd

__all__ = [
    "COLUMNS",
    "FILE_COLUMNS",
    "FINDING_COLUMNS",
    "INSTALL_HINT",
    "Categories",
    "categories",
    "every_shape",
    "files_frame",
    "findings_frame",
    "merge_orders",
    "to_frame",
]

#: The columns of the long form, in order.
COLUMNS = (
    "source", "agency", "year", "edition", "table", "row", "column", "path", "kind", "value", "money", "unit",
    "agency_from", "year_from",
)  # fmt: skip

#: The columns of :func:`findings_frame`, in order.
FINDING_COLUMNS = (
    "source",
    "agency",
    "code",
    "severity",
    "year",
    "table",
    "row",
    "column",
    "path",
    "place",
    "expected",
    "actual",
    "difference",
    "assessable",
    "blank_paths",
    "message_zh",
    "message_en",
)

#: The columns of :func:`files_frame` (and ``BatchResult.to_frame()``), in order.
FILE_COLUMNS = (
    "source", "status", "agency", "year", "edition", "agency_from", "year_from",
    "cells", "read", "by_order", "split", "refused", "absent", "coverage",
    "problems", "read_errors", "assessed", "not_assessable",
    "findings", "error", "inconsistency", "warning", "info", "suggestions",
)  # fmt: skip

#: How to get pandas when it is missing.
INSTALL_HINT = install_hint("pandas")

_COUNTS = (Value.COUNT, Value.SIGNED)
_MONEY = (Value.MONEY, Value.AMOUNT)


def _pandas() -> Any:
    """The pandas module, or a :class:`GongkaiError` saying which extra to install."""
    return import_optional("pandas", "pandas", purpose="this function")


# ---------------------------------------------------------------------------
# Categories: the published order of every label, derived from the layout of every shape


def every_shape() -> tuple[Shape, ...]:
    """Every shape a report can have (the single-row （六） forms first, so that it sorts before its parts)."""
    return Shape.all()


def merge_orders(sequences: Iterable[Sequence[str]]) -> tuple[str, ...]:
    """One order that keeps the order of every sequence (a stable topological merge).

    Among labels that may come next, the one seen first comes first.

    >>> merge_orders([["a", "b", "d"], ["b", "c", "d"], ["x", "d"]])
    ('a', 'b', 'c', 'x', 'd')
    """
    first: dict[str, int] = {}
    after: dict[str, set[str]] = {}
    before: dict[str, int] = {}
    for sequence in sequences:
        seq = list(dict.fromkeys(sequence))
        for label in seq:
            if label not in first:
                first[label] = len(first)
                after[label] = set()
                before[label] = 0
        for x, y in itertools.pairwise(seq):
            if y not in after[x]:
                after[x].add(y)
                before[y] += 1
    ready = [(first[label], label) for label in first if before[label] == 0]
    heapq.heapify(ready)
    out: list[str] = []
    while ready:
        _, label = heapq.heappop(ready)
        out.append(label)
        for y in after[label]:
            before[y] -= 1
            if before[y] == 0:
                heapq.heappush(ready, (first[y], y))
    placed = set(out)
    out.extend(label for label in first if label not in placed)  # only if the orders contradict each other
    return tuple(out)


@attrs.frozen
class Categories:
    """The ordered categories of the long form's label columns (the same for every frame)."""

    table: tuple[str, ...]
    row: tuple[str, ...]
    column: tuple[str, ...]
    path: tuple[str, ...]
    kind: tuple[str, ...]
    edition: tuple[str, ...]
    unit: tuple[str, ...]


@functools.cache
def categories() -> Categories:
    """Every table, row label, column label and path of every shape, in published order."""
    shapes = every_shape()
    tables = merge_orders([c.table for c in layout(s)] for s in shapes)
    kinds = {c.kind.value for s in shapes for c in layout(s)}
    # table by table, so that a label first seen in a later table never goes before an earlier table's
    return Categories(
        table=tables,
        row=merge_orders([r.label for r in rows(s) if r.table == t] for t in tables for s in shapes),
        column=merge_orders([c.column for c in layout(s) if c.table == t] for t in tables for s in shapes),
        path=merge_orders([c.path for c in layout(s) if c.table == t] for t in tables for s in shapes),
        kind=tuple(v.value for v in Value if v.value in kinds),
        edition=tuple(e.value for e in Edition),
        unit=tuple(u.value for u in MoneyUnit),
    )


@attrs.frozen(eq=False)
class _ShapeCodes:
    """Per cell of one shape: the category codes of its labels, and which value column it fills."""

    table: npt.NDArray[np.int8]
    row: npt.NDArray[np.int16]
    column: npt.NDArray[np.int16]
    path: npt.NDArray[np.int16]
    kind: npt.NDArray[np.int8]
    unit: npt.NDArray[np.int8]  #: the unit the column header fixes, -1 when none
    count: npt.NDArray[np.bool_]
    money: npt.NDArray[np.bool_]
    amount: npt.NDArray[np.bool_]


@functools.cache
def _codes(shape: Shape) -> _ShapeCodes:
    import numpy as np

    cats = categories()
    index = {
        name: {label: i for i, label in enumerate(getattr(cats, name))}
        for name in ("table", "row", "column", "path", "kind", "unit")
    }
    cells_ = layout(shape)

    def codes(name: str, labels: Iterable[str | None], dtype: Any) -> Any:
        return np.array([index[name].get(label, -1) if label is not None else -1 for label in labels], dtype=dtype)

    return _ShapeCodes(
        table=codes("table", (c.table for c in cells_), np.int8),
        row=codes("row", (c.row for c in cells_), np.int16),
        column=codes("column", (c.column for c in cells_), np.int16),
        path=codes("path", (c.path for c in cells_), np.int16),
        kind=codes("kind", (c.kind.value for c in cells_), np.int8),
        unit=codes("unit", (c.spec.unit if c.kind is Value.MONEY else None for c in cells_), np.int8),
        count=np.array([c.kind in _COUNTS for c in cells_], dtype=bool),
        money=np.array([c.kind is Value.MONEY for c in cells_], dtype=bool),
        amount=np.array([c.kind is Value.AMOUNT for c in cells_], dtype=bool),
    )


# ---------------------------------------------------------------------------
# to_frame


#: What the frames take: a report, what ``read`` or ``check`` returns, a ``check_many`` result, or many of them.
Item = Any


@attrs.frozen
class _Entry:
    """One file (or one report given as such) as the frames see it."""

    source: str | None
    report: AnnualReport | None
    imported: Imported | None = None
    validation: ValidationResult | None = None
    verdict: Verdict | None = None


def _one(item: object, results: bool) -> list[_Entry] | None:
    """The entries of one item, or ``None`` when it is no item the frames know."""
    if isinstance(item, AnnualReport):
        return [_Entry(None, item)]
    if isinstance(item, Imported):
        return [_Entry(item.source, item.report, item, None, item.verdict)]
    if results and isinstance(item, ValidationResult):
        return [_Entry(None, None, None, item, item.verdict)]
    got = parts(item)  # CheckedReport, FileResult, BatchResult: registered where they are defined
    if got is None:
        return None
    return [_Entry(source, None if i is None else i.report, i, v, verdict) for source, i, v, verdict in got]


_ACCEPTED = "an AnnualReport, an Imported, a CheckedReport, a check_many result (or a FileResult)"


def _entries(items: object, what: str, *, results: bool = False) -> list[_Entry]:
    """Every entry of ``items``: one item, or an iterable of them (a ``read_many`` list, results, reports)."""
    accepted = _ACCEPTED + (", a ValidationResult" if results else "")
    single = _one(items, results)
    if single is not None:
        return single
    if isinstance(items, (str, bytes)) or not isinstance(items, Iterable):
        raise GongkaiError(
            what, [Problem("reports", f"expected {accepted} or an iterable of them, got {type(items).__name__}")]
        )
    out: list[_Entry] = []
    wrong = []
    for i, item in enumerate(items):
        if isinstance(item, AnnualReport):  # the common case first: a list of reports stays fast
            out.append(_Entry(None, item))
            continue
        got = _one(item, results)
        if got is None and isinstance(item, (list, tuple)):  # a list of lists: read_many results of several runs
            got = _entries(item, what, results=results)
        if got is None:
            wrong.append(Problem(f"item {i}", f"expected {accepted}, got {type(item).__name__}"))
        else:
            out.extend(got)
    if wrong:
        raise GongkaiError(what, wrong)
    return out


def _came_from(imported: Imported | None, name: str) -> str | None:
    """Where the report's ``agency`` or ``year`` came from (:attr:`Imported.metadata`): ``title``, ``file name``…"""
    if imported is None:
        return None
    found = imported.metadata.get(name)
    if found is None:
        return None
    return found.note or "caller"


@overload
def to_frame(reports: Item | Iterable[Item], *, wide: Literal[False] = False, exact: bool = False) -> pd.DataFrame: ...


@overload
def to_frame(reports: Item, *, wide: Literal[True], exact: bool = False) -> dict[str, pd.DataFrame]: ...


def to_frame(
    reports: Item | Iterable[Item], *, wide: bool = False, exact: bool = False
) -> pd.DataFrame | dict[str, pd.DataFrame]:
    """The cells of one report or many as a pandas DataFrame (needs the ``pandas`` extra).

    ``reports`` is a report, what :func:`~gongkai_model.read` and
    :func:`~gongkai_model.check` return, a :func:`~gongkai_model.check_many`
    result (or one of its files), or a list of any of these (what
    :func:`~gongkai_model.read_many` returns; a list of lists too). A file
    with no report has no cells (:func:`files_frame` lists every file).

    **Long form** (the default): one row per table cell, reports in the
    order given, each report's cells in published order (10 + 175 + 15 rows
    for a 2021 report).  The columns are :data:`COLUMNS`:

    - ``source`` (categorical): the file the report was read from (missing
      for a report given as such);
    - ``agency`` (categorical), ``year`` (int64), ``edition`` (``"2019"`` or
      ``"2021"``, categorical);
    - ``table`` (``"二"``, ``"三"``, ``"四"``), ``row``, ``column`` and
      ``path``: ordered categoricals whose categories are every label of
      every shape in published order, so ``sort_values`` restores the
      published order and frames of different reports concatenate;
    - ``kind``: ``count``, ``signed``, ``money`` or ``amount``;
    - ``value`` (nullable ``Int64``): the figure of every count cell;
    - ``money`` (``float64``): the figure of every money cell (表二 2021
      本年收费金额, in 万元; the 2019 采购总金额 as printed), and ``unit``
      (categorical ``元``/``万元``): the unit of a money cell, from its column
      header or as printed with the amount (missing when none was printed);
    - ``agency_from`` and ``year_from`` (categorical): where the reader found
      the agency and the year (:attr:`Imported.metadata <gongkai_model.Imported.metadata>`:
      ``title``, ``heading``, ``file name``, ``caller`` …; missing for a report given as such).

    A blank cell is missing (``<NA>`` or ``NaN``), never 0; a count cell has
    no ``money`` and a money cell no ``value``.  ``exact=True`` keeps money as
    :class:`~decimal.Decimal` objects in an ``object`` column.

    **Wide form** (``wide=True``, one report): a dict ``{"二": …, "三": …,
    "四": …}`` of DataFrames, each indexed by its statutory row labels with
    its statutory column labels as columns; a column header spanning several
    columns (表三 法人或其他组织) or a banner over several rows (表二
    第二十条第（…）项, 表四 行政诉讼) becomes the outer level of a
    two-level index.  表四, printed as one line of three blocks side by side,
    is turned to three rows (one per block) under its five outcome columns.
    Count columns are ``Int64``, money ``float64`` (``Decimal`` objects with
    ``exact=True``); the 2019 采购总金额 column holds
    :class:`~gongkai_model.Amount` objects, since a number without the unit
    it was printed in would be wrong.  A row lacking a column (表二's rows
    have different columns) is missing there too: the long form tells blank
    cells from absent ones.

    Raises :class:`~gongkai_model.GongkaiError` when an item is not a
    report, when ``wide=True`` is given more than one report, or when pandas
    is not installed.

    >>> import gongkai_model as gk
    >>> report = gk.model.replace_path(gk.examples.seed_report(), "table4.reconsideration.upheld", None)
    >>> frame = gk.to_frame(report)
    >>> cell = frame[frame.path == "table4.reconsideration.upheld"]
    >>> cell[["row", "column"]].values.tolist(), cell["value"].isna().tolist()
    ([['行政复议', '结果维持']], [True])
    """
    pandas = _pandas()
    got = [e for e in _entries(reports, "cannot make a frame") if e.report is not None]
    if wide:
        if len(got) != 1:
            raise GongkaiError(
                "cannot make a wide frame", [Problem("reports", f"wide=True takes one report, got {len(got)}")]
            )
        return _wide(pandas, got[0].report, exact)  # type: ignore[arg-type]
    return _long(pandas, got, exact)


def _category(pandas: Any, name: str, ordered: bool = True) -> Any:
    return pandas.CategoricalDtype(list(getattr(categories(), name)), ordered=ordered)


def _codes_of(labels: Sequence[str | None]) -> tuple[Any, list[str]]:
    """Category codes (``-1`` for ``None``) and the categories, in order of first appearance."""
    import numpy as np

    seen: dict[str, int] = {}
    codes = np.array([-1 if x is None else seen.setdefault(x, len(seen)) for x in labels], dtype=np.int64)
    return codes, list(seen)


def _long(pandas: Any, entries: list[_Entry], exact: bool) -> pd.DataFrame:
    import numpy as np

    reports: list[AnnualReport] = [e.report for e in entries]  # type: ignore[misc]
    per = [_codes(shape_of(r)) for r in reports]
    sizes = np.array([len(p.row) for p in per], dtype=np.int64)
    total = int(sizes.sum())

    def joined(name: str, dtype: Any) -> Any:
        if not per:
            return np.zeros(0, dtype=dtype)
        return np.concatenate([getattr(p, name) for p in per])

    flat = list(itertools.chain.from_iterable(values(r) for r in reports))
    cell_values = np.empty(total, dtype=object)
    cell_values[:] = flat
    blank = np.fromiter((v is None for v in flat), dtype=bool, count=total)

    counted = joined("count", bool) & ~blank
    ints = np.zeros(total, dtype=np.int64)
    try:
        ints[counted] = cell_values[counted]
    except OverflowError:
        raise _too_large(reports) from None
    value = pandas.arrays.IntegerArray(ints, ~counted)

    money_cells = joined("money", bool) & ~blank
    amount_cells = joined("amount", bool) & ~blank
    amounts = cell_values[amount_cells]
    unit = joined("unit", np.int8)
    unit_index = {u: i for i, u in enumerate(MoneyUnit)}
    unit[amount_cells] = [unit_index.get(a.unit, -1) for a in amounts]
    if exact:
        money: Any = np.full(total, pandas.NA, dtype=object)
        money[money_cells] = cell_values[money_cells]
        money[amount_cells] = [a.value for a in amounts]
    else:
        money = np.full(total, np.nan)
        money[money_cells] = cell_values[money_cells].astype(np.float64)
        money[amount_cells] = [float(a.value) for a in amounts]

    agencies: dict[str, int] = {}
    agency_codes = np.array(  # -1: unknown agency (NaN in the column)
        [-1 if r.agency is None else agencies.setdefault(r.agency, len(agencies)) for r in reports], dtype=np.int64
    )
    edition_index = {e: i for i, e in enumerate(Edition)}
    edition_codes = np.array([edition_index[r.edition] for r in reports], dtype=np.int8)
    known = all(r.year is not None for r in reports)  # else nullable Int64: <NA> for an unknown year
    years: Any = (
        np.array([r.year for r in reports], dtype=np.int64)
        if known
        else pandas.array([r.year for r in reports], dtype="Int64")
    )

    def labels(name: str) -> Any:
        return pandas.Categorical.from_codes(joined(name, np.int16), dtype=_category(pandas, name))

    def per_report(labels: Sequence[str | None]) -> Any:
        codes, names = _codes_of(labels)
        return pandas.Categorical.from_codes(np.repeat(codes, sizes), categories=names)

    columns = {
        "source": per_report([e.source for e in entries]),
        "agency": pandas.Categorical.from_codes(np.repeat(agency_codes, sizes), categories=list(agencies)),
        "year": years.repeat(sizes),
        "edition": pandas.Categorical.from_codes(
            np.repeat(edition_codes, sizes), dtype=_category(pandas, "edition", False)
        ),
        "table": labels("table"),
        "row": labels("row"),
        "column": labels("column"),
        "path": labels("path"),
        "kind": pandas.Categorical.from_codes(joined("kind", np.int8), dtype=_category(pandas, "kind", False)),
        "value": value,
        "money": money,
        "unit": pandas.Categorical.from_codes(unit, dtype=_category(pandas, "unit", False)),
        "agency_from": per_report([_came_from(e.imported, "agency") for e in entries]),
        "year_from": per_report([_came_from(e.imported, "year") for e in entries]),
    }
    frame: pd.DataFrame = pandas.DataFrame(columns, columns=list(COLUMNS))
    return frame


def _too_large(reports: list[AnnualReport]) -> GongkaiError:
    limit = 2**63 - 1
    problems = [
        Problem(f"report {i}: {cell.path}", f"{v} does not fit a 64-bit integer column", cell.row + " × " + cell.column)
        for i, r in enumerate(reports)
        for cell, v in cells(r)
        if cell.kind in _COUNTS and v is not None and not -limit - 1 <= v <= limit
    ]
    return GongkaiError("a count is too large for a frame", problems)


def _outer(labels: Sequence[tuple[str | None, str]]) -> list[tuple[str, str]] | list[str]:
    """Flat labels, or (outer, inner) pairs when any has an outer one; an ungrouped label is then (label, "")."""
    if all(outer is None for outer, _ in labels):
        return [label for _, label in labels]
    return [(label, "") if outer is None else (outer, label) for outer, label in labels]


def _wide(pandas: Any, report: AnnualReport, exact: bool) -> dict[str, pd.DataFrame]:
    out: dict[str, pd.DataFrame] = {}
    all_cells = list(cells(report))
    for table in dict.fromkeys(c.table for c, _ in all_cells):
        mine = [(c, v) for c, v in all_cells if c.table == table]
        row_keys = list(dict.fromkeys((c.row_info.spec.banner, c.row) for c, _ in mine))
        col_keys = list(dict.fromkeys((c.spec.header, c.column) for c, _ in mine))
        row_at = {key: i for i, key in enumerate(row_keys)}
        grid: dict[tuple[str | None, str], list[Any]] = {key: [None] * len(row_keys) for key in col_keys}
        kinds: dict[tuple[str | None, str], set[Value]] = {key: set() for key in col_keys}
        for c, v in mine:
            key = (c.spec.header, c.column)
            grid[key][row_at[(c.row_info.spec.banner, c.row)]] = v
            kinds[key].add(c.kind)
        index = _outer(row_keys)
        columns = _outer(col_keys)
        frame = pandas.DataFrame(
            {i: _wide_column(pandas, grid[key], kinds[key], exact) for i, key in enumerate(col_keys)},
        )
        frame.index = pandas.MultiIndex.from_tuples(index) if isinstance(index[0], tuple) else pandas.Index(index)
        frame.columns = (
            pandas.MultiIndex.from_tuples(columns) if isinstance(columns[0], tuple) else pandas.Index(columns)
        )
        out[table] = frame
    return out


def _wide_column(pandas: Any, column: list[Any], kinds: set[Value], exact: bool) -> Any:
    if kinds <= set(_COUNTS):
        return pandas.array(column, dtype="Int64")
    if kinds == {Value.MONEY}:
        if exact:
            return pandas.array([pandas.NA if v is None else v for v in column], dtype=object)
        return pandas.array([float("nan") if v is None else float(v) for v in column], dtype="float64")
    return pandas.array([pandas.NA if v is None else v for v in column], dtype=object)


# ---------------------------------------------------------------------------
# findings


def _numbers(pandas: Any, column: Sequence[object], exact: bool, *, money: bool = False) -> Any:
    """Whole numbers as ``Int64``, with decimals as ``Float64`` (always, with ``money=True``); exact objects
    with ``exact=True`` or an Amount."""
    if exact or any(isinstance(v, Amount) for v in column):
        return pandas.array([pandas.NA if v is None else v for v in column], dtype=object)
    if not money and all(v is None or isinstance(v, int) for v in column):
        return pandas.array(column, dtype="Int64")
    return pandas.array([None if v is None else float(v) for v in column], dtype="Float64")  # type: ignore[arg-type]


def _findings_of(entry: _Entry) -> tuple[Finding, ...]:
    """The entry's findings: its checks', or those of ``validate`` for a report not checked yet."""
    if entry.validation is not None:
        return entry.validation.issues
    if entry.report is None:
        return ()
    derived = [] if entry.imported is None else [p for p, v in entry.imported.provenance.items() if v.formula]
    return validate(entry.report, derived=derived, suggestions=False).issues


def findings_frame(results: Item | Iterable[Item], *, exact: bool = False) -> pd.DataFrame:
    """One row per finding (needs the ``pandas`` extra); columns :data:`FINDING_COLUMNS`.

    ``results`` is a :class:`~gongkai_model.ValidationResult`, what :func:`~gongkai_model.check`
    or :func:`~gongkai_model.check_many` returns, or a report or what :func:`~gongkai_model.read`
    and :func:`~gongkai_model.read_many` return (checked here with :func:`~gongkai_model.validate`),
    or a list of any of these. ``source`` names the file (missing for a result or a report given
    as such), ``agency`` its report's agency, ``year`` the finding's year in a series, else the
    report's; ``place`` is where the cell was printed (:attr:`Finding.place`, from ``check``).
    ``severity`` is an ordered categorical (error, inconsistency, warning,
    info), so sorting by it puts the worst first; ``expected``, ``actual`` and
    ``difference`` are ``Int64`` when every figure is a whole number (as with
    every built-in check), else ``Float64``, and exact objects with
    ``exact=True``; ``blank_paths`` is the tuple of the model paths of the
    blank cells the finding names.

    >>> import gongkai_model as gk
    >>> bad = gk.model.replace_path(gk.examples.seed_report(), "table4.reconsideration.upheld", 3)
    >>> frame = gk.frames.findings_frame(gk.validate(bad))
    >>> frame.loc[0, ["code", "severity", "row", "column"]].tolist(), int(frame.loc[0, "difference"])
    (['T4_TOTAL', 'inconsistency', '行政复议', '总计'], -3)
    """
    pandas = _pandas()
    rows: list[tuple[_Entry, Finding]] = [
        (e, f) for e in _entries(results, "cannot make a frame of findings", results=True) for f in _findings_of(e)
    ]
    issues = [f for _, f in rows]
    severity = pandas.CategoricalDtype([s.value for s in Severity], ordered=True)
    text = "string"

    def report_year(e: _Entry, f: Finding) -> int | None:
        return f.year if f.year is not None or e.report is None else e.report.year

    data = {
        "source": pandas.array([e.source for e, _ in rows], dtype=text),
        "agency": pandas.array([None if e.report is None else e.report.agency for e, _ in rows], dtype=text),
        "code": pandas.array([f.code for f in issues], dtype=text),
        "severity": pandas.Categorical([f.severity.value for f in issues], dtype=severity),
        "year": pandas.array([report_year(e, f) for e, f in rows], dtype="Int64"),
        "table": pandas.array([f.table for f in issues], dtype=text),
        "row": pandas.array([f.row for f in issues], dtype=text),
        "column": pandas.array([f.column for f in issues], dtype=text),
        "path": pandas.array([f.path for f in issues], dtype=text),
        "place": pandas.array([None if f.place is None else str(f.place) for f in issues], dtype=text),
        "expected": _numbers(pandas, [f.expected for f in issues], exact),
        "actual": _numbers(pandas, [f.actual for f in issues], exact),
        "difference": _numbers(pandas, [f.difference for f in issues], exact),
        "assessable": pandas.array([f.assessable for f in issues], dtype="boolean"),
        "blank_paths": pandas.array([tuple(c.path for c in f.blank_cells) for f in issues], dtype=object),
        "message_zh": pandas.array([f.message_zh for f in issues], dtype=text),
        "message_en": pandas.array([f.message_en for f in issues], dtype=text),
    }
    frame: pd.DataFrame = pandas.DataFrame(data, columns=list(FINDING_COLUMNS))
    return frame


# ---------------------------------------------------------------------------
# files


def files_frame(results: Item | Iterable[Item]) -> pd.DataFrame:
    """One row per file (needs the ``pandas`` extra); columns :data:`FILE_COLUMNS`.

    ``results`` is what :func:`~gongkai_model.check_many` (``BatchResult.to_frame()`` is this
    function), :func:`~gongkai_model.read_many`, :func:`~gongkai_model.check` or
    :func:`~gongkai_model.read` returns, or a list of these (a report given as such is a row too).

    - ``source`` (the file), ``status`` (its :class:`~gongkai_model.Verdict`, categorical),
      ``agency``, ``year`` (``Int64``), ``edition``, and ``agency_from`` / ``year_from``: where
      the reader found them (:attr:`Imported.metadata`: ``title``, ``file name``, ``caller``…);
    - the :class:`~gongkai_model.formats.Coverage`: ``cells``, ``read``, ``by_order``, ``split``,
      ``refused``, ``absent`` (``Int64``) and ``coverage``, the share read (``Float64``, missing when
      the file has no cells: nothing was found);
    - ``problems`` and ``read_errors``: the reading problems, and those of severity error;
    - ``assessed`` and ``not_assessable`` (identities), ``findings``, the findings by severity
      (``error``, ``inconsistency``, ``warning``, ``info``) and ``suggestions``: missing when the
      checks did not run (no report, or a :func:`~gongkai_model.read_many` result), never 0.

    Every count is ``Int64``: a blank is ``<NA>``, never 0.
    """
    pandas = _pandas()
    entries = [
        attrs.evolve(e, validation=validate(e.report)) if e.imported is None and e.report is not None else e
        for e in _entries(results, "cannot make a frame of files", results=False)
    ]  # a report given as such is checked here; what read_many gives is not (its checks stay missing)
    text = "string"
    verdicts = pandas.CategoricalDtype([v.value for v in Verdict])

    def status(e: _Entry) -> str | None:
        verdict = e.verdict if e.verdict is not None else e.validation.verdict if e.validation is not None else None
        return None if verdict is None else str(verdict.value)

    def coverage(e: _Entry) -> Coverage | None:
        if e.imported is not None:
            return e.imported.coverage
        return None if e.report is None else Coverage.whole(e.report)

    def known(c: Coverage | None) -> Coverage | None:
        return c if c is not None and c.cells else None  # no cell found: the shape, so the counts, unknown

    covers = [known(coverage(e)) for e in entries]
    checked = [e.validation for e in entries]
    problems = [None if e.imported is None else e.imported.problems for e in entries]

    def counts(values: Iterable[int | None]) -> Any:
        return pandas.array(list(values), dtype="Int64")

    def of_checks(fn: Any) -> Any:
        return counts(None if v is None else fn(v) for v in checked)

    data: dict[str, Any] = {
        "source": pandas.array([e.source for e in entries], dtype=text),
        "status": pandas.Categorical([status(e) for e in entries], dtype=verdicts),
        "agency": pandas.array([None if e.report is None else e.report.agency for e in entries], dtype=text),
        "year": counts(None if e.report is None else e.report.year for e in entries),
        "edition": pandas.Categorical(
            [None if e.report is None else e.report.edition.value for e in entries],
            dtype=_category(pandas, "edition", False),
        ),
        "agency_from": pandas.array([_came_from(e.imported, "agency") for e in entries], dtype=text),
        "year_from": pandas.array([_came_from(e.imported, "year") for e in entries], dtype=text),
    }
    for name in ("cells", "read", "by_order", "split", "refused", "absent"):
        data[name] = counts(None if c is None else getattr(c, name) for c in covers)
    data["coverage"] = pandas.array(
        [None if c is None else c.ratio for c in covers],
        dtype="Float64",
    )
    data["problems"] = counts(None if p is None else len(p) for p in problems)
    data["read_errors"] = counts(None if p is None else sum(x.severity == Severity.ERROR for x in p) for p in problems)
    data["assessed"] = of_checks(lambda v: v.assessed)
    data["not_assessable"] = of_checks(lambda v: len(v.not_assessable))
    data["findings"] = of_checks(lambda v: len(v.issues))
    for s in Severity:
        data[s.value] = of_checks(lambda v, s=s: sum(f.severity is s for f in v.issues))
    data["suggestions"] = of_checks(lambda v: len(v.suggestions))
    frame: pd.DataFrame = pandas.DataFrame(data, columns=list(FILE_COLUMNS))
    return frame


register_frame(ValidationResult, findings_frame)  # ValidationResult.to_frame (the checks never import this module)
