"""The built-in report checks."""

from __future__ import annotations

import functools
import operator
from collections.abc import Iterable, Iterator
from typing import Any

from .._codegen import FAST_PATHS
from ..errors import stable_key
from ..model.identities import T3_BALANCE, T3_RESULTS_TOTAL, T3_ROW_TOTAL, T3_SUBTOTAL, T4_TOTAL, Identity, identities
from ..model.layout import Cell, Shape, layout
from ..model.spec import Kind, Value, field_specs
from ..model.values import Edition
from ._findings import CellRef, CheckRun, Finding, PendingFindings, Severity, deferred
from ._identities import ALL_HOLD, HOLDS, UNASSESSED, IdentityStatus, evaluate
from ._registry import NOTHING, Check, CheckContext, CheckOutcome, define_check, raw_of

__all__ = ["identity_finding"]


_WHAT = {
    T3_BALANCE: ("一、二项之和与三、四项之和", "一 + 二 against 三 + 四"),
    T3_RESULTS_TOTAL: ("（七）总计与各项办理结果之和", "（七）总计 against the sum of the results"),
    T3_ROW_TOTAL: ("总计与各类申请人之和", "总计 against the sum of the applicant columns"),
    T3_SUBTOTAL: ("小计与法人或其他组织各列之和", "小计 against the sum of the 法人或其他组织 columns"),
    T4_TOTAL: ("总计与各项结果之和", "总计 against the sum of the outcomes"),
}


#: CellRefs already made, by layout cell (its ``id``: :func:`layout`'s cells live as long as the
#: process) and value (blank or whole number): frozen, so shared between findings and reports.
#: Bounded: emptied when it reaches :data:`_REFS_MAX` entries.
_REFS: dict[tuple[int, int | None], CellRef] = {}
_REFS_MAX = 50_000


def _ref(cell: Cell, value: object) -> CellRef:
    """``CellRef.of(cell, value)``, shared for a blank or a whole number (most of a validation's refs)."""
    if value is not None and type(value) is not int:
        return CellRef.of(cell, value)
    key = (id(cell), value)
    ref = _REFS.get(key)
    if ref is None:
        if len(_REFS) >= _REFS_MAX:
            _REFS.clear()
        ref = _REFS[key] = CellRef.of(cell, value)
    return ref


def identity_finding(ctx: CheckContext, ident: Identity, status: IdentityStatus) -> Finding | None:
    """The finding for one identity, or ``None`` when it holds.

    Its messages and cells are built when first read (:func:`~._findings.deferred`: most findings of a
    validation are counted, never shown); with ``GONGKAI_NO_FAST_PATHS`` they are built at once.
    """
    if status.ok:
        return None
    cells = layout(ctx.shape)
    path = _path(cells, ident)
    return _finding(cells, ctx.values, ctx.invalid, ident, status, path, _key(ident, path))


def _path(cells: tuple[Cell, ...], ident: Identity) -> str | None:
    """The path of the cell an identity's finding is about (its anchor), if any."""
    return cells[ident.anchor].path if ident.anchor is not None else None


def _key(ident: Identity, path: str | None) -> str:
    """The :attr:`~._findings.Finding.key` of an identity's finding (the same for every report of a shape)."""
    return stable_key(ident.code, ident.table, ident.row, ident.column, path, None, None)


def _finding(
    cells: tuple[Cell, ...],
    values: tuple[Any, ...],
    invalid: frozenset[int],
    ident: Identity,
    status: IdentityStatus,
    path: str | None,
    key: str,
) -> Finding:
    """:func:`identity_finding` of an identity that does not hold, the report's layout, the finding's
    path and its key given (computed once per shape)."""
    args = (cells, values, invalid, ident, status)
    if not status.assessable:
        if FAST_PATHS:
            return deferred(
                _unassessable, args, ident.code, Severity.INFO, ident.table, ident.row, ident.column, path,
                assessable=False, key=key,
            )  # fmt: skip
        zh, en, members, blanks = _unassessable(*args)
        return Finding(
            ident.code,
            Severity.INFO,
            zh,
            en,
            ident.table,
            ident.row,
            ident.column,
            path,
            cells=members,
            blank_cells=blanks,
            assessable=False,
        )
    actual, expected = status.left, status.right
    diff = actual - expected
    if FAST_PATHS:
        return deferred(
            _broken, args, ident.code, Severity.INCONSISTENCY, ident.table, ident.row, ident.column, path,
            expected, actual, diff, key=key,
        )  # fmt: skip
    zh, en, members, blanks = _broken(*args)
    return Finding(
        ident.code,
        Severity.INCONSISTENCY,
        zh,
        en,
        ident.table,
        ident.row,
        ident.column,
        path,
        expected=expected,
        actual=actual,
        difference=diff,
        cells=members,
        blank_cells=blanks,
    )


