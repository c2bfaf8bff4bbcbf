"""One analysis of a report's text per validation (issue 19 item 2): the same findings as before, linear in the text.

The implementation before the shared analysis is kept here, callable (``_old_*``, copied from the code it
replaced): each seven text-against-table check split and normalised every sentence again, and the "says
only 无" check normalised whole texts. :func:`_old_checks` puts those functions back in the registry for
one ``validate``, so every test compares whole validation results, old against new, on the real cases and
on generated reports whose texts are drawn from the real ones.
"""

from __future__ import annotations

import functools
import re
import sys
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

import gongkai_model as gk
from gongkai_model.checks import (
    CheckContext,
    CheckOutcome,
    Finding,
    Severity,
    _analysis,
    _structure,
    register,
    registered,
)
from gongkai_model.checks._analysis import (
    _AMBIGUOUS,
    _CLAUSE_END,
    _NUMBER,
    _SENTENCE,
    _YEAR,
    PLAIN,
    TOPICS,
    Statement,
    TextAnalysis,
    Topic,
    section_texts,
)
from gongkai_model.checks._findings import CellRef
from gongkai_model.checks._registry import cell_index
from gongkai_model.checks._structure import (
    _END,
    _IDEOGRAPH,
    _NOTHING,
    _figures,
    _more_ideographs,
    _table_of,
    _texts,
    sections,
)
from gongkai_model.labels import normalize_label
from gongkai_model.model import OtherHandling, OtherMatters, Overview, layout
from gongkai_model.model.report import NUMERALS

from hostile import assert_contract, run_capped

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"


def _bench() -> Any:
    sys.path.insert(0, str(BENCH))
    try:
        import _data
    finally:
        sys.path.remove(str(BENCH))
    return _data


# --- the implementation before the shared analysis, kept callable -----------------------------------------


_OLD_CLAUSE_END = re.compile(r"[，：:]|,(?!\d{3}(?!\d))|(?<=[件起宗])、(?=\D)")


def _old_clean(sentence: str) -> str:
    return " ".join(sentence.split())


def _old_statements(report: gk.AnnualReport, topic: Topic) -> Iterator[Statement]:
    seen: set[str] = set()
    year = report.year
    for section, text in section_texts(report):
        for raw in _SENTENCE.findall(text):
            sentence = _old_clean(unicodedata.normalize("NFKC", raw))
            if not sentence or sentence in seen:
                continue
            seen.add(sentence)
            if topic.context is not None and not topic.context.search(sentence):
                continue
            if _AMBIGUOUS.search(sentence):
                continue
            if any(int(y) != year for y in _YEAR.findall(sentence)):
                continue
            figures = set()
            for clause in filter(None, _OLD_CLAUSE_END.split(sentence)):
                for pattern in topic.patterns:
                    m = pattern.search(clause)
                    if m is None:
                        continue
                    if topic.exclude is not None and topic.exclude.search(clause):
                        continue
                    if len(_NUMBER.findall(_YEAR.sub("", clause))) != 1:
                        continue
                    figures.add(int(m.group("n").replace(",", "")))
                    break
            if len(figures) == 1:
                yield Statement(topic, section, _old_clean(raw.strip()), figures.pop())


def _old_text_check(topic: Topic) -> Any:
    def check(ctx: CheckContext) -> CheckOutcome:
        if next(section_texts(ctx.report), None) is None:
            return CheckOutcome(0, ())
        index = cell_index(ctx.shape)
        cells = [layout(ctx.shape)[index[p]] for p in topic.cells]
        figures = [ctx.values[index[p]] for p in topic.cells]
        found: list[Finding] = []
        assessed = 0
        if any(v is None for v in figures):
            return CheckOutcome(0, ())
        table = sum(figures)
        alternative = sum(ctx.values[index[p]] or 0 for p in topic.also) if topic.also else None
        for st_ in _old_statements(ctx.report, topic):
            assessed += 1
            if st_.figure == table or st_.figure == alternative:
                continue
            first = cells[0]
            several = len(cells) > 1
            row = first.row_info.spec.banner if several else first.row
            where_zh = f"表{first.table}{row or ''}「{first.column}」"
            found.append(
                Finding(
                    topic.code,
                    Severity.WARNING,
                    f"{st_.section} 中的文字「{st_.sentence}」称{topic.what_zh}为 {st_.figure}，"
                    f"而{where_zh}{'之和' if several else ''}为 {table}",
                    f"the text of {st_.section} states {topic.what_en} as {st_.figure} "
                    f"(“{st_.sentence}”) but 表{first.table} {row} × {first.column} "
                    f"{'add up to' if several else 'is'} {table}",
                    first.table,
                    row,
                    first.column,
                    None if several else first.path,
                    expected=table,
                    actual=st_.figure,
                    difference=st_.figure - table,
                    cells=tuple(CellRef.of(c, v) for c, v in zip(cells, figures, strict=True)),
                    section=st_.section,
                    quote=st_.sentence,
                )
            )
        return CheckOutcome(assessed, tuple(found))

    return check


def _old_is_none_text(text: str, label: str = "") -> bool:
    core = normalize_label(text).strip(_END)
    return core in _NOTHING or (bool(label) and core in {f"{w}{normalize_label(label)}" for w in _NOTHING})


def _old_empty(ctx: CheckContext, numeral: str, name: str, info: Any) -> bool:
    value = getattr(ctx.report, name)
    if _table_of(numeral, info):
        return all(v is None for c, v in zip(layout(ctx.shape), ctx.values, strict=True) if c.table == numeral)
    texts = _texts(value)
    figures = [v for _, v in _figures(value)]
    return all(not (isinstance(t, str) and t.strip()) for t in texts) and all(v is None for v in figures)


def _old_section_empty(ctx: CheckContext) -> CheckOutcome:
    if not _structure._has_text(ctx.report) and ctx.headings is None:
        return CheckOutcome(0, ())
    found = []
    for numeral, name, info in sections():
        if ctx.headings is not None and name in ctx.headings and ctx.headings[name] is None:
            continue
        if _old_empty(ctx, numeral, name, info):
            label = f"{numeral}、{info.spec.label}"
            found.append(
                Finding(
                    "STRUCTURE_SECTION_EMPTY",
                    Severity.WARNING,
                    f"「{label}」部分没有内容",
                    f"section {label} is empty",
                    _table_of(numeral, info),
                    section=name,
                )
            )
    return CheckOutcome(len(sections()), tuple(found))


