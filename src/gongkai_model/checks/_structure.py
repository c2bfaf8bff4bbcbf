"""The report's structure: its sections, their headings, its year and its edition.

Sections are read from the model (``field_specs(AnnualReport)``): nothing here
lists them.  What a document reader recorded about the headings is passed to
:func:`~gongkai_model.validate` as ``headings``: for each section's attribute
name, the heading as printed, or ``None`` when the document has none.
"""

from __future__ import annotations

import functools
import itertools
import operator
import re
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from ..labels import normalize_label
from ..model.layout import Shape, layout
from ..model.report import NUMERALS, AnnualReport
from ..model.spec import FieldInfo, Kind, Node, Value, field_specs
from ..model.tables import OtherHandling
from . import _analysis
from ._findings import CellRef, Finding, Severity
from ._registry import NOTHING, CheckContext, CheckOutcome, current_year, define_check

__all__ = ["FIRST_YEAR", "heading_wording", "is_none_text", "sections"]

#: The first report year of the statutory formats (the 2019 trial format).
FIRST_YEAR = 2019

# A heading's number: 一、 （一） 第一部分 1. and the like.
_NUMBER = re.compile(
    r"^(?:第?[一二三四五六七八九十]+(?:部分|、|,|\.|．)|[（(][一二三四五六七八九十]+[）)]|\d+[、,.．])"
)
# The words a section uses to say "nothing": 无。 / 暂无 / 本年度无 / 没有 / 无其他需要报告的事项.
_NOTHING = ("无", "暂无", "没有", "本年无", "本年度无")
_END = "。.．;；!！ \u3000"


@functools.cache
def sections() -> tuple[tuple[str, str, FieldInfo], ...]:
    """(numeral, attribute name, field) of the six sections, in order: ``("一", "overview", …)``."""
    infos = [i for i in field_specs(AnnualReport) if i.spec.kind is Kind.SECTION]
    return tuple((NUMERALS[n], i.name, i) for n, i in enumerate(infos))


def _texts(value: Any) -> list[str | None]:
    """The free-text parts of a section's value (the value itself for a text section)."""
    if isinstance(value, str) or value is None:
        return [value]
    if isinstance(value, Node):
        return [getattr(value, name, None) for name in _parts(type(value))[0]]
    return []


def _figures(value: Any) -> list[tuple[str, object]]:
    """(attribute, value) of the figures inside a text section (the 信息处理费 fields of 六)."""
    if not isinstance(value, Node):
        return []
    return [(name, getattr(value, name, None)) for name in _parts(type(value))[1]]


def _parts(cls: Any) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The names of the free-text fields of a section's class, and of the figures in its text."""
    known = _PARTS.get(cls)
    if known is None:
        prose = [i for i in field_specs(cls) if i.spec.kind is Kind.TEXT]
        known = _PARTS[cls] = (
            tuple(i.name for i in prose if i.spec.value is Value.TEXT),
            tuple(i.name for i in prose if i.spec.value is not Value.TEXT),
        )
    return known


_PARTS: dict[type, tuple[tuple[str, ...], tuple[str, ...]]] = {}


def is_none_text(text: str, label: str = "") -> bool:
    """Whether ``text`` says only "nothing" (``无``, ``无。``, ``暂无``, ``本年度无``, ``无<label>``).

    >>> is_none_text("无。"), is_none_text(" 暂无 "), is_none_text("无其他事项。", "其他事项")
    (True, True, True)
    >>> is_none_text("无收费情况，其他事项见附件。")
    False
    """
    if _more_ideographs(_longest(label)).match(text) is not None:
        return False  # more ideographs than any "nothing" has: a long text is not normalised to tell
    return _says_nothing(text, label)


def _says_nothing(text: str, label: str) -> bool:
    """:func:`is_none_text` but its first test (which the check makes itself): the text, normalised, is a form
    of :func:`_nothing_forms`."""
    return normalize_label(text).strip(_END) in _nothing_forms(label)


