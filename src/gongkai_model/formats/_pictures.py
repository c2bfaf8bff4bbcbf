"""Where the pictures of a document are, for OCR (issue 20): which PDF pages need it, how a page is
rendered within the limits, and which ``<img>`` of a local web page may be read.

The recognition itself is :func:`._ocr.picture_blocks`; this module only finds and bounds what is
handed to it:

- :func:`needs_ocr` decides from a few counts of a PDF page's text layer and pictures
  (:class:`PageText`, made by :func:`page_text`) whether the page must be read from its picture:
  its text layer is empty, only a header or footer, not text at all (replacement characters,
  ``(cid:N)``, private-use glyphs, Latin mojibake), or an invisible layer over a page-sized picture
  (an OCR layer whose text has no table structure to read).
- :func:`render_scale` and :class:`PageRenderer` render such a page with pypdfium2 (pdfplumber's own
  renderer) in grey at 200 dpi, less for a large page so that the picture stays within
  ``Limits.max_image_pixels``; a page too large to be rendered at a readable resolution is refused.
- :class:`PagePictures` resolves the ``src`` of an ``<img>`` of a web page read from a file: a path
  inside the page's own folder or a ``data:image/…;base64,`` address; never the network, never a
  file outside the folder or a file that is not a regular file.
"""

from __future__ import annotations

import base64
import contextlib
import io
import math
import os
import re
import threading
import unicodedata
from collections.abc import Container, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import attrs

from .._optional import import_optional, install_hint
from ..errors import GongkaiError, Place, Problem, ReadError
from ..limits import Limits, read_source
from . import _ocr
from ._document import Block, CellBudget

__all__ = [
    "DPI",
    "MIN_DPI",
    "MIN_TABLE_PIXELS",
    "STATUTORY_TABLES",
    "PageImages",
    "PagePictures",
    "PageRenderer",
    "PageText",
    "decorative",
    "needs_ocr",
    "page_list",
    "page_text",
    "picture_size",
    "render_scale",
]

# --- which PDF pages need OCR ---------------------------------------------------------------------

#: A page with fewer printed characters than this and a picture says too little to be a page of text.
FEW_CHARS = 20
#: The share of the page a picture covers for the page to be a scan (a page-sized picture).
PAGE_PICTURE = 0.5
#: The share of the page a picture covers for it to be worth reading (not a seal or a logo).
SOME_PICTURE = 0.25
#: Curves drawn on a page without text: its text drawn as outlines (each glyph a curve).
OUTLINES = 300
#: The top and bottom margins of a page (shares of its height), where headers and footers are printed.
TOP_MARGIN = 0.1
BOTTOM_MARGIN = 0.85


@attrs.frozen
class PageText:
    """What a PDF page's text layer and pictures are, counted (the input of :func:`needs_ocr`)."""

    chars: int = 0  #: printed characters of the text layer (not blanks)
    body: int = 0  #: of them, printed between the top and bottom margins (not a header or a footer)
    bad: int = 0  #: of them, not text: U+FFFD, ``(cid:N)``, private use, controls, Latin mojibake
    invisible: int = 0  #: of them, drawn invisibly (text render mode 3 or 7: an OCR layer)
    picture: float = 0.0  #: the share of the page its pictures cover (0 … 1)
    curves: int = 0  #: curves drawn (a text drawn as outlines has one per glyph)


def needs_ocr(text: PageText) -> str | None:
    """Why a page must be read from its picture, or ``None`` when its text layer is read as it is.

    A page needs OCR when it shows something (a picture over a quarter of it, or text drawn as
    outlines) and its text layer is empty, or is only a header or footer (no character between the
    margins, or fewer than :data:`FEW_CHARS`); when at least half of its characters are not text
    (and it shows something, or there are at least :data:`FEW_CHARS` of them); or when at least half
    of its characters are invisible over a page-sized picture (a scan's OCR layer: its figures have
    no ruling lines to make a table of). A page without pictures whose text is good is never read by OCR.

    >>> needs_ocr(PageText(picture=1.0)), needs_ocr(PageText())
    ('it has no text layer', None)
    >>> needs_ocr(PageText(chars=500, body=480))
    >>> needs_ocr(PageText(chars=6, body=0, picture=0.9))
    'its text layer is only a header or footer'
    """
    shows = text.picture >= SOME_PICTURE or text.curves >= OUTLINES
    if text.chars <= 0:
        return "it has no text layer" if shows else None
    if 2 * text.bad >= text.chars and (shows or text.bad >= FEW_CHARS):
        return "its text layer is not text (unmapped or replacement characters)"
    if text.picture >= PAGE_PICTURE and 2 * text.invisible >= text.chars:
        return "its text is an invisible layer over a page-sized picture"
    if shows and (text.body <= 0 or text.chars < FEW_CHARS):
        return "its text layer is only a header or footer"
    return None


