"""Pages rendered from the project's real cases, for the OCR measurements (no OCR here).

- :func:`case_pdf`: a case as a PDF with a text layer: ``huaian-hongze-qu-2024`` is its own
  published PDF; any other case is its figures (``tests/cases.py``) rendered by ``render_html``
  (with ruled tables) and printed to PDF by LibreOffice (``soffice --headless``), when installed.
- :func:`render`: the pages of a PDF as RGB pictures at a resolution (pypdfium2, which pdfplumber uses).
- :func:`truth_cells`: each table cell of a PDF's pages as pdfplumber finds it: its box (in points)
  and its text: the ground truth a recognised cell is compared with.
- :func:`degrade`: a picture with noise, blur and a small rotation (seeded: the same every run).

Everything generated goes to a temporary folder the caller gives; nothing here is kept in git.
"""

from __future__ import annotations

import functools
import json
import random
import re
import shutil
import subprocess
import sys
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "tests" / "data" / "cases"
#: The case whose published form is a PDF (rendered as it was published).
PDF_CASE = "huaian-hongze-qu-2024"


def case_names() -> list[str]:
    """Every case of ``tests/data/cases`` (by its JSON)."""
    return sorted(p.stem for p in CASES.glob("*.json"))


def load_case(name: str) -> dict[str, Any]:
    """The case JSON (its documented shape: ``tests/data/cases/README.md``)."""
    loaded: dict[str, Any] = json.loads((CASES / f"{name}.json").read_text(encoding="utf-8"), parse_float=Decimal)
    return loaded


def _cases_module() -> Any:
    tests = str(ROOT / "tests")
    if tests not in sys.path:
        sys.path.insert(0, tests)
    import cases

    return cases


def soffice() -> str | None:
    """LibreOffice's command, or ``None`` when it is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def case_pdf(name: str, folder: Path) -> Path:
    """The case as a PDF with a text layer (see the module's docstring); written into ``folder``."""
    if name == PDF_CASE:
        return CASES / f"{name}.pdf"
    office = soffice()
    if office is None:
        raise RuntimeError("LibreOffice (soffice) is not installed: only the PDF case can be rendered")
    from gongkai_model.formats.html import render_html

    report = _cases_module().build(load_case(name))
    page = render_html(report)
    # Ruled tables, each from a new page, at 9 points: LibreOffice ignores the page's CSS borders and draws
    # `border="1"` as grey hairlines (0.1 pt, grey 0.5), which no scan shows; each cell gets a black 0.75 pt
    # border instead, as the published tables print them.
    ruled = (
        '<table border="1" bordercolor="#000000" cellspacing="0" cellpadding="2" '
        'style="page-break-before:always;font-size:9pt" '
    )
    cell = ' style="border:0.75pt solid #000000"'
    page = page.replace("<table ", ruled).replace("line-height:1.8", "")
    page = page.replace("<td", "<td" + cell).replace("<th", "<th" + cell)
    html = folder / f"{name}.html"
    html.write_text(page, encoding="utf-8")
    subprocess.run(
        [office, "--headless", "--convert-to", "pdf", "--outdir", str(folder), str(html)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return folder / f"{name}.pdf"


def render(pdf: Path, dpi: int) -> list[Any]:
    """Each page of ``pdf`` as an RGB ``PIL.Image`` at ``dpi``."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(pdf))
    try:
        return [doc[i].render(scale=dpi / 72).to_pil().convert("RGB") for i in range(len(doc))]
    finally:
        doc.close()


@dataclass(frozen=True)
class TruthCell:
    """One table cell of a page as pdfplumber finds it: its box in points and its printed text."""

    page: int  #: counted from 0
    box: tuple[float, float, float, float]  #: x0, top, x1, bottom in points
    text: str  #: lines joined by "\n"

    @property
    def kind(self) -> str:
        """``"blank"``, ``"digits"`` (a figure: digits with at most one decimal point) or ``"label"``."""
        flat = "".join(self.text.split())
        if not flat:
            return "blank"
        return "digits" if re.fullmatch(r"[0-9]+(\.[0-9]+)?", flat) else "label"


def _centred_in(box: tuple[float, float, float, float], obj: dict[str, Any]) -> bool:
    """Whether a character's centre is inside ``box`` (a character over a ruling goes to the cell it is printed in)."""
    if obj.get("object_type") != "char":
        return False
    x, y = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
    return bool(box[0] <= x <= box[2] and box[1] <= y <= box[3])


def truth_cells(pdf: Path) -> list[TruthCell]:
    """Every table cell of every page of ``pdf`` (pdfplumber's table finder, the PDF reader's own); a
    "table" of one column is a frame around text, left out as the PDF reader leaves it out."""
    import pdfplumber

    out = []
    with pdfplumber.open(str(pdf)) as doc:
        for number, page in enumerate(doc.pages):
            for table in page.find_tables():
                if len({(round(x0), round(x1)) for x0, _, x1, _ in table.cells}) < 2:
                    continue  # one column: a frame around text, not a table (the PDF reader's rule too)
                for box in table.cells:
                    text = page.filter(functools.partial(_centred_in, box)).extract_text() or ""
                    out.append(TruthCell(number, tuple(box), text.strip()))  # type: ignore[arg-type]
    return out


def exact(text: str) -> str:
    """A cell's text as compared "exactly": lines joined with nothing (Chinese has no spaces), ends stripped."""
    return "".join(line.strip() for line in text.strip().splitlines())


def normalised(text: str) -> str:
    """A cell's text with every space removed and NFKC applied (full-width brackets and digits made ASCII)."""
    return unicodedata.normalize("NFKC", "".join(text.split()))


def degrade(image: Any, seed: int) -> Any:
    """``image`` as a poor scan: rotated by 1–2° (either way), blurred, with Gaussian noise; seeded."""
    import numpy as np
    from PIL import Image, ImageFilter

    rng = random.Random(seed)
    angle = rng.uniform(1.0, 2.0) * rng.choice((-1, 1))
    out = image.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=(255, 255, 255))
    out = out.filter(ImageFilter.GaussianBlur(radius=0.8))
    pixels = np.asarray(out, dtype=np.float32)
    noise = np.random.default_rng(seed).normal(0.0, 12.0, pixels.shape[:2])[..., None]
    return Image.fromarray(np.clip(pixels + noise, 0, 255).astype(np.uint8))
