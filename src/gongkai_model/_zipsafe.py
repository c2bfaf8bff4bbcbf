"""One check for zip containers from outside (Word ``.docx``, Excel ``.xlsx``, anything later).

A zip member says how large it unpacks (``ZipInfo.file_size``), and that is a claim, not a fact:
a bzip2 member declaring 40,000 bytes can inflate to gigabytes. :func:`unpack` therefore trusts
no declared size. It refuses members compressed with anything but *stored* and *deflate* (the only
methods Word and Excel write, and the only ones whose inflation can be stopped every few kilobytes),
then streams each member through a counting reader, in chunks, and stops at the first bound of
:class:`~gongkai_model.limits.Limits` reached: ``max_members``, ``max_member_bytes`` for one member,
``max_unpacked_bytes`` in all, and ``max_ratio`` (bytes actually inflated over bytes stored). The
readers then parse only the bytes this check produced, never the archive again.

Every failure is a :class:`~gongkai_model.errors.ReadError` whose problem has a code:
``READ_NOT_A_REPORT`` (not a zip), ``READ_LIMIT`` (a bound reached, a ``MemoryError`` included),
``READ_REFUSED`` (a compression method other than stored and deflate) or ``READ_DAMAGED`` (a
damaged archive: a bad checksum, a cut stream, an encrypted member).

>>> import io, zipfile
>>> from gongkai_model.limits import Limits
>>> buffer = io.BytesIO()
>>> with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
...     z.writestr("a.xml", "<a/>" * 1000)
>>> unpack(buffer.getvalue(), Limits(), "in.zip", "archive")["a.xml"][:8]
b'<a/><a/>'
>>> try:
...     unpack(buffer.getvalue(), Limits(max_member_bytes=1000), "in.zip", "archive")
... except ReadError as exc:
...     print(exc.problems[0].code, exc.problems[0].location, exc.problems[0].message)
READ_LIMIT in.zip!a.xml inflates to more than 1000 bytes (the limit for one member)
"""

from __future__ import annotations

import io
import zipfile
import zlib

from .errors import Place, Problem, ReadError
from .limits import Limits

__all__ = ["CHUNK", "pack", "unpack"]

#: Bytes asked of a member at a time: inflation is checked against the bounds after every chunk.
CHUNK = 64 * 1024
#: Below this many bytes inflated, a member is never refused for its ratio (a tiny part compresses well).
_RATIO_FLOOR = 1024 * 1024
_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflate"}
_NAMES = {zipfile.ZIP_BZIP2: "bzip2", zipfile.ZIP_LZMA: "lzma"}


def _refuse(name: str, what: str, problem: str, code: str, member: str | None = None) -> ReadError:
    where = f"{name}!{member}" if member else name
    verb = {"READ_DAMAGED": f"damaged {what}", "READ_NOT_A_REPORT": f"not a {what}"}.get(code, f"{what} refused")
    return ReadError(verb, [Problem(where, problem, code=code, place=Place(name))])


def _member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int, ratio_cap: float) -> bytes:
    """The bytes of one member, read in chunks; raises ``_Over`` once more than ``cap`` (or the ratio) came."""
    parts: list[bytes] = []
    got = 0
    stored = max(info.compress_size, 1)
    with archive.open(info) as fh:
        while True:
            chunk = fh.read(CHUNK)
            if not chunk:
                break
            got += len(chunk)
            if got > cap:
                raise _Over(got, "bytes")
            if got > _RATIO_FLOOR and got / stored > ratio_cap:
                raise _Over(got, "ratio")
            parts.append(chunk)
    return b"".join(parts)


class _Over(Exception):
    def __init__(self, got: int, why: str) -> None:
        super().__init__(got, why)
        self.got = got
        self.why = why


def unpack(data: bytes, limits: Limits, name: str, what: str) -> dict[str, bytes]:
    """The members of the zip ``data`` (folders left out), each inflated within ``limits``.

    ``name`` names the file in problems (``name!member`` for the member at fault), ``what`` says
    what it was meant to be (``"Word document"``, ``"workbook"``). Raises
    :class:`~gongkai_model.errors.ReadError`, never anything else.
    """
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        problem = "an OLE compound file (a legacy .doc or .xls, or a password-protected document), not a zip package"
        raise _refuse(name, what, problem, "READ_NOT_A_REPORT")
    if not data.startswith(b"PK"):
        raise _refuse(name, what, "not a zip archive", "READ_NOT_A_REPORT")
    # zipfile builds an object for every entry of the central directory before anything can be
    # counted: a 40 MB file of 500,000 empty members took 12 s and 400 MB. Count the entries'
    # signatures first (it can only overcount, by signatures inside compressed data).
    entries = data.count(b"PK\x01\x02")
    if entries > limits.max_members:
        raise _refuse(
            name,
            what,
            f"{entries} members in the archive's directory; the limit is {limits.max_members}",
            "READ_LIMIT",
        )
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise _refuse(name, what, "not a zip archive", "READ_NOT_A_REPORT")
    current: str | None = None  # the member being read, named by a failure
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = [m for m in archive.infolist() if not m.is_dir()]
            if len(members) > limits.max_members:
                raise _refuse(
                    name,
                    what,
                    f"{len(members)} members in the archive; the limit is {limits.max_members}",
                    "READ_LIMIT",
                )
            for m in members:
                if m.compress_type not in _METHODS:
                    method = _NAMES.get(m.compress_type, f"method {m.compress_type}")
                    known = m.compress_type in _NAMES
                    raise _refuse(
                        name,
                        what,
                        f"compressed with {method}; only stored and deflate members are read",
                        "READ_REFUSED" if known else "READ_DAMAGED",
                        m.filename,
                    )
                if m.flag_bits & 0x1:
                    raise _refuse(name, what, "an encrypted member", "READ_DAMAGED", m.filename)
            out: dict[str, bytes] = {}
            total = 0
            for m in members:
                current = m.filename
                cap = min(limits.max_member_bytes, limits.max_unpacked_bytes - total)
                try:
                    blob = _member(archive, m, cap, limits.max_ratio)
                except _Over as over:
                    if over.why == "ratio":
                        message = (
                            f"inflates to more than {over.got} bytes from {m.compress_size} "
                            f"(ratio over {limits.max_ratio:.0f}, the limit), whatever it declares ({m.file_size})"
                        )
                    elif cap < limits.max_member_bytes:
                        message = f"unpacks, with the members before it, to more than {limits.max_unpacked_bytes} bytes"
                    else:
                        message = f"inflates to more than {limits.max_member_bytes} bytes (the limit for one member)"
                    raise _refuse(name, what, message, "READ_LIMIT", m.filename) from None
                total += len(blob)
                out[m.filename] = blob
            return out
    except ReadError:
        raise
    except MemoryError:
        raise _refuse(name, what, "MemoryError while unpacking the archive", "READ_LIMIT", current) from None
    except zipfile.BadZipFile as exc:
        raise _refuse(name, what, str(exc), "READ_DAMAGED", current) from None
    except (zlib.error, EOFError, NotImplementedError, RuntimeError, OSError, ValueError, KeyError) as exc:
        # a damaged stream, a directory that points nowhere, a member cut short
        raise _refuse(name, what, f"{type(exc).__name__}: {exc}", "READ_DAMAGED", current) from None


def pack(members: dict[str, bytes]) -> bytes:
    """A stored (uncompressed) zip of ``members``: what :func:`unpack` checked, for a library that opens a zip."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        for member, blob in members.items():
            archive.writestr(zipfile.ZipInfo(member, (1980, 1, 1, 0, 0, 0)), blob)
    return out.getvalue()
