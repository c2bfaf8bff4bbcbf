"""Issue 20's Done-when, measured: the real cases rendered as pictures read back through ``gk.read``.

Each case of ``--cases`` (``_ocr_pages.case_pdf``: the published PDF of huaian-hongze-qu-2024;
the others rendered by ``render_html`` and printed by LibreOffice) is rendered with pypdfium2 under
each condition:

- ``150 dpi`` and ``300 dpi``: clean renders;
- ``150 dpi, noisy``: each page rotated by 1–2°, blurred and with Gaussian noise (seeded by the page).

and written as the inputs the readers take (``--forms``): a multi-page TIFF (one picture per frame),
an image-only PDF (Pillow), or a PNG per page (each read alone; their cells put together). Each is
read by ``gk.read`` (with the case's agency and year, so that the title's recognition does not
decide) and compared cell by cell with the case JSON (``tests/cases.py``: ``expected_cells``):

- **right**: the model's value is the case's (a blank ``None`` where the case prints nothing);
- **flagged**: different (or not read) but a warning or an error with a ``READ_OCR_*`` code (such as
  ``READ_OCR_UNVERIFIED``) names the cell:
  its ``place`` is the cell's printed place (the provenance's place, or the same box), or its
  ``location``/``message`` names the cell's model path;
- **wrong**: different and not flagged (``not read``: of these, the cells not found at all).

``--text-layer`` reads each case's PDF itself instead (no OCR: every cell is right), which checks
the comparison. Everything rendered goes to a temporary folder.

Run: OMP_NUM_THREADS=1 python benchmarks/ocr_accuracy.py [--cases NAME ...|all] [--forms tiff pdf png]
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse
import re
import tempfile
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import _ocr_pages
from _ocr_pages import PDF_CASE, case_names, case_pdf, degrade, load_case, render

import gongkai_model as gk
from gongkai_model.errors import Place, Problem
from gongkai_model.formats import Imported, Provenance
from gongkai_model.model import get_path

#: The problem codes that flag a figure read by OCR.
OCR_CODE = "READ_OCR_"
#: The conditions: (name, dpi, degraded).
CONDITIONS = [("150 dpi", 150, False), ("300 dpi", 300, False), ("150 dpi, noisy (1–2°, blur, noise)", 150, True)]
#: The default cases: the published PDF and the 2019-edition case with its printed blanks.
DEFAULT_CASES = [PDF_CASE, "shanghai-shizhengfu-bangongting-2019"]


def _same_cell(a: Place, b: Place) -> bool:
    if a == b:
        return True
    if a.box is not None and a.box == b.box:
        return True
    keys = ("source", "page", "image", "table", "row", "column")
    return a.row is not None and a.column is not None and all(getattr(a, k) == getattr(b, k) for k in keys)


def names_cell(problem: Problem, path: str, provenance: Provenance | None) -> bool:
    """Whether ``problem`` is an OCR problem naming the cell at ``path`` (see the module's docstring)."""
    if not (problem.code or "").startswith(OCR_CODE) or problem.severity == "info":
        return False  # an info (READ_OCR_VERIFIED: a table's figures verified) flags nothing
    if provenance is not None and problem.place is not None and _same_cell(problem.place, provenance.place):
        return True
    named = re.compile(rf"(?<![\w.]){re.escape(path)}(?![\w.])")
    return bool(named.search(problem.location) or named.search(problem.message))


@dataclass
class Outcome:
    """Cells right, flagged and wrong of one reading (``not_read``: the wrong cells not found at all)."""

    right: int = 0
    flagged: int = 0
    wrong: int = 0
    not_read: int = 0
    #: (path, expected, got) of each wrong cell (flagged or not: ``flagged`` says which)
    cells: list[tuple[str, Any, Any, bool]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.right + self.flagged + self.wrong

    def __add__(self, other: Outcome) -> Outcome:
        return Outcome(
            self.right + other.right,
            self.flagged + other.flagged,
            self.wrong + other.wrong,
            self.not_read + other.not_read,
            self.cells + other.cells,
        )


def compare(
    values: Mapping[str, Any],
    provenance: Mapping[str, Provenance],
    problems: Iterable[Problem],
    expected: Mapping[str, Any],
) -> Outcome:
    """Each expected cell (model path → the case's value, ``None`` for a printed blank) against a reading:
    ``values`` maps each path read to its value (:func:`values_of`), ``provenance`` and ``problems`` as read."""
    problems = tuple(problems)
    out = Outcome()
    for path, want in expected.items():
        found = path in values and path in provenance and not provenance[path].refused
        got = values[path] if found else None
        if found and got == want:
            out.right += 1
            continue
        flagged = any(names_cell(p, path, provenance.get(path)) for p in problems)
        out.cells.append((path, want, got, flagged))
        if flagged:
            out.flagged += 1
        else:
            out.wrong += 1
            out.not_read += not found
    return out


def values_of(got: Imported) -> dict[str, Any]:
    """Each path found by a reading → its value in the report (nothing without a report)."""
    if got.report is None:
        return {}
    return {path: get_path(got.report, path) for path in got.provenance}


def compare_imported(got: Imported, expected: Mapping[str, Any]) -> Outcome:
    """:func:`compare` on what ``gk.read`` gave."""
    return compare(values_of(got), got.provenance, got.problems, expected)


def merge(readings: Sequence[Imported]) -> tuple[dict[str, Any], dict[str, Provenance], list[Problem]]:
    """Pages read one by one (a PNG each): each path's value and provenance from the first page that read
    it, and every page's problems."""
    values: dict[str, Any] = {}
    provenance: dict[str, Provenance] = {}
    problems: list[Problem] = []
    for got in readings:
        problems.extend(got.problems)
        for path, value in values_of(got).items():
            if path not in values:
                values[path] = value
                provenance[path] = got.provenance[path]
    return values, provenance, problems


def write_inputs(
    pages: Sequence[Any], dpi: int, folder: Path, stem: str, forms: Sequence[str]
) -> dict[str, list[Path]]:
    """The pages as each form of ``forms``: ``tiff`` (one multi-page TIFF), ``pdf`` (image-only), ``png``
    (one a page)."""
    out: dict[str, list[Path]] = {}
    if "tiff" in forms:
        path = folder / f"{stem}.tif"
        pages[0].save(path, save_all=True, append_images=list(pages[1:]), compression="tiff_deflate", dpi=(dpi, dpi))
        out["tiff"] = [path]
    if "pdf" in forms:
        path = folder / f"{stem}.images.pdf"
        pages[0].save(path, save_all=True, append_images=list(pages[1:]), resolution=float(dpi))
        out["pdf"] = [path]
    if "png" in forms:
        out["png"] = []
        for i, page in enumerate(pages, 1):
            path = folder / f"{stem}.p{i}.png"
            page.save(path, dpi=(dpi, dpi))
            out["png"].append(path)
    return out


def read_compare(paths: Sequence[Path], case: Mapping[str, Any], expected: Mapping[str, Any]) -> Outcome:
    """Read ``paths`` (one document, or a PNG per page) with ``gk.read`` and compare with ``expected``."""
    readings = [gk.read(p, agency=case["agency"], year=case["year"]) for p in paths]
    if len(readings) == 1:
        return compare_imported(readings[0], expected)
    return compare(*merge(readings), expected)


@dataclass
class Row:
    """One line of the table: a condition and a form over the cases."""

    condition: str
    form: str
    outcome: Outcome = field(default_factory=Outcome)
    seconds: float = 0.0
    pages: int = 0

    def cells(self) -> list[str]:
        o = self.outcome
        per_page = f"{self.seconds / self.pages:.1f} s" if self.pages else "—"
        return [
            self.condition,
            self.form,
            str(o.total),
            str(o.right),
            str(o.flagged),
            f"**{o.wrong}**" if o.wrong else "0",
            str(o.not_read),
            per_page,
        ]


HEAD = ["condition", "input", "cells", "right", "flagged", "wrong", "of which not read", "time per page"]


def run(
    names: Sequence[str], forms: Sequence[str], folder: Path, text_layer: bool = False, per_case: bool = False
) -> list[Row]:
    """Every condition and form over the cases ``names`` (or their text layers only); with ``per_case``, a
    row for each case and condition."""
    expected_cells = _ocr_pages._cases_module().expected_cells  # tests/cases.py
    rows: dict[tuple[str, str], Row] = {}
    for name in names:
        case = load_case(name)
        expected = expected_cells(case)
        pdf = case_pdf(name, folder)
        if text_layer:
            row = rows.setdefault(("text layer", "pdf"), Row("text layer (no OCR)", "pdf"))
            started = time.perf_counter()
            row.outcome += read_compare([pdf], case, expected)
            row.seconds += time.perf_counter() - started
            row.pages += len(render(pdf, 10))
            continue
        for condition, dpi, noisy in CONDITIONS:
            pages = render(pdf, dpi)
            if noisy:
                pages = [degrade(page, seed=i) for i, page in enumerate(pages)]
            for form, paths in write_inputs(pages, dpi, folder, f"{name}-{dpi}-{int(noisy)}", forms).items():
                label = f"{name}: {condition}" if per_case else condition
                row = rows.setdefault((label, form), Row(label, form))
                started = time.perf_counter()
                row.outcome += read_compare(paths, case, expected)
                row.seconds += time.perf_counter() - started
                row.pages += len(pages)
    return list(rows.values())


def table(rows: Sequence[Row]) -> str:
    """The Markdown table of the rows."""
    lines = ["| " + " | ".join(HEAD) + " |", "|" + "---|" * len(HEAD)]
    lines += ["| " + " | ".join(r.cells()) + " |" for r in rows]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--cases", nargs="+", default=DEFAULT_CASES, help="case names, or: all")
    parser.add_argument("--forms", nargs="+", default=["tiff", "pdf"], choices=["tiff", "pdf", "png"])
    parser.add_argument("--text-layer", action="store_true", help="read the cases' PDFs themselves (no OCR)")
    parser.add_argument("--cells", action="store_true", help="list the cells that are not right")
    parser.add_argument("--per-case", action="store_true", help="a row for each case and condition")
    args = parser.parse_args(argv)
    names = case_names() if args.cases == ["all"] else args.cases
    with tempfile.TemporaryDirectory(prefix="gongkai-ocr-") as tmp:
        rows = run(names, args.forms, Path(tmp), text_layer=args.text_layer, per_case=args.per_case)
    print(f"OCR read back, cell by cell, on {', '.join(names)} (one core; wall time)")
    print(table(rows))
    if args.cells:
        for row in rows:
            for path, want, got, flagged in row.outcome.cells:
                mark = " (flagged)" if flagged else ""
                print(f"- {row.condition}, {row.form}: {path}: {want!r} read as {got!r}{mark}")


if __name__ == "__main__":
    main()
