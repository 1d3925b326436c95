"""Run one `RunSpec` as a pytest subprocess with a time limit and read what the plugin recorded.

The child gets its own session (process group), so a time limit or Ctrl-C can stop it together
with its xdist workers. A killed run keeps every test it finished (the plugin flushes each line);
the test that had started and not finished is recorded as `timeout`.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from auditor.flaky.command import invocation
from auditor.flaky.runs import RunResult, RunSpec
from auditor.project import Project

# a run of at most this many tests names their files instead of the test directories, so pytest
# collects only those files
NARROW_UP_TO = 200


FORKED_KINDS = frozenset({"probe", "verify"})


class ProcessExecutor:
    """The real executor: one fresh pytest process per run, inside `work_dir` for its files.

    With `fork=True` (POSIX), probes and verifications without xdist are forked from a zygote
    that has pytest imported (`auditor.flaky.zygote`); every other run starts a new interpreter.
    Call `close()` when done."""

    def __init__(self, project: Project, work_dir: Path, *, fork: bool = True) -> None:
        self.project = project
        self.work_dir = work_dir
        work_dir.mkdir(parents=True, exist_ok=True)
        self.fork = fork and hasattr(os, "fork")
        self._zygote: Zygote | None = None
        self.fallback = ""  # why the fork server could not be used, if it could not

    def close(self) -> None:
        if self._zygote is not None:
            self._zygote.close()
            self._zygote = None

    def _zygote_for(self, env: dict[str, str]) -> Zygote | None:
        if not self.fork:
            return None
        if self._zygote is None:
            base = {k: v for k, v in env.items() if not k.startswith("AUDITOR_FLAKY_")}
            try:
                self._zygote = Zygote(base, self.project.root)
            except (OSError, ValueError) as exc:
                self.fork = False  # fall back to plain processes for the rest of the search
                self.fallback = str(exc)
                return None
        return self._zygote

    def targets(self, spec: RunSpec) -> list[str]:
        if not spec.order or len(spec.order) > NARROW_UP_TO:
            return [self.project.rel(t) for t in self.project.tests_dirs]
        return list(dict.fromkeys(test.split("::")[0] for test in spec.order))

    def run(self, spec: RunSpec, timeout: float) -> RunResult:
        results = self.work_dir / f"{spec.key}.jsonl"
        order_file = self.work_dir / f"{spec.key}.order.json"
        log = self.work_dir / f"{spec.key}.log"
        for stale in (results, *self.work_dir.glob(f"{spec.key}.jsonl.*")):
            stale.unlink(missing_ok=True)
        order: Path | None = None
        if spec.order:
            order_file.write_text(json.dumps(list(spec.order)), encoding="utf-8")
            order = order_file
        inv = invocation(
            self.project,
            results=results,
            order=order,
            targets=self.targets(spec),
            state=spec.state,
            xdist=spec.xdist,
        )
        started = time.perf_counter()
        timed_out = False
        zygote = self._zygote_for(inv.env) if spec.kind in FORKED_KINDS and not spec.xdist else None
        if zygote is not None:
            code, timed_out = zygote.run(inv.argv[3:], inv.env, inv.cwd, log, timeout)
            return self._finish(spec, results, order_file, log, code, timed_out, started)
        with log.open("w", encoding="utf-8") as out:
            proc = subprocess.Popen(
                inv.argv,
                cwd=inv.cwd,
                env=inv.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                timed_out = True
                _kill(proc)
            except KeyboardInterrupt:
                _kill(proc)
                raise
        return self._finish(spec, results, order_file, log, proc.returncode, timed_out, started)

    def _finish(
        self,
        spec: RunSpec,
        results: Path,
        order_file: Path,
        log: Path,
        returncode: int,
        timed_out: bool,
        started: float,
    ) -> RunResult:
        seconds = time.perf_counter() - started
        result = read_results(results, spec)
        result.seconds = round(seconds, 3)
        result.exit_code = returncode
        result.timed_out = timed_out
        for path in (results, order_file, *self.work_dir.glob(f"{spec.key}.jsonl.*")):
            path.unlink(missing_ok=True)
        if not result.outcomes and not timed_out and returncode not in (0, 1, 5):
            result.messages["<run>"] = tail(log)
        else:
            log.unlink(missing_ok=True)
        return result


class Zygote:
    """The fork server process (see `auditor.flaky.zygote`) and its JSON-lines pipe."""

    def __init__(self, env: dict[str, str], cwd: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", "from auditor.flaky.zygote import serve; serve()"],
            cwd=cwd,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            start_new_session=True,
        )
        ready = self._read(120.0)
        if ready is None or not ready.get("ready"):
            self.close()
            raise OSError("the pytest fork server did not start")

    def _read(self, timeout: float) -> dict[str, Any] | None:
        assert self.proc.stdout is not None
        ready, _, _ = select.select([self.proc.stdout], [], [], max(0.0, timeout))
        if not ready:
            return None
        line = self.proc.stdout.readline()
        if not line:
            raise OSError("the pytest fork server stopped")
        data: dict[str, Any] = json.loads(line)
        return data

    def run(
        self, args: list[str], env: dict[str, str], cwd: Path, log: Path, timeout: float
    ) -> tuple[int, bool]:
        """(exit code, timed out) of `pytest args` in a fork with this env and cwd."""
        assert self.proc.stdin is not None
        request = {"argv": args, "env": env, "cwd": str(cwd), "log": str(log)}
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        started = self._read(60.0)
        if started is None:
            raise OSError("the pytest fork server did not answer")
        pid = int(started["pid"])
        timed_out = False
        try:
            done = self._read(timeout)
            if done is None:
                timed_out = True
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(pid, signal.SIGKILL)
                done = self._read(30.0)
        except KeyboardInterrupt:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)
            self.close()
            raise
        return (int(done["exit"]) if done else -9), timed_out

    def close(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(OSError):
                if self.proc.stdin is not None:
                    self.proc.stdin.close()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def _kill(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def tail(path: Path, lines: int = 8) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    kept = [line for line in text.splitlines() if line.strip()][-lines:]
    return " | ".join(kept)


def _records(path: Path) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    files = [path, *sorted(path.parent.glob(path.name + ".*"))]
    for file in files:
        if not file.is_file():
            continue
        for line in file.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                out.append(json.loads(line))
            except ValueError:
                continue  # a line cut short by a kill
    return out


def read_results(path: Path, spec: RunSpec) -> RunResult:
    """Fold the plugin's JSON lines (all workers) into one RunResult."""
    result = RunResult(key=spec.key, kind=spec.kind, order=list(spec.order), label=spec.label)
    started: list[str] = []
    for rec in _records(path):
        kind = rec.get("kind")
        if kind == "collected":
            result.collected = list(rec.get("ids", []))
        elif kind == "missing":
            result.missing = list(rec.get("ids", []))
        elif kind == "collect_error":
            result.collect_errors.append(
                {"id": str(rec.get("id", "")), "message": str(rec.get("message", ""))}
            )
        elif kind == "start":
            started.append(str(rec["id"]))
        elif kind == "test":
            test = str(rec["id"])
            result.outcomes[test] = str(rec.get("outcome", "passed"))
            result.durations[test] = round(float(rec.get("duration", 0.0)), 4)
            result.spans[test] = [float(rec.get("start", 0.0)), float(rec.get("stop", 0.0))]
            if rec.get("worker"):
                result.workers[test] = str(rec["worker"])
            if rec.get("message"):
                result.messages[test] = str(rec["message"])
            if "changes" in rec:
                result.state[test] = {"before": rec.get("before", {}), "changes": rec["changes"]}
    for test in started:
        result.outcomes.setdefault(test, "timeout")
    if result.workers:  # xdist: order of start times across workers
        result.executed = sorted(result.outcomes, key=lambda t: result.spans.get(t, [0.0])[0])
    else:
        result.executed = list(dict.fromkeys(started))
    return result
