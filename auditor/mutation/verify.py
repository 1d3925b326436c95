"""Verified survivors: re-run surviving mutants by hand after the scan; fix runner faults found.

No runner's verdict is taken on trust. After the mutation run, a deterministic sample of the
survivors (`[tool.auditor.mutation] verify-survivors`, default 3; every survivor in `--diff`
mode) is re-run the way a user would check one: the mutant applied to a fresh copy of the
ORIGINAL source (`auditor.mutation.apply`, no trampolines), plain pytest with the project's own
configuration (`auditor.mutation.byhand`) on the test modules that cover it (the whole suite when
no test covers it or its function runs at import time), under a time limit derived from a clean
run of the same tests in a clean copy.

- every test passes: the survivor is **confirmed** (`Mutant.verified`, evidence for top actions);
- a test fails (it must also fail when re-run, and pass in the clean copy), collection breaks, or
  the run times out: the survivor is **refuted**. That is a runner fault: every survivor of the
  refuted mutant's function is re-run in a fresh process with the mutant active from the first
  import, against every test (the runner's fresh-process jobs); the verdicts that change are
  reported with the cause, and recorded so later scans keep them. A refuted survivor never counts
  as a survivor: if the fresh-process re-run still says "survived", the by-hand verdict wins
  (`killed` or `timeout`, with a note);
- anything else (the clean copy fails those tests, the tests import the code from outside the
  copy, pytest cannot run) leaves the survivor **unverified**, with the reason.

The sample prefers the survivors top actions show (one per function, most-covered first), then
the rest, each ordered by a hash of the mutant id, so a scan of the same code samples the same
mutants.
"""

from __future__ import annotations

import hashlib
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from auditor.coverage import limits
from auditor.model import Mutant, MutantStatus, TestResult
from auditor.mutation.apply import ApplyError, applied_source, parse_name
from auditor.mutation.byhand import Copies, HandRun, run_pytest
from auditor.mutation.status import DEFAULT_CONSTANT, DEFAULT_MULTIPLIER, Verdict, apply
from auditor.project import Project
from auditor.verification_model import (
    RunnerFault,
    VerdictChange,
    Verification,
    VerifiedSurvivors,
)

# Re-runs the by-hand oracle needs from the stage: the mutants of some functions, in a fresh
# process; returns the rebuilt mutants (id -> Mutant) and the functions that run at import time.
Rerun = Callable[[list[Mutant], set[str]], tuple[dict[str, Mutant], set[str]]]


def function_key(mutant_id: str) -> str:
    """mutmut's function key of a mutant id: `pkg.mod.x_f__mutmut_3` -> `pkg.mod.x_f`."""
    return mutant_id.rpartition("__mutmut_")[0]


def _digest(mutant_id: str) -> str:
    return hashlib.sha256(mutant_id.encode()).hexdigest()


def sample(survivors: list[Mutant], size: int | None) -> list[Mutant]:
    """The survivors to verify, in order; `size` None = all of them.

    First the survivor each function would show as its top action (most covering tests, then
    first line), functions with more covering tests first; then every other survivor. Ties and
    the rest are ordered by sha256 of the mutant id: the same survivors give the same sample.
    """
    groups: dict[tuple[str, str], list[Mutant]] = defaultdict(list)
    for mutant in survivors:
        groups[(mutant.path, mutant.function or mutant.id)].append(mutant)
    leaders = [
        min(group, key=lambda m: (-len(m.covered_by), m.line or 0, m.id))
        for group in groups.values()
    ]
    leaders.sort(key=lambda m: (-min(30, 3 * len(m.covered_by)), _digest(m.id)))
    chosen = {m.id for m in leaders}
    rest = sorted((m for m in survivors if m.id not in chosen), key=lambda m: _digest(m.id))
    ordered = leaders + rest
    return ordered if size is None else ordered[:size]


@dataclass
class Check:
    """One sampled survivor on its way through verification."""

    mutant: Mutant
    module: str
    targets: list[str]  # test files, or [] for the project's whole suite
    verification: Verification | None = None


