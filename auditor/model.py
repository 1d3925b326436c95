"""The data model shared by every stage and every report.

Plain dataclasses with a JSON round trip (`auditor.jsonable`). Stages *produce* these objects,
`score.py` derives every number from them, and `reports/` only render. The JSON shape is a contract
(docs/scorecard.schema.json): fields are added, never renamed. The scorecard's other parts are typed
in their own modules: `summary` (Summary, ModuleRow, TopAction), `patch_model` (Patch), `meta`
(Meta) and `properties_model` (Properties).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Literal

from auditor.jsonable import EMPTY_OBJECT_IF_NONE
from auditor.jsonable import from_jsonable as from_jsonable
from auditor.jsonable import to_jsonable as to_jsonable
from auditor.meta import Meta
from auditor.patch_model import Patch
from auditor.properties_model import Properties
from auditor.properties_model import PropertyStats as PropertyStats
from auditor.summary import ModuleRow, Summary, TopAction
from auditor.verification_model import Verification, VerifiedSurvivors

SCHEMA_VERSION = "4"  # 3: `flaky` and `summary.flaky_tests`; 4: `verified_survivors`, `mutants[].verification`

Severity = Literal["error", "warning", "info"]

MutantStatus = Literal[
    "killed", "survived", "timeout", "no_coverage", "skipped", "error", "pending"
]

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
    reason: str = ""  # why pytest skipped (or xfailed) it, as pytest reports it


@dataclass
class SkippedModule:
    """A test module pytest skipped as a whole while collecting it (`pytest.importorskip`,
    `pytest.skip(allow_module_level=True)`), or whose every test was skipped: its tests never
    ran, so the code they test is unmeasured, not untested. `tests` are the test functions
    defined in it (parsed, not run), `targets` the project source files it imports."""

    path: str
    reason: str
    tests: list[str] = field(default_factory=list)
    targets: list[str] = field(default_factory=list)


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


class SkipReason(str, Enum):
    """Why a mutant was not run (`Mutant.skip_reason`, JSON: the value string).

    `Mutant.reason` keeps the sentence a reader sees ("not changed since origin/main"); code that
    needs to know *why* reads this enum, never the sentence.
    """

    NOT_CHANGED = "not_changed"  # --diff BASE: the mutant is off the changed lines
    MAX_MUTANTS = "max_mutants"  # over the [tool.auditor.mutation] max-mutants budget
    ARID = "arid"  # an arid line (logging/print/warnings; `arid` patterns)
    MUTMUT = "mutmut"  # mutmut skipped it itself (exit code 34)
    TYPE_CHECK = "type_check"  # rejected by mutmut's type checker (exit code 37)


@dataclass
class Mutant:
    """One mutant produced by the engine (mutmut), with its verdict or the reason it was not run.

    `line`/`end_line` are 1-based lines of the original file (None: not located); `skip_reason`
    is set exactly when `status` is "skipped" by us or by mutmut; `duration` is in seconds.
    """

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
    skip_reason: SkipReason | None = None
    # a survivor re-run by hand in a fresh copy (auditor/verification_model.py); None: not sampled
    verification: Verification | None = None

    @property
    def verified(self) -> bool:
        """True when applying the mutant by hand confirmed that it survives."""
        return self.verification is not None and self.verification.result == "confirmed"

    def span(self) -> range:
        """The 1-based lines the mutant spans; an `end_line` before `line` counts as `line` only.

        Empty when the mutant was not located (`line` is None).
        """
        if self.line is None:
            return range(0)
        last = self.end_line if self.end_line is not None and self.end_line >= self.line else None
        return range(self.line, (last or self.line) + 1)

    def touches(self, lines: Collection[int]) -> bool:
        """True when any line of `span()` is in `lines` (the one "is this mutant changed" check)."""
        return any(line in lines for line in self.span())

    def skip(self, why: SkipReason, reason: str) -> None:
        """Mark the mutant as not run: status "skipped", the kind `why`, the sentence `reason`."""
        self.status = "skipped"
        self.skip_reason = why
        self.reason = reason


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
class Unmutated:
    """Covered code mutmut generated no mutant for (or none that ran), and why.

    `function` is `f` or `Cls.method`, or `<module>` / the class name for module- and class-level
    statements; `line` is 1-based; `covered_statements` how many of its statements the tests ran.
    """

    path: str
    function: str
    line: int
    reason: str
    covered_statements: int = 0


@dataclass
class PytestOverride:
    """An option of the project's pytest configuration that auditor's runs did not pass on.

    `option` as the project wrote it (`"-n 2"`, `"--cov=pkg"`), `reason` one sentence, `source`
    where it was found (`"addopts in pyproject.toml"`, `"PYTEST_ADDOPTS"`, ...).
    """

    option: str
    reason: str
    source: str = ""


@dataclass
class StageReport:
    """Whether a stage ran, and if not, why. A score never pretends a stage ran."""

    name: str
    ran: bool
    reason: str = ""
    seconds: float = 0.0
    engine: str = ""


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
    """Where the scan looked: the project root (".") and the project-relative source and test paths."""

    root: str = "."
    source: list[str] = field(default_factory=list)
    tests: list[str] = field(default_factory=list)


@dataclass
class Scorecard:
    """Everything one `auditor scan` learned.

    The stages fill `findings`, `coverage`, `mutants`, `pseudo_tested`, `tests`, `properties` and
    `meta`; `api.audit` adds `stages` and, in pull-request mode, `patch`; `score.finalize` fills
    `summary`, `modules` and `top_actions` from them.
    """

    project: ProjectInfo = field(default_factory=ProjectInfo)
    tool: dict[str, str] = field(default_factory=dict)
    engines: dict[str, str] = field(default_factory=dict)
    stages: list[StageReport] = field(default_factory=list)
    summary: Summary = field(default_factory=Summary)
    modules: list[ModuleRow] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    unused_suppressions: list[UnusedSuppression] = field(default_factory=list)
    coverage: list[ModuleCoverage] = field(default_factory=list)
    mutants: list[Mutant] = field(default_factory=list)
    pseudo_tested: list[PseudoTested] = field(default_factory=list)
    tests: list[TestResult] = field(default_factory=list)
    properties: Properties | None = field(default=None, metadata=EMPTY_OBJECT_IF_NONE)
    top_actions: list[TopAction] = field(default_factory=list)
    flaky: list[FlakyTest] = field(default_factory=list)
    pytest_overrides: list[PytestOverride] = field(default_factory=list)
    skipped_modules: list[SkippedModule] = field(default_factory=list)
    unmutated: list[Unmutated] = field(default_factory=list)
    verified_survivors: VerifiedSurvivors | None = None
    patch: Patch | None = None
    meta: Meta = field(default_factory=Meta)
    schema_version: str = SCHEMA_VERSION

    def stage(self, name: str) -> StageReport | None:
        """The report of stage `name` ("static", "coverage", "mutation", "properties"); None if absent."""
        for report in self.stages:
            if report.name == name:
                return report
        return None

    def stage_ran(self, name: str) -> bool:
        """True when stage `name` ran (a stage that failed or was skipped did not)."""
        report = self.stage(name)
        return bool(report and report.ran)

    def to_dict(self) -> dict[str, Any]:
        """The JSON scorecard as plain values (`auditor.jsonable.to_jsonable`); field names are the contract."""
        return to_jsonable(self)  # type: ignore[no-any-return]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Scorecard:
        """A scorecard from its JSON form; unknown keys are ignored, absent keys take their defaults.

        Raises TypeError/ValueError when a value has the wrong shape (e.g. an unknown enum value).
        """
        return from_jsonable(cls, data)
