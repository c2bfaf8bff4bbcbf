"""Hostile containers (issue 14): zip members that lie, OLE files that are not Word, pages named .doc or .pdf.

Every hostile input is regenerated here (nothing stored) and run in a subprocess under 20 s and
1.5 GiB (``tests/hostile.py``):

- zip members that inflate beyond what they declare (bzip2, lzma, deflate), ratio bombs, too many
  members, too many bytes in all, in ``.docx`` and ``.xlsx``: the shared zip check
  (``gongkai_model._zipsafe``) bounds the bytes actually inflated;
- OLE files (``D0 CF 11 E0``) whose directory says Excel (``Workbook``), an encrypted OOXML package
  (``EncryptedPackage``) or nothing readable (a directory chain that loops): a clear refusal, never
  LibreOffice;
- HTML, RTF and text named ``.doc`` or ``.pdf``: read as what their bytes are;
- a local listener proves that nothing the readers or LibreOffice open reaches the network.
"""

from __future__ import annotations

import bz2
import io
import lzma
import shutil
import socket
import struct
import subprocess
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import gongkai_model as gk
from gongkai_model import excel
from gongkai_model._zipsafe import pack, unpack
from gongkai_model.formats._dispatch import detect_format
from gongkai_model.formats._ole import kind_of, root_streams
from gongkai_model.formats.docx import read_docx, write_docx
from gongkai_model.formats.xlsx._read import read_xlsx
from gongkai_model.limits import Limits

from hostile import assert_contract, run_capped

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
MB = 1024 * 1024
XL_MEDIA = "xl/media/image1.bin"

# ------------------------------------------------------------------------------------- zip makers


def seed_docx() -> bytes:
    out = io.BytesIO()
    write_docx(gk.examples.seed_report(), out)
    return out.getvalue()


def seed_xlsx() -> bytes:
    out = io.BytesIO()
    excel.write_report(gk.examples.seed_report(), out)
    return out.getvalue()


def _raw_member(name: str, method: int, compressed: bytes, crc: int, declared: int) -> tuple[bytes, bytes]:
    """A local header with its data, and the central directory entry (offset patched by the caller)."""
    encoded = name.encode()
    local = (
        struct.pack("<IHHHHHIIIHH", 0x04034B50, 46, 0, method, 0, 0x21, crc, len(compressed), declared, len(encoded), 0)
        + encoded
        + compressed
    )
    central = struct.pack(
        "<IHHHHHHIIIHHHHHII",
        0x02014B50,
        46,
        46,
        0,
        method,
        0,
        0x21,
        crc,
        len(compressed),
        declared,
        len(encoded),
        0,
        0,
        0,
        0,
        0,
        0,  # offset, patched
    )
    return local, central + encoded


def with_member(data: bytes, name: str, method: int, compressed: bytes, crc: int, declared: int) -> bytes:
    """``data`` (a zip) with one more member, stored exactly as given: method, compressed bytes, declared size."""
    members: list[tuple[bytes, bytes]] = []
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for info in z.infolist():
            blob = z.read(info)
            raw = zlib.compressobj(6, zlib.DEFLATED, -15)
            body = raw.compress(blob) + raw.flush()
            members.append(_raw_member(info.filename, zipfile.ZIP_DEFLATED, body, zlib.crc32(blob), len(blob)))
    members.append(_raw_member(name, method, compressed, crc, declared))
    out = bytearray()
    centrals = bytearray()
    for local, central in members:
        entry = bytearray(central)
        struct.pack_into("<I", entry, 42, len(out))
        out += local
        centrals += entry
    start = len(out)
    out += centrals
    out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(centrals), start, 0)
    return bytes(out)


