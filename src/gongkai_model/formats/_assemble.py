"""From a document to a report: title, sections, tables by label, figures by one parser, the model's checks.

Every reader ends here (:func:`assemble`), so every format reads the same way.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence
from typing import Any

import attrs

from ..errors import ModelError, Place, Problem, RecordsError
from ..labels import normalize_label
from ..model._spec import Kind, field_specs
from ..model.layout import layout, rows
from ..model.report import NUMERALS, AnnualReport, OtherMatters, Overview
from ..model.values import Edition
from ..records import from_records, infer_edition, infer_shape
from ._document import Block, Document, Grid
from ._locate import known_labels, locate
from ._result import Imported, Provenance
from ._values import parse_value

__all__ = ["assemble", "find_heading", "find_title"]

_TITLE = re.compile(r"(?P<year>(?:19|20)\d{2})年度?(?:政府信息公开|政务公开|信息公开)(?:工作)?(?:年度)?报告")
_NUMBERED = re.compile(r"^(?P<n>[一二三四五六])[,.、．]")


def _sections() -> list[tuple[str, str, tuple[str, ...]]]:
    """(attribute, statutory heading label, variant labels) of the six sections, in order."""
    return [(i.name, i.spec.label, i.spec.aliases) for i in field_specs(AnnualReport) if i.spec.kind is Kind.SECTION]


def find_heading(text: str, expected: int | None = None) -> tuple[int, bool] | None:
    """Which section ``text`` heads, if it is a heading: ``(index from 0, statutory wording?)``.

    A heading is the section's label, with or without its numeral (``一、``), or one of the model's
    declared variants; a short numbered line whose numeral is the ``expected`` next section is also
    taken as that section's heading in a non-statutory wording.

    >>> find_heading("一、总体情况"), find_heading("二、主动公开政府信息情况"), find_heading("说明")
    ((0, True), (1, True), None)
    >>> find_heading("五、存在的主要问题及整改措施")
    (4, False)
    """
    key = normalize_label(text).rstrip("。.:：")
    if not key or len(key) > 40 or key in known_labels():
        return None
    m = _NUMBERED.match(key)
    rest = key[m.end() :] if m else key
    for i, (_, label, aliases) in enumerate(_sections()):
        if rest == normalize_label(label):
            return (i, True) if m is None or NUMERALS.index(m.group("n")) == i else None
        if rest in {normalize_label(a) for a in aliases}:
            return (i, False) if m is None or NUMERALS.index(m.group("n")) == i else None
    if m is not None and expected is not None and NUMERALS.index(m.group("n")) == expected and len(rest) <= 30:
        return expected, False
    return None


def find_title(blocks: Sequence[Block]) -> tuple[str | None, int | None, Place | None]:
    """The agency and year named by the report's title, from the blocks before the first section."""
    texts = [b for b in blocks if b.kind != "table" and b.text.strip()]
    for i, block in enumerate(texts[:8]):
        printed = re.sub(r"\s+", "", block.text)
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
            before = re.sub(r"\s+", "", texts[i - 1].text)
            if 2 <= len(before) <= 40 and "报告" not in before:
                agency = before
        return agency or None, int(m.group("year")), block.place
    return None, None, None


def _continues(prev: Grid, grid: Grid) -> bool:
    """Whether ``grid`` is ``prev`` continued (next page): rows of the same table, no headers of its own."""
    if prev.width != grid.width:
        return False
    keys = {normalize_label(c.text) for c in grid.cells()}
    prev_keys = {normalize_label(c.text) for c in prev.cells()}
    shapes = _row_keys()
    tables = {t for t, k in shapes if k in keys}
    prev_tables = {t for t, k in shapes if k in prev_keys}
    if not tables or not tables <= prev_tables:
        return False
    headers = {normalize_label(c.column) for s in _shapes() for c in layout(s) if c.table in tables}
    return not (keys & headers)


@functools.cache
def _row_keys() -> frozenset[tuple[str, str]]:
    """(table, normalised row label) of every row label and variant of every shape."""
    return frozenset(
        (r.table, normalize_label(x)) for s in _shapes() for r in rows(s) for x in (r.label, *r.spec.aliases)
    )


def _shapes() -> tuple[Any, ...]:
    from ._locate import _ALL_SHAPES

    return _ALL_SHAPES


def _stack(grids: list[Grid]) -> list[Grid]:
    out: list[Grid] = []
    for grid in grids:
        if out and _continues(out[-1], grid):
            out[-1] = out[-1].stacked(grid)
        else:
            out.append(grid)
    return out


