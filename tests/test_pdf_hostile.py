"""Hostile PDFs (issue 14): every reproducer regenerated here, read in a subprocess under 20 s and 1.5 GiB.

Each ``make_*`` function builds its file *inside* the child (nothing large is stored or sent) and
reads it; the test runs it with :func:`hostile.run_capped`, checks the library's contract with
:func:`hostile.assert_contract` and then the ``READ_LIMIT`` problem that names the limit. The
pdfminer replacements of :mod:`gongkai_model.formats._pdfbounds` are tested here too: they exist in
the pinned pdfminer, are installed only around a parse, and behave as pdfminer's originals within
their bounds.
"""

from __future__ import annotations

import io
import struct
import threading
import zlib
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_read_pdf import REAL, PDFWriter

from gongkai_model.errors import ReadError
from gongkai_model.formats import _pdfbounds
from gongkai_model.formats import pdf as pdf_module
from gongkai_model.formats.pdf import parse_pdf, read_pdf
from gongkai_model.limits import DEFAULT_LIMITS, Limits

from hostile import Outcome, assert_contract, run_capped

pytest.importorskip("pdfplumber")


def _titled() -> PDFWriter:
    pdf = PDFWriter()
    pdf.new_page()
    pdf.text(100, 100, "某区人民政府2023年政府信息公开工作年度报告", 12)
    return pdf


def _limit(outcome: Outcome, name: str) -> dict[str, Any]:
    """The READ_LIMIT problem naming ``Limits.<name>``."""
    found = [p for p in outcome.problems if p["code"] == "READ_LIMIT" and f"Limits.{name} " in p["message"]]
    assert found, str(outcome)
    return found[0]


# --- the generators (run in the child) ------------------------------------------------------------


def make_xref_index() -> object:
    """524 bytes: an xref stream declaring ``/Index [0 2000000000]`` and no page tree (pdfminer walks every entry)."""
    body = zlib.compress(b"\x01\x00\x0f\x00" * 2)
    head = b"%PDF-1.5\n"
    catalog = b"1 0 obj\n<< /Type /Catalog >>\nendobj\n"
    xref_at = len(head) + len(catalog)
    xref = (
        (
            f"2 0 obj\n<< /Type /XRef /Size 2000000000 /Index [0 2000000000] /W [1 2 1] /Root 1 0 R "
            f"/Length {len(body)} /Filter /FlateDecode >>\nstream\n"
        ).encode()
        + body
        + b"\nendstream\nendobj\n"
    )
    data = head + catalog + xref + f"startxref\n{xref_at}\n%%EOF\n".encode()
    return read_pdf(data, name="xref.pdf")


def make_font_widths() -> object:
    """A 1 KB font whose ``/W [0 200000000 500]`` pdfminer expanded into 200 million widths (20.9 GB)."""
    pdf = _titled()
    pdf.widths = "[0 200000000 500]"
    return read_pdf(pdf.build(), name="widths.pdf")


def make_font_widths_list() -> object:
    """``/W`` ranges one after another, each within the bound, that together are not."""
    pdf = _titled()
    pdf.widths = "[" + " ".join(f"{k * 60000} {k * 60000 + 59999} 500" for k in range(2000)) + "]"
    return read_pdf(pdf.build(), name="widths.pdf")


def make_tounicode_range() -> object:
    """A ToUnicode ``bfrange`` over ``<00000000> <FFFFFFFF>``: four billion codes."""
    pdf = _titled()
    pdf.cmap_extra = (
        "1 beginbfrange <00000000> <FFFFFFFF> <0000> endbfrange 1 begincidrange <00000000> <FFFFFFFF> 0 endcidrange"
    )
    return read_pdf(pdf.build(), name="tounicode.pdf")


def make_xobject_fanout() -> object:
    """Form XObjects that draw each other ten times over eight levels: 10^8 drawings."""
    pdf = _titled()
    for level in range(8):
        pdf.xobjects.append(" ".join([f"/X{level + 1} Do"] * 10) if level < 7 else "0 0 m 10 10 l S")
    pdf.pages[-1].append(" ".join(["/X0 Do"] * 10))
    return read_pdf(pdf.build(), name="xobjects.pdf")


def make_xobject_depth() -> object:
    """Form XObjects nested 200 deep (each draws the next once): deeper than any stack should go."""
    pdf = _titled()
    depth = 200
    for level in range(depth):
        pdf.xobjects.append(f"/X{level + 1} Do" if level < depth - 1 else "0 0 m 10 10 l S")
    pdf.pages[-1].append("/X0 Do")
    return read_pdf(pdf.build(), name="deep.pdf")


