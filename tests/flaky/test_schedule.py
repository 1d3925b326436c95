"""The pair-covering schedule covers what it claims (property tests over many suite shapes)."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.flaky.schedule import (
    Schedule,
    adjacent_pairs,
    group_tree,
    pair_coverage,
    split_nodeid,
    square_rows,
)

SETTINGS = settings(max_examples=60, deadline=None, derandomize=True)


@st.composite
def suites(draw: st.DrawFn) -> list[str]:
    modules = draw(st.integers(min_value=1, max_value=4))
    tests = []
    for m in range(modules):
        for j in range(draw(st.integers(min_value=1, max_value=6))):
            scope = draw(st.sampled_from(["", "TestA::", "TestB::", "TestA::TestInner::"]))
            tests.append(f"tests/test_{m}.py::{scope}test_{j}")
    return tests


@given(st.integers(min_value=0, max_value=40))
@SETTINGS
def test_square_rows_are_permutations_covering_every_ordered_pair(n: int) -> None:
    rows = square_rows(n)
    assert len(rows) == (0 if n == 0 else n + n % 2)
    seen: set[tuple[int, int]] = set()
    for row in rows:
        assert sorted(row) == list(range(n))
        seen |= adjacent_pairs(row)  # type: ignore[arg-type]
    assert seen == {(a, b) for a in range(n) for b in range(n) if a != b}


@given(st.integers(min_value=1, max_value=20).map(lambda k: 2 * k))
@SETTINGS
def test_even_square_covers_each_pair_exactly_once(n: int) -> None:
    counts: dict[tuple[int, int], int] = {}
    for row in square_rows(n):
        for pair in itertools.pairwise(row):
            counts[pair] = counts.get(pair, 0) + 1
    assert set(counts.values()) == {1}


@given(st.integers(min_value=1, max_value=40))
@SETTINGS
def test_rows_come_in_reversed_pairs(n: int) -> None:
    rows = square_rows(n)
    for k in range(0, len(rows), 2):
        assert rows[k + 1] == rows[k][::-1]


@given(
    suites(), st.integers(min_value=0, max_value=3), st.sampled_from(["module", "class", "none"])
)
@SETTINGS
def test_every_order_runs_every_test_once_and_keeps_groups_together(
    tests: list[str], seed: int, grouping: str
) -> None:
    schedule = Schedule(tests, seed=seed, grouping=grouping)  # type: ignore[arg-type]
    for order in schedule.orders():
        assert sorted(order) == sorted(tests)
        if grouping == "none":
            continue
        # each class (and, for "module", each module) is one contiguous block
        blocks = [split_nodeid(t)[:-1] for t in order]
        for depth in range(1 if grouping == "module" else 2, 4):
            keys = [tuple(b[:depth]) for b in blocks if len(b) >= depth]
            runs = [k for i, k in enumerate(keys) if i == 0 or keys[i - 1] != k]
            assert len(runs) == len(set(runs)), (depth, order)


@given(
    suites(), st.integers(min_value=0, max_value=3), st.sampled_from(["module", "class", "none"])
)
@SETTINGS
def test_first_two_orders_put_every_test_before_every_other_once(
    tests: list[str], seed: int, grouping: str
) -> None:
    schedule = Schedule(tests, seed=seed, grouping=grouping)  # type: ignore[arg-type]
    if len(tests) < 2:
        return
    first, second = schedule.order(0), schedule.order(1)
    assert second == first[::-1]
    for a, b in itertools.permutations(tests, 2):
        assert first.index(a) < first.index(b) or second.index(a) < second.index(b)


@given(suites(), st.integers(min_value=0, max_value=3))
@SETTINGS
def test_flat_schedule_makes_every_ordered_pair_adjacent(tests: list[str], seed: int) -> None:
    schedule = Schedule(tests, seed=seed, grouping="none")
    orders = list(schedule.orders())
    square = 0 if len(tests) < 2 else len(tests) + len(tests) % 2
    assert len(orders) == max(0, 2 * square - 2)
    assert pair_coverage(orders, tests) == 1.0


@given(suites(), st.integers(min_value=0, max_value=3), st.sampled_from(["module", "class"]))
@SETTINGS
def test_grouped_schedule_makes_every_pair_of_siblings_adjacent(
    tests: list[str], seed: int, grouping: str
) -> None:
    """Siblings: two tests of one class/module, two classes of a module, two modules."""
    schedule = Schedule(tests, seed=seed, grouping=grouping)  # type: ignore[arg-type]
    orders = list(schedule.orders())
    for siblings in schedule.sibling_groups():
        for a, b in itertools.permutations(siblings, 2):
            last_of_a, first_of_b = schedule.members(a), schedule.members(b)
            assert any(
                (x, y) in adjacent_pairs(order)
                for order in orders
                for x in last_of_a
                for y in first_of_b
                if order.index(x) == max(order.index(t) for t in last_of_a)
                and order.index(y) == min(order.index(t) for t in first_of_b)
            ), (a, b)


@given(suites(), st.integers(min_value=0, max_value=5))
@SETTINGS
def test_same_seed_same_orders(tests: list[str], seed: int) -> None:
    a = list(Schedule(tests, seed=seed).orders())
    b = list(Schedule(list(tests), seed=seed).orders())
    assert a == b


def test_different_seeds_shuffle_differently() -> None:
    tests = [f"tests/test_a.py::test_{i}" for i in range(12)]
    firsts = {tuple(Schedule(tests, seed=s).order(0)) for s in range(5)}
    assert len(firsts) > 1


def test_parameter_ids_with_double_colons_stay_one_leaf() -> None:
    assert split_nodeid("tests/a.py::TestX::test_y[p::q]") == [
        "tests/a.py",
        "TestX",
        "test_y[p::q]",
    ]
    tree = group_tree(["tests/a.py::test_y[p::q]", "tests/a.py::test_y[r]"], "module")
    assert len(tree.children) == 1