def _split_sections(doc: Document, problems: list[Problem]) -> tuple[dict[str, str], dict[str, str], int]:
    """Section texts and printed headings by attribute; the index of the first heading block."""
    sections = _sections()
    found: dict[int, tuple[int, str]] = {}
    expected = 0
    first = len(doc.blocks)
    order: list[tuple[int, int]] = []
    for bi, block in enumerate(doc.blocks):
        if block.kind == "table":
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
            name, label, _ = sections[index]
            problems.append(
                Problem(
                    str(block.place),
                    f"heading {block.text.strip()!r} is not the statutory wording {NUMERALS[index]}、{label}",
                    label,
                    code="READ_HEADING_VARIANT",
                    severity="warning",
                    place=block.place,
                )
            )
    texts: dict[str, str] = {}
    headings: dict[str, str] = {}
    order.sort()
    for k, (bi, index) in enumerate(order):
        end = order[k + 1][0] if k + 1 < len(order) else len(doc.blocks)
        body = [b.text.strip() for b in doc.blocks[bi + 1 : end] if b.kind != "table" and b.text.strip()]
        name = sections[index][0]
        headings[name] = found[index][1]
        texts[name] = "\n".join(body)
    return texts, headings, first


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
    texts, headings, first = _split_sections(doc, problems)
    title_agency, title_year, _ = find_title(doc.blocks[: first + 1] if first < len(doc.blocks) else doc.blocks)
    if agency is None:
        agency = title_agency
    if year is None:
        year = title_year
    grids = _stack(doc.grids)
    labels = list(dict.fromkeys(c.text for g in grids for c in g.cells()))  # a set of labels: each once
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
    problems.extend(located.problems)
    for path, printed_label in located.corrected.items():
        problems.append(_correction(shape, path, printed_label, located.cells))
    records: list[dict[str, Any]] = []
    provenance: dict[str, Provenance] = {}
    where: dict[int, Place] = {}
    for cell in layout(shape):
        value: Any = None
        printed = located.cells.get(cell.path)
        if printed is not None:
            parsed = parse_value(printed.text, cell.kind, unit=cell.spec.unit)
            value = parsed.value
            provenance[cell.path] = Provenance(printed.place, printed.text, parsed.mark, parsed.note, printed.formula)
            label = cell.label
            if parsed.problem:
                problems.append(
                    Problem(str(printed.place), parsed.problem, label, code="READ_VALUE_REFUSED", place=printed.place)
                )
            if parsed.warning:
                problems.append(
                    Problem(
                        str(printed.place),
                        parsed.warning,
                        label,
                        code="READ_VALUE_CONVERTED",
                        severity="warning",
                        place=printed.place,
                    )
                )
            if parsed.note:
                problems.append(
                    Problem(
                        str(printed.place),
                        f"a remark printed with the figure is kept in provenance: {parsed.note}",
                        label,
                        code="READ_NOTE",
                        severity="info",
                        place=printed.place,
                    )
                )
            where[len(records)] = printed.place
        records.append({"table": cell.table, "row": cell.row, "column": cell.column, "value": value})
    if agency is None or year is None:
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
    try:
        report = from_records(records, agency=agency, year=year, edition=shape.edition)
        overview_text = texts.get("overview") or None
        other_text = texts.get("other_matters") or None
        report = attrs.evolve(
            report,
            overview=Overview(text=overview_text),
            problems=texts.get("problems") or None,
            other_matters=OtherMatters(text=other_text),
        )
        if shape.subtotal_column and not report.table3.subtotal_column:
            report = attrs.evolve(report, table3=attrs.evolve(report.table3, subtotal_column=True))
    except (RecordsError, ModelError) as exc:
        for p in exc.problems:
            m = re.match(r"record (\d+)", p.location)
            place = where.get(int(m.group(1))) if m else None
            problems.append(
                attrs.evolve(p, location=str(place) if place else p.location, code="READ_INVALID", place=place)
            )
        return Imported(None, tuple(problems), provenance, doc.source, headings)
    return Imported(report, tuple(problems), provenance, doc.source, headings)


def _correction(shape: Any, path: str, printed: str, cells: dict[str, Any]) -> Problem:
    """One problem per row read from a variant or a misprinted label, placed at its first cell."""
    r = next(x for x in rows(shape) if x.path == path)
    variant = normalize_label(printed) in {normalize_label(a) for a in r.spec.aliases}
    first = next((c for p, c in cells.items() if p.startswith(path + ".")), None)
    place = first.place if first is not None else None
    return Problem(
        str(place) if place else f"表{r.table}",
        f"label {printed.strip()!r} read as {r.label!r}" + (" (a known variant)" if variant else " (a misprint)"),
        r.label,
        code="READ_LABEL_VARIANT" if variant else "READ_LABEL_CORRECTED",
        severity="info" if variant else "warning",
        place=place,
    )
