"""Excel: official-layout workbooks, templates, reading back, hostile files."""

from __future__ import annotations

import io
import re
import time
import zipfile
from typing import Any

import attrs
import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gongkai_model as gk
from gongkai_model import excel
from gongkai_model.model import layout, replace_path, shape_of

from strategies import consistent_reports, reports


def roundtrip(report: gk.AnnualReport) -> tuple[gk.AnnualReport, list[gk.Problem]]:
    buffer = io.BytesIO()
    excel.write_report(report, buffer)
    return excel.read_report(buffer.getvalue())


def _cell_safe(report: gk.AnnualReport) -> gk.AnnualReport:
    """The report as a workbook can hold it: an empty text is a blank cell (documented in docs/excel.md)."""

    def fix(node: Any) -> Any:
        return attrs.evolve(node, **{f.name: None for f in attrs.fields(type(node)) if getattr(node, f.name) == ""})

    report = fix(report)
    return attrs.evolve(report, overview=fix(report.overview), other_matters=fix(report.other_matters))


def _strings(x: Any) -> list[str]:
    if isinstance(x, dict):
        return [s for v in x.values() for s in _strings(v)]
    return [x] if isinstance(x, str) else []


def _has_control_characters(report: gk.AnnualReport) -> bool:
    """Whether a text holds a character XML 1.0 cannot carry: a C0 control, a lone surrogate, U+FFFE, U+FFFF."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    texts = _strings(gk.jsonio.to_dict(report))
    return any(ILLEGAL_CHARACTERS_RE.search(t) or re.search("[\ud800-\udfff\ufffe\uffff]", t) for t in texts)


@settings(max_examples=60)
@given(reports())
def test_read_inverts_write(report: gk.AnnualReport) -> None:
    if _has_control_characters(report):
        with pytest.raises(excel.ExcelError, match="control character"):
            excel.write_report(report, io.BytesIO())
        return
    back, issues = roundtrip(report)
    assert issues == []
    assert back == _cell_safe(report)


def test_blanks_stay_blank_and_zeros_stay_zero() -> None:
    report = replace_path(gk.examples.seed_report(), "table3.new_received.research", None)
    buffer = io.BytesIO()
    excel.write_report(report, buffer)
    wb = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    values = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                values[(ws.title, c.coordinate)] = c.value
    ws = wb["表三"]
    labels = {ws.cell(row=r, column=c).value for r in range(1, 6) for c in range(1, 12)}
    assert "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）" in labels
    assert {"申请人情况", "自然人", "法人或其他组织", "商业企业", "总计"} <= labels
    assert roundtrip(report)[0].table3.new_received.research is None
    assert roundtrip(report)[0].table3.new_received.natural_person == 0


def test_layout_of_the_official_tables() -> None:
    buffer = io.BytesIO()
    excel.write_report(gk.examples.seed_report(), buffer)
    wb = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    assert wb.sheetnames == ["封面", "表二", "表三", "表四", "正文"]
    t3 = wb["表三"]
    merged = {str(r) for r in t3.merged_cells.ranges}
    assert "A2:C4" in merged  # the corner note over 3 label columns x 3 header rows
    assert "D2:J2" in merged  # 申请人情况 over the 7 data columns
    assert t3["A2"].value.startswith("（本列数据的勾稽关系为")
    t4 = wb["表四"]
    assert [t4.cell(row=2, column=c).value for c in (1, 6)] == ["行政复议", "行政诉讼"]
    assert int(t4.page_setup.paperSize) == int(t4.PAPERSIZE_A4)


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x")', "+1", "-1", "@SUM(A1)", "#N/A", "=1+1"])
def test_untrusted_text_never_becomes_a_formula_or_an_error(text: str) -> None:
    report = attrs.evolve(gk.examples.seed_report(), agency=text, problems=text)
    buffer = io.BytesIO()
    excel.write_report(report, buffer)
    wb = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.value == text:
                    assert c.data_type == "s"
    back, issues = excel.read_report(buffer.getvalue())
    assert (back.agency, back.problems) == (text, text)
    assert issues == []


def test_texts_longer_than_a_cell_are_refused_with_the_field_named() -> None:
    report = attrs.evolve(gk.examples.seed_report(), problems="字" * 40_000)
    with pytest.raises(excel.ExcelError) as info:
        excel.write_report(report, io.BytesIO())
    (problem,) = info.value.problems
    assert problem.location == "problems"
    assert "32767" in problem.message


def _template(**kwargs: Any) -> openpyxl.Workbook:
    buffer = io.BytesIO()
    excel.write_template(buffer, **kwargs)
    return openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))


def _fill(wb: openpyxl.Workbook, report: gk.AnnualReport) -> bytes:
    """Type every input cell of the template, as a person would, through its defined name."""
    for cell, value in zip(layout(shape_of(report)), gk.model.values(report), strict=True):
        name = f"gk.{cell.path}"
        if name not in wb.defined_names:
            continue  # a total: the template computes it
        (sheet, ref), *_ = list(wb.defined_names[name].destinations)
        wb[sheet][ref.replace("$", "")].value = value if not isinstance(value, gk.Amount) else str(value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@settings(max_examples=25)
@given(consistent_reports())
def test_a_filled_template_reads_back_to_the_same_report(report: gk.AnnualReport) -> None:
    shape = shape_of(report)
    report = attrs.evolve(report, agency="测试区人民政府")  # the agency is the template's, not the figures'
    wb = _template(
        agency=report.agency,
        year=report.year,
        edition=shape.edition,
        single_other_row=shape.single_other_row,
        subtotal_column=shape.subtotal_column,
    )
    back, issues = excel.read_report(_fill(wb, report))
    assert issues == []
    assert back.table2 == report.table2
    assert back.table3 == report.table3
    assert back.table4 == report.table4


def test_a_broken_input_is_named_by_read_and_validate() -> None:
    report = gk.examples.seed_report()
    wb = _template(agency=report.agency, year=report.year)
    broken = replace_path(report, "table3.carried_over.natural_person", 4)  # 一 + 二 no longer = 三 + 四
    back, issues = excel.read_report(_fill(wb, broken))
    assert issues == []
    result = gk.validate(back)
    assert not result.ok
    # The template computes 二's 总计 from the changed cell, so the balance breaks in both columns.
    findings = [f for f in result.issues if f.code == "T3_BALANCE"]
    assert {f.column for f in findings} == {"自然人", "总计"}
    assert all(f.difference == 4 for f in findings)
    natural = next(f for f in findings if f.column == "自然人")
    assert "table3.carried_over.natural_person" in {c.path for c in natural.cells}


def test_template_structure() -> None:
    wb = _template(agency="某区人民政府", year=2024)
    shape = shape_of(gk.AnnualReport.blank(agency="x", year=2024))
    t3 = wb["表三"]
    assert t3.protection.sheet
    total_name = wb.defined_names.get("gk.table3.results.granted.total")
    assert total_name is None  # totals are formulas, not inputs
    (sheet, ref), *_ = list(wb.defined_names["gk.table3.results.granted.natural_person"].destinations)
    cell = wb[sheet][ref.replace("$", "")]
    assert sheet == "表三"
    assert cell.protection.locked is False
    row = cell.row
    total = [c for c in t3[row] if isinstance(c.value, str) and c.value.startswith("=SUM(")]
    assert total
    assert t3.data_validations.dataValidation
    assert all(dv.showErrorMessage for dv in t3.data_validations.dataValidation)
    checks = wb["校验"]
    from gongkai_model.checks import identities

    assert checks.max_row == len(identities(shape)) + 1
    assert checks["H2"].value.startswith("=IF(")
    assert checks.conditional_formatting
    assert wb["封面"]["B2"].value == "某区人民政府"


@pytest.mark.parametrize("single", [True, False])
def test_template_shapes(single: bool) -> None:
    wb = _template(agency="x", year=2024, single_other_row=single, subtotal_column=True)
    back, issues = excel.read_report(_fill(wb, gk.AnnualReport.blank(agency="x", year=2024)))
    assert issues == []
    assert back.single_other_row is single
    assert back.table3.subtotal_column


# --- workbooks from other tools -------------------------------------------------------------


def _foreign() -> bytes:
    """A hand-made official-layout 表三 and 表四 on one sheet, shifted, with noisy labels."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Sheet1"
    ws["B3"] = "三、收到和处理政府信息公开申请情况"
    headers = ["自然\n人", "商业 企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总 计"]
    for j, h in enumerate(headers):
        ws.cell(row=5, column=5 + j, value=h)
    labels = [r.label for r in gk.model.rows(shape_of(gk.examples.seed_report())) if r.table == "三"]
    for i, label in enumerate(labels):
        ws.cell(row=6 + i, column=4, value=" " + label.replace("（", "(").replace("）", ")") + "\u3000")
        for j in range(7):
            ws.cell(row=6 + i, column=5 + j, value=0)
    ws.cell(row=6, column=5, value=3)
    ws.cell(row=6, column=11, value=3)
    ws.cell(row=7, column=5, value="五")  # text where a number belongs
    ws.cell(row=8, column=5, value=-2)  # a negative count
    ws.cell(row=9, column=5, value="4")  # a number stored as text
    ws.merge_cells(start_row=10, start_column=6, end_row=10, end_column=7)  # one cell over two figures
    top = 6 + len(labels) + 2
    ws.cell(row=top, column=2, value="行政复议")
    ws.merge_cells(start_row=top, start_column=2, end_row=top, end_column=6)
    for j, h in enumerate(["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]):
        ws.cell(row=top + 1, column=2 + j, value=h)
        ws.cell(row=top + 2, column=2 + j, value=j)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_foreign_workbook_is_read_by_its_labels_with_located_issues() -> None:
    report, issues = excel.read_report(_foreign(), agency="某局", year=2023)
    t3 = report.table3
    assert t3.new_received.natural_person == 3
    assert t3.new_received.total == 3
    assert report.table4.reconsideration.total == 4
    messages = {p.location: (p.code, p.severity, p.message) for p in issues}
    assert messages["Sheet1!E7"] == ("READ_VALUE_REFUSED", "error", "not a figure: '五' (left blank)")
    assert messages["Sheet1!E8"][:2] == ("READ_VALUE_REFUSED", "error")
    assert "cannot be negative" in messages["Sheet1!E8"][2]
    assert messages["Sheet1!E9"][:2] == ("READ_NUMBER_AS_TEXT", "warning")
    assert "number stored as text" in messages["Sheet1!E9"][2]
    # One merged cell (F10:G10) under two headers: neither figure is read, both are named at the row's label.
    merged = [p for p in issues if p.code == "READ_UNALIGNED"]
    assert {p.location for p in merged} == {"Sheet1!D10"}
    assert {p.label.split(" × ")[1] for p in merged} == {"商业企业", "科研机构"}
    assert all(p.severity == "error" for p in merged)
    assert t3.results.denied.state_secret.commercial is None
    assert t3.results.denied.state_secret.research is None
    assert t3.carried_over.natural_person is None
    assert t3.results.granted.natural_person is None
    assert t3.results.partially_granted.natural_person == 4
    missing = [p for p in issues if "not found" in p.message]
    # 表二 and the litigation blocks of 表四 are absent
    litigation = [r.label for r in gk.model.rows(shape_of(report)) if r.table == "四"][1:]
    assert {(p.code, p.label) for p in missing} == {("READ_TABLE_MISSING", "表二")} | {
        ("READ_ROW_MISSING", label) for label in litigation
    }
    assert all(p.severity == "error" for p in missing)


def test_missing_metadata_is_a_warning_naming_what_to_pass() -> None:
    # issue 16: the figures are read; the agency and year are unknown (None), a warning says so
    report, issues = excel.read_report(_foreign())
    assert (report.agency, report.year) == (None, None)
    [missing] = [p for p in issues if p.code == "READ_META_MISSING"]
    assert missing.severity == "warning"
    assert "pass agency=, year=" in missing.message


# --- hostile files ---------------------------------------------------------------------------


def _bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (300 * 1024 * 1024))
    return out.getvalue()


def _entity_bomb() -> bytes:
    buffer = io.BytesIO()
    excel.write_report(gk.examples.seed_report(), buffer)
    src = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    lol = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i else "&lol;" * 10}">' for i in range(9))
        + "]>"
    )
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/workbook.xml":
                text = data.decode("utf-8")
                text = text.split("?>", 1)[1] if text.startswith("<?xml") else text
                data = (lol + text.replace("<sheets>", "<sheets>&lol8;", 1)).encode("utf-8")
            z.writestr(item, data)
    return out.getvalue()


