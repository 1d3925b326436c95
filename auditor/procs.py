"""Child processes: each in its own process group, with a time limit, ended as a whole group.

Every subprocess auditor starts (pytest under coverage, mutmut, pseudo-tested checks, witness
workers, git) goes through here, so that no test process is ever left running re-parented to PID 1:

- each child is started with `start_new_session=True`, so it leads a process group of its own and
  everything it forks (pytest-xdist workers, mutmut's children) is in that group;
- a time limit, an interrupt (SIGINT, Ctrl-C) or a termination request (SIGTERM, SIGHUP: what
  `timeout`, `docker stop` and CI cancellation send) ends the *group*: first SIGINT (the child's
  own clean-up: pytest prints its summary, mutmut saves), then SIGTERM after `grace` seconds, then
  SIGKILL after another `grace` seconds;
- the CLI calls `install_signal_handlers()`: SIGTERM/SIGHUP then raise `Interrupted` (a
  `KeyboardInterrupt`) in the main thread exactly like Ctrl-C does, so every `except
  KeyboardInterrupt` clean-up path keeps finished results for both.

Because a child in its own session no longer receives the terminal's Ctrl-C, the handlers forward
the signal to every live child group (`signal_all`) before raising.

Interface (shapes):
- `run(argv, cwd=, env=, timeout=) -> Completed(exit_code, output, timed_out, seconds, stderr)`;
- `start(argv, ...) -> Child` for streaming use (`poll()`, `wait()`, `stop()`; a context manager
  that stops the group on the way out);
- `install_signal_handlers()`, `signal_all(sig)`, `stop_all(grace)`.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import IO, Any

GRACE_SECONDS = 3.0
"""Seconds a group gets after SIGINT before SIGTERM, and after SIGTERM before SIGKILL."""

EXIT_CODE_FOR_SIGNAL = {signal.SIGINT: 130, signal.SIGTERM: 143, signal.SIGHUP: 129}
"""Shell convention 128 + signal number: what the CLI exits with after each signal."""

_live: dict[int, Child] = {}
_live_lock = threading.Lock()
_OWNER_PID = os.getpid()
_stopping = threading.Event()  # set by the signal handlers: no new child may start


class Interrupted(KeyboardInterrupt):
    """SIGTERM or SIGHUP arrived (Ctrl-C raises plain `KeyboardInterrupt`).

    A subclass of `KeyboardInterrupt` so that every clean-up written for Ctrl-C (stop children,
    keep finished results) runs for a termination request too. `signum` is the signal number.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(f"received signal {signal.Signals(signum).name}")
        self.signum = signum


@dataclass
class Completed:
    """A finished child: `exit_code` (negative: killed by that signal), `output` (stdout, with
    stderr merged in unless asked separately), `stderr` (only when separate), `timed_out` (the
    time limit ended it), `seconds` (wall-clock duration)."""

    argv: list[str]
    exit_code: int
    output: str
    timed_out: bool
    seconds: float
    stderr: str = ""


def _signal_group(pgid: int, sig: int) -> bool:
    """Send `sig` to process group `pgid`; False when the group no longer exists."""
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        return False
    return True


class Child:
    """A running child process that leads its own process group (`pgid == pid`).

    Use as a context manager: leaving the block (normally, by an exception or by Ctrl-C/SIGTERM)
    ends the group if it still runs. `stop()` is idempotent.
    """

    def __init__(
        self,
        argv: Sequence[str],
        *,
        cwd: str | Path | None = None,
        env: Mapping[str, str] | None = None,
        stdin: int | IO[Any] | None = subprocess.DEVNULL,
        stdout: int | IO[Any] | None = None,
        stderr: int | IO[Any] | None = None,
        text: bool = False,
    ) -> None:
        if _stopping.is_set():  # a worker thread must not start children after Ctrl-C/SIGTERM
            raise KeyboardInterrupt("auditor is stopping")
        self.argv = [str(a) for a in argv]
        self.started = time.monotonic()
        self._signalled: set[int] = set()
        self.popen: subprocess.Popen[Any] = subprocess.Popen(
            self.argv,
            cwd=cwd,
            env=dict(env) if env is not None else None,
            stdin=stdin,
            stdout=stdout,
            stderr=stderr,
            start_new_session=True,
            text=text,
            encoding="utf-8" if text else None,
            errors="replace" if text else None,
        )
        with _live_lock:
            _live[self.popen.pid] = self

    @property
    def pid(self) -> int:
        return self.popen.pid

    @property
    def seconds(self) -> float:
        """Wall-clock seconds since the start."""
        return time.monotonic() - self.started

    def poll(self) -> int | None:
        """The exit code, or None while the child runs."""
        code = self.popen.poll()
        if code is not None:
            self._forget()
        return code

    def wait(self, timeout: float | None = None) -> int:
        """Wait for the exit code; raises `subprocess.TimeoutExpired` after `timeout` seconds."""
        code = self.popen.wait(timeout=timeout)
        self._forget()
        return code

    def send(self, sig: int) -> None:
        """Send `sig` to the whole group (once per signal; repeats are no-ops)."""
        if sig not in self._signalled and self.popen.returncode is None:
            self._signalled.add(sig)
            _signal_group(self.popen.pid, sig)

    def stop(self, grace: float = GRACE_SECONDS, first: int = signal.SIGINT) -> int:
        """End the whole group: `first` (SIGINT: the child's own clean-up), then SIGTERM after
        `grace` s, then SIGKILL. Returns the child's exit code. Children the group leader forked
        are signalled too, even after the leader has exited."""
        pgid = self.popen.pid
        for sig in dict.fromkeys((first, signal.SIGTERM)):
            wait = grace
            if self.popen.poll() is None:
                self.send(sig)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self.popen.wait(timeout=wait)
        # the leader may be gone while members of its group still run: kill the group regardless
        _signal_group(pgid, signal.SIGKILL)
        code = self.popen.wait()
        self._forget()
        return code

    def _forget(self) -> None:
        with _live_lock:
            _live.pop(self.popen.pid, None)

    def __enter__(self) -> Child:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.popen.poll() is None:
            self.stop()
        else:
            _signal_group(self.popen.pid, signal.SIGKILL)  # stragglers of a finished leader
            self._forget()


