"""A batch that cannot stall or lose (issue 14): hangs, memory bombs and killed workers, on every executor.

The pool is proved with the functions of ``tests/batch_behaviours.py`` (module-level, so that workers
import them by name): by the file's name they hang for an hour, allocate far past the memory cap, kill their own
worker, or check the file for real. Every hostile input is made here; nothing large is stored.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import json
import os
import signal
import threading
import time
from pathlib import Path
from typing import Any

import attrs
import pytest
from batch_behaviours import _CHECK_TASK, LIMITS, RELEASE, behave, misbehaving_check_task, suicide
from hypothesis import given, settings
from hypothesis import strategies as st

import gongkai_model as gk
from gongkai_model import batch
from gongkai_model.limits import Limits
from gongkai_model.model import replace_path

import strategies


@pytest.fixture(autouse=True)
def _release() -> Any:
    RELEASE.clear()
    yield
    RELEASE.set()


def _corpus(folder: Path, good: int) -> list[str]:
    """``good`` small reports: valid, inconsistent, damaged and partly readable ones, in a sorted folder."""
    seed = gk.examples.seed_report()
    text = gk.dumps(seed)
    bad = gk.dumps(replace_path(seed, "table4.reconsideration.upheld", 3))
    other = gk.dumps(replace_path(seed, "agency", "某县人民政府"))
    names = []
    for i in range(good):
        kind = i % 10
        name = f"r{i:04d}.json"
        if kind == 3:
            body = bad
        elif kind == 6:
            body = "{"
        elif kind == 8:
            body = text[: len(text) // 2]
        else:
            body = other if kind % 2 else text
        (folder / name).write_text(body, encoding="utf-8")
        names.append(name)
    return names


def _expected(folder: Path, names: list[str]) -> dict[str, gk.CheckedReport]:
    return {n: gk.check(folder / n, limits=LIMITS) for n in names}


def _kill_once(folder: Path, name: str) -> threading.Thread:
    """Kill, from outside, the worker that takes ``name`` (once): it waits for the file's mark."""
    mark = (folder / name).with_suffix(".pid")

    def killer() -> None:
        for _ in range(600):
            if mark.exists() and mark.read_text(encoding="utf-8"):
                time.sleep(0.05)
                with contextlib.suppress(ProcessLookupError):
                    os.kill(int(mark.read_text(encoding="utf-8")), signal.SIGKILL)
                return
            time.sleep(0.05)

    thread = threading.Thread(target=killer, daemon=True)
    thread.start()
    return thread


def _mixed(folder: Path, good: int) -> tuple[list[str], dict[str, str]]:
    names = _corpus(folder, good)
    hostile = {
        "hang.json": "timeout",
        "deaf.json": "timeout",
        "bomb1.json": "memory",
        "bomb2.json": "memory",
        "grow.json": "memory",
        "kill.json": "crashed",
        "once.json": "ok",  # killed from outside mid-run, retried alone: its real verdict
        "raise.json": "error",
    }
    for name in hostile:
        (folder / name).write_text(gk.dumps(gk.examples.seed_report()), encoding="utf-8")
    return names, hostile


def _assert_every_file(
    folder: Path, outcomes: list[batch.FileOutcome[Any]], names: list[str], hostile: dict[str, str]
) -> None:
    expected_order = sorted([*names, *hostile], key=lambda n: Path(folder / n))
    assert [Path(o.path).name for o in outcomes] == expected_order
    assert [o.index for o in outcomes] == list(range(len(expected_order)))
    truth = _expected(folder, names)
    for o in outcomes:
        name = Path(o.path).name
        if name in hostile:
            want = hostile[name]
            assert (o.cause or "ok") == want, (name, o)
            continue
        assert o.cause is None, (name, o)
        assert o.value == truth[name], name  # the real verdict, equal to a serial run's


