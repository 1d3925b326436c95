"""From "this test failed in one run and passed in another" to a verified cause.

For a test with both outcomes among the serial runs:

1. If two runs executed exactly the same tests before it and disagree, it is
   **non-deterministic** (iDFlakies' rule: same order, different outcome).
2. Run it alone. Passing alone makes it a **victim** candidate: a polluter already verified for
   another test is tried first (one polluter often has many victims); otherwise delta debugging
   over the tests that ran before it in a failing run finds the polluter(s) (`ddmin`, predicate
   "fails after them"). Failing alone makes it a **brittle** candidate: the same search over a
   passing run finds the state-setter(s) (predicate "passes after them").
3. Every claim is then verified `verify_runs` times with fresh processes: `pytest POLLUTER VICTIM`
   fails and `pytest VICTIM` passes (the reverse for a state-setter). The first verification
   runs snapshot shared state, which names what the polluter/state-setter changed.
4. For a victim, a passing run where the polluter ran before it gives cleaner candidates (the
   tests between them); ddmin finds the cleaner, verified by `pytest POLLUTER CLEANER VICTIM`
   passing.

A run that repeats the exact conditions of a failing run and passes ends the search as
non-deterministic; anything that cannot be verified is reported as unconfirmed, never as a cause.
"""

from __future__ import annotations

from collections.abc import Callable

from auditor.flaky.command import reproduce
from auditor.flaky.ddmin import ddmin
from auditor.flaky.result import FlakyKind, FlakyTest
from auditor.flaky.runs import RunResult, RunSpec
from auditor.flaky.session import Session
from auditor.flaky.state import name_state
from auditor.flaky.stats import rate_pct

NATURAL = frozenset({"baseline", "rerun", "order"})
TRIED_RUNS = 2


