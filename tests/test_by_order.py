"""Reading by the statutory order, verified, where labels were lost (issue 16, item 2).

Generated reports are rendered as Markdown or text, then damaged as conversions damage them: the
row labels of 表三 and 表四 detached (moved above the table), split mid-word across cells, the
headers replaced by invented ones (``数据1 … 数据6``) with the table cut into several, page footers
inserted. They read back either exactly or with the table refused: never a wrong figure. With one
figure perturbed so that an identity breaks, the table is refused (the order cannot be verified).
"""

from __future__ import annotations

import re
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import gongkai_model as gk
from gongkai_model.formats import read_markdown, read_text, render_markdown, render_text
from gongkai_model.formats._order import is_footer
from gongkai_model.model.identities import Identity, holds
from gongkai_model.model.layout import Shape, layout, shape_of
from gongkai_model.model.values import Edition

from hostile import assert_contract, run_capped
from strategies import consistent_reports, table_reports

PHASES = (Phase.explicit, Phase.reuse, Phase.generate)  # no shrinking: a report of 200 cells shrinks slowly
AGENCY = "某县人民政府"
SHAPE = Shape(Edition.FORMAT_2021, False, False)
SECTIONS = {"三": "## 三、", "四": "## 四、"}
NEXT = {"三": "## 四、", "四": "## 五、"}
FIG = re.compile(r"^-?\d[\d,.]*$|^$|^[/／—\-无]$")


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _line(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _span(lines: list[str], table: str) -> tuple[int, int]:
    start = next(i for i, x in enumerate(lines) if x.startswith(SECTIONS[table]))
    end = next(i for i, x in enumerate(lines) if x.startswith(NEXT[table]))
    return start + 1, end


def _split_row(cells: list[str]) -> tuple[list[str], list[str]]:
    """(label cells, figure cells) of a rendered row."""
    k = len(cells)
    while k > 0 and FIG.match(cells[k - 1]):
        k -= 1
    return cells[:k], cells[k:]


def damage(text: str, table: str, *, detach: bool, split: bool, invent: bool, footer: bool, cut: int) -> str:
    """``text`` (rendered Markdown) with the table's labels damaged as a conversion damages them."""
    lines = text.split("\n")
    start, end = _span(lines, table)
    body = lines[start:end]
    rows = [i for i, x in enumerate(body) if x.startswith("|")]
    value_rows = [i for i in rows if not set(body[i]) <= set("|-") and _split_row(_cells(body[i]))[1]]
    value_rows = [i for i in value_rows if len(_split_row(_cells(body[i]))[1]) >= 5]
    header_rows = [i for i in rows if i < value_rows[0]]
    out: list[str] = []
    moved: list[str] = []
    pieces: list[list[str]] = [[]]
    for n, i in enumerate(value_rows):
        lead, figs = _split_row(_cells(body[i]))
        if detach:
            moved.append(lead[-1] if lead else "")
            lead = []
        elif split and lead and len(lead[-1]) >= 4:
            label = lead[-1]
            half = 3  # never two pieces alike one under the other (a Markdown reader merges those)
            others = [x for x in lead[:-1] if x != label][: max(0, len(lead) - 2)]
            lead = [*([""] * (len(lead) - 2 - len(others))), *others, label[:half], label[half:]]
        if n and cut and n % cut == 0:
            pieces.append([])
        pieces[-1].append(_line(lead + figs))
        if footer and n == len(value_rows) // 2:
            pieces[-1].append(_line(["— 3 —"] + [""] * (len(lead) + len(figs) - 1)))
    before = body[: header_rows[0]] if header_rows else body[: value_rows[0]]
    out.extend(before)
    out.extend(["", "；".join(moved), ""])
    for k, piece in enumerate(pieces):
        if k:
            out.extend(["", "- 4 -" if footer else "（续表）", ""])
        if invent:
            n_cells = len(_cells(piece[0]))
            out.append(_line([f"数据{j + 1}" for j in range(n_cells)]))
        elif k == 0:  # the headers as printed (without the label columns when the labels were detached)
            drop = len(_split_row(_cells(body[value_rows[0]]))[0]) if detach else 0
            if detach and not drop:  # 表四: its labels are its headers, moved above the table
                out[-2:-2] = ["；".join(dict.fromkeys(c for i in header_rows for c in _cells(body[i]) if c != "---"))]
                out.append(_line([f"栏{j + 1}" for j in range(len(_cells(piece[0])))]))
            else:
                out.extend(_line(_cells(body[i])[drop:]) for i in header_rows if not set(body[i]) <= set("|-"))
        else:
            out.append(_line([f"列{j + 1}" for j in range(len(_cells(piece[0])))]))
        out.append(_line(["---"] * len(_cells(out[-1]))))
        out.extend(piece)
    out.extend(body[value_rows[-1] + 1 :])
    return "\n".join(lines[:start] + out + lines[end:])


def _table_paths(table: str, shape: Shape) -> list[str]:
    return [c.path for c in layout(shape) if c.table == table]


def _values(report: Any, shape: Shape) -> dict[str, Any]:
    return {c.path: c.get(report) for c in layout(shape)}


def _no_wrong_figure(original: Any, got: Any) -> None:
    assert got.report is not None
    shape = shape_of(original)
    want = _values(original, shape)
    have = _values(got.report, shape)
    for path, value in have.items():
        if path in got.provenance:
            assert value == want[path], path


damages = st.fixed_dictionaries(
    {
        "detach": st.booleans(),
        "split": st.booleans(),
        "invent": st.booleans(),
        "footer": st.booleans(),
        "cut": st.sampled_from([0, 5, 8]),
    }
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow], phases=PHASES)
@given(consistent_reports(SHAPE), damages, st.sampled_from(["三", "四"]))
def test_damaged_tables_read_exactly_or_refused(report: Any, how: dict[str, Any], table: str) -> None:
    report = attrs.evolve(report, agency=AGENCY)  # a title that reads (the metadata are another test's)
    text = damage(render_markdown(report), table, **how)
    got = read_markdown(text.encode())
    _no_wrong_figure(report, got)
    paths = _table_paths(table, SHAPE)
    read = [p for p in paths if p in got.provenance]
    by_order = [p for p in paths if p in got.provenance and got.provenance[p].how == "order"]
    assert by_order in (paths, [])  # a table is read by order whole, or not at all
    if how["detach"] or how["invent"]:
        assert read == paths, got.summary()  # consistent reports are read back by order
        assert {got.provenance[p].how for p in paths} == {"order"}
        assert sum(p.code == "READ_BY_ORDER" for p in got.problems) == 1
    else:
        assert not by_order
    if how["footer"] and read and got.provenance[paths[0]].how == "order":
        assert any(p.code == "READ_FOOTER_DROPPED" for p in got.problems)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow], phases=PHASES)
