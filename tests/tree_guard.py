"""A content snapshot of a directory tree, so the suite can prove it leaves no trace in it.

`snapshot(root)` maps every file under `root` (ignored ones included: `.auditor/`, `__pycache__/`)
to the SHA-256 of its bytes; `changes(before, after)` lists what was added, removed or modified.
The session guard in `tests/conftest.py` compares `sample_project/` before and after the run.
"""

from __future__ import annotations

import hashlib
from pathlib import Path


def snapshot(root: Path) -> dict[str, str]:
    """Relative POSIX path -> SHA-256 hex digest of every regular file under `root` ({} if absent)."""
    if not root.is_dir():
        return {}
    out: dict[str, str] = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            out[path.relative_to(root).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def changes(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """Human-readable lines `added: p`, `removed: p`, `modified: p`, sorted by path."""
    lines = [f"added: {p}" for p in after.keys() - before.keys()]
    lines += [f"removed: {p}" for p in before.keys() - after.keys()]
    lines += [f"modified: {p}" for p in before.keys() & after.keys() if before[p] != after[p]]
    return sorted(lines, key=lambda line: line.split(": ", 1)[1])


SAMPLE = Path(__file__).resolve().parents[1] / "sample_project"
# state a user's own runs may have left in their sample_project/: never part of a test's copy
LOCAL_STATE = (".auditor", "__pycache__", ".pytest_cache", ".hypothesis", "mutants", ".coverage*")


def copy_sample_project(parent: Path) -> Path:
    """Copy `sample_project/` (sources, tests, README, pyproject) to `parent/sample_project` and
    return the copy's path; local run state (`.auditor/`, caches) is left behind."""
    import shutil

    dest = parent / "sample_project"
    shutil.copytree(SAMPLE, dest, ignore=shutil.ignore_patterns(*LOCAL_STATE))
    return dest
