"""Each thing once (issue 15, item 6): reader wrapper, write(), plan-to-HTML, label index, fuzzy matcher."""

from __future__ import annotations

import importlib
import inspect
import io
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gongkai_model as gk
from gongkai_model.errors import GongkaiError, ModelError, ReadError
from gongkai_model.formats import FORMATS, WRITE_SUFFIXES, WRITERS, Reader, make_reader, read, write
from gongkai_model.formats._dispatch import to_bytes, write_format
from gongkai_model.formats._locate import known_labels
from gongkai_model.formats._result import Imported
from gongkai_model.formats.html import plan_rows_html
from gongkai_model.labels import FUZZY_CUTOFF, FuzzyMatcher, close_match, normalize_label, similarity
from gongkai_model.model.layout import Shape, label_index, layout, rows
from gongkai_model.presentation import plans

from hostile import assert_contract, run_capped

#: The documented keywords of every reader, in order.
KEYWORDS = ["source", "agency", "year", "edition", "strict", "limits", "name"]


def _reader(fmt: str) -> Reader:
    module, name = FORMATS[fmt]
    reader: Reader = getattr(importlib.import_module(module), name)
    return reader


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_reader_has_the_one_signature_its_name_and_its_own_docstring(fmt: str) -> None:
    reader = _reader(fmt)
    module, name = FORMATS[fmt]
    assert list(inspect.signature(reader).parameters) == KEYWORDS
    assert (reader.__module__, reader.__name__) == (module, name)  # doctests are found in the format's module
    assert reader.__doc__
    assert reader.__doc__.startswith(("Read a report", "Load a report"))


@pytest.mark.parametrize("error", [MemoryError, RecursionError])
def test_a_machine_limit_in_any_core_is_a_read_limit_error_naming_it(error: type[BaseException]) -> None:
    def core(data: bytes, options: object) -> Imported:
        raise error()

    reader = make_reader(core, __name__, "x", "thing", doc="")
    with pytest.raises(ReadError) as caught:
        reader(b"abc")
    (problem,) = caught.value.problems
    assert problem.code == "READ_LIMIT"
    assert error.__name__ in problem.message
    assert str(problem.place) == "<x>"


def test_recover_turns_the_readers_errors_into_a_result() -> None:
    def core(data: bytes, options: object) -> Imported:
        raise ReadError("broken", [])

    def recover(exc: BaseException, name: str) -> Imported:
        return Imported(None, (), {}, f"{name}: {type(exc).__name__}")

    reader = make_reader(core, __name__, "x", "x", doc="", recover=recover)
    assert reader(b"", name="n").source == "n: ReadError"


@pytest.mark.parametrize("fmt", sorted(WRITERS))
def test_the_shared_options_reach_every_reader(fmt: str) -> None:
    data = to_bytes(gk.examples.seed_report(), fmt)
    got = _reader(fmt)(data, agency="某某局", year=2024, name=f"r.{fmt}")
    assert got.report is not None, (fmt, got.problems)
    assert (got.report.agency, got.report.year, got.source) == ("某某局", 2024, f"r.{fmt}")
    got = read(data, format=fmt, agency="某某局", year=2024)
    assert got.report is not None
    assert (got.report.agency, got.report.year) == ("某某局", 2024)


