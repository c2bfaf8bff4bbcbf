"""Hostile workbooks (issue 8): each input that once hung, exhausted memory or escaped as a foreign
exception now gives :class:`ExcelError` or located problems, within a bounded time and memory.

The workbooks are built here: this library's own workbook or template, with the XML inside the zip
edited, or the archive's bytes damaged.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import struct
import time
import tracemalloc
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import openpyxl
import pytest

import gongkai_model as gk
from gongkai_model import excel
from gongkai_model.formats.xlsx._read import read_xlsx
from gongkai_model.formats.xlsx._write import MAX_EXACT_INTEGER
from gongkai_model.limits import Limits
from gongkai_model.model import replace_path

#: Bounds of every read below: generous for a 2-core machine shared with others, far below the
#: 30 s and 2–6 GB the inputs once took.
SECONDS = 20
PEAK_BYTES = 150 * 1024 * 1024

#: The sheets of write_report, in order: sheet1.xml … sheet5.xml.
SHEET = {"封面": 1, "表二": 2, "表三": 3, "表四": 4, "正文": 5}


def bounded(fn: Callable[[], Any]) -> Any:
    """Run ``fn`` and check it stayed within the time and memory bounds; its result, or the error it raised."""
    tracemalloc.start()
    start = time.perf_counter()
    try:
        result: Any = fn()
    except gk.GongkaiError as exc:
        result = exc
    finally:
        elapsed = time.perf_counter() - start
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert elapsed < SECONDS, f"took {elapsed:.1f} s"
    assert peak < PEAK_BYTES, f"peak {peak / 2**20:.0f} MiB"
    return result


def seed_workbook(report: gk.AnnualReport | None = None) -> bytes:
    buffer = io.BytesIO()
    excel.write_report(report or gk.examples.seed_report(), buffer)
    return buffer.getvalue()


def filled_template() -> bytes:
    """A template with the seed report's inputs typed in; its totals are formulas with no saved value."""
    report = gk.examples.seed_report()
    buffer = io.BytesIO()
    excel.write_template(buffer, agency=report.agency, year=report.year)
    wb = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    shape = gk.model.shape_of(report)
    for cell, value in zip(gk.model.layout(shape), gk.model.values(report), strict=True):
        name = f"gk.{cell.path}"
        if name in wb.defined_names:
            (sheet, ref), *_ = list(wb.defined_names[name].destinations)
            wb[sheet][ref.replace("$", "")].value = value if not isinstance(value, gk.Amount) else str(value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def edit(data: bytes, member: str, change: Callable[[str], str]) -> bytes:
    """The workbook with one member's XML changed."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for item in src.infolist():
            body = src.read(item.filename)
            if item.filename == member:
                changed = change(body.decode("utf-8"))
                assert changed != body.decode("utf-8"), "the edit changed nothing"
                body = changed.encode("utf-8")
            z.writestr(item.filename, body)
    return out.getvalue()


def sheet_xml(name: str) -> str:
    return f"xl/worksheets/sheet{SHEET[name]}.xml"


def place_of(path: str) -> str:
    """The ``sheet!cell`` where write_report puts the figure of ``path``."""
    got = read_xlsx(seed_workbook())
    cell = got.provenance[path].place.cell
    assert cell is not None
    return cell


def set_cell(xml: str, ref: str, cell: str) -> str:
    """Replace the ``<c r="ref" …>`` element (with or without content) by ``cell``."""
    pattern = re.compile(rf'<c r="{ref}"[^>]*?(/>|>.*?</c>)', re.S)
    assert pattern.search(xml), ref
    return pattern.sub(cell, xml, count=1)


def tables(report: gk.AnnualReport) -> tuple[Any, ...]:
    return (report.table2, report.table3, report.table4)


def codes(problems: Any) -> set[str | None]:
    return {p.code for p in problems}


# --- sizes: a cell far away, a huge merged range, a formula over the whole sheet ------------------


def test_one_cell_at_xfd1048576_in_a_small_workbook() -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws["XFD1048576"] = 1
    buffer = io.BytesIO()
    wb.save(buffer)
    data = buffer.getvalue()
    assert len(data) < 14 * 1024
    failure = bounded(lambda: excel.read_report(data))
    assert isinstance(failure, excel.ExcelError)  # no report in it: an error naming what is wrong
    far = [p for p in failure.problems if p.code == "READ_LIMIT" and p.severity == "error"]
    assert [p.location for p in far] == ["Sheet!XFD1048576"]
    declared = [p for p in failure.problems if p.code == "READ_LIMIT" and p.severity == "warning"]
    assert declared
    assert "XFD1048576" in declared[0].message


def test_a_far_cell_beside_a_report_is_a_located_problem_and_the_report_is_read() -> None:
    def add(xml: str) -> str:
        xml = re.sub(r'<dimension ref="[^"]*"/>', '<dimension ref="A1:XFD1048576"/>', xml)
        return xml.replace("</sheetData>", '<row r="1048576"><c r="XFD1048576"><v>7</v></c></row></sheetData>')

    data = edit(seed_workbook(), sheet_xml("表三"), add)
    report, issues = bounded(lambda: excel.read_report(data))
    assert report == gk.examples.seed_report()
    assert {(p.location, p.code, p.severity) for p in issues} == {
        ("表三!XFD1048576", "READ_LIMIT", "error"),
        ("表三", "READ_LIMIT", "warning"),
    }


def test_a_merged_range_of_a_million_cells_is_not_applied() -> None:
    def add(xml: str) -> str:
        return xml.replace("<mergeCells", '<mergeCells><mergeCell ref="AA1:AA1000000"/></mergeCells><mergeCells', 1)

    data = edit(seed_workbook(), sheet_xml("表三"), add)
    data = edit(data, sheet_xml("表三"), lambda x: re.sub(r"</mergeCells><mergeCells[^>]*>", "", x, count=1))
    report, issues = bounded(lambda: excel.read_report(data))
    assert report == gk.examples.seed_report()
    ((location, code, severity, message),) = [(p.location, p.code, p.severity, p.message) for p in issues]
    assert (location, code, severity) == ("表三!AA1", "READ_LIMIT", "warning")
    assert "AA1:AA1000000" in message


def test_merged_cells_count_against_their_own_limit() -> None:
    # The same workbook with a limit on merged cells smaller than its own merges: they are cut, and said so.
    report, issues = bounded(lambda: excel.read_report(seed_workbook(), limits=Limits(max_merged_cells=10)))
    assert report is not None
    assert "READ_LIMIT" in codes(issues)


def _template_total(formula: str, saved: str | None = None, cell_type: str = "") -> tuple[bytes, str, str]:
    """The filled template with one of 表三's totals replaced by ``formula`` (and a saved value)."""
    data = filled_template()
    xml = zipfile.ZipFile(io.BytesIO(data)).read(sheet_xml("表三")).decode()
    m = re.search(r'<c r="([A-Z]+[0-9]+)"[^>]*><f>(SUM\([^<]*\))</f>', xml)
    assert m is not None
    ref = m.group(1)
    t = f' t="{cell_type}"' if cell_type else ""
    v = f"<v>{saved}</v>" if saved is not None else "<v></v>"
    return (
        edit(data, sheet_xml("表三"), lambda x: set_cell(x, ref, f'<c r="{ref}"{t}><f>{formula}</f>{v}</c>')),
        ref,
        m.group(2),
    )


def test_a_template_total_over_the_whole_sheet_is_not_evaluated() -> None:
    data, ref, _ = _template_total("SUM(AA1:XFD1048576)")
    report, issues = bounded(lambda: excel.read_report(data))
    (problem,) = [p for p in issues if p.location == f"表三!{ref}"]
    assert (problem.code, problem.severity) == ("READ_LIMIT", "error")
    assert "left blank" in problem.message
    assert report is not None


def test_formula_budget_is_shared_by_all_formulas() -> None:
    data = filled_template()
    report, issues = bounded(lambda: excel.read_report(data, limits=Limits(max_formula_cells=20)))
    assert report is not None
    over = [p for p in issues if p.code == "READ_LIMIT"]
    assert over
    assert all(p.severity == "error" for p in over)


# --- damaged archives -------------------------------------------------------------------------


def _central(data: bytes, member: str) -> int:
    """Offset of ``member``'s entry in the central directory."""
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        n = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46 : at + 46 + n] == member.encode():
            return at
        at = data.find(b"PK\x01\x02", at + 4)
    raise AssertionError(member)