@given(consistent_reports(SHAPE), damages, st.sampled_from(["三", "四"]), st.data())
def test_perturbed_figure_refuses_the_table(report: Any, how: dict[str, Any], table: str, data: Any) -> None:
    report = attrs.evolve(report, agency=AGENCY)
    how = {**how, "detach": True}
    paths = _table_paths(table, SHAPE)
    target = data.draw(st.sampled_from(paths))
    cell = next(c for c in layout(SHAPE) if c.path == target)
    bumped = gk.from_records(
        [
            {
                **r._asdict(),
                "value": r.value + 1 if (r.table, r.row, r.column) == (cell.table, cell.row, cell.column) else r.value,
            }
            for r in gk.to_records(report)
        ],
        agency=report.agency,
        year=report.year,
    )
    bumped = attrs.evolve(report, table3=bumped.table3, table4=bumped.table4)
    got = read_markdown(damage(render_markdown(bumped), table, **how).encode())
    assert not [p for p in paths if p in got.provenance]
    assert not any(p.code == "READ_BY_ORDER" for p in got.problems)
    assert any(p.code == "READ_TABLE_MISSING" for p in got.problems)


def test_labels_detached_regression() -> None:
    report = gk.examples.seed_report()
    text = damage(render_markdown(report), "三", detach=True, split=False, invent=False, footer=True, cut=8)
    got = read_markdown(text.encode())
    paths = _table_paths("三", shape_of(report))
    assert all(got.provenance[p].how == "order" for p in paths)
    assert [p.code for p in got.problems if p.code == "READ_BY_ORDER"] == ["READ_BY_ORDER"]
    _no_wrong_figure(report, got)


