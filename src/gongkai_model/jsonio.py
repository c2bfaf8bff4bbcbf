"""JSON: lossless, strict, versioned, with a JSON Schema generated from the model.

One cattrs :class:`~cattrs.Converter` of the library's own (:data:`converter`,
never the global one) turns reports into plain dicts and back.  Keys are the
model's attribute names (ASCII snake_case); the Chinese labels stay in the
model and appear as titles in the schema.

>>> import gongkai_model as gk
>>> report = gk.examples.seed_report()
>>> text = gk.dumps(report)
>>> text[: text.index(',"year"')]
'{"schema_version":1,"edition":"2021","agency":"北京市西城区信访办公室"'
>>> gk.loads(text) == report
True

Blank cells are ``null``; money is an exact decimal string (``"59237.2449"``);
dates are ISO ``YYYY-MM-DD``.  Loading is strict: every key is required,
unknown and repeated keys are refused, and a count must be a JSON integer
(never ``true``, ``1.0`` or ``"1"``).  Every problem in a document is reported
at once, each with its JSON path and statutory label, in one
:class:`JSONError`.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import functools
import gc
import json as _json
import operator
import re
import sys
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation
from itertools import islice
from typing import Any

import attrs
import cattrs

from ._codegen import FAST_PATHS, compile_function
from .errors import GongkaiError, JSONError, ModelError, Problem
from .limits import DEFAULT_LIMITS, Limits, Source, read_source, source_name
from .model.layout import Shape, shape_of
from .model.report import AnnualReport
from .model.spec import YEAR_MIN, Kind, Node, Value, field_specs, plain_test
from .model.tables import ApplicantCounts, Applications
from .model.values import Amount, Edition, MoneyUnit

_orjson: Any
try:  # optional speed-up for dumps (the "fast" extra); output is identical without it
    import orjson as _orjson
except ImportError:  # pragma: no cover - exercised when the extra is not installed
    _orjson = None

__all__ = [
    "SCHEMA_VERSION",
    "JSONError",
    "converter",
    "dumps",
    "from_dict",
    "json_schema",
    "load",
    "loads",
    "loads_many",
    "to_dict",
]

#: The version of the document layout written by :func:`dumps`.
SCHEMA_VERSION = 1

#: The JSON Schema dialect of :func:`json_schema`.
DIALECT = "https://json-schema.org/draft/2020-12/schema"

_MONEY = re.compile(r"^(0|[1-9][0-9]*)(\.[0-9]+)?$")  # used with fullmatch: no trailing newline
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # the schema's only date form (never 2024-W01-1)

#: The longest integer (in decimal digits) read or written: Python's default limit on int/str conversion.
_MAX_DIGITS = 4300
_INT_BOUND = 10**_MAX_DIGITS


class _LongInt:
    """Stands for a JSON integer of more than :data:`_MAX_DIGITS` digits (never converted to ``int``)."""

    __slots__ = ()


def _parse_int(text: str) -> int | _LongInt:
    return _LongInt() if len(text) > _MAX_DIGITS + (text[0] == "-") else int(text)


# Python refuses to convert longer integers (a ValueError, then parsed again with the hook), unless
# that limit was lifted: then every integer goes through the hook.
_INTS: dict[str, Any] = (
    {} if 0 < getattr(sys, "get_int_max_str_digits", lambda: 0)() <= _MAX_DIGITS else {"parse_int": _parse_int}
)


def _parse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def _too_long(value: Any) -> bool:
    if isinstance(value, _LongInt):
        return True
    return isinstance(value, int) and not isinstance(value, bool) and not -_INT_BOUND < value < _INT_BOUND


class _Object(dict[str, Any]):
    """A parsed JSON object that remembers the keys it repeated (reported with their path later)."""

    repeated: dict[str, int] = {}  # noqa: RUF012 - replaced, never mutated


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = _Object(pairs)
    if len(out) != len(pairs):
        counts: dict[str, int] = {}
        for key, _ in pairs:
            counts[key] = counts.get(key, 0) + 1
        out.repeated = {k: n for k, n in counts.items() if n > 1}
    return out


# ---------------------------------------------------------------------------------------------
# unstructure: model -> plain dict

converter = cattrs.Converter()


def _unstructure_fn(cls: type, subtotal: bool) -> Callable[[Any], dict[str, Any]]:
    """Generate ``obj -> dict`` for a model class from its specs (the layout :func:`json_schema` describes).

    Nodes of a single class are written inline (one function for the whole tree below them);
    a node that may be of several classes, and 表三 (whose layout its own flag chooses), is
    written by the function of its class.
    """
    env: dict[str, Any] = {"_amount": _unstructure_amount}
    lines: list[str] = []
    counter = [0]

    def expr_of(c: type, var: str, sub: bool) -> str:
        items = []
        if c is AnnualReport:  # the document's envelope comes first
            items += [f"'schema_version': {SCHEMA_VERSION}", f"'edition': {var}.edition.value"]
        if c is Applications:
            items.append(f"'subtotal_column': {var}.subtotal_column")
        wire = _wire_keys(c, sub)
        for info in field_specs(c):
            if info.name not in wire:
                continue
            v = f"{var}.{info.name}"
            kind = info.spec.value
            if kind is Value.MONEY:
                expr = f"None if {v} is None else str({v})"
            elif kind is Value.DATE:
                expr = f"None if {v} is None else {v}.isoformat()"
            elif kind is Value.AMOUNT:
                expr = f"None if {v} is None else _amount({v})"
            elif kind is Value.NODE and info.types == (Applications,):
                env["_applications"] = _unstructure_applications
                expr = f"_applications({v})"
            elif kind is Value.NODE and len(info.types) == 1:
                counter[0] += 1
                inner = f"n{counter[0]}"
                lines.append(f"    {inner} = {v}")
                expr = expr_of(info.types[0], inner, sub)
            elif kind is Value.NODE:
                counter[0] += 1
                name = f"f{counter[0]}"
                env[name] = {t: _unstructurer(t, sub) for t in info.types}
                expr = f"{name}[type({v})]({v})"
            else:
                expr = v
            items.append(f"{info.name!r}: {expr}")
        return "{" + ", ".join(items) + "}"

    body = expr_of(cls, "o", subtotal)
    source = "def unstructure(o):\n" + "".join(f"{line}\n" for line in lines) + f"    return {body}\n"
    made: Callable[[Any], dict[str, Any]] = compile_function(
        source, "unstructure", env, f"unstructure {cls.__name__}{' subtotal' if subtotal else ''}"
    )
    return made


def _unstructure_node(obj: Any, subtotal: bool) -> dict[str, Any]:
    """The thorough twin of the generated :func:`_unstructure_fn`: the same dict, walked field by field."""
    cls = type(obj)
    out: dict[str, Any] = {}
    if cls is AnnualReport:
        out.update(schema_version=SCHEMA_VERSION, edition=obj.edition.value)
    if cls is Applications:
        subtotal = obj.subtotal_column
        out["subtotal_column"] = subtotal
    wire = _wire_keys(cls, subtotal)
    for info in field_specs(cls):
        if info.name not in wire:
            continue
        v = getattr(obj, info.name)
        kind = info.spec.value
        if v is None:
            out[info.name] = None
        elif kind is Value.MONEY:
            out[info.name] = str(v)
        elif kind is Value.DATE:
            out[info.name] = v.isoformat()
        elif kind is Value.AMOUNT:
            out[info.name] = _unstructure_amount(v)
        elif kind is Value.NODE:
            out[info.name] = _unstructure_node(v, subtotal)
        else:
            out[info.name] = v
    return out


def _unstructure_amount(a: Amount) -> dict[str, Any]:
    return {"value": str(a.value), "unit": a.unit and a.unit.value}


def _unstructure_applications(obj: Applications) -> dict[str, Any]:
    return _unstructurer(Applications, obj.subtotal_column)(obj)


_SUBTOTAL = next(i.name for i in field_specs(ApplicantCounts) if i.spec.total == "header")


def _wire_keys(cls: type, subtotal: bool) -> list[str]:
    """The keys of ``cls`` in a document (表三 rows have 小计 only in the 8-column layout)."""
    keys = [i.name for i in field_specs(cls) if subtotal or cls is not ApplicantCounts or i.name != _SUBTOTAL]
    return ["subtotal_column", *keys] if cls is Applications else keys


#: The generated unstructure function of each (class, subtotal): built on first use.
_unstructurer = functools.cache(_unstructure_fn)


def to_dict(report: AnnualReport) -> dict[str, Any]:
    """The report as a plain dict of JSON types (the document :func:`dumps` writes)."""
    if not FAST_PATHS:
        return _unstructure_node(report, True)
    return _unstructurer(AnnualReport, True)(report)


converter.register_unstructure_hook(AnnualReport, to_dict)
converter.register_unstructure_hook(Decimal, str)
converter.register_unstructure_hook(dt.date, dt.date.isoformat)
converter.register_unstructure_hook(Amount, _unstructure_amount)


def dumps(report: AnnualReport, *, indent: int | None = None) -> str:
    """The report as JSON text (UTF-8, no ASCII escaping; ``indent`` may be ``None`` or 2).

    orjson is used when it is installed; the text is the same either way.
    """
    if indent not in (None, 2):
        raise GongkaiError("invalid argument", [Problem("indent", f"must be None or 2, got {indent!r}")])
    text = _encoded(report, indent)
    return text.decode("utf-8") if isinstance(text, bytes) else text


def _encoded(report: AnnualReport, indent: int | None = None) -> str | bytes:
    """What :func:`dumps` gives, as orjson's UTF-8 bytes when orjson writes them (not decoded: a batch worker
    sends them as they are, and :func:`loads` reads them), else as text. ``indent``: ``None`` or 2 (not checked)."""
    doc = to_dict(report)
    if _orjson is not None and FAST_PATHS:
        try:
            raw: bytes = _orjson.dumps(doc, option=_orjson.OPT_INDENT_2 if indent else 0)
            return raw
        except TypeError:  # e.g. a lone surrogate in a text: the standard library escapes it
            pass
    try:
        if indent:
            return _json.dumps(doc, ensure_ascii=False, indent=2)
        return _json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
    except ValueError:  # an integer too long to write as text (Python's int/str conversion limit)
        problems = [
            Problem(path, f"an integer of more than {_MAX_DIGITS} digits cannot be written")
            for path in _long_ints(doc, "$")
        ]
        raise JSONError("cannot write the report as JSON", problems or [Problem("$", "cannot be written")]) from None


def _long_ints(doc: Any, path: str) -> list[str]:
    """The JSON paths of the integers in ``doc`` (a :func:`to_dict` document) too long to write."""
    if isinstance(doc, dict):
        return [p for k, v in doc.items() for p in _long_ints(v, f"{path}.{k}")]
    return [path] if _too_long(doc) else []


# ---------------------------------------------------------------------------------------------
# structure: plain dict -> model, strictly, collecting every problem


class _Failed(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems


def _label(cls: type, name: str) -> str | None:
    for info in field_specs(cls):
        if info.name == name:
            return info.spec.label
    return None


def _leaf(kind: Value, value: Any, path: str, label: str | None) -> Any:
    """Convert a JSON leaf to the model's type; raise _Failed with the reason."""
    if value is None:
        return None
    if kind in (Value.COUNT, Value.SIGNED, Value.YEAR):
        if _too_long(value):
            raise _Failed([Problem(path, f"an integer of more than {_MAX_DIGITS} digits is not read", label)])
        if isinstance(value, bool) or not isinstance(value, int):
            raise _Failed([Problem(path, f"expected a JSON integer or null, got {_kind(value)}", label)])
        return value
    if kind is Value.MONEY:
        return _money(value, path, label)
    if kind is Value.TEXT:
        if not isinstance(value, str):
            raise _Failed([Problem(path, f"expected a string or null, got {_kind(value)}", label)])
        return value
    if kind is Value.DATE:
        if not isinstance(value, str):
            raise _Failed([Problem(path, f"expected a date 'YYYY-MM-DD' or null, got {_kind(value)}", label)])
        try:
            if not _DATE.fullmatch(value):
                raise ValueError(value)
            return dt.date.fromisoformat(value)
        except ValueError:
            raise _Failed([Problem(path, f"expected a date 'YYYY-MM-DD', got {_kind(value)}", label)]) from None
    if kind is Value.AMOUNT:
        return _amount(value, path, label)
    raise AssertionError(kind)  # pragma: no cover


