"""The one optional-dependency import helper (issue 15, item 6)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import gongkai_model as gk
from gongkai_model._optional import import_optional, install_hint, is_installed
from gongkai_model.batch import to_parquet
from gongkai_model.errors import GongkaiError, ReadError


def test_present_module_is_returned() -> None:
    assert import_optional("json", "x", purpose="testing") is sys.modules["json"]
    assert is_installed("json")


def test_missing_module_raises_the_given_error_naming_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "gk_absent", None)  # `import gk_absent` raises ImportError
    with pytest.raises(ReadError) as info:
        import_optional("gk_absent", "absent", package="gk-absent", purpose="reading X", error=ReadError)
    assert str(info.value).startswith("gk-absent is not installed")
    (problem,) = info.value.problems
    assert problem.location == "gk_absent"
    assert problem.message == "reading X needs gk-absent; install it with: pip install 'gongkai-model[absent]'"
    assert not is_installed("gk_absent")


def test_missing_submodule_counts_as_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "json.gk_absent", None)
    with pytest.raises(GongkaiError, match=r"gongkai-model\[j\]") as info:
        import_optional("json", "j", purpose="p", also=("gk_absent",), where="here")
    assert type(info.value) is GongkaiError
    assert info.value.problems[0].location == "here"


def test_missing_pyarrow_names_the_parquet_extra(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    with pytest.raises(GongkaiError, match=r"pip install 'gongkai-model\[parquet\]'"):
        to_parquet([gk.examples.seed_report()], tmp_path)


def test_install_hint() -> None:
    assert install_hint("pdf") == "pip install 'gongkai-model[pdf]'"
