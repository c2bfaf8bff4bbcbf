"""read_html and render_html: round trips, the quirks of real web pages, hostile pages."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal
from typing import Any

import attrs
import lxml.html
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import gongkai_model as gk
from gongkai_model.errors import Place
from gongkai_model.formats import Block, Imported, find_heading, find_title
from gongkai_model.formats.html import parse_html, printed_text, read_html, render_html
from gongkai_model.limits import Limits
from gongkai_model.model import Shape, layout
from gongkai_model.presentation import plans, section_headings

from strategies import reports, shapes

# --- round trip ---------------------------------------------------------------------------------

#: Agency names as publishers print them: CJK, letters, digits and the punctuation of names, HTML
#: metacharacters included (they must be escaped), no white space and nothing NFKC changes (the
#: title reader folds both).
agencies = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),
        st.sampled_from("ABCxyz019（）()·-&<>\"'#;"),
    ),
    min_size=1,
    max_size=20,
).filter(
    lambda a: (
        not a.startswith("关于") and a[0] not in "\"'" and a[-1] not in "\"'" and a == unicodedata.normalize("NFKC", a)
    )
)


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
        overview=gk.model.Overview(text=printed_text(report.overview.text)),
        problems=printed_text(report.problems),
        other_matters=gk.model.OtherMatters(text=printed_text(report.other_matters.text)),
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
    assert headings == [h for h, _, _ in section_headings()]
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


# --- the quirks of real web pages, built from the real layout (render_html) --------------------

_CELL = re.compile(r"<(th|td)([^>]*)>(.*?)</\1>")
_PARA = re.compile(r"<(p|h2)>(.*?)</\1>")


def _runs(text: str, pad: bool = True) -> str:
    """A label or figure as Word exports it: one ``<span>`` per character, digits split in two runs
    (and, in a table, padded with ``&nbsp;``)."""
    out = []
    for m in re.finditer(r"&[^;]+;|\d+|.", text):
        piece = m.group(0)
        if piece[0].isdigit() and not pad:
            out.append(f"<span lang=EN-US>{piece[:1]}</span><span>{piece[1:]}</span>")
        elif piece[0].isdigit():
            out.append(
                f"<span lang=EN-US style='font-size:10.5pt'>&nbsp;{piece[:1]}</span><span>{piece[1:]}&nbsp;</span>"
            )
        else:
            out.append(f"<span style='font-family:宋体;mso-bidi-font-family:宋体'>{piece}</span>")
    return "".join(out)


def word_export(page: str) -> str:
    """Word's "save as web page": MsoNormal paragraphs, ``<o:p>``, runs, ``&nbsp;``, conditional comments."""

    def cell(m: re.Match[str]) -> str:
        attrs_, text = m.group(2), m.group(3)
        return (
            f"<td{attrs_} width=64 style='border:solid windowtext 1.0pt;mso-border-alt:solid windowtext .5pt'>"
            f"<p class=MsoNormal align=center style='text-align:center'>{_runs(text)}<o:p></o:p></p></td>"
        )

    def para(m: re.Match[str]) -> str:
        inner = f"<b>{_runs(m.group(2))}</b>" if m.group(1) == "h2" else _runs(m.group(2), pad=False)
        return f"<p class=MsoNormal style='text-indent:32.0pt;line-height:28.0pt'>{inner}<o:p>&nbsp;</o:p></p>"

    page = _CELL.sub(cell, page)
    page = _PARA.sub(para, page)
    page = page.replace(
        '<html lang="zh-CN">',
        '<html xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office">',
    )
    page = page.replace(
        "</head>",
        "<!--[if gte mso 9]><xml><o:DocumentProperties><o:Author>x</o:Author></o:DocumentProperties></xml>"
        "<![endif]--></head>",
    )
    page = page.replace(
        "<table",
        "<!--[if !mso]><p>（内部批注）2019年度政府信息公开工作年度报告</p><![endif]-->"
        "<table class=MsoNormalTable border=0 cellspacing=0 cellpadding=0",
    )
    page = page.replace(
        "</table>",
        "<![if !supportMisalignedColumns]><tr height=0><td width=64 style='border:none'>"
        "</td></tr><![endif]></table><p class=MsoNormal><span lang=EN-US><o:p>&nbsp;</o:p></span></p>",
    )
    return page


