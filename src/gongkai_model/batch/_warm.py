"""Imported once by the supervised pool's server process (``forkserver``'s preload), never by the library itself.

It checks the seed report, as JSON, once: the readers' and the checks' generated code is then made in
the server, and every worker forked from it starts with it, instead of making it again for its first
file (50–75 ms of CPU per worker, for every batch). Anything going wrong here only leaves the workers
cold.
"""

from __future__ import annotations

__all__: list[str] = []


def _warm() -> None:
    try:
        from ..examples import seed_report
        from ..jsonio import dumps
        from ..readcheck import check

        check(dumps(seed_report()).encode("utf-8"), format="json")
    except Exception:  # pragma: no cover - a warm-up only
        return


_warm()
