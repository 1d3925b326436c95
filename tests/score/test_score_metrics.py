"""The score's numbers on small hand-computed cards (each expected value is worked out inline)."""

from __future__ import annotations

import pytest

from auditor import metric_registry, score
from auditor.config import Config
from auditor.counts import FindingCounts
from auditor.model import (
    Finding,
    ModuleCoverage,
    Mutant,
    PseudoTested,
    Scorecard,
    StageReport,
    TestResult,
)
from auditor.patch_model import Patch
from auditor.properties_model import Properties
from auditor.summary import ExcludedComponent


def _card(*ran: str) -> Scorecard:
    card = Scorecard()
    for name in ("static", "coverage", "mutation", "properties"):
        card.stages.append(
            StageReport(
                name=name, ran=name in ran, reason="" if name in ran else "skipped by --only/--skip"
            )
        )
    return card


def _mutants(path: str = "pkg/a.py", **counts: int) -> list[Mutant]:
    out = []
    for status, n in counts.items():
        for i in range(n):
            out.append(
                Mutant(
                    id=f"{path}.{status}_{i}", status=status, path=path, line=i + 1, function="f"
                )
            )  # type: ignore[arg-type]
    return out


def _findings_card() -> Scorecard:
    card = _card("static")
    card.tests = [TestResult(id=f"tests/test_a.py::t{i}") for i in range(1, 6)]
    t = "tests/test_a.py::t"
    card.findings = [
        Finding("TQ001", "error", "tests/test_a.py", 1, "m", test=t + "1"),
        Finding("TQ101", "warning", "tests/test_a.py", 2, "m", test=t + "2"),
        Finding("TQ102", "warning", "tests/test_a.py", 3, "m", test=t + "2"),
        Finding("TQ101", "warning", "tests/test_a.py", 4, "m", test=t + "3"),
        Finding("TQ901", "info", "tests/test_a.py", 5, "m", test=t + "4"),
    ]
    return card


def test_pct_is_none_when_undefined_and_rounds_to_one_decimal() -> None:
    assert score.pct(0, 0) is None
    assert score.pct(1, 3) == 33.3
    assert score.pct(2, 3) == 66.7
    assert score.pct(0, 5) == 0.0


@pytest.mark.parametrize(
    ("value", "letter"),
    [
        (100, "A"),
        (90.0, "A"),
        (89.9, "B"),
        (80, "B"),
        (70, "C"),
        (60, "D"),
        (59.9, "F"),
        (0, "F"),
        (None, None),
    ],
)
def test_grade_bands(value: float | None, letter: str | None) -> None:
    assert score.grade(value) == letter


def test_mutation_score_follows_stryker_and_test_strength_follows_pit() -> None:
    card = _card("static", "coverage", "mutation")
    card.mutants = _mutants(killed=3, timeout=1, survived=2, no_coverage=2, skipped=5, error=1)
    score.finalize(card, Config())
    s = card.summary
    # detected = 3 + 1 = 4; valid = 4 + 2 + 2 = 8 (skipped and error excluded)
    assert s.mutation_score == 50.0
    # test strength = 4 / (4 + 2)
    assert s.test_strength == 66.7
    assert s.mutants.total == 14
    assert s.mutants.valid == 8
    assert s.mutants.skipped == 5


def test_likely_equivalent_survivors_leave_the_denominator_only_when_configured() -> None:
    card = _card("mutation")
    card.mutants = _mutants(killed=3, timeout=1, survived=2, no_coverage=2)
    card.mutants[4].likely_equivalent = True  # one of the two survivors
    score.finalize(card, Config())
    assert card.summary.mutation_score == 50.0
    score.finalize(card, Config(exclude_likely_equivalent=True))
    # valid = 4 + 1 + 2 = 7 -> 4/7; strength 4/5
    assert card.summary.mutation_score == 57.1
    assert card.summary.test_strength == 80.0
    assert card.summary.mutants.equivalent == 1


def test_coverage_and_oracle_gap() -> None:
    card = _card("coverage", "mutation")
    card.coverage = [
        ModuleCoverage("pkg/a.py", 10, 8, [9, 10], 4, 2),
        ModuleCoverage("pkg/b.py", 10, 4, [], 0, 0),
    ]
    card.mutants = _mutants(killed=1, survived=1)
    score.finalize(card, Config())
    s = card.summary
    assert s.line_coverage == 60.0  # 12 / 20
    assert s.branch_coverage == 50.0  # 2 / 4
    assert s.mutation_score == 50.0
    assert s.oracle_gap == 10.0
    assert s.components["coverage"] == 58.3  # (12 + 2) / (20 + 4), coverage.py's combined total


def test_static_only_score_comes_from_findings_alone_and_says_so() -> None:
    card = _findings_card()
    score.finalize(card, Config())
    s = card.summary
    # penalties: t1 error 1; t2 two warnings 0.5; t3 one warning 0.25; t4 info 0 -> 1.75 of 5 tests
    assert s.components["findings"] == 65.0
    assert s.score == 65.0
    assert s.grade == "D"
    assert s.score_basis.startswith("static only")
    assert s.weights == {"findings": 1.0}
    assert s.mutation_score is None and s.line_coverage is None and s.mutants is None
    assert s.findings == FindingCounts(error=1, warning=3, info=1)
    assert s.tests_with_findings == 4
    assert s.findings_per_test == 1.0
    excluded = {e.component: e.reason for e in s.excluded}
    assert "mutation" in excluded and "skipped by --only/--skip" in excluded["mutation"]


