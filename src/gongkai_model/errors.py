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

import enum
from collections.abc import Iterable

import attrs

__all__ = [
    "UNASSESSED_SHARE",
    "ExcelError",
    "GongkaiError",
    "JSONError",
    "ModelError",
    "Place",
    "Problem",
    "ReadError",
    "RecordsError",
    "Severity",
    "Tally",
    "Verdict",
    "stable_key",
]


class Severity(str, enum.Enum):
    """How bad a reading problem or a check finding is: one scale for both.

    A ``str`` enum: ``Severity.ERROR == "error"``, and it prints, formats and serialises as its value.
    Reading problems use ``error``, ``warning`` and ``info``; ``inconsistency`` is the checks' own.

    >>> Severity("warning") is Severity.WARNING, f"{Severity.ERROR}", Severity.INFO == "info"
    (True, 'error', True)
    """

    ERROR = "error"  #: malformed data, or a figure that could not be read (the report is incomplete)
    INCONSISTENCY = "inconsistency"  #: a broken identity (勾稽关系 or a sum)
    WARNING = "warning"  #: implausible but possible, or read with a correction the reader names
    INFO = "info"  #: not a problem: a note, or an identity that cannot be assessed because of blanks

    def __str__(self) -> str:
        return self.value

    def __format__(self, spec: str) -> str:
        return format(self.value, spec)


@attrs.frozen
class Tally:
    """What a report gave its checks to work on: its figures, and its identities (勾稽关系 and sums) counted.

    ``figures`` is how many of the report's ``cells`` (its statutory table cells) hold a figure that was
    typed (a template's formula total is not one); each identity of the checks that ran either
    ``held``, is ``broken``, or is ``not_assessable`` (a blank or invalid cell in it). ``assessed`` is
    ``held + broken``. Two verdicts read it (:meth:`Verdict.of`): :attr:`Verdict.EMPTY` when no cell
    holds a figure, :attr:`Verdict.UNASSESSED` when more than half of the identities
    (:data:`UNASSESSED_SHARE`) could not be assessed.

    >>> t = Tally(figures=12, cells=200, held=3, broken=1, not_assessable=38)
    >>> print(t)
    4 of 42 identities assessed (3 held, 1 broken), 38 not assessable; 12 of 200 cells hold a figure
    >>> t.assessed, t.mostly_unassessed, Tally(0, 200).empty
    (4, True, True)
    """

    figures: int
    cells: int
    held: int = 0
    broken: int = 0
    not_assessable: int = 0

    @property
    def identities(self) -> int:
        """Every identity of the checks that ran: ``held + broken + not_assessable``."""
        return self.held + self.broken + self.not_assessable

    @property
    def assessed(self) -> int:
        """The identities that could be assessed: ``held + broken``."""
        return self.held + self.broken

    @property
    def empty(self) -> bool:
        """No cell holds a figure (a blank template, a page of which no figure was read)."""
        return self.figures == 0

    @property
    def mostly_unassessed(self) -> bool:
        """More than :data:`UNASSESSED_SHARE` of the identities could not be assessed."""
        return self.not_assessable > self.identities * UNASSESSED_SHARE

    def as_dict(self) -> dict[str, int]:
        """The counts as a JSON object: ``identities``, ``assessed``, ``held``, ``broken``, ``not_assessable``,
        ``figures``, ``cells``."""
        return {
            "identities": self.identities,
            "assessed": self.assessed,
            "held": self.held,
            "broken": self.broken,
            "not_assessable": self.not_assessable,
            "figures": self.figures,
            "cells": self.cells,
        }

    @classmethod
    def total(cls, tallies: Iterable[Tally | None]) -> Tally:
        """The tallies added up (``None``, a file not checked, adds nothing)."""
        got = [t for t in tallies if t is not None]
        return cls(*(sum(getattr(t, f.name) for t in got) for f in attrs.fields(cls)))

    def __str__(self) -> str:
        return (
            f"{self.assessed} of {self.identities} identities assessed ({self.held} held, {self.broken} broken), "
            f"{self.not_assessable} not assessable; {self.figures} of {self.cells} cells hold a figure"
        )

    def zh(self) -> str:
        """The counts in Chinese: ``勾稽关系 42 项：已核对 4 项（成立 3 项、不成立 1 项），无法核对 38 项；…``."""
        return (
            f"勾稽关系 {self.identities} 项：已核对 {self.assessed} 项"
            f"（成立 {self.held} 项、不成立 {self.broken} 项），"
            f"无法核对 {self.not_assessable} 项；{self.cells} 个单元格中 {self.figures} 个已填报数字"
        )


#: The share of a report's identities that may be not assessable before it is :attr:`Verdict.UNASSESSED`:
#: more than half not assessable, and the report says too little for a verdict of ``ok``.
UNASSESSED_SHARE = 0.5


