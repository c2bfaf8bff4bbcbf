"""The model: shapes, labels, value rules, errors."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from decimal import Decimal
from pathlib import Path

import attrs
import pytest
from hypothesis import given

import gongkai_model as gk
from gongkai_model.model import Shape, Value, get_path, layout, replace_path, rows, shape_of

from strategies import reports, shapes

SRC = Path(__file__).resolve().parents[1] / "src"

# The labels of the spec (docs/format.md), typed out here independently of src/.
T2_2021 = {
    "规章": ["本年制发件数", "本年废止件数", "现行有效件数"],
    "行政规范性文件": ["本年制发件数", "本年废止件数", "现行有效件数"],
    "行政许可": ["本年处理决定数量"],
    "行政处罚": ["本年处理决定数量"],
    "行政强制": ["本年处理决定数量"],
    "行政事业性收费": ["本年收费金额（单位：万元）"],
}
T2_2019 = {
    "规章": ["本年新制作数量", "本年新公开数量", "对外公开总数量"],
    "规范性文件": ["本年新制作数量", "本年新公开数量", "对外公开总数量"],
    "行政许可": ["上一年项目数量", "本年增/减", "处理决定数量"],
    "其他对外管理服务事项": ["上一年项目数量", "本年增/减", "处理决定数量"],
    "行政处罚": ["上一年项目数量", "本年增/减", "处理决定数量"],
    "行政强制": ["上一年项目数量", "本年增/减", "处理决定数量"],
    "行政事业性收费": ["上一年项目数量", "本年增/减"],
    "政府集中采购": ["采购项目数量", "采购总金额"],
}
T3_HEAD = [
    "一、本年新收政府信息公开申请数量",
    "二、上年结转政府信息公开申请数量",
    "（一）予以公开",
    "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    "1.属于国家秘密",
    "2.其他法律行政法规禁止公开",
    "3.危及“三安全一稳定”",
    "4.保护第三方合法权益",
    "5.属于三类内部事务信息",
    "6.属于四类过程性信息",
    "7.属于行政执法案卷",
    "8.属于行政查询事项",
    "1.本机关不掌握相关政府信息",
    "2.没有现成信息需要另行制作",
    "3.补正后申请内容仍不明确",
    "1.信访举报投诉类申请",
    "2.重复申请",
    "3.要求提供公开出版物",
    "4.无正当理由大量反复申请",
    "5.要求行政机关确认或重新出具已获取信息",
]
T3_OTHER_2021 = [
    "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    "3.其他",
]
T3_TAIL = ["（七）总计", "四、结转下年度继续办理"]
T3_COLUMNS = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
T4 = {
    r: ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] for r in ["行政复议", "未经复议直接起诉", "复议后起诉"]
}

OTHER_LABELS = [
    "（六）其他处理",
    "信息内容",
    "第二十条第（一）项",
    "第二十条第（五）项",
    "第二十条第（六）项",
    "第二十条第（八）项",
    "第二十条第（九）项",
    "三、本年度办理结果",
    "（三）不予公开",
    "（四）无法提供",
    "（五）不予处理",
    "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
    "申请人情况",
    "法人或其他组织",
    "行政诉讼",
    "总体情况",
    "主动公开政府信息情况",
    "收到和处理政府信息公开申请情况",
    "政府信息公开行政复议、行政诉讼情况",
    "存在的主要问题及改进情况",
    "其他需要报告的事项",
]


def expected_cells(edition: str, single_other: bool) -> list[tuple[str, str, str]]:
    t2 = T2_2019 if edition == "2019" else T2_2021
    t3_rows = T3_HEAD + (["（六）其他处理"] if single_other else T3_OTHER_2021) + T3_TAIL
    return (
        [("二", r, c) for r, cols in t2.items() for c in cols]
        + [("三", r, c) for r in t3_rows for c in T3_COLUMNS]
        + [("四", r, c) for r, cols in T4.items() for c in cols]
    )


@pytest.mark.parametrize(
    ("year", "single", "counts"),
    [
        (2023, None, (10, 175, 15)),
        (2019, None, (22, 161, 15)),
        (2020, None, (22, 161, 15)),
        (2024, True, (10, 161, 15)),
    ],
)
def test_cells_and_labels_of_each_shape(year: int, single: bool | None, counts: tuple[int, int, int]) -> None:
    report = gk.AnnualReport.blank(agency="测试机关", year=year, single_other_row=single)
    recs = gk.to_records(report)
    per_table = Counter(r.table for r in recs)
    assert (per_table["二"], per_table["三"], per_table["四"]) == counts
    assert [(r.table, r.row, r.column) for r in recs] == expected_cells(report.edition.value, report.single_other_row)
    assert all(r.value is None for r in recs)
    assert len({r.path for r in recs}) == len(recs)


def test_subtotal_column_variant_adds_one_column_to_every_row() -> None:
    report = gk.AnnualReport.blank(agency="测试机关", year=2022, subtotal_column=True)
    t3 = [r for r in gk.to_records(report) if r.table == "三"]
    assert len(t3) == 25 * 8
    assert [r.column for r in t3[:8]] == [*T3_COLUMNS[:6], "小计", "总计"]


def test_every_statutory_label_is_written_once_in_src() -> None:
    source = "\n".join(p.read_text(encoding="utf-8") for p in SRC.rglob("*.py"))
    labels = set(OTHER_LABELS) | set(T3_HEAD + T3_OTHER_2021 + T3_TAIL + T3_COLUMNS)
    for table in (T2_2019, T2_2021, T4):
        for row, cols in table.items():
            labels.add(row)
            labels.update(cols)
    counts = {label: len(re.findall(re.escape(f'"{label}"'), source)) for label in labels}
    assert {label: n for label, n in counts.items() if n != 1} == {}


@pytest.mark.parametrize(("year", "edition"), [(2019, "2019"), (2020, "2019"), (2021, "2021"), (2030, "2021")])
def test_edition_follows_the_year(year: int, edition: str) -> None:
    assert gk.Edition.for_year(year).value == edition
    assert gk.AnnualReport.blank(agency="x", year=year).edition.value == edition


def test_edition_can_be_overridden_and_bad_ones_are_refused() -> None:
    assert gk.AnnualReport.blank(agency="x", year=2021, edition="2019").edition is gk.Edition.FORMAT_2019
    with pytest.raises(gk.GongkaiError, match="edition"):
        gk.AnnualReport.blank(agency="x", year=2021, edition="2018")
    with pytest.raises(gk.GongkaiError, match="2019 report"):
        gk.Edition.for_year(2018)


def test_2019_report_cannot_have_three_other_handling_rows() -> None:
    with pytest.raises(gk.errors.ModelError) as info:
        gk.AnnualReport(agency="x", year=2019, table2=gk.model.ProactiveDisclosure2019())
    assert [p.location for p in info.value.problems] == ["table3.results.other"]
    with pytest.raises(gk.errors.ModelError):
        gk.AnnualReport.blank(agency="x", year=2019, single_other_row=False)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (-1, "must not be negative"),
        (True, "got bool True"),
        (1.0, "got float 1.0"),
        ("3", "got str '3'"),
        (Decimal(3), "got Decimal"),
    ],
)
def test_bad_count_is_refused_with_field_named(value: object, message: str) -> None:
    with pytest.raises(gk.errors.ModelError) as info:
        gk.model.OutcomeCounts(corrected=value)  # type: ignore[arg-type]
    (problem,) = info.value.problems
    assert problem.location == "corrected"
    assert problem.label == "结果纠正"
    assert message in problem.message
    assert isinstance(info.value, ValueError)


def test_all_problems_are_reported_at_once() -> None:
    with pytest.raises(gk.errors.ModelError) as info:
        gk.model.ApplicantCounts(natural_person=-1, commercial=1.5, total="x")  # type: ignore[arg-type]
    assert [p.location for p in info.value.problems] == ["natural_person", "commercial", "total"]


@pytest.mark.parametrize(
    ("value", "message"),
    [(1.5, "got float"), (Decimal("NaN"), "finite"), (Decimal(-1), "negative"), (5, "got int 5")],
)
def test_bad_money_is_refused(value: object, message: str) -> None:
    with pytest.raises(gk.errors.ModelError, match=message):
        gk.model.FeeRow2021(amount=value)  # type: ignore[arg-type]


def test_signed_change_may_be_negative_but_not_fractional() -> None:
    assert gk.model.ItemRow2019(change=-8).change == -8
    with pytest.raises(gk.errors.ModelError, match="whole number"):
        gk.model.ItemRow2019(change=Decimal("-0.5"))  # type: ignore[arg-type]


def test_blank_is_none_never_zero() -> None:
    row = gk.model.ApplicantCounts(natural_person=0)
    assert row.natural_person == 0
    assert row.commercial is None


def test_wrong_node_types_are_refused() -> None:
    with pytest.raises(gk.errors.ModelError, match="expected ApplicantCounts"):
        gk.model.Results(granted=gk.model.OutcomeCounts())  # type: ignore[arg-type]
    # agency and year are always passed; None says the document does not name them (issue 16)
    assert gk.AnnualReport(agency=None, year=None).title.endswith(gk.AnnualReport.TITLE)
    with pytest.raises(gk.errors.ModelError, match="whole number"):
        gk.AnnualReport(agency="x", year="2023")  # type: ignore[arg-type]
    with pytest.raises(gk.errors.ModelError, match="report year"):
        gk.AnnualReport(agency="x", year=1999)
    with pytest.raises(gk.errors.ModelError, match=r"datetime\.date"):
        gk.AnnualReport(agency="x", year=2023, published=dt.datetime(2024, 1, 1))  # type: ignore[arg-type]


def test_subtotal_values_need_the_subtotal_column() -> None:
    results = gk.model.Results(granted=gk.model.ApplicantCounts(legal_person_subtotal=3))
    with pytest.raises(gk.errors.ModelError) as info:
        gk.model.Applications(results=results)
    assert info.value.problems[0].location == "results.granted.legal_person_subtotal"
    assert gk.model.Applications(results=results, subtotal_column=True).results.granted.legal_person_subtotal == 3


def test_amount_keeps_the_printed_unit() -> None:
    assert gk.Amount.parse("251000元") == gk.Amount(Decimal(251000), gk.MoneyUnit.YUAN)
    wan = gk.Amount.parse("160.5964万元")
    assert (wan.value, wan.unit, str(wan)) == (Decimal("160.5964"), gk.MoneyUnit.WAN_YUAN, "160.5964万元")
    assert wan.in_yuan() == Decimal("1605964")
    assert gk.Amount.parse("1,200").unit is None
    assert gk.Amount.parse("1,200").in_yuan() is None
    for bad in ["", "abc", "-5元", "5美元"]:
        with pytest.raises(gk.GongkaiError):
            gk.Amount.parse(bad)
    with pytest.raises(gk.errors.ModelError):
        gk.Amount(Decimal(-1))


@given(reports())
def test_replace_path_returns_a_new_report(report: gk.AnnualReport) -> None:
    path = "table3.results.granted.natural_person"
    new = replace_path(report, path, 7)
    assert get_path(new, path) == 7
    assert get_path(report, path) == report.table3.results.granted.natural_person
    changed = [a.path for a, b in zip(gk.to_records(report), gk.to_records(new), strict=True) if a.value != b.value]
    assert changed in ([], [path])


def test_replace_path_validates_and_names_the_path() -> None:
    report = gk.examples.seed_report()
    with pytest.raises(gk.errors.ModelError) as info:
        replace_path(report, "table3.results.granted.natural_person", -3)
    assert info.value.problems[0].location == "table3.results.granted.natural_person"
    with pytest.raises(gk.errors.ModelError, match="not a path"):
        replace_path(report, "table3.nope", 1)
    with pytest.raises(gk.errors.ModelError, match="not a path"):
        get_path(report, "table9")


@given(shapes)
def test_normalised_labels_are_unique_within_each_table(shape: Shape) -> None:
    keys = [(c.table, gk.labels.normalize_label(c.row), gk.labels.normalize_label(c.column)) for c in layout(shape)]
    assert len(set(keys)) == len(keys)


@given(shapes)
def test_blank_of_a_shape_has_that_shape(shape: Shape) -> None:
    year = 2019 if shape.edition is gk.Edition.FORMAT_2019 else 2022
    report = gk.AnnualReport.blank(
        agency="x",
        year=year,
        edition=shape.edition,
        single_other_row=shape.single_other_row,
        subtotal_column=shape.subtotal_column,
    )
    assert shape_of(report) == shape
    assert [r.path for r in rows(shape)] == list(dict.fromkeys(c.path.rsplit(".", 1)[0] for c in layout(shape)))
    assert all(c.kind in Value for c in layout(shape))


def test_reports_are_frozen_and_hashable() -> None:
    report = gk.examples.seed_report()
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        report.year = 2024  # type: ignore[misc]
    assert hash(report) == hash(gk.examples.seed_report())


def test_public_api_is_listed() -> None:
    import gongkai_model.model as model

    for module in (gk, model):
        missing = [name for name in module.__all__ if not hasattr(module, name)]
        assert missing == []
    assert {"AnnualReport", "to_records", "from_records", "GongkaiError", "examples"} <= set(gk.__all__)


def test_shape_all_is_every_valid_shape_once() -> None:
    """Issue 15, item 6: the shapes are enumerated once, in the model; every other is a filter of it."""
    every = Shape.all()
    assert len(set(every)) == len(every) == 6
    for shape in every:  # each is a real shape: a blank report of it has it
        blank = gk.AnnualReport.blank(
            agency="a",
            year=2023,
            edition=shape.edition,
            single_other_row=shape.single_other_row,
            subtotal_column=shape.subtotal_column,
        )
        assert shape_of(blank) == shape
    assert every[0] == Shape(gk.Edition.FORMAT_2021, True, True)  # the single-row （六） form first
    assert Shape.all(subtotal=True) == tuple(s for s in every if s.subtotal_column)
    assert Shape.all(edition=gk.Edition.FORMAT_2019) == (
        Shape(gk.Edition.FORMAT_2019, True, True),
        Shape(gk.Edition.FORMAT_2019, True, False),
    )
