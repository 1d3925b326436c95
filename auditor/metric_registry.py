"""One definition of every metric and score component a user sees.

Each `Metric` gives the metric's key (the name used in the JSON summary, in `--fail-under`, in
`[tool.auditor.gate]` and in the history file), its label, unit, direction (higher or lower is
better), whether it is coloured with the `[tool.auditor.thresholds]` bands, the stage that measures
it and its source definition. The terminal, HTML, badge, gates, pull-request comment, history and
ratchet, `auditor explain-score` and docs/scoring.md all read this table, so a label, a unit or a
colour cannot drift between them. The numbers themselves are computed in `auditor.score`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Unit = Literal["percent", "points", "count"]
Band = Literal["high", "medium", "low", "none"]
Direction = Literal["higher", "lower"]

# `[tool.auditor.thresholds]` defaults (Stryker's dashboard bands).
DEFAULT_HIGH = 80.0
DEFAULT_LOW = 60.0


@dataclass(frozen=True)
class Bands:
    """Colour bands on a 0-100 scale: >= `high` is good, >= `low` acceptable, below `low` bad."""

    high: float = DEFAULT_HIGH
    low: float = DEFAULT_LOW


@dataclass(frozen=True)
class Metric:
    """One metric: how it is named, measured, compared and coloured.

    `key` is the JSON summary key (for `patch_*` metrics: `patch.<patch_key>`), the gate name and
    the history name; `stage` is the stage whose data it needs ("any" for the overall score);
    `unit` is "percent" (0-100, shown with %), "points" (0-100, no %) or "count".
    """

    key: str
    label: str
    short: str
    unit: Unit
    direction: Direction
    stage: str
    banded: bool
    definition: str
    source: str
    gate: bool = True
    tracked: bool = False
    patch_key: str | None = None

    @property
    def higher_is_better(self) -> bool:
        """True when a larger value is better (gates take a minimum, the ratchet fails on a drop)."""
        return self.direction == "higher"

    @property
    def suffix(self) -> str:
        """What follows a value of this metric: "%" for percentages, else nothing."""
        return "%" if self.unit == "percent" else ""

    def format(self, value: float | None) -> str:
        """`77.8%`, `82.3` or `3`; "n/a" when there is no value."""
        if value is None:
            return "n/a"
        if self.unit == "count":
            return f"{value:g}"
        return f"{value:.1f}{self.suffix}"

    def band(self, value: float | None, bands: Bands) -> Band:
        """The colour band of a value of this metric; "none" for metrics that are not banded."""
        return band(value, bands) if self.banded else "none"


METRICS: tuple[Metric, ...] = (
    Metric(
        "score",
        "overall score",
        "score",
        "points",
        "higher",
        "any",
        banded=True,
        definition="weighted mean of the score components that have data (see below)",
        source="auditor",
        tracked=True,
    ),
    Metric(
        "mutation_score",
        "mutation score",
        "mutation",
        "percent",
        "higher",
        "mutation",
        banded=True,
        definition="detected / valid, where detected = killed + timeout and valid = detected + "
        "survived + no coverage. Skipped (arid lines, pragmas) and errored mutants are left out.",
        source="Stryker's `mutationScore`",
        tracked=True,
    ),
    Metric(
        "test_strength",
        "test strength",
        "strength",
        "percent",
        "higher",
        "mutation",
        banded=True,
        definition="detected / (detected + survived): the mutation score on covered code only",
        source="PIT",
        tracked=True,
    ),
    Metric(
        "line_coverage",
        "line coverage",
        "line",
        "percent",
        "higher",
        "coverage",
        banded=True,
        definition="covered statements / statements",
        source="coverage.py",
        tracked=True,
    ),
    Metric(
        "branch_coverage",
        "branch coverage",
        "branch",
        "percent",
        "higher",
        "coverage",
        banded=True,
        definition="covered branches / branches",
        source="coverage.py",
        tracked=True,
    ),
    Metric(
        "oracle_gap",
        "oracle gap",
        "gap",
        "percent",
        "lower",
        "coverage",
        banded=False,
        definition="line coverage − mutation score: code the tests run but do not check",
        source="auditor",
        gate=False,
    ),
    Metric(
        "property_reach",
        "property-test reach",
        "reach",
        "percent",
        "higher",
        "properties",
        banded=True,
        definition="coverable source lines executed by a Hypothesis `@given` test / coverable "
        "lines",
        source="auditor",
        gate=False,
    ),
    Metric(
        "errors",
        "error-level findings",
        "errors",
        "count",
        "lower",
        "static",
        banded=False,
        definition="static findings of severity `error` (tests that provably cannot fail)",
        source="auditor static rules",
        tracked=True,
    ),
    Metric(
        "patch_coverage",
        "patch coverage",
        "patch coverage",
        "percent",
        "higher",
        "coverage",
        banded=True,
        definition="covered changed statements / coverable changed statements (`--diff BASE`)",
        source="diff-cover / Codecov",
        patch_key="coverage",
    ),
    Metric(
        "patch_mutation_score",
        "patch mutation score",
        "patch mutation",
        "percent",
        "higher",
        "mutation",
        banded=True,
        definition="the mutation score over mutants on changed lines only (`--diff BASE`)",
        source="Stryker, Google's diff-based mutation testing",
        patch_key="mutation_score",
    ),
)
BY_KEY: dict[str, Metric] = {m.key: m for m in METRICS}

# The rows every report's summary shows, in this order.
HEADLINE: tuple[str, ...] = (
    "mutation_score",
    "test_strength",
    "line_coverage",
    "branch_coverage",
    "oracle_gap",
    "property_reach",
)
# Project-wide numbers compared with the base branch (`pr-comment --base`, `--base-scorecard`).
PROJECT_DELTA: tuple[str, ...] = (
    "score",
    "mutation_score",
    "test_strength",
    "line_coverage",
    "branch_coverage",
    "oracle_gap",
)
GATE_METRICS: tuple[str, ...] = tuple(m.key for m in METRICS if m.gate)
TRACKED: tuple[str, ...] = tuple(m.key for m in METRICS if m.tracked)


def metric(key: str) -> Metric:
    """The metric named `key`; KeyError for a name that is not a metric."""
    return BY_KEY[key]


def band(value: float | None, bands: Bands) -> Band:
    """'high' / 'medium' / 'low' / 'none': the one place that decides a value's colour."""
    if value is None:
        return "none"
    if value >= bands.high:
        return "high"
    return "medium" if value >= bands.low else "low"


