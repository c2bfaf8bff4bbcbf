"""Long-format records: one record per table cell.

Records are the stable bridge between the model and everything tabular
(CSV, pandas, Parquet, spreadsheets).  Each has the table (``"二"``,
``"三"``, ``"四"``), the exact statutory row and column labels, the value and
the model path.

>>> from gongkai_model import examples, to_records, from_records
>>> report = examples.seed_report()
>>> recs = to_records(report)
>>> len(recs)
200
>>> recs[11]  # doctest: +NORMALIZE_WHITESPACE
Record(table='三', row='一、本年新收政府信息公开申请数量', column='商业企业', value=0,
       path='table3.new_received.commercial')
>>> rebuilt = from_records(recs, agency=report.agency, year=report.year)
>>> to_records(rebuilt) == recs
True
"""

from __future__ import annotations

import functools
import numbers
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any, NamedTuple

from ._codegen import FAST_PATHS, compile_function
from .errors import ModelError, Problem, RecordsError
from .labels import close_match, normalize_label
from .model.build import build
from .model.layout import Cell, Shape, label_index, layout, rows, shape_of, values
from .model.report import AnnualReport
from .model.spec import Value
from .model.tables import OTHER_HANDLING
from .model.values import Amount, Edition

__all__ = ["CellValue", "Record", "from_records", "infer_edition", "infer_shape", "to_records"]

CellValue = int | Decimal | Amount | None


class Record(NamedTuple):
    """One table cell of one report (an immutable named tuple: ``record.row``, ``record.value`` …)."""

    table: str
    row: str
    column: str
    value: CellValue
    path: str


@functools.cache
def _labels(shape: Shape) -> tuple[tuple[tuple[str, str, str], ...], tuple[tuple[str, str, str, str], ...]]:
    """(table, row, column) of every cell of ``shape``, and (table, row, column, path), in layout order."""
    cells = layout(shape)
    return tuple((c.table, c.row, c.column) for c in cells), tuple((c.table, c.row, c.column, c.path) for c in cells)


_new = tuple.__new__


@functools.cache
def _generated(shape: Shape) -> Callable[[AnnualReport], list[Record]]:
    """``to_records`` of one shape, generated: each node looked up once, each record built in place.

    The body is one list display of ``new(Record, ("表", "row", "column", node.leaf, "path"))``, the
    labels and paths constants of the code: no getter tuple, no zip, no unpacking per cell.
    """
    names: dict[str, str] = {"": "r"}  # node path -> local variable
    lines = ["def to_records(r):"]
    items = []
    for c in layout(shape):
        parent, _, leaf = c.path.rpartition(".")
        steps = parent.split(".")
        for k in range(len(steps)):
            node = ".".join(steps[: k + 1])
            if node not in names:
                names[node] = f"n{len(names)}"
                lines.append(f"    {names[node]} = {names['.'.join(steps[:k])]}.{steps[k]}")
        items.append(f"new(R, ({c.table!r}, {c.row!r}, {c.column!r}, {names[parent]}.{leaf}, {c.path!r}))")
    lines.append("    return [")
    lines.extend(f"        {item}," for item in items)
    lines.append("    ]")
    made: Callable[[AnnualReport], list[Record]] = compile_function(
        "\n".join(lines) + "\n", "to_records", {"R": Record, "new": _new}, f"records {shape.edition.value}"
    )
    return made


def to_records(report: AnnualReport) -> list[Record]:
    """One :class:`Record` per table cell, in published order.

    A 2021 report gives 10 + 175 + 15 records, a 2019 report 22 + 161 + 15.
    """
    if FAST_PATHS:
        return _generated(shape_of(report))(report)
    return _slow_to_records(report)


def _slow_to_records(report: AnnualReport) -> list[Record]:
    """The thorough twin of the generated ``to_records``: the layout's labels zipped with the cell values."""
    cells = _labels(shape_of(report))[1]
    return [_new(Record, (t, r, c, v, p)) for (t, r, c, p), v in zip(cells, values(report), strict=True)]


