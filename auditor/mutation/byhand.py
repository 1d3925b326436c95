"""Plain pytest on a fresh copy of the project: the oracle a surviving mutant is verified against.

`Copies` makes one pristine mirror of the project tree (the mutation workspace's rules: no VCS,
venvs, caches or `.auditor/`) under `.auditor/mutation/verify/`, and a fresh copy of it for every
run, so nothing one run writes (files, caches) reaches another. `run_pytest` runs
`python -m pytest` in a copy with the project's own configuration (argv and environment from
`auditor.pytest_command`, the one builder of every pytest run), our observer plugin
(`auditor.mutation.verify_probe`) and a time limit, in its own process group.

The copy is imported the way plain pytest imports the project: `python -m pytest` puts its working
directory (the copy) first on `sys.path`; import roots below the root (an uninstalled `src/`
layout) are mapped into the copy. The probe records which file each mutated module was imported
from, so a run that tested another copy of the code (e.g. an installed package) is never taken
for a verdict.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from auditor.coverage import limits
from auditor.mutation.verify_probe import MODULES_ENV, PROBE_ENV
from auditor.mutation.workspace import sync_tree
from auditor.project import Project
from auditor.pytest_command import child_env, import_roots, pytest_args

PROBE_PLUGIN = "auditor.mutation.verify_probe"
OUTPUT_TAIL = 12  # lines of pytest output kept for a report


@dataclass
class HandRun:
    """What plain pytest did in one copy.

    `exit` is pytest's exit code (None when the run was stopped at its time limit: `timed_out`);
    `failed` the failing test ids in order; `passed` how many tests passed; `collect_errors` the
    collectors that failed; `files` module name -> the file it was imported from (None: not
    imported in the pytest process); `seconds` the wall time; `output` the end of its output.
    """

    exit: int | None
    timed_out: bool = False
    failed: list[str] = field(default_factory=list)
    passed: int = 0
    collect_errors: list[str] = field(default_factory=list)
    files: dict[str, str | None] = field(default_factory=dict)
    seconds: float = 0.0
    output: str = ""

    def foreign_imports(self, copy: Path) -> dict[str, str]:
        """Modules the run imported from outside `copy` (module -> file)."""
        root = copy.resolve()
        out: dict[str, str] = {}
        for module, file in self.files.items():
            if file and root not in Path(file).resolve().parents:
                out[module] = file
        return out


class Copies:
    """Fresh copies of the project for by-hand runs, under `base` (removed by `cleanup`)."""

    def __init__(self, project: Project, base: Path) -> None:
        self.project = project
        self.base = base
        self._template: Path | None = None
        self._count = 0
        self._lock = threading.Lock()

    def fresh(self, label: str) -> Path:
        """A new copy of the project tree named after `label` (made from a pristine mirror)."""
        with self._lock:
            if self._template is None:
                shutil.rmtree(self.base, ignore_errors=True)
                self._template = self.base / "template"
                sync_tree(self.project.root, self._template)
            self._count += 1
            dest = self.base / f"{self._count:03d}-{_safe(label)}"
        shutil.copytree(self._template, dest, symlinks=True)
        return dest

    def cleanup(self) -> None:
        shutil.rmtree(self.base, ignore_errors=True)


def _safe(label: str) -> str:
    text = "".join(c if c.isalnum() or c in "._-" else "_" for c in label)
    return text[-60:] or "copy"


def copy_env(project: Project, copy: Path) -> dict[str, str]:
    """`child_env` for a run inside `copy`: import roots below the project root are mapped into
    the copy (never the root itself: `python -m pytest` imports from its cwd), Hypothesis' example
    database is the copy's own (a fresh copy starts with none)."""
    env, _ = child_env(project)
    parts: list[str] = []
    root = project.root.resolve()
    for entry in import_roots(project):
        if entry == root:
            continue
        try:
            parts.append(str(copy / entry.relative_to(root)))
        except ValueError:
            parts.append(str(entry))
    existing = os.environ.get("PYTHONPATH")
    if existing:
        parts.append(existing)
    if parts:
        env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(parts))
    else:
        env.pop("PYTHONPATH", None)
    env["HYPOTHESIS_STORAGE_DIRECTORY"] = str(copy / ".hypothesis")
    return env


def run_pytest(
    project: Project,
    copy: Path,
    targets: list[str],
    *,
    limit: float,
    modules: Iterable[str] = (),
    deselect: Iterable[str] = (),
    stop_first: bool = True,
) -> HandRun:
    """Run plain pytest on `targets` (project-relative paths or node ids; [] = what the project's
    pytest collects) in `copy`, stopped after `limit` seconds (its whole process group).

    `modules` are reported in `HandRun.files`; `deselect` are node ids left out; `stop_first`
    stops at the first failing test (`-x`).
    """
    probe = copy.parent / f"{copy.name}.probe.json"
    probe.unlink(missing_ok=True)
    extra = ["--rootdir=.", "-q", "--tb=short"] + (["-x"] if stop_first else [])
    for test in deselect:
        extra += ["--deselect", test]
    args, _ = pytest_args(project, targets=targets, plugins=[PROBE_PLUGIN], extra=extra)
    env = copy_env(project, copy)
    env[PROBE_ENV] = str(probe)
    env[MODULES_ENV] = ",".join(modules)
    started = time.perf_counter()
    result = limits.run_group(
        [sys.executable, "-m", "pytest", *args], cwd=copy, env=env, limit=limit
    )
    seconds = round(time.perf_counter() - started, 3)
    tail = "\n".join(result.output.rstrip().splitlines()[-OUTPUT_TAIL:])
    if result.timed_out:
        return HandRun(None, timed_out=True, seconds=seconds, output=tail)
    run = HandRun(result.exit_code, seconds=seconds, output=tail)
    try:
        data = json.loads(probe.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return run  # pytest ended before its session finished (usage error, crash)
    run.failed = [str(t) for t in data.get("failed") or []]
    run.passed = int(data.get("passed") or 0)
    run.collect_errors = [str(t) for t in data.get("collect_errors") or []]
    run.files = {str(k): (str(v) if v else None) for k, v in (data.get("files") or {}).items()}
    return run
