"""Fuzz the document readers (``gongkai_model.formats.read_html/read_text/read_markdown/read_docx/read_pdf``).

Seeds are the real cases kept in tests/data/cases in that form (``.html``, ``.txt``, ``.pdf``) and
the library's own renderings of the seed report and of every real case (``render_html``,
``render_text``, ``render_markdown`` in both merged-cell styles, ``write_docx``).  Mutations work
on the raw bytes, on the text (lines repeated, swapped or dropped, figures replaced by hostile
ones, spans and nesting blown up, other encodings), on the XML inside a Word file's zip and on the
decompressed content streams of a PDF.

Every input must give an :class:`~gongkai_model.formats.Imported` (whose report, when there is
one, is a valid AnnualReport that loads again from its own ``dumps``, and whose every problem has
a code) or the library's error (a GongkaiError subclass) with problems: never another exception,
a hang (``--seconds``, plus ``--seconds-per-mb`` for each megabyte of the input) or a blow-up
(``--memory-gb``).  Findings are saved under fuzz/findings/.

    PYTHONPATH=src python -m fuzz.fuzz_documents --format html --runs 1000 --seed 1
"""

from __future__ import annotations

import argparse
import io
import logging
import random
import re
import zipfile
import zlib
from collections.abc import Callable
from functools import cache

import gongkai_model as gk
from gongkai_model import formats
from gongkai_model.formats import Imported

from .common import ROOT, cap_memory, case_reports, mutate_bytes, run

CASES = ROOT / "tests" / "data" / "cases"
FORMATS = ("html", "text", "markdown", "docx", "pdf")


def reader(fmt: str) -> Callable[..., Imported]:
    """The reader under test for ``fmt``."""
    return {
        "html": formats.read_html,
        "text": formats.read_text,
        "markdown": formats.read_markdown,
        "docx": lambda data: formats.read_docx(data),
        "pdf": lambda data: formats.read_pdf(data),
    }[fmt]


@cache
def seeds(fmt: str) -> list[bytes]:
    """The real cases published in this form, and the library's own renderings of every report."""
    out: list[bytes] = []
    kept = {"html": ["*.html"], "text": ["*.txt"], "markdown": ["*.txt"], "pdf": ["*.pdf"], "docx": []}[fmt]
    for pattern in kept:
        out.extend(path.read_bytes() for path in sorted(CASES.glob(pattern)))
    if fmt == "pdf":  # the library writes no PDF
        # and each with a plain trailer naming its catalog after the end: a file whose offsets a
        # mutation shifted is then recovered by scanning (as readers do) instead of being refused
        # before its pages are read (cross-reference streams alone cannot be found that way)
        for data in list(out):
            root = re.search(rb"/Root (\d+ \d+ R)", data)
            if root is not None:
                out.append(data + b"\ntrailer\n<</Root " + root.group(1) + b">>\n%%EOF\n")
        return out
    for report in case_reports():
        if fmt == "html":
            out.append(formats.render_html(report).encode())
        elif fmt == "text":
            out.append(formats.render_text(report).encode())
        elif fmt == "markdown":
            out.append(formats.render_markdown(report).encode())
            out.append(formats.render_markdown(report, merged="blank").encode())
        else:
            buffer = io.BytesIO()
            formats.write_docx(report, buffer)  # type: ignore[attr-defined]
            out.append(buffer.getvalue())
    return out


# --- text edits: the same for every text form, and a few each form adds ---------------------

FIGURES = ["9" * 5000, "-1", "1e309", "1E+309", "NaN", "０", "１２３", "1,234", "1.5", "12 34", "", "/", "无", "\u3000",
           # footnote marks and enclosed numerals (issue 14): never a digit, never an exception
           "26⑴", "26①", "2①6", "26⒜", "26﹙1﹚", "26︵1︶", "26¹", "①", "26※", "22（其中修订16件）①"]  # fmt: skip
