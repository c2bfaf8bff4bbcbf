"""Hostile JSON: every input refused quickly, in bounded memory, with JSONError naming the place.

Each case here was a foreign exception, a blow-up or a wrong acceptance before (issue 8).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import threading
import tracemalloc
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gongkai_model as gk
from gongkai_model import jsonio
from gongkai_model.limits import Limits

from strategies import reports

VALIDATOR = jsonschema.Draft202012Validator(gk.jsonio.json_schema(), format_checker=jsonschema.FormatChecker())


def _doc() -> dict[str, Any]:
    return gk.jsonio.to_dict(gk.examples.seed_report())


def _compact(doc: Any) -> str:
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"))


def _with_year(raw: str) -> str:
    """The seed document with the raw JSON text ``raw`` where the year (a scalar) belongs."""
    text = _compact(_doc())
    assert '"year":2023' in text
    return text.replace('"year":2023', f'"year":{raw}', 1)


def _problems(call: Callable[[], Any]) -> dict[str, str]:
    with pytest.raises(gk.errors.JSONError) as info:
        call()
    assert info.value.problems
    str(info.value)  # the message itself can be built
    return {p.location: p.message for p in info.value.problems}


@pytest.fixture(params=["orjson", "standard library"])
def parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test with and without orjson: both parsers give the same answer."""
    if request.param == "standard library":
        monkeypatch.setattr(jsonio, "_orjson", None)
    return str(request.param)


@pytest.fixture
def peak() -> Iterator[Callable[[], int]]:
    """The peak of memory allocated (bytes) since the test started, by tracemalloc."""
    tracemalloc.start()
    try:
        yield lambda: tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


# --- nesting ---------------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [990, 100_000])
@pytest.mark.parametrize("as_bytes", [False, True])
def test_arrays_nested_where_a_scalar_belongs_are_refused_with_their_path(
    depth: int, as_bytes: bool, parser: str, peak: Callable[[], int]
) -> None:
    # Regression: RecursionError (describing the value for the message) at about 990 levels.
    text = _with_year("[" * depth + "]" * depth)
    problems = _problems(lambda: gk.loads(text.encode() if as_bytes else text))
    assert list(problems) == ["$.year[0][0][0][0][0]…(54 levels)…[0][0][0][0]"]
    assert "nested deeper than 64 levels" in problems["$.year[0][0][0][0][0]…(54 levels)…[0][0][0][0]"]
    assert peak() < 20 * len(text) + 2_000_000


def test_objects_nested_deep_name_their_keys() -> None:
    text = '{"a":' * 70 + "1" + "}" * 70
    problems = _problems(lambda: gk.loads(text, limits=Limits(max_depth=8)))
    assert list(problems) == ["$.a.a.a.a.a.a.a.a"]


def test_nesting_inside_strings_and_escapes_does_not_count() -> None:
    doc = _doc()
    doc["agency"] = '[[[[{{{{\\"' * 50 + "]"
    report = gk.loads(_compact(doc).replace(":", ": "))  # not orjson's own layout: the scan runs
    assert report.agency == doc["agency"]


def test_a_short_limit_on_depth_refuses_even_a_valid_report(parser: str) -> None:
    text = gk.dumps(gk.examples.seed_report())
    problems = _problems(lambda: gk.loads(text, limits=Limits(max_depth=3)))
    assert list(problems) == ["$.table3.results.granted"]
    assert gk.loads(text, limits=Limits(max_depth=jsonio._REPORT_DEPTH)) == gk.examples.seed_report()


def test_python_values_nested_deep_are_described_without_recursion() -> None:
    deep: list[Any] = []
    for _ in range(100_000):
        deep = [deep]
    doc = _doc()
    doc["year"] = deep
    problems = _problems(lambda: gk.jsonio.from_dict(doc))
    assert problems["$.year"] == "expected a JSON integer or null, got an array " + "[" * 37 + "..."
    cyclic: list[Any] = []
    cyclic.append(cyclic)
    doc["year"] = cyclic
    assert "an array [[[[" in _problems(lambda: gk.jsonio.from_dict(doc))["$.year"]


# --- size and number of keys -----------------------------------------------------------------


