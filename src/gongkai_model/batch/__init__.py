"""Many reports at once: read every file of a folder, check a corpus in parallel, write it to Parquet.

- :func:`read_many` reads files (or every readable file under folders) and loses none: a file that
  cannot be read gives an :class:`~gongkai_model.Imported` with no report and the reason; it runs
  on the same pools, within the same bounds, as :func:`check_many`, and :func:`iter_read` gives
  its results one by one as files finish.
- :func:`check_many` reads and validates files in parallel and returns one :class:`FileResult` per
  file, in order, with a summary; :func:`iter_check` gives the same results one by one as files
  finish. Each file runs alone in a supervised worker process under a time limit and a memory cap
  (``Limits.max_seconds``, ``Limits.max_memory_bytes``): a file that hangs, exhausts memory or kills
  its worker gets its cause (``timeout``, ``memory``, ``crashed``) and every other file its real
  verdict. Any :class:`concurrent.futures.Executor` works too (threads, a ``dask.distributed``
  client's ``get_executor()``), with the limits it can enforce. A progress bar with the rate and
  the time left shows by default in a notebook, and on a terminal for more than 20 files. A
  journal (``journal=``) keeps each finished file's result so that an interrupted run resumes
  where it stopped.
- :func:`map_files` runs a function of your own over files with the same guarantees.
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
import functools
import os
import shutil
import stat
import sys
import uuid
import warnings
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal, TypeVar

import attrs

from .._optional import import_optional
from ..checks import Finding
from ..errors import GongkaiError, Problem
from ..formats import SUFFIXES, Imported, read
from ..limits import DEFAULT_LIMITS, Limits
from ..model.report import AnnualReport
from ..readcheck import CheckedReport, check, unplaced
from ..records import to_records
from . import _pool, _progress
from ._pool import FileOutcome
from ._result import CAUSES, STATUSES, BatchResult, FileResult, _failed, _unreadable

__all__ = [
    "CAUSES",
    "READABLE_SUFFIXES",
    "STATUSES",
    "BatchResult",
    "FileOutcome",
    "FileResult",
    "ParquetMode",
    "Scanned",
    "check_many",
    "iter_check",
    "iter_paths",
    "iter_read",
    "map_files",
    "read_many",
    "scan",
    "to_parquet",
]

_T = TypeVar("_T")

#: Suffixes of the files a folder is searched for (every format :func:`gongkai_model.read` knows).
READABLE_SUFFIXES = frozenset(SUFFIXES)

Paths = str | os.PathLike[str] | Iterable["str | os.PathLike[str] | Scanned"]


# --- which files ------------------------------------------------------------------------------------------


@attrs.frozen
class Scanned:
    """One entry of a scan: a file to read, or (``skipped`` set) an entry that cannot be read, and why."""

    path: str
    skipped: str | None = None


def _readable_name(name: str) -> bool:
    dot = name.rfind(".")  # Path(name).suffix, without making a Path
    return 0 < dot < len(name) - 1 and name[dot:].lower() in READABLE_SUFFIXES


def _valid_name(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # undecodable bytes, kept as surrogates by os.fsdecode
        return False
    return True


_KINDS = (
    (stat.S_ISFIFO, "a FIFO (named pipe), not a file"),
    (stat.S_ISSOCK, "a socket, not a file"),
    (stat.S_ISCHR, "a character device, not a file"),
    (stat.S_ISBLK, "a block device, not a file"),
)


def _kind(mode: int) -> str:
    for test, what in _KINDS:
        if test(mode):
            return what
    return "not a regular file"


def _walk(folder: str, out: list[Scanned]) -> None:
    try:
        with os.scandir(folder) as it:
            entries = list(it)
    except OSError as exc:
        out.append(Scanned(folder, f"cannot list this folder: {exc.strerror or type(exc).__name__}"))
        return
    base = Path(folder)
    for entry in entries:
        full = _joined(base, folder, entry.name)  # as rglob names it: "a.json" under ".", not "./a.json"
        if not _valid_name(entry.name):
            out.append(Scanned(full, "its name is not valid UTF-8 (not read; rename it)"))
            continue
        try:
            if entry.is_symlink():
                try:
                    info = os.stat(full)
                except OSError as exc:
                    if _readable_name(entry.name):
                        reason = "a symbolic link loop" if exc.errno == 40 else "a broken symbolic link"
                        if exc.errno not in (2, 40):
                            reason = f"a symbolic link that cannot be followed: {exc.strerror}"
                        out.append(Scanned(full, reason))
                    continue
                if stat.S_ISDIR(info.st_mode):
                    out.append(Scanned(full, "a symbolic link to a folder (not followed)"))
                elif _readable_name(entry.name):
                    if stat.S_ISREG(info.st_mode):
                        out.append(Scanned(full))  # a link to a file is read, wherever the file is
                    else:
                        out.append(Scanned(full, f"a symbolic link to {_kind(info.st_mode)}"))
            elif entry.is_dir(follow_symlinks=False):
                _walk(full, out)
            elif _readable_name(entry.name):
                if entry.is_file(follow_symlinks=False):  # a regular file (from the listing itself, mostly)
                    out.append(Scanned(full))
                else:
                    out.append(Scanned(full, _kind(entry.stat(follow_symlinks=False).st_mode)))
        except OSError as exc:
            out.append(Scanned(full, f"cannot be examined: {exc.strerror or type(exc).__name__}"))


def _joined(base: Path, folder: str, name: str) -> str:
    """``str(base / name)`` (``folder`` is ``str(base)``), without pathlib's cost where the separator is ``/``."""
    if os.sep != "/" or os.altsep:  # pragma: no cover - not POSIX
        return str(base / name)
    return name if folder == "." else folder + name if folder.endswith("/") else f"{folder}/{name}"