class Analyzer:
    """Classifies tests from the session's runs, running more (probes, verifications) as needed."""

    def __init__(self, session: Session, *, verify_runs: int = 2, state: bool = True) -> None:
        self.session = session
        self.verify_runs = verify_runs
        self.state = state
        self.unconfirmed: dict[str, str] = {}
        self.tried: set[tuple[str, ...]] = set()
        # polluter / state-setter sets already verified: one polluting test often has many
        # victims, so each is tried first (a two-test run) before a full delta debugging
        self.known: dict[bool, list[list[str]]] = {True: [], False: []}

    # evidence -------------------------------------------------------------------------------
    def outcomes(self, test: str) -> list[tuple[RunResult, bool]]:
        out = []
        for run in self.session.serial():
            failed = run.failed(test)
            if failed is not None:
                out.append((run, failed))
        return out

    def mixed(self, test: str) -> bool:
        seen = {failed for _run, failed in self.outcomes(test)}
        return seen == {True, False}

    def nondeterministic(self, test: str) -> bool:
        """Two serial runs with the same tests before `test`, one failing and one passing."""
        groups: dict[tuple[str, ...], set[bool]] = {}
        for run, failed in self.outcomes(test):
            groups.setdefault(tuple(run.before(test)), set()).add(failed)
        return any(len(g) == 2 for g in groups.values())

    def counts(self, test: str) -> tuple[int, int]:
        """(runs, failures) over the suite runs (baseline, reruns, orders)."""
        pairs = [(r, f) for r, f in self.outcomes(test) if r.kind in NATURAL]
        return len(pairs), sum(f for _r, f in pairs)

    def _probe(self, tests: list[str], label: str = "") -> RunResult:
        return self.session.run(RunSpec("probe", tuple(tests), label=label))

    def _fails_after(self, test: str) -> Callable[[list[str]], bool]:
        return lambda sub: self._probe([*sub, test]).failed(test) is True

    def _passes_after(self, test: str, head: list[str]) -> Callable[[list[str]], bool]:
        return lambda sub: self._probe([*head, *sub, test]).failed(test) is False

    # classification -------------------------------------------------------------------------
    def classify(self, test: str) -> FlakyTest | None:
        """The verified FlakyTest for a test with both outcomes, or None (see `unconfirmed`).

        May raise BudgetExceeded from any run it needs."""
        if self.nondeterministic(test):
            return self.non_deterministic(test)
        alone = self._probe([test], "alone")
        failed_alone = alone.failed(test)
        if failed_alone is None:
            self.unconfirmed[test] = "skipped when run alone"
            return None
        found = self.brittle(test) if failed_alone else self.victim(test)
        if found is None and self.nondeterministic(test):
            return self.non_deterministic(test)
        return found

    def recount(self, entry: FlakyTest) -> None:
        """Set runs, failures and the failure rate from every suite run made so far."""
        entry.runs, entry.failures = self.counts(entry.test)
        entry.failure_rate, entry.failure_ci = rate_pct(entry.failures, entry.runs)

    def new_entry(self, test: str, kind: FlakyKind) -> FlakyTest:
        """A FlakyTest with its counts and first failure message from the runs so far."""
        message = ""
        for run, failed in self.outcomes(test):
            if failed and run.messages.get(test):
                message = _first_line(run.messages[test])
                break
        entry = FlakyTest(test=test, kind=kind, message=message)
        self.recount(entry)
        return entry

    def non_deterministic(self, test: str) -> FlakyTest:
        entry = self.new_entry(test, "non-deterministic")
        entry.reproduce = reproduce([test])
        return entry

    def _candidate_runs(self, test: str, failing: bool) -> list[RunResult]:
        runs = [r for r, f in self.outcomes(test) if f is failing and r.before(test)]
        return sorted(runs, key=lambda r: len(r.before(test)))[:TRIED_RUNS]

    def victim(self, test: str) -> FlakyTest | None:
        for run in self._candidate_runs(test, failing=True):
            prefix = run.before(test)
            known = self._known(test, prefix, victim=True)
            if known:
                return self._verify(test, known, victim=True)
            if self._probe([*prefix, test]).failed(test) is not True:
                continue  # same conditions, different outcome: non-deterministic
            polluters = ddmin(prefix, self._fails_after(test))
            return self._verify(test, polluters, victim=True)
        self.unconfirmed.setdefault(test, "failed in an order, but the failure did not reproduce")
        return None

    def brittle(self, test: str) -> FlakyTest | None:
        for run in self._candidate_runs(test, failing=False):
            prefix = run.before(test)
            known = self._known(test, prefix, victim=False)
            if known:
                return self._verify(test, known, victim=False)
            if self._probe([*prefix, test]).failed(test) is not False:
                continue
            setters = ddmin(prefix, self._passes_after(test, []))
            return self._verify(test, setters, victim=False)
        self.unconfirmed.setdefault(test, "fails alone, but no passing run could be repeated")
        return None

    def _known(self, test: str, prefix: list[str], *, victim: bool) -> list[str] | None:
        """A verified polluter (state-setter) set of another test that is in `prefix` and has the
        same effect on this one; None when there is none."""
        for found in self.known[victim]:
            if all(t in prefix for t in found) and test not in found:
                outcome = self._probe([*found, test]).failed(test)
                if outcome is victim:
                    return list(found)
        return None

    def _executions(self, order: tuple[str, ...], test: str) -> list[bool | None]:
        """Outcomes of `test` in the analysis runs made so far of exactly this order."""
        return [
            run.failed(test)
            for run in self.session.serial()
            if run.kind in ("probe", "verify") and tuple(run.order) == order
        ]

    def _verify(self, test: str, found: list[str], *, victim: bool) -> FlakyTest | None:
        """`found + [test]` and `[test]` must each give the claimed outcome in `verify_runs` fresh
        runs. Earlier probes of exactly these orders count (they are the same command); at least
        one new run of each, with state snapshots, is always made."""
        checks = ((tuple([*found, test]), victim, "with"), ((test,), not victim, "alone"))
        first: dict[str, RunResult] = {}
        for order, want, name in checks:
            earlier = self._executions(order, test)
            if any(outcome is not want for outcome in earlier):
                break
            for i in range(max(1, self.verify_runs - len(earlier))):
                state = self.state and i == 0
                run = self.session.run(RunSpec("verify", order, label=f"{name}-{i}", state=state))
                first.setdefault(name, run)
                if run.failed(test) is not want:
                    break
            else:
                continue
            break
        else:
            return self._claim(test, found, victim, first["with"], first["alone"])
        what = "polluter" if victim else "state-setter"
        self.unconfirmed[test] = f"the {what} {found[0]} did not verify on a fresh run"
        return None

    def _claim(
        self, test: str, found: list[str], victim: bool, with_: RunResult, alone: RunResult
    ) -> FlakyTest:
        """The verified entry for `test` (victim of / brittle after `found`)."""
        if found not in self.known[victim]:
            self.known[victim].append(list(found))
        entry = self.new_entry(test, "order-dependent" if victim else "brittle")
        role = "polluter" if victim else "state-setter"
        entry.state = [{**e, "by": role} for e in _state(found, test, with_, alone)]
        if victim:
            entry.polluter, entry.also_needed = found[0], found[1:]
            entry.reproduce, entry.passes = reproduce([*found, test]), reproduce([test])
            self._cleaner(test, found, entry)
        else:
            entry.state_setter, entry.also_needed = found[0], found[1:]
            entry.reproduce, entry.passes = reproduce([test]), reproduce([*found, test])
        return entry

    def _cleaner(self, test: str, polluters: list[str], entry: FlakyTest) -> None:
        """Look for a cleaner in passing runs where the polluters ran before the victim.

        Called again after later orders (`retry_cleaner`); each candidate set is tried once."""
        runs = []
        for run, failed in self.outcomes(test):
            before = run.before(test)
            if failed or not all(p in before for p in polluters):
                continue
            last = max(before.index(p) for p in polluters)
            between = [t for t in before[last + 1 :] if t not in polluters]
            if between and (test, *between) not in self.tried:
                runs.append(between)
        for between in sorted(runs, key=len)[:TRIED_RUNS]:
            self.tried.add((test, *between))
            if self._probe([*polluters, *between, test]).failed(test) is not False:
                continue  # something before the polluter mattered, or chance: no clear cleaner
            cleaners = ddmin(between, self._passes_after(test, polluters))
            check = self.session.run(
                RunSpec("verify", (*polluters, *cleaners, test), label="cleaner", state=self.state)
            )
            if check.failed(test) is False:
                entry.cleaner = cleaners[0]
                changes = (check.state.get(cleaners[0]) or {}).get("changes", {})
                polluted = {_key(e) for e in entry.state}
                entry.state += [
                    {**e, "by": "cleaner"}
                    for e in name_state({k: v for k, v in changes.items() if k in polluted})
                ]
            return

    def retry_cleaner(self, entry: FlakyTest) -> None:
        """A victim without a cleaner: look again in the runs made since."""
        if entry.kind == "order-dependent" and entry.cleaner is None and entry.polluter:
            self._cleaner(entry.test, [entry.polluter, *entry.also_needed], entry)


def _state(found: list[str], test: str, with_: RunResult, alone: RunResult) -> list[dict[str, str]]:
    changes: dict[str, list[str]] = {}
    for actor in found:
        changes.update((with_.state.get(actor) or {}).get("changes", {}))
    before_with = (with_.state.get(test) or {}).get("before")
    before_alone = (alone.state.get(test) or {}).get("before")
    return name_state(changes, before_with, before_alone)


def _key(entry: dict[str, str]) -> str:
    return f"{entry['kind']}:{entry['name']}" if entry["name"] else entry["kind"]


def _first_line(message: str) -> str:
    lines = [ln.strip() for ln in message.splitlines() if ln.strip()]
    errors = [ln for ln in lines if ln.startswith("E ")]
    return (errors[0][1:].strip() if errors else lines[-1] if lines else "")[:200]
