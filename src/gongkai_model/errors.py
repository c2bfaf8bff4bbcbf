"""The library's one error family.

Every error raised on purpose by ``gongkai_model`` is a :class:`GongkaiError`.
Errors about input carry *all* the problems found at once, each with its
place named (a model path, a record number, a JSON path, a ``sheet!cell``).

>>> from gongkai_model import ApplicantCounts, GongkaiError
>>> try:
...     ApplicantCounts(natural_person=-1, commercial=True)
... except GongkaiError as exc:
...     for problem in exc.problems:
...         print(problem)
natural_person (自然人): must not be negative, got -1
commercial (商业企业): expected a whole number or None, got bool True
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

__all__ = ["GongkaiError", "ModelError", "Problem", "RecordsError"]


@attrs.frozen
class Problem:
    """One thing wrong with some input, and where it is.

    ``location`` names the place in the input's own terms (a model path such
    as ``table3.results.granted.natural_person``, ``record 12``, ``$.table3``
    or ``表三!C7``); ``label`` gives the statutory label(s) of that place when
    there are any.
    """

    location: str
    message: str
    label: str | None = None

    def __str__(self) -> str:
        where = self.location if self.label is None else f"{self.location} ({self.label})"
        return f"{where}: {self.message}" if where else self.message

    def within(self, prefix: str, label: str | None = None) -> Problem:
        """The same problem, located inside ``prefix`` (a path joined with ``.``)."""
        location = f"{prefix}.{self.location}" if prefix and self.location else prefix or self.location
        return Problem(location, self.message, label if label is not None else self.label)


class GongkaiError(Exception):
    """Base class of every error raised by ``gongkai_model``.

    ``problems`` lists every problem found (possibly empty for errors that are
    not about input).
    """

    def __init__(self, message: str, problems: Iterable[Problem] = ()) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        if self.problems:
            shown = "\n".join(f"  - {p}" for p in self.problems[:50])
            more = len(self.problems) - 50
            if more > 0:
                shown += f"\n  … and {more} more"
            message = f"{message}\n{shown}"
        super().__init__(message)


class ModelError(GongkaiError, ValueError):
    """A value that the model cannot hold: wrong type, negative count, wrong edition."""


class RecordsError(GongkaiError, ValueError):
    """Records that do not describe one report: unknown labels, duplicates, bad values."""
