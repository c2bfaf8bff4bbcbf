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

import datetime as dt
import json as _json
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

import cattrs

from .errors import GongkaiError, JSONError, ModelError, Problem
from .model._spec import Kind, Value, field_specs
from .model.report import AnnualReport
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
    "loads",
    "to_dict",
]

#: The version of the document layout written by :func:`dumps`.
SCHEMA_VERSION = 1

#: The JSON Schema dialect of :func:`json_schema`.
DIALECT = "https://json-schema.org/draft/2020-12/schema"

_MONEY = re.compile(r"^(0|[1-9][0-9]*)(\.[0-9]+)?$")


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
    """Generate ``obj -> dict`` for a model class from its specs (the layout :func:`json_schema` describes)."""
    env: dict[str, Any] = {"_amount": _unstructure_amount}
    items = []
    for i, info in enumerate(field_specs(cls)):
        if info.name not in _wire_keys(cls, subtotal):
            continue
        v = f"o.{info.name}"
        kind = info.spec.value
        if kind is Value.MONEY:
            expr = f"None if {v} is None else str({v})"
        elif kind is Value.DATE:
            expr = f"None if {v} is None else {v}.isoformat()"
        elif kind is Value.AMOUNT:
            expr = f"None if {v} is None else _amount({v})"
        elif kind is Value.NODE:
            if info.types == (Applications,):
                env[f"f{i}"] = _unstructure_applications
            else:
                env[f"f{i}"] = {t: _unstructure_fn(t, subtotal) for t in info.types}
                expr = f"f{i}[type({v})]({v})"
            if info.types == (Applications,):
                expr = f"f{i}({v})"
        else:
            expr = v
        items.append(f"{info.name!r}: {expr}")
    if cls is Applications:
        items.insert(0, "'subtotal_column': o.subtotal_column")
    exec(f"def unstructure(o):\n    return {{{', '.join(items)}}}\n", env)  # built from our own specs only
    made: Callable[[Any], dict[str, Any]] = env["unstructure"]
    return made


def _unstructure_amount(a: Amount) -> dict[str, Any]:
    return {"value": str(a.value), "unit": a.unit and a.unit.value}


def _unstructure_applications(obj: Applications) -> dict[str, Any]:
    return _APPLICATIONS[obj.subtotal_column](obj)


_SUBTOTAL = next(i.name for i in field_specs(ApplicantCounts) if i.spec.total == "header")


def _wire_keys(cls: type, subtotal: bool) -> list[str]:
    """The keys of ``cls`` in a document (表三 rows have 小计 only in the 8-column layout)."""
    keys = [i.name for i in field_specs(cls) if subtotal or cls is not ApplicantCounts or i.name != _SUBTOTAL]
    return ["subtotal_column", *keys] if cls is Applications else keys


_APPLICATIONS = {flag: _unstructure_fn(Applications, flag) for flag in (False, True)}
_report_body = _unstructure_fn(AnnualReport, True)


def to_dict(report: AnnualReport) -> dict[str, Any]:
    """The report as a plain dict of JSON types (the document :func:`dumps` writes)."""
    return {"schema_version": SCHEMA_VERSION, "edition": report.edition.value, **_report_body(report)}


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
    doc = to_dict(report)
    if _orjson is not None:
        try:
            raw: bytes = _orjson.dumps(doc, option=_orjson.OPT_INDENT_2 if indent else 0)
            return raw.decode("utf-8")
        except TypeError:  # e.g. a lone surrogate in a text: the standard library escapes it
            pass
    if indent:
        return _json.dumps(doc, ensure_ascii=False, indent=2)
    return _json.dumps(doc, ensure_ascii=False, separators=(",", ":"))


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
            if len(value) != 10:
                raise ValueError(value)
            return dt.date.fromisoformat(value)
        except ValueError:
            raise _Failed([Problem(path, f"expected a date 'YYYY-MM-DD', got {value!r}", label)]) from None
    if kind is Value.AMOUNT:
        return _amount(value, path, label)
    raise AssertionError(kind)  # pragma: no cover