def test_split_labels_are_joined() -> None:
    report = gk.examples.seed_report()
    text = damage(render_markdown(report), "三", detach=False, split=True, invent=False, footer=False, cut=0)
    assert "| （一） | 予以公开 |" in text
    got = read_markdown(text.encode())
    paths = _table_paths("三", shape_of(report))
    assert all(got.provenance[p].how == "label" for p in paths), got.summary()
    _no_wrong_figure(report, got)


def test_footers() -> None:
    assert [is_footer(x) for x in ("— 3 —", "- 3 -", "第3页", "第 3 页 共 9 页", "3", "— 3", "第三页")] == [
        True,
        True,
        True,
        True,
        False,
        False,
        False,
    ]


def test_holds() -> None:
    i = Identity("T", "三", None, None, (0,), (1, 2), 0)
    assert holds(i, [3, 1, 2]) is True
    assert holds(i, [4, 1, 2]) is False
    assert holds(i, [3, None, 2]) is None
    assert holds(i, [3, "x", 2]) is None


def _headed(table: str) -> str:
    return "\n".join(
        [
            f"# {AGENCY}2023年政府信息公开工作年度报告",
            "## 一、总体情况",
            "无。",
            "## 二、主动公开政府信息情况",
            "## 三、收到和处理政府信息公开申请情况",
            table,
            "## 四、政府信息公开行政复议、行政诉讼情况",
        ]
    )


def many_value_rows() -> object:
    """Hostile: a table of 表三 of 30 000 unlabelled figure rows, a page footer every tenth."""
    rows = [_line([f"数据{j}" for j in range(1, 8)]), _line(["---"] * 7)]
    rows.extend(_line(["— 3 —", *[""] * 6]) if k % 10 == 9 else _line(["0"] * 7) for k in range(30_000))
    return read_markdown(_headed("\n".join(rows)).encode())


def many_label_pieces() -> object:
    """Hostile: rows of 2 000 short cells each, every adjacent pair a candidate for a split label."""
    pieces = ["1.属", "于国家秘密", "（一）", "予以公开", "四、结转", "下年度继续办理"] * 333
    rows = [_line([f"数据{j}" for j in range(len(pieces))]), _line(["---"] * len(pieces))]
    rows.extend(_line(pieces) for _ in range(100))
    return read_markdown(_headed("\n".join(rows)).encode())


def test_hostile_many_value_rows() -> None:
    outcome = assert_contract(run_capped("test_by_order:many_value_rows"))
    assert "READ_BY_ORDER" not in outcome.codes  # the count of rows does not match: refused
    assert "READ_TABLE_MISSING" in outcome.codes


def test_hostile_many_label_pieces() -> None:
    outcome = assert_contract(run_capped("test_by_order:many_label_pieces"))
    assert "READ_BY_ORDER" not in outcome.codes


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow], phases=PHASES)
@given(table_reports(SHAPE), damages, st.sampled_from(["三", "四"]))
def test_any_figures_never_a_wrong_one(report: Any, how: dict[str, Any], table: str) -> None:
    """Any figures (blanks, marks, identities broken): read exactly where read, never a wrong figure."""
    report = attrs.evolve(report, agency=AGENCY)
    got = read_markdown(damage(render_markdown(report), table, **how).encode())
    _no_wrong_figure(report, got)
    paths = _table_paths(table, SHAPE)
    by_order = [p for p in paths if p in got.provenance and got.provenance[p].how == "order"]
    assert by_order in (paths, [])


