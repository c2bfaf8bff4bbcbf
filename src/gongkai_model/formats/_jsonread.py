"""JSON documents as a reader of the common kind (for ``read``/``check``): the report, or located problems."""

from __future__ import annotations

import attrs

from ..errors import JSONError, Problem
from ..jsonio import loads
from ..limits import DEFAULT_LIMITS, Limits
from ._result import Imported

__all__ = ["read_json"]


def read_json(data: bytes, *, name: str = "<json>", limits: Limits = DEFAULT_LIMITS) -> Imported:
    """Load a report document; every problem of a bad document is a located ``READ_JSON`` problem."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problem = Problem(name, f"not UTF-8 text (byte {exc.start})", code="READ_JSON")
        return Imported(None, (problem,), {}, name)
    try:
        report = loads(text)
    except JSONError as exc:
        problems = tuple(
            attrs.evolve(p, location=f"{name}: {p.location}" if p.location else name, code="READ_JSON")
            for p in exc.problems
        ) or (Problem(name, str(exc), code="READ_JSON"),)
        return Imported(None, problems, {}, name)
    return Imported(report, (), {}, name)
