"""JSON: round trips, strict loading, versions, the schema."""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gongkai_model as gk
from gongkai_model import jsonio

from strategies import reports

ROOT = Path(__file__).resolve().parents[1]
FROZEN = ROOT / "tests" / "data" / "json"
VALIDATOR = jsonschema.Draft202012Validator(gk.jsonio.json_schema(), format_checker=jsonschema.FormatChecker())


@settings(max_examples=1000)
@given(reports())
def test_loads_inverts_dumps(report: gk.AnnualReport) -> None:
    text = gk.dumps(report)
    assert gk.loads(text) == report
    assert gk.jsonio.from_dict(gk.jsonio.to_dict(report)) == report
    VALIDATOR.validate(json.loads(text))


@settings(max_examples=200)
@given(reports(), st.sampled_from([None, 2]))
def test_output_is_the_same_with_and_without_orjson(report: gk.AnnualReport, indent: int | None) -> None:
    with_orjson = gk.dumps(report, indent=indent)
    saved, jsonio._orjson = jsonio._orjson, None
    try:
        assert gk.dumps(report, indent=indent) == with_orjson
    finally:
        jsonio._orjson = saved


@settings(max_examples=200)
@given(reports())
def test_generated_unstructure_agrees_with_its_thorough_twin(report: gk.AnnualReport) -> None:
    # The twin runs alone under GONGKAI_NO_FAST_PATHS: the same dict, keys in the same order.
    generated = jsonio._unstructurer(gk.AnnualReport, True)(report)
    thorough = jsonio._unstructure_node(report, True)
    assert json.dumps(thorough, ensure_ascii=False) == json.dumps(generated, ensure_ascii=False)


def test_orjson_is_installed_for_the_comparison() -> None:
    assert jsonio._orjson is not None, "install the 'fast' extra (orjson) so both code paths are compared"


def test_document_shape() -> None:
    report = gk.examples.seed_report()
    doc = gk.jsonio.to_dict(report)
    assert list(doc)[:4] == ["schema_version", "edition", "agency", "year"]
    assert doc["schema_version"] == gk.jsonio.SCHEMA_VERSION == 1
    assert doc["edition"] == "2021"
    assert doc["table3"]["subtotal_column"] is False
    assert "legal_person_subtotal" not in doc["table3"]["new_received"]
    assert doc["table2"]["admin_fees"] == {"amount": "0"}
    assert all(k.isascii() for k in _keys(doc))


def _keys(x: Any) -> list[str]:
    if isinstance(x, dict):
        return [k for k, v in x.items() for k in (k, *_keys(v))]
    return []


def test_money_stays_exact_and_blanks_stay_null() -> None:
    report = gk.model.replace_path(gk.examples.seed_report(), "table2.admin_fees.amount", Decimal("59237.2449"))
    report = gk.model.replace_path(report, "table4.reconsideration.total", None)
    doc = json.loads(gk.dumps(report))
    assert doc["table2"]["admin_fees"]["amount"] == "59237.2449"
    assert doc["table4"]["reconsideration"]["total"] is None
    assert gk.loads(gk.dumps(report)) == report


def _doc() -> dict[str, Any]:
    return gk.jsonio.to_dict(gk.examples.seed_report())


