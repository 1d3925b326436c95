"""Time limit of the coverage run, derived from the last measured run, and a process-group runner.

The limit follows mutmut's rule for mutants (a multiple of the measured duration plus a constant):
`timeout-multiplier` x the last successful run's wall time + `timeout-constant` seconds, both
configurable under `[tool.auditor.coverage]`, or a fixed `timeout` there. Before any run was
measured the limit is `FIRST_RUN_SECONDS`.

`run_group` starts the command in its own process group and, on the limit, Ctrl-C or SIGTERM,
stops the whole group (pytest and every child it started), so nothing keeps spinning after auditor
exits. It is `auditor.procs.run`, the runner every subprocess of auditor uses.
"""

from __future__ import annotations

import json
import signal
from dataclasses import dataclass
from pathlib import Path

from auditor import procs
from auditor.project import Project

FIRST_RUN_SECONDS = 1800.0
GRACE_SECONDS = 5.0


def _baseline_path(project: Project) -> Path:
    return project.state_dir / "coverage" / "baseline.json"


def save_baseline(project: Project, seconds: float) -> None:
    """Remember the wall time (s) of a coverage run that finished on its own."""
    path = _baseline_path(project)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"seconds": round(seconds, 3)}), encoding="utf-8")


def baseline(project: Project) -> float | None:
    """Wall time (s) of the last coverage run that finished on its own, or None."""
    try:
        value = json.loads(_baseline_path(project).read_text(encoding="utf-8"))["seconds"]
        return float(value)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def suite_limit(project: Project) -> float:
    """Seconds the coverage run may take: `timeout` if configured, else multiplier x baseline +
    constant, else `FIRST_RUN_SECONDS`."""
    table = project.config.coverage
    if table.timeout is not None:
        return float(table.timeout)
    measured = baseline(project)
    if measured is None:
        return FIRST_RUN_SECONDS
    return float(table.timeout_multiplier) * measured + float(table.timeout_constant)


@dataclass
class GroupRun:
    exit_code: int
    output: str
    timed_out: bool = False


def run_group(cmd: list[str], *, cwd: Path, env: dict[str, str], limit: float) -> GroupRun:
    """Run `cmd` in a new process group (`auditor.procs`); stop the whole group after `limit`
    seconds (`timed_out`) or when auditor is interrupted (Ctrl-C, or SIGTERM through the CLI's
    handlers: the exception is re-raised after the group is gone)."""
    done = procs.run(
        cmd, cwd=cwd, env=env, timeout=limit, grace=GRACE_SECONDS, timeout_signal=signal.SIGTERM
    )
    return GroupRun(exit_code=done.exit_code, output=done.output, timed_out=done.timed_out)
