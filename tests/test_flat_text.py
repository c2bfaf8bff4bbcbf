"""Flattened text (issue 16, item 4): a table printed as a token stream, and figures run together.

A crawler's or an archive's text rendering prints a table row on one line with spaces between the
cells (``行政许可 125 84 125``), or with the figures run together (``1000001``). The first is read
cell for cell; the second only where the split is the one possible (as many digits as cells, or the
one split the row's identities accept), the row marked ``split`` in provenance with a warning.
"""

from __future__ import annotations

import itertools
from typing import Any

import attrs
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import gongkai_model as gk
from gongkai_model import AnnualReport
from gongkai_model.formats.text import parse_text, read_text, render_text, split_run
from gongkai_model.limits import Limits
from gongkai_model.model import OtherMatters, Overview
from gongkai_model.model.identities import identities
from gongkai_model.model.layout import RowInfo, get_path, layout, rows, shape_of

from hostile import assert_contract, run_capped
from strategies import consistent_reports, table_reports

AGENCY = "某某市某某局"


def flatten(text: str, *, blank: str | None = None) -> str:
    """Each table row of a rendered copy on one line, cells separated by a space (blanks dropped, or ``blank``)."""
    out: list[str] = []
    for line in text.split("\n"):
        if line.startswith("\t"):
            cells = [c if c else blank for c in line[1:].split("\t")]
            out.append(" ".join(c for c in cells if c))
        else:
            out.append(line)
    return "\n".join(out)


def plain(report: AnnualReport) -> AnnualReport:
    """What a copy prints of a generated report: its tables, under a title."""
    return attrs.evolve(report, agency=AGENCY, overview=Overview(), problems=None, other_matters=OtherMatters())


def figures(report: AnnualReport) -> dict[str, Any]:
    return {c.path: get_path(report, c.path) for c in layout(shape_of(report))}


# --- token streams with spaces ----------------------------------------------------------------------


def test_the_seed_flattened_reads_cell_for_cell() -> None:
    seed = gk.examples.seed_report()
    text = flatten(render_text(seed))
    assert "\t" not in text
    got = read_text(text.encode())
    assert got.ok, got.summary()
    assert figures(got.report) == figures(seed)  # type: ignore[arg-type]
    prov = got.provenance["table3.new_received.total"]
    assert prov.how == "label"
    assert prov.place.line is not None


@st.composite
def full_reports(draw: st.DrawFn) -> AnnualReport:
    """Reports of every shape with every cell filled (表三 consistent): a token stream has no blank to drop."""
    report = draw(consistent_reports())
    recs = [r._asdict() for r in gk.to_records(report)]
    for rec in recs:
        if rec["value"] is None:
            rec["value"] = draw(st.integers(0, 999))
    return plain(gk.from_records(recs, agency=AGENCY, year=report.year))


@settings(max_examples=25, deadline=None)
@given(full_reports())
def test_flattened_reports_of_every_shape_read_cell_for_cell(report: AnnualReport) -> None:
    got = read_text(flatten(render_text(report)).encode())
    assert got.report is not None, got.summary()
    assert not got.errors, got.summary()
    assert figures(got.report) == figures(report)
    assert all(p.how == "label" for p in got.provenance.values())


@settings(max_examples=25, deadline=None)
@given(table_reports().map(plain))
def test_flattened_rows_that_lost_their_blanks_are_refused_never_shifted(report: AnnualReport) -> None:
    """A blank cell a crawler dropped leaves its row short: refused, or split only where one split is possible."""
    got = read_text(flatten(render_text(report)).encode())
    assert got.report is not None, got.summary()
    split = {p.label for p in got.problems if p.code == "READ_SPLIT"}
    for path, prov in got.provenance.items():
        if prov.how == "label":
            assert get_path(got.report, path) == get_path(report, path), path
        else:
            assert prov.how == "split"
            assert next(r.label for r in rows(shape_of(report)) if path.startswith(r.path + ".")) in split


