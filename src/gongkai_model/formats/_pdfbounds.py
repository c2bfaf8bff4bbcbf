"""pdfminer bounded by what it builds: the limits of :class:`~gongkai_model.limits.Limits`, checked as pdfminer works.

pdfminer.six (under pdfplumber) trusts the numbers a file gives: an xref stream's ``/Index``, a
font's ``/W`` ranges, a ToUnicode ``bfrange``, a TrueType ``cmap`` segment, a Flate stream's size.
A file of a few hundred bytes can make it loop for hours or allocate gigabytes. This module bounds
that work where it is produced, and only around the library's own parse:

- :func:`bounded` is a context manager around one parse. It installs a few narrow replacements of
  pdfminer functions (listed in :data:`TARGETS`) for the time of the parse and restores the
  originals afterwards. The installation is counted under a lock, so parses in several threads
  share one installation (restored when the last one ends); each replacement reads the
  :class:`Budget` of *its own* thread (a :class:`contextvars.ContextVar`) and, when there is none
  (pdfminer used by other code while a parse runs in another thread), behaves exactly as the
  original pdfminer function.
- Work that could grow without bound stops at the bound: a range larger than the budget is clipped
  before it is expanded (font widths, ToUnicode ranges, TrueType cmaps, xref entries), and is noted;
  a stream inflating beyond ``max_member_bytes`` (or all streams beyond ``max_unpacked_bytes``),
  and characters, drawings and Form XObjects beyond their limits, raise :class:`LimitReached`
  (a ``BaseException``, so pdfminer's own ``except Exception`` cannot swallow it) for the
  reader to turn into a located ``READ_LIMIT`` problem.
- :func:`page_class` gives a pdfplumber page whose layout is made by a counting device and
  interpreter (characters, lines/rects/curves and Form XObjects of the page).

Everything here works on pdfminer's internals, so its version is pinned in ``pyproject.toml`` and
``tests/test_pdf_hostile.py`` fails when a replaced function is no longer there (:func:`missing`).
"""

from __future__ import annotations

import contextlib
import contextvars
import io
import threading
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ..limits import Limits

__all__ = ["TARGETS", "Budget", "LimitReached", "Note", "UnsupportedPdfminer", "bounded", "missing", "page_class"]


class UnsupportedPdfminer(RuntimeError):
    """The installed pdfminer.six lacks a function the bounds replace: reading on would be unbounded."""


class LimitReached(BaseException):
    """A limit of :class:`Limits` reached inside pdfminer: the work in progress stops."""

    def __init__(self, limit: str, value: int, what: str) -> None:
        super().__init__(f"{what} (Limits.{limit} = {value})")
        self.limit = limit
        self.value = value
        self.what = what


@dataclass
class Note:
    """Something a bound changed or a damaged stream pdfminer recovered, for the reader to report."""

    code: str
    severity: str
    page: int | None
    message: str


@dataclass
class Budget:
    """What one parse of one PDF has built so far, against its limits."""

    limits: Limits
    page: int | None = None  #: the page being read (None while the document is opened)
    chars: int = 0  #: characters of the document
    inflated: int = 0  #: bytes all streams inflated to
    xref_entries: int = 0
    notes: list[Note] = field(default_factory=list)
    _seen: set[tuple[str, object]] = field(default_factory=set)

    def note(self, code: str, severity: str, message: str, key: object = None) -> None:
        """Keep a note once per ``key`` (and page)."""
        mark = (message if key is None else repr(key), self.page)
        if mark in self._seen:
            return
        self._seen.add(mark)
        self.notes.append(Note(code, severity, self.page, message))

    def clipped(self, limit: str, what: str) -> None:
        """A range larger than its limit was cut at the limit (the rest of it was not read)."""
        value = getattr(self.limits, limit)
        self.note("READ_LIMIT", "error", f"{what} (Limits.{limit} = {value}); the rest was not read", key=(limit, what))


