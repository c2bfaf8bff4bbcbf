"""``gk.read`` of a picture side by side with the OCR engine alone on the same picture (issue 20).

The pages are those of the real case huaian-hongze-qu-2024 (its published PDF), rendered with
pypdfium2 at 150 dpi and saved as PNG files. The baseline is the engine alone: RapidOCR's whole-page
pipeline (detection, direction, recognition: ``RapidOCR()(image)``) on the decoded page, the engine
built once beforehand with as many threads as the reader's engine (``OMP_NUM_THREADS``, which the
reader follows; 1 unless set). ``gk.read`` reads the PNG file: decoding, the ruling lines, recognition, the
grid, locating the cells, parsing the figures, building the report.

Every timing is CPU time (``time.process_time``, all the process's threads: the machine is shared,
and the engine's thread pool would make wall time depend on the cores free), the best of
``--rounds`` rounds taken in turns, the collector paused.

Without the ``[ocr]`` extra (the engine), or with a library that cannot read pictures yet, this says
so and measures nothing.

Run: python benchmarks/bench_ocr.py [N]   (N: the number of pages, 1 to 5; default 2)
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")  # the reader's engine follows it; the baseline is made alike

import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _data import timed
from _ocr_pages import CASES, PDF_CASE, render

import gongkai_model as gk

DPI = 150
#: The pages measured, in this order (page 3 holds most of 表三).
PAGES = [3, 1, 2, 4, 5]


def unavailable() -> str | None:
    """Why the benchmark cannot run (``None`` when it can)."""
    from gongkai_model.formats._ocr import ENGINE_MODULE, ocr_available

    if not ocr_available():
        return f"the OCR engine ({ENGINE_MODULE}, the [ocr] extra) is not installed"
    return None


def _reads_pictures(png: Path) -> str | None:
    got = gk.read(png)
    codes = {p.code for p in got.problems}
    if got.report is None or "READ_OCR_UNAVAILABLE" in codes:
        return f"gk.read does not read pictures here ({', '.join(sorted(c or 'READ' for c in codes)) or 'no report'})"
    return None


def run(n: int, rounds: int = 3) -> list[tuple[str, int, float, float]]:
    """(page, cells found, seconds of the engine alone, seconds of gk.read) per page, best of ``rounds``."""
    import numpy as np
    from rapidocr_onnxruntime import RapidOCR

    threads = int(os.environ["OMP_NUM_THREADS"]) if os.environ["OMP_NUM_THREADS"].isdigit() else 1
    engine = RapidOCR(intra_op_num_threads=threads, inter_op_num_threads=1)
    pdf = CASES / f"{PDF_CASE}.pdf"
    images = render(pdf, DPI)
    out = []
    with tempfile.TemporaryDirectory(prefix="gongkai-bench-ocr-") as tmp:
        for number in PAGES[: max(1, min(n, len(PAGES)))]:
            png = Path(tmp) / f"page{number}.png"
            images[number - 1].save(png, dpi=(DPI, DPI))
            why = _reads_pictures(png)
            if why is not None:
                raise RuntimeError(why)
            pixels = np.asarray(images[number - 1])
            found = len(gk.read(png).provenance)
            base, ours = _interleaved(lambda pixels=pixels: engine(pixels), lambda png=png: gk.read(png), rounds=rounds)
            out.append((f"page {number}", found, base, ours))
    return out


def _interleaved(*fns: Callable[[], Any], rounds: int) -> list[float]:
    best = [float("inf")] * len(fns)
    for _ in range(rounds):
        for i, fn in enumerate(fns):
            best[i] = min(best[i], timed(fn, repeat=1, number=1, gc_paused=True, clock=time.process_time))
    return best


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    why = unavailable()
    if why is not None:
        print(f"OCR: skipped: {why}")
        return
    try:
        rows = run(n)
    except RuntimeError as exc:
        print(f"OCR: skipped: {exc}")
        return
    print(f"OCR: {PDF_CASE} rendered at {DPI} dpi, one PNG a page; CPU time, best of 3 rounds taken in turns")
    print("| page | cells found | RapidOCR()(image) (baseline) | gk.read(png) | ratio to baseline |")
    print("|---|---|---|---|---|")
    for page, found, base, ours in rows:
        print(f"| {page} | {found} | {base:.2f} s | {ours:.2f} s | {ours / base:.2f}× |")
    base, ours, count = sum(r[2] for r in rows), sum(r[3] for r in rows), len(rows)
    print(f"| per page, {count} pages | | {base / count:.2f} s | {ours / count:.2f} s | {ours / base:.2f}× |")


if __name__ == "__main__":
    main()
