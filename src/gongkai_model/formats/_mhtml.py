"""MHTML ("single file web page", ``.mht``/``.mhtml``, often published as ``.doc``): its web page, read as HTML.

An MHTML file is a MIME ``multipart/related`` message whose first ``text/html`` part is the page;
the other parts (images, style sheets) are never decoded nor fetched. The message is parsed with
the standard library (:class:`email.parser.BytesParser`) within bounds counted *before* parsing:
the file within ``Limits.max_file_bytes``, at most ``Limits.max_members`` parts (delimiter lines of
the message's declared boundaries), at most ``Limits.max_depth`` boundaries (multiparts nested that
deep), and the decoded page within ``Limits.max_member_bytes``. The parser's ``policy.compat32``
keeps headers as text: ``policy.default`` parses every header it is asked for into a tree, which
took 34 s for a ``Content-Type`` of 50,000 parameters and raised ``RecursionError`` on 20,000
nested comments (``tests/test_mhtml.py``). The page's declared charset (its ``Content-Type``'s
``charset``) is the declared encoding of
:func:`~._encoding.decode_bytes`; the page itself is then read by :func:`~.html.parse_html`.

>>> import email.message
>>> msg = email.message.EmailMessage()
>>> msg.set_content("<html><body><p>年度报告</p></body></html>", subtype="html", charset="gb2312", cte="base64")
>>> msg.make_related()
>>> page, problems = html_part(msg.as_bytes(), "report.doc", DEFAULT_LIMITS)
>>> page[:12], problems
('<html><body>', [])
"""

from __future__ import annotations

import email.errors
import re
from email import policy
from email.message import Message
from email.parser import BytesParser
from email.utils import collapse_rfc2231_value

import attrs

from ..errors import Place, Problem, ReadError
from ..limits import DEFAULT_LIMITS, Limits
from ._document import Document
from ._encoding import decode_bytes, usable_encoding
from ._reader import Reader, assembled, make_reader

__all__ = ["html_part", "parse_mhtml", "read_mhtml"]

#: A ``boundary=`` parameter anywhere in the message (quoted or not), as the MIME grammar allows it.
_BOUNDARY = re.compile(rb"""boundary\s*=\s*(?:"((?:[^"\\\r\n]|\\.){1,200})"|([^\s;"]{1,200}))""", re.IGNORECASE)
#: An RFC 2231 boundary (``boundary*=``, ``boundary*0=``): its value is not read here, every ``--`` line counts.
_BOUNDARY_2231 = re.compile(rb"boundary\s*\*", re.IGNORECASE)
_ANY_DELIMITER = re.compile(rb"^--(?!>)", re.MULTILINE)
#: A line that may be a delimiter: ``--`` then up to 200 characters (a boundary is at most 70).
_DELIMITER = re.compile(rb"^--([^\r\n]{1,204})", re.MULTILINE)
_MAX_CHARSET = 40
_CHARSET_IN_HTML = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.IGNORECASE)


def _fail(name: str, message: str, code: str) -> ReadError:
    return ReadError("cannot read this MHTML file", [Problem(name, message, code=code, place=Place(name))])


def _boundaries(data: bytes) -> set[bytes]:
    """Every ``boundary=`` value declared anywhere in the message (unquoted, trailing blanks dropped)."""
    found = {
        re.sub(rb"\\(.)", rb"\1", m.group(1)) if m.group(1) is not None else m.group(2)
        for m in _BOUNDARY.finditer(data)
    }
    return {b.rstrip() for b in found}


def _count(data: bytes, name: str, limits: Limits) -> None:
    """Refuse a message with more parts or deeper multiparts than the limits, before it is parsed."""
    boundaries = _boundaries(data)
    if len(boundaries) > limits.max_depth:
        raise _fail(
            name,
            f"the message declares {len(boundaries)} multipart boundaries, more than {limits.max_depth} "
            "(Limits.max_depth): multiparts nested too deep to read",
            "READ_LIMIT",
        )
    if _BOUNDARY_2231.search(data) is not None:  # a boundary this scan does not read: every ``--`` line counts
        if len(_ANY_DELIMITER.findall(data)) > limits.max_members + limits.max_depth:
            raise _fail(
                name, f"the message has more than {limits.max_members} parts (Limits.max_members)", "READ_LIMIT"
            )
        return
    parts = 0
    for m in _DELIMITER.finditer(data):
        line = m.group(1).rstrip()
        if line in boundaries or (line.endswith(b"--") and line[:-2] in boundaries):
            parts += 1
            if parts > limits.max_members + len(boundaries):  # one delimiter per part, one close per multipart
                raise _fail(
                    name,
                    f"the message has more than {limits.max_members} parts (Limits.max_members)",
                    "READ_LIMIT",
                )