def _money(value: Any, path: str, label: str | None) -> Decimal:
    if not isinstance(value, str) or not _MONEY.fullmatch(value):
        raise _Failed(
            [Problem(path, f'expected money as a decimal string such as "160.5964", got {_kind(value)}', label)]
        )
    try:
        return Decimal(value)
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
        raise _Failed([Problem(path, f"not a decimal: {_kind(value)}", label)]) from None


def _amount(value: Any, path: str, label: str | None) -> Amount:
    if not isinstance(value, dict):
        raise _Failed([Problem(path, f"expected an object {{value, unit}} or null, got {_kind(value)}", label)])
    problems = _keys(value, {"value", "unit"}, path, label)
    unit = value.get("unit")
    if "unit" in value and unit is not None and (not isinstance(unit, str) or unit not in {u.value for u in MoneyUnit}):
        problems.append(Problem(f"{path}.unit", f"expected '元', '万元' or null, got {_kind(unit)}", label))
    amount = None
    if "value" in value:
        try:
            amount = _money(value["value"], f"{path}.value", label)
        except _Failed as exc:
            problems.extend(exc.problems)
    if problems:
        raise _Failed(problems)
    assert amount is not None
    return Amount(amount, MoneyUnit(unit) if unit is not None else None)


_NAMES = {bool: "a boolean", int: "an integer", float: "a number", str: "a string", list: "an array", tuple: "tuple"}
_SHOWN = 40  #: characters of a value shown in a message


