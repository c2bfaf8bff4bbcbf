"""The journal of a batch: one JSON line per finished file, so that an interrupted run can resume.

The journal is read back as hostile input (it is only JSON, never pickle): a line that is not a
well-formed entry, or whose file changed since (path, size and ``mtime_ns`` are its fingerprint),
is ignored and that file is checked again. The report is kept as :func:`gongkai_model.dumps`
text, problems, provenance and headings through cattrs; the checks are run again on resume with
the inputs :func:`gongkai_model.check` gives them (the derived cells and the headings), so a
resumed run gives the same results as an uninterrupted one.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

import attrs
import cattrs

from ..errors import GongkaiError, Problem
from ..formats import Coverage, Imported, Provenance
from ..readcheck import CheckedReport, placed

__all__ = ["FORMAT", "Journal", "fingerprint"]

#: The ``format`` field of a journal's first line.
FORMAT = "gongkai-journal"
_VERSION = 1
_MAX_LINE = 64 * 1024 * 1024  # a longer line is not an entry of ours

_converter = cattrs.Converter()


def fingerprint(path: str) -> tuple[int, int] | None:
    """(size, mtime_ns) of the file, or ``None`` when it cannot be stat'ed."""
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return None
    return info.st_size, info.st_mtime_ns


def _encode(result: Any, derived: list[str]) -> dict[str, Any]:
    from ..jsonio import dumps

    packed = getattr(result, "_packed", None)
    kept = packed.journaled() if packed is not None else None
    if kept is not None:  # a result from a worker: its report's text as it came, the report not built here
        text, imported, validated = kept
    else:
        imported = result.checked.imported
        text = None if imported.report is None else dumps(imported.report)
        validated = result.checked.validation is not None
    return {
        "path": result.path,
        "cause": result.cause,
        "source": imported.source,
        "report": text,
        "problems": _converter.unstructure(list(imported.problems)),
        "provenance": {k: _converter.unstructure(v) for k, v in imported.provenance.items()},
        "headings": dict(imported.headings),
        "metadata": {k: _converter.unstructure(v) for k, v in imported.metadata.items()},
        "coverage": attrs.asdict(imported.coverage),
        "derived": derived,
        "validated": validated,
    }


def _decode(entry: Mapping[str, Any], options: Mapping[str, Any]) -> Any:
    """The :class:`FileResult` an entry holds, its checks run again; raises on anything malformed."""
    from ..checks import validate
    from ..jsonio import loads
    from ..presentation import section_names
    from ._result import CAUSES, FileResult

    report = None if entry["report"] is None else loads(_text(entry["report"]))
    problems = tuple(_converter.structure(entry["problems"], list[Problem]))
    if any(p.severity not in _SEVERITIES for p in problems):
        raise ValueError("severity")  # a problem nothing would count: not an entry we wrote
    provenance = {str(k): _converter.structure(v, Provenance) for k, v in dict(entry["provenance"]).items()}
    headings = {_text(k): _text(v) for k, v in dict(entry["headings"]).items()}
    metadata = {_text(k): _converter.structure(v, Provenance) for k, v in dict(entry.get("metadata", {})).items()}
    derived = [_text(p) for p in entry["derived"]]
    kept = _coverage(entry)
    if kept == Coverage.of(report, provenance):
        kept = None  # counted again from what the entry holds, as in the result that was journaled
    imported = Imported(report, problems, provenance, str(entry["source"]), headings, metadata, coverage=kept)
    validation = None
    if report is not None and entry["validated"]:
        names: dict[str, str | None] | None = None
        if headings:
            names = {name: headings.get(name) for name in section_names()}
        validation = validate(report, derived=derived, headings=names, blanks_as_zero=options["blanks_as_zero"])
        validation = placed(validation, imported)
    cause = entry["cause"]
    if cause is not None and cause not in CAUSES:
        raise ValueError("cause")  # only the batch's own causes (a status nothing counts otherwise)
    return FileResult(str(entry["path"]), CheckedReport(imported, validation), cause=cause)


def _coverage(entry: Mapping[str, Any]) -> Coverage | None:
    """The coverage an entry keeps (``None`` in an entry written before it was kept: counted again)."""
    if "coverage" not in entry:
        return None
    counts = dict(entry["coverage"])
    names = [f.name for f in attrs.fields(Coverage)]
    if sorted(counts) != sorted(names) or not all(type(v) is int and v >= 0 for v in counts.values()):
        raise ValueError("coverage")  # not an entry we wrote
    return Coverage(**counts)


#: The severities a problem of ours has (see :class:`~gongkai_model.Problem`).
_SEVERITIES = ("error", "warning", "info")


def _text(value: object) -> str:
    """A string of an entry (anything else is not an entry we wrote)."""
    if not isinstance(value, str):
        raise TypeError("not a string")
    return value


