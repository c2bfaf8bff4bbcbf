"""The supervised pool's workers and the main module (issue 19): a worker imports the caller's main module only
when what it runs needs it, and the pool forks its workers from a server of its own.

Each test runs a small script in a fresh interpreter (the main module is what is under test): the script
logs every import of itself with the importing process's id, so the test sees who imported it.
"""

from __future__ import annotations

import functools
import json
import multiprocessing
import multiprocessing.queues
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import gongkai_model as gk
from gongkai_model.batch import _pool

_SRC = str(Path(gk.__file__).resolve().parent.parent)

_HEAD = """
import os, sys
from pathlib import Path
LOG = Path(sys.argv[1]) / "imports.log"
with open(LOG, "a") as fh:
    fh.write(f"{os.getpid()} {__name__}\\n")
import gongkai_model as gk
"""


def _corpus(folder: Path, count: int) -> None:
    for i in range(count):
        (folder / f"{i}.json").write_text(gk.dumps(gk.examples.seed_report()), encoding="utf-8")


def _run(tmp_path: Path, body: str) -> tuple[dict[str, object], list[tuple[int, str]]]:
    """Run ``_HEAD + body`` as a script (its last line prints a JSON answer); the answer and who imported it."""
    script = tmp_path / "script.py"
    script.write_text(_HEAD + textwrap.dedent(body), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (_SRC, os.environ.get("PYTHONPATH")) if p)}
    done = subprocess.run(
        [sys.executable, str(script), str(tmp_path)], capture_output=True, text=True, timeout=120, env=env, check=False
    )
    assert done.returncode == 0, done.stderr
    imports = [
        (int(pid), name) for pid, name in (line.split() for line in (tmp_path / "imports.log").read_text().splitlines())
    ]
    return json.loads(done.stdout.strip().splitlines()[-1]), imports


def test_workers_of_check_many_do_not_import_the_main_module(tmp_path: Path) -> None:
    """``check_many`` runs the library's own function: its workers never run the caller's script again."""
    _corpus(tmp_path, 6)
    answer, imports = _run(
        tmp_path,
        """
        if __name__ == "__main__":
            result = gk.batch.check_many(sys.argv[1], workers=2, progress=False)
            statuses = [f.status for f in result.files]
            print(__import__("json").dumps({"files": result.summary()["files"], "statuses": statuses}))
        """,
    )
    assert answer["files"] == 6
    assert set(answer["statuses"]) == {
        gk.check(gk.dumps(gk.examples.seed_report()).encode(), format="json").verdict.value
    }
    assert [name for _, name in imports] == ["__main__"]  # only the script itself, never a worker


def test_a_function_of_the_main_module_still_runs_in_workers(tmp_path: Path) -> None:
    """``map_files`` with a function defined in the script: its workers import the script, as any process pool does."""
    _corpus(tmp_path, 4)
    answer, imports = _run(
        tmp_path,
        """
        def size(path):
            return os.path.getsize(path)

        if __name__ == "__main__":
            outcomes = list(gk.batch.map_files(size, sys.argv[1], workers=2))
            values, causes = [o.value for o in outcomes], [o.cause for o in outcomes]
            print(__import__("json").dumps({"values": values, "causes": causes}))
        """,
    )
    assert answer["causes"] == [None] * 4
    assert answer["values"] == [(tmp_path / f"{i}.json").stat().st_size for i in range(4)]
    names = [name for _, name in imports]
    assert names[0] == "__main__"
    assert "__mp_main__" in names[1:]


