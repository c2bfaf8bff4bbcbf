"""The batch's fast paths (issue 19): what changed for speed gives exactly the results it gave.

- a :class:`FileResult` sent between processes (pickled compactly: the report as JSON text, the rest in
  one pickle, unpacked on first use) comes back equal, and its verdict, tally and coverage are those of
  the result itself before it is unpacked; the JSON fast path and the pickle (``FAST_PATHS`` off) agree;
- the supervised pool sends each worker a few files ahead: whatever the mix of good, damaged, crashing
  and raising files, every file gets the result a serial run gives it (a crash is ``crashed``), on our
  pool and on a user's process pool;
- the journal writes the same entry for a result received (without building its report);
- the folder scan orders its entries as ``sorted(key=Path)`` did.
"""

from __future__ import annotations

import concurrent.futures as cf
import importlib
import pickle
import tempfile
from pathlib import Path
from typing import Any

import pytest
from batch_behaviours import LIMITS, misbehaving_check_task
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import gongkai_model as gk
from gongkai_model import batch
from gongkai_model.batch import _journal
from gongkai_model.model import replace_path

import strategies
from conftest import CASES

#: The module (``gongkai_model.batch._result`` is also the name of a function of the package).
_packing = importlib.import_module("gongkai_model.batch._result")


def _write(path: Path, report: gk.AnnualReport, form: str) -> None:
    if form == "json":
        path.write_text(gk.dumps(report), encoding="utf-8")
    elif form == "txt":
        path.write_text(gk.formats.render_text(report), encoding="utf-8")
    else:
        path.write_text(gk.formats.render_html(report), encoding="utf-8")


