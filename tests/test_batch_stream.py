"""Progress and streaming where people wait (issue 17 item 6).

One bar that updates in place (tqdm's ``auto`` bar when tqdm is installed, else the library's own line on
stderr or one notebook output updated through its ``display_id``), counting files as they finish;
``iter_read`` beside ``iter_check``; ``read_many`` on the same pools, bounds and journal as ``check_many``.
The notebook test executes a real kernel (nbclient, as ``tests/test_docs_notebook.py`` does).
"""

from __future__ import annotations

import concurrent.futures as cf
import os
import re
import select
import signal
import subprocess
import sys
import time
import types
from pathlib import Path
from typing import Any, ClassVar

import nbformat
import pytest
from batch_behaviours import LIMITS, RELEASE, misbehaving_read_task
from nbclient import NotebookClient

import gongkai_model as gk
from gongkai_model import batch
from gongkai_model.batch import _progress

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _release() -> Any:
    RELEASE.clear()
    yield
    RELEASE.set()


def _folder(folder: Path, count: int = 6) -> list[str]:
    """``count`` reports, every third one damaged; the names in the order a scan gives them."""
    text = gk.dumps(gk.examples.seed_report())
    names = []
    for i in range(count):
        name = f"r{i:02d}.json"
        (folder / name).write_text("{" if i % 3 == 2 else text, encoding="utf-8")
        names.append(name)
    return names


def _view(got: list[gk.Imported]) -> list[tuple[str, bool, object, list[str | None]]]:
    return [(Path(i.source).name, i.ok, i.report, [p.code for p in i.problems]) for i in got]


@pytest.fixture
def no_tqdm(monkeypatch: pytest.MonkeyPatch) -> None:
    """The library's own bar, whether tqdm is installed or not."""
    monkeypatch.setattr(_progress, "_tqdm", lambda notebook: None)


# --- read_many on the pools, and iter_read -----------------------------------------------------------------


@pytest.mark.parametrize("executor", ["processes", "threads"])
def test_read_many_runs_on_any_executor_with_the_same_results(tmp_path: Path, executor: str) -> None:
    names = _folder(tmp_path)
    serial = batch.read_many(tmp_path, executor="serial")
    assert [Path(i.source).name for i in serial] == names
    if executor == "threads":
        with cf.ThreadPoolExecutor(2) as pool:
            got = batch.read_many(tmp_path, executor=pool, window=2)
    else:
        got = batch.read_many(tmp_path, workers=2, window=2)
    assert _view(got) == _view(serial)
    assert list(batch.iter_read(tmp_path, workers=2)) == got
    for stream in (batch.iter_read, batch.iter_check):  # a bad argument is refused at the call, not at the first file
        with pytest.raises(gk.GongkaiError, match="expected an Executor"):
            stream(tmp_path, executor="bogus")