def _path_order(s: Scanned) -> Any:
    """The order of ``Path(s.path)`` among the entries of one scanned folder (all under the same prefix)."""
    if os.sep != "/" or os.altsep:  # pragma: no cover - not POSIX
        return Path(s.path)
    return s.path.split("/")  # a POSIX path compares as the list of its parts


def scan(paths: Paths) -> list[Scanned]:
    """Every file named, and every entry with a readable suffix under each folder (sorted), in the order given.

    A path named is kept as it is (one that does not exist is read, which says why). Under a folder,
    entries that cannot be read are kept with the reason (``skipped``), never dropped: FIFOs,
    sockets, devices, broken symbolic links and link loops (with a readable suffix), names that are
    not valid UTF-8, folders that cannot be listed and symbolic links to folders (not followed, so a
    scan cannot loop or leave the tree that way). A symbolic link to a file is read, even when the
    file lies outside the folder: the link is in the folder given. Entries of an earlier scan
    (:class:`Scanned`) may be given again and are kept as they are.
    """
    if isinstance(paths, str | os.PathLike):
        paths = [paths]
    out: list[Scanned] = []
    for p in paths:
        if isinstance(p, Scanned):  # an entry of an earlier scan: kept as it is
            out.append(p)
            continue
        path = os.fspath(p)
        if os.path.isdir(path):
            found: list[Scanned] = []
            _walk(str(Path(path)), found)
            out.extend(sorted(found, key=_path_order))
        else:
            out.append(Scanned(str(Path(path))))
    return out


def iter_paths(paths: Paths) -> list[Path]:
    """The files named, with every readable file under each folder (sorted), in the order given.

    A path that does not exist is kept: reading it reports why, so that no file is lost. The
    entries a folder scan cannot read are left out here; :func:`scan` lists them with the reason.
    """
    return [Path(s.path) for s in scan(paths) if s.skipped is None]


# --- results ----------------------------------------------------------------------------------------------


# --- running ----------------------------------------------------------------------------------------------


