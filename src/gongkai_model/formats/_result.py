"""The one result type of every reader."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from typing import Literal

import attrs

from ..errors import Place, Problem, Tally, Verdict
from ..model.layout import Shape, cells, layout, shape_of
from ..model.report import AnnualReport

__all__ = ["Coverage", "Imported", "Placement", "Provenance", "Verification"]

#: How a figure was placed in its cell (:attr:`Provenance.how`).
Placement = Literal["label", "order", "split", "lifted"]
#: What vouches for a figure read by OCR (:attr:`Provenance.verification`, ``formats._verify``).
Verification = Literal["verified", "accepted", "unverified"]


@attrs.frozen
class Provenance:
    """Where one figure came from: its printed place and text, and what was printed beside it.

    ``mark`` is a blank-like mark printed instead of a figure (``/``, ``-``, ``无``); ``note`` a
    remark printed with the figure (``（其中修订16件）``); ``formula`` says the cell was a formula
    (a derived total in a template). ``how`` says how the figure was placed in its cell: ``"label"``
    (found by its row and column labels, the common case), ``"order"`` (a row whose labels were lost,
    placed by the statutory row order and confirmed by the identities), ``"split"`` (figures run
    together, split where only one split is possible) or ``"lifted"`` (a figure a conversion printed
    outside its table, put back in the one cell it can belong to: ``formats._lifted``). ``refused``
    says the printed text was found in its cell but its value was refused, by the value parser
    (``READ_VALUE_REFUSED``: ``abc``, a negative count) or by the model (``READ_INVALID``); the cell
    is then not read (see :class:`Coverage`). ``confidence`` and ``alternatives`` are set for a
    figure recognised in a picture by OCR (its ``place`` then has the picture's ``box``): how sure
    the engine was (``0`` to ``1``) and the other readings of the printed text it considered, most
    likely first; ``None`` and ``()`` for a figure read from a text layer. ``verification`` says what
    vouches for an OCR figure: ``"verified"`` (every identity it takes part in holds), ``"accepted"`` (in
    no identity, and the engine was sure of it) or ``"unverified"`` (a problem ``READ_OCR_UNVERIFIED``
    says why); ``None`` for a figure read from a text layer (``docs/importing.md``, "Verified, not trusted").
    """

    place: Place
    text: str
    mark: str | None = None
    note: str | None = None
    formula: bool = False
    how: Placement = "label"
    refused: bool = False
    confidence: float | None = None
    alternatives: tuple[str, ...] = ()
    verification: Verification | None = None


@attrs.frozen
class Coverage:
    """How many statutory cells of a report were read: the number a researcher looks at first.

    ``cells`` is the number of statutory table cells of the report's shape (its edition, its （六）
    rows, its 小计 column: :func:`~gongkai_model.model.layout.layout`). Each is exactly one of

    - ``read``: found in the document and its value taken, a figure or a blank: a printed blank mark
      (``/``, ``-``, ``无``) and a cell printed with no figure at all are read, as blank (``None``);
      ``by_order`` and ``split`` count the read cells placed by the statutory row order or split
      from figures run together (:attr:`Provenance.how`), and are part of ``read``;
    - ``refused``: found, but its printed text was refused (``READ_VALUE_REFUSED``, ``READ_INVALID``);
    - ``absent``: not found in the document (its row or column was not printed, or was not recognised).

    So ``read + refused + absent == cells``. ``ratio`` is ``read / cells`` (0 when there are no cells:
    a file of which nothing was found, whose shape is unknown). Coverages add up with ``+``
    (:meth:`total`), for a batch.

    >>> c = Coverage(cells=219, read=200, by_order=12, split=0, refused=1, absent=18)
    >>> print(c)
    200 of 219 cells read (91.3%; 12 by order, 0 split, 1 refused, 18 absent)
    >>> round(c.ratio, 3), (c + c).cells
    (0.913, 438)
    """

    cells: int = 0
    read: int = 0
    by_order: int = 0
    split: int = 0
    refused: int = 0
    absent: int = 0

    @property
    def ratio(self) -> float:
        """The share of the cells that were read (``0.0`` when there are no cells)."""
        return self.read / self.cells if self.cells else 0.0

    def __str__(self) -> str:
        return (
            f"{self.read} of {self.cells} cells read ({self.ratio:.1%}; {self.by_order} by order, "
            f"{self.split} split, {self.refused} refused, {self.absent} absent)"
        )

    def __add__(self, other: Coverage) -> Coverage:
        if not isinstance(other, Coverage):
            return NotImplemented
        return Coverage(*(a + b for a, b in zip(attrs.astuple(self), attrs.astuple(other), strict=True)))

    def as_dict(self) -> dict[str, int | float]:
        """The counts and the ratio (rounded to 4 places), for JSON."""
        return {**attrs.asdict(self), "ratio": round(self.ratio, 4)}

    @classmethod
    def total(cls, coverages: Iterable[Coverage]) -> Coverage:
        """The sum of ``coverages`` (of every file of a batch), field by field (as ``+`` adds two).

        >>> Coverage.total([Coverage(10, 8, 0, 0, 1, 1), Coverage(10, 10)]).read
        18
        """
        got = list(coverages)
        for c in got:
            if not isinstance(c, Coverage):
                raise TypeError(f"Coverage.total: not a Coverage: {type(c).__name__}")
        return cls(*(sum(getattr(c, f.name) for c in got) for f in attrs.fields(Coverage)))

    @classmethod
    def whole(cls, report: AnnualReport) -> Coverage:
        """Every cell of ``report`` read: a report given whole in a structured form (JSON), where a
        ``null`` is a blank given as such."""
        n = len(_paths(shape_of(report)))
        return cls(n, n, 0, 0, 0, 0)

    @classmethod
    def of(cls, report: AnnualReport | None, provenance: Mapping[str, Provenance]) -> Coverage:
        """The coverage of a reading: the shape of ``report`` (or, with no report, the smallest shape
        holding every cell found), and each cell's :class:`Provenance` when it was found."""
        shape = shape_of(report) if report is not None else _smallest_shape(frozenset(provenance))
        if shape is None:
            return cls()
        paths = _paths(shape)
        found = [provenance[p] for p in paths if p in provenance]
        refused = sum(p.refused for p in found)
        read = len(found) - refused
        by_order = sum(p.how == "order" and not p.refused for p in found)
        split = sum(p.how == "split" and not p.refused for p in found)
        return cls(len(paths), read, by_order, split, refused, len(paths) - len(found))


