"""`python -m auditor.mutation.server`: one warm pytest session that runs mutants by forking.

Started by `auditor.mutation.runner` in the workspace's `mutants/` directory. It runs `pytest.main`
once with the project's command line; the suite is collected once (conftest files, plugins and
test modules imported), then our `pytest_runtestloop` takes over and serves jobs read from stdin
(JSON lines) instead of running the session:

    {"op": "run", "id": "...", "mutant": "pkg.mod.x_f__mutmut_3", "tests": [...], "limit": 2.5,
     "all": false}

Each job runs in a forked child (its own process group) with the mutant switched on through
mutmut's `set_mutant_under_test` (process-local and MUTANT_UNDER_TEST, so child processes the tests
start see it too). The child runs exactly the given test items, in the given order, through pytest's
own `pytest_runtest_protocol` (fixtures, setup/teardown, other plugins' hooks) and stops at the
first failure unless `all` is set. Up to `--jobs` children run at once; a child past its wall-clock
limit has its whole process group killed. Results are JSON lines on the `--result-fd` pipe:

    {"op": "ready", "collected": 140, "import_time": ["pkg.mod.x_f", ...], "seconds": 0.8}
    {"op": "done", "id": "...", "exit": 1, "failed": "tests/t.py::test_a", "ran": 2,
     "seconds": 0.03, "timeout": false, "missing": [], "error": ""}

`import_time` lists the functions (mutmut keys) called while conftest files and test modules were
imported and collected: their mutants must not run in this warm process, because the values they
computed at import were computed with no mutant active (see docs/mutation.md).

`--fresh`: a one-shot process started with MUTANT_UNDER_TEST already in its environment (the
mutant is active from the first import); it reads one job, runs it in-process and exits.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import select
import signal
import sys
import time
from typing import Any

import pytest

WRITE_FD = -1
JOBS_FD = 0  # a duplicate of stdin taken before pytest's capture replaces fd 0 with /dev/null


def _send(message: dict[str, Any]) -> None:
    data = (json.dumps(message) + "\n").encode()
    view = memoryview(data)
    while view:
        view = view[os.write(WRITE_FD, view) :]


class _Lines:
    """Non-blocking line reader over a raw fd (select() and buffered readers do not mix)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.buffer = b""
        self.eof = False

    def read(self) -> list[dict[str, Any]]:
        chunk = os.read(self.fd, 65536)
        if not chunk:
            self.eof = True
        self.buffer += chunk
        *lines, self.buffer = self.buffer.split(b"\n")
        return [json.loads(line) for line in lines if line.strip()]


class _Child:
    def __init__(self, job: dict[str, Any], pid: int, fd: int) -> None:
        self.job = job
        self.pid = pid
        self.fd = fd
        self.started = time.perf_counter()
        self.deadline = self.started + float(job.get("limit") or 3600.0)
        self.data = b""


