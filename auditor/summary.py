"""The derived part of a scorecard: `Scorecard.summary`, `.modules` and `.top_actions`.

`auditor.score` fills these from the stage results; every report reads them as typed fields. The
JSON names are the field names (users parse them): fields are added, never renamed. Percentages
are 0-100 with one decimal; a metric whose stage did not run is None (JSON null), never 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from auditor.counts import FindingCounts, MutantCounts, PseudoCounts
from auditor.metric_registry import Bands
from auditor.patch_model import Patch


@dataclass
class StageNotRun:
    """A stage that did not run, and why (`summary.stages_not_run`)."""

    name: str
    reason: str = ""


@dataclass
class ExcludedComponent:
    """A score component left out of the overall score, and why."""

    component: str
    reason: str = ""


@dataclass
class Summary:
    """`Scorecard.summary`: the headline numbers of one scan (see docs/scoring.md).

    The metric fields are named as the `metric_registry` keys (`mutation_score`, ...).
    `components` maps each score component to its 0-100 value (None: no data); `weights` maps the
    components used to their normalised weight (sum 1); `thresholds` are the colour bands used.
    `patch` is the same object as `Scorecard.patch` (None outside `--diff` mode).
    """

    findings: FindingCounts = field(default_factory=FindingCounts)
    mutants: MutantCounts | None = None
    mutation_score: float | None = None
    test_strength: float | None = None
    pseudo_tested: PseudoCounts | None = None
    line_coverage: float | None = None
    branch_coverage: float | None = None
    oracle_gap: float | None = None
    tests: int | None = None
    tests_with_findings: int | None = None
    findings_per_test: float | None = None
    property_reach: float | None = None
    # share of covered function code that was mutated (auditor.coverage.unmutated), and how many
    # covered functions/statements got no mutant; None when mutation did not run
    mutated_share: float | None = None
    unmutated: int | None = None
    stages_included: list[str] = field(default_factory=list)
    stages_not_run: list[StageNotRun] = field(default_factory=list)
    score: float | None = None
    grade: str | None = None
    score_basis: str = ""
    components: dict[str, float | None] = field(default_factory=dict)
    weights: dict[str, float] = field(default_factory=dict)
    excluded: list[ExcludedComponent] = field(default_factory=list)
    thresholds: Bands = field(default_factory=Bands)
    patch: Patch | None = None


@dataclass
class ModuleRow:
    """One source module's numbers side by side (`Scorecard.modules`).

    `statements`/`covered_lines` are None when coverage did not measure the module; `mutants` is
    None when the mutation stage did not run; `pseudo_tested` counts pseudo-tested functions.
    """

    path: str
    statements: int | None = None
    covered_lines: int | None = None
    line_coverage: float | None = None
    branch_coverage: float | None = None
    mutation_score: float | None = None
    test_strength: float | None = None
    oracle_gap: float | None = None
    mutants: MutantCounts | None = None
    pseudo_tested: int = 0
    findings: FindingCounts = field(default_factory=FindingCounts)


@dataclass
class TopAction:
    """One of the ten most valuable fixes (`Scorecard.top_actions`, docs/scoring.md).

    `kind` is "pseudo_tested", "finding", "surviving_mutant" or "uncovered_module"; `impact` only
    orders the list; `where` is "path:line" (or the path); `how` is the exact change to make.
    Kinds with more to say are the subclasses below; `json_subclass` picks one when loading.
    """

    kind: str
    impact: int
    title: str
    path: str
    line: int | None
    how: str
    rank: int = 0
    where: str = ""
    # what proves it is worth doing: witness, verified, measured, error_finding, unproven
    evidence: str = "unproven"

    @classmethod
    def json_subclass(cls, data: dict[str, Any]) -> type[TopAction]:
        """The class to load a JSON action with, chosen by its `kind`."""
        return ACTION_CLASSES.get(str(data.get("kind")), TopAction)


@dataclass
class FindingAction(TopAction):
    """A static finding to fix: its rule code and severity."""

    rule: str = ""
    severity: str = ""


@dataclass
class SurvivorAction(TopAction):
    """A surviving mutant to kill: its id, diff, how many tests cover it and, when Hypothesis
    found one, the witness test code (None otherwise)."""

    mutant: str = ""
    diff: str = ""
    covered_by: int = 0
    witness: str | None = None


ACTION_CLASSES: dict[str, type[TopAction]] = {
    "finding": FindingAction,
    "surviving_mutant": SurvivorAction,
}