Parts = tuple[str, str, tuple[CellRef, ...], tuple[CellRef, ...]]


def _refs(
    cells: tuple[Cell, ...], values: tuple[Any, ...], ident: Identity, status: IdentityStatus
) -> tuple[tuple[CellRef, ...], tuple[CellRef, ...]]:
    """The identity's cells and its blanks, as the finding names them."""
    return (
        tuple(_ref(cells[m], values[m]) for m in ident.members),
        tuple(_ref(cells[m], values[m]) for m in status.blanks),
    )


def _where_zh(ident: Identity) -> str:
    return f"「{ident.column}」列" if ident.row is None else f"{ident.row}「{ident.column}」"


def _unassessable(
    cells: tuple[Cell, ...], values: tuple[Any, ...], invalid: frozenset[int], ident: Identity, status: IdentityStatus
) -> Parts:
    """The messages and cells of an identity that blank (or invalid) cells keep from being assessed."""
    members, blanks = _refs(cells, values, ident, status)
    zh_what, en_what = _WHAT[ident.code]
    names = "、".join(f"{b.row}×{b.column}" for b in blanks)
    bad = sum(m in invalid for m in status.blanks)
    blank = len(blanks) - bad
    why_zh = "，".join(([f"{bad} 个单元格的值无效"] if bad else []) + ([f"{blank} 个单元格空白"] if blank else []))
    why_en = ", ".join(
        ([f"{bad} cell(s) hold an invalid value"] if bad else []) + ([f"{blank} blank cell(s)"] if blank else [])
    )
    zh = f"{_where_zh(ident)}：{zh_what}无法核对，{why_zh}（{names}）"
    return zh, f"{en_what} cannot be assessed: {why_en} ({names})", members, blanks


def _broken(
    cells: tuple[Cell, ...], values: tuple[Any, ...], invalid: frozenset[int], ident: Identity, status: IdentityStatus
) -> Parts:
    """The messages and cells of an identity that does not hold."""
    members, blanks = _refs(cells, values, ident, status)
    actual, expected = status.left, status.right
    diff = actual - expected
    where_zh = _where_zh(ident)
    assumed = f"; {len(blanks)} blank cell(s) read as 0" if blanks else ""
    assumed_zh = f"；{len(blanks)} 个空白单元格按 0 计" if blanks else ""
    if ident.code == T3_BALANCE:
        zh = f"{where_zh}：第一项加第二项之和为 {actual}，第三项加第四项之和为 {expected}（相差 {diff}）{assumed_zh}"
        en = f"column {ident.column}: 一 + 二 = {actual} but 三 + 四 = {expected} (difference {diff}){assumed}"
    else:
        zh = f"{where_zh}：填报为 {actual}，各项之和为 {expected}（相差 {diff}）{assumed_zh}"
        en = (
            f"{ident.column} of {ident.row} is {actual} but its parts add up to {expected} (difference {diff}){assumed}"
        )
    return zh, en, members, blanks


#: What an identity check knows of a shape: the shape, its identities with the check's code (each with
#: its position in ``identities(shape)``, its finding's path and key), a getter of their statuses (a
#: tuple), the check's outcome when they all hold, and the shape's layout.
_Known = tuple[
    Shape, tuple[tuple[int, Identity, "str | None", str], ...], Any, CheckOutcome, tuple[Cell, ...], CheckRun
]


@functools.cache
def _of_code(shape: Shape, code: str) -> _Known:
    """What the identity check of ``code`` knows of ``shape`` (:data:`_Known`), computed once."""
    cells = layout(shape)
    mine = tuple(
        (k, ident, path, _key(ident, path))
        for k, ident in enumerate(identities(shape))
        if ident.code == code
        for path in (_path(cells, ident),)
    )
    at = [k for k, *_ in mine] or [0]  # (none in this shape: any one status, the outcome is the same)
    return shape, mine, operator.itemgetter(*at, *at[:1]), CheckOutcome(len(mine), ()), cells, CheckRun(code, len(mine))


