"""From a document to a report: title, sections, tables by label, figures by one parser, the model's checks.

Every reader ends here (:func:`assemble`), so every format reads the same way.
"""

from __future__ import annotations

import functools
import re
import unicodedata
import weakref
from collections.abc import Sequence
from typing import Any, Final

import attrs

from .._codegen import FAST_PATHS
from ..errors import ModelError, Place, Problem
from ..labels import normalize_label
from ..model.build import build
from ..model.layout import Shape, layout, rows
from ..model.report import NUMERALS, AnnualReport
from ..model.spec import Kind, field_specs
from ..model.values import Edition
from ..records import infer_edition, infer_shape
from ._document import Block, Document, Grid, maker
from ._lifted import put_back
from ._locate import cell_keys, joined, known_labels, locate
from ._metadata import find_meta
from ._order import read_by_order, superseded
from ._result import Imported, Placement, Provenance
from ._values import ParsedValue, parse_value
from ._verify import verify

__all__ = ["assemble", "could_head", "find_heading", "find_title"]

#: Characters of a block (or line) a heading is looked for in: a longer text is prose, never a heading.
MAX_HEADING_CHARS = 400
#: Characters at the start of a block the title is looked for in (a title is a line or two).
MAX_TITLE_CHARS = 400
#: A block of this kind is prose a reader knows is no heading (a text the renderer escaped, or a
#: paragraph the reader already told from the headings): the sections never split on it.
PROSE: Final = "prose"

_TITLE = re.compile(r"(?P<year>(?:19|20)\d{2})年度?(?:政府信息公开|政务公开|信息公开)(?:工作)?(?:年度)?报告")
_NUMBERED = re.compile(r"^(?P<n>[一二三四五六])[,.、．]")


def _sections() -> list[tuple[str, str, tuple[str, ...]]]:
    """(attribute, statutory heading label, variant labels) of the six sections, in order."""
    return [(i.name, i.spec.label, i.spec.aliases) for i in field_specs(AnnualReport) if i.spec.kind is Kind.SECTION]


@functools.cache
def _heading_keys() -> dict[str, tuple[int, bool]]:
    """Normalised heading label → (section index, statutory wording?), the first section's first."""
    out: dict[str, tuple[int, bool]] = {}
    for i, (_, label, aliases) in enumerate(_sections()):
        out.setdefault(normalize_label(label), (i, True))
        for alias in aliases:
            out.setdefault(normalize_label(alias), (i, False))
    return out


#: A text holding more than 40 CJK ideographs: its label (:func:`normalize_label`) is longer than a
#: heading's 40 characters, as each ideograph stays one character (NFKC leaves it, nothing composes with it,
#: it is no space nor folded punctuation): told without normalising a paragraph. (Linear: the classes are disjoint.)
_MORE_THAN_40_IDEOGRAPHS = re.compile(r"(?:[^\u4e00-\u9fff]*[\u4e00-\u9fff]){41}")


def find_heading(text: str, expected: int | None = None) -> tuple[int, bool] | None:
    """Which section ``text`` heads, if it is a heading: ``(index from 0, statutory wording?)``.

    A heading is the section's label, with or without its numeral (``一、``), or one of the model's
    declared variants; a short numbered line whose numeral is the ``expected`` next section is also
    taken as that section's heading in a non-statutory wording.

    >>> find_heading("一、总体情况"), find_heading("二、主动公开政府信息情况"), find_heading("说明")
    ((0, True), (1, True), None)
    >>> find_heading("五、存在的主要问题及整改措施")
    (4, False)

    The answer for a short text (a heading, a label, a figure: they repeat in every report, and the
    readers ask for each paragraph and table cell more than once) is remembered (a fast path; the
    answer is immutable).
    """
    if FAST_PATHS and len(text) <= _REMEMBERED_CHARS:
        return _remembered_heading(text, expected)
    return _find_heading(text, expected)


