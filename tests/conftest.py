from __future__ import annotations

import json
import os
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

sys.path.insert(0, str(Path(__file__).parent))

# Hypothesis profiles (CONTRIBUTING.md): ``ci`` (derandomized: the same examples on every run) when
# ``CI`` is set, as CI sets it; ``HYPOTHESIS_PROFILE`` chooses one by name (``quick``: few examples,
# for a fast local loop); ``default`` otherwise.  A test's own ``@settings`` still wins over a profile.
# (``derandomize`` is stated in each: Hypothesis derives a profile from its own, derandomized when it sees CI.)
_BASE: dict[str, Any] = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}
settings.register_profile("default", derandomize=False, **_BASE)
settings.register_profile("ci", derandomize=True, **_BASE)
settings.register_profile("quick", derandomize=False, max_examples=10, **_BASE)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "default"))

# --- markers (registered in pyproject.toml; see CONTRIBUTING.md) ------------------------------------
# Set here by module or by test, so the test files need not carry them.  Select or deselect with
# ``-m``, e.g. ``pytest -m "not libreoffice and not slow"``; CI (``.ci/run``) runs everything.

#: Tests that start LibreOffice (``soffice``) for real (see also :data:`BY_FIXTURE`).
LIBREOFFICE: dict[str, set[str] | None] = {
    "test_libreoffice.py": None,  # the whole module
    "test_read_docx.py": {"test_libreoffice_word_files_of_real_pages_read_exactly"},
    "test_containers_hostile.py": {"test_nothing_the_readers_or_libreoffice_open_reaches_the_network"},
}
#: Tests that need pdfplumber (the ``pdf`` extra).
PDF: dict[str, set[str] | None] = {
    "test_read_pdf.py": None,
    "test_pdf_hostile.py": None,
    "test_fuzz_regressions.py": {
        "test_pdf_tables_share_one_cell_budget",
        "test_the_recovery_keeps_pdfminer_s_answers",
        "test_objects_without_a_finite_position_are_not_placed",
    },
    "test_fuzz_smoke.py": {"test_mutated_documents_give_an_imported_or_the_library_error[pdf]"},
    "pdf.py": {"gongkai_model.formats.pdf.read_pdf"},  # the doctest
    "test_cli_findings.py": {"test_a_pdf_finding_shows_its_page_table_row_and_column"},
}
#: Tests over about 10 s on a shared 2-core machine (measured with ``--durations``).
SLOW: dict[str, set[str] | None] = {
    "test_libreoffice.py": None,
    "test_fuzz_smoke.py": {
        "test_mutated_workbooks_give_a_report_or_located_problems",
        "test_mutated_documents_give_an_imported_or_the_library_error[docx]",
        "test_mutated_documents_give_an_imported_or_the_library_error[pdf]",
    },
    "test_batch_robust.py": {"test_a_thousand_files_with_hangs_bombs_and_a_killed_worker"},
    "test_excel.py": {
        "test_damaged_workbooks_give_issues_or_the_library_error",
        "test_a_filled_template_reads_back_to_the_same_report",
    },
}
#: Fixture → the markers of every test that uses it.
BY_FIXTURE = {
    "pdfs": ("libreoffice", "pdf"),  # test_excel_print.py: LibreOffice exports every workbook, pdfplumber reads it
}


def _listed(table: dict[str, set[str] | None], item: pytest.Item) -> bool:
    if item.path.name not in table:
        return False
    names = table[item.path.name]
    return names is None or item.name in names or item.name.split("[")[0] in names


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the tests listed above ``libreoffice``, ``pdf`` and ``slow``."""
    for item in items:
        markers = {
            m for m, table in (("libreoffice", LIBREOFFICE), ("pdf", PDF), ("slow", SLOW)) if _listed(table, item)
        }
        for fixture in getattr(item, "fixturenames", ()):
            markers.update(BY_FIXTURE.get(fixture, ()))
        for marker in sorted(markers):
            item.add_marker(getattr(pytest.mark, marker))


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