def test_eight_million_keys_are_refused_before_they_are_built() -> None:
    # Regression: 2.3 GB for 8 million unknown keys.  8 million short keys fit in the size limit, so
    # the keys are counted before anything is parsed.
    text = b'{"schema_version":1,' + b'"k":0,' * 8_000_000 + b'"z":0}'
    assert len(text) < Limits().max_file_bytes
    tracemalloc.start()
    try:
        problems = _problems(lambda: gk.loads(text))
        assert tracemalloc.get_traced_memory()[1] < 4 * len(text)  # a few copies of the text, never 8 million keys
    finally:
        tracemalloc.stop()
    assert problems == {"$": "more than 100000 keys and array items (limits.max_keys)"}


def test_unique_unknown_keys_are_refused_by_their_number(parser: str) -> None:
    text = '{"schema_version":1,' + "".join(f'"k{i}":0,' for i in range(100_001)) + '"z":0}'
    assert _problems(lambda: gk.loads(text)) == {"$": "more than 100000 keys and array items (limits.max_keys)"}
    # ... and what is over the size limit is refused by its size alone (8 million unique keys are).
    assert "limits.max_file_bytes" in str(_problems(lambda: gk.loads(text, limits=Limits(max_file_bytes=10**6))))


@pytest.mark.parametrize(
    "raw", ["[" + "0," * 200_000 + "0]", "[" + "[]," * 200_000 + "[]]", "[" + '"",' * 200_000 + '""]'], ids=len
)
def test_arrays_of_too_many_items_are_refused(raw: str, parser: str) -> None:
    problems = _problems(lambda: gk.loads(_with_year(raw)))
    assert problems == {"$": "more than 100000 keys and array items (limits.max_keys)"}


def test_limits_on_keys_and_size_are_the_callers(parser: str) -> None:
    text = gk.dumps(gk.examples.seed_report())
    keys = text.count(":")
    assert gk.loads(text, limits=Limits(max_keys=keys)) == gk.examples.seed_report()
    assert "limits.max_keys" in str(_problems(lambda: gk.loads(text, limits=Limits(max_keys=keys - 1))))
    size = len(text.encode())
    assert gk.loads(text, limits=Limits(max_file_bytes=size)) == gk.examples.seed_report()
    problems = _problems(lambda: gk.loads(text, limits=Limits(max_file_bytes=size - 1)))
    assert problems == {"$": f"{size} bytes; the limit is {size - 1} (limits.max_file_bytes)"}


def test_an_unclosed_string_of_escaped_quotes_is_scanned_in_linear_memory(peak: Callable[[], int]) -> None:
    text = '{"schema_version":1,"agency":"' + '\\"' * 2_000_000
    start = peak()
    assert "Unterminated string" in str(_problems(lambda: gk.loads(text)))
    assert peak() - start < 10 * len(text)


# --- Python values that JSON does not have ---------------------------------------------------


class _Hostile:
    def __repr__(self) -> str:
        raise RuntimeError("never called")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({1, 2}, "expected a JSON integer or null, got a Python set (not a JSON value)"),
        (b"2023", "expected a JSON integer or null, got a Python bytes (not a JSON value)"),
        (_Hostile(), "expected a JSON integer or null, got a Python _Hostile (not a JSON value)"),
        (float("nan"), "expected a JSON integer or null, got a number NaN"),
        (float("inf"), "expected a JSON integer or null, got a number Infinity"),
        (Decimal("2023"), "expected a JSON integer or null, got Decimal 2023"),
        (dt.date(2023, 1, 1), "expected a JSON integer or null, got date 2023-01-01"),
        ((2023,), "expected a JSON integer or null, got tuple [2023]"),
        ([{1, 2}, b"x"], "expected a JSON integer or null, got an array [<set>, <bytes>]"),
        ([10**5000], f"expected a JSON integer or null, got an array [<an integer of more than {4300} digits>]"),
        ("\ud800", 'expected a JSON integer or null, got a string "\\ud800"'),
    ],
    ids=lambda v: None if isinstance(v, str) else type(v).__name__,
)
def test_non_json_python_values_are_located_problems(value: Any, message: str) -> None:
    # Regression: TypeError "Object of type set is not JSON serializable" (and the like).
    doc = _doc()
    doc["year"] = value
    assert _problems(lambda: gk.jsonio.from_dict(doc)) == {"$.year": message}


