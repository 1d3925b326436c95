"""The flakiness stage: `auditor scan tests --only flaky`, and the last stage of a full scan.

Runs the engine (`auditor.flaky.engine`) on the project's suite in fresh pytest processes, within
`[tool.auditor.flaky] budget` times the baseline run's wall time, and adds one `FlakyTest` per
verified flaky test to `card.flaky`, with its `def` line and the static findings that predicted
it. `card.meta.flaky` describes the search (runs, budget, pair coverage, what was left out).
Finished runs are kept in `.auditor/flaky/`; an interrupted scan resumes from them, and an
unchanged project re-uses all of them. In `--diff` mode the first pair of orders runs the whole
suite and the rest (reruns, `diff-orders` shuffled orders) only the test files the branch changed.
"""

from __future__ import annotations

import dataclasses
import json
import platform

from auditor.coverage.fingerprint import project_fingerprint
from auditor.errors import StageFailed
from auditor.flaky.engine import Engine, EngineError
from auditor.flaky.locate import locate, predicted_by
from auditor.flaky.progress import RichProgress
from auditor.flaky.result import EngineReport
from auditor.flaky.runner import ProcessExecutor
from auditor.flaky.session import Session
from auditor.flaky.settings import Settings
from auditor.flaky.store import RunStore
from auditor.meta import FlakySearch
from auditor.model import Scorecard, StageReport
from auditor.options import Options
from auditor.project import Project
from auditor.version import __version__

ENGINE = "pytest in fresh processes (ordered by auditor's plugin), delta debugging"


def engine() -> str:
    import pytest

    return f"{ENGINE}; pytest {pytest.__version__}"


def run(project: Project, options: Options, card: Scorecard) -> None:
    settings = dataclasses.replace(project.config.flaky)
    files: tuple[str, ...] = ()
    changed: list[str] = []
    if options.diff:
        from auditor.flaky.diff import changed_tests

        files, changed = changed_tests(project, options.diff)
        if not files:
            card.stages.append(
                StageReport(
                    name="flaky",
                    ran=False,
                    reason=f"no test file changed since {options.diff}: nothing to check",
                )
            )
            return
    key = project_fingerprint(
        project,
        __version__,
        engine(),
        platform.python_version(),
        json.dumps(dataclasses.asdict(settings), sort_keys=True),
        *files,
        *project.config.pytest_args,
    )
    state_dir = project.state_dir / "flaky"
    store = RunStore(state_dir, key, enabled=options.use_cache)
    executor = ProcessExecutor(project, state_dir / "work")
    try:
        report = _search(project, options, settings, store, executor, files)
    finally:
        executor.close()
    if executor.fallback:
        report.not_covered.append(
            f"nothing: the fork server for the small runs could not start ({executor.fallback}); "
            f"they ran as new interpreters, which is slower"
        )
    locate(project.root, report.flaky)
    for entry in report.flaky:
        entry.predicted_by = predicted_by(entry, card.findings)
    card.flaky.extend(report.flaky)
    card.meta.flaky = meta(report, changed)
    card.stages.append(
        StageReport(name="flaky", ran=True, engine=engine(), reason=stage_note(report))
    )


def _search(
    project: Project,
    options: Options,
    settings: Settings,
    store: RunStore,
    executor: ProcessExecutor,
    files: tuple[str, ...],
) -> EngineReport:
    targets = [project.rel(t) for t in project.tests_dirs]

    def engine_for(progress: RichProgress | None) -> Engine:
        session = Session(
            executor,
            store,
            progress=progress,
            timeout_multiplier=settings.timeout_multiplier,
            timeout_seconds=settings.timeout_seconds,
            baseline_timeout=settings.baseline_timeout,
        )
        return Engine(session, settings, targets=targets, focus_files=files)

    try:
        if options.console is None:
            return engine_for(None).run()
        with RichProgress(options.console) as progress:
            return engine_for(progress).run()
    except EngineError as exc:
        raise StageFailed(
            f"The flakiness stage could not run the suite: {exc}. Run `python -m pytest "
            f"{' '.join(targets)}` from {project.root} to see the problem; the last run's output "
            f"is under {project.rel(project.state_dir / 'flaky' / 'work')}."
        ) from exc


def meta(report: EngineReport, changed: list[str]) -> FlakySearch:
    """The search's own numbers for `card.meta.flaky` (everything but the flaky tests)."""
    fields = {f.name for f in dataclasses.fields(FlakySearch)}
    out = FlakySearch(**{k: v for k, v in dataclasses.asdict(report).items() if k in fields})
    for entry in report.flaky:
        out.kinds[entry.kind] = out.kinds.get(entry.kind, 0) + 1
    if changed:
        out.changed_tests = changed
    return out


def stage_note(report: EngineReport) -> str:
    """One line for the stage list: what ran and what was not covered."""
    coverage = (
        f", pair coverage {100 * report.pair_coverage:.0f}%"
        if report.pair_coverage is not None
        else ""
    )
    text = (
        f"{report.runs} runs ({report.executions} test executions) in {report.seconds:g} s of a "
        f"{report.budget_seconds:g} s budget; {report.orders_run}/{report.orders_planned} "
        f"scheduled orders{coverage}"
    )
    if report.failing:
        text += f"; {len(report.failing)} test(s) failed in every run (failing, not flaky)"
    if report.not_covered:
        text += "; not covered: " + "; ".join(report.not_covered)
    return text