@pytest.mark.parametrize("section", ["二、", "三、", "四、"])
def test_a_whole_table_on_one_line(section: str) -> None:
    seed = gk.examples.seed_report()
    lines = flatten(render_text(seed)).split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith(section))
    end = next(i for i in range(start + 1, len(lines)) if not lines[i].strip())
    text = "\n".join([*lines[: start + 1], " ".join(lines[start + 1 : end]), *lines[end:]])
    got = read_text(text.encode())
    assert got.ok, got.summary()
    assert figures(got.report) == figures(seed)  # type: ignore[arg-type]


def test_a_prose_line_that_reads_like_a_token_stream_survives_render_text() -> None:
    text = "行政许可 1 2 3\n自然人\n本年度 无"
    report = attrs.evolve(gk.examples.seed_report(), overview=Overview(text=text))
    got = read_text(render_text(report).encode())
    assert got.ok, got.summary()
    assert got.report is not None
    assert got.report.overview.text == text


def test_prose_with_spaces_stays_prose() -> None:
    doc = parse_text("某某局2023年政府信息公开工作年度报告\n本年度 共受理 申请 12 件\n")
    assert doc.grids == []


# --- figures run together -----------------------------------------------------------------------------


def test_as_many_digits_as_cells_are_split_and_marked() -> None:
    seed = gk.examples.seed_report()
    text = render_text(seed).replace("\t规章\t0\t0\t0", "\t规章\t000")
    got = read_text(text.encode())
    assert got.ok, got.summary()
    assert figures(got.report) == figures(seed)  # type: ignore[arg-type]
    (warning,) = [p for p in got.problems if p.code == "READ_SPLIT"]
    assert (warning.label, warning.severity, warning.place.line) == ("规章", "warning", 27)
    assert {got.provenance[f"table2.regulations.{c}"].how for c in ("issued", "repealed", "in_force")} == {"split"}
    assert got.provenance["table2.normative_documents.issued"].how == "label"


def test_flattened_and_run_together() -> None:
    seed = gk.examples.seed_report()
    text = flatten(render_text(seed)).replace("规章 0 0 0", "规章 000")
    got = read_text(text.encode())
    assert got.ok, got.summary()
    assert [p.code for p in got.problems] == ["READ_SPLIT"]


def test_split_by_the_row_identity() -> None:
    # 表三 新收 without 小计: 自然人, five 法人 columns, 总计. 2010000030 splits six ways into seven
    # cells; only 20|10|0|0|0|0|30 has 总计 equal to its parts
    total = [((6,), (0, 1, 2, 3, 4, 5))]
    assert split_run(["2010000030"], 7, total) == [(0, t) for t in ("20", "10", "0", "0", "0", "0", "30")]
    assert split_run(["2010000030"], 7) is None  # without the identity: six splits
    assert split_run(["121000013"], 7, total) is None  # 1|2|10|0|0|0|13 and 12|1|0|0|0|0|13 both hold


def _candidates(digits: str, n: int, ids: Any) -> list[list[int]]:
    """Every split of ``digits`` into ``n`` figures without a leading zero that satisfies ``ids`` (brute force)."""
    out = []
    for cuts in itertools.combinations(range(1, len(digits)), n - 1):
        parts = [digits[a:b] for a, b in zip((0, *cuts), (*cuts, len(digits)), strict=True)]
        if any(len(p) > 1 and p[0] == "0" for p in parts):
            continue
        values = [int(p) for p in parts]
        if all(sum(values[k] for k in lhs) == sum(values[k] for k in rhs) for lhs, rhs in ids):
            out.append(values)
    return out


SEED = gk.examples.seed_report()
SEED_SHAPE = shape_of(SEED)
SEED_ROWS = [
    r
    for r in rows(SEED_SHAPE)
    if r.table in ("二", "三") and len([c for c in layout(SEED_SHAPE) if c.row_info.path == r.path]) > 1
]


