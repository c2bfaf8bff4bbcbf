"""The one place where generated code is compiled, and the switch that turns every fast path off.

Several modules generate a function from the model's own specs (never from input): the model's
fast type check, the cell getter, the report builder (model/build.py), the forgery scan, the identity sums and
JSON's loads and dumps.  They all compile through :func:`compile_function`, which gives each
function a unique file name (``<gongkai_model generated structure AnnualReport-3>``) and
registers its source in :mod:`linecache`, as attrs and cattrs do: a traceback inside generated
code shows its lines and pdb steps through it.

Generators compose through :class:`Namespace`: a generator that emits an expression (such as
:func:`~gongkai_model.model.spec.fast_test`) binds the objects it refers to in the namespace
it is given, so another generator can inline it without touching its text.

Every fast path is tested against its thorough twin; setting the environment variable
``GONGKAI_NO_FAST_PATHS=1`` (read once, at import) makes the thorough twin run alone
(:data:`FAST_PATHS` is then ``False``).
"""

from __future__ import annotations

import itertools
import linecache
import os
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import attrs

__all__ = ["FAST_PATHS", "Namespace", "compile_function", "maker"]

#: ``False`` when ``GONGKAI_NO_FAST_PATHS`` is set (to anything but ``""`` or ``"0"``): every
#: fast path is skipped and the thorough path runs alone.
FAST_PATHS: bool = os.environ.get("GONGKAI_NO_FAST_PATHS", "") in ("", "0")

_COUNTER = itertools.count(1)
_LOCK = threading.Lock()


class Namespace:
    """The globals of a function being generated: each object bound once, under a unique name."""

    def __init__(self, **fixed: Any) -> None:
        self.env: dict[str, Any] = dict(fixed)
        self._by_id: dict[int, str] = {id(v): k for k, v in fixed.items()}

    def name(self, obj: Any, hint: str = "g") -> str:
        """The name under which ``obj`` is bound (the same object always gets the same name)."""
        found = self._by_id.get(id(obj))
        if found is not None:
            return found
        name = f"{hint}{len(self.env)}"
        while name in self.env:  # pragma: no cover - a fixed name that looks generated
            name += "_"
        self.env[name] = obj
        self._by_id[id(obj)] = name
        return name


def compile_function(source: str, name: str, env: dict[str, Any] | Namespace, what: str) -> Callable[..., Any]:
    """Compile ``source`` (one ``def name(...)``) with ``env`` as its globals and return the function.

    ``what`` says what it is (``"structure AnnualReport"``); the file name made from it is
    unique and its lines are registered in :mod:`linecache` for tracebacks and pdb.
    """
    namespace = env.env if isinstance(env, Namespace) else env
    with _LOCK:
        filename = f"<gongkai_model generated {what}-{next(_COUNTER)}>"
    lines = source.splitlines(keepends=True)
    # (size, mtime, lines, fullname); a mtime of None keeps linecache.checkcache from dropping it
    linecache.cache[filename] = (len(source), None, lines, filename)
    exec(compile(source, filename, "exec"), namespace)  # the one exec: code built from the model's own specs
    made: Callable[..., Any] = namespace[name]
    return made


_C = TypeVar("_C")


def maker(cls: type[_C], fast: bool = FAST_PATHS) -> Callable[..., _C]:
    """A function making ``cls`` (a frozen, slotted attrs class) from every field, in order, all given.

    ``maker(Place)("x.html", None, 1, 2, 3, None, None, None, None)`` is
    ``Place("x.html", None, 1, 2, 3, None, None, None, None)``: the same class, the same values, but
    made without the frozen ``__init__`` (which sets each field through ``object.__setattr__``): a
    new object and each slot's own setter, as ``jsonio`` builds the model (a fast path, for the
    objects a reader makes per printed cell and a validation makes per call). A class that is not
    such a plain class (a validator, a converter or ``__attrs_post_init__``, which would be skipped;
    no slots) is made by ``cls`` itself, and so is every class without the fast paths
    (``GONGKAI_NO_FAST_PATHS=1``).

    >>> import attrs
    >>> @attrs.frozen
    ... class Point:
    ...     x: int
    ...     y: int
    >>> maker(Point)(1, 2) == Point(1, 2), maker(Point) is not Point
    (True, True)
    """
    thorough: Callable[..., _C] = cls
    if not fast or not attrs.has(cls):
        return thorough
    fields = attrs.fields(cls)
    names = [f.name for f in fields]
    plain = all(f.validator is None and f.converter is None and f.init for f in fields)
    slots = set(vars(cls).get("__slots__", ())) - {"__weakref__"}
    if not plain or hasattr(cls, "__attrs_post_init__") or slots != set(names):
        return thorough
    ns = Namespace(new=object.__new__, cls=cls)
    body = "".join(f"    {ns.name(vars(cls)[n].__set__, 'set_')}(made, f_{n})\n" for n in names)
    source = f"def make({', '.join('f_' + n for n in names)}):\n    made = new(cls)\n{body}    return made\n"
    made: Callable[..., Any] = compile_function(source, "make", ns, f"maker {cls.__name__}")
    return made
