"""`read_html` side by side with a bare lxml parse (``lxml.html.document_fromstring``) of the same pages.

A second baseline is lxml.etree's HTML parser, the one read_html uses (without lxml.html's
per-element class lookup), so the ratio is also given against the parse it cannot avoid; the
third, issue 19's, is that parse plus every cell's text (``"".join(td.itertext())`` of every
``td``/``th``): the least a reader of the tables must do. ``parse_html`` (the walk into a document,
without locating the cells and building the report) is timed beside them.

The pages are the reports of the benchmark corpus rendered by ``render_html``, then the same pages
as Word exports them (a run per character, ``&nbsp;`` around figures, ``<o:p>``, conditional
comments: about 10× the markup), and the project's two real published pages. The baseline only
parses each page into a tree; ``read_html`` decodes, parses, walks the tree into a document, finds
every cell by its labels, parses every figure and builds the report.

Every timing is CPU time (``time.process_time``: the machine is shared), the best of 5 rounds
taken in turns, the collector paused.

Run: python benchmarks/bench_html.py [N]
"""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

import lxml.etree
import lxml.html
from _data import corpus, timed

from gongkai_model.formats.html import parse_html, read_html, render_html

CASES = Path(__file__).resolve().parents[1] / "tests" / "data" / "cases"
REAL = {
    "shanghai-shizhengfu-bangongting-2019.html": ("上海市人民政府办公厅", 2019),
    "shuyang-fagaiju-2023.html": (None, None),
}


def _runs(text: str) -> str:
    out = []
    for piece in re.findall(r"\d+|.", text):
        if piece[0].isdigit():
            out.append(f"<span lang=EN-US style='font-size:10.5pt'>&nbsp;{piece}&nbsp;</span>")
        else:
            out.append(f"<span style='font-family:宋体;mso-bidi-font-family:宋体'>{piece}</span>")
    return "".join(out)


def word_like(page: str) -> str:
    """The page as Word's "save as web page" marks it up (see tests/test_read_html.py for the full set)."""
    page = re.sub(
        r"<(th|td)([^>]*)>(.*?)</\1>",
        lambda m: (
            f"<td{m.group(2)} width=64 style='border:solid windowtext 1.0pt'><p class=MsoNormal "
            f"align=center>{_runs(m.group(3))}<o:p></o:p></p></td>"
        ),
        page,
    )
    page = re.sub(r"<h2>(.*?)</h2>", lambda m: f"<p class=MsoNormal><b>{_runs(m.group(1))}</b><o:p></o:p></p>", page)
    return page.replace("</head>", "<!--[if gte mso 9]><xml><o:x>1</o:x></xml><![endif]--></head>")


def parse_only(data: bytes) -> object:
    """The baseline: lxml.html's parse of the page into a tree, nothing more."""
    return lxml.html.document_fromstring(data)


_ETREE = lxml.etree.HTMLParser(no_network=True, remove_comments=True, remove_pis=True)


def etree_only(data: bytes) -> object:
    """The parser read_html itself uses (lxml.etree's, no per-element Python lookup): the true floor."""
    return lxml.etree.fromstring(data, _ETREE)


def cell_texts(data: bytes) -> list[str]:
    """Issue 19's baseline: lxml.etree's parse and every cell's text, joined once per cell in C."""
    root = lxml.etree.fromstring(data, _ETREE)
    return ["".join(td.itertext()) for td in root.iter("td", "th")]


def run(n: int) -> list[tuple[str, int, float, float, float, float, float]]:
    """(pages, count, seconds: lxml.html parse, lxml.etree parse, parse + cell texts, parse_html, read_html)
    per kind of page."""
    reports = corpus(n, broken_share=0.0)
    rendered = [render_html(r).encode() for r in reports]
    word = [word_like(render_html(r)).encode() for r in reports]
    for pages in (rendered[:3], word[:3]):
        for data, report in zip(pages, reports, strict=False):
            got = read_html(data)
            assert got.errors == (), got.summary()
            assert got.report == report
    real = [(CASES / name).read_bytes() for name in REAL]
    kwargs = list(REAL.values())

    def read_real() -> None:
        for data, (agency, year) in zip(real, kwargs, strict=True):
            got = read_html(data, agency=agency, year=year)
            assert got.ok, got.summary()

    out = []
    for name, pages in (("render_html pages", rendered), ("the same pages as Word exports them", word)):
        base, floor, cells, walk, ours = _interleaved(
            lambda pages=pages: [parse_only(d) for d in pages],
            lambda pages=pages: [etree_only(d) for d in pages],
            lambda pages=pages: [cell_texts(d) for d in pages],
            lambda pages=pages: [parse_html(d) for d in pages],
            lambda pages=pages: [read_html(d) for d in pages],
        )
        out.append((name, len(pages), base, floor, cells, walk, ours))
    number = max(1, n // 10)
    base, floor, cells, walk, ours = _interleaved(
        lambda: [parse_only(d) for d in real],
        lambda: [etree_only(d) for d in real],
        lambda: [cell_texts(d) for d in real],
        lambda: [parse_html(d) for d in real],
        read_real,
        number=number,
    )
    out.append(("the two real published pages (per pair)", 2, base, floor, cells, walk, ours))
    return out


def _interleaved(*fns: Callable[[], object], rounds: int = 5, number: int = 1) -> list[float]:
    """The best of ``rounds`` timings of each function, taken in turns (so that load on a shared
    machine weighs on all of them alike)."""
    best = [float("inf")] * len(fns)
    for _ in range(rounds):
        for i, fn in enumerate(fns):
            best[i] = min(best[i], timed(fn, repeat=1, number=number, gc_paused=True, clock=time.process_time))
    return best


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    rows = run(n)
    print(f"HTML: {n} reports, CPU time, best of 5 rounds taken in turns")
    print(
        "| pages | count | lxml.html.document_fromstring (baseline) | lxml.etree HTML parse "
        "| etree parse + every cell's text | parse_html | read_html | per page | ratio to baseline "
        "| ratio to etree | ratio to parse + cell texts | parse_html to parse + cell texts |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name, count, base, floor, cells, walk, ours in rows:
        print(
            f"| {name} | {count} | {base:.3f} s | {floor:.3f} s | {cells:.3f} s | {walk:.3f} s | {ours:.3f} s "
            f"| {ours / count * 1000:.2f} ms | {ours / base:.1f}× | {ours / floor:.1f}× | {ours / cells:.1f}× "
            f"| {walk / cells:.1f}× |"
        )


if __name__ == "__main__":
    main()
