"""Every real case with a published form imports to exactly its figures, cell for cell, blanks included."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import gongkai_model as gk
from gongkai_model import formats
from gongkai_model.model import get_path

from cases import expected_cells
from conftest import CASES, load_case, raw_cases


def _read(case: dict[str, Any]) -> formats.Imported:
    path = CASES / case["raw"]
    got = gk.read(path)
    if any(p.code in ("READ_TITLE_MISSING", "READ_META_MISSING") for p in got.problems):
        # The saved page holds only the tables: the title is not part of it.
        got = gk.read(path, agency=case["agency"], year=case["year"])
    return got


@pytest.mark.parametrize("name", raw_cases())
def test_real_case_imports_to_its_figures(name: str) -> None:
    case = load_case(name)
    got = _read(case)
    assert got.report is not None, got.summary()
    assert got.errors == (), got.summary()
    report = got.report
    assert (report.agency, report.year, report.edition.value) == (case["agency"], case["year"], case["format"])
    expected = expected_cells(case)
    wrong = {p: (get_path(report, p), v) for p, v in expected.items() if get_path(report, p) != v}
    assert wrong == {}
    for path in expected:
        assert path in got.provenance, path
        assert got.provenance[path].place.source == str(CASES / case["raw"])


@pytest.mark.parametrize("name", raw_cases())
def test_every_figure_names_its_printed_place(name: str) -> None:
    got = _read(load_case(name))
    for prov in got.provenance.values():
        assert prov.place.table is not None or prov.place.line is not None or prov.place.cell is not None


def test_label_variant_is_reported_once_per_label() -> None:
    got = _read(load_case("shuyang-fagaiju-2023"))
    variants = [p for p in got.problems if p.code == "READ_LABEL_VARIANT"]
    assert [(p.label, p.severity) for p in variants] == [("行政规范性文件", "info")]
    assert got.headings["problems"] == "五、存在的主要问题及整改措施"
    assert any(p.code == "READ_HEADING_VARIANT" for p in got.problems)


def test_sections_are_split_under_their_headings() -> None:
    got = _read(load_case("shuyang-fagaiju-2023"))
    assert got.report is not None
    assert got.report.overview.text
    assert got.report.overview.text.startswith("2023年")
    assert got.report.problems
    assert got.report.other_matters.text


def test_check_joins_reading_and_checks(tmp_path: Path) -> None:
    checked = gk.check(CASES / "shanghai-shizhengfu-bangongting-2019.html", agency="上海市人民政府办公厅", year=2019)
    assert checked.imported.ok
    assert checked.validation is not None
    assert checked.validation.issues  # the identities its blanks kept from being assessed, named
    # 38 of its 40 identities cannot be assessed: nothing breaks, but that is too little to call it OK (issue 17)
    assert checked.verdict == "unassessed", checked.summary()
    assert not checked.ok
