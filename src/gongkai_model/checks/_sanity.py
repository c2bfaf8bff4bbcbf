"""A report forged past the model's own checks: every bad value found, located, never raised.

The model refuses bad values when an object is built, so a report normally
holds only valid ones.  But an object can be forged (``object.__setattr__``
on a frozen instance, a subclass, a mock): :func:`scan` walks the report by
its field specs and names every value the model would refuse, and every count
too large to be a real figure, so that :func:`~gongkai_model.validate` turns
them into ``VALUE_INVALID`` findings instead of failing somewhere inside.
"""

from __future__ import annotations

from typing import Any

import attrs

from ..model._spec import Node, Value, _fast_check, check_value, field_specs
from ._findings import Finding, Severity

__all__ = ["MAX_FIGURE", "VALUE_INVALID", "scan"]

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


def scan(report: Any) -> tuple[list[Finding], set[str], bool]:
    """(findings, paths of leaf values that are invalid, whether the report's structure is intact).

    The structure is intact when every node (section, table, row) has the
    class the model expects, so that its cells can be laid out; an invalid
    leaf value (a count that is a str, a list or a huge int) leaves it intact.
    """
    findings: list[Finding] = []
    bad_leaves: set[str] = set()
    intact = True

    def walk(node: Any, prefix: str) -> None:
        nonlocal intact
        try:
            quick = _fast_check(type(node))(node)
        except Exception:
            quick = False
        if quick:  # every field certainly valid: look only at the nodes below and at the counts' size
            for info in field_specs(type(node)):
                value = getattr(node, info.name)
                if isinstance(value, Node):
                    walk(value, f"{prefix}{info.name}.")
                elif type(value) is int and not -MAX_FIGURE <= value <= MAX_FIGURE:
                    path = f"{prefix}{info.name}"
                    findings.append(_finding(path, info.spec.label, _TOO_LARGE))
                    bad_leaves.add(path)
        else:
            for info in field_specs(type(node)):
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
        for field in attrs.fields(type(node)):  # attributes that are not statutory fields (subtotal_column)
            if field.metadata.get("gongkai") is None and not isinstance(getattr(node, field.name, None), bool):
                findings.append(_finding(f"{prefix}{field.name}", field.name, "expected True or False"))
                intact = False
        if intact:
            try:
                extra = node._extra_problems()
            except Exception as exc:
                extra = []
                findings.append(_finding(prefix.rstrip(".") or "report", type(node).__name__, f"{exc!r}"))
                intact = False
            for problem in extra:
                where = f"{prefix}{problem.location}"
                findings.append(_finding(where, problem.label or where, problem.message))
                intact = False

    walk(report, "")
    return findings, bad_leaves, intact
