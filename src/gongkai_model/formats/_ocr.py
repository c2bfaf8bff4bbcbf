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

How a picture is read, step by step:

1. **Decoding** (Pillow), bounded: only PNG, JPEG, TIFF, BMP, GIF and WebP are opened; the size
   the header declares is checked against ``limits.max_image_pixels`` before any pixel is
   decoded, with Pillow's own bomb limit set to the same bound for the call (its warning an
   error); each frame of a multi-frame TIFF or GIF is one picture (``image`` counts on), at most
   ``limits.max_images``. A damaged or truncated file is a located ``READ_DAMAGED`` problem.
2. **Deskew**: the angle of the long horizontal rulings (1–2° in a scan) is measured and the
   picture turned back; every box is mapped back to the original picture's pixels.
3. **Text lines** are found once per picture by the engine's detector (PP-OCR, through
   ``rapidocr_onnxruntime``, whose wheel ships the models: nothing is ever downloaded).
4. **Tables** come from the ruling lines: long horizontal and vertical strokes kept by
   morphology (longer than a character, shorter than a row), joined into a line drawing; each
   region the lines close is a cell, and a border with no ruling leaves two regions one cell
   (a merge). The cells' edges give the table's columns and rows, as the PDF reader does with
   vector rulings.
5. **Text per cell**: each text line goes to the cell that holds its centre (a line that runs
   over a ruling is cut at it), is recognised inside the cell (no ruling in the crop), and a
   cell's lines are joined top to bottom (a wrapped label joined, a figure wrapped over lines
   joined). Text outside the tables is read in order as paragraphs.
6. **Confidence and alternatives** come from the recogniser's own per-step probabilities (its
   CTC output): a cell's confidence is its least sure character; its alternatives are the
   readings where a character's second choice is a digit with a real probability, ranked by
   joint probability (a handful at most).
"""

from __future__ import annotations

import bisect
import contextlib
import io
import itertools
import math
import os
import re
import threading
import time
import unicodedata
import warnings
from collections.abc import Iterator, Sequence
from typing import Any

import attrs

from .._optional import import_optional, install_hint, is_installed
from ..errors import Place, Problem, ReadError
from ..limits import Limits
from ._assemble import find_heading
from ._document import Block, CellBudget, Grid, Recognition, Span, ruled_rows

__all__ = ["ENGINE_MODULE", "ocr_available", "picture_blocks", "set_threads"]

#: The module of the OCR engine the ``[ocr]`` extra installs.
ENGINE_MODULE = "rapidocr_onnxruntime"
#: The picture formats read (Pillow's names); anything else is refused before it is decoded.
PICTURE_FORMATS = ("PNG", "JPEG", "TIFF", "BMP", "GIF", "WEBP")
#: The longest side the text detector sees (a larger picture is scaled down for detection only).
DETECT_SIDE = 1300
#: The detector scales a picture's short side up to 736 px: a long thin picture is padded (white, on the
#: right or below) to at most this ratio of its sides first, so what the detector works on stays bounded.
DETECT_RATIO = 4.0
#: A picture (or frame) with a side shorter than this (pixels) holds no line of text.
MIN_SIDE = 12
#: The longest side of the picture the skew is measured on.
SKEW_SIDE = 1200
#: A second choice of the recogniser at least this probable is an alternative reading.
ALTERNATIVE_PROBABILITY = 0.05
#: Alternatives kept per cell.
MAX_ALTERNATIVES = 4
#: The white margin around a line's ink in its crop, in ems (across, and above and below).
MARGIN_X = 0.2
MARGIN_Y = 0.08
#: The widest line the recogniser is given, as width over height (a wider crop is squeezed: bounded work).
MAX_RATIO = 80.0
#: Text lines recognised in one call of the recogniser.
REC_BATCH = 1

_CJK = re.compile(r"[\u3000-\u30ff\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")
_PAGE_NUMBER = re.compile(
    r"^(?:[-—–－_\s]*\d{1,4}[-—–－_\s]*|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?|\d{1,4}\s*/\s*\d{1,4})$"
)
_FRAGMENT = re.compile(r"[0-9０-９,，.]+")

_ENGINE_LOCK = threading.Lock()
_PIL_LOCK = threading.Lock()
_engine_cache: list[Any] = []
_threads: list[int | None] = [None]


def ocr_available() -> bool:
    """Whether the OCR engine of the ``[ocr]`` extra can be imported."""
    return is_installed(ENGINE_MODULE)


def set_threads(threads: int | None) -> None:
    """The number of threads the engine uses (``None``: ``GONGKAI_OCR_THREADS``, else ``OMP_NUM_THREADS``, else all).

    The engine is made once per process; setting another number makes it again when next used.
    """
    with _ENGINE_LOCK:
        if threads != _threads[0]:
            _threads[0] = threads
            _engine_cache.clear()


def _unavailable(place: Place) -> ReadError:
    return ReadError(
        "OCR is not available",
        [
            Problem.at(
                place,
                f"reading a picture needs the OCR engine; install it with: {install_hint('ocr')}",
                code="READ_OCR_UNAVAILABLE",
            )
        ],
    )


def _thread_count() -> int:
    if _threads[0] is not None:
        return max(1, _threads[0])
    for name in ("GONGKAI_OCR_THREADS", "OMP_NUM_THREADS"):
        value = os.environ.get(name, "")
        if value.isdigit() and int(value) > 0:
            return int(value)
    return -1


def _engine(place: Place) -> Any:
    """The engine, made once per process (thread-safe)."""
    with _ENGINE_LOCK:
        if _engine_cache:
            return _engine_cache[0]
        if not ocr_available():
            raise _unavailable(place)
        try:
            module = import_optional(ENGINE_MODULE, "ocr", purpose="reading pictures", error=ReadError)
        except ReadError:
            raise _unavailable(place) from None
        threads = _thread_count()
        try:
            engine = module.RapidOCR(intra_op_num_threads=threads, inter_op_num_threads=1 if threads > 0 else -1)
        except Exception as exc:  # a broken installation (a model file missing): said, not raised as is
            raise ReadError(
                "OCR is not available",
                [
                    Problem.at(
                        place,
                        f"the OCR engine could not be started ({_short(exc)}); "
                        f"reinstall it with: {install_hint('ocr')}",
                        code="READ_OCR_UNAVAILABLE",
                    )
                ],
            ) from None
        _engine_cache.append(engine)
        return engine


class _OutOfTime(Exception):
    """The picture's time (``Limits.max_image_seconds``) is spent."""

    def __init__(self, stage: str) -> None:
        super().__init__(stage)
        self.stage = stage


