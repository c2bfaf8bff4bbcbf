"""Regression tests for what the fuzzing harnesses (fuzz/, issue 8) found in the document readers.

Each input is rebuilt here from the library's own output, cut down to what the harness's saved
reproducer needed; each test names the finding it covers.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import gongkai_model as gk
from gongkai_model.formats import read_html, render_html
from gongkai_model.formats._locate import MAX_OCCURRENCES

#: A bound far above what each input takes now (well under a second) and far below what it took.
SECONDS = 20


def timed(fn: Callable[[], Any]) -> Any:
    start = time.perf_counter()
    result = fn()
    elapsed = time.perf_counter() - start
    assert elapsed < SECONDS, f"took {elapsed:.1f} s"
    return result


def test_a_table_four_label_row_printed_thousands_of_times_is_read_in_bounded_time() -> None:
    """fuzz/findings/html-Timeout-1574617c6aa3: 表四's first row repeated 5,000 times ran past 10 s.

    Every occurrence of a row label was weighed against the others, and each weighing scanned the
    rows below it once per column: quadratic in the repeats.  Now at most ``MAX_OCCURRENCES`` are
    weighed (a warning says so) and the headers are found in one pass.
    """
    seed = gk.examples.seed_report()
    page = render_html(seed)
    start = page.index('<table class="表四">')
    first = re.compile(r"<tr>.*?</tr>\n", re.S).search(page, start)
    assert first is not None
    page = page[: first.start()] + first.group(0) * 2000 + page[first.end() :]
    got = timed(lambda: read_html(page.encode()))
    assert got.report is not None
    assert got.report.table4 == seed.table4  # the figures under the one header row, none invented
    limit = [p for p in got.problems if p.code == "READ_LIMIT"]
    assert limit, got.summary()
    assert all(p.severity == "warning" and p.place is not None for p in limit)
    assert f"only the first {MAX_OCCURRENCES}" in limit[0].message
    assert "2000 times" in limit[0].message


def test_a_label_printed_a_few_times_is_weighed_without_a_warning() -> None:
    """The bound is far above a real report's repeats (a table of contents, a continued table)."""
    seed = gk.examples.seed_report()
    page = render_html(seed)
    start = page.index('<table class="表四">')
    first = re.compile(r"<tr>.*?</tr>\n", re.S).search(page, start)
    assert first is not None
    page = page[: first.start()] + first.group(0) * 3 + page[first.end() :]
    got = read_html(page.encode())
    assert got.report is not None
    assert got.report.table4 == seed.table4
    assert not [p for p in got.problems if p.code == "READ_LIMIT"]