def test_the_supervised_pool_gives_every_file_its_outcome(tmp_path: Path) -> None:
    names, hostile = _mixed(tmp_path, 60)
    killer = _kill_once(tmp_path, "once.json")
    start = time.monotonic()
    outcomes = list(batch.map_files(behave, tmp_path, limits=LIMITS, workers=2, window=16))
    elapsed = time.monotonic() - start
    killer.join(1)
    _assert_every_file(tmp_path, [o for o in outcomes if not o.path.endswith(".pid")], names, hostile)
    by = {Path(o.path).name: o for o in outcomes}
    assert "2 s" in by["hang.json"].message
    assert "(killed)" in by["deaf.json"].message  # the soft timer was blocked: the parent killed it
    assert str(LIMITS.max_memory_bytes) in by["bomb1.json"].message
    assert "SIGKILL" in by["kill.json"].message
    assert "ValueError: a bug in the function" in by["raise.json"].message
    assert elapsed < 60, elapsed


def _renamed(value: Any, old: str, new: str) -> Any:
    """``value`` (a batch result) with the path ``old`` and its file name replaced by ``new``'s, everywhere.

    Only what holds the name is rebuilt; the rest (the report itself) is ``value``'s own.
    """
    if isinstance(value, str):
        return value.replace(old, new).replace(Path(old).name, Path(new).name)
    if isinstance(value, (tuple, list)):
        items = [_renamed(v, old, new) for v in value]
        return value if all(a is b for a, b in zip(items, value, strict=True)) else type(value)(items)
    if isinstance(value, dict):
        pairs = [(_renamed(k, old, new), _renamed(v, old, new)) for k, v in value.items()]
        same = all(k is k0 and v is v0 for (k, v), (k0, v0) in zip(pairs, value.items(), strict=True))
        return value if same else dict(pairs)
    if attrs.has(type(value)):
        fields = [a for a in attrs.fields(type(value)) if a.init]
        changes = {a.alias: _renamed(getattr(value, a.name), old, new) for a in fields}
        if all(changes[a.alias] is getattr(value, a.name) for a in fields):
            return value
        return attrs.evolve(value, **changes)
    return value