def _merge(
    fn: Callable[[str], Any],
    entries: list[Scanned],
    known: dict[int, FileOutcome[Any]],
    *,
    executor: cf.Executor | str | None,
    limits: Limits,
    workers: int | None,
    window: int,
    ordered: bool,
    on_done: Callable[[FileOutcome[Any]], None] | None = None,
) -> Generator[FileOutcome[Any], None, None]:
    """Outcomes of every entry: those ``known`` already (skipped, journaled) in their place, the rest run."""
    for i, s in enumerate(entries):
        if s.skipped is not None:
            known[i] = FileOutcome(i, s.path, None, "skipped", f"skipped: {s.skipped}")
    items = [(i, s.path) for i, s in enumerate(entries) if i not in known]
    running = _pool.run(
        fn,
        items,
        executor=executor,
        seconds=limits.max_seconds,
        memory=limits.max_memory_bytes,
        workers=workers,
        window=window,
        ordered=ordered,
        on_done=on_done,
    )
    try:
        if not ordered:
            yield from (known[i] for i in sorted(known))
            yield from running
            return
        for i in range(len(entries)):
            if i in known:
                yield known.pop(i)
            else:
                yield next(running)
    finally:
        running.close()


def _check_executor(executor: cf.Executor | str | None) -> None:
    if executor is None or executor in ("serial", "processes") or isinstance(executor, cf.Executor):
        return
    raise GongkaiError(
        "invalid argument", [Problem("executor", f"expected an Executor, 'processes' or 'serial', got {executor!r}")]
    )


def map_files(
    fn: Callable[[str], _T],
    paths: Paths,
    *,
    executor: cf.Executor | str | None = None,
    limits: Limits | None = None,
    workers: int | None = None,
    window: int = 256,
    ordered: bool = True,
) -> Generator[FileOutcome[_T], None, None]:
    """``fn(path)`` for every file (folders scanned as by :func:`scan`): one :class:`FileOutcome` per file.

    ``fn`` must be a module-level function (it is sent to worker processes by name); its value
    comes back in ``FileOutcome.value``. Each file runs alone in a worker process of our own
    supervised pool (``executor=None``, ``workers`` processes, by default one per core) under
    ``limits.max_seconds`` and ``limits.max_memory_bytes``: a file past its time is stopped
    (``cause="timeout"``), one that exhausts memory gets ``"memory"``, one whose worker dies is
    retried once alone in a fresh worker and then gets ``"crashed"``; an exception from ``fn``
    gives ``"error"``; a folder entry that cannot be read gives ``"skipped"``. Outcomes come as
    files finish, in input order (at most ``window`` files ahead of the first unfinished one), or
    in completion order with ``ordered=False``. ``executor`` may also be ``"serial"`` (this
    process) or any :class:`concurrent.futures.Executor` (see ``docs/batch.md`` for what each
    enforces). Closing the iterator (``break``) stops the workers.
    """
    _check_executor(executor)
    return _merge(
        fn,
        scan(paths),
        {},
        executor=executor,
        limits=limits or DEFAULT_LIMITS,
        workers=workers,
        window=max(1, window),
        ordered=ordered,
    )


#: The keys of a file's own options (``meta=``) that are reading options; the others are the caller's.
FILE_OPTIONS = frozenset({"agency", "year", "edition", "format"})

#: Per-file options: path → ``{"agency": …, "year": …}`` (``edition``, ``format`` too; other keys ignored).
FileMeta = Mapping[str, Mapping[str, Any]]


def _meta_key(path: str | os.PathLike[str]) -> str:
    """The key a path is looked up by in ``meta=``: absolute and normalised (``./a/../b.pdf`` is ``b.pdf``)."""
    return os.path.normcase(os.path.abspath(os.fspath(path)))


def _file_meta(meta: FileMeta | None) -> dict[str, dict[str, Any]]:
    """``meta`` by normalised path, keeping only the reading options that are set."""
    out: dict[str, dict[str, Any]] = {}
    for path, given in (meta or {}).items():
        kept = {k: v for k, v in given.items() if k in FILE_OPTIONS and v is not None and v != ""}
        if kept:
            out[_meta_key(path)] = kept
    return out


def _with_meta(path: str, options: dict[str, Any], meta: Mapping[str, dict[str, Any]]) -> dict[str, Any]:
    """The options of one file: the batch's, overridden by its own in ``meta`` (by normalised path)."""
    own = meta.get(_meta_key(path)) if meta else None
    return options if not own else {**options, **own}


def _read_task(path: str, options: dict[str, Any], meta: Mapping[str, dict[str, Any]] | None = None) -> Imported:
    try:
        return read(path, **_with_meta(path, options, meta or {}))
    except GongkaiError as exc:
        return _unreadable(path, exc)


