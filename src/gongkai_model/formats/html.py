"""Web pages: reports published as HTML (Word-exported pages, rich-text editors, plain tables).

The page is parsed with lxml's HTML parser (no network, no entity expansion), walked once in
document order into paragraphs and tables; ``rowspan``/``colspan`` are expanded into a grid, and
the text of a cell keeps its paragraphs and line breaks as ``\\n`` while runs of ``<span>``/``<font>``
are joined, so a label or a figure split across runs reads whole.

Only what a reader sees is read: content hidden by ``display:none``, ``visibility:hidden``, the
``hidden`` attribute or simple ``<style>`` rules, ``<template>`` and ``<noscript>`` is left out
(``READ_HIDDEN`` says what was there); a layout table (a frame whose cells hold tables) is read as
paragraphs and its inner tables; the bytes are decoded as what they are (``formats/_encoding.py``).
"""

from __future__ import annotations

import codecs
import functools
import html
import re
from collections.abc import Callable
from typing import Any, Literal

import attrs

from .._codegen import FAST_PATHS
from ..errors import Place, Problem
from ..labels import normalize_label
from ..limits import DEFAULT_LIMITS, Limits
from ..model.layout import get_path, shape_of
from ..model.report import AnnualReport
from ..presentation import Label, SheetPlan, ValueCell, figure_text, plans, section_headings, section_texts, sheet_name
from ._assemble import PROSE, could_head, find_heading, find_title
from ._document import Block, BlockKind, CellBudget, Document, Grid, MetaText, Span, maker
from ._encoding import Decoded, decode_bytes
from ._locate import known_labels
from ._pictures import PageImages
from ._reader import Reader, ReadOptions, assembled_document, make_reader
from ._result import Imported

__all__ = ["decode_html", "parse_html", "plan_rows_html", "printed_text", "read_html", "render_html"]

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
_CHARSET = re.compile(rb"""charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]{0,200}?encoding\s*=\s*["']\s*([A-Za-z0-9_.:\-]+)""", re.IGNORECASE)
_MAX_SPAN = 1000


def decode_html(data: bytes) -> str:
    """The page's text, by what its bytes are (see :func:`declared_charset` and :mod:`._encoding`).

    A BOM decides; then ASCII, valid UTF-8, the declared charset (``gbk``/``gb2312`` as GB18030),
    GB18030; what none of them reads is shown as U+FFFD.
    """
    return _decode(data).text


def declared_charset(data: bytes) -> str | None:
    """The charset the page declares in its first 4096 bytes (``<meta>``, or an XML declaration), as written."""
    head = data[:4096]
    m = _CHARSET.search(head) or _XML_ENCODING.search(head)
    return m.group(1).decode("ascii", "replace") if m is not None else None


def _decode(data: bytes) -> Decoded:
    return decode_bytes(data, declared_charset(data))


def _tag(el: Any) -> str:
    """The element's tag in lower case (``o:p`` stays ``o:p``: Office's inline markers are not paragraphs)."""
    tag = el.tag
    if not isinstance(tag, str):
        return ""  # comments and processing instructions
    return tag.lower()


def _int(value: str | None) -> int:
    """A ``rowspan``/``colspan`` as HTML reads it: its leading digits, at least 1 (``-5``, ``abc`` are 1)."""
    if not value:
        return 1
    m = _DIGITS.match(value)
    return max(1, min(int(m.group(1)), _MAX_SPAN)) if m else 1


_DIGITS = re.compile(r"\s*(\d{1,6})")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*>", re.IGNORECASE)
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_CELLS = frozenset({"td", "th"})
_SECTIONS = frozenset({"thead", "tbody", "tfoot"})
_LINES = _BLOCK | _HEADINGS | _CELLS | {"table"}  # elements that start and end a line in a cell
_BREAKS = tuple(sorted(_LINES | _SKIP | {"br"}))
_SPACE = re.compile(r"\s+")
#: The elements that are no run of a line's text: what the walk reads otherwise than as a run's text.
_NOT_RUNS = _SKIP | _BLOCK | _HEADINGS | {"table", "br", "img", ""}
_INLINE_HEADING_MAX = 48  # longer runs are never a section heading (find_heading stops at 40 characters)