@functools.lru_cache(maxsize=256)
def _nothing_forms(label: str) -> frozenset[str]:
    """The normalised texts that say only "nothing" about ``label``: each form of ``_NOTHING``, alone and (a label
    given) followed by the label normalised (worked out once per label, not once per text)."""
    if not label:
        return frozenset(_NOTHING)
    return frozenset((*_NOTHING, *(f"{w}{normalize_label(label)}" for w in _NOTHING)))


@functools.lru_cache(maxsize=256)
def _longest(label: str) -> int:
    """The length of the longest text that says only "nothing" about ``label``, as normalised."""
    return max(len(w) for w in _NOTHING) + (len(normalize_label(label)) if label else 0)


# CJK ideographs: normalisation keeps each of them as it is (no compatibility form, no composition, not white
# space, not punctuation), so a text holding more of them than a "nothing" form has cannot be one.
# tests/test_text_analysis.py checks these ranges against ``unicodedata``.
_IDEOGRAPH = re.compile("[\u3400-\u4dbf\u4e00-\u9fff]")


@functools.lru_cache(maxsize=256)
def _more_ideographs(count: int) -> re.Pattern[str]:
    """Matches a text's start up to its ``count + 1``-th ideograph (linear: the runs between cannot overlap).

    Written out (``[^…]*[…]`` ``count + 1`` times) rather than as a repeated group: each run is then one of the
    regex engine's quick single-character repeats; the same matches (tests/test_text_analysis.py)."""
    ideograph = _IDEOGRAPH.pattern[1:-1]
    return re.compile(f"[^{ideograph}]*[{ideograph}]" * (count + 1))


def heading_wording(printed: str, info: FieldInfo) -> str:
    """``"statutory"``, ``"alias"`` (a known variant) or ``"other"``: how a printed heading names its section.

    The heading's number (``一、``, ``（一）``, ``第一部分``) and spacing are ignored.
    """
    core = _NUMBER.sub("", normalize_label(printed)).strip(_END)
    if core == normalize_label(info.spec.label):
        return "statutory"
    if core in {normalize_label(a) for a in info.spec.aliases}:
        return "alias"
    return "other"


def _table_of(numeral: str, info: FieldInfo) -> str | None:
    known = _TABLE_OF.get((numeral, info.name))
    if known is None:
        holds_rows = any(i.spec.kind is Kind.ROW for t in info.types for i in field_specs(t))
        known = _TABLE_OF[(numeral, info.name)] = (numeral if holds_rows else None,)
    return known[0]


_TABLE_OF: dict[tuple[str, str], tuple[str | None]] = {}


def _has_text(report: AnnualReport) -> bool:
    return any(isinstance(t, str) and t.strip() for _, name, _ in sections() for t in _texts(getattr(report, name)))


@functools.cache
def _cells_of_table(shape: Shape, numeral: str) -> tuple[int, ...]:
    """The layout indices of the cells of table ``numeral``."""
    return tuple(i for i, c in enumerate(layout(shape)) if c.table == numeral)


@functools.cache
def _total_cells(shape: Shape) -> tuple[int, ...]:
    """The layout indices of the cells that are a sum of others."""
    return tuple(i for i, c in enumerate(layout(shape)) if c.spec.total)


@functools.cache
def _fee_cells(shape: Shape) -> tuple[int, ...]:
    """The layout indices of the 总计 cells of 表三's row of applications dropped for unpaid fees."""
    return tuple(
        i for i, c in enumerate(layout(shape)) if c.path.split(".")[-2] == _FEE_ROW and c.spec.total == "siblings"
    )


def _empty(ctx: CheckContext, numeral: str, name: str, info: FieldInfo) -> bool:
    value = getattr(ctx.report, name)
    if _table_of(numeral, info):
        return all(ctx.values[i] is None for i in _cells_of_table(ctx.shape, numeral))
    texts = _texts(value)
    figures = [v for _, v in _figures(value)]
    return all(not (isinstance(t, str) and t.strip()) for t in texts) and all(v is None for v in figures)


#: One section as the structure checks read it: (numeral, name, field, table numeral or None, whether the cell
#: values fill any of its table's cells, its label, the match of a text longer than any "nothing"
#: (``is_none_text``'s first test)).
_Section = tuple[str, str, FieldInfo, str | None, Callable[[Sequence[Any]], bool], str, Any]