def test_a_thousand_files_with_hangs_bombs_and_a_killed_worker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The issue's batch: check_many over 1,000 files, one hanging for an hour, three memory bombs, a worker killed.

    The readers' own bounds are other tests' business: here the task misbehaves by the file's name,
    in the workers, so that the pool is proved whatever the readers do.
    """
    names, hostile = _mixed(tmp_path, 992)
    del hostile["deaf.json"], hostile["raise.json"]  # eight hostile files: keep the count at 1,000
    (tmp_path / "deaf.json").unlink()
    (tmp_path / "raise.json").unlink()
    (tmp_path / "hang2.json").write_text("{}", encoding="utf-8")
    (tmp_path / "kill2.json").write_text("{}", encoding="utf-8")
    hostile.update({"hang2.json": "timeout", "kill2.json": "crashed"})
    assert len(names) + len(hostile) == 1000
    monkeypatch.setattr(batch, "_check_task", misbehaving_check_task)
    killer = _kill_once(tmp_path, "once.json")
    start = time.monotonic()
    result = batch.check_many(tmp_path, limits=LIMITS, workers=2)
    elapsed = time.monotonic() - start
    killer.join(1)
    assert len(result.files) == 1000
    monkeypatch.setattr(batch, "_check_task", _CHECK_TASK)
    # The serial truth: the corpus is ten bodies repeated (file i holds body i % 10), so a serial run of
    # the first ten files gives every file's verdict, its names renamed (a serial run of all 992 took 6 s).
    serial = batch.check_many([tmp_path / n for n in names[:10]], executor="serial", limits=LIMITS)
    truth = {Path(f.path).name: f for f in serial.files}
    expected_order = sorted([*names, *hostile], key=lambda n: Path(tmp_path / n))
    assert [Path(f.path).name for f in result.files] == expected_order
    ok = 0
    for f in result.files:
        name = Path(f.path).name
        if name in hostile:
            assert f.status == hostile[name], (name, f.problems)
        else:
            twin = names[names.index(name) % 10]
            want = _renamed(truth[twin], str(tmp_path / twin), f.path) if name != twin else truth[twin]
            assert f == want, name  # the real verdict, equal to a serial run's
            ok += f.status == "ok"
    summary = result.summary()
    assert (summary["timeout"], summary["memory"], summary["crashed"]) == (2, 3, 2)
    assert summary["ok"] == ok + 1  # once.json, killed from outside, then checked
    assert elapsed < 60, elapsed


def test_check_many_marks_each_cause_with_a_located_problem(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """check_many itself, on the supervised pool: its results carry the status and a BATCH_ problem."""
    (tmp_path / "good.json").write_text(gk.dumps(gk.examples.seed_report()), encoding="utf-8")
    (tmp_path / "bad.json").write_text("{", encoding="utf-8")
    os.mkfifo(tmp_path / "pipe.json")
    result = batch.check_many(tmp_path, limits=LIMITS, workers=2)
    assert [(Path(f.path).name, f.status) for f in result.files] == [
        ("bad.json", "unreadable"),
        ("good.json", "ok"),
        ("pipe.json", "skipped"),
    ]
    (problem,) = result.files[2].problems
    assert problem.code == "BATCH_SKIPPED"
    assert problem.severity == "error"
    assert problem.place == gk.errors.Place(str(tmp_path / "pipe.json"))
    assert "FIFO" in problem.message
    assert result.summary()["skipped"] == 1
    assert not result.ok


def test_check_many_stops_a_hanging_reader(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """In this process (serial), a reader that hangs in Python code is stopped by the soft timer."""
    (tmp_path / "a.json").write_text(gk.dumps(gk.examples.seed_report()), encoding="utf-8")
    (tmp_path / "hang.json").write_text("{}", encoding="utf-8")
    real = batch._check_task

    def slow(path: str, **kw: Any) -> Any:
        if path.endswith("hang.json"):
            time.sleep(3600)
        return real(path, **kw)

    monkeypatch.setattr(batch, "_check_task", slow)
    result = batch.check_many(tmp_path, executor="serial", limits=Limits(max_seconds=1.0))
    assert [f.status for f in result.files] == ["ok", "timeout"]
    (problem,) = result.files[1].problems
    assert problem.code == "BATCH_TIMEOUT"
    assert "1 s" in problem.message


def test_threads_stop_waiting_for_a_hang(tmp_path: Path) -> None:
    names = _corpus(tmp_path, 30)
    hostile = {"hang.json": "timeout", "raise.json": "error"}
    for name in hostile:
        (tmp_path / name).write_text("{}", encoding="utf-8")
    with cf.ThreadPoolExecutor(2) as pool:
        outcomes = list(batch.map_files(behave, tmp_path, executor=pool, limits=LIMITS))
        RELEASE.set()  # the thread cannot be stopped: let it end before the pool shuts down
    _assert_every_file(tmp_path, outcomes, names, hostile)
    hang = next(o for o in outcomes if o.path.endswith("hang.json"))
    assert "cannot stop it" in hang.message


def test_threads_all_stuck_hand_the_rest_to_our_pool(tmp_path: Path) -> None:
    names = _corpus(tmp_path, 6)
    hostile = {"hang1.json": "timeout", "hang2.json": "timeout"}
    for name in hostile:
        (tmp_path / name).write_text("{}", encoding="utf-8")
    with cf.ThreadPoolExecutor(2) as pool:  # both threads hang: the files left run on the supervised pool
        outcomes = list(batch.map_files(behave, tmp_path, executor=pool, limits=LIMITS, workers=2))
        RELEASE.set()
    _assert_every_file(tmp_path, outcomes, names, hostile)


def test_serial_stops_a_hang_and_keeps_going(tmp_path: Path) -> None:
    names = _corpus(tmp_path, 10)
    hostile = {"hang.json": "timeout", "raise.json": "error"}
    for name in hostile:
        (tmp_path / name).write_text("{}", encoding="utf-8")
    outcomes = list(batch.map_files(behave, tmp_path, executor="serial", limits=LIMITS))
    _assert_every_file(tmp_path, outcomes, names, hostile)


def test_a_users_process_pool_that_breaks_loses_nothing(tmp_path: Path) -> None:
    """A worker of the caller's pool is killed: BrokenProcessPool never escapes; the rest run on our pool."""
    names = _corpus(tmp_path, 30)
    hostile = {"kill.json": "crashed", "hang.json": "timeout", "bomb.json": "memory"}
    for name in hostile:
        (tmp_path / name).write_text("{}", encoding="utf-8")
    with cf.ProcessPoolExecutor(2) as pool:
        outcomes = list(batch.map_files(behave, tmp_path, executor=pool, limits=LIMITS, workers=2))
    _assert_every_file(tmp_path, outcomes, names, hostile)