def _read_result(o: FileOutcome[Any]) -> tuple[FileResult, list[str] | None]:
    """A read file as a FileResult (not checked: ``validation`` is ``None``), so that one journal serves both."""
    if o.cause is None and isinstance(o.value, Imported):
        return FileResult(o.path, CheckedReport(o.value, None)), []
    cause = o.cause if o.cause in CAUSES else None
    return FileResult(o.path, CheckedReport(_failed(o.path, o.cause or "error", o.message), None), cause=cause), []


def _read_setup(options: dict[str, Any], meta: FileMeta | None) -> tuple[Callable[[str], Imported], dict[str, Any]]:
    """The task of a read, and the settings its journal records (a resumed run must read alike)."""
    per_file = _file_meta(meta)
    limits = options["limits"] or DEFAULT_LIMITS
    settings: dict[str, Any] = {"task": "read", "limits": attrs.asdict(limits)}
    settings.update({k: v if isinstance(v, bool) else str(v) for k, v in sorted(options.items()) if k != "limits"})
    if per_file:
        settings["meta"] = {k: {n: str(v) for n, v in sorted(o.items())} for k, o in sorted(per_file.items())}
    return functools.partial(_read_task, options=options, meta=per_file), settings


def _read_options(
    format: str | None,
    agency: str | None,
    year: int | None,
    edition: str | None,
    strict: bool,
    limits: Limits | None,
    allow_network: bool,
    accept_unverified: bool = False,
) -> dict[str, Any]:
    options: dict[str, Any] = {"strict": strict, "limits": limits, "allow_network": allow_network}
    given = {"format": format, "agency": agency, "year": year, "edition": edition}
    options.update({k: v for k, v in given.items() if v is not None})
    if accept_unverified:  # only when set: a journal written before the option resumes as before
        options["accept_unverified"] = True
    return options


def iter_read(
    paths: Paths,
    *,
    executor: cf.Executor | str | None = None,
    workers: int | None = None,
    window: int = 256,
    progress: bool | None = None,
    ordered: bool = True,
    format: str | None = None,
    agency: str | None = None,
    year: int | None = None,
    edition: str | None = None,
    strict: bool = False,
    limits: Limits | None = None,
    allow_network: bool = False,
    journal: str | os.PathLike[str] | None = None,
    resume: bool = False,
    meta: FileMeta | None = None,
    accept_unverified: bool = False,
) -> Generator[Imported, None, None]:
    """Read every file; yield each :class:`~gongkai_model.Imported` as soon as it is known (see :func:`read_many`).

    The arguments are those of :func:`read_many`, with ``ordered`` as in :func:`iter_check`: results
    come in input order (holding at most ``window`` finished files back), or as files finish with
    ``ordered=False``. Every file gives exactly one result, whatever it does to its worker (a file
    stopped by a limit, crashed or skipped has no report and a ``BATCH_…`` problem). ``journal`` and
    ``resume`` keep and take back finished files as :func:`check_many` does (a journal of a read is
    not one of a check: resuming one with the other is refused). Closing the iterator stops the workers.
    """
    options = _read_options(format, agency, year, edition, strict, limits, allow_network, accept_unverified)
    results = _read_stream(paths, options, meta, executor, workers, window, progress, ordered, journal, resume, True)
    return _imported(results)


def _read_stream(
    paths: Paths,
    options: dict[str, Any],
    meta: FileMeta | None,
    executor: cf.Executor | str | None,
    workers: int | None,
    window: int,
    progress: bool | None,
    ordered: bool,
    journal: str | os.PathLike[str] | None,
    resume: bool,
    interactive: bool,
) -> Generator[FileResult, None, None]:
    """The one run of a read (:func:`iter_read`, :func:`read_many`): each file's result as it is known."""
    _check_executor(executor)
    fn, settings = _read_setup(options, meta)
    return _stream(
        fn,
        scan(paths),
        to_result=_read_result,
        desc="reading",
        executor=executor,
        limits=options.get("limits") or DEFAULT_LIMITS,
        workers=workers,
        window=window,
        ordered=ordered,
        progress=progress,
        journal=journal,
        resume=resume,
        settings=settings,
        interactive=interactive,
    )


