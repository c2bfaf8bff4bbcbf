"""The agency register: which units a jurisdiction has, their parents, levels and other names.

A register is a small table a supervisor or a researcher keeps (a CSV file, a DataFrame, or a list of
dicts), one row per unit, with these columns (English or Chinese headers):

- ``agency`` (机关): the unit's name (required);
- ``parent`` (上级): the name of the unit its report rolls up to (another row's ``agency``), or blank;
- ``level`` (层级): free text (``县级``, ``乡镇``, …), kept for panels;
- ``aliases`` (别名): other names of the unit, separated by ``;`` ``；`` ``|`` or ``、``;
- ``code`` (代码): an identifier (统一社会信用代码, an internal code), kept for panels;
- ``summary`` (汇总): ``complete`` when the unit's report sums its units, all of them registered;
  ``partial`` when it sums them and more (it is then never below their sum); blank: no summary.

Other columns are kept as they are (:attr:`Unit.extra`). Names are compared in their normalised form
(:func:`normalize_agency`): NFKC (full width to half width), no white space, and the common
abbreviations folded (``人民政府`` and ``政府``, ``管理委员会`` and ``管委会``), so that reports printed
with either name group under one unit.

>>> from gongkai_model.register import Register, normalize_agency
>>> reg = Register.from_rows([
...     {"agency": "某县人民政府", "summary": "complete"},
...     {"agency": "某县经济开发区管理委员会", "parent": "某县人民政府", "aliases": "开发区管委会"},
... ])
>>> reg.lookup("某县政府").agency, reg.lookup(" 某县经济开发区管委会 ").agency, reg.lookup("开发区管委会").parent
('某县人民政府', '某县经济开发区管理委员会', '某县人民政府')
>>> normalize_agency("某县 人民政府（全县汇总）")
'某县政府(全县汇总)'
"""

from __future__ import annotations

import csv
import io
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs

from .codes import JURISDICTION_REGISTER
from .errors import GongkaiError, Problem, Severity
from .labels import FuzzyMatcher
from .limits import Limits

__all__ = ["ABBREVIATIONS", "COLUMNS", "Register", "RegisterError", "Unit", "load_register", "normalize_agency"]

#: The long forms of names and the short forms they are folded to (a short form holds no long form, so
#: folding is idempotent).
ABBREVIATIONS: tuple[tuple[str, str], ...] = (
    ("人民代表大会常务委员会", "人大常委会"),
    ("人民政府", "政府"),
    ("管理委员会", "管委会"),
    ("办公室", "办"),
)

#: The register's columns, by their English name, with the Chinese headers accepted for each.
COLUMNS: dict[str, tuple[str, ...]] = {
    "agency": ("机关", "单位", "机关名称", "单位名称"),
    "parent": ("上级", "上级机关", "上级单位"),
    "level": ("层级", "级别"),
    "aliases": ("别名", "其他名称"),
    "code": ("代码", "编码"),
    "summary": ("汇总",),
}
_HEADER = {name: name for name in COLUMNS} | {zh: name for name, zhs in COLUMNS.items() for zh in zhs}
_ALIAS_SPLIT = re.compile(r"[;；|、]")
_SPACE = re.compile(r"\s+")
_SUMMARY = {
    "complete": "complete",
    "全部": "complete",
    "是": "complete",
    "yes": "complete",
    "true": "complete",
    "partial": "partial",
    "部分": "partial",
}
#: How alike (0–1) a name must be to a registered one to be suggested for it.
SUGGEST_CUTOFF = 0.6


class RegisterError(GongkaiError, ValueError):
    """A register that cannot be used: every problem found, each at its row and column."""


def normalize_agency(name: str) -> str:
    """The form of an agency's name used to group reports: NFKC, no white space, abbreviations folded.

    Idempotent: ``normalize_agency(normalize_agency(x)) == normalize_agency(x)``.

    >>> normalize_agency("某市 市场监督管理局") == normalize_agency("某市市场监督管理局")
    True
    >>> normalize_agency("某区人民政府办公室")
    '某区政府办'
    """
    text = name
    for _ in range(4):  # to a fixed point: a space removed can join a letter and a combining mark (``R ̧``)
        folded = _SPACE.sub("", unicodedata.normalize("NFKC", text))
        for long, short in ABBREVIATIONS:
            folded = folded.replace(long, short)
        if folded == text:
            break
        text = folded
    return text


def _names(names: Iterable[str]) -> tuple[str, ...]:
    return tuple(names)