@pytest.mark.parametrize(
    ("edit", "path", "message"),
    [
        (lambda d: d["table4"]["reconsideration"].update(upheld=True), "$.table4.reconsideration.upheld", "boolean"),
        (lambda d: d["table4"]["reconsideration"].update(upheld=1.0), "$.table4.reconsideration.upheld", "number 1.0"),
        (lambda d: d["table4"]["reconsideration"].update(upheld="1"), "$.table4.reconsideration.upheld", 'string "1"'),
        (lambda d: d["table4"]["reconsideration"].update(upheld=-1), "$.table4.reconsideration.upheld", "negative"),
        (lambda d: d["table3"]["results"].update(extra=1), "$.table3.results.extra", "unknown key"),
        (lambda d: d["table3"]["results"]["granted"].pop("total"), "$.table3.results.granted.total", "missing key"),
        (lambda d: d["table2"]["admin_fees"].update(amount=1.5), "$.table2.admin_fees.amount", "decimal string"),
        (lambda d: d["table2"]["admin_fees"].update(amount="1e3"), "$.table2.admin_fees.amount", "decimal string"),
        (lambda d: d.update(published="2024-1-5"), "$.published", "YYYY-MM-DD"),
        (lambda d: d.update(agency=1), "$.agency", "string"),
        (lambda d: d.update(year=2023.0), "$.year", "integer"),
        (lambda d: d.update(edition="2020"), "$.edition", '"2019" or "2021"'),
        (lambda d: d.update(edition="2019"), "$.edition", "table2 is in the 2021 format"),
        (lambda d: d["table3"].update(subtotal_column="no"), "$.table3.subtotal_column", "true or false"),
        (lambda d: d["table3"]["results"].update(other={"natural_person": 1}), "$.table3.results.other", "keys of"),
        (lambda d: d.update(overview=[]), "$.overview", "expected an object"),
        # regressions: unhashable values where a label is expected raised a bare TypeError
        (lambda d: d.update(edition={}), "$.edition", '"2019" or "2021"'),
        (lambda d: d.update(edition=["2021"]), "$.edition", '"2019" or "2021"'),
    ],
)
def test_strict_loading_names_the_json_path(edit: Any, path: str, message: str) -> None:
    doc = _doc()
    edit(doc)
    with pytest.raises(gk.errors.JSONError) as info:
        gk.loads(json.dumps(doc, ensure_ascii=False))
    assert isinstance(info.value, gk.GongkaiError)
    locations = {p.location: p.message for p in info.value.problems}
    assert path in locations, locations
    assert message in locations[path]


def test_every_problem_is_reported_at_once_with_labels() -> None:
    doc = _doc()
    doc["table4"]["reconsideration"]["upheld"] = True
    doc["table3"]["results"]["granted"]["natural_person"] = -3
    doc["table2"]["regulations"]["issued"] = "5"
    doc["nope"] = 1
    text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
    text = text.replace('"pending":0', '"pending":0,"pending":0', 1)
    with pytest.raises(gk.errors.JSONError) as info:
        gk.loads(text)
    got = {(p.location, p.label) for p in info.value.problems}
    assert got == {
        ("$.nope", None),
        ("$.table2.regulations.issued", "规章 × 本年制发件数"),
        ("$.table3.results.granted.natural_person", "（一）予以公开 × 自然人"),
        ("$.table4.reconsideration.upheld", "行政复议 × 结果维持"),
        ("$.table4.reconsideration.pending", None),
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Expecting value"),
        ("[1, 2]", "expected an object"),
        ('{"schema_version": 2}', "newer than this gongkai_model reads"),
        ('{"schema_version": 0}', "no such version"),
        ('{"schema_version": "1"}', "integer schema version"),
        ('{"agency": "x"}', "not a gongkai_model report document: it has no \"schema_version\" (its keys: 'agency')"),
        ("{}", "its keys: none"),
        ("[" * 100_000, "nested deeper than 64 levels"),
        (b"\xff\xfe", "invalid JSON"),
    ],
)
def test_bad_documents_fail_with_the_library_error(text: str | bytes, message: str) -> None:
    with pytest.raises(gk.errors.JSONError) as info:
        gk.loads(text)
    assert message in str(info.value)


@pytest.mark.parametrize("path", sorted((FROZEN / "v1").glob("*.json")), ids=lambda p: p.name)
def test_frozen_documents_of_every_released_version_still_load(path: Path) -> None:
    report = gk.loads(path.read_text(encoding="utf-8"))
    assert gk.dumps(report, indent=2) + "\n" == path.read_text(encoding="utf-8")  # the current version is v1
    VALIDATOR.validate(json.loads(path.read_text(encoding="utf-8")))


def test_frozen_documents_cover_every_shape() -> None:
    shapes = {gk.model.shape_of(gk.loads(p.read_text(encoding="utf-8"))) for p in (FROZEN / "v1").glob("*.json")}
    assert {(s.edition.value, s.single_other_row, s.subtotal_column) for s in shapes} == {
        ("2021", False, False),
        ("2019", True, False),
        ("2021", True, True),
    }
    assert gk.loads((FROZEN / "v1" / "seed-xicheng-xinfang-2023.json").read_text("utf-8")) == gk.examples.seed_report()


