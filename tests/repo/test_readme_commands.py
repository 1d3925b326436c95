"""The README's two commands stay runnable as written, and CI runs exactly the second one.

The set-up command must end in a scan of the sample project; the test command must be the line
`.ci/run` executes. `scripts/run-tests` is exercised here with a stand-in interpreter (a shell
script that records how it was called), so its set-up logic is tested without a real install:
a missing venv is created with `python3` (or `$PYTHON`), the project is installed once per
`pyproject.toml` content, and pytest runs through the venv's interpreter with `--slow` and the
caller's arguments. The real, end-to-end timing of both commands on a fresh clone is in README.md.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "run-tests"
BASH_BLOCK = re.compile(r"^```bash\n(.*?)^```", re.MULTILINE | re.DOTALL)
FAKE_PYTHON = """#!/usr/bin/env bash
# stand-in interpreter: records its arguments; `-m venv DIR` makes DIR/bin/python a copy of itself
echo "$0 $*" >> "$CALLS"
if [ "$1" = "-c" ]; then exit 0; fi
if [ "$1" = "--version" ]; then echo "Python 3.11.0"; exit 0; fi
if [ "$1 $2" = "-m venv" ]; then mkdir -p "$3/bin" && cp "$0" "$3/bin/python"; exit 0; fi
exit 0
"""


def quick_start_commands() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return [block.strip() for block in BASH_BLOCK.findall(section)]


def test_the_quick_start_has_the_two_commands():
    setup, tests = quick_start_commands()
    assert setup.startswith("python3 -m venv .venv") and setup.endswith(
        "auditor scan sample_project/tests"
    )
    assert "\n" not in tests


def test_ci_runs_exactly_the_readme_test_command():
    _, tests = quick_start_commands()
    ci_lines = [line.strip() for line in (REPO / ".ci" / "run").read_text().splitlines()]
    assert tests in ci_lines


def test_the_script_is_executable_and_needs_no_python_command():
    assert SCRIPT.stat().st_mode & stat.S_IXUSR
    body = SCRIPT.read_text(encoding="utf-8")
    assert not re.search(r"(^|[\s;(])python(\s|$)", body), "use python3 or the venv's interpreter"


@pytest.fixture
def sandbox(tmp_path: Path) -> Path:
    """A copy of the script in a project that has only a pyproject.toml, and a fake python3."""
    project = tmp_path / "project"
    (project / "scripts").mkdir(parents=True)
    shutil.copy2(SCRIPT, project / "scripts" / "run-tests")
    (project / "pyproject.toml").write_text('[project]\nname = "x"\n')
    fake = tmp_path / "fakebin" / "python3"
    fake.parent.mkdir()
    fake.write_text(FAKE_PYTHON)
    fake.chmod(0o755)
    return project


def run(project: Path, *args: str, python: str | None = None) -> tuple[int, list[str], str]:
    calls = project.parent / "calls.txt"
    calls.unlink(missing_ok=True)
    env = {
        "PATH": f"{project.parent / 'fakebin'}:/usr/bin:/bin",
        "HOME": str(project.parent),
        "CALLS": str(calls),
    }
    if python is not None:
        env["PYTHON"] = python
    proc = subprocess.run(
        [str(project / "scripts" / "run-tests"), *args],
        cwd=project.parent,  # not the project: the script finds its own root
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    recorded = calls.read_text().splitlines() if calls.exists() else []
    recorded = [line.replace(f"{project}/", "") for line in recorded]  # relative to the project
    return proc.returncode, recorded, proc.stderr


def test_fresh_clone_creates_the_venv_installs_and_runs_pytest_slow(sandbox: Path):
    code, calls, err = run(sandbox, "-x", "-k", "static")
    assert code == 0, err
    venv_python = str(sandbox / ".venv" / "bin" / "python")
    assert any(c.endswith("python3 -m venv .venv") for c in calls)
    assert any(c.startswith(".venv/bin/python -m pip install") and '-e .[test]' in c for c in calls)
    assert calls[-1] == ".venv/bin/python -m pytest --slow -x -k static"
    assert os.path.isfile(venv_python)


def test_second_run_reuses_the_install_until_pyproject_changes(sandbox: Path):
    run(sandbox)
    code, calls, _ = run(sandbox)
    assert code == 0
    assert calls == [".venv/bin/python -m pytest --slow"]
    (sandbox / "pyproject.toml").write_text('[project]\nname = "x"\ndependencies = ["rich"]\n')
    _, calls, _ = run(sandbox)
    assert any("pip install" in c for c in calls) and calls[-1].endswith("-m pytest --slow")


def test_missing_python3_is_a_clear_error(sandbox: Path):
    code, calls, err = run(sandbox, python="python3-not-installed")
    assert code == 2
    assert "not found" in err and "Python 3.10+" in err
    assert calls == []