TOKENS = [
    "\x00",
    "\ufffe",
    "\ud800",
    "\u202e",
    "\r",
    "\t" * 1000,
    "|" * 5000,
    "一、" * 1000,
    "（一）",
    "政府信息公开工作年度报告",
    "2023年",
    "9" * 100000,
    "\n" * 20000,
    # prose the text checks read (issue 14: a 40,000-digit run once took 11 s in validate)
    "收到政府信息公开申请" + "7" * 40000 + "件",
    "1,234" * 8000,
    "受理申请，123件" * 2000,
    # a table in prose (issue 14: it once replaced the real 表二)
    "\n| 制定 | 99 |\n|---|---|\n| 规章 | 99 | 99 | 99 |\n",
    "<script>alert(1)</script>",
]
MARKDOWN_LINES = ["|" + "---|" * 5000, "| " + " | ".join(["1"] * 3000) + " |", "> " * 1000, "#" * 7, "```"]
HTML_EDITS = [
    (r"<td", '<td rowspan="1000000"'),
    (r"<td", '<td colspan="16384"'),
    (r"<td", '<td colspan="-5" rowspan="x"'),
    (r"<td", '<td rowspan="99999999999999999999"'),
    (r"<td[^>]*>", "<td><table><tr><td>1</td></tr></table>"),
    (r"<body[^>]*>", "<body>" + "<div>" * 5000),
    (r"<body[^>]*>", "<body>" + "<table><tr><td>" * 300),
    (r"</table>", ""),
    (r"<table", "<table></table><table"),
    (r"<tr", "<tr></tr><tr"),
    (r"<head>", '<head><meta charset="gbk">'),
    (r"<head>", '<head><meta charset="x-no-such-charset">'),
    (r"<html", '<!DOCTYPE html [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]><html'),
    (r"</td>", "&#xFFFE;&#0;&#x110000;</td>"),
    (r"</td>", "<br/>" * 1000 + "</td>"),
    (r"<h[1-6][^>]*>", "<p>"),
    (r"<title>[^<]*</title>", "<title>" + "年" * 100000 + "</title>"),
    # hidden copies, layout tables, declared encodings that are not text encodings (issue 14)
    (r"<table", '<div style="display:none"><table'),
    (r"<table", '<table style="visibility: hidden"'),
    (r"<table", "<table hidden"),
    (r"<table", "<template><table"),
    (r"<body[^>]*>", "<body><table><tr><td>"),
    (r"<head>", '<head><meta charset="idna">'),
    (r"<head>", '<head><meta charset="punycode">'),
    (r"<head>", '<head><meta charset="undefined">'),
    (r"<head>", '<head><meta charset="rot13">'),
    (r"<head>", '<head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'),
]
DOCX_EDITS = [
    (r"<w:tc>", '<w:tc><w:tcPr><w:gridSpan w:val="16384"/></w:tcPr>'),
    (r"<w:tc>", '<w:tc><w:tcPr><w:gridSpan w:val="-3"/></w:tcPr>'),
    (r"<w:tc>", '<w:tc><w:tcPr><w:gridSpan w:val="99999999999999999999"/></w:tcPr>'),
    (r"<w:tc>", '<w:tc><w:tcPr><w:vMerge w:val="restart"/></w:tcPr>'),
    (r"<w:tc>", "<w:tc><w:tcPr><w:vMerge/></w:tcPr>"),
    (r'w:val="[0-9]+"', 'w:val="x"'),
    (r"<w:tc>", "<w:tc><w:tbl><w:tr><w:tc><w:p><w:r><w:t>1</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"),
    (r"<w:body>", "<w:body>" + "<w:tbl><w:tr><w:tc>" * 200),
    (r"</w:tc>", ""),
    (r"<w:tc>(?:(?!<w:tc>).)*?</w:tc>", ""),
    (r"<w:tc>(?:(?!<w:tc>).)*?</w:tc>", r"\g<0>\g<0>"),
    (r"<w:tr>(?:(?!<w:tr>).)*?</w:tr>", ""),
    (r"<w:tr>(?:(?!<w:tr>).)*?</w:tr>", r"\g<0>" * 50),
    (r"<w:tr>", "<w:tr></w:tr><w:tr>"),
    (r"<w:p>(?:(?!<w:p>).)*?</w:p>", ""),
    (r"<w:t( [^>]*)?>[^<]*</w:t>", "<w:t>" + "9" * 5000 + "</w:t>"),
    (r"<w:t( [^>]*)?>[^<]*</w:t>", "<w:t>&#xFFFE;</w:t>"),
    (r"<w:t( [^>]*)?>[^<]*</w:t>", "<w:t>1e309</w:t>"),
    (r"<w:t( [^>]*)?>[^<]*</w:t>", "<w:t>-1</w:t>"),
    (r"<w:t( [^>]*)?>[^<]*</w:t>", "<w:t></w:t>"),
    (r"<w:t( [^>]*)?>[^<]*</w:t>", r"\g<0><w:tab/>\g<0>"),
    (r"<w:t( [^>]*)?>", r"\g<0>\n"),
    (r"<\?xml[^>]*\?>", '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>'),
    (r"<w:tbl>", "<w:tbl><w:tblGrid>" + '<w:gridCol w:w="1"/>' * 20000 + "</w:tblGrid>"),
]
PDF_EDITS = [
    (rb"/Count \d+", b"/Count 999999999"),
    (rb"/Length \d+", b"/Length 99999999999"),
    (rb"/Length \d+", b"/Length -1"),
    (rb"/Kids \[", b"/Kids [2 0 R "),
    (rb"/MediaBox \[[^\]]*\]", b"/MediaBox [0 0 1e308 1e308]"),
    (rb"/MediaBox \[[^\]]*\]", b"/MediaBox [0 0 0 0]"),
    (rb"/W \[[^\]]*\]", b"/W [9 9 9]"),
    (rb"startxref\s+\d+", b"startxref\n-12"),
    (rb"/FlateDecode", b"/LZWDecode"),
    (rb"/FlateDecode", b"/DCTDecode"),
    (rb"\d+ 0 R", b"999999 0 R"),
    # what pdfminer expands from a number (issue 14): widths, xref entries, a /Prev loop
    (rb"/W \[[^\]]*\]", b"/W [0 200000000 500]"),
    (rb"/W \[", b"/W [0 [" + b"500 " * 100_000 + b"] "),
    (rb"/Size \d+", b"/Size 2000000000 /Index [0 2000000000]"),
    (rb"trailer\s*<<", b"trailer << /Prev 0 "),
]
#: Changes to a page's drawing operators (decompressed): positions, fonts, text.
CONTENT_EDITS = [
    (rb"[-0-9.]+ [-0-9.]+ Td", b"1e308 -1e308 Td"),
    (rb"[-0-9.]+ [-0-9.]+ Td", b"NaN 0 Td"),
    (rb"[-0-9.]+ Tf", b"0 Tf"),
    (rb"[-0-9.]+ Tf", b"-1e30 Tf"),
    (rb"\[[^\]]*\] ?TJ", b"[(" + b"9" * 5000 + b")] TJ"),
    (rb"\([^)]*\) ?Tj", b"(\\377\\376) Tj"),
    (rb"re\b", b"re " + b"0 0 1 1 re " * 20000),
    (rb"BT", b"q " * 5000 + b"BT"),
    (rb"ET", b""),
    (rb"cm", b"cm 0 0 0 0 0 0 cm"),
    # what pdfminer expands from a number, or builds without end (issue 14)
    (rb"endcmap", b"1 beginbfrange <00000000> <FFFFFFFF> <0000> endbfrange endcmap"),
    (rb"endcmap", b"1 begincidrange <00000000> <FFFFFFFF> 0 endcidrange endcmap"),
    (rb"Tf", b"Tf <" + b"4E00" * 300_000 + b"> Tj"),
    (rb"\bS\b", b"S " + b"0 0 m 1 1 l S " * 60_000),
    (rb"\bm\b", b"m " + b"1 1 l " * 60_000),
]


