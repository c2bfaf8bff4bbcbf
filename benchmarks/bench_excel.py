"""`write_report` / `read_report` side by side with their baselines: xlsxwriter writing the same layout
by hand (the same sheets, labels, merges, styles, widths, row heights and print setup), openpyxl writing
the same cells unstyled, and openpyxl's read-only load of the same workbook (every cell's value, no merges,
no formulas computed).

Run: python benchmarks/bench_excel.py [N]
"""

from __future__ import annotations

import io
import sys

import xlsxwriter
from _data import corpus, timed
from openpyxl import Workbook, load_workbook

import gongkai_model as gk
from gongkai_model import excel
from gongkai_model.formats.xlsx._write import _text_fields
from gongkai_model.presentation import plans


def plain_write(report: gk.AnnualReport) -> bytes:
    """The baseline: the same 200 values, one row per table row, no labels, styles or merges."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    row, col, last = 0, 0, None
    for cell, value in zip(gk.model.layout(gk.model.shape_of(report)), gk.model.values(report), strict=True):
        if cell.row_info != last:
            row, col, last = row + 1, 0, cell.row_info
        col += 1
        ws.cell(row=row, column=col, value=value if not isinstance(value, gk.Amount) else str(value))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def xlsxwriter_write(report: gk.AnnualReport) -> bytes:
    """The target's baseline: xlsxwriter writing the same layout straight from the plans (the same sheets,
    labels, merged ranges, fonts, borders, wrapping, number formats, widths, a height per row and the print
    setup), with none of write_report's checks, text measuring or exactness rules."""
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    base = {"font_name": "SimSun", "font_size": 11, "text_wrap": True, "valign": "vcenter", "border": 1}
    left = wb.add_format({**base, "align": "left"})
    bold = wb.add_format({**base, "align": "center", "bold": True})
    title = wb.add_format({**base, "align": "center", "bold": True, "font_size": 14, "border": 0})
    count = wb.add_format({**base, "align": "center", "num_format": "0"})
    fmt = {"title": title, "header": bold, "group": bold, "note": bold, "row": left}
    shape = gk.model.shape_of(report)
    values = dict(zip((c.path for c in gk.model.layout(shape)), gk.model.values(report), strict=True))
    texts = _text_fields(report)
    cover = wb.add_worksheet("封面")
    cover.set_column(0, 0, 16)
    cover.set_column(1, 1, 60)
    cover.write_string(0, 0, report.TITLE, title)
    for k, (_, label, value) in enumerate(t for t in texts if "." not in t[0] and t[0] != "problems"):
        cover.write_string(k + 1, 0, label, bold)
        if value is None:
            cover.write_blank(k + 1, 1, None, left)
        elif isinstance(value, str):
            cover.write_string(k + 1, 1, value, left)
        else:
            cover.write(k + 1, 1, value, left)
    for plan in plans(shape):
        ws = wb.add_worksheet(plan.name)
        ws.set_column(0, plan.width - 1, 12)
        for label in plan.labels:
            if label.merged:
                ws.merge_range(
                    label.row - 1, label.col - 1, label.last_row - 1, label.last_col - 1, None, fmt[label.kind]
                )
            ws.write_string(label.row - 1, label.col - 1, label.text, fmt[label.kind])
        for v in plan.values:
            value = values[v.cell.path]
            if v.last_col > v.col:
                ws.merge_range(v.row - 1, v.col - 1, v.row - 1, v.last_col - 1, None, count)
            if value is None:
                ws.write_blank(v.row - 1, v.col - 1, None, count)
            elif isinstance(value, gk.Amount):
                ws.write_string(v.row - 1, v.col - 1, str(value), count)
            else:
                ws.write_number(v.row - 1, v.col - 1, value, count)
        for r in range(max(v.row for v in plan.values)):
            ws.set_row(r, 20)
        ws.set_paper(9)
        ws.set_landscape()
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(0, 3)
    body = wb.add_worksheet("正文")
    body.set_column(2, 2, 150)
    for k, (path, label, value) in enumerate(t for t in texts if "." in t[0] or t[0] == "problems"):
        body.write_string(k, 0, path, bold)
        body.write_string(k, 1, label, bold)
        if isinstance(value, str):
            body.write_string(k, 2, value, left)
        else:
            body.write(k, 2, value, left)
        body.set_row(k, 40)
    wb.close()
    return out.getvalue()


def plain_read(data: bytes) -> list[object]:
    wb = load_workbook(io.BytesIO(data))
    return [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row]


def readonly_read(data: bytes) -> list[object]:
    """openpyxl's read-only load of the same file: every cell's value, no merges, no formulas computed."""
    wb = load_workbook(io.BytesIO(data), read_only=True)
    out = [c for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row]
    wb.close()
    return out


def ours_write(report: gk.AnnualReport) -> bytes:
    out = io.BytesIO()
    excel.write_report(report, out)
    return out.getvalue()


def run(n: int) -> list[tuple[str, float]]:
    reports = corpus(n, broken_share=0.0)
    seeds = [gk.examples.seed_report()] * n  # 正文 with long texts (one spread over merged rows)
    ours = [ours_write(r) for r in reports]
    assert all(excel.read_report(d)[0] == r for d, r in zip(ours[:5], reports[:5], strict=True))
    return [
        ("xlsxwriter writing the same layout (baseline)", timed(lambda: [xlsxwriter_write(r) for r in reports])),
        ("write_report", timed(lambda: [ours_write(r) for r in reports])),
        ("openpyxl writing the same cells unstyled", timed(lambda: [plain_write(r) for r in reports])),
        (
            "xlsxwriter, the same layout of the seed report with its texts (baseline)",
            timed(lambda: [xlsxwriter_write(r) for r in seeds]),
        ),
        ("write_report, the seed report with its texts", timed(lambda: [ours_write(r) for r in seeds])),
        ("openpyxl read-only load of the same workbook (baseline)", timed(lambda: [readonly_read(d) for d in ours])),
        ("read_report", timed(lambda: [excel.read_report(d) for d in ours])),
        ("openpyxl full load of the same workbook (no reading)", timed(lambda: [plain_read(d) for d in ours])),
    ]


#: For each row of run(), the row of its baseline.
BASELINE = (0, 0, 0, 3, 3, 5, 5, 5)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    rows = run(n)
    print(f"Excel: {n} reports, best of 3")
    print("| what | seconds | per report | ratio to its baseline |")
    print("|---|---|---|---|")
    for i, (name, secs) in enumerate(rows):
        base = rows[BASELINE[i]][1]
        print(f"| {name} | {secs:.2f} | {secs / n * 1000:.1f} ms | {secs / base:.1f}× |")


if __name__ == "__main__":
    main()
