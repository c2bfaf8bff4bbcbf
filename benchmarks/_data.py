"""Deterministic corpora for the benchmarks (no Hypothesis: plain `random` with a seed)."""

from __future__ import annotations

import gc
import random
import time
from collections.abc import Callable

from gongkai_model import AnnualReport, from_records, to_records
from gongkai_model.model import field_specs, replace_path


def _row(rng: random.Random, cls: type, parts: dict[str, int] | None = None) -> dict[str, int]:
    values = {}
    for info in field_specs(cls):
        if info.spec.total is None:
            values[info.name] = parts[info.name] if parts else rng.choice((0, 0, 0, rng.randint(0, 40)))
    for info in field_specs(cls):
        if info.spec.total == "siblings":
            values[info.name] = sum(values.values())
    return values


def consistent_report(rng: random.Random, year: int = 2023) -> AnnualReport:
    """A 2021-format report whose identities all hold, with random figures."""
    from gongkai_model.model import ApplicantCounts, OutcomeCounts

    report = AnnualReport.blank(agency=f"机关{rng.randint(1, 10**6)}", year=year)
    recs = {r.path: r.value for r in to_records(report)}
    leaves = [p for p in {r.path.rsplit(".", 1)[0] for r in to_records(report)} if p.startswith("table3.results.")]
    leaves = [p for p in leaves if p != "table3.results.total"]
    sums: dict[str, int] = {}
    for path in leaves:
        for name, v in _row(rng, ApplicantCounts).items():
            recs[f"{path}.{name}"] = v
            sums[name] = sums.get(name, 0) + v
    forward = _row(rng, ApplicantCounts)
    parts = [k for k in forward if k != "total"]
    over = _row(rng, ApplicantCounts, {k: min(rng.randint(0, 10), sums[k] + forward[k]) for k in parts})
    new = _row(rng, ApplicantCounts, {k: sums[k] + forward[k] - over[k] for k in parts})
    for prefix, values in [
        ("table3.results.total", sums),
        ("table3.carried_forward", forward),
        ("table3.carried_over", over),
        ("table3.new_received", new),
    ]:
        for name, v in values.items():
            recs[f"{prefix}.{name}"] = v
    for block in ("reconsideration", "litigation_direct", "litigation_after_review"):
        for name, v in _row(rng, OutcomeCounts).items():
            recs[f"table4.{block}.{name}"] = v
    for r in to_records(report):
        if r.table == "二":
            recs[r.path] = rng.randint(0, 100) if r.column != "本年收费金额（单位：万元）" else None
    records = [{"table": r.table, "row": r.row, "column": r.column, "value": recs[r.path]} for r in to_records(report)]
    return from_records(records, agency=report.agency, year=year)


def corpus(n: int, *, broken_share: float = 0.1, seed: int = 20261126) -> list[AnnualReport]:
    """``n`` reports; a share of them with one wrong cell in 表三 (so that suggestions run)."""
    rng = random.Random(seed)
    base = [consistent_report(rng) for _ in range(min(n, 200))]
    out = []
    for i in range(n):
        report = base[i % len(base)]
        if rng.random() < broken_share:
            report = replace_path(report, "table3.results.granted.natural_person", rng.randint(50, 99))
        out.append(report)
    return out


def timed(fn: Callable[[], object], repeat: int = 3, number: int = 1, *, gc_paused: bool = False) -> float:
    """The best of ``repeat`` timings of ``number`` calls, per call, in seconds.

    With ``gc_paused``, the cyclic garbage collector is paused while each timing runs and a full
    collection is made before it, as :mod:`timeit` does: what is timed is the operation itself,
    not the collections that the objects kept by earlier calls bring about (``bench_batch.py``
    measures those).
    """
    best = float("inf")
    for _ in range(repeat):
        if gc_paused:
            gc.collect()
            gc.disable()
        try:
            start = time.perf_counter()
            for _ in range(number):
                fn()
            best = min(best, (time.perf_counter() - start) / number)
        finally:
            if gc_paused:
                gc.enable()
    return best
