"""`validate` and `check` on real reports with their full texts, beside the same figures without text (issue 19).

Three benchmarks, each with its baseline timed side by side in the same run:

- **The real cases** (tests/data/cases, loaded as tests/test_cases.py loads them): each case's figures
  alone, and, where its published form is kept, the report read from it with all its texts. Baseline:
  a hand-written loop over the same identities (the cell values by the model's own getter, then each
  identity summed in plain Python, blanks skipped). Ratios: figures only / loop, with texts / figures only.
- **`check`** (read, then validate) on each kept published form. Baseline: ``read`` of the same file.
- **Generated reports whose texts are drawn from the real ones** (``_data.drawn_texts``): the benchmark
  corpus (10 % with one wrong 表三 cell), each report with texts of real sentences as long as a real
  report's, then 4× and 16× as long (the checks must stay linear in the text). Baselines: the
  same reports without text, the identity loop and the hand-written loop of ``bench_validate.py``.

Times are CPU time of the process (``time.process_time``), each the best of 3, collector paused. Beside the
ratios, the text's cost per 1,000 characters of text: the time of a validation with texts beyond the same
report's without, divided by the text's length.

Run: python benchmarks/bench_texts.py [N]

``--cost [BEFORE_DIR] [BURSTS]`` measures instead the text's cost alone (:func:`cost_rows`): validate of each
report with its texts and without, in alternating short bursts, for this library and, given BEFORE_DIR (a copy of
the library's source under another package name, as ``compare_validate.py`` takes it), the one before a change.
"""

from __future__ import annotations

import functools
import gc
import importlib
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from _data import corpus, drawn_texts, real_cases, sentence_pool, timed, with_texts
from bench_validate import baseline as loop_2021

import gongkai_model as gk
from gongkai_model.checks import identities
from gongkai_model.model import Shape, shape_of, values

#: The clock: the CPU time of this process, which a loaded machine disturbs far less than wall time does
#: (on the shared 2-core machine, wall times of the same run moved 2-3x with the other work).
CLOCK = time.process_time
#: How many validations one timing of a real case runs (each timing is the best of 3 of these).
CALLS = 40
#: The lengths of the drawn texts, in multiples of a real report's.
SCALES = (1, 4, 16)


@functools.cache
def _plan(shape: Shape) -> tuple[tuple[tuple[int, ...], tuple[int, ...]], ...]:
    return tuple((ident.lhs, ident.rhs) for ident in identities(shape))


def identity_loop(report: gk.AnnualReport) -> int:
    """The baseline: every identity of the report's shape summed by hand; how many are broken (blanks skipped)."""
    v = values(report)
    broken = 0
    for lhs, rhs in _plan(shape_of(report)):
        left = right = 0
        blank = False
        for i in lhs:
            x = v[i]
            if x is None:
                blank = True
                break
            left += x
        if blank:
            continue
        for i in rhs:
            x = v[i]
            if x is None:
                blank = True
                break
            right += x
        if not blank and left != right:
            broken += 1
    return broken


def _broken(report: gk.AnnualReport) -> int:
    """How many identities ``validate`` finds broken (what the loop counts)."""
    codes = {ident.code for ident in identities(shape_of(report))}
    found = gk.validate(report, suggestions=False).issues
    return sum(1 for f in found if f.code in codes and f.severity is gk.Severity.INCONSISTENCY)


def real_rows(calls: int = CALLS, repeat: int = 3) -> list[tuple[str, float, float, float | None, float | None, int]]:
    """Per real case: (name, loop, validate figures only, validate with texts, validate(r) with texts, text chars).

    Times are per report, in seconds, each the best of ``repeat`` timings of ``calls`` calls; ``validate``
    with ``suggestions=False`` except in the fifth column.
    """

    def time_of(fn: Callable[[], object]) -> float:
        return timed(fn, number=calls, repeat=repeat, gc_paused=True, clock=CLOCK)

    rows = []
    for case in real_cases():
        fig = case.figures
        assert _broken(fig) == identity_loop(fig), case.name
        loop = time_of(functools.partial(identity_loop, fig))
        figures = time_of(functools.partial(gk.validate, fig, suggestions=False))
        text = full = None
        chars = 0
        if case.read is not None:
            chars = sum(len(t) for t in _texts(case.read))
            text = time_of(functools.partial(gk.validate, case.read, suggestions=False))
            full = time_of(functools.partial(gk.validate, case.read))
        rows.append((case.name, loop, figures, text, full, chars))
    return rows