class _Walker:
    def __init__(self, source: str, limits: Limits, folder: str | None = None) -> None:
        self.source = source
        self.limits = limits
        self.blocks: list[Block] = []
        self.problems: list[Problem] = []
        self.buffer: list[str] = []
        self.started = False  #: the buffer holds a text that is not all white space
        self.line: int | None = None
        self.kind: BlockKind = "paragraph"
        self.tables = 0
        self.too_deep: int | None = None
        self.budget = CellBudget(limits.max_cells)  #: the cells all the page's tables may expand to
        #: the page's pictures, read by OCR where they are (``<img>``); their tables share the budget
        self.images = PageImages(source, folder, limits, self.problems, self.budget)

    def flush(self) -> None:
        text = "".join(self.buffer).strip()
        self.buffer = []
        self.started = False
        if text:
            self.blocks.append(Block(self.kind, text, Place(self.source, line=self.line)))
        self.line = None
        self.kind = "paragraph"

    def add(self, text: str | None, el: Any) -> None:
        if text:
            if (self.line is None or not self.started) and not text.isspace():
                self.started = True
                if self.line is None:
                    self.line = el.sourceline
            self.buffer.append(text)

    def walk(self, el: Any, depth: int = 0) -> None:
        tag = _tag(el)
        if tag in _SKIP or not tag:
            return
        if tag == "table" and depth <= self.limits.max_depth and _is_layout(el):
            self.container(el, depth)
            return
        if tag == "table":
            self.flush()
            self.table(el)
            return
        if depth > self.limits.max_depth:
            if self.too_deep is None:
                self.too_deep = el.sourceline
            self.add(" ".join(el.itertext()), el)
            return
        if tag == "br":
            self.flush()
            return
        if tag == "img":
            self.image(el)
            return
        block = tag in _BLOCK or tag in _HEADINGS
        if block:
            self.flush()
            if tag in _HEADINGS:
                self.kind = "heading"
            elif el.get(PROSE_ATTRIBUTE) is not None:
                self.kind = PROSE  # a line of text the renderer marked: never a heading
        elif self._inline_heading(el):
            return
        self.add(el.text, el)
        leaves = FAST_PATHS and depth < self.limits.max_depth  # (a child is walked at depth + 1)
        for child in el:
            if leaves and self.started and len(child) == 0:
                name = child.tag
                if isinstance(name, str) and name.lower() not in _NOT_RUNS:
                    # a run of the line's text (``<span>``, ``<font>`` … holding text only), once the line holds
                    # a text: what walking it does (no heading can start there), without the walk
                    text, tail = child.text, child.tail
                    if text:
                        self.buffer.append(text)
                    if tail:
                        self.buffer.append(tail)
                    continue
            self.walk(child, depth + 1)
            self.add(child.tail, child)
        if block:
            self.flush()

    def image(self, el: Any) -> None:
        """An ``<img>``: the blocks OCR reads from its picture, at its place in reading order."""
        src = el.get("src")
        if not src or not src.strip():
            return
        blocks = self.images.blocks(src, el.sourceline)
        if blocks:
            self.flush()
            self.blocks.extend(blocks)

    def container(self, table: Any, depth: int) -> None:
        """A layout table (its cells hold tables): its cells are read as blocks, its tables as the page's."""
        self.flush()
        for child in table:
            if _tag(child) == "caption":
                self.walk(child, depth + 1)
        for tr in _rows(table):
            for td in tr:
                if _tag(td) not in _CELLS:
                    continue
                self.flush()
                self.add(td.text, td)
                for child in td:
                    self.walk(child, depth + 2)
                    self.add(child.tail, child)
                self.flush()

    def _inline_heading(self, el: Any) -> bool:
        """A section heading printed in bold (``<strong>``, ``<b>``, a styled ``<span>``) at the start of a paragraph.

        It becomes a block of its own, so that the paragraph's text after it is the section's text.
        """
        if self.started:  # (what ``any(not t.isspace() for t in self.buffer)`` says)
            return False
        parts = []
        size = 0
        for part in el.itertext():  # (no more of the text than a heading can hold: the root's is the page's)
            size += len(part)
            if size > _INLINE_HEADING_MAX:
                return False
            parts.append(part)
        text = "".join(parts)
        if not text or find_heading(text) is None:
            return False
        self.flush()
        self.add(text, el)
        self.kind = "heading"
        self.flush()
        return True

    def table(self, table: Any) -> None:
        self.tables += 1
        place = Place(self.source, table=self.tables)
        limits = self.limits
        # the caption first: reading the cells below marks the table's line breaks in its text
        caption = " ".join(" ".join(c.itertext()) for c in table if _tag(c) == "caption").strip()
        trs, direct = _own_rows(table)
        marked = direct and len(trs) <= limits.max_rows and _mark_breaks(table, trs, limits.max_cells)
        tostring = _lxml_calls()[1]
        fast = FAST_PATHS  # a plain cell (one row, one column) as its text alone (Grid.build reads it as a Span)
        if len(trs) > limits.max_rows:
            trs = trs[: limits.max_rows + 1]  # the grid says it was clipped
        spans: list[list[Span | str]] = []
        budget = limits.max_cells
        remaining = len(trs)
        max_columns = limits.max_columns
        make_span = _make_span
        for tr in trs:
            row: list[Span | str] = []
            for td in tr:
                tag = td.tag
                if tag != "td" and tag != "th" and _tag(td) not in _CELLS:
                    continue
                if len(row) > max_columns or budget <= 0:
                    break
                budget -= 1
                if not marked:
                    text = _cell_text(td)
                else:  # the table's line breaks marked (_mark_breaks): its text, one C call (what _cell_text gives)
                    text = ((td.text or "") if len(td) == 0 else tostring(td)).strip()
                    if "\n" in text or "\r" in text:
                        text = _lines(text)
                # a rowspan ends with the table's rows, as in HTML (rowspan="999999999" spans what is left)
                rowspan = td.get("rowspan")
                colspan = td.get("colspan")
                rows = 1 if rowspan is None else min(_int(rowspan), remaining)
                columns = 1 if colspan is None else _int(colspan)
                if fast and rows == 1 and columns == 1:
                    row.append(text)  # Grid.build reads it as Span(text)
                else:
                    row.append(make_span(text, rows, columns, False, None, False, None))
            spans.append(row)
            remaining -= 1
            if budget <= 0:
                spans.append([Span("")] * (limits.max_columns + 1))  # make the grid report the clipping
                break
        grid = Grid.build(spans, place, limits, self.problems, self.budget)
        if caption:
            self.blocks.append(Block("paragraph", caption, Place(self.source, table=self.tables)))
        text = "\n".join(["\t".join([c.text for c in row if c]) for row in grid.rows])
        self.blocks.append(Block("table", text, place, grid))


_make_span = maker(Span)


def _is_layout(table: Any) -> bool:
    """Whether ``table`` is a page's layout (a site editor's frame): one of its cells holds a table,
    or it is one cell holding a picture (a table published as a picture, framed).

    A statutory table is never printed with tables inside its cells; a frame around an article is.
    """
    inside = table.iter("table")
    next(inside)  # the table itself
    if next(inside, None) is not None:
        return True
    return _one_cell(table) and next(table.iter("img"), None) is not None


def _one_cell(table: Any) -> bool:
    """Whether ``table`` has one row of one cell."""
    rows = _rows(table)
    return len(rows) == 1 and sum(1 for td in rows[0] if _tag(td) in _CELLS) == 1


def _rows(table: Any) -> list[Any]:
    """The ``tr`` elements of ``table`` itself (directly or in ``thead``/``tbody``/``tfoot``), not of nested tables."""
    return _own_rows(table)[0]


