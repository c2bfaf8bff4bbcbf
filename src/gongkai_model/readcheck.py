"""Read, then check: one verdict for the reading and the checks (above both layers).

:func:`check` reads any published form with :func:`gongkai_model.formats.read` and validates the
report with :func:`gongkai_model.checks.validate`, passing on what the reader saw (formula cells,
the headings as printed). :class:`CheckedReport` holds both results side by side.
"""

from __future__ import annotations

from typing import Any

import attrs

from ._views import register_parts
from .checks import CheckSelection, Suggestion, ValidationResult, validate
from .codes import READ_FAILED
from .errors import GongkaiError, Place, Problem, Tally, Verdict
from .formats import Coverage, Imported, parse_value, read
from .limits import Limits, Source, source_name
from .model.layout import layout, shape_of
from .model.report import AnnualReport
from .presentation import section_names, workbook_cells

__all__ = ["ENGINE_ALTERNATIVES", "CheckedReport", "by_engine", "check", "checked", "placed", "unplaced"]

#: How many of the engine's alternative readings of a cell (most likely first) rank the suggestions (:func:`by_engine`).
ENGINE_ALTERNATIVES = 5


@attrs.frozen
class CheckedReport:
    """A document read and then checked: reading problems stand beside the checks' findings.

    ``ok`` is false when a figure could not be read (the report is incomplete), when the checks
    find an error or an inconsistency, or when they had too little to check (no figure at all, or
    more than half of the identities not assessable: :attr:`tally`), so a report read with refused
    cells, and a blank template, are never called OK.
    """

    imported: Imported
    validation: ValidationResult | None

    @property
    def report(self) -> AnnualReport | None:
        return self.imported.report

    @property
    def problems(self) -> tuple[Problem, ...]:
        return self.imported.problems

    @property
    def coverage(self) -> Coverage:
        """How many statutory cells were read, by order, split, refused and absent (:attr:`Imported.coverage`)."""
        return self.imported.coverage

    @property
    def tally(self) -> Tally | None:
        """What the checks had to work on: figures, identities held, broken and not assessable (``None``
        when no report was checked)."""
        return self.validation.tally if self.validation is not None else None

    @property
    def ok(self) -> bool:
        """``verdict.clean`` once the checks have run."""
        return self.validation is not None and self.verdict.clean

    @property
    def verdict(self) -> Verdict:
        """One verdict for the reading and the checks (:meth:`Verdict.of`): ``unreadable``, ``incomplete``,
        ``inconsistent``, ``empty``, ``unassessed``, ``warnings`` or ``ok``. ``ok`` is ``verdict.clean``
        once the checks have run."""
        findings = self.validation.issues if self.validation is not None else ()
        return Verdict.of(
            (p.severity for p in self.problems),
            (f.severity for f in findings),
            readable=self.report is not None,
            tally=self.tally if self.tally is not None else self.imported.tally,
        )

    def place_of(self, path: str) -> Place | None:
        """Where the figure at the model ``path`` was printed in the document read (its provenance), or ``None``.

        ``None`` for a cell the document did not print, and for a report read with no provenance (JSON).
        """
        prov = self.imported.provenance.get(path)
        return prov.place if prov is not None else None

    def cell_of(self, path: str) -> str | None:
        """The cell of the model ``path`` in the official workbook layout (``"表三!J7"``), whatever was read.

        What ``gongkai template`` and a workbook written by ``gk.write`` hold there; ``None`` when there is no
        report or the path is no table cell of its shape.
        """
        if self.report is None:
            return None
        return workbook_cells(shape_of(self.report)).get(path)

    def where(self, path: str | None, lang: str = "zh") -> str | None:
        """The place of the model ``path`` as a reader of the source looks it up, without the file name.

        The printed place (:meth:`place_of`, :meth:`Place.describe <gongkai_model.errors.Place.describe>`):
        ``表三!D7`` in a workbook, ``第 2 页 第 1 个表格 第 5 行 第 3 列`` in a PDF (``lang="en"``:
        ``page 2, table 1, row 5, column 3``), table, row and column in a page or a Word file, a line in a
        text copy. Where nothing was printed (a report read from JSON), the cell of the official workbook
        layout (:meth:`cell_of`). ``None`` when the path is ``None`` or neither is known.

        >>> import gongkai_model as gk
        >>> checked = gk.check(gk.dumps(gk.examples.seed_report()).encode(), format="json")
        >>> checked.where("table3.results.granted.total"), checked.place_of("table3.results.granted.total")
        ('表三!J7', None)
        """
        if path is None:
            return None
        place = self.place_of(path)
        described = place.describe(lang) if place is not None else ""
        return described or self.cell_of(path)

    def __repr__(self) -> str:
        """A few lines whatever the size: source, verdict, report, coverage, the first problems and findings."""
        from ._views import clip, counted, first_few

        findings = self.validation.issues if self.validation is not None else ()
        suggestions = len(self.validation.suggestions) if self.validation is not None else 0
        return (
            f"CheckedReport(source={clip(self.imported.source)!r}, verdict={self.verdict.value!r}, "
            f"report={clip(repr(self.report), 200)}, coverage='{self.coverage}', "
            f"problems={len(self.problems)} ({counted(p.severity for p in self.problems)}) "
            f"{first_few(self.problems, describe=_problem_text)}, "
            f"findings={'not checked' if self.validation is None else len(findings)} "
            f"({counted(f.severity for f in findings)}) {first_few(findings)}, suggestions={suggestions})"
        )

    def _repr_html_(self) -> str:
        """The report with its marked cells, problems and findings (:func:`gongkai_model.notebook.checked_html`)."""
        from ._views import html

        return html(self)

    def summary(self) -> str:
        """The reading's summary, the checks' (with what they assessed), then the verdict."""
        parts = [self.imported.summary()]
        if self.validation is not None:
            parts.append(self.validation.summary())
        verdict = self.verdict
        parts.append(f"{self.imported.source}: {'OK' if self.ok else 'NOT OK'} ({verdict})")
        return "\n".join(parts)


