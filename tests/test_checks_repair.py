"""Repairs over several cells: a figure with its totals, rows removed or moved, template formulas as derived."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

import gongkai_model as gk
from gongkai_model.checks import MOVES, Severity, identities
from gongkai_model.model import Shape, field_specs, layout, replace_path, shape_of

from strategies import consistent_reports, shapes


def _inconsistent(result: gk.ValidationResult) -> set[tuple[str, str | None, str | None]]:
    return {(f.code, f.row, f.column) for f in result.issues if f.severity is Severity.INCONSISTENCY}


def _formulas(shape: Shape) -> frozenset[str]:
    """The cells the library's Excel template writes as formulas: every total of an identity."""
    cells = layout(shape)
    return frozenset(cells[i.anchor].path for i in identities(shape) if i.anchor is not None)


def _detail_rows(shape: Shape) -> list[str]:
    """The 表三 result rows summed into （七）总计 (paths of their rows)."""
    cells = layout(shape)
    out = []
    for ident in identities(shape):
        if ident.code == "T3_RESULTS_TOTAL" and ident.column == cells[ident.anchor or 0].column:
            out.extend(cells[m].path.rsplit(".", 1)[0] for m in ident.rhs)
    return sorted(set(out))


def _applicant_columns() -> list[tuple[str, str | None]]:
    """(attribute, header) of the applicant columns of 表三 (no totals)."""
    return [(i.name, i.spec.header) for i in field_specs(gk.model.ApplicantCounts) if i.spec.total is None]


def _row_totals(header: str | None, subtotal: bool) -> list[str]:
    """The attributes of the row totals that contain a column under ``header``."""
    out = []
    for info in field_specs(gk.model.ApplicantCounts):
        if info.spec.total == "siblings" or (info.spec.total == "header" and subtotal and header == info.spec.header):
            out.append(info.name)
    return out


@settings(max_examples=60)
@given(shapes.flatmap(lambda s: st.tuples(st.just(s), consistent_reports(s))), st.data())
def test_detail_rows_above_the_results_total_are_repaired(pair: tuple[Shape, gk.AnnualReport], data: Any) -> None:
    # The pattern of a real 2019-edition report: the 办理结果 detail rows add up to more than （七）总计 by
    # the same amount in one applicant column and in 总计, while 勾稽 and every row total hold.
    shape, report = pair
    row = data.draw(st.sampled_from(_detail_rows(shape)), label="row")
    column, header = data.draw(st.sampled_from(_applicant_columns()), label="column")
    surplus = data.draw(st.integers(1, 60), label="surplus")
    bad = report
    for name in [column, *_row_totals(header, shape.subtotal_column)]:
        bad = replace_path(bad, f"{row}.{name}", gk.model.get_path(report, f"{row}.{name}") + surplus)
    result = gk.validate(bad)
    broken = _inconsistent(result)
    assert broken
    assert {code for code, _, _ in broken} == {"T3_RESULTS_TOTAL"}
    best = result.best
    assert best
    assert all(s.rank == 1 for s in best)
    assert len(best) == sum(s.rank == 1 for s in result.suggestions)
    for suggestion in best:  # applying any of the top suggestions makes the report consistent
        assert gk.validate(result.apply(bad, suggestion)).ok, suggestion
    truth = {(f"{row}.{n}", gk.model.get_path(report, f"{row}.{n}")) for n in [column, *_row_totals(header, True)]}
    assert any({(c.path, c.proposed) for c in s.changes} <= truth for s in best)