def _own_rows(table: Any) -> tuple[list[Any], bool]:
    """The rows of :func:`_rows`, and whether they are the table's own children or its sections' (not wrapped)."""
    out = []
    for child in table:
        tag = _tag(child)
        if tag == "tr":
            out.append(child)
        elif tag in _SECTIONS:
            out.extend(tr for tr in child if _tag(tr) == "tr")
    if out:
        return out, True
    # rows wrapped in other markup by an editor: every tr whose nearest table is this one
    for tr in table.iter("tr"):
        parent = tr.getparent()
        while parent is not None and _tag(parent) != "table":
            parent = parent.getparent()
        if parent is table:
            out.append(tr)
    return out, False


#: The elements whose start and end break a cell's text into lines, but the table's own rows and
#: cells, plus the ones whose text is never read (a table holding one is read cell by cell).
_MARKED = tuple(sorted((_LINES - _CELLS - {"tr"}) | {"br"} | _SKIP))
_MARKED_NEVER = _SKIP | {"table"}


@functools.cache
def _lxml_calls() -> tuple[Any, Callable[[Any], str]]:
    """The compiled XPath counting the rows and cells under a table (at any depth), and the text of an element.

    Made on first use: importing the library does not import lxml.
    """
    from lxml import etree

    count_all = etree.XPath("count(.//tr) + count(.//td) + count(.//th)")  # (no union: linear)
    text = functools.partial(etree.tostring, method="text", encoding=str, with_tail=False)
    return count_all, text


def _mark_breaks(table: Any, trs: list[Any], max_cells: int) -> bool:
    """Mark the line breaks of ``table``'s cells in their text, so that a cell's text is one C call.

    Each element that starts and ends a line in a cell (``p``, ``div``, ``br`` …) gets a ``\\n`` in
    front of its text and of its tail (``br``: of its text), exactly where :func:`_walk_text` puts
    them. Done only when that is the whole of the walk: the table's rows are its own, no row or
    cell is inside a cell, no table is nested in it and the elements whose text is never read
    (``script``, ``<template>``, a hidden element :func:`_hide` emptied …) hold nothing; otherwise
    nothing is marked and ``False`` says so (the cells are then read by :func:`_cell_text`). The
    table's caption must be read before.
    """
    count_all = _lxml_calls()[0](table)
    if count_all > len(trs) + max_cells:  # a table past the limits is read cell by cell, within them
        return False
    if count_all != len(trs) + sum(1 for tr in trs for td in tr if td.tag == "td" or td.tag == "th"):
        return False
    marked = list(table.iter(*_MARKED))
    del marked[0]  # the table itself
    never = [el for el in marked if el.tag in _MARKED_NEVER]
    # a hidden element is emptied (and renamed <template>, :func:`_hide`): only its tail, visible, is read
    if any(el.tag == "table" or el.text or len(el) for el in never):
        return False
    # lxml's parser lets in characters its API refuses to set (a control character): a text holding one
    # cannot be marked (a refused set would also drop the text), so such a table is read cell by cell
    # (one search over the table's whole text, in C: it holds every text and tail of the marked elements)
    if _NOT_SETTABLE.search(_lxml_calls()[1](table)):
        return False
    for el in marked:
        tag = el.tag
        if tag in _MARKED_NEVER:
            continue
        text = el.text
        el.text = "\n" + text if text else "\n"
        if tag != "br":
            tail = el.tail
            el.tail = "\n" + tail if tail else "\n"
    return True


#: What lxml refuses to set as a text (``ValueError``: "no NULL bytes or control characters"), measured.
_NOT_SETTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _cell_text(td: Any) -> str:
    """A cell's text: runs joined, paragraphs and ``<br>`` as line breaks, nested tables flattened.

    Each line is stripped and empty lines are dropped, so ``<p>12</p><p>34</p>`` stays two lines
    (never the figure 1234). The walk is lxml's own (no recursion: any depth lxml built is read).
    """
    if len(td) == 0:  # the common case: plain text
        text: str | None = td.text
        if not text:
            return ""
        if "\n" not in text and "\r" not in text:
            return text.strip()
    # Fast path (lxml's C loops): no line-breaking element inside, or one that holds all the text
    # (Word's <td><p class=MsoNormal><span>…</span></p></td>): the text is the joined runs.
    inside = td.iter(*_BREAKS)
    next(inside)  # the cell itself
    first = next(inside, None)
    if first is None:
        return _lines("".join(td.itertext()))
    if first.tag in _LINES and next(inside, None) is None:
        whole = "".join(td.itertext())
        text = "".join(first.itertext())
        if _SPACE.sub("", whole) == _SPACE.sub("", text):
            return _lines(text)
    return _lines(_walk_text(td))


def _lines(text: str) -> str:
    lines = [line.strip() for line in text.replace("\r", "\n").split("\n")]
    return "\n".join(line for line in lines if line)


def _walk_text(td: Any) -> str:
    from lxml import etree

    parts: list[str] = []
    walker = etree.iterwalk(td, events=("start", "end"))
    for event, el in walker:
        tag = el.tag
        if not isinstance(tag, str):
            tag = ""
        if event == "start":
            if tag in _SKIP:
                walker.skip_subtree()
                continue
            if tag == "br" or (tag in _LINES and el is not td):
                parts.append("\n")
            if el.text:
                parts.append(el.text)
        else:
            if tag in _LINES and el is not td:
                parts.append("\n")
            if el is not td and el.tail:
                parts.append(el.tail)
    return "".join(parts)


# --- what a reader would not see ----------------------------------------------------------------

