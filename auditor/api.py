"""`audit(options) -> Scorecard`: the public Python API that the CLI is a client of.

Stages are looked up lazily by name (`STAGE_RUNNERS`), each a function
`run(project, options, card) -> None` that adds its results to the scorecard and appends a
`StageReport`. A stage that cannot run raises `StageFailed`, which stops the stages that depend on
it while keeping everything already found.
"""

from __future__ import annotations

import importlib
import platform
import sys
import time
from collections.abc import Callable
from importlib import metadata

from auditor import preflight, state
from auditor.errors import StageFailed, UsageError
from auditor.meta import Meta
from auditor.model import STAGES, ProjectInfo, Scorecard, StageReport
from auditor.options import Options
from auditor.project import Project, load_project
from auditor.version import __version__

STAGE_RUNNERS: dict[str, str] = {
    "static": "auditor.static.stage:run",
    "coverage": "auditor.coverage.stage:run",
    "mutation": "auditor.mutation.stage:run",
    "properties": "auditor.properties.stage:run",
    "flaky": "auditor.flaky.stage:run",
}

# a stage listed here needs the listed stage's results first
STAGE_NEEDS: dict[str, tuple[str, ...]] = {
    "coverage": (),
    "mutation": ("coverage",),
    "properties": ("coverage",),
    "flaky": (),
}


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


def _load_runner(name: str) -> Callable[[Project, Options, Scorecard], None]:
    """The stage's `run` function, imported on first use (a static-only scan never imports mutmut)."""
    module_name, _, func = STAGE_RUNNERS[name].partition(":")
    runner: Callable[[Project, Options, Scorecard], None] = getattr(
        importlib.import_module(module_name), func
    )
    return runner


def new_scorecard(project: Project) -> Scorecard:
    return Scorecard(
        project=ProjectInfo(
            root=".",
            source=[project.rel(p) for p in project.source_paths],
            tests=[project.rel(p) for p in project.tests_dirs],
        ),
        tool={"name": "auditor", "version": __version__},
        engines=engine_versions(),
        meta=Meta(python=platform.python_version()),
    )


def audit(options: Options, project: Project | None = None) -> Scorecard:
    """Run the selected stages on the project and return the finished scorecard.

    All configuration is validated first (`auditor.preflight`); the stages run holding the
    project's lock (`auditor.state.project_lock`): a concurrent scan of the same project waits.
    """
    project = project or load_project(options.tests, cache_dir=options.cache_dir)
    stages = resolve_stages(options)
    if options.diff or options.base_scorecard:
        from auditor.pr import patch_metrics

        patch_metrics.check_inputs(
            project.root, options.diff, options.base_scorecard
        )  # fail before the run
    preflight.check(project, options, stages)  # every setting is valid before a stage runs
    if not options.use_cache and state.unwritable_reason(project.state_dir) is not None:
        return _run_stages(project, options, stages)  # read-only static scan: nothing to lock
    with state.project_lock(project.state_dir, on_wait=_say):
        return _run_stages(project, options, stages)


def _say(message: str) -> None:
    print(f"auditor: {message}", file=sys.stderr, flush=True)


def _run_stages(project: Project, options: Options, stages: list[str]) -> Scorecard:
    from auditor import score

    card = new_scorecard(project)
    if options.shard:
        card.meta.shard_spec = f"{options.shard[0]}/{options.shard[1]}"  # read by `auditor merge`
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
        started = time.perf_counter()
        try:
            runner(project, options, card)
        except StageFailed as exc:
            failed.add(name)
            card.meta.add_error(name, exc.message)
            if card.stage(name) is None:
                card.stages.append(StageReport(name=name, ran=False, reason=exc.message))
        report = card.stage(name)
        if report is not None and not report.seconds:
            report.seconds = round(time.perf_counter() - started, 3)
    if options.diff or options.base_scorecard:
        from auditor.pr import patch_metrics

        patch_metrics.attach(
            card, project.root, options.diff, project.config, options.base_scorecard
        )
    score.finalize(card, project.config)
    return card
