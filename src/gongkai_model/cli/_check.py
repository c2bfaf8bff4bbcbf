"""``gongkai check FILE|DIR...``: read and check reports, one line per file as it is checked, and a summary table.

Under each file's line (:func:`render_file`) come its reading problems and findings, each placed as the
source is looked up (``表三!J7``, ``第 2 页 第 1 个表格 第 5 行 第 3 列``), then a failing file's best repair
suggestions (``--suggestions N``), in Chinese or English (``--lang zh|en``, by default from the locale:
Chinese unless it says English); ``--format json`` carries both languages, and ``--format jsonl`` writes the
same objects one line per file as each is checked, then the run's summary on the last line (a corpus of any
size in constant memory: the run keeps only a few counts of each file shown).

Each file runs alone within a time and a memory limit (``--max-seconds``, ``--max-memory``); a file
that hangs, exhausts memory or crashes its worker is shown with that status and the others keep
their verdicts. ``--journal FILE`` keeps each finished file's result, ``--resume`` continues an
interrupted run from it; Ctrl-C prints what finished and the summary, and exits 130.

A baseline (``--baseline FILE``, made with ``--write-baseline FILE``) lists the findings and reading
problems accepted earlier, per file, by their stable keys: a finding by :attr:`Finding.key` (its code
and location), a reading problem by :attr:`Problem.key` (its code, its place in the file and its
label). Accepted items are not shown and do not count; everything new does.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from ..batch import READABLE_SUFFIXES, FileResult, iter_check, scan
from ..batch import STATUSES as _BATCH_STATUSES
from ..checks import Change, Finding, Severity, Suggestion
from ..codes import CATALOGUE
from ..errors import Place, Problem, Tally, Verdict
from ..formats import Coverage
from ..jurisdiction import JurisdictionResult, check_jurisdiction
from ..limits import DEFAULT_LIMITS, Limits
from ..model.report import UNKNOWN_AGENCY, UNKNOWN_YEAR
from ..readcheck import CheckedReport
from ..register import Register, RegisterError
from ._common import USAGE, fail, missing_paths, note, print_json, unwritable, write_file
from ._meta import add_meta_arguments, file_meta

__all__ = [
    "BASELINE_FORMAT",
    "STATUSES",
    "SUGGESTIONS",
    "Outcome",
    "add_parser",
    "default_lang",
    "outcome",
    "problem_key",
    "render_file",
    "suggestion_text",
]

#: The ``format`` field of a baseline file.
BASELINE_FORMAT = "gongkai-baseline"
#: Every status a file can have, from clean to worst, then the causes a file has no verdict (see ``batch.STATUSES``).
STATUSES = _BATCH_STATUSES
#: The exit status of a run interrupted by Ctrl-C (128 + SIGINT), as a shell's.
INTERRUPTED = 130
#: How many suggestions are shown under a failing file unless ``--suggestions N`` says otherwise.
SUGGESTIONS = 3
_SEVERITY_ZH = {"error": "错误", "inconsistency": "不一致", "warning": "警告", "info": "提示"}


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "check",
        help="read and check reports (files or folders, every readable format)",
        description="Read and check reports: every file named, and every readable file under each folder "
        f"({', '.join(sorted(READABLE_SUFFIXES))}). One line per file, its problems below it, then a summary.",
        epilog="Exit status: 0 when every file is clean; 1 when a file is inconsistent, incomplete (a figure "
        "could not be read), empty (no figure at all), unassessed (more than half of its identities could not be "
        "assessed; accepted with --allow-unassessed), unreadable, stopped (timeout, memory), crashed or skipped "
        "(with --warnings: or has warnings); 2 on a usage error; 130 when interrupted (Ctrl-C: what finished is "
        "shown, and kept in the journal).",
    )
    p.add_argument("paths", nargs="+", metavar="FILE|DIR", help="report files, or folders searched recursively")
    p.add_argument(
        "--format",
        choices=("text", "json", "jsonl"),
        default="text",
        help="output format (default: text; json: one document at the end; jsonl: one line per file as it is "
        "checked, then the summary on the last line)",
    )
    p.add_argument(
        "--lang",
        choices=("zh", "en"),
        default=None,
        help="language of the text output: zh (中文) or en (default: en when the locale is English, else zh); "
        "--format json and jsonl have both",
    )
    p.add_argument(
        "--suggestions",
        type=_count,
        default=SUGGESTIONS,
        metavar="N",
        help=f"repair suggestions shown under each failing file, best first (default: {SUGGESTIONS}; 0: none)",
    )
    p.add_argument("--warnings", action="store_true", help="warnings count against a file too")
    p.add_argument(
        "--allow-unassessed",
        action="store_true",
        help="a file most of whose identities could not be assessed (blank cells) counts as clean (an empty one never)",
    )
    p.add_argument(
        "--accept-unverified",
        action="store_true",
        help="figures read by OCR that the identities do not verify are warnings, not reading errors",
    )
    p.add_argument("--baseline", metavar="FILE", help="silence the findings and problems accepted in FILE")
    p.add_argument(
        "--write-baseline", metavar="FILE", help="write every finding and problem found as a baseline to FILE"
    )
    p.add_argument(
        "--jobs", type=_positive, metavar="N", help="files checked at once (default: one per core; 1: in this process)"
    )
    p.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="a progress bar with the rate and the time left on stderr (default: with more than 20 files, "
        "on a terminal)",
    )
    p.add_argument(
        "--order",
        choices=("input", "finish"),
        default="input",
        help="text and jsonl output: each file's line in the order the files were named (default: a line waits for "
        "the files before it; the bar counts every file done) or as soon as its file finishes",
    )
    p.add_argument("--strict", action="store_true", help="refuse misprinted and variant labels instead of reading them")
    p.add_argument("--blanks-as-zero", action="store_true", help="assess identities with blanks counted as 0")
    p.add_argument(
        "--journal",
        metavar="FILE",
        help="append each finished file's result to FILE (JSON lines) as it completes, to resume an interrupted run",
    )
    p.add_argument(
        "--resume",
        action="store_true",
        help="with --journal: take the files already in the journal (unchanged since) from it, check the rest",
    )
    p.add_argument(
        "--max-seconds",
        type=_seconds,
        metavar="S",
        help=f"time to read and check one file before it is stopped (default: {DEFAULT_LIMITS.max_seconds:g})",
    )
    p.add_argument(
        "--max-memory",
        type=_bytes,
        metavar="SIZE",
        help="memory (address space) of the worker checking one file, e.g. 512M, 2G "
        f"(default: {DEFAULT_LIMITS.max_memory_bytes // 1024**3}G)",
    )
    p.add_argument(
        "--register",
        metavar="CSV",
        help="an agency register (agency, parent, level, aliases, code, summary): after the files, check them "
        "together as a jurisdiction (missing, duplicate and conflicting reports, each unit's years, summaries "
        "against their units); an error or inconsistency there fails the run",
    )
    add_meta_arguments(p, batch=True)
    p.set_defaults(run=_run)


def _seconds(text: str) -> float:
    try:
        n = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not n > 0 or n == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {text!r}")
    return n


_UNITS = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3, "T": 1024**4}


def _bytes(text: str) -> int:
    match = re.fullmatch(r"\s*(\d+)\s*([KMGT]?)(?:I?B)?\s*", text.upper())
    if match is None or int(match[1]) == 0:
        raise argparse.ArgumentTypeError(f"expected a positive size such as 512M or 2G, got {text!r}")
    return int(match[1]) * _UNITS[match[2]]


def _count(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if n < 0:
        raise argparse.ArgumentTypeError(f"expected 0 or more, got {n}")
    return n


def _positive(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1, got {n}")
    return n


def problem_key(problem: Problem) -> str:
    """A stable key of a reading problem: :attr:`Problem.key` (its code, its place in the file and its label).

    The file's own name is left out (a baseline is kept per file), so a key holds when the
    messages are reworded. Opaque: compare it, do not parse it.

    >>> from gongkai_model.errors import Place
    >>> problem_key(Problem("a.xlsx, 表三!D7", "not a figure", "表三 （一）予以公开 × 自然人",
    ...                     code="READ_VALUE_REFUSED", place=Place("a.xlsx", cell="表三!D7")))
    'READ_VALUE_REFUSED|cell=表三!D7|表三 （一）予以公开 × 自然人'
    """
    return problem.key


def _keys(items: Iterable[Problem | Finding], source: str) -> list[str]:
    """The one key function of a file's items, problems and findings alike: each item's own ``key``
    (a problem located by the file's name alone has it left out), ``#2``, ``#3`` … on a repeat."""
    keys = []
    seen: Counter[str] = Counter()
    for item in items:
        if isinstance(item, Problem) and item.place is None and item.location.startswith(source):
            item = attrs.evolve(item, location=item.location[len(source) :].lstrip(":, "))
        key = item.key
        seen[key] += 1
        keys.append(key if seen[key] == 1 else f"{key}#{seen[key]}")
    return keys


@attrs.frozen
class Outcome:
    """One file's result once the baseline is applied: what is still shown, and its status."""

    path: str
    result: FileResult
    problems: tuple[tuple[str, Problem], ...]  #: (key, problem) not accepted
    findings: tuple[Finding, ...]  #: not accepted
    accepted: int  #: items silenced by the baseline
    _status: str | None = attrs.field(default=None, init=False, eq=False, repr=False)  # worked out once

    @property
    def status(self) -> str:
        """The file's verdict from what is left once the baseline is applied (:meth:`Verdict.of`), as a string."""
        if self._status is None:
            object.__setattr__(self, "_status", self._verdict())
        assert self._status is not None
        return self._status

    def _verdict(self) -> str:
        if self.result.cause is not None:
            return self.result.cause  # stopped, crashed or skipped: nothing a baseline could accept
        return Verdict.of(
            (p.severity for _, p in self.problems),
            (f.severity for f in self.findings),
            readable=self.result.edition is not None,  # nothing was read, nothing a baseline could accept
            tally=self.result.tally,  # what was checked: a baseline accepts findings, it fills no blank
        ).value

    def ok(self, *, warnings: bool = False, unassessed: bool = False) -> bool:
        """Whether the file passes (:meth:`Verdict.passes`): the one rule of the exit status."""
        return Verdict(self.status).passes(warnings=warnings, unassessed=unassessed)

    def keys(self) -> list[str]:
        """Every key of this file (accepted or not), for a baseline."""
        if self.result.quiet:
            return []
        return _keys((*self.result.problems, *self.result.findings), self.result.path)


def outcome(result: FileResult, accepted: frozenset[str] = frozenset()) -> Outcome:
    """``result`` with the items whose keys are in ``accepted`` silenced."""
    if result.quiet:  # nothing to silence (a result from a worker is not unpacked for it)
        return Outcome(_name(result.path), result, (), (), 0)
    pairs = list(zip(_keys(result.problems, result.path), result.problems, strict=True))
    if result.report is None:  # an unreadable file: nothing was read, its reasons are always shown
        shown_p, silenced = pairs, 0
    else:
        shown_p = [(k, p) for k, p in pairs if k not in accepted]
        silenced = len(pairs) - len(shown_p)
    shown_f = [f for f in result.findings if f.key not in accepted]
    silenced += len(result.findings) - len(shown_f)
    return Outcome(_name(result.path), result, tuple(shown_p), tuple(shown_f), silenced)


def _name(path: str) -> str:
    """The path as a baseline keys it: relative to the working folder where it is below it, with ``/``.

    A path below the working folder is cut from its normal form (string work: the parent names every file
    of a run twice); any other is left to :func:`os.path.relpath` and :mod:`pathlib`, as it always was.
    """
    cwd = os.getcwd()
    norm = os.path.normpath(os.path.join(cwd, path))
    if os.sep != "/" or norm == cwd or norm.startswith("//") or not cwd.startswith("/"):
        return _name_by_path(path)
    prefix = cwd if cwd.endswith("/") else cwd + "/"
    if norm.startswith(prefix):
        return norm[len(prefix) :]
    if prefix.startswith(norm.rstrip("/") + "/"):  # above it: relpath gives .. (kept as it was) or ../..
        return _name_by_path(path)
    return Path(path).as_posix()  # beside it: relpath would start with ../


def _name_by_path(path: str) -> str:
    """:func:`_name`, with :mod:`pathlib` (the authority: any path not below the working folder, and Windows)."""
    p = Path(path)
    try:
        rel = Path(os.path.relpath(p.absolute(), Path.cwd()))
    except ValueError:  # another drive (Windows)
        return p.as_posix()
    return rel.as_posix() if not rel.as_posix().startswith("../") else p.as_posix()


def _load_baseline(path: str) -> dict[str, frozenset[str]] | str:
    """The accepted keys per file, or the reason the baseline cannot be used."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        return f"cannot read the baseline {path}: {exc.strerror or type(exc).__name__}"
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return f"the baseline {path} is not JSON: {exc}"
    files = data.get("files") if isinstance(data, dict) else None
    if (
        not isinstance(data, dict)
        or data.get("format") != BASELINE_FORMAT
        or not isinstance(files, dict)
        or not all(isinstance(v, list) and all(isinstance(k, str) for k in v) for v in files.values())
    ):
        return f"{path} is not a gongkai baseline (made by gongkai check --write-baseline)"
    return {str(name): frozenset(keys) for name, keys in files.items()}


def _run(args: argparse.Namespace) -> int:
    missing = missing_paths(args.paths)
    if missing:
        return fail("no such file or folder: " + ", ".join(missing), USAGE)
    if args.resume and args.journal is None:
        return fail("--resume needs --journal FILE (the journal of the run to resume)", USAGE)
    cannot = unwritable(args.write_baseline, args.journal)
    if cannot is not None:
        return fail(cannot, USAGE)
    accepted: dict[str, frozenset[str]] = {}
    if args.baseline is not None:
        if not os.path.exists(args.baseline):
            return fail(f"no such baseline: {args.baseline}", USAGE)
        loaded = _load_baseline(args.baseline)
        if isinstance(loaded, str):
            return fail(loaded, USAGE)
        accepted = loaded
    own = {Path(b).absolute() for b in (args.baseline, args.write_baseline, args.journal, args.register) if b}
    named = {Path(p).absolute() for p in args.paths}
    entries = [s for s in scan(args.paths) if Path(s.path).absolute() not in own or Path(s.path).absolute() in named]
    if not entries:  # (entries that cannot be read are shown as skipped, never dropped)
        return fail(
            "no readable files in " + ", ".join(args.paths) + f" (readable: {', '.join(sorted(READABLE_SUFFIXES))})",
            USAGE,
        )
    skipped = [s for s in _skipped(args.paths) if Path(s).absolute() not in own]
    meta = file_meta(args, [s.path for s in entries])
    if isinstance(meta, str):
        return fail(meta, USAGE)
    register = _load_register(args.register)
    if isinstance(register, str):
        return fail(register, USAGE)
    changes: dict[str, Any] = {}
    if args.max_seconds is not None:
        changes["max_seconds"] = args.max_seconds
    if args.max_memory is not None:
        changes["max_memory_bytes"] = args.max_memory
    limits = attrs.evolve(DEFAULT_LIMITS, **changes) if changes else Limits()
    in_order = args.order == "input" or args.format == "json"  # JSON is one document at the end, in input order
    results = iter_check(
        entries,
        ordered=in_order,
        executor="serial" if args.jobs == 1 else None,
        workers=args.jobs,
        progress=args.progress,
        strict=args.strict,
        blanks_as_zero=args.blanks_as_zero,
        limits=limits,
        journal=args.journal,
        resume=args.resume,
        meta=meta,
        accept_unverified=args.accept_unverified,
    )
    kept: list[_Kept] = []  # what the summary needs of each file shown (its report only with --register)
    width = max(len(s) for s in STATUSES)
    lang = args.lang or default_lang()
    passes = _Passes(args.warnings, args.allow_unassessed)
    interrupted = False
    try:
        for result in results:
            o = outcome(result, accepted.get(_name(result.path), frozenset()))
            item = None if args.format == "text" else _file_json(o, passes, meta, args.suggestions)
            kept.append(  # kept before its line is printed: Ctrl-C after the line still counts the file
                _Kept(
                    result.path,
                    o.path,
                    o.status,
                    passes(o),
                    o.accepted,
                    result.coverage,
                    result.tally,
                    tuple(o.keys()) if args.write_baseline is not None and result.edition is not None else (),
                    item if args.format == "json" else None,
                    result if register is not None else None,
                )
            )
            if args.format == "text":
                _print_file(o, width, lang, args.suggestions)
            elif args.format == "jsonl":
                print_json(item, indent=None)
            sys.stdout.flush()  # each line as its file finishes
    except KeyboardInterrupt:
        interrupted = True
    finally:
        results.close()  # stops the workers; the journal keeps every file shown
    if not in_order:  # the lines came as files finished; the baseline and the summary keep the input order
        position: dict[str, int] = {}
        for i, s in enumerate(entries):
            position.setdefault(s.path, i)
        kept.sort(key=lambda k: position.get(k.source, len(entries)))
    if args.write_baseline is not None and not interrupted:
        _write_baseline(Path(args.write_baseline), kept)
    jurisdiction = (
        None
        if register is None or interrupted
        else check_jurisdiction([k.result for k in kept if k.result is not None], register)
    )
    reranked = [] if jurisdiction is None else _reranked(jurisdiction, kept, args.suggestions)
    if args.format != "text":
        data = _as_json(kept, skipped, len(entries) if interrupted else None, files=args.format == "json")
        if jurisdiction is not None:
            data["jurisdiction"] = jurisdiction.as_json()
            data["jurisdiction"]["reranked"] = [
                {
                    "path": k.path,
                    "suggestions": [_suggestion_json(s, k.result.checked) for s in shown],
                    "suggestions_total": total,
                }
                for k, shown, total in reranked
                if k.result is not None
            ]
            data["ok"] = data["ok"] and jurisdiction.ok
        print_json(data, indent=2 if args.format == "json" else None)
    else:
        _print_summary(kept, skipped, width)
        if jurisdiction is not None:
            print()
            print("\n".join(jurisdiction.lines()))
            for line in _reranked_lines(reranked, lang):
                print(line)
    if interrupted:
        where = f"; the journal {args.journal} keeps them (resume with --resume)" if args.journal else ""
        if args.write_baseline is not None:
            where += f"; the baseline {args.write_baseline} was not written"
        note(f"interrupted: {len(kept)} of {len(entries)} file(s) checked{where}")
        return INTERRUPTED
    clean = jurisdiction is None or jurisdiction.ok
    return 0 if clean and all(k.passed for k in kept) else 1


@attrs.frozen
class _Kept:
    """What a run keeps of a file once it is shown: what the summary, ``--write-baseline`` and the JSON document
    need, not its report nor its findings (so a run over a corpus holds a few counts per file)."""

    source: str  #: the path as scanned (the input order)
    path: str  #: as shown
    status: str
    passed: bool
    accepted: int
    coverage: Coverage
    tally: Tally | None
    keys: tuple[str, ...]  #: every key of a readable file, with ``--write-baseline`` (else empty)
    item: dict[str, Any] | None  #: its object in ``--format json`` (else ``None``)
    result: FileResult | None  #: with ``--register`` (the jurisdiction's checks read the reports), else ``None``


@attrs.frozen
class _Passes:
    """Whether a file passes, by the options of the run (``--warnings``, ``--allow-unassessed``)."""

    warnings: bool = False
    unassessed: bool = False

    def __call__(self, o: Outcome) -> bool:
        return o.ok(warnings=self.warnings, unassessed=self.unassessed)


def _reranked(
    jurisdiction: JurisdictionResult, kept: Sequence[_Kept], n: int
) -> list[tuple[_Kept, tuple[Suggestion, ...], int]]:
    """The files whose repair suggestions rank otherwise with their unit's neighbouring years as evidence
    (:meth:`JurisdictionResult.repairs`), each with its best ``n`` so ranked and how many there are."""
    if n <= 0:
        return []
    repairs = {filed.file: suggestions for filed, suggestions in jurisdiction.repairs()}  # (paths: one file each)
    out = []
    for k in kept:
        if k.result is None or k.source not in repairs:
            continue
        validation = k.result.checked.validation
        own = () if validation is None else validation.suggestions
        weighed = repairs[k.source]
        if [(s.rank, s.changes) for s in weighed] != [(s.rank, s.changes) for s in own]:
            out.append((k, tuple(sorted(weighed, key=lambda s: s.rank)[:n]), len(weighed)))
    return out


def _reranked_lines(reranked: Sequence[tuple[_Kept, tuple[Suggestion, ...], int]], lang: str) -> list[str]:
    """``reranked`` as printed under the jurisdiction's findings: each file, then its suggestions so ranked."""
    en = lang == "en"
    lines = []
    for k, shown, _total in reranked:
        assert k.result is not None
        head = (
            f"    with its neighbouring years, the repairs of {k.path} rank:"
            if en
            else f"    结合相邻年度，{k.path} 的修正建议排序为："
        )
        lines.append(head)
        for s in shown:
            lines.append("        " + _suggestion_text(s, k.result.checked, lang))
            if s.evidence:
                lines.append("          " + _evidence_text(s, lang))
    return lines


def _load_register(path: str | None) -> Register | str | None:
    """The register of ``--register`` (``None`` without it), or why it cannot be used."""
    if path is None:
        return None
    if not os.path.exists(path):
        return f"no such register: {path}"
    try:
        return Register.read_csv(path)
    except RegisterError as exc:
        return f"the register {path} cannot be used: {exc}"


def _skipped(paths: Sequence[str]) -> list[str]:
    """Files under the folders named that are of no readable format (said, so that none is lost unseen)."""
    out: list[str] = []
    for p in paths:
        if os.path.isdir(p):
            out.extend(
                _name(str(f))
                for f in sorted(f for f in Path(p).rglob("*") if f.suffix.lower() not in READABLE_SUFFIXES)
                if f.is_file()
            )
    return out


def _write_baseline(target: Path, kept: Sequence[_Kept]) -> None:
    keys = {k.path: sorted(k.keys) for k in kept if k.keys}
    data = {"format": BASELINE_FORMAT, "version": 1, "files": keys}
    write_file(target, (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
    note(f"wrote the baseline {target} ({sum(len(v) for v in keys.values())} keys)")


def _count_parts(o: Outcome) -> list[tuple[str, int]]:
    """What one file's line counts, in order, each ``(what, how many)`` (only those not zero).

    ``what`` is ``"read error"``, a finding severity's value, ``"read warning"`` or ``"accepted"``;
    :func:`_counts` and :func:`_counts_zh` word it.
    """
    by = Counter(f.severity for f in o.findings)
    parts = [("read error", sum(p.severity == "error" for _, p in o.problems))]
    parts += [(sev.value, by[sev]) for sev in (Severity.ERROR, Severity.INCONSISTENCY, Severity.WARNING)]
    parts += [("read warning", sum(p.severity == "warning" for _, p in o.problems)), ("accepted", o.accepted)]
    return [(what, n) for what, n in parts if n]


def _counts(o: Outcome) -> str:
    """The counts of one file's line, in English (``2 inconsistency, 1 reading warning(s)``)."""
    words = {"read error": "reading error(s)", "read warning": "reading warning(s)"}
    return ", ".join(f"{n} {words.get(what, what)}" for what, n in _count_parts(o))


def _print_file(o: Outcome, width: int, lang: str = "zh", suggestions: int = SUGGESTIONS) -> None:
    """One file's line, and its problems, findings and best suggestions below it (:func:`render_file`)."""
    for line in render_file(o, lang=lang, width=width, suggestions=suggestions):
        print(line)


def render_file(o: Outcome, *, lang: str = "zh", width: int | None = None, suggestions: int = SUGGESTIONS) -> list[str]:
    """One file's line, then its problems, findings and (a failing file's) best suggestions, as printed.

    ``lang`` is ``"zh"`` or ``"en"``: the texts of the findings, suggestions and reading problems (a reading
    problem's Chinese is its code's, from :mod:`gongkai_model.codes`, before its message). Each item is placed
    as the source is looked up (``表三!J7``, ``第 2 页 第 1 个表格 第 5 行 第 3 列``;
    :meth:`CheckedReport.where <gongkai_model.readcheck.CheckedReport.where>`). At most ``suggestions``
    suggestions are shown, best first (``0``: none).
    """
    en = lang == "en"
    width = max(len(s) for s in STATUSES) if width is None else width
    r = o.result
    if r.edition is None:
        what = ""
    elif en:
        what = f"  {_or(r.agency, UNKNOWN_AGENCY)} {_or(r.year, UNKNOWN_YEAR)} ({r.edition.value} format)"
    else:
        what = f"  {_or(r.agency, UNKNOWN_AGENCY)} {_or(r.year, UNKNOWN_YEAR)}（{r.edition.value} 年格式）"
    coverage = o.result.coverage
    if coverage.cells:
        what += f"  {coverage}" if en else f"  {_coverage_zh(coverage)}"
    counts = _counts(o) if en else _counts_zh(o)
    # ": " after the path in both languages: the status and the path stay the line's first two words
    lines = [f"{o.status:<{width}}  {o.path}{what}" + (f": {counts}" if counts else "")]
    for _key, p in o.problems:
        if p.severity != "info":
            lines.append("    " + _problem_text(p, lang))
    for f in o.findings:
        if f.severity is not Severity.INFO:
            lines.append("    " + _finding_text(f, o.result.checked, lang))
    shown = _shown_suggestions(o, suggestions)
    for s in shown:
        lines.append("    " + _suggestion_text(s, o.result.checked, lang))
        if s.evidence:
            lines.append("      " + _evidence_text(s, lang))
    more = len(_suggestions(o)) - len(shown) if shown else 0
    if more > 0:
        more_text = f"… {more} more suggestion(s)" if en else f"…… 另有 {more} 条建议"
        lines.append(f"    {more_text} (--suggestions N)" if en else f"    {more_text}（--suggestions N）")
    return lines


def default_lang(environ: Mapping[str, str] | None = None) -> str:
    """The language of the text output when ``--lang`` is not given: ``"en"`` only when the locale says English.

    The first of ``LC_ALL``, ``LC_MESSAGES`` and ``LANG`` that is set decides (``en_US.UTF-8`` is English;
    ``C``, ``POSIX``, ``zh_CN.UTF-8`` … are not); with none set, the system's locale. Chinese when unsure.

    >>> default_lang({"LANG": "en_GB.UTF-8"}), default_lang({"LANG": "C.UTF-8"}), default_lang({"LC_ALL": "zh_CN"})
    ('en', 'zh', 'zh')
    """
    env = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name)
        if value:
            return "en" if value.lower().startswith("en") else "zh"
    if environ is None:
        try:
            import locale

            name = locale.getlocale()[0] or ""
        except (ValueError, TypeError):  # an unparsable locale setting
            name = ""
        if name.lower().startswith("en"):  # en_US, English_United States (Windows)
            return "en"
    return "zh"


def _labelled(where: str, label: str | None, en: bool) -> str:
    if not label or label == where:
        return where
    return f"{where} ({label})" if en else f"{where}（{label}）"


def _problem_where(p: Problem, lang: str) -> tuple[str, bool]:
    """The problem's place as looked up in the source, and whether it came from its place (not its location)."""
    if p.place is not None:
        described = p.place.describe(lang)
        if described:
            return described, True
        return str(p.place), False
    return p.location, False


def _problem_text(p: Problem, lang: str) -> str:
    where, placed_ = _problem_where(p, lang)
    en = lang == "en"
    if placed_:
        where = _labelled(where, p.label, en)
    if en:
        return f"[{p.code or 'READ'}] {p.severity}: {where}: {p.message}"
    known = CATALOGUE.get(p.code or "")
    text = f"{known.zh}（{p.message}）" if known is not None else p.message
    return f"[{p.code or 'READ'}] {_SEVERITY_ZH.get(p.severity.value, p.severity.value)} {where}：{text}"


#: The cells of a finding about no one cell (the 表三 balance of a column) named in its text, at most.
_CELLS_SHOWN = 6


def _cells_where(f: Finding, checked: CheckedReport, lang: str) -> str | None:
    """Where the cells of a finding about no one cell are (``表三!D5,D6,D28,D29``), or ``None``."""
    places = [w for w in (checked.where(c.path, lang) for c in f.cells[: _CELLS_SHOWN + 1]) if w]
    if not places:
        return None
    more = len(f.cells) > _CELLS_SHOWN
    places = places[:_CELLS_SHOWN]
    sheets = {w.split("!")[0] for w in places if "!" in w}
    if len(sheets) == 1 and all("!" in w for w in places):  # one sheet: 表三!D5,D6,D28,D29
        (sheet,) = sheets
        text = f"{sheet}!" + ",".join(w.split("!", 1)[1] for w in places)
    else:
        text = ("; " if lang == "en" else "；").join(places)
    return text + ("…" if more else "")


def _finding_where(f: Finding, checked: CheckedReport, lang: str) -> str | None:
    if f.path is not None:
        return checked.where(f.path, lang)
    return _cells_where(f, checked, lang) if f.cells else None


def _finding_text(f: Finding, checked: CheckedReport, lang: str) -> str:
    en = lang == "en"
    where = _finding_where(f, checked, lang)
    location = f.location
    shown = _labelled(where, location, en) if where else location
    if en:
        return f"[{f.code}] {f.severity.value}: {shown}: {f.message_en}"
    return f"[{f.code}] {_SEVERITY_ZH.get(f.severity.value, f.severity.value)} {shown}：{f.message_zh}"


def _suggestions(o: Outcome) -> tuple[Suggestion, ...]:
    validation = o.result.checked.validation
    return validation.suggestions if validation is not None else ()


def _shown_suggestions(o: Outcome, n: int) -> tuple[Suggestion, ...]:
    """The best ``n`` suggestions of a failing file (best rank first; none for a file that is clean)."""
    if n <= 0 or o.ok():
        return ()
    return tuple(sorted(_suggestions(o), key=lambda s: s.rank)[:n])


def _change_text(c: Change, checked: CheckedReport, lang: str) -> str:
    en = lang == "en"
    where = checked.where(c.path, lang)
    label = f"表{c.table} {c.row} × {c.column}"
    shown = _labelled(where, label, en) if where else label
    current = ("blank" if en else "空白") if c.current is None else c.current
    return f"{shown}: {current} → {c.proposed}" if en else f"{shown}由 {current} 改为 {c.proposed}"


def suggestion_text(s: Suggestion, checked: CheckedReport, lang: str = "zh") -> str:
    """A suggestion as the CLI prints it: each changed cell by its place (``表三!J7``), in ``lang``.

    ``建议 表三!J7（表三 （一）予以公开 × 总计）由 99 改为 6（可使 2 个勾稽关系成立）``, or in English
    ``suggest 表三!J7 (表三 （一）予以公开 × 总计): 99 → 6 (restores 2 identities)``. The totals a
    template's formulas compute follow by themselves and are counted, not listed (:attr:`Suggestion.inputs`).
    """
    return _suggestion_text(s, checked, lang)


def _suggestion_text(s: Suggestion, checked: CheckedReport, lang: str) -> str:
    en = lang == "en"
    inputs = s.inputs or s.changes
    following = len(s.changes) - len(inputs)
    rank = f"#{s.rank} " if s.rank > 1 else ""
    if en:
        what = "; ".join(_change_text(c, checked, lang) for c in inputs)
        follow = f", its {following} formula total(s) following" if following else ""
        restores = f"restores {s.score} identit{'y' if s.score == 1 else 'ies'}"
        return f"{rank}suggest {what}{follow} ({restores})"
    what = "；".join(_change_text(c, checked, lang) for c in inputs)
    follow = f"，其公式计算的 {following} 个合计随之变化" if following else ""
    return f"{rank}建议 {what}{follow}（可使 {s.score} 个勾稽关系成立）"


def _evidence_text(s: Suggestion, lang: str) -> str:
    """One line: how much evidence is for and against a suggestion, and the first against (else for) it."""
    against = [e for e in s.evidence if e.stance == "against"]
    first = (against or list(s.evidence))[0]
    n_for = len(s.evidence) - len(against)
    if lang == "en":
        return f"evidence: {n_for} for, {len(against)} against; {first.stance}: {first.message_en}"
    return f"依据：支持 {n_for} 项，反对 {len(against)} 项；{'反对' if against else '支持'}：{first.message_zh}"


def _coverage_zh(c: Coverage) -> str:
    """:class:`Coverage` in Chinese (its ``str`` is English)."""
    return (
        f"读入 {c.read}/{c.cells} 个单元格（{c.ratio:.1%}；按行序 {c.by_order}，拆分 {c.split}，"
        f"拒读 {c.refused}，缺失 {c.absent}）"
    )


def _counts_zh(o: Outcome) -> str:
    """The counts of one file's line, in Chinese (:func:`_counts`)."""
    out = []
    for what, n in _count_parts(o):
        if what == "read error":
            out.append(f"{n} 个读取错误")
        elif what == "read warning":
            out.append(f"{n} 个读取警告")
        elif what == "accepted":
            out.append(f"{n} 项已被基线接受")
        else:
            out.append(f"{n} 个{_SEVERITY_ZH[what]}")
    return "，".join(out)


def _or(value: object, unknown: str) -> str:
    """``value`` as printed, or how an unknown agency or year is printed (``（机关不详）``)."""
    return unknown if value is None else str(value)


def _print_summary(kept: Sequence[_Kept], skipped: Sequence[str], width: int) -> None:
    by_status = Counter(k.status for k in kept)
    print()
    print(f"{'status':<{width}}  files")
    for s in STATUSES:
        if s in _STATUSES_SHOWN or by_status.get(s, 0):
            print(f"{s:<{width}}  {by_status.get(s, 0):>5}")
    print(f"{'all':<{width}}  {len(kept):>5}")
    accepted = sum(k.accepted for k in kept)
    if accepted:
        print(f"{accepted} finding(s) and problem(s) accepted by the baseline are not shown")
    if skipped:
        print(f"{len(skipped)} file(s) under the folders are of no readable format and were not checked:")
        for s in skipped:
            print(f"    {s}")
    print(_coverage_line(kept))
    print(_identities_line(kept))
    bad = sum(not k.passed for k in kept)
    print(f"{'OK' if bad == 0 else 'NOT OK'}: {len(kept) - bad} of {len(kept)} file(s) clean")


def _identities_line(kept: Sequence[_Kept]) -> str:
    """The identities of every file checked, added up (:class:`~gongkai_model.errors.Tally`), on one line."""
    checked = [k.tally for k in kept if k.tally is not None]
    return f"checked: {Tally.total(checked)}, in {len(checked)} of {len(kept)} file(s)"


def _coverage_line(kept: Sequence[_Kept]) -> str:
    """The statutory cells read in every file, added up (:class:`~gongkai_model.formats.Coverage`), on one line."""
    total = Coverage.total(k.coverage for k in kept)
    none = sum(not k.coverage.cells for k in kept)
    line = f"coverage: {total} in {len(kept) - none} of {len(kept)} file(s)"
    return line + (f" ({none} with no cell found)" if none else "")


#: The statuses always in the summary table; a cause (timeout, memory, crashed, skipped) only when a file has it.
_STATUSES_SHOWN = frozenset(("ok", "warnings", "unassessed", "empty", "inconsistent", "incomplete", "unreadable"))


def _at(place: Place | None) -> dict[str, Any] | None:
    """A place without its file, as data: only the parts that apply (``{"cell": "表三!D7"}``, ``{"page": 2, …}``)."""
    if place is None:
        return None
    parts = {k: v for k, v in attrs.asdict(place).items() if k != "source" and v is not None}
    return parts or None


def _problem_json(key: str, p: Problem) -> dict[str, Any]:
    known = CATALOGUE.get(p.code or "")
    return {
        "key": key,
        "code": p.code,
        "severity": p.severity,
        "place": str(p.place) if p.place is not None else p.location,
        "at": _at(p.place),
        "where": _problem_where(p, "en")[0],
        "where_zh": _problem_where(p, "zh")[0],
        "label": p.label,
        "message": p.message,
        "message_zh": f"{known.zh}（{p.message}）" if known is not None else p.message,
        "title": known.en if known is not None else None,
        "title_zh": known.zh if known is not None else None,
    }


def _num(v: Any) -> Any:
    return v if v is None or isinstance(v, int) else str(v)


def _finding_json(f: Finding, checked: CheckedReport) -> dict[str, Any]:
    path = f.path
    return {
        "key": f.key,
        "code": f.code,
        "severity": f.severity.value,
        "table": f.table,
        "row": f.row,
        "column": f.column,
        "path": f.path,
        "at": _at(f.place),  # where the reader found the cell (None from JSON)
        "cell": checked.cell_of(path) if path is not None else None,  # in the official workbook layout
        "where": _finding_where(f, checked, "en"),  # as the source is looked up: the place read, else "cell"
        "where_zh": _finding_where(f, checked, "zh"),
        "actual": _num(f.actual),
        "expected": _num(f.expected),
        "message": f.message_en,
        "message_zh": f.message_zh,
        # the cells taking part (an identity's members), each with its place
        "cells": [
            {
                "path": c.path,
                "value": _num(c.value),
                "cell": checked.cell_of(c.path),
                "where": checked.where(c.path, "en"),
                "where_zh": checked.where(c.path, "zh"),
            }
            for c in f.cells
        ],
    }


def _suggestion_json(s: Suggestion, checked: CheckedReport) -> dict[str, Any]:
    return {
        "rank": s.rank,
        "kind": s.kind,
        "score": s.score,
        "printed": s.printed,
        "resolves": list(s.resolves),
        "message": _suggestion_text(s, checked, "en"),
        "message_zh": _suggestion_text(s, checked, "zh"),
        "changes": [
            {
                "path": c.path,
                "table": c.table,
                "row": c.row,
                "column": c.column,
                "current": _num(c.current),
                "proposed": _num(c.proposed),
                "derived": c.derived,
                "at": _at(checked.place_of(c.path)),
                "cell": checked.cell_of(c.path),
                "where": checked.where(c.path, "en"),
                "where_zh": checked.where(c.path, "zh"),
            }
            for c in s.changes
        ],
    }


def _file_json(
    o: Outcome, passes: _Passes, meta: Mapping[str, Mapping[str, Any]] | None, suggestions: int
) -> dict[str, Any]:
    """One file's object in ``--format json`` (an item of its ``files``) and ``jsonl`` (a line)."""
    r = o.result
    return {
        "path": o.path,
        "status": o.status,
        "ok": passes(o),
        "agency": r.agency,
        "year": r.year,
        "edition": None if r.edition is None else r.edition.value,
        "problems": [_problem_json(k, p) for k, p in o.problems],
        "findings": [_finding_json(f, o.result.checked) for f in o.findings],
        # a failing file's best suggestions (at most --suggestions N), and how many there are in all
        "suggestions": [_suggestion_json(s, o.result.checked) for s in _shown_suggestions(o, suggestions)],
        "suggestions_total": len(_suggestions(o)) if not o.ok() else 0,
        "accepted": o.accepted,
        "coverage": o.result.coverage.as_dict(),
        "identities": None if o.result.tally is None else o.result.tally.as_dict(),
        "meta": dict((meta or {}).get(o.path, {})),  # what --agency, --year and --meta said of it
    }


def _as_json(kept: Sequence[_Kept], skipped: Sequence[str], total: int | None = None, *, files: bool) -> Any:
    """The run as ``--format json``'s document (``files``: with each file's object), or ``jsonl``'s last line
    (without: the files came one per line before it)."""
    counts = Counter(k.status for k in kept)
    data: dict[str, Any] = {
        "ok": all(k.passed for k in kept) and total is None,
        "summary": {"files": len(kept), **{s: counts.get(s, 0) for s in STATUSES}},
        "coverage": Coverage.total(k.coverage for k in kept).as_dict(),
        "identities": Tally.total(k.tally for k in kept).as_dict(),
    }
    if files:
        data["files"] = [k.item for k in kept]
    data["skipped"] = list(skipped)
    if total is not None:  # interrupted: the files shown are those finished
        data["interrupted"] = {"checked": len(kept), "files": total}
    return data