#: The header block of a part (up to its blank line), and a ``Content-Type`` in it naming a binary type.
_HEADER_END = re.compile(rb"\r?\n\r?\n")
_BINARY_TYPE = re.compile(
    rb"^content-type[ \t]*:[ \t]*(?:image|audio|video|font|application)/", re.IGNORECASE | re.MULTILINE
)
_MAX_HEADER = 64 * 1024


def _without_binary_bodies(data: bytes) -> bytes:
    """``data`` with the bodies of its image, audio, video, font and application parts left out.

    Those parts are never decoded, yet the standard parser would keep each of their lines as an object
    (a 50 MB image in 8-byte lines took 970 MiB). A part is cut only when its own header block, found within
    64 KiB of its delimiter line, names such a type; its headers and every delimiter stay, so the
    message's structure and its defects (a missing closing boundary) are what they were.
    """
    boundaries = _boundaries(data)
    if not boundaries:
        return data
    starts = []
    for m in _DELIMITER.finditer(data):
        line = m.group(1).rstrip()
        if line in boundaries or (line.endswith(b"--") and line[:-2] in boundaries):
            starts.append(m.start())
    pieces: list[bytes] = []
    kept = 0
    for here, after in zip(starts, [*starts[1:], len(data)], strict=True):
        end = _HEADER_END.search(data, here, min(after, here + _MAX_HEADER))
        if end is None or _BINARY_TYPE.search(data, here, end.start()) is None:
            continue
        pieces.append(data[kept : end.end()])
        pieces.append(b"\r\n")  # the line break before the next delimiter belongs to it
        kept = after
    if not pieces:
        return data
    pieces.append(data[kept:])
    return b"".join(pieces)


def _depth(msg: Message, limit: int) -> bool:
    """Whether the multiparts of ``msg`` are nested at most ``limit`` deep (walked without recursion)."""
    stack = [(msg, 0)]
    while stack:
        part, depth = stack.pop()
        if depth > limit:
            return False
        payload = part.get_payload() if part.is_multipart() else None
        if isinstance(payload, list):
            stack.extend((child, depth + 1) for child in payload if isinstance(child, Message))
    return True


def _first_html(msg: Message) -> Message | None:
    """The first ``text/html`` part in document order (walked without recursion), or ``None``."""
    stack = [msg]
    while stack:
        part = stack.pop()
        if part.is_multipart():
            payload = part.get_payload()
            if isinstance(payload, list):
                stack.extend(reversed([child for child in payload if isinstance(child, Message)]))
        elif part.get_content_type() == "text/html":
            return part
    return None


