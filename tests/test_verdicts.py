"""Verdicts that count what was checked (issue 17, item 1), and repairs that know which cells were typed (item 3).

A blank template, and a report most of whose identities cannot be assessed, are never ``ok``: in Python
(``validate``, ``read``, ``check``), in a batch (statuses, summary, journal), on the command line (text,
JSON, exit status) and in the workbook's 校验 sheet (see also ``test_libreoffice.py``).
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import attrs
import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

import gongkai_model as gk
from gongkai_model import batch, excel
from gongkai_model.__main__ import main
from gongkai_model.errors import UNASSESSED_SHARE, Severity, Tally, Verdict
from gongkai_model.model.layout import blank_of, layout, shape_of

from conftest import CASES

SEED = gk.examples.seed_report()


def blank_template(agency: str = "某县", year: int = 2023) -> bytes:
    """``gongkai template t.xlsx --agency 某县 --year 2023``: a workbook with no figure typed in."""
    buffer = io.BytesIO()
    excel.write_template(buffer, agency=agency, year=year)
    return buffer.getvalue()


def partly_filled() -> gk.AnnualReport:
    """The seed report with 表三 left blank: 3 of its 42 identities can be assessed (表四's), 39 cannot."""
    return attrs.evolve(blank_of(shape_of(SEED)), agency="某县", year=2023, table2=SEED.table2, table4=SEED.table4)


def filled_template(report: gk.AnnualReport) -> openpyxl.Workbook:
    """The template of ``report``'s shape with every input typed in, as a person would (by defined name)."""
    wb = openpyxl.load_workbook(io.BytesIO(blank_template(report.agency or "某县", report.year or 2023)))
    for cell, value in zip(layout(shape_of(report)), gk.model.values(report), strict=True):
        name = f"gk.{cell.path}"
        if name in wb.defined_names:
            (sheet, ref), *_ = list(wb.defined_names[name].destinations)
            wb[sheet][ref.replace("$", "")].value = value
    return wb


def saved(wb: openpyxl.Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --- Python: validate, read, check -----------------------------------------------------------------------


def test_a_blank_template_is_empty_never_ok() -> None:
    checked = gk.check(blank_template(), format="xlsx")
    assert checked.verdict is Verdict.EMPTY
    assert not checked.ok
    assert not checked.verdict.clean
    assert checked.imported.verdict is Verdict.EMPTY  # reading alone already says so
    assert not checked.imported.ok
    assert checked.validation is not None
    assert checked.validation.verdict is Verdict.EMPTY
    assert not checked.validation.ok
    tally = checked.tally
    assert tally == Tally(figures=0, cells=200, held=0, broken=0, not_assessable=42)
    assert tally.assessed == 0
    assert checked.validation.assessed == 4  # the checks' other items; no identity among them
    assert "NOT OK (empty): 0 of 42 identities assessed (0 held, 0 broken), 42 not assessable" in checked.summary()
    assert checked.summary().endswith(": NOT OK (empty)")
    assert "0 of 200 cells hold a figure" in checked.imported.summary()
    # blanks read as 0 make every identity hold, and still nothing was filled in
    lenient = gk.check(blank_template(), format="xlsx", blanks_as_zero=True)
    assert lenient.tally is not None
    assert lenient.tally.held == 42
    assert lenient.verdict is Verdict.EMPTY


def test_a_report_with_most_identities_not_assessable_is_unassessed() -> None:
    result = gk.validate(partly_filled())
    assert result.verdict is Verdict.UNASSESSED
    assert not result.ok
    assert result.tally == Tally(figures=25, cells=200, held=3, broken=0, not_assessable=39)
    assert (
        result.summary()
        .splitlines()[-1]
        .startswith(
            "NOT OK (unassessed): 3 of 42 identities assessed (3 held, 0 broken), 39 not assessable; "
            "25 of 200 cells hold a figure; "
        )
    )
    checked = gk.check(gk.dumps(partly_filled()).encode(), format="json")
    assert checked.verdict is Verdict.UNASSESSED
    assert checked.imported.verdict is Verdict.OK  # reading assesses no identity
    assert not checked.ok
    assert gk.validate(partly_filled(), blanks_as_zero=True).verdict is Verdict.OK  # blanks meant as 0


def test_a_real_2019_page_with_38_of_40_identities_blank_is_unassessed() -> None:
    checked = gk.check(CASES / "shanghai-shizhengfu-bangongting-2019.html")
    assert checked.verdict is Verdict.UNASSESSED
    assert not checked.ok
    assert checked.tally is not None
    assert (checked.tally.assessed, checked.tally.not_assessable) == (2, 38)


def test_a_broken_identity_is_inconsistent_even_when_most_are_not_assessable() -> None:
    report = gk.model.replace_path(partly_filled(), "table4.reconsideration.upheld", 3)
    result = gk.validate(report)
    assert result.verdict is Verdict.INCONSISTENT
    assert result.tally is not None
    assert (result.tally.held, result.tally.broken) == (2, 1)


def test_the_tally_counts_only_the_identities_of_the_checks_that_ran() -> None:
    result = gk.validate(partly_filled(), checks=["T4_TOTAL"])
    assert result.tally == Tally(figures=25, cells=200, held=3, broken=0, not_assessable=0)
    assert result.verdict is Verdict.OK
    assert gk.validate(blank_of(shape_of(SEED)), checks=["EDITION_YEAR"]).verdict is Verdict.EMPTY


_severities = st.lists(st.sampled_from(["error", "inconsistency", "warning", "info"]), max_size=4)
_tallies = st.builds(
    Tally,
    figures=st.integers(0, 300),
    cells=st.just(300),
    held=st.integers(0, 70),
    broken=st.integers(0, 70),
    not_assessable=st.integers(0, 70),
)


@given(problems=_severities, findings=_severities, tally=st.none() | _tallies)
def test_a_clean_verdict_always_had_figures_and_most_identities_assessed(
    problems: list[str], findings: list[str], tally: Tally | None
) -> None:
    problems = [p for p in problems if p != "inconsistency"]  # reading problems have no inconsistency
    verdict = Verdict.of(problems, findings, tally=tally)
    assert verdict.passes() == verdict.clean
    assert verdict.passes(unassessed=True) == (verdict.clean or verdict is Verdict.UNASSESSED)
    if verdict.clean and tally is not None:
        assert tally.figures > 0
        assert tally.not_assessable <= tally.identities * UNASSESSED_SHARE
    if tally is not None and tally.figures == 0 and "error" not in problems + findings:
        assert verdict is (Verdict.INCONSISTENT if "inconsistency" in findings else Verdict.EMPTY)
    # without a tally the verdict is the one of the severities alone, as before
    assert Verdict.of(problems, findings) in {Verdict.INCOMPLETE, Verdict.INCONSISTENT, Verdict.WARNINGS, Verdict.OK}


@given(st.lists(st.none() | _tallies, max_size=5))
def test_tallies_add_up(tallies: list[Tally | None]) -> None:
    total = Tally.total(tallies)
    got = [t for t in tallies if t is not None]
    assert total.identities == sum(t.identities for t in got)
    assert total.as_dict()["assessed"] == sum(t.held + t.broken for t in got)
    assert set(total.as_dict()) == {"identities", "assessed", "held", "broken", "not_assessable", "figures", "cells"}


# --- the command line: text, JSON, exit status --------------------------------------------------------------


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "t.xlsx").write_bytes(blank_template())
    (tmp_path / "part.json").write_text(gk.dumps(partly_filled()), encoding="utf-8")
    (tmp_path / "good.json").write_text(gk.dumps(SEED), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_gongkai_check_calls_a_blank_template_empty_and_exits_1(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "t.xlsx", "--warnings", "--jobs", "1", "--lang", "en"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("empty         t.xlsx  某县 2023 (2021 format)")
    assert re.search(r"^empty +1$", out, re.MULTILINE)
    assert re.search(r"^ok +0$", out, re.MULTILINE)
    assert (
        "checked: 0 of 42 identities assessed (0 held, 0 broken), 42 not assessable; 0 of 200 cells hold a figure, "
        "in 1 of 1 file(s)"
    ) in out
    assert out.rstrip().endswith("NOT OK: 0 of 1 file(s) clean")
    assert (
        main(["check", "t.xlsx", "--allow-unassessed", "--jobs", "1", "--lang", "en"]) == 1
    )  # empty is never accepted
    capsys.readouterr()
    assert main(["check", "t.xlsx", "--format", "json", "--jobs", "1", "--lang", "en"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] is False
    assert data["summary"]["empty"] == 1
    assert data["summary"]["ok"] == 0
    (file,) = data["files"]
    assert (file["status"], file["ok"]) == ("empty", False)
    assert file["identities"] == {
        "identities": 42,
        "assessed": 0,
        "held": 0,
        "broken": 0,
        "not_assessable": 42,
        "figures": 0,
        "cells": 200,
    }
    assert data["identities"] == file["identities"]


def test_gongkai_check_fails_an_unassessed_report_unless_allowed(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "part.json", "good.json", "--jobs", "1", "--lang", "en"]) == 1
    out = capsys.readouterr().out
    assert re.search(r"^unassessed +part\.json ", out, re.MULTILINE)
    assert re.search(r"^unassessed +1$", out, re.MULTILINE)
    assert "checked: 45 of 84 identities assessed (45 held, 0 broken), 39 not assessable; " in out
    assert out.rstrip().endswith("NOT OK: 1 of 2 file(s) clean")

    assert main(["check", "part.json", "good.json", "--allow-unassessed", "--jobs", "1", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^unassessed +part\.json ", out, re.MULTILINE)  # accepted, still said
    assert out.rstrip().endswith("OK: 2 of 2 file(s) clean")

    assert main(["check", "part.json", "--allow-unassessed", "--format", "json", "--jobs", "1", "--lang", "en"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["ok"], data["files"][0]["status"], data["files"][0]["ok"]) == (True, "unassessed", True)
    assert data["files"][0]["identities"]["not_assessable"] == 39

    assert main(["check", "part.json", "--blanks-as-zero", "--jobs", "1", "--lang", "en"]) == 0  # blanks meant as 0


def test_a_baseline_fills_no_blank(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "part.json", "t.xlsx", "--jobs", "1", "--lang", "en", "--write-baseline", "base.json"]) == 1
    base = json.loads((folder / "base.json").read_text(encoding="utf-8"))
    assert len(base["files"]["part.json"]) == 39  # every identity not assessable, accepted
    capsys.readouterr()
    assert (
        main(
            [
                "check",
                "part.json",
                "t.xlsx",
                "--jobs",
                "1",
                "--lang",
                "en",
                "--baseline",
                "base.json",
                "--format",
                "json",
            ]
        )
        == 1
    )
    data = json.loads(capsys.readouterr().out)
    assert {f["path"]: f["status"] for f in data["files"]} == {"part.json": "unassessed", "t.xlsx": "empty"}


# --- a batch: statuses, summary, journal ------------------------------------------------------------------


def test_a_batch_counts_what_was_checked_and_its_journal_keeps_the_verdicts(folder: Path) -> None:
    journal = folder / "run.jsonl"
    result = batch.check_many(
        [folder / "t.xlsx", folder / "part.json", folder / "good.json"], executor="serial", journal=journal
    )
    statuses = {Path(f.path).name: f.status for f in result.files}
    assert statuses == {"t.xlsx": "empty", "part.json": "unassessed", "good.json": "ok"}
    assert not result.ok
    by_name = {Path(f.path).name: f for f in result.files}
    assert not by_name["part.json"].ok()
    assert by_name["part.json"].ok(unassessed=True)
    assert not by_name["t.xlsx"].ok(unassessed=True)
    summary = result.summary()
    assert (summary["ok"], summary["unassessed"], summary["empty"]) == (1, 1, 1)
    assert (summary["identities"], summary["held"], summary["broken"], summary["not_assessable"]) == (126, 45, 0, 81)
    assert summary["assessed"] == 45
    assert (summary["figures"], summary["cells"]) == (225, 600)
    assert result.tally == Tally.total(f.tally for f in result.files)

    resumed = batch.check_many(
        [folder / "t.xlsx", folder / "part.json", folder / "good.json"],
        executor="serial",
        journal=journal,
        resume=True,
    )
    assert [(f.status, f.tally) for f in resumed.files] == [(f.status, f.tally) for f in result.files]


# --- item 3: repairs that know which cells were typed -------------------------------------------------------


def with_applications() -> gk.AnnualReport:
    """The seed report (which has no application) with 6 applications received and granted: 4 and 2."""
    report = SEED
    for row in ("new_received", "results.granted"):
        for column, value in (("natural_person", 4), ("commercial", 2)):
            report = gk.model.replace_path(report, f"table3.{row}.{column}", value)
    return report


def test_a_total_typed_over_its_formula_gets_the_repair_validate_gives() -> None:
    wb = filled_template(with_applications())
    assert gk.check(saved(wb), format="xlsx").verdict is Verdict.OK  # filled consistently
    assert wb["表三"]["J7"].value == "=SUM(D7,E7,F7,G7,H7,I7)"  # （一）予以公开 × 总计, whose parts add up to 6
    wb["表三"]["J7"] = 99  # typed over the formula
    ref, parts, typed = "J7", 6, 99
    checked = gk.check(saved(wb), format="xlsx")
    assert checked.report is not None
    assert checked.validation is not None
    plain = gk.validate(checked.report)
    assert plain.suggestions
    assert checked.validation.suggestions == plain.suggestions
    best = checked.validation.best
    assert len(best) == 1
    (change,) = best[0].changes
    assert (change.current, change.proposed, change.derived) == (typed, parts, False)
    assert checked.imported.provenance[change.path].place.cell == f"表三!{ref}"
    assert f"由 {typed} 改为 {parts}" in best[0].message_zh
    repaired = checked.validation.apply(checked.report, best[0])
    assert gk.validate(repaired).verdict is Verdict.OK


def test_a_mistyped_input_still_moves_its_formula_totals() -> None:
    """The totals that add up keep following their inputs: the repair names the input alone."""
    wb = filled_template(SEED)
    path = "table3.carried_forward.natural_person"
    (sheet, ref), *_ = list(wb.defined_names[f"gk.{path}"].destinations)
    cell = wb[sheet][ref.replace("$", "")]
    cell.value = cell.value + 7
    checked = gk.check(saved(wb), format="xlsx")
    assert checked.validation is not None
    best = checked.validation.best
    assert best
    assert any([c.path for c in s.inputs] == [path] for s in best)
    assert all(len(s.inputs) == 1 for s in best)  # one typed figure each, the formula totals following
    assert all(c.derived for s in best for c in s.changes if c not in s.inputs)


def test_a_formula_over_a_refused_input_names_the_input() -> None:
    wb = filled_template(SEED)
    wb["表三"]["D7"] = "约10"
    checked = gk.check(saved(wb), format="xlsx")
    formula = [p for p in checked.problems if p.code == "READ_FORMULA"]
    assert formula
    assert all("the cell 表三!D7 it adds up holds '约10', not a number" in p.message for p in formula)
    assert all("has no saved value" not in p.message for p in formula)
    assert {p.severity for p in formula} == {Severity.ERROR}
    assert any(p.place is not None and p.place.cell == "表三!J7" for p in formula)
    refused = [p for p in checked.problems if p.code == "READ_VALUE_REFUSED"]
    assert [p.place.cell for p in refused if p.place is not None] == ["表三!D7"]


# --- the workbook: the 校验 sheet's summary -------------------------------------------------------------------


def test_the_check_sheet_has_a_summary_beside_the_checks() -> None:
    ws = openpyxl.load_workbook(io.BytesIO(blank_template()))["校验"]
    labels = [ws.cell(row=r, column=10).value for r in range(1, 10)]
    assert labels == [
        "汇总",
        "勾稽关系（项）",
        "已核对",
        "其中成立",
        "其中不成立",
        "无法核对（有空白单元格）",
        "已填报数字的单元格",
        "应填报的单元格",
        "结论",
    ]
    assert ws["K2"].value == 42
    assert ws["K9"].value.startswith('=IF(K7=0,"未填报')
    assert "多数无法核对" in ws["K9"].value
    assert all(len(str(ws.cell(row=r, column=11).value)) < 8192 for r in range(1, 10))  # Excel's formula limit
    assert ws.max_row == 43  # the checks' rows are unchanged: one per identity, under the header
    assert ws.column_dimensions["Z"].hidden  # each check's status as gk.check sees it, counted by the summary
    assert ws["Z2"].value.startswith("=IF(OR(COUNT(")
    assert ws["K4"].value == '=COUNTIF(Z2:Z43,"成立")'


def test_the_notebook_badge_never_says_ok_for_an_empty_or_unassessed_report() -> None:
    from gongkai_model import notebook

    empty = gk.validate(blank_of(shape_of(SEED)))._repr_html_()
    assert "NOT OK (empty)" in empty
    assert "✓ OK" not in empty
    assert "0 of 42 identities assessed" in empty
    assert "NOT OK (unassessed)" in notebook.report_html(partly_filled())
    assert "✓ OK" in gk.validate(SEED)._repr_html_()


# --- hostile: a huge text summed by every formula above it ------------------------------------------------


def make_formulas_over_a_huge_text() -> object:
    """A filled template whose 表三!D7 holds 30,000 characters, summed by its row's, its column's and
    the （七）总计's formulas: each formula names the cell, and no message carries the text."""
    wb = filled_template(with_applications())
    wb["表三"]["D7"] = "约" * 30_000
    return gk.check(saved(wb), format="xlsx")


def test_formulas_over_a_huge_text_name_the_cell_with_short_messages() -> None:
    from hostile import assert_contract, run_capped

    outcome = assert_contract(run_capped("test_verdicts:make_formulas_over_a_huge_text"))
    formula = [p for p in outcome.problems if p["code"] == "READ_FORMULA"]
    assert formula
    assert all("表三!D7" in p["message"] and len(p["message"]) < 400 for p in formula)
    assert "READ_VALUE_REFUSED" in outcome.codes