_CURRENT: contextvars.ContextVar[Budget | None] = contextvars.ContextVar("gongkai_pdf_budget", default=None)


def current() -> Budget | None:
    """The budget of the parse running in this thread, if any."""
    return _CURRENT.get()


# --- streams: bytes actually inflated -------------------------------------------------------------


def _cap(budget: Budget) -> int:
    return min(budget.limits.max_member_bytes, max(budget.limits.max_unpacked_bytes - budget.inflated, 0))


def _too_big(budget: Budget) -> LimitReached:
    if budget.limits.max_unpacked_bytes - budget.inflated < budget.limits.max_member_bytes:
        return LimitReached(
            "max_unpacked_bytes",
            budget.limits.max_unpacked_bytes,
            "the PDF's compressed streams inflate to more bytes than allowed in all",
        )
    return LimitReached(
        "max_member_bytes", budget.limits.max_member_bytes, "a compressed stream of the PDF inflates to too many bytes"
    )


def inflate(data: bytes, cap: int) -> tuple[bytes, bool]:
    """A Flate stream inflated to at most ``cap`` bytes: ``(bytes, damaged)``.

    A stream whose checksum is damaged or that is cut short gives the bytes that could be inflated
    (``damaged`` true), as pdfminer's ``decompress_corrupted`` does, but in linear time; a stream
    damaged before its last three bytes raises ``zlib.error`` (pdfminer then reads it as empty).
    More than ``cap`` bytes raises :class:`OverflowError`.
    """
    d = zlib.decompressobj()
    out = bytearray()

    def feed(chunk: bytes) -> None:
        while chunk and not d.eof:
            room = cap + 1 - len(out)
            out.extend(d.decompress(chunk, room))
            if len(out) > cap:
                raise OverflowError(cap)
            chunk = d.unconsumed_tail

    body, tail = data[:-8], data[-8:]
    feed(body)  # an error here is before the last three bytes: the data itself is damaged
    start = len(body)
    damaged = False
    for i in range(len(tail)):
        try:
            feed(tail[i : i + 1])
        except zlib.error:
            if start + i < len(data) - 3:
                raise
            damaged = True
            break
    if not d.eof:
        damaged = True  # cut short (or its checksum is damaged): what could be inflated is kept
    return bytes(out), damaged


def _decompress_corrupted(data: bytes) -> bytes:
    """pdfminer's ``decompress_corrupted`` (same bytes, same ``zlib.error``) in linear time and bounded."""
    budget = current()
    cap = _cap(budget) if budget is not None else 1 << 62
    try:
        return inflate(data, cap)[0]
    except OverflowError:
        assert budget is not None
        raise _too_big(budget) from None


def _rldecode(data: bytes, cap: int) -> bytes:
    out = bytearray()
    i, n = 0, len(data)
    while i < n:
        length = data[i]
        i += 1
        if length == 128:
            break
        if length < 128:
            out += data[i : i + length + 1]
            i += length + 1
        elif i < n:
            out += bytes((data[i],)) * (257 - length)
            i += 1
        if len(out) > cap:
            raise OverflowError(cap)
    return bytes(out)


def _lzwdecode(data: bytes, cap: int) -> bytes:
    from pdfminer.lzw import LZWDecoder

    out = bytearray()
    for chunk in LZWDecoder(io.BytesIO(data)).run():
        out += chunk
        if len(out) > cap:
            raise OverflowError(cap)
    return bytes(out)


#: The widest CCITT fax image decoded (pdfminer allocates a list of the width for every row).
MAX_FAX_WIDTH = 1 << 16


