"""Time limit of the coverage run, derived from the last measured run, and a process-group runner.

The limit follows mutmut's rule for mutants (a multiple of the measured duration plus a constant):
`timeout-multiplier` x the last successful run's wall time + `timeout-constant` seconds, both
configurable under `[tool.auditor.coverage]`, or a fixed `timeout` there. Before any run was
measured the limit is `FIRST_RUN_SECONDS`.

`run_group` starts the command in its own process group and, on the limit, Ctrl-C or SIGTERM,
stops the whole group (pytest and every child it started), so nothing keeps spinning after auditor
exits. (This is the one call to switch to the shared `auditor.procs` runner once it exists.)
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

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
    """Run `cmd` in a new process group with its output in a temporary file; stop the group
    after `limit` seconds (exit code -9, `timed_out`) or when auditor is interrupted
    (KeyboardInterrupt is re-raised, SIGTERM exits 143, after the group is gone)."""
    with tempfile.TemporaryFile(mode="w+b") as out:
        proc = subprocess.Popen(
            cmd,
            cwd=cwd,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        timed_out = False
        with _terminate_group_on_sigterm(proc):
            try:
                proc.wait(timeout=limit)
            except subprocess.TimeoutExpired:
                timed_out = True
                stop_group(proc)
            except BaseException:
                stop_group(proc)
                raise
        out.seek(0)
        text = out.read().decode("utf-8", errors="replace")
    return GroupRun(exit_code=proc.returncode, output=text, timed_out=timed_out)


def stop_group(proc: subprocess.Popen[Any]) -> None:
    """SIGTERM to the whole group, SIGKILL after a grace period; reaps `proc`."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            continue
        if sig == signal.SIGTERM:
            # pytest is gone; children it left behind may still run
            with suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
        return


SIGTERM_EXIT = 128 + signal.SIGTERM  # the shell's convention for "terminated by SIGTERM"


@contextmanager
def _terminate_group_on_sigterm(proc: subprocess.Popen[Any]) -> Iterator[None]:
    """While the group runs, SIGTERM to auditor stops the group and exits with 143."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        stop_group(proc)
        raise SystemExit(SIGTERM_EXIT)

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
