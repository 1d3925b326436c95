"""Witness search for surviving mutants: drive `worker` subprocesses and put results on the card.

Why subprocesses: the search imports the project's trampolined code and calls it with generated
inputs, including mutants that loop forever, exhaust memory or call `os._exit`. Each worker handles
a batch (grouped by module, so a module is imported once per worker), reports one JSON line per
mutant, and is restarted on the remaining mutants if it dies or stops reporting; a global deadline
bounds the whole search. Nothing here can fail the stage because of a single mutant.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditor import procs
from auditor.config import Config, WitnessConfig
from auditor.model import Mutant, Scorecard, Witness, from_jsonable
from auditor.properties.names import parse_mutant_name
from auditor.properties_model import WitnessEvidence

CALL_TIMEOUT = 1.0
STARTUP_SECONDS = 60.0  # importing Hypothesis and the project in a fresh interpreter
OUTCOMES = ("witness", "likely_equivalent", "unverified", "skipped", "error")
OUT_OF_BUDGET = "the witness search ran out of its global time budget"
# bump when the search can reach another outcome on the same mutant (cached results are keyed by it)
SEARCH_VERSION = "4"  # 2: evidence-based claims, pins, reach, callables, early stops; 3: early
# stops decided on the watched window, near misses are message-only; 4: confined = one same change,
# no early stop when not reached
# unverified outcomes that do not depend on the time budget (the same search ends the same way)
STABLE_REASONS = frozenset(
    {
        "no_free_inputs",
        "confined",
        "message_only",
        "not_reached",
        "pins_capped",
        "callables_not_compared",
        "difference_unrenderable",
        "difference_not_reproduced",
    }
)


@dataclass
class WitnessSettings:
    """`[tool.auditor.witness]` plus `[tool.auditor] strategies`, with defaults."""

    enabled: bool = True
    max_examples: int = WitnessConfig().max_examples
    seconds: float = WitnessConfig().seconds  # per mutant
    call_timeout: float = CALL_TIMEOUT
    jobs: int = 1
    total_seconds: float | None = None  # None: derived from the number of mutants
    strategies: list[str] = field(default_factory=list)

    @classmethod
    def from_config(cls, config: Config, jobs: int = 1) -> WitnessSettings:
        table = config.witness
        return cls(
            enabled=table.enabled,
            max_examples=max(1, table.max_examples),
            seconds=max(0.1, float(table.seconds)),
            jobs=max(1, jobs),
            strategies=list(config.strategies),
        )

    def deadline_for(self, count: int) -> float:
        """Global wall budget: every mutant may use its full budget, spread over the workers."""
        if self.total_seconds is not None:
            return self.total_seconds
        per_worker = -(-count // self.jobs)  # ceil
        return STARTUP_SECONDS + per_worker * (self.seconds + 4 * self.call_timeout + 1.0)


@dataclass
class SearchResult:
    id: str
    outcome: str
    note: str = ""
    examples: int = 0
    seconds: float = 0.0
    witness: dict[str, Any] | None = None
    evidence: dict[str, Any] | None = None  # evidence.Evidence as JSON (what was tried, reached)


def mutants_dir(card: Scorecard) -> Path | None:
    """mutmut's `mutants/` directory of the mutation stage's workspace, if it exists."""
    workspace = card.meta.mutation_workspace
    if not workspace:
        return None
    path = Path(workspace)
    for candidate in (path / "mutants", path):
        if candidate.is_dir() and candidate.name == "mutants":
            return candidate
    return None


def candidates(card: Scorecard) -> list[Mutant]:
    """Survivors whose id is a mutmut name (the only ones the trampoline can switch to)."""
    out = []
    for mutant in card.mutants:
        if mutant.status != "survived":
            continue
        try:
            parse_mutant_name(mutant.id)
        except ValueError:
            continue
        out.append(mutant)
    return out


def split_by_module(ids: list[str], groups: int) -> list[list[str]]:
    """Balance modules over `groups` workers, keeping each module's mutants together."""
    by_module: dict[str, list[str]] = {}
    for mutant_id in ids:
        by_module.setdefault(parse_mutant_name(mutant_id).module, []).append(mutant_id)
    buckets: list[list[str]] = [[] for _ in range(max(1, groups))]
    for module in sorted(by_module, key=lambda m: (-len(by_module[m]), m)):
        min(buckets, key=len).extend(by_module[module])
    return [b for b in buckets if b]


