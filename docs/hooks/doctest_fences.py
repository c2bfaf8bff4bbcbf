"""A griffe extension for the API pages: the docstrings' doctests shown as code, their roles as names.

The package's docstrings are reStructuredText-flavoured: bare ``>>>`` examples, and Sphinx roles
such as ``:func:`read_many``` or ``:class:`~gongkai_model.Imported```. Rendered as Markdown, the
examples' output lines (``[(...)]``) would read as links and the roles as stray text. This wraps
each run of doctest lines (a ``>>>`` line up to the next blank line) in a ``pycon`` fence and shows
each role's target as code (``~`` keeps its last part, as Sphinx does). The docstrings themselves
are not changed: pytest runs them as written (``--doctest-modules``).
"""

from __future__ import annotations

import re
from typing import Any

import griffe

ROLE = re.compile(r":(?:py:)?(?:func|class|meth|attr|mod|data|exc|obj|const|type):`(~?)([^`]+)`")


def show_roles(text: str) -> str:
    """Show each Sphinx role's target as code.

    >>> show_roles("See :func:`read_many` and :class:`~gongkai_model.Imported`.")
    'See `read_many` and `Imported`.'
    """
    return ROLE.sub(lambda m: f"`{m.group(2).rsplit('.', 1)[-1] if m.group(1) else m.group(2)}`", text)


def fence_doctests(text: str) -> str:
    r"""Wrap each doctest run of ``text`` in a ```` ```pycon ```` fence.

    >>> fence_doctests("Intro.\n\n>>> 1 + 1\n2\n\nAfter.").splitlines()
    ['Intro.', '', '```pycon', '>>> 1 + 1', '2', '```', '', 'After.']
    """
    out: list[str] = []
    inside = False
    for line in text.splitlines():
        if not inside and line.lstrip().startswith(">>>"):
            out.append("```pycon")
            inside = True
        elif inside and not line.strip():
            out.append("```")
            inside = False
        out.append(line)
    if inside:
        out.append("```")
    return "\n".join(out)


class DoctestFences(griffe.Extension):
    """Fence the doctest examples and show the roles of every docstring griffe loads."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = fence_doctests(show_roles(obj.docstring.value))
