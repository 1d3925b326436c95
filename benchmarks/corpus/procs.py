"""Run a command with a time limit; on timeout (or Ctrl-C) kill its whole process group."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Completed:
    """What one command did: `returncode` is None when it was killed at `timeout` seconds."""

    argv: tuple[str, ...]
    returncode: int | None
    seconds: float
    stdout: str
    stderr: str
    timed_out: bool

    def tail(self, lines: int = 30) -> str:
        """The last `lines` lines of stdout and stderr together (for reports)."""
        text = (self.stdout + ("\n" + self.stderr if self.stderr else "")).rstrip()
        return "\n".join(text.splitlines()[-lines:])


def _kill_group(proc: subprocess.Popen[str]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=5)
    with contextlib.suppress(ProcessLookupError):  # children that ignored SIGTERM
        os.killpg(proc.pid, signal.SIGKILL)


def run(
    argv: Sequence[str],
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 1800.0,
    stdin: str | None = None,
) -> Completed:
    """Run `argv` in its own session (process group), capturing text output.

    The command and everything it starts are killed (SIGTERM, then SIGKILL after 5 s) when
    `timeout` seconds pass or when the caller is interrupted; `Completed.timed_out` says which.
    Raises FileNotFoundError when the executable does not exist.
    """
    start = time.monotonic()
    proc = subprocess.Popen(
        list(argv),
        cwd=cwd,
        env=dict(env) if env is not None else None,
        stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        errors="replace",
        start_new_session=True,
    )
    timed_out = False
    try:
        out, err = proc.communicate(stdin, timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        _kill_group(proc)
        out, err = proc.communicate()
    except BaseException:
        _kill_group(proc)
        raise
    # stragglers it left behind in its group (daemons, orphaned workers)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    return Completed(
        argv=tuple(argv),
        returncode=None if timed_out else proc.returncode,
        seconds=round(time.monotonic() - start, 2),
        stdout=out or "",
        stderr=err or "",
        timed_out=timed_out,
    )
