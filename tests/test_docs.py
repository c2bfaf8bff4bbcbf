"""The docs are derived from the model and cover the public API."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import gongkai_model as gk
import gongkai_model.batch as batch
import gongkai_model.checks as checks
import gongkai_model.excel as excel
import gongkai_model.model as model
from gongkai_model.reference import model_reference, section_headings

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_model_reference_in_docs_is_current() -> None:
    text = (DOCS / "model.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- BEGIN model_reference[^>]*-->\n(.*)<!-- END model_reference -->", text, re.S)
    assert block is not None
    assert block.group(1) == model_reference(), "run: python -m gongkai_model.reference, paste into docs/model.md"
    for heading, attr, kind in section_headings():
        assert f"| {heading} | `{attr}` | `{kind}` |" in text


def test_every_public_name_is_documented() -> None:
    docs = "\n".join(p.read_text(encoding="utf-8") for p in DOCS.glob("*.md"))
    names = set(gk.__all__) | set(model.__all__) | set(checks.__all__) | set(excel.__all__) | set(batch.__all__)
    names |= set(gk.formats.__all__)
    modules = ("frames", "notebook", "compare", "records", "jsonio", "errors", "limits", "labels", "examples")
    for module in (*modules, "register", "jurisdiction"):
        names |= set(importlib.import_module(f"gongkai_model.{module}").__all__)
    missing = sorted(n for n in names if not n.startswith("__") and f"{n}" not in docs)
    assert missing == []


def test_every_limit_is_in_the_errors_page() -> None:
    """docs/errors.md lists every field of ``Limits`` with its default (a new bound cannot go undocumented)."""
    import attrs

    from gongkai_model.limits import Limits

    page = (Path(__file__).resolve().parents[1] / "docs" / "errors.md").read_text(encoding="utf-8")
    missing = [f.name for f in attrs.fields(Limits) if f"| `{f.name}` |" not in page]
    assert not missing
