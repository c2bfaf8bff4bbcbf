"""One set of limits for every reader: what a file from outside may be before it is parsed.

Files from outside are hostile until proven otherwise. Every reader (JSON, Excel, text, HTML, Word,
PDF, Markdown) takes a :class:`Limits` and checks the input against it *before* and *while* parsing,
so that no input makes the library hang, grow without bound or fail with a foreign exception.

>>> from gongkai_model.limits import Limits
>>> Limits().max_file_bytes
52428800
>>> strict = Limits(max_file_bytes=1_000_000)
>>> strict.max_file_bytes
1000000
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from typing import IO, Any

import attrs

from .errors import GongkaiError, Problem

__all__ = ["DEFAULT_LIMITS", "Limits", "read_source", "source_name"]


def _positive(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ValueError(f"Limits.{attribute.name} must be a positive number, got {value!r}")


@attrs.frozen
class Limits:
    """Bounds on an input from outside; the defaults are generous for real reports and stop attacks.

    A real report is a few hundred kilobytes (a scanned PDF a few megabytes), has three tables of
    at most a few hundred cells and a JSON document of about 300 keys.
    """

    max_file_bytes: int = attrs.field(default=50 * 1024 * 1024, validator=_positive)  #: the file itself
    max_unpacked_bytes: int = attrs.field(default=200 * 1024 * 1024, validator=_positive)  #: zip: all members
    max_member_bytes: int = attrs.field(default=100 * 1024 * 1024, validator=_positive)  #: zip: one member
    max_ratio: float = attrs.field(default=200.0, validator=_positive)  #: zip: unpacked / packed, per member
    max_members: int = attrs.field(default=2000, validator=_positive)  #: zip: members
    max_rows: int = attrs.field(default=20_000, validator=_positive)  #: rows of one sheet or table
    max_columns: int = attrs.field(default=1_000, validator=_positive)  #: columns of one sheet or table
    max_cells: int = attrs.field(default=200_000, validator=_positive)  #: cells of one grid (a table has < 1,000)
    max_merged_cells: int = attrs.field(default=200_000, validator=_positive)  #: cells covered by merges
    max_formula_cells: int = attrs.field(default=100_000, validator=_positive)  #: cells a formula may sum
    max_depth: int = attrs.field(default=64, validator=_positive)  #: nesting of JSON, HTML or XML
    max_keys: int = attrs.field(default=100_000, validator=_positive)  #: keys and array items of a JSON document
    max_pages: int = attrs.field(default=500, validator=_positive)  #: pages of a PDF
    max_problems: int = attrs.field(default=1_000, validator=_positive)  #: problems kept (the rest counted)
    max_xml_tags: int = attrs.field(default=500_000, validator=_positive)  #: zip: tags (``<``) of one XML part

    # -- what a reader builds, not only what it reads (PDF) --
    max_chars: int = attrs.field(default=200_000, validator=_positive)  #: characters of one document (~100 pages)
    max_graphics: int = attrs.field(default=20_000, validator=_positive)  #: lines, rects and curves of one page
    max_xobjects: int = attrs.field(default=2_000, validator=_positive)  #: Form XObjects drawn on one page
    max_font_codes: int = attrs.field(default=65_536, validator=_positive)  #: codes one font's widths or ToUnicode map
    max_xref_entries: int = attrs.field(default=1_000_000, validator=_positive)  #: cross-reference entries of a PDF
    max_page_chars: int = attrs.field(default=20_000, validator=_positive)  #: characters of one PDF page (< 5,000 real)

    # -- pictures read by OCR (scanned PDF pages, ``<img>`` of a local page, ``.png``/``.jpg``/``.tif``) --
    max_image_pixels: int = attrs.field(default=40_000_000, validator=_positive)  #: pixels of one decoded picture
    max_images: int = attrs.field(default=60, validator=_positive)  #: pictures recognised in one document
    max_image_seconds: float = attrs.field(default=60.0, validator=_positive)  #: OCR time of one picture

    # -- one file of a batch (check_many, read_many, ``gongkai check``), enforced in the worker --
    max_seconds: float = attrs.field(default=120.0, validator=_positive)  #: time to read and check one file
    max_memory_bytes: int = attrs.field(default=2 * 1024**3, validator=_positive)  #: memory of the worker


DEFAULT_LIMITS = Limits()

Source = str | os.PathLike[str] | IO[bytes] | bytes


def source_name(source: object, default: str) -> str:
    """The name to use for ``source`` in problems: its path, or ``default`` for bytes and streams."""
    if isinstance(source, str | os.PathLike):
        name = os.fspath(source)
        return _short(name) if isinstance(name, str) and _not_a_path(name) else name
    name = getattr(source, "name", None)
    return name if isinstance(name, str) else default


#: A ``str`` source is a path; one holding a line break or longer than any path is a document's text.
_MAX_PATH = 4096


def _not_a_path(text: str) -> bool:
    return "\n" in text or len(text) > _MAX_PATH


def _looks_like_text(text: str) -> bool:
    """Whether a str that names no file looks like a document's text rather than a mistyped path."""
    if re.fullmatch(r"\.[A-Za-z0-9]{1,8}", Path(text).suffix):  # a file name's suffix: a path
        return False
    return any(ch.isspace() or ch in '{}[]<>"，。、：' or "\u4e00" <= ch <= "\u9fff" for ch in text)