def _find_heading(text: str, expected: int | None) -> tuple[int, bool] | None:
    """:func:`find_heading`, found afresh."""
    if len(text) > MAX_HEADING_CHARS or (FAST_PATHS and len(text) > 40 and _MORE_THAN_40_IDEOGRAPHS.match(text)):
        return None
    key = normalize_label(text).rstrip("。.:：")
    if not key or len(key) > 40 or key in known_labels():
        return None
    m = _NUMBERED.match(key)
    rest = key[m.end() :] if m else key
    hit = _heading_keys().get(rest)
    if hit is not None:
        return hit if m is None or NUMERALS.index(m.group("n")) == hit[0] else None
    if m is not None and expected is not None and NUMERALS.index(m.group("n")) == expected and len(rest) <= 30:
        return expected, False
    return None


#: Texts up to this length have their heading remembered (:func:`find_heading`), the last 4,096 of them.
_REMEMBERED_CHARS = 64
_remembered_heading = functools.lru_cache(maxsize=4096)(_find_heading)


def could_head(text: str) -> bool:
    """Whether a line of prose would be read as a section heading somewhere in a report (renderers escape it).

    >>> could_head("二、主动公开政府信息情况"), could_head("五、其他"), could_head("本年度无。")
    (True, True, False)
    """
    return any(find_heading(text, k) is not None for k in range(len(NUMERALS)))


def find_title(blocks: Sequence[Block]) -> tuple[str | None, int | None, Place | None]:
    """The agency and year named by the report's title, from the blocks before the first section.

    Only the first :data:`MAX_TITLE_CHARS` characters of a block are looked at (a title is short;
    a long block is prose, whatever it holds further on).
    """
    texts = [b for b in blocks if b.kind != "table" and b.text[:MAX_TITLE_CHARS].strip()]
    for i, block in enumerate(texts[:8]):
        printed = re.sub(r"\s+", "", block.text[:MAX_TITLE_CHARS])
        # the title is matched on its NFKC form (full-width digits), the agency cut from the text as printed
        at: list[int] = []
        for k, ch in enumerate(printed):
            at.extend([k] * len(unicodedata.normalize("NFKC", ch)))
        flat = "".join(unicodedata.normalize("NFKC", ch) for ch in printed)
        m = _TITLE.search(flat)
        if m is None:
            continue
        agency = printed[: at[m.start()]].strip("《》“”\"'：:，,")
        agency = re.sub(r"^关于", "", agency)
        if not agency and i > 0:
            before = re.sub(r"\s+", "", texts[i - 1].text[:MAX_TITLE_CHARS])
            if 2 <= len(before) <= 40 and "报告" not in before:
                agency = before
        return agency or None, int(m.group("year")), block.place
    return None, None, None


@functools.cache
def _row_keys() -> frozenset[tuple[str, str]]:
    """(table, normalised row label) of every row label and variant of every shape."""
    return frozenset(
        (r.table, normalize_label(x))
        for s in Shape.all(subtotal=True)
        for r in rows(s)
        for x in (r.label, *r.spec.aliases)
    )


def _stack(grids: list[Grid]) -> list[Grid]:
    """Consecutive grids that continue each other, stacked into one (linear: each grid's labels read once)."""
    runs: list[list[Grid]] = []
    tables: set[str] = set()  # the statutory tables whose row labels the current run prints
    shapes = _row_keys()
    every = frozenset(k for _, k in shapes)
    for grid in grids:
        cells = [c for c in grid.cells() if len(c.text) <= MAX_HEADING_CHARS]
        keys = set(_short_keys(grid))
        keys.update(normalize_label(c.text) for c in joined(grid, cells, every))  # labels split over cells
        mine = {t for t, k in shapes if k in keys}
        if runs and runs[-1][0].width == grid.width and mine and mine <= tables and not (keys & _headers(mine)):
            runs[-1].append(grid)
            continue
        runs.append([grid])
        tables = set(mine)
    return [run[0] if len(run) == 1 else Grid.stack(run) for run in runs]


