"""`audit(options) -> Scorecard`: the public Python API that the CLI is a client of.

Stages are looked up lazily by name (`STAGE_RUNNERS`), each a function
`run(project, options, card) -> None` that adds its results to the scorecard and appends a
`StageReport`. A stage whose module is not installed is reported as "not available" instead of
failing the scan; a stage that cannot run raises `StageFailed`, which stops the stages that depend
on it while keeping everything already found.
"""

from __future__ import annotations

import importlib
import os
import platform
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any

from auditor.errors import ToolError, UsageError
from auditor.model import STAGES, ProjectInfo, Scorecard, StageReport
from auditor.project import Project, load_project

STAGE_RUNNERS: dict[str, str] = {
    "static": "auditor.static.stage:run",
    "coverage": "auditor.coverage.stage:run",
    "mutation": "auditor.mutation.stage:run",
    "properties": "auditor.properties.stage:run",
}

# a stage listed here needs the listed stage's results first
STAGE_NEEDS: dict[str, tuple[str, ...]] = {
    "coverage": (),
    "mutation": ("coverage",),
    "properties": ("coverage",),
}


class StageFailed(ToolError):
    """A stage could not produce results (e.g. the project's own tests fail): exit 3."""


ProgressCallback = Callable[[str, int, int], None]


@dataclass
class Options:
    """Everything a caller can ask of one audit. CLI flags map 1:1 onto these fields."""

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
    extra: dict[str, Any] = field(default_factory=dict)

    def effective_jobs(self, project: Project | None = None) -> int:
        if self.jobs:
            return max(1, self.jobs)
        if project is not None and project.config.jobs:
            return max(1, project.config.jobs)
        return max(1, os.cpu_count() or 1)


def resolve_stages(options: Options) -> list[str]:
    """The ordered stage list for --only/--skip; unknown names are a usage error."""
    for name in (options.only or set()) | options.skip:
        if name not in STAGES:
            raise UsageError(
                f"Unknown stage '{name}'. Stages are: {', '.join(STAGES)} "
                f"(e.g. `--only static` or `--skip mutation`)."
            )
    wanted = set(options.only) if options.only else set(STAGES)
    if options.only:
        for name in list(wanted):
            wanted.update(STAGE_NEEDS.get(name, ()))
    wanted -= options.skip
    return [s for s in STAGES if s in wanted]


def engine_versions() -> dict[str, str]:
    versions: dict[str, str] = {}
    for dist in ("mutmut", "coverage", "hypothesis", "libcst", "pytest"):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[dist] = "not installed"
    return versions


def _load_runner(name: str) -> Callable[[Project, Options, Scorecard], None] | None:
    module_name, _, func = STAGE_RUNNERS[name].partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and module_name.startswith(exc.name):
            return None
        raise
    runner = getattr(module, func, None)
    return runner if callable(runner) else None


def new_scorecard(project: Project) -> Scorecard:
    from auditor import __version__

    return Scorecard(
        project=ProjectInfo(
            root=".",
            source=[project.rel(p) for p in project.source_paths],
            tests=[project.rel(p) for p in project.tests_dirs],
        ),
        tool={"name": "auditor", "version": __version__},
        engines=engine_versions(),
        meta={"python": platform.python_version()},
    )


def audit(options: Options, project: Project | None = None) -> Scorecard:
    """Run the selected stages on the project and return the finished scorecard."""
    from auditor import score

    project = project or load_project(options.tests)
    card = new_scorecard(project)
    if options.diff or options.base_scorecard:
        from auditor import patch

        patch.check_inputs(
            project.root, options.diff, options.base_scorecard
        )  # fail before the run
    if options.shard:
        card.meta["shard_spec"] = (
            f"{options.shard[0]}/{options.shard[1]}"  # read by `auditor merge`
        )
    stages = resolve_stages(options)
    failed: set[str] = set()
    for name in STAGES:
        if name not in stages:
            reason = "skipped by --only/--skip"
            card.stages.append(StageReport(name=name, ran=False, reason=reason))
            continue
        blocked = [dep for dep in STAGE_NEEDS.get(name, ()) if dep in failed]
        if blocked:
            card.stages.append(
                StageReport(
                    name=name, ran=False, reason=f"not started: the {blocked[0]} stage failed"
                )
            )
            failed.add(name)
            continue
        runner = _load_runner(name)
        if runner is None:
            card.stages.append(
                StageReport(name=name, ran=False, reason="not available in this version of auditor")
            )
            continue
        started = time.perf_counter()
        try:
            runner(project, options, card)
        except StageFailed as exc:
            failed.add(name)
            card.meta.setdefault("tool_errors", []).append({"stage": name, "message": exc.message})
            if card.stage(name) is None:
                card.stages.append(StageReport(name=name, ran=False, reason=exc.message))
        report = card.stage(name)
        if report is not None and not report.seconds:
            report.seconds = round(time.perf_counter() - started, 3)
    if options.diff or options.base_scorecard:
        from auditor import patch

        patch.attach(card, project.root, options.diff, project.config, options.base_scorecard)
    score.finalize(card, project.config)
    return card
