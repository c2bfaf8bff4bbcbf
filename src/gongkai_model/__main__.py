"""The ``gongkai`` command line.

``gongkai example [--out DIR]`` builds the shipped seed report, checks it,
prints a summary and writes its records as CSV (``records.csv``) and the
report as JSON (``report.json``) into ``DIR``.  ``gongkai schema`` prints the
JSON Schema of report documents.

Errors never show a traceback: a usage error or invalid input prints one line
(``gongkai: …``, with the problems found, each on its own line) and exits with
status 2; a file that cannot be read or written exits with status 1; output cut
short by the reader (``gongkai schema | head``) ends quietly.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

from . import __version__, examples
from .checks import validate
from .errors import GongkaiError
from .jsonio import dumps, json_schema
from .records import to_records

__all__ = ["main"]


def _example(args: argparse.Namespace) -> int:
    report = examples.seed_report()
    records = to_records(report)
    per_table = Counter(r.table for r in records)
    print(f"{report.agency} {report.year}年{report.TITLE} ({report.edition.value} format)")
    print("cells: " + ", ".join(f"表{t} {n}" for t, n in per_table.items()) + f", {len(records)} in all")
    result = validate(report)
    print(result.summary().splitlines()[-1])
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    target = out / "records.csv"
    with target.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["table", "row", "column", "value", "path"])
        for r in records:
            writer.writerow([r.table, r.row, r.column, "" if r.value is None else r.value, r.path])
    print(f"wrote {target}")
    doc = out / "report.json"
    doc.write_text(dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {doc}")
    return 0


def _schema(args: argparse.Namespace) -> int:
    text = json.dumps(json_schema(), ensure_ascii=False, indent=2)
    if not _can_write(text):  # a console that cannot show Chinese: the same JSON, escaped
        text = json.dumps(json_schema(), ensure_ascii=True, indent=2)
    print(text)
    return 0


def _can_write(text: str) -> bool:
    try:
        text.encode(getattr(sys.stdout, "encoding", None) or "utf-8")
    except (UnicodeError, LookupError):
        return False
    return True


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = argparse.ArgumentParser(prog="gongkai", description="政府信息公开工作年度报告 tools")
    parser.add_argument("--version", action="version", version=f"gongkai_model {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    ex = sub.add_parser("example", help="build the shipped seed report and write its outputs")
    ex.add_argument("--out", default="example-output", help="output folder (default: example-output)")
    ex.set_defaults(run=_example)
    sc = sub.add_parser("schema", help="print the JSON Schema of report documents")
    sc.set_defaults(run=_schema)
    _tolerant_streams()
    args = parser.parse_args(argv)
    return _run(args.run, args)


def _run(command: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    """Run one command: every user error becomes a message on stderr and an exit status, never a traceback."""
    try:
        status = command(args)
        sys.stdout.flush()  # a closed pipe shows here, not at exit
    except BrokenPipeError:  # the reader stopped reading (``| head``): nothing more to say
        _silence_stdout()
        return 1
    except GongkaiError as exc:
        return _fail(str(exc), 2)
    except OSError as exc:  # an output folder that cannot be made or written, a full disk, ...
        where = f" {exc.filename}" if exc.filename is not None else ""
        return _fail(f"cannot write{where}: {exc.strerror or type(exc).__name__}", 1)
    except KeyboardInterrupt:
        return _fail("interrupted", 130)
    return status


def _fail(message: str, status: int) -> int:
    with contextlib.suppress(OSError):  # stderr is gone too: the status says it
        print(f"gongkai: {message}", file=sys.stderr)
    return status


def _tolerant_streams() -> None:
    """Text that the console cannot show is escaped (``\\u4e2d``) rather than failing the command."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(OSError, ValueError):  # a stream that cannot change: leave it
                reconfigure(errors="backslashreplace")


def _silence_stdout() -> None:
    """Point stdout at the null device, so that Python's own flush at exit does not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # not a real file (a test's captured stream): nothing to flush at exit
        pass


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
