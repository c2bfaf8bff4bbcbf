"""The agency and the year of a report, each with where it came from, decided once for every reader.

In order, the first source that names it wins: what the caller passes; the title lines before the
first section; the texts outside the body a reader kept (:attr:`Document.meta`: HTML ``<title>`` and
``<meta>``, Word and PDF document properties); the statistics-period sentence
(``本报告中所列数据的统计期限自2023年1月1日起至2023年12月31日止`` → 2023); ``本报告由……编制`` or
``……根据……编制`` (→ the agency); a heading naming the report; the file name. A year printed by a later
source that differs from the one used is a warning (``READ_META_CONFLICT``), never silently chosen;
an agency or year no source names is a warning (``READ_META_MISSING``) and stays ``None``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

import attrs

from .._codegen import FAST_PATHS
from ..errors import Place, Problem
from ._document import Document
from ._result import Provenance

__all__ = ["Found", "find_meta", "title_parts"]

#: Characters of a text a title is looked for in (a title is a line or two).
MAX_TITLE_CHARS = 400
#: Characters of each paragraph the period and 编制 sentences are looked for in.
MAX_SENTENCE_CHARS = 4000

_TITLE = re.compile(r"(?P<year>(?:19|20)\d{2})年度?(?:政府信息公开|政务公开|信息公开)(?:工作)?(?:年度)?报告")
_PERIOD = re.compile(r"统计期限?(?:为|是|自|从|:|：)?\s*(?:自|从)?\s*(?P<year>(?:19|20)\d{2})\s*年\s*1\s*月\s*1\s*日")
_MADE_BY = re.compile(r"本(?:年度)?报告(?:是)?由(?P<agency>[^，。,；;、《》\s]{2,40}?)(?:负责)?(?:编制|编写|制作|撰写)")
_ACCORDING = re.compile(
    r"(?:^|[。；;\n])\s*(?P<agency>[^，。,；;、《》\s]{2,40}?)(?:依据|根据)《[^》]{0,40}政府信息公开条例》[^。]{0,120}?编制"
)
#: What an agency's name ends with (a site or column name is taken as the agency only then).
_AGENCY_END = re.compile(r"(?:政府|办公室|办公厅|委员会|局|厅|委|办|院|署|部|中心|街道|办事处|镇|乡|会|所|站|队)$")
_FILE_SEP = re.compile(r"[/\\]")
#: A character each sentence looked for in a paragraph prints (统计期, 本报告由, 编制), which no other
#: character becomes under NFKC (tests/test_html_fast.py checks every code point): a paragraph holding
#: none of them matches none of the sentences, and is not normalised (a fast path).
_SENTENCE_MARKS = ("统", "由", "编")
#: What separates a site's path or name from a page's own title (``首页 > 政务公开 > …``, ``… | 某市``).
_CHROME = re.compile(r"[>＞»|｜_—\-－/]+")


@attrs.frozen
class Found:
    """The agency and year decided, each with its provenance (``None`` when unknown)."""

    agency: str | None
    year: int | None
    provenance: dict[str, Provenance]
    problems: list[Problem]


def title_parts(text: str) -> tuple[str | None, int | None]:
    """The agency and year a report's title names, or ``(None, None)``.

    >>> title_parts("某县人民政府2023年政府信息公开工作年度报告")
    ('某县人民政府', 2023)
    >>> title_parts("２０２２年度政务公开工作报告")
    (None, 2022)
    >>> title_parts("首页 > 政务公开 > 某县人民政府2023年政府信息公开工作年度报告")
    ('某县人民政府', 2023)
    >>> title_parts("通知")
    (None, None)
    """
    printed = re.sub(r"\s+", "", text[:MAX_TITLE_CHARS])
    flat, at = _nfkc(printed)
    m = _TITLE.search(flat)
    if m is None:
        return None, None
    # a page title often carries the site's path before the report's name: 首页>政务公开>某县人民政府…
    agency = _CHROME.split(printed[: at[m.start()]])[-1].strip("《》“”\"'：:，,")
    agency = re.sub(r"^关于", "", agency)
    return agency or None, int(m.group("year"))


#: Characters that are their own NFKC form, each alone (ASCII, 、。 and the CJK unified ideographs of the
#: basic block: none has a decomposition; tests/test_html_fast.py checks every one).
_OWN_FORMS = re.compile("[\x00-\x7f\u3001\u3002\u4e00-\u9fff]*")


def _nfkc(printed: str) -> tuple[str, list[int]]:
    """The NFKC form of ``printed`` and, for each of its characters, the index it came from."""
    if FAST_PATHS and _OWN_FORMS.fullmatch(printed) is not None:
        # each character its own form (a title or heading of ideographs, digits and 、): the loop below gives this
        return printed, list(range(len(printed)))
    flat, at = "", []
    for k, ch in enumerate(printed):
        n = unicodedata.normalize("NFKC", ch)
        flat += n
        at.extend([k] * len(n))
    return flat, at


def _file_stem(source: str) -> str:
    name = _FILE_SEP.split(source)[-1]
    return name.rsplit(".", 1)[0] if "." in name else name


def _candidates(
    doc: Document, title: tuple[str | None, int | None, Place | None]
) -> Iterator[tuple[str, str | None, int | None, Place, str]]:
    """(source name, agency, year, place, text) of every source, in the order they are trusted."""
    if title[2] is not None and (title[0] is not None or title[1] is not None):
        yield "title", title[0], title[1], title[2], ""
    for m in doc.meta:
        if m.key == "title":
            agency, year = title_parts(m.text)
            if agency is not None or year is not None:
                yield "document properties", agency, year, m.place, m.text
        else:
            name = re.sub(r"\s+", "", m.text[:MAX_TITLE_CHARS])
            if 2 <= len(name) <= 40 and _AGENCY_END.search(name):
                yield "document properties", name, None, m.place, m.text
    texts = [b for b in doc.blocks if b.kind != "table" and b.text.strip()]
    flats: list[str | None] = []  # (each text normalised once, for both searches; None: it holds neither)
    fast = FAST_PATHS
    for b in texts:
        head = b.text[:MAX_SENTENCE_CHARS]
        if fast and not any(mark in head for mark in _SENTENCE_MARKS):
            flats.append(None)
            continue
        flat = unicodedata.normalize("NFKC", head)
        flats.append(flat)
        if (p := _PERIOD.search(flat)) is not None:
            yield "period sentence", None, int(p.group("year")), b.place, p.group(0)
    for b, normalised in zip(texts, flats, strict=True):
        if normalised is None:
            continue
        for rx in (_MADE_BY, _ACCORDING):
            if (m2 := rx.search(normalised)) is not None and _AGENCY_END.search(m2.group("agency")):
                yield "编制 sentence", m2.group("agency"), None, b.place, m2.group(0)
    for b in doc.blocks:
        if b.kind == "heading":
            agency, year = title_parts(b.text)
            if agency is not None or year is not None:
                yield "heading", agency, year, b.place, b.text
    stem = _file_stem(doc.source)
    agency, year = title_parts(stem)
    if agency is not None or year is not None:
        yield "file name", agency, year, Place(doc.source), stem


def find_meta(
    doc: Document,
    title: tuple[str | None, int | None, Place | None],
    *,
    agency: str | None = None,
    year: int | None = None,
) -> Found:
    """Decide the agency and year of ``doc`` (see the module's docstring), ``title`` being the title lines found."""
    provenance: dict[str, Provenance] = {}
    problems: list[Problem] = []
    passed = Place(doc.source, cell="passed by the caller")
    if agency is not None:
        provenance["agency"] = Provenance(passed, agency)
    if year is not None:
        provenance["year"] = Provenance(passed, str(year))
    year_from = "the caller" if year is not None else ""
    for how, a, y, place, text in _candidates(doc, title):
        if agency is None and a is not None:
            agency = a
            provenance["agency"] = Provenance(place, text or a, note=how)
        if y is not None:
            if year is None:
                year, year_from = y, how
                provenance["year"] = Provenance(place, text or str(y), note=how)
            elif y != year:
                problems.append(
                    Problem.at(
                        place,
                        f"the {how} names the year {y}; {year} from the {year_from} is used",
                        code="READ_META_CONFLICT",
                        severity="warning",
                    )
                )
    missing = [n for n, v in (("agency", agency), ("year", year)) if v is None]
    if missing:
        problems.append(
            Problem.at(
                None,
                f"the document does not name its {' or '.join(missing)}: read as unknown (None); pass "
                + ", ".join(f"{n}=" for n in missing),
                code="READ_META_MISSING",
                severity="warning",
                where=doc.source,
            )
        )
    return Found(agency, year, provenance, problems)