def _short(text: str) -> str:
    return f"<text: {text[:40]!r}…>"


def read_source(
    source: Source,
    limits: Limits,
    name: str,
    error: type[GongkaiError] = GongkaiError,
    what: str = "file",
) -> bytes:
    """The bytes of ``source`` (a path, bytes or a binary stream), read within ``limits.max_file_bytes``.

    Only regular files are read: a FIFO, a device (``/dev/zero``) or a folder is refused before it
    is opened, and every read is bounded, so nothing blocks or fills memory. Failures raise
    ``error`` with the place named.
    """
    cap = limits.max_file_bytes
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
    elif isinstance(source, str) and _not_a_path(source):
        raise error(
            f"cannot read the {what}",
            [
                Problem(
                    _short(source),
                    "a str is read as a file's path, and this one holds a line break or is longer than a path: "
                    "pass the document itself as bytes (text.encode('utf-8'))",
                )
            ],
        )
    elif isinstance(source, str | os.PathLike):
        path = Path(source)
        try:
            info = path.stat()
            if not stat.S_ISREG(info.st_mode):
                raise error(f"cannot read the {what}", [Problem(name, "is not a regular file")])
            if info.st_size > cap:
                raise error(f"{what} too large", [Problem(name, f"{info.st_size} bytes; the limit is {cap}")])
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
            with os.fdopen(fd, "rb") as fh:
                if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):  # replaced between stat and open
                    raise error(f"cannot read the {what}", [Problem(name, "is not a regular file")])
                data = fh.read(cap + 1)
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            if isinstance(exc, FileNotFoundError) and isinstance(source, str) and _looks_like_text(source):
                reason += (
                    " (a str is read as a file's path, and this one looks like a document's text: "
                    "pass the document itself as bytes, text.encode('utf-8'))"
                )
            raise error(f"cannot read the {what}", [Problem(name, reason)]) from None
    elif hasattr(source, "read"):
        try:
            data = source.read(cap + 1)
        except (OSError, ValueError) as exc:
            raise error(f"cannot read the {what}", [Problem(name, f"{type(exc).__name__}: {exc}")]) from None
        if not isinstance(data, bytes):
            raise error(f"cannot read the {what}", [Problem(name, "the stream must give bytes")])
    else:
        raise error(
            f"cannot read the {what}",
            [Problem(name, f"expected a path, bytes or a binary stream, got {type(source).__name__}")],
        )
    if len(data) > cap:
        raise error(f"{what} too large", [Problem(name, f"more than {cap} bytes")])
    return data