def _imported(results: Generator[FileResult, None, None]) -> Generator[Imported, None, None]:
    """The files read, of a stream of results; closing it closes the stream (the workers stop now)."""
    try:
        for result in results:
            yield result.checked.imported
    finally:
        results.close()


def read_many(
    paths: Paths,
    *,
    executor: cf.Executor | str | None = None,
    workers: int | None = None,
    window: int = 256,
    progress: bool | None = None,
    format: str | None = None,
    agency: str | None = None,
    year: int | None = None,
    edition: str | None = None,
    strict: bool = False,
    limits: Limits | None = None,
    allow_network: bool = False,
    journal: str | os.PathLike[str] | None = None,
    resume: bool = False,
    meta: FileMeta | None = None,
    accept_unverified: bool = False,
) -> list[Imported]:
    """Read every file (folders are searched for readable files): one :class:`Imported` per file, in order.

    ``format`` … ``allow_network`` and ``accept_unverified`` are the options of :func:`gongkai_model.read`, the
    same for every file;
    ``meta`` maps a file's path to its own ``agency``, ``year``, ``edition`` or ``format`` (a page
    with no title), which take precedence (paths are compared absolute and normalised).
    The files run as in :func:`check_many`, on the same pools with the same bounds (each alone in a
    supervised worker of ``workers`` processes, within the time and memory of ``limits``; any
    :class:`concurrent.futures.Executor`; ``executor="serial"`` reads them in this process): a file
    stopped by a limit, crashed or skipped gives an ``Imported`` with no report and a ``BATCH_…``
    problem. ``progress`` shows a bar with the rate and the time left (by default in a notebook, and
    on a terminal for more than 20 files); ``journal``/``resume`` as in :func:`check_many`.
    :func:`iter_read` gives the same results one by one as files finish.
    """
    options = _read_options(format, agency, year, edition, strict, limits, allow_network, accept_unverified)
    results = _read_stream(paths, options, meta, executor, workers, window, progress, True, journal, resume, False)
    return [result.checked.imported for result in results]


def _check_task(
    path: str, options: dict[str, Any], provenance: bool, meta: Mapping[str, dict[str, Any]] | None = None
) -> tuple[FileResult, list[str]]:
    """One file in a worker: its result, and the cells that were formulas (kept for the journal)."""
    try:
        checked = check(path, **_with_meta(path, options, meta or {}))
    except MemoryError:
        raise  # the pool's to report (status ``memory``) and to replace the worker
    except Exception as exc:  # a bug must not lose the file: it is reported as unreadable, with its reason
        return FileResult(path, CheckedReport(_unreadable(path, exc), None)), []
    derived = [p for p, prov in checked.imported.provenance.items() if prov.formula]
    if not provenance and checked.imported.provenance:
        imported = checked.imported  # its coverage is kept: it is counted from the provenance
        checked = unplaced(
            attrs.evolve(checked, imported=attrs.evolve(imported, provenance={}, coverage=imported.coverage))
        )
    return FileResult(path, checked), derived