def _kind(value: Any) -> str:
    """What ``value`` is, with a short preview, for a message; safe on any Python value.

    Never converts the whole value: no recursion into deep nesting, no ``str()`` of a huge
    integer, no ``repr()`` of a foreign object (which could fail or run arbitrary code).
    """
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "an object"
    if _too_long(value):
        return f"an integer of more than {_MAX_DIGITS} digits"
    name = _NAMES.get(type(value))
    if name is None:
        if not isinstance(value, _PREVIEWED):
            return f"a Python {type(value).__name__} (not a JSON value)"
        name = type(value).__name__
    parts: list[str] = []
    _preview(value, parts, _SHOWN + 1)
    text = "".join(parts)
    return f"{name} {text if len(text) <= _SHOWN else text[: _SHOWN - 3] + '...'}"


_PREVIEWED = (bool, int, float, str, list, tuple, dict, Decimal, dt.date)


def _preview(value: Any, out: list[str], budget: int) -> int:
    """Append the JSON text of ``value`` (as ``json.dumps`` writes it) to ``out``, stopping after ``budget`` characters.

    Returns the budget left; recursion stops when it runs out, so deep nesting costs nothing.
    """
    if budget <= 0:
        return budget
    if value is None or isinstance(value, bool | float) or (isinstance(value, int) and not _too_long(value)):
        text = _json.dumps(value)
    elif isinstance(value, str):
        text = _json.dumps(value[:budget], ensure_ascii=False).encode("utf-8", "backslashreplace").decode("utf-8")
    elif isinstance(value, Decimal | dt.date):
        text = str(value)[:budget]
    elif isinstance(value, list | tuple | dict):
        out.append("{" if isinstance(value, dict) else "[")
        budget -= 1
        for i, item in enumerate(value.items() if isinstance(value, dict) else value):
            if budget <= 0:
                return budget
            if i:
                out.append(", ")
                budget -= 2
            if isinstance(value, dict):
                budget = _preview(item[0], out, budget)
                out.append(": ")
                budget = _preview(item[1], out, budget - 2)
            else:
                budget = _preview(item, out, budget)
        out.append("}" if isinstance(value, dict) else "]")
        return budget - 1
    elif _too_long(value):
        text = f"<an integer of more than {_MAX_DIGITS} digits>"
    else:
        text = f"<{type(value).__name__}>"
    out.append(text)
    return budget - len(text)


def _key_text(key: Any) -> str:
    """A key as it appears in a JSON path: as is (shortened when long), or described when not a string."""
    if isinstance(key, str):
        return key if len(key) <= 80 else key[:77] + "..."
    return f"<{_kind(key)}>"


def _keys(
    obj: dict[str, Any], expected: set[str], path: str, label: str | None, cls: type | None = None
) -> list[Problem]:
    problems = [
        Problem(f"{path}.{_key_text(k)}", f"the key appears {n} times in one object", None)
        for k, n in getattr(obj, "repeated", {}).items()
    ]
    cap, hidden = _CAP.get()
    unknown = 0
    for k in obj:
        if k not in expected:
            unknown += 1
            if unknown <= cap:
                why = "unknown key" if isinstance(k, str) else "a key must be a string"
                problems.append(Problem(f"{path}.{_key_text(k)}", why, None))
    if unknown > cap:
        hidden[0] += unknown - cap
    for k in sorted(expected - obj.keys()):
        own = _label(cls, k) if cls is not None else None
        problems.append(Problem(f"{path}.{k}", "missing key", _join(label, own) if own else label))
    return problems


#: Problems kept (limits.max_problems of the call being served), and a count of those not kept.
_CAP: contextvars.ContextVar[tuple[int, list[int]]] = contextvars.ContextVar("_CAP", default=(1000, [0]))


def _join(outer: str | None, inner: str | None) -> str | None:
    """``行政复议 × 总计``: the label of a cell is its row's and its column's."""
    if outer and inner and outer != inner:
        return f"{outer} × {inner}"
    return inner or outer


