"""Word documents: reports published as ``.docx``, read by label and written in the official layout.

Reading: the package is unpacked by the shared zip check (:func:`gongkai_model._zipsafe.unpack`:
members, bytes actually inflated and compression ratio within :class:`~gongkai_model.limits.Limits`,
stored and deflate members only); every XML part must be UTF-8, declare no document type or
entities (so nothing is expanded) and hold at most ``Limits.max_xml_tags`` tags. python-docx then
opens a package rebuilt from those checked members, never the original archive. The body is then
walked once in order: each
``w:p`` is a paragraph (a heading too: the core finds headings by their words, not by their style)
and each ``w:tbl`` a table in its place between them. A cell's horizontal merge (``w:gridSpan``,
or the legacy ``w:hMerge``) and vertical merge (``w:vMerge`` restart/continue) become a
:class:`~gongkai_model.formats.Span` with ``colspan``/``rowspan``, so the shared
:class:`~gongkai_model.formats.Grid` expands them as it does HTML's. A cell's paragraphs are its
lines; the runs of a paragraph are joined, so a figure split across runs reads whole; a table
nested in a cell is flattened into the cell's text, one line per nested cell.

Places: a paragraph is ``Place(source, line=n)`` (the n-th paragraph of the body, from 1), a cell
``Place(source, table=k, row=r, column=c)`` (the k-th table, grid row and column from 1).

Writing (:func:`write_docx`): the title, the six numbered headings, the section texts one
paragraph per line, and the three tables with their statutory labels and real merged cells,
all derived from the model's layout (:func:`gongkai_model.presentation.plans`).

python-docx is an optional dependency: ``pip install 'gongkai-model[docx]'``.
"""

from __future__ import annotations

import codecs
import datetime as dt
import io
import os
import re
from collections.abc import Iterator
from typing import IO, Any

from .._optional import import_optional
from .._zipsafe import pack, unpack
from ..errors import GongkaiError, ModelError, Place, Problem, ReadError
from ..limits import DEFAULT_LIMITS, Limits
from ..model.layout import layout, shape_of, values
from ..model.report import AnnualReport, OtherMatters, Overview
from ..model.spec import Kind, Value, field_specs
from ..presentation import SheetPlan, figure_text, plans, section_headings, section_texts
from ._document import Block, CellBudget, Document, Grid, MetaText, Span
from ._reader import Reader, assembled, make_reader

__all__ = ["parse_docx", "read_docx", "write_docx"]

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_CT = "http://schemas.openxmlformats.org/package/2006/content-types"


def _w(tag: str) -> str:
    return f"{{{_W}}}{tag}"


_P, _TBL, _TR, _TC, _T = _w("p"), _w("tbl"), _w("tr"), _w("tc"), _w("t")
_TCPR, _TRPR = _w("tcPr"), _w("trPr")
_VAL = _w("val")
#: Containers whose block content is read in place (content controls, custom XML, tracked moves).
_TRANSPARENT = frozenset({_w("sdt"), _w("sdtContent"), _w("customXml"), _w("smartTag"), _w("ins"), _w("moveTo")})
#: Inside a paragraph: what is not its printed text (drawings and text boxes, field codes, deletions).
_SKIP_IN_P = frozenset(
    {
        _w("drawing"),
        _w("pict"),
        _w("object"),
        _w("txbxContent"),
        _w("instrText"),
        _w("delText"),
        _w("del"),
        _w("moveFrom"),
        _w("pPr"),
        _w("rPr"),
        f"{{{_MC}}}AlternateContent",
    }
)
_ENCODING = re.compile(rb"""\A\s*<\?xml[^>]*?\bencoding\s*=\s*["']([^"']*)["']""")
_UTF8 = frozenset({b"utf-8", b"utf8", b"us-ascii", b"ascii"})
#: What XML 1.0 cannot carry (control characters, U+FFFE/U+FFFF, lone surrogates).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _python_docx(error: type[GongkaiError]) -> Any:
    return import_optional(
        "docx", "docx", package="python-docx", purpose="reading and writing Word documents", error=error
    )