def _problem_text(problem: Problem) -> str:
    return f"[{problem.code or 'READ'}] {problem}"


@functools.cache
def _paths(shape: Shape) -> tuple[str, ...]:
    return tuple(c.path for c in layout(shape))


@functools.cache
def _path_set(shape: Shape) -> frozenset[str]:
    return frozenset(_paths(shape))


def _smallest_shape(found: frozenset[str]) -> Shape | None:
    """The shape with the fewest cells that has every path found (``None`` when nothing was found)."""
    if not found:
        return None
    fits = [s for s in Shape.all() if found <= _path_set(s)]
    return min(fits, key=lambda s: len(_paths(s)), default=None)


@attrs.frozen
class Imported:
    """What a reader read: the report (or ``None``), every problem with its place, and provenance.

    ``provenance`` maps each model path that was found in the document (``table3.new_received.total``)
    to its :class:`Provenance`; a path that is absent was not found. ``headings`` maps each section
    found (``"overview"``, ``"table2"`` …) to its heading as printed. ``ok`` is true when a report was
    built and no figure was refused or missing (corrections and notes are warnings and infos).
    ``coverage`` counts the statutory cells read, read by order, split, refused and absent.

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
    _coverage: Coverage | None = attrs.field(default=None, kw_only=True, alias="coverage", repr=False)

    @property
    def coverage(self) -> Coverage:
        """How many statutory cells were read, refused and absent (:class:`Coverage`).

        Counted from :attr:`report` and :attr:`provenance`, unless the reader gave it (``coverage=``:
        the JSON reader, whose document gives every cell, and a batch that drops the provenance)."""
        return self._coverage if self._coverage is not None else Coverage.of(self.report, self.provenance)

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")

    @property
    def verified_tables(self) -> dict[str, Verification]:
        """Each statutory table holding a figure read by OCR (``"三"``) and what vouches for its OCR figures:
        ``"verified"`` (all verified by the identities), ``"accepted"`` (each verified or accepted on the
        engine's confidence) or ``"unverified"``. Empty for a document read from a text layer."""
        if self.report is None:
            return {}
        out: dict[str, Verification] = {}
        for cell in layout(shape_of(self.report)):
            prov = self.provenance.get(cell.path)
            if prov is None or prov.verification is None:
                continue
            both = (out.get(cell.table, "verified"), prov.verification)
            out[cell.table] = "unverified" if "unverified" in both else "accepted" if "accepted" in both else "verified"
        return out

    @property
    def ok(self) -> bool:
        """``verdict.clean``: a report was built, no figure was refused or missing, and it holds a figure."""
        return self.verdict.clean

    @property
    def tally(self) -> Tally | None:
        """The report's figures: how many of its statutory cells hold one (a template's formula total, which
        follows the others, is not one); ``None`` without a report. Reading assesses no identity: its
        identities are counted by :func:`gongkai_model.check` (:attr:`CheckedReport.tally`)."""
        if self.report is None:
            return None
        provenance = self.provenance
        figures = n = 0
        for cell, value in cells(self.report):
            n += 1
            prov = provenance.get(cell.path)
            figures += value is not None and not (prov is not None and prov.formula)
        return Tally(figures, n)

    @property
    def verdict(self) -> Verdict:
        """``unreadable`` (no report), ``incomplete`` (a reading error), ``empty`` (no cell holds a figure),
        ``warnings`` or ``ok``.

        ``ok`` is ``verdict.clean``."""
        return Verdict.of((p.severity for p in self.problems), readable=self.report is not None, tally=self.tally)

    def __repr__(self) -> str:
        """A few lines whatever the size of the document: source, verdict, report, coverage, first problems."""
        from .._views import clip, counted, first_few

        return (
            f"Imported(source={clip(self.source)!r}, verdict={self.verdict.value!r}, "
            f"report={clip(repr(self.report), 200)}, coverage='{self.coverage}', "
            f"problems={len(self.problems)} ({counted(p.severity for p in self.problems)}) "
            f"{first_few(self.problems, describe=_problem_text)})"
        )

    def _repr_html_(self) -> str:
        """What was read as a notebook shows it (:func:`gongkai_model.notebook.imported_html`)."""
        from .._views import html

        return html(self)

    def summary(self) -> str:
        """One line per problem, then a verdict line."""
        lines = [f"[{p.code or 'READ'}] {p.severity}: {p}" for p in self.problems]
        tally = self.tally
        if self.report is None or tally is None:
            lines.append(f"{self.source}: no report could be read")
        else:
            lines.append(
                f"{self.source}: {self.report.agency} {self.report.year} ({self.report.edition.value} format), "
                f"{len(self.provenance)} cells found, {tally.figures} of {tally.cells} cells hold a figure, "
                f"{len(self.errors)} read error(s)"
            )
        return "\n".join(lines)