def test_schema_is_generated_shipped_and_published() -> None:
    schema = gk.jsonio.json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    text = json.dumps(schema, ensure_ascii=False, indent=2) + "\n"
    shipped = ROOT / "src" / "gongkai_model" / "schema" / "report-v1.schema.json"
    assert shipped.read_text(encoding="utf-8") == text, "regenerate: python -m gongkai_model schema"
    assert (ROOT / "docs" / "schema" / "report-v1.schema.json").read_text(encoding="utf-8") == text
    props = schema["$defs"]["ApplicantCounts"]["properties"]
    assert props["natural_person"]["title"] == "自然人"
    assert schema["properties"]["table4"]["title"] == "政府信息公开行政复议、行政诉讼情况"


def test_schema_refuses_what_loads_refuses() -> None:
    for edit in (
        lambda d: d["table4"]["reconsideration"].update(upheld=-1),
        lambda d: d["table3"]["results"].update(extra=1),
        lambda d: d["table2"]["admin_fees"].update(amount=1.5),
        lambda d: d["table3"]["new_received"].update(legal_person_subtotal=1),
    ):
        doc = _doc()
        edit(doc)
        assert not VALIDATOR.is_valid(doc)
        with pytest.raises(gk.errors.JSONError):
            gk.jsonio.from_dict(doc)


def test_dumps_refuses_other_indents() -> None:
    with pytest.raises(gk.GongkaiError):
        gk.dumps(gk.examples.seed_report(), indent=4)


def test_the_converter_is_our_own() -> None:
    import cattrs

    assert jsonio.converter is not cattrs.global_converter
    report = gk.examples.seed_report()
    assert jsonio.converter.unstructure(report) == gk.jsonio.to_dict(report)
    assert jsonio.converter.structure(gk.jsonio.to_dict(report), gk.AnnualReport) == report


JSON_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=5),
    st.sampled_from(["12.5", "0", "2024-01-05", "1e3", "元"]),
    # a fresh object each draw: the tests write into the documents they draw into, and one shared object
    # (st.just) was once put inside itself, and carried edits from one example into the next
    st.builds(dict),
    st.builds(list),
    st.builds(lambda: {"value": "1", "unit": "元"}),
)


def _leaf_paths(x: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    if isinstance(x, dict):
        return [p for k, v in x.items() for p in ((*prefix, k), *_leaf_paths(v, (*prefix, k)))]
    return []


@settings(max_examples=500)
@given(reports(), st.data())
def test_fast_path_agrees_with_the_thorough_path(report: gk.AnnualReport, data: st.DataObject) -> None:
    doc = gk.jsonio.to_dict(report)
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(_leaf_paths(doc)))
        target = doc
        for key in path[:-1]:
            target = target[key]
        if data.draw(st.booleans()):
            target[path[-1]] = data.draw(JSON_VALUES)
        else:
            del target[path[-1]]
    text = json.dumps(doc, ensure_ascii=False)
    try:
        thorough: Any = jsonio._from_dict(json.loads(text, object_pairs_hook=jsonio._pairs), fast=False)
    except gk.errors.JSONError as exc:
        thorough = exc.problems
    except Exception as exc:  # the thorough path must never fail otherwise
        raise AssertionError(f"unexpected {exc!r}") from exc
    for parse in (text, gk.dumps(report) if thorough == report else text):
        try:
            got: Any = gk.loads(parse)
        except gk.errors.JSONError as exc:
            got = exc.problems
        assert got == thorough


def test_amount_unit_of_the_wrong_type_is_a_located_problem() -> None:
    # Regression: an object as the unit raised a bare TypeError (unhashable) instead of JSONError.
    doc = gk.jsonio.to_dict(gk.AnnualReport.blank(agency="x", year=2019))
    doc["table2"]["procurement"]["amount"] = {"value": "1", "unit": {}}
    with pytest.raises(gk.errors.JSONError) as info:
        gk.jsonio.from_dict(doc)
    assert [p.location for p in info.value.problems] == ["$.table2.procurement.amount.unit"]