def _zeros(n: int, compressor: Any) -> tuple[bytes, int]:
    """``n`` zero bytes through ``compressor`` in chunks (never all in memory), and their CRC-32."""
    chunk = bytes(MB)
    parts, crc = [], 0
    for _ in range(n // MB):
        parts.append(compressor.compress(chunk))
        crc = zlib.crc32(chunk, crc)
    parts.append(compressor.flush())
    return b"".join(parts), crc


def _deflated_zeros(n: int) -> tuple[bytes, int]:
    """``n`` MiB of zeros as one raw deflate stream, made fast: a fully flushed block repeats byte for byte."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(bytes(MB)) + compressor.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(n):
        crc = zlib.crc32(bytes(MB), crc)
    return block * n + compressor.flush(), crc


def bzip2_liar(data: bytes, member: str = "word/media/image1.bin") -> bytes:
    """A bzip2 member declaring its stored size (ratio 1) that inflates to 64 MiB in one block read.

    The issue's reproducer (3 GB from 40 KB) inflates the same way; a check trusting the declared size
    passes it, and zipfile inflates a whole bzip2 block at once. It is refused unread.
    """
    body, crc = _zeros(64 * MB, bz2.BZ2Compressor(9))
    return with_member(data, member, zipfile.ZIP_BZIP2, body, crc, len(body))


def lzma_liar(data: bytes, member: str = "word/media/image1.bin") -> bytes:
    """An lzma member declaring its stored size (ratio 1) that inflates to 32 MiB."""
    compressor = lzma.LZMACompressor(lzma.FORMAT_RAW, filters=[{"id": lzma.FILTER_LZMA1}])
    props = lzma._encode_filter_properties({"id": lzma.FILTER_LZMA1})  # type: ignore[attr-defined]
    body, crc = _zeros(32 * MB, compressor)
    header = struct.pack("<BBH", 9, 4, len(props)) + props  # zipfile's lzma member header
    return with_member(data, member, zipfile.ZIP_LZMA, header + body, crc, len(header + body))


def deflate_liar(data: bytes, declared: int = 2**31, member: str = "word/media/image1.bin") -> bytes:
    """A deflate member of 300 MiB of zeros declaring ``declared`` bytes (the ratio bound stops it)."""
    body, crc = _deflated_zeros(300)
    return with_member(data, member, zipfile.ZIP_DEFLATED, body, crc, declared)


def many_members(data: bytes, n: int) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        for i in range(n):
            dst.writestr(f"word/media/m{i}.bin", b"")
    return out.getvalue()


def empty_members(n: int) -> bytes:
    """A valid zip of ``n`` empty stored members, built directly (zipfile would take seconds to write it)."""
    locals_, centrals = [], []
    offset = 0
    for i in range(n):
        name = f"{i:05x}".encode()
        local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 0, 0, 0x21, 0, 0, 0, len(name), 0) + name
        centrals.append(
            struct.pack(
                "<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 0, 0, 0x21, 0, 0, 0, len(name), 0, 0, 0, 0, 0, offset
            )
            + name
        )
        locals_.append(local)
        offset += len(local)
    directory = b"".join(centrals)
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, n, n, len(directory), offset, 0)
    return b"".join(locals_) + directory + end


def incompressible(data: bytes, members: int, size: int) -> bytes:
    """``members`` members of ``size`` random-looking bytes each (no ratio to speak of)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        for i in range(members):
            dst.writestr(f"word/media/r{i}.bin", bytes((j * 7919 + i) % 251 for j in range(size)))
    return out.getvalue()


# --------------------------------------------------------------------------- generators (children)


def docx_bzip2_liar() -> object:
    return read_docx(bzip2_liar(seed_docx()), name="liar.docx")


def docx_lzma_liar() -> object:
    return read_docx(lzma_liar(seed_docx()), name="liar.docx")


def docx_deflate_liar() -> object:
    return read_docx(deflate_liar(seed_docx()), name="liar.docx")


def docx_deflate_small_liar() -> object:
    """Declares 40,000 bytes and inflates to 300 MiB: zipfile stops at the declared size, the checksum fails."""
    return read_docx(deflate_liar(seed_docx(), 40_000), name="liar.docx")


def docx_member_bound() -> object:
    """A 300 MiB member under a ratio limit so loose that only the member bound stops it."""
    return read_docx(deflate_liar(seed_docx()), name="big.docx", limits=Limits(max_ratio=1e9))


def docx_many_members() -> object:
    return read_docx(many_members(seed_docx(), 2500), name="many.docx")


def docx_sixty_thousand_members() -> object:
    """60,000 empty members (3.6 MB): refused from the directory's signatures, before zipfile lists them."""
    return read_docx(empty_members(60_000), name="many.docx")


def docx_total_bound() -> object:
    limits = Limits(max_unpacked_bytes=3 * MB, max_member_bytes=2 * MB)
    return read_docx(incompressible(seed_docx(), 3, MB + 1), name="total.docx", limits=limits)


def xlsx_bzip2_liar() -> object:
    return read_xlsx(bzip2_liar(seed_xlsx(), XL_MEDIA), name="liar.xlsx")


def xlsx_deflate_liar() -> object:
    return read_xlsx(deflate_liar(seed_xlsx(), member=XL_MEDIA), name="liar.xlsx")


def xlsx_many_members() -> object:
    return read_xlsx(many_members(seed_xlsx(), 2500), name="many.xlsx")


def xlsx_through_read() -> object:
    """The same bomb through ``gk.read``, which picks the reader from the bytes."""
    return gk.read(bzip2_liar(seed_xlsx(), XL_MEDIA))


def docx_through_check() -> object:
    return gk.check(deflate_liar(seed_docx()))


CASES = {
    "docx_bzip2_liar": {"READ_REFUSED"},
    "docx_lzma_liar": {"READ_REFUSED"},
    "docx_deflate_liar": {"READ_LIMIT"},
    "docx_deflate_small_liar": {"READ_DAMAGED"},
    "docx_member_bound": {"READ_LIMIT"},
    "docx_many_members": {"READ_LIMIT"},
    "docx_sixty_thousand_members": {"READ_LIMIT"},
    "docx_total_bound": {"READ_LIMIT"},
    "xlsx_bzip2_liar": {"READ_REFUSED"},
    "xlsx_deflate_liar": {"READ_LIMIT"},
    "xlsx_many_members": {"READ_LIMIT"},
    "xlsx_through_read": {"READ_REFUSED"},
    "docx_through_check": {"READ_LIMIT"},
}


@pytest.mark.parametrize("generator", sorted(CASES))
def test_zip_members_are_bounded_by_what_they_inflate(generator: str) -> None:
    outcome = assert_contract(run_capped(f"test_containers_hostile:{generator}"))
    assert not outcome.report, str(outcome)
    assert outcome.codes == CASES[generator], str(outcome)
    assert outcome.peak_bytes < 700 * MB, str(outcome)  # the check keeps at most what it was allowed to inflate


def test_the_bound_names_the_member_and_what_it_really_inflated_to() -> None:
    data = with_member(seed_docx(), "word/media/a.bin", zipfile.ZIP_DEFLATED, *_deflated_zeros(3), 2**31)
    with pytest.raises(gk.ReadError) as info:
        unpack(data, Limits(max_member_bytes=2 * MB, max_ratio=1e9), "x.docx", "Word document")
    (problem,) = info.value.problems
    assert (problem.code, problem.location) == ("READ_LIMIT", "x.docx!word/media/a.bin")
    assert "more than 2097152 bytes" in problem.message
    # declared smaller than it inflates: zipfile stops at the declared size, and the checksum fails
    data = with_member(seed_docx(), "word/media/a.bin", zipfile.ZIP_DEFLATED, *_deflated_zeros(3), 100)
    with pytest.raises(gk.ReadError) as info:
        unpack(data, Limits(), "x.docx", "Word document")
    (problem,) = info.value.problems
    assert (problem.code, problem.location) == ("READ_DAMAGED", "x.docx!word/media/a.bin")


def test_many_members_are_counted_before_zipfile_lists_them() -> None:
    data = empty_members(3000)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert len(z.infolist()) == 3000  # a valid zip
    with pytest.raises(gk.ReadError) as info:
        unpack(data, Limits(), "many.zip", "archive")
    assert [p.code for p in info.value.problems] == ["READ_LIMIT"]
    assert "3000 members in the archive's directory" in info.value.problems[0].message
    assert len(unpack(data, Limits(max_members=3000), "many.zip", "archive")) == 3000


def test_a_good_package_unpacks_to_its_members_and_packs_back() -> None:
    data = seed_docx()
    members = unpack(data, Limits(), "seed.docx", "Word document")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert members == {i.filename: z.read(i) for i in z.infolist()}
    assert unpack(pack(members), Limits(), "again.docx", "Word document") == members


def test_excel_check_zip_refuses_a_liar_with_its_own_error() -> None:
    with pytest.raises(excel.ExcelError) as info:
        excel.read_report(deflate_liar(seed_xlsx(), member=XL_MEDIA))
    assert [p.code for p in info.value.problems] == ["READ_LIMIT"]


# ------------------------------------------------------------------------------------- OLE files


def ole(*streams: str, loop: bool = False) -> bytes:
    """A compound file (version 3, 512-byte sectors) whose root holds ``streams`` (empty ones).

    ``loop=True`` makes the directory's chain point back to itself after its first sector and the
    DIFAT claim a million sectors: a reader that does not guard its chains never ends.
    """
    n_dir = (len(streams) + 1 + 3) // 4
    fat = [0xFFFFFFFD] + [2 + i for i in range(n_dir - 1)] + [0xFFFFFFFE]
    if loop:
        fat[n_dir] = 1
    fat_sector = struct.pack(f"<{len(fat)}I", *fat).ljust(512, b"\xff")
    header = (
        bytes.fromhex("d0cf11e0a1b11ae1")
        + bytes(16)
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + bytes(6)
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, 0xFFFFFFFE, 0, 0 if loop else 0xFFFFFFFE, 10**6 if loop else 0)
    )
    header += struct.pack("<109I", 0, *([0xFFFFFFFF] * 108))
    assert len(header) == 512

    def entry(name: str, kind: int, right: int, child: int) -> bytes:
        encoded = (name + "\0").encode("utf-16-le")
        return (
            encoded.ljust(64, b"\0")
            + struct.pack("<HBB", len(encoded), kind, 1)
            + struct.pack("<III", 0xFFFFFFFF, right, child)
            + bytes(16 + 4 + 16)
            + struct.pack("<IQ", 0xFFFFFFFE, 0)
        )

    entries = [entry("Root Entry", 5, 0xFFFFFFFF, 1 if streams else 0xFFFFFFFF)]
    for i, name in enumerate(streams, start=1):
        entries.append(entry(name, 2, i + 1 if i < len(streams) else 0xFFFFFFFF, 0xFFFFFFFF))
    directory = b"".join(entries).ljust(n_dir * 512, b"\0")
    return header + fat_sector + directory


