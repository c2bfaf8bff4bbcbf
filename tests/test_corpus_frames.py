"""One frame for a corpus: the results of read, check, read_many and check_many as frames, and Parquet.

Every count stays an integer (``Int64``: a blank is ``<NA>``, never 0); every frame names its
``source``; ``to_parquet`` never mixes two runs silently, and DuckDB reads what it writes.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import gongkai_model as gk
from gongkai_model.batch import BatchResult, FileResult
from gongkai_model.frames import COLUMNS, FILE_COLUMNS, FINDING_COLUMNS, files_frame, findings_frame
from gongkai_model.model import replace_path

COUNTS = (
    "year", "cells", "read", "by_order", "split", "refused", "absent", "problems", "read_errors", "assessed",
    "not_assessable", "findings", "error", "inconsistency", "warning", "info", "suggestions",
)  # fmt: skip


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A good text copy, an inconsistent one, and an unreadable file."""
    seed = gk.examples.seed_report()
    gk.write(seed, tmp_path / "a-good.txt")
    gk.write(replace_path(seed, "table4.reconsideration.upheld", 3), tmp_path / "b-bad.txt")
    (tmp_path / "c-broken.pdf").write_bytes(b"not a pdf")
    return tmp_path


def test_to_frame_of_check_many_and_read_many_has_the_source(corpus: Path) -> None:
    checked = gk.check_many(corpus, executor="serial")
    frame = gk.to_frame(checked)
    assert tuple(frame.columns) == COLUMNS
    assert frame.groupby("source", observed=True).size().to_dict() == {
        str(corpus / "a-good.txt"): 200,
        str(corpus / "b-bad.txt"): 200,
    }  # the unreadable file has no cells
    assert set(frame["agency_from"].astype(str)) == {"title"}
    assert str(frame["value"].dtype) == "Int64"
    read = gk.read_many(corpus, executor="serial")
    pd.testing.assert_frame_equal(gk.to_frame(read), frame)
    assert len(gk.to_frame([checked, read])) == 800  # a list of results, and a list of lists
    assert len(gk.to_frame([read, read])) == 800
    one = gk.to_frame(checked.files[1])
    assert one["source"].unique().tolist() == [str(corpus / "b-bad.txt")]
    assert len(gk.to_frame(gk.check(corpus / "a-good.txt"))) == 200
    assert gk.to_frame(read[0], wide=True)["三"].shape == (25, 7)


def test_findings_frame_of_a_batch(corpus: Path) -> None:
    checked = gk.check_many(corpus, executor="serial")
    frame = findings_frame(checked)
    assert tuple(frame.columns) == FINDING_COLUMNS
    bad = checked.files[1]
    mine = frame[frame["source"] == bad.path]
    assert mine["code"].tolist() == [f.code for f in bad.findings]
    assert set(mine["agency"]) == {"北京市西城区信访办公室"}
    assert set(mine["year"]) == {2023}
    assert mine["place"].notna().any()  # where the cell was printed, from check
    assert len(frame) == sum(len(f.findings) for f in checked.files)
    assert str(frame["difference"].dtype) == "Int64"
    # read_many's reports are checked here: the same findings, not located
    read = findings_frame(gk.read_many(corpus, executor="serial"))
    assert read["code"].tolist() == frame["code"].tolist()
    assert gk.validate(bad.report).issues[0].code == read["code"].iloc[0]  # type: ignore[arg-type]


def test_files_frame_one_row_per_file_and_blank_never_0(corpus: Path) -> None:
    checked = gk.check_many(corpus, executor="serial")
    frame = checked.to_frame()
    assert tuple(frame.columns) == FILE_COLUMNS
    assert frame["source"].tolist() == [f.path for f in checked.files]
    assert frame["status"].astype(str).tolist() == ["ok", "inconsistent", "unreadable"]
    for name in COUNTS:
        assert str(frame[name].dtype) == "Int64", name
    good, bad, broken = (frame.iloc[i] for i in range(3))
    assert (good["cells"], good["read"], good["findings"], good["inconsistency"]) == (200, 200, 0, 0)
    assert good["coverage"] == 1.0
    assert good["agency"] == "北京市西城区信访办公室"
    assert good["year_from"] == "title"
    assert bad["inconsistency"] >= 1
    assert bad["suggestions"] >= 1
    assert broken["read_errors"] >= 1
    for name in ("cells", "coverage", "assessed", "findings", "error", "year"):
        assert pd.isna(broken[name]), name  # not checked, shape unknown: missing, never 0
    read = files_frame(gk.read_many(corpus, executor="serial"))
    assert read["findings"].isna().all()  # read, not checked
    assert read["cells"].tolist()[:2] == [200, 200]
    seed = files_frame(gk.examples.seed_report())
    assert seed.loc[0, "status"] == "ok"
    assert seed.loc[0, "findings"] == 0


