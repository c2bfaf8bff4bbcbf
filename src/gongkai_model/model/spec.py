"""Field metadata: how a statutory label is attached to the field it labels.

Every field of the model carries one :class:`Spec` under the metadata key
``"gongkai"``.  Everything that needs to know labels, order or arithmetic
(records, checks, serializers, importers, docs) reads it from here and never
keeps a list of its own.
"""

from __future__ import annotations

import datetime as _dt
import enum
import types
import typing
from collections.abc import Callable
from decimal import Decimal
from typing import Any, Literal

import attrs

from .._codegen import FAST_PATHS, Namespace, compile_function
from ..errors import ModelError, Problem

__all__ = [
    "KEY",
    "YEAR_MAX",
    "YEAR_MIN",
    "Kind",
    "Node",
    "Row",
    "Spec",
    "Value",
    "column",
    "fast_check",
    "field_specs",
    "meta",
    "plain_test",
    "prose",
    "row",
    "section",
]

KEY = "gongkai"


class Kind(enum.Enum):
    """What a field is in the report's layout."""

    META = "meta"  #: report metadata (agency, year, …): not a statutory table cell
    SECTION = "section"  #: one of the six numbered sections of the report
    ROW = "row"  #: a table row (its value is a :class:`Row`) or a labelled group of rows
    COLUMN = "column"  #: a cell of a row: its label is the column header
    TEXT = "text"  #: free text or a structured figure inside a text section


class Value(enum.Enum):
    """What kind of value a leaf field holds."""

    COUNT = "count"  #: ``int | None``, >= 0
    SIGNED = "signed"  #: ``int | None``, may be negative (2019 本年增/减)
    MONEY = "money"  #: ``Decimal | None``, >= 0, finite
    AMOUNT = "amount"  #: :class:`~gongkai_model.Amount` ``| None`` (money with its unit)
    TEXT = "text"  #: ``str | None``
    DATE = "date"  #: ``datetime.date | None``
    YEAR = "year"  #: ``int`` (a report year)
    NODE = "node"  #: a nested model object


#: What a ``Spec.total`` mark sums: all the other cells at its level, or the columns under its header.
Total = Literal["siblings", "header"]


@attrs.frozen
class Spec:
    """The metadata of one field.

    ``label`` is the exact statutory label (for META fields, a descriptive
    Chinese label).  ``banner`` is a label printed above a run of rows (the
    表二 ``第二十条第（一）项`` banners, the 表四 ``行政诉讼`` header);
    ``header`` is a label spanning several columns (``法人或其他组织``).
    ``total`` marks a cell that the table defines as a sum: ``"siblings"``
    (all other cells at its level) or ``"header"`` (the columns under the same
    ``header``).  ``aliases`` are variant labels seen in published reports.
    """

    kind: Kind
    label: str
    value: Value = Value.NODE
    banner: str | None = None
    header: str | None = None
    total: Total | None = None
    aliases: tuple[str, ...] = ()
    unit: str | None = None
    required: bool = False  #: always passed (no default), ``None`` = unknown (``agency``, ``year``)


def _field(spec: Spec, **kwargs: Any) -> Any:
    return attrs.field(metadata={KEY: spec}, **kwargs)


def column(
    label: str,
    *,
    value: Value = Value.COUNT,
    header: str | None = None,
    total: Total | None = None,
    unit: str | None = None,
    aliases: tuple[str, ...] = (),
) -> Any:
    """A table cell, labelled by its column header.  Defaults to blank (``None``)."""
    spec = Spec(Kind.COLUMN, label, value, header=header, total=total, unit=unit, aliases=aliases)
    return _field(spec, default=None)


def row(
    label: str,
    factory: Any,
    *,
    banner: str | None = None,
    total: Total | None = None,
    aliases: tuple[str, ...] = (),
) -> Any:
    """A table row (or a labelled group of rows).  Defaults to a blank one."""
    spec = Spec(Kind.ROW, label, banner=banner, total=total, aliases=aliases)
    return _field(spec, factory=factory)


