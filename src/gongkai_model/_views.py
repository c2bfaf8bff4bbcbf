"""Views that the model and the checks name and the front ends provide: the layers still point one way.

``AnnualReport._repr_html_`` and ``ValidationResult.to_frame`` are methods of their classes (so type
checkers and editors see them), but the HTML and the pandas frame are made by the front ends
(:mod:`gongkai_model.notebook`, :mod:`gongkai_model.frames`), which register them here when
``gongkai_model`` is imported. The model and the checks import only this module, never a front end.
The same holds inside the model: ``AnnualReport.__repr__`` counts the filled cells with the cell
getter that :mod:`gongkai_model.model.layout` (which imports the report) registers here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from .errors import GongkaiError, Problem

__all__ = [
    "MAX_TEXT",
    "cell_values",
    "clip",
    "counted",
    "first_few",
    "frame",
    "html",
    "parts",
    "register_cells",
    "register_frame",
    "register_html",
    "register_parts",
]

#: The characters of one text (a source, an agency, a message) that a repr or a view shows.
MAX_TEXT = 120

#: One file of a result, as :mod:`gongkai_model.frames` sees it: ``(source, imported, validation, verdict)``
#: (an ``Imported`` or ``None``, a ``ValidationResult`` or ``None``, a ``Verdict`` or ``None``).
Part = tuple[str | None, Any, Any, Any]

_HTML: dict[type, Callable[[Any], str]] = {}
_FRAME: dict[type, Callable[..., Any]] = {}
_CELLS: dict[type, Callable[[Any], tuple[Any, ...]]] = {}
_PARTS: dict[type, Callable[[Any], Iterable[Part]]] = {}


def register_html(cls: type, view: Callable[[Any], str]) -> None:
    """Make ``view`` the HTML of ``cls`` and of its subclasses (``_repr_html_``)."""
    _HTML[cls] = view


def register_frame(cls: type, view: Callable[..., Any]) -> None:
    """Make ``view`` the pandas frame of ``cls`` and of its subclasses (``to_frame``)."""
    _FRAME[cls] = view


def register_cells(cls: type, getter: Callable[[Any], tuple[Any, ...]]) -> None:
    """Make ``getter`` the cell values of ``cls`` (every statutory cell, in layout order)."""
    _CELLS[cls] = getter


def cell_values(obj: object) -> tuple[Any, ...]:
    """The cell values of ``obj``, by the getter registered for its class."""
    return tuple(_find(_CELLS, obj, "cell getter")(obj))


def _find(views: dict[type, Callable[..., Any]], obj: object, what: str) -> Callable[..., Any]:
    for cls in type(obj).__mro__:
        view = views.get(cls)
        if view is not None:
            return view
    raise GongkaiError(f"no {what} for this object", [Problem(type(obj).__name__, f"has no {what}")])


def html(obj: object) -> str:
    """The HTML a notebook shows for ``obj``."""
    return str(_find(_HTML, obj, "HTML view")(obj))


def frame(obj: object, **options: Any) -> Any:
    """The pandas frame of ``obj``."""
    return _find(_FRAME, obj, "pandas frame")(obj, **options)


def register_parts(cls: type, getter: Callable[[Any], Iterable[Part]]) -> None:
    """Make ``getter`` the files of ``cls`` as the frames see them (a result of ``check``, ``check_many``)."""
    _PARTS[cls] = getter


def parts(obj: object) -> list[Part] | None:
    """The files of ``obj`` by the getter registered for its class, or ``None`` when none is."""
    for cls in type(obj).__mro__:
        getter = _PARTS.get(cls)
        if getter is not None:
            return list(getter(obj))
    return None


# --- short reprs: a few lines whatever the size of a result ---------------------------------------------


def clip(text: object, limit: int = MAX_TEXT) -> str:
    """``text`` as a string of at most ``limit`` characters (cut with ``…``), control characters shown escaped.

    >>> clip("abc" * 50, 10), clip("表三" + chr(10) + "x")
    ('abcabcabc…', '表三\\\\nx')
    """
    out = str(text)[: limit + 1]
    if not out.isprintable():
        out = "".join(c if c.isprintable() else repr(c)[1:-1] for c in out)
    return out if len(out) <= limit else out[: limit - 1] + "…"


def counted(severities: Iterable[str]) -> str:
    """How many of each severity, worst first: ``1 error, 2 warning`` (``none`` when there are none)."""
    from .errors import Severity

    got = list(severities)
    parts_ = [f"{n} {s.value}" for s in Severity if (n := sum(x == s for x in got))]
    return ", ".join(parts_) or "none"


def first_few(
    items: Sequence[Any], shown: int = 3, limit: int = MAX_TEXT, describe: Callable[[Any], object] = str
) -> str:
    """The first ``shown`` items (as ``describe`` tells them), each clipped, then ``… N more``.

    >>> first_few(["a", "b", "c", "d", "e"], 2)
    '[a; b; … 3 more]'
    """
    head = "; ".join(clip(describe(x), limit) for x in items[:shown])
    more = len(items) - shown
    return f"[{head}{'; … ' + str(more) + ' more' if more > 0 else ''}]"