_NONE = itertools.repeat(None)


def _filled(indices: tuple[int, ...]) -> Callable[[Sequence[Any]], bool]:
    """Whether any of the values at ``indices`` is not blank: the first looked at first, then all of them by
    one ``itemgetter`` and identity tests in C."""
    if not indices:
        return lambda values: False
    first = indices[0]
    if len(indices) == 1:
        return lambda values: values[first] is not None
    getter = operator.itemgetter(*indices)
    return lambda values: values[first] is not None or any(map(operator.is_not, getter(values), _NONE))


@functools.cache
def _plan(shape: Shape) -> tuple[_Section, ...]:
    """Each section of ``shape`` as the structure checks read it (:data:`_Section`), in order."""
    return tuple(
        (
            numeral,
            name,
            info,
            table,
            _filled(cells),
            info.spec.label,
            _more_ideographs(_longest(info.spec.label)).match,
        )
        for numeral, name, info in sections()
        for table in (_table_of(numeral, info),)
        for cells in (_cells_of_table(shape, numeral) if table else (),)
    )


#: What the structure checks know of a shape: its :func:`_plan`, the tests whether each of its tables holds a
#: figure, each with the layout index of the table's first cell (``None`` when a table has no cell), and the places
#: in the plan of its text sections.
_Known = tuple[tuple[_Section, ...], tuple[tuple[int, Callable[[Sequence[Any]], bool]], ...] | None, tuple[int, ...]]
#: The shape the structure checks last saw, with what they know of it (found by identity: shapes are interned,
#: so no hash of the shape per validation; one object, replaced whole, that holds its shape).
_LAST_PLAN: list[tuple[object, _Known]] = [(None, ((), None, ()))]


def _known(shape: Shape) -> _Known:
    """What the structure checks know of ``shape`` (:data:`_Known`), the last one found by identity."""
    last = _LAST_PLAN[0]
    if last[0] is not shape:
        plan = _plan(shape)
        firsts = [(_cells_of_table(shape, numeral), filled) for numeral, _, _, table, filled, _, _ in plan if table]
        fills = None if any(not cells for cells, _ in firsts) else tuple((cells[0], f) for cells, f in firsts)
        texts = tuple(k for k, (_, _, _, table, _, _, _) in enumerate(plan) if not table)
        last = _LAST_PLAN[0] = (shape, (plan, fills, texts))
    return last[1]


Prose = tuple[tuple[str, ...] | None, ...]


def _prose(ctx: CheckContext) -> Prose:
    """Per section of :func:`_plan`: its free-text parts that hold text (``None`` for a table), read once
    per validation and shared by the checks that read them (:func:`_sections_read`).

    The quick way (the default) sorts the analysis' texts (``TextAnalysis.texts``, the same parts read the
    same way) into their sections when each section is of its declared class (or blank); the thorough way,
    or a forged report, reads each section's parts again.
    """
    return _sections_read(ctx, ctx.text)[3]


#: What the two structure checks that read the texts share per validation: what they know of the shape
#: (:data:`_Known`) and the sections' prose (:data:`Prose`), in one tuple.
_Read = tuple[
    tuple[_Section, ...], tuple[tuple[int, Callable[[Sequence[Any]], bool]], ...] | None, tuple[int, ...], Prose
]


def _sections_read(ctx: CheckContext, analysis: _analysis.TextAnalysis) -> _Read:
    """:func:`_known` of the shape and :func:`_prose` (``analysis`` is ``ctx.text``), worked out by the first of
    the two checks that read them and kept in the analysis' memo for the other (one call and one look-up each)."""
    memo = analysis.memo
    got: _Read | None = memo.get(_sections_read)
    if got is None:
        plan, fills, texts = _known(ctx.shape)
        prose = _prose_quickly(ctx.report, analysis.texts) if _analysis.FAST_PATHS else None
        if prose is None:
            prose = _prose_thoroughly(ctx)
        got = memo[_sections_read] = (plan, fills, texts, prose)
    return got