class WarmPlugin:
    """Collects once, then serves jobs from pytest_runtestloop."""

    def __init__(self, jobs: int, fresh: bool) -> None:
        self.jobs = max(1, jobs)
        self.fresh = fresh
        self.hits: set[str] = set()
        self.failed: list[str] = []
        self.test_seconds = 0.0  # pytest's own durations (setup + call + teardown) of this job
        self.collect_errors: list[str] = []
        self.started = time.perf_counter()
        self.by_id: dict[str, pytest.Item] = {}
        self.by_function: dict[str, list[pytest.Item]] = {}
        if not fresh:
            self._record_import_time_calls()

    def _record_import_time_calls(self) -> None:
        """mutmut's "stats" mode during collection, with the hits recorded here."""
        import mutmut.mutation.trampoline as trampoline

        def hit(name: str, caller: str | None = None) -> None:
            self.hits.add(name)

        trampoline.record_trampoline_hit = hit  # type: ignore[attr-defined]
        trampoline.set_mutant_under_test("stats")

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.collect_errors.append(f"{report.nodeid}: {report.longreprtext[-1500:]}")

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self.test_seconds += report.duration
        if report.failed:
            self.failed.append(report.nodeid)

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session: pytest.Session) -> bool:
        if not self.fresh:
            import mutmut.mutation.trampoline as trampoline

            trampoline.set_mutant_under_test("")
        self.by_id = {item.nodeid: item for item in session.items}
        for item in session.items:
            if "[" in item.nodeid:
                self.by_function.setdefault(item.nodeid.split("[", 1)[0], []).append(item)
        if session.testsfailed and not session.config.option.continue_on_collection_errors:
            # what pytest's own runtestloop does first: collection errors stop the session
            if self.fresh:  # the mutant, active from the first import, broke collection
                _send({"op": "exit", "code": 2, "errors": self.collect_errors})
                sys.stdout.flush()
                os._exit(0)
            return True  # main() reports the errors
        _send(
            {
                "op": "ready",
                "collected": len(session.items),
                "import_time": sorted(self.hits),
                "errors": self.collect_errors,
                "seconds": round(time.perf_counter() - self.started, 4),
            }
        )
        if self.fresh:
            self._serve_fresh()
        else:
            self._serve()
        return True

    # --- running one job -------------------------------------------------------------------

    def run_job(self, job: dict[str, Any]) -> dict[str, Any]:
        """Run the job's items in this process; the result message (without timing fields)."""
        items, missing = self.select(list(job.get("tests", [])))
        self.failed = []
        self.test_seconds = 0.0
        ran = 0
        error = ""
        try:
            for i, item in enumerate(items):
                nextitem = items[i + 1] if i + 1 < len(items) else None
                item.config.hook.pytest_runtest_protocol(item=item, nextitem=nextitem)
                ran += 1
                if self.failed and not job.get("all"):
                    break
        except BaseException as exc:
            error = f"{type(exc).__name__}: {exc}"[:500]
        return {
            "op": "done",
            "id": job["id"],
            "exit": None if error else (1 if self.failed else 0),
            "failed": self.failed[0] if self.failed else None,
            "failures": self.failed if job.get("all") else [],
            "ran": ran,
            "test_seconds": round(self.test_seconds, 5),
            "missing": missing,
            "error": error,
        }

    def select(self, wanted: list[str]) -> tuple[list[pytest.Item], list[str]]:
        """The session's items for the wanted node ids, in order; and the ids not found.

        A parametrized id can differ between processes (pytest numbers objects it cannot name,
        `expected19`, and a parameter list built from a set follows the hash seed), so an id
        that is not found runs every parametrization of its test function instead: a superset,
        so the verdict stays the one of the covering tests.
        """
        items: list[pytest.Item] = []
        seen: set[str] = set()
        missing: list[str] = []
        for test in wanted:
            found = [self.by_id[test]] if test in self.by_id else []
            if not found and "[" in test:
                found = self.by_function.get(test.split("[", 1)[0], [])
            if not found:
                missing.append(test)
            for item in found:
                if item.nodeid not in seen:
                    seen.add(item.nodeid)
                    items.append(item)
        return items, missing

    def _serve_fresh(self) -> None:
        reader = _Lines(JOBS_FD)
        jobs: list[dict[str, Any]] = []
        while not jobs and not reader.eof:
            jobs = reader.read()
        if not jobs:
            return
        started = time.perf_counter()
        result = self.run_job(jobs[0])
        result.update(seconds=round(time.perf_counter() - started, 4), timeout=False)
        _send(result)
        sys.stdout.flush()
        os._exit(0)

    def _serve(self) -> None:
        def stop(signum: int, frame: Any) -> None:
            raise SystemExit(128 + signum)  # the `finally` below kills every running child

        signal.signal(signal.SIGTERM, stop)
        reader = _Lines(JOBS_FD)
        queue: list[dict[str, Any]] = []
        children: dict[int, _Child] = {}
        sys.stdout.flush()
        sys.stderr.flush()
        gc.collect()
        gc.freeze()
        try:
            while True:
                while queue and len(children) < self.jobs:
                    child = self._fork(queue.pop(0))
                    children[child.fd] = child
                if reader.eof and not queue and not children:
                    return
                now = time.perf_counter()
                timeout = min((c.deadline for c in children.values()), default=now + 3600) - now
                fds = list(children) + ([] if reader.eof else [reader.fd])
                ready, _, _ = select.select(fds, [], [], max(0.0, timeout))
                for fd in ready:
                    if fd == reader.fd:
                        for msg in reader.read():
                            if msg.get("op") == "quit":
                                reader.eof = True
                                queue.clear()
                            elif msg.get("op") == "run":
                                queue.append(msg)
                        continue
                    child = children[fd]
                    chunk = os.read(fd, 65536)
                    if chunk:
                        child.data += chunk
                        continue
                    del children[fd]
                    self._finish(child, timed_out=False)
                now = time.perf_counter()
                for fd, child in list(children.items()):
                    if now >= child.deadline:
                        del children[fd]
                        _kill(child.pid)
                        self._finish(child, timed_out=True)
        finally:
            for child in children.values():
                _kill(child.pid)
                os.waitpid(child.pid, 0)

    def _fork(self, job: dict[str, Any]) -> _Child:
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: run the job with the mutant switched on, report, exit
            try:
                os.close(read_fd)
                os.close(JOBS_FD)
                os.setpgid(0, 0)
                quiet = os.open(os.devnull, os.O_WRONLY)  # pytest's progress dots: not wanted
                os.dup2(quiet, 1)
                os.dup2(quiet, 2)
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                import mutmut.mutation.trampoline as trampoline

                trampoline.set_mutant_under_test(str(job.get("mutant", "")))
                global WRITE_FD
                WRITE_FD = write_fd
                _send(self.run_job(job))
            finally:
                os._exit(0)
        os.close(write_fd)
        with contextlib.suppress(OSError):  # the child already did it (or is gone)
            os.setpgid(pid, pid)
        return _Child(job, pid, read_fd)

    def _finish(self, child: _Child, *, timed_out: bool) -> None:
        os.close(child.fd)
        _, status = os.waitpid(child.pid, 0)
        seconds = round(time.perf_counter() - child.started, 4)
        result: dict[str, Any] = {}
        if not timed_out:
            try:
                result = json.loads(child.data.decode() or "{}")
            except ValueError:
                result = {}
        if not result:
            code = os.waitstatus_to_exitcode(status)
            result = {
                "op": "done",
                "id": child.job["id"],
                "exit": None,
                "failed": None,
                "ran": 0,
                "missing": [],
                "error": "" if timed_out else f"the test process died (exit status {code})",
            }
        result.update(seconds=seconds, timeout=timed_out)
        _send(result)


def _kill(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--result-fd", type=int, required=True)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--fresh", action="store_true")
    parser.add_argument("pytest_args", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    global WRITE_FD, JOBS_FD
    WRITE_FD = args.result_fd
    JOBS_FD = os.dup(0)
    plugin = WarmPlugin(args.jobs, args.fresh)
    pytest_args = [a for a in args.pytest_args if a != "--"]
    code = pytest.main(pytest_args, plugins=[plugin])
    # only reached when collection failed (or nothing was collected): say so and stop
    _send({"op": "exit", "code": int(code), "errors": plugin.collect_errors})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