def _money(value: Any, path: str, label: str | None) -> Decimal:
    if not isinstance(value, str) or not _MONEY.match(value):
        raise _Failed(
            [Problem(path, f'expected money as a decimal string such as "160.5964", got {_kind(value)}', label)]
        )
    try:
        return Decimal(value)
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
        raise _Failed([Problem(path, f"not a decimal: {value!r}", label)]) from None


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


def _kind(value: Any) -> str:
    names = {bool: "a boolean", int: "an integer", float: "a number", str: "a string", list: "an array"}
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "an object"
    name = names.get(type(value), type(value).__name__)
    text = _json.dumps(value, ensure_ascii=False)
    return f"{name} {text if len(text) <= 40 else text[:37] + '...'}"


def _keys(
    obj: dict[str, Any], expected: set[str], path: str, label: str | None, cls: type | None = None
) -> list[Problem]:
    problems = [
        Problem(f"{path}.{k}", f"the key appears {n} times in one object", None)
        for k, n in getattr(obj, "repeated", {}).items()
    ]
    problems += [Problem(f"{path}.{k}", "unknown key", None) for k in obj if k not in expected]
    for k in sorted(expected - obj.keys()):
        own = _label(cls, k) if cls is not None else None
        problems.append(Problem(f"{path}.{k}", "missing key", _join(label, own) if own else label))
    return problems


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
    if type(v) is str and _MONEY.match(v):
        return Decimal(v)
    raise _Slow


def _date_fast(v: Any) -> dt.date | None:
    if v is None:
        return None
    if type(v) is str and len(v) == 10:
        return dt.date.fromisoformat(v)
    raise _Slow


def _amount_fast(v: Any) -> Amount | None:
    if v is None:
        return None
    if type(v) is dict and v.keys() == {"value", "unit"}:
        unit = v["unit"]
        return Amount(_money_fast(v["value"]) or Decimal(0), None if unit is None else MoneyUnit(unit))
    raise _Slow


def _fast_fn(cls: type, subtotal: bool) -> Callable[[Any], Any]:
    """Generate ``dict -> model`` for the common, valid case; anything unusual raises (then: thorough path)."""
    env: dict[str, Any] = {
        "cls": cls,
        "keys": frozenset(_wire_keys(cls, subtotal)),
        "_Slow": _Slow,
        "_Object": _Object,
        "money": _money_fast,
        "date": _date_fast,
        "amount": _amount_fast,
    }
    args = []
    for i, info in enumerate(field_specs(cls)):
        if info.name not in env["keys"]:
            continue
        v = f"o[{info.name!r}]"
        kind = info.spec.value
        if kind is Value.MONEY:
            expr = f"money({v})"
        elif kind is Value.DATE:
            expr = f"date({v})"
        elif kind is Value.AMOUNT:
            expr = f"amount({v})"
        elif kind is Value.NODE and info.types == (Applications,):
            env[f"f{i}"] = _fast_applications
            expr = f"f{i}({v})"
        elif kind is Value.NODE and len(info.types) == 1:
            env[f"f{i}"] = _fast_fn(info.types[0], subtotal)
            expr = f"f{i}({v})"
        elif kind is Value.NODE:
            env[f"f{i}"] = {frozenset(_wire_keys(t, subtotal)): _fast_fn(t, subtotal) for t in info.types}
            expr = f"f{i}[frozenset({v})]({v})"  # the key set tells the class
        else:
            expr = v
        args.append(f"{info.name}={expr}")
    if cls is Applications:
        args.append(f"subtotal_column={subtotal}")
    code = (
        "def structure(o):\n"
        "    if not (type(o) is dict or (type(o) is _Object and not o.repeated)) or o.keys() != keys:\n"
        "        raise _Slow\n"
        f"    return cls({', '.join(args)})\n"
    )
    exec(code, env)  # built from our own specs only
    made: Callable[[Any], Any] = env["structure"]
    return made


def _fast_applications(o: Any) -> Applications:
    flag = o["subtotal_column"]
    if type(flag) is not bool:
        raise _Slow
    return _FAST_APPLICATIONS[flag](o)  # type: ignore[no-any-return]


