"""The one parser from printed text to model values, used by every reader.

>>> from gongkai_model.model import Value
>>> parse_value("１，２３４", Value.COUNT).value
1234
>>> p = parse_value("22（其中修订16件）", Value.COUNT)
>>> p.value, p.note
(22, '（其中修订16件）')
>>> p = parse_value("／", Value.COUNT)
>>> p.value, p.mark
(None, '／')
>>> parse_value("12\\n34", Value.COUNT).problem  # two figures on two lines: never 1234
"not a figure: '12\\\\n34' (left blank)"
>>> p = parse_value("26⑴", Value.COUNT)  # a footnote mark: never read as 26(1) or 261
>>> p.value, p.note, p.warning
(26, '⑴', 'a footnote mark printed after the figure is kept beside it: ⑴')
>>> parse_value("2①6", Value.COUNT).problem
"not a figure: '2①6' (left blank)"
"""

from __future__ import annotations

import functools
import re
import unicodedata
from decimal import Decimal, InvalidOperation

import attrs

from ..model.spec import Value
from ..model.values import Amount, MoneyUnit

__all__ = ["BLANK_MARKS", "ParsedValue", "parse_value"]

#: Marks that publishers print in a cell to mean "nothing to report": read as blank (``None``), kept as printed.
BLANK_MARKS = frozenset({"/", "\\", "-", "--", "—", "——", "–", "－", "―", "无", "空", "×", "x", "X", "N/A", "n/a"})

_SPACE = re.compile(r"[\s\u200b\u200c\u200d\u2060\ufeff]+")
_INTEGER = re.compile(r"^([+-]?)(\d{1,3}(?:,\d{3})+|\d+)$")
_DECIMAL = re.compile(r"^([+-]?)(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?$")
_COUNT_UNIT = re.compile(r"(件|个|项|次|宗|起|人次)$")
_NOTE = re.compile(r"^(?P<head>[^（(]*?)(?P<note>[（(].*[）)])$")
_MONEY_UNIT = re.compile(r"(万元|元)$")
_FIGURES = frozenset({Value.COUNT, Value.SIGNED, Value.MONEY, Value.AMOUNT})
_MAX_DIGITS = 40  # no figure of a report is longer; longer digit runs are refused, not converted

#: Characters that print a numeral or letter as a mark (category ``No`` and the enclosed forms:
#: ``① ⑴ ⒈ ⒜ ❶ ㈠ ¹ ₁``): NFKC turns many of them into plain digits, so they are never read as digits.
_NUMERAL_MARK = re.compile(
    r"[\u00b2\u00b3\u00b9\u00bc-\u00be\u2070-\u209f\u2150-\u218f\u2460-\u24ff\u2776-\u2793\u3192-\u3195\u3220-\u325f\u3280-\u32bf]"
)
#: Footnote marks after a figure: a run of such numerals, bracketed marks in small or vertical
#: presentation forms (``﹙1﹚``, ``︵1︶``), or note signs (``*`` ``※`` ``†`` ``‡``); trailing spaces allowed.
#: Matched on the *reversed* text from its start, so the search is linear (a search for the pattern
#: anchored at the end tried every start in a run of marks: quadratic, found by fuzzing a PDF).
_FOOTNOTE_REVERSED = re.compile(
    r"\s*(?:[\u00b2\u00b3\u00b9\u2070-\u209f\u2460-\u24ff\u2776-\u2793\u3220-\u325f\u3280-\u32bf*＊※†‡]"
    r"|[﹚︶][0-9A-Za-z０-９一二三四五六七八九十]{1,3}[﹙︵])+"
)


def _footnote_start(raw: str) -> int | None:
    """Where the footnote marks at the end of ``raw`` start, or ``None`` when it ends with none."""
    m = _FOOTNOTE_REVERSED.match(raw[::-1])
    return None if m is None else len(raw) - m.end()


