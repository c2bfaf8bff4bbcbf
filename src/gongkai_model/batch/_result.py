"""The outcome of one file in a batch, and of the whole batch (shared by the runner and its journal)."""

from __future__ import annotations

import copyreg
import io
import operator
import pickle
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

import attrs

from .._codegen import FAST_PATHS
from .._views import clip, counted, first_few, register_parts
from ..checks import CellRef, Change, CheckRun, Evidence, Finding, Suggestion, ValidationResult
from ..codes import BATCH_CRASHED, BATCH_MEMORY, BATCH_SKIPPED, BATCH_TIMEOUT, READ_FAILED
from ..errors import GongkaiError, Place, Problem, Severity, Tally, Verdict
from ..formats import Coverage, Imported, Provenance
from ..jsonio import _encoded, loads
from ..limits import DEFAULT_LIMITS
from ..model.report import AnnualReport
from ..model.values import Edition
from ..readcheck import CheckedReport

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["CAUSES", "STATUSES", "BatchResult", "FileResult"]

#: Every status of a :class:`FileResult` (a :class:`~gongkai_model.Verdict`): the verdicts of a file that was read,
#: then the causes of one that was not.
STATUSES: tuple[str, ...] = tuple(v.value for v in Verdict)

#: The statuses that say why a file has no verdict of its own (see :data:`STATUSES`).
CAUSES: tuple[str, ...] = tuple(v.value for v in (Verdict.TIMEOUT, Verdict.MEMORY, Verdict.CRASHED, Verdict.SKIPPED))

#: The problem code of each cause (severity ``error``).
_CODES = {"timeout": BATCH_TIMEOUT, "memory": BATCH_MEMORY, "crashed": BATCH_CRASHED, "skipped": BATCH_SKIPPED}


def _unreadable(path: str, exc: BaseException) -> Imported:
    problems = exc.problems if isinstance(exc, GongkaiError) and exc.problems else ()
    if not problems:
        problems = (Problem(path, f"{type(exc).__name__}: {exc}" if not isinstance(exc, GongkaiError) else str(exc)),)
    located = tuple(p if p.code else attrs.evolve(p, code=READ_FAILED) for p in problems)
    return Imported(None, located, {}, path)


def _failed(path: str, cause: str, message: str) -> Imported:
    """No report: why (a timeout, memory, a crash, a skipped entry, or the function's own error)."""
    code = _CODES.get(cause, READ_FAILED)
    return Imported(None, (Problem.at(Place(path), message, code=code, severity=Severity.ERROR, where=path),), {}, path)


class _Received:
    """The slot of a :class:`FileResult` sent from a worker and not unpacked yet (see :class:`_Packed`)."""

    __slots__ = ("_packed",)
    _packed: _Packed | None