def test_the_ole_writer_and_reader_agree() -> None:
    assert root_streams(ole("WordDocument", "1Table", "\x05SummaryInformation", "Data", "Extra")) == {
        "WordDocument",
        "1Table",
        "\x05SummaryInformation",
        "Data",
        "Extra",
    }
    assert kind_of(ole("WordDocument", "1Table")) == "doc"
    assert kind_of(ole("Workbook")) == "xls"
    assert kind_of(ole("Book")) == "xls"
    assert kind_of(ole("EncryptedInfo", "EncryptedPackage")) == "encrypted"
    assert kind_of(ole("PowerPoint Document")) == "ppt"
    assert kind_of(ole("Contents")) == "other"
    assert kind_of(ole()) == "damaged"
    assert kind_of(ole("A", "B", "C", "D", "E", "F", "WordDocument", loop=True)) in ("doc", "other")


def ole_workbook() -> object:
    return gk.read(io.BytesIO(ole("Workbook")))


def ole_encrypted() -> object:
    return gk.read(ole("EncryptedInfo", "EncryptedPackage"))


def ole_loop() -> object:
    return gk.read(ole("A", "B", "C", "D", "E", "F", "G", loop=True))


def ole_cut() -> object:
    return gk.read(ole("WordDocument")[:700])


