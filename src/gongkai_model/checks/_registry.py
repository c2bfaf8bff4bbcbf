"""The check registry: one plain function per check, found by its code."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import attrs

from ..errors import GongkaiError, Problem
from ..model.layout import Shape, shape_of, values
from ..model.report import AnnualReport
from ._findings import Finding, Severity
from ._identities import IdentityStatus, evaluate, identities

__all__ = ["Check", "CheckContext", "CheckOutcome", "SeriesContext", "register", "registered", "unregister"]


@attrs.frozen
class CheckContext:
    """What a report check sees: the report, its shape and its cell values in layout order.

    ``blanks_as_zero`` is the lenient mode: a blank cell is read as 0 (and the
    findings name the blanks so read).
    """

    report: AnnualReport
    shape: Shape
    values: tuple[Any, ...]
    blanks_as_zero: bool = False
    #: How each identity of ``identities(shape)`` stands, in the same order.
    statuses: tuple[IdentityStatus, ...] = ()

    @classmethod
    def of(cls, report: AnnualReport, *, blanks_as_zero: bool = False) -> CheckContext:
        shape = shape_of(report)
        cell_values = values(report)
        statuses = tuple(evaluate(i, cell_values, blanks_as_zero) for i in identities(shape))
        return cls(report, shape, cell_values, blanks_as_zero, statuses)


@attrs.frozen
class SeriesContext:
    """What a series check sees: one agency's reports, sorted by year."""

    reports: tuple[AnnualReport, ...]


@attrs.frozen
class CheckOutcome:
    """What a check returns when it assessed more than one thing."""

    assessed: int
    findings: tuple[Finding, ...]


CheckFunction = Callable[[Any], "Iterable[Finding] | CheckOutcome"]


@attrs.frozen
class Check:
    """A registered check: its stable code, titles, severity and function."""

    code: str
    function: CheckFunction
    severity: Severity
    title_en: str
    title_zh: str
    scope: str = "report"  #: ``"report"`` (takes a CheckContext) or ``"series"`` (a SeriesContext)

    def run(self, ctx: Any) -> CheckOutcome:
        """Run the check; a check that fails is itself reported, never raised."""
        try:
            got = self.function(ctx)
            if isinstance(got, CheckOutcome):
                return got
            return CheckOutcome(1, tuple(got))
        except Exception as exc:  # a user's check must not break validation
            return CheckOutcome(
                0,
                (
                    Finding(
                        "CHECK_FAILED",
                        Severity.ERROR,
                        f"检查 {self.code} 运行失败：{exc!r}",
                        f"check {self.code} failed to run: {exc!r}",
                    ),
                ),
            )


_REGISTRY: dict[str, Check] = {}


def register(
    code: str,
    *,
    severity: Severity,
    title_en: str,
    title_zh: str,
    scope: str = "report",
    replace: bool = False,
) -> Callable[[CheckFunction], CheckFunction]:
    """Register a check function under a stable ``code``.

    The function takes a :class:`CheckContext` (or a :class:`SeriesContext`
    when ``scope="series"``) and returns findings, or a :class:`CheckOutcome`
    when it assessed several things.  It must not change anything.

    >>> from gongkai_model.checks import register, unregister, Finding, Severity
    >>> @register("MY_NO_APPLICATIONS", severity=Severity.INFO, title_en="No applications", title_zh="无申请")
    ... def no_applications(ctx):
    ...     if ctx.report.table3.new_received.total == 0:
    ...         yield Finding("MY_NO_APPLICATIONS", Severity.INFO, "本年未收到申请", "no applications this year")
    >>> unregister("MY_NO_APPLICATIONS")
    """
    if scope not in ("report", "series"):
        raise GongkaiError("invalid check", [Problem(code, f"scope must be 'report' or 'series', got {scope!r}")])

    def decorate(function: CheckFunction) -> CheckFunction:
        if code in _REGISTRY and not replace:
            raise GongkaiError("invalid check", [Problem(code, "a check with this code is registered already")])
        _REGISTRY[code] = Check(code, function, severity, title_en, title_zh, scope)
        return function

    return decorate


def unregister(code: str) -> None:
    """Remove a registered check."""
    if _REGISTRY.pop(code, None) is None:
        raise GongkaiError("unknown check", [Problem(code, "no check with this code is registered")])


def registered(scope: str | None = None, codes: Sequence[str] | None = None) -> tuple[Check, ...]:
    """The registered checks (of one scope, or with the given codes), in registration order."""
    if codes is not None:
        unknown = [c for c in codes if c not in _REGISTRY]
        if unknown:
            raise GongkaiError("unknown check", [Problem(c, "no check with this code is registered") for c in unknown])
        chosen = [_REGISTRY[c] for c in codes]
    else:
        chosen = list(_REGISTRY.values())
    return tuple(c for c in chosen if scope is None or c.scope == scope)
