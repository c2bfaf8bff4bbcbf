"""The cell layout of the three tables, derived from the model classes.

A report's *shape* (edition, one or three （六）其他处理 rows, with or without
the 小计 column) fixes its cells.  :func:`layout` walks the classes once per
shape and returns every cell with its table, labels and model path, in the
published row and column order; records, checks and serializers all read it.

>>> from gongkai_model import AnnualReport
>>> r = AnnualReport.blank(agency="示例", year=2023)
>>> cells = layout(shape_of(r))
>>> len(cells), cells[0].table, cells[0].row, cells[0].column, cells[0].path
(200, '二', '规章', '本年制发件数', 'table2.regulations.issued')
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar, cast

import attrs

from .._codegen import FAST_PATHS, compile_function
from .._views import register_cells
from ..errors import ModelError, Problem
from ..labels import FuzzyMatcher, normalize_label
from .report import NUMERALS, AnnualReport
from .spec import Kind, Node, Row, Spec, Value, field_specs
from .values import Edition

__all__ = [
    "Cell",
    "LabelIndex",
    "RowInfo",
    "Shape",
    "cells",
    "get_path",
    "label_index",
    "layout",
    "replace_path",
    "rows",
    "shape_of",
    "values",
]

_T = TypeVar("_T", bound=attrs.AttrsInstance)


@attrs.frozen(cache_hash=True)
class Shape:
    """What fixes a report's cells."""

    edition: Edition
    single_other_row: bool
    subtotal_column: bool = False

    @classmethod
    def all(cls, *, edition: Edition | None = None, subtotal: bool | None = None) -> tuple[Shape, ...]:
        """Every shape a report can have, or those of one ``edition`` / with or without the 小计 column.

        The one enumeration of the shapes, in a fixed order: the 2021 format before the 2019 one, the
        single-row （六） form before the detailed one (so that it sorts before its parts), with the 小计
        column before without it. The 2019 format has only the single-row form.
        """
        return tuple(s for s in _ALL_SHAPES if edition in (None, s.edition) and subtotal in (None, s.subtotal_column))


_ALL_SHAPES = tuple(
    Shape(edition, single, subtotal)
    for edition in (Edition.FORMAT_2021, Edition.FORMAT_2019)
    for single in ((True, False) if edition is Edition.FORMAT_2021 else (True,))
    for subtotal in (True, False)
)


@attrs.frozen
class RowInfo:
    """One table row: its label, path and the groups and banner above it."""

    table: str
    label: str
    path: str
    spec: Spec
    groups: tuple[Spec, ...]
    row_class: type[Row]


@attrs.frozen
class Cell:
    """One statutory table cell."""

    table: str  #: ``"二"``, ``"三"`` or ``"四"``
    row: str  #: the exact statutory row label
    column: str  #: the exact statutory column label
    path: str  #: the attribute path in the model, e.g. ``table3.results.granted.total``
    spec: Spec  #: the column's spec (value kind, header, total role)
    row_info: RowInfo
    get: Callable[[Any], Any] = attrs.field(eq=False, repr=False)

    @property
    def kind(self) -> Value:
        return self.spec.value

    @property
    def label(self) -> str:
        """The cell named by its table and labels: ``表三 一、本年新收政府信息公开申请数量 × 自然人``."""
        return f"表{self.table} {self.row} × {self.column}"


#: One object per shape: :func:`shape_of` gives these, so the caches keyed by shape find them by identity.
_SHAPES = {
    (s.edition, s.single_other_row, s.subtotal_column): s
    for s in (*(Shape(e, single, sub) for e in Edition for single in (True, False) for sub in (True, False)),)
}
_SHAPES.update({(s.edition, s.single_other_row, s.subtotal_column): s for s in _ALL_SHAPES})


def shape_of(report: AnnualReport) -> Shape:
    """The shape of ``report``."""
    key = (report.edition, report.single_other_row, report.table3.subtotal_column)
    if type(key[2]) is bool:  # a forged flag (an int, a str …) makes a shape of its own, as before
        return _SHAPES[key]
    return Shape(*key)


