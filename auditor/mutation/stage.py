"""The mutation stage: real mutmut runs in an isolated workspace -> card.mutants (+ pseudo-tested).

Flow: mirror the project into `.auditor/mutation/workspace/`, let mutmut generate every mutant,
decide which ones this scan runs (arid lines, --diff, --shard, already-finished results, tests that
changed), run exactly those with `mutmut run NAMES`, then read mutmut's on-disk results. Every
mutant mutmut generated appears in the card with its verdict or the reason it was not run.
"""

from __future__ import annotations

import shutil
from importlib import metadata
from typing import Any

from auditor.coverage import unmutated
from auditor.coverage.fingerprint import test_file_hashes
from auditor.coverage.map import CoverageMap
from auditor.errors import StageFailed
from auditor.meta import MutationStats, ShardInfo
from auditor.model import Mutant, Scorecard, StageReport
from auditor.mutation import driver, pseudo, results
from auditor.mutation import state as mstate
from auditor.mutation.arid import AridMatcher
from auditor.mutation.build import (
    DETECTING,
    BuildContext,
    apply_test_results,
    build_mutant,
    missing_by_path,
)
from auditor.mutation.select import cap, select
from auditor.mutation.workspace import MutmutSettings, prepare, write_pyproject
from auditor.options import Options
from auditor.pr import diffscope
from auditor.pr.shards import shard_of
from auditor.project import Project


def engine(settings: MutmutSettings, jobs: int) -> str:
    mode = settings.process_isolation
    if mode == "forkserver" and settings.forkserver_warmup != "collect":
        mode += f", warmup {settings.forkserver_warmup}"
    return f"mutmut {metadata.version('mutmut')} ({mode}, {jobs} children)"


def run(project: Project, options: Options, card: Scorecard) -> None:
    jobs = options.effective_jobs(project)
    changed_lines = _changed_lines(project, options)
    # PR mode: mutmut mutates only the changed source files, in a workspace of its own
    name, only_mutate = "workspace", None
    if changed_lines is not None:
        sources = {project.rel(p) for p in project.source_files()}
        name, only_mutate = "workspace-pr", sorted(set(changed_lines) & sources)
        if not only_mutate:
            card.meta.mutation = MutationStats(generated=0, run_now=0, changed_source_files=[])
            card.stages.append(
                StageReport(
                    name="mutation",
                    ran=True,
                    reason=f"no source file changed since {options.diff}: nothing to mutate",
                    engine=f"mutmut {metadata.version('mutmut')}",
                )
            )
            return
    memory = mstate.load(project, name)
    configured = project.config.mutation.process_isolation
    ws, settings = prepare(
        project, str(configured or memory.get("isolation") or "fork"), name, only_mutate
    )
    if memory.get("warmup") == "none":  # a cold forkserver worker was needed last time
        settings.forkserver_warmup = "none"
        write_pyproject(project, ws, settings)
    card.meta.mutation_workspace = str(ws)
    mutants_dir = ws / "mutants"
    if not options.use_cache:  # --no-cache: forget every previous verdict
        shutil.rmtree(mutants_dir, ignore_errors=True)
        memory.pop("test_hashes", None)
    gen = driver.generate(ws, jobs)
    if gen.exit_code != 0:
        raise StageFailed(
            f"mutmut could not generate mutants in {ws}: {gen.tail(6)} Check that the source paths "
            f"({', '.join(settings.source_paths)}) hold importable Python, or set `source = [...]` "
            f"under [tool.auditor]."
        )
    ctx = _context(project, card, mutants_dir, settings)
    mutants = [build_mutant(raw, ctx) for raw in results.read_all(mutants_dir)]
    selection = select(
        mutants,
        changed=changed_lines,
        base=options.diff,
        shard=options.shard,
        shard_of=shard_of if options.shard else None,
    )
    budget = project.config.mutation.max_mutants
    cap(selection.kept, budget)
    hashes = test_file_hashes(project)
    changed_tests = mstate.changed_test_files(memory.get("test_hashes"), hashes)
    forced = _forced_by_tests(selection.kept, changed_tests)
    if forced:
        results.reset_results(mutants_dir, forced)
        (mutants_dir / "mutmut-stats.json").unlink(missing_ok=True)  # re-record who tests what
    pending = {m.id for m in selection.kept if m.status == "pending"} | forced
    notes: list[str] = []
    if pending:
        settings, note = _run_mutmut(project, ws, settings, sorted(pending), jobs, options)
        notes += [note] if note else []
        memory["isolation"] = settings.process_isolation
        memory["warmup"] = settings.forkserver_warmup
    memory["test_hashes"] = hashes
    mstate.save(project, memory, name)
    ctx = _context(project, card, mutants_dir, settings)
    kept_ids = {m.id for m in selection.kept}
    final = [
        build_mutant(raw, ctx) for raw in results.read_all(mutants_dir) if raw.name in kept_ids
    ]
    select(final, changed=changed_lines, base=options.diff)
    cap(final, budget)
    card.mutants.extend(final)
    card.meta.tests_without_kills = apply_test_results(card.tests, final)
    card.meta.mutation = MutationStats(
        generated=len(mutants),
        run_now=len(pending),
        reused=sum(1 for m in final if m.id not in pending and m.status in DETECTING),
        rerun_for_changed_tests=len(forced),
        changed_test_files=sorted(changed_tests),
        isolation=settings.process_isolation,
    )
    if options.shard:
        card.meta.shard = ShardInfo(
            index=options.shard[0],
            count=options.shard[1],
            mutants=len(final),
            other_shards=selection.dropped,
        )
    if not options.shard:  # a shard holds only part of the mutants
        unmutated.attach(project, card, only_mutate)
    _pseudo_tested(project, options, card)
    if forced:
        notes.append(f"re-ran {len(forced)} mutants covered by changed test files")
    card.stages.append(
        StageReport(
            name="mutation",
            ran=True,
            reason="; ".join(notes),
            engine=engine(settings, jobs),
        )
    )


