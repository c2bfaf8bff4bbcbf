"""Issue 18 items 2–4: the agency register, checking a jurisdiction, panels."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gongkai_model as gk
from gongkai_model.jurisdiction import JurisdictionResult, check_jurisdiction, findings_frame, panel_frame
from gongkai_model.limits import Limits
from gongkai_model.model import layout, replace_path, shape_of
from gongkai_model.register import Register, RegisterError, load_register, normalize_agency

ROOT = Path(__file__).resolve().parents[1]

COUNTY = "某县人民政府"
UNITS = [
    "某县教育局",
    "某县公安局",
    "某县民政局",
    "某县财政局",
    "某县自然资源局",
    "某县住房和城乡建设局",
    "某县交通运输局",
    "某县水利局",
    "某县农业农村局",
    "某县经济开发区管理委员会",
]
YEARS = (2022, 2023, 2024)
#: The defects of the generated jurisdiction, one each.
MISSING = (UNITS[4], 2023)
DUPLICATE = (UNITS[6], 2022)
CONFLICT = (UNITS[7], 2024)
#: Its 2022 report carries one application forward; its 2023 report misprints 上年结转 as 0 (with the result
#: of that application left out, so that its own identities hold). The county's 2023 summary counts what
#: really happened, and is checked as "not below its units" in 2023, a year with a unit missing: the one
#: misprint is then the one finding (a summary sums its units, so in a year with every unit present the
#: misprint would show in the summary as well).
CARRY = (UNITS[2], 2023)
SUMMARY_OFF = 2024  # the county's 2024 summary: 行政许可 one more than its units' sum


def register_rows(units: list[str] = UNITS) -> list[dict[str, str]]:
    rows = [{"agency": COUNTY, "level": "县级", "summary": "complete", "code": "C000"}]
    rows += [{"agency": u, "parent": COUNTY, "level": "部门", "code": f"C{i + 1:03d}"} for i, u in enumerate(units)]
    rows[-1]["aliases"] = "开发区管委会"
    return rows


def unit_report(i: int, agency: str, year: int, *, misprint: bool = True) -> gk.AnnualReport:
    """A unit's report as published; ``misprint=False``: the figures as they really were."""
    r = replace_path(gk.examples.seed_report(), "agency", agency)
    r = replace_path(r, "year", year)
    r = replace_path(r, "table2.licensing.decisions", 10 * i + year % 10)
    r = replace_path(r, "table2.normative_documents.in_force", 5 + i)
    if (agency, year + 1) == CARRY:  # one application received and carried forward
        for row in ("new_received", "carried_forward"):
            for col in ("natural_person", "total"):
                r = replace_path(r, f"table3.{row}.{col}", 1)
    if (agency, year) == CARRY and not misprint:  # carried over and granted: what the summary counts
        for row in ("carried_over", "results.granted", "results.total"):
            for col in ("natural_person", "total"):
                r = replace_path(r, f"table3.{row}.{col}", 1)
    return r


def summary_of(units: list[gk.AnnualReport], agency: str, year: int) -> gk.AnnualReport:
    """The county's summary: every figure the sum of its units' (so its own identities hold too)."""
    r = replace_path(replace_path(gk.examples.seed_report(), "agency", agency), "year", year)
    for cell in layout(shape_of(r)):
        values = [cell.get(u) for u in units]
        if all(isinstance(v, int) for v in values) and any(values):
            r = replace_path(r, cell.path, sum(values))
    return r


def generated(units: list[str] = UNITS, years: tuple[int, ...] = YEARS) -> list[tuple[str, gk.AnnualReport]]:
    """(file name, report) of a county: its summary, its units, three years, and the defects above."""
    out = []
    for year in years:
        truth = [unit_report(i, u, year, misprint=False) for i, u in enumerate(units)]
        summary = summary_of(truth, "某县政府" if year == 2023 else COUNTY, year)  # a variant name in 2023
        if year == SUMMARY_OFF:
            summary = replace_path(summary, "table2.licensing.decisions", summary.table2.licensing.decisions + 1)
        out.append((f"{year}/county.json", summary))
        for i, u in enumerate(units):
            if (u, year) == MISSING:
                continue
            r = unit_report(i, u, year)
            if u == units[-1] and year == 2023:
                r = replace_path(r, "agency", "某县经济开发区 管委会")  # printed with the short name
            out.append((f"{year}/unit{i}.json", r))
            if (u, year) == DUPLICATE:
                out.append((f"{year}/unit{i}-copy.json", r))
            if (u, year) == CONFLICT:
                changed = replace_path(r, "table2.penalty.decisions", 5)  # a cell the summary cannot assess now
                out.append((f"{year}/unit{i}-revised.json", changed))
    return out


