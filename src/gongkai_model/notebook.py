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
from collections import Counter
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import attrs

from ._views import clip, counted, register_html
from .batch import BatchResult, FileResult
from .checks import Finding, Severity, Suggestion, ValidationResult, validate
from .errors import GongkaiError, Problem, Verdict
from .formats import Imported
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
from .readcheck import CheckedReport

if TYPE_CHECKING:
    from .compare import Comparison
    from .presentation import Label, SheetPlan, ValueCell

__all__ = [
    "MAX_DETAILS",
    "MAX_FILES",
    "MAX_ROWS",
    "Html",
    "batch_html",
    "checked_html",
    "comparison_html",
    "file_html",
    "imported_html",
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

#: The most findings, problems or suggestions one table shows (the rest are counted: "… N more not shown").
MAX_ROWS = 200
#: The most files the table of a batch shows.
MAX_FILES = 100
#: The most findings and problems folded under each file of a batch.
MAX_DETAILS = 10
#: The most findings named in the tooltip of one marked cell.
MAX_MARKS = 3

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
    "broken": "background:#ffcdd2;color:#b71c1c;font-weight:bold;",
    "suggested": "outline:2px dashed #1565c0;outline-offset:-3px;",
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


@attrs.frozen
class _Marks:
    """What a report view marks: the cells of broken identities and the cells a best suggestion changes."""

    broken: dict[str, list[str]] = attrs.field(factory=dict)
    suggested: dict[str, list[str]] = attrs.field(factory=dict)

    @classmethod
    def of(cls, result: ValidationResult | None) -> _Marks:
        marks = cls()
        if result is None:
            return marks
        for f in result.issues:
            if f.severity not in (Severity.ERROR, Severity.INCONSISTENCY) or not f.assessable:
                continue
            text = f"[{f.code}] {f.message_zh}"
            for path in dict.fromkeys([*([f.path] if f.path else []), *(c.path for c in f.cells)]):
                marks.broken.setdefault(path, []).append(text)
        for s in result.best:
            for c in s.changes:
                now = "空白" if c.current is None else c.current
                marks.suggested.setdefault(c.path, []).append(f"建议 由 {now} 改为 {c.proposed}：{s.message_zh}")
        return marks

    def cell(self, path: str) -> tuple[str, str, str]:
        """The extra class, style and tooltip lines of the cell at ``path``."""
        classes, style, lines = "", "", []
        for name, found in (("gk-broken", self.broken.get(path)), ("gk-suggested", self.suggested.get(path))):
            if found:
                classes += " " + name
                style += _STYLE[name[3:]]
                lines += [clip(t, 200) for t in found[:MAX_MARKS]]
                if len(found) > MAX_MARKS:
                    lines.append(f"… {len(found) - MAX_MARKS} more")
        return classes, style, "".join("\n" + t for t in lines)


_NO_MARKS = _Marks()


def _td(value: object, path: str, spans: str = "", marks: _Marks = _NO_MARKS) -> str:
    more, style, title = marks.cell(path)
    if value is None:
        return (
            f'<td{spans} class="gk-blank{more}" style="{_STYLE["blank"]}{style}" '
            f'title="空白 blank: {_e(path)}{_e(title)}"></td>'
        )
    return (
        f'<td{spans} class="gk-value{more}" style="{_STYLE["value"]}{style}" '
        f'title="{_e(path)}{_e(title)}">{_number(value)}</td>'
    )


def _grid(plan: SheetPlan, value_of: Callable[[str], object], marks: _Marks = _NO_MARKS) -> str:
    """The plan's labels and value cells as an HTML table with its merged cells as row and column spans."""
    from .formats.html import plan_rows_html  # the one plan-to-HTML renderer (imported on first use)

    def label_cell(label: Label, spans: str) -> str:
        scope = ' scope="row"' if label.kind == "row" else ""
        return f'<th{spans}{scope} style="{_STYLE[label.kind]}">{_e(label.text)}</th>'

    def value_cell(value: ValueCell, spans: str) -> str:
        return _td(value_of(value.cell.path), value.cell.path, spans, marks)

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


def _not_shown(total: int, shown: int, what: str, hint: str = "") -> str:
    if total <= shown:
        return ""
    hint = f" ({hint})" if hint else ""
    return f'<div class="gk-more" style="color:#555">… {total - shown} more {_e(what)} not shown{_e(hint)}</div>'


def _findings_table(findings: tuple[Finding, ...]) -> str:
    rows = []
    for f in findings[:MAX_ROWS]:
        colour = {Severity.ERROR: "bad", Severity.INCONSISTENCY: "bad", Severity.WARNING: "warn"}.get(f.severity)
        style = _STYLE["cell"] + (f"color:{_COLOURS[colour]};" if colour else "color:#555;")
        rows.append(
            "<tr>"
            f'<td style="{style}">{_e(f.severity.value)}</td>'
            f'<td style="{_STYLE["cell"]}"><code>{_e(f.code)}</code></td>'
            f'<td style="{_STYLE["cell"]}">{_e(clip(f.location, 200))}</td>'
            f'<td style="{_STYLE["cell"]}">{_messages(clip(f.message_zh, 300), clip(f.message_en, 300))}</td>'
            f'<td style="{_STYLE["value"]}">{_figure(f.expected)}</td>'
            f'<td style="{_STYLE["value"]}">{_figure(f.actual)}</td>'
            f'<td style="{_STYLE["value"]}">{_figure(f.difference)}</td>'
            "</tr>"
        )
    head = "".join(
        f'<th style="{_STYLE["header"]}">{name}</th>'
        for name in ("severity", "code", "where", "message", "expected", "actual", "difference")
    )
    table = f'<table class="gk-findings" style="{_STYLE["table"]}"><tr>{head}</tr>{"".join(rows)}</table>'
    return table + _not_shown(len(findings), MAX_ROWS, "findings", "gk.frames.findings_frame has them all")


def _problems_table(problems: tuple[Problem, ...]) -> str:
    """The reading problems: severity, code, where it was printed, the message (each text clipped)."""
    rows = []
    for p in problems[:MAX_ROWS]:
        colour = {"error": "bad", "warning": "warn"}.get(str(p.severity))
        style = _STYLE["cell"] + (f"color:{_COLOURS[colour]};" if colour else "color:#555;")
        where = p.place if p.place is not None else p.location
        rows.append(
            "<tr>"
            f'<td style="{style}">{_e(p.severity)}</td>'
            f'<td style="{_STYLE["cell"]}"><code>{_e(p.code or "READ")}</code></td>'
            f'<td style="{_STYLE["cell"]}">{_e(clip(where, 200))}</td>'
            f'<td style="{_STYLE["cell"]}">{_e(clip(p.message, 300))}'
            + (f'<br><span style="color:#555">{_e(clip(p.label, 120))}</span>' if p.label else "")
            + "</td></tr>"
        )
    head = "".join(f'<th style="{_STYLE["header"]}">{name}</th>' for name in ("severity", "code", "where", "problem"))
    table = f'<table class="gk-problems" style="{_STYLE["table"]}"><tr>{head}</tr>{"".join(rows)}</table>'
    return table + _not_shown(len(problems), MAX_ROWS, "problems")


def suggestion_html(suggestion: Suggestion) -> str:
    """One repair suggestion: its message and the cells it would change."""
    return suggestions_html([suggestion])


def suggestions_html(suggestions: Iterable[Suggestion]) -> str:
    """A list of repair suggestions, best first: each one's message and the cells it would change."""
    rows = []
    suggestions = tuple(suggestions)
    for number, s in enumerate(suggestions[:MAX_ROWS], 1):
        changes = "<br>".join(
            f"表{_e(c.table)} {_e(c.row)} × {_e(c.column)}: {_e('空白' if c.current is None else _number(c.current))}"
            f" → {_number(c.proposed)}"
            for c in s.changes
        )
        rows.append(
            "<tr>"
            f'<td style="{_STYLE["value"]}">{number}</td>'
            f'<td style="{_STYLE["cell"]}">{_e(s.kind)}</td>'
            f'<td style="{_STYLE["cell"]}"{_evidence_title(s)}>{_messages(s.message_zh, s.message_en)}'
            f"{_evidence_mark(s)}</td>"
            f'<td style="{_STYLE["cell"]}">{changes}</td>'
            f'<td style="{_STYLE["value"]}">{_e(s.score)}</td>'
            "</tr>"
        )
    if not rows:
        return '<div class="gk-suggestions">No suggestions.</div>'
    head = "".join(
        f'<th style="{_STYLE["header"]}">{name}</th>' for name in ("#", "kind", "suggestion", "changes", "restores")
    )
    table = f'<table class="gk-suggestions" style="{_STYLE["table"]}"><tr>{head}</tr>{"".join(rows)}</table>'
    return table + _not_shown(len(suggestions), MAX_ROWS, "suggestions")


def _evidence_title(s: Suggestion) -> str:
    """A tooltip listing the evidence for (+) and against (−) a suggestion, in Chinese and English."""
    if not s.evidence:
        return ""
    lines = [f"{'+' if e.stance == 'for' else '−'} {e.message_zh} / {e.message_en}" for e in s.evidence]
    return f' title="{_e(chr(10).join(lines))}"'


def _evidence_mark(s: Suggestion) -> str:
    """How much evidence is for and against a suggestion (its tooltip lists it)."""
    if not s.evidence:
        return ""
    against = sum(e.stance == "against" for e in s.evidence)
    return (
        f'<br><span class="gk-evidence" style="color:#555">依据 evidence: '
        f"+{len(s.evidence) - against} −{against}</span>"
    )


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


def report_html(report: AnnualReport, result: ValidationResult | None = None) -> str:
    """A report: agency, year and edition, its validation badge, and its three tables in the official layout.

    The cells of every broken identity (an error or inconsistency) are marked (class ``gk-broken``,
    the findings in the tooltip), and the cells the best suggestions change (class
    ``gk-suggested``, ``建议 由 99 改为 6`` in the tooltip). ``result`` is the validation of the
    report (from :func:`~gongkai_model.check`, with its suggestions); without it the report is
    validated here, without suggestions.
    """
    from .model.layout import shape_of

    if result is None:
        result = validate(report, suggestions=False)
    marks = _Marks.of(result)
    shape = shape_of(report)
    head = (
        f"<div><b>{_e(UNKNOWN_AGENCY if report.agency is None else clip(report.agency, 200))}</b> "
        f"{_e(UNKNOWN_YEAR if report.year is None else f'{report.year}年')}{_e(report.TITLE)}"
        f' <span style="color:#555">({_e(report.edition.value)} format)</span> {_badge(result)}</div>'
    )
    tables = []
    for info in field_specs(AnnualReport):
        value = getattr(report, info.name)
        if info.spec.kind is Kind.SECTION and isinstance(value, TABLE_CLASSES):
            table, _ = _section(value)
            tables.append(_grid(_plan(shape, table), lambda path: operator.attrgetter(path)(report), marks))
    return '<div class="gongkai gk-report">' + head + "\n".join(tables) + "</div>"


def _verdict_badge(verdict: Verdict, detail: str = "") -> str:
    colour = _COLOURS["ok" if verdict is Verdict.OK else "warn" if verdict.clean else "bad"]
    text = verdict.value + (f" · {detail}" if detail else "")
    return f'<span class="gk-badge gk-verdict" style="{_BADGE}{colour}">{_e(text)}</span>'


def _document_html(
    kind: str, source: str, verdict: Verdict, imported: Imported, validation: ValidationResult | None
) -> str:
    """The one view of a file read (and maybe checked): its head, the report marked, problems, findings."""
    findings = validation.issues if validation is not None else ()
    detail = f"{len(imported.problems)} problems ({counted(p.severity for p in imported.problems)})"
    if validation is not None:
        detail += (
            f" · {validation.assessed} assessed · {len(findings)} findings ({counted(f.severity for f in findings)})"
        )
    out = [
        f'<div class="gongkai {kind}"><div><b>{_e(clip(source, 200))}</b> {_verdict_badge(verdict, detail)}</div>',
        f'<div style="color:#555">{_e(imported.coverage)}</div>',
    ]
    if imported.report is not None:
        out.append(report_html(imported.report, validation) if validation is not None else report_html(imported.report))
    else:
        out.append("<div>No report could be read.</div>")
    if imported.problems:
        out.append(f"<div><b>Reading problems</b></div>{_problems_table(imported.problems)}")
    if findings:
        out.append(f"<div><b>Findings</b></div>{_findings_table(findings)}")
    if validation is not None and validation.suggestions:
        out.append(f"<div><b>Suggestions</b></div>{suggestions_html(validation.suggestions)}")
    out.append("</div>")
    return "\n".join(out)


def imported_html(imported: Imported) -> str:
    """What :func:`~gongkai_model.read` returns: source, verdict, coverage, the report and the reading problems."""
    return _document_html("gk-imported", imported.source, imported.verdict, imported, None)


def checked_html(checked: CheckedReport) -> str:
    """What :func:`~gongkai_model.check` returns: the report with its broken identities and suggested
    changes marked, then the reading problems, the findings and the suggestions."""
    return _document_html("gk-checked", checked.imported.source, checked.verdict, checked.imported, checked.validation)


def file_html(file: FileResult) -> str:
    """One file of a batch (:class:`~gongkai_model.batch.FileResult`), as :func:`checked_html` shows it."""
    checked = file.checked
    return _document_html("gk-file", file.path, file.verdict, checked.imported, checked.validation)


def _details(file: FileResult) -> str:
    """A file's findings and problems, folded (the first :data:`MAX_DETAILS` of each)."""
    findings, problems = file.findings, file.problems
    if not findings and not problems:
        return ""
    items = [f"[{f.code}] {f.location}: {f.message_zh}" for f in findings[:MAX_DETAILS]]
    if len(findings) > MAX_DETAILS:
        items.append(f"… {len(findings) - MAX_DETAILS} more findings")
    items += [f"[{p.code or 'READ'}] {p.severity}: {p}" for p in problems[:MAX_DETAILS]]
    if len(problems) > MAX_DETAILS:
        items.append(f"… {len(problems) - MAX_DETAILS} more problems")
    lines = "".join(f"<li>{_e(clip(i, 200))}</li>" for i in items)
    return (
        f"<details><summary>{len(findings)} findings, {len(problems)} problems</summary>"
        f'<ul style="margin:2px 0;padding-left:16px">{lines}</ul></details>'
    )


def batch_html(batch: BatchResult) -> str:
    """A batch: counts by status and the coverage, then a table of the files (the ones that are not clean
    first, at most :data:`MAX_FILES`) with status, coverage, counts by severity and their findings folded."""
    statuses = ", ".join(f"{n} {s}" for s, n in Counter(f.status for f in batch.files).most_common())
    counts = Counter(f.severity for r in batch.files for f in r.findings)
    findings = ", ".join(f"{counts[s]} {s.value}" for s in Severity if counts[s]) or "no findings"
    head = (
        f"<div><b>{len(batch.files)} files</b>: {_e(statuses or 'none')} · {_e(findings)}</div>"
        f'<div style="color:#555">{_e(batch.coverage)}</div>'
    )
    order = sorted(range(len(batch.files)), key=lambda i: batch.files[i].verdict.clean)[:MAX_FILES]
    names = ("#", "file", "status", "agency", "year", "edition", "coverage", *(s.value for s in Severity), "details")
    header = "".join(f'<th style="{_STYLE["header"]}">{_e(n)}</th>' for n in names)
    rows = []
    for i in order:
        f = batch.files[i]
        report, cover = f.report, f.coverage
        by = Counter(x.severity for x in f.findings)
        agency = "" if report is None or report.agency is None else clip(report.agency, 60)
        colour = _COLOURS["ok" if f.verdict is Verdict.OK else "warn" if f.verdict.clean else "bad"]
        cells = [
            f'<td style="{_STYLE["value"]}">{i + 1}</td>',
            f'<td style="{_STYLE["cell"]}" title="{_e(clip(f.path, 400))}">{_e(clip(f.path, 80))}</td>',
            f'<td class="gk-status" style="{_STYLE["cell"]}color:{colour};">{_e(f.status)}</td>',
            f'<td style="{_STYLE["cell"]}">{_e(agency)}</td>',
            f'<td style="{_STYLE["value"]}">{"" if report is None or report.year is None else report.year}</td>',
            f'<td style="{_STYLE["cell"]}">{"" if report is None else _e(report.edition.value)}</td>',
            f'<td style="{_STYLE["value"]}" title="{_e(cover)}">'
            f"{f'{cover.read}/{cover.cells} ({cover.ratio:.0%})' if cover.cells else ''}</td>",
            *(f'<td style="{_STYLE["value"]}">{"" if f.checked.validation is None else by[s]}</td>' for s in Severity),
            f'<td style="{_STYLE["cell"]}">{_details(f)}</td>',
        ]
        rows.append("<tr>" + "".join(cells) + "</tr>")
    table = f'<table class="gk-batch" style="{_STYLE["table"]}"><tr>{header}</tr>{"".join(rows)}</table>'
    more = _not_shown(len(batch.files), MAX_FILES, "files", "result.to_frame() has them all")
    return f'<div class="gongkai gk-batch">{head}{table}{more}</div>'


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


#: The results of reading, checking and batches, and their views.
_VIEWS: dict[type, Callable[[Any], str]] = {
    Imported: imported_html,
    CheckedReport: checked_html,
    FileResult: file_html,
    BatchResult: batch_html,
}


def render(obj: object) -> Html:
    """The HTML of a report, a table, a validation result, what ``read``, ``check`` and ``check_many``
    return (or one file of a batch), a comparison, one suggestion or a list of them.

    A list of suggestions has no ``_repr_html_`` of its own (it is a plain
    tuple), so show it with ``render(result.suggestions)``.
    """
    from .compare import Comparison

    if isinstance(obj, AnnualReport):
        return Html(report_html(obj))
    for cls, view in _VIEWS.items():
        if isinstance(obj, cls):
            return Html(view(obj))
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
        **_VIEWS,
        AnnualReport: report_html,
        ValidationResult: result_html,
        Suggestion: suggestion_html,
        Comparison: comparison_html,
    }
    views.update(dict.fromkeys(TABLE_CLASSES, table_html))
    for cls, view in views.items():
        register_html(cls, view)


install()