_FAST_APPLICATIONS = {flag: _fast_fn(Applications, flag) for flag in (False, True)}
_FAST_REPORT = _fast_fn(AnnualReport, True)


# ---------------------------------------------------------------------------------------------
# versions

#: Upgrades of older documents: version n -> n + 1.  Version 1 is the first release.
MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}


def from_dict(doc: Any) -> AnnualReport:
    """The report in a plain dict (as :func:`to_dict` makes it, or parsed from JSON).

    Raises :class:`JSONError` listing every problem, each with its JSON path.
    """
    return _from_dict(doc, fast=True)


def _from_dict(doc: Any, *, fast: bool) -> AnnualReport:
    if not isinstance(doc, dict):
        raise JSONError("not a report document", [Problem("$", f"expected an object, got {_kind(doc)}")])
    version = doc.get("schema_version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise JSONError(
            "not a report document",
            [Problem("$.schema_version", f"expected an integer schema version, got {_kind(version)}")],
        )
    if version > SCHEMA_VERSION:
        raise JSONError(
            "document too new",
            [
                Problem(
                    "$.schema_version",
                    f"version {version} is newer than this gongkai_model reads ({SCHEMA_VERSION}); "
                    "upgrade gongkai_model",
                )
            ],
        )
    if version < 1:
        raise JSONError("unknown version", [Problem("$.schema_version", f"no such version: {version}")])
    while version < SCHEMA_VERSION:  # pragma: no cover - no older version exists yet
        doc = MIGRATIONS[version](doc)
        version += 1
    edition = doc.get("edition")
    if fast and not getattr(doc, "repeated", None):
        try:
            report = _FAST_REPORT({k: v for k, v in doc.items() if k != "schema_version" and k != "edition"})
        except Exception:  # anything unusual: the thorough path decides and explains
            pass
        else:
            if report.edition.value == edition:
                return report  # type: ignore[no-any-return]
    return _thorough(doc)


def _thorough(doc: dict[str, Any]) -> AnnualReport:
    """Structure a (current-version) document field by field, collecting every problem."""
    edition = doc.get("edition")
    body = _Object((k, v) for k, v in doc.items() if k not in ("schema_version", "edition"))
    body.repeated = getattr(doc, "repeated", {})
    problems: list[Problem] = []
    if not isinstance(edition, str) or edition not in {e.value for e in Edition}:
        problems.append(Problem("$.edition", f'expected "2019" or "2021", got {_kind(edition)}'))
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
    if problems:
        raise JSONError("invalid report document", problems)
    return report


converter.register_structure_hook(AnnualReport, lambda obj, _: from_dict(obj))


def _parse_fast(text: str | bytes) -> Any:
    """Parse with orjson when the text is exactly what orjson writes back (so no key was repeated), else None.

    orjson keeps the last of repeated keys silently; a compact or 2-space document whose
    re-serialisation is identical cannot have lost anything, so its parse is trusted.  Any other
    text goes to the standard parser, which reports repeated keys with their path.
    """
    if _orjson is None:
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


def loads(text: str | bytes) -> AnnualReport:
    """The report in a JSON document written by :func:`dumps` (this or an older version).

    Strict: repeated keys, unknown keys, missing keys and values of the wrong
    type are refused, all of them reported at once in one :class:`JSONError`.
    """
    doc = _parse_fast(text)
    if doc is not None:
        return from_dict(doc)
    try:
        doc = _json.loads(text, object_pairs_hook=_pairs)
    except (ValueError, TypeError, RecursionError) as exc:
        raise JSONError("invalid JSON", [Problem("$", str(exc))]) from None
    return from_dict(doc)


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
    nullable = not required
    if kind is Value.COUNT:
        return {"type": ["integer", "null"], "minimum": 0}
    if kind is Value.SIGNED:
        return {"type": ["integer", "null"]}
    if kind is Value.YEAR:
        return {"type": "integer", "minimum": 2008}
    if kind is Value.MONEY:
        return {"type": ["string", "null"], "pattern": _MONEY.pattern}
    if kind is Value.TEXT:
        return {"type": ["string", "null"]} if nullable else {"type": "string"}
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
