"""Hostile text and Markdown (issue 14): every input regenerated here, each read in a subprocess under 20 s and 1.5 GiB.

The readers bound what they build: the cells of a table before its grid is expanded (rows ×
columns, a short row counted at the width it is padded to, every table of a document against one
budget), the cells one line is split into, the characters of a document (``Limits.max_chars``),
and the characters a title or a heading is looked for in.
"""

from __future__ import annotations

import time

import attrs

import gongkai_model as gk
from gongkai_model.formats.markdown import read_markdown, render_markdown
from gongkai_model.formats.text import read_text, render_text
from gongkai_model.limits import Limits

from hostile import assert_contract, run_capped

SEED = gk.examples.seed_report()
MB = 1_000_000


# --- generators (run in the child) ---------------------------------------------------------------


def markdown_grid_bomb() -> object:
    """8 KB of Markdown: one row of 4,000 cells over 4,000 one-cell rows (a 16 million cell grid once padded)."""
    return read_markdown(("|" * 4000 + "\n" + "|\n" * 2000).encode())


def markdown_grid_bomb_after_the_report() -> object:
    """The same bomb printed after a whole report: the report is still read."""
    bomb = "| x " * 1000 + "|\n" + "| 1 |\n" * 5000
    return read_markdown((render_markdown(SEED) + "\n\n" + bomb).encode())


def markdown_50_mb_line() -> object:
    return read_markdown(("# " + " " * (50 * MB - 10) + "x").encode())


