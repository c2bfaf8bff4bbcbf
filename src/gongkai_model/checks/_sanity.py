"""A report forged past the model's own checks: every bad value found, located, never raised.

The model refuses bad values when an object is built, so a report normally
holds only valid ones.  But an object can be forged (``object.__setattr__``
on a frozen instance, a subclass, a mock): :func:`scan` walks the report by
its field specs and names every value the model would refuse, and every count
too large to be a real figure, so that :func:`~gongkai_model.validate` turns
them into ``VALUE_INVALID`` findings instead of failing somewhere inside.
"""

from __future__ import annotations

import functools
from typing import Any

import attrs

from .._codegen import FAST_PATHS, Namespace, compile_function
from ..model.layout import Shape, blank_of, layout, shape_of, values
from ..model.report import AnnualReport
from ..model.spec import Node, Row, Value, check_value, fast_check, fast_test, field_specs
from ..model.tables import ApplicantCounts, Applications
from ._findings import Finding, Severity

__all__ = ["MAX_FIGURE", "VALUE_INVALID", "clean_read", "clean_values", "scan"]

#: The code of a value the model does not allow (a forged object) or a figure too large to be real.
VALUE_INVALID = "VALUE_INVALID"

#: The largest whole number accepted as a figure of a report (no agency counts 10¹⁵ of anything).
MAX_FIGURE = 10**15

_MISSING = object()
_TOO_LARGE = "is too large to be a real figure (above 10**15)"


def _why(kind: Value, value: Any, types: tuple[type, ...], required: bool) -> str | None:
    try:
        why = check_value(kind, value, types, required)
    except Exception as exc:  # a forged value whose comparison itself fails
        return f"cannot be examined ({type(exc).__name__})"
    if why is None and kind in (Value.COUNT, Value.SIGNED) and isinstance(value, int) and abs(value) > MAX_FIGURE:
        return _TOO_LARGE
    return why


def _finding(path: str, label: str, why: str) -> Finding:
    return Finding(
        VALUE_INVALID,
        Severity.ERROR,
        f"{label}（{path}）的值无效：{why}",
        f"{label} ({path}) {why}",
        path=path,
    )


@attrs.frozen
class _Plan:
    """What the quick walk of one model class looks at."""

    children: tuple[str, ...]  #: fields that hold nodes
    counts: tuple[tuple[str, str], ...]  #: (name, label) of whole-number fields outside table rows
    is_row: bool
    others: tuple[str, ...]  #: attributes that are no statutory field (``subtotal_column``)
    extra: bool  #: whether the class has rules of its own (``_extra_problems``)


@functools.cache
def _plan(cls: type) -> _Plan:
    specs = field_specs(cls)
    row = issubclass(cls, Row)
    return _Plan(
        tuple(i.name for i in specs if i.spec.value is Value.NODE),
        () if row else tuple((i.name, i.spec.label) for i in specs if i.spec.value in (Value.COUNT, Value.SIGNED)),
        row,
        tuple(f.name for f in attrs.fields(cls) if f.metadata.get("gongkai") is None),
        getattr(cls, "_extra_problems", None) is not Node._extra_problems,
    )


_DEEP: dict[type, Any] = {}


def _deep(cls: type) -> Any:
    """A function generated per class: whether a node and everything below it is certainly clean.

    Clean means what :func:`scan`'s walk would find nothing wrong with: the model's own fast type
    check holds for the node, its other attributes are booleans, its own rules find nothing, its
    whole numbers (the table cells' too) are within :data:`MAX_FIGURE`, and the same holds below.
    ``False`` (or an exception) says nothing: the walk decides.  Nodes of a single class are
    checked inline, in the same function.
    """
    fn = _DEEP.get(cls)
    if fn is not None:
        return fn
    ns = Namespace(M=MAX_FIGURE)
    lines: list[str] = []
    counter = [0]

    def emit(c: type, var: str) -> None:
        k = counter[0]
        counter[0] += 1
        plan = _plan(c)
        # the model's own fast check, inlined (its names bound in ns), with every whole number within M
        tests = [f"({fast_test(c, var, ns, MAX_FIGURE)})"]
        tests += [f"type({var}.{name}) is bool" for name in plan.others]
        if plan.extra:
            tests.append(f"not {var}._extra_problems()")
        lines.extend([f"    if not ({' and '.join(tests)}):", "        return False"])
        for info in field_specs(c):
            if info.spec.value is not Value.NODE:
                continue
            if len(info.types) == 1:  # its class is certain: the fast check above looked at it
                child = f"v{counter[0]}"
                lines.append(f"    {child} = {var}.{info.name}")
                emit(info.types[0], child)
            else:
                table = ns.name({t: _deep(t) for t in info.types}, f"D{k}_")
                value = f"{var}.{info.name}"
                lines.extend([f"    if not {table}[type({value})]({value}):", "        return False"])

    emit(cls, "self")
    source = "def deep(self):\n" + "\n".join(lines) + "\n    return True\n"
    fn = _DEEP[cls] = compile_function(source, "deep", ns, f"forgery scan {cls.__name__}")
    return fn


