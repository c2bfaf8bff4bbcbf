"""Pictures of a web page handed to OCR (issue 20, items 1 and 4 for HTML).

An ``<img>`` of a page read from a file is read by :func:`gongkai_model.formats._ocr.picture_blocks`
(a fake here: known blocks for known pictures) at its place in reading order, when it names a
picture inside the page's own folder or is a ``data:image/…;base64,`` address; never the network,
never a file outside the folder, never a file that is not a regular file; at most
``Limits.max_images`` pictures; icons and logos (too small to hold a table) are not read.
"""

from __future__ import annotations

import base64
import functools
import io
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import gongkai_model as gk
from gongkai_model.errors import Place, Problem
from gongkai_model.formats import _ocr, parse_html, read_html, render_html
from gongkai_model.formats._document import Block, CellBudget, Grid, GridCell, Recognition
from gongkai_model.formats._pictures import MIN_TABLE_PIXELS, PagePictures
from gongkai_model.limits import Limits

from hostile import assert_contract, run_capped

SEED = gk.examples.seed_report()


def png(width: int, height: int, shade: int = 200) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("L", (width, height), shade).save(out, "PNG")
    return out.getvalue()


TABLE_PNG = png(600, 400)  #: a picture large enough to hold a table
LOGO_PNG = png(32, 32)  #: an icon: not read


@functools.cache
def page() -> str:
    return render_html(SEED)


def table3_html() -> str:
    """The seed page's 表三, as printed (its ``<table>``)."""
    html = page()
    start = html.index("<table", html.index("<table") + 1)
    return html[start : html.index("</table>", start) + len("</table>")]


@functools.cache
def table3_block() -> Block:
    blocks = [b for b in parse_html(page().encode(), source="page.html").blocks if b.kind == "table"]
    return blocks[1]


def page_with_picture(src: str = "表三.png", before: str = '<img src="logo.png" alt="logo">') -> str:
    """The seed page with 表三 published as a picture (and a logo before it)."""
    return page().replace(table3_html(), f'{before}<p><img src="{src}" alt="表三"></p>')


def on_picture(block: Block, source: str, image: int) -> Block:
    """``block`` as OCR gives it: every place at the picture, with a pixel box."""

    def moved(place: Place) -> Place:
        r, c = place.row or 0, place.column or 0
        return attrs.evolve(
            place, source=source, image=image, line=None, box=(c * 40, r * 20, c * 40 + 39, r * 20 + 19)
        )

    assert block.grid is not None
    cells: dict[int, GridCell] = {}
    rows = []
    for row in block.grid.rows:
        out: list[GridCell | None] = []
        for cell in row:
            if cell is not None and id(cell) not in cells:
                cells[id(cell)] = attrs.evolve(cell, place=moved(cell.place), ocr=Recognition(0.9))
            out.append(None if cell is None else cells[id(cell)])
        rows.append(tuple(out))
    return Block("table", block.text, moved(block.place), Grid(tuple(rows), moved(block.grid.place)))


@attrs.define
class FakeOCR:
    """Stands for :func:`_ocr.picture_blocks`: 表三 for :data:`TABLE_PNG`, nothing for other pictures."""

    calls: list[tuple[int | None, int, int]] = attrs.Factory(list)  #: (page, image, bytes)
    blocks: Callable[[bytes, str, int], list[Block]] = lambda data, source, image: (
        [on_picture(table3_block(), source, image)] if data == TABLE_PNG else []
    )

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
        self.calls.append((page, image, len(data)))
        return self.blocks(data, source, image)


@pytest.fixture
def fake_ocr(monkeypatch: pytest.MonkeyPatch) -> FakeOCR:
    fake = FakeOCR()
    monkeypatch.setattr(_ocr, "ocr_available", lambda: True)
    monkeypatch.setattr(_ocr, "picture_blocks", fake)
    return fake


@pytest.fixture
def no_ocr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_ocr, "ocr_available", lambda: False)


def folder_page(tmp_path: Path, html: str, files: dict[str, bytes] | None = None) -> Path:
    """The page written as ``page.html`` with its pictures beside it."""
    files = {"logo.png": LOGO_PNG, "表三.png": TABLE_PNG} if files is None else files
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    path = tmp_path / "page.html"
    path.write_text(html, encoding="utf-8")
    return path


