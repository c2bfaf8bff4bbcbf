"""Agency and year from the document, never a reason to drop figures (issue 16 item 1)."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import gongkai_model as gk
from gongkai_model.batch import check_many, read_many
from gongkai_model.formats import read_text, render_html, render_text
from gongkai_model.formats._assemble import assemble
from gongkai_model.formats._document import Block, MetaText
from gongkai_model.formats._metadata import title_parts
from gongkai_model.formats.html import read_html
from gongkai_model.formats.text import parse_text
from gongkai_model.model import Shape, shape_of

from hostile import assert_contract, run_capped
from strategies import shapes, table_reports

AGENCY = "某县人民政府办公室"
SETTINGS = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def period(year: int) -> str:
    """The statistics-period sentence of a report on ``year``."""
    return f"本报告中所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。"


def with_overview(report: gk.AnnualReport, text: str | None) -> gk.AnnualReport:
    return attrs.evolve(report, agency=AGENCY, overview=gk.model.Overview(text=text))


def untitled_text(report: gk.AnnualReport) -> str:
    """The text copy without its title line (a crawled body starts at its first section)."""
    text = render_text(report)
    assert text.startswith(report.title)
    return text[len(report.title) :].lstrip("\n")


def untitled_html(report: gk.AnnualReport, head: str = "<title>首页</title>") -> str:
    """The web page with no ``<h1>``, its ``<title>`` replaced by ``head``."""
    page = render_html(report)
    page = re.sub(r"<h1>.*?</h1>", "", page, count=1)
    return re.sub(r"<title>.*?</title>", head, page, count=1)


def figures(report: gk.AnnualReport | None) -> list[Any]:
    assert report is not None
    return gk.to_records(report)


def codes(got: gk.Imported) -> list[str | None]:
    return [p.code for p in got.problems]


# --- untitled bodies, every shape -------------------------------------------------------------------------


@SETTINGS
@given(report=table_reports(), html=st.booleans())
def test_untitled_body_with_the_period_sentence_reads_every_figure_and_the_year(
    report: gk.AnnualReport, html: bool
) -> None:
    assert report.year is not None
    report = with_overview(report, period(report.year) + f"本报告由{AGENCY}编制。")
    got = read_html(untitled_html(report).encode()) if html else read_text(untitled_text(report).encode())
    assert got.report is not None
    assert figures(got.report) == figures(report)
    assert (got.report.agency, got.report.year) == (AGENCY, report.year)
    assert shape_of(got.report) == shape_of(report)
    assert "READ_META_MISSING" not in codes(got)
    assert got.metadata["year"].note == "period sentence"
    assert got.metadata["agency"].note == "编制 sentence"


@SETTINGS
@given(report=table_reports(), html=st.booleans())
def test_untitled_body_without_metadata_reads_every_figure_with_a_warning(report: gk.AnnualReport, html: bool) -> None:
    report = with_overview(report, None)
    got = read_html(untitled_html(report).encode()) if html else read_text(untitled_text(report).encode())
    assert got.report is not None
    assert figures(got.report) == figures(report)
    assert (got.report.agency, got.report.year) == (None, None)
    # the edition (and the whole shape) follows from the tables when the year is unknown
    assert shape_of(got.report) == shape_of(report)
    [missing] = [p for p in got.problems if p.code == "READ_META_MISSING"]
    assert missing.severity == "warning"
    assert "agency or year" in missing.message
    assert not got.errors
    assert got.metadata == {}


@SETTINGS
@given(report=table_reports())
def test_the_caller_names_what_the_document_does_not(report: gk.AnnualReport) -> None:
    report = with_overview(report, None)
    got = read_text(untitled_text(report).encode(), agency="某局", year=report.year)
    assert got.report is not None
    assert (got.report.agency, got.report.year) == ("某局", report.year)
    assert "READ_META_MISSING" not in codes(got)
    assert got.metadata["year"].place.cell == "passed by the caller"


def test_only_the_year_missing_says_year() -> None:
    report = with_overview(gk.examples.seed_report(), f"本报告由{AGENCY}编制。")
    got = read_text(untitled_text(report).encode())
    assert got.report is not None
    assert (got.report.agency, got.report.year) == (AGENCY, None)
    [p] = [p for p in got.problems if p.code == "READ_META_MISSING"]
    assert "its year" in p.message
    assert "agency" not in p.message.split(":")[0]


# --- the order of the sources ---------------------------------------------------------------------------


def test_a_period_year_that_differs_from_the_title_is_a_warning_never_chosen() -> None:
    report = with_overview(gk.examples.seed_report(), period(2022))
    got = read_text(render_text(report).encode())
    assert got.report is not None
    assert got.report.year == 2023  # the title wins
    [p] = [p for p in got.problems if p.code == "READ_META_CONFLICT"]
    assert p.severity == "warning"
    assert "2022" in p.message
    assert "2023" in p.message


def test_a_year_passed_that_the_document_contradicts_is_a_warning() -> None:
    report = with_overview(gk.examples.seed_report(), None)
    got = read_text(render_text(report).encode(), year=2024)
    assert got.report is not None
    assert got.report.year == 2024
    assert "READ_META_CONFLICT" in codes(got)


def test_html_title_and_meta_tags_name_the_report() -> None:
    report = with_overview(gk.examples.seed_report(), None)
    head = (
        "<title>首页 - 门户网站</title>"
        f'<meta name="SiteName" content="{AGENCY}">'
        '<meta name="ArticleTitle" content="2023年度政府信息公开工作年度报告">'
    )
    got = read_html(untitled_html(report, head).encode())
    assert got.report is not None
    assert (got.report.agency, got.report.year) == (AGENCY, 2023)
    assert figures(got.report) == figures(report)
    assert got.metadata["agency"].place.cell == "<meta name=SiteName>"
    assert got.metadata["year"].place.cell == "<meta name=ArticleTitle>"
    assert not [c for c in codes(got) if c and c.startswith("READ_META")]


def test_a_site_name_that_is_no_agency_is_not_taken() -> None:
    report = with_overview(gk.examples.seed_report(), None)
    head = '<title>首页</title><meta name="SiteName" content="中国政府网 首页 政务公开 专栏">'
    got = read_html(untitled_html(report, head).encode())
    assert got.report is not None
    assert got.report.agency is None
    assert "READ_META_MISSING" in codes(got)


def test_the_file_name_names_the_report(tmp_path: Path) -> None:
    report = with_overview(gk.examples.seed_report(), None)
    path = tmp_path / "某县人民政府2023年政府信息公开工作年度报告.txt"
    path.write_text(untitled_text(report), encoding="utf-8")
    got = gk.read(path)
    assert got.report is not None
    assert (got.report.agency, got.report.year) == ("某县人民政府", 2023)
    assert got.metadata["year"].note == "file name"


def test_a_heading_naming_the_report_names_it() -> None:
    report = with_overview(gk.examples.seed_report(), None)
    doc = parse_text(untitled_text(report))
    heading = Block("heading", "2023年度政府信息公开工作报告", gk.Place("t", line=999))
    got = assemble(attrs.evolve(doc, blocks=(*doc.blocks, heading)))
    assert got.report is not None
    assert got.report.year == 2023
    assert got.metadata["year"].note == "heading"


def test_document_meta_comes_after_the_title_lines_and_before_the_body() -> None:
    report = with_overview(gk.examples.seed_report(), period(2022))
    doc = parse_text(untitled_text(report))
    titled = MetaText("title", "某市财政局2021年政府信息公开工作年度报告", gk.Place("t", cell="PDF /Title"))
    got = assemble(attrs.evolve(doc, meta=(titled,)))
    assert got.report is not None
    assert (got.report.agency, got.report.year) == ("某市财政局", 2021)
    assert "READ_META_CONFLICT" in codes(got)  # the period sentence says 2022
    got = assemble(attrs.evolve(parse_text(render_text(report)), meta=(titled,)))
    assert got.report is not None
    assert (got.report.agency, got.report.year) == (report.agency, 2023)  # the title lines first


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("北京市西城区信访办公室2023年政府信息公开工作年度报告", ("北京市西城区信访办公室", 2023)),
        ("关于某区财政局２０２２年度政务公开工作报告", ("某区财政局", 2022)),
        ("2021年政府信息公开工作年度报告", (None, 2021)),
        ("政府信息公开指南", (None, None)),
    ],
)
def test_title_parts(text: str, expected: tuple[str | None, int | None]) -> None:
    assert title_parts(text) == expected


agencies = st.builds(
    lambda place, kind: place + kind,
    st.sampled_from(["某县", "北京市西城区", "某市某区", "某自治州"]),
    st.sampled_from(["人民政府", "人民政府办公室", "财政局", "发展和改革委员会", "某街道办事处"]),
)


@settings(max_examples=50, deadline=None)
@given(
    agency=agencies,
    year=st.integers(2019, 2030),
    wide=st.booleans(),
    chrome=st.sampled_from(["", "首页 > 政务公开 > "]),
)
def test_title_parts_finds_any_agency_and_year(agency: str, year: int, wide: bool, chrome: str) -> None:
    printed = str(year).translate(str.maketrans("0123456789", "０１２３４５６７８９")) if wide else str(year)
    assert title_parts(f"{chrome}{agency}{printed}年度政府信息公开工作年度报告_门户网站") == (agency, year)


@settings(max_examples=20, deadline=None)
@given(agency=agencies, year=st.integers(2019, 2030), other=st.integers(2019, 2030))
def test_the_first_source_wins_and_a_differing_year_is_a_warning(agency: str, year: int, other: int) -> None:
    report = with_overview(gk.examples.seed_report(), period(other) + f"本报告由{agency}编制。")
    doc = parse_text(untitled_text(report), source=f"/x/{agency}{year}年政府信息公开工作年度报告.txt")
    got = assemble(doc)
    assert got.report is not None
    assert (got.report.agency, got.report.year) == (agency, other)  # the period sentence before the file name
    conflicts = [p for p in got.problems if p.code == "READ_META_CONFLICT"]
    assert len(conflicts) == (other != year)


@pytest.mark.parametrize(
    ("sentence", "agency"),
    [
        ("本报告由某县人民政府办公室编制。", "某县人民政府办公室"),
        ("本年度报告由某市生态环境局负责编制，", "某市生态环境局"),
        ("某县交通运输局根据《中华人民共和国政府信息公开条例》要求，编制本报告。", "某县交通运输局"),
        ("根据《中华人民共和国政府信息公开条例》要求，编制本报告。", None),
        ("本报告由以下部分组成。", None),
    ],
)
def test_made_by_sentences(sentence: str, agency: str | None) -> None:
    report = with_overview(gk.examples.seed_report(), sentence)
    got = read_text(untitled_text(report).encode())
    assert got.report is not None
    assert got.report.agency == agency


# --- Word core properties, PDF document information -------------------------------------------------------


def test_word_core_title_names_the_report() -> None:
    docx = pytest.importorskip("docx")
    from gongkai_model.formats.docx import read_docx, write_docx

    report = with_overview(gk.examples.seed_report(), None)
    buf = io.BytesIO()
    write_docx(report, buf)
    document = docx.Document(io.BytesIO(buf.getvalue()))
    first = document.paragraphs[0]
    assert first.text == report.title
    first._element.getparent().remove(first._element)
    document.core_properties.title = "某区教育委员会2022年政府信息公开工作年度报告"
    out = io.BytesIO()
    document.save(out)
    got = read_docx(out.getvalue())
    assert got.report is not None
    assert (got.report.agency, got.report.year) == ("某区教育委员会", 2022)
    assert figures(got.report) == figures(report)
    assert got.metadata["year"].place.cell == "docProps/core.xml title"


def test_pdf_info_title_names_the_report(monkeypatch: pytest.MonkeyPatch) -> None:
    import test_read_pdf as pdfs

    from gongkai_model.formats.pdf import read_pdf

    report = with_overview(gk.examples.seed_report(), None)
    drawn = pdfs.Layout.paragraph

    def untitled(self: Any, text: str, *args: Any, **kwargs: Any) -> None:
        if text not in (report.agency, f"{report.year}年{gk.AnnualReport.TITLE}"):
            drawn(self, text, *args, **kwargs)

    monkeypatch.setattr(pdfs.Layout, "paragraph", untitled)
    data = pdfs.render(report)
    title = "某区教育委员会2022年政府信息公开工作年度报告".encode("utf-16-be").hex().upper()
    data = re.sub(rb"trailer\n<< ", b"trailer\n<< /Info << /Title <FEFF" + title.encode() + b"> >> ", data)
    got = read_pdf(data)
    assert got.report is not None
    assert (got.report.agency, got.report.year) == ("某区教育委员会", 2022)
    assert figures(got.report) == figures(report)
    assert got.metadata["year"].place.cell == "PDF /Title"


# --- the model, JSON, checks with an unknown agency or year ----------------------------------------------


@SETTINGS
@given(shape=shapes)
def test_unknown_agency_and_year_go_through_json_checks_and_compare(shape: Shape) -> None:
    blank = gk.AnnualReport.blank(
        agency="x",
        year=2021 if shape.edition.value == "2021" else 2019,
        single_other_row=shape.single_other_row,
        subtotal_column=shape.subtotal_column,
    )
    report = attrs.evolve(blank, agency=None, year=None)
    assert gk.loads(gk.dumps(report)) == report
    assert gk.validate(report).verdict == "empty"  # checked with no error; a blank report is never ok
    assert shape_of(report) == shape
    assert report.title.endswith(gk.AnnualReport.TITLE)
    assert gk.compare(report, report).unchanged > 0
    series = gk.checks.validate_series([report, attrs.evolve(report, agency="甲局", year=2021)])
    assert not [f for f in series.issues if f.severity == "error"]


def test_schema_allows_null_agency_and_year() -> None:
    from gongkai_model import jsonio

    schema = jsonio.json_schema()
    props = schema["properties"]
    assert "null" in props["agency"]["type"]
    assert "null" in props["year"]["type"]


def test_frame_year_is_nullable_when_unknown() -> None:
    pytest.importorskip("pandas")
    seed = gk.examples.seed_report()
    frame = gk.to_frame([seed, attrs.evolve(seed, agency=None, year=None)])
    assert str(frame["year"].dtype) == "Int64"
    assert frame["year"].isna().sum() == len(frame) // 2
    assert frame["agency"].isna().sum() == len(frame) // 2


# --- batches and the command line -------------------------------------------------------------------------


def _untitled_files(tmp_path: Path) -> tuple[Path, Path]:
    a = tmp_path / "a.txt"
    report = with_overview(gk.examples.seed_report(), "本年度依法做好政府信息公开工作。")
    a.write_text(untitled_text(report), encoding="utf-8")
    b = tmp_path / "b.html"
    b.write_text(untitled_html(report), encoding="utf-8")
    return a, b


def test_check_many_and_read_many_take_per_file_options(tmp_path: Path) -> None:
    a, b = _untitled_files(tmp_path)
    meta = {str(a): {"agency": "甲局", "year": 2023}, str(b): {"agency": "乙局", "year": 2022, "url": "x"}}
    got = read_many([a, b], executor="serial", meta=meta)
    assert [(g.report.agency, g.report.year) for g in got if g.report is not None] == [("甲局", 2023), ("乙局", 2022)]
    result = check_many([a, b], executor="serial", meta=meta)
    assert [(r.report.agency, r.report.year) for r in result.files if r.report is not None] == [
        ("甲局", 2023),
        ("乙局", 2022),
    ]
    plain = check_many([a], executor="serial")
    assert plain.files[0].report is not None
    assert plain.files[0].report.agency is None
    assert plain.files[0].status == "warnings"


def test_cli_check_agency_and_year(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from gongkai_model.__main__ import main

    a, b = _untitled_files(tmp_path)
    assert main(["check", str(a), str(b), "--jobs", "1", "--format", "json"]) == 0
    files = json.loads(capsys.readouterr().out)["files"]
    assert [(f["agency"], f["year"], f["status"]) for f in files] == [(None, None, "warnings")] * 2
    assert main(["check", str(a), str(b), "--jobs", "1", "--warnings", "--format", "json"]) == 1
    capsys.readouterr()
    assert main(["check", str(a), str(b), "--jobs", "1", "--warnings", "--agency", "甲局", "--year", "2023"]) == 0
    assert "甲局 2023" in capsys.readouterr().out


@pytest.mark.parametrize("kind", ["csv", "jsonl"])
def test_cli_check_meta_file(tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str) -> None:
    from gongkai_model.__main__ import main

    a, b = _untitled_files(tmp_path)
    meta = tmp_path / f"meta.{kind}"
    if kind == "csv":
        meta.write_text("path,agency,year,url\na.txt,甲局,2023,http://a\nb.html,乙局,2022年,\n", encoding="utf-8")
    else:
        lines = [
            {"path": "a.txt", "agency": "甲局", "year": 2023, "url": "http://a"},
            {"path": "b.html", "agency": "乙局", "year": "2022"},
        ]
        meta.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines), encoding="utf-8")
    args = ["check", str(a), str(b), "--jobs", "1", "--warnings", "--format", "json", "--meta", str(meta)]
    assert main([*args, "--agency", "丙局"]) == 0
    files = json.loads(capsys.readouterr().out)["files"]
    assert [(f["agency"], f["year"]) for f in files] == [("甲局", 2023), ("乙局", 2022)]
    assert files[0]["meta"]["url"] == "http://a"


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("agency,year\n甲局,2023\n", "no 'path' column"),
        ("path,year\na.txt,二〇二三\n", "not a whole number"),
        ('{"path": "a.txt"}\n[1]\n', "not an object"),
        ("path,year\na.txt,2023\na.txt,2022\n", "listed twice"),
    ],
)
def test_cli_meta_file_errors_are_usage_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, says: str
) -> None:
    from gongkai_model.__main__ import main

    a, _ = _untitled_files(tmp_path)
    meta = tmp_path / "meta.csv"
    meta.write_text(content, encoding="utf-8")
    assert main(["check", str(a), "--jobs", "1", "--meta", str(meta)]) == 2
    assert says in capsys.readouterr().err


def test_cli_convert_agency_and_year(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from gongkai_model.__main__ import main

    a, _ = _untitled_files(tmp_path)
    out = tmp_path / "a.json"
    assert main(["convert", str(a), str(out), "--agency", "甲局", "--year", "2023"]) == 0
    assert (gk.load(out).agency, gk.load(out).year) == ("甲局", 2023)
    assert main(["convert", str(a), str(tmp_path / "b.json")]) == 0
    assert "unknown" in capsys.readouterr().err
    assert gk.load(tmp_path / "b.json").agency is None


# --- hostile: the metadata a page or file carries is bounded --------------------------------------------


def many_meta_tags() -> object:
    """A page whose ``<head>`` holds 10 000 naming ``<meta>`` tags of 1 000 characters each."""
    head = '<meta name="ArticleTitle" content="' + "某" * 1_000 + '">'
    body = untitled_html(with_overview(gk.examples.seed_report(), None), "<title>x</title>" + head * 10_000)
    return read_html(body.encode())


def test_hostile_head_is_bounded() -> None:
    outcome = assert_contract(run_capped("test_meta:many_meta_tags"))
    assert outcome.report
    assert "READ_META_MISSING" in outcome.codes  # type: ignore[attr-defined]


def huge_file_name() -> object:
    """A file name of 100 000 characters that repeats the title pattern (only its start is looked at)."""
    report = with_overview(gk.examples.seed_report(), None)
    name = "某局2023年政府信息公开工作年度报告" * 5_000 + ".txt"
    return read_text(untitled_text(report).encode(), name=name)


def test_hostile_file_name_is_bounded() -> None:
    outcome = assert_contract(run_capped("test_meta:huge_file_name"))
    assert outcome.report