def _short_keys(grid: Grid) -> frozenset[str]:
    """The label forms (:func:`._locate.cell_keys`) of ``grid``'s cells of up to :data:`MAX_HEADING_CHARS`
    characters (a longer text is no label nor heading). Found once per grid while it lives (:func:`_misplaced`
    and :func:`_stack` both ask)."""
    if not FAST_PATHS:
        return _find_short_keys(grid)
    found = _SHORT_KEYS_OF.get(grid)
    if found is None:
        found = _SHORT_KEYS_OF[grid] = _find_short_keys(grid)
    return found


def _find_short_keys(grid: Grid) -> frozenset[str]:
    return frozenset(
        [k for c, k in zip(grid.cells(), cell_keys(grid), strict=True) if len(c.text) <= MAX_HEADING_CHARS]
    )


#: The short cells' label forms of each grid asked for, while it lives (:func:`_short_keys`).
_SHORT_KEYS_OF: weakref.WeakKeyDictionary[Grid, frozenset[str]] = weakref.WeakKeyDictionary()


def _headers(tables: set[str]) -> frozenset[str]:
    return frozenset().union(*(_table_headers(t) for t in tables))


@functools.cache
def _table_headers(table: str) -> frozenset[str]:
    return frozenset(normalize_label(c.column) for s in Shape.all(subtotal=True) for c in layout(s) if c.table == table)


@functools.cache
def _tables_by_key() -> dict[str, frozenset[str]]:
    """Normalised row label → the statutory tables (二, 三, 四) it labels a row of."""
    out: dict[str, set[str]] = {}
    for t, k in _row_keys():
        out.setdefault(k, set()).add(t)
    return {k: frozenset(v) for k, v in out.items()}


def _split_sections(
    doc: Document, problems: list[Problem]
) -> tuple[dict[int, tuple[int, str]], list[tuple[int, int]], int]:
    """The section headings: section index → (block, printed heading); (block, section) in order; first block."""
    sections = _sections()
    found: dict[int, tuple[int, str]] = {}
    expected = 0
    first = len(doc.blocks)
    order: list[tuple[int, int]] = []
    for bi, block in enumerate(doc.blocks):
        if block.kind in ("table", PROSE):
            continue
        hit = find_heading(block.text, expected)
        if hit is None or hit[0] in found:
            continue
        index, statutory = hit
        found[index] = (bi, block.text.strip())
        order.append((bi, index))
        first = min(first, bi)
        expected = index + 1
        if not statutory:
            _name, label, _ = sections[index]
            problems.append(
                Problem.at(
                    block.place,
                    f"heading {block.text.strip()!r} is not the statutory wording {NUMERALS[index]}、{label}",
                    label,
                    code="READ_HEADING_VARIANT",
                    severity="warning",
                )
            )
    order.sort()
    return found, order, first


def _misplaced(doc: Document, found: dict[int, tuple[int, str]], problems: list[Problem]) -> set[int]:
    """The table blocks printed inside another section than the statutory tables they hold (left out).

    A grid holding row labels of 表二 (三, 四) is that table's only where the document's headings put
    it: in its section (after the nearest heading before it), or wherever when the document prints
    no heading of that section outside tables, or when the grid prints that heading itself (a
    title row). A grid before every heading, or in a document without headings, is read as before.
    """
    if not found:
        return set()
    sections = _sections()
    marks: list[tuple[int, int]] = []  # (block, section) of every block that heads a section
    for bi, block in enumerate(doc.blocks):
        if block.kind in ("table", PROSE):
            continue
        hit = find_heading(block.text)
        if hit is not None:
            marks.append((bi, hit[0]))
    marks.extend((bi, index) for index, (bi, _) in found.items())
    marks.sort()
    headed = {index for _, index in marks}
    by_key = _tables_by_key()
    out: set[int] = set()
    k = -1
    for bi, block in enumerate(doc.blocks):
        while k + 1 < len(marks) and marks[k + 1][0] < bi:
            k += 1
        if block.grid is None or k < 0:
            continue
        section = marks[k][1]
        grid = block.grid
        keys = _short_keys(grid)
        tables = {t for key in keys for t in by_key.get(key, ())}
        if not tables:
            continue
        own = {NUMERALS.index(t) for t in tables}
        if section in own or own - headed:
            continue
        titled = {h[0] for c in block.grid.cells() if (h := find_heading(c.text)) is not None}
        if own & titled:
            continue
        out.add(bi)
        names = "、".join(f"表{t}" for t in sorted(tables, key="二三四".index))
        problems.append(
            Problem.at(
                block.place,
                f"a table with the row labels of {names} is printed inside section {NUMERALS[section]}、"
                f"{sections[section][1]}, not under its own heading: its figures are not read (its text is kept "
                "in the section)",
                names,
                code="READ_TABLE_MISPLACED",
                severity="warning",
            )
        )
    return out