@dataclass
class Verifier:
    """Verifies survivors of one scan (see the module docstring)."""

    project: Project
    mutants_dir: Path  # the workspace's `mutants/` (mutmut's mutated files)
    tests: list[TestResult]
    import_time: set[str] = field(default_factory=set)  # function keys run at import
    multiplier: float = DEFAULT_MULTIPLIER
    constant: float = DEFAULT_CONSTANT
    jobs: int = 1  # by-hand runs at once

    def scope(self, mutant: Mutant) -> list[str]:
        """Test files holding the tests that cover `mutant` (their module- and class-scoped
        fixtures are shared with the covering tests); [] (the whole suite) when no test covers
        it or its function runs while the tests are imported."""
        if not mutant.covered_by or function_key(mutant.id) in self.import_time:
            return []
        return list(dict.fromkeys(t.split("::", 1)[0] for t in mutant.covered_by))

    def run(self, survivors: list[Mutant], size: int | None, rerun: Rerun) -> VerifiedSurvivors:
        """Verify `sample(survivors, size)`; refuted survivors' functions go through `rerun`.

        Updates the mutants in place (verdicts, `verification`); returns the counts.
        """
        started = time.perf_counter()
        report = VerifiedSurvivors(
            survivors=len(survivors), mode="all" if size is None else "sample"
        )
        checks = [Check(m, parse_name(m.id).module, self.scope(m)) for m in sample(survivors, size)]
        report.sampled = len(checks)
        if checks:
            copies = Copies(self.project, self.project.state_dir / "mutation" / "verify")
            try:
                self._verify_all(checks, copies, report)
            finally:
                copies.cleanup()
            for check in checks:
                check.mutant.verification = check.verification
            self._faults(checks, survivors, rerun, report)
        for check in checks:
            result = check.verification.result if check.verification else "unverified"
            if result == "confirmed":
                report.confirmed += 1
            elif result == "refuted":
                report.refuted += 1
            else:
                report.unverified += 1
        report.seconds = round(time.perf_counter() - started, 3)
        return report

    # --- the clean run, then one fresh copy per mutant ------------------------------------

    def _verify_all(self, checks: list[Check], copies: Copies, report: VerifiedSurvivors) -> None:
        whole = any(not c.targets for c in checks)
        union = [] if whole else list(dict.fromkeys(t for c in checks for t in c.targets))
        modules = sorted({c.module for c in checks})
        clean_copy = copies.fresh("clean")
        clean = run_pytest(
            self.project,
            clean_copy,
            union,
            limit=limits.suite_limit(self.project),
            modules=modules,
            stop_first=False,
        )
        problem = _clean_problem(clean)
        if problem:
            report.note = problem
            for check in checks:
                check.verification = Verification("unverified", "error", note=problem)
            return
        foreign = clean.foreign_imports(clean_copy)
        limit = (clean.seconds + self.constant) * self.multiplier
        todo = []
        for check in checks:
            if check.module in foreign:
                check.verification = Verification(
                    "unverified",
                    "error",
                    note=f"the tests import {check.module} from {foreign[check.module]}, not "
                    f"from the fresh copy: run auditor with the project's own environment",
                )
            else:
                todo.append(check)
        with ThreadPoolExecutor(max_workers=max(1, self.jobs)) as pool:
            results = pool.map(lambda c: self._by_hand(c, copies, limit, clean.failed), todo)
            for check, verification in zip(todo, results, strict=True):
                check.verification = verification

    def _by_hand(
        self, check: Check, copies: Copies, limit: float, broken: list[str]
    ) -> Verification:
        mutant = check.mutant
        copy = copies.fresh(mutant.id)
        try:
            original = (self.project.root / mutant.path).read_text(encoding="utf-8")
            applied = applied_source(original, self.mutants_dir, mutant.path, mutant.id)
        except (ApplyError, OSError, ValueError) as exc:
            return Verification("unverified", "error", note=f"could not apply it by hand: {exc}")
        (copy / mutant.path).write_text(applied.code, encoding="utf-8")

        def again(targets: list[str]) -> HandRun:
            return run_pytest(
                self.project, copy, targets, limit=limit, modules=[check.module], deselect=broken
            )

        run = again(check.targets)
        return _classify(run, again, check.targets, broken)

    # --- refuted survivors: runner faults ---------------------------------------------------

    def _faults(
        self, checks: list[Check], survivors: list[Mutant], rerun: Rerun, report: VerifiedSurvivors
    ) -> None:
        refuted = [c for c in checks if c.verification and c.verification.result == "refuted"]
        if not refuted:
            return
        keys = {function_key(c.mutant.id) for c in refuted}
        group = [m for m in survivors if function_key(m.id) in keys]
        before = {m.id: m.status for m in group}
        rebuilt, import_time = rerun(group, keys)
        for mutant in group:
            new = rebuilt.get(mutant.id)
            if new is not None:
                _take_verdict(mutant, new)
        for check in refuted:
            key = function_key(check.mutant.id)
            members = [m for m in group if function_key(m.id) == key]
            changed = [
                VerdictChange(m.id, before[m.id], m.status, ", ".join(m.killed_by))
                for m in members
                if m.status != before[m.id]
            ]
            assert check.verification is not None
            fault = RunnerFault(
                path=check.mutant.path,
                function=check.mutant.function,
                refuted=check.mutant.id,
                cause=_cause(check, key in import_time or key in self.import_time),
                rerun=len(members),
                changed=changed,
            )
            report.faults.append(fault)
            report.corrected += len(changed)
            if check.mutant.status == "survived":  # the fresh process agreed with the runner
                _by_hand_wins(check.mutant, check.verification)


