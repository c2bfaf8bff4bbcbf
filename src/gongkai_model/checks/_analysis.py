"""What a report's own prose states: its sentences analysed once, and the statements of figures they hold.

A report's sections state figures in words ("共收到政府信息公开申请21件",
"行政复议案件134件").  Each *topic* below has a few patterns written from real
wordings; a sentence is used only when it is unambiguous (see
:func:`statements`), and a disagreement is a warning, never an inconsistency:
a sentence may count a narrower or wider scope than the table.  Every pattern
is documented with a real-style example in ``docs/checks.md``.
"""

from __future__ import annotations

import bisect
import functools
import operator
import re
import unicodedata
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

import attrs

from .._codegen import FAST_PATHS
from ..model.report import AnnualReport
from ..model.spec import Kind, Value, field_specs
from ..model.tables import ApplicantCounts, Applications, OutcomeCounts, ReviewAndLitigation

__all__ = ["FAST_PATHS", "TOPICS", "Sentence", "Statement", "TextAnalysis", "Topic", "section_texts", "statements"]


@attrs.frozen
class Topic:
    """What a kind of sentence states, how to find it, and which cells it is compared with.

    ``cells`` are model paths whose sum the sentence states; ``also`` is an
    alternative set of paths whose sum is accepted as agreeing too (for
    受理, which some reports count with the carried-over applications).
    ``context`` must occur in the sentence, ``exclude`` must not occur in the
    clause that holds the figure.  ``needle``, when given, is found in every
    sentence any of the ``patterns`` can match: a quick first test (the
    built-in topics' figures are all counted in 件, 起 or 宗).  ``whole`` are
    patterns tried on a whole sentence (not a clause) that holds one number
    only, when no clause gave a figure: a figure stated in one clause and
    qualified in a later one ("收到申请1件，……，结转下年度办理").
    """

    code: str
    what_zh: str
    what_en: str
    patterns: tuple[re.Pattern[str], ...]
    cells: tuple[str, ...]
    also: tuple[str, ...] = ()
    context: re.Pattern[str] | None = None
    exclude: re.Pattern[str] | None = None
    needle: re.Pattern[str] | None = None
    whole: tuple[re.Pattern[str], ...] = ()


@attrs.frozen
class Statement:
    """One figure a section states about one topic: the section, the sentence and the figure."""

    topic: Topic
    section: str
    sentence: str
    figure: int


def _path(section_class: type, *rest: str) -> str:
    name = next(i.name for i in field_specs(AnnualReport) if section_class in i.types)
    return ".".join((name, *rest))


def _total(row_class: type) -> str:
    return next(i.name for i in field_specs(row_class) if i.spec.total == "siblings")


_T3 = functools.partial(_path, Applications)
_T4 = functools.partial(_path, ReviewAndLitigation)
_T3_TOTAL = _total(ApplicantCounts)
_T4_TOTAL = _total(OutcomeCounts)
_NEW, _OVER = Applications.BALANCE[0]
_HANDLED, _FORWARD = Applications.BALANCE[1]
_REVIEW = next(i.name for i in field_specs(ReviewAndLitigation) if i.spec.banner is None)
_LITIGATION = tuple(i.name for i in field_specs(ReviewAndLitigation) if i.spec.banner is not None)
_REVIEW_LABEL = next(i.spec.label for i in field_specs(ReviewAndLitigation) if i.name == _REVIEW)
_LITIGATION_BANNER = next(str(i.spec.banner) for i in field_specs(ReviewAndLitigation) if i.spec.banner is not None)

# A figure: digits (after NFKC, so full-width digits too), with thousands separators. It starts where a
# number starts (not after a digit, nor inside a separated number) and is at most 15 digits long, so each
# run of digits is tried once: the patterns stay linear in the text (a 40,000-digit run once took 11 s).
_N = r"(?<!\d)(?<!\d,)(?P<n>\d{1,3}(?:,\d{3}){1,4}|\d{1,15})(?!\d)"
_GAP = r"[^\d]{0,16}?"
_OUTCOMES = re.compile(r"纠错|纠正|维持|驳回|败诉|胜诉|撤销|确认违法|审结|结果|撤诉|调解")
_APPLICATION = re.compile(r"申请")
_DISCLOSURE = re.compile(r"公开")

