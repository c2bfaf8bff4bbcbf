"""Noted cells lifted out of their table by a conversion, put back only where their cell is certain (issue 16).

A generated report is rendered as Markdown or text with one noted cell lifted: its cell printed
empty, its figure and remark on lines of their own just above (or below) the table. It reads back
either exactly (the figure in its cell, its remark kept as the cell's note, ``how == "lifted"``,
one ``READ_LIFTED`` warning) or with the cell left blank and a ``READ_LIFTED_UNPLACED`` warning;
never another cell changed.
"""

from __future__ import annotations

from typing import Any

import attrs
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import gongkai_model as gk
from gongkai_model.formats import read_markdown, read_text, render_markdown, render_text
from gongkai_model.model.layout import Shape, layout, shape_of
from gongkai_model.model.values import Edition
from gongkai_model.presentation import figure_text

from hostile import assert_contract, run_capped
from strategies import consistent_reports, table_reports

PHASES = (Phase.explicit, Phase.reuse, Phase.generate)
AGENCY = "某县人民政府"
SHAPE = Shape(Edition.FORMAT_2021, False, False)
HEADS = {
    "二": "二、主动公开政府信息情况",
    "三": "三、收到和处理政府信息公开申请情况",
    "四": "四、政府信息公开行政复议、行政诉讼情况",
    "五": "五、",
}
NEXT = {"二": "三", "三": "四", "四": "五"}


def _blanked(report: Any, path: str) -> Any:
    """``report`` with the cell at ``path`` blank (how a converter leaves the row that held a lifted cell)."""
    cell = next(c for c in layout(shape_of(report)) if c.path == path)
    records = [
        {**r._asdict(), "value": None if (r.table, r.row, r.column) == (cell.table, cell.row, cell.column) else r.value}
        for r in gk.to_records(report)
    ]
    tables = gk.from_records(records, agency=report.agency, year=report.year)
    return attrs.evolve(report, table2=tables.table2, table3=tables.table3, table4=tables.table4)


def lift(text: str, table: str, lines: list[str], *, markdown: bool, below: bool) -> str:
    """``text`` with ``lines`` printed just above (or below) the table of ``table``, in its section."""
    out = text.split("\n")
    prefix = "## " if markdown else ""
    if below:
        at = next(i for i, x in enumerate(out) if x.startswith(prefix + HEADS[NEXT[table]]))
        while at > 0 and not out[at - 1].strip():
            at -= 1
    else:
        at = next(i for i, x in enumerate(out) if x.startswith(prefix + HEADS[table])) + 1
    block = ["", *lines, ""] if markdown else lines
    return "\n".join(out[:at] + block + out[at:])


def _values(report: Any) -> dict[str, Any]:
    return {c.path: c.get(report) for c in layout(shape_of(report))}


def _read(text: str, markdown: bool) -> Any:
    return (read_markdown if markdown else read_text)(text.encode())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow], phases=PHASES)
@given(
    st.one_of(consistent_reports(SHAPE), table_reports(SHAPE)),
    st.sampled_from(["二", "三", "四"]),
    st.booleans(),
    st.booleans(),
    st.booleans(),
    st.integers(0, 99),
    st.data(),
)
def test_a_lifted_cell_reads_back_exactly_or_stays_blank(
    report: Any, table: str, markdown: bool, below: bool, inline: bool, revised: int, data: Any
) -> None:
    report = attrs.evolve(report, agency=AGENCY)
    paths = [c.path for c in layout(SHAPE) if c.table == table and c.get(report) is not None]
    if not paths:
        return
    path = data.draw(st.sampled_from(paths))
    value = next(c for c in layout(SHAPE) if c.path == path).get(report)
    note = f"（其中修订{revised}件）"
    figure = figure_text(value)
    lines = [figure + note] if inline else [figure, note]
    blank = _blanked(report, path)
    render = render_markdown if markdown else render_text
    plain = _read(render(blank), markdown)
    got = _read(lift(render(blank), table, lines, markdown=markdown, below=below), markdown)
    assert got.report is not None
    have, want, before = _values(got.report), _values(report), _values(plain.report)
    for p, v in have.items():  # never another cell changed
        if p != path:
            assert v == before[p], p
            assert (p in got.provenance) == (p in plain.provenance), p
    codes = [p.code for p in got.problems]
    if have[path] is None:
        assert codes.count("READ_LIFTED_UNPLACED") == 1, got.summary()
        assert "READ_LIFTED" not in codes
        return
    assert have[path] == want[path]
    prov = got.provenance[path]
    assert (prov.how, prov.note) == ("lifted", note)
    assert codes.count("READ_LIFTED") == 1
    assert "READ_LIFTED_UNPLACED" not in codes


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow], phases=PHASES)
@given(consistent_reports(SHAPE), st.sampled_from(["二", "三", "四"]), st.booleans(), st.booleans(), st.data())
def test_a_lifted_cell_of_a_full_consistent_table_is_put_back(
    report: Any, table: str, markdown: bool, below: bool, data: Any
) -> None:
    """Every other cell of the table printed and every identity holding: the figure is put back."""
    report = attrs.evolve(report, agency=AGENCY)
    mine = [c for c in layout(SHAPE) if c.table == table]
    if any(c.get(report) is None for c in mine):
        return
    cell = data.draw(st.sampled_from(mine))
    blank = _blanked(report, cell.path)
    render = render_markdown if markdown else render_text
    text = lift(
        render(blank), table, [figure_text(cell.get(report)), "（其中修订1件）"], markdown=markdown, below=below
    )
    got = _read(text, markdown)
    assert got.report is not None
    assert cell.get(got.report) == cell.get(report), got.summary()
    assert got.provenance[cell.path].how == "lifted"
    assert got.coverage.read == _read(render(report), markdown).coverage.read


