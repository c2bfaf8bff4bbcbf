"""The template's formulas, recalculated by a real spreadsheet engine (LibreOffice, headless)."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings

import gongkai_model as gk
from gongkai_model import excel
from gongkai_model.checks import identities
from gongkai_model.model import layout, replace_path, shape_of, values

from strategies import consistent_reports

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def recalculate(data: bytes, tmp: Path) -> bytes:
    """Have LibreOffice open the workbook, recalculate it and save it as .xlsx."""
    assert SOFFICE, "LibreOffice is needed for this test: apt-get install libreoffice-calc-nogui (.ci/run does)"
    src = tmp / "filled.xlsx"
    src.write_bytes(data)
    out = tmp / "out"
    subprocess.run(
        [SOFFICE, "--headless", "--norestore", f"-env:UserInstallation=file://{tmp}/profile",
         "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), str(src)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    return (out / "filled.xlsx").read_bytes()


def fill(report: gk.AnnualReport) -> bytes:
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
    for cell, value in zip(layout(shape), values(report), strict=True):
        name = f"gk.{cell.path}"
        if name in wb.defined_names:
            (sheet, ref), *_ = list(wb.defined_names[name].destinations)
            wb[sheet][ref.replace("$", "")].value = value if not isinstance(value, gk.Amount) else str(value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def check_column(data: bytes) -> list[str]:
    ws = openpyxl.load_workbook(io.BytesIO(data), data_only=True)["校验"]
    return [ws.cell(row=r, column=7).value for r in range(2, ws.max_row + 1)]


@settings(max_examples=3, deadline=None)
@given(report=consistent_reports())
def test_libreoffice_totals_and_checks_agree_with_validate(
    report: gk.AnnualReport, tmp_path_factory: pytest.TempPathFactory
) -> None:
    import attrs

    report = attrs.evolve(report, agency="测试区人民政府")
    tmp = tmp_path_factory.mktemp("lo")
    data = recalculate(fill(report), tmp)
    back, issues = excel.read_report(data)
    assert issues == []  # LibreOffice's saved totals agree with the inputs
    assert (back.table2, back.table3, back.table4) == (report.table2, report.table3, report.table4)
    assert gk.validate(back).ok
    assert set(check_column(data)) == {"平衡"}

    # Break the balance with one input: LibreOffice's check cells and validate name the same identities.
    broken = replace_path(
        report, "table3.carried_forward.natural_person", report.table3.carried_forward.natural_person + 7
    )
    data = recalculate(fill(broken), tmp_path_factory.mktemp("lo"))
    back, issues = excel.read_report(data)
    assert issues == []
    ids = identities(shape_of(report))
    red = {(ids[k].code, ids[k].row, ids[k].column) for k, v in enumerate(check_column(data)) if v == "不平衡"}
    found = {(f.code, f.row, f.column) for f in gk.validate(back).issues if f.severity is gk.Severity.INCONSISTENCY}
    assert red == found
    assert ("T3_BALANCE", None, "自然人") in found
