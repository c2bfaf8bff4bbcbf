"""The generated fast paths of the checks and the layout agree with their thorough counterparts.

Each fast path only answers the common case quickly and leaves everything else to the thorough
code; these property tests compare both on valid reports and on reports forged past the model.
"""

from __future__ import annotations

import copy
import importlib
import operator
from decimal import Decimal
from typing import Any

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

import gongkai_model as gk
from gongkai_model._codegen import FAST_PATHS
from gongkai_model.checks import _findings, _identities, _sanity
from gongkai_model.model import Node, field_specs, layout, shape_of, values

from strategies import consistent_reports, reports


def _blank_heavy() -> st.SearchStrategy[gk.AnnualReport]:
    from test_deferred_findings import blank_heavy_reports

    return blank_heavy_reports()


FORGED = st.one_of(
    st.none(),
    st.integers(-(10**16), 10**16),
    st.sampled_from([True, "3", 1.5, Decimal("NaN"), Decimal("-1"), [], {}, object(), 10**15, -(10**15) - 1]),
)


def _nodes(node: Any, prefix: str = "") -> list[tuple[Any, str, str]]:
    out = []
    for info in field_specs(type(node)):
        out.append((node, info.name, f"{prefix}{info.name}"))
        value = getattr(node, info.name)
        if isinstance(value, Node):
            out.extend(_nodes(value, f"{prefix}{info.name}."))
    return out


def _walk_only(report: Any) -> Any:
    saved = _sanity._clean
    _sanity._clean = lambda _: False  # type: ignore[assignment]
    try:
        return _sanity.scan(report)
    finally:
        _sanity._clean = saved  # type: ignore[assignment]


@settings(max_examples=150)
@given(st.one_of(reports(), consistent_reports()), st.data())
def test_scan_fast_path_agrees_with_the_walk(report: gk.AnnualReport, data: st.DataObject) -> None:
    report = copy.deepcopy(report)  # forged below: never an object shared with another test
    for _ in range(data.draw(st.integers(0, 2))):
        node, name, _path = data.draw(st.sampled_from(_nodes(report)))
        object.__setattr__(node, name, data.draw(FORGED))
    assert _sanity.scan(report) == _walk_only(report)
    got = _sanity._clean(report)  # the values the generated function of the report's shape read with its check
    if got is not None:
        assert got == values(report)
        assert _sanity._deep(type(report))(report)  # what the check of each class says too


@settings(max_examples=150)
@given(st.one_of(reports(), consistent_reports()), st.booleans())
def test_identity_statuses_agree_with_evaluate(report: gk.AnnualReport, blanks_as_zero: bool) -> None:
    shape = shape_of(report)
    cells = values(report)
    expected = tuple(_identities.evaluate(i, cells, blanks_as_zero) for i in _identities.identities(shape))
    assert _identities.statuses(shape, cells, blanks_as_zero) == expected
    assert _identities._statuses_fn(shape, blanks_as_zero)(cells) == expected  # generated even with the switch


@settings(max_examples=100)
@given(reports())
def test_generated_values_getter_is_the_attrgetter(report: gk.AnnualReport) -> None:
    paths = [c.path for c in layout(shape_of(report))]
    assert values(report) == operator.attrgetter(*paths)(report)
    generated = importlib.import_module("gongkai_model.model.layout")._getter(shape_of(report))
    assert generated(report) == operator.attrgetter(*paths)(report)  # generated even with GONGKAI_NO_FAST_PATHS


@settings(max_examples=40, deadline=None)
@given(reports(), st.integers(min_value=1, max_value=8))
def test_shared_cell_refs_give_the_same_validation(report: gk.AnnualReport, cap: int) -> None:
    """Issue 19: the identity findings' shared CellRefs change nothing; the cache stays within its bound."""
    from gongkai_model.checks import _builtin
    from gongkai_model.checks._findings import CellRef

    shared = gk.validate(report)
    real_ref, real_max = _builtin._ref, _builtin._REFS_MAX
    try:
        _builtin._ref = CellRef.of
        plain = gk.validate(report)
        _builtin._ref, _builtin._REFS_MAX = real_ref, cap
        _builtin._REFS.clear()
        bounded = gk.validate(report)
        assert len(_builtin._REFS) <= cap
    finally:
        _builtin._ref, _builtin._REFS_MAX = real_ref, real_max
    assert shared == plain == bounded


