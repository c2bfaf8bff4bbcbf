"""A griffe extension for the API pages: the readers made by ``make_reader`` shown with their docstrings.

``read_html = make_reader(assembled(parse_html), __name__, "html", "page", doc=...)`` is, to
griffe's static analysis, an attribute without a docstring (the function is made at import), so the
API pages would leave it out. This gives such an attribute the ``doc=`` of its call, after the one
signature every reader has (``formats._reader.Reader``).
"""

from __future__ import annotations

import ast
import inspect
from typing import Any

import griffe

SIGNATURE = (
    "``{name}(source, *, agency=None, year=None, edition=None, strict=False, limits=None, name=None) -> Imported``"
)


def reader_doc(node: ast.AST) -> str | None:
    """The ``doc=`` of a ``make_reader(...)`` call assigned by ``node``, or ``None``.

    >>> reader_doc(ast.parse('read_x: Reader = make_reader(core, __name__, "x", "x", doc="Read.")').body[0])
    'Read.'
    >>> reader_doc(ast.parse("x = 1").body[0]) is None
    True
    """
    value = getattr(node, "value", None)
    if not (isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "make_reader"):
        return None
    for keyword in value.keywords:
        if keyword.arg == "doc" and isinstance(keyword.value, ast.Constant) and isinstance(keyword.value.value, str):
            return inspect.cleandoc(keyword.value.value)
    return None


class Readers(griffe.Extension):
    """Give every attribute made by ``make_reader`` its docstring, headed by the readers' signature."""

    def on_attribute_instance(self, *, node: ast.AST | Any, attr: griffe.Attribute, **kwargs: Any) -> None:
        doc = reader_doc(node) if isinstance(node, ast.AST) else None
        if doc is not None and attr.docstring is None:
            attr.docstring = griffe.Docstring(f"{SIGNATURE.format(name=attr.name)}\n\n{doc}", parent=attr)
            attr.value = None  # the heading shows the name and its type (Reader), not the call
