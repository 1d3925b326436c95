"""Run one `RunSpec` as a pytest subprocess with a time limit and read what the plugin recorded.

The child gets its own session (process group), so a time limit or Ctrl-C can stop it together
with its xdist workers. A killed run keeps every test it finished (the plugin flushes each line);
the test that had started and not finished is recorded as `timeout`.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

from auditor.flaky.command import invocation
from auditor.flaky.runs import RunResult, RunSpec
from auditor.project import Project

# a run of at most this many tests names their files instead of the test directories, so pytest
# collects only those files
NARROW_UP_TO = 200


class ProcessExecutor:
    """The real executor: one fresh pytest process per run, inside `work_dir` for its files."""

    def __init__(self, project: Project, work_dir: Path) -> None:
        self.project = project
        self.work_dir = work_dir
        work_dir.mkdir(parents=True, exist_ok=True)

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
        seconds = time.perf_counter() - started
        result = read_results(results, spec)
        result.seconds = round(seconds, 3)
        result.exit_code = proc.returncode
        result.timed_out = timed_out
        for path in (results, order_file, *self.work_dir.glob(f"{spec.key}.jsonl.*")):
            path.unlink(missing_ok=True)
        if not result.outcomes and not timed_out and proc.returncode not in (0, 1, 5):
            result.messages["<run>"] = tail(log)
        else:
            log.unlink(missing_ok=True)
        return result


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