def _old_activity(ctx: CheckContext, name: str) -> list[CellRef]:
    value = getattr(ctx.report, name)
    out = [
        CellRef("", info_name, "", f"{name}.{info_name}", v)
        for info_name, v in _figures(value)
        if isinstance(v, int | Decimal) and not isinstance(v, bool) and v > 0
    ]
    if _figures(value) and isinstance(getattr(ctx.report.table3.results, "other", None), OtherHandling):
        for c, v in zip(layout(ctx.shape), ctx.values, strict=True):
            parts = c.path.split(".")
            if parts[-2] == "fee_unpaid" and c.spec.total == "siblings" and isinstance(v, int) and v > 0:
                out.append(CellRef.of(c, v))
    return out


def _old_none_with_activity(ctx: CheckContext) -> CheckOutcome:
    found = []
    assessed = 0
    for numeral, name, info in sections():
        texts = [t for t in _texts(getattr(ctx.report, name)) if isinstance(t, str) and t.strip()]
        if not texts or _table_of(numeral, info):
            continue
        assessed += 1
        if not all(_old_is_none_text(t, info.spec.label) for t in texts):
            continue
        if numeral == NUMERALS[0]:
            active = [
                CellRef.of(c, v)
                for c, v in zip(layout(ctx.shape), ctx.values, strict=True)
                if c.spec.total and isinstance(v, int | Decimal) and v > 0
            ][:3]
        else:
            active = _old_activity(ctx, name)
        if not active:
            continue
        label = f"{numeral}、{info.spec.label}"
        shown = "；".join(f"{c.path} = {c.value}" for c in active)
        found.append(
            Finding(
                "STRUCTURE_NONE_WITH_ACTIVITY",
                Severity.WARNING,
                f"「{label}」仅称“{texts[0].strip()}”，但有相关数字不为 0（{shown}）",
                f"section {label} says only “{texts[0].strip()}” but figures show activity ({shown})",
                active[0].table or None,
                active[0].row if active[0].table else None,
                active[0].column or None,
                active[0].path,
                cells=tuple(active),
                section=name,
                quote=texts[0].strip(),
            )
        )
    return CheckOutcome(assessed, tuple(found))


OLD = {
    **{topic.code: _old_text_check(topic) for topic in TOPICS},
    "STRUCTURE_SECTION_EMPTY": _old_section_empty,
    "STRUCTURE_NONE_WITH_ACTIVITY": _old_none_with_activity,
}


@contextmanager
def _old_checks() -> Iterator[None]:
    """The checks as they were before the shared analysis, in the registry for the time of the block."""
    now = registered(codes=list(OLD))
    try:
        for check in now:
            register(
                check.code, severity=check.severity, title_en=check.title_en, title_zh=check.title_zh, replace=True
            )(OLD[check.code])
        yield
    finally:
        for check in now:
            register(
                check.code, severity=check.severity, title_en=check.title_en, title_zh=check.title_zh, replace=True
            )(check.function)


def _both(report: gk.AnnualReport, **options: Any) -> tuple[gk.ValidationResult, gk.ValidationResult]:
    """``validate`` with the checks as they were, then as they are."""
    with _old_checks():
        old = gk.validate(report, **options)
    return old, gk.validate(report, **options)


def _assert_same(report: gk.AnnualReport, **options: Any) -> gk.ValidationResult:
    old, new = _both(report, **options)
    assert new.issues == old.issues
    assert new.checks_performed == old.checks_performed
    assert new.suggestions == old.suggestions
    for topic in TOPICS:
        assert list(_analysis.statements(report, topic)) == list(_old_statements(report, topic))
    return new


# --- the characters the analysis relies on, checked against unicodedata -----------------------------------


def _ranges(char_class: str) -> Iterator[int]:
    """Every code point of a character class written as ranges and single characters (as PLAIN is)."""
    chars = re.sub(r"\\x([0-9a-f]{2})|\\u([0-9a-f]{4})", lambda m: chr(int(m.group(1) or m.group(2), 16)), char_class)
    k = 0
    while k < len(chars):
        if k + 2 < len(chars) and chars[k + 1] == "-":
            yield from range(ord(chars[k]), ord(chars[k + 2]) + 1)
            k += 3
        else:
            yield ord(chars[k])
            k += 1


DIGIT = re.compile(r"\d")


def test_no_digit_is_a_composition() -> None:
    """NFKC composes characters, but never into a digit: a text of PLAIN characters has no digit after NFKC."""
    composed = [
        cp
        for cp in range(sys.maxunicode + 1)
        if DIGIT.match(chr(cp)) and (d := unicodedata.decomposition(chr(cp))) and not d.startswith("<")
    ]
    assert composed == []


def test_plain_characters_hold_no_digit_in_any_form() -> None:
    plain = list(_ranges(PLAIN))
    assert len(plain) > 30_000
    assert set(map(ord, "。！？!?；;\n，、：（）《》“”—…·　")) <= set(plain)  # the end marks and CJK punctuation
    holding = [hex(cp) for cp in plain if DIGIT.search(unicodedata.normalize("NFKD", chr(cp)))]
    assert holding == []
    assert not set(plain) & {ord(c) for c in "0123456789０１２３４５６７８９①²⑴⒈"}


def test_ideographs_stay_as_they_are() -> None:
    """Each ideograph counted by is_none_text's shortcut survives normalize_label and the end strip."""
    ideographs = [chr(cp) for cp in _ranges(_structure._IDEOGRAPH.pattern[1:-1])]
    assert len(ideographs) > 20_000
    assert all(normalize_label(c) == c and c not in _END for c in ideographs)
    ids = set(ideographs)
    parts = [
        cp
        for cp in range(sys.maxunicode + 1)
        if (d := unicodedata.decomposition(chr(cp)))
        and not d.startswith("<")
        and len(d.split()) > 1
        and ids.intersection(chr(int(x, 16)) for x in d.split())
    ]
    assert parts == []  # no composition takes an ideograph in


# --- the analysis against the implementation it replaced --------------------------------------------------

LETTERS = (
    "0123456789０１２３４５６７８９①²,，。！？!?；;\n 　、：:"
    "件起宗年申请收到办结公开行政复议诉讼无暂没有本度同比e\u0301\u200bαЖ"
)