def _written(x: Any, repeat: tuple[str, ...] | None, extra: Any) -> str:
    """``x`` as compact JSON, with the last key of the object at ``repeat`` written twice (first with ``extra``)."""
    if isinstance(x, dict):
        items = [f"{json.dumps(k)}:{_written(v, _under(repeat, k), extra)}" for k, v in x.items()]
        if repeat == () and x:
            last = list(x)[-1]
            items.insert(len(items) - 1, f"{json.dumps(last)}:{json.dumps(extra, ensure_ascii=False)}")
        return "{" + ",".join(items) + "}"
    return json.dumps(x, ensure_ascii=False)


def _under(path: tuple[str, ...] | None, key: str) -> tuple[str, ...] | None:
    return path[1:] if path and path[0] == key else None


def _object_paths(x: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    if isinstance(x, dict):
        return [prefix, *(p for k, v in x.items() for p in _object_paths(v, (*prefix, k)))]
    return []


@settings(max_examples=150)
@given(
    reports(),
    st.data(),
    st.sampled_from([None, "a:b", "机关：", ":", '":"', '","agency":"x', "10:00 的会议"]),
)
def test_fast_loads_never_trusts_a_repeated_key(report: gk.AnnualReport, data: st.DataObject, text: Any) -> None:
    # The fast path proves that no key was repeated (colons counted against the keys, else a second
    # parse written back byte for byte); whatever the text holds, it agrees with the thorough path.
    doc = gk.jsonio.to_dict(report)
    if text is not None:
        doc["agency"] = text
    repeat = data.draw(st.sampled_from([None, *_object_paths(doc)]))
    raw = _written(doc, repeat, data.draw(JSON_VALUES))
    try:
        thorough: Any = jsonio._from_dict(json.loads(raw, object_pairs_hook=jsonio._pairs), fast=False)
    except gk.errors.JSONError as exc:
        thorough = exc.problems
    for parse in (raw, raw.encode()):
        try:
            got: Any = gk.loads(parse)
        except gk.errors.JSONError as exc:
            got = exc.problems
        assert got == thorough
    if repeat is not None:
        assert not isinstance(thorough, gk.AnnualReport), "a repeated key is always refused"


def _texts(node: Any) -> list[str]:
    out = []
    for info in gk.model.field_specs(type(node)):
        value = getattr(node, info.name)
        if isinstance(value, str):
            out.append(value)
        elif isinstance(value, gk.model.Node):
            out.extend(_texts(value))
    return out


def test_loaded_texts_keep_no_utf8_copy() -> None:
    # Regression: proving that no key was repeated by writing the parsed document back made CPython
    # cache a UTF-8 copy of every non-ASCII string, kept alive by the report (6 KB for the seed).
    for text in (gk.dumps(gk.examples.seed_report()), gk.dumps(gk.examples.seed_report()).replace("。", "：:")):
        report = gk.loads(text)
        texts = _texts(report)
        assert any(not t.isascii() for t in texts)
        for t in texts:
            fresh = t.encode("utf-8", "surrogatepass").decode("utf-8", "surrogatepass")  # a copy with no cache
            assert sys.getsizeof(t) == sys.getsizeof(fresh)


def test_loads_many_gives_what_loads_gives_and_restores_the_collector() -> None:
    import gc

    good = [gk.dumps(r) for r in (gk.examples.seed_report(), gk.AnnualReport.blank(agency="x", year=2019))]
    texts: list[str | bytes] = [good[0], "{", good[1].encode(), '{"schema_version": 1}', good[0]]
    expected: list[Any] = []
    for text in texts:
        try:
            expected.append(gk.loads(text))
        except gk.errors.JSONError as exc:
            expected.append(exc.problems)
    assert gc.isenabled()
    got = jsonio.loads_many(iter(texts))
    assert gc.isenabled()
    assert [x.problems if isinstance(x, gk.errors.JSONError) else x for x in got] == expected
    assert all(x.__traceback__ is None for x in got if isinstance(x, gk.errors.JSONError))
    gc.disable()
    try:
        jsonio.loads_many(texts[:1])
        assert not gc.isenabled()  # left as it was
    finally:
        gc.enable()
