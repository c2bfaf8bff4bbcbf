"""Bounded smoke runs of the fuzzing harnesses (fuzz/); long runs and what they found: fuzz/README.md.

Each run is derandomized (the same inputs every time) and each input is bounded in time, so a hang
fails the test instead of stalling the suite.  JSON (``loads``), the Excel reader (``read_report``
and ``read_xlsx``) and every document reader: HTML, text, Markdown, Word and PDF.
"""

from __future__ import annotations

import io
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
from gongkai_model.formats import Document

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


def _tiny_picture(fmt: str) -> bytes:
    """A small ruled table of two cells with a figure in one, encoded as ``fmt`` (Pillow)."""
    from PIL import Image, ImageDraw

    im = Image.new("L", (96, 48), 255)
    draw = ImageDraw.Draw(im)
    for y in (4, 24, 44):
        draw.line([(4, y), (92, y)], fill=0, width=2)
    for x in (4, 48, 92):
        draw.line([(x, 4), (x, 44)], fill=0, width=2)
    draw.text((56, 8), "17", fill=0)
    out = io.BytesIO()
    im.save(out, fmt)
    return out.getvalue()


def _mutated_picture(rng: random.Random) -> bytes:
    """A tiny picture with a few bytes flipped, its tail cut, or a header word overwritten."""
    data = bytearray(_tiny_picture(rng.choice(["PNG", "GIF", "TIFF", "BMP", "JPEG", "WEBP"])))
    for _ in range(rng.randint(1, 3)):
        op = rng.randrange(3)
        if op == 0:
            i = rng.randrange(len(data))
            data[i] ^= 1 << rng.randrange(8)
        elif op == 1:
            del data[rng.randrange(1, len(data)) :]
        else:
            i = rng.randrange(min(len(data), 64) - 4)
            data[i : i + 4] = rng.choice([b"\xff\xff\xff\xff", b"\x00\x00\x00\x00", b"\x7f\xff\x00\x01"])
    return bytes(data)


#: Mutated tiny pictures read by OCR (about 0.1 s each: most fail before the engine runs).
PICTURE_EXAMPLES = 20


def test_mutated_pictures_give_a_document_with_located_problems() -> None:
    from gongkai_model.formats.image import parse_image

    @smoke(PICTURE_EXAMPLES)
    def run(rng: random.Random) -> None:
        data = _mutated_picture(rng)
        with time_bound(SECONDS):
            doc = parse_image(data, source="p.png")
        assert isinstance(doc, Document)
        assert all(p.code and p.place is not None and p.place.source == "p.png" for p in doc.problems)

    run()
