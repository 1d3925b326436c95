"""The data model shared by every stage and every report.

Plain dataclasses with a JSON round trip. Stages *produce* these objects, `score.py` derives every
number from them, and `reports/` only render. The JSON shape is the contract in DESIGN.md: fields
are added, never renamed.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

SCHEMA_VERSION = "2"  # 2: `flaky` (the flakiness stage)

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")

MutantStatus = Literal[
    "killed", "survived", "timeout", "no_coverage", "skipped", "error", "pending"
]
MUTANT_STATUSES: tuple[MutantStatus, ...] = (
    "killed",
    "survived",
    "timeout",
    "no_coverage",
    "skipped",
    "error",
    "pending",
)

STAGES: tuple[str, ...] = ("static", "coverage", "mutation", "properties", "flaky")


@dataclass
class Finding:
    """One static finding: a test shape that cannot fail, over-mocks, or mis-scopes a fixture."""

    rule: str
    severity: Severity
    path: str
    line: int
    message: str
    end_line: int | None = None
    column: int = 1
    end_column: int | None = None
    test: str | None = None
    fingerprint: str = ""
    name: str = ""


@dataclass
class Diagnostic:
    """A problem with the input rather than with the tests (unparsable file, broken config...)."""

    path: str
    message: str
    kind: str = "error"
    line: int | None = None


@dataclass
class UnusedSuppression:
    """A `# auditor: ignore[...]` / `# noqa` / baseline entry that no longer matches a finding."""

    path: str
    line: int | None
    codes: list[str]
    source: str = "inline"


@dataclass
class TestResult:
    """What the suite's run says about one test (pytest node id)."""

    __test__ = False  # not a pytest test class

    id: str
    outcome: str = "passed"
    duration: float = 0.0
    covers_lines: int = 0
    kills: int = 0
    property_based: bool = False


@dataclass
class ModuleCoverage:
    """Line and branch coverage of one source module."""

    path: str
    statements: int = 0
    covered: int = 0
    missing_lines: list[int] = field(default_factory=list)
    branches: int = 0
    covered_branches: int = 0


@dataclass
class Witness:
    """A concrete input on which the original and the mutant behave differently (Hypothesis)."""

    call: str
    original: str
    mutant: str
    test_code: str = ""
    verified: bool = False

    def sentence(self) -> str:
        """One phrasing for every report. `original`/`mutant` may be a value, `raises E(...)` or a
        state change, so the verb is "gives", never "returns"."""
        return f"{self.call} gives {self.original} on your code but {self.mutant} on the mutant"


@dataclass
class Mutant:
    """One mutant produced by the engine (mutmut), with its verdict or the reason it was not run."""

    id: str
    status: MutantStatus
    path: str
    line: int | None = None
    end_line: int | None = None
    function: str = ""
    operator: str = ""
    description: str = ""
    diff: str = ""
    covered_by: list[str] = field(default_factory=list)
    killed_by: list[str] = field(default_factory=list)
    reason: str = ""
    duration: float | None = None
    exit_code: int | None = None
    witness: Witness | None = None
    likely_equivalent: bool = False
    equivalence_budget: int | None = None
    # properties stage: witness | likely_equivalent | unverified | skipped | error ("" = not searched)
    witness_status: str = ""
    witness_note: str = ""


@dataclass
class PseudoTested:
    """Extreme mutation result for one covered function (Descartes' definition)."""

    path: str
    function: str
    line: int
    status: Literal["pseudo_tested", "tested", "not_covered", "error"] = "tested"
    covered_by: list[str] = field(default_factory=list)
    replacement: str = ""


@dataclass
class StageReport:
    """Whether a stage ran, and if not, why. A score never pretends a stage ran."""

    name: str
    ran: bool
    reason: str = ""
    seconds: float = 0.0
    engine: str = ""


@dataclass
class PropertyStats:
    """Hypothesis statistics for one `@given` test, from the `hypothesis.statistics` collector."""

    test: str
    examples: int = 0
    invalid: int = 0
    overrun: int = 0
    failing: int = 0
    stopped_because: str = ""
    seconds: float = 0.0


FlakyKind = Literal["order-dependent", "brittle", "non-deterministic", "parallel-unsafe"]
FLAKY_KINDS: tuple[FlakyKind, ...] = (
    "order-dependent",
    "brittle",
    "non-deterministic",
    "parallel-unsafe",
)


