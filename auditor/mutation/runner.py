"""Our mutation runner, auditor side: a warm pytest session (`auditor.mutation.server`) + fresh runs.

Interface (kept small so other executors, e.g. a Dask worker, can drive the same runner):

    spec = RunnerSpec(mutants=ws / "mutants", pytest_args=[...], selection=["tests/"], jobs=2,
                      log_dir=ws)
    with WarmRunner(spec) as runner:          # starts the session: collects the suite once
        runner.ready.import_time              # functions called at import/collection time
        for outcome in runner.run(next_job):  # next_job() -> Job | None, called lazily
            ...

`run_batch(spec, jobs)` does the same for a fixed list. A `Job` names the mutant to switch on
(MUTANT_UNDER_TEST value; "" for a clean run), the test node ids in the order to run them, a
wall-clock limit in seconds, and whether it must run in a fresh process (mutant active from the
first import). Each `Outcome` says what pytest did: exit 0 (every test passed), 1 (a test failed:
`failed` names the first), None with `timeout` or `error` otherwise. Verdicts are decided from
outcomes in `auditor.mutation.verdict`, not here.

At most `jobs` runs are in flight at once (warm children and fresh processes together). The
session and every fresh process run in their own process groups; `close()` (also on Ctrl-C)
terminates them all.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditor.mutation.command import runner_env

STARTUP_LIMIT = 600.0  # seconds allowed for the warm session to collect the suite


class RunnerError(Exception):
    """The warm session could not start or died; the message has the end of its log."""


@dataclass
class RunnerSpec:
    """Where and how to run: the workspace's mutants dir is the working directory of every run."""

    mutants: Path
    pytest_args: list[str]
    selection: list[str]
    jobs: int = 1
    log_dir: Path | None = None
    env: dict[str, str] | None = None  # base environment (default: ours)

    def argv(self, fresh: bool = False, result_fd: int = 3) -> list[str]:
        args = [sys.executable, "-m", "auditor.mutation.server", "--result-fd", str(result_fd)]
        args += ["--jobs", str(max(1, self.jobs))] + (["--fresh"] if fresh else [])
        # --tb=native (as mutmut): pytest's own traceback formatting parses the whole source file
        # of every frame, and a mutated file is megabytes: 5 s per failing test on slugify
        return [*args, "--", "--rootdir=.", "-q", "--tb=native", *self.pytest_args, *self.selection]


@dataclass
class Job:
    id: str
    mutant: str
    tests: list[str]
    limit: float
    fresh: bool = False
    all: bool = False  # run every test (no stop at the first failure)
    tag: str = ""  # what the caller uses the result for

    def message(self) -> dict[str, Any]:
        return {
            "op": "run",
            "id": self.id,
            "mutant": self.mutant,
            "tests": self.tests,
            "limit": self.limit,
            "all": self.all,
        }


@dataclass
class Outcome:
    job: Job
    exit: int | None
    failed: str | None = None
    failures: list[str] = field(default_factory=list)
    ran: int = 0
    seconds: float = 0.0  # wall time of the whole run (fork/process start to result)
    test_seconds: float = 0.0  # pytest's durations of the tests it ran (the floor)
    timeout: bool = False
    missing: list[str] = field(default_factory=list)
    error: str = ""


@dataclass
class Ready:
    collected: int
    import_time: set[str]
    seconds: float


class _Fresh:
    def __init__(self, job: Job, proc: subprocess.Popen[bytes], fd: int, limit: float) -> None:
        self.job = job
        self.proc = proc
        self.fd = fd
        self.started = time.perf_counter()
        self.deadline = self.started + limit
        self.data = b""


def _pipe() -> tuple[int, int]:
    read_fd, write_fd = os.pipe()
    os.set_inheritable(write_fd, True)
    return read_fd, write_fd


def _log(spec: RunnerSpec, name: str) -> Any:
    if spec.log_dir is None:
        return subprocess.DEVNULL
    spec.log_dir.mkdir(parents=True, exist_ok=True)
    return (spec.log_dir / name).open("ab")


def _tail(path: Path | None, lines: int = 15) -> str:
    if path is None or not path.is_file():
        return ""
    text = path.read_text(encoding="utf-8", errors="replace")
    return "\n".join([ln for ln in text.splitlines() if ln.strip()][-lines:])