# Issue 19 (figures only): the statuses of blank-heavy reports, the keys kept on deferred findings,
# the registry loop and the tally, each against its thorough (or former) counterpart.


@settings(max_examples=120, deadline=None)
@given(_blank_heavy(), st.booleans())
def test_identity_statuses_of_blank_heavy_reports_agree_with_evaluate(
    report: gk.AnnualReport, blanks_as_zero: bool
) -> None:
    """The generated sums (all at once, then one by one with the blanks found inline) give ``evaluate``'s."""
    shape = shape_of(report)
    cells = values(report)
    expected = tuple(_identities.evaluate(i, cells, blanks_as_zero) for i in _identities.identities(shape))
    assert _identities._statuses_fn(shape, blanks_as_zero)(cells) == expected
    assert _identities.statuses(shape, cells, blanks_as_zero) == expected
    broken = list(cells)  # one wrong figure: the all-at-once sum fails, one by one gives evaluate's
    for i, v in enumerate(broken):
        if type(v) is int:
            broken[i] = v + 1
            break
    expected = tuple(_identities.evaluate(i, broken, blanks_as_zero) for i in _identities.identities(shape))
    assert _identities._statuses_fn(shape, blanks_as_zero)(tuple(broken)) == expected


@settings(max_examples=60, deadline=None)
@given(_blank_heavy(), st.booleans())
def test_the_key_kept_on_a_deferred_finding_is_its_key(report: gk.AnnualReport, blanks_as_zero: bool) -> None:
    """``numbered`` reads the key an identity check kept on its finding: it is the finding's own key."""
    from gongkai_model.checks._findings import _get_key, numbered

    result = gk.validate(report, blanks_as_zero=blanks_as_zero, suggestions=False)
    kept = 0
    for f in result.issues:
        try:
            key = _get_key(f, type(f))
        except AttributeError:
            continue
        kept += 1
        assert key == f.key == gk.checks.Finding(f.code, f.severity, "", "", f.table, f.row, f.column, f.path).key
    if not FAST_PATHS:
        assert kept == 0
    # numbering without the kept keys (every key built from the fields) gives the same result
    copies = [attrs.evolve(f) for f in result.issues]
    assert numbered(copies) == numbered(result.issues) == result.issues


def _old_run(chosen: Any, ctx: Any) -> tuple[list[Any], list[Any]]:
    """The registry loop before issue 19's plan (verbatim but for the names)."""
    from gongkai_model.checks import _check_run, failure
    from gongkai_model.checks._registry import CheckOutcome

    issues: list[Any] = []
    runs: list[Any] = []
    for check in chosen:
        try:
            got = check.function(ctx)
            if isinstance(got, CheckOutcome):
                assessed, found = got.assessed, got.findings
            else:
                assessed, found = 1, tuple(got)
        except Exception as exc:
            assessed, found = failure(check, exc)
        runs.append(_check_run(check.code, assessed))
        issues.extend(found)
    return issues, runs


_PHASE = [0]  # what the check MY_FLIP of _user_checks gives, set by the test


def _user_checks() -> tuple[Any, ...]:
    """Checks of every kind a user may write: shared outcomes (with and without findings), a subclass of
    CheckOutcome, a generator, a list, a tuple, one that raises, one whose outcome changes between calls."""
    from gongkai_model.checks import CheckOutcome, Finding, Severity, define_check

    one = Finding("MY_ONE", Severity.INFO, "一", "one", "三")
    shared_empty = CheckOutcome(3, ())
    shared_full = CheckOutcome(2, (one,))

    @attrs.frozen
    class Outcome(CheckOutcome):
        pass

    def flip(ctx: Any) -> CheckOutcome:  # the shared outcome in even phases, a new one in odd ones
        return shared_empty if _PHASE[0] % 2 == 0 else CheckOutcome(_PHASE[0], ())

    def gen(ctx: Any) -> Any:
        if ctx.report.year and ctx.report.year % 2:
            yield one

    def boom(ctx: Any) -> Any:
        raise ValueError("boom")

    made = [
        ("MY_EMPTY", lambda ctx: shared_empty),
        ("MY_FULL", lambda ctx: shared_full),
        ("MY_SUB", lambda ctx: Outcome(4, ())),
        ("MY_GEN", gen),
        ("MY_LIST", lambda ctx: [one]),
        ("MY_TUPLE", lambda ctx: (one,)),
        ("MY_NONE", lambda ctx: ()),
        ("MY_BOOM", boom),
        ("MY_FLIP", flip),
    ]
    return tuple(define_check(c, severity=Severity.INFO, title_en=c, title_zh=c)(f) for c, f in made)


