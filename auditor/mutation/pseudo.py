"""Extreme mutation (Descartes): which covered functions are *pseudo-tested*?

A function is pseudo-tested when tests execute it, yet none of them fails after its whole body is
replaced by a trivial `return` (None, or False/0/""/... from the return annotation). That is a far
stronger smell than one surviving mutant: the tests run the code but check nothing it computes.

Implementation: every function mutmut put behind a trampoline has a pseudo variant in the
generated file (`pseudo_variants.py`), so the check is one more job for the warm runner: only the
tests covering the body run, killer-first, stop at the first failure, under a time limit (a
variant that makes a test loop forever - `return None` in cachetools' `Cache.__delitem__` - times
out and counts as "tested"). Functions mutmut does not trampoline (decorated ones, e.g.
`@property`) fall back to a private copy with the body rewritten and one `pytest` process per
function, under the same kind of time limit. Results are cached per (function source,
replacement, covering tests, the contents of their test files).
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditor.coverage.map import CoverageMap
from auditor.model import PseudoTested
from auditor.mutation.command import pytest_args
from auditor.mutation.generate import mutant_key
from auditor.mutation.plan import Target
from auditor.mutation.pseudo_variants import (
    PSEUDO_SUFFIX,
    Candidate,
    candidates,
    has_trampoline,
    mangle,
)
from auditor.mutation.store import NO_TESTS_CODE, TIMEOUT_CODE, RunRecord
from auditor.mutation.workspace import sync_tree
from auditor.options import Options
from auditor.project import Project
from auditor.pytest_command import child_env, import_roots
from auditor.version import __version__


def _python_path(project: Project, copy: Path) -> str:
    """The project's import roots below its root, mapped into the private copy, ahead of any
    existing path. Never the copy's root itself: `python -m pytest` already imports from its cwd,
    and a root on PYTHONPATH would run a root `sitecustomize.py` that plain pytest does not run."""
    parts: list[str] = []
    for root in import_roots(project):
        if root == project.root.resolve():
            continue
        try:
            parts.append(str(copy / root.relative_to(project.root)))
        except ValueError:
            continue
    existing = os.environ.get("PYTHONPATH")
    return os.pathsep.join(dict.fromkeys(parts + ([existing] if existing else [])))


def _check(
    copy: Path,
    cand: Candidate,
    tests: list[str],
    env: dict[str, str],
    argv: list[str],
    limit: float,
) -> str:
    """Cold fallback: rewrite the body in the private copy, run the covering tests, restore."""
    target = copy / cand.path
    original = target.read_text(encoding="utf-8")
    lines = original.splitlines(keepends=True)
    patched = [
        *lines[: cand.body_start - 1],
        f"{cand.indent}{cand.replacement}\n",
        *lines[cand.body_end :],
    ]
    target.write_text("".join(patched), encoding="utf-8")
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "pytest", "-x", "-q", "--no-header", *argv, *tests],
            cwd=copy,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            code = proc.wait(timeout=limit)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            return "tested"  # the trivial body made a test hang: the tests do notice it
    finally:
        target.write_text(original, encoding="utf-8")
    return {0: "pseudo_tested", 1: "tested"}.get(code, "error")


def _tests_digest(root: Path, tests: list[str]) -> str:
    """Content hash of the files that hold the covering tests: editing a test re-checks."""
    digest = hashlib.sha256()
    for test_file in sorted({t.split("::", 1)[0] for t in tests}):
        try:
            digest.update(test_file.encode() + b"\0" + (root / test_file).read_bytes())
        except OSError:
            digest.update(test_file.encode() + b"\0missing")
    return digest.hexdigest()


def _in_diff_scope(project: Project, options: Options) -> dict[str, set[int]] | None:
    """Changed lines in PR mode (`--diff`), else None (every function is in scope)."""
    if not options.diff:
        return None
    from auditor.pr.diffscope import changed_lines

    return changed_lines(project.root, options.diff)


def _run_cold(
    project: Project, todo: list[tuple[str, Candidate, list[str]]], jobs: int, limit_of: Any
) -> dict[str, str]:
    """Check candidates on `jobs` private copies at once (one pytest process per candidate)."""
    from concurrent.futures import ThreadPoolExecutor

    if not todo:
        return {}
    workers = max(1, min(jobs, len(todo)))
    base = project.state_dir / "mutation" / "pseudo"
    copies = [base / f"worker-{i}" for i in range(workers)]
    for copy in copies:
        sync_tree(project.root, copy)
    env_template, _ = child_env(project)
    argv = pytest_args(project)

    def work(index: int) -> dict[str, str]:
        copy = copies[index]
        env = dict(env_template)
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # a private copy of ours
        env["PYTHONPATH"] = _python_path(project, copy)
        done: dict[str, str] = {}
        for key, cand, tests in todo[index::workers]:
            done[key] = _check(copy, cand, tests, env, argv, limit_of(tests) + STARTUP_ALLOWANCE)
        return done

    results: dict[str, str] = {}
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for part in pool.map(work, range(workers)):
            results.update(part)
    return results


STATUS_BY_CODE = {
    1: "tested",
    TIMEOUT_CODE: "tested",
    0: "pseudo_tested",
    NO_TESTS_CODE: "not_covered",
}
STARTUP_ALLOWANCE = 30.0  # seconds for a cold pytest to start and collect


@dataclass
class PseudoPlan:
    """The pseudo-tested pass of one scan: cached results, warm targets, cold fallbacks."""

    project: Project
    cache: dict[str, str] = field(default_factory=dict)
    results: list[PseudoTested] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    cold: list[tuple[str, Candidate, list[str]]] = field(default_factory=list)
    waiting: list[tuple[str, str, PseudoTested]] = field(default_factory=list)  # key, id, result

    def finish(self, records: dict[str, RunRecord], jobs: int, limit_of: Any) -> list[PseudoTested]:
        """Statuses from the warm runner's records and the cold fallback; saves the cache."""
        for key, target_id, _ in self.waiting:
            if target_id and target_id in records:
                record = records[target_id]
                status = "error" if record.error else STATUS_BY_CODE.get(record.exit_code, "error")
                self.cache[key] = status
        self.cache.update(_run_cold(self.project, self.cold, jobs, limit_of))
        for key, _, result in self.waiting:
            result.status = self.cache.get(key, "error")  # type: ignore[assignment]
            self.results.append(result)
        self.results.sort(key=lambda r: (r.path, r.line))
        path = _cache_path(self.project)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.cache, indent=0, sort_keys=True), encoding="utf-8")
        return self.results


