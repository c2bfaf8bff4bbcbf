"""What an OLE compound file (``D0 CF 11 E0``) holds, from its directory, read within bounds.

Legacy Word ``.doc``, legacy Excel ``.xls``, PowerPoint ``.ppt`` and password-protected OOXML
files (``.docx``/``.xlsx`` saved with a password) all start with the same eight bytes. What they
are is said by the names of the streams at the top of their directory: ``WordDocument`` (Word),
``Workbook`` or ``Book`` (Excel), ``EncryptedPackage`` (encrypted OOXML). :func:`root_streams`
reads those names only (no stream's content), following the file allocation table with every
chain bounded by the file's own sector count and guarded against cycles, so a hostile file can
neither loop nor allocate beyond its size.

>>> root_streams(b"not an OLE file") is None
True
"""

from __future__ import annotations

import struct

__all__ = ["SIGNATURE", "kind_of", "root_streams"]

SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_END = 0xFFFFFFFE  # ENDOFCHAIN
_FREE = 0xFFFFFFFF
_NOSTREAM = 0xFFFFFFFF
_MAX_ENTRIES = 100_000  #: directory entries read at most (a real document has a few dozen)


def _chain(start: int, fat: list[int], sectors: int) -> list[int]:
    """The sectors of the chain from ``start``: bounded by the file's sectors, a cycle ends it."""
    out: list[int] = []
    seen: set[int] = set()
    at = start
    while at < sectors and at not in seen and len(out) < sectors:
        seen.add(at)
        out.append(at)
        at = fat[at] if at < len(fat) else _END
    return out


def root_streams(data: bytes) -> set[str] | None:
    """The names of the streams and storages at the top of the directory, or ``None`` if ``data`` is not OLE.

    A directory that cannot be followed (a damaged or truncated file) gives the names found so far.
    """
    if len(data) < 512 or not data.startswith(SIGNATURE):
        return None
    shift = struct.unpack_from("<H", data, 0x1E)[0]
    if shift not in (9, 12):
        return None
    size = 1 << shift
    base = 512 if shift == 9 else size  # version 4 files pad the header to a whole 4096-byte sector
    sectors = max(0, (len(data) - base + size - 1) // size)

    def sector(n: int) -> bytes:
        start = base + n * size
        return data[start : start + size]

    n_fat, first_dir = struct.unpack_from("<I", data, 0x2C)[0], struct.unpack_from("<I", data, 0x30)[0]
    first_difat, n_difat = struct.unpack_from("<I", data, 0x44)[0], struct.unpack_from("<I", data, 0x48)[0]
    fat_sectors = [s for s in struct.unpack_from("<109I", data, 0x4C) if s < sectors]
    per = size // 4
    seen: set[int] = set()
    at = first_difat
    for _ in range(min(n_difat, sectors)):
        if at >= sectors or at in seen:
            break
        seen.add(at)
        values = struct.unpack(f"<{per}I", sector(at).ljust(size, b"\xff"))
        fat_sectors.extend(s for s in values[:-1] if s < sectors)
        at = values[-1]
    fat: list[int] = []
    for s in fat_sectors[: min(n_fat, sectors)]:
        fat.extend(struct.unpack(f"<{per}I", sector(s).ljust(size, b"\xff")))
        if len(fat) >= sectors:
            break
    entries: list[bytes] = []
    for s in _chain(first_dir, fat, sectors):
        blob = sector(s)
        entries.extend(blob[i : i + 128] for i in range(0, len(blob) - 127, 128))
        if len(entries) >= _MAX_ENTRIES:
            break
    if not entries:
        return set()

    def name(entry: bytes) -> str:
        length = min(struct.unpack_from("<H", entry, 0x40)[0], 64)
        return entry[: max(length - 2, 0)].decode("utf-16-le", "replace")

    names: set[str] = set()
    root = entries[0]
    todo = [struct.unpack_from("<I", root, 0x4C)[0]]
    visited: set[int] = set()
    while todo:
        i = todo.pop()
        if i == _NOSTREAM or i >= len(entries) or i in visited:
            continue
        visited.add(i)
        entry = entries[i]
        if entry[0x42] in (1, 2):  # a storage or a stream
            names.add(name(entry))
        todo.extend(struct.unpack_from("<II", entry, 0x44))  # left and right siblings
    return names


def kind_of(data: bytes) -> str:
    """``"doc"``, ``"xls"``, ``"encrypted"``, ``"ppt"``, ``"other"`` (an OLE file of another kind) or ``"damaged"``.

    >>> kind_of(b"\\xd0\\xcf\\x11\\xe0 cut short")
    'damaged'
    """
    try:
        names = root_streams(data)
    except (struct.error, IndexError, ValueError):
        names = None
    if not names:
        return "damaged"
    if "EncryptedPackage" in names:
        return "encrypted"
    if "WordDocument" in names:
        return "doc"
    if names & {"Workbook", "Book"}:
        return "xls"
    if "PowerPoint Document" in names:
        return "ppt"
    return "other"