def _stream(
    fn: Callable[[str], Any],
    entries: list[Scanned],
    *,
    to_result: Callable[[FileOutcome[Any]], tuple[FileResult, list[str] | None]],
    desc: str,
    executor: cf.Executor | str | None,
    limits: Limits,
    workers: int | None,
    window: int,
    ordered: bool,
    progress: bool | None,
    journal: str | os.PathLike[str] | None,
    resume: bool,
    settings: dict[str, Any],
    interactive: bool,
) -> Generator[FileResult, None, None]:
    """The one runner of :func:`iter_check`/:func:`iter_read` (and so of the ``…_many``): journal, bar, results.

    The bar counts files as they finish (before they are held back for order); those taken from the
    journal or skipped count as done from the start. ``interactive``: the caller prints between
    results, so a bar on the terminal is cleared while a result is with it (and drawn again after),
    when stdout is a terminal too.
    """
    book = None
    known: dict[int, FileOutcome[Any]] = {}
    if journal is not None:
        from ._journal import Journal

        book = Journal(journal, settings, resume=resume)
        for i, s in enumerate(entries):
            if s.skipped is None and book.has(s.path):  # read back when its turn comes: memory stays bounded
                known[i] = FileOutcome(i, s.path, _FROM_JOURNAL)
    try:
        shown = _progress.bar(
            len(entries),
            desc=desc,
            initial=len(known) + sum(s.skipped is not None for s in entries),
            enabled=_progress.wanted(progress, len(entries)),
        )
    except BaseException:
        if book is not None:
            book.close()
        raise
    clearing = interactive and _progress._isatty(sys.stdout)

    def record(o: FileOutcome[Any]) -> None:
        """Journal one file as soon as it finishes (before it is held back for order)."""
        if book is not None:
            result, derived = to_result(o)
            if derived is not None:
                book.record(result, derived)

    def finished(o: FileOutcome[Any]) -> None:
        record(o)
        shown.update(1)

    outcomes = _merge(
        fn,
        entries,
        known,
        executor=executor,
        limits=limits,
        workers=workers,
        window=max(1, window),
        ordered=ordered,
        on_done=finished,
    )
    try:
        for o in outcomes:
            result = None
            if o.value is _FROM_JOURNAL and book is not None:
                result = book.recall(o.path)
                if result is None:  # its entry cannot be used after all: the file runs now, with the same bounds
                    (o,) = _pool.run(
                        fn,
                        [(o.index, o.path)],
                        executor=executor,
                        seconds=limits.max_seconds,
                        memory=limits.max_memory_bytes,
                        workers=1,
                        on_done=record,  # counted as done already
                    )
            item = result if result is not None else to_result(o)[0]
            if clearing:
                shown.clear()
            yield item
            if clearing:
                shown.refresh()
    finally:
        outcomes.close()
        shown.close()
        if book is not None:
            book.close()


def iter_check(
    paths: Paths,
    *,
    executor: cf.Executor | str | None = None,
    workers: int | None = None,
    progress: bool | None = None,
    blanks_as_zero: bool = False,
    strict: bool = False,
    limits: Limits | None = None,
    window: int = 256,
    ordered: bool = True,
    provenance: bool = True,
    journal: str | os.PathLike[str] | None = None,
    resume: bool = False,
    meta: FileMeta | None = None,
    accept_unverified: bool = False,
) -> Generator[FileResult, None, None]:
    """Read and validate every file; yield each :class:`FileResult` as soon as it is known.

    The arguments are those of :func:`check_many`. Results come in input order (holding at most
    ``window`` finished files back), or as files finish with ``ordered=False``; the guarantees are
    those of :func:`check_many` (one result per file whatever it does to its worker, the time and
    memory bounds, the journal). Stopping the iteration (``break``, an exception, Ctrl-C) stops the
    workers; every result already yielded is also in the journal, if there is one. A progress bar
    on the terminal is cleared while each result is with you, so that what you print between
    results does not run into it.

    Why a function of its own rather than ``check_many(..., stream=True)``: a function whose result
    type depends on a flag (a :class:`BatchResult` or a generator) types badly and reads worse, and
    a stream has a life of its own (it holds workers and a journal until it is exhausted or
    closed: ``break`` or ``contextlib.closing``), which a :class:`BatchResult` never has.
    :func:`check_many` is ``BatchResult(tuple(iter_check(...)))``; :func:`iter_read` is the same
    for :func:`read_many`.
    """
    _check_executor(executor)
    fn, settings, limits = _check_setup(strict, blanks_as_zero, provenance, limits, meta, accept_unverified)
    return _stream(
        fn,
        scan(paths),
        to_result=_result,
        desc="checking",
        executor=executor,
        limits=limits,
        workers=workers,
        window=window,
        ordered=ordered,
        progress=progress,
        journal=journal,
        resume=resume,
        settings=settings,
        interactive=True,
    )