def _texts(report: gk.AnnualReport) -> list[str]:
    from gongkai_model.checks._text import section_texts

    return [t for _, t in section_texts(report)]


def check_rows(calls: int = 3, *, pdf: bool = True) -> list[tuple[str, float, float]]:
    """Per kept published form (``pdf=False``: but the PDF): (name, read, check), per file in seconds."""
    rows = []
    for case in real_cases():
        if case.read is None or case.source is None or (case.source.suffix == ".pdf" and not pdf):
            continue
        source = case.source
        options: dict[str, Any] = {}
        if gk.read(source).report is None:
            options = {"agency": case.figures.agency, "year": case.figures.year}
        assert gk.check(source, **options).report == case.read
        read = timed(lambda s=source, o=options: gk.read(s, **o), number=calls, gc_paused=True, clock=CLOCK)  # type: ignore[misc]
        check = timed(lambda s=source, o=options: gk.check(s, **o), number=calls, gc_paused=True, clock=CLOCK)  # type: ignore[misc]
        rows.append((case.name, read, check))
    return rows


def drawn(n: int, scale: float, seed: int = 20261207) -> tuple[list[gk.AnnualReport], list[gk.AnnualReport]]:
    """``n`` reports of the benchmark corpus without text, and the same with texts drawn from the real ones."""
    pool = sentence_pool([c.read for c in real_cases() if c.read is not None])
    rng = random.Random(seed)
    plain = corpus(n)
    return plain, [with_texts(r, drawn_texts(rng, pool, r, scale)) for r in plain]


def corpus_rows(n: int, scales: Sequence[float] = SCALES) -> list[tuple[str, float, float]]:
    """(what, seconds per report, text characters per report) on ``n`` generated reports."""

    def per_report(fn: Callable[[gk.AnnualReport], object], reports: list[gk.AnnualReport]) -> float:
        return timed(lambda: [fn(r) for r in reports], gc_paused=True, clock=CLOCK) / len(reports)

    def quick(r: gk.AnnualReport) -> object:
        return gk.validate(r, suggestions=False)

    plain, _ = drawn(n, 1)
    assert sum(identity_loop(r) > 0 for r in plain) == sum(loop_2021(r) > 0 for r in plain)
    rows = [
        ("bench_validate's hand-written loop", per_report(loop_2021, plain), 0.0),
        ("identity loop (baseline)", per_report(identity_loop, plain), 0.0),
        ("validate, no text", per_report(quick, plain), 0.0),
    ]
    for scale in scales:
        m = max(1, round(n / scale))  # as much text in all at every scale
        _, texts = drawn(m, scale)
        chars = sum(sum(len(t) for t in _texts(r)) for r in texts) / m
        rows.append((f"validate, texts drawn from the real ones ×{scale:g}", per_report(quick, texts), chars))
    return rows


def per_1000(seconds: float, chars: float) -> str:
    """What a validation's text costs per 1,000 characters of text: the time beyond the same report's without
    text, divided by its length (a measure that does not move with the figures-only validation's own cost)."""
    return f"{seconds / chars * 1e9:.1f} µs" if chars else "—"


