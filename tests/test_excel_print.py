"""Workbooks print as the report does: LibreOffice (headless) exports them to PDF, pdfplumber reads the PDF back.

For write_report and write_template, in the 2019 and the 2021 shapes: no two words' boxes overlap, every
statutory label of the layout (derived from the model, never typed here) appears whole in one table cell,
the tables fit the page width (表三 and 表四 landscape), and the header rows repeat on every page.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path
from typing import Any

import openpyxl
import pdfplumber
import pytest

import gongkai_model as gk
from gongkai_model import excel
from gongkai_model.formats.xlsx._write import FONT
from gongkai_model.model import Shape, shape_of
from gongkai_model.presentation import plans

from cases import build
from conftest import load_case

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def _report_2019() -> gk.AnnualReport:
    report = build(load_case("shanghai-shizhengfu-bangongting-2019"))
    assert shape_of(report).edition is gk.Edition.FORMAT_2019
    return report


def _template(**kwargs: Any) -> bytes:
    buffer = io.BytesIO()
    excel.write_template(buffer, agency="某区人民政府", **kwargs)
    return buffer.getvalue()


def _report(report: gk.AnnualReport) -> bytes:
    buffer = io.BytesIO()
    excel.write_report(report, buffer)
    return buffer.getvalue()


def _workbooks() -> dict[str, tuple[bytes, Shape]]:
    seed = gk.examples.seed_report()  # 2021, with long texts (正文 over several rows)
    old = _report_2019()
    out = {
        "report2021": (_report(seed), shape_of(seed)),
        "report2019": (_report(old), shape_of(old)),
    }
    for name, kwargs in {
        "template2021": {"year": 2022},
        "template2019": {"year": 2019, "edition": "2019"},
        "template2021sub": {"year": 2023, "subtotal_column": True, "single_other_row": True},
    }.items():
        data = _template(**kwargs)
        report, _ = excel.read_report(data)
        out[name] = (data, shape_of(report))
    return out


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, bytes, Shape]]:
    """Every workbook exported to PDF by one LibreOffice run (its own profile in a temporary folder)."""
    assert SOFFICE, "LibreOffice is needed for this test: apt-get install libreoffice-calc-nogui (.ci/run does)"
    fonts = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, timeout=60).stdout
    assert fonts.strip(), "a CJK font is needed to print Chinese: apt-get install fonts-noto-cjk (.ci/run does)"
    tmp = tmp_path_factory.mktemp("print")
    books = _workbooks()
    for name, (data, _) in books.items():
        (tmp / f"{name}.xlsx").write_bytes(data)
    subprocess.run(
        [SOFFICE, "--headless", "--norestore", f"-env:UserInstallation=file://{tmp}/profile",
         "--convert-to", "pdf", "--outdir", str(tmp / "pdf"), *(str(tmp / f"{n}.xlsx") for n in books)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    return {name: (tmp / "pdf" / f"{name}.pdf", data, shape) for name, (data, shape) in books.items()}


NAMES = ["report2021", "report2019", "template2021", "template2019", "template2021sub"]


def _squeeze(text: str) -> str:
    return "".join(text.split())


def _overlaps(words: list[dict[str, Any]], slack: float = 0.5) -> list[tuple[str, str]]:
    words = sorted(words, key=lambda w: w["x0"])
    out = []
    for i, a in enumerate(words):
        for b in words[i + 1 :]:
            if b["x0"] >= a["x1"] - slack:
                break
            if a["top"] < b["bottom"] - slack and b["top"] < a["bottom"] - slack:
                out.append((a["text"], b["text"]))
    return out


@pytest.mark.parametrize("name", NAMES)
def test_no_two_words_overlap_and_everything_is_on_the_page(
    name: str, pdfs: dict[str, tuple[Path, bytes, Shape]]
) -> None:
    path, _, _ = pdfs[name]
    with pdfplumber.open(path) as pdf:
        assert len(pdf.pages) >= 5  # 封面, 表二, 表三, 表四, 正文 (and a template's 校验)
        for number, page in enumerate(pdf.pages, start=1):
            words = page.extract_words()
            assert words, f"page {number} is empty"
            assert _overlaps(words) == [], f"page {number}"
            for w in words:  # fitted to the page width: nothing cut off at the right or the bottom
                assert w["x0"] >= 0, (number, w["text"])
                assert w["x1"] <= page.width, (number, w["text"])
                assert w["bottom"] <= page.height, (number, w["text"])


@pytest.mark.parametrize("name", NAMES)
def test_every_statutory_label_appears_whole_in_its_cell(name: str, pdfs: dict[str, tuple[Path, bytes, Shape]]) -> None:
    path, _, shape = pdfs[name]
    cells: set[str] = set()
    texts: list[str] = []
    landscape: dict[str, bool] = {}
    titles = {plan.title: plan for plan in plans(shape)}
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            text = page.extract_text()
            texts.append(_squeeze(text))
            for table in page.find_tables():
                for row in table.extract():
                    cells.update(_squeeze(c) for c in row if c)
            for title, plan in titles.items():
                if text.startswith(title):
                    landscape[plan.table] = page.width > page.height
    labels = [label for plan in plans(shape) for label in plan.labels if label.kind != "title"]
    assert len(labels) > 60
    missing = sorted({label.text for label in labels if _squeeze(label.text) not in cells})
    assert missing == []  # each label whole in one cell: never cut, never running into the next row
    for plan in plans(shape):  # the titles (without borders) start their pages
        assert any(t.startswith(_squeeze(plan.title)) for t in texts), plan.title
    assert landscape == {"二": False, "三": True, "四": True}


@pytest.mark.parametrize("name", NAMES)
def test_print_setup_names_a_cjk_font_wraps_and_repeats_headers(
    name: str, pdfs: dict[str, tuple[Path, bytes, Shape]]
) -> None:
    _, data, shape = pdfs[name]
    wb = openpyxl.load_workbook(io.BytesIO(data))
    for plan in plans(shape):
        ws = wb[plan.name]
        first_value_row = min(v.row for v in plan.values)
        assert ws.print_title_rows.replace("$", "") == ("1:1" if plan.table == "二" else f"1:{first_value_row - 1}")
        assert int(ws.page_setup.paperSize) == 9  # A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.page_setup.fitToWidth in (None, 1)  # 1 by default
        assert ws.page_setup.fitToHeight == 0
        for label in plan.labels:
            cell = ws.cell(row=label.row, column=label.col)
            assert cell.font.name == FONT
            assert cell.alignment.wrap_text
        for row in range(1, max(v.row for v in plan.values) + 1):
            assert ws.row_dimensions[row].height is not None


@pytest.mark.parametrize("width", [12.0, 22.0, 40.0])
def test_row_heights_come_from_the_text_and_the_column_width(width: float) -> None:
    from gongkai_model.formats.xlsx._write import _lines

    assert _lines("", width) == 1
    assert _lines("一", width) == 1
    per_line = int((width - 1.5) / 2.1 + 1e-9)  # CJK characters take about 2 units
    assert _lines("一" * per_line, width) == 1
    assert _lines("一" * (per_line + 1), width) == 2
    assert _lines("一" * per_line + "\n" + "二", width) == 2
    assert _lines("a" * (per_line * 2), width) <= _lines("一" * (per_line * 2), width)


def test_a_figure_written_as_exact_text_gets_a_row_tall_enough() -> None:
    from decimal import Decimal

    from gongkai_model.formats.xlsx._write import _sheets
    from gongkai_model.model import replace_path

    report = gk.examples.seed_report()
    money = [c for c in gk.model.layout(shape_of(report)) if c.kind is gk.model.Value.MONEY]
    path = money[0].path  # a money figure: written as exact text when a spreadsheet number cannot hold it
    digits = Decimal("1234567890" * 6 + ".25")  # over twice its (merged) cell's width: three lines
    plain, _, _ = _sheets(report)
    big, refs, _ = _sheets(replace_path(report, path, digits))
    sheet_name, ref = refs[path]
    sheet = next(s for s in big if s.name == sheet_name)
    row = int("".join(ch for ch in ref if ch.isdigit()))
    before = next(s for s in plain if s.name == sheet_name)
    assert sheet.heights[row] > before.heights[row]
    exact = Decimal("1234567890" * 3 + ".123456")  # what the reader takes back: exact text, read back exactly
    back, issues = excel.read_report(_report(replace_path(report, path, exact)))
    assert [(p.location, p.severity) for p in issues] == [(f"{sheet_name}!{ref}", "warning")]  # stored as text
    assert back == replace_path(report, path, exact)


@pytest.mark.parametrize("which", ["seed", "2019"])
def test_xlsxwriter_and_openpyxl_write_the_same_workbook(which: str) -> None:
    """write_report (xlsxwriter) and the openpyxl writer (templates, and reports whose texts xlsxwriter would
    escape ambiguously) write the same sheets: values, merged ranges, widths, heights, fonts, print setup."""
    from gongkai_model.formats.xlsx._write import _save, _sheets, _to_openpyxl

    report = gk.examples.seed_report() if which == "seed" else _report_2019()
    fast = openpyxl.load_workbook(io.BytesIO(_report(report)))
    buffer = io.BytesIO()
    _save(_to_openpyxl(_sheets(report)[0]), buffer)
    slow = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    assert fast.sheetnames == slow.sheetnames
    for a, b in zip(fast.worksheets, slow.worksheets, strict=True):
        cells_a = {(c.coordinate, c.value, c.font.name, c.font.b, c.alignment.wrap_text, c.number_format)
                   for row in a.iter_rows() for c in row if c.value is not None}  # fmt: skip
        cells_b = {(c.coordinate, c.value, c.font.name, c.font.b, c.alignment.wrap_text, c.number_format)
                   for row in b.iter_rows() for c in row if c.value is not None}  # fmt: skip
        assert cells_a == cells_b, a.title
        assert sorted(map(str, a.merged_cells.ranges)) == sorted(map(str, b.merged_cells.ranges))
        assert _widths(a) == _widths(b)
        assert {k: d.height for k, d in a.row_dimensions.items() if d.height} == {
            k: d.height for k, d in b.row_dimensions.items() if d.height
        }
        assert (a.page_setup.orientation, str(a.print_title_rows).replace("$", "")) == (
            b.page_setup.orientation,
            str(b.print_title_rows).replace("$", ""),
        )


def _widths(ws: Any) -> dict[int, float]:
    """Each column's width (a writer may store a run of equal columns as one range)."""
    return {c: round(d.width, 2) for d in ws.column_dimensions.values() if d.width for c in range(d.min, d.max + 1)}


@pytest.mark.parametrize("amount", ["0.0811", "0.30000000000000004", "123456.7", "1E+2"])
def test_money_is_written_exactly(amount: str) -> None:
    """Writers print numbers with 16 significant digits; a double that needs 17 (0.30000000000000004) is
    written as exact text (read back with a warning), never changed."""
    from decimal import Decimal

    from gongkai_model.model import replace_path

    report = gk.examples.seed_report()
    path = next(c.path for c in gk.model.layout(shape_of(report)) if c.kind is gk.model.Value.MONEY)
    changed = replace_path(report, path, Decimal(amount))
    back, issues = excel.read_report(_report(changed))
    assert back == changed
    as_text = len(Decimal(amount).as_tuple().digits) > 16
    assert [p.severity for p in issues] == (["warning"] if as_text else [])
