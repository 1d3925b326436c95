"""The pytest command line and environment of every mutation-stage pytest run, in one place.

Until `auditor/pytest_command.py` lands, this is the single builder the mutation stage uses (mutmut's
`pytest_add_cli_args`, the warm runner, fresh-process runs, the pseudo-tested fallback). It takes the
plugin neutralisation from the coverage run's `pytest_extra_args`, so the suite is run the same way
in both stages: no cache dir in the user's tree, no random reordering (`-p no:randomly`), benchmark
bodies run once.
"""

from __future__ import annotations

import os
from pathlib import Path

from auditor.coverage.runner import pytest_extra_args
from auditor.project import Project


def pytest_args(project: Project) -> list[str]:
    """Options for every pytest run of the mutation stage (before test selection)."""
    return [*pytest_extra_args(), *project.config.pytest_args]


def import_paths(mutants: Path) -> list[str]:
    """Where mutmut puts the mutated code on sys.path: `mutants/`, `mutants/src`, `mutants/source`."""
    return [str(p) for p in (mutants, mutants / "src", mutants / "source") if p.is_dir()]


def runner_env(mutants: Path, mutant: str = "") -> dict[str, str]:
    """Environment of a runner process and of every child process its tests start.

    The mutated copies come first on PYTHONPATH, so `python -m pkg.cli` started by a test imports
    the workspace's mutated code, and MUTANT_UNDER_TEST (set per mutant) reaches it. Bytecode
    caching is allowed: the workspace is ours.
    """
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["MUTANT_UNDER_TEST"] = mutant
    env["PY_IGNORE_IMPORTMISMATCH"] = "1"
    existing = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys([*import_paths(mutants), *existing]))
    return env