@attrs.define
class _Clock:
    deadline: float
    seconds: float

    def check(self, stage: str) -> None:
        if time.monotonic() > self.deadline:
            raise _OutOfTime(stage)


# -- decoding ---------------------------------------------------------------------------------------------


def _pillow(place: Place) -> Any:
    if not is_installed("PIL"):
        raise _unavailable(place)
    return import_optional("PIL", "ocr", purpose="reading pictures", package="pillow", also=("Image",))


@contextlib.contextmanager
def _bounded(image_module: Any, limits: Limits) -> Iterator[None]:
    """Pillow's bomb limit set to ``limits.max_image_pixels`` (its warning an error) for what runs inside."""
    with _PIL_LOCK, warnings.catch_warnings():
        warnings.simplefilter("error", image_module.DecompressionBombWarning)
        saved = image_module.MAX_IMAGE_PIXELS
        image_module.MAX_IMAGE_PIXELS = limits.max_image_pixels
        try:
            yield
        finally:
            image_module.MAX_IMAGE_PIXELS = saved


def _frames(data: bytes, place: Place, limits: Limits, problems: list[Problem]) -> Iterator[tuple[int, Any]]:
    """Each frame of the picture as a grey numpy array, with its number from 0, decoded one at a time.

    Pillow's bomb limit is ``limits.max_image_pixels`` while it works, and its warning an error;
    the size each frame declares is checked before it is decoded. What cannot be decoded is a
    problem appended to ``problems``.
    """
    import numpy as np

    pil = _pillow(place)
    image_module = pil.Image
    bombs = (image_module.DecompressionBombError, image_module.DecompressionBombWarning)

    def fail(message: str, code: str = "READ_DAMAGED", at: Place = place) -> None:
        problems.append(Problem.at(at, message, code=code))

    try:
        with _bounded(image_module, limits):
            im = image_module.open(io.BytesIO(data), formats=list(PICTURE_FORMATS))
    except bombs as exc:
        fail(f"the picture is larger than Limits.max_image_pixels ({limits.max_image_pixels}): {exc}", "READ_LIMIT")
        return
    except MemoryError:
        fail("decoding the picture ran out of memory (MemoryError); it was not read", "READ_LIMIT")
        return
    except Exception as exc:  # any failure of the decoder is a located problem
        fail(f"not a picture that can be read (PNG, JPEG, TIFF, BMP, GIF or WebP): {_short(exc)}")
        return
    for k in range(limits.max_images + 1):
        at = attrs.evolve(place, image=(place.image or 1) + k)
        try:
            with _bounded(image_module, limits):
                if k == limits.max_images:
                    if _has_frame(im, k):
                        fail(
                            f"the picture has more than {limits.max_images} frames (Limits.max_images); "
                            f"the first {limits.max_images} were read",
                            "READ_LIMIT",
                        )
                    return
                if k:
                    im.seek(k)
                width, height = im.size
                if width * height > limits.max_image_pixels:
                    fail(
                        f"the picture declares {width}×{height} pixels, more than Limits.max_image_pixels "
                        f"({limits.max_image_pixels}); it was not decoded",
                        "READ_LIMIT",
                        at,
                    )
                    return
                grey = _grey(im, image_module, np)
        except EOFError:
            return
        except MemoryError:
            fail("decoding the picture ran out of memory (MemoryError); it was not read", "READ_LIMIT", at)
            return
        except bombs as exc:
            fail(f"the picture is larger than Limits.max_image_pixels: {exc}", "READ_LIMIT", at)
            return
        except Exception as exc:  # a truncated or damaged frame
            fail(f"the picture is damaged or truncated: {_short(exc)}", at=at)
            return
        yield k, grey


