"""`read_html` before and after a change, side by side in one process (issue 19).

The library before the change is a copy of its source under another package name (see
``compare_validate.py`` for how it is made)::

    python benchmarks/compare_html.py /tmp/before/gk_before [N] [ROUNDS] [RECORDED]

First every page is read by both libraries and the results compared field by field: the
document of ``parse_html`` (blocks, texts, places, every grid cell, problems and the page's meta
texts) and the result of ``read_html`` (the report, every problem with its code, place and
message, the provenance of every cell, the headings, the metadata's provenance). The pages: the
two real published pages, ``N`` generated reports rendered by ``render_html`` (figures only, and
with texts drawn from the real ones), the same pages as Word exports them
(``bench_html.word_like``), and, when given, ``RECORDED``: a pickle of the inputs the HTML tests
passed to ``parse_html`` (a list of ``{"data", "kw", "opts"}``; made by running the tests with a
recording wrapper). Then, in ``ROUNDS`` rounds, it times ``read_html`` before and after, in turns
(CPU time, the best of 3 per side per round, collector paused, the two sides' order swapped every
round), with issue 19's baseline (lxml's parse and every cell's text); medians over the rounds.
"""

from __future__ import annotations

import enum
import gc
import importlib
import pickle
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import attrs
from _data import corpus
from bench_html import CASES, REAL, cell_texts, word_like
from bench_texts import drawn

import gongkai_model as gk
from gongkai_model.formats import html as new_html

CLOCK = time.process_time


def plain(obj: Any) -> Any:
    """``obj`` as plain data (attrs instances as their class name and fields, dicts as sorted items)."""
    if attrs.has(type(obj)):
        return (type(obj).__name__, tuple((a.name, plain(getattr(obj, a.name))) for a in attrs.fields(type(obj))))
    if isinstance(obj, enum.Enum):
        return obj.value
    if isinstance(obj, tuple | list):
        return tuple(plain(x) for x in obj)
    if isinstance(obj, dict):
        return tuple((k, plain(v)) for k, v in obj.items())
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


def _limits(lib: Any, fields: dict[str, Any] | None) -> Any:
    return None if fields is None else lib.limits.Limits(**fields)


def main(argv: Sequence[str]) -> None:
    before_dir = Path(argv[0]).resolve()
    n = int(argv[1]) if len(argv) > 1 else 30
    rounds = int(argv[2]) if len(argv) > 2 else 5
    recorded: list[dict[str, Any]] = []
    if len(argv) > 3:
        with open(argv[3], "rb") as f:
            recorded = pickle.load(f)
    sys.path.insert(0, str(before_dir.parent))
    old = importlib.import_module(before_dir.name)
    old_html = importlib.import_module(f"{before_dir.name}.formats.html")

    real = [((CASES / name).read_bytes(), {"agency": a, "year": y, "name": name}) for name, (a, y) in REAL.items()]
    reports = corpus(n, broken_share=0.1)
    _, with_texts = drawn(n, 1)
    rendered = [(new_html.render_html(r).encode(), {}) for r in reports]
    texts = [(new_html.render_html(r).encode(), {}) for r in with_texts]
    word = [(word_like(new_html.render_html(r)).encode(), {}) for r in [*reports[: n // 2], *with_texts[: n // 2]]]

    def same(data: Any, parse_kw: dict[str, Any], read_kw: dict[str, Any] | None) -> None:
        new_kw = dict(parse_kw)
        old_kw = dict(parse_kw)
        if "limits" in parse_kw:
            new_kw["limits"] = _limits(gk, parse_kw["limits"])
            old_kw["limits"] = _limits(old, parse_kw["limits"])
        a, b = new_html.parse_html(data, **new_kw), old_html.parse_html(data, **old_kw)
        assert plain(a) == plain(b), ("parse_html", data[:200])
        if read_kw is None or not isinstance(data, bytes):
            return
        new_read, old_read = dict(read_kw), dict(read_kw)
        if read_kw.get("limits") is not None:
            new_read["limits"] = _limits(gk, read_kw["limits"])
            old_read["limits"] = _limits(old, read_kw["limits"])
        x, y = _outcome(new_html.read_html, data, new_read), _outcome(old_html.read_html, data, old_read)
        assert plain(x) == plain(y), ("read_html", data[:200])

    pages = 0
    for data, kw in [*real, *rendered, *texts, *word]:
        same(data, {"source": kw.get("name", "<html>")}, kw)
        pages += 1
    for rec in recorded:
        opts = rec["opts"]
        read_kw = None
        if opts is not None:
            read_kw = {k: v for k, v in opts.items() if k in ("agency", "year", "edition", "strict", "name", "limits")}
        kw = {k: v for k, v in rec["kw"].items() if k != "folder" or v is None}
        if rec["kw"].get("folder"):
            read_kw = None  # pictures read from a folder: the folder is gone
            continue
        same(rec["data"], kw, read_kw)
        pages += 1
    print(f"results identical before and after on {pages} pages")
    if rounds == 0:
        return

    groups = {
        "the two real published pages (per page)": real,
        f"render_html pages ({n}, figures only)": rendered,
        f"render_html pages ({n}, texts drawn from the real ones)": texts,
        f"the same pages as Word exports them ({len(word)})": word,
    }
    times: dict[str, dict[str, list[float]]] = {g: {"base": [], "before": [], "after": []} for g in groups}
    sides = [("before", old_html.read_html), ("after", new_html.read_html)]
    for r in range(rounds):
        for g, items in groups.items():
            number = max(1, 10 // len(items))
            got = times[g]
            # the two sides' order swapped every round: the side timed first gains a few per cent on this machine
            for side, read in sides if r % 2 == 0 else sides[::-1]:
                got[side].append(_best(lambda i=items, f=read: [_outcome(f, d, k) for d, k in i], number) / len(items))
            got["base"].append(_best(lambda i=items: [cell_texts(d) for d, _ in i], number) / len(items))
    print(f"median of {rounds} interleaved rounds, CPU time per page")
    print("| pages | parse + cell texts | read_html before | after | after ÷ before | before ÷ base | after ÷ base |")
    print("|---|---|---|---|---|---|---|")
    for g, got in times.items():
        m = {k: statistics.median(v) for k, v in got.items()}
        print(
            f"| {g} | {m['base'] * 1e3:.2f} ms | {m['before'] * 1e3:.2f} ms | {m['after'] * 1e3:.2f} ms "
            f"| {m['after'] / m['before']:.2f} | {m['before'] / m['base']:.1f}× | {m['after'] / m['base']:.1f}× |"
        )


def _outcome(read: Callable[..., Any], data: bytes, kw: dict[str, Any]) -> Any:
    """The result of ``read``, or the error it raised (its problems)."""
    try:
        return read(data, **kw)
    except Exception as exc:  # a library's error is part of its result
        return (type(exc).__name__, str(exc), getattr(exc, "problems", None))


if __name__ == "__main__":
    main(sys.argv[1:])
