"""Scanned PDF pages handed to OCR (issue 20, items 1, 4 and 5 for PDFs).

Which pages need OCR (a small pure rule over counts of the page, property tested), how such a page
is rendered (pypdfium2, within ``Limits.max_image_pixels``, at most ``Limits.max_images`` pages), and
the plumbing to :func:`gongkai_model.formats._ocr.picture_blocks`: here a fake that gives, for each
page, the blocks the text layer of the real case has on that page, moved to the picture (``image=1``
and a ``box``), so that a PDF of pictures only must read back the report of the text PDF. Without
the OCR engine: one clear problem, and the text pages read as before.
"""

from __future__ import annotations

import functools
import io
import math
from collections.abc import Callable, Iterator
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_read_pdf import REAL, PDFWriter

import gongkai_model as gk
from gongkai_model.errors import Place, Problem
from gongkai_model.formats import _ocr
from gongkai_model.formats._document import Block, CellBudget, Grid, GridCell, Recognition
from gongkai_model.formats._pictures import (
    DPI,
    FEW_CHARS,
    MIN_DPI,
    OUTLINES,
    PAGE_PICTURE,
    SOME_PICTURE,
    PageText,
    bad_char,
    needs_ocr,
    page_list,
    page_text,
    render_scale,
)
from gongkai_model.formats.pdf import parse_pdf, read_pdf
from gongkai_model.limits import Limits

from hostile import assert_contract, run_capped

# --- the rule: which pages need OCR ---------------------------------------------------------------

counts = st.integers(0, 5000)


@st.composite
def pages(draw: st.DrawFn) -> PageText:
    chars = draw(counts)
    return PageText(
        chars=chars,
        body=draw(st.integers(0, chars)),
        bad=draw(st.integers(0, chars)),
        invisible=draw(st.integers(0, chars)),
        picture=draw(st.floats(0, 1)),
        curves=draw(st.integers(0, 2000)),
    )


