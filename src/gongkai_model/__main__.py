"""``python -m gongkai_model``: the ``gongkai`` command line (see :mod:`gongkai_model.cli` and ``docs/cli.md``)."""

from __future__ import annotations

import sys

from .cli import main
from .cli import run as _run

__all__ = ["main"]

_ = _run  # the wrapper every command runs in (kept here for callers of ``__main__._run``)

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
