"""The reading core on its own: the value parser, grids, and the label locator (never by position)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gongkai_model as gk
from gongkai_model.errors import Place
from gongkai_model.formats import Block, Document, Grid, Span, assemble, parse_value
from gongkai_model.limits import Limits
from gongkai_model.model import Value, get_path, rows, shape_of
from gongkai_model.presentation import plans

from strategies import shapes, table_reports

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
NOISE = st.sampled_from(["", " ", "\u3000", "\u00a0", "\t", "\n"])


# --- the value parser -------------------------------------------------------------------------------


@given(st.integers(0, 10**15), NOISE, NOISE, st.booleans(), st.booleans(), st.booleans())
def test_counts_read_exactly_through_print_noise(
    n: int, left: str, right: str, wide: bool, grouped: bool, unit: bool
) -> None:
    text = f"{n:,}" if grouped else str(n)
    if wide:
        text = text.translate(FULL_WIDTH)
    printed = f"{left}{text}{'件' if unit else ''}{right}"
    got = parse_value(printed, Value.COUNT)
    assert (got.value, got.problem, got.mark) == (n, None, None)
    assert got.text == printed


@given(st.integers(-(10**9), 10**9))
def test_signed_changes_keep_their_sign(n: int) -> None:
    printed = f"+{n}" if n > 0 else str(n)
    assert parse_value(printed, Value.SIGNED).value == n


@given(st.decimals(min_value=0, max_value=10**9, places=4, allow_nan=False, allow_infinity=False))
def test_money_is_exact(d: Decimal) -> None:
    for printed in (str(d), f"{d}万元", f" {d} "):
        got = parse_value(printed, Value.MONEY, unit="万元")
        assert got.value == d
        assert str(got.value) == str(d)


def test_amount_keeps_its_unit() -> None:
    assert parse_value("251000元", Value.AMOUNT).value == gk.Amount.parse("251000元")
    assert parse_value("160.5964 万元", Value.AMOUNT).value == gk.Amount.parse("160.5964万元")
    assert parse_value("12", Value.AMOUNT).value == gk.Amount(Decimal(12))


@pytest.mark.parametrize("mark", ["/", "-", "—", "——", "－", "无", "／", " / "])
def test_blank_like_marks_are_blank_and_kept(mark: str) -> None:
    got = parse_value(mark, Value.COUNT)
    assert got.value is None
    assert got.mark == mark.strip()
    assert got.problem is None


def test_blank_is_none_not_zero() -> None:
    for printed in ("", "   ", "\u3000", "\u00a0\n"):
        got = parse_value(printed, Value.COUNT)
        assert (got.value, got.mark, got.problem) == (None, None, None)


def test_remark_beside_a_figure_is_kept() -> None:
    got = parse_value("22（其中修订16件）", Value.COUNT)
    assert (got.value, got.note, got.problem) == (22, "（其中修订16件）", None)


@pytest.mark.parametrize(
    "printed",
    ["行政许可396442278", "12 34", "1.5", "1,23", "约10", "10余", "-3", "1e5", "0x10", "9" * 41, "NaN", "２２件３"],
)
def test_what_is_not_one_figure_is_refused_never_guessed(printed: str) -> None:
    got = parse_value(printed, Value.COUNT)
    assert got.value is None
    assert got.problem


def test_unit_mismatch_is_refused() -> None:
    got = parse_value("1234.50元", Value.MONEY, unit="万元")
    assert got.value is None
    assert got.problem is not None
    assert "元" in got.problem


def test_whole_count_printed_with_decimals_is_read_with_a_warning() -> None:
    got = parse_value("3.00", Value.COUNT)
    assert got.value == 3
    assert got.warning


# --- grids -----------------------------------------------------------------------------------------


def test_grid_expands_spans_like_html() -> None:
    grid = Grid.build(
        [[Span("a", rowspan=2), Span("b", colspan=2)], [Span("c"), Span("d")], [Span("e"), Span("f"), Span("g")]],
        Place("t"),
    )
    texts = [[c.text if c else None for c in row] for row in grid.rows]
    assert texts == [["a", "b", "b"], ["a", "c", "d"], ["e", "f", "g"]]
    assert [c.text for c in grid.cells()] == ["a", "b", "c", "d", "e", "f", "g"]


def test_grid_spans_are_clipped_to_the_limits_and_said_so() -> None:
    problems: list[gk.Problem] = []
    limits = Limits(max_rows=50, max_columns=20, max_cells=500)
    grid = Grid.build([[Span("x", rowspan=10**9, colspan=10**9)]], Place("t"), limits, problems)
    assert grid.width == 20
    assert len(grid.rows) * grid.width <= 500
    assert [p.code for p in problems] == ["READ_LIMIT"]


# --- the locator, on grids laid out from the model ------------------------------------------------------


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _grids(report: gk.AnnualReport, *, drop: str | None = None, extra_column: bool = False) -> list[Grid]:
    """The report's three tables as grids in the official layout (optionally a row left out, a column added)."""
    out = []
    for k, plan in enumerate(plans(shape_of(report)), start=1):
        starts: dict[tuple[int, int], Span] = {}
        covered: set[tuple[int, int]] = set()
        dropped_rows = {v.row for v in plan.values if drop is not None and v.cell.row_info.path == drop}
        for label in plan.labels:
            starts[(label.row, label.col)] = Span(
                label.text, label.last_row - label.row + 1, label.last_col - label.col + 1
            )
        for v in plan.values:
            starts[(v.row, v.col)] = Span(_text(v.cell.get(report)), 1, v.last_col - v.col + 1)
        moved: dict[tuple[int, int], Span] = {}
        for (r, c), span in starts.items():  # a merge over a left-out row is one row shorter
            kept = [rr for rr in range(r, r + span.rowspan) if rr not in dropped_rows]
            if kept:
                moved[(kept[0], c)] = attrs.evolve(span, rowspan=len(kept))
                covered.update((rr, cc) for rr in kept for cc in range(c, c + span.colspan) if (rr, cc) != (kept[0], c))
        starts = moved
        height = max(r for r, _ in covered | set(starts))
        spans = []
        for r in range(1, height + 1):
            if r in dropped_rows:
                continue
            row = []
            for c in range(1, plan.width + 1):
                if (r, c) in covered:
                    continue
                row.append(starts.get((r, c), Span("")))
            if extra_column and r > 1:  # a column the statute does not have, at the right of every row
                row.append(Span("备注" if r == 2 else "见说明"))
            spans.append(row)
        out.append(Grid.build(spans, Place("test", table=k)))
    return out


