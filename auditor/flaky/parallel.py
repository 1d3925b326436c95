"""Parallel-unsafe tests: failing under `pytest -n 2` while passing in every serial run.

Under xdist each worker runs only part of the suite, so a failure there is often an ordinary
order dependency (its state-setter ran on the other worker). So first the worker's own sequence
is re-run serially: if the test fails there too, it goes to the order-dependency analysis. If not,
the tests that ran at the same time on the other worker (overlapping start/stop times, longest
overlap first) are tried as partners: `pytest -n 2 PARTNER TEST` must fail (two attempts, since a
race need not show every time), and both serial orders of the pair must pass. Without a partner,
the test is reported only if it also fails under `-n 2` alone or in a second full xdist run.
"""

from __future__ import annotations

from auditor.flaky.analyze import Analyzer
from auditor.flaky.command import reproduce
from auditor.flaky.result import FlakyTest
from auditor.flaky.runs import RunResult, RunSpec
from auditor.flaky.stats import rate_pct

PARTNERS = 3
ATTEMPTS = 2


def overlapping(run: RunResult, test: str) -> list[str]:
    """Tests on other workers whose run time overlapped `test`'s, longest overlap first."""
    start, stop = run.spans.get(test, [0.0, 0.0])
    worker = run.workers.get(test)
    scored = []
    for other, (o_start, o_stop) in run.spans.items():
        if other == test or run.workers.get(other) == worker:
            continue
        overlap = min(stop, o_stop) - max(start, o_start)
        if overlap > 0:
            scored.append((-overlap, other))
    return [other for _score, other in sorted(scored)]


def analyze(analyzer: Analyzer, run: RunResult, test: str, targets: list[str]) -> FlakyTest | None:
    """Classify a test that failed in the xdist `run`; None when nothing could be verified."""
    session = analyzer.session
    worker = run.workers.get(test)
    same = [t for t in run.executed if run.workers.get(t) == worker]
    prefix = same[: same.index(test)] if test in same else []
    serial = session.run(RunSpec("probe", (*prefix, test), label="xdist-serial"))
    if serial.failed(test) is True:
        return analyzer.classify(test) if analyzer.mixed(test) else None
    for partner in overlapping(run, test)[:PARTNERS]:
        hits = 0
        for attempt in range(ATTEMPTS):
            pair = session.run(RunSpec("xdist", (partner, test), label=f"pair-{attempt}", xdist=2))
            hits += pair.failed(test) is True
            if hits:
                break
        if not hits:
            continue
        ab = session.run(RunSpec("verify", (partner, test), label="serial"))
        ba = session.run(RunSpec("verify", (test, partner), label="serial"))
        if ab.failed(test) is False and ba.failed(test) is False:
            entry = _entry(analyzer, test, run)
            entry.concurrent = partner
            entry.reproduce = reproduce([partner, test], xdist=2)
            entry.passes = reproduce([partner, test])
            return entry
    alone = session.run(RunSpec("xdist", (test,), label="alone", xdist=2))
    again = alone
    if alone.failed(test) is not True:
        again = session.run(RunSpec("xdist", tuple(run.executed), label="again", xdist=2))
    if again.failed(test) is True:
        entry = _entry(analyzer, test, run)
        entry.reproduce = reproduce([test] if again is alone else targets, xdist=2)
        entry.passes = reproduce([test])
        return entry
    analyzer.unconfirmed[test] = "failed once under pytest -n 2; not repeated"
    return None


def _entry(analyzer: Analyzer, test: str, run: RunResult) -> FlakyTest:
    entry = analyzer.new_entry(test, "parallel-unsafe")
    xdist_runs = [r for r in analyzer.session.history if r.kind == "xdist" and test in r.outcomes]
    entry.runs = len({r.key for r in xdist_runs})
    entry.failures = len({r.key for r in xdist_runs if r.failed(test)})
    entry.failure_rate, entry.failure_ci = rate_pct(entry.failures, entry.runs)
    if run.messages.get(test) and not entry.message:
        entry.message = run.messages[test].strip().splitlines()[-1][:200]
    return entry
