"""compare: changed cells with both values and the difference; shapes that differ; blanks never 0."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest
from hypothesis import given, settings
from test_cases import build

import gongkai_model as gk
from gongkai_model.compare import COMPARISON_COLUMNS
from gongkai_model.model import cells, get_path, replace_path

from conftest import load_case
from strategies import table_reports


def assert_consistent(a: gk.AnnualReport, b: gk.AnnualReport, result: gk.Comparison) -> None:
    """Every shared cell is either unchanged or listed with both values; every other cell is listed once."""
    paths_a = [c.path for c, _ in cells(a)]
    paths_b = [c.path for c, _ in cells(b)]
    shared = [p for p in paths_a if p in set(paths_b)]
    changed = [c.path for c in result.changes]
    assert changed == [p for p in shared if p in set(changed)]  # in a's published order
    for change in result.changes:
        old, new = get_path(a, change.path), get_path(b, change.path)
        assert (change.old, change.new) == (old, new)
        assert (old is None) != (new is None) or old != new
        if isinstance(old, int) and isinstance(new, int):
            assert change.difference == new - old
        elif old is None or new is None:
            assert change.difference is None
    for path in set(shared) - set(changed):
        assert get_path(a, path) == get_path(b, path)
        assert (get_path(a, path) is None) == (get_path(b, path) is None)
    assert result.unchanged == len(shared) - len(changed)
    assert [r.path for r in result.only_in_a] == [p for p in paths_a if p not in set(paths_b)]
    assert [r.path for r in result.only_in_b] == [p for p in paths_b if p not in set(paths_a)]
    assert all(r.value == get_path(a, r.path) for r in result.only_in_a)
    assert all(r.value == get_path(b, r.path) for r in result.only_in_b)


def test_two_years_of_one_agency() -> None:
    a = build(load_case("suqian-shi-2023"))
    b = build(load_case("suqian-shi-2024"))
    result = gk.compare(a, b)
    assert_consistent(a, b, result)
    assert result.changes  # two real years differ
    assert result.only_in_a == result.only_in_b == ()
    assert (result.a_name, result.b_name) == (f"{a.agency} 2023", f"{b.agency} 2024")
    fee = [c for c in result.changes if isinstance(c.old, Decimal) or isinstance(c.new, Decimal)]
    for c in fee:
        if c.old is not None and c.new is not None:
            assert c.difference == c.new - c.old  # exact, with the four decimals
    frame = result.to_frame()
    assert tuple(frame.columns) == COMPARISON_COLUMNS
    assert len(frame) == len(result.changes)
    assert set(frame["status"]) == {"changed"}


def test_two_agencies_of_different_editions() -> None:
    a = build(load_case("shanghai-shizhengfu-bangongting-2019"))
    b = gk.examples.seed_report()
    result = gk.compare(a, b)
    assert_consistent(a, b, result)
    assert len(result.only_in_a) > 0
    assert len(result.only_in_b) > 0
    shared = 198 - len(result.only_in_a)
    assert shared == 200 - len(result.only_in_b)
    assert {r.table for r in result.only_in_a} == {"二", "三"}  # 表二's columns, and the one （六） row
    frame = result.to_frame()
    assert frame["status"].value_counts().to_dict() == {
        "changed": len(result.changes),
        "only_in_a": len(result.only_in_a),
        "only_in_b": len(result.only_in_b),
    }
    only_a = frame[frame["status"] == "only_in_a"]
    assert only_a["new"].isna().all()
    assert frame["old_money"].dtype == object  # the 2019 采购总金额 is an Amount, kept with its unit
    assert str(frame["old"].dtype) == "Int64"  # counts stay integers whatever money is compared


def test_blank_against_zero_is_a_change_without_difference() -> None:
    a = gk.examples.seed_report()
    b = replace_path(a, "table3.new_received.natural_person", None)
    result = gk.compare(a, b)
    assert len(result.changes) == 1
    change = result.changes[0]
    assert (change.old, change.new, change.difference) == (0, None, None)
    assert change.row == "一、本年新收政府信息公开申请数量"
    frame = result.to_frame()
    assert str(frame["old"].dtype) == "Int64"
    assert frame["old"].iloc[0] == 0
    assert frame["new"].isna().iloc[0]
    assert frame["difference"].isna().iloc[0]
    both_blank = gk.compare(b, b)
    assert both_blank.same
    assert both_blank.unchanged == 200


def test_amounts_differ_by_value_only_in_one_unit() -> None:
    base = gk.AnnualReport.blank(agency="示例", year=2020)
    path = "table2.procurement.amount"
    a = replace_path(base, path, gk.Amount.parse("251000元"))
    same_unit = gk.compare(a, replace_path(base, path, gk.Amount.parse("251500元")))
    assert same_unit.changes[0].difference == Decimal("500")
    other_unit = gk.compare(a, replace_path(base, path, gk.Amount.parse("25.1万元")))
    assert other_unit.changes[0].difference is None  # printed in different units: a change, no difference
    frame = other_unit.to_frame()
    assert frame["new_money"].iloc[0] == gk.Amount.parse("25.1万元")
    assert frame["new"].isna().iloc[0]


def test_money_frame_columns() -> None:
    a = gk.examples.seed_report()
    b = replace_path(a, "table2.admin_fees.amount", Decimal("1.2345"))
    b = replace_path(b, "table4.litigation_direct.pending", 4)
    result = gk.compare(a, b)
    frame = result.to_frame()
    assert str(frame["difference"].dtype) == "Int64"  # counts stay integers beside money (issue 17)
    assert frame["difference"].isna().tolist() == [True, False]
    assert frame["difference"].iloc[1] == 4
    assert str(frame["money_difference"].dtype) == "Float64"
    assert frame["money_difference"].iloc[0] == 1.2345
    assert frame["money_difference"].isna().iloc[1]
    exact = result.to_frame(exact=True)
    assert exact["money_difference"].iloc[0] == Decimal("1.2345")
    assert str(exact["difference"].dtype) == "Int64"


def test_empty_comparison_frame() -> None:
    report = gk.examples.seed_report()
    frame = gk.compare(report, report).to_frame()
    assert tuple(frame.columns) == COMPARISON_COLUMNS
    assert len(frame) == 0
    assert gk.compare(report, report).a_name.endswith("(a)")


def test_compare_refuses_what_is_not_a_report() -> None:
    with pytest.raises(gk.GongkaiError) as info:
        gk.compare({"agency": "x"}, 3)  # type: ignore[arg-type]
    assert [p.location for p in info.value.problems] == ["a", "b"]


@settings(max_examples=25)
@given(table_reports(), table_reports())
def test_any_two_reports(a: gk.AnnualReport, b: gk.AnnualReport) -> None:
    result = gk.compare(a, b)
    assert_consistent(a, b, result)
    frame = result.to_frame()
    assert len(frame) == len(result.changes) + len(result.only_in_a) + len(result.only_in_b)
    assert frame["path"].tolist() == [
        *(c.path for c in result.changes),
        *(r.path for r in result.only_in_a),
        *(r.path for r in result.only_in_b),
    ]
    exact = frame["old_money"].dtype == object
    assert str(frame["old"].dtype) == "Int64"
    for (_, row), change in zip(frame.iterrows(), result.changes, strict=False):
        if change.old is None:
            assert pd.isna(row["old"])
            assert pd.isna(row["old_money"])
        elif isinstance(change.old, int):
            assert row["old"] == change.old
        else:
            assert row["old_money"] == (change.old if exact or isinstance(change.old, gk.Amount) else float(change.old))