def rich_text(page: str) -> str:
    """A site's rich-text editor: long inline styles everywhere, labels broken over several ``<p>``."""
    style = (
        "font-family: 仿宋_GB2312, 仿宋; font-size: 16px; line-height: 2; text-indent: 0em; color: rgb(0, 0, 0);" * 3
    )

    def cell(m: re.Match[str]) -> str:
        tag, attrs_, text = m.groups()
        half = len(text) // 2
        if m.group(1) == "th" and half >= 2 and "&" not in text and not re.fullmatch(r"[\d.,\-]+", text):
            text = f"<p style='{style}'>{text[:half]}</p><p style='{style}'>{text[half:]}</p>"
        return f"<{tag}{attrs_} style='{style}' valign=middle><span style='{style}'>{text}</span></{tag}>"

    page = _CELL.sub(cell, page)
    return page.replace("<p>", f"<p style='{style}'><span style='{style}'>").replace("</p>", "</span></p>")


def split_vertical_headings(page: str) -> str:
    """Every row-group heading (merged down over three rows or more, printed vertically) printed as
    two cells, its text split between them,
    and every label merged across columns printed as two cells repeating its text."""
    root = lxml.html.document_fromstring(page)
    for table in root.iter("table"):
        trs = list(table.iter("tr"))
        for i, tr in enumerate(trs):
            for cell in list(tr):
                span = int(cell.get("rowspan", "1"))
                if span >= 3 and (cell.text or "") and len(cell.text) >= 2:
                    k = span // 2
                    text = cell.text
                    cell.set("rowspan", str(k))
                    cell.text = text[: len(text) // 2]
                    twin = lxml.html.Element(cell.tag, rowspan=str(span - k), colspan=cell.get("colspan", "1"))
                    twin.text = text[len(text) // 2 :]
                    trs[i + k].insert(_index_of_column(trs, i + k, _column_of(trs, i, cell)), twin)
                colspan = int(cell.get("colspan", "1"))
                if colspan >= 2 and cell.get("rowspan") is None and table.get("class") == "表四":
                    cell.set("colspan", str(colspan // 2))
                    twin = lxml.html.Element(cell.tag, colspan=str(colspan - colspan // 2))
                    twin.text = cell.text
                    cell.addnext(twin)
    return lxml.html.tostring(root, encoding="unicode", doctype="<!DOCTYPE html>")


def _occupancy(trs: list[Any]) -> list[dict[int, Any]]:
    """Column of every cell (HTML's table model), for inserting a cell at a column."""
    taken: dict[tuple[int, int], bool] = {}
    out: list[dict[int, Any]] = []
    for r, tr in enumerate(trs):
        c = 0
        cols: dict[int, Any] = {}
        for cell in tr:
            while taken.get((r, c)):
                c += 1
            cols[c] = cell
            for rr in range(r, r + int(cell.get("rowspan", "1"))):
                for cc in range(c, c + int(cell.get("colspan", "1"))):
                    taken[(rr, cc)] = True
            c += int(cell.get("colspan", "1"))
        out.append(cols)
    return out


def _column_of(trs: list[Any], r: int, cell: Any) -> int:
    return next(c for c, x in _occupancy(trs)[r].items() if x is cell)


def _index_of_column(trs: list[Any], r: int, column: int) -> int:
    return sum(1 for c in _occupancy(trs)[r] if c < column)


def phantom_rows(page: str) -> str:
    """A borderless row of empty cells after every table (as many cells as the widest row, or more)."""
    return page.replace(
        "</table>", "<tr style='height:0'>" + "<td style='border:none' width=40></td>" * 20 + "</tr></table>"
    )


def strong_headings(page: str) -> str:
    """Section headings as ``<strong>`` at the start of the paragraph that holds the first lines of text,
    or (when a table follows) as a bold-styled paragraph."""
    page = re.sub(r"<h2>(.*?)</h2>\n<p>", r"<p>　　<strong>\1</strong>", page)
    return re.sub(r"<h2>(.*?)</h2>", r'<p style="font-weight:bold;font-size:16pt;text-align:left">\1</p>', page)


def thead_caption(page: str) -> str:
    """Cells as ``<th>``, the header rows in ``<thead>``, the rest in ``<tbody>``, the heading as the caption."""
    page = re.sub(r"<h2>([^<]*)</h2>\n<table([^>]*)>", r"<table\2><caption>\1</caption><thead>", page)
    page = re.sub(r"(</tr>\n)(<tr><th scope=\"row\">)", r"\1</thead><tbody>\2", page, count=0)
    page = re.sub(r"</thead><tbody>(.*?)</thead><tbody>", r"</thead><tbody>\1", page, flags=re.S)
    page = page.replace("</table>", "</tbody></table>").replace("<td>", "<th>").replace("</td>", "</th>")
    return page


def _tidy_theads(page: str) -> str:
    # thead_caption opens a <thead> per table and closes it before the first row label; later
    # header rows (表二's banners) stay in the <tbody>, as editors do.
    out = []
    for part in page.split("<caption>"):
        first = part.find("</thead><tbody>")
        if first >= 0:
            part = part[: first + 15] + part[first + 15 :].replace("</thead><tbody>", "")
        out.append(part)
    return "<caption>".join(out)


QUIRKS = {
    "word_export": word_export,
    "rich_text": rich_text,
    "split_vertical_headings": split_vertical_headings,
    "phantom_rows": phantom_rows,
    "strong_headings": strong_headings,
    "thead_caption": lambda page: _tidy_theads(thead_caption(page)),
}


def _example_reports() -> list[gk.AnnualReport]:
    """The seed and one report of every other shape, with figures, blanks and every kind of value."""
    import random

    from gongkai_model.model import replace_path

    out = [gk.examples.seed_report()]
    rng = random.Random(9)
    for shape, year in (
        (Shape(gk.Edition.FORMAT_2019, True, False), 2019),
        (Shape(gk.Edition.FORMAT_2019, True, True), 2020),
        (Shape(gk.Edition.FORMAT_2021, True, False), 2022),
        (Shape(gk.Edition.FORMAT_2021, False, True), 2024),
    ):
        report = gk.AnnualReport.blank(
            agency="某市某区人民政府办公室",
            year=year,
            edition=shape.edition,
            single_other_row=shape.single_other_row,
            subtotal_column=shape.subtotal_column,
        )
        for cell in layout(shape):
            if rng.random() < 0.2:
                continue  # blank, never 0
            value: Any = rng.choice((0, 1, 7, 12, 305, 1024))
            if cell.kind is gk.model.Value.MONEY:
                value = Decimal("12.3456")
            elif cell.kind is gk.model.Value.AMOUNT:
                value = gk.Amount(Decimal("160.5964"), gk.MoneyUnit.WAN_YUAN)
            elif cell.kind is gk.model.Value.SIGNED:
                value = -value
            report = replace_path(report, cell.path, value)
        out.append(
            attrs.evolve(
                report, overview=gk.model.Overview(text="本年度，我办认真贯彻落实《条例》。\n主动公开情况良好。")
            )
        )
    return out


@pytest.mark.parametrize("quirk", list(QUIRKS))
@pytest.mark.parametrize("index", range(5))
def test_quirky_page_reads_exactly(quirk: str, index: int) -> None:
    report = _example_reports()[index]
    page = QUIRKS[quirk](render_html(report))
    got = read_html(page.encode())
    _no_errors(got)
    assert got.report == printed(report)
    assert set(got.provenance) == {c.path for c in layout(gk.model.shape_of(report))}


def test_all_quirks_at_once() -> None:
    report = _example_reports()[4]
    page = render_html(report)
    for quirk in ("split_vertical_headings", "thead_caption", "phantom_rows", "strong_headings", "rich_text"):
        page = QUIRKS[quirk](page)
    got = read_html(page.encode())
    _no_errors(got)
    assert got.report == printed(report)


def test_word_export_digits_in_runs_and_nbsp() -> None:
    page = word_export(render_html(_example_reports()[0]))
    assert "<o:p>" in page
    assert "&nbsp;1</span><span>0" in page or "&nbsp;" in page
    got = read_html(page.encode())
    assert got.report is not None
    prov = got.provenance["table3.new_received.total"]
    assert prov.text == str(_example_reports()[0].table3.new_received.total)  # &nbsp; around it stripped
    assert prov.place.table == 2


@pytest.mark.parametrize("charset", ["gbk", "GB2312", "gb18030", None])
def test_gbk_page_with_meta_charset(charset: str | None) -> None:
    """GBK pages, with their charset declared in a meta tag or (None) not declared at all."""
    seed = gk.examples.seed_report()
    meta = f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">' if charset else ""
    page = render_html(seed).replace('<meta charset="utf-8">', meta)
    data = page.encode("gb18030" if charset == "gb18030" else "gbk")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    got = read_html(data)
    _no_errors(got)
    assert got.report == printed(seed)


def test_title_only_in_head() -> None:
    seed = gk.examples.seed_report()
    page = re.sub(r"<h1>.*?</h1>", "", render_html(seed))
    got = read_html(page.encode())
    _no_errors(got)
    assert got.report == printed(seed)
    [info] = [p for p in got.problems if p.code == "READ_TITLE_FROM_HEAD"]
    assert info.severity == "info"
    assert info.place is not None
    assert info.place.line == 5


def test_title_only_in_h1_and_site_title_ignored() -> None:
    seed = gk.examples.seed_report()
    page = re.sub(r"<title>.*?</title>", "<title>首页_政务公开_某区人民政府</title>", render_html(seed))
    got = read_html(page.encode())
    _no_errors(got)
    assert got.report == printed(seed)
    assert not any(p.code == "READ_TITLE_FROM_HEAD" for p in got.problems)


def test_xml_declaration_with_encoding() -> None:
    """XHTML exports start with an XML declaration naming their encoding (lxml refuses it in a str)."""
    seed = gk.examples.seed_report()
    page = '<?xml version="1.0" encoding="gb2312"?>\n' + render_html(seed).replace('<meta charset="utf-8">', "")
    for data in (page.encode("gbk"), page):
        doc = parse_html(data)
        assert doc.problems == ()
    got = read_html(page.encode("gbk"))
    _no_errors(got)
    assert got.report == printed(seed)


@pytest.mark.parametrize("name", ["shanghai-shizhengfu-bangongting-2019", "shuyang-fagaiju-2023"])
def test_real_pages_still_import_exactly(name: str) -> None:
    from gongkai_model.model import get_path

    from cases import expected_cells
    from conftest import CASES, load_case

    case = load_case(name)
    path = CASES / case["raw"]
    got = read_html(path, agency=case["agency"], year=case["year"])
    _no_errors(got)
    assert got.report is not None
    assert {p: get_path(got.report, p) for p in expected_cells(case)} == expected_cells(case)


def test_core_block_label_repeated_in_two_cells() -> None:
    """core: a 表四 block label printed in two adjacent cells (its text repeated) covers both."""
    from gongkai_model.formats import Grid, Span, locate

    shape = Shape(gk.Edition.FORMAT_2021, False, False)
    t4 = [c for c in layout(shape) if c.table == "四"]
    blocks = list(dict.fromkeys(c.row for c in t4))
    top = [Span(blocks[0], colspan=2), Span(blocks[0], colspan=3), Span("行政诉讼", colspan=10)]
    mid = [Span(c.column, rowspan=2) for c in t4 if c.row == blocks[0]]
    mid += [Span(b, colspan=5) for b in blocks[1:]]
    low = [Span(c.column) for c in t4 if c.row != blocks[0]]
    values = [Span(str(i)) for i in range(len(t4))]
    grid = Grid.build([top, mid, low, values], Place("x", table=1))
    got = locate([grid], shape)
    assert [p for p in got.problems if p.code != "READ_TABLE_MISSING"] == []
    assert {p: got.cells[p].text for p in (c.path for c in t4)} == {c.path: str(i) for i, c in enumerate(t4)}


# --- hostile and odd input: located problems, never an exception, bounded by Limits -------------


def _codes(got: Imported) -> set[str]:
    return {p.code or "" for p in got.problems}


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"   \n\t",
        b"\x00\x00\x00",
        b"<!-- only a comment -->",
        b"<?php echo 1; ?>",
        "\ufeff".encode(),
        b"\xff\xfe\x00\x00",
        b"<html></html>",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        b'<?xml version="1.0" encoding="utf-8"?>',
        b"<table><tr><td>" * 50,
    ],
)
def test_empty_or_foreign_pages_give_located_problems(data: bytes) -> None:
    got = read_html(data)
    assert got.report is None
    assert got.problems
    assert all(p.location for p in got.problems)


def test_lxml_refusals_become_problems() -> None:
    """lxml raises ParserError on an empty document and ValueError on a str with an encoding declaration."""
    for data in ("<!-- -->", "   ", '<?xml version="1.0" encoding="gbk"?>'):
        doc = parse_html(data, source="p.html")
        assert [p.code for p in doc.problems] == ["READ_NOT_A_REPORT"]
        assert doc.problems[0].location == "p.html"


def test_non_report_page() -> None:
    page = b"<html><head><title>News</title></head><body><h1>Weather</h1><p>Sunny, 25 degrees.</p>" + (
        b"<table><tr><th>City</th><th>High</th></tr><tr><td>Beijing</td><td>25</td></tr></table></body></html>"
    )
    got = read_html(page, name="weather.html")
    assert got.report is None
    assert {"READ_TABLE_MISSING", "READ_TITLE_MISSING"} <= _codes(got)
    assert got.provenance == {}


def test_missing_table_leaves_its_cells_blank() -> None:
    report = _example_reports()[0]
    page = re.sub(r'<table class="表三">.*?</table>', "", render_html(report), flags=re.S)
    got = read_html(page.encode())
    assert got.report is not None
    [missing] = [p for p in got.problems if p.code == "READ_TABLE_MISSING"]
    assert missing.label == "表三"
    assert got.report.table3 == gk.AnnualReport.blank(agency="x", year=2023).table3
    assert got.report.table2 == report.table2
    assert got.report.table4 == report.table4


def test_run_together_cells_are_refused_not_shifted() -> None:
    report = _example_reports()[0]
    page = render_html(report)
    # the label and its three figures printed in one cell, as a broken export does
    page = re.sub(
        r'<tr><th scope="row">(行政规范性文件)</th><td>(\d*)</td><td>(\d*)</td><td>(\d*)</td></tr>',
        r'<tr><th scope="row">\1</th><td colspan="3">\1\2\3\4</td></tr>',
        page,
    )
    assert "行政规范性文件" + "".join(str(v) for v in attrs.astuple(report.table2.normative_documents)) in page
    got = read_html(page.encode())
    assert got.report is not None
    assert got.report.table2.normative_documents == type(report.table2.normative_documents)()
    assert got.report.table2.regulations == report.table2.regulations
    assert got.report.table3 == report.table3
    refused = [p for p in got.errors if "行政规范性文件" in (p.label or "") or "行政规范性文件" in p.message]
    assert refused
    assert all(p.place is not None and p.place.table == 1 for p in refused)


def test_nesting_100000_deep() -> None:
    page = ("<div>" * 100_000 + "<table><tr><td>x</td></tr></table>" + "</div>" * 100_000).encode()
    got = read_html(page)
    limits = [p for p in got.problems if p.code == "READ_LIMIT"]
    assert limits
    assert all(p.place is not None and p.place.line == 1 for p in limits)
    assert got.report is None


def test_nesting_past_max_depth_is_read_as_text_and_said() -> None:
    report = _example_reports()[0]
    page = render_html(report).replace("<body>", "<body>" + "<div>" * 80).replace("</body>", "</div>" * 80 + "</body>")
    got = read_html(page.encode())
    assert any(p.code == "READ_LIMIT" and p.severity == "warning" for p in got.problems)
    assert got.report is None or got.errors


def test_a_million_cells_stay_within_the_limits() -> None:
    page = ("<table>" + ("<tr>" + "<td>1</td>" * 1000 + "</tr>") * 1000 + "</table>").encode()
    limits = Limits(max_cells=20_000)
    doc = parse_html(page, limits=limits)
    [grid] = doc.grids
    assert sum(len(row) for row in grid.rows) <= limits.max_cells + limits.max_columns
    assert [p.code for p in doc.problems] == ["READ_LIMIT"]
    assert doc.problems[0].place == Place("<html>", table=1)


def test_rows_and_columns_within_the_limits() -> None:
    limits = Limits(max_rows=100, max_columns=50)
    page = ("<table>" + ("<tr>" + "<td>1</td>" * 80 + "</tr>") * 300 + "</table>").encode()
    doc = parse_html(page, limits=limits)
    [grid] = doc.grids
    assert len(grid.rows) <= 100
    assert grid.width <= 50
    assert [p.code for p in doc.problems] == ["READ_LIMIT"]


@pytest.mark.parametrize(
    ("rowspan", "colspan", "expected"),
    [
        ("999999999", "1", (3, 1)),  # spans what is left of the table, as in HTML
        ("1", "999999999", (1, 1000)),
        ("1", "-5", (1, 1)),
        ("abc", "abc", (1, 1)),
        ("0", "0", (1, 1)),
        ("2.7", " 3 ", (2, 3)),
    ],
)
def test_hostile_spans(rowspan: str, colspan: str, expected: tuple[int, int]) -> None:
    first = f'<tr><td rowspan="{rowspan}" colspan="{colspan}">a</td></tr>'
    page = f"<table>{first}<tr><td>b</td></tr><tr><td>c</td></tr></table>"
    doc = parse_html(page.encode())
    [grid] = doc.grids
    a = grid.rows[0][0]
    assert a is not None
    assert (a.bottom - a.top + 1, a.right - a.left + 1) == expected
    assert len(grid.rows) == 3


def test_entity_declarations_are_not_expanded() -> None:
    ents = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "' + f"&lol{i - 1 if i > 1 else ''};" * 10 + '">' for i in range(1, 10)
    )
    page = f"<!DOCTYPE html [{ents}]><html><body><p>&lol9;</p><table><tr><td>&lol9;</td></tr></table></body></html>"
    doc = parse_html(page.encode())
    assert sum(len(b.text) for b in doc.blocks) < 1000
    [grid] = doc.grids
    cell = grid.rows[0][0]
    assert cell is not None
    assert "lollol" not in cell.text


def test_external_entities_and_network_are_never_fetched() -> None:
    page = (
        b'<!DOCTYPE html SYSTEM "http://127.0.0.1:9/x.dtd" [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<html><body><p>&x;</p></body></html>"
    )
    doc = parse_html(page)
    assert "root:" not in " ".join(b.text for b in doc.blocks)


@settings(max_examples=50)
@given(data=st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    got = read_html(data)
    assert got.report is None or got.report.agency


@settings(max_examples=25)
@given(
    cut=st.integers(0, 40_000),
    junk=st.sampled_from(["", "<", "</td>", "<table>", "<tr><td rowspan=9>", "&#0;", "\x00"]),
)
def test_truncated_and_corrupted_pages_never_raise(cut: int, junk: str) -> None:
    page = render_html(_example_reports()[1])
    got = read_html((page[:cut] + junk + page[cut:][: cut // 2]).encode())
    for p in got.errors:
        assert p.code
        assert p.code.startswith("READ_")


def test_figures_in_separate_paragraphs_of_a_cell_are_not_joined() -> None:
    """``<p>12</p><p>34</p>`` is two printed lines, refused as a figure, never read as 1234."""
    report = gk.model.replace_path(_example_reports()[0], "table3.new_received.total", 987654)
    page = render_html(report)
    assert page.count("<td>987654</td>") == 1
    page = page.replace("<td>987654</td>", "<td><p>12</p><p><span>34</span></p></td>")
    got = read_html(page.encode())
    assert got.report is not None
    assert got.report.table3.new_received.total is None
    assert got.provenance["table3.new_received.total"].text == "12\n34"
    assert any(p.code == "READ_VALUE_REFUSED" for p in got.errors)


def test_cell_text_deeper_than_max_depth_is_kept() -> None:
    cell = "<span>" * 200 + "4" + "</span>" * 200 + "<span>2</span>"
    doc = parse_html(f"<table><tr><td>{cell}</td></tr></table>".encode())
    [grid] = doc.grids
    first = grid.rows[0][0]
    assert first is not None
    assert first.text == "42"


def test_benchmark_runs() -> None:
    """benchmarks/bench_html.py still runs and reads its pages back (nothing is timed here)."""
    import sys
    from pathlib import Path

    bench = Path(__file__).resolve().parents[1] / "benchmarks"
    sys.path.insert(0, str(bench))
    try:
        import bench_html

        rows = bench_html.run(2)  # asserts that read_html gives back the reports rendered
    finally:
        sys.path.remove(str(bench))
    assert [name for name, *_ in rows] == [
        "render_html pages",
        "the same pages as Word exports them",
        "the two real published pages (per pair)",
    ]


_markup = st.recursive(
    st.sampled_from(["", "1", "23", " ", "\xa0", "\n", "标签", "&nbsp;", "<br>", "<o:p></o:p>"]),
    lambda inner: st.builds(
        lambda tag, parts: f"<{tag}>{''.join(parts)}</{tag}>",
        st.sampled_from(["p", "span", "div", "b", "font", "script", "h3", "o:p"]),
        st.lists(inner, max_size=3),
    ),
    max_leaves=8,
)


@settings(max_examples=50)
@given(parts=st.lists(_markup, max_size=4))
def test_cell_text_fast_path_agrees_with_the_full_walk(parts: list[str]) -> None:
    """The fast path for Word's one-paragraph cells gives exactly what the full walk gives."""
    from lxml import etree

    from gongkai_model.formats.html import _cell_text, _lines, _walk_text

    root = etree.fromstring(f"<table><tr><td>{''.join(parts)}</td></tr></table>", etree.HTMLParser())
    td = next(root.iter("td"))
    assert _cell_text(td) == _lines(_walk_text(td))