def _seed_text(lines: list[str], *, cells: int = 1, markdown: bool = True) -> str:
    report = gk.examples.seed_report()
    blank = _blanked(report, "table2.regulations.issued")
    if cells > 1:
        blank = _blanked(blank, "table2.regulations.repealed")
    render = render_markdown if markdown else render_text
    return lift(render(blank), "二", lines, markdown=markdown, below=False)


def _seed_lifted(lines: list[str], *, cells: int = 1, markdown: bool = True) -> Any:
    return _read(_seed_text(lines, cells=cells, markdown=markdown), markdown)


def test_the_example_of_the_issue() -> None:
    for markdown in (True, False):
        got = _seed_lifted(["22", "（其中修订16件）"], markdown=markdown)
        assert got.report.table2.regulations.issued == 22
        prov = got.provenance["table2.regulations.issued"]
        assert (prov.how, prov.note, prov.text) == ("lifted", "（其中修订16件）", "22（其中修订16件）")
        assert prov.place.line == _seed_text(["22", "（其中修订16件）"], markdown=markdown).split("\n").index("22") + 1
        assert [p.code for p in got.problems if p.code and p.code.startswith("READ_LIFTED")] == ["READ_LIFTED"]


def test_two_empty_cells_put_nothing_back() -> None:
    got = _seed_lifted(["22", "（其中修订16件）"], cells=2)
    assert got.report.table2.regulations.issued is None
    assert got.report.table2.regulations.repealed is None
    assert [p.code for p in got.problems if p.code == "READ_LIFTED_UNPLACED"] == ["READ_LIFTED_UNPLACED"]


def test_two_lifted_figures_put_nothing_back() -> None:
    got = _seed_lifted(["22", "（其中修订16件）", "3"])
    assert got.report.table2.regulations.issued is None
    assert any(p.code == "READ_LIFTED_UNPLACED" for p in got.problems)


def test_a_bare_number_without_a_remark_or_an_identity_is_not_put_back() -> None:
    """Beside 表二 (no identities) a number without its remark may be a page number."""
    got = _seed_lifted(["22"])
    assert got.report.table2.regulations.issued is None
    assert any(p.code == "READ_LIFTED_UNPLACED" for p in got.problems)


def test_a_bare_number_confirmed_by_identities_is_put_back() -> None:
    report = gk.examples.seed_report()
    blank = _blanked(report, "table3.new_received.total")
    got = read_markdown(lift(render_markdown(blank), "三", ["0"], markdown=True, below=True).encode())
    assert got.report.table3.new_received.total == 0
    assert got.provenance["table3.new_received.total"].how == "lifted"
    assert "confirmed by" in next(p.message for p in got.problems if p.code == "READ_LIFTED")


def test_a_figure_that_breaks_an_identity_is_not_put_back() -> None:
    report = gk.examples.seed_report()
    blank = _blanked(report, "table3.new_received.total")
    got = read_markdown(lift(render_markdown(blank), "三", ["7", "（其中1件）"], markdown=True, below=False).encode())
    assert got.report.table3.new_received.total is None
    assert any(p.code == "READ_LIFTED_UNPLACED" for p in got.problems)


def test_a_number_in_prose_with_a_full_table_is_left_alone() -> None:
    got = _seed_lifted([])
    assert not any(p.code and p.code.startswith("READ_LIFTED") for p in got.problems)
    report = gk.examples.seed_report()
    text = lift(render_markdown(report), "二", ["22"], markdown=True, below=False)
    got = read_markdown(text.encode())
    assert not any(p.code and p.code.startswith("READ_LIFTED") for p in got.problems)
    assert gk.to_records(got.report) == gk.to_records(report)


# --- hostile input ---------------------------------------------------------------------------------------


def many_lines_beside_a_table() -> object:
    """Hostile: 20 000 figure and remark lines above 表二, whose one cell is empty."""
    lines = [("7" if k % 2 else "（其中1件）") for k in range(20_000)]
    return read_markdown(_seed_text(lines).encode())


def one_long_block_beside_a_table() -> object:
    """Hostile: one prose line of 150 000 characters, then the lifted figure, above 表二."""
    return read_markdown(_seed_text(["说" * 150_000, "22", "（其中修订16件）"]).encode())


def test_hostile_many_lines_beside_a_table() -> None:
    outcome = assert_contract(run_capped("test_lifted:many_lines_beside_a_table"))
    assert "READ_LIFTED" not in outcome.codes
    assert "READ_LIFTED_UNPLACED" in outcome.codes  # more than one figure there: nothing put back


def test_hostile_one_long_block_beside_a_table() -> None:
    outcome = assert_contract(run_capped("test_lifted:one_long_block_beside_a_table"))
    assert "READ_LIFTED" in outcome.codes