def _has_frame(im: Any, k: int) -> bool:
    try:
        im.seek(k)
    except EOFError:
        return False
    except Exception:  # a damaged frame past the limit: not read either way
        return True
    return True


def _short(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {str(exc)[:200]}"


def _grey(im: Any, image_module: Any, np: Any) -> Any:
    """The frame as a grey ``uint8`` array, transparency on white."""
    if im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info):
        rgba = im.convert("RGBA")
        white = image_module.new("RGBA", rgba.size, (255, 255, 255, 255))
        white.alpha_composite(rgba)
        frame = white.convert("L")
    else:
        frame = im.convert("L")
    return np.asarray(frame, dtype=np.uint8).copy()


# -- geometry --------------------------------------------------------------------------------------------

Box = tuple[int, int, int, int]


@attrs.define
class _Frame:
    """One picture being read: the deskewed grey image and how to map its boxes back."""

    grey: Any  #: deskewed grey image (uint8)
    height: int
    width: int
    inverse: Any | None  #: 2×3 affine from the deskewed picture back to the original, or None
    angle: float

    def original(self, box: Sequence[float]) -> Box:
        """A box of the deskewed picture in the original picture's pixels."""
        x0, y0, x1, y1 = box
        if self.inverse is None:
            xs: Sequence[float] = (x0, x1)
            ys: Sequence[float] = (y0, y1)
        else:
            m = self.inverse
            corners = ((x0, y0), (x1, y0), (x0, y1), (x1, y1))
            xs = [m[0][0] * x + m[0][1] * y + m[0][2] for x, y in corners]
            ys = [m[1][0] * x + m[1][1] * y + m[1][2] for x, y in corners]
        return (
            max(0, math.floor(min(xs))),
            max(0, math.floor(min(ys))),
            min(self.width, math.ceil(max(xs))),
            min(self.height, math.ceil(max(ys))),
        )