def _context(
    project: Project, card: Scorecard, mutants_dir: Any, settings: MutmutSettings
) -> BuildContext:
    return BuildContext(
        root=project.root,
        mutants_dir=mutants_dir,
        cov_map=CoverageMap.load(project) if card.stage_ran("coverage") else CoverageMap(),
        stats=results.read_stats(mutants_dir),
        arid=AridMatcher(project.config.arid),
        missing_lines=missing_by_path(card.coverage),
        timeout_multiplier=settings.timeout_multiplier,
        timeout_constant=settings.timeout_constant,
        forkserver=settings.process_isolation == "forkserver",
    )


def _forced_by_tests(mutants: list[Mutant], changed_files: set[str]) -> set[str]:
    """Finished mutants covered by a test in a changed test file: their verdict may be stale."""
    if not changed_files:
        return set()
    return {
        m.id
        for m in mutants
        if m.status not in ("pending", "skipped")
        and mstate.tests_in_files(set(m.covered_by), changed_files)
    }


def _run_mutmut(
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
    crashed = _warm_worker_crashes(ws, settings, names)
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


def _warm_worker_crashes(ws: Any, settings: MutmutSettings, names: list[str]) -> list[str]:
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


def _changed_lines(project: Project, options: Options) -> dict[str, set[int]] | None:
    """PR mode: the lines changed since `--diff BASE` per project-relative path; None otherwise."""
    if not options.diff:
        return None
    return diffscope.changed_lines(project.root, options.diff)


def _pseudo_tested(project: Project, options: Options, card: Scorecard) -> None:
    if not project.config.mutation.pseudo_tested or not card.stage_ran("coverage"):
        return
    card.pseudo_tested.extend(pseudo.find_pseudo_tested(project, options, card))
