"""Hypothesis strategies for reports of every shape, derived from the model's layout."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import attrs
from hypothesis import strategies as st

from gongkai_model import Amount, AnnualReport, Edition, MoneyUnit, from_records, to_records
from gongkai_model.model import OtherMatters, Overview, Shape, Value, layout

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
    # Up to the current year: a later report year is itself an error (STRUCTURE_YEAR).
    return st.integers(2019, 2020) if shape.edition is Edition.FORMAT_2019 else st.integers(2021, date.today().year)


@st.composite
def table_reports(draw: st.DrawFn, shape: Shape | None = None) -> AnnualReport:
    """A report with only agency, year and the three tables, any values (often inconsistent)."""
    shape = shape or draw(shapes)
    cells = layout(shape)
    drawn: dict[Value, Any] = {}
    for kind in {c.kind for c in cells}:
        n = sum(c.kind is kind for c in cells)
        drawn[kind] = iter(draw(st.lists(VALUES[kind], min_size=n, max_size=n)))
    recs = [{"table": c.table, "row": c.row, "column": c.column, "value": next(drawn[c.kind])} for c in cells]
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
    return [r._asdict() for r in to_records(report)]


def _fill_row(draw: Any, row: Any, *, subtotal: bool, given: dict[str, int] | None = None) -> Any:
    """A row whose totals are the sums of its parts (parts drawn, or ``given``)."""
    from gongkai_model.model import field_specs

    values: dict[str, int] = {}
    for info in field_specs(type(row)):
        if info.spec.total is None:
            values[info.name] = given[info.name] if given else next(draw)
    for info in field_specs(type(row)):
        if info.spec.total == "header" and subtotal:
            values[info.name] = sum(
                values[i.name]
                for i in field_specs(type(row))
                if i.spec.total is None and i.spec.header == info.spec.header
            )
        elif info.spec.total == "siblings":
            values[info.name] = sum(
                v for k, v in values.items() if k in {i.name for i in field_specs(type(row)) if i.spec.total is None}
            )
    return type(row)(**values)


def _parts(row: Any) -> dict[str, int]:
    from gongkai_model.model import field_specs

    return {i.name: getattr(row, i.name) for i in field_specs(type(row)) if i.spec.total is None}


@st.composite
def consistent_reports(draw: st.DrawFn, shape: Shape | None = None) -> AnnualReport:
    """A report with every cell filled and every identity holding."""
    from gongkai_model.model import ApplicantCounts, OtherHandling

    shape = shape or draw(shapes)
    base = draw(table_reports(shape))
    sub = shape.subtotal_column
    pool = iter(draw(st.lists(st.integers(0, 50), min_size=300, max_size=300)))
    t3 = base.table3

    def fill(node: Any) -> Any:
        if isinstance(node, ApplicantCounts):
            return _fill_row(pool, node, subtotal=sub)
        kwargs = {f.name: fill(getattr(node, f.name)) for f in attrs.fields(type(node)) if f.name != "total"}
        return attrs.evolve(node, **kwargs)

    results = fill(t3.results)
    leaves: list[ApplicantCounts] = []

    def collect(node: Any) -> None:
        if isinstance(node, ApplicantCounts):
            leaves.append(node)
        else:
            for f in attrs.fields(type(node)):
                if f.name != "total":
                    collect(getattr(node, f.name))

    collect(results)
    total_parts = {k: sum(_parts(r)[k] for r in leaves) for k in _parts(leaves[0])}
    results = attrs.evolve(results, total=_fill_row(pool, ApplicantCounts(), subtotal=sub, given=total_parts))
    forward = _fill_row(pool, ApplicantCounts(), subtotal=sub)
    over_parts = {k: min(next(pool), total_parts[k] + _parts(forward)[k]) for k in total_parts}
    new_parts = {k: total_parts[k] + _parts(forward)[k] - over_parts[k] for k in total_parts}
    table3 = attrs.evolve(
        t3,
        new_received=_fill_row(pool, ApplicantCounts(), subtotal=sub, given=new_parts),
        carried_over=_fill_row(pool, ApplicantCounts(), subtotal=sub, given=over_parts),
        results=results,
        carried_forward=forward,
    )
    t4 = base.table4
    table4 = attrs.evolve(
        t4, **{f.name: _fill_row(pool, getattr(t4, f.name), subtotal=False) for f in attrs.fields(type(t4))}
    )
    _ = OtherHandling
    table2 = base.table2
    for f in attrs.fields(type(table2)):  # a plausible 2019 本年增/减: never below minus the items there were
        row = getattr(table2, f.name)
        if getattr(row, "change", None) is not None:
            table2 = attrs.evolve(table2, **{f.name: attrs.evolve(row, change=abs(row.change))})
    return attrs.evolve(base, table2=table2, table3=table3, table4=table4)
