"""Word documents: read_docx / parse_docx / write_docx.

- round trip: every generated report of every shape, written and read back, is the same report;
- Word as agencies publish it (hand-built WordprocessingML, not our writer): the real cases' figures
  in tables with vertical group labels merged over their rows (``w:vMerge``), header spans
  (``w:gridSpan``), digits split across runs, bold numbered paragraphs as headings, a paragraph
  between tables, content controls, a nested table, the legacy ``w:hMerge`` and ``w:gridBefore``;
- hostile packages (zip bomb, billion laughs, damaged or foreign archives, a document with no
  tables) give the library's own located errors and problems, never a foreign exception.
"""

from __future__ import annotations

import builtins
import io
import shutil
import subprocess
import sys
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import attrs
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import gongkai_model as gk
from gongkai_model import excel
from gongkai_model.errors import Place, ReadError
from gongkai_model.formats._assemble import find_heading
from gongkai_model.formats.docx import parse_docx, read_docx, write_docx
from gongkai_model.limits import Limits
from gongkai_model.model import get_path, layout, shape_of
from gongkai_model.presentation import plans, section_headings

from cases import build, expected_cells
from conftest import CASES, case_names, load_case
from strategies import shapes, table_reports

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>"
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"'
    ' Target="word/document.xml"/></Relationships>'
)


def package(document: str | bytes, extra: dict[str, bytes] | None = None, types: str = CONTENT_TYPES) -> bytes:
    """A minimal .docx: content types, the package relationship and ``word/document.xml``."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", types)
        z.writestr("_rels/.rels", RELS)
        z.writestr("word/document.xml", document)
        for name, blob in (extra or {}).items():
            z.writestr(name, blob)
    return out.getvalue()


def document(body: str) -> str:
    head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    return f'{head}<w:document xmlns:w="{W}"><w:body>{body}</w:body></w:document>'


def runs(text: str, bold: bool = False, split: bool = False) -> str:
    """Text as Word stores it: one run, or (``split``) one run per character, as after editing."""
    pieces = list(text) if split and len(text) > 1 else [text]
    props = "<w:rPr><w:b/></w:rPr>" if bold else ""
    return "".join(f'<w:r>{props}<w:t xml:space="preserve">{escape(p)}</w:t></w:r>' for p in pieces)


def para(text: str, bold: bool = False, split: bool = False) -> str:
    return f"<w:p>{runs(text, bold, split)}</w:p>"


@attrs.frozen
class WCell:
    body: str  # the cell's block content (paragraphs, nested tables)
    span: int = 1
    vmerge: str | None = None  # "restart", "continue"
    hmerge: str | None = None


def tc(cell: WCell) -> str:
    props = ""
    if cell.span > 1:
        props += f'<w:gridSpan w:val="{cell.span}"/>'
    if cell.vmerge == "restart":
        props += '<w:vMerge w:val="restart"/>'
    elif cell.vmerge == "continue":
        props += "<w:vMerge/>"
    if cell.hmerge is not None:
        props += f'<w:hMerge w:val="{cell.hmerge}"/>' if cell.hmerge == "restart" else "<w:hMerge/>"
    body = cell.body or "<w:p/>"
    return f"<w:tc><w:tcPr>{props}</w:tcPr>{body}</w:tc>"


def tbl(rows: list[list[WCell]], before: dict[int, int] | None = None) -> str:
    out = []
    for i, row in enumerate(rows):
        pr = f'<w:trPr><w:gridBefore w:val="{before[i]}"/></w:trPr>' if before and i in before else ""
        out.append(f"<w:tr>{pr}{''.join(tc(c) for c in row)}</w:tr>")
    return f"<w:tbl><w:tblPr/>{''.join(out)}</w:tbl>"


def printed(value: Any, k: int) -> tuple[str, bool]:
    """A figure as an agency prints it (text, split into runs?); blanks alternate between empty and a dash."""
    if value is None:
        return ("" if k % 2 else "—"), False
    if isinstance(value, gk.Amount | Decimal):
        return str(value), True
    return str(value), True


def word_table(plan: Any, figures: dict[str, Any], texts: dict[str, str]) -> list[list[WCell]]:
    """A plan's table as Word stores it: every merged box is a restart cell and continue cells below it."""
    boxes: list[tuple[int, int, int, int, str, bool]] = []  # top, left, bottom, right, body, is_label
    for lb in plan.labels:
        if lb.kind == "title":
            continue
        # labels: bold; a long label is two paragraphs, as Word wraps them by hand
        text = lb.text
        body = para(text, bold=lb.kind != "row")
        if len(text) > 12:
            body = para(text[:6], bold=lb.kind != "row") + para(text[6:], bold=lb.kind != "row")
        boxes.append((lb.row, lb.col, lb.last_row, lb.last_col, body, True))
    for k, v in enumerate(plan.values):
        text, split = printed(figures.get(v.cell.path), k)
        text = texts.get(v.cell.path, text)
        boxes.append((v.row, v.col, v.row, v.last_col, para(text, split=split), False))
    top = min(b[0] for b in boxes)
    bottom = max(b[2] for b in boxes)
    rows: list[list[WCell]] = []
    for y in range(top, bottom + 1):
        row: list[WCell] = []
        x = 1
        while x <= plan.width:
            box = next((b for b in boxes if b[0] <= y <= b[2] and b[1] <= x <= b[3]), None)
            if box is None:
                row.append(WCell(""))
                x += 1
                continue
            span = box[3] - box[1] + 1
            tall = box[2] > box[0]
            if y == box[0]:
                row.append(WCell(box[4], span, "restart" if tall else None))
            else:
                row.append(WCell("", span, "continue"))
            x += span
        rows.append(row)
    return rows


