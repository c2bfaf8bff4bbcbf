"""The real published reports in tests/data/cases."""

from __future__ import annotations

from typing import Any

import pytest

import gongkai_model as gk

from cases import TYPOS, UNKNOWN, build, case_cells, case_records


def test_case_builds_and_keeps_every_published_figure(case: dict[str, Any]) -> None:
    report = build(case)
    assert report.edition.value == case["format"]
    index = {
        (r.table, gk.labels.normalize_label(r.row), gk.labels.normalize_label(r.column)): r.value
        for r in gk.to_records(report)
    }
    aliases = (
        {gk.labels.normalize_label("规范性文件"): gk.labels.normalize_label("行政规范性文件")}
        if case["format"] == "2021"
        else {}
    )
    for table, row, column, value in case_cells(case):
        row_key = gk.labels.normalize_label(TYPOS.get(row, row))
        row_key = aliases.get(row_key, row_key) if table == "二" else row_key
        got = index[(table, row_key, gk.labels.normalize_label(column))]
        assert got == (None if value is UNKNOWN else value), (table, row, column)


def test_case_shapes() -> None:
    from conftest import load_case

    shapes = {}
    for name in ("shanghai-shizhengfu-bangongting-2019", "huaian-hongze-qu-2024", "seed-xicheng-xinfang-2023"):
        report = build(load_case(name))
        shapes[name] = (report.edition.value, report.single_other_row, len(gk.to_records(report)))
    assert shapes == {
        "shanghai-shizhengfu-bangongting-2019": ("2019", True, 198),
        "huaian-hongze-qu-2024": ("2021", True, 186),
        "seed-xicheng-xinfang-2023": ("2021", False, 200),
    }


def test_published_typo_is_named_with_its_statutory_label() -> None:
    from conftest import load_case

    case = load_case("huaian-hongze-qu-2024")
    with pytest.raises(gk.errors.RecordsError) as info:
        gk.from_records(case_records(case), agency=case["agency"], year=case["year"])
    problems = info.value.problems
    assert len(problems) == 7  # one per record of that row
    for problem in problems:
        assert "'2.其他法律行政止公开'" in problem.message
        assert "did you mean '2.其他法律行政法规禁止公开'?" in problem.message


def test_seed_example_matches_the_published_figures() -> None:
    from conftest import load_case

    case = load_case("seed-xicheng-xinfang-2023")
    seed = gk.examples.seed_report()
    assert (seed.agency, seed.year, seed.level) == (case["agency"], case["year"], case["level"])
    assert gk.to_records(seed) == gk.to_records(build(case))
    assert all(r.value == 0 for r in gk.to_records(seed))
    assert (seed.overview.text or "").startswith("按照统一部署")
    assert seed.other_matters.text == "无。"
    assert gk.examples.seed_text().startswith("北京市西城区信访办公室")


def test_blanks_stay_blank_in_the_2019_case() -> None:
    from conftest import load_case

    report = build(load_case("shanghai-shizhengfu-bangongting-2019"))
    assert report.table3.results.granted.total is None
    assert report.table3.new_received.research is None
    assert report.table3.new_received.total == 859
    assert isinstance(report.table2, gk.model.ProactiveDisclosure2019)
    assert report.table2.procurement.amount == gk.Amount.parse("251000元")


def test_unknown_figure_stays_unknown() -> None:
    from conftest import load_case

    report = build(load_case("shanghai-kewei-2024"))
    assert report.table3.carried_forward.total is None
    assert report.table3.carried_forward.natural_person == 1


# --- checks on the real cases: the findings their JSON facts imply ---------------------------------


def test_case_checks_find_no_inconsistency(case: dict[str, Any]) -> None:
    result = gk.validate(build(case))
    assert result.verdict.passes(unassessed=True)  # ok, or most identities blank: never inconsistent
    assert [f for f in result.issues if f.severity is not gk.Severity.INFO] == []
    assert all(not f.assessable or f.code in {"T3_SINGLE_OTHER_ROW"} for f in result.issues)


