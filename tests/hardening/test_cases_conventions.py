"""Issue 12, the conventions a Python developer expects (as ruff, coverage.py and pytest do)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from hardening_projects import auditor, make_project

import auditor as auditor_package
from auditor import cli

REPO = Path(__file__).resolve().parents[2]


def test_case_no_color_quiet_verbose_on_every_sub_command():
    parser = cli.build_parser()
    commands = parser._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    assert set(commands) >= {"scan", "rules", "explain", "init", "history", "merge", "pr-comment",
                             "suggest", "explain-score"}
    for name, sub in commands.items():
        flags = {flag for action in sub._actions for flag in action.option_strings}
        assert {"--no-color", "--quiet", "--verbose"} <= flags, name


def test_case_py_typed_ships_with_the_package():
    assert (Path(auditor_package.__file__).parent / "py.typed").is_file()


def test_case_pre_commit_hook_runs_the_static_stage_on_test_files():
    text = (REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    assert "- id: auditor-static" in text
    entry = re.search(r"^\s*entry: (.+)$", text, re.M).group(1).split()
    assert entry[:4] == ["auditor", "scan", "--only", "static"]
    args = cli.build_parser().parse_args(entry[1:])  # the hook's flags are real flags
    assert args.only == {"static"} and dict(args.fail_under) == {"errors": 0.0}
    files = re.compile(re.search(r"^\s*files: (.+)$", text, re.M).group(1))
    assert files.search("tests/test_api.py") and files.search("pkg/tests/conftest.py")
    assert files.search("tests/api_test.py") and not files.search("pkg/api.py")


@pytest.mark.slow
def test_case_pre_commit_try_repo(tmp_path):
    pre_commit = shutil.which("pre-commit")
    if pre_commit is None:
        pytest.skip("pre-commit is not installed (pip install pre-commit)")
    tests = make_project(tmp_path)
    (tests / "test_bad.py").write_text("from calc import add\n\ndef test_x():\n    add(1, 2) == 3\n")
    git = ["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    subprocess.run([*git, "add", "."], check=True)
    env = {"PRE_COMMIT_HOME": str(tmp_path.parent / "pre-commit-home"), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([pre_commit, "try-repo", str(REPO), "auditor-static"], cwd=tmp_path,
                          capture_output=True, text=True, env=env, timeout=900, check=False)
    assert done.returncode == 1 and "errors is 1, at most 0 allowed" in done.stdout


def test_case_exit_zero_switch(tmp_path, capsys):
    tests = make_project(tmp_path, tests="from calc import add\n\ndef test_x():\n    add(1, 2) == 3\n")
    gate = ["--fail-under", "errors=0"]
    assert cli.main(["scan", str(tests), "--only", "static", "-q", *gate]) == 1
    assert cli.main(["scan", str(tests), "--only", "static", "-q", *gate, "--exit-zero"]) == 0
    assert "quality gate failed" in capsys.readouterr().err  # still reported


def test_case_sarif_uris_relative_to_the_repository_root(tmp_path):
    project = tmp_path / "pkg"
    project.mkdir()
    make_project(project, tests="from calc import add\n\ndef test_x():\n    add(1, 2) == 3\n")
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    sarif_path = tmp_path / "out.sarif"
    done = auditor("scan", "tests", "--only", "static", "-q", "--sarif", str(sarif_path), cwd=project)
    assert done.returncode == 0, done.stderr
    run = json.loads(sarif_path.read_text())["runs"][0]
    uris = {loc["physicalLocation"]["artifactLocation"]["uri"]
            for result in run["results"] for loc in result["locations"]}
    assert uris == {"pkg/tests/test_calc.py"}
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.resolve().as_uri() + "/"


@pytest.mark.slow
def test_case_empty_tests_directory_names_the_cause(tmp_path):
    tests = make_project(tmp_path)
    (tests / "test_calc.py").unlink()
    done = auditor("scan", "tests", "-q", "--skip", "mutation,properties", cwd=tmp_path)
    assert done.returncode == 3
    assert "there are no test files under tests" in done.stderr
    assert "Pass the directory that holds your tests" not in done.stderr


@pytest.mark.slow
def test_case_conftest_that_fails_to_import_names_the_cause(tmp_path):
    tests = make_project(tmp_path)
    (tests / "conftest.py").write_text("import not_installed_module_xyz\n")
    done = auditor("scan", "tests", "-q", "--skip", "mutation,properties", cwd=tmp_path)
    assert done.returncode == 3
    assert "pytest could not load tests/conftest.py" in done.stderr
    assert "not_installed_module_xyz" in done.stderr
    assert "Pass the directory that holds your tests" not in done.stderr