@settings(max_examples=60)
@given(shapes.flatmap(lambda s: st.tuples(st.just(s), consistent_reports(s))), st.data())
def test_mistyped_template_input_is_repaired_alone(pair: tuple[Shape, gk.AnnualReport], data: Any) -> None:
    # In the template every total is a formula: a mistyped input moves its row's 总计, its column's （七）总计
    # and the corner, so only 表三's 勾稽 breaks.  (A 表四 input breaks nothing at all: its 总计 follows it
    # and no other identity holds it, so such inputs cannot be found and are not drawn.)
    shape, report = pair
    derived = _formulas(shape)
    cells = layout(shape)
    inputs = [c for c in cells if c.table == "三" and c.path not in derived]
    cell = data.draw(st.sampled_from(inputs), label="input")
    original = cell.get(report)
    typed = data.draw(st.integers(0, 10**4).filter(lambda v: v != original), label="typed")
    delta = typed - original
    read_back = replace_path(report, cell.path, typed)
    index = {c.path: i for i, c in enumerate(cells)}
    above = _totals_above(shape, index[cell.path])
    for i in above:  # the formulas followed
        read_back = replace_path(read_back, cells[i].path, cells[i].get(read_back) + delta)
    result = gk.validate(read_back, derived=derived)
    assert {code for code, _, _ in _inconsistent(result)} == {"T3_BALANCE"}
    best = result.best
    assert best
    for suggestion in best:
        assert suggestion.printed == 1
        assert len(suggestion.inputs) == 1  # the suggestion names one input alone
        assert all(c.derived for c in suggestion.changes if c not in suggestion.inputs)
        assert gk.validate(result.apply(read_back, suggestion)).ok, suggestion
    assert (cell.path, typed, original) in {(s.inputs[0].path, s.inputs[0].current, s.inputs[0].proposed) for s in best}
    # Without the formulas declared, the same report gets the move of the figure with every total above it.
    plain = gk.validate(read_back)
    full = {(cell.path, original)} | {(cells[i].path, cells[i].get(report)) for i in above}
    assert full in [{(c.path, c.proposed) for c in s.changes} for s in plain.suggestions]


def _totals_above(shape: Shape, m: int) -> set[int]:
    """Every identity total that contains cell ``m``, directly or through another total."""
    out: set[int] = set()
    todo = [m]
    while todo:
        x = todo.pop()
        for ident in identities(shape):
            if ident.anchor is not None and x in ident.rhs and ident.anchor not in out:
                out.add(ident.anchor)
                todo.append(ident.anchor)
    return out


def _all_zero_with(values: dict[str, int], **kw: Any) -> gk.AnnualReport:
    report = gk.AnnualReport.blank(agency="某县人民政府", year=2020, **kw)
    for rec in gk.to_records(report):
        report = replace_path(report, rec.path, values.get(rec.path, 0)) if rec.table != "二" else report
    return report


def test_a_row_counted_twice_is_removed() -> None:
    # A 2019-edition report: 6 applications of 自然人 counted in （一）予以公开 and again in 1.本机关不掌握…;
    # the row's own 总计 follows, so no row total breaks, and （七）总计 was right.
    base = {
        "table3.new_received.natural_person": 9,
        "table3.new_received.total": 9,
        "table3.results.granted.natural_person": 6,
        "table3.results.granted.total": 6,
        "table3.results.partially_granted.natural_person": 3,
        "table3.results.partially_granted.total": 3,
        "table3.results.total.natural_person": 9,
        "table3.results.total.total": 9,
    }
    report = _all_zero_with(base)
    assert gk.validate(report).ok
    bad = replace_path(report, "table3.results.unable.not_held.natural_person", 6)
    bad = replace_path(bad, "table3.results.unable.not_held.total", 6)
    result = gk.validate(bad)
    assert _inconsistent(result) == {
        ("T3_RESULTS_TOTAL", "（七）总计", "自然人"),
        ("T3_RESULTS_TOTAL", "（七）总计", "总计"),
    }
    moves = {(s.kind, tuple(c.path for c in s.changes)) for s in result.best}
    # Either detail row of 6 may be the one counted wrongly: both are listed, equally ranked.
    assert moves == {
        ("with_row_total", ("table3.results.granted.natural_person", "table3.results.granted.total")),
        ("with_row_total", ("table3.results.unable.not_held.natural_person", "table3.results.unable.not_held.total")),
    }
    assert all(gk.validate(result.apply(bad, s)).ok for s in result.best)


