from __future__ import annotations

import csv
from pathlib import Path

import pytest

from gongkai_model.__main__ import main


@pytest.mark.parametrize("command", ["demo", "example"])
def test_demo_writes_the_seed_records(tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str) -> None:
    assert main([command, "--out", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "北京市西城区信访办公室" in out
    assert "表二 10, 表三 175, 表四 15, 200 in all" in out
    assert "200 figures, 0 reading error(s), the same figures as the transcription" in out
    assert (
        "OK: 42 of 42 identities assessed (42 held, 0 broken), 0 not assessable; 200 of 200 cells hold a figure; "
        "67 assessed by 20 checks; 0 error, 0 inconsistency, 0 warning, 0 info"
    ) in out
    with (tmp_path / "out" / "records.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 200
    assert rows[0] == {
        "table": "二",
        "row": "规章",
        "column": "本年制发件数",
        "value": "0",
        "path": "table2.regulations.issued",
    }


def test_example_writes_the_report_as_json(tmp_path: Path) -> None:
    import gongkai_model as gk

    assert main(["example", "--out", str(tmp_path)]) == 0
    assert gk.loads((tmp_path / "report.json").read_text(encoding="utf-8")) == gk.examples.seed_report()


def test_schema_command_prints_the_schema(capsys: pytest.CaptureFixture[str]) -> None:
    import json

    import gongkai_model as gk

    assert main(["schema"]) == 0
    assert json.loads(capsys.readouterr().out) == gk.jsonio.json_schema()


def test_unknown_command_exits_with_usage() -> None:
    with pytest.raises(SystemExit) as info:
        main(["nope"])
    assert info.value.code == 2


def test_demo_writes_every_format_and_each_reads_back(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import gongkai_model as gk
    from gongkai_model.cli._demo import OUTPUTS

    assert main(["demo", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(OUTPUTS)
    for name in OUTPUTS:
        assert f"wrote {tmp_path / name}" in out
        if name.endswith(".csv"):
            continue
        got = gk.read(tmp_path / name)
        assert got.ok, got.summary()
        assert got.report is not None
        assert gk.to_records(got.report) == gk.to_records(gk.examples.seed_report())


def test_docs_cli_documents_every_subcommand_and_option() -> None:
    import argparse

    from gongkai_model.cli import build_parser

    text = (Path(__file__).resolve().parents[1] / "docs" / "cli.md").read_text(encoding="utf-8")
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    for name, parser in sub.choices.items():
        assert f"gongkai {name}" in text, name
        for action in parser._actions:
            for option in action.option_strings:
                if option not in ("-h", "--help"):
                    assert f"`{option}" in text or f"{option} " in text, f"{name} {option}"


def test_demo_without_python_docx_says_what_it_skipped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "docx", None)  # as if the docx extra were not installed
    assert main(["demo", "--out", str(tmp_path)]) == 0
    captured = capsys.readouterr()
    assert captured.err == (
        f"gongkai: skipped {tmp_path / 'report.docx'}: python-docx is not installed; "
        "install it with: pip install 'gongkai-model[docx]'\n"
    )
    assert not (tmp_path / "report.docx").exists()
    assert (tmp_path / "report.txt").exists()
