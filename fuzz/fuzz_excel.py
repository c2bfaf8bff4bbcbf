"""Fuzz ``gongkai_model.excel.read_report``: raw bytes and the XML inside the zip, from the library's workbooks.

Every input must give a report with issues or an ExcelError with problems: never another
exception, a hang (``--seconds``) or a blow-up (``--memory-gb`` caps the run, so a blow-up is a
MemoryError).  Findings are saved under fuzz/findings/.

    PYTHONPATH=src python -m fuzz.fuzz_excel --runs 3000 --seed 1
"""

from __future__ import annotations

import argparse
import io
import random
import re
import zipfile
from functools import cache

import gongkai_model as gk
from gongkai_model import excel
from gongkai_model.formats.xlsx._read import read_xlsx

from .common import INTERESTING, cap_memory, case_reports, mutate_bytes, run
from .fuzz_documents import check_imported


@cache
def seeds() -> list[bytes]:
    """Workbooks the library writes: each real case and the seed report, and blank templates."""
    out = []
    for report in case_reports():
        buffer = io.BytesIO()
        excel.write_report(report, buffer)
        out.append(buffer.getvalue())
    for edition, year, subtotal in (("2021", 2023, False), ("2021", 2024, True), ("2019", 2019, False)):
        buffer = io.BytesIO()
        excel.write_template(buffer, agency="某某局", year=year, edition=edition, subtotal_column=subtotal)
        out.append(buffer.getvalue())
    return out


#: Changes inside a sheet's XML that once knocked the reader over, and others like them.
XML_EDITS = [
    (r'<c r="[A-Z]+[0-9]+"', '<c r="XFD1048576"'),
    (r"</mergeCells>", '<mergeCell ref="AA1:AA1000000"/></mergeCells>'),
    (r"<f>[^<]*</f>", "<f>SUM(AA1:XFD1048576)</f>"),
    (r"<f>[^<]*</f>", "<f>A0</f>"),
    (r"<v>[^<]*</v>", "<v>1E+309</v>"),
    (r"<v>[^<]*</v>", "<v>-1</v>"),
    (r"<v>[^<]*</v>", "<v>9007199254740993</v>"),
    (r'<c r="([A-Z]+[0-9]+)"( s="[0-9]+")?( t="[a-z]+")?>', r'<c r="\1" t="b">'),
    (r'<c r="([A-Z]+[0-9]+)"( s="[0-9]+")?( t="[a-z]+")?>', r'<c r="\1" t="e">'),
    (r'<c r="([A-Z]+[0-9]+)"( s="[0-9]+")?( t="[a-z]+")?>', r'<c r="\1" t="d">'),
    (r'<c r="([A-Z]+[0-9]+)"', r'<c r="A0"'),
    (r'<dimension ref="[^"]*"/>', '<dimension ref="A1:XFD1048576"/>'),
    (r'<row r="[0-9]+"', '<row r="1048577"'),
    (r"<si><t>[^<]*</t></si>", "<si><t>&#xFFFE;</t></si>"),
    (r'<sheet name="[^"]*"', '<sheet name="表三"'),
    (r"<f>", '<f t="shared" ref="A1:XFD1048576" si="0">'),
    (r"<definedName ", '<definedName name="x">A1:XFD1048576</definedName><definedName '),
]


def mutate_xml(data: bytes, rng: random.Random) -> bytes:
    """Rewrite one XML member of the workbook (a known edit, or raw damage), then zip again."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as src:
            members = [(item, src.read(item.filename)) for item in src.infolist()]
    except Exception:  # not a zip any more: left to the byte mutations
        return data
    xml = [i for i, (item, _) in enumerate(members) if item.filename.endswith(".xml")]
    if not xml:
        return data
    k = rng.choice(xml)
    item, body = members[k]
    text = body.decode("utf-8", "replace")
    if rng.random() < 0.7:
        pattern, replacement = rng.choice(XML_EDITS)
        spots = list(re.finditer(pattern, text))
        if spots:
            spot = rng.choice(spots)
            text = text[: spot.start()] + spot.expand(replacement) + text[spot.end() :]
        members[k] = (item, text.encode("utf-8"))
    else:
        members[k] = (item, mutate_bytes(body, rng, [body]))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item, content in members:
            dst.writestr(item.filename, content)
    return out.getvalue()


def make(rng: random.Random) -> bytes:
    data = rng.choice(seeds())
    for _ in range(rng.choice([1, 1, 2])):
        data = mutate_xml(data, rng) if rng.random() < 0.75 else mutate_bytes(data, rng, seeds())
    return data


def check(data: bytes) -> None:
    """A report with located issues, or ExcelError with problems; anything else is a finding.

    The reader ``gk.read`` uses (``formats.read_xlsx``) keeps the contract of every document reader.
    """
    check_imported(read_xlsx(data))
    try:
        report, issues = excel.read_report(data)
    except excel.ExcelError as exc:
        problems = exc.problems
        str(exc)
    else:
        assert isinstance(report, gk.AnnualReport)
        assert all(isinstance(p, gk.Problem) for p in issues)
        return
    assert problems, "an ExcelError without problems"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--seconds", type=int, default=20, help="time bound per input")
    parser.add_argument("--memory-gb", type=float, default=3.0, help="address-space cap of the run")
    args = parser.parse_args(argv)
    cap_memory(args.memory_gb)
    return 1 if run("excel", check, make, args.runs, args.seed, args.seconds, ".xlsx") else 0


assert INTERESTING

if __name__ == "__main__":
    raise SystemExit(main())
