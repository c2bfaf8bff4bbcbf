"""Markdown as converters write it: round trips over every shape, converter habits, hostile input, misprints."""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_read_text import PROHIBITED, codes, printable_reports, published

import gongkai_model as gk
from gongkai_model import AnnualReport
from gongkai_model.errors import Place, ReadError
from gongkai_model.formats.markdown import parse_markdown, read_markdown, render_markdown
from gongkai_model.formats.text import render_text
from gongkai_model.model import get_path, layout, shape_of

SEED = gk.examples.seed_report()


def _seed_md(merged: str = "repeat") -> str:
    return render_markdown(SEED, merged=merged)


def _lines(text: str) -> list[str]:
    return text.split("\n")


# --- round trips -----------------------------------------------------------------------------------------


@settings(max_examples=40)
@given(printable_reports())
def test_render_then_read_gives_the_same_report(report: AnnualReport) -> None:
    got = read_markdown(render_markdown(report).encode())
    assert got.errors == (), got.summary()
    assert got.report == published(report)


@settings(max_examples=25)
@given(printable_reports())
def test_merged_labels_printed_once_read_the_same(report: AnnualReport) -> None:
    got = read_markdown(render_markdown(report, merged="blank").encode())
    assert got.errors == (), got.summary()
    assert got.report == published(report)


def test_provenance_names_table_row_column_and_line() -> None:
    text = _seed_md()
    got = read_markdown(text.encode(), name="seed.md")
    assert got.ok
    place = got.provenance["table3.new_received.total"].place
    assert (place.source, place.table, place.row, place.column) == ("seed.md", 2, 4, 10)
    assert place.line is not None
    assert _lines(text)[place.line - 1].startswith("| 一、本年新收政府信息公开申请数量")


def test_the_seed_reads_to_the_seed() -> None:
    got = read_markdown(_seed_md().encode())
    assert got.report == published(SEED)
    assert got.headings["overview"] == "一、总体情况"


# --- what converters write -------------------------------------------------------------------------------


def test_bold_headings_escaped_pipes_br_and_entities() -> None:
    text = _seed_md()
    for heading in ("一、总体情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"):
        text = text.replace(f"## {heading}", f"**{heading}**")
    text = text.replace("| 规章 |", "| **规章** |").replace("| 行政许可 |", "| 行政<br>许可 |")
    text = text.replace("| 行政处罚 | 0 |", "| 行政处罚 | &#48; |")
    got = read_markdown(text.encode())
    assert got.ok, got.summary()
    assert got.report == published(SEED)


def test_escaped_pipe_inside_a_cell_is_text() -> None:
    text = _seed_md().replace("| 行政强制 | 0 |", "| 行政强制 | 1\\|2 |")
    got = read_markdown(text.encode())
    assert [p.code for p in got.errors] == ["READ_VALUE_REFUSED"]
    assert got.provenance["table2.coercion.decisions"].text == "1|2"
    assert got.report is not None
    assert got.report.table2.coercion.decisions is None


def test_label_detached_from_its_values() -> None:
    lines = _lines(_seed_md("blank"))
    i = next(k for k, x in enumerate(lines) if x.startswith("| 行政规范性文件 |"))
    cells = lines[i].strip("|").split("|")
    lines[i : i + 1] = [
        "| 行政规范性文件 |" + " |" * (len(cells) - 1),
        "| |" + "|".join(cells[1:]) + "|",
    ]
    got = read_markdown("\n".join(lines).encode())
    assert got.ok, got.summary()
    assert got.report == published(SEED)


def test_one_table_split_into_two() -> None:
    text = _seed_md()
    first = "| 2.重复申请 |"
    lines = _lines(text)
    i = next(k for k, x in enumerate(lines) if first in x)
    width = lines[i].count(" | ") + 1
    lines[i:i] = ["", "第 2 页", "", lines[i], "|" + "---|" * width]
    del lines[i + 5]
    got = read_markdown("\n".join(lines).encode())
    assert got.ok, got.summary()
    assert got.report == published(SEED)
    assert got.provenance["table3.results.not_processed.repeated.total"].place.table == 3


# --- hostile and odd input -------------------------------------------------------------------------------


def test_not_a_report() -> None:
    got = read_markdown(b"# Notes\n\n| a | b |\n|---|---|\n| 1 | 2 |\n")
    assert got.report is None
    assert {"READ_TITLE_MISSING", "READ_TABLE_MISSING"} <= set(codes(got))


