"""Regression tests for what the fuzzing harnesses (fuzz/, issue 8) found in the document readers.

Each input is rebuilt here from the library's own output, cut down to what the harness's saved
reproducer needed; each test names the finding it covers.
"""

from __future__ import annotations

import io
import re
import time
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import gongkai_model as gk
from gongkai_model.errors import Place
from gongkai_model.formats import Document, Grid, Span, parse_html, read_html, render_html
from gongkai_model.formats._document import CellBudget
from gongkai_model.formats._locate import MAX_OCCURRENCES
from gongkai_model.limits import Limits

CASES = Path(__file__).resolve().parent / "data" / "cases"

#: A bound far above what each input takes now (well under a second) and far below what it took.
SECONDS = 20


def timed(fn: Callable[[], Any]) -> Any:
    start = time.perf_counter()
    result = fn()
    elapsed = time.perf_counter() - start
    assert elapsed < SECONDS, f"took {elapsed:.1f} s"
    return result


def test_a_table_four_label_row_printed_thousands_of_times_is_read_in_bounded_time() -> None:
    """fuzz/findings/html-Timeout-1574617c6aa3: 表四's first row repeated 5,000 times ran past 10 s.

    Every occurrence of a row label was weighed against the others, and each weighing scanned the
    rows below it once per column: quadratic in the repeats.  Now at most ``MAX_OCCURRENCES`` are
    weighed (a warning says so) and the headers are found in one pass.
    """
    seed = gk.examples.seed_report()
    page = render_html(seed)
    start = page.index('<table class="表四">')
    first = re.compile(r"<tr>.*?</tr>\n", re.S).search(page, start)
    assert first is not None
    page = page[: first.start()] + first.group(0) * 2000 + page[first.end() :]
    got = timed(lambda: read_html(page.encode()))
    assert got.report is not None
    assert got.report.table4 == seed.table4  # the figures under the one header row, none invented
    limit = [p for p in got.problems if p.code == "READ_LIMIT"]
    assert limit, got.summary()
    assert all(p.severity == "warning" and p.place is not None for p in limit)
    assert f"only the first {MAX_OCCURRENCES}" in limit[0].message
    assert "2000 times" in limit[0].message


def test_a_label_printed_a_few_times_is_weighed_without_a_warning() -> None:
    """The bound is far above a real report's repeats (a table of contents, a continued table)."""
    seed = gk.examples.seed_report()
    page = render_html(seed)
    start = page.index('<table class="表四">')
    first = re.compile(r"<tr>.*?</tr>\n", re.S).search(page, start)
    assert first is not None
    page = page[: first.start()] + first.group(0) * 3 + page[first.end() :]
    got = read_html(page.encode())
    assert got.report is not None
    assert got.report.table4 == seed.table4
    assert not [p for p in got.problems if p.code == "READ_LIMIT"]


# --- many tables of wide spans: the cells of one document are bounded together -----------------


def _cells(doc: Document) -> int:
    return sum(len(row) for grid in doc.grids for row in grid.rows)


def test_grid_build_takes_its_cells_from_a_shared_budget() -> None:
    budget = CellBudget(10)
    place = Place("x", table=1)
    first = Grid.build([[Span("a", colspan=4)], [Span("b", colspan=4)]], place, Limits(), [], budget)
    assert (len(first.rows), budget.left) == (2, 2)
    problems: list[gk.Problem] = []
    second = Grid.build([[Span("c", colspan=4)]], place, Limits(), problems, budget)
    assert not any(second.rows)  # nothing left for it: clipped, and said so
    assert [p.code for p in problems] == ["READ_LIMIT"]


def test_many_html_tables_of_wide_spans_stay_within_the_cell_limit_together() -> None:
    """Each table below expands 2,000 spans to 2,000,000 cells (68 KB of HTML each); four of them
    made 8 million, and a page within the file-size limit could make billions."""
    table = "<table>" + '<tr><td colspan="1000">x</td></tr>' * 2000 + "</table>"
    doc = parse_html(("<html><body>" + table * 4 + "</body></html>").encode())
    assert _cells(doc) == Limits().max_cells
    limit = [p for p in doc.problems if p.code == "READ_LIMIT"]
    # Each table alone is over the default limit (2,000,000 > 200,000 cells): all four are cut, the
    # budget being spent by the first.
    assert [p.place.table for p in limit if p.place is not None] == [1, 2, 3, 4]


def test_the_seed_page_with_wide_tables_after_it_is_still_read() -> None:
    seed = gk.examples.seed_report()
    table = "<table>" + '<tr><td colspan="100">x</td></tr>' * 30 + "</table>"
    page = render_html(seed).replace("</body>", table * 5 + "</body>")
    limits = Limits(max_cells=8000)
    got = read_html(page.encode(), limits=limits)
    assert got.report is not None
    assert gk.to_records(got.report) == gk.to_records(seed)  # the report's own tables come first
    assert _cells(parse_html(page.encode(), limits=limits)) <= limits.max_cells
    assert any(p.code == "READ_LIMIT" for p in got.problems)