@pytest.mark.parametrize(
    ("key", "location"),
    [
        ((1, 2), "$.table4.<tuple [1, 2]>"),
        (b"k", "$.table4.<a Python bytes (not a JSON value)>"),
        (3, "$.table4.<an integer 3>"),
    ],
)
def test_keys_that_are_not_strings_are_located_problems(key: Any, location: str) -> None:
    doc = _doc()
    doc["table4"][key] = 1
    doc["table3"]["results"][frozenset()] = {1}
    problems = _problems(lambda: gk.jsonio.from_dict(doc))
    assert problems[location] == "a key must be a string"
    assert problems["$.table3.results.<a Python frozenset (not a JSON value)>"] == "a key must be a string"


def test_problems_are_kept_within_the_limit_and_the_rest_counted() -> None:
    doc = _doc()
    doc.update({f"extra{i}": i for i in range(50_000)})
    with pytest.raises(gk.errors.JSONError) as info:
        gk.jsonio.from_dict(doc, limits=Limits(max_problems=10))
    assert len(info.value.problems) == 11
    assert str(info.value.problems[-1]) == "$: … and 49990 more problems (limits.max_problems)"
    assert len(str(info.value)) < 2_000


def test_long_keys_are_shortened_in_paths() -> None:
    doc = _doc()
    doc["k" * 1_000_000] = 1
    (location,) = _problems(lambda: gk.jsonio.from_dict(doc))
    assert location == "$." + "k" * 77 + "..."


# --- integers longer than Python converts to text --------------------------------------------


@pytest.mark.parametrize("sign", ["", "-"])
def test_a_5000_digit_number_in_text_is_a_located_problem(sign: str, parser: str) -> None:
    # Regression: the message itself failed ("Exceeds the limit (4300 digits) for integer string conversion").
    number = sign + "9" * 5000
    text = _with_year(number).replace('"agency":', f'"unknown":{number},"agency":', 1)
    problems = _problems(lambda: gk.loads(text))
    assert problems == {"$.year": "an integer of more than 4300 digits is not read", "$.unknown": "unknown key"}
    assert _problems(lambda: gk.loads(text.replace('"schema_version":1', f'"schema_version":{number}'))) == {
        "$.schema_version": "expected an integer schema version, got an integer of more than 4300 digits"
    }


@pytest.mark.parametrize("value", [10**5000, -(10**5000), 10**4300], ids=["1e5000", "-1e5000", "1e4300"])
@pytest.mark.parametrize(
    "path", [("year",), ("table3", "results", "granted", "natural_person"), ("table2", "regulations", "made")]
)
def test_a_5000_digit_int_in_a_dict_is_a_located_problem(value: int, path: tuple[str, ...]) -> None:
    doc = gk.jsonio.to_dict(gk.AnnualReport.blank(agency="x", year=2019))
    target = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    problems = _problems(lambda: gk.jsonio.from_dict(doc))
    assert problems == {"$." + ".".join(path): "an integer of more than 4300 digits is not read"}
    assert (
        "more than 4300 digits"
        in _problems(lambda: gk.jsonio.from_dict({**doc, "schema_version": value}))["$.schema_version"]
    )


def test_the_longest_integer_read_is_read() -> None:
    doc = gk.jsonio.to_dict(gk.AnnualReport.blank(agency="x", year=2019))
    doc["table4"]["reconsideration"]["upheld"] = 10**4300 - 1
    report = gk.jsonio.from_dict(doc)
    assert gk.loads(gk.dumps(report)) == report


def test_dumps_refuses_an_integer_too_long_to_write() -> None:
    report = gk.model.replace_path(gk.examples.seed_report(), "table4.reconsideration.upheld", 10**5000)
    problems = _problems(lambda: gk.dumps(report))
    assert problems == {"$.table4.reconsideration.upheld": "an integer of more than 4300 digits cannot be written"}


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_not_json(constant: str) -> None:
    assert _problems(lambda: gk.loads(_with_year(constant))) == {"$": f"{constant} is not a JSON value"}