# ---------------------------------------------------------------------------------------- safety


def _refuse(name: str, message: str, problem: str, code: str, member: str | None = None) -> ReadError:
    where = f"{name}!{member}" if member else name
    return ReadError(message, [Problem(where, problem, code=code, place=Place(name))])


def _xml_problem(blob: bytes) -> str | None:
    """Why an XML part is refused, or ``None``: only UTF-8 without a document type or entity declarations."""
    body = blob[3:] if blob.startswith(codecs.BOM_UTF8) else blob
    if body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in body[:4]:
        return "is not UTF-8 XML (Word writes UTF-8)"
    m = _ENCODING.match(body)
    if m is not None and m.group(1).strip().lower() not in _UTF8:
        return f"declares the encoding {m.group(1).decode('ascii', 'replace')!r}; only UTF-8 is read"
    if b"<!DOCTYPE" in body or b"<!ENTITY" in body:
        return "declares a document type or entities, which are refused (no entity is expanded)"
    return None


def _content_types(blob: bytes, name: str) -> tuple[dict[str, str], dict[str, str]]:
    """(extension → content type, part name → content type) from ``[Content_Types].xml`` (already checked)."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(blob, parser)
    except etree.XMLSyntaxError as exc:
        raise _refuse(name, "damaged Word document", f"[Content_Types].xml: {exc}", "READ_DAMAGED") from None
    defaults = {
        (el.get("Extension") or "").lower(): el.get("ContentType") or "" for el in root.iter(f"{{{_CT}}}Default")
    }
    overrides = {
        (el.get("PartName") or "").lstrip("/"): el.get("ContentType") or "" for el in root.iter(f"{{{_CT}}}Override")
    }
    return defaults, overrides


def _check_package(data: bytes, limits: Limits, name: str) -> dict[str, bytes]:
    """The members of the package, inflated within ``limits`` and checked before any XML is parsed.

    The shared zip check (:func:`gongkai_model._zipsafe.unpack`) bounds the bytes actually
    inflated; then every XML part must be UTF-8 and declare no document type or entities.
    Raises :class:`~gongkai_model.errors.ReadError` naming the file (and the member at fault).
    """
    members = unpack(data, limits, name, "Word document")
    if "[Content_Types].xml" not in members:
        raise _refuse(name, "not a Word document", "the package has no [Content_Types].xml", "READ_NOT_A_REPORT")
    blob = members["[Content_Types].xml"]
    problem = _xml_problem(blob)
    if problem is not None:
        raise _refuse(name, "Word document refused", problem, "READ_REFUSED", "[Content_Types].xml")
    defaults, overrides = _content_types(blob, name)
    for member, blob in members.items():
        kind = overrides.get(member) or defaults.get(member.rsplit(".", 1)[-1].lower(), "")
        xml = member.lower().endswith((".xml", ".rels")) or ("xml" in kind and not kind.startswith("image/"))
        if xml:
            problem = _xml_problem(blob)
            if problem is not None:
                raise _refuse(name, "Word document refused", problem, "READ_REFUSED", member)
            tags = blob.count(b"<")
            if tags > limits.max_xml_tags:  # python-docx builds a tree of every XML part it knows
                raise _refuse(
                    name,
                    "Word document refused",
                    f"{tags} tags in one XML part; the limit is {limits.max_xml_tags} (Limits.max_xml_tags)",
                    "READ_LIMIT",
                    member,
                )
    return members


# --------------------------------------------------------------------------------------- reading


def _int(value: str | None, cap: int) -> int:
    if not value:
        return 1
    m = re.match(r"\s*(\d{1,7})", value)
    return max(1, min(int(m.group(1)), cap)) if m else 1


def _paragraph_text(p: Any) -> str:
    """The printed text of a paragraph: runs joined, tabs and breaks kept, deletions and drawings left out."""
    parts: list[str] = []

    def walk(el: Any) -> None:
        for child in el:
            tag = child.tag
            if not isinstance(tag, str) or tag in _SKIP_IN_P:
                continue
            if tag == _T:
                parts.append(child.text or "")
            elif tag == _w("tab") or tag == _w("ptab"):
                parts.append("\t")
            elif tag in (_w("br"), _w("cr")):
                parts.append("\n")
            elif tag == _w("noBreakHyphen"):
                parts.append("-")
            else:
                walk(child)

    walk(p)
    return "".join(parts)


def _blocks(el: Any, depth: int, max_depth: int) -> Iterator[Any]:
    """The ``w:p`` and ``w:tbl`` of a container in order, looking through content controls."""
    for child in el:
        tag = child.tag
        if tag in (_P, _TBL):
            yield child
        elif tag in _TRANSPARENT and depth < max_depth:
            yield from _blocks(child, depth + 1, max_depth)


def _cell_text(tc: Any, depth: int, limits: Limits) -> str:
    """A cell's text: its paragraphs as lines (blank ones dropped), nested tables one line per cell."""
    lines: list[str] = []
    for block in _blocks(tc, depth, limits.max_depth):
        if block.tag == _P:
            lines.extend(_paragraph_text(block).replace("\r", "").split("\n"))
        elif depth < limits.max_depth:
            for tr in _rows_of(block):
                for inner in _cells_of(tr):
                    lines.append(_cell_text(inner, depth + 1, limits))
    stripped = (line.strip() for line in "\n".join(lines).split("\n"))
    return "\n".join(line for line in stripped if line)


