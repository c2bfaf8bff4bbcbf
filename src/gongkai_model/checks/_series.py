"""Cross-year checks over one agency's reports."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterator

from ..model.layout import layout, shape_of
from ..model.report import AnnualReport
from ..model.spec import Kind, field_specs
from ..model.tables import ApplicantCounts, Applications, DocumentRow2021
from ._findings import CellRef, Finding, Severity
from ._registry import CheckOutcome, SeriesContext, define_check

__all__ = ["consecutive_pairs"]


def consecutive_pairs(reports: tuple[AnnualReport, ...]) -> Iterator[tuple[AnnualReport, AnnualReport]]:
    """(last year's, this year's) for each two reports of consecutive years."""
    by_year = {r.year: r for r in reports if r.year is not None}  # a report of unknown year has no neighbour
    for year in sorted(by_year):
        if year - 1 in by_year:
            yield by_year[year - 1], by_year[year]


def _cell(report: AnnualReport, path: str) -> CellRef:
    cell = next(c for c in layout(shape_of(report)) if c.path == path)
    return CellRef.of(cell, cell.get(report))


@define_check(
    "SERIES_DUPLICATE_YEAR",
    severity=Severity.ERROR,
    title_en="Two reports for the same year",
    scope="series",
)
def check_duplicate_year(ctx: SeriesContext) -> Iterator[Finding]:
    for year, n in sorted(Counter(r.year for r in ctx.reports if r.year is not None).items()):
        if n > 1:
            yield Finding(
                "SERIES_DUPLICATE_YEAR",
                Severity.ERROR,
                f"{year} 年度有 {n} 份报告",
                f"{n} reports for {year}",
                year=year,
            )


@define_check(
    "SERIES_AGENCY",
    severity=Severity.WARNING,
    title_en="The reports are not all of one agency",
    scope="series",
)
def check_agency(ctx: SeriesContext) -> Iterator[Finding]:
    names = sorted({r.agency for r in ctx.reports if r.agency is not None})  # an unknown agency differs from none
    if len(names) > 1:
        yield Finding(
            "SERIES_AGENCY",
            Severity.WARNING,
            f"机关名称不一致：{'、'.join(names)}",
            f"the agency differs between reports: {', '.join(names)}",
        )


@define_check(
    "SERIES_GAP",
    severity=Severity.INFO,
    title_en="A year is missing: the years on either side are not compared",
    scope="series",
)
def check_gap(ctx: SeriesContext) -> Iterator[Finding]:
    years = sorted({r.year for r in ctx.reports if r.year is not None})
    for a, b in itertools.pairwise(years):
        if b - a > 1:
            yield Finding(
                "SERIES_GAP",
                Severity.INFO,
                f"缺少 {a + 1}–{b - 1} 年度报告，{a} 与 {b} 年度未比对",
                f"no report for {a + 1}–{b - 1}: {a} and {b} are not compared",
                year=b,
            )


@define_check(
    "SERIES_CARRY_OVER",
    severity=Severity.WARNING,
    title_en="表三 上年结转 differs from last year's 结转下年度继续办理",
    scope="series",
)
def check_carry_over(ctx: SeriesContext) -> CheckOutcome:
    """This year's 二、上年结转 against last year's 四、结转下年度继续办理, column by column."""
    section = next(i.name for i in field_specs(AnnualReport) if Applications in i.types)
    this_name, last_name = Applications.CARRY
    columns = [i for i in field_specs(ApplicantCounts) if i.spec.kind is Kind.COLUMN]
    found = []
    assessed = 0
    for last, this in consecutive_pairs(ctx.reports):
        for col in columns:
            if col.spec.total == "header" and not (last.table3.subtotal_column and this.table3.subtotal_column):
                continue
            assessed += 1
            now_path, before_path = f"{section}.{this_name}.{col.name}", f"{section}.{last_name}.{col.name}"
            now, before = _cell(this, now_path), _cell(last, before_path)
            if now.value == before.value:
                continue
            blank = [c for c in (before, now) if c.value is None]
            if blank:
                found.append(
                    Finding(
                        "SERIES_CARRY_OVER",
                        Severity.INFO,
                        f"「{col.spec.label}」列：上年结转与上年度结转数无法比对（空白）",
                        f"column {col.spec.label}: carry-over cannot be compared (blank)",
                        "三",
                        now.row,
                        col.spec.label,
                        now_path,
                        cells=(before, now),
                        blank_cells=tuple(blank),
                        assessable=False,
                        year=this.year,
                    )
                )
                continue
            diff = now.value - before.value  # type: ignore[operator]
            found.append(
                Finding(
                    "SERIES_CARRY_OVER",
                    Severity.WARNING,
                    f"「{col.spec.label}」列：上年结转 {now.value}，"
                    f"上年度结转下年度继续办理 {before.value}（相差 {diff}）",
                    f"column {col.spec.label}: {now.value} carried over, but {last.year} carried forward "
                    f"{before.value} (difference {diff})",
                    "三",
                    now.row,
                    col.spec.label,
                    now_path,
                    expected=before.value,  # type: ignore[arg-type]
                    actual=now.value,  # type: ignore[arg-type]
                    difference=diff,
                    cells=(before, now),
                    year=this.year,
                )
            )
    return CheckOutcome(assessed, tuple(found))


_STOCK_LABELS = [next(i.spec.label for i in field_specs(DocumentRow2021) if i.name == n) for n in DocumentRow2021.STOCK]


@define_check(
    "SERIES_IN_FORCE",
    severity=Severity.WARNING,
    title_en="表二 {} is not last year's + {} - {} (a heuristic)".format(*_STOCK_LABELS),
    scope="series",
)
def check_in_force(ctx: SeriesContext) -> CheckOutcome:
    """A heuristic: revisions and documents that expire break it legitimately, so it is a warning."""
    stock, issued, repealed = DocumentRow2021.STOCK
    found = []
    assessed = 0
    for last, this in consecutive_pairs(ctx.reports):
        if last.edition is not this.edition:
            found.append(
                Finding(
                    "SERIES_IN_FORCE",
                    Severity.INFO,
                    f"{last.year} 与 {this.year} 年度报告格式不同，表二不作比对",
                    f"{last.year} and {this.year} use different formats: 表二 is not compared",
                    "二",
                    assessable=False,
                    year=this.year,
                )
            )
            continue
        for info in field_specs(type(this.table2)):
            if info.types != (DocumentRow2021,):
                continue
            assessed += 1
            base = f"table2.{info.name}"
            refs = [
                _cell(last, f"{base}.{stock}"),
                _cell(this, f"{base}.{issued}"),
                _cell(this, f"{base}.{repealed}"),
                _cell(this, f"{base}.{stock}"),
            ]
            blank = tuple(c for c in refs if c.value is None)
            if blank:
                continue
            before, plus, minus, now = (c.value for c in refs)
            expected = before + plus - minus  # type: ignore[operator]
            if now == expected:
                continue
            found.append(
                Finding(
                    "SERIES_IN_FORCE",
                    Severity.WARNING,
                    f"{info.spec.label}：现行有效 {now}，"
                    f"按上年度 {before} 加制发 {plus} 减废止 {minus} 应为 {expected}",
                    f"{info.spec.label}: {now} in force, but {before} + {plus} issued - {minus} repealed = {expected}",
                    "二",
                    info.spec.label,
                    refs[3].column,
                    refs[3].path,
                    expected=expected,
                    actual=now,  # type: ignore[arg-type]
                    difference=now - expected,
                    cells=tuple(refs),
                    year=this.year,
                )
            )
    return CheckOutcome(assessed, tuple(found))
