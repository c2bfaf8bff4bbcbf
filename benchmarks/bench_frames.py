"""`to_frame` on a corpus, side by side with pandas building the same frame from plain dicts.

Run: python benchmarks/bench_frames.py [N]   (needs the `pandas` extra)
"""

from __future__ import annotations

import sys
from typing import Any

import pandas as pd
from _data import corpus, timed

import gongkai_model as gk
from gongkai_model.frames import COLUMNS, categories
from gongkai_model.model import Value, cells

NAMES = (
    "pd.DataFrame(plain dicts) + astype (baseline)",
    "to_frame(reports)",
    "to_frame(reports, exact=True)",
    "pd.DataFrame(to_records) of each report, concatenated (no dtypes)",
)


def plain_dicts(reports: list[gk.AnnualReport]) -> list[dict[str, Any]]:
    """One plain dict per cell, with the values the frame holds (made once, outside the timings)."""
    made: dict[int, list[dict[str, Any]]] = {}
    out: list[dict[str, Any]] = []
    for r in reports:
        if id(r) not in made:
            rows = []
            for cell, v in cells(r):
                count = cell.kind in (Value.COUNT, Value.SIGNED)
                if isinstance(v, gk.Amount):
                    money, unit = float(v.value), (v.unit.value if v.unit else None)
                else:
                    money = None if count or v is None else float(v)
                    unit = cell.spec.unit if cell.kind is Value.MONEY else None
                rows.append(
                    {
                        "agency": r.agency,
                        "year": r.year,
                        "edition": r.edition.value,
                        "table": cell.table,
                        "row": cell.row,
                        "column": cell.column,
                        "path": cell.path,
                        "kind": cell.kind.value,
                        "value": v if count else None,
                        "money": money,
                        "unit": unit,
                    }
                )
            made[id(r)] = rows
        out.extend(made[id(r)])
    return out


def baseline(dicts: list[dict[str, Any]]) -> pd.DataFrame:
    """What a user writes: a frame from the dicts, then the same dtypes as :func:`gk.to_frame`."""
    frame = pd.DataFrame(dicts, columns=list(COLUMNS))
    cats = categories()
    return frame.astype(
        {
            "source": pd.CategoricalDtype(
                pd.Index(pd.unique(frame["source"].dropna()), dtype=object)
            ),  # reports given as such: none
            "agency": pd.CategoricalDtype(pd.unique(frame["agency"])),
            "year": "int64",
            "edition": pd.CategoricalDtype(list(cats.edition)),
            "table": pd.CategoricalDtype(list(cats.table), ordered=True),
            "row": pd.CategoricalDtype(list(cats.row), ordered=True),
            "column": pd.CategoricalDtype(list(cats.column), ordered=True),
            "path": pd.CategoricalDtype(list(cats.path), ordered=True),
            "kind": pd.CategoricalDtype(list(cats.kind)),
            "value": "Int64",
            "money": "float64",
            "unit": pd.CategoricalDtype(list(cats.unit)),
            "agency_from": pd.CategoricalDtype(pd.Index(pd.unique(frame["agency_from"].dropna()), dtype=object)),
            "year_from": pd.CategoricalDtype(pd.Index(pd.unique(frame["year_from"].dropna()), dtype=object)),
        }
    )


def naive(reports: list[gk.AnnualReport]) -> pd.DataFrame:
    """``pd.DataFrame(gk.to_records(r))`` per report: one ``object`` column of values, labels as text."""
    return pd.concat([pd.DataFrame(gk.to_records(r)) for r in reports], ignore_index=True)


def run(n: int) -> list[tuple[str, float]]:
    reports = corpus(n)
    dicts = plain_dicts(reports)
    ours = gk.to_frame(reports)
    pd.testing.assert_frame_equal(ours, baseline(dicts))  # both build the very same frame
    assert len(ours) == len(naive(reports))
    del ours
    return [
        (NAMES[0], timed(lambda: baseline(dicts))),
        (NAMES[1], timed(lambda: gk.to_frame(reports))),
        (NAMES[2], timed(lambda: gk.to_frame(reports, exact=True))),
        (NAMES[3], timed(lambda: naive(reports))),
    ]


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    results = run(n)
    base = results[0][1]
    print(f"to_frame on {n} reports ({n * 200:,} cells), best of 3; pandas {pd.__version__}")
    print("| what | seconds | per report | ratio to baseline |")
    print("|---|---|---|---|")
    for name, secs in results:
        print(f"| {name} | {secs:.3f} | {secs / n * 1e6:.0f} µs | {secs / base:.2f}× |")


if __name__ == "__main__":
    main()
