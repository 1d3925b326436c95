"""Small projects on disk for the hardening tests (each under the test's tmp_path)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SOURCE = '''\
def add(a: int, b: int) -> int:
    return a + b


def is_adult(age: int) -> bool:
    return age >= 18
'''

TESTS = '''\
from calc import add, is_adult


def test_add():
    assert add(2, 3) == 5


def test_is_adult():
    assert is_adult(30)
    assert not is_adult(3)
'''


def make_project(root: Path, *, config: str = "", tests: str = TESTS) -> Path:
    """A flat project: calc/__init__.py, tests/test_calc.py, pyproject.toml (+ `config`).

    Returns the tests directory.
    """
    (root / "calc").mkdir(parents=True)
    (root / "calc" / "__init__.py").write_text(SOURCE, encoding="utf-8")
    (root / "tests").mkdir()
    (root / "tests" / "test_calc.py").write_text(tests, encoding="utf-8")
    (root / "pyproject.toml").write_text(
        "[project]\nname = 'calc'\nversion = '0.1'\n" + config, encoding="utf-8"
    )
    return root / "tests"


def auditor(*args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 300):
    """Run the real CLI (`python -m auditor ARGS`) and return the CompletedProcess."""
    full_env = dict(os.environ)
    full_env.pop("AUDITOR_CACHE_DIR", None)
    full_env.pop("AUDITOR_DEBUG", None)
    full_env["NO_COLOR"] = "1"
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "auditor", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def pid_alive(pid: int) -> bool:
    """True while process `pid` exists and is not a zombie."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as fh:
            return fh.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False