class Verdict(str, enum.Enum):
    """The one verdict every result gives (``Imported``, ``ValidationResult``, ``CheckedReport``, ``FileResult``).

    The first seven are verdicts on what was read, from clean to worst; the last four are the causes a
    batch gives a file that has no verdict of its own. A ``str`` enum: ``Verdict.OK == "ok"``.
    """

    OK = "ok"  #: read completely (where reading was done), consistent, and most identities assessed
    WARNINGS = "warnings"  #: only warnings (a corrected label, a heading variant, a plausibility finding)
    UNASSESSED = "unassessed"  #: nothing breaks, but more than half of the identities could not be assessed
    EMPTY = "empty"  #: no cell holds a figure (a blank template): nothing was checked, never called clean
    INCONSISTENT = "inconsistent"  #: an identity breaks (an inconsistency or an error finding)
    INCOMPLETE = "incomplete"  #: a figure could not be read: the report is not complete, never called clean
    UNREADABLE = "unreadable"  #: no report could be read
    TIMEOUT = "timeout"  #: a batch stopped the file after ``Limits.max_seconds``
    MEMORY = "memory"  #: a batch stopped the file beyond ``Limits.max_memory_bytes``
    CRASHED = "crashed"  #: the worker died, and again on a retry alone
    SKIPPED = "skipped"  #: a folder entry that is no file to read

    def __str__(self) -> str:
        return self.value

    def __format__(self, spec: str) -> str:
        return format(self.value, spec)

    @property
    def clean(self) -> bool:
        """``ok`` or ``warnings``: checked, and nothing breaks (``warnings`` counts as clean unless a caller says
        otherwise). ``empty`` and ``unassessed`` are not clean: nothing breaks because little or nothing
        was checked."""
        return self in (Verdict.OK, Verdict.WARNINGS)

    def passes(self, *, warnings: bool = False, unassessed: bool = False) -> bool:
        """Whether a file of this verdict passes (the one rule of ``FileResult.ok`` and ``gongkai check``'s exit
        status): ``ok``; ``warnings`` unless ``warnings=True`` (warnings count against it); ``unassessed``
        only with ``unassessed=True`` (accepted knowingly: ``--allow-unassessed``). Nothing else, ``empty``
        included, ever passes.

        >>> Verdict.WARNINGS.passes(), Verdict.UNASSESSED.passes(), Verdict.UNASSESSED.passes(unassessed=True)
        (True, False, True)
        """
        return (
            self is Verdict.OK
            or (self is Verdict.WARNINGS and not warnings)
            or (self is Verdict.UNASSESSED and unassessed)
        )

    @classmethod
    def of(
        cls,
        problems: Iterable[str] = (),
        findings: Iterable[str] = (),
        *,
        readable: bool = True,
        tally: Tally | None = None,
    ) -> Verdict:
        """The verdict from the severities of the reading ``problems`` and of the checks' ``findings``, and from
        the ``tally`` of what was checked (the one place every verdict is decided).

        ``readable`` is false when no report could be read at all. The order decides: unreadable, then
        incomplete (a reading error), inconsistent (an error or inconsistency finding), empty (no cell
        holds a figure), unassessed (more than half of the identities not assessable), warnings, ok.
        Without a ``tally`` (nothing counted) neither empty nor unassessed is given.

        >>> Verdict.of(["warning"], ["inconsistency"]), Verdict.of(["info"]), Verdict.of(readable=False)
        (<Verdict.INCONSISTENT: 'inconsistent'>, <Verdict.OK: 'ok'>, <Verdict.UNREADABLE: 'unreadable'>)
        >>> Verdict.of(tally=Tally(0, 200, not_assessable=42)), Verdict.of(tally=Tally(12, 200, 3, 0, 39))
        (<Verdict.EMPTY: 'empty'>, <Verdict.UNASSESSED: 'unassessed'>)
        """
        if not readable:
            return cls.UNREADABLE
        read = set(problems)
        checked = set(findings)
        if Severity.ERROR in read:
            return cls.INCOMPLETE
        if Severity.ERROR in checked or Severity.INCONSISTENCY in checked:
            return cls.INCONSISTENT
        if tally is not None and tally.empty:
            return cls.EMPTY
        if tally is not None and tally.mostly_unassessed:
            return cls.UNASSESSED
        if Severity.WARNING in read or Severity.WARNING in checked:
            return cls.WARNINGS
        return cls.OK


def stable_key(code: str, *where: object) -> str:
    """The one key scheme of problems and findings: the code, then the parts of the place, joined by ``|``.

    ``None`` is an empty part. A key is built from data, never from a message, so it survives a rewording;
    it is opaque (compare it, do not parse it).

    >>> stable_key("MY_CHECK", "四", "某一行", None)
    'MY_CHECK|四|某一行|'
    """
    return "|".join([code, *("" if p is None else str(p) for p in where)])


def _severity(value: Severity | str) -> Severity:
    return value if isinstance(value, Severity) else Severity(value)


