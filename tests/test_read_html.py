"""read_html and render_html: round trips, the quirks of real web pages, hostile pages."""

from __future__ import annotations

import re

import attrs
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import gongkai_model as gk
from gongkai_model.errors import Place
from gongkai_model.formats import Block, Imported, find_heading, find_title
from gongkai_model.formats._layout import plans
from gongkai_model.formats.html import printed_text, read_html, render_html
from gongkai_model.model import Shape, layout

from strategies import reports, shapes

# --- round trip ---------------------------------------------------------------------------------

#: Agency names as publishers print them: CJK, letters, digits and the punctuation of names, HTML
#: metacharacters included (they must be escaped), no white space (the title reader drops it).
agencies = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),
        st.sampled_from("ABCxyz019（）()·-&<>\"'#;"),
    ),
    min_size=1,
    max_size=20,
).filter(lambda a: not a.startswith("关于") and a[0] not in "\"'" and a[-1] not in "\"'")


def printed(report: gk.AnnualReport) -> gk.AnnualReport:
    """What a page prints of ``report`` (render_html's docstring): the rest is not on the page."""
    return attrs.evolve(
        report,
        region=None,
        level=None,
        published=None,
        source_url=None,
        period_start=None,
        period_end=None,
        overview=gk.Overview(text=printed_text(report.overview.text)),
        problems=printed_text(report.problems),
        other_matters=gk.OtherMatters(text=printed_text(report.other_matters.text)),
    )


def _no_heading_lines(report: gk.AnnualReport) -> bool:
    """A text line that reads as a section heading starts that section (a documented limit)."""
    for text in (report.overview.text, report.problems, report.other_matters.text):
        for line in (printed_text(text) or "").split("\n"):
            if line and any(find_heading(line, k) is not None for k in range(6)):
                return False
    return True


def _no_errors(got: Imported) -> None:
    assert got.errors == (), got.summary()


@settings(max_examples=40)
@given(data=st.data(), shape=shapes)
def test_round_trip_every_shape(data: st.DataObject, shape: Shape) -> None:
    report = data.draw(reports(shape))
    report = attrs.evolve(report, agency=data.draw(agencies))
    assume(_no_heading_lines(report))
    got = read_html(render_html(report).encode())
    _no_errors(got)
    assert got.report == printed(report)
    assert set(got.provenance) == {c.path for c in layout(shape)}


@settings(max_examples=30)
@given(agency=st.text(min_size=1, max_size=20), year=st.integers(2021, 2030))
def test_any_agency_reads_back_as_the_core_reads_its_title(agency: str, year: int) -> None:
    """The page adds nothing to the title: the agency is what the core's title reader makes of the text."""
    report = gk.AnnualReport.blank(agency=agency, year=year)
    title = f"{agency}{year}年{gk.AnnualReport.TITLE}".replace("\x00", "")
    want_agency, want_year, _ = find_title([Block("paragraph", title.strip(), Place("x"))])
    got = read_html(render_html(report).encode())
    if got.report is not None:
        assert (got.report.agency, got.report.year) == (want_agency, want_year)
    else:
        assert want_agency is None


def test_section_text_normalisation_is_exactly_printed_text() -> None:
    text = "  第一段，内有  两个空格\t和制表符 \n\n\n第二段\r\n\u3000第三段\u3000\n\x00"
    report = attrs.evolve(gk.AnnualReport.blank(agency="某局", year=2023), problems=text)
    got = read_html(render_html(report).encode())
    assert got.report is not None
    assert got.report.problems == printed_text(text) == "第一段，内有  两个空格\t和制表符\n第二段\n第三段"


def test_rendered_page_is_publishable() -> None:
    seed = gk.examples.seed_report()
    page = render_html(seed)
    assert page.startswith("<!DOCTYPE html>\n")
    assert '<meta charset="utf-8">' in page
    assert f"<title>{seed.agency}2023年{gk.AnnualReport.TITLE}</title>" in page
    headings = re.findall(r"<h2>(.*?)</h2>", page)
    assert headings == [h for h, _, _ in gk.reference.section_headings()]
    assert page.count("<table") == 3
    # every label of the official layout, merged as the plan says, with real rowspan/colspan
    for plan in plans(gk.model.shape_of(seed)):
        for label in plan.labels:
            if label.kind == "title":
                continue
            spans = (f' rowspan="{label.last_row - label.row + 1}"' if label.last_row > label.row else "") + (
                f' colspan="{label.last_col - label.col + 1}"' if label.last_col > label.col else ""
            )
            scope = ' scope="row"' if label.kind == "row" else ""
            assert f"<th{scope}{spans}>{label.text}</th>" in page
    assert '<th colspan="7">申请人情况</th>' in page
    got = read_html(page.encode())
    _no_errors(got)
    assert got.report == printed(seed)


def test_escaping() -> None:
    report = attrs.evolve(
        gk.AnnualReport.blank(agency="A&B<局>", year=2023),
        problems='<script>alert("x")</script> & &amp;',
    )
    page = render_html(report)
    assert "<script>" not in page
    assert "A&amp;B&lt;局&gt;" in page
    got = read_html(page.encode())
    assert got.report is not None
    assert got.report.agency == "A&B<局>"
    assert got.report.problems == '<script>alert("x")</script> & &amp;'
