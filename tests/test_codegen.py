"""Generated code can be debugged, and the switch ``GONGKAI_NO_FAST_PATHS`` turns every fast path off.

Every generator compiles through :func:`gongkai_model._codegen.compile_function`: each function has
a unique file name registered in :mod:`linecache`, so a traceback inside it shows its lines (and
``inspect.getsource`` and pdb find them).
"""

from __future__ import annotations

import importlib
import inspect
import json
import linecache
import os
import re
import subprocess
import sys
import traceback
from pathlib import Path
from typing import Any

import pytest

import gongkai_model as gk
from gongkai_model import _codegen, jsonio
from gongkai_model.checks import _identities, _sanity
from gongkai_model.model import build as _build
from gongkai_model.model import spec as _spec
from gongkai_model.model.layout import Shape
from gongkai_model.model.values import Edition

layout_module = importlib.import_module("gongkai_model.model.layout")  # the module (the package exports a function)
ROOT = Path(__file__).resolve().parent.parent
SHAPES = [
    Shape(edition, single, subtotal)
    for edition, singles in ((Edition.FORMAT_2021, (True, False)), (Edition.FORMAT_2019, (True,)))
    for single in singles
    for subtotal in (False, True)
]


def _every_generated_function() -> list[Any]:
    """One of each kind of generated function, made by calling its generator directly (switch or not)."""
    fns: list[Any] = []
    for shape in SHAPES:
        fns.append(layout_module._getter(shape))
        fns.append(_build._constructor(shape))
        fns += [_identities._statuses_fn(shape, b) for b in (False, True)]
        fns.append(_sanity._deep_values(shape))
    fns.append(_spec.fast_check(gk.AnnualReport))
    fns.append(_sanity._deep(gk.AnnualReport))
    for guard in (False, True):
        fns.append(jsonio._fast_report(guard))
        fns += [jsonio._fast_node(gk.model.Applications, flag, guard) for flag in (False, True)]
    fns.append(jsonio._unstructurer(gk.AnnualReport, True))
    fns += list(_spec._FAST.values()) + list(_sanity._DEEP.values())
    return fns


def test_exec_is_called_in_one_place_only() -> None:
    calls = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in sorted((ROOT / "src").rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"\bexec\(", line)
    ]
    assert calls == [c for c in calls if c.startswith("src/gongkai_model/_codegen.py:")]
    assert len(calls) == 1


def test_every_generated_function_has_its_own_file_name_in_linecache() -> None:
    fns = list({id(fn): fn for fn in _every_generated_function()}.values())
    names = [fn.__code__.co_filename for fn in fns]
    assert len(names) > 20
    for name in names:
        assert name.startswith("<gongkai_model generated "), name
        assert name in linecache.cache, name
        assert linecache.getline(name, 1).startswith("def "), name
    assert len(set(names)) == len(names)  # one file name per function
    source = inspect.getsource(_spec.fast_check(gk.AnnualReport))  # found through linecache
    assert source.startswith("def fast(self):\n    return ")


def test_file_names_are_unique_and_survive_checkcache() -> None:
    one = _codegen.compile_function("def f(x):\n    return x + 1\n", "f", {}, "test")
    two = _codegen.compile_function("def f(x):\n    return x + 2\n", "f", {}, "test")
    assert one.__code__.co_filename != two.__code__.co_filename
    linecache.checkcache()  # drops entries of files that do not exist unless they have no mtime
    assert linecache.getline(two.__code__.co_filename, 2) == "    return x + 2\n"
    assert (one(1), two(1)) == (2, 3)


def test_namespace_binds_each_object_once() -> None:
    ns = _codegen.Namespace(M=10)
    marker = object()
    assert ns.name(marker, "T") == ns.name(marker, "X")
    assert ns.name(10) == "M"
    assert ns.name(object(), "T") != ns.name(marker, "T")