def _ccittfaxdecode(data: bytes, params: Any, cap: int) -> bytes:
    """pdfminer's ``ccittfaxdecode`` with rows gathered in a ``bytearray`` up to ``cap`` bytes, and a sane width."""
    from pdfminer.ccitt import CCITTFaxDecoder
    from pdfminer.pdfexceptions import PDFValueError

    params = params if isinstance(params, dict) else {}
    if params.get("K") != -1:
        raise PDFValueError(params.get("K"))
    width = params.get("Columns")
    if not isinstance(width, int) or not 0 < width <= MAX_FAX_WIDTH:
        raise PDFValueError(f"a CCITT fax image {width!r} pixels wide")
    out = bytearray()

    class Decoder(CCITTFaxDecoder):
        def output_line(self, y: int, bits: Any) -> None:
            self._buf = b""
            super().output_line(y, bits)
            out.extend(self._buf)
            if len(out) > cap:
                raise OverflowError(cap)

    decoder = Decoder(width, bytealign=bool(params.get("EncodedByteAlign")), reversed=bool(params.get("BlackIs1")))
    decoder.feedbytes(data)
    return bytes(out)


def _decode(self: Any) -> None:
    """``PDFStream.decode`` with every filter bounded by the bytes it actually produces."""
    budget = current()
    if budget is None:
        return _ORIGINALS["PDFStream.decode"](self)  # type: ignore[no-any-return]
    from pdfminer import pdftypes as t
    from pdfminer.ascii85 import ascii85decode, asciihexdecode
    from pdfminer.utils import apply_png_predictor, apply_tiff_predictor

    data = self.rawdata
    if self.decipher:
        data = self.decipher(self.objid, self.genno, data, self.attrs)
    filters = self.get_filters()
    cap = _cap(budget)
    try:
        for f, params in filters:
            if f in t.LITERALS_FLATE_DECODE:
                what = f"object {self.objid}" if self.objid is not None else "an inline stream"
                try:
                    data, damaged = inflate(data, cap)
                except zlib.error:
                    data, damaged = b"", False
                    budget.note(
                        "READ_DAMAGED",
                        "warning",
                        f"a compressed stream ({what}) is damaged and cannot be inflated; it was read as empty",
                        key=("stream", self.objid),
                    )
                if damaged:
                    budget.note(
                        "READ_DAMAGED",
                        "warning",
                        f"a compressed stream ({what}) is damaged (cut short or a bad checksum); "
                        f"only the {len(data)} bytes that could be inflated were read",
                        key=("stream", self.objid),
                    )
            elif f in t.LITERALS_LZW_DECODE:
                data = _lzwdecode(data, cap)
            elif f in t.LITERALS_ASCII85_DECODE:
                data = ascii85decode(data)
            elif f in t.LITERALS_ASCIIHEX_DECODE:
                data = asciihexdecode(data)
            elif f in t.LITERALS_RUNLENGTH_DECODE:
                data = _rldecode(data, cap)
            elif f in t.LITERALS_CCITTFAX_DECODE:
                data = _ccittfaxdecode(data, params, cap)
            elif f in t.LITERALS_DCT_DECODE or f in t.LITERALS_JBIG2_DECODE or f in t.LITERALS_JPX_DECODE:
                pass  # images: kept as they are
            elif f == t.LITERAL_CRYPT:
                raise t.PDFNotImplementedError("/Crypt filter is unsupported")
            else:
                raise t.PDFNotImplementedError(f"Unsupported filter: {f!r}")
            if len(data) > cap:
                raise OverflowError(cap)
            if params and "Predictor" in params:
                pred = t.int_value(params["Predictor"])
                colors = t.int_value(params.get("Colors", 1))
                columns = t.int_value(params.get("Columns", 1))
                bits = t.int_value(params.get("BitsPerComponent", 8))
                if pred == 2:
                    data = apply_tiff_predictor(colors, columns, bits, data)
                elif pred >= 10:
                    data = apply_png_predictor(pred, colors, columns, bits, data)
                elif pred != 1:
                    raise t.PDFNotImplementedError(f"Unsupported predictor: {pred!r}")
    except OverflowError:
        raise _too_big(budget) from None
    budget.inflated += len(data)
    self.data = data
    self.rawdata = None
    return None


# --- cross-reference tables -----------------------------------------------------------------------


