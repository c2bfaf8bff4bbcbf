"""Web pages: reports published as HTML (Word-exported pages, rich-text editors, plain tables).

The page is parsed with lxml's HTML parser (no network, no entity expansion), walked once in
document order into paragraphs and tables; ``rowspan``/``colspan`` are expanded into a grid, and
the text of a cell keeps its paragraphs and line breaks as ``\\n`` while runs of ``<span>``/``<font>``
are joined, so a label or a figure split across runs reads whole.
"""

from __future__ import annotations

import codecs
import re
from typing import Any

from ..errors import Place, Problem, ReadError
from ..limits import DEFAULT_LIMITS, Limits, Source, read_source, source_name
from ..model.values import Edition
from ._assemble import assemble
from ._document import Block, Document, Grid, Span
from ._result import Imported

__all__ = ["decode_html", "parse_html", "read_html"]

_BLOCK = frozenset(
    {
        "p",
        "div",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "ul",
        "ol",
        "dl",
        "dt",
        "dd",
        "section",
        "article",
        "header",
        "footer",
        "main",
        "body",
        "blockquote",
        "center",
        "pre",
        "address",
        "figure",
        "figcaption",
        "caption",
        "tr",
        "form",
        "nav",
        "aside",
        "hr",
    }
)
_SKIP = frozenset({"script", "style", "head", "title", "noscript", "template", "iframe", "object", "svg", "math"})
_CHARSET = re.compile(rb"""charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.IGNORECASE)
_MAX_SPAN = 1000


def decode_html(data: bytes) -> str:
    """The page's text: BOM, then strict UTF-8, then the declared charset, then GB18030 (a superset of GBK)."""
    for bom, enc in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(enc, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    m = _CHARSET.search(data[:4096])
    if m is not None:
        name = m.group(1).decode("ascii", "replace").lower()
        if name in ("gb2312", "gbk", "gb_2312-80", "x-gbk"):
            name = "gb18030"
        try:
            return data.decode(name, errors="replace")
        except LookupError:
            pass
    return data.decode("gb18030", errors="replace")


def _tag(el: Any) -> str:
    tag = el.tag
    if not isinstance(tag, str):
        return ""  # comments and processing instructions
    return tag.lower().rsplit(":", 1)[-1] if ":" in tag else tag.lower()


def _int(value: str | None) -> int:
    if not value:
        return 1
    m = re.match(r"\s*(\d{1,6})", value)
    return max(1, min(int(m.group(1)), _MAX_SPAN)) if m else 1


class _Walker:
    def __init__(self, source: str, limits: Limits) -> None:
        self.source = source
        self.limits = limits
        self.blocks: list[Block] = []
        self.problems: list[Problem] = []
        self.buffer: list[str] = []
        self.line: int | None = None
        self.tables = 0

    def flush(self) -> None:
        text = "".join(self.buffer)
        self.buffer = []
        if text.strip():
            self.blocks.append(Block("paragraph", text.strip(), Place(self.source, line=self.line)))
        self.line = None

    def add(self, text: str | None, el: Any) -> None:
        if text:
            if self.line is None and text.strip():
                self.line = getattr(el, "sourceline", None)
            self.buffer.append(text)

    def walk(self, el: Any, depth: int = 0) -> None:
        tag = _tag(el)
        if tag in _SKIP:
            return
        if tag == "table":
            self.flush()
            self.table(el)
            return
        if depth > self.limits.max_depth:
            self.add(" ".join(el.itertext()), el)
            return
        if tag == "br":
            self.flush()
            return
        block = tag in _BLOCK
        if block:
            self.flush()
        self.add(el.text, el)
        for child in el:
            self.walk(child, depth + 1)
            self.add(child.tail, child)
        if block:
            self.flush()

    def table(self, table: Any) -> None:
        self.tables += 1
        place = Place(self.source, table=self.tables)
        spans: list[list[Span]] = []
        for tr in _own(table, "tr"):
            row = [
                Span(_cell_text(td, self.limits.max_depth), _int(td.get("rowspan")), _int(td.get("colspan")))
                for td in tr
                if _tag(td) in ("td", "th")
            ]
            spans.append(row)
            if len(spans) > self.limits.max_rows:
                break
        grid = Grid.build(spans, place, self.limits, self.problems)
        caption = " ".join(" ".join(c.itertext()) for c in table if _tag(c) == "caption").strip()
        if caption:
            self.blocks.append(Block("paragraph", caption, Place(self.source, table=self.tables)))
        text = "\n".join("\t".join(c.text for c in row if c) for row in grid.rows)
        self.blocks.append(Block("table", text, place, grid))


def _own(table: Any, tag: str) -> list[Any]:
    """The ``tr`` elements of ``table`` itself (not of tables nested in its cells)."""
    out = []
    for el in table.iter():
        if _tag(el) != tag:
            continue
        parent = el.getparent()
        while parent is not None and _tag(parent) != "table":
            parent = parent.getparent()
        if parent is table:
            out.append(el)
    return out


def _cell_text(td: Any, max_depth: int) -> str:
    """A cell's text: runs joined, paragraphs and ``<br>`` as line breaks, nested tables flattened."""
    parts: list[str] = []

    def walk(el: Any, depth: int) -> None:
        tag = _tag(el)
        if tag in _SKIP:
            return
        if tag == "br":
            parts.append("\n")
            return
        block = tag in _BLOCK or tag in ("td", "th", "table")
        if block and el is not td:
            parts.append("\n")
        if el.text:
            parts.append(el.text)
        if depth < max_depth:
            for child in el:
                walk(child, depth + 1)
                if child.tail:
                    parts.append(child.tail)
        if block and el is not td:
            parts.append("\n")

    walk(td, 0)
    lines = [line.strip() for line in "".join(parts).replace("\r", "").split("\n")]
    return "\n".join(line for line in lines if line)


def parse_html(data: bytes | str, *, source: str = "<html>", limits: Limits = DEFAULT_LIMITS) -> Document:
    """The :class:`Document` of an HTML page: paragraphs and tables in reading order."""
    from lxml import etree
    from lxml import html as lxml_html

    text = decode_html(data) if isinstance(data, bytes) else data
    text = text.replace("\x00", "")
    if not text.strip():
        return Document(source, (), (Problem(source, "the page is empty", code="READ_NOT_A_REPORT"),))
    parser = lxml_html.HTMLParser(no_network=True, remove_comments=True, remove_pis=True, huge_tree=False)
    try:
        root = lxml_html.document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError) as exc:
        return Document(source, (), (Problem(source, f"not an HTML page: {exc}", code="READ_NOT_A_REPORT"),))
    walker = _Walker(source, limits)
    walker.walk(root)
    walker.flush()
    return Document(source, tuple(walker.blocks), tuple(walker.problems))


def read_html(
    source: Source,
    *,
    agency: str | None = None,
    year: int | None = None,
    edition: Edition | str | None = None,
    strict: bool = False,
    limits: Limits | None = None,
    name: str | None = None,
) -> Imported:
    """Read a report from a web page (a path, bytes or a binary stream).

    ``agency``, ``year`` and ``edition`` supply or override what the page's title and tables
    say; ``strict=True`` refuses misprinted labels instead of reading them with a warning;
    ``name`` is the name problems and provenance give the source (by default its path).

    >>> import gongkai_model as gk
    >>> page = gk.formats.render_html(gk.examples.seed_report())
    >>> got = gk.formats.read_html(page.encode())
    >>> got.ok, got.report == gk.examples.seed_report()
    (True, True)
    """
    limits = limits or DEFAULT_LIMITS
    name = name or source_name(source, "<html>")
    data = read_source(source, limits, name, ReadError, "page")
    doc = parse_html(data, source=name, limits=limits)
    return assemble(doc, agency=agency, year=year, edition=edition, strict=strict)
