"""Shared-state snapshots name what changed; finished runs survive an interrupt and are re-used."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from auditor.flaky import snapshot
from auditor.flaky.engine import Engine
from auditor.flaky.runs import RunResult, RunSpec
from auditor.flaky.session import Session
from auditor.flaky.settings import Settings
from auditor.flaky.state import describe, name_state
from auditor.flaky.store import RunStore
from auditor_strategies.flaky_suites import PlantedSuite, Relation, SimExecutor


def test_snapshot_sees_environ_cwd_syspath_files_and_globals(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pkg = tmp_path / "proj_state_pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("SETTINGS = {'mode': 'off', 'nested': {'x': [1]}}\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    import proj_state_pkg  # type: ignore[import-not-found]

    root = str(tmp_path) + os.sep
    before = snapshot.take(root)
    monkeypatch.setenv("AUDITOR_TEST_MODE", "on")
    monkeypatch.chdir(pkg)
    monkeypatch.syspath_prepend("/nowhere/else")
    proj_state_pkg.SETTINGS["nested"]["x"].append(2)
    (tmp_path / "left_behind.txt").write_text("x")
    after = snapshot.take(root)
    changes = snapshot.changed(before, after)
    assert changes["environ:AUDITOR_TEST_MODE"] == ["added", "", "on"]
    assert changes["cwd"][0] == "modified"
    assert changes["sys.path:/nowhere/else"][0] == "added"
    assert changes["global:proj_state_pkg.SETTINGS"][0] == "modified"
    assert changes["file:left_behind.txt"][0] == "added"
    del sys.modules["proj_state_pkg"]


def test_snapshot_leaves_out_dependencies_and_unchanged_values(tmp_path: Path) -> None:
    root = str(tmp_path) + os.sep
    assert snapshot.changed(snapshot.take(root), snapshot.take(root)) == {}
    assert not snapshot.own_module(pytest, root)


def test_name_state_keeps_what_the_victim_saw_differently() -> None:
    changes = {
        "environ:MODE": ["added", "", "on"],
        "global:pkg.cache._seen": ["modified", "{}", "{'a': 1}"],
    }
    with_ = {"environ:MODE": ["d1", "on"], "global:pkg.cache._seen": ["c1", "{}"]}
    alone = {"global:pkg.cache._seen": ["c1", "{}"]}
    entries = name_state(changes, with_, alone)
    assert [e["name"] for e in entries] == ["MODE"]
    assert describe(entries[0]) == "os.environ['MODE'] set to 'on'"
    # without cross-process evidence every change of the polluter is named
    assert len(name_state(changes)) == 2


def test_store_keeps_runs_ignores_a_cut_line_and_resets_on_a_new_key(tmp_path: Path) -> None:
    store = RunStore(tmp_path, "k1")
    spec = RunSpec("probe", ("a", "b"))
    store.put(RunResult(key=spec.key, kind="probe", outcomes={"b": "failed"}))
    with store.path.open("a") as fh:
        fh.write('{"key": "cut sho')
    again = RunStore(tmp_path, "k1")
    assert again.get(spec) is not None and again.get(spec).outcomes == {"b": "failed"}  # type: ignore[union-attr]
    assert RunStore(tmp_path, "k2").get(spec) is None
    assert json.loads((tmp_path / "key.json").read_text())["key"] == "k2"
    assert RunStore(tmp_path, "k2", enabled=False).runs == {}


def test_interrupted_search_resumes_without_repeating_finished_runs(tmp_path: Path) -> None:
    tests = tuple(f"tests/test_m{m}.py::test_{j}" for m in range(2) for j in range(3))
    suite = PlantedSuite(tests, (Relation("victim", "K0", "environ", tests[4], tests[1]),))

    class Interrupting(SimExecutor):
        def run(self, spec: RunSpec, timeout: float) -> RunResult:
            if len(self.calls) == 4:
                raise KeyboardInterrupt
            return super().run(spec, timeout)

    settings = Settings(min_seconds=1e6, grouping="none")
    first = Interrupting(suite)
    with pytest.raises(KeyboardInterrupt):
        Engine(Session(first, RunStore(tmp_path, "k")), settings, xdist_available=False).run()
    resumed = SimExecutor(suite)
    report = Engine(
        Session(resumed, RunStore(tmp_path, "k")), settings, xdist_available=False
    ).run()
    fresh = SimExecutor(suite)
    expected = Engine(Session(fresh), settings, xdist_available=False).run()
    assert len(resumed.calls) == len(fresh.calls) - 4
    assert [f.test for f in report.flaky] == [f.test for f in expected.flaky] == [tests[4]]