def _xref_budget(budget: Budget, declared: int) -> int:
    """How many of ``declared`` entries may still be read (noting a clip)."""
    room = max(budget.limits.max_xref_entries - budget.xref_entries, 0)
    if declared > room:
        budget.clipped("max_xref_entries", f"the PDF's cross-reference tables declare more than {room} more entries")
        declared = room
    budget.xref_entries += declared
    return declared


def _xrefstream_load(self: Any, parser: Any) -> None:
    """``PDFXRefStream.load``, then its ranges clipped to the entries its data holds and to the budget."""
    _ORIGINALS["PDFXRefStream.load"](self, parser)
    budget = current()
    if budget is None:
        return
    entlen = self.entlen or 0
    held = len(self.data or b"") // entlen if entlen > 0 else 0
    ranges: list[tuple[int, int]] = []
    for start, nobjs in self.ranges:
        if not isinstance(start, int) or not isinstance(nobjs, int) or nobjs <= 0:
            continue
        n = min(_xref_budget(budget, nobjs), held)  # entries beyond the stream's data are not there
        held -= n
        if n:
            ranges.append((start, n))
    self.ranges = ranges


def _xref_load(self: Any, parser: Any) -> None:
    """``PDFXRef.load`` (a classic table) with each subsection bounded before it is read."""
    budget = current()
    if budget is None:
        return _ORIGINALS["PDFXRef.load"](self, parser)  # type: ignore[no-any-return]
    from pdfminer.casting import safe_int
    from pdfminer.pdfdocument import PDFNoValidXRef
    from pdfminer.psexceptions import PSEOF

    while True:
        try:
            (pos, line) = parser.nextline()
            line = line.strip()
            if not line:
                continue
        except PSEOF as err:
            raise PDFNoValidXRef("Unexpected EOF - file corrupted?") from err
        if line.startswith(b"trailer"):
            parser.seek(pos)
            break
        f = line.split(b" ")
        if len(f) != 2:
            raise PDFNoValidXRef(f"Trailer not found: {parser!r}: line={line!r}")
        try:
            (start, nobjs) = map(int, f)
        except ValueError as err:
            raise PDFNoValidXRef(f"Invalid line: {parser!r}: line={line!r}") from err
        allowed = _xref_budget(budget, max(nobjs, 0))
        for objid in range(start, start + max(nobjs, 0)):
            try:
                (_, line) = parser.nextline()
                line = line.strip()
            except PSEOF as err:
                raise PDFNoValidXRef("Unexpected EOF - file corrupted?") from err
            f = line.split(b" ")
            if len(f) != 3:
                raise PDFNoValidXRef(f"Invalid XRef format: {parser!r}, line={line!r}")
            if objid - start >= allowed:
                continue  # over the budget: read past, not kept
            (pos_b, genno_b, use_b) = f
            if use_b != b"n":
                continue
            pos_i, genno_i = safe_int(pos_b), safe_int(genno_b)
            if pos_i is not None and genno_i is not None:
                self.offsets[objid] = (None, pos_i, genno_i)
    self.load_trailer(parser)
    return None


def _read_xref_from(self: Any, parser: Any, start: int, xrefs: list[Any]) -> None:
    """``PDFDocument.read_xref_from``, each table read once (a ``/Prev`` loop would recurse forever)."""
    budget = current()
    if budget is None:
        return _ORIGINALS["PDFDocument.read_xref_from"](self, parser, start, xrefs)  # type: ignore[no-any-return]
    seen: set[int] = self.__dict__.setdefault("_gongkai_xrefs_seen", set())
    if start in seen:
        budget.note("READ_DAMAGED", "warning", "the PDF's cross-reference tables point back to each other (/Prev)")
        return None
    seen.add(start)
    return _ORIGINALS["PDFDocument.read_xref_from"](self, parser, start, xrefs)  # type: ignore[no-any-return]


