"""Runner outcomes -> our mutant statuses (Stryker's definitions, docs/definitions.md).

`verdict` + `decide` turn what a runner measured (mutmut's exit code, or our runner's record folded
into the same codes, plus its error text) and the facts the stage knows (arid line, line never
executed) into one `Verdict`; `apply` writes it to the mutant (skips through the model's
`Mutant.skip`, which --diff and max-mutants use too).

mutmut maps exit code 255 to "timeout", but 255 is also what a worker returns for any Python
exception (a pytest usage error after a mutant broke import-time code, a crashed forkserver worker).
Counting those as timeouts would inflate the mutation score with kills nobody observed, so 255 is a
timeout only when the worker really ran for about as long as the time limit; otherwise it is an
"error" with the reason. Real CPU/wall limit signals (SIGXCPU) stay "timeout".
"""

from __future__ import annotations

from dataclasses import dataclass

from auditor.model import Mutant, MutantStatus, SkipReason

# fraction of the wall limit a worker must have used before a 255 counts as a real timeout
TIMEOUT_FRACTION = 0.8
DEFAULT_MULTIPLIER = 15.0
DEFAULT_CONSTANT = 1.0

SIGXCPU_CODES = {36, 24, -24, 152}


@dataclass(frozen=True)
class Verdict:
    status: MutantStatus
    reason: str = ""
    skip_reason: SkipReason | None = None  # set exactly when status is "skipped"


def wall_limit(estimated: float | None, multiplier: float | None, constant: float | None) -> float:
    """mutmut's wall-clock watchdog in fork mode: (estimated test time + constant) * multiplier."""
    mult = DEFAULT_MULTIPLIER if multiplier is None else multiplier
    const = DEFAULT_CONSTANT if constant is None else constant
    return ((estimated or 0.0) + const) * mult


def verdict(
    exit_code: int | None,
    duration: float | None = None,
    estimated: float | None = None,
    multiplier: float | None = None,
    constant: float | None = None,
    type_check_error: str = "",
    error: str = "",
) -> Verdict:
    """The status for a raw exit code (mutmut's, or our runner's folded into mutmut's codes)."""
    if error:
        return Verdict("error", error)
    if exit_code is None:
        return Verdict("pending", "not run yet (interrupted or not selected)")
    if exit_code in (1, 3):
        return Verdict("killed")
    if exit_code == 0:
        return Verdict("survived")
    if exit_code in (5, 33):
        return Verdict("no_coverage", "no test executes this function")
    if exit_code in SIGXCPU_CODES:
        return Verdict("timeout")
    if exit_code == 255:
        limit = wall_limit(estimated, multiplier, constant)
        if duration is not None and duration >= TIMEOUT_FRACTION * limit:
            return Verdict("timeout")
        ran = "an unknown time" if not duration else f"{duration:.2f} s"
        return Verdict(
            "error",
            f"worker exited with 255 after {ran}, far below the {limit:.0f} s time limit: mutmut "
            f"reports this as a timeout, but it is a crash (e.g. the mutant broke import-time code "
            f"and pytest could not collect the tests)",
        )
    if exit_code == 34:
        return Verdict("skipped", "skipped by mutmut", SkipReason.MUTMUT)
    if exit_code == 37:
        reason = f"caught by the type checker: {type_check_error}".rstrip(": ")
        return Verdict("skipped", reason, SkipReason.TYPE_CHECK)
    if exit_code in (-11, -9):
        return Verdict("error", f"worker killed by signal {-exit_code} (segfault or out of memory)")
    if exit_code == 2:
        return Verdict("error", "pytest was interrupted (exit 2: collection error or Ctrl-C)")
    return Verdict("error", f"unexpected worker exit code {exit_code} (mutmut: suspicious)")


def decide(base: Verdict, *, arid: str | None = None, never_run: bool = False) -> Verdict:
    """The final verdict: an arid line is skipped; a survivor on a never-executed line is
    `no_coverage` (coverage.py says no test runs it)."""
    if arid is not None:
        return Verdict("skipped", arid, SkipReason.ARID)
    if base.status in ("survived", "no_coverage") and never_run:
        return Verdict(
            "no_coverage", "the mutated line is never executed by the tests (coverage.py)"
        )
    return base


def apply(mutant: Mutant, result: Verdict) -> None:
    """Write a verdict to the mutant (the only place a runner's verdict becomes its status)."""
    if result.status == "skipped":
        mutant.skip(result.skip_reason or SkipReason.MUTMUT, result.reason)
        return
    mutant.status = result.status
    mutant.reason = result.reason
    mutant.skip_reason = None
