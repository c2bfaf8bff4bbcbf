"""pandas frames: the long form, the wide form, findings, and the benchmark script."""

from __future__ import annotations

import contextlib
import io
import re
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from test_cases import build

import gongkai_model as gk
from gongkai_model.frames import COLUMNS, FINDING_COLUMNS, categories, every_shape, merge_orders
from gongkai_model.model import Shape, Value, layout, replace_path
from gongkai_model.model.layout import blank_of

from strategies import table_reports

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"
DOCS = Path(__file__).resolve().parents[1] / "docs"


def run_doc_blocks(page: Path) -> int:
    """Run every python block of a docs page on its own; the ``# …`` lines are its output, in order."""
    blocks = re.findall(r"```python\n(.*?)```", page.read_text(encoding="utf-8"), re.S)
    for i, block in enumerate(blocks):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(block, f"{page.name} block {i}", "exec"), {})
        got = iter(out.getvalue().splitlines())
        for want in re.findall(r"^# (.*)$", block, re.M):
            assert any(line == want for line in got), (page.name, i, want)
    return len(blocks)


def assert_matches_records(frame: pd.DataFrame, report: gk.AnnualReport) -> None:
    """Row i of the frame is record i of the report, value for value; blanks are missing, never 0."""
    recs = gk.to_records(report)
    kinds = {c.path: c.kind for c in layout(gk.model.shape_of(report))}
    assert len(frame) == len(recs)
    assert frame["table"].astype(str).tolist() == [r.table for r in recs]
    assert frame["row"].astype(str).tolist() == [r.row for r in recs]
    assert frame["column"].astype(str).tolist() == [r.column for r in recs]
    assert frame["path"].astype(str).tolist() == [r.path for r in recs]
    assert frame["kind"].astype(str).tolist() == [kinds[r.path].value for r in recs]
    assert set(frame["agency"]) == {report.agency}
    assert set(frame["year"]) == {report.year}
    assert set(frame["edition"]) == {report.edition.value}
    for (_, row), rec in zip(frame.iterrows(), recs, strict=True):
        kind = kinds[rec.path]
        if kind in (Value.COUNT, Value.SIGNED):
            assert pd.isna(row["money"])
            if rec.value is None:
                assert pd.isna(row["value"]), rec
            else:
                assert row["value"] == rec.value, rec
        else:
            assert pd.isna(row["value"])
            if rec.value is None:
                assert pd.isna(row["money"]), rec
            elif isinstance(rec.value, gk.Amount):
                assert row["money"] == float(rec.value.value)
                unit = rec.value.unit
                assert (pd.isna(row["unit"]) and unit is None) or row["unit"] == unit.value
            else:
                assert row["money"] == float(rec.value)
                assert row["unit"] == "万元"


def test_seed_long_frame() -> None:
    report = gk.examples.seed_report()
    frame = gk.to_frame(report)
    assert tuple(frame.columns) == COLUMNS
    assert len(frame) == 200
    assert str(frame["value"].dtype) == "Int64"
    assert str(frame["money"].dtype) == "float64"
    assert str(frame["year"].dtype) == "int64"
    for name in ("table", "row", "column", "path"):
        assert frame[name].cat.ordered, name
    assert_matches_records(frame, report)


def test_real_cases_long_frame(case: dict[str, Any]) -> None:
    report = build(case)
    assert_matches_records(gk.to_frame(report), report)


@settings(max_examples=40)
@given(table_reports())
def test_any_report_long_frame_matches_its_records(report: gk.AnnualReport) -> None:
    assert_matches_records(gk.to_frame(report), report)


def test_blank_is_missing_never_zero() -> None:
    report = replace_path(gk.examples.seed_report(), "table3.results.granted.natural_person", None)
    frame = gk.to_frame(report)
    cell = frame[frame["path"] == "table3.results.granted.natural_person"]
    assert cell["value"].isna().all()
    assert frame["value"].isna().sum() == 1 + 1  # the blank and the money cell
    assert frame["value"].sum() == 0  # the seed's figures are all 0; the blank is skipped, not added as 0
    blank = gk.to_frame(gk.AnnualReport.blank(agency="示例", year=2023))
    assert blank["value"].isna().all()
    assert blank["money"].isna().all()


def test_shanghai_2019_blanks_and_amount() -> None:
    from conftest import load_case

    report = build(load_case("shanghai-shizhengfu-bangongting-2019"))
    frame = gk.to_frame(report)
    blanks = sum(r.value is None for r in gk.to_records(report))
    assert blanks > 0
    assert int(frame["value"].isna().sum() + frame["money"].isna().sum()) == len(frame) + blanks
    amount = frame[frame["kind"] == "amount"]
    assert len(amount) == 1
    printed = report.table2.procurement.amount
    assert printed is not None
    assert amount["money"].iloc[0] == float(printed.value)
    assert amount["unit"].iloc[0] == printed.unit.value if printed.unit else pd.isna(amount["unit"].iloc[0])