# --- fonts: widths, ToUnicode maps, TrueType cmaps -----------------------------------------------


class _Codes:
    """Codes one font map may still take; a range is clipped to what is left before it is expanded."""

    def __init__(self, budget: Budget, what: str) -> None:
        self.budget = budget
        self.left = budget.limits.max_font_codes
        self.what = what

    def take(self, size: int) -> int:
        if size <= self.left:
            self.left -= size
            return size
        self.budget.clipped("max_font_codes", f"{self.what} maps more codes than allowed")
        size, self.left = self.left, 0
        return size


def _get_widths(seq: Any) -> dict[Any, float]:
    """``pdfminer.pdffont.get_widths`` with its ranges (``c1 c2 w``) clipped to ``max_font_codes``."""
    budget = current()
    if budget is None:
        return _ORIGINALS["get_widths"](seq)  # type: ignore[no-any-return]
    from pdfminer.pdftypes import resolve1

    codes = _Codes(budget, "a font's widths (/W)")
    widths: dict[Any, float] = {}
    r: list[Any] = []
    for v in seq:
        v = resolve1(v)
        if isinstance(v, list):
            if r and isinstance(r[-1], int):
                for i, w in enumerate(v[: codes.take(len(v))]):
                    widths[r[-1] + i] = w
            r = []
        elif isinstance(v, int | float):
            r.append(v)
            if len(r) == 3:
                (c1, c2, w) = r
                if isinstance(c1, int) and isinstance(c2, int) and c2 >= c1:
                    for i in range(c1, c1 + codes.take(c2 - c1 + 1)):
                        widths[i] = w
                r = []
    return widths


def _get_widths2(seq: Any) -> dict[int, tuple[float, Any]]:
    """``pdfminer.pdffont.get_widths2`` (vertical writing, ``/W2``) with its ranges clipped."""
    budget = current()
    if budget is None:
        return _ORIGINALS["get_widths2"](seq)  # type: ignore[no-any-return]
    from pdfminer.utils import choplist

    codes = _Codes(budget, "a font's vertical widths (/W2)")
    widths: dict[int, tuple[float, Any]] = {}
    r: list[Any] = []
    for v in seq:
        if isinstance(v, list):
            if r and isinstance(r[-1], int):
                triples = list(choplist(3, v))
                for i, (w, vx, vy) in enumerate(triples[: codes.take(len(triples))]):
                    widths[r[-1] + i] = (w, (vx, vy))
            r = []
        elif isinstance(v, int | float):
            r.append(v)
            if len(r) == 5:
                (c1, c2, w, vx, vy) = r
                if isinstance(c1, int) and isinstance(c2, int) and c2 >= c1:
                    for i in range(c1, c1 + codes.take(c2 - c1 + 1)):
                        widths[i] = (w, (vx, vy))
                r = []
    return widths


def _cmap_do_keyword(self: Any, pos: int, token: Any) -> None:
    """``CMapParser.do_keyword``: the ranges of a ``bfrange``/``cidrange`` clipped before they are expanded."""
    budget = current()
    original = _ORIGINALS["CMapParser.do_keyword"]
    if budget is None or token not in (self.KEYWORD_ENDBFRANGE, self.KEYWORD_ENDCIDRANGE):
        return original(self, pos, token)  # type: ignore[no-any-return]
    codes: _Codes = self.__dict__.setdefault("_gongkai_codes", _Codes(budget, "a font's ToUnicode map"))
    stack = self.curstack
    kept: list[Any] = []
    whole = len(stack) - len(stack) % 3
    for k in range(0, whole, 3):
        (p0, lo), (p1, hi), (p2, code) = stack[k : k + 3]
        if isinstance(lo, bytes) and isinstance(hi, bytes) and len(lo) == len(hi):
            # pdfminer takes the last 4 bytes of a cidrange's codes as the counter; a bfrange's whole codes
            a = int.from_bytes(lo[-4:] if token is self.KEYWORD_ENDCIDRANGE else lo, "big")
            b = int.from_bytes(hi[-4:] if token is self.KEYWORD_ENDCIDRANGE else hi, "big")
            size = codes.take(max(b - a + 1, 0))
            if size == 0:
                continue
            width = len(hi) if token is self.KEYWORD_ENDBFRANGE else min(len(hi), 4)
            end = (a + size - 1).to_bytes(width, "big")
            hi = hi[: len(hi) - width] + end
            if isinstance(code, list):
                code = code[:size]
        kept += [(p0, lo), (p1, hi), (p2, code)]
    stack[:] = kept + stack[whole:]
    return original(self, pos, token)  # type: ignore[no-any-return]


