"""The notebook walkthrough (docs/examples/walkthrough.ipynb) runs top to bottom on the real cases.

It is executed with nbclient in a fresh ipykernel (the `test` extra installs both, with pandas and
matplotlib), each cell within a bounded time; its outputs are what a reader sees.
"""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "docs" / "examples" / "walkthrough.ipynb"


def outputs(cell: nbformat.NotebookNode) -> list[dict[str, object]]:
    return [dict(o) for o in cell.get("outputs", [])]


def test_the_committed_notebook_is_clean() -> None:
    """Stored without outputs, so that what it shows is always what the library does now."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert len(code) >= 8
    assert all(not c.outputs and c.execution_count is None for c in code)


def test_the_walkthrough_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]))
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = NotebookClient(
        nb,
        timeout=60,
        kernel_name="python3",
        allow_errors=False,
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
    )
    client.execute()  # raises CellExecutionError, naming the cell, if any cell fails
    outs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert "error" not in {o.output_type for o in outs}
    html = [o.data["text/html"] for o in outs if "text/html" in o.get("data", {})]
    text = "".join(o.get("text", "") for o in outs)
    # the report as its three tables, then the verdict badge, frames and the comparison, as HTML
    assert html[0].count("<table") >= 3
    assert "沭阳县发展和改革局" in html[0]
    assert "沭阳县发展和改革局 2023 (2021 format), 200 cells found, 75 of 200 cells hold a figure, 0 read error(s)" in (
        text
    )
    assert "100 cells changed, 100 unchanged" in text  # 宿迁市 2023 → 2024
    assert any("table3.new_received.total" in h for h in html)  # the comparison's changed cells
    assert any("image/png" in o.get("data", {}) for o in outs)  # the plot
    # a folder checked: one short line, a bounded table of the files, frames with their source
    line = next(t for t in text.splitlines() if t.startswith("BatchResult(files="))
    assert len(line) < 4_000
    assert "unreadable=" in line
    batch = next(h for h in html if 'class="gongkai gk-batch"' in h)
    assert "shuyang-fagaiju-2023.html" in batch
    assert batch.count("<details>") >= 1
    assert len(batch) < 1_000_000
    assert any("shuyang-fagaiju-2023.html" in h and "<table" in h and "gk-batch" not in h for h in html)
