"""Batches: the cost per report as the batch grows, with and without pausing the garbage collector,
and check_many on one core against two.

- ``loads`` in a loop against :func:`gongkai_model.jsonio.loads_many` (the collector paused), every
  report kept, at 10², 10³, 10⁴ … up to ``N`` reports: the per-report cost at each size and its
  ratio to the cost at 10²;
- :func:`gongkai_model.batch.check_many` over ``M`` JSON files, in this process, on a pool of two
  worker processes, on the library's own supervised pool (``workers=2``), and the same work in two
  halves sending back summaries only (see :func:`check_many_rows`).

Run: python benchmarks/bench_batch.py [N] [M]      (defaults: 100000 and 1000)
     python benchmarks/bench_batch.py --cpu [M] [ROUNDS]   (CPU per file, rounds each with its own one core)
     python benchmarks/bench_batch.py --stages [M] [ROUNDS]   (where a worker's CPU per file goes)
"""

from __future__ import annotations

import concurrent.futures as cf
import gc
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _data import corpus

import gongkai_model as gk


def _per_report(fn, texts: list[str], repeat: int) -> float:  # type: ignore[no-untyped-def]
    """The median over ``repeat`` runs of the time per report of ``fn(texts)`` (all reports kept)."""
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        kept = fn(texts)
        times.append((time.perf_counter() - start) / len(texts))
        assert len(kept) == len(texts)
        del kept
    return statistics.median(times)


def sizes(n: int) -> list[int]:
    out, k = [], 100
    while k < n:
        out.append(k)
        k *= 10
    return [*out, n]


def loads_rows(n: int) -> list[tuple[int, float, float]]:
    distinct = [gk.dumps(r) for r in corpus(min(n, 200), broken_share=0.0)]
    rows = []
    for size in sizes(n):
        texts = [distinct[i % len(distinct)] for i in range(size)]
        repeat = 5 if size <= 10_000 else 3
        loop = _per_report(lambda ts: [gk.loads(t) for t in ts], texts, repeat)
        many = _per_report(gk.jsonio.loads_many, texts, repeat)
        rows.append((size, loop, many))
    return rows


def _summary_of(paths: list[str]) -> dict[str, int]:
    """In a worker: check these files in the worker's own process; only the summary comes back."""
    return gk.batch.check_many(paths, executor="serial").summary()


def _read_all(result: gk.batch.BatchResult) -> None:
    """What a caller who looks at every file does: read each report and finding (a result sent from a worker
    is unpacked on first use)."""
    for f in result.files:
        assert f.checked is not None
        for finding in f.findings:
            str(finding)


def _corpus_folder(m: int, folder: str) -> str:
    for i, report in enumerate(corpus(m)):
        (Path(folder) / f"{i:06d}.json").write_text(gk.dumps(report), encoding="utf-8")
    return str(Path(folder) / "000000.json")