def _read(grids: list[Grid], report: gk.AnnualReport) -> gk.Imported:
    doc = Document("test", tuple(Block("table", "", g.place, g) for g in grids))
    return assemble(doc, agency=report.agency, year=report.year)


@settings(max_examples=40)
@given(table_reports())
def test_located_by_label_reads_every_figure(report: gk.AnnualReport) -> None:
    got = _read(_grids(report), report)
    assert got.report == report, got.summary()
    assert got.errors == ()
    assert set(got.provenance) == {r.path for r in gk.to_records(report)}


@settings(max_examples=40)
@given(table_reports(), st.data())
def test_a_missing_row_shifts_nothing(report: gk.AnnualReport, data: st.DataObject) -> None:
    shape = shape_of(report)
    # Without its one （六）其他处理 row, a 2021 hybrid table reads as the usual three-row form (whose rows
    # are then missing): the shape follows from the labels printed. Every other row can go.
    hybrid = shape.single_other_row and shape.edition is gk.Edition.FORMAT_2021
    candidates = [
        r for r in rows(shape) if r.table in ("二", "三") and not (hybrid and r.path == "table3.results.other")
    ]
    gone = data.draw(st.sampled_from(candidates))
    got = _read(_grids(report, drop=gone.path), report)
    assert got.report is not None, got.summary()
    missing = [p for p in got.problems if p.code == "READ_ROW_MISSING"]
    assert [p.label for p in missing] == [gone.label]
    for rec in gk.to_records(report):
        value = get_path(got.report, rec.path)
        assert value == (None if rec.path.startswith(gone.path + ".") else rec.value), rec.path


@settings(max_examples=30)
@given(table_reports())
def test_an_extra_column_shifts_nothing(report: gk.AnnualReport) -> None:
    got = _read(_grids(report, extra_column=True), report)
    assert got.report == report, got.summary()


@settings(max_examples=30)
@given(table_reports(shape=None), st.integers(0, 2))
def test_a_missing_table_is_one_problem_and_blank(report: gk.AnnualReport, gone: int) -> None:
    grids = _grids(report)
    del grids[gone]
    got = _read(grids, report)
    assert [p.code for p in got.problems if p.code == "READ_TABLE_MISSING"] == ["READ_TABLE_MISSING"]
    assert got.report is not None
    table = "二三四"[gone]
    for rec in gk.to_records(got.report):
        if rec.table == table:
            assert rec.value is None


def test_a_page_that_is_no_report_gives_problems_not_figures() -> None:
    doc = Document("page", (Block("paragraph", "通知公告", Place("page", line=1)),))
    got = assemble(doc, agency="某机关", year=2023)
    codes = {p.code for p in got.problems}
    assert codes == {"READ_TABLE_MISSING"}
    assert not got.ok
    assert got.provenance == {}
    assert got.report is not None
    assert all(r.value is None for r in gk.to_records(got.report))


