"""Issue 19: the identity findings built when read are the findings the eager construction made.

``validate`` makes each identity finding with its code, severity, location and figures, and leaves
its messages and cells to be built when first read (``checks._findings.deferred``). These tests
run the identity checks as they were before (kept here verbatim, the eager construction) beside
the library's, on generated reports (blank-heavy ones, and reports with texts drawn from the real
cases), and compare the results field by field, as text, by hash and key, and after pickling (the
batch's worker processes pickle them) and copying, read or not read before.
"""

from __future__ import annotations

import copy
import pickle
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_text_analysis import reports_with_texts

import gongkai_model as gk
from gongkai_model import from_records
from gongkai_model._codegen import FAST_PATHS
from gongkai_model.checks import (
    CheckContext,
    CheckOutcome,
    Finding,
    Severity,
    _builtin,
    _findings,
    builtin_checks,
    define_check,
)
from gongkai_model.checks._builtin import _WHAT, _ref
from gongkai_model.checks._identities import Identity, IdentityStatus
from gongkai_model.model import layout, shape_of, values
from gongkai_model.model.identities import T3_BALANCE, identities

from strategies import consistent_reports, records_of, reports


def _old_identity_finding(ctx: CheckContext, ident: Identity, status: IdentityStatus) -> Finding | None:
    """The finding for one identity, or ``None`` when it holds (verbatim from before issue 19's deferral)."""
    if status.ok:
        return None
    cells = layout(ctx.shape)
    values = ctx.values
    members = tuple(_ref(cells[m], values[m]) for m in ident.members)
    blanks = tuple(_ref(cells[m], values[m]) for m in status.blanks)
    path = cells[ident.anchor].path if ident.anchor is not None else None
    zh_what, en_what = _WHAT[ident.code]
    where_zh = f"「{ident.column}」列" if ident.row is None else f"{ident.row}「{ident.column}」"
    if not status.assessable:
        names = "、".join(f"{b.row}×{b.column}" for b in blanks)
        bad = sum(m in ctx.invalid for m in status.blanks)
        blank = len(blanks) - bad
        why_zh = "，".join(([f"{bad} 个单元格的值无效"] if bad else []) + ([f"{blank} 个单元格空白"] if blank else []))
        why_en = ", ".join(
            ([f"{bad} cell(s) hold an invalid value"] if bad else []) + ([f"{blank} blank cell(s)"] if blank else [])
        )
        return Finding(
            ident.code,
            Severity.INFO,
            f"{where_zh}：{zh_what}无法核对，{why_zh}（{names}）",
            f"{en_what} cannot be assessed: {why_en} ({names})",
            ident.table,
            ident.row,
            ident.column,
            path,
            cells=members,
            blank_cells=blanks,
            assessable=False,
        )
    actual, expected = status.left, status.right
    diff = actual - expected
    assumed = f"; {len(blanks)} blank cell(s) read as 0" if blanks else ""
    assumed_zh = f"；{len(blanks)} 个空白单元格按 0 计" if blanks else ""
    if ident.code == T3_BALANCE:
        zh = f"{where_zh}：第一项加第二项之和为 {actual}，第三项加第四项之和为 {expected}（相差 {diff}）{assumed_zh}"
        en = f"column {ident.column}: 一 + 二 = {actual} but 三 + 四 = {expected} (difference {diff}){assumed}"
    else:
        zh = f"{where_zh}：填报为 {actual}，各项之和为 {expected}（相差 {diff}）{assumed_zh}"
        en = (
            f"{ident.column} of {ident.row} is {actual} but its parts add up to {expected} (difference {diff}){assumed}"
        )
    return Finding(
        ident.code,
        Severity.INCONSISTENCY,
        zh,
        en,
        ident.table,
        ident.row,
        ident.column,
        path,
        expected=expected,
        actual=actual,
        difference=diff,
        cells=members,
        blank_cells=blanks,
    )


def _old_identity_check(code: str) -> Any:
    def check(ctx: CheckContext) -> CheckOutcome:
        found = []
        mine = [k for k, ident in enumerate(identities(ctx.shape)) if ident.code == code]
        for k in mine:
            status = ctx.statuses[k]
            if not status.ok:
                finding = _old_identity_finding(ctx, identities(ctx.shape)[k], status)
                if finding is not None:
                    found.append(finding)
        return CheckOutcome(len(mine), tuple(found))

    return check


#: Every built-in report check, the identity checks made as before (the eager construction).
EAGER = tuple(
    define_check(c.code, severity=c.severity, title_en=c.title_en, title_zh=c.title_zh)(_old_identity_check(c.code))
    if c in _builtin.IDENTITY_CHECKS
    else c
    for c in builtin_checks()
    if c.scope == "report"
)


@st.composite
def blank_heavy_reports(draw: st.DrawFn) -> gk.AnnualReport:
    """A report with most of its cells blank: whole rows and columns left out, and cells at random."""
    report = draw(st.one_of(consistent_reports(), reports()))
    records = records_of(report)
    rows = sorted({r["row"] for r in records})
    columns = sorted({r["column"] for r in records})
    gone_rows = set(draw(st.lists(st.sampled_from(rows), max_size=len(rows))))
    gone_columns = set(draw(st.lists(st.sampled_from(columns), max_size=3)))
    share = draw(st.sampled_from([0.0, 0.3, 0.6, 0.9, 1.0]))
    coin = draw(st.randoms(use_true_random=False))
    for r in records:
        if r["row"] in gone_rows or r["column"] in gone_columns or coin.random() < share:
            r["value"] = None
    return from_records(records, agency=report.agency, year=report.year)


