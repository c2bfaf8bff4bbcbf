"""The one builder from model paths (``gongkai_model.model.build``): round trips, damaged maps, and its callers."""

from __future__ import annotations

import datetime as dt
import types
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gongkai_model as gk
from gongkai_model.errors import Place
from gongkai_model.formats import _assemble
from gongkai_model.formats.html import read_html, render_html
from gongkai_model.formats.text import read_text, render_text
from gongkai_model.model import Shape, Value, get_path, layout, shape_of, values
from gongkai_model.model import build as build_module
from gongkai_model.model.build import build, field_paths

from hostile import assert_contract, run_capped
from strategies import reports


def by_path(report: gk.AnnualReport) -> dict[str, Any]:
    """The report's table cells by model path (blank cells left out, as a reader leaves them)."""
    return {c.path: v for c, v in zip(layout(shape_of(report)), values(report), strict=True) if v is not None}


def fields_of(report: gk.AnnualReport) -> dict[str, Any]:
    """The report's other fields (metadata, section texts) by path."""
    return {path: get_path(report, path) for path in field_paths()}


def _build(report: gk.AnnualReport, **kwargs: Any) -> tuple[gk.AnnualReport | None, tuple[gk.Problem, ...]]:
    return build(
        shape_of(report), by_path(report), agency=report.agency, year=report.year, fields=fields_of(report), **kwargs
    )


# --- round trips -----------------------------------------------------------------------------------------


@settings(max_examples=40)
@given(reports())
def test_build_from_the_paths_of_any_valid_report_gives_it_back(report: gk.AnnualReport) -> None:
    assert _build(report) == (report, ())


@settings(max_examples=25)
@given(reports())
def test_the_values_in_layout_order_build_the_same_report(report: gk.AnnualReport) -> None:
    got = build(shape_of(report), values(report), agency=report.agency, year=report.year, fields=fields_of(report))
    assert got == (report, ())


def test_values_in_layout_order_must_be_every_cell() -> None:
    shape = Shape(gk.Edition.FORMAT_2019, True)
    built, problems = build(shape, [1, 2, 3], agency="某局", year=2019)
    assert built is None
    assert [(p.location, p.message) for p in problems] == [
        ("", "expected the 198 cells of the shape in layout order, got 3")
    ]


@settings(max_examples=25)
@given(reports())
def test_the_fast_and_the_thorough_path_build_the_same_report(report: gk.AnnualReport) -> None:
    shape, fields = shape_of(report), fields_of(report)
    assert build_module._fast(shape, list(values(report)), report.agency, report.year, fields) == report
    assert build_module._thorough(shape, by_path(report), report.agency, report.year, fields) == (report, [])


@settings(max_examples=25)
@given(reports(), st.data())
def test_cells_not_given_are_blank(report: gk.AnnualReport, data: st.DataObject) -> None:
    cells = by_path(report)
    kept = data.draw(st.sets(st.sampled_from(sorted(cells)), max_size=len(cells))) if cells else set()
    built, problems = build(shape_of(report), {p: cells[p] for p in kept}, agency=report.agency, year=report.year)
    assert problems == ()
    assert built is not None
    assert shape_of(built) == shape_of(report)
    for cell, value in zip(layout(shape_of(report)), values(built), strict=True):
        assert value == (cells[cell.path] if cell.path in kept else None)


@settings(max_examples=25)
@given(reports())
def test_from_records_of_to_records_is_the_report(report: gk.AnnualReport) -> None:
    rebuilt = gk.from_records(gk.to_records(report), agency=report.agency, year=report.year)
    tables = {name: getattr(report, name) for name in ("table2", "table3", "table4")}
    assert rebuilt == gk.AnnualReport(agency=report.agency, year=report.year, **tables)


# --- damaged maps: every problem at once, each named by its path ----------------------------------------

_BAD: dict[Value, list[object]] = {
    Value.COUNT: [-1, "3", 1.0, True, Decimal(1)],
    Value.SIGNED: ["3", 1.0, False, Decimal(-1)],
    Value.MONEY: [Decimal(-1), 1.5, Decimal("NaN"), 3, "1"],
    Value.AMOUNT: [Decimal(1), "1元", 2],
}
_BAD_FIELDS: dict[str, object] = {
    "published": "2023-01-01",
    "period_end": dt.datetime(2023, 12, 31),
    "overview.text": 5,
    "problems": b"bytes",
    "other_matters.info_processing_fee_notices": -1,
    "other_matters.info_processing_fee_collected_yuan": 2.5,
}


