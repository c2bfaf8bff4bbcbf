"""JSON documents as a reader of the common kind (for ``read``/``check``): the report, or located problems."""

from __future__ import annotations

import attrs

from ..errors import JSONError, ModelError, Problem
from ..jsonio import loads
from ..model.values import Edition
from ._reader import Reader, ReadOptions, make_reader
from ._result import Coverage, Imported

__all__ = ["read_json"]


def _load(data: bytes, options: ReadOptions) -> Imported:
    name = options.name
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problem = Problem(name, f"not UTF-8 text (byte {exc.start})", code="READ_JSON")
        return Imported(None, (problem,), {}, name)
    try:
        report = loads(text)
    except JSONError as exc:
        problems = tuple(
            attrs.evolve(p, location=f"{name}: {p.location}" if p.location else name, code="READ_JSON")
            for p in exc.problems
        ) or (Problem(name, str(exc), code="READ_JSON"),)
        return Imported(None, problems, {}, name)
    notes: list[Problem] = []
    try:
        if options.edition is not None and Edition.resolve(options.edition, report.year) is not report.edition:
            message = f"edition={options.edition!r} is not the document's ({report.edition.value}): its 表二 decides"
            notes.append(Problem(name, message, code="READ_JSON", severity="warning"))
        if options.agency is not None or options.year is not None:
            agency = report.agency if options.agency is None else options.agency
            report = attrs.evolve(report, agency=agency, year=report.year if options.year is None else options.year)
    except ModelError as exc:
        return Imported(None, tuple(attrs.evolve(p, code="READ_INVALID") for p in exc.problems), {}, name)
    return Imported(report, tuple(notes), {}, name, coverage=Coverage.whole(report))  # every cell is given


read_json: Reader = make_reader(
    _load,
    __name__,
    "json",
    "JSON document",
    doc="""Load a report document; every problem of a bad document is a located ``READ_JSON`` problem.

    ``agency`` and ``year`` override what the document says (as the other readers' do); an
    ``edition`` other than the document's is a warning (its 表二 decides the edition); ``strict``
    changes nothing (a JSON document has no printed labels to misread).
    """,
)