@settings(max_examples=300)
@given(st.text(alphabet=st.sampled_from(LETTERS) | st.characters(), max_size=80))
def test_the_sentences_that_may_state_a_figure(text: str) -> None:
    may = list(_analysis._may_state(text))
    every = _SENTENCE.findall(text)
    assert may == [s for s in every if re.search(f"[^{PLAIN}]", s)]
    for sentence in every:
        if DIGIT.search(unicodedata.normalize("NFKC", sentence)):
            assert sentence in may


@settings(max_examples=500)
@given(st.text(alphabet=st.sampled_from(LETTERS + "ｅＡ\u00a0\u0301\u0308ﾞｶ") | st.characters(), max_size=40))
def test_nfkc_is_unicodedata_s(text: str) -> None:
    assert _analysis.nfkc(text) == unicodedata.normalize("NFKC", text)


def test_nfkc_of_every_character_after_a_wide_form() -> None:
    """A wide form put narrow must not compose with what follows it differently from NFKC's own."""
    for wide in "ｅＡ\u3000（":
        text = "".join(wide + chr(cp) for cp in range(0x300, 0x370)) + "".join(
            wide + chr(cp) for cp in range(0x3099, 0x309B)
        )
        assert _analysis.nfkc(text) == unicodedata.normalize("NFKC", text)


@settings(max_examples=500)
@given(st.text(alphabet=st.sampled_from("，：:,、件起宗0123456789a一"), max_size=30))
def test_clauses_are_cut_where_they_were(sentence: str) -> None:
    assert _CLAUSE_END.split(sentence) == _OLD_CLAUSE_END.split(sentence)


NOTHING_PIECES = [
    "无",
    "暂无",
    "没有",
    "本年无",
    "本年度无",
    "其他事项",
    "收费",
    "。",
    "．",
    " ",
    "\u3000",
    "\u200b",
    "\n",
]


@settings(max_examples=300)
@given(
    st.lists(st.sampled_from(NOTHING_PIECES) | st.text(max_size=3), max_size=12).map("".join),
    st.sampled_from(["", "其他事项", "其他需要报告的事项", "ｅ\u0301"]),
)
def test_is_none_text_says_what_it_said(text: str, label: str) -> None:
    assert _structure.is_none_text(text, label) == _old_is_none_text(text, label)


def test_is_none_text_of_long_texts() -> None:
    label = "其他需要报告的事项"
    for text in ["无" + "\u3000" * 100_000, "。" * 50_000 + "无" + label + "。", "无" * 50_000, "本年度无。" * 3]:
        assert _structure.is_none_text(text, label) == _old_is_none_text(text, label)


def test_the_real_cases_find_what_they_found() -> None:
    data = _bench()
    for case in data.real_cases():
        _assert_same(case.figures)
        _assert_same(case.figures, suggestions=False, blanks_as_zero=True)
        if case.read is not None:
            assert case.source is not None
            headings: dict[str, str | None] = dict(gk.read(case.source).headings) or {"overview": None}
            _assert_same(case.read)
            _assert_same(case.read, headings=headings)


@functools.cache
def _pool() -> tuple[str, ...]:
    data = _bench()
    pool = data.sentence_pool([c.read for c in data.real_cases() if c.read is not None])
    return tuple(s for part in pool.values() for s in part)


@functools.cache
def _bases() -> tuple[gk.AnnualReport, ...]:
    data = _bench()
    return (*(c.figures for c in data.real_cases()), gk.examples.seed_report(), *data.corpus(6))


#: Sentences as the real reports and docs/checks.md word them, with a figure to fill in.
STATING = (
    "本年度共收到政府信息公开申请{n}件",
    "{y}年，区政府办代表区政府受理政府信息公开申请 {n} 件，均已在法定期限内予以答复",
    "{y}年度我局共收到依申请信息公开{n}件，及时回复申请人",
    "上年结转政府信息公开申请{n}件",
    "结转下年度继续办理{n}件",
    "另有{n}件结转至下一年度办理",
    "全年共办结政府信息公开申请{n}件",
    "其中予以公开{n}件，部分公开{m}件",
    "其中予以公开{n}件",
    "在办结的政府信息公开申请中，予以公开{n}件",
    "因政府信息公开被申请行政复议案件{n}件",
    "提起行政诉讼{n}件",
    "行政复议{n}件、行政诉讼{m}件",
    "行政复议{n}件，结果维持{m}件",
    "申请数量同比增长{n}件",
    "全年收取政府信息公开信息处理费 {n} 元",
    "受理政府信息公开申请{n}件（其中上年结转{m}件）",
)
FULL_WIDTH = str.maketrans("0123456789,", "０１２３４５６７８９，")
PARTS = ("overview.text", "overview.proactive", "overview.on_request", "problems", "other_matters.text")
ENDS = ["。", "；", "！", "？", "\n", "，", " ", "\u3000", "", "。\n\n"]


@st.composite
def _figure(draw: st.DrawFn, report: gk.AnnualReport) -> str:
    own = [v for v in gk.model.values(report) if isinstance(v, int)]
    n = draw(st.sampled_from(own) | st.integers(0, 10**7) if own else st.integers(0, 10**7))
    shown = draw(st.sampled_from([str(n), f"{n:,}", str(n).translate(FULL_WIDTH), f"{n:,}".translate(FULL_WIDTH)]))
    return shown


@st.composite
def _sentence(draw: st.DrawFn, report: gk.AnnualReport) -> str:
    kind = draw(st.sampled_from(["real", "real", "stating", "stating", "none", "noise"]))
    if kind == "real":
        return draw(st.sampled_from(_pool()))
    if kind == "none":
        return draw(st.sampled_from(["无。", "暂无。", " 无 ", "本年度无其他需要报告的事项。", "无其他需要报告的事项"]))
    if kind == "noise":
        return draw(st.text(alphabet=st.sampled_from(LETTERS), max_size=20))
    year = draw(st.sampled_from([report.year, report.year, report.year - 1]))
    template = draw(st.sampled_from(STATING))
    return template.format(n=draw(_figure(report)), m=draw(_figure(report)), y=year) + draw(st.sampled_from(ENDS))


