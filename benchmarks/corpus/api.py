"""What other tests import: `ensure_project(name) -> ProjectHandle`, skipping when offline.

    from benchmarks.corpus import ensure_project

    @pytest.mark.slow
    def test_parse_coverage_matches_coverage_py():
        parse = ensure_project("parse")          # pytest.skip(reason) when PyPI is unreachable
        truth = parse.oracle()                   # cached JSON (see oracle.py)
        record = parse.scan(["--only", "coverage"])
        assert abs(record.scorecard["summary"]["line_coverage"]
                   - truth["coverage"]["line_percent"]) <= 1.0

The auditor used by `scan`/`python` is the checkout this file lives in (your branch), layered
on the shared venv without re-installing it (env.runner_python).
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import env, oracle, procs, registry, scan
from .registry import Project


@dataclass(frozen=True)
class ProjectHandle:
    """A set-up project: `pristine` source tree (read-only), `venv_python` (the shared venv),
    `python` (that venv with this checkout's auditor), and helpers that run on fresh copies."""

    project: Project
    pristine: Path
    venv_python: Path
    python: Path
    auditor: Path

    @property
    def name(self) -> str:
        return self.project.name

    @contextlib.contextmanager
    def fresh_tree(self) -> Iterator[Path]:
        """A fresh copy of the project at the path its venv has it installed (editable) from,
        held exclusively until the block ends; deleted afterwards."""
        with env.lock(self.project):
            work = env.refresh_work(self.project)
            try:
                yield work
            finally:
                import shutil

                shutil.rmtree(work, ignore_errors=True)

    def run(self, args: Sequence[str], cwd: Path, timeout: float = 600.0) -> procs.Completed:
        """`python ARGS` in `cwd` with the project's environment (no PYTHONPATH/PYTEST_* leaks)."""
        return procs.run(
            [str(self.python), *args], cwd=cwd, env=env.run_env(self.python), timeout=timeout
        )

    def oracle(self, force: bool = False) -> dict[str, Any]:
        """pytest / collect-only / coverage.py ground truth (cached; see oracle.py)."""
        return oracle.compute(self.project, self.venv_python, force=force)

    def scan(
        self,
        args: Sequence[str] = (),
        *,
        tests: str | None = None,
        timeout: float = 1800.0,
        max_mutants: int | None = None,
        label: str | None = None,
    ) -> scan.ScanRecord:
        """`auditor scan` (this checkout's) on a fresh copy; see scan.run_scan."""
        return scan.run_scan(
            self.project,
            self.python,
            list(args),
            auditor=self.auditor,
            tests=tests,
            timeout=timeout,
            max_mutants=max_mutants,
            label=label,
        )


def ensure_project(
    name: str, auditor: Path | None = None, python: str = sys.executable
) -> ProjectHandle:
    """Set up `name` if needed (download, verify, venv) and return its handle.

    Under pytest, a failure to download or install (no network, no PyPI) calls pytest.skip
    with the reason; elsewhere it raises env.SetupError. KeyError for an unknown project.
    """
    project = registry.get(name)
    repo = (auditor or env.REPO).resolve()
    try:
        if not env.venv_ready(project):
            env.setup(project, auditor=repo, python=python)
        runner = env.runner_python(project, repo)
        return ProjectHandle(project, env.pristine(project), env.venv_python(project), runner, repo)
    except env.SetupError as exc:
        if "pytest" in sys.modules:
            import pytest

            pytest.skip(f"corpus project {name} unavailable: {str(exc)[:300]}")
        raise