def _truncated() -> bytes:
    buffer = io.BytesIO()
    excel.write_report(gk.examples.seed_report(), buffer)
    return buffer.getvalue()[: len(buffer.getvalue()) // 2]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (_bomb, "workbook refused"),
        (_entity_bomb, "cannot read the workbook"),
        (lambda: b"this is not a workbook", "not a workbook"),
        (lambda: b"PK\x03\x04" + b"\0" * 100, "not a workbook"),
        (_truncated, "workbook"),
    ],
    ids=["zip bomb", "entity bomb", "not a zip", "fake zip header", "truncated"],
)
def test_hostile_workbooks_fail_fast_with_the_library_error(make: Any, message: str) -> None:
    data = make()
    start = time.perf_counter()
    with pytest.raises(excel.ExcelError) as info:
        excel.read_report(data)
    assert message in str(info.value)
    assert isinstance(info.value, gk.GongkaiError)
    assert time.perf_counter() - start < 30  # a generous bound: refused before anything is expanded


def test_size_limit_is_checked_before_parsing(tmp_path: Any) -> None:
    path = tmp_path / "big.xlsx"
    path.write_bytes(b"\0" * 2048)
    with pytest.raises(excel.ExcelError, match="too large"):
        excel.read_report(path, limits=excel.Limits(max_file_bytes=1024))
    with pytest.raises(excel.ExcelError, match="cannot read"):
        excel.read_report(tmp_path / "missing.xlsx")