def test_iter_read_yields_as_files_finish_and_stops_a_hang(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    names = _folder(tmp_path)
    (tmp_path / "hang-a.json").write_text("{}", encoding="utf-8")  # first in the folder
    monkeypatch.setattr(batch, "_read_task", misbehaving_read_task)
    got = list(batch.iter_read(tmp_path, workers=2, limits=LIMITS, ordered=False))
    assert Path(got[-1].source).name == "hang-a.json"  # first named, last to finish: the others did not wait
    assert sorted(Path(i.source).name for i in got) == sorted([*names, "hang-a.json"])
    assert got[-1].report is None
    assert [p.code for p in got[-1].problems] == ["BATCH_TIMEOUT"]
    ordered = list(batch.iter_read(tmp_path, workers=2, limits=LIMITS))
    assert [Path(i.source).name for i in ordered] == ["hang-a.json", *names]


def test_a_read_journal_resumes_and_is_not_a_check_journal(tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    _folder(folder)
    journal = tmp_path / "read.jsonl"
    whole = batch.read_many(folder, executor="serial")
    seen = []
    for got in batch.iter_read(folder, executor="serial", journal=journal):
        seen.append(got)
        if len(seen) == 3:
            break  # interrupted
    assert len(journal.read_text(encoding="utf-8").splitlines()) == 1 + 3
    resumed = batch.read_many(folder, executor="serial", journal=journal, resume=True)
    assert _view(resumed) == _view(whole)
    assert len(journal.read_text(encoding="utf-8").splitlines()) == 1 + 6  # only the 3 others were read
    with pytest.raises(gk.GongkaiError, match="other options"):
        batch.check_many(folder, executor="serial", journal=journal, resume=True)
    with pytest.raises(gk.GongkaiError, match="other options"):
        batch.read_many(folder, executor="serial", journal=journal, resume=True, strict=True)


# --- the bar -------------------------------------------------------------------------------------------------


def test_the_bar_is_one_line_redrawn_in_place_with_rate_and_eta(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], no_tqdm: None
) -> None:
    _folder(tmp_path)
    result = batch.check_many(tmp_path, executor="serial", progress=True)
    assert len(result.files) == 6
    err = capsys.readouterr().err
    assert err.count("\n") == 1  # one line, redrawn with \r
    assert err.endswith("\n")
    assert err.startswith("\rchecking:   0% 0/6 [00:00<?, ?file/s]")
    assert re.fullmatch(r"checking: 100% 6/6 \[\d\d:\d\d<00:00, [\d.]+(file/s|s/file)\]\n", err.split("\r")[-1])
    batch.read_many(tmp_path, executor="serial", progress=True)
    assert capsys.readouterr().err.split("\r")[-1].startswith("reading: 100% 6/6 [")
    batch.read_many(tmp_path, executor="serial", progress=False)
    assert capsys.readouterr().err == ""


class _BrokenStream:
    writes = 0

    def write(self, text: str) -> int:
        _BrokenStream.writes += 1
        raise BrokenPipeError(32, "Broken pipe")

    def flush(self) -> None:
        raise BrokenPipeError(32, "Broken pipe")

    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("with_tqdm", [False, True])
def test_a_bar_that_cannot_be_drawn_never_stops_the_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, with_tqdm: bool
) -> None:
    names = _folder(tmp_path, 4)
    if with_tqdm:
        _fake_tqdm(monkeypatch, widgets=False)
        monkeypatch.setattr(_FakeTqdm, "update", _BrokenStream.write)
    else:
        monkeypatch.setattr(_progress, "_tqdm", lambda notebook: None)
    monkeypatch.setattr(sys, "stderr", _BrokenStream())
    _BrokenStream.writes = 0
    result = batch.check_many(tmp_path, executor="serial", progress=True)
    assert [Path(f.path).name for f in result.files] == names
    assert [Path(i.source).name for i in batch.iter_read(tmp_path, executor="serial", progress=True)] == names
    assert _BrokenStream.writes == 2  # the first failure turned each bar off


def test_files_from_the_journal_count_as_done_from_the_start(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], no_tqdm: None
) -> None:
    _folder(tmp_path)
    journal = tmp_path / "run.jsonl"
    for i, _ in enumerate(batch.iter_check(tmp_path / "", executor="serial", journal=journal)):
        if i == 3:
            break
    capsys.readouterr()
    batch.check_many(tmp_path, executor="serial", journal=journal, resume=True, progress=True)
    err = capsys.readouterr().err
    assert err.startswith("\rchecking:  66% 4/6 [")  # 4 finished before the interruption
    assert err.split("\r")[-1].startswith("checking: 100% 6/6 [")


def test_the_default_is_on_in_a_notebook_and_on_a_terminal_for_many_files(monkeypatch: pytest.MonkeyPatch) -> None:
    assert not _progress.in_notebook()  # pytest is no kernel
    assert _progress.wanted(True, 1)
    assert not _progress.wanted(False, 1000)
    monkeypatch.setattr(sys, "stderr", types.SimpleNamespace(isatty=lambda: True))
    assert _progress.wanted(None, _progress.TERMINAL_MIN + 1)
    assert not _progress.wanted(None, _progress.TERMINAL_MIN)
    monkeypatch.setattr(sys, "stderr", types.SimpleNamespace(isatty=lambda: False))
    assert not _progress.wanted(None, 1000)
    monkeypatch.setattr(_progress, "in_notebook", lambda: True)
    assert _progress.wanted(None, 2)
    assert not _progress.wanted(None, 0)


