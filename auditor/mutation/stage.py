"""The mutation stage: mutmut's mutants, our warm runner, an isolated workspace -> card.mutants.

Flow: mirror the project into `.auditor/mutation/workspace/`, let mutmut's generator write every
mutant (in-process), decide which ones this scan runs (arid lines, --diff, --shard, finished
results, tests that changed), run exactly those with our runner (or `mutmut run NAMES` with
`runner = "mutmut"`), together with the pseudo-tested variants, then read the results. Every
mutant mutmut generated appears in the card with its verdict or the reason it was not run.
"""

from __future__ import annotations

import shutil
import time
from importlib import metadata
from typing import Any

from auditor.coverage import unmutated
from auditor.coverage.fingerprint import test_file_hashes
from auditor.coverage.map import CoverageMap
from auditor.errors import ConfigError, StageFailed
from auditor.meta import MutationStats, ShardInfo
from auditor.model import Mutant, Scorecard, StageReport
from auditor.mutation import mutmut_run, pseudo, results
from auditor.mutation import state as mstate
from auditor.mutation.arid import AridMatcher
from auditor.mutation.build import (
    DETECTING,
    BuildContext,
    apply_test_results,
    build_mutant,
    missing_by_path,
)
from auditor.mutation.execute import Execution, mutant_targets, run_targets
from auditor.mutation.generate import GenerationError, generate
from auditor.mutation.plan import Planner
from auditor.mutation.select import cap, select
from auditor.mutation.store import ResultStore, overlay
from auditor.mutation.verify_stage import verify_scan
from auditor.mutation.workspace import MutmutSettings, prepare, write_pyproject
from auditor.options import Options
from auditor.pr import diffscope
from auditor.pr.shards import shard_of
from auditor.project import Project

DEFAULT_RUNNER = "auditor"


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
    results.heal(mutants_dir)  # a corrupt cache file is discarded and recomputed, never trusted
    try:
        generation = generate(ws, settings, jobs=jobs)
    except (GenerationError, OSError, UnicodeDecodeError) as exc:
        raise StageFailed(
            f"mutmut could not generate mutants in {ws}: {exc} Check that the source paths "
            f"({', '.join(settings.source_paths)}) hold importable Python, or set `source = [...]` "
            f"under [tool.auditor]."
        ) from exc
    store = ResultStore(mutants_dir)
    ctx = _context(project, card, mutants_dir, settings)
    raws = overlay(results.read_all(mutants_dir), store.load())
    mutants = [build_mutant(raw, ctx) for raw in raws]
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
        store.forget(forced)
        (mutants_dir / "mutmut-stats.json").unlink(missing_ok=True)  # re-record who tests what
    pending = {m.id for m in selection.kept if m.status == "pending"} | forced
    notes: list[str] = []
    kind = runner_kind(project)
    plan = _pseudo_plan(project, options, card, mutants_dir)
    targets = list(plan.targets) if plan else []
    engine_name = (
        f"auditor warm runner, mutmut {metadata.version('mutmut')} mutants, {jobs} workers"
    )
    execution = Execution()
    if kind == "mutmut":
        if pending:
            settings, note = mutmut_run.run_mutmut(
                project, ws, settings, sorted(pending), jobs, options
            )
            notes += [note] if note else []
            memory["isolation"] = settings.process_isolation
            memory["warmup"] = settings.forkserver_warmup
        engine_name = mutmut_run.engine(settings, jobs)  # after a fallback changed the settings
    else:
        targets = mutant_targets(selection.kept, pending) + targets
    try:
        if targets:
            hashes_by_id = {raw.name: raw.hash for raw in raws}
            execution = run_targets(
                project, ws, settings, targets, hashes_by_id, card.tests, jobs, options.console
            )
    finally:
        store.fold()
    memory["test_hashes"] = hashes
    mstate.save(project, memory, name)
    kept_ids = {m.id for m in selection.kept}

    def rebuild() -> list[Mutant]:
        ctx = _context(project, card, mutants_dir, settings)
        built = [
            build_mutant(raw, ctx)
            for raw in overlay(results.read_all(mutants_dir), store.load())
            if raw.name in kept_ids
        ]
        select(built, changed=changed_lines, base=options.diff)
        cap(built, budget)
        return built

    final = rebuild()
    card.verified_survivors = verify_scan(
        project,
        options,
        card,
        final,
        ws=ws,
        settings=settings,
        execution=execution,
        jobs=jobs,
        rebuild=rebuild,
    )  # survivors re-run by hand; refuted ones corrected in `final` (auditor/mutation/verify.py)
    card.mutants.extend(final)
    card.meta.tests_without_kills = apply_test_results(card.tests, final)
    card.meta.mutation = MutationStats(
        generated=len(mutants),
        run_now=len(pending),
        reused=sum(1 for m in final if m.id not in pending and m.status in DETECTING),
        rerun_for_changed_tests=len(forced),
        changed_test_files=sorted(changed_tests),
        isolation=settings.process_isolation if kind == "mutmut" else "fork (warm session)",
        runner=kind,
        fresh_process=execution.fresh,
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
    finish_started = time.perf_counter()
    if plan is not None:
        card.pseudo_tested.extend(plan.finish(execution.pseudo, jobs, _pseudo_limit(card)))
    card.meta.mutation.seconds = {
        "generate": round(generation.seconds, 3),
        "session_startup": round(execution.startup_seconds, 3),
        "import_check": round(execution.import_check_seconds, 3),
        "run": round(execution.seconds, 3),
        "pseudo_fallback": round(time.perf_counter() - finish_started, 3),
    }
    if execution.fresh:
        notes.append(
            f"{execution.fresh} mutants of functions that run while the tests are imported ran in "
            f"a fresh process with the mutant active from the start"
        )
    if forced:
        notes.append(f"re-ran {len(forced)} mutants covered by changed test files")
    card.stages.append(
        StageReport(
            name="mutation",
            ran=True,
            reason="; ".join(notes),
            engine=engine_name,
        )
    )


def runner_kind(project: Project) -> str:
    """`[tool.auditor.mutation] runner`: "auditor" (ours, default) or "mutmut"."""
    kind = project.config.mutation.runner or DEFAULT_RUNNER
    if kind not in ("auditor", "mutmut"):
        raise ConfigError(
            f'[tool.auditor.mutation] runner must be "auditor" or "mutmut"; got {kind!r}.'
        )
    return kind


def _pseudo_plan(
    project: Project, options: Options, card: Scorecard, mutants_dir: Any
) -> pseudo.PseudoPlan | None:
    if not project.config.mutation.pseudo_tested or not card.stage_ran("coverage"):
        return None
    return pseudo.plan(project, options, mutants_dir)


def _pseudo_limit(card: Scorecard) -> Any:
    durations = {t.id: t.duration for t in card.tests}
    planner = Planner(durations)
    return planner.limit


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


def _changed_lines(project: Project, options: Options) -> dict[str, set[int]] | None:
    """PR mode: the lines changed since `--diff BASE` per project-relative path; None otherwise."""
    if not options.diff:
        return None
    return diffscope.changed_lines(project.root, options.diff)