def _clean_problem(clean: HandRun) -> str:
    """Why a clean run of the tests in a clean copy cannot be compared with (empty: it can)."""
    if clean.timed_out:
        return "the tests did not finish in a clean copy within the coverage run's time limit"
    if clean.exit in (0, 5) and clean.passed == 0:
        return "no test ran in a clean copy of the project"
    if clean.exit in (0, 1) and clean.passed > 0:
        return ""
    return (
        f"plain pytest exits {clean.exit} on a clean copy of the project, so no mutant can be "
        f"checked against it: {clean.output.splitlines()[-1] if clean.output else ''}"
    ).rstrip(": ")


def _classify(
    run: HandRun, again: Callable[[list[str]], HandRun], targets: list[str], broken: list[str]
) -> Verification:
    """The verification of one by-hand run (a failing test is confirmed by running it again)."""
    if run.timed_out:
        return Verification(
            "refuted", "timeout", seconds=run.seconds, note="the tests ran past the time limit"
        )
    if run.exit == 0 and run.passed > 0:
        return Verification("confirmed", "survived", tests=run.passed, seconds=run.seconds)
    if run.exit == 1 and run.failed:
        first = run.failed[0]
        alone = again([first])
        if alone.exit == 1 or alone.timed_out:
            note = "fails again when run alone" if alone.exit == 1 else "times out alone"
        else:
            second = again(targets)
            if second.exit != 1:
                return Verification(
                    "unverified",
                    "error",
                    killed_by=first,
                    seconds=run.seconds,
                    note=f"{first} failed once, then passed: a flaky test",
                )
            note = f"fails only after the tests before it (passes alone): {first}"
        return Verification(
            "refuted", "killed", killed_by=first, tests=run.passed, seconds=run.seconds, note=note
        )
    if run.exit in (2, 3) and (run.collect_errors or run.exit == 3):
        where = run.collect_errors[0] if run.collect_errors else "pytest"
        what = "collection error" if run.collect_errors else "internal error"
        return Verification(
            "refuted", "killed", killed_by=f"{where} ({what})", seconds=run.seconds, note=what
        )
    tail = run.output.splitlines()[-1] if run.output else ""
    return Verification(
        "unverified",
        "error",
        seconds=run.seconds,
        note=f"plain pytest exited {run.exit} with the mutant applied: {tail}".rstrip(": "),
    )


def _cause(check: Check, import_time: bool) -> str:
    """Why the runner's verdict differed from the by-hand run (one sentence)."""
    verification = check.verification
    killer = verification.killed_by if verification else ""
    if import_time:
        return (
            "the function runs while the tests are imported or collected: values it computed "
            "then were computed with no mutant active (the trampoline switches at call time)"
        )
    if killer and killer.split(" (")[0] not in check.mutant.covered_by:
        return (
            f"{killer} fails with the mutant, but the coverage map does not list it for the "
            f"mutated line (it may share a module- or class-scoped fixture with a covering test)"
        )
    if verification and verification.by_hand == "timeout":
        return "the mutant makes the tests hang when applied by hand"
    return "the runner's verdict differs from plain pytest on the mutant applied by hand"


def _take_verdict(mutant: Mutant, new: Mutant) -> None:
    for name in ("status", "reason", "skip_reason", "killed_by", "duration", "exit_code"):
        setattr(mutant, name, getattr(new, name))


def _by_hand_wins(mutant: Mutant, verification: Verification) -> None:
    status: MutantStatus = "timeout" if verification.by_hand == "timeout" else "killed"
    apply(
        mutant,
        Verdict(
            status,
            f"verified by hand: {verification.note or status}; the runner reported it surviving",
        ),
    )
    if verification.killed_by:
        mutant.killed_by = [verification.killed_by]
