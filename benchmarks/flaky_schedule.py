"""How many orders the flakiness stage needs to expose every planted order-dependent test, side by
side with plain random shuffling (pytest-randomly style), on the same generated suites.

A planted victim (polluter, optional cleaners) or brittle (state-setter) is *exposed* once it has
both passed and failed among the baseline run and the orders run so far: from then on the delta
debugging is the same for both strategies, so only the orders differ. Outcomes come from the
ground-truth simulation in `strategies/auditor_strategies/flaky_suites.py` (no pytest processes), so the benchmark
is exact and deterministic.

Strategies compared, with the same grouping:
  ours    `auditor.flaky.schedule.Schedule` (seeded Tuscan-square rows, an order then its reverse);
  random  independent seeded shuffles, grouped like pytest-randomly (modules, then classes, then
          tests within them, each level shuffled).

For each scenario it prints the mean number of orders and test executions until every planted
test was exposed, how often random shuffling had not finished within the cap (4n orders), and the
ratio random / ours (> 1: ours needs fewer).

    python benchmarks/flaky_schedule.py [--suites 30] [--modules 8] [--per-module 10]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "strategies"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from auditor.flaky.schedule import Grouping, Schedule, group_tree
from auditor_strategies.flaky_suites import PlantedSuite, sized_suite

OrderFn = Callable[[int], list[str]]


def grouped_shuffle(tests: list[str], grouping: Grouping, rng: random.Random) -> list[str]:
    """pytest-randomly's order: shuffle each level of the grouping tree independently."""
    out: list[str] = []

    def emit(node: object) -> None:
        children = list(getattr(node, "children", []))
        rng.shuffle(children)
        for child in children:
            if isinstance(child, str):
                out.append(child)
            else:
                emit(child)

    emit(group_tree(tests, grouping))
    return out


def randomly(tests: list[str], grouping: Grouping, seed: str) -> OrderFn:
    """The k-th of a seeded sequence of independent grouped shuffles."""
    rng = random.Random(f"randomly:{seed}")
    shuffles: list[list[str]] = []

    def order(k: int) -> list[str]:
        while len(shuffles) <= k:
            shuffles.append(grouped_shuffle(tests, grouping, rng))
        return shuffles[k]

    return order


def orders_needed(suite: PlantedSuite, next_order: OrderFn, cap: int) -> int | None:
    """Orders (after the baseline) until every planted victim/brittle is exposed; None past cap."""
    wanted = {r.test for r in suite.relations}
    runs = [list(suite.tests)]
    outcomes: dict[str, set[bool]] = {}
    rng = random.Random(0)
    for order in runs:
        for test, outcome in suite.simulate(order, rng).items():
            outcomes.setdefault(test, set()).add(outcome == "failed")
    for k in range(cap + 1):
        done = {t for t in wanted if outcomes.get(t) == {True, False}}
        if done == wanted:
            return k
        for test, outcome in suite.simulate(next_order(k), rng).items():
            outcomes.setdefault(test, set()).add(outcome == "failed")
    return None


def scenario(
    name: str, suites: list[PlantedSuite], grouping: Grouping, seeds: int
) -> tuple[str, float, float, float, int]:
    ours_runs, random_runs, misses = [], [], 0
    n = len(suites[0].tests)
    cap = 4 * n
    for index, suite in enumerate(suites):
        tests = list(suite.tests)
        for seed in range(seeds):
            schedule = Schedule(tests, seed=seed, grouping=grouping)
            ours = orders_needed(suite, schedule.order, cap)
            assert ours is not None, "our schedule always finishes within its length"
            ours_runs.append(ours)
            theirs = orders_needed(suite, randomly(tests, grouping, f"{index}:{seed}"), cap)
            if theirs is None:
                misses += 1
                theirs = cap
            random_runs.append(theirs)
    mean_ours, mean_random = statistics.mean(ours_runs), statistics.mean(random_runs)
    return (
        name,
        mean_ours,
        mean_random,
        mean_random / mean_ours if mean_ours else float("inf"),
        misses,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--suites", type=int, default=30)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--modules", type=int, default=8)
    parser.add_argument("--per-module", type=int, default=10)
    args = parser.parse_args()
    n = args.modules * args.per_module

    def make(victims: int, brittles: int, cleaners: int, same_module: bool) -> list[PlantedSuite]:
        return [
            sized_suite(
                random.Random(f"suite:{i}"),
                modules=args.modules,
                per_module=args.per_module,
                victims=victims,
                brittles=brittles,
                cleaners=cleaners,
                same_module=same_module,
            )
            for i in range(args.suites)
        ]

    cases: list[tuple[str, list[PlantedSuite], Grouping]] = [
        ("5 victims + 3 brittles, no cleaner, module grouping", make(5, 3, 0, False), "module"),
        ("5 victims + 3 brittles, no cleaner, flat", make(5, 3, 0, False), "none"),
        (
            "3 victims with 1 cleaner each, same module, module grouping",
            make(3, 0, 1, True),
            "module",
        ),
        ("3 victims with 2 cleaners each, flat", make(3, 0, 2, False), "none"),
        ("1 victim with 3 cleaners, flat", make(1, 0, 3, False), "none"),
        ("1 victim with 12 cleaners, flat", make(1, 0, 12, False), "none"),
        (
            "3 victims with 1 cleaner each, across modules, module grouping",
            make(3, 0, 1, False),
            "module",
        ),
    ]
    print(
        f"{args.suites} generated suites per scenario, {n} tests each ({args.modules} modules), "
        f"{args.seeds} seeds per suite; cap {4 * n} orders"
    )
    print(f"{'scenario':64} {'ours':>6} {'random':>7} {'ratio':>6} {'random>cap':>10}")
    for name, suites, grouping in cases:
        label, ours, theirs, ratio, misses = scenario(name, suites, grouping, args.seeds)
        print(f"{label:64} {ours:6.2f} {theirs:7.2f} {ratio:5.2f}x {misses:10d}")
    print(
        "orders = scheduled orders after the baseline until every planted test was exposed; "
        f"test executions = orders x {n}. ratio = random / ours."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