def test_check_many_on_a_users_broken_process_pool(tmp_path: Path) -> None:
    """check_many with a pool that is already broken: every file still gets its real verdict, nothing raised."""
    names = _corpus(tmp_path, 5)
    with cf.ProcessPoolExecutor(1) as pool:
        with pytest.raises(cf.process.BrokenProcessPool):
            pool.submit(suicide).result()
        result = batch.check_many(tmp_path, executor=pool, limits=LIMITS, workers=2)
    truth = _expected(tmp_path, names)
    assert [f.checked for f in result.files] == [truth[n] for n in names]


def test_completion_order_on_request(tmp_path: Path) -> None:
    names = _corpus(tmp_path, 8)
    (tmp_path / "hang-a.json").write_text("{}", encoding="utf-8")
    got = list(batch.map_files(behave, tmp_path, limits=LIMITS, workers=2, ordered=False))
    assert Path(got[-1].path).name == "hang-a.json"  # first in the folder, last to finish
    assert sorted(o.index for o in got) == list(range(len(names) + 1))


def test_breaking_out_of_the_iterator_stops_the_workers(tmp_path: Path) -> None:
    _corpus(tmp_path, 4)
    for i in range(4):
        (tmp_path / f"s{i}-hang.json").write_text("{}", encoding="utf-8")
    import multiprocessing

    before = {p.pid for p in multiprocessing.active_children()}
    it = batch.map_files(behave, sorted(tmp_path.glob("s*")) + sorted(tmp_path.glob("r*")), limits=LIMITS, workers=2)
    start = time.monotonic()
    for _ in it:
        break
    it.close()
    assert time.monotonic() - start < 10
    assert {p.pid for p in multiprocessing.active_children()} <= before


# --- resuming ------------------------------------------------------------------------------------------


def _resume_corpus(folder: Path) -> None:
    from gongkai_model import excel

    _corpus(folder, 24)
    excel.write_report(gk.examples.seed_report(), folder / "template.xlsx")  # totals are formulas: derived cells
    (folder / "page.html").write_text(gk.formats.render_html(gk.examples.seed_report()), encoding="utf-8")


@pytest.mark.parametrize(("executor", "provenance"), [("serial", True), ("serial", False), (None, True)])
def test_an_interrupted_run_resumed_gives_the_same_results(
    tmp_path: Path, executor: str | None, provenance: bool
) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    _resume_corpus(folder)
    journal = tmp_path / "run.jsonl"
    whole = batch.check_many(folder, executor=executor, provenance=provenance)

    seen = []
    for result in batch.iter_check(folder, executor=executor, provenance=provenance, journal=journal, window=4):
        seen.append(result)
        if len(seen) == 11:
            break  # interrupted
    lines = journal.read_text(encoding="utf-8").splitlines()
    kept = len(lines) - 1  # every file finished is kept, also those not yet yielded (the pool runs ahead)
    assert 11 <= kept <= 11 + 4 + 2
    with journal.open("a", encoding="utf-8") as fh:
        fh.write('{"path": "cut short by a kill')  # a line cut short, then garbage: ignored

    resumed = batch.check_many(folder, executor=executor, provenance=provenance, journal=journal, resume=True)
    assert resumed == whole
    assert [f.status for f in resumed.files] == [f.status for f in whole.files]
    for a, b in zip(resumed.files, whole.files, strict=True):
        assert [f.key for f in a.findings] == [f.key for f in b.findings]
        assert a.report == b.report
        assert a.problems == b.problems
    assert len(journal.read_text(encoding="utf-8").splitlines()) == 1 + kept + 1 + (len(whole.files) - kept)