def _cache_path(project: Project) -> Path:
    return project.state_dir / "mutation" / "pseudo.json"


def plan(project: Project, options: Options, mutants_dir: Path) -> PseudoPlan:
    """Every covered function's pseudo-tested check: cached verdicts, or a target to run. In PR
    mode only functions touching changed lines are checked; others are reported only when a
    cached verdict exists."""
    out = PseudoPlan(project)
    cov_map = CoverageMap.load(project)
    if not cov_map.tests:
        return out
    if options.use_cache:
        try:
            out.cache = json.loads(_cache_path(project).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            out.cache = {}
    changed = _in_diff_scope(project, options)
    for source in project.source_files():
        rel = project.rel(source)
        generated = mutants_dir / rel
        code = generated.read_text(encoding="utf-8") if generated.is_file() else ""
        for cand in candidates(rel, source.read_text(encoding="utf-8")):
            tests = sorted(cov_map.tests_for_lines(rel, range(cand.body_start, cand.body_end + 1)))
            result = PseudoTested(
                path=rel,
                function=cand.function,
                line=cand.line,
                covered_by=tests,
                replacement=cand.replacement,
            )
            if not tests:
                result.status = "not_covered"
                out.results.append(result)
                continue
            key = hashlib.sha256(
                "\0".join(
                    [
                        __version__,
                        cand.source,
                        cand.replacement,
                        *tests,
                        _tests_digest(project.root, tests),
                    ]
                ).encode()
            ).hexdigest()
            in_scope = changed is None or bool(
                changed.get(rel, set()) & set(range(cand.line, cand.body_end + 1))
            )
            if key in out.cache:
                result.status = out.cache[key]  # type: ignore[assignment]
                out.results.append(result)
            elif in_scope:
                target_id = ""
                if has_trampoline(code, mangle(cand.function)):
                    function_key = mutant_key(Path(rel), mangle(cand.function))
                    target_id = function_key + PSEUDO_SUFFIX
                    out.targets.append(Target(target_id, function_key, rel, tests, "pseudo"))
                else:
                    out.cold.append((key, cand, tests))
                out.waiting.append((key, target_id, result))
    return out
