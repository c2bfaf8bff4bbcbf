"""Plain-text copies: the seed case, round trips over every shape, hostile and misprinted input."""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gongkai_model as gk
from gongkai_model import AnnualReport
from gongkai_model.errors import Place, ReadError
from gongkai_model.formats.text import parse_text, read_text, render_text
from gongkai_model.limits import DEFAULT_LIMITS
from gongkai_model.model import OtherMatters, Overview, get_path, layout, shape_of

from cases import expected_cells
from conftest import CASES, load_case
from strategies import shapes, table_reports

SEED = CASES / "seed-xicheng-xinfang-2023.txt"
PROHIBITED = "2.其他法律行政法规禁止公开"  # the statutory row, as the published copy prints it

# Prose that survives printing: no tabs, no blank edges, no heading-like lines (headings are tested apart).
_PROSE_CHARS = "按照统一部署严格贯彻落实条例坚持建设阳光透明法治政府围绕信访工作充分发挥与群众沟通纽带作用，。；"
_line = st.text(alphabet=_PROSE_CHARS, min_size=1, max_size=30).filter(lambda s: s[0] not in "，。；")
prose = st.one_of(
    st.none(),
    st.lists(st.tuples(_line, st.sampled_from(["\n", "\n\n"])), min_size=1, max_size=4).map(
        lambda parts: "".join(a + b for a, b in parts).rstrip("\n")
    ),
)
agencies = st.text(alphabet="北京市西城区信访办公室人民政府发展和改革局沭阳县", min_size=1, max_size=20)


def published(report: AnnualReport) -> AnnualReport:
    """What a published document prints of ``report``: title, section texts and the tables."""
    return attrs.evolve(
        report,
        region=None,
        level=None,
        published=None,
        source_url=None,
        period_start=None,
        period_end=None,
        overview=Overview(text=report.overview.text),
        other_matters=OtherMatters(text=report.other_matters.text),
    )


@st.composite
def printable_reports(draw: st.DrawFn) -> AnnualReport:
    """Reports of every shape, with what a published document can hold (any figures, blanks included)."""
    report = draw(table_reports(draw(shapes)))
    return attrs.evolve(
        report,
        agency=draw(agencies),
        overview=Overview(text=draw(prose)),
        problems=draw(prose),
        other_matters=OtherMatters(text=draw(prose)),
    )


def one_cell_per_line(text: str) -> str:
    """The rendered copy as the seed prints it: each cell on its own line after a tab, rows ended by a blank line."""
    out: list[str] = []
    for line in text.split("\n"):
        if line.startswith("\t"):
            out.extend("\t" + cell for cell in line[1:].split("\t"))
            out.append("")
        else:
            out.append(line)
    return "\n".join(out)


def codes(got: Any) -> list[str]:
    return [p.code for p in got.problems]


# --- the real case ------------------------------------------------------------------------------------


def test_seed_copy_reads_to_its_figures_with_line_provenance() -> None:
    case = load_case("seed-xicheng-xinfang-2023")
    got = read_text(SEED)
    assert got.ok, got.summary()
    assert got.errors == ()
    report = got.report
    assert report is not None
    assert (report.agency, report.year, report.edition.value) == (case["agency"], case["year"], case["format"])
    expected = expected_cells(case)
    assert {p: get_path(report, p) for p in expected} == expected
    assert len(got.provenance) == len(layout(shape_of(report)))
    # U+3000 before the figure, on line 39 of the copy; the 7th 表三 column after U+00A0 on line 103
    first = got.provenance["table2.regulations.issued"]
    assert (first.place, first.text) == (Place(str(SEED), line=39), "\u30000")
    assert got.provenance["table3.new_received.total"].place == Place(str(SEED), line=104)
    assert got.provenance["table4.litigation_after_review.total"].place == Place(str(SEED), line=429)