def test_title_names_agency_and_year() -> None:
    report = gk.examples.seed_report()
    blocks = [
        Block("paragraph", "北京市西城区信访办公室", Place("t", line=1)),
        Block("paragraph", "2023年政府信息公开工作年度报告", Place("t", line=3)),
        *(Block("table", "", g.place, g) for g in _grids(report)),
    ]
    got = assemble(Document("t", tuple(blocks)))
    assert got.report is not None
    assert (got.report.agency, got.report.year) == ("北京市西城区信访办公室", 2023)
    assert got.report == attrs.evolve(
        report, overview=gk.model.Overview(), other_matters=gk.model.OtherMatters(), problems=None, level=None
    )


def test_without_a_title_the_figures_are_read_and_agency_and_year_are_unknown() -> None:
    report = gk.examples.seed_report()
    got = assemble(Document("t", tuple(Block("table", "", g.place, g) for g in _grids(report))))
    assert got.report is not None
    assert (got.report.agency, got.report.year) == (None, None)
    assert gk.to_records(got.report) == gk.to_records(report)
    assert [(p.code, p.severity) for p in got.problems] == [("READ_META_MISSING", "warning")]


@settings(max_examples=20)
@given(shapes)
def test_misprinted_row_label_is_read_once_with_a_warning_and_refused_when_strict(shape: gk.model.Shape) -> None:
    report = gk.AnnualReport.blank(
        agency="某机关",
        year=2019 if shape.edition is gk.Edition.FORMAT_2019 else 2023,
        edition=shape.edition,
        single_other_row=shape.single_other_row,
        subtotal_column=shape.subtotal_column,
    )
    report = gk.model.replace_path(report, "table3.results.denied.prohibited_by_law.natural_person", 4)
    grids = _grids(report)
    target = next(c for g in grids for c in g.cells() if c.text == "2.其他法律行政法规禁止公开")
    typo = attrs.evolve(target, text="2.其他法律行政止公开")
    grids = [Grid(tuple(tuple(typo if c is target else c for c in row) for row in g.rows), g.place) for g in grids]
    got = _read(grids, report)
    assert got.report == report
    corrected = [p for p in got.problems if p.code == "READ_LABEL_CORRECTED"]
    assert len(corrected) == 1
    assert corrected[0].severity == "warning"
    strict = assemble(
        Document("test", tuple(Block("table", "", g.place, g) for g in grids)),
        agency=report.agency,
        year=report.year,
        strict=True,
    )
    assert [p.code for p in strict.problems if p.severity == "error"] == ["READ_LABEL_REFUSED"]
    assert strict.report is not None
    assert strict.report.table3.results.denied.prohibited_by_law.natural_person is None


# --- two copies of a table (issue 14): alike, read once; different, a conflict and blank -----------------


def _copies(report: gk.AnnualReport) -> list[Grid]:
    """The three tables printed twice: the second copy numbered after the first (tables 4 to 6)."""
    first = _grids(report)
    second = []
    for g in _grids(report):
        table = (g.place.table or 0) + len(first)
        moved: dict[int, Any] = {}
        for row in g.rows:
            for c in row:
                if c is not None and id(c) not in moved:
                    moved[id(c)] = attrs.evolve(c, place=attrs.evolve(c.place, table=table))
        rows_ = tuple(tuple(None if c is None else moved[id(c)] for c in row) for row in g.rows)
        second.append(Grid(rows_, attrs.evolve(g.place, table=table)))
    return first + second


@settings(max_examples=25)
@given(table_reports())
def test_a_table_printed_twice_alike_is_read_once(report: gk.AnnualReport) -> None:
    got = _read(_copies(report), report)
    assert got.report == report, got.summary()
    assert got.errors == ()
    assert all(p.severity == "info" for p in got.problems if p.code == "READ_REPEATED")


@settings(max_examples=25)
@given(table_reports(), st.data())
def test_a_figure_printed_differently_in_two_copies_is_a_conflict_and_blank(
    report: gk.AnnualReport, data: st.DataObject
) -> None:
    grids = _copies(report)
    once = _read(grids[:3], report)
    path = data.draw(st.sampled_from(sorted(once.provenance)))
    place = once.provenance[path].place
    assert place.table is not None
    assert place.row is not None
    assert place.column is not None
    k = place.table - 1 + 3  # the same cell in the second copy
    target = grids[k].rows[place.row - 1][place.column - 1]
    assert target is not None
    other = attrs.evolve(target, text=f"{target.text}9" if target.text.strip() else "9")
    grids[k] = Grid(tuple(tuple(other if c is target else c for c in row) for row in grids[k].rows), grids[k].place)
    got = _read(grids, report)
    conflicts = [p for p in got.problems if p.code == "READ_CONFLICT"]
    assert len(conflicts) == 1, got.summary()
    assert conflicts[0].severity == "error"
    assert f"table {place.table}," in conflicts[0].message
    assert f"table {place.table + 3}," in conflicts[0].message
    assert not got.ok
    assert got.report is not None
    assert path not in got.provenance
    assert get_path(got.report, path) is None  # never a silent choice
    for rec in gk.to_records(report):
        if rec.path != path:
            assert get_path(got.report, rec.path) == rec.value, rec.path
