"""Issue 19: a result whose issues are built when first read is the result the thorough path makes.

``validate`` leaves the identity checks' findings as data (``checks._builtin.IdentityFindings``) and
builds the result's ``issues`` (the findings made and numbered) on their first read; the verdict, ``ok``,
``assessed`` and the tally are answered from the data. These tests compare such a result with the one
the thorough path makes (the fast paths switched off in the modules, as ``GONGKAI_NO_FAST_PATHS=1``
does: every finding made at once) over generated reports with blanks, broken figures and forged
values: every view of the result, on a fresh result (nothing built) and after its issues were read,
and with threads reading a fresh result at once.
"""

from __future__ import annotations

import contextlib
import copy
import pickle
import threading
from collections.abc import Callable, Iterator
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_deferred_findings import blank_heavy_reports
from test_fast_paths import FORGED, _nodes

import gongkai_model as gk
from gongkai_model import checks as C
from gongkai_model._codegen import FAST_PATHS
from gongkai_model.checks import _builtin, _findings, _identities, _registry
from gongkai_model.model import Value, layout, replace_path, shape_of, values

from strategies import consistent_reports, reports


@contextlib.contextmanager
def _thorough() -> Iterator[None]:
    """The fast paths of ``validate`` and of the identity checks off (what ``GONGKAI_NO_FAST_PATHS=1`` selects)."""
    saved = C.FAST_PATHS, _builtin.FAST_PATHS, _identities.FAST_PATHS
    C.FAST_PATHS = _builtin.FAST_PATHS = _identities.FAST_PATHS = False
    try:
        yield
    finally:
        C.FAST_PATHS, _builtin.FAST_PATHS, _identities.FAST_PATHS = saved


@st.composite
def damaged_reports(draw: st.DrawFn) -> gk.AnnualReport:
    """A report with blanks, maybe a few figures changed (broken identities) and maybe a forged value."""
    report = draw(st.one_of(blank_heavy_reports(), reports(), consistent_reports()))
    paths = [c.path for c in layout(shape_of(report)) if c.kind in (Value.COUNT, Value.SIGNED)]
    for _ in range(draw(st.integers(0, 3))):
        report = replace_path(report, draw(st.sampled_from(paths)), draw(st.one_of(st.none(), st.integers(0, 99))))
    if draw(st.integers(0, 4)) == 0:
        report = copy.deepcopy(report)  # forged below: never an object shared with another test
        node, name, _path = draw(st.sampled_from(_nodes(report)))
        object.__setattr__(node, name, draw(FORGED))
    return report


#: What is read of a result, each on its own: every view the lazy result must answer as the eager one does.
PROBES: dict[str, Callable[[gk.ValidationResult], Any]] = {
    "verdict": lambda r: r.verdict,
    "ok": lambda r: r.ok,
    "assessed": lambda r: r.assessed,
    "tally": lambda r: r.tally,
    "checks": lambda r: r.checks_performed,
    "suggestions": lambda r: r.suggestions,
    "best": lambda r: r.best,
    "issues": lambda r: r.issues,
    "not_assessable": lambda r: r.not_assessable,
    "summary": lambda r: r.summary(),
    "repr": repr,
    "hash": hash,
    "pickled": lambda r: pickle.loads(pickle.dumps(r)),
    "copied": copy.deepcopy,
    "evolved": attrs.evolve,
    "evolved without tally": lambda r: attrs.evolve(r, tally=None).verdict,
    "asdict": attrs.asdict,
    "by_code": lambda r: {c.code: r.by_code(c.code) for c in C.registered("report")},
    "keys": lambda r: [f.key for f in r.issues],
}


def _assert_same(report: gk.AnnualReport, **options: Any) -> None:
    with _thorough():
        eager = gk.validate(report, **options)
    assert _findings._parts(eager) is None  # the thorough path: issues made at once
    for name, probe in PROBES.items():
        fresh = gk.validate(report, **options)
        assert probe(fresh) == probe(eager), name  # nothing built before
        assert probe(fresh) == probe(eager), name  # then again (built now, maybe)
        read = gk.validate(report, **options)
        assert read.issues == eager.issues
        assert probe(read) == probe(eager), name  # after the first read of the issues
    fresh = gk.validate(report, **options)
    assert fresh == eager
    assert eager == fresh
    assert {f.key: fresh.by_key(f.key) for f in eager.issues} == {f.key: f for f in eager.issues}
    assert fresh.by_key("NO|SUCH|KEY") is None
    assert type(fresh) is gk.ValidationResult