@attrs.frozen
class FileResult(_Received):
    """The outcome for one file: read, then checked, or the cause it could not be.

    ``status`` is ``"ok"``, ``"warnings"`` (only warnings), ``"unassessed"`` (nothing breaks, but more
    than half of the identities could not be assessed), ``"empty"`` (no cell holds a figure),
    ``"inconsistent"`` (an identity breaks), ``"incomplete"`` (a figure could not be read) or
    ``"unreadable"`` (no report at all); or, when
    the batch stopped it (``cause``): ``"timeout"`` (beyond ``Limits.max_seconds``), ``"memory"``
    (beyond ``Limits.max_memory_bytes``), ``"crashed"`` (its worker died, and again on a retry
    alone) or ``"skipped"`` (a folder entry that is no file to read). A cause comes with a problem
    of code ``BATCH_TIMEOUT``, ``BATCH_MEMORY``, ``BATCH_CRASHED`` or ``BATCH_SKIPPED`` saying what
    happened.
    """

    path: str
    checked: CheckedReport
    cause: str | None = attrs.field(default=None, kw_only=True)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_packed", None)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled compactly (as a worker sends it): see :class:`_Packed`; unpickled, it is unpacked on first use."""
        packed = self._packed if self._packed is not None else _Packed.of(self.checked)
        return (_received, (self.path, self.cause, packed))

    @property
    def report(self) -> AnnualReport | None:
        return self.checked.report

    @property
    def problems(self) -> tuple[Problem, ...]:
        return self.checked.problems

    @property
    def agency(self) -> str | None:
        """The agency of the report read (``None``: none printed, or no report); read without unpacking a result
        sent from a worker, as are :attr:`year`, :attr:`edition` and :attr:`quiet`."""
        packed = self._packed
        if packed is not None:
            return packed.agency
        report = self.checked.report
        return None if report is None else report.agency

    @property
    def year(self) -> int | None:
        """The year of the report read (``None``: none printed, or no report)."""
        packed = self._packed
        if packed is not None:
            return packed.year
        report = self.checked.report
        return None if report is None else report.year

    @property
    def edition(self) -> Edition | None:
        """The edition of the report read, ``None`` when no report was read."""
        packed = self._packed
        if packed is not None:
            return None if packed.edition is None else Edition(packed.edition)
        report = self.checked.report
        return None if report is None else report.edition

    @property
    def quiet(self) -> bool:
        """Nothing to list under the file: a report was read, with no reading problem, no finding (not even
        a note) and no suggestion."""
        packed = self._packed
        if packed is not None:
            return packed.quiet
        return _quiet(self.checked)

    @property
    def coverage(self) -> Coverage:
        """How many statutory cells were read, by order, split, refused and absent (:class:`Coverage`;
        empty for a file of which nothing was found: unreadable, stopped or skipped)."""
        packed = self._packed
        return packed.coverage if packed is not None else self.checked.coverage

    @property
    def findings(self) -> tuple[Finding, ...]:
        return self.checked.validation.issues if self.checked.validation is not None else ()

    @property
    def tally(self) -> Tally | None:
        """What the checks had to work on: figures, identities held, broken and not assessable
        (:attr:`CheckedReport.tally`; ``None`` for a file not checked)."""
        packed = self._packed
        return packed.tally if packed is not None else self.checked.tally

    @property
    def verdict(self) -> Verdict:
        """The cause, when the batch stopped the file; else the verdict of what was read and checked."""
        if self.cause is not None:
            return Verdict(self.cause)
        packed = self._packed
        return packed.verdict if packed is not None else self.checked.verdict

    @property
    def status(self) -> str:
        """The value of :attr:`verdict` as a plain string (one of :data:`STATUSES`)."""
        return self.verdict.value

    def ok(self, *, warnings: bool = False, unassessed: bool = False) -> bool:
        """Whether the file is clean (``warnings=True``: warnings count against it too; ``unassessed=True``: a
        file most of whose identities could not be assessed counts as clean; an ``empty`` one never does)."""
        return self.verdict.passes(warnings=warnings, unassessed=unassessed)

    def __repr__(self) -> str:
        """A few lines whatever the size: path, status, coverage, the first problems and findings."""
        findings = self.findings
        return (
            f"FileResult(path={clip(self.path)!r}, status={self.status!r}, coverage='{self.coverage}', "
            f"problems={len(self.problems)} ({counted(p.severity for p in self.problems)}) "
            f"{first_few(self.problems, describe=_problem_text)}, "
            f"findings={'not checked' if self.checked.validation is None else len(findings)} "
            f"({counted(f.severity for f in findings)}) {first_few(findings)})"
        )

    def _repr_html_(self) -> str:
        """The file as a notebook shows it (:func:`gongkai_model.notebook.file_html`)."""
        from .._views import html

        return html(self)


#: The slot that holds :attr:`FileResult.checked` (made by attrs), under the descriptor below.
_CHECKED_SLOT: Any = FileResult.__dict__["checked"]


class _LazyChecked:
    """:attr:`FileResult.checked`, unpacked on first use when the result came from a worker (:class:`_Packed`)."""

    def __get__(self, obj: FileResult | None, owner: type | None = None) -> Any:
        if obj is None:
            return _CHECKED_SLOT
        try:
            return _CHECKED_SLOT.__get__(obj, owner)
        except AttributeError:
            packed = obj._packed
            if packed is None:
                raise
            checked = packed.unpack()
            _CHECKED_SLOT.__set__(obj, checked)
            object.__setattr__(obj, "_packed", None)
            return checked

    def __set__(self, obj: FileResult, value: CheckedReport) -> None:
        _CHECKED_SLOT.__set__(obj, value)


