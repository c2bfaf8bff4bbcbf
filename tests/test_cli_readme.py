"""The README's first command works as written (its command line part, here in the test's own environment)."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import gongkai_model as gk

ROOT = Path(__file__).resolve().parents[1]


def _quick_start_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.*?)\n```", section, re.DOTALL)


def test_the_first_command_makes_a_virtual_environment_then_runs_the_demo() -> None:
    first, second = _quick_start_commands()
    steps = [s.strip() for s in first.split("&&")]
    assert steps[0] == "python3 -m venv .venv"  # works where the system Python refuses global installs
    assert steps[1] == ". .venv/bin/activate"
    assert shlex.split(steps[2])[:2] == ["pip", "install"]
    assert shlex.split(steps[3])[:2] == ["gongkai", "demo"]
    assert second == "bash .ci/run"


def test_the_first_commands_cli_part_works(tmp_path: Path) -> None:
    first, _ = _quick_start_commands()
    demo = shlex.split(first.split("&&")[-1])
    assert demo[0] == "gongkai"
    out = demo[demo.index("--out") + 1]
    done = subprocess.run(
        [sys.executable, "-m", "gongkai_model", *demo[1:]],
        cwd=tmp_path,
        capture_output=True,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == b""
    folder = tmp_path / out
    assert gk.loads((folder / "report.json").read_text(encoding="utf-8")) == gk.examples.seed_report()
    for name in ("records.csv", "report.xlsx", "report.html", "report.md", "report.txt", "report.docx"):
        assert (folder / name).stat().st_size > 0
    assert f"wrote {out}/report.docx" in done.stdout.decode("utf-8")
