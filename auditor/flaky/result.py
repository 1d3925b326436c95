"""What the flakiness engine reports: one `FlakyTest` per verified flaky test, and the coverage of
the search (`EngineReport`) so the stage can say what it did not look at."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

FlakyKind = Literal["order-dependent", "brittle", "non-deterministic", "parallel-unsafe"]
FLAKY_KINDS: tuple[FlakyKind, ...] = (
    "order-dependent",
    "brittle",
    "non-deterministic",
    "parallel-unsafe",
)


@dataclass
class FlakyTest:
    """One flaky test and its verified cause.

    `runs`/`failures`: how many of the suite runs (baseline, same-order reruns, shuffled orders)
    ran the test and how many of those it failed; `failure_rate`/`failure_ci` the rate and its
    95 % Wilson interval in percent. `reproduce` is a plain pytest command that shows the failure
    (for a non-deterministic test: run it a few times), `passes` one that shows the test passing.
    """

    test: str
    kind: FlakyKind
    polluter: str | None = None
    cleaner: str | None = None
    state_setter: str | None = None
    concurrent: str | None = None
    also_needed: list[str] = field(default_factory=list)
    state: list[dict[str, str]] = field(default_factory=list)
    runs: int = 0
    failures: int = 0
    failure_rate: float | None = None
    failure_ci: list[float] | None = None
    reproduce: str = ""
    passes: str = ""
    message: str = ""
    path: str = ""
    line: int | None = None
    predicted_by: list[str] = field(default_factory=list)


@dataclass
class EngineReport:
    """The search itself: what ran, within which budget, and what was left out."""

    flaky: list[FlakyTest] = field(default_factory=list)
    failing: list[str] = field(default_factory=list)
    tests: int = 0
    runs: int = 0
    executions: int = 0
    seconds: float = 0.0
    baseline_seconds: float = 0.0
    budget_seconds: float = 0.0
    orders_run: int = 0
    orders_planned: int = 0
    pair_coverage: float | None = None
    reruns: int = 0
    xdist: str = ""
    seed: int = 0
    grouping: str = "module"
    not_covered: list[str] = field(default_factory=list)
    unconfirmed: list[str] = field(default_factory=list)
    collect_errors: list[dict[str, str]] = field(default_factory=list)