def _unknown_paths(shape: Shape) -> list[object]:
    out: list[object] = ["table9.x", "table3.results.granted.nope", "agency", "", 7]
    if not shape.subtotal_column:
        out.append("table3.new_received.legal_person_subtotal")  # a cell of the shape with the 小计 column
    out.append("table3.results.other.other.total" if shape.single_other_row else "table3.results.other.total")
    return out


@settings(max_examples=40)
@given(reports(), st.data())
def test_a_damaged_map_names_exactly_the_damaged_paths(report: gk.AnnualReport, data: st.DataObject) -> None:
    shape = shape_of(report)
    cells = layout(shape)
    vals = by_path(report)
    fields = fields_of(report)
    damaged: set[object] = set()
    for i in data.draw(st.sets(st.integers(0, len(cells) - 1), max_size=6)):
        cell = cells[i]
        vals[cell.path] = data.draw(st.sampled_from(_BAD[cell.kind]))
        damaged.add(cell.path)
    for path in data.draw(st.sets(st.sampled_from(sorted(_BAD_FIELDS)), max_size=3)):
        fields[path] = _BAD_FIELDS[path]
        damaged.add(path)
    for path in data.draw(st.sets(st.sampled_from(_unknown_paths(shape)), max_size=3)):
        vals[path] = 1  # type: ignore[index]
        damaged.add(path)
    agency: Any = report.agency
    if data.draw(st.booleans()):
        agency = 1  # not a text (None is an unknown agency, issue 16)
        damaged.add("agency")
    if not damaged:
        return
    places = {c.path: Place("x.html", table=1, row=k + 1, column=2) for k, c in enumerate(cells)}
    built, problems = build(
        shape, vals, agency=agency, year=report.year, fields=fields, places=places, code="READ_INVALID"
    )
    assert built is None
    named = {p.location for p in problems}
    assert named == {x if isinstance(x, str) else "int key (not a path)" for x in damaged}
    labels = {c.path: c.label for c in cells} | {p: i.spec.label for p, i in field_paths().items()}
    labels["agency"] = "机关名称"
    for p in problems:
        assert p.code == "READ_INVALID"
        assert p.place == places.get(p.location)
        if p.location in labels and not p.message.startswith("is not a"):
            assert p.label == labels[p.location]


FEE = "表二 行政事业性收费 × 本年收费金额（单位：万元）"


def test_the_problems_of_a_damaged_cell_say_what_the_model_says() -> None:
    shape = Shape(gk.Edition.FORMAT_2021, False)
    built, problems = build(
        shape,
        {"table3.results.granted.natural_person": -2, "table2.admin_fees.amount": 1.5},
        agency="某局",
        year=1990,
    )
    assert built is None
    assert [(p.location, p.label, p.message) for p in problems] == [
        (
            "table2.admin_fees.amount",
            "表二 行政事业性收费 × 本年收费金额（单位：万元）",
            "expected a Decimal or None, got float 1.5",
        ),
        ("table3.results.granted.natural_person", "表三 （一）予以公开 × 自然人", "must not be negative, got -2"),
        ("year", "报告年度", "expected a report year from 2008, got 1990"),
    ]
    assert all(p.code is None and p.place is None and p.severity == "error" for p in problems)


class _Hostile(int):
    """An int whose comparisons fail: the model's own check cannot judge it."""

    def __lt__(self, other: object) -> bool:
        raise ArithmeticError("no")

    def __ge__(self, other: object) -> bool:
        raise ArithmeticError("no")


def test_a_value_whose_own_methods_fail_is_a_problem_not_an_exception() -> None:
    shape = Shape(gk.Edition.FORMAT_2021, False)
    built, problems = build(shape, {"table4.reconsideration.upheld": _Hostile(3)}, agency="某局", year=2023)
    assert built is None
    assert [(p.location, p.message) for p in problems] == [
        ("table4.reconsideration.upheld", "cannot be checked: ArithmeticError in the value's own methods")
    ]


def test_a_value_that_exhausts_the_stack_is_left_to_the_reader_limits() -> None:
    class Deep(int):
        def __lt__(self, other: object) -> bool:
            raise RecursionError("maximum recursion depth exceeded")

    with pytest.raises(RecursionError):
        build(Shape(gk.Edition.FORMAT_2021, False), {"table4.reconsideration.upheld": Deep(1)}, agency="x", year=2023)


