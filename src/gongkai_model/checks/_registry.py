"""The check registry: one plain function per check, found by its code.

Three layers, looked up in this order: the built-ins (one explicit list,
``checks.builtin_checks()``), what :func:`register` added for the whole process,
and what :func:`using` adds for one block in one thread or task (a context variable).
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import functools
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

import attrs

from .._codegen import FAST_PATHS
from ..codes import CATALOGUE
from ..errors import GongkaiError, Problem
from ..model.layout import Shape, layout, shape_of, values
from ..model.report import AnnualReport
from ._findings import Finding, Severity
from ._identities import IdentityStatus, evaluate, full_statuses, identities, raw_statuses
from ._identities import statuses as identity_statuses

if TYPE_CHECKING:
    from ._analysis import TextAnalysis

__all__ = [
    "Check",
    "CheckContext",
    "CheckOutcome",
    "SeriesContext",
    "define_check",
    "install_builtins",
    "register",
    "registered",
    "unregister",
    "using",
]


#: What a check runs on: one report (a :class:`CheckContext`) or a series (a :class:`SeriesContext`).
Scope = Literal["report", "series"]


class _Raw:
    """The slot of :class:`CheckContext` that is no field: the identity statuses as the fast path gave them
    (:func:`~._identities.raw_statuses`: an identity with a blank is ``UNASSESSED``, its blanks not named),
    when ``statuses`` is left to be made on its first read; unset otherwise. And ``_counts``: how many of those
    raw statuses are ``UNASSESSED`` and how many others are not ``HOLDS`` (for the tally), when known."""

    __slots__ = ("_counts", "_raw")


@attrs.frozen
class CheckContext(_Raw):
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
            got = (_ANALYSIS[0] if _ANALYSIS else _analysis_class()).of(self.report)
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
        return context(report, values(report), blanks_as_zero, derived, headings, invalid)


#: :class:`~._analysis.TextAnalysis`, once imported (an import in the function costs about 1 µs a validation).
_ANALYSIS: list[type[TextAnalysis]] = []


def _analysis_class() -> type[TextAnalysis]:
    from ._analysis import TextAnalysis  # (here: _analysis imports this module)

    _ANALYSIS[:] = [TextAnalysis]
    return TextAnalysis


_EMPTY: frozenset[int] = frozenset()


def context(
    report: AnnualReport,
    cell_values: tuple[Any, ...],
    blanks_as_zero: bool = False,
    derived: Iterable[str] = (),
    headings: Mapping[str, str | None] | None = None,
    invalid: Iterable[str] = (),
    shape: Shape | None = None,
) -> CheckContext:
    """:meth:`CheckContext.of` of a report whose ``values(report)`` are known already (and its ``shape_of``,
    when given)."""
    if shape is None:
        shape = shape_of(report)
    if invalid or derived:
        index = cell_index(shape)
        bad = frozenset(index[p] for p in invalid if p in index) if invalid else _EMPTY
        chosen = frozenset(index[p] for p in derived if p in index) if derived else _EMPTY
    else:
        bad = chosen = _EMPTY
    if not bad and not blanks_as_zero:
        statuses, blank, odd = raw_statuses(shape, cell_values)
        if blank:  # the statuses made when first read (most checks need only the raw ones: ``raw_of``)
            return _made(report, shape, cell_values, None, chosen, headings, bad, statuses, (blank, odd))
        if odd >= 0:  # (the fast paths counted them)
            return _made(report, shape, cell_values, statuses, chosen, headings, bad, statuses, (0, odd))
    elif not bad:
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
    ctx = CheckContext(report, shape, cell_values, blanks_as_zero, statuses, chosen, headings, bad)
    _set_raw(ctx, statuses)  # (set, so that raw_of finds it without an exception)
    return ctx


def _made(
    report: AnnualReport,
    shape: Shape,
    cell_values: tuple[Any, ...],
    statuses: tuple[IdentityStatus, ...] | None,
    derived: frozenset[int],
    headings: Mapping[str, str | None] | None,
    invalid: frozenset[int],
    raw: tuple[IdentityStatus, ...],
    counts: tuple[int, int],
) -> CheckContext:
    """``CheckContext(report, shape, cell_values, False, statuses, derived, headings, invalid)`` with its
    raw statuses and their counts, made without ``__init__`` (attrs' sets each field by name: its slots are set
    here; the class has no converter or validator); ``statuses`` ``None``: left unset, made when first read."""
    ctx: CheckContext = _new_context(CheckContext)
    _set_report(ctx, report)
    _set_shape(ctx, shape)
    _set_values(ctx, cell_values)
    _set_blanks_as_zero(ctx, False)
    if statuses is not None:
        _set_statuses(ctx, statuses)
    _set_derived(ctx, derived)
    _set_headings(ctx, headings)
    _set_invalid(ctx, invalid)
    _set_text(ctx, None)
    _set_raw(ctx, raw)
    _set_counts(ctx, counts)
    return ctx


_new_context = object.__new__
_set_report, _set_shape, _set_values, _set_blanks_as_zero, _set_derived, _set_headings, _set_invalid, _set_text = (
    vars(CheckContext)[name].__set__
    for name in ("report", "shape", "values", "blanks_as_zero", "derived", "headings", "invalid", "_text")
)
_STATUSES: Any = vars(CheckContext)["statuses"]
_del_statuses = _STATUSES.__delete__
_set_statuses = _STATUSES.__set__
_get_statuses = _STATUSES.__get__
_RAW: Any = vars(_Raw)["_raw"]
_set_raw = _RAW.__set__
_get_raw = _RAW.__get__
_COUNTS: Any = vars(_Raw)["_counts"]
_set_counts = _COUNTS.__set__
_get_counts = _COUNTS.__get__
_MAKING = threading.Lock()


def raw_of(ctx: CheckContext) -> tuple[IdentityStatus, ...]:
    """The identity statuses of ``ctx`` as the fast path gave them (an identity with a blank may be
    ``UNASSESSED``: not ok, not assessable, its blanks not named), without making the full statuses."""
    try:
        raw: tuple[IdentityStatus, ...] = _get_raw(ctx, CheckContext)
    except AttributeError:  # a context made otherwise (``CheckContext(...)``, ``attrs.evolve``)
        return ctx.statuses
    return raw


def counts_of(ctx: CheckContext) -> tuple[int, int] | None:
    """How many of the raw statuses of ``ctx`` (:func:`raw_of`) are ``UNASSESSED``, and how many others are not
    ``HOLDS``, when the fast path that made them counted them (a context made by :func:`context`); else ``None``."""
    try:
        counts: tuple[int, int] = _get_counts(ctx, CheckContext)
    except AttributeError:  # a context made otherwise (``CheckContext(...)``, ``attrs.evolve``, blanks as zero)
        return None
    return counts


def _context_attribute(self: CheckContext, name: str) -> Any:
    """``CheckContext.__getattr__``: called only when an attribute is not found, so for ``statuses`` not made
    yet. They are made once (threads reading at once wait for the first); attrs' ``__eq__``, ``__hash__``,
    ``__repr__``, pickling and ``attrs.evolve`` read the field, so they see the statuses made."""
    if name == "statuses":
        try:
            raw = _get_raw(self, CheckContext)
        except AttributeError:
            raw = None
        if raw is not None:  # a context whose statuses are left to be made (``context``)
            with _MAKING:
                try:
                    return _get_statuses(self, CheckContext)  # made by another thread just now
                except AttributeError:
                    made = full_statuses(self.shape, self.values, raw)
                    _set_statuses(self, made)
                    return made
    raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}", name=name, obj=self)


setattr(CheckContext, "__getattr__", _context_attribute)  # noqa: B010


def current_year() -> int:
    """``datetime.date.today().year``, without making the date (about 0.4 µs a validation): the bounds of the
    local year (as ``time.time()`` counts) kept from the last answer, with the time zone they were found in
    (``time.tzname``, which ``time.tzset`` replaces); a time outside them, or another zone, reads the date."""
    now = time.time()
    start, end, zone, year = _YEAR[0]
    if start <= now < end and zone is time.tzname and FAST_PATHS:
        return year
    zone = time.tzname
    year = dt.date.today().year
    try:
        start = time.mktime((year, 1, 1, 0, 0, 0, 0, 1, -1))
        end = time.mktime((year + 1, 1, 1, 0, 0, 0, 0, 1, -1))
    except (OverflowError, ValueError):  # (a year the platform cannot count to: nothing kept)
        start, end = 0.0, -1.0
    if start <= now < end:  # (kept only when the time read falls inside: a clock or zone changing meanwhile)
        _YEAR[0] = (start, end, zone, year)  # replaced whole (threads)
    return year


#: (start, end, time zone, year): the local year :func:`current_year` last found, and its bounds.
_YEAR: list[tuple[float, float, object, int]] = [(0.0, -1.0, None, 0)]


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


#: The outcome of a check that assessed nothing (shared: outcomes are frozen).
NOTHING = CheckOutcome(0, ())


CheckFunction = Callable[[Any], "Iterable[Finding] | CheckOutcome"]


@attrs.frozen
class Check:
    """A check: its stable code, titles, severity and function (made by :func:`define_check` or :func:`register`)."""

    code: str
    function: CheckFunction
    severity: Severity
    title_en: str
    title_zh: str
    scope: Scope = "report"  #: ``"report"`` (takes a CheckContext) or ``"series"`` (a SeriesContext)

    def run(self, ctx: CheckContext | SeriesContext) -> CheckOutcome:
        """Run the check; a check that fails is itself reported, never raised."""
        got = outcome(self, ctx)
        return got if isinstance(got, CheckOutcome) else CheckOutcome(*got)


def outcome(check: Check, ctx: CheckContext | SeriesContext) -> CheckOutcome | tuple[int, tuple[Finding, ...]]:
    """What :meth:`Check.run` gives: the check's own :class:`CheckOutcome`, or (assessed, findings) to make one of."""
    try:
        got = check.function(ctx)
        if isinstance(got, CheckOutcome):
            return got
        return 1, tuple(got)
    except Exception as exc:  # a user's check must not break validation
        return failure(check, exc)


