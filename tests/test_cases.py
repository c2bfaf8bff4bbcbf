"""The real published reports in ../shared/cases."""

from __future__ import annotations

from typing import Any

import pytest

import gongkai_model as gk

from cases import UNKNOWN, case_cells, case_records

#: Labels the cases print that are not statutory, and what they are (a typo in the published table).
TYPOS = {"2.其他法律行政止公开": "2.其他法律行政法规禁止公开"}


def build(case: dict[str, Any]) -> gk.AnnualReport:
    recs = case_records(case)
    for r in recs:
        r["row"] = TYPOS.get(r["row"], r["row"])
    return gk.from_records(recs, agency=case["agency"], year=case["year"], edition=case["format"])


def test_case_builds_and_keeps_every_published_figure(case: dict[str, Any]) -> None:
    report = build(case)
    assert report.edition.value == case["format"]
    index = {(r.table, gk.normalize_label(r.row), gk.normalize_label(r.column)): r.value for r in gk.to_records(report)}
    aliases = (
        {gk.normalize_label("规范性文件"): gk.normalize_label("行政规范性文件")} if case["format"] == "2021" else {}
    )
    for table, row, column, value in case_cells(case):
        row_key = gk.normalize_label(TYPOS.get(row, row))
        row_key = aliases.get(row_key, row_key) if table == "二" else row_key
        got = index[(table, row_key, gk.normalize_label(column))]
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
    with pytest.raises(gk.RecordsError) as info:
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
    assert isinstance(report.table2, gk.ProactiveDisclosure2019)
    assert report.table2.procurement.amount == gk.Amount.parse("251000元")


def test_unknown_figure_stays_unknown() -> None:
    from conftest import load_case

    report = build(load_case("shanghai-kewei-2024"))
    assert report.table3.carried_forward.total is None
    assert report.table3.carried_forward.natural_person == 1
