"""``gongkai convert`` and ``gongkai template``, and the template prefill keywords of ``excel.write_template``."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest

import gongkai_model as gk
from gongkai_model import excel
from gongkai_model.__main__ import main
from gongkai_model.cli._convert import WRITERS
from gongkai_model.formats import render_html
from gongkai_model.model import get_path, layout, replace_path, shape_of
from gongkai_model.model.tables import Applications, DocumentRow2021

from conftest import CASES


def _figures(report: gk.AnnualReport) -> list[object]:
    return [r.value for r in gk.to_records(report)]


@pytest.mark.parametrize("suffix", sorted(WRITERS))
@pytest.mark.parametrize("source", ["report.json", "report.html"])
def test_convert_to_every_writable_format_keeps_every_figure(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], suffix: str, source: str
) -> None:
    real = gk.read(CASES / "shuyang-fagaiju-2023.html").report
    assert real is not None
    given = tmp_path / source
    given.write_bytes((gk.dumps(real) if source.endswith("json") else render_html(real)).encode("utf-8"))
    out = tmp_path / f"out{suffix}"
    assert main(["convert", str(given), str(out)]) == 0
    assert capsys.readouterr().out == f"wrote {out}\n"
    back = gk.read(out)
    assert back.ok, back.summary()
    assert back.report is not None
    assert _figures(back.report) == _figures(real)
    assert (back.report.agency, back.report.year) == (real.agency, real.year)


def test_convert_refuses_a_partly_read_file_unless_forced(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = render_html(gk.examples.seed_report()).replace("<td>0</td>", "<td>十二</td>", 1)
    (tmp_path / "p.html").write_text(page, encoding="utf-8")
    out = tmp_path / "p.json"
    assert main(["convert", str(tmp_path / "p.html"), str(out)]) == 1
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1
    assert "could not be read completely (1 reading error(s), the first READ_VALUE_REFUSED at" in err
    assert "--force" in err
    assert not out.exists()
    assert main(["convert", str(tmp_path / "p.html"), str(out), "--force"]) == 0
    assert "those figures are blank" in capsys.readouterr().err
    assert sum(v is None for v in _figures(gk.loads(out.read_text(encoding="utf-8")))) == 1


def test_convert_of_an_unreadable_file_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "u.json").write_text("{", encoding="utf-8")
    assert main(["convert", str(tmp_path / "u.json"), str(tmp_path / "u.html")]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"gongkai: cannot read {tmp_path / 'u.json'}: no report could be read (READ_JSON")
    assert len(err.splitlines()) == 1
    assert not (tmp_path / "u.html").exists()


def test_convert_to_an_unwritable_place_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "r.json").write_text(gk.dumps(gk.examples.seed_report()), encoding="utf-8")
    (tmp_path / "dir.html").mkdir()
    for target, reason in [
        (tmp_path / "no" / "r.html", f"no such folder {tmp_path / 'no'}"),
        (tmp_path / "dir.html", "it is a folder"),
    ]:
        assert main(["convert", str(tmp_path / "r.json"), str(target)]) == 2  # said before reading
        assert capsys.readouterr().err == f"gongkai: cannot write {target}: {reason}\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dir.html", "r.json"]  # no temporary file left


@pytest.mark.parametrize(
    "args",
    [
        ["check", "{r}", "--write-baseline", "{no}/b.json"],
        ["check", "{r}", "--journal", "{no}/j.jsonl"],
        ["template", "{no}/t.xlsx", "--agency", "A", "--year", "2024"],
    ],
    ids=["baseline", "journal", "template"],
)
def test_output_paths_are_checked_before_reading(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    """Issue 17: an output path that cannot be written fails the command at once, before any file is read."""
    (tmp_path / "r.json").write_text(gk.dumps(gk.examples.seed_report()), encoding="utf-8")
    argv = [a.format(r=tmp_path / "r.json", no=tmp_path / "no") for a in args]
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""  # nothing was read or printed
    target = argv[-1] if args[0] == "check" else argv[1]
    assert captured.err == f"gongkai: cannot write {target}: no such folder {tmp_path / 'no'}\n"


# --- templates ---------------------------------------------------------------------------------------------


def _last_year() -> gk.AnnualReport:
    """Last year's report with figures in 四、结转下年度继续办理 and 表二's 现行有效件数."""
    r = gk.examples.seed_report()
    r = replace_path(r, "table3.carried_forward.natural_person", 4)
    r = replace_path(r, "table3.carried_forward.commercial", None)
    r = replace_path(r, "table3.carried_forward.total", 4)
    r = replace_path(r, "table2.regulations.in_force", 7)
    return replace_path(r, "table2.normative_documents.in_force", 12)


def _read_template(data: bytes) -> gk.Imported:
    got = gk.read(data, format="xlsx")
    assert got.report is not None
    return got


def test_template_from_last_year_carries_its_carried_forward() -> None:
    last = _last_year()
    buffer = io.BytesIO()
    excel.write_template(buffer, agency="某区人民政府", year=2024, previous=last)
    got = _read_template(buffer.getvalue())
    report = got.report
    assert report is not None
    this, before = Applications.CARRY
    assert getattr(report.table3, this) == getattr(last.table3, before)  # blanks stay blank, total by formula
    assert report.table3.carried_over.commercial is None
    assert got.provenance["table3.carried_over.total"].formula
    # every other figure is blank: nothing else is carried, nothing invented
    carried = {c.path for c in layout(shape_of(report)) if c.path.startswith(f"table3.{this}.")}
    others = [c.path for c in layout(shape_of(report)) if c.path not in carried]
    assert all(get_path(report, p) is None for p in others)
    # 现行有效件数 is this year's figure: left blank, with last year's as a note on its cell
    wb = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    stock = DocumentRow2021.STOCK[0]
    notes = {}
    for row in ("regulations", "normative_documents"):
        cell = got.provenance.get(f"table2.{row}.{stock}")
        assert cell is None or cell.text == ""
        name = f"gk.table2.{row}.{stock}"
        sheet, ref = next(iter(wb.defined_names[name].destinations))
        notes[row] = wb[sheet][ref.replace("$", "")].comment.text
    assert notes["regulations"].startswith("上年度（2023年）现行有效件数：7。")
    assert notes["normative_documents"].startswith("上年度（2023年）现行有效件数：12。")


def test_template_from_a_year_that_is_not_last_year_is_refused() -> None:
    with pytest.raises(gk.GongkaiError, match="a template for 2025 starts from 2024"):
        excel.write_template(io.BytesIO(), agency="A", year=2025, previous=_last_year())


def test_template_from_a_2019_report_carries_table3_and_notes_nothing_in_table2() -> None:
    last = gk.AnnualReport.blank(agency="A", year=2020)
    assert last.edition is gk.Edition.FORMAT_2019
    for column, value in (("natural_person", 5), ("research", 0), ("total", 5)):
        last = replace_path(last, f"table3.carried_forward.{column}", value)
    last = replace_path(last, "table2.regulations.total_public", 9)
    buffer = io.BytesIO()
    excel.write_template(buffer, agency="A", year=2021, previous=last)
    report = _read_template(buffer.getvalue()).report
    assert report is not None
    assert report.edition is gk.Edition.FORMAT_2021
    assert _figures_of(report.table3.carried_over) == _figures_of(last.table3.carried_forward)
    wb = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    assert not [c for ws in wb for row in ws.iter_rows() for c in row if c.comment]


def _figures_of(counts: gk.model.ApplicantCounts) -> list[object]:
    return [counts.natural_person, counts.commercial, counts.research, counts.total]


def test_template_from_a_draft_round_trips_every_figure_and_text() -> None:
    real = gk.read(CASES / "shuyang-fagaiju-2023.html").report
    assert real is not None
    buffer = io.BytesIO()
    excel.write_template(buffer, draft=real)
    got = _read_template(buffer.getvalue())
    assert got.ok, got.summary()
    assert got.report == real
    assert got.provenance["table3.results.total.total"].formula  # totals stay formulas: editable
    wb = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    assert wb["表三"].protection.sheet


def test_template_from_a_draft_with_broken_totals_is_refused() -> None:
    bad = replace_path(gk.examples.seed_report(), "table4.reconsideration.upheld", 3)
    with pytest.raises(gk.GongkaiError) as info:
        excel.write_template(io.BytesIO(), draft=bad)
    assert [p.location for p in info.value.problems] == ["table4.reconsideration.total"]


def test_template_draft_conflicts_are_refused() -> None:
    seed = gk.examples.seed_report()
    with pytest.raises(gk.GongkaiError, match="the draft fixes the template's shape"):
        excel.write_template(io.BytesIO(), draft=seed, edition="2019")
    with pytest.raises(gk.GongkaiError, match="agency"):
        excel.write_template(io.BytesIO(), year=2024)


def test_template_from_names_the_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Regression (issue 17): a --from file of another year or agency is spoken of as --from."""
    last = tmp_path / "last.json"
    last.write_text(gk.dumps(_last_year()), encoding="utf-8")
    year = _last_year().year
    out = tmp_path / "t.xlsx"
    agency = _last_year().agency
    assert main(["template", str(out), "--agency", agency, "--year", str(year + 5), "--from", str(last)]) == 2
    err = capsys.readouterr().err
    assert f"--from {last} is the report of {year}; a template for {year + 5} starts from" in err
    assert not out.exists()
    assert main(["template", str(out), "--agency", "另一个单位", "--year", str(year + 1), "--from", str(last)]) == 0
    captured = capsys.readouterr()
    assert f"--from {last} is the report of {_last_year().agency}, not of 另一个单位" in captured.err
    assert captured.out == f"wrote {out}\n"


