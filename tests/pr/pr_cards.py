"""Hand-built scorecards for the PR-mode tests (no engine runs)."""

from __future__ import annotations

from auditor.model import (
    Finding,
    ModuleCoverage,
    Mutant,
    ProjectInfo,
    Scorecard,
    SkipReason,
    StageReport,
    TestResult,
    Witness,
)

DIFF = "--- a/pkg/calc.py\n+++ b/pkg/calc.py\n@@ -5,1 +5,1 @@\n-    if x > 10:\n+    if x >= 10:\n"


def mutant(mid: str, status: str, line: int, path: str = "pkg/calc.py", **kw: object) -> Mutant:
    fields: dict[str, object] = {"function": "clamp", "operator": "comparison", "diff": DIFF, **kw}
    return Mutant(
        id=mid,
        status=status,
        path=path,
        line=line,
        end_line=line,  # type: ignore[arg-type]
        **fields,
    )  # type: ignore[arg-type]


def skipped(mid: str, line: int, why: SkipReason, reason: str, path: str = "pkg/calc.py") -> Mutant:
    """A mutant we did not run, marked the way the mutation stage marks it."""
    m = mutant(mid, "pending", line, path=path)
    m.skip(why, reason)
    return m


def stages(mutation: bool = True) -> list[StageReport]:
    return [
        StageReport(name="static", ran=True),
        StageReport(name="coverage", ran=True),
        StageReport(name="mutation", ran=mutation, reason="" if mutation else "skipped by --only"),
        StageReport(name="properties", ran=False, reason="skipped by --only/--skip"),
    ]


def card(mutants: list[Mutant] | None = None) -> Scorecard:
    base = "origin/main"
    default = [
        mutant("pkg.calc.x_clamp__mutmut_1", "killed", 5, killed_by=["tests/test_calc.py::test_a"]),
        mutant("pkg.calc.x_clamp__mutmut_2", "survived", 5),
        mutant(
            "pkg.calc.x_clamp__mutmut_3",
            "survived",
            5,
            witness=Witness(
                call="clamp(x=10)",
                original="10",
                mutant="9",
                test_code="def test_clamp_10():\n    assert clamp(10) == 10\n",
            ),
        ),
        mutant("pkg.calc.x_clamp__mutmut_4", "survived", 6),
        mutant("pkg.calc.x_clamp__mutmut_5", "no_coverage", 9),
        mutant("pkg.calc.x_clamp__mutmut_6", "timeout", 6),
        skipped("pkg.calc.x_other__mutmut_1", 20, SkipReason.NOT_CHANGED, f"not changed since {base}"),
        skipped("pkg.calc.x_other__mutmut_2", 21, SkipReason.NOT_CHANGED, f"not changed since {base}"),
        skipped("pkg.util.x_log__mutmut_1", 3, SkipReason.ARID, "arid line", path="pkg/util.py"),
    ]
    return Scorecard(
        project=ProjectInfo(source=["pkg"], tests=["tests"]),
        stages=stages(),
        tool={"name": "auditor", "version": "0.1.0"},
        engines={"mutmut": "3.8.1", "coverage": "7.17.3"},
        coverage=[
            ModuleCoverage(path="pkg/calc.py", statements=12, covered=10, missing_lines=[9, 21]),
            ModuleCoverage(path="pkg/util.py", statements=4, covered=4),
        ],
        mutants=default if mutants is None else mutants,
        tests=[TestResult(id="tests/test_calc.py::test_a", kills=1, covers_lines=8)],
        findings=[
            Finding(
                rule="TQ101",
                severity="warning",
                path="tests/test_calc.py",
                line=4,
                message="test has no assertion",
                test="tests/test_calc.py::test_a",
            ),
            Finding(
                rule="TQ201",
                severity="error",
                path="tests/test_old.py",
                line=7,
                message="old problem",
                test="tests/test_old.py::test_b",
            ),
        ],
    )