_CID = re.compile(r"\(cid:\d+\)")


def bad_char(text: str) -> bool:
    """Whether a character of a text layer is not text: what a font without a usable map gives.

    U+FFFD, ``(cid:N)`` (pdfminer's name for a glyph it cannot map), private-use and unassigned
    code points, control characters, and the accented Latin letters of Latin mojibake (a Chinese
    text's UTF-8 or GBK bytes read as Latin-1: ``æ”¿åºœ``), which a Chinese report does not print.
    """
    if len(text) != 1:
        return bool(_CID.fullmatch(text.strip())) or not text.strip()
    code = ord(text)
    if text == "\ufffd" or (0xC0 <= code <= 0x24F and code not in (0xD7, 0xF7)):
        return True
    return unicodedata.category(text) in ("Co", "Cn", "Cc", "Cs")


def page_text(
    chars: Iterable[Mapping[str, Any]],
    pictures: Iterable[Mapping[str, Any]],
    width: float,
    height: float,
    *,
    invisible: int = 0,
    curves: int = 0,
) -> PageText:
    """The counts of :class:`PageText` from pdfplumber's ``page.chars`` and ``page.images`` of a page."""
    count = body = bad = 0
    top_margin, bottom_margin = TOP_MARGIN * height, BOTTOM_MARGIN * height
    for ch in chars:
        text = str(ch.get("text", ""))
        if not text.strip():
            continue
        count += 1
        bad += bad_char(text)
        top, bottom = _number(ch.get("top")), _number(ch.get("bottom"))
        if top >= top_margin and bottom <= bottom_margin:
            body += 1
    area = width * height if width > 0 and height > 0 and math.isfinite(width * height) else 0.0
    covered = 0.0
    for picture in pictures:
        x0, x1 = max(_number(picture.get("x0")), 0.0), min(_number(picture.get("x1")), width)
        top, bottom = max(_number(picture.get("top")), 0.0), min(_number(picture.get("bottom")), height)
        if x1 > x0 and bottom > top:
            covered += (x1 - x0) * (bottom - top)
    share = min(covered / area, 1.0) if area else 0.0
    return PageText(count, body, bad, min(invisible, count), share, curves)


def _number(value: Any) -> float:
    return float(value) if isinstance(value, int | float) and math.isfinite(value) else 0.0


def page_list(pages: Sequence[int], most: int = 12) -> str:
    """Page numbers as a reader says them: ``"2–4, 7"``, the first ``most`` runs and how many more."""
    runs: list[tuple[int, int]] = []
    for n in sorted(set(pages)):
        if runs and n == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], n)
        else:
            runs.append((n, n))
    said = ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in runs[:most])
    return said + (f" and {len(runs) - most} more runs" if len(runs) > most else "")


# --- rendering a PDF page -------------------------------------------------------------------------

#: The resolution a page is rendered at for OCR (a large page is rendered at less).
DPI = 200
#: Below this a page's text (10 pt is 7 pixels at 50 dpi) cannot be read: a larger page is refused.
MIN_DPI = 50


def render_scale(width: float, height: float, max_pixels: int, dpi: float = DPI) -> float | None:
    """Pixels per point to render a page of ``width`` × ``height`` points: ``dpi``, or less to stay within
    ``max_pixels``; ``None`` when that would be below :data:`MIN_DPI` (or the page has no size).

    >>> round(render_scale(595, 842, 40_000_000) * 72)
    200
    >>> round(render_scale(2384, 3370, 40_000_000) * 72)  # A0: smaller
    160
    >>> render_scale(14_400, 14_400, 40_000_000) is None  # 200 × 200 inches: 32 dpi at most
    True
    """
    if not (math.isfinite(width) and math.isfinite(height)) or width <= 0 or height <= 0:
        return None
    scale = min(dpi / 72, math.sqrt(max_pixels / (width * height)))
    while math.ceil(width * scale) * math.ceil(height * scale) > max_pixels:  # the bitmap's rounded size
        scale *= 0.999
    return scale if scale * 72 >= MIN_DPI else None


