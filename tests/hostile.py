"""Run one hostile input in a fresh subprocess under a memory cap and a time limit (issue 14).

A generator (a function of a test module, named ``"module:function"``, taking no argument) builds
the hostile input *inside* the child and hands it to the library; the child reports what came
back as plain data, so the parent can assert the library's contract:

- the call ended within :data:`SECONDS` of CPU time (of all its threads and the
  child processes it waited for) and within :data:`MEMORY` of
  address space; the wall time is bounded too, by :data:`WALL_FACTOR` × that plus the interpreter's start,
  which catches a call that hangs without working (a CPU-time bound alone made the contract depend on how
  loaded the machine was: a read of 13 s CPU took 38 s wall beside four other test runs);
- it returned the library's result (an ``Imported``, a ``CheckedReport`` …) or raised a
  :class:`~gongkai_model.GongkaiError`, never a foreign exception;
- every problem it reported has a code, and a ``MemoryError`` or ``RecursionError`` is never
  reported as a mere damaged page.

>>> # in a test module ``test_x.py``:
>>> # def make_bomb() -> object:
>>> #     return gk.read(build_bomb_bytes())
>>> # def test_bomb() -> None:
>>> #     outcome = run_capped("test_x:make_bomb")
>>> #     assert_contract(outcome)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: The issue's bounds: every reproducer ends within 20 s (of CPU time) and 1.5 GiB.
SECONDS = 20.0
#: The wall-time bound, as a multiple of the CPU-time bound (the machine may be shared: a hang still ends).
WALL_FACTOR = 3.0
MEMORY = 1536 * 1024 * 1024

_CHILD = r"""
import json, resource, sys, time, traceback
target, memory, out, path = sys.argv[1], int(sys.argv[2]), sys.argv[3], json.loads(sys.argv[4])
sys.path[:0] = path
def write(obj):
    with open(out, "w", encoding="utf-8") as fh:
        json.dump(obj, fh)
resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
sys.setrecursionlimit(max(sys.getrecursionlimit(), 1000))
import gongkai_model as gk
module, name = target.split(":")
fn = getattr(__import__(module), name)
def cpu_now():
    # this process's threads and the children it waited for (LibreOffice, a converter)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + kids.ru_utime + kids.ru_stime
start, cpu = time.perf_counter(), cpu_now()
try:
    result = fn()
    kind, etype, problems = "result", type(result).__name__, getattr(result, "problems", ())
    if result is not None and hasattr(result, "imported"):
        problems = result.imported.problems
    report = getattr(result, "report", None) is not None
    detail = ""
except gk.GongkaiError as exc:
    kind, etype, problems, report, detail = "error", type(exc).__name__, exc.problems, False, str(exc)[:2000]
except BaseException as exc:
    kind, etype, problems, report = "foreign", type(exc).__name__, (), False
    detail = "".join(traceback.format_exception(exc))[-4000:]
elapsed, cpu = time.perf_counter() - start, cpu_now() - cpu
# the high-water mark of this process's own memory: ru_maxrss also keeps the parent's at the exec
# (a pytest process of 700 MB made every child look that large), /proc's VmHWM does not
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
try:
    with open("/proc/self/status", encoding="ascii") as fh:
        peak = next(int(line.split()[1]) * 1024 for line in fh if line.startswith("VmHWM:"))
except (OSError, StopIteration, ValueError):
    pass
write({
    "kind": kind, "type": etype, "report": report, "detail": detail,
    "seconds": cpu, "wall": elapsed, "peak_bytes": peak,
    "problems": [
        {"code": getattr(p, "code", None), "severity": str(getattr(p, "severity", "")), "message": str(p)[:500]}
        for p in list(problems)[:200]
    ],
})
"""


@dataclass
class Outcome:
    """What one hostile input did in its subprocess."""

    target: str
    kind: str  #: "result", "error" (the library's own), "foreign", "timeout" or "killed"
    type: str = ""
    report: bool = False
    detail: str = ""
    seconds: float = 0.0  #: CPU time of the call
    wall: float = 0.0  #: wall time of the call
    peak_bytes: int = 0
    problems: list[dict[str, Any]] = field(default_factory=list)

    @property
    def codes(self) -> set[str | None]:
        return {p["code"] for p in self.problems}

    def __str__(self) -> str:
        shown = "; ".join(f"{p['code']}: {p['message'][:160]}" for p in self.problems[:8])
        return (
            f"{self.target}: {self.kind} {self.type} in {self.seconds:.1f} s CPU ({self.wall:.1f} s wall),"
            f" peak {self.peak_bytes / 2**20:.0f} MiB"
            f" [{shown}] {self.detail[-1500:]}"
        )


def run_capped(target: str, *, seconds: float = SECONDS, memory: int = MEMORY) -> Outcome:
    """Run ``target`` (``"module:function"``, importable from ``tests/``) in a subprocess under the caps."""
    tests = str(Path(__file__).resolve().parent)
    path = [tests, *[p for p in sys.path if p]]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "outcome.json"
        try:
            proc = subprocess.run(
                [sys.executable, "-c", _CHILD, target, str(memory), str(out), json.dumps(path)],
                capture_output=True,
                timeout=seconds * WALL_FACTOR + 15,  # the interpreter's start and imports, beyond the call itself
                env={**os.environ, "PYTHONHASHSEED": "0"},
                check=False,
            )
        except subprocess.TimeoutExpired:
            return Outcome(target, "timeout", seconds=seconds, wall=seconds * WALL_FACTOR + 15)
        if not out.is_file():
            tail = proc.stderr.decode("utf-8", "replace")[-3000:]
            return Outcome(target, "killed", detail=f"exit {proc.returncode}: {tail}")
        data = json.loads(out.read_text(encoding="utf-8"))
    return Outcome(target, **data)


def assert_contract(outcome: Outcome, *, seconds: float = SECONDS, memory: int = MEMORY) -> Outcome:
    """The library's contract for a hostile input; returns the outcome for further assertions."""
    assert outcome.kind in ("result", "error"), str(outcome)
    assert outcome.seconds < seconds, str(outcome)
    assert outcome.wall < seconds * WALL_FACTOR, str(outcome)
    assert outcome.peak_bytes < memory, str(outcome)
    for p in outcome.problems:
        assert p["code"] is not None or outcome.kind == "error", str(outcome)
        text = p["message"]
        if "MemoryError" in text or "RecursionError" in text:
            assert p["code"] == "READ_LIMIT", f"a {text!r} reported as {p['code']}"
    return outcome