def _rows_of(tbl: Any) -> Iterator[Any]:
    yield from _blocks_of(tbl, _TR)


def _cells_of(tr: Any) -> Iterator[Any]:
    yield from _blocks_of(tr, _TC)


def _blocks_of(el: Any, tag: str, depth: int = 0) -> Iterator[Any]:
    for child in el:
        if child.tag == tag:
            yield child
        elif child.tag in _TRANSPARENT and depth < 8:
            yield from _blocks_of(child, tag, depth + 1)


def _prop(el: Any, container: str, name: str) -> Any:
    props = el.find(container)
    return None if props is None else props.find(_w(name))


class _Cell:
    __slots__ = ("colspan", "rowspan", "start", "text", "vmerge")

    def __init__(self, text: str, start: int, colspan: int, vmerge: str | None) -> None:
        self.text = text
        self.start = start
        self.colspan = colspan
        self.rowspan = 1
        self.vmerge = vmerge


def _table_spans(tbl: Any, limits: Limits) -> list[list[Span]]:
    """The table's rows as spans: horizontal merges as ``colspan``, vertical merges as ``rowspan``."""
    cap = limits.max_columns + 1  # a span wider than the limit reaches Grid.build, which clips it and says so
    rows: list[list[_Cell]] = []
    for tr in _rows_of(tbl):
        if len(rows) > limits.max_rows:  # Grid.build clips the rest and says so
            break
        row: list[_Cell] = []
        x = 0
        before = _prop(tr, _TRPR, "gridBefore")
        if before is not None:
            skip = _int(before.get(_VAL), cap)
            row.append(_Cell("", 0, skip, None))
            x = skip
        for tc in _cells_of(tr):
            span = _prop(tc, _TCPR, "gridSpan")
            colspan = _int(span.get(_VAL), cap) if span is not None else 1
            hmerge = _prop(tc, _TCPR, "hMerge")
            vm = _prop(tc, _TCPR, "vMerge")
            vmerge = None if vm is None else ("restart" if vm.get(_VAL) == "restart" else "continue")
            text = _cell_text(tc, 1, limits)
            if hmerge is not None and hmerge.get(_VAL) != "restart" and row and row[-1].start + row[-1].colspan == x:
                row[-1].colspan += colspan  # legacy horizontal merge: this cell continues the one before
                if text:
                    row[-1].text = f"{row[-1].text}\n{text}" if row[-1].text else text
            else:
                row.append(_Cell(text, x, colspan, vmerge))
            x += colspan
            if x > cap:
                break
        rows.append(row)
    # vertical merges: a "continue" cell joins the cell above it that starts at the same grid column
    out: list[list[Span]] = []
    above: dict[int, _Cell] = {}
    kept: list[list[_Cell]] = []
    for row in rows:
        mine: list[_Cell] = []
        here: dict[int, _Cell] = {}
        for cell in row:
            owner = above.get(cell.start)
            if cell.vmerge == "continue" and owner is not None:
                owner.rowspan += 1
                here[cell.start] = owner
                if cell.text:
                    owner.text = f"{owner.text}\n{cell.text}" if owner.text else cell.text
                continue
            mine.append(cell)
            here[cell.start] = cell
        above = here
        kept.append(mine)
    for mine in kept:
        out.append([Span(c.text, c.rowspan, c.colspan) for c in mine])
    return out