TOPICS: tuple[Topic, ...] = (
    Topic(
        "TEXT_TABLE_RECEIVED",
        "收到申请数",
        "applications received",
        (
            re.compile(rf"(?:收到|受理|新收|接收)[^\d]{{0,30}}?申请{_GAP}{_N}件"),
            re.compile(rf"申请{_GAP}(?:收到|受理|新收|接收){_GAP}{_N}件"),
        ),
        (_T3(_NEW, _T3_TOTAL),),
        also=(_T3(_NEW, _T3_TOTAL), _T3(_OVER, _T3_TOTAL)),
        context=_DISCLOSURE,
        exclude=re.compile(r"结转|办结|答复|予以公开"),
        needle=re.compile(r"收到|受理|新收|接收"),
    ),
    Topic(
        "TEXT_TABLE_CARRIED_OVER",
        "上年结转申请数",
        "applications carried over",
        (re.compile(rf"上一?年度?结转{_GAP}{_N}件"),),
        (_T3(_OVER, _T3_TOTAL),),
        needle=re.compile("结转"),
    ),
    Topic(
        "TEXT_TABLE_CARRIED_FORWARD",
        "结转下年度申请数",
        "applications carried forward",
        (
            re.compile(rf"结转(?:至|到|入)?下一?年度?{_GAP}{_N}件"),
            re.compile(rf"{_N}件[^\d]{{0,8}}?结转(?:至|到|入)?下一?年"),
        ),
        (_T3(_FORWARD, _T3_TOTAL),),
        needle=re.compile("结转"),
        # The only application received, carried forward in a later clause ("收到申请1件，……，结转下年度办理"),
        # or every one of them ("……均结转下年度"); never a part of them (部分, 其中, …).
        whole=tuple(
            re.compile(
                rf"^(?!.*(?:部分|其中|个别|少数|一些|有的|办结|答复)).*?(?:收到|受理|新收|接收)[^\d]{{0,30}}?申请"
                rf"[^\d]{{0,16}}?{figure}件[^\d]{{0,40}}?结转(?:至|到|入)?下一?年"
            )
            for figure in (r"(?<!\d)(?P<n>1)(?!\d)", rf"{_N}(?=件[^\d]{{0,40}}?(?:均|全部|都)[^\d]{{0,4}}?结转)")
        ),
    ),
    Topic(
        "TEXT_TABLE_HANDLED",
        "办结申请数",
        "applications handled",
        (
            re.compile(rf"(?:办结|办理完毕|答复完毕|作出答复|予以答复|已答复){_GAP}{_N}件"),
            re.compile(rf"{_N}件[^\d]{{0,4}}?(?:已|均已|全部)?(?:办结|办理完毕|答复完毕)"),
        ),
        (_T3(_HANDLED, _T3_TOTAL),),
        context=_APPLICATION,
        exclude=re.compile(r"结转|按时|超期|逾期|收到|受理|新收"),
        needle=re.compile(r"办结|办理完毕|答复完毕|作出答复|予以答复|已答复"),
    ),
    Topic(
        "TEXT_TABLE_GRANTED",
        "予以公开数",
        "applications granted in full",
        (re.compile(rf"(?<![不分])予以公开{_GAP}{_N}件"),),
        (_T3("results", "granted", _T3_TOTAL),),
        context=_APPLICATION,
        exclude=re.compile(r"部分|不予"),
        needle=re.compile("予以公开"),
    ),
    Topic(
        "TEXT_TABLE_RECONSIDERATION",
        "行政复议数",
        "administrative reconsiderations",
        (re.compile(rf"行政复议{_GAP}{_N}(?:件|起|宗)"),),
        (_T4(_REVIEW, _T4_TOTAL),),
        exclude=re.compile(rf"诉讼|起诉|{_OUTCOMES.pattern}"),
        needle=re.compile(re.escape(_REVIEW_LABEL)),  # the prose names it by its row's label
    ),
    Topic(
        "TEXT_TABLE_LITIGATION",
        "行政诉讼数",
        "administrative lawsuits",
        (re.compile(rf"行政诉讼{_GAP}{_N}(?:件|起|宗)"),),
        tuple(_T4(name, _T4_TOTAL) for name in _LITIGATION),
        exclude=re.compile(rf"复议|{_OUTCOMES.pattern}"),
        needle=re.compile(re.escape(_LITIGATION_BANNER)),  # and the lawsuits by their banner
    ),
)

# Sentences end at 。！？；, their half-width forms, or a line break.
_SENTENCE = re.compile(r"[^。！？!?；;\n]+")
# Clauses: a sentence cut at commas (not a thousands separator), colons, and an enumeration comma
# that follows a count and precedes a word ("行政复议3件、行政诉讼2件"); brackets stay in their clause.
# (Written to start with one character class, which the regex engine scans for quickly; the same cuts as
# ``[，：:]|,(?!\d{3}(?!\d))|(?<=[件起宗])、(?=\D)``, which tests/test_text_analysis.py compares it with.)
_CLAUSE_END = re.compile(r"[，：:,、](?:(?<=[，：:])|(?<=,)(?!\d{3}(?!\d))|(?<=[件起宗]、)(?=\D))")
# A sentence that compares or sums over time, or speaks of another year, is ambiguous.
_AMBIGUOUS = re.compile(
    r"同比|环比|增长|下降|减少|增加|上升|持平|较上年|比上年|去年|上一年度|上年度(?!结转)|累计|历年|平均"
)
_YEAR = re.compile(r"(\d{4})\s*年")
# A number: a thousands-separated one, or digits with decimals. (Written to start with ``\d``, which the regex
# engine scans for quickly; the same matches as ``\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?``, which
# tests/test_text_analysis.py compares it with.)
_NUMBER = re.compile(r"\d(?:\d{0,2}(?:,\d{3})+|\d*(?:\.\d+)?)")