@attrs.frozen
class Place:
    """Where something was printed in a source document.

    Only the parts that apply are set: ``page`` for PDFs, ``table``/``row``/``column`` (counted
    from 1) for a cell of the document's n-th table, ``line`` for text copies, ``cell`` for a
    worksheet cell (``表三!C7``); ``image`` (counted from 1, on its page or in its document) and
    ``box`` (``x0, y0, x1, y1`` in that image's pixels) for what was read from a picture by OCR.

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
    image: int | None = None
    box: tuple[int, int, int, int] | None = None

    def __str__(self) -> str:
        parts = [self.source] if self.source else []
        if self.cell is not None:
            parts.append(self.cell)
        for name in ("page", "image", "table", "row", "column", "line"):
            value = getattr(self, name)
            if value is not None:
                parts.append(f"{name} {value}")
        if self.box is not None:
            parts.append("box {},{},{},{}".format(*self.box))
        return ", ".join(parts)

    def describe(self, lang: str = "zh") -> str:
        """The place without its file, as a reader of the source finds it, in Chinese (``"zh"``) or English.

        A worksheet cell as ``sheet!cell``; a PDF by page, table, row and column; a page or a Word file
        by table, row and column; a text copy by line. ``""`` when only the file is known.

        >>> p = Place("r.pdf", page=3, table=2, row=5, column=4)
        >>> p.describe(), p.describe("en"), Place("r.xlsx", cell="表三!J7").describe()
        ('第 3 页 第 2 个表格 第 5 行 第 4 列', 'page 3, table 2, row 5, column 4', '表三!J7')
        >>> Place("r.txt", line=120).describe(), Place("r.html").describe("en")
        ('第 120 行', '')
        >>> Place("scan.pdf", page=2, image=1, row=3, column=4, box=(410, 880, 520, 930)).describe()
        '第 2 页 第 1 幅图片 第 3 行 第 4 列 (410,880)-(520,930)'
        """
        if self.cell is not None:
            return self.cell
        en = lang == "en"
        parts = []
        if self.page is not None:
            parts.append(f"page {self.page}" if en else f"第 {self.page} 页")
        if self.image is not None:
            parts.append(f"image {self.image}" if en else f"第 {self.image} 幅图片")
        if self.table is not None:
            parts.append(f"table {self.table}" if en else f"第 {self.table} 个表格")
        if self.row is not None:
            parts.append(f"row {self.row}" if en else f"第 {self.row} 行")
        if self.column is not None:
            parts.append(f"column {self.column}" if en else f"第 {self.column} 列")
        if self.line is not None and self.table is None:  # a table's line in a Markdown copy: its row says it
            parts.append(f"line {self.line}" if en else f"第 {self.line} 行")
        if self.box is not None:
            parts.append("({},{})-({},{})".format(*self.box))
        return (", " if en else " ").join(parts)


@attrs.frozen
class Problem:
    """One thing wrong with some input, and where it is.

    ``location`` names the place in the input's own terms (a model path such
    as ``table3.results.granted.natural_person``, ``record 12``, ``$.table3``
    or ``表三!C7``); ``label`` gives the statutory label(s) of that place when
    there are any.  Problems found while reading a published document also
    carry the :class:`Place` in the source, a stable ``code`` (``READ_…``, listed
    in :mod:`gongkai_model.codes`) and a :class:`Severity`: ``"error"`` (a figure
    could not be read; the report is incomplete), ``"warning"`` (read, with a
    correction the reader names) or ``"info"`` (a note kept beside a figure).
    A plain string is accepted for ``severity`` and made a :class:`Severity`.

    >>> p = Problem.at(Place("r.txt", line=3), "not a figure", code="READ_VALUE_REFUSED", severity="warning")
    >>> p.location, p.severity is Severity.WARNING, p.severity == "warning", p.key
    ('r.txt, line 3', True, True, 'READ_VALUE_REFUSED|line=3|')
    """

    location: str
    message: str
    label: str | None = None
    code: str | None = None
    severity: Severity = attrs.field(default=Severity.ERROR, converter=_severity)
    place: Place | None = None

    @classmethod
    def at(
        cls,
        place: Place | None,
        message: str,
        label: str | None = None,
        *,
        code: str | None = None,
        severity: Severity | str = Severity.ERROR,
        where: str = "",
    ) -> Problem:
        """A problem printed at ``place`` (its text is the ``location``; ``where`` when there is no place)."""
        return cls(str(place) if place is not None else where, message, label, code, _severity(severity), place)

    @property
    def key(self) -> str:
        """A stable key: the code, the place in the file (its source left out) and the label, never the message.

        ``READ`` stands for a missing code; without a place, the ``location`` is the place. See :func:`stable_key`.
        """
        if self.place is not None:
            fields = attrs.asdict(self.place)
            where = ";".join(f"{k}={v}" for k, v in fields.items() if k != "source" and v is not None)
        else:
            where = self.location
        return stable_key(self.code or "READ", where, self.label)

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
