"""`Scorecard.patch`: what a pull request's changed lines are worth (`scan --diff BASE`).

Computed by `auditor.pr.patch_metrics`; stored whole in the JSON so `merge` and `pr-comment` can
recompute the mutation part and render the comment without git or the project at hand. The field
names are the JSON keys (docs/pr-mode.md). Percentages are 0-100 with one decimal; None (null)
when the stage that measures them did not run or nothing was measurable.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from auditor.config import PrConfig
from auditor.counts import MutantCounts
from auditor.jsonable import OPTIONAL_KEY
from auditor.metric_registry import PROJECT_DELTA


@dataclass
class FileCoverage:
    """Patch coverage of one changed source file: coverable/covered changed statements."""

    coverable: int = 0
    covered: int = 0
    coverage: float | None = None


@dataclass
class FileMutation:
    """The patch mutation score of one changed file, over its mutants on changed lines."""

    path: str
    mutation_score: float | None = None
    mutants: MutantCounts = field(default_factory=MutantCounts)


@dataclass
class ProjectSide:
    """Project-wide numbers of one side (base or head) of a pull request.

    The fields are `metric_registry.PROJECT_DELTA` keys, plus the grade.
    """

    score: float | None = None
    mutation_score: float | None = None
    test_strength: float | None = None
    line_coverage: float | None = None
    branch_coverage: float | None = None
    oracle_gap: float | None = None
    grade: str | None = None

    def get(self, key: str) -> float | None:
        """The value of the `PROJECT_DELTA` metric `key`; KeyError for any other name."""
        if key not in PROJECT_DELTA:
            raise KeyError(key)
        value: float | None = getattr(self, key)
        return value


@dataclass
class ProjectDelta:
    """head - base per `PROJECT_DELTA` metric, one decimal; None when either side lacks it."""

    score: float | None = None
    mutation_score: float | None = None
    test_strength: float | None = None
    line_coverage: float | None = None
    branch_coverage: float | None = None
    oracle_gap: float | None = None

    def get(self, key: str) -> float | None:
        """The difference for the `PROJECT_DELTA` metric `key`; KeyError for any other name."""
        if key not in PROJECT_DELTA:
            raise KeyError(key)
        value: float | None = getattr(self, key)
        return value


@dataclass
class ProjectNumbers:
    """Project-wide base and head numbers and their difference (Stryker's `--with-baseline`).

    `reused_from_base` counts the mutants skipped as unchanged whose base verdict the head
    estimate took.
    """

    base: ProjectSide = field(default_factory=ProjectSide)
    head: ProjectSide = field(default_factory=ProjectSide)
    delta: ProjectDelta = field(default_factory=ProjectDelta)
    reused_from_base: int = 0


@dataclass
class Patch:
    """Patch coverage, the patch mutation score and the surfaced survivors of one `--diff` scan.

    `lines` maps each changed file to its changed lines as ranges ("3-5,9"); `uncovered` maps
    files to changed statements no test ran; `file_coverage` is absent (None) when coverage did not
    run; `mutants` is None when the mutation stage did not run; at most `max_per_line` survivors
    per line and `max_survivors` in all are surfaced, `hidden_survivors` counts the rest.
    `project` is present with `--base-scorecard`.
    """

    base: str
    merge_base: str
    changed_files: list[str] = field(default_factory=list)
    changed_lines: int = 0
    lines: dict[str, str] = field(default_factory=dict)
    max_survivors: int = PrConfig().max_survivors
    max_per_line: int = PrConfig().max_per_line
    coverage: float | None = None
    coverable_lines: int | None = None
    covered_lines: int | None = None
    uncovered: dict[str, str] = field(default_factory=dict)
    file_coverage: dict[str, FileCoverage] | None = field(default=None, metadata=OPTIONAL_KEY)
    mutation_score: float | None = None
    test_strength: float | None = None
    mutants: MutantCounts | None = None
    files: list[FileMutation] = field(default_factory=list)
    surfaced_survivors: list[str] = field(default_factory=list)
    hidden_survivors: int = 0
    new_findings: int = 0
    new_finding_keys: list[str] = field(default_factory=list)
    project: ProjectNumbers | None = field(default=None, metadata=OPTIONAL_KEY)

    def get_metric(self, key: str) -> float | None:
        """A patch metric's value by its `Metric.patch_key` ("coverage" or "mutation_score")."""
        if key == "coverage":
            return self.coverage
        if key == "mutation_score":
            return self.mutation_score
        raise KeyError(key)
