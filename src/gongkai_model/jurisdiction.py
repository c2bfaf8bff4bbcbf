"""Checking a whole jurisdiction: every unit's reports over the years, against an agency register.

:func:`check_jurisdiction` takes the reports of a jurisdiction (reports, :class:`~gongkai_model.Imported`,
:class:`~gongkai_model.CheckedReport`, or what :func:`~gongkai_model.check_many` and
:func:`~gongkai_model.read_many` return) and a :class:`~gongkai_model.register.Register`, and finds:

- a report whose agency is not in the register (``JURISDICTION_UNKNOWN_AGENCY``, with the closest
  registered names) or whose year is unknown (``JURISDICTION_NO_YEAR``);
- a registered unit with no report for a year checked (``JURISDICTION_MISSING``);
- two files of one unit and year: the same figures (``JURISDICTION_DUPLICATE``, info) or different
  ones (``JURISDICTION_CONFLICT``, naming both files);
- each unit's reports across the years present, by the series checks of :mod:`gongkai_model.checks`
  (``SERIES_CARRY_OVER``, ``SERIES_IN_FORCE`` and any series check registered);
- a unit the register marks as a summary (``summary``: ``complete`` or ``partial``) against the sum of
  its units' reports, cell by cell (``JURISDICTION_SUMMARY``).

Each finding (:class:`JurisdictionFinding`) is located by agency, year, file(s) and cell, with a stable
:attr:`~JurisdictionFinding.key`. :func:`panel_frame` gives the panel (one row per agency × year ×
cell) for pandas and DuckDB, :func:`findings_frame` the findings. See ``docs/jurisdictions.md``.

>>> import gongkai_model as gk
>>> from gongkai_model.register import Register
>>> reg = Register.from_rows([{"agency": "北京市西城区信访办公室"}, {"agency": "北京市西城区人民政府"}])
>>> result = check_jurisdiction([gk.examples.seed_report()], reg)
>>> print(result.findings[0])
[JURISDICTION_MISSING] 北京市西城区人民政府 2023: no report for 2023
>>> result.verdict
<Verdict.INCONSISTENT: 'inconsistent'>
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs

from ._optional import import_optional
from .batch import BatchResult, FileResult
from .checks import Finding, Severity, Suggestion, registered, validate, validate_series
from .codes import (
    JURISDICTION_CONFLICT,
    JURISDICTION_DUPLICATE,
    JURISDICTION_MISSING,
    JURISDICTION_NO_YEAR,
    JURISDICTION_SUMMARY,
    JURISDICTION_UNKNOWN_AGENCY,
    SERIES_AGENCY,
    SERIES_DUPLICATE_YEAR,
    SERIES_GAP,
)
from .errors import GongkaiError, Problem, Verdict, stable_key
from .formats import Imported
from .frames import to_frame
from .model.layout import layout, shape_of
from .model.report import AnnualReport
from .readcheck import CheckedReport, checked
from .register import Register, Unit, load_register, normalize_agency

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "Filed",
    "JurisdictionFinding",
    "JurisdictionResult",
    "check_jurisdiction",
    "findings_frame",
    "panel_frame",
]

#: The series checks the jurisdiction check does itself (by agency and year, with the files named).
_OWN_SERIES = frozenset({SERIES_DUPLICATE_YEAR, SERIES_AGENCY, SERIES_GAP})


@attrs.frozen
class Filed:
    """One report of the jurisdiction: the file it came from and the registered unit it belongs to."""

    report: AnnualReport
    file: str
    #: The registered unit, or ``None`` when the report's agency is not in the register.
    unit: Unit | None
    #: What was read, when the report came from a file (an ``Imported``, ``CheckedReport`` or ``FileResult``):
    #: :meth:`JurisdictionResult.repairs` checks it again as :func:`gongkai_model.check` did.
    imported: Imported | None = attrs.field(default=None, eq=False, repr=False)

    @property
    def agency(self) -> str | None:
        """The registered name of its unit, or the name printed in the report when it is not registered."""
        return self.unit.agency if self.unit is not None else self.report.agency

    @property
    def year(self) -> int | None:
        return self.report.year


@attrs.frozen
class JurisdictionFinding:
    """A finding of the jurisdiction check: a :class:`~gongkai_model.Finding` with its agency and files.

    ``finding`` holds the code, severity, messages, year and cell (``table``, ``row``, ``column``,
    ``path``, ``expected``, ``actual``, ``difference``); for a series finding it is the series check's
    own. ``agency`` is the registered name of the unit (the printed name when it is not registered),
    ``files`` the file(s) concerned (both of a conflict; last year's and this year's of a series
    finding), ``suggestions`` the closest registered names of an unknown agency.
    """

    finding: Finding
    agency: str | None
    files: tuple[str, ...] = ()
    suggestions: tuple[str, ...] = ()
    occurrence: int = 1

    @property
    def code(self) -> str:
        return self.finding.code

    @property
    def severity(self) -> Severity:
        return self.finding.severity

    @property
    def year(self) -> int | None:
        return self.finding.year

    @property
    def message_en(self) -> str:
        return self.finding.message_en

    @property
    def message_zh(self) -> str:
        return self.finding.message_zh

    @property
    def location(self) -> str:
        """``某县教育局 2023 表三 二、上年结转 × 自然人``: agency, year, then the cell when there is one."""
        f = self.finding
        cell = " × ".join(p for p in (f.row, f.column) if p)
        parts = [
            self.agency or "（机关不详）",
            str(f.year) if f.year is not None else "",
            f"表{f.table}" if f.table else "",
            cell,
        ]
        return " ".join(p for p in parts if p)

    @property
    def key(self) -> str:
        """A stable key: the code, the agency, the year and the cell, never a message nor a file name.

        >>> from gongkai_model.checks import Finding
        >>> JurisdictionFinding(Finding("JURISDICTION_MISSING", "error", "…", "…", year=2023), "某县教育局").key
        'JURISDICTION_MISSING|某县教育局|2023||||'
        """
        f = self.finding
        key = stable_key(f.code, self.agency, f.year, f.table, f.row, f.column, f.path)
        return key if self.occurrence == 1 else f"{key}#{self.occurrence}"

    def __str__(self) -> str:
        return f"[{self.code}] {self.location}: {self.message_en}"


@attrs.frozen
class JurisdictionResult:
    """What :func:`check_jurisdiction` found, and the reports it placed."""

    findings: tuple[JurisdictionFinding, ...]
    #: Every report read, in the order given, with its unit (unreadable files are left out).
    filed: tuple[Filed, ...]
    register: Register
    #: The years checked.
    years: tuple[int, ...]

    @property
    def verdict(self) -> Verdict:
        """``inconsistent`` when a finding is an error or an inconsistency, ``warnings``, or ``ok``."""
        return Verdict.of((), (f.severity for f in self.findings))

    @property
    def ok(self) -> bool:
        """No error and no inconsistency (warnings and notes allowed)."""
        return self.verdict in (Verdict.OK, Verdict.WARNINGS)

    def chosen(self) -> tuple[Filed, ...]:
        """One report per agency and year (the first file of a duplicate or a conflict), in the order given."""
        seen: set[tuple[str | None, int | None]] = set()
        out = []
        for f in self.filed:
            if f.year is None or (f.agency, f.year) in seen:
                continue
            seen.add((f.agency, f.year))
            out.append(f)
        return tuple(out)

    def repairs(self) -> tuple[tuple[Filed, tuple[Suggestion, ...]], ...]:
        """The repair suggestions of each report of the years checked, ranked with its unit's reports of the
        years before and after as evidence (``validate(report, previous=…, next=…)``: the cross-year
        carry-over a repair keeps or breaks), each with its report; a report with no suggestion is left out.

        One report per unit and year (:meth:`chosen`); a report read from a file is checked again as
        :func:`~gongkai_model.check` checks it (its formulas, headings and OCR readings weigh as they did),
        with the default options. Worked out when called: one validation per report.

        >>> import gongkai_model as gk
        >>> seed = gk.examples.seed_report()
        >>> broken = gk.model.replace_path(seed, "table3.results.granted.total", 9)
        >>> result = check_jurisdiction([broken])
        >>> [(filed.file, suggestions[0].rank) for filed, suggestions in result.repairs()]
        [('<report 1>', 1)]
        """
        chosen = {(f.agency, f.year): f for f in self.chosen() if f.unit is not None}
        out: list[tuple[Filed, tuple[Suggestion, ...]]] = []
        for (agency, year), f in chosen.items():
            if year is None or year not in self.years:
                continue
            before, after = chosen.get((agency, year - 1)), chosen.get((agency, year + 1))
            previous = None if before is None else before.report
            following = None if after is None else after.report
            if f.imported is not None and f.imported.report is f.report:
                validation = checked(f.imported, previous=previous, next=following).validation
            else:
                validation = validate(f.report, previous=previous, next=following)
            if validation is not None and validation.suggestions:
                out.append((f, validation.suggestions))
        return tuple(out)

    def lines(self) -> list[str]:
        """The result as printed by ``gongkai check --register``: a head line, then one line per finding."""
        years = f"{self.years[0]}–{self.years[-1]}" if len(self.years) > 1 else "".join(map(str, self.years))
        counts = {s: sum(f.severity is s for f in self.findings) for s in Severity}
        shown = ", ".join(f"{n} {s.value}" for s, n in counts.items() if n)
        head = (
            f"jurisdiction: {len(self.register)} unit(s), {len(self.filed)} report(s), year(s) {years or 'none'}: "
            f"{self.verdict.value}" + (f" ({shown})" if shown else "")
        )
        out = [head]
        for f in self.findings:
            files = f" [{', '.join(f.files)}]" if f.files else ""
            out.append(f"    [{f.code}] {f.severity.value}: {f.location}: {f.message_en}{files}")
        return out

    def as_json(self) -> dict[str, Any]:
        """The result as ``gongkai check --register --format json`` gives it."""

        def num(v: object) -> object:
            return v if v is None or isinstance(v, int) else str(v)

        return {
            "ok": self.ok,
            "verdict": self.verdict.value,
            "units": len(self.register),
            "reports": len(self.filed),
            "years": list(self.years),
            "findings": [
                {
                    "key": f.key,
                    "code": f.code,
                    "severity": f.severity.value,
                    "agency": f.agency,
                    "year": f.year,
                    "files": list(f.files),
                    "table": f.finding.table,
                    "row": f.finding.row,
                    "column": f.finding.column,
                    "path": f.finding.path,
                    "expected": num(f.finding.expected),
                    "actual": num(f.finding.actual),
                    "difference": num(f.finding.difference),
                    "suggestions": list(f.suggestions),
                    "message_en": f.message_en,
                    "message_zh": f.message_zh,
                }
                for f in self.findings
            ],
        }

    def to_frame(self) -> pd.DataFrame:
        """The findings as a DataFrame (:func:`findings_frame`)."""
        return findings_frame(self)

    def panel(self) -> pd.DataFrame:
        """The panel: one row per agency × year × cell (:func:`panel_frame`)."""
        return panel_frame(self)

    def __str__(self) -> str:
        return "\n".join(self.lines())


# ---------------------------------------------------------------------------
# Placing the reports


Source = AnnualReport | Imported | CheckedReport | FileResult


def _items(
    reports: BatchResult | Iterable[Source] | Source,
) -> list[tuple[str, AnnualReport | None, Imported | None]]:
    """(file, report, what was read) for each item; a bare report is named ``<report n>`` (counted from 1)."""
    if isinstance(reports, BatchResult):
        reports = reports.files
    if isinstance(reports, (AnnualReport, Imported, CheckedReport, FileResult)):
        reports = [reports]
    out: list[tuple[str, AnnualReport | None, Imported | None]] = []
    wrong: list[Problem] = []
    for i, item in enumerate(reports):
        if isinstance(item, AnnualReport):
            out.append((f"<report {i + 1}>", item, None))
        elif isinstance(item, FileResult):
            out.append((item.path, item.report, None if item.report is None else item.checked.imported))
        elif isinstance(item, CheckedReport):
            out.append((item.imported.source, item.report, item.imported))
        elif isinstance(item, Imported):
            out.append((item.source, item.report, item))
        else:
            wrong.append(
                Problem(f"item {i}", f"not a report, Imported, CheckedReport or FileResult: {type(item).__name__}")
            )
    if wrong:
        raise GongkaiError("cannot check a jurisdiction", wrong)
    return out


def _register_of(items: Sequence[tuple[str, AnnualReport | None, Imported | None]]) -> Register:
    """Without a register: each agency printed is a unit (named as first printed; variants fold together)."""
    names: dict[str, str] = {}
    for _, r, _ in items:
        if r is not None and r.agency is not None:
            names.setdefault(normalize_agency(r.agency), r.agency)
    return Register(tuple(Unit(name) for name in names.values()))


def _place(
    reports: BatchResult | Iterable[Source] | Source, register: Any
) -> tuple[Register, tuple[Filed, ...], list[JurisdictionFinding]]:
    items = _items(reports)
    reg = _register_of(items) if register is None else load_register(register)
    filed: list[Filed] = []
    found: list[JurisdictionFinding] = []
    for file, r, imported in items:
        if r is None:
            continue  # unreadable: the per-file check says so
        unit = reg.lookup(r.agency)
        filed.append(Filed(r, file, unit, imported))
        if unit is None:
            near = reg.suggest(r.agency) if r.agency else ()
            hint_en = f"; closest: {', '.join(near)}" if near else ""
            hint_zh = f"；最接近：{'、'.join(near)}" if near else ""
            printed = r.agency or "（未注明）"
            found.append(
                JurisdictionFinding(
                    Finding(
                        JURISDICTION_UNKNOWN_AGENCY,
                        Severity.WARNING,
                        f"报告机关「{printed}」不在名录中{hint_zh}",
                        f"the agency {printed!r} is not in the register{hint_en}",
                        year=r.year,
                    ),
                    r.agency,
                    (file,),
                    near,
                )
            )
        elif r.year is None:
            found.append(
                JurisdictionFinding(
                    Finding(
                        JURISDICTION_NO_YEAR,
                        Severity.WARNING,
                        "报告年度不明，未参与检查",
                        "the report's year is unknown: it is left out of the checks",
                    ),
                    unit.agency,
                    (file,),
                )
            )
    return reg, tuple(filed), found


# ---------------------------------------------------------------------------
# The checks


def check_jurisdiction(
    reports: BatchResult | Iterable[Source] | Source,
    register: Register | Any = None,
    *,
    year: int | Iterable[int] | None = None,
) -> JurisdictionResult:
    """Check the reports of a jurisdiction together, against its register; see the module's docstring.

    ``reports``: reports, :class:`~gongkai_model.Imported`, :class:`~gongkai_model.CheckedReport`,
    :class:`~gongkai_model.batch.FileResult` or a :class:`~gongkai_model.batch.BatchResult` (files that
    could not be read are left out: the per-file check reports them). ``register``: a
    :class:`~gongkai_model.register.Register`, or what :func:`~gongkai_model.register.load_register`
    takes (a CSV path, a DataFrame, rows); ``None`` makes each agency printed a unit of its own (names
    folded by :func:`~gongkai_model.register.normalize_agency`; a unit is then missing in a year when it
    filed in another, and none is a summary). ``year``: the year(s) checked (default: every year of the
    reports); reports of other years still serve as last year's for the series checks, whose findings are
    those of the years checked.

    Raises :class:`~gongkai_model.GongkaiError` for an item that is not a report and
    :class:`~gongkai_model.register.RegisterError` for a register that cannot be used.
    """
    reg, filed, found = _place(reports, register)
    placed = [f for f in filed if f.unit is not None and f.year is not None]
    years = tuple(sorted({f.year for f in placed if f.year is not None})) if year is None else _years(year)
    checked = frozenset(years)
    by: dict[tuple[str, int], list[Filed]] = {}
    for f in placed:
        assert f.unit is not None
        assert f.year is not None
        by.setdefault((f.unit.agency, f.year), []).append(f)
    found.extend(_repeats(by, checked))
    found.extend(_missing(reg, by, years))
    found.extend(_series(reg, by, checked))
    found.extend(_summaries(reg, by, years))
    found = [f for f in found if f.year is None or f.year in checked or f.code in _PLACING]
    return JurisdictionResult(_numbered(found), filed, reg, years)


def _years(year: int | Iterable[int]) -> tuple[int, ...]:
    got = [year] if isinstance(year, int) or not isinstance(year, Iterable) or isinstance(year, (str, bytes)) else year
    wrong = [y for y in got if not isinstance(y, int) or isinstance(y, bool)]
    if wrong:
        raise GongkaiError("cannot check a jurisdiction", [Problem("year", f"not a year: {wrong[0]!r}")])
    return tuple(sorted(set(got)))  # type: ignore[arg-type]


_PLACING = frozenset({JURISDICTION_UNKNOWN_AGENCY, JURISDICTION_NO_YEAR})


def _numbered(found: list[JurisdictionFinding]) -> tuple[JurisdictionFinding, ...]:
    seen: dict[str, int] = {}
    out = []
    for f in found:
        key = f.key
        seen[key] = seen.get(key, 0) + 1
        out.append(f if seen[key] == 1 else attrs.evolve(f, occurrence=seen[key]))
    return tuple(out)


def _figures(report: AnnualReport) -> dict[str, object]:
    """Model path → value of every statutory cell."""
    return {cell.path: cell.get(report) for cell in layout(shape_of(report))}


def _repeats(by: Mapping[tuple[str, int], list[Filed]], checked: frozenset[int]) -> list[JurisdictionFinding]:
    out = []
    for (agency, year), group in by.items():
        if year not in checked or len(group) < 2:
            continue
        first = group[0]
        mine = (first.report.edition, _figures(first.report))
        for other in group[1:]:
            theirs = (other.report.edition, _figures(other.report))
            files = (first.file, other.file)
            if theirs == mine:
                finding = Finding(
                    JURISDICTION_DUPLICATE,
                    Severity.INFO,
                    f"{first.file} 与 {other.file} 为同一报告（数字相同），采用前者",
                    f"{first.file} and {other.file} are the same report (same figures); the first is used",
                    year=year,
                )
            else:
                differ = [p for p, v in mine[1].items() if theirs[1].get(p, v) != v] if mine[0] is theirs[0] else []
                what_en = f"{len(differ)} figure(s) differ, first {differ[0]}" if differ else "different formats"
                what_zh = f"{len(differ)} 个数字不同，首个为 {differ[0]}" if differ else "格式不同"
                finding = Finding(
                    JURISDICTION_CONFLICT,
                    Severity.ERROR,
                    f"{first.file} 与 {other.file} 为同一单位同一年度的两份不同报告（{what_zh}），采用前者",
                    f"{first.file} and {other.file} are two different reports of one unit and year ({what_en}); "
                    "the first is used",
                    year=year,
                )
            out.append(JurisdictionFinding(finding, agency, files))
    return out


def _missing(
    reg: Register, by: Mapping[tuple[str, int], list[Filed]], years: Sequence[int]
) -> list[JurisdictionFinding]:
    return [
        JurisdictionFinding(
            Finding(
                JURISDICTION_MISSING,
                Severity.ERROR,
                f"缺少 {year} 年度报告",
                f"no report for {year}",
                year=year,
            ),
            unit.agency,
        )
        for year in years
        for unit in reg
        if (unit.agency, year) not in by
    ]


def _series(
    reg: Register, by: Mapping[tuple[str, int], list[Filed]], checked: frozenset[int]
) -> list[JurisdictionFinding]:
    codes = [c.code for c in registered("series") if c.code not in _OWN_SERIES]
    if not codes:
        return []
    out = []
    for unit in reg:
        mine = {year: group[0] for (agency, year), group in by.items() if agency == unit.agency}
        if len(mine) < 2 or not any(y in checked for y in mine):
            continue
        result = validate_series([f.report for f in mine.values()], checks=codes)
        for finding in result.issues:
            if finding.year is not None and finding.year not in checked:
                continue
            files = tuple(
                mine[y].file for y in (None if finding.year is None else finding.year - 1, finding.year) if y in mine
            )
            out.append(JurisdictionFinding(finding, unit.agency, files))
    return out


def _summaries(
    reg: Register, by: Mapping[tuple[str, int], list[Filed]], years: Sequence[int]
) -> list[JurisdictionFinding]:
    out = []
    for parent in reg:
        if parent.summary is None:
            continue
        units = reg.children(parent.agency)
        for year in years:
            if (parent.agency, year) not in by or not units:
                continue
            summary = by[(parent.agency, year)][0]
            groups = [by[(u.agency, year)] for u in units if (u.agency, year) in by]
            if not groups:
                continue
            exact = parent.summary == "complete" and len(groups) == len(units)
            figures = [[_figures(f.report) for f in group] for group in groups]
            unsure = {p for mine in figures for other in mine[1:] for p, v in mine[0].items() if other.get(p) != v}
            sums = _summary_cells(parent.agency, year, summary, [mine[0] for mine in figures], exact, unsure)
            out.extend(sums)
    return out


def _number(v: object) -> bool:
    return isinstance(v, (int, Decimal)) and not isinstance(v, bool)


def _summary_cells(
    agency: str,
    year: int,
    summary: Filed,
    figures: Sequence[Mapping[str, object]],
    exact: bool,
    unsure: frozenset[str] | set[str],
) -> list[JurisdictionFinding]:
    """The summary's cells against the sum of its units' (``figures``); a cell in ``unsure`` (where two
    reports of a unit differ: which is right is unknown) is not assessed."""
    out = []
    units = figures
    for cell in layout(shape_of(summary.report)):
        printed: Any = cell.get(summary.report)
        if not _number(printed) or cell.path in unsure:
            continue
        parts = [f.get(cell.path) for f in figures]
        if not all(_number(p) for p in parts):
            continue  # a unit's cell blank, absent (another format) or not a number: not assessed
        total: Any = sum(parts)
        if printed == total or (not exact and printed > total):
            continue
        diff = printed - total
        how_en = "the sum" if exact else "at least the sum"
        how_zh = "应等于" if exact else "不应小于"
        out.append(
            JurisdictionFinding(
                Finding(
                    JURISDICTION_SUMMARY,
                    Severity.INCONSISTENCY,
                    f"汇总数 {printed}，{how_zh}所属 {len(units)} 个单位之和 {total}（相差 {diff}）",
                    f"the summary prints {printed}, but {how_en} of its {len(units)} unit(s) is {total} "
                    f"(difference {diff})",
                    cell.table,
                    cell.row,
                    cell.column,
                    cell.path,
                    expected=total,
                    actual=printed,
                    difference=diff,
                    year=year,
                ),
                agency,
                (summary.file,),
            )
        )
    return out


# ---------------------------------------------------------------------------
# Frames


def _pandas() -> Any:
    return import_optional("pandas", "pandas", purpose="a jurisdiction's frames")


def panel_frame(
    source: JurisdictionResult | BatchResult | Iterable[Source] | Source, register: Register | Any = None
) -> pd.DataFrame:
    """The panel: one row per agency × year × statutory cell, ready for pandas and DuckDB.

    ``source``: a :class:`JurisdictionResult` (its register is used), or what :func:`check_jurisdiction`
    takes (then ``register`` as there). One report per agency and year (the first file of a duplicate or
    a conflict); reports of no known year are left out. The columns are those of
    :func:`gongkai_model.to_frame` (``value`` is nullable ``Int64``: a blank is ``<NA>``, never 0), with
    ``agency`` the registered name (the printed one when the agency is not registered), and
    ``printed_agency``, ``registered`` (bool), ``parent``, ``level``, ``unit_code`` and ``file`` added.
    """
    pandas = _pandas()
    if isinstance(source, JurisdictionResult):
        result = source
    else:
        reg, filed, _ = _place(source, register)
        result = JurisdictionResult((), filed, reg, ())
    chosen = result.chosen()
    frame = to_frame([f.report for f in chosen])
    sizes = [len(layout(shape_of(f.report))) for f in chosen]
    if sum(sizes) != len(frame):  # pragma: no cover - to_frame gives one row per cell of the layout
        raise GongkaiError("cannot make a panel", [Problem("reports", "the frame does not hold one row per cell")])

    import numpy as np  # (pandas needs it)

    counts = np.array(sizes, dtype=np.int64)

    def category(values: Sequence[str | None]) -> Any:
        """One value per report, repeated over its rows, as a categorical (``None``: missing)."""
        names = sorted({v for v in values if v is not None})  # sorted, as pandas.Categorical sorts them
        index = {v: i for i, v in enumerate(names)}
        codes = np.array([-1 if v is None else index[v] for v in values], dtype=np.int64)
        return pandas.Categorical.from_codes(np.repeat(codes, counts), categories=names)

    def repeated(values: Sequence[object], dtype: str) -> Any:
        flat = np.empty(len(values), dtype=object)
        flat[:] = list(values)
        return pandas.array(np.repeat(flat, counts), dtype=dtype)

    units = [f.unit for f in chosen]
    frame.insert(0, "printed_agency", category([f.report.agency for f in chosen]))
    frame["agency"] = category([f.agency for f in chosen])
    frame.insert(2, "registered", repeated([u is not None for u in units], "bool"))
    frame.insert(3, "parent", category([u.parent if u else None for u in units]))
    frame.insert(4, "level", category([u.level if u else None for u in units]))
    frame.insert(5, "unit_code", repeated([u.code if u else None for u in units], "string"))
    frame["file"] = category([f.file for f in chosen])
    return frame


def findings_frame(result: JurisdictionResult) -> pd.DataFrame:
    """The findings of a jurisdiction, one row each: key, code, severity, agency, year, files, cell, figures.

    ``severity`` is an ordered categorical; ``year`` nullable ``Int64``; ``files`` the file names joined
    by ``"; "``; ``expected``, ``actual`` and ``difference`` nullable ``Int64`` when every figure is a
    whole number (else objects).
    """
    pandas = _pandas()
    if not isinstance(result, JurisdictionResult):
        raise GongkaiError(
            "cannot make a frame of findings",
            [Problem("result", f"expected a JurisdictionResult, got {type(result).__name__}")],
        )
    fs = result.findings

    def figures(name: str) -> Any:
        got = [getattr(f.finding, name) for f in fs]
        whole = all(v is None or (isinstance(v, int) and not isinstance(v, bool)) for v in got)
        return pandas.array(got, dtype="Int64") if whole else pandas.array(got, dtype=object)

    text = "string"
    data = {
        "key": pandas.array([f.key for f in fs], dtype=text),
        "code": pandas.array([f.code for f in fs], dtype=text),
        "severity": pandas.Categorical(
            [f.severity.value for f in fs], categories=[s.value for s in Severity], ordered=True
        ),
        "agency": pandas.array([f.agency for f in fs], dtype=text),
        "year": pandas.array([f.year for f in fs], dtype="Int64"),
        "files": pandas.array(["; ".join(f.files) for f in fs], dtype=text),
        "table": pandas.array([f.finding.table for f in fs], dtype=text),
        "row": pandas.array([f.finding.row for f in fs], dtype=text),
        "column": pandas.array([f.finding.column for f in fs], dtype=text),
        "path": pandas.array([f.finding.path for f in fs], dtype=text),
        "expected": figures("expected"),
        "actual": figures("actual"),
        "difference": figures("difference"),
        "message_en": pandas.array([f.message_en for f in fs], dtype=text),
        "message_zh": pandas.array([f.message_zh for f in fs], dtype=text),
    }
    frame: pd.DataFrame = pandas.DataFrame(data)
    return frame
