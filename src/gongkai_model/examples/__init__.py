"""The worked example shipped with the package.

The seed report, 北京市西城区信访办公室《2023年政府信息公开工作年度报告》, is
shipped in two forms: the published plain text as it was copied
(:func:`seed_text`) and its figures and sections transcribed
(:func:`seed_report`).  Every figure in it is 0.

>>> from gongkai_model import examples
>>> r = examples.seed_report()
>>> r.agency, r.year, r.table3.results.total.total, r.other_matters.text
('北京市西城区信访办公室', 2023, 0, '无。')
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import attrs

from ..model.report import AnnualReport, OtherMatters, Overview
from ..records import from_records

__all__ = ["SEED_NAME", "seed_report", "seed_text"]

#: The file stem of the seed report in this package.
SEED_NAME = "seed-xicheng-xinfang-2023"


def _read(name: str) -> str:
    return resources.files(__name__).joinpath(name).read_text(encoding="utf-8")


def seed_text() -> str:
    """The seed report's published text, exactly as copied from the portal."""
    return _read(f"{SEED_NAME}.txt")


def seed_report() -> AnnualReport:
    """The seed report as a model object: metadata, sections 一 to 六 and all 200 cells."""
    doc: dict[str, Any] = json.loads(_read(f"{SEED_NAME}.json"))
    report = from_records(
        ({"table": t, "row": r, "column": c, "value": v} for t, r, c, v in doc["records"]),
        agency=doc["agency"],
        year=doc["year"],
    )
    return attrs.evolve(
        report,
        level=doc["level"],
        overview=Overview(**doc["overview"]),
        problems=doc["problems"],
        other_matters=OtherMatters(text=doc["other_matters"]),
    )
