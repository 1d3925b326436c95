"""The Hypothesis statistics plugin, run inside a real pytest subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from auditor.properties.stats_plugin import summarize

TESTS = """
from hypothesis import assume, given, settings, strategies as st

@settings(max_examples=40, database=None)
@given(st.integers())
def test_filtered(x):
    assume(x % 2 == 0)

@given(st.booleans())
def test_tiny(b):
    pass

def test_plain():
    pass
"""


def _pytest(tmp_path: Path, *extra: str, stats: Path | None) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_h.py").write_text(TESTS)
    env = {k: v for k, v in os.environ.items() if k != "AUDITOR_STATS_FILE"}
    env["HYPOTHESIS_STORAGE_DIRECTORY"] = str(tmp_path / ".hyp")
    if stats is not None:
        env["AUDITOR_STATS_FILE"] = str(stats)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "auditor.properties.stats_plugin",
            *extra,
            "test_h.py",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.slow
def test_one_line_per_given_test_and_the_outer_statistics_still_print(tmp_path: Path) -> None:
    stats = tmp_path / "out" / "stats.jsonl"
    proc = _pytest(tmp_path, "--hypothesis-show-statistics", stats=stats)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    records = {r["test"]: r for r in map(json.loads, stats.read_text().splitlines())}
    assert set(records) == {"test_h.py::test_filtered", "test_h.py::test_tiny"}
    filtered = records["test_h.py::test_filtered"]
    assert filtered["examples"] == 40 and filtered["invalid"] > 0
    assert filtered["stopped_because"] == "settings.max_examples=40"
    assert records["test_h.py::test_tiny"]["stopped_because"] == "nothing left to do"
    # chaining: Hypothesis' own --hypothesis-show-statistics output is intact
    assert "Stopped because settings.max_examples=40" in proc.stdout


@pytest.mark.slow
def test_nothing_is_written_without_the_environment_variable(tmp_path: Path) -> None:
    proc = _pytest(tmp_path, stats=None)
    assert proc.returncode == 0
    assert not list(tmp_path.rglob("*.jsonl"))


def test_summarize_counts_statuses_over_phases() -> None:
    stats = {
        "reuse-phase": {"test-cases": [{"status": "valid"}], "duration-seconds": 0.5},
        "generate-phase": {
            "test-cases": [
                {"status": "valid"},
                {"status": "invalid"},
                {"status": "overrun"},
                {"status": "interesting"},
            ],
            "duration-seconds": 1.0,
        },
        "stopped-because": "settings.max_examples=3",
    }
    line = summarize("t::x", stats)
    assert (line["examples"], line["invalid"], line["overrun"], line["failing"]) == (3, 1, 1, 1)
    assert line["seconds"] == 1.5 and line["phases"]["generate"]["invalid"] == 1