def imported(files: list[tuple[str, gk.AnnualReport]]) -> list[gk.Imported]:
    return [gk.Imported(r, (), {}, name) for name, r in files]


def expected() -> set[tuple[str, str, int, str | None]]:
    return {
        ("JURISDICTION_MISSING", *MISSING, None),
        ("JURISDICTION_DUPLICATE", *DUPLICATE, None),
        ("JURISDICTION_CONFLICT", *CONFLICT, None),
        ("SERIES_CARRY_OVER", *CARRY, "table3.carried_over.natural_person"),
        ("SERIES_CARRY_OVER", *CARRY, "table3.carried_over.total"),
        ("JURISDICTION_SUMMARY", COUNTY, SUMMARY_OFF, "table2.licensing.decisions"),
    }


def found(result: JurisdictionResult) -> set[tuple[str, str | None, int | None, str | None]]:
    return {(f.code, f.agency, f.year, f.finding.path) for f in result.findings}


# ---------------------------------------------------------------------------
# The register


def test_names_fold_to_one_agency() -> None:
    reg = Register.from_rows(register_rows())
    assert reg.lookup("某县政府").agency == COUNTY  # type: ignore[union-attr]
    assert reg.lookup("某县人民政府 ").agency == COUNTY  # type: ignore[union-attr]
    assert reg.lookup("某县经济开发区管委会").agency == UNITS[-1]  # type: ignore[union-attr]
    assert reg.lookup("开发区管委会").agency == UNITS[-1]  # type: ignore[union-attr]  # a declared alias
    assert reg.lookup("某县教育局").parent == COUNTY  # type: ignore[union-attr]
    assert reg.lookup("某市教育局") is None
    assert normalize_agency("某县　人民政府办公室") == normalize_agency("某县政府办") == "某县政府办"
    assert normalize_agency("ＡＢＣ局（汇总）") == "ABC局(汇总)"
    assert [u.agency for u in reg.children("某县政府")] == UNITS


@given(st.text(max_size=30))
def test_normalisation_is_idempotent(name: str) -> None:
    once = normalize_agency(name)
    assert normalize_agency(once) == once


names = st.text(alphabet="某县市区局委办公室人民政府管理委员会教育财政ABC ", min_size=1, max_size=12).filter(
    lambda s: s.strip()
)


@given(st.lists(names, min_size=1, max_size=8, unique_by=normalize_agency), st.data())
@settings(max_examples=50, deadline=None)
def test_a_register_round_trips(tmp_path_factory: Any, agencies: list[str], data: st.DataObject) -> None:
    rows = []
    for i, a in enumerate(agencies):
        parent = data.draw(st.sampled_from([None, *agencies[:i]]))  # parents before their units: no cycle
        rows.append({"agency": a.strip(), "parent": parent.strip() if parent else "", "level": "县级", "code": str(i)})
    reg = Register.from_rows(rows)
    assert Register.from_rows(reg.rows()) == reg
    path = tmp_path_factory.mktemp("reg") / "units.csv"
    reg.to_csv(path)
    assert Register.read_csv(path) == reg
    assert load_register(str(path)) == reg


def test_a_bad_register_names_every_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "units.csv"
    path.write_text(
        "机关,上级,层级,别名,汇总\n"
        "某县人民政府,,县级,,complete\n"
        ",某县人民政府,部门,,\n"  # row 3: no name
        "某县教育局,某市人民政府,部门,,\n"  # row 4: parent not registered
        "某县 教育局,某县人民政府,部门,,\n"  # row 5: the same name again
        "某县财政局,某县人民政府,部门,某县政府,maybe\n",  # row 6: an alias of another unit, a bad summary
        encoding="utf-8",
    )
    with pytest.raises(RegisterError) as caught:
        Register.read_csv(path)
    where = {(p.location, p.code) for p in caught.value.problems}
    assert where == {
        ("row 3, column agency", "JURISDICTION_REGISTER"),
        ("row 4, column parent", "JURISDICTION_REGISTER"),
        ("row 5, column agency", "JURISDICTION_REGISTER"),
        ("row 6, column aliases", "JURISDICTION_REGISTER"),
        ("row 6, column summary", "JURISDICTION_REGISTER"),
    }
    assert isinstance(caught.value, gk.GongkaiError)


