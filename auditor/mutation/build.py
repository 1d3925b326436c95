"""Raw mutmut results + original sources + coverage -> `auditor.model.Mutant` objects.

Everything a reader needs per mutant is derived here in one place: the verdict (with the 255
correction), the location in the ORIGINAL file, the operator family, the diff, the arid check, and
the tests that cover it (our per-line coverage map first, mutmut's per-function map as fallback).
"""

from __future__ import annotations

import ast
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from auditor.coverage.map import CoverageMap
from auditor.model import ModuleCoverage, Mutant, TestResult
from auditor.mutation.arid import AridMatcher
from auditor.mutation.locate import locate
from auditor.mutation.plan import covering_tests, function_lines, statement_lines
from auditor.mutation.results import (
    RawMutant,
    Stats,
    function_names,
    qualified_name,
    read_spans,
)
from auditor.mutation.status import apply, decide, verdict

DETECTING = ("killed", "survived", "timeout")


@dataclass
class BuildContext:
    """What `build_mutants` reads besides the raw results."""

    root: Path
    mutants_dir: Path
    cov_map: CoverageMap
    stats: Stats
    arid: AridMatcher
    missing_lines: dict[str, set[int]] = field(default_factory=dict)
    timeout_multiplier: float | None = None
    timeout_constant: float | None = None
    forkserver: bool = False
    _files: dict[str, tuple[list[str], list[str], ast.Module | None]] = field(default_factory=dict)
    _spans: dict[str, dict[str, tuple[int, int]]] = field(default_factory=dict)

    def spans(self, source: str) -> dict[str, tuple[int, int]]:
        if source not in self._spans:
            self._spans[source] = read_spans(self.mutants_dir, source)
        return self._spans[source]

    def file(self, source: str) -> tuple[list[str], list[str], ast.Module | None]:
        """(original lines, mutants-file lines, original ast) for a workspace-relative path."""
        if source not in self._files:
            original = self.root / source
            text = original.read_text(encoding="utf-8") if original.is_file() else ""
            mutated = self.mutants_dir / source
            mlines = mutated.read_text(encoding="utf-8").splitlines() if mutated.is_file() else []
            try:
                tree: ast.Module | None = ast.parse(text)
            except SyntaxError:
                tree = None
            self._files[source] = (text.splitlines(), mlines, tree)
        return self._files[source]


def missing_by_path(modules: list[ModuleCoverage]) -> dict[str, set[int]]:
    return {m.path: set(m.missing_lines) for m in modules}


def build_mutant(raw: RawMutant, ctx: BuildContext) -> Mutant:
    lines, mlines, tree = ctx.file(raw.source)
    loc = locate(raw.name, raw.mangled, raw.source, mlines, ctx.spans(raw.source), tree)
    base = verdict(
        raw.exit_code,
        raw.duration,
        raw.estimated,
        ctx.timeout_multiplier,
        ctx.timeout_constant,
        raw.type_check_error,
        raw.error,
    )
    mutant = Mutant(
        id=raw.name,
        status="pending",
        path=raw.source,
        line=loc.line,
        end_line=loc.end_line,
        function=qualified_name(raw.mangled),
        operator=loc.operator,
        description=loc.description,
        diff=loc.diff,
        exit_code=raw.exit_code,
        duration=None if ctx.forkserver or raw.duration is None else round(raw.duration, 4),
    )
    mutmut_tests = ctx.stats.tests_by_function.get(raw.function_key, [])
    mutant.covered_by = sorted(covering(raw, loc.line, loc.end_line, ctx, tree))
    never_run = loc.line is not None and loc.line in ctx.missing_lines.get(raw.source, set())
    if never_run and not ctx.cov_map.tests_for_lines(
        raw.source, range(loc.line or 0, (loc.end_line or loc.line or 0) + 1)
    ):
        mutant.covered_by = []
    if base.status == "killed":
        if raw.killed_by:
            mutant.killed_by = [raw.killed_by]
        else:  # mutmut runs the covering tests with -x and does not say which one failed
            killers = mutmut_tests if len(mutmut_tests) == 1 else mutant.covered_by
            if len(killers) == 1:
                mutant.killed_by = list(killers)
    apply(mutant, decide(base, arid=ctx.arid.reason(lines, loc.line), never_run=never_run))
    return mutant


def covering(
    raw: RawMutant,
    line: int | None,
    end_line: int | None,
    ctx: BuildContext,
    tree: ast.Module | None,
) -> set[str]:
    """The tests that execute the mutated lines (widened to their statements' first lines);
    else those that execute any line of its function; else mutmut's per-function tests."""
    tests: set[str] = set()
    if line is not None:
        cls, func = function_names(raw.mangled)
        tests = covering_tests(
            ctx.cov_map,
            raw.source,
            statement_lines(tree, line, end_line or line),
            function_lines(tree, cls, func),
        )
    if not tests:
        tests = set(ctx.stats.tests_by_function.get(raw.function_key, []))
    return tests


def apply_test_results(tests: list[TestResult], mutants: list[Mutant]) -> list[str]:
    """Fill TestResult.kills; return the tests that cover run mutants yet provably kill none.

    A test "provably kills none" when every run mutant on lines it executes survived: mutmut ran
    all covering tests on a survivor and they all passed. Killed mutants whose killer is unknown
    (several covering tests, `-x`) are never credited to anyone, so this list has no false entries.
    """
    kills = Counter(t for m in mutants for t in m.killed_by)
    for test in tests:
        test.kills = kills.get(test.id, 0)
    survived: Counter[str] = Counter()
    detected: set[str] = set()
    for m in mutants:
        if m.status == "survived":
            survived.update(m.covered_by)
        elif m.status in ("killed", "timeout"):
            detected.update(m.covered_by)
    return sorted(t for t in survived if t not in detected)
