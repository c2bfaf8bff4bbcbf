"""Checks: identities, findings, suggestions, the registry."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gongkai_model as gk
from gongkai_model.checks import Finding, Severity, identities, register, registered, unregister
from gongkai_model.checks._identities import identities_of_cell
from gongkai_model.model import Shape, layout, replace_path, shape_of

from strategies import consistent_reports, shapes, table_reports

INFO_ONLY = {"T3_SINGLE_OTHER_ROW"}


def serious(result: gk.ValidationResult) -> list[Finding]:
    return [f for f in result.issues if f.code not in INFO_ONLY]


@settings(max_examples=150)
@given(consistent_reports())
def test_every_valid_report_has_no_issues(report: gk.AnnualReport) -> None:
    result = gk.validate(report)
    assert serious(result) == []
    assert result.ok
    assert result.suggestions == ()
    shape = shape_of(report)
    assert result.assessed >= len(identities(shape))
    assert {r.code for r in result.checks_performed} >= {"T3_BALANCE", "T3_RESULTS_TOTAL", "T3_ROW_TOTAL", "T4_TOTAL"}


@settings(max_examples=300)
@given(consistent_reports(), st.data())
def test_one_changed_cell_is_located_and_repaired(report: gk.AnnualReport, data: st.DataObject) -> None:
    shape = shape_of(report)
    cells = layout(shape)
    of_cell = identities_of_cell(shape)
    index = data.draw(st.sampled_from([i for i, ids in enumerate(of_cell) if ids]))
    cell = cells[index]
    original = cell.get(report)
    new = data.draw(st.integers(0, 10**6).filter(lambda v: v != original))
    result = gk.validate(replace_path(report, cell.path, new))

    assert not result.ok
    broken = [f for f in result.issues if f.severity is Severity.INCONSISTENCY]
    assert len(broken) == len(of_cell[index])  # every identity the cell is in, and no other
    assert all(cell.path in {c.path for c in f.cells} for f in broken)

    top = result.suggestions[0]
    best = [s for s in result.suggestions if (s.score, len(s.changes)) == (top.score, len(top.changes))]
    if len(of_cell[index]) >= 2:
        # Only that cell is in all the broken identities: the repair is unambiguous.
        assert [(c.path, c.current, c.proposed) for c in top.changes] == [(cell.path, new, original)]
        assert len(best) == 1
    else:
        # A cell in one identity (表四): the figures cannot tell which of its cells is wrong,
        # so the changed cell is among the equally good repairs.
        assert (cell.path, original) in {(s.changes[0].path, s.changes[0].proposed) for s in best}
    repaired = result.apply(replace_path(report, cell.path, new), top)
    assert serious(gk.validate(repaired)) == []


@given(consistent_reports(), st.data())
def test_number_typed_into_its_neighbour_is_found_as_a_split(report: gk.AnnualReport, data: st.DataObject) -> None:
    # Moved between two 法人或其他组织 columns, so that 总计 and 小计 of the row still hold.
    row = data.draw(st.sampled_from(["granted", "partially_granted"]))
    path = f"table3.results.{row}"
    counts = getattr(report.table3.results, row)
    amount = data.draw(st.integers(1, 40))
    if counts.commercial < amount:
        return
    moved = replace_path(report, f"{path}.research", counts.research + amount)
    moved = replace_path(moved, f"{path}.commercial", counts.commercial - amount)
    result = gk.validate(moved)
    assert {(f.code, f.column) for f in serious(result)} == {
        ("T3_RESULTS_TOTAL", "科研机构"),
        ("T3_RESULTS_TOTAL", "商业企业"),
    }
    splits = [s for s in result.suggestions if s.kind == "split"]
    assert splits
    # Moving the same amount between the same two columns of any other result row restores the
    # same identities, so the figures cannot single out the row: the real one is among the best.
    best = [s for s in splits if s.score == splits[0].score]
    pair = {(f"{path}.research", counts.research), (f"{path}.commercial", counts.commercial)}
    assert pair in [{(c.path, c.proposed) for c in s.changes} for s in best]


def test_total_printed_as_zero_gets_a_fill_total_suggestion() -> None:
    # The pattern of a real 2023 district report: 行政复议 总计 0 while its parts add up to 11.
    report = gk.examples.seed_report()
    for path, value in [("upheld", 6), ("corrected", 2), ("other", 1), ("pending", 2)]:
        report = replace_path(report, f"table4.reconsideration.{path}", value)
    result = gk.validate(report)
    (finding,) = result.issues
    assert (finding.code, finding.table, finding.row, finding.column) == ("T4_TOTAL", "四", "行政复议", "总计")
    assert (finding.actual, finding.expected, finding.difference) == (0, 11, -11)
    assert finding.path == "table4.reconsideration.total"
    assert len(finding.cells) == 5
    assert "相差 -11" in finding.message_zh
    top = result.suggestions[0]
    assert top.kind == "fill_total"
    assert [(c.path, c.current, c.proposed) for c in top.changes] == [("table4.reconsideration.total", 0, 11)]
    fixed = result.apply(report, top)
    assert gk.validate(fixed).ok
    assert report.table4.reconsideration.total == 0  # the original is unchanged


def test_blank_total_with_filled_parts_is_not_assessable_and_can_be_filled() -> None:
    report = gk.examples.seed_report()
    for path in ("results.granted", "results.total", "new_received"):
        for column in ("natural_person", "total"):
            report = replace_path(report, f"table3.{path}.{column}", 5)
    assert gk.validate(report).issues == ()
    report = replace_path(report, "table3.results.granted.total", None)
    result = gk.validate(report)
    by_code = {(f.code, f.assessable) for f in result.issues}
    assert ("T3_ROW_TOTAL", False) in by_code
    na = next(f for f in result.not_assessable if f.code == "T3_ROW_TOTAL")
    assert na.severity is Severity.INFO
    assert [b.path for b in na.blank_cells] == ["table3.results.granted.total"]
    assert "1 blank cell" in na.message_en
    assert [f.code for f in result.not_assessable] == ["T3_RESULTS_TOTAL", "T3_ROW_TOTAL"]
    (fill,) = result.suggestions
    assert fill.kind == "fill_total"
    assert fill.score == 2
    assert [(c.path, c.current, c.proposed) for c in fill.changes] == [("table3.results.granted.total", None, 5)]
    assert gk.validate(result.apply(report, fill)).issues == ()


def test_blanks_are_never_read_as_zero_unless_asked() -> None:
    report = replace_path(gk.examples.seed_report(), "table4.litigation_direct.upheld", None)
    strict = gk.validate(report)
    assert strict.ok
    assert [(f.code, f.assessable) for f in strict.issues] == [("T4_TOTAL", False)]
    lenient = gk.validate(report, blanks_as_zero=True)
    assert lenient.issues == ()
    report = replace_path(report, "table4.litigation_direct.total", 4)
    lenient = gk.validate(report, blanks_as_zero=True)
    (finding,) = lenient.issues
    assert finding.assessable
    assert [b.path for b in finding.blank_cells] == ["table4.litigation_direct.upheld"]
    assert "read as 0" in finding.message_en


@settings(max_examples=100)
@given(table_reports())
def test_validate_never_raises_and_counts_what_it_assessed(report: gk.AnnualReport) -> None:
    result = gk.validate(report)
    n = len(identities(shape_of(report)))
    identity_runs = sum(r.assessed for r in result.checks_performed if r.code.startswith(("T3_", "T4_")))
    assert identity_runs >= n
    for f in result.issues:
        assert f.code
        assert f.message_zh
        assert f.message_en
        if f.severity is Severity.INCONSISTENCY:
            assert f.actual is not None
            assert f.expected is not None
            assert f.difference == f.actual - f.expected


@given(shapes)
def test_identity_counts_per_shape(shape: Shape) -> None:
    ids = identities(shape)
    t3_rows = 23 if shape.single_other_row else 25
    columns = 8 if shape.subtotal_column else 7
    counts = {code: sum(i.code == code for i in ids) for code in {i.code for i in ids}}
    expected = {"T3_BALANCE": columns, "T3_RESULTS_TOTAL": columns, "T3_ROW_TOTAL": t3_rows, "T4_TOTAL": 3}
    if shape.subtotal_column:
        expected["T3_SUBTOTAL"] = t3_rows
    assert counts == expected


def test_results_total_sums_every_result_leaf() -> None:
    shape = Shape(gk.Edition.FORMAT_2021, False)
    cells = layout(shape)
    ident = next(i for i in identities(shape) if i.code == "T3_RESULTS_TOTAL" and i.column == "自然人")
    # 2 + 8 + 3 + 5 + 3 = 21 leaves (the spec's "22" counts （七）总计, the 22nd row under the label).
    assert len(ident.rhs) == 21
    assert cells[ident.lhs[0]].path == "table3.results.total.natural_person"
    single = next(i for i in identities(Shape(gk.Edition.FORMAT_2019, True)) if i.code == "T3_RESULTS_TOTAL")
    assert len(single.rhs) == 19


def test_not_a_report_is_a_finding_not_an_exception() -> None:
    result = gk.validate({"agency": "x"})  # type: ignore[arg-type]
    assert not result.ok
    assert result.issues[0].code == "NOT_A_REPORT"
    assert gk.checks.validate_series([None]).issues[0].code == "NOT_A_REPORT"  # type: ignore[list-item]
    assert gk.validate(gk.examples.seed_report(), checks=["NOPE"]).issues[0].code == "CHECK_FAILED"


def test_user_checks_register_run_and_fail_safely() -> None:
    @register("TEST_NO_APPLICATIONS", severity=Severity.INFO, title_en="none", title_zh="无")
    def no_applications(ctx: Any) -> Any:
        if ctx.report.table3.new_received.total == 0:
            yield Finding("TEST_NO_APPLICATIONS", Severity.INFO, "本年未收到申请", "no applications")

    @register("TEST_BROKEN", severity=Severity.WARNING, title_en="broken", title_zh="坏")
    def broken(ctx: Any) -> Any:
        raise RuntimeError("boom")

    try:
        result = gk.validate(gk.examples.seed_report())
        codes = [f.code for f in result.issues]
        assert codes == ["TEST_NO_APPLICATIONS", "CHECK_FAILED"]
        assert "boom" in result.issues[1].message_en
        assert not result.ok
        only = gk.validate(gk.examples.seed_report(), checks=["TEST_NO_APPLICATIONS"])
        assert [r.code for r in only.checks_performed] == ["TEST_NO_APPLICATIONS"]
        with pytest.raises(gk.GongkaiError, match="registered already"):
            register("TEST_BROKEN", severity=Severity.INFO, title_en="", title_zh="")(broken)
    finally:
        unregister("TEST_NO_APPLICATIONS")
        unregister("TEST_BROKEN")
    with pytest.raises(gk.GongkaiError):
        unregister("TEST_BROKEN")
    assert all(c.code != "TEST_BROKEN" for c in registered())


def test_every_registered_code_is_documented() -> None:
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[1] / "docs" / "checks.md").read_text(encoding="utf-8")
    for check in registered():
        assert f"`{check.code}`" in doc
    for code in ("NOT_A_REPORT", "CHECK_FAILED"):
        assert f"`{code}`" in doc


def test_stale_suggestion_is_refused() -> None:
    report = replace_path(gk.examples.seed_report(), "table4.reconsideration.upheld", 2)
    result = gk.validate(report)
    with pytest.raises(gk.GongkaiError, match="suggestion was made for"):
        result.apply(gk.examples.seed_report(), next(s for s in result.suggestions if s.changes[0].current == 2))


def test_2019_items_below_zero_warning() -> None:
    report = gk.AnnualReport.blank(agency="x", year=2019)
    report = replace_path(report, "table2.licensing.previous_items", 5)
    report = replace_path(report, "table2.licensing.change", -8)
    (finding,) = [f for f in gk.validate(report).issues if f.code == "T2_ITEMS_BELOW_ZERO"]
    assert finding.severity is Severity.WARNING
    assert (finding.row, finding.column, finding.difference) == ("行政许可", "本年增/减", -3)


def test_edition_and_hybrid_notes() -> None:
    old = gk.AnnualReport.blank(agency="x", year=2021, edition="2019")
    assert [f.code for f in gk.validate(old).issues if f.code == "EDITION_YEAR"] == ["EDITION_YEAR"]
    hybrid = gk.AnnualReport.blank(agency="x", year=2024, single_other_row=True)
    assert "T3_SINGLE_OTHER_ROW" in {f.code for f in gk.validate(hybrid).issues}


# --- cross-year checks -------------------------------------------------------------------------


def _pair(year: int = 2023) -> tuple[gk.AnnualReport, gk.AnnualReport]:
    last = gk.examples.seed_report()
    last = replace_path(last, "year", year) if year != last.year else last
    this = replace_path(last, "year", year + 1)
    return last, this


def test_carry_over_mismatch_is_a_located_warning() -> None:
    last, this = _pair()
    this = replace_path(this, "table3.carried_over.natural_person", 3)
    result = gk.checks.validate_series([this, last])
    (finding,) = result.issues
    assert (finding.code, finding.severity, finding.year) == ("SERIES_CARRY_OVER", Severity.WARNING, 2024)
    assert (finding.row, finding.column, finding.path) == (
        "二、上年结转政府信息公开申请数量",
        "自然人",
        "table3.carried_over.natural_person",
    )
    assert (finding.actual, finding.expected, finding.difference) == (3, 0, 3)
    assert [c.path for c in finding.cells] == [
        "table3.carried_forward.natural_person",
        "table3.carried_over.natural_person",
    ]
    assert result.ok  # warnings do not make a series not ok


def test_in_force_heuristic() -> None:
    last, this = _pair()
    last = replace_path(last, "table2.regulations.in_force", 10)
    this = replace_path(this, "table2.regulations.issued", 2)
    this = replace_path(this, "table2.regulations.repealed", 1)
    assert [
        f.code for f in gk.checks.validate_series([last, replace_path(this, "table2.regulations.in_force", 11)]).issues
    ] == []
    (finding,) = gk.checks.validate_series([last, replace_path(this, "table2.regulations.in_force", 13)]).issues
    assert (finding.code, finding.expected, finding.actual, finding.difference) == ("SERIES_IN_FORCE", 11, 13, 2)


def test_edition_change_skips_table2_but_compares_table3() -> None:
    old = gk.AnnualReport.blank(agency="x", year=2020)
    for column in ("natural_person", "total"):
        old = replace_path(old, f"table3.carried_forward.{column}", 4)
    new = gk.AnnualReport.blank(agency="x", year=2021)
    new = replace_path(new, "table3.carried_over.natural_person", 4)
    result = gk.checks.validate_series([old, new])
    codes = {(f.code, f.severity, f.assessable) for f in result.issues}
    assert ("SERIES_IN_FORCE", Severity.INFO, False) in codes
    carry = [f for f in result.issues if f.code == "SERIES_CARRY_OVER"]
    # 自然人 matches; 总计 is blank this year (not assessable); the other columns are blank on both sides.
    assert [(f.column, f.assessable) for f in carry] == [("总计", False)]


def test_duplicate_years_gaps_and_agencies() -> None:
    last, this = _pair()
    far = replace_path(this, "year", 2027)
    other = replace_path(far, "agency", "别的机关")
    result = gk.checks.validate_series([last, this, this, other])
    codes = sorted((f.code, f.severity.value) for f in result.issues)
    assert codes == [("SERIES_AGENCY", "warning"), ("SERIES_DUPLICATE_YEAR", "error"), ("SERIES_GAP", "info")]
    assert not result.ok