_FIELDS = ("table", "row", "column", "value")


def _read(rec: object, index: int, problems: list[Problem]) -> tuple[Any, ...] | None:
    if isinstance(rec, Mapping):
        missing = [k for k in _FIELDS if k not in rec]
        got = tuple(rec.get(k) for k in _FIELDS)
    else:
        missing = [k for k in _FIELDS if not hasattr(rec, k)]
        got = tuple(getattr(rec, k, None) for k in _FIELDS)
    if missing:
        problems.append(Problem(f"record {index}", f"has no {', '.join(missing)}"))
        return None
    bad = [k for k, v in zip(_FIELDS[:3], got[:3], strict=True) if not isinstance(v, str)]
    if bad:
        problems.append(Problem(f"record {index}", f"{', '.join(bad)} must be text"))
        return None
    return got


def _index(shape: Shape) -> dict[tuple[str, str, str], Cell]:
    out: dict[tuple[str, str, str], Cell] = {}
    for cell in layout(shape):
        row_labels = (cell.row, *cell.row_info.spec.aliases)
        col_labels = (cell.column, *cell.spec.aliases)
        for r in row_labels:
            for c in col_labels:
                out.setdefault((cell.table, normalize_label(r), normalize_label(c)), cell)
    return out


_INDEX: dict[Shape, dict[tuple[str, str, str], Cell]] = {}


def _cell_index(shape: Shape) -> dict[tuple[str, str, str], Cell]:
    if shape not in _INDEX:
        _INDEX[shape] = _index(shape)
    return _INDEX[shape]


def _coerce(kind: Value, value: Any) -> Any:
    """Exact, lossless conversions only: numpy-style integers to int, int to Decimal for money."""
    if value is None or isinstance(value, bool):
        return value
    if kind in (Value.COUNT, Value.SIGNED) and isinstance(value, numbers.Integral):
        return int(value)
    if kind is Value.MONEY and isinstance(value, numbers.Integral):
        return Decimal(int(value))
    if kind is Value.AMOUNT and isinstance(value, Decimal):
        return Amount(value)
    if kind is Value.AMOUNT and isinstance(value, numbers.Integral):
        return Amount(Decimal(int(value)))
    return value


@functools.cache
def _edition_keys() -> tuple[frozenset[str], frozenset[str]]:
    """Normalised labels printed only in 2019-format tables, and only in 2021-format tables."""

    def keys(shape: Shape) -> set[str]:
        index = label_index(shape)
        return set(index.rows).union(*index.column_keys.values())

    k2019, k2021 = (
        set().union(*(keys(s) for s in Shape.all(edition=e, subtotal=True)))
        for e in (Edition.FORMAT_2019, Edition.FORMAT_2021)
    )
    return frozenset(k2019 - k2021), frozenset(k2021 - k2019)


def infer_edition(labels: Iterable[str], year: int | None = None) -> tuple[Edition, list[Problem]]:
    """The edition whose own labels appear among ``labels`` (printed row and column labels).

    Labels only the 2019 format prints (``本年新制作数量``, ``政府集中采购`` …) or only the 2021
    format prints (``本年制发件数``, the three （六） sub-rows …) decide; when neither or both appear,
    the edition in force for ``year`` is used (the 2021 one when the year is unknown), and a mix is
    reported.
    """
    only_2019, only_2021 = _edition_keys()
    keys = {normalize_label(x) for x in labels}
    seen_2019, seen_2021 = bool(keys & only_2019), bool(keys & only_2021)
    by_year = Edition.for_year(year) if isinstance(year, int) and not isinstance(year, bool) and year >= 2019 else None
    problems: list[Problem] = []
    if seen_2019 and not seen_2021:
        return Edition.FORMAT_2019, problems
    if seen_2021 and not seen_2019:
        return Edition.FORMAT_2021, problems
    if seen_2019 and seen_2021:
        problems.append(Problem("表二", "the tables mix labels of the 2019 and the 2021 formats"))
    return by_year or Edition.FORMAT_2021, problems


