"""Evidence for and against repair suggestions: the report's own statements, and its neighbouring years.

A *claim* says what a cell (or a sum of cells) of the report should hold:

- a cross-year identity (``SERIES_CARRY_OVER``): this year's 四、结转下年度继续办理
  is the next year's 二、上年结转, and this year's 二、上年结转 the previous
  year's 四、结转下年度继续办理, column by column (given with
  ``validate(report, previous=…, next=…)``);
- a figure the report's text states (the text-against-table topics): the
  sum of the topic's cells, or of its alternative cells (``Topic.also``).

A suggestion is weighed against each claim about a cell it changes or a cell
of an identity it restores: it is *against* the suggestion when a reading of
the claim that agreed before disagrees after the change, *for* it when the
claim agrees after (kept or made to agree).  See ``docs/checks.md``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

import attrs

from ..model.layout import Cell, get_path, layout
from ..model.report import AnnualReport
from ..model.spec import Kind, field_specs
from ..model.tables import ApplicantCounts, Applications
from ._analysis import TOPICS
from ._findings import Evidence
from ._registry import CheckContext, cell_index

__all__ = ["Claim", "claims", "weigh"]


@attrs.frozen
class Claim:
    """What a cell (or a sum of cells) of the report should hold, and where that is said.

    ``readings`` are sets of layout indices whose sum should be ``figure``;
    the first is the one the claim is about (a text statement's ``also`` cells
    are a second reading, blanks read as 0 there as the text check does).
    """

    kind: Literal["series", "text"]
    code: str
    readings: tuple[tuple[int, ...], ...]
    figure: int
    path: str
    #: (zh, en) of each reading: the cell or the sum of cells.
    what: tuple[tuple[str, str], ...]
    other_zh: str = ""
    other_en: str = ""
    year: int | None = None
    section: str | None = None
    quote: str | None = None


def _count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _where(cells: Sequence[Cell], at: Sequence[int]) -> tuple[str, str]:
    first = cells[at[0]]
    if len(at) == 1:
        return f"表{first.table}{first.row}「{first.column}」", f"表{first.table} {first.row} × {first.column}"
    if len({cells[i].row for i in at}) == len(at):  # one column, several rows (一 + 二)
        rows = " + ".join(cells[i].row.split("、")[0] for i in at)
        return f"表{first.table}「{first.column}」列{rows}", f"表{first.table} {rows} × {first.column}"
    row = first.row_info.spec.banner or first.row
    return f"表{first.table}{row}「{first.column}」之和", f"the sum of 表{first.table} {row} × {first.column}"


def _neighbour(report: AnnualReport, other: object, step: int) -> AnnualReport | None:
    """``other`` when it is a report of the year ``step`` away (or of unknown year), else ``None``."""
    if not isinstance(other, AnnualReport):
        return None
    if report.year is not None and other.year is not None and other.year != report.year + step:
        return None
    return other


def claims(
    ctx: CheckContext,
    codes: Iterable[str],
    previous: object = None,
    next_: object = None,
) -> tuple[Claim, ...]:
    """The claims about ``ctx``'s report: its text statements (of the topics in ``codes``) and its neighbours."""
    out: list[Claim] = []
    cells = layout(ctx.shape)
    index = cell_index(ctx.shape)
    chosen = set(codes)
    section = next(i.name for i in field_specs(AnnualReport) if Applications in i.types)
    this_name, last_name = Applications.CARRY
    columns = [i.name for i in field_specs(ApplicantCounts) if i.spec.kind is Kind.COLUMN]
    for other, step, mine, theirs in (
        (previous, -1, this_name, last_name),
        (next_, 1, last_name, this_name),
    ):
        neighbour = _neighbour(ctx.report, other, step)
        if neighbour is None:
            continue
        for column in columns:
            path, there = f"{section}.{mine}.{column}", f"{section}.{theirs}.{column}"
            if path not in index:
                continue
            try:
                figure = get_path(neighbour, there)
            except Exception:  # a shape without the column, or a forged neighbour
                continue
            if not _count(figure):
                continue
            i = index[path]
            cell = cells[i]
            theirs_row = next((c.row for c in cells if c.path == there), theirs)
            out.append(
                Claim(
                    "series",
                    "SERIES_CARRY_OVER",
                    ((i,),),
                    figure,
                    path,
                    (_where(cells, (i,)),),
                    f"表三{theirs_row}「{cell.column}」",
                    f"表三 {theirs_row} × {cell.column}",
                    year=neighbour.year,
                )
            )
    if any(t.code in chosen for t in TOPICS):
        analysis = ctx.text
        if analysis.topical:  # what the built-in topics read (asking for every sentence would work them all out)
            for topic in TOPICS:
                if topic.code not in chosen or any(p not in index for p in (*topic.cells, *topic.also)):
                    continue
                at = tuple(index[p] for p in topic.cells)
                readings = (at, tuple(index[p] for p in topic.also)) if topic.also else (at,)
                what = tuple(_where(cells, r) for r in readings)
                for st in analysis.statements(topic):
                    out.append(
                        Claim(
                            "text",
                            topic.code,
                            readings,
                            st.figure,
                            cells[at[0]].path,
                            what,
                            section=st.section,
                            quote=st.sentence,
                        )
                    )
    return tuple(out)


