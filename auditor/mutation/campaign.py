"""Drive a warm runner over a list of targets: plan, run, re-check, record (streamed).

The checks that make a verdict trustworthy happen here:

- **Timeouts** are re-checked against a measured run of the same command: the same tests, in the
  same warm session, with no mutant active. If that clean run fits well inside the limit, the
  timeout stands; if the limit derived from the clean run is larger than the one used, the mutant
  is run again under it (issue: a limit derived from a different command's durations produced 35
  false timeouts on parse).
- **Kills** are credited only when the killing test passes with no mutant active in the same
  workspace: every distinct killing test is run once, clean, at the end; a mutant "killed" by a test
  that also fails without it is an `error`, not a kill.
- The forced-failure check (mutmut's "fail" mutant) proves the tests import the workspace's
  mutated copy before any verdict is trusted.

Results are appended to the `ResultStore` as they come, so Ctrl-C keeps them.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from auditor.mutation.plan import Planner, Target
from auditor.mutation.runner import Job, Outcome, WarmRunner
from auditor.mutation.store import ERROR_CODE, NO_TESTS_CODE, TIMEOUT_CODE, RunRecord

FORCED_FAIL_TESTS = 3
CLEAN_LIMIT_FACTOR = (
    10.0  # the clean re-run of a timed-out mutant's tests may take this much longer
)
CLEAN_LIMIT_SECONDS = 60.0


class ImportCheckFailed(Exception):
    """The tests passed with every trampoline raising: they do not import the mutated copy."""


@dataclass
class Campaign:
    runner: WarmRunner
    planner: Planner
    hashes: dict[str, str]  # target id -> function hash (stored with each record)
    record: Callable[[RunRecord], None]
    progress: Callable[[Target, RunRecord], None] | None = None
    results: dict[str, RunRecord] = field(default_factory=dict)
    _followups: deque[Job] = field(default_factory=deque)
    _targets: dict[str, Target] = field(default_factory=dict)
    _timed_out: dict[str, Outcome] = field(default_factory=dict)
    _killers: Outcome | None = None  # the clean run of every killing test

    def check_imports(self, targets: list[Target]) -> None:
        """Run the fastest covering tests with every trampoline raising; one must fail."""
        tests = self.planner.order({t for target in targets for t in target.tests}, "")
        tests = [t for t in tests][:FORCED_FAIL_TESTS]
        if not tests:
            return
        job = Job("auditor-forced-fail", "fail", tests, self.planner.limit(tests), all=True)
        for outcome in self.runner.run(_once(job)):
            if outcome.exit == 0 and not outcome.missing:
                raise ImportCheckFailed(
                    f"the tests {', '.join(tests)} passed with every mutated function raising: "
                    f"they import the original code, not the workspace's mutated copy"
                )

    def run(self, targets: list[Target]) -> dict[str, RunRecord]:
        """Run every target; returns (and records) one RunRecord per target id."""
        queue: deque[Target] = deque()
        for target in targets:
            self._targets[target.id] = target
            if not target.tests and not self.planner.is_fresh(target):
                no_tests = RunRecord(target.id, self.hashes.get(target.id, ""), NO_TESTS_CODE)
                self._finish(target, no_tests)
            else:
                queue.append(target)

        def next_job() -> Job | None:
            if self._followups:
                return self._followups.popleft()
            if queue:
                return self.planner.job(queue.popleft())
            return None

        for outcome in self.runner.run(next_job):
            self._handle(outcome)
        self._verify_killers(next_job)
        return self.results

    # --- outcomes --------------------------------------------------------------------------

    def _handle(self, outcome: Outcome) -> None:
        job = outcome.job
        if job.tag == "timeout-check":
            self._recheck_timeout(outcome)
            return
        if job.tag == "killers":
            self._killers = outcome
            return
        target = self._targets[job.id]
        if outcome.timeout and job.id not in self._timed_out and job.tag != "rerun":
            self._timed_out[job.id] = outcome  # measure the same command, clean, before deciding
            measure = (
                job.limit * CLEAN_LIMIT_FACTOR + CLEAN_LIMIT_SECONDS
            )  # a measurement, not a verdict
            self._followups.append(
                Job(job.id, "", job.tests, measure, fresh=job.fresh, tag="timeout-check")
            )
            return
        self._finish(target, self._to_record(outcome))

    def _recheck_timeout(self, clean: Outcome) -> None:
        first = self._timed_out[clean.job.id]
        target = self._targets[clean.job.id]
        if clean.timeout or clean.exit != 0:
            reason = (
                "the tests also time out with no mutant active"
                if clean.timeout
                else f"{clean.failed or 'a test'} fails with no mutant active in the workspace"
            )
            self._finish(target, self._error(first, f"timeout not confirmed: {reason}"))
            return
        measured_limit = self.planner.limit_from_measured(clean.seconds)
        if first.seconds >= measured_limit:
            self._finish(target, self._to_record(first))  # confirmed
            return
        job = first.job
        self._followups.append(
            Job(job.id, job.mutant, job.tests, measured_limit, fresh=job.fresh, tag="rerun")
        )

    def _to_record(self, outcome: Outcome) -> RunRecord:
        job = outcome.job
        base = RunRecord(
            id=job.id,
            hash=self.hashes.get(job.id, ""),
            exit_code=ERROR_CODE,
            seconds=outcome.seconds,
            test_seconds=outcome.test_seconds,
            limit=round(job.limit, 3),
            tests_run=outcome.ran,
            fresh=job.fresh,
        )
        if outcome.timeout:
            base.exit_code = TIMEOUT_CODE
        elif outcome.error:
            base.error = outcome.error
        elif outcome.ran == 0 and outcome.missing and outcome.exit == 0:
            base.error = (
                f"none of its {len(outcome.missing)} covering tests was collected in the workspace "
                f"(e.g. {outcome.missing[0]})"
            )
        elif outcome.exit == 1:
            base.exit_code = 1
            base.killed_by = outcome.failed or ""
        elif outcome.exit == 0:
            base.exit_code = 0
        else:
            base.error = f"no result from the test run (exit {outcome.exit})"
        return base

    def _error(self, outcome: Outcome, reason: str) -> RunRecord:
        record = self._to_record(outcome)
        record.exit_code = ERROR_CODE
        record.error = reason
        return record

    def _finish(self, target: Target, record: RunRecord, *, counted: bool = False) -> None:
        self.results[target.id] = record
        self.record(record)
        if counted:
            return
        self.planner.learn(target, record.killed_by or None)
        if self.progress is not None:
            self.progress(target, record)

    # --- kills are only credited to tests that pass without the mutant -----------------------

    def _verify_killers(self, next_job: Callable[[], Job | None]) -> None:
        killed = {r.killed_by for r in self.results.values() if r.killed_by}
        killers = sorted(k for k in killed if not k.endswith("(collection error)"))
        if not killers:
            return
        limit = self.planner.limit(killers) * CLEAN_LIMIT_FACTOR + CLEAN_LIMIT_SECONDS
        job = Job("auditor-killers", "", killers, limit, all=True, tag="killers")
        self._followups.append(job)
        for outcome in self.runner.run(next_job):
            self._handle(outcome)
        checked = self._killers
        if checked is None or checked.timeout or checked.error:
            return  # could not check: the kills stand as measured
        broken = set(checked.failures)
        for record in list(self.results.values()):
            if record.killed_by in broken:
                reason = (
                    f"{record.killed_by} failed, but it also fails with no mutant active in the "
                    f"workspace: not counted as a kill"
                )
                changed = RunRecord(**{**record.__dict__, "exit_code": ERROR_CODE, "error": reason})
                self._finish(self._targets[record.id], changed, counted=True)


def _once(job: Job) -> Callable[[], Job | None]:
    todo = [job]
    return lambda: todo.pop() if todo else None
