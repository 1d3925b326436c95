"""Verified survivors: surviving mutants re-run by hand after the scan (docs/mutation.md).

A survivor is *verified by hand* when its mutant, applied to a fresh copy of the original source
(no trampolines, plain pytest with the project's configuration), is run against the tests that
cover it. `Mutant.verification` holds the result for each sampled mutant and
`Scorecard.verified_survivors` the counts, plus every *runner fault* found: a survivor the hand
run refuted, the mutants of its function re-run in a fresh process, and which verdicts changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

VerificationResult = Literal["confirmed", "refuted", "unverified"]
HandOutcome = Literal["survived", "killed", "timeout", "error"]


@dataclass
class Verification:
    """One survivor re-run by hand.

    `result`: "confirmed" (every test passed with the mutant applied by hand: a real survivor),
    "refuted" (a test failed or the run timed out: the runner's survivor was false), or
    "unverified" (no verdict could be measured; `note` says why). `by_hand` is what plain pytest
    did; `killed_by` the first failing test; `runner_status` the runner's verdict before
    verification ("survived"); `tests` how many tests passed; `seconds` the wall time of the run.
    """

    result: VerificationResult
    by_hand: HandOutcome
    runner_status: str = "survived"
    killed_by: str = ""
    tests: int = 0
    seconds: float = 0.0
    note: str = ""


@dataclass
class VerdictChange:
    """A mutant whose verdict changed when re-run in a fresh process (`before` -> `after`)."""

    id: str
    before: str
    after: str
    killed_by: str = ""


@dataclass
class RunnerFault:
    """A refuted survivor: the runner's verdicts of one function could not be trusted.

    `function` is `f` or `Class.method` in `path`; `refuted` the sampled mutant whose by-hand run
    failed; `cause` what explains the difference; `rerun` how many of the function's survivors
    were re-run in a fresh process (the mutant active from the first import, every test);
    `changed` the verdicts that changed there.
    """

    path: str
    function: str
    refuted: str
    cause: str
    rerun: int = 0
    changed: list[VerdictChange] = field(default_factory=list)


@dataclass
class VerifiedSurvivors:
    """`Scorecard.verified_survivors`: the survivors re-run by hand in this scan.

    `survivors` is how many survivors the runner reported, `sampled` how many were re-run by hand
    (`mode` "sample": a deterministic sample, or "all": every survivor, as in `--diff` mode),
    `confirmed` + `refuted` + `unverified` == `sampled`. Refuted survivors are counted as
    detected (`killed` or `timeout`, with a note), never as survivors; `faults` lists the runner
    faults found and `corrected` how many verdicts the fresh-process re-runs changed in total.
    `seconds` is the wall time of the whole verification.
    """

    survivors: int = 0
    sampled: int = 0
    confirmed: int = 0
    refuted: int = 0
    unverified: int = 0
    mode: Literal["sample", "all"] = "sample"
    corrected: int = 0
    faults: list[RunnerFault] = field(default_factory=list)
    seconds: float = 0.0
    note: str = ""