@attrs.frozen
class Unit:
    """One row of a register: a unit that files a report."""

    agency: str  #: the name as registered
    parent: str | None = None  #: the registered name of its parent, or ``None``
    level: str | None = None
    aliases: tuple[str, ...] = attrs.field(default=(), converter=_names)
    code: str | None = None
    #: ``"complete"`` or ``"partial"`` when this unit's report is a summary of its units, else ``None``.
    summary: str | None = None
    #: The register's other columns, as given.
    extra: tuple[tuple[str, str], ...] = ()

    def names(self) -> tuple[str, ...]:
        """Its name and its aliases."""
        return (self.agency, *self.aliases)

    def as_row(self) -> dict[str, str]:
        """The row it was loaded from (aliases joined by ``;``, blanks as ``""``)."""
        row = {
            "agency": self.agency,
            "parent": self.parent or "",
            "level": self.level or "",
            "aliases": ";".join(self.aliases),
            "code": self.code or "",
            "summary": self.summary or "",
        }
        return row | dict(self.extra)


def _units(units: Iterable[Unit]) -> tuple[Unit, ...]:
    return tuple(units)


@attrs.frozen
class Register:
    """The units of a jurisdiction, looked up by any of their names (see :func:`normalize_agency`).

    Build one with :func:`load_register` (a CSV file, a DataFrame or rows), :meth:`from_rows`,
    :meth:`read_csv` or :meth:`from_frame`; a register with problems raises :class:`RegisterError`
    naming every row and column at fault.
    """

    units: tuple[Unit, ...] = attrs.field(converter=_units)
    _index: Mapping[str, Unit] = attrs.field(init=False, repr=False, eq=False)
    _matcher: FuzzyMatcher[str] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        index: dict[str, Unit] = {}
        for unit in self.units:
            for name in unit.names():
                index.setdefault(normalize_agency(name), unit)
        object.__setattr__(self, "_index", index)
        matcher = FuzzyMatcher(((key, key) for key in index), cutoff=SUGGEST_CUTOFF)
        object.__setattr__(self, "_matcher", matcher)

    def __len__(self) -> int:
        return len(self.units)

    def __iter__(self) -> Iterator[Unit]:
        return iter(self.units)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.lookup(name) is not None

    def lookup(self, name: str | None) -> Unit | None:
        """The unit named ``name`` (its registered name or an alias, normalised), or ``None``."""
        return None if name is None else self._index.get(normalize_agency(name))

    def unit(self, agency: str) -> Unit:
        """The unit registered as ``agency`` (any of its names); :class:`KeyError` when none."""
        found = self.lookup(agency)
        if found is None:
            raise KeyError(agency)
        return found

    def children(self, agency: str) -> tuple[Unit, ...]:
        """The units whose parent is ``agency``, in register order."""
        parent = self.unit(agency).agency
        return tuple(u for u in self.units if u.parent == parent)

    def suggest(self, name: str, n: int = 3) -> tuple[str, ...]:
        """The registered names closest to ``name`` (at most ``n``, best first; none when nothing is alike)."""
        scores = self._matcher.scores(normalize_agency(name))
        keys = sorted(scores, key=lambda k: (-scores[k], k))
        out: list[str] = []
        for key in keys:
            agency = self._index[key].agency
            if agency not in out:
                out.append(agency)
        return tuple(out[:n])

    def rows(self) -> list[dict[str, str]]:
        """One dict per unit, as :meth:`from_rows` takes them (the round trip gives an equal register)."""
        return [u.as_row() for u in self.units]

    def to_csv(self, path: str | os.PathLike[str] | None = None) -> str:
        """The register as CSV text (UTF-8), also written to ``path`` when given."""
        rows = self.rows()
        names = list(dict.fromkeys(k for row in rows for k in row)) or list(COLUMNS)
        out = io.StringIO()
        writer = csv.DictWriter(out, names, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        text = out.getvalue()
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text

    @classmethod
    def from_rows(cls, rows: Iterable[Mapping[str, Any]], *, first: int = 1, limits: Limits | None = None) -> Register:
        """A register from dicts, one per unit (keys: :data:`COLUMNS`, English or Chinese).

        ``first`` is the number given to the first row in the problems (a CSV file's first data row is
        its line 2). Every problem found is raised at once, as a :class:`RegisterError`.
        """
        limits = limits or Limits()
        problems: list[Problem] = []
        units: list[tuple[int, Unit]] = []
        for i, row in enumerate(rows):
            n = first + i
            if i >= limits.max_rows:
                problems.append(_problem(n, None, f"more than {limits.max_rows} rows (Limits.max_rows)"))
                break
            if not isinstance(row, Mapping):
                problems.append(
                    _problem(n, None, f"a row must be a mapping of column to value, not {type(row).__name__}")
                )
                continue
            if all(_text(v) is None for v in row.values()):
                continue  # an empty line is no unit
            unit = _unit(n, row, problems)
            if unit is not None:
                units.append((n, unit))
        _cross_check(units, problems)
        if problems:
            raise RegisterError(f"the register has {len(problems)} problem(s)", problems)
        names = {normalize_agency(a): u.agency for _, u in units for a in u.aliases}  # a parent named by an alias
        names |= {normalize_agency(u.agency): u.agency for _, u in units}
        return cls(
            tuple(
                u if u.parent is None else attrs.evolve(u, parent=names[normalize_agency(u.parent)]) for _, u in units
            )
        )

    @classmethod
    def read_csv(cls, path: str | os.PathLike[str], *, limits: Limits | None = None) -> Register:
        """A register from a CSV file (UTF-8, with or without a BOM; a header row first)."""
        limits = limits or Limits()
        where = os.fspath(path)
        try:
            size = os.path.getsize(where)
            if size > limits.max_file_bytes:
                raise RegisterError(
                    "the register is too large",
                    [_problem(None, None, f"{size} bytes, more than {limits.max_file_bytes} (Limits.max_file_bytes)")],
                )
            with open(where, encoding="utf-8-sig", newline="") as fh:
                text = fh.read()
        except RegisterError:
            raise
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else f"{type(exc).__name__}: {exc}"
            raise RegisterError(f"cannot read the register {where}", [_problem(None, None, reason)]) from None
        try:
            got = _csv_rows(text, where, limits)
        except csv.Error as exc:
            raise RegisterError(f"the register {where} is not CSV", [_problem(None, None, str(exc))]) from None
        return cls.from_rows(got, first=2, limits=limits)

    @classmethod
    def from_frame(cls, frame: Any, *, limits: Limits | None = None) -> Register:
        """A register from a pandas DataFrame (or anything with ``to_dict("records")``); missing values are blank."""
        try:
            records = frame.to_dict("records")
        except Exception as exc:
            raise RegisterError(
                "cannot read the register", [_problem(None, None, f"not a DataFrame: {type(frame).__name__} ({exc})")]
            ) from None
        return cls.from_rows(records, limits=limits)


def load_register(source: Any, *, limits: Limits | None = None) -> Register:
    """A :class:`Register` from a CSV file's path, a DataFrame, rows (dicts), or a register as it is."""
    if isinstance(source, Register):
        return source
    if isinstance(source, (str, os.PathLike)):
        return Register.read_csv(source, limits=limits)
    if hasattr(source, "to_dict") and not isinstance(source, Mapping):
        return Register.from_frame(source, limits=limits)
    if isinstance(source, Iterable) and not isinstance(source, (Mapping, bytes)):
        return Register.from_rows(source, limits=limits)
    raise RegisterError(
        "cannot make a register",
        [_problem(None, None, f"expected a CSV path, a DataFrame or rows, not {type(source).__name__}")],
    )


def _csv_rows(text: str, where: str, limits: Limits) -> list[dict[Any, Any]]:
    """The rows of a CSV text as dicts keyed by its header, within the limits (one row more than
    ``max_rows`` is kept, for :meth:`Register.from_rows` to name; a row's cells beyond its header under ``None``)."""
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if not header or not any(h.strip() for h in header):
        raise RegisterError(f"the register {where} is empty", [_problem(1, None, "no header row")])
    if len(header) > limits.max_columns:
        message = f"{len(header)} columns, more than {limits.max_columns} (Limits.max_columns)"
        raise RegisterError(f"the register {where} is too wide", [_problem(1, None, message)])
    twice = sorted({h for h in header if header.count(h) > 1 and h.strip()})
    if twice:
        problems = [_problem(1, h, f"the column {h!r} is given {header.count(h)} times") for h in twice]
        raise RegisterError(f"the register {where} has a column twice", problems)
    rows: list[dict[Any, Any]] = []
    cells = 0
    for row in reader:
        cells += len(row)
        if cells > limits.max_cells:
            message = f"more than {limits.max_cells} cells (Limits.max_cells)"
            raise RegisterError(f"the register {where} is too large", [_problem(len(rows) + 2, None, message)])
        got: dict[Any, Any] = dict(zip(header, row, strict=False))  # a short row: the rest blank
        if any(cell.strip() for cell in row[len(header) :]):  # (trailing empty cells are no data)
            got[None] = row[len(header) :]
        rows.append(got)
        if len(rows) > limits.max_rows:
            break
    return rows


def _problem(row: int | None, column: str | None, message: str) -> Problem:
    where = ", ".join(p for p in (f"row {row}" if row is not None else "", f"column {column}" if column else "") if p)
    return Problem(where or "register", message, column, JURISDICTION_REGISTER, Severity.ERROR)


def _text(value: Any) -> str | None:
    """A cell as text, ``None`` when blank (``None``, NaN, ``pd.NA``, empty or white space)."""
    if value is None:
        return None
    if isinstance(value, float) and value != value:  # NaN
        return None
    if not isinstance(value, (str, int, float)):
        if type(value).__name__ in {"NAType", "NaTType"}:
            return None
        value = str(value)
    text = str(value).strip()
    return text or None


def _unit(n: int, row: Mapping[str, Any], problems: list[Problem]) -> Unit | None:
    got: dict[str, str | None] = {}
    extra: list[tuple[str, str]] = []
    for key, value in row.items():
        if key is None:  # a CSV row longer than its header
            problems.append(_problem(n, None, "more cells than the header has columns"))
            continue
        head = _SPACE.sub("", unicodedata.normalize("NFKC", str(key))).lower()
        name = _HEADER.get(head) or _HEADER.get(str(key).strip())
        if name is None:
            text = _text(value)
            extra.append((str(key), text or ""))
            continue
        if name in got and got[name] is not None:
            problems.append(_problem(n, str(key), f"column {name!r} is given twice"))
            continue
        got[name] = _text(value)
    agency = got.get("agency")
    if agency is None:
        problems.append(_problem(n, "agency", "the agency's name is blank"))
    summary = got.get("summary")
    if summary is not None:
        kind = _SUMMARY.get(summary.lower())
        if kind is None:
            problems.append(_problem(n, "summary", f"{summary!r} is not 'complete', 'partial' or blank"))
        summary = kind
    aliases = tuple(a.strip() for a in _ALIAS_SPLIT.split(got.get("aliases") or "") if a.strip())
    if agency is None:
        return None  # (a unit with another problem is still cross-checked: every problem at once)
    return Unit(agency, got.get("parent"), got.get("level"), aliases, got.get("code"), summary, tuple(extra))


def _cross_check(units: list[tuple[int, Unit]], problems: list[Problem]) -> None:
    """Names shared by two units, parents not registered, and parents that lead back to a unit."""
    seen: dict[str, tuple[int, str]] = {}
    for n, unit in units:
        for column, name in [("agency", unit.agency), *(("aliases", a) for a in unit.aliases)]:
            key = normalize_agency(name)
            if key not in seen:
                seen[key] = (n, unit.agency)
            elif column == "agency":
                problems.append(_problem(n, column, f"{name!r} is registered already (row {seen[key][0]})"))
            elif seen[key][1] != unit.agency:
                problems.append(_problem(n, column, f"{name!r} also names {seen[key][1]!r} (row {seen[key][0]})"))
    registered = {normalize_agency(a): u.agency for _, u in reversed(units) for a in u.aliases}  # the first wins
    registered |= {normalize_agency(u.agency): u.agency for _, u in reversed(units)}  # a name before any alias
    parents: dict[str, str] = {}
    for n, unit in units:
        if unit.parent is None:
            continue
        parent = registered.get(normalize_agency(unit.parent))
        if parent is None:
            problems.append(_problem(n, "parent", f"the parent {unit.parent!r} is not a unit of the register"))
        elif parent == unit.agency:
            problems.append(_problem(n, "parent", f"{unit.agency!r} is its own parent"))
        else:
            parents[unit.agency] = parent
    rows = {u.agency: n for n, u in units}
    done: set[str] = set()  # units whose parents are known to lead to a root or to a cycle named already
    for start in parents:
        walk: dict[str, int] = {}
        at: str | None = start
        while at is not None and at not in done and at not in walk:
            walk[at] = len(walk)
            at = parents.get(at)
        if at is not None and at in walk:  # a cycle, entered at ``at``: named once, at its first unit in the register
            cycle = list(walk)[walk[at] :]
            first = min(cycle, key=rows.__getitem__)
            i = cycle.index(first)
            shown = [*cycle[i:], *cycle[:i], first]
            problems.append(_problem(rows[first], "parent", "the parents lead back to the unit: " + " → ".join(shown)))
        done.update(walk)