def _check_setup(
    strict: bool,
    blanks_as_zero: bool,
    provenance: bool,
    limits: Limits | None,
    meta: FileMeta | None,
    accept_unverified: bool = False,
) -> tuple[Callable[[str], Any], dict[str, Any], Limits]:
    """The task of a check, the settings its journal records (a resumed run must check alike), the limits."""
    limits = limits or DEFAULT_LIMITS
    options: dict[str, Any] = {"strict": strict, "limits": limits, "blanks_as_zero": blanks_as_zero}
    per_file = _file_meta(meta)
    settings = {"strict": strict, "blanks_as_zero": blanks_as_zero, "provenance": provenance,
                "limits": attrs.asdict(limits)}  # fmt: skip
    if accept_unverified:  # recorded only when set: a journal written before the option resumes as before
        options["accept_unverified"] = settings["accept_unverified"] = True
    if per_file:  # a resumed run must use the same per-file options
        settings["meta"] = {k: {n: str(v) for n, v in sorted(o.items())} for k, o in sorted(per_file.items())}
    fn = functools.partial(_check_task, options=options, provenance=provenance, meta=per_file)
    return fn, settings, limits


#: The value of a file whose result is in the journal (read back when it is yielded).
_FROM_JOURNAL = ("journal", None)


def _result(o: FileOutcome[Any]) -> tuple[FileResult, list[str] | None]:
    """The FileResult of an outcome, and the derived cells (``None``: recalled from a journal)."""
    if o.cause is None and o.value is not None:
        result, derived = o.value
        return result, derived
    if o.cause is None or o.cause == "error":
        return FileResult(o.path, CheckedReport(_failed(o.path, "error", o.message), None)), []
    return FileResult(o.path, CheckedReport(_failed(o.path, o.cause, o.message), None), cause=o.cause), []


def check_many(
    paths: Paths,
    *,
    executor: cf.Executor | str | None = None,
    workers: int | None = None,
    progress: bool | None = None,
    blanks_as_zero: bool = False,
    strict: bool = False,
    limits: Limits | None = None,
    window: int = 256,
    chunksize: int | None = None,
    provenance: bool = True,
    journal: str | os.PathLike[str] | None = None,
    resume: bool = False,
    meta: FileMeta | None = None,
    accept_unverified: bool = False,
) -> BatchResult:
    """Read and validate every file in parallel; one :class:`FileResult` per file, in order, and a summary.

    By default each file runs alone in a worker process of a supervised pool (``workers``
    processes, one per core), within ``limits.max_seconds`` and ``limits.max_memory_bytes``: a file
    that hangs is stopped (status ``timeout``), one that exhausts memory gets ``memory``, one whose
    worker dies is retried once alone and then gets ``crashed``, and every other file keeps its
    real verdict. ``executor`` may instead be ``"serial"`` (this process) or any
    :class:`concurrent.futures.Executor` (a thread pool, your process pool, a ``dask`` client's
    ``get_executor()``), with the limits it can enforce; one that breaks hands its unfinished files
    to the supervised pool, so no file is lost and nothing is raised. At most ``window`` files are
    held back so that results stay in order. ``progress`` shows one bar that updates in place, with
    the rate and the time left (``tqdm``'s ``auto`` bar: a widget in a notebook, a line on stderr on
    a terminal); by default it is on in a notebook, and on a terminal for more than 20 files
    (``progress=False``/``True`` decide). ``provenance=False`` drops each
    figure's provenance (and so the findings' places) from the results (smaller to send between
    processes). ``chunksize`` is deprecated and ignored (with a ``DeprecationWarning``): each file
    is one task, so that each gets its own bounds.

    ``journal`` names a JSON-lines file where each finished file's result is appended as it
    completes (a new journal each run); with ``resume=True`` the files already in it, unchanged
    since (path, size, mtime), are taken from it and the rest are run and appended, so an
    interrupted run resumed gives the same results as an uninterrupted one. Folder entries that
    cannot be read are results of status ``skipped`` (see :func:`scan`).

    ``meta`` maps a file's path to its own ``agency``, ``year``, ``edition`` or ``format`` (pages
    with no title: :func:`gongkai_model.read`'s options for that file); paths are compared absolute
    and normalised, and a file not in it is read with what the document itself says.

    ``accept_unverified=True`` accepts the figures read by OCR that the identities do not verify
    (:func:`gongkai_model.check`'s option: each ``READ_OCR_UNVERIFIED`` is then a warning, not an error).
    """
    if chunksize is not None:
        warnings.warn(
            "check_many(chunksize=) is ignored: each file is one task, with its own time and memory bounds",
            DeprecationWarning,
            stacklevel=2,
        )
    _check_executor(executor)
    fn, settings, limits = _check_setup(strict, blanks_as_zero, provenance, limits, meta, accept_unverified)
    return BatchResult(
        tuple(
            _stream(
                fn,
                scan(paths),
                to_result=_result,
                desc="checking",
                executor=executor,
                limits=limits,
                workers=workers,
                window=window,
                ordered=True,
                progress=progress,
                journal=journal,
                resume=resume,
                settings=settings,
                interactive=False,
            )
        )
    )