def test_a_register_refuses_cycles_and_what_is_not_a_table(tmp_path: Path) -> None:
    with pytest.raises(RegisterError, match="lead back"):
        Register.from_rows([{"agency": "甲", "parent": "乙"}, {"agency": "乙", "parent": "甲"}])
    with pytest.raises(RegisterError, match=r"not a DataFrame|expected"):
        load_register(42)
    with pytest.raises(RegisterError, match="cannot read"):
        Register.read_csv(tmp_path / "absent.csv")
    (tmp_path / "bad.csv").write_bytes(b"agency\n\xff\xfe\x00bad\n")
    with pytest.raises(RegisterError, match="cannot read"):
        Register.read_csv(tmp_path / "bad.csv")
    with pytest.raises(RegisterError, match=r"Limits\.max_rows"):
        Register.from_rows(({"agency": f"单位{i}"} for i in range(10)), limits=Limits(max_rows=5))


def test_a_register_from_a_dataframe_keeps_other_columns() -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(register_rows()).assign(region=["某省"] * 11)
    frame.loc[1, "level"] = None  # a missing value is blank
    reg = load_register(frame)
    assert reg.units[1].level is None
    assert dict(reg.units[0].extra) == {"region": "某省"}


# ---------------------------------------------------------------------------
# Checking a jurisdiction


def test_the_generated_jurisdiction_gives_exactly_its_defects() -> None:
    files = generated()
    result = check_jurisdiction(imported(files), Register.from_rows(register_rows()))
    assert found(result) == expected()
    assert len(result.findings) == len(expected())
    conflict = next(f for f in result.findings if f.code == "JURISDICTION_CONFLICT")
    assert conflict.files == ("2024/unit7.json", "2024/unit7-revised.json")
    assert "table2.penalty.decisions" in conflict.message_en
    summary = next(f for f in result.findings if f.code == "JURISDICTION_SUMMARY")
    assert (summary.finding.actual, summary.finding.difference, summary.finding.table) == (
        summary.finding.expected + 1,  # type: ignore[operator]
        1,
        "二",
    )
    carry = next(f for f in result.findings if f.code == "SERIES_CARRY_OVER")
    assert carry.files == ("2022/unit2.json", "2023/unit2.json")
    assert result.verdict is gk.Verdict.INCONSISTENT
    assert not result.ok
    keys = [f.key for f in result.findings]
    assert len(set(keys)) == len(keys)
    assert "JURISDICTION_SUMMARY|某县人民政府|2024|二|行政许可|本年处理决定数量|table2.licensing.decisions" in keys


def test_keys_are_stable_when_files_move_or_come_in_another_order() -> None:
    reg = Register.from_rows(register_rows())
    files = generated()
    one = check_jurisdiction(imported(files), reg)
    moved = [(f"elsewhere/{name}", r) for name, r in files]
    two = check_jurisdiction(imported(moved), reg)
    assert {f.key for f in one.findings} == {f.key for f in two.findings}


def test_every_kind_of_input_is_taken(tmp_path: Path) -> None:
    reg = Register.from_rows(register_rows())
    files = generated()
    bare = check_jurisdiction([r for _, r in files], reg)
    assert {(c, a, y) for c, a, y, _ in found(bare)} == {(c, a, y) for c, a, y, _ in expected()}
    small = [(n, r) for n, r in files if n.startswith("2022/unit6")]  # the duplicate, written and read back
    paths = []
    for name, r in small:
        path = tmp_path / name.replace("/", "-")
        path.write_text(gk.dumps(r), encoding="utf-8")
        paths.append(path)
    checked = [gk.check(p) for p in paths]
    batch = gk.check_many(paths, executor="serial")
    for source in (checked, batch, [gk.read(p) for p in paths], batch.files):
        got = check_jurisdiction(source, reg, year=2022)
        assert found(got) >= {("JURISDICTION_DUPLICATE", *DUPLICATE, None)}
        dup = next(f for f in got.findings if f.code == "JURISDICTION_DUPLICATE")
        assert [Path(f).name for f in dup.files] == [p.name for p in paths]
    with pytest.raises(gk.GongkaiError, match="cannot check"):
        check_jurisdiction([42], reg)  # type: ignore[list-item]


