"""Verified, not trusted: every figure read by OCR is vouched for by the identities, or said to be unverified.

After assembly (:func:`verify`), each figure whose :class:`~._result.Provenance` has a ``confidence``
(recognised in a picture) gets its :attr:`~._result.Provenance.verification`:

- ``"verified"``: it takes part in at least one identity of the statutory tables
  (:mod:`gongkai_model.model.identities`, the definitions the checks evaluate) and every identity it takes
  part in holds. A misread digit (6/8, 1/7, 0/9) changes one side of every identity of its cell, so a
  figure that keeps all of them is as certain as one read from a text layer.
- ``"accepted"``: it takes part in no identity (most of 表二), so no sum can vouch for it, and the engine
  was sure of it: its confidence is at least :data:`ACCEPT_CONFIDENCE`.
- ``"unverified"``: anything else: an identity of its cell breaks or cannot be told (a member missing or
  refused), or it is in no identity and the engine was less sure than :data:`ACCEPT_CONFIDENCE`.

A cell in which OCR read nothing is a figure too (a digit the engine missed leaves exactly that): it is
verified by the identities only, never by confidence (a blank mark read, ``/``, is judged like a figure).
For verification alone, a blank read in the document counts as 0 in the sums (an identity that holds so
shows no figure but 0 was missed there); a cell not found, or refused, is no number, and an identity with
it cannot vouch for anything.

Each unverified figure is one ``READ_OCR_UNVERIFIED`` problem at its place (the picture's box), naming the
cell, why, the engine's confidence and its alternative readings. It is an error (the figure is read but
nothing vouches for it: the report is ``incomplete``) unless the caller accepts unverified figures
(:func:`accept_unverified`; ``gk.read(…, accept_unverified=True)``), which makes it a warning. Each
statutory table whose OCR figures are all verified gets one ``READ_OCR_VERIFIED`` info.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any, Final

import attrs

from ..codes import READ_OCR_UNVERIFIED, READ_OCR_VERIFIED
from ..errors import Problem, Severity
from ..model.identities import Identity, holds, identities
from ..model.layout import Shape, layout, shape_of, values
from ..model.report import AnnualReport
from ..presentation import sheet_name
from ._result import Imported, Provenance, Verification

__all__ = ["ACCEPT_CONFIDENCE", "accept_unverified", "verify"]

#: The confidence at or above which a figure in no identity is accepted (most of 表二).
#:
#: The engine of the ``[ocr]`` extra (rapidocr, PP-OCR recognition) gives 0.99–1.0 for a clean printed
#: figure; a glyph it hesitated over comes lower. A few clean single zeros come at 0.6–0.8 (``0`` is
#: also ``O`` to it): those are flagged, not trusted. No sum can catch a misread figure of 表二, so the
#: bar is set where the engine is plainly sure, and a doubtful one costs a look at its box, not a wrong
#: figure in a corpus. A figure in an identity is judged by its identities, whatever its confidence.
ACCEPT_CONFIDENCE: Final = 0.9

#: The most alternatives a problem's message quotes, and the most characters of a text it quotes (provenance
#: keeps them whole): what a picture gives is as hostile as any file.
MAX_ALTERNATIVES = 5
MAX_QUOTED = 120

#: A value no identity can be told with (a cell not found, or refused): :func:`holds` gives ``None``.
_NO_NUMBER: Final = "no number"


@functools.cache
def _of_cell(shape: Shape) -> tuple[tuple[Identity, ...], ...]:
    """For each cell of ``shape`` (layout order), the identities it takes part in."""
    out: list[list[Identity]] = [[] for _ in layout(shape)]
    for ident in identities(shape):
        for m in ident.members:
            out[m].append(ident)
    return tuple(tuple(x) for x in out)


def verify(report: AnnualReport, provenance: Mapping[str, Provenance]) -> tuple[dict[str, Provenance], list[Problem]]:
    """Each OCR figure of ``report`` with its :attr:`~Provenance.verification`, and the problems that says.

    ``provenance`` is the assembler's; a figure read from a text layer (``confidence is None``) is
    left as it is. Nothing changes when no figure was read by OCR.
    """
    if not any(p.confidence is not None for p in provenance.values()):
        return dict(provenance), []
    shape = shape_of(report)
    cells = layout(shape)
    printed = values(report)
    seen: list[Any] = []
    for cell, value in zip(cells, printed, strict=True):
        prov = provenance.get(cell.path)
        if prov is None or prov.refused:
            seen.append(_NO_NUMBER)
        else:
            seen.append(0 if value is None else value)
    of_cell = _of_cell(shape)
    out = dict(provenance)
    problems: list[Problem] = []
    standing: dict[str, list[Verification]] = {}
    for m, cell in enumerate(cells):
        prov = provenance.get(cell.path)
        if prov is None or prov.confidence is None:
            continue
        mine = of_cell[m]
        told = [holds(i, seen) for i in mine]
        if prov.refused:
            verdict: Verification = "unverified"  # already a reading error of its own
        elif mine:
            verdict = "verified" if all(t is True for t in told) else "unverified"
        elif prov.text.strip() and prov.confidence >= ACCEPT_CONFIDENCE:  # a figure or a mark (``/``) read
            verdict = "accepted"
        else:
            verdict = "unverified"
        out[cell.path] = attrs.evolve(prov, verification=verdict)
        standing.setdefault(cell.table, []).append(verdict)
        if verdict == "unverified" and not prov.refused:
            why = _why(mine, told, not prov.text.strip())
            problems.append(_unverified(cell.path, cell.label, prov, why))
    for table, marks in standing.items():
        if all(v == "verified" for v in marks):
            problems.append(
                Problem(
                    sheet_name(table),
                    f"its {len(marks)} figure(s) read by OCR are verified: every identity they take part in holds",
                    sheet_name(table),
                    code=READ_OCR_VERIFIED,
                    severity=Severity.INFO,
                )
            )
    return out, problems


def _why(mine: tuple[Identity, ...], told: list[bool | None], blank: bool) -> str:
    if not mine:
        if blank:
            return "a blank read by OCR in no identity: nothing can vouch that no figure was missed"
        return f"in no identity, and the engine's confidence is below {ACCEPT_CONFIDENCE}"
    broken = [i for i, t in zip(mine, told, strict=True) if t is False]
    unknown = [i for i, t in zip(mine, told, strict=True) if t is None]
    parts = []
    if broken:
        parts.append("broken: " + ", ".join(_name(i) for i in broken))
    if unknown:
        parts.append("not assessable (a cell not read): " + ", ".join(_name(i) for i in unknown))
    return "; ".join(parts)


def _name(ident: Identity) -> str:
    where = ident.column if ident.row is None else f"{ident.row} × {ident.column}"
    return f"{ident.code} 表{ident.table} {where}"


def _unverified(path: str, label: str, prov: Provenance, why: str) -> Problem:
    """One unverified figure, at its place (the picture and the box: the location), named by path and label."""
    shown = [_quoted(a) for a in prov.alternatives[:MAX_ALTERNATIVES]]
    if len(prov.alternatives) > MAX_ALTERNATIVES:
        shown.append(f"… ({len(prov.alternatives)} in all)")
    alternatives = ", ".join(shown) if shown else "none"
    message = (
        f"{path}: {_quoted(prov.text.strip())} read by OCR is unverified ({why}); "
        f"confidence {prov.confidence:.2f}, the engine's alternatives: {alternatives}"
    )
    return Problem.at(prov.place, message, label, code=READ_OCR_UNVERIFIED, severity=Severity.ERROR)


def _quoted(text: str) -> str:
    return f"{text[:MAX_QUOTED]!r}… ({len(text)} characters)" if len(text) > MAX_QUOTED else repr(text)


def accept_unverified(imported: Imported) -> Imported:
    """``imported`` with its unverified OCR figures accepted: each ``READ_OCR_UNVERIFIED`` is a warning, not an error.

    The figures stay ``"unverified"`` in provenance; only the verdict no longer counts them as unread.
    """
    if not any(p.code == READ_OCR_UNVERIFIED and p.severity is Severity.ERROR for p in imported.problems):
        return imported
    problems = tuple(
        attrs.evolve(p, severity=Severity.WARNING) if p.code == READ_OCR_UNVERIFIED else p for p in imported.problems
    )
    return attrs.evolve(imported, problems=problems)