def _stop_group(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            return
        try:
            proc.wait(timeout=3)
            return
        except subprocess.TimeoutExpired:
            continue


class WarmRunner:
    """One warm pytest session (+ fresh processes on demand); see the module docstring."""

    def __init__(self, spec: RunnerSpec) -> None:
        self.spec = spec
        self.ready = Ready(0, set(), 0.0)
        self._proc: subprocess.Popen[bytes] | None = None
        self._fd = -1
        self._buffer = b""
        self._inflight: dict[str, Job] = {}
        self._fresh: dict[int, _Fresh] = {}
        self._sel = selectors.DefaultSelector()
        self._pending: list[dict[str, Any]] = []

    def __enter__(self) -> WarmRunner:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> Ready:
        """Start the session and wait until it collected the suite; RunnerError on failure."""
        read_fd, write_fd = _pipe()
        log = _log(self.spec, "runner.log")
        try:
            self._proc = subprocess.Popen(
                self.spec.argv(result_fd=write_fd),
                cwd=self.spec.mutants,
                env=runner_env(self.spec.mutants, base=self.spec.env),
                stdin=subprocess.PIPE,
                stdout=log,
                stderr=subprocess.STDOUT,
                pass_fds=(write_fd,),
                start_new_session=True,
            )
        finally:
            os.close(write_fd)
            if log is not subprocess.DEVNULL:
                log.close()
        self._fd = read_fd
        self._sel.register(read_fd, selectors.EVENT_READ, None)
        deadline = time.perf_counter() + STARTUP_LIMIT
        while True:
            for msg in self._read_session(deadline - time.perf_counter()):
                if msg.get("op") == "ready":
                    self.ready = Ready(
                        int(msg["collected"]), set(msg["import_time"]), float(msg["seconds"])
                    )
                    return self.ready
                if msg.get("op") == "exit":
                    self.close()
                    errors = "\n".join(msg.get("errors") or [])
                    raise RunnerError(
                        f"pytest stopped before running any test (exit code {msg.get('code')}) "
                        f"in {self.spec.mutants}. {errors}\n{self._log_tail()}".strip()
                    )
            if time.perf_counter() > deadline:
                self.close()
                raise RunnerError(f"collecting the suite took over {STARTUP_LIMIT:.0f} s")

    def _log_tail(self) -> str:
        return _tail(self.spec.log_dir / "runner.log" if self.spec.log_dir else None)

    def _read_session(self, timeout: float) -> list[dict[str, Any]]:
        """Messages from the session (blocking up to `timeout`); RunnerError if it died."""
        if self._pending:
            out, self._pending = self._pending, []
            return out
        for key, _ in self._sel.select(max(0.0, timeout)):
            if key.fd == self._fd:
                return self._drain_session()
        return []

    def _drain_session(self) -> list[dict[str, Any]]:
        chunk = os.read(self._fd, 65536)
        if not chunk:
            code = self._proc.wait() if self._proc else None
            tail = self._log_tail()
            self.close()
            raise RunnerError(f"the warm pytest session exited (code {code}).\n{tail}".strip())
        self._buffer += chunk
        *lines, self._buffer = self._buffer.split(b"\n")
        return [json.loads(line) for line in lines if line.strip()]

    def capacity(self) -> int:
        return max(1, self.spec.jobs) - len(self._inflight) - len(self._fresh)

    def submit(self, job: Job) -> None:
        if job.fresh:
            self._start_fresh(job)
            return
        assert self._proc is not None and self._proc.stdin is not None
        self._inflight[job.id] = job
        self._proc.stdin.write((json.dumps(job.message()) + "\n").encode())
        self._proc.stdin.flush()

    def _start_fresh(self, job: Job) -> None:
        read_fd, write_fd = _pipe()
        log = _log(self.spec, "fresh.log")
        try:
            proc = subprocess.Popen(
                self.spec.argv(fresh=True, result_fd=write_fd),
                cwd=self.spec.mutants,
                env=runner_env(self.spec.mutants, job.mutant, self.spec.env),
                stdin=subprocess.PIPE,
                stdout=log,
                stderr=subprocess.STDOUT,
                pass_fds=(write_fd,),
                start_new_session=True,
            )
        finally:
            os.close(write_fd)
            if log is not subprocess.DEVNULL:
                log.close()
        assert proc.stdin is not None
        proc.stdin.write((json.dumps(job.message()) + "\n").encode())
        proc.stdin.close()
        # a fresh process also imports and collects: allow for that on top of the tests' limit
        limit = job.limit + 2 * self.ready.seconds + 5.0
        self._fresh[read_fd] = _Fresh(job, proc, read_fd, limit)
        self._sel.register(read_fd, selectors.EVENT_READ, "fresh")

    def wait(self) -> list[Outcome]:
        """Block until at least one run finished; its outcomes."""
        while True:
            now = time.perf_counter()
            deadline = min((f.deadline for f in self._fresh.values()), default=now + 60.0)
            out: list[Outcome] = []
            if self._pending:
                out += self._outcomes(self._read_session(0))
            for key, _ in self._sel.select(max(0.0, deadline - now)):
                if key.fd == self._fd:
                    out += self._outcomes(self._drain_session())
                elif key.fd in self._fresh:
                    out += self._read_fresh(self._fresh[key.fd])
            now = time.perf_counter()
            for fresh in list(self._fresh.values()):
                if now >= fresh.deadline:
                    _stop_group(fresh.proc)
                    out.append(self._end_fresh(fresh, timeout=True))
            if out:
                return out

    def _outcomes(self, messages: list[dict[str, Any]]) -> list[Outcome]:
        out = []
        for msg in messages:
            if msg.get("op") != "done":
                continue
            job = self._inflight.pop(str(msg["id"]), None)
            if job is not None:
                out.append(_outcome(job, msg))
        return out

    def _read_fresh(self, fresh: _Fresh) -> list[Outcome]:
        chunk = os.read(fresh.fd, 65536)
        if chunk:
            fresh.data += chunk
            return []
        fresh.proc.wait()
        return [self._end_fresh(fresh, timeout=False)]

    def _end_fresh(self, fresh: _Fresh, *, timeout: bool) -> Outcome:
        self._sel.unregister(fresh.fd)
        os.close(fresh.fd)
        del self._fresh[fresh.fd]
        seconds = round(time.perf_counter() - fresh.started, 4)
        if timeout:
            return Outcome(fresh.job, None, seconds=seconds, timeout=True)
        for line in fresh.data.decode(errors="replace").splitlines():
            msg = json.loads(line) if line.strip() else {}
            if msg.get("op") == "done":
                return _outcome(fresh.job, msg)
            if msg.get("op") == "exit":
                # collection failed with the mutant active from the start: plain pytest on the
                # mutant applied by hand stops with "errors during collection" (exit 2): a kill
                first = (msg.get("errors") or ["<collection>"])[0].split(":", 1)[0]
                return Outcome(fresh.job, 1, failed=f"{first} (collection error)", seconds=seconds)
        log = _tail(self.spec.log_dir / "fresh.log" if self.spec.log_dir else None, 6)
        return Outcome(
            fresh.job,
            None,
            seconds=seconds,
            error=f"the fresh test process died (exit {fresh.proc.returncode}): {log}",
        )

    def run(self, next_job: Callable[[], Job | None]) -> Iterator[Outcome]:
        """Submit jobs as capacity frees up; yield outcomes as they come."""
        exhausted = False
        while True:
            while not exhausted and self.capacity() > 0:
                job = next_job()
                if job is None:
                    exhausted = True
                    break
                self.submit(job)
            if not self._inflight and not self._fresh:
                if exhausted:
                    job = next_job()  # the consumer may have queued follow-ups meanwhile
                    if job is None:
                        return
                    exhausted = False
                    self.submit(job)
                continue
            yield from self.wait()
            exhausted = False

    def close(self) -> None:
        for fresh in list(self._fresh.values()):
            _stop_group(fresh.proc)
            self._sel.unregister(fresh.fd)
            os.close(fresh.fd)
        self._fresh.clear()
        if self._proc is not None:
            try:
                if self._proc.stdin is not None:
                    self._proc.stdin.close()  # end of jobs: an idle session exits by itself
                if not self._inflight:
                    self._proc.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                pass
            _stop_group(self._proc)  # SIGTERM: the session kills its running children first
            self._proc = None
            self._inflight.clear()
        if self._fd >= 0:
            with contextlib.suppress(KeyError, ValueError):
                self._sel.unregister(self._fd)
            os.close(self._fd)
            self._fd = -1


def _outcome(job: Job, msg: dict[str, Any]) -> Outcome:
    return Outcome(
        job=job,
        exit=msg.get("exit"),
        failed=msg.get("failed"),
        failures=list(msg.get("failures") or []),
        ran=int(msg.get("ran") or 0),
        seconds=float(msg.get("seconds") or 0.0),
        test_seconds=float(msg.get("test_seconds") or 0.0),
        timeout=bool(msg.get("timeout")),
        missing=list(msg.get("missing") or []),
        error=str(msg.get("error") or ""),
    )


def run_batch(spec: RunnerSpec, jobs: Iterable[Job]) -> Iterator[Outcome]:
    """Run a fixed batch of jobs in one warm session (started and closed here)."""
    todo = iter(jobs)
    with WarmRunner(spec) as runner:
        yield from runner.run(lambda: next(todo, None))