def test_an_unknown_agency_gets_the_closest_names() -> None:
    reg = Register.from_rows(register_rows())
    r = replace_path(gk.examples.seed_report(), "agency", "某县教育和体育局")
    result = check_jurisdiction([r], reg, year=2023)
    unknown = [f for f in result.findings if f.code == "JURISDICTION_UNKNOWN_AGENCY"]
    assert len(unknown) == 1
    assert unknown[0].suggestions[0] == "某县教育局"
    assert "某县教育局" in unknown[0].message_en
    assert unknown[0].severity is gk.Severity.WARNING
    assert sum(f.code == "JURISDICTION_MISSING" for f in result.findings) == 11  # no unit filed for 2023


def test_a_year_restricts_what_is_checked() -> None:
    reg = Register.from_rows(register_rows())
    result = check_jurisdiction(imported(generated()), reg, year=2024)
    assert {(c, a, y) for c, a, y, _ in found(result)} == {
        ("JURISDICTION_CONFLICT", *CONFLICT),
        ("JURISDICTION_SUMMARY", COUNTY, 2024),
    }
    assert result.years == (2024,)
    earlier = check_jurisdiction(imported(generated()), reg, year=[2023])  # 2022 is still last year's
    assert {(c, a, y) for c, a, y, _ in found(earlier)} == {
        ("JURISDICTION_MISSING", *MISSING),
        ("SERIES_CARRY_OVER", *CARRY),
    }


def test_a_summary_cell_where_a_unit_conflicts_is_not_assessed() -> None:
    reg = Register.from_rows(register_rows())
    files = generated()
    at = next(i for i, (n, _) in enumerate(files) if n == "2024/unit7-revised.json")
    for first in (True, False):
        mine = list(files)
        mine[at] = (mine[at][0], replace_path(mine[at][1], "table2.licensing.decisions", 0))
        if not first:  # the revised file before the other
            mine[at - 1], mine[at] = mine[at], mine[at - 1]
        result = check_jurisdiction(imported(mine), reg)
        assert not any(f.code == "JURISDICTION_SUMMARY" for f in result.findings)


def test_a_partial_summary_may_exceed_its_units_but_not_fall_below() -> None:
    rows = register_rows()
    rows[0]["summary"] = "partial"
    reg = Register.from_rows(rows)
    result = check_jurisdiction(imported(generated()), reg)
    assert not any(f.code == "JURISDICTION_SUMMARY" for f in result.findings)  # one above its units: allowed
    files = [
        (n, replace_path(r, "table2.licensing.decisions", 0) if n == "2022/county.json" else r) for n, r in generated()
    ]
    below = [f for f in check_jurisdiction(imported(files), reg).findings if f.code == "JURISDICTION_SUMMARY"]
    assert [(f.year, f.finding.path, f.finding.actual) for f in below] == [(2022, "table2.licensing.decisions", 0)]


def test_without_a_register_each_printed_agency_is_a_unit() -> None:
    result = check_jurisdiction(imported(generated()))
    codes = {f.code for f in result.findings}
    assert codes == {"JURISDICTION_DUPLICATE", "JURISDICTION_CONFLICT", "SERIES_CARRY_OVER", "JURISDICTION_MISSING"}
    missing = [f for f in result.findings if f.code == "JURISDICTION_MISSING"]
    assert [(f.agency, f.year) for f in missing] == [MISSING]  # it filed in the other years
    assert len(result.register) == 11  # 某县政府 2023 folds into 某县人民政府, 开发区 管委会 into 管理委员会


def test_a_jurisdiction_of_a_hundred_reports_is_quick() -> None:
    """Measured, not asserted (the machine is shared): printed with -s."""
    units = [f"某县第{i}单位" for i in range(40)]
    files = generated(units)
    reg = Register.from_rows(register_rows(units))
    start = time.perf_counter()
    result = check_jurisdiction(imported(files), reg)
    took = time.perf_counter() - start
    print(f"\n{len(files)} reports: {took:.3f} s ({100 * took / len(files):.3f} s per hundred)")
    assert len(files) > 100
    assert {f.code for f in result.findings} >= {"JURISDICTION_SUMMARY"}


# ---------------------------------------------------------------------------
# Panels


