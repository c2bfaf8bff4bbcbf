"""The supervised pool's parent naps while its workers have files waiting (issue 19): it wakes once for several
results. Whatever files crash, hang or raise among many quick ones, every file keeps the result a serial run
gives it; and the nap is bounded (never while a worker could run out of files, never past a deadline)."""

from __future__ import annotations

import collections
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from batch_behaviours import LIMITS, misbehaving_check_task
from hypothesis import given
from hypothesis import strategies as st

import gongkai_model as gk
from gongkai_model import batch
from gongkai_model.batch import _pool
from gongkai_model.limits import Limits
from gongkai_model.model import replace_path


def _worker(sent: int, pace: float, *, alone: bool = False, ghost: int | None = None) -> Any:
    return SimpleNamespace(sent=collections.deque(range(sent)), pace=pace, alone=alone, ghost=ghost)


@given(
    workers=st.lists(
        st.tuples(st.integers(0, 10), st.floats(0, 0.02), st.booleans(), st.none() | st.integers(0, 3)),
        min_size=1,
        max_size=4,
    ),
    timeout=st.floats(0, 1) | st.just(float("inf")),
)
def test_the_nap_is_bounded(workers: list[tuple[int, float, bool, int | None]], timeout: float) -> None:
    procs = [_worker(sent, pace, alone=alone, ghost=ghost) for sent, pace, alone, ghost in workers]
    nap = _pool._nap(procs, timeout)
    assert 0.0 <= nap <= min(_pool._NAP, timeout)
    if nap:
        assert nap >= _pool._NAP_MIN
        for p in procs:  # every worker has files waiting, and they last at least twice the nap
            assert not p.alone
            assert p.ghost is None
            assert len(p.sent) >= 2
            assert p.pace > 0
            assert nap <= (len(p.sent) - 1) * p.pace / 2
        assert sum(nap / p.pace for p in procs) >= 2  # several results are due meanwhile


def test_no_nap_for_an_idle_worker_a_retry_or_slow_files() -> None:
    quick = _worker(8, 0.001)
    assert _pool._nap([quick, _worker(8, 0.001)], 1.0) == pytest.approx(0.0035)
    assert _pool._nap([quick, _worker(1, 0.001)], 1.0) == 0.0  # about to run out
    assert _pool._nap([quick, _worker(8, 0.0)], 1.0) == 0.0  # pace not known yet
    assert _pool._nap([quick, _worker(8, 0.001, alone=True)], 1.0) == 0.0  # a retry alone
    assert _pool._nap([quick, _worker(8, 0.001, ghost=3)], 1.0) == 0.0  # a file taken back, still running
    assert _pool._nap([_worker(8, 0.5), _worker(8, 0.5)], 1.0) == 0.0  # slow files: nothing would gather
    assert _pool._nap([quick, _worker(8, 0.001)], 0.0002) == 0.0  # a deadline first


def _files(folder: Path, kinds: list[str]) -> list[Path]:
    seed = gk.examples.seed_report()
    text = gk.dumps(seed)
    paths = []
    for i, kind in enumerate(kinds):
        path = folder / f"{kind if kind in ('kill', 'raise', 'deaf') else 'f'}{i:03d}.json"
        if kind == "inconsistent":
            path.write_text(gk.dumps(replace_path(seed, "table4.reconsideration.upheld", 3 + i)), encoding="utf-8")
        elif kind == "damaged":
            path.write_text(text[: len(text) // 2], encoding="utf-8")
        else:
            path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def test_many_quick_files_with_crashes_a_hang_and_bugs_keep_their_results(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression guard of the nap: 90 files, a worker killed three times, a hang only SIGKILL ends, bugs."""
    kinds = ["good", "inconsistent", "damaged"] * 30
    for at, kind in [(7, "kill"), (20, "raise"), (33, "kill"), (41, "deaf"), (58, "kill"), (70, "raise")]:
        kinds[at] = kind
    paths = _files(tmp_path, kinds)
    monkeypatch.setattr(batch, "_check_task", misbehaving_check_task)
    naps: list[float] = []
    real_nap = _pool._nap

    def counted(procs: list[Any], timeout: float) -> float:
        nap = real_nap(procs, timeout)
        naps.append(nap)
        return nap

    monkeypatch.setattr(_pool, "_NAP", 0.05)  # long naps, whatever the load: the pool must still be right
    monkeypatch.setattr(_pool, "_nap", counted)
    got = batch.check_many(paths, limits=LIMITS, workers=2, provenance=False)
    safe = [p for p, kind in zip(paths, kinds, strict=True) if kind not in ("kill", "deaf")]
    serial = {f.path: f for f in batch.check_many(safe, executor="serial", limits=LIMITS, provenance=False).files}
    assert [f.path for f in got.files] == [str(p) for p in paths]
    for f, kind in zip(got.files, kinds, strict=True):
        if kind == "kill":
            assert f.status == "crashed", f
        elif kind == "deaf":
            assert f.status == "timeout", f
        else:
            assert f == serial[f.path], f.path
    assert sum(nap > 0 for nap in naps) >= 3, naps  # the parent did nap


def _hijack_or_hang(path: str) -> str:
    """In a worker: ``a…`` replaces the SIGALRM handler with one of its own and returns; ``hang…`` loops in
    Python code (the soft timer stops it, if its handler is back)."""
    import signal
    import time

    name = Path(path).name
    if name.startswith("a"):
        signal.signal(signal.SIGALRM, lambda signum, frame: None)
    elif name.startswith("hang"):
        end = time.monotonic() + 60
        while time.monotonic() < end:
            time.sleep(0.01)
    return name


def test_the_soft_timer_stops_a_file_after_a_function_replaced_its_handler(tmp_path: Path) -> None:
    """The worker installs its timer's handler once; a function that replaces it does not disarm the next file."""
    paths = [tmp_path / "a.json", tmp_path / "hang.json"]
    for p in paths:
        p.write_text("{}", encoding="utf-8")
    got = list(batch.map_files(_hijack_or_hang, paths, workers=1, limits=Limits(max_seconds=1.0)))
    assert [o.cause for o in got] == [None, "timeout"]
    assert "(stopped)" in got[1].message  # by the soft timer in the worker, not killed from outside