def _identity_check(code: str) -> Any:
    # the last shape seen, found by identity (shapes are interned): no hash of the shape per validation;
    # one object, replaced whole (threads), that holds its shape (so its identity is never reused)
    last: list[_Known] = [(None, (), None, NOTHING, (), CheckRun(code, 0))]  # type: ignore[list-item]  # (no shape yet)

    def known_of(shape: Shape) -> _Known:
        known = last[0]
        if known[0] is not shape:
            known = last[0] = _of_code(shape, code)
        return known

    def check(ctx: CheckContext) -> CheckOutcome:
        _, mine, statuses_of, held, cells, _ = known_of(ctx.shape)
        statuses = ctx.statuses
        if not mine or statuses_of(statuses).count(HOLDS) == len(mine) + 1:  # the first twice: always a tuple
            return held
        values, invalid = ctx.values, ctx.invalid
        found = [
            _finding(cells, values, invalid, ident, status, path, key)
            for k, ident, path, key in mine
            if not (status := statuses[k]).ok
        ]
        return CheckOutcome(len(mine), tuple(found))

    def lazy(ctx: CheckContext) -> CheckOutcome | IdentityFindings:
        """``check(ctx)``, its findings left as data (:class:`IdentityFindings`) when there are any."""
        if not FAST_PATHS:
            return check(ctx)
        known = known_of(ctx.shape)
        statuses = raw_of(ctx)
        if statuses is ALL_HOLD.get(len(statuses)) or not known[1]:  # every identity holds: nothing found
            return known[3]
        return IdentityFindings(known, statuses, ctx.values, ctx.invalid)

    check.__name__ = check.__qualname__ = f"check_{code.lower()}"
    check.__doc__ = f"The {code} identities of the report's shape."
    check.lazy = lazy  # type: ignore[attr-defined]  # what validate runs (its findings built when read)
    check.known_of = known_of  # type: ignore[attr-defined]  # (what validate's loop reads to run ``lazy`` inline)
    return check


class IdentityFindings(PendingFindings):
    """The findings of one identity check, as data: the check's :data:`_Known` of the report's shape, the
    statuses of the shape's identities, the cell values and the invalid cells (what the findings are made of).
    """

    __slots__ = ("invalid", "known", "statuses", "values")

    def __init__(
        self, known: _Known, statuses: tuple[IdentityStatus, ...], values: tuple[Any, ...], invalid: frozenset[int]
    ) -> None:
        self.known, self.statuses, self.values, self.invalid = known, statuses, values, invalid

    @property
    def run(self) -> CheckRun:
        """The check's run (it assessed every identity of its code)."""
        return self.known[5]

    def findings(self) -> list[Finding]:
        _, mine, _, _, cells, _ = self.known
        statuses, values, invalid = self.statuses, self.values, self.invalid
        return [  # (an identity with a blank, left UNASSESSED by the fast path: its status made now)
            _finding(
                cells, values, invalid, ident, evaluate(ident, values, False) if status is UNASSESSED else status,
                path, key,
            )
            for k, ident, path, key in mine
            if not (status := statuses[k]).ok
        ]  # fmt: skip

    def _not_held(self) -> list[IdentityStatus]:
        statuses = self.statuses
        return [status for k, *_ in self.known[1] if not (status := statuses[k]).ok]

    def severities(self) -> Iterable[Severity]:
        return {Severity.INCONSISTENCY if s.assessable else Severity.INFO for s in self._not_held()}

    def not_assessable(self) -> int:
        return sum(not s.assessable for s in self._not_held())


class IdentityFindingsOfChecks(PendingFindings):
    """The findings of several identity checks run one after the other (their :class:`IdentityFindings`, in
    order, as one part: one object per validation, not one per check), on the same statuses, cell values and
    invalid cells."""

    __slots__ = ("invalid", "knowns", "statuses", "values")

    def __init__(
        self, known: _Known, statuses: tuple[IdentityStatus, ...], values: tuple[Any, ...], invalid: frozenset[int]
    ) -> None:
        self.knowns, self.statuses, self.values, self.invalid = [known], statuses, values, invalid

    def _each(self) -> list[IdentityFindings]:
        return [IdentityFindings(known, self.statuses, self.values, self.invalid) for known in self.knowns]

    def findings(self) -> list[Finding]:
        return [f for part in self._each() for f in part.findings()]

    def severities(self) -> Iterable[Severity]:
        return {s for part in self._each() for s in part.severities()}

    def not_assessable(self) -> int:
        return sum(part.not_assessable() for part in self._each())


#: The identity checks, one per identity code (the other built-ins follow as functions).
IDENTITY_CHECKS: tuple[Check, ...] = tuple(
    define_check(_code, severity=Severity.INCONSISTENCY, title_en=_en)(_identity_check(_code))
    for _code, _en in [
        (T3_BALANCE, "表三 勾稽关系: 一 + 二 = 三 + 四, per column"),
        (T3_RESULTS_TOTAL, "表三 （七）总计 = sum of the results, per column"),
        (T3_ROW_TOTAL, "表三 总计 = sum of the applicant columns, per row"),
        (T3_SUBTOTAL, "表三 小计 = sum of the 法人或其他组织 columns"),
        (T4_TOTAL, "表四 总计 = 结果维持 + 结果纠正 + 其他结果 + 尚未审结, per block"),
    ]
)


