"""Where a test is defined (for SARIF and the reports), and the static findings that predicted
its flakiness (cross-links to the TQ3xx/TQ4xx rules)."""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

from auditor.flaky.schedule import split_nodeid
from auditor.model import Finding, FlakyTest

# Static rules that point at a cause of each kind of flakiness (docs/flaky.md).
PREDICTORS: dict[str, tuple[str, ...]] = {
    # unrestored os.environ/cwd/sys.path/global writes, shared mutable wide fixtures, fixtures
    # without teardown, leaked resources
    "order-dependent": ("TQ309", "TQ302", "TQ304", "TQ305", "TQ308", "TQ301"),
    "brittle": ("TQ309", "TQ302", "TQ304", "TQ308", "TQ301"),
    # sleeps, clock/random/uuid values in assertions, absolute paths and URLs
    "non-deterministic": ("TQ401", "TQ409", "TQ408"),
    # fixed paths and unrestored global writes are shared between workers too
    "parallel-unsafe": ("TQ408", "TQ309", "TQ401"),
}


def static_id(nodeid: str) -> str:
    """`tests/a.py::TestX::test_y[1]` -> `tests/a.py::TestX::test_y` (what static findings name)."""
    return nodeid.partition("[")[0]


def def_line(root: Path, nodeid: str, cache: dict[str, ast.Module | None]) -> int | None:
    """The line of the test's `def` (its first decorator's line is not used); None if not found."""
    parts = split_nodeid(static_id(nodeid))
    path = parts[0]
    if path not in cache:
        try:
            cache[path] = ast.parse((root / path).read_text(encoding="utf-8"))
        except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
            cache[path] = None
    tree = cache[path]
    if tree is None:
        return None
    body: list[ast.stmt] = tree.body
    line = None
    for name in parts[1:]:
        found = next(
            (
                node
                for node in body
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                and node.name == name
            ),
            None,
        )
        if found is None:
            return None
        line, body = found.lineno, found.body
    return line


def locate(root: Path, entries: Iterable[FlakyTest]) -> None:
    """Fill `path` and `line` of each entry from its node id."""
    cache: dict[str, ast.Module | None] = {}
    for entry in entries:
        entry.path = split_nodeid(entry.test)[0]
        entry.line = def_line(root, entry.test, cache)


def _involved(entry: FlakyTest) -> list[str]:
    names = [entry.test, entry.polluter, entry.state_setter, entry.cleaner, entry.concurrent]
    return [static_id(n) for n in [*names, *entry.also_needed] if n]


def predicted_by(entry: FlakyTest, findings: Iterable[Finding]) -> list[str]:
    """`CODE path:line` of the findings on the tests involved (the flaky test, its polluter or
    state-setter, cleaner, partner) or on fixtures in their files and conftest.py files, for the
    rules that predict this kind of flakiness."""
    codes = PREDICTORS.get(entry.kind, ())
    tests = set(_involved(entry))
    files = {t.partition("::")[0] for t in tests}
    out: list[str] = []
    for finding in findings:
        if finding.rule not in codes:
            continue
        on_test = finding.test is not None and static_id(finding.test) in tests
        on_fixture = finding.test is None and (
            finding.path in files or finding.path.endswith("conftest.py")
        )
        if on_test or on_fixture:
            label = f"{finding.rule} {finding.path}:{finding.line}"
            if label not in out:
                out.append(label)
    return out