def parse_docx(data: bytes, *, source: str = "<docx>", limits: Limits = DEFAULT_LIMITS) -> Document:
    """The :class:`~gongkai_model.formats.Document` of a Word file: paragraphs and tables in body order.

    A package that cannot be opened safely (not a zip, too large when unpacked, damaged, XML with
    a document type or entities, not a Word document) raises
    :class:`~gongkai_model.errors.ReadError` with the file and member named.
    """
    docx = _python_docx(ReadError)
    try:
        return _parse(docx, data, source, limits)
    except (MemoryError, RecursionError) as exc:  # never a foreign exception, and never a mere damaged file
        raise _refuse(source, "Word document refused", f"{type(exc).__name__} while reading it", "READ_LIMIT") from None


def _parse(docx: Any, data: bytes, source: str, limits: Limits) -> Document:
    members = _check_package(data, limits, source)
    try:
        # python-docx opens a zip of its own: it gets the checked members, stored, never the original
        document = docx.Document(io.BytesIO(pack(members)))
        del members
        body = document.element.body
    except ReadError:
        raise
    except (MemoryError, RecursionError):
        raise
    except Exception as exc:  # python-docx, zipfile and lxml raise many kinds for a package that is not Word's
        message = f"{type(exc).__name__}: {exc}"
        if "Resource limit exceeded" in message or "Memory allocation failed" in message:  # lxml's own bounds
            raise _refuse(source, "Word document refused", message, "READ_LIMIT") from None
        raise _refuse(source, "not a Word document", message, "READ_NOT_A_REPORT") from None
    blocks: list[Block] = []
    problems: list[Problem] = []
    paragraphs = 0
    tables = 0
    budget = CellBudget(limits.max_cells)  # the cells all the document's tables may expand to
    chars = 0  # characters kept, bounded by limits.max_chars
    for el in _blocks(body, 0, limits.max_depth):
        if el.tag == _P:
            paragraphs += 1
            place = Place(source, line=paragraphs)
            text = _paragraph_text(el).replace("\r", "").strip()
            block = Block("paragraph", text, place) if text else None
        else:
            tables += 1
            place = Place(source, table=tables)
            grid = Grid.build(_table_spans(el, limits), place, limits, problems, budget)
            text = "\n".join("\t".join(c.text for c in row if c) for row in grid.rows)
            block = Block("table", text, place, grid)
        chars += len(text)
        if chars > limits.max_chars:
            problems.append(
                Problem.at(
                    place,
                    f"the document holds more than {limits.max_chars} characters (Limits.max_chars); "
                    "this block and the rest are not read",
                    code="READ_LIMIT",
                )
            )
            break
        if block is not None:
            blocks.append(block)
    if not blocks:
        problems.append(Problem(source, "the document is empty", code="READ_NOT_A_REPORT", place=Place(source)))
    return Document(source, tuple(blocks), tuple(problems), _core_title(document, source))