def _sum(reading: tuple[int, ...], values: Sequence[Any] | Mapping[int, Any], first: bool) -> int | None:
    total = 0
    for i in reading:
        v = values[i]
        if v is None and not first:
            v = 0
        if not _count(v):
            return None
        total += v
    return total


def weigh(
    found: Sequence[Claim],
    values: Sequence[Any],
    changes: Mapping[int, int],
    relevant: Iterable[int],
) -> tuple[Evidence, ...]:
    """The evidence for and against changing ``values`` by ``changes``.

    Only the claims about a changed cell or a cell of ``relevant`` (the
    identities the change restores) are weighed.
    """
    if not found:
        return ()
    near = set(changes) | set(relevant)
    after: dict[int, Any] = {}
    out: list[Evidence] = []
    for claim in found:
        if not any(i in near for reading in claim.readings for i in reading):
            continue
        if not after:
            after = dict(enumerate(values))
            after.update(changes)
        agreed, agrees = [], []
        for n, reading in enumerate(claim.readings):
            before_sum, after_sum = _sum(reading, values, n == 0), _sum(reading, after, n == 0)
            agreed.append(before_sum == claim.figure)
            agrees.append(after_sum == claim.figure)
        broken = [n for n, (b, a) in enumerate(zip(agreed, agrees, strict=True)) if b and not a]
        if broken:
            stance: Literal["for", "against"] = "against"
            n = broken[0]
        elif any(agrees):
            stance = "for"
            n = agrees.index(True)
        else:
            continue
        out.append(_evidence(claim, stance, n, _sum(claim.readings[n], after, n == 0)))
    return tuple(out)


def _evidence(claim: Claim, stance: Literal["for", "against"], n: int, now: int | None) -> Evidence:
    shown = "空白" if now is None else str(now)
    what_zh, what_en = claim.what[n]
    if claim.kind == "series":
        if stance == "for":
            zh = f"{what_zh}为 {shown}，与 {claim.year} 年度报告{claim.other_zh}（{claim.figure}）一致"
            en = f"{what_en} is {shown}, as {claim.year}'s {claim.other_en} ({claim.figure})"
        else:
            zh = f"{what_zh}将为 {shown}，而 {claim.year} 年度报告{claim.other_zh}为 {claim.figure}"
            en = f"{what_en} would be {shown}, but {claim.year}'s {claim.other_en} is {claim.figure}"
    elif stance == "for":
        zh = f"{claim.section} 中的文字「{claim.quote}」所述 {claim.figure} 与{what_zh}（{shown}）一致"
        en = f"the text of {claim.section} states {claim.figure} (“{claim.quote}”), as {what_en} ({shown})"
    else:
        zh = f"{claim.section} 中的文字「{claim.quote}」称 {claim.figure}，而{what_zh}将为 {shown}"
        en = f"the text of {claim.section} states {claim.figure} (“{claim.quote}”), but {what_en} would be {shown}"
    return Evidence(
        claim.kind,
        stance,
        claim.code,
        claim.path,
        claim.figure,
        zh,
        en,
        year=claim.year,
        section=claim.section,
        quote=claim.quote,
    )
