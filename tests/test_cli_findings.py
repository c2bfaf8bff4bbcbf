"""Findings people can act on: each item placed as its source is looked up, in Chinese or English, with the
best repairs under a failing file (``gongkai check``), and the workbook's 校验 sheet explaining its checks."""

from __future__ import annotations

import io
import json
from pathlib import Path

import attrs
import openpyxl
import pytest
from hypothesis import given, settings

import gongkai_model as gk
from gongkai_model import excel
from gongkai_model.checks import identities
from gongkai_model.cli import main
from gongkai_model.cli._check import default_lang
from gongkai_model.codes import CATALOGUE
from gongkai_model.errors import Place
from gongkai_model.formats.html import render_html
from gongkai_model.model import get_path, layout, replace_path, shape_of

from strategies import table_reports

#: The input the tests make wrong: 表三 （一）予以公开 × 自然人, at 表三!D7 in the official layout.
INPUT = "table3.results.granted.natural_person"


def _seed() -> gk.AnnualReport:
    return gk.examples.seed_report()


def _typed_wrong(target: Path) -> None:
    """A filled template (totals as formulas) whose input 表三!D7 was typed 5 too high: the balance breaks."""
    buffer = io.BytesIO()
    excel.write_template(buffer, draft=_seed())
    wb = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    assert wb["表三"]["J7"].value.startswith("=SUM(")  # the row total stays a formula
    wb["表三"]["D7"] = wb["表三"]["D7"].value + 5
    wb.save(target)


def _wrong_total() -> gk.AnnualReport:
    """The seed report with 表三 （一）予以公开 × 自然人 5 too high: its row and column totals break."""
    seed = _seed()
    return replace_path(seed, INPUT, get_path(seed, INPUT) + 5)


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(["check", *argv, "--jobs", "1"])
    return code, capsys.readouterr().out