# --- Parquet ---------------------------------------------------------------------------------------------


def _pyarrow() -> Any:
    return import_optional("pyarrow", "parquet", purpose="to_parquet", also=("dataset",), where="to_parquet")


def _reports_and_findings(
    items: Iterable[AnnualReport | FileResult | CheckedReport | Imported],
) -> Iterator[tuple[str, AnnualReport, tuple[Finding, ...]]]:
    from ..checks import validate

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


#: What :func:`to_parquet` does with a folder that already holds data (``mode=``).
ParquetMode = Literal["error", "overwrite", "append"]

_DATASETS = ("cells", "findings")


def _is_dataset(folder: Path) -> bool:
    """Whether ``folder`` holds only what :func:`to_parquet` writes: ``year=…`` folders of ``.parquet`` files."""
    for entry in folder.iterdir():
        if entry.is_symlink() or not entry.is_dir() or not entry.name.startswith("year="):
            return False
        if not all(f.is_file() and not f.is_symlink() and f.suffix == ".parquet" for f in entry.iterdir()):
            return False
    return True


def _prepare(root: Path, mode: str) -> str:
    """Check ``mode`` against what ``root`` holds (and empty it for ``overwrite``); the file name template."""
    if mode not in ("error", "overwrite", "append"):
        raise GongkaiError(
            "invalid argument", [Problem("mode", f"expected 'error', 'overwrite' or 'append', got {mode!r}")]
        )
    used = [
        root / n for n in _DATASETS if (root / n).exists() and (not (root / n).is_dir() or any((root / n).iterdir()))
    ]
    if used and mode == "error":
        raise GongkaiError(
            "the Parquet folder already holds data",
            [
                Problem(
                    str(p), "holds data of an earlier run: pass mode='overwrite' to replace it, mode='append' to add"
                )
                for p in used
            ],
        )
    foreign = [p for p in used if not p.is_dir() or not _is_dataset(p)]
    if foreign:
        raise GongkaiError(
            "the Parquet folder holds other files",
            [Problem(str(p), "holds more than the year=… folders of .parquet files to_parquet writes: not touched")
             for p in foreign],
        )  # fmt: skip
    if mode == "overwrite":
        for p in used:
            shutil.rmtree(p)
    return f"part-{uuid.uuid4().hex}-{{i}}.parquet" if mode == "append" else "part-{i}.parquet"


def to_parquet(
    items: Iterable[AnnualReport | FileResult | CheckedReport | Imported] | BatchResult,
    path: str | os.PathLike[str],
    *,
    mode: ParquetMode = "error",
) -> tuple[Path, Path]:
    """Write the tidy cells and the findings of a corpus under ``path``, partitioned by year.

    ``path/cells`` holds one row per table cell (source, agency, year, edition, table, row, column,
    model path, ``value`` for counts as int64, ``money`` as float64 with ``money_exact`` as the exact
    decimal text, ``unit``); ``path/findings`` one row per finding (source, agency, year, code,
    severity, table, row, column, path, actual, expected, key). Blanks are nulls, never 0. Reports
    are given directly, or as the results of :func:`check_many`, :func:`gongkai_model.check` or
    :func:`gongkai_model.read` (files with no report are left out). Returns the two folders.

    ``mode`` says what to do when ``path/cells`` or ``path/findings`` already holds data, so that
    the partitions of two runs are never mixed silently: ``"error"`` (the default) refuses,
    ``"overwrite"`` deletes both datasets first, ``"append"`` adds this run's files beside the
    others (under new file names). A folder holding anything but the ``year=…`` folders of
    ``.parquet`` files this function writes is never touched (refused in every mode).
    """
    pa = _pyarrow()
    import pyarrow.dataset as ds

    root = Path(path)
    template = _prepare(root, mode)

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
            basename_template=template,
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
