"""Opening workbooks from outside: limits before parsing, and one error type for every failure."""

from __future__ import annotations

import re
from typing import Any

from ..._zipsafe import unpack
from ...errors import ExcelError, ReadError
from ...limits import Limits

__all__ = ["ExcelError", "Limits", "check_zip", "escape_text", "safe_text", "unescape_text"]

# openpyxl parses with defusedxml when it is installed, refusing entity declarations instead of
# expanding them. It is a dependency; importing it here makes a broken install fail loudly.
import defusedxml  # noqa: F401

#: Excel's limit on the characters of one cell; openpyxl would silently write longer texts.
MAX_CELL_CHARS = 32_767


def check_zip(data: bytes, limits: Limits, name: str) -> dict[str, bytes]:
    """The members of the workbook ``data``, inflated within ``limits`` (the shared zip check).

    Nothing declared is trusted: each member is streamed through a counting reader and the bytes
    actually inflated are bounded (:func:`gongkai_model._zipsafe.unpack`). Raises
    :class:`ExcelError` with a coded problem (``READ_LIMIT``, ``READ_DAMAGED``, …).
    """
    try:
        return unpack(data, limits, name, "workbook")
    except ReadError as exc:
        raise ExcelError(str(exc).split("\n", 1)[0], exc.problems) from None


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
