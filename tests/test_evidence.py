"""Evidence in the ranking of repair suggestions: the report's own text, and its previous and next years."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gongkai_model as gk
from gongkai_model.checks import Evidence, Severity, Suggestion, validate, validate_series
from gongkai_model.checks._analysis import TOPICS, TextAnalysis
from gongkai_model.cli import main
from gongkai_model.model import AnnualReport, ApplicantCounts, Shape, field_specs, get_path, layout, replace_path
from gongkai_model.notebook import suggestions_html

from strategies import consistent_reports, shapes

SENTENCE = "本年度共收到政府信息公开申请1件，因需征求第三方意见，结转下年度办理。"
DOUBLE = (
    "table3.results.other.other.natural_person",
    "table3.results.other.other.total",
    "table3.results.total.natural_person",
    "table3.results.total.total",
)


# Series consistent across years --------------------------------------------------------------------------


def _rows(a: ApplicantCounts, b: ApplicantCounts, sign: int = 1) -> ApplicantCounts:
    """``a + sign * b``, cell by cell (a blank stays blank)."""
    out = {}
    for info in field_specs(ApplicantCounts):
        x, y = getattr(a, info.name), getattr(b, info.name)
        out[info.name] = None if x is None and y is None else (x or 0) + sign * (y or 0)
    return ApplicantCounts(**out)


def _zero(a: ApplicantCounts) -> ApplicantCounts:
    return _rows(a, a, -1)


def _around(this: AnnualReport, before: AnnualReport, after: AnnualReport) -> tuple[AnnualReport, AnnualReport]:
    """``before`` and ``after`` made the years around ``this``: 四 of one year is 二 of the next, each consistent."""
    t3 = before.table3
    forward = this.table3.carried_over  # last year carried forward what this year carried over
    previous = attrs.evolve(
        before,
        year=this.year - 1,  # type: ignore[operator]
        table3=attrs.evolve(
            t3,
            carried_over=_zero(t3.carried_over),
            carried_forward=forward,
            new_received=_rows(t3.results.total, forward),
        ),
    )
    t3 = after.table3
    over = this.table3.carried_forward  # next year carries over what this year carried forward
    following = attrs.evolve(
        after,
        year=this.year + 1,  # type: ignore[operator]
        table3=attrs.evolve(t3, carried_over=over, carried_forward=over, new_received=t3.results.total),
    )
    return previous, following


def _series(shape: Shape) -> st.SearchStrategy[tuple[AnnualReport, AnnualReport, AnnualReport]]:
    return st.tuples(consistent_reports(shape), consistent_reports(shape), consistent_reports(shape)).map(
        lambda t: (*_around(t[1], t[0], t[2]), t[1])
    )


def _carried_paths(report: AnnualReport) -> list[str]:
    """The cells of 表三 二 and 四: those the cross-year identities are about."""
    rows = ("table3.carried_over.", "table3.carried_forward.")
    return [c.path for c in layout(gk.model.shape_of(report)) if c.path.startswith(rows) and c.get(report) is not None]


def _standing(s: Suggestion) -> tuple[int, int]:
    return (-s.score, s.printed)


@settings(max_examples=40, deadline=None)
@given(shapes.flatmap(lambda s: st.tuples(st.just(s), _series(s))), st.data())
def test_neighbouring_years_put_the_true_repair_first(pair: tuple[Shape, Any], data: Any) -> None:
    _, (previous, following, report) = pair
    for r in (previous, report, following):  # each year consistent in itself
        assert not [f for f in validate(r, suggestions=False).issues if f.severity is Severity.INCONSISTENCY]
    assert not validate_series([previous, report, following]).by_code("SERIES_CARRY_OVER")  # and across years
    path = data.draw(st.sampled_from(_carried_paths(report)), label="cell")
    truth = get_path(report, path)
    wrong = data.draw(st.integers(0, 60).filter(lambda v: v != truth), label="wrong")
    bad = replace_path(report, path, wrong)

    weighed = validate(bad, previous=previous, next=following)
    first = weighed.suggestions[0]
    assert first.rank == 1
    assert (path, truth) in {(c.path, c.proposed) for c in first.changes}
    assert any(e.kind == "series" and e.stance == "for" and e.path == path for e in first.evidence)
    assert not [f for f in validate(weighed.apply(bad, first)).issues if f.severity is Severity.INCONSISTENCY]

    # Without the neighbours the ranking is as today: by identities restored, then figures changed, ties shared.
    plain = validate(bad)
    assert validate(bad, previous=None, next=None).suggestions == plain.suggestions
    assert all(not s.evidence for s in plain.suggestions)  # the generated reports have no text
    for a, b in zip(plain.suggestions, plain.suggestions[1:], strict=False):
        assert _standing(a) <= _standing(b)
        assert (b.rank == a.rank) == (_standing(a) == _standing(b))
        assert b.rank in (a.rank, a.rank + 1)
    # The neighbours reorder the same suggestions, they add none and remove none.
    assert {s.changes for s in weighed.suggestions} == {s.changes for s in plain.suggestions}


def test_a_neighbour_of_another_year_is_no_evidence() -> None:
    report, nxt = _double_counted(), _next_year()
    far = attrs.evolve(nxt, year=(report.year or 0) + 2)
    assert validate(report, next=far).suggestions == validate(report).suggestions


# One application counted twice -------------------------------------------------------------------------------


def _blank_table3(report: AnnualReport) -> AnnualReport:
    for c in layout(gk.model.shape_of(report)):
        if c.table == "三":
            report = replace_path(report, c.path, 0)
    return report


def _double_counted(text: str | None = SENTENCE) -> AnnualReport:
    """One application received, put in （六）其他处理 3.其他 and in 四、结转下年度继续办理: 一+二 ≠ （七）+四."""
    report = _blank_table3(gk.examples.seed_report())
    for path in (
        "table3.new_received.natural_person",
        "table3.new_received.total",
        *DOUBLE,
        "table3.carried_forward.natural_person",
        "table3.carried_forward.total",
    ):
        report = replace_path(report, path, 1)
    overview = attrs.evolve(report.overview, text=text, proactive=None, on_request=None)
    other = attrs.evolve(report.other_matters, text=None)
    return attrs.evolve(report, overview=overview, problems=None, other_matters=other)


def _next_year() -> AnnualReport:
    """The next year: the application carried over (二 = 1) and granted."""
    report = _blank_table3(gk.examples.seed_report())
    report = attrs.evolve(report, year=2024)
    for path in (
        "table3.carried_over.natural_person",
        "table3.carried_over.total",
        "table3.results.granted.natural_person",
        "table3.results.granted.total",
        "table3.results.total.natural_person",
        "table3.results.total.total",
    ):
        report = replace_path(report, path, 1)
    return report


def test_the_double_count_today_ties_three_repairs() -> None:
    result = validate(_double_counted(text=None))
    assert {f.code for f in result.issues} == {"T3_BALANCE"}
    assert len(result.best) == 3  # raise 一, raise 二 or set 四 to 0: the figures cannot tell them apart
    moved = [s for s in result.suggestions if {c.path for c in s.changes} == set(DOUBLE)]
    assert [s.rank for s in moved] == [2]


def test_the_text_and_the_next_year_put_the_double_count_first() -> None:
    report, nxt = _double_counted(), _next_year()
    assert validate(nxt).ok
    result = validate(report, next=nxt)
    first, *rest = result.suggestions
    assert {(c.path, c.proposed) for c in first.changes} == {(p, 0) for p in DOUBLE}
    assert first.rank == 1
    assert all(s.rank > 1 for s in rest)
    assert all(e.stance == "for" for e in first.evidence)
    quoted = [e for e in first.evidence if e.kind == "text"]
    assert {e.code for e in quoted} == {"TEXT_TABLE_RECEIVED", "TEXT_TABLE_CARRIED_FORWARD"}
    assert all(e.section == "overview.text" and e.quote == SENTENCE.rstrip("。") for e in quoted)
    series = [e for e in first.evidence if e.kind == "series"]
    assert {(e.code, e.path, e.year, e.figure) for e in series} == {
        ("SERIES_CARRY_OVER", "table3.carried_forward.natural_person", 2024, 1),
        ("SERIES_CARRY_OVER", "table3.carried_forward.total", 2024, 1),
    }
    # The others each have evidence against them: the text (一, or 一 + 二, would no longer be 1), the next year (四).
    for s in rest:
        assert any(e.stance == "against" for e in s.evidence), s
    forward_to_zero = next(s for s in rest if {c.path for c in s.changes} >= {"table3.carried_forward.total"})
    assert {e.kind for e in forward_to_zero.evidence if e.stance == "against"} == {"series", "text"}
    assert "2024" in str(next(e for e in forward_to_zero.evidence if e.kind == "series"))
    assert result.apply(report, first).table3.carried_forward.total == 1
    assert validate(result.apply(report, first)).ok


def test_check_passes_the_neighbouring_years_on_to_the_ranking() -> None:
    """``gk.check(page, next=…)`` ranks a page's suggestions as ``validate(report, next=…)`` does (JSON and
    HTML read), and without a neighbour as ``validate(report)``."""
    report, nxt = _double_counted(text=None), _next_year()
    for source in (gk.dumps(report).encode("utf-8"), gk.formats.render_html(report).encode("utf-8")):
        with_next = gk.check(source, next=nxt)
        assert with_next.report is not None
        assert with_next.validation is not None
        assert with_next.validation.suggestions == validate(with_next.report, next=nxt).suggestions
        forward = next(
            s for s in with_next.validation.suggestions if "table3.carried_forward.total" in {c.path for c in s.changes}
        )
        assert {(e.kind, e.stance, e.year) for e in forward.evidence} == {("series", "against", 2024)}
        alone = gk.check(source)
        assert alone.validation is not None
        assert alone.report is not None
        assert alone.validation.suggestions == validate(alone.report).suggestions
        assert len(alone.validation.best) == 3  # the tie the next year breaks
        assert len(with_next.validation.best) < 3


def test_the_text_alone_rules_out_the_repairs_it_contradicts() -> None:
    result = validate(_double_counted())
    first = result.suggestions[0]
    assert {c.path for c in first.changes} == set(DOUBLE)
    assert len(result.best) == 1


def test_evidence_is_data_and_exported() -> None:
    first = validate(_double_counted(), next=_next_year()).suggestions[0]
    e = first.evidence[0]
    assert isinstance(e, Evidence)
    assert attrs.evolve(e) == e
    assert e.message_zh
    assert e.message_en
    assert gk.checks.Evidence is Evidence
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        e.stance = "against"  # type: ignore[misc]


def test_validate_series_ranks_each_year_with_its_neighbours() -> None:
    report, nxt = _double_counted(text=None), _next_year()
    result = validate_series([nxt, report], suggestions=True)
    assert {s.year for s in result.suggestions} == {2023}
    forward = next(s for s in result.suggestions if {c.path for c in s.changes} >= {"table3.carried_forward.total"})
    assert forward.rank > 1
    assert any(e.kind == "series" and e.stance == "against" for e in forward.evidence)
    assert validate_series([nxt, report]).suggestions == ()


# The text pattern of 结转 in a later clause -----------------------------------------------------------------------


def _carried_forward(text: str) -> list[int]:
    topic = next(t for t in TOPICS if t.code == "TEXT_TABLE_CARRIED_FORWARD")
    report = attrs.evolve(gk.examples.seed_report(), overview=gk.model.Overview(text=text))
    return [s.figure for s in TextAnalysis.of(report).statements(topic)]


@pytest.mark.parametrize(
    ("text", "figures"),
    [
        (SENTENCE, [1]),
        ("收到政府信息公开申请1件……结转下年度办理。", [1]),
        ("收到申请3件，均已结转下年度办理。", [3]),
        ("共受理政府信息公开申请2件，全部结转至下一年度。", [2]),
        ("收到申请3件，结转下年度办理。", []),  # how many of the 3: not said
        ("收到申请3件，部分结转下年度办理。", []),
        ("收到申请1件，其中结转下年度办理。", []),
        ("收到申请1件，已办结，结转下年度办理。", []),
        ("收到申请2件，办结1件，结转下年度办理。", []),  # two numbers
        ("结转下年度办理1件。", [1]),  # the figure in its own clause, as before
    ],
)
def test_carried_forward_in_a_later_clause(text: str, figures: list[int]) -> None:
    assert _carried_forward(text) == figures


def test_the_whole_sentence_pattern_is_linear() -> None:
    text = "收到申请1件" + "，因" * 100_000 + "结转下年度办理。"
    start = time.perf_counter()
    _carried_forward(text)
    _carried_forward("收到申请" * 50_000 + "1件。")
    assert time.perf_counter() - start < 2


# Shown in the CLI and in the HTML view -------------------------------------------------------------------------


def test_the_cli_prints_one_evidence_line_per_suggestion(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "double.json").write_text(gk.dumps(_double_counted()), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    main(["check", "double.json", "--jobs", "1", "--lang", "en", "--suggestions", "2"])
    lines = capsys.readouterr().out.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("    suggest "))
    assert "3.其他" in lines[at]
    assert lines[at + 1].startswith("      evidence: 2 for, 0 against; for: the text of overview.text states 1")
    assert lines[at + 3].startswith("      evidence: 1 for, 1 against; against: the text of overview.text")
    main(["check", "double.json", "--jobs", "1", "--lang", "zh", "--suggestions", "1"])
    lines = capsys.readouterr().out.splitlines()
    assert any(line.startswith("      依据：支持 2 项，反对 0 项；支持：overview.text 中的文字") for line in lines)
    main(["check", "double.json", "--jobs", "1", "--format", "json"])
    (file,) = json.loads(capsys.readouterr().out)["files"]
    assert "evidence" not in file["suggestions"][0]  # the JSON output is unchanged


def test_the_html_view_shows_the_evidence() -> None:
    suggestions = validate(_double_counted(), next=_next_year()).suggestions
    html = suggestions_html(suggestions)
    assert "依据 evidence: +4 −0" in html
    assert "title=" in html
    assert "2024" in html
    assert "与 2024 年度报告" in html
    plain = suggestions_html(validate(_double_counted(text=None)).suggestions)
    assert "evidence" not in plain


def test_what_is_no_report_is_no_evidence_and_never_raises() -> None:
    report = _double_counted(text=None)
    odd: Any = "no report"
    assert validate(report, previous=odd, next=odd).suggestions == validate(report).suggestions
    forged = attrs.evolve(_next_year(), year=None)  # a neighbour of unknown year is taken as given
    assert validate(report, next=forged).suggestions[0].evidence


def test_a_jurisdiction_ranks_each_reports_repairs_with_its_neighbouring_years(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``JurisdictionResult.repairs()`` and ``gongkai check --register``: the repairs of 2023 weighed with 2024."""
    from gongkai_model.jurisdiction import check_jurisdiction
    from gongkai_model.register import Register

    report, nxt = _double_counted(text=None), _next_year()
    result = check_jurisdiction([report, nxt])
    ((filed, weighed),) = result.repairs()  # 2024 holds: no suggestion
    assert filed.file == "<report 1>"
    assert filed.report is report
    assert weighed == validate(report, next=nxt).suggestions
    assert weighed != validate(report).suggestions
    read = [gk.check(gk.dumps(r).encode("utf-8")) for r in (report, nxt)]
    ((filed, again),) = check_jurisdiction(read).repairs()  # read from bytes: checked again as gk.check does
    assert filed.report == report
    assert again == gk.check(gk.dumps(report).encode("utf-8"), next=nxt).validation.suggestions  # type: ignore[union-attr]

    (tmp_path / "2023.json").write_text(gk.dumps(report), encoding="utf-8")
    (tmp_path / "2024.json").write_text(gk.dumps(nxt), encoding="utf-8")
    units = tmp_path / "units.csv"
    Register.from_rows([{"agency": report.agency}]).to_csv(units)
    args = ["check", str(tmp_path / "2023.json"), str(tmp_path / "2024.json"), "--jobs", "1", "--register", str(units)]
    assert main([*args, "--lang", "en"]) == 1
    out = capsys.readouterr().out
    head = f"    with its neighbouring years, the repairs of {tmp_path / '2023.json'} rank:"
    assert head in out
    after = out.split(head, 1)[1].splitlines()[1:]
    assert after[0].startswith("        suggest ")
    assert "2024" in out.split(head, 1)[1]  # the evidence line names the next year
    assert main([*args, "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    (entry,) = data["jurisdiction"]["reranked"]
    assert entry["path"] == str(tmp_path / "2023.json")
    assert entry["suggestions_total"] == len(weighed)
    assert [s["rank"] for s in entry["suggestions"]] == sorted(s["rank"] for s in entry["suggestions"])
