"""Hypothesis strategies for reports of every shape, derived from the model's layout."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs
from hypothesis import strategies as st

from gongkai_model import Amount, AnnualReport, Edition, MoneyUnit, OtherMatters, Overview, from_records, to_records
from gongkai_model.model import Shape, Value, layout

shapes = st.one_of(
    st.builds(Shape, st.just(Edition.FORMAT_2019), st.just(True), st.booleans()),
    st.builds(Shape, st.just(Edition.FORMAT_2021), st.booleans(), st.booleans()),
)

counts = st.one_of(st.none(), st.integers(0, 20), st.integers(0, 10**9))
signed = st.one_of(st.none(), st.integers(-(10**6), 10**6))
money = st.one_of(
    st.none(),
    st.decimals(min_value=0, max_value=10**9, places=4, allow_nan=False, allow_infinity=False),
    st.integers(0, 10**6).map(Decimal),
)
amounts = st.one_of(
    st.none(),
    st.builds(
        Amount,
        st.decimals(min_value=0, max_value=10**9, places=4, allow_nan=False, allow_infinity=False),
        st.one_of(st.none(), st.sampled_from(MoneyUnit)),
    ),
)
VALUES = {Value.COUNT: counts, Value.SIGNED: signed, Value.MONEY: money, Value.AMOUNT: amounts}

texts = st.one_of(st.none(), st.text(max_size=40))


def _year(shape: Shape) -> st.SearchStrategy[int]:
    return st.integers(2019, 2020) if shape.edition is Edition.FORMAT_2019 else st.integers(2021, 2030)


@st.composite
def table_reports(draw: st.DrawFn, shape: Shape | None = None) -> AnnualReport:
    """A report with only agency, year and the three tables, any values (often inconsistent)."""
    shape = shape or draw(shapes)
    recs = [{"table": c.table, "row": c.row, "column": c.column, "value": draw(VALUES[c.kind])} for c in layout(shape)]
    return from_records(recs, agency=draw(st.text(min_size=1, max_size=20)), year=draw(_year(shape)))


@st.composite
def reports(draw: st.DrawFn, shape: Shape | None = None) -> AnnualReport:
    """A full report: tables, metadata and text sections."""
    report = draw(table_reports(shape))
    extra: dict[str, Any] = {
        "region": draw(texts),
        "level": draw(texts),
        "published": draw(st.one_of(st.none(), st.dates())),
        "source_url": draw(texts),
        "overview": draw(st.builds(Overview, text=texts, proactive=texts, supervision=texts)),
        "problems": draw(texts),
        "other_matters": draw(
            st.builds(
                OtherMatters,
                text=texts,
                info_processing_fee_notices=counts,
                info_processing_fee_collected_yuan=money,
            )
        ),
    }
    return attrs.evolve(report, **extra)


def records_of(report: AnnualReport) -> list[dict[str, Any]]:
    return [attrs.asdict(r, recurse=False) for r in to_records(report)]