OLE_CASES = {
    "ole_workbook": ("READ_NOT_A_REPORT", "save it as .xlsx"),
    "ole_encrypted": ("READ_NOT_A_REPORT", "without a password"),
    "ole_loop": ("READ_NOT_A_REPORT", "not a Word document"),
    "ole_cut": ("READ_DAMAGED", "cannot be read"),
}


def test_the_zip_readers_say_an_ole_file_is_not_a_package() -> None:
    with pytest.raises(gk.ReadError) as info:
        read_docx(ole("WordDocument"), name="old.docx")
    assert [p.code for p in info.value.problems] == ["READ_NOT_A_REPORT"]
    assert "legacy .doc or .xls" in info.value.problems[0].message
    got = read_xlsx(ole("Workbook"), name="old.xlsx")
    assert [p.code for p in got.problems] == ["READ_NOT_A_REPORT"]
    assert "legacy .doc or .xls" in got.problems[0].message


@pytest.mark.parametrize("generator", sorted(OLE_CASES))
def test_ole_files_that_are_not_word_are_refused_clearly(generator: str) -> None:
    outcome = assert_contract(run_capped(f"test_containers_hostile:{generator}"))
    code, words = OLE_CASES[generator]
    assert (outcome.kind, outcome.type) == ("error", "ReadError"), str(outcome)
    assert outcome.codes == {code}, str(outcome)
    assert words in outcome.problems[0]["message"], str(outcome)
    assert outcome.seconds < 2, str(outcome)  # decided from the directory, LibreOffice never started