@functools.cache
def _blank(shape: Shape) -> AnnualReport:
    year = 2019 if shape.edition is Edition.FORMAT_2019 else 2021
    return AnnualReport.blank(
        agency="",
        year=year,
        edition=shape.edition,
        single_other_row=shape.single_other_row,
        subtotal_column=shape.subtotal_column,
    )


def blank_of(shape: Shape) -> AnnualReport:
    """A blank report of ``shape`` (agency ``""``, the edition's first year)."""
    return _blank(shape)


@functools.cache
def rows(shape: Shape) -> tuple[RowInfo, ...]:
    """Every table row of ``shape``, in published order."""
    report = _blank(shape)
    out: list[RowInfo] = []
    number = 0
    for info in field_specs(AnnualReport):
        if info.spec.kind is not Kind.SECTION:
            continue
        table = NUMERALS[number]
        number += 1
        value = getattr(report, info.name)
        if isinstance(value, Node) and any(i.spec.kind is Kind.ROW for i in field_specs(type(value))):
            out.extend(_rows(table, value, info.name, ()))
    return tuple(out)


def _rows(table: str, node: Node, prefix: str, groups: tuple[Spec, ...]) -> Iterator[RowInfo]:
    for info in field_specs(type(node)):
        if info.spec.kind is not Kind.ROW:
            continue
        value = getattr(node, info.name)
        path = f"{prefix}.{info.name}"
        if isinstance(value, Row):
            yield RowInfo(table, info.spec.label, path, info.spec, groups, type(value))
        else:
            yield from _rows(table, value, path, (*groups, info.spec))


@functools.cache
def layout(shape: Shape) -> tuple[Cell, ...]:
    """Every cell of ``shape``, table by table, row by row, column by column."""
    out = []
    for r in rows(shape):
        for info in field_specs(r.row_class):
            if info.spec.total == "header" and not shape.subtotal_column:
                continue
            path = f"{r.path}.{info.name}"
            out.append(Cell(r.table, r.label, info.spec.label, path, info.spec, r, operator.attrgetter(path)))
    return tuple(out)


@attrs.frozen(eq=False)
class LabelIndex:
    """The normalised labels of one shape and what each names: the one label index, built once per shape.

    >>> idx = label_index(Shape.all()[0])
    >>> granted = next(r for r in rows(Shape.all()[0]) if r.path == "table3.results.granted")
    >>> [r.path for r in idx.rows[normalize_label(granted.label)]]
    ['table3.results.granted']
    >>> idx.row_keys["table3.results.granted"] == {normalize_label(granted.label): True}
    True
    >>> idx.fuzzy.best(normalize_label(granted.label)[:-1] + "幵"), normalize_label(granted.label) in idx.words
    ('table3.results.granted', True)
    """

    #: Normalised row label or variant → the rows it labels, in published order (every table).
    rows: Mapping[str, tuple[RowInfo, ...]]
    #: Model path of a row → its normalised labels, ``True`` for the statutory one (variants first).
    row_keys: Mapping[str, Mapping[str, bool]]
    #: Model path of a cell → its normalised column labels (and variants).
    column_keys: Mapping[str, frozenset[str]]
    #: Every normalised column label, variant and header printed above columns.
    headers: frozenset[str]
    #: Every normalised label: rows and variants, groups, banners, columns and variants, headers.
    words: frozenset[str]
    #: Close misprints of the row labels: normalised label → the path of the (first) row it labels.
    fuzzy: FuzzyMatcher[str]