def codes_of(problems: Any) -> list[str | None]:
    return [p.code for p in problems]


# --- the table as a picture beside its page -------------------------------------------------------


@functools.cache
def as_text() -> gk.formats.Imported:
    """The seed page read with 表三 as a table: what the page with 表三 as a picture must give."""
    return read_html(page().encode())


def test_a_page_whose_table3_is_a_picture_beside_it(tmp_path: Path, fake_ocr: FakeOCR) -> None:
    path = folder_page(tmp_path, page_with_picture())
    got = gk.read(path)
    assert fake_ocr.calls == [(None, 2, len(TABLE_PNG))]  # the logo (image 1) is too small to be read
    assert got.report is not None
    assert got.report.table3 == SEED.table3
    assert got.report == as_text().report
    where = got.provenance["table3.new_received.total"]
    assert where.place.source == str(path)
    assert where.place.image == 2
    assert where.place.box is not None
    assert where.confidence == 0.9
    assert not [p for p in got.problems if p.severity in ("error", "warning")]


def test_read_html_with_a_path_reads_the_picture_too(tmp_path: Path, fake_ocr: FakeOCR) -> None:
    got = read_html(folder_page(tmp_path, page_with_picture()))
    assert got.report == as_text().report


def test_a_page_given_as_bytes_does_not_read_pictures_by_path(tmp_path: Path, fake_ocr: FakeOCR) -> None:
    path = folder_page(tmp_path, page_with_picture())
    got = gk.read(path.read_bytes())
    assert fake_ocr.calls == []
    skipped = [p for p in got.problems if p.code == "READ_IMAGE_SKIPPED"]
    assert len(skipped) == 1
    assert "2 pictures" in skipped[0].message
    assert "not read from a file" in skipped[0].message
    assert skipped[0].place is not None
    assert skipped[0].place.image == 1


def test_a_stream_does_not_read_pictures_by_path(tmp_path: Path, fake_ocr: FakeOCR) -> None:
    path = folder_page(tmp_path, page_with_picture())
    with path.open("rb") as stream:
        read_html(stream)
    assert fake_ocr.calls == []


def test_a_data_address_is_read_from_bytes_too(fake_ocr: FakeOCR) -> None:
    data = "data:image/png;base64," + base64.b64encode(TABLE_PNG).decode()
    got = gk.read(page_with_picture(data, before="").encode())
    assert fake_ocr.calls == [(None, 1, len(TABLE_PNG))]
    assert got.report == as_text().report


def test_the_same_picture_twice_is_read_once(tmp_path: Path, fake_ocr: FakeOCR) -> None:
    html = page_with_picture(before='<img src="表三.png"><img src="./表三.png">')
    doc = parse_html(html, source="p.html", folder=str(folder_page(tmp_path, html).parent))
    assert [image for _, image, _ in fake_ocr.calls] == [1]
    assert sum(1 for b in doc.blocks if b.kind == "table") == 3


def test_a_percent_encoded_name_in_a_sub_folder(tmp_path: Path, fake_ocr: FakeOCR) -> None:
    """Word's "save as web page" puts pictures in ``page.files/``; editors percent-encode Chinese names."""
    (tmp_path / "page.files").mkdir()
    html = page_with_picture("page.files/%E8%A1%A8%E4%B8%89.png?v=2#top", before="")
    got = gk.read(folder_page(tmp_path, html, {"page.files/表三.png": TABLE_PNG}))
    assert got.report == as_text().report


def test_pictures_inside_the_walk_keep_reading_order(tmp_path: Path, fake_ocr: FakeOCR) -> None:
    html = "<p>前言</p><img src='a.png'><p>中间</p><div><img src='b.png'></div><p>结尾</p>"
    fake_ocr.blocks = lambda data, source, image: [Block("paragraph", f"picture {image}", Place(source, image=image))]
    folder = folder_page(tmp_path, html, {"a.png": png(300, 300, 1), "b.png": png(300, 300, 2)}).parent
    doc = parse_html(html, source="p.html", folder=str(folder))
    assert [b.text for b in doc.blocks] == ["前言", "picture 1", "中间", "picture 2", "结尾"]


