"""The ``gongkai`` command line: check, convert, template, schema, demo.

``gongkai check FILE|DIR...`` reads and checks reports of every readable format;
``gongkai convert IN OUT`` converts between formats by extension; ``gongkai template OUT.xlsx``
writes a fillable workbook (blank, prefilled from last year's report, or from a draft);
``gongkai schema`` prints the JSON Schema; ``gongkai demo`` (alias ``example``) runs the shipped
example end to end. See ``docs/cli.md``.

Exit status: 0 when everything is clean, 1 when a file is inconsistent, incomplete, empty (no
figure), unassessed (most identities not assessable; ``check --allow-unassessed`` accepts it) or could
not be read or written, 2 on a usage error (a bad option, a path that does not exist). Errors never show a
traceback: a message on stderr (``gongkai: …``, with the problems found, each on its own line);
output cut short by the reader (``gongkai schema | head``) ends quietly.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .. import __version__
from . import _check, _convert, _demo
from ._common import run

__all__ = ["build_parser", "main", "run"]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``gongkai`` (every subcommand has ``--help``)."""
    parser = argparse.ArgumentParser(
        prog="gongkai",
        description="政府信息公开工作年度报告 tools: check, convert, make templates.",
        epilog="Exit status: 0 clean, 1 a file is not clean or cannot be read or written, 2 usage error.",
    )
    parser.add_argument("--version", action="version", version=f"gongkai_model {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _check.add_parser(sub)
    _convert.add_parsers(sub)
    _demo.add_parsers(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (argparse exits with 2 on a bad option)."""
    from ._common import tolerant_streams

    parser = build_parser()
    tolerant_streams()
    args = parser.parse_args(argv)
    return run(args.run, args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