@pytest.mark.parametrize(
    "text", ["a\rb", "a\r\nb", "_x000D_", "_x005F_x000D_", "x_x0041_y", "  padded  ", "_x0041_x0042_", "_\r_x000D_\r"]
)
def test_texts_survive_ooxml_escaping(text: str) -> None:
    report = attrs.evolve(gk.examples.seed_report(), problems=text, agency=text)
    back, _ = roundtrip(report)
    assert (back.problems, back.agency) == (text, text)


@given(st.text())
def test_ooxml_escaping_round_trips_any_text(text: str) -> None:
    from gongkai_model.formats.xlsx._safety import escape_text, unescape_text

    assert unescape_text(escape_text(text)) == text
    assert "\r" not in escape_text(text)


# --- fuzzing the reader: damaged workbooks give issues or ExcelError, never anything else -------

_CELL_VALUES = st.one_of(
    st.none(),
    st.integers(-(10**12), 10**12),
    st.floats(),
    st.booleans(),
    st.text(max_size=8),
    st.sampled_from(["=A1/0", "=SUM(B2:B3)", "=1+", "=Z99", "=B4+'表三'!D5", "五", "1,000", "-", "＝"]),
    st.dates(min_value=__import__("datetime").date(1900, 3, 1)),
)
_SEED_XLSX: list[bytes] = []


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["封面", "表二", "表三", "表四", "正文"]),
            st.integers(1, 35),
            st.integers(1, 12),
            _CELL_VALUES,
        ),
        max_size=12,
    ),
    st.booleans(),
)
def test_damaged_workbooks_give_issues_or_the_library_error(edits: list[Any], unmerge: bool) -> None:
    if not _SEED_XLSX:
        buffer = io.BytesIO()
        excel.write_report(gk.examples.seed_report(), buffer)
        _SEED_XLSX.append(buffer.getvalue())
    wb = openpyxl.load_workbook(io.BytesIO(_SEED_XLSX[0]))
    for sheet, r, c, v in edits:
        ws = wb[sheet]
        if unmerge and ws.merged_cells.ranges:
            ws.unmerge_cells(str(next(iter(ws.merged_cells.ranges))))
        try:
            ws.cell(row=r, column=c).value = v
        except Exception:  # openpyxl refuses it in memory (a merged cell, a control character)
            continue
    out = io.BytesIO()
    try:
        wb.save(out)
    except Exception:  # openpyxl cannot write every damage it accepts in memory; nothing to read then
        return
    failure: excel.ExcelError | None = None
    try:
        report, issues = excel.read_report(out.getvalue())
    except excel.ExcelError as exc:
        failure = exc
    if failure is not None:
        assert failure.problems
    else:
        assert isinstance(report, gk.AnnualReport)
        assert all(isinstance(p, gk.Problem) for p in issues)


