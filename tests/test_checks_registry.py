"""The check registry: the built-ins in one explicit list, checks per call, checks scoped to a block and a thread."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

import gongkai_model as gk
from gongkai_model.checks import (
    Check,
    CheckContext,
    Finding,
    Severity,
    builtin_checks,
    define_check,
    register,
    registered,
    unregister,
    using,
)


@define_check("TEST_AGENCY", severity=Severity.INFO, title_en="agency", title_zh="机关")
def agency_check(ctx: CheckContext) -> Iterator[Finding]:
    yield Finding("TEST_AGENCY", Severity.INFO, ctx.report.agency, ctx.report.agency)


def codes(result: gk.ValidationResult) -> list[str]:
    return [f.code for f in result.issues]


def test_the_builtins_are_one_explicit_list_and_start_the_registry() -> None:
    builtins = builtin_checks()
    assert registered() == builtins
    assert len({c.code for c in builtins}) == len(builtins)
    assert all(isinstance(c, Check) for c in builtins)
    assert [c.scope for c in builtins if c.code.startswith("SERIES_")] == ["series"] * 5
    assert builtins[0].code == "T3_BALANCE"  # the identities first: findings keep their order


def test_define_check_registers_nothing() -> None:
    assert isinstance(agency_check, Check)
    assert agency_check.code == "TEST_AGENCY"
    assert "TEST_AGENCY" not in {c.code for c in registered()}
    with pytest.raises(gk.GongkaiError, match="invalid check"):
        define_check("TEST_X", severity=Severity.INFO, title_en="", title_zh="", scope="year")


def test_checks_per_call_run_exactly_those() -> None:
    report = gk.examples.seed_report()
    result = gk.validate(report, checks=[agency_check])
    assert codes(result) == ["TEST_AGENCY"]
    assert [r.code for r in result.checks_performed] == ["TEST_AGENCY"]
    mixed = gk.validate(report, checks=["EDITION_YEAR", agency_check])
    assert [r.code for r in mixed.checks_performed] == ["EDITION_YEAR", "TEST_AGENCY"]
    assert codes(gk.validate(report)) == []  # nothing stayed behind
    assert codes(gk.validate(report, checks=["NOPE"])) == ["CHECK_FAILED"]


def test_read_then_check_takes_the_checks_per_call() -> None:
    page = gk.formats.render_html(gk.examples.seed_report()).encode()
    checked = gk.check(page, checks=[agency_check])
    assert checked.validation is not None
    assert codes(checked.validation) == ["TEST_AGENCY"]


def test_a_scoped_check_runs_in_its_block_only() -> None:
    report = gk.examples.seed_report()
    with using(agency_check) as added:
        assert added == (agency_check,)
        assert codes(gk.validate(report)) == ["TEST_AGENCY"]
        assert registered()[-1] is agency_check
        assert gk.validate(report, checks=["TEST_AGENCY"]).checks_performed[0].code == "TEST_AGENCY"
    assert codes(gk.validate(report)) == []
    assert agency_check not in registered()


def test_a_scoped_check_is_gone_after_an_exception() -> None:
    with pytest.raises(RuntimeError), using(agency_check):
        raise RuntimeError("inside")
    assert agency_check not in registered()


def test_scoped_blocks_nest_and_a_clash_needs_replace() -> None:
    other = define_check("TEST_OTHER", severity=Severity.INFO, title_en="o", title_zh="o")(lambda ctx: ())
    with using(agency_check), using(other):
        assert [c.code for c in registered()[-2:]] == ["TEST_AGENCY", "TEST_OTHER"]
        with pytest.raises(gk.GongkaiError, match="registered already"), using(agency_check):
            pass
    with pytest.raises(gk.GongkaiError, match="registered already"), using(agency_check, agency_check):
        pass
    with pytest.raises(gk.GongkaiError, match="not a Check"), using("TEST_AGENCY"):  # type: ignore[arg-type]
        pass


def test_a_scoped_check_can_stand_in_for_a_builtin() -> None:
    quiet = define_check("EDITION_YEAR", severity=Severity.INFO, title_en="q", title_zh="q")(lambda ctx: ())
    builtin = next(c for c in registered() if c.code == "EDITION_YEAR")
    position = registered().index(builtin)
    with pytest.raises(gk.GongkaiError, match="registered already"), using(quiet):
        pass
    with using(quiet, replace=True):
        assert registered()[position] is quiet  # in the built-in's place, so findings keep their order
    assert registered()[position] is builtin


def test_a_scoped_check_does_not_leak_into_another_thread() -> None:
    report = gk.examples.seed_report()
    both_inside = threading.Barrier(2, timeout=10)
    seen: dict[str, list[str]] = {}

    def other_thread() -> None:
        both_inside.wait()  # the main thread is inside its block now
        seen["other"] = codes(gk.validate(report))
        seen["other registered"] = [c.code for c in registered() if c.code.startswith("TEST_")]
        both_inside.wait()

    thread = threading.Thread(target=other_thread)
    thread.start()
    with using(agency_check):
        both_inside.wait()
        both_inside.wait()  # the other thread has validated meanwhile
        seen["main"] = codes(gk.validate(report))
    thread.join(10)
    assert seen == {"other": [], "other registered": [], "main": ["TEST_AGENCY"]}


def test_another_threads_scope_does_not_leak_into_this_one() -> None:
    inside = threading.Event()
    done = threading.Event()

    def other_thread() -> None:
        with using(agency_check):
            inside.set()
            done.wait(10)

    thread = threading.Thread(target=other_thread)
    thread.start()
    try:
        assert inside.wait(10)
        assert agency_check not in registered()
        assert codes(gk.validate(gk.examples.seed_report())) == []
    finally:
        done.set()
        thread.join(10)


def test_register_and_unregister_still_work_process_wide() -> None:
    def seen_in_thread() -> list[str]:
        got: list[str] = []
        thread = threading.Thread(target=lambda: got.extend(c.code for c in registered()))
        thread.start()
        thread.join(10)
        return got

    @register("TEST_GLOBAL", severity=Severity.INFO, title_en="g", title_zh="g")
    def global_check(ctx: Any) -> Iterator[Finding]:
        return iter(())

    try:
        assert "TEST_GLOBAL" in seen_in_thread()
        with pytest.raises(gk.GongkaiError, match="registered already"):
            register("TEST_GLOBAL", severity=Severity.INFO, title_en="", title_zh="")(global_check)
    finally:
        unregister("TEST_GLOBAL")
    assert "TEST_GLOBAL" not in seen_in_thread()
    assert registered() == builtin_checks()


def test_registering_while_other_threads_validate_is_safe() -> None:
    report = gk.examples.seed_report()
    errors: list[BaseException] = []
    stop = threading.Event()

    def validate_repeatedly() -> None:
        try:
            while not stop.is_set():
                assert codes(gk.validate(report, suggestions=False)) == []
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=validate_repeatedly) for _ in range(2)]
    for t in threads:
        t.start()
    try:
        for i in range(200):
            register(f"TEST_CHURN_{i}", severity=Severity.INFO, title_en="c", title_zh="c")(lambda ctx: ())
            unregister(f"TEST_CHURN_{i}")
    finally:
        stop.set()
        for t in threads:
            t.join(10)
    assert errors == []
    assert registered() == builtin_checks()


def test_a_builtin_checks_chinese_title_is_its_codes_in_the_catalogue() -> None:
    """Written once (codes.py): the built-ins leave ``title_zh`` out and get the catalogue's."""
    from gongkai_model.codes import CATALOGUE

    assert [c.title_zh for c in builtin_checks()] == [CATALOGUE[c.code].zh for c in builtin_checks()]
    made = define_check("T4_TOTAL", severity=Severity.INFO, title_en="x")(lambda ctx: ())
    assert made.title_zh == CATALOGUE["T4_TOTAL"].zh
    mine = define_check("MY_CODE", severity=Severity.INFO, title_en="x", title_zh="我的")(lambda ctx: ())
    assert mine.title_zh == "我的"


def test_a_code_outside_the_catalogue_needs_its_chinese_title() -> None:
    with pytest.raises(gk.GongkaiError) as caught:
        define_check("MY_UNTITLED", severity=Severity.INFO, title_en="x")
    assert [p.location for p in caught.value.problems] == ["MY_UNTITLED"]
    assert "title_zh" in str(caught.value)
    with pytest.raises(gk.GongkaiError):
        register("MY_UNTITLED", severity=Severity.INFO, title_en="x")
