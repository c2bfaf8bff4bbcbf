"""Texts survive ``render_markdown``/``render_text`` → read whole, and no text is ever read as a table (issue 14).

A report's prose may hold anything a person types: pipes, tabs, ``<script>``, lines worded like a
section heading, and copies of a statutory table's rows with other figures (``| 行政许可 | 999 |``,
``\\t行政许可\\t999``). The renderers escape such lines and the readers undo the escaping, so the
report read back is the report written: the figures of the real tables, and every text as written
(multi-line, blank lines and white space inside kept; a published document cannot show white space
at a text's edges, so the generated texts have none).
"""

from __future__ import annotations

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st
from test_read_text import agencies, published

from gongkai_model import AnnualReport
from gongkai_model.formats.markdown import escape_prose, read_markdown, render_markdown, unescape_prose
from gongkai_model.formats.text import escape_line, read_text, render_text, unescape_line
from gongkai_model.model import OtherMatters, Overview

from strategies import shapes, table_reports

# What a hostile or careless author puts in a report's prose (each one a line, or part of one).
TRICKY = [
    "| 行政许可 | 999 |",
    "|---|---|",
    "| 其他对外管理服务事项 | 888 |",
    "\t行政许可\t999",
    "\t\t行政处罚\t7",
    "行政许可 396 442 278",
    "行政许可\t1\t2\t3",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "总体情况",
    "**一、总体情况**",
    "## 五、存在的主要问题及改进情况",
    "<script>alert(1)</script>",
    "<br>",
    "&amp; &lt;b&gt; &#20108;",
    "\\",
    "\\t",
    "\\| a \\|",
    "# 标题",
    "---",
    "***",
    "- 列表",
    "1. 第一",
    "2) 第二",
    "> 引用",
    "`代码`",
    "[链接](http://example.com)",
    "~~删除~~",
    "=====",
    "    缩进四格",
    "\u3000\u3000段首缩进",
    "行末空格  ",
    "a\rb",
]
_PLAIN = "按照统一部署严格贯彻落实条例坚持建设阳光透明法治政府，。；0123456789 |\t<>&*_#\\-"
_line = st.one_of(st.sampled_from(TRICKY), st.text(alphabet=_PLAIN, max_size=30))
#: Texts of one to six lines, some blank; no white space at the edges (a document cannot show it).
hostile_prose = st.one_of(
    st.none(),
    st.lists(_line, min_size=1, max_size=6).map(lambda lines: "\n".join(lines).strip() or None),
)


@st.composite
def hostile_reports(draw: st.DrawFn) -> AnnualReport:
    """Reports of every shape (tests/strategies.py) whose texts hold pipes, tabs, HTML and table-like lines."""
    report = draw(table_reports(draw(shapes)))
    return attrs.evolve(
        report,
        agency=draw(agencies),
        overview=Overview(text=draw(hostile_prose)),
        problems=draw(hostile_prose),
        other_matters=OtherMatters(text=draw(hostile_prose)),
    )


@settings(max_examples=60, deadline=None)
@given(hostile_reports())
def test_markdown_round_trip_keeps_figures_and_prose(report: AnnualReport) -> None:
    got = read_markdown(render_markdown(report).encode())
    assert got.errors == (), got.summary()
    assert not [p for p in got.problems if p.code == "READ_TABLE_MISPLACED"]
    assert got.report == published(report)


@settings(max_examples=60, deadline=None)
@given(hostile_reports())
def test_text_round_trip_keeps_figures_and_prose(report: AnnualReport) -> None:
    got = read_text(render_text(report).encode())
    assert got.errors == (), got.summary()
    assert not [p for p in got.problems if p.code == "READ_TABLE_MISPLACED"]
    assert got.report == published(report)


@given(st.text())
def test_escaping_a_markdown_line_is_undone(line: str) -> None:
    line = line.replace("\n", "")
    assert unescape_prose(escape_prose(line)) == line


@given(st.text())
def test_escaping_a_text_line_is_undone(line: str) -> None:
    line = line.replace("\n", "")
    escaped = escape_line(line)
    assert (unescape_line(escaped) if escaped != line else line) == line
    assert "\t" not in escaped
    assert "\r" not in escaped


def test_no_raw_html_and_no_table_in_rendered_prose() -> None:
    from gongkai_model import examples

    text = "本年度<script>alert(1)</script>\n| 行政许可 | 999 |\n\t行政许可\t999"
    report = attrs.evolve(examples.seed_report(), overview=Overview(text=text))
    page = render_markdown(report)
    assert "<script>" not in page
    assert "&lt;script&gt;" in page
    assert "\n| 行政许可 | 999 |" not in page
    assert "\\| 行政许可 \\| 999 \\|" in page
    copy = render_text(report)
    assert "\n\t行政许可\t999" not in copy
    for got in (read_markdown(page.encode()), read_text(copy.encode())):
        assert got.ok, got.summary()
        assert got.report is not None
        assert got.report.overview.text == text
        assert got.report.table2.licensing == examples.seed_report().table2.licensing
