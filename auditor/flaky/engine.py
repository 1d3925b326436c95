"""The phases of the flakiness search, cheapest evidence first, all within one time budget.

1. **baseline**: the suite in pytest's own order (always runs; gives the tests, their durations
   and the budget: `max(min_seconds, budget * baseline wall time)`);
2. the first two **orders** of the pair-covering schedule (an order and its reverse: every test
   runs once before every other), then the tests that now have both outcomes are analysed
   (`analyze.Analyzer`);
3. **reruns**: the baseline's order again in fresh processes (non-deterministic tests);
4. **xdist**: one `pytest -n 2` run (`parallel`);
5. the rest of the schedule, two orders at a time, each pair followed by the analysis.

With the default budget of 5x the baseline, a large suite gets the baseline, the first pair, the
reruns and the xdist run: the cheapest evidence of each kind comes first.

In --diff mode (`focus_files`) the reruns and all orders but the first pair run only the changed
test files; the first pair runs the whole suite, so a changed test meets every other test on both
sides of it.

A run that would overrun the budget is not started; what was left out is listed in
`EngineReport.not_covered`. Results depend only on the seed and what the tests do: the same seed
on a deterministic suite gives the same report (the budget aside, which is wall time).
"""

from __future__ import annotations

from collections.abc import Callable

from auditor.flaky import parallel
from auditor.flaky.analyze import Analyzer
from auditor.flaky.command import xdist_installed
from auditor.flaky.result import EngineReport, FlakyTest
from auditor.flaky.runs import RunResult, RunSpec
from auditor.flaky.schedule import Schedule, pair_coverage
from auditor.flaky.session import BudgetExceeded, Session
from auditor.flaky.settings import Settings
from auditor.flaky.settings import grouping as settings_grouping


class EngineError(Exception):
    """The baseline run produced no test results (message says why)."""