def test_resume_checks_again_a_file_that_changed(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text(gk.dumps(gk.examples.seed_report()), encoding="utf-8")
    journal = tmp_path / "j.jsonl"
    first = batch.check_many(tmp_path / "a.json", executor="serial", journal=journal)
    assert first.files[0].status == "ok"
    (tmp_path / "a.json").write_text("{", encoding="utf-8")
    again = batch.check_many(tmp_path / "a.json", executor="serial", journal=journal, resume=True)
    assert again.files[0].status == "unreadable"


def test_a_hostile_journal_is_only_json(tmp_path: Path) -> None:
    journal = tmp_path / "j.jsonl"
    (tmp_path / "a.json").write_text(gk.dumps(gk.examples.seed_report()), encoding="utf-8")
    journal.write_bytes(b"\x80\x04\x95 not json: a pickle would run code here\n")
    with pytest.raises(gk.GongkaiError, match="not a journal"):
        batch.check_many(tmp_path / "a.json", executor="serial", journal=journal, resume=True)
    batch.check_many(tmp_path / "a.json", executor="serial", journal=journal)  # a fresh journal
    header, entry = (json.loads(line) for line in journal.read_text(encoding="utf-8").splitlines())
    info = (tmp_path / "a.json").stat()
    forged = {**entry, "report": '{"not": "a report"}'}
    journal.write_text(json.dumps(header) + "\n" + json.dumps(forged) + "\n", encoding="utf-8")
    assert (entry["size"], entry["mtime_ns"]) == (info.st_size, info.st_mtime_ns)
    again = batch.check_many(tmp_path / "a.json", executor="serial", journal=journal, resume=True)
    assert again.files[0].status == "ok"  # the forged entry was refused: the file was checked again
    journal.write_text(json.dumps(header) + "\n" + json.dumps(forged) + "\n", encoding="utf-8")
    pooled = batch.check_many(tmp_path / "a.json", workers=1, journal=journal, resume=True)
    assert pooled == again  # checked again on the supervised pool, within its bounds
    assert len(journal.read_text(encoding="utf-8").splitlines()) == 3  # and journaled
    with pytest.raises(gk.GongkaiError, match="other options"):
        batch.check_many(tmp_path / "a.json", executor="serial", journal=journal, resume=True, strict=True)


# --- folder scans ---------------------------------------------------------------------------------------


def test_a_folder_scan_lists_what_it_cannot_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seed = gk.dumps(gk.examples.seed_report())
    (tmp_path / "good.json").write_text(seed, encoding="utf-8")
    os.mkfifo(tmp_path / "fifo.json")
    (tmp_path / "broken.html").symlink_to(tmp_path / "nowhere.html")
    (tmp_path / "loop.json").symlink_to(tmp_path / "loop.json")
    outside = tmp_path.parent / f"{tmp_path.name}-outside.json"
    outside.write_text(seed, encoding="utf-8")
    (tmp_path / "link.json").symlink_to(outside)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "in.json").write_text(seed, encoding="utf-8")
    (tmp_path / "folder-link").symlink_to(tmp_path / "sub")
    (tmp_path / "notes.bin").write_bytes(b"\x00")  # not a readable suffix: not ours to list
    os.close(os.open(os.fsencode(tmp_path) + b"/bad-\xff.json", os.O_CREAT | os.O_WRONLY))
    (tmp_path / "locked").mkdir()
    real = os.scandir

    def scandir(path: Any) -> Any:
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied")
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    got = {Path(s.path).name: s.skipped for s in batch.scan(tmp_path)}
    assert got == {
        "bad-\udcff.json": "its name is not valid UTF-8 (not read; rename it)",
        "broken.html": "a broken symbolic link",
        "fifo.json": "a FIFO (named pipe), not a file",
        "folder-link": "a symbolic link to a folder (not followed)",
        "good.json": None,
        "in.json": None,
        "link.json": None,
        "locked": "cannot list this folder: Permission denied",
        "loop.json": "a symbolic link loop",
    }
    scanned = [Path(s.path) for s in batch.scan(tmp_path)]
    assert scanned == sorted(scanned)  # sorted, deterministic
    result = batch.check_many(tmp_path, executor="serial")
    assert len(result.files) == len(got)
    assert result.summary()["skipped"] == 6
    assert {Path(f.path).name for f in result.files if f.status == "ok"} == {"good.json", "in.json", "link.json"}
    read = batch.read_many(tmp_path, executor="serial")
    assert [Path(i.source).name for i in read] == [Path(f.path).name for f in result.files]
    assert {i.problems[0].code for i in read if i.report is None} == {"BATCH_SKIPPED"}


