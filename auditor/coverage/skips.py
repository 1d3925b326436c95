"""Test modules pytest skipped while collecting them: which tests they hold, what they import.

pytest reports a module-level skip (`pytest.importorskip("numpy")` at the top of a test file) as
one skipped collector; none of its tests gets a node id, so the suite's own record says nothing
about them. We parse the skipped file (never import it) for the test functions it defines and the
project modules it imports, so the report can say "these tests were skipped, because ..." instead
of calling the code they test untested.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

from auditor.model import SkippedModule
from auditor.project import Project
from auditor.pytest_command import import_roots


def module_names(project: Project) -> dict[str, str]:
    """Dotted module name -> project-relative path, for every source file."""
    roots = import_roots(project)
    out: dict[str, str] = {}
    for path in project.source_files():
        for root in roots:
            try:
                rel = path.relative_to(root)
            except ValueError:
                continue
            parts = list(rel.with_suffix("").parts)
            if parts and parts[-1] == "__init__":
                parts.pop()
            if parts:
                out[".".join(parts)] = project.rel(path)
            break
    return out


def _imported(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _tests(project: Project, tree: ast.Module) -> list[str]:
    out: list[str] = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if project.pytest.matches_function(node.name):
                out.append(node.name)
        elif isinstance(node, ast.ClassDef) and project.pytest.matches_class(node.name):
            out.extend(
                f"{node.name}::{item.name}"
                for item in node.body
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))
                and project.pytest.matches_function(item.name)
            )
    return out


def _all_skipped(tests: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Test files whose every collected test was skipped (e.g. `skipif` on each test), as
    collect_skip-like records carrying the first skip reason."""
    by_file: dict[str, list[dict[str, Any]]] = {}
    for test in tests:
        by_file.setdefault(str(test.get("id", "")).split("::", 1)[0], []).append(test)
    return [
        {"id": path, "reason": str(records[0].get("reason", ""))}
        for path, records in sorted(by_file.items())
        if records and all(r.get("outcome") == "skipped" for r in records)
    ]


def skipped_modules(
    project: Project, records: list[dict[str, Any]], tests: list[dict[str, Any]] | None = None
) -> list[SkippedModule]:
    """One `SkippedModule` per `collect_skip` record of the plugin whose node is a file, and per
    test file whose every test was skipped (`tests`: the plugin's per-test records)."""
    modules = module_names(project)
    out: list[SkippedModule] = []
    for record in [*records, *_all_skipped(tests or [])]:
        node = str(record.get("id", ""))
        path = project.root / node.split("::", 1)[0]
        if "::" in node or path.suffix != ".py" or not path.is_file():
            continue
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
            tree = ast.Module(body=[], type_ignores=[])
        imported = _imported(tree)
        targets = sorted(
            rel
            for name, rel in modules.items()
            if any(name == i or name.startswith(i + ".") for i in imported)
        )
        out.append(
            SkippedModule(
                path=project.rel(Path(path)),
                reason=str(record.get("reason", "")),
                tests=_tests(project, tree),
                targets=targets,
            )
        )
    return sorted(out, key=lambda m: m.path)