def failure(check: Check, exc: Exception) -> tuple[int, tuple[Finding, ...]]:
    """What a check that raised ``exc`` gives: nothing assessed, one ``CHECK_FAILED`` error."""
    return 0, (
        Finding(
            "CHECK_FAILED",
            Severity.ERROR,
            f"检查 {check.code} 运行失败：{exc!r}",
            f"check {check.code} failed to run: {exc!r}",
        ),
    )


#: The process-wide registry: the built-ins (installed once by ``checks/__init__.py`` from its one
#: list, :func:`~gongkai_model.checks.builtin_checks`) and what :func:`register` added. Replaced, never
#: mutated, under the lock, so a reader in another thread always sees a whole registry.
_REGISTRY: dict[str, Check] = {}
_LOCK = threading.Lock()
#: The checks :func:`using` adds for the block it guards, in this thread or task only.
_SCOPED: contextvars.ContextVar[tuple[Check, ...]] = contextvars.ContextVar("gongkai_model_scoped_checks", default=())


def _invalid_scope(code: str, scope: str) -> GongkaiError:
    return GongkaiError("invalid check", [Problem(code, f"scope must be 'report' or 'series', got {scope!r}")])


def _title_zh(code: str, title_zh: str | None) -> str:
    """``title_zh``, or, when it is not given, the Chinese of ``code`` in :data:`gongkai_model.codes.CATALOGUE`
    (where every built-in check's title is written, once)."""
    if title_zh is not None:
        return title_zh
    entry = CATALOGUE.get(code)
    if entry is None:
        raise GongkaiError(
            "invalid check", [Problem(code, "title_zh is required for a code that is not in gongkai_model.codes")]
        )
    return entry.zh


