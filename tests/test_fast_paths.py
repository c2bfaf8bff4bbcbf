"""The generated fast paths of the checks and the layout agree with their thorough counterparts.

Each fast path only answers the common case quickly and leaves everything else to the thorough
code; these property tests compare both on valid reports and on reports forged past the model.
"""

from __future__ import annotations

import copy
import importlib
import operator
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

import gongkai_model as gk
from gongkai_model.checks import _identities, _sanity
from gongkai_model.model import Node, field_specs, layout, shape_of, values

from strategies import consistent_reports, reports

FORGED = st.one_of(
    st.none(),
    st.integers(-(10**16), 10**16),
    st.sampled_from([True, "3", 1.5, Decimal("NaN"), Decimal("-1"), [], {}, object(), 10**15, -(10**15) - 1]),
)


def _nodes(node: Any, prefix: str = "") -> list[tuple[Any, str, str]]:
    out = []
    for info in field_specs(type(node)):
        out.append((node, info.name, f"{prefix}{info.name}"))
        value = getattr(node, info.name)
        if isinstance(value, Node):
            out.extend(_nodes(value, f"{prefix}{info.name}."))
    return out


def _walk_only(report: Any) -> Any:
    saved = _sanity._clean
    _sanity._clean = lambda _: False  # type: ignore[assignment]
    try:
        return _sanity.scan(report)
    finally:
        _sanity._clean = saved  # type: ignore[assignment]


@settings(max_examples=150)
@given(st.one_of(reports(), consistent_reports()), st.data())
def test_scan_fast_path_agrees_with_the_walk(report: gk.AnnualReport, data: st.DataObject) -> None:
    report = copy.deepcopy(report)  # forged below: never an object shared with another test
    for _ in range(data.draw(st.integers(0, 2))):
        node, name, _path = data.draw(st.sampled_from(_nodes(report)))
        object.__setattr__(node, name, data.draw(FORGED))
    assert _sanity.scan(report) == _walk_only(report)


@settings(max_examples=150)
@given(st.one_of(reports(), consistent_reports()), st.booleans())
def test_identity_statuses_agree_with_evaluate(report: gk.AnnualReport, blanks_as_zero: bool) -> None:
    shape = shape_of(report)
    cells = values(report)
    expected = tuple(_identities.evaluate(i, cells, blanks_as_zero) for i in _identities.identities(shape))
    assert _identities.statuses(shape, cells, blanks_as_zero) == expected
    assert _identities._statuses_fn(shape, blanks_as_zero)(cells) == expected  # generated even with the switch


@settings(max_examples=100)
@given(reports())
def test_generated_values_getter_is_the_attrgetter(report: gk.AnnualReport) -> None:
    paths = [c.path for c in layout(shape_of(report))]
    assert values(report) == operator.attrgetter(*paths)(report)
    generated = importlib.import_module("gongkai_model.model.layout")._getter(shape_of(report))
    assert generated(report) == operator.attrgetter(*paths)(report)  # generated even with GONGKAI_NO_FAST_PATHS


@settings(max_examples=40, deadline=None)
@given(reports(), st.integers(min_value=1, max_value=8))
def test_shared_cell_refs_give_the_same_validation(report: gk.AnnualReport, cap: int) -> None:
    """Issue 19: the identity findings' shared CellRefs change nothing; the cache stays within its bound."""
    from gongkai_model.checks import _builtin
    from gongkai_model.checks._findings import CellRef

    shared = gk.validate(report)
    real_ref, real_max = _builtin._ref, _builtin._REFS_MAX
    try:
        _builtin._ref = CellRef.of
        plain = gk.validate(report)
        _builtin._ref, _builtin._REFS_MAX = real_ref, cap
        _builtin._REFS.clear()
        bounded = gk.validate(report)
        assert len(_builtin._REFS) <= cap
    finally:
        _builtin._ref, _builtin._REFS_MAX = real_ref, real_max
    assert shared == plain == bounded
