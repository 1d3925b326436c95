"""Runs within the time budget: every run is checked against the budget, given a time limit,
kept in the store, and remembered in `history` (the evidence the analysis reads)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from auditor.flaky.runs import Executor, RunResult, RunSpec
from auditor.flaky.store import RunStore

MIN_STARTUP = 0.2


class BudgetExceeded(Exception):
    """The next run would not fit in what is left of the time budget."""


class Progress(Protocol):
    """Progress in test executions: `plan` adds to the total, `advance` moves the bar."""

    def plan(self, executions: int) -> None: ...

    def advance(self, executions: int, label: str) -> None: ...


class Session:
    """Executes specs through `executor`, re-using finished runs from `store`."""

    def __init__(
        self,
        executor: Executor,
        store: RunStore | None = None,
        *,
        progress: Progress | None = None,
        timeout_multiplier: float = 3.0,
        timeout_seconds: float = 30.0,
        baseline_timeout: float = 1800.0,
    ) -> None:
        self.executor = executor
        self.store = store
        self.progress = progress
        self.timeout_multiplier = timeout_multiplier
        self.timeout_seconds = timeout_seconds
        self.baseline_timeout = baseline_timeout
        self.budget = float("inf")
        self.spent = 0.0
        self.history: list[RunResult] = []
        self.startup = MIN_STARTUP
        self.durations: dict[str, float] = {}
        self.fresh_runs = 0

    def calibrate(self, baseline: RunResult) -> None:
        """Per-test durations and process start-up time from the baseline run."""
        self.durations = dict(baseline.durations)
        self.startup = max(MIN_STARTUP, baseline.seconds - sum(self.durations.values()))

    def estimate(self, tests: Sequence[str]) -> float:
        """Expected wall time (s) of one run of `tests`: start-up plus their baseline durations."""
        mean = sum(self.durations.values()) / len(self.durations) if self.durations else 0.0
        return self.startup + sum(self.durations.get(t, mean) for t in tests)

    def timeout(self, spec: RunSpec) -> float:
        if not spec.order:
            return self.baseline_timeout
        return self.timeout_multiplier * self.estimate(spec.order) + self.timeout_seconds

    def run(self, spec: RunSpec, *, force: bool = False) -> RunResult:
        """The result of `spec` (from the store when it already ran); BudgetExceeded otherwise
        when the run would overrun the budget (`force` runs it anyway: the baseline)."""
        size = len(spec.order) or len(self.durations)
        unplanned = spec.kind in ("probe", "verify") or (
            spec.kind == "xdist" and spec.label != "suite"  # planned up front by the engine
        )
        if self.progress is not None and unplanned:
            self.progress.plan(size)
        cached = self.store.get(spec) if self.store is not None else None
        if cached is not None:
            self.history.append(cached)
            if self.progress is not None:
                self.progress.advance(size, "re-used")
            return cached
        if not force and self.spent + self.estimate(spec.order) > self.budget:
            raise BudgetExceeded(spec.key)
        result = self.executor.run(spec, self.timeout(spec))
        self.spent += result.seconds
        self.fresh_runs += 1
        if self.store is not None:
            self.store.put(result)
        self.history.append(result)
        if self.progress is not None:
            self.progress.advance(len(spec.order) or len(result.outcomes), spec.kind)
        return result

    def serial(self) -> list[RunResult]:
        """Runs without xdist, in the order they were made (each counted once)."""
        seen: set[str] = set()
        out = []
        for run in self.history:
            if run.kind != "xdist" and run.key not in seen:
                seen.add(run.key)
                out.append(run)
        return out