# ---------------------------------------------------------------------------- formats by their bytes


@pytest.mark.parametrize(
    ("data", "name", "expected"),
    [
        (b"<!DOCTYPE html><html><body>", "report.pdf", "html"),
        (b"<html><body>", "report.doc", "html"),
        (b"\xef\xbb\xbf<p>page</p>", "report.doc", "html"),
        (b"<table><tr><td>1</td></tr></table>", "report.docx", "html"),
        (b"<div>page</div>", "report.txt", "text"),  # plain text may hold a tag: its suffix decides
        (b"<!DOCTYPE html><html>", "report.txt", "html"),
        (b"{\\rtf1\\ansi report}", "report.doc", "rtf"),
        ("某某局2023年政府信息公开工作年度报告".encode(), "report.doc", "text"),
        (b"| a | b |\n|---|---|\n", "report.doc", "markdown"),
        (b"%PDF-1.7", "report.doc", "pdf"),
        (bytes.fromhex("d0cf11e0a1b11ae1"), "report.pdf", "ole"),
        (b"not a pdf", "report.pdf", "pdf"),  # the PDF reader says what it is not
        (b"{}", "a.json", "json"),
        (b"# title", "a.md", "markdown"),
    ],
)
def test_detect_format_trusts_telling_bytes_over_the_suffix(data: bytes, name: str, expected: str) -> None:
    assert detect_format(data, name) == expected


