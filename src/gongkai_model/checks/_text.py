"""Text against tables: the figures a report's own prose states, compared with its tables.

The prose is analysed once per validation (:class:`~._analysis.TextAnalysis`, ``CheckContext.text``);
each topic of :data:`~._analysis.TOPICS` is one check here. A disagreement is a warning, never an
inconsistency: a sentence may count a narrower or wider scope than the table. Every pattern is
documented with a real-style example in ``docs/checks.md``.

The quick way (the default; ``GONGKAI_NO_FAST_PATHS`` turns it off): the first of the seven checks to run
works out the outcomes of all seven at once (one look at the report's shape, one at the statements), the
others read theirs; a finding's messages and cells are built when first read (:func:`~._findings.deferred`).
The thorough way works out each check's outcome on its own and builds its findings at once; both give the
same results (tests/test_text_analysis.py).
"""

from __future__ import annotations

import functools
from typing import Any

from ..model.layout import Cell, Shape, layout
from . import _analysis
from ._analysis import TOPICS, Sentence, Statement, TextAnalysis, Topic, section_texts, statements
from ._findings import CellRef, Finding, Severity, deferred
from ._registry import NOTHING, Check, CheckContext, CheckOutcome, cell_index, define_check

__all__ = ["TEXT_CHECKS", "TOPICS", "Sentence", "Statement", "TextAnalysis", "Topic", "section_texts", "statements"]

#: Where a topic's figures are in a shape: its cells, their layout indices, and those of its ``also`` cells.
_Where = tuple[tuple[Cell, ...], tuple[int, ...], tuple[int, ...]]


@functools.cache
def _where(topic: Topic, shape: Shape) -> _Where:
    """The topic's cells in ``shape``, their layout indices and those of the ``also`` cells."""
    index = cell_index(shape)
    cells = layout(shape)
    return (
        tuple(cells[index[p]] for p in topic.cells),
        tuple(index[p] for p in topic.cells),
        tuple(index[p] for p in topic.also),
    )


#: The shape the quick way last saw, with :func:`_where` of every topic in it (found by identity: shapes are
#: interned, so no hash of the shape per validation; one object, replaced whole, that holds its shape).
_LAST: list[tuple[object, tuple[_Where, ...]]] = [(None, ())]
#: The key of the seven checks' outcomes in ``TextAnalysis.memo`` (the analysis is the context's own).
_OUTCOMES = object()
_BLANK = CheckOutcome(0, ())  # a topic whose table figures are blank: not assessed

_section = vars(Finding)["section"].__set__
_quote = vars(Finding)["quote"].__set__


def _messages(topic: Topic, st: Statement, cells: tuple[Cell, ...], figures: tuple[Any, ...], table: int) -> Any:
    """The messages and cells of the finding of a statement that disagrees with its table (``table``)."""
    first = cells[0]
    several = len(cells) > 1
    row = first.row_info.spec.banner if several else first.row
    where_zh = f"表{first.table}{row or ''}「{first.column}」"
    return (
        f"{st.section} 中的文字「{st.sentence}」称{topic.what_zh}为 {st.figure}，"
        f"而{where_zh}{'之和' if several else ''}为 {table}",
        f"the text of {st.section} states {topic.what_en} as {st.figure} "
        f"(“{st.sentence}”) but 表{first.table} {row} × {first.column} "
        f"{'add up to' if several else 'is'} {table}",
        tuple(CellRef.of(c, v) for c, v in zip(cells, figures, strict=True)),
        (),
    )