@functools.cache
def _deep_values(shape: Shape) -> Any:
    """A function generated per shape: :func:`_deep` of an :class:`AnnualReport` whose nodes have the
    classes of ``shape`` (those of :func:`~gongkai_model.model.blank_of`), all inlined in one function
    (no call per polymorphic node), which returns the cell values (``values(report)``, read from the
    nodes it holds) when the report is certainly clean, and ``None`` otherwise (a node of another class
    included: then :func:`_deep` and ``values`` decide, as before).
    """
    ns = Namespace(M=MAX_FIGURE)
    lines: list[str] = []
    counter = [0]
    nodes: dict[str, str] = {}  # model path of a node ("" for the report, "table3.results.") -> its variable
    rules: list[str] = []  # the rules of the nodes written out (:func:`_rule`), tested once every node is read

    def emit(c: type, var: str, prefix: str, example: Any) -> None:
        nodes[prefix] = var
        plan = _plan(c)
        tests = [f"({fast_test(c, var, ns, MAX_FIGURE)})"]
        tests += [f"type({var}.{name}) is bool" for name in plan.others]
        if plan.extra:
            rules.append(f"not {var}._extra_problems()")
        lines.extend([f"    if not ({' and '.join(tests)}):", "        return None"])
        for info in field_specs(c):
            if info.spec.value is not Value.NODE:
                continue
            counter[0] += 1
            child, below = f"v{counter[0]}", getattr(example, info.name)
            lines.append(f"    {child} = {var}.{info.name}")
            if len(info.types) != 1:  # the class of this shape, exactly (the test above allowed any of them)
                lines.extend([f"    if type({child}) is not {ns.name(type(below), 'T')}:", "        return None"])
            emit(type(below), child, f"{prefix}{info.name}.", below)

    example = blank_of(shape)
    emit(AnnualReport, "self", "", example)
    rules = [rule for rule in (_rule(test, nodes, example) for test in rules) if rule != "True"]
    lines.extend([f"    if not ({' and '.join(rules)}):", "        return None"] if rules else [])
    cells = []
    for cell in layout(shape):
        head, _, name = cell.path.rpartition(".")
        cells.append(f"{nodes[f'{head}.' if head else '']}.{name}")
    source = "def deep(self):\n" + "\n".join(lines) + f"\n    return ({', '.join(cells)},)\n"
    return compile_function(source, "deep", ns, f"forgery scan and cell values {shape.edition.value}")


def _rule(test: str, nodes: dict[str, str], example: AnnualReport) -> str:
    """``test`` (``not <node>._extra_problems()``) written out for the nodes of the function of a shape,
    whose classes it pins exactly (each node's class is tested with ``type(...) is``/``in``): no call.

    - The report's own rule (a 2019 表二 with 表三's （六） in three rows) looks at the classes of its
      nodes alone: it is the same for every report of the shape, so it is answered now, on its blank.
    - 表三's (:class:`~gongkai_model.model.tables.Applications`): without a 小计 column
      (``subtotal_column`` is a bool: tested above) no row may fill its 小计 cell.
    Any other node's rule is called, as before.
    """
    var = test.removeprefix("not ").removesuffix("._extra_problems()")
    if var == "self":
        return "False" if example._extra_problems() else "True"
    if var == nodes.get("table3.") and type(example.table3) is Applications:
        rows = [  # every row of 表三 (its rules read each ApplicantCounts row below it)
            v for path, v in nodes.items() if path.startswith("table3.") and type(_at(example, path)) is ApplicantCounts
        ]
        cells = [f"{v}.legal_person_subtotal is None" for v in rows]
        return f"({var}.subtotal_column or ({' and '.join(cells) or 'True'}))"
    return test


def _at(node: Any, path: str) -> Any:
    for name in path.rstrip(".").split("."):
        node = getattr(node, name)
    return node


#: (shape, its :func:`_deep_values`): the last one used, found by identity (it holds its shape).
_LAST: list[tuple[object, Any]] = [(None, None)]


def _clean(report: Any) -> tuple[Any, ...] | None:
    """``values(report)`` when :func:`scan` would find nothing in ``report``; ``None``: it may (:func:`_read`)."""
    got = _read(report)
    return None if got is None else got[1]