@attrs.frozen
class Rendered:
    """A page rendered for OCR: the PNG's bytes, its resolution and size in pixels."""

    png: bytes
    dpi: int
    size: tuple[int, int]


#: PDFium is not thread-safe: one document is opened, rendered or closed at a time in the process.
_PDFIUM = threading.Lock()


class PageRenderer:
    """A PDF's pages rendered one at a time with pypdfium2, in grey, within ``limits``.

    The document is opened on the first page asked for; :meth:`close` closes it. Failures of
    pdfium are :class:`~gongkai_model.errors.ReadError` s (the caller locates them on the page);
    a document pdfium cannot open is tried once.
    """

    def __init__(self, data: bytes, limits: Limits) -> None:
        self.data = data
        self.limits = limits
        self._doc: Any = None
        self._failed: str | None = None

    def _open(self) -> Any:
        if self._failed is not None:
            raise ReadError("cannot render the page", [Problem("page", self._failed)])
        if self._doc is None:
            pdfium = import_optional("pypdfium2", "pdf", purpose="rendering scanned pages", error=ReadError)
            try:
                self._doc = pdfium.PdfDocument(self.data)
            except Exception as exc:  # pdfium's own error: the file is damaged in a way pdfminer tolerated
                self._failed = f"pdfium cannot open the PDF to render it ({type(exc).__name__}: {str(exc)[:200]})"
                raise ReadError("cannot render the page", [Problem("page", self._failed)]) from None
        return self._doc

    def render(self, number: int) -> Rendered | str:
        """Page ``number`` (from 1) as a PNG, or why it was not rendered (a limit: its message)."""
        with _PDFIUM:
            return self._render(number)

    def _render(self, number: int) -> Rendered | str:
        try:
            doc = self._open()
            if not 1 <= number <= len(doc):
                return "pdfium does not find the page"
            page = doc[number - 1]
            try:
                width, height = (float(v) for v in page.get_size())
                scale = render_scale(width, height, self.limits.max_image_pixels)
                if scale is None:
                    return (
                        f"the page is {width:.0f} × {height:.0f} pt: within Limits.max_image_pixels = "
                        f"{self.limits.max_image_pixels} it would be rendered at less than {MIN_DPI} dpi, "
                        "too coarse to read"
                    )
                bitmap = page.render(scale=scale, grayscale=True, may_draw_forms=False)
                try:
                    image = bitmap.to_pil()
                    out = io.BytesIO()
                    image.save(out, "PNG", compress_level=1)
                    size = (int(image.width), int(image.height))
                finally:
                    bitmap.close()
            finally:
                page.close()
        except GongkaiError:
            raise
        except Exception as exc:  # pdfium's own errors (PdfiumError), or Pillow's
            raise ReadError(
                "cannot render the page",
                [Problem("page", f"the page could not be rendered ({type(exc).__name__}: {str(exc)[:200]})")],
            ) from None
        return Rendered(out.getvalue(), round(scale * 72), size)

    def close(self) -> None:
        """Close the document (when it was opened)."""
        if self._doc is not None:
            with _PDFIUM, contextlib.suppress(Exception):  # closing must not hide what happened before
                self._doc.close()
            self._doc = None


# --- pictures of a web page -----------------------------------------------------------------------

#: A picture narrower or lower than this (in pixels) cannot hold a table (an icon, a logo, a rule).
MIN_TABLE_PIXELS = (200, 80)


def picture_size(data: bytes) -> tuple[int, int] | None:
    """The size in pixels of an encoded picture, from its header only: ``(0, 0)`` if it is not a
    picture Pillow reads (an SVG, a damaged file), ``None`` if Pillow is not installed."""
    try:
        from PIL import Image
    except ImportError:
        return None
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
    except Exception:  # any decoding failure (a bomb's header included): not a picture to read
        return (0, 0)
    return int(width), int(height)


def decorative(size: tuple[int, int] | None) -> bool:
    """Whether a picture of ``size`` pixels is too small to hold a table (:data:`MIN_TABLE_PIXELS`)."""
    return size is not None and (size[0] < MIN_TABLE_PIXELS[0] or size[1] < MIN_TABLE_PIXELS[1])


#: ``data:`` addresses of pictures: their type and base64 payload.
_DATA = re.compile(r"data:(image/[\w.+-]+)((?:;[^,;]*)*?);base64,(.*)", re.IGNORECASE | re.DOTALL)
_DRIVE = re.compile(r"[A-Za-z]:[\\/]")


