"""Deterministic corpora for the benchmarks (no Hypothesis: plain `random` with a seed)."""

from __future__ import annotations

import functools
import gc
import json
import random
import re
import sys
import time
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs

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


def timed(
    fn: Callable[[], object],
    repeat: int = 3,
    number: int = 1,
    *,
    gc_paused: bool = False,
    clock: Callable[[], float] = time.perf_counter,
) -> float:
    """The best of ``repeat`` timings of ``number`` calls, per call, in seconds.

    With ``gc_paused``, the cyclic garbage collector is paused while each timing runs and a full
    collection is made before it, as :mod:`timeit` does: what is timed is the operation itself,
    not the collections that the objects kept by earlier calls bring about (``bench_batch.py``
    measures those). ``clock`` is wall time; ``time.process_time`` times the CPU this process used,
    which a busy machine disturbs far less (``bench_texts.py`` uses it).
    """
    best = float("inf")
    for _ in range(repeat):
        if gc_paused:
            gc.collect()
            gc.disable()
        try:
            start = clock()
            for _ in range(number):
                fn()
            best = min(best, (clock() - start) / number)
        finally:
            if gc_paused:
                gc.enable()
    return best


# --- Real cases and texts drawn from them (issue 19) ---------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "tests" / "data" / "cases"
#: The free-text parts a generated report's texts go into, with where each real sentence came from.
TEXT_PARTS = ("overview.text", "problems", "other_matters.text")
# Sentences as the checks cut them, each with its end mark kept so that the texts join back as printed.
_PIECE = re.compile(r"[^。！？!?；;\n]+[。！？!?；;\n]*|[。！？!?；;\n]+")


@attrs.frozen
class RealCase:
    """One real report of tests/data/cases: its figures only, and as read from its published form."""

    name: str
    figures: AnnualReport  #: built from the case's figures (no text)
    read: AnnualReport | None  #: read from the published form kept with it, texts included (None: none kept)
    source: Path | None  #: that published form


def _build(case: dict[str, Any]) -> AnnualReport:
    sys.path.insert(0, str(ROOT / "tests"))
    try:
        from cases import build  # the tests' own builder (tests/test_cases.py)
    finally:
        sys.path.remove(str(ROOT / "tests"))
    report: AnnualReport = build(case)
    return report


def read_case(path: Path, case: dict[str, Any]) -> AnnualReport | None:
    """The report read from a case's published form, as tests/test_importing.py reads it."""
    import gongkai_model as gk

    try:
        got = gk.read(path)
        if got.report is None and any(p.code == "READ_TITLE_MISSING" for p in got.problems):
            got = gk.read(path, agency=case["agency"], year=case["year"])  # a page of the tables only
    except gk.GongkaiError:  # e.g. the pdf extra is not installed
        return None
    return got.report


@functools.cache
def real_cases(*, pdf: bool = True) -> tuple[RealCase, ...]:
    """Every case of tests/data/cases, figures only and (where its published form is kept) read with its texts."""
    out = []
    for path in sorted(CASES.glob("*.json")):
        case = json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)  # as tests/conftest.py loads it
        raw = CASES / case["raw"] if case.get("raw") else None
        if raw is not None and raw.suffix == ".pdf" and not pdf:
            raw = None
        out.append(RealCase(path.stem, _build(case), read_case(raw, case) if raw else None, raw))
    return tuple(out)


def text_parts(report: AnnualReport) -> dict[str, str]:
    """The texts of ``report`` in the parts :data:`TEXT_PARTS` (overview.text gathers the overview's sub-texts)."""
    overview = report.overview
    subs = [getattr(overview, a.name) for a in attrs.fields(type(overview))] if overview is not None else []
    other = report.other_matters
    found = {
        "overview.text": "\n".join(t for t in subs if isinstance(t, str) and t.strip()),
        "problems": report.problems if isinstance(report.problems, str) else "",
        "other_matters.text": (other.text or "") if other is not None else "",
    }
    return {k: v for k, v in found.items() if v.strip()}


def sentence_pool(reports: Sequence[AnnualReport]) -> dict[str, tuple[str, ...]]:
    """Every sentence of the real texts (its end mark kept), by the part it was printed in."""
    pool: dict[str, list[str]] = {part: [] for part in TEXT_PARTS}
    for report in reports:
        for part, text in text_parts(report).items():
            pool[part].extend(p for p in _PIECE.findall(text) if p.strip())
    return {part: tuple(found) for part, found in pool.items()}


def with_texts(report: AnnualReport, texts: dict[str, str]) -> AnnualReport:
    """``report`` with these texts in the parts of :data:`TEXT_PARTS` (the other text fields left blank)."""
    from gongkai_model.model import OtherMatters, Overview

    overview = attrs.evolve(report.overview or Overview(), text=texts.get("overview.text"))
    other = attrs.evolve(report.other_matters or OtherMatters(), text=texts.get("other_matters.text"))
    return attrs.evolve(report, overview=overview, problems=texts.get("problems"), other_matters=other)


# A figure of a real sentence, not a year.
_FIGURE = re.compile(r"\d+(?![\d\s]*年)")


def drawn_texts(
    rng: random.Random, pool: dict[str, tuple[str, ...]], report: AnnualReport, scale: float = 1.0
) -> dict[str, str]:
    """Texts for ``report`` drawn from the real sentences of ``pool``, as long as a real report's times ``scale``.

    Each part gets real sentences of that part, in a random order, about as many as the real reports
    print there on average, each figure in them drawn anew (years kept), so that a long text repeats
    the real wordings but not the same sentences; ``overview.text`` also states two of the report's own
    figures the way the real reports do (收到 … 申请 N件, 办结 N件), one of them now and then off by a
    few (so that some texts disagree).
    """
    t3 = report.table3
    received = t3.new_received.total if t3.new_received.total is not None else 0
    handled = t3.results.total.total if t3.results.total.total is not None else 0
    if rng.random() < 0.2:
        received += rng.randint(1, 5)
    stated = [
        f"{report.year}年，本机关共收到政府信息公开申请{received}件。",
        f"全年共办结政府信息公开申请{handled}件，均已在法定期限内予以答复。",
    ]
    counts = {"overview.text": 28, "problems": 7, "other_matters.text": 1}
    out = {}
    for part in TEXT_PARTS:
        if not pool.get(part):
            continue
        chosen = [
            _FIGURE.sub(lambda m: str(rng.randint(1, 10 ** len(m.group()))), rng.choice(pool[part]))
            for _ in range(max(1, round(counts[part] * scale)))
        ]
        if part == "overview.text":
            for sentence in stated:
                chosen.insert(rng.randrange(len(chosen) + 1), sentence)
        out[part] = "".join(chosen)
    return out
