"""HTML for notebooks: reports, tables, validation results, suggestions and comparisons.

(Called ``gongkai_model.display`` before 0.2: renamed so that it never shadows IPython's ``display()``.)

Jupyter shows an object through its ``_repr_html_`` method.  The renderers
live here, outside the model (which stays pure), and :func:`install` registers
them for the classes' own ``_repr_html_`` when ``gongkai_model`` is imported, so a report in a
notebook cell shows its three tables in the official layout with a badge of
its validation verdict.  Every text is HTML-escaped; a blank cell is an empty,
lightly shaded cell, never a 0.  :func:`render` gives the same HTML for any of
these objects, and for a list of suggestions, as an :class:`Html` string that
notebooks display.

>>> import gongkai_model as gk
>>> html = gk.examples.seed_report()._repr_html_()
>>> "北京市西城区信访办公室" in html, html.count("<table"), "OK" in html
(True, 3, True)
>>> bad = gk.model.replace_path(gk.examples.seed_report(), "agency", "<script>alert(1)</script>&")
>>> html = bad._repr_html_()
>>> "&lt;script&gt;alert(1)&lt;/script&gt;&amp;" in html, "<script" in html
(True, False)
"""

from __future__ import annotations

import html
import operator
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from ._views import register_html
from .checks import Finding, Severity, Suggestion, ValidationResult, validate
from .errors import GongkaiError, Problem
from .model.layout import Shape
from .model.report import NUMERALS, UNKNOWN_AGENCY, UNKNOWN_YEAR, AnnualReport
from .model.spec import Kind, Node, field_specs
from .model.tables import (
    ApplicantCounts,
    Applications,
    ProactiveDisclosure2019,
    ProactiveDisclosure2021,
    ReviewAndLitigation,
)
from .model.values import Edition

if TYPE_CHECKING:
    from .compare import Comparison
    from .presentation import Label, SheetPlan, ValueCell

__all__ = [
    "Html",
    "comparison_html",
    "install",
    "render",
    "report_html",
    "result_html",
    "suggestion_html",
    "suggestions_html",
    "table_html",
]

#: The table classes that get an HTML view of their own.
TABLE_CLASSES: tuple[type[Node], ...] = (
    ProactiveDisclosure2019,
    ProactiveDisclosure2021,
    Applications,
    ReviewAndLitigation,
)

_BORDER = "border:1px solid #999;padding:2px 6px;"
_STYLE = {
    "table": "border-collapse:collapse;font-size:12px;margin:4px 0 12px 0;",
    "caption": "caption-side:top;text-align:left;font-weight:bold;padding:2px 0;",
    "header": _BORDER + "background:#f4f4f4;text-align:center;font-weight:normal;",
    "group": _BORDER + "background:#f4f4f4;text-align:left;font-weight:normal;",
    "row": _BORDER + "text-align:left;font-weight:normal;",
    "note": _BORDER + "background:#f4f4f4;text-align:left;font-weight:normal;font-size:10px;color:#555;",
    "value": _BORDER + "text-align:right;font-variant-numeric:tabular-nums;",
    "blank": _BORDER + "background:#eceff1;",
    "cell": _BORDER + "text-align:left;vertical-align:top;",
}
_BADGE = "display:inline-block;padding:1px 8px;border-radius:9px;color:#fff;font-size:12px;background:"
_COLOURS = {"ok": "#2e7d32", "bad": "#c62828", "warn": "#ef6c00"}


class Html(str):
    """A string of HTML that notebooks display as HTML (``render`` returns one)."""

    __slots__ = ()

    def _repr_html_(self) -> str:
        return str(self)


def _e(value: object) -> str:
    """Text, escaped for HTML content and attribute values."""
    return html.escape(str(value), quote=True)


def _number(value: object) -> str:
    from .presentation import figure_text  # the renderers' one number formatter (imported on first use)

    return _e(figure_text(value))


