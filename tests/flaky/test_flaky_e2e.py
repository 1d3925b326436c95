"""End to end with real pytest processes on a generated suite with planted truth (slow)."""

from __future__ import annotations

import random
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from auditor.flaky.command import xdist_installed
from auditor.flaky.engine import Engine
from auditor.flaky.result import EngineReport
from auditor.flaky.runner import ProcessExecutor
from auditor.flaky.schedule import Schedule
from auditor.flaky.session import Session
from auditor.flaky.settings import Settings
from auditor.flaky.store import RunStore
from auditor.project import load_project
from auditor_strategies.flaky_files import materialize
from auditor_strategies.flaky_suites import PlantedSuite, Relation

M0, M1, M2 = "tests/test_m0.py", "tests/test_m1.py", "tests/test_m2.py"
POLLUTER, CLEANER, VICTIM = f"{M0}::test_0_0", f"{M0}::test_0_1", f"{M1}::test_1_0"
BRITTLE, SETTER, NOD = f"{M1}::test_1_1", f"{M2}::test_2_0", f"{M2}::test_2_1"
# Collection order runs the cleaner between polluter and victim, so a cleaner is seen at once.
SUITE = PlantedSuite(
    tests=(POLLUTER, CLEANER, VICTIM, BRITTLE, SETTER, NOD),
    relations=(
        Relation("victim", "K0", "environ", VICTIM, POLLUTER, (CLEANER,)),
        Relation("brittle", "K1", "global", BRITTLE, SETTER),
    ),
    nondeterministic=((NOD, 0.5),),
)
RACE = (f"{M0}::test_0_0", f"{M1}::test_1_0")


def plain_pytest(root: Path, command: str) -> int:
    argv = shlex.split(command)
    assert argv[:3] == ["python", "-m", "pytest"]
    proc = subprocess.run(
        [sys.executable, *argv[1:], "-p", "no:cacheprovider", "-q"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1"},
    )
    return proc.returncode


def seed_exposing_in_two_orders(suite: PlantedSuite) -> int:
    """The first seed whose first two orders make every planted victim fail once (no cleaner in
    between) — found with the ground-truth simulation, so the real run can stop after two orders.
    (Every brittle is exposed by any first pair: an order and its reverse.)"""
    for seed in range(100):
        schedule = Schedule(list(suite.tests), seed=seed, grouping="none")
        outcomes = [suite.simulate(schedule.order(r), random.Random(0)) for r in range(2)]
        if all(any(o[v] == "failed" for o in outcomes) for v in suite.victims):
            return seed
    raise AssertionError("no seed below 100 exposes the victims in two orders")


def search(root: Path, settings: Settings) -> EngineReport:
    project = load_project(root / "tests")
    executor = ProcessExecutor(project, project.state_dir / "flaky" / "work")
    store = RunStore(project.state_dir / "flaky", "e2e")
    return Engine(Session(executor, store), settings, targets=["tests"]).run()


def tree(root: Path) -> list[str]:
    """The project's files, without our own `.auditor` directory."""
    paths = (p.relative_to(root).as_posix() for p in root.rglob("*"))
    return sorted(p for p in paths if not p.startswith(".auditor"))


@pytest.mark.slow
def test_planted_suite_is_classified_and_every_claim_reproduces_with_plain_pytest(
    tmp_path: Path,
) -> None:
    root = materialize(SUITE, tmp_path / "proj")
    before = tree(root)
    seed = seed_exposing_in_two_orders(SUITE)
    settings = Settings(
        grouping="none",
        orders=2,
        seed=seed,
        reruns=1,
        verify_runs=1,
        xdist=False,
        min_seconds=900,
    )
    report = search(root, settings)
    by_test = {f.test: f for f in report.flaky}
    assert set(by_test) == {VICTIM, BRITTLE, NOD}

    victim = by_test[VICTIM]
    assert (victim.kind, victim.polluter, victim.cleaner) == ("order-dependent", POLLUTER, CLEANER)
    assert {
        "kind": "environ",
        "name": "AUDITOR_GT_K0",
        "change": "added",
        "before": "",
        "after": "dirty",
        "by": "polluter",
    } in victim.state
    assert any(e["by"] == "cleaner" and e["change"] == "removed" for e in victim.state)
    assert "polluted: environ K0" in victim.message
    assert plain_pytest(root, victim.reproduce) == 1
    assert plain_pytest(root, victim.passes) == 0
    assert plain_pytest(root, f"python -m pytest {POLLUTER} {CLEANER} {VICTIM}") == 0

    brittle = by_test[BRITTLE]
    assert (brittle.kind, brittle.state_setter) == ("brittle", SETTER)
    assert [(e["kind"], e["name"]) for e in brittle.state] == [("global", "gtpkg.state.K1")]
    assert plain_pytest(root, brittle.reproduce) == 1
    assert plain_pytest(root, brittle.passes) == 0

    nod = by_test[NOD]
    assert nod.kind == "non-deterministic" and 0 < nod.failures < nod.runs
    assert report.failing == [] and report.unconfirmed == []
    assert tree(root) == before  # only the planted tests' own files/flags, removed per session


@pytest.mark.slow
@pytest.mark.skipif(
    not xdist_installed(), reason="needs pytest-xdist: pip install 'auditor[xdist]'"
)
def test_tests_racing_on_one_file_are_parallel_unsafe_with_their_partner(tmp_path: Path) -> None:
    suite = PlantedSuite(tests=RACE, race=RACE)
    root = materialize(suite, tmp_path / "proj")
    report = search(root, Settings(orders=0, reruns=0, verify_runs=1, min_seconds=900))
    assert report.xdist == "ran once with pytest -n 2"
    assert report.flaky, report.unconfirmed
    for found in report.flaky:
        assert found.kind == "parallel-unsafe" and found.test in RACE
        assert found.concurrent in (None, *RACE)
        assert found.reproduce.startswith("python -m pytest -p no:randomly -n 2 ")
