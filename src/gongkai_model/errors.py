"""The library's one error family.

Every error raised on purpose by ``gongkai_model`` is a :class:`GongkaiError`.
Errors about input carry *all* the problems found at once, each with its
place named (a model path, a record number, a JSON path, a ``sheet!cell``).

>>> from gongkai_model import GongkaiError
>>> from gongkai_model.model import ApplicantCounts
>>> try:
...     ApplicantCounts(natural_person=-1, commercial=True)
... except GongkaiError as exc:
...     for problem in exc.problems:
...         print(problem)
natural_person (自然人): must not be negative, got -1
commercial (商业企业): expected a whole number or None, got bool True
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

__all__ = ["ExcelError", "GongkaiError", "JSONError", "ModelError", "Place", "Problem", "ReadError", "RecordsError"]


@attrs.frozen
class Place:
    """Where something was printed in a source document.

    Only the parts that apply are set: ``page`` for PDFs, ``table``/``row``/``column`` (counted
    from 1) for a cell of the document's n-th table, ``line`` for text copies, ``cell`` for a
    worksheet cell (``表三!C7``).

    >>> str(Place("report.html", table=2, row=5, column=3))
    'report.html, table 2, row 5, column 3'
    >>> str(Place("report.txt", line=120))
    'report.txt, line 120'
    """

    source: str
    page: int | None = None
    table: int | None = None
    row: int | None = None
    column: int | None = None
    line: int | None = None
    cell: str | None = None

    def __str__(self) -> str:
        parts = [self.source] if self.source else []
        if self.cell is not None:
            parts.append(self.cell)
        for name in ("page", "table", "row", "column", "line"):
            value = getattr(self, name)
            if value is not None:
                parts.append(f"{name} {value}")
        return ", ".join(parts)


@attrs.frozen
class Problem:
    """One thing wrong with some input, and where it is.

    ``location`` names the place in the input's own terms (a model path such
    as ``table3.results.granted.natural_person``, ``record 12``, ``$.table3``
    or ``表三!C7``); ``label`` gives the statutory label(s) of that place when
    there are any.  Problems found while reading a published document also
    carry the :class:`Place` in the source, a stable ``code`` (``READ_…``) and
    a ``severity``: ``"error"`` (a figure could not be read; the report is
    incomplete), ``"warning"`` (read, with a correction the reader names) or
    ``"info"`` (a note kept beside a figure).
    """

    location: str
    message: str
    label: str | None = None
    code: str | None = None
    severity: str = "error"
    place: Place | None = None

    def __str__(self) -> str:
        where = self.location if self.label is None else f"{self.location} ({self.label})"
        return f"{where}: {self.message}" if where else self.message

    def within(self, prefix: str, label: str | None = None) -> Problem:
        """The same problem, located inside ``prefix`` (a path joined with ``.``)."""
        location = f"{prefix}.{self.location}" if prefix and self.location else prefix or self.location
        return attrs.evolve(self, location=location, label=label if label is not None else self.label)


class GongkaiError(Exception):
    """Base class of every error raised by ``gongkai_model``.

    ``problems`` lists every problem found (possibly empty for errors that are
    not about input).
    """

    def __init__(self, message: str, problems: Iterable[Problem] = ()) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        if self.problems:
            shown = "\n".join(f"  - {p}" for p in self.problems[:50])
            more = len(self.problems) - 50
            if more > 0:
                shown += f"\n  … and {more} more"
            message = f"{message}\n{shown}"
        super().__init__(message)


class ModelError(GongkaiError, ValueError):
    """A value that the model cannot hold: wrong type, negative count, wrong edition."""


class RecordsError(GongkaiError, ValueError):
    """Records that do not describe one report: unknown labels, duplicates, bad values."""


class JSONError(GongkaiError, ValueError):
    """A JSON document that is not a valid report; ``problems`` name every JSON path at fault."""


class ExcelError(GongkaiError, ValueError):
    """A workbook that cannot be read or written; ``problems`` name the file, ``sheet!cell`` or field."""


class ReadError(GongkaiError, ValueError):
    """A published document (text, HTML, Word, PDF, Markdown) that cannot be read at all.

    Readers report what they could not read as located problems in their result; this error is
    raised only when nothing can be read (a file too large, not a regular file, not of the format,
    or an optional dependency that is not installed).
    """