@functools.cache
def _text_fields() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(section path, (attribute, …)) of every free-text part, in report order."""
    out: list[tuple[str, tuple[str, ...]]] = []
    for info in field_specs(AnnualReport):
        if info.spec.kind is not Kind.SECTION:
            continue
        if info.spec.value is Value.TEXT:
            out.append((info.name, (info.name,)))
        for cls in info.types:
            for sub in field_specs(cls):
                if sub.spec.kind is Kind.TEXT and sub.spec.value is Value.TEXT:
                    out.append((f"{info.name}.{sub.name}", (info.name, sub.name)))
    return tuple(out)


@functools.cache
def _text_getter() -> Any:
    """The free-text parts of a report (those :func:`section_texts` reads), in one ``attrgetter``."""
    return operator.attrgetter(*(".".join(names) for _, names in _text_fields()))


#: The section path of each free-text part, in report order (what :func:`_text_getter` gives, in that order).
_PATHS = tuple(path for path, _ in _text_fields())


def section_texts(report: AnnualReport) -> Iterator[tuple[str, str]]:
    """(section path, text) of every free-text part of ``report`` that holds text.

    >>> import gongkai_model as gk
    >>> [p for p, _ in section_texts(gk.examples.seed_report())]
    ['overview.text', 'overview.proactive', 'overview.on_request', 'problems', 'other_matters.text']
    """
    for path, names in _text_fields():
        value: Any = report
        for name in names:
            value = getattr(value, name, None)
        if isinstance(value, str) and value.strip():
            yield path, value


def _clean(sentence: str) -> str:
    return " ".join(sentence.split())


# Characters that can hold no figure: no character of their NFKD form is a digit (``\d``), so neither is any
# of a text's NFKC form made of them alone (no digit is a composition). ASCII but the digits, Latin-1 but ¹²³¼½¾,
# punctuation, symbols, CJK punctuation, kana, the CJK ideographs, the full-width forms but the digits.
# tests/test_text_analysis.py checks every character of these ranges against ``unicodedata``.
PLAIN = (
    "\x00-/:-\xb1\xb4-\xb8\xba\xbb\xbf-\u02ff\u2000-\u206f\u20a0-\u214f\u2190-\u245f\u2500-\u2bff"
    "\u3000-\u3250\u3400-\u9fff\uf900-\ufaff\ufe10-\ufe1f\ufe30-\ufe6f\uff00-\uff0f\uff1a-\uffef"
)
_ENDS = "。！？!?；;\n"
# A character outside PLAIN (end marks are all inside it).
_NOT_PLAIN = re.compile(f"[^{PLAIN}]")
_DIGIT = re.compile(r"\d")


def _other_year(sentence: str, year: object) -> bool:
    """Whether ``sentence`` names a year other than ``year`` (``2022年``)."""
    return any(int(y) != year for y in _YEAR.findall(sentence))


def _year_spans(text: str) -> list[tuple[int, int]]:
    """Where ``_YEAR`` matches in ``text`` (the spans of ``finditer``), found from each 年 backwards: four digits,
    white space, 年 (``\\d`` is ``str.isdecimal`` and ``\\s`` is ``str.isspace``: tests/test_text_analysis.py
    checks every character). (A pattern that starts with a digit is tried at every place of a Chinese text.)"""
    spans = []
    find = text.find
    at = find("年")
    while at >= 0:
        end = at
        while end and text[end - 1].isspace():
            end -= 1
        if end >= 4 and text[end - 4 : end].isdecimal():
            spans.append((end - 4, at + 1))
        at = find("年", at + 1)
    return spans


def _cut(text: str, year: object) -> tuple[str, ...]:
    """Every clause of a sentence's ``text`` (``_CLAUSE_END`` cuts), or none when it compares or sums over time or
    names another year than ``year`` (as :meth:`TextAnalysis.clauses` reads it)."""
    if _AMBIGUOUS.search(text):
        return ()
    for start, _ in _year_spans(text):
        if int(text[start : start + 4]) != year:
            return ()
    return tuple(_CLAUSE_END.split(text))


def _holds_one_number(clause: str) -> bool:
    """Whether ``clause`` (which holds a digit) holds exactly one number, years aside (as
    :meth:`TextAnalysis.clauses` reads it: ``_YEAR.sub("", clause)``, made of :func:`_year_spans`)."""
    if "年" in clause and (spans := _year_spans(clause)):
        pieces = []
        at = 0
        for start, end in spans:
            pieces.append(clause[at:start])
            at = end
        pieces.append(clause[at:])
        clause = "".join(pieces)
    return len(_NUMBER.findall(clause)) == 1


def _may_state(text: str) -> Iterator[str]:
    """The sentences of ``text`` (as _SENTENCE cuts them) holding a character outside PLAIN, in order.

    These are the only sentences whose NFKC form can hold a figure. Linear: the end marks are found
    by ``str.find`` (in C, far quicker than a character class), then the text is scanned once for
    characters outside PLAIN, skipping the rest of each sentence found.
    """
    ends = []
    for mark in _ENDS:
        at = text.find(mark)
        while at >= 0:
            ends.append(at)
            at = text.find(mark, at + 1)
    ends.sort()
    ends.append(len(text))
    pos = 0
    search = _NOT_PLAIN.search
    while (hit := search(text, pos)) is not None:
        k = bisect.bisect_right(ends, hit.start())  # the first end mark after it (it is no end mark)
        pos = ends[k]
        yield text[ends[k - 1] + 1 if k else 0 : pos]


# The full-width forms and the ideographic and no-break spaces, each with its NFKD form (one character).
# Putting those forms in leaves a text's NFKD, hence its NFKC, as it was; when what comes out is in NFKC
# already (a quick check), it is the text's NFKC. Chinese prose is mostly such forms and ideographs, and
# unicodedata's full NFKC costs several times the quick check.
_WIDE = re.compile("[\u00a0\u3000\uff01-\uff5e]")
_NARROW = {c: unicodedata.normalize("NFKD", c) for c in map(chr, (0xA0, 0x3000, *range(0xFF01, 0xFF5F)))}


def nfkc(text: str) -> str:
    """``unicodedata.normalize("NFKC", text)``, faster on Chinese prose."""
    narrow = text
    for wide in set(_WIDE.findall(text)):  # each form replaced at once (never by another of them)
        narrow = narrow.replace(wide, _NARROW[wide])
    return narrow if unicodedata.is_normalized("NFKC", narrow) else unicodedata.normalize("NFKC", text)


@attrs.frozen
class Sentence:
    """A sentence of the report that may state a figure (it holds a character outside PLAIN), NFKC-normalised.

    Of equal sentences (after normalising) only the first is kept.
    """

    section: str  #: the free-text part it was printed in
    raw: str  #: as printed
    text: str  #: NFKC, white space collapsed
    _clauses: tuple[str, ...] | None = attrs.field(default=None, init=False, eq=False, repr=False)
    _cut: tuple[str, ...] | None = attrs.field(default=None, init=False, eq=False, repr=False)
    #: The built-in topics that read it (entries of _QUICK), when the quick reading knows them, else ``None``.
    _read: tuple[Any, ...] | None = attrs.field(default=None, init=False, eq=False, repr=False)


_set_section, _set_raw, _set_text, _set_clauses, _set_cut, _set_read = (
    vars(Sentence)[name].__set__ for name in ("section", "raw", "text", "_clauses", "_cut", "_read")
)


def _sentence(section: str, raw: str, text: str) -> Sentence:
    """``Sentence(section, raw, text)``, made without ``__init__`` (three strings: nothing to convert)."""
    made: Sentence = object.__new__(Sentence)
    _set_section(made, section)
    _set_raw(made, raw)
    _set_text(made, text)
    _set_clauses(made, None)
    _set_cut(made, None)
    _set_read(made, None)
    return made


# What a statement of a built-in topic holds besides its topic's ``needle``: a unit, 件, 起 or 宗 (every pattern of
# TOPICS, ``whole`` ones too, counts its figure in them; tests/test_text_analysis.py reads the patterns to check).
_UNITS = "件起宗"
# Every built-in topic's needle in one pattern (an alternation of literal words).
_NEEDLES = re.compile("|".join(t.needle.pattern for t in TOPICS if t.needle is not None))
# The characters whose NFKC holds a character of a unit, of a needle or of a context without being it (⾏ → 行,
# ㊪ → 宗, 🈸 → 申, …), and of those the ones that make a unit. tests/test_text_analysis.py finds them with unicodedata.
_MAKERS = "\u2f8f\u32aa\uf9e4\ufa08\U0001f21f\U0001f238\U0002f9d7"
_UNIT_MAKERS = "\u32aa\U0002f9d7"
_UNITS_AND_MAKERS = _UNITS + _UNIT_MAKERS
_MAKER_LIST = tuple(_MAKERS)
# The characters whose NFKD ends in a digit but that are not numeric (``str.isnumeric``): ㍸ (dm2), ㎡ (m2), ….
# tests/test_text_analysis.py finds them with unicodedata.
_NUMERIC = "\u3378\u3379\u339f\u33a0\u33a1\u33a2\u33a3\u33a4\u33a5\u33a6\u33a8\u33af"
# A figure counted in a unit: every pattern of TOPICS (``whole`` ones too) matches its figure (digits) right before
# a unit (tests/test_text_analysis.py reads the patterns to check), so a sentence without one states no figure of them.
_COUNTED = re.compile(r"\d[件起宗]")
# The rest of a sentence from a character in it: up to its end mark or the end of the text.
_REST = re.compile(f"[^{_ENDS}]*")
# A text up to its last end mark (matched from a place to another: the last end mark between them).
_LAST_END = re.compile(f"(?s:.*)[{_ENDS}]")
#: The built-in topics (by identity): those the sentences of :meth:`TextAnalysis.of`'s quick reading serve.
_BUILTIN = frozenset(map(id, TOPICS))
_STATED = object()  # the key of the built-in topics' statements in TextAnalysis.memo
# Each built-in topic with the searches of its needle and context.
_SEARCHES = tuple(
    (t, t.needle.search, None if t.context is None else t.context.search) for t in TOPICS if t.needle is not None
)


def _words(pattern: re.Pattern[str]) -> tuple[str, ...] | None:
    """The words of ``pattern`` when it is an alternation of plain words (``收到|受理``), else ``None``: it then
    finds a match in a text exactly when one of them is ``in`` it."""
    words = tuple(pattern.pattern.split("|"))
    plain = pattern.flags == re.UNICODE and all(w and re.escape(w) == w for w in words)
    return words if plain else None


# The quick way's tests of the built-in topics: each topic with the words of its needle and of its context
# (``()``: none), tested with ``in`` (in C) instead of a search; ``None`` when one is not made of plain words.
# Each pattern of a topic matches only text holding a word of its needle (tests/test_text_analysis.py reads
# the patterns to check), so a clause without one is not searched.
_QUICK = tuple(
    (t, _words(t.needle), () if t.context is None else _words(t.context)) for t in TOPICS if t.needle is not None
)
if any(needle is None or context is None for _, needle, context in _QUICK):  # pragma: no cover - a topic changed
    _QUICK = ()


def _topical(texts: tuple[tuple[str, str], ...]) -> Iterator[tuple[str, str]]:
    """(section path, sentence) of the sentences :func:`_topical_read` gives."""
    for section, raw, _, _ in _topical_read(texts):
        yield section, raw


def _topical_read(texts: tuple[tuple[str, str], ...]) -> list[tuple[str, str, tuple[Any, ...] | None, bool]]:
    """(section path, sentence, the topics that read it) of the sentences of ``texts`` that may state a figure of a
    built-in topic, in order (the topics: entries of :data:`_QUICK`, or ``None`` when the sentence holds a maker).

    The sentences are those _SENTENCE cuts; of them, a superset of those whose NFKC (white space collapsed)
    holds a topic's needle and a figure counted in a unit (``_COUNTED``: a digit right before 件, 起 or
    宗). The units and the characters that make one (``_UNIT_MAKERS``) are found by ``str.find`` (in C) over
    the texts joined by line breaks (which end sentences); a unit counts a figure only after a character whose
    NFKD ends in a digit (``_NUMERIC``: it is numeric, or one of the squared units ㎡ …), since NFKC makes no
    character of the units' or the needles' of any other character than themselves and their makers, keeps
    them as they are (ideographs: no composition takes one in), deletes no character and composes none into
    a digit. Of the sentences holding such a unit, those a built-in topic reads (its needle, and its context if it
    has one: :func:`_read`), or holding a maker, are kept. The sentences whose characters are all PLAIN (no figure)
    are left out as in :func:`_may_state`.
    """
    text = "\n".join([t for _, t in texts]) if len(texts) > 1 else texts[0][1]
    hits: list[int] = []
    find = text.find
    for unit in _UNITS_AND_MAKERS:
        at = find(unit)
        while at >= 0:
            if at and ((before := text[at - 1]).isnumeric() or before in _NUMERIC):
                hits.append(at)
            at = find(unit, at + 1)
    if not hits:
        return []
    found = []
    if len(hits) > 1:
        hits.sort()
    stop = -1  # where the sentence last looked at ends (its end mark, or the end of the text)
    rest = _REST.match
    last_end = _LAST_END.match
    needles = _NEEDLES.search
    plain = _NOT_PLAIN.search
    for at in hits:
        if at < stop:
            continue  # in the sentence just looked at
        # The sentence's start: right after the last end mark before the unit, or where the sentence before ends
        # (one match: ``.*`` takes the text up to the unit at once, then gives back a character at a time until an
        # end mark: linear in the part of the sentence before the unit, and no copy of it).
        low = stop + 1
        last = last_end(text, low, at)
        start = low if last is None else last.end()
        stop = rest(text, at).end()  # type: ignore[union-attr]
        raw = text[start:stop]
        digit = "0" <= text[at - 1] <= "9"  # an ASCII digit before the unit: outside PLAIN, and counted
        if not digit and plain(raw) is None:
            continue
        for maker in _MAKER_LIST:  # (``in``, in C: quicker than a search on Chinese text)
            if maker in raw:
                read = None
                break
        else:
            read = _reading(raw) if _QUICK else _read(raw, needles)  # (what _read gives: no call between)
            if read is not None and not read:
                continue  # no built-in topic reads it
        k, into = 0, start  # (the part the sentence starts in: the texts are joined by line breaks)
        while into > len(texts[k][1]):
            into -= len(texts[k][1]) + 1
            k += 1
        found.append((texts[k][0], raw, read, digit))
    return found


def _read(raw: str, needles: Any) -> tuple[Any, ...] | None:
    """The built-in topics (entries of :data:`_QUICK`) that read the sentence ``raw`` (holding no maker): it holds
    the topic's needle, and its context if it has one; ``None`` when they cannot be told here. (NFKC keeps their
    characters, ideographs, as they are and makes none of them of any other character but a maker; it deletes no
    character and composes none with an ideograph: a word of them is in the sentence's NFKC exactly when it is
    in the sentence, so the topics that read the sentence's NFKC are these.)"""
    if not _QUICK:  # pragma: no cover - a topic whose needle or context is not made of plain words
        return None if needles(raw) is not None else ()
    return _reading(raw)


