"""Fuzz ``gongkai_model.loads``: raw bytes and JSON structure mutated from the library's own outputs.

Every input must give a report or a JSONError with located problems: never another exception, a
hang or a blow-up.  A report accepted must be valid by the JSON Schema and load again from its own
dumps, and both parsers (orjson and the standard library) must give the same answer.

    PYTHONPATH=src python -m fuzz.fuzz_json --runs 100000 --seed 1
"""

from __future__ import annotations

import argparse
import json
import random
from functools import cache
from typing import Any

import jsonschema

import gongkai_model as gk
from gongkai_model import jsonio

from .common import INTERESTING, cap_memory, case_reports, mutate_bytes, run


@cache
def seeds() -> list[bytes]:
    """The library's outputs for the real cases and the seed report, compact and indented."""
    out = []
    for report in case_reports():
        out.append(gk.dumps(report).encode())
        out.append(gk.dumps(report, indent=2).encode())
    return out


@cache
def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(gk.jsonio.json_schema(), format_checker=jsonschema.FormatChecker())


VALUES: list[Any] = [
    None,
    True,
    0,
    -1,
    2**63,
    10**30,
    1.5,
    "",
    "1",
    "0.00",
    "1\n",
    "2024-W01-1",
    "2024-02-30",
    "元",
    "\ud800",
    {},
    [],
    {"value": None, "unit": "元"},
    {"value": "1", "unit": {}},
]


def _nodes(doc: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(doc, dict):
        return [path] + [p for k, v in doc.items() for p in _nodes(v, (*path, k))]
    if isinstance(doc, list):
        return [path] + [p for i, v in enumerate(doc) for p in _nodes(v, (*path, i))]
    return [path]


def mutate_structure(data: bytes, rng: random.Random) -> bytes:
    """Parse, change one node (replace, delete, rename, add, wrap, nest), write in a random layout."""
    try:
        doc = json.loads(data)
        _nodes(doc)
    except (ValueError, RecursionError):  # not JSON, or too deep to walk: left to the byte mutations
        return data
    path = rng.choice(_nodes(doc))
    op = rng.randrange(7)
    if not path:
        doc = [doc] if op == 0 else doc
    else:
        parent = doc
        for key in path[:-1]:
            parent = parent[key]
        key = path[-1]
        value = parent[key]
        if op == 0:
            parent[key] = rng.choice(VALUES)
        elif op == 1 and isinstance(parent, dict):
            del parent[key]
        elif op == 2 and isinstance(parent, dict):
            parent[f"{key}x"] = parent.pop(key)
        elif op == 3 and isinstance(value, dict):
            value[rng.choice(["extra", "value", "unit", "total"])] = rng.choice(VALUES)
        elif op == 4:
            parent[key] = [value]
        elif op == 5:
            depth = rng.choice([2, 63, 64, 65, 990, 5000])
            parent[key] = json.loads("[" * depth + "]" * depth) if depth < 900 else "DEEP"
        else:
            parent[key] = rng.choice(["LONG", 2**53 + 1, 10**4299])
    layout = rng.randrange(4)
    text = json.dumps(
        doc,
        ensure_ascii=layout == 1,
        indent=2 if layout == 2 else None,
        separators=(",", ":") if layout in (0, 1) else None,
    )
    text = text.replace('"LONG"', "-" + "9" * 4301, 1)
    if '"DEEP"' in text:
        text = text.replace('"DEEP"', "[" * 5000 + "]" * 5000, 1)
    if rng.random() < 0.1:  # a repeated key
        text = text.replace('"year":', '"year":2020,"year":', 1)
    return text.encode("utf-8", "surrogatepass")


def make(rng: random.Random) -> bytes:
    data = rng.choice(seeds())
    for _ in range(rng.choice([1, 1, 2, 3])):
        data = mutate_structure(data, rng) if rng.random() < 0.5 else mutate_bytes(data, rng, seeds())
    return data


def _outcome(data: bytes | str) -> Any:
    try:
        return gk.loads(data)
    except gk.errors.JSONError as exc:
        problems = exc.problems
        str(exc)  # the message can be built
    assert problems, "a JSONError without problems"
    return problems


def check(data: bytes) -> None:
    """The properties every input must keep (an AssertionError or any other exception is a finding)."""
    got = _outcome(data)
    saved, jsonio._orjson = jsonio._orjson, None
    try:
        assert _outcome(data) == got, "orjson and the standard library disagree"
    finally:
        jsonio._orjson = saved
    if isinstance(got, gk.AnnualReport):
        assert _validator().is_valid(json.loads(data)), "loads accepted a document the schema refuses"
        assert gk.loads(gk.dumps(got)) == got, "the report does not load again from its own dumps"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--seconds", type=int, default=10, help="time bound per input")
    parser.add_argument("--memory-gb", type=float, default=4.0, help="address-space cap of the run")
    args = parser.parse_args(argv)
    cap_memory(args.memory_gb)
    return 1 if run("json", check, make, args.runs, args.seed, args.seconds, ".json") else 0


assert INTERESTING  # the shared tokens are used by mutate_bytes

if __name__ == "__main__":
    raise SystemExit(main())