#: Elements whose content is never shown: left out silently (code, styles, the head).
_NEVER_SHOWN = frozenset({"script", "style", "head", "title"})
#: Elements whose content a reader does not see (a template, what shows only without scripts).
_NOT_SHOWN = frozenset({"template", "noscript"})
_HIDDEN_TAG = "template"  # a hidden element is emptied and renamed to this (its tail, visible, stays)
_MAX_REPORTED = 20  #: hidden elements described one by one (the rest are counted)
_MAX_EXAMINED = 1000  #: hidden elements whose content is looked at (the rest are counted)
_MAX_CSS = 512 * 1024  #: characters of ``<style>`` read for hiding rules
_MAX_RULE_CHECKS = 1_000_000  #: style rules matched against a page's elements, in all
_MAX_CACHED = 10_000  #: (tag, id, class) combinations whose matching rules are remembered
_MAX_SHOWN_SCAN = 50_000  #: elements under ``visibility:hidden`` ones looked at for ``visibility:visible`` (a page)
_MAX_RULES = 10_000  #: hiding rules kept
_SIMPLE_SELECTOR = re.compile(r"^([a-z][a-z0-9]*|\*)?((?:[.#][-_a-z0-9\u00a0-\uffff]+)*)$")
_SELECTOR_PART = re.compile(r"([.#])([-_a-z0-9\u00a0-\uffff]+)")
_BRACES = re.compile(r"[{}]")


@attrs.frozen
class _Rule:
    """One declaration of ``display`` or ``visibility`` under a simple selector of a ``<style>`` sheet."""

    tag: str | None
    ids: tuple[str, ...]
    classes: tuple[str, ...]
    specificity: int
    order: int
    prop: str
    value: str
    selector: str

    def matches(self, tag: str, ident: str | None, classes: frozenset[str]) -> bool:
        return (
            (self.tag is None or self.tag == tag)
            and all(i == ident for i in self.ids)
            and all(c in classes for c in self.classes)
        )


def _declarations(text: str) -> dict[str, str]:
    """``display`` and ``visibility`` of a declaration block (``!important`` dropped, lower case)."""
    out: dict[str, str] = {}
    for part in text.split(";"):
        prop, sep, value = part.partition(":")
        if not sep:
            continue
        prop = prop.strip().lower()
        if prop in ("display", "visibility"):
            out[prop] = value.lower().replace("!important", "").strip()
    return out


@functools.lru_cache(maxsize=4096)
def _may_hide(style: str, rules: bool) -> bool:
    """Whether a ``style`` attribute can hide its element, or (with style rules) show it against them."""
    low = style.lower()
    if rules:
        return "display" in low or "visibility" in low
    return ("display" in low and "none" in low) or ("visibility" in low and ("hidden" in low or "collapse" in low))


@functools.lru_cache(maxsize=4096)
def _inline(style: str) -> tuple[tuple[str, tuple[str, str]], ...]:
    """The ``display``/``visibility`` of a ``style`` attribute (editors repeat the same style on every cell)."""
    return tuple((prop, (value, "its style attribute")) for prop, value in _declarations(style).items())


def _without_comments(css: str) -> str:
    parts: list[str] = []
    at = 0
    while True:
        start = css.find("/*", at)
        if start < 0:
            parts.append(css[at:])
            return "".join(parts)
        parts.append(css[at:start])
        end = css.find("*/", start + 2)
        if end < 0:
            return "".join(parts)
        at = end + 2


def _style_rules(root: Any) -> dict[str, list[_Rule]]:
    """The hiding-relevant rules of the page's ``<style>`` sheets, by the key an element is looked up with.

    Covered: top-level rules whose selectors are simple (``tag``, ``.class``, ``#id`` and their
    compounds such as ``div.hide``), declaring ``display`` or ``visibility``. Not covered (not
    evaluated): rules inside at-rules (``@media`` …), selectors with combinators, attributes or
    pseudo-classes, external style sheets (never fetched).
    """
    css_parts: list[str] = []
    size = 0
    for el in root.iter("style"):
        text = "".join(el.itertext())
        css_parts.append(text[: max(0, _MAX_CSS - size)])
        size += len(text)
        if size >= _MAX_CSS:
            break
    css = _without_comments("\n".join(css_parts)).lower()
    rules: dict[str, list[_Rule]] = {}
    if "display" not in css and "visibility" not in css:
        return rules
    depth = 0
    start = 0
    prelude = ""
    body = 0
    order = 0
    for m in _BRACES.finditer(css):
        if m.group() == "{":
            if depth == 0:
                prelude, body = css[start : m.start()], m.end()
            depth += 1
            continue
        if depth == 0:
            start = m.end()
            continue
        depth -= 1
        if depth:
            continue
        start = m.end()
        if prelude.lstrip().startswith("@"):
            continue
        decls = _declarations(css[body : m.start()])
        if not decls:
            continue
        for selector in prelude.split(","):
            selector = selector.strip()
            sm = _SIMPLE_SELECTOR.match(selector)
            if not selector or sm is None:
                continue
            tag = sm.group(1) if sm.group(1) not in (None, "*") else None
            parts = _SELECTOR_PART.findall(sm.group(2))
            ids = tuple(name for kind, name in parts if kind == "#")
            classes = tuple(name for kind, name in parts if kind == ".")
            key = f"#{ids[0]}" if ids else f".{classes[0]}" if classes else (tag or "*")
            specificity = 100 * len(ids) + 10 * len(classes) + (tag is not None)
            for prop, value in decls.items():
                order += 1
                if order > _MAX_RULES:
                    return rules
                rule = _Rule(tag, ids, classes, specificity, order, prop, value, selector)
                rules.setdefault(key, []).append(rule)
    # the same selector and property again: only the last counts (same specificity, later order)
    return {key: list({(r.tag, r.ids, r.classes, r.prop): r for r in found}.values()) for key, found in rules.items()}


def _hidden_by(el: Any, tag: str, sheet: _Sheet) -> str | None:
    """Why ``el`` is not shown (``display:none``, ``visibility:hidden`` …), or ``None`` when it is."""
    if el.get("hidden") is not None:
        return "the hidden attribute"
    found = _shown_as(el, tag, sheet)
    display = found.get("display")
    if display is not None and display[0] == "none":
        return f"display:none ({display[1]})"
    visibility = found.get("visibility")
    if visibility is not None and visibility[0] in ("hidden", "collapse"):
        return f"visibility:{visibility[0]} ({visibility[1]})"
    return None