def cost_rows(library: Any = gk, bursts: int = 150, n: int = 60) -> list[tuple[str, float, float, float]]:
    """(what, text chars per report, validate figures only, validate with texts) per report, in seconds.

    The two sides in alternating short bursts (about 10 validations each, CPU time, collector paused), the
    mean of the quickest quarter of the bursts: a machine whose load swings moves both sides of a pair alike.
    On the real cases read with their texts and on ``n`` generated reports with drawn texts; ``library`` is
    this library or another copy of it (the library before a change, as ``compare_validate.py`` loads it),
    given each report through JSON.
    """
    pairs = [(c.name, [c.figures], [c.read]) for c in real_cases() if c.read is not None and _texts(c.read)]
    plain, texts = drawn(n, 1)
    pairs.append((f"{n} generated reports, texts drawn from the real ones", plain, texts))
    rows = []
    gc.disable()
    try:
        for name, figures, with_texts_ in pairs:
            chars = sum(len(t) for r in with_texts_ for t in _texts(r)) / len(with_texts_)
            if library is not gk:
                figures, with_texts_ = (
                    [library.jsonio.loads(gk.jsonio.dumps(r)) for r in rs] for rs in (figures, with_texts_)
                )
            check = library.validate
            k = max(1, 10 // len(figures))
            a, b = [], []
            for _ in range(bursts):
                start = CLOCK()
                for _ in range(k):
                    for r in figures:
                        check(r, suggestions=False)
                middle = CLOCK()
                for _ in range(k):
                    for r in with_texts_:
                        check(r, suggestions=False)
                end = CLOCK()
                a.append((middle - start) / k / len(figures))
                b.append((end - middle) / k / len(with_texts_))
            quick = max(1, bursts // 4)
            rows.append((name, chars, statistics.mean(sorted(a)[:quick]), statistics.mean(sorted(b)[:quick])))
    finally:
        gc.enable()
    return rows


def _cost(argv: Sequence[str]) -> None:
    """``--cost [BEFORE_DIR] [BURSTS]``: the text's cost, this library (and the one in BEFORE_DIR) side by side."""
    libraries: dict[str, Any] = {"after": gk}
    if argv and not argv[0].isdigit():
        before = Path(argv[0]).resolve()
        sys.path.insert(0, str(before.parent))
        libraries = {"before": importlib.import_module(before.name), **libraries}
        argv = argv[1:]
    bursts = int(argv[0]) if argv else 150
    print(f"validate(r, suggestions=False): {bursts} alternating bursts, the quickest quarter, CPU time per report")
    print("| reports | text chars | library | figures only | with texts | ratio | text cost per 1,000 characters |")
    print("|---|---|---|---|---|---|---|")
    got = {label: cost_rows(lib, bursts) for label, lib in libraries.items()}
    for k, (name, chars, _, _) in enumerate(got["after"]):
        for label, rows in got.items():
            _, _, fig, text = rows[k]
            print(
                f"| {name} | {chars:,.0f} | {label} | {fig * 1e6:.0f} µs | {text * 1e6:.0f} µs | {text / fig:.2f}× "
                f"| {per_1000(text - fig, chars)} |"
            )


def main() -> None:
    if sys.argv[1:2] == ["--cost"]:
        _cost(sys.argv[2:])
        return
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    print(f"validate on the real cases ({CALLS} calls, best of 3, collector paused; suggestions=False)")
    print(
        "| case | text chars | identity loop | figures only | ratio to loop | with texts | ratio to figures only "
        "| text cost per 1,000 characters |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for name, loop, fig, text, _, chars in real_rows():
        shown = "— | — | —"
        if text is not None:
            shown = f"{text * 1e6:.0f} µs | {text / fig:.2f}× | {per_1000(text - fig, chars)}"
        print(f"| {name} | {chars} | {loop * 1e6:.1f} µs | {fig * 1e6:.0f} µs | {fig / loop:.2f}× | {shown} |")
    print()
    print("| case | read | check | check / read |")
    print("|---|---|---|---|")
    for name, read, check in check_rows():
        print(f"| {name} | {read * 1e3:.1f} ms | {check * 1e3:.1f} ms | {check / read:.3f}× |")
    print()
    print(f"{n} generated reports, texts drawn from the real ones")
    rows = corpus_rows(n)
    base = rows[1][1]
    no_text = rows[2][1]
    print("| what | text chars | per report | ratio to the identity loop | text cost per 1,000 characters |")
    print("|---|---|---|---|---|")
    for what, secs, per_report in rows:
        cost = per_1000(secs - no_text, per_report) if per_report else "—"
        print(f"| {what} | {per_report:.0f} | {secs * 1e6:.1f} µs | {secs / base:.2f}× | {cost} |")


if __name__ == "__main__":
    main()
