"""The public surface: about 35 top-level names, each explained; moved names still work with a warning.

See "The public API" in ``docs/architecture.md``.
"""

from __future__ import annotations

import importlib
import re
import warnings
from pathlib import Path

import pytest

import gongkai_model as gk

ROOT = Path(__file__).resolve().parents[1]
MOVED: dict[str, str] = gk._MOVED  # type: ignore[attr-defined]


def test_the_top_level_is_small() -> None:
    assert 30 <= len(gk.__all__) <= 40
    assert len(set(gk.__all__)) == len(gk.__all__)
    for name in gk.__all__:
        assert getattr(gk, name) is not None


def test_every_top_level_name_is_explained_in_the_architecture_page() -> None:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    section = text.split("## The public API", 1)[1].split("\n## ", 1)[0]
    explained = set(re.findall(r"^\| `([A-Za-z_]\w*)`", section, re.M))
    assert explained == set(gk.__all__)


@pytest.mark.parametrize("name", sorted(MOVED))
def test_a_moved_name_still_works_with_a_warning_naming_its_place(name: str) -> None:
    place = MOVED[name]
    with pytest.warns(
        DeprecationWarning, match=rf"gongkai_model\.{name} is deprecated; use {re.escape(place)}\.{name}"
    ):
        old = getattr(gk, name)
    assert old is getattr(importlib.import_module(place), name)
    assert name not in gk.__all__


def test_the_row_classes_live_in_model() -> None:
    assert {n for n, p in MOVED.items() if p == "gongkai_model.model"} <= set(gk.model.__all__)
    with pytest.warns(DeprecationWarning, match="use gongkai_model.model.ApplicantCounts"):
        from gongkai_model import ApplicantCounts
    assert ApplicantCounts is gk.model.ApplicantCounts


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'no_such_name'"):
        gk.no_such_name  # type: ignore[attr-defined]  # noqa: B018


def test_inside_the_repository_the_warning_is_an_error() -> None:
    """pyproject's filterwarnings: the suite fails where the package's own code uses a moved name."""
    with pytest.raises(DeprecationWarning):
        gk.ApplicantCounts  # type: ignore[attr-defined]  # noqa: B018


def _sources() -> list[Path]:
    found = []
    for folder in ("src", "tests", "docs", "benchmarks", "fuzz"):
        for suffix in ("*.py", "*.md", "*.ipynb"):
            found.extend((ROOT / folder).rglob(suffix))
    return [*found, ROOT / "README.md", ROOT / "CONTRIBUTING.md"]


def test_nothing_in_the_repository_uses_a_moved_name() -> None:
    names = "|".join(sorted(MOVED))
    dotted = re.compile(rf"\b(?:gk|gongkai_model)\.({names})\b")
    imported = re.compile(r"from gongkai_model import \(?([^)\n]*(?:\n[^)\n]*)*?)(?:\)|$)", re.M)
    here = Path(__file__).resolve()
    bad = []
    for path in _sources():
        if path.resolve() == here or (path.name == "__init__.py" and path.parent.name == "gongkai_model"):
            continue
        text = path.read_text(encoding="utf-8")
        bad += [f"{path.relative_to(ROOT)}: gk.{m}" for m in dotted.findall(text)]
        for block in imported.findall(text):
            words = set(re.findall(r"\w+", block))
            bad += [f"{path.relative_to(ROOT)}: from gongkai_model import {w}" for w in sorted(words & set(MOVED))]
    assert bad == []


def test_nothing_in_the_repository_uses_the_old_display_module() -> None:
    used = re.compile(
        r"\bgk\.display\b|from gongkai_model import display\b|gongkai_model\.display\.\w|\bdisplay\.render\("
    )
    here = Path(__file__).resolve()
    bad = [
        f"{path.relative_to(ROOT)}: {line.strip()}"
        for path in _sources()
        if path.resolve() != here
        for line in path.read_text(encoding="utf-8").splitlines()
        if used.search(line)
    ]
    assert bad == []


def test_the_display_module_is_now_notebook() -> None:
    """``display`` would shadow IPython's ``display()`` in a notebook (``from gongkai_model import display``)."""
    assert "display" not in gk.__all__
    with pytest.warns(DeprecationWarning, match="use gongkai_model.notebook"):
        old = gk.display  # type: ignore[attr-defined]
    assert old is gk.notebook
    with pytest.warns(DeprecationWarning, match="use gongkai_model.notebook"):
        from gongkai_model import display  # type: ignore[attr-defined]
    assert display is gk.notebook
    from gongkai_model.display import render  # type: ignore[import-not-found]  # old imports keep working

    assert render is gk.notebook.render


def test_printed_sections_is_not_the_checks_sections() -> None:
    from gongkai_model.checks._structure import sections
    from gongkai_model.formats import text

    report = gk.examples.seed_report()
    printed = list(text.printed_sections(report))
    assert [heading[:2] for heading, _, _ in printed] == ["一、", "二、", "三、", "四、", "五、", "六、"]
    with pytest.warns(DeprecationWarning, match="use gongkai_model.formats.text.printed_sections"):
        assert list(text.sections(report)) == printed
    assert next(name for _, name, _ in sections()) == "overview"  # the model's fields: other results


@pytest.mark.slow
def test_mypy_sees_precise_types_and_no_moved_name(tmp_path: Path) -> None:
    """``mypy --strict``: the public verbs are typed, and a moved name is an error (the hook is hidden), not ``Any``."""
    from mypy import api

    snippet = tmp_path / "use.py"
    snippet.write_text(
        "from collections.abc import Iterator\n"
        "import gongkai_model as gk\n"
        "from gongkai_model.checks import CheckContext, Finding, Severity, define_check, using\n"
        "report = gk.examples.seed_report()\n"
        "bad: gk.AnnualReport = gk.model.replace_path(report, 'table4.reconsideration.upheld', 3)\n"
        "@define_check('MINE', severity=Severity.INFO, title_en='m', title_zh='m')\n"
        "def mine(ctx: CheckContext) -> Iterator[Finding]:\n"
        "    yield from ()\n"
        "with using(mine):\n"
        "    result: gk.ValidationResult = gk.validate(bad, checks=[mine, 'T4_TOTAL'])\n"
        "checked: gk.CheckedReport = gk.check(b'', format='html', checks=['T4_TOTAL'])\n"
        "row = gk.ApplicantCounts()\n"
        "gk.check(b'', formt='html')\n",
        encoding="utf-8",
    )
    out, err, _ = api.run(["--strict", "--no-incremental", "--cache-dir", str(tmp_path / "c"), str(snippet)])
    errors = sorted(line.split(":")[1] for line in out.splitlines() if ": error:" in line)
    assert errors == ["12", "13"], out + err  # the moved name, the misspelt option; nothing else


def test_the_module_getattr_is_hidden_from_type_checkers() -> None:
    source = (ROOT / "src" / "gongkai_model" / "__init__.py").read_text(encoding="utf-8")
    assert "if not _TYPE_CHECKING:" in source.split("def __getattr__", 1)[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        assert callable(gk.__getattr__)  # type: ignore[attr-defined]