def test_seed_copy_sections_match_the_shipped_seed_report() -> None:
    got = read_text(SEED)
    assert got.report is not None
    seed = gk.examples.seed_report()
    assert got.report.overview.text is not None
    assert got.report.overview.text.startswith("按照统一部署")
    assert got.report.other_matters.text == "无。"
    # The copy prints no 机关层级 and does not tag the sub-topics of 一; everything else is the seed.
    assert got.report == attrs.evolve(seed, level=None, overview=Overview(text=seed.overview.text))
    assert got.headings["table2"] == "主动公开政府信息情况"  # printed without its numeral


def test_seed_copy_read_through_gk_read() -> None:
    got = gk.read(SEED, format="text") if "text" in gk.formats.FORMATS else read_text(SEED)
    assert got.ok


# --- round trips -----------------------------------------------------------------------------------------


@settings(max_examples=40)
@given(printable_reports())
def test_render_then_read_gives_the_same_report(report: AnnualReport) -> None:
    got = read_text(render_text(report).encode())
    assert got.errors == (), got.summary()
    assert got.report == published(report)


@settings(max_examples=25)
@given(printable_reports())
def test_one_cell_per_line_copies_read_the_same(report: AnnualReport) -> None:
    got = read_text(one_cell_per_line(render_text(report)).encode())
    assert got.errors == (), got.summary()
    assert got.report == published(report)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030", "utf-16"])
def test_encodings(encoding: str) -> None:
    seed = gk.examples.seed_report()
    got = read_text(render_text(seed).encode(encoding))
    assert got.ok
    assert got.report == published(seed)


def test_utf16_big_endian_with_bom() -> None:
    data = codecs.BOM_UTF16_BE + render_text(gk.examples.seed_report()).encode("utf-16-be")
    assert read_text(data).ok


# --- hostile and odd input -------------------------------------------------------------------------------


def _seed_text() -> str:
    return render_text(gk.examples.seed_report())


def test_not_a_report() -> None:
    got = read_text("今天天气很好。\n\n我们去公园散步。\n".encode())
    assert got.report is None
    assert {"READ_TITLE_MISSING", "READ_TABLE_MISSING"} <= set(codes(got))
    got = read_text(b"")
    assert got.report is None
    assert "READ_NOT_A_REPORT" in codes(got)


def test_missing_table_leaves_its_cells_blank_and_reads_the_rest() -> None:
    lines = _seed_text().split("\n")
    start = lines.index("四、政府信息公开行政复议、行政诉讼情况")
    text = "\n".join(lines[: start + 1] + [x for x in lines[start + 1 :] if not x.startswith("\t")])
    got = read_text(text.encode())
    assert [p.label for p in got.problems if p.code == "READ_TABLE_MISSING"] == ["表四"]
    assert got.report is not None
    assert got.report.table4.reconsideration.total is None
    assert got.report.table3 == gk.examples.seed_report().table3


def test_run_together_cells_are_refused_not_split() -> None:
    text = _seed_text().replace("\t行政许可\t0", "\t行政许可396442278")
    got = read_text(text.encode())
    assert got.report is not None
    assert not got.ok
    assert got.report.table2.licensing.decisions is None
    assert "table2.licensing.decisions" not in got.provenance
    run = [p for p in got.problems if p.code == "READ_RUN_TOGETHER"]
    assert [(p.label, p.place, p.severity) for p in run] == [("行政许可", Place("<text>", line=31), "error")]
    seed = gk.examples.seed_report()
    others = [c.path for c in layout(shape_of(seed)) if c.path != "table2.licensing.decisions"]
    assert all(get_path(got.report, p) == get_path(seed, p) for p in others)


def test_figures_run_together_in_a_row_are_refused_by_count() -> None:
    # 1234 splits three ways into 表二's three cells, and no identity tells them apart (000 is split: test_flat_text)
    text = _seed_text().replace("\t规章\t0\t0\t0", "\t规章\t1234")
    got = read_text(text.encode())
    miscounted = [p for p in got.problems if p.code == "READ_CELLS_MISCOUNTED"]
    assert [(p.label, p.place) for p in miscounted] == [("规章", Place("<text>", line=27))]
    assert got.report is not None
    assert got.report.table2.regulations.issued is None
    assert got.report.table2.normative_documents.issued == 0