class _FakeTqdm:
    made: ClassVar[list[_FakeTqdm]] = []

    def __init__(self, **options: Any) -> None:
        self.options = options
        self.calls: list[str] = []
        _FakeTqdm.made.append(self)

    def update(self, n: int = 1) -> None:
        self.calls.append(f"update {n}")

    def clear(self) -> None:
        self.calls.append("clear")

    def refresh(self) -> None:
        self.calls.append("refresh")

    def close(self) -> None:
        self.calls.append("close")


def _fake_tqdm(monkeypatch: pytest.MonkeyPatch, *, widgets: bool) -> None:
    package = types.ModuleType("tqdm")
    auto = types.ModuleType("tqdm.auto")
    notebook = types.ModuleType("tqdm.notebook")
    auto.tqdm = _FakeTqdm  # type: ignore[attr-defined]
    notebook.IProgress = object if widgets else None  # type: ignore[attr-defined]
    for name, module in (("tqdm", package), ("tqdm.auto", auto), ("tqdm.notebook", notebook)):
        monkeypatch.setitem(sys.modules, name, module)
    _FakeTqdm.made.clear()


def test_tqdm_auto_draws_the_bar_when_installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _folder(tmp_path, 3)
    _fake_tqdm(monkeypatch, widgets=False)
    batch.check_many(tmp_path, executor="serial", progress=True)
    (bar,) = _FakeTqdm.made
    assert bar.options == {
        "total": 3, "initial": 0, "desc": "checking", "unit": "file", "file": sys.stderr, "dynamic_ncols": True,
    }  # fmt: skip
    assert bar.calls == ["update 1"] * 3 + ["close"]
    # in a notebook with ipywidgets: tqdm's widget; without, tqdm would print a chunk per redraw: our own output
    monkeypatch.setattr(_progress, "in_notebook", lambda: True)
    assert _progress._tqdm(notebook=True) is None
    _fake_tqdm(monkeypatch, widgets=True)
    assert _progress._tqdm(notebook=True) is _FakeTqdm
    batch.read_many(tmp_path, executor="serial")  # on by default in a notebook
    (bar,) = _FakeTqdm.made
    assert bar.options == {"total": 3, "initial": 0, "desc": "reading", "unit": "file"}  # stderr is no widget's


def test_the_bar_is_cleared_while_a_streamed_result_is_with_the_caller(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the caller prints between results (the CLI's lines) never runs into the bar on the terminal."""
    _folder(tmp_path, 3)
    _fake_tqdm(monkeypatch, widgets=False)
    monkeypatch.setattr(_progress, "_isatty", lambda stream: True)
    for result in batch.iter_check(tmp_path, executor="serial", progress=True):
        _FakeTqdm.made[0].calls.append(f"print {Path(result.path).name}")
    (bar,) = _FakeTqdm.made
    assert bar.calls == [
        *("update 1", "clear", "print r00.json", "refresh"),
        *("update 1", "clear", "print r01.json", "refresh"),
        *("update 1", "clear", "print r02.json", "refresh"),
        "close",
    ]
    batch.check_many(tmp_path, executor="serial", progress=True)  # nothing printed between: no flicker
    assert _FakeTqdm.made[-1].calls == ["update 1"] * 3 + ["close"]


# --- in a notebook ---------------------------------------------------------------------------------------------

_CELLS = [
    """
import pathlib, tempfile
import gongkai_model as gk
folder = pathlib.Path(tempfile.mkdtemp())
text = gk.dumps(gk.examples.seed_report())
for i in range(30):
    (folder / f"r{i:02d}.json").write_text(text, encoding="utf-8")
""",
    """
result = gk.check_many(folder, executor="serial")
print(result.summary()["ok"])
""",
    """
got = gk.read_many(folder, workers=2)
print(sum(i.ok for i in got))
""",
]


def test_in_a_notebook_the_progress_is_one_output_updated_in_place(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]))
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source.strip()) for source in _CELLS]
    NotebookClient(nb, timeout=60, kernel_name="python3", allow_errors=False).execute()
    for cell, word, printed in ((nb.cells[1], "checking", "30\n"), (nb.cells[2], "reading", "30\n")):
        outputs = cell.outputs
        streams = [o for o in outputs if o.output_type == "stream"]
        shown = [o for o in outputs if o.output_type in ("display_data", "execute_result")]
        assert [(o.name, o.text) for o in streams] == [("stdout", printed)]  # no chunk per file, no warning
        (bar,) = shown  # one output, updated in place: the bar
        data = bar["data"]
        if "application/vnd.jupyter.widget-view+json" in data:  # tqdm's widget (tqdm and ipywidgets installed)
            state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
            bars = [m["state"] for m in state.values() if m["model_name"] == "FloatProgressModel"]
            assert [(b["value"], b["max"]) for b in bars] == [(30, 30), (30, 30)]  # its last state: every file
            continue
        text = data["text/plain"]  # the library's own: its last state
        assert re.fullmatch(rf"{word}: 100% 30/30 \[\d\d:\d\d<00:00, [\d.]+(file/s|s/file)\]", text), text
        assert '<progress value="30" max="30">' in data["text/html"]


