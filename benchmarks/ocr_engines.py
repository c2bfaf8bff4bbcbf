"""The two OCR engines of issue 20 measured on pages rendered from the real cases (the engine choice).

Candidates: ``rapidocr-onnxruntime`` (PP-OCRv4 models inside its wheel) and Tesseract with
``chi_sim`` (a system package: ``apt-get install tesseract-ocr tesseract-ocr-chi-sim``, through
``pytesseract``). When Tesseract is not installed this says so and measures RapidOCR only.

Pages: each case of ``--cases`` as a PDF with a text layer (``_ocr_pages.case_pdf``: the published
PDF of huaian-hongze-qu-2024; others rendered by ``render_html`` and printed by LibreOffice), rendered
with pypdfium2 at each ``--dpi``. Ground truth: pdfplumber's table cells of the same PDF (box and
text). Each cell is classed by its true text: *digits* (a figure), *blank* or *label*.

Modes (one core: ``OMP_NUM_THREADS=1``, onnxruntime with one thread, ``OMP_THREAD_LIMIT=1``):

- ``cell``: each cell cropped at the render's scale (inside its rulings), trimmed to its ink with a
  margin, and recognised alone: RapidOCR's recogniser only (``use_det=False``: one text line, so the
  cell is cut into its printed lines at the rows without ink, each recognised, joined by lines), and
  RapidOCR detection + recognition on the crop; Tesseract ``--psm 7`` (one line, line by line too) with ``chi_sim``,
  and for the figure cells (digits and blanks) also ``-l eng --psm 7`` with a digits whitelist (what
  a reader can do where it expects a figure). A crop with no ink is blank without calling the engine.
- ``page``: the whole page recognised once (RapidOCR's default pipeline; Tesseract ``--psm 6`` word
  boxes), each text box put in the cell holding its centre, boxes joined in reading order.

Counted per engine, mode and resolution: digit cells right (the exact figure) and wrong, blank cells
right (nothing read), label cells right exactly (lines joined) and normalised (spaces removed, NFKC:
``（三）`` = ``(三)``), time per cell and per page: CPU time (``os.times``: every thread of this
process and the tesseract program it runs; the machine is shared, so wall time would measure the
others' load), one pass.

Run: OMP_NUM_THREADS=1 python benchmarks/ocr_engines.py [--dpi 150 300] [--cases huaian-hongze-qu-2024 ...]
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

import argparse
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from _ocr_pages import PDF_CASE, TruthCell, case_pdf, exact, normalised, render, truth_cells

#: Points inside a cell's box left out of its crop (the rulings), and the margin around the ink, in points.
INSET = 1.5
MARGIN = 2.0


def cpu() -> float:
    """CPU seconds of this process (all its threads) and of its finished children (the tesseract program)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def tesseract_status() -> str | None:
    """``None`` when Tesseract with ``chi_sim`` can be used, else why not."""
    try:
        import pytesseract
    except ImportError:
        return "pytesseract is not installed (pip install pytesseract)"
    if shutil.which("tesseract") is None:
        return "the tesseract program is not installed (apt-get install tesseract-ocr tesseract-ocr-chi-sim)"
    try:
        langs = pytesseract.get_languages()
    except Exception as exc:  # the program's own failure, reported as is
        return f"tesseract does not run: {exc}"
    if "chi_sim" not in langs:
        return "tesseract has no chi_sim model (apt-get install tesseract-ocr-chi-sim)"
    return None


def crop(image: Any, box: tuple[float, float, float, float], scale: float) -> Any | None:
    """The cell's picture inside its rulings (what is left of them whitened), trimmed to its ink with a
    margin; ``None`` when it has no ink."""
    import numpy as np
    from PIL import Image

    x0, top, x1, bottom = box
    left, upper = int((x0 + INSET) * scale), int((top + INSET) * scale)
    right, lower = int((x1 - INSET) * scale), int((bottom - INSET) * scale)
    if right <= left or lower <= upper:
        return None
    gray = np.array(image.crop((left, upper, right, lower)).convert("L"))
    ink = gray < 128
    # What is left of a ruling inside the box (a thick or slanted line): rows and columns almost all ink.
    lines_x, lines_y = ink.mean(axis=0) > 0.8, ink.mean(axis=1) > 0.8
    gray[:, lines_x], gray[lines_y, :] = 255, 255
    ink[:, lines_x], ink[lines_y, :] = False, False
    piece = Image.fromarray(gray).convert("RGB")
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if rows.size == 0:
        return None
    pad = int(MARGIN * scale)
    return piece.crop(
        (
            max(0, int(cols[0]) - pad),
            max(0, int(rows[0]) - pad),
            min(piece.width, int(cols[-1]) + 1 + pad),
            min(piece.height, int(rows[-1]) + 1 + pad),
        )
    )


