"""The pytest options and environment of the mutation stage's runs.

The options come from `auditor.pytest_command` (the one builder of every pytest run auditor starts),
so the runner neutralises exactly what the coverage run neutralises (xdist, pytest-cov, randomly,
`-x`, ...). The environment is `pytest_command.child_env`'s, adapted to the workspace: the mutated
copies first on PYTHONPATH, bytecode caching allowed (the workspace is ours).
"""

from __future__ import annotations

import os
from pathlib import Path

from auditor.project import Project
from auditor.pytest_command import child_env
from auditor.pytest_command import pytest_args as _pytest_args


def pytest_args(project: Project) -> list[str]:
    """Options for every pytest run of the mutation stage (before test selection)."""
    return _pytest_args(project)[0]


def base_env(project: Project) -> dict[str, str]:
    """`child_env` without the project's own import roots (the runner imports the workspace's
    mutated copies instead) and with bytecode caching allowed."""
    env, _ = child_env(project)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if os.environ.get("PYTHONPATH"):
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    else:
        env.pop("PYTHONPATH", None)
    return env


def import_paths(mutants: Path) -> list[str]:
    """Where mutmut puts the mutated code on sys.path: `mutants/`, `mutants/src`, `mutants/source`."""
    return [str(p) for p in (mutants, mutants / "src", mutants / "source") if p.is_dir()]


def runner_env(
    mutants: Path, mutant: str = "", base: dict[str, str] | None = None
) -> dict[str, str]:
    """Environment of a runner process and of every child process its tests start.

    The mutated copies come first on PYTHONPATH, so `python -m pkg.cli` started by a test imports
    the workspace's mutated code, and MUTANT_UNDER_TEST (set per mutant) reaches it. Bytecode
    caching is allowed: the workspace is ours.
    """
    env = dict(os.environ if base is None else base)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["MUTANT_UNDER_TEST"] = mutant
    env["PY_IGNORE_IMPORTMISMATCH"] = "1"
    existing = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys([*import_paths(mutants), *existing]))
    return env
