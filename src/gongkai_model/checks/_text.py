"""Text against tables: the figures a report's own prose states, compared with its tables.

The prose is analysed once per validation (:class:`~._analysis.TextAnalysis`, ``CheckContext.text``);
each topic of :data:`~._analysis.TOPICS` is one check here. A disagreement is a warning, never an
inconsistency: a sentence may count a narrower or wider scope than the table. Every pattern is
documented with a real-style example in ``docs/checks.md``.
"""

from __future__ import annotations

import functools
from typing import Any

from ..model.layout import Cell, Shape, layout
from ._analysis import TOPICS, Sentence, Statement, TextAnalysis, Topic, section_texts, statements
from ._findings import CellRef, Finding, Severity
from ._registry import NOTHING, Check, CheckContext, CheckOutcome, cell_index, define_check

__all__ = ["TEXT_CHECKS", "TOPICS", "Sentence", "Statement", "TextAnalysis", "Topic", "section_texts", "statements"]


def _check(topic: Topic) -> Any:
    @functools.cache
    def where(shape: Shape) -> tuple[tuple[Cell, ...], tuple[int, ...], tuple[int, ...]]:
        """The topic's cells in ``shape``, their layout indices and those of the ``also`` cells."""
        index = cell_index(shape)
        cells = layout(shape)
        return (
            tuple(cells[index[p]] for p in topic.cells),
            tuple(index[p] for p in topic.cells),
            tuple(index[p] for p in topic.also),
        )

    def check(ctx: CheckContext) -> CheckOutcome:
        analysis = ctx.text
        if not analysis.topical:
            return NOTHING  # no text, or no sentence that may state a figure of a built-in topic
        cells, at, also = where(ctx.shape)
        figures = [ctx.values[i] for i in at]
        found: list[Finding] = []
        assessed = 0
        if any(v is None for v in figures):
            return CheckOutcome(0, ())
        stated = analysis.stated(topic)
        if not stated:
            return NOTHING  # no sentence that states a figure of the topic
        table = sum(figures)
        alternative = sum(ctx.values[i] or 0 for i in also) if also else None
        for st in stated:
            assessed += 1
            if st.figure == table or st.figure == alternative:
                continue
            first = cells[0]
            several = len(cells) > 1
            row = first.row_info.spec.banner if several else first.row
            where_zh = f"表{first.table}{row or ''}「{first.column}」"
            found.append(
                Finding(
                    topic.code,
                    Severity.WARNING,
                    f"{st.section} 中的文字「{st.sentence}」称{topic.what_zh}为 {st.figure}，"
                    f"而{where_zh}{'之和' if several else ''}为 {table}",
                    f"the text of {st.section} states {topic.what_en} as {st.figure} "
                    f"(“{st.sentence}”) but 表{first.table} {row} × {first.column} "
                    f"{'add up to' if several else 'is'} {table}",
                    first.table,
                    row,
                    first.column,
                    None if several else first.path,
                    expected=table,
                    actual=st.figure,
                    difference=st.figure - table,
                    cells=tuple(CellRef.of(c, v) for c, v in zip(cells, figures, strict=True)),
                    section=st.section,
                    quote=st.sentence,
                )
            )
        return CheckOutcome(assessed, tuple(found))

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
    )(_check(_topic))
    for _topic in TOPICS
)
