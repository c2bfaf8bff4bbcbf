"""A griffe extension for the API pages: the docstrings' doctest examples are shown as code.

The package's docstrings are reStructuredText-flavoured and hold bare ``>>>`` examples; rendered as
Markdown, their output lines (``[(...)]``) would read as links. This wraps each run of doctest lines
(a ``>>>`` line up to the next blank line) in a ``pycon`` fence. The docstrings themselves are not
changed: pytest runs them as written (``--doctest-modules``).
"""

from __future__ import annotations

from typing import Any

import griffe


def fence_doctests(text: str) -> str:
    """Wrap each doctest run of ``text`` in a ```` ```pycon ```` fence.

    >>> print(fence_doctests("Intro.\\n\\n>>> 1 + 1\\n2\\n\\nAfter."))
    Intro.
    <BLANKLINE>
    ```pycon
    >>> 1 + 1
    2
    ```
    <BLANKLINE>
    After.
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
    """Fence the doctest examples of every docstring griffe loads."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None and ">>>" in obj.docstring.value:
            obj.docstring.value = fence_doctests(obj.docstring.value)