def start(
    argv: Sequence[str],
    *,
    cwd: str | Path | None = None,
    env: Mapping[str, str] | None = None,
    stdout: int | IO[Any] | None = None,
    stderr: int | IO[Any] | None = None,
    stdin: int | IO[Any] | None = subprocess.DEVNULL,
    text: bool = False,
) -> Child:
    """Start `argv` in a new process group and return the running `Child` (streaming use)."""
    return Child(argv, cwd=cwd, env=env, stdin=stdin, stdout=stdout, stderr=stderr, text=text)


def run(
    argv: Sequence[str],
    *,
    cwd: str | Path | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float | None = None,
    separate_stderr: bool = False,
    grace: float = GRACE_SECONDS,
    timeout_signal: int = signal.SIGINT,
) -> Completed:
    """Run `argv` to completion in its own process group and capture its output.

    `timeout` is in seconds (None: no limit); when it passes the whole group is ended (`stop`) and
    the result has `timed_out=True` (`timeout_signal` is sent first: SIGTERM skips the child's
    own clean-up, e.g. so pytest does not report a hung test as interrupted). Output is decoded as UTF-8 with replacement characters.
    Ctrl-C or SIGTERM during the run ends the group too and re-raises. Raises `OSError` when the
    program cannot be started (e.g. `FileNotFoundError` for a missing executable).
    """
    child = Child(
        argv,
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE if separate_stderr else subprocess.STDOUT,
    )
    streams = [child.popen.stdout, child.popen.stderr] if separate_stderr else [child.popen.stdout]
    chunks: list[list[bytes]] = [[] for _ in streams]
    readers = [
        threading.Thread(target=_drain, args=(stream, sink), daemon=True)
        for stream, sink in zip(streams, chunks, strict=True)
    ]
    for reader in readers:
        reader.start()
    timed_out = False
    try:
        child.popen.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        child.stop(grace, first=timeout_signal)
    except BaseException:
        child.stop(grace)
        raise
    finally:
        # members the leader left behind (they would also hold the output pipe open)
        _signal_group(child.pid, signal.SIGKILL)
        child._forget()
        for reader in readers:
            reader.join(timeout=grace)
    texts = [b"".join(sink).decode("utf-8", errors="replace") for sink in chunks]
    return Completed(
        argv=child.argv,
        exit_code=child.popen.returncode,
        output=texts[0],
        stderr=texts[1] if separate_stderr else "",
        timed_out=timed_out,
        seconds=round(child.seconds, 3),
    )


def _drain(stream: IO[bytes] | None, sink: list[bytes]) -> None:
    """Read `stream` to its end into `sink` (a thread per stream: no pipe ever fills up)."""
    if stream is None:
        return
    with stream:
        fd = stream.fileno()
        while True:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                return
            if not chunk:
                return
            sink.append(chunk)


def live_children() -> list[Child]:
    """The children started through this module that have not been seen to exit."""
    with _live_lock:
        return list(_live.values())


def signal_all(sig: int) -> None:
    """Send `sig` to every live child group; safe to call from a signal handler (no waiting)."""
    for child in list(_live.values()):
        child.send(sig)


def stop_all(grace: float = GRACE_SECONDS) -> None:
    """End every live child group (SIGINT, SIGTERM, SIGKILL with `grace` s between)."""
    if os.getpid() != _OWNER_PID:  # a forked copy of us must not kill its parent's children
        return
    for child in live_children():
        child.stop(grace)


atexit.register(stop_all, 1.0)


def install_signal_handlers() -> Callable[[], None]:
    """SIGINT raises `KeyboardInterrupt`, SIGTERM/SIGHUP raise `Interrupted`; each first forwards
    SIGINT to every live child group, and from then on `start`/`run` refuse to start new children
    (raising `KeyboardInterrupt`), so worker threads wind down. Main thread only. Returns a
    function restoring the old handlers."""
    previous: dict[int, Any] = {}

    def handler(signum: int, frame: FrameType | None) -> None:
        _stopping.set()
        signal_all(signal.SIGINT)
        if signum == signal.SIGINT:
            raise KeyboardInterrupt
        raise Interrupted(signum)

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        previous[sig] = signal.signal(sig, handler)

    def restore() -> None:
        _stopping.clear()
        for sig, old in previous.items():
            signal.signal(sig, old)

    return restore


def exit_code_for(exc: BaseException) -> int:
    """130 for Ctrl-C, 143 for SIGTERM, 129 for SIGHUP (128 + the signal number)."""
    signum = getattr(exc, "signum", signal.SIGINT)
    return EXIT_CODE_FOR_SIGNAL.get(signal.Signals(signum), 128 + int(signum))
