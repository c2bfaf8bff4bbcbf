"""The benchmark scripts still run (on a tiny corpus; nothing is timed here)."""

from __future__ import annotations

import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"


def test_validate_benchmark_runs_and_agrees_with_its_baseline() -> None:
    sys.path.insert(0, str(BENCH))
    try:
        import bench_validate

        results = bench_validate.run(50)  # asserts that validate and the baseline see the same broken reports
    finally:
        sys.path.remove(str(BENCH))
    assert [name for name, _ in results] == [
        "hand-written loop (baseline)",
        "validate(r, suggestions=False)",
        "validate(r)",
    ]


def test_excel_benchmark_runs() -> None:
    sys.path.insert(0, str(BENCH))
    try:
        import bench_excel

        results = bench_excel.run(2)  # asserts that read_report gives back the reports written
    finally:
        sys.path.remove(str(BENCH))
    assert [name for name, _ in results][:2] == ["xlsxwriter writing the same layout (baseline)", "write_report"]
    assert len(results) == len(bench_excel.BASELINE) == 8