@dataclass(frozen=True)
class Component:
    """One component of the overall score: a 0-100 value with a default weight."""

    name: str
    label: str
    stage: str
    default_weight: float
    definition: str


COMPONENTS: tuple[Component, ...] = (
    Component(
        "mutation",
        "mutation score",
        "mutation",
        50.0,
        "mutation score (Stryker) = (killed + timeout) / (killed + timeout + survived + no "
        "coverage); skipped and errored mutants are left out",
    ),
    Component(
        "coverage",
        "line+branch coverage",
        "coverage",
        20.0,
        "coverage.py's combined total = (covered lines + covered branches) / (statements + "
        "branches)",
    ),
    Component(
        "findings",
        "tests free of findings",
        "static",
        15.0,
        "share of tests a reviewer would not flag = 100 x (1 - penalty / tests); a test's penalty "
        "is 1 per error + 0.25 per warning (info 0), capped at 1",
    ),
    Component(
        "pseudo-tested",
        "functions not pseudo-tested",
        "mutation",
        10.0,
        "share of covered functions that are not pseudo-tested (some test fails when the whole "
        "body is replaced)",
    ),
    # Reported, but not weighted by default: a suite need not use Hypothesis to catch bugs, and
    # a small weight would make adding one narrow property test lower the score.
    Component(
        "properties",
        "code reached by property tests",
        "properties",
        0.0,
        "share of coverable source lines executed by a Hypothesis @given test",
    ),
)
COMPONENT_BY_NAME: dict[str, Component] = {c.name: c for c in COMPONENTS}


def metrics_table() -> str:
    """The markdown table of docs/scoring.md "The metrics" (a test keeps the page in sync)."""
    rows = ["| metric | unit | better | definition | source |", "|---|---|---|---|---|"]
    for m in METRICS:
        rows.append(
            f"| **{m.label}** (`{m.key}`) | {m.unit} | {m.direction} | {m.definition} | "
            f"{m.source} |"
        )
    return "\n".join(rows)