def hostile_map() -> object:
    """200,000 paths that are no cells, and every cell a value whose comparisons fail."""
    shape = Shape(gk.Edition.FORMAT_2021, False, True)
    vals: dict[str, object] = {f"table3.x{i}": i for i in range(200_000)}
    vals.update((c.path, _Hostile(1)) for c in layout(shape))
    report, problems = build(shape, vals, agency="某局", year=2023, code="READ_INVALID")
    return types.SimpleNamespace(report=report, problems=problems)


def test_a_hostile_map_is_answered_within_the_caps() -> None:
    outcome = assert_contract(run_capped("test_build:hostile_map"))
    assert outcome.kind == "result"
    assert not outcome.report
    assert outcome.codes == {"READ_INVALID"}


# --- the callers: from_records and the reading core ----------------------------------------------------


def test_from_records_reports_labels_and_values_at_once() -> None:
    recs = [
        {"table": "三", "row": "（一）予以公开", "column": "自然人人", "value": 0},
        {"table": "三", "row": "（一）予以公开", "column": "自然人", "value": -2},
    ]
    with pytest.raises(gk.errors.RecordsError) as info:
        gk.from_records(recs, agency="x", year=2023)
    assert [(p.location, p.label) for p in info.value.problems] == [
        ("record 0", None),
        ("record 1 (table3.results.granted.natural_person)", "自然人"),
    ]


def _counting(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[Any]]:
    """Count the shape inferences and record the builder's calls made while reading."""
    from gongkai_model import records

    calls: dict[str, list[Any]] = {"infer_shape": [], "build": []}

    def infer_shape(*args: Any, **kwargs: Any) -> Any:
        calls["infer_shape"].append(args)
        return records.infer_shape(*args, **kwargs)

    def counted_build(*args: Any, **kwargs: Any) -> Any:
        calls["build"].append((args, kwargs))
        return build(*args, **kwargs)

    monkeypatch.setattr(_assemble, "infer_shape", infer_shape)
    monkeypatch.setattr(_assemble, "build", counted_build)
    return calls


@pytest.mark.parametrize(("render", "read"), [(render_html, read_html), (render_text, read_text)])
def test_the_shape_is_inferred_once_and_given_to_the_builder(
    render: Any, read: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed = gk.examples.seed_report()
    report = attrs.evolve(seed, table3=attrs.evolve(seed.table3, subtotal_column=True))
    page = render(report)
    calls = _counting(monkeypatch)
    got = read(page.encode())
    assert got.report is not None, got.summary()
    assert got.report.table3.subtotal_column
    assert gk.to_records(got.report) == gk.to_records(report)
    assert len(calls["infer_shape"]) == 1
    ((args, kwargs),) = calls["build"]
    assert args[0] == shape_of(report)
    assert args[0].subtotal_column
    assert set(kwargs["places"]) == set(args[1])  # every value read has its place


def test_a_refused_year_is_located_with_its_code_and_label() -> None:
    seed = gk.examples.seed_report()
    got = read_html(render_html(seed).encode(), year=1990)
    assert got.report is None
    (invalid,) = [p for p in got.problems if p.code == "READ_INVALID"]
    assert (invalid.location, invalid.label, invalid.place) == ("year", "报告年度", None)
    assert "1990" in invalid.message


def test_a_value_the_model_refuses_is_located_where_it_was_printed(monkeypatch: pytest.MonkeyPatch) -> None:
    """No message is parsed to find a place: the builder is given the place of every path."""
    from gongkai_model.formats._values import ParsedValue, parse_value

    def negative(text: str, kind: Value, unit: str | None = None) -> ParsedValue:
        parsed = parse_value(text, kind, unit=unit)
        return attrs.evolve(parsed, value=-1) if kind is Value.COUNT and parsed.value == 0 else parsed

    monkeypatch.setattr(_assemble, "parse_value", negative)
    seed = gk.examples.seed_report()
    got = read_html(render_html(seed).encode())
    assert got.report is None
    invalid = [p for p in got.problems if p.code == "READ_INVALID"]
    counts = {c.label: c.path for c in layout(shape_of(seed)) if c.kind is Value.COUNT}
    assert len(invalid) == len(counts)
    for p in invalid:
        assert p.place is not None
        assert p.location == str(p.place)
        assert p.place == got.provenance[counts[p.label]].place
        assert p.message == "must not be negative, got -1"
