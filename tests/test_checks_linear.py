"""The checks are linear in the report's texts, whatever they hold (issue 14).

A statement pattern once began at every digit of a run and backtracked over the rest of it: an
overview holding 40,000 digits took 11 to 30 s in ``validate``. Each hostile text below is five
times that (a quadratic check would take many minutes), and ``validate`` must finish in a
subprocess under 20 s and 1.5 GiB.
"""

from __future__ import annotations

import re

import attrs
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

import gongkai_model as gk
from gongkai_model.checks import _analysis as _text

from hostile import assert_contract, run_capped

SIZE = 200_000

#: Repeated units that once made a pattern backtrack over a whole run.
UNITS = {
    "digits": "7",
    "received": "收到政府信息公开申请1",
    "separated": "1,234",
    "full_width": "１，２３４",
    "counted": "1件",
    "comma_clause": "受理申请，123件",
    "years": "2023年",
    "spaces": "收到申请 " + " " * 50 + "1",
}


def _validate(unit: str) -> gk.checks.ValidationResult:
    seed = gk.examples.seed_report()
    text = unit * (SIZE // len(unit))
    report = attrs.evolve(seed, overview=attrs.evolve(seed.overview, text=text), problems=text)
    return gk.validate(report)


def validate_digits() -> object:
    return _validate(UNITS["digits"])


def validate_received() -> object:
    return _validate(UNITS["received"])


def validate_separated() -> object:
    return _validate(UNITS["separated"])


def validate_full_width() -> object:
    return _validate(UNITS["full_width"])


def validate_counted() -> object:
    return _validate(UNITS["counted"])


def validate_comma_clause() -> object:
    return _validate(UNITS["comma_clause"])


def validate_years() -> object:
    return _validate(UNITS["years"])


def validate_spaces() -> object:
    return _validate(UNITS["spaces"])


@pytest.mark.parametrize("name", sorted(UNITS))
def test_validate_is_linear_in_hostile_texts(name: str) -> None:
    outcome = assert_contract(run_capped(f"test_checks_linear:validate_{name}"))
    assert outcome.kind == "result", str(outcome)
    assert outcome.type == "ValidationResult", str(outcome)


# --- the bounded figure pattern states what the unbounded one stated, on ordinary sentences ------------

_OLD_N = r"(?P<n>\d{1,3}(?:,\d{3})+|\d+)"
_WORDS = ["收到", "受理", "新收", "政府信息公开", "申请", "共", "件", "起", "宗", "，", "、", "。", "；", "办结",
          "予以公开", "结转", "下年度", "上年", "行政复议", "行政诉讼", "其中", "本年度", "依", "答复完毕", "已", " ",
          "（", "）"]  # fmt: skip


@st.composite
def _figures(draw: st.DrawFn) -> str:
    n = draw(st.integers(0, 10**9))
    return f"{n:,}" if draw(st.booleans()) else str(n)


_TEMPLATES = ["本年度共收到政府信息公开申请{}件", "上年结转{}件", "结转下年度{}件", "办结申请{}件", "{}件已办结",
              "予以公开{}件", "行政复议{}件", "行政诉讼{}起", "受理申请，{}件", "其中{}件"]  # fmt: skip


@st.composite
def _sentences(draw: st.DrawFn) -> str:
    parts: list[str] = []
    for _ in range(draw(st.integers(1, 8))):
        if draw(st.booleans()):
            parts.append(draw(st.sampled_from(_TEMPLATES)).format(draw(_figures())))
        else:
            parts.append(draw(st.sampled_from(_WORDS)))
    return "".join(parts)


def _old(topic: _text.Topic) -> _text.Topic:
    patterns = tuple(re.compile(p.pattern.replace(_text._N, _OLD_N)) for p in topic.patterns)
    return attrs.evolve(topic, patterns=patterns)


@settings(max_examples=300)
@given(st.lists(_sentences(), min_size=1, max_size=6))
def test_the_bounded_patterns_state_what_the_old_ones_stated(sentences: list[str]) -> None:
    seed = gk.examples.seed_report()
    text = "".join(sentences)
    report = attrs.evolve(seed, overview=attrs.evolve(seed.overview, text=text))
    stated = 0
    for topic in _text.TOPICS:
        new = [(s.sentence, s.figure) for s in _text.statements(report, topic)]
        old = [(s.sentence, s.figure) for s in _text.statements(report, _old(topic))]
        assert new == old, (topic.code, text)
        stated += len(new)
    event("states a figure" if stated else "states nothing")