def test_the_panel_has_one_row_per_agency_year_and_cell() -> None:
    pytest.importorskip("pandas")
    reg = Register.from_rows(register_rows())
    files = generated()
    files[1] = (files[1][0], replace_path(files[1][1], "table2.penalty.decisions", None))  # a blank
    result = check_jurisdiction(imported(files), reg)
    panel = panel_frame(result)
    cells = len(layout(shape_of(files[0][1])))
    assert len(panel) == cells * (11 * 3 - 1)  # one unit missed a year; the duplicate and conflict count once
    assert str(panel["value"].dtype) == "Int64"
    assert panel.groupby(["agency", "year", "path"], observed=True).size().max() == 1
    blank = panel[(panel.file == files[1][0]) & (panel.path == "table2.penalty.decisions")]
    assert blank["value"].isna().all()
    county = panel[(panel.agency == COUNTY) & (panel.year == 2023)]
    assert set(county.printed_agency) == {"某县政府"}
    assert set(county.level) == {"县级"}
    assert set(panel[panel.agency == UNITS[0]].parent) == {COUNTY}
    assert set(panel[panel.agency == UNITS[0]].unit_code) == {"C001"}
    same = panel_frame(imported(files), reg)
    assert same.equals(panel)


def test_duckdb_reads_the_panel_and_the_findings() -> None:
    pytest.importorskip("pandas")
    duckdb = pytest.importorskip("duckdb")
    result = check_jurisdiction(imported(generated()), Register.from_rows(register_rows()))
    panel = result.panel()
    findings = result.to_frame()
    con = duckdb.connect()
    con.register("panel", panel)
    con.register("findings", findings)
    rows = con.execute(
        "select agency, year, value from panel where path = 'table2.licensing.decisions' and agency = ? order by year",
        [COUNTY],
    ).fetchall()
    assert rows == [(COUNTY, y, 450 + 10 * (y % 10) + (y == SUMMARY_OFF)) for y in YEARS]  # Σ (10 i + y % 10)
    assert con.execute("select count(*) from panel where value is null and kind = 'count'").fetchone() == (0,)
    got = con.execute(
        "select code, agency, year, difference from findings where code = 'JURISDICTION_SUMMARY'"
    ).fetchall()
    assert got == [("JURISDICTION_SUMMARY", COUNTY, 2024, 1)]
    assert str(findings["year"].dtype) == "Int64"
    assert findings_frame(result).equals(findings)


def test_the_findings_frame_refuses_what_is_not_a_result() -> None:
    pytest.importorskip("pandas")
    with pytest.raises(gk.GongkaiError, match="JurisdictionResult"):
        findings_frame(42)  # type: ignore[arg-type]


def test_money_cells_are_summed_too() -> None:
    reg = Register.from_rows([{"agency": "甲", "summary": "complete"}, {"agency": "乙", "parent": "甲"}])
    unit = replace_path(
        replace_path(gk.examples.seed_report(), "agency", "乙"), "table2.admin_fees.amount", Decimal("1.5")
    )
    summary = replace_path(
        replace_path(gk.examples.seed_report(), "agency", "甲"), "table2.admin_fees.amount", Decimal("1.4")
    )
    result = check_jurisdiction([summary, unit], reg)
    assert [(f.finding.path, f.finding.difference) for f in result.findings] == [
        ("table2.admin_fees.amount", Decimal("-0.1"))
    ]


# ---------------------------------------------------------------------------
# The command line