def test_a_batch_of_1000_files_is_one_frame_of_1000_rows() -> None:
    seed = gk.examples.seed_report()
    checked = gk.CheckedReport(gk.Imported(seed, (), {}, "x.json"), gk.validate(seed))
    batch = BatchResult(tuple(FileResult(f"{i}.json", checked) for i in range(1_000)))
    frame = batch.to_frame()
    assert len(frame) == 1_000
    assert frame["assessed"].sum() == 1_000 * checked.validation.assessed  # type: ignore[union-attr]
    assert len(gk.to_frame(batch)) == 200_000
    assert gk.to_frame(batch)["source"].cat.categories.size == 1_000


def test_what_is_no_result_is_refused() -> None:
    with pytest.raises(gk.GongkaiError, match="cannot make a frame of files"):
        files_frame([gk.examples.seed_report(), 3])
    with pytest.raises(gk.GongkaiError) as info:
        findings_frame([gk.examples.seed_report(), "text", 4])
    assert [p.location for p in info.value.problems] == ["item 1", "item 2"]


# --- Parquet ------------------------------------------------------------------------------------------------


def _count(folder: Path) -> list[tuple[int, int]]:
    """Rows per year, as DuckDB reads the dataset (duckdb is in the ``test`` extra)."""
    import duckdb

    sql = f"select year, count(*) from read_parquet('{folder}/**/*.parquet', hive_partitioning=true) group by 1"
    relation = duckdb.sql(sql)
    assert relation is not None
    return sorted(relation.fetchall())


def test_to_parquet_never_mixes_two_runs(tmp_path: Path) -> None:
    assert gk.to_parquet is gk.batch.to_parquet
    seed = gk.examples.seed_report()
    older = replace_path(seed, "year", 2022)
    cells, findings = gk.to_parquet([older], tmp_path)
    assert _count(cells) == [(2022, 200)]
    with pytest.raises(gk.GongkaiError, match="already holds data") as info:
        gk.to_parquet([seed], tmp_path)
    assert "mode='overwrite'" in str(info.value)
    assert _count(cells) == [(2022, 200)]  # untouched
    gk.to_parquet([seed], tmp_path, mode="overwrite")
    assert _count(cells) == [(2023, 200)]  # the 2022 partition of the earlier run is gone
    gk.to_parquet([seed, older], tmp_path, mode="append")
    assert _count(cells) == [(2022, 200), (2023, 400)]
    bad = replace_path(seed, "table4.reconsideration.upheld", 3)
    gk.to_parquet([bad], tmp_path, mode="append")
    assert _count(findings) == [(2023, len(gk.validate(bad).issues))]


def test_to_parquet_never_deletes_what_it_did_not_write(tmp_path: Path) -> None:
    (tmp_path / "cells").mkdir()
    mine = tmp_path / "cells" / "notes.txt"
    mine.write_text("mine", encoding="utf-8")
    modes: tuple[gk.batch.ParquetMode, ...] = ("error", "overwrite", "append")
    for mode in modes:
        with pytest.raises(gk.GongkaiError):
            gk.to_parquet([gk.examples.seed_report()], tmp_path, mode=mode)
    assert mine.read_text(encoding="utf-8") == "mine"
    with pytest.raises(gk.GongkaiError, match="expected 'error', 'overwrite' or 'append'"):
        gk.to_parquet([gk.examples.seed_report()], tmp_path / "new", mode="replace")  # type: ignore[arg-type]
    assert not (tmp_path / "new").exists()
