"""Views that the model and the checks name and the front ends provide: the layers still point one way.

``AnnualReport._repr_html_`` and ``ValidationResult.to_frame`` are methods of their classes (so type
checkers and editors see them), but the HTML and the pandas frame are made by the front ends
(:mod:`gongkai_model.notebook`, :mod:`gongkai_model.frames`), which register them here when
``gongkai_model`` is imported. The model and the checks import only this module, never a front end.
The same holds inside the model: ``AnnualReport.__repr__`` counts the filled cells with the cell
getter that :mod:`gongkai_model.model.layout` (which imports the report) registers here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .errors import GongkaiError, Problem

__all__ = ["cell_values", "frame", "html", "register_cells", "register_frame", "register_html"]

_HTML: dict[type, Callable[[Any], str]] = {}
_FRAME: dict[type, Callable[..., Any]] = {}
_CELLS: dict[type, Callable[[Any], tuple[Any, ...]]] = {}


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
