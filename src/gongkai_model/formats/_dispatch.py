"""``read(path)`` picks the reader from a file's content and suffix, ``write(report, path)`` the writer from its suffix.

The two registries sit side by side: :data:`FORMATS` (format → reader) with :data:`SUFFIXES`, and
:data:`WRITERS` (format → writer) with :data:`WRITE_SUFFIXES`.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import io
import os
import re
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from ..errors import GongkaiError, Place, Problem, ReadError
from ..limits import DEFAULT_LIMITS, Limits, Source, read_source, source_name
from ..model.report import AnnualReport
from ._ole import kind_of
from ._reader import FileBytes, Reader
from ._result import Imported
from ._verify import accept_unverified as accepted

__all__ = ["FORMATS", "SUFFIXES", "WRITERS", "WRITE_SUFFIXES", "detect_format", "read", "write"]

#: Format name → (module, reader function), imported when first used.
FORMATS: dict[str, tuple[str, str]] = {
    "html": ("gongkai_model.formats.html", "read_html"),
    "docx": ("gongkai_model.formats.docx", "read_docx"),
    "pdf": ("gongkai_model.formats.pdf", "read_pdf"),
    "text": ("gongkai_model.formats.text", "read_text"),
    "markdown": ("gongkai_model.formats.markdown", "read_markdown"),
    "json": ("gongkai_model.formats._jsonread", "read_json"),
    "xlsx": ("gongkai_model.formats.xlsx._read", "read_xlsx"),
    "mhtml": ("gongkai_model.formats._mhtml", "read_mhtml"),
    "image": ("gongkai_model.formats.image", "read_image"),
}

#: File suffixes :func:`read` knows, each with the format it names (content sniffing decides when they disagree).
SUFFIXES = {
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
    ".mht": "mhtml",
    ".mhtml": "mhtml",
    ".png": "image",
    ".jpg": "image",
    ".jpeg": "image",
    ".tif": "image",
    ".tiff": "image",
    ".bmp": "image",
    ".gif": "image",
    ".webp": "image",
}


#: Markers that say HTML whatever the suffix (a page saved as ``.pdf``, ``.doc`` or ``.txt``).
_HTML_STRONG = (b"<!doctype html", b"<html")
#: Markers that say HTML when the suffix says nothing, or names a binary format the bytes are not.
_HTML_WEAK = (
    b"<table",
    b"<p",
    b"<div",
    b"<meta",
    b"<head",
    b"<body",
    b"<?xml",
    b"<!--",
    b"<h1",
    b"<h2",
    b"<h3",
    b"<style",
    b"<title",
    b"<span",
    b"<font",
    b"<center",
)
_BINARY = frozenset({"pdf", "doc", "docx", "xlsx", "mhtml", "image"})
#: The signatures of the pictures read by OCR (PNG, JPEG, GIF, TIFF, WebP; BMP by its suffix too).
_PICTURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"II*\x00", b"MM\x00*")
#: MHTML: MIME headers at the start of the file (``MIME-Version:``, ``Content-Type: multipart/related``).
_MIME_VERSION = re.compile(rb"^mime-version[ \t]*:", re.IGNORECASE | re.MULTILINE)
_RELATED = re.compile(rb"^content-type[ \t]*:[ \t\r\n]*multipart/related", re.IGNORECASE | re.MULTILINE)
#: Word 2003 XML (WordprocessingML): its root element, or its ``<?mso-application?>`` instruction.
_WORDML = re.compile(rb"<w:wordDocument\b|<\?mso-application[^>]{0,100}progid\s*=\s*[\"']Word\.Document", re.IGNORECASE)
#: Byte-order marks of UTF-16 text, and the codec of what follows.
_UTF16 = {b"\xff\xfe": "utf-16-le", b"\xfe\xff": "utf-16-be"}


def detect_format(data: bytes, name: str = "") -> str:
    r"""The format of ``data``: from its bytes where they are telling, else from the suffix of ``name``.

    The bytes win over the suffix: ``%PDF-`` is a PDF, a zip a Word document or a workbook, an OLE
    file (``D0 CF 11 E0``) ``"ole"`` (what it holds is decided from its directory when it is read),
    ``{\rtf`` is ``"rtf"``, the MIME headers of a ``multipart/related`` message ``"mhtml"`` (a
    "single file web page"), Word 2003 XML ``"wordml"`` (refused by :func:`read`), and a web page is
    HTML whatever its name (a page saved as ``.pdf`` or ``.doc``). Where the bytes say nothing
    (plain text, Markdown, JSON), the suffix decides, except ``.doc``: a file so named that is not
    an OLE file is read as what its bytes are (text).

    >>> detect_format(b"%PDF-1.7 ..."), detect_format(b"<!DOCTYPE html><html>"), detect_format(b"{}", "a.json")
    ('pdf', 'html', 'json')
    >>> detect_format(b"<html><body>...", "report.pdf"), detect_format(b"<p>...", "report.doc")
    ('html', 'html')
    >>> detect_format(b"{\\rtf1 ...", "report.doc"), detect_format("年度报告".encode(), "report.doc")
    ('rtf', 'text')
    >>> detect_format("<html>".encode("utf-16"), "report.pdf"), detect_format(b"<h2>...", "report.pdf")
    ('html', 'html')
    >>> detect_format(b"MIME-Version: 1.0\nContent-Type: multipart/related; boundary=b\n\n--b\n", "report.doc")
    'mhtml'
    >>> detect_format(b'<?xml version="1.0"?><?mso-application progid="Word.Document"?>', "report.doc")
    'wordml'
    >>> detect_format(b"\x89PNG\r\n\x1a\n...", "table.txt"), detect_format(b"II*\x00...")
    ('image', 'image')
    """
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    suffix = SUFFIXES.get(Path(name).suffix.lower(), "")
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        if b"word/" in data[:65536]:
            return "docx"
        if b"xl/" in data[:65536]:
            return "xlsx"
        return suffix if suffix in ("docx", "xlsx") else "xlsx"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return "ole"
    if data.startswith(_PICTURES) or (data[:4] == b"RIFF" and data[8:12] == b"WEBP"):
        return "image"
    if data.startswith(b"BM") and suffix == "image":
        return "image"
    if head.startswith(b"{\\rtf"):
        return "rtf"
    if _is_mhtml(data[:8192].lstrip(b"\xef\xbb\xbf \t\r\n")):
        return "mhtml"
    if data[:2] in _UTF16:  # a page saved as Unicode (Word's UTF-16 web pages): sniffed as its text
        head = data[2:2050].decode(_UTF16[data[:2]], errors="replace").lstrip(" \t\r\n").encode("utf-8")
    lowered = head[:512].lower()
    if lowered.startswith((b"<?xml", b"<?mso-application", b"<w:worddocument")) and _WORDML.search(head[:1024]):
        return "wordml"
    if lowered.startswith(_HTML_STRONG) or (lowered.startswith(b"<?xml") and b"<html" in lowered):
        return "html"
    if suffix in _BINARY and lowered.startswith(_HTML_WEAK):
        return "html"
    if suffix and suffix != "doc":
        return suffix
    if lowered.startswith(_HTML_WEAK):
        return "html"
    if head.startswith((b"{", b"[")):
        return "json"
    if b"\n|" in data[:8192] or head.startswith(b"|"):
        return "markdown"
    return "text"


def _is_mhtml(head: bytes) -> bool:
    """Whether ``head`` starts with the headers of a MIME ``multipart/related`` message (an MHTML file)."""
    if head.startswith(b"<"):
        return False
    end = min((i for i in (head.find(b"\r\n\r\n"), head.find(b"\n\n")) if i >= 0), default=len(head))
    headers = head[: end + 4]
    return _MIME_VERSION.search(headers) is not None and _RELATED.search(headers) is not None


def _reader(fmt: str) -> Reader:
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
    reader: Reader = getattr(mod, name)
    return reader


#: LibreOffice's settings for a conversion: macros never run, nothing is fetched for a document.
_PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Common/Security/Scripting">\
<prop oor:name="MacroSecurityLevel" oor:op="fuse"><value>3</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting">\
<prop oor:name="DisableMacrosExecution" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting">\
<prop oor:name="BlockUntrustedRefererLinks" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Misc">\
<prop oor:name="FirstRun" oor:op="fuse"><value>false</value></prop></item>
</oor:items>
"""


@functools.cache
def _sealed_prefix() -> tuple[str, ...] | None:
    """The command that runs a program in a private network namespace (no network at all), or ``None``.

    As root ``unshare --net`` is enough; otherwise a user namespace maps the caller to root inside it
    (``--map-root-user``), where the system allows unprivileged user namespaces.
    """
    unshare = shutil.which("unshare")
    if unshare is None:
        return None
    candidates: list[tuple[str, ...]] = [(unshare, "--net")] if os.geteuid() == 0 else []
    candidates.append((unshare, "--net", "--map-root-user"))
    for prefix in candidates:
        try:
            done = subprocess.run([*prefix, "true"], capture_output=True, timeout=10, check=False)
        except (OSError, subprocess.SubprocessError):
            continue
        if done.returncode == 0:
            return prefix
    return None


def _refused_ole(kind: str, name: str) -> ReadError:
    why = {
        "xls": ("a legacy Excel workbook (.xls)", "save it as .xlsx"),
        "encrypted": ("an encrypted (password-protected) Office document", "save it without a password"),
        "ppt": ("a PowerPoint presentation", "save the report as .docx, .xlsx, .pdf or a web page"),
        "other": ("an OLE file that is not a Word document", "save the report as .docx"),
        "damaged": ("an OLE file whose directory cannot be read", "save the report as .docx"),
    }[kind]
    code = "READ_DAMAGED" if kind == "damaged" else "READ_NOT_A_REPORT"
    return ReadError("cannot read this file", [Problem(name, f"{why[0]}; {why[1]}", code=code, place=Place(name))])


def _doc_to_docx(data: bytes, name: str, limits: Limits, allow_network: bool = False) -> bytes:
    """Convert a legacy Word ``.doc`` with LibreOffice (when installed) to ``.docx``, sealed.

    Only an OLE file whose directory holds a ``WordDocument`` stream is handed to LibreOffice; it
    runs in a private network namespace (no network; refused where the system cannot make one,
    unless ``allow_network``), with a fresh profile whose macro security is highest and macros
    disabled, and within ``limits.max_seconds`` (the whole process group is killed on time-out).
    """

    def fail(message: str, problem: str, code: str = "READ_FAILED") -> ReadError:
        return ReadError(message, [Problem(name, problem, code=code, place=Place(name))])

    kind = kind_of(data)
    if kind != "doc":
        raise _refused_ole(kind, name)
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None:
        raise fail(
            "cannot read a .doc file",
            "legacy Word files are converted with LibreOffice, which is not installed; save it as .docx",
        )
    prefix = _sealed_prefix()
    if prefix is None and not allow_network:
        raise fail(
            "cannot read a .doc file",
            "LibreOffice is run without network access, and this system cannot make a private network "
            "namespace (unshare); save it as .docx, or pass allow_network=True if the file is trusted",
            "READ_REFUSED",
        )
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.doc"
        src.write_bytes(data)
        user = Path(tmp) / "profile" / "user"
        user.mkdir(parents=True)
        (user / "registrymodifications.xcu").write_text(_PROFILE, encoding="utf-8")
        out_dir = Path(tmp) / "out"
        command = [
            *(prefix or ()),
            office,
            f"-env:UserInstallation={(Path(tmp) / 'profile').as_uri()}",
            "--headless",
            "--invisible",
            "--norestore",
            "--nolockcheck",
            "--nodefault",
            "--nologo",
            "--convert-to",
            "docx:MS Word 2007 XML",
            "--outdir",
            str(out_dir),
            str(src),
        ]
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": tmp,
            "TMPDIR": tmp,
            "LANG": "C.UTF-8",
            "SAL_USE_VCLPLUGIN": "svp",
        }
        try:
            proc = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                env=env,
                cwd=tmp,
                start_new_session=True,  # its own process group, killed whole on time-out
            )
        except OSError as exc:
            raise fail("cannot convert the .doc file", f"LibreOffice could not be started: {exc}") from None
        try:
            proc.wait(timeout=limits.max_seconds)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(OSError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            raise fail(
                "cannot convert the .doc file",
                f"LibreOffice did not finish within {limits.max_seconds:g} s (Limits.max_seconds)",
                "READ_LIMIT",
            ) from None
        finally:
            with contextlib.suppress(OSError):
                os.killpg(proc.pid, signal.SIGKILL)  # nothing it started outlives the conversion
        out = out_dir / "in.docx"
        if proc.returncode != 0 or not out.is_file():
            raise fail("cannot convert the .doc file", f"LibreOffice produced no .docx (exit {proc.returncode})")
        return read_source(out, limits, name, ReadError, "converted Word document")


def read(
    source: Source,
    *,
    format: str | None = None,
    agency: str | None = None,
    year: int | None = None,
    edition: str | None = None,
    strict: bool = False,
    limits: Limits | None = None,
    allow_network: bool = False,
    accept_unverified: bool = False,
) -> Imported:
    """Read a report from any published form: web page, text copy, Markdown, Word, PDF, workbook or JSON.

    The reader is chosen from the file's bytes, then its suffix (or ``format=``): a web page saved
    as ``.pdf`` or ``.doc`` is read as HTML, and so is the page of an MHTML file ("single file web
    page", ``.mht``, often published as ``.doc``). A legacy Word ``.doc`` (an OLE file with a
    ``WordDocument`` stream) is converted with LibreOffice when it is installed, with no network
    (a private network namespace), no macros and within ``limits.max_seconds``, then read as
    ``.docx``; where no private network namespace can be made, conversion is refused unless
    ``allow_network=True`` (for trusted files only). Legacy ``.xls``, encrypted Office files, Word
    2003 XML and RTF are refused with the reason. A file that cannot be read at all raises
    :class:`~gongkai_model.ReadError`; everything else is in the result's ``problems``.
    A figure read by OCR that the identities do not verify is a reading error (``READ_OCR_UNVERIFIED``),
    a warning with ``accept_unverified=True`` (``formats._verify``; ``docs/importing.md``).

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
    if fmt in ("doc", "ole"):
        data, fmt = _doc_to_docx(data, name, limits, allow_network), "docx"
    elif fmt == "wordml":
        raise ReadError(
            "cannot read a Word 2003 XML document",
            [
                Problem(
                    name,
                    "a Word 2003 XML document: open it in Word or LibreOffice and save it as .docx",
                    code="READ_NOT_A_REPORT",
                    place=Place(name),
                )
            ],
        )
    elif fmt == "rtf":
        raise ReadError(
            "cannot read an RTF file",
            [
                Problem(
                    name,
                    "RTF is not read (it is not a form reports are published in); save it as .docx",
                    code="READ_NOT_A_REPORT",
                    place=Place(name),
                )
            ],
        )
    if isinstance(source, str | os.PathLike):  # the reader knows the file's folder (a web page's pictures)
        data = FileBytes(data, os.fspath(source))
    got = _reader(fmt)(data, agency=agency, year=year, edition=edition, strict=strict, limits=limits, name=name)
    return accepted(got) if accept_unverified else got


#: Format name → (module, function) of its writer, imported when first used. A writer of kind
#: ``"text"`` returns the document as ``str`` (written as UTF-8); one of kind ``"stream"`` writes
#: to a binary stream. Each takes the report and the format's own keyword options.
WRITERS: dict[str, tuple[str, str, str]] = {
    "json": ("gongkai_model.formats._dispatch", "json_text", "text"),
    "xlsx": ("gongkai_model.formats.xlsx", "write_report", "stream"),
    "html": ("gongkai_model.formats.html", "render_html", "text"),
    "markdown": ("gongkai_model.formats.markdown", "render_markdown", "text"),
    "text": ("gongkai_model.formats.text", "render_text", "text"),
    "docx": ("gongkai_model.formats.docx", "write_docx", "stream"),
}

#: File suffixes :func:`write` knows, each with the format it writes.
WRITE_SUFFIXES = {
    ".json": "json",
    ".xlsx": "xlsx",
    ".html": "html",
    ".htm": "html",
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "text",
    ".docx": "docx",
}


def json_text(report: AnnualReport, *, indent: int | None = 2) -> str:
    """The report as a JSON file holds it: :func:`~gongkai_model.jsonio.dumps`, indented, with a final line break."""
    from ..jsonio import dumps

    return dumps(report, indent=indent) + "\n"


def write_format(target: object, format: str | None = None) -> str:
    """The format :func:`write` writes ``target`` in: ``format`` when given, else the target's suffix.

    Raises :class:`~gongkai_model.errors.GongkaiError` naming the suffix (or format) and the known ones.

    >>> write_format("report.MD"), write_format("out", "xlsx")
    ('markdown', 'xlsx')
    """
    if format is not None:
        if format in WRITERS:
            return format
        what, given = "format", repr(format)
    else:
        name = os.fspath(target) if isinstance(target, str | os.PathLike) else getattr(target, "name", None)
        suffix = Path(name).suffix.lower() if isinstance(name, str) else ""
        if suffix in WRITE_SUFFIXES:
            return WRITE_SUFFIXES[suffix]
        what, given = "suffix", repr(suffix) if suffix else "(no suffix)"
    known = f"formats: {', '.join(WRITERS)}; suffixes: {', '.join(WRITE_SUFFIXES)}"
    raise GongkaiError(f"cannot write this {what}", [Problem(what, f"{given} is not one write() knows ({known})")])


def to_bytes(report: AnnualReport, format: str, **options: Any) -> bytes:
    """``report`` in ``format`` (a name of :data:`WRITERS`), as the bytes :func:`write` writes."""
    module, function, kind = WRITERS[write_format(None, format)]
    try:
        writer: Callable[..., Any] = getattr(importlib.import_module(module), function)
    except ImportError as exc:
        raise GongkaiError(
            "a writer's optional dependency is missing",
            [Problem(format, f"{exc}; install it with: pip install 'gongkai-model[{format}]'")],
        ) from None
    if kind == "text":
        text: str = writer(report, **options)
        return text.encode("utf-8")
    buffer = io.BytesIO()
    writer(report, buffer, **options)
    return buffer.getvalue()


def write(
    report: AnnualReport,
    target: str | os.PathLike[str] | IO[bytes],
    format: str | None = None,
    **options: Any,
) -> None:
    """Write ``report`` to ``target`` (a path or a binary stream) in any form :func:`read` reads back.

    The format is ``format`` (``"json"``, ``"xlsx"``, ``"html"``, ``"markdown"``, ``"text"``,
    ``"docx"``) or else the suffix of the path (or of the stream's ``name``): ``.json``, ``.xlsx``,
    ``.html``/``.htm``, ``.md``/``.markdown``, ``.txt``, ``.docx``. An unknown one raises
    :class:`~gongkai_model.errors.GongkaiError` naming it and the known ones. ``options`` go to the
    format's writer (``merged="blank"`` for Markdown, ``indent=None`` for compact JSON). The
    document is made whole before anything is written: a report a format cannot carry (a
    :class:`~gongkai_model.errors.ModelError`) or a missing optional dependency leaves the path
    untouched. Texts are UTF-8.

    >>> import io
    >>> import gongkai_model as gk
    >>> from gongkai_model.formats import read, write
    >>> out = io.BytesIO()
    >>> write(gk.examples.seed_report(), out, format="markdown")
    >>> got = read(out.getvalue(), format="markdown")
    >>> got.ok, got.report.table3 == gk.examples.seed_report().table3
    (True, True)
    >>> write(gk.examples.seed_report(), "report.pdf")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    gongkai_model.errors.GongkaiError: cannot write this suffix
      - suffix: '.pdf' is not one write() knows (formats: json, xlsx, html, markdown, text, docx; suffixes: .json, ...)
    """
    data = to_bytes(report, write_format(target, format), **options)
    if isinstance(target, str | os.PathLike):
        Path(target).write_bytes(data)
    else:
        target.write(data)
