"""The one way the library imports an optional dependency (modelled on pandas' ``import_optional_dependency``).

An optional dependency belongs to an extra of the package (``pip install 'gongkai-model[EXTRA]'``); when it is
missing, the caller gets the library's own error (:class:`~gongkai_model.errors.ReadError` for a reader,
:class:`~gongkai_model.errors.GongkaiError` otherwise) whose problem names the extra to install — never a bare
``ImportError``.
"""

from __future__ import annotations

import sys
from types import ModuleType

from .errors import GongkaiError, Problem

__all__ = ["import_optional", "install_hint", "is_installed"]


def install_hint(extra: str) -> str:
    """The command that installs an extra, e.g. ``pip install 'gongkai-model[pdf]'``."""
    return f"pip install 'gongkai-model[{extra}]'"


def _import(name: str) -> ModuleType:
    # ``__import__`` rather than ``importlib.import_module``: the import statement's own hook, so that a test
    # (or an embedding application) that replaces ``builtins.__import__`` is obeyed, as a plain ``import`` would.
    __import__(name)
    return sys.modules[name]


def is_installed(name: str) -> bool:
    """Whether the optional module ``name`` can be imported (importing it if so)."""
    try:
        _import(name)
    except ImportError:
        return False
    return True


def import_optional(
    name: str,
    extra: str,
    *,
    purpose: str,
    package: str | None = None,
    also: tuple[str, ...] = (),
    error: type[GongkaiError] = GongkaiError,
    where: str | None = None,
) -> ModuleType:
    """Import the optional module ``name`` (and its submodules ``also``) or raise ``error`` naming ``extra``.

    ``purpose`` says what needs the module (``"reading PDFs"``), ``package`` is its distribution's name when
    that differs (``python-docx`` for ``docx``); the raised error's message is ``"<package> is not installed"``
    and its one problem, located at ``where`` (``name`` by default), reads
    ``"<purpose> needs <package>; install it with: pip install 'gongkai-model[<extra>]'"``.
    """
    try:
        module = _import(name)
        for sub in also:
            _import(f"{name}.{sub}")
    except ImportError:
        package = package or name
        raise error(
            f"{package} is not installed",
            [Problem(where or name, f"{purpose} needs {package}; install it with: {install_hint(extra)}")],
        ) from None
    return module