def _prose_thoroughly(ctx: CheckContext) -> Prose:
    report = ctx.report
    out: list[tuple[str, ...] | None] = []
    for _, name, _, table, _, _, _ in _plan(ctx.shape):
        value = None if table else getattr(report, name)
        if table or value is None:
            out.append(None if table else ())
        else:
            out.append(tuple(t for t in _texts(value) if isinstance(t, str) and t.strip()))
    return tuple(out)


@functools.cache
def _prose_plan() -> tuple[tuple[tuple[str, type | None], ...], dict[str, int], Prose]:
    """What :func:`_prose_quickly` needs: each text section's name and declared class (``None``: a text-valued
    section), the section (its place in :func:`sections`) of each free-text part's path, and the prose of a
    report none of whose sections holds text."""
    kinds: list[tuple[str, type | None]] = []
    where: dict[str, int] = {}
    empty: list[tuple[str, ...] | None] = []
    for k, (numeral, name, info) in enumerate(sections()):
        if _table_of(numeral, info):
            empty.append(None)
            continue
        empty.append(())
        if info.spec.value is Value.TEXT:
            kinds.append((name, None))
            where[name] = k
        else:
            (cls,) = info.types  # (one class: the parts of a section are those of its class)
            kinds.append((name, cls))
            for part in _parts(cls)[0]:
                where[f"{name}.{part}"] = k
    return tuple(kinds), where, tuple(empty)


def _prose_quickly(report: AnnualReport, texts: tuple[tuple[str, str], ...]) -> Prose | None:
    """:func:`_prose_thoroughly` from the analysis' texts, or ``None`` when a section is not of its declared
    class (a forged report: its parts are then read as they are)."""
    kinds, where, empty = _prose_plan()
    for name, cls in kinds:
        value = getattr(report, name, None)
        if value is not None and (not isinstance(value, str) if cls is None else type(value) is not cls):
            return None
    if not texts:
        return empty
    out = list(empty)
    for path, text in texts:
        k = where[path]
        out[k] = (*out[k], text)  # type: ignore[misc]  # (a text section: a tuple)
    return tuple(out)


@define_check(
    "STRUCTURE_SECTION_EMPTY",
    severity=Severity.WARNING,
    title_en="A section of the report is empty",
)
def check_section_empty(ctx: CheckContext) -> CheckOutcome:
    """A section with no text (or, for a table, no figure at all) in a report that has its text.

    A report that holds no text at all (tables only, e.g. built from
    records or a workbook) is not assessed: its text was never read.
    """
    analysis = ctx._text  # (the analysis once made: no call of the ``text`` property)
    if analysis is None:
        analysis = ctx.text
    headings = ctx.headings
    if headings is None and not analysis.texts:  # the report holds no text (``_has_text``)
        return NOTHING
    found = []
    values = ctx.values
    plan, fills, _, prose = _sections_read(ctx, analysis)
    # Each text section holds text, and (below) each table a figure: nothing is empty.
    if headings is None and fills is not None and () not in prose and _analysis.FAST_PATHS:
        for first, filled in fills:
            if values[first] is None and not filled(values):  # (its first figure looked at here: no call)
                break
        else:
            return _EVERY_SECTION  # and each table a figure: nothing is empty
    for (numeral, name, info, table, cells, _, _), texts in zip(plan, prose, strict=True):
        if headings is not None and name in headings and headings[name] is None:
            continue  # missing altogether: STRUCTURE_SECTION_MISSING says so
        if table:
            if cells(values):  # not all blank
                continue
        elif texts or any(v is not None for _, v in _figures(getattr(ctx.report, name))):
            continue
        label = f"{numeral}、{info.spec.label}"
        found.append(
            Finding(
                "STRUCTURE_SECTION_EMPTY",
                Severity.WARNING,
                f"「{label}」部分没有内容",
                f"section {label} is empty",
                table,
                section=name,
            )
        )
    return CheckOutcome(len(sections()), tuple(found))


_EVERY_SECTION = CheckOutcome(len(sections()), ())


