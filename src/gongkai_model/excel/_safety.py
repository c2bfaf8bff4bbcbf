"""Opening workbooks from outside: limits before parsing, and one error type for every failure."""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

from ..errors import ExcelError, Problem
from ..limits import Limits

__all__ = ["ExcelError", "Limits", "check_zip", "escape_text", "safe_text", "unescape_text"]

# openpyxl parses with defusedxml when it is installed, refusing entity declarations instead of
# expanding them. It is a dependency; importing it here makes a broken install fail loudly.
import defusedxml  # noqa: F401

#: Excel's limit on the characters of one cell; openpyxl would silently write longer texts.
MAX_CELL_CHARS = 32_767


def check_zip(data: bytes, limits: Limits, name: str) -> None:
    """Refuse, before anything is unpacked, what is not a zip or unpacks beyond ``limits``."""
    if not data.startswith(b"PK") or not zipfile.is_zipfile(io.BytesIO(data)):
        raise ExcelError("not a workbook", [Problem(name, "not an .xlsx file (not a zip archive)")])
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if len(members) > limits.max_members:
                raise ExcelError("workbook refused", [Problem(name, f"{len(members)} members in the archive")])
            total = 0
            for m in members:
                total += m.file_size
                ratio = m.file_size / max(m.compress_size, 1)
                if m.file_size > limits.max_member_bytes or ratio > limits.max_ratio:
                    raise ExcelError(
                        "workbook refused",
                        [
                            Problem(
                                f"{name}!{m.filename}",
                                f"unpacks to {m.file_size} bytes from {m.compress_size} (ratio {ratio:.0f}; "
                                f"limits {limits.max_member_bytes} bytes, ratio {limits.max_ratio:.0f})",
                            )
                        ],
                    )
            if total > limits.max_unpacked_bytes:
                raise ExcelError(
                    "workbook refused",
                    [Problem(name, f"unpacks to {total} bytes; the limit is {limits.max_unpacked_bytes}")],
                )
    except ExcelError:
        raise
    except Exception as exc:  # zipfile fails in many ways on damaged archives (BadZipFile, ValueError, EOFError …)
        raise ExcelError("damaged workbook", [Problem(name, f"{type(exc).__name__}: {exc}")]) from None


_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")
_PATTERN_START = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)")


def escape_text(text: str) -> str:
    """OOXML's escape for what XML would change: a literal ``_xHHHH_`` keeps its underscore, ``\r`` stays ``\r``."""
    return _PATTERN_START.sub("_x005F_", text).replace("\r", "_x000D_")


def unescape_text(text: str) -> str:
    """Undo OOXML's ``_xHHHH_`` escapes (as Excel writes them, and :func:`escape_text`)."""
    return _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text) if "_x" in text else text


def safe_text(cell: Any, text: str) -> None:
    """Write ``text`` as a plain string: never a formula (``=…``) or an error value (``#N/A``)."""
    cell.value = escape_text(text)
    cell.data_type = "s"