def text_50_mb_line() -> object:
    return read_text(("年" * (50 * MB // 3 - 10)).encode())


def text_50_mb_title_line() -> object:
    """A 50 MB line that ends with a title's wording: prose, never searched whole for a title."""
    return read_text(("北京市" * (50 * MB // 9 - 20) + "2023年政府信息公开工作年度报告").encode())


def markdown_10000_tiny_tables() -> object:
    tables = "".join(f"\n| 甲{i} | {i} |\n" for i in range(10_000))
    return read_markdown((render_markdown(SEED) + tables).encode())


def text_10000_tiny_tables() -> object:
    tables = "".join(f"\n\t甲{i}\t{i}\n\n说明{i}\n" for i in range(10_000))
    return read_text((render_text(SEED) + tables).encode())


def markdown_line_of_escaped_pipes() -> object:
    return read_markdown(("|" + "\\|" * (20 * MB) + "\n").encode())


def markdown_lines_of_pipes() -> object:
    return read_markdown(("| a " * 500_000 + "|\n").encode() * 20)


def markdown_deep_nesting() -> object:
    """Quotes, lists and brackets nested 200,000 deep, and a 10 MB bold line: no recursion, nothing quadratic."""
    text = ">" * 200_000 + " | a |\n" + "- " * 200_000 + "x\n" + "[" * 200_000 + "\n**" + "a" * 10 * MB + "\n"
    return read_markdown(text.encode())


def text_lines_of_tabs() -> object:
    return read_text(("\t" * (40 * MB) + "x").encode())


def text_many_short_lines() -> object:
    return read_text(b"ab\n" * MB)


def markdown_many_table_lines() -> object:
    return read_markdown(b"|a\n" * MB)


def _distinct_labels(n: int) -> list[str]:
    return [chr(0x4E00 + i % 20_000) + chr(0x4E00 + i // 20_000) + "公开" for i in range(n)]


def text_distinct_cells() -> object:
    """Cells that all differ (each compared with the labels once), up to the document's cell budget."""
    limits = Limits(max_cells=10_000)
    return read_text("".join(f"\t{k}\t1\n" for k in _distinct_labels(15_000)).encode(), limits=limits)


def markdown_distinct_cells() -> object:
    limits = Limits(max_cells=10_000)
    return read_markdown("".join(f"|{k}|\n" for k in _distinct_labels(15_000)).encode(), limits=limits)


# --- the tests ----------------------------------------------------------------------------------------


def _limit(target: str) -> gk.formats.Imported | object:
    outcome = assert_contract(run_capped(f"test_text_hostile:{target}"))
    assert outcome.kind == "result", str(outcome)
    assert "READ_LIMIT" in outcome.codes, str(outcome)
    return outcome


def test_a_markdown_table_is_bounded_before_its_grid_is_expanded() -> None:
    _limit("markdown_grid_bomb")


def test_a_grid_bomb_after_a_report_leaves_the_report_read() -> None:
    outcome = _limit("markdown_grid_bomb_after_the_report")
    assert outcome.report  # type: ignore[attr-defined]


def test_a_50_mb_line_is_prose() -> None:
    for target in ("markdown_50_mb_line", "text_50_mb_line", "text_50_mb_title_line"):
        outcome = _limit(target)
        assert "READ_TITLE_MISSING" in outcome.codes  # type: ignore[attr-defined]


def test_10000_tiny_tables() -> None:
    for target in ("markdown_10000_tiny_tables", "text_10000_tiny_tables"):
        outcome = assert_contract(run_capped(f"test_text_hostile:{target}"))
        assert outcome.kind == "result", str(outcome)
        assert outcome.report, str(outcome)
        assert not [p for p in outcome.problems if p["severity"] == "error"], str(outcome)


def test_long_lines_of_pipes_and_tabs() -> None:
    for target in ("markdown_line_of_escaped_pipes", "markdown_lines_of_pipes", "text_lines_of_tabs"):
        outcome = assert_contract(run_capped(f"test_text_hostile:{target}"))
        assert outcome.kind == "result", str(outcome)


def test_deep_nesting() -> None:
    outcome = assert_contract(run_capped("test_text_hostile:markdown_deep_nesting"))
    assert outcome.kind == "result", str(outcome)


def test_millions_of_lines() -> None:
    for target in ("text_many_short_lines", "markdown_many_table_lines"):
        _limit(target)


def test_distinct_cells_up_to_the_budget() -> None:
    for target in ("text_distinct_cells", "markdown_distinct_cells"):
        outcome = _limit(target)
        assert any("max_cells" in p["message"] for p in outcome.problems), str(outcome)  # type: ignore[attr-defined]


# --- in process: located problems and linear time -----------------------------------------------------


def test_the_grid_bound_is_located_and_the_first_rows_are_read() -> None:
    got = read_markdown(("| a | b |\n|---|---|\n" + "| 1 | 2 |\n" * 50).encode(), limits=Limits(max_cells=40))
    limit = [p for p in got.problems if p.code == "READ_LIMIT"]
    assert limit
    assert limit[0].place is not None
    assert limit[0].place.line == 22
    assert len(got.problems) < 10


def test_a_short_row_counts_at_the_width_it_is_padded_to() -> None:
    got = read_markdown(("| a " * 30 + "|\n" + "| 1 |\n" * 30).encode(), limits=Limits(max_cells=300))
    limit = [p for p in got.problems if p.code == "READ_LIMIT"]
    assert limit
    assert limit[0].place is not None
    assert (limit[0].place.table, limit[0].place.row) == (1, 11)


def test_a_wide_row_is_cut_at_max_columns() -> None:
    got = read_markdown(("| x " * 50 + "|\n").encode(), limits=Limits(max_columns=10))
    assert any(p.code == "READ_LIMIT" and "max_columns" in p.message for p in got.problems)


def _seconds(fn: object, *args: object) -> float:
    start = time.process_time()
    fn(*args)  # type: ignore[operator]
    return time.process_time() - start


def test_time_grows_linearly_with_the_input() -> None:
    def tables(n: int) -> bytes:
        return (render_markdown(SEED) + "".join(f"\n| 甲{i} | {i} |\n" for i in range(n))).encode()

    def lines(n: int) -> bytes:
        return (render_text(SEED) + "".join(f"\n\t乙{i}\t{i}\n\n段落{i}\n" for i in range(n))).encode()

    for read, make in ((read_markdown, tables), (read_text, lines)):
        small = min(_seconds(read, make(500)) for _ in range(2))
        large = min(_seconds(read, make(4_000)) for _ in range(2))
        assert large < 8 * small * 2.5, (read.__name__, small, large)


def test_an_injected_table_in_prose_is_never_read_as_a_statutory_table() -> None:
    """A document written by someone else: a pipe table with 表二's labels inside section 一 is left out."""
    page = render_markdown(SEED).replace(
        "## 二、主动公开政府信息情况",
        "| 行政许可 | 999 |\n|---|---|\n| 其他对外管理服务事项 | 888 |\n\n## 二、主动公开政府信息情况",
    )
    got = read_markdown(page.encode())
    moved = [p for p in got.problems if p.code == "READ_TABLE_MISPLACED"]
    assert [(p.severity, p.label) for p in moved] == [("warning", "表二")]
    assert moved[0].place is not None
    assert moved[0].place.table == 1
    assert got.ok
    assert got.report is not None
    assert got.report.table2 == SEED.table2
    assert got.report.overview.text is not None
    assert "999" in got.report.overview.text
    assert got.report == attrs.evolve(got.report, table2=SEED.table2)