def _edit(text: str, pattern: str, replacement: str, rng: random.Random) -> str:
    spots = list(re.finditer(pattern, text, re.S))
    if not spots:
        return text
    spot = rng.choice(spots)
    return text[: spot.start()] + spot.expand(replacement) + text[spot.end() :]


def mutate_text(data: bytes, fmt: str, rng: random.Random) -> bytes:
    """One change to the text: a line dropped, repeated or swapped, a figure or token, a form's own edit."""
    text = data.decode("utf-8", "replace")
    lines = text.split("\n")
    op = rng.randrange(9)
    i = rng.randrange(len(lines))
    if op == 0:
        del lines[i]
    elif op == 1:
        lines[i : i + 1] = [lines[i]] * rng.choice([2, 3, 100, 5000])
    elif op == 2:
        j = rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
    elif op == 3:
        digits = list(re.finditer(r"\d+", text))
        if digits:
            spot = rng.choice(digits)
            text = text[: spot.start()] + rng.choice(FIGURES) + text[spot.end() :]
        lines = text.split("\n")
    elif op == 4:
        k = rng.randrange(len(lines[i]) + 1)
        lines[i] = lines[i][:k] + rng.choice(TOKENS) + lines[i][k:]
    elif op == 5:
        lines = lines[i:] + lines[:i]  # the document starts in the middle
    elif op == 6 and fmt == "html":
        text = _edit(text, *rng.choice(HTML_EDITS), rng)
        lines = text.split("\n")
    elif op == 6 and fmt == "markdown":
        lines[i] = rng.choice(MARKDOWN_LINES)
    else:
        lines[i] = lines[i].replace(rng.choice(["一", "二", "三", "（", "）", "年", "总计", " "]), "", 1)
    out = "\n".join(lines)
    encoding = rng.choice(["utf-8"] * 6 + ["gb18030", "utf-16", "utf-8-sig", "big5"])
    return out.encode(encoding, "surrogatepass" if encoding.startswith("utf") else "replace")


