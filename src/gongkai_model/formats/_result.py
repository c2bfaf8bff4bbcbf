"""The one result type of every reader."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import attrs

from ..errors import Place, Problem, Verdict
from ..model.report import AnnualReport

__all__ = ["Imported", "Placement", "Provenance"]

#: How a figure was placed in its cell (:attr:`Provenance.how`).
Placement = Literal["label", "order", "split"]


@attrs.frozen
class Provenance:
    """Where one figure came from: its printed place and text, and what was printed beside it.

    ``mark`` is a blank-like mark printed instead of a figure (``/``, ``-``, ``无``); ``note`` a
    remark printed with the figure (``（其中修订16件）``); ``formula`` says the cell was a formula
    (a derived total in a template). ``how`` says how the figure was placed in its cell: ``"label"``
    (found by its row and column labels, the common case), ``"order"`` (a row whose labels were lost,
    placed by the statutory row order and confirmed by the identities) or ``"split"`` (figures run
    together, split where only one split is possible).
    """

    place: Place
    text: str
    mark: str | None = None
    note: str | None = None
    formula: bool = False
    how: Placement = "label"


@attrs.frozen
class Imported:
    """What a reader read: the report (or ``None``), every problem with its place, and provenance.

    ``provenance`` maps each model path that was found in the document (``table3.new_received.total``)
    to its :class:`Provenance`; a path that is absent was not found. ``headings`` maps each section
    found (``"overview"``, ``"table2"`` …) to its heading as printed. ``ok`` is true when a report was
    built and no figure was refused or missing (corrections and notes are warnings and infos).

    >>> import gongkai_model as gk
    >>> from gongkai_model.formats import read_text, render_text
    >>> got = read_text(render_text(gk.examples.seed_report()).encode())
    >>> got.ok, gk.to_records(got.report) == gk.to_records(gk.examples.seed_report())
    (True, True)
    >>> print(got.provenance["table3.new_received.total"].place)
    <text>, line 44
    """

    report: AnnualReport | None
    problems: tuple[Problem, ...]
    provenance: Mapping[str, Provenance]
    source: str
    headings: Mapping[str, str] = attrs.field(factory=dict)
    #: Where the report's ``agency`` and ``year`` came from (``note``: which source, ``formats._metadata``).
    metadata: Mapping[str, Provenance] = attrs.field(factory=dict)

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")

    @property
    def ok(self) -> bool:
        return self.report is not None and not self.errors

    @property
    def verdict(self) -> Verdict:
        """``unreadable`` (no report), ``incomplete`` (a reading error), ``warnings`` or ``ok``.

        ``ok`` is ``verdict.clean``."""
        return Verdict.of((p.severity for p in self.problems), readable=self.report is not None)

    def summary(self) -> str:
        """One line per problem, then a verdict line."""
        lines = [f"[{p.code or 'READ'}] {p.severity}: {p}" for p in self.problems]
        if self.report is None:
            lines.append(f"{self.source}: no report could be read")
        else:
            lines.append(
                f"{self.source}: {self.report.agency} {self.report.year} ({self.report.edition.value} format), "
                f"{len(self.provenance)} figures found, {len(self.errors)} read error(s)"
            )
        return "\n".join(lines)