@settings(max_examples=30, deadline=None)
@given(damaged_reports(), st.booleans())
def test_a_lazy_result_is_the_eager_one(report: gk.AnnualReport, blanks_as_zero: bool) -> None:
    _assert_same(report, blanks_as_zero=blanks_as_zero, suggestions=False)


@settings(max_examples=12, deadline=None)
@given(damaged_reports())
def test_a_lazy_result_with_suggestions_is_the_eager_one(report: gk.AnnualReport) -> None:
    _assert_same(report)


@settings(max_examples=12, deadline=None)
@given(damaged_reports(), st.data())
def test_a_lazy_result_of_some_checks_is_the_eager_one(report: gk.AnnualReport, data: st.DataObject) -> None:
    codes = [c.code for c in C.registered("report")]
    chosen = data.draw(st.lists(st.sampled_from(codes), max_size=8))  # maybe one twice, in any order
    _assert_same(report, checks=chosen, suggestions=False)


def test_the_real_cases_give_lazy_results_equal_to_the_eager_ones() -> None:
    from test_text_analysis import _bench

    for case in _bench().real_cases():
        for report in (case.figures, case.read):
            if report is not None:
                _assert_same(report, suggestions=False)


def _blank_heavy_case() -> gk.AnnualReport:
    from test_text_analysis import _bench

    return next(c.figures for c in _bench().real_cases() if c.name == "shanghai-shizhengfu-bangongting-2019")


def test_the_identity_findings_are_built_only_when_the_issues_are_read() -> None:
    result = gk.validate(_blank_heavy_case(), suggestions=False)
    parts = _findings._parts(result)
    if not FAST_PATHS:  # GONGKAI_NO_FAST_PATHS=1: every finding made at once
        assert parts is None
        return
    assert parts is not None
    assert any(isinstance(p, (_builtin.IdentityFindings, _builtin.IdentityFindingsOfChecks)) for p in parts)
    assert result.verdict is gk.Verdict.UNASSESSED
    assert not result.ok
    assert result.assessed == sum(r.assessed for r in result.checks_performed) - 38
    assert _findings._parts(result) is not None  # still nothing built
    issues = result.issues
    assert _findings._parts(result) is None
    assert result.issues is issues  # built once
    assert len(result.not_assessable) == 38