def word_report(case: dict[str, Any], texts: dict[str, str] | None = None) -> tuple[bytes, dict[str, Any]]:
    """A real case's figures published as a Word document the way agencies' Word files are built.

    ``texts`` prints other texts in some value cells (model path → text).
    """
    report = build(case)
    figures = expected_cells(case)
    tables = dict(zip(("table2", "table3", "table4"), plans(shape_of(report)), strict=True))
    body = [
        # the title in two runs: the agency, then the year and the document's name
        f"<w:p><w:pPr><w:jc w:val='center'/></w:pPr>{runs(case['agency'], True)}"
        f"{runs(str(case['year']) + '年' + gk.AnnualReport.TITLE, True)}</w:p>",
        "<w:p/>",
    ]
    for heading, attribute, _ in section_headings():
        body.append(para(heading, bold=True, split=True))  # a bold numbered paragraph, no Heading style
        if attribute in tables:
            body.append(para("（单位：件）"))  # a note above a table, as many reports print
            body.append(tbl(word_table(tables[attribute], figures, texts or {})))
        else:
            body.append(f"<w:sdt><w:sdtContent>{para('本机关' + attribute + '的说明。')}</w:sdtContent></w:sdt>")
    return package(document("".join(body))), figures


# ------------------------------------------------------------------------------------ round trip

LINE = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Cn", "Co", "Zl", "Zp"), blacklist_characters="\r\n"),
    min_size=1,
    max_size=30,
).map(str.strip)
AGENCY = st.text(
    alphabet=st.sampled_from("北京市西城区信访办公室人民政府上海科技委员会（）ABCxyz"),
    min_size=1,
    max_size=20,
)


def _not_heading(line: str) -> bool:
    return bool(line) and find_heading(line) is None and all(find_heading(line, i) is None for i in range(6))


section_texts = st.one_of(st.none(), st.lists(LINE.filter(_not_heading), min_size=1, max_size=4).map("\n".join))


@st.composite
def published_reports(draw: st.DrawFn) -> gk.AnnualReport:
    """Reports as a published document carries them: agency, year, the tables and the sections' texts."""
    report = draw(table_reports(draw(shapes)))
    agency = draw(AGENCY)
    assume(not agency.startswith("关于"))
    return attrs.evolve(
        report,
        agency=agency,
        overview=gk.model.Overview(text=draw(section_texts)),
        problems=draw(section_texts),
        other_matters=gk.model.OtherMatters(text=draw(section_texts)),
    )


def write(report: gk.AnnualReport) -> bytes:
    out = io.BytesIO()
    write_docx(report, out)
    return out.getvalue()