@attrs.define
class Found:
    """What an ``<img src>`` gave: the picture's bytes, or why it was not read (``skipped``)."""

    data: bytes | None = None
    skipped: str | None = None  #: a key of :data:`SKIPPED`
    key: str = ""  #: the picture's identity (its real path, or its address) to read it once


#: Why a picture was not read, in the reader's words.
SKIPPED = {
    "remote": "on the network (never fetched)",
    "no folder": "named by a path, and the page was not read from a file (bytes or a stream)",
    "outside": "outside the page's folder (refused)",
    "not a file": "not a regular file (refused)",
    "too large": "larger than Limits.max_file_bytes",
    "unreadable": "could not be read",
    "other": "an address that is not a picture (javascript:, cid:, …)",
}


class PagePictures:
    """The pictures an ``<img>`` of one web page may show: in the page's ``folder``, or inline ``data:``."""

    def __init__(self, folder: str | None, limits: Limits) -> None:
        self.limits = limits
        self.folder = os.path.realpath(folder) if folder is not None else None
        self.bytes_read = 0  #: bytes of picture files read so far (bounded by ``max_unpacked_bytes``)

    def find(self, src: str, seen: Container[str] = ()) -> Found:
        """The picture ``src`` names (an ``<img>``'s ``src``), or why it is not read; one whose key is
        in ``seen`` (read before) is found without its bytes."""
        src = src.strip()
        match = _DATA.fullmatch(src)
        if match is not None:
            payload = match.group(3)
            if len(payload) * 3 // 4 > self.limits.max_file_bytes:
                return Found(skipped="too large", key=src[:64])
            try:
                data = base64.b64decode(re.sub(r"\s+|%0[aAdD]|%20", "", payload), validate=False)
            except (ValueError, TypeError):
                return Found(skipped="unreadable", key=src[:64])
            return Found(data, key=f"data:{hash(payload)}")
        if src.lower().startswith("data:"):
            return Found(skipped="other", key=src[:64])
        if _DRIVE.match(src):
            return Found(skipped="outside", key=src)
        parts = urlsplit(src.replace("\\", "/"))
        if parts.scheme in ("http", "https", "ftp") or parts.netloc or src.startswith("//"):
            return Found(skipped="remote", key=src)
        if parts.scheme == "file":
            return Found(skipped="outside", key=src)
        if parts.scheme:
            return Found(skipped="other", key=src)
        if self.folder is None:
            return Found(skipped="no folder", key=src)
        relative = unquote(parts.path)
        if not relative or relative.startswith("/") or "\x00" in relative:
            return Found(skipped="outside", key=src)
        path = os.path.realpath(os.path.join(self.folder, relative))  # symlinks followed: where it really is
        if os.path.commonpath([path, self.folder]) != self.folder:
            return Found(skipped="outside", key=path)
        if path in seen:
            return Found(key=path)
        cap = min(self.limits.max_file_bytes, max(self.limits.max_unpacked_bytes - self.bytes_read, 0))
        try:
            data = read_source(Path(path), attrs.evolve(self.limits, max_file_bytes=max(cap, 1)), path, ReadError)
        except ReadError as exc:
            reason = " ".join(p.message for p in exc.problems)
            if "regular file" in reason:
                return Found(skipped="not a file", key=path)
            if "limit" in reason or "more than" in reason:
                return Found(skipped="too large", key=path)
            return Found(skipped="unreadable", key=path)
        self.bytes_read += len(data)
        return Found(data, key=path)


#: A page with fewer tables than the statutory report prints (表二, 表三, 表四) may hold one as a picture.
STATUTORY_TABLES = 3
#: Pictures examined (read, their size decoded) per picture OCR may read: the rest are not looked at.
_EXAMINED_PER_IMAGE = 4