# --- dates and money as the schema says ------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["2024-W01-1", "2024-001", "20240101", "2024-01-01\n", "２０２４-01-01", "2024-1-01", "2024-01-01T00:00:00"],
)
def test_only_yyyy_mm_dd_dates_are_read(value: str, parser: str) -> None:
    # Regression: date.fromisoformat accepted the ISO week date 2024-W01-1 that the schema forbids.
    doc = _doc()
    doc["published"] = value
    assert not VALIDATOR.is_valid(doc)
    for text in (
        _compact(doc),
        gk.dumps(gk.examples.seed_report()).replace('"published":null', _compact({"published": value})[1:-1]),
    ):
        problems = _problems(lambda text=text: gk.loads(text))
        assert problems == {
            "$.published": f"expected a date 'YYYY-MM-DD', got a string {json.dumps(value, ensure_ascii=False)}"
        }
    assert "$.published" in _problems(lambda: gk.jsonio.from_dict(doc))


@pytest.mark.parametrize("value", ["1\n", "01", "1.", ".5", "１", "1e3", " 1"])
def test_money_is_read_only_as_the_schema_says(value: str) -> None:
    doc = _doc()
    doc["table2"]["admin_fees"]["amount"] = value
    # The schema's pattern ends in "$", which in JSON Schema (ECMA-262) never matches before a final
    # newline; Python's re (and so the jsonschema package) does, so "1\n" is not checked there.
    assert value == "1\n" or not VALIDATOR.is_valid(doc)
    assert list(_problems(lambda: gk.jsonio.from_dict(doc))) == ["$.table2.admin_fees.amount"]
    assert list(_problems(lambda: gk.loads(_compact(doc)))) == ["$.table2.admin_fees.amount"]


def test_an_amount_without_a_value_is_refused_and_zeros_keep_their_places() -> None:
    # Regression: the fast path read {"value": null} as 0 and "0.00" as "0".
    doc = gk.jsonio.to_dict(gk.AnnualReport.blank(agency="x", year=2019))
    doc["table2"]["procurement"]["amount"] = {"value": None, "unit": "元"}
    assert list(_problems(lambda: gk.jsonio.from_dict(doc))) == ["$.table2.procurement.amount.value"]
    doc["table2"]["procurement"]["amount"] = {"value": "0.00", "unit": "元"}
    assert '"value":"0.00"' in gk.dumps(gk.jsonio.from_dict(doc))


# --- load: files and streams -----------------------------------------------------------------


def _finishes(call: Callable[[], Any], seconds: float = 20) -> Any:
    """The outcome of ``call`` run in a thread (a hang fails the test instead of blocking it)."""
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append(call())
        except BaseException as exc:  # handed to the test
            outcome.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert outcome, f"still running after {seconds} s"
    return outcome[0]


def test_load_reads_paths_and_binary_streams(tmp_path: Path) -> None:
    report = gk.examples.seed_report()
    path = tmp_path / "report.json"
    path.write_text(gk.dumps(report, indent=2), encoding="utf-8")
    assert gk.jsonio.load(path) == report
    assert gk.jsonio.load(str(path)) == report
    with path.open("rb") as fh:
        assert gk.jsonio.load(fh) == report
    assert gk.jsonio.load(io.BytesIO(path.read_bytes())) == report


def test_load_names_the_file_in_its_errors(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(_with_year('"2023"'), encoding="utf-8")
    with pytest.raises(gk.errors.JSONError) as info:
        gk.jsonio.load(path)
    assert str(info.value).splitlines()[0] == f"invalid report document in {path}"
    assert [p.location for p in info.value.problems] == ["$.year"]


def test_load_refuses_a_fifo_without_blocking(tmp_path: Path) -> None:
    # Regression (issue 8): reading a FIFO blocked forever.
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    outcome = _finishes(lambda: gk.jsonio.load(fifo))
    assert isinstance(outcome, gk.errors.JSONError)
    assert [str(p) for p in outcome.problems] == [f"{fifo}: is not a regular file"]


def test_load_refuses_dev_zero_promptly(peak: Callable[[], int]) -> None:
    # Regression (issue 8): /dev/zero was read until memory ran out.
    outcome = _finishes(lambda: gk.jsonio.load("/dev/zero"))
    assert isinstance(outcome, gk.errors.JSONError)
    assert [str(p) for p in outcome.problems] == ["/dev/zero: is not a regular file"]
    with open("/dev/zero", "rb") as stream:  # an endless stream: read within the limit, then refused
        outcome = _finishes(lambda: gk.jsonio.load(stream, limits=Limits(max_file_bytes=1_000_000)))
    assert isinstance(outcome, gk.errors.JSONError)
    assert "more than 1000000 bytes" in str(outcome)
    assert peak() < 5_000_000


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (lambda tmp: tmp, "is not a regular file"),
        (lambda tmp: tmp / "missing.json", "No such file or directory"),
        (lambda tmp: io.StringIO("{}"), "the stream must give bytes"),
        (lambda tmp: 12, "expected a path, bytes or a binary stream, got int"),
    ],
    ids=["folder", "missing", "text stream", "int"],
)
def test_load_refuses_what_is_not_a_readable_file(tmp_path: Path, source: Any, message: str) -> None:
    with pytest.raises(gk.errors.JSONError, match=message):
        gk.jsonio.load(source(tmp_path))