# --- what is never read ---------------------------------------------------------------------------


def test_the_network_is_never_reached(tmp_path: Path, fake_ocr: FakeOCR) -> None:
    srcs = ["https://example.com/t3.png", "http://10.0.0.1/t3.png", "//cdn.example.com/t3.png", "ftp://x/t3.png"]
    html = page().replace(table3_html(), "".join(f'<img src="{s}">' for s in srcs))
    got = gk.read(folder_page(tmp_path, html, {}))
    assert fake_ocr.calls == []
    skipped = [p for p in got.problems if p.code == "READ_IMAGE_SKIPPED"]
    assert len(skipped) == 1  # once, with how many and the first
    assert "4 pictures" in skipped[0].message
    assert "never fetched" in skipped[0].message
    assert "https://example.com/t3.png" in skipped[0].message
    assert skipped[0].severity == "warning"


def test_remote_pictures_of_a_page_with_its_tables_are_not_mentioned(tmp_path: Path, fake_ocr: FakeOCR) -> None:
    """A page that has its three tables: its banner and logos on the network say nothing."""
    html = page().replace("<body>", '<body><img src="https://example.com/banner.png">')
    got = gk.read(folder_page(tmp_path, html, {}))
    assert "READ_IMAGE_SKIPPED" not in codes_of(got.problems)
    assert got.ok


@pytest.mark.parametrize(
    "src",
    [
        "../../../../dev/zero",
        "/etc/passwd",
        "file:///etc/passwd",
        "..%2F..%2F..%2Fetc%2Fpasswd",
        "C:\\Windows\\win.ini",
        "out/escape.png",  # a symlink out of the folder
    ],
)
def test_nothing_outside_the_folder_is_read(tmp_path: Path, fake_ocr: FakeOCR, src: str) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (tmp_path / "secret.png").write_bytes(TABLE_PNG)
    (site / "out").mkdir()
    (site / "out" / "escape.png").symlink_to(tmp_path / "secret.png")
    got = gk.read(folder_page(site, page_with_picture(src, before=""), {}))
    assert fake_ocr.calls == []
    skipped = [p for p in got.problems if p.code == "READ_IMAGE_SKIPPED"]
    assert len(skipped) == 1
    assert "outside the page's folder" in skipped[0].message


def test_a_fifo_in_the_folder_is_refused(tmp_path: Path, fake_ocr: FakeOCR) -> None:
    os.mkfifo(tmp_path / "t3.png")
    got = gk.read(folder_page(tmp_path, page_with_picture("t3.png", before=""), {}))
    assert fake_ocr.calls == []
    assert any("not a regular file" in p.message for p in got.problems if p.code == "READ_IMAGE_SKIPPED")


def test_a_picture_larger_than_max_file_bytes_is_not_read(tmp_path: Path, fake_ocr: FakeOCR) -> None:
    path = folder_page(tmp_path, page_with_picture(before=""), {"表三.png": TABLE_PNG + bytes(100_000)})
    got = read_html(path, limits=Limits(max_file_bytes=path.stat().st_size + 10))
    assert fake_ocr.calls == []
    assert any("max_file_bytes" in p.message for p in got.problems if p.code == "READ_IMAGE_SKIPPED")


def test_icons_and_logos_are_not_read(tmp_path: Path, fake_ocr: FakeOCR) -> None:
    w, h = MIN_TABLE_PIXELS
    files = {"wide.png": png(w - 1, 500), "low.png": png(900, h - 1), "a.svg": b"<svg/>"}
    html = page().replace(table3_html(), "".join(f'<img src="{n}">' for n in files))
    gk.read(folder_page(tmp_path, html, files))
    assert fake_ocr.calls == []


