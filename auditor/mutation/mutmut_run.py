"""Driving `mutmut run` itself (`[tool.auditor.mutation] runner = "mutmut"`).

The default runner is ours (`execute.py`); this path runs `mutmut run NAMES` as a subprocess and
reads its on-disk results, as before: kept for comparison (`benchmarks/mutation_vs_mutmut.py`) and
as a fallback for suites our warm runner cannot serve.
"""

from __future__ import annotations

from importlib import metadata
from typing import Any

from auditor.errors import StageFailed
from auditor.mutation import driver, results
from auditor.mutation.workspace import MutmutSettings, write_pyproject
from auditor.options import Options
from auditor.project import Project


def engine(settings: MutmutSettings, jobs: int) -> str:
    mode = settings.process_isolation
    if mode == "forkserver" and settings.forkserver_warmup != "collect":
        mode += f", warmup {settings.forkserver_warmup}"
    return f"mutmut {metadata.version('mutmut')} ({mode}, {jobs} children)"


def run_mutmut(
    project: Project,
    ws: Any,
    settings: MutmutSettings,
    names: list[str],
    jobs: int,
    options: Options,
) -> tuple[MutmutSettings, str]:
    """Run mutmut; on a failed clean run in fork mode retry once with forkserver."""
    outcome = driver.run(ws, compact_names(ws / "mutants", names), jobs, options.console)
    note = ""
    if (
        outcome.exit_code != 0
        and outcome.clean_run_failed
        and settings.process_isolation == "fork"
        and not project.config.mutation.process_isolation
    ):
        note = (
            "the suite keeps state between runs in one process (mutmut's clean run failed in "
            'fork mode), so mutants ran with process_isolation="forkserver" (slower)'
        )
        if options.console is not None:
            options.console.print(f"[yellow]mutation[/]: {note}")
        settings.process_isolation = "forkserver"
        write_pyproject(project, ws, settings)
        outcome = driver.run(ws, compact_names(ws / "mutants", names), jobs, options.console)
    if outcome.exit_code != 0:
        raise StageFailed(failure_message(project, ws, outcome))
    crashed = warm_worker_crashes(ws, settings, names)
    if crashed:
        # docs/mutmut-internals.md (fork and forkserver): a worker pre-warmed by `pytest --collect-only` can fail to re-find
        # tests (pytest exit 4 -> 255) for reasons of the project's own; a cold worker works.
        retry_note = (
            f"{len(crashed)} mutants crashed mutmut's pre-warmed forkserver worker (exit 255); "
            'they were re-run with forkserver_warmup="none"'
        )
        note = f"{note}; {retry_note}" if note else retry_note
        if options.console is not None:
            options.console.print(f"[yellow]mutation[/]: {retry_note}")
        settings.forkserver_warmup = "none"
        write_pyproject(project, ws, settings)
        outcome = driver.run(ws, compact_names(ws / "mutants", crashed), jobs, options.console)
        if outcome.exit_code != 0:
            raise StageFailed(failure_message(project, ws, outcome))
    return settings, note


def warm_worker_crashes(ws: Any, settings: MutmutSettings, names: list[str]) -> list[str]:
    """Mutants of this run that ended with exit 255 under a pre-warmed forkserver worker."""
    if settings.process_isolation != "forkserver" or settings.forkserver_warmup == "none":
        return []
    wanted = set(names)
    return sorted(
        raw.name
        for raw in results.read_all(ws / "mutants")
        if raw.name in wanted and raw.exit_code in (255, -1)
    )


def failure_message(project: Project, ws: Any, outcome: driver.MutmutRun) -> str:
    text = outcome.output
    if "could not find any test case" in text or "failed to collect stats" in text.lower():
        hint = (
            "mutmut ran the tests but they did not import the workspace copy of the code. Make "
            "sure the tests import the package by its normal name, and add files the tests read "
            "to `also-copy` under [tool.auditor]."
        )
    elif outcome.clean_run_failed:
        hint = (
            "the tests fail inside mutmut's workspace although they pass in your tree: they "
            "probably read files by a path outside the project, or depend on test order/state. "
            'Try `[tool.auditor.mutation] process-isolation = "forkserver"`.'
        )
    else:
        hint = "run `python -m mutmut run` in the workspace to see the full output."
    return (
        f"mutmut could not run (exit code {outcome.exit_code}) in {ws}: {hint} Last output:\n"
        f"{outcome.tail()}"
    )


def compact_names(mutants_dir: Any, names: list[str]) -> list[str]:
    """Whole functions as `key__mutmut_*` globs, single mutants by name: short command lines."""
    wanted = set(names)
    by_function: dict[str, list[str]] = {}
    for raw in results.read_all(mutants_dir):
        by_function.setdefault(raw.function_key, []).append(raw.name)
    out: list[str] = []
    for key, all_names in sorted(by_function.items()):
        chosen = [n for n in all_names if n in wanted]
        if chosen and len(chosen) == len(all_names) and len(chosen) > 1:
            out.append(f"{key}__mutmut_*")
        else:
            out.extend(chosen)
    return out
