"""The isolated workspace mutmut runs in: `.auditor/mutation/workspace/`, a mirror of the project.

mutmut writes `mutants/` next to its config and needs `[tool.mutmut]` in pyproject.toml, so running
it in the user's tree would modify it. We mirror the tree instead (minus VCS, venvs, caches and
build output) and keep the mirror between runs: files are copied only when their content
changed, with the mtime bumped, because mutmut decides what to regenerate by comparing source and
mutant mtimes.
Being generous with what is copied avoids mutmut's most common failure on real projects (tests that
read a README, a helper package or data files outside `tests/`).
"""

from __future__ import annotations

import os
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from auditor.errors import ConfigError
from auditor.project import SKIP_DIRS, Project
from auditor.pytest_command import pytest_args

EXTRA_SKIP = {"site-packages", ".idea", ".vscode", "htmlcov", ".coverage"}
# top-level names in the workspace that are ours or mutmut's, not mirrored from the project
WORKSPACE_OWN = frozenset({"mutants", "pyproject.toml", "mutmut-run.log"})


@dataclass
class MutmutSettings:
    """The `[tool.mutmut]` table we generate (everything mutmut needs, nothing from the user's)."""

    source_paths: list[str]
    also_copy: list[str]
    test_selection: list[str]
    pytest_args: list[str]
    process_isolation: str = "fork"
    timeout_multiplier: float | None = None
    timeout_constant: float | None = None
    only_mutate: list[str] = field(default_factory=list)
    do_not_mutate: list[str] = field(default_factory=list)
    forkserver_warmup: str = "collect"

    def to_toml(self) -> str:
        def arr(items: list[str]) -> str:
            return "[" + ", ".join(_toml_str(i) for i in items) + "]"

        lines = [
            "[tool.mutmut]",
            f"source_paths = {arr(self.source_paths)}",
            f"also_copy = {arr(self.also_copy)}",
            f"pytest_add_cli_args_test_selection = {arr(self.test_selection)}",
            f"pytest_add_cli_args = {arr(self.pytest_args)}",
            f"process_isolation = {_toml_str(self.process_isolation)}",
            "use_git_change_detection = false",
            "use_setproctitle = false",
        ]
        if self.process_isolation == "forkserver":
            lines.append(f"forkserver_warmup = {_toml_str(self.forkserver_warmup)}")
        if self.only_mutate:
            lines.append(f"only_mutate = {arr(self.only_mutate)}")
        if self.do_not_mutate:
            lines.append(f"do_not_mutate = {arr(self.do_not_mutate)}")
        if self.timeout_multiplier is not None:
            lines.append(f"timeout_multiplier = {float(self.timeout_multiplier)}")
        if self.timeout_constant is not None:
            lines.append(f"timeout_constant = {float(self.timeout_constant)}")
        return "\n".join(lines) + "\n"


