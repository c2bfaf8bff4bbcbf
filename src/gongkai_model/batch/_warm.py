"""Imported once by the supervised pool's own server process (its preload), never by the library itself.

It checks the seed report, as JSON, once: the readers' and the checks' generated code is then made in
the server, and every worker forked from it starts with it, instead of making it again for its first
file (50–75 ms of CPU per worker, for every batch). Then it freezes what the server holds
(:func:`gc.freeze`): a worker's collector never walks the inherited objects, nor writes to their pages
(which would copy them, page by page, into each worker). The server is the pool's own (see
``_pool._server``), so this changes no one else's processes. Anything going wrong here only leaves the
workers cold.
"""

from __future__ import annotations

import gc

__all__: list[str] = []


def _warm() -> None:
    try:
        from ..examples import seed_report
        from ..jsonio import dumps
        from ..readcheck import check

        check(dumps(seed_report()).encode("utf-8"), format="json")
    except Exception:  # pragma: no cover - a warm-up only
        return
    gc.collect()
    gc.freeze()


_warm()