# ---------------------------------------------------------------------------
# Tables, in the official layout (the Excel plan of each table)


def _section(node: Node) -> tuple[str, str]:
    """The numeral and field name of the section a table class fills (from the report's fields)."""
    number = 0
    for info in field_specs(AnnualReport):
        if info.spec.kind is not Kind.SECTION:
            continue
        if type(node) in info.types:
            return NUMERALS[number], info.name
        number += 1
    raise GongkaiError("cannot show this object", [Problem(type(node).__name__, "is not one of the report's tables")])


def _shape_of_table(node: Node) -> Shape:
    edition = Edition.FORMAT_2019 if isinstance(node, ProactiveDisclosure2019) else Edition.FORMAT_2021
    if isinstance(node, Applications):
        return Shape(edition, isinstance(node.results.other, ApplicantCounts), node.subtotal_column)
    return Shape(edition, edition is Edition.FORMAT_2019)


def _plan(shape: Shape, table: str) -> SheetPlan:
    from .presentation import plans  # openpyxl is loaded when a table is first shown, not at import

    return next(p for p in plans(shape) if p.table == table)


def _td(value: object, path: str, spans: str = "") -> str:
    if value is None:
        return f'<td{spans} class="gk-blank" style="{_STYLE["blank"]}" title="空白 blank: {_e(path)}"></td>'
    return f'<td{spans} class="gk-value" style="{_STYLE["value"]}" title="{_e(path)}">{_number(value)}</td>'


def _grid(plan: SheetPlan, value_of: Callable[[str], object]) -> str:
    """The plan's labels and value cells as an HTML table with its merged cells as row and column spans."""
    from .formats.html import plan_rows_html  # the one plan-to-HTML renderer (imported on first use)

    def label_cell(label: Label, spans: str) -> str:
        scope = ' scope="row"' if label.kind == "row" else ""
        return f'<th{spans}{scope} style="{_STYLE[label.kind]}">{_e(label.text)}</th>'

    def value_cell(value: ValueCell, spans: str) -> str:
        return _td(value_of(value.cell.path), value.cell.path, spans)

    lines = [
        f'<table class="gk-table" style="{_STYLE["table"]}">',
        f'<caption style="{_STYLE["caption"]}">{_e(plan.title)}</caption>',
        *plan_rows_html(plan, label_cell, value_cell, f'<td style="{_STYLE["cell"]}"></td>'),
        "</table>",
    ]
    return "\n".join(lines)


def table_html(node: Node) -> str:
    """One table (表二 of either edition, 表三 or 表四) in its official layout, blanks shaded, text escaped."""
    table, name = _section(node)
    shape = _shape_of_table(node)
    prefix = len(name) + 1
    return _grid(_plan(shape, table), lambda path: operator.attrgetter(path[prefix:])(node))


# ---------------------------------------------------------------------------
# Verdicts, findings and suggestions


def _counts(result: ValidationResult) -> dict[Severity, int]:
    return {s: sum(f.severity is s for f in result.issues) for s in Severity}


def _badge(result: ValidationResult) -> str:
    counts = _counts(result)
    broken = counts[Severity.ERROR] + counts[Severity.INCONSISTENCY]
    parts = [f"{n} {s.value}" for s, n in counts.items() if n]
    verdict = result.verdict
    if broken or not verdict.clean:  # broken, or nothing (empty) or too little (unassessed) checked
        colour, head = _COLOURS["bad"], "✗ NOT OK" + ("" if broken else f" ({verdict})")
    elif counts[Severity.WARNING]:
        colour, head = _COLOURS["warn"], "✓ OK"
    else:
        colour, head = _COLOURS["ok"], "✓ OK"
    detail = f"{result.assessed} assessed by {len(result.checks_performed)} checks"
    if result.tally is not None:
        detail = f"{result.tally} · {detail}"
    text = f"{head} · {detail}" + (f" · {', '.join(parts)}" if parts else "")
    return f'<span class="gk-badge" style="{_BADGE}{colour}">{_e(text)}</span>'