def section(label: str, factory: Any = None, *, aliases: tuple[str, ...] = ()) -> Any:
    """One of the six numbered sections of the report (a node, or free text when no factory)."""
    if factory is None:
        return _field(Spec(Kind.SECTION, label, Value.TEXT, aliases=aliases), default=None)
    return _field(Spec(Kind.SECTION, label, aliases=aliases), factory=factory)


def prose(label: str, *, value: Value = Value.TEXT, unit: str | None = None) -> Any:
    """A free-text part, or a structured figure inside a text section."""
    return _field(Spec(Kind.TEXT, label, value, unit=unit), default=None)


def meta(label: str, *, value: Value = Value.TEXT, required: bool = False) -> Any:
    """Report metadata (not a statutory cell)."""
    if required:
        return _field(Spec(Kind.META, label, value, required=True))
    return _field(Spec(Kind.META, label, value), default=None)


@attrs.frozen
class FieldInfo:
    """A field of a model class with its spec and, for nodes, the classes it admits."""

    name: str
    spec: Spec
    types: tuple[type, ...]


_FIELDS: dict[type, tuple[FieldInfo, ...]] = {}


def field_specs(cls: type) -> tuple[FieldInfo, ...]:
    """The fields of a model class, in order, each with its :class:`Spec`."""
    cached = _FIELDS.get(cls)
    if cached is None:
        cached = _FIELDS[cls] = _field_specs(cls)
    return cached


def _field_specs(cls: type) -> tuple[FieldInfo, ...]:
    attrs.resolve_types(cls)
    out = []
    for f in attrs.fields(cls):
        spec = f.metadata.get(KEY)
        if spec is None:
            continue
        out.append(FieldInfo(f.name, spec, _admitted(f.type) if spec.value is Value.NODE else ()))
    return tuple(out)


def _admitted(tp: Any) -> tuple[type, ...]:
    if isinstance(tp, types.UnionType) or typing.get_origin(tp) is typing.Union:
        return tuple(t for t in typing.get_args(tp) if t is not type(None))
    return (tp,)


def _describe(v: object) -> str:
    text = repr(v)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{type(v).__name__} {text}"


#: The report years the model accepts (the 2008 Regulation's first reports onwards).
YEAR_MIN, YEAR_MAX = 2008, 2200


def plain_test(kind: Value, v: str, bound: str = "") -> str | None:
    """Python source that is true when the value named ``v`` is certainly valid, for the kinds whose
    values are plain ``int``/``str`` (``None`` for the others); ``bound`` adds a condition on counts.

    Shared by every generated fast check (model construction, JSON loading), so that they test the
    same thing as :func:`check_value`.
    """
    if kind is Value.COUNT:
        return f"(type({v}) is int and {v} >= 0{bound})"
    if kind is Value.SIGNED:
        return f"(type({v}) is int{bound})"
    if kind is Value.YEAR:
        return f"(type({v}) is int and {YEAR_MIN} <= {v} <= {YEAR_MAX})"
    if kind is Value.TEXT:
        return f"type({v}) is str"
    return None


def check_value(kind: Value, v: object, types_: tuple[type, ...] = (), required: bool = False) -> str | None:
    """Why ``v`` is not a valid value of ``kind``, or ``None`` when it is."""
    if v is None:
        return "is required, got None" if kind is Value.NODE else None
    if kind in (Value.COUNT, Value.SIGNED, Value.YEAR):
        if isinstance(v, bool) or not isinstance(v, int):
            return f"expected a whole number or None, got {_describe(v)}"
        if kind is Value.COUNT and v < 0:
            return f"must not be negative, got {v}"
        if kind is Value.YEAR and not YEAR_MIN <= v <= YEAR_MAX:
            return f"expected a report year from {YEAR_MIN}, got {v}"
        return None
    if kind is Value.MONEY:
        if not isinstance(v, Decimal):
            return f"expected a Decimal or None, got {_describe(v)}"
        if not v.is_finite():
            return f"must be a finite amount, got {v}"
        if v < 0:
            return f"must not be negative, got {v}"
        return None
    if kind is Value.AMOUNT:
        from .values import Amount

        if not isinstance(v, Amount):
            return f"expected an Amount or None, got {_describe(v)}"
        return None
    if kind is Value.TEXT:
        return None if isinstance(v, str) else f"expected text or None, got {_describe(v)}"
    if kind is Value.DATE:
        if isinstance(v, _dt.datetime) or not isinstance(v, _dt.date):
            return f"expected a datetime.date or None, got {_describe(v)}"
        return None
    if not isinstance(v, types_):
        names = " or ".join(t.__name__ for t in types_)
        return f"expected {names}, got {_describe(v)}"
    return None