def make_long_tj() -> object:
    """One ``Tj`` of 3 million characters compressed into a few kilobytes (7 GB, 95 s before)."""
    pdf = _titled()
    pdf.new_page()
    pdf.text(100, 100, "第二页", 12)
    pdf.pages[0].append("BT /F1 1 Tf 1 0 0 1 50 500 Tm <" + "4E00" * 3_000_000 + "> Tj ET")
    return read_pdf(pdf.build(), name="tj.pdf")


def make_many_chars() -> object:
    """Pages within the page bound whose characters together pass the document's."""
    pdf = PDFWriter()
    for _ in range(4):
        pdf.new_page()
        pdf.text(50, 100, "某区人民政府", 12)
        pdf.pages[-1].append("BT /F1 1 Tf 1 0 0 1 50 500 Tm <" + "4E00" * 4_000 + "> Tj ET")
    return read_pdf(pdf.build(), name="chars.pdf", limits=Limits(max_chars=10_000))


def make_many_segments() -> object:
    """100,000 line segments on a page (and a page after it that is read)."""
    pdf = _titled()
    pdf.pages[-1].append(" ".join(f"{i % 500} 100 m {i % 500} 700 l S" for i in range(100_000)))
    pdf.new_page()
    pdf.text(100, 100, "第二页", 12)
    return read_pdf(pdf.build(), name="segments.pdf")


def make_one_long_path() -> object:
    """One path of 100,000 segments, stroked once."""
    pdf = _titled()
    pdf.pages[-1].append("0 0 m " + " ".join(f"{i % 500} {i % 700} l" for i in range(100_000)) + " S")
    return read_pdf(pdf.build(), name="path.pdf")