def _section_texts(
    doc: Document, found: dict[int, tuple[int, str]], order: list[tuple[int, int]], misplaced: set[int]
) -> tuple[dict[str, str], dict[str, str]]:
    """Section texts and printed headings by attribute (a misplaced table's text is part of its section)."""
    sections = _sections()
    texts: dict[str, str] = {}
    headings: dict[str, str] = {}
    for k, (bi, index) in enumerate(order):
        end = order[k + 1][0] if k + 1 < len(order) else len(doc.blocks)
        body = [
            b.text.strip()
            for j, b in enumerate(doc.blocks[bi + 1 : end], bi + 1)
            if (b.kind != "table" or j in misplaced) and b.text.strip()
        ]
        name = sections[index][0]
        headings[name] = found[index][1]
        texts[name] = "\n".join(body)
    return texts, headings


def assemble(
    doc: Document,
    *,
    agency: str | None = None,
    year: int | None = None,
    edition: Edition | str | None = None,
    strict: bool = False,
) -> Imported:
    """Build the report a document prints; every problem is located, nothing is guessed."""
    problems: list[Problem] = list(doc.problems)
    found, order, first = _split_sections(doc, problems)
    misplaced = _misplaced(doc, found, problems)
    texts, headings = _section_texts(doc, found, order, misplaced)
    title = find_title(doc.blocks[: first + 1] if first < len(doc.blocks) else doc.blocks)
    meta = find_meta(doc, title, agency=agency, year=year)
    agency, year = meta.agency, meta.year
    grids = _stack([b.grid for i, b in enumerate(doc.blocks) if b.grid is not None and i not in misplaced])
    labels = list(dict.fromkeys([c.text for g in grids for c in g.cells()]))  # a set of labels: each once
    try:
        ed = Edition.resolve(edition, year or 2021) if edition is not None else None
    except ModelError as exc:
        return Imported(None, (*problems, *exc.problems), {}, doc.source, headings)
    if ed is None:
        ed, mixed = infer_edition(labels, year)
        problems.extend(attrs.evolve(p, code="READ_EDITION_MIXED") for p in mixed)
    shape, shape_problems = infer_shape(labels, ed)
    problems.extend(shape_problems)
    located = locate(grids, shape, strict=strict)
    by_order = read_by_order(doc, order, misplaced, shape, located.cells)
    if _unlabelled(shape, located.cells, by_order.tables):
        # no label of 表三 printed: one or three （六） rows cannot be told from labels, only from the rows counted
        other = attrs.evolve(shape, single_other_row=not shape.single_other_row)
        other_located = locate(grids, other, strict=strict)
        other_order = read_by_order(doc, order, misplaced, other, other_located.cells)
        if "三" in other_order.tables:
            shape, located, by_order = other, other_located, other_order
    problems.extend(p for p in located.problems if not superseded(p, shape, by_order.tables))
    problems.extend(by_order.problems)
    located.cells.update(by_order.cells)
    lifted = put_back(doc, order, misplaced, shape, located.cells, by_order.tables)
    problems.extend(lifted.problems)
    located.cells.update(lifted.cells)
    for path, printed_label in located.corrected.items():
        problems.append(_correction(shape, path, printed_label, located.cells))
    values: dict[str, Any] = {}
    places: dict[str, Place] = {}
    provenance: dict[str, Provenance] = {}
    found_cells, ordered, lifted_cells, make = located.cells, by_order.cells, lifted.cells, _make_provenance
    for cell in layout(shape):
        path = cell.path
        printed = found_cells.get(path)
        if printed is None:
            continue
        parsed = parse_value(printed.text, cell.kind, unit=cell.spec.unit)
        values[path] = parsed.value
        place = places[path] = printed.place
        how: Placement = (
            "order" if path in ordered else "lifted" if path in lifted_cells else "split" if printed.split else "label"
        )
        ocr = printed.ocr
        provenance[path] = make(
            place,
            printed.text,
            parsed.mark,
            parsed.note,
            printed.formula,
            how,
            parsed.problem is not None,
            None if ocr is None else ocr.confidence,
            () if ocr is None else ocr.alternatives,
            None,
        )
        if parsed.problem or parsed.warning or parsed.note:
            problems.extend(_value_problems(parsed, cell.label, place))
    if not provenance and (agency is None or year is None):  # nothing read, nothing named: no report
        missing = [n for n, v in (("agency", agency), ("year", year)) if v is None]
        problems.append(
            Problem(
                doc.source,
                f"the report's title does not name its {' and '.join(missing)}; pass "
                + ", ".join(f"{n}=" for n in missing),
                code="READ_TITLE_MISSING",
            )
        )
        return Imported(None, tuple(problems), provenance, doc.source, headings)
    problems.extend(meta.problems)
    fields = {
        "overview.text": texts.get("overview") or None,
        "problems": texts.get("problems") or None,
        "other_matters.text": texts.get("other_matters") or None,
    }
    report, refused = build(shape, values, agency=agency, year=year, fields=fields, places=places, code="READ_INVALID")
    named = {p.location for p in refused}  # a cell's path, or a row's (each cell of a refused row)
    for path in [k for k in provenance if k in named or k.rpartition(".")[0] in named] if named else ():
        provenance[path] = attrs.evolve(provenance[path], refused=True)  # found, but the model refused it
    problems.extend(attrs.evolve(p, location=str(p.place)) if p.place is not None else p for p in refused)
    if report is not None:  # every figure read by OCR verified by the identities, or said to be unverified
        provenance, unverified = verify(report, provenance)
        problems.extend(unverified)
    return Imported(report, tuple(problems), provenance, doc.source, headings, meta.provenance)


