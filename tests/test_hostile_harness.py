"""The subprocess harness of the hostile corpus (tests/hostile.py) tells each way an input can end."""

from __future__ import annotations

import gongkai_model as gk

from hostile import assert_contract, run_capped


def reads_the_seed() -> object:
    return gk.read(gk.formats.render_html(gk.examples.seed_report()).encode())


def raises_a_foreign_error() -> object:
    return {}["missing"]


def allocates_past_the_cap() -> object:
    return bytearray(4 * 1024**3)


def raises_the_library_error() -> object:
    return gk.read(b"", format="nope")


def test_a_good_read_keeps_the_contract() -> None:
    outcome = assert_contract(run_capped("test_hostile_harness:reads_the_seed"))
    assert outcome.kind == "result"
    assert outcome.report


def test_the_library_error_keeps_the_contract() -> None:
    outcome = assert_contract(run_capped("test_hostile_harness:raises_the_library_error"))
    assert outcome.kind == "error"
    assert outcome.type == "ReadError"


def test_a_foreign_exception_is_seen() -> None:
    outcome = run_capped("test_hostile_harness:raises_a_foreign_error")
    assert outcome.kind == "foreign"
    assert outcome.type == "KeyError"


def test_the_memory_cap_holds() -> None:
    outcome = run_capped("test_hostile_harness:allocates_past_the_cap")
    assert outcome.kind == "foreign", str(outcome)
    assert outcome.type == "MemoryError", str(outcome)


def test_the_peak_is_the_childs_own_not_its_parents() -> None:
    """Regression: ru_maxrss keeps the parent's high-water mark across exec, so a child of a large pytest
    process seemed as large as its parent (a 266 MiB read reported as 731 MiB in a full run)."""
    ballast = bytearray(600 * 1024**2)  # this process is now over 600 MiB
    ballast[::4096] = b"x" * len(ballast[::4096])  # touched, so resident
    outcome = run_capped("test_hostile_harness:reads_the_seed")
    assert outcome.peak_bytes < 400 * 1024**2, str(outcome)
    del ballast
