"""One number formatter: every renderer prints the same text for the same figure (issue 15, item 6)."""

from __future__ import annotations

import io
import re
import zipfile
from decimal import Decimal
from html import escape

from hypothesis import given, settings
from hypothesis import strategies as st

import gongkai_model as gk
from gongkai_model.formats import render_html, render_markdown, render_text
from gongkai_model.formats._values import parse_value
from gongkai_model.formats.docx import write_docx
from gongkai_model.formats.xlsx._write import _cell_value
from gongkai_model.model import Value, replace_path
from gongkai_model.presentation import figure_text

#: A distinctive coefficient (so its printed digits occur nowhere else in a rendered report) with any exponent,
#: and the cases only some renderers printed right before (``-0``, which the model accepts, and exponents).
_COEFFICIENTS = st.integers(10**7, 10**9).filter(lambda n: n % 10)
_EXPONENTS = st.integers(-6, 6)
decimals = st.one_of(
    st.builds(lambda c, e: Decimal(c).scaleb(e), _COEFFICIENTS, _EXPONENTS),
    st.sampled_from([Decimal("1E+2"), Decimal("-0"), Decimal("-0.00"), Decimal("0E+3"), Decimal("1.50")]),
)
amounts = st.builds(
    gk.Amount,
    decimals,
    st.sampled_from([None, gk.MoneyUnit.YUAN, gk.MoneyUnit.WAN_YUAN]),
)


def test_figure_text_examples() -> None:
    assert figure_text(None) == ""
    assert figure_text(0) == "0"
    assert figure_text(12) == "12"
    assert figure_text(Decimal("1E+2")) == "100"
    assert figure_text(Decimal("-0")) == "0"
    assert figure_text(Decimal("-0.00")) == "0.00"
    assert figure_text(Decimal("1.5E-7")) == "0.00000015"
    assert figure_text(gk.Amount(Decimal("1.605964E+2"), gk.MoneyUnit.WAN_YUAN)) == "160.5964万元"
    assert figure_text(gk.Amount(Decimal("1E+3"))) == "1000"


@given(st.one_of(st.integers(0, 10**12), decimals, amounts))
def test_what_is_printed_reads_back(value: object) -> None:
    """Plain digits, never an exponent: the one value parser reads every printed figure back as the same value."""
    text = figure_text(value)
    assert "E" not in text
    assert not text.startswith("-")
    kind = Value.AMOUNT if isinstance(value, gk.Amount) else Value.MONEY
    assert parse_value(text, kind).value == value


def _renderings(report: gk.AnnualReport) -> dict[str, str]:
    docx = io.BytesIO()
    write_docx(report, docx)
    with zipfile.ZipFile(docx) as z:
        body = z.read("word/document.xml").decode()
    return {
        "html": render_html(report),
        "text": render_text(report),
        "markdown": render_markdown(report),
        "docx": "".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", body)),
        "display": report._repr_html_(),
    }


@settings(max_examples=8, deadline=None)
@given(st.one_of(decimals.map(lambda d: (2023, d)), amounts.map(lambda a: (2020, a))))
def test_every_renderer_prints_the_same_text(case: tuple[int, object]) -> None:
    year, value = case
    path = "table2.procurement.amount" if year == 2020 else "table2.admin_fees.amount"
    report = replace_path(gk.AnnualReport.blank(agency="示例", year=year), path, value)
    text = figure_text(value)
    for name, out in _renderings(report).items():
        printed = escape(text) if name in ("html", "display") else text
        assert printed in out, name
        if isinstance(value, Decimal) and "E" in str(value):
            assert str(value) not in out, name  # never the scientific form
    how, stored = _cell_value(value)  # the Excel writer: an exact number, or the same text
    assert (how, stored) == ("s", text) or (how == "n" and Decimal(repr(stored)) == value)
