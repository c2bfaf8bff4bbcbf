"""Structure: sections missing or empty, 无 against activity, headings, year and edition."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gongkai_model as gk
from gongkai_model.checks import Severity, _analysis
from gongkai_model.checks._structure import heading_wording, is_none_text, sections
from gongkai_model.model import replace_path


def _codes(result: gk.ValidationResult, prefix: str = "STRUCTURE_") -> list[tuple[str, str | None]]:
    return [(f.code, f.section) for f in result.issues if f.code.startswith(prefix)]


def test_the_seed_report_is_complete() -> None:
    result = gk.validate(gk.examples.seed_report())
    assert _codes(result) == []
    runs = {r.code: r.assessed for r in result.checks_performed}
    assert runs["STRUCTURE_SECTION_EMPTY"] == 6
    assert runs["STRUCTURE_NONE_WITH_ACTIVITY"] == 3  # the three text sections
    assert runs["STRUCTURE_HEADING"] == 0  # no headings recorded


def test_an_empty_section_is_found() -> None:
    seed = gk.examples.seed_report()
    result = gk.validate(attrs.evolve(seed, problems="  \n"))
    (finding,) = [f for f in result.issues if f.code == "STRUCTURE_SECTION_EMPTY"]
    assert (finding.severity, finding.section, finding.table) == (Severity.WARNING, "problems", None)
    assert "五、存在的主要问题及改进情况" in finding.message_zh
    empty_table = seed
    for rec in gk.to_records(seed):
        if rec.table == "四":
            empty_table = replace_path(empty_table, rec.path, None)
    found = [f for f in gk.validate(empty_table).issues if f.code == "STRUCTURE_SECTION_EMPTY"]
    assert [(f.section, f.table) for f in found] == [("table4", "四")]


def test_a_tables_only_report_is_not_judged_for_sections() -> None:
    report = gk.AnnualReport.blank(agency="某区人民政府", year=2023)
    result = gk.validate(report)
    assert _codes(result) == []
    runs = {r.code: r.assessed for r in result.checks_performed}
    assert runs["STRUCTURE_SECTION_EMPTY"] == 0


def test_none_text_where_fees_were_collected() -> None:
    seed = gk.examples.seed_report()
    assert seed.other_matters.text == "无。"
    paid = attrs.evolve(
        seed, other_matters=attrs.evolve(seed.other_matters, info_processing_fee_collected_yuan=Decimal(200))
    )
    (finding,) = [f for f in gk.validate(paid).issues if f.code == "STRUCTURE_NONE_WITH_ACTIVITY"]
    assert finding.section == "other_matters"
    assert finding.quote == "无。"
    assert finding.path == "other_matters.info_processing_fee_collected_yuan"
    assert "200" in finding.message_en
    # 表三's row of applications dropped for unpaid fees shows that fee notices were sent.
    unpaid = seed
    for column in ("natural_person", "total"):
        unpaid = replace_path(unpaid, f"table3.results.other.fee_unpaid.{column}", 1)
    (finding,) = [f for f in gk.validate(unpaid).issues if f.code == "STRUCTURE_NONE_WITH_ACTIVITY"]
    assert (finding.table, finding.path) == ("三", "table3.results.other.fee_unpaid.total")
    # 无 with nothing to report is right.
    assert [f for f in gk.validate(seed).issues if f.code == "STRUCTURE_NONE_WITH_ACTIVITY"] == []


def test_none_overview_while_the_tables_show_applications() -> None:
    seed = gk.examples.seed_report()
    report = attrs.evolve(seed, overview=gk.model.Overview(text="无"))
    assert [f for f in gk.validate(report).issues if f.code == "STRUCTURE_NONE_WITH_ACTIVITY"] == []
    for column in ("natural_person", "total"):
        for row in ("new_received", "results.granted", "results.total"):
            report = replace_path(report, f"table3.{row}.{column}", 2)
    (finding,) = [f for f in gk.validate(report).issues if f.code == "STRUCTURE_NONE_WITH_ACTIVITY"]
    assert finding.section == "overview"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("无", True),
        ("无。", True),
        (" 暂无。", True),
        ("本年度无。", True),
        ("无其他需要报告的事项。", True),
        ("无收费。另有说明。", False),
    ],
)
def test_none_texts(text: str, expected: bool) -> None:
    label = next(info.spec.label for _, name, info in sections() if name == "other_matters")
    assert is_none_text(text, label) is expected


def test_year_after_the_current_one_is_an_error_and_before_2019_a_warning() -> None:
    seed = gk.examples.seed_report()
    later = replace_path(seed, "year", dt.date.today().year + 1)
    (finding,) = [f for f in gk.validate(later).issues if f.code == "STRUCTURE_YEAR"]
    assert (finding.severity, finding.year, finding.path) == (Severity.ERROR, later.year, "year")
    assert not gk.validate(later).ok
    early = replace_path(seed, "year", 2017)
    found = [f for f in gk.validate(early).issues if f.code in ("STRUCTURE_YEAR", "EDITION_YEAR")]
    assert [(f.code, f.severity) for f in found] == [("STRUCTURE_YEAR", Severity.WARNING)]
    assert [f for f in gk.validate(seed).issues if f.code == "STRUCTURE_YEAR"] == []


def test_edition_finding_names_the_year_and_the_table() -> None:
    old = gk.AnnualReport.blank(agency="x", year=2022, edition="2019")
    (finding,) = [f for f in gk.validate(old).issues if f.code == "EDITION_YEAR"]
    assert (finding.year, finding.table, finding.path) == (2022, "二", "table2")
    assert finding.location == "2022年 表二"
    assert finding.key == "EDITION_YEAR|二|||table2|2022|"


def test_headings_as_the_reader_recorded_them() -> None:
    headings = {
        "overview": "一、总体情况",
        "table2": "二、主动公开政府信息情况",
        "table3": "（三）收到和处理政府信息公开申请情况",
        "table4": "四、行政复议、行政诉讼情况",
        "problems": "五、存在问题及改进情况",  # a known variant
        "other_matters": None,  # no such heading in the document
    }
    result = gk.validate(gk.examples.seed_report(), headings=headings)
    got = [(f.code, f.severity, f.section, f.quote) for f in result.issues]
    assert got == [
        ("STRUCTURE_SECTION_MISSING", Severity.WARNING, "other_matters", None),
        ("STRUCTURE_HEADING", Severity.WARNING, "table4", "四、行政复议、行政诉讼情况"),
        ("STRUCTURE_HEADING", Severity.INFO, "problems", "五、存在问题及改进情况"),
    ]
    runs = {r.code: r.assessed for r in result.checks_performed}
    assert runs["STRUCTURE_HEADING"] == 5
    assert runs["STRUCTURE_SECTION_MISSING"] == 6


def test_invalid_headings_are_reported_not_raised() -> None:
    result = gk.validate(gk.examples.seed_report(), headings={"preface": "前言", "overview": 3})  # type: ignore[dict-item]
    bad = [f for f in result.issues if f.code == "STRUCTURE_HEADING"]
    assert [(f.severity, f.section) for f in bad] == [(Severity.ERROR, "preface"), (Severity.ERROR, "overview")]


def test_heading_wording() -> None:
    info = next(info for _, name, info in sections() if name == "problems")
    assert heading_wording("五、存在的主要问题及改进情况", info) == "statutory"
    assert heading_wording("第五部分 存在的主要问题及改进情况", info) == "statutory"
    assert heading_wording("存在的主要问题及整改措施", info) == "alias"
    assert heading_wording("五、下一步工作打算", info) == "other"


_SAYS = st.sampled_from(
    [
        *(None, "", "  ", "无", "无。", " 暂无 ", "\u3000没有；", "本年度无", "本年无。", "暂无其他需要报告的事项"),
        *("无其他需要报告的事项。", "无收费。", "本年度依申请公开无收费情况，无其他事项。", "2023年无收费。"),
        *("（一）无", "(1)无", "1、无", "１．无", "其他：无", "無", "⽆。", "ⓐ无", "〇无"),
    ]
)
_NOTICES = st.sampled_from([None, 0, 3])
_YUAN = st.sampled_from([None, Decimal("0"), Decimal("12.5")])


@settings(max_examples=150)
@given(_SAYS, _SAYS, _SAYS, _SAYS, _NOTICES, _YUAN, _YUAN, st.sampled_from([None, 0, 2]), st.booleans())
def test_the_quick_structure_checks_find_what_the_thorough_ones_find(
    overview: str | None,
    proactive: str | None,
    problems: str | None,
    other: str | None,
    notices: int | None,
    amount: Decimal | None,
    collected: Decimal | None,
    unpaid: int | None,
    active: bool,
) -> None:
    """Sections that say only 无 (or hold nothing), with and without figures showing activity (六's fees, 表三's
    applications dropped for unpaid fees, the tables' totals): the quick way (the default) finds what the thorough
    way (``GONGKAI_NO_FAST_PATHS``) finds, the sections skipped as showing no activity (五) included."""
    seed = gk.examples.seed_report()
    report = attrs.evolve(
        seed,
        overview=gk.model.Overview(text=overview, proactive=proactive),
        problems=problems,
        other_matters=attrs.evolve(
            seed.other_matters,
            text=other,
            info_processing_fee_notices=notices,
            info_processing_fee_amount_yuan=amount,
            info_processing_fee_collected_yuan=collected,
        ),
    )
    if unpaid is not None:
        for column in ("natural_person", "total"):
            report = replace_path(report, f"table3.results.other.fee_unpaid.{column}", unpaid)
    if not active:  # every figure of the tables blank: no activity in 一
        for rec in gk.to_records(report):
            if rec.table in ("二", "三", "四"):
                report = replace_path(report, rec.path, None)
    was = _analysis.FAST_PATHS
    try:
        _analysis.FAST_PATHS = False
        thorough = gk.validate(report, suggestions=False)
        _analysis.FAST_PATHS = True
        quick = gk.validate(report, suggestions=False)
    finally:
        _analysis.FAST_PATHS = was
    assert quick.issues == thorough.issues
    assert quick.checks_performed == thorough.checks_performed


_TABLES = ("二", "三", "四")
_BLANKS = ["kept", "first", "all but first", "all but last", "all", "some", "most"]
# (text half of the time: a report each of whose sections holds text is the one the quick way answers at once)
_ODD = st.one_of(
    st.sampled_from(["本年度共收到申请3件。", "情况见附件", "无", "无。"]), st.sampled_from([None, "", " ", "\u3000\n"])
)


@settings(max_examples=300)
@given(
    st.tuples(
        *(st.sampled_from(["kept", "first", "all but first", "all but last", "all", "some", "most"]) for _ in _TABLES)
    ),
    st.randoms(use_true_random=False),
    _ODD,
    _ODD,
    _ODD,
    _ODD,
    st.sampled_from([False, False, True]),
)
def test_the_structure_checks_read_from_the_analysis_find_what_the_thorough_ones_find(
    blanks: tuple[str, ...],
    rnd: Any,
    overview: str | None,
    proactive: str | None,
    problems: str | None,
    other: str | None,
    headings: bool,
) -> None:
    """The structure checks read what they need of the sections once per validation (the shape's plan, the prose
    from the analysis' texts, a table's first figure looked at before its test): with tables blank in part (their
    first figure, all but it or the last, some, most, all), sections empty, blank or saying only 无, with and
    without headings, the quick way finds what the thorough way (``GONGKAI_NO_FAST_PATHS``) finds."""
    seed = gk.examples.seed_report()
    report = attrs.evolve(
        seed,
        overview=gk.model.Overview(text=overview, proactive=proactive),
        problems=problems,
        other_matters=attrs.evolve(seed.other_matters, text=other),
    )
    records = gk.to_records(report)
    for table, how in zip(_TABLES, blanks, strict=True):
        paths = [rec.path for rec in records if rec.table == table]
        if how == "first":
            chosen = paths[:1]
        elif how == "all but first":
            chosen = paths[1:]
        elif how == "all but last":
            chosen = paths[:-1]
        elif how == "all":
            chosen = paths
        elif how in ("some", "most"):
            chosen = [p for p in paths if rnd.random() < (0.5 if how == "some" else 0.9)]
        else:
            chosen = []
        for path in chosen:
            report = replace_path(report, path, None)
    given_headings = {name: (None if k == 4 else f"{numeral}、标题") for k, (numeral, name, _) in enumerate(sections())}
    was = _analysis.FAST_PATHS
    results = []
    try:
        for fast in (False, True):
            _analysis.FAST_PATHS = fast
            results.append(gk.validate(report, suggestions=False, headings=given_headings if headings else None))
    finally:
        _analysis.FAST_PATHS = was
    thorough, quick = results
    assert quick.issues == thorough.issues
    assert quick.checks_performed == thorough.checks_performed
