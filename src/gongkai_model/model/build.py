"""Build a report straight from model paths: the one builder under every reader and ``from_records``.

A reader's locator already knows each printed figure's model path
(``table3.results.granted.natural_person``); :func:`build` takes those values by path, with the
report's shape decided once by the caller, and returns the report or every problem at once, as data:
each :class:`~gongkai_model.errors.Problem` names the model path (``location``), the statutory label,
the caller's ``code`` and the :class:`~gongkai_model.errors.Place` the caller gave for that path.
It raises nothing but a ``MemoryError`` or ``RecursionError`` (a limit of the machine, which the readers
report as ``READ_LIMIT``), never returns a half-built report, and leaves a cell with no value blank.

The cells are those of :func:`~gongkai_model.model.layout.layout` (the one walk of the model); the
other fields (metadata, section texts) are those of :func:`field_paths`. Two paths, one answer (the
fast-path contract of ``docs/architecture.md``):

- the **thorough path** starts from the blank report of the shape and sets the values, row by row,
  with :func:`~gongkai_model.model.layout.replace_path`, so the model's own validation judges every
  value and names its full path; it is the authority, and the one that explains;
- the **fast path** calls one constructor generated from the layout (the model's constructors, and so
  its validation, still run; only the walk is generated) and hands any doubt to the thorough path.

>>> from gongkai_model.model.layout import Shape
>>> from gongkai_model.model.values import Edition
>>> shape = Shape(Edition.FORMAT_2021, single_other_row=False)
>>> report, problems = build(shape, {"table4.reconsideration.upheld": 3}, agency="某局", year=2023)
>>> report.table4.reconsideration.upheld, report.table4.reconsideration.total, problems
(3, None, ())
>>> report, problems = build(shape, {"table4.reconsideration.upheld": -3, "table9.x": 1}, agency="某局", year=2023)
>>> report, [str(p) for p in problems]  # doctest: +NORMALIZE_WHITESPACE
(None, ['table9.x: is not a table cell of this report (2021 format, （六）其他处理 in three rows, no 小计 column)',
        'table4.reconsideration.upheld (表四 行政复议 × 结果维持): must not be negative, got -3'])
"""

from __future__ import annotations

import functools
import types
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs

from .._codegen import FAST_PATHS, compile_function
from ..errors import ModelError, Place, Problem
from .layout import Shape, blank_of, get_path, layout, replace_path
from .report import AnnualReport
from .spec import FieldInfo, Kind, Value, field_specs
from .tables import Applications

__all__ = ["build", "field_paths"]

Built = tuple[AnnualReport | None, tuple[Problem, ...]]


def build(
    shape: Shape,
    values: Mapping[str, object] | Sequence[object],
    *,
    agency: str | None,
    year: int | None,
    fields: Mapping[str, object] | None = None,
    places: Mapping[str, Place] | None = None,
    code: str | None = None,
) -> Built:
    """The report of ``shape`` holding ``values`` (table cells by model path), or ``None`` and every problem.

    ``values`` maps model paths to values; it may also be a sequence of every cell's value in
    :func:`~gongkai_model.model.layout.layout` order (as :func:`~gongkai_model.model.layout.values`
    gives them: ``build(shape_of(r), values(r), …)``). ``fields`` gives the report's other fields by
    path (:func:`field_paths`: ``region``, ``overview.text``, ``problems``, ``other_matters.text`` …).
    ``places`` gives, by path, where a value was printed: a problem about that path carries it.
    ``code`` is put on every problem (a reader passes ``"READ_INVALID"``). A cell or field missing
    from the maps, or given as ``None``, is blank. Values are not converted: each must already be of
    its kind (``int`` for counts, ``Decimal`` for money, :class:`~gongkai_model.Amount` for 2019 采购总金额).

    Returns ``(report, ())`` or ``(None, problems)``: a path that is not a cell of ``shape`` (or not a
    field), and every value the model refuses, each named by its path and statutory label.
    """
    fields = {} if fields is None else fields
    places = {} if places is None else places
    paths = _cell_paths(shape)
    if not isinstance(values, list | tuple) and isinstance(values, Mapping):
        unknown = _unknown(shape, values, fields)
        ordered = list(map(values.get, paths)) if FAST_PATHS and not unknown else []
    else:
        ordered = values if isinstance(values, list) else list(values)
        unknown = _unknown(shape, {}, fields) if fields else []
        if len(ordered) != len(paths):
            count = f"expected the {len(paths)} cells of the shape in layout order, got {len(ordered)}"
            unknown.append(Problem("", count))
    if FAST_PATHS and not unknown:
        report = _fast(shape, ordered, agency, year, fields)
        if report is not None:
            return report, ()
    by_path = values if isinstance(values, Mapping) else dict(zip(paths, ordered, strict=False))
    report, problems = _thorough(shape, by_path, agency, year, fields)
    found = [*unknown, *problems]
    if not found:
        return report, ()
    labels = _labels(shape)
    return None, tuple(
        attrs.evolve(p, label=labels.get(p.location, p.label), code=code, place=places.get(p.location)) for p in found
    )