class _CountingMap(dict[int, int]):
    """A TrueType cmap being built: every assignment counted (a segment over and over is work too)."""

    def __init__(self, codes: _Codes) -> None:
        super().__init__()
        self.codes = codes

    def __setitem__(self, key: int, value: int) -> None:
        if self.codes.take(1) == 0:
            raise _Stop
        super().__setitem__(key, value)


class _Stop(Exception):
    pass


def _cmap_format(name: str) -> Callable[[Any, Any, dict[int, int]], None]:
    def parse(self: Any, fp: Any, char2gid: dict[int, int]) -> None:
        budget = current()
        if budget is None:
            return _ORIGINALS[name](self, fp, char2gid)  # type: ignore[no-any-return]
        counting = _CountingMap(_Codes(budget, "a TrueType font's cmap"))
        try:
            _ORIGINALS[name](self, fp, counting)
        except _Stop:
            pass
        finally:
            char2gid.update(counting)
        return None

    parse.__doc__ = f"``TrueTypeFont.{name.split('.')[-1]}`` with the codes it maps bounded by ``max_font_codes``."
    return parse


# --- the content stream's tokens -----------------------------------------------------------------


def _parse_hexstring(self: Any, s: bytes, i: int) -> int:
    """``PSBaseParser._parse_hexstring`` in linear time: the same bytes from a ``<…>`` string.

    pdfminer joins the pieces of a long string with ``bytes +=`` (quadratic) and turns each pair of
    digits into a byte with a Python function (a 12 MB string took minutes); here the pieces grow a
    ``bytearray`` and the digits are read by :meth:`bytes.fromhex`. A last odd digit ``d`` gives
    the byte ``0d``, as pdfminer gives it.
    """
    if current() is None:
        return _ORIGINALS["PSBaseParser._parse_hexstring"](self, s, i)  # type: ignore[no-any-return]
    from pdfminer import psparser

    m = psparser.END_HEX_STRING.search(s, i)
    if not isinstance(self._curtoken, bytearray):
        self._curtoken = bytearray(self._curtoken)
    if not m:
        self._curtoken += s[i:]
        return len(s)
    j = m.start(0)
    self._curtoken += s[i:j]
    digits = bytes(self._curtoken).translate(None, b" \t\n\r\f\v")
    even = len(digits) - len(digits) % 2
    token = bytes.fromhex(digits[:even].decode("ascii"))
    if even < len(digits):
        token += bytes((int(digits[even:], 16),))
    self._curtoken = b""
    self._add_token(token)
    self._parse1 = self._parse_main
    return j


# --- the replacements, installed around the library's own parse only ------------------------------