@define_check(
    "T2_ITEMS_BELOW_ZERO",
    severity=Severity.WARNING,
    title_en="表二 (2019): 上一年项目数量 + 本年增/减 is negative",
)
def check_items_below_zero(ctx: CheckContext) -> tuple[Finding, ...]:
    """A net change that removes more items than there were (2019 format only)."""
    shape = ctx.shape
    last = _LAST_PAIRS[0]  # found by identity (shapes are interned): no hash of the shape per validation
    if last[0] is not shape:
        last = _LAST_PAIRS[0] = (shape, _signed_pairs(shape))  # replaced whole (threads)
    values = ctx.values
    for base, change in last[1]:  # (most reports: nothing below zero, told without the generator)
        before, delta = values[base], values[change]
        if before is not None and delta is not None and before + delta < 0:
            return tuple(_below_zero(ctx, last[1]))
    return ()


#: The shape :func:`check_items_below_zero` last saw and its :func:`_signed_pairs` (holding the shape).
_LAST_PAIRS: list[tuple[object, tuple[tuple[int, int], ...]]] = [(None, ())]


def _below_zero(ctx: CheckContext, pairs: tuple[tuple[int, int], ...]) -> Iterator[Finding]:
    cells = layout(ctx.shape)
    for base, change in pairs:
        before, delta = ctx.values[base], ctx.values[change]
        if before is None or delta is None or before + delta >= 0:
            continue
        c = cells[change]
        yield Finding(
            "T2_ITEMS_BELOW_ZERO",
            Severity.WARNING,
            f"{c.row}：上一年项目数量 {before} 加本年增/减 {delta} 为负数",
            f"{c.row}: {cells[base].column} {before} plus {c.column} {delta} is below zero",
            c.table,
            c.row,
            c.column,
            c.path,
            expected=-before,
            actual=delta,
            difference=before + delta,
            cells=(CellRef.of(cells[base], before), CellRef.of(c, delta)),
        )


@functools.cache
def _signed_pairs(shape: Shape) -> tuple[tuple[int, int], ...]:
    """(the column printed before it, the signed 本年增/减 column) for each 表二 row that has one."""
    cells = layout(shape)
    return tuple((i - 1, i) for i, c in enumerate(cells) if c.table == "二" and c.kind is Value.SIGNED)


@define_check(
    "EDITION_YEAR",
    severity=Severity.INFO,
    title_en="The report's format is not the one in force for its year",
)
def check_edition_year(ctx: CheckContext) -> tuple[Finding, ...]:
    """The 2019 notice allowed 参照; a later year in the old format is worth knowing."""
    report = ctx.report
    year = report.year
    if type(year) is not int or year < 2019:  # VALUE_INVALID or STRUCTURE_YEAR says so
        return ()
    expected = _IN_FORCE.get(year)
    if expected is None:
        expected = Edition.for_year(year)
        if len(_IN_FORCE) < 1000:  # (bounded: a forged report's year may be any whole number)
            _IN_FORCE[year] = expected
    if ctx.shape.edition is expected:  # (the shape's edition is the report's: shape_of reads it)
        return ()
    section = next(i for i in field_specs(type(report)) if i.spec.kind is Kind.SECTION and i.name == "table2")
    return (
        Finding(
            "EDITION_YEAR",
            Severity.INFO,
            f"{report.year} 年度报告的表二（{section.spec.label}）使用了 {report.edition.value} 年格式"
            f"（应为 {expected.value} 年格式）",
            f"a {report.year} report whose 表二 ({section.spec.label}) is in the {report.edition.value} format "
            f"(the {expected.value} format is in force)",
            "二",
            path=section.name,
            year=report.year,
        ),
    )


#: The edition in force for a year (``Edition.for_year``), by year, as found.
_IN_FORCE: dict[int, Edition] = {}


@define_check(
    "T3_SINGLE_OTHER_ROW",
    severity=Severity.INFO,
    title_en="表三 prints （六）其他处理 as one row in a 2021-format report",
)
def check_single_other_row(ctx: CheckContext) -> tuple[Finding, ...]:
    """The hybrid form: the 2021 sub-rows of （六） (incl. the fee row) are not reported."""
    shape = ctx.shape  # (its edition and single_other_row are the report's: shape_of reads them)
    if shape.edition is not Edition.FORMAT_2021 or not shape.single_other_row:
        return ()
    results: Any = type(ctx.report.table3.results)  # (a class: hashable, whatever mypy reads of its __hash__)
    return _single_other_row(results)


@functools.cache
def _single_other_row(results: Any) -> tuple[Finding, ...]:
    """What :func:`check_single_other_row` finds in a report whose 表三 results are of this class (made once:
    a finding is frozen)."""
    label = next(i.spec.label for i in field_specs(results) if i.name == "other")
    return (
        Finding(
            "T3_SINGLE_OTHER_ROW",
            Severity.INFO,
            f"表三{label}按 2019 年格式列为一行，未分三项填报",
            f"表三 {label} is one row (2019 style), not the three rows of the 2021 format",
            "三",
            label,
        ),
    )
