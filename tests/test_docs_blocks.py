"""Every code block of the README and of docs/ runs, on its own, as a reader would paste it.

The blocks are collected when the tests are collected, so a block added to any page (README.md,
docs/**/*.md) is run without changing this file. Rules, by the fence's language:

- ``python``: run on its own, in a fresh namespace, in an empty temporary working directory that
  holds, as a clone of the repository does, the real cases under ``tests/data/cases``. A block
  starting with ``>>>`` is a doctest (its outputs are checked); otherwise the block is executed and
  the ``# …`` comment lines right after a ``print(...)`` call are its expected output, checked line
  for line, in order.
- ``json``: parsed; a document with a ``schema_version`` is loaded as a report (``gk.loads``).
- ``text``, ``console``, ``sh``, ``shell``, ``bash``: shown, never run (commands, outputs, code that needs a
  cluster). They are marked so on the page; nothing is skipped silently.
- any other language, or none: the test fails, so that no block goes unchecked by accident.
"""

from __future__ import annotations

import ast
import contextlib
import doctest
import importlib.util
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import gongkai_model as gk
from gongkai_model.checks import registered, unregister

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
SHOWN = {"text", "console", "sh", "shell", "bash"}
FENCE = re.compile(r"^```([^\n`]*)\n(.*?)^```[ \t]*$", re.S | re.M)


@dataclass(frozen=True)
class Block:
    page: Path
    line: int
    lang: str
    body: str

    @property
    def name(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"


def blocks(page: Path) -> list[Block]:
    text = page.read_text(encoding="utf-8")
    return [
        Block(page, text.count("\n", 0, m.start()) + 1, m.group(1).strip(), m.group(2)) for m in FENCE.finditer(text)
    ]


ALL = [b for page in PAGES for b in blocks(page)]
PYTHON = [b for b in ALL if b.lang == "python"]


def expected_output(body: str) -> list[str]:
    """The ``# …`` lines right after each ``print(...)`` call: what the block says it prints, in order."""
    lines = body.splitlines()
    ends = sorted(
        node.end_lineno
        for node in ast.walk(ast.parse(body))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print"
        if node.end_lineno is not None
    )
    want: list[str] = []
    for end in ends:
        for line in lines[end:]:  # lines[end] is the line after the call (end_lineno counts from 1)
            stripped = line.strip()
            if not stripped.startswith("#"):
                break
            want.append(stripped[2:] if stripped.startswith("# ") else stripped[1:])
    return want


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty working directory, with the repository's real cases where a clone has them."""
    (tmp_path / "tests" / "data").mkdir(parents=True)
    (tmp_path / "tests" / "data" / "cases").symlink_to(ROOT / "tests" / "data" / "cases")
    monkeypatch.chdir(tmp_path)
    before = registered()
    yield tmp_path
    added = [c.code for c in registered() if c not in before]
    for code in added:
        unregister(code)
    assert added == [], "a block must unregister the checks it registers: the registry is global"


@pytest.mark.parametrize("block", PYTHON, ids=[b.name for b in PYTHON])
@pytest.mark.usefixtures("workdir")
def test_python_block_runs_on_its_own(block: Block) -> None:
    if block.body.lstrip().startswith(">>>"):
        test = doctest.DocTestParser().get_doctest(block.body, {"__name__": "__main__"}, block.name, str(block.page), 0)
        runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
        out = io.StringIO()
        runner.run(test, out=out.write)
        assert runner.failures == 0, out.getvalue()
        assert runner.tries > 0
        return
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(block.body, block.name, "exec"), {"__name__": "__main__"})
    printed = [line.rstrip() for line in out.getvalue().splitlines()]
    want = expected_output(block.body)
    assert matches(want, printed), (
        f"{block.name}: the block says it prints\n" + "\n".join(want) + (f"\nbut it prints\n{out.getvalue()}")
    )


def matches(want: list[str], printed: list[str]) -> bool:
    """Whether ``printed`` is exactly ``want``, where a ``...`` line in ``want`` stands for any lines (none or more).

    A block that prints nothing it shows (no ``# …`` line) is not compared: it shows code, not output.
    """
    if not want:
        return True
    if "..." not in want:
        return want == printed
    head, _, rest = (list(x) for x in _split_once(want))
    if printed[: len(head)] != head:
        return False
    tail = printed[len(head) :]
    return any(matches(rest, tail[k:]) for k in range(len(tail) + 1)) if rest else True


def _split_once(want: list[str]) -> tuple[list[str], str, list[str]]:
    k = want.index("...")
    return want[:k], "...", want[k + 1 :]


def test_matches_whole_output_with_ellipsis() -> None:
    assert matches(["a", "b"], ["a", "b"])
    assert not matches(["a"], ["a", "b"])  # a line printed and not shown fails
    assert not matches(["a", "b"], ["a"])
    assert matches(["a", "...", "d"], ["a", "b", "c", "d"])
    assert matches(["a", "..."], ["a", "b"])
    assert not matches(["a", "...", "d"], ["a", "b", "c"])
    assert matches([], ["anything"])


def test_json_blocks_are_valid() -> None:
    for block in (b for b in ALL if b.lang == "json"):
        doc = json.loads(block.body)
        if isinstance(doc, dict) and "schema_version" in doc:
            gk.loads(block.body)  # a report document shown in full is a valid one


def test_every_block_is_run_or_marked_as_shown() -> None:
    unmarked = [f"{b.name} ({b.lang or 'no language'})" for b in ALL if b.lang not in SHOWN | {"python", "json"}]
    assert unmarked == [], "mark each block python (run), json (parsed), or text/console/sh (shown, not run)"
    assert len(PYTHON) >= 40


def test_no_doctest_outside_a_python_block() -> None:
    """A ``>>>`` example outside a ``python`` fence would never run."""
    for page in PAGES:
        text = FENCE.sub(lambda m: "" if m.group(1).strip() == "python" else m.group(0), page.read_text("utf-8"))
        assert not re.search(r"^\s*>>>", text, re.M), page


def test_expected_output_is_read_after_prints_only() -> None:
    body = "x = 1  # a note, not output\nprint(x)\n# 1\nfor i in range(2):\n    print(\n        i,\n    )\n# 0\n# 1\n"
    assert expected_output(body) == ["1", "0", "1"]


def test_fences_are_found_with_their_language() -> None:
    page = "text\n```python\nprint(1)\n```\n\n```console\n$ gongkai --help\n```\n"
    found = [(m.group(1), m.group(2)) for m in FENCE.finditer(page)]
    assert found == [("python", "print(1)\n"), ("console", "$ gongkai --help\n")]


def test_the_api_pages_hook_shows_doctests_and_roles_as_code() -> None:
    """docs/hooks/doctest_fences.py (the site's griffe extension): its own examples run."""
    pytest.importorskip("griffe", reason="the site's griffe extension needs the docs extra")
    spec = importlib.util.spec_from_file_location("doctest_fences", ROOT / "docs" / "hooks" / "doctest_fences.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    got = doctest.testmod(module)
    assert got.attempted >= 2
    assert got.failed == 0
    docstring = "Uses :func:`~gongkai_model.batch.read_many`.\n\n>>> [1]\n[1]\n"
    assert module.fence_doctests(module.show_roles(docstring)) == "Uses `read_many`.\n\n```pycon\n>>> [1]\n[1]\n```"