@dataclass
class FlakyTest:
    """One flaky test and its cause, each claim verified by running it (docs/flaky.md).

    `polluter`/`cleaner`/`state_setter`/`concurrent` are node ids (None when not applicable or
    not found); `also_needed` lists further tests the polluter/state-setter needs with it;
    `state` names the shared state (`{"kind", "name", "change", "before", "after", "by"}`);
    `runs`/`failures` count the suite runs (baseline, same-order reruns, shuffled orders; for a
    parallel-unsafe test its `pytest -n 2` runs) that ran the test and how many it failed;
    `failure_rate` and `failure_ci` (95 % Wilson interval) are percentages. `reproduce` is a plain
    pytest command that shows the failure, `passes` one that shows the test passing; `path`/`line`
    locate the test's `def`; `predicted_by` names static findings (`TQ309 path:line`) that
    pointed at the cause.
    """

    __test__ = False  # not a pytest test class

    test: str
    kind: FlakyKind
    polluter: str | None = None
    cleaner: str | None = None
    state_setter: str | None = None
    concurrent: str | None = None
    also_needed: list[str] = field(default_factory=list)
    state: list[dict[str, str]] = field(default_factory=list)
    runs: int = 0
    failures: int = 0
    failure_rate: float | None = None
    failure_ci: list[float] | None = None
    reproduce: str = ""
    passes: str = ""
    message: str = ""
    path: str = ""
    line: int | None = None
    predicted_by: list[str] = field(default_factory=list)


@dataclass
class ProjectInfo:
    root: str = "."
    source: list[str] = field(default_factory=list)
    tests: list[str] = field(default_factory=list)


@dataclass
class Scorecard:
    """Everything one `auditor scan` learned. `summary` and `modules` are filled by `score.py`."""

    project: ProjectInfo = field(default_factory=ProjectInfo)
    tool: dict[str, str] = field(default_factory=dict)
    engines: dict[str, str] = field(default_factory=dict)
    stages: list[StageReport] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    modules: list[dict[str, Any]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    unused_suppressions: list[UnusedSuppression] = field(default_factory=list)
    coverage: list[ModuleCoverage] = field(default_factory=list)
    mutants: list[Mutant] = field(default_factory=list)
    pseudo_tested: list[PseudoTested] = field(default_factory=list)
    tests: list[TestResult] = field(default_factory=list)
    properties: dict[str, Any] = field(default_factory=dict)
    top_actions: list[dict[str, Any]] = field(default_factory=list)
    flaky: list[FlakyTest] = field(default_factory=list)
    patch: dict[str, Any] | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    schema_version: str = SCHEMA_VERSION

    def stage(self, name: str) -> StageReport | None:
        for report in self.stages:
            if report.name == name:
                return report
        return None

    def stage_ran(self, name: str) -> bool:
        report = self.stage(name)
        return bool(report and report.ran)

    def to_dict(self) -> dict[str, Any]:
        return to_jsonable(self)  # type: ignore[no-any-return]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Scorecard:
        return from_jsonable(cls, data)


def to_jsonable(obj: Any) -> Any:
    """Dataclasses -> dicts, recursively; `None`-valued optional fields are kept (stable shape)."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v) for v in obj]
    return obj


T = TypeVar("T")

_NESTED: dict[tuple[str, str], type] = {}


def _nested_types() -> dict[tuple[str, str], type]:
    if not _NESTED:
        _NESTED.update(
            {
                ("Scorecard", "project"): ProjectInfo,
                ("Scorecard", "stages"): StageReport,
                ("Scorecard", "findings"): Finding,
                ("Scorecard", "diagnostics"): Diagnostic,
                ("Scorecard", "unused_suppressions"): UnusedSuppression,
                ("Scorecard", "coverage"): ModuleCoverage,
                ("Scorecard", "mutants"): Mutant,
                ("Scorecard", "pseudo_tested"): PseudoTested,
                ("Scorecard", "tests"): TestResult,
                ("Scorecard", "flaky"): FlakyTest,
                ("Mutant", "witness"): Witness,
            }
        )
    return _NESTED


def from_jsonable(cls: type[T], data: dict[str, Any]) -> T:
    """Inverse of `to_jsonable` for the model's own classes; unknown keys are ignored (forward compat)."""
    nested = _nested_types()
    kwargs: dict[str, Any] = {}
    names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    for key, value in data.items():
        if key not in names:
            continue
        sub = nested.get((cls.__name__, key))
        if sub is not None and value is not None:
            if isinstance(value, list):
                value = [from_jsonable(sub, v) for v in value]
            else:
                value = from_jsonable(sub, value)
        kwargs[key] = value
    return cls(**kwargs)