_BOTH_OTHER_FORMS = f"has both the single {OTHER_HANDLING} row and its three sub-rows"


def infer_shape(labels: Iterable[str], edition: Edition) -> tuple[Shape, list[Problem]]:
    """The 表三 variant that the printed row and column ``labels`` show, for ``edition``.

    One （六）其他处理 row or its three sub-rows, and whether a 法人或其他组织 小计 column is printed.
    Shared by :func:`from_records` and every document reader.
    """
    problems: list[Problem] = []
    detailed = Shape(edition, False, True) if edition is Edition.FORMAT_2021 else None
    single = Shape(edition, True, True)
    single_rows = {normalize_label(OTHER_HANDLING)}
    detailed_rows: set[str] = set()
    if detailed is not None:
        detailed_rows = {normalize_label(r.label) for r in rows(detailed) if r.path.startswith("table3.results.other.")}
    subtotal = {normalize_label(c.column) for c in layout(single) if c.spec.total == "header"}
    keys = {normalize_label(x) for x in labels}
    seen_single = bool(keys & single_rows)
    seen_detailed = bool(keys & detailed_rows)
    seen_subtotal = bool(keys & subtotal)
    if seen_single and seen_detailed and edition is Edition.FORMAT_2019:
        problems.append(Problem("表三", _BOTH_OTHER_FORMS, OTHER_HANDLING))
    single_row = edition is Edition.FORMAT_2019 or (seen_single and not seen_detailed)
    return Shape(edition, single_row, seen_subtotal), problems


def _shape(edition: Edition, recs: list[tuple[int, tuple[Any, ...]]], problems: list[Problem]) -> Shape:
    """Infer the 表三 variant from the labels the records use."""
    labels = [x for _, (table, row, column, _v) in recs if table == "三" for x in (row, column)]
    shape, found = infer_shape(labels, edition)
    single_rows = {normalize_label(OTHER_HANDLING)}
    if (
        edition is Edition.FORMAT_2021
        and any(normalize_label(x) in single_rows for x in labels)
        and not shape.single_other_row
    ):
        found.append(Problem("表三", _BOTH_OTHER_FORMS, OTHER_HANDLING))
    problems.extend(found)
    return shape


def from_records(
    records: Iterable[object],
    *,
    agency: str,
    year: int,
    edition: Edition | str | None = None,
) -> AnnualReport:
    """Build a report from records (objects or mappings with ``table``, ``row``, ``column``, ``value``).

    Labels are matched after normalising white space, full-width and
    half-width forms and the 、/， variants, and known variant labels (such as
    ``规范性文件`` for ``行政规范性文件``) are accepted.  The 表三 variant (one or
    three （六）其他处理 rows, a 小计 column) follows from the labels used.
    Cells with no record are blank (``None``).  Values must already be
    numbers: integers for counts, ``Decimal`` (or integers) for money,
    :class:`Amount` for 2019 采购总金额; text is never parsed here.

    Every problem (unknown labels, duplicates, wrong values) is reported at
    once in one :class:`~gongkai_model.errors.RecordsError`.
    """
    if not isinstance(records, list | tuple):
        records = list(records)
    fast = _fast_from_records(records, agency, year, edition) if FAST_PATHS else None
    if fast is not None:
        return fast
    return _from_records(records, agency=agency, year=year, edition=edition)


def _from_records(
    records: Iterable[object], *, agency: str, year: int, edition: Edition | str | None = None
) -> AnnualReport:
    """The thorough path of :func:`from_records`: the authority, and the one that explains every problem."""
    problems: list[Problem] = []
    try:
        ed = Edition.resolve(edition, year)
    except ModelError as exc:
        raise RecordsError("cannot build the report", exc.problems) from None
    recs = []
    for i, rec in enumerate(records):
        got = _read(rec, i, problems)
        if got is not None:
            recs.append((i, got))
    shape = _shape(ed, recs, problems)
    index = _cell_index(shape)
    values: dict[str, Any] = {}
    source: dict[str, int] = {}
    for i, (table, row, column, value) in recs:
        cell = index.get((table, normalize_label(row), normalize_label(column)))
        if cell is None:
            problems.append(Problem(f"record {i}", _unknown(shape, table, row, column)))
            continue
        if cell.path in values:
            problems.append(Problem(f"record {i}", f"repeats the cell of record {source[cell.path]}", cell.label))
            continue
        values[cell.path] = _coerce(cell.kind, value)
        source[cell.path] = i
    report, built = build(shape, values, agency=agency, year=year)
    problems.extend(_record_problem(p, shape, source) for p in built)
    if report is None or problems:
        raise RecordsError("the records do not describe one report", problems)
    return report