# --- the command line ------------------------------------------------------------------------------------------


def _file_lines(proc: subprocess.Popen[bytes], count: int, seconds: float) -> str:
    """The output once it holds ``count`` files' lines (their problems, indented below them, not counted)."""
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    data = b""
    deadline = time.monotonic() + seconds
    while len(re.findall(rb"^\S", data.rsplit(b"\n", 1)[0] if b"\n" in data else b"", re.MULTILINE)) < count:
        ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
        assert ready, f"no line came: {data!r}"
        chunk = os.read(fd, 65536)
        assert chunk, f"the output ended: {data!r}"
        data += chunk
    return data.decode("utf-8")


def test_check_order_finish_prints_a_line_as_its_file_finishes_and_ctrl_c_keeps_them(tmp_path: Path) -> None:
    """``--order finish``: no line waits for a slow file before it; Ctrl-C keeps every line printed (exit 130)."""
    from test_cli_check import _folder as cli_folder
    from test_cli_check import _gongkai

    cli_folder(tmp_path)  # a, b, c, d (unreadable), m-slow (hangs until told), z
    proc = _gongkai(tmp_path, "reports", "--order", "finish", "--jobs", "2")
    try:
        early = _file_lines(proc, 5, 60)
        files = [line for line in early.splitlines() if line and not line.startswith(" ")]
        # z.json too, although m-slow.json comes before it and has not finished
        names = sorted(line.split()[1].rstrip(":") for line in files)
        assert names == ["reports/a.json", "reports/b.json", "reports/c.json", "reports/d.json", "reports/z.json"]
        os.killpg(proc.pid, signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130
    text = early + out.decode("utf-8")
    assert re.search(r"^all +5$", text, re.MULTILINE)
    assert re.search(r"^unreadable +1$", text, re.MULTILINE)
    assert "interrupted: 5 of 6 file(s) checked" in err.decode("utf-8")
    assert "Traceback" not in err.decode("utf-8")


def test_check_on_a_terminal_keeps_the_lines_apart_from_the_bar(tmp_path: Path) -> None:
    """stdout and stderr on one terminal (a pty): each file's line starts a line of its own, never after the bar."""
    import fcntl
    import pty
    import struct
    import termios

    names = _folder(tmp_path, 4)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "COLUMNS": "200"}
    main, child = pty.openpty()
    # A terminal of 40 rows × 200 columns: a new pty is 0 × 0, and tqdm hides a bar below the last row.
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 200, 0, 0))
    proc = subprocess.Popen(
        [sys.executable, "-m", "gongkai_model", "check", ".", "--jobs", "1", "--progress"],
        cwd=tmp_path, env=env, stdin=subprocess.DEVNULL, stdout=child, stderr=child,
    )  # fmt: skip
    os.close(child)
    data = b""
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the terminal closed: the command is done
            break
        if not chunk:
            break
        data += chunk
    os.close(main)
    assert proc.wait(30) == 1
    pieces = re.split(r"[\r\n]", data.decode("utf-8"))
    for i, name in enumerate(names):
        status = "unreadable" if i % 3 == 2 else "ok"
        assert any(p.startswith(f"{status:<13} {name}") for p in pieces), (name, pieces)
    assert any(p.startswith("checking: 100% 4/4 [") or "4/4 [" in p for p in pieces)