setattr(FileResult, "checked", _LazyChecked())  # noqa: B010 - over the slot attrs made (mypy keeps its type)


class _Packed:
    """A file's :class:`CheckedReport` as a worker sends it: what a summary needs, and the rest in one blob.

    The verdict, the tally and the coverage are read as they are (a :meth:`BatchResult.summary` reads
    nothing else); the blob (the report as :func:`gongkai_model.dumps` text, the rest pickled) is
    unpacked into the very same objects on first use of :attr:`FileResult.checked`, so that a parent
    process collecting thousands of results does not build each report and finding as it arrives.
    The report goes as JSON (a fast path: ``dumps`` then ``loads`` give an equal report, as the journal
    relies on too; orjson's UTF-8 bytes when it writes them, see ``jsonio._encoded``) when its text is within
    the default limits of ``loads``; otherwise, and with ``GONGKAI_NO_FAST_PATHS=1``, it is pickled.
    """

    __slots__ = ("agency", "blob", "coverage", "edition", "quiet", "tally", "verdict", "year")

    def __init__(
        self,
        verdict: Verdict,
        tally: Tally | None,
        coverage: Coverage,
        blob: bytes,
        glance: tuple[str | None, int | None, str | None, bool] = (None, None, None, False),
    ) -> None:
        self.verdict = verdict
        self.tally = tally
        self.coverage = coverage
        self.blob = blob
        self.agency, self.year, self.edition, self.quiet = glance  # the edition as its value

    def __reduce__(self) -> tuple[Any, ...]:
        """Its verdict, tally and coverage as plain values (unpickling an attrs object per field costs a
        receiving process more than the rest of a file's message)."""
        tally = None if self.tally is None else _fields(self.tally, _TALLY)
        glance = (self.agency, self.year, self.edition, self.quiet)
        return (_packed, (self.verdict.value, tally, _fields(self.coverage, _COVERAGE), self.blob, glance))

    @classmethod
    def of(cls, checked: CheckedReport) -> _Packed:
        imported = checked.imported
        report = imported.report
        text: str | bytes | None = None
        if report is not None and FAST_PATHS:
            try:
                text = _encoded(report)  # (orjson's UTF-8 bytes, sent as they are, when it writes them)
            except GongkaiError:  # an integer too long to write: pickled instead
                text = None
            if text is not None and (
                len(text) > DEFAULT_LIMITS.max_keys or 4 * len(text) > DEFAULT_LIMITS.max_file_bytes
            ):
                text = None  # loads would refuse it by its size: pickled instead
        rest = (
            None if text is not None else report,
            imported.problems,
            imported.provenance,
            imported.source,
            imported.headings,
            imported.metadata,
            _fields(imported._coverage, _COVERAGE),
            _runs_apart(checked.validation),
        )
        blob = _compact_dumps((text, rest))
        glance = (
            (None, None, None, False)
            if report is None
            else (report.agency, report.year, report.edition.value, _quiet(checked))
        )
        return cls(checked.verdict, checked.tally, checked.coverage, blob, glance)

    def journaled(self) -> tuple[str, Imported, bool] | None:
        """What the journal writes of the file without building its report: the report's text, the rest of
        what was read (no report), and whether it was checked; ``None`` when the report was pickled."""
        text, (_report, problems, provenance, source, headings, metadata, _coverage, validation) = pickle.loads(
            self.blob
        )
        if text is None:
            return None
        if type(text) is bytes:
            text = text.decode("utf-8")
        imported = Imported(None, problems, provenance, source, headings, metadata, coverage=self.coverage)
        return text, imported, validation is not None

    def unpack(self) -> CheckedReport:
        text, (report, problems, provenance, source, headings, metadata, coverage, validation) = pickle.loads(self.blob)
        if text is not None:
            report = loads(text)
        coverage = _built(coverage, Coverage)
        imported = Imported(report, problems, provenance, source, headings, metadata, coverage=coverage)
        return CheckedReport(imported, _runs_back(validation))