@pytest.mark.parametrize("suffix", [".doc", ".pdf", ".docx", ".xlsx"])
def test_a_page_saved_under_another_suffix_is_read_as_html(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"report{suffix}"
    path.write_text(gk.formats.render_html(gk.examples.seed_report()), encoding="utf-8")
    got = gk.read(path)
    assert got.ok, got.problems
    seed = gk.examples.seed_report()
    assert got.report is not None
    assert (got.report.table2, got.report.table3, got.report.table4) == (seed.table2, seed.table3, seed.table4)


def _named(data: bytes, name: str) -> io.BytesIO:
    stream = io.BytesIO(data)
    stream.name = name  # type: ignore[misc]
    return stream


def html_named_doc() -> object:
    page = gk.formats.render_html(gk.examples.seed_report()).encode()
    return gk.check(_named(b"<!-- saved as .doc -->" + page, "report.doc"))


def html_named_pdf() -> object:
    page = gk.formats.render_html(gk.examples.seed_report()).encode()
    return gk.check(_named(page, "report.pdf"))


@pytest.mark.parametrize("generator", ["html_named_doc", "html_named_pdf"])
def test_a_page_named_doc_or_pdf_is_checked_as_html_in_a_capped_child(generator: str) -> None:
    outcome = assert_contract(run_capped(f"test_containers_hostile:{generator}"))
    assert outcome.kind == "result", str(outcome)
    assert outcome.report, str(outcome)
    assert not outcome.problems, str(outcome)


def test_a_text_copy_named_doc_is_read_as_text(tmp_path: Path) -> None:
    path = tmp_path / "report.doc"
    path.write_text(gk.formats.render_text(gk.examples.seed_report()), encoding="utf-8")
    got = gk.read(path)
    assert got.ok, got.problems
    assert got.report is not None
    assert got.report.table3 == gk.examples.seed_report().table3


def test_rtf_named_doc_is_refused_clearly(tmp_path: Path) -> None:
    path = tmp_path / "report.doc"
    path.write_bytes(b"{\\rtf1\\ansi {\\field{\\*\\fldinst INCLUDEPICTURE http://example.invalid/x}}}")
    with pytest.raises(gk.ReadError) as info:
        gk.read(path)
    assert [p.code for p in info.value.problems] == ["READ_NOT_A_REPORT"]
    assert "RTF" in info.value.problems[0].message
    checked = gk.check(path)
    assert checked.imported.report is None
    assert [p.code for p in checked.imported.problems] == ["READ_NOT_A_REPORT"]


# ------------------------------------------------------------------------------- the sealed office


def test_conversion_is_refused_without_a_private_network(monkeypatch: pytest.MonkeyPatch) -> None:
    from gongkai_model.formats import _dispatch

    monkeypatch.setattr(_dispatch, "_sealed_prefix", lambda: None)
    monkeypatch.setattr(_dispatch.shutil, "which", lambda name: "/usr/bin/" + name)
    with pytest.raises(gk.ReadError) as info:
        gk.read(ole("WordDocument", "1Table"))
    assert [p.code for p in info.value.problems] == ["READ_REFUSED"]
    assert "allow_network=True" in info.value.problems[0].message


def test_conversion_stops_at_max_seconds_and_kills_the_office(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A stand-in office that starts a child and sleeps: both are gone when the limit is reached."""
    from gongkai_model.formats import _dispatch

    pids = tmp_path / "pids"
    office = tmp_path / "soffice"
    office.write_text(f"#!/bin/sh\nsleep 60 &\necho $! > {pids}\nexec sleep 60\n")
    office.chmod(0o755)
    monkeypatch.setattr(_dispatch.shutil, "which", lambda name: str(office) if name == "soffice" else None)
    monkeypatch.setattr(_dispatch, "_sealed_prefix", lambda: ())
    with pytest.raises(gk.ReadError) as info:
        gk.read(ole("WordDocument", "1Table"), limits=Limits(max_seconds=1.0))
    assert [p.code for p in info.value.problems] == ["READ_LIMIT"]
    assert "Limits.max_seconds" in info.value.problems[0].message
    child = int(pids.read_text())
    assert not Path(f"/proc/{child}").exists() or "Z" in Path(f"/proc/{child}/stat").read_text().split()[2]


def test_the_office_gets_a_fresh_profile_without_macros_and_no_inherited_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A stand-in office records what it was given and "converts" by copying a real .docx."""
    from gongkai_model.formats import _dispatch

    seed = tmp_path / "seed.docx"
    seed.write_bytes(seed_docx())
    seen = tmp_path / "seen"
    office = tmp_path / "soffice"
    office.write_text(
        "#!/bin/sh\n"
        f'env > {seen}.env; echo "$@" > {seen}.args\n'
        'for a in "$@"; do case "$a" in -env:UserInstallation=file://*) p="${a#*file://}";; esac; done\n'
        f'cat "$p/user/registrymodifications.xcu" > {seen}.xcu\n'
        'while [ $# -gt 0 ]; do [ "$1" = "--outdir" ] && out="$2"; shift; done\n'
        f'mkdir -p "$out" && cp {seed} "$out/in.docx"\n'
    )
    office.chmod(0o755)
    monkeypatch.setattr(_dispatch.shutil, "which", lambda name: str(office) if name == "soffice" else None)
    monkeypatch.setattr(_dispatch, "_sealed_prefix", lambda: None)
    monkeypatch.setenv("GONGKAI_TEST_SECRET", "must-not-leak")
    got = gk.read(ole("WordDocument", "1Table"), allow_network=True)  # the caller trusts this file
    assert got.ok, got.problems
    assert got.report is not None
    assert got.report.table3 == gk.examples.seed_report().table3
    env = Path(f"{seen}.env").read_text()
    assert "GONGKAI_TEST_SECRET" not in env
    assert "SAL_USE_VCLPLUGIN=svp" in env
    args = Path(f"{seen}.args").read_text().split()
    assert {"--headless", "--norestore", "--nolockcheck", "--nodefault"} <= set(args)
    profile = Path(f"{seen}.xcu").read_text()
    assert '"MacroSecurityLevel"' in profile
    assert '"DisableMacrosExecution"' in profile


def _make_word_doc(page: Path, tmp: Path) -> Path:
    """A real Word 97 ``.doc`` made by LibreOffice from ``page`` (outside the library's reader)."""
    assert SOFFICE, "LibreOffice is needed for this test: apt-get install libreoffice-writer-nogui (.ci/run does)"
    subprocess.run(
        [SOFFICE, "--headless", "--norestore", f"-env:UserInstallation={(tmp / 'profile').as_uri()}",
         "--convert-to", "doc:MS Word 97", "--outdir", str(tmp / "made"), str(page)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    return tmp / "made" / f"{page.stem}.doc"


def test_nothing_the_readers_or_libreoffice_open_reaches_the_network(tmp_path: Path) -> None:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))  # bound, not yet listening: making the test's .doc cannot fetch either
    port = listener.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    title = "北京市西城区信访办公室2023年政府信息公开工作年度报告"
    page = (
        f'<html><head><link rel="stylesheet" href="{url}/s.css"><script src="{url}/a.js"></script></head>'
        f'<body><p>{title}</p><img src="{url}/x.png" width="10" height="10">'
        f'<iframe src="{url}/f.html"></iframe><object data="{url}/o.svg"></object></body></html>'
    )
    source = tmp_path / "page.html"
    source.write_text(page, encoding="utf-8")
    word = _make_word_doc(source, tmp_path)
    assert url.encode("utf-16-le") in word.read_bytes()  # the Word file references the listener
    listener.listen(16)
    listener.settimeout(0.0)
    try:
        for suffix in (".doc", ".pdf"):  # a page named .doc or .pdf is read as HTML, nothing fetched
            named = tmp_path / f"page{suffix}"
            named.write_text(page, encoding="utf-8")
            got = gk.read(named)
            assert got.source == str(named)
            assert "READ_TABLE_MISSING" in {p.code for p in got.problems}  # the title read, no tables
        got = gk.read(word)  # a real .doc: converted by LibreOffice in a private network namespace
        assert got.report is not None
        assert got.report.agency == "北京市西城区信访办公室"  # its title came through the conversion
        assert "READ_TABLE_MISSING" in {p.code for p in got.problems}
        with pytest.raises(BlockingIOError):
            listener.accept()
    finally:
        listener.close()


# ------------------------------------------------------------------ what python-docx builds, bounded

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def with_body(body: str) -> bytes:
    """The seed document with ``body`` as its ``w:body`` (every other part as written)."""
    document = f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W}"><w:body>{body}</w:body></w:document>'
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(seed_docx())) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            blob = document.encode() if info.filename == "word/document.xml" else src.read(info)
            dst.writestr(info.filename, blob)
    return out.getvalue()


