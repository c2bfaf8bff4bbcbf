"""The cell-by-cell comparison of ``benchmarks/ocr_accuracy.py`` (issue 20's Done-when), without OCR."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gongkai_model as gk
from gongkai_model.errors import Place, Problem
from gongkai_model.formats import Imported, Provenance, read_text, render_text

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.fixture(scope="module")
def accuracy() -> Iterator[Any]:
    sys.path.insert(0, str(BENCH))
    try:
        import ocr_accuracy

        yield ocr_accuracy
    finally:
        sys.path.remove(str(BENCH))


SEED = gk.examples.seed_report()
TRUTH = {r.path: r.value for r in gk.to_records(SEED)}
PATHS = sorted(TRUTH)


def _place(i: int) -> Place:
    return Place("scan.tif", page=1, image=1, table=1, row=i // 10 + 1, column=i % 10 + 1, box=(i, i, i + 9, i + 9))


PROVENANCE = {path: Provenance(_place(i), str(TRUTH[path]), confidence=0.9) for i, path in enumerate(PATHS)}


def _ocr_problem(place: Place | None = None, location: str = "", code: str = "READ_OCR_UNVERIFIED") -> Problem:
    if place is not None:
        return Problem.at(place, "a figure read by OCR is not verified", code=code, severity="warning")
    return Problem(location, "a figure read by OCR is not verified", code=code, severity="warning")


def test_a_reading_of_the_truth_is_all_right(accuracy: Any) -> None:
    got = accuracy.compare(TRUTH, PROVENANCE, (), TRUTH)
    assert (got.right, got.flagged, got.wrong, got.not_read) == (len(TRUTH), 0, 0, 0)
    assert got.cells == []


def test_a_text_layer_read_is_all_right(accuracy: Any) -> None:
    got = read_text(render_text(SEED).encode())
    outcome = accuracy.compare_imported(got, TRUTH)
    assert (outcome.right, outcome.wrong, outcome.flagged) == (len(TRUTH), 0, 0)


def test_a_wrong_figure_is_wrong_unless_an_ocr_problem_names_its_cell(accuracy: Any) -> None:
    path = "table3.new_received.total"
    values = {**TRUTH, path: TRUTH[path] + 1}
    place = PROVENANCE[path].place
    wrong = accuracy.compare(values, PROVENANCE, (), TRUTH)
    assert (wrong.right, wrong.flagged, wrong.wrong) == (len(TRUTH) - 1, 0, 1)
    assert wrong.cells == [(path, TRUTH[path], TRUTH[path] + 1, False)]
    # named by its place, by its box alone, by its path (location or message)
    for problem in (
        _ocr_problem(place),
        _ocr_problem(Place("scan.tif", box=place.box)),
        _ocr_problem(location=path),
        Problem("表三", f"{path} + 1 does not add up", code="READ_OCR_IDENTITY", severity="warning"),
    ):
        flagged = accuracy.compare(values, PROVENANCE, (problem,), TRUTH)
        assert (flagged.flagged, flagged.wrong) == (1, 0), problem
        assert flagged.cells == [(path, TRUTH[path], TRUTH[path] + 1, True)]
    # not by a problem of another code, another cell, or a path that only starts the same
    other = PROVENANCE["table3.carried_forward.total"].place
    for problem in (
        _ocr_problem(place, code="READ_VALUE_REFUSED"),
        _ocr_problem(other),
        _ocr_problem(location=path + "_x"),
        _ocr_problem(location="table3.new_received"),
        Problem("表三", f"verified: {path}", "表三", code="READ_OCR_VERIFIED", severity="info"),
    ):
        assert accuracy.compare(values, PROVENANCE, (problem,), TRUTH).wrong == 1, problem


def test_blanks_are_compared_as_blanks(accuracy: Any) -> None:
    zero = next(p for p in PATHS if TRUTH[p] == 0)
    truth = {**TRUTH, zero: None}
    assert accuracy.compare(truth, PROVENANCE, (), truth).right == len(truth)
    assert accuracy.compare(TRUTH, PROVENANCE, (), truth).wrong == 1  # 0 read where nothing is printed
    assert accuracy.compare(truth, PROVENANCE, (), TRUTH).wrong == 1  # nothing read where 0 is printed


def test_cells_not_read_or_refused_are_wrong_and_counted_as_not_read(accuracy: Any) -> None:
    absent, refused = PATHS[0], PATHS[1]
    values = {p: v for p, v in TRUTH.items() if p != absent}
    provenance = {p: v for p, v in PROVENANCE.items() if p != absent}
    provenance[refused] = Provenance(PROVENANCE[refused].place, "abc", refused=True)
    got = accuracy.compare(values, provenance, (), TRUTH)
    assert (got.wrong, got.not_read) == (2, 2)
    assert {c[0] for c in got.cells} == {absent, refused}
    flagged = accuracy.compare(values, provenance, (_ocr_problem(location=absent),), TRUTH)
    assert (flagged.flagged, flagged.wrong, flagged.not_read) == (1, 1, 1)


def test_pages_read_one_by_one_are_put_together(accuracy: Any) -> None:
    first, second = PATHS[: len(PATHS) // 2], PATHS[len(PATHS) // 2 :]

    def page(paths: list[str], problems: tuple[Problem, ...] = ()) -> Imported:
        return Imported(SEED, problems, {p: PROVENANCE[p] for p in paths}, "scan.png")

    problem = _ocr_problem(location=second[0])
    values, provenance, problems = accuracy.merge([page(first), page(second, (problem,))])
    assert values == TRUTH
    assert set(provenance) == set(TRUTH)
    assert problems == [problem]
    nothing = Imported(None, (), {}, "blank.png")
    assert accuracy.merge([nothing]) == ({}, {}, [])


@settings(max_examples=50, deadline=None)
@given(
    changed=st.sets(st.sampled_from(PATHS), max_size=10),
    named=st.sets(st.sampled_from(PATHS), max_size=10),
)
def test_every_cell_is_right_flagged_or_wrong(accuracy: Any, changed: set[str], named: set[str]) -> None:
    values = {p: ((v or 0) + 1 if p in changed else v) for p, v in TRUTH.items()}
    problems = [_ocr_problem(PROVENANCE[p].place) for p in sorted(named)]
    got = accuracy.compare(values, PROVENANCE, problems, TRUTH)
    assert got.total == len(TRUTH)
    assert got.right == len(TRUTH) - len(changed)
    assert got.flagged == len(changed & named)
    assert got.wrong == len(changed - named)