def test_a_missing_cell_refuses_the_row_instead_of_shifting() -> None:
    text = one_cell_per_line(_seed_text().replace("\t规章\t0\t0\t0", "\t规章\t1\t2"))
    got = read_text(text.encode())
    assert "READ_CELLS_MISCOUNTED" in codes(got)
    assert got.report is not None
    regs = got.report.table2.regulations
    assert (regs.issued, regs.repealed, regs.in_force) == (None, None, None)


def test_headers_out_of_order_refuse_the_rows_under_them() -> None:
    text = _seed_text().replace("本年制发件数\t本年废止件数", "本年废止件数\t本年制发件数")
    got = read_text(text.encode())
    assert "READ_UNALIGNED" in codes(got)
    assert got.report is not None
    assert got.report.table2.regulations.issued is None
    assert got.report.table2.licensing.decisions == 0


def test_table4_with_a_block_missing_is_refused() -> None:
    text = _seed_text().replace("\t未经复议直接起诉", "\t")
    got = read_text(text.encode())
    assert "READ_CELLS_MISCOUNTED" in codes(got)
    assert got.report is not None
    assert got.report.table4.reconsideration.total is None


def test_a_10_mb_line() -> None:
    long_text = "无" * (10 * 1024 * 1024 // 3)
    text = _seed_text().replace("六、其他需要报告的事项\n", f"六、其他需要报告的事项\n{long_text}\n")
    got = read_text(text.encode())
    assert got.ok  # the tables come first: only the text past Limits.max_chars is left out, with a warning
    assert got.report is not None
    assert got.report.other_matters.text is not None
    assert DEFAULT_LIMITS.max_chars - 10_000 < len(got.report.other_matters.text) < DEFAULT_LIMITS.max_chars
    cut = [p for p in got.problems if p.code == "READ_LIMIT"]
    assert [p.severity for p in cut] == ["warning"]
    assert "max_chars" in cut[0].message
    cell = _seed_text().replace("\t行政许可\t0", "\t行政许可\t" + "9" * (10 * 1024 * 1024))
    got = read_text(cell.encode())
    assert "READ_LIMIT" in codes(got)
    assert got.report is not None
    assert got.report.table2.licensing.decisions is None


def test_nul_bytes_are_removed_and_said() -> None:
    text = _seed_text().replace("\t规章\t0", "\t规\x00章\t0\x00")
    got = read_text(text.encode())
    assert "READ_CONTROL_CHARS" in codes(got)
    assert got.ok
    assert got.report is not None
    assert got.report.table2.regulations.issued == 0


def test_dev_zero_is_refused_by_read_source() -> None:
    if not Path("/dev/zero").exists():
        pytest.fail("/dev/zero is expected on the test machines")
    with pytest.raises(ReadError):
        read_text("/dev/zero")


def test_undecodable_bytes_are_a_warning() -> None:
    data = _seed_text().encode("gb18030") + b"\x81\x20"
    got = read_text(data)
    assert "READ_ENCODING" in codes(got)
    assert got.report is not None


def test_parse_text_gives_grids_with_line_places() -> None:
    doc = parse_text(SEED.read_bytes(), source="seed.txt")
    assert len(doc.grids) == 3
    first = doc.grids[0].cells()[0]
    assert first.place == Place("seed.txt", line=31)


# --- misprinted labels -----------------------------------------------------------------------------------


def test_typo_label_is_read_with_one_warning() -> None:
    text = SEED.read_text(encoding="utf-8").replace(PROHIBITED, "2.其他法律行政止公开")
    got = read_text(text.encode())
    corrected = [p for p in got.problems if p.code == "READ_LABEL_CORRECTED"]
    assert [(p.label, p.severity) for p in corrected] == [(PROHIBITED, "warning")]
    assert got.ok
    assert got.report is not None
    assert got.report.table3.results.denied.prohibited_by_law.total == 0


def test_typo_label_is_refused_when_strict() -> None:
    text = SEED.read_text(encoding="utf-8").replace(PROHIBITED, "2.其他法律行政止公开")
    got = read_text(text.encode(), strict=True)
    assert "READ_LABEL_REFUSED" in codes(got)
    assert not got.ok
    assert "table3.results.denied.prohibited_by_law.total" not in got.provenance


def test_a_long_table_of_figures() -> None:
    rows = "\n".join(f"\t{i}\t{i}" for i in range(10_000))
    got = read_text((_seed_text() + "\n说明\n" + rows + "\n").encode())
    assert got.ok
    assert got.report is not None
    seed = gk.examples.seed_report()
    assert (got.report.table2, got.report.table3, got.report.table4) == (seed.table2, seed.table3, seed.table4)


def test_negative_zero_money_is_printed_as_zero() -> None:
    from decimal import Decimal

    from gongkai_model.presentation import figure_text

    assert figure_text(Decimal("-0.00")) == "0.00"
    assert figure_text(None) == ""


def test_rows_without_a_leading_tab_and_crlf_line_ends() -> None:
    lines = _seed_text().split("\n")
    text = "\r\n".join(x[1:] if x.startswith("\t") and x.count("\t") > 1 else x for x in lines)
    got = read_text(text.encode())
    assert got.errors == (), got.summary()
    assert got.report == published(gk.examples.seed_report())


def _numbered_seed() -> str:
    """The seed copy with every figure replaced by a distinct number (so any shift would show)."""
    count = 0
    out = []
    for line in SEED.read_text(encoding="utf-8").split("\n"):
        if line.startswith("\t") and line[1:].strip(" \u3000\xa0") == "0":
            count += 1
            line = f"\t{count}"
        out.append(line)
    assert count == 200
    return "\n".join(out)


def test_one_cell_per_line_without_blank_lines_between_rows() -> None:
    text = _numbered_seed()
    full = read_text(text.encode())
    assert full.errors == ()
    assert full.report is not None
    assert full.report.table2.regulations.issued == 1
    assert full.report.table4.litigation_after_review.total == 200
    packed = read_text("\n".join(x for x in text.split("\n") if x.strip() or "\t" in x).encode())
    assert packed.errors == (), packed.summary()
    assert packed.report is not None
    assert (packed.report.table2, packed.report.table3, packed.report.table4) == (
        full.report.table2,
        full.report.table3,
        full.report.table4,
    )


# --- prose is never a table (issue 14) -------------------------------------------------------------------


def test_a_tab_table_in_the_overview_of_a_copy_is_left_out_with_a_warning() -> None:
    """A copy written by someone else: tab rows with 表二's labels and other figures inside section 一."""
    text = _seed_text().replace(
        "二、主动公开政府信息情况", "\t行政许可\t999\n\t其他对外管理服务事项\t888\n\n二、主动公开政府信息情况", 1
    )
    got = read_text(text.encode())
    moved = [p for p in got.problems if p.code == "READ_TABLE_MISPLACED"]
    assert [(p.severity, p.label) for p in moved] == [("warning", "表二")]
    assert got.ok
    assert got.report is not None
    assert got.report.table2 == gk.examples.seed_report().table2
    assert got.report.overview.text is not None
    assert "999" in got.report.overview.text  # the printed rows are kept in the section's text


def test_without_headings_tables_are_read_as_before() -> None:
    from gongkai_model.reference import section_headings

    headings = {h for h, _, _ in section_headings()}
    lines = [x for x in _seed_text().split("\n") if x not in headings]
    got = read_text("\n".join(lines).encode())
    assert not [p for p in got.problems if p.code == "READ_TABLE_MISPLACED"]
    assert got.report is not None
    assert got.report.table2 == gk.examples.seed_report().table2


def test_a_multi_line_overview_with_table_like_lines_survives_render_text() -> None:
    text = "第一段。\n\n\t行政许可\t999\n行政许可 5 6\n二、主动公开政府信息情况\n\\结尾\t。"
    report = attrs.evolve(gk.examples.seed_report(), overview=Overview(text=text))
    got = read_text(render_text(report).encode())
    assert got.ok, got.summary()
    assert got.report is not None
    assert got.report.overview.text == text
    assert got.report.table2 == report.table2


# --- row labels wrapped over two lines by a conversion (issue 16) -----------------------------------------


def _wrappable(text: str) -> list[tuple[int, int]]:
    """(line, cell) of every statutory row label of 表二/表三 followed by figures only, in a rendered copy."""
    from gongkai_model.formats.text import is_figure, statutory_rows
    from gongkai_model.labels import normalize_label

    out = []
    for i, line in enumerate(text.split("\n")):
        if not line.startswith("\t"):
            continue
        cells = line[1:].split("\t")
        for j, cell in enumerate(cells):
            if normalize_label(cell) in statutory_rows() and all(not c or is_figure(c) for c in cells[j + 1 :]):
                out.append((i, j))
    return out


def wrap_label(text: str, at: tuple[int, int], k: int, how: str) -> str:
    """``text`` with the label at ``at`` wrapped after its ``k``-th character, as a converter breaks it.

    ``how``: ``"below"`` (the figures stay on the first line, the rest of the label on the next),
    ``"bare"`` (the same without a tab before the rest), ``"above"`` (the figures go with the rest).
    """
    lines = text.split("\n")
    i, j = at
    cells = lines[i][1:].split("\t")
    first, rest = cells[j][:k], cells[j][k:]
    if how == "above":
        lines[i : i + 1] = ["\t" + "\t".join([*cells[:j], first]), "\t" + "\t".join([rest, *cells[j + 1 :]])]
    else:
        lines[i : i + 1] = [
            "\t" + "\t".join([*cells[:j], first, *cells[j + 1 :]]),
            ("\t" if how == "below" else "") + rest,
        ]
    return "\n".join(lines)


@settings(max_examples=60, deadline=None)
@given(printable_reports(), st.data())
def test_labels_wrapped_over_two_lines_read_cell_for_cell(report: AnnualReport, data: Any) -> None:
    from hypothesis import assume

    from gongkai_model.formats.text import wrapped

    text = render_text(report)
    at = data.draw(st.sampled_from(_wrappable(text)))
    label = text.split("\n")[at[0]][1:].split("\t")[at[1]]
    k = data.draw(st.integers(1, len(label) - 1))
    assume(wrapped(label[:k], label[k:]))  # neither piece a label (or a figure) alone
    how = data.draw(st.sampled_from(["below", "bare", "above"]))
    got = read_text(wrap_label(text, at, k, how).encode())
    assert got.errors == (), got.summary()
    assert got.report == published(report)
    assert not [p for p in got.problems if p.code == "READ_LABEL_CORRECTED"], got.summary()


def test_a_label_wrapped_in_a_one_cell_per_line_copy() -> None:
    text = render_text(gk.examples.seed_report()).replace("\t3.危及“三安全一稳定”\t", "\t3.危及“三安全\t一稳定”\t")
    got = read_text(one_cell_per_line(text).encode())
    assert got.ok, got.summary()
    assert not got.problems


def test_pieces_that_are_labels_alone_are_not_joined() -> None:
    from gongkai_model.formats.text import wrapped

    assert not wrapped("（三）不予公开", "1.属于国家秘密")
    assert not wrapped("行政", "规范性文件")  # 规范性文件 is a row label of its own (2019)
    assert wrapped("行政规范", "性文件")


def many_label_pieces() -> object:
    """Hostile: 400 rows of 400 cells, each pair of cells the two pieces of a wrapped row label."""
    row = "\t" + "\t".join(["行政规范", "性文件"] * 200)
    text = "某县人民政府2023年政府信息公开工作年度报告\n二、主动公开政府信息情况\n" + "\n".join([row] * 400)
    return read_text(text.encode())


def test_hostile_many_label_pieces() -> None:
    from hostile import assert_contract, run_capped

    assert_contract(run_capped("test_read_text:many_label_pieces"))
