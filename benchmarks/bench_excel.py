"""`write_report` / `read_report` side by side with openpyxl: writing the same cells unstyled, and
the read-only load of the same workbook (every cell's value, no merges, no formulas computed).

Run: python benchmarks/bench_excel.py [N]
"""

from __future__ import annotations

import io
import sys

from _data import corpus, timed
from openpyxl import Workbook, load_workbook

import gongkai_model as gk
from gongkai_model import excel


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
    ours = [ours_write(r) for r in reports]
    assert all(excel.read_report(d)[0] == r for d, r in zip(ours[:5], reports[:5], strict=True))
    return [
        ("openpyxl write, same cells unstyled (baseline)", timed(lambda: [plain_write(r) for r in reports])),
        ("write_report", timed(lambda: [ours_write(r) for r in reports])),
        ("openpyxl read-only load of the same workbook (baseline)", timed(lambda: [readonly_read(d) for d in ours])),
        ("read_report", timed(lambda: [excel.read_report(d) for d in ours])),
        ("openpyxl full load of the same workbook (no reading)", timed(lambda: [plain_read(d) for d in ours])),
    ]


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    rows = run(n)
    print(f"Excel: {n} reports, best of 3")
    print("| what | seconds | per report | ratio to its baseline |")
    print("|---|---|---|---|")
    for i, (name, secs) in enumerate(rows):
        base = rows[min(i - i % 2, 2)][1]
        print(f"| {name} | {secs:.2f} | {secs / n * 1000:.1f} ms | {secs / base:.1f}× |")


if __name__ == "__main__":
    main()
