"""Many files at once: nothing lost, any executor, Parquet read back by DuckDB."""

from __future__ import annotations

import concurrent.futures as cf
from pathlib import Path

import pytest

import gongkai_model as gk
from gongkai_model import batch
from gongkai_model.model import replace_path

from conftest import CASES


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A folder mixing a good, an inconsistent, an unreadable, a partly readable and an unrelated file."""
    seed = gk.examples.seed_report()
    (tmp_path / "good.json").write_text(gk.dumps(seed), encoding="utf-8")
    bad = replace_path(seed, "table4.reconsideration.upheld", 3)
    (tmp_path / "inconsistent.json").write_text(gk.dumps(bad), encoding="utf-8")
    (tmp_path / "unreadable.pdf").write_bytes(b"not a pdf at all")
    page = (CASES / "shanghai-shizhengfu-bangongting-2019.html").read_text(encoding="utf-8")
    page = page.replace('<p align="center">821</p>', '<p align="center">8 21</p>', 1)
    assert "8 21" in page
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "partly.html").write_text(
        "<h1>上海市人民政府办公厅2019年政府信息公开工作年度报告</h1>" + page, encoding="utf-8"
    )
    (tmp_path / "notes.bin").write_bytes(b"\x00\x01")  # not a readable suffix: not searched
    return tmp_path


def test_read_many_loses_no_file(corpus: Path) -> None:
    got = gk.batch.read_many([corpus, corpus / "missing.json"])
    names = [Path(i.source).name for i in got]
    assert names == ["good.json", "inconsistent.json", "partly.html", "unreadable.pdf", "missing.json"]
    by_name = dict(zip(names, got, strict=True))
    assert by_name["good.json"].ok
    assert by_name["unreadable.pdf"].report is None
    assert by_name["unreadable.pdf"].problems
    assert by_name["missing.json"].report is None
    assert by_name["partly.html"].report is not None
    assert not by_name["partly.html"].ok


@pytest.mark.parametrize("executor", ["serial", "threads", "processes"])
def test_check_many_reports_every_file_on_any_executor(corpus: Path, executor: str) -> None:
    pool: cf.Executor | str = executor
    if executor == "threads":
        pool = cf.ThreadPoolExecutor(2)
    elif executor == "processes":
        pool = cf.ProcessPoolExecutor(2)
    result = batch.check_many(corpus, executor=pool, window=2)
    if isinstance(pool, cf.Executor):
        pool.shutdown()
    statuses = {Path(f.path).name: f.status for f in result.files}
    assert statuses == {
        "good.json": "ok",
        "inconsistent.json": "inconsistent",
        "unreadable.pdf": "unreadable",
        "partly.html": "incomplete",
    }
    assert not result.ok
    summary = result.summary()
    assert summary == {
        "files": 4,
        "ok": 1,
        "warnings": 0,
        "unassessed": 0,
        "empty": 0,
        "inconsistent": 1,
        "incomplete": 1,
        "unreadable": 1,
        "timeout": 0,
        "memory": 0,
        "crashed": 0,
        "skipped": 0,
        **result.tally.as_dict(),
    }
    assert summary["identities"] == summary["held"] + summary["broken"] + summary["not_assessable"] > 0
    assert summary["broken"] >= 1  # inconsistent.json
    partly = next(f for f in result.files if f.path.endswith("partly.html"))
    refused = [p for p in partly.problems if p.code == "READ_VALUE_REFUSED"]
    assert len(refused) == 1
    assert refused[0].place is not None
    assert refused[0].place.table == 2


def test_parquet_is_read_back_by_duckdb(tmp_path: Path) -> None:
    import duckdb

    a = gk.examples.seed_report()
    b = replace_path(replace_path(a, "table3.new_received.natural_person", 5), "table3.new_received.total", 5)
    c = replace_path(gk.AnnualReport.blank(agency="某市", year=2019), "table3.new_received.natural_person", 7)
    cells, findings = batch.to_parquet([a, b, c], tmp_path / "corpus")
    con = duckdb.connect()
    total = con.execute(
        f"select sum(value) from read_parquet('{cells}/**/*.parquet', hive_partitioning=true) "
        "where path = 'table3.new_received.natural_person'"
    ).fetchone()
    assert total == (12,)
    per_year = con.execute(
        "select year, count(*), count(value) + count(money) "
        f"from read_parquet('{cells}/**/*.parquet', hive_partitioning=true) group by year order by year"
    ).fetchall()
    assert per_year == [(2019, 198, 1), (2023, 400, 400)]  # blanks are nulls, not 0
    codes = con.execute(
        f"select code from read_parquet('{findings}/**/*.parquet', hive_partitioning=true) order by code"
    ).fetchall()
    assert ("T3_BALANCE",) in codes


def test_chunksize_is_ignored_with_a_deprecation_warning(tmp_path: Path) -> None:
    (tmp_path / "seed.json").write_text(gk.dumps(gk.examples.seed_report()), encoding="utf-8")
    with pytest.warns(DeprecationWarning, match="chunksize"):
        result = gk.check_many(tmp_path, executor="serial", chunksize=8)
    assert [f.status for f in result.files] == ["ok"]
