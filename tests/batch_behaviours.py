"""What the workers of the batch tests run (tests/test_batch_robust.py): files that misbehave by their name.

A module of its own, light to import: every fresh worker imports it to find these functions by
name, and a worker is replaced after each hang, memory bomb and crash.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path
from typing import Any

import gongkai_model as gk
from gongkai_model import batch
from gongkai_model.limits import Limits

#: Released when a test is over, so that a "hanging" thread of a thread pool ends (processes are killed).
RELEASE = threading.Event()

#: Small bounds: a file gets 2 s, a worker 512 MiB of address space (a worker with the library loaded uses ~200).
LIMITS = Limits(max_seconds=2.0, max_memory_bytes=512 * 1024**2)


def behave(path: str) -> Any:
    """Check the file for real, unless its name says to misbehave (``hang``, ``bomb``, ``grow``, ``kill`` …)."""
    name = os.path.basename(path)
    if name.startswith("hang"):
        RELEASE.wait(3600)  # an hour, unless the test is over (threads cannot be stopped)
    elif name.startswith("deaf"):  # a hang the soft timer cannot interrupt: only the parent's SIGKILL ends it
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
        time.sleep(3600)
    elif name.startswith("bomb"):
        return bytearray(10 * 1024**3)  # 10 GB at once
    elif name.startswith("grow"):
        hoard = []
        while True:  # a little at a time, as a parser building a huge structure
            hoard.append(bytes(8 * 1024**2))  # calloc: address space without touching memory, fast under load
    elif name.startswith("kill"):
        os.kill(os.getpid(), signal.SIGKILL)
    elif name.startswith("once"):  # killed from outside the first time (it leaves a mark), fine the second
        mark = Path(path).with_suffix(".pid")
        if not mark.exists():
            mark.write_text(str(os.getpid()), encoding="utf-8")
            time.sleep(3600)
    elif name.startswith("raise"):
        raise ValueError("a bug in the function")
    return gk.check(path, limits=LIMITS)


#: check_many's own task, kept before a test replaces it (workers import this module and call it).
_CHECK_TASK = batch._check_task


def misbehaving_check_task(path: str, options: dict[str, Any], provenance: bool, **more: Any) -> Any:
    """check_many's task, misbehaving by the file's name as :func:`behave` does (it runs in the workers)."""
    name = os.path.basename(path)
    if name.startswith(("hang", "deaf", "bomb", "grow", "kill", "once", "raise")):
        behave(path)
    return _CHECK_TASK(path, options, provenance, **more)


def suicide() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _explode() -> Any:
    raise RuntimeError("cannot be loaded in a worker")


class Unloadable:
    """A function that pickles but cannot be unpickled: the worker dies before taking any file."""

    def __call__(self, path: str) -> str:
        return path

    def __reduce__(self) -> tuple[Any, ...]:
        return (_explode, ())


#: read_many's own task, kept before a test replaces it.
_READ_TASK = batch._read_task


def misbehaving_read_task(path: str, options: dict[str, Any], **more: Any) -> Any:
    """read_many's task, misbehaving by the file's name as :func:`behave` does (it runs in the workers)."""
    if os.path.basename(path).startswith(("hang", "deaf", "bomb", "grow", "kill", "once", "raise")):
        behave(path)
    return _READ_TASK(path, options, **more)