def _plain(obj: Any) -> Any:
    """Every field of every attrs object, read one by one (a deferred field is built when read)."""
    if attrs.has(type(obj)):
        return (type(obj), tuple((a.name, _plain(getattr(obj, a.name))) for a in attrs.fields(type(obj))))
    if isinstance(obj, tuple):
        return tuple(_plain(x) for x in obj)
    return obj


def _assert_same(report: gk.AnnualReport, **options: Any) -> gk.ValidationResult:
    eager = gk.validate(report, checks=EAGER, **options)
    # fresh results, never read before each comparison: pickled, copied, compared, hashed, shown
    assert pickle.loads(pickle.dumps(gk.validate(report, **options))) == eager
    assert copy.deepcopy(gk.validate(report, **options)) == eager
    assert gk.validate(report, **options) == eager
    assert hash(gk.validate(report, **options).issues) == hash(eager.issues)
    assert repr(gk.validate(report, **options).issues) == repr(eager.issues)
    got = gk.validate(report, **options)
    assert [f.key for f in got.issues] == [f.key for f in eager.issues]  # before anything is built
    assert got.verdict == eager.verdict
    assert got.tally == eager.tally
    assert got.ok == eager.ok
    assert _plain(got) == _plain(eager)  # field by field
    assert got.summary() == eager.summary()
    again = pickle.loads(pickle.dumps(got))  # read, then pickled
    assert _plain(again) == _plain(eager)
    return got


@settings(max_examples=60, deadline=None)
@given(blank_heavy_reports(), st.booleans())
def test_deferred_findings_of_blank_heavy_reports(report: gk.AnnualReport, blanks_as_zero: bool) -> None:
    _assert_same(report, blanks_as_zero=blanks_as_zero, suggestions=False)


@settings(max_examples=40, deadline=None)
@given(st.one_of(reports(), consistent_reports(), blank_heavy_reports()))
def test_deferred_findings_with_suggestions(report: gk.AnnualReport) -> None:
    _assert_same(report)


@settings(max_examples=40, deadline=None)
@given(reports_with_texts(), st.booleans())
def test_deferred_findings_of_reports_with_texts(report: gk.AnnualReport, blanks_as_zero: bool) -> None:
    _assert_same(report, blanks_as_zero=blanks_as_zero, suggestions=False)


def test_the_real_cases_and_the_blank_heavy_ones_give_deferred_findings() -> None:
    """The real case with many blanks: its 38 info findings are deferred, and equal the eager ones."""
    from test_text_analysis import _bench

    for case in _bench().real_cases():
        for report in (case.figures, case.read):
            if report is not None:
                _assert_same(report, suggestions=False)
                _assert_same(report)
    blank = next(c.figures for c in _bench().real_cases() if c.name == "shanghai-shizhengfu-bangongting-2019")
    fresh = gk.validate(blank, suggestions=False)
    pending = [f for f in fresh.issues if _has_pending(f)]
    if not FAST_PATHS:  # GONGKAI_NO_FAST_PATHS: every finding built at once
        assert not pending
        return
    assert len(pending) >= 30
    assert all(not f.assessable for f in pending)


def test_a_deferred_finding_is_built_once_and_then_holds_its_fields() -> None:
    calls = []

    def build(x: str) -> tuple[str, str, tuple[Any, ...], tuple[Any, ...]]:
        calls.append(x)
        return f"中{x}", f"en{x}", (), ()

    f = _findings.deferred(build, ("1",), "C", Severity.INFO, "三", "r", "c", "p", assessable=False)
    eager = Finding("C", Severity.INFO, "中1", "en1", "三", "r", "c", "p", assessable=False)
    assert f.key == eager.key
    assert not calls
    assert f == eager
    assert hash(f) == hash(eager)
    assert repr(f) == repr(eager)
    assert str(f) == str(eager)
    assert calls == ["1"]
    assert f.message_zh == "中1"
    assert f.cells == ()
    assert calls == ["1"]
    assert attrs.evolve(f, occurrence=2) == attrs.evolve(eager, occurrence=2)
    assert attrs.asdict(f) == attrs.asdict(eager)
    assert type(f) is Finding
    assert attrs.fields(Finding) == attrs.fields(type(eager))


def test_the_fields_of_an_eager_finding_are_read_and_written_as_before() -> None:
    f = Finding("C", "warning", "中", "en", cells=(gk.checks.CellRef("三", "r", "c", "p", 1),))
    assert f.message_en == "en"
    assert f.severity is Severity.WARNING
    assert len(f.cells) == 1
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        f.message_zh = "x"  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(f)) == f


def test_no_fast_paths_builds_every_finding_at_once() -> None:
    """With ``GONGKAI_NO_FAST_PATHS`` (here: the switch off in the module) every finding is eager, and equal."""
    from test_text_analysis import _bench

    blank = next(c.figures for c in _bench().real_cases() if c.name == "shanghai-shizhengfu-bangongting-2019")
    deferred_result = gk.validate(blank, suggestions=False)
    saved = _builtin.FAST_PATHS
    _builtin.FAST_PATHS = False
    try:
        eager = gk.validate(blank, suggestions=False)
    finally:
        _builtin.FAST_PATHS = saved
    assert not any(_has_pending(f) for f in eager.issues)
    assert deferred_result == eager


def _has_pending(f: Finding) -> bool:
    try:
        return _findings._PENDING.__get__(f, Finding) is not None
    except AttributeError:
        return False


def test_shapes_are_interned() -> None:
    report = gk.examples.seed_report()
    assert shape_of(report) is shape_of(gk.examples.seed_report())
    assert values(report) == values(gk.examples.seed_report())