def _reading(text: str) -> tuple[Any, ...]:
    """The entries of :data:`_QUICK` whose topic reads ``text``: it holds a word of the topic's needle, and of its
    context if it has one (tested with ``in``)."""
    read = []
    for entry in _QUICK:
        _, needle, context = entry
        for word in needle:  # type: ignore[union-attr]  # (never None in _QUICK)
            if word in text:
                break
        else:
            continue
        if context:
            for word in context:
                if word in text:
                    break
            else:
                continue
        read.append(entry)
    return tuple(read)


def _analyse(pieces: Iterable[tuple[str, str]], keep: Any = None) -> tuple[Sentence, ...]:
    """The sentences of (section path, sentence) ``pieces``, each normalised once; the first of equal ones kept,
    and of those only the ones ``keep`` (given) finds something in."""
    return tuple(
        _sentence(section, raw, sentence)
        for (section, raw), sentence in _unique(pieces)
        if keep is None or keep(sentence) is not None
    )


_P = TypeVar("_P", bound=tuple[Any, ...])


def _unique(pieces: Iterable[_P]) -> Iterator[tuple[_P, str]]:
    """Each piece (its sentence as printed second) with its sentence normalised and cleaned, once per sentence:
    a sentence printed again (a sub-text repeats its parent) is used once and normalised once, and of those
    equal once normalised the first is kept."""
    raws: set[str] = set()
    seen: set[str] = set()
    for piece in pieces:
        raw = piece[1]
        if raw in raws:
            continue
        raws.add(raw)
        sentence = _clean(nfkc(raw))
        if sentence and sentence not in seen:
            seen.add(sentence)
            yield piece, sentence


