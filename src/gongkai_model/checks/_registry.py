"""The check registry: one plain function per check, found by its code."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from ..errors import GongkaiError, Problem
from ..model.layout import Shape, layout, shape_of, values
from ..model.report import AnnualReport
from ._findings import Finding, Severity
from ._identities import IdentityStatus, evaluate, identities
from ._identities import statuses as identity_statuses

if TYPE_CHECKING:
    from ._text import TextAnalysis

__all__ = ["Check", "CheckContext", "CheckOutcome", "SeriesContext", "register", "registered", "unregister"]


@attrs.frozen
class CheckContext:
    """What a report check sees: the report, its shape and its cell values in layout order.

    ``blanks_as_zero`` is the lenient mode: a blank cell is read as 0 (and the
    findings name the blanks so read).  ``derived`` holds the layout indices
    of the cells the caller declared derived (template formulas); ``headings``
    is what the reader recorded of the section headings (see
    :func:`~gongkai_model.validate`), ``None`` when nothing was recorded;
    ``invalid`` the layout indices of cells holding a value the model does not
    allow (a forged object): their value in ``values`` is ``None`` and no
    identity they are in is assessed.  ``text`` is the report's free text
    analysed once (sentences split and normalised, numbers found), computed
    on first use and shared by the checks that read it.
    """

    report: AnnualReport
    shape: Shape
    values: tuple[Any, ...]
    blanks_as_zero: bool = False
    #: How each identity of ``identities(shape)`` stands, in the same order.
    statuses: tuple[IdentityStatus, ...] = ()
    derived: frozenset[int] = frozenset()
    headings: Mapping[str, str | None] | None = None
    invalid: frozenset[int] = frozenset()
    _text: TextAnalysis | None = attrs.field(default=None, init=False, eq=False, repr=False)

    @property
    def text(self) -> TextAnalysis:
        """The report's free text analysed once, shared by every check that reads it (computed on first use)."""
        got = self._text
        if got is None:
            from ._text import TextAnalysis

            got = TextAnalysis.of(self.report)
            object.__setattr__(self, "_text", got)
        return got

    @classmethod
    def of(
        cls,
        report: AnnualReport,
        *,
        blanks_as_zero: bool = False,
        derived: Iterable[str] = (),
        headings: Mapping[str, str | None] | None = None,
        invalid: Iterable[str] = (),
    ) -> CheckContext:
        """The context of ``report``; ``derived`` and ``invalid`` are model paths (unknown paths are ignored)."""
        shape = shape_of(report)
        index = cell_index(shape)
        bad = frozenset(index[p] for p in invalid if p in index)
        cell_values = values(report)
        if not bad:
            statuses = identity_statuses(shape, cell_values, blanks_as_zero)
        else:
            cell_values = tuple(None if i in bad else v for i, v in enumerate(cell_values))
            out = []
            for ident in identities(shape):
                if bad.intersection(ident.members):
                    blanks = tuple(m for m in ident.members if m in bad or cell_values[m] is None)
                    out.append(IdentityStatus(False, False, None, None, blanks))
                else:
                    out.append(evaluate(ident, cell_values, blanks_as_zero))
            statuses = tuple(out)
        chosen = frozenset(index[p] for p in derived if p in index)
        return cls(report, shape, cell_values, blanks_as_zero, statuses, chosen, headings, bad)


@functools.cache
def cell_index(shape: Shape) -> dict[str, int]:
    """The position in :func:`~gongkai_model.model.layout` of each cell path of ``shape``."""
    return {c.path: i for i, c in enumerate(layout(shape))}


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