def mutate_docx(data: bytes, rng: random.Random) -> bytes:
    """Rewrite one XML member of the Word file (a known edit, or raw damage), then zip again."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as src:
            members = [(item, src.read(item.filename)) for item in src.infolist()]
    except Exception:  # not a zip any more: left to the byte mutations
        return data
    xml = [i for i, (item, _) in enumerate(members) if item.filename.endswith((".xml", ".rels"))]
    if not xml:
        return data
    document = [i for i in xml if members[i][0].filename == "word/document.xml"]
    k = document[0] if document and rng.random() < 0.8 else rng.choice(xml)
    item, body = members[k]
    if rng.random() < 0.85:
        text = _edit(body.decode("utf-8", "replace"), *rng.choice(DOCX_EDITS), rng)
        members[k] = (item, text.encode("utf-8", "surrogatepass"))
    else:
        members[k] = (item, mutate_bytes(body, rng, [body]))
    if rng.random() < 0.05:  # a member dropped
        del members[rng.randrange(len(members))]
    out = io.BytesIO()
    # other compression methods too (issue 14: a bzip2 member lying about its size once inflated to 3 GB)
    method = rng.choice([zipfile.ZIP_DEFLATED] * 8 + [zipfile.ZIP_STORED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA])
    with zipfile.ZipFile(out, "w", method) as dst:
        for item, content in members:
            dst.writestr(item.filename, content)
    return out.getvalue()


#: An object's dictionary and the start of its stream (never reaching into another object).
_STREAM = re.compile(rb"\d+ \d+ obj\s*<<(?:(?!endobj|stream).)*?>>\s*stream\r?\n", re.S)


def mutate_pdf(data: bytes, rng: random.Random) -> bytes:
    """Change the file's syntax, or one decompressed stream (a page's drawing) and compress it again."""
    if rng.random() < 0.3:
        pattern, replacement = rng.choice(PDF_EDITS)
        spots = list(re.finditer(pattern, data))
        if not spots:
            return data
        spot = rng.choice(spots)
        return data[: spot.start()] + replacement + data[spot.end() :]
    starts = [m for m in _STREAM.finditer(data) if b"/FlateDecode" in m.group(0) and b"/XRef" not in m.group(0)]
    drawings = [m for m in starts if b"/Type" not in m.group(0)]  # page contents carry no /Type
    if drawings and rng.random() < 0.8:
        starts = drawings
    if not starts:
        return data
    head = rng.choice(starts)
    end = data.find(b"endstream", head.end())
    if end < 0:
        return data
    try:
        body = zlib.decompressobj().decompress(data[head.end() : end], 10_000_000)
    except zlib.error:
        return data
    if rng.random() < 0.6:
        pattern, replacement = rng.choice(CONTENT_EDITS)
        spots = list(re.finditer(pattern, body))
        if spots:
            spot = rng.choice(spots)
            body = body[: spot.start()] + replacement + body[spot.end() :]
    else:
        body = mutate_bytes(body, rng, [body])
    packed = zlib.compress(body, 9)
    room = end - head.end()
    if len(packed) < room:
        # the same number of bytes as before (padded before ``endstream``, ``/Length`` padded with
        # spaces), so the cross-reference offsets still hold and the reader parses the change
        # rather than refusing a file whose objects cannot be found
        length = re.search(rb"/Length (\d+)", head.group(0))
        if length is not None and len(b"%d" % len(packed)) <= len(length.group(1)):
            number = (b"%d" % len(packed)).ljust(len(length.group(1)))
            dictionary = head.group(0)[: length.start(1)] + number + head.group(0)[length.end(1) :]
            return data[: head.start()] + dictionary + packed + b"\n" * (room - len(packed)) + data[end:]
    dictionary = re.sub(rb"/Length \d+", b"/Length %d" % len(packed), head.group(0))
    return data[: head.start()] + dictionary + packed + b"\n" + data[end:]


def make(fmt: str) -> Callable[[random.Random], bytes]:
    """The maker of mutated inputs for ``fmt``."""
    own = {"docx": mutate_docx, "pdf": mutate_pdf}.get(fmt)

    def one(rng: random.Random) -> bytes:
        pool = seeds(fmt)
        data = rng.choice(pool)
        for _ in range(rng.choice([1, 1, 2, 3])):
            roll = rng.random()
            if own is not None and roll < 0.75:
                data = own(data, rng)
            elif own is None and roll < 0.6:
                data = mutate_text(data, fmt, rng)
            else:
                data = mutate_bytes(data, rng, pool)
        return data

    return one


def check(fmt: str) -> Callable[[bytes], None]:
    """The contract every input must keep; an AssertionError or any other exception is a finding."""
    read = reader(fmt)

    def one(data: bytes) -> None:
        try:
            got = read(data)
        except gk.GongkaiError as exc:
            refused: gk.GongkaiError | None = exc
            str(exc)  # the message can be built
        else:
            refused = None
        if refused is not None:
            assert refused.problems, f"a {type(refused).__name__} without problems"
            return
        check_imported(got)

    return one


def check_imported(got: object) -> None:
    """An :class:`Imported` as the contract says: coded problems, and a valid report or none."""
    assert isinstance(got, Imported), type(got)
    for problem in got.problems:
        assert isinstance(problem, gk.Problem), problem
        assert problem.code, f"a problem without a code: {problem}"
        assert problem.severity in ("error", "warning", "info"), problem
    got.summary()
    if got.report is not None:
        assert isinstance(got.report, gk.AnnualReport), type(got.report)
        assert gk.loads(gk.dumps(got.report)) == got.report, "the report does not load again from its dumps"
        gk.validate(got.report)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--format", choices=[*FORMATS, "all"], default="all")
    parser.add_argument("--runs", type=int, default=1000, help="inputs per format")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--seconds", type=int, default=10, help="time bound per input")
    parser.add_argument("--seconds-per-mb", type=float, default=5.0, help="added to the bound per MB of input")
    parser.add_argument("--memory-gb", type=float, default=3.0, help="address-space cap of the run")
    args = parser.parse_args(argv)
    cap_memory(args.memory_gb)
    logging.getLogger("pdfminer").setLevel(logging.ERROR)  # its warnings on damaged fonts are not findings
    found = 0
    for fmt in FORMATS if args.format == "all" else (args.format,):
        suffix = {"text": ".txt", "markdown": ".md"}.get(fmt, f".{fmt}")
        found += run(fmt, check(fmt), make(fmt), args.runs, args.seed, args.seconds, suffix, args.seconds_per_mb)
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