#: (module, attribute path, replacement): every pdfminer function this module replaces during a parse.
TARGETS: tuple[tuple[str, str, Callable[..., Any]], ...] = (
    ("pdfminer.pdftypes", "PDFStream.decode", _decode),
    ("pdfminer.pdftypes", "decompress_corrupted", _decompress_corrupted),
    ("pdfminer.psparser", "PSBaseParser._parse_hexstring", _parse_hexstring),
    ("pdfminer.pdfdocument", "PDFXRefStream.load", _xrefstream_load),
    ("pdfminer.pdfdocument", "PDFXRef.load", _xref_load),
    ("pdfminer.pdfdocument", "PDFDocument.read_xref_from", _read_xref_from),
    ("pdfminer.pdffont", "get_widths", _get_widths),
    ("pdfminer.pdffont", "get_widths2", _get_widths2),
    ("pdfminer.cmapdb", "CMapParser.do_keyword", _cmap_do_keyword),
    ("pdfminer.pdffont", "TrueTypeFont.parse_cmap_format_4", _cmap_format("TrueTypeFont.parse_cmap_format_4")),
    ("pdfminer.pdffont", "TrueTypeFont.parse_cmap_format_12", _cmap_format("TrueTypeFont.parse_cmap_format_12")),
)

_ORIGINALS: dict[str, Callable[..., Any]] = {}
_LOCK = threading.Lock()
_USERS = 0


def _owner(module: str, path: str) -> tuple[Any, str]:
    import importlib

    obj: Any = importlib.import_module(module)
    *parents, name = path.split(".")
    for part in parents:
        obj = getattr(obj, part)
    return obj, name


def missing() -> list[str]:
    """The replaced pdfminer functions that this pdfminer does not have (empty when all are there)."""
    out = []
    for module, path, _ in TARGETS:
        try:
            owner, name = _owner(module, path)
        except (ImportError, AttributeError):
            out.append(f"{module}.{path}")
            continue
        if not callable(owner.__dict__.get(name) if isinstance(owner, type) else getattr(owner, name, None)):
            out.append(f"{module}.{path}")
    return out


def _install() -> None:
    gone = missing()
    if gone:
        raise UnsupportedPdfminer(f"this pdfminer.six does not have {', '.join(gone)}; install the tested version")
    for module, path, replacement in TARGETS:
        owner, name = _owner(module, path)
        _ORIGINALS[path] = owner.__dict__[name] if isinstance(owner, type) else getattr(owner, name)
        setattr(owner, name, replacement)


def _restore() -> None:
    for module, path, _ in TARGETS:
        owner, name = _owner(module, path)
        setattr(owner, name, _ORIGINALS[path])


@contextlib.contextmanager
def bounded(limits: Limits) -> Iterator[Budget]:
    """pdfminer bounded by ``limits`` in this thread while the block runs; the originals restored after.

    Raises :class:`UnsupportedPdfminer` when pdfminer no longer has a function this module replaces (an
    untested pdfminer.six): reading on without the bounds would be unsafe.
    """
    global _USERS
    with _LOCK:
        if _USERS == 0:
            _install()
        _USERS += 1
    budget = Budget(limits)
    token = _CURRENT.set(budget)
    try:
        yield budget
    finally:
        _CURRENT.reset(token)
        with _LOCK:
            _USERS -= 1
            if _USERS == 0:
                _restore()


# --- one page: characters, drawings and Form XObjects counted as the layout is made ---------------


def _device_class() -> type:
    from pdfplumber.page import PDFPageAggregatorWithMarkedContent

    class Device(PDFPageAggregatorWithMarkedContent):
        """pdfplumber's page device, counting what it makes against the budget."""

        budget: Budget
        chars = 0
        invisible = 0  #: characters drawn invisibly (text render mode 3 or 7: an OCR layer over a scan)
        graphics = 0
        xobjects = 0
        depth = 0
        _painting = False

        def render_char(self, *args: Any, **kwargs: Any) -> float:
            budget = self.budget
            budget.chars += 1
            self.chars += 1
            if self.chars > budget.limits.max_page_chars:
                raise LimitReached("max_page_chars", budget.limits.max_page_chars, "the page has more characters")
            if budget.chars > budget.limits.max_chars:
                raise LimitReached("max_chars", budget.limits.max_chars, "the PDF has more characters than allowed")
            return float(super().render_char(*args, **kwargs))

        def render_string(self, textstate: Any, *args: Any, **kwargs: Any) -> None:
            before = self.chars
            super().render_string(textstate, *args, **kwargs)
            if getattr(textstate, "render", 0) in (3, 7):
                self.invisible += self.chars - before

        def paint_path(self, gstate: Any, stroke: Any, fill: Any, evenodd: Any, path: Any) -> None:
            limit = self.budget.limits.max_graphics
            if self._painting:  # a path of several pieces: pdfminer paints each piece on its own
                super().paint_path(gstate, stroke, fill, evenodd, path)
                return
            if len(path) > limit:  # one path of more segments than a page may draw objects
                raise LimitReached("max_graphics", limit, "the page draws a path of more segments")
            self._painting = True
            item = self.cur_item
            before = len(item._objs)
            try:
                super().paint_path(gstate, stroke, fill, evenodd, path)
            finally:
                self._painting = False
            self.graphics += len(item._objs) - before  # the lines, rectangles and curves it made
            if self.graphics > limit:
                raise LimitReached("max_graphics", limit, "the page draws more lines, rectangles and curves")

    return Device