def define_check(
    code: str,
    *,
    severity: Severity,
    title_en: str,
    title_zh: str | None = None,
    scope: Scope = "report",
) -> Callable[[CheckFunction], Check]:
    """Make a :class:`Check` of a function (a decorator); nothing is registered.

    Pass the check per call (``validate(report, checks=[check])``) or for a block
    (``with using(check): ...``); the built-ins are made this way and listed in
    :func:`~gongkai_model.checks.builtin_checks`. ``title_zh`` may be left out for a code of the
    catalogue (:data:`gongkai_model.codes.CATALOGUE`): its Chinese is the title.

    >>> from gongkai_model.checks import Finding, Severity, define_check
    >>> @define_check("MY_NO_APPLICATIONS", severity=Severity.INFO, title_en="No applications", title_zh="无申请")
    ... def no_applications(ctx):
    ...     if ctx.report.table3.new_received.total == 0:
    ...         yield Finding("MY_NO_APPLICATIONS", Severity.INFO, "本年未收到申请", "no applications this year")
    >>> no_applications.code, no_applications.scope
    ('MY_NO_APPLICATIONS', 'report')
    """
    if scope not in ("report", "series"):
        raise _invalid_scope(code, scope)
    title = _title_zh(code, title_zh)

    def decorate(function: CheckFunction) -> Check:
        return Check(code, function, severity, title_en, title, scope)

    return decorate


def install_builtins(checks: Iterable[Check]) -> None:
    """Start the process-wide registry with ``checks`` (the built-ins, called once by ``checks/__init__.py``)."""
    with _LOCK:
        global _REGISTRY
        _REGISTRY = {c.code: c for c in checks}