def _skew(bw: Any, cv2: Any, np: Any) -> float:
    """The angle (degrees) of the long horizontal rulings of a binary picture, 0 when there are none.

    The strokes are thickened a little vertically (a tilted line is then unbroken), the long
    horizontal ones kept by morphology, and a straight line fitted to each; the median slope,
    weighted by length, is the skew.
    """
    w = bw.shape[1]
    thick = cv2.dilate(bw, np.ones((5, 1), np.uint8))
    long = cv2.morphologyEx(thick, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (max(20, w // 25), 1)))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(long, connectivity=8)
    angles: list[tuple[float, float]] = []
    for k in range(1, min(count, 2000)):
        x, y, cw, ch, _ = (int(v) for v in stats[k])
        if cw < w // 4 or ch > cw // 8:
            continue
        ys, xs = np.nonzero(labels[y : y + ch, x : x + cw] == k)
        if len(xs) < 10:
            continue
        slope = float(np.polyfit(xs.astype(np.float64), ys.astype(np.float64), 1)[0])
        angles.append((math.degrees(math.atan(slope)), float(cw)))
    if not angles:
        return 0.0
    angles.sort()
    half = sum(length for _, length in angles) / 2
    run = 0.0
    for a, length in angles:
        run += length
        if run >= half:
            return a
    return angles[-1][0]


def _deskewed(grey: Any, clock: _Clock, cv2: Any, np: Any) -> _Frame:
    h, w = grey.shape
    scale = min(1.0, SKEW_SIDE / max(h, w))
    small = grey if scale == 1.0 else cv2.resize(grey, (max(1, round(w * scale)), max(1, round(h * scale))))
    _, bw = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    angle = _skew(bw, cv2, np)
    clock.check("measuring the skew")
    if abs(angle) < 0.1:
        return _Frame(grey, h, w, None, 0.0)
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    turned = cv2.warpAffine(grey, matrix, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)
    return _Frame(turned, h, w, cv2.invertAffineTransform(matrix).tolist(), angle)


# -- text detection ---------------------------------------------------------------------------------------


def _detect(engine: Any, grey: Any, cv2: Any, np: Any) -> list[tuple[float, float, float, float]]:
    """The boxes (x0, y0, x1, y1) of the text lines the engine's detector finds."""
    h, w = grey.shape
    scale = min(1.0, DETECT_SIDE / max(h, w))
    small = grey if scale == 1.0 else cv2.resize(grey, (max(1, round(w * scale)), max(1, round(h * scale))))
    sh, sw = small.shape
    below, right = max(0, math.ceil(sw / DETECT_RATIO) - sh), max(0, math.ceil(sh / DETECT_RATIO) - sw)
    if below or right:  # boxes keep their coordinates; the padding holds no text, and boxes are clipped below
        small = cv2.copyMakeBorder(small, 0, below, 0, right, cv2.BORDER_CONSTANT, value=255)
    boxes, _ = engine.text_det(cv2.cvtColor(small, cv2.COLOR_GRAY2BGR))
    out = []
    for quad in [] if boxes is None else boxes:
        xs = [float(p[0]) / scale for p in quad]
        ys = [float(p[1]) / scale for p in quad]
        x0, y0, x1, y1 = max(0.0, min(xs)), max(0.0, min(ys)), min(float(w), max(xs)), min(float(h), max(ys))
        if x1 - x0 >= 2 and y1 - y0 >= 2:
            out.append((x0, y0, x1, y1))
    return out


# -- tables from ruling lines -----------------------------------------------------------------------------


@attrs.define
class _Cell:
    box: tuple[int, int, int, int]  #: interior, deskewed pixels (x0, y0, x1, y1), exclusive ends
    parts: list[tuple[float, float, float, float]] = attrs.field(factory=list)  #: detected text inside it
    pieces: list[_Piece] = attrs.field(factory=list)  #: what is recognised


@attrs.define
class _Table:
    box: tuple[int, int, int, int]
    cells: list[_Cell]
    xs: list[float] = attrs.field(factory=list)
    ys: list[float] = attrs.field(factory=list)


def _positions(values: Sequence[float], tolerance: float) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > tolerance:
            out.append(v)
    return out


def _index(positions: Sequence[float], value: float) -> int:
    """The index of the position nearest ``value`` (``positions`` sorted; the first of two as near)."""
    i = bisect.bisect_left(positions, value)
    if i == len(positions) or (i > 0 and value - positions[i - 1] <= positions[i] - value):
        return i - 1
    return i


def _tables(
    grey: Any, em: float, clock: _Clock, cv2: Any, np: Any, limit: int, refused: list[str]
) -> tuple[list[_Table], Any]:
    """The ruled tables of the picture (cells as the regions the rulings close), and the binary picture."""
    smooth = cv2.GaussianBlur(grey, (3, 3), 0)  # scan noise: single pixels are not ink
    _, bw = cv2.threshold(smooth, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    long = max(10, round(1.6 * em))
    horizontal = cv2.morphologyEx(bw, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (long, 1)))
    vertical = cv2.morphologyEx(
        bw, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(8, round(1.1 * em))))
    )
    gap = max(3, round(em / 4))
    horizontal = cv2.morphologyEx(horizontal, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (gap, 1)))
    vertical = cv2.morphologyEx(vertical, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (1, gap)))
    lines = cv2.dilate(cv2.bitwise_or(horizontal, vertical), np.ones((3, 3), np.uint8))
    clock.check("finding the ruling lines")
    count, labels, stats, _ = cv2.connectedComponentsWithStats(lines, connectivity=8)
    tables: list[_Table] = []
    smallest = max(4, round(em / 3))
    for k in range(1, count):
        x, y, bw_, bh, _area = (int(v) for v in stats[k])
        if bw_ < 4 * em or bh < 1.5 * em:
            continue
        roi = (labels[y : y + bh, x : x + bw_] == k).astype(np.uint8)
        roi[0, :] = roi[-1, :] = 1
        roi[:, 0] = roi[:, -1] = 1  # an open side (no outer ruling) closed by the table's box
        free = (1 - roi).astype(np.uint8)
        n, _, cstats, _ = cv2.connectedComponentsWithStats(free, connectivity=4)
        if n - 1 > limit:
            refused.append(f"a table of {n - 1} ruled regions at ({x},{y})-({x + bw_},{y + bh})")
            continue
        cells = []
        for j in range(1, n):
            cx, cy, cw, ch, _ = (int(v) for v in cstats[j])
            if cw < smallest or ch < smallest:
                continue
            cells.append(_Cell((x + cx, y + cy, x + cx + cw, y + cy + ch)))
        if len(cells) < 2:
            continue
        tol = max(4.0, em / 2.5)
        table = _Table((x, y, x + bw_, y + bh), cells)
        table.xs = _positions([v for c in cells for v in (c.box[0], c.box[2])], tol)
        table.ys = _positions([v for c in cells for v in (c.box[1], c.box[3])], tol)
        if len(table.xs) < 3:  # one column: a frame around text, read as paragraphs
            continue
        if (len(table.xs) - 1) * (len(table.ys) - 1) > limit:  # regions out of line: a grid far larger
            refused.append(
                f"a table of {len(table.ys) - 1} × {len(table.xs) - 1} cells at ({x},{y})-({x + bw_},{y + bh})"
            )
            continue
        tables.append(table)
        clock.check("finding the cells")
    return tables, bw


# -- recognition ------------------------------------------------------------------------------------------


@attrs.define
class _Piece:
    """One text line (or the part of it inside one cell), recognised."""

    box: tuple[float, float, float, float]
    chars: list[tuple[str, float, str | None, float]] = attrs.field(factory=list)  #: (char, p, second digit, its p)

    @property
    def text(self) -> str:
        return "".join(c for c, _, _, _ in self.chars).strip()


