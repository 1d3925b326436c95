"""`Options`: everything a caller can ask of one audit. CLI flags map 1:1 onto these fields.

Stages receive an `Options` next to the `Project`; they import it from here, never from the public
API module (`auditor.api`), so the stage packages stay below the API in the import graph.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from auditor.project import Project


@dataclass
class Options:
    """Everything a caller can ask of one audit. CLI flags map 1:1 onto these fields.

    `tests` is the tests directory (None: pytest's testpaths, else ./tests); `only`/`skip` are stage
    names; `jobs` is the number of parallel workers (None: the config's `jobs`, else all cores);
    `diff` is a git revision for pull-request mode; `shard` is `(K, N)` with 1 <= K <= N;
    `fail_under` maps gate metrics (`metric_registry.GATE_METRICS`) to their minimum (a maximum
    for `errors`).
    """

    tests: str | None = None
    only: set[str] | None = None
    skip: set[str] = field(default_factory=set)
    jobs: int | None = None
    diff: str | None = None
    base_scorecard: str | None = None
    baseline: str | None = None
    write_baseline: str | None = None
    shard: tuple[int, int] | None = None
    use_cache: bool = True
    quiet: bool = False
    console: Any = None  # a rich Console for progress bars; None = no progress output
    fail_under: dict[str, float] = field(default_factory=dict)  # --fail-under METRIC=VALUE
    ratchet: bool = False  # --ratchet: fail when a tracked metric got worse

    def effective_jobs(self, project: Project | None = None) -> int:
        """Worker count: `--jobs`, else `[tool.auditor] jobs`, else the CPU count; always >= 1."""
        if self.jobs:
            return max(1, self.jobs)
        if project is not None and project.config.jobs:
            return max(1, project.config.jobs)
        return max(1, os.cpu_count() or 1)