@pytest.mark.parametrize("text", [None, {}, 12, ["{}"]], ids=lambda v: type(v).__name__)
def test_loads_refuses_what_is_not_text(text: Any) -> None:
    assert _problems(lambda: gk.loads(text)) == {"$": f"expected JSON text (str or bytes), got {type(text).__name__}"}


def test_text_too_large_is_measured_in_utf8_bytes() -> None:
    text = gk.dumps(gk.examples.seed_report())
    size = len(text.encode())
    assert size > len(text)  # Chinese text: 3 bytes a character
    problems = _problems(lambda: gk.loads(text, limits=Limits(max_file_bytes=len(text))))
    assert problems == {"$": f"{size} bytes; the limit is {len(text)} (limits.max_file_bytes)"}


# --- the fast paths agree with the thorough path on hostile values ---------------------------

HOSTILE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 10**6),
    st.sampled_from([10**4300 - 1, 10**4300, -(10**5000), 2**64, -(2**63) - 1]),
    st.floats(),
    st.text(max_size=5),
    st.sampled_from(["2024-W01-1", "2024-001", "2024-01-01\n", "２０２４-01-01", "2024-02-30", "2024-01-01"]),
    st.sampled_from(["0.00", "1\n", "01", "12.5", "0", "1e3", "元", "万元"]),
    st.sampled_from([{1}, b"x", (1,), frozenset(), Decimal("1"), dt.date(2024, 1, 1), object()]),
    st.just({}),
    st.just([]),
    st.just([[[[[]]]]]),
    st.sampled_from([{"value": None, "unit": "元"}, {"value": "0.00", "unit": None}, {"value": "1", "unit": {}}]),
)


def _leaf_paths(x: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    if isinstance(x, dict):
        return [p for k, v in x.items() for p in ((*prefix, k), *_leaf_paths(v, (*prefix, k)))]
    return []


def _outcome(call: Callable[[], gk.AnnualReport]) -> Any:
    """A report as its JSON text (so that "0.00" and "0" differ), or the problems."""
    try:
        return gk.dumps(call())
    except gk.errors.JSONError as exc:
        return exc.problems


@settings(max_examples=60)
@given(reports(), st.data())
def test_fast_paths_agree_with_the_thorough_path_on_hostile_values(
    report: gk.AnnualReport, data: st.DataObject
) -> None:
    doc = gk.jsonio.to_dict(report)
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(_leaf_paths(doc)))
        target = doc
        for key in path[:-1]:
            target = target[key]
        if data.draw(st.booleans()):
            target[path[-1]] = data.draw(HOSTILE)
        else:
            del target[path[-1]]
    thorough = _outcome(lambda: jsonio._from_dict(doc, fast=False))
    assert _outcome(lambda: gk.jsonio.from_dict(doc)) == thorough
    try:
        text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
    except (TypeError, ValueError):  # not JSON (a set, a long integer): from_dict only
        return
    with_orjson = _outcome(lambda: gk.loads(text))
    saved, jsonio._orjson = jsonio._orjson, None
    try:
        assert _outcome(lambda: gk.loads(text)) == with_orjson
    finally:
        jsonio._orjson = saved
    if not isinstance(with_orjson, str):
        return
    assert VALIDATOR.is_valid(json.loads(text)), "loads accepted what the schema refuses"