def register(
    code: str,
    *,
    severity: Severity,
    title_en: str,
    title_zh: str | None = None,
    scope: Scope = "report",
    replace: bool = False,
) -> Callable[[CheckFunction], CheckFunction]:
    """Register a check function under a stable ``code``, for the whole process.

    The function takes a :class:`CheckContext` (or a :class:`SeriesContext`
    when ``scope="series"``) and returns findings, or a :class:`CheckOutcome`
    when it assessed several things.  It must not change anything.  To add a
    check for one call or one block only, see :func:`define_check` and :func:`using`.

    >>> from gongkai_model.checks import register, unregister, Finding, Severity
    >>> @register("MY_NO_APPLICATIONS", severity=Severity.INFO, title_en="No applications", title_zh="无申请")
    ... def no_applications(ctx):
    ...     if ctx.report.table3.new_received.total == 0:
    ...         yield Finding("MY_NO_APPLICATIONS", Severity.INFO, "本年未收到申请", "no applications this year")
    >>> unregister("MY_NO_APPLICATIONS")
    """
    if scope not in ("report", "series"):
        raise _invalid_scope(code, scope)
    title = _title_zh(code, title_zh)

    def decorate(function: CheckFunction) -> CheckFunction:
        global _REGISTRY
        with _LOCK:
            if code in _REGISTRY and not replace:
                raise GongkaiError("invalid check", [Problem(code, "a check with this code is registered already")])
            _REGISTRY = {**_REGISTRY, code: Check(code, function, severity, title_en, title, scope)}
        return function

    return decorate


def unregister(code: str) -> None:
    """Remove a registered check (from the whole process)."""
    global _REGISTRY
    with _LOCK:
        if code not in _REGISTRY:
            raise GongkaiError("unknown check", [Problem(code, "no check with this code is registered")])
        _REGISTRY = {c: check for c, check in _REGISTRY.items() if c != code}


@contextlib.contextmanager
def using(*checks: Check, replace: bool = False) -> Iterator[tuple[Check, ...]]:
    """Add ``checks`` to the registry for the ``with`` block only, in this thread (or task) only.

    Inside the block :func:`~gongkai_model.checks.validate` runs them beside
    the registered ones and :func:`registered` lists them; after it, and in
    every other thread, they are gone.  A code already registered is refused
    unless ``replace=True`` (then the block's check stands in for it).  Blocks nest.

    >>> import gongkai_model as gk
    >>> from gongkai_model.checks import Finding, Severity, define_check, using
    >>> @define_check("MY_AGENCY", severity=Severity.INFO, title_en="Agency", title_zh="机关")
    ... def agency(ctx):
    ...     yield Finding("MY_AGENCY", Severity.INFO, ctx.report.agency, ctx.report.agency)
    >>> with using(agency):
    ...     [f.code for f in gk.validate(gk.examples.seed_report()).issues]
    ['MY_AGENCY']
    >>> [f.code for f in gk.validate(gk.examples.seed_report()).issues]
    []
    """
    wrong = [c for c in checks if not isinstance(c, Check)]
    if wrong:
        raise GongkaiError(
            "invalid check", [Problem(type(c).__name__, "not a Check (see define_check)") for c in wrong]
        )
    if not replace:
        seen = set(_current())
        clash = []
        for check in checks:
            if check.code in seen:
                clash.append(check.code)
            seen.add(check.code)
        if clash:
            raise GongkaiError(
                "invalid check", [Problem(c, "a check with this code is registered already") for c in clash]
            )
    token = _SCOPED.set((*_SCOPED.get(), *checks))
    try:
        yield checks
    finally:
        _SCOPED.reset(token)


def _current() -> dict[str, Check]:
    """The registry as this thread sees it: the process-wide checks, then the scoped ones."""
    scoped = _SCOPED.get()
    if not scoped:
        return _REGISTRY
    out = dict(_REGISTRY)
    for check in scoped:
        out[check.code] = check
    return out


def registered(scope: Scope | None = None, codes: Sequence[str | Check] | None = None) -> tuple[Check, ...]:
    """The registered checks (of one scope, or the given ones), in registration order.

    ``codes`` names checks by code (looked up in the registry, scoped ones
    included) or gives :class:`Check` objects, which are taken as they are.
    """
    current = _current()
    if codes is None and current is _REGISTRY:
        known = _BY_SCOPE.get(scope)
        if known is not None and known[0] is current:  # the registry is replaced on every change
            return known[1]
    if codes is not None:
        if isinstance(codes, str):
            codes = (codes,)
        unknown = [c for c in codes if not isinstance(c, Check) and c not in current]
        if unknown:
            raise GongkaiError(
                "unknown check", [Problem(str(c), "no check with this code is registered") for c in unknown]
            )
        chosen = [c if isinstance(c, Check) else current[c] for c in codes]
    else:
        chosen = list(current.values())
    got = tuple(c for c in chosen if scope is None or c.scope == scope)
    if codes is None and current is _REGISTRY:
        _BY_SCOPE[scope] = (current, got)
    return got


#: What :func:`registered` gave for each scope, with the process-wide registry it was taken from.
_BY_SCOPE: dict[Scope | None, tuple[dict[str, Check], tuple[Check, ...]]] = {}