def _interpreter_class() -> type:
    from pdfminer.pdfinterp import PDFPageInterpreter

    class Interpreter(PDFPageInterpreter):
        """pdfminer's interpreter, counting the Form XObjects a page draws, how deep they nest, and path segments."""

        def _path_grows(self) -> None:
            device: Any = self.device
            limit = device.budget.limits.max_graphics
            if len(self.curpath) >= limit:  # stopped while the path is built, not once it is painted
                raise LimitReached("max_graphics", limit, "the page draws a path of more segments")

        def do_l(self, x: Any, y: Any) -> None:  # pdfminer counts the operands: the same parameters
            self._path_grows()
            super().do_l(x, y)

        def do_c(self, x1: Any, y1: Any, x2: Any, y2: Any, x3: Any, y3: Any) -> None:
            self._path_grows()
            super().do_c(x1, y1, x2, y2, x3, y3)

        def do_re(self, x: Any, y: Any, w: Any, h: Any) -> None:
            self._path_grows()
            super().do_re(x, y, w, h)

        def do_Do(self, xobjid_arg: Any) -> None:
            device: Any = self.device
            limits = device.budget.limits
            device.xobjects += 1
            if device.xobjects > limits.max_xobjects:
                raise LimitReached("max_xobjects", limits.max_xobjects, "the page draws more Form XObjects")
            if device.depth >= limits.max_depth:
                raise LimitReached("max_depth", limits.max_depth, "the page's Form XObjects nest deeper")
            device.depth += 1
            try:
                super().do_Do(xobjid_arg)
            finally:
                device.depth -= 1

    return Interpreter


_CLASSES: dict[str, type] = {}


def _classes() -> tuple[type, type]:
    if "device" not in _CLASSES:
        _CLASSES["device"] = _device_class()
        _CLASSES["interpreter"] = _interpreter_class()
    return _CLASSES["device"], _CLASSES["interpreter"]


def page_class() -> type:
    """A pdfplumber ``Page`` class whose layout is made by the counting device and interpreter."""
    if "page" not in _CLASSES:
        from pdfplumber.page import Page

        class BoundedPage(Page):
            """A pdfplumber page made within the budget of the parse (set as ``budget``)."""

            budget: Budget
            invisible_chars = 0  #: characters of the page drawn invisibly (known once its layout is made)

            @property
            def layout(self) -> Any:
                if hasattr(self, "_layout"):
                    return self._layout
                device_cls, interpreter_cls = _classes()
                device = device_cls(self.pdf.rsrcmgr, pageno=self.page_number, laparams=self.pdf.laparams)
                device.budget = self.budget
                interpreter = interpreter_cls(self.pdf.rsrcmgr, device)
                interpreter.process_page(self.page_obj)  # foreign exceptions are the caller's to wrap
                self._layout = device.get_result()
                self.invisible_chars = device.invisible
                return self._layout

        _CLASSES["page"] = BoundedPage
    return _CLASSES["page"]
