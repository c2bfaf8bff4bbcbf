"""``--agency``, ``--year`` and ``--meta FILE``: what the caller says about files whose pages do not.

A meta file is CSV (a header row naming ``path`` and any of ``agency``, ``year``, ``edition``, ``format``;
other columns are kept as the file's metadata and shown in ``--format json``) or JSON lines (one object
per file with the same keys). A relative ``path`` is taken from the meta file's own folder.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
from pathlib import Path
from typing import Any

__all__ = ["MAX_META_BYTES", "add_meta_arguments", "file_meta", "load_meta"]

#: The largest meta file read (a list of files with a few columns each).
MAX_META_BYTES = 64 * 1024 * 1024

_COLUMNS = ("path", "agency", "year", "edition", "format")


def add_meta_arguments(p: argparse.ArgumentParser, *, batch: bool) -> None:
    """Add ``--agency``, ``--year`` (and ``--meta`` for a batch) to a command's parser."""
    every = " of every file" if batch else ""
    p.add_argument("--agency", help=f"the agency{every}, when the document does not name it (a page with no title)")
    p.add_argument("--year", type=int, help=f"the report year{every}, when the document does not name it")
    p.add_argument(
        "--meta",
        metavar="FILE",
        help="per-file agency and year: CSV with a header (path, agency, year, and any other columns) or JSON "
        'lines ({"path": …, "agency": …, "year": …}); relative paths are from FILE\'s folder; '
        "they take precedence over --agency and --year",
    )


def load_meta(path: str) -> dict[str, dict[str, Any]] | str:
    """The meta file's rows by absolute path (``year`` an ``int``), or the reason it cannot be used."""
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_META_BYTES + 1)
    except OSError as exc:
        return f"cannot read the meta file {path}: {exc.strerror or type(exc).__name__}"
    if len(data) > MAX_META_BYTES:
        return f"the meta file {path} is larger than {MAX_META_BYTES // 2**20} MiB"
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            return f"the meta file {path} is neither UTF-8 nor GB18030 text"
    rows = _json_lines(text, path) if text.lstrip().startswith("{") else _csv_rows(text, path)
    if isinstance(rows, str):
        return rows
    base = Path(path).parent
    out: dict[str, dict[str, Any]] = {}
    for n, row in rows:
        where = f"{path}, {'line' if text.lstrip().startswith('{') else 'row'} {n}"
        target = str(row.get("path") or "").strip()
        if not target:
            return f"{where}: no path"
        year: Any = row.get("year")
        if isinstance(year, str):
            year = year.strip() or None
        if year is not None:
            try:
                year = int(str(year).strip().removesuffix("年"))
            except ValueError:
                return f"{where}: year {row.get('year')!r} is not a whole number"
        kept = {k: (v.strip() if isinstance(v, str) else v) for k, v in row.items() if k != "path"}
        kept["year"] = year
        full = os.path.abspath(base / target)
        if full in out:
            return f"{where}: {target} is listed twice"
        out[full] = {k: v for k, v in kept.items() if v is not None and v != ""}
    return out


def _csv_rows(text: str, path: str) -> list[tuple[int, dict[str, Any]]] | str:
    reader = csv.DictReader(io.StringIO(text))
    names = [str(n).strip().lower() for n in reader.fieldnames or ()]
    if "path" not in names:
        return f"the meta file {path} has no 'path' column (CSV with a header: path,agency,year,…)"
    reader.fieldnames = names
    try:
        return [(i + 2, {k: v for k, v in r.items() if k}) for i, r in enumerate(reader)]
    except csv.Error as exc:
        return f"the meta file {path} is not CSV: {exc}"


def _json_lines(text: str, path: str) -> list[tuple[int, dict[str, Any]]] | str:
    rows = []
    for i, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except (ValueError, RecursionError) as exc:
            return f"{path}, line {i}: not JSON ({type(exc).__name__})"
        if not isinstance(obj, dict):
            return f"{path}, line {i}: not an object"
        rows.append((i, {str(k).lower(): v for k, v in obj.items()}))
    return rows


def file_meta(args: argparse.Namespace, paths: list[str]) -> dict[str, dict[str, Any]] | str:
    """Per-file options for ``paths`` from ``--agency``/``--year`` and ``--meta`` (its rows win), or why not."""
    given = {k: v for k, v in (("agency", args.agency), ("year", args.year)) if v is not None}
    loaded: dict[str, dict[str, Any]] = {}
    if args.meta is not None:
        got = load_meta(args.meta)
        if isinstance(got, str):
            return got
        loaded = got
    out: dict[str, dict[str, Any]] = {}
    for p in paths:
        own = loaded.get(os.path.abspath(p), {})
        if given or own:
            out[p] = {**given, **own}
    return out