def test_read_many_is_bounded_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a.json").write_text(gk.dumps(gk.examples.seed_report()), encoding="utf-8")
    (tmp_path / "hang.json").write_text("{}", encoding="utf-8")
    real = batch._read_task

    def slow(path: str, **kw: Any) -> Any:
        if path.endswith("hang.json"):
            time.sleep(3600)
        return real(path, **kw)

    monkeypatch.setattr(batch, "_read_task", slow)
    got = batch.read_many(tmp_path, executor="serial", limits=Limits(max_seconds=1.0))
    assert got[0].ok
    assert got[1].report is None
    assert got[1].problems[0].code == "BATCH_TIMEOUT"


# --- under the hostile harness (tests/hostile.py: a subprocess within 20 s and 1.5 GiB) -------------------


def hostile_batch() -> object:
    """A folder of a good report, a FIFO, a broken link and JSON nested 100,000 deep, checked on the pool."""
    import tempfile
    import types

    folder = Path(tempfile.mkdtemp())
    (folder / "good.json").write_text(gk.dumps(gk.examples.seed_report()), encoding="utf-8")
    os.mkfifo(folder / "fifo.json")
    (folder / "gone.json").symlink_to(folder / "nowhere.json")
    (folder / "deep.json").write_text('{"a":' * 100_000 + "1" + "}" * 100_000, encoding="utf-8")
    result = batch.check_many(folder, limits=Limits(max_seconds=5, max_memory_bytes=768 * 1024**2), workers=2)
    statuses = {Path(f.path).name: f.status for f in result.files}
    assert statuses == {"deep.json": "unreadable", "fifo.json": "skipped", "gone.json": "skipped", "good.json": "ok"}
    return types.SimpleNamespace(problems=[p for f in result.files for p in f.problems], report=None)


def test_a_hostile_batch_keeps_the_contract() -> None:
    from hostile import assert_contract, run_capped

    outcome = assert_contract(run_capped("test_batch_robust:hostile_batch"))
    assert outcome.kind == "result", str(outcome)
    assert "BATCH_SKIPPED" in outcome.codes


def hostile_journal() -> object:
    """A journal with a line nested 200,000 deep, a line past the length bound and binary garbage."""
    import tempfile
    import types

    from gongkai_model.batch import _journal

    folder = Path(tempfile.mkdtemp())
    (folder / "a.json").write_text(gk.dumps(gk.examples.seed_report()), encoding="utf-8")
    journal = folder / "run.jsonl"
    batch.check_many(folder / "a.json", executor="serial", journal=journal)
    header = journal.read_text(encoding="utf-8").splitlines()[0]
    _journal._MAX_LINE = 1024 * 1024  # a line past it is skipped in pieces, never held whole
    with journal.open("w", encoding="utf-8") as fh:
        fh.write(header + "\n" + "[" * 200_000 + "\n" + "7" * (3 * 1024 * 1024) + "\n\x00\x01garbage\n")
    result = batch.check_many(folder / "a.json", executor="serial", journal=journal, resume=True)
    assert [f.status for f in result.files] == ["ok"]  # nothing usable in the journal: checked again
    return types.SimpleNamespace(problems=list(result.files[0].problems), report=result.files[0].report)


