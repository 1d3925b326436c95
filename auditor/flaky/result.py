"""What the flakiness engine reports: one `FlakyTest` per verified flaky test, and the coverage of
the search (`EngineReport`) so the stage can say what it did not look at."""

from __future__ import annotations

from dataclasses import dataclass, field

from auditor.model import FLAKY_KINDS, FlakyKind, FlakyTest

__all__ = ["FLAKY_KINDS", "EngineReport", "FlakyKind", "FlakyTest"]


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
