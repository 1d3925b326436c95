"""pytest plugin: one JSON line of Hypothesis statistics per `@given` test.

Loaded by the coverage stage with `-p auditor.properties.stats_plugin` and
`AUDITOR_STATS_FILE=<project>/.auditor/coverage/hypothesis-stats.jsonl`.

Why the statistics collector and not observability: `hypothesis.statistics.collector` hands over the
engine's own per-phase counts at no measurable cost, while observability costs 2-4x
(docs/hypothesis-internals.md). Hypothesis' pytest plugin installs its own collector callback around
`pytest_runtest_call`; this hook is a `trylast` wrapper, so it runs *inside* that one, and it chains
to the outer callback so `--hypothesis-show-statistics` keeps working.

Zero cost when `AUDITOR_STATS_FILE` is unset: the hook yields immediately.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Generator
from typing import Any

import pytest

STATS_ENV = "AUDITOR_STATS_FILE"
_STATUSES = ("valid", "invalid", "overrun", "interesting")


def summarize(nodeid: str, stats: dict[str, Any]) -> dict[str, Any]:
    """The JSON line for one test from Hypothesis' statistics dict (format read in 6.170)."""
    counts = dict.fromkeys(_STATUSES, 0)
    phases: dict[str, dict[str, int]] = {}
    seconds = 0.0
    for key, phase in stats.items():
        if not key.endswith("-phase") or not isinstance(phase, dict):
            continue
        name = key[: -len("-phase")]
        per_phase = dict.fromkeys(_STATUSES, 0)
        for case in phase.get("test-cases", []):
            status = case.get("status")
            if status in per_phase:
                per_phase[status] += 1
                counts[status] += 1
        phases[name] = per_phase
        duration = phase.get("duration-seconds")
        if isinstance(duration, (int, float)):
            seconds += float(duration)
    return {
        "test": nodeid,
        "examples": counts["valid"] + counts["interesting"],
        "invalid": counts["invalid"],
        "overrun": counts["overrun"],
        "failing": counts["interesting"],
        "stopped_because": str(stats.get("stopped-because", "")),
        "phases": phases,
        "seconds": round(seconds, 4),
    }


def _write(path: str, record: dict[str, Any]) -> None:
    directory = os.path.dirname(path)
    if directory:
        os.makedirs(directory, exist_ok=True)
    with open(path, "a", encoding="utf-8") as out:
        out.write(json.dumps(record, default=str) + "\n")


@pytest.hookimpl(hookwrapper=True, trylast=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    path = os.environ.get(STATS_ENV)
    if not path or "hypothesis" not in sys.modules:
        yield
        return
    from hypothesis.statistics import collector

    outer = collector.value
    if outer is None:  # not a Hypothesis test (the Hypothesis plugin sets it only for those)
        yield
        return

    def note_statistics(stats: dict[str, Any]) -> None:
        try:
            _write(path, summarize(item.nodeid, stats))
        finally:
            outer(stats)

    with collector.with_value(note_statistics):
        yield
