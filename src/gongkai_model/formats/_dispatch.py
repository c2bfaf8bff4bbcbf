"""``read(path)`` picks the reader from the file's content and suffix; ``check(path)`` reads, then validates."""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..checks import validate
from ..errors import GongkaiError, Problem, ReadError
from ..limits import DEFAULT_LIMITS, Limits, Source, read_source, source_name
from ._result import CheckedReport, Imported

__all__ = ["FORMATS", "check", "detect_format", "read"]

#: Format name → (module, reader function), imported when first used.
FORMATS: dict[str, tuple[str, str]] = {
    "html": ("gongkai_model.formats.html", "read_html"),
    "docx": ("gongkai_model.formats.docx", "read_docx"),
    "pdf": ("gongkai_model.formats.pdf", "read_pdf"),
    "text": ("gongkai_model.formats.text", "read_text"),
    "markdown": ("gongkai_model.formats.markdown", "read_markdown"),
    "json": ("gongkai_model.formats._jsonread", "read_json"),
    "xlsx": ("gongkai_model.formats._xlsxread", "read_xlsx"),
}

_SUFFIX = {
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".shtml": "html",
    ".json": "json",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".docx": "docx",
    ".pdf": "pdf",
    ".doc": "doc",
}


def detect_format(data: bytes, name: str = "") -> str:
    """The format of ``data``: from its first bytes where they are telling, else from the suffix of ``name``.

    >>> detect_format(b"%PDF-1.7 ..."), detect_format(b"<!DOCTYPE html><html>"), detect_format(b"{}", "a.json")
    ('pdf', 'html', 'json')
    """
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    suffix = _SUFFIX.get(Path(name).suffix.lower(), "")
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        if b"word/" in data[:65536]:
            return "docx"
        if b"xl/" in data[:65536]:
            return "xlsx"
        return suffix if suffix in ("docx", "xlsx") else "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "doc"
    lowered = head[:512].lower()
    if suffix:
        return suffix
    if lowered.startswith((b"<!doctype html", b"<html", b"<table", b"<p", b"<div", b"<meta", b"<?xml")):
        return "html"
    if head.startswith((b"{", b"[")):
        return "json"
    if b"\n|" in data[:8192] or head.startswith(b"|"):
        return "markdown"
    return "text"


def _reader(fmt: str) -> Callable[..., Imported]:
    if fmt not in FORMATS:
        raise ReadError("no reader for this format", [Problem(fmt, f"format {fmt!r} cannot be read")])
    module, name = FORMATS[fmt]
    try:
        mod = importlib.import_module(module)
    except ImportError as exc:
        raise ReadError(
            "a reader's optional dependency is missing",
            [Problem(fmt, f"{exc}; install it with: pip install 'gongkai-model[{fmt}]'")],
        ) from None
    reader: Callable[..., Imported] = getattr(mod, name)
    return reader


def _doc_to_docx(data: bytes, name: str) -> bytes:
    """Convert a legacy ``.doc`` with LibreOffice (when installed) to ``.docx``."""
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None:
        raise ReadError(
            "cannot read a .doc file",
            [
                Problem(
                    name, "legacy Word files are converted with LibreOffice, which is not installed; save it as .docx"
                )
            ],
        )
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.doc"
        src.write_bytes(data)
        try:
            subprocess.run(
                [office, "--headless", "--convert-to", "docx", "--outdir", tmp, str(src)],
                check=True,
                capture_output=True,
                timeout=120,
                env={**os.environ, "HOME": tmp},
            )
        except (subprocess.SubprocessError, OSError) as exc:
            raise ReadError("cannot convert the .doc file", [Problem(name, f"LibreOffice failed: {exc}")]) from None
        out = Path(tmp) / "in.docx"
        if not out.is_file():
            raise ReadError("cannot convert the .doc file", [Problem(name, "LibreOffice produced no .docx")])
        return out.read_bytes()


def read(
    source: Source,
    *,
    format: str | None = None,
    agency: str | None = None,
    year: int | None = None,
    edition: str | None = None,
    strict: bool = False,
    limits: Limits | None = None,
) -> Imported:
    """Read a report from any published form: web page, text copy, Markdown, Word, PDF, workbook or JSON.

    The reader is chosen from the file's first bytes and its suffix (or ``format=``). A legacy
    ``.doc`` is converted with LibreOffice when it is installed. A file that cannot be read at all
    raises :class:`~gongkai_model.ReadError`; everything else is in the result's ``problems``.

    >>> import gongkai_model as gk
    >>> page = gk.formats.render_html(gk.examples.seed_report()).encode()
    >>> got = gk.read(page)
    >>> got.ok, got.report.table3 == gk.examples.seed_report().table3
    (True, True)
    """
    limits = limits or DEFAULT_LIMITS
    name = source_name(source, "<document>")
    data = read_source(source, limits, name, ReadError, "document")
    fmt = format or detect_format(data, name)
    if fmt == "doc":
        data, fmt = _doc_to_docx(data, name), "docx"
    reader = _reader(fmt)
    kwargs: dict[str, Any] = {"agency": agency, "year": year, "edition": edition, "strict": strict}
    if fmt == "json":
        kwargs = {}
    return reader(data, name=name, limits=limits, **kwargs)


def check(source: Source, **options: Any) -> CheckedReport:
    """Read a report (as :func:`read`), then validate it: one verdict for the reading and the checks.

    Its ``ok`` is false when a figure could not be read, even if the figures read are consistent.
    What the reader saw is passed on to the checks: the cells that were formulas in a template
    (treated as derived totals by the repair search) and the section headings as printed.
    A file that cannot be read at all gives a result with no report and the reason as a problem.
    """
    checks_options = {k: options.pop(k) for k in ("blanks_as_zero",) if k in options}
    try:
        imported = read(source, **options)
    except GongkaiError as exc:
        name = source_name(source, "<document>")
        problems = exc.problems or (Problem(name, str(exc)),)
        imported = Imported(None, tuple(_as_read(p, name) for p in problems), {}, name)
    validation = None
    if imported.report is not None:
        derived = [path for path, prov in imported.provenance.items() if prov.formula]
        headings: dict[str, str | None] | None = None
        if imported.headings:  # a document with prose: a section whose heading was not found is missing
            headings = {name: imported.headings.get(name) for name in _section_names()}
        validation = validate(imported.report, derived=derived, headings=headings, **checks_options)
    return CheckedReport(imported, validation)


def _section_names() -> list[str]:
    from ..model._spec import Kind, field_specs
    from ..model.report import AnnualReport

    return [i.name for i in field_specs(AnnualReport) if i.spec.kind is Kind.SECTION]


def _as_read(problem: Problem, name: str) -> Problem:
    if problem.code is not None:
        return problem
    return Problem(problem.location or name, problem.message, problem.label, code="READ_FAILED", place=problem.place)