def _structure_node(cls: type, obj: Any, path: str, label: str | None, subtotal: bool) -> Any:
    if not isinstance(obj, dict):
        raise _Failed([Problem(path, f"expected an object, got {_kind(obj)}", label)])
    infos = field_specs(cls)
    expected = set(_wire_keys(cls, subtotal))
    if cls is Applications:
        flag = obj.get("subtotal_column")
        if "subtotal_column" in obj and not isinstance(flag, bool):
            raise _Failed([Problem(f"{path}.subtotal_column", f"expected true or false, got {_kind(flag)}", None)])
        subtotal = bool(flag)
    problems = _keys(obj, expected, path, label, cls)
    kwargs: dict[str, Any] = {}
    for info in infos:
        if info.name not in obj:
            continue
        where = f"{path}.{info.name}"
        here = _join(label, info.spec.label) if info.spec.kind is Kind.COLUMN else info.spec.label
        try:
            if info.spec.value is Value.NODE:
                kwargs[info.name] = _structure_choice(info.types, obj[info.name], where, here, subtotal)
            else:
                kwargs[info.name] = _leaf(info.spec.value, obj[info.name], where, here)
        except _Failed as exc:
            problems.extend(exc.problems)
    if cls is Applications:
        kwargs["subtotal_column"] = subtotal
    if problems:
        raise _Failed(problems)
    try:
        return cls(**kwargs)
    except ModelError as exc:
        raise _Failed([_relocate(cls, p, path, label) for p in exc.problems]) from None


def _relocate(cls: type, problem: Problem, path: str, label: str | None) -> Problem:
    """A model problem (located by attribute path) located by JSON path."""
    return Problem(f"{path}.{problem.location}", problem.message, _join(label, problem.label))


def _structure_choice(types: tuple[type, ...], obj: Any, path: str, label: str | None, subtotal: bool) -> Any:
    if len(types) == 1:
        return _structure_node(types[0], obj, path, label, subtotal)
    if isinstance(obj, dict):
        for cls in types:
            if set(obj) == set(_wire_keys(cls, subtotal)):
                return _structure_node(cls, obj, path, label, subtotal)
    described = " or ".join(f"{t.__name__} ({', '.join(_wire_keys(t, subtotal))})" for t in types)
    raise _Failed([Problem(path, f"expected the keys of {described}", label)])


def _structure_report(obj: Any) -> AnnualReport:
    return _structure_node(AnnualReport, obj, "$", None, False)  # type: ignore[no-any-return]


class _Slow(Exception):
    """The fast path met something unusual: the thorough path decides (and explains)."""


def _money_fast(v: Any) -> Decimal | None:
    if v is None:
        return None
    if type(v) is str and _MONEY.fullmatch(v):
        return Decimal(v)
    raise _Slow


def _date_fast(v: Any) -> dt.date | None:
    if v is None:
        return None
    if type(v) is str and _DATE.fullmatch(v):
        return dt.date.fromisoformat(v)
    raise _Slow


def _amount_fast(v: Any) -> Amount | None:
    if v is None:
        return None
    if type(v) is dict and v.keys() == {"value", "unit"}:
        value, unit = v["value"], v["unit"]
        if type(value) is str and _MONEY.fullmatch(value):
            return Amount(Decimal(value), None if unit is None else MoneyUnit(unit))
    raise _Slow


def _fast_fn(cls: type, subtotal: bool, guard: bool, envelope: bool = False) -> Callable[[Any], Any]:
    """Generate ``dict -> model`` for the common, valid case; anything unusual raises (then: thorough path).

    The function checks every value as the model's own fast check does (exact types, ranges), then
    makes each object without going through ``__init__``: it sets the slots directly and runs the
    class's extra rules, if it has any.  So it builds exactly the objects ``cls(**values)`` would,
    or raises; it never explains (the thorough path does).  Nodes of a single class are built
    inline, in the same function; a node that may be of several classes, and 表三 (whose layout
    its own flag chooses), by the function of its class.

    With ``guard``, integers are checked to be plain ``int`` within :data:`_MAX_DIGITS` digits (any
    Python value may come to :func:`from_dict`); parsed JSON needs no guard, as the parsers bound them.
    With ``envelope`` (the report itself), the document's ``schema_version`` and ``edition`` keys
    are expected too and left for the caller to check.
    """
    env: dict[str, Any] = {
        "new": object.__new__,
        "_Slow": _Slow,
        "_Object": _Object,
        "money": _money_fast,
        "date": _date_fast,
        "amount": _amount_fast,
        "B": _INT_BOUND,
    }
    lines: list[str] = []
    counter = [0]

    def build(c: type, src: str, sub: bool, top: bool) -> str:
        """Emit the lines that check ``src`` and build a ``c`` from it; the name of the variable holding it."""
        k = counter[0]
        counter[0] += 1
        wire = _wire_keys(c, sub)
        env[f"C{k}"] = c
        env[f"K{k}"] = frozenset(wire) | ({"schema_version", "edition"} if top and envelope else frozenset())
        specs = {info.name: info for info in field_specs(c)}
        names: list[str] = []
        checks: list[str] = []
        sets: list[str] = []
        for j, field in enumerate(attrs.fields(c)):
            setter = f"S{k}_{j}"
            env[setter] = getattr(c, field.name).__set__  # the slot's own setter: no frozen __setattr__
            if c is Applications and field.name == "subtotal_column":  # read by _fast_applications
                sets.append(f"{setter}(x{k}, {sub})")
                continue
            if field.name not in wire:
                if type(field.default) is attrs.Factory or field.default is attrs.NOTHING:  # pragma: no cover
                    raise AssertionError(f"{c.__name__}.{field.name} is not in documents and has no plain default")
                env[f"D{k}_{j}"] = field.default
                sets.append(f"{setter}(x{k}, D{k}_{j})")
                continue
            info = specs[field.name]
            a = f"a{k}_{len(names)}"
            names.append(field.name)
            kind = info.spec.value
            none_ok = kind is not Value.NODE
            expr = a
            test = plain_test(kind, a, f" and -B < {a} < B" if guard else "")  # plain ints and texts
            if test is not None:
                checks.append(f"({a} is None or {test})" if none_ok else test)
            elif kind is Value.MONEY:
                expr = f"money({a})"
            elif kind is Value.DATE:
                expr = f"date({a})"
            elif kind is Value.AMOUNT:
                expr = f"amount({a})"
            elif info.types == (Applications,):
                env["applications"] = _fast_applications(guard)
                expr = f"applications({a})"
            elif len(info.types) == 1:
                expr = f"@{info.name}"  # built inline, below
            else:
                env[f"F{k}_{j}"] = {frozenset(_wire_keys(t, sub)): _fast_node(t, sub, guard) for t in info.types}
                expr = f"F{k}_{j}[frozenset({a})]({a})"  # the key set tells the class (a non-dict raises)
            sets.append(f"{setter}(x{k}, {expr})")
        lines.append(
            f"    if not (type({src}) is dict or (type({src}) is _Object and not {src}.repeated))"
            f" or {src}.keys() != K{k}:"
        )
        lines.append("        raise _Slow")
        env[f"G{k}"] = operator.itemgetter(*names)
        values = ", ".join(f"a{k}_{i}" for i in range(len(names)))
        one = len(names) == 1  # itemgetter of one key gives the value, not a tuple
        lines.append(f"    {values}{',' if one else ''} = {f'(G{k}({src}),)' if one else f'G{k}({src})'}")
        if checks:
            lines.extend([f"    if not ({' and '.join(checks)}):", "        raise _Slow"])
        inline = {name: i for i, name in enumerate(names)}
        for n, s in enumerate(sets):
            if "@" in s:
                name = s[s.index("@") + 1 : -1]
                child = next(info.types[0] for info in field_specs(c) if info.name == name)
                sets[n] = s.replace(f"@{name}", build(child, f"a{k}_{inline[name]}", sub, False))
        lines.append(f"    x{k} = new(C{k})")
        lines.extend(f"    {s}" for s in sets)
        if c._extra_problems is not Node._extra_problems:  # type: ignore[attr-defined]
            lines.extend([f"    if x{k}._extra_problems():", "        raise _Slow"])
        return f"x{k}"

    result = build(cls, "o", subtotal, True)
    source = "def structure(o):\n" + "\n".join(lines) + f"\n    return {result}\n"
    what = f"structure {cls.__name__}{' subtotal' if subtotal else ''}{' guarded' if guard else ''}"
    made: Callable[[Any], Any] = compile_function(source, "structure", env, what)
    return made