def _recognise(engine: Any, grey: Any, pieces: Sequence[_Piece], clock: _Clock, cv2: Any, np: Any) -> None:
    """Recognise every piece on the grey picture, with each character's probability and digit second choice."""
    rec = engine.text_rec
    characters = rec.postprocess_op.character
    height = rec.rec_image_shape[1]
    crops: list[tuple[int, Any]] = []
    for n, piece in enumerate(pieces):
        x0, y0, x1, y1 = (round(v) for v in piece.box)
        crop = grey[max(0, y0) : y1, max(0, x0) : x1]
        if crop.size == 0 or crop.shape[0] < 4:
            continue  # no line of text is that thin
        crops.append((n, crop))
    crops.sort(key=lambda item: item[1].shape[1] / item[1].shape[0])
    for start in range(0, len(crops), REC_BATCH):
        clock.check(f"recognising text line {start + 1} of {len(crops)}")
        batch = crops[start : start + REC_BATCH]
        ratio = min(MAX_RATIO, max(2.0, *(c.shape[1] / c.shape[0] for _, c in batch)))
        width = int(height * ratio)
        tensor = np.zeros((len(batch), 3, height, width), dtype=np.float32)
        for i, (_, crop) in enumerate(batch):
            ch, cw = crop.shape
            resized_w = min(width, math.ceil(height * cw / ch))
            resized = cv2.resize(crop, (max(1, resized_w), height)).astype(np.float32) / 255.0
            tensor[i, :, :, :resized_w] = (resized - 0.5) / 0.5
        preds = rec.session(tensor)[0]
        for i, (n, _) in enumerate(batch):
            pieces[n].chars = _as_figure(_decode(preds[i], characters, np))


def _decode(steps: Any, characters: Sequence[str], np: Any) -> list[tuple[str, float, str | None, float]]:
    """CTC greedy decoding with each character's probability and its second choice where that is a digit."""
    best = steps.argmax(axis=1)
    out: list[tuple[str, float, str | None, float]] = []
    t, total = 0, len(best)
    while t < total:
        k = int(best[t])
        end = t
        while end + 1 < total and int(best[end + 1]) == k:
            end += 1
        if k != 0 and k < len(characters):
            run = steps[t : end + 1, k]
            at = t + int(run.argmax())
            p = float(steps[at, k])
            order = np.argsort(steps[at])[::-1]
            second: str | None = None
            q = 0.0
            for j in order[1:3]:
                j = int(j)
                if j != 0 and j < len(characters) and characters[j].isdigit():
                    second, q = characters[j], float(steps[at, j])
                    break
            out.append((characters[k], p, second, q))
        t = end + 1
    return out


def _as_figure(chars: list[tuple[str, float, str | None, float]]) -> list[tuple[str, float, str | None, float]]:
    """A line of Latin look-alikes of digits (``o`` for ``0``, ``l`` for ``1``) read as the figure the
    recogniser's own second choices spell, each character at its second choice's probability.

    Only where every character that is not a digit has a digit second choice of real probability
    and nothing in the line is Chinese: a lone figure in its cell is ambiguous to a line recogniser.
    """
    if not chars or any(_CJK.search(c) for c, _, _, _ in chars):
        return chars
    swap = [c for c in chars if not c[0].isdigit() and c[0] not in ",.，．-"]
    if not swap or any(c[2] is None or c[3] < ALTERNATIVE_PROBABILITY or not c[0].isalpha() for c in swap):
        return chars
    return [(c[2] or c[0], c[3], c[0], c[1]) if c in swap else c for c in chars]


def _join(a: str, b: str) -> str:
    """Two lines of one paragraph or cell: Chinese text wraps anywhere without a space."""
    if not a or not b:
        return a + b
    if _CJK.search(a[-1]) or _CJK.search(b[0]) or a.endswith("-"):
        return a + b
    return f"{a} {b}"


def _lines(pieces: Sequence[_Piece]) -> list[list[_Piece]]:
    """Pieces grouped into printed lines, top to bottom, each line left to right."""
    rows: list[list[_Piece]] = []
    for piece in sorted(pieces, key=lambda p: (p.box[1] + p.box[3]) / 2):
        middle = (piece.box[1] + piece.box[3]) / 2
        if rows:
            last = rows[-1]
            top = min(p.box[1] for p in last)
            bottom = max(p.box[3] for p in last)
            if top <= middle <= bottom and abs(middle - (top + bottom) / 2) < (bottom - top) / 2:
                last.append(piece)
                continue
        rows.append([piece])
    return [sorted(row, key=lambda p: p.box[0]) for row in rows]


def _line_text(line: Sequence[_Piece], texts: dict[int, str]) -> str:
    text = ""
    for piece in line:
        text = _join(text, texts.get(id(piece), piece.text))
    return text


def _cell_text(pieces: Sequence[_Piece], texts: dict[int, str] | None = None) -> str:
    """A cell's lines joined top to bottom; a figure wrapped over lines joined without a space."""
    lines = [_line_text(line, texts or {}) for line in _lines(pieces)]
    lines = [line for line in lines if line]
    if len(lines) > 1 and all(_FRAGMENT.fullmatch(line) for line in lines):
        return "".join(lines)
    text = ""
    for line in lines:
        text = _join(text, line)
    return text