def _problem_text(problem: Problem) -> str:
    return f"[{problem.code or 'READ'}] {problem}"


register_parts(CheckedReport, lambda c: ((c.imported.source, c.imported, c.validation, c.verdict),))


def check(
    source: Source,
    *,
    format: str | None = None,
    agency: str | None = None,
    year: int | None = None,
    edition: str | None = None,
    strict: bool = False,
    limits: Limits | None = None,
    allow_network: bool = False,
    blanks_as_zero: bool = False,
    checks: CheckSelection | None = None,
    accept_unverified: bool = False,
    previous: AnnualReport | None = None,
    next: AnnualReport | None = None,
) -> CheckedReport:
    """Read a report (as :func:`read`), then validate it: one verdict for the reading and the checks.

    ``format`` … ``allow_network`` are the options of :func:`~gongkai_model.formats.read`;
    ``blanks_as_zero``, ``checks``, ``previous`` and ``next`` those of :func:`~gongkai_model.checks.validate`
    (the same agency's reports of the years before and after weigh in the ranking of the repair suggestions).
    Its ``ok`` is false when a figure could not be read, even if the figures read are consistent.
    Each finding about a printed cell carries the cell's ``place`` in the document (:func:`placed`).
    What the reader saw is passed on to the checks: the cells that were formulas in a template
    (treated as derived totals by the repair search) and the section headings as printed.
    A file that cannot be read at all gives a result with no report and the reason as a problem.

    Figures read by OCR (a scanned page, a table pasted as a picture) are verified by the identities; an
    unverified one is a reading error (``READ_OCR_UNVERIFIED``), so the verdict is never ``ok``, unless
    ``accept_unverified=True`` (then a warning). The repair suggestions that set a cell read by OCR to one
    of the engine's alternative readings come first (:func:`by_engine`).
    """
    options = {"format": format, "agency": agency, "year": year, "edition": edition}
    given: dict[str, Any] = {k: v for k, v in options.items() if v is not None}
    try:
        imported = read(
            source,
            **given,
            strict=strict,
            limits=limits,
            allow_network=allow_network,
            accept_unverified=accept_unverified,
        )
    except GongkaiError as exc:
        name = source_name(source, "<document>")
        problems = exc.problems or (Problem(name, str(exc)),)
        imported = Imported(None, tuple(_as_read(p, name) for p in problems), {}, name)
    return checked(imported, blanks_as_zero=blanks_as_zero, checks=checks, previous=previous, next=next)


