"""Pictures: a report (or its tables) published as ``.png``, ``.jpg``, ``.tif``, ``.bmp``, ``.gif`` or ``.webp``.

The picture is read by OCR (the ``[ocr]`` extra: ``pip install 'gongkai-model[ocr]'``) through the
one producer of the reading core for pictures, :func:`._ocr.picture_blocks`: tables from the
ruling lines (merged cells from missing rulings), each cell's text recognised with its confidence
and its glyph alternatives, the text outside the tables as paragraphs. Each frame of a
multi-page TIFF (or GIF) is one picture: cells are placed at ``Place(source, image=k, table=t,
row=r, column=c, box=(x0, y0, x1, y1))`` in that frame's own pixels. Without the engine, reading
raises :class:`~gongkai_model.errors.ReadError` with ``READ_OCR_UNAVAILABLE``.
"""

from __future__ import annotations

from ..errors import Place, Problem
from ..limits import DEFAULT_LIMITS, Limits
from ._document import CellBudget, Document
from ._ocr import picture_blocks
from ._reader import Reader, assembled, make_reader

__all__ = ["PICTURE_SUFFIXES", "parse_image", "read_image"]

#: The suffixes of the pictures read.
PICTURE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".gif", ".webp")


def parse_image(data: bytes, *, source: str = "<image>", limits: Limits = DEFAULT_LIMITS) -> Document:
    """The document a picture shows, read by OCR (see the module's docstring)."""
    problems: list[Problem] = []
    blocks = picture_blocks(
        data, source=source, page=None, image=1, limits=limits, problems=problems, budget=CellBudget(limits.max_cells)
    )
    if not blocks and not problems:
        problems.append(
            Problem.at(Place(source, image=1), "no text was found in the picture", code="READ_NOT_A_REPORT")
        )
    return Document(source, tuple(blocks), tuple(problems))


read_image: Reader = make_reader(
    assembled(parse_image),
    __name__,
    "image",
    "picture",
    doc="""Read a report from a picture (PNG, JPEG, TIFF, BMP, GIF or WebP) by OCR.

    Needs the ``[ocr]`` extra; see :mod:`gongkai_model.formats.image`. Every figure read carries its
    recognition (``Provenance.confidence``, ``Provenance.alternatives``) and its place in the picture.
    """,
)