def test_template_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    last = tmp_path / "last.html"
    last.write_text(render_html(_last_year()), encoding="utf-8")
    out = tmp_path / "t.xlsx"
    assert main(["template", str(out), "--agency", "某区人民政府", "--year", "2024", "--from", str(last)]) == 0
    assert capsys.readouterr().out == f"wrote {out}\n"
    report = _read_template(out.read_bytes()).report
    assert report is not None
    assert (report.agency, report.year) == ("某区人民政府", 2024)
    assert report.table3.carried_over == _last_year().table3.carried_forward

    draft = tmp_path / "draft.json"
    draft.write_text(gk.dumps(_last_year()), encoding="utf-8")
    assert main(["template", str(out), "--draft", str(draft)]) == 0
    assert _read_template(out.read_bytes()).report == _last_year()

    blank = tmp_path / "b.xlsx"
    assert main(["template", str(blank), "--agency", "A", "--year", "2020", "--edition", "2019"]) == 0
    report = _read_template(blank.read_bytes()).report
    assert report is not None
    assert report.edition is gk.Edition.FORMAT_2019
    assert all(v is None for v in _figures(report))


def test_template_command_refuses_a_broken_draft_in_one_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    draft = tmp_path / "d.json"
    draft.write_text(gk.dumps(replace_path(gk.examples.seed_report(), "table4.reconsideration.upheld", 3)), "utf-8")
    assert main(["template", str(tmp_path / "t.xlsx"), "--draft", str(draft)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"gongkai: cannot write the template {tmp_path / 't.xlsx'}: the draft's totals")
    assert "table4.reconsideration.total" in err
    assert not (tmp_path / "t.xlsx").exists()
