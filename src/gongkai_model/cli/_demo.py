"""``gongkai demo [--out DIR]`` (alias ``example``) and ``gongkai schema``."""

from __future__ import annotations

import argparse
import csv
import json
from collections import Counter
from pathlib import Path
from typing import Any

from .. import examples
from .._optional import install_hint, is_installed
from ..jsonio import json_schema
from ..readcheck import check
from ..records import to_records
from ._common import can_write, note, write_file
from ._convert import WRITERS, render

__all__ = ["add_parsers"]

#: What the demo writes, in order: file name → the writer's suffix (``None``: the records as CSV).
OUTPUTS = {
    "report.json": ".json",
    "records.csv": None,
    "report.xlsx": ".xlsx",
    "report.html": ".html",
    "report.md": ".md",
    "report.txt": ".txt",
    "report.docx": ".docx",
}


def add_parsers(sub: Any) -> None:
    for name, aliases in (("demo", ["example"]),):
        d = sub.add_parser(
            name,
            aliases=aliases,
            help="the shipped example end to end: read, check, write every format into a folder",
            description="Read the shipped example (北京市西城区信访办公室, 2023) from its published text, check it "
            "against its transcribed figures and the identities, and write it as "
            + ", ".join(OUTPUTS)
            + " into a folder.",
        )
        d.add_argument("--out", default="example-output", help="output folder (default: example-output)")
        d.set_defaults(run=_demo)
    s = sub.add_parser("schema", help="print the JSON Schema of report documents", description="Print the JSON Schema.")
    s.set_defaults(run=_schema)


def _demo(args: argparse.Namespace) -> int:
    report = examples.seed_report()
    checked = check(examples.seed_text().encode("utf-8"), format="text")
    records = to_records(report)
    per_table = Counter(r.table for r in records)
    print(f"{report.agency} {report.year}年{report.TITLE} ({report.edition.value} format)")
    print("cells: " + ", ".join(f"表{t} {n}" for t, n in per_table.items()) + f", {len(records)} in all")
    same = checked.report is not None and to_records(checked.report) == records
    print(
        f"read from its published text: {len(checked.imported.provenance)} figures, "
        f"{len(checked.imported.errors)} reading error(s), "
        + ("the same figures as the transcription" if same else "figures DIFFERENT from the transcription")
    )
    validation = checked.validation
    print((validation.summary() if validation is not None else "no report").splitlines()[-1])
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for name, suffix in OUTPUTS.items():
        target = out / name
        if suffix is None:
            _write_records(target, records)
        else:
            assert suffix in WRITERS
            if suffix == ".docx" and not is_installed("docx"):  # python-docx is an optional extra
                note(f"skipped {target}: python-docx is not installed; install it with: {install_hint('docx')}")
                continue
            write_file(target, render(report, suffix))
        print(f"wrote {target}")
    return 0 if same and checked.ok else 1


def _write_records(target: Path, records: Any) -> None:
    with target.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["table", "row", "column", "value", "path"])
        for r in records:
            writer.writerow([r.table, r.row, r.column, "" if r.value is None else r.value, r.path])


def _schema(args: argparse.Namespace) -> int:
    text = json.dumps(json_schema(), ensure_ascii=False, indent=2)
    if not can_write(text):  # a console that cannot show Chinese: the same JSON, escaped
        text = json.dumps(json_schema(), ensure_ascii=True, indent=2)
    print(text)
    return 0