@given(pages())
def test_a_page_of_good_visible_text_without_pictures_is_never_read_by_ocr(page: PageText) -> None:
    page = attrs.evolve(page, picture=min(page.picture, SOME_PICTURE / 2), curves=min(page.curves, OUTLINES - 1))
    page = attrs.evolve(page, bad=min(page.bad, max(page.chars - 1, 0) // 2))
    assert needs_ocr(page) is None


@given(pages())
def test_a_page_of_good_text_over_a_picture_is_read_as_text(page: PageText) -> None:
    """A letterhead or a background picture under real text: the text is read, not the picture."""
    chars = max(page.chars, FEW_CHARS)
    page = PageText(chars, body=max(page.body, 1), bad=0, invisible=chars // 3, picture=page.picture)
    assert needs_ocr(page) is None


@given(pages(), st.floats(PAGE_PICTURE, 1))
def test_a_page_sized_picture_without_text_needs_ocr(page: PageText, picture: float) -> None:
    assert needs_ocr(attrs.evolve(page, chars=0, body=0, bad=0, invisible=0, picture=picture)) == "it has no text layer"


@given(pages())
def test_a_page_of_mostly_unmapped_characters_needs_ocr(page: PageText) -> None:
    bad = max(page.chars, FEW_CHARS)
    page = attrs.evolve(page, chars=bad, bad=bad, body=min(page.body, bad), invisible=min(page.invisible, bad))
    assert needs_ocr(page) is not None


@given(pages(), st.integers(0, 5000), st.floats(0, 1))
def test_more_garbage_or_more_picture_never_makes_ocr_unneeded(page: PageText, more: int, cover: float) -> None:
    """Monotone: a page that needs OCR still does with more bad characters or a larger picture."""
    if needs_ocr(page) is None:
        return
    worse = attrs.evolve(page, bad=min(page.chars, page.bad + more), picture=max(page.picture, cover))
    assert needs_ocr(worse) is not None


@given(st.integers(1, FEW_CHARS - 1), st.floats(SOME_PICTURE, 1))
def test_a_picture_with_a_page_number_only_needs_ocr(chars: int, picture: float) -> None:
    page = PageText(chars=chars, body=0, picture=picture)
    assert needs_ocr(page) == "its text layer is only a header or footer"


def test_an_invisible_layer_over_a_scan_needs_ocr_even_when_its_text_is_good() -> None:
    """A scan's OCR layer has no ruling lines: its figures cannot be read as tables."""
    assert needs_ocr(PageText(chars=900, body=850, invisible=900, picture=0.98)) is not None
    assert needs_ocr(PageText(chars=900, body=850, invisible=900, picture=0.1)) is None  # no scan under it


@pytest.mark.parametrize(
    ("text", "bad"),
    [
        ("表", False),
        ("1", False),
        ("·", False),
        ("×", False),
        ("\ufffd", True),
        ("(cid:123)", True),
        ("\ue000", True),
        ("\x07", True),
        ("æ", True),
        ("Ã", True),
    ],
)
def test_bad_characters(text: str, bad: bool) -> None:
    assert bad_char(text) is bad


@given(
    st.lists(st.tuples(st.sampled_from(["表", "1", "\ufffd", "(cid:3)", " ", "æ"]), st.floats(-50, 900)), max_size=60),
    st.lists(st.tuples(st.floats(-100, 700), st.floats(-100, 900), st.floats(0, 800), st.floats(0, 900)), max_size=4),
)
def test_page_counts_from_pdfplumbers_objects(chars: list[tuple[str, float]], boxes: list[tuple[float, ...]]) -> None:
    objects = [{"text": t, "top": top, "bottom": top + 10} for t, top in chars]
    images = [{"x0": x, "top": top, "x1": x + w, "bottom": top + h} for x, top, w, h in boxes]
    got = page_text(objects, images, 595, 842)
    printed = [(t, top) for t, top in chars if t.strip()]
    assert got.chars == len(printed)
    assert got.bad == sum(1 for t, _ in printed if t != "表" and t != "1")
    assert got.body == sum(1 for _, top in printed if top >= 84.2 and top + 10 <= 0.85 * 842)
    assert 0 <= got.picture <= 1


def test_page_list() -> None:
    assert page_list([1, 2, 3, 5, 7, 8]) == "1–3, 5, 7–8"
    assert page_list(list(range(1, 600, 2)), most=3) == "1, 3, 5 and 297 more runs"


# --- rendering within the limits ------------------------------------------------------------------


@given(st.floats(1, 20_000), st.floats(1, 20_000), st.integers(1_000_000, 100_000_000))
def test_render_scale_stays_within_the_limit(width: float, height: float, max_pixels: int) -> None:
    scale = render_scale(width, height, max_pixels)
    fits = math.sqrt(max_pixels / (width * height)) * 72
    if scale is None:
        assert fits < MIN_DPI + 0.5
        return
    assert MIN_DPI <= scale * 72 <= DPI + 1e-9
    assert math.ceil(width * scale) * math.ceil(height * scale) <= max_pixels


def test_render_scale_refuses_pages_without_a_size() -> None:
    assert render_scale(0, 842, 10**7) is None
    assert render_scale(float("nan"), 842, 10**7) is None
    assert render_scale(float("inf"), 842, 10**7) is None


# --- pictures of the real case, and the fake OCR ---------------------------------------------------

SCAN_DPI = 60  #: low: the fake reads nothing from the pixels, and the files stay small


@functools.cache
def real_pages() -> tuple[Any, ...]:
    """The real case's pages rendered in grey with pypdfium2: scanned-looking pages."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(REAL.read_bytes())
    try:
        return tuple(doc[i].render(scale=SCAN_DPI / 72, grayscale=True).to_pil() for i in range(len(doc)))
    finally:
        doc.close()


def pictures_pdf(images: list[Any]) -> bytes:
    """A PDF of pictures only, as a scanner writes it (Pillow)."""
    out = io.BytesIO()
    images[0].save(out, "PDF", save_all=True, append_images=images[1:], resolution=SCAN_DPI)
    return out.getvalue()


@functools.cache
def scan_pdf() -> bytes:
    return pictures_pdf(list(real_pages()))


@functools.cache
def mixed_pdf() -> bytes:
    """Pages 1 and 2 of the real case (text), pages 3 to 5 its pictures."""
    import pypdfium2 as pdfium

    text, scan = pdfium.PdfDocument(REAL.read_bytes()), pdfium.PdfDocument(scan_pdf())
    out = pdfium.PdfDocument.new()
    try:
        out.import_pages(text, [0, 1])
        out.import_pages(scan, [2, 3, 4])
        buffer = io.BytesIO()
        out.save(buffer)
        return buffer.getvalue()
    finally:
        for doc in (out, scan, text):
            doc.close()


@functools.cache
def text_blocks() -> dict[int, tuple[Block, ...]]:
    """The real case's blocks by page, as its text layer gives them."""
    by_page: dict[int, list[Block]] = {}
    for block in parse_pdf(REAL.read_bytes(), source="real.pdf").blocks:
        by_page.setdefault(block.place.page or 0, []).append(block)
    return {page: tuple(blocks) for page, blocks in by_page.items()}


def box_of(place: Place) -> tuple[int, int, int, int]:
    """A made-up pixel box, different for every cell (the fake's, to be found again in provenance)."""
    return (place.column or 0) * 10, (place.row or 0) * 10, (place.column or 0) * 10 + 9, (place.row or 0) * 10 + 9


def on_picture(block: Block, source: str, page: int, image: int) -> Block:
    """``block`` as OCR would give it from the page's picture: places at the image, with a box."""

    def moved(place: Place) -> Place:
        return attrs.evolve(place, source=source, page=page, image=image, line=None, box=box_of(place))

    if block.grid is None:
        return Block(block.kind, block.text, moved(block.place))
    cells: dict[int, GridCell] = {}
    rows = []
    for row in block.grid.rows:
        out: list[GridCell | None] = []
        for cell in row:
            if cell is not None and id(cell) not in cells:
                cells[id(cell)] = attrs.evolve(cell, place=moved(cell.place), ocr=Recognition(0.97, ("x",)))
            out.append(None if cell is None else cells[id(cell)])
        rows.append(tuple(out))
    grid = Grid(tuple(rows), moved(block.grid.place))
    return Block(block.kind, block.text, moved(block.place), grid)


@attrs.define
class FakeOCR:
    """Stands for :func:`_ocr.picture_blocks`: the text layer's blocks of the page asked for, on its picture."""

    calls: list[tuple[int | None, int, tuple[int, int]]] = attrs.Factory(list)
    blocks: Callable[[int | None], tuple[Block, ...]] = lambda page: text_blocks().get(page or 0, ())

    def __call__(
        self,
        data: bytes,
        *,
        source: str,
        page: int | None,
        image: int,
        limits: Limits,
        problems: list[Problem],
        budget: CellBudget,
    ) -> list[Block]:
        from PIL import Image

        assert data.startswith(b"\x89PNG")
        with Image.open(io.BytesIO(data)) as picture:
            self.calls.append((page, image, picture.size))
            assert picture.width * picture.height <= limits.max_image_pixels
        return [on_picture(b, source, page or 0, image) for b in self.blocks(page)]


@pytest.fixture
def fake_ocr(monkeypatch: pytest.MonkeyPatch) -> FakeOCR:
    fake = FakeOCR()
    monkeypatch.setattr(_ocr, "ocr_available", lambda: True)
    monkeypatch.setattr(_ocr, "picture_blocks", fake)
    return fake


@pytest.fixture
def no_ocr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_ocr, "ocr_available", lambda: False)


@functools.cache
def text_result() -> gk.formats.Imported:
    return read_pdf(REAL)


def codes_of(problems: Any) -> list[str | None]:
    return [p.code for p in problems]


# --- a PDF of pictures only -----------------------------------------------------------------------


def test_a_pdf_of_pictures_reads_back_the_report_of_its_text_layer(fake_ocr: FakeOCR) -> None:
    got = gk.read(scan_pdf())
    assert [page for page, _, _ in fake_ocr.calls] == [1, 2, 3, 4, 5]  # every page, once, in order
    assert all(image == 1 for _, image, _ in fake_ocr.calls)
    assert all(abs(w - 1654) <= 3 and abs(h - 2339) <= 3 for _, _, (w, h) in fake_ocr.calls)  # A4 at 200 dpi
    assert got.report == text_result().report
    # the tables continued over pages were stacked as for the text PDF: 表三's total on page 3
    where = got.provenance["table3.new_received.total"]
    assert (where.place.page, where.place.image, where.place.box) == (3, 1, box_of(where.place))
    assert where.place.box is not None
    assert where.confidence == 0.97
    ocr = [p for p in got.problems if p.code == "READ_PAGE_OCR"]
    assert [p.place.page for p in ocr if p.place] == [1, 2, 3, 4, 5]
    assert all(p.severity == "info" and "200 dpi" in p.message and "no text layer" in p.message for p in ocr)
    assert not {"READ_NOT_A_REPORT", "READ_PAGE_NO_TEXT", "READ_OCR_UNAVAILABLE"} & set(codes_of(got.problems))


def test_without_the_engine_a_pdf_of_pictures_says_so_once(no_ocr: None) -> None:
    """Today's result shape (no report; the title missing), with one clear problem instead of
    ``READ_NOT_A_REPORT``: the pages, and how to install the engine."""
    got = read_pdf(scan_pdf(), name="scan.pdf")
    assert got.report is None
    unavailable = [p for p in got.problems if p.code == "READ_OCR_UNAVAILABLE"]
    assert len(unavailable) == 1
    assert unavailable[0].severity == "error"
    assert "pages 1–5" in unavailable[0].message
    assert "pip install 'gongkai-model[ocr]'" in unavailable[0].message
    assert unavailable[0].place == Place("scan.pdf", page=1)
    assert "READ_TITLE_MISSING" in codes_of(got.problems)
    assert "READ_NOT_A_REPORT" not in codes_of(got.problems)


def test_the_placeholder_engine_is_the_engine_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    """``picture_blocks`` raising ``READ_OCR_UNAVAILABLE`` (the engine cannot be used) is said the same way."""
    monkeypatch.setattr(_ocr, "ocr_available", lambda: True)

    def unavailable(data: bytes, **kwargs: Any) -> list[Block]:
        raise gk.ReadError("no", [Problem("x", "no engine", code="READ_OCR_UNAVAILABLE")])

    monkeypatch.setattr(_ocr, "picture_blocks", unavailable)
    got = read_pdf(scan_pdf(), name="scan.pdf")
    assert codes_of(got.problems).count("READ_OCR_UNAVAILABLE") == 1
    assert "pages 1–5" in next(p.message for p in got.problems if p.code == "READ_OCR_UNAVAILABLE")


def test_an_engine_failure_is_a_located_problem_and_the_other_pages_are_read(fake_ocr: FakeOCR) -> None:
    def failing(page: int | None) -> tuple[Block, ...]:
        if page == 5:
            raise ValueError("the engine broke")
        return text_blocks().get(page or 0, ())

    fake_ocr.blocks = failing
    got = read_pdf(scan_pdf(), name="scan.pdf")
    failed = [p for p in got.problems if p.code == "READ_PAGE"]
    assert len(failed) == 1
    assert failed[0].place == Place("scan.pdf", page=5)
    assert "ValueError" in failed[0].message
    assert got.report is not None
    assert got.report.table3 == text_result().report.table3


# --- text pages and pictures in one file ----------------------------------------------------------


def test_a_mixed_pdf_reads_text_pages_as_text_and_pictures_by_ocr(fake_ocr: FakeOCR) -> None:
    got = read_pdf(mixed_pdf(), name="mixed.pdf")
    assert [page for page, _, _ in fake_ocr.calls] == [3, 4, 5]
    assert got.report == text_result().report
    # 表二 runs from page 2 (text) onto page 3 (a picture): stacked all the same
    assert got.provenance["table2.regulations.issued"].place.image is None
    assert got.provenance["table3.new_received.total"].place.image == 1
    assert codes_of(got.problems).count("READ_PAGE_OCR") == 3


def test_without_the_engine_a_mixed_pdf_reads_its_text_pages(no_ocr: None) -> None:
    got = read_pdf(mixed_pdf(), name="mixed.pdf")
    unavailable = [p for p in got.problems if p.code == "READ_OCR_UNAVAILABLE"]
    assert len(unavailable) == 1
    assert unavailable[0].severity == "warning"  # the text pages were read
    assert "pages 3–5" in unavailable[0].message
    assert "[ocr]" in unavailable[0].message
    assert got.report is not None
    assert got.report.agency == text_result().report.agency  # type: ignore[union-attr]
    first = got.provenance["table2.regulations.issued"]
    assert first.place.page == 2
    assert first.text == text_result().provenance["table2.regulations.issued"].text
    assert "READ_PAGE_NO_TEXT" not in codes_of(got.problems)


def test_text_pdfs_are_read_exactly_as_before(monkeypatch: pytest.MonkeyPatch) -> None:
    """No page of a text PDF is rendered or handed to OCR."""

    def never(*args: Any, **kwargs: Any) -> list[Block]:
        raise AssertionError("a text page was handed to OCR")

    monkeypatch.setattr(_ocr, "ocr_available", lambda: True)
    monkeypatch.setattr(_ocr, "picture_blocks", never)
    got = read_pdf(REAL)
    assert got.report == text_result().report
    assert codes_of(got.problems) == codes_of(text_result().problems)


# --- pages that need OCR although they have text --------------------------------------------------


def picture(writer: PDFWriter, *, cover: float = 1.0, size: int = 4) -> None:
    """A grey picture (an inline image) over the top ``cover`` of the page."""
    w, h = writer.W, writer.H * cover
    data = "80" * (size * size)
    writer.pages[-1].append(f"q {w:.2f} 0 0 {h:.2f} 0 {writer.H - h:.2f} cm BI /W {size} /H {size} /CS /G /BPC 8 ")
    writer.pages[-1][-1] += f"/F /AHx ID {data}> EI Q"


def test_a_picture_with_a_page_number_is_read_by_ocr(fake_ocr: FakeOCR) -> None:
    fake_ocr.blocks = lambda page: (Block("paragraph", f"OCR {page}", Place("p.pdf", page=page, image=1)),)
    pdf = PDFWriter()
    pdf.new_page()
    pdf.text(100, 100, "某区人民政府2023年政府信息公开工作年度报告", 12)
    pdf.new_page()
    picture(pdf)
    pdf.text(280, 800, "- 2 -", 10)  # the page number, in the bottom margin
    doc = parse_pdf(pdf.build(), source="p.pdf")
    assert [b.text for b in doc.blocks] == ["某区人民政府2023年政府信息公开工作年度报告", "OCR 2"]
    ocr = [p for p in doc.problems if p.code == "READ_PAGE_OCR"]
    assert len(ocr) == 1
    assert "only a header or footer" in ocr[0].message


def test_an_invisible_ocr_layer_over_a_scan_is_read_from_the_picture(fake_ocr: FakeOCR) -> None:
    fake_ocr.blocks = lambda page: (Block("paragraph", "from the picture", Place("p.pdf", page=page, image=1)),)
    pdf = PDFWriter()
    pdf.new_page()
    picture(pdf)
    pdf.pages[-1].append("3 Tr")  # every text from here on is invisible
    for k in range(30):
        pdf.text(100, 100 + 20 * k, "本年新收政府信息公开申请数量", 10)
    assert [b.text for b in parse_pdf(pdf.build(), source="p.pdf").blocks] == ["from the picture"]


def test_a_seal_on_a_text_page_is_not_read_by_ocr(fake_ocr: FakeOCR) -> None:
    pdf = PDFWriter()
    pdf.new_page()
    for k in range(10):
        pdf.text(100, 100 + 20 * k, "本年新收政府信息公开申请数量", 10)
    picture(pdf, cover=0.1)
    parse_pdf(pdf.build(), source="p.pdf")
    assert fake_ocr.calls == []


def test_a_blank_page_is_not_read_by_ocr_and_says_so_as_before(fake_ocr: FakeOCR) -> None:
    pdf = PDFWriter()
    pdf.new_page()
    pdf.text(100, 100, "某区人民政府2023年政府信息公开工作年度报告", 12)
    pdf.new_page()
    doc = parse_pdf(pdf.build(), source="p.pdf")
    assert fake_ocr.calls == []
    assert [(p.code, p.place.page if p.place else None) for p in doc.problems] == [("READ_PAGE_NO_TEXT", 2)]


# --- limits ---------------------------------------------------------------------------------------


def test_at_most_max_images_pages_are_read_by_ocr(fake_ocr: FakeOCR) -> None:
    got = read_pdf(scan_pdf(), name="scan.pdf", limits=Limits(max_images=2))
    assert [page for page, _, _ in fake_ocr.calls] == [1, 2]
    limit = [p for p in got.problems if p.code == "READ_LIMIT"]
    assert len(limit) == 1
    assert limit[0].place == Place("scan.pdf", page=3)
    assert "Limits.max_images = 2" in limit[0].message
    assert "pages 3–5" in limit[0].message


def test_a_large_page_is_rendered_smaller_within_max_image_pixels(fake_ocr: FakeOCR) -> None:
    fake_ocr.blocks = lambda page: ()
    got = read_pdf(scan_pdf(), name="scan.pdf", limits=Limits(max_image_pixels=1_000_000))
    assert fake_ocr.calls
    assert all(w * h <= 1_000_000 for _, _, (w, h) in fake_ocr.calls)
    said = [p.message for p in got.problems if p.code == "READ_PAGE_OCR"]
    assert len(said) == 5
    assert all("at 102 dpi" in m for m in said), said  # sqrt(10⁶ / (595 × 842 pt)) × 72


def test_a_page_stored_with_a_picture_beyond_the_limit_is_not_rendered(fake_ocr: FakeOCR) -> None:
    pdf = PDFWriter()
    pdf.new_page()
    picture(pdf, size=40)  # 1,600 pixels stored
    doc = parse_pdf(pdf.build(), source="p.pdf", limits=Limits(max_image_pixels=1000))
    assert fake_ocr.calls == []
    assert [p.code for p in doc.problems] == ["READ_LIMIT"]
    assert "Limits.max_image_pixels = 1000" in doc.problems[0].message


# --- hostile (regenerated, each in a capped subprocess) -------------------------------------------


def _fake_in_child() -> FakeOCR:
    """The fake engine, installed in the subprocess of a hostile run (a real engine would be slower)."""
    fake = FakeOCR(blocks=lambda page: ())
    _ocr.ocr_available = lambda: True  # type: ignore[assignment]
    _ocr.picture_blocks = fake  # type: ignore[assignment]
    return fake


def make_huge_page_box() -> object:
    """A page of 14,400 × 14,400 pt (the PDF maximum, 200 inches square) that is one picture."""
    _fake_in_child()
    pdf = PDFWriter()
    pdf.W = pdf.H = 14_400.0
    pdf.new_page()
    picture(pdf)
    return read_pdf(pdf.build(), name="huge.pdf")


def test_a_huge_page_box_is_a_limit_not_a_huge_picture() -> None:
    outcome = run_capped("test_scanned_pdf:make_huge_page_box")
    assert_contract(outcome)
    assert outcome.kind == "result"
    assert "READ_LIMIT" in outcome.codes
    message = next(p["message"] for p in outcome.problems if p["code"] == "READ_LIMIT")
    assert "14400 × 14400 pt" in message
    assert "max_image_pixels" in message


def make_many_picture_pages() -> object:
    """2,000 pages, each one picture (a scanner's PDF of a whole archive)."""
    fake = _fake_in_child()
    from PIL import Image

    page = Image.new("L", (62, 88), 200)  # A4 at 7.5 dpi: small to write, a page to render
    out = io.BytesIO()
    page.save(out, "PDF", save_all=True, append_images=[page] * 1999, resolution=7.5)
    got = read_pdf(out.getvalue(), name="many.pdf")
    assert len(fake.calls) == Limits().max_images
    return got


def test_two_thousand_picture_pages() -> None:
    outcome = run_capped("test_scanned_pdf:make_many_picture_pages")
    assert_contract(outcome)
    assert outcome.kind == "result", outcome
    messages = [p["message"] for p in outcome.problems if p["code"] == "READ_LIMIT"]
    assert any("Limits.max_images = 60" in m for m in messages)
    assert any("more than 500 pages" in m for m in messages)


HEADINGS = [
    "",
    "一、总体情况",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、存在的主要问题及改进情况",
    "五、其他需要报告的事项",
]


@settings(max_examples=5)
@given(st.integers(1, 3), st.sampled_from([0, 1]))
def test_pages_and_order_survive_any_mix(pictured: int, first: int) -> None:
    """Picture pages (fake OCR) between text pages: every page's blocks, in page order."""
    with pytest.MonkeyPatch.context() as patch:
        fake = FakeOCR(blocks=lambda page: (Block("paragraph", f"picture {page}", Place("m.pdf", page=page)),))
        patch.setattr(_ocr, "ocr_available", lambda: True)
        patch.setattr(_ocr, "picture_blocks", fake)
        pdf = PDFWriter()
        expected = []
        placed = 0
        for n in range(1, pictured + 3):
            pdf.new_page()
            if (n + first) % 2 and placed < pictured:
                placed += 1
                picture(pdf)
                expected.append(f"picture {n}")
            else:
                pdf.text(100, 100, HEADINGS[n], 12)
                expected.append(HEADINGS[n])
        doc = parse_pdf(pdf.build(), source="m.pdf")
        assert [b.text for b in doc.blocks] == expected


def test_a_page_whose_font_has_no_unicode_map_is_read_from_its_picture(fake_ocr: FakeOCR) -> None:
    """Visible text in a font without a ``ToUnicode`` map: pdfminer gives ``(cid:N)``, OCR reads the glyphs."""
    import re

    fake_ocr.blocks = lambda page: (Block("paragraph", "from the picture", Place("p.pdf", page=page, image=1)),)
    pdf = PDFWriter()
    pdf.new_page()
    for k in range(5):
        pdf.text(100, 100 + 20 * k, "本年新收政府信息公开申请数量", 10)
    data = re.sub(rb"/ToUnicode \d+ 0 R", lambda m: b" " * len(m.group()), pdf.build())  # offsets kept
    doc = parse_pdf(data, source="p.pdf")
    assert [b.text for b in doc.blocks] == ["from the picture"]
    said = next(p.message for p in doc.problems if p.code == "READ_PAGE_OCR")
    assert "not text" in said


def test_a_file_pdfium_cannot_open_is_a_read_error_once() -> None:
    from gongkai_model.formats._pictures import PageRenderer

    renderer = PageRenderer(b"%PDF-1.7 nothing more", Limits())
    for _ in range(2):
        with pytest.raises(gk.ReadError, match="cannot render"):
            renderer.render(1)
    renderer.close()


def test_a_page_pdfium_does_not_have_is_said() -> None:
    from gongkai_model.formats._pictures import PageRenderer

    renderer = PageRenderer(scan_pdf(), Limits())
    try:
        assert renderer.render(9) == "pdfium does not find the page"
        shot = renderer.render(1)
        assert not isinstance(shot, str)
        assert shot.dpi == DPI
        assert shot.png.startswith(b"\x89PNG")
    finally:
        renderer.close()


# --- end to end, with the real OCR engine (one table page: a few seconds) --------------------------


@pytest.fixture(scope="module")
def one_thread() -> Iterator[None]:
    _ocr.set_threads(1)
    yield
    _ocr.set_threads(None)


def test_end_to_end_a_pdf_of_one_scanned_table_page(one_thread: None) -> None:
    """表四 of a real report, printed and scanned (a picture-only PDF), read by the engine through ``gk.read``."""
    from ocr_render import render_table

    from cases import build
    from conftest import load_case

    report = build(load_case("suqian-shi-2024"))
    out = io.BytesIO()
    render_table(report, "四", dpi=150).save(out, "PDF", resolution=150)
    got = gk.read(out.getvalue(), agency=report.agency, year=report.year)
    assert got.report is not None
    assert got.report.table4 == report.table4
    where = got.provenance["table4.reconsideration.total"]
    assert (where.place.page, where.place.image) == (1, 1)
    assert where.place.box is not None
    assert where.confidence is not None
    ocr = [p for p in got.problems if p.code == "READ_PAGE_OCR"]
    assert len(ocr) == 1
    assert "200 dpi" in ocr[0].message