@settings(max_examples=25, deadline=None)
@given(st.one_of(reports(), consistent_reports(), _blank_heavy()), st.data())
def test_the_registry_loop_gives_what_the_former_loop_gave(report: gk.AnnualReport, data: st.DataObject) -> None:
    """Issue 19: the plan of the checks chosen (their runs kept, a shared outcome's run found by identity)."""
    from gongkai_model import checks as C
    from gongkai_model.checks._registry import CheckContext

    ctx = CheckContext.of(report)
    every = (*C.registered("report"), *_user_checks())
    chosen = tuple(data.draw(st.permutations(every)))[: data.draw(st.integers(0, len(every)))]
    for phase in range(4):  # the same tuple again: the plan kept, the shared outcomes' runs found again
        _PHASE[0] = phase
        new_issues, new_runs = C._run(chosen, ctx)
        old_issues, old_runs = _old_run(chosen, ctx)
        assert new_runs == old_runs
        assert _findings.expand(new_issues) == old_issues  # (the identity checks' findings left as data)
    with C.using(*_user_checks()):
        assert gk.validate(report, suggestions=False) == gk.validate(report, suggestions=False)


def _old_tally(ctx: Any, codes: frozenset[str]) -> Any:
    """The tally before issue 19's all-held count (verbatim but for the names)."""
    from gongkai_model.checks import _IDENTITY_CODES, HOLDS
    from gongkai_model.errors import Tally

    cell_values = ctx.values
    if ctx.derived:
        figures = sum(v is not None for i, v in enumerate(cell_values) if i not in ctx.derived)
    else:
        figures = len(cell_values) - cell_values.count(None)
    every = _identities.identities(ctx.shape)
    if _IDENTITY_CODES.issubset(codes):
        ran = len(every)
        others = [s for s in ctx.statuses if s is not HOLDS]
    else:
        chosen = [s for ident, s in zip(every, ctx.statuses, strict=True) if ident.code in codes]
        ran = len(chosen)
        others = [s for s in chosen if s is not HOLDS]
    unassessable = sum(not s.assessable for s in others)
    broken = sum(s.assessable and not s.ok for s in others)
    return Tally(figures, len(cell_values), ran - unassessable - broken, broken, unassessable)


@settings(max_examples=60, deadline=None)
@given(st.one_of(reports(), consistent_reports(), _blank_heavy()), st.booleans(), st.data())
def test_the_tally_gives_what_the_former_tally_gave(report: gk.AnnualReport, zero: bool, data: st.DataObject) -> None:
    from gongkai_model import checks as C
    from gongkai_model.checks._registry import CheckContext

    ctx = CheckContext.of(report, blanks_as_zero=zero)
    every = frozenset(c.code for c in C.registered("report"))
    codes = frozenset(data.draw(st.sets(st.sampled_from(sorted(every))))) | data.draw(st.sampled_from([every, set()]))
    assert C._tally(ctx, codes) == _old_tally(ctx, codes)


# Issue 19, session 10: the node rules written out in the forgery scan of a shape (no call per node).


@settings(max_examples=80, deadline=None)
@given(st.one_of(reports(), consistent_reports(), _blank_heavy()), st.data())
def test_the_scan_of_a_shape_writes_out_the_subtotal_rule(report: gk.AnnualReport, data: st.DataObject) -> None:
    """表三 without a 小计 column whose rows fill one (forged), or with one: the scan of the shape, which tests
    the rule inline, finds what the walk (which calls ``_extra_problems``) finds."""
    from gongkai_model.model.tables import _subtotals

    report = copy.deepcopy(report)  # forged below
    table3 = report.table3
    paths = _subtotals(table3.results)[0]
    for _ in range(data.draw(st.integers(0, 2))):
        row = operator.attrgetter(data.draw(st.sampled_from(paths)))(table3)
        object.__setattr__(row, "legal_person_subtotal", data.draw(st.one_of(st.none(), st.integers(0, 9))))
    object.__setattr__(table3, "subtotal_column", data.draw(st.sampled_from([False, True, table3.subtotal_column])))
    expected = _walk_only(report)
    assert _sanity.scan(report) == expected
    got = _sanity._clean(report)
    assert (got is not None) == (not expected[0])
    if got is not None:
        assert got == values(report)