def test_at_most_max_images_pictures_are_read(tmp_path: Path, fake_ocr: FakeOCR) -> None:
    files = {f"{k}.png": png(300, 300, k) for k in range(5)}
    html = "".join(f'<p><img src="{n}"></p>' for n in files)
    got = read_html(folder_page(tmp_path, html, files), limits=Limits(max_images=3))
    assert [image for _, image, _ in fake_ocr.calls] == [1, 2, 3]
    limit = [p for p in got.problems if p.code == "READ_LIMIT"]
    assert len(limit) == 1
    assert "Limits.max_images = 3" in limit[0].message
    assert limit[0].place is not None
    assert limit[0].place.image == 4


def test_picture_pictures_resolve() -> None:
    """The address rules on their own (no file is touched for those refused)."""
    finder = PagePictures(None, Limits())
    assert finder.find("https://x/a.png").skipped == "remote"
    assert finder.find("a.png").skipped == "no folder"
    assert finder.find("javascript:alert(1)").skipped == "other"
    assert finder.find("data:text/html;base64,PGI+").skipped == "other"
    assert finder.find("data:image/png;base64," + base64.b64encode(b"x" * 10).decode()).data == b"x" * 10
    small = PagePictures(None, Limits(max_file_bytes=10))
    assert small.find("data:image/png;base64," + "A" * 100).skipped == "too large"


# --- without the engine ---------------------------------------------------------------------------


def test_without_the_engine_a_page_missing_a_table_says_so(tmp_path: Path, no_ocr: None) -> None:
    got = gk.read(folder_page(tmp_path, page_with_picture()))
    unavailable = [p for p in got.problems if p.code == "READ_OCR_UNAVAILABLE"]
    assert len(unavailable) == 1
    assert unavailable[0].severity == "warning"
    assert "pip install 'gongkai-model[ocr]'" in unavailable[0].message
    assert unavailable[0].place is not None
    assert unavailable[0].place.image == 2  # the table's picture, not the logo
    assert got.report is not None
    assert got.report.table2 == SEED.table2  # the tables printed as text are read as before


def test_without_the_engine_a_page_with_its_tables_is_read_as_before(tmp_path: Path, no_ocr: None) -> None:
    html = page().replace("<body>", '<body><img src="表三.png">')
    got = gk.read(folder_page(tmp_path, html))
    assert got.ok
    assert got.report == as_text().report
    assert "READ_OCR_UNAVAILABLE" not in codes_of(got.problems)


def test_an_engine_failure_is_a_located_problem(tmp_path: Path, fake_ocr: FakeOCR) -> None:
    def failing(data: bytes, source: str, image: int) -> list[Block]:
        raise RuntimeError("the engine broke")

    fake_ocr.blocks = failing
    got = gk.read(folder_page(tmp_path, page_with_picture()))
    skipped = [p for p in got.problems if p.code == "READ_IMAGE_SKIPPED"]
    assert len(skipped) == 1
    assert "RuntimeError" in skipped[0].message


# --- hostile (regenerated, each in a capped subprocess) -------------------------------------------


def _fake_in_child() -> FakeOCR:
    fake = FakeOCR(blocks=lambda data, source, image: [])
    _ocr.ocr_available = lambda: True
    _ocr.picture_blocks = fake
    return fake