@functools.cache
def field_paths() -> Mapping[str, FieldInfo]:
    """The report's fields outside the tables, by path: metadata and section texts, with their specs.

    ``agency`` and ``year`` are not among them (:func:`build` takes them on their own).

    >>> list(field_paths())[:4]
    ['region', 'level', 'published', 'source_url']
    >>> [p for p in field_paths() if p.endswith("text") or p == "problems"]
    ['overview.text', 'problems', 'other_matters.text']
    """
    out: dict[str, FieldInfo] = {}
    for info in field_specs(AnnualReport):
        if info.spec.required:
            continue
        if info.spec.value is not Value.NODE:
            out[info.name] = info
            continue
        cls = info.types[0]
        if len(info.types) == 1 and not any(i.spec.kind is Kind.ROW for i in field_specs(cls)):
            out.update((f"{info.name}.{i.name}", i) for i in field_specs(cls))
    return types.MappingProxyType(out)


@functools.cache
def _cell_paths(shape: Shape) -> tuple[str, ...]:
    return tuple(c.path for c in layout(shape))


@functools.cache
def _cell_set(shape: Shape) -> frozenset[str]:
    return frozenset(_cell_paths(shape))


@functools.cache
def _labels(shape: Shape) -> dict[str, str]:
    """The statutory label of every path :func:`build` sets: ``表三 （一）予以公开 × 自然人``, ``报告年度`` …"""
    out = {i.name: i.spec.label for i in field_specs(AnnualReport) if i.spec.required}
    out.update((c.path, c.label) for c in layout(shape))
    out.update((path, info.spec.label) for path, info in field_paths().items())
    return out


def _describe(shape: Shape) -> str:
    other = "（六）其他处理 in one row" if shape.single_other_row else "（六）其他处理 in three rows"
    subtotal = "with the 小计 column" if shape.subtotal_column else "no 小计 column"
    return f"{shape.edition.value} format, {other}, {subtotal}"


def _unknown(shape: Shape, values: Mapping[str, object], fields: Mapping[str, object]) -> list[Problem]:
    """A problem for each path that is not a cell of ``shape``, and each field path that is not a field."""
    cells = _cell_set(shape)
    out: list[Problem] = []
    if not values.keys() <= cells:
        out.extend(
            Problem(_name(path), f"is not a table cell of this report ({_describe(shape)})")
            for path in values
            if path not in cells
        )
    known = field_paths()
    if not fields.keys() <= known.keys():
        out.extend(
            Problem(_name(path), "is not a field of the report outside its tables (metadata or section text)")
            for path in fields
            if path not in known
        )
    return out


def _name(path: object) -> str:
    return path if isinstance(path, str) else f"{type(path).__name__} key (not a path)"


