"""The import graph of ``src/gongkai_model`` points one way: the layers, as data, and the debts still owed.

Every module is parsed with :mod:`ast`; every import counts, at any depth (imports inside functions are
still dependencies) and under ``if TYPE_CHECKING:`` too (a type-only import still couples two layers;
none of today's is exempted, so none needs to be). Relative imports are resolved. Two rules:

1. **Layers.** A module may import its own component (the top-level package or module it lives in) and
   any component of a strictly LOWER layer, nothing else: not a higher layer, and not a peer of its own
   layer (peers are independent of each other). :data:`FORBIDDEN` adds pairs that the ranks alone allow
   but the design does not (reading stays below checking).
2. **Private names.** A name whose dotted path has a segment starting with ``_`` belongs to the package
   that holds that segment; only modules inside that package may import it. A sibling module's private
   name inside the same package is allowed; the top-level private modules (``_codegen``, ``_views``, ...)
   are library internals that every module may use.

Today's violations are listed in :data:`KNOWN`, one line each with the reason (issue 15, item 1, is
the work that empties it). The test fails on any new violation and also when a known one disappears,
so that the list only shrinks. See ``docs/architecture.md``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

PACKAGE = "gongkai_model"
SRC = Path(__file__).resolve().parents[1] / "src" / PACKAGE

#: The layers, lowest first. A component is the first segment under ``gongkai_model`` (``"__init__"``
#: is the top-level package itself). ``presentation`` does not exist yet: issue 15 item 1 moves
#: ``formats/_layout.py`` (sheet plans, headings, number formatting) there, below every format.
LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"errors"}),
    frozenset({"limits", "labels", "_codegen", "_views", "_optional"}),
    frozenset({"_zipsafe"}),
    frozenset({"model"}),
    frozenset({"records", "checks"}),
    frozenset({"jsonio", "examples", "presentation"}),
    frozenset({"formats", "excel"}),
    frozenset({"reference", "frames", "_pool", "_journal"}),
    frozenset({"compare", "batch"}),
    frozenset({"display"}),
    frozenset({"__init__"}),
    frozenset({"cli"}),
    frozenset({"__main__"}),
)

#: Imports the ranks allow but the design forbids: (importer prefix, imported prefix) -> why.
FORBIDDEN: dict[tuple[str, str], str] = {
    ("formats", "checks"): "reading stays below checking; read-then-check belongs in a module above both",
}

SPEC = "the field specs are private to model, yet every layer derives labels, order and identities from them"

#: Today's violations: (rule, importer module, imported name) -> one-line reason. Only shrinks.
KNOWN: dict[tuple[str, str, str], str] = {
    # the formats <-> excel cycle (issue 15 item 1: one Excel format package, a presentation layer)
    ("layer", "excel._read", "formats._xlsxread"): "the Excel reader facade lives in excel/, the reader in formats/",
    ("layer", "excel._write", "formats._layout"): "sheet plans are presentation, not formats: move _layout below both",
    ("layer", "formats._xlsxread", "excel._safety"): "the zip check of Excel; one zip check in _zipsafe is item 6",
    ("layer", "formats._xlsxread", "excel._sheetxml"): "sheet XML parsing shared by reader and writer",
    ("layer", "formats._xlsxread", "excel._write"): "the writer's sheet-name constants (COVER, TEXTS, CHECKS, ...)",
    ("private", "excel._read", "formats._xlsxread"): "same cycle: excel reaches into a private formats module",
    ("private", "excel._write", "formats._layout"): "same cycle: the sheet plans are private to formats",
    ("private", "formats._xlsxread", "excel._safety"): "same cycle",
    ("private", "formats._xlsxread", "excel._sheetxml"): "same cycle",
    ("private", "formats._xlsxread", "excel._write"): "same cycle",
    # reading depends on checking
    ("forbidden", "formats._dispatch", "checks"): "read-then-check (validate) inside the reading dispatch",
    (
        "forbidden",
        "formats._result",
        "checks",
    ): "CheckedReport (holds a ValidationResult) lives in formats",
    # renderers take their headings from a docs module
    ("layer", "formats.html", "reference"): "section headings come from reference.py, a docs module",
    ("layer", "formats.docx", "reference"): "section headings come from reference.py, a docs module",
    ("layer", "formats.text", "reference"): "section headings come from reference.py, a docs module",
    # the Excel writer's formula checks
    ("private", "excel._write", "checks._identities"): "the identities (for formulas) are private to checks",
    # batch <-> its journal
    ("layer", "_journal", "batch"): "the journal needs FileResult and CAUSES from batch, which imports the journal",
    ("private", "_journal", "formats._dispatch"): "the journal re-derives section names with a private helper",
    ("private", "_journal", "formats._result"): "Provenance is not exported by formats",
    # the specs: every layer reads model._spec (field_specs, Node, Kind, Value); item 1 makes a public face for it
    ("private", "checks._builtin", "model._spec"): SPEC,
    ("private", "checks._identities", "model._spec"): SPEC,
    ("private", "checks._sanity", "model._spec"): SPEC,
    ("private", "checks._series", "model._spec"): SPEC,
    ("private", "checks._structure", "model._spec"): SPEC,
    ("private", "checks._text", "model._spec"): SPEC,
    ("private", "display", "model._spec"): SPEC,
    ("private", "excel._prefill", "model._spec"): SPEC,
    ("private", "excel._write", "model._spec"): SPEC,
    ("private", "formats._assemble", "model._spec"): SPEC,
    ("private", "formats._dispatch", "model._spec"): SPEC,
    ("private", "formats._layout", "model._spec"): SPEC,
    ("private", "formats._values", "model._spec"): SPEC,
    ("private", "formats._xlsxread", "model._spec"): SPEC,
    ("private", "formats.docx", "model._spec"): SPEC,
    ("private", "formats.text", "model._spec"): SPEC,
    ("private", "frames", "model._spec"): SPEC,
    ("private", "jsonio", "model._spec"): SPEC,
    ("private", "records", "model._spec"): SPEC,
    ("private", "reference", "model._spec"): SPEC,
    # private names reached across packages elsewhere
    ("private", "display", "formats._layout"): "the notebook display draws the sheet plans (presentation, item 1)",
    ("private", "batch", "formats._dispatch"): "_SUFFIX, the readable suffixes; the reader registry should export it",
    ("private", "__main__", "cli._common"): "run() is not exported by the cli package",
}


def component(module: str) -> str:
    """The first segment under the package (``"__init__"`` for the package itself)."""
    return module.split(".", 1)[0] if module else "__init__"


RANK = {name: rank for rank, layer in enumerate(LAYERS) for name in layer}


def modules(root: Path = SRC) -> dict[str, Path]:
    """Every module, by its dotted name under the package (``""`` for the package itself)."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def imports(module: str, path: Path, known: dict[str, Path]) -> Iterator[tuple[str, str]]:
    """(imported module, full dotted name) for each name this module imports from the package."""
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == PACKAGE or alias.name.startswith(PACKAGE + "."):
                    name = alias.name[len(PACKAGE) + 1 :]
                    yield name, name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".") if module else []
                if not is_package:
                    base = base[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            elif node.module == PACKAGE or (node.module or "").startswith(PACKAGE + "."):
                target = (node.module or "")[len(PACKAGE) + 1 :]
            else:
                continue
            for alias in node.names:
                full = f"{target}.{alias.name}".lstrip(".")
                yield (full if full in known else target), full


def private_owner(full: str, known: dict[str, Path]) -> str | None:
    """The package that owns the first private segment of a dotted name, or None when all are public."""
    parts = full.split(".")
    for i, part in enumerate(parts):
        if part.startswith("_") and not (part.startswith("__") and part.endswith("__")):
            head = ".".join(parts[:i])
            if head and head in known and known[head].name != "__init__.py":
                return ".".join(parts[: i - 1])  # a private name of a module: owned by its package
            return head
    return None


def inside(module: str, package: str) -> bool:
    return not package or module == package or module.startswith(package + ".")


def violations(root: Path = SRC) -> set[tuple[str, str, str]]:
    """Every (rule, importer, imported) violation of the source under ``root``."""
    known = modules(root)
    found: set[tuple[str, str, str]] = set()
    for module, path in known.items():
        mine = component(module)
        for target, full in imports(module, path, known):
            theirs = component(target)
            if theirs != mine and RANK[theirs] >= RANK[mine]:
                found.add(("layer", module or "__init__", target))
            for (low, high), _ in FORBIDDEN.items():
                if inside(module, low) and inside(target, high):
                    found.add(("forbidden", module, high))
            owner = private_owner(full, known)
            if owner is not None and not inside(module, owner):
                found.add(("private", module or "__init__", target))
    return found


def test_every_module_has_a_layer() -> None:
    assert {component(m) for m in modules()} <= set(RANK)


def test_no_new_violation_and_no_stale_debt() -> None:
    found = violations()
    new = sorted(found - set(KNOWN))
    gone = sorted(set(KNOWN) - found)
    assert not new, "new import(s) against the layers (see docs/architecture.md): " + "; ".join(map(str, new))
    assert not gone, "fixed, well done: remove it from KNOWN in tests/test_layers.py: " + "; ".join(map(str, gone))


def test_the_rules_catch_what_they_should() -> None:
    known = {"formats": SRC / "formats/__init__.py", "formats._layout": SRC / "formats/_layout.py"}
    known |= {"batch": SRC / "batch.py", "excel": SRC / "excel/__init__.py"}
    assert private_owner("formats._layout.plans", known) == "formats"
    assert private_owner("batch._worker", known) == ""  # a top-level module's private name: the package's
    assert private_owner("_codegen.compile_function", known) == ""
    assert private_owner("formats.read", known) is None
    assert private_owner("__version__", known) is None
    assert not inside("excel._write", "formats")
    assert inside("formats.pdf", "formats")
    assert inside("cli", "")
    assert RANK["errors"] < RANK["model"] < RANK["checks"] < RANK["formats"] < RANK["batch"] < RANK["cli"]


def test_a_new_upward_private_or_forbidden_import_is_caught(tmp_path: Path) -> None:
    root = tmp_path / PACKAGE
    files = {
        "__init__.py": "from .model import x\n",
        "errors.py": "",
        "model/__init__.py": "def f():\n    from ..cli import main  # lazy, still counted\n",
        "model/_spec.py": "",
        "checks/__init__.py": "from ..model._spec import Spec\nfrom .._codegen import compile_function\n",
        "checks/_x.py": "from ._y import _z\n",
        "formats/__init__.py": "from ..checks import validate\nimport gongkai_model.excel\n",
        "excel/__init__.py": "from gongkai_model import errors\n",
        "cli/__init__.py": "from .. import __version__\n",
        "_codegen.py": "",
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    assert violations(root) == {
        ("layer", "model", "cli"),
        ("private", "checks", "model._spec"),
        ("forbidden", "formats", "checks"),
        ("layer", "formats", "excel"),
    }
