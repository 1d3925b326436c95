"""The property-testing numbers of `card.properties` (keys documented in docs/properties.md).

Three questions, each answered from data other stages already recorded (no extra test run):
- how well do the `@given` tests generate? (Hypothesis' statistics, one JSON line per test);
- how much of the code do they reach? (functions, from the per-test coverage map, with `@given`
  tests identified by Hypothesis' statistics or by the coverage stage's `property_based` flag);
- what do they catch? (killed mutants attributed to property vs example tests, only where the
  attribution is certain: mutmut names the killer, or every covering test is of one kind).
"""

from __future__ import annotations

import ast
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from auditor.model import Mutant, Scorecard
from auditor.mutation.scope import mutmut_scope_functions
from auditor.properties_model import (
    FunctionReach,
    KillAttribution,
    Properties,
    PropertyStats,
    WitnessSummary,
)
from auditor.score import pct

HIGH_INVALID_RATIO = 50.0  # % rejected draws above which a property mostly tests nothing


def read_stats(path: Path) -> list[PropertyStats]:
    """The stats plugin's JSON lines; the last line per test wins, broken lines are skipped."""
    if not path.is_file():
        return []
    by_test: dict[str, PropertyStats] = {}
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            data = json.loads(line)
        except json.JSONDecodeError:
            continue
        if not isinstance(data, dict) or not data.get("test"):
            continue
        by_test[str(data["test"])] = PropertyStats(
            test=str(data["test"]),
            examples=int(data.get("examples") or 0),
            invalid=int(data.get("invalid") or 0),
            overrun=int(data.get("overrun") or 0),
            failing=int(data.get("failing") or 0),
            stopped_because=str(data.get("stopped_because") or ""),
            seconds=float(data.get("seconds") or 0.0),
        )
    return [by_test[t] for t in sorted(by_test)]


def invalid_ratio(stats: PropertyStats) -> float | None:
    """Share (0-100) of generated inputs rejected by filter/assume or too large."""
    return pct(stats.invalid + stats.overrun, stats.examples + stats.invalid + stats.overrun)


@dataclass(frozen=True)
class FunctionSpan:
    path: str
    name: str
    start: int
    end: int


def function_spans(path: str, source: str) -> list[FunctionSpan]:
    """Top-level functions and methods of top-level classes (what mutmut mutates), by line range."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    spans: list[FunctionSpan] = []
    for name, node in mutmut_scope_functions(tree):
        body_start = node.body[0].lineno if node.body else node.lineno
        spans.append(FunctionSpan(path, name, body_start, node.end_lineno or node.lineno))
    return spans


def given_reach(
    spans: Iterable[FunctionSpan],
    lines_by_file: dict[str, dict[int, set[str]]],
    property_tests: set[str],
) -> FunctionReach:
    """How many functions any test reaches, and how many a `@given` test reaches.

    A function counts as reached by a test when the test executed a line of its body (the `def`
    line runs at import time, outside any test, so it is not evidence).
    """
    total = reached = reached_by_given = 0
    not_reached_by_given: list[str] = []
    for span in spans:
        total += 1
        lines = lines_by_file.get(span.path, {})
        tests: set[str] = set()
        for line in range(span.start, span.end + 1):
            tests |= lines.get(line, set())
        if tests:
            reached += 1
            if tests & property_tests:
                reached_by_given += 1
            else:
                not_reached_by_given.append(f"{span.path}::{span.name}")
    return FunctionReach(
        total=total,
        reached=reached,
        reached_by_given=reached_by_given,
        share_by_given=pct(reached_by_given, total),
        reached_without_given=sorted(not_reached_by_given)[:50],
    )


def line_reach(
    card: Scorecard, lines_by_file: dict[str, dict[int, set[str]]], property_tests: set[str]
) -> tuple[int, int]:
    """(reached, coverable): coverable source lines (coverage.py statements) and those some
    `@given` test executes."""
    coverable = sum(m.statements for m in card.coverage)
    measured = {m.path for m in card.coverage}
    reached = sum(
        1
        for path, lines in lines_by_file.items()
        if path in measured
        for tests in lines.values()
        if tests & property_tests
    )
    return reached, coverable


def kill_attribution(mutants: Iterable[Mutant], property_tests: set[str]) -> KillAttribution:
    """Killed mutants by the kind of test that killed them, counted only when it is certain."""
    out = KillAttribution()
    for mutant in mutants:
        if mutant.status != "killed":
            continue
        out.killed += 1
        evidence = mutant.killed_by or mutant.covered_by
        kinds = {t in property_tests for t in evidence}
        if mutant.killed_by and True in kinds:
            out.by_property_tests += 1
        elif mutant.killed_by:
            out.by_example_tests += 1
        elif kinds == {True}:
            out.by_property_tests += 1
        elif kinds == {False}:
            out.by_example_tests += 1
        else:
            out.unattributed += 1
    return out


def witness_counts(mutants: Iterable[Mutant]) -> WitnessSummary:
    """Mutants the witness search looked at (`witness_status` set), by outcome."""
    out = WitnessSummary()
    for mutant in mutants:
        status = mutant.witness_status
        if not status:
            continue
        out.searched += 1
        if status == "witness":
            out.witness += 1
        elif status == "likely_equivalent":
            out.likely_equivalent += 1
        elif status == "unverified":
            out.unverified += 1
        elif status == "skipped":
            out.skipped += 1
        elif status == "error":
            out.error += 1
    return out


def build_properties(
    card: Scorecard,
    stats: list[PropertyStats],
    spans: list[FunctionSpan] | None,
    lines_by_file: dict[str, dict[int, set[str]]] | None,
    witness: WitnessSummary | None,
) -> Properties:
    """`card.properties`: every number the scorecard shows about property-based testing."""
    property_tests = {s.test for s in stats} | {t.id for t in card.tests if t.property_based}
    examples = sum(s.examples for s in stats)
    rejected = sum(s.invalid + s.overrun for s in stats)
    high_invalid = [s.test for s in stats if (invalid_ratio(s) or 0.0) > HIGH_INVALID_RATIO]
    result = Properties(
        property_tests=len(property_tests),
        tests=list(stats),
        examples=examples,
        invalid_ratio=pct(rejected, examples + rejected),
        high_invalid_tests=high_invalid,
        failing_tests=[s.test for s in stats if s.failing],
        witness=witness,
    )
    if spans is not None and lines_by_file is not None:
        result.functions = given_reach(spans, lines_by_file, property_tests)
        reached, coverable = line_reach(card, lines_by_file, property_tests)
        result.reached_lines, result.coverable_lines = reached, coverable
        result.line_share_by_given = pct(reached, coverable)
    if card.stage_ran("mutation"):
        result.kills = kill_attribution(card.mutants, property_tests)
    return result