def test_a_hostile_journal_keeps_the_contract() -> None:
    from hostile import assert_contract, run_capped

    outcome = assert_contract(run_capped("test_batch_robust:hostile_journal"))
    assert outcome.kind == "result", str(outcome)
    assert outcome.report


# --- the journal's round trip (property) ----------------------------------------------------------------


@settings(max_examples=12)
@given(report=strategies.reports(), form=st.sampled_from(["json", "txt", "html"]), provenance=st.booleans())
def test_a_journaled_result_comes_back_equal(report: gk.AnnualReport, form: str, provenance: bool) -> None:
    """Whatever a file holds, its result recalled from the journal equals the result checked."""
    import tempfile

    from gongkai_model.batch import _journal

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"r.{form}"
        if form == "json":
            path.write_text(gk.dumps(report), encoding="utf-8")
        elif form == "txt":
            path.write_text(gk.formats.render_text(report), encoding="utf-8")
        else:
            path.write_text(gk.formats.render_html(report), encoding="utf-8")
        result, derived = batch._check_task(str(path), {"limits": LIMITS}, provenance)
        options = {"strict": False, "blanks_as_zero": False, "provenance": provenance}
        book = _journal.Journal(Path(tmp) / "j.jsonl", options, resume=False)
        book.record(result, derived)
        book.close()
        again = _journal.Journal(Path(tmp) / "j.jsonl", options, resume=True)
        try:
            assert again.recall(str(path)) == result
        finally:
            again.close()


def test_workers_that_cannot_start_are_one_clear_error(tmp_path: Path) -> None:
    """Workers that all die before taking a file (an unguarded script, a cap too small): said once, clearly."""
    from batch_behaviours import Unloadable

    _corpus(tmp_path, 3)
    with pytest.raises(gk.GongkaiError, match="worker processes cannot start") as info:
        list(batch.map_files(Unloadable(), tmp_path, limits=LIMITS, workers=2))
    assert "if __name__ == '__main__':" in info.value.problems[0].message


def test_a_memory_error_in_check_is_the_memory_status(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A MemoryError out of the reader is status ``memory`` (never a mere unreadable file)."""
    (tmp_path / "a.json").write_text("{}", encoding="utf-8")

    def exhausted(path: str, **options: Any) -> Any:
        raise MemoryError

    monkeypatch.setattr(batch, "check", exhausted)
    (result,) = batch.check_many(tmp_path, executor="serial").files
    assert result.status == "memory"
    assert result.problems[0].code == "BATCH_MEMORY"


class Remote(cf.Executor):
    """An executor of no kind the library knows (as dask's): it loses the task of any file named ``lost*``."""

    def __init__(self) -> None:
        self.pool = cf.ThreadPoolExecutor(2)

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> cf.Future[Any]:
        if os.path.basename(args[-1]).startswith("lost"):
            future: cf.Future[Any] = cf.Future()
            future.set_exception(RuntimeError("the worker holding it was lost"))
            return future
        return self.pool.submit(fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self.pool.shutdown(wait, cancel_futures=cancel_futures)


def test_any_executor_a_lost_task_is_crashed_and_a_hang_stops_the_wait(tmp_path: Path) -> None:
    names = _corpus(tmp_path, 8)
    hostile = {"lost.json": "crashed", "hang.json": "timeout"}
    for name in hostile:
        (tmp_path / name).write_text("{}", encoding="utf-8")
    remote = Remote()
    try:
        outcomes = list(batch.map_files(behave, tmp_path, executor=remote, limits=LIMITS))
    finally:
        RELEASE.set()
        remote.shutdown()
    _assert_every_file(tmp_path, outcomes, names, hostile)
    lost = next(o for o in outcomes if o.path.endswith("lost.json"))
    assert lost.message == "the executor failed: RuntimeError: the worker holding it was lost"
