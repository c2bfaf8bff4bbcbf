"""`validate` before and after a change, side by side in one process (issue 19).

The library before the change is a copy of its source under another package name (its imports are
all relative), e.g.::

    mkdir -p /tmp/before && git archive cd232d2 src/gongkai_model | tar -x -C /tmp/before
    mv /tmp/before/src/gongkai_model /tmp/before/gk_before
    python benchmarks/compare_validate.py /tmp/before/gk_before [N] [ROUNDS] [CALLS]

Each report is moved to the old library through JSON (``dumps``, then its ``loads``), and the two
results are first compared field by field (every finding, check run, suggestion and the tally):
the change must give the same results. Then, in ``ROUNDS`` interleaved rounds (each the best of 3
timings of each side in turns, CPU time, collector paused), it times ``validate(r, suggestions=False)``
before and after and the identity loop of ``bench_texts.py``; medians over the rounds:

- the real cases, figures only (the ratio to the identity loop: the target is 3×);
- the real cases read with their texts (the ratio to the same case's figures only: the target is 2×);
- ``N`` generated reports (``bench_validate``'s corpus), figures only and with texts drawn from the
  real ones (``bench_texts.drawn``).

Two baselines for the figures only: the identity loop of ``bench_texts.py`` (it stops at an identity's
first blank and only counts the broken ones), and :func:`informed_loop`, a hand-written loop that gives
what ``validate``'s identity checks give: for each identity, that it holds, or is broken with its
difference, or cannot be assessed with the list of its blank members (like for like on a blank-heavy
report, where ``validate`` must name every blank of every unassessable identity).
"""

from __future__ import annotations

import enum
import functools
import gc
import importlib
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import attrs
from _data import real_cases
from bench_texts import drawn, identity_loop

import gongkai_model as gk
from gongkai_model.checks import identities
from gongkai_model.model import Shape, shape_of, values

CLOCK = time.process_time


@functools.cache
def _members(shape: Shape) -> tuple[tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]], ...]:
    return tuple((ident.lhs, ident.rhs, ident.members) for ident in identities(shape))


def informed_loop(report: gk.AnnualReport) -> list[tuple[str, object]]:
    """The second baseline: for each identity of the report's shape, ``("holds", None)``,
    ``("broken", difference)`` or ``("not assessable", [its blank members])``, in plain Python."""
    v = values(report)
    out: list[tuple[str, object]] = []
    for lhs, rhs, members in _members(shape_of(report)):
        blanks = []
        for i in members:
            if v[i] is None:
                blanks.append(i)
        if blanks:
            out.append(("not assessable", blanks))
            continue
        left = right = 0
        for i in lhs:
            left += v[i]
        for i in rhs:
            right += v[i]
        out.append(("holds", None) if left == right else ("broken", left - right))
    return out


def plain(obj: Any) -> Any:
    """``obj`` as plain data (attrs instances as their class name and fields), to compare two libraries' results."""
    if attrs.has(type(obj)):
        return (type(obj).__name__, tuple((a.name, plain(getattr(obj, a.name))) for a in attrs.fields(type(obj))))
    if isinstance(obj, enum.Enum):
        return obj.value
    if isinstance(obj, tuple | list):
        return tuple(plain(x) for x in obj)
    return obj


def _best(fn: Callable[[], object], number: int) -> float:
    gc.collect()
    gc.disable()
    try:
        best = float("inf")
        for _ in range(3):
            start = CLOCK()
            for _ in range(number):
                fn()
            best = min(best, (CLOCK() - start) / number)
        return best
    finally:
        gc.enable()


def main(argv: Sequence[str]) -> None:
    before_dir = Path(argv[0]).resolve()
    n = int(argv[1]) if len(argv) > 1 else 300
    rounds = int(argv[2]) if len(argv) > 2 else 7
    calls = int(argv[3]) if len(argv) > 3 else 40  # validations per timing of a real case (longer: steadier)
    sys.path.insert(0, str(before_dir.parent))
    old = importlib.import_module(before_dir.name)

    def to_old(report: gk.AnnualReport) -> Any:
        return old.jsonio.loads(gk.jsonio.dumps(report))

    def same(report: gk.AnnualReport, moved: Any) -> None:
        for options in ({"suggestions": False}, {}):
            new_result, old_result = gk.validate(report, **options), old.validate(moved, **options)
            assert plain(new_result) == plain(old_result), report.agency

    work: list[tuple[str, list[gk.AnnualReport]]] = []
    for case in real_cases():
        work.append((f"{case.name}, figures only", [case.figures]))
        if case.read is not None:
            work.append((f"{case.name}, with its texts", [case.read]))
    plain_reports, texts = drawn(n, 1)
    work.append((f"{n} generated reports, figures only", plain_reports))
    work.append((f"{n} generated reports, texts drawn from the real ones", texts))
    moved = {name: [to_old(r) for r in reports] for name, reports in work}
    for name, reports in work:
        for report, there in zip(reports, moved[name], strict=True):
            same(report, there)
    print(f"results identical before and after on {sum(len(r) for _, r in work)} reports")

    times: dict[str, dict[str, list[float]]] = {
        name: {"loop": [], "informed": [], "before": [], "after": []} for name, _ in work
    }
    for _ in range(rounds):
        for name, reports in work:
            number = max(1, calls // len(reports))
            there = moved[name]
            got = times[name]
            got["loop"].append(_best(lambda r=reports: [identity_loop(x) for x in r], number) / len(reports))
            got["informed"].append(_best(lambda r=reports: [informed_loop(x) for x in r], number) / len(reports))
            got["before"].append(
                _best(lambda r=there: [old.validate(x, suggestions=False) for x in r], number) / len(reports)
            )
            got["after"].append(
                _best(lambda r=reports: [gk.validate(x, suggestions=False) for x in r], number) / len(reports)
            )
    med = {name: {k: statistics.median(v) for k, v in got.items()} for name, got in times.items()}
    print(f"median of {rounds} interleaved rounds, CPU time per report, validate(r, suggestions=False)")
    print(
        "| reports | identity loop | informed loop | before | after | after ÷ before | before ÷ loop "
        "| after ÷ loop | before ÷ informed | after ÷ informed |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, m in med.items():
        print(
            f"| {name} | {m['loop'] * 1e6:.1f} µs | {m['informed'] * 1e6:.1f} µs | {m['before'] * 1e6:.0f} µs "
            f"| {m['after'] * 1e6:.0f} µs | {m['after'] / m['before']:.2f} | {m['before'] / m['loop']:.2f}× "
            f"| {m['after'] / m['loop']:.2f}× | {m['before'] / m['informed']:.2f}× "
            f"| {m['after'] / m['informed']:.2f}× |"
        )
    print()
    print("| with texts ÷ figures only | before | after |")
    print("|---|---|---|")
    pairs = [(f"{c.name}", f"{c.name}, with its texts", f"{c.name}, figures only") for c in real_cases() if c.read]
    pairs.append(
        (f"{n} generated reports", f"{n} generated reports, texts drawn from the real ones",
         f"{n} generated reports, figures only")
    )  # fmt: skip
    for label, text, figures in pairs:
        print(
            f"| {label} | {med[text]['before'] / med[figures]['before']:.2f}× "
            f"| {med[text]['after'] / med[figures]['after']:.2f}× |"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
