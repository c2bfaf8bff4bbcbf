"""Notebook HTML: every cell in its place, blanks visibly blank, every text escaped, plain reprs stay plain."""

from __future__ import annotations

import ast
import subprocess
import sys
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from test_cases import build
from test_frames import DOCS, run_doc_blocks

import gongkai_model as gk
from gongkai_model import notebook
from gongkai_model.model import Shape, cells, replace_path, rows
from gongkai_model.model.layout import blank_of

from strategies import table_reports

SRC = Path(__file__).resolve().parents[1] / "src" / "gongkai_model"
EVIL = "<script>alert(1)</script>&"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;&amp;"


@attrs.define
class Grid:
    """One HTML table as parsed: its cells with their spans, text and attributes."""

    rows: list[list[dict[str, Any]]] = attrs.field(factory=list)
    caption: str = ""


class Tables(HTMLParser):
    """Collects every <table>'s rows and cells; fails on a cell outside a row or a row outside a table."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[Grid] = []
        self.cell: dict[str, Any] | None = None
        self.in_caption = False
        self.open_tags: list[str] = []

    def handle_starttag(self, tag: str, attrs_: list[tuple[str, str | None]]) -> None:
        if tag in ("br", "meta"):
            return
        self.open_tags.append(tag)
        if tag == "table":
            self.tables.append(Grid())
        elif tag == "tr":
            assert self.tables, "a row outside a table"
            self.tables[-1].rows.append([])
        elif tag in ("td", "th"):
            assert self.tables, "a cell outside a table"
            assert self.tables[-1].rows, "a cell outside a row"
            self.cell = {"tag": tag, "text": "", **dict(attrs_)}
            self.tables[-1].rows[-1].append(self.cell)
        elif tag == "caption":
            self.in_caption = True

    def handle_endtag(self, tag: str) -> None:
        assert self.open_tags[-1:] == [tag], (tag, self.open_tags[-3:])
        self.open_tags.pop()
        if tag in ("td", "th"):
            self.cell = None
        elif tag == "caption":
            self.in_caption = False

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell["text"] += data
        elif self.in_caption:
            self.tables[-1].caption += data


def parse(text: str) -> list[Grid]:
    parser = Tables()
    parser.feed(text)
    parser.close()
    assert parser.open_tags == [], parser.open_tags
    return parser.tables


def assert_rectangular(grid: Grid) -> None:
    """Row and column spans fill the table exactly: every row has the same width, nothing overlaps."""
    taken: set[tuple[int, int]] = set()
    for y, row in enumerate(grid.rows):
        x = 0
        for cell in row:
            while (y, x) in taken:
                x += 1
            for dy in range(int(cell.get("rowspan", 1))):
                for dx in range(int(cell.get("colspan", 1))):
                    assert (y + dy, x + dx) not in taken
                    taken.add((y + dy, x + dx))
            x += int(cell.get("colspan", 1))
    width = max(x for _, x in taken) + 1
    assert taken == {(y, x) for y in range(len(grid.rows)) for x in range(width)}


def value_cells(grids: list[Grid]) -> dict[str, dict[str, Any]]:
    """The value cells by model path (from their titles)."""
    out = {}
    for grid in grids:
        for row in grid.rows:
            for cell in row:
                kind = (cell.get("class") or "").split(" ")[0]
                if kind in ("gk-value", "gk-blank"):
                    cell["marks"] = cell["class"].split(" ")[1:]
                    cell["class"] = kind
                    path = cell["title"].split("\n")[0].removeprefix("空白 blank: ")
                    assert path not in out
                    out[path] = cell
    return out


def shown(value: object) -> str:
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def assert_report_shown(report: gk.AnnualReport, text: str) -> None:
    grids = parse(text)
    assert len(grids) == 3
    for grid in grids:
        assert_rectangular(grid)
    got = value_cells(grids)
    labels = {c["text"] for g in grids for row in g.rows for c in row if c["tag"] == "th"}
    for cell, value in cells(report):
        shown_cell = got.pop(cell.path)
        if value is None:
            assert shown_cell["class"] == "gk-blank"
            assert shown_cell["text"] == ""
        else:
            assert shown_cell["class"] == "gk-value"
            assert shown_cell["text"] == shown(value)
        assert cell.row in labels
        assert cell.column in labels
    assert got == {}
    for r in rows(gk.model.shape_of(report)):
        for group in r.groups:
            assert group.label in labels
        if r.spec.banner:
            assert r.spec.banner in labels


def test_seed_report_html() -> None:
    report = gk.examples.seed_report()
    text = report._repr_html_()
    assert_report_shown(report, text)
    assert "✓ OK" in text
    assert [g.caption for g in parse(text)] == [
        f"{numeral}、{label}"
        for numeral, label in zip(
            "二三四", [i.spec.label for i in gk.model.field_specs(gk.AnnualReport)][9:12], strict=True
        )
    ]


def test_real_cases_html(case: dict[str, Any]) -> None:
    report = build(case)
    assert_report_shown(report, notebook.report_html(report))


@settings(max_examples=20)
@given(table_reports())
def test_any_report_html(report: gk.AnnualReport) -> None:
    assert_report_shown(report, report._repr_html_())


def test_blank_is_shown_blank_and_zero_as_zero() -> None:
    report = replace_path(gk.examples.seed_report(), "table3.results.granted.natural_person", None)
    got = value_cells(parse(report._repr_html_()))
    assert got["table3.results.granted.natural_person"]["class"] == "gk-blank"
    assert got["table3.results.granted.natural_person"]["text"] == ""
    assert got["table3.results.granted.commercial"]["text"] == "0"
    assert "background" in got["table3.results.granted.natural_person"]["style"]


def test_every_text_is_escaped() -> None:
    report = replace_path(gk.examples.seed_report(), "agency", EVIL)
    report = replace_path(report, "table4.reconsideration.upheld", 2)
    for text in (report._repr_html_(), notebook.render(report)):
        assert "<script" not in text
        assert ESCAPED in text
        assert "NOT OK" in text

    finding = gk.Finding("HTML_TEST", gk.Severity.WARNING, EVIL, EVIL, table=EVIL, row=EVIL, column=EVIL)
    result = attrs.evolve(gk.validate(report), issues=(finding,))
    text = result._repr_html_()
    assert "<script" not in text
    assert text.count(ESCAPED) >= 3  # message_zh, message_en, location
    a = gk.examples.seed_report()
    b = replace_path(report, "agency", EVIL + "b")
    comparison = gk.compare(a, b)
    text = comparison._repr_html_()
    assert "<script" not in text
    assert ESCAPED in text


def test_every_table_class_has_its_html() -> None:
    shapes = [
        Shape(gk.Edition.FORMAT_2019, True, False),
        Shape(gk.Edition.FORMAT_2021, False, False),
        Shape(gk.Edition.FORMAT_2021, True, True),
    ]
    for shape in shapes:
        report = blank_of(shape)
        report = replace_path(report, "table3.carried_over.total", 5)
        for name in ("table2", "table3", "table4"):
            node = getattr(report, name)
            grids = parse(node._repr_html_())
            assert len(grids) == 1
            assert_rectangular(grids[0])
            got = value_cells(grids)
            want = {c.path: v for c, v in cells(report) if c.path.startswith(name + ".")}
            assert set(got) == set(want)
            for path, value in want.items():
                assert got[path]["text"] == ("" if value is None else shown(value))


def test_result_and_suggestions_html() -> None:
    report = replace_path(gk.examples.seed_report(), "table4.reconsideration.upheld", 3)
    result = gk.validate(report)
    text = result._repr_html_()
    grids = parse(text)
    findings, suggestions = grids
    assert len(findings.rows) == 1 + len(result.issues)
    assert len(suggestions.rows) == 1 + len(result.suggestions)
    assert "T4_TOTAL" in text
    assert "NOT OK" in text
    assert str(result.suggestions[0].changes[0].proposed) in suggestions.rows[1][3]["text"]
    listed = notebook.render(result.suggestions)
    assert isinstance(listed, notebook.Html)
    assert listed._repr_html_() == notebook.suggestions_html(result.suggestions)
    assert len(parse(listed)[0].rows) == 1 + len(result.suggestions)
    assert result.suggestions[0]._repr_html_() == notebook.suggestions_html(result.suggestions[:1])
    assert "No suggestions" in notebook.suggestions_html([])
    clean = gk.validate(gk.examples.seed_report())._repr_html_()
    assert "✓ OK" in clean
    assert parse(clean) == []


def test_render_refuses_what_it_cannot_show() -> None:
    with pytest.raises(gk.GongkaiError):
        notebook.render(42)
    with pytest.raises(gk.GongkaiError):
        notebook.table_html(gk.model.ApplicantCounts())


def test_plain_repr_stays_plain_and_short() -> None:
    report = gk.examples.seed_report()
    assert repr(report) == (
        "AnnualReport(agency='北京市西城区信访办公室', year=2023, edition='2021', cells=200, filled=200)"
    )
    blank = gk.AnnualReport.blank(agency="示例", year=2020)
    assert repr(blank) == "AnnualReport(agency='示例', year=2020, edition='2019', cells=198, filled=0)"
    assert "<" not in repr(replace_path(report, "table3.carried_over.total", None)).replace("'", "")
    assert repr(replace_path(report, "table3.carried_over.total", None)).endswith("filled=199)")
    assert report == gk.examples.seed_report()  # equality is untouched by the repr


def test_the_views_are_methods_of_their_classes_made_by_the_front_ends() -> None:
    """The classes define ``_repr_html_`` (and ``ValidationResult.to_frame``) in their bodies, typed; the HTML
    and the frame come from notebook and frames, registered at import (the model never imports them)."""
    report = gk.examples.seed_report()
    assert report._repr_html_() == notebook.report_html(report)
    for name in ("table3", "table4"):
        table = getattr(report, name)
        assert isinstance(table, notebook.TABLE_CLASSES)
        assert table._repr_html_() == notebook.table_html(table)
    notebook.install()  # again: harmless
    result = gk.validate(report)
    assert result._repr_html_() == notebook.result_html(result)
    comparison = gk.compare(report, report)
    assert comparison._repr_html_() == notebook.comparison_html(comparison)
    assert list(result.to_frame().columns) == list(gk.frames.FINDING_COLUMNS)
    assert "_repr_html_" in vars(gk.AnnualReport)
    assert "to_frame" in vars(gk.ValidationResult)


def test_mypy_sees_the_views(tmp_path: Path) -> None:
    """``mypy --strict`` accepts ``result.to_frame()`` and ``report._repr_html_()`` (issue 15)."""
    from mypy import api

    snippet = tmp_path / "use.py"
    snippet.write_text(
        "import pandas as pd\nimport gongkai_model as gk\n"
        "report = gk.examples.seed_report()\n"
        "html: str = report._repr_html_() + report.table3._repr_html_()\n"
        "frame: pd.DataFrame = gk.validate(report).to_frame()\n"
        "files: pd.DataFrame = gk.batch.BatchResult(()).to_frame()\n"
        "shown: str = gk.batch.BatchResult(())._repr_html_() + gk.Imported(report, (), {}, 'x')._repr_html_()\n",
        encoding="utf-8",
    )
    out, err, status = api.run(["--strict", "--no-incremental", "--cache-dir", str(tmp_path / "c"), str(snippet)])
    assert status == 0, out + err


def test_layers_the_model_and_checks_do_not_import_the_front_ends() -> None:
    for folder in ("model", "checks"):
        for path in (SRC / folder).glob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom):
                    assert not {"notebook", "frames", "compare"} & set((node.module or "").split(".")), path
                    assert not {"notebook", "frames", "compare"} & {a.name for a in node.names}, path


def test_import_loads_neither_pandas_nor_openpyxl() -> None:
    code = "import sys, gongkai_model; print(sorted(m for m in ('pandas', 'numpy', 'openpyxl') if m in sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env={"PYTHONPATH": str(SRC.parent)}
    )
    assert out.stdout.strip() == "[]"


def test_docs_page_runs() -> None:
    assert run_doc_blocks(DOCS / "notebooks.md") == 5
