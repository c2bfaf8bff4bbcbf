from __future__ import annotations

import json
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

sys.path.insert(0, str(Path(__file__).parent))

settings.register_profile("default", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("ci", deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
settings.load_profile("default")

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "tests" / "data" / "cases"


def case_names() -> list[str]:
    """Every real case kept in tests/data/cases (a missing folder fails, never skips)."""
    if not CASES.is_dir():
        raise RuntimeError(f"the real cases are missing: {CASES}")
    return sorted(p.stem for p in CASES.glob("*.json"))


def raw_cases() -> list[str]:
    """The cases whose published form (text, HTML, PDF …) is kept beside their figures."""
    return [name for name in case_names() if load_case(name).get("raw")]


def load_case(name: str) -> dict[str, Any]:
    return json.loads((CASES / f"{name}.json").read_text(encoding="utf-8"), parse_float=Decimal)


@pytest.fixture(params=case_names())
def case(request: pytest.FixtureRequest) -> dict[str, Any]:
    data = load_case(request.param)
    data["name"] = request.param
    return data