@st.composite
def reports_with_texts(draw: st.DrawFn) -> gk.AnnualReport:
    """A report of the real cases or the benchmark corpus, its text parts drawn from the real texts."""
    report = draw(st.sampled_from(_bases()))
    texts = {}
    for part in draw(st.lists(st.sampled_from(PARTS), unique=True, max_size=5)):
        texts[part] = "".join(draw(st.lists(_sentence(report), min_size=1, max_size=8)))
    if "overview.text" in texts and draw(st.booleans()):  # a sub-text repeating its parent's sentences
        texts["overview.on_request"] = texts["overview.text"]
    overview = attrs.evolve(
        report.overview or Overview(), **{p[9:]: t for p, t in texts.items() if p[:9] == "overview."}
    )
    other = attrs.evolve(report.other_matters or OtherMatters(), text=texts.get("other_matters.text"))
    return attrs.evolve(report, overview=overview, problems=texts.get("problems"), other_matters=other)


@settings(max_examples=100)
@given(reports_with_texts(), st.booleans())
def test_generated_reports_find_what_they_found(report: gk.AnnualReport, with_headings: bool) -> None:
    headings = {name: name for _, name, _ in sections()} if with_headings else None
    _assert_same(report, suggestions=False, headings=headings)


def test_the_generated_reports_have_text_findings() -> None:
    """The generator reaches the checks: drawn texts give text-against-table findings of every topic."""
    data = _bench()
    import random

    rng = random.Random(7)
    codes: set[str] = set()
    for report in data.corpus(30):
        texts = {
            "overview.text": "".join(
                rng.choice(STATING).format(n=rng.randint(1, 99), m=1, y=report.year) + "。" for _ in range(12)
            )
        }
        result = _assert_same(data.with_texts(report, texts), suggestions=False)
        codes |= {f.code for f in result.issues}
    assert {t.code for t in TOPICS} <= codes


# --- one analysis, shared ------------------------------------------------------------------------------


def test_one_analysis_per_validation(monkeypatch: Any) -> None:
    calls = []
    real = TextAnalysis.of.__func__  # type: ignore[attr-defined]

    def counted(cls: type[TextAnalysis], report: gk.AnnualReport) -> TextAnalysis:
        calls.append(report)
        return real(cls, report)  # type: ignore[no-any-return]

    monkeypatch.setattr(TextAnalysis, "of", classmethod(counted))
    report = gk.examples.seed_report()
    result = gk.validate(report)
    assert len(calls) == 1
    assert {r.code for r in result.checks_performed} >= {t.code for t in TOPICS}


def test_the_context_keeps_its_analysis_out_of_equality() -> None:
    report = gk.examples.seed_report()
    a, b = CheckContext.of(report), CheckContext.of(report)
    analysis = a.text
    assert a.text is analysis  # computed once
    assert a == b
    assert hash(a) == hash(b)
    assert "_text" not in repr(a)
    assert analysis.texts == tuple(section_texts(report))
    assert CheckContext.of(_bases()[0]).text.sentences == ()  # figures only: nothing to analyse


def test_the_analysis_normalises_only_sentences_that_may_hold_a_figure(monkeypatch: Any) -> None:
    seen: list[str] = []
    nfkc = _analysis.nfkc

    def spy(text: str) -> str:
        seen.append(text)
        return nfkc(text)

    monkeypatch.setattr(_analysis, "nfkc", spy)
    report = gk.examples.seed_report()
    analysis = TextAnalysis.of(report)
    assert analysis.sentences  # the thorough reading (the quick one normalises none of seed_report's: below)
    assert seen
    assert all(re.search(f"[^{PLAIN}]", s) for s in seen)
    assert len(seen) == len(set(seen))  # each sentence once
    assert sum(map(len, seen)) < sum(len(t) for _, t in analysis.texts) / 3


# --- hostile texts: linear, within the caps -------------------------------------------------------------


def _with_text(text: str) -> gk.AnnualReport:
    report = gk.examples.seed_report()
    return attrs.evolve(
        report,
        overview=attrs.evolve(report.overview, text=text, on_request=text),
        problems=text,
        other_matters=attrs.evolve(report.other_matters, text=text),
    )


def make_many_figured_sentences() -> object:
    """2 MB of short sentences, each stating a figure in full-width digits with a year and a clause."""
    return gk.validate(_with_text("2023年收到政府信息公开申请１２件，办结３件。" * 80_000))


def make_one_long_sentence() -> object:
    """One sentence of 2 MB: clauses of numbers, no end mark (the analysis's clause split and counts)."""
    return gk.validate(_with_text("行政复议1件，" * 250_000 + "0" * 40_000))


def make_a_long_nothing() -> object:
    """A "nothing" text padded with a million spaces and end marks in every part (is_none_text)."""
    return gk.validate(_with_text("无" + "\u3000。" * 500_000))


def test_hostile_texts_stay_within_the_caps() -> None:
    for target in ("make_many_figured_sentences", "make_one_long_sentence", "make_a_long_nothing"):
        outcome = assert_contract(run_capped(f"test_text_analysis:{target}"))
        assert outcome.kind == "result", str(outcome)
        assert outcome.type == "ValidationResult", str(outcome)
        assert outcome.problems == []


def test_the_text_benchmark_runs() -> None:
    """benchmarks/bench_texts.py on tiny inputs (it asserts that its baselines see what validate sees)."""
    _bench()
    sys.path.insert(0, str(BENCH))
    try:
        import bench_texts
    finally:
        sys.path.remove(str(BENCH))
    real = bench_texts.real_rows(calls=1, repeat=1)
    assert [row[0] for row in real] == [c.name for c in _bench().real_cases()]
    assert all(row[3] is not None for row in real if row[5])  # every case read with texts is timed with them
    assert [name for name, _, _ in bench_texts.check_rows(1, pdf=False)] == [
        "seed-xicheng-xinfang-2023",
        "shanghai-shizhengfu-bangongting-2019",
        "shuyang-fagaiju-2023",
    ]
    rows = bench_texts.corpus_rows(4, scales=(1, 2))
    assert [what for what, _, _ in rows][-2:] == [
        "validate, texts drawn from the real ones ×1",
        "validate, texts drawn from the real ones ×2",
    ]
    assert rows[-1][2] > rows[-2][2] > 500  # texts as long as a real report's, then twice as long


# --- the quick reading (the default) against the thorough one (GONGKAI_NO_FAST_PATHS) ------------------