def _shows_inside(el: Any, sheet: _Sheet) -> bool:
    """Whether an element under ``el`` (hidden by ``visibility``) sets ``visibility:visible`` again.

    ``visibility`` is inherited but a descendant can override it: what it holds is shown, so the
    element is not left out (its own text is read too: reading more can only give a conflict, while
    leaving out what is shown would give the figures of a copy hidden some other way, silently).
    The elements the page's calls look at are bounded (``sheet.scan``); once spent, it is read.
    """
    for child in el.iterdescendants():
        sheet.scan -= 1
        if sheet.scan < 0:
            return True
        tag = child.tag
        if not isinstance(tag, str):
            continue
        style = child.get("style")
        visibility = dict(_inline(style)).get("visibility") if style and "visib" in style.lower() else None
        if visibility is None and sheet.rules:
            visibility = _shown_as(child, tag.lower(), sheet).get("visibility")
        if visibility is not None and visibility[0] == "visible":
            return True
    return False


class _Sheet:
    """The page's hiding rules, looked up within a bound of work (a page's rules × its elements)."""

    def __init__(self, rules: dict[str, list[_Rule]]) -> None:
        self.rules = rules
        self.checks = _MAX_RULE_CHECKS  #: rule matches left for the page
        self.scan = _MAX_SHOWN_SCAN  #: elements under ``visibility:hidden`` ones left to look at
        self.spent: int | None = None  #: the source line where the rule checks ran out
        self._cache: dict[tuple[str, str | None, str | None], dict[str, _Rule]] = {}

    def matching(self, el: Any, tag: str) -> dict[str, _Rule]:
        """The winning rule of each property for ``el`` (none once the page's checks are spent)."""
        ident = el.get("id")
        klass = el.get("class")
        memo = (tag, ident, klass)
        hit = self._cache.get(memo)
        if hit is not None:
            return hit
        if self.checks <= 0:
            if self.spent is None:
                self.spent = el.sourceline or 0
            return {}
        classes = frozenset(klass.lower().split()) if klass else frozenset()
        keys = [tag, "*", *(f".{c}" for c in classes)]
        if ident:
            keys.append(f"#{ident.lower()}")
        lowered = ident.lower() if ident else None
        best: dict[str, _Rule] = {}
        for key in keys:
            candidates = self.rules.get(key, ())
            self.checks -= len(candidates) + 1
            for rule in candidates:
                if not rule.matches(tag, lowered, classes):
                    continue
                held = best.get(rule.prop)
                if held is None or (rule.specificity, rule.order) > (held.specificity, held.order):
                    best[rule.prop] = rule
        if len(self._cache) < _MAX_CACHED:
            self._cache[memo] = best
        return best


def _shown_as(el: Any, tag: str, sheet: _Sheet) -> dict[str, tuple[str, str]]:
    """The ``display``/``visibility`` declared for ``el`` (its style attribute, then the style rules), with where."""
    found: dict[str, tuple[str, str]] = {}
    style = el.get("style")
    if style and _may_hide(style, bool(sheet.rules)):
        found = dict(_inline(style))
    if sheet.rules and len(found) < 2:
        for prop, rule in sheet.matching(el, tag).items():
            if prop not in found:
                found[prop] = (rule.value, f"the style rule {rule.selector!r}")
    return found


@functools.lru_cache(maxsize=4096)
def _is_heading(text: str) -> bool:
    return find_heading(text) is not None


def _what_is_there(el: Any) -> str | None:
    """What a hidden element holds that matters to a report (tables, statutory labels, headings), or ``None``."""
    tables = sum(1 for _ in el.iter("table"))
    known = known_labels()
    labels: list[str] = []
    heading = False
    for k, chunk in enumerate(el.itertext()):
        if k > 20_000:
            break
        if len(chunk) > 200 or not chunk.strip():
            continue
        key = normalize_label(chunk)
        if key in known and len(labels) < 3 and chunk.strip() not in labels:
            labels.append(chunk.strip())
        elif not heading and not chunk.isascii() and _is_heading(chunk):
            heading = True
    if not tables and not labels and not heading:
        return None
    what = f"{tables} table(s)" if tables else "text"
    if labels:
        what += " with statutory labels (" + ", ".join(labels) + " …)"
    if heading:
        what += (" and" if labels else " with") + " a section heading"
    return what


def _hide(root: Any, source: str, problems: list[Problem]) -> None:
    """Empty what a reader would not see (see :func:`_hidden_by`), saying so where it held report content.

    A hidden element is emptied in place (its tail, which is visible, stays) and renamed, so the
    walk and the cell texts leave it out; ``<template>`` and ``<noscript>`` are left out by the walk.
    """
    from lxml import etree

    rules = _style_rules(root)
    sheet = _Sheet(rules)
    silent = 0
    described = 0
    examined = 0
    tree = root.getroottree()
    body = next(root.iter("body"), None)
    # one pass over the body's elements in document order, a hidden one's subtree skipped
    walker = etree.iterwalk(body if body is not None else root, events=("start",))
    for _, el in walker:
        tag = el.tag
        if not isinstance(tag, str):
            continue
        if tag in _NOT_SHOWN:
            reason: str | None = f"<{tag}>"
        elif tag in _NEVER_SHOWN:
            walker.skip_subtree()
            continue
        elif rules or el.get("hidden") is not None or _may_hide(el.get("style") or "", False):
            reason = _hidden_by(el, tag.lower(), sheet)
        else:
            continue
        if reason is None or (reason.startswith("visibility:") and _shows_inside(el, sheet)):
            continue
        walker.skip_subtree()
        # what it held is looked at for the first ones only (bounded work); the rest are counted
        what = _what_is_there(el) if described < _MAX_REPORTED and examined < _MAX_EXAMINED else None
        if what is None:
            silent += 1 if examined >= _MAX_EXAMINED or any(t.strip() for t in el.itertext()) else 0
        else:
            described += 1
            place = Place(source, line=el.sourceline)
            problems.append(
                Problem.at(
                    place,
                    f"hidden content ({reason}) at {tree.getpath(el)} was left out: {what}",
                    code="READ_HIDDEN",
                    severity="warning",
                )
            )
        examined += 1
        if tag not in _NOT_SHOWN:
            el.clear(keep_tail=True)
            el.tag = _HIDDEN_TAG
    if sheet.spent is not None:
        place = Place(source, line=sheet.spent or None)
        problems.append(
            Problem.at(
                place,
                f"the page's style rules are too many to match against all its elements ({_MAX_RULE_CHECKS:,} "
                "checks): from here on only style attributes and the hidden attribute hide content",
                code="READ_LIMIT",
                severity="warning",
            )
        )
    if silent:
        problems.append(
            Problem(
                source,
                f"{silent} other hidden element(s) were left out",
                code="READ_HIDDEN",
                severity="info",
                place=Place(source),
            )
        )