def test_a_check_registered_at_the_top_of_the_script_runs_in_workers(tmp_path: Path) -> None:
    """A script that registers its own check at its top level: the workers import it (and so register the check)
    as before, and the check's findings come back."""
    _corpus(tmp_path, 3)
    answer, imports = _run(
        tmp_path,
        """
        from gongkai_model.checks import Finding, Severity, register

        @register("MY_SEEN", severity=Severity.INFO, title_en="Seen", title_zh="已见")
        def seen(ctx):
            yield Finding("MY_SEEN", Severity.INFO, "见", "seen")

        if __name__ == "__main__":
            result = gk.batch.check_many(sys.argv[1], workers=2, progress=False)
            print(__import__("json").dumps({"codes": [sorted({f.code for f in r.findings}) for r in result.files]}))
        """,
    )
    assert all("MY_SEEN" in codes for codes in answer["codes"])
    assert "__mp_main__" in [name for _, name in imports]


def test_only_the_library_and_the_standard_library_need_no_main_module() -> None:
    """What decides it: every object the worker's function is pickled with comes from the library or the standard
    library, and no check of the caller's is registered."""
    from gongkai_model import batch
    from gongkai_model.checks import Finding, Severity, define_check, using

    task, _, _ = batch._check_setup(False, False, False, None, {"/a.pdf": {"year": 2020}})
    assert not _pool._needs_main(task)
    assert not _pool._needs_main(functools.partial(json.loads, parse_float=str))
    assert _pool._needs_main(_corpus)  # a test module's function: not the library's
    assert _pool._needs_main(functools.partial(task, limits=_Mine()))
    assert _pool._needs_main(lambda path: path)

    @define_check("MY_TEST", severity=Severity.INFO, title_en="t", title_zh="t")
    def mine(ctx: object) -> list[Finding]:
        return []

    with using(mine):
        assert _pool._needs_main(task)
    assert not _pool._needs_main(task)


class _Mine:
    """An object of the caller's, sent with the function."""


def test_the_pool_leaves_the_process_wide_fork_server_alone() -> None:
    """The pool's server is its own: the process-wide preload list (a user's forkserver pools) is not changed."""
    import multiprocessing.forkserver as mfs

    before = list(mfs._forkserver._preload_modules)
    outcomes = list(gk.batch.map_files(os.path.basename, [gk.__file__], workers=1))
    assert [o.value for o in outcomes] == ["__init__.py"]
    assert mfs._forkserver._preload_modules == before
    if "forkserver" in multiprocessing.get_all_start_methods():
        assert _pool._SERVER is not None
        assert _pool._SERVER is not mfs._forkserver


def unpicklable(path: str) -> object:
    """A worker's function whose value cannot be sent back (a lock)."""
    import threading

    return threading.Lock()


def test_a_value_that_cannot_be_sent_back_is_that_files_error(tmp_path: Path) -> None:
    """The pipes send plain pickles: a value that no pickle takes is still the file's ``error``, said so."""
    _corpus(tmp_path, 2)
    outcomes = list(gk.batch.map_files(unpicklable, tmp_path, workers=1))
    assert [o.cause for o in outcomes] == ["error", "error"]
    assert all(o.message.startswith("the result cannot be sent back: TypeError") for o in outcomes)
    assert [o.value for o in gk.batch.map_files(os.path.basename, tmp_path, workers=1)] == ["0.json", "1.json"]


def _in_a_forked_copy(folder: str, answers: multiprocessing.queues.Queue[object]) -> None:
    try:
        answers.put([o.value for o in gk.batch.map_files(os.path.basename, folder, workers=1)])
    except BaseException as exc:  # the test says what went wrong
        answers.put(repr(exc))


def test_a_forked_copy_of_the_process_makes_a_server_of_its_own(tmp_path: Path) -> None:
    """A process forked after the pool's server started (a forking pool's worker running a batch) starts its own:
    the server it inherited is not its child."""
    _corpus(tmp_path, 2)
    assert [o.value for o in gk.batch.map_files(os.path.basename, tmp_path, workers=1)] == ["0.json", "1.json"]
    ctx = multiprocessing.get_context("fork")
    answers = ctx.Queue()
    child = ctx.Process(target=_in_a_forked_copy, args=(str(tmp_path), answers))
    child.start()
    try:
        assert answers.get(timeout=60) == ["0.json", "1.json"]
    finally:
        child.join(10)
