"""Text against tables: the figures the sections state, compared with the cells."""

from __future__ import annotations

import attrs
import pytest

import gongkai_model as gk
from gongkai_model.checks import Severity
from gongkai_model.checks._text import TOPICS, section_texts, statements
from gongkai_model.model import layout, replace_path, shape_of

FIGURES = {
    "table3.new_received.natural_person": 19,
    "table3.new_received.commercial": 2,
    "table3.new_received.total": 21,
    "table3.carried_over.natural_person": 2,
    "table3.carried_over.total": 2,
    "table3.results.granted.natural_person": 12,
    "table3.results.granted.total": 12,
    "table3.results.partially_granted.natural_person": 6,
    "table3.results.partially_granted.commercial": 2,
    "table3.results.partially_granted.total": 8,
    "table3.results.total.natural_person": 18,
    "table3.results.total.commercial": 2,
    "table3.results.total.total": 20,
    "table3.carried_forward.natural_person": 3,
    "table3.carried_forward.total": 3,
    "table4.reconsideration.upheld": 170,
    "table4.reconsideration.total": 170,
    "table4.litigation_direct.upheld": 70,
    "table4.litigation_direct.total": 70,
    "table4.litigation_after_review.other": 7,
    "table4.litigation_after_review.total": 7,
}

AGREEING = (
    "2023年，本机关共收到政府信息公开申请21件，上年结转2件。全年共办结政府信息公开申请20件，"
    "其中予以公开12件，部分公开8件；结转下年度继续办理3件。"
    "因政府信息公开被申请行政复议170件，提起行政诉讼77件。"
)


def _report(text: str | None = AGREEING, **texts: str | None) -> gk.AnnualReport:
    report = gk.examples.seed_report()
    for path, value in FIGURES.items():
        report = replace_path(report, path, value)
    report = attrs.evolve(report, overview=attrs.evolve(report.overview, text=text))
    return attrs.evolve(report, **texts) if texts else report


def _text_findings(report: gk.AnnualReport) -> list[gk.Finding]:
    result = gk.validate(report)
    return [f for f in result.issues if f.code.startswith("TEXT_TABLE_")]


def test_agreeing_text_stays_quiet_and_is_assessed() -> None:
    report = _report()
    assert gk.validate(report).ok
    assert _text_findings(report) == []
    runs = {r.code: r.assessed for r in gk.validate(report).checks_performed}
    assert {code: runs[code] for code in (t.code for t in TOPICS)} == {t.code: 1 for t in TOPICS}


def test_the_seed_report_gives_no_text_finding() -> None:
    seed = gk.examples.seed_report()
    assert [p for p, _ in section_texts(seed)] == [
        "overview.text",
        "overview.proactive",
        "overview.on_request",
        "problems",
        "other_matters.text",
    ]
    assert _text_findings(seed) == []
    assert gk.validate(seed).issues == ()


def test_the_real_contradiction_of_a_city_report() -> None:
    # A city's 2024 report states 134 reconsiderations and 57 lawsuits where its 表四 says 170 and 77.
    report = _report(None, problems="本年度，因政府信息公开引发行政复议案件134件，行政诉讼57件。")
    found = _text_findings(report)
    assert [(f.code, f.actual, f.expected, f.difference) for f in found] == [
        ("TEXT_TABLE_RECONSIDERATION", 134, 170, -36),
        ("TEXT_TABLE_LITIGATION", 57, 77, -20),
    ]
    review, lawsuits = found
    assert all(f.severity is Severity.WARNING for f in found)
    assert review.section == "problems"
    assert review.quote == "本年度，因政府信息公开引发行政复议案件134件，行政诉讼57件"
    assert (review.table, review.row, review.column, review.path) == (
        "四",
        "行政复议",
        "总计",
        "table4.reconsideration.total",
    )
    assert "134" in review.message_zh
    assert "170" in review.message_zh
    assert review.quote in review.message_zh
    # Lawsuits are compared with the two 行政诉讼 blocks together, both cells named.
    assert [c.path for c in lawsuits.cells] == [
        "table4.litigation_direct.total",
        "table4.litigation_after_review.total",
    ]
    assert (lawsuits.row, lawsuits.column, lawsuits.path) == ("行政诉讼", "总计", None)
    assert gk.validate(report).ok  # a warning, never an inconsistency