@contextmanager
def _thorough() -> Iterator[None]:
    """The analysis as ``GONGKAI_NO_FAST_PATHS=1`` makes it, for the time of the block."""
    was = _analysis.FAST_PATHS  # type: ignore[attr-defined]
    _analysis.FAST_PATHS = False  # type: ignore[attr-defined]
    try:
        yield
    finally:
        _analysis.FAST_PATHS = was  # type: ignore[attr-defined]


def _parsed(pattern: re.Pattern[str]) -> Any:
    try:
        from re import _parser as parser  # type: ignore[attr-defined]
    except ImportError:  # Python 3.10
        import sre_parse as parser
    return parser.parse(pattern.pattern, pattern.flags)


def _requires(items: Any, chars: str) -> bool:
    """Whether a parsed pattern (a sequence of items) matches only text holding one of ``chars`` where it matches."""
    for op, av in items:
        name = str(op)
        if name == "LITERAL" and chr(av) in chars:
            return True
        if name == "IN" and av and all(str(o) == "LITERAL" and chr(a) in chars for o, a in av):
            return True
        if name == "SUBPATTERN" and _requires(av[-1], chars):
            return True
        if name == "BRANCH" and all(_requires(branch, chars) for branch in av[1]):
            return True
        if name in ("MAX_REPEAT", "MIN_REPEAT") and av[0] >= 1 and _requires(av[2], chars):
            return True
    return False


def _literals(pattern: re.Pattern[str]) -> list[str]:
    """The words of a needle written as an alternation of plain words (AssertionError otherwise)."""
    parsed = list(_parsed(pattern))
    branches = parsed[0][1][1] if len(parsed) == 1 and str(parsed[0][0]) == "BRANCH" else [parsed]
    words = []
    for branch in branches:
        assert all(str(op) == "LITERAL" for op, _ in branch), pattern.pattern
        words.append("".join(chr(av) for _, av in branch))
    return words


def test_every_built_in_pattern_counts_in_a_unit() -> None:
    """A statement of a built-in topic holds 件, 起 or 宗: the quick reading looks only at sentences holding one."""
    assert _requires(_parsed(re.compile("a(?:件|起)")), "件起宗")  # the reading of a pattern, checked
    assert not _requires(_parsed(re.compile("a(?:件|x)")), "件起宗")
    assert not _requires(_parsed(re.compile("a(?!件)b")), "件起宗")
    for topic in TOPICS:
        for pattern in (*topic.patterns, *topic.whole):
            assert _requires(_parsed(pattern), _analysis._UNITS), (topic.code, pattern.pattern)


def _is_unit(op: Any, av: Any, units: str) -> bool:
    name = str(op)
    if name == "LITERAL":
        return chr(av) in units
    if name == "IN":
        return bool(av) and all(str(o) == "LITERAL" and chr(a) in units for o, a in av)
    if name == "SUBPATTERN":
        return bool(av[-1]) and _is_unit(*av[-1][0], units)
    if name == "BRANCH":
        return all(bool(b) and _is_unit(*b[0], units) for b in av[1])
    return False


def _ends_in_a_digit(items: Any) -> bool:
    if not items:
        return False
    op, av = items[-1]
    name = str(op)
    if name == "LITERAL":
        return chr(av).isdigit()
    if name == "IN":
        return [(str(o), str(a)) for o, a in av] == [("CATEGORY", "CATEGORY_DIGIT")]
    if name in ("MAX_REPEAT", "MIN_REPEAT"):
        return av[0] >= 1 and _ends_in_a_digit(av[2])
    if name == "SUBPATTERN":
        return _ends_in_a_digit(av[-1])
    if name == "BRANCH":
        return all(_ends_in_a_digit(b) for b in av[1])
    return False


def _counted(pattern: re.Pattern[str]) -> bool:
    """Whether every match of ``pattern`` has its group ``n`` end in a digit right before a unit (件, 起, 宗)."""
    items = list(_parsed(pattern))
    group = pattern.groupindex["n"]
    at = next(k for k, (op, av) in enumerate(items) if str(op) == "SUBPATTERN" and av[0] == group)
    if not _ends_in_a_digit(items[at][1][-1]):
        return False
    rest = items[at + 1 :]
    while rest and str(rest[0][0]) in ("ASSERT", "ASSERT_NOT"):  # lookarounds match no character
        rest = rest[1:]
    return bool(rest) and _is_unit(*rest[0], "件起宗")


def test_every_built_in_figure_is_counted_in_a_unit() -> None:
    """Every pattern's figure (digits) comes right before 件, 起 or 宗: the quick reading keeps only the sentences
    where a digit does (``_COUNTED``)."""
    assert _counted(re.compile(r"a(?P<n>\d+)(?!\d)(?:件|起)"))  # the reading of a pattern, checked
    assert not _counted(re.compile(r"a(?P<n>\d+)\s*件"))
    assert not _counted(re.compile(r"a(?P<n>\d+|十)件"))
    assert _analysis._COUNTED.pattern == r"\d[" + _analysis._UNITS + "]"
    for topic in TOPICS:
        for pattern in (*topic.patterns, *topic.whole):
            assert _counted(pattern), (topic.code, pattern.pattern)


def test_the_needles_are_plain_words_of_ideographs_that_stay_as_they_are() -> None:
    words = [w for topic in TOPICS for w in _literals(topic.needle)]  # type: ignore[arg-type]
    assert _analysis._NEEDLES.pattern == "|".join(words)
    ideographs = {chr(cp) for cp in _ranges(_structure._IDEOGRAPH.pattern[1:-1])}  # never composed (above)
    for char in {*"".join(words), *_analysis._UNITS}:
        assert char in ideographs
        assert unicodedata.normalize("NFKC", char) == char


def test_the_makers_are_every_character_whose_nfkc_makes_a_unit_or_a_needle() -> None:
    needed = {
        *"".join(w for topic in TOPICS for w in _literals(topic.needle)),  # type: ignore[arg-type]
        *"".join(w for topic in TOPICS if topic.context is not None for w in _literals(topic.context)),
        *_analysis._UNITS,
    }
    makers, unit_makers = set(), set()
    for cp in range(sys.maxunicode + 1):
        char = chr(cp)
        nfkd = unicodedata.normalize("NFKD", char)
        if nfkd != char and needed.intersection(nfkd):
            makers.add(char)
            if set(_analysis._UNITS).intersection(nfkd):
                unit_makers.add(char)
    assert makers == set(_analysis._MAKERS)
    assert unit_makers == set(_analysis._UNIT_MAKERS)