def _ids(path: str) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    """The row's identities (from the model, evaluated here by the brute-force oracle)."""
    cells = layout(SEED_SHAPE)
    mine = {i: k for k, i in enumerate(i for i, c in enumerate(cells) if c.row_info.path == path)}
    return [
        (tuple(mine[i] for i in x.lhs), tuple(mine[i] for i in x.rhs))
        for x in identities(SEED_SHAPE)
        if all(i in mine for i in x.members)
    ]


@st.composite
def run_rows(draw: st.DrawFn) -> tuple[RowInfo, list[int]]:
    """A row of the seed's shape and its figures: consistent with its identities, or not."""
    row = draw(st.sampled_from(SEED_ROWS))
    n = len([c for c in layout(SEED_SHAPE) if c.row_info.path == row.path])
    values = draw(st.lists(st.integers(0, 30), min_size=n, max_size=n))
    if draw(st.booleans()):
        for lhs, rhs in _ids(row.path):  # each total (and 小计) over parts that are no total
            (total,) = lhs
            values[total] = sum(values[k] for k in rhs)
    return row, values


@settings(max_examples=60, deadline=None)
@given(run_rows())
@example((next(r for r in SEED_ROWS if r.label.startswith("一、")), [0, 0, 0, 0, 0, 0, 1]))  # found by a helper's run
def test_run_together_rows_read_only_where_the_split_is_unique(drawn: tuple[RowInfo, list[int]]) -> None:
    row, values = drawn
    digits = "".join(str(v) for v in values)
    lines = render_text(SEED).split("\n")
    at = next(i for i, line in enumerate(lines) if f"\t{row.label}\t" in line)
    head = lines[at].split("\t")
    k = head.index(row.label)
    lines[at] = "\t".join([*head[: k + 1], digits])
    got = read_text("\n".join(lines).encode())
    assert got.report is not None
    paths = [c.path for c in layout(SEED_SHAPE) if c.row_info.path == row.path]
    found = _candidates(digits, len(values), _ids(row.path))
    if len(digits) == len(values):  # a digit per cell: the one split there is, whatever the identities say
        found = [[int(d) for d in digits]]
    read = [get_path(got.report, p) for p in paths]
    if len(found) == 1:
        # the one split the identities accept; the printed figures themselves when they were consistent (a
        # row printed inconsistent can only come back as the consistent split its digits allow, marked split)
        assert read == found[0]
        consistent = all(sum(values[k] for k in lhs) == sum(values[k] for k in rhs) for lhs, rhs in _ids(row.path))
        assert read == values or not consistent
        assert {got.provenance[p].how for p in paths} == {"split"}
        assert [p.label for p in got.problems if p.code == "READ_SPLIT"] == [row.label]
    else:
        assert read == [None] * len(paths)
        assert not any(p in got.provenance for p in paths)
        assert "READ_CELLS_MISCOUNTED" in [p.code for p in got.problems]
    others = [c.path for c in layout(SEED_SHAPE) if c.path not in paths]
    assert all(get_path(got.report, p) == get_path(SEED, p) for p in others)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 99), min_size=2, max_size=6), st.booleans())
def test_split_run_agrees_with_brute_force(values: list[int], with_total: bool) -> None:
    n = len(values)
    ids = [((n - 1,), tuple(range(n - 1)))] if with_total else []
    if with_total:
        values[-1] = sum(values[:-1])
    digits = "".join(map(str, values))
    found = _candidates(digits, n, ids)
    got = split_run([digits], n, ids)
    if len(found) == 1:
        assert got is not None
        assert [int(t) for _, t in got] == found[0] == values
    else:
        assert got is None


def test_too_many_candidates_are_refused_quickly() -> None:
    digits = "1" * 40  # C(39, 6) candidate splits into seven cells: beyond MAX_SPLITS, refused
    assert split_run([digits], 7, [((6,), (0, 1, 2, 3, 4, 5))]) is None