def test_missing_table() -> None:
    lines = _lines(_seed_md())
    start = lines.index("## 四、政府信息公开行政复议、行政诉讼情况")
    text = "\n".join(lines[: start + 1] + [x for x in lines[start + 1 :] if not x.startswith("|")])
    got = read_markdown(text.encode())
    assert [p.label for p in got.problems if p.code == "READ_TABLE_MISSING"] == ["表四"]
    assert got.report is not None
    assert got.report.table4.reconsideration.total is None
    assert got.report.table2 == SEED.table2


def test_run_together_cells_are_refused_not_split() -> None:
    text = _seed_md().replace("| 行政许可 | 0 |", "| 行政许可396442278 | |")
    got = read_markdown(text.encode())
    assert not got.ok
    assert got.report is not None
    assert got.report.table2.licensing.decisions is None
    others = [c.path for c in layout(shape_of(SEED)) if c.path != "table2.licensing.decisions"]
    assert all(get_path(got.report, p) == get_path(SEED, p) for p in others)


def test_a_10_mb_line_and_a_10_mb_cell() -> None:
    long_text = "无" * (10 * 1024 * 1024 // 3)
    got = read_markdown(_seed_md().replace("\n无。\n", f"\n{long_text}\n").encode())
    assert got.ok
    got = read_markdown(_seed_md().replace("| 行政许可 | 0 |", "| 行政许可 | " + "9" * 10_000_000 + " |").encode())
    assert "READ_LIMIT" in codes(got)
    assert got.report is not None
    assert got.report.table2.licensing.decisions is None


def test_nul_bytes() -> None:
    got = read_markdown(_seed_md().replace("| 规章 |", "| 规\x00章 |").encode())
    assert "READ_CONTROL_CHARS" in codes(got)
    assert got.ok


def test_dev_zero_is_refused_by_read_source() -> None:
    if not Path("/dev/zero").exists():
        pytest.fail("/dev/zero is expected on the test machines")
    with pytest.raises(ReadError):
        read_markdown("/dev/zero")


def test_a_text_copy_is_no_markdown_table() -> None:
    got = read_markdown(render_text(SEED).encode())
    assert got.report is not None
    assert "READ_TABLE_MISSING" in codes(got)


def test_parse_markdown_places() -> None:
    doc = parse_markdown(_seed_md().encode(), source="x.md")
    assert len(doc.grids) == 3
    banner = doc.grids[0].rows[0][0]
    assert banner is not None
    assert banner.place == Place("x.md", table=1, row=1, column=1, line=banner.place.line)
    assert (banner.left, banner.right) == (0, 3)


# --- misprinted labels -----------------------------------------------------------------------------------


def test_typo_label_is_read_with_one_warning_and_refused_when_strict() -> None:
    text = _seed_md().replace(PROHIBITED, "2.其他法律行政止公开")
    got = read_markdown(text.encode())
    corrected = [p for p in got.problems if p.code == "READ_LABEL_CORRECTED"]
    assert [(p.label, p.severity) for p in corrected] == [(PROHIBITED, "warning")]
    assert got.ok
    strict = read_markdown(text.encode(), strict=True)
    assert "READ_LABEL_REFUSED" in codes(strict)
    assert not strict.ok


def test_a_long_table_of_figures_is_read_in_linear_time() -> None:
    rows = "\n".join(f"| {i} | {i} |" for i in range(10_000))
    text = _seed_md() + "\n\n| 甲 | 乙 |\n|---|---|\n" + rows + "\n"
    got = read_markdown(text.encode())
    assert got.ok
    assert got.report == published(SEED)


def test_rows_shortened_by_a_converter_are_refused_not_shifted() -> None:
    # markdownify drops the cells a rowspan covers: the row's figures would land one column off
    lines = _lines(_seed_md("blank"))
    i = next(k for k, x in enumerate(lines) if "| 2.其他法律行政法规禁止公开 |" in x)
    lines[i] = (
        lines[i].replace("|  | ", "| ", 1).replace("| 0 | 0 | 0 | 0 | 0 | 0 | 0 |", "| 1 | 2 | 3 | 4 | 5 | 6 | 7 |")
    )
    got = read_markdown("\n".join(lines).encode())
    refused = [p for p in got.problems if p.code == "READ_UNALIGNED"]
    assert refused
    assert refused[0].label == PROHIBITED
    assert got.report is not None
    row = got.report.table3.results.denied.prohibited_by_law
    assert (row.natural_person, row.commercial, row.total) == (None, None, None)
    assert got.report.table3.results.denied.state_secret == SEED.table3.results.denied.state_secret


# --- prose is never a table (issue 14) -------------------------------------------------------------------


def test_a_pipe_table_in_section_five_is_left_out_with_a_warning() -> None:
    page = _seed_md().replace(
        "## 六、其他需要报告的事项", "| 行政复议 | 1 |\n|---|---|\n| 结果维持 | 2 |\n\n## 六、其他需要报告的事项"
    )
    got = read_markdown(page.encode())
    moved = [p for p in got.problems if p.code == "READ_TABLE_MISPLACED"]
    assert [(p.severity, p.label) for p in moved] == [("warning", "表四")]
    assert got.ok
    assert got.report is not None
    assert got.report.table4 == SEED.table4


def test_render_markdown_escapes_html_and_pipes_in_prose() -> None:
    problems = "<script>alert(1)</script>\n| a | b |\n**粗体**\n# 标题\n二、主动公开政府信息情况"
    report = attrs.evolve(SEED, problems=problems)
    page = render_markdown(report)
    assert "<script>" not in page
    assert "&lt;script&gt;" in page
    assert "\n| a | b |" not in page
    got = read_markdown(page.encode())
    assert got.ok, got.summary()
    assert got.report is not None
    assert got.report.problems == report.problems


def test_prose_in_markdown_written_by_others_is_unescaped() -> None:
    page = _seed_md().replace("\n无。\n", "\n无\\*，&lt;见附件&gt; a \\| b。\n")
    got = read_markdown(page.encode())
    assert got.report is not None
    assert got.report.other_matters.text == "无*，<见附件> a | b。"


# --- header rows shorter than the value rows under them (issue 16) -----------------------------------------


def _md_cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip()[1:-1].split("|")]