@functools.cache
def label_index(shape: Shape) -> LabelIndex:
    """The :class:`LabelIndex` of ``shape`` (made once and kept)."""
    by_label: dict[str, list[RowInfo]] = {}
    row_keys: dict[str, dict[str, bool]] = {}
    words: set[str] = set()
    for r in rows(shape):
        keys = {normalize_label(alias): False for alias in r.spec.aliases}
        keys[normalize_label(r.label)] = True
        row_keys[r.path] = keys
        for x in (r.label, *r.spec.aliases):
            by_label.setdefault(normalize_label(x), []).append(r)
        words.update(keys)
        words.update(normalize_label(g.label) for g in r.groups)
        if r.spec.banner:
            words.add(normalize_label(r.spec.banner))
    column_keys = {
        c.path: frozenset(normalize_label(x) for x in (c.column, *c.spec.aliases) if x) for c in layout(shape)
    }
    headers = frozenset().union(*column_keys.values()) | {
        normalize_label(c.spec.header) for c in layout(shape) if c.spec.header
    }
    return LabelIndex(
        rows={k: tuple(v) for k, v in by_label.items()},
        row_keys=row_keys,
        column_keys=column_keys,
        headers=headers,
        words=frozenset(words | headers),
        fuzzy=FuzzyMatcher((k, v[0].path) for k, v in by_label.items()),
    )


@functools.cache
def _getter(shape: Shape) -> Callable[[Any], tuple[Any, ...]]:
    """``operator.attrgetter(*paths)`` of every cell, generated so that each node is looked up once."""
    names: dict[str, str] = {"": "r"}  # node path -> local variable
    lines = ["def get(r):"]
    items = []
    for c in layout(shape):
        parent, _, leaf = c.path.rpartition(".")
        steps = parent.split(".")
        for k in range(len(steps)):
            node = ".".join(steps[: k + 1])
            if node not in names:
                names[node] = f"n{len(names)}"
                lines.append(f"    {names[node]} = {names['.'.join(steps[:k])]}.{steps[k]}")
        items.append(f"{names[parent]}.{leaf}")
    lines.append(f"    return ({', '.join(items)},)")
    made: Callable[[Any], tuple[Any, ...]] = compile_function(
        "\n".join(lines) + "\n", "get", {}, f"cell getter {shape.edition.value}"
    )
    return made


@functools.cache
def _slow_getter(shape: Shape) -> Callable[[Any], tuple[Any, ...]]:
    """The thorough twin of :func:`_getter`: each cell's own getter, one after another."""
    getters = [c.get for c in layout(shape)]
    return lambda report: tuple(get(report) for get in getters)


def values(report: AnnualReport) -> tuple[Any, ...]:
    """The value of every cell of ``report``, in :func:`layout` order (one C-level call)."""
    return (_getter if FAST_PATHS else _slow_getter)(shape_of(report))(report)


def cells(report: AnnualReport) -> Iterator[tuple[Cell, Any]]:
    """Every cell of ``report`` with its value."""
    yield from zip(layout(shape_of(report)), values(report), strict=True)


def get_path(obj: Any, path: str) -> Any:
    """The value at a dotted attribute path (``table3.results.granted.total``)."""
    try:
        return operator.attrgetter(path)(obj)
    except AttributeError:
        raise ModelError("no such path", [Problem(path, "is not a path of this report")]) from None


def replace_path(obj: _T, path: str, value: object) -> _T:
    """A copy of ``obj`` with the value at ``path`` replaced; ``obj`` is unchanged.

    The copy is validated like any new object, so an invalid value raises
    :class:`~gongkai_model.errors.ModelError`.
    """
    head, _, rest = path.partition(".")
    if not attrs.has(type(obj)) or head not in attrs.fields_dict(type(obj)):
        raise ModelError("no such path", [Problem(path, f"is not a path of {type(obj).__name__}")])
    if not rest:
        return attrs.evolve(cast(Any, obj), **{head: value})  # type: ignore[no-any-return]
    try:
        inner = replace_path(getattr(obj, head), rest, value)
    except ModelError as exc:
        raise ModelError(str(exc).split("\n")[0], [p.within(head) for p in exc.problems]) from None
    return attrs.evolve(cast(Any, obj), **{head: inner})  # type: ignore[no-any-return]


register_cells(AnnualReport, values)  # for AnnualReport.__repr__ (the report cannot import its own layout)
