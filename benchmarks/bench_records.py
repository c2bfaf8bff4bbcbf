"""`to_records` and `from_records`, side by side with their floors, in one run.

- `to_records` against building the same (table, row, column, value, path) tuples by hand from the
  layout (the floor: no record objects);
- `from_records` against `loads` of the same report's JSON document (the issue's target: within 2×).

Run: python benchmarks/bench_records.py [N]
"""

from __future__ import annotations

import sys
import time
from typing import Any

from _data import corpus, timed

import gongkai_model as gk
from gongkai_model.model import layout, shape_of, values


def plain_tuples(report: gk.AnnualReport) -> list[tuple[object, ...]]:
    """The floor: the same five fields per cell as plain tuples."""
    return [
        (c.table, c.row, c.column, v, c.path) for c, v in zip(layout(shape_of(report)), values(report), strict=True)
    ]


#: CPU time (the machine is shared), the best of 5, the collector paused.
_CPU: dict[str, Any] = {"gc_paused": True, "repeat": 5, "clock": time.process_time}


def run(n: int) -> list[tuple[str, float]]:
    reports = corpus(n, broken_share=0.0)
    recs = [gk.to_records(r) for r in reports]
    docs = [gk.dumps(r) for r in reports]
    rebuilt = [gk.from_records(x, agency=r.agency, year=r.year) for x, r in zip(recs, reports, strict=True)]
    assert rebuilt == reports
    assert [gk.loads(d) for d in docs] == reports
    pairs = list(zip(recs, reports, strict=True))
    return [
        ("plain tuples (floor of to_records)", timed(lambda: [plain_tuples(r) for r in reports], **_CPU)),
        ("to_records", timed(lambda: [gk.to_records(r) for r in reports], **_CPU)),
        ("loads (the target's baseline for from_records)", timed(lambda: [gk.loads(d) for d in docs], **_CPU)),
        (
            "from_records",
            timed(lambda: [gk.from_records(x, agency=r.agency, year=r.year) for x, r in pairs], **_CPU),
        ),
    ]


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    results = run(n)
    times = dict(results)
    print(f"records on {n} reports, CPU time, best of 5, collector paused")
    print("| what | per report | ratio |")
    print("|---|---|---|")
    floor = times["plain tuples (floor of to_records)"]
    base = times["loads (the target's baseline for from_records)"]
    for name, secs in results:
        ref = floor if name in ("to_records", "plain tuples (floor of to_records)") else base
        print(f"| {name} | {secs / n * 1e6:.0f} µs | {secs / ref:.2f}× |")


if __name__ == "__main__":
    main()