def test_many_word_tables_of_wide_spans_stay_within_the_cell_limit_together() -> None:
    from gongkai_model.formats.docx import parse_docx, write_docx

    out = io.BytesIO()
    write_docx(gk.examples.seed_report(), out)
    row = '<w:tr><w:tc><w:tcPr><w:gridSpan w:val="100"/></w:tcPr><w:p/></w:tc></w:tr>'
    table = "<w:tbl>" + row * 30 + "</w:tbl>"
    data = _edit_zip(out.getvalue(), "word/document.xml", lambda x: x.replace("<w:sectPr", table * 5 + "<w:sectPr", 1))
    limits = Limits(max_cells=8000)
    doc = parse_docx(data, limits=limits)
    assert _cells(doc) <= limits.max_cells
    assert any(p.code == "READ_LIMIT" for p in doc.problems)
    assert _cells(parse_docx(data)) > limits.max_cells  # the same file within the default limits: all of it


def test_pdf_tables_share_one_cell_budget() -> None:
    from gongkai_model.formats.pdf import parse_pdf

    data = (CASES / "huaian-hongze-qu-2024.pdf").read_bytes()
    whole = _cells(parse_pdf(data))
    limits = Limits(max_cells=whole // 2)
    doc = parse_pdf(data, limits=limits)
    assert _cells(doc) <= limits.max_cells
    assert any(p.code == "READ_LIMIT" for p in doc.problems)


def _edit_zip(data: bytes, member: str, edit: Callable[[str], str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            body = src.read(item.filename)
            if item.filename == member:
                body = edit(body.decode("utf-8")).encode("utf-8")
            dst.writestr(item.filename, body)
    return out.getvalue()


# --- a PDF stream with a damaged checksum: pdfminer's recovery was quadratic ---------------------


def _damaged_checksum(payload: bytes) -> bytes:
    packed = zlib.compress(payload)
    return packed[:-4] + bytes(b ^ 0xFF for b in packed[-4:])


def test_a_flate_stream_with_a_damaged_checksum_is_recovered_in_linear_time() -> None:
    """A mutated 4.3 MB PDF (a font stream whose checksum no longer matched) ran for minutes in
    pdfminer's ``decompress_corrupted`` (one byte at a time, joined with ``bytes +=``)."""
    pytest.importorskip("pdfplumber")
    from pdfminer.pdftypes import LITERALS_FLATE_DECODE, PDFStream

    from gongkai_model.formats._pdfbounds import bounded
    from gongkai_model.limits import DEFAULT_LIMITS

    # a drawing that compresses 500-fold: each byte fed out grows the output by a kilobyte, which
    # pdfminer copied whole every time (8.8 MB took 2 s, 35 MB about 30 s; now a tenth of a second)
    payload = b"0 0 1 1 re " * 3_200_000
    stream = PDFStream({"Filter": LITERALS_FLATE_DECODE[0]}, _damaged_checksum(payload))
    with bounded(DEFAULT_LIMITS):  # the reader's own set-up around its parse, as read_pdf does
        assert timed(stream.get_data) == payload  # the same bytes, recovered


def test_the_recovery_keeps_pdfminer_s_answers() -> None:
    from gongkai_model.formats.pdf import _decompress_corrupted

    payload = b"BT /F1 12 Tf (x) Tj ET " * 100
    assert _decompress_corrupted(_damaged_checksum(payload)) == payload
    assert _decompress_corrupted(zlib.compress(payload)) == payload
    packed = bytearray(zlib.compress(payload))
    packed[5:9] = b"\xff\xff\xff\xff"  # damaged before the checksum: refused, as pdfminer does
    with pytest.raises(zlib.error):
        _decompress_corrupted(bytes(packed))


# --- text drawn at NaN: a position that cannot be rounded -------------------------------------


def test_objects_without_a_finite_position_are_not_placed() -> None:
    """fuzz/findings/pdf-ValueError-dfce81eac49b (a mutated 240 KB PDF, page drawing damaged): a
    character at x0 = NaN escaped as ``ValueError: cannot convert float NaN to integer``. Such
    objects are now left out of the page, with a READ_PAGE problem counting them."""
    pytest.importorskip("pdfplumber")
    from gongkai_model.formats.pdf import _placed

    char = {"object_type": "char", "text": "1", "x0": 10.0, "x1": 15.0, "top": 5.0, "bottom": 12.0}
    assert _placed(char)
    for key in ("x0", "x1", "top", "bottom"):
        for bad in (float("nan"), float("inf"), -float("inf")):
            assert not _placed({**char, key: bad})


# -- pictures read by OCR (issue 20): found by mutating and stretching small ruled tables ----------------


class _Detector:
    """A stand-in for the engine: its detector records the picture it is given and finds no text."""

    def __init__(self) -> None:
        self.shapes: list[tuple[int, ...]] = []
        self.text_rec = self
        self.postprocess_op = self
        self.character = ["blank"]
        self.rec_image_shape = [3, 48, 320]

    def text_det(self, picture: Any) -> tuple[None, float]:
        self.shapes.append(tuple(picture.shape))
        return None, 0.0


def _ruled_strip(width: int, height: int) -> Any:
    """A grey picture ``width`` × ``height``: a ruling across its middle and one down it every 50 px."""
    import numpy as np

    grey = np.full((height, width), 255, np.uint8)
    if width >= height:
        grey[height // 2, :] = 0
        grey[:, ::50] = 0
    else:
        grey[:, width // 2] = 0
        grey[::50, :] = 0
    return grey


#: Each strip is read in well under a second now; it took 12–17 s before its fix.
STRIP_SECONDS = 5


def _read_strip(width: int, height: int) -> tuple[_Detector, list[Any]]:
    from gongkai_model.errors import Problem
    from gongkai_model.formats import _ocr

    engine = _Detector()
    frame = _ocr._Frame(_ruled_strip(width, height), height, width, None, 0.0)
    problems: list[Problem] = []
    clock = _ocr._Clock(time.monotonic() + 60, 60)
    start = time.perf_counter()
    _ocr._read_frame(engine, frame, Place("p.png"), Limits(), problems, CellBudget(10**6), clock)
    elapsed = time.perf_counter() - start
    assert elapsed < STRIP_SECONDS, f"took {elapsed:.1f} s"
    return engine, problems


def test_a_long_thin_picture_is_padded_before_the_detector_scales_it_up() -> None:
    """A 39,000 × 1,000 picture (within Limits.max_image_pixels) ran out of 1.5 GiB: the detector scales
    the short side up to 736 px, so it worked on 736 × 28,992 (488 MiB for one copy). Now the picture
    is padded white to at most ``DETECT_RATIO`` between its sides first."""
    from gongkai_model.formats._ocr import DETECT_RATIO, DETECT_SIDE

    for width, height in ((13_000, 300), (300, 13_000), (1_300, 60)):
        engine, _ = _read_strip(width, height)
        (shape,) = engine.shapes
        assert max(shape[:2]) == DETECT_SIDE
        assert max(shape[:2]) <= DETECT_RATIO * min(shape[:2]), shape


def test_a_tall_thin_picture_without_text_finds_its_rulings_in_bounded_time() -> None:
    """A 20 × 1,000,000 picture ran past a minute: with no text found, the em was a 80th of the
    picture's height (12,500 px) and the ruling lines were looked for with kernels that long. Now the
    em is no larger than the picture's short side."""
    _read_strip(20, 400_000)


def test_a_wide_ruled_strip_places_its_cells_in_bounded_time() -> None:
    """A 1,000,000 × 20 picture ruled every 50 px ran past a minute: each of its 20,000 cells was placed
    by a linear scan of the 40,000 column edges. Now by bisection; the grid is refused by its size."""
    _, problems = _read_strip(200_000, 20)
    assert [p.code for p in problems] == ["READ_LIMIT"], problems


def test_the_nearest_position_is_the_first_of_two_as_near() -> None:
    from gongkai_model.formats._ocr import _index

    positions = [0.0, 10.0, 20.0]
    assert [_index(positions, v) for v in (-5, 0, 4, 5, 6, 15, 19, 20, 99)] == [0, 0, 0, 0, 1, 1, 2, 2, 2]


def test_a_table_whose_rulings_are_out_of_line_is_refused_by_its_grid_size() -> None:
    """Regions whose edges do not line up make a grid of far more cells than regions (a staircase of
    ``n`` regions: up to ``n²``): the grid's size is held to ``Limits.max_cells`` before it is built."""
    import cv2
    import numpy as np

    from gongkai_model.formats import _ocr

    grey = np.full((120, 1040), 255, np.uint8)
    for d in range(3):  # rulings 3 px wide
        grey[[10 + d, 60 + d, 110 + d], 10:1030] = 0
        grey[10:60, 10 + d : 1031 : 100] = 0  # the top row's columns …
        grey[60:111, 60 + d : 1031 : 100] = 0  # … and the bottom row's, half a column along
        grey[60:111, [10 + d, 1030 + d]] = 0
    refused: list[str] = []
    clock = _ocr._Clock(time.monotonic() + 60, 60)
    tables, _ = _ocr._tables(grey, 12.0, clock, cv2, np, 200, refused)
    assert refused == []
    assert len(tables) == 1
    assert len(tables[0].cells) < 25  # about 20 regions: 3 × 41 cells
    tables, _ = _ocr._tables(grey, 12.0, clock, cv2, np, 100, refused)
    assert tables == []
    assert refused == ["a table of 3 × 41 cells at (9,9)-(1034,114)"], refused