def html_part(data: bytes, name: str, limits: Limits) -> tuple[str, list[Problem]]:
    """The text of the message's first ``text/html`` part, and what was noticed (``READ_ENCODING``, truncation).

    A message that is not MHTML, is damaged or exceeds a limit raises :class:`~gongkai_model.ReadError`
    (``READ_NOT_A_REPORT``, ``READ_DAMAGED``, ``READ_LIMIT``).
    """
    if len(data) > limits.max_file_bytes:
        raise _fail(
            name,
            f"the message has {len(data)} bytes, more than {limits.max_file_bytes} (Limits.max_file_bytes)",
            "READ_LIMIT",
        )
    data = data[:8192].lstrip(b"\xef\xbb\xbf \t\r\n") + data[8192:]  # a BOM or blank lines before the headers
    _count(data, name, limits)
    data = _without_binary_bodies(data)
    try:
        msg = BytesParser(policy=policy.compat32).parsebytes(data)
    except RecursionError:
        raise _fail(name, "RecursionError: the message is nested too deeply to parse", "READ_LIMIT") from None
    except MemoryError:
        raise _fail(name, "MemoryError: the message is too large to parse", "READ_LIMIT") from None
    except Exception as exc:  # the parser is lenient; anything it still raises means a damaged message
        raise _fail(name, f"the message cannot be parsed: {type(exc).__name__}: {exc}", "READ_DAMAGED") from None
    if not _depth(msg, limits.max_depth):
        raise _fail(name, f"multiparts nested deeper than {limits.max_depth} (Limits.max_depth)", "READ_LIMIT")
    part = _first_html(msg)
    if part is None:
        if msg.get_content_maintype() == "multipart" and not msg.is_multipart():
            raise _fail(
                name, f"the message says {msg.get_content_type()} but has no parts (no boundary)", "READ_DAMAGED"
            )
        if msg.is_multipart():
            raise _fail(name, "an MHTML message with no web page (no text/html part)", "READ_NOT_A_REPORT")
        raise _fail(name, "not an MHTML file (no MIME multipart/related message with a web page)", "READ_NOT_A_REPORT")
    problems: list[Problem] = []
    try:
        payload = _decoded_payload(part, name, limits)
    except ReadError:
        raise
    except MemoryError:
        raise _fail(name, "MemoryError: the web page part is too large to decode", "READ_LIMIT") from None
    except Exception as exc:
        raise _fail(name, f"the web page part cannot be decoded: {type(exc).__name__}: {exc}", "READ_DAMAGED") from None
    if not isinstance(payload, bytes):
        raise _fail(name, "the web page part cannot be decoded", "READ_DAMAGED")
    if len(payload) > limits.max_member_bytes:
        raise _fail(
            name,
            f"the web page part decodes to {len(payload)} bytes, more than {limits.max_member_bytes} "
            "(Limits.max_member_bytes)",
            "READ_LIMIT",
        )
    if any(isinstance(d, email.errors.CloseBoundaryNotFoundDefect) for d in _defects(msg)):
        problems.append(
            Problem(
                name,
                "the message ends before its closing boundary (a truncated file?): its web page is read as found",
                code="READ_DAMAGED",
                severity="warning",
                place=Place(name),
            )
        )
    charset = part.get_param("charset")
    if isinstance(charset, tuple):  # an RFC 2231 value
        charset = collapse_rfc2231_value(charset)
    declared = charset[:_MAX_CHARSET] if isinstance(charset, str) else None
    if usable_encoding(declared) is None:  # none declared, or no text encoding: the page's own <meta>, if any
        if declared is not None:
            problems.append(
                Problem(
                    name,
                    f"the web page part declares the charset {declared!r}, which is not a usable text encoding; "
                    "the page is decoded by its own declaration and its bytes",
                    code="READ_ENCODING",
                    severity="warning",
                    place=Place(name),
                )
            )
        m = _CHARSET_IN_HTML.search(payload[:4096])
        declared = m.group(1).decode("ascii", "replace") if m is not None else None
    decoded = decode_bytes(payload, declared)
    if decoded.note is not None:
        problems.append(Problem(name, decoded.note, code="READ_ENCODING", severity="warning", place=Place(name)))
    return decoded.text, problems


def _decoded_payload(part: Message, name: str, limits: Limits) -> bytes:
    """The bytes of ``part`` with its transfer encoding (base64, quoted-printable) undone, its charset untouched.

    Decoded bytes are never more than the encoded ones, which are within ``Limits.max_file_bytes``.
    """
    payload = part.get_payload(decode=True)  # lenient: bad base64 is a defect of the part, not an error
    if not isinstance(payload, bytes):
        raise _fail(name, "the web page part has no text", "READ_DAMAGED")
    return payload


def _defects(msg: Message) -> list[object]:
    found: list[object] = []
    stack = [msg]
    while stack:
        part = stack.pop()
        found.extend(part.defects)
        payload = part.get_payload() if part.is_multipart() else None
        if isinstance(payload, list):
            stack.extend(child for child in payload if isinstance(child, Message))
    return found


def parse_mhtml(data: bytes, *, source: str = "<mhtml>", limits: Limits = DEFAULT_LIMITS) -> Document:
    """The document of an MHTML file: its first web page parsed as HTML, after the MIME message's problems."""
    from .html import parse_html

    text, problems = html_part(data, source, limits)
    doc = parse_html(text, source=source, limits=limits)
    return attrs.evolve(doc, problems=(*problems, *doc.problems)) if problems else doc


read_mhtml: Reader = make_reader(
    assembled(parse_mhtml),
    __name__,
    "mhtml",
    "MHTML file",
    doc="""Read a report from an MHTML file (a path, bytes or a binary stream): its first web page, as HTML.

    The options are those of :func:`~gongkai_model.formats.html.read_html`; problems and provenance
    name the file itself.
    """,
)