ProgressFn = Callable[[int], None]


class _Batch:
    """One worker's share of mutants: runs, watches and restarts the subprocess."""

    def __init__(
        self,
        ids: list[str],
        workdir: Path,
        settings: WitnessSettings,
        scratch: Path,
        deadline: float,
        progress: ProgressFn | None,
        label: str,
    ) -> None:
        self.remaining = list(ids)
        self.workdir = workdir
        self.settings = settings
        self.scratch = scratch
        self.deadline = deadline
        self.progress = progress
        self.label = label
        self.results: dict[str, SearchResult] = {}

    def run(self) -> None:
        attempt = 0
        while self.remaining:
            if time.monotonic() >= self.deadline:
                self._finish_rest("skipped", OUT_OF_BUDGET)
                return
            attempt += 1
            progressed = self._run_once(attempt)
            if not progressed and self.remaining:
                log = self.scratch / f"{self.label}-{attempt}.log"
                self._finish_rest("error", f"the witness worker exits without reporting; see {log}")
                return

    def _finish_rest(self, outcome: str, note: str) -> None:
        for mutant_id in self.remaining:
            self._record(SearchResult(mutant_id, outcome, note))
        self.remaining = []

    def _record(self, result: SearchResult) -> None:
        if result.id not in self.results:
            self.results[result.id] = result
            if self.progress:
                self.progress(1)

    def _run_once(self, attempt: int) -> bool:
        stem = f"{self.label}-{attempt}"
        job_path = self.scratch / f"{stem}.job.json"
        results_path = self.scratch / f"{stem}.results.jsonl"
        log_path = self.scratch / f"{stem}.log"
        job = {
            "workspace": str(self.workdir),
            "results": str(results_path),
            "max_examples": self.settings.max_examples,
            "seconds": self.settings.seconds,
            "call_timeout": self.settings.call_timeout,
            "strategies": self.settings.strategies,
            "mutants": self.remaining,
        }
        job_path.write_text(json.dumps(job), encoding="utf-8")
        results_path.write_text("", encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if k != "MUTANT_UNDER_TEST"}
        env["HYPOTHESIS_STORAGE_DIRECTORY"] = str(self.scratch / "hypothesis")
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        per_mutant = self.settings.seconds + 4 * self.settings.call_timeout + 10.0
        before = len(self.results)
        with log_path.open("w", encoding="utf-8") as log:
            proc = procs.start(
                [sys.executable, "-I", "-m", "auditor.properties.worker", str(job_path)],
                cwd=self.workdir,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            offset = 0
            current: str | None = None
            last_event = time.monotonic()
            limit = STARTUP_SECONDS + per_mutant
            while True:
                exited = proc.poll() is not None
                offset, events = _read_new(results_path, offset)
                for event in events:
                    last_event = time.monotonic()
                    limit = per_mutant
                    if event.get("event") == "start":
                        current = str(event.get("id"))
                    elif event.get("event") == "done":
                        self._record(_result(event))
                        current = None
                if exited:
                    break
                now = time.monotonic()
                if now - last_event > limit or now >= self.deadline:
                    proc.stop(grace=1.0)
                    if current is not None:
                        why = (
                            OUT_OF_BUDGET
                            if now >= self.deadline
                            else f"the witness worker stopped responding for {limit:.0f}s"
                        )
                        self._record(SearchResult(current, "error", why))
                        current = None
                    break
                time.sleep(0.05)
            if current is not None:  # the worker died in the middle of this mutant
                self._record(
                    SearchResult(
                        current,
                        "error",
                        f"the witness worker crashed (exit code {proc.popen.returncode})",
                    )
                )
        self.remaining = [m for m in self.remaining if m not in self.results]
        return len(self.results) > before


def _read_new(path: Path, offset: int) -> tuple[int, list[dict[str, Any]]]:
    """Complete JSON lines appended since `offset` (a partial last line is left for next time)."""
    try:
        with path.open("rb") as fh:
            fh.seek(offset)
            chunk = fh.read()
    except OSError:
        return offset, []
    end = chunk.rfind(b"\n")
    if end < 0:
        return offset, []
    events = []
    for line in chunk[: end + 1].decode("utf-8", errors="replace").splitlines():
        try:
            events.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return offset + end + 1, events


def _result(event: dict[str, Any]) -> SearchResult:
    outcome = str(event.get("outcome", "error"))
    if outcome not in OUTCOMES:
        outcome = "error"
    return SearchResult(
        id=str(event["id"]),
        outcome=outcome,
        note=str(event.get("note") or event.get("reason") or ""),
        examples=int(event.get("examples") or 0),
        seconds=float(event.get("seconds") or 0.0),
        witness=event.get("witness"),
        evidence=event.get("evidence") if isinstance(event.get("evidence"), dict) else None,
    )


def search(
    ids: list[str],
    workdir: Path,
    settings: WitnessSettings,
    scratch: Path | None = None,
    progress: ProgressFn | None = None,
) -> dict[str, SearchResult]:
    """Search every mutant in `ids` (mutmut names) using the trampolined code under `workdir`."""
    if not ids:
        return {}
    if scratch is None:
        scratch = Path(tempfile.mkdtemp(prefix="auditor-witness-"))
    scratch.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + settings.deadline_for(len(ids))
    batches = [
        _Batch(group, workdir, settings, scratch, deadline, progress, f"worker{i}")
        for i, group in enumerate(split_by_module(ids, settings.jobs))
    ]
    threads = [threading.Thread(target=b.run, daemon=True) for b in batches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results: dict[str, SearchResult] = {}
    for batch in batches:
        results.update(batch.results)
    return results


def cacheable(result: SearchResult) -> bool:
    """Whether a later scan may reuse `result` for an unchanged mutant: outcomes that do not
    depend on how much time the search had."""
    if result.note == OUT_OF_BUDGET or "stopped after" in result.note:
        return False
    if result.outcome in ("witness", "likely_equivalent", "skipped"):
        return True
    reason = (result.evidence or {}).get("reason", "")
    return result.outcome == "unverified" and reason in STABLE_REASONS


def apply(card: Scorecard, results: dict[str, SearchResult]) -> None:
    """Record the outcomes on the card's mutants; likely-equivalent mutants stay in the report."""
    for mutant in card.mutants:
        result = results.get(mutant.id)
        if result is None:
            continue
        mutant.witness_status = result.outcome
        mutant.witness_note = result.note
        if result.outcome == "witness" and result.witness:
            data = result.witness
            mutant.witness = Witness(
                call=str(data.get("call", "")),
                original=str(data.get("original", "")),
                mutant=str(data.get("mutant", "")),
                test_code=str(data.get("test_code", "")),
                verified=bool(data.get("verified", False)),
            )
        elif result.outcome == "likely_equivalent":
            mutant.likely_equivalent = True
            mutant.equivalence_budget = result.examples
        if result.evidence is not None:
            mutant.witness_evidence = from_jsonable(WitnessEvidence, result.evidence)
            if result.outcome == "likely_equivalent":
                # the claim's budget: distinct inputs that ran the mutated code and compared
                mutant.equivalence_budget = mutant.witness_evidence.conclusive
