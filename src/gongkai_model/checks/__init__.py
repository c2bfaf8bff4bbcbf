"""Checks: every identity the tables imply, located findings, repair suggestions, cross-year checks.

Checks are pure functions, each made a :class:`Check` with its stable code;
:func:`validate` runs them and never raises.  Which checks run: the built-ins
(:func:`builtin_checks`, one explicit list), those :func:`register` added for
the process, and those :func:`using` adds for one block; or exactly the ones
passed to the call (``validate(report, checks=[...])``, codes or checks).
Every code is documented in ``docs/checks.md``.

>>> import gongkai_model as gk
>>> report = gk.examples.seed_report()
>>> result = gk.validate(report)
>>> result.ok, len(result.issues), result.assessed
(True, 0, 55)
>>> bad = gk.model.replace_path(report, "table4.reconsideration.upheld", 3)
>>> result = gk.validate(bad)
>>> print(result.issues[0])
[T4_TOTAL] 表四 行政复议 × 总计: 总计 of 行政复议 is 0 but its parts add up to 3 (difference -3)
>>> print(result.suggestions[0])
表四 行政复议 × 总计: 0 → 3 (restores 1 identity)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeAlias, cast

import attrs

from .._codegen import FAST_PATHS, maker
from ..errors import Tally
from ..model.layout import layout
from ..model.report import AnnualReport
from . import _builtin, _evidence, _series, _structure, _text
from ._analysis import _text_getter as _text_parts  # (the text parts of a report, in one attrgetter)
from ._builtin import IdentityFindings, IdentityFindingsOfChecks
from ._findings import (
    CellRef,
    Change,
    CheckRun,
    Evidence,
    Finding,
    PendingFindings,
    Severity,
    Suggestion,
    ValidationResult,
    apply_suggestion,
    expand,
    lazy_result,
    numbered,
)
from ._identities import ALL_HOLD, HOLDS, Identity, identities
from ._registry import (
    Check,
    CheckContext,
    CheckOutcome,
    Scope,
    SeriesContext,
    context,
    counts_of,
    define_check,
    failure,
    install_builtins,
    raw_of,
    register,
    registered,
    unregister,
    using,
)
from ._repair import MOVES, following, suggest
from ._sanity import MAX_FIGURE, clean_read, scan

__all__ = [
    "MAX_FIGURE",
    "MOVES",
    "CellRef",
    "Change",
    "Check",
    "CheckContext",
    "CheckOutcome",
    "CheckRun",
    "CheckSelection",
    "Evidence",
    "Finding",
    "Identity",
    "SeriesContext",
    "Severity",
    "Suggestion",
    "ValidationResult",
    "apply_suggestion",
    "builtin_checks",
    "define_check",
    "identities",
    "register",
    "registered",
    "unregister",
    "using",
    "validate",
    "validate_series",
]


def builtin_checks() -> tuple[Check, ...]:
    """The library's own checks, in the order they run (report checks, then series checks).

    This list is the one place a built-in check is registered: a check written in
    ``_builtin.py``, ``_structure.py``, ``_text.py`` or ``_series.py`` runs once it is named here.
    """
    return (
        *_builtin.IDENTITY_CHECKS,
        _builtin.check_items_below_zero,
        _builtin.check_edition_year,
        _builtin.check_single_other_row,
        _series.check_duplicate_year,
        _series.check_agency,
        _series.check_gap,
        _series.check_carry_over,
        _series.check_in_force,
        _structure.check_section_empty,
        _structure.check_section_missing,
        _structure.check_heading,
        _structure.check_none_with_activity,
        _structure.check_year,
        *_text.TEXT_CHECKS,
    )


install_builtins(builtin_checks())

#: The built-in checks that assess nothing in a report without text whose reader recorded no headings (they
#: give ``NOTHING``: their function is not called then, by the fast path; ``tests/test_fast_paths.py`` runs
#: each on such reports and compares).
_QUIET_WITHOUT_TEXT: frozenset[Check] = frozenset(
    (
        _structure.check_section_empty,
        _structure.check_section_missing,
        _structure.check_heading,
        _structure.check_none_with_activity,
        *_text.TEXT_CHECKS,
    )
)

#: What ``checks=`` of :func:`validate` and :func:`validate_series` takes: codes, or :class:`Check` objects.
CheckSelection: TypeAlias = Sequence[str | Check]


def _run(
    chosen: Sequence[Check], ctx: CheckContext | SeriesContext
) -> tuple[list[Finding | PendingFindings], list[CheckRun]]:
    """The findings (some maybe left as data: :class:`~._findings.PendingFindings`) and the runs of the checks."""
    issues: list[Finding | PendingFindings] = []
    runs: list[CheckRun] = []
    add, extend, add_runs = runs.append, issues.extend, runs.extend
    held: bool | None = None  # whether every identity held (the built-in identity checks': read once)
    group: IdentityFindingsOfChecks | None = None  # the last identity checks' findings, as data, if last in issues
    quick = FAST_PATHS  # (read here, per validation: the tests switch it off in the module)
    report = type(ctx) is CheckContext  # (a report's checks: the fast paths below read it, as ``one``)
    one = cast(CheckContext, ctx)
    plans = _plan(chosen)
    plan = plans[0]
    if report and quick:
        textless = False  # whether the report has no text and its reader recorded no headings
        if plans[2] is not None:  # (some checks may have nothing to read)
            try:
                textless = one.headings is None and _textless(one)
            except Exception:  # (a forged report: each check says what it finds, as before)
                textless = False
        if getattr(_builtin, "FAST_PATHS"):  # noqa: B009  # the identity checks' switch, as their ``lazy`` reads it
            plan = plans[3] if textless else plans[1]
        elif textless:
            plan = plans[2]  # type: ignore[assignment]  # (not None: tested above)
    for check, function, code, once, shared, known_of, quiet in plan:
        try:  # what check.run(ctx) gives (``outcome``), inline, without making a CheckOutcome of it
            if quiet is not None:  # (the textless plans') checks in a row with nothing to read: their runs
                add_runs(quiet)  # (what their NOTHING gives: each assessed nothing)
                continue
            if known_of is not None:  # (the fast plans') built-in identity checks in a row: their ``lazy``, inline
                shape = one.shape
                known = known_of[0]  # (shape, known_of of each, their runs, what those with identities know)
                if known[0] is not shape:
                    knowns = tuple(k(shape) for k in known[1])
                    known = known_of[0] = (shape, known[1], tuple(k[5] for k in knowns), [k for k in knowns if k[1]])
                add_runs(known[2])  # (their runs: each assessed every identity of its code)
                if held is None:
                    raw = raw_of(one)
                    held = raw is ALL_HOLD.get(len(raw))
                if not held and known[3]:
                    if group is not None and issues and issues[-1] is group:  # (the ones before were ones too)
                        group.knowns.extend(known[3])
                    else:
                        group = IdentityFindingsOfChecks(known[3][0], raw, one.values, one.invalid)
                        group.knowns.extend(known[3][1:])
                        issues.append(group)
                continue
            got = function(ctx)
            if type(got) is IdentityFindings:  # a built-in identity check's findings, as data
                add(got.run)
                issues.append(got)
                continue
            if type(got) is tuple:  # the built-ins' findings (mostly none): assessed 1, its run made already
                add(once)
                if got:
                    extend(got)
                continue
            last = shared[0]
            if got is last[0]:  # the outcome this check gave last time (a shared one: nothing found), its run
                add(last[1])
                continue
            if isinstance(got, CheckOutcome):
                assessed, found = got.assessed, got.findings
                if not found and type(got) is CheckOutcome:  # (frozen: its run is the same next time)
                    shared[0] = (got, _check_run(code, assessed))
            else:
                assessed, found = 1, tuple(got)
        except Exception as exc:  # a user's check must not break validation
            assessed, found = failure(check, exc)
        add(_check_run(code, assessed))
        extend(found)
    return issues, runs


def _textless(ctx: CheckContext) -> bool:
    """Whether ``ctx.text`` holds no text: told by the text parts all ``None`` (the report built from its tables:
    the analysis then holds none) without making the analysis, else by the analysis."""
    parts = _text_parts()(ctx.report)
    if type(parts) is tuple and parts.count(None) == len(parts):
        return True
    return not ctx.text.texts


#: For each check chosen: the check, its function, its code, its run when it assessed 1 thing,
#: (in a list, replaced whole) the last outcome it gave that found nothing, with its run, ``None`` and ``None``.
#: In the fast plans (:func:`_plan`), the built-in identity checks in a row are one item: its sixth field a list
#: holding (the last shape, the ``known_of`` of each check, their runs and what those with identities know
#: of the shape); in the textless plans, the checks of :data:`_QUIET_WITHOUT_TEXT` in a row are one item: its
#: last field their runs when they assessed nothing.
Plan = tuple[tuple[Check, Any, str, CheckRun, list[tuple[object, CheckRun]], Any, tuple[CheckRun, ...] | None], ...]


def _plan(chosen: Sequence[Check]) -> tuple[Plan, Plan, Plan | None, Plan]:
    """What :func:`_run` needs of each check chosen (:data:`Plan`): the plan of every check one by one; the fast
    plan (the built-in identity checks in a row as one item, read with the fast paths on only); for a report
    without text whose reader recorded no headings, the textless plan (the checks of :data:`_QUIET_WITHOUT_TEXT`
    in a row as one item: their runs; ``None`` when no check chosen is one of those) and the fast textless plan.
    The last answer kept, found by identity: the registry gives the same tuple of checks while it is unchanged."""
    last = _LAST_PLAN[0]  # (checks, their plans): one object, replaced whole (threads)
    if last[0] is chosen:
        return last[1]
    plan: Plan = tuple(  # a built-in identity check: its function that leaves its findings as data
        (c, _LAZY.get(c, c.function), c.code, once, [(_NOT_YET, once)], None, None)
        for c in chosen
        for once in (_check_run(c.code, 1),)
    )
    textless = _grouped(plan, quiet=True)
    plans = (
        plan,
        _grouped(plan, quiet=False),
        textless if len(textless) < len(plan) else None,
        _grouped(textless, quiet=False),
    )
    _LAST_PLAN[0] = (chosen, plans)
    return plans


def _grouped(plan: Plan, *, quiet: bool) -> Plan:
    """``plan`` with the checks of :data:`_QUIET_WITHOUT_TEXT` in a row (``quiet``), or the built-in identity
    checks in a row (else), as one item each (:data:`Plan`)."""
    out: list[Any] = []
    for item in plan:
        check = item[0]
        if quiet and check in _QUIET_WITHOUT_TEXT:
            run = _check_run(check.code, 0)
            if out and out[-1][6] is not None:  # (the one before was one too)
                out[-1] = (*out[-1][:6], (*out[-1][6], run))
            else:
                out.append((*item[:6], (run,)))
        elif not quiet and check in _KNOWN:
            if out and out[-1][5] is not None:  # (the one before was one too)
                fns = (*out[-1][5][0][1], _KNOWN[check])
                out[-1] = (*out[-1][:5], [(None, fns, (), [])], None)
            else:
                out.append((*item[:5], [(None, (_KNOWN[check],), (), [])], None))
        else:
            out.append(item)
    return tuple(out)


#: The built-in identity checks' functions that leave their findings as data (:class:`IdentityFindings`).
_LAZY: dict[Check, Any] = {c: getattr(c.function, "lazy") for c in _builtin.IDENTITY_CHECKS}  # noqa: B009

#: What each built-in identity check knows of a shape (``known_of``: what its ``lazy`` reads).
_KNOWN: dict[Check, Any] = {c: getattr(c.function, "known_of") for c in _builtin.IDENTITY_CHECKS}  # noqa: B009

_LAST_PLAN: list[tuple[Sequence[Check], tuple[Plan, Plan, Plan | None, Plan]]] = [((), ((), (), None, ()))]
_NOT_YET = object()


#: CheckRuns already made, by code and count: frozen, so shared between results (emptied at
#: :data:`_RUNS_MAX` entries).
_RUNS: dict[tuple[str, int], CheckRun] = {}
_RUNS_MAX = 10_000


def _check_run(code: str, assessed: int) -> CheckRun:
    """``CheckRun(code, assessed)``, shared (a validation makes one per check, the same ones again and again)."""
    if type(code) is not str or type(assessed) is not int:  # what a user's check gave: made as it is
        return CheckRun(code, assessed)
    key = (code, assessed)
    run = _RUNS.get(key)
    if run is None:
        if len(_RUNS) >= _RUNS_MAX:
            _RUNS.clear()
        run = _RUNS[key] = CheckRun(code, assessed)
    return run


def _chosen(scope: Scope, codes: CheckSelection | None) -> tuple[Check, ...] | ValidationResult:
    try:
        return registered(scope, codes=codes)
    except Exception as exc:
        finding = Finding("CHECK_FAILED", Severity.ERROR, f"检查选择无效：{exc}", f"invalid check selection: {exc}")
        return ValidationResult((finding,), ())


def _not_a_report(obj: object) -> ValidationResult:
    finding = Finding(
        "NOT_A_REPORT",
        Severity.ERROR,
        f"不是年度报告对象：{type(obj).__name__}",
        f"not an AnnualReport: {type(obj).__name__}",
    )
    return ValidationResult((finding,), ())


def validate(
    report: AnnualReport,
    *,
    checks: CheckSelection | None = None,
    blanks_as_zero: bool = False,
    suggestions: bool = True,
    derived: Iterable[str] = (),
    headings: Mapping[str, str | None] | None = None,
    previous: AnnualReport | None = None,
    next: AnnualReport | None = None,
) -> ValidationResult:
    """Run the registered report checks (or exactly ``checks``: codes or :class:`Check` objects); never raises.

    Without ``checks``, the checks that run are the built-ins, those added by
    :func:`register` and those a surrounding ``with using(...)`` block adds.
    ``checks`` picks for this call only: a code names a registered check, a
    :class:`Check` (see :func:`define_check`) runs as it is, registered or not.

    By default a blank cell is unknown: an identity with blank cells is not
    assessed and is reported (severity ``info``, ``assessable=False``) with its
    blanks named.  ``blanks_as_zero=True`` reads blanks as 0 and names the
    blanks so read in each finding.  Repair suggestions for the broken
    identities are in ``result.suggestions``, best first.

    What a reader recorded about the source document can be passed on:

    - ``derived``: the model paths of the cells that were formulas (the
      totals of an Excel template).  The repair search treats them as
      following their parts, so the suggestion for a mistyped input names
      the input alone (the totals that follow it are marked ``derived``).
      A formula cell that is the total of a broken identity no longer
      follows its parts (a total typed over a formula that it adds, or a
      stale saved value): it counts as typed, and repairs may change it.
    - ``headings``: for each section (its attribute name in
      :class:`~gongkai_model.AnnualReport`: ``overview``, ``table2``, …,
      ``other_matters``), the heading as printed, or ``None`` when the
      document has no heading for it.  The ``STRUCTURE_HEADING`` and
      ``STRUCTURE_SECTION_MISSING`` checks read it.

    A malformed object (a report forged past the model's own checks, e.g. a
    str or a list in a count cell) gives a ``VALUE_INVALID`` error at the
    path; its cells are left out of the identities.

    ``previous`` and ``next``, the same agency's reports of the years before
    and after (``None``: not given), weigh in the ranking of the suggestions
    (the cross-year identities a suggestion keeps or breaks), as do the
    figures the report's own text states: each suggestion lists this
    evidence (:class:`Evidence`), see ``docs/checks.md``.  Without them (and
    without text stating a figure) the ranking is by the identities restored
    and the figures changed alone.
    """
    try:
        return _validate(report, checks, blanks_as_zero, suggestions, derived, headings, previous, next)
    except Exception as exc:  # pragma: no cover - the last guard: validate never raises
        finding = Finding("CHECK_FAILED", Severity.ERROR, f"校验失败：{exc!r}", f"validation failed: {exc!r}")
        return ValidationResult((finding,), ())


def _validate(
    report: AnnualReport,
    checks: CheckSelection | None,
    blanks_as_zero: bool,
    suggestions: bool,
    derived: Iterable[str],
    headings: Mapping[str, str | None] | None,
    previous: AnnualReport | None = None,
    next_: AnnualReport | None = None,
) -> ValidationResult:
    if not isinstance(report, AnnualReport):
        return _not_a_report(report)
    chosen = _chosen("report", checks)
    if isinstance(chosen, ValidationResult):
        return chosen
    read = clean_read(report)  # the common case: nothing forged, the cell values read once (and the shape)
    if read is not None:
        malformed: list[Finding] = []
        ctx = context(report, read[1], blanks_as_zero, _paths(derived), headings, (), read[0])
    else:
        malformed, invalid, intact = scan(report)
        if not intact:
            return ValidationResult(numbered(malformed), ())
        ctx = CheckContext.of(
            report, blanks_as_zero=blanks_as_zero, derived=_paths(derived), headings=headings, invalid=invalid
        )
    if ctx.derived:  # a formula total that no longer adds up to its parts counts as typed
        ctx = attrs.evolve(ctx, derived=following(ctx.shape, ctx.derived, ctx.statuses))
    issues, runs = _run(chosen, ctx)
    if malformed:
        cells = layout(ctx.shape)
        by_path = {c.path: (i, c) for i, c in enumerate(cells)}
        malformed.sort(key=lambda f: by_path.get(f.path or "", (-1, None))[0])  # cells in layout order
        issues[:0] = [
            attrs.evolve(f, table=c.table, row=c.row, column=c.column)
            if (c := by_path.get(f.path or "", (0, None))[1])
            else f
            for f in malformed
        ]
    found: tuple[Suggestion, ...] = ()
    codes = _codes(chosen)
    tally = _tally(ctx, codes)
    if suggestions:
        statuses = [
            status if ident.code in codes else HOLDS
            for ident, status in zip(identities(ctx.shape), ctx.statuses, strict=True)
        ]
        try:
            claims = _evidence.claims(ctx, codes, previous, next_) if any(not s.ok for s in statuses) else ()
            found = tuple(suggest(ctx.shape, ctx.values, statuses, blanks_as_zero, ctx.derived, ctx.invalid, claims))
        except Exception as exc:  # pragma: no cover - a bug in the search must not make validate raise
            issues.append(
                Finding("CHECK_FAILED", Severity.ERROR, f"修正建议失败：{exc!r}", f"suggestions failed: {exc!r}")
            )
    if FAST_PATHS and {*map(type, issues)} <= _PLAIN:  # (every issue a Finding or an identity check's data)
        return lazy_result(issues, tuple(runs), found, tally)  # the findings built when the issues are first read
    # (anything else a user's check gave, e.g. a subclass of Finding: numbered now, as it always was)
    return ValidationResult(numbered(expand(issues)), tuple(runs), found, tally)


_PLAIN = frozenset((Finding, IdentityFindings, IdentityFindingsOfChecks))


def _codes(chosen: tuple[Check, ...]) -> frozenset[str]:
    """The codes of the checks chosen (the last answer kept: the same checks run again and again)."""
    last = _LAST_CODES[0]  # (checks, their codes): one object, replaced whole (threads)
    if last[0] is chosen:
        return last[1]
    codes = frozenset(c.code for c in chosen)
    _LAST_CODES[0] = (chosen, codes)
    return codes


_LAST_CODES: list[tuple[tuple[Check, ...], frozenset[str]]] = [((), frozenset())]


def _tally(ctx: CheckContext, codes: frozenset[str]) -> Tally:
    """The figures of the report (typed: a derived total is not one) and its identities of the checks
    that ran, held, broken and not assessable (:class:`~gongkai_model.errors.Tally`)."""
    cell_values = ctx.values
    statuses = raw_of(ctx)  # (an identity with a blank may be UNASSESSED: not ok, not assessable, as its status)
    counts = counts_of(ctx)  # (how many are UNASSESSED, how many others are not HOLDS: when the fast path counted)
    if ctx.derived:
        figures = sum(v is not None for i, v in enumerate(cell_values) if i not in ctx.derived)
    elif counts is not None and counts[0] * 2 > len(statuses):  # blank-heavy: count(None) finds most by identity
        figures = len(cell_values) - cell_values.count(None)
    else:  # (count(None) compares each figure with ==: 2× slower on a filled report's ints)
        figures = len(cell_values) - len([v for v in cell_values if v is None])
    if _IDENTITY_CODES.issubset(codes):  # every identity ran (the usual case): one status per identity
        ran = len(statuses)
        if statuses is ALL_HOLD.get(ran):  # all held (the one tuple the identity sums give then)
            return _made_tally(figures, len(cell_values), ran, 0, 0)
        if counts is not None and not counts[1]:  # the others all HOLDS: each UNASSESSED is not assessable
            return _made_tally(figures, len(cell_values), ran - counts[0], 0, counts[0])
        others = [s for s in statuses if s is not HOLDS]  # HOLDS: assessable, held
    else:
        every = identities(ctx.shape)
        chosen = [s for ident, s in zip(every, statuses, strict=True) if ident.code in codes]
        ran = len(chosen)
        others = [s for s in chosen if s is not HOLDS]
    unassessable = broken = 0
    for s in others:
        if not s.assessable:
            unassessable += 1
        elif not s.ok:
            broken += 1
    return Tally(figures, len(cell_values), ran - unassessable - broken, broken, unassessable)


#: ``Tally(figures, cells, held, broken, not_assessable)``, made without attrs' ``__init__`` (``_codegen.maker``).
_made_tally = maker(Tally)


#: The codes of the identity checks (every identity of every shape has one of them).
_IDENTITY_CODES = frozenset(c.code for c in _builtin.IDENTITY_CHECKS)


_NO_PATHS: frozenset[str] = frozenset()


def _paths(derived: Iterable[str]) -> frozenset[str]:
    if type(derived) is tuple and not derived:  # the default
        return _NO_PATHS
    if isinstance(derived, str):
        return frozenset((derived,))
    return frozenset(p for p in derived if isinstance(p, str))


def validate_series(
    reports: Iterable[AnnualReport], *, checks: CheckSelection | None = None, suggestions: bool = False
) -> ValidationResult:
    """Run the cross-year checks over one agency's reports (any order); never raises.

    Carry-over (表三 上年结转 = last year's 结转下年度继续办理, every column) and
    the 表二 现行有效件数 heuristic compare reports of consecutive years; a
    change of edition between them is noted, and 表三 is still compared.
    Each finding's ``year`` names the later report.  Run :func:`validate` on
    each report for its own identities.

    ``suggestions=True`` adds the repair suggestions of each report (one
    report for its year) for its own broken identities, each ranked with the
    reports of the years before and after as evidence (``validate(report,
    previous=…, next=…)``); each suggestion's ``year`` names its report.
    """
    got = list(reports)
    wrong = [r for r in got if not isinstance(r, AnnualReport)]
    if wrong:
        return _not_a_report(wrong[0])
    chosen = _chosen("series", checks)
    if isinstance(chosen, ValidationResult):
        return chosen
    issues, runs = _run(chosen, SeriesContext(tuple(sorted(got, key=lambda r: (r.year is None, r.year or 0)))))
    found: list[Suggestion] = []
    if suggestions:
        years = [r.year for r in got if r.year is not None]
        by_year = {r.year: r for r in got if r.year is not None and years.count(r.year) == 1}
        for year in sorted(by_year):
            result = validate(by_year[year], previous=by_year.get(year - 1), next=by_year.get(year + 1))
            found.extend(attrs.evolve(s, year=year) for s in result.suggestions)
    return ValidationResult(numbered(issues), tuple(runs), tuple(found))  # type: ignore[arg-type]  # (no pending)
