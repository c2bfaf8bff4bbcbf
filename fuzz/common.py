"""What every harness shares: seeds from the real cases, byte mutations, bounded runs, saved findings."""

from __future__ import annotations

import hashlib
import random
import resource
import signal
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
FINDINGS = ROOT / "fuzz" / "findings"
sys.path.insert(0, str(ROOT / "tests"))  # the real cases' own reader (tests/cases.py)

from test_cases import build  # noqa: E402

import gongkai_model as gk  # noqa: E402

from conftest import case_names, load_case  # noqa: E402


def case_reports() -> list[gk.AnnualReport]:
    """The seed report and every real case of tests/data/cases, built by the library."""
    out = [gk.examples.seed_report()]
    out.extend(build(load_case(name)) for name in case_names())
    return out


INTERESTING = [
    b"[" * 2000,
    b"{" * 2000,
    b"9" * 5000,
    b"-" + b"9" * 5000,
    b"1e309",
    b"NaN",
    b"-Infinity",
    b'"\\ud800"',
    b'"2024-W01-1"',
    b"\x00",
    b"\xff\xfe",
    b"\xef\xbb\xbf",
    b'"\\u0000"',
    b"true",
    b"null",
    b"0.00",
    b"18446744073709551616",
    b"1E+309",
    b"XFD1048576",
    b"AA1:AA1000000",
    b"=SUM(AA1:XFD1048576)",
    b"=A0",
]


def mutate_bytes(data: bytes, rng: random.Random, others: list[bytes]) -> bytes:
    """One random change to raw bytes: flip, insert, delete, repeat, splice or an interesting token."""
    if not data:
        return rng.choice(INTERESTING)
    i = rng.randrange(len(data))
    j = min(len(data), i + rng.choice([1, 2, 4, 16, 256, 4096]))
    op = rng.randrange(8)
    if op == 0:
        return data[:i] + bytes([data[i] ^ (1 << rng.randrange(8))]) + data[i + 1 :]
    if op == 1:
        return data[:i] + bytes(rng.randrange(256) for _ in range(rng.randint(1, 8))) + data[i:]
    if op == 2:
        return data[:i] + data[j:]
    if op == 3:
        return data[:i] + data[i:j] * rng.choice([2, 10, 1000]) + data[j:]
    if op == 4:
        other = rng.choice(others)
        k = rng.randrange(len(other) + 1)
        return data[:i] + other[k : k + rng.randint(1, 4096)] + data[j:]
    if op == 5:
        return data[:i] + rng.choice(INTERESTING) + data[j:]
    if op == 6:
        return data[: rng.randrange(len(data) + 1)]
    return data[:i] + rng.choice(INTERESTING) + data[i:]


class Timeout(BaseException):
    """An input ran past its time bound (a hang).

    Not an ``Exception``: a reader that turns every foreign exception into its own error (as the
    PDF reader does with pdfminer's) must not swallow it and carry on with the hang.
    """


@contextmanager
def time_bound(seconds: int) -> Iterator[None]:
    """Raise :class:`Timeout` in the main thread after ``seconds`` (Unix; a no-op elsewhere)."""
    if not hasattr(signal, "SIGALRM"):  # pragma: no cover
        yield
        return

    def expire(signum: int, frame: Any) -> None:
        raise Timeout(f"ran longer than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def cap_memory(gigabytes: float) -> None:
    """Limit this process's address space, so a blow-up is a MemoryError rather than the machine's."""
    limit = int(gigabytes * 1024**3)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def run(
    name: str,
    check: Callable[[bytes], None],
    make: Callable[[random.Random], bytes],
    runs: int,
    seed: int,
    seconds: int,
    suffix: str,
    per_mb: float = 0.0,
) -> int:
    """Run ``check`` on ``runs`` inputs made by ``make``; save each distinct failure; return their number.

    Each input is bounded by ``seconds``, plus ``per_mb`` seconds for each megabyte of it (reading
    is linear in the input's size: a bound that grows with it still catches a hang, which is not).
    """
    rng = random.Random(seed)
    found: dict[str, Path] = {}
    start = time.perf_counter()
    for n in range(runs):
        if n and n % 100 == 0:
            print(f"{name}: {n} inputs in {time.perf_counter() - start:.0f} s, {len(found)} findings", flush=True)
        data = make(rng)
        try:
            with time_bound(seconds + int(per_mb * len(data) / 2**20)):
                check(data)
        except (Exception, Timeout) as exc:  # a finding: a foreign exception, a hang or a broken property
            frames = [f for f in traceback.extract_tb(exc.__traceback__) if not f.filename.endswith("common.py")]
            frame = frames[-1] if frames else traceback.extract_tb(exc.__traceback__)[-1]
            key = f"{type(exc).__name__} at {Path(frame.filename).name}:{frame.lineno}"
            if key not in found:
                digest = hashlib.sha1(data).hexdigest()[:12]
                path = FINDINGS / f"{name}-{type(exc).__name__}-{digest}{suffix}"
                FINDINGS.mkdir(exist_ok=True)
                path.write_bytes(data)
                found[key] = path
                print(f"[{n}] {key}: {str(exc)[:200]!r} -> {path.relative_to(ROOT)}", flush=True)
    took = time.perf_counter() - start
    print(f"{name}: {runs} inputs (seed {seed}) in {took:.0f} s, {len(found)} distinct findings", flush=True)
    return len(found)
