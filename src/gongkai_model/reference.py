"""Reference tables of the model, rendered from the classes (for docs and notebooks).

``docs/model.md`` embeds :func:`model_reference` verbatim; a test keeps it in
sync, so the documentation cannot drift from the model.

>>> print(model_reference().splitlines()[0])
### 表二 主动公开政府信息情况 — 2021 format (`ProactiveDisclosure2021`)
"""

from __future__ import annotations

from .model.layout import RowInfo, Shape, layout, rows
from .model.report import AnnualReport
from .model.spec import Value, field_specs
from .model.values import Edition
from .presentation import section_headings

__all__ = ["model_reference", "section_headings"]

_KIND = {
    Value.COUNT: "count ≥ 0",
    Value.SIGNED: "signed count",
    Value.MONEY: "Decimal ≥ 0",
    Value.AMOUNT: "Amount",
}


def _row_label(r: RowInfo) -> str:
    above = " › ".join(g.label for g in r.groups)
    banner = f"{r.spec.banner} › " if r.spec.banner else ""
    return f"{banner}{above + ' › ' if above else ''}{r.label}"


def _columns(shape: Shape, r: RowInfo) -> str:
    cols = [c for c in layout(Shape(shape.edition, shape.single_other_row, True)) if c.row_info == r]
    return "; ".join(
        f"{c.column} → `{c.path.rsplit('.', 1)[1]}`"
        + (f" ({_KIND[c.kind]})" if c.kind is not Value.COUNT else "")
        + (f" [under {c.spec.header}]" if c.spec.header else "")
        + (" [only with `subtotal_column=True`]" if c.spec.total == "header" else "")
        for c in cols
    )


def _table(shape: Shape, table: str, title: str) -> list[str]:
    the_rows = [r for r in rows(shape) if r.table == table]
    n_cells = sum(c.table == table for c in layout(shape))
    shared = len({r.row_class for r in the_rows}) == 1
    lines = [title, ""]
    if shared:
        lines += [f"Every row is of class `{the_rows[0].row_class.__name__}`: {_columns(shape, the_rows[0])}.", ""]
        lines += ["| row (statutory label, with the groups above it) | path |", "|---|---|"]
        lines += [f"| {_row_label(r)} | `{r.path}` |" for r in the_rows]
    else:
        lines += ["| row (statutory label, with the banner above it) | path | class: columns |", "|---|---|---|"]
        lines += [
            f"| {_row_label(r)} | `{r.path}` | `{r.row_class.__name__}`: {_columns(shape, r)} |" for r in the_rows
        ]
    lines += ["", f"{len(the_rows)} rows, {n_cells} cells.", ""]
    return lines


def model_reference() -> str:
    """Markdown tables: every table row of both editions, its path and its columns."""
    titles = {info.name: info.spec.label for info in field_specs(AnnualReport)}
    lines: list[str] = []
    s2021 = Shape(Edition.FORMAT_2021, False)
    s2019 = Shape(Edition.FORMAT_2019, True)
    lines += _table(s2021, "二", f"### 表二 {titles['table2']} — 2021 format (`ProactiveDisclosure2021`)")
    lines += _table(s2019, "二", f"### 表二 {titles['table2']} — 2019 format (`ProactiveDisclosure2019`)")
    lines += _table(s2021, "三", f"### 表三 {titles['table3']} — both formats (`Applications`), 2021 rows")
    lines += _table(s2019, "三", f"### 表三 {titles['table3']} — 2019 rows (and the hybrid 2021 form)")
    lines += _table(s2021, "四", f"### 表四 {titles['table4']} — both formats (`ReviewAndLitigation`)")
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":  # pragma: no cover - used to refresh docs/model.md
    print(model_reference(), end="")
