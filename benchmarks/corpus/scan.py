"""Run `auditor scan` on a fresh work tree of a project and keep what happened as JSON.

The scan runs as a user's would: in the project's directory, with its venv, `python -m auditor
scan [TESTS] --json FILE --no-color ARGS`. The only change made to the tree is an optional mutation
budget (`max_mutants` -> `[tool.auditor.mutation] max-mutants` appended to pyproject.toml).
Records go to scans/<name-version>/<label>.json (+ .scorecard.json, .log).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from . import env, procs
from .registry import Project


@dataclass
class ScanRecord:
    """One `auditor scan` run: exit code (None = killed at the time limit), wall seconds, and
    the scorecard (None when the scan wrote none)."""

    project: str
    label: str
    argv: list[str]
    exit_code: int | None
    seconds: float
    timed_out: bool
    traceback: bool
    tail: str
    auditor: str
    auditor_commit: str
    max_mutants: int | None
    created: str
    scorecard: dict[str, Any] | None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


_EXCEPTION_LINE = re.compile(r"^[│|\s]*(?:\w+\.)*\w+(?:Error|Exception): ", re.M)


def has_traceback(output: str) -> bool:
    """True when the output shows a Python traceback or an uncaught exception's last line (also
    inside a rich panel), e.g. `FileNotFoundError: Could not figure out ...`."""
    return "Traceback (most recent call last)" in output or bool(_EXCEPTION_LINE.search(output))


def label_for(args: list[str], max_mutants: int | None) -> str:
    """A file-name-safe label from the auditor arguments: `--only static,coverage` ->
    `only-static-coverage`; no arguments -> `full`; a budget adds `-m<N>`."""
    text = "-".join(a.lstrip("-") for a in args)
    label = re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-") or "full"
    return f"{label}-m{max_mutants}" if max_mutants else label


def add_budget(work: Path, max_mutants: int) -> None:
    """Append `[tool.auditor.mutation] max-mutants = N` to work/pyproject.toml (created if absent).
    Raises ValueError when the project already configures that table (we never edit theirs)."""
    pyproject = work / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8") if pyproject.is_file() else ""
    if re.search(r"^\[tool\.auditor\.mutation\]", text, re.M):
        raise ValueError(f"{pyproject} already has [tool.auditor.mutation]")
    pyproject.write_text(
        text.rstrip("\n") + f"\n\n[tool.auditor.mutation]\nmax-mutants = {max_mutants}\n",
        encoding="utf-8",
    )


def _commit(repo: Path) -> str:
    head = procs.run(["git", "-C", str(repo), "rev-parse", "--short", "HEAD"], timeout=30)
    dirty = procs.run(
        ["git", "-C", str(repo), "status", "--porcelain", "--", "auditor"], timeout=30
    )
    return head.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")


def scans_dir(project: Project) -> Path:
    return env.cache_root() / "scans" / project.key


def run_scan(
    project: Project,
    python: Path,
    args: list[str],
    *,
    auditor: Path,
    tests: str | None = None,
    timeout: float = 1800.0,
    max_mutants: int | None = None,
    label: str | None = None,
) -> ScanRecord:
    """Scan a fresh copy of `project` with the auditor importable by `python` (see
    env.runner_python); `tests` defaults to the registry's (the argument a user would type)."""
    label = label or label_for(args, max_mutants)
    folder = scans_dir(project)
    folder.mkdir(parents=True, exist_ok=True)
    scorecard_path = folder / f"{label}.scorecard.json"
    scorecard_path.unlink(missing_ok=True)
    tests = project.tests if tests is None else tests
    argv = [
        str(python),
        "-m",
        "auditor",
        "scan",
        *([tests] if tests else []),
        "--json",
        str(scorecard_path),
        "--no-color",
        *args,
    ]
    with env.lock(project):
        work = env.refresh_work(project)
        if max_mutants:
            add_budget(work, max_mutants)
        done = procs.run(argv, cwd=work, env=env.run_env(python), timeout=timeout)
        shutil.rmtree(work, ignore_errors=True)
    output = done.stdout + "\n" + done.stderr
    (folder / f"{label}.log").write_text(
        f"$ {' '.join(argv)}\n# exit {done.returncode} in {done.seconds}s\n{output}"
    )
    scorecard = json.loads(scorecard_path.read_text()) if scorecard_path.is_file() else None
    record = ScanRecord(
        project=project.key,
        label=label,
        argv=["python", *argv[1:]],
        exit_code=done.returncode,
        seconds=done.seconds,
        timed_out=done.timed_out,
        traceback=has_traceback(output),
        tail=done.tail(40),
        auditor=str(auditor),
        auditor_commit=_commit(auditor),
        max_mutants=max_mutants,
        created=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        scorecard=scorecard,
    )
    (folder / f"{label}.json").write_text(json.dumps(record.to_json(), indent=1))
    return record


def load(project: Project, label: str) -> dict[str, Any] | None:
    """The saved record of `project`'s scan with `label`, or None."""
    path = scans_dir(project) / f"{label}.json"
    return json.loads(path.read_text()) if path.is_file() else None
