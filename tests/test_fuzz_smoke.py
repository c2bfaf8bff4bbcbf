"""Bounded smoke runs of the fuzzing harnesses (fuzz/); long runs and what they found: fuzz/README.md.

Each run is derandomized (the same inputs every time) and each input is bounded in time, so a hang
fails the test instead of stalling the suite.  JSON (``loads``), the Excel reader (``read_report``
and ``read_xlsx``) and every document reader: HTML, text, Markdown, Word and PDF.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fuzz import fuzz_documents, fuzz_excel, fuzz_json
from fuzz.common import time_bound

#: The bound of one input: far above what any input takes, so only a hang trips it.
SECONDS = 30


def smoke(examples: int) -> Callable[[Callable[[random.Random], None]], Callable[[], None]]:
    """A derandomized Hypothesis run over ``examples`` generators, each seeded as the long runs are.

    (A seeded :class:`random.Random` rather than Hypothesis's own: its first examples are all
    zeros, which would make every input the same mutation of the same seed.)
    """

    def wrap(test: Callable[[random.Random], None]) -> Callable[[], None]:
        @settings(max_examples=examples, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
        @given(st.integers(0, 2**32 - 1))
        def seeded(seed: int) -> None:
            test(random.Random(seed))

        return seeded  # type: ignore[no-any-return]

    return wrap


@settings(max_examples=250, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(st.randoms(use_true_random=False))
def test_mutated_json_documents_give_a_report_or_located_problems(rng: random.Random) -> None:
    fuzz_json.check(fuzz_json.make(rng))


def test_the_seeds_are_the_library_outputs_of_every_real_case() -> None:
    from conftest import case_names

    assert len(fuzz_json.seeds()) == 2 * (1 + len(case_names()))


@smoke(150)
def test_mutated_workbooks_give_a_report_or_located_problems(rng: random.Random) -> None:
    data = fuzz_excel.make(rng)
    with time_bound(SECONDS):
        fuzz_excel.check(data)


#: Inputs per document reader: about 5 s each on a shared 2-core machine.
DOCUMENT_EXAMPLES = {"html": 80, "text": 50, "markdown": 50, "docx": 100, "pdf": 15}


@pytest.mark.parametrize("fmt", list(DOCUMENT_EXAMPLES))
def test_mutated_documents_give_an_imported_or_the_library_error(fmt: str) -> None:
    check = fuzz_documents.check(fmt)
    make = fuzz_documents.make(fmt)

    @smoke(DOCUMENT_EXAMPLES[fmt])
    def run(rng: random.Random) -> None:
        data = make(rng)
        with time_bound(SECONDS):
            check(data)

    run()


def test_every_document_reader_has_seeds_from_real_cases_or_its_renderer() -> None:
    from conftest import case_names

    reports = 1 + len(case_names())
    cases = Path(__file__).resolve().parent / "data" / "cases"
    assert len(fuzz_documents.seeds("html")) == reports + len(list(cases.glob("*.html")))
    assert len(fuzz_documents.seeds("text")) == reports + len(list(cases.glob("*.txt")))
    assert len(fuzz_documents.seeds("markdown")) == 2 * reports + len(list(cases.glob("*.txt")))
    assert len(fuzz_documents.seeds("docx")) == reports
    assert len(fuzz_documents.seeds("pdf")) == 2 * len(list(cases.glob("*.pdf"))) >= 2  # each, and with a plain trailer