def test_a_digit_after_nfkc_comes_of_a_numeric_character() -> None:
    """The quick reading looks at a unit only after a character whose NFKD may end in a digit."""
    ending = {
        chr(cp)
        for cp in range(sys.maxunicode + 1)
        if DIGIT.match(unicodedata.normalize("NFKD", chr(cp))[-1]) and not chr(cp).isnumeric()
    }
    assert ending == set(_analysis._NUMERIC)
    within = [  # no canonical decomposition holds a digit: none composes with one
        cp
        for cp in range(sys.maxunicode + 1)
        if (d := unicodedata.decomposition(chr(cp)))
        and not d.startswith("<")
        and any(DIGIT.match(chr(int(x, 16))) for x in d.split())
    ]
    assert within == []


#: Characters to build texts that stress the quick reading's choice of sentences.
STRESS = (
    "件起宗收到受理办结结转予以公开行政复议诉讼申请年同比无"
    "0123456789０１２３４５６７８９,，、：。！？!?；;\n 　\u0301\u200b万%．.٣"
    f"{_analysis._MAKERS}{_analysis._NUMERIC}①²½㉑一"
)
WORDS = (
    *("收到", "受理", "结转", "办结", "答复完毕", "予以公开", "行政复议", "行政诉讼", "公开", "申请"),
    *("件", "起", "宗", "\u2f8f政复议", "\U0001f238请"),
)


@settings(max_examples=400)
@given(
    st.lists(
        st.lists(st.sampled_from(WORDS) | st.text(alphabet=st.sampled_from(STRESS), max_size=6), max_size=12).map(
            "".join
        ),
        min_size=1,
        max_size=3,
    )
)
def test_the_quick_reading_keeps_every_sentence_a_built_in_topic_may_read(parts: list[str]) -> None:
    texts = tuple((f"part{i}", text) for i, text in enumerate(parts))
    every = list(_analysis._every(texts))
    quick = list(_analysis._topical(texts))
    assert [piece for piece in every if piece in quick] == quick  # a part of every sentence, in order
    for section, raw in every:
        normal = " ".join(unicodedata.normalize("NFKC", raw).split())
        if _analysis._COUNTED.search(normal) and _read_by_a_topic(normal):
            assert (section, raw) in quick


@settings(max_examples=300)
@given(
    st.lists(
        st.lists(st.sampled_from(WORDS) | st.text(alphabet=st.sampled_from(STRESS), max_size=6), max_size=12).map(
            "".join
        ),
        min_size=1,
        max_size=3,
    )
)
def test_an_ascii_digit_before_a_unit_is_a_figure_counted_in_it(parts: list[str]) -> None:
    """The quick reading skips the PLAIN and ``_COUNTED`` tests of a sentence whose unit follows an ASCII digit:
    the sentences kept are those the tests keep (regression guard for session 9's second pass)."""
    texts = tuple((f"part{i}", text) for i, text in enumerate(parts))
    read = list(_analysis._topical_read(texts))
    for _, raw, _, digit in read:
        if digit:
            assert _analysis._NOT_PLAIN.search(raw) is not None
            assert _analysis._COUNTED.search(" ".join(unicodedata.normalize("NFKC", raw).split())) is not None
    quick = _analysis._analyse_quickly(read)
    tested = _analysis._analyse_quickly((s, r, t, False) for s, r, t, _ in read)
    assert [(x.section, x.raw, x.text, x._read) for x in quick] == [(x.section, x.raw, x.text, x._read) for x in tested]


