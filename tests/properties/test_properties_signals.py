"""The numbers of card.properties: statistics, `@given` reach, kill attribution, witness counts."""

from __future__ import annotations

import json
from pathlib import Path

from auditor.model import ModuleCoverage, Mutant, PropertyStats, Scorecard, StageReport, TestResult
from auditor.properties import signals
from auditor.properties_model import KillAttribution, WitnessSummary

SOURCE = """
def top(x):
    return x + 1


class Box:
    def get(self):
        return 1

    def put(self, v):
        self.v = v
"""


def test_read_stats_keeps_the_last_line_per_test_and_skips_garbage(tmp_path: Path) -> None:
    path = tmp_path / "stats.jsonl"
    lines = [
        json.dumps({"test": "t::a", "examples": 5, "invalid": 1, "stopped_because": "x"}),
        "not json",
        json.dumps({"no_test": 1}),
        json.dumps({"test": "t::a", "examples": 100, "invalid": 300, "overrun": 0}),
        json.dumps({"test": "t::b", "examples": 2, "stopped_because": "nothing left to do"}),
    ]
    path.write_text("\n".join(lines) + "\n")
    stats = signals.read_stats(path)
    assert [s.test for s in stats] == ["t::a", "t::b"]
    assert stats[0].examples == 100 and signals.invalid_ratio(stats[0]) == 75.0
    assert signals.read_stats(tmp_path / "missing.jsonl") == []


def test_function_spans_cover_bodies_of_functions_and_methods() -> None:
    spans = signals.function_spans("pkg/m.py", SOURCE)
    assert [(s.name, s.start, s.end) for s in spans] == [
        ("top", 3, 3),
        ("Box.get", 8, 8),
        ("Box.put", 11, 11),
    ]
    assert signals.function_spans("bad.py", "def (") == []


def test_given_reach_counts_functions_whose_body_a_given_test_executes() -> None:
    spans = signals.function_spans("pkg/m.py", SOURCE)
    lines = {"pkg/m.py": {2: {"t::prop"}, 3: {"t::ex"}, 8: {"t::prop", "t::ex"}}}
    reach = signals.given_reach(spans, lines, {"t::prop"})
    assert reach.total == 3 and reach.reached == 2 and reach.reached_by_given == 1
    assert reach.share_by_given == 33.3  # the `def` line (2) run by t::prop does not count
    assert reach.reached_without_given == ["pkg/m.py::top"]


def test_kills_are_attributed_only_when_certain() -> None:
    props = {"t::prop"}
    mutants = [
        Mutant("a", "killed", "m.py", killed_by=["t::prop"]),
        Mutant("b", "killed", "m.py", killed_by=["t::ex"]),
        Mutant("c", "killed", "m.py", covered_by=["t::prop"]),
        Mutant("d", "killed", "m.py", covered_by=["t::prop", "t::ex"]),
        Mutant("e", "survived", "m.py", covered_by=["t::prop"]),
    ]
    assert signals.kill_attribution(mutants, props) == KillAttribution(
        killed=4, by_property_tests=2, by_example_tests=1, unattributed=1
    )


def test_build_properties_combines_the_sources() -> None:
    card = Scorecard()
    card.stages = [StageReport("coverage", True), StageReport("mutation", True)]
    card.tests = [TestResult("t::flagged", property_based=True), TestResult("t::ex")]
    card.coverage = [ModuleCoverage("pkg/m.py", statements=10, covered=4)]
    card.mutants = [
        Mutant("w", "survived", "pkg/m.py", witness_status="witness"),
        Mutant("q", "survived", "pkg/m.py", witness_status="likely_equivalent"),
        Mutant("k", "killed", "pkg/m.py", killed_by=["t::flagged"]),
    ]
    stats = [PropertyStats("t::prop", examples=10, invalid=30)]
    spans = signals.function_spans("pkg/m.py", SOURCE)
    lines = {"pkg/m.py": {3: {"t::prop"}, 8: {"t::flagged"}, 11: {"t::ex"}}}
    props = signals.build_properties(card, stats, spans, lines, WitnessSummary(witness=1))
    assert props.property_tests == 2
    assert props.high_invalid_tests == ["t::prop"] and props.invalid_ratio == 75.0
    assert props.functions.reached_by_given == 2
    assert (props.reached_lines, props.coverable_lines) == (2, 10)
    assert props.kills.by_property_tests == 1
    assert signals.witness_counts(card.mutants).searched == 2
    no_mutation = Scorecard(stages=[StageReport("coverage", True)])
    assert signals.build_properties(no_mutation, [], None, None, None).kills is None
