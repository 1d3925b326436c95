"""Run the project's pytest suite once under coverage.py with per-test contexts.

`coverage run -m pytest -p auditor.coverage.plugin` rather than starting coverage from inside a
plugin: coverage is then active before conftest files import the project, so import-time lines are
measured like `coverage run` users expect. `COVERAGE_CORE=ctrace` is forced because the sysmon core
silently attributes each line to the first test only (docs/coverage.md).
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditor.project import Project

STATS_PLUGIN = "auditor.properties.stats_plugin"


@dataclass
class SuiteRun:
    """What one instrumented pytest run produced."""

    exit_code: int
    data_file: Path
    rcfile: Path
    tests: list[dict[str, Any]] = field(default_factory=list)
    collect_errors: list[dict[str, Any]] = field(default_factory=list)
    output: str = ""


def coverage_dir(project: Project) -> Path:
    return project.state_dir / "coverage"


def write_rcfile(project: Project, data_file: Path) -> Path:
    """Our own rcfile: measure only the project's source, with branches, on the ctrace core."""
    rc = coverage_dir(project) / "coveragerc"
    dirs = [p for p in project.source_paths if p.is_dir()]
    files = [p for p in project.source_paths if not p.is_dir()]
    lines = ["[run]", "branch = True", f"data_file = {data_file}", "core = ctrace"]
    if files:
        patterns = [str(d.resolve() / "*") for d in dirs] + [str(f.resolve()) for f in files]
        lines.append("include =\n" + "\n".join(f"    {p}" for p in patterns))
    else:
        lines.append("source =\n" + "\n".join(f"    {d.resolve()}" for d in dirs))
    lines += [
        "",
        "[report]",
        "exclude_lines =",
        "    pragma: no cover",
        "    if TYPE_CHECKING:",
        "",
    ]
    rc.write_text("\n".join(lines), encoding="utf-8")
    return rc


def pytest_extra_args() -> list[str]:
    """Arguments every auditor pytest run needs: no cache dir in the user's tree, no reordering."""
    args = ["-p", "no:cacheprovider", "-p", "no:randomly"]
    if importlib.util.find_spec("pytest_benchmark") is not None:
        args.append("--benchmark-disable")
    return args


def child_env(project: Project) -> dict[str, str]:
    """Environment for subprocesses that run the user's tests: write nothing into their tree."""
    env = dict(os.environ)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["COVERAGE_CORE"] = "ctrace"
    env.setdefault("HYPOTHESIS_STORAGE_DIRECTORY", str(project.state_dir / "hypothesis"))
    # src layouts: make the code under test importable without an install (as mutmut does with
    # mutants/src), and make sure it is *this* tree's code that runs, not an installed copy
    roots = [str(r) for r in import_roots(project) if r != project.root]
    if roots:
        env["PYTHONPATH"] = os.pathsep.join(roots + [p for p in [env.get("PYTHONPATH")] if p])
    return env


def import_roots(project: Project) -> list[Path]:
    """Directories to put on sys.path so the source packages import by their normal names."""
    roots: list[Path] = []
    for source in project.source_paths:
        parent = source.resolve().parent
        if parent not in roots:
            roots.append(parent)
    return roots


def run_suite(project: Project) -> SuiteRun:
    out_dir = coverage_dir(project)
    out_dir.mkdir(parents=True, exist_ok=True)
    data_file = out_dir / ".coverage"
    data_file.unlink(missing_ok=True)
    log = out_dir / "tests.jsonl"
    log.unlink(missing_ok=True)
    rc = write_rcfile(project, data_file)
    env = child_env(project)
    env["AUDITOR_TEST_LOG"] = str(log)
    cmd = [
        sys.executable,
        "-m",
        "coverage",
        "run",
        f"--rcfile={rc}",
        "-m",
        "pytest",
        "-p",
        "auditor.coverage.plugin",
        *pytest_extra_args(),
    ]
    if importlib.util.find_spec(STATS_PLUGIN) is not None:
        stats = out_dir / "hypothesis-stats.jsonl"
        stats.unlink(missing_ok=True)
        env["AUDITOR_STATS_FILE"] = str(stats)
        cmd += ["-p", STATS_PLUGIN]
    cmd += [*project.config.pytest_args, *(project.rel(t) for t in project.tests_dirs)]
    proc = subprocess.run(
        cmd, cwd=project.root, env=env, capture_output=True, text=True, check=False
    )
    output = proc.stdout + proc.stderr
    (out_dir / "pytest.log").write_text(output, encoding="utf-8")
    records = _read_jsonl(log)
    return SuiteRun(
        exit_code=proc.returncode,
        data_file=data_file,
        rcfile=rc,
        tests=[r for r in records if r.get("kind") == "test"],
        collect_errors=[r for r in records if r.get("kind") == "collect_error"],
        output=output,
    )


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line:
            out.append(json.loads(line))
    return out