def test_a_number_typed_into_a_text_cell_is_read_as_its_text_with_an_issue() -> None:
    # Regression (found by the fuzzer): this raised ModelError instead of giving an issue.
    buffer = io.BytesIO()
    excel.write_report(gk.examples.seed_report(), buffer)
    wb = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    wb["正文"]["C1"].value = 0
    out = io.BytesIO()
    wb.save(out)
    report, issues = excel.read_report(out.getvalue())
    assert report.overview.text == "0"
    assert [(p.location, p.message) for p in issues] == [("正文!C1", "a int where text belongs, read as the text '0'")]


@settings(max_examples=15)
@given(consistent_reports(), st.data())
def test_check_of_a_template_with_a_mistyped_input_suggests_the_input_alone(
    report: gk.AnnualReport, data: st.DataObject
) -> None:
    """End to end: the reader marks the template's formula cells, gk.check passes them to the repair search."""
    shape = shape_of(report)
    report = attrs.evolve(report, agency="测试区人民政府")
    wb = _template(
        agency=report.agency, year=report.year, edition=shape.edition,
        single_other_row=shape.single_other_row, subtotal_column=shape.subtotal_column,
    )  # fmt: skip
    inputs = [c for c in layout(shape) if c.table == "三" and f"gk.{c.path}" in wb.defined_names]
    typo = data.draw(st.sampled_from(inputs))
    was = gk.model.get_path(report, typo.path) or 0
    mistyped = replace_path(report, typo.path, was + data.draw(st.integers(1, 50)))
    checked = gk.check(_fill(wb, mistyped), format="xlsx")
    assert checked.imported.ok, checked.summary()
    assert any(p.formula for p in checked.imported.provenance.values())
    assert checked.validation is not None
    assert not checked.validation.ok
    best = checked.validation.best
    assert best
    for suggestion in best:
        typed = [c for c in suggestion.changes if not c.derived]
        assert len(typed) == 1
    assert any([(c.path, c.proposed) for c in s.changes if not c.derived] == [(typo.path, was)] for s in best)


@pytest.mark.parametrize("edition", ["2019", "2021"])
def test_template_input_messages_fit_the_edition(edition: str) -> None:
    """Issue 17: a 2021 template's data validation no longer speaks of 2019's 本年增/减 column."""
    buffer = io.BytesIO()
    gk.excel.write_template(buffer, agency="某县", year=2024, edition=edition)
    wb = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    messages = {dv.error for ws in wb.worksheets for dv in ws.data_validations.dataValidation}
    shape = gk.model.Shape(gk.Edition(edition), edition == "2019")
    signed = {c.column for c in gk.model.layout(shape) if c.kind is gk.model.Value.SIGNED}
    assert messages
    for message in messages:
        assert "负数" not in message or any(column in message for column in signed)
    assert bool(signed) == any("负数" in m for m in messages) == (edition == "2019")