def test_exact_money_is_decimal() -> None:
    from conftest import load_case

    for name in ("suqian-shi-2023", "suqian-shi-2024", "shanghai-shizhengfu-bangongting-2019"):
        report = build(load_case(name))
        frame = gk.to_frame(report, exact=True)
        assert frame["money"].dtype == object
        for rec, got in zip(gk.to_records(report), frame["money"], strict=True):
            if isinstance(rec.value, Decimal):
                assert type(got) is Decimal
                assert got == rec.value
            elif isinstance(rec.value, gk.Amount):
                assert type(got) is Decimal
                assert got == rec.value.value
            else:
                assert got is pd.NA


def test_published_order_is_the_category_order() -> None:
    """Sorting by the categories gives back the published order, for every shape and for mixed frames."""
    reports = [blank_of(shape) for shape in every_shape()]
    reports = [replace_path(r, "agency", f"机关{i}") for i, r in enumerate(reports)]
    frame = gk.to_frame(reports)
    assert len(frame) == sum(len(layout(s)) for s in every_shape())
    again = frame.sample(frac=1, random_state=1).sort_values(["agency", "table", "row", "column"])
    assert again.index.tolist() == frame.sort_values(["agency"], kind="stable").index.tolist()
    for shape in every_shape():
        for table in categories().table:
            mine = [c for c in layout(shape) if c.table == table]
            for name in ("row", "column", "path"):
                order = getattr(categories(), name)
                positions = [order.index(label) for label in dict.fromkeys(getattr(c, name) for c in mine)]
                assert positions == sorted(positions), (shape, table, name)


def test_many_reports_concatenate() -> None:
    from conftest import load_case

    names = ["seed-xicheng-xinfang-2023", "shanghai-shizhengfu-bangongting-2019", "huaian-hongze-qu-2024"]
    reports = [build(load_case(n)) for n in names]
    together = gk.to_frame(reports)
    assert together["agency"].cat.categories.tolist() == [r.agency for r in reports]
    apart = pd.concat([gk.to_frame(r) for r in reports], ignore_index=True)
    for name in ("table", "row", "column", "path", "kind", "unit", "edition"):
        assert apart[name].dtype == together[name].dtype, name  # the same categories for every frame
    pd.testing.assert_frame_equal(together.astype({"agency": str}), apart.astype({"agency": str}))
    assert len(together) == 200 + 198 + 186
    by_report = together.groupby(["agency", "year"], observed=True).size()
    assert sorted(by_report.tolist()) == [186, 198, 200]


def test_empty_input_gives_an_empty_frame_with_the_columns() -> None:
    frame = gk.to_frame([])
    assert tuple(frame.columns) == COLUMNS
    assert len(frame) == 0
    assert str(frame["value"].dtype) == "Int64"


def test_wrong_input_is_refused_with_every_problem() -> None:
    report = gk.examples.seed_report()
    with pytest.raises(gk.GongkaiError) as info:
        gk.to_frame([report, {"agency": "x"}, "text"])  # type: ignore[list-item]
    assert [p.location for p in info.value.problems] == ["item 1", "item 2"]
    with pytest.raises(gk.GongkaiError):
        gk.to_frame("report")  # type: ignore[arg-type]
    with pytest.raises(gk.GongkaiError, match="wide=True takes one report"):
        gk.to_frame([report, report], wide=True)  # type: ignore[call-overload]


def test_a_count_too_large_for_int64_is_named() -> None:
    report = replace_path(gk.examples.seed_report(), "table3.new_received.research", 2**70)
    with pytest.raises(gk.GongkaiError) as info:
        gk.to_frame(report)
    assert [p.location for p in info.value.problems] == ["report 0: table3.new_received.research"]


def test_missing_pandas_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)  # makes `import pandas` raise ImportError
    for call in (
        lambda: gk.to_frame(gk.examples.seed_report()),
        lambda: gk.frames.findings_frame(gk.validate(gk.examples.seed_report())),
    ):
        with pytest.raises(gk.GongkaiError) as info:
            call()
        assert "pip install 'gongkai-model[pandas]'" in str(info.value)


def test_wide_seed_tables() -> None:
    tables = gk.to_frame(gk.examples.seed_report(), wide=True)
    assert list(tables) == ["二", "三", "四"]
    t2, t3, t4 = tables["二"], tables["三"], tables["四"]
    assert t3.shape == (25, 7)
    assert isinstance(t3.columns, pd.MultiIndex)
    legal = t3["法人或其他组织"]
    assert legal.shape == (25, 5)
    assert t3["自然人"].dtype == "Int64"  # pandas returns the ("自然人", "") column as a Series
    assert t4.shape == (3, 5)
    assert t4.index.tolist() == [("行政复议", ""), ("行政诉讼", "未经复议直接起诉"), ("行政诉讼", "复议后起诉")]
    assert t2.index.nlevels == 2
    assert str(t2[("本年收费金额（单位：万元）")].dtype) == "float64"