def _analyse_quickly(pieces: Iterable[tuple[str, str, tuple[Any, ...] | None, bool]]) -> tuple[Sentence, ...]:
    """``_analyse`` of :func:`_topical_read`'s sentences, keeping those that hold a figure counted in a unit
    (``_COUNTED``), each with the topics that read it. (A sentence holding an ASCII digit right before 件, 起 or 宗
    holds one: NFKC keeps both as they are and composes neither with anything, and white space collapsed
    stays out of them; the others are searched.)"""
    found: list[Sentence] = []
    counted = _COUNTED.search
    raws: set[str] = set()
    seen: set[str] = set()
    for section, raw, read, digit in pieces:  # (what _unique gives, written out: no generator between)
        if raw in raws:
            continue
        raws.add(raw)
        sentence = _clean(nfkc(raw))
        if not sentence or sentence in seen:
            continue
        seen.add(sentence)
        if digit or counted(sentence) is not None:
            made = _sentence(section, raw, sentence)
            _set_read(made, read)
            found.append(made)
    return tuple(found)


def _every(texts: tuple[tuple[str, str], ...]) -> Iterator[tuple[str, str]]:
    """(section path, sentence) of every sentence of ``texts`` that may state a figure (:func:`_may_state`)."""
    for section, text in texts:
        for raw in _may_state(text):
            yield section, raw


