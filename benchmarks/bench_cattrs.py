"""cattrs' own generated hooks against the library's generated JSON functions (issue 15, item 3).

A ``cattrs.Converter`` with ``forbid_extra_keys``, hooks for ``Decimal``, ``date`` and ``Amount`` and a
key-set hook for the nodes that may be of two classes, and none of the strict rules (it accepts
``"1"`` for a count, does not see repeated keys and gives no labels), timed on the seed report.

Run: python benchmarks/bench_cattrs.py     (not part of run_all.py: a one-off comparison)
"""

from __future__ import annotations

import datetime as dt
import gc
import timeit
import typing
from decimal import Decimal
from typing import Any

import attrs
import cattrs

import gongkai_model as gk
from gongkai_model import jsonio
from gongkai_model.model.report import AnnualReport
from gongkai_model.model.values import Amount, MoneyUnit


def converter() -> cattrs.Converter:
    c = cattrs.Converter(forbid_extra_keys=True)
    c.register_unstructure_hook(Decimal, str)
    c.register_structure_hook(Decimal, lambda v, _: Decimal(v))
    c.register_unstructure_hook(dt.date, dt.date.isoformat)
    c.register_structure_hook(dt.date, lambda v, _: dt.date.fromisoformat(v))
    c.register_unstructure_hook(Amount, jsonio._unstructure_amount)
    c.register_structure_hook(
        Amount, lambda v, _: Amount(Decimal(v["value"]), None if v["unit"] is None else MoneyUnit(v["unit"]))
    )
    seen: set[Any] = set()

    def unions(cls: type) -> None:  # cattrs cannot tell 表二's two classes apart: by their key sets
        for f in attrs.fields(cls):
            args = [a for a in typing.get_args(f.type) if attrs.has(a)]
            if len(args) > 1 and f.type not in seen:
                seen.add(f.type)
                by_keys = {frozenset(x.name for x in attrs.fields(a)): a for a in args}
                c.register_structure_hook(f.type, lambda v, _, by_keys=by_keys: c.structure(v, by_keys[frozenset(v)]))
            for a in args if len(args) > 1 else ([f.type] if attrs.has(f.type) else []):
                unions(a)

    unions(AnnualReport)
    return c


def best(f: Any, n: int = 2000) -> float:
    """Microseconds per call, best of 5 (collector paused)."""
    return min(timeit.repeat(f, number=n, repeat=5)) / n * 1e6


def run() -> list[tuple[str, float, float]]:
    c = converter()
    report = gk.examples.seed_report()
    doc = jsonio.to_dict(report)
    ours_u, ours_s = jsonio._unstructurer(AnnualReport, True), jsonio._fast_report(True)
    u, s = c.get_unstructure_hook(AnnualReport), c.get_structure_hook(AnnualReport)
    cat_doc = u(report)
    assert s(cat_doc, AnnualReport) == report == ours_s(doc)
    enabled = gc.isenabled()
    gc.disable()
    try:
        return [
            ("unstructure", best(lambda: ours_u(report)), best(lambda: u(report))),
            ("structure", best(lambda: ours_s(doc)), best(lambda: s(cat_doc, AnnualReport))),
        ]
    finally:
        if enabled:
            gc.enable()


def main() -> None:
    print("| operation | generated (µs) | cattrs (µs) | ratio |\n|---|---|---|---|")
    for what, ours, theirs in run():
        print(f"| {what} | {ours:.1f} | {theirs:.1f} | {theirs / ours:.2f} |")


if __name__ == "__main__":
    main()
