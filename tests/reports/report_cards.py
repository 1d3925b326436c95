"""Hand-built scorecards for the report tests (every number in them is worked out by hand)."""

from __future__ import annotations

from pathlib import Path

from auditor import score
from auditor.config import Config
from auditor.model import (
    Diagnostic,
    Finding,
    ModuleCoverage,
    Mutant,
    PseudoTested,
    Scorecard,
    SkipReason,
    StageReport,
    TestResult,
    UnusedSuppression,
    Witness,
)
from auditor.verification_model import RunnerFault, VerdictChange, Verification, VerifiedSurvivors

SOURCE = (
    "def is_adult(age):\n    return age >= 18\n\n\n"
    "def label(age):\n    if is_adult(age):\n        return 'adult'\n    return 'minor'\n"
)
TESTS = (
    "from pkg.core import is_adult\n\n\ndef test_is_adult():\n    is_adult(20)\n\n\n"
    "def test_label():\n    assert label(3) == 'minor'\n"
)


HEADER = "--- pkg/core.py\n+++ pkg/core.py\n@@ -{0} +{0} @@\n"


def stages(*ran: str) -> list[StageReport]:
    return [
        StageReport(
            name=n,
            ran=n in ran,
            reason="" if n in ran else "skipped by --only/--skip",
            engine="mutmut 3.8.1 (default operators)" if n == "mutation" else "",
        )
        for n in ("static", "coverage", "mutation", "properties")
    ]


def make_static_card() -> Scorecard:
    card = Scorecard(tool={"name": "auditor", "version": "0.1.0"}, stages=stages("static"))
    card.tests = [
        TestResult(id="tests/test_core.py::test_is_adult"),
        TestResult(id="tests/test_core.py::test_label"),
    ]
    card.findings = [
        Finding(
            "TQ001",
            "error",
            "tests/test_core.py",
            4,
            "test_is_adult has no assertion: add `assert` on the result of is_adult(20)",
            end_line=5,
            column=1,
            end_column=17,
            test="tests/test_core.py::test_is_adult",
            fingerprint="fp-tq001-a",
            name="assertion-free-test",
        ),
        Finding(
            "TQ101",
            "warning",
            "tests/test_core.py",
            9,
            "magic literal <'minor'> compared without context",
            column=5,
            test="tests/test_core.py::test_label",
            fingerprint="fp-tq101-b",
            name="literal",
        ),
    ]
    card.diagnostics = [Diagnostic("tests/test_broken.py", "cannot parse: invalid syntax", line=3)]
    card.unused_suppressions = [UnusedSuppression("tests/test_core.py", 2, ["TQ205"])]
    score.finalize(card, Config())
    return card


def make_full_card() -> Scorecard:
    card = make_static_card()
    card.stages = stages("static", "coverage", "mutation")
    card.engines = {"mutmut": "3.8.1", "coverage": "7.6"}
    card.coverage = [
        ModuleCoverage("pkg/core.py", 6, 5, [8], 2, 1),
        ModuleCoverage("pkg/__init__.py", 0, 0),
    ]
    card.mutants = [
        Mutant(
            "pkg.core.x_is_adult__mutmut_1",
            "survived",
            "pkg/core.py",
            2,
            function="is_adult",
            operator="ComparisonOperator",
            diff=HEADER.format(2) + "-    return age >= 18\n+    return age > 18\n",
            covered_by=["tests/test_core.py::test_is_adult"],
            witness=Witness(
                call="is_adult(age=18)",
                original="True",
                mutant="False",
                test_code="def test_is_adult_18():\n    assert is_adult(18) is True\n",
            ),
            verification=Verification("confirmed", "survived", tests=1, seconds=0.4),
        ),
        Mutant(
            "pkg.core.x_is_adult__mutmut_2",
            "killed",
            "pkg/core.py",
            2,
            function="is_adult",
            operator="NumberLiteral",
            diff=HEADER.format(2) + "-    return age >= 18\n+    return age >= 19\n",
            killed_by=["tests/test_core.py::test_label"],
            covered_by=["tests/test_core.py::test_label"],
        ),
        Mutant(
            "pkg.core.x_label__mutmut_1",
            "no_coverage",
            "pkg/core.py",
            7,
            function="label",
            operator="StringLiteral",
            diff=HEADER.format(7) + "-        return 'adult'\n+        return 'XXadultXX'\n",
        ),
        Mutant("pkg.core.x_label__mutmut_2", "timeout", "pkg/core.py", 8, function="label"),
        Mutant(
            "pkg.core.x_label__mutmut_3",
            "skipped",
            "pkg/core.py",
            8,
            function="label",
            reason="arid line",
            skip_reason=SkipReason.ARID,
        ),
    ]
    card.pseudo_tested = [
        PseudoTested(
            "pkg/core.py",
            "is_adult",
            1,
            "pseudo_tested",
            ["tests/test_core.py::test_is_adult"],
            "return None",
        )
    ]
    card.verified_survivors = VerifiedSurvivors(
        survivors=1,
        sampled=1,
        confirmed=1,
        faults=[
            RunnerFault(
                "pkg/core.py",
                "label",
                "pkg.core.x_label__mutmut_4",
                "the function runs while the tests are imported or collected",
                rerun=2,
                changed=[VerdictChange("pkg.core.x_label__mutmut_4", "survived", "killed")],
            )
        ],
        corrected=1,
        seconds=1.5,
    )
    score.finalize(card, Config())
    return card


REPO_ROOT = Path(__file__).resolve().parents[2]


def schema(name: str) -> dict[str, object]:
    """An official schema, vendored in tests/schemas/ (see its README for origin and licence)."""
    import json

    path = REPO_ROOT / "tests" / "schemas" / name
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]
