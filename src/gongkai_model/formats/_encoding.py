"""Encodings as the bytes are, not as declared: one decoder for web pages, text and Markdown.

The rules, in order:

1. a byte order mark decides (UTF-8, UTF-16 LE/BE), whatever is declared;
2. bytes that are all ASCII are ASCII;
3. bytes that are valid UTF-8 are UTF-8 (a GBK or GB18030 text is practically never valid UTF-8,
   while UTF-8 text read as GBK often "succeeds" as garbage);
4. the declared encoding (a page's ``<meta charset>``), when it is usable and decodes the bytes
   without error;
5. GB18030 (a superset of GBK and GB2312), when it decodes the bytes without error;
6. otherwise the declared encoding (or GB18030) with undecodable bytes shown as U+FFFD.

A declared encoding is *usable* when Python knows it, it is a text encoding (not ``rot13``,
``base64``, ``zlib`` …) and it reads printable ASCII as itself, as every encoding a page can be
declared in does (so not ``idna``, ``punycode``, ``undefined``, ``utf-7``, ``unicode_escape``,
UTF-16/32 without a BOM, EBCDIC). ``gbk``/``gb2312`` are read as GB18030, their superset.

What was used is returned with a note whenever it differs from the declaration, or when bytes
had to be replaced; the readers turn the note into a ``READ_ENCODING`` warning.

>>> decoded = decode_bytes("年度报告".encode("gbk"), "utf-8")
>>> decoded.text, decoded.encoding, decoded.note
('年度报告', 'gb18030', "the bytes are not the declared encoding 'utf-8'; read as gb18030")
>>> decode_bytes(b"abc", "idna").note is None  # ASCII reads the same in every usable encoding
True
"""

from __future__ import annotations

import codecs

import attrs

__all__ = ["Decoded", "decode_bytes", "usable_encoding"]

_BOMS = (
    (codecs.BOM_UTF8, "utf-8", "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16", "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "utf-16"),
)
_GB = frozenset({"gbk", "gb2312", "gb18030", "cp936", "euc_cn", "euccn", "x-gbk", "x_gbk", "gb_2312-80", "csgb2312"})
#: text codecs that are not the encoding of a document (domain names, Python literals, a codec that refuses all)
_NOT_PAGES = frozenset({"idna", "punycode", "undefined", "utf-7", "unicode-escape", "raw-unicode-escape"})
_ASCII = bytes(range(0x20, 0x7F)) + b"\t\n\r"
_MAX_NAME = 40


@attrs.frozen
class Decoded:
    """The text of some bytes, the encoding it was read in, and what a reader should say about it."""

    text: str
    encoding: str  #: the codec used (``utf-8``, ``gb18030``, ``utf-16`` …)
    declared: str | None  #: the declaration as found (``None`` when nothing was declared)
    clean: bool  #: no byte had to be replaced
    note: str | None  #: why the encoding used is not the declared one, or that bytes were replaced


def usable_encoding(name: str | None) -> str | None:
    """The codec a declared encoding name stands for, or ``None`` when it cannot be a page's encoding.

    >>> usable_encoding("GB2312"), usable_encoding("UTF8"), usable_encoding("latin1")
    ('gb18030', 'utf-8', 'iso8859-1')
    >>> [usable_encoding(n) for n in ("idna", "punycode", "undefined", "rot13", "base64", "utf-7", "utf-16", "nope")]
    [None, None, None, None, None, None, None, None]
    """
    if not name or len(name) > _MAX_NAME:
        return None
    key = name.strip().lower()
    if key in _GB:
        return "gb18030"
    try:
        info = codecs.lookup(key)
    except (LookupError, ValueError, TypeError):
        return None
    if not getattr(info, "_is_text_encoding", True) or info.name in _NOT_PAGES:
        return None
    if info.name in ("utf-8", "utf-8-sig"):
        return "utf-8"
    if info.name in _GB:
        return "gb18030"
    try:
        if info.decode(_ASCII)[0] != _ASCII.decode("ascii"):
            return None
    except Exception:
        return None
    return info.name


def _strict(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except Exception:
        return None


def decode_bytes(data: bytes, declared: str | None = None) -> Decoded:
    """Decode ``data`` by what its bytes are (see the module's rules); ``declared`` is the encoding a page names."""
    for bom, name, codec in _BOMS:
        if data.startswith(bom):
            text = data.decode(codec, errors="replace")
            clean = _strict(data, codec) is not None
            note = None if clean else f"the bytes after the {name} byte order mark are not all {name}; shown as U+FFFD"
            return Decoded(text.removeprefix("\ufeff"), name, declared, clean, note)
    usable = usable_encoding(declared)
    if data.isascii():
        return Decoded(data.decode("ascii"), usable or "ascii", declared, True, None)
    candidates = []
    if usable is not None and usable != "utf-8":
        candidates.append(usable)
    if "gb18030" not in candidates:
        candidates.append("gb18030")
    utf8 = _strict(data, "utf-8")
    if utf8 is not None:
        return Decoded(utf8, "utf-8", declared, True, _differs(declared, usable, "utf-8"))
    if usable is not None and usable != "utf-8" and _single_byte(usable):
        # a single-byte declaration reads any bytes; Chinese text in GB18030 is the bytes' own reading
        chinese = _strict(data, "gb18030")
        if chinese is not None and _looks_chinese(chinese):
            return Decoded(chinese, "gb18030", declared, True, _differs(declared, usable, "gb18030"))
    for encoding in candidates:
        strict = _strict(data, encoding)
        if strict is not None:
            return Decoded(strict, encoding, declared, True, _differs(declared, usable, encoding))
    fallback = usable or "gb18030"
    text = data.decode(fallback, errors="replace")
    what = f"the declared {declared!r}" if usable is not None else "UTF-8 or GB18030"
    if declared is not None and usable is None:
        what = f"UTF-8 or GB18030 (the declared {declared!r} is not a usable text encoding)"
    note = f"the bytes are not {what}; read as {fallback} with undecodable bytes shown as U+FFFD"
    return Decoded(text, fallback, declared, False, note)


def _single_byte(encoding: str) -> bool:
    """Whether ``encoding`` reads every byte as one character (Latin-1, cp1252, KOI8 …)."""
    try:
        return len(bytes(range(0x80, 0x100)).decode(encoding, errors="replace")) == 0x80
    except Exception:
        return False


def _looks_chinese(text: str) -> bool:
    """Whether the non-ASCII characters of ``text`` are (at least nine in ten) CJK ideographs and punctuation."""
    wide = [ch for ch in text if ord(ch) > 0x7F]
    cjk = sum(
        1 for ch in wide if "\u3000" <= ch <= "\u303f" or "\u4e00" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef"
    )
    return bool(wide) and cjk * 10 >= len(wide) * 9


def _differs(declared: str | None, usable: str | None, used: str) -> str | None:
    if declared is None or usable == used:
        return None
    if usable is None:
        return f"the declared encoding {declared!r} is not a usable text encoding; read as {used}"
    return f"the bytes are not the declared encoding {declared!r}; read as {used}"