def _outcome(
    topic: Topic,
    where: _Where,
    ctx: CheckContext,
    analysis: TextAnalysis,
    quick: bool,
    stated: tuple[Statement, ...] | None = None,
) -> CheckOutcome:
    """What the check of ``topic`` finds (its statements given, or read from ``analysis``); ``quick``: its
    findings built when first read."""
    cells, at, also = where
    values = ctx.values
    figures = tuple([values[i] for i in at])
    for v in figures:
        if v is None:
            return _BLANK
    if stated is None:
        stated = analysis.stated(topic)
    if not stated:
        return NOTHING  # no sentence that states a figure of the topic
    table = sum(figures)
    alternative = sum([values[i] or 0 for i in also]) if also else None
    found: list[Finding] = []
    for st in stated:
        if st.figure == table or st.figure == alternative:
            continue
        first = cells[0]
        several = len(cells) > 1
        row = first.row_info.spec.banner if several else first.row
        path = None if several else first.path
        args = (topic, st, cells, figures, table)
        if quick:
            finding = deferred(
                _messages, args, topic.code, Severity.WARNING, first.table, row, first.column, path,
                table, st.figure, st.figure - table,
            )  # fmt: skip
            _section(finding, st.section)
            _quote(finding, st.sentence)
        else:
            zh, en, refs, _ = _messages(*args)
            finding = Finding(
                topic.code,
                Severity.WARNING,
                zh,
                en,
                first.table,
                row,
                first.column,
                path,
                expected=table,
                actual=st.figure,
                difference=st.figure - table,
                cells=refs,
                section=st.section,
                quote=st.sentence,
            )
        found.append(finding)
    if not found and len(stated) < len(_QUIET):
        return _QUIET[len(stated)]
    return CheckOutcome(len(stated), tuple(found))


#: The outcomes of a check that finds nothing, by how many statements it assessed (shared: outcomes are frozen).
_QUIET = tuple(CheckOutcome(n, ()) for n in range(8))


def _outcomes(ctx: CheckContext, analysis: TextAnalysis) -> tuple[CheckOutcome, ...]:
    """The outcome of each of the seven checks, in the order of :data:`TOPICS` (the quick way): a topic that
    no sentence states a figure of assesses nothing (whether its table figures are blank or not)."""
    stated = analysis.stated_by_topic()
    if not stated:
        return _NONE_STATED
    shape = ctx.shape
    last = _LAST[0]
    if last[0] is not shape:
        last = _LAST[0] = (shape, tuple(_where(topic, shape) for topic in TOPICS))
    out = list(_NONE_STATED)
    values = ctx.values
    for key, mine in stated.items():
        k = _PLACE[key]
        where = last[1][k]
        if len(mine) < len(_QUIET):  # (what _outcome gives when every statement agrees, worked out here)
            at = where[1]
            for i in at:
                if values[i] is None:
                    break  # a blank table figure: _outcome says so
            else:
                table = sum([values[i] for i in at])
                also = where[2]
                alternative = sum([values[i] or 0 for i in also]) if also else None
                for st in mine:
                    if st.figure != table and st.figure != alternative:
                        break  # a disagreement: _outcome makes its finding
                else:
                    out[k] = _QUIET[len(mine)]
                    continue
        out[k] = _outcome(TOPICS[k], where, ctx, analysis, True, mine)
    return tuple(out)


_NONE_STATED = (NOTHING,) * len(TOPICS)
_PLACE = {id(topic): k for k, topic in enumerate(TOPICS)}  # each built-in topic's place in TOPICS, by its id


def _check(k: int, topic: Topic) -> Any:
    def check(ctx: CheckContext) -> CheckOutcome:
        analysis = ctx._text  # (the analysis once made: no call of the ``text`` property per check)
        if analysis is None:
            analysis = ctx.text
        if not analysis.topical:
            return NOTHING  # no text, or no sentence that may state a figure of a built-in topic
        got: tuple[CheckOutcome, ...] | None = analysis.memo.get(_OUTCOMES)
        if got is None:
            if not _analysis.FAST_PATHS:
                return _outcome(topic, _where(topic, ctx.shape), ctx, analysis, False)
            got = analysis.memo[_OUTCOMES] = _outcomes(ctx, analysis)
        return got[k]

    check.__name__ = check.__qualname__ = f"check_{topic.code.lower()}"
    check.__doc__ = f"The report's text against its tables: {topic.what_en}."
    return check


#: One check per topic, in the order of :data:`TOPICS`.
TEXT_CHECKS: tuple[Check, ...] = tuple(
    define_check(
        _topic.code,
        severity=Severity.WARNING,
        title_en=f"The text states other {_topic.what_en} than the table",
        title_zh=f"正文所述{_topic.what_zh}与表格不一致",
    )(_check(_k, _topic))
    for _k, _topic in enumerate(TOPICS)
)
