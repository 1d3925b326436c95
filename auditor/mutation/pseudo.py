"""Extreme mutation (Descartes): which covered functions are *pseudo-tested*?

A function is pseudo-tested when tests execute it, yet none of them fails after its whole body is
replaced by a trivial `return` (None, or False/0/""/... from the return annotation). That is a far
stronger smell than one surviving mutant: the tests run the code but check nothing it computes.

Implementation: one private copy of the project per worker (`.auditor/mutation/pseudo/worker-N/`,
all cores), and for each covered function: rewrite the body, run `pytest -x` on only the tests
that cover it (from the coverage map), restore. Results are cached per (function source,
replacement, covering tests, the contents of their test files).
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from auditor.coverage.map import CoverageMap
from auditor.model import PseudoTested, Scorecard
from auditor.mutation.scope import mutmut_scope_functions
from auditor.mutation.workspace import sync_tree
from auditor.options import Options
from auditor.project import Project
from auditor.pytest_command import child_env, import_roots, pytest_args
from auditor.version import __version__

BY_ANNOTATION = {
    "bool": "False",
    "int": "0",
    "float": "0.0",
    "str": '""',
    "bytes": 'b""',
    "list": "[]",
    "dict": "{}",
    "set": "set()",
    "tuple": "()",
}


@dataclass
class Candidate:
    path: str
    function: str
    line: int
    body_start: int
    body_end: int
    indent: str
    replacement: str
    source: str


def candidates(path: str, text: str) -> list[Candidate]:
    """Top-level functions and methods of top-level classes (mutmut's scope), minus trivial ones."""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return []
    lines = text.splitlines()
    out = []
    for name, node in mutmut_scope_functions(tree):
        body = node.body
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            body = body[1:]  # keep the docstring
        if not body or body[0].lineno == node.lineno or _trivial(body) or _is_generator(node):
            continue
        start, end = body[0].lineno, node.end_lineno or body[-1].lineno
        indent = lines[start - 1][: len(lines[start - 1]) - len(lines[start - 1].lstrip())]
        out.append(
            Candidate(
                path,
                name,
                node.lineno,
                start,
                end,
                indent,
                _replacement(node),
                "\n".join(lines[node.lineno - 1 : end]),
            )
        )
    return out


def _trivial(body: list[ast.stmt]) -> bool:
    if len(body) != 1:
        return False
    stmt = body[0]
    if isinstance(stmt, (ast.Pass, ast.Raise)):
        return True
    if isinstance(stmt, ast.Return):
        return stmt.value is None or isinstance(stmt.value, ast.Constant)
    return isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)


def _is_generator(node: ast.AST) -> bool:
    return any(isinstance(n, (ast.Yield, ast.YieldFrom)) for n in ast.walk(node))


def _replacement(node: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    returns_value = any(isinstance(n, ast.Return) and n.value is not None for n in ast.walk(node))
    if not returns_value:
        return "return None"
    annotation = ast.unparse(node.returns) if node.returns is not None else ""
    return f"return {BY_ANNOTATION.get(annotation.split('[')[0], 'None')}"


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
    copy: Path, cand: Candidate, tests: list[str], env: dict[str, str], args: list[str]
) -> str:
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
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-x",
                "-q",
                "--no-header",
                *args,
                *tests,
            ],
            cwd=copy,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        target.write_text(original, encoding="utf-8")
    return {0: "pseudo_tested", 1: "tested"}.get(proc.returncode, "error")


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


def _run_parallel(
    project: Project, todo: list[tuple[str, Candidate, list[str]]], jobs: int
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
    args, _ = pytest_args(project)

    def work(index: int) -> dict[str, str]:
        copy = copies[index]
        env = dict(env_template)
        env["PYTHONPATH"] = _python_path(project, copy)
        done: dict[str, str] = {}
        for key, cand, tests in todo[index::workers]:
            done[key] = _check(copy, cand, tests, env, args)
        return done

    results: dict[str, str] = {}
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for part in pool.map(work, range(workers)):
            results.update(part)
    return results


def find_pseudo_tested(project: Project, options: Options, card: Scorecard) -> list[PseudoTested]:
    """Every covered function's pseudo-tested verdict (cached by function source, replacement,
    covering tests and their files' contents). In PR mode only functions touching changed lines
    are checked; others are reported only when a cached verdict exists."""
    cov_map = CoverageMap.load(project)
    if not cov_map.tests:
        return []
    cache_path = project.state_dir / "mutation" / "pseudo.json"
    cache: dict[str, str] = {}
    if options.use_cache:
        try:
            cache = json.loads(cache_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            cache = {}
    changed = _in_diff_scope(project, options)
    out: list[PseudoTested] = []
    pending: list[tuple[str, Candidate, list[str]]] = []
    waiting: list[tuple[str, PseudoTested]] = []
    for source in project.source_files():
        rel = project.rel(source)
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
                out.append(result)
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
            if key in cache:
                result.status = cache[key]  # type: ignore[assignment]
                out.append(result)
            elif in_scope:
                pending.append((key, cand, tests))
                waiting.append((key, result))
    cache.update(_run_parallel(project, pending, options.effective_jobs(project)))
    for key, result in waiting:
        result.status = cache[key]  # type: ignore[assignment]
        out.append(result)
    out.sort(key=lambda r: (r.path, r.line))
    cache_path.parent.mkdir(parents=True, exist_ok=True)
    cache_path.write_text(json.dumps(cache, indent=0, sort_keys=True), encoding="utf-8")
    return out