def test_json_reads_any_source_and_says_when_edition_is_not_the_documents(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    write(gk.examples.seed_report(), path)
    got = _reader("json")(path, edition="2019")
    assert got.report == gk.examples.seed_report()
    assert [(p.code, p.severity) for p in got.problems] == [("READ_JSON", "warning")]
    refused = _reader("json")(path, year=1900)
    assert refused.report is None
    assert {p.code for p in refused.problems} == {"READ_INVALID"}


# --- write ----------------------------------------------------------------------------------------


def test_the_registries_sit_side_by_side() -> None:
    assert set(WRITE_SUFFIXES.values()) == set(WRITERS)
    assert set(WRITERS) <= set(FORMATS)


@pytest.mark.parametrize("suffix", sorted(WRITE_SUFFIXES))
def test_write_by_suffix_reads_back_to_the_same_report(tmp_path: Path, suffix: str) -> None:
    seed = gk.examples.seed_report()
    path = tmp_path / f"report{suffix.upper()}"  # the suffix is matched without case
    write(seed, path)
    got = gk.read(path)
    assert got.ok, got.summary()
    assert got.report is not None
    assert [r.value for r in gk.to_records(got.report)] == [r.value for r in gk.to_records(seed)]


_WRITTEN_AT = re.compile(rb"<dcterms:(created|modified)[^>]*>[^<]*</dcterms:\1>")


def _package(data: bytes) -> object:
    """A written file as compared: a zip (xlsx, docx) as its members' names and contents, the time of
    writing taken out (it changes when a second passes between two writes); other formats as their bytes."""
    if not data.startswith(b"PK"):
        return data
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return [(i.filename, _WRITTEN_AT.sub(b"", z.read(i))) for i in z.infolist()]


@pytest.mark.parametrize("fmt", sorted(WRITERS))
def test_write_to_a_stream_is_the_bytes_of_a_path(tmp_path: Path, fmt: str) -> None:
    seed = gk.examples.seed_report()
    out = io.BytesIO()
    write(seed, out, format=fmt)
    assert _package(out.getvalue()) == _package(to_bytes(seed, fmt))
    if fmt not in ("xlsx", "docx"):  # zips carry the time they were made
        path = tmp_path / "any.name"
        write(seed, path, format=fmt)
        assert path.read_bytes() == out.getvalue()


@pytest.mark.parametrize(
    ("target", "fmt", "named"),
    [("report.pdf", None, "'.pdf'"), ("report", None, "(no suffix)"), ("r.json", "yaml", "'yaml'")],
)
def test_an_unknown_format_is_the_librarys_error_naming_it_and_the_known_ones(
    tmp_path: Path, target: str, fmt: str | None, named: str
) -> None:
    with pytest.raises(GongkaiError) as caught:
        write(gk.examples.seed_report(), tmp_path / target, format=fmt)
    message = str(caught.value)
    assert named in message
    assert ".docx" in message
    assert "markdown" in message
    assert not (tmp_path / target).exists()


def test_a_stream_is_named_by_its_name(tmp_path: Path) -> None:
    with open(tmp_path / "r.md", "wb") as fh:
        write(gk.examples.seed_report(), fh)
    with pytest.raises(GongkaiError, match="no suffix"):
        write(gk.examples.seed_report(), io.BytesIO())
    assert gk.read(tmp_path / "r.md").ok


def test_options_go_to_the_formats_writer() -> None:
    seed = gk.examples.seed_report()
    assert to_bytes(seed, "json", indent=None).count(b"\n") == 1
    assert to_bytes(seed, "markdown", merged="blank") != to_bytes(seed, "markdown")
    with pytest.raises(TypeError):
        to_bytes(seed, "html", merged="blank")


def test_a_report_a_format_cannot_carry_leaves_the_path_untouched(tmp_path: Path) -> None:
    bad = gk.model.replace_path(gk.examples.seed_report(), "problems", "不能\x01写")
    path = tmp_path / "r.docx"
    path.write_bytes(b"before")
    with pytest.raises(ModelError):
        write(bad, path)
    assert path.read_bytes() == b"before"


@settings(max_examples=50, deadline=None)
@given(
    stem=st.text(st.characters(blacklist_characters="/\x00."), min_size=1, max_size=12),
    suffix=st.sampled_from(sorted(WRITE_SUFFIXES)),
    upper=st.lists(st.booleans(), min_size=10, max_size=10),
)
def test_the_format_is_the_suffix_whatever_its_case(stem: str, suffix: str, upper: list[bool]) -> None:
    cased = "".join(ch.upper() if up else ch for ch, up in zip(suffix, upper + [False] * 10, strict=False))
    assert write_format(f"{stem}{cased}") == WRITE_SUFFIXES[suffix]
    assert write_format(f"{stem}{cased}", "json") == "json"


def deeply_nested_json() -> Any:
    """A JSON document nested 200,000 deep, read through the one wrapper."""
    return _reader("json")(b"[" * 200_000)


def test_a_deeply_nested_document_is_a_located_problem_or_the_librarys_error() -> None:
    outcome = assert_contract(run_capped("test_once:deeply_nested_json"))
    assert outcome.report is False
    assert outcome.kind == "error" or all(p["code"] in ("READ_JSON", "READ_LIMIT") for p in outcome.problems)


# --- one plan-to-HTML renderer ----------------------------------------------------------------------


@pytest.mark.parametrize("shape", Shape.all(), ids=str)
def test_every_plan_row_fills_the_width_once(shape: Shape) -> None:
    for plan in plans(shape):
        rows_html = plan_rows_html(plan, lambda lab, spans: f"<th{spans}>x</th>", lambda v, spans: f"<td{spans}>v</td>")
        carried = [0] * (len(rows_html) + plan.width)  # columns still covered by a rowspan from above, by row
        for y, row in enumerate(rows_html):
            width = 0
            for cell in re.findall(r"<t[hd]([^>]*)>", row):
                cols = int(m.group(1)) if (m := re.search(r'colspan="(\d+)"', cell)) else 1
                down = int(m.group(1)) if (m := re.search(r'rowspan="(\d+)"', cell)) else 1
                width += cols
                for below in range(y + 1, y + down):
                    carried[below] += cols
            assert width + carried[y] == plan.width, (plan.table, y, row)
        assert sum(r.count(">v</td>") for r in rows_html) == len(plan.values)


# --- one label index, one fuzzy matcher -----------------------------------------------------------


@pytest.mark.parametrize("shape", Shape.all(), ids=str)
def test_the_label_index_names_every_row_and_column_of_its_shape(shape: Shape) -> None:
    index = label_index(shape)
    assert label_index(shape) is index  # made once per shape
    for r in rows(shape):
        assert r in index.rows[normalize_label(r.label)]
        assert index.row_keys[r.path][normalize_label(r.label)] is True
    for c in layout(shape):
        assert normalize_label(c.column) in index.column_keys[c.path]
        assert index.column_keys[c.path] <= index.headers <= index.words
    assert index.words <= known_labels()


#: Characters a misprint inserts.
NOISE = "的一是不了人我在有他这为之大来以个中上们公开政府信息"
LABELS = sorted({k for s in Shape.all() for k in label_index(s).rows})


@settings(max_examples=200, deadline=None)
@given(
    label=st.sampled_from(LABELS),
    edits=st.lists(
        st.tuples(st.integers(0, 40), st.sampled_from(NOISE)),
        max_size=4,
    ),
    drop=st.integers(0, 40),
)
def test_the_fuzzy_matcher_finds_what_comparing_with_every_label_finds(
    label: str, edits: list[tuple[int, str]], drop: int
) -> None:
    key = list(label)
    for at, ch in edits:
        key.insert(at % (len(key) + 1), ch)
    if key and drop < len(key):
        del key[drop]
    text = "".join(key)
    matcher = FuzzyMatcher([(k, k) for k in LABELS])
    brute = {k: similarity(text, k) for k in LABELS if similarity(text, k) >= FUZZY_CUTOFF}
    assert matcher.scores(text) == brute
    assert close_match(text, LABELS) == (max(brute, key=lambda k: (brute[k], -LABELS.index(k))) if brute else None)