def _thorough(
    shape: Shape, values: Mapping[str, object], agency: object, year: object, fields: Mapping[str, object]
) -> tuple[AnnualReport, list[Problem]]:
    """The blank report of ``shape`` with every value set by :func:`replace_path`, and every value refused.

    The cells are set row by row (a row of the model checks all its cells at once, so every refused
    value of a row is named; a refused row is left blank), then agency, year and the other fields one
    by one: every problem is found in one pass.
    """
    report = blank_of(shape)
    problems: list[Problem] = []
    for row_path, leaves in _row_cells(shape):
        given = {leaf: values[path] for leaf, path in leaves if values.get(path) is not None}
        if given:
            report = _set(report, row_path, given, problems)
    report = _set(report, "agency", agency, problems)
    report = _set(report, "year", year, problems)
    known = field_paths()
    for path, value in fields.items():
        if path in known and value is not None:
            report = _set(report, path, value, problems)
    return report, problems


def _set(report: AnnualReport, path: str, value: object, problems: list[Problem]) -> AnnualReport:
    """``report`` with ``value`` at ``path`` (a dict: the cells of the row at ``path``), or as it was and the
    problems named by their full paths."""
    try:
        if isinstance(value, dict):
            row = get_path(report, path)
            try:
                value = attrs.evolve(row, **value)
            except ModelError as exc:
                problems.extend(p.within(path) for p in exc.problems)
                return report
        changed: AnnualReport = replace_path(report, path, value)
        return changed
    except ModelError as exc:
        problems.extend(exc.problems)
    except (MemoryError, RecursionError):
        raise  # a limit of the machine: the reader's wrapper reports it as such (READ_LIMIT)
    except Exception as exc:  # a value whose own methods fail (a hostile int subclass …): named, not raised
        if isinstance(value, dict) and len(value) > 1:
            for leaf, v in value.items():  # which one
                report = _set(report, f"{path}.{leaf}", v, problems)
        else:
            where = f"{path}.{next(iter(value))}" if isinstance(value, dict) else path
            problems.append(Problem(where, f"cannot be checked: {type(exc).__name__} in the value's own methods"))
    return report


@functools.cache
def _row_cells(shape: Shape) -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    """(row path, ((field name, cell path) …)) of every row of ``shape``, in layout order."""
    out: dict[str, list[tuple[str, str]]] = {}
    for c in layout(shape):
        out.setdefault(c.row_info.path, []).append((c.path.rpartition(".")[2], c.path))
    return tuple((row, tuple(leaves)) for row, leaves in out.items())


def _fast(
    shape: Shape, ordered: list[object], agency: object, year: object, fields: Mapping[str, object]
) -> AnnualReport | None:
    """The report from the generated constructor (the cells' values in layout order), or ``None`` on any
    doubt (the thorough path decides)."""
    try:
        report: AnnualReport = _constructor(shape)(ordered, agency, year)
        for path, value in fields.items():
            if value is not None:
                report = replace_path(report, path, value)
    except Exception:  # any refusal, of any kind: the thorough path explains it
        return None
    return report


@functools.cache
def _constructor(shape: Shape) -> Callable[[list[object], object, object], AnnualReport]:
    """A function generated from the layout of ``shape``: (values in layout order, agency, year) -> report.

    The model's own constructors (and so its validation) run; only the walk is generated, from the
    cells' paths.
    """
    blank = blank_of(shape)
    tree: dict[str, Any] = {}
    for i, path in enumerate(_cell_paths(shape)):
        node = tree
        parts = path.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = i
    env: dict[str, Any] = {}

    def emit(node: dict[str, Any], prefix: str) -> str:
        obj = blank if not prefix else get_path(blank, prefix)
        name = f"C{len(env)}"
        env[name] = type(obj)
        args = []
        for key, sub in node.items():
            path = f"{prefix}.{key}" if prefix else key
            args.append(f"{key}=v[{sub}]" if isinstance(sub, int) else f"{key}={emit(sub, path)}")
        if isinstance(obj, Applications):
            args.append(f"subtotal_column={shape.subtotal_column!r}")
        if not prefix:
            args[:0] = ["agency=agency", "year=year"]
        return f"{name}({', '.join(args)})"

    body = emit(tree, "")
    made: Callable[[list[object], object, object], AnnualReport] = compile_function(
        f"def build(v, agency, year):\n    return {body}\n", "build", env, f"report builder {shape.edition.value}"
    )
    return made