#: The generated structure function of each (class, subtotal, guard, envelope): built on first use.
_fast_node = functools.cache(_fast_fn)


@functools.cache
def _fast_applications(guard: bool) -> Callable[[Any], Applications]:
    """表三 by its own flag (the layout of each flag generated when a document first uses it)."""
    by_flag: dict[bool, Callable[[Any], Any]] = {}

    def structure(o: Any) -> Applications:
        flag = o["subtotal_column"]
        if type(flag) is not bool:
            raise _Slow
        fn = by_flag.get(flag)
        if fn is None:
            fn = by_flag[flag] = _fast_node(Applications, flag, guard)
        return fn(o)  # type: ignore[no-any-return]

    return structure


def _fast_report(guard: bool) -> Callable[[Any], Any]:
    """The generated structure function of a whole report document (built on first use)."""
    return _fast_node(AnnualReport, True, guard, True)


def _node_depth(cls: type) -> int:
    """How deeply a document's objects nest under (and including) an object of ``cls``."""
    inner = [
        max(_node_depth(t) for t in info.types)
        if info.spec.value is Value.NODE
        else (1 if info.spec.value is Value.AMOUNT else 0)
        for info in field_specs(cls)
    ]
    return 1 + max(inner, default=0)


#: The nesting of every valid report document (``$`` counts as one).
_REPORT_DEPTH = _node_depth(AnnualReport)


# ---------------------------------------------------------------------------------------------
# versions

#: Upgrades of older documents: version n -> n + 1.  Version 1 is the first release.
MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}


def from_dict(doc: Any, *, limits: Limits | None = None) -> AnnualReport:
    """The report in a plain dict (as :func:`to_dict` makes it, or parsed from JSON).

    Raises :class:`JSONError` listing every problem (at most ``limits.max_problems``, the rest
    counted), each with its JSON path.  Any Python value is refused with its place named, never
    with a foreign exception: a set, bytes, a NaN, a tuple as a key, an integer too long to write.
    """
    return _from_dict(doc, fast=True, guard=True, limits=limits or DEFAULT_LIMITS)


def _from_dict(
    doc: Any, *, fast: bool, guard: bool = True, limits: Limits = DEFAULT_LIMITS, where: str = ""
) -> AnnualReport:
    if not isinstance(doc, dict):
        raise JSONError(f"not a report document{where}", [Problem("$", f"expected an object, got {_kind(doc)}")])
    if "schema_version" not in doc:
        keys = [k if isinstance(k, str) else _kind(k) for k in islice(doc, 6)]
        shown = ", ".join(repr(k[:30]) for k in keys[:5]) + (", …" if len(keys) > 5 else "")
        raise JSONError(
            f"not a report document{where}",
            [
                Problem(
                    "$",
                    'this JSON is not a gongkai_model report document: it has no "schema_version" '
                    f"(its keys: {shown or 'none'}); report documents are what gk.dumps, gk.write(report, "
                    "'x.json') and `gongkai convert IN OUT.json` write (docs/json.md)",
                )
            ],
        )
    version = doc.get("schema_version")
    if isinstance(version, bool) or not isinstance(version, int) or _too_long(version):
        raise JSONError(
            f"not a report document{where}",
            [Problem("$.schema_version", f"expected an integer schema version, got {_kind(version)}")],
        )
    if version > SCHEMA_VERSION:
        raise JSONError(
            f"document too new{where}",
            [
                Problem(
                    "$.schema_version",
                    f"version {version} is newer than this gongkai_model reads ({SCHEMA_VERSION}); "
                    "upgrade gongkai_model",
                )
            ],
        )
    if version < 1:
        raise JSONError(f"unknown version{where}", [Problem("$.schema_version", f"no such version: {version}")])
    while version < SCHEMA_VERSION:  # pragma: no cover - no older version exists yet
        doc = MIGRATIONS[version](doc)
        version += 1
    edition = doc.get("edition")
    if fast and FAST_PATHS and not getattr(doc, "repeated", None):
        try:
            report = _fast_report(guard)(doc)
        except Exception:  # anything unusual: the thorough path decides and explains
            pass
        else:
            if report.edition.value == edition:
                return report  # type: ignore[no-any-return]
    return _thorough(doc, limits.max_problems, where)