def _hidden_comments(text: str, source: str, problems: list[Problem]) -> None:
    """Comments that hold a table (a report's table commented out): left out, and said so."""
    at = 0
    reported = 0
    while reported < _MAX_REPORTED:
        start = text.find("<!--", at)
        if start < 0:
            return
        end = text.find("-->", start + 4)
        end = len(text) if end < 0 else end
        if "<table" in text[start:end].lower():
            reported += 1
            place = Place(source, line=text.count("\n", 0, start) + 1)
            problems.append(
                Problem.at(
                    place,
                    "a comment holding a table was left out (comments are not shown)",
                    code="READ_HIDDEN",
                    severity="warning",
                )
            )
        at = end + 3


def _head_title(root: Any) -> Any:
    for el in root.iter("title"):
        return el
    return None


#: ``<meta name=…>`` (or ``property=``) naming the document: its title, or the site or column (maybe the agency).
_META_NAMES: dict[str, Literal["title", "agency"]] = {
    "title": "title",
    "articletitle": "title",
    "og:title": "title",
    "dc.title": "title",
    "dcterms.title": "title",
    "sitename": "agency",
    "og:site_name": "agency",
    "columnname": "agency",
    "author": "agency",
    "publisher": "agency",
    "dc.publisher": "agency",
}
#: How many elements of ``<head>`` are looked at, and how many characters of each text kept.
_MAX_HEAD_ELEMENTS = 200
_MAX_META_CHARS = 400


def _head_meta(root: Any, source: str) -> tuple[MetaText, ...]:
    """The page's ``<title>`` and naming ``<meta>`` tags (:data:`_META_NAMES`), bounded, for the assembler."""
    head = root.find("head")
    if head is None:
        return ()
    out: list[MetaText] = []
    for k, el in enumerate(head.iterchildren()):
        if k >= _MAX_HEAD_ELEMENTS:
            break
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag == "title":
            text = " ".join("".join(el.itertext())[:_MAX_META_CHARS].split())
            key: Literal["title", "agency"] | None = "title"
            where = "<title>"
        elif tag == "meta":
            name = str(el.get("name") or el.get("property") or "")[:40]
            key = _META_NAMES.get(name.strip().lower())
            text = " ".join(str(el.get("content") or "")[:_MAX_META_CHARS].split())
            where = f"<meta name={name}>"
        else:
            continue
        if key is not None and text:
            out.append(MetaText(key, text, Place(source, line=el.sourceline, cell=where)))
    return tuple(out)


def _with_title(blocks: list[Block], root: Any, source: str, problems: list[Problem]) -> list[Block]:
    """The blocks, with the page's ``<title>`` in front when the body prints no title before its first section."""
    first = next(
        (i for i, b in enumerate(blocks) if b.kind != "table" and find_heading(b.text, 0) is not None), len(blocks)
    )
    agency, year, _ = find_title(blocks[: first + 1])
    if agency is not None and year is not None:
        return blocks
    title = _head_title(root)
    text = " ".join("".join(title.itertext()).split()) if title is not None else ""
    if not text:
        return blocks
    head_agency, head_year, _ = find_title([Block("paragraph", text, Place(source))])
    if head_year is None or (year is not None and head_year != year) or (head_agency is None and agency is None):
        return blocks
    place = Place(source, line=title.sourceline)
    problems.append(
        Problem.at(
            place,
            f"the body prints no title; the page's <title> names the report: {text!r}",
            code="READ_TITLE_FROM_HEAD",
            severity="info",
        )
    )
    return [Block("heading", text, place), *blocks]


#: The words without which nothing on a page can hide anything (:func:`_hide` is not needed).
_HIDING_WORDS = ("hidden", "display", "visibility", "<template", "<noscript")


