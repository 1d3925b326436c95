"""The engine against generated suites with planted truth (simulated runs: fast, deterministic).

Properties from the issue: every planted order dependency on one other test is found, with a
verified polluter/state-setter, within the pair-covering schedule; no clean test is ever
reported; the same seed gives the same report.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor.flaky.engine import Engine
from auditor.flaky.result import EngineReport
from auditor.flaky.session import Session
from auditor.flaky.settings import Settings
from auditor_strategies.flaky_suites import PlantedSuite, Relation, SimExecutor, planted_suites

SETTINGS = settings(
    max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)


def search(
    suite: PlantedSuite, seed: int = 0, **overrides: object
) -> tuple[EngineReport, SimExecutor]:
    executor = SimExecutor(suite, seed=seed)
    options = {"min_seconds": 1e6, "seed": seed, **overrides}
    engine = Engine(Session(executor), Settings(**options), xdist_available=False)  # type: ignore[arg-type]
    return engine.run(), executor


def check_order_dependencies(suite: PlantedSuite, report: EngineReport) -> None:
    by_test = {f.test: f for f in report.flaky}
    for test, rel in suite.victims.items():
        assert test in by_test, f"planted victim {test} not found"
        found = by_test[test]
        assert found.kind == "order-dependent"
        assert found.polluter == rel.partner and found.also_needed == []
        assert found.cleaner is None or found.cleaner in rel.cleaners
        assert any(e["kind"] == rel.channel for e in found.state), found.state
        assert found.reproduce.endswith(f"{rel.partner} {test}")
    for test, rel in suite.brittles.items():
        assert test in by_test, f"planted brittle {test} not found"
        found = by_test[test]
        assert found.kind == "brittle" and found.state_setter == rel.partner
        assert found.passes.endswith(f"{rel.partner} {test}")


@given(planted_suites(), st.integers(min_value=0, max_value=3))
@SETTINGS
def test_flat_schedule_finds_every_single_dependency_even_with_cleaners(
    suite: PlantedSuite, seed: int
) -> None:
    report, _ = search(suite, seed, grouping="none")
    check_order_dependencies(suite, report)
    assert {f.test for f in report.flaky} <= suite.flaky, "a clean test was reported"


@given(planted_suites(cleaners=False), st.integers(min_value=0, max_value=3))
@SETTINGS
def test_module_grouped_schedule_finds_every_dependency_without_cleaners_in_two_orders(
    suite: PlantedSuite, seed: int
) -> None:
    report, _ = search(suite, seed, grouping="module", orders=2)
    check_order_dependencies(suite, report)
    assert {f.test for f in report.flaky} <= suite.flaky


@given(planted_suites(), st.integers(min_value=0, max_value=3))
@SETTINGS
def test_same_seed_same_report(suite: PlantedSuite, seed: int) -> None:
    first, calls_a = search(suite, seed)
    second, calls_b = search(suite, seed)
    assert first == second
    assert calls_a.calls == calls_b.calls


@given(planted_suites(max_relations=0, nondeterministic=False))
@SETTINGS
def test_suite_without_planted_flakiness_reports_nothing(suite: PlantedSuite) -> None:
    report, _ = search(suite)
    assert report.flaky == [] and report.failing == [] and report.unconfirmed == []


def test_test_failing_in_every_run_is_failing_not_flaky() -> None:
    tests = ("tests/test_a.py::test_ok", "tests/test_a.py::test_broken")
    suite = PlantedSuite(tests, nondeterministic=(("tests/test_a.py::test_broken", 1.0),))
    report, _ = search(suite)
    assert report.flaky == []
    assert report.failing == ["tests/test_a.py::test_broken"]


def test_non_deterministic_test_has_rate_and_interval() -> None:
    tests = tuple(f"tests/test_a.py::test_{i}" for i in range(4))
    suite = PlantedSuite(tests, nondeterministic=((tests[2], 0.5),))
    report, _ = search(suite, reruns=8)
    [found] = report.flaky
    assert found.kind == "non-deterministic" and found.test == tests[2]
    assert 0 < found.failures < found.runs
    assert found.failure_rate == round(100 * found.failures / found.runs, 1)
    assert found.failure_ci is not None
    assert found.failure_ci[0] <= found.failure_rate <= found.failure_ci[1]


def test_budget_limits_orders_and_says_what_was_left_out() -> None:
    tests = tuple(f"tests/test_m{m}.py::test_{j}" for m in range(4) for j in range(5))
    suite = PlantedSuite(tests)
    # baseline 0.5 s simulated; a budget of 2 s leaves room for the reruns and a few orders
    report, executor = search(suite, min_seconds=2.0, budget=2.0)
    assert report.budget_seconds == 2.0
    assert report.seconds <= 2.0
    assert report.orders_run < report.orders_planned
    assert any("orders of the pair-covering schedule" in n for n in report.not_covered)
    assert report.pair_coverage is not None and report.pair_coverage < 1.0
    assert len(executor.calls) == report.runs


def test_diff_focus_meets_polluters_outside_the_changed_files() -> None:
    """A new victim in a changed file, its polluter in an unchanged one: the whole-suite first pair
    exposes it; the remaining orders run the changed file only."""
    tests = tuple(f"tests/test_m{m}.py::test_{j}" for m in range(4) for j in range(4))
    victim, polluter = "tests/test_m3.py::test_1", "tests/test_m0.py::test_2"
    suite = PlantedSuite(tests, (Relation("victim", "K0", "environ", victim, polluter),))
    executor = SimExecutor(suite)
    settings = Settings(min_seconds=1e6, diff_orders=4)
    engine = Engine(
        Session(executor), settings, xdist_available=False, focus_files=("tests/test_m3.py",)
    )
    report = engine.run()
    assert [(f.test, f.polluter) for f in report.flaky] == [(victim, polluter)]
    orders = [spec.order for spec in executor.calls if spec.kind == "order"]
    assert [len(o) for o in orders] == [16, 16, 4, 4, 4, 4]
    reruns = [spec.order for spec in executor.calls if spec.kind == "rerun"]
    assert all(set(o) == {t for t in tests if t.startswith("tests/test_m3.py")} for o in reruns)


def test_one_polluter_with_many_victims_is_bisected_once() -> None:
    tests = tuple(f"tests/test_m{m}.py::test_{j}" for m in range(5) for j in range(8))
    polluter = tests[3]
    victims = [tests[i] for i in (9, 17, 25, 33, 38)]
    relations = tuple(Relation("victim", "K0", "environ", v, polluter) for v in victims)
    report, executor = search(PlantedSuite(tests, relations), orders=2)
    assert sorted((f.test, f.polluter) for f in report.flaky) == [(v, polluter) for v in victims]
    long_probes = [s for s in executor.calls if s.kind == "probe" and len(s.order) > 2]
    # the first victim: a repeat of its failing prefix and a bisection (~log2 40 probes); the
    # others: the known polluter first, a two-test run
    assert len(long_probes) <= 1 + 8
    # verify-runs = 2: the probes of `POLLUTER VICTIM` and `VICTIM` already ran once each, so each
    # victim needs one new run of each command (with state snapshots)
    verifications = [s for s in executor.calls if s.kind == "verify"]
    assert len(verifications) == 2 * len(victims)
    assert all(s.state for s in verifications)
