"""Generated pytest suites with planted order dependencies, brittles and non-deterministic tests.

A draw of `planted_suites()` is a `PlantedSuite`: the node ids in collection order and the ground
truth (`Relation`s and non-deterministic tests). Its semantics are one shared state:

- a *victim* relation: the polluter leaves state key K dirty, the victim fails when K is dirty
  at its start, each cleaner makes K clean again;
- a *brittle* relation: the brittle fails unless its state-setter has set key K before it;
- a non-deterministic test fails with probability q, whatever ran before.

Each relation's key lives in one *channel*: an `os.environ` entry, a module global of the
project's own `gtpkg.state` module, the working directory, a `sys.path` entry or a file under the
project root — the kinds of shared state the flakiness stage names. The same suite is

- simulated in-process by `SimExecutor` (fast: the property tests and the schedule benchmark), and
- written out as a real pytest project by `auditor_strategies.flaky_files.materialize` (slow tests).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

from auditor.flaky.runs import RunResult, RunSpec

CHANNELS = ("environ", "global", "cwd", "sys.path", "file")
BRITTLE_CHANNELS = ("environ", "global", "sys.path", "file")


@dataclass(frozen=True)
class Relation:
    """One planted dependency: `test` (victim or brittle) on `partner` (polluter or setter)."""

    kind: str  # "victim" | "brittle"
    key: str
    channel: str
    test: str
    partner: str
    cleaners: tuple[str, ...] = ()

    def state_key(self) -> str:
        """The snapshot key under which the flakiness stage sees this relation's state."""
        return {
            "environ": f"environ:AUDITOR_GT_{self.key}",
            "global": f"global:gtpkg.state.{self.key}",
            "cwd": "cwd",
            "sys.path": f"sys.path:/gt/{self.key}",
            "file": f"file:gt_{self.key}.flag",
        }[self.channel]


@dataclass(frozen=True)
class PlantedSuite:
    """Node ids in pytest's collection order, and the planted truth."""

    tests: tuple[str, ...]
    relations: tuple[Relation, ...] = ()
    nondeterministic: tuple[tuple[str, float], ...] = ()
    race: tuple[str, ...] = ()  # two tests that race on one file (real xdist runs only)

    @property
    def victims(self) -> dict[str, Relation]:
        return {r.test: r for r in self.relations if r.kind == "victim"}

    @property
    def brittles(self) -> dict[str, Relation]:
        return {r.test: r for r in self.relations if r.kind == "brittle"}

    @property
    def flaky(self) -> set[str]:
        """Every test that can fail in some run (and only those)."""
        return (
            {r.test for r in self.relations}
            | {t for t, _q in self.nondeterministic}
            | set(self.race)
        )

    def simulate(self, order: list[str], rng: random.Random) -> dict[str, str]:
        """Outcomes of running `order` in one fresh process (the planted semantics)."""
        dirty: dict[str, bool] = {}
        is_set: dict[str, bool] = {}
        odds = dict(self.nondeterministic)
        out: dict[str, str] = {}
        for test in order:
            failed = False
            for rel in self.relations:
                if rel.test == test and rel.kind == "victim" and dirty.get(rel.key):
                    failed = True
                if rel.test == test and rel.kind == "brittle" and not is_set.get(rel.key):
                    failed = True
            if test in odds and rng.random() < odds[test]:
                failed = True
            out[test] = "failed" if failed else "passed"
            for rel in self.relations:
                if rel.partner == test:
                    (dirty if rel.kind == "victim" else is_set)[rel.key] = True
                if test in rel.cleaners:
                    dirty[rel.key] = False
        return out


