"""Reading published reports (and writing them back): one reading core for every form.

Every reader turns its format into a :class:`Document` (paragraphs and tables as grids of printed
cells, each with its :class:`~gongkai_model.errors.Place`); the shared core then finds the tables
by their labels (:mod:`._locate`), reads every figure with one parser (:func:`parse_value`) and
builds the report through the model's own validation. Every reader returns an :class:`Imported`:
the report (or ``None``), every problem with its place, and the provenance of every figure.
:func:`write` writes a report in any of the forms read back (JSON, workbook, web page, Markdown,
text, Word), by the path's suffix. See ``docs/importing.md``.
"""

from __future__ import annotations

from ._assemble import assemble, find_heading, find_title
from ._dispatch import FORMATS, SUFFIXES, WRITE_SUFFIXES, WRITERS, detect_format, read, write
from ._document import Block, Document, Grid, GridCell, MetaText, Recognition, Span
from ._locate import Located, locate
from ._reader import Reader, ReadOptions, assembled, make_reader
from ._result import Coverage, Imported, Placement, Provenance, Verification
from ._values import BLANK_MARKS, ParsedValue, parse_value
from .html import parse_html, printed_text, read_html, render_html
from .markdown import parse_markdown, read_markdown, render_markdown
from .text import decode_text, parse_text, read_text, render_text


def __getattr__(name: str) -> object:
    """Readers and writers with optional dependencies, imported when first used."""
    lazy = {
        "read_docx": "docx",
        "parse_docx": "docx",
        "write_docx": "docx",
        "read_pdf": "pdf",
        "parse_pdf": "pdf",
        "read_xlsx": "xlsx",
        "parse_xlsx": "xlsx",
        "read_image": "image",
        "parse_image": "image",
    }
    if name in lazy:
        import importlib

        return getattr(importlib.import_module(f"{__name__}.{lazy[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "BLANK_MARKS",
    "FORMATS",
    "SUFFIXES",
    "WRITERS",
    "WRITE_SUFFIXES",
    "Block",
    "Coverage",
    "Document",
    "Grid",
    "GridCell",
    "Imported",
    "Located",
    "MetaText",
    "ParsedValue",
    "Placement",
    "Provenance",
    "ReadOptions",
    "Reader",
    "Recognition",
    "Span",
    "Verification",
    "assemble",
    "assembled",
    "decode_text",
    "detect_format",
    "find_heading",
    "find_title",
    "locate",
    "make_reader",
    "parse_docx",
    "parse_html",
    "parse_image",
    "parse_markdown",
    "parse_pdf",
    "parse_text",
    "parse_value",
    "parse_xlsx",
    "printed_text",
    "read",
    "read_docx",
    "read_html",
    "read_image",
    "read_markdown",
    "read_pdf",
    "read_text",
    "read_xlsx",
    "render_html",
    "render_markdown",
    "render_text",
    "write",
    "write_docx",
]