@settings(max_examples=25, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(published_reports())
def test_round_trip_every_shape(report: gk.AnnualReport) -> None:
    got = read_docx(write(report))
    assert got.errors == (), got.summary()
    assert got.report == report
    assert len(got.provenance) == len(layout(shape_of(report)))


def test_written_tables_have_real_merges() -> None:
    """表三's group label is one cell merged down over its rows; 申请人情况 one cell across its columns."""
    from docx import Document

    report = gk.examples.seed_report()
    doc = Document(io.BytesIO(write(report)))
    table3 = doc.tables[1]
    xml = table3._tbl.xml
    group = gk.model.rows(shape_of(report))
    results = next(r for r in group if r.groups).groups[0].label  # 三、本年度办理结果
    n = sum(1 for r in group if r.table == "三" and r.groups and r.groups[0].label == results)
    assert n == 22
    restarts = xml.count('w:vMerge w:val="restart"')
    assert restarts >= 3
    # the group label's cell is the same cell object on all 22 rows
    grid = parse_docx(write(report)).grids[1]
    cell = next(c for c in grid.cells() if c.text == results)
    assert cell.bottom - cell.top + 1 == n
    header = next(c for c in grid.cells() if c.text == gk.model.tables.ApplicantCounts.HEADER)
    columns = [c for c in layout(shape_of(report)) if c.path.startswith("table3.new_received.")]
    assert header.right - header.left + 1 == len(columns)


def test_seed_writes_and_reads_its_tables_and_texts() -> None:
    seed = gk.examples.seed_report()
    got = read_docx(write(seed))
    assert got.ok, got.summary()
    assert got.report is not None
    for name in ("agency", "year", "table2", "table3", "table4"):
        assert getattr(got.report, name) == getattr(seed, name)
    # blank lines between paragraphs are not printed: the texts are the same lines
    assert got.report.problems == "\n".join(x for x in (seed.problems or "").split("\n") if x.strip())
    assert got.headings["overview"] == "一、总体情况"


def test_write_to_a_path(tmp_path: Path) -> None:
    target = tmp_path / "report.docx"
    write_docx(gk.examples.seed_report(), target)
    got = read_docx(target)
    assert got.ok
    assert got.provenance["table3.new_received.total"].place.source == str(target)


@pytest.mark.parametrize(
    ("field", "bad"),
    [("agency", "机关\x01"), ("problems", "问题\ufffe"), ("overview", "概述\ud800"), ("other_matters", "其他\x0b")],
)
def test_writer_refuses_text_xml_cannot_carry(field: str, bad: str) -> None:
    seed = gk.examples.seed_report()
    value: Any = bad
    if field == "overview":
        value = gk.model.Overview(text=bad)
    elif field == "other_matters":
        value = gk.model.OtherMatters(text=bad)
    with pytest.raises(gk.errors.ModelError) as info:
        write_docx(attrs.evolve(seed, **{field: value}), io.BytesIO())
    [problem] = info.value.problems
    assert problem.location == (field if field in ("agency", "problems") else f"{field}.text")
    assert problem.label


def test_writer_names_every_bad_field_at_once() -> None:
    seed = gk.examples.seed_report()
    bad = attrs.evolve(seed, agency="a\x00", problems="b\x1f", other_matters=gk.model.OtherMatters(text="\uffff"))
    with pytest.raises(gk.errors.ModelError) as info:
        write_docx(bad, io.BytesIO())
    assert [p.location for p in info.value.problems] == ["agency", "problems", "other_matters.text"]


def test_writer_reports_an_unwritable_target(tmp_path: Path) -> None:
    with pytest.raises(gk.GongkaiError) as info:
        write_docx(gk.examples.seed_report(), tmp_path / "missing" / "report.docx")
    assert info.value.problems[0].location.endswith("report.docx")


# ------------------------------------------------------------------------- Word as agencies build it


@pytest.mark.parametrize("name", case_names())
def test_real_figures_in_word_tables_read_exactly(name: str) -> None:
    """Every real case's figures, in Word tables built as agencies build them, read cell for cell."""
    case = load_case(name)
    data, figures = word_report(case)
    got = read_docx(data, name=f"{name}.docx")
    assert got.errors == (), got.summary()
    assert got.report is not None
    assert (got.report.agency, got.report.year, got.report.edition.value) == (
        case["agency"],
        case["year"],
        case["format"],
    )
    wrong = {p: (get_path(got.report, p), v) for p, v in figures.items() if get_path(got.report, p) != v}
    assert wrong == {}
    for path in figures:
        place = got.provenance[path].place
        assert place.source == f"{name}.docx"
        assert place.table in (1, 2, 3)
        assert place.row
        assert place.column
    # the sections' texts inside content controls are read in place
    assert got.report.problems == "本机关problems的说明。"


def test_vertical_heading_merged_over_22_rows_is_one_cell() -> None:
    case = load_case("seed-xicheng-xinfang-2023")
    data, _ = word_report(case)
    doc = parse_docx(data, source="seed.docx")
    grid = doc.grids[1]
    shape = shape_of(build(case))
    label = next(r for r in gk.model.rows(shape) if r.groups).groups[0].label
    cell = next(c for c in grid.cells() if c.text == label)
    assert cell.bottom - cell.top + 1 == 22
    assert all(grid.rows[r][cell.left] is cell for r in range(cell.top, cell.bottom + 1))
    assert cell.place == Place("seed.docx", table=2, row=cell.top + 1, column=1)


def test_body_order_paragraphs_and_tables() -> None:
    body = (
        para("某某局2023年政府信息公开工作年度报告")
        + para("前")
        + tbl([[WCell(para("a")), WCell(para("b"))]])
        + para("中")
        + tbl([[WCell(para("c"))]])
        + "<w:p/>"
        + para("后")
    )
    doc = parse_docx(package(document(body)), source="x.docx")
    assert [(b.kind, b.text) for b in doc.blocks] == [
        ("paragraph", "某某局2023年政府信息公开工作年度报告"),
        ("paragraph", "前"),
        ("table", "a\tb"),
        ("paragraph", "中"),
        ("table", "c"),
        ("paragraph", "后"),
    ]
    assert doc.blocks[5].place == Place("x.docx", line=5)  # the empty paragraph still counts
    assert doc.blocks[4].place == Place("x.docx", table=2)


def test_cell_text_runs_paragraphs_and_nested_tables() -> None:
    nested = tbl([[WCell(para("内1")), WCell(para("内2"))], [WCell(para("内3")), WCell("")]])
    cells = [
        WCell(para("12", split=True) + para("")),  # digits in two runs, an empty paragraph
        WCell(para("第一行") + para("第二行")),
        WCell(para("外") + nested),
        WCell("<w:p><w:r><w:t>a</w:t></w:r><w:r><w:tab/></w:r><w:r><w:t>b</w:t><w:br/><w:t>c</w:t></w:r></w:p>"),
        WCell("<w:p><w:r><w:t>留</w:t></w:r><w:del><w:r><w:delText>删</w:delText></w:r></w:del></w:p>"),
    ]
    doc = parse_docx(package(document(tbl([cells]))))
    [grid] = doc.grids
    assert [c.text for c in grid.cells()] == ["12", "第一行\n第二行", "外\n内1\n内2\n内3", "a\tb\nc", "留"]


def test_legacy_hmerge_and_grid_before() -> None:
    rows = [
        [WCell(para("头"), hmerge="restart"), WCell("", hmerge="continue"), WCell(para("右"))],
        [WCell(para("x")), WCell(para("y"))],
    ]
    doc = parse_docx(package(document(tbl(rows, before={1: 1}))), source="h.docx")
    [grid] = doc.grids
    assert [[c.text if c else None for c in row] for row in grid.rows] == [["头", "头", "右"], ["", "x", "y"]]
    assert grid.rows[1][1].place == Place("h.docx", table=1, row=2, column=2)


def test_vmerge_continue_with_text_keeps_it() -> None:
    rows = [
        [WCell(para("上"), vmerge="restart"), WCell(para("1"))],
        [WCell(para("下"), vmerge="continue"), WCell(para("2"))],
    ]
    [grid] = parse_docx(package(document(tbl(rows)))).grids
    assert grid.rows[0][0] is grid.rows[1][0]
    assert grid.rows[0][0].text == "上\n下"  # nothing printed is dropped


def test_run_together_cell_is_refused_and_located() -> None:
    case = load_case("suqian-shi-2023")
    path = "table3.new_received.natural_person"
    data, figures = word_report(case, {path: "行政许可396442278"})
    assert figures[path] is not None
    got = read_docx(data, name="bad.docx")
    refused = [p for p in got.problems if p.code == "READ_VALUE_REFUSED"]
    assert len(refused) == 1
    assert refused[0].place == got.provenance[path].place
    assert refused[0].place is not None
    assert refused[0].place.table == 2
    assert got.provenance[path].text == "行政许可396442278"
    assert not got.ok
    # nothing else moved: every other figure is still exactly the case's
    assert got.report is not None
    assert get_path(got.report, path) is None
    assert {p: get_path(got.report, p) for p in figures if p != path} == {p: v for p, v in figures.items() if p != path}


SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
HTML_CASES = ["shanghai-shizhengfu-bangongting-2019", "shuyang-fagaiju-2023"]


def test_libreoffice_word_files_of_real_pages_read_exactly(tmp_path: Path) -> None:
    """The real pages saved as Word by LibreOffice (its own merges, styles and runs) read to their figures.

    Needs LibreOffice, as tests/test_libreoffice.py does (deselect with ``-k "not libreoffice"``).
    """
    assert SOFFICE, "LibreOffice is needed for this test: apt-get install libreoffice-writer-nogui (.ci/run does)"
    for name in HTML_CASES:
        shutil.copy(CASES / f"{name}.html", tmp_path / f"{name}.html")
    subprocess.run(
        [SOFFICE, "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path}/profile",
         "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(tmp_path / "out"),
         *(str(tmp_path / f"{name}.html") for name in HTML_CASES)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    for name in HTML_CASES:
        case = load_case(name)
        path = tmp_path / "out" / f"{name}.docx"
        got = read_docx(path)
        if any(p.code in ("READ_TITLE_MISSING", "READ_META_MISSING") for p in got.problems):
            got = read_docx(path, agency=case["agency"], year=case["year"])  # the page holds only the tables
        assert got.errors == (), got.summary()
        assert got.report is not None
        assert (got.report.agency, got.report.year, got.report.edition.value) == (
            case["agency"],
            case["year"],
            case["format"],
        )
        figures = expected_cells(case)
        assert {p: get_path(got.report, p) for p in figures} == figures
        assert all(got.provenance[p].place.table for p in figures)


# --------------------------------------------------------------------------------------- hostile


def refused(data: bytes, code: str, limits: Limits | None = None) -> ReadError:
    with pytest.raises(ReadError) as info:
        read_docx(data, name="hostile.docx", limits=limits)
    problems = info.value.problems
    assert problems, str(info.value)
    assert problems[0].code == code, problems
    assert problems[0].place == Place("hostile.docx")
    assert problems[0].location.startswith("hostile.docx")
    return info.value


def test_zip_bomb_is_refused_before_unpacking() -> None:
    bomb = package(document(para("x")), {"word/media/zeros.bin": b"\0" * 20_000_000})
    err = refused(bomb, "READ_LIMIT")
    assert err.problems[0].location == "hostile.docx!word/media/zeros.bin"
    assert "ratio" in err.problems[0].message


def test_too_many_members_and_too_much_unpacked() -> None:
    data = package(document(para("x")), {f"word/m{i}.bin": b"x" for i in range(10)})
    refused(data, "READ_LIMIT", Limits(max_members=5))
    refused(write(gk.examples.seed_report()), "READ_LIMIT", Limits(max_unpacked_bytes=10_000))


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i + 1} "{("&lol" + (str(i) if i else "") + ";") * 10}">' for i in range(9))
    + f']><w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>'
)


def test_billion_laughs_is_refused() -> None:
    err = refused(package(BILLION_LAUGHS), "READ_REFUSED")
    assert err.problems[0].location == "hostile.docx!word/document.xml"


def replaced(data: bytes, member: str, blob: bytes) -> bytes:
    """``data`` with ``member`` replaced by (or added as) ``blob``."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            if item.filename != member:
                dst.writestr(item, src.read(item))
        dst.writestr(member, blob)
    return out.getvalue()


OTHER_PART = CONTENT_TYPES.replace(
    "</Types>", '<Override PartName="/word/other.part" ContentType="application/vnd.example+xml"/></Types>'
)


@pytest.mark.parametrize(
    ("member", "blob"),
    [
        ("_rels/.rels", b'<?xml version="1.0"?><!DOCTYPE r SYSTEM "http://example.invalid/r.dtd"><Relationships/>'),
        ("word/document.xml", document(para("x")).encode("utf-16")),
        ("word/document.xml", document(para("x")).replace('encoding="UTF-8"', 'encoding="UTF-7"').encode()),
        ("word/other.part", b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "e">]><x>&e;</x>'),
        ("[Content_Types].xml", b'<?xml version="1.0"?><!DOCTYPE Types [<!ENTITY e "e">]><Types/>'),
    ],
)
def test_doctype_entities_and_other_encodings_are_refused(member: str, blob: bytes) -> None:
    data = replaced(package(document(para("x")), types=OTHER_PART), member, blob)
    err = refused(data, "READ_REFUSED")
    assert err.problems[0].location == f"hostile.docx!{member}"


def test_an_svg_image_with_a_doctype_is_not_parsed_and_not_refused() -> None:
    types = CONTENT_TYPES.replace("</Types>", '<Default Extension="svg" ContentType="image/svg+xml"/></Types>')
    svg = b'<?xml version="1.0"?><!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "x.dtd"><svg/>'
    data = package(document(para("某某局2023年政府信息公开工作年度报告")), {"word/media/a.svg": svg}, types=types)
    assert [b.text for b in parse_docx(data).blocks] == ["某某局2023年政府信息公开工作年度报告"]


def test_damaged_and_foreign_archives() -> None:
    good = write(gk.examples.seed_report())
    refused(b"not a zip at all", "READ_NOT_A_REPORT")
    refused(good[: len(good) // 2], "READ_NOT_A_REPORT")  # cut short: no central directory
    # a flipped byte inside the compressed document part: its checksum fails
    with zipfile.ZipFile(io.BytesIO(good)) as z:
        info = z.getinfo("word/document.xml")
    at = info.header_offset + 30 + len(info.filename) + len(info.extra) + info.compress_size // 2
    damaged = good[:at] + bytes([good[at] ^ 0xFF]) + good[at + 1 :]
    refused(damaged, "READ_DAMAGED")
    # a zip that is not a Word document: a workbook, and an archive of nothing
    workbook = io.BytesIO()
    excel.write_report(gk.examples.seed_report(), workbook)
    refused(workbook.getvalue(), "READ_NOT_A_REPORT")
    empty = io.BytesIO()
    with zipfile.ZipFile(empty, "w") as z:
        z.writestr("readme.txt", "hello")
    refused(empty.getvalue(), "READ_NOT_A_REPORT")


def test_document_without_tables_is_no_report_and_says_why() -> None:
    body = para("某某局2023年政府信息公开工作年度报告") + para("一、总体情况") + para("本年度工作顺利。")
    got = read_docx(package(document(body)), name="notables.docx")
    assert not got.ok
    assert got.provenance == {}
    assert got.errors
    assert all(p.code and p.code.startswith("READ_") for p in got.problems)


def test_empty_document_is_a_located_problem() -> None:
    doc = parse_docx(package(document("")), source="empty.docx")
    assert doc.blocks == ()
    assert [p.code for p in doc.problems] == ["READ_NOT_A_REPORT"]


def test_table_beyond_limits_is_clipped_and_said() -> None:
    rows = [[WCell(para(str(i))), WCell(para("v"))] for i in range(20)]
    doc = parse_docx(package(document(tbl(rows))), limits=Limits(max_rows=5))
    assert len(doc.grids[0].rows) == 5
    assert [p.code for p in doc.problems] == ["READ_LIMIT"]


def test_huge_spans_are_bounded() -> None:
    rows = [[WCell(para("a"), span=10**6)], [WCell(para("b"), vmerge="restart")]]
    doc = parse_docx(package(document(tbl(rows))), limits=Limits(max_columns=50))
    assert doc.grids[0].width <= 50
    assert any(p.code == "READ_LIMIT" for p in doc.problems)


def test_missing_python_docx_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    real = builtins.__import__

    def no_docx(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "docx" or name.startswith("docx."):
            raise ImportError("No module named 'docx'")
        return real(name, *args, **kwargs)

    monkeypatch.delitem(sys.modules, "docx", raising=False)
    monkeypatch.setattr(builtins, "__import__", no_docx)
    with pytest.raises(ReadError) as info:
        read_docx(b"PK", name="x.docx")
    assert "pip install 'gongkai-model[docx]'" in str(info.value)
    with pytest.raises(gk.GongkaiError) as info2:
        write_docx(gk.examples.seed_report(), io.BytesIO())
    assert "gongkai-model[docx]" in str(info2.value)


def test_title_keeps_the_agency_as_printed() -> None:
    """Regression (core): the title is matched on its NFKC form, but the agency keeps its full-width brackets."""
    from gongkai_model.formats import Block, find_title

    title = Block("paragraph", "宿迁市人民政府（全市汇总）　２０２３年政府信息公开工作年度报告", Place("t", line=1))
    assert find_title([title]) == ("宿迁市人民政府（全市汇总）", 2023, Place("t", line=1))