@pytest.mark.parametrize("reads", ["issues", "summary", "eq", "hash", "pickle"])
def test_threads_reading_a_fresh_result_at_once_see_one_result(reads: str) -> None:
    report = _blank_heavy_case()
    with _thorough():
        eager = gk.validate(report, suggestions=False)
    read = {
        "issues": lambda r: r.issues,
        "summary": lambda r: r.summary(),
        "eq": lambda r: r == eager,
        "hash": hash,
        "pickle": lambda r: pickle.loads(pickle.dumps(r)) == eager,
    }[reads]
    for _ in range(5):
        result = gk.validate(report, suggestions=False)
        barrier = threading.Barrier(8)
        got: list[Any] = []

        def run(
            result: gk.ValidationResult = result, barrier: threading.Barrier = barrier, got: list[Any] = got
        ) -> None:
            barrier.wait()
            got.append((read(result), result.issues, result.verdict, result.assessed))

        threads = [threading.Thread(target=run) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(got) == 8
        assert all(issues is got[0][1] for _, issues, _, _ in got)  # one tuple, built once
        assert got[0][1] == eager.issues
        assert {(verdict, assessed) for _, _, verdict, assessed in got} == {(eager.verdict, eager.assessed)}
        assert all(value == read(eager) for value, *_ in got)


def test_user_checks_and_the_identity_checks_run_alone_give_ordinary_findings() -> None:
    """A user's check sees the context and gives findings as before; an identity check run by itself
    (``Check.run``, its function) gives its findings as Finding objects, never as data."""
    report = _blank_heavy_case()
    seen: list[Any] = []

    @C.define_check("MY_LAZY_PROBE", severity=gk.Severity.WARNING, title_en="probe", title_zh="探测")
    def probe(ctx: C.CheckContext) -> tuple[C.Finding, ...]:
        seen.append(ctx.statuses)
        return (C.Finding("MY_LAZY_PROBE", gk.Severity.WARNING, "探", "probe", "三"),)

    with C.using(probe):
        result = gk.validate(report, suggestions=False)
    assert seen
    assert result.verdict is gk.Verdict.UNASSESSED
    assert [f.code for f in result.issues].count("MY_LAZY_PROBE") == 1
    assert all(type(f) is C.Finding for f in result.issues)
    ctx = C.CheckContext.of(report)
    for check in _builtin.IDENTITY_CHECKS:
        outcome = check.run(ctx)
        assert type(outcome) is C.CheckOutcome
        assert all(type(f) is C.Finding for f in outcome.findings)
        assert type(check.function(ctx)) is C.CheckOutcome
        assert outcome.findings == result.by_code(check.code)


def test_a_result_made_by_hand_or_unpickled_is_eager() -> None:
    finding = C.Finding("MY_CODE", gk.Severity.ERROR, "中", "en")
    made = gk.ValidationResult((finding,), ())
    assert _findings._parts(made) is None
    assert made.verdict is gk.Verdict.INCONSISTENT
    assert made.issues == (finding,)
    lazy = gk.validate(_blank_heavy_case(), suggestions=False)
    back = pickle.loads(pickle.dumps(lazy))
    assert _findings._parts(back) is None
    assert back == lazy
    with pytest.raises(AttributeError):
        lazy.no_such_attribute  # noqa: B018
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        lazy.issues = ()  # type: ignore[misc]


@settings(max_examples=60, deadline=None)
@given(damaged_reports())
def test_a_context_whose_statuses_are_made_when_read_gives_evaluates(report: gk.AnnualReport) -> None:
    """A report with blanks: the context's statuses are made on their first read from the raw ones (an
    identity with a blank left ``UNASSESSED``), and they are ``evaluate``'s, as the context's fields."""
    from gongkai_model.checks import _sanity

    got = _sanity.clean_values(report)
    if got is None:
        return  # a forged report: validate makes its context by the thorough path (the scan's)
    cells = got
    shape = shape_of(report)
    expected = tuple(_identities.evaluate(i, cells, False) for i in _identities.identities(shape))
    fresh = _registry.context(report, cells)
    raw = _registry.raw_of(fresh)
    assert len(raw) == len(expected)
    for got, want in zip(raw, expected, strict=True):  # the raw statuses say what decides a result
        assert (got.ok, got.assessable) == (want.ok, want.assessable)
        assert got is want or got is _identities.UNASSESSED or got == want
    assert _registry.context(report, cells) == C.CheckContext(report, shape, cells, False, expected)
    assert pickle.loads(pickle.dumps(_registry.context(report, cells))).statuses == expected
    assert attrs.evolve(_registry.context(report, cells)).statuses == expected
    assert fresh.statuses == expected
    assert fresh.statuses is fresh.statuses  # made once
    with _thorough():
        assert _registry.context(report, cells).statuses == expected


def test_threads_reading_a_fresh_context_at_once_see_one_tuple_of_statuses() -> None:
    report = _blank_heavy_case()
    cells = values(report)
    expected = tuple(_identities.evaluate(i, cells, False) for i in _identities.identities(shape_of(report)))
    for _ in range(5):
        ctx = _registry.context(report, cells)
        barrier = threading.Barrier(8)
        got: list[Any] = []

        def run(ctx: C.CheckContext = ctx, barrier: threading.Barrier = barrier, got: list[Any] = got) -> None:
            barrier.wait()
            got.append(ctx.statuses)

        threads = [threading.Thread(target=run) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(got) == 8
        assert all(s is got[0] for s in got)
        assert got[0] == expected
    if FAST_PATHS:
        assert any(s is _identities.UNASSESSED for s in _registry.raw_of(_registry.context(report, cells)))


def test_what_a_users_check_gives_beyond_plain_findings_is_as_before() -> None:
    """A subclass of Finding (numbered at once, as before) and an object that is no finding (the validation
    fails as it did: a ``CHECK_FAILED`` finding), beside the identity checks' findings left as data."""

    @attrs.frozen
    class MyFinding(C.Finding):
        pass

    sub = C.define_check("MY_SUBCLASS", severity=gk.Severity.WARNING, title_en="sub", title_zh="子")(
        lambda ctx: (MyFinding("MY_SUBCLASS", gk.Severity.WARNING, "子", "sub", "三"),)
    )
    junk = C.define_check("MY_JUNK", severity=gk.Severity.WARNING, title_en="junk", title_zh="杂")(
        lambda ctx: ("not a finding",)
    )
    report = _blank_heavy_case()
    for extra in (sub, junk):
        with C.using(extra):
            got = gk.validate(report, suggestions=False)
            with _thorough():
                eager = gk.validate(report, suggestions=False)
        assert _findings._parts(got) is None  # made at once
        assert repr(got) == repr(eager)
        assert got.summary() == eager.summary()
    assert any(type(f) is MyFinding for f in gk.validate(report, checks=[sub]).issues)
    with C.using(junk):
        assert [f.code for f in gk.validate(report, suggestions=False).issues] == ["CHECK_FAILED"]