def _recognition(pieces: Sequence[_Piece], text: str, inked: bool) -> Recognition:
    """Confidence (the least sure character) and the alternatives the recogniser's second choices support."""
    chars = [(piece, i, c) for piece in pieces for i, c in enumerate(piece.chars) if c[0].strip()]
    if not chars:
        return Recognition(0.0 if inked else 1.0)
    confidence = min(c[1] for _, _, c in chars)
    options = [
        (piece, i, c[2], c[3] / max(c[1], 1e-6))
        for piece, i, c in chars
        if c[2] is not None and c[2].isdigit() and c[3] >= ALTERNATIVE_PROBABILITY and c[2] != c[0]
    ]
    options.sort(key=lambda o: -o[3])
    options = options[:6]
    scored: list[tuple[float, str]] = []
    for size in (1, 2):
        for combo in itertools.combinations(options, size):
            if len({(id(p), i) for p, i, _, _ in combo}) < size:
                continue
            texts: dict[int, str] = {}
            for piece, i, alt, _ in combo:
                current = list(texts.get(id(piece), "".join(c for c, _, _, _ in piece.chars)))
                current[i] = alt or current[i]
                texts[id(piece)] = "".join(current)
            texts = {k: v.strip() for k, v in texts.items()}
            other = _cell_text(pieces, texts)
            if unicodedata.normalize("NFKC", other) != unicodedata.normalize("NFKC", text):
                scored.append((math.prod(o[3] for o in combo), other))
    scored.sort(key=lambda s: -s[0])
    alternatives = tuple(dict.fromkeys(t for _, t in scored))[:MAX_ALTERNATIVES]
    return Recognition(round(confidence, 4), alternatives)


# -- one picture ------------------------------------------------------------------------------------------


def _split(
    box: tuple[float, float, float, float], tables: Sequence[_Table], em: float
) -> tuple[list[tuple[_Cell, tuple[float, float, float, float]]], bool]:
    """The parts of a text line inside cells (cut at the rulings), and whether it lies in a table at all."""
    x0, y0, x1, y1 = box
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    parts: list[tuple[_Cell, tuple[float, float, float, float]]] = []
    in_table = False
    for table in tables:
        tx0, ty0, tx1, ty1 = table.box
        if not (tx0 <= cx <= tx1 and ty0 <= cy <= ty1):
            continue
        in_table = True
        for cell in table.cells:
            bx0, by0, bx1, by1 = cell.box
            ix0, iy0, ix1, iy1 = max(x0, bx0), max(y0, by0), min(x1, bx1), min(y1, by1)
            if ix1 - ix0 < max(3.0, em / 4) or iy1 - iy0 < max(3.0, (y1 - y0) / 3):
                continue
            parts.append((cell, (ix0, iy0, ix1, iy1)))
        break
    return parts, in_table


Float4 = tuple[float, float, float, float]


def _ink_box(bw: Any, box: Float4, np: Any) -> Float4 | None:
    """The box of the ink inside ``box`` of the binary picture, or ``None`` when it is blank."""
    x0, y0, x1, y1 = (round(v) for v in box)
    region = bw[y0:y1, x0:x1]
    if region.size == 0:
        return None
    rows = np.flatnonzero(region.any(axis=1))
    cols = np.flatnonzero(region.any(axis=0))
    if len(rows) == 0:
        return None
    return (x0 + float(cols[0]), y0 + float(rows[0]), x0 + float(cols[-1]) + 1, y0 + float(rows[-1]) + 1)


def _vertical(bw: Any, box: Float4, np: Any) -> list[Float4]:
    """Characters printed one under another (a row heading down the side of 表三), one box each.

    The ink is cut at blank rows, each character no taller than about its width.
    """
    ink = _ink_box(bw, box, np)
    if ink is None:
        return []
    x0, y0, x1, y1 = (round(v) for v in ink)
    width = max(1, x1 - x0)
    profile = bw[y0:y1, x0:x1].any(axis=1)
    gaps = [y0 + i for i in np.flatnonzero(~profile).tolist()]
    out: list[Float4] = []
    start = y0
    while start < y1 and len(out) < 200:
        limit = start + 1.15 * width
        cuts = [g for g in gaps if start + 0.5 * width <= g <= limit]
        end = cuts[-1] if cuts else min(y1, round(limit))
        if end <= start:
            break
        out.append((x0 - 2.0, start - 2.0, x1 + 2.0, end + 2.0))
        nxt = [i for i in range(end, y1) if profile[i - y0]]
        start = nxt[0] if nxt else y1
    return out


def _cell_pieces(cell: _Cell, parts: Sequence[Float4], bw: Any, em: float, np: Any) -> list[_Piece]:
    """The text lines of a cell to recognise, from the cell's own ink: each printed line whole (nothing at
    its edges lost, no ruling in the crop), a column of characters one by one. A line is kept where the
    detector saw text, or, in a cell where it saw none, where there is more ink than a speck."""
    pad = 1.0
    x0, y0, x1, y1 = cell.box[0] + pad, cell.box[1] + pad, cell.box[2] - pad, cell.box[3] - pad
    if x1 - x0 < 2 or y1 - y0 < 2:
        return []
    ink = _ink_box(bw, (x0, y0, x1, y1), np)
    if ink is None:
        return []
    if ink[3] - ink[1] > 1.8 * (ink[2] - ink[0]) and ink[3] - ink[1] > 2 * em and ink[2] - ink[0] < 1.5 * em:
        return [_Piece(b) for b in _vertical(bw, ink, np)]
    out: list[_Piece] = []
    for top, bottom in _text_rows(bw, ink, em, np):
        row = _ink_box(bw, (ink[0], top, ink[2], bottom), np)
        if row is None:
            continue
        middle = (row[1] + row[3]) / 2
        seen = any(p[1] <= middle <= p[3] for p in parts)
        if not seen and (row[2] - row[0]) * (row[3] - row[1]) < (em / 2) ** 2:
            continue
        mx, my = MARGIN_X * em, MARGIN_Y * em
        out.append(_Piece((max(x0, row[0] - mx), max(y0, row[1] - my), min(x1, row[2] + mx), min(y1, row[3] + my))))
    return out


