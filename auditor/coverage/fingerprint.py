"""Content hashes of what a stage's result depends on (source, tests, configuration).

A stage re-uses its previous result when the fingerprint is unchanged, so an unchanged project costs
almost nothing the second time. Hashes are over file *contents* (not mtimes) so a fresh
checkout or a `touch` does not invalidate anything.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

from auditor.project import Project

CONFIG_FILES = (
    "pyproject.toml",
    "setup.cfg",
    "pytest.ini",
    ".pytest.ini",
    "tox.ini",
    "conftest.py",
)


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def hash_files(project: Project, paths: Iterable[Path]) -> dict[str, str]:
    """Project-relative path -> short content hash, for the files that exist."""
    out: dict[str, str] = {}
    for path in paths:
        if path.is_file():
            out[project.rel(path)] = file_digest(path)
    return dict(sorted(out.items()))


def test_file_hashes(project: Project) -> dict[str, str]:
    return hash_files(project, project.test_files())


def project_fingerprint(project: Project, *extra: str) -> str:
    """One hash over source files, test files, config files and any extra strings."""
    files = hash_files(
        project,
        [*project.source_files(), *project.test_files(), *(project.root / n for n in CONFIG_FILES)],
    )
    digest = hashlib.sha256()
    for rel, value in files.items():
        digest.update(f"{rel}\0{value}\n".encode())
    for item in extra:
        digest.update(f"{item}\n".encode())
    return digest.hexdigest()
