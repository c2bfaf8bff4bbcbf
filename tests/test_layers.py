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

Accepted violations would be listed in :data:`KNOWN`, one line each with the reason; it is empty.
The test fails on any new violation and also when a known one disappears, so that the list only
shrinks. See ``docs/architecture.md``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

PACKAGE = "gongkai_model"
SRC = Path(__file__).resolve().parents[1] / "src" / PACKAGE

#: The layers, lowest first. A component is the first segment under ``gongkai_model`` (``"__init__"``
#: is the top-level package itself). ``presentation`` does not exist yet: issue 15 item 1 moves
#: ``presentation.py`` (sheet plans, headings, number formatting) there, below every format.
LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"errors"}),
    frozenset({"limits", "labels", "codes", "_codegen", "_views", "_optional"}),
    frozenset({"_zipsafe"}),
    frozenset({"model", "register"}),
    frozenset({"records", "checks"}),
    frozenset({"jsonio", "examples", "presentation"}),
    frozenset({"formats"}),
    frozenset({"readcheck", "excel", "reference", "frames"}),
    frozenset({"compare", "batch"}),
    frozenset({"notebook", "jurisdiction"}),
    frozenset({"__init__"}),
    frozenset({"cli"}),
    frozenset({"__main__"}),
)

#: Imports the ranks allow but the design forbids: (importer prefix, imported prefix) -> why.
FORBIDDEN: dict[tuple[str, str], str] = {
    ("formats", "checks"): "reading stays below checking; read-then-check belongs in a module above both",
}

#: Accepted violations: (rule, importer module, imported name) -> one-line reason. Empty since issue 15
#: item 1; a new entry needs a reason a reviewer accepts (it only ever shrinks).
KNOWN: dict[tuple[str, str, str], str] = {}


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
    known = {"formats": SRC / "formats/__init__.py", "formats._locate": SRC / "formats/_locate.py"}
    known |= {"compare": SRC / "compare.py", "batch": SRC / "batch/__init__.py", "excel": SRC / "excel/__init__.py"}
    assert private_owner("formats._locate.locate", known) == "formats"
    assert private_owner("compare._diff", known) == ""  # a top-level module's private name: the package's
    assert private_owner("batch._pool", known) == "batch"
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


def cycles(root: Path = SRC) -> list[list[str]]:
    """The import cycles between modules (strongly connected components of more than one), each sorted."""
    known = modules(root)
    graph = {m: sorted({t for t, _ in imports(m, p, known) if t in known and t != m}) for m, p in known.items()}
    order: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in graph:  # Tarjan's algorithm, iterative (no recursion limit to meet)
        if start in order:
            continue
        work = [(start, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                order[node] = low[node] = len(order)
                stack.append(node)
                on_stack.add(node)
            if i < len(graph[node]):
                work.append((node, i + 1))
                nxt = graph[node][i]
                if nxt not in order:
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[node] = min(low[node], order[nxt])
                continue
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == order[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_import_cycle_between_modules() -> None:
    """Not even inside a package, and not through a lazy import: every module can be read bottom-up."""
    assert cycles() == []


def test_the_cycle_finder_finds_cycles(tmp_path: Path) -> None:
    root = tmp_path / PACKAGE
    files = {
        "__init__.py": "",
        "a.py": "def f():\n    from . import b  # lazy, still counted\n",
        "b.py": "from .c import x\n",
        "c.py": "from .a import f\n",
        "d.py": "from .a import f\n",
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    assert cycles(root) == [["a", "b", "c"]]