def checked(
    imported: Imported,
    *,
    blanks_as_zero: bool = False,
    checks: CheckSelection | None = None,
    previous: AnnualReport | None = None,
    next: AnnualReport | None = None,
) -> CheckedReport:
    """What was read, validated: the second half of :func:`check`, for a reading already made
    (the options are :func:`check`'s).

    >>> import gongkai_model as gk
    >>> from gongkai_model.readcheck import checked
    >>> checked(gk.read(gk.formats.render_html(gk.examples.seed_report()).encode())).verdict
    <Verdict.OK: 'ok'>
    """
    validation = None
    if imported.report is not None:
        derived = [path for path, prov in imported.provenance.items() if prov.formula]
        headings: dict[str, str | None] | None = None
        if imported.headings:  # a document with prose: a section whose heading was not found is missing
            headings = {name: imported.headings.get(name) for name in section_names()}
        validation = placed(
            validate(
                imported.report,
                derived=derived,
                headings=headings,
                blanks_as_zero=blanks_as_zero,
                checks=checks,
                previous=previous,
                next=next,
            ),
            imported,
        )
        validation = by_engine(validation, imported)
    return CheckedReport(imported, validation)


def by_engine(validation: ValidationResult, imported: Imported) -> ValidationResult:
    """The repair suggestions with those the OCR engine agrees with first: each sets a cell read by OCR to
    one of the engine's alternative readings of it (:attr:`Provenance.alternatives
    <gongkai_model.formats.Provenance.alternatives>`).

    The order among the agreeing suggestions, and among the others, is the checks' own; ranks are counted
    again (ties stay ties). Nothing changes for a report with no such suggestion (one read from a text layer).
    """
    report = imported.report
    if report is None or not validation.suggestions:
        return validation
    provenance = imported.provenance
    if not any(p.alternatives for p in provenance.values()):
        return validation
    by_path = {c.path: c for c in layout(shape_of(report))}
    readings: dict[str, frozenset[object]] = {}

    def alternatives(path: str) -> frozenset[object]:
        """What the engine's first alternative readings of the cell at ``path`` say (none for a text layer)."""
        if path not in readings:
            cell, prov = by_path.get(path), provenance.get(path)
            found: set[object] = set()
            if cell is not None and prov is not None:
                for text in prov.alternatives[:ENGINE_ALTERNATIVES]:
                    value = parse_value(text, cell.kind, unit=cell.spec.unit).value
                    if value is not None:
                        found.add(value)
            readings[path] = frozenset(found)
        return readings[path]

    def agrees(s: Suggestion) -> bool:
        return any(c.proposed in alternatives(c.path) for c in s.inputs)

    marked = [(not agrees(s), s) for s in validation.suggestions]
    if not any(not later for later, _ in marked):
        return validation
    marked.sort(key=lambda m: (m[0], m[1].rank))
    out: list[Suggestion] = []
    place = 0
    last: tuple[bool, int] | None = None
    for later, s in marked:
        if (later, s.rank) != last:
            place += 1
            last = (later, s.rank)
        out.append(s if s.rank == place else attrs.evolve(s, rank=place))
    return attrs.evolve(validation, suggestions=tuple(out))


def placed(validation: ValidationResult, imported: Imported) -> ValidationResult:
    """The findings with their ``place``: where the reader found the cell at each finding's ``path``.

    A finding about no cell, or about a cell the document did not print, keeps ``place=None``.
    Nothing else changes (the place is no part of a finding's key).
    """
    provenance = imported.provenance
    if not any(f.path in provenance for f in validation.issues):
        return validation
    issues = tuple(
        attrs.evolve(f, place=provenance[f.path].place) if f.path is not None and f.path in provenance else f
        for f in validation.issues
    )
    return attrs.evolve(validation, issues=issues)


def unplaced(checked: CheckedReport) -> CheckedReport:
    """``checked`` with no place on its findings (as :func:`placed` gives them when there is no provenance)."""
    validation = checked.validation
    if validation is None or all(f.place is None for f in validation.issues):
        return checked
    issues = tuple(attrs.evolve(f, place=None) for f in validation.issues)
    return attrs.evolve(checked, validation=attrs.evolve(validation, issues=issues))


def _as_read(problem: Problem, name: str) -> Problem:
    if problem.code is not None:
        return problem
    return Problem(problem.location or name, problem.message, problem.label, code=READ_FAILED, place=problem.place)
