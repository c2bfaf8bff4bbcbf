"""What every command shares: running without tracebacks, failing in one line, writing files safely."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ..errors import GongkaiError
from ..formats import Imported, read

__all__ = [
    "USAGE",
    "can_write",
    "fail",
    "print_json",
    "read_report",
    "run",
    "silence_stdout",
    "tolerant_streams",
    "unwritable",
    "write_file",
]

#: The exit status of a usage error (a bad option, a path that does not exist), as argparse's.
USAGE = 2


def run(command: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    """Run one command: every user error becomes a message on stderr and an exit status, never a traceback."""
    try:
        status = command(args)
        sys.stdout.flush()  # a closed pipe shows here, not at exit
    except BrokenPipeError:  # the reader stopped reading (``| head``): nothing more to say
        silence_stdout()
        return 1
    except GongkaiError as exc:
        return fail(str(exc), 2)
    except OSError as exc:  # an output folder that cannot be made or written, a full disk, ...
        where = f" {exc.filename}" if exc.filename is not None else ""
        return fail(f"cannot write{where}: {exc.strerror or type(exc).__name__}", 1)
    except KeyboardInterrupt:
        return fail("interrupted", 130)
    return status


def fail(message: str, status: int) -> int:
    """Say what went wrong on stderr (``gongkai: …``) and return ``status``."""
    with contextlib.suppress(OSError):  # stderr is gone too: the status says it
        print(f"gongkai: {message}", file=sys.stderr)
    return status


def note(message: str) -> None:
    """A remark on stderr that does not change the exit status."""
    with contextlib.suppress(OSError):
        print(f"gongkai: {message}", file=sys.stderr)


def tolerant_streams() -> None:
    """Text that the console cannot show is escaped (``\\u4e2d``) rather than failing the command."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(OSError, ValueError):  # a stream that cannot change: leave it
                reconfigure(errors="backslashreplace")


def silence_stdout() -> None:
    """Point stdout at the null device, so that Python's own flush at exit does not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # not a real file (a test's captured stream): nothing to flush at exit
        pass


def can_write(text: str) -> bool:
    """Whether stdout's encoding can show ``text`` as it is."""
    try:
        text.encode(getattr(sys.stdout, "encoding", None) or "utf-8")
    except (UnicodeError, LookupError):
        return False
    return True


def print_json(data: Any, *, indent: int | None = 2) -> None:
    """Print ``data`` as JSON, Chinese as it is where the console can show it, escaped where not
    (``indent=None``: on one line, as JSON lines are)."""
    text = json.dumps(data, ensure_ascii=False, indent=indent)
    if not can_write(text):
        text = json.dumps(data, ensure_ascii=True, indent=indent)
    print(text)


def write_file(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` whole or not at all (a temporary file beside it, then renamed).

    An :class:`OSError` names ``target``, never the temporary file.
    """
    tmp: str | None = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=".gongkai-", dir=target.parent)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, _mode(target))
        os.replace(tmp, target)
        tmp = None
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, os.fspath(target)) from None
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def _mode(target: Path) -> int:
    """The permissions a new file gets (those of the file it replaces, else as the umask allows)."""
    try:
        return target.stat().st_mode & 0o7777
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


def unwritable(*paths: str | None) -> str | None:
    """Why the first of ``paths`` that cannot be written cannot be, or ``None``: said before any reading.

    A folder that does not exist or cannot be written, or a path that is a folder, fails a command at
    once rather than after a long run.
    """
    for path in paths:
        if path is None:
            continue
        target = Path(path)
        folder = target.parent if str(target.parent) else Path(".")
        if target.is_dir():
            return f"cannot write {path}: it is a folder"
        if not folder.is_dir():
            return f"cannot write {path}: no such folder {folder}"
        if not os.access(folder, os.W_OK | os.X_OK):
            return f"cannot write {path}: the folder {folder} is not writable"
        if target.exists() and not os.access(target, os.W_OK):
            return f"cannot write {path}: the file is not writable"
    return None


def missing_paths(paths: list[str]) -> list[str]:
    """The paths that do not exist (a usage error)."""
    return [p for p in paths if not os.path.lexists(p)]


def read_report(
    path: str, *, force: bool, what: str, options: Mapping[str, Any] | None = None
) -> tuple[Imported | None, int]:
    """Read ``path`` for a command; ``(imported, 0)``, or ``(None, status)`` once the failure was said.

    A file that could not be read completely (a figure refused or missing) is refused unless
    ``force``: converting it would write blanks where the original has figures. ``options`` are
    :func:`~gongkai_model.read`'s (``agency``, ``year`` …).
    """
    try:
        got = read(path, **(options or {}))
    except GongkaiError as exc:
        return None, fail(f"cannot read {path}: {_first(exc)}", 1)
    if got.report is None:
        first = got.errors[0] if got.errors else None
        reason = f" ({first.code}: {first.message})" if first is not None else ""
        return None, fail(f"cannot read {path}: no report could be read{reason}", 1)
    if got.errors:
        first = got.errors[0]
        where = f" at {first.place}" if first.place is not None else f" at {first.location}"
        summary = f"{len(got.errors)} reading error(s), the first {first.code}{where}"
        if not force:
            return None, fail(
                f"{path} could not be read completely ({summary}); {what} would leave those figures blank "
                "(pass --force to use what was read)",
                1,
            )
        note(f"{path} could not be read completely ({summary}); those figures are blank")
    return got, 0


def _first(exc: GongkaiError) -> str:
    if exc.problems:
        p = exc.problems[0]
        return f"{str(exc).splitlines()[0]}: {p.message}"
    return str(exc)