@define_check(
    "STRUCTURE_SECTION_MISSING",
    severity=Severity.WARNING,
    title_en="A section of the report has no heading in the document",
)
def check_section_missing(ctx: CheckContext) -> CheckOutcome:
    """A section the reader found no heading for (``headings[name] is None``)."""
    if ctx.headings is None:
        return NOTHING
    found = []
    assessed = 0
    for numeral, name, info in sections():
        if name not in ctx.headings:
            continue
        assessed += 1
        if ctx.headings[name] is None:
            label = f"{numeral}、{info.spec.label}"
            found.append(
                Finding(
                    "STRUCTURE_SECTION_MISSING",
                    Severity.WARNING,
                    f"文档中没有「{label}」部分",
                    f"the document has no section {label}",
                    _table_of(numeral, info),
                    section=name,
                )
            )
    return CheckOutcome(assessed, tuple(found))


@define_check(
    "STRUCTURE_HEADING",
    severity=Severity.WARNING,
    title_en="A section heading is not in the statutory wording",
)
def check_heading(ctx: CheckContext) -> CheckOutcome:
    """A printed heading that is not the statutory one: a known variant (info) or another wording (warning)."""
    if ctx.headings is None:
        return NOTHING
    found = []
    assessed = 0
    known_names = {name for _, name, _ in sections()}
    for key, printed in ctx.headings.items():
        if key not in known_names or not (printed is None or isinstance(printed, str)):
            found.append(
                Finding(
                    "STRUCTURE_HEADING",
                    Severity.ERROR,
                    f"所给标题无效：{key!r} → {printed!r}（应为部分名称 → 标题文字或 None）",
                    f"invalid heading given: {key!r} → {printed!r} (expected a section name → its text or None)",
                    section=str(key),
                )
            )
    for numeral, name, info in sections():
        printed = ctx.headings.get(name)
        if not isinstance(printed, str):
            continue
        assessed += 1
        wording = heading_wording(printed, info)
        if wording == "statutory":
            continue
        label = f"{numeral}、{info.spec.label}"
        known = wording == "alias"
        found.append(
            Finding(
                "STRUCTURE_HEADING",
                Severity.INFO if known else Severity.WARNING,
                f"标题「{printed.strip()}」{'是常见的变体表述' if known else '不是规定表述'}，规定标题为「{label}」",
                f"the heading “{printed.strip()}” is {'a known variant of' if known else 'not'} "
                f"the statutory heading {label}",
                _table_of(numeral, info),
                section=name,
                quote=printed.strip(),
            )
        )
    return CheckOutcome(assessed, tuple(found))


#: The 表三 row (2021 format) of applications dropped because a fee was not paid.
_FEE_ROW = "fee_unpaid"


def _activity(ctx: CheckContext, name: str) -> list[CellRef]:
    """The non-zero figures showing activity that section ``name`` should report, as cells.

    For 六 these are its own 信息处理费 figures and 表三's 总计 of applications
    dropped for unpaid fees (fee notices were sent).
    """
    figures = _figures(getattr(ctx.report, name))
    if not figures:
        return []
    out = [
        CellRef("", info_name, "", f"{name}.{info_name}", v)
        for info_name, v in figures
        if v is not None and isinstance(v, _AMOUNTS) and not isinstance(v, bool) and v > 0
    ]
    if isinstance(getattr(ctx.report.table3.results, "other", None), OtherHandling):
        values = ctx.values
        for i in _fee_cells(ctx.shape):
            v = values[i]
            if isinstance(v, int) and v > 0:
                out.append(CellRef.of(layout(ctx.shape)[i], v))
    return out


_AMOUNTS = (int, Decimal)  # (a tuple made once: ``int | Decimal`` would make a union at every test)


