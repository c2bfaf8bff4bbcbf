"""Many reports at once: read every file of a folder, check a corpus in parallel, write it to Parquet.

- :func:`read_many` reads files (or every readable file under folders) and loses none: a file that
  cannot be read gives an :class:`~gongkai_model.Imported` with no report and the reason.
- :func:`check_many` reads and validates files in parallel on any
  :class:`concurrent.futures.Executor` (a process pool by default; a thread pool; a
  ``dask.distributed`` client's ``get_executor()`` to run on a cluster) and returns one
  :class:`FileResult` per file, in order, with a summary.
- :func:`to_parquet` writes the tidy cells and the findings of a corpus as Parquet datasets
  partitioned by year (the optional ``parquet`` extra, pyarrow), for DuckDB, Polars or Spark.

>>> import gongkai_model as gk, tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "seed.json").write_text(gk.dumps(gk.examples.seed_report()), encoding="utf-8")
>>> _ = (folder / "broken.json").write_text("{", encoding="utf-8")
>>> result = gk.batch.check_many(folder, executor="serial")
>>> [(pathlib.Path(f.path).name, f.status) for f in result.files]
[('broken.json', 'unreadable'), ('seed.json', 'ok')]
>>> result.summary()["files"], result.ok
(2, False)
"""

from __future__ import annotations

import concurrent.futures as cf
import os
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import attrs

from .checks import Finding, Severity
from .errors import GongkaiError, Problem
from .formats import CheckedReport, Imported, check, read
from .formats._dispatch import _SUFFIX
from .limits import Limits
from .model.report import AnnualReport
from .records import to_records

__all__ = ["READABLE_SUFFIXES", "BatchResult", "FileResult", "check_many", "iter_paths", "read_many", "to_parquet"]

#: Suffixes of the files a folder is searched for (every format :func:`gongkai_model.read` knows).
READABLE_SUFFIXES = frozenset(_SUFFIX)


def iter_paths(paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]]) -> list[Path]:
    """The files named, with every readable file under each folder (sorted), in the order given.

    A path that does not exist is kept: reading it reports why, so that no file is lost.
    """
    if isinstance(paths, str | os.PathLike):
        paths = [paths]
    out: list[Path] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            out.extend(sorted(f for f in path.rglob("*") if f.suffix.lower() in READABLE_SUFFIXES and f.is_file()))
        else:
            out.append(path)
    return out


def _unreadable(path: str, exc: BaseException) -> Imported:
    problems = exc.problems if isinstance(exc, GongkaiError) and exc.problems else ()
    if not problems:
        problems = (Problem(path, f"{type(exc).__name__}: {exc}" if not isinstance(exc, GongkaiError) else str(exc)),)
    located = tuple(p if p.code else attrs.evolve(p, code="READ_FAILED") for p in problems)
    return Imported(None, located, {}, path)


def read_many(paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]], **options: Any) -> list[Imported]:
    """Read every file (folders are searched for readable files): one :class:`Imported` per file, in order.

    ``options`` are those of :func:`gongkai_model.read` (``agency=``, ``strict=``, ``limits=`` …).
    """
    out = []
    for path in iter_paths(paths):
        try:
            out.append(read(path, **options))
        except GongkaiError as exc:
            out.append(_unreadable(str(path), exc))
    return out


@attrs.frozen
class FileResult:
    """The outcome for one file: read, then checked.

    ``status`` is ``"ok"``, ``"warnings"`` (only warnings), ``"inconsistent"`` (an identity breaks),
    ``"incomplete"`` (a figure could not be read) or ``"unreadable"`` (no report at all).
    """

    path: str
    checked: CheckedReport

    @property
    def report(self) -> AnnualReport | None:
        return self.checked.report

    @property
    def problems(self) -> tuple[Problem, ...]:
        return self.checked.problems

    @property
    def findings(self) -> tuple[Finding, ...]:
        return self.checked.validation.issues if self.checked.validation is not None else ()

    @property
    def status(self) -> str:
        if self.checked.report is None:
            return "unreadable"
        if self.checked.imported.errors:
            return "incomplete"
        if self.checked.validation is not None and not self.checked.validation.ok:
            return "inconsistent"
        warned = any(p.severity == "warning" for p in self.problems) or any(
            f.severity is Severity.WARNING for f in self.findings
        )
        return "warnings" if warned else "ok"

    def ok(self, *, warnings: bool = False) -> bool:
        """Whether the file is clean (``warnings=True``: warnings count against it too)."""
        return self.status == "ok" or (self.status == "warnings" and not warnings)