@attrs.frozen
class TextAnalysis:
    """The free text of one report analysed once, for every check that reads it (``CheckContext.text``).

    ``texts`` are (section path, text) of every free-text part that holds text (:func:`section_texts`);
    ``sentences`` the sentences that may state a figure, each normalised once (NFKC, white space
    collapsed), the first of equal sentences kept (a sub-text may repeat its parent's sentence). A
    sentence holding no digit in any form is never normalised. What a topic needs beyond that (is the
    sentence ambiguous, which of its clauses hold one number) is worked out once per sentence, the first
    time a topic's ``needle`` and ``context`` let the sentence through (:meth:`clauses`).

    The quick reading (the default; ``GONGKAI_NO_FAST_PATHS`` turns it off) normalises only the sentences
    that may state a figure of a built-in topic (:func:`_topical`: they hold 件, 起 or 宗 and a topic's
    needle), and keeps those of them that hold a figure counted in a unit (a digit right before 件, 起 or
    宗), which is all the built-in topics read (``topical``); ``sentences`` are then worked out the first
    time they are read, as the thorough reading works them out at once. Both give every topic the same
    statements (tests/test_text_analysis.py).
    """

    texts: tuple[tuple[str, str], ...]
    #: The sentences the built-in topics read: all of ``sentences`` (thorough), or those _topical gives.
    topical: tuple[Sentence, ...]
    year: object = None  #: the report's year: a sentence naming another is ambiguous
    _sentences: tuple[Sentence, ...] | None = attrs.field(default=None, eq=False, repr=False)
    #: What the checks work out from the text once per analysis (each under its own key), shared between them.
    memo: dict[Any, Any] = attrs.field(factory=dict, init=False, eq=False, repr=False)

    @classmethod
    def of(cls, report: AnnualReport) -> TextAnalysis:
        """The analysis of ``report``'s free text (linear in the text)."""
        try:  # the text parts in one attrgetter (in C)
            parts = _text_getter()(report)
        except Exception:  # a forged report (a section that is not one): section_texts says what it holds
            parts = None
        if type(parts) is tuple:
            if parts.count(None) == len(parts):  # the common case of a report built from its tables
                return cls((), (), report.year, ())
            texts = tuple(
                [
                    (path, v)
                    for path, v in zip(_PATHS, parts, strict=True)
                    if v is not None and isinstance(v, str) and v.strip()
                ]
            )
        else:
            texts = tuple(section_texts(report))
        if not texts:
            return cls((), (), report.year, ())
        if FAST_PATHS and cls is TextAnalysis:
            return _analysis(texts, _analyse_quickly(_topical_read(texts)), report.year)
        every = _analyse(_every(texts))
        return cls(texts, every, report.year, every)

    @property
    def sentences(self) -> tuple[Sentence, ...]:
        """The sentences that may state a figure (they hold a character outside PLAIN), normalised, in order."""
        got = self._sentences
        if got is None:
            got = _analyse(_every(self.texts))
            object.__setattr__(self, "_sentences", got)
        return got

    def clauses(self, sentence: Sentence) -> tuple[str, ...]:
        """The clauses of ``sentence`` that hold exactly one number (years aside), in order: the only ones
        a figure is taken from; none when the sentence compares or sums over time or names another year
        than the report's. Worked out once per sentence."""
        got = sentence._clauses
        if got is None:
            text = sentence.text
            if _AMBIGUOUS.search(text) or ("年" in text and _other_year(text, self.year)):
                got = ()
            else:
                got = tuple(
                    c
                    for c in _CLAUSE_END.split(text)
                    if _DIGIT.search(c) and len(_NUMBER.findall(_YEAR.sub("", c) if "年" in c else c)) == 1
                )
            object.__setattr__(sentence, "_clauses", got)
        return got

    def stated(self, topic: Topic) -> tuple[Statement, ...]:
        """``tuple(self.statements(topic))``, worked out once per analysis for the built-in topics (all at once,
        in one pass over the sentences that may state a figure of them)."""
        if id(topic) not in _BUILTIN:
            return tuple(self.statements(topic))
        return self.stated_by_topic().get(id(topic), ())

    def stated_by_topic(self) -> dict[int, tuple[Statement, ...]]:
        """:meth:`stated` of each built-in topic that has statements, by the topic's ``id`` (worked out once)."""
        got: dict[int, tuple[Statement, ...]] | None = self.memo.get(_STATED)
        if got is None:
            got = self.memo[_STATED] = self._stated() if self.topical else {}
        return got

    def _stated(self) -> dict[int, tuple[Statement, ...]]:
        if FAST_PATHS and _QUICK:
            return self._stated_quickly()
        found: dict[int, list[Statement]] = {}
        for sentence in self.topical:
            text = sentence.text
            quote = None
            for topic, needle, context in _SEARCHES:
                if needle(text) is None or (context is not None and context(text) is None):
                    continue
                figure = self._figure(topic, sentence)
                if figure is not None:
                    if quote is None:
                        quote = _clean(sentence.raw)
                    found.setdefault(id(topic), []).append(Statement(topic, sentence.section, quote, figure))
        return {k: tuple(v) for k, v in found.items()}

    def _stated_quickly(self) -> dict[int, tuple[Statement, ...]]:
        """:meth:`_stated`, each needle and context tested with ``in`` over its words (:data:`_QUICK`), and each
        topic's figure found as :meth:`_figure` finds it, in the order that costs least (in one loop, no call per
        topic and clause): a clause that holds no word of the topic's needle is not searched, and whether it holds
        one number only is worked out only when a pattern matches in it (both must hold, and the first pattern that
        matches decides); two different figures decide nothing, none the topic's ``whole`` patterns (:meth:`_decided`).
        """
        found: dict[int, tuple[Statement, ...]] = {}
        year = self.year
        for sentence in self.topical:
            read = sentence._read
            if read is None:  # (the topics not known yet: a sentence holding a maker)
                read = _reading(sentence.text)
            cut = sentence._cut
            if cut is None:
                cut = _cut(sentence.text, year)
                _set_cut(sentence, cut)
            quote = None
            for topic, needle, _ in read:
                exclude, patterns = topic.exclude, topic.patterns
                figure = None
                several = False
                for clause in cut:
                    for word in needle:
                        if word in clause:
                            break
                    else:
                        continue  # no pattern of the topic can match in it
                    for pattern in patterns:
                        m = pattern.search(clause)
                        if m is not None:
                            break
                    else:
                        continue
                    if _holds_one_number(clause) and (exclude is None or not exclude.search(clause)):
                        n = int(m.group("n").replace(",", ""))
                        if figure is None:
                            figure = n
                        elif n != figure:
                            several = True
                if several:
                    continue
                if figure is None:
                    if not topic.whole:
                        continue
                    figure = self._decided(topic, sentence, set())
                    if figure is None:
                        continue
                if quote is None:
                    quote = _clean(sentence.raw)
                key = id(topic)  # (the statements kept as tuples: no copy of the dict at the end)
                got = found.get(key)
                made = _statement(topic, sentence.section, quote, figure)
                found[key] = (made,) if got is None else (*got, made)
        return found

    def statements(self, topic: Topic) -> Iterator[Statement]:
        """The figures the text states about ``topic``, one per sentence that states a single figure.

        A clause gives the figure of the first of the topic's patterns found in it, unless it holds a
        word of the topic's ``exclude`` list.
        """
        needle, context = topic.needle, topic.context
        for sentence in self.topical if id(topic) in _BUILTIN else self.sentences:
            if needle is not None and not needle.search(sentence.text):
                continue
            if context is not None and not context.search(sentence.text):
                continue
            figure = self._figure(topic, sentence)
            if figure is not None:
                yield Statement(topic, sentence.section, _clean(sentence.raw), figure)

    def _figure(self, topic: Topic, sentence: Sentence) -> int | None:
        """The one figure ``sentence`` states about ``topic`` (its needle and context found in it), if one."""
        exclude, patterns = topic.exclude, topic.patterns
        figures = set()
        for clause in self.clauses(sentence):
            for pattern in patterns:
                m = pattern.search(clause)
                if m is not None:
                    if exclude is None or not exclude.search(clause):
                        figures.add(int(m.group("n").replace(",", "")))
                    break
        return self._decided(topic, sentence, figures)

    def _decided(self, topic: Topic, sentence: Sentence, figures: set[int]) -> int | None:
        """The one figure of ``figures`` (what the sentence's clauses state about ``topic``); when they state none,
        the first of the topic's ``whole`` patterns found in the sentence, if it is unambiguous and holds one number."""
        if not figures and topic.whole and self._one_number(sentence):
            for pattern in topic.whole:
                m = pattern.search(sentence.text)
                if m is not None:
                    figures.add(int(m.group("n").replace(",", "")))
                    break
        return figures.pop() if len(figures) == 1 else None

    def _one_number(self, sentence: Sentence) -> bool:
        """Whether ``sentence`` is unambiguous (:meth:`clauses`) and holds one number only (years aside)."""
        if not self.clauses(sentence):
            return False
        text = sentence.text
        return len(_NUMBER.findall(_YEAR.sub("", text) if "年" in text else text)) == 1