def _messages(zh: str, en: str) -> str:
    return f'{_e(zh)}<br><span style="color:#555">{_e(en)}</span>'


def _figure(value: object) -> str:
    return "" if value is None else _number(value)


def _findings_table(findings: Iterable[Finding]) -> str:
    rows = []
    for f in findings:
        colour = {Severity.ERROR: "bad", Severity.INCONSISTENCY: "bad", Severity.WARNING: "warn"}.get(f.severity)
        style = _STYLE["cell"] + (f"color:{_COLOURS[colour]};" if colour else "color:#555;")
        rows.append(
            "<tr>"
            f'<td style="{style}">{_e(f.severity.value)}</td>'
            f'<td style="{_STYLE["cell"]}"><code>{_e(f.code)}</code></td>'
            f'<td style="{_STYLE["cell"]}">{_e(f.location)}</td>'
            f'<td style="{_STYLE["cell"]}">{_messages(f.message_zh, f.message_en)}</td>'
            f'<td style="{_STYLE["value"]}">{_figure(f.expected)}</td>'
            f'<td style="{_STYLE["value"]}">{_figure(f.actual)}</td>'
            f'<td style="{_STYLE["value"]}">{_figure(f.difference)}</td>'
            "</tr>"
        )
    head = "".join(
        f'<th style="{_STYLE["header"]}">{name}</th>'
        for name in ("severity", "code", "where", "message", "expected", "actual", "difference")
    )
    return f'<table class="gk-findings" style="{_STYLE["table"]}"><tr>{head}</tr>{"".join(rows)}</table>'


def suggestion_html(suggestion: Suggestion) -> str:
    """One repair suggestion: its message and the cells it would change."""
    return suggestions_html([suggestion])


def suggestions_html(suggestions: Iterable[Suggestion]) -> str:
    """A list of repair suggestions, best first: each one's message and the cells it would change."""
    rows = []
    for number, s in enumerate(suggestions, 1):
        changes = "<br>".join(
            f"表{_e(c.table)} {_e(c.row)} × {_e(c.column)}: {_e('空白' if c.current is None else _number(c.current))}"
            f" → {_number(c.proposed)}"
            for c in s.changes
        )
        rows.append(
            "<tr>"
            f'<td style="{_STYLE["value"]}">{number}</td>'
            f'<td style="{_STYLE["cell"]}">{_e(s.kind)}</td>'
            f'<td style="{_STYLE["cell"]}">{_messages(s.message_zh, s.message_en)}</td>'
            f'<td style="{_STYLE["cell"]}">{changes}</td>'
            f'<td style="{_STYLE["value"]}">{_e(s.score)}</td>'
            "</tr>"
        )
    if not rows:
        return '<div class="gk-suggestions">No suggestions.</div>'
    head = "".join(
        f'<th style="{_STYLE["header"]}">{name}</th>' for name in ("#", "kind", "suggestion", "changes", "restores")
    )
    return f'<table class="gk-suggestions" style="{_STYLE["table"]}"><tr>{head}</tr>{"".join(rows)}</table>'


def result_html(result: ValidationResult) -> str:
    """A validation result: its verdict badge, every finding, and its repair suggestions."""
    out = [f'<div class="gongkai gk-result">{_badge(result)}']
    if result.issues:
        out.append(_findings_table(result.issues))
    if result.suggestions:
        out.append(f"<div><b>Suggestions</b></div>{suggestions_html(result.suggestions)}")
    out.append("</div>")
    return "\n".join(out)


# ---------------------------------------------------------------------------
# The report