def _toml_str(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def workspace_dir(project: Project, name: str = "workspace") -> Path:
    return project.state_dir / "mutation" / name


def _skipped(name: str) -> bool:
    return (
        name in SKIP_DIRS
        or name in EXTRA_SKIP
        or name.endswith(".egg-info")
        or name.startswith(".coverage")
    )


def sync_tree(src: Path, dst: Path, keep: frozenset[str] | set[str] = frozenset()) -> int:
    """Mirror src into dst by content; returns how many files were (re)written.

    Top-level names in `keep` (e.g. `mutants`, our generated pyproject.toml) are left alone.
    """
    written = 0
    dst.mkdir(parents=True, exist_ok=True)
    wanted: set[Path] = set()
    for dirpath, dirnames, filenames in os.walk(src):
        here = Path(dirpath)
        dirnames[:] = sorted(d for d in dirnames if not _skipped(d))
        rel_dir = here.relative_to(src)
        for name in sorted(filenames):
            if _skipped(name) or name.endswith((".pyc", ".pyo")):
                continue
            rel = rel_dir / name
            if rel.parts[0] in keep:
                continue
            wanted.add(rel)
            written += _copy_if_changed(here / name, dst / rel)
        for d in dirnames:
            wanted.add(rel_dir / d)
    for dirpath, dirnames, filenames in os.walk(dst, topdown=True):
        here = Path(dirpath)
        rel_dir = here.relative_to(dst)
        if rel_dir.parts and rel_dir.parts[0] in keep:
            dirnames[:] = []
            continue
        for d in list(dirnames):
            rel = rel_dir / d
            if rel.parts[0] in keep or d == "__pycache__":
                dirnames.remove(d)
                continue
            if rel not in wanted:
                shutil.rmtree(here / d, ignore_errors=True)
                dirnames.remove(d)
        for name in filenames:
            rel = rel_dir / name
            if rel.parts[0] not in keep and rel not in wanted:
                (here / name).unlink(missing_ok=True)
    return written


def _copy_if_changed(source: Path, target: Path) -> int:
    data = source.read_bytes()
    if target.is_file() and target.read_bytes() == data:
        return 0
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    now = time.time()
    os.utime(target, (now, now))  # newer than any mutant file: mutmut regenerates it
    return 1


_MUTMUT_TABLE = re.compile(r"^\[tool\.mutmut\][^\n]*\n(?:(?!\[)[^\n]*\n?)*", re.MULTILINE)


def write_pyproject(project: Project, ws: Path, settings: MutmutSettings) -> None:
    """The user's pyproject.toml (pytest config etc.) with our `[tool.mutmut]` instead of theirs."""
    original = project.root / "pyproject.toml"
    text = original.read_text(encoding="utf-8") if original.is_file() else ""
    text = _MUTMUT_TABLE.sub("", text).rstrip()
    content = (text + "\n\n" if text else "") + settings.to_toml()
    target = ws / "pyproject.toml"
    if not target.is_file() or target.read_text(encoding="utf-8") != content:
        target.write_text(content, encoding="utf-8")


def default_settings(project: Project, ws: Path) -> MutmutSettings:
    """source_paths relative to the project; also_copy = every other top-level entry."""
    sources = [_rel_dir(project, p) for p in project.source_paths]
    top_sources = {s.rstrip("/").split("/")[0] for s in sources}
    also_copy = sorted(
        (entry.name + "/" if entry.is_dir() else entry.name)
        for entry in ws.iterdir()
        if entry.name not in WORKSPACE_OWN and entry.name not in top_sources
    )
    also_copy += [c for c in project.config.also_copy if c not in also_copy]
    tests = [_rel_dir(project, t) for t in project.tests_dirs]
    options = project.config.mutation
    isolation = options.process_isolation or "fork"
    if isolation not in ("fork", "forkserver"):
        raise ConfigError(
            f'[tool.auditor.mutation] process-isolation must be "fork" or "forkserver"; got '
            f'{isolation!r}. Use "forkserver" when the suite keeps state between runs.'
        )
    return MutmutSettings(
        source_paths=sources,
        also_copy=also_copy,
        test_selection=tests,
        pytest_args=pytest_args(project)[0],
        process_isolation=isolation,
        timeout_multiplier=options.timeout_multiplier,
        timeout_constant=options.timeout_constant,
        only_mutate=[str(g) for g in options.only_mutate],
        # tests that live inside the package (pkg/test_pkg.py) are copied, never mutated
        do_not_mutate=[project.rel(p) for p in project.test_modules_in_source()],
    )


def _rel_dir(project: Project, path: Path) -> str:
    rel = project.rel(path)
    return rel + "/" if path.is_dir() else rel


def prepare(
    project: Project,
    isolation: str | None = None,
    name: str = "workspace",
    only_mutate: list[str] | None = None,
) -> tuple[Path, MutmutSettings]:
    """Sync the mirror and write the mutmut config; returns (workspace, settings).

    `only_mutate` (PR mode: the changed source files) restricts generation to those files. Their
    previous copies under `mutants/` are removed first: mutmut regenerates a file only when the
    source is newer than its copy, and a copy left unmutated by an earlier run that excluded it
    would otherwise be kept (a branch switch can make the source look older)."""
    ws = workspace_dir(project, name)
    sync_tree(project.root, ws, keep=WORKSPACE_OWN)
    settings = default_settings(project, ws)
    if isolation:
        settings.process_isolation = isolation
    if only_mutate is not None:
        settings.only_mutate = list(only_mutate)
        for rel in only_mutate:
            for suffix in ("", ".meta", ".spans"):
                (ws / "mutants" / f"{rel}{suffix}").unlink(missing_ok=True)
        # results of files an earlier PR run changed but this one does not: not part of this diff
        keep = {f"{rel}.meta" for rel in only_mutate}
        for meta in (ws / "mutants").rglob("*.py.meta") if (ws / "mutants").is_dir() else []:
            if meta.relative_to(ws / "mutants").as_posix() not in keep:
                meta.unlink(missing_ok=True)
                meta.with_suffix(".spans").unlink(missing_ok=True)
    write_pyproject(project, ws, settings)
    return ws, settings
