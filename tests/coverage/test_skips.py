"""Skipped test modules: which tests they hold and which source files they would have tested."""

from __future__ import annotations

from pathlib import Path

from auditor.coverage.skips import skipped_modules
from auditor.project import load_project
from tests.coverage.conftest import write_tree

FILES = {
    "pyproject.toml": "",
    "pkg/__init__.py": "",
    "pkg/a.py": "def f():\n    return 1\n",
    "pkg/b.py": "def g():\n    return 2\n",
    "tests/test_a.py": "from pkg.a import f\n\ndef test_f():\n    pass\n\ndef helper():\n    pass\n",
    "tests/test_b.py": "import pkg.b\n\ndef test_g():\n    pass\n\ndef test_h():\n    pass\n",
}


def test_module_skipped_at_collection(tmp_path: Path) -> None:
    project = load_project(write_tree(tmp_path, FILES) / "tests")
    (only,) = skipped_modules(project, [{"id": "tests/test_a.py", "reason": "no numpy"}])
    assert (only.path, only.reason, only.tests, only.targets) == (
        "tests/test_a.py",
        "no numpy",
        ["test_f"],
        ["pkg/a.py"],
    )


def test_file_whose_every_test_was_skipped(tmp_path: Path) -> None:
    project = load_project(write_tree(tmp_path, FILES) / "tests")
    tests = [
        {"id": "tests/test_a.py::test_f", "outcome": "passed"},
        {"id": "tests/test_b.py::test_g", "outcome": "skipped", "reason": "needs a GPU"},
        {"id": "tests/test_b.py::test_h", "outcome": "skipped", "reason": "needs a GPU"},
    ]
    (only,) = skipped_modules(project, [], tests)
    assert (only.path, only.reason, only.targets) == ("tests/test_b.py", "needs a GPU", ["pkg/b.py"])


def test_class_level_skips_are_not_modules(tmp_path: Path) -> None:
    project = load_project(write_tree(tmp_path, FILES) / "tests")
    assert skipped_modules(project, [{"id": "tests/test_a.py::TestX", "reason": "x"}]) == []
