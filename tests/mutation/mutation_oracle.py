"""Test oracles for mutation verdicts: a mutant applied by hand, and plain `mutmut run`.

- `by_hand(ws, mutant)`: copy the workspace (without `mutants/`), let mutmut's own `apply_mutant`
  write the mutant into the copied source, run plain `pytest` there: 1 = killed, 0 = survived.
- `plain_mutmut(ws)`: copy the workspace and run `mutmut run` in it (the `[tool.mutmut]` table we
  generated); returns mutant id -> mutmut's status class.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

CLASS_BY_CODE = {1: "killed", 3: "killed", 0: "survived", 5: "no tests", 33: "no tests"}
TIMEOUT_CODES = {-24, 24, 152, 36, 255}


def verdict_class(code: int | None) -> str:
    if code in TIMEOUT_CODES:
        return "timeout"
    return CLASS_BY_CODE.get(code, "other") if code is not None else "not checked"


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("MUTANT_UNDER_TEST", "PYTHONPATH")}
    return env


def _copy(ws: Path, target: Path) -> Path:
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(
        ws, target, ignore=shutil.ignore_patterns("mutants", "__pycache__", "*.log", ".auditor")
    )
    return target


def by_hand(ws: Path, mutant: str, scratch: Path, tests: str = "tests") -> int:
    """pytest's exit code with `mutant` applied to a fresh copy of the workspace's source:
    0 = every test passed (survived); 1 = a test failed, 2 = collection errors (killed)."""
    copy = _copy(ws, scratch / "by-hand")
    shutil.copytree(ws / "mutants", copy / "mutants")  # apply_mutant reads the generated copy
    apply = f"from mutmut.mutation.diff_apply import apply_mutant; apply_mutant({mutant!r})"
    subprocess.run([sys.executable, "-c", apply], cwd=copy, env=_env(), check=True)
    shutil.rmtree(copy / "mutants")
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", tests],
        cwd=copy,
        env=_env(),
        capture_output=True,
        check=False,
    )
    return proc.returncode


def plain_mutmut(ws: Path, scratch: Path) -> dict[str, str]:
    """Every mutant's status class from a plain `mutmut run` on a copy of the workspace."""
    copy = _copy(ws, scratch / "plain-mutmut")
    proc = subprocess.run(
        [sys.executable, "-m", "mutmut", "run", "--max-children", "2"],
        cwd=copy,
        env=_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-2000:]
    out: dict[str, str] = {}
    for meta in (copy / "mutants").rglob("*.py.meta"):
        for name, code in json.loads(meta.read_text())["exit_code_by_key"].items():
            out[name] = verdict_class(code)
    return out
