"""Run the mutants (and pseudo-tested variants) of a scan with our warm runner.

Glue between the stage and the runner: builds the `Target`s from the card's mutants and the
coverage stage's data (durations of every test, per-test line contexts), starts one warm session,
checks that the tests import the mutated copy, runs the campaign with a progress bar that counts
mutants (ETA from the measured rate), and streams each result into the workspace's result store.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditor.coverage.map import CoverageMap
from auditor.errors import StageFailed
from auditor.model import Mutant, TestResult
from auditor.mutation.campaign import Campaign, ImportCheckFailed
from auditor.mutation.command import base_env, pytest_args
from auditor.mutation.plan import Planner, Target
from auditor.mutation.runner import RunnerError, RunnerSpec, WarmRunner
from auditor.mutation.store import ResultStore, RunRecord
from auditor.mutation.workspace import MutmutSettings
from auditor.project import Project


@dataclass
class Execution:
    """What the run measured besides the verdicts (reported in card.meta.mutation)."""

    collected: int = 0
    startup_seconds: float = 0.0
    fresh: int = 0
    import_time_functions: list[str] = field(default_factory=list)
    pseudo: dict[str, RunRecord] = field(default_factory=dict)
    seconds: float = 0.0  # wall time of the whole run, session start to close
    import_check_seconds: float = 0.0


def mutant_key(mutant_id: str) -> str:
    return mutant_id.partition("__mutmut_")[0]


def _progress(
    console: Any, counts: dict[str, int]
) -> tuple[Any, Callable[[Target, RunRecord], None]]:
    if console is None:
        return None, lambda target, record: None
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    progress = Progress(*columns, TimeRemainingColumn(), console=console, transient=True)
    tasks = {
        kind: progress.add_task(label, total=counts[kind])
        for kind, label in (("mutant", "mutants"), ("pseudo", "pseudo-tested"))
        if counts.get(kind)
    }

    def advance(target: Target, record: RunRecord) -> None:
        if target.kind in tasks:
            progress.advance(tasks[target.kind])

    return progress, advance


def run_targets(
    project: Project,
    ws: Path,
    settings: MutmutSettings,
    targets: list[Target],
    hashes: dict[str, str],
    tests: list[TestResult],
    jobs: int,
    console: Any = None,
    fresh_keys: set[str] | frozenset[str] = frozenset(),
) -> Execution:
    """Run every target in one warm session; mutant results go to the workspace's store.

    Targets whose function key is in `fresh_keys` run in a fresh process (mutant active from the
    first import, every test), like functions that run at import time (used to re-run the
    mutants of a function whose survivor was refuted by hand: auditor/mutation/verify.py)."""
    mutants_dir = ws / "mutants"
    store = ResultStore(mutants_dir)
    execution = Execution()
    spec = RunnerSpec(
        mutants=mutants_dir,
        pytest_args=pytest_args(project),
        selection=settings.test_selection,
        jobs=jobs,
        log_dir=ws,
        env=base_env(project),
    )
    durations = {t.id: t.duration for t in tests}
    cov_map = CoverageMap.load(project)
    file_tests = {
        path: cov_map.tests_for_lines(path, lines) for path, lines in cov_map.files.items()
    }

    def record(rec: RunRecord) -> None:
        if rec.id.endswith("__mutmut_pseudo"):
            execution.pseudo[rec.id] = rec
        else:
            store.append(rec)

    started = time.perf_counter()
    counts = {"mutant": sum(t.kind == "mutant" for t in targets)}
    counts["pseudo"] = len(targets) - counts["mutant"]
    try:
        with WarmRunner(spec) as runner:
            planner = Planner(
                durations=durations,
                import_time=runner.ready.import_time | set(fresh_keys),
                all_tests=[t.id for t in tests if t.outcome in ("passed", "xfailed", "skipped")],
                file_tests=file_tests,
                multiplier=settings.timeout_multiplier or 15.0,
                constant=settings.timeout_constant
                if settings.timeout_constant is not None
                else 1.0,
            )
            execution.collected = runner.ready.collected
            execution.startup_seconds = runner.ready.seconds
            execution.import_time_functions = sorted(runner.ready.import_time)
            execution.fresh = sum(planner.is_fresh(t) for t in targets)
            progress, advance = _progress(console, counts)
            campaign = Campaign(runner, planner, hashes, record, advance)
            check_started = time.perf_counter()
            campaign.check_imports([t for t in targets if not planner.is_fresh(t)])
            execution.import_check_seconds = time.perf_counter() - check_started
            if progress is not None:
                with progress:
                    campaign.run(targets)
            else:
                campaign.run(targets)
    except RunnerError as exc:
        raise StageFailed(
            f"the mutation runner could not run the suite in {mutants_dir}: {exc}"
        ) from exc
    except ImportCheckFailed as exc:
        raise StageFailed(
            f"mutation testing cannot work here: {exc}. Make sure the tests import the package by "
            f"its normal name (not through a path hack), and add files the tests read to "
            f"`also-copy` under [tool.auditor]."
        ) from exc
    finally:
        store.close()
        execution.seconds = time.perf_counter() - started
    return execution


def mutant_targets(mutants: list[Mutant], ids: set[str]) -> list[Target]:
    """Targets for the mutants to run now, in mutmut's stable order."""
    return [
        Target(m.id, mutant_key(m.id), m.path, list(m.covered_by)) for m in mutants if m.id in ids
    ]