def _local(data: bytes, member: str) -> int:
    return int(struct.unpack_from("<I", data, _central(data, member) + 42)[0])


def _patch(data: bytes, offset: int, fmt: str, value: int) -> bytes:
    out = bytearray(data)
    struct.pack_into(fmt, out, offset, value)
    return bytes(out)


def corrupt_deflate() -> bytes:
    data = seed_workbook()
    start = _local(data, "xl/workbook.xml")
    n, extra = struct.unpack_from("<HH", data, start + 26)
    body = start + 30 + n + extra
    out = bytearray(data)
    out[body : body + 8] = b"\xff" * 8
    return bytes(out)


def negative_seek() -> bytes:
    data = seed_workbook()
    eocd = data.rfind(b"PK\x05\x06")
    offset = struct.unpack_from("<I", data, eocd + 16)[0]
    return _patch(data, eocd + 16, "<I", offset + 10**6)  # the directory claims to start later than it does


def unknown_method() -> bytes:
    data = seed_workbook()
    data = _patch(data, _central(data, "xl/workbook.xml") + 10, "<H", 97)
    return _patch(data, _local(data, "xl/workbook.xml") + 8, "<H", 97)


def encrypted() -> bytes:
    data = seed_workbook()
    data = _patch(data, _central(data, "xl/workbook.xml") + 8, "<H", 1)
    return _patch(data, _local(data, "xl/workbook.xml") + 6, "<H", 1)


