"""A src-layout project that is not installed still gets measured (its own tree, not a copy)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.slow
def test_uninstalled_src_layout_is_importable_and_measured(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'srcdemo'\n", encoding="utf-8")
    pkg = tmp_path / "src" / "srcdemo"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("", encoding="utf-8")
    (pkg / "core.py").write_text("def double(x):\n    return x * 2\n", encoding="utf-8")
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "test_core.py").write_text(
        "from srcdemo.core import double\n\ndef test_double():\n    assert double(2) == 4\n",
        encoding="utf-8",
    )
    proc = subprocess.run(
        [sys.executable, "-m", "auditor", "scan", "tests", "--only", "coverage", "--format", "json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    card = json.loads(proc.stdout)
    modules = {m["path"]: m for m in card["coverage"]}
    assert modules["src/srcdemo/core.py"]["covered"] == modules["src/srcdemo/core.py"]["statements"] == 2
    assert [t["id"] for t in card["tests"]] == ["tests/test_core.py::test_double"]
