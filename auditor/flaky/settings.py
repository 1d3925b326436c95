"""`[tool.auditor.flaky]`: the knobs of the flakiness stage, with their defaults.

Key names and types are validated in `auditor/config.py` (`SUBTABLE_KEYS["flaky"]`, the single
list of accepted keys); this module turns the validated table into `Settings` and checks the
values' ranges.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from auditor.errors import ConfigError
from auditor.flaky.schedule import GROUPINGS, Grouping


@dataclass
class Settings:
    """budget: the stage's time budget as a multiple of the baseline run's wall time;
    min_seconds: the budget is never smaller than this (process start-up dominates tiny suites);
    reruns: same-order reruns after the baseline (non-deterministic tests);
    orders: at most this many scheduled orders (None: the whole pair-covering schedule);
    seed: seeds the orders (same seed, same orders); grouping: see `schedule`;
    xdist: also run once under `pytest -n 2` when pytest-xdist is installed;
    state: snapshot shared state in verification runs;
    timeout_multiplier / timeout_seconds: a run's time limit is
    `timeout_multiplier * expected + timeout_seconds`, expected from the baseline's durations;
    baseline_timeout: the baseline run's own limit (seconds);
    verify_runs: how many times each verification command is run (all must agree);
    diff_orders: shuffled orders of the changed tests' modules in --diff mode."""

    budget: float = 5.0
    min_seconds: float = 60.0
    reruns: int = 2
    orders: int | None = None
    seed: int = 0
    grouping: Grouping = "module"
    xdist: bool = True
    state: bool = True
    timeout_multiplier: float = 3.0
    timeout_seconds: float = 30.0
    baseline_timeout: float = 1800.0
    verify_runs: int = 2
    diff_orders: int = 6


def from_table(table: dict[str, Any]) -> Settings:
    """Settings from a type-checked `[tool.auditor.flaky]` table; ConfigError on a bad value."""
    settings = Settings()
    for key, value in table.items():
        setattr(settings, key.replace("-", "_"), value)
    where = "[tool.auditor.flaky]"
    if settings.grouping not in GROUPINGS:
        raise ConfigError(
            f"{where} grouping must be one of {', '.join(GROUPINGS)}; got {settings.grouping!r}."
        )
    for name in ("budget", "min_seconds", "timeout_multiplier", "timeout_seconds"):
        if getattr(settings, name) <= 0:
            raise ConfigError(f"{where} {name.replace('_', '-')} must be > 0.")
    for name in ("reruns", "diff_orders"):
        if getattr(settings, name) < 0:
            raise ConfigError(f"{where} {name.replace('_', '-')} must be >= 0.")
    if settings.verify_runs < 1:
        raise ConfigError(f"{where} verify-runs must be >= 1.")
    if settings.orders is not None and settings.orders < 0:
        raise ConfigError(f"{where} orders must be >= 0.")
    return settings
