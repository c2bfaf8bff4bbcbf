"""read_pdf / parse_pdf: the real PDF case, PDFs written here (page breaks, merges, frames), hostile files.

No PDF renderer is part of the library, so the tests write their own small PDFs: a minimal PDF
writer (below) draws ruled tables from the official layout (``presentation.plans``) and text in
a CID font with a ``ToUnicode`` map, which is what Word/WPS exports give pdfplumber to read.
"""

from __future__ import annotations

import builtins
import io
import zlib
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gongkai_model import AnnualReport, Edition
from gongkai_model import presentation as _layout
from gongkai_model.errors import Place, ReadError
from gongkai_model.formats._assemble import find_title
from gongkai_model.formats.pdf import parse_pdf, read_pdf
from gongkai_model.limits import Limits
from gongkai_model.model import OtherHandling, Shape, get_path, layout
from gongkai_model.model.values import Amount
from gongkai_model.reference import section_headings

from cases import expected_cells
from conftest import CASES, load_case
from strategies import table_reports

REAL = CASES / "huaian-hongze-qu-2024.pdf"


# --- a minimal PDF writer -------------------------------------------------------------------------


class PDFWriter:
    """Pages of text (a CID font, Identity-H, with a ToUnicode map) and ruling lines and rectangles."""

    W, H = 595.0, 842.0

    def __init__(self) -> None:
        self.pages: list[list[str]] = []
        self.used: set[int] = set()
        self.encrypt = False
        self.broken: set[int] = set()  #: pages (from 1) whose content stream cannot be inflated
        # for hostile files (tests/test_pdf_hostile.py):
        self.packed: dict[int, bytes] = {}  #: pages (from 1) whose content stream is these Flate bytes as they are
        self.widths: str | None = None  #: the CID font's /W array, instead of the real widths
        self.cmap_extra = ""  #: more of the ToUnicode CMap (e.g. a ``bfrange``)
        self.xobjects: list[str] = []  #: Form XObjects ``/X0``, ``/X1`` … (their drawing), usable on every page

    def new_page(self) -> None:
        self.pages.append([])

    @staticmethod
    def width(ch: str, size: float) -> float:
        return size * (0.5 if ord(ch) < 127 else 1.0)

    def text(self, x: float, top: float, s: str, size: float = 10.0) -> None:
        """``s`` with its top-left corner at ``(x, top)`` (page coordinates from the top)."""
        if not s:
            return
        self.used.update(ord(c) for c in s)
        hexed = "".join(f"{ord(c):04X}" for c in s)
        y = self.H - top - size * 0.88
        self.pages[-1].append(f"BT /F1 {size:.2f} Tf 1 0 0 1 {x:.2f} {y:.2f} Tm <{hexed}> Tj ET")

    def line(self, x0: float, top0: float, x1: float, top1: float) -> None:
        self.pages[-1].append(f"0 0 0 RG 0.5 w {x0:.2f} {self.H - top0:.2f} m {x1:.2f} {self.H - top1:.2f} l S")

    def box(
        self, x0: float, top: float, x1: float, bottom: float, *, stroke: bool = True, fill: str | None = None
    ) -> None:
        op = "B" if stroke and fill else ("S" if stroke else "f")
        colour = f"{fill} rg " if fill else ""
        rect = f"{x0:.2f} {self.H - bottom:.2f} {x1 - x0:.2f} {bottom - top:.2f} re"
        self.pages[-1].append(f"{colour}0 0 0 RG 0.5 w {rect} {op}")

    def build(self) -> bytes:
        objects: list[bytes] = []

        def add(body: bytes) -> int:
            objects.append(body)
            return len(objects)

        def stream(data: bytes, extra: str = "") -> bytes:
            packed = zlib.compress(data)
            return (
                f"<< /Length {len(packed)} /Filter /FlateDecode {extra}>>\nstream\n".encode() + packed + b"\nendstream"
            )

        names = " ".join(f"/X{i} {i + 1} 0 R" for i in range(len(self.xobjects)))
        xobject_resources = f"/XObject << {names} >>" if self.xobjects else ""
        for drawing in self.xobjects:  # objects 1 … n, so that each can name the others
            add(
                stream(
                    drawing.encode(),
                    f"/Type /XObject /Subtype /Form /BBox [0 0 {self.W:.0f} {self.H:.0f}] "
                    f"/Resources << {xobject_resources} >> ",
                )
            )
        codes = sorted(self.used)
        chunks = [codes[i : i + 100] for i in range(0, len(codes), 100)]
        cmap = "/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /Uni def "
        cmap += "1 begincodespacerange <0000> <FFFF> endcodespacerange "
        for chunk in chunks:
            cmap += f"{len(chunk)} beginbfchar " + " ".join(f"<{c:04X}> <{c:04X}>" for c in chunk) + " endbfchar "
        cmap += self.cmap_extra + " endcmap CMapName currentdict /CMap defineresource pop end end"
        to_unicode = add(stream(cmap.encode()))
        descriptor = add(
            b"<< /Type /FontDescriptor /FontName /SimSun /Flags 4 /FontBBox [0 -140 1000 880] /ItalicAngle 0 "
            b"/Ascent 880 /Descent -120 /CapHeight 700 /StemV 80 >>"
        )
        widths = " ".join("500" for _ in range(32, 127))
        cid = add(
            f"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /SimSun /CIDSystemInfo << /Registry (Adobe) "
            f"/Ordering (Identity) /Supplement 0 >> /FontDescriptor {descriptor} 0 R /DW 1000 "
            f"/W {self.widths or f'[32 [{widths}]]'} /CIDToGIDMap /Identity >>".encode()
        )
        font = add(
            f"<< /Type /Font /Subtype /Type0 /BaseFont /SimSun /Encoding /Identity-H "
            f"/DescendantFonts [{cid} 0 R] /ToUnicode {to_unicode} 0 R >>".encode()
        )
        pages_id = len(objects) + 2 * len(self.pages) + 1
        kids = []
        for number, ops in enumerate(self.pages, start=1):
            if number in self.broken:
                garbage = b"x\x9c" + bytes(range(7, 250))
                content = add(
                    f"<< /Length {len(garbage)} /Filter /FlateDecode >>\nstream\n".encode() + garbage + b"\nendstream"
                )
            elif number in self.packed:
                packed = self.packed[number]
                content = add(
                    f"<< /Length {len(packed)} /Filter /FlateDecode >>\nstream\n".encode() + packed + b"\nendstream"
                )
            else:
                content = add(stream("\n".join(ops).encode()))
            kids.append(
                add(
                    f"<< /Type /Page /Parent {pages_id} 0 R /MediaBox [0 0 {self.W:.0f} {self.H:.0f}] "
                    f"/Resources << /Font << /F1 {font} 0 R >> {xobject_resources} >> "
                    f"/Contents {content} 0 R >>".encode()
                )
            )
        assert (
            add(f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] /Count {len(kids)} >>".encode())
            == pages_id
        )
        catalog = add(f"<< /Type /Catalog /Pages {pages_id} 0 R >>".encode())
        trailer_extra = ""
        if self.encrypt:  # the standard security handler with a user password (not the empty one)
            enc = add(
                b"<< /Filter /Standard /V 1 /R 2 /Length 40 /P -4 /O <" + b"11" * 32 + b"> /U <" + b"22" * 32 + b"> >>"
            )
            trailer_extra = f" /Encrypt {enc} 0 R /ID [<{'33' * 16}> <{'33' * 16}>]"
        out = io.BytesIO()
        out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        offsets = []
        for i, body in enumerate(objects, start=1):
            offsets.append(out.tell())
            out.write(f"{i} 0 obj\n".encode() + body + b"\nendobj\n")
        xref = out.tell()
        out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
        for off in offsets:
            out.write(f"{off:010d} 00000 n \n".encode())
        out.write(f"trailer\n<< /Size {len(objects) + 1} /Root {catalog} 0 R{trailer_extra} >>\n".encode())
        out.write(f"startxref\n{xref}\n%%EOF\n".encode())
        return out.getvalue()


