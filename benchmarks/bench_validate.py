"""`validate` on a corpus, side by side with a hand-written loop that only sums the same numbers.

Run: python benchmarks/bench_validate.py [N]
"""

from __future__ import annotations

import sys
from typing import Any

from _data import corpus, timed

import gongkai_model as gk

COLUMNS = ("natural_person", "commercial", "research", "public_interest", "legal_services", "other")


def _leaves(results: Any) -> list[Any]:
    r = results
    o = r.other
    return [
        r.granted, r.partially_granted,
        r.denied.state_secret, r.denied.prohibited_by_law, r.denied.three_securities_one_stability,
        r.denied.third_party_rights, r.denied.internal_affairs, r.denied.process_information,
        r.denied.enforcement_file, r.denied.administrative_query,
        r.unable.not_held, r.unable.needs_creation, r.unable.unclear_after_correction,
        r.not_processed.petition_complaint, r.not_processed.repeated, r.not_processed.publication,
        r.not_processed.mass_repetitive, r.not_processed.confirm_or_reissue,
        o.no_correction, o.fee_unpaid, o.other,
    ]  # fmt: skip


def baseline(report: gk.AnnualReport) -> int:
    """The same 42 sums of a 2021 report, by hand: no blanks handling, no findings, no suggestions."""
    t3 = report.table3
    leaves = _leaves(t3.results)
    rows = [t3.new_received, t3.carried_over, *leaves, t3.results.total, t3.carried_forward]
    broken = 0
    for c in (*COLUMNS, "total"):
        a = getattr(t3.new_received, c) + getattr(t3.carried_over, c)
        b = getattr(t3.results.total, c) + getattr(t3.carried_forward, c)
        broken += a != b
        broken += getattr(t3.results.total, c) != sum(getattr(x, c) for x in leaves)
    for row in rows:
        broken += row.total != sum(getattr(row, c) for c in COLUMNS)
    t4 = report.table4
    for block in (t4.reconsideration, t4.litigation_direct, t4.litigation_after_review):
        broken += block.total != block.upheld + block.corrected + block.other + block.pending
    return broken


def run(n: int) -> list[tuple[str, float]]:
    reports = corpus(n)
    expected = sum(baseline(r) > 0 for r in reports)
    got = sum(not gk.validate(r).ok for r in reports)
    assert got == expected, (got, expected)  # both see the same broken reports
    return [
        ("hand-written loop (baseline)", timed(lambda: [baseline(r) for r in reports], gc_paused=True)),
        (
            "validate(r, suggestions=False)",
            timed(lambda: [gk.validate(r, suggestions=False) for r in reports], gc_paused=True),
        ),
        ("validate(r)", timed(lambda: [gk.validate(r) for r in reports], gc_paused=True)),
    ]


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    results = run(n)
    base = results[0][1]
    print(f"validate on {n} reports (10% with one wrong 表三 cell), best of 3, collector paused")
    print("| what | seconds | per report | ratio to baseline |")
    print("|---|---|---|---|")
    for name, secs in results:
        print(f"| {name} | {secs:.3f} | {secs / n * 1e6:.0f} µs | {secs / base:.1f}× |")


if __name__ == "__main__":
    main()