def _text_rows(bw: Any, ink: Float4, em: float, np: Any) -> list[tuple[float, float]]:
    """The printed lines inside an ink box (two lines the detector took as one), top to bottom."""
    x0, y0, x1, y1 = (round(v) for v in ink)
    if y1 - y0 <= 1.7 * em:
        return [(float(y0), float(y1))]
    counts = np.count_nonzero(bw[y0:y1, x0:x1], axis=1)
    profile = counts > max(1, (x1 - x0) // 50)  # a row with a speck or two of noise is blank
    runs: list[list[int]] = []
    for i, on in enumerate(profile.tolist()):
        if on and runs and runs[-1][1] == i:
            runs[-1][1] = i + 1
        elif on:
            runs.append([i, i + 1])
    split: list[list[int]] = []
    for a, b in runs:  # lines printed close: no blank row between them, cut at the faintest rows
        n = round((b - a) / (1.15 * em))
        if n < 2:
            split.append([a, b])
            continue
        cuts = [a]
        window = max(1, round(0.3 * em))
        for k in range(1, n):
            target = a + round(k * (b - a) / n)
            lo, hi = max(a + 1, target - window), min(b - 1, target + window)
            cuts.append(lo + int(np.argmin(counts[lo:hi])) if hi > lo else target)
        cuts.append(b)
        split.extend([u, v] for u, v in itertools.pairwise(cuts) if v > u)
    merged: list[list[int]] = []
    for run in split:
        if (
            merged
            and (run[1] - merged[-1][0] <= 1.3 * em)
            and (merged[-1][1] - merged[-1][0] < 0.6 * em or run[1] - run[0] < 0.6 * em)
        ):
            merged[-1][1] = run[1]
        else:
            merged.append(run)
    return [(float(y0 + a), float(y0 + b)) for a, b in merged]


def _spans(table: _Table, frame: _Frame, place: Place, number: int, inked: Any) -> list[list[Span]]:
    xs, ys = table.xs, table.ys
    nrows, ncols = len(ys) - 1, len(xs) - 1
    starts: dict[tuple[int, int], Span] = {}
    covered: set[tuple[int, int]] = set()
    for cell in table.cells:
        c0, c1 = _index(xs, cell.box[0]), _index(xs, cell.box[2])
        r0, r1 = _index(ys, cell.box[1]), _index(ys, cell.box[3])
        if c1 <= c0 or r1 <= r0 or (r0, c0) in covered:
            continue
        text = _cell_text(cell.pieces)
        at = attrs.evolve(place, table=number, row=r0 + 1, column=c0 + 1, box=frame.original(cell.box))
        ocr = _recognition(cell.pieces, text, bool(inked(cell.box)) and not text)
        starts[(r0, c0)] = Span(text, rowspan=r1 - r0, colspan=c1 - c0, place=at, ocr=ocr)
        covered.update((r, k) for r in range(r0, r1) for k in range(c0, c1))

    def blank(r: int, k: int) -> Span:  # a region no cell covers (a ruling drawn twice): blank, as printed
        box = (round(xs[k]), round(ys[r]), round(xs[k + 1]), round(ys[r + 1]))
        at = attrs.evolve(place, table=number, row=r + 1, column=k + 1, box=frame.original(box))
        return Span("", place=at, ocr=Recognition(0.0 if inked(box) else 1.0))

    return ruled_rows(nrows, ncols, starts, covered, blank)


def _read_frame(
    engine: Any,
    frame: _Frame,
    place: Place,
    limits: Limits,
    problems: list[Problem],
    budget: CellBudget,
    clock: _Clock,
) -> list[Block]:
    import cv2
    import numpy as np

    grey = frame.grey
    boxes = _detect(engine, grey, cv2, np)
    clock.check("detecting the text lines")
    heights = sorted(b[3] - b[1] for b in boxes if b[2] - b[0] > b[3] - b[1])
    em = heights[len(heights) // 2] / 1.6 if heights else max(10.0, grey.shape[0] / 80)  # detector boxes are unclipped
    em = min(em, max(10.0, float(min(grey.shape))))  # no taller than the picture is narrow: bounded morphology
    refused: list[str] = []
    tables, bw = _tables(grey, em, clock, cv2, np, limits.max_cells, refused)
    for what in refused:
        problems.append(
            Problem.at(
                place,
                f"{what}: more cells than Limits.max_cells ({limits.max_cells}); it was not read",
                code="READ_LIMIT",
            )
        )

    def inked(box: Sequence[float]) -> bool:
        x0, y0, x1, y1 = (round(v) for v in box)
        pad = max(2, round(em / 5))
        core = bw[y0 + pad : y1 - pad, x0 + pad : x1 - pad]
        return bool(core.size and int(np.count_nonzero(core)) > max(6, core.size // 400))

    outside: list[_Piece] = []
    pieces: list[_Piece] = []
    for box in boxes:
        parts, in_table = _split(box, tables, em)
        if not in_table:
            piece = _Piece(box)
            outside.append(piece)
            pieces.append(piece)
            continue
        for cell, part in parts:
            cell.parts.append(part)
    for table in tables:
        for cell in table.cells:
            cell.pieces = _cell_pieces(cell, cell.parts, bw, em, np)
            pieces.extend(cell.pieces)
    _recognise(engine, grey, pieces, clock, cv2, np)

    items: list[tuple[float, Block]] = []
    for number, table in enumerate(sorted(tables, key=lambda t: (t.box[1], t.box[0])), start=1):
        at = attrs.evolve(place, table=number, box=frame.original(table.box))
        grid = Grid.build(_spans(table, frame, place, number, inked), at, limits, problems, budget)
        text = "\n".join("\t".join(c.text for c in row if c) for row in grid.rows)
        items.append((table.box[1], Block("table", text, at, grid)))
    items.extend(_paragraphs(outside, frame, place))
    items.sort(key=lambda item: item[0])
    return [block for _, block in items]


def _paragraphs(pieces: Sequence[_Piece], frame: _Frame, place: Place) -> list[tuple[float, Block]]:
    """The text outside the tables as paragraphs: lines joined until a heading, a gap or a short line."""
    lines = []
    for line in _lines([p for p in pieces if p.text]):
        text = _line_text(line, {})
        box = (
            min(p.box[0] for p in line),
            min(p.box[1] for p in line),
            max(p.box[2] for p in line),
            max(p.box[3] for p in line),
        )
        margin = box[1] < 0.1 * frame.height or box[3] > 0.85 * frame.height
        if margin and _PAGE_NUMBER.match(text):
            continue
        lines.append((text, box))
    if not lines:
        return []
    right = max(b[2] for _, b in lines)
    out: list[tuple[float, Block]] = []
    current: list[tuple[str, tuple[float, float, float, float]]] = []

    def flush() -> None:
        if not current:
            return
        text = ""
        for t, _ in current:
            text = _join(text, t)
        box = (
            min(b[0] for _, b in current),
            min(b[1] for _, b in current),
            max(b[2] for _, b in current),
            max(b[3] for _, b in current),
        )
        number = lines.index(current[0]) + 1
        out.append((box[1], Block("paragraph", text, attrs.evolve(place, line=number, box=frame.original(box)))))
        current.clear()

    for text, box in lines:
        if current:
            last_text, last = current[-1]
            size = max(last[3] - last[1], box[3] - box[1])
            if (
                find_heading(last_text) is not None
                or find_heading(text) is not None
                or last[2] < right - 1.5 * size
                or box[1] - last[3] > 0.8 * size
                or box[0] > last[0] + 0.9 * size
            ):
                flush()
        current.append((text, box))
    flush()
    return out


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

    A picture of several frames (a multi-page TIFF, an animated GIF) gives the blocks of each
    frame in turn, numbered ``image``, ``image + 1``, … Raises
    :class:`~gongkai_model.errors.ReadError` only when the engine is not installed.
    """
    place = Place(source, page=page, image=image)
    engine = _engine(place)
    import cv2
    import numpy as np

    blocks: list[Block] = []
    for k, grey in _frames(data, place, limits, problems):
        at = attrs.evolve(place, image=image + k)
        clock = _Clock(time.monotonic() + limits.max_image_seconds, limits.max_image_seconds)
        if min(grey.shape) < MIN_SIDE or int(grey.max()) - int(grey.min()) < 32:
            continue  # too small to hold a line of text, or blank: nothing to recognise
        try:
            frame = _deskewed(grey, clock, cv2, np)
            blocks.extend(_read_frame(engine, frame, at, limits, problems, budget, clock))
        except _OutOfTime as exc:
            problems.append(
                Problem.at(
                    at,
                    f"reading the picture took longer than Limits.max_image_seconds ({limits.max_image_seconds:g} s); "
                    f"it stopped while {exc.stage}, and this picture was not read",
                    code="READ_LIMIT",
                )
            )
        except MemoryError:
            problems.append(
                Problem.at(
                    at, "reading the picture ran out of memory (MemoryError); it was not read", code="READ_LIMIT"
                )
            )
        except cv2.error as exc:
            problems.append(Problem.at(at, f"the picture could not be processed: {_short(exc)}", code="READ_DAMAGED"))
        except Exception as exc:  # the engine's own failure on this picture: located, never foreign
            problems.append(Problem.at(at, f"recognising the picture failed: {_short(exc)}", code="READ_DAMAGED"))
    return blocks
