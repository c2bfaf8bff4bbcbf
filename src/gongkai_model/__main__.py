"""The ``gongkai`` command line.

``gongkai example [--out DIR]`` builds the shipped seed report, checks it,
prints a summary and writes its records as CSV (``records.csv``) and the
report as JSON (``report.json``) into ``DIR``.  ``gongkai schema`` prints the
JSON Schema of report documents.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import Counter
from collections.abc import Sequence
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
    print(json.dumps(json_schema(), ensure_ascii=False, indent=2))
    return 0


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
    args = parser.parse_args(argv)
    try:
        status: int = args.run(args)
    except GongkaiError as exc:
        print(f"gongkai: {exc}", file=sys.stderr)
        return 2
    return status


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