def _record_problem(problem: Problem, shape: Shape, source: dict[str, int]) -> Problem:
    """A problem of the builder, named by the record that gave the value (and the cell's column label)."""
    index = source.get(problem.location)
    if index is None:
        return problem
    cell = _by_path(shape)[problem.location]
    return Problem(f"record {index} ({problem.location})", problem.message, cell.spec.label)


@functools.cache
def _by_path(shape: Shape) -> dict[str, Cell]:
    """Every cell of ``shape`` by its model path, in layout order."""
    return {c.path: c for c in layout(shape)}


_EXACT = {Value.COUNT: int, Value.SIGNED: int, Value.MONEY: Decimal, Value.AMOUNT: Amount}


@functools.cache
def _by_length(edition: Edition) -> dict[int, list[Shape]]:
    out: dict[int, list[Shape]] = {}
    for shape in Shape.all(edition=edition):
        out.setdefault(len(layout(shape)), []).append(shape)
    return out


@functools.cache
def _kinds(shape: Shape) -> tuple[type, ...]:
    return tuple(_EXACT[c.kind] for c in layout(shape))


def _fast_from_records(
    records: list[Any] | tuple[Any, ...], agency: str, year: int, edition: Any
) -> AnnualReport | None:
    """The report, when the records are exactly one shape's cells in published order with statutory labels
    and values of the exact types; ``None`` (the thorough path decides) on any doubt or any problem."""
    if isinstance(year, bool) or not isinstance(year, int) or year < 2019:
        return None
    try:
        ed = Edition.resolve(edition, year)
    except ModelError:
        return None
    shapes = _by_length(ed).get(len(records))
    if not shapes:
        return None
    first = records[0]
    if type(first) is Record:
        if any(type(r) is not Record for r in records):
            return None
        keys = [r[:3] for r in records]
        vals = [r[3] for r in records]
    elif type(first) is dict:
        try:
            keys = [(r["table"], r["row"], r["column"]) for r in records]
            vals = [r["value"] for r in records]
        except (KeyError, TypeError):
            return None
    else:
        return None
    for shape in shapes:
        if keys == list(_labels(shape)[0]):
            break
    else:
        return None
    for v, kind in zip(vals, _kinds(shape), strict=True):
        if v is not None and type(v) is not kind:
            return None
    report, problems = build(shape, vals, agency=agency, year=year)
    return None if problems else report


def _unknown(shape: Shape, table: str, row: str, column: str) -> str:
    tables = {c.table for c in layout(shape)}
    if table not in tables:
        return f"unknown table {table!r} (expected one of {', '.join(sorted(tables))})"
    known_rows = {normalize_label(r.label): r.label for r in rows(shape) if r.table == table}
    known_rows.update(
        (normalize_label(alias), r.label) for r in rows(shape) if r.table == table for alias in r.spec.aliases
    )
    if normalize_label(row) not in known_rows:
        return f"unknown row label {row!r} in 表{table} ({shape.edition.value} format){_did_you_mean(row, known_rows)}"
    known_columns = {normalize_label(c.column): c.column for c in layout(shape) if c.table == table}
    return f"unknown column label {column!r} for row {row!r} in 表{table}{_did_you_mean(column, known_columns)}"


def _did_you_mean(label: str, known: dict[str, str]) -> str:
    close = close_match(normalize_label(label), known)  # the readers' one fuzzy cut-off
    return f"; did you mean {known[close]!r}?" if close is not None else ""