def _line(stream: IO[bytes]) -> bytes | None:
    """The next line, or ``b""`` for one longer than the bound (skipped in pieces); ``None`` at the end."""
    raw = stream.readline(_MAX_LINE + 1)
    if not raw:
        return None
    if len(raw) > _MAX_LINE and not raw.endswith(b"\n"):
        while True:  # the rest of a line far too long: not an entry of ours
            piece = stream.readline(1024 * 1024)
            if not piece or piece.endswith(b"\n"):
                return b""
    return raw


def _parse(raw: bytes) -> Any:
    """The JSON value of a line, or ``None`` for anything else (nesting past the recursion limit too)."""
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None


class Journal:
    """An append-only JSON-lines file of finished results (see the module's docstring)."""

    def __init__(self, path: str | os.PathLike[str], options: Mapping[str, Any], *, resume: bool) -> None:
        self.path = Path(path)
        self.options = dict(options)
        self.entries: dict[tuple[str, int, int], int] = {}  # fingerprint -> offset of its line
        self._fh: IO[str] | None = None
        header = {"format": FORMAT, "version": _VERSION, "options": self.options}
        if resume and self.path.exists():
            self._load()
            self._fh = self._open("a")
        else:
            self._fh = self._open("w")
            self._write(header)

    def _open(self, mode: str) -> IO[str]:
        try:
            fh = open(self.path, mode, encoding="utf-8", newline="\n")  # noqa: SIM115 - kept open for the run
        except OSError as exc:
            raise GongkaiError(
                "cannot open the journal", [Problem(str(self.path), exc.strerror or type(exc).__name__)]
            ) from None
        if mode == "a" and self.path.stat().st_size:
            with open(self.path, "rb") as raw:
                raw.seek(-1, os.SEEK_END)
                if raw.read(1) != b"\n":  # a line cut short when the run was killed: end it
                    fh.write("\n")
        return fh

    def _load(self) -> None:
        """Index the entries (their fingerprint and where their line starts); the lines are read again on recall."""
        try:
            stream = open(self.path, "rb")  # noqa: SIM115
        except OSError as exc:
            raise GongkaiError(
                "cannot read the journal", [Problem(str(self.path), exc.strerror or type(exc).__name__)]
            ) from None
        with stream:
            first = True
            while True:
                offset = stream.tell()
                raw = _line(stream)
                if raw is None:
                    break
                data = _parse(raw)
                if first:
                    first = False
                    if not isinstance(data, dict) or data.get("format") != FORMAT:
                        raise self._not_ours()
                    if data.get("options") != self.options:
                        raise GongkaiError(
                            "cannot resume with other options",
                            [Problem(str(self.path), f"the journal was made with {data.get('options')}, "
                                     f"this run has {self.options}")],
                        )  # fmt: skip
                    continue
                if not isinstance(data, dict):
                    continue
                path, size, mtime = data.get("path"), data.get("size"), data.get("mtime_ns")
                if isinstance(path, str) and isinstance(size, int) and isinstance(mtime, int):
                    self.entries[(path, size, mtime)] = offset
            if first:
                raise self._not_ours()

    def _not_ours(self) -> GongkaiError:
        return GongkaiError(
            "not a journal", [Problem(str(self.path), f"not a {FORMAT} file (made by check_many(journal=...))")]
        )

    def _write(self, data: Mapping[str, Any]) -> None:
        assert self._fh is not None
        self._fh.write(json.dumps(data, ensure_ascii=True, separators=(",", ":")) + "\n")
        self._fh.flush()

    def has(self, path: str) -> bool:
        """Whether the journal has an entry for ``path`` as the file is now (same size and mtime)."""
        mark = fingerprint(path)
        return mark is not None and (path, *mark) in self.entries

    def recall(self, path: str) -> Any:
        """The stored result of ``path`` if the file is unchanged and its entry well formed, else ``None``."""
        mark = fingerprint(path)
        if mark is None:
            return None
        offset = self.entries.get((path, *mark))
        if offset is None:
            return None
        try:
            with open(self.path, "rb") as stream:
                stream.seek(offset)
                raw = _line(stream)
        except OSError:
            return None
        entry = _parse(raw) if raw is not None else None
        if not isinstance(entry, dict):
            return None
        try:
            return _decode(entry, self.options)
        except (
            GongkaiError,
            KeyError,
            TypeError,
            ValueError,
            AttributeError,
            RecursionError,
            cattrs.BaseValidationError,
        ):
            return None  # not an entry we wrote: the file is checked again

    def record(self, result: Any, derived: list[str]) -> None:
        """Append one finished file's result."""
        mark = fingerprint(result.path)
        if mark is None:
            return  # a file that cannot be stat'ed cannot be recognised on resume: it is checked again
        entry = {"size": mark[0], "mtime_ns": mark[1], **_encode(result, derived)}
        self._write(entry)

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None
