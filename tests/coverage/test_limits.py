"""The coverage run's time limit: derived from the last measured run, or configured."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from auditor.coverage import limits
from auditor.project import load_project


def _project(tmp_path: Path, table: str = ""):  # type: ignore[no-untyped-def]
    (tmp_path / "tests").mkdir()
    (tmp_path / "pyproject.toml").write_text(table)
    return load_project(tmp_path / "tests")


def test_first_run_has_the_generous_default(tmp_path: Path) -> None:
    assert limits.suite_limit(_project(tmp_path)) == limits.FIRST_RUN_SECONDS


def test_limit_follows_the_last_measured_run(tmp_path: Path) -> None:
    project = _project(tmp_path)
    limits.save_baseline(project, 12.5)
    assert limits.baseline(project) == 12.5
    assert limits.suite_limit(project) == 10 * 12.5 + 60


def test_configured_multiplier_constant_and_fixed_timeout(tmp_path: Path) -> None:
    project = _project(
        tmp_path, "[tool.auditor.coverage]\ntimeout-multiplier = 3\ntimeout-constant = 5\n"
    )
    limits.save_baseline(project, 10)
    assert limits.suite_limit(project) == 35
    (tmp_path / "other").mkdir()
    fixed = _project(tmp_path / "other", "[tool.auditor.coverage]\ntimeout = 42\n")
    assert limits.suite_limit(fixed) == 42


def test_a_corrupt_baseline_is_ignored(tmp_path: Path) -> None:
    project = _project(tmp_path)
    path = project.state_dir / "coverage" / "baseline.json"
    path.parent.mkdir(parents=True)
    path.write_text("{not json")
    assert limits.baseline(project) is None


def test_run_group_stops_at_the_limit(tmp_path: Path) -> None:
    started = time.monotonic()
    done = limits.run_group(
        [sys.executable, "-c", "import time; print('hi', flush=True); time.sleep(60)"],
        cwd=tmp_path,
        env={},
        limit=1.0,
    )
    assert done.timed_out and time.monotonic() - started < 30
    assert "hi" in done.output
