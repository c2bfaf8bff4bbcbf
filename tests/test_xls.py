"""Legacy ``.xls`` workbooks (issue 16 item 5): refused by name, whatever they are called, never sent to the Word path.

An OLE compound file whose directory holds a ``Workbook`` (or ``Book``) stream is a legacy Excel
workbook. It is refused with the reason (``READ_NOT_A_REPORT``: save it as ``.xlsx``) as ``.xls``,
as ``.doc`` (a workbook renamed) and with no name at all, decided from its directory alone:
LibreOffice (the sealed path that converts a Word ``.doc``) is never started for it.
"""

from __future__ import annotations

import io
import subprocess
import tempfile
from pathlib import Path

import pytest
from test_containers_hostile import ole

import gongkai_model as gk
from gongkai_model.formats import _dispatch

from hostile import assert_contract, run_capped

WORDS = "a legacy Excel workbook (.xls); save it as .xlsx"


def xls_bytes() -> object:
    return gk.read(io.BytesIO(ole("Workbook")))  # no name at all


def xls_named_doc() -> object:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "report.doc"  # a workbook renamed .doc: the Word suffix changes nothing
        path.write_bytes(ole("Workbook", "\x05SummaryInformation"))
        return gk.read(path)


def xls_book() -> object:
    return gk.read(ole("Book"))  # the Excel 5/95 stream name


@pytest.fixture
def no_libreoffice(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to start a program (LibreOffice) fails the test."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"a program was started for a workbook: {args}")

    monkeypatch.setattr(subprocess, "Popen", refuse)
    monkeypatch.setattr(subprocess, "run", refuse)


@pytest.mark.usefixtures("no_libreoffice")
@pytest.mark.parametrize("name", ["old.xls", "old.XLS", "report.doc", "noname"])
@pytest.mark.parametrize("streams", [("Workbook",), ("Book",), ("Workbook", "\x05SummaryInformation")])
def test_a_legacy_workbook_is_refused_by_name_whatever_it_is_called(
    tmp_path: Path, name: str, streams: tuple[str, ...]
) -> None:
    path = tmp_path / name
    path.write_bytes(ole(*streams))
    with pytest.raises(gk.ReadError) as info:
        gk.read(path)
    (problem,) = info.value.problems
    assert problem.code == "READ_NOT_A_REPORT"
    assert WORDS in problem.message
    assert problem.place == gk.errors.Place(str(path))
    # check() gives the same reason as an unreadable result, never a Word-path failure
    checked = gk.check(path)
    assert checked.report is None
    assert [(p.code, WORDS in p.message) for p in checked.problems] == [("READ_NOT_A_REPORT", True)]
    assert checked.coverage == gk.formats.Coverage()


@pytest.mark.usefixtures("no_libreoffice")
def test_detection_says_ole_and_the_dispatch_refuses_before_any_conversion() -> None:
    data = ole("Workbook")
    for name in ("a.xls", "a.doc", ""):
        assert _dispatch.detect_format(data, name) == "ole"
    with pytest.raises(gk.ReadError) as info:
        _dispatch._doc_to_docx(data, "a.xls", gk.limits.DEFAULT_LIMITS, allow_network=True)
    assert WORDS in info.value.problems[0].message


@pytest.mark.parametrize("generator", ["xls_bytes", "xls_named_doc", "xls_book"])
def test_a_legacy_workbook_is_refused_quickly_under_the_caps(generator: str) -> None:
    outcome = assert_contract(run_capped(f"test_xls:{generator}"))
    assert (outcome.kind, outcome.type) == ("error", "ReadError"), str(outcome)
    assert outcome.codes == {"READ_NOT_A_REPORT"}, str(outcome)
    assert WORDS in outcome.problems[0]["message"], str(outcome)
    assert outcome.wall < 2, str(outcome)  # from the directory alone: LibreOffice never started


def test_gongkai_check_names_a_legacy_workbook_in_a_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from gongkai_model.__main__ import main

    (tmp_path / "old.xls").write_bytes(ole("Workbook"))
    (tmp_path / "renamed.doc").write_bytes(ole("Workbook"))
    monkeypatch.chdir(tmp_path)
    assert main(["check", ".", "--jobs", "1", "--lang", "en"]) == 1
    out = capsys.readouterr().out
    assert "unreadable    renamed.doc: 1 reading error(s)" in out
    assert f"[READ_NOT_A_REPORT] error: renamed.doc: {WORDS}" in out
    assert "old.xls" in out  # not a readable suffix: listed after the summary, never lost unseen