def _bomb(size: int, unit: bytes = b" " * 1024 * 1024) -> bytes:
    """``size`` bytes of spaces deflated, made in pieces (never all in memory)."""
    z = zlib.compressobj(1)
    out = [z.compress(unit) for _ in range(size // len(unit))]
    out.append(z.flush())
    return b"".join(out)


def make_flate_bomb() -> object:
    """A page whose content stream inflates to 512 MiB (a few MB of file), more than ``max_member_bytes``."""
    pdf = _titled()
    pdf.new_page()
    pdf.text(100, 100, "第二页", 12)
    pdf.packed[1] = _bomb(512 * 1024**2)
    return read_pdf(pdf.build(), name="bomb.pdf")


def make_flate_bombs_in_all() -> object:
    """Pages whose streams each stay under the stream bound but together pass the document's."""
    pdf = PDFWriter()
    for k in range(4):
        pdf.new_page()
        pdf.text(100, 100, f"第{k + 1}页", 12)
        pdf.packed[k + 1] = zlib.compress(b"BT /F1 12 Tf 1 0 0 1 100 700 Tm <7B2C> Tj ET " + b" " * 30_000_000)
    return read_pdf(pdf.build(), name="bombs.pdf", limits=Limits(max_unpacked_bytes=70_000_000))


def make_xref_cycle() -> object:
    """Two classic xref tables whose ``/Prev`` point at each other (pdfminer recursed until the stack ran out)."""
    data = _titled().build()
    first = int(data[data.rindex(b"startxref") :].split()[1])
    at = data.rindex(b"trailer")
    table = data[first:at]  # "xref" and its entries
    trailer = data[at : data.rindex(b"startxref")].rstrip().removesuffix(b">>")
    second = at + len(trailer) + len(b" /Prev 0000000000 >>\n")
    out = data[:at] + trailer + f" /Prev {second:010d} >>\n".encode()
    assert len(out) == second
    out += table + trailer + f" /Prev {first} >>\nstartxref\n{second}\n%%EOF\n".encode()
    return read_pdf(out, name="cycle.pdf")


# --- the tests ------------------------------------------------------------------------------------


def test_xref_stream_declaring_two_billion_entries() -> None:
    outcome = assert_contract(run_capped("test_pdf_hostile:make_xref_index"))
    assert _limit(outcome, "max_xref_entries")


@pytest.mark.parametrize("target", ["make_font_widths", "make_font_widths_list"])
def test_font_widths_over_the_bound_are_clipped(target: str) -> None:
    outcome = assert_contract(run_capped(f"test_pdf_hostile:{target}"))
    assert "page 1" in _limit(outcome, "max_font_codes")["message"]
    assert outcome.report is False or outcome.kind == "result"


def test_tounicode_range_over_the_bound_is_clipped() -> None:
    outcome = assert_contract(run_capped("test_pdf_hostile:make_tounicode_range"))
    assert "ToUnicode" in _limit(outcome, "max_font_codes")["message"]


def test_xobjects_drawing_each_other_stop_at_the_bound() -> None:
    outcome = assert_contract(run_capped("test_pdf_hostile:make_xobject_fanout"))
    problem = _limit(outcome, "max_xobjects")
    assert "page 1" in problem["message"]
    assert "the page was not read" in problem["message"]


def test_xobjects_nested_too_deep_stop_at_the_bound() -> None:
    outcome = assert_contract(run_capped("test_pdf_hostile:make_xobject_depth"))
    assert _limit(outcome, "max_depth")


def test_one_long_tj_stops_at_the_page_bound_and_the_next_page_is_read() -> None:
    outcome = assert_contract(run_capped("test_pdf_hostile:make_long_tj"))
    assert "page 1" in _limit(outcome, "max_page_chars")["message"]
    assert not any("page 2" in p["message"] for p in outcome.problems if p["code"] == "READ_LIMIT")


def test_document_characters_stop_the_reading() -> None:
    outcome = assert_contract(run_capped("test_pdf_hostile:make_many_chars"))
    assert "pages after it were not read" in _limit(outcome, "max_chars")["message"]


@pytest.mark.parametrize("target", ["make_many_segments", "make_one_long_path"])
def test_many_segments_stop_at_the_bound(target: str) -> None:
    outcome = assert_contract(run_capped(f"test_pdf_hostile:{target}"))
    assert "page 1" in _limit(outcome, "max_graphics")["message"]


def test_flate_bomb_is_inflated_no_further_than_the_bound() -> None:
    outcome = assert_contract(run_capped("test_pdf_hostile:make_flate_bomb"))
    assert "page 1" in _limit(outcome, "max_member_bytes")["message"]
    assert outcome.peak_bytes < 600 * 1024**2, str(outcome)


def test_flate_streams_bounded_in_all() -> None:
    outcome = assert_contract(run_capped("test_pdf_hostile:make_flate_bombs_in_all"))
    assert _limit(outcome, "max_unpacked_bytes")


def test_xref_tables_pointing_at_each_other() -> None:
    outcome = assert_contract(run_capped("test_pdf_hostile:make_xref_cycle"))
    assert outcome.kind == "result", str(outcome)
    assert any(p["code"] == "READ_DAMAGED" and "/Prev" in p["message"] for p in outcome.problems), str(outcome)


# --- MemoryError and RecursionError are limits, never a damaged page ----------------------------


@pytest.mark.parametrize(
    ("exc", "word"), [(MemoryError(), "MemoryError"), (RecursionError("maximum recursion depth"), "RecursionError")]
)
def test_memory_and_recursion_errors_on_a_page_are_limits(
    monkeypatch: pytest.MonkeyPatch, exc: BaseException, word: str
) -> None:
    real = pdf_module._page_items

    def page_items(page: Any, number: int, *args: Any) -> Any:
        if number == 2:
            raise exc
        return real(page, number, *args)

    monkeypatch.setattr(pdf_module, "_page_items", page_items)
    pdf = _titled()
    pdf.new_page()
    pdf.text(100, 100, "第二页", 12)
    pdf.new_page()
    pdf.text(100, 100, "第三页", 12)
    doc = parse_pdf(pdf.build(), source="m.pdf")
    assert [(p.code, p.place.page if p.place else None) for p in doc.problems] == [("READ_LIMIT", 2)]
    assert word in doc.problems[0].message
    assert doc.blocks[-1].text.endswith("第三页")  # the rest is still read


def test_memory_error_opening_the_pdf_is_a_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    import pdfplumber

    def no_memory(*args: Any, **kwargs: Any) -> Any:
        from pdfplumber.utils.exceptions import PdfminerException

        raise PdfminerException(MemoryError())  # as pdfplumber wraps what pdfminer raises

    monkeypatch.setattr(pdfplumber, "open", no_memory)
    with pytest.raises(ReadError) as info:
        parse_pdf(_titled().build(), source="m.pdf")
    assert [p.code for p in info.value.problems] == ["READ_LIMIT"]
    assert "MemoryError" in info.value.problems[0].message


def test_running_out_of_memory_is_a_limit_never_a_damaged_page() -> None:
    """Under a memory cap pdfminer's MemoryError was caught by a blanket except: a mere damaged page."""
    outcome = assert_contract(run_capped("test_pdf_hostile:make_dense_pages_short_of_memory"))
    short = [p for p in outcome.problems if "MemoryError" in p["message"]]
    assert short, str(outcome)
    assert {p["code"] for p in short} == {"READ_LIMIT"}
    assert not any(p["code"] == "READ_PAGE" for p in outcome.problems), str(outcome)


# --- the replacements: present, contained, faithful ------------------------------------------------


def test_every_replaced_pdfminer_function_exists() -> None:
    """Fails when pdfminer.six no longer has a function the bounds replace (update _pdfbounds and the pin)."""
    assert _pdfbounds.missing() == []


def test_replacements_are_installed_only_around_a_parse() -> None:
    import pdfminer.pdffont
    import pdfminer.pdftypes

    before = (pdfminer.pdftypes.PDFStream.decode, pdfminer.pdftypes.decompress_corrupted, pdfminer.pdffont.get_widths)
    inside: list[object] = []
    with _pdfbounds.bounded(DEFAULT_LIMITS):
        inside.append(pdfminer.pdftypes.decompress_corrupted)
        with _pdfbounds.bounded(DEFAULT_LIMITS):  # nested (or another thread): one installation
            pass
        inside.append(pdfminer.pdftypes.decompress_corrupted)
    assert inside == [_pdfbounds._decompress_corrupted] * 2
    after = (pdfminer.pdftypes.PDFStream.decode, pdfminer.pdftypes.decompress_corrupted, pdfminer.pdffont.get_widths)
    assert after == before
    read_pdf(REAL)
    assert pdfminer.pdftypes.decompress_corrupted is before[1]


def test_replacements_outside_a_parse_are_pdfminer_s_own() -> None:
    """Another thread using pdfminer while a parse runs gets pdfminer's behaviour, unbounded."""
    import pdfminer.pdffont

    got: list[object] = []
    with _pdfbounds.bounded(Limits(max_font_codes=10)):
        thread = threading.Thread(target=lambda: got.append(len(pdfminer.pdffont.get_widths([0, 99, 500]))))
        thread.start()
        thread.join()
        got.append(len(pdfminer.pdffont.get_widths([0, 99, 500])))
    assert got == [100, 10]


def _seen(doc: Any) -> list[object]:
    """What a document holds, as data: its blocks (with their cells) and its problems."""
    cells = [[[c.text if c else None for c in row] for row in b.grid.rows] if b.grid else None for b in doc.blocks]
    return [[(b.kind, b.text, b.place) for b in doc.blocks], cells, list(doc.problems)]


def test_parses_in_threads_give_the_serial_result() -> None:
    data = REAL.read_bytes()
    serial = _seen(parse_pdf(data, source="r.pdf"))
    results: list[object] = [None] * 3

    def one(k: int) -> None:
        results[k] = _seen(parse_pdf(data, source="r.pdf"))

    threads = [threading.Thread(target=one, args=(k,)) for k in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [serial] * 3


def test_recovered_stream_is_a_warning_at_its_page() -> None:
    pdf = _titled()
    pdf.new_page()
    pdf.text(100, 100, "第二页", 12)
    packed = zlib.compress("\n".join(pdf.pages[1]).encode())
    pdf.packed[2] = packed[:-4] + bytes(b ^ 0xFF for b in packed[-4:])  # a damaged checksum
    doc = parse_pdf(pdf.build(), source="d.pdf")
    assert doc.blocks[-1].text.endswith("第二页")  # the page is read from the bytes that could be inflated
    assert [(p.code, p.severity, p.place.page if p.place else None) for p in doc.problems] == [
        ("READ_DAMAGED", "warning", 2)
    ]


def test_truetype_cmap_segments_are_bounded() -> None:
    """A TrueType cmap (format 4) of 32,767 segments each over all 65,536 codes: two billion steps."""
    from pdfminer.pdffont import TrueTypeFont

    segments = 32767
    body = struct.pack(">HHHHHH", 0, 0, segments * 2, 0, 0, 0)
    body += struct.pack(f">{segments}H", *[0xFFFF] * segments) + b"\0\0"
    body += struct.pack(f">{segments}H", *[0] * segments) + struct.pack(f">{segments}h", *[0] * segments)
    body += struct.pack(f">{segments}H", *[0] * segments)
    font = TrueTypeFont.__new__(TrueTypeFont)
    char2gid: dict[int, int] = {}
    with _pdfbounds.bounded(Limits(max_font_codes=1000)) as budget:
        font.parse_cmap_format_4(io.BytesIO(body), char2gid)
    assert len(char2gid) == 1000
    assert [n.code for n in budget.notes] == ["READ_LIMIT"]


@settings(max_examples=40, deadline=None)
@given(st.binary(max_size=3000), st.integers(0, 3))
def test_inflate_gives_pdfminer_s_bytes(payload: bytes, damage: int) -> None:
    """Whole, cut short or with a damaged checksum: the bytes pdfminer's recovery gives, never more than the cap."""
    from pdfminer.pdftypes import decompress_corrupted

    packed = zlib.compress(payload)
    if damage == 1:
        packed = packed[:-4] + bytes(b ^ 0xFF for b in packed[-4:])
    elif damage == 2:
        packed = packed[: len(packed) // 2]
    try:
        expected: bytes | None = zlib.decompress(packed)
    except zlib.error:
        try:
            expected = decompress_corrupted(packed)
        except zlib.error:
            expected = None
    try:
        got, damaged = _pdfbounds.inflate(packed, 1 << 30)
    except zlib.error:
        assert expected is None
        return
    assert got == expected
    assert damaged == (damage in (1, 2))
    if len(payload) > 10:
        with pytest.raises(OverflowError):
            _pdfbounds.inflate(packed if damage != 2 else zlib.compress(payload), len(payload) - 1)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.one_of(st.integers(0, 300), st.lists(st.integers(0, 1000), max_size=5)), max_size=12))
def test_bounded_widths_are_pdfminer_s_within_the_bound(seq: list[Any]) -> None:
    import pdfminer.pdffont

    expected = pdfminer.pdffont.get_widths(seq)
    with _pdfbounds.bounded(DEFAULT_LIMITS):
        got = pdfminer.pdffont.get_widths(seq)
    assert got == expected


def test_a_pdfminer_without_the_replaced_functions_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reading on unbounded would be unsafe: the file is refused, naming what is missing and the extra."""
    monkeypatch.setattr(_pdfbounds, "missing", lambda: ["pdfminer.pdffont.get_widths"])
    with pytest.raises(ReadError, match=r"get_widths.*gongkai-model\[pdf\]"):
        read_pdf(REAL)
    import pdfminer.pdffont

    assert pdfminer.pdffont.get_widths is not _pdfbounds._get_widths  # nothing left installed


def make_dense_pages_short_of_memory() -> object:
    """Pages of 19,000 characters each (within every bound) read with 75 MiB of address space to spare.

    The cap is set here, above what the child already uses, so the run does not depend on how much
    the interpreter and its imports take: each dense page runs out of memory (about 100 MB each).
    """
    import gc
    import resource

    pdf = _titled()
    for _ in range(3):
        pdf.new_page()
        pdf.text(50, 100, "某区人民政府", 12)
        pdf.pages[-1].append("BT /F1 1 Tf 1 0 0 1 50 500 Tm <" + "4E00" * 19_000 + "> Tj ET")
    data = pdf.build()
    read_pdf(_titled().build())  # everything pdfminer imports and caches, loaded before the cap
    gc.collect()
    with open("/proc/self/statm") as fh:
        used = int(fh.read().split()[0]) * resource.getpagesize()
    cap = used + 75 * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    return read_pdf(data, name="dense.pdf")


def test_a_fax_stream_of_absurd_width_is_refused_before_it_is_allocated() -> None:
    """pdfminer allocates a list of the declared width for every row: 2 billion pixels wide is refused."""
    from pdfminer.pdfexceptions import PDFValueError
    from pdfminer.pdftypes import LIT, PDFStream

    stream = PDFStream(
        {"Filter": LIT("CCITTFaxDecode"), "DecodeParms": {"K": -1, "Columns": 2_000_000_000}}, b"\x00" * 100
    )
    with _pdfbounds.bounded(DEFAULT_LIMITS), pytest.raises(PDFValueError):
        stream.get_data()


@settings(max_examples=40, deadline=None)
@given(st.binary(max_size=200), st.integers(1, 64), st.booleans())
def test_bounded_fax_decoding_gives_pdfminer_s_bytes(data: bytes, width: int, black: bool) -> None:
    from pdfminer.ccitt import ccittfaxdecode

    params = {"K": -1, "Columns": width, "BlackIs1": black}
    try:
        expected: object = ccittfaxdecode(data, params)
    except Exception as exc:  # pdfminer's own errors on damaged data
        expected = type(exc)
    try:
        got: object = _pdfbounds._ccittfaxdecode(data, params, 1 << 30)
    except Exception as exc:
        got = type(exc)
    assert got == expected