def test_a_stray_numbering_line_is_dropped() -> None:
    report = gk.examples.seed_report()
    text = damage(render_markdown(report), "三", detach=True, split=False, invent=False, footer=False, cut=0)
    lines = text.split("\n")
    k = next(i for i, x in enumerate(lines) if x.startswith("| 0 |")) + 3
    got = read_markdown("\n".join([*lines[:k], "", "12", "", *lines[k:]]).encode())
    # a numbering line between the rows is prose (the Markdown table ends there): the rows around it still count
    assert all(got.provenance[p].how == "order" for p in _table_paths("三", shape_of(report))), got.summary()


TEXT_HEADS = {"三": "三、收到和处理政府信息公开申请情况", "四": "四、政府信息公开行政复议、行政诉讼情况", "五": "五、"}


def damage_text(text: str, table: str, *, detach: bool, footer: bool) -> str:
    """``text`` (rendered text, tab-separated table lines) with the table's labels detached, footers inserted."""
    lines = text.split("\n")
    start = lines.index(TEXT_HEADS[table]) + 1
    end = next(
        i for i, x in enumerate(lines) if i > start and x.startswith(TEXT_HEADS["四" if table == "三" else "五"])
    )
    body = lines[start:end]
    rows = [i for i, x in enumerate(body) if x.startswith("\t")]
    value_rows = [i for i in rows if len(_split_row(body[i][1:].split("\t"))[1]) >= 5]
    if not value_rows:
        return text
    out: list[str] = []
    moved: list[str] = []
    for i, x in enumerate(body):
        cells = x[1:].split("\t")
        if i in value_rows:
            lead, figs = _split_row(cells)
            if detach:
                moved.extend(lead)
                lead = []
            out.append("\t" + "\t".join(lead + figs))
            if footer and i == value_rows[len(value_rows) // 2]:
                out.append("— 3 —")
        elif (
            i in rows
            and i < value_rows[0]
            and detach
            and not _split_row(_cells(body[value_rows[0]].replace("\t", "|")))[0]
        ):
            moved.extend(cells)  # 表四: its labels are its headers
        else:
            out.append(x)
    return "\n".join([*lines[:start], "；".join(dict.fromkeys(moved)), *out, *lines[end:]])


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow], phases=PHASES)
@given(
    st.one_of(st.tuples(st.just(True), consistent_reports(SHAPE)), st.tuples(st.just(False), table_reports(SHAPE))),
    st.booleans(),
    st.sampled_from(["三", "四"]),
)
def test_damaged_text_read_exactly_or_refused(drawn: tuple[bool, Any], footer: bool, table: str) -> None:
    """The same rule in the text reader: labels detached, footers between the rows."""
    consistent, report = drawn
    report = attrs.evolve(report, agency=AGENCY)
    text = damage_text(render_text(report), table, detach=True, footer=footer)
    got = read_text(text.encode())
    _no_wrong_figure(report, got)
    paths = _table_paths(table, SHAPE)
    by_order = [p for p in paths if p in got.provenance and got.provenance[p].how == "order"]
    assert by_order in (paths, [])
    if consistent:
        assert by_order == paths, got.summary()


@pytest.mark.parametrize("shape", Shape.all(), ids=str)
@settings(max_examples=2, deadline=None, suppress_health_check=[HealthCheck.too_slow], phases=PHASES)
@given(data=st.data())
def test_every_shape_read_by_order(shape: Shape, data: Any) -> None:
    """Every shape: one or three （六） rows told by the rows counted when no label of 表三 is printed."""
    report = attrs.evolve(data.draw(consistent_reports(shape)), agency=AGENCY)
    for table in ("三", "四"):
        got = read_markdown(
            damage(render_markdown(report), table, detach=True, split=False, invent=False, footer=True, cut=5).encode()
        )
        _no_wrong_figure(report, got)
        assert got.report is not None
        assert shape_of(got.report) == shape
        assert all(got.provenance[p].how == "order" for p in _table_paths(table, shape)), got.summary()