def report_html(report: AnnualReport) -> str:
    """A report: agency, year and edition, its validation badge, and its three tables in the official layout."""
    from .model.layout import shape_of

    result = validate(report, suggestions=False)
    shape = shape_of(report)
    head = (
        f"<div><b>{_e(UNKNOWN_AGENCY if report.agency is None else report.agency)}</b> "
        f"{_e(UNKNOWN_YEAR if report.year is None else f'{report.year}年')}{_e(report.TITLE)}"
        f' <span style="color:#555">({_e(report.edition.value)} format)</span> {_badge(result)}</div>'
    )
    tables = []
    for info in field_specs(AnnualReport):
        value = getattr(report, info.name)
        if info.spec.kind is Kind.SECTION and isinstance(value, TABLE_CLASSES):
            table, _ = _section(value)
            tables.append(_grid(_plan(shape, table), lambda path: operator.attrgetter(path)(report)))
    return '<div class="gongkai gk-report">' + head + "\n".join(tables) + "</div>"


def comparison_html(comparison: Comparison) -> str:
    """A comparison of two reports: the changed cells with both values, then the cells only one has."""
    head = "".join(
        f'<th style="{_STYLE["header"]}">{name}</th>'
        for name in ("table", "row", "column", _e(comparison.a_name), _e(comparison.b_name), "difference")
    )
    rows = []
    for c in comparison.changes:
        rows.append(
            "<tr>"
            f'<td style="{_STYLE["cell"]}">表{_e(c.table)}</td>'
            f'<td style="{_STYLE["cell"]}">{_e(c.row)}</td>'
            f'<td style="{_STYLE["cell"]}">{_e(c.column)}</td>'
            f"{_td(c.old, c.path)}{_td(c.new, c.path)}"
            f'<td style="{_STYLE["value"]}">{_figure(c.difference)}</td>'
            "</tr>"
        )
    a, b = comparison.a_name, comparison.b_name
    summary = (
        f"{len(comparison.changes)} changed, {comparison.unchanged} unchanged, "
        f"{len(comparison.only_in_a)} only in {a}, {len(comparison.only_in_b)} only in {b}"
    )
    table = ""
    if rows:
        table = f'<table class="gk-comparison" style="{_STYLE["table"]}"><tr>{head}</tr>{"".join(rows)}</table>'
    return f'<div class="gongkai gk-comparison"><div>{_e(summary)}</div>{table}</div>'


# ---------------------------------------------------------------------------
# Hooking into notebooks


def render(obj: object) -> Html:
    """The HTML of a report, a table, a validation result, a comparison, one suggestion or a list of them.

    A list of suggestions has no ``_repr_html_`` of its own (it is a plain
    tuple), so show it with ``render(result.suggestions)``.
    """
    from .compare import Comparison

    if isinstance(obj, AnnualReport):
        return Html(report_html(obj))
    if isinstance(obj, TABLE_CLASSES):
        return Html(table_html(obj))
    if isinstance(obj, ValidationResult):
        return Html(result_html(obj))
    if isinstance(obj, Comparison):
        return Html(comparison_html(obj))
    if isinstance(obj, Suggestion):
        return Html(suggestion_html(obj))
    if isinstance(obj, (list, tuple)) and all(isinstance(s, Suggestion) for s in obj):
        return Html(suggestions_html(obj))
    raise GongkaiError("cannot show this object", [Problem(type(obj).__name__, "has no HTML view")])


def install() -> None:
    """Register the HTML views of the model, check and comparison classes (done by ``import gongkai_model``).

    Each class defines ``_repr_html_`` in its own body; the HTML is made here, registered through
    :mod:`gongkai_model._views` so that the model never imports this module. Running it again is harmless.
    """
    from .compare import Comparison

    views: dict[type, Callable[[Any], str]] = {
        AnnualReport: report_html,
        ValidationResult: result_html,
        Suggestion: suggestion_html,
        Comparison: comparison_html,
    }
    views.update(dict.fromkeys(TABLE_CLASSES, table_html))
    for cls, view in views.items():
        register_html(cls, view)


install()
