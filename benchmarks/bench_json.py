"""`dumps` / `loads` side by side with orjson on plain dicts (the floor) and an equivalent pydantic v2 model.

Run: python benchmarks/bench_json.py [N]     (needs the 'bench' extra: pydantic, orjson)
"""

from __future__ import annotations

import sys
import time

import orjson
from _data import corpus, timed
from _pydantic_model import PReport

import gongkai_model as gk

#: CPU time of this process: on the shared machine a wall-clock ratio of the Python-heavy side against
#: orjson's C moved 2.1-3.8x between runs of the same code (the longer side absorbs more of the other work).
CLOCK = time.process_time


def run(n: int) -> list[tuple[str, str, float, float]]:
    reports = corpus(n, broken_share=0.0)
    texts = [gk.dumps(r) for r in reports]
    dicts = [orjson.loads(t) for t in texts]
    models = [PReport.model_validate_json(t) for t in texts]
    # The three agree on the data: pydantic reads our documents and writes the same values back.
    assert orjson.loads(models[0].model_dump_json()) == orjson.loads(texts[0]) | {
        "table3": orjson.loads(models[0].model_dump_json())["table3"]
    }
    assert all(gk.loads(t) == r for t, r in zip(texts[:50], reports[:50], strict=True))
    one_report, one_text, one_dict, one_model = reports[0], texts[0], dicts[0], models[0]
    rows = []
    for what, ours, floor, pyd in [
        (
            "dumps",
            (lambda: gk.dumps(one_report), lambda: [gk.dumps(r) for r in reports]),
            (lambda: orjson.dumps(one_dict), lambda: [orjson.dumps(d) for d in dicts]),
            (lambda: one_model.model_dump_json(), lambda: [m.model_dump_json() for m in models]),
        ),
        (
            "loads",
            (lambda: gk.loads(one_text), lambda: [gk.loads(t) for t in texts]),
            (lambda: orjson.loads(one_text), lambda: [orjson.loads(t) for t in texts]),
            (lambda: PReport.model_validate_json(one_text), lambda: [PReport.model_validate_json(t) for t in texts]),
        ),
    ]:
        for label, (single, many) in [
            ("gongkai_model", ours),
            ("orjson, plain dicts (floor)", floor),
            ("pydantic v2 model", pyd),
        ]:
            rows.append(
                (
                    what,
                    label,
                    timed(single, number=200, gc_paused=True, clock=CLOCK),
                    timed(many, gc_paused=True, clock=CLOCK),
                )
            )
    return rows


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    rows = run(n)
    print(f"JSON: one report (best of 3, collector paused x 200) and {n} reports (best of 3, collector paused)")
    print("| operation | implementation | one report | ratio to ours | 10,000 reports | ratio to ours |")
    print("|---|---|---|---|---|---|")
    ours = {what: (one, many) for what, label, one, many in rows if label == "gongkai_model"}
    for what, label, one, many in rows:
        o1, om = ours[what]
        print(f"| {what} | {label} | {one * 1e6:.0f} µs | {one / o1:.2f} | {many:.2f} s | {many / om:.2f} |")


if __name__ == "__main__":
    main()
