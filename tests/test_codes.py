"""One issue vocabulary (issue 15, item 5): the code catalogue against the source and the docs, one
severity and one place type, one key scheme, and one verdict equal to today's status and ``ok``."""

from __future__ import annotations

import ast
import json
import re
import typing
from pathlib import Path

import attrs
import cattrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import gongkai_model as gk
from gongkai_model import codes
from gongkai_model.batch import STATUSES, FileResult
from gongkai_model.checks import Finding, registered
from gongkai_model.cli._check import outcome, problem_key
from gongkai_model.errors import Place, Problem, Severity, Verdict, stable_key
from gongkai_model.formats import Imported
from gongkai_model.model.layout import blank_of, shape_of
from gongkai_model.readcheck import CheckedReport

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "gongkai_model"
DOCS = ROOT / "docs"
CASES = ROOT / "tests" / "data" / "cases"

#: What a code looks like: one of the catalogue's prefixes, or one of the checks' four plain names.
CODE = re.compile(
    r"(?:READ|BATCH|T[234]|SERIES|STRUCTURE|TEXT_TABLE|JURISDICTION)_[A-Z0-9_]*[A-Z0-9]|NOT_A_REPORT|VALUE_INVALID|CHECK_FAILED|EDITION_YEAR"
)
#: The page and the area of each generated table.
PAGES = {"read": "importing.md", "batch": "batch.md", "check": "checks.md", "jurisdiction": "jurisdictions.md"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def sources() -> dict[str, str]:
    """The text of every module but the catalogue itself, by dotted name."""
    return {module_name(p): p.read_text(encoding="utf-8") for p in sorted(SRC.rglob("*.py")) if p.name != "codes.py"}


def literal_codes(text: str) -> set[str]:
    """Every string constant of a module that is a whole code (docstrings and messages are not)."""
    return {
        node.value
        for node in ast.walk(ast.parse(text))
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and CODE.fullmatch(node.value)
    }


def test_every_code_in_the_source_is_in_the_catalogue() -> None:
    unknown = {
        (module, code) for module, text in sources().items() for code in literal_codes(text) - set(codes.CATALOGUE)
    }
    assert not unknown, f"add these to gongkai_model/codes.py: {sorted(unknown)}"


def test_every_catalogued_code_is_produced_where_it_says() -> None:
    texts = sources()
    produced = set().union(*(literal_codes(t) for t in texts.values()))
    for code in codes.CATALOGUE.values():
        uses = {m for m, t in texts.items() if re.search(rf"\b{code.code}\b", t)}
        assert code.code in produced or uses, f"{code.code} is produced nowhere"
        missing = [m for m in code.where if m not in uses]
        assert not missing, f"{code.code}: not in {missing}"
        assert code.where, code.code


def test_the_catalogue_is_well_formed() -> None:
    assert len(codes.CATALOGUE) > 60
    for name, code in codes.CATALOGUE.items():
        assert name == code.code
        assert CODE.fullmatch(name)
        assert getattr(codes, name) == name  # its constant
        assert code.area in codes.AREAS
        assert code.area != "read" or name.startswith("READ_")
        assert code.area != "batch" or name.startswith("BATCH_")
        assert code.en
        assert code.zh
        assert "\n" not in code.en + code.zh
        assert re.search(r"[\u4e00-\u9fff]", code.zh), name
        assert (code.severity is None) <= bool(code.severity_note), "a severity that varies says how"
        assert code.area != "check" or code.count
        assert code.area != "read" or code.severity in (None, Severity.ERROR, Severity.WARNING, Severity.INFO)


@pytest.mark.parametrize("area", codes.AREAS)
def test_the_docs_tables_are_generated_from_the_catalogue(area: codes.Area) -> None:
    text = (DOCS / PAGES[area]).read_text(encoding="utf-8")
    block = re.search(rf"<!-- BEGIN codes {area}\b[^>]*-->\n(.*?)<!-- END codes {area} -->", text, re.S)
    assert block is not None, f"docs/{PAGES[area]} has no generated codes table"
    assert block.group(1) == codes.table(area), "run: python -m gongkai_model.codes, paste into " + PAGES[area]


def test_the_docs_name_no_code_the_catalogue_lacks() -> None:
    for page in [*sorted(DOCS.glob("*.md")), ROOT / "README.md", ROOT / "CONTRIBUTING.md"]:
        named = set(re.findall(rf"`\[?({CODE.pattern})\]?`", page.read_text(encoding="utf-8")))
        assert named <= set(codes.CATALOGUE), f"{page.name}: {sorted(named - set(codes.CATALOGUE))}"


def test_every_registered_check_is_catalogued_with_its_severity() -> None:
    checks = {c.code: c for c in registered()}
    catalogued = {c.code for c in codes.CATALOGUE.values() if c.area == "check"}
    assert set(checks) <= catalogued
    assert catalogued - set(checks) == {"NOT_A_REPORT", "VALUE_INVALID", "CHECK_FAILED"}
    for code, check in checks.items():
        assert codes.CATALOGUE[code].severity is check.severity, code


def test_the_table_escapes_a_bar() -> None:
    assert all(line.count(" | ") == 3 for line in codes.table("read").splitlines()[2:])


# One severity type


def test_one_severity_type_everywhere() -> None:
    assert gk.Severity is gk.checks.Severity is Severity
    assert gk.errors.Severity is Severity


@pytest.mark.parametrize("value", ["error", "warning", "info", "inconsistency"])
def test_a_plain_severity_string_is_converted(value: str) -> None:
    problem = Problem("x", "m", severity=value)
    finding = Finding("T4_TOTAL", value, "中", "en")  # type: ignore[arg-type]  # a plain string, as old code passes
    for item in (problem, finding):
        assert item.severity is Severity(value)
        assert item.severity == value
        assert value == item.severity
        assert str(item.severity) == value
        assert f"{item.severity}" == value
        assert f"{item.severity:>13}" == f"{value:>13}"
        assert json.dumps(item.severity) == f'"{value}"'
    assert Problem("x", "m").severity is Severity.ERROR


def test_an_unknown_severity_is_refused() -> None:
    with pytest.raises(ValueError, match="catastrophic"):
        Problem("x", "m", severity="catastrophic")
    with pytest.raises(ValueError, match="bad"):
        Finding("X", "bad", "中", "en")  # type: ignore[arg-type]


def test_the_journal_form_of_a_problem_round_trips() -> None:
    converter = cattrs.Converter()
    problem = Problem.at(Place("a.pdf", page=2), "m", "label", code="READ_PAGE_NO_TEXT", severity="warning")
    data = converter.unstructure(problem)
    assert data["severity"] == "warning"
    assert json.loads(json.dumps(data)) == data
    assert converter.structure(data, Problem) == problem
    assert converter.structure({**data, "severity": "info"}, Problem).severity is Severity.INFO


# One place type, and Problem.at

places = st.builds(
    Place,
    st.text(max_size=8),
    page=st.none() | st.integers(1, 999),
    table=st.none() | st.integers(1, 9),
    row=st.none() | st.integers(1, 99),
    column=st.none() | st.integers(1, 20),
    line=st.none() | st.integers(1, 9999),
    cell=st.none() | st.text(max_size=8),
)


@given(places, st.text(max_size=20), st.none() | st.text(max_size=8), st.sampled_from(list(Severity)))
def test_problem_at_is_the_repeated_constructor(place: Place, message: str, label: str | None, sev: Severity) -> None:
    got = Problem.at(place, message, label, code="READ_LIMIT", severity=sev.value)
    assert got == Problem(str(place), message, label, code="READ_LIMIT", severity=sev, place=place)
    assert Problem.at(None, message, where="表三", code="READ_LIMIT") == Problem("表三", message, code="READ_LIMIT")


def test_a_finding_has_the_same_place_type_and_it_is_no_part_of_its_key() -> None:
    bad = gk.model.replace_path(gk.examples.seed_report(), "table4.reconsideration.upheld", 3)
    finding = gk.validate(bad).issues[0]
    assert finding.place is None  # validate sees the model: the path is the place
    placed = attrs.evolve(finding, place=Place("r.pdf", page=3, table=2, row=5, column=4))
    assert placed.key == finding.key == "T4_TOTAL|四|行政复议|总计|table4.reconsideration.total||"
    assert typing.get_type_hints(Finding)["place"] == typing.get_type_hints(Problem)["place"] == Place | None
    assert typing.get_type_hints(Finding)["severity"] is typing.get_type_hints(Problem)["severity"] is Severity


def test_check_places_a_finding_where_its_cell_was_printed(tmp_path: Path) -> None:
    from gongkai_model.formats import render_text

    bad = gk.model.replace_path(gk.examples.seed_report(), "table4.reconsideration.upheld", 3)
    path = tmp_path / "bad.txt"
    path.write_text(render_text(bad), encoding="utf-8")
    checked = gk.check(path)
    assert checked.validation is not None
    (finding,) = checked.validation.by_code("T4_TOTAL")
    assert finding.place == checked.imported.provenance[finding.path or ""].place
    assert finding.place is not None
    assert finding.place.line is not None
    plain = gk.validate(checked.report)
    assert [attrs.evolve(f, place=None) for f in checked.validation.issues] == list(plain.issues)


# One key scheme


def old_problem_key(problem: Problem) -> str:
    """The CLI's key of a reading problem before the one scheme (baselines on disk hold these)."""
    if problem.place is not None:
        fields = attrs.asdict(problem.place)
        where = ";".join(f"{k}={v}" for k, v in fields.items() if k != "source" and v is not None)
    else:
        where = problem.location
    return f"{problem.code or 'READ'}|{where}|{problem.label or ''}"


@given(
    places | st.none(), st.text(max_size=8), st.none() | st.text(max_size=8), st.none() | st.sampled_from(["READ_X"])
)
def test_a_problem_key_is_what_baselines_hold(
    place: Place | None, where: str, label: str | None, code: str | None
) -> None:
    problem = Problem.at(place, "any message", label, code=code, where=where)
    assert problem.key == problem_key(problem) == old_problem_key(problem)
    assert attrs.evolve(problem, message="reworded").key == problem.key


def old_finding_key(f: Finding) -> str:
    year = "" if f.year is None else str(f.year)
    parts = [f.code, f.table, f.row, f.column, f.path, year, f.section]
    key = "|".join("" if p is None else str(p) for p in parts)
    return key if f.occurrence == 1 else f"{key}#{f.occurrence}"


def test_finding_keys_are_unchanged_over_the_real_cases() -> None:
    for result in checked_cases().values():
        for f in result.validation.issues if result.validation else ():
            assert f.key == old_finding_key(f)
            assert f.key.startswith(stable_key(f.code, f.table))


def test_the_cli_keys_problems_and_findings_in_one_pass(tmp_path: Path) -> None:
    source = str(tmp_path / "a.txt")
    twice = Problem(f"{source}: table 1", "m", code="READ_X")
    imported = Imported(gk.examples.seed_report(), (twice, twice), {}, source)
    bad = gk.model.replace_path(gk.examples.seed_report(), "table4.reconsideration.upheld", 3)
    result = FileResult(source, CheckedReport(imported, gk.validate(bad)))
    keys = outcome(result).keys()
    assert keys[:2] == ["READ_X|table 1|", "READ_X|table 1|#2"]
    assert keys[2:] == [f.key for f in result.findings]
    accepted = outcome(result, frozenset(keys))
    assert accepted.accepted == len(keys)
    assert accepted.status == "ok"


# One verdict


def old_status(result: FileResult) -> str:
    """``FileResult.status`` as it was computed before the one verdict (and the tally: ``empty``, ``unassessed``)."""
    if result.cause is not None:
        return result.cause
    if result.checked.report is None:
        return "unreadable"
    if result.checked.imported.errors:
        return "incomplete"
    if any(f.severity in (Severity.ERROR, Severity.INCONSISTENCY) for f in result.findings):
        return "inconsistent"
    tally = result.tally
    if tally is not None and tally.figures == 0:
        return "empty"
    if tally is not None and tally.not_assessable * 2 > tally.identities:
        return "unassessed"
    warned = any(p.severity == "warning" for p in result.problems) or any(
        f.severity is Severity.WARNING for f in result.findings
    )
    return "warnings" if warned else "ok"


_CHECKED: dict[str, CheckedReport] = {}


def checked_cases() -> dict[str, CheckedReport]:
    """Every real case, read and checked (once per test session), and reports made to break each verdict."""
    if not _CHECKED:
        for path in sorted(CASES.iterdir()):
            if path.suffix != ".md":
                _CHECKED[path.name] = gk.check(path)
        seed = gk.examples.seed_report()
        broken = gk.model.replace_path(seed, "table4.reconsideration.upheld", 3)
        _CHECKED["inconsistent"] = gk.check(gk.dumps(broken).encode(), format="json")
        _CHECKED["incomplete"] = CheckedReport(
            Imported(seed, (Problem("x", "refused", code="READ_VALUE_REFUSED"),), {}, "x"), gk.validate(seed)
        )
        _CHECKED["not validated"] = CheckedReport(Imported(seed, (), {}, "y"), None)
        blank = attrs.evolve(blank_of(shape_of(seed)), agency="某县", year=2023)
        _CHECKED["empty"] = gk.check(gk.dumps(blank).encode())
    return _CHECKED


def test_the_verdict_is_todays_status_and_ok_over_the_real_cases() -> None:
    seen = set()
    for name, checked in checked_cases().items():
        result = FileResult(name, checked)
        assert result.status == old_status(result) == result.verdict == checked.verdict, name
        assert isinstance(result.status, str)
        assert not isinstance(result.status, Verdict)
        assert checked.imported.ok == checked.imported.verdict.clean, name
        assert checked.imported.verdict == ("unreadable" if checked.report is None else checked.imported.verdict)
        if checked.validation is not None:
            assert checked.validation.ok == checked.validation.verdict.clean, name
            assert checked.ok == checked.verdict.clean, name
        else:
            assert not checked.ok
        assert outcome(result).status == result.status, name
        seen.add(result.status)
    assert {"ok", "warnings", "unassessed", "empty", "inconsistent", "incomplete", "unreadable"} <= seen


@pytest.mark.parametrize("cause", ["timeout", "memory", "crashed", "skipped"])
def test_a_cause_is_the_verdict(cause: str) -> None:
    from gongkai_model.batch._result import _failed

    result = FileResult("f", CheckedReport(_failed("f", cause, "why"), None), cause=cause)
    assert result.verdict is Verdict(cause)
    assert result.status == cause == old_status(result)
    assert result.problems[0].code == f"BATCH_{cause.upper()}"
    assert result.problems[0].place == Place("f")


def test_statuses_are_the_verdicts() -> None:
    assert tuple(v.value for v in Verdict) == STATUSES
    assert [v for v in Verdict if v.clean] == [Verdict.OK, Verdict.WARNINGS]


severities = st.lists(st.sampled_from(list(Severity)), max_size=4)


@given(severities, severities, st.booleans())
def test_verdict_of_orders_the_severities(problems: list[Severity], findings: list[Severity], readable: bool) -> None:
    got = Verdict.of(problems, findings, readable=readable)
    strings = Verdict.of([p.value for p in problems], [f.value for f in findings], readable=readable)
    assert got is strings
    if not readable:
        assert got is Verdict.UNREADABLE
    elif Severity.ERROR in problems:
        assert got is Verdict.INCOMPLETE
    elif {Severity.ERROR, Severity.INCONSISTENCY} & set(findings):
        assert got is Verdict.INCONSISTENT
    else:
        assert (got is Verdict.WARNINGS) == (Severity.WARNING in problems + findings)