@attrs.frozen
class ParsedValue:
    """What a printed cell says.

    ``value`` is the model value (``None`` for a blank or a refused cell); ``text`` the text as
    printed; ``mark`` the blank-like mark printed (``/``, ``-``, ``无`` …) when the cell held one;
    ``note`` a remark printed beside the figure (``（其中修订16件）``); ``problem`` why the text was
    refused (the value is then ``None``), and ``warning`` a conversion the caller must report
    (a unit converted, a figure that was not plain).
    """

    value: object
    text: str
    mark: str | None = None
    note: str | None = None
    problem: str | None = None
    warning: str | None = None


#: Digits with white space between them on one line (``12 34``): two figures side by side, never joined.
#: Spaces around a decimal point or a unit are print noise (``160 . 5964 万元``); line breaks are
#: handled below (figures on separate lines are separate figures).
_SPLIT_DIGITS = re.compile(r"\d[^\S\n]+\d")


def _clean(text: str) -> str:
    return _SPACE.sub("", unicodedata.normalize("NFKC", text))


def _number(body: str, *, decimal: bool) -> tuple[str, Decimal] | None:
    m = (_DECIMAL if decimal else _INTEGER).match(body)
    if m is None:
        return None
    digits = m.group(2).replace(",", "")
    if len(digits) > _MAX_DIGITS:
        return None
    frac = m.group(3) if decimal else None
    try:
        return m.group(1), Decimal(f"{m.group(1)}{digits}{frac or ''}")
    except InvalidOperation:  # pragma: no cover - the patterns admit digits only
        return None


#: The longest printed text whose reading is remembered (figures and marks repeat in every table and report).
_REMEMBERED_CHARS = 64


def parse_value(text: str | None, kind: Value, *, unit: str | None = None) -> ParsedValue:
    """Read one printed cell as a value of ``kind`` (``unit`` is the column's unit, e.g. ``万元``).

    Full-width digits and spaces, thousands separators, a count's unit word (``12件``), a
    remark in brackets after the figure, and a money unit printed in the cell are understood.
    Blank cells and blank-like marks are ``None`` (the mark is kept). Footnote marks after a
    figure (enclosed and compatibility numerals such as ``⑴ ① ⒜ ¹``, ``﹙1﹚``, ``︵1︶``, ``※``)
    are kept beside the value as its ``note``, with a ``warning``; such a numeral anywhere else in
    a figure is refused (it is never read as a digit). Anything else (two figures run together,
    words, a fraction where a count belongs) is refused: the value is ``None`` and ``problem``
    says why. Nothing is guessed, and no text, whatever Unicode it holds, makes it raise.

    The reading of a short text is remembered (the result is immutable): ``0``, ``1``, ``/``
    repeat in every table.
    """
    if text is not None and len(text) <= _REMEMBERED_CHARS:
        # (by the kind's name: an Enum member's hash is computed in Python, its name is a plain str)
        return _remembered(text, kind._name_, unit)
    return _parse(text, kind, unit)