def parse_html(
    data: bytes | str, *, source: str = "<html>", limits: Limits = DEFAULT_LIMITS, folder: str | None = None
) -> Document:
    """The :class:`Document` of an HTML page: paragraphs, headings and tables in reading order.

    With the ``folder`` the page was read from, an ``<img>`` naming a picture inside that folder (or
    a ``data:image/…;base64,`` address, with or without it) is read by OCR at its place
    (:class:`._pictures.PageImages`); nothing is fetched from the network.

    Bytes are decoded by :func:`decode_html` (``READ_ENCODING`` when the encoding used is not the
    declared one). Nothing the page says is fetched or expanded (no network, no entities of a DTD);
    comments (Word's ``<!--[if …]>`` blocks) are dropped, and what a browser would not show is left
    out (``READ_HIDDEN`` when it held a table, a statutory label or a heading). A page
    lxml cannot parse, an empty page, or one nested deeper than lxml's 256 levels or
    ``limits.max_depth`` gives located problems, never an exception.
    """
    from lxml import etree

    found: list[Problem] = []
    #: the page's own bytes when they are the text's UTF-8 exactly (read as UTF-8, no BOM, nothing taken out)
    utf8: bytes | None = None
    if isinstance(data, bytes):
        decoded = _decode(data)
        text = decoded.text
        if decoded.note is not None:
            found.append(Problem(source, decoded.note, code="READ_ENCODING", severity="warning", place=Place(source)))
        if decoded.encoding == "utf-8" and decoded.clean and not data.startswith(codecs.BOM_UTF8):
            utf8 = data
    else:
        text = data
    if "\x00" in text:
        text = text.replace("\x00", "")
        utf8 = None
    if _XML_DECLARATION.match(text) is not None:
        text = _XML_DECLARATION.sub("", text, count=1)
        utf8 = None
    if not text.strip():
        return Document(source, (), (*found, Problem(source, "the page is empty", code="READ_NOT_A_REPORT")))
    _hidden_comments(text, source, found)
    # lxml.etree's own HTML parser: plain elements, without lxml.html's per-element class lookup
    parser = etree.HTMLParser(no_network=True, remove_comments=True, remove_pis=True, huge_tree=False)
    source_text: str | bytes = text
    if FAST_PATHS and not text.startswith("<?xml"):  # (lxml refuses a text so declared: kept as the text)
        try:
            # the same text as UTF-8, said to be UTF-8: libxml2 reads it without converting it (given as a
            # str, lxml hands over UTF-16 or UCS-4, converted on the way); the tree is the same
            # (the page's own bytes when they are that text's UTF-8: the same bytes, not made again)
            source_text = text.encode("utf-8") if utf8 is None else utf8
            parser = etree.HTMLParser(
                no_network=True, remove_comments=True, remove_pis=True, huge_tree=False, encoding="utf-8"
            )
        except UnicodeEncodeError:  # a lone surrogate (a str page): read as given
            pass
    if isinstance(source_text, bytes):
        # The same answer as the text's lower case, without making it (1 ms for a 100 kB page): in UTF-8 an
        # ASCII letter is its own byte and no other character holds one; and no character but an ASCII one
        # lowers to a letter of these words (U+0130 İ lowers to i + U+0307, which no word has after an i).
        lowered = source_text.lower()
        may_hide = any(word.encode("ascii") in lowered for word in _HIDING_WORDS)
        del lowered
    else:
        lower = text.lower()
        may_hide = any(word in lower for word in _HIDING_WORDS)
        del lower
    try:
        root = etree.fromstring(source_text, parser=parser)
    except (etree.LxmlError, ValueError) as exc:
        return Document(source, (), (*found, Problem(source, f"not an HTML page: {exc}", code="READ_NOT_A_REPORT")))
    if root is None:
        return Document(source, (), (*found, Problem(source, "the page is empty", code="READ_NOT_A_REPORT")))
    walker = _Walker(source, limits, folder)
    walker.problems.extend(found)
    for entry in parser.error_log:
        if entry.type_name == "ERR_RESOURCE_LIMIT":
            place = Place(source, line=entry.line)
            walker.problems.append(
                Problem.at(
                    place,
                    f"the page is nested too deeply to read past this point ({entry.message.strip()})",
                    code="READ_LIMIT",
                )
            )
            break
    if may_hide:  # nothing on the page can hide anything otherwise
        _hide(root, source, walker.problems)
    walker.walk(root)
    walker.flush()
    walker.images.finish(sum(1 for b in walker.blocks if b.kind == "table" and b.grid is not None and b.grid.width > 1))
    if walker.too_deep is not None:
        place = Place(source, line=walker.too_deep)
        walker.problems.append(
            Problem.at(
                place,
                f"markup nested deeper than {limits.max_depth} levels is read as plain text "
                "(tables in it are not read)",
                code="READ_LIMIT",
                severity="warning",
            )
        )
    blocks = _with_title(walker.blocks, root, source, walker.problems)
    return Document(source, tuple(blocks), tuple(walker.problems), _head_meta(root, source))


def _read_core(data: bytes, options: ReadOptions) -> Imported:
    """The page parsed with the folder of its file (its pictures), then the one assembler."""
    doc = parse_html(data, source=options.name, limits=options.limits, folder=options.folder)
    return assembled_document(doc, options)


read_html: Reader = make_reader(
    _read_core,
    __name__,
    "html",
    "page",
    doc="""Read a report from a web page (a path, bytes or a binary stream).

    A page read from a path has its ``<img>`` inside its own folder read by OCR where they are (a
    table published as a picture), with the ``ocr`` extra; see docs/importing.md, "Scanned PDFs
    and pictures in pages".

    ``agency``, ``year`` and ``edition`` supply or override what the page's title and tables
    say; ``strict=True`` refuses misprinted labels instead of reading them with a warning;
    ``name`` is the name problems and provenance give the source (by default its path).

    >>> import gongkai_model as gk
    >>> seed = gk.examples.seed_report()
    >>> got = read_html(render_html(seed).encode())
    >>> got.ok, got.report.table3 == seed.table3, got.report.agency
    (True, True, '北京市西城区信访办公室')
    >>> str(got.provenance["table3.new_received.total"].place)
    '<html>, table 2, row 4, column 10'
    """,
)


# --- rendering -------------------------------------------------------------------------------

_STYLE = (
    "body{font-family:'SimSun','Songti SC',serif;max-width:60em;margin:2em auto;line-height:1.8}"
    "h1{text-align:center;font-size:1.5em}h2{font-size:1.15em}"
    "table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #000;padding:.2em .4em}"
    "th{font-weight:normal}td{text-align:center}"
)


def _escape(text: str) -> str:
    """``text`` for an HTML text node or attribute: markup escaped, a carriage return kept as ``&#13;``.

    NUL is dropped: an HTML page cannot carry it.
    """
    return html.escape(text.replace("\x00", ""), quote=True).replace("\r", "&#13;")


