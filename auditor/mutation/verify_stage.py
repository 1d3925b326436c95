"""The mutation stage's hook for verified survivors (auditor/mutation/verify.py).

`verify_scan` runs after the stage has its final mutants: it samples the survivors, verifies them
by hand, and for refuted ones re-runs their function's survivors in a fresh process with our
runner (`execute.run_targets` with `fresh_keys`), whatever runner produced the first verdicts.
Those results are streamed to the workspace's result store like any other run, so the next scan
keeps the corrected verdicts; the stage's own `rebuild` turns them into mutants again.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from auditor.model import Mutant, Scorecard
from auditor.mutation.execute import Execution, mutant_targets, run_targets
from auditor.mutation.results import read_all
from auditor.mutation.status import DEFAULT_CONSTANT, DEFAULT_MULTIPLIER
from auditor.mutation.store import ResultStore
from auditor.mutation.verify import Verifier
from auditor.mutation.workspace import MutmutSettings
from auditor.options import Options
from auditor.project import Project
from auditor.verification_model import VerifiedSurvivors


def verify_scan(
    project: Project,
    options: Options,
    card: Scorecard,
    mutants: list[Mutant],
    *,
    ws: Path,
    settings: MutmutSettings,
    execution: Execution,
    jobs: int,
    rebuild: Callable[[], list[Mutant]],
) -> VerifiedSurvivors | None:
    """Verify the survivors among `mutants` (updated in place); None when switched off
    (`verify-survivors = 0`) or when this is a shard (another shard may hold the function's
    other mutants)."""
    size = project.config.mutation.verify_survivors
    if size == 0 or options.shard:
        return None
    mutants_dir = ws / "mutants"
    verifier = Verifier(
        project=project,
        mutants_dir=mutants_dir,
        tests=card.tests,
        import_time=set(execution.import_time_functions),
        multiplier=settings.timeout_multiplier or DEFAULT_MULTIPLIER,
        constant=settings.timeout_constant
        if settings.timeout_constant is not None
        else DEFAULT_CONSTANT,
        jobs=jobs,
    )

    def rerun(group: list[Mutant], keys: set[str]) -> tuple[dict[str, Mutant], set[str]]:
        store = ResultStore(mutants_dir)
        hashes = {raw.name: raw.hash for raw in read_all(mutants_dir)}
        targets = mutant_targets(group, {m.id for m in group})
        try:
            done = run_targets(
                project, ws, settings, targets, hashes, card.tests, jobs, options.console, keys
            )
        finally:
            store.fold()
        ids = {m.id for m in group}
        return {m.id: m for m in rebuild() if m.id in ids}, set(done.import_time_functions)

    survivors = [m for m in mutants if m.status == "survived"]
    report = verifier.run(survivors, None if options.diff else size, rerun)
    if report.refuted:
        card.meta.add_note(
            f"verification refuted {report.refuted} of {report.sampled} sampled survivors "
            f"(applied by hand, a test fails): {report.corrected} verdicts corrected by a "
            f"fresh-process re-run; survivors that were not sampled may be false too"
        )
    return report
