"""Top actions: ranked by the documented impact rule, one per function, capped at ten."""

from __future__ import annotations

from auditor.model import Finding, ModuleCoverage, Mutant, PseudoTested, Scorecard, Witness
from auditor.summary import SurvivorAction
from auditor.top_actions import top_actions


def test_ranking_follows_the_documented_impacts() -> None:
    card = Scorecard()
    card.findings = [
        Finding("TQ001", "error", "tests/test_a.py", 3, "add an assert", test="tests/test_a.py::t"),
        Finding("TQ101", "warning", "tests/test_a.py", 9, "w"),
        Finding("TQ901", "info", "tests/test_a.py", 12, "i"),
    ]
    card.pseudo_tested = [
        PseudoTested("pkg/a.py", "helper", 5, "pseudo_tested", covered_by=["t1", "t2"]),
        PseudoTested("pkg/a.py", "fine", 9, "tested"),
    ]
    card.mutants = [
        Mutant(
            "m1", "survived", "pkg/a.py", 20, function="busy", covered_by=["t"] * 12, diff="-a\n+b"
        ),
        Mutant("m2", "survived", "pkg/a.py", 21, function="busy", covered_by=["t"]),
        Mutant(
            "m3",
            "survived",
            "pkg/b.py",
            4,
            function="rare",
            covered_by=[],
            witness=Witness(
                call="rare(1)", original="1", mutant="2", test_code="def test_x(): ..."
            ),
        ),
        Mutant("m4", "killed", "pkg/b.py", 5, function="rare"),
    ]
    card.coverage = [ModuleCoverage("pkg/c.py", 250, 0)]
    actions = top_actions(card)
    kinds = [(a.kind, a.impact) for a in actions]
    # evidence first: pseudo 90+2; error 80; uncovered 40+25; rare 50+0+5 (witness);
    # then unproven: busy 50+min(30,36) (no witness, may be equivalent); warning 30
    assert kinds == [
        ("pseudo_tested", 92),
        ("finding", 80),
        ("uncovered_module", 65),
        ("surviving_mutant", 55),
        ("surviving_mutant", 80),
        ("finding", 30),
    ]
    assert [a.evidence for a in actions] == [
        "measured",
        "error_finding",
        "measured",
        "witness",
        "unproven",
        "unproven",
    ]
    busy = actions[4]
    assert isinstance(busy, SurvivorAction)
    assert busy.mutant == "m1" and "(+1 more in this function)" in busy.title
    assert busy.diff == "-a\n+b"
    rare = actions[3]
    assert isinstance(rare, SurvivorAction)
    assert rare.witness == "def test_x(): ..."
    assert "rare(1) gives 1 on your code but 2 on the mutant" in rare.how
    assert [a.rank for a in actions] == list(range(1, 7))
    assert actions[1].where == "tests/test_a.py:3"


def test_unproven_equivalence_never_advises_a_pragma() -> None:
    card = Scorecard()
    card.mutants = [
        Mutant(
            "m1",
            "survived",
            "pkg/a.py",
            3,
            function="table",
            covered_by=["t"] * 2,
            likely_equivalent=True,
        ),
        Mutant("m2", "survived", "pkg/a.py", 9, function="other", covered_by=["t"]),
    ]
    actions = top_actions(card)
    # 50+3 beats 50+6-20 for a likely equivalent
    assert [a.mutant for a in actions if isinstance(a, SurvivorAction)] == ["m2", "m1"]
    assert all("pragma" not in a.how for a in actions)
    assert "may be equivalent" in actions[1].how


def test_at_most_ten_actions() -> None:
    card = Scorecard()
    card.findings = [Finding("TQ001", "error", "tests/t.py", i, "m") for i in range(1, 30)]
    actions = top_actions(card)
    assert len(actions) == 10
    assert [a.line for a in actions] == list(range(1, 11))