def printed_text(text: str | None) -> str | None:
    """A section text as a page prints it and :func:`read_html` reads it back.

    The text is printed one paragraph per line (lines split at ``\\n``); each line is stripped of
    surrounding white space (``str.strip``), empty lines are not printed, NUL characters are dropped
    and an empty result is ``None``. White space inside a line is kept as is.

    >>> printed_text("  第一段 \\n\\n  第二段\\t")
    '第一段\\n第二段'
    >>> printed_text(" \\n ") is None
    True
    """
    if text is None:
        return None
    lines = [line.strip() for line in text.replace("\x00", "").split("\n")]
    return "\n".join(line for line in lines if line) or None


def plan_rows_html(
    plan: SheetPlan,
    label_cell: Callable[[Label, str], str],
    value_cell: Callable[[ValueCell, str], str],
    empty: str = "<td></td>",
) -> list[str]:
    """The ``<tr>`` lines of a sheet plan below its title: every label and value cell once, where its box starts.

    The one plan-to-HTML renderer (the page of :func:`render_html`, the notebook tables of
    :mod:`gongkai_model.display`): ``label_cell(label, spans)`` and ``value_cell(value, spans)``
    give a cell's markup, ``spans`` being its ``rowspan``/``colspan`` attributes (``""`` for a
    single cell); a cell of the grid that no box covers is ``empty``.

    >>> from gongkai_model.presentation import plans
    >>> from gongkai_model.model.layout import Shape
    >>> plan = plans(Shape.all()[0])[0]
    >>> rows = plan_rows_html(plan, lambda lab, spans: f"<th{spans}>{lab.text}</th>", lambda v, spans: "<td>?</td>")
    >>> rows[0]
    '<tr><th colspan="4">第二十条第（一）项</th></tr>'
    """
    starts: dict[tuple[int, int], str] = {}
    covered: set[tuple[int, int]] = set()

    def place(row: int, col: int, last_row: int, last_col: int, make: Callable[[str], str]) -> None:
        spans = f' rowspan="{last_row - row + 1}"' if last_row > row else ""
        spans += f' colspan="{last_col - col + 1}"' if last_col > col else ""
        starts[(row, col)] = make(spans)
        covered.update((y, x) for y in range(row, last_row + 1) for x in range(col, last_col + 1))

    for label in plan.labels:
        if label.kind != "title":
            place(label.row, label.col, label.last_row, label.last_col, functools.partial(label_cell, label))
    for value in plan.values:
        place(value.row, value.col, value.row, value.last_col, functools.partial(value_cell, value))
    if not covered:
        return []
    out = []
    for y in range(min(y for y, _ in covered), max(y for y, _ in covered) + 1):
        cells = [
            starts.get((y, x), empty) for x in range(1, plan.width + 1) if (y, x) in starts or (y, x) not in covered
        ]
        out.append("<tr>" + "".join(cells) + "</tr>")
    return out


def _table_html(plan: SheetPlan, report: AnnualReport, out: list[str]) -> None:
    """One statutory table, its merged labels as ``rowspan``/``colspan`` (the plan's title row is the heading)."""

    def label_cell(label: Label, spans: str) -> str:
        scope = ' scope="row"' if label.kind == "row" else ""
        return f"<th{scope}{spans}>{_escape(label.text)}</th>"

    def value_cell(value: ValueCell, spans: str) -> str:
        return f"<td{spans}>{_escape(figure_text(get_path(report, value.cell.path)))}</td>"

    out.append(f'<table class="{sheet_name(plan.table)}">')
    out.extend(plan_rows_html(plan, label_cell, value_cell))
    out.append("</table>")


#: The attribute :func:`render_html` marks a prose line with when it would read as a section heading:
#: :func:`parse_html` reads a paragraph so marked as prose, never as a heading.
PROSE_ATTRIBUTE = "data-gongkai-prose"


def _prose_html(line: str) -> str:
    """One line of a section's text as a paragraph (marked as prose when it would read as a heading)."""
    mark = f' {PROSE_ATTRIBUTE}=""' if could_head(line) else ""
    return f"<p{mark}>{_escape(line)}</p>"


def render_html(report: AnnualReport) -> str:
    """The report as a publishable web page (UTF-8): the title, the six numbered sections, the three tables.

    The page is ``<!DOCTYPE html>`` with ``<meta charset="utf-8">``; the title
    (``{agency}{year}年政府信息公开工作年度报告``) is both the ``<title>`` and the ``<h1>``; each
    section has its statutory numbered heading as an ``<h2>``; 一、五、六 print their texts
    (``overview.text``, ``problems``, ``other_matters.text``) one ``<p>`` per line (see
    :func:`printed_text`: nothing is printed for ``None``; a line worded like a section heading is
    marked :data:`PROSE_ATTRIBUTE`, so it reads back as prose); 二、三、四 print the statutory tables laid
    out by the model (merged labels as real ``rowspan``/``colspan``, labels in ``<th>``, figures in
    ``<td>``, a blank figure as an empty cell, never ``0``). Every string is HTML-escaped.

    What the statutory page has no place for is not printed: the metadata besides agency and year
    (region, level, dates, source URL), the overview's sub-topics and the 信息处理费 figures of
    ``other_matters``. :func:`read_html` reads the page back to the same report otherwise.

    >>> import gongkai_model as gk
    >>> page = render_html(gk.examples.seed_report())
    >>> page.startswith("<!DOCTYPE html>"), "<h2>三、收到和处理政府信息公开申请情况</h2>" in page
    (True, True)
    """
    title = _escape(report.title)
    out = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{title}</title>",
        f"<style>{_STYLE}</style>",
        "</head>",
        "<body>",
        f"<h1>{title}</h1>",
    ]
    texts = section_texts(report)
    tables = iter(plans(shape_of(report)))
    for heading, attribute, _ in section_headings():
        out.append(f"<h2>{_escape(heading)}</h2>")
        if attribute in texts:
            body = printed_text(texts[attribute])
            out.extend(_prose_html(line) for line in (body.split("\n") if body else ()))
        else:
            _table_html(next(tables), report, out)
    out.extend(["</body>", "</html>", ""])
    return "\n".join(out)
