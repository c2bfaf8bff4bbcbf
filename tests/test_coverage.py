"""One measure of coverage (issue 16 item 6): how many statutory cells were read, by order, split, refused, absent."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import gongkai_model as gk
from gongkai_model import excel
from gongkai_model.__main__ import main
from gongkai_model.batch import check_many
from gongkai_model.formats import Coverage, Imported, Provenance, read_html, render_html, render_text
from gongkai_model.model import layout, shape_of
from gongkai_model.readcheck import check

from conftest import CASES
from strategies import table_reports

_TD = re.compile(r"(<td[^>]*>)([^<]*)(</td>)")
#: A table row that is a label and its figures only, outside a group (removing it leaves the table's frame
#: whole; a row inside 三、本年度办理结果 would leave that label's rowspan one row too long).
_ROW = re.compile(r"<tr><th scope=\"row\"[^>]*>(?![\d（])[^<]*</th>(?:<td[^>]*>[^<]*</td>)+</tr>\n?")


def _cells(report: gk.AnnualReport) -> int:
    return len(layout(shape_of(report)))


def _invariants(c: Coverage) -> None:
    assert c.read + c.refused + c.absent == c.cells
    assert 0 <= c.by_order <= c.read
    assert 0 <= c.split <= c.read
    assert c.by_order + c.split <= c.read
    assert min(c.read, c.refused, c.absent) >= 0


# --- the type -----------------------------------------------------------------------------------------


_COUNTS = st.integers(min_value=0, max_value=10**6)


@given(st.lists(st.builds(Coverage, _COUNTS, _COUNTS, _COUNTS, _COUNTS, _COUNTS, _COUNTS), max_size=20))
def test_the_total_of_coverages_is_their_sum_by_plus(coverages: list[Coverage]) -> None:
    summed = Coverage()
    for c in coverages:
        summed += c
    assert Coverage.total(coverages) == summed
    assert Coverage.total(iter(coverages)) == summed


def test_the_total_refuses_what_is_not_a_coverage() -> None:
    with pytest.raises(TypeError, match="not a Coverage: int"):
        Coverage.total([Coverage(), 3])  # type: ignore[list-item]


def test_a_coverage_adds_up_prints_on_one_line_and_has_a_ratio() -> None:
    c = Coverage(cells=200, read=180, by_order=7, split=2, refused=3, absent=17)
    assert str(c) == "180 of 200 cells read (90.0%; 7 by order, 2 split, 3 refused, 17 absent)"
    assert "\n" not in str(c)
    assert c.ratio == 0.9
    assert c + Coverage() == c
    assert Coverage.total([c, c, Coverage()]) == Coverage(400, 360, 14, 4, 6, 34)
    assert c.as_dict() == {
        "cells": 200,
        "read": 180,
        "by_order": 7,
        "split": 2,
        "refused": 3,
        "absent": 17,
        "ratio": 0.9,
    }
    assert Coverage().ratio == 0.0  # no cells (nothing found, shape unknown): never a division by zero


def test_nothing_read_has_no_cells() -> None:
    assert Imported(None, (), {}, "x").coverage == Coverage()


def test_by_order_and_split_are_counted_by_provenance_how() -> None:
    report = gk.examples.seed_report()
    paths = [c.path for c in layout(shape_of(report))]
    place = gk.errors.Place("x")
    prov = {p: Provenance(place, "1") for p in paths[:10]}
    prov.update({p: Provenance(place, "1", how="order") for p in paths[10:14]})
    prov.update({p: Provenance(place, "1", how="split") for p in paths[14:15]})
    prov.update({p: Provenance(place, "x", how="order", refused=True) for p in paths[15:17]})
    got = Imported(report, (), prov, "x").coverage
    assert got == Coverage(len(paths), 15, 4, 1, 2, len(paths) - 17)
    # with no report, the shape is the smallest one holding every cell found
    every = {p: Provenance(place, "1") for p in paths}
    assert Imported(None, (), every, "x").coverage == Coverage(len(paths), len(paths), 0, 0, 0, 0)
    assert Imported(None, (), prov, "x").coverage.cells <= len(paths)


# --- real cases ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("seed-xicheng-xinfang-2023.txt", {}),
        ("shuyang-fagaiju-2023.html", {}),
        ("huaian-hongze-qu-2024.pdf", {}),
        ("shanghai-shizhengfu-bangongting-2019.html", {"agency": "上海市人民政府办公厅", "year": 2019}),
    ],
)
def test_the_real_cases_are_read_whole(name: str, options: dict[str, Any]) -> None:
    checked = check(CASES / name, **options)
    got = checked.imported
    assert got.report is not None
    c = got.coverage
    _invariants(c)
    assert c.cells == _cells(got.report)
    assert (c.read, c.refused, c.absent, c.ratio) == (c.cells, 0, 0, 1.0)
    # a blank printed is read as blank: the cases' empty cells are among the cells read
    blanks = sum(v is None for _, v in gk.model.cells(got.report))
    assert blanks <= c.read
    assert checked.coverage == c


def test_a_printed_blank_mark_is_read_and_a_missing_row_is_absent() -> None:
    report = gk.examples.seed_report()
    page = render_html(report)
    tds = list(_TD.finditer(page))
    marked = page[: tds[0].start(2)] + "/" + page[tds[0].end(2) : tds[1].start(2)] + "" + page[tds[1].end(2) :]
    got = read_html(marked.encode())
    assert got.report is not None
    assert got.report.table2.regulations.issued is None
    assert got.coverage == Coverage(_cells(report), _cells(report), 0, 0, 0, 0)


def test_a_value_the_parser_refuses_is_refused_not_read() -> None:
    report = gk.examples.seed_report()
    page = render_html(report)
    td = next(_TD.finditer(page))
    got = read_html((page[: td.start(2)] + "约10" + page[td.end(2) :]).encode())
    assert [p.code for p in got.errors] == ["READ_VALUE_REFUSED"]
    refused = [path for path, p in got.provenance.items() if p.refused]
    assert refused == ["table2.regulations.issued"]
    assert got.coverage == Coverage(_cells(report), _cells(report) - 1, 0, 0, 1, 0)


def test_a_value_the_model_refuses_is_refused_even_with_no_report(monkeypatch: pytest.MonkeyPatch) -> None:
    """A figure the parser takes but the model refuses leaves no report: the cell is still counted as refused.

    (The parser refuses what the model would today; a parser that let one through is simulated.)
    """
    from gongkai_model.formats import _assemble
    from gongkai_model.formats._values import ParsedValue

    parse = _assemble.parse_value

    def lenient(text: str | None, kind: Any, *, unit: str | None = None) -> ParsedValue:
        return ParsedValue(-5, text or "") if text == "-5" else parse(text, kind, unit=unit)

    monkeypatch.setattr(_assemble, "parse_value", lenient)
    report = gk.examples.seed_report()
    page = render_html(report)
    td = next(_TD.finditer(page))
    got = read_html((page[: td.start(2)] + "-5" + page[td.end(2) :]).encode())
    assert got.report is None
    assert [p.code for p in got.errors] == ["READ_INVALID"]
    assert [p for p, v in got.provenance.items() if v.refused] == ["table2.regulations.issued"]
    assert got.coverage == Coverage(_cells(report), _cells(report) - 1, 0, 0, 1, 0)


# --- generated reports: the invariant -----------------------------------------------------------------


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    phases=(Phase.explicit, Phase.reuse, Phase.generate),  # a failing page is printed whole: no slow shrinking
)
@given(report=table_reports(), data=st.data())
def test_read_refused_and_absent_add_up_on_generated_reports(report: gk.AnnualReport, data: st.DataObject) -> None:
    page = render_html(report)
    rows = list(_ROW.finditer(page))
    drop = data.draw(st.sets(st.sampled_from(range(len(rows))), max_size=3), label="rows removed")
    absent = sum(len(_TD.findall(rows[i].group())) for i in drop)
    for i in sorted(drop, reverse=True):
        page = page[: rows[i].start()] + page[rows[i].end() :]
    tds = list(_TD.finditer(page))
    change = data.draw(
        st.dictionaries(
            st.sampled_from(range(len(tds))), st.sampled_from(["约10", "abc", "/", "-", "无", ""]), max_size=6
        ),
        label="cells changed",
    )
    for i in sorted(change, reverse=True):
        page = page[: tds[i].start(2)] + change[i] + page[tds[i].end(2) :]
    refused = sum(v in ("约10", "abc") for v in change.values())
    got = read_html(page.encode(), agency="某局", year=report.year, edition=report.edition.value)
    c = got.coverage
    _invariants(c)
    assert c.cells == _cells(report)
    assert (c.refused, c.absent) == (refused, absent)
    assert c.read == c.cells - refused - absent
    assert (c.by_order, c.split) == (0, 0)  # every figure here is placed by its labels


# --- check, batch and the command line ----------------------------------------------------------------


def _refused_workbook(target: Path) -> None:
    buffer = io.BytesIO()
    excel.write_report(gk.examples.seed_report(), buffer)
    wb = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    wb["表三"]["D7"] = "约10"
    wb.save(target)


def _folder(tmp_path: Path) -> tuple[Coverage, Coverage]:
    seed = gk.examples.seed_report()
    (tmp_path / "good.txt").write_text(render_text(seed), encoding="utf-8")
    _refused_workbook(tmp_path / "refused.xlsx")
    (tmp_path / "broken.json").write_text("{", encoding="utf-8")
    (tmp_path / "seed.json").write_text(gk.dumps(seed), encoding="utf-8")  # every cell given: every cell read
    n = _cells(seed)
    return Coverage(n, n, 0, 0, 0, 0), Coverage(n, n - 1, 0, 0, 1, 0)


def test_check_many_totals_the_coverage(tmp_path: Path) -> None:
    good, refused = _folder(tmp_path)
    batch = check_many(sorted(str(p) for p in tmp_path.iterdir()), executor="serial")
    by_name = {Path(f.path).name: f.coverage for f in batch.files}
    assert by_name == {"broken.json": Coverage(), "good.txt": good, "refused.xlsx": refused, "seed.json": good}
    assert batch.coverage == good + refused + good
    assert batch.summary()["files"] == 4  # the summary's counts are unchanged
    # dropping the provenance (smaller results) keeps the coverage, and so does a journal on resume
    journal = tmp_path.parent / f"{tmp_path.name}.jsonl"
    paths = sorted(str(p) for p in tmp_path.iterdir())
    lean = check_many(paths, executor="serial", provenance=False, journal=journal)
    assert all(not f.checked.imported.provenance for f in lean.files)
    assert [f.coverage for f in lean.files] == [f.coverage for f in batch.files]
    resumed = check_many(paths, executor="serial", provenance=False, journal=journal, resume=True)
    assert [f.coverage for f in resumed.files] == [f.coverage for f in batch.files]


def test_gongkai_check_prints_the_coverage_per_file_and_in_the_summary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    good, refused = _folder(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert main(["check", ".", "--jobs", "1", "--lang", "en"]) == 1
    out = capsys.readouterr().out
    lines = {line.split()[1].rstrip(":"): line for line in out.splitlines() if line and not line.startswith(" ")}
    assert lines["good.txt"].endswith(f"(2021 format)  {good}")
    assert f"(2021 format)  {refused}: 1 reading error(s)" in lines["refused.xlsx"]
    assert lines["seed.json"].endswith(f"(2021 format)  {good}")
    assert lines["broken.json"].startswith("unreadable")
    assert "cells read" not in lines["broken.json"]  # nothing found: no coverage shown
    total = good + refused + good
    summary = out.splitlines()
    assert summary[-1] == "NOT OK: 2 of 4 file(s) clean"  # the verdict line stays last
    assert summary[-3] == f"coverage: {total} in 3 of 4 file(s) (1 with no cell found)"
    assert summary[-2].startswith("checked: ")  # what could be checked, before the verdict

    assert main(["check", ".", "--jobs", "1", "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    files = {f["path"]: f["coverage"] for f in data["files"]}
    assert files == {
        "broken.json": Coverage().as_dict(),
        "good.txt": good.as_dict(),
        "refused.xlsx": refused.as_dict(),
        "seed.json": good.as_dict(),
    }
    assert data["coverage"] == total.as_dict()
    assert set(data["summary"]) == {"files", *gk.batch.STATUSES}  # the summary keeps its keys


def test_a_journal_entry_with_a_malformed_coverage_is_checked_again(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    good, _ = _folder(folder)
    journal = tmp_path / "run.jsonl"
    paths = sorted(str(p) for p in folder.iterdir())
    first = check_many(paths, executor="serial", provenance=False, journal=journal)
    lines = journal.read_text(encoding="utf-8").splitlines()
    entries = [json.loads(line) for line in lines[1:]]
    for entry, bad in zip(entries, [{"cells": -1}, {**good.as_dict()}, {"cells": "200"}, None], strict=True):
        entry["coverage"] = bad  # wrong keys, an extra key (ratio), a string, not an object: not an entry of ours
    journal.write_text("\n".join([lines[0], *(json.dumps(e) for e in entries)]) + "\n", encoding="utf-8")
    again = check_many(paths, executor="serial", provenance=False, journal=journal, resume=True)
    assert [f.coverage for f in again.files] == [f.coverage for f in first.files]
    assert again == first