def _by_fields(cls: type[Any]) -> Callable[[Any], tuple[Any, ...]]:
    """How :func:`_compact_dumps` pickles an object of ``cls`` (an attrs class whose fields are all given to
    its constructor, in order): as ``cls(*fields)``, its fields read at once (``operator.attrgetter``)."""
    fields = operator.attrgetter(*(a.name for a in attrs.fields(cls)))

    def reduce(obj: Any) -> tuple[Any, ...]:
        return (cls, fields(obj))

    return reduce


#: The objects a result holds by the dozen (findings and the cells they name, suggestions, reading problems,
#: places, provenance), pickled by :func:`_compact_dumps` as their class and the tuple of their fields; the
#: classes themselves exactly (a subclass is pickled as it is).
_COMPACT: dict[type[Any], Callable[[Any], tuple[Any, ...]]] = {
    cls: _by_fields(cls) for cls in (Finding, CellRef, Suggestion, Change, Evidence, Problem, Place, Provenance)
}


class _Dispatch(dict[type[Any], Any]):
    """The pickler's dispatch table: :data:`_COMPACT`, then whatever ``copyreg`` holds when an object is pickled
    (a reducer registered after this module was imported is used, as by a plain pickle)."""

    def __missing__(self, cls: type[Any]) -> Any:
        return copyreg.dispatch_table[cls]  # a KeyError: the pickler goes on to the object's own __reduce_ex__


_DISPATCH = _Dispatch(_COMPACT)


def _compact_dumps(value: Any) -> bytes:
    """``pickle.dumps(value)``, but the objects of :data:`_COMPACT` as their class and fields: attrs pickles a
    slotted object through a Python ``__getstate__`` that makes a dict of its fields (names and all), one call
    per object, which cost a worker more than the rest of a file's result; unpickled, each is made by its own
    constructor from the same fields, so it is equal (``tests/test_batch_fast.py``). With
    ``GONGKAI_NO_FAST_PATHS=1``, a plain pickle (the thorough path)."""
    if not FAST_PATHS:
        return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _DISPATCH
    pickler.dump(value)
    return buffer.getvalue()


#: The fields of a :class:`Tally` and of a :class:`Coverage`, in order, read at once (sent as a tuple of them:
#: see :func:`_fields`).
_TALLY = operator.attrgetter(*(a.name for a in attrs.fields(Tally)))
_COVERAGE = operator.attrgetter(*(a.name for a in attrs.fields(Coverage)))
#: A check run's code and whether it assessed, read at once.
_RUN = operator.attrgetter("code", "assessed")
_RUN_TYPES = frozenset({CheckRun})


def _fields(value: Any, fields: operator.attrgetter[Any]) -> Any:
    """A :class:`Tally` or :class:`Coverage` (exactly: not a subclass) as the tuple of its fields; anything else
    as it is. :func:`_built` makes it again."""
    if type(value) is Tally or type(value) is Coverage:
        return fields(value)
    return value


def _built(sent: Any, kind: type[Any]) -> Any:
    """What :func:`_fields` sent, as a ``kind`` again (a tuple) or as it was."""
    return kind(*sent) if type(sent) is tuple else sent


def _packed(
    verdict: str, tally: Any, coverage: Any, blob: bytes, glance: tuple[str | None, int | None, str | None, bool]
) -> _Packed:
    """A :class:`_Packed` unpickled (see :meth:`_Packed.__reduce__`)."""
    return _Packed(Verdict(verdict), _built(tally, Tally), _built(coverage, Coverage), blob, glance)


def _quiet(checked: CheckedReport) -> bool:
    """:attr:`FileResult.quiet` of ``checked``."""
    validation = checked.validation
    return (
        checked.report is not None
        and not checked.problems
        and (validation is None or (not validation.issues and not validation.suggestions))
    )


