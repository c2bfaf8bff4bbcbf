"""``gongkai check``: every file reported, none lost; exit statuses; baselines; JSON output."""

from __future__ import annotations

import io
import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

import gongkai_model as gk
from gongkai_model import excel
from gongkai_model.__main__ import main
from gongkai_model.batch import check_many
from gongkai_model.cli._check import outcome
from gongkai_model.cli._check import problem_key as key_of
from gongkai_model.errors import Place, Problem
from gongkai_model.formats import render_html

from conftest import CASES


def _refused_workbook(target: Path) -> None:
    """The seed report as a workbook, with text typed into one figure's cell (表三!D7)."""
    buffer = io.BytesIO()
    excel.write_report(gk.examples.seed_report(), buffer)
    wb = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    wb["表三"]["D7"] = "约10"
    wb.save(target)


def _warned(seed: gk.AnnualReport) -> str:
    """The seed report as a page with one misprinted label (read with a ``READ_LABEL_CORRECTED`` warning)."""
    return render_html(seed).replace("结转下年度继续办理", "结转下年度继续力理", 1)


def _mixed(folder: Path) -> dict[str, str]:
    """A folder of good, inconsistent, unreadable, partly readable and blank files; name → expected status."""
    seed = gk.examples.seed_report()
    (folder / "good.html").write_text(render_html(seed), encoding="utf-8")
    (folder / "warned.html").write_text(_warned(seed), encoding="utf-8")
    shutil.copy(CASES / "shuyang-fagaiju-2023.html", folder / "real.html")  # 35 of 42 identities not assessable
    excel.write_template(folder / "blank.xlsx", agency="某县", year=2023)
    bad = gk.model.replace_path(seed, "table4.reconsideration.upheld", 3)
    (folder / "sub").mkdir()
    (folder / "sub" / "inconsistent.json").write_text(gk.dumps(bad), encoding="utf-8")
    (folder / "unreadable.json").write_text("{", encoding="utf-8")
    (folder / "empty.pdf").write_bytes(b"%PDF-1.4 nothing")
    page = render_html(seed).replace("<td>0</td>", "<td>十二</td>", 1)
    (folder / "partly.html").write_text(page, encoding="utf-8")
    _refused_workbook(folder / "refused.xlsx")
    (folder / "notes.xyz").write_text("not a report", encoding="utf-8")
    return {
        "empty.pdf": "unreadable",
        "good.html": "ok",
        "partly.html": "incomplete",
        "real.html": "unassessed",
        "warned.html": "warnings",
        "blank.xlsx": "empty",
        "refused.xlsx": "incomplete",
        "sub/inconsistent.json": "inconsistent",
        "unreadable.json": "unreadable",
    }


def _statuses(out: str) -> dict[str, str]:
    data = json.loads(out)
    return {f["path"]: f["status"] for f in data["files"]}


