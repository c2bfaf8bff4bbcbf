"""The command line never shows a traceback for a user error (issue 8)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import gongkai_model as gk
from gongkai_model import __main__ as cli
from gongkai_model.__main__ import main

SRC = str(Path(__file__).resolve().parents[1] / "src")


def _gongkai(*args: str, stdout: Any = subprocess.PIPE, **env: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "gongkai_model", *args],
        stdout=stdout,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": SRC, **env},
        timeout=60,
        check=False,
    )


def test_a_closed_pipe_ends_quietly() -> None:
    # Regression: `gongkai schema | head` showed a BrokenPipeError traceback.
    read, write = os.pipe()
    os.close(read)  # the reader is gone before anything is written
    try:
        done = _gongkai("schema", stdout=write)
    finally:
        os.close(write)
    assert done.stderr == b""
    assert done.returncode == 1


def test_a_pipe_closed_by_head_ends_quietly() -> None:
    done = subprocess.run(
        f"{sys.executable} -m gongkai_model schema | head -c 10",
        shell=True,
        capture_output=True,
        env={**os.environ, "PYTHONPATH": SRC},
        timeout=60,
        check=False,
    )
    assert done.stdout == b'{\n  "$sche'
    assert done.stderr == b""


def test_broken_pipe_inside_the_wrapper(monkeypatch: pytest.MonkeyPatch) -> None:
    class Closed(io.StringIO):
        def write(self, text: str) -> int:
            raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(sys, "stdout", Closed())
    assert main(["schema"]) == 1


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda tmp: tmp / "file", "cannot write {out}: File exists"),
        (lambda tmp: tmp / "file" / "below", "cannot write {out}: Not a directory"),
        (lambda tmp: tmp / ("x" * 300), "cannot write {out}: File name too long"),
    ],
    ids=["a file", "below a file", "too long"],
)
def test_bad_output_paths_are_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make: Any, message: str
) -> None:
    (tmp_path / "file").write_text("x")
    out = make(tmp_path)
    assert main(["example", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert err == "gongkai: " + message.format(out=out) + "\n"


def test_an_output_folder_without_permission_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Simulated, so that it holds whoever runs the tests (root is never refused by the file system).
    real_open = Path.open

    def refuse(self: Path, *args: Any, **kwargs: Any) -> Any:
        if self.parent == tmp_path:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refuse)
    assert main(["example", "--out", str(tmp_path)]) == 1
    assert capsys.readouterr().err == f"gongkai: cannot write {tmp_path / 'records.csv'}: Permission denied\n"


def test_a_folder_where_a_file_goes_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "records.csv").mkdir()
    assert main(["example", "--out", str(tmp_path)]) == 1
    assert capsys.readouterr().err == f"gongkai: cannot write {tmp_path / 'records.csv'}: Is a directory\n"


def test_library_errors_are_reported_without_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def bad(args: Any) -> int:
        return gk.loads('{"schema_version": 1, "year": "2023"}') and 0

    assert cli._run(bad, None) == 2  # type: ignore[arg-type]
    err = capsys.readouterr().err
    assert err.startswith("gongkai: invalid report document\n  - $.edition")
    assert "Traceback" not in err


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
def test_a_console_without_chinese_gets_escapes_not_a_crash(tmp_path: Path, encoding: str) -> None:
    done = _gongkai("example", "--out", str(tmp_path), PYTHONIOENCODING=encoding)
    assert done.returncode == 0, done.stderr
    assert b"\\u5317\\u4eac" in done.stdout  # 北京, escaped
    done = _gongkai("schema", PYTHONIOENCODING=encoding)
    assert done.returncode == 0, done.stderr
    import json

    assert json.loads(done.stdout) == gk.jsonio.json_schema()  # still the same JSON


def test_an_undecodable_path_is_shown_escaped(tmp_path: Path) -> None:
    target = os.fsencode(tmp_path) + b"/\xff\xfe"
    with open(target, "wb"):  # a file where the output folder should be
        pass
    done = subprocess.run(
        [sys.executable.encode(), b"-m", b"gongkai_model", b"example", b"--out", target],
        capture_output=True,
        env={**os.environ, "PYTHONPATH": SRC, "PYTHONIOENCODING": "utf-8"},
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr.startswith(b"gongkai: cannot write ")
    assert b"\\udcff\\udcfe: File exists" in done.stderr
    assert b"Traceback" not in done.stderr


def test_usage_errors_exit_2_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["example", "--nope"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.splitlines()[-1] == "gongkai: error: unrecognized arguments: --nope"
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("args", "status", "start"),
    [
        (["convert", "{seed}", "{tmp}/out.pdf"], 2, b"gongkai: cannot write .pdf files"),
        (["convert", "{seed}", "{tmp}/out"], 2, b"gongkai: cannot write (no extension) files"),
        (["convert", "{seed}", "{tmp}/missing/out.json"], 2, b"gongkai: cannot write {tmp}/missing/out.json"),
        (["convert", "{tmp}/junk.xyz", "{tmp}/out.json"], 1, b"gongkai: cannot read {tmp}/junk.xyz"),
        (["check", "{tmp}/missing.html"], 2, b"gongkai: no such file or folder"),
        (["check", "{tmp}/junk.xyz"], 1, b"unreadable"),
        (["template", "{tmp}/missing/t.xlsx", "--agency", "A", "--year", "2024"], 2, b"gongkai: cannot write"),
    ],
    ids=["unknown extension", "no extension", "bad output path", "unknown input", "missing", "junk", "template"],
)
def test_no_traceback_for_any_user_error(tmp_path: Path, args: list[str], status: int, start: bytes) -> None:
    seed = tmp_path / "seed.json"
    seed.write_text(gk.dumps(gk.examples.seed_report()), encoding="utf-8")
    (tmp_path / "junk.xyz").write_bytes(b"\x00\xff junk")
    done = _gongkai(*(a.format(seed=seed, tmp=tmp_path) for a in args))
    assert done.returncode == status
    shown = done.stderr if done.stderr else done.stdout
    assert shown.startswith(start.replace(b"{tmp}", os.fsencode(tmp_path))), done.stderr
    assert b"Traceback" not in done.stderr


def test_check_into_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    for i in range(3):
        (tmp_path / f"{i}.json").write_text(gk.dumps(gk.examples.seed_report()), encoding="utf-8")
    read, write = os.pipe()
    os.close(read)
    try:
        done = _gongkai("check", str(tmp_path), "--jobs", "1", stdout=write)
    finally:
        os.close(write)
    assert done.stderr == b""
    assert done.returncode == 1
