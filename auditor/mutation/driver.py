"""Run mutmut as a subprocess in the workspace, with a progress bar read from its `.meta` files.

mutmut's stdout is a `\\r` spinner meant for humans; progress is taken from the `.meta` files it
rewrites after every mutant. Ctrl-C reaches mutmut too (same process group); we wait for it to save
and exit, so every finished result stays on disk and the next scan resumes from there.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from auditor.mutation.results import read_all

POLL_SECONDS = 0.5


@dataclass
class MutmutRun:
    exit_code: int
    output: str
    seconds: float

    @property
    def clean_run_failed(self) -> bool:
        return "Failed to run clean test" in self.output

    def tail(self, lines: int = 12) -> str:
        kept = [ln.strip() for ln in self.output.replace("\r", "\n").splitlines() if ln.strip()]
        return "\n".join(kept[-lines:])


def mutmut_env() -> dict[str, str]:
    """Our environment minus an inherited active mutant; bytecode caching stays on (the
    workspace is ours, and recompiling the large mutated files in every child costs 2x)."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("MUTANT_UNDER_TEST", None)
    return env


def mutmut_command(names: list[str], jobs: int) -> list[str]:
    return [sys.executable, "-m", "mutmut", "run", "--max-children", str(jobs), *names]


def run(ws: Path, names: list[str], jobs: int, console: Any = None) -> MutmutRun:
    """`mutmut run --max-children N NAMES...`; names are always re-run by mutmut."""
    log_path = ws / "mutmut-run.log"
    started = time.perf_counter()
    wanted = set(names)
    with log_path.open("w", encoding="utf-8") as log:
        proc = subprocess.Popen(
            mutmut_command(names, jobs),
            cwd=ws,
            env=mutmut_env(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait(proc, ws / "mutants", wanted, console)
        except KeyboardInterrupt:
            _stop(proc)
            raise
    output = log_path.read_text(encoding="utf-8", errors="replace")
    return MutmutRun(proc.returncode, output, time.perf_counter() - started)


def _done(mutants_dir: Path, wanted: set[str]) -> int:
    try:
        return sum(1 for m in read_all(mutants_dir) if m.name in wanted and m.exit_code is not None)
    except (OSError, ValueError):
        return 0  # a .meta file being rewritten right now; try again at the next poll


def _wait(proc: subprocess.Popen[bytes], mutants_dir: Path, wanted: set[str], console: Any) -> None:
    if console is None:
        proc.wait()
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    columns = (TextColumn("mutation"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("mutants", total=len(wanted))
        while proc.poll() is None:
            progress.update(task, completed=_done(mutants_dir, wanted))
            time.sleep(POLL_SECONDS)
        progress.update(task, completed=_done(mutants_dir, wanted))


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """mutmut got the same SIGINT; give it time to save, then make sure it is gone."""
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