def test_a_mixed_folder_exits_1_and_reports_every_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    expected = _mixed(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert main(["check", ".", "--jobs", "1", "--lang", "en"]) == 1
    out = capsys.readouterr().out
    lines = {
        line.split()[1].rstrip(":"): line.split()[0] for line in out.splitlines() if line and not line.startswith(" ")
    }
    for name, status in expected.items():
        assert lines[name] == status, out
    assert "[READ_VALUE_REFUSED] error: 表三!D7 (表三 （一）予以公开 × 自然人): not a figure" in out
    assert "[T4_TOTAL] inconsistency: 表四!E5 (表四 行政复议 × 总计)" in out
    assert "notes.xyz" in out  # a file of no readable format is named, not lost unseen
    assert re.search(rf"^all +{len(expected)}$", out, re.MULTILINE)
    assert out.rstrip().endswith(f"NOT OK: 2 of {len(expected)} file(s) clean")
    assert re.search(r"^unassessed +1$", out, re.MULTILINE)
    assert re.search(r"^empty +1$", out, re.MULTILINE)
    assert re.search(r"^checked: \d+ of \d+ identities assessed .* not assessable; ", out, re.MULTILINE)

    assert main(["check", ".", "--format", "json"]) == 1  # a process pool gives the same
    got = json.loads(capsys.readouterr().out)
    assert {f["path"]: f["status"] for f in got["files"]} == expected
    assert got["skipped"] == ["notes.xyz"]
    assert got["summary"] == {
        "files": 9,
        "ok": 1,
        "warnings": 1,
        "unassessed": 1,
        "empty": 1,
        "inconsistent": 1,
        "incomplete": 2,
        "unreadable": 2,
        "timeout": 0,
        "memory": 0,
        "crashed": 0,
        "skipped": 0,
    }


def test_jsonl_is_the_json_document_one_file_per_line_then_the_summary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _mixed(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert main(["check", ".", "--jobs", "1", "--format", "json"]) == 1
    document = json.loads(capsys.readouterr().out)
    for extra in (["--jobs", "1"], ["--jobs", "2", "--order", "finish"]):
        assert main(["check", ".", "--format", "jsonl", *extra]) == 1
        lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
        *files, last = lines
        if "finish" in extra:  # in the order the files finished: the same objects
            files.sort(key=lambda f: [f["path"] for f in document["files"]].index(f["path"]))
        assert files == document["files"]
        assert last == {k: v for k, v in document.items() if k != "files"}  # the summary, without the files


def test_jsonl_keeps_no_report_of_a_file_once_its_line_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each line is written as its file is checked, and the run keeps only counts of it (constant memory)."""
    import gc
    import weakref

    from gongkai_model.cli import _check

    seed = gk.examples.seed_report()
    for i in range(4):
        (tmp_path / f"r{i}.json").write_text(gk.dumps(seed), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    alive: list[weakref.ref[Any]] = []
    real = _check.iter_check

    def watched(*args: Any, **kwargs: Any) -> Any:
        results = real(*args, **kwargs)
        written = 0
        for shown, result in enumerate(results):
            gc.collect()
            # every report before the last was let go of (the last is still the loop's variable)
            assert all(ref() is None for ref in alive[:-1])
            written += capsys.readouterr().out.count("\n")
            assert written == shown  # and its line written before this one came
            alive.append(weakref.ref(result.report))
            yield result

    monkeypatch.setattr(_check, "iter_check", watched)
    assert main(["check", ".", "--jobs", "1", "--format", "jsonl"]) == 0
    gc.collect()
    assert all(ref() is None for ref in alive)
    assert json.loads(capsys.readouterr().out.splitlines()[-1])["summary"]["ok"] == 4


def test_a_workbook_with_a_refused_cell_is_never_clean(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _refused_workbook(tmp_path / "r.xlsx")
    monkeypatch.chdir(tmp_path)
    assert main(["check", "r.xlsx", "--format", "json"]) == 1
    (file,) = json.loads(capsys.readouterr().out)["files"]
    assert file["status"] == "incomplete"
    assert file["ok"] is False
    refused = [p for p in file["problems"] if p["code"] == "READ_VALUE_REFUSED"]
    assert refused[0]["place"] == "r.xlsx, 表三!D7"


def test_clean_files_exit_0_and_warnings_count_only_when_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "good.html").write_text(render_html(gk.examples.seed_report()), encoding="utf-8")
    (tmp_path / "real.html").write_text(_warned(gk.examples.seed_report()), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["check", "good.html", "real.html", "--jobs", "1", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "warnings      real.html" in out
    assert "[READ_LABEL_CORRECTED] warning" in out
    assert main(["check", "good.html", "--jobs", "1", "--warnings"]) == 0
    assert main(["check", "good.html", "real.html", "--jobs", "1", "--warnings"]) == 1


def test_without_a_baseline_the_status_is_the_batch_status(tmp_path: Path) -> None:
    _mixed(tmp_path)
    for f in check_many(tmp_path, executor="serial").files:
        assert outcome(f).status == f.status
        assert outcome(f).accepted == 0


def test_a_baseline_silences_exactly_the_accepted_findings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    seed = gk.examples.seed_report()
    one = gk.model.replace_path(seed, "table4.reconsideration.upheld", 3)
    (tmp_path / "a.json").write_text(gk.dumps(one), encoding="utf-8")
    _refused_workbook(tmp_path / "r.xlsx")
    monkeypatch.chdir(tmp_path)
    assert main(["check", ".", "--jobs", "1", "--write-baseline", "base.json"]) == 1
    capsys.readouterr()
    base = json.loads((tmp_path / "base.json").read_text(encoding="utf-8"))
    assert base["format"] == "gongkai-baseline"
    assert base["files"]["a.json"] == ["T4_TOTAL|四|行政复议|总计|table4.reconsideration.total||"]
    assert "READ_VALUE_REFUSED|cell=表三!D7|表三 （一）予以公开 × 自然人" in base["files"]["r.xlsx"]

    # everything accepted: clean; the baseline file itself is not checked as a report
    assert main(["check", ".", "--jobs", "1", "--baseline", "base.json"]) == 0
    out = capsys.readouterr().out
    assert "base.json" not in out.split("status")[0]
    assert "T4_TOTAL" not in out

    # a new finding in an accepted file is shown, and only it
    two = gk.model.replace_path(one, "table4.litigation_direct.upheld", 2)
    (tmp_path / "a.json").write_text(gk.dumps(two), encoding="utf-8")
    assert main(["check", ".", "--jobs", "1", "--baseline", "base.json", "--format", "json"]) == 1
    got = {f["path"]: f for f in json.loads(capsys.readouterr().out)["files"]}
    assert [f["path"] for f in got["a.json"]["findings"]] == ["table4.litigation_direct.total"]
    assert got["a.json"]["accepted"] == 1
    assert got["r.xlsx"]["status"] == "ok"

    # a baseline accepts per file: the same finding in another file is not accepted
    (tmp_path / "b.json").write_text(gk.dumps(one), encoding="utf-8")
    assert main(["check", "b.json", "--jobs", "1", "--baseline", "base.json", "--format", "json"]) == 1
    (b,) = json.loads(capsys.readouterr().out)["files"]
    assert b["status"] == "inconsistent"
    assert b["accepted"] == 0


def test_an_unreadable_file_cannot_be_accepted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "u.json").write_text("{", encoding="utf-8")
    (tmp_path / "base.json").write_text(
        json.dumps({"format": "gongkai-baseline", "version": 1, "files": {"u.json": ["READ_JSON|$|"]}}),
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    assert main(["check", "u.json", "--baseline", "base.json"]) == 1
    assert capsys.readouterr().out.startswith("unreadable    u.json")


def test_problem_keys_come_from_code_and_place_never_the_message() -> None:
    where = Place("a.html", table=2, row=5, column=4)
    a = Problem("a.html, table 2", "one wording", "表三 x", code="READ_VALUE_REFUSED", place=where)
    b = Problem("a.html, table 2", "another wording", "表三 x", code="READ_VALUE_REFUSED", place=where)
    moved = Problem("b.html, table 2", "one wording", "表三 x", code="READ_VALUE_REFUSED", place=Place("b.html", 1))
    assert key_of(a) == key_of(b) == "READ_VALUE_REFUSED|table=2;row=5;column=4|表三 x"
    assert key_of(moved) != key_of(a)


def test_the_same_problem_twice_gets_two_keys(tmp_path: Path) -> None:
    page = render_html(gk.examples.seed_report()).replace("<td>0</td>", "<td>十二</td>", 2)
    (tmp_path / "p.html").write_text(page, encoding="utf-8")
    (result,) = check_many(tmp_path, executor="serial").files
    keys = outcome(result).keys()
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["check", "no-such-file.html"], "gongkai: no such file or folder: no-such-file.html\n"),
        (["check", "."], "gongkai: no readable files in . (readable: "),
        (["check", "x.json", "--baseline", "nope.json"], "gongkai: no such baseline: nope.json\n"),
        (["check", "x.json", "--baseline", "x.json"], "gongkai: x.json is not a gongkai baseline"),
        (["check", "x.json", "--resume"], "gongkai: --resume needs --journal FILE"),
        (["check", "x.json", "--journal", "x.json", "--resume"], "gongkai: not a journal"),
        (["convert", "x.json", "out.pdf"], "gongkai: cannot write .pdf files: OUT must end in one of .json"),
        (["convert", "nope.json", "out.html"], "gongkai: no such file: nope.json\n"),
        (["template", "t.xlsx", "--year", "2024"], "gongkai: --agency and --year are required (or --draft)\n"),
        (["template", "t.docx", "--agency", "A", "--year", "2024"], "gongkai: a template is a workbook"),
        (["template", "t.xlsx", "--agency", "A", "--year", "1990"], "gongkai: cannot write the template t.xlsx"),
        (
            ["template", "t.xlsx", "--draft", "x.json", "--from", "x.json"],
            "gongkai: --draft and --from cannot be combined",
        ),
    ],
)
def test_usage_errors_exit_2_in_one_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.json").write_text(gk.dumps(gk.examples.seed_report()), encoding="utf-8")
    if argv[1] == ".":
        (tmp_path / "x.json").unlink()
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith(message)
    assert "Traceback" not in captured.err
    assert not (tmp_path / "t.xlsx").exists()


@pytest.mark.parametrize(
    "argv",
    [
        ["check"],
        ["check", ".", "--format", "xml"],
        ["check", ".", "--jobs", "0"],
        ["check", ".", "--max-seconds", "0"],
        ["check", ".", "--max-seconds", "soon"],
        ["check", ".", "--max-memory", "lots"],
        ["check", ".", "--max-memory", "0G"],
        ["check", ".", "--nope"],
        ["convert", "a.json"],
        ["template", "t.xlsx", "--year", "next"],
        ["template", "t.xlsx", "--edition", "2020"],
        ["nope"],
    ],
)
def test_bad_options_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "error:" in err.splitlines()[-1]
    assert "Traceback" not in err


@pytest.mark.parametrize("command", ["check", "convert", "template", "demo", "example", "schema"])
def test_every_subcommand_has_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main([command, "--help"])
    assert info.value.code == 0
    usage = "demo" if command == "example" else command  # an alias shows its command's help
    assert capsys.readouterr().out.startswith(f"usage: gongkai {usage}")


def test_progress_on_stderr(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    text = gk.dumps(gk.examples.seed_report())
    for i in range(3):
        (tmp_path / f"{i}.json").write_text(text, encoding="utf-8")
    assert main(["check", str(tmp_path), "--jobs", "1", "--progress"]) == 0
    captured: Any = capsys.readouterr()
    last = captured.err.split("\r")[-1]  # the bar is redrawn in place: its last state, with the rate and the ETA
    assert re.fullmatch(r"checking: +100%.* 3/3 \[\d\d:\d\d<\d\d:\d\d, +[\d.]+(file/s|s/file)\]\n", last), last
    assert main(["check", str(tmp_path), "--jobs", "1", "--no-progress"]) == 0
    assert capsys.readouterr().err == ""


# --- streaming, limits, Ctrl-C and resume (issue 14) ----------------------------------------------------

#: A module the subprocess loads (and its workers import by name): files named ``*slow*`` hang until
#: the file named by ``GK_FAST`` exists.
_SLOW = """
import os, time
from gongkai_model import batch
_real = batch._check_task
def slow_check(path, **kw):
    if "slow" in os.path.basename(path) and not os.path.exists(os.environ["GK_FAST"]):
        time.sleep(3600)
    return _real(path, **kw)
"""
_MAIN = (
    "import sys, slowcheck; from gongkai_model import batch; batch._check_task = slowcheck.slow_check; "
    "from gongkai_model.__main__ import main; sys.exit(main(sys.argv[1:]))"
)


def _gongkai(tmp_path: Path, *argv: str) -> subprocess.Popen[bytes]:
    mods = tmp_path / "mods"
    mods.mkdir(exist_ok=True)
    (mods / "slowcheck.py").write_text(_SLOW, encoding="utf-8")
    src = Path(gk.__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(src), str(mods)]), "GK_FAST": str(tmp_path / "fast")}
    return subprocess.Popen(
        [sys.executable, "-c", _MAIN, "check", *argv],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group: Ctrl-C is sent to the group, as a terminal does
    )


def _lines(proc: subprocess.Popen[bytes], count: int, seconds: float) -> str:
    """The command's output once it holds ``count`` lines, read as it comes (from the pipe, unbuffered)."""
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    data = b""
    deadline = time.monotonic() + seconds
    while data.count(b"\n") < count:
        ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
        assert ready, f"no line came: {data!r}"
        chunk = os.read(fd, 65536)
        assert chunk, f"the output ended: {data!r}"
        data += chunk
    return data.decode("utf-8")


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "reports"
    folder.mkdir()
    text = gk.dumps(gk.examples.seed_report())
    for name in ("a.json", "b.json", "c.json", "m-slow.json", "z.json"):
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "d.json").write_text("{", encoding="utf-8")
    return folder


def test_lines_stream_and_ctrl_c_keeps_what_finished_and_resume_completes(tmp_path: Path) -> None:
    _folder(tmp_path)
    journal = tmp_path / "run.jsonl"
    proc = _gongkai(tmp_path, "reports", "--journal", str(journal), "--jobs", "2")
    try:
        early = _lines(proc, 4, 60)  # a, b, c, d come while m-slow hangs: streamed, flushed
        assert [line.split()[:2] for line in early.splitlines()[:4]] == [
            ["ok", "reports/a.json"],
            ["ok", "reports/b.json"],
            ["ok", "reports/c.json"],
            ["unreadable", "reports/d.json:"],
        ]
        for _ in range(600):  # z.json finishes too (held back for order, but journaled at once)
            if len(journal.read_text(encoding="utf-8").splitlines()) == 1 + 5:
                break
            time.sleep(0.05)
        os.killpg(proc.pid, signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130
    text = early + out.decode("utf-8")
    assert re.search(r"^all +4$", text, re.MULTILINE)
    assert "interrupted: 4 of 6 file(s) checked; the journal" in err.decode("utf-8")
    assert "Traceback" not in err.decode("utf-8")
    assert len(journal.read_text(encoding="utf-8").splitlines()) == 1 + 5  # z.json kept, m-slow.json not

    (tmp_path / "fast").write_text("", encoding="utf-8")
    proc = _gongkai(tmp_path, "reports", "--journal", str(journal), "--resume", "--format", "json")
    resumed, err = proc.communicate(timeout=60)
    assert proc.returncode == 1, err
    assert len(journal.read_text(encoding="utf-8").splitlines()) == 1 + 6  # only m-slow.json was checked
    proc = _gongkai(tmp_path, "reports", "--format", "json")
    whole, _ = proc.communicate(timeout=60)
    assert json.loads(resumed) == json.loads(whole)


def test_a_file_past_its_time_is_shown_as_timeout(tmp_path: Path) -> None:
    _folder(tmp_path)
    proc = _gongkai(tmp_path, "reports", "--max-seconds", "1", "--max-memory", "1G", "--lang", "en")
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1, err
    text = out.decode("utf-8")
    assert "timeout       reports/m-slow.json: 1 reading error(s)" in text
    assert "[BATCH_TIMEOUT] error: reports/m-slow.json: did not finish within 1 s" in text
    assert re.search(r"^timeout +1$", text, re.MULTILINE)
    assert re.search(r"^ok +4$", text, re.MULTILINE)


def test_a_fifo_in_a_folder_is_listed_as_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "good.json").write_text(gk.dumps(gk.examples.seed_report()), encoding="utf-8")
    os.mkfifo(tmp_path / "pipe.json")
    (tmp_path / "gone.html").symlink_to(tmp_path / "nowhere.html")
    monkeypatch.chdir(tmp_path)
    assert main(["check", ".", "--jobs", "1", "--lang", "en"]) == 1
    out = capsys.readouterr().out
    assert "skipped       gone.html: 1 reading error(s)" in out
    assert "[BATCH_SKIPPED] error: gone.html: skipped: a broken symbolic link" in out
    assert "[BATCH_SKIPPED] error: pipe.json: skipped: a FIFO (named pipe), not a file" in out
    assert re.search(r"^skipped +2$", out, re.MULTILINE)


def test_a_folder_holding_only_a_fifo_shows_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    os.mkfifo(tmp_path / "pipe.json")
    monkeypatch.chdir(tmp_path)
    assert main(["check", ".", "--jobs", "1", "--format", "json"]) == 1
    (file,) = json.loads(capsys.readouterr().out)["files"]
    assert (file["path"], file["status"], file["ok"]) == ("pipe.json", "skipped", False)
    assert file["problems"][0]["code"] == "BATCH_SKIPPED"


@given(
    st.lists(st.sampled_from(["a", "b", ".", "..", "", "x.json", "中文", " s", "a b"]), min_size=1, max_size=6),
    st.booleans(),
)
def test_a_file_is_named_as_pathlib_names_it(parts: list[str], absolute: bool) -> None:
    """The fast ``_name`` (a path below the working folder cut as a string) against the pathlib one."""
    from gongkai_model.cli._check import _name, _name_by_path

    path = "/".join(parts)
    for where in ("", os.getcwd(), os.path.dirname(os.getcwd()), "/", "//"):
        given_path = os.path.join(where, path) if absolute or not where else where + path
        assert _name(given_path) == _name_by_path(given_path)