def test_a_traceback_inside_generated_code_shows_its_line() -> None:
    report = gk.examples.seed_report()
    object.__setattr__(report, "table3", object())  # forged past the model: the getter fails inside
    with pytest.raises(AttributeError):
        layout_module._getter(layout_module.shape_of(gk.examples.seed_report()))(report)
    try:
        layout_module._getter(layout_module.shape_of(gk.examples.seed_report()))(report)
    except AttributeError:
        text = traceback.format_exc()
        frame = traceback.extract_tb(sys.exc_info()[2])[-1]
    assert "<gongkai_model generated cell getter" in frame.filename
    assert frame.line
    assert re.fullmatch(r"n[0-9]+ = n[0-9]+\.[a-z_0-9]+", frame.line)  # the generated line itself
    assert frame.line in text
    assert linecache.getline(frame.filename, frame.lineno or 0).strip() == frame.line


def test_a_traceback_through_generated_dumps_shows_its_line() -> None:
    class Exploding:
        def __str__(self) -> str:
            raise RuntimeError("boom")

    report = gk.examples.seed_report()
    money = next(c for c in gk.model.layout(layout_module.shape_of(report)) if c.kind is gk.model.Value.MONEY)
    node = gk.model.get_path(report, money.path.rpartition(".")[0])
    object.__setattr__(node, money.path.rpartition(".")[2], Exploding())
    with pytest.raises(RuntimeError):
        jsonio._unstructurer(gk.AnnualReport, True)(report)
    try:
        jsonio._unstructurer(gk.AnnualReport, True)(report)
    except RuntimeError:
        frames = traceback.extract_tb(sys.exc_info()[2])
    generated = [f for f in frames if f.filename.startswith("<gongkai_model generated unstructure")]
    assert generated
    assert "str(" in (generated[-1].line or "")


def test_the_model_class_names_appear_in_the_file_names() -> None:
    name = _spec.fast_check(gk.AnnualReport).__code__.co_filename
    assert re.fullmatch(r"<gongkai_model generated fast check AnnualReport-[0-9]+>", name)


_NO_FAST = """
import json, gongkai_model as gk
from gongkai_model import _codegen, jsonio, records
from gongkai_model.checks import _identities, _sanity
import importlib
from gongkai_model.model import spec as _spec
layout = importlib.import_module("gongkai_model.model.layout")
build = importlib.import_module("gongkai_model.model.build")
import os
FAST = not os.environ.get("GONGKAI_NO_FAST_PATHS")
assert _codegen.FAST_PATHS is FAST
out = {}
shape = layout.Shape(gk.Edition.FORMAT_2019, True, True)
cells = [dict(table=c.table, row=c.row, column=c.column, value=i % 7 if c.kind.name in ("COUNT", "SIGNED") else None)
         for i, c in enumerate(layout.layout(shape))]
old = gk.from_records(cells, agency="某局", year=2019, edition=gk.Edition.FORMAT_2019)
for report in (gk.examples.seed_report(), old):
    text = gk.dumps(report)
    assert gk.loads(text) == report
    assert gk.jsonio.from_dict(json.loads(text)) == report
    rebuilt = gk.from_records(gk.to_records(report), agency=report.agency, year=report.year)
    assert gk.to_records(rebuilt) == gk.to_records(report)
    keys = [f.key for f in gk.validate(report).issues]
    out[report.edition.value] = [text, keys, list(map(str, gk.model.values(report)))]
try:
    gk.loads(text.replace('"year":', '"year": "x", "yeer":', 1))
except gk.errors.JSONError as exc:
    out["error"] = str(exc)
# without the fast paths, the thorough paths ran alone: no fast path was generated (with them, every one was)
assert bool(_spec._FAST) is FAST, _spec._FAST
assert not _sanity._DEEP  # a report of its shape's classes is checked by _deep_values alone
for cached in (jsonio._unstructurer, jsonio._fast_node, layout._getter, build._constructor, _identities._statuses_fn,
               _sanity._deep_values):
    assert (cached.cache_info().currsize > 0) is FAST, cached
print(json.dumps(out, ensure_ascii=False))
"""


def _run(no_fast: bool) -> Any:
    env = {k: v for k, v in os.environ.items() if k != "GONGKAI_NO_FAST_PATHS"}
    env["PYTHONPATH"] = str(ROOT / "src")
    if no_fast:
        env["GONGKAI_NO_FAST_PATHS"] = "1"
    proc = subprocess.run([sys.executable, "-c", _NO_FAST], capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_the_switch_turns_every_fast_path_off_and_nothing_changes() -> None:
    slow, fast = _run(True), _run(False)
    assert slow == fast
    assert "year" in slow["error"]
