"""Which tests a mutant runs, in which order, and for how long (the runner's plan).

- **Tests**: the tests whose coverage context executed the mutated lines (coverage.py per-test
  contexts from the coverage stage), where the lines are widened to the first line of each
  statement they belong to (coverage records a multi-line statement under its first line). When no
  test context has those lines (e.g. a default argument: the `def` line runs at import), the
  tests that executed any line of the function are used instead.
- **Order**: tests that already killed other mutants of the same function first (the cheapest
  per kill first: duration / kills), then the rest by measured duration, fastest first. The run
  stops at the first failure, so a likely killer that is fast saves the most.
- **Time limit**: mutmut's formula on the measured durations (coverage run) of exactly the tests
  the mutant runs: `(sum of durations + timeout-constant) * timeout-multiplier`.
- **Fresh process**: mutants of functions that ran while the suite was imported/collected run in
  a fresh process with the mutant active from the start, against every test (their effect is not
  limited to the tests that call them).
"""

from __future__ import annotations

import ast
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from auditor.coverage.map import CoverageMap
from auditor.mutation.runner import Job
from auditor.mutation.status import DEFAULT_CONSTANT, DEFAULT_MULTIPLIER

MIN_DURATION = 1e-4


def statement_lines(tree: ast.Module | None, first: int, last: int) -> set[int]:
    """`first..last` plus the first line of every statement (or compound header) they touch."""
    lines = set(range(first, last + 1))
    if tree is None:
        return lines
    for node in ast.walk(tree):
        if not isinstance(node, ast.stmt):
            continue
        start = node.lineno
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.stmt):
            end = (
                body[0].lineno - 1
            )  # the header only: the body's lines are statements of their own
        else:
            end = node.end_lineno or start
        if start <= last and end >= first:
            lines.add(start)
    return lines


def function_lines(tree: ast.Module | None, cls: str | None, func: str) -> set[int]:
    """Every line of a top-level function or method of a top-level class (empty if not found)."""
    from auditor.mutation.locate import find_function

    node = find_function(tree, cls, func) if tree is not None else None
    if node is None:
        return set()
    return set(range(node.lineno, (node.end_lineno or node.lineno) + 1))


def covering_tests(
    cov_map: CoverageMap, path: str, lines: Iterable[int], fallback_lines: Iterable[int]
) -> set[str]:
    """Tests executing `lines` of `path`; else tests executing any of `fallback_lines`."""
    tests = cov_map.tests_for_lines(path, lines)
    return tests or cov_map.tests_for_lines(path, fallback_lines)


@dataclass
class Target:
    """One thing to run: a mutmut mutant or a pseudo-tested variant."""

    id: str  # MUTANT_UNDER_TEST value
    key: str  # mutmut's function key, e.g. `pkg.mod.x_f`
    path: str  # project-relative source file
    tests: list[str]  # covering tests (unordered)
    kind: str = "mutant"  # or "pseudo"


@dataclass
class Planner:
    durations: dict[str, float]
    import_time: set[str] = field(default_factory=set)
    all_tests: list[str] = field(default_factory=list)
    file_tests: dict[str, set[str]] = field(default_factory=dict)
    multiplier: float = DEFAULT_MULTIPLIER
    constant: float = DEFAULT_CONSTANT
    killers: defaultdict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))

    def duration(self, test: str) -> float:
        return max(MIN_DURATION, self.durations.get(test, 0.0))

    def order(self, tests: Iterable[str], key: str) -> list[str]:
        kills = self.killers.get(key, Counter())

        def rank(test: str) -> tuple[int, float, str]:
            n = kills.get(test, 0)
            d = self.duration(test)
            return (0, d / n, test) if n else (1, d, test)

        return sorted(set(tests), key=rank)

    def limit(self, tests: Iterable[str]) -> float:
        """Wall-clock seconds allowed for running `tests` (mutmut's formula)."""
        return (sum(self.duration(t) for t in tests) + self.constant) * self.multiplier

    def limit_from_measured(self, seconds: float) -> float:
        """The same formula on a measured run of the same command (timeout re-checks)."""
        return (seconds + self.constant) * self.multiplier

    def is_fresh(self, target: Target) -> bool:
        return target.key in self.import_time

    def job(self, target: Target) -> Job:
        if self.is_fresh(target):
            first = self.order(target.tests, target.key)
            same_file = self.order(self.file_tests.get(target.path, set()) - set(first), "")
            rest = self.order(set(self.all_tests) - set(first) - set(same_file), "")
            tests = first + same_file + rest
            return Job(target.id, target.id, tests, self.limit(tests), fresh=True, tag=target.kind)
        tests = self.order(target.tests, target.key)
        return Job(target.id, target.id, tests, self.limit(tests), tag=target.kind)

    def learn(self, target: Target, killer: str | None) -> None:
        if killer and target.kind == "mutant":
            self.killers[target.key][killer] += 1