def drop_leading_header_cells(text: str) -> str:
    """``text`` with every header row of 表二 and 表三 printed without the cells over the label columns.

    As a converter prints a table whose header rows' leading (corner) cells it dropped: the header
    row is as many cells short as the value rows below have label columns.
    """
    heads = {"本年制发件数", "自然人", "商业企业", "本年处理决定数量", "本年收费金额（单位：万元）"}
    lines = text.split("\n")
    out = list(lines)
    for i, line in enumerate(lines):
        if not (line.startswith("|") and heads & set(_md_cells(line))):
            continue
        lead = 3 if {"自然人", "商业企业"} & set(_md_cells(lines[i])) else 1  # 表三's label columns, 表二's
        out[i] = "| " + " | ".join(_md_cells(lines[i])[lead:]) + " |"
    return "\n".join(out)


@settings(max_examples=20, deadline=None)
@given(printable_reports(), st.sampled_from(["repeat", "blank"]))
def test_short_header_rows_are_right_aligned_onto_the_value_columns(report: AnnualReport, merged: str) -> None:
    text = render_markdown(report, merged=merged)
    damaged = drop_leading_header_cells(text)
    assert damaged != text
    got = read_markdown(damaged.encode())
    assert got.errors == (), got.summary()
    assert got.report == published(report)


def test_a_short_header_row_is_right_aligned_or_refused_never_read_one_column_off() -> None:
    head = "# 某县人民政府2023年政府信息公开工作年度报告\n## 二、主动公开政府信息情况\n\n"
    table = (
        "| 本年制发件数 | 本年废止件数 | 现行有效件数 |\n|---|---|---|\n| 规章 | 1 | 2 | 3 |\n"
        "| 行政规范性文件 | 4 | 5 | 6 |\n| 本年处理决定数量 |\n| 行政许可 | 7 |  |  |\n"
    )
    got = read_markdown((head + table + "\n## 三、收到和处理政府信息公开申请情况\n").encode())
    t2 = got.report.table2
    assert (t2.regulations.issued, t2.regulations.repealed, t2.regulations.in_force) == (1, 2, 3)
    assert t2.normative_documents.in_force == 6
    # one header cell over three value columns: which column it names cannot be told; not read
    assert t2.licensing.decisions is None
    assert "table2.licensing.decisions" not in got.provenance
    assert any(p.code == "READ_UNALIGNED" and p.place and p.place.line == 8 for p in got.problems)


def many_short_header_rows() -> object:
    """Hostile: 15 000 short header rows over a 表二 value row, each right-aligned (linear, not rows × rows)."""
    head = "# 某县人民政府2023年政府信息公开工作年度报告\n## 二、主动公开政府信息情况\n\n"
    rows = ["| 本年制发件数 | 本年废止件数 | 现行有效件数 |"] * 15_000
    table = "\n".join([rows[0], "|---|---|---|", *rows[1:], "| 规章 | 1 | 2 | 3 |"])
    return read_markdown((head + table + "\n").encode())


def test_hostile_many_short_header_rows() -> None:
    from hostile import assert_contract, run_capped

    outcome = assert_contract(run_capped("test_read_markdown:many_short_header_rows"))
    assert outcome.report