def _parse(text: str | None, kind: Value, unit: str | None) -> ParsedValue:
    """:func:`parse_value`, every time."""
    raw = "" if text is None else text
    if kind in _FIGURES:
        at = _footnote_start(raw)
        if at is not None and at > 0 and any(ch.isdigit() for ch in raw[:at]):
            before = parse_value(raw[:at], kind, unit=unit)
            footnote = raw[at:].strip()
            kept = f"{before.note}{footnote}" if before.note else footnote
            warning = f"a footnote mark printed after the figure is kept beside it: {footnote}"
            if before.warning:
                warning = f"{before.warning}; {warning}"
            if before.problem:
                return _refuse(raw, kept)
            return attrs.evolve(before, text=raw, note=kept, warning=warning)
    if kind in _FIGURES and not raw.isascii():
        other = "".join(ch for ch in raw if ch.isdecimal() and not ch.isascii() and not "０" <= ch <= "９")
        if other:  # digits of another script (``٢٦``, ``२६``): read as the figure they write, and said so
            plain = "".join(str(unicodedata.decimal(ch)) if ch in other else ch for ch in raw)
            read = parse_value(plain, kind, unit=unit)
            if read.problem:
                return _refuse(raw, read.note)
            said = f"a figure printed in digits of another script ({other}) is read as {plain.strip()}"
            return attrs.evolve(read, text=raw, warning=f"{read.warning}; {said}" if read.warning else said)
    t = _clean(raw)
    if t == "":
        return ParsedValue(None, raw)
    if t in BLANK_MARKS or t.strip("/-—–－―") == "":
        return ParsedValue(None, raw, mark=raw.strip())
    if _SPLIT_DIGITS.search(raw):
        return _refuse(raw, None)  # two figures side by side: never joined by guessing
    note: str | None = None
    head = raw
    m = _NOTE.match(t)
    if m is not None and m.group("head"):
        t = m.group("head")
        # where the remark starts in the printed text: the first character that normalises to a bracket
        # (``（``, ``(``, ``﹙``, ``︵``, ``⑴`` …), whatever form it was printed in
        at = next((i for i, ch in enumerate(raw) if "(" in unicodedata.normalize("NFKC", ch)), len(raw))
        note = raw[at:].strip() or None
        head = raw[:at]
    if kind in _FIGURES and (
        _NUMERAL_MARK.search(head) or sum(any(ch.isdigit() for ch in line) for line in head.splitlines()) > 1
    ):
        # an enclosed or superscript numeral inside a figure is not a digit (NFKC would make ``2①6`` 216);
        # figures printed on separate lines of one cell are separate figures: never joined into one
        return _refuse(raw, note)
    if kind in (Value.COUNT, Value.SIGNED):
        body = _COUNT_UNIT.sub("", t)
        got = _number(body, decimal=False)
        if got is None:
            whole = _number(body, decimal=True)
            if whole is not None and whole[1] == whole[1].to_integral_value():
                return ParsedValue(int(whole[1]), raw, note=note, warning=f"a count printed as {body}")
            return _refuse(raw, note)
        sign, number = got
        if kind is Value.COUNT and sign == "-":
            return ParsedValue(None, raw, note=note, problem=f"a count cannot be negative: {t} (left blank)")
        return ParsedValue(int(number), raw, note=note)
    if kind in (Value.MONEY, Value.AMOUNT):
        um = _MONEY_UNIT.search(t)
        printed_unit = um.group(1) if um else None
        body = t[: um.start()] if um else t
        got = _number(body, decimal=True)
        if got is None or got[0] == "-":
            return _refuse(raw, note)
        number = got[1]
        if kind is Value.AMOUNT:
            return ParsedValue(Amount(number, MoneyUnit(printed_unit) if printed_unit else None), raw, note=note)
        if printed_unit is not None and unit is not None and printed_unit != unit:
            return ParsedValue(
                None,
                raw,
                note=note,
                problem=f"printed in {printed_unit} where the column is in {unit}: {t} (left blank)",
            )
        return ParsedValue(number, raw, note=note)
    return ParsedValue(raw.strip() or None, raw)


@functools.lru_cache(maxsize=1 << 14)
def _remembered(text: str, kind: str, unit: str | None) -> ParsedValue:
    """:func:`_parse` of ``text`` as the :class:`Value` named ``kind``, remembered."""
    return _parse(text, Value[kind], unit)


#: The most characters of a refused text a problem's message quotes (the text itself stays in the value).
MAX_QUOTED = 120


def _refuse(raw: str, note: str | None) -> ParsedValue:
    text = raw.strip()
    # a message stays short whatever the cell held
    quoted = f"{text[:MAX_QUOTED]!r}… ({len(text)} characters)" if len(text) > MAX_QUOTED else repr(text)
    return ParsedValue(None, raw, note=note, problem=f"not a figure: {quoted} (left blank)")