def docx_many_paragraphs() -> object:
    """600,000 paragraphs of varied text (a 4 MB file, 3.6 million tags): refused before python-docx parses."""
    body = "".join(f"<w:p><w:r><w:t>{i * 7919:x}</w:t></w:r></w:p>" for i in range(600_000))
    return read_docx(with_body(body), name="paragraphs.docx")


def _huge_paragraph(chars: int) -> bytes:
    text = "0123456789abcdef" * (chars // 16)
    return with_body(f"<w:p><w:r><w:t>某某局2023年报告</w:t></w:r></w:p><w:p><w:r><w:t>{text}</w:t></w:r></w:p>")


LOOSE = Limits(max_ratio=1e6)  #: a text this repetitive compresses beyond the default ratio: only size bounds it


def docx_one_huge_paragraph() -> object:
    """One paragraph of 9 million characters (lxml's own bound is 10 MB a text node): cut at Limits.max_chars."""
    return read_docx(_huge_paragraph(9_000_000), limits=LOOSE)


def docx_text_node_beyond_lxml() -> object:
    """One text node of 40 million characters: lxml refuses it, and that is a limit, not a foreign document."""
    return read_docx(_huge_paragraph(40_000_000), limits=LOOSE)


@pytest.mark.parametrize("generator", ["docx_many_paragraphs", "docx_one_huge_paragraph", "docx_text_node_beyond_lxml"])
def test_what_python_docx_builds_is_bounded(generator: str) -> None:
    outcome = assert_contract(run_capped(f"test_containers_hostile:{generator}"))
    assert "READ_LIMIT" in outcome.codes, str(outcome)
    assert outcome.seconds < 10, str(outcome)


def test_the_character_bound_names_the_paragraph_where_reading_stopped() -> None:
    doc = gk.formats.docx.parse_docx(
        with_body("<w:p><w:r><w:t>first</w:t></w:r></w:p><w:p><w:r><w:t>second paragraph</w:t></w:r></w:p>"),
        source="x.docx",
        limits=Limits(max_chars=10),
    )
    assert [b.text for b in doc.blocks] == ["first"]
    (problem,) = doc.problems
    assert (problem.code, problem.location) == ("READ_LIMIT", "x.docx, line 2")


# ------------------------------------------------------------------------------------ properties

_member_names = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters="/\\"), min_size=1)