@settings(max_examples=200)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(WORDS) | st.text(alphabet=st.sampled_from(STRESS), max_size=3),
            st.integers(0, 400),
            st.lists(st.sampled_from(WORDS) | st.text(alphabet=st.sampled_from(STRESS), max_size=6), max_size=6).map(
                "".join
            ),
        ).map(lambda p: p[0] + "字" * p[1] + p[2]),
        min_size=1,
        max_size=6,
    ).map("".join),
    st.integers(1, 3),
)
def test_the_quick_reading_finds_the_start_of_long_sentences(text: str, parts: int) -> None:
    """Sentences of hundreds of characters before their unit, the texts cut in parts (the start of a sentence is
    found back from its unit over any length; the parts are read as joined by line breaks)."""
    step = max(1, len(text) // parts)
    texts = tuple((f"part{i}", text[i * step : (i + 1) * step if i < parts - 1 else None]) for i in range(parts))
    texts = tuple(t for t in texts if t[1]) or (("part0", text),)
    every = list(_analysis._every(texts))
    quick = list(_analysis._topical(texts))
    assert [piece for piece in every if piece in quick] == quick
    for section, raw in every:
        normal = " ".join(unicodedata.normalize("NFKC", raw).split())
        if _analysis._COUNTED.search(normal) and _read_by_a_topic(normal):
            assert (section, raw) in quick


def _read_by_a_topic(sentence: str) -> bool:
    """Whether a built-in topic reads ``sentence`` (NFKC): its needle, and its context if it has one."""
    return any(
        topic.needle is not None
        and topic.needle.search(sentence)
        and (topic.context is None or topic.context.search(sentence))
        for topic in TOPICS
    )


def _statements_of(report: gk.AnnualReport) -> list[list[Statement]]:
    analysis = TextAnalysis.of(report)
    return [list(analysis.statements(topic)) for topic in TOPICS]


def _assert_quick_is_thorough(report: gk.AnnualReport, **options: Any) -> gk.ValidationResult:
    with _thorough():
        slow = gk.validate(report, **options)
        slow_statements = _statements_of(report)
        slow_sentences = TextAnalysis.of(report).sentences
    quick = gk.validate(report, **options)
    assert quick.issues == slow.issues
    assert quick.checks_performed == slow.checks_performed
    assert quick.suggestions == slow.suggestions
    assert _statements_of(report) == slow_statements
    assert TextAnalysis.of(report).sentences == slow_sentences
    return quick


def test_the_quick_reading_finds_what_the_thorough_one_finds_on_the_real_cases() -> None:
    data = _bench()
    for case in data.real_cases():
        _assert_quick_is_thorough(case.figures)
        if case.read is not None:
            _assert_quick_is_thorough(case.read)
            _assert_quick_is_thorough(case.read, suggestions=False, blanks_as_zero=True)


@settings(max_examples=100)
@given(reports_with_texts(), st.booleans())
def test_the_quick_reading_finds_what_the_thorough_one_finds(report: gk.AnnualReport, suggestions: bool) -> None:
    _assert_quick_is_thorough(report, suggestions=suggestions)


@st.composite
def _damaged(draw: st.DrawFn, text: str) -> str:
    """``text`` with pieces cut out, doubled, or stressing characters put in."""
    for _ in range(draw(st.integers(0, 6))):
        at = draw(st.integers(0, len(text)))
        what = draw(st.sampled_from(["insert", "insert", "cut", "double", "digit"]))
        if what == "digit":  # a digit taken out (a figure or a year shortened, two figures joined)
            digits = [k for k, c in enumerate(text) if c.isdecimal()]
            if digits:
                k = draw(st.sampled_from(digits))
                text = text[:k] + text[k + 1 :]
        elif what == "insert":
            piece = draw(st.sampled_from(WORDS) | st.text(alphabet=st.sampled_from(STRESS), min_size=1, max_size=4))
            text = text[:at] + piece + text[at:]
        else:
            end = draw(st.integers(at, min(len(text), at + 30)))
            text = text[:at] + (text[at:end] * 2 if what == "double" else "") + text[end:]
    return text


@st.composite
def damaged_reports(draw: st.DrawFn) -> gk.AnnualReport:
    """A report with texts drawn from the real ones (:func:`reports_with_texts`), each text damaged."""
    report = draw(reports_with_texts())
    overview = report.overview
    if overview is not None:
        changes = {n: draw(_damaged(t)) for n in ("text", "proactive", "on_request") if (t := getattr(overview, n))}
        overview = attrs.evolve(overview, **changes)
    problems = report.problems and draw(_damaged(report.problems))
    other = report.other_matters
    if other is not None and other.text:
        other = attrs.evolve(other, text=draw(_damaged(other.text)))
    return attrs.evolve(report, overview=overview, problems=problems, other_matters=other)


@settings(max_examples=100)
@given(damaged_reports())
def test_the_quick_reading_finds_what_the_thorough_one_finds_in_damaged_texts(report: gk.AnnualReport) -> None:
    _assert_quick_is_thorough(report, suggestions=False)


def test_the_quick_reading_finds_every_topic() -> None:
    """The fixed reports of test_the_generated_reports_have_text_findings, read both ways: every TEXT_TABLE_* code."""
    data = _bench()
    import random

    rng = random.Random(7)
    codes: set[str] = set()
    for report in data.corpus(30):
        texts = {
            "overview.text": "".join(
                rng.choice(STATING).format(n=rng.randint(1, 99), m=1, y=report.year) + "。" for _ in range(12)
            )
        }
        result = _assert_quick_is_thorough(data.with_texts(report, texts), suggestions=False)
        codes |= {f.code for f in result.issues}
    assert {t.code for t in TOPICS} <= codes


def test_a_topic_of_ones_own_reads_every_sentence() -> None:
    """A topic that is not built in (no needle here) is read from every sentence, as the thorough reading does."""
    mine = Topic("MY_TOPIC", "网络问政", "online questions", (re.compile(r"网络问政(?P<n>\d+)件"),), TOPICS[0].cells)
    report = next(c.read for c in _bench().real_cases() if c.name == "shuyang-fagaiju-2023")
    quick = TextAnalysis.of(report)
    assert [s.figure for s in quick.statements(mine)] == [182]
    assert quick.stated(mine) == tuple(quick.statements(mine))
    with _thorough():
        assert list(TextAnalysis.of(report).statements(mine)) == list(quick.statements(mine))


def test_the_quick_reading_normalises_only_sentences_holding_a_unit_and_a_needle(monkeypatch: Any) -> None:
    seen: list[str] = []
    nfkc = _analysis.nfkc

    def spy(text: str) -> str:
        seen.append(text)
        return nfkc(text)

    monkeypatch.setattr(_analysis, "nfkc", spy)
    monkeypatch.setattr(_analysis, "FAST_PATHS", True)  # the quick reading, even under GONGKAI_NO_FAST_PATHS=1
    assert TextAnalysis.of(gk.examples.seed_report()).topical == ()
    assert seen == []  # no sentence of seed_report's counts applications
    report = next(c.read for c in _bench().real_cases() if c.name == "huaian-hongze-qu-2024")
    analysis = TextAnalysis.of(report)
    assert seen == []  # its one sentence with a needle and a unit has a space before it: "17 件"
    assert analysis.topical == ()
    assert len(analysis.sentences) > 1  # the thorough reading, when asked for
    seen.clear()
    report = next(c.read for c in _bench().real_cases() if c.name == "shuyang-fagaiju-2023")
    analysis = TextAnalysis.of(report)
    assert [s.text for s in analysis.topical] == [  # not "全年受理网络问政182件": 受理 …, but nothing 公开
        "2023年度我局共收到依申请信息公开26件,及时回复申请人,并将申请人所申请的信息通过电子邮箱发送给申请人",
    ]
    assert seen == [s.raw for s in analysis.topical]


def test_gongkai_no_fast_paths_selects_the_thorough_reading() -> None:
    """With ``GONGKAI_NO_FAST_PATHS=1`` the analysis normalises every sentence that may state a figure at once."""
    import os
    import subprocess

    code = (
        "import gongkai_model as gk; from gongkai_model.checks._analysis import TextAnalysis; "
        "a = TextAnalysis.of(gk.examples.seed_report()); "
        "print(a._sentences is not None and a.topical == a.sentences and len(a.sentences) > 0)"
    )
    for flag, expected in (("1", "True"), ("0", "False")):
        env = {**os.environ, "GONGKAI_NO_FAST_PATHS": flag}
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
        assert out.stdout.strip() == expected, out.stderr


# --- the quick reading's second implementations, each against what it stands for ------------------------


def test_digit_and_space_are_isdecimal_and_isspace() -> None:
    """``_year_spans`` reads ``\\d`` as ``str.isdecimal`` and ``\\s`` as ``str.isspace``: on every character."""
    digit, space = re.compile(r"\d"), re.compile(r"\s")
    for cp in range(sys.maxunicode + 1):
        char = chr(cp)
        assert bool(digit.match(char)) == char.isdecimal(), hex(cp)
        assert bool(space.match(char)) == char.isspace(), hex(cp)


YEARISH = "0123456789０１٣年 \u3000\t度件,，"


@settings(max_examples=500)
@given(st.text(alphabet=st.sampled_from(YEARISH), max_size=30))
def test_year_spans_are_where_the_year_pattern_matches(text: str) -> None:
    assert _analysis._year_spans(text) == [m.span() for m in _YEAR.finditer(text)]


_OLD_NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?")


@settings(max_examples=500)
@given(st.text(alphabet=st.sampled_from("0123456789٣,.，年 a一"), max_size=30))
def test_the_number_pattern_finds_what_it_found(text: str) -> None:
    assert _NUMBER.findall(text) == _OLD_NUMBER.findall(text)


def _old_clauses(text: str, year: int) -> tuple[str, ...]:
    if _AMBIGUOUS.search(text) or ("年" in text and any(int(y) != year for y in _YEAR.findall(text))):
        return ()
    return tuple(
        c
        for c in _CLAUSE_END.split(text)
        if re.search(r"\d", c) and len(_OLD_NUMBER.findall(_YEAR.sub("", c) if "年" in c else c)) == 1
    )


@settings(max_examples=500)
@given(st.text(alphabet=st.sampled_from(YEARISH + "，：:、,.同比"), max_size=40), st.sampled_from([2023, 2024]))
def test_the_quick_cut_gives_the_clauses(text: str, year: int) -> None:
    """The quick reading's clauses (``_cut``, then ``_holds_one_number`` of those with a digit) are ``clauses``."""
    quick = tuple(c for c in _analysis._cut(text, year) if re.search(r"\d", c) and _analysis._holds_one_number(c))
    assert quick == _old_clauses(text, year)


def _words_of(items: Any) -> Iterator[set[str]]:
    """Sets of words one of which every match of the parsed ``items`` holds: each run of literals, each group of
    alternative runs (items that may match nothing, repeats and lookarounds, are passed over)."""
    run = ""
    for op, av in items:
        name = str(op)
        if name == "LITERAL":
            run += chr(av)
            continue
        if run:
            yield {run}
            run = ""
        if name == "BRANCH":
            branches = av[1]
            if all(branches) and all(all(str(o) == "LITERAL" for o, _ in b) for b in branches):
                yield {"".join(chr(a) for _, a in b) for b in branches}
        if name == "SUBPATTERN":
            yield from _words_of(list(av[-1]))
    if run:
        yield {run}


def test_every_built_in_pattern_needs_a_word_of_its_needle() -> None:
    """The quick reading searches a clause only when it holds a word of the topic's needle (``_QUICK``)."""

    def needs(pattern: str, needle: tuple[str, ...]) -> bool:
        return any(all(any(w in word for w in needle) for word in ws) for ws in _words_of(_parsed(re.compile(pattern))))

    assert needs(r"(?:收到|受理)x(?P<n>\d+)件", ("收到", "受理"))  # the reading of a pattern, checked
    assert not needs(r"(?:收到|办理)x(?P<n>\d+)件", ("收到", "受理"))
    assert not needs(r"(?:收到)?申请(?P<n>\d+)件", ("收到",))
    assert len(_analysis._QUICK) == len(TOPICS)
    for topic, needle, context in _analysis._QUICK:
        assert needle == tuple(_literals(topic.needle))  # type: ignore[arg-type]
        assert context == (() if topic.context is None else tuple(_literals(topic.context)))
        for pattern in topic.patterns:
            assert any(
                all(any(w in word for w in needle) for word in words)  # type: ignore[union-attr]
                for words in _words_of(_parsed(pattern))
            ), (topic.code, pattern.pattern)


@settings(max_examples=300)
@given(st.text(alphabet=st.sampled_from(STRESS), max_size=20), st.sampled_from(WORDS), st.integers(0, 20))
def test_a_clause_without_a_word_of_the_needle_matches_no_pattern(text: str, word: str, at: int) -> None:
    clause = text[:at] + word + text[at:]
    for topic, needle, _ in _analysis._QUICK:
        if not any(w in clause for w in needle):  # type: ignore[union-attr]
            assert not any(p.search(clause) for p in topic.patterns), (topic.code, clause)


def test_a_forged_report_keeps_its_texts() -> None:
    """Regression: a report whose 总体情况 was forged away (None) lost every text of the analysis."""
    report = attrs.evolve(gk.examples.seed_report(), problems="本年度共收到政府信息公开申请5件。")
    object.__setattr__(report, "overview", None)
    for fast in (True, False):
        was = _analysis.FAST_PATHS  # type: ignore[attr-defined]
        _analysis.FAST_PATHS = fast  # type: ignore[attr-defined]
        try:
            analysis = TextAnalysis.of(report)
        finally:
            _analysis.FAST_PATHS = was  # type: ignore[attr-defined]
        assert analysis.texts == tuple(section_texts(report)) != ()
        assert [s.figure for s in analysis.stated(TOPICS[0])] == [5]


def test_the_structure_checks_read_a_forged_section_as_it_is() -> None:
    """A section that is not of its declared class: its parts are read again (the thorough way), quick or not."""
    report = attrs.evolve(gk.examples.seed_report(), problems="无")
    object.__setattr__(report, "problems", gk.examples.seed_report().overview)  # an Overview where text belongs
    ctx = CheckContext.of(report)
    assert _structure._prose_quickly(report, ctx.text.texts) is None
    assert _structure._prose(ctx) == _structure._prose_thoroughly(ctx)
    with _thorough():
        slow = [registered(codes=[c])[0].function(CheckContext.of(report)) for c in OLD if c.startswith("STRUCT")]
    quick = [registered(codes=[c])[0].function(CheckContext.of(report)) for c in OLD if c.startswith("STRUCT")]
    assert quick == slow


@settings(max_examples=300)
@given(
    st.text(alphabet=st.sampled_from("无暂没有其他事项字㐀鿿\u4dc0\ua000 。.a1１\u3000⽆"), max_size=40),
    st.integers(0, 14),
)
def test_the_written_out_ideograph_count_matches_as_the_repeated_group(text: str, count: int) -> None:
    ideograph = _IDEOGRAPH.pattern[1:-1]
    group = re.compile(f"(?:[^{ideograph}]*[{ideograph}]){{{count + 1}}}")
    got = _more_ideographs(count).match(text)
    want = group.match(text)
    assert (got is None) == (want is None)
    assert got is None or want is None or got.end() == want.end()