def short_stream() -> bytes:
    """A member compressed with bzip2 whose stream is cut short inside its declared size."""
    src = zipfile.ZipFile(io.BytesIO(seed_workbook()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for item in src.infolist():
            method = zipfile.ZIP_BZIP2 if item.filename == "xl/workbook.xml" else zipfile.ZIP_DEFLATED
            z.writestr(item.filename, src.read(item.filename), compress_type=method)
    data = out.getvalue()
    start = _local(data, "xl/workbook.xml")
    n, extra = struct.unpack_from("<HH", data, start + 26)
    size = struct.unpack_from("<I", data, _central(data, "xl/workbook.xml") + 20)[0]
    body = start + 30 + n + extra
    cut = bytearray(data)
    cut[body + size // 2 : body + size] = b"\0" * (size - size // 2)  # the end of the stream never comes
    return bytes(cut)


@pytest.mark.parametrize(
    ("make", "foreign"),
    [
        (corrupt_deflate, zlib.error),
        (negative_seek, ValueError),
        (unknown_method, NotImplementedError),
        (short_stream, (EOFError, OSError)),
        (encrypted, RuntimeError),
    ],
    ids=["zlib.error", "negative seek", "NotImplementedError", "EOFError", "RuntimeError"],
)
def test_damaged_archives_give_the_library_error(make: Callable[[], bytes], foreign: Any) -> None:
    data = make()
    # The damage is real: zipfile itself fails on it with the foreign exception.
    with pytest.raises(foreign), zipfile.ZipFile(io.BytesIO(data)) as z:
        z.read("xl/workbook.xml")
    failure = bounded(lambda: excel.read_report(data))
    assert isinstance(failure, excel.ExcelError)
    assert failure.problems
    assert failure.problems[0].location.startswith("<workbook>")  # and the member at fault, when known
    assert failure.problems[0].code in ("READ_DAMAGED", "READ_REFUSED")  # bzip2 is refused before it is inflated
    got = read_xlsx(data)
    assert got.report is None
    assert got.problems
    assert not got.ok


# --- odd values: =A0, 1E+309, a boolean saved on a formula, a time in a count cell ---------------


def test_a_formula_naming_cell_a0_is_a_located_problem() -> None:
    data, ref, _ = _template_total("A0")
    report, issues = bounded(lambda: excel.read_report(data))
    (problem,) = [p for p in issues if p.location == f"表三!{ref}"]
    assert (problem.code, problem.severity) == ("READ_FORMULA", "error")
    assert "=A0" in problem.message
    assert report is not None


def test_a_formula_naming_cell_a0_with_a_saved_value_reads_the_saved_value() -> None:
    data, ref, _ = _template_total("A0", saved="5")
    got = bounded(lambda: read_xlsx(data))
    (path,) = [p for p, prov in got.provenance.items() if prov.place.cell == f"表三!{ref}"]
    assert got.provenance[path].formula
    assert gk.model.get_path(got.report, path) == 5


def test_a_saved_1e309_on_a_total_is_named_and_the_formula_read() -> None:
    data, ref, _ = _template_total_same("1E+309")
    report, issues = bounded(lambda: excel.read_report(data))
    (problem,) = [p for p in issues if p.location == f"表三!{ref}"]
    assert (problem.code, problem.severity) == ("READ_FORMULA", "warning")
    assert "1E+309" in problem.message
    assert tables(report) == tables(gk.examples.seed_report())


def _template_total_same(saved: str, cell_type: str = "") -> tuple[bytes, str, str]:
    data = filled_template()
    xml = zipfile.ZipFile(io.BytesIO(data)).read(sheet_xml("表三")).decode()
    m = re.search(r'<c r="([A-Z]+[0-9]+)"[^>]*><f>(SUM\([^<]*\))</f>', xml)
    assert m is not None
    return _template_total(m.group(2), saved, cell_type)


def test_a_saved_1e309_in_an_input_cell_is_refused() -> None:
    ref = place_of("table3.new_received.natural_person").split("!")[1]
    data = edit(seed_workbook(), sheet_xml("表三"), lambda x: set_cell(x, ref, f'<c r="{ref}"><v>1E+309</v></c>'))
    report, issues = bounded(lambda: excel.read_report(data))
    assert [(p.location, p.code, p.severity) for p in issues] == [(f"表三!{ref}", "READ_VALUE_REFUSED", "error")]
    assert report.table3.new_received.natural_person is None


def test_a_boolean_saved_on_a_formula_cell_is_named() -> None:
    data, ref, _ = _template_total_same("1", cell_type="b")
    report, issues = bounded(lambda: excel.read_report(data))
    (problem,) = [p for p in issues if p.location == f"表三!{ref}"]
    assert (problem.code, problem.severity) == ("READ_FORMULA", "warning")
    assert "TRUE" in problem.message
    assert tables(report) == tables(gk.examples.seed_report())


def test_a_boolean_saved_on_a_formula_that_cannot_be_computed_is_refused() -> None:
    data, ref, _ = _template_total("A0", saved="1", cell_type="b")
    report, issues = bounded(lambda: excel.read_report(data))
    (problem,) = [p for p in issues if p.location == f"表三!{ref}"]
    assert (problem.code, problem.severity) == ("READ_VALUE_REFUSED", "error")
    assert report is not None


def test_a_time_in_a_count_cell_is_one_located_problem() -> None:
    where = place_of("table3.new_received.natural_person")
    sheet, ref = where.split("!")
    wb = openpyxl.load_workbook(io.BytesIO(seed_workbook()))
    wb[sheet][ref].value = dt.time(12, 30)
    out = io.BytesIO()
    wb.save(out)
    report, issues = bounded(lambda: excel.read_report(out.getvalue()))
    assert [(p.location, p.code, p.severity) for p in issues] == [(where, "READ_VALUE_REFUSED", "error")]
    assert "12:30:00" in issues[0].message
    assert report.table3.new_received.natural_person is None
    assert report.table3.new_received.commercial == gk.examples.seed_report().table3.new_received.commercial


# --- writing: texts XML cannot carry, counts a spreadsheet number cannot hold --------------------


@pytest.mark.parametrize("bad", [chr(0xFFFE), chr(0xFFFF), chr(0xD800), chr(0xDFFF), "a" + chr(0xDC00) + "b"])
def test_write_refuses_text_xml_cannot_carry_with_the_field_named(bad: str) -> None:
    report = attrs.evolve(gk.examples.seed_report(), problems=f"问题{bad}", agency=f"机关{bad}")
    with pytest.raises(excel.ExcelError) as info:
        excel.write_report(report, io.BytesIO())
    assert [p.location for p in info.value.problems] == ["agency", "problems"]
    (char,) = [c for c in bad if c != "a" and c != "b"]
    assert all(f"U+{ord(char):04X}" in p.message for p in info.value.problems)
    with pytest.raises(excel.ExcelError):
        excel.write_template(io.BytesIO(), agency=f"机关{bad}", year=2024)


@pytest.mark.parametrize("count", [MAX_EXACT_INTEGER + 1, 10**20 + 7, 2**64 + 1])
def test_counts_beyond_2_53_are_written_exactly_as_text_and_read_back_with_a_warning(count: int) -> None:
    report = replace_path(gk.examples.seed_report(), "table3.new_received.natural_person", count)
    data = seed_workbook(report)
    where = place_of("table3.new_received.natural_person")
    sheet, ref = where.split("!")
    cell = openpyxl.load_workbook(io.BytesIO(data))[sheet][ref]
    assert (cell.value, cell.data_type) == (str(count), "s")  # exact, as text: never rounded
    back, issues = excel.read_report(data)
    assert back == report
    assert [(p.location, p.code, p.severity) for p in issues] == [(where, "READ_NUMBER_AS_TEXT", "warning")]


def test_a_count_of_2_53_is_still_a_number() -> None:
    report = replace_path(gk.examples.seed_report(), "table3.new_received.natural_person", MAX_EXACT_INTEGER)
    back, issues = excel.read_report(seed_workbook(report))
    assert back == report
    assert issues == []


# --- sources that are not regular files ------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "report.xlsx"
    os.mkfifo(fifo)
    failure = bounded(lambda: excel.read_report(fifo))
    assert isinstance(failure, excel.ExcelError)
    assert failure.problems[0].location == str(fifo)
    assert "not a regular file" in failure.problems[0].message
    got = bounded(lambda: read_xlsx(fifo))
    assert got.report is None
    assert "not a regular file" in got.problems[0].message


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero on this system")
def test_dev_zero_is_refused_quickly() -> None:
    failure = bounded(lambda: excel.read_report("/dev/zero"))
    assert isinstance(failure, excel.ExcelError)
    assert "not a regular file" in failure.problems[0].message


def test_problems_kept_are_bounded() -> None:
    data = seed_workbook()
    for ref in ("D5", "E5", "F5", "G5", "H5", "I5"):
        data = edit(data, sheet_xml("表三"), lambda x, r=ref: set_cell(x, r, f'<c r="{r}"><v>1E+309</v></c>'))
    report, issues = excel.read_report(data, limits=Limits(max_problems=3))
    assert len(issues) == 3
    assert issues[-1].code == "READ_LIMIT"
    assert "4 more problem(s)" in issues[-1].message
    assert issues[-1].severity == "error"
    assert report is not None