_make_provenance = maker(Provenance)


def _unlabelled(shape: Shape, cells: dict[str, Any], by_order: frozenset[str]) -> bool:
    """Whether 表三 printed no label (none of its cells found) and was not read by order in ``shape`` (2021)."""
    if shape.edition is not Edition.FORMAT_2021 or "三" in by_order:
        return False
    return not any(c.path in cells for c in layout(shape) if c.table == "三")


def _value_problems(parsed: ParsedValue, label: str, place: Place) -> list[Problem]:
    """What the value parser said about one printed figure: refused, converted, a remark kept."""
    out = []
    if parsed.problem:
        out.append(Problem.at(place, parsed.problem, label, code="READ_VALUE_REFUSED"))
    if parsed.warning:
        out.append(Problem.at(place, parsed.warning, label, code="READ_VALUE_CONVERTED", severity="warning"))
    if parsed.note:
        message = f"a remark printed with the figure is kept in provenance: {parsed.note}"
        out.append(Problem.at(place, message, label, code="READ_NOTE", severity="info"))
    return out


def _correction(shape: Any, path: str, printed: str, cells: dict[str, Any]) -> Problem:
    """One problem per row read from a variant or a misprinted label, placed at its first cell."""
    r = next(x for x in rows(shape) if x.path == path)
    variant = normalize_label(printed) in {normalize_label(a) for a in r.spec.aliases}
    first = next((c for p, c in cells.items() if p.startswith(path + ".")), None)
    place = first.place if first is not None else None
    return Problem.at(
        place,
        f"label {printed.strip()!r} read as {r.label!r}" + (" (a known variant)" if variant else " (a misprint)"),
        r.label,
        code="READ_LABEL_VARIANT" if variant else "READ_LABEL_CORRECTED",
        severity="info" if variant else "warning",
        where=f"表{r.table}",
    )
