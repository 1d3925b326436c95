"""What the mutation stage remembers between scans (`.auditor/mutation/state.json`).

- the process isolation that worked (a suite that needed the forkserver fallback once needs it
  every time, so later scans do not pay for a failed fork attempt);
- the test files' content hashes at the last *completed* run, to re-run the mutants covered by
  tests that changed since (mutmut only invalidates on source changes).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from auditor import state
from auditor.project import Project


def state_path(project: Project, workspace: str = "workspace") -> Path:
    name = "state.json" if workspace == "workspace" else f"state-{workspace}.json"
    return project.state_dir / "mutation" / name


def load(project: Project, workspace: str = "workspace") -> dict[str, Any]:
    data = state.read_json(state_path(project, workspace), "mutation state")
    return data if isinstance(data, dict) else {}


def save(project: Project, data: dict[str, Any], workspace: str = "workspace") -> None:
    state.atomic_write_json(state_path(project, workspace), data, indent=1)


def changed_test_files(old: dict[str, str] | None, new: dict[str, str]) -> set[str]:
    """Test files added or edited since the last completed run (none when there was no run)."""
    if old is None:
        return set()
    return {path for path, digest in new.items() if old.get(path) != digest}


def tests_in_files(test_ids: set[str], files: set[str]) -> set[str]:
    return {t for t in test_ids if t.split("::", 1)[0] in files}