def _thorough(doc: dict[str, Any], cap: int = DEFAULT_LIMITS.max_problems, where: str = "") -> AnnualReport:
    """Structure a (current-version) document field by field, collecting every problem."""
    edition = doc.get("edition")
    body = _Object((k, v) for k, v in doc.items() if k not in ("schema_version", "edition"))
    body.repeated = getattr(doc, "repeated", {})
    problems: list[Problem] = []
    if not isinstance(edition, str) or edition not in {e.value for e in Edition}:
        problems.append(Problem("$.edition", f'expected "2019" or "2021", got {_kind(edition)}'))
    hidden = [0]
    token = _CAP.set((cap, hidden))
    try:
        report = _structure_report(body)
    except _Failed as exc:
        problems.extend(exc.problems)
    else:
        if not problems and report.edition.value != edition:
            problems.append(
                Problem(
                    "$.edition",
                    f"says {edition} but table2 is in the {report.edition.value} format",
                    None,
                )
            )
    finally:
        _CAP.reset(token)
    hidden[0] += max(0, len(problems) - cap)
    if hidden[0]:
        problems[cap:] = [Problem("$", f"… and {hidden[0]} more problems (limits.max_problems)")]
    if problems:
        raise JSONError(f"invalid report document{where}", problems)
    return report


converter.register_structure_hook(AnnualReport, lambda obj, _: from_dict(obj))


def _parse_fast(text: str | bytes) -> Any:
    """Parse with orjson when the text is exactly what orjson writes back (so no key was repeated), else None.

    orjson keeps the last of repeated keys silently; a compact or 2-space document whose
    re-serialisation is identical cannot have lost anything, so its parse is trusted.  Any other
    text goes to the standard parser, which reports repeated keys with their path.
    """
    if _orjson is None or not FAST_PATHS:
        return None
    try:
        doc = _orjson.loads(text)
        raw = text.encode("utf-8") if isinstance(text, str) else text
        for option in (0, _orjson.OPT_INDENT_2):
            if _orjson.dumps(doc, option=option) == raw:
                return doc
    except Exception:  # invalid JSON, a lone surrogate, …: the standard parser explains
        return None
    return None


def _loads_fast(text: str | bytes) -> AnnualReport | None:
    """The report in ``text`` when it is a valid current document that orjson reads as it is, else None.

    orjson keeps the last of repeated keys silently, so the report is only trusted with a proof
    that no key was repeated: the text has exactly as many colons as the document has keys (a
    colon outside a string is a key's; so no key can have come twice), or, when a string holds a
    colon, orjson writes a second parse back to the very same bytes.  The second parse is thrown
    away: writing a string makes CPython keep a UTF-8 copy of it for as long as it lives.
    """
    if _orjson is None or not FAST_PATHS:
        return None
    try:
        doc = _orjson.loads(text)
        report: AnnualReport = _fast_report(False)(doc)
    except Exception:  # invalid JSON, anything unusual: the thorough path decides and explains
        return None
    version = doc["schema_version"]
    if type(version) is not int or version != SCHEMA_VERSION or report.edition.value != doc["edition"]:
        return None
    if text.count(":" if isinstance(text, str) else b":") != _key_count(report):  # type: ignore[arg-type]
        raw = text.encode("utf-8") if isinstance(text, str) else text
        if _parse_fast(raw) is None:
            return None
    return report


_KEY_COUNTS: dict[Shape, tuple[int, Callable[[AnnualReport], Any] | None]] = {}


def _key_count(report: AnnualReport) -> int:
    """How many keys the document of ``report`` has, in all its objects (as :func:`to_dict` writes it)."""
    shape = shape_of(report)
    known = _KEY_COUNTS.get(shape)
    if known is None:
        count, amounts = _shape_keys(report, "", True)
        known = _KEY_COUNTS[shape] = (count + 2, operator.attrgetter(*amounts) if amounts else None)
    count, get = known
    if get is not None:  # an amount is an object of two keys, or null
        found = get(report)
        count += 2 * sum(a is not None for a in (found if isinstance(found, tuple) else (found,)))
    return count


def _shape_keys(node: Any, prefix: str, subtotal: bool) -> tuple[int, list[str]]:
    """The keys of ``node``'s object and its inner objects (amounts aside), and the paths of its amounts."""
    cls = type(node)
    if cls is Applications:
        subtotal = node.subtotal_column
    wire = _wire_keys(cls, subtotal)
    count, amounts = len(wire), []
    for info in field_specs(cls):
        if info.name not in wire:
            continue
        if info.spec.value is Value.NODE:
            inner, more = _shape_keys(getattr(node, info.name), f"{prefix}{info.name}.", subtotal)
            count += inner
            amounts += more
        elif info.spec.value is Value.AMOUNT:
            amounts.append(f"{prefix}{info.name}")
    return count, amounts


def loads(text: str | bytes, *, limits: Limits | None = None) -> AnnualReport:
    """The report in a JSON document written by :func:`dumps` (this or an older version).

    Strict: repeated keys, unknown keys, missing keys and values of the wrong
    type are refused, all of them reported at once in one :class:`JSONError`.
    Hostile text is refused before it is parsed (``limits``, by default
    :data:`~gongkai_model.limits.DEFAULT_LIMITS`): more than ``max_file_bytes``
    bytes of text, objects and arrays nested deeper than ``max_depth`` (named
    by the JSON path where they go too deep), more than ``max_keys`` keys and
    array items in all.

    >>> import gongkai_model as gk
    >>> try:
    ...     gk.loads('{"schema_version": 1, "year": [[[[1]]]]}', limits=gk.limits.Limits(max_depth=3))
    ... except gk.errors.JSONError as exc:
    ...     print(exc)
    JSON document refused
      - $.year[0][0]: objects and arrays nested deeper than 3 levels (limits.max_depth)
    """
    return _loads(text, limits or DEFAULT_LIMITS, "")


