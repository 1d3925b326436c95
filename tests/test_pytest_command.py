"""The pytest command builder: what it keeps, what it overrides (and says why), and the child env."""

from __future__ import annotations

import os
import shlex
from pathlib import Path

import pytest

from auditor.project import load_project
from auditor.pytest_command import (
    CACHE,
    COV,
    DEBUG,
    ORDER,
    REPORT,
    STOP,
    XDIST,
    neutralise,
    pytest_command,
)


@pytest.mark.parametrize(
    ("args", "kept", "dropped"),
    [
        ("-n 2", "", [("-n 2", XDIST)]),
        ("-n2 -ra", "-ra", [("-n2", XDIST)]),
        (
            "--numprocesses=auto --dist loadscope -q",
            "-q",
            [("--numprocesses=auto", XDIST), ("--dist loadscope", XDIST)],
        ),
        ("-p xdist -v", "-v", [("-p xdist", XDIST)]),
        (
            "--cov=pkg --cov-branch --cov-report=term-missing --cov-fail-under=95",
            "",
            [
                ("--cov=pkg", COV),
                ("--cov-branch", COV),
                ("--cov-report=term-missing", COV),
                ("--cov-fail-under=95", COV),
            ],
        ),
        ("--cov --strict-markers", "--strict-markers", [("--cov", COV)]),
        ("--cov pkg tests", "tests", [("--cov pkg", COV)]),  # argparse: optional value consumed
        (
            "--cov-report term --no-cov-on-fail",
            "",
            [("--cov-report term", COV), ("--no-cov-on-fail", COV)],
        ),
        (
            "-p randomly --randomly-seed=3",
            "",
            [("-p randomly", ORDER), ("--randomly-seed=3", ORDER)],
        ),
        (
            "--lf --ff --sw --nf",
            "",
            [("--lf", CACHE), ("--ff", CACHE), ("--sw", CACHE), ("--nf", CACHE)],
        ),
        (
            "-x --maxfail 3 --exitfirst",
            "",
            [("-x", STOP), ("--maxfail 3", STOP), ("--exitfirst", STOP)],
        ),
        ("-vx", "-v", [("-x", STOP)]),
        ("-xvs", "-vs", [("-x", STOP)]),
        (
            "--pdb --pdbcls=IPython.terminal.debugger:Pdb",
            "",
            [("--pdb", DEBUG), ("--pdbcls=IPython.terminal.debugger:Pdb", DEBUG)],
        ),
        ("--junitxml=out.xml -rA", "-rA", [("--junitxml=out.xml", REPORT)]),
        # kept as written: values that look like dropped options, -k/-m expressions, plugins we do not touch
        (
            "-k 'not -x' -m slow -p pytester -W error --doctest-modules",
            "-k 'not -x' -m slow -p pytester -W error --doctest-modules",
            [],
        ),
        ("-rx --tb=short -o xfail_strict=true", "-rx --tb=short -o xfail_strict=true", []),
        ("-p no:xdist --strict-config", "-p no:xdist --strict-config", []),
    ],
)
def test_neutralise(args: str, kept: str, dropped: list[tuple[str, str]]) -> None:
    out, overrides = neutralise(shlex.split(args), "addopts in pytest.ini")
    assert out == shlex.split(kept)
    assert [(o.option, o.reason) for o in overrides] == dropped
    assert all(o.source == "addopts in pytest.ini" for o in overrides)


def _project(tmp_path: Path, ini: str, pyproject: str = "") -> object:
    (tmp_path / "tests").mkdir()
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    if ini:
        (tmp_path / "pytest.ini").write_text(ini)
    (tmp_path / "pyproject.toml").write_text(pyproject)
    return load_project(tmp_path / "tests")


def test_command_empties_addopts_and_repasses_what_it_keeps(tmp_path: Path) -> None:
    project = _project(tmp_path, "[pytest]\naddopts = -n 2 -ra --strict-markers --cov=pkg\n")
    cmd = pytest_command(project, targets=["tests"], plugins=["auditor.coverage.plugin"])  # type: ignore[arg-type]
    at = cmd.args.index("-o")
    assert cmd.args[at : at + 4] == ["-o", "addopts=", "-ra", "--strict-markers"]
    assert cmd.args[-3:] == ["-p", "auditor.coverage.plugin", "tests"]
    assert {o.option for o in cmd.overrides} == {"-n 2", "--cov=pkg"}
    assert {o.source for o in cmd.overrides} == {"addopts in pytest.ini"}


def test_no_addopts_no_override_flag(tmp_path: Path) -> None:
    project = _project(tmp_path, "")
    cmd = pytest_command(project)  # type: ignore[arg-type]
    assert "addopts=" not in cmd.args
    assert cmd.overrides == []


def test_auditor_pytest_args_and_env_addopts_are_filtered(tmp_path: Path) -> None:
    project = _project(
        tmp_path, "", '[tool.auditor]\npytest-args = ["--lf", "--deselect", "tests/t.py::x"]\n'
    )
    env = {"PYTEST_ADDOPTS": "-x -q --cov=pkg", "PATH": os.environ.get("PATH", "")}
    cmd = pytest_command(project, env=env)  # type: ignore[arg-type]
    assert cmd.args[-2:] == ["--deselect", "tests/t.py::x"]
    assert cmd.env["PYTEST_ADDOPTS"] == "-q"
    assert [(o.option, o.source) for o in cmd.overrides] == [
        ("--lf", "[tool.auditor] pytest-args"),
        ("-x", "PYTEST_ADDOPTS"),
        ("--cov=pkg", "PYTEST_ADDOPTS"),
    ]


def test_env_never_puts_the_project_root_on_pythonpath(tmp_path: Path) -> None:
    project = _project(tmp_path, "")
    cmd = pytest_command(project, env={})  # type: ignore[arg-type]
    assert str(tmp_path) not in cmd.env.get("PYTHONPATH", "").split(os.pathsep)
    assert cmd.env["PYTHONDONTWRITEBYTECODE"] == "1"
    assert cmd.env["COVERAGE_CORE"] == "ctrace"


def test_src_layout_root_goes_on_pythonpath(tmp_path: Path) -> None:
    (tmp_path / "src" / "pkg").mkdir(parents=True)
    (tmp_path / "src" / "pkg" / "__init__.py").write_text("")
    (tmp_path / "tests").mkdir()
    (tmp_path / "pyproject.toml").write_text("")
    project = load_project(tmp_path / "tests")
    cmd = pytest_command(project, env={"PYTHONPATH": "/elsewhere"})
    assert cmd.env["PYTHONPATH"].split(os.pathsep) == [
        str((tmp_path / "src").resolve()),
        "/elsewhere",
    ]


def test_native_tool_pytest_table_of_pytest_9(tmp_path: Path) -> None:
    project = _project(
        tmp_path, "", '[tool.pytest]\naddopts = ["-n", "auto", "--doctest-modules"]\n'
    )
    cmd = pytest_command(project)  # type: ignore[arg-type]
    at = cmd.args.index("-o")
    assert cmd.args[at : at + 3] == ["-o", "addopts=", "--doctest-modules"]
    assert [o.option for o in cmd.overrides] == ["-n auto"]