class PageImages:
    """The ``<img>`` of one web page, read by OCR in reading order (:meth:`blocks`), within the limits.

    The ``k``-th ``<img>`` the reader meets is ``image=k`` in places. A picture is read at most once
    (the same file named twice is read the first time); one too small to hold a table
    (:data:`MIN_TABLE_PIXELS`: an icon, a logo) is not handed to OCR. At most ``limits.max_images``
    pictures are read, and ``4 ×`` that many examined; picture files are read within
    ``limits.max_file_bytes`` each and ``limits.max_unpacked_bytes`` in all. :meth:`finish` says what
    was not read, once per reason.
    """

    def __init__(self, source: str, folder: str | None, limits: Limits, problems: list[Problem], budget: CellBudget):
        self.source = source
        self.limits = limits
        self.problems = problems
        self.budget = budget
        self.files = PagePictures(folder, limits)
        self.ordinal = 0  #: ``<img>`` met so far
        self.examined = 0
        self.read = 0  #: pictures handed to OCR
        self.seen: set[str] = set()
        self.skipped: dict[str, list[Any]] = {}  #: reason → [count, first line, first image, first src]
        self.waiting: list[tuple[int | None, int, str]] = []  #: pictures OCR could read, were it installed
        self.available: bool | None = None
        self.stopped = False

    def _skip(self, reason: str, line: int | None, src: str) -> None:
        entry = self.skipped.setdefault(reason, [0, line, self.ordinal, src])
        entry[0] += 1

    def _limit(self, line: int | None, message: str) -> None:
        if not self.stopped:
            self.stopped = True
            place = Place(self.source, line=line, image=self.ordinal)
            self.problems.append(Problem.at(place, message, code="READ_LIMIT"))

    def blocks(self, src: str, line: int | None) -> list[Block]:
        """The blocks the picture ``src`` shows (an ``<img>`` at ``line``); ``[]`` when it is not read."""
        self.ordinal += 1
        k = self.ordinal
        if self.stopped:
            return []
        if self.examined >= _EXAMINED_PER_IMAGE * self.limits.max_images:
            self._limit(
                line,
                f"the page has more pictures than are examined ({_EXAMINED_PER_IMAGE} × Limits.max_images = "
                f"{_EXAMINED_PER_IMAGE * self.limits.max_images}); the pictures from here on were not read",
            )
            return []
        found = self.files.find(src, self.seen)
        if found.skipped is not None:
            self._skip(found.skipped, line, src)
            return []
        if found.key in self.seen or found.data is None:
            return []
        self.seen.add(found.key)
        self.examined += 1
        if decorative(picture_size(found.data)):
            return []
        if self.available is None:
            self.available = _ocr.ocr_available()
        if not self.available:
            self.waiting.append((line, k, src))
            return []
        if self.read >= self.limits.max_images:
            self._limit(
                line,
                f"the page has more pictures to read than Limits.max_images = {self.limits.max_images}; "
                "the pictures from here on were not read",
            )
            return []
        self.read += 1
        found_problems: list[Problem] = []
        try:
            blocks = _ocr.picture_blocks(
                found.data,
                source=self.source,
                page=None,
                image=k,
                limits=self.limits,
                problems=found_problems,
                budget=self.budget,
            )
        except ReadError as exc:
            if any(p.code == "READ_OCR_UNAVAILABLE" for p in exc.problems):
                self.available = False
                self.waiting.append((line, k, src))
                return []
            self.problems.extend(exc.problems)
            return []
        except (MemoryError, RecursionError):
            raise
        except Exception as exc:  # the engine's own failure: this picture is not read, the others are
            self._skip(f"engine: {type(exc).__name__}: {str(exc)[:120]}", line, src)
            return []
        self.problems.extend(found_problems)
        return list(blocks)

    def finish(self, tables: int) -> None:
        """Say what was not read: pictures refused always; pictures on the network, named by a path
        of a page read from bytes, or waiting for the OCR engine only when the page has fewer tables
        than the statutory report (:data:`STATUTORY_TABLES`), for one of them may be a picture."""
        expected = tables < STATUTORY_TABLES
        for reason, (count, line, k, src) in self.skipped.items():
            if reason in ("remote", "no folder", "other") and not expected:
                continue
            why = SKIPPED.get(reason, f"the OCR engine failed ({reason[len('engine: ') :]})")
            first = src if len(src) <= 120 else src[:120] + "…"
            more = f"{count} pictures of the page were" if count > 1 else "a picture of the page was"
            tail = "; a table published as a picture may be among them" if expected else ""
            place = Place(self.source, line=line, image=k)
            self.problems.append(
                Problem.at(
                    place,
                    f"{more} not read: {why} (the first: {first!r}){tail}",
                    code="READ_IMAGE_SKIPPED",
                    severity="warning",
                )
            )
        if self.waiting and expected:
            line, k, src = self.waiting[0]
            count = len(self.waiting)
            place = Place(self.source, line=line, image=k)
            self.problems.append(
                Problem.at(
                    place,
                    f"the page shows {count} picture(s) large enough to hold a table (the first: {src[:120]!r}) and "
                    f"has {tables} table(s) of its own; reading pictures needs the OCR engine: install it with: "
                    f"{install_hint('ocr')}",
                    code="READ_OCR_UNAVAILABLE",
                    severity="warning",
                )
            )
