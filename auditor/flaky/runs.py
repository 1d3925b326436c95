"""What one run is asked to do (`RunSpec`) and what it produced (`RunResult`), as plain JSON."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

RunKind = Literal["baseline", "rerun", "order", "probe", "verify", "xdist"]
FAILED = frozenset({"failed", "error", "timeout"})


@dataclass(frozen=True)
class RunSpec:
    """One pytest process: `order` is the node ids to run in that order ([] for the baseline, which
    runs every collected test in pytest's own order); `label` tells deliberate repeats apart."""

    kind: RunKind
    order: tuple[str, ...] = ()
    label: str = ""
    state: bool = False
    xdist: int = 0

    @property
    def key(self) -> str:
        parts = [self.kind, self.label, self.state, self.xdist, list(self.order)]
        digest = hashlib.blake2b(
            json.dumps(parts).encode(),
            digest_size=10,
        ).hexdigest()
        return f"{self.kind}-{digest}"


@dataclass
class RunResult:
    """One finished run. `outcomes` maps node id -> passed/failed/error/skipped/xfailed/xpassed/
    timeout for the tests that ran; `executed` lists them in the order they ran."""

    key: str
    kind: str
    order: list[str] = field(default_factory=list)
    outcomes: dict[str, str] = field(default_factory=dict)
    executed: list[str] = field(default_factory=list)
    durations: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0
    exit_code: int = 0
    timed_out: bool = False
    collected: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    collect_errors: list[dict[str, str]] = field(default_factory=list)
    workers: dict[str, str] = field(default_factory=dict)
    spans: dict[str, list[float]] = field(default_factory=dict)
    messages: dict[str, str] = field(default_factory=dict)
    state: dict[str, dict[str, Any]] = field(default_factory=dict)
    label: str = ""

    def failed(self, test: str) -> bool | None:
        """True/False when the test failed/passed in this run; None when it did not run or was
        skipped/xfailed (neither evidence of passing nor of failing)."""
        outcome = self.outcomes.get(test)
        if outcome in FAILED:
            return True
        if outcome == "passed":
            return False
        return None

    def before(self, test: str) -> list[str]:
        """The tests that ran before `test` in this run (in their order)."""
        if test not in self.executed:
            return []
        return self.executed[: self.executed.index(test)]

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunResult:
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


class Executor(Protocol):
    """Runs one spec and returns its result (a real pytest process, or a simulation in tests)."""

    def run(self, spec: RunSpec, timeout: float) -> RunResult: ...
