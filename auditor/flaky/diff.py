"""`--diff BASE`: which test files and tests the branch added or changed.

A test counts as changed when a changed line falls inside its `def` (decorators included); a
changed line outside every test (an import, a module-level helper or fixture) marks every test of
that file as changed. Only test modules under the tests directories are considered; the
flakiness stage then searches those files only.
"""

from __future__ import annotations

import ast

from auditor.pr import diffscope
from auditor.project import Project


def _is_test_module(project: Project, rel: str) -> bool:
    path = (project.root / rel).resolve()
    if path.suffix != ".py" or not path.is_file():
        return False
    if not project.pytest.matches_file(path.name):
        return False
    return any(path == t or t in path.parents for t in (d.resolve() for d in project.tests_dirs))


def test_spans(project: Project, rel: str) -> dict[str, tuple[int, int]]:
    """Static test id -> (first line incl. decorators, last line) for the tests of one module."""
    try:
        tree = ast.parse((project.root / rel).read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return {}
    spans: dict[str, tuple[int, int]] = {}

    def span(node: ast.stmt) -> tuple[int, int]:
        first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
        return first, node.end_lineno or node.lineno

    def walk(body: list[ast.stmt], prefix: str) -> None:
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if project.pytest.matches_function(node.name):
                    spans[f"{prefix}::{node.name}"] = span(node)
            elif isinstance(node, ast.ClassDef) and project.pytest.matches_class(node.name):
                walk(node.body, f"{prefix}::{node.name}")

    walk(tree.body, rel)
    return spans


def changed_tests(project: Project, base: str) -> tuple[tuple[str, ...], list[str]]:
    """(changed test files, changed static test ids), both sorted; UsageError for a bad BASE."""
    lines = diffscope.changed_lines(project.root, base)
    files: list[str] = []
    changed: list[str] = []
    for rel in sorted(lines):
        if not _is_test_module(project, rel):
            continue
        files.append(rel)
        spans = test_spans(project, rel)
        hit = [t for t, (a, b) in spans.items() if any(a <= n <= b for n in lines[rel])]
        text = (project.root / rel).read_text(encoding="utf-8", errors="replace").splitlines()
        outside = [
            n
            for n in lines[rel]
            if not any(a <= n <= b for a, b in spans.values())
            and 0 < n <= len(text)
            and text[n - 1].strip()
            and not text[n - 1].strip().startswith("#")
        ]
        changed.extend(spans if outside else hit)
    return tuple(files), sorted(set(changed))