def make_ten_thousand_images() -> object:
    """A page of 10,000 ``<img>``: distinct inline pictures large enough to hold a table."""
    fake = _fake_in_child()
    pictures = [base64.b64encode(png(300, 200, k % 256) + bytes([k % 256, k // 256])).decode() for k in range(300)]
    body = "".join(f'<img src="data:image/png;base64,{pictures[k % 300]}">' for k in range(10_000))
    got = read_html(f"<html><body>{body}</body></html>".encode(), name="many.html")
    assert len(fake.calls) <= Limits().max_images
    return got


def test_ten_thousand_images() -> None:
    outcome = run_capped("test_html_images:make_ten_thousand_images")
    assert_contract(outcome)
    assert outcome.kind == "result", outcome
    assert "READ_LIMIT" in outcome.codes


def make_dev_zero_and_symlink() -> object:
    """``<img src="../../../../dev/zero">``, a symlink to ``/dev/zero`` and one out of the folder."""
    import tempfile

    fake = _fake_in_child()
    folder = Path(tempfile.mkdtemp())
    (folder / "zero.png").symlink_to("/dev/zero")
    (folder / "out.png").symlink_to("/etc/passwd")
    os.mkfifo(folder / "fifo.png")
    srcs = ["../../../../dev/zero", "zero.png", "out.png", "fifo.png", "/dev/urandom"]
    path = folder / "page.html"
    path.write_text("".join(f'<img src="{s}">' for s in srcs), encoding="utf-8")
    got = gk.read(path)
    assert fake.calls == []
    return got


def test_dev_zero_fifo_and_symlinks_out() -> None:
    outcome = run_capped("test_html_images:make_dev_zero_and_symlink")
    assert_contract(outcome)
    assert outcome.kind == "result", outcome
    messages = [p["message"] for p in outcome.problems if p["code"] == "READ_IMAGE_SKIPPED"]
    assert any("4 pictures of the page were not read: outside the page's folder" in m for m in messages), messages
    assert any("not a regular file" in m for m in messages), messages


def test_a_picture_framed_in_a_table_of_one_cell(tmp_path: Path, fake_ocr: FakeOCR) -> None:
    """Site editors frame a pasted picture in a table of one cell: the picture is read all the same."""
    html = page().replace(table3_html(), '<table border="1"><tr><td><img src="表三.png"></td></tr></table>')
    got = gk.read(folder_page(tmp_path, html))
    assert fake_ocr.calls == [(None, 1, len(TABLE_PNG))]
    assert got.report == as_text().report


def test_the_folder_of_a_source() -> None:
    """What a reader knows of its source's folder: a path gives it (also through ``gk.read``), bytes do not."""
    from gongkai_model.formats._reader import FileBytes, folder_of

    here = os.path.abspath("reports")
    assert folder_of("reports/page.html") == here
    assert folder_of(Path("reports/page.html")) == here
    assert folder_of(FileBytes(b"<p>", "reports/page.html")) == here
    assert folder_of(b"<p>") is None
    assert folder_of(io.BytesIO(b"<p>")) is None
    assert folder_of("<p>\n</p>") is None  # a text, not a path
    assert FileBytes(b"<p>", "x") == b"<p>"


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(st.sampled_from(["..", ".", "a", "b.png", "/", "%2e%2e", "%2F", "\\", "~", "out", "?x", "#y"]), max_size=8)
)
def test_no_address_leads_out_of_the_folder(tmp_path: Path, parts: list[str]) -> None:
    """Whatever the address is made of, a picture found lies inside the folder (symlinks followed)."""
    site = tmp_path / "site"
    if not site.exists():
        (site / "a").mkdir(parents=True)
        (site / "a" / "b.png").write_bytes(b"in")
        (tmp_path / "b.png").write_bytes(b"out")
        (site / "out").symlink_to(tmp_path)
    found = PagePictures(str(site), Limits()).find("".join(parts))
    if found.data is not None:
        assert found.data == b"in"
        assert os.path.commonpath([found.key, os.path.realpath(site)]) == os.path.realpath(site)


# --- end to end, with the real OCR engine ---------------------------------------------------------


def test_end_to_end_a_page_whose_table3_is_a_picture(tmp_path: Path) -> None:
    """表三 of a real report published as a picture beside its page, read by the engine through ``gk.read``."""
    from ocr_render import png as encoded
    from ocr_render import render_table

    from cases import build
    from conftest import load_case

    report = build(load_case("suqian-shi-2024"))
    html = render_html(report)
    start = html.index("<table", html.index("<table") + 1)
    end = html.index("</table>", start) + len("</table>")
    (tmp_path / "表三.png").write_bytes(encoded(render_table(report, "三", dpi=150)))
    path = tmp_path / "page.html"
    path.write_text(html[:start] + '<p><img src="表三.png" alt="表三"></p>' + html[end:], encoding="utf-8")
    _ocr.set_threads(1)
    try:
        got = gk.read(path)
    finally:
        _ocr.set_threads(None)
    assert got.report is not None
    assert got.report.table3 == report.table3
    where = got.provenance["table3.new_received.total"]
    assert where.place.source == str(path)
    assert where.place.image == 1
    assert where.place.box is not None
    assert where.confidence is not None