def _read(report: Any) -> tuple[Shape | None, tuple[Any, ...]] | None:
    """(its shape, ``values(report)``) when :func:`scan` would find nothing in ``report`` (the shape ``None`` when
    not read); ``None``: it may (the walk decides).

    The generated check bounds every whole number of every node by :data:`MAX_FIGURE`, the table
    cells' included (and the fields of a row that its report's layout leaves out: one of those out of
    bounds sends the report to the walk, which finds nothing there, so the result is the same).
    An :class:`AnnualReport` is checked by the function of its shape, which also reads its cell values;
    another class, or nodes of other classes than its shape's, by :func:`_deep`, then ``values``.
    """
    try:
        if type(report) is AnnualReport:
            shape = shape_of(report)
            last = _LAST[0]
            if last[0] is not shape:
                last = _LAST[0] = (shape, _deep_values(shape))  # replaced whole (threads)
            got: tuple[Any, ...] | None = last[1](report)
            if got is not None:
                return shape, got
        if not _deep(type(report))(report):
            return None
        return None, values(report)  # (its shape not read)
    except Exception:
        return None


def clean_values(report: Any) -> tuple[Any, ...] | None:
    """The cell values of ``report`` (:func:`~gongkai_model.model.values`) when :func:`scan` would find
    nothing in it, by the fast path alone; ``None`` when it may find something (or the fast paths are off)."""
    return _clean(report) if FAST_PATHS else None


def clean_read(report: Any) -> tuple[Shape | None, tuple[Any, ...]] | None:
    """:func:`clean_values` with the report's shape (``shape_of``) when it was read on the way (``None`` if not)."""
    return _read(report) if FAST_PATHS else None


def scan(report: Any) -> tuple[list[Finding], set[str], bool]:
    """(findings, paths of leaf values that are invalid, whether the report's structure is intact).

    The structure is intact when every node (section, table, row) has the
    class the model expects, so that its cells can be laid out; an invalid
    leaf value (a count that is a str, a list or a huge int) leaves it intact.
    """
    if FAST_PATHS and _clean(report):  # the common case: one generated check per node, one pass over the cells
        return [], set(), True
    findings: list[Finding] = []
    bad_leaves: set[str] = set()
    intact = True

    def walk(node: Any, prefix: str) -> None:
        nonlocal intact
        cls: Any = type(node)
        plan = _plan(cls)
        try:
            quick = FAST_PATHS and fast_check(cls)(node)
        except Exception:
            quick = False
        if quick:  # every field certainly valid: look only at the nodes below and at the counts' size
            if plan.is_row and not plan.others:
                return  # its cells' size is looked at once, over the whole layout
            for name in plan.children:
                walk(getattr(node, name), f"{prefix}{name}.")
            for name, label in plan.counts:
                value = getattr(node, name)
                if type(value) is int and not -MAX_FIGURE <= value <= MAX_FIGURE:
                    findings.append(_finding(f"{prefix}{name}", label, _TOO_LARGE))
                    bad_leaves.add(f"{prefix}{name}")
        else:
            for info in field_specs(cls):
                path = f"{prefix}{info.name}"
                value = getattr(node, info.name, _MISSING)
                why = (
                    "is missing" if value is _MISSING else _why(info.spec.value, value, info.types, info.spec.required)
                )
                if why is not None:
                    findings.append(_finding(path, info.spec.label, why))
                    intact = intact and info.spec.value is not Value.NODE
                    bad_leaves.add(path)
                elif isinstance(value, Node):
                    walk(value, f"{path}.")
        for name in plan.others:
            if not isinstance(getattr(node, name, None), bool):
                findings.append(_finding(f"{prefix}{name}", name, "expected True or False"))
                intact = False
        if intact and plan.extra:
            try:
                extra = node._extra_problems()
            except Exception as exc:
                extra = []
                findings.append(_finding(prefix.rstrip(".") or "report", cls.__name__, f"{exc!r}"))
                intact = False
            for problem in extra:
                where = f"{prefix}{problem.location}"
                findings.append(_finding(where, problem.label or where, problem.message))
                intact = False

    walk(report, "")
    if intact:  # the size of every table cell, in one pass over the layout
        try:
            cells = layout(shape_of(report))
            for c, v in zip(cells, values(report), strict=True):
                if type(v) is int and not -MAX_FIGURE <= v <= MAX_FIGURE and c.path not in bad_leaves:
                    findings.append(_finding(c.path, c.column, _TOO_LARGE))
                    bad_leaves.add(c.path)
        except Exception as exc:  # pragma: no cover - an intact report always lays out
            findings.append(_finding("report", "report", f"cannot be laid out: {exc!r}"))
            intact = False
    else:  # no layout: the size of every whole number, row by row

        def sizes(node: Any, prefix: str) -> None:
            for info in field_specs(type(node)):
                value = getattr(node, info.name, None)
                path = f"{prefix}{info.name}"
                if isinstance(value, Node):
                    sizes(value, f"{path}.")
                elif type(value) is int and not -MAX_FIGURE <= value <= MAX_FIGURE and path not in bad_leaves:
                    findings.append(_finding(path, info.spec.label, _TOO_LARGE))
                    bad_leaves.add(path)

        sizes(report, "")
    return findings, bad_leaves, intact
