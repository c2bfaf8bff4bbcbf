"""Records: the long-format bridge, and building reports back from them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gongkai_model as gk

from strategies import records_of, reports, table_reports


@settings(max_examples=300)
@given(table_reports())
def test_from_records_inverts_to_records(report: gk.AnnualReport) -> None:
    rebuilt = gk.from_records(gk.to_records(report), agency=report.agency, year=report.year)
    assert rebuilt == report


@settings(max_examples=200)
@given(table_reports())
def test_generated_to_records_is_the_thorough_one(report: gk.AnnualReport) -> None:
    """The generated ``to_records`` of each shape gives the records of the layout zipped with the values."""
    from gongkai_model.model import layout, shape_of, values
    from gongkai_model.records import Record, _slow_to_records

    got = gk.to_records(report)
    assert got == _slow_to_records(report)
    assert all(type(r) is Record for r in got)
    cells = layout(shape_of(report))
    assert [(c.table, c.row, c.column, v, c.path) for c, v in zip(cells, values(report), strict=True)] == [
        tuple(r) for r in got
    ]
    assert [type(r.value) for r in got] == [type(v) for v in values(report)]


@given(table_reports())
def test_mappings_and_any_order_work(report: gk.AnnualReport) -> None:
    recs = list(reversed(records_of(report)))
    for r in recs:
        del r["path"]  # the path is informative; labels are what identify a cell
    assert gk.from_records(recs, agency=report.agency, year=report.year) == report


@given(table_reports(), st.data())
def test_missing_records_are_blank_cells(report: gk.AnnualReport, data: st.DataObject) -> None:
    recs = gk.to_records(report)
    dropped = data.draw(st.sets(st.sampled_from(range(len(recs))), max_size=20))
    kept = [r for i, r in enumerate(recs) if i not in dropped]
    rebuilt = gk.from_records(kept, agency=report.agency, year=report.year, edition=report.edition)
    if rebuilt.table3.subtotal_column == report.table3.subtotal_column and (
        rebuilt.single_other_row == report.single_other_row
    ):
        for i, (before, after) in enumerate(zip(recs, gk.to_records(rebuilt), strict=True)):
            assert after.value == (None if i in dropped else before.value)


def test_labels_are_matched_through_noise_and_variants() -> None:
    recs = [
        {"table": "三", "row": " （一）予以\u3000公开 ", "column": "自然\n人", "value": 3},
        {"table": "三", "row": "(二)部分公开(区分处理的,只计这一情形,不计其他情形)", "column": "总 计", "value": 4},
        {
            "table": "三",
            "row": "1.申请人无正当理由逾期不补正，行政机关不再处理其政府信息公开申请",
            "column": "\u00a0其他",
            "value": 1,
        },
        {"table": "三", "row": '3.危及"三安全一稳定"', "column": "自然人", "value": 2},
        {"table": "二", "row": "规范性文件", "column": "本年制发件数", "value": 8},  # 2021 report, 2019 label
    ]
    report = gk.from_records(recs, agency="x", year=2023)
    assert report.table3.results.granted.natural_person == 3
    assert report.table3.results.partially_granted.total == 4
    assert isinstance(report.table3.results.other, gk.model.OtherHandling)
    assert report.table3.results.other.no_correction.other == 1
    assert report.table3.results.denied.three_securities_one_stability.natural_person == 2
    assert isinstance(report.table2, gk.model.ProactiveDisclosure2021)
    assert report.table2.normative_documents.issued == 8


def test_single_other_row_in_a_2021_report_gives_the_hybrid_shape() -> None:
    report = gk.from_records(
        [{"table": "三", "row": "（六）其他处理", "column": "总计", "value": 5}], agency="x", year=2024
    )
    assert report.edition is gk.Edition.FORMAT_2021
    assert report.single_other_row
    assert report.table3.results.other == gk.model.ApplicantCounts(total=5)
    assert sum(r.table == "三" for r in gk.to_records(report)) == 161


def test_subtotal_column_is_detected_from_its_label() -> None:
    report = gk.from_records(
        [{"table": "三", "row": "（一）予以公开", "column": "小计", "value": 2}], agency="x", year=2024
    )
    assert report.table3.subtotal_column
    assert report.table3.results.granted.legal_person_subtotal == 2


def test_unknown_labels_duplicates_and_bad_values_are_all_reported_at_once() -> None:
    recs: list[Any] = [
        {"table": "三", "row": "2.其他法律行政止公开", "column": "自然人", "value": 0},
        {"table": "三", "row": "（一）予以公开", "column": "自然人人", "value": 0},
        {"table": "五", "row": "x", "column": "y", "value": 0},
        {"table": "四", "row": "行政复议", "column": "总计", "value": 1},
        {"table": "四", "row": "行政复议", "column": "总计", "value": 1},
        {"table": "四", "row": "复议后起诉", "column": "结果维持"},
        {"table": "四", "row": 7, "column": "结果维持", "value": 1},
    ]
    with pytest.raises(gk.errors.RecordsError) as info:
        gk.from_records(recs, agency="x", year=2023)
    messages = [str(p) for p in info.value.problems]
    assert len(messages) == 6
    assert "unknown row label '2.其他法律行政止公开'" in messages[2]
    assert "did you mean '2.其他法律行政法规禁止公开'?" in messages[2]
    assert "unknown column label '自然人人'" in messages[3]
    assert "unknown table '五'" in messages[4]
    assert "repeats the cell of record 3" in messages[5]
    assert "has no value" in messages[0]
    assert "row must be text" in messages[1]


def test_bad_values_name_the_record_and_the_cell() -> None:
    recs = [
        {"table": "三", "row": "（一）予以公开", "column": "自然人", "value": -2},
        {"table": "四", "row": "行政复议", "column": "总计", "value": "3"},
        {"table": "二", "row": "行政事业性收费", "column": "本年收费金额（单位：万元）", "value": 1.5},
    ]
    with pytest.raises(gk.errors.RecordsError) as info:
        gk.from_records(recs, agency="x", year=2023)
    got = {p.location: p.message for p in info.value.problems}
    assert got == {
        "record 0 (table3.results.granted.natural_person)": "must not be negative, got -2",
        "record 1 (table4.reconsideration.total)": "expected a whole number or None, got str '3'",
        "record 2 (table2.admin_fees.amount)": "expected a Decimal or None, got float 1.5",
    }


def test_both_forms_of_other_handling_is_an_error() -> None:
    recs = [
        {"table": "三", "row": "（六）其他处理", "column": "总计", "value": 1},
        {"table": "三", "row": "3.其他", "column": "总计", "value": 1},
    ]
    with pytest.raises(gk.errors.RecordsError, match="both the single"):
        gk.from_records(recs, agency="x", year=2023)


def test_2019_labels_are_refused_in_a_2021_report_and_vice_versa() -> None:
    with pytest.raises(gk.errors.RecordsError, match="unknown row label '政府集中采购'"):
        gk.from_records(
            [{"table": "二", "row": "政府集中采购", "column": "采购项目数量", "value": 1}], agency="x", year=2022
        )
    with pytest.raises(gk.errors.RecordsError, match=r"unknown row label .3\.其他."):
        gk.from_records([{"table": "三", "row": "3.其他", "column": "总计", "value": 1}], agency="x", year=2019)


def test_money_and_amount_coercions_are_exact() -> None:
    recs = [
        {"table": "二", "row": "政府集中采购", "column": "采购总金额", "value": Decimal("251000")},
        {"table": "二", "row": "规章", "column": "本年新制作数量", "value": 13},
    ]
    report = gk.from_records(recs, agency="x", year=2019)
    assert isinstance(report.table2, gk.model.ProactiveDisclosure2019)
    assert report.table2.procurement.amount == gk.Amount(Decimal(251000), None)
    fee = gk.from_records(
        [{"table": "二", "row": "行政事业性收费", "column": "本年收费金额（单位：万元）", "value": 7545}],
        agency="x",
        year=2024,
    )
    assert fee.table2.admin_fees == gk.model.FeeRow2021(amount=Decimal(7545))


def test_record_objects_are_accepted() -> None:
    @attrs.frozen
    class Mine:
        table: str
        row: str
        column: str
        value: int

    report = gk.from_records([Mine("四", "行政复议", "结果维持", 4)], agency="x", year=2023)
    assert report.table4.reconsideration.upheld == 4


def test_bad_year_is_a_records_error() -> None:
    with pytest.raises(gk.errors.RecordsError, match="2019 report"):
        gk.from_records([], agency="x", year=2010)


# --- the fast path of from_records answers to the thorough path -----------------------------------------


def _outcome(fn: Any, recs: list[Any], report: gk.AnnualReport) -> Any:
    try:
        return fn(recs, agency=report.agency, year=report.year)
    except gk.errors.RecordsError as exc:
        return ("error", exc.problems)


@settings(max_examples=150)
@given(reports(), st.data())
def test_fast_and_thorough_from_records_agree_on_valid_and_damaged_records(
    report: gk.AnnualReport, data: st.DataObject
) -> None:
    from gongkai_model.records import _from_records

    recs: list[Any] = list(gk.to_records(report))
    damage = data.draw(
        st.sampled_from(["none", "dicts", "label", "swap", "drop", "negative", "float", "bool", "bigint", "text"])
    )
    i = data.draw(st.integers(0, len(recs) - 1))
    j = data.draw(st.integers(0, len(recs) - 1))
    if damage == "dicts":
        recs = [r._asdict() for r in recs]
    elif damage == "label":
        recs[i] = recs[i]._replace(row=recs[i].row + " ")
    elif damage == "swap":
        recs[i], recs[j] = recs[j], recs[i]
    elif damage == "drop":
        del recs[i]
    elif damage in ("negative", "float", "bool", "bigint", "text"):
        bad = {"negative": -1, "float": 1.0, "bool": True, "bigint": 10**30, "text": "12"}[damage]
        recs[i] = recs[i]._replace(value=bad)
    assert _outcome(gk.from_records, recs, report) == _outcome(_from_records, recs, report)
