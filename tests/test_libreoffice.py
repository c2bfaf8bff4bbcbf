"""The template's formulas, recalculated by a real spreadsheet engine (LibreOffice, headless)."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gongkai_model as gk
from gongkai_model import excel
from gongkai_model.checks import identities
from gongkai_model.model import Edition, Shape, get_path, layout, shape_of, values

from strategies import consistent_reports

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def recalculate(workbooks: dict[str, bytes], tmp: Path) -> dict[str, bytes]:
    """Have LibreOffice open every workbook, recalculate it and save it as .xlsx, in one run.

    (One start of LibreOffice costs seconds; converting several files in it costs little more.)
    """
    assert SOFFICE, "LibreOffice is needed for this test: apt-get install libreoffice-calc-nogui (.ci/run does)"
    sources = []
    for name, data in workbooks.items():
        src = tmp / f"{name}.xlsx"
        src.write_bytes(data)
        sources.append(str(src))
    out = tmp / "out"
    subprocess.run(
        [SOFFICE, "--headless", "--norestore", f"-env:UserInstallation=file://{tmp}/profile",
         "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), *sources],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    return {name: (out / f"{name}.xlsx").read_bytes() for name in workbooks}


def fill(report: gk.AnnualReport, *, broken: bool = False) -> list[bytes]:
    """The template filled with ``report``'s inputs; with ``broken``, also the same with one input off by 7."""
    shape = shape_of(report)
    buffer = io.BytesIO()
    excel.write_template(
        buffer,
        agency=report.agency,
        year=report.year,
        edition=shape.edition,
        single_other_row=shape.single_other_row,
        subtotal_column=shape.subtotal_column,
    )
    wb = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))

    def put(path: str, value: object) -> None:
        name = f"gk.{path}"
        if name in wb.defined_names:
            (sheet, ref), *_ = list(wb.defined_names[name].destinations)
            wb[sheet][ref.replace("$", "")].value = value if not isinstance(value, gk.Amount) else str(value)

    for cell, value in zip(layout(shape), values(report), strict=True):
        put(cell.path, value)
    saved = [io.BytesIO()]
    wb.save(saved[0])
    if broken:  # the balance of table 3 no longer holds
        assert f"gk.{BROKEN}" in wb.defined_names
        put(BROKEN, get_path(report, BROKEN) + 7)
        saved.append(io.BytesIO())
        wb.save(saved[1])
    return [out.getvalue() for out in saved]


def check_column(data: bytes) -> list[str]:
    ws = openpyxl.load_workbook(io.BytesIO(data), data_only=True, read_only=True)["校验"]
    return [row[0] for row in ws.iter_rows(min_row=2, min_col=8, max_col=8, values_only=True)]


#: Every shape of report: 2019 (one "other" row) and 2021 (one or several), with or without a subtotal.
SHAPES = [Shape(Edition.FORMAT_2019, True, sub) for sub in (False, True)] + [
    Shape(Edition.FORMAT_2021, single, sub) for single in (False, True) for sub in (False, True)
]


#: The input that the broken copy of each workbook has off by 7.
BROKEN = "table3.carried_forward.natural_person"


# One example of one report per shape, each filled as it is and broken: twelve workbooks recalculated
# by a single LibreOffice run (three examples of one random shape each took six runs, about 30 s).
@settings(max_examples=1, deadline=None)
@given(reports=st.tuples(*(consistent_reports(shape) for shape in SHAPES)))
def test_libreoffice_totals_and_checks_agree_with_validate(
    reports: tuple[gk.AnnualReport, ...], tmp_path_factory: pytest.TempPathFactory
) -> None:
    import attrs

    reports = tuple(attrs.evolve(report, agency="测试区人民政府") for report in reports)
    assert {shape_of(report) for report in reports} == set(SHAPES)
    workbooks = {}
    for k, report in enumerate(reports):
        workbooks[f"good{k}"], workbooks[f"broken{k}"] = fill(report, broken=True)
    saved = recalculate(workbooks, tmp_path_factory.mktemp("lo"))

    for k, report in enumerate(reports):
        data = saved[f"good{k}"]
        back, issues = excel.read_report(data)
        assert issues == []  # LibreOffice's saved totals agree with the inputs
        assert (back.table2, back.table3, back.table4) == (report.table2, report.table3, report.table4)
        assert gk.validate(back).ok
        assert set(check_column(data)) == {"平衡"}

        # Break the balance with one input: LibreOffice's check cells and validate name the same identities.
        data = saved[f"broken{k}"]
        back, issues = excel.read_report(data)
        assert issues == []
        ids = identities(shape_of(report))
        red = {(ids[i].code, ids[i].row, ids[i].column) for i, v in enumerate(check_column(data)) if v == "不平衡"}
        found = {(f.code, f.row, f.column) for f in gk.validate(back).issues if f.severity is gk.Severity.INCONSISTENCY}
        assert red == found
        assert ("T3_BALANCE", None, "自然人") in found


def test_libreoffice_check_sheet_summary_agrees_with_the_verdicts(tmp_path: Path) -> None:
    """The 校验 sheet's summary, recalculated: the same identities held, broken and not assessable as
    ``gk.check`` counts, and a conclusion that is never 平衡 for a blank or mostly blank report (issue 17)."""
    from test_verdicts import blank_template, filled_template, partly_filled, saved, with_applications

    typed_over = filled_template(with_applications())
    typed_over["表三"]["J7"] = 99  # a total typed over its formula
    workbooks = {
        "blank": blank_template(),
        "filled": saved(filled_template(with_applications())),
        "mostly_blank": saved(filled_template(partly_filled())),
        "typed_over": saved(typed_over),
    }
    recalculated = recalculate(workbooks, tmp_path)
    conclusions = {
        "blank": ("empty", "未填报"),
        "filled": ("ok", "平衡"),
        "mostly_blank": ("unassessed", "多数无法核对"),
        "typed_over": ("inconsistent", "不平衡"),
    }
    for name, data in recalculated.items():
        ws = openpyxl.load_workbook(io.BytesIO(data), data_only=True)["校验"]
        summary = {ws.cell(row=r, column=10).value: ws.cell(row=r, column=11).value for r in range(1, 10)}
        checked = gk.check(data, format="xlsx")
        tally = checked.tally
        assert tally is not None
        verdict, conclusion = conclusions[name]
        assert checked.verdict == verdict, name
        assert str(summary["结论"]).startswith(conclusion), (name, summary)
        assert summary["勾稽关系（项）"] == tally.identities, name
        assert (summary["其中成立"], summary["其中不成立"], summary["无法核对（有空白单元格）"]) == (
            tally.held,
            tally.broken,
            tally.not_assessable,
        ), (name, summary, tally)
        assert summary["已核对"] == tally.assessed, name
        if name != "typed_over":  # there, the typed total is a figure gk.check counts, the sheet not
            assert summary["已填报数字的单元格"] == tally.figures, (name, summary, tally)
        assert set(check_column(data)) <= {"平衡", "不平衡"}  # the checks' own column is unchanged