def _runs_apart(validation: ValidationResult | None) -> Any:
    """A validation as the worker sends it: each check run as its (code, assessed) pair (pickled far faster)."""
    if type(validation) is not ValidationResult:
        return validation  # anything else is pickled as it is
    performed = validation.checks_performed
    if not _RUN_TYPES.issuperset(map(type, performed)):  # anything but check runs: as it is
        return validation
    return (validation.issues, tuple(map(_RUN, performed)), validation.suggestions, _fields(validation.tally, _TALLY))


def _runs_back(sent: Any) -> ValidationResult | None:
    """The validation :func:`_runs_apart` sent."""
    if not isinstance(sent, tuple):
        return cast("ValidationResult | None", sent)
    issues, runs, suggestions, tally = sent
    return ValidationResult(
        issues, tuple(CheckRun(code, assessed) for code, assessed in runs), suggestions, _built(tally, Tally)
    )


def _received(path: str, cause: str | None, packed: _Packed) -> FileResult:
    """A :class:`FileResult` unpickled: its :attr:`~FileResult.checked` is unpacked on first use."""
    result: FileResult = object.__new__(FileResult)
    object.__setattr__(result, "path", path)
    object.__setattr__(result, "cause", cause)
    object.__setattr__(result, "_packed", packed)
    return result


@attrs.frozen
class BatchResult:
    """Every file's result, in the order given, and a summary."""

    files: tuple[FileResult, ...]

    @property
    def ok(self) -> bool:
        return all(f.ok() for f in self.files)

    @property
    def coverage(self) -> Coverage:
        """The coverage of every file added up: statutory cells read, by order, split, refused and absent.

        A file of which no cell was found (unreadable, stopped, skipped) adds no cells (its shape is
        unknown); :attr:`summary` counts such files by status.
        """
        return Coverage.total(f.coverage for f in self.files)

    @property
    def tally(self) -> Tally:
        """The :attr:`FileResult.tally` of every file checked, added up: figures, and the identities held,
        broken and not assessable."""
        return Tally.total(f.tally for f in self.files)

    def summary(self) -> dict[str, int]:
        """How many files, and how many of each status (:data:`STATUSES`); then the identities of every file
        checked, added up (:attr:`tally`): ``identities``, ``assessed``, ``held``, ``broken``,
        ``not_assessable``, and ``figures`` of ``cells``."""
        counts = Counter(f.status for f in self.files)
        return {"files": len(self.files), **{s: counts.get(s, 0) for s in STATUSES}, **self.tally.as_dict()}

    def __repr__(self) -> str:
        """A few lines whatever the number of files: the counts by status, the coverage, the first files."""
        counts = Counter(f.status for f in self.files)
        statuses = ", ".join(f"{s}={n}" for s, n in counts.most_common())
        findings = [f.severity for r in self.files for f in r.findings]
        return (
            f"BatchResult(files={len(self.files)}{', ' + statuses if statuses else ''}, coverage='{self.coverage}', "
            f"findings={len(findings)} ({counted(findings)}), "
            f"first={first_few(self.files, describe=_file_text)})"
        )

    def _repr_html_(self) -> str:
        """A table of the files as a notebook shows it (:func:`gongkai_model.notebook.batch_html`)."""
        from .._views import html

        return html(self)

    def to_frame(self) -> pd.DataFrame:
        """One row per file: source, status, agency, year, edition, coverage and counts
        (:func:`gongkai_model.frames.files_frame`; needs ``pandas``)."""
        from ..frames import files_frame

        return files_frame(self)


def _problem_text(problem: Problem) -> str:
    return f"[{problem.code or 'READ'}] {problem}"


def _file_text(file: FileResult) -> str:
    return f"{clip(file.path, 80)}: {file.status}"


def _file_part(f: FileResult) -> tuple[str, Imported, ValidationResult | None, Verdict]:
    return (f.path, f.checked.imported, f.checked.validation, f.verdict)


register_parts(FileResult, lambda f: (_file_part(f),))
register_parts(BatchResult, lambda b: [_file_part(f) for f in b.files])