#: Characters of the core properties' title kept (a title is a line or two).
_MAX_CORE_CHARS = 400


def _core_title(document: Any, source: str) -> tuple[MetaText, ...]:
    """The title of ``docProps/core.xml`` (already checked by the zip check: no DTD, no entities), bounded."""
    try:
        title = document.core_properties.title
    except Exception:  # a damaged or missing core part is no reason to refuse the body: no title from it
        return ()
    if not isinstance(title, str):
        return ()
    text = " ".join(title[:_MAX_CORE_CHARS].split())
    return (MetaText("title", text, Place(source, cell="docProps/core.xml title")),) if text else ()


read_docx: Reader = make_reader(
    assembled(parse_docx),
    __name__,
    "docx",
    "Word document",
    doc="""Read a report from a Word document (a path, bytes or a binary stream).

    ``agency``, ``year`` and ``edition`` supply or override what the document's title and tables
    say; ``strict=True`` refuses misprinted labels instead of reading them with a warning;
    ``name`` is the name problems and provenance give the source (by default its path). A file
    that cannot be opened at all raises :class:`~gongkai_model.errors.ReadError`; everything else
    is a located problem in the result.

    >>> import io
    >>> import gongkai_model as gk
    >>> from gongkai_model.formats.docx import read_docx, write_docx
    >>> out = io.BytesIO()
    >>> write_docx(gk.examples.seed_report(), out)
    >>> got = read_docx(out.getvalue())
    >>> seed = gk.examples.seed_report()
    >>> got.ok, got.report.table3 == seed.table3, got.report.agency, got.report.year
    (True, True, '北京市西城区信访办公室', 2023)
    >>> str(got.provenance["table3.new_received.total"].place)
    '<docx>, table 2, row 4, column 10'
    """,
)


# --------------------------------------------------------------------------------------- writing


def _text_fields(report: AnnualReport) -> list[tuple[str, str, Any]]:
    """(path, label, value) of the texts a published report prints: the agency and the sections' texts."""
    out: list[tuple[str, str, Any]] = []
    for info in field_specs(AnnualReport):
        value = getattr(report, info.name)
        if info.name == "agency" or (info.spec.kind is Kind.SECTION and info.spec.value is Value.TEXT):
            out.append((info.name, info.spec.label, value))
        elif isinstance(value, Overview | OtherMatters):
            sub = field_specs(type(value))[0]  # the section's own text (the first field)
            out.append((f"{info.name}.{sub.name}", sub.spec.label, getattr(value, sub.name)))
    return out


def _check_texts(report: AnnualReport) -> None:
    """Refuse, all at once, printed texts that XML 1.0 cannot carry (never drop or replace a character)."""
    problems = []
    for path, label, text in _text_fields(report):
        if not isinstance(text, str):
            continue
        bad = _NOT_XML.search(text)
        if bad:
            problems.append(
                Problem(
                    path,
                    f"holds the character U+{ord(bad.group()):04X}, which a Word document (XML 1.0) cannot store",
                    label,
                )
            )
    if problems:
        raise ModelError("a text cannot be written to a Word document", problems)