def _timed_runs(m: int, folder: str, first: str, runs: list[tuple[str, Any, bool]]) -> list[tuple[str, float]]:
    out = []
    paths = [str(p) for p in sorted(Path(folder).iterdir())]
    for name, executor, read_all in runs:
        times = []
        for _ in range(3):
            pool = cf.ProcessPoolExecutor(max_workers=2) if executor in ("foreign", "halves") else None
            try:
                if pool is not None:  # start the workers before timing
                    list(pool.map(_summary_of, [[first], [first]]))  # warm: each worker has read a file
                start = time.perf_counter()
                if executor == "halves":
                    assert pool is not None
                    # the same work in two halves, one per worker, sending back summaries only: what two
                    # cores give when neither a future per file nor each file's result crosses between processes
                    summaries = list(pool.map(_summary_of, [paths[: m // 2], paths[m // 2 :]]))
                    times.append((time.perf_counter() - start) / m)
                    assert sum(s["files"] for s in summaries) == m
                    continue
                result = gk.batch.check_many(
                    folder, executor=pool or executor, workers=2, window=256, provenance=False, progress=False
                )
                if read_all:
                    _read_all(result)
                times.append((time.perf_counter() - start) / m)
            finally:
                if pool is not None:
                    pool.shutdown()
            assert result.summary()["files"] == m
            assert result.summary()["unreadable"] == 0
        out.append((name, statistics.median(times)))
    return out


def check_many_rows(m: int) -> list[tuple[str, float]]:
    """Per file: one core; two worker processes of a ``ProcessPoolExecutor``; the same work in halves (summaries
    only); two worker processes again with every report and finding read afterwards (a result from a worker
    is unpacked on first use).

    The first three rows are those of the targets table (``run_all.py`` reads them by position). Only
    ``ProcessPoolExecutor`` (fork) here, so that a script without ``if __name__ == "__main__":`` can call it;
    :func:`supervised_rows` times the library's own pool."""
    with tempfile.TemporaryDirectory() as folder:
        first = _corpus_folder(m, folder)
        return _timed_runs(
            m,
            folder,
            first,
            [
                ("one core (in this process)", "serial", False),
                ("two worker processes", "foreign", False),
                ("two worker processes, half the files each, summaries only", "halves", False),
                ("two worker processes, every report and finding read", "foreign", True),
            ],
        )


def supervised_rows(m: int) -> list[tuple[str, float]]:
    """Per file: one core, and the library's own supervised pool (``workers=2``: what ``check_many(folder)``
    uses), with its workers started in the timing (its server process started before), then with every
    report and finding read afterwards. Its workers import the main module: call it under
    ``if __name__ == "__main__":``."""
    with tempfile.TemporaryDirectory() as folder:
        first = _corpus_folder(m, folder)
        gk.batch.check_many([first], workers=1, progress=False)  # start the pool's server process (once per process)
        return _timed_runs(
            m,
            folder,
            first,
            [
                ("one core (in this process)", "serial", False),
                ("the supervised pool, workers=2 (the default executor; workers started in the timing)", None, False),
                ("the supervised pool, workers=2, every report and finding read", None, True),
            ],
        )


def _cpu_of(pid: int) -> tuple[float, int]:
    """CPU seconds (user + system) of a process, and its parent's pid, from ``/proc`` (Linux): the time the
    scheduler counted it on a CPU (``schedstat``, in nanoseconds), else its clock ticks (``stat``: 10 ms each,
    a few per cent of a worker's time over a short run)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0, -1
    try:
        return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0]) / 1e9, int(fields[1])
    except (OSError, IndexError, ValueError):
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"), int(fields[1])


def _children_cpu(parents: set[int], skip: frozenset[int]) -> float:
    return sum(
        cpu for pid in (int(d) for d in os.listdir("/proc") if d.isdigit()) if pid not in skip
        for cpu, ppid in [_cpu_of(pid)] if ppid in parents
    )  # fmt: skip


def cpu_rows(m: int, rounds: int = 3) -> list[tuple[str, float, float]]:
    """Per file, CPU time (Linux): this process's, and its workers' (read from ``/proc`` as the last result comes),
    for one core, the supervised pool (``workers=2``) and a ``ProcessPoolExecutor`` of two workers; medians.

    On a loaded machine two workers do not get two cores, and wall times say little; CPU time does:
    ``(this process + workers) / 2`` is what two free cores would take at best, and this process's own CPU
    is the part that does not run in parallel. Call it under ``if __name__ == "__main__":``."""
    import multiprocessing.forkserver as mfs

    out: dict[str, list[tuple[float, float]]] = {}
    with tempfile.TemporaryDirectory() as folder:
        first = _corpus_folder(m, folder)
        gk.batch.check_many([first], workers=1, progress=False)  # start the pool's server process
        # the pool's own server, the workers' parent (before it had one: the process-wide one)
        own = getattr(gk.batch._pool, "_SERVER", None) or getattr(mfs, "_forkserver", None)
        server = getattr(own, "_forkserver_pid", None)
        for _ in range(rounds):
            for name, executor in [("one core (in this process)", "serial"), ("the supervised pool, workers=2", None),
                                   ("two worker processes (ProcessPoolExecutor)", "foreign")]:  # fmt: skip
                pool = cf.ProcessPoolExecutor(max_workers=2) if executor == "foreign" else None
                if pool is not None:
                    list(pool.map(_summary_of, [[first], [first]]))
                parents = {os.getpid()} | ({server} if server else set())
                skip = frozenset(int(d) for d in os.listdir("/proc") if d.isdigit()) if pool is None else frozenset()
                base = _children_cpu({os.getpid()}, frozenset()) if pool is not None else 0.0
                workers = probe = 0.0
                start = time.process_time()
                files = []
                for f in gk.batch.iter_check(folder, executor=pool or executor, workers=2, provenance=False,
                                             progress=False):  # fmt: skip
                    files.append(f)
                    if len(files) == m and executor != "serial":
                        probe = time.process_time()
                        workers = _children_cpu(parents, skip) - base
                        probe = time.process_time() - probe  # reading /proc is the benchmark's, not the batch's
                summary = gk.batch.BatchResult(tuple(files)).summary()
                mine = time.process_time() - start - probe
                if pool is not None:
                    pool.shutdown()
                assert summary["files"] == m
                out.setdefault(name, []).append((mine / m, workers / m))
    return [(name, statistics.median(x[0] for x in v), statistics.median(x[1] for x in v)) for name, v in out.items()]


def _cpu_run(folder: str, m: int, executor: str | None, server: int | None, width: int = 2) -> tuple[float, float]:
    """One run of ``iter_check`` (summaries only): this process's CPU and its workers' per file, in seconds."""
    parents = {os.getpid()} | ({server} if server else set())
    skip = frozenset(int(d) for d in os.listdir("/proc") if d.isdigit())
    workers = probe = 0.0
    start = time.process_time()
    files = []
    for f in gk.batch.iter_check(folder, executor=executor, workers=width, provenance=False, progress=False):
        files.append(f)
        if len(files) == m and executor != "serial":
            probe = time.process_time()
            workers = _children_cpu(parents, skip)
            probe = time.process_time() - probe
    assert gk.batch.BatchResult(tuple(files)).summary()["files"] == m
    return (time.process_time() - start - probe) / m, workers / m


def cpu_rounds(m: int, rounds: int) -> list[tuple[float, float, float, float]]:
    """Per round: the supervised pool (``workers=2``, summaries only) between two serial runs, CPU per file
    (Linux): (this process, its workers, one core: the mean of the two serial runs, (this + workers) / 2 ÷ one
    core). Each round's ratio has its own one-core figure, taken just before and after: on a machine shared
    with others, the load moves between rounds far more than within one. Call it under
    ``if __name__ == "__main__":``."""
    out = []
    with tempfile.TemporaryDirectory() as folder:
        first = _corpus_folder(m, folder)
        gk.batch.check_many([first], workers=1, progress=False)  # start the pool's server process
        server = getattr(getattr(gk.batch._pool, "_SERVER", None), "_forkserver_pid", None)
        for _ in range(rounds):
            before = _cpu_run(folder, m, "serial", None)[0]
            mine, workers = _cpu_run(folder, m, None, server)
            one = (before + _cpu_run(folder, m, "serial", None)[0]) / 2
            out.append((mine, workers, one, (mine + workers) / 2 / one))
    return out


def stage_rows(m: int, rounds: int = 3) -> dict[str, float]:
    """Per file, in this process, CPU (medians of ``rounds``): what a supervised worker does with each file, stage
    by stage: the check (the task ``check_many`` runs), packing its answer as the worker sends it (the first
    time: what the check left to build is built then), packing it again (the pickles alone), the report's JSON
    alone (part of the packing), and the parent's receiving it (unpickling the message)."""
    import importlib
    import pickle

    from gongkai_model.batch import _check_setup
    from gongkai_model.jsonio import _encoded

    compact = importlib.import_module("gongkai_model.batch._result")._compact_dumps
    clock = time.process_time
    stages = ("check", "packing", "packing again", "the report's JSON", "receiving")
    got: dict[str, list[float]] = {k: [] for k in stages}
    with tempfile.TemporaryDirectory() as folder:
        _corpus_folder(m, folder)
        paths = sorted(str(p) for p in Path(folder).iterdir())
        fn = _check_setup(False, False, False, None, None)[0]
        for path in paths[:20]:
            fn(path)
        for _ in range(rounds):
            spent = dict.fromkeys(stages, 0.0)
            for i, path in enumerate(paths):
                t0 = clock()
                value = fn(path)
                t1 = clock()
                blob = compact((i, "ok", value, i + 1))
                t2 = clock()
                compact((i, "ok", value, i + 1))
                t3 = clock()
                _encoded(value[0].checked.report)
                t4 = clock()
                pickle.loads(blob)
                t5 = clock()
                for k, (a, b) in zip(stages, [(t0, t1), (t1, t2), (t2, t3), (t3, t4), (t4, t5)], strict=True):
                    spent[k] += b - a
            for k in stages:
                got[k].append(spent[k] / m)
    return {k: statistics.median(v) for k, v in got.items()}


def pool_rows(m: int, rounds: int = 3) -> list[tuple[float, float, float, float, float]]:
    """Per round, CPU per file (Linux; summaries only): one core, then the supervised pool with one worker (this
    process, the worker) and with two (this process, the workers): one worker against one core is what a worker
    adds to a file (packing, the pipes), two workers against one what running side by side adds. Call it under
    ``if __name__ == "__main__":``."""
    out = []
    with tempfile.TemporaryDirectory() as folder:
        first = _corpus_folder(m, folder)
        gk.batch.check_many([first], workers=1, progress=False)  # start the pool's server process
        server = getattr(getattr(gk.batch._pool, "_SERVER", None), "_forkserver_pid", None)
        for _ in range(rounds):
            one = _cpu_run(folder, m, "serial", None, width=1)[0]
            alone = _cpu_run(folder, m, None, server, width=1)
            two = _cpu_run(folder, m, None, server)
            out.append((one, *alone, *two))
    return out


def _stages_main(m: int, rounds: int) -> None:
    load = os.getloadavg()[0]
    stages = stage_rows(m, rounds)
    print(f"In this process, CPU per file over {m:,} JSON files, medians of {rounds} rounds (load {load:.1f}):")
    print(", ".join(f"{k} {v * 1e6:.1f} µs" for k, v in stages.items()))
    rows = pool_rows(m, rounds)
    print(f"One core against the supervised pool, CPU per file, medians of {rounds} rounds (load {load:.1f}):")
    med = [statistics.median(r[k] for r in rows) for k in range(5)]
    print(f"one core {med[0] * 1e6:.0f} µs; one worker: this process {med[1] * 1e6:.0f} µs, the worker "
          f"{med[2] * 1e6:.0f} µs; two workers: this process {med[3] * 1e6:.0f} µs, the workers "
          f"{med[4] * 1e6:.0f} µs")  # fmt: skip


def main() -> None:
    if sys.argv[1:2] == ["--stages"]:  # python benchmarks/bench_batch.py --stages [M] [ROUNDS]
        _stages_main(int(sys.argv[2]) if len(sys.argv) > 2 else 1000, int(sys.argv[3]) if len(sys.argv) > 3 else 3)
        return
    if sys.argv[1:2] == ["--cpu"]:  # python benchmarks/bench_batch.py --cpu [M] [ROUNDS]
        m = int(sys.argv[2]) if len(sys.argv) > 2 else 600
        got = cpu_rounds(m, int(sys.argv[3]) if len(sys.argv) > 3 else 8)
        med = [statistics.median(r[k] for r in got) for k in range(4)]
        print(f"CPU per file over {m:,} JSON files, medians of {len(got)} rounds (load {os.getloadavg()[0]:.1f}):")
        rounds = " ".join(f"{r[3]:.2f}" for r in got)
        print(f"this process {med[0] * 1e6:.0f} µs, workers {med[1] * 1e6:.0f} µs, one core {med[2] * 1e6:.0f} µs; "
              f"(this + workers) / 2 ÷ one core {med[3]:.3f} (rounds: {rounds})")  # fmt: skip
        return
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    m = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    rows = loads_rows(n)
    print("loads over a batch, every report kept (median per report)")
    print("| reports | loads in a loop | ratio to 10² | loads_many | ratio to 10² | loads_many / loop |")
    print("|---|---|---|---|---|---|")
    loop0, many0 = rows[0][1], rows[0][2]
    for size, loop, many in rows:
        print(
            f"| {size:,} | {loop * 1e6:.1f} µs | {loop / loop0:.2f}× | {many * 1e6:.1f} µs | {many / many0:.2f}× "
            f"| {many / loop:.2f}× |"
        )
    print()
    print(f"check_many over {m:,} JSON files (median of 3 per file)")
    print("| executor | per file | ratio to one core |")
    print("|---|---|---|")
    got = check_many_rows(m)
    for name, secs in got:
        print(f"| {name} | {secs * 1e6:.0f} µs | {secs / got[0][1]:.2f}× |")
    got = supervised_rows(m)
    for name, secs in got[1:]:
        print(f"| {name} | {secs * 1e6:.0f} µs | {secs / got[0][1]:.2f}× |")


if __name__ == "__main__":
    main()
