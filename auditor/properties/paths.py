"""Where the properties stage keeps its state under `.auditor/` (shared with `auditor suggest`)."""

from __future__ import annotations

from pathlib import Path

LAST_SCORECARD = "last-scorecard.json"  # written by the CLI/score side when it exists
CACHE_FILE = "witness-cache.json"
WITNESS_FILE = "witnesses.json"
STATS_FILE = "hypothesis-stats.jsonl"  # written by the stats plugin during the coverage run


def properties_dir(state_dir: Path) -> Path:
    return state_dir / "properties"


def stats_file(state_dir: Path) -> Path:
    return state_dir / "coverage" / STATS_FILE