def test_the_cli_runs_the_jurisdiction_after_the_files(tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    for name, r in generated():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(gk.dumps(r), encoding="utf-8")
    units = folder / "units.csv"  # inside the folder: the register is not a file to check
    Register.from_rows(register_rows()).to_csv(units)
    run = [sys.executable, "-m", "gongkai_model", "check", "--jobs", "1", "--register", str(units), str(folder)]
    env = {"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"}
    text = subprocess.run(run, capture_output=True, text=True, env=env, timeout=120, cwd=tmp_path)
    assert text.returncode == 1, text.stderr
    block = text.stdout[text.stdout.index("jurisdiction:") :].splitlines()
    assert block[0].startswith("jurisdiction: 11 unit(s), 34 report(s), year(s) 2022–2024: inconsistent")
    codes = sorted(line.split("]")[0].strip(" [") for line in block[1:])
    assert codes == sorted(c for c, *_ in expected())
    as_json = subprocess.run(
        [*run[:4], "--format", "json", *run[4:]], capture_output=True, text=True, env=env, timeout=120
    )
    doc = json.loads(as_json.stdout)
    assert {(f["code"], f["agency"], f["year"], f["path"]) for f in doc["jurisdiction"]["findings"]} == expected()
    assert doc["ok"] is False
    assert doc["skipped"] == []
    summary = next(f for f in doc["jurisdiction"]["findings"] if f["code"] == "JURISDICTION_SUMMARY")
    assert summary["difference"] == 1  # whichever of the two conflicting files comes first
    bad = tmp_path / "bad.csv"
    bad.write_text("agency,parent\n某县教育局,某市政府\n", encoding="utf-8")
    usage = subprocess.run([*run[:6], "--register", str(bad), str(folder)], capture_output=True, text=True, env=env)
    assert usage.returncode == 2
    assert "row 2, column parent" in usage.stderr


# ---------------------------------------------------------------------------
# Hostile registers: each regenerated in a capped subprocess (tests/hostile.py)


def _read(text: str) -> object:
    """Write ``text`` to a CSV file, read it as a register, and remove the file."""
    import os
    import tempfile

    fd, name = tempfile.mkstemp(suffix=".csv")
    try:
        with open(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        return Register.read_csv(name)
    finally:
        os.unlink(name)


def register_many_rows() -> object:
    return _read("agency\n" + "".join(f"单位{i}\n" for i in range(300_000)))


def register_wide() -> object:
    return _read(",".join(f"c{i}" for i in range(1_000_000)) + "\n")


def register_many_cells() -> object:
    return _read("agency,x\n" + ("a" + "," * 999 + "\n") * 20_000)


def register_long_field() -> object:
    return _read("agency\n" + "某" * 1_000_000 + "\n")


def register_long_chain() -> object:
    """19,999 units, each the parent of the next, the last the parent of the first: one cycle, named once."""
    n = 19_999
    rows = "".join(f"单位{i},单位{(i + 1) % n}\n" for i in range(n))
    return _read("agency,parent\n" + rows)


@pytest.mark.parametrize(
    ("target", "says"),
    [
        ("register_many_rows", "Limits.max_rows"),
        ("register_wide", "Limits.max_columns"),
        ("register_many_cells", "Limits.max_cells"),
        ("register_long_field", "field larger than field limit"),
        ("register_long_chain", "lead back"),
    ],
)
def test_a_hostile_register_is_refused_within_bounds(target: str, says: str) -> None:
    from hostile import assert_contract, run_capped

    outcome = assert_contract(run_capped(f"test_jurisdiction:{target}"))
    assert outcome.kind == "error"
    assert outcome.type == "RegisterError"
    assert outcome.codes == {"JURISDICTION_REGISTER"}
    assert any(says in p["message"] for p in outcome.problems), str(outcome)
    assert len(outcome.problems) == 1, str(outcome)


def test_empty_lines_are_no_units_and_rows_keep_their_numbers(tmp_path: Path) -> None:
    path = tmp_path / "units.csv"
    path.write_text("agency,parent\n甲,\n\n,,\n乙,丙\n", encoding="utf-8")
    with pytest.raises(RegisterError) as caught:
        Register.read_csv(path)
    assert [p.location for p in caught.value.problems] == ["row 5, column parent"]


def test_a_column_given_twice_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "units.csv"
    path.write_text("agency,level,agency\n甲,县级,乙\n", encoding="utf-8")
    with pytest.raises(RegisterError) as caught:
        Register.read_csv(path)
    assert [p.location for p in caught.value.problems] == ["row 1, column agency"]
    with pytest.raises(RegisterError) as caught:
        Register.from_rows([{"agency": "甲", "机关": "乙"}])  # the same column in English and Chinese
    assert [p.location for p in caught.value.problems] == ["row 1, column 机关"]


def test_a_wrong_year_is_the_librarys_error() -> None:
    reg = Register([])  # an empty register: every report is unknown
    assert len(reg) == 0
    assert reg.units == ()
    for year in ("2023", 2023.0, [2023, "x"], True):
        with pytest.raises(gk.GongkaiError, match="cannot check"):
            check_jurisdiction([gk.examples.seed_report()], reg, year=year)  # type: ignore[arg-type]
    result = check_jurisdiction([gk.examples.seed_report()], reg, year=range(2022, 2024))
    assert result.years == (2022, 2023)
    assert [f.code for f in result.findings] == ["JURISDICTION_UNKNOWN_AGENCY"]
    assert result.ok  # a warning
    assert result.lines()[0].endswith(": warnings (1 warning)")
