"""Source discovery on real layouts: tests inside the package, testpaths globs, no tests/ dir."""

from __future__ import annotations

from pathlib import Path

from auditor.project import expand_testpaths, load_project


def _tree(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)


ISO = {
    "pyproject.toml": "[project]\nname = 'iso'\n",
    "iso/__init__.py": "",
    "iso/core.py": "X = 1\n",
    "iso/test_core.py": "def test_x(): pass\n",
    "iso/conftest.py": "",
}


def test_package_holding_its_own_tests_is_source_without_its_test_modules(tmp_path: Path) -> None:
    _tree(tmp_path, ISO)
    project = load_project(tmp_path / "iso")
    assert project.source_paths == [tmp_path / "iso"]
    assert [p.name for p in project.source_files()] == ["__init__.py", "core.py"]
    assert [p.name for p in project.test_modules_in_source()] == ["conftest.py", "test_core.py"]


def test_python_files_setting_decides_what_is_a_test_module(tmp_path: Path) -> None:
    _tree(
        tmp_path,
        {**ISO, "pytest.ini": "[pytest]\npython_files = check_*.py\n", "iso/check_a.py": ""},
    )
    project = load_project(tmp_path / "iso")
    assert [p.name for p in project.source_files()] == ["__init__.py", "core.py", "test_core.py"]


def test_without_tests_dir_or_testpaths_pytest_decides(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _tree(tmp_path, ISO)
    monkeypatch.chdir(tmp_path)
    project = load_project(None)
    assert project.tests_dirs == [tmp_path]
    assert project.pytest_targets() == []  # plain `pytest`: collect from the rootdir
    assert [p.name for p in project.source_files()] == ["__init__.py", "core.py"]


def test_explicit_tests_dir_is_passed_to_pytest(tmp_path: Path) -> None:
    _tree(tmp_path, {**ISO, "tests/test_a.py": ""})
    assert load_project(tmp_path / "tests").pytest_targets() == ["tests"]


def test_testpaths_globs_expand_like_pytest(tmp_path: Path) -> None:
    _tree(
        tmp_path,
        {
            "Tests/SystemData/test_b.py": "",
            "Tests/SystemData/test_a.py": "",
            "Tests/SystemData/sub/test_c.py": "",
            "other/test_d.py": "",
        },
    )
    found = expand_testpaths(tmp_path, ["Tests/SystemData/**.py", "missing/*", "other"])
    rel = [p.relative_to(tmp_path).as_posix() for p in found]
    assert rel == ["Tests/SystemData/test_a.py", "Tests/SystemData/test_b.py", "other"]


def test_tests_package_nested_in_the_source_is_not_source(tmp_path: Path) -> None:
    _tree(
        tmp_path,
        {
            "pyproject.toml": "",
            "vol/__init__.py": "",
            "vol/core.py": "",
            "vol/tests/__init__.py": "",
            "vol/tests/helpers.py": "",
            "vol/tests/tests.py": "",
        },
    )
    project = load_project(tmp_path / "vol" / "tests")
    assert project.source_paths == [tmp_path / "vol"]
    assert [p.name for p in project.source_files()] == ["__init__.py", "core.py"]


def test_test_files_of_a_package_holding_its_tests_are_its_test_modules(tmp_path: Path) -> None:
    _tree(tmp_path, ISO)
    project = load_project(tmp_path / "iso")
    assert [p.name for p in project.test_files()] == ["conftest.py", "test_core.py"]


def test_namespace_package_under_src_is_source(tmp_path: Path) -> None:
    _tree(
        tmp_path,
        {
            "pyproject.toml": "",
            "src/ns/app/__init__.py": "",
            "src/ns/app/core.py": "",
            "tests/test_a.py": "",
        },
    )
    project = load_project(tmp_path / "tests")
    assert project.source_paths == [tmp_path / "src" / "ns"]
    assert [p.name for p in project.source_files()] == ["__init__.py", "core.py"]


def test_no_source_found_is_a_clear_error_not_a_measurement_of_everything(tmp_path: Path) -> None:
    import pytest

    from auditor.coverage.runner import write_rcfile
    from auditor.errors import StageFailed

    _tree(tmp_path, {"pyproject.toml": "", "tests/test_a.py": ""})
    project = load_project(tmp_path / "tests")
    assert project.source_paths == []
    (project.state_dir / "coverage").mkdir(parents=True)
    with pytest.raises(StageFailed, match="no source package"):
        write_rcfile(project, project.state_dir / "coverage" / ".coverage")