def text_lines(piece: Any) -> list[Any]:
    """A cell's picture cut into its printed lines: bands of ink rows between rows without ink."""
    import numpy as np

    ink = (np.asarray(piece.convert("L")) < 128).any(axis=1)
    bands, start = [], None
    for y, inked in enumerate(ink):
        if inked and start is None:
            start = y
        elif not inked and start is not None:
            bands.append((start, y))
            start = None
    if start is not None:
        bands.append((start, len(ink)))
    if len(bands) < 2:
        return [piece]
    pad = 2
    return [piece.crop((0, max(0, a - pad), piece.width, min(piece.height, b + pad))) for a, b in bands]


def by_lines(recognise: Callable[[Any], str]) -> Callable[[Any], str]:
    """``recognise`` run on each printed line of a cell (:func:`text_lines`), the lines joined by ``\\n``."""

    def run(piece: Any) -> str:
        return "\n".join(recognise(line) for line in text_lines(piece))

    return run


def _reading_order(pieces: list[tuple[float, float, float, str]]) -> str:
    """Texts (y centre, x, height, text) joined by lines (a new line when y moves by half a height), then x."""
    pieces.sort(key=lambda p: (p[0], p[1]))
    lines: list[list[tuple[float, float, float, str]]] = []
    for piece in pieces:
        if lines and abs(piece[0] - lines[-1][0][0]) < max(piece[2], lines[-1][0][2]) / 2:
            lines[-1].append(piece)
        else:
            lines.append([piece])
    return "\n".join("".join(p[3] for p in sorted(line, key=lambda p: p[1])) for line in lines)


def _assign(cells: list[TruthCell], pieces: list[tuple[float, float, float, float, str]], scale: float) -> list[str]:
    """Each cell's text from whole-page boxes (x centre, y centre, height, x0, text in pixels)."""
    found: list[list[tuple[float, float, float, str]]] = [[] for _ in cells]
    for cx, cy, h, x0, text in pieces:
        for i, cell in enumerate(cells):
            bx0, btop, bx1, bbottom = (v * scale for v in cell.box)
            if bx0 <= cx <= bx1 and btop <= cy <= bbottom:
                found[i].append((cy, x0, h, text))
                break
    return [_reading_order(f) for f in found]


class Rapid:
    """RapidOCR on one thread."""

    name = "RapidOCR (rapidocr-onnxruntime)"

    def __init__(self) -> None:
        from rapidocr_onnxruntime import RapidOCR

        self.engine = RapidOCR(intra_op_num_threads=1, inter_op_num_threads=1)

    def rec(self, image: Any) -> str:
        import numpy as np

        result, _ = self.engine(np.asarray(image), use_det=False, use_cls=False, use_rec=True)
        return str(result[0][0]) if result else ""

    def det_rec(self, image: Any) -> str:
        import numpy as np

        result, _ = self.engine(np.asarray(image))
        return _reading_order([_piece(box, text)[1:] for box, text, _ in result or []])

    def page(self, image: Any) -> list[tuple[float, float, float, float, str]]:
        import numpy as np

        result, _ = self.engine(np.asarray(image))
        return [_page_piece(box, text) for box, text, _ in result or []]


