"""The workspace mirror and the generated mutmut config (no mutmut run: fast)."""

from __future__ import annotations

import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from auditor.mutation.workspace import MutmutSettings, prepare, sync_tree
from auditor.project import load_project


def _project(root: Path) -> Path:
    (root / "pkg").mkdir()
    (root / "pkg" / "__init__.py").write_text("")
    (root / "pkg" / "mod.py").write_text("def f(x):\n    return x + 1\n")
    (root / "tests").mkdir()
    (root / "tests" / "test_mod.py").write_text(
        "from pkg.mod import f\n\ndef test_f():\n    assert f(1) == 2\n"
    )
    (root / "data").mkdir()
    (root / "data" / "table.csv").write_text("a,b\n")
    (root / "conftest.py").write_text("")
    (root / ".git").mkdir()
    (root / ".git" / "HEAD").write_text("ref")
    (root / "pyproject.toml").write_text(
        '[project]\nname = "pkg"\n\n[tool.mutmut]\nsource_paths = ["elsewhere/"]\n\n'
        '[tool.pytest.ini_options]\naddopts = "-q"\n'
    )
    return root


def test_prepare_mirrors_the_tree_and_replaces_the_users_mutmut_table(tmp_path: Path) -> None:
    root = _project(tmp_path)
    ws, settings = prepare(load_project(root / "tests"))
    assert (ws / "data" / "table.csv").read_text() == "a,b\n"
    assert (ws / "conftest.py").is_file()
    assert not (ws / ".git").exists()
    config = tomllib.loads((ws / "pyproject.toml").read_text())
    assert config["tool"]["mutmut"]["source_paths"] == ["pkg/"]
    assert (
        config["tool"]["pytest"]["ini_options"]["addopts"] == "-q"
    )  # the user's pytest config kept
    assert config["tool"]["mutmut"]["pytest_add_cli_args_test_selection"] == ["tests/"]
    assert "data/" in settings.also_copy and "conftest.py" in settings.also_copy
    assert "-p" in settings.pytest_args and "no:cacheprovider" in settings.pytest_args
    # the user's own file is untouched
    assert 'source_paths = ["elsewhere/"]' in (root / "pyproject.toml").read_text()


def test_sync_rewrites_only_changed_files_and_removes_deleted_ones(tmp_path: Path) -> None:
    src, dst = tmp_path / "src", tmp_path / "dst"
    src.mkdir()
    (src / "a.py").write_text("a")
    (src / "b.py").write_text("b")
    assert sync_tree(src, dst, keep={"mutants"}) == 2
    (dst / "mutants").mkdir()
    (dst / "mutants" / "keep.txt").write_text("x")
    assert sync_tree(src, dst, keep={"mutants"}) == 0
    (src / "a.py").write_text("changed")
    (src / "b.py").unlink()
    assert sync_tree(src, dst, keep={"mutants"}) == 1
    assert (dst / "a.py").read_text() == "changed"
    assert not (dst / "b.py").exists()
    assert (dst / "mutants" / "keep.txt").exists()


def test_settings_toml_quotes_values_and_adds_forkserver_warmup() -> None:
    text = MutmutSettings(["src/"], ['we"ird/'], ["tests/"], [], "forkserver", 2.0, 0.5).to_toml()
    table = tomllib.loads(text)["tool"]["mutmut"]
    assert table["also_copy"] == ['we"ird/']
    assert table["process_isolation"] == "forkserver" and table["forkserver_warmup"] == "collect"
    assert table["timeout_multiplier"] == 2.0 and table["timeout_constant"] == 0.5


def test_mutation_runs_neutralise_the_same_plugins_as_the_coverage_run(tmp_path: Path) -> None:
    from auditor.mutation.command import pytest_args, runner_env
    from auditor.pytest_command import pytest_command

    root = _project(tmp_path)
    project = load_project(root / "tests")
    args = pytest_args(project)
    coverage_run = pytest_command(project, plugins=["auditor.coverage.plugin"]).args
    assert coverage_run[: len(args)] == args  # the same options, then the coverage plugin
    assert args[args.index("no:randomly") - 1] == "-p"
    ws, _ = prepare(project)
    table = tomllib.loads((ws / "pyproject.toml").read_text())["tool"]["mutmut"]
    assert table["pytest_add_cli_args"] == args  # mutmut's runs get the same drift fix
    env = runner_env(ws / "mutants", "pkg.mod.x_f__mutmut_1")
    assert "PYTHONDONTWRITEBYTECODE" not in env  # bytecode caching in our own workspace
    assert env["MUTANT_UNDER_TEST"] == "pkg.mod.x_f__mutmut_1"