@define_check(
    "STRUCTURE_NONE_WITH_ACTIVITY",
    severity=Severity.WARNING,
    title_en="A section says only 无 while the figures show activity",
)
def check_none_with_activity(ctx: CheckContext) -> CheckOutcome:
    """六 says only 无 while fees were noticed or collected; 一 says only 无 while the tables are not all 0."""
    analysis = ctx._text  # (the analysis once made: no call of the ``text`` property)
    if analysis is None:
        analysis = ctx.text
    if not analysis.texts:  # no section holds text (``_has_text``): none is assessed
        return NOTHING
    found = []
    assessed = 0
    plan, _, sections_of_text, prose = _sections_read(ctx, analysis)
    quick = _analysis.FAST_PATHS
    for k in sections_of_text:
        texts = prose[k]
        if not texts:
            continue  # no text
        numeral, name, info, _, _, label, long = plan[k]
        assessed += 1
        if quick and numeral != _FIRST and not isinstance(getattr(ctx.report, name, None), Node):
            continue  # no figure of its own and not 一: no activity (``_activity`` finds none), so no finding
        for text in texts:  # (a text longer than any "nothing" is not one: is_none_text's first test, made here)
            if (
                quick
                and ("0" <= (first := text[0]) <= "9" or "\u4e00" <= first <= "\u9fff" or first in "(（")
                and first not in _NOTHING_STARTS
            ):
                break  # its normalised form starts with it (or a digit): no "nothing" form does
            if long(text) is not None or not _says_nothing(text, label):
                break
        else:
            finding = _none_with_activity(ctx, numeral, name, info, texts)
            if finding is not None:
                found.append(finding)
    return _OUTCOMES[assessed] if not found and assessed < len(_OUTCOMES) else CheckOutcome(assessed, tuple(found))


# The first characters of the "nothing" forms (a label after one of _NOTHING). A text that starts with an ASCII digit,
# a bracket or a CJK ideograph other than these says more than "nothing": normalize_label keeps such a first character
# first (NFKC keeps it and composes nothing with it, it is no white space, the folding leaves it, a sub-row's number
# stays a digit, ``(`` stays or becomes a digit), and the stripping of _END leaves it. tests/test_checks_structure.py
# compares the check with the thorough way.
_NOTHING_STARTS = frozenset(w[0] for w in _NOTHING)
_FIRST = NUMERALS[0]  # 一、总体情况: its activity is any non-zero figure of the tables
#: The outcomes of :func:`check_none_with_activity` when it finds nothing, by how many sections it assessed
#: (shared: outcomes are frozen).
_OUTCOMES = tuple(CheckOutcome(n, ()) for n in range(len(sections()) + 1))


def _none_with_activity(
    ctx: CheckContext, numeral: str, name: str, info: FieldInfo, texts: tuple[str, ...]
) -> Finding | None:
    """The finding of a section whose texts say only "nothing", when its figures show activity."""
    if numeral == _FIRST:  # 总体情况: any non-zero figure in the tables
        cells = layout(ctx.shape)
        active = [
            CellRef.of(cells[i], v)
            for i in _total_cells(ctx.shape)
            if isinstance(v := ctx.values[i], _AMOUNTS) and v > 0
        ][:3]
    else:
        active = _activity(ctx, name)
    if not active:
        return None
    label = f"{numeral}、{info.spec.label}"
    shown = "；".join(f"{c.path} = {c.value}" for c in active)
    return Finding(
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


@define_check(
    "STRUCTURE_YEAR",
    severity=Severity.ERROR,
    title_en="The report year is before 2019 or after the current year",
)
def check_year(ctx: CheckContext) -> tuple[Finding, ...]:
    """Before 2019 the statutory tables did not exist (warning); a year still to come is an error."""
    year = ctx.report.year
    this_year = current_year()  # (datetime.date.today().year)
    if type(year) is not int:
        return ()  # VALUE_INVALID says so
    if year < FIRST_YEAR:
        return (
            Finding(
                "STRUCTURE_YEAR",
                Severity.WARNING,
                f"报告年度 {year} 早于 {FIRST_YEAR} 年，当时尚无规定的统计表格式",
                f"report year {year} is before {FIRST_YEAR}, when the statutory tables did not exist",
                path="year",
                year=year,
            ),
        )
    if year > this_year:
        return (
            Finding(
                "STRUCTURE_YEAR",
                Severity.ERROR,
                f"报告年度 {year} 晚于当前年度 {this_year}",
                f"report year {year} is after the current year {this_year}",
                path="year",
                year=year,
            ),
        )
    return ()
