"""`read_text` side by side with a decode-and-split of the same file, and with `read_html` of the same reports.

The copies are the reports of the benchmark corpus rendered by ``render_text`` (one table row per
line, cells after tabs), the same copies flattened as a crawler prints them (each table row on one
line, cells separated by spaces) and the project's real plain-text copy. The baseline decodes each
file and splits it into lines, nothing more; ``parse_text`` is the reader's own part (lines, blocks,
tables into grids), ``read_text`` adds the shared core (locating every cell by its labels, parsing
every figure, building the report). ``read_html`` reads the same reports rendered by
``render_html`` (issue 19's target: ``read_text`` at most ``read_html`` per report). CPU time
(``time.process_time``), best of 5 rounds taken in turns.

Run: python benchmarks/bench_text.py [N]
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

from _data import corpus, timed

from gongkai_model.formats.html import read_html, render_html
from gongkai_model.formats.text import parse_text, read_text, render_text

CASES = Path(__file__).resolve().parents[1] / "tests" / "data" / "cases"
REAL = CASES / "seed-xicheng-xinfang-2023.txt"


def flatten(text: str) -> str:
    """Each table row of a rendered copy on one line, its cells separated by a space (blank cells as ``/``)."""
    out = []
    for line in text.split("\n"):
        if line.startswith("\t"):
            out.append(" ".join(c or "/" for c in line[1:].split("\t")))
        else:
            out.append(line)
    return "\n".join(out)


def decode_and_split(data: bytes) -> object:
    """The baseline: the file decoded and split into lines, nothing more."""
    return data.decode("utf-8").splitlines()


def _interleaved(*fns: Callable[[], object], rounds: int = 5, number: int = 1) -> list[float]:
    best = [float("inf")] * len(fns)
    for _ in range(rounds):
        for i, fn in enumerate(fns):
            best[i] = min(best[i], timed(fn, repeat=1, number=number, clock=time.process_time))
    return best


def run(n: int) -> list[tuple[str, int, float, float, float, float]]:
    """(copies, count, seconds per copy: decode-and-split, parse_text, read_text, read_html of the same reports)."""
    reports = corpus(n, broken_share=0.0)
    rendered = [render_text(r).encode() for r in reports]
    flat = [flatten(render_text(r)).encode() for r in reports]
    html = [render_html(r).encode() for r in reports]
    for data, report in zip(rendered[:3], reports, strict=False):
        got = read_text(data)
        assert got.report == report, got.summary()
    for data in flat[:3]:
        assert read_text(data).ok
    real = [REAL.read_bytes()]
    out = []
    for name, copies, pages in (
        ("render_text copies", rendered, html),
        ("the same copies flattened (spaces)", flat, html),
        ("the real plain-text copy", real, None),
    ):
        fns: list[Callable[[], object]] = [
            lambda c=copies: [decode_and_split(d) for d in c],
            lambda c=copies: [parse_text(d) for d in c],
            lambda c=copies: [read_text(d) for d in c],
        ]
        if pages is not None:
            fns.append(lambda p=pages: [read_html(d) for d in p])
        times = _interleaved(*fns, number=1 if len(copies) > 1 else max(1, n // 10))
        k = len(copies)
        html_time = times[3] / k if pages is not None else float("nan")
        out.append((name, k, times[0] / k, times[1] / k, times[2] / k, html_time))
    return out


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    rows = run(n)
    print(f"Plain text: {n} reports, CPU time per copy, best of 5 rounds taken in turns")
    print("| copies | decode + split | parse_text | read_text | read_text / decode+split | read_html | text / html |")
    print("|---|---|---|---|---|---|---|")
    for name, k, base, parse, read, html in rows:
        ratio_html = f"{read / html:.2f}×" if html == html else "—"
        html_ms = f"{html * 1e3:.2f} ms" if html == html else "—"
        print(
            f"| {name} ({k}) | {base * 1e3:.3f} ms | {parse * 1e3:.2f} ms | {read * 1e3:.2f} ms | "
            f"{read / base:.0f}× | {html_ms} | {ratio_html} |"
        )


if __name__ == "__main__":
    main()
