"""The coverage verdict on a suite run: failing tests and import errors are exit-3 errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.api import StageFailed
from auditor.coverage.runner import SuiteRun
from auditor.coverage.stage import check_suite, collection_message
from auditor.project import load_project


def _project(tmp_path: Path):  # type: ignore[no-untyped-def]
    (tmp_path / "tests").mkdir()
    (tmp_path / "pyproject.toml").write_text("")
    return load_project(tmp_path / "tests")


def _run(**kwargs) -> SuiteRun:  # type: ignore[no-untyped-def]
    return SuiteRun(
        exit_code=kwargs.pop("exit_code", 0), data_file=Path("x"), rcfile=Path("y"), **kwargs
    )


def test_failing_tests_are_named(tmp_path: Path) -> None:
    tests = [
        {"id": "tests/t.py::test_ok", "outcome": "passed"},
        {"id": "tests/t.py::test_bad", "outcome": "failed"},
        {"id": "tests/t.py::test_fixture", "outcome": "error"},
    ]
    with pytest.raises(StageFailed) as info:
        check_suite(_project(tmp_path), _run(exit_code=1, tests=tests))
    assert "tests/t.py::test_bad, tests/t.py::test_fixture" in info.value.message
    assert "test_ok" not in info.value.message


def test_skips_and_xfails_are_not_failures(tmp_path: Path) -> None:
    tests = [
        {"id": "a", "outcome": "skipped"},
        {"id": "b", "outcome": "xfailed"},
        {"id": "c", "outcome": "passed"},
    ]
    check_suite(_project(tmp_path), _run(tests=tests))


def test_no_tests_collected_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(StageFailed, match="collected no tests"):
        check_suite(_project(tmp_path), _run(exit_code=5))


def test_missing_module_message_says_what_to_install() -> None:
    message = collection_message(
        [
            {
                "id": "tests/test_x.py",
                "message": "E   ModuleNotFoundError: No module named 'freezegun'",
            }
        ]
    )
    assert "'freezegun'" in message and "python -m pip install freezegun" in message


def test_other_collection_errors_quote_pytest() -> None:
    message = collection_message([{"id": "tests/test_x.py", "message": "E   SyntaxError: bad"}])
    assert "SyntaxError: bad" in message and "--collect-only" in message