def loads_many(texts: Iterable[str | bytes], *, limits: Limits | None = None) -> list[AnnualReport | JSONError]:
    """:func:`loads` of each text, in order: the report, or the :class:`JSONError` that ``loads`` raises.

    None is lost and nothing raised for a bad document.  For a large batch this is faster than
    calling :func:`loads` in a loop: the cyclic garbage collector is paused while it runs (the
    reports and the parsed documents hold no reference cycles, so there is nothing for it to
    find, yet with many reports kept its full collections would walk all of them again and
    again), then restored as it was.

    >>> import gongkai_model as gk
    >>> got = gk.jsonio.loads_many([gk.dumps(gk.examples.seed_report()), "{"])
    >>> got[0] == gk.examples.seed_report(), type(got[1]).__name__
    (True, 'JSONError')
    """
    limits = limits or DEFAULT_LIMITS
    out: list[AnnualReport | JSONError] = []
    add = out.append
    enabled = gc.isenabled()
    gc.disable()
    try:
        for text in texts:
            try:
                add(_loads(text, limits, ""))
            except JSONError as exc:
                add(exc.with_traceback(None))  # no frames kept alive by the error
    finally:
        if enabled:
            gc.enable()
    return out


def load(source: Source, *, limits: Limits | None = None) -> AnnualReport:
    """The report in a JSON document read from a path, bytes or a binary stream (see :func:`loads`).

    Only regular files are read, within ``limits.max_file_bytes``: a FIFO, a device such as
    ``/dev/zero`` or a folder is refused before it is opened.  Errors name the file.

    >>> import gongkai_model as gk, io
    >>> gk.jsonio.load(io.BytesIO(gk.dumps(gk.examples.seed_report()).encode())) == gk.examples.seed_report()
    True
    """
    limits = limits or DEFAULT_LIMITS
    name = source_name(source, "<JSON document>")
    data = read_source(source, limits, name, JSONError, "JSON document")
    return _loads(data, limits, f" in {name}")


def _loads(text: str | bytes, limits: Limits, where: str) -> AnnualReport:
    if isinstance(text, bytearray | memoryview):
        text = bytes(text)
    if not isinstance(text, str | bytes):
        raise JSONError(
            f"invalid JSON{where}", [Problem("$", f"expected JSON text (str or bytes), got {type(text).__name__}")]
        )
    _check_size(text, limits, where)
    if len(text) <= limits.max_keys:  # shorter text cannot hold more keys and items than it has characters
        if limits.max_depth >= _REPORT_DEPTH:
            report = _loads_fast(text)
            if report is not None:
                return report
        doc = _parse_fast(text)  # orjson: bounded depth (1024) and, for text this short, bounded memory
        if doc is not None:
            _scan(_decoded(text, where), limits, where)
            return _from_dict(doc, fast=False, limits=limits, where=where)
    text = _decoded(text, where)
    _scan(text, limits, where)
    try:
        try:
            doc = _json.loads(text, object_pairs_hook=_pairs, parse_constant=_parse_constant, **_INTS)
        except _json.JSONDecodeError:
            raise
        except ValueError:  # an integer too long to convert: parse again, keeping it as a marker
            doc = _json.loads(text, object_pairs_hook=_pairs, parse_constant=_parse_constant, parse_int=_parse_int)
    except (ValueError, TypeError, RecursionError) as exc:
        raise JSONError(f"invalid JSON{where}", [Problem("$", str(exc))]) from None
    return _from_dict(doc, fast=True, guard=False, limits=limits, where=where)


def _check_size(text: str | bytes, limits: Limits, where: str) -> None:
    cap = limits.max_file_bytes
    size = len(text)
    if isinstance(text, str) and cap < size * 4:  # up to 4 bytes a character in UTF-8
        size = size if size > cap else len(text.encode("utf-8", "surrogatepass"))
    if size > cap:
        raise JSONError(
            f"JSON document too large{where}",
            [Problem("$", f"{size} bytes; the limit is {cap} (limits.max_file_bytes)")],
        )


def _decoded(text: str | bytes, where: str) -> str:
    """``text`` as a string, decoded as the standard parser does (UTF-8, -16 or -32, by its first bytes)."""
    if isinstance(text, str):
        return text
    try:
        return text.decode(_json.detect_encoding(text), "surrogatepass")
    except UnicodeDecodeError as exc:
        raise JSONError(
            f"invalid JSON{where}", [Problem("$", f"not UTF-8, -16 or -32 text: {exc.reason} at byte {exc.start}")]
        ) from None


_STRING = re.compile(r'"[^"]*"?')  # a string without escaped quotes, or the rest of an unclosed one
_BRACKET = re.compile(r"[\[\]{}]")
_TOKEN = re.compile(r'"[^"]*"?|[\[\]{},:]')
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def _scan(text: str, limits: Limits, where: str) -> None:
    """Refuse text that would nest deeper than ``limits.max_depth`` or hold more than ``limits.max_keys``
    keys and array items, before it is parsed (in time linear in the text, without building it).

    Outside strings, each comma and each opening bracket stands for one key or array item (an
    empty container counts one), so counting them bounds what the parser would build; each key or
    item holds at most two strings.
    """
    opened = text.count("[") + text.count("{")  # counted with the strings: bounds from above
    if opened <= limits.max_depth and text.count(",") + opened <= limits.max_keys:
        return
    most = 2 * limits.max_keys + 2
    if "\\" in text:  # drop escaped backslashes, then escaped quotes: every quote left delimits a string
        text = text.replace("\\\\", "").replace('\\"', "")
    bare, strings = _STRING.subn("", text, count=most + 1) if '"' in text else (text, 0)
    opened = bare.count("[") + bare.count("{")
    if opened > limits.max_depth:
        depth = 0
        # Past ``most`` brackets with the top-level value still open, more than max_keys brackets
        # have opened: refused below.  So this loop is bounded whatever the text.
        for match in islice(_BRACKET.finditer(bare), most):
            depth += _STEP[match.group()]
            if depth > limits.max_depth:
                raise JSONError(
                    f"JSON document refused{where}",
                    [
                        Problem(
                            _deep_path(text, limits.max_depth, most),
                            f"objects and arrays nested deeper than {limits.max_depth} levels (limits.max_depth)",
                        )
                    ],
                )
            if depth <= 0:  # the top-level value ends here (whatever follows, the parser refuses)
                break
    if strings > most or bare.count(",") + opened > limits.max_keys:
        raise JSONError(
            f"JSON document refused{where}",
            [Problem("$", f"more than {limits.max_keys} keys and array items (limits.max_keys)")],
        )


