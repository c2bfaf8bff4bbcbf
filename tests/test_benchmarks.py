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


def test_memory_batch_and_the_runner_run() -> None:
    sys.path.insert(0, str(BENCH))
    try:
        import bench_batch
        import bench_memory
        import run_all

        memory = bench_memory.run(3)
        assert [name for name, _, _ in memory] == ["seed report (full text)", "generated report (no text)"]
        assert all(held > 0 and own > 0 for _, held, own in memory)
        assert [size for size, _, _ in bench_batch.loads_rows(100)] == [100]
        assert bench_batch.sizes(100_000) == [100, 1000, 10_000, 100_000]
        report = run_all.Report()
        run_all.records_section(report, 5, 1)  # asserts that records and loads give back the reports
        text = run_all.render(report, "test machine", "test load")
    finally:
        sys.path.remove(str(BENCH))
    assert text.startswith(run_all.START)
    assert text.endswith(run_all.END)
    assert "`from_records` vs `loads`" in text