def _sent(result: batch.FileResult) -> batch.FileResult:
    """The result as another process receives it (not unpacked yet)."""
    got = pickle.loads(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
    assert got._packed is not None
    return got


def _assert_same(got: batch.FileResult, result: batch.FileResult) -> None:
    # what a summary reads, before anything is unpacked
    assert (got.path, got.cause, got.status, got.verdict) == (result.path, result.cause, result.status, result.verdict)
    assert got.tally == result.tally
    assert got.coverage == result.coverage
    assert got.ok() == result.ok()
    assert got.ok(warnings=True) == result.ok(warnings=True)
    # what a file's line names, and whether anything is listed under it
    assert (got.agency, got.year, got.edition, got.quiet) == (result.agency, result.year, result.edition, result.quiet)
    report = result.report
    assert result.edition == (None if report is None else report.edition)
    assert result.agency == (None if report is None else report.agency)
    assert result.quiet == (report is not None and not result.problems and not result.findings)
    assert got._packed is not None  # nothing unpacked so far
    # what the journal writes (from the report's text as it came, when it came as text)
    assert _journal._encode(got, ["x"]) == _journal._encode(result, ["x"])
    assert got == result  # unpacked now
    assert got._packed is None
    assert got.checked == result.checked
    assert repr(got) == repr(result)
    assert [str(f) for f in got.findings] == [str(f) for f in result.findings]
    assert pickle.loads(pickle.dumps(got)) == result  # sent again


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    report=strategies.reports(),
    form=st.sampled_from(["json", "txt", "html"]),
    provenance=st.booleans(),
    broken=st.booleans(),
)
def test_a_result_sent_between_processes_comes_back_equal(
    report: gk.AnnualReport, form: str, provenance: bool, broken: bool
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"r.{form}"
        _write(path, report, form)
        if broken:  # a damaged file: cut in the middle
            data = path.read_bytes()
            path.write_bytes(data[: len(data) // 2])
        result, _ = batch._check_task(str(path), {"limits": LIMITS}, provenance)
        _assert_same(_sent(result), result)
        with pytest.MonkeyPatch.context() as mp:  # the thorough path: the report pickled as it is
            mp.setattr(_packing, "FAST_PATHS", False)
            _assert_same(_sent(result), result)


def test_results_of_every_kind_come_back_equal(tmp_path: Path) -> None:
    """Unreadable, stopped and skipped files, the real cases, and a report too large for JSON's fast path."""
    cases = [c for c in sorted(CASES.iterdir()) if c.suffix in (".json", ".html", ".txt")]
    assert len(cases) >= 8
    for case in cases:
        for provenance in (True, False):
            result, _ = batch._check_task(str(case), {"limits": LIMITS}, provenance)
            _assert_same(_sent(result), result)
    outcomes = [
        batch.FileOutcome(0, "a.json", None, "timeout", "did not finish within 2 s (stopped)"),
        batch.FileOutcome(1, "b.json", None, "crashed", "its worker died twice (killed by SIGKILL on the retry alone)"),
        batch.FileOutcome(2, "c.json", None, "skipped", "skipped: a FIFO (named pipe), not a file"),
        batch.FileOutcome(3, "d.json", None, "error", "ValueError: a bug"),
    ]
    for outcome in outcomes:
        result, _ = batch._result(outcome)
        _assert_same(_sent(result), result)
    long_text = gk.examples.seed_report()
    long_text = replace_path(long_text, "overview.text", "公开" * 60_000)  # past loads' max_keys: pickled instead
    path = tmp_path / "long.json"
    path.write_text(gk.dumps(long_text), encoding="utf-8")
    result, _ = batch._check_task(str(path), {"limits": LIMITS}, True)
    assert result.report is not None
    _assert_same(_sent(result), result)


_KINDS = ("good", "inconsistent", "damaged", "cut", "kill", "raise")


def _mix(folder: Path, kinds: list[str]) -> list[Path]:
    seed = gk.examples.seed_report()
    text = gk.dumps(seed)
    paths = []
    for i, kind in enumerate(kinds):
        prefix = kind if kind in ("kill", "raise") else "f"
        path = folder / f"{prefix}{i:03d}.json"
        if kind == "inconsistent":
            path.write_text(gk.dumps(replace_path(seed, "table4.reconsideration.upheld", 3 + i)), encoding="utf-8")
        elif kind == "damaged":
            path.write_text("{", encoding="utf-8")
        elif kind == "cut":
            path.write_text(text[: len(text) // 2], encoding="utf-8")
        else:
            path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kinds=st.lists(st.sampled_from(_KINDS), min_size=1, max_size=12), provenance=st.booleans())
def test_serial_and_the_pools_agree_on_any_mix(kinds: list[str], provenance: bool) -> None:
    """Files sent ahead of one that kills its worker, or raises, keep the result a serial run gives them."""
    with tempfile.TemporaryDirectory() as tmp, pytest.MonkeyPatch.context() as mp:
        mp.setattr(batch, "_check_task", misbehaving_check_task)
        paths = _mix(Path(tmp), kinds)
        safe = [p for p in paths if not p.name.startswith("kill")]  # a kill in this process would end the test
        serial = {
            f.path: f for f in batch.check_many(safe, executor="serial", limits=LIMITS, provenance=provenance).files
        }
        ours = batch.check_many(paths, limits=LIMITS, workers=2, provenance=provenance)
        with cf.ProcessPoolExecutor(2) as pool:
            theirs = batch.check_many(paths, executor=pool, limits=LIMITS, provenance=provenance, workers=2)
        for got in (ours, theirs):
            assert [f.path for f in got.files] == [str(p) for p in paths]
            for f in got.files:
                if Path(f.path).name.startswith("kill"):
                    assert f.status == "crashed", f
                else:
                    assert f == serial[f.path], f.path
            assert got.summary()["crashed"] == kinds.count("kill")


def test_files_sent_ahead_of_a_crash_or_a_hang_keep_their_verdict(tmp_path: Path, monkeypatch: Any) -> None:
    """One worker: the files waiting behind one that kills it, and behind one it must be killed for, run after."""
    monkeypatch.setattr(batch, "_check_task", misbehaving_check_task)
    seed = gk.dumps(gk.examples.seed_report())
    names = ["kill.json", "b.json", "c.json", "deaf.json", "e.json", "f.json"]
    for name in names:
        (tmp_path / name).write_text(seed, encoding="utf-8")
    result = batch.check_many([tmp_path / n for n in names], limits=LIMITS, workers=1)
    assert [(Path(f.path).name, f.status) for f in result.files] == [
        ("kill.json", "crashed"),
        ("b.json", "ok"),
        ("c.json", "ok"),
        ("deaf.json", "timeout"),
        ("e.json", "ok"),
        ("f.json", "ok"),
    ]
    (problem,) = result.files[3].problems
    assert problem.code == "BATCH_TIMEOUT"
    assert "killed" in problem.message
    serial = batch.check_many([tmp_path / n for n in ("b.json", "e.json")], executor="serial", limits=LIMITS)
    assert [result.files[1], result.files[4]] == list(serial.files)


_NAME = st.text(alphabet="aAbZz0_-. é", min_size=1, max_size=6).filter(lambda s: s not in (".", ".."))


@settings(max_examples=40, deadline=None)
@given(names=st.lists(st.lists(_NAME, min_size=1, max_size=3), min_size=1, max_size=12))
def test_the_scan_orders_entries_as_pathlib_does(names: list[list[str]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        made = 0
        for parts in names:
            path = Path(tmp, *parts[:-1], parts[-1] + ".json")
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text("{}", encoding="utf-8")
                made += 1
            except OSError:  # a folder where a file is, or the reverse: not this test's question
                continue
        got = [s.path for s in batch.scan(tmp)]
        assert got == sorted(got, key=Path)
        assert got == [str(p) for p in sorted(Path(tmp).rglob("*.json"), key=Path) if p.is_file()]
        assert len(got) <= made


def test_a_worker_forked_from_a_large_process_is_not_out_of_memory_at_once(tmp_path: Path) -> None:
    """Regression: a ``ProcessPoolExecutor`` forked from a process holding more address space than
    ``max_memory_bytes`` (a notebook, this test runner with the OCR engine loaded) capped its workers
    below what they already held, so every file was "out of memory" (READ_LIMIT) before it was read."""
    import mmap
    import multiprocessing

    paths = _mix(tmp_path, ["good", "inconsistent"])
    held = mmap.mmap(-1, 2 * LIMITS.max_memory_bytes)  # address space, never touched
    try:
        with cf.ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("fork")) as pool:
            got = batch.check_many(paths, executor=pool, limits=LIMITS, workers=2)
    finally:
        held.close()
    assert [f.status for f in got.files] == ["ok", "inconsistent"], got.files
    assert all(p.code != "READ_LIMIT" for f in got.files for p in f.problems), got.files


def test_the_compact_classes_are_made_again_by_their_constructors() -> None:
    """Guard of ``_compact_dumps``: each class it pickles as ``cls(*fields)`` takes every field, in order, in its
    constructor, with nothing run after (a field added with ``init=False``, ``kw_only`` or a post-init would
    make the compact form wrong: this test then says so)."""
    import attrs

    for cls in _packing._COMPACT:
        assert attrs.has(cls)
        for field in attrs.fields(cls):
            assert field.init, (cls, field.name)
            assert not field.kw_only, (cls, field.name)
            assert field.validator is None, (cls, field.name)
        assert "__attrs_post_init__" not in vars(cls), cls


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(report=strategies.reports(), blanks_as_zero=st.booleans())
def test_findings_suggestions_and_problems_pickle_compactly_and_come_back_equal(
    report: gk.AnnualReport, blanks_as_zero: bool
) -> None:
    """Generated reports (inconsistent ones have findings with cells, suggestions with changes and evidence,
    texts quoted): the compact pickle gives equal objects, as the plain pickle does; a subclass is kept."""
    result = gk.validate(report, blanks_as_zero=blanks_as_zero)
    sent = (result.issues, result.suggestions, gk.Problem("x", "a problem", "READ_FAILED"))
    back = pickle.loads(_packing._compact_dumps(sent))
    assert back == sent
    assert [type(f) for f in back[0]] == [type(f) for f in sent[0]]
    assert [str(f) for f in back[0]] == [str(f) for f in sent[0]]
    assert back == pickle.loads(pickle.dumps(sent))
    assert len(_packing._compact_dumps(sent)) <= len(pickle.dumps(sent, protocol=pickle.HIGHEST_PROTOCOL))


class _MyFinding(gk.checks.Finding):
    pass


def test_a_subclass_and_odd_values_are_pickled_as_they_are() -> None:
    import attrs

    finding = gk.checks.Finding("MY", "warning", "中", "en", cells=(gk.checks.CellRef("三", "r", "c", "p", 1.5),))
    mine = _MyFinding(**{a.name: getattr(finding, a.name) for a in attrs.fields(gk.checks.Finding)})
    back = pickle.loads(_packing._compact_dumps((finding, mine)))
    assert back == (finding, mine)
    assert type(back[1]) is _MyFinding
    assert type(back[0].cells[0].value) is float


def test_the_real_cases_read_on_the_pool_come_back_equal_with_their_provenance() -> None:
    """A worker's answer is pickled compactly (every provenance as its fields): what ``read_many`` gives on the
    supervised pool equals what it gives in this process."""
    cases = [c for c in sorted(CASES.iterdir()) if c.suffix in (".json", ".html", ".txt")]
    serial = batch.read_many(cases, executor="serial", limits=LIMITS)
    pooled = batch.read_many(cases, workers=2, limits=LIMITS)
    assert any(imported.provenance for imported in serial)
    assert pooled == serial


class _Registered:
    def __init__(self, value: int) -> None:
        self.value = value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Registered) and other.value == self.value

    __hash__ = None  # type: ignore[assignment]


def _registered_back(value: int) -> _Registered:
    return _Registered(value + 1000)


def test_a_reducer_registered_with_copyreg_later_is_used_as_a_plain_pickle_uses_it() -> None:
    import copyreg

    copyreg.pickle(_Registered, lambda obj: (_registered_back, (obj.value,)))
    try:
        back = pickle.loads(_packing._compact_dumps([_Registered(1)]))
        assert back == pickle.loads(pickle.dumps([_Registered(1)])) == [_Registered(1001)]
    finally:
        del copyreg.dispatch_table[_Registered]


def _packed_text(result: batch.FileResult) -> Any:
    """The report's text in a result's blob as a worker sends it (``None``: the report pickled)."""
    return pickle.loads(_packing._Packed.of(result.checked).blob)[0]


def test_a_report_goes_as_the_bytes_of_its_json_and_comes_back_equal() -> None:
    """The report's JSON goes as orjson's UTF-8 bytes when orjson writes it (as ``dumps`` text otherwise, and as
    text when orjson refuses it: a lone surrogate, which the standard library escapes); each comes back equal."""
    from gongkai_model.formats import Imported
    from gongkai_model.readcheck import CheckedReport

    seed = gk.examples.seed_report()
    for report in (seed, replace_path(seed, "overview.text", "公开\ud800信息")):
        checked = CheckedReport(Imported(report, (), {}, "r.json"), gk.validate(report))
        result = batch.FileResult("r.json", checked)
        text = _packed_text(result)
        dumped = gk.dumps(report)
        if not _packing.FAST_PATHS:  # GONGKAI_NO_FAST_PATHS=1: the report pickled as it is
            assert text is None
        elif report is not seed:  # orjson refuses the lone surrogate: the standard library's text
            assert type(text) is str
        if type(text) is bytes:
            assert gk.jsonio._orjson is not None
            assert text.decode("utf-8") == dumped
        elif text is not None:
            assert text == dumped
        _assert_same(_sent(result), result)
    if gk.jsonio._orjson is not None and _packing.FAST_PATHS:
        assert type(_packed_text(batch.FileResult("r.json", CheckedReport(Imported(seed, (), {}, "r"), None)))) is bytes
