"""Reading a table by the statutory row order, verified, where its labels were lost.

Conversions (text and Markdown made from PDFs and Word files) often print a table's figures with
their labels detached (above the table, or nowhere), or under invented headers (``数据1 … 数据6``),
or cut over several tables with page footers (``— 3 —``) between them. When no cell of a statutory
table was found by its labels, its value rows (rows whose trailing cells are all figures or blank
marks) are collected in the table's section, in order, and placed by the statutory order of the
detected shape, ONLY when

- their count and the figures per row match the shape exactly (one printed row per statutory row,
  or the whole table on one printed row, as 表四 prints), every figure parses, and any row label
  still printed beside the figures is the one of the row at that position; and
- every identity those cells take part in (:func:`gongkai_model.model.identities.identities`)
  then holds, with no blank among its members; a table without identities (表二) is never read so.

Otherwise nothing is read and the table is refused as before. Every figure placed this way has
``Provenance.how == "order"``, and the table one ``READ_BY_ORDER`` warning naming the identities
that confirmed it. Page footers (``— 3 —``, ``- 3 -``, ``第3页``) and stray numbering lines among
the rows are dropped with a ``READ_FOOTER_DROPPED`` note.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

import attrs

from ..errors import Problem
from ..labels import normalize_label
from ..model.identities import holds, identities
from ..model.layout import Shape, label_index, layout, rows
from ..model.spec import Value
from ..presentation import sheet_name
from ._document import Document, GridCell
from ._values import parse_value

__all__ = ["OrderRead", "is_footer", "read_by_order", "superseded"]

#: The sections (index from 0) that hold the tables that can be read by order (表二 has no identities).
_SECTION = {"三": 2, "四": 3}
_FOOTER = re.compile(r"^(?:[—–\-－]+\s*\d{1,4}\s*[—–\-－]+|第\s*\d{1,4}\s*页(?:\s*[,，/／]?\s*共\s*\d{1,4}\s*页)?)$")
_NUMBERING = re.compile(r"^\d{1,3}$")


def is_footer(text: str) -> bool:
    """Whether ``text`` is a page footer a conversion left inside a table.

    >>> is_footer("— 3 —"), is_footer("- 12 -"), is_footer("第3页"), is_footer("第3页共9页"), is_footer("3")
    (True, True, True, True, False)
    """
    return bool(_FOOTER.match(text.strip()))


@attrs.frozen
class OrderRead:
    """What was read by order: model path → printed cell, the problems to add, the tables read."""

    cells: dict[str, GridCell]
    problems: list[Problem]
    tables: frozenset[str]


def _section_blocks(
    doc: Document, section: int, order: Sequence[tuple[int, int]], misplaced: set[int]
) -> list[int] | None:
    """The grid blocks of ``section`` (after its heading, up to the next heading), or ``None`` if not headed."""
    for k, (bi, index) in enumerate(order):
        if index == section:
            end = order[k + 1][0] if k + 1 < len(order) else len(doc.blocks)
            return [j for j in range(bi + 1, end) if doc.blocks[j].grid is not None and j not in misplaced]
    return None


def _value_like(cell: GridCell, kind: Value) -> bool:
    """Whether a printed cell is a figure or a blank (mark) of ``kind``, not a label."""
    return parse_value(cell.text, kind).problem is None


def read_by_order(
    doc: Document,
    order: Sequence[tuple[int, int]],
    misplaced: set[int],
    shape: Shape,
    found: dict[str, GridCell],
) -> OrderRead:
    """The statutory tables of ``shape`` none of whose cells were ``found`` by label, read by order where verified."""
    cells_out: dict[str, GridCell] = {}
    problems: list[Problem] = []
    tables: set[str] = set()
    all_cells = layout(shape)
    index_of = {c.path: i for i, c in enumerate(all_cells)}
    keys_of = label_index(shape).row_keys
    for table, section in _SECTION.items():
        mine = [c for c in all_cells if c.table == table]
        if not mine or any(c.path in found for c in mine):
            continue
        blocks = _section_blocks(doc, section, order, misplaced)
        if not blocks:
            continue
        the_rows = [r for r in rows(shape) if r.table == table]
        per_row = [sum(c.row_info.path == r.path for c in mine) for r in the_rows]
        kind = mine[0].kind
        printed: list[tuple[list[GridCell], list[GridCell]]] = []  # (leading cells, value cells) per row
        notes: list[Problem] = []
        for bi in blocks:
            grid = doc.blocks[bi].grid
            assert grid is not None
            for r, row in enumerate(grid.rows):
                seen: dict[int, GridCell] = {}
                for cell in row:
                    if cell is not None and cell.top == r:
                        seen.setdefault(id(cell), cell)
                line = sorted(seen.values(), key=lambda c: c.left)
                texts = [c.text.strip() for c in line if c.text.strip()]
                if not texts:
                    continue
                if all(is_footer(t) for t in texts) or (
                    len(texts) == 1 and _NUMBERING.match(texts[0]) and min(per_row) > 1 and len(line) == 1
                ):
                    if not notes:  # one note per table
                        notes.append(
                            Problem.at(
                                line[0].place,
                                f"{texts[0]!r} inside the table is a page footer or a numbering line; dropped",
                                None,
                                code="READ_FOOTER_DROPPED",
                                severity="info",
                            )
                        )
                    continue
                k = len(line)
                while k > 0 and _value_like(line[k - 1], kind):
                    k -= 1
                if k == len(line):
                    continue  # a header or label row: no figure
                printed.append((line[:k], line[k:]))
        widths = [len(v) for _, v in printed]
        if widths != per_row and widths != [len(mine)]:
            continue
        # a row label still printed beside the figures must be the one of the row at that position
        if widths == per_row:
            table_keys = {k for r in the_rows for k in keys_of[r.path]}
            wrong = any(
                normalize_label(c.text) in table_keys and normalize_label(c.text) not in keys_of[the_rows[i].path]
                for i, (lead, _) in enumerate(printed)
                for c in lead
            )
            if wrong:
                continue
        flat = [v for _, vs in printed for v in vs]
        values: list[object] = [None] * len(all_cells)
        refused = False
        for c, cell in zip(mine, flat, strict=True):
            parsed = parse_value(cell.text, c.kind, unit=c.spec.unit)
            if parsed.problem is not None:
                refused = True
                break
            values[index_of[c.path]] = parsed.value
        if refused:
            continue
        indices = {index_of[c.path] for c in mine}
        mine_ids = [i for i in identities(shape) if indices.intersection(i.members)]
        if not mine_ids or any(holds(i, values) is not True for i in mine_ids):
            continue
        for c, cell in zip(mine, flat, strict=True):
            cells_out[c.path] = cell
        tables.add(table)
        problems.extend(notes)
        counts = Counter(i.code for i in mine_ids)
        confirmed = ", ".join(f"{code} ×{n}" for code, n in counts.items())
        problems.append(
            Problem.at(
                flat[0].place,
                f"the labels of {sheet_name(table)}'s value rows were lost: its {len(flat)} figures are placed by "
                f"the statutory row order, confirmed by every identity they take part in ({confirmed})",
                sheet_name(table),
                code="READ_BY_ORDER",
                severity="warning",
            )
        )
    return OrderRead(cells_out, problems, frozenset(tables))


def superseded(problem: Problem, shape: Shape, tables: frozenset[str]) -> bool:
    """Whether a locator's problem is about a table read by order (the table missing, its rows or columns)."""
    if not tables or problem.code not in {
        "READ_TABLE_MISSING",
        "READ_ROW_MISSING",
        "READ_COLUMN_MISSING",
        "READ_UNALIGNED",
    }:
        return False
    label = problem.label or ""
    for table in tables:
        if label == sheet_name(table):
            return True
        for r in rows(shape):
            if r.table == table and (label == r.label or label.startswith(f"{r.label} × ")):
                return True
    return False