_set_texts, _set_topical, _set_year, _set_sentences, _set_memo = (
    vars(TextAnalysis)[name].__set__ for name in ("texts", "topical", "year", "_sentences", "memo")
)


def _analysis(texts: tuple[tuple[str, str], ...], topical: tuple[Sentence, ...], year: object) -> TextAnalysis:
    """``TextAnalysis(texts, topical, year)``, made without ``__init__`` (nothing to convert)."""
    made: TextAnalysis = object.__new__(TextAnalysis)
    _set_texts(made, texts)
    _set_topical(made, topical)
    _set_year(made, year)
    _set_sentences(made, None)
    _set_memo(made, {})
    return made


_set_topic, _set_statement_section, _set_sentence, _set_figure = (
    vars(Statement)[name].__set__ for name in ("topic", "section", "sentence", "figure")
)


def _statement(topic: Topic, section: str, sentence: str, figure: int) -> Statement:
    """``Statement(topic, section, sentence, figure)``, made without ``__init__`` (nothing to convert)."""
    made: Statement = object.__new__(Statement)
    _set_topic(made, topic)
    _set_statement_section(made, section)
    _set_sentence(made, sentence)
    _set_figure(made, figure)
    return made


def statements(report: AnnualReport, topic: Topic) -> Iterator[Statement]:
    """The figures the report's sections state about ``topic``, one per unambiguous sentence.

    A sentence is skipped when it compares or sums over time (同比, 增长,
    下降, 累计, …), names a year other than the report's, states the topic
    with two different figures, or when the clause holding the figure has
    another number or a word of the topic's ``exclude`` list.  A sentence
    repeated in a sub-text (``overview.on_request`` repeats part of
    ``overview.text``) is used once.  (The checks share one
    :class:`TextAnalysis` per report: ``CheckContext.text``.)
    """
    return TextAnalysis.of(report).statements(topic)