def test_a_test_counts_at_most_once_however_many_findings_it_has() -> None:
    card = _card("static")
    card.tests = [TestResult(id="t1"), TestResult(id="t2")]
    card.findings = [Finding("TQ001", "error", "tests/t.py", i, "m", test="t1") for i in range(3)]
    score.finalize(card, Config())
    assert card.summary.components["findings"] == 50.0


def test_full_score_renormalises_weights_over_components_with_data() -> None:
    card = _findings_card()
    card.stages = _card("static", "coverage", "mutation").stages
    card.coverage = [
        ModuleCoverage("pkg/a.py", 10, 8, [], 4, 2),
        ModuleCoverage("pkg/b.py", 10, 4, [], 0, 0),
    ]
    card.mutants = _mutants(killed=3, timeout=1, survived=2, no_coverage=2)
    card.pseudo_tested = [PseudoTested("pkg/a.py", "f", 1, "pseudo_tested")] + [
        PseudoTested("pkg/a.py", f"g{i}", 1, "tested") for i in range(3)
    ]
    score.finalize(card, Config())
    s = card.summary
    assert s.components == {
        "mutation": 50.0,
        "coverage": 58.3,
        "findings": 65.0,
        "pseudo-tested": 75.0,
        "properties": None,
    }
    # (50*50 + 58.3*20 + 65*15 + 75*10) / 95 = 5391 / 95 = 56.747...
    assert s.score == 56.7
    assert s.grade == "F"
    assert abs(sum(s.weights.values()) - 1.0) < 1e-3
    assert s.score_basis == "all components"  # properties has weight 0 by default
    assert [e.component for e in s.excluded] == ["properties"]


def test_configured_weights_change_the_mix_and_zero_drops_a_component() -> None:
    card = _card("static", "coverage", "mutation")
    card.tests = [TestResult(id="t1")]
    card.coverage = [ModuleCoverage("pkg/a.py", 10, 10)]
    card.mutants = _mutants(killed=1, survived=1)
    score.finalize(card, Config(score={"mutation": 1.0, "coverage": 1.0, "findings": 0.0}))
    s = card.summary
    # (50 + 100) / 2; findings (100) has weight 0 and is listed as excluded
    assert s.score == 75.0
    assert ExcludedComponent("findings", "weight is 0 in [tool.auditor.score]") in s.excluded


def test_nothing_ran_means_no_score_and_all_metrics_null() -> None:
    card = _card()
    score.finalize(card, Config())
    s = card.summary
    assert s.score is None and s.grade is None
    assert s.score_basis.startswith("no score")
    for key in (
        "mutation_score",
        "test_strength",
        "line_coverage",
        "branch_coverage",
        "oracle_gap",
        "mutants",
    ):
        assert getattr(s, key) is None
    assert s.findings == FindingCounts(error=0, warning=0, info=0)
    assert card.top_actions == []


def test_static_with_no_tests_has_no_findings_component() -> None:
    card = _card("static")
    score.finalize(card, Config())
    assert card.summary.score is None
    assert card.summary.tests is None


def test_mutation_ran_with_zero_valid_mutants_gives_null_score_not_zero() -> None:
    card = _card("coverage", "mutation")
    card.coverage = [ModuleCoverage("pkg/a.py", 4, 4)]
    card.mutants = _mutants(skipped=3)
    score.finalize(card, Config())
    assert card.summary.mutation_score is None
    assert card.summary.score == 100.0  # from coverage alone
    assert any(
        e.component == "mutation" and e.reason == "no valid mutants"
        for e in card.summary.excluded
    )


def test_property_reach_is_reported_but_weighted_only_when_configured() -> None:
    card = _card("properties")
    card.properties = Properties(reached_lines=3, coverable_lines=12)
    score.finalize(card, Config())
    assert card.summary.property_reach == 25.0
    assert card.summary.score is None
    reasons = {e.component: e.reason for e in card.summary.excluded}
    assert reasons["properties"].startswith("weight is 0 by default")
    score.finalize(card, Config(score={"properties": 5.0}))
    assert card.summary.score == 25.0


def test_module_rows() -> None:
    card = _card("coverage", "mutation")
    card.coverage = [ModuleCoverage("pkg/a.py", 10, 5, [], 2, 1)]
    card.mutants = _mutants("pkg/a.py", killed=1, survived=3) + _mutants("pkg/b.py", no_coverage=2)
    card.pseudo_tested = [PseudoTested("pkg/b.py", "h", 3, "pseudo_tested")]
    score.finalize(card, Config())
    rows = {r.path: r for r in card.modules}
    assert list(rows) == ["pkg/a.py", "pkg/b.py"]
    a, b = rows["pkg/a.py"], rows["pkg/b.py"]
    assert (a.line_coverage, a.branch_coverage, a.mutation_score, a.test_strength) == (
        50.0,
        50.0,
        25.0,
        25.0,
    )
    assert a.oracle_gap == 25.0
    assert b.line_coverage is None and b.mutation_score == 0.0 and b.test_strength is None
    assert b.pseudo_tested == 1
    assert b.mutants.no_coverage == 2


def test_patch_is_passed_through() -> None:
    card = _card("static")
    card.patch = Patch(base="main", merge_base="abc", coverage=80.0, mutation_score=50.0)
    score.finalize(card, Config())
    assert card.summary.patch is card.patch
    assert score.metric_value(card, metric_registry.metric("patch_coverage")) == 80.0
    assert score.metric_value(card, metric_registry.metric("patch_mutation_score")) == 50.0
