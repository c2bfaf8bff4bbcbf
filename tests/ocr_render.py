"""Pictures of a report's tables for the OCR tests: the official layout (``presentation.plans``), ruled, with Pillow.

Each table is drawn as a scan of a printed page shows it: its section heading above it, every
printed cell (merges as printed) outlined by rulings, labels wrapped inside their cell (a narrow
cell over many rows prints its label one character per line), figures centred.
"""

from __future__ import annotations

import functools
import io
import subprocess
from typing import Any

from PIL import Image, ImageDraw, ImageFont

from gongkai_model.model.layout import get_path, shape_of
from gongkai_model.presentation import SheetPlan, figure_text, plans


@functools.cache
def font_path() -> str:
    """The Noto Sans CJK font file (``.ci/run`` installs ``fonts-noto-cjk`` when it is missing)."""
    return subprocess.run(
        ["fc-match", "-f", "%{file}", "Noto Sans CJK SC"], capture_output=True, text=True, check=True
    ).stdout.strip()


@functools.cache
def _font(size: int) -> Any:
    return ImageFont.truetype(font_path(), size)


def plan_of(report: Any, table: str) -> SheetPlan:
    return next(p for p in plans(shape_of(report)) if p.table == table)


def _wrap(text: str, font: Any, width: float) -> list[str]:
    lines: list[str] = []
    line = ""
    for ch in text:
        if line and font.getlength(line + ch) > width:
            lines.append(line)
            line = ch
        else:
            line += ch
    return [*lines, line] if line else lines


def render_table(report: Any, table: str, *, dpi: int = 150, heading: bool = True) -> Image.Image:
    """The table ``"二"``, ``"三"`` or ``"四"`` of ``report`` as a ruled picture at about ``dpi`` dots per inch."""
    plan = plan_of(report, table)
    f = round(18 * dpi / 150)  # about 9 pt
    font = _font(f)
    pad = f // 2
    line_h = round(1.35 * f)
    labels = [lab for lab in plan.labels if lab.kind != "title"]
    title = next((lab.text for lab in plan.labels if lab.kind == "title"), "")
    top = min(lab.row for lab in labels)
    bottom = max([lab.last_row for lab in labels] + [v.row for v in plan.values])
    cells: list[tuple[int, int, int, int, str, bool]] = []  # row, col, last_row, last_col, text, vertical
    for lab in labels:
        tall = lab.last_row - lab.row >= 3 and lab.col == lab.last_col and lab.kind != "header"
        cells.append((lab.row, lab.col, lab.last_row, lab.last_col, lab.text, tall))
    for v in plan.values:
        cells.append((v.row, v.col, v.row, v.last_col, figure_text(get_path(report, v.cell.path)), False))
    value_cols = {c for v in plan.values for c in range(v.col, v.last_col + 1)}
    widths = []
    for c in range(1, plan.width + 1):
        if c in value_cols:
            widths.append(round(3.4 * f))
            continue
        single = [len(t) for r, c0, r1, c1, t, tall in cells if c0 == c1 == c and not tall]
        widths.append(round(max(2, min(max(single, default=2), 9)) * f + 2 * pad))
    xs = [pad * 4]
    for w in widths:
        xs.append(xs[-1] + w)
    # row heights: enough for the wrapped text of the cells of one row
    heights = dict.fromkeys(range(top, bottom + 1), line_h + 2 * pad)
    for r, c0, r1, c1, text, tall in cells:
        if r == r1 and not tall:
            n = max(1, len(_wrap(text, font, xs[c1] - xs[c0 - 1] - 2 * pad)))
            heights[r] = max(heights[r], n * line_h + 2 * pad)
    y0 = pad * 4 + (round(2.2 * line_h) if heading else 0)
    ys = {top: y0}
    for r in range(top, bottom + 1):
        ys[r + 1] = ys[r] + heights[r]
    for r, _c0, r1, _c1, text, tall in cells:  # a tall label printed down its cell needs the room
        need = len(text) * line_h + 2 * pad
        have = ys[r1 + 1] - ys[r]
        if tall and need > have:
            extra = -(-(need - have) // (r1 - r + 1))
            for rr in range(r, r1 + 1):
                heights[rr] += extra
            for rr in range(top, bottom + 1):
                ys[rr + 1] = ys[rr] + heights[rr]
    width, height = xs[-1] + pad * 4, ys[bottom + 1] + pad * 4
    im = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(im)
    if heading and title:
        draw.text((xs[0] + 2 * f, pad * 4), title, font=_font(round(1.2 * f)), fill=0)
    stroke = max(1, round(dpi / 150))
    for r, c0, r1, c1, text, tall in cells:
        x0, x1, y_0, y1 = xs[c0 - 1], xs[c1], ys[r], ys[r1 + 1]
        draw.rectangle((x0, y_0, x1, y1), outline=0, width=stroke)
        lines = list(text) if tall else _wrap(text, font, x1 - x0 - 2 * pad)
        y = (y_0 + y1) / 2 - len(lines) * line_h / 2
        for line in lines:
            w = font.getlength(line)
            draw.text(((x0 + x1) / 2 - w / 2, y + (line_h - f) / 2), line, font=font, fill=0)
            y += line_h
    return im


def png(im: Image.Image) -> bytes:
    out = io.BytesIO()
    im.save(out, format="PNG")
    return out.getvalue()