@attrs.frozen
class BatchResult:
    """Every file's result, in the order given, and a summary."""

    files: tuple[FileResult, ...]

    @property
    def ok(self) -> bool:
        return all(f.ok() for f in self.files)

    def summary(self) -> dict[str, int]:
        """How many files, and how many of each status."""
        counts = Counter(f.status for f in self.files)
        return {"files": len(self.files), **{s: counts.get(s, 0) for s in _STATUSES}}


_STATUSES = ("ok", "warnings", "inconsistent", "incomplete", "unreadable")


def _check_one(path: str, options: dict[str, Any], provenance: bool = True) -> FileResult:
    try:
        checked = check(path, **options)
    except Exception as exc:  # a bug must not lose the file: it is reported as unreadable, with its reason
        return FileResult(path, CheckedReport(_unreadable(path, exc), None))
    if not provenance and checked.imported.provenance:
        checked = attrs.evolve(checked, imported=attrs.evolve(checked.imported, provenance={}))
    return FileResult(path, checked)


def _check_chunk(paths: list[str], options: dict[str, Any], provenance: bool) -> list[FileResult]:
    """One task: several files checked in a worker (fewer round trips between processes)."""
    return [_check_one(path, options, provenance) for path in paths]


class _Serial(cf.Executor):
    """Runs each task at once in this process (``executor="serial"``)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> cf.Future[Any]:
        future: cf.Future[Any] = cf.Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # pragma: no cover - _check_one never raises
            future.set_exception(exc)
        return future


def _progress(stream: IO[str] | None, done: int, total: int) -> None:
    if stream is not None:
        stream.write(f"\rchecked {done}/{total} files")
        if done == total:
            stream.write("\n")
        stream.flush()


def check_many(
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    executor: cf.Executor | str | None = None,
    progress: bool | None = None,
    blanks_as_zero: bool = False,
    strict: bool = False,
    limits: Limits | None = None,
    window: int = 256,
    chunksize: int | None = None,
    provenance: bool = True,
) -> BatchResult:
    """Read and validate every file in parallel; one :class:`FileResult` per file, in order, and a summary.

    ``executor`` is any :class:`concurrent.futures.Executor` (a process pool of the machine's cores
    by default; ``"serial"`` runs in this process); at most ``window`` files are in flight at once,
    so memory stays bounded on corpora of any size. ``progress`` shows a count on stderr (by
    default when there are more than 20 files and stderr is a terminal). Files are sent to the
    executor ``chunksize`` at a time (by default enough for a few tasks per worker, at most 32);
    ``provenance=False`` drops each figure's provenance from the results, which makes them much
    smaller to send back from worker processes (problems keep their places).
    """
    files = [str(p) for p in iter_paths(paths)]
    options: dict[str, Any] = {"strict": strict, "limits": limits, "blanks_as_zero": blanks_as_zero}
    if progress is None:
        progress = len(files) > 20 and sys.stderr.isatty()
    stream = sys.stderr if progress else None
    owned = executor is None
    pool: cf.Executor
    if executor == "serial":
        pool = _Serial()
    elif executor is None:
        pool = cf.ProcessPoolExecutor(max_workers=os.cpu_count() or 1) if len(files) > 1 else _Serial()
    elif isinstance(executor, cf.Executor):
        pool = executor
    else:
        raise GongkaiError(
            "invalid argument", [Problem("executor", f"expected an Executor or 'serial', got {executor!r}")]
        )
    if chunksize is None:
        workers = getattr(pool, "_max_workers", None) or os.cpu_count() or 1
        chunksize = 1 if isinstance(pool, _Serial) else max(1, min(32, len(files) // (workers * 4) or 1))
    try:
        results = list(_run(pool, files, options, stream, max(1, window), max(1, chunksize), provenance))
    finally:
        if owned:
            pool.shutdown()
    return BatchResult(tuple(results))


def _run(
    pool: cf.Executor,
    files: list[str],
    options: dict[str, Any],
    stream: IO[str] | None,
    window: int,
    chunksize: int,
    provenance: bool,
) -> Iterator[FileResult]:
    chunks = [files[i : i + chunksize] for i in range(0, len(files), chunksize)]
    pending: dict[int, cf.Future[list[FileResult]]] = {}
    in_flight = max(1, window // chunksize)
    nxt = 0
    done = 0
    for i in range(len(chunks)):
        while nxt < len(chunks) and len(pending) < in_flight:
            pending[nxt] = pool.submit(_check_chunk, chunks[nxt], options, provenance)
            nxt += 1
        future = pending.pop(i)
        try:
            results = future.result()
        except Exception as exc:  # the executor itself failed for this chunk (a worker died, …)
            results = [FileResult(f, CheckedReport(_unreadable(f, exc), None)) for f in chunks[i]]
        for result in results:
            done += 1
            _progress(stream, done, len(files))
            yield result


# --- Parquet ---------------------------------------------------------------------------------------------


def _pyarrow() -> Any:
    try:
        import pyarrow
        import pyarrow.dataset
    except ImportError:
        raise GongkaiError(
            "pyarrow is not installed", [Problem("to_parquet", "install it with: pip install 'gongkai-model[parquet]'")]
        ) from None
    return pyarrow


def _reports_and_findings(
    items: Iterable[AnnualReport | FileResult | CheckedReport | Imported],
) -> Iterator[tuple[str, AnnualReport, tuple[Finding, ...]]]:
    from .checks import validate

    for i, item in enumerate(items):
        if isinstance(item, AnnualReport):
            yield f"#{i}", item, validate(item).issues
        elif isinstance(item, FileResult):
            if item.report is not None:
                yield item.path, item.report, item.findings
        elif isinstance(item, CheckedReport):
            if item.report is not None:
                findings = item.validation.issues if item.validation is not None else ()
                yield item.imported.source, item.report, findings
        elif isinstance(item, Imported):
            if item.report is not None:
                yield item.source, item.report, validate(item.report).issues
        else:
            raise GongkaiError(
                "cannot write to Parquet", [Problem(f"item {i}", f"not a report: {type(item).__name__}")]
            )


def to_parquet(
    items: Iterable[AnnualReport | FileResult | CheckedReport | Imported] | BatchResult,
    path: str | os.PathLike[str],
) -> tuple[Path, Path]:
    """Write the tidy cells and the findings of a corpus under ``path``, partitioned by year.

    ``path/cells`` holds one row per table cell (source, agency, year, edition, table, row, column,
    model path, ``value`` for counts as int64, ``money`` as float64 with ``money_exact`` as the exact
    decimal text, ``unit``); ``path/findings`` one row per finding (source, agency, year, code,
    severity, table, row, column, path, actual, expected, key). Blanks are nulls, never 0. Reports
    are given directly, or as the results of :func:`check_many`, :func:`gongkai_model.check` or
    :func:`gongkai_model.read` (files with no report are left out). Returns the two folders.
    """
    pa = _pyarrow()
    import pyarrow.dataset as ds

    if isinstance(items, BatchResult):
        items = items.files
    cells: dict[str, list[Any]] = {k: [] for k in _CELL_COLUMNS}
    finds: dict[str, list[Any]] = {k: [] for k in _FINDING_COLUMNS}
    for source, report, findings in _reports_and_findings(items):
        for rec in to_records(report):
            v = rec.value
            count = v if isinstance(v, int) else None
            money: Decimal | None = None
            unit = None
            if isinstance(v, Decimal):
                money = v
            elif v is not None and not isinstance(v, int):
                money, unit = v.value, (v.unit.value if v.unit else None)
            for k, x in zip(
                _CELL_COLUMNS,
                (source, report.agency, report.year, report.edition.value, rec.table, rec.row, rec.column, rec.path,
                 count, None if money is None else float(money), None if money is None else str(money), unit),
                strict=True,
            ):  # fmt: skip
                cells[k].append(x)
        for f in findings:
            for k, x in zip(
                _FINDING_COLUMNS,
                (source, report.agency, report.year, f.code, f.severity.value, f.table, f.row, f.column, f.path,
                 _num(f.actual), _num(f.expected), _key(f)),
                strict=True,
            ):  # fmt: skip
                finds[k].append(x)
    root = Path(path)
    types = {"value": pa.int64(), "money": pa.float64(), "year": pa.int64(), "actual": pa.float64(),
             "expected": pa.float64()}  # fmt: skip
    for name, data in (("cells", cells), ("findings", finds)):
        schema = pa.schema([(k, types.get(k, pa.string())) for k in data])
        table = pa.table(data, schema=schema)
        ds.write_dataset(
            table,
            root / name,
            format="parquet",
            partitioning=ds.partitioning(pa.schema([("year", pa.int64())]), flavor="hive"),
            existing_data_behavior="overwrite_or_ignore",
        )
    return root / "cells", root / "findings"


_CELL_COLUMNS = (
    "source", "agency", "year", "edition", "table", "row", "column", "path", "value", "money", "money_exact", "unit",
)  # fmt: skip
_FINDING_COLUMNS = (
    "source", "agency", "year", "code", "severity", "table", "row", "column", "path", "actual", "expected", "key",
)  # fmt: skip


def _num(v: object) -> float | None:
    if isinstance(v, int | Decimal) and not isinstance(v, bool):
        try:
            return float(v)
        except OverflowError:
            return None
    return None


def _key(f: Finding) -> str | None:
    key = getattr(f, "key", None)
    return key if isinstance(key, str) else None