@dataclass
class SimExecutor:
    """An `Executor` that evaluates `PlantedSuite.simulate` instead of starting pytest.

    Deterministic: the randomness of a run is seeded by `(seed, spec.key)`. Seconds are
    simulated (start-up + 10 ms per test) so the time budget behaves the same way every time.
    With `state`, it reports the snapshot keys the planted partners change, as the plugin would.
    """

    suite: PlantedSuite
    seed: int = 0
    startup: float = 0.3
    per_test: float = 0.01
    calls: list[RunSpec] = field(default_factory=list)

    def run(self, spec: RunSpec, timeout: float) -> RunResult:
        self.calls.append(spec)
        order = list(spec.order) if spec.order else list(self.suite.tests)
        rng = random.Random(f"sim:{self.seed}:{spec.key}")
        outcomes = self.suite.simulate(order, rng)
        result = RunResult(
            key=spec.key,
            kind=spec.kind,
            order=list(spec.order),
            outcomes=outcomes,
            executed=order,
            durations={t: self.per_test for t in order},
            seconds=round(self.startup + self.per_test * len(order), 3),
            exit_code=int(any(o == "failed" for o in outcomes.values())),
            collected=list(self.suite.tests),
            label=spec.label,
        )
        if spec.state:
            result.state = self._state(order)
        return result

    def _state(self, order: list[str]) -> dict[str, dict[str, Any]]:
        current: dict[str, list[str]] = {}
        out: dict[str, dict[str, Any]] = {}
        for test in order:
            before = {k: list(v) for k, v in current.items()}
            changes: dict[str, list[str]] = {}
            for rel in self.suite.relations:
                key = rel.state_key()
                if rel.partner == test:
                    changes[key] = ["added", "", "dirty" if rel.kind == "victim" else "set"]
                    current[key] = [changes[key][2], changes[key][2]]
                if test in rel.cleaners and key in current:
                    changes[key] = ["removed", current[key][1], ""]
                    del current[key]
            out[test] = {"before": before, "changes": changes}
        return out


def _names(draw: Any, modules: int, per_module: int) -> list[str]:
    tests = []
    for m in range(modules):
        count = draw(st.integers(min_value=1, max_value=per_module))
        in_class = draw(st.integers(min_value=0, max_value=count))
        for j in range(count):
            scope = "TestGroup::" if j >= count - in_class else ""
            tests.append(f"tests/test_m{m}.py::{scope}test_{m}_{j}")
    # pytest collects a module's functions before a class defined after them
    return tests


@st.composite
def planted_suites(
    draw: Any,
    *,
    max_modules: int = 3,
    max_per_module: int = 5,
    max_relations: int = 3,
    cleaners: bool = True,
    nondeterministic: bool = True,
) -> PlantedSuite:
    """Small suites (2-15 tests) with distinct tests in each planted role."""
    modules = draw(st.integers(min_value=1, max_value=max_modules))
    tests = _names(draw, modules, max_per_module)
    free = list(tests)
    rnd = draw(st.randoms(use_true_random=False))
    rnd.shuffle(free)
    relations = []
    cwd_used = False
    wanted = draw(st.integers(min_value=0, max_value=max_relations))
    for i in range(wanted):
        if len(free) < 2:
            break
        kind = draw(st.sampled_from(("victim", "brittle")))
        pool = CHANNELS if kind == "victim" and not cwd_used else BRITTLE_CHANNELS
        channel = draw(st.sampled_from(pool))
        cwd_used = cwd_used or channel == "cwd"
        test, partner = free.pop(), free.pop()
        chosen: tuple[str, ...] = ()
        if kind == "victim" and cleaners and free:
            count = draw(st.integers(min_value=0, max_value=min(2, len(free))))
            chosen = tuple(free.pop() for _ in range(count))
        relations.append(Relation(kind, f"K{i}", channel, test, partner, chosen))
    nod: list[tuple[str, float]] = []
    if nondeterministic and free and draw(st.booleans()):
        nod.append((free.pop(), draw(st.sampled_from((0.3, 0.5, 0.7)))))
    return PlantedSuite(tuple(tests), tuple(relations), tuple(nod))


def sized_suite(
    rng: random.Random,
    *,
    modules: int,
    per_module: int,
    victims: int,
    brittles: int = 0,
    cleaners: int = 0,
    same_module: bool = False,
) -> PlantedSuite:
    """A larger suite for the schedule benchmark: `victims` victims each with one polluter (and
    `cleaners` cleaners each), `brittles` brittles; `same_module` puts each relation in one module."""
    tests = [f"tests/test_m{m}.py::test_{m}_{j}" for m in range(modules) for j in range(per_module)]
    free = list(tests)
    rng.shuffle(free)
    relations = []
    for i in range(victims + brittles):
        kind = "victim" if i < victims else "brittle"
        test = free.pop()
        if same_module:
            module = test.split("::")[0]
            mates = [t for t in free if t.startswith(module + "::")]
            partner = mates[0] if mates else free[0]
        else:
            partner = free[0]
        free.remove(partner)
        chosen = tuple(free.pop() for _ in range(cleaners if kind == "victim" else 0))
        relations.append(Relation(kind, f"K{i}", "environ", test, partner, chosen))
    return PlantedSuite(tuple(tests), tuple(relations))