def _piece(box: Sequence[Sequence[float]], text: str) -> tuple[float, float, float, float, str]:
    xs, ys = [p[0] for p in box], [p[1] for p in box]
    return ((min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2, min(xs), max(ys) - min(ys), text)


def _page_piece(box: Sequence[Sequence[float]], text: str) -> tuple[float, float, float, float, str]:
    cx, cy, x0, h, t = _piece(box, text)
    return (cx, cy, h, x0, t)


def _bordered(image: Any) -> Any:
    """``image`` in a white border of 10 pixels (Tesseract reads text touching the edge badly)."""
    from PIL import ImageOps

    return ImageOps.expand(image, border=10, fill="white")


class Tesseract:
    """Tesseract 5 with chi_sim through pytesseract (one thread: ``OMP_THREAD_LIMIT=1``)."""

    name = "Tesseract (chi_sim)"

    def line(self, image: Any) -> str:
        import pytesseract

        return str(pytesseract.image_to_string(_bordered(image), lang="chi_sim", config="--psm 7")).strip()

    def digits(self, image: Any) -> str:
        import pytesseract

        config = "--psm 7 -c tessedit_char_whitelist=0123456789."
        return str(pytesseract.image_to_string(_bordered(image), lang="eng", config=config)).strip()

    def page(self, image: Any) -> list[tuple[float, float, float, float, str]]:
        import pytesseract

        data = pytesseract.image_to_data(image, lang="chi_sim", config="--psm 6", output_type=pytesseract.Output.DICT)
        out = []
        for text, left, top, width, height, conf in zip(
            data["text"], data["left"], data["top"], data["width"], data["height"], data["conf"], strict=True
        ):
            if text.strip() and float(conf) >= 0:
                out.append((left + width / 2, top + height / 2, float(height), float(left), text.strip()))
        return out


@dataclass
class Tally:
    """The counts of one engine, mode and resolution."""

    engine: str
    mode: str
    dpi: int
    digits: int = 0
    digits_right: int = 0
    blanks: int = 0
    blanks_right: int = 0
    labels: int = 0
    labels_exact: int = 0
    labels_normalised: int = 0
    seconds: float = 0.0
    cells: int = 0
    pages: int = 0
    misreads: list[tuple[str, str]] = field(default_factory=list)

    def add(self, cell: TruthCell, got: str) -> None:
        kind = cell.kind
        self.cells += 1
        if kind == "digits":
            self.digits += 1
            ok = got.strip() == exact(cell.text)
            self.digits_right += ok
        elif kind == "blank":
            self.blanks += 1
            ok = not got.strip()
            self.blanks_right += ok
        else:
            self.labels += 1
            ok = exact(got) == exact(cell.text)
            self.labels_exact += ok
            self.labels_normalised += normalised(got) == normalised(cell.text)
        if not ok and kind != "label" and len(self.misreads) < 12:
            self.misreads.append((cell.text, got))

    def row(self) -> list[str]:
        def share(n: int, d: int) -> str:
            return f"{n}/{d} ({n / d:.1%})" if d else "—"

        return [
            self.engine,
            self.mode,
            str(self.dpi),
            share(self.digits_right, self.digits),
            str(self.digits - self.digits_right) if self.digits else "—",
            share(self.blanks_right, self.blanks),
            share(self.labels_exact, self.labels),
            share(self.labels_normalised, self.labels),
            f"{self.seconds / self.cells * 1000:.0f} ms" if self.cells else "—",
            f"{self.seconds / self.pages:.1f} s" if self.pages else "—",
        ]


HEAD = [
    "engine",
    "mode",
    "dpi",
    "digit cells right",
    "digit cells wrong",
    "blank cells right",
    "label cells right (exact)",
    "label cells right (normalised)",
    "per cell",
    "per page",
]


def per_cell(
    tally: Tally,
    pages: Sequence[Any],
    cells: list[TruthCell],
    scale: float,
    recognise: Callable[[Any], str],
    only: Sequence[str] = ("digits", "blank", "label"),
) -> None:
    """Recognise each cell of kind ``only`` alone (time: the engine calls' CPU, not the cropping)."""
    tally.pages += sum(page is not None for page in pages)
    for cell in cells:
        if cell.kind not in only:
            continue
        piece = crop(pages[cell.page], cell.box, scale)
        if piece is None:
            tally.add(cell, "")
            continue
        started = cpu()
        got = recognise(piece)
        tally.seconds += cpu() - started
        tally.add(cell, got)


def whole_page(
    tally: Tally,
    pages: Sequence[Any],
    cells: list[TruthCell],
    scale: float,
    recognise: Callable[[Any], list[tuple[float, float, float, float, str]]],
) -> None:
    """Recognise each page once and give each cell the text boxes centred in it."""
    for number, image in enumerate(pages):
        if image is None:
            continue
        started = cpu()
        pieces = recognise(image)
        tally.seconds += cpu() - started
        tally.pages += 1
        on_page = [c for c in cells if c.page == number]
        for cell, got in zip(on_page, _assign(on_page, pieces, scale), strict=True):
            tally.add(cell, got)


#: The modes, by a short name (``--modes``).
MODES = ["rec", "det-rec", "page", "psm7", "digits", "psm6-page"]


def run(
    names: Sequence[str],
    dpis: Sequence[int],
    folder: Path,
    log: Callable[[str], None] = print,
    modes: Sequence[str] = tuple(MODES),
    only_pages: Sequence[int] = (),
) -> list[Tally]:
    """Every engine and mode of ``modes`` (:data:`MODES`) on the cases ``names`` at each resolution of ``dpis``."""
    why = tesseract_status()
    if why is not None:
        log(f"Tesseract is not measured: {why}. RapidOCR only.")
    rapid = Rapid()
    tess = Tesseract() if why is None else None
    out = []
    sources = [(name, case_pdf(name, folder)) for name in names]
    for dpi in dpis:
        scale = dpi / 72
        tallies: dict[tuple[str, str], Tally] = {}

        def tally(engine: str, mode: str, dpi: int = dpi, tallies: dict[tuple[str, str], Tally] = tallies) -> Tally:
            return tallies.setdefault((engine, mode), Tally(engine, mode, dpi))

        for name, pdf in sources:
            pages, cells = render(pdf, dpi), truth_cells(pdf)
            if only_pages:
                cells = [c for c in cells if c.page + 1 in only_pages]
                pages = [p if i + 1 in only_pages else None for i, p in enumerate(pages)]
            log(f"{name} at {dpi} dpi: {len(pages)} pages, {len(cells)} cells")
            if "rec" in modes:
                per_cell(
                    tally(Rapid.name, "cell, recogniser only, line by line"), pages, cells, scale, by_lines(rapid.rec)
                )
            if "det-rec" in modes:
                per_cell(tally(Rapid.name, "cell, detection + recogniser"), pages, cells, scale, rapid.det_rec)
            if "page" in modes:
                whole_page(tally(Rapid.name, "whole page"), pages, cells, scale, rapid.page)
            if tess is None:
                continue
            if "psm7" in modes:
                per_cell(tally(Tesseract.name, "cell, --psm 7, line by line"), pages, cells, scale, by_lines(tess.line))
            if "digits" in modes:
                mode = "figure cells, eng --psm 7, digits whitelist"
                per_cell(tally(Tesseract.name, mode), pages, cells, scale, tess.digits, only=("digits", "blank"))
            if "psm6-page" in modes:
                whole_page(tally(Tesseract.name, "whole page, --psm 6"), pages, cells, scale, tess.page)
            for done in tallies.values():
                log("  " + " | ".join(done.row()))
        out.extend(tallies.values())
    return out


def table(tallies: Sequence[Tally]) -> str:
    """The Markdown table of the tallies."""
    lines = ["| " + " | ".join(HEAD) + " |", "|" + "---|" * len(HEAD)]
    lines += ["| " + " | ".join(t.row()) + " |" for t in tallies]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--dpi", type=int, nargs="+", default=[150, 300])
    parser.add_argument("--cases", nargs="+", default=[PDF_CASE], help="case names (default: the PDF case)")
    parser.add_argument("--modes", nargs="+", default=MODES, choices=MODES, help="the modes measured (all by default)")
    parser.add_argument("--pages", type=int, nargs="*", default=[], help="only these pages (from 1) of each case")
    parser.add_argument("--misreads", action="store_true", help="list some misread figure cells")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="gongkai-ocr-") as tmp:
        tallies = run(args.cases, args.dpi, Path(tmp), modes=args.modes, only_pages=args.pages)
    print(f"OCR engines on {', '.join(args.cases)}; one thread; CPU time, one pass")
    print(table(tallies))
    if args.misreads:
        for t in tallies:
            if t.misreads:
                print(f"- {t.engine}, {t.mode}, {t.dpi} dpi: " + "; ".join(f"{a!r}→{b!r}" for a, b in t.misreads))


if __name__ == "__main__":
    main()