# --- a report drawn as a PDF, from the official layout ---------------------------------------------


def printed(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Amount):
        return str(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def wrap(text: str, width: float, size: float) -> list[str]:
    lines: list[str] = []
    current = ""
    used = 0.0
    for ch in text:
        w = PDFWriter.width(ch, size)
        if current and used + w > width - 4:
            lines.append(current)
            current, used = "", 0.0
        current += ch
        used += w
    if current:
        lines.append(current)
    return lines


class Layout:
    """Draws a report: title, headings, paragraphs and ruled tables, flowing over pages."""

    LEFT, RIGHT, TOP, BOTTOM = 70.0, 525.0, 60.0, 780.0

    def __init__(self) -> None:
        self.pdf = PDFWriter()
        self.pdf.new_page()
        self.y = self.TOP
        self.page_numbers = False

    def new_page(self) -> None:
        if self.page_numbers:
            self.pdf.text(290, 800, f"- {len(self.pdf.pages)} -", 10)
        self.pdf.new_page()
        self.y = self.TOP

    def paragraph(self, text: str, size: float = 12, indent: bool = True, centre: bool = False) -> None:
        width = self.RIGHT - self.LEFT
        first = 2 * size if indent else 0
        lines = wrap(text, width - first, size)
        if len(lines) > 1:
            lines = [lines[0], *wrap("".join(lines[1:]), width, size)]
        for i, line in enumerate(lines):
            if self.y + size * 1.6 > self.BOTTOM:
                self.new_page()
            if centre:
                x = self.LEFT + (width - sum(PDFWriter.width(c, size) for c in line)) / 2
            else:
                x = self.LEFT + (first if i == 0 else 0)
            self.pdf.text(x, self.y, line, size)
            self.y += size * 1.6

    def table(
        self,
        plan: Any,
        values: dict[str, str],
        *,
        break_after: int | None = None,
        repeat_header: bool = False,
        stack: tuple[int, int, int] | None = None,
    ) -> None:
        """One table of ``plan`` (its title row left out); a page break after grid row ``break_after``.

        ``stack=(first, last, column)``: the plan's rows ``first … last`` are printed as one ruled row from
        grid column ``column`` (from 1) on, each cell's texts one under another at its own row's height
        (the way some reports print the sub-rows of （六）其他处理).
        """
        size = 7.0
        labels = [lab for lab in plan.labels if lab.kind != "title"]
        top_row = min(lab.row for lab in labels)
        nrows = max([lab.last_row for lab in labels] + [v.row for v in plan.values]) - top_row + 1
        header_rows = min(v.row for v in plan.values) - top_row
        cells: list[tuple[int, int, int, int, str]] = [
            (lab.row - top_row, lab.col - 1, lab.last_row - top_row, lab.last_col - 1, lab.text) for lab in labels
        ]
        cells += [
            (v.row - top_row, v.col - 1, v.row - top_row, v.last_col - 1, values[v.cell.path]) for v in plan.values
        ]
        ncols = plan.width
        value_cols = {v.col - 1 for v in plan.values}
        label_cols = [c for c in range(ncols) if c not in value_cols]
        total = self.RIGHT - self.LEFT
        vw = min(36.0, total / ncols) if label_cols else total / ncols
        lw = (total - vw * (ncols - len(label_cols))) / len(label_cols) if label_cols else 0
        if label_cols and len(label_cols) > 1:  # narrow group columns, a wide row-label column
            widths = dict.fromkeys(label_cols, lw)
            spare = (lw - 24) * (len(label_cols) - 1)
            for c in label_cols[:-1]:
                widths[c] = 24
            widths[label_cols[-1]] = lw + spare
        else:
            widths = dict.fromkeys(label_cols, lw)
        xs = [self.LEFT]
        for c in range(ncols):
            xs.append(xs[-1] + (widths.get(c, vw)))
        heights = [size * 1.5 + 4] * nrows
        for r0, c0, r1, c1, text in cells:
            need = len(wrap(text, xs[c1 + 1] - xs[c0], size)) * size * 1.3 + 4
            have = sum(heights[r0 : r1 + 1])
            if need > have:
                heights[r1] += need - have
        pieces: dict[int, list[tuple[int, str]]] = {}  # a stacked cell (index into cells) → (row, text) pieces
        if stack is not None:
            first, last, from_col = stack[0] - top_row, stack[1] - top_row, stack[2] - 1
            kept: list[tuple[int, int, int, int, str]] = []
            merged: dict[tuple[int, int], list[tuple[int, str]]] = {}
            for cell in cells:
                r0, c0, r1, c1, text = cell
                if first <= r0 and r1 <= last and c0 >= from_col:
                    merged.setdefault((c0, c1), []).append((r0, text))
                else:
                    kept.append(cell)
            cells = kept
            for (c0, c1), texts in merged.items():
                pieces[len(cells)] = sorted(texts)
                cells.append((first, c0, last, c1, ""))
        segments: list[tuple[int, int]] = []  # grid rows drawn on each page
        if break_after is not None and 0 < break_after < nrows:
            segments = [(0, break_after), (break_after, nrows)]
        else:
            segments = [(0, nrows)]
        done: dict[int, int] = {}
        for k, (first, last) in enumerate(segments):
            if k > 0:
                self.new_page()
            shown = list(range(first, last))
            if k > 0 and repeat_header:
                shown = list(range(header_rows)) + shown
            if self.y + sum(heights[r] for r in shown) > self.BOTTOM:
                self.new_page()
            tops: dict[int, float] = {}
            y = self.y
            for r in shown:
                tops[r] = y
                y += heights[r]
            bottom_of = {r: tops[r] + heights[r] for r in shown}
            for n, (r0, c0, r1, c1, text) in enumerate(cells):
                rows_here = [r for r in range(r0, r1 + 1) if r in tops]
                if not rows_here:
                    continue
                top, bottom = tops[rows_here[0]], bottom_of[rows_here[-1]]
                self.pdf.box(xs[c0], top, xs[c1 + 1], bottom)
                if n in pieces:  # one text under another, each at the top of its own row
                    for row, piece in pieces[n]:
                        for i, line in enumerate(wrap(piece, xs[c1 + 1] - xs[c0], size)):
                            self.pdf.text(xs[c0] + 2, tops[row] + 2 + i * size * 1.3, line, size)
                    continue
                lines = wrap(text, xs[c1 + 1] - xs[c0], size)
                if k > 0 and r0 < header_rows:  # a repeated header prints its text again
                    done[n] = 0
                fits = max(1, int((bottom - top - 2) // (size * 1.3)))
                # a cell split by the page break prints what fits, the rest in its part on the next page
                for i, line in enumerate(lines[done.get(n, 0) : done.get(n, 0) + fits]):
                    self.pdf.text(xs[c0] + 2, top + 2 + i * size * 1.3, line, size)
                done[n] = done.get(n, 0) + fits
            self.y = y + 12


def render(
    report: AnnualReport,
    *,
    break_table3_after: int | None = None,
    repeat_header: bool = False,
    page_numbers: bool = False,
    misprint: dict[str, str] | None = None,
    stack_other: int | None = None,
) -> bytes:
    """The report as a PDF; 表三 broken across pages after a grid row when asked.

    ``stack_other``: 表三's （六） sub-rows printed as one ruled row from that grid column on (3: the labels
    and the figures stacked; 4: the figures only, each label in its own ruled row).
    """
    from gongkai_model.model import shape_of

    out = Layout()
    out.page_numbers = page_numbers
    out.paragraph(report.agency, 18, indent=False, centre=True)
    out.paragraph(f"{report.year}年{AnnualReport.TITLE}", 18, indent=False, centre=True)
    shape = shape_of(report)
    values = {c.path: printed(get_path(report, c.path)) for c in layout(shape)}
    plans = {p.table: p for p in _layout.plans(shape)}
    texts = {"overview": report.overview.text, "problems": report.problems, "other_matters": report.other_matters.text}
    tables = {"table2": "二", "table3": "三", "table4": "四"}
    for heading, attribute, _ in section_headings():
        out.paragraph(heading, 14, indent=True)
        if attribute in tables:
            plan = plans[tables[attribute]]
            if misprint:
                plan = _misprinted(plan, misprint)
            brk = break_table3_after if attribute == "table3" else None
            stack = None
            if attribute == "table3" and stack_other is not None:
                rows = sorted({v.row for v in plan.values if ".results.other." in v.cell.path})
                stack = (rows[0], rows[-1], stack_other)
            out.table(plan, values, break_after=brk, repeat_header=repeat_header, stack=stack)
        elif texts.get(attribute):
            for para in str(texts[attribute]).split("\n"):
                out.paragraph(para, 12)
    if page_numbers:
        out.pdf.text(290, 800, f"- {len(out.pdf.pages)} -", 10)
    return out.pdf.build()


def _misprinted(plan: Any, misprint: dict[str, str]) -> Any:
    import attrs

    labels = tuple(attrs.evolve(lab, text=misprint.get(lab.text, lab.text)) for lab in plan.labels)
    return attrs.evolve(plan, labels=labels)


def figures(report: AnnualReport) -> dict[str, Any]:
    from gongkai_model.model import shape_of

    return {c.path: get_path(report, c.path) for c in layout(shape_of(report))}


texts_cjk = st.one_of(
    st.none(), st.text(st.sampled_from("政府信息公开工作年度报告本机关严格落实条例要求，。"), min_size=1, max_size=60)
)


# --- the real case -----------------------------------------------------------------------------------


def test_real_case_reads_to_its_figures_across_the_page_break() -> None:
    case = load_case("huaian-hongze-qu-2024")
    got = read_pdf(REAL)
    assert got.report is not None, got.summary()
    assert got.errors == (), got.summary()
    report = got.report
    assert (report.agency, report.year, report.edition) == ("淮安市洪泽区人民政府", 2024, Edition.FORMAT_2021)
    expected = expected_cells(case)
    assert {p: get_path(report, p) for p in expected} == expected
    # 表三 starts on page 3 and ends on page 4: the rows after the break are read from page 4.
    pages = {p: got.provenance[p].place.page for p in expected}
    assert pages["table3.new_received.total"] == 3
    assert pages["table3.carried_forward.total"] == 4
    assert str(got.provenance["table3.new_received.total"].place) == f"{REAL}, page 3, table 2, row 4, column 10"


def test_real_case_misprint_is_one_warning_and_strict_refuses_it() -> None:
    got = read_pdf(REAL)
    corrected = [p for p in got.problems if p.code == "READ_LABEL_CORRECTED"]
    assert len(corrected) == 1
    assert corrected[0].severity == "warning"
    assert "2.其他法律行政止公开" in corrected[0].message
    assert corrected[0].place is not None
    assert corrected[0].place.page == 3
    strict = read_pdf(REAL, strict=True)
    refused = [p for p in strict.problems if p.code == "READ_LABEL_REFUSED"]
    assert len(refused) == 1
    assert refused[0].place is not None
    assert refused[0].place.page == 3
    assert not strict.ok
    assert not any(p.endswith(".other_laws") or "other_law" in p for p in strict.provenance)


def test_real_case_title_headings_and_paragraphs() -> None:
    got = read_pdf(REAL)
    assert got.report is not None
    assert [got.headings[a] for _, a, _ in section_headings()] == [
        "一、总体情况",
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
        "五、存在的主要问题及改进情况",
        "六、其他需要报告的事项",
    ]
    overview = got.report.overview.text
    assert overview is not None
    assert overview.startswith("2024 年，淮安市洪泽区人民政府坚持以习近平新时代中国特色社会主义思想为指导")
    # a paragraph that runs over the page break from page 4 to page 5 is one paragraph
    assert got.report.problems is not None
    assert "使各行政机关答复的方式" in got.report.problems
    assert got.report.other_matters.text == (
        "2024 年，区政府严格落实《政府信息公开信息处理费管理办法》，全年收取政府信息公开信息处理费 0 元。"
    )
    doc = parse_pdf(REAL.read_bytes(), source="r.pdf")
    paragraphs = [b for b in doc.blocks if b.kind == "paragraph"]
    # the one-character-per-line row heading stays in its table, never in the text
    assert not any(b.text in ("三", "本", "结", "果") or b.text.startswith("、") for b in paragraphs)
    assert not any(b.text.startswith("- ") for b in paragraphs)  # page numbers are left out
    assert paragraphs[0].place.page == 1
    assert paragraphs[0].place.line == 1
    tables = [b for b in doc.blocks if b.kind == "table"]
    assert [(b.place.page, b.place.table) for b in tables] == [(2, 1), (3, 1), (3, 2), (4, 1), (4, 2)]


# --- PDFs written here -------------------------------------------------------------------------------


@settings(max_examples=12)
@given(table_reports(), st.data())
def test_written_pdf_reads_back_to_the_same_figures(report: AnnualReport, data: st.DataObject) -> None:
    """Every shape; 表三 broken across pages at any row, with or without its headers repeated."""
    report = report.__class__(**{**_fields(report), "agency": "某市某区人民政府"})
    plan3 = next(p for p in _layout.plans(_shape(report)) if p.table == "三")
    nrows = max(lab.last_row for lab in plan3.labels) - 1
    brk = data.draw(st.one_of(st.none(), st.integers(4, nrows - 1)), label="break after")
    repeat = data.draw(st.booleans(), label="repeat header")
    got = read_pdf(render(report, break_table3_after=brk, repeat_header=repeat, page_numbers=True))
    assert got.errors == (), got.summary()
    assert got.report is not None
    assert (got.report.agency, got.report.year, got.report.edition) == (report.agency, report.year, report.edition)
    assert figures(got.report) == figures(report)
    assert set(got.provenance) == set(figures(report))


@settings(max_examples=8)
@given(table_reports(), texts_cjk, texts_cjk)
def test_written_pdf_section_texts(report: AnnualReport, overview: str | None, other: str | None) -> None:
    import attrs

    report = attrs.evolve(
        report,
        agency="某县人民政府",
        overview=attrs.evolve(report.overview, text=overview),
        other_matters=attrs.evolve(report.other_matters, text=other),
    )
    got = read_pdf(render(report, break_table3_after=12))
    assert got.report is not None, got.summary()
    assert got.report.overview.text == overview
    assert got.report.other_matters.text == other
    assert got.report.problems is None


def _fields(report: AnnualReport) -> dict[str, Any]:
    import attrs

    return {f.name: getattr(report, f.name) for f in attrs.fields(type(report))}


def _shape(report: AnnualReport) -> Shape:
    from gongkai_model.model import shape_of

    return shape_of(report)


def seed() -> AnnualReport:
    from gongkai_model.examples import seed_report

    return seed_report()


@pytest.mark.parametrize("brk", [6, 10])
def test_table_continued_without_headers_is_stacked(brk: int) -> None:
    """After row 6 the first part has no boundary between the two label columns: the parts are aligned."""
    report = seed()
    doc = parse_pdf(render(report, break_table3_after=brk), source="s.pdf")
    table3 = [b for b in doc.blocks if b.kind == "table" and b.grid is not None and b.grid.width == 10]
    assert len(table3) == 2, [b.place for b in doc.blocks]
    assert table3[0].place.page != table3[1].place.page
    got = read_pdf(render(report, break_table3_after=brk))
    assert got.ok, got.summary()
    assert figures(got.report) == figures(report)  # type: ignore[arg-type]
    pages = {got.provenance[p].place.page for p in got.provenance if p.startswith("table3.")}
    assert len(pages) == 2


def test_misprinted_label_in_a_written_pdf() -> None:
    report = seed()
    data = render(report, misprint={"3.危及“三安全一稳定”": "3.危及“三安全一稳走”"})
    got = read_pdf(data)
    assert got.ok, got.summary()
    assert [p.code for p in got.problems if p.code == "READ_LABEL_CORRECTED"] == ["READ_LABEL_CORRECTED"]
    assert figures(got.report) == figures(report)  # type: ignore[arg-type]
    strict = read_pdf(data, strict=True)
    assert not strict.ok
    assert any(p.code == "READ_LABEL_REFUSED" for p in strict.problems)


def test_invisible_white_boxes_are_no_table_and_a_visible_frame_is_read_as_text() -> None:
    pdf = PDFWriter()
    pdf.new_page()
    lines = ["某区人民政府", "2023年政府信息公开工作年度报告", "一、总体情况", "本机关严格落实条例要求。"]
    for i, line in enumerate(lines):
        top = 80 + i * 28
        pdf.box(70, top - 4, 525, top + 24, stroke=False, fill="1 1 1")  # white, behind the text
        pdf.text(100 if i < 3 else 94, top, line, 14)
    pdf.box(60, 300, 535, 400)  # a visible frame around one paragraph
    pdf.text(94, 320, "二、主动公开政府信息情况", 14)
    doc = parse_pdf(pdf.build(), source="w.pdf")
    assert {b.kind for b in doc.blocks} == {"paragraph"}
    texts = [b.text for b in doc.blocks]
    assert "一、总体情况" in texts
    assert "二、主动公开政府信息情况" in texts
    assert "".join(texts) == "".join([*lines, "二、主动公开政府信息情况"])
    assert find_title(doc.blocks)[:2] == ("某区人民政府", 2023)


def test_table_printed_without_rulings_is_missing_not_guessed() -> None:
    """A table drawn with no lines (its cells run together in the text layer) gives blanks and problems."""
    pdf = PDFWriter()
    pdf.new_page()
    pdf.text(200, 60, "某区人民政府2023年政府信息公开工作年度报告", 14)
    pdf.text(80, 100, "二、主动公开政府信息情况", 12)
    pdf.text(80, 130, "行政许可396442278", 10)
    got = read_pdf(pdf.build())
    assert got.report is not None, got.summary()
    assert {p.code for p in got.errors} == {"READ_TABLE_MISSING"}
    assert all(v is None for v in figures(got.report).values())
    assert got.provenance == {}


def test_unaligned_values_are_blank_not_shifted() -> None:
    """A row whose value cells do not line up with the headers above: blank cells and located problems."""
    report = seed()
    plan = next(p for p in _layout.plans(_shape(report)) if p.table == "二")
    pdf = PDFWriter()
    pdf.new_page()
    pdf.text(150, 50, f"{report.agency}{report.year}年{AnnualReport.TITLE}", 14)
    xs = [70, 230, 330, 430, 525]
    banner_row = next(lab.row for lab in plan.labels if lab.kind == "group")
    y = 90.0
    rows = sorted({lab.row for lab in plan.labels if lab.kind != "title"})[:4]
    for r in rows:
        for lab in [x for x in plan.labels if x.row == r]:
            pdf.box(xs[lab.col - 1], y, xs[lab.last_col], y + 20)
            pdf.text(xs[lab.col - 1] + 2, y + 4, lab.text, 7)
        if r > banner_row + 1:  # a data row: its values drawn over boxes that straddle the headers
            for j, (x0, x1) in enumerate([(230, 280), (280, 525)]):
                pdf.box(x0, y, x1, y + 20)
                pdf.text(x0 + 2, y + 4, str(7 + j), 7)
        y += 20
    got = read_pdf(pdf.build())
    assert got.report is not None, got.summary()
    read = {p: v for p, v in figures(got.report).items() if v is not None}
    assert read == {}  # two printed values under three headers: none is guessed
    unaligned = [p for p in got.errors if p.code == "READ_UNALIGNED"]
    assert len(unaligned) == 6  # 规章 and 行政规范性文件, three columns each
    assert all(p.place is not None and p.place.page == 1 for p in unaligned)


# --- hostile files -----------------------------------------------------------------------------------


def test_not_a_pdf_with_a_pdf_suffix(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes("<html><body>政府信息公开工作年度报告</body></html>".encode())
    with pytest.raises(ReadError) as info:
        read_pdf(path)
    assert info.value.problems[0].location == str(path)


def test_encrypted_pdf_is_refused_with_the_reason() -> None:
    pdf = PDFWriter()
    pdf.new_page()
    pdf.text(100, 100, "某区人民政府", 12)
    pdf.encrypt = True
    with pytest.raises(ReadError) as info:
        read_pdf(pdf.build(), name="locked.pdf")
    assert "password" in str(info.value)
    assert info.value.problems[0].location == "locked.pdf"


def test_scanned_pdf_without_text_layer() -> None:
    pdf = PDFWriter()
    pdf.new_page()
    pdf.box(100, 100, 400, 500, stroke=False, fill="0.5 0.5 0.5")  # the "scan"
    got = read_pdf(pdf.build(), name="scan.pdf")
    assert got.report is None
    codes = [p.code for p in got.problems]
    assert "READ_NOT_A_REPORT" in codes
    assert "READ_TITLE_MISSING" in codes


@settings(max_examples=15)
@given(st.data())
def test_damaged_pdfs_give_read_errors_or_problems_never_foreign_exceptions(data: st.DataObject) -> None:
    raw = bytearray(REAL.read_bytes())
    how = data.draw(st.sampled_from(["truncate", "flip", "zero"]))
    if how == "truncate":
        raw = raw[: data.draw(st.integers(0, len(raw) - 1))]
    else:
        for _ in range(data.draw(st.integers(1, 20))):
            at = data.draw(st.integers(0, len(raw) - 1))
            raw[at] = 0 if how == "zero" else data.draw(st.integers(0, 255))
    failure: ReadError | None = None
    try:
        got = read_pdf(bytes(raw), name="damaged.pdf")
    except ReadError as exc:  # nothing could be read: the reason, at the file
        failure = exc
    if failure is not None:
        assert failure.problems
        assert all(p.location.startswith("damaged.pdf") for p in failure.problems)
        return
    # read: every problem is the reader's own, with its code and the file named
    assert all(p.code is not None and p.code.startswith("READ_") for p in got.problems)
    assert all(p.place is None or p.place.source == "damaged.pdf" for p in got.problems)
    assert all(prov.place.source == "damaged.pdf" for prov in got.provenance.values())


def test_damaged_page_is_a_located_problem() -> None:
    pdf = PDFWriter()
    for text in ("某区人民政府2023年政府信息公开工作年度报告", "一、总体情况", "六、其他需要报告的事项"):
        pdf.new_page()
        pdf.text(100, 100, text, 12)
    pdf.broken = {2}
    doc = parse_pdf(pdf.build(), source="b.pdf")
    texts = [b.text for b in doc.blocks]
    assert texts[0] == "某区人民政府2023年政府信息公开工作年度报告"
    assert "一、总体情况" not in texts  # the broken page gives nothing, and says so
    assert texts[-1] == "六、其他需要报告的事项"
    # pdfminer reads a content stream that will not inflate as an empty page: the page is named, and the stream
    assert [(p.code, p.severity, p.place.page if p.place else None) for p in doc.problems] == [
        ("READ_DAMAGED", "warning", 2),
        ("READ_PAGE_NO_TEXT", "warning", 2),
    ]
    assert "cannot be inflated" in doc.problems[0].message


def test_page_limit_reads_no_further(tmp_path: Path) -> None:
    data = render(seed(), break_table3_after=10)
    got = read_pdf(data, limits=Limits(max_pages=1))
    limit = [p for p in got.problems if p.code == "READ_LIMIT"]
    assert len(limit) == 1
    assert limit[0].place is not None
    assert limit[0].place.page == 2
    assert all(p.place.page == 1 for p in got.provenance.values())
    assert not got.ok


def test_file_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.pdf"
    path.write_bytes(REAL.read_bytes())
    with pytest.raises(ReadError, match="too large"):
        read_pdf(path, limits=Limits(max_file_bytes=1000))


def test_missing_pdfplumber_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def no_pdfplumber(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "pdfplumber" or name.startswith("pdfplumber."):
            raise ImportError("No module named 'pdfplumber'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pdfplumber)
    with pytest.raises(ReadError, match=r"pip install 'gongkai-model\[pdf\]'"):
        read_pdf(REAL)


def _with_other(report: AnnualReport) -> AnnualReport:
    """The seed report with figures in 表三 （六）'s three sub-rows, one of them blank (printed empty)."""
    import attrs

    from gongkai_model.model import ApplicantCounts, OtherHandling

    def counts(base: int, blank: bool = False) -> ApplicantCounts:
        return ApplicantCounts(
            natural_person=None if blank else base,
            commercial=base + 1,
            research=base + 2,
            public_interest=0,
            legal_services=0,
            other=0,
            total=(base if not blank else 0) + 2 * base + 3,
        )

    other = OtherHandling(no_correction=counts(2), fee_unpaid=counts(5, blank=True), other=counts(11))
    results = attrs.evolve(report.table3.results, other=other)
    return attrs.evolve(report, table3=attrs.evolve(report.table3, results=results))


@pytest.mark.parametrize("numbering", ["1.", "1、", "1．", "（1）", "(1)"])
@pytest.mark.parametrize("from_col", [3, 4])
def test_other_sub_rows_stacked_in_one_ruled_row_read_cell_for_cell(from_col: int, numbering: str) -> None:
    """（六）'s sub-rows in one ruled row: labels numbered any way and wrapped, figures one under another."""
    report = _with_other(seed())
    from gongkai_model.model import rows

    labels = [r.label for r in rows(_shape(report)) if ".results.other." in r.path]
    variant = {label: numbering.replace("1", label[0]) + label[2:] for label in labels}
    pdf = render(report, stack_other=from_col, misprint=variant)
    got = read_pdf(pdf)
    assert got.report is not None, got.summary()
    assert figures(got.report) == figures(report), got.summary()
    assert not got.errors, got.summary()


def test_one_figure_over_sub_rows_is_refused_not_guessed() -> None:
    """A column of the stacked sub-rows with one figure only: which row it belongs to is not guessed."""
    import attrs

    report = _with_other(seed())
    other = report.table3.results.other
    assert isinstance(other, OtherHandling)
    other = attrs.evolve(other, other=attrs.evolve(other.other, natural_person=None))
    report = attrs.evolve(
        report, table3=attrs.evolve(report.table3, results=attrs.evolve(report.table3.results, other=other))
    )
    got = read_pdf(render(report, stack_other=4))
    assert got.report is not None, got.summary()
    read, expected = figures(got.report), figures(report)
    assert {p for p in read if read[p] != expected[p]} == {"table3.results.other.no_correction.natural_person"}
    assert read["table3.results.other.no_correction.natural_person"] is None  # blank, and said so:
    unaligned = [p for p in got.errors if p.code == "READ_UNALIGNED"]
    assert [p.place.row for p in unaligned if p.place] == [24, 25, 26], got.summary()
    # the group label （六）其他处理 over its sub-rows stays one merged cell: every other figure is read
    assert all(read[p] == expected[p] for p in read if ".results.other." not in p)


def test_regression_a_truncated_pdf_is_read_damaged() -> None:
    """Regression (fuzz, session 6): a PDF cut short raised a ReadError whose problem had no code."""
    pdf = REAL.read_bytes()
    with pytest.raises(ReadError) as raised:
        read_pdf(pdf[: len(pdf) // 3], name="cut.pdf")
    assert [p.code for p in raised.value.problems] == ["READ_DAMAGED"]
    assert raised.value.problems[0].place == Place("cut.pdf")