# --- hostile --------------------------------------------------------------------------------------------

#: The hostile lines are read whole (the default Limits.max_chars would cut them first).
WIDE = Limits(max_chars=3_000_000)


def text_1_mb_line_of_digits() -> object:
    head = render_text(gk.examples.seed_report())
    return read_text((head + "\n行政许可 " + "7" * 1_000_000 + "\n").encode(), limits=WIDE)


def text_1_mb_run_in_a_row() -> object:
    text = render_text(gk.examples.seed_report()).replace("\t规章\t0\t0\t0", "\t规章\t" + "1" * 1_000_000)
    return read_text(text.encode(), limits=WIDE)


def text_100000_tokens() -> object:
    head = render_text(gk.examples.seed_report())
    return read_text((head + "\n行政许可 " + " ".join(["12"] * 100_000) + "\n").encode(), limits=WIDE)


def text_100000_tokens_of_labels() -> object:
    line = " ".join(["行政许可 1"] * 50_000)
    return read_text(("某某局2023年政府信息公开工作年度报告\n" + line + "\n").encode(), limits=WIDE)


def text_lines_of_1000_tokens() -> object:
    head = render_text(gk.examples.seed_report())
    return read_text((head + ("\n行政许可 " + " ".join(["1"] * 998)) * 1000).encode(), limits=WIDE)


def test_hostile_flat_lines() -> None:
    for target in ("text_1_mb_line_of_digits", "text_100000_tokens", "text_1_mb_run_in_a_row"):
        outcome = assert_contract(run_capped(f"test_flat_text:{target}"))
        assert outcome.kind == "result", str(outcome)
        assert outcome.report, str(outcome)
        assert outcome.seconds < 5, str(outcome)
        assert "READ_SPLIT" not in outcome.codes, str(outcome)
    # the run in a row is one cell too long to be a figure: cut and refused, never split
    assert {"READ_LIMIT", "READ_CELLS_MISCOUNTED"} <= outcome.codes, str(outcome)


def test_hostile_token_streams_of_labels_and_figures() -> None:
    outcome = assert_contract(run_capped("test_flat_text:text_100000_tokens_of_labels"))
    assert outcome.kind == "result", str(outcome)
    assert outcome.seconds < 5, str(outcome)
    outcome = assert_contract(run_capped("test_flat_text:text_lines_of_1000_tokens"))
    assert outcome.kind == "result", str(outcome)
    assert outcome.seconds < 10, str(outcome)
    assert "READ_LIMIT" in outcome.codes, str(outcome)  # Limits.max_cells: 200,000 cells at most


def test_a_short_table4_row_is_refused_and_not_read_under_its_first_header() -> None:
    """Regression: 表四's refused figures were kept at the grid's left, under 结果维持, and read there."""
    seed = gk.examples.seed_report()
    lines = render_text(seed).split("\n")
    at = next(i for i, line in enumerate(lines) if line == "\t" + "\t".join(["0"] * 15))
    for text in ("\t5", "5", "5 0"):
        lines[at] = text
        got = read_text("\n".join(lines).encode())
        assert got.report is not None
        assert "READ_CELLS_MISCOUNTED" in [p.code for p in got.problems]
        assert not any(p.startswith("table4.") for p in got.provenance), text


def test_the_text_benchmark_runs() -> None:
    import sys
    from pathlib import Path

    bench = str(Path(__file__).resolve().parents[1] / "benchmarks")
    sys.path.insert(0, bench)
    try:
        import bench_text

        rows = bench_text.run(2)  # asserts that the copies read back (nothing is timed here)
    finally:
        sys.path.remove(bench)
    assert [name for name, *_ in rows] == [
        "render_text copies",
        "the same copies flattened (spaces)",
        "the real plain-text copy",
    ]