def _printed(value: Any) -> str:
    """A value as the cell prints it: blank for ``None``, exact decimals (never an exponent)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    return figure_text(value)


def _table(doc: Any, plan: SheetPlan, cell_values: dict[str, Any]) -> None:
    """One table from its plan: the title row is the heading above it; labels and values with real merges.

    Every merged box of the plan is one cell as Word stores it: ``w:gridSpan`` across its columns,
    ``w:vMerge`` restart on its first row and continue below.
    """
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from lxml import etree

    boxes: dict[tuple[int, int], tuple[int, int, str, bool, bool]] = {}
    for lb in plan.labels:
        if lb.kind != "title":
            boxes[lb.row, lb.col] = (lb.last_row, lb.last_col, lb.text, lb.kind != "row", lb.kind != "row")
    for v in plan.values:
        boxes[v.row, v.col] = (v.row, v.last_col, _printed(cell_values[v.cell.path]), False, True)
    cover: dict[tuple[int, int], tuple[int, int]] = {}
    for (row, col), (last_row, last_col, *_) in boxes.items():
        for y in range(row, last_row + 1):
            for x in range(col, last_col + 1):
                cover[y, x] = (row, col)
    top = min(row for row, _ in boxes)
    bottom = max(box[0] for box in boxes.values())
    table = doc.add_table(rows=0, cols=plan.width)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER

    def sub(parent: Any, tag: str, **attributes: str) -> Any:
        return etree.SubElement(parent, _w(tag), {_w(k): v for k, v in attributes.items()})

    for y in range(top, bottom + 1):
        tr = sub(table._tbl, "tr")
        x = 1
        while x <= plan.width:
            tc = sub(tr, "tc")
            props = sub(tc, "tcPr")
            p = sub(tc, "p")
            at = cover.get((y, x))
            if at is None:
                x += 1
                continue
            last_row, last_col, text, bold, center = boxes[at]
            if last_col > at[1]:
                sub(props, "gridSpan", val=str(last_col - at[1] + 1))
            if last_row > at[0]:
                sub(props, "vMerge", val="restart") if y == at[0] else sub(props, "vMerge")
            sub(props, "vAlign", val="center")
            if center:
                sub(sub(p, "pPr"), "jc", val="center")
            if text and y == at[0]:
                r = sub(p, "r")
                if bold:
                    sub(sub(r, "rPr"), "b")
                t = sub(r, "t")
                t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
                t.text = text
            x = last_col + 1


def write_docx(report: AnnualReport, target: str | os.PathLike[str] | IO[bytes]) -> None:
    """Write ``report`` as the Word document an agency publishes.

    The title (``{agency}{year}年政府信息公开工作年度报告``), the six numbered headings, each
    section's text one paragraph per line, and 表二, 表三 and 表四 under their headings with the
    statutory labels and merged cells (vertical group labels, header spans) of the official layout.
    Blank cells stay blank, zeros are printed. Texts that XML 1.0 cannot carry are refused with a
    :class:`~gongkai_model.errors.ModelError` naming each field; :func:`read_docx` reads the
    document back to the same report.

    >>> import io
    >>> import gongkai_model as gk
    >>> from gongkai_model.formats.docx import write_docx
    >>> import attrs
    >>> try:
    ...     write_docx(attrs.evolve(gk.examples.seed_report(), problems="a\\x0bb"), io.BytesIO())
    ... except gk.errors.ModelError as exc:
    ...     print(exc.problems[0])
    problems (存在的主要问题及改进情况): holds the character U+000B, which a Word document (XML 1.0) cannot store
    """
    docx = _python_docx(GongkaiError)
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    _check_texts(report)
    shape = shape_of(report)
    cell_values = dict(zip((c.path for c in layout(shape)), values(report), strict=True))
    tables = {plan.table: plan for plan in plans(shape)}
    texts = section_texts(report)
    doc = docx.Document()
    title = doc.add_paragraph(style="Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.add_run(report.title)
    numbered = dict(zip(("table2", "table3", "table4"), tables.values(), strict=True))
    for heading, attribute, _ in section_headings():
        doc.add_heading(heading, level=1)
        if attribute in numbered:
            _table(doc, numbered[attribute], cell_values)
            continue
        text = texts.get(attribute)
        for line in (text or "").split("\n"):
            if line.strip():
                doc.add_paragraph(line)
    try:
        doc.save(os.fspath(target) if isinstance(target, str | os.PathLike) else target)
    except OSError as exc:
        where = os.fspath(target) if isinstance(target, str | os.PathLike) else "<stream>"
        raise GongkaiError("cannot write the Word document", [Problem(where, str(exc))]) from None