@pytest.mark.parametrize("name", ["seed-xicheng-xinfang-2023", "suqian-shi-2023", "suqian-shi-2024"])
def test_consistent_cases_give_no_finding(name: str) -> None:
    from conftest import load_case

    result = gk.validate(build(load_case(name)))
    assert result.issues == ()
    assert result.suggestions == ()
    assert result.assessed >= 42


def test_hybrid_case_is_noted() -> None:
    from conftest import load_case

    result = gk.validate(build(load_case("huaian-hongze-qu-2024")))
    assert [f.code for f in result.issues] == ["T3_SINGLE_OTHER_ROW"]


def test_unrecovered_figure_makes_its_identities_not_assessable() -> None:
    from conftest import load_case

    result = gk.validate(build(load_case("shanghai-kewei-2024")))
    assert {(f.code, f.row, f.column) for f in result.not_assessable} == {
        ("T3_ROW_TOTAL", "四、结转下年度继续办理", "总计"),
        ("T3_BALANCE", None, "总计"),
    }
    for f in result.not_assessable:
        assert [b.path for b in f.blank_cells] == ["table3.carried_forward.total"]
    # Both identities say the same missing figure: 1 (its row) and 2 + 34 - 35 (its column).
    (fill,) = result.suggestions
    assert [(c.path, c.proposed) for c in fill.changes] == [("table3.carried_forward.total", 1)]
    assert fill.score == 2


def test_blank_legal_person_columns_pass_only_when_read_as_zero() -> None:
    from conftest import load_case

    report = build(load_case("shuyang-fagaiju-2023"))
    strict = gk.validate(report)
    assert strict.verdict == "unassessed"  # nothing breaks, but 35 of 42 identities cannot be assessed
    assert not strict.ok
    assert len(strict.not_assessable) == 25 + 5 + 5  # every row total; balance and （七） of 5 blank columns
    assert gk.validate(report, blanks_as_zero=True).issues == ()


def test_shanghai_2019_blank_totals() -> None:
    from conftest import load_case

    case = load_case("shanghai-shizhengfu-bangongting-2019")
    report = build(case)
    strict = gk.validate(report)
    assert strict.verdict == "unassessed"  # nothing breaks, but 38 of 40 identities cannot be assessed
    assert strict.suggestions == ()  # a blank total beside blank parts is never guessed
    lenient = gk.validate(report, blanks_as_zero=True)
    broken = {f.row for f in lenient.issues if f.severity is gk.Severity.INCONSISTENCY}
    # Read as 0, the blank 总计 of each result row whose parts are not all blank breaks its row total.
    printed_blank_total = {
        row for row, values in case["table3"].items() if values[6] == "" and any(v not in ("", 0) for v in values[:6])
    }
    assert broken == printed_blank_total | {"（七）总计"}
    # ... and the 总计 column no longer adds up to the printed （七）总计 805.
    assert {(f.code, f.column) for f in lenient.issues if f.row == "（七）总计"} == {("T3_RESULTS_TOTAL", "总计")}
    assert {f.code for f in lenient.issues} == {"T3_ROW_TOTAL", "T3_RESULTS_TOTAL"}
    fills = {s.changes[0].row: s.changes[0].proposed for s in lenient.suggestions if s.kind == "fill_total"}
    assert fills["（一）予以公开"] == 258 + 12 + 1 + 1
    assert fills["1.本机关不掌握相关政府信息"] == 252 + 12 + 1


def test_series_of_real_reports_is_consistent() -> None:
    from conftest import load_case

    later, earlier = build(load_case("suqian-shi-2024")), build(load_case("suqian-shi-2023"))
    result = gk.checks.validate_series([later, earlier])
    assert result.issues == ()
    runs = {r.code: r.assessed for r in result.checks_performed}
    assert runs["SERIES_CARRY_OVER"] == 7
    assert runs["SERIES_IN_FORCE"] == 2