def _key(index: pd.Index, banner: str | None, label: str) -> Any:
    if index.nlevels == 1:
        return label
    return (label, "") if banner is None else (banner, label)


def assert_wide_matches(report: gk.AnnualReport, exact: bool) -> None:
    tables = gk.to_frame(report, wide=True, exact=exact)
    for cell, v in gk.model.cells(report):
        frame = tables[cell.table]
        got = frame.loc[
            _key(frame.index, cell.row_info.spec.banner, cell.row), _key(frame.columns, cell.spec.header, cell.column)
        ]
        if v is None:
            assert pd.isna(got), cell.path
        elif isinstance(v, Decimal) and not exact:
            assert got == float(v)
        else:
            assert got == v, cell.path
            if not isinstance(v, int):
                assert type(got) is type(v), cell.path  # Decimal and Amount objects stay exact
    # every frame position is a cell, or a place a row does not have (missing)
    assert sum(int(f.notna().sum().sum()) for f in tables.values()) == sum(
        v is not None for _, v in gk.model.cells(report)
    )


def test_wide_real_cases(case: dict[str, Any]) -> None:
    report = build(case)
    assert_wide_matches(report, exact=False)
    assert_wide_matches(report, exact=True)


@settings(max_examples=25)
@given(table_reports())
def test_wide_any_report(report: gk.AnnualReport) -> None:
    assert_wide_matches(report, exact=False)


def test_wide_subtotal_and_single_row_shapes() -> None:
    report = blank_of(Shape(gk.Edition.FORMAT_2021, True, True))
    t3 = gk.to_frame(report, wide=True)["三"]
    assert t3.shape == (23, 8)
    assert ("法人或其他组织", "小计") in t3.columns
    assert "（六）其他处理" in t3.index
    t2 = gk.to_frame(blank_of(Shape(gk.Edition.FORMAT_2019, True, False)), wide=True)["二"]
    assert t2["采购总金额"].dtype == object  # Amount objects keep their unit


def test_merge_orders_keeps_every_order() -> None:
    assert merge_orders([["a", "b"], ["b", "a"]]) == ("a", "b")  # contradictory orders keep first-seen
    assert merge_orders([["c", "d"], ["a", "d"], ["b"]]) == ("c", "a", "d", "b")  # among ready labels, first-seen first


def test_findings_frame() -> None:
    report = gk.examples.seed_report()
    bad = replace_path(report, "table4.reconsideration.upheld", 3)
    bad = replace_path(bad, "table3.new_received.research", None)
    result = gk.validate(bad)
    frame = gk.frames.findings_frame(result)
    assert tuple(frame.columns) == FINDING_COLUMNS
    assert len(frame) == len(result.issues) >= 2
    assert frame["code"].tolist() == [f.code for f in result.issues]
    assert frame["severity"].cat.ordered
    assert frame["severity"].astype(str).tolist() == [f.severity.value for f in result.issues]
    for f, (_, row) in zip(result.issues, frame.iterrows(), strict=True):
        for name in ("expected", "actual", "difference"):
            want = getattr(f, name)
            assert (pd.isna(row[name]) and want is None) or row[name] == want
        assert row["assessable"] == f.assessable
        assert row["blank_paths"] == tuple(c.path for c in f.blank_cells)
    assert "table3.new_received.research" in {p for paths in frame["blank_paths"] for p in paths}
    assert str(frame["difference"].dtype) == "Int64"
    exact = gk.frames.findings_frame(result, exact=True)
    assert exact["difference"].dtype == object
    clean = gk.frames.findings_frame(gk.validate(report))
    assert len(clean) == 0
    assert tuple(clean.columns) == FINDING_COLUMNS
    assert gk.frames.findings_frame(bad)["code"].tolist() == frame["code"].tolist()  # a report is checked here
    with pytest.raises(gk.GongkaiError):
        gk.frames.findings_frame(42)


def test_findings_frame_with_decimal_figures() -> None:
    finding = gk.Finding("MY_CHECK", gk.Severity.WARNING, "示例", "example", expected=Decimal("1.5"), actual=2)
    result = gk.ValidationResult((finding,), ())
    frame = gk.frames.findings_frame(result)
    assert str(frame["expected"].dtype) == "Float64"
    assert frame["expected"].iloc[0] == 1.5
    assert frame["actual"].iloc[0] == 2
    assert gk.frames.findings_frame(result, exact=True)["expected"].iloc[0] == Decimal("1.5")


def test_frames_benchmark_runs_and_agrees_with_its_baseline() -> None:
    sys.path.insert(0, str(BENCH))
    try:
        import bench_frames

        results = bench_frames.run(20)  # asserts that to_frame builds the same frame as the baseline
    finally:
        sys.path.remove(str(BENCH))
    assert [name for name, _ in results] == list(bench_frames.NAMES)


def test_docs_page_runs() -> None:
    assert run_doc_blocks(DOCS / "pandas.md") == 10