class Engine:
    """One flakiness search over `session` (which owns the executor, store and budget)."""

    def __init__(
        self,
        session: Session,
        settings: Settings,
        *,
        targets: list[str] | None = None,
        focus_files: tuple[str, ...] = (),
        xdist_available: bool | None = None,
    ) -> None:
        self.session = session
        self.settings = settings
        self.targets = targets or []
        self.focus_files = focus_files
        self.xdist_available = xdist_installed() if xdist_available is None else xdist_available
        self.analyzer = Analyzer(session, verify_runs=settings.verify_runs, state=settings.state)
        self.found: dict[str, FlakyTest] = {}
        self.analyzed: set[str] = set()
        self.skipped: list[str] = []
        self.report = EngineReport(seed=settings.seed, grouping=settings.grouping)
        self._second_phase_done = False

    def run(self) -> EngineReport:
        baseline = self._baseline()
        tests = list(baseline.executed)
        report = self.report
        report.tests = len(tests)
        report.collect_errors = baseline.collect_errors
        if baseline.collect_errors:
            report.not_covered.append(
                f"{len(baseline.collect_errors)} test module(s) pytest could not collect "
                f"(first: {baseline.collect_errors[0]['id'] or 'a test module'})"
            )
        if baseline.timed_out:
            report.not_covered.append(
                f"tests after {baseline.executed[-1]} (the baseline run hit its time limit, "
                f"baseline-timeout = {self.session.baseline_timeout:g} s)"
            )
        report.baseline_seconds = baseline.seconds
        report.budget_seconds = round(
            max(self.settings.min_seconds, self.settings.budget * baseline.seconds), 1
        )
        self.session.budget = report.budget_seconds
        focus = [t for t in tests if t.split("::")[0] in self.focus_files] or tests
        planned, order_at, sizes = self._plan(tests, focus)
        report.orders_planned = planned
        if self.session.progress is not None:
            extra = self.settings.reruns * len(focus) + int(self._xdist_wanted()) * len(tests)
            self.session.progress.plan(extra + sum(sizes))
        orders: list[list[str]] = []
        for r in range(planned):
            if r == min(2, planned):  # the first pair ran: now the reruns and the xdist run
                self._after_first_pair(tests, focus)
            order = order_at(r)
            try:
                self.session.run(RunSpec("order", tuple(order), label=f"order-{r}"))
            except BudgetExceeded:
                report.not_covered.append(
                    f"{planned - r} of {planned} orders of the pair-covering schedule "
                    f"(time budget {report.budget_seconds:g} s used up)"
                )
                break
            orders.append(order)
            if r % 2 == 1 and self._second_phase_done:  # the first pair: after the reruns
                self._analyze()
        if len(orders) <= 2:
            self._after_first_pair(tests, focus)
        report.orders_run = len(orders)
        self._analyze()
        report.pair_coverage = round(pair_coverage(orders, tests), 4) if len(tests) > 1 else None
        self._finish(tests)
        return report

    def _after_first_pair(self, tests: list[str], focus: list[str]) -> None:
        """Reruns in the baseline's order, then one `pytest -n 2` run (each once per search)."""
        if self._second_phase_done:
            return
        self._second_phase_done = True
        self._reruns(focus)
        self._analyze()  # after the reruns: a non-deterministic test is known as such first
        self._xdist(tests)

    def _plan(
        self, tests: list[str], focus: list[str]
    ) -> tuple[int, Callable[[int], list[str]], list[int]]:
        """(number of orders, order of index r, sizes): the whole schedule (capped by `orders`),
        or in --diff mode its first pair over the whole suite (a before b for every pair, so a
        changed test meets every polluter and victim) then `diff-orders` orders of the changed
        test files only."""
        seed, grouping = self.settings.seed, settings_grouping(self.settings)
        full = Schedule(tests, seed=seed, grouping=grouping)
        if focus == tests:
            planned = full.length
            if self.settings.orders is not None:
                planned = min(planned, self.settings.orders)
            return planned, full.order, [len(tests)] * planned
        head = min(2, full.length)
        sub = Schedule(focus, seed=seed, grouping=grouping)
        tail = min(sub.length, self.settings.diff_orders)

        def order_at(r: int) -> list[str]:
            return full.order(r) if r < head else sub.order(r - head)

        return head + tail, order_at, [len(tests)] * head + [len(focus)] * tail

    def _baseline(self) -> RunResult:
        spec = RunSpec("baseline")
        baseline = self.session.run(spec, force=True)
        if not baseline.outcomes:
            detail = baseline.messages.get("<run>", "")
            errors = baseline.collect_errors
            if errors:
                detail = (
                    f"{len(errors)} collection error(s), first in {errors[0]['id']}: "
                    + (errors[0]["message"].strip().splitlines() or [""])[-1]
                )
            raise EngineError(
                f"the baseline pytest run produced no test results (exit code "
                f"{baseline.exit_code}{', timed out' if baseline.timed_out else ''}). {detail}"
            )
        self.session.calibrate(baseline)
        return baseline

    def _reruns(self, tests: list[str]) -> None:
        """Same-order reruns; when tests already wait for analysis, a fifth of the budget is kept
        for it (a rerun that would eat into it is not started)."""
        done = 0
        waiting = any(self.analyzer.mixed(t) for t in tests)
        reserve = 0.2 * self.session.budget if waiting else 0.0
        for i in range(1, self.settings.reruns + 1):
            try:
                if (
                    self.session.spent + self.session.estimate(tests) + reserve
                    > self.session.budget
                ):
                    raise BudgetExceeded("rerun")
                self.session.run(RunSpec("rerun", tuple(tests), label=f"rerun-{i}"))
            except BudgetExceeded:
                self.report.not_covered.append(
                    f"{self.settings.reruns - done} of {self.settings.reruns} same-order reruns "
                    f"(time budget used up)"
                )
                break
            done += 1
        self.report.reruns = done

    def _xdist_wanted(self) -> bool:
        return self.settings.xdist and self.xdist_available

    def _xdist(self, tests: list[str]) -> None:
        report = self.report
        if not self.settings.xdist:
            report.xdist = "disabled ([tool.auditor.flaky] xdist = false)"
            return
        if not self.xdist_available:
            report.xdist = "not run: pytest-xdist is not installed (pip install 'auditor[xdist]')"
            report.not_covered.append("parallel-unsafe tests (pytest-xdist is not installed)")
            return
        try:
            run = self.session.run(RunSpec("xdist", tuple(tests), label="suite", xdist=2))
        except BudgetExceeded:
            report.xdist = "not run: time budget used up"
            report.not_covered.append("parallel-unsafe tests (time budget used up)")
            return
        report.xdist = "ran once with pytest -n 2"
        serial_failures = {t for r in self.session.serial() for t in r.outcomes if r.failed(t)}
        for test in run.executed:
            if run.failed(test) and test not in serial_failures and test not in self.found:
                try:
                    entry = parallel.analyze(self.analyzer, run, test, self.targets)
                except BudgetExceeded:
                    self.skipped.append(test)
                    continue
                self.analyzed.add(test)
                if entry is not None:
                    self.found[test] = entry

    def _analyze(self) -> None:
        """Classify every test that now has both outcomes and was not classified yet."""
        pending = [
            t
            for t in self._tests_seen()
            if t not in self.analyzed and t not in self.found and self.analyzer.mixed(t)
        ]
        for test in pending:
            try:
                entry = self.analyzer.classify(test)
            except BudgetExceeded:
                if test not in self.skipped:
                    self.skipped.append(test)
                continue
            self.analyzed.add(test)
            if test in self.skipped:
                self.skipped.remove(test)
            if entry is not None:
                self.found[test] = entry
        for entry in list(self.found.values()):
            try:
                self.analyzer.retry_cleaner(entry)
            except BudgetExceeded:
                break

    def _tests_seen(self) -> list[str]:
        seen: dict[str, None] = {}
        for run in self.session.serial():
            seen.update(dict.fromkeys(run.executed))
        return list(seen)

    def _finish(self, tests: list[str]) -> None:
        report = self.report
        for test in tests:
            outcomes = self.analyzer.outcomes(test)
            if outcomes and all(failed for _run, failed in outcomes) and test not in self.found:
                report.failing.append(test)
        if self.skipped:
            names = ", ".join(self.skipped[:5]) + (" ..." if len(self.skipped) > 5 else "")
            report.not_covered.append(
                f"{len(self.skipped)} test(s) failed in some run but were not analysed within "
                f"the time budget: {names}"
            )
        report.unconfirmed = [
            f"{test}: {why}"
            for test, why in sorted(self.analyzer.unconfirmed.items())
            if test not in self.found
        ]
        for entry in self.found.values():
            if entry.kind != "parallel-unsafe":
                self.analyzer.recount(entry)
        report.flaky = sorted(self.found.values(), key=lambda f: (f.kind, f.test))
        history = self.session.serial() + [r for r in self.session.history if r.kind == "xdist"]
        keys = {r.key: r for r in history}
        report.runs = len(keys)
        report.executions = sum(len(r.outcomes) for r in keys.values())
        report.seconds = round(self.session.spent, 1)