def test_the_scan_of_a_shape_answers_the_report_rule_by_its_classes() -> None:
    """A 2019 表二 with 表三's （六） in three rows (forged): the report's rule, answered per shape, is not lost."""
    from gongkai_model.model import OtherHandling

    report = copy.deepcopy(gk.examples.seed_report())
    blank2021 = gk.AnnualReport.blank(agency="x", year=2023, edition="2021", single_other_row=False)
    report2019 = gk.AnnualReport.blank(agency="x", year=2020, edition="2019")
    assert isinstance(blank2021.table3.results.other, OtherHandling)
    object.__setattr__(report2019.table3.results, "other", blank2021.table3.results.other)
    expected = _walk_only(report2019)
    assert expected[0]
    assert _sanity.scan(report2019) == expected
    assert _sanity._clean(report2019) is None
    assert _sanity._clean(report) == values(report)


def _textless(report: gk.AnnualReport) -> gk.AnnualReport:
    """``report`` without any text (its tables and metadata as they are)."""
    from gongkai_model.checks._analysis import section_texts

    for path, _ in section_texts(report):
        report = gk.model.replace_path(report, path, None)
    return report


@settings(max_examples=40, deadline=None)
@given(st.one_of(reports(), consistent_reports(), _blank_heavy()), st.sampled_from([None, {}, {"overview": None}]))
def test_the_checks_quiet_without_text_assess_nothing_there(report: gk.AnnualReport, headings: Any) -> None:
    """The checks the registry loop answers without a call on a report without text and headings: each, called,
    assesses nothing there; and the loop gives what the former loop gives (with headings: each is called)."""
    from gongkai_model import checks as C
    from gongkai_model.checks._registry import CheckContext

    report = _textless(report)
    ctx = CheckContext.of(report, headings=headings)
    assert not ctx.text.texts
    if headings is None:
        for check in C._QUIET_WITHOUT_TEXT:
            outcome = check.run(ctx)
            assert (outcome.assessed, outcome.findings) == (0, ())
    chosen = C.registered("report")
    new_issues, new_runs = C._run(chosen, ctx)
    old_issues, old_runs = _old_run(chosen, ctx)
    assert new_runs == old_runs
    assert _findings.expand(new_issues) == old_issues


# Issue 19, session 10 (second pass): the plans of the registry loop (the built-in identity checks in a row as one
# step; in a report without text and headings, the checks quiet there in a row as one step), the current year.


@settings(max_examples=40, deadline=None)
@given(st.one_of(reports(), consistent_reports(), _blank_heavy()), st.sampled_from([None, {}]), st.data())
def test_the_plans_of_the_registry_loop_give_what_the_former_loop_gave(
    report: gk.AnnualReport, headings: Any, data: st.DataObject
) -> None:
    """Any order and choice of the checks (the built-ins and a user's, so that the identity checks and the quiet
    ones come in rows and alone), on reports with and without text, with and without headings."""
    from gongkai_model import checks as C
    from gongkai_model.checks._registry import CheckContext

    if data.draw(st.booleans()):
        report = _textless(report)
    ctx = CheckContext.of(report, headings=headings)
    every = (*C.registered("report"), *_user_checks())
    chosen = tuple(data.draw(st.permutations(every)))[: data.draw(st.integers(0, len(every)))]
    for phase in range(2):
        _PHASE[0] = phase
        new_issues, new_runs = C._run(chosen, ctx)
        old_issues, old_runs = _old_run(chosen, ctx)
        assert new_runs == old_runs
        assert _findings.expand(new_issues) == old_issues


def test_the_current_year_is_todays() -> None:
    import datetime as dt
    import time

    from gongkai_model.checks import _registry

    assert _registry.current_year() == _registry.current_year() == dt.date.today().year
    start, end, zone, year = _registry._YEAR[0]
    assert (zone, year) == (time.tzname, dt.date.today().year)
    assert time.localtime(start).tm_year == year
    assert time.localtime(end).tm_year == year + 1
    assert time.localtime(end - 1).tm_year == year
    _registry._YEAR[0] = (0.0, 1e300, (), 1)  # another zone: the date is read again
    assert _registry.current_year() == dt.date.today().year