@settings(max_examples=40, deadline=None)
@given(st.dictionaries(_member_names, st.binary(max_size=4096), max_size=8))
def test_unpack_gives_back_what_was_packed(members: dict[str, bytes]) -> None:
    assert unpack(pack(members), Limits(), "p.zip", "archive") == members


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_a_damaged_zip_is_the_library_error_or_its_members(data: st.DataObject) -> None:
    good = bytearray(pack({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>" * 50}))
    good = bytearray(zipfile_deflated(bytes(good)))
    for _ in range(data.draw(st.integers(1, 6))):
        at = data.draw(st.integers(0, len(good) - 1))
        good[at] = data.draw(st.integers(0, 255))
    codes: set[str | None] = set()
    members: dict[str, bytes] = {}
    try:
        members = unpack(bytes(good), Limits(max_member_bytes=1_000_000), "d.zip", "archive")
    except gk.ReadError as exc:
        codes = {p.code for p in exc.problems}
    assert codes <= {"READ_DAMAGED", "READ_REFUSED", "READ_LIMIT", "READ_NOT_A_REPORT"}
    assert all(len(blob) <= 1_000_000 for blob in members.values())


def zipfile_deflated(data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info))
    return out.getvalue()


@settings(max_examples=200, deadline=None)
@given(st.binary(min_size=0, max_size=3000), st.integers(0, 3000), st.binary(min_size=1, max_size=64))
def test_any_ole_bytes_give_a_kind_and_never_raise(tail: bytes, at: int, patch: bytes) -> None:
    base = bytearray(ole("WordDocument", "1Table", "Data", "A", "B") + tail)
    at = min(at, len(base) - 1)
    base[at : at + len(patch)] = patch
    assert kind_of(bytes(base)) in ("doc", "xls", "encrypted", "ppt", "other", "damaged")


@pytest.mark.parametrize("error", [MemoryError, RecursionError])
def test_a_memory_or_recursion_error_is_a_limit_that_says_which(
    monkeypatch: pytest.MonkeyPatch, error: type[BaseException]
) -> None:
    import docx

    from gongkai_model.formats.xlsx import _read as _xlsxread

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise error

    data = seed_docx()
    monkeypatch.setattr(docx, "Document", boom)
    with pytest.raises(gk.ReadError) as info:
        read_docx(data, name="m.docx")
    ((code, message),) = [(p.code, p.message) for p in info.value.problems]
    assert code == "READ_LIMIT"
    assert error.__name__ in message
    monkeypatch.setattr(_xlsxread, "read_book", boom)
    got = read_xlsx(seed_xlsx(), name="m.xlsx")
    assert got.report is None
    assert [(p.code, error.__name__ in p.message) for p in got.problems] == [("READ_LIMIT", True)]
