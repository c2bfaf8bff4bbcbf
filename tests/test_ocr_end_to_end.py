"""Issue 20's Done-when, end to end with the real engine: a picture of 表三 with one figure altered.

The report's 表三 is drawn (``tests/ocr_render.py``) with one interior figure printed differently
from the report the picture was made from; ``gk.read`` recognises it, the identities of that cell
break, the figure is named with its box, and ``gk.check``'s top suggestion restores the figure the
report had. One OCR run (module-scoped), one thread.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ocr_render import png, render_table

import gongkai_model as gk
from gongkai_model.formats import _ocr
from gongkai_model.model.layout import get_path, replace_path

from cases import build
from conftest import load_case

#: An interior cell of 表三 (in its row's 总计 and its column's 总计) and what the picture prints there.
PATH = "table3.results.granted.natural_person"


@pytest.fixture(scope="module", autouse=True)
def one_thread() -> Iterator[None]:
    _ocr.set_threads(1)
    yield
    _ocr.set_threads(None)


@pytest.fixture(scope="module")
def original() -> Any:
    return build(load_case("suqian-shi-2024"))


@pytest.fixture(scope="module")
def altered(original: Any, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    true = get_path(original, PATH)
    assert isinstance(true, int)
    assert true > 0
    printed = true + 1 if true % 10 != 9 else true - 1  # one digit changed
    picture = render_table(replace_path(original, PATH, printed), "三", dpi=150)
    path = tmp_path_factory.mktemp("scan") / "table3.png"
    path.write_bytes(png(picture))
    return path, printed


@pytest.fixture(scope="module")
def checked(original: Any, altered: tuple[Path, int]) -> gk.CheckedReport:
    path, _ = altered
    return gk.check(path, agency=original.agency, year=original.year)


def test_the_altered_figure_is_read_as_printed_and_named_with_its_box(
    checked: gk.CheckedReport, altered: tuple[Path, int]
) -> None:
    path, printed = altered
    imported = checked.imported
    assert imported.report is not None
    assert get_path(imported.report, PATH) == printed  # read as printed, never "fixed"
    prov = imported.provenance[PATH]
    assert prov.confidence is not None
    assert prov.verification == "unverified"
    assert prov.place.source == str(path)
    assert prov.place.image == 1
    assert prov.place.box is not None
    named = [p for p in imported.problems if p.code == "READ_OCR_UNVERIFIED" and p.message.startswith(PATH)]
    assert len(named) == 1
    assert named[0].place == prov.place
    assert "({},{})-({},{})".format(*prov.place.box) in named[0].place.describe()
    assert checked.verdict is gk.Verdict.INCOMPLETE  # never OK with a figure nothing vouches for


def test_the_identities_of_the_cell_break(checked: gk.CheckedReport) -> None:
    assert checked.validation is not None
    broken = [f for f in checked.validation.issues if f.assessable and PATH in {c.path for c in f.cells}]
    assert len(broken) >= 2  # its row's 总计 and its column's 总计


def test_the_top_suggestion_restores_the_printed_value(checked: gk.CheckedReport, original: Any) -> None:
    assert checked.validation is not None
    assert checked.report is not None
    top = checked.validation.suggestions[0]
    assert [(c.path, c.proposed) for c in top.inputs] == [(PATH, get_path(original, PATH))]
    repaired = checked.validation.apply(checked.report, top)
    assert gk.to_records(repaired) == gk.to_records(replace_path(checked.report, PATH, get_path(original, PATH)))

    def broken(report: Any) -> list[str]:
        return [f.code for f in gk.validate(report).issues if f.assessable and f.severity == "inconsistency"]

    assert broken(checked.report) != []
    assert broken(repaired) == []


def test_every_other_figure_of_the_picture_is_read_exactly(checked: gk.CheckedReport, original: Any) -> None:
    assert checked.report is not None
    wrong = [
        (p, get_path(original, p), get_path(checked.report, p))
        for p in checked.imported.provenance
        if p.startswith("table3.") and p != PATH and get_path(original, p) != get_path(checked.report, p)
    ]
    assert wrong == []
