"""The one pytest command of a flakiness run: options that change what runs are dropped."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.flaky.command import clean_addopts, invocation, reproduce
from auditor.project import load_project


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        (["-x", "-ra"], ["-ra"]),
        (["--maxfail=2", "--strict-markers"], ["--strict-markers"]),
        (["--maxfail", "2", "-q"], ["-q"]),
        (["-xvs"], ["-vs"]),
        (["-n", "auto", "--dist=loadscope"], []),
        (["-n4", "-v"], ["-v"]),
        (["-p", "randomly", "-p", "pytester"], ["-p", "pytester"]),
        (["--cov", "--cov-report=term"], []),
        (["--cov", "src", "-v"], ["-v"]),
        (["--cov=src", "--cov-branch", "-v"], ["-v"]),
        (["--lf", "--ff", "--sw", "--reruns", "3"], []),
        (["--randomly-seed=12", "-W", "error"], ["-W", "error"]),
        (
            ["--import-mode=importlib", "--doctest-modules"],
            ["--import-mode=importlib", "--doctest-modules"],
        ),
    ],
)
def test_clean_addopts(given: list[str], kept: list[str]) -> None:
    assert clean_addopts(given) == kept


def test_invocation_has_plugin_rootdir_and_cleaned_addopts(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.pytest.ini_options]\naddopts = "-x --strict-markers --reruns 3"\n',
        encoding="utf-8",
    )
    (tmp_path / "tests").mkdir()
    project = load_project(tmp_path / "tests")
    inv = invocation(project, results=tmp_path / "r.jsonl", order=None, targets=["tests"])
    argv = inv.argv
    assert argv[1:3] == ["-m", "pytest"]
    plugins = [argv[i + 1] for i, token in enumerate(argv) if token == "-p"]
    assert "auditor.flaky.plugin" in plugins and "no:randomly" in plugins
    assert f"--rootdir={project.root}" in argv
    assert "-x" not in argv and "--strict-markers" in argv  # -x dropped, the rest re-passed
    assert "--reruns" not in argv  # a rerun would hide the failure a flakiness run looks for
    assert argv[-1] == "tests"
    xdist = invocation(project, results=tmp_path / "r.jsonl", order=None, targets=[], xdist=2)
    if "-n" in xdist.argv:  # our own -n survives the filtering of the project's options
        assert xdist.argv[xdist.argv.index("-n") + 1] == "2"
    assert inv.env["AUDITOR_FLAKY_RESULTS"] == str(tmp_path / "r.jsonl")
    assert "AUDITOR_FLAKY_ORDER" not in inv.env and "AUDITOR_FLAKY_STATE" not in inv.env
    assert inv.env["PYTHONDONTWRITEBYTECODE"] == "1"
    assert inv.cwd == project.root


def test_reproduce_is_plain_pytest_in_the_given_order() -> None:
    assert reproduce(["t/a.py::p", "t/b.py::v[x y]"]) == (
        "python -m pytest -p no:randomly t/a.py::p 't/b.py::v[x y]'"
    )
    assert reproduce(["t/a.py::v"], xdist=2) == "python -m pytest -p no:randomly -n 2 t/a.py::v"
