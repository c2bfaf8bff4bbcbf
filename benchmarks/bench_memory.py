"""Memory held per loaded report, side by side with the size of its own objects and strings.

For each document (the seed report with its full text, and the generated corpus), ``loads`` is
called ``N`` times and every report kept; ``tracemalloc`` gives the memory still held per report.
The baseline is the report's own objects and strings: ``sys.getsizeof`` of every object reached
from it, each counted once (``None``, booleans, small integers and enum members are shared by
every report and count nothing), each string counted as a fresh copy of it (no cached UTF-8 copy).

Run: python benchmarks/bench_memory.py [N]
"""

from __future__ import annotations

import enum
import gc
import sys
import tracemalloc
from typing import Any

from _data import corpus

import gongkai_model as gk
from gongkai_model.model import Node, field_specs


def own_bytes(report: gk.AnnualReport) -> int:
    """The size of ``report``'s own objects and strings (each once; shared singletons count nothing)."""
    seen: set[int] = set()
    total = 0

    def visit(obj: Any) -> None:
        nonlocal total
        if obj is None or isinstance(obj, bool | enum.Enum) or id(obj) in seen:
            return
        if type(obj) is int and -5 <= obj <= 256:  # CPython's shared small integers
            return
        seen.add(id(obj))
        if isinstance(obj, str):
            total += sys.getsizeof(obj.encode("utf-8", "surrogatepass").decode("utf-8", "surrogatepass"))
            return
        total += sys.getsizeof(obj)
        if isinstance(obj, Node):
            for info in field_specs(type(obj)):
                visit(getattr(obj, info.name))
            for name in ("subtotal_column",):
                if hasattr(obj, name):
                    visit(getattr(obj, name))
        elif isinstance(obj, gk.Amount):
            visit(obj.value)
            visit(obj.unit)

    visit(report)
    return total


def held_bytes(text: str, n: int) -> float:
    """Memory still held per report after ``n`` calls of ``loads`` whose reports are all kept."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    kept = [gk.loads(text) for _ in range(n)]
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    list_bytes = sys.getsizeof(kept)
    return (after - before - list_bytes) / n


def run(n: int) -> list[tuple[str, float, int]]:
    documents = [
        ("seed report (full text)", gk.dumps(gk.examples.seed_report())),
        ("generated report (no text)", gk.dumps(corpus(1, broken_share=0.0)[0])),
    ]
    rows = []
    for name, text in documents:
        report = gk.loads(text)
        rows.append((name, held_bytes(text, n), own_bytes(report)))
    return rows


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    print(f"memory held per loaded report ({n} reports kept)")
    print("| document | held per report | its own objects and strings | ratio |")
    print("|---|---|---|---|")
    for name, held, own in run(n):
        print(f"| {name} | {held / 1024:.1f} KB | {own / 1024:.1f} KB | {held / own:.2f}× |")


if __name__ == "__main__":
    main()
