"""`Scorecard.meta`: how a scan went, besides what it measured.

`tool_errors` decides the exit code (any entry: exit 3, "the tool failed", never confused with a
missed gate); `gates` feeds the JSON and JUnit reports; the stage statistics explain the run. Every
field is optional in the JSON: a key is written only when it was set (None = absent), so the shape
of a scorecard stays exactly what the stages recorded.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from auditor.jsonable import OPTIONAL_KEY
from auditor.patch_model import ProjectNumbers


@dataclass
class ToolError:
    """A stage that failed (or partly failed), with the message the user sees."""

    stage: str
    message: str


@dataclass
class GateResult:
    """One quality gate: `name` is "metric (source)", `message` is "" when it passed."""

    name: str
    passed: bool
    message: str = ""


@dataclass
class StaticStats:
    """The static stage's file counts: found, parsed now, taken from the cache; test count;
    findings suppressed by a baseline file."""

    files: int = 0
    tests: int = 0
    parsed: int = 0
    cached: int = 0
    baselined: int = 0


@dataclass
class MutationStats:
    """What the mutation stage ran: mutants generated, run now, reused from earlier scans,
    re-run because their covering tests changed; the process isolation used. In PR mode with no
    changed source file only `generated`, `run_now` and `changed_source_files` are written."""

    generated: int | None = field(default=None, metadata=OPTIONAL_KEY)
    run_now: int | None = field(default=None, metadata=OPTIONAL_KEY)
    reused: int | None = field(default=None, metadata=OPTIONAL_KEY)
    rerun_for_changed_tests: int | None = field(default=None, metadata=OPTIONAL_KEY)
    changed_test_files: list[str] | None = field(default=None, metadata=OPTIONAL_KEY)
    changed_source_files: list[str] | None = field(default=None, metadata=OPTIONAL_KEY)
    isolation: str | None = field(default=None, metadata=OPTIONAL_KEY)
    # the runner: "auditor" (ours) or "mutmut"; mutants run in a fresh process because their
    # function runs at import time; seconds spent per phase (generate, session_startup,
    # import_check, run, pseudo_fallback)
    runner: str | None = field(default=None, metadata=OPTIONAL_KEY)
    fresh_process: int | None = field(default=None, metadata=OPTIONAL_KEY)
    seconds: dict[str, float] | None = field(default=None, metadata=OPTIONAL_KEY)


@dataclass
class MutationScope:
    """Covered statements inside functions and methods, and how many of them lie in functions
    with a mutant that ran: what `summary.mutated_share` is computed from
    (`auditor.coverage.unmutated`)."""

    covered_statements: int = 0
    mutated_statements: int = 0


@dataclass
class ShardInfo:
    """`--shard index/count`: this shard's mutant count and how many other shards have."""

    index: int
    count: int
    mutants: int = 0
    other_shards: int = 0


@dataclass
class Meta:
    """`Scorecard.meta`. All fields optional; see the module docstring."""

    python: str | None = field(default=None, metadata=OPTIONAL_KEY)
    tool_errors: list[ToolError] | None = field(default=None, metadata=OPTIONAL_KEY)
    gates: list[GateResult] | None = field(default=None, metadata=OPTIONAL_KEY)
    notes: list[str] | None = field(default=None, metadata=OPTIONAL_KEY)
    static: StaticStats | None = field(default=None, metadata=OPTIONAL_KEY)
    mutation: MutationStats | None = field(default=None, metadata=OPTIONAL_KEY)
    mutation_workspace: str | None = field(default=None, metadata=OPTIONAL_KEY)
    mutation_scope: MutationScope | None = field(default=None, metadata=OPTIONAL_KEY)
    tests_without_kills: list[str] | None = field(default=None, metadata=OPTIONAL_KEY)
    shard: ShardInfo | None = field(default=None, metadata=OPTIONAL_KEY)
    shard_spec: str | None = field(default=None, metadata=OPTIONAL_KEY)
    merged_shards: list[str] | None = field(default=None, metadata=OPTIONAL_KEY)
    project_delta: ProjectNumbers | None = field(default=None, metadata=OPTIONAL_KEY)

    def add_error(self, stage: str, message: str) -> None:
        """Record a tool error (the scan will exit 3)."""
        self.tool_errors = [*(self.tool_errors or []), ToolError(stage, message)]

    def add_note(self, note: str) -> None:
        """Record a note the reports show under the summary."""
        self.notes = [*(self.notes or []), note]

