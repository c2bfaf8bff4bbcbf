"""What the checks return: findings, suggestions and the result that holds them."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

import attrs

from ..errors import GongkaiError, Place, Problem, Severity, Tally, Verdict, _severity, stable_key
from ..model.layout import get_path, replace_path
from ..model.report import AnnualReport

if TYPE_CHECKING:
    import pandas as pd

    from ..model.layout import Cell

__all__ = [
    "CellRef",
    "Change",
    "CheckRun",
    "Evidence",
    "Finding",
    "Severity",
    "Suggestion",
    "SuggestionKind",
    "ValidationResult",
    "apply_suggestion",
]

Number = int | Decimal

#: What a :class:`Suggestion` does (see its docstring and ``docs/checks.md``).
SuggestionKind = Literal[
    "single_cell",
    "fill_total",
    "split",
    "with_row_total",
    "with_column_total",
    "with_totals",
    "row_removed",
    "row_moved",
]


@attrs.frozen
class CellRef:
    """A table cell taking part in a finding, with its value at the time."""

    table: str
    row: str
    column: str
    path: str
    value: object

    @classmethod
    def of(cls, cell: Cell, value: object) -> CellRef:
        return cls(cell.table, cell.row, cell.column, cell.path, value)

    def __str__(self) -> str:
        return f"表{self.table} {self.row} × {self.column} = {'空白' if self.value is None else self.value}"


class _Pending:
    """The two slots of :class:`Finding` that are no fields: how to build the fields a check left pending
    (``None`` or unset once they are built, or when they were given), and the finding's key as the
    check knew it (unset unless the check gave it: see :func:`deferred`), for :func:`numbered`.
    """

    __slots__ = ("_key", "_pending")


@attrs.frozen
class Finding(_Pending):
    """One result of a check.

    ``code`` is stable (documented in ``docs/checks.md``) and never the message
    text.  The location is ``table``, ``row`` and ``column`` (statutory labels)
    and ``path`` (the model path of the cell the finding is about, when there is
    one).  For arithmetic, ``actual`` is the printed value (a total, or
    一+二 for the 表三 balance), ``expected`` the value its parts give, and
    ``difference`` is ``actual - expected``.  ``cells`` are the contributing
    cells; ``blank_cells`` the blanks that kept an identity from being
    assessed (``assessable`` is then ``False``) or that were read as 0 in the
    lenient mode.  ``year`` names the report in a series.

    ``severity`` is a :class:`~gongkai_model.errors.Severity` (a plain string is
    accepted and converted), the same type as a reading problem's.  ``place`` is
    the same :class:`~gongkai_model.errors.Place` type as a reading problem's:
    where the cell at ``path`` was printed, filled in by
    :func:`gongkai_model.check` from what the reader found, and ``None`` from
    :func:`~gongkai_model.validate` (the checks see the model, not a document;
    the model ``path`` is then the place).  ``place`` is no part of :attr:`key`.
    """

    code: str
    severity: Severity = attrs.field(converter=_severity)
    message_zh: str
    message_en: str
    table: str | None = None
    row: str | None = None
    column: str | None = None
    path: str | None = None
    expected: Number | None = None
    actual: Number | None = None
    difference: Number | None = None
    cells: tuple[CellRef, ...] = ()
    blank_cells: tuple[CellRef, ...] = ()
    assessable: bool = True
    year: int | None = None
    #: The model path of the text section the finding is about (``overview.text``, ``problems``), if any.
    section: str | None = None
    #: The sentence of that section the finding quotes (text against tables).
    quote: str | None = None
    #: 1 for the first finding with this code and location in a result, 2 for the next, …
    occurrence: int = 1
    #: Where the cell at ``path`` was printed in the document read (:func:`gongkai_model.check`), else ``None``.
    place: Place | None = None

    @property
    def location(self) -> str:
        """The place as text: ``表三 （一）予以公开 × 总计``."""
        parts = [f"表{self.table}" if self.table else "", self.row or "", self.column or ""]
        where = " × ".join(p for p in parts[1:] if p)
        head = f"{self.year}年 " if self.year is not None else ""
        tail = f" [{self.section}]" if self.section else ""
        return f"{head}{parts[0]} {where}".strip() + tail

    @property
    def key(self) -> str:
        """A stable key of the finding: its code and location, never its message.

        Built from ``code``, ``table``, ``row``, ``column``, ``path``, ``year`` and
        ``section`` (and ``#n`` when a result holds several findings at one
        location), so that a later run recognises a finding accepted before
        even when the wording of the messages has changed.

        >>> Finding("MY_CODE", Severity.WARNING, "…", "…", table="三", path="table3.new_received.total").key
        'MY_CODE|三|||table3.new_received.total||'
        """
        key = stable_key(self.code, self.table, self.row, self.column, self.path, self.year, self.section)
        return key if self.occurrence == 1 else f"{key}#{self.occurrence}"

    def __str__(self) -> str:
        return f"[{self.code}] {self.location}: {self.message_en}"


#: The fields of a :class:`Finding` that a check may leave pending (:func:`deferred`), in the order
#: its builder gives them: the presentation (the messages, the cells named), built when first read.
DEFERRED = ("message_zh", "message_en", "cells", "blank_cells")
#: What builds them: a function and its arguments (plain data the check already had), called once.
Builder = Callable[..., tuple[str, str, tuple[CellRef, ...], tuple[CellRef, ...]]]

_PENDING: Any = vars(_Pending)["_pending"]  # the slot's own descriptor
_KEY: Any = vars(_Pending)["_key"]


def _build(finding: object) -> bool:
    """Build the pending fields of ``finding``; whether its fields are set (``False``: not a deferred finding)."""
    try:
        pending = _PENDING.__get__(finding, Finding)
    except AttributeError:  # made by Finding(...): its fields were given (or one was deleted)
        return False
    if pending is not None:  # (None: built already, maybe by another thread just now)
        build, args = pending
        for setter, value in zip(_DEFERRED_SETTERS, build(*args), strict=True):
            setter(finding, value)
        _PENDING.__set__(finding, None)
    return True


def _pending_field(self: Finding, name: str) -> Any:
    """``Finding.__getattr__``: called only when an attribute is not found, so for a field left pending.

    Its fields are plain slots, read and written in C as before; an unset one (a deferred finding's
    messages and cells) is built on its first read, with the others, and is then a slot like any.
    Everything attrs made for the class (``__eq__``, ``__hash__``, ``__repr__``, ``__getstate__`` for
    pickling, ``attrs.evolve``) reads the fields, so it sees the built values: a deferred finding
    equals, hashes, prints and pickles exactly as the eager one.
    """
    if name in DEFERRED and _build(self):
        return object.__getattribute__(self, name)
    raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}", name=name, obj=self)


_DEFERRED_SETTERS = tuple(vars(Finding)[name].__set__ for name in DEFERRED)
# Set after the class is made, so that type checkers do not take every attribute for a field.
setattr(Finding, "__getattr__", _pending_field)  # noqa: B010

_new = object.__new__
(
    _set_code,
    _set_severity,
    _set_table,
    _set_row,
    _set_column,
    _set_path,
    _set_expected,
    _set_actual,
    _set_difference,
    _set_assessable,
    _set_year,
    _set_section,
    _set_quote,
    _set_occurrence,
    _set_place,
) = (
    vars(Finding)[name].__set__
    for name in (
        "code",
        "severity",
        "table",
        "row",
        "column",
        "path",
        "expected",
        "actual",
        "difference",
        "assessable",
        "year",
        "section",
        "quote",
        "occurrence",
        "place",
    )
)
_set_pending = _PENDING.__set__
_set_key = _KEY.__set__
_get_key = _KEY.__get__


def deferred(
    build: Builder,
    args: tuple[object, ...],
    code: str,
    severity: Severity,
    table: str | None,
    row: str | None,
    column: str | None,
    path: str | None,
    expected: Number | None = None,
    actual: Number | None = None,
    difference: Number | None = None,
    assessable: bool = True,
    key: str | None = None,
) -> Finding:
    """A :class:`Finding` whose messages and cells (:data:`DEFERRED`) are ``build(*args)``, built when first read.

    The other fields are given (``year``, ``section``, ``quote`` and ``place`` are ``None``,
    ``occurrence`` 1), so what decides a result (codes, severities, locations, keys) costs no building.
    ``build`` must be pure and ``args`` immutable: built now or later, the finding is the same one
    ``Finding(code, severity, *build(*args)[:2], …, cells=…, blank_cells=…)`` makes.  ``key``, when
    given, must be the finding's :attr:`~Finding.key` (a check computes it once per location):
    :func:`numbered` then reads it instead of building it.
    """
    f: Finding = _new(Finding)
    _set_code(f, code)
    _set_severity(f, severity)
    _set_table(f, table)
    _set_row(f, row)
    _set_column(f, column)
    _set_path(f, path)
    _set_expected(f, expected)
    _set_actual(f, actual)
    _set_difference(f, difference)
    _set_assessable(f, assessable)
    _set_year(f, None)
    _set_section(f, None)
    _set_quote(f, None)
    _set_occurrence(f, 1)
    _set_place(f, None)
    _set_pending(f, (build, args))
    if key is not None:
        _set_key(f, key)
    return f


@attrs.frozen
class Change:
    """One cell change proposed by a :class:`Suggestion`."""

    path: str
    table: str
    row: str
    column: str
    current: object
    proposed: int
    #: ``True`` for a total the caller declared derived (a template formula): it follows the inputs by itself.
    derived: bool = False


@attrs.frozen
class Evidence:
    """What speaks for or against a :class:`Suggestion`, beyond the identities it restores.

    ``kind`` is ``"series"`` (a cross-year identity with the previous or next
    year's report: ``code`` ``SERIES_CARRY_OVER``, ``year`` that report's year)
    or ``"text"`` (a figure the report's own text states: ``code`` the text
    check's, ``section`` and ``quote`` the sentence).  ``stance`` is ``"for"``
    (the suggestion keeps the cell equal to what the evidence says, or makes it
    so) or ``"against"`` (it makes them disagree).  ``path`` is the cell (of
    this report) the evidence is about, ``figure`` what the evidence says it
    is.  Ranking: see ``docs/checks.md``.
    """

    kind: Literal["series", "text"]
    stance: Literal["for", "against"]
    code: str
    path: str
    figure: int
    message_zh: str
    message_en: str
    year: int | None = None
    section: str | None = None
    quote: str | None = None

    def __str__(self) -> str:
        return f"{'+' if self.stance == 'for' else '-'} {self.message_en}"


@attrs.frozen
class Suggestion:
    """A proposed repair: set these cells to these values.

    ``kind`` is ``"single_cell"`` (one wrong cell), ``"fill_total"`` (a total
    left blank or 0 while its parts are filled), ``"split"`` (one number
    split across two cells of a row), ``"with_totals"``, ``"with_row_total"``,
    ``"with_column_total"`` (a figure changed together with the totals that
    contain it, by one amount) or ``"row_removed"`` (a whole row counted in
    the wrong place); see ``docs/checks.md``.  ``resolves`` lists the codes and
    locations of the findings the repair resolves; ``score`` is how many
    identities it restores; ``printed`` how many printed figures it changes
    (a derived total, see :attr:`Change.derived`, is not one); ``rank`` is 1
    for the best suggestions and equal for suggestions that the figures
    cannot tell apart (ties are listed, never broken).  ``evidence`` lists
    what speaks for and against it (:class:`Evidence`: the report's own
    statements, and the previous and next year's reports when given).  Apply
    one with :meth:`ValidationResult.apply`.
    """

    kind: SuggestionKind
    changes: tuple[Change, ...]
    resolves: tuple[str, ...]
    score: int
    message_zh: str
    message_en: str
    printed: int = 0
    rank: int = 1
    evidence: tuple[Evidence, ...] = ()
    #: The year of the report it repairs, in :func:`~gongkai_model.checks.validate_series` (``None`` from ``validate``).
    year: int | None = None

    @property
    def inputs(self) -> tuple[Change, ...]:
        """The changes to typed figures: every change but the derived totals that follow them."""
        return tuple(c for c in self.changes if not c.derived)

    def __str__(self) -> str:
        return self.message_en

    def _repr_html_(self) -> str:
        """The suggestion as a notebook shows it (:func:`gongkai_model.notebook.suggestion_html`)."""
        from .._views import html

        return html(self)


@attrs.frozen
class CheckRun:
    """A check that ran, and how many things it assessed."""

    code: str
    assessed: int


class PendingFindings:
    """Findings a check found and left as data (what it found, not yet :class:`Finding` objects), in a
    :class:`ValidationResult` whose ``issues`` are built when first read (:func:`lazy_result`).

    A subclass answers from its data what a result needs of the findings without building them:
    their severities (for the verdict) and how many are not assessable (for ``assessed``), exactly
    what its :meth:`findings` would give.
    """

    __slots__ = ()

    def findings(self) -> list[Finding]:  # pragma: no cover - abstract
        """The findings, in the order the check gives them (before :func:`numbered`)."""
        raise NotImplementedError

    def severities(self) -> Iterable[Severity]:  # pragma: no cover - abstract
        """The severities of :meth:`findings` (each at least once, in any order)."""
        raise NotImplementedError

    def not_assessable(self) -> int:  # pragma: no cover - abstract
        """How many of :meth:`findings` are not assessable."""
        raise NotImplementedError


class _LazyIssues:
    """The slot of :class:`ValidationResult` that is no field: what its ``issues`` are made of while they are
    not built (findings and :class:`PendingFindings`, in order), ``None`` once built; unset when the
    issues were given (``ValidationResult(...)``, unpickled, ``attrs.evolve``)."""

    __slots__ = ("_pending",)


@attrs.frozen
class ValidationResult(_LazyIssues):
    """What :func:`~gongkai_model.validate` found.

    ``ok`` is true when the verdict is clean: no finding is an error or an inconsistency, the report
    holds a figure, and no more than half of its identities were left unassessed (:attr:`tally`).
    ``checks_performed`` lists every check that ran with how many identities
    (or other items) it assessed, so a clean result shows that checks ran.
    ``tally`` counts what the checks had to work on: the figures, and the identities held, broken and
    not assessable (``None`` when no report was checked: a cross-year result, a malformed object).
    """

    issues: tuple[Finding, ...]
    checks_performed: tuple[CheckRun, ...]
    suggestions: tuple[Suggestion, ...] = ()
    tally: Tally | None = None

    @property
    def ok(self) -> bool:
        """``verdict.clean``: nothing breaks, and enough was checked to say so."""
        return self.verdict.clean

    @property
    def verdict(self) -> Verdict:
        """``inconsistent`` (an error or an inconsistency), ``empty`` (no figure), ``unassessed`` (most
        identities not assessable), ``warnings`` or ``ok`` (:meth:`Verdict.of`): ``ok`` is ``verdict.clean``."""
        parts = _parts(self)
        if parts is not None:  # issues not built yet: the severities from what the checks found
            return Verdict.of(findings=_severities(parts), tally=self.tally)
        return Verdict.of(findings=(f.severity for f in self.issues), tally=self.tally)

    @property
    def not_assessable(self) -> tuple[Finding, ...]:
        """Identities that could not be assessed because of blank cells."""
        return tuple(f for f in self.issues if not f.assessable)

    @property
    def assessed(self) -> int:
        """How many identities and other items the checks assessed in all (those not assessable left out)."""
        parts = _parts(self)
        unassessed = len(self.not_assessable) if parts is None else _not_assessable(parts)
        return sum(run.assessed for run in self.checks_performed) - unassessed

    def by_code(self, code: str) -> tuple[Finding, ...]:
        return tuple(f for f in self.issues if f.code == code)

    def by_key(self, key: str) -> Finding | None:
        """The finding with this :attr:`Finding.key`, or ``None``."""
        return next((f for f in self.issues if f.key == key), None)

    @property
    def best(self) -> tuple[Suggestion, ...]:
        """The suggestions of rank 1: every equally good repair (ties are not broken)."""
        return tuple(s for s in self.suggestions if s.rank == 1)

    def apply(self, report: AnnualReport, suggestion: Suggestion) -> AnnualReport:
        """A new report with ``suggestion`` applied; ``report`` is unchanged."""
        return apply_suggestion(report, suggestion)

    def summary(self) -> str:
        """One line per finding, then the verdict with what was checked (:class:`~gongkai_model.errors.Tally`)
        and a count of the findings by severity."""
        lines = [str(f) for f in self.issues]
        counts = {s: sum(f.severity is s for f in self.issues) for s in Severity}
        verdict = self.verdict
        head = "OK" if verdict.clean else f"NOT OK ({verdict})"
        tally = f"{self.tally}; " if self.tally is not None else ""
        lines.append(
            f"{head}: {tally}{self.assessed} assessed by {len(self.checks_performed)} checks; "
            + ", ".join(f"{n} {s.value}" for s, n in counts.items())
        )
        return "\n".join(lines)

    def __repr__(self) -> str:
        """A few lines whatever the number of findings: the verdict, the counts, the first findings."""
        from .._views import counted, first_few

        return (
            f"ValidationResult(verdict={self.verdict.value!r}, assessed={self.assessed}, "
            f"checks={len(self.checks_performed)}, findings={len(self.issues)} "
            f"({counted(f.severity for f in self.issues)}) {first_few(self.issues)}, "
            f"suggestions={len(self.suggestions)})"
        )

    def _repr_html_(self) -> str:
        """The findings as a notebook shows them (:func:`gongkai_model.notebook.result_html`)."""
        from .._views import html

        return html(self)

    def to_frame(self, *, exact: bool = False) -> pd.DataFrame:
        """The findings as a pandas DataFrame (:func:`~gongkai_model.frames.findings_frame`; needs ``pandas``)."""
        from .._views import frame

        result: pd.DataFrame = frame(self, exact=exact)
        return result


_RESULT_PENDING: Any = vars(_LazyIssues)["_pending"]
_get_parts = _RESULT_PENDING.__get__
_set_parts = _RESULT_PENDING.__set__
_ISSUES: Any = vars(ValidationResult)["issues"]
_get_issues = _ISSUES.__get__
_set_issues = _ISSUES.__set__
_set_runs = vars(ValidationResult)["checks_performed"].__set__
_set_suggestions = vars(ValidationResult)["suggestions"].__set__
_set_tally = vars(ValidationResult)["tally"].__set__
_BUILDING = threading.Lock()


def _parts(result: ValidationResult) -> tuple[Finding | PendingFindings, ...] | None:
    """What the issues of ``result`` are made of while they are not built, else ``None``."""
    try:
        parts: tuple[Finding | PendingFindings, ...] | None = _get_parts(result, ValidationResult)
    except AttributeError:  # made with its issues
        return None
    return parts


def _severities(parts: tuple[Finding | PendingFindings, ...]) -> Iterator[Severity]:
    for part in parts:
        if isinstance(part, PendingFindings):
            yield from part.severities()
        else:
            yield part.severity


def _not_assessable(parts: tuple[Finding | PendingFindings, ...]) -> int:
    count = 0
    for part in parts:
        if isinstance(part, PendingFindings):
            count += part.not_assessable()
        else:
            count += not part.assessable
    return count


def expand(parts: Iterable[Finding | PendingFindings]) -> list[Finding]:
    """The findings ``parts`` stand for: each :class:`PendingFindings` replaced by its findings, in order."""
    found: list[Finding] = []
    for part in parts:
        if isinstance(part, PendingFindings):
            found.extend(part.findings())
        else:
            found.append(part)
    return found


def _built_issues(result: ValidationResult) -> tuple[Finding, ...]:
    """The issues of a lazy result, built (once: threads reading at once wait for the first)."""
    with _BUILDING:
        try:
            issues: tuple[Finding, ...] = _get_issues(result, ValidationResult)
            return issues  # built by another thread just now
        except AttributeError:
            pass
        issues = numbered(expand(_get_parts(result, ValidationResult)))
        _set_issues(result, issues)  # (the issues first: a reader that still sees the parts answers from them)
        _set_parts(result, None)
        return issues


def _result_attribute(self: ValidationResult, name: str) -> Any:
    """``ValidationResult.__getattr__``: called only when an attribute is not found, so for ``issues`` not
    built yet. Everything attrs made for the class (``__eq__``, ``__hash__``, ``__getstate__`` for pickling,
    ``attrs.evolve``) reads the fields, so it sees the built issues: a lazy result equals, hashes and
    pickles exactly as the eager one."""
    if name == "issues" and _parts(self) is not None:
        return _built_issues(self)
    raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}", name=name, obj=self)


setattr(ValidationResult, "__getattr__", _result_attribute)  # noqa: B010


def lazy_result(
    parts: Iterable[Finding | PendingFindings],
    runs: tuple[CheckRun, ...],
    suggestions: tuple[Suggestion, ...] = (),
    tally: Tally | None = None,
) -> ValidationResult:
    """``ValidationResult(numbered(findings), runs, suggestions, tally)`` where ``findings`` are ``parts`` with
    each :class:`PendingFindings` replaced by its findings, built (and numbered) when ``issues`` is first read.
    The verdict, ``ok`` and ``assessed`` are answered from the parts without building."""
    result: ValidationResult = _new(ValidationResult)
    _set_runs(result, runs)
    _set_suggestions(result, suggestions)
    _set_tally(result, tally)
    _set_parts(result, tuple(parts))
    return result


def apply_suggestion(report: AnnualReport, suggestion: Suggestion) -> AnnualReport:
    """A new report with the suggestion's changes made.

    Raises :class:`~gongkai_model.GongkaiError` when a cell no longer holds the
    value the suggestion was made for (it was made for another report).
    """
    stale = [
        Problem(c.path, f"holds {get_path(report, c.path)!r}, the suggestion was made for {c.current!r}")
        for c in suggestion.changes
        if get_path(report, c.path) != c.current
    ]
    if stale:
        raise GongkaiError("the suggestion does not fit this report", stale)
    for change in suggestion.changes:
        report = replace_path(report, change.path, change.proposed)
    return report


def numbered(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """The findings with ``occurrence`` set, so that every key in the result is unique."""
    seen: dict[str, int] = {}
    out = []
    for f in findings:
        try:  # the key its check gave (a deferred finding, occurrence 1): nothing to build
            base = _get_key(f, Finding)
        except AttributeError:
            base = attrs.evolve(f, occurrence=1).key if f.occurrence != 1 else f.key
        n = seen.get(base, 0) + 1
        seen[base] = n
        out.append(f if f.occurrence == n else attrs.evolve(f, occurrence=n))
    return tuple(out)


def refs(cells: Iterable[tuple[Cell, object]]) -> tuple[CellRef, ...]:
    return tuple(CellRef.of(c, v) for c, v in cells)
