"""Evaluating the identities (勾稽关系 and sums) of :mod:`gongkai_model.model.identities`.

Nothing here lists rows or columns: a sum comes from a ``Spec.total`` mark on
a field, and the 表三 balance from ``Applications.BALANCE``.  Each identity is
compiled to indices into :func:`~gongkai_model.model.layout`, so evaluating
one is a few list look-ups.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import attrs

from .._codegen import FAST_PATHS, compile_function
from ..model.identities import Identity, identities
from ..model.layout import Shape, layout

__all__ = ["Identity", "IdentityStatus", "evaluate", "identities", "identities_of_cell"]


@functools.cache
def identities_of_cell(shape: Shape) -> tuple[tuple[int, ...], ...]:
    """For each cell index, the indices of the identities it takes part in."""
    ids = identities(shape)
    out: list[list[int]] = [[] for _ in layout(shape)]
    for k, ident in enumerate(ids):
        for m in ident.members:
            out[m].append(k)
    return tuple(tuple(x) for x in out)


@attrs.frozen
class IdentityStatus:
    """How one identity stands on given values."""

    ok: bool
    assessable: bool
    left: Any
    right: Any
    blanks: tuple[int, ...]


def evaluate(ident: Identity, values: Sequence[Any], blanks_as_zero: bool) -> IdentityStatus:
    """How ``ident`` stands on ``values`` (cell values in layout order)."""
    lhs = [values[m] for m in ident.lhs]
    rhs = [values[m] for m in ident.rhs]
    if None in lhs or None in rhs:
        blanks = tuple(m for m in ident.members if values[m] is None)
        if not blanks_as_zero:
            return IdentityStatus(False, False, None, None, blanks)
        left, right = sum(v for v in lhs if v is not None), sum(v for v in rhs if v is not None)
        return IdentityStatus(left == right, True, left, right, blanks)
    left, right = sum(lhs), sum(rhs)
    return HOLDS if left == right else IdentityStatus(False, True, left, right, ())


#: The status of every identity that holds with no blanks (shared: statuses are immutable).
HOLDS = IdentityStatus(True, True, None, None, ())


def side_sum(values: Sequence[object], members: tuple[int, ...]) -> int | Decimal:
    total: int | Decimal = 0
    for m in members:
        v = values[m]
        if v is not None:
            total += v  # type: ignore[operator]
    return total


_new = object.__new__
_set_ok, _set_assessable, _set_left, _set_right, _set_blanks = (
    vars(IdentityStatus)[name].__set__ for name in ("ok", "assessable", "left", "right", "blanks")
)


def _unassessed(blanks: tuple[int, ...]) -> IdentityStatus:
    """``IdentityStatus(False, False, None, None, blanks)``, made without ``__init__`` (nothing to convert)."""
    status: IdentityStatus = _new(IdentityStatus)
    _set_ok(status, False)
    _set_assessable(status, False)
    _set_left(status, None)
    _set_right(status, None)
    _set_blanks(status, blanks)
    return status


#: The statuses of every identity of a shape when they all hold (:data:`HOLDS` each), by their number: the one
#: tuple the generated function gives then, so that a check can tell by identity that every identity held.
ALL_HOLD: dict[int, tuple[IdentityStatus, ...]] = {}


#: What :func:`raw_statuses` gives for an identity with a blank member instead of its status (which names
#: its blanks): ``evaluate``'s status, made by :func:`full_statuses` when the statuses are read.
UNASSESSED = IdentityStatus(False, False, None, None, ())


@functools.cache
def _statuses_fn(shape: Shape, blanks_as_zero: bool, raw: bool = False) -> Any:
    """A function generated for ``shape``: the status of every identity on the cell values, in order.

    All the identities are first summed at once: when every one holds (the common case), the
    status of each is :data:`HOLDS` (one shared tuple). Otherwise, one by one: without
    ``blanks_as_zero``, an identity's blank members are found first, inline (an identity with a
    blank is not assessable, its blanks named in member order, as :func:`evaluate` names them: no
    side is summed and no exception raised); the others are summed inline, one that holds is
    :data:`HOLDS` and anything else (a broken identity) is left to :func:`evaluate`; with
    ``blanks_as_zero`` each is summed inline and what does not hold is left to ``evaluate``. So
    every status is exactly the one :func:`evaluate` gives.

    ``raw`` (without ``blanks_as_zero``): an identity with a blank is :data:`UNASSESSED` (its blanks not
    found), and the function gives the statuses and whether one is (:func:`raw_statuses`).
    """
    env: dict[str, Any] = {
        "evaluate": evaluate,
        "unassessed": _unassessed,
        "UNASSESSED": UNASSESSED,
        "new": _new,
        "IS": IdentityStatus,
        "set_ok": _set_ok,
        "set_assessable": _set_assessable,
        "set_left": _set_left,
        "set_right": _set_right,
        "set_blanks": _set_blanks,
        "compress": itertools.compress,
        "HOLDS": HOLDS,
    }
    every = identities(shape)
    env["ALL"] = ALL_HOLD.setdefault(len(every), (HOLDS,) * len(every))
    # first, every identity at once: when all hold (the common case), one shared tuple; a blank (an
    # exception: None cannot be added) or an identity that does not hold goes on to one by one
    sides = [  # each side summed inline, in the order sum() adds them
        (" + ".join(["0", *(f"v[{m}]" for m in ident.lhs)]), " + ".join(["0", *(f"v[{m}]" for m in ident.rhs)]))
        for ident in every
    ]
    sums = [f"({left} == {right}) is True" for left, right in sides]
    lines = ["def statuses(v):"]
    if sums:
        lines += [
            "    try:",
            f"        if {' and '.join(sums)}:",
            "            return ALL",
            "    except Exception:",
            "        pass",
        ]
    lines += ["    out = []", "    add = out.append", "    blank = False"]
    for k, (ident, (left, right)) in enumerate(zip(every, sides, strict=True)):
        members = ident.members
        env[f"I{k}"] = ident
        env[f"M{k}"] = members
        if blanks_as_zero:
            lines += [
                "    try:",
                f"        holds = {left} == {right}",
                "    except Exception:",
                "        holds = False",
                f"    add(HOLDS if holds is True else evaluate(I{k}, v, True))",
            ]
        else:
            any_blank = f"    if {' or '.join(f'v[{m}] is None' for m in members)}:"
            summed = [  # no blank: summed inline, as above
                "    else:",
                "        try:",
                f"            holds = {left} == {right}",
                "        except Exception:",
                "            holds = False",
                f"        add(HOLDS if holds is True else evaluate(I{k}, v, False))",
            ]
            if raw:  # a blank: not assessable (its blanks named when the statuses are read); both counted
                summed[-1:] = [
                    "        if holds is True:",
                    "            add(HOLDS)",
                    "        else:",
                    f"            add(evaluate(I{k}, v, False))",
                    "            odd += 1",
                ]
                lines += [any_blank, "        add(UNASSESSED)", "        blank += 1", *summed]
            else:  # its blanks first, in member order (what evaluate finds): one is enough to leave it unassessed
                blank = ", ".join(f"v[{m}] is None" for m in members)
                lines += [  # (the status made inline: _unassessed's body)
                    any_blank,
                    "        s = new(IS)",
                    "        set_ok(s, False)",
                    "        set_assessable(s, False)",
                    "        set_left(s, None)",
                    "        set_right(s, None)",
                    f"        set_blanks(s, tuple(compress(M{k}, ({blank},))))",
                    "        add(s)",
                    *summed,
                ]
    if raw:
        lines = [
            line.replace("return ALL", "return ALL, 0, 0").replace("blank = False", "blank = odd = 0") for line in lines
        ]
        lines.append("    return tuple(out), blank, odd")
        lines = _raw_at_once(every, sides, lines)
    else:
        lines.append("    return tuple(out)")
    what = f"identity sums {shape.edition.value}{' blanks as zero' if blanks_as_zero else ''}{' raw' if raw else ''}"
    return compile_function("\n".join(lines) + "\n", "statuses", env, what)


def _raw_at_once(every: Sequence[Identity], sides: list[tuple[str, str]], lines: list[str]) -> list[str]:
    """The raw function's lines (``lines``: every identity at once, then one by one into a list) with the
    one by one made one tuple display, each identity's status an expression (its blank tests, then its sums;
    the counts kept by assignment expressions): no list, no call per identity. An exception there (a value
    that cannot be added or compared) goes on to the lines one by one, which give what they gave."""
    if not every:
        return lines
    statuses = []
    for k, (ident, (left, right)) in enumerate(zip(every, sides, strict=True)):
        blank = " or ".join(f"v[{m}] is None" for m in ident.members)
        statuses.append(
            f"        ((blank := blank + 1) and UNASSESSED) if {blank} else HOLDS if ({left} == {right}) is True"
            f" else ((odd := odd + 1) and evaluate(I{k}, v, False)),"
        )
    end = lines.index("        pass") + 1  # (the sums of every identity at once: the first try)
    return [
        *lines[:end],
        "    blank = odd = 0",
        "    try:",
        "        out = (",
        *statuses,
        "        )",
        "    except Exception:",
        *(f"    {line}" for line in lines[end:]),
        "    return out, blank, odd",
    ]


def statuses(shape: Shape, values: Sequence[Any], blanks_as_zero: bool) -> tuple[IdentityStatus, ...]:
    """``tuple(evaluate(i, values, blanks_as_zero) for i in identities(shape))``, faster."""
    if not FAST_PATHS:
        return tuple(evaluate(ident, values, blanks_as_zero) for ident in identities(shape))
    last = _LAST[0]  # the function last used, found by identity (shapes are interned): no hash of the shape
    if last[0] is not shape or last[1] is not blanks_as_zero:
        last = _LAST[0] = (shape, blanks_as_zero, _statuses_fn(shape, blanks_as_zero))  # replaced whole (threads)
    return last[2](values)  # type: ignore[no-any-return]


#: (shape, blanks_as_zero, its generated function): the last one :func:`statuses` used (it holds its shape,
#: so the shape's identity is never reused while it is here).
_LAST: list[tuple[object, object, Any]] = [(None, None, None)]


def raw_statuses(shape: Shape, values: Sequence[Any]) -> tuple[tuple[IdentityStatus, ...], int, int]:
    """:func:`statuses` without ``blanks_as_zero``, but an identity with a blank member is :data:`UNASSESSED`
    (its blanks not found: that is most of the cost of a blank-heavy report's statuses); how many are, and
    how many others are not :data:`HOLDS` (``evaluate``'s status: broken, as a rule). :func:`full_statuses`
    makes the statuses of it. Without the fast paths, the statuses themselves (the counts then say nothing:
    0 and -1)."""
    if not FAST_PATHS:
        return statuses(shape, values, False), 0, -1
    last = _LAST_RAW[0]
    if last[0] is not shape:
        last = _LAST_RAW[0] = (shape, _statuses_fn(shape, False, True))  # replaced whole (threads)
    return last[1](values)  # type: ignore[no-any-return]


def full_statuses(shape: Shape, values: Sequence[Any], raw: tuple[IdentityStatus, ...]) -> tuple[IdentityStatus, ...]:
    """The statuses :func:`statuses` gives, from what :func:`raw_statuses` gave: each :data:`UNASSESSED`
    replaced by :func:`evaluate`'s status (the same identity: not assessable, its blanks named)."""
    return tuple(
        evaluate(ident, values, False) if status is UNASSESSED else status
        for ident, status in zip(identities(shape), raw, strict=True)
    )


#: (shape, its raw generated function): the last one :func:`raw_statuses` used.
_LAST_RAW: list[tuple[object, Any]] = [(None, None)]