def _deep_path(text: str, max_depth: int, most: int) -> str:
    """The JSON path of the first object or array of ``text`` nested deeper than ``max_depth``.

    Only the first ``most`` tokens are read; ``$`` when the place is further on.
    """
    stack: list[list[Any]] = []  # per open container: [is an object, its current key or index]
    key: Any = None
    for match in islice(_TOKEN.finditer(text), most):
        token = match.group()
        first = token[0]
        if first == '"':
            key = token
        elif first in "[{":
            if len(stack) == max_depth:
                break
            stack.append([first == "{", None if first == "{" else 0])
        elif first in "]}":
            if stack:
                stack.pop()
        elif first == ":" and stack and stack[-1][0]:
            stack[-1][1] = key
        elif first == "," and stack and not stack[-1][0]:
            stack[-1][1] += 1
    else:
        return "$"
    steps = []
    for is_object, at in stack:
        if is_object:
            try:
                name = _json.loads(at) if isinstance(at, str) else "?"
            except ValueError:
                name = at
            steps.append(f".{_key_text(name)}")
        else:
            steps.append(f"[{at}]")
    if len(steps) > 12:
        steps[6:-4] = [f"…({len(steps) - 10} levels)…"]
    return "$" + "".join(steps)


# ---------------------------------------------------------------------------------------------
# schema


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the documents :func:`dumps` writes, generated from the model.

    Titles are the statutory labels.  表三 has two layouts, without and with
    the 小计 column (``subtotal_column``); the classes that hold 表三 rows have
    a ``…WithoutSubtotal`` definition for the first.
    """
    defs: dict[str, Any] = {}

    def node(cls: type, subtotal: bool) -> dict[str, str]:
        name = cls.__name__ if subtotal or not _holds_counts(cls) else f"{cls.__name__}WithoutSubtotal"
        if name not in defs:
            defs[name] = {}  # placeholder against recursion
            props: dict[str, Any] = {}
            if cls is Applications:
                props["subtotal_column"] = {"title": "小计列", "const": subtotal}
            keys = _wire_keys(cls, subtotal)
            for info in field_specs(cls):
                if info.name not in keys:
                    continue
                if info.spec.value is not Value.NODE:
                    props[info.name] = {"title": info.spec.label, **_leaf_schema(info.spec.value, info.spec.required)}
                elif len(info.types) == 1:
                    props[info.name] = {"title": info.spec.label, **node(info.types[0], subtotal)}
                else:
                    props[info.name] = {"title": info.spec.label, "oneOf": [node(t, subtotal) for t in info.types]}
            doc = (cls.__doc__ or name).strip().splitlines()[0]
            defs[name] = {
                "title": doc,
                "type": "object",
                "properties": props,
                "required": list(props),
                "additionalProperties": False,
            }
        return {"$ref": f"#/$defs/{name}"}

    props: dict[str, Any] = {
        "schema_version": {"const": SCHEMA_VERSION},
        "edition": {"enum": [e.value for e in Edition]},
    }
    for info in field_specs(AnnualReport):
        if info.spec.value is not Value.NODE:
            props[info.name] = {"title": info.spec.label, **_leaf_schema(info.spec.value, info.spec.required)}
        elif info.types == (Applications,):
            props[info.name] = {
                "title": info.spec.label,
                "oneOf": [node(Applications, False), node(Applications, True)],
            }
        elif len(info.types) == 1:
            props[info.name] = {"title": info.spec.label, **node(info.types[0], True)}
        else:
            props[info.name] = {"title": info.spec.label, "oneOf": [node(t, True) for t in info.types]}
    return {
        "$schema": DIALECT,
        "$id": f"https://gongkai-model.invalid/schema/report-v{SCHEMA_VERSION}.json",
        "title": AnnualReport.TITLE,
        "type": "object",
        "properties": props,
        "required": list(props),
        "additionalProperties": False,
        "$defs": dict(sorted(defs.items())),
    }


def _holds_counts(cls: type) -> bool:
    return cls is ApplicantCounts or any(_holds_counts(t) for i in field_specs(cls) for t in i.types)


def _leaf_schema(kind: Value, required: bool) -> dict[str, Any]:
    # ``required`` fields (agency, year) are always present but may be null: unknown to the document
    if kind is Value.COUNT:
        return {"type": ["integer", "null"], "minimum": 0}
    if kind is Value.SIGNED:
        return {"type": ["integer", "null"]}
    if kind is Value.YEAR:
        return {"type": ["integer", "null"], "minimum": YEAR_MIN}
    if kind is Value.MONEY:
        return {"type": ["string", "null"], "pattern": _MONEY.pattern}
    if kind is Value.TEXT:
        return {"type": ["string", "null"]}
    if kind is Value.DATE:
        return {"type": ["string", "null"], "format": "date", "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}
    if kind is Value.AMOUNT:
        amount = {
            "type": "object",
            "properties": {
                "value": {"type": "string", "pattern": _MONEY.pattern},
                "unit": {"enum": [*(u.value for u in MoneyUnit), None]},
            },
            "required": ["value", "unit"],
            "additionalProperties": False,
        }
        return {"oneOf": [{"type": "null"}, amount]}
    raise AssertionError(kind)  # pragma: no cover