def test_row_removed_when_the_whole_row_is_the_surplus() -> None:
    # A whole carried-over row entered although those applications were already counted as new:
    # the 勾稽 breaks in every column the row fills, and removing the row restores them all.
    base = {
        "table3.new_received.natural_person": 5,
        "table3.new_received.commercial": 2,
        "table3.new_received.total": 7,
        "table3.results.granted.natural_person": 5,
        "table3.results.granted.commercial": 2,
        "table3.results.granted.total": 7,
        "table3.results.total.natural_person": 5,
        "table3.results.total.commercial": 2,
        "table3.results.total.total": 7,
    }
    report = _all_zero_with(base)
    bad = report
    for column, v in [("natural_person", 3), ("commercial", 1), ("total", 4)]:
        bad = replace_path(bad, f"table3.carried_over.{column}", v)
    result = gk.validate(bad)
    assert {(c, col) for c, _, col in _inconsistent(result)} == {
        ("T3_BALANCE", "自然人"),
        ("T3_BALANCE", "商业企业"),
        ("T3_BALANCE", "总计"),
    }
    top = result.best
    assert [s.kind for s in top] == ["row_removed"]
    assert {(c.path, c.proposed) for c in top[0].changes} == {
        ("table3.carried_over.natural_person", 0),
        ("table3.carried_over.commercial", 0),
        ("table3.carried_over.total", 0),
    }
    assert top[0].score == 3
    assert gk.validate(result.apply(bad, top[0])).ok


def test_row_moved_from_a_result_row_to_carried_forward() -> None:
    # Ten applications received, six granted: the four still pending were entered under
    # 1.本机关不掌握相关政府信息 instead of 四、结转下年度继续办理, and （七）总计 was computed without them.
    base = {
        "table3.new_received.natural_person": 10,
        "table3.new_received.total": 10,
        "table3.results.granted.natural_person": 6,
        "table3.results.granted.total": 6,
        "table3.results.total.natural_person": 6,
        "table3.results.total.total": 6,
    }
    report = _all_zero_with(base)
    bad = replace_path(report, "table3.results.unable.not_held.natural_person", 4)
    bad = replace_path(bad, "table3.results.unable.not_held.total", 4)
    result = gk.validate(bad)
    fix = {
        ("table3.results.unable.not_held.natural_person", 0),
        ("table3.results.unable.not_held.total", 0),
        ("table3.carried_forward.natural_person", 4),
        ("table3.carried_forward.total", 4),
    }
    (moved,) = [s for s in result.suggestions if {(c.path, c.proposed) for c in s.changes} == fix]
    assert (moved.kind, moved.score, moved.printed) == ("row_moved", 4, 4)  # 勾稽 and （七）总计, 自然人 and 总计
    assert gk.validate(result.apply(bad, moved)).ok
    # Raising （七）总计 by 4 restores as much with fewer printed figures, so it ranks first; both are listed.
    (top,) = result.best
    assert {(c.path, c.proposed) for c in top.changes} == {
        ("table3.results.total.natural_person", 10),
        ("table3.results.total.total", 10),
    }
    assert (top.kind, top.score, top.printed, moved.rank) == ("with_row_total", 4, 2, 2)


def test_ranking_prefers_fewer_printed_figures_and_lists_ties() -> None:
    report = _all_zero_with({})
    bad = replace_path(report, "table4.reconsideration.upheld", 2)
    result = gk.validate(bad)
    ranks = [s.rank for s in result.suggestions]
    assert ranks == sorted(ranks)
    best = result.best
    # A 表四 cell is in one identity only: changing the total or the part restores it equally.
    assert {(c.path, c.proposed) for s in best for c in s.changes} == {
        ("table4.reconsideration.total", 2),
        ("table4.reconsideration.upheld", 0),
    }
    assert all(s.printed == 1 for s in best)
    assert {s.kind for s in result.suggestions} <= set(MOVES)


def test_derived_cells_are_never_changed_on_their_own() -> None:
    report = _all_zero_with({"table3.new_received.natural_person": 2, "table3.new_received.total": 2})
    shape = shape_of(report)
    result = gk.validate(report, derived=_formulas(shape))
    assert result.suggestions
    for s in result.suggestions:
        assert s.inputs
        assert not any(c.path in _formulas(shape) for c in s.inputs)
    # Unknown or malformed paths in `derived` are ignored, never raised.
    assert gk.validate(report, derived=["nope", "table3"]).issues == gk.validate(report).issues