def test_a_typed_input_in_a_template_shows_its_cell_chinese_text_and_repair(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _typed_wrong(tmp_path / "filled.xlsx")
    monkeypatch.chdir(tmp_path)
    code, out = _run(capsys, "filled.xlsx", "--lang", "zh")
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith(
        "inconsistent  filled.xlsx  北京市西城区信访办公室 2023（2021 年格式）  读入 200/200 个单元格"
    )
    assert lines[0].endswith(": 2 个不一致")
    # the balance of a column names the cells to look at, in the workbook's own addresses
    assert "    [T3_BALANCE] 不一致 表三!D5,D6,D28,D29（表三 自然人）：「自然人」列：" in out
    assert (
        "    建议 表三!D7（表三 （一）予以公开 × 自然人）由 5 改为 0，其公式计算的 3 个合计随之变化"
        "（可使 2 个勾稽关系成立）" in lines
    )
    assert sum(line.startswith("    建议 ") for line in lines) == 3  # three repairs the figures cannot tell apart

    code, out = _run(capsys, "filled.xlsx", "--lang", "en")
    assert code == 1
    assert "(2021 format)  200 of 200 cells read" in out
    assert out.splitlines()[0].endswith(": 2 inconsistency")
    assert "    [T3_BALANCE] inconsistency: 表三!D5,D6,D28,D29 (表三 自然人): column 自然人: " in out
    assert (
        "    suggest 表三!D7 (表三 （一）予以公开 × 自然人): 5 → 0, its 3 formula total(s) following "
        "(restores 2 identities)" in out.splitlines()
    )
    assert "建议" not in out
    assert "不一致" not in out


def test_suggestions_n_shows_that_many_and_says_how_many_more(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _typed_wrong(tmp_path / "filled.xlsx")
    monkeypatch.chdir(tmp_path)
    _, out = _run(capsys, "filled.xlsx", "--lang", "zh", "--suggestions", "1")
    assert sum(line.startswith("    建议 ") for line in out.splitlines()) == 1
    assert "    …… 另有 2 条建议（--suggestions N）" in out.splitlines()
    _, out = _run(capsys, "filled.xlsx", "--lang", "en", "--suggestions", "0")
    assert "suggest" not in out
    _, out = _run(capsys, "filled.xlsx", "--format", "json", "--suggestions", "2")
    (file,) = json.loads(out)["files"]
    assert len(file["suggestions"]) == 2
    assert file["suggestions_total"] == 3


def test_json_has_both_languages_and_the_places(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _typed_wrong(tmp_path / "filled.xlsx")
    gk.write(_seed(), tmp_path / "refused.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "refused.xlsx")
    wb["表三"]["D7"] = "约10"
    wb.save(tmp_path / "refused.xlsx")
    monkeypatch.chdir(tmp_path)
    code, out = _run(capsys, ".", "--format", "json", "--lang", "en")  # --lang changes no JSON
    assert code == 1
    files = {f["path"]: f for f in json.loads(out)["files"]}

    balance = files["filled.xlsx"]["findings"][0]
    assert balance["code"] == "T3_BALANCE"
    assert balance["path"] is None
    assert balance["where"] == balance["where_zh"] == "表三!D5,D6,D28,D29"
    assert balance["message"].startswith("column 自然人: ")
    assert balance["message_zh"].startswith("「自然人」列：")
    assert [c["cell"] for c in balance["cells"]] == ["表三!D5", "表三!D6", "表三!D28", "表三!D29"]
    repairs = files["filled.xlsx"]["suggestions"]
    best = next(s for s in repairs if s["changes"][0]["path"] == INPUT)
    assert best["rank"] == 1
    assert best["score"] == 2
    assert best["message_zh"].startswith("建议 表三!D7（表三 （一）予以公开 × 自然人）由 5 改为 0")
    assert best["message"].startswith("suggest 表三!D7 (表三 （一）予以公开 × 自然人): 5 → 0")
    first = best["changes"][0]
    assert (first["current"], first["proposed"], first["derived"]) == (5, 0, False)
    assert (first["at"], first["cell"], first["where"]) == ({"cell": "表三!D7"}, "表三!D7", "表三!D7")
    assert [c["derived"] for c in best["changes"]] == [False, True, True, True]  # the formula totals follow

    (problem,) = files["refused.xlsx"]["problems"]
    assert problem["code"] == "READ_VALUE_REFUSED"
    assert problem["at"] == {"cell": "表三!D7"}
    assert problem["where"] == problem["where_zh"] == "表三!D7"
    assert problem["title_zh"] == CATALOGUE["READ_VALUE_REFUSED"].zh
    assert problem["title"] == CATALOGUE["READ_VALUE_REFUSED"].en
    assert problem["message_zh"].startswith(CATALOGUE["READ_VALUE_REFUSED"].zh + "（not a figure")
    assert files["refused.xlsx"]["suggestions"] == []


def test_a_reading_problem_in_chinese_has_its_codes_meaning_and_its_cell(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    gk.write(_seed(), tmp_path / "refused.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "refused.xlsx")
    wb["表三"]["D7"] = "约10"
    wb.save(tmp_path / "refused.xlsx")
    monkeypatch.chdir(tmp_path)
    _, out = _run(capsys, "refused.xlsx", "--lang", "zh")
    assert (
        f"    [READ_VALUE_REFUSED] 错误 表三!D7（表三 （一）予以公开 × 自然人）：{CATALOGUE['READ_VALUE_REFUSED'].zh}"
        "（not a figure: '约10' (left blank)）" in out.splitlines()
    )
    assert out.splitlines()[0].endswith(": 1 个读取错误")
    _, out = _run(capsys, "refused.xlsx", "--lang", "en")
    assert (
        "    [READ_VALUE_REFUSED] error: 表三!D7 (表三 （一）予以公开 × 自然人): not a figure: '约10' (left blank)"
        in out.splitlines()
    )


def test_a_page_finding_shows_its_table_row_and_column(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "r.html").write_text(render_html(_wrong_total()), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    _, out = _run(capsys, "r.html", "--lang", "zh")
    assert "    [T3_ROW_TOTAL] 不一致 第 2 个表格 第 6 行 第 10 列（表三 （一）予以公开 × 总计）：" in out
    assert (
        "    建议 第 2 个表格 第 6 行 第 4 列（表三 （一）予以公开 × 自然人）由 5 改为 0（可使 2 个勾稽关系成立）"
        in out
    )
    _, out = _run(capsys, "r.html", "--lang", "en")
    assert "    [T3_ROW_TOTAL] inconsistency: table 2, row 6, column 10 (表三 （一）予以公开 × 总计): " in out
    assert "    suggest table 2, row 6, column 4 (表三 （一）予以公开 × 自然人): 5 → 0 (restores 2 identities)" in out


def test_a_pdf_finding_shows_its_page_table_row_and_column(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from test_read_pdf import render

    (tmp_path / "r.pdf").write_bytes(render(_wrong_total()))
    checked = gk.check(tmp_path / "r.pdf")
    place = checked.place_of(INPUT)
    assert place is not None
    assert None not in (place.page, place.table, place.row, place.column)
    monkeypatch.chdir(tmp_path)
    _, out = _run(capsys, "r.pdf", "--lang", "zh")
    zh = f"第 {place.page} 页 第 {place.table} 个表格 第 {place.row} 行 第 {place.column} 列"
    assert f"    建议 {zh}（表三 （一）予以公开 × 自然人）由 5 改为 0（可使 2 个勾稽关系成立）" in out.splitlines()
    assert "[T3_ROW_TOTAL] 不一致 第 " in out
    _, out = _run(capsys, "r.pdf", "--lang", "en")
    en = f"page {place.page}, table {place.table}, row {place.row}, column {place.column}"
    assert f"    suggest {en} (表三 （一）予以公开 × 自然人): 5 → 0 (restores 2 identities)" in out.splitlines()


def test_a_report_from_json_is_placed_in_the_official_workbook_layout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "r.json").write_text(gk.dumps(_wrong_total()), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    _, out = _run(capsys, "r.json", "--lang", "zh")
    assert "    [T3_ROW_TOTAL] 不一致 表三!J7（表三 （一）予以公开 × 总计）：" in out
    assert "    建议 表三!D7（表三 （一）予以公开 × 自然人）由 5 改为 0（可使 2 个勾稽关系成立）" in out.splitlines()
    # the same cell as the writer's: a workbook written from the report holds the figure there
    checked = gk.check(tmp_path / "r.json")
    assert checked.place_of(INPUT) is None
    assert checked.cell_of(INPUT) == "表三!D7"
    gk.write(_wrong_total(), tmp_path / "r.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "r.xlsx")["表三"]
    assert ws["D7"].value == get_path(_wrong_total(), INPUT)
    written = gk.check(tmp_path / "r.xlsx")
    assert {p: written.where(p) for p in written.imported.provenance} == {
        p: checked.cell_of(p) for p in written.imported.provenance
    }


def test_a_clean_file_shows_no_suggestion_and_the_default_language_follows_the_locale(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "bad.json").write_text(gk.dumps(_wrong_total()), encoding="utf-8")
    (tmp_path / "good.json").write_text(gk.dumps(_seed()), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    _, out = _run(capsys, "good.json", "bad.json")
    assert "suggest 表三!D7" in out
    assert "建议" not in out
    assert "ok            good.json  北京市西城区信访办公室 2023 (2021 format)  200 of 200" in out
    monkeypatch.setenv("LANG", "C.UTF-8")  # not clearly English: Chinese
    _, out = _run(capsys, "good.json", "bad.json")
    assert "建议 表三!D7" in out
    assert "suggest" not in out
    monkeypatch.setenv("LC_ALL", "en_GB")  # LC_ALL wins over LANG
    _, out = _run(capsys, "good.json")
    assert "(2021 format)" in out
    assert "建议" not in out
    assert "suggest" not in out


@pytest.mark.parametrize(
    ("environ", "lang"),
    [
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LANG": "zh_CN.UTF-8"}, "zh"),
        ({"LANG": "C"}, "zh"),
        ({"LANG": "POSIX"}, "zh"),
        ({"LC_ALL": "zh_CN.UTF-8", "LANG": "en_US.UTF-8"}, "zh"),
        ({"LC_MESSAGES": "en_US.UTF-8", "LANG": "zh_CN.UTF-8"}, "en"),
        ({"LC_ALL": "", "LANG": "en_US"}, "en"),
    ],
)
def test_default_lang(environ: dict[str, str], lang: str) -> None:
    assert default_lang(environ) == lang


@pytest.mark.parametrize("argv", [["--lang", "fr"], ["--suggestions", "-1"], ["--suggestions", "many"]])
def test_bad_lang_or_suggestions_is_a_usage_error(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["check", ".", *argv])
    assert exc.value.code == 2
    capsys.readouterr()


def test_place_describe() -> None:
    assert Place("a.pdf", page=2, table=1, row=5, column=3).describe() == "第 2 页 第 1 个表格 第 5 行 第 3 列"
    assert Place("a.pdf", page=2, table=1, row=5, column=3).describe("en") == "page 2, table 1, row 5, column 3"
    assert Place("a.md", table=2, row=6, column=10, line=51).describe("en") == "table 2, row 6, column 10"
    assert Place("a.pdf", page=4, line=12).describe() == "第 4 页 第 12 行"
    assert Place("a.xlsx", cell="表四!E5").describe("en") == "表四!E5"
    assert Place("a.json").describe() == ""


def test_the_check_sheet_explains_each_check_in_chinese_and_names_its_cells() -> None:
    buffer = io.BytesIO()
    excel.write_template(buffer, agency="某区人民政府", year=2024)
    wb = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    ws = wb["校验"]
    header = [c.value for c in ws[1]]
    assert header[:9] == ["检查", "说明", "表", "行", "列", "左边", "右边", "结果", "单元格"]
    assert header[9] == "汇总"  # the summary beside the checks (columns J:K), then the hidden status column
    ids = identities(shape_of(gk.AnnualReport.blank(agency="x", year=2024)))
    assert ws.max_row == len(ids) + 1
    rows = [r[:9] for r in ws.iter_rows(min_row=2, values_only=True)]
    for row, ident in zip(rows, ids, strict=True):
        assert row[0] == ident.code
        assert row[1] == CATALOGUE[ident.code].zh
        assert row[1]
        assert row[7] is not None
        assert row[7].startswith("=IF(")
    balance = next(r for r in rows if r[0] == "T3_BALANCE")  # its first column
    assert balance[1] == "表三勾稽关系：第一项加第二项之和等于第三项加第四项之和"
    assert balance[8] == "表三：D5 + D6 = D28 + D29"
    granted = next(r for r in rows if r[0] == "T3_ROW_TOTAL" and r[3] == "（一）予以公开")
    assert granted[8] == "表三：J7 = D7:I7"  # a run of adjacent cells as a range
    results = next(r for r in rows if r[0] == "T3_RESULTS_TOTAL")
    assert results[8] == "表三：D28 = D7:D27"
    assert results[5:7] == ("='表三'!D28", "=SUM('表三'!D7:D27)")
    # the cells text is a link to the first cell to look at, and both sides are formulas over the same cells
    k = rows.index(granted) + 2
    assert ws.cell(row=k, column=9).hyperlink.location == "'表三'!J7"
    assert ws.cell(row=k, column=6).value == "='表三'!J7"
    assert ws.cell(row=k, column=7).value == "=SUM('表三'!D7:I7)"
    assert balance[5:7] == ("='表三'!D5+'表三'!D6", "='表三'!D28+'表三'!D29")
    assert ws.protection.sheet
    # the workbook still reads as before: the 校验 sheet is no table
    back = gk.read(io.BytesIO(buffer.getvalue()), format="xlsx")
    assert back.report is not None
    assert back.report.agency == "某区人民政府"


@settings(max_examples=5)
@given(report=table_reports())
def test_the_layout_cell_of_every_figure_is_where_the_writer_puts_it(report: gk.AnnualReport) -> None:
    """``CheckedReport.cell_of`` (the JSON fallback) and the place read from a written workbook agree, for every
    shape (2019 and 2021, one or several （六） rows, with or without 小计)."""
    report = attrs.evolve(report, agency="某局")  # the figures are the point; any agency text a workbook holds
    buffer = io.BytesIO()
    excel.write_report(report, buffer)
    written = gk.check(buffer.getvalue(), format="xlsx")
    from_json = gk.check(gk.dumps(report).encode(), format="json")
    paths = [c.path for c in layout(shape_of(report))]
    assert {p: written.where(p) for p in paths} == {p: from_json.where(p) for p in paths}
    assert all(from_json.place_of(p) is None and from_json.cell_of(p) for p in paths)
