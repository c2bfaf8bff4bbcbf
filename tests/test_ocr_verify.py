"""Verified, not trusted (issue 20, item 3): every figure read by OCR is vouched for by the identities.

No OCR engine here: a report is rendered as a web page, its document parsed, and the cells of some
tables marked as recognised in a picture (``GridCell.ocr``, a ``box`` in their place), exactly as the
picture producer hands them to the reading core. A digit is then "misread" by changing a cell's text,
with the true reading among the engine's alternatives.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import gongkai_model as gk
from gongkai_model.batch._journal import _converter
from gongkai_model.formats import Document, Imported, Provenance, assemble, parse_html, render_html
from gongkai_model.formats._document import Recognition
from gongkai_model.formats._verify import ACCEPT_CONFIDENCE, accept_unverified
from gongkai_model.model.identities import identities
from gongkai_model.model.layout import get_path, layout, replace_path, shape_of, values
from gongkai_model.readcheck import by_engine, checked

from cases import build
from hostile import assert_contract, run_capped
from strategies import consistent_reports

CASES = Path(__file__).parent / "data" / "cases"


def scanned(doc: Document, tables: set[int] | None = None, confidence: float = 0.99) -> Document:
    """``doc`` with the cells of its grids (those numbered in ``tables``, or all) read by OCR from image 1."""
    blocks = []
    for block in doc.blocks:
        grid = block.grid
        if grid is None or (tables is not None and grid.place.table not in tables):
            blocks.append(block)
            continue
        moved: dict[int, Any] = {}
        rows = []
        for row in grid.rows:
            out = []
            for cell in row:
                if cell is not None and id(cell) not in moved:
                    box = (cell.left * 100, cell.top * 40, cell.right * 100 + 90, cell.bottom * 40 + 30)
                    place = attrs.evolve(cell.place, image=1, box=box)
                    moved[id(cell)] = attrs.evolve(cell, place=place, ocr=Recognition(confidence))
                out.append(None if cell is None else moved[id(cell)])
            rows.append(tuple(out))
        blocks.append(attrs.evolve(block, grid=attrs.evolve(grid, rows=tuple(rows))))
    return attrs.evolve(doc, blocks=tuple(blocks))


def misread(doc: Document, place: Any, text: str, alternatives: tuple[str, ...], confidence: float) -> Document:
    """``doc`` with the cell printed at ``place`` read as ``text`` (the engine's other readings: ``alternatives``)."""
    blocks = []
    for block in doc.blocks:
        grid = block.grid
        if grid is None:
            blocks.append(block)
            continue
        moved: dict[int, Any] = {}
        rows = []
        for row in grid.rows:
            out = []
            for cell in row:
                if cell is not None and cell.place == place:
                    if id(cell) not in moved:
                        moved[id(cell)] = attrs.evolve(cell, text=text, ocr=Recognition(confidence, alternatives))
                    cell = moved[id(cell)]
                out.append(cell)
            rows.append(tuple(out))
        blocks.append(attrs.evolve(block, grid=attrs.evolve(grid, rows=tuple(rows))))
    return attrs.evolve(doc, blocks=tuple(blocks))


def page(report: Any) -> Document:
    return parse_html(render_html(report).encode(), source="scan.html")


def read(doc: Document, report: Any) -> Imported:
    return assemble(doc, agency=report.agency, year=report.year)


def unverified(got: Imported) -> list[Any]:
    return [p for p in got.problems if p.code == "READ_OCR_UNVERIFIED"]


def kewei_as_printed() -> Any:
    return build(json.loads((CASES / "shanghai-kewei-2024.json").read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def kewei() -> Any:
    """The real report, its one blank (四、结转下年度继续办理 × 总计, printed blank) filled: every identity holds."""
    report = replace_path(kewei_as_printed(), "table3.carried_forward.total", 1)
    assert gk.validate(report).verdict is gk.Verdict.OK
    return report


def test_a_blank_total_read_by_ocr_is_flagged() -> None:
    """As printed, a total is blank: with it as 0 its identities break, and it and its parts are flagged."""
    report = kewei_as_printed()
    got = read(scanned(page(report)), report)
    flagged = {p.message.partition(":")[0] for p in unverified(got)}
    assert "table3.carried_forward.total" in flagged
    assert got.provenance["table3.carried_forward.total"].verification == "unverified"
    assert got.verified_tables == {"二": "accepted", "三": "unverified", "四": "verified"}
    assert got.verdict is gk.Verdict.INCOMPLETE


def test_a_clean_scan_is_verified_and_ok() -> None:
    report = gk.examples.seed_report()
    got = read(scanned(page(report)), report)
    assert got.verdict is gk.Verdict.OK
    assert not unverified(got)
    assert gk.to_records(got.report) == gk.to_records(report)
    assert got.verified_tables == {"二": "accepted", "三": "verified", "四": "verified"}
    members = {m for i in identities(shape_of(report)) for m in i.members}
    for m, cell in enumerate(layout(shape_of(report))):
        prov = got.provenance[cell.path]
        assert prov.verification == ("verified" if m in members else "accepted"), cell.path
    infos = [p for p in got.problems if p.code == "READ_OCR_VERIFIED"]
    assert {p.label for p in infos} == {"表三", "表四"}
    assert all(p.severity == "info" for p in infos)
    assert checked(got).verdict is gk.Verdict.OK


def test_a_text_layer_is_untouched() -> None:
    report = gk.examples.seed_report()
    got = read(page(report), report)
    assert all(p.verification is None and p.confidence is None for p in got.provenance.values())
    assert not [p for p in got.problems if (p.code or "").startswith("READ_OCR")]
    assert got.verified_tables == {}
    assert got.verdict is gk.Verdict.OK


def test_one_digit_altered_is_named_and_the_top_suggestion_restores_it(kewei: Any) -> None:
    """The done-when: 表三 as a picture, one 8 read as 6 (the engine's second choice ``8``)."""
    doc = page(kewei)
    path = "table3.results.other.no_correction.natural_person"
    table3 = {read(doc, kewei).provenance[path].place.table}
    doc = scanned(doc, table3, confidence=0.98)
    clean = read(doc, kewei)
    assert clean.verdict is gk.Verdict.OK
    assert clean.verified_tables == {"三": "verified"}
    prov = clean.provenance[path]
    assert prov.text == "8"
    cell = next(c for c in layout(shape_of(kewei)) if c.path == path)
    got = read(misread(doc, prov.place, "6", ("8",), 0.81), kewei)
    assert got.report is not None
    assert got.provenance[path].verification == "unverified"
    assert got.verified_tables == {"三": "unverified"}
    flagged = {p.message.partition(":")[0]: p for p in unverified(got)}
    # every figure of a broken identity is unverified (which one is wrong, the suggestions say)
    assert path in flagged
    assert "table3.results.total.natural_person" in flagged
    assert "table4.review.total" not in flagged
    assert all(k.startswith("table3.") for k in flagged)
    problem = flagged[path]
    assert problem.label == cell.label
    assert problem.severity == "error"
    assert path in problem.message
    assert problem.place == got.provenance[path].place
    assert problem.place.box is not None
    assert "({},{})-({},{})".format(*problem.place.box) in problem.place.describe()
    assert "box {},{},{},{}".format(*problem.place.box) in str(problem)  # its location is the place
    assert "0.81" in problem.message
    assert "'8'" in problem.message
    assert "T3_" in problem.message
    assert got.verdict is gk.Verdict.INCOMPLETE  # never ok with an unverified figure
    result = checked(got)
    assert result.verdict is gk.Verdict.INCOMPLETE
    assert result.validation is not None
    top = result.validation.suggestions[0]
    assert top.rank == 1
    assert [(c.path, c.current, c.proposed) for c in top.inputs] == [(path, 6, 8)]
    assert result.report is not None
    assert gk.to_records(result.validation.apply(result.report, top)) == gk.to_records(kewei)
    accepted = checked(accept_unverified(got))
    assert {p.severity for p in unverified(accepted.imported)} == {"warning"}
    assert accepted.verdict is gk.Verdict.INCONSISTENT  # the identities still break


def test_the_engine_reorders_the_suggestions(kewei: Any) -> None:
    """Without the engine's alternatives the checks' own order stands; with them, the agreeing repair leads."""
    doc = page(kewei)
    path = "table3.results.other.no_correction.natural_person"
    doc = scanned(doc, {read(doc, kewei).provenance[path].place.table})
    place = read(doc, kewei).provenance[path].place
    plain = checked(read(misread(doc, place, "6", (), 0.81), kewei)).validation
    hinted = checked(read(misread(doc, place, "6", ("8",), 0.81), kewei)).validation
    assert plain is not None
    assert hinted is not None
    assert sorted(map(str, plain.suggestions)) == sorted(map(str, hinted.suggestions))
    agreeing = [s for s in hinted.suggestions if any(c.path == path and c.proposed == 8 for c in s.inputs)]
    assert agreeing
    assert hinted.suggestions[: len(agreeing)] == tuple(agreeing)
    assert hinted.best == tuple(s for s in agreeing if s.rank == 1)
    ranks = [s.rank for s in hinted.suggestions]
    assert ranks == sorted(ranks)
    assert ranks[0] == 1
    assert by_engine(plain, read(doc, kewei)) is plain  # nothing to agree with: unchanged


@pytest.mark.parametrize(("confidence", "expected"), [(0.7, "unverified"), (ACCEPT_CONFIDENCE, "accepted")])
def test_a_figure_in_no_identity_is_judged_by_confidence(confidence: float, expected: str) -> None:
    report = gk.examples.seed_report()
    doc = page(report)
    path = next(c.path for c in layout(shape_of(report)) if c.table == "二")
    doc = scanned(doc)
    prov = read(doc, report).provenance[path]
    got = read(misread(doc, prov.place, prov.text, (), confidence), report)
    assert got.provenance[path].verification == expected
    assert got.verified_tables["二"] == expected
    assert len(unverified(got)) == (expected == "unverified")
    assert got.verdict is (gk.Verdict.INCOMPLETE if expected == "unverified" else gk.Verdict.OK)
    if expected == "unverified":
        assert accept_unverified(got).verdict is gk.Verdict.WARNINGS


def test_a_missed_figure_left_blank_is_flagged(kewei: Any) -> None:
    """A digit the engine missed leaves a blank cell: its identities, with the blank as 0, break."""
    doc = page(kewei)
    path = "table3.results.other.no_correction.natural_person"
    doc = scanned(doc, {read(doc, kewei).provenance[path].place.table})
    place = read(doc, kewei).provenance[path].place
    got = read(misread(doc, place, "", ("8",), 0.5), kewei)
    assert got.provenance[path].verification == "unverified"
    problem = next(p for p in unverified(got) if p.message.startswith(path + ":"))
    assert "broken" in problem.message
    assert "'8'" in problem.message


def test_a_blank_that_keeps_its_identities_is_verified() -> None:
    """A printed blank whose identities hold with it as 0 is verified (no figure but 0 can have been missed)."""
    report = gk.examples.seed_report()
    shape = shape_of(report)
    zero = next(c.path for c, v in zip(layout(shape), values(report), strict=True) if c.table == "三" and v == 0)
    doc = scanned(page(report))
    place = read(doc, report).provenance[zero].place
    got = read(misread(doc, place, "", (), 0.6), report)
    assert got.provenance[zero].verification == "verified"
    assert not unverified(got)
    assert got.report is not None
    assert get_path(got.report, zero) is None


def test_verification_goes_through_the_batch_journal() -> None:
    prov = Provenance(gk.Place("scan.png", image=1, box=(1, 2, 3, 4)), "8", confidence=0.5, alternatives=("6",))
    for v in ("verified", "accepted", "unverified", None):
        p = attrs.evolve(prov, verification=v)
        assert _converter.structure(json.loads(json.dumps(_converter.unstructure(p))), Provenance) == p


def _altered(text: str, at: int, digit: str) -> str:
    return text[:at] + digit + text[at + 1 :]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(consistent_reports(), st.data())
def test_any_one_misread_digit_is_flagged_and_restored(report: Any, data: Any) -> None:
    doc = scanned(page(report))
    clean = read(doc, report)
    shape = shape_of(report)
    members = {m for i in identities(shape) for m in i.members}
    index = {c.path: m for m, c in enumerate(layout(shape))}
    blank = {p for p, v in clean.provenance.items() if not v.text.strip() and index[p] not in members}
    assert {p.message.partition(":")[0] for p in unverified(clean)} == blank  # nothing read, in no identity
    for path, prov in clean.provenance.items():
        assert prov.verification == ("verified" if index[path] in members else prov.verification), path
    figures = [
        (p, v)
        for p, v in clean.provenance.items()
        if v.text.strip().isdigit() and v.text.strip().isascii() and not v.refused and index[p] in members
    ]
    if data.draw(st.booleans()):  # a figure of 表二 (no identity), which the engine doubted
        figures = [(p, v) for p, v in clean.provenance.items() if index[p] not in members and v.text.isdigit()]
    if not figures:
        return
    path, prov = data.draw(st.sampled_from(figures))
    text = prov.text.strip()
    at = data.draw(st.integers(0, len(text) - 1))
    digits = [d for d in "0123456789" if d != text[at] and not (at == 0 and d == "0" and len(text) > 1)]
    wrong = _altered(text, at, data.draw(st.sampled_from(digits)))
    confidence = data.draw(st.floats(0.3, 1.0)) if index[path] in members else 0.5
    got = read(misread(doc, prov.place, wrong, (text,), confidence), report)
    assert got.provenance[path].verification == "unverified"
    assert [p for p in unverified(got) if path in p.message]
    if index[path] in members:  # its identities break (every cell is filled): the engine's reading leads
        result = checked(got)
        assert result.validation is not None
        assert result.validation.suggestions
        top = result.validation.suggestions[0]
        assert [(c.path, c.proposed) for c in top.inputs] == [(path, int(text))]


def _doubtful_scan(source: Any, **options: Any) -> Imported:
    """What ``gk.read`` gives for a scanned page with one figure of 表二 the engine doubted (no engine needed)."""
    report = gk.examples.seed_report()
    doc = scanned(page(report))
    path = next(c.path for c in layout(shape_of(report)) if c.table == "二")
    prov = read(doc, report).provenance[path]
    got = read(misread(doc, prov.place, prov.text, (), 0.5), report)
    return accept_unverified(got) if options.get("accept_unverified") else got


def test_check_batch_and_cli_accept_unverified(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The option goes from ``gk.check``, ``check_many`` and ``gongkai check --accept-unverified`` to the reading."""
    from gongkai_model import readcheck
    from gongkai_model.cli import main

    monkeypatch.setattr(readcheck, "read", _doubtful_scan)
    monkeypatch.setattr(gk.batch, "read", _doubtful_scan)
    (tmp_path / "scan.html").write_bytes(b"<p>scan</p>")
    name = str(tmp_path / "scan.html")
    assert gk.check(name).verdict is gk.Verdict.INCOMPLETE
    assert gk.check(name, accept_unverified=True).verdict is gk.Verdict.WARNINGS
    assert gk.check_many([name], executor="serial").files[0].status == "incomplete"
    assert gk.check_many([name], executor="serial", accept_unverified=True).files[0].status == "warnings"
    assert [i.verdict for i in gk.read_many([name], executor="serial", accept_unverified=True)] == ["warnings"]
    assert main(["check", name, "--jobs", "1", "--lang", "en"]) == 1
    assert "READ_OCR_UNVERIFIED" in capsys.readouterr().out
    assert main(["check", name, "--jobs", "1", "--lang", "en", "--accept-unverified"]) == 0


def test_grid_map_keeps_a_merged_cell_one_object() -> None:
    from gongkai_model.formats import Grid, Span

    grid = Grid.build([[Span("a", rowspan=2), Span("b")], [Span("c")]], gk.Place("x"))
    mapped = grid.map(lambda c: attrs.evolve(c, text=c.text.upper()))
    assert [c.text for c in mapped.cells()] == ["A", "B", "C"]
    assert mapped.rows[0][0] is mapped.rows[1][0]
    assert [c.text for c in grid.cells()] == ["a", "b", "c"]  # the grid itself is unchanged


def test_a_hostile_recognition_is_quoted_short() -> None:
    """A cell's text and alternatives as long as a picture can make them: the message stays short."""
    report = gk.examples.seed_report()
    doc = scanned(page(report))
    path = next(c.path for c in layout(shape_of(report)) if c.table == "二")
    prov = read(doc, report).provenance[path]
    text, alternatives = "12（" + "备" * 30_000 + "）", tuple("9" * 10_000 for _ in range(1_000))
    got = read(misread(doc, prov.place, text, alternatives, 0.2), report)
    (problem,) = unverified(got)
    assert len(problem.message) < 2_000
    assert "(1000 in all)" in problem.message
    assert got.provenance[path].alternatives == alternatives  # provenance keeps them whole


def test_many_long_alternatives_rank_quickly(kewei: Any) -> None:
    """Only the engine's first few alternatives rank the suggestions: a thousand long ones cost nothing."""
    import time

    doc = page(kewei)
    path = "table3.results.other.no_correction.natural_person"
    doc = scanned(doc, {read(doc, kewei).provenance[path].place.table})
    place = read(doc, kewei).provenance[path].place
    alternatives = ("8", *("9" * 10_000 for _ in range(1_000)))
    start = time.perf_counter()
    result = checked(read(misread(doc, place, "6", alternatives, 0.81), kewei))
    assert time.perf_counter() - start < 5
    assert result.validation is not None
    assert [(c.path, c.proposed) for c in result.validation.suggestions[0].inputs] == [(path, 8)]


def test_read_accept_unverified(monkeypatch: pytest.MonkeyPatch) -> None:
    """``gk.read(…, accept_unverified=True)``: each READ_OCR_UNVERIFIED a warning; the figures stay unverified."""
    from gongkai_model.formats import _dispatch

    monkeypatch.setattr(_dispatch, "_reader", lambda fmt: _doubtful_scan)
    data = b"<html><p>scan</p></html>"
    plain, accepted = gk.read(data), gk.read(data, accept_unverified=True)
    assert plain.verdict is gk.Verdict.INCOMPLETE
    assert accepted.verdict is gk.Verdict.WARNINGS
    assert [p.severity for p in unverified(plain)] == ["error"]
    assert [p.severity for p in unverified(accepted)] == ["warning"]
    assert accepted.provenance == plain.provenance
    assert accept_unverified(accepted) is accepted  # nothing left to accept


def many_long_alternatives() -> object:
    """A 表三 cell misread, with a thousand alternatives of 10,000 characters; a 表二 cell with a 30,000-character
    remark: what a hostile picture could make the engine say. Read, verified and checked (the suggestions ranked)."""
    report = kewei_as_printed()
    doc = scanned(page(report))
    got = read(doc, report)
    t3 = got.provenance["table3.results.other.no_correction.natural_person"].place
    t2 = got.provenance[next(c.path for c in layout(shape_of(report)) if c.table == "二")].place
    doc = misread(doc, t3, "6", ("8", *("9" * 10_000 for _ in range(1_000))), 0.81)
    doc = misread(doc, t2, "12（" + "备" * 30_000 + "）", tuple("7" * 10_000 for _ in range(1_000)), 0.2)
    return checked(read(doc, report))


def test_hostile_many_long_alternatives() -> None:
    outcome = assert_contract(run_capped("test_ocr_verify:many_long_alternatives"))
    assert outcome.report
    flagged = [p for p in outcome.problems if p["code"] == "READ_OCR_UNVERIFIED"]
    assert flagged
    assert all(len(p["message"]) < 2_000 for p in flagged)
    assert outcome.seconds < 10
