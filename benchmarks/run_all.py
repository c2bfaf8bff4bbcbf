"""Run every benchmark and regenerate the tables of docs/performance.md (medians and ratios).

Run from a clone with the ``bench`` extra installed (``pip install -e '.[bench]'``):

    python benchmarks/run_all.py            # print the tables
    python benchmarks/run_all.py --write    # and put them into docs/performance.md
    python benchmarks/run_all.py --quick    # small sizes, for a first look (not for the docs)

Every ratio compares two timings taken in the same process, in turns, so that a busy machine
slows both alike; each timing is the median of ``--rounds`` rounds (each round the best of 3 of
its own). The Excel, HTML, frames and OCR benchmarks are run once each, as they print themselves
(the OCR one only with the ``[ocr]`` extra installed: without it, it prints why it was skipped).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DOC = HERE.parent / "docs" / "performance.md"
START = "<!-- benchmarks/run_all.py: start -->"
END = "<!-- benchmarks/run_all.py: end -->"
sys.path.insert(0, str(HERE))

import bench_batch  # noqa: E402
import bench_json  # noqa: E402
import bench_memory  # noqa: E402
import bench_records  # noqa: E402
import bench_texts  # noqa: E402
import bench_validate  # noqa: E402


def medians(run: Callable[[], Sequence[tuple[Any, ...]]], rounds: int) -> list[tuple[Any, ...]]:
    """``run()`` ``rounds`` times; each row with its numbers replaced by their medians over the rounds."""
    results = [run() for _ in range(rounds)]
    out = []
    for rows in zip(*results, strict=True):
        first = rows[0]
        out.append(
            tuple(
                statistics.median(r[k] for r in rows) if isinstance(first[k], float) else first[k]
                for k in range(len(first))
            )
        )
    return out


def machine() -> str:
    load = os.getloadavg() if hasattr(os, "getloadavg") else ("?", "?", "?")
    return (
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (1 / 5 / 15 min) when it started"
    )


class Report:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.targets: list[tuple[str, str, float, float, bool]] = []  # what, how, got, target, lower is better

    def table(self, title: str, head: Sequence[str], rows: list[Sequence[str]]) -> None:
        self.lines += [f"#### {title}", "", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        self.lines += ["| " + " | ".join(r) + " |" for r in rows]
        self.lines.append("")

    def target(self, what: str, how: str, got: float, limit: float) -> None:
        self.targets.append((what, how, got, limit, got <= limit))


def json_section(rep: Report, n: int, rounds: int) -> None:
    rows = medians(lambda: bench_json.run(n), rounds)
    ours = {what: (one, many) for what, label, one, many in rows if label == "gongkai_model"}
    table = []
    for what, label, one, many in rows:
        o1, om = ours[what]
        table.append([what, label, f"{one * 1e6:.1f} µs", f"{one / o1:.2f}", f"{many:.3f} s", f"{many / om:.2f}"])
    rep.table(
        f"JSON: one report in a tight loop (200 calls) and {n:,} reports",
        ["operation", "implementation", "one report", "ratio to ours", f"{n:,} reports", "ratio to ours"],
        table,
    )
    got = {(what, label): (one, many) for what, label, one, many in rows}
    for what in ("loads", "dumps"):
        ours1, oursm = got[(what, "gongkai_model")]
        floor1, floorm = got[(what, "orjson, plain dicts (floor)")]
        rep.target(f"`{what}` vs orjson, one report", "≤ 3×", ours1 / floor1, 3.0)
        rep.target(f"`{what}` vs orjson, {n:,} reports", "≤ 3×", oursm / floorm, 3.0)
    p1, pm = got[("loads", "pydantic v2 model")]
    rep.target("`loads` vs strict pydantic v2, one report", "< 1×", got[("loads", "gongkai_model")][0] / p1, 1.0)
    rep.target(f"`loads` vs strict pydantic v2, {n:,} reports", "< 1×", got[("loads", "gongkai_model")][1] / pm, 1.0)


def validate_section(rep: Report, n: int, rounds: int) -> None:
    rows = medians(lambda: bench_validate.run(n), rounds)
    base = rows[0][1]
    rep.table(
        f"`validate` on {n:,} reports (10 % with one wrong 表三 cell)",
        ["what", "per report", "ratio to the loop"],
        [[name, f"{secs / n * 1e6:.1f} µs", f"{secs / base:.2f}×"] for name, secs in rows],
    )
    rep.target("`validate(r, suggestions=False)` vs the hand-written loop", "≤ 1.5×", rows[1][1] / base, 1.5)
    rep.target("`validate(r)` vs the hand-written loop", "≤ 1.5×", rows[2][1] / base, 1.5)


def texts_section(rep: Report, n: int, rounds: int) -> None:
    """``validate`` and ``check`` on the real cases with their texts, and on reports with texts drawn from them."""
    rows = medians(lambda: bench_texts.real_rows(), rounds)
    table = []
    for name, loop, fig, text, full, chars in rows:
        shown = [f"{text * 1e6:.0f} µs", f"{text / fig:.2f}×", f"{full * 1e6:.0f} µs"] if text else ["—"] * 3
        table.append([name, f"{chars:,}", f"{loop * 1e6:.1f} µs", f"{fig * 1e6:.0f} µs", f"{fig / loop:.2f}×", *shown])
    rep.table(
        "`validate` on the real cases: figures only, and read from their published form with their texts",
        ["case", "text chars", "identity loop", "figures only", "ratio to the loop", "with texts",
         "ratio to figures only", "`validate(r)` with texts"],
        table,
    )  # fmt: skip
    with_text = [(text / fig, name) for name, _, fig, text, _, _ in rows if text]
    rep.target("`validate` with texts vs figures only, real cases (worst)", "≤ 2×", max(with_text)[0], 2.0)
    worst = max(fig / loop for _, loop, fig, _, _, _ in rows)
    rep.target("`validate` figures only vs the identity loop, real cases (worst)", "≤ 3×", worst, 3.0)
    checks = bench_texts.check_rows()
    rep.table(
        "`check` (read, then validate) on the real published forms (best of 3, run once)",
        ["case", "`read`", "`check`", "ratio"],
        [[name, f"{r * 1e3:.1f} ms", f"{c * 1e3:.1f} ms", f"{c / r:.3f}×"] for name, r, c in checks],
    )
    got = medians(lambda: bench_texts.corpus_rows(n), rounds)
    base = got[1][1]
    rep.table(
        f"`validate` on {n:,} generated reports, texts drawn from the real ones (suggestions=False)",
        ["what", "text chars per report", "per report", "ratio to the identity loop"],
        [[what, f"{chars:,.0f}", f"{secs * 1e6:.1f} µs", f"{secs / base:.2f}×"] for what, secs, chars in got],
    )
    plain, drawn = got[2][1], got[3][1]
    rep.target("`validate` with drawn texts vs without, generated reports", "≤ 2×", drawn / plain, 2.0)
    rep.target("`validate` without text vs the identity loop, generated reports", "≤ 3×", plain / base, 3.0)


def records_section(rep: Report, n: int, rounds: int) -> None:
    rows = dict(medians(lambda: bench_records.run(n), rounds))
    floor = rows["plain tuples (floor of to_records)"]
    base = rows["loads (the target's baseline for from_records)"]
    table = []
    for name, secs in rows.items():
        ref = floor if "tuples" in name or name == "to_records" else base
        table.append([name, f"{secs / n * 1e6:.1f} µs", f"{secs / ref:.2f}×"])
    rep.table(f"Records on {n:,} reports", ["what", "per report", "ratio"], table)
    rep.target("`from_records` vs `loads`", "≤ 2×", rows["from_records"] / base, 2.0)
    rep.target("`to_records` vs plain tuples", "≤ 2×", rows["to_records"] / floor, 2.0)


def memory_section(rep: Report, n: int, rounds: int) -> None:
    rows = medians(lambda: bench_memory.run(n), rounds)
    rep.table(
        f"Memory held per loaded report ({n:,} reports kept)",
        ["document", "held per report", "its own objects and strings", "ratio"],
        [[name, f"{held / 1024:.1f} KB", f"{own / 1024:.1f} KB", f"{held / own:.2f}×"] for name, held, own in rows],
    )
    for name, held, own in rows:
        rep.target(f"memory per loaded report, {name}", "≤ 1.5×", held / own, 1.5)


def batch_section(rep: Report, n: int, m: int) -> None:
    rows = bench_batch.loads_rows(n)
    loop0, many0 = rows[0][1], rows[0][2]
    rep.table(
        "`loads` over a batch, every report kept (median per report)",
        ["reports", "`loads` in a loop", "ratio to 10²", "`loads_many`", "ratio to 10²", "`loads_many` / loop"],
        [
            [
                f"{size:,}",
                f"{loop * 1e6:.1f} µs",
                f"{loop / loop0:.2f}×",
                f"{many * 1e6:.1f} µs",
                f"{many / many0:.2f}×",
                f"{many / loop:.2f}×",
            ]
            for size, loop, many in rows
        ],
    )
    rep.target(f"`loads_many` per report at {rows[-1][0]:,} vs at 10²", "≤ 1.2×", rows[-1][2] / many0, 1.2)
    got = bench_batch.check_many_rows(m)
    rep.table(
        f"`check_many` over {m:,} JSON files (median of 3, per file)",
        ["executor", "per file", "ratio to one core"],
        [[name, f"{secs * 1e6:.0f} µs", f"{secs / got[0][1]:.2f}×"] for name, secs in got],
    )
    sup = bench_batch.supervised_rows(m)
    rep.table(
        f"`check_many` over {m:,} JSON files on the library's own supervised pool (median of 3, per file)",
        ["executor", "per file", "ratio to one core"],
        [[name, f"{secs * 1e6:.0f} µs", f"{secs / sup[0][1]:.2f}×"] for name, secs in sup],
    )
    cpu = bench_batch.cpu_rows(m)
    rep.table(
        f"CPU time per file over {m:,} JSON files: this process and its workers (median of 3)",
        ["executor", "this process", "workers", "(this process + workers) / cores ÷ one core"],
        [
            [name, f"{mine * 1e6:.0f} µs", f"{workers * 1e6:.0f} µs", f"{(mine + workers) / cores / cpu[0][1]:.2f}×"]
            for (name, mine, workers), cores in zip(cpu, (1, 2, 2), strict=True)
        ],
    )
    rep.target(
        "`check_many` on 2 worker processes (ProcessPoolExecutor) vs one core", "≤ 0.6×", got[1][1] / got[0][1], 0.6
    )
    rep.target(
        "`check_many` on its supervised pool, workers=2 (the default), vs one core",
        "≤ 0.6×",
        sup[1][1] / sup[0][1],
        0.6,
    )
    rep.target(
        "`check_many`, supervised pool: CPU (this process + workers) / 2 vs one core", "≤ 0.6×",
        (cpu[1][1] + cpu[1][2]) / 2 / cpu[0][1], 0.6,
    )  # fmt: skip
    rep.target("the same work in two halves (summaries only) vs one core", "≤ 0.6×", got[2][1] / got[0][1], 0.6)


def others(rep: Report, quick: bool) -> None:
    """The benchmarks that print their own tables (Excel, HTML, frames, OCR), run once each.

    ``bench_ocr.py`` is optional: without the ``[ocr]`` extra it prints why it measured nothing."""
    for script, n in [("bench_excel.py", 5 if quick else 50), ("bench_html.py", 5 if quick else 50),
                      ("bench_frames.py", 20 if quick else 1000), ("bench_ocr.py", 1 if quick else 3)]:  # fmt: skip
        if not (HERE / script).exists():
            continue
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE.parent / "src"), *sys.path])}
        done = subprocess.run(
            [sys.executable, str(HERE / script), str(n)], capture_output=True, text=True, check=False, cwd=HERE, env=env
        )
        rep.lines += [f"#### `{script} {n}` (run once; its own output)", ""]
        if done.returncode == 0:
            rep.lines += [line for line in done.stdout.splitlines() if line.strip()]
        else:
            rep.lines.append(f"(did not run: {(done.stderr.strip().splitlines() or ['?'])[-1]})")
        rep.lines.append("")


def render(rep: Report, started: str, ended: str) -> str:
    head = [
        START,
        "",
        f"Generated by `python benchmarks/run_all.py --write` on {dt.date.today().isoformat()}.",
        f"Machine: {started}; {ended} when it ended. The machine was shared with other work while",
        "it ran: absolute times move with the load, so read the ratios (each measured side by side",
        "in one run).",
        "",
        "#### Targets (issues 8 and 19)",
        "",
        "| target | wanted | measured | met |",
        "|---|---|---|---|",
    ]
    head += [f"| {what} | {how} | {got:.2f}× | {'yes' if ok else '**no**'} |" for what, how, got, _, ok in rep.targets]
    return "\n".join([*head, "", *rep.lines, END])


def main(argv: Sequence[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--write", action="store_true", help="put the tables into docs/performance.md")
    parser.add_argument("--quick", action="store_true", help="small sizes (not for the docs)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per timing (the median is kept)")
    parser.add_argument("--no-others", action="store_true", help="skip the Excel, HTML, frames and OCR benchmarks")
    args = parser.parse_args(argv)
    quick = args.quick
    started = machine()
    rep = Report()
    json_section(rep, 200 if quick else 10_000, args.rounds)
    validate_section(rep, 200 if quick else 2000, args.rounds)
    texts_section(rep, 100 if quick else 1000, args.rounds)
    records_section(rep, 100 if quick else 1000, args.rounds)
    memory_section(rep, 100 if quick else 1000, args.rounds)
    batch_section(rep, 1000 if quick else 100_000, 40 if quick else 1000)
    if not args.no_others:
        others(rep, quick)
    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    text = render(rep, started, f"load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}")
    print(text)
    if args.write:
        doc = DOC.read_text(encoding="utf-8")
        if START in doc and END in doc:
            doc = doc[: doc.index(START)] + text + doc[doc.index(END) + len(END) :]
        else:
            doc = doc.rstrip("\n") + "\n\n## Measured tables\n\n" + text + "\n"
        DOC.write_text(doc, encoding="utf-8")
    return text


if __name__ == "__main__":
    main()