@attrs.frozen
class Node:
    """Base of every model class: checks all its fields at once on construction."""

    def __attrs_post_init__(self) -> None:
        if FAST_PATHS and fast_check(type(self))(self):
            extra = self._extra_problems()
            if extra:
                raise ModelError(f"invalid {type(self).__name__}", extra)
        else:
            problems = [
                Problem(info.name, why, info.spec.label)
                for info in field_specs(type(self))
                if (why := check_value(info.spec.value, getattr(self, info.name), info.types, info.spec.required))
            ]
            problems.extend(self._extra_problems())
            if problems:
                raise ModelError(f"invalid {type(self).__name__}", problems)

    def _extra_problems(self) -> list[Problem]:
        return []


_FAST: dict[type, Callable[[Any], bool]] = {}


def fast_check(cls: type) -> Callable[[Any], bool]:
    """A function generated from the specs that says, quickly, whether every field is certainly valid.

    It accepts only the common exact types (``int``, ``Decimal``, ``str``, …); anything else goes to
    the thorough check, which accepts or explains.  A class's own extra rules run either way.
    """
    fn = _FAST.get(cls)
    if fn is not None:
        return fn
    ns = Namespace()
    body = fast_test(cls, "self", ns)
    made: Callable[[Any], bool] = compile_function(
        f"def fast(self):\n    return {body}\n", "fast", ns, f"fast check {cls.__name__}"
    )
    _FAST[cls] = made
    return made


def fast_test(cls: type, var: str, ns: Namespace, bound: int | None = None) -> str:
    """The expression of :func:`fast_check` for ``cls`` over the variable ``var``.

    The objects it refers to are bound in ``ns``, so that another generator (the forgery scan)
    can inline it in a function of its own.  With ``bound`` (a whole number), the expression is
    stricter: every whole number (a count, a signed figure) must also lie within ``-bound … bound``
    (the expression then assigns the local variable ``_v``: it is meant for a generated function).
    """
    tests = []
    for info in field_specs(cls):
        v = f"{var}.{info.name}"
        kind = info.spec.value
        none_ok = kind is not Value.NODE
        if bound is not None and kind in (Value.COUNT, Value.SIGNED):
            # the value read once, into a local of the generated function (``_v``)
            limit = " and _v <= {0}" if kind is Value.COUNT else " and {1} <= _v <= {0}"
            tests.append(f"((_v := {v}) is None or {plain_test(kind, '_v', limit.format(int(bound), -int(bound)))})")
            continue
        plain = plain_test(kind, v)
        if plain is not None:
            test = plain
        elif kind is Value.MONEY:
            test = f"(type({v}) is {ns.name(Decimal, 'Decimal')} and {v}.is_finite() and {v} >= 0)"
        elif kind is Value.DATE:
            test = f"type({v}) is {ns.name(_dt.date, 'date')}"
        elif kind is Value.AMOUNT:
            from .values import Amount

            test = f"type({v}) is {ns.name(Amount, 'Amount')}"
        else:
            names = [ns.name(t, "T") for t in info.types]
            test = f"type({v}) in ({', '.join(names)},)"
        tests.append(f"({v} is None or {test})" if none_ok else test)
    return " and ".join(tests) or "True"


@attrs.frozen
class Row(Node):
    """Base of the table-row classes: every field is a cell (a column)."""