@pytest.mark.parametrize(
    ("sentence", "code", "stated", "table"),
    [
        ("本年度共收到政府信息公开申请25件。", "TEXT_TABLE_RECEIVED", 25, 21),
        ("全年新收政府信息公开申请２５件。", "TEXT_TABLE_RECEIVED", 25, 21),  # full-width digits
        ("依申请公开方面，本机关受理公民、法人和其他组织提出的政府信息公开申请30件。", "TEXT_TABLE_RECEIVED", 30, 21),
        ("政府信息公开申请共收到1,025件。", "TEXT_TABLE_RECEIVED", 1025, 21),
        ("上年结转政府信息公开申请5件。", "TEXT_TABLE_CARRIED_OVER", 5, 2),
        ("截至年底，结转下年度继续办理的申请4件。", "TEXT_TABLE_CARRIED_FORWARD", 4, 3),
        ("另有申请1件结转至下一年度办理。", "TEXT_TABLE_CARRIED_FORWARD", 1, 3),
        ("全年共办结政府信息公开申请19件。", "TEXT_TABLE_HANDLED", 19, 20),
        ("对申请人的申请，予以公开11件。", "TEXT_TABLE_GRANTED", 11, 12),
        ("全年发生政府信息公开行政复议3起。", "TEXT_TABLE_RECONSIDERATION", 3, 170),
        ("被提起行政诉讼2宗。", "TEXT_TABLE_LITIGATION", 2, 77),
    ],
)
def test_constructed_contradictions_are_found(sentence: str, code: str, stated: int, table: int) -> None:
    report = _report(AGREEING.replace("。", "。", 1) + sentence)
    found = _text_findings(report)
    assert [(f.code, f.actual, f.expected) for f in found] == [(code, stated, table)]
    assert found[0].quote == sentence.rstrip("。")
    assert found[0].section == "overview.text"


def test_受理_may_include_the_carried_over_applications() -> None:
    # 21 new + 2 carried over: "受理23件" agrees with the table.
    assert _text_findings(_report("本年度共受理政府信息公开申请23件。")) == []


@pytest.mark.parametrize(
    "sentence",
    [
        "本年度共收到政府信息公开申请25件，同比增长19%。",  # a comparison over time
        "共收到政府信息公开申请25件，较上年减少3件。",
        "2022年共收到政府信息公开申请25件。",  # another year
        "去年收到政府信息公开申请25件。",
        "自2019年以来累计收到政府信息公开申请250件。",
        "共收到政府信息公开申请25件（含电子邮件申请3件）。",  # two figures for the topic
        "收到政府信息公开申请25件、30件。",
        "因政府信息公开引发的行政复议和行政诉讼共9件。",  # two topics summed in one clause
        "行政复议纠错1件。",  # an outcome, not the total
        "行政诉讼败诉2件。",
        "复议后提起行政诉讼3件。",  # one block only
        "部分予以公开4件。",
        "不予公开5件。",
        "制作转发信息52条。",  # no 件
        "收到群众来信25件。",  # not about applications
    ],
)
def test_ambiguous_sentences_give_no_finding(sentence: str) -> None:
    assert _text_findings(_report(AGREEING + sentence)) == []


def test_a_sentence_repeated_in_a_sub_text_is_compared_once() -> None:
    sentence = "本年度共收到政府信息公开申请25件。"
    report = _report(sentence)
    report = attrs.evolve(report, overview=attrs.evolve(report.overview, on_request=sentence))
    found = _text_findings(report)
    assert [(f.code, f.section) for f in found] == [("TEXT_TABLE_RECEIVED", "overview.text")]


def test_several_contradicting_sentences_get_distinct_keys() -> None:
    report = _report("共收到政府信息公开申请25件。\n本年度新收政府信息公开申请26件。")
    found = _text_findings(report)
    assert [f.actual for f in found] == [25, 26]
    assert len({f.key for f in found}) == 2


def test_blank_cells_are_not_compared() -> None:
    report = replace_path(_report("共收到政府信息公开申请25件。"), "table3.new_received.total", None)
    assert _text_findings(report) == []
    runs = {r.code: r.assessed for r in gk.validate(report).checks_performed}
    assert runs["TEXT_TABLE_RECEIVED"] == 0


def test_topic_cells_are_cells_of_every_shape() -> None:
    for shape in {shape_of(gk.AnnualReport.blank(agency="x", year=y)) for y in (2019, 2023)}:
        paths = {c.path for c in layout(shape)}
        for topic in TOPICS:
            assert set(topic.cells) <= paths
            assert set(topic.also) <= paths


def test_statements_are_found_in_each_text_section() -> None:
    report = _report(
        None,
        problems="共收到政府信息公开申请25件。",
        other_matters=gk.model.OtherMatters(text="被申请行政复议9件。"),
    )
    got = {(s.topic.code, s.section, s.figure) for topic in TOPICS for s in statements(report, topic)}
    assert got == {("TEXT_TABLE_RECEIVED", "problems", 25), ("TEXT_TABLE_RECONSIDERATION", "other_matters.text", 9)}
