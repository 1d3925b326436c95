"""The Dask executor on a real LocalCluster of 2 worker processes, against a local run.

The oracle is the local run of the same project (itself checked against plain mutmut and mutants
applied by hand in test_mutation_runner.py): every mutant must get the same verdict on the
cluster, also when a worker process is killed in the middle of the run.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow
# the test extra installs dask.distributed, so CI runs these; a bare dev install skips them
pytest.importorskip(
    "distributed", reason="dask.distributed is not installed (pip install 'auditor[dask]')"
)

SOURCE = """def clamp(x, lo=0, hi=10):
    if x < lo:
        return lo
    if x > hi:
        return hi
    return x


def slug(text, sep="-"):
    words = [w.lower() for w in text.split() if w]
    return sep.join(words)


def score(values):
    total = 0
    for v in values:
        if v > 0:
            total += v * 2
        else:
            total -= 1
    return total


def grade(points):
    if points >= 90:
        return "A"
    if points >= 75:
        return "B"
    if points >= 50:
        return "C"
    return "F"
"""

# each test sleeps a little, so that the run lasts long enough to kill a worker in the middle
TESTS = """import time

from pkg.text import clamp, grade, score, slug


def test_clamp():
    time.sleep(0.05)
    assert clamp(-1) == 0
    assert clamp(20) == 10
    assert clamp(5) == 5


def test_slug():
    time.sleep(0.05)
    assert slug("Hello  World") == "hello-world"


def test_score():
    time.sleep(0.05)
    assert score([1, -1, 2]) == 5


def test_grade():
    time.sleep(0.05)
    assert grade(95) == "A"
    assert grade(80) == "B"
    assert grade(10) == "F"
"""

RESULTS = Path(".auditor/mutation/workspace/mutants/auditor-results.jsonl")


def _project(root: Path) -> Path:
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text("")
    (root / "pkg" / "text.py").write_text(SOURCE)
    (root / "tests").mkdir()
    (root / "tests" / "test_text.py").write_text(TESTS)
    (root / "pyproject.toml").write_text(
        '[project]\nname = "pkg"\nversion = "0"\n\n[tool.auditor]\narid = false\n\n'
        "[tool.auditor.mutation]\npseudo-tested = false\n"
    )
    return root


def _scan(root: Path, *args: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    out = root.parent / f"{root.name}.json"
    command = [sys.executable, "-m", "auditor", "scan", str(root / "tests"), "--only", "mutation"]
    proc = subprocess.run(
        [*command, "--json", str(out), "--jobs", "2", "--quiet", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert proc.returncode in (0, 1), proc.stdout[-3000:] + proc.stderr[-3000:]
    card: dict[str, Any] = json.loads(out.read_text())
    return card


def _verdicts(card: dict[str, Any]) -> dict[str, str]:
    return {m["id"]: m["status"] for m in card["mutants"]}


def _mutation_note(card: dict[str, Any]) -> str:
    return next(s["reason"] for s in card["stages"] if s["name"] == "mutation")


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Every mutant's verdict from a local run (the oracle of this module)."""
    card = _scan(_project(tmp_path_factory.mktemp("local") / "proj"))
    verdicts = _verdicts(card)
    assert {"killed", "survived"} <= set(verdicts.values())  # both kinds are compared
    return verdicts


@pytest.fixture
def worker_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Workers started from here unpack workspaces under tmp_path, not the system temp dir."""
    cache = tmp_path / "worker-cache"
    monkeypatch.setenv("AUDITOR_WORKER_CACHE", str(cache))
    yield cache


def test_a_local_dask_cluster_gives_every_mutant_the_local_verdict(
    local: dict[str, str], tmp_path: Path, worker_cache: Path
) -> None:
    card = _scan(_project(tmp_path / "proj"), "--executor", "dask")
    assert _verdicts(card) == local  # every mutant, one by one
    assert "ran on Dask" in _mutation_note(card) and "2 workers" in _mutation_note(card)
    # shipped once, content-addressed: one unpacked workspace shared by both worker processes
    (unpacked,) = worker_cache.iterdir()
    assert len(unpacked.name) == 64 and (unpacked / "mutants" / "pkg" / "text.py").is_file()
    stats = json.loads((tmp_path / "proj" / RESULTS.parent.parent / "dask-run.json").read_text())
    assert stats["unpacked"] == 1 and stats["batches"] > len(stats["workers"]) == 2


def test_a_worker_killed_mid_run_loses_nothing(
    local: dict[str, str], tmp_path: Path, worker_cache: Path
) -> None:
    from distributed import Client, LocalCluster

    root = _project(tmp_path / "proj")
    store = root / RESULTS
    seen: dict[str, Any] = {}
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        victim, pid = sorted(client.run(os.getpid).items())[0]

        def kill_when_results_arrive() -> None:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                lines = store.read_text().splitlines() if store.is_file() else []
                busy = client.processing(workers=[victim]).get(victim, ())
                if len(lines) >= 3 and busy:
                    seen.update(before=lines, busy=list(busy))
                    os.kill(pid, signal.SIGKILL)  # the worker process, not the scheduler
                    return
                time.sleep(0.02)

        killer = threading.Thread(target=kill_when_results_arrive, daemon=True)
        killer.start()
        card = _scan(root, "--executor", "dask", "--scheduler", cluster.scheduler_address)
        killer.join(timeout=5)
    assert seen, "the worker was not killed during the run"
    records = {r["id"]: r for r in map(json.loads, store.read_text().splitlines())}
    before = {r["id"]: r for r in map(json.loads, seen["before"])}
    assert len(before) < len(records)  # killed mid-run, while it held a batch
    # results received before the kill are kept as they were (a re-run would have measured
    # other durations)
    assert {i: records[i] for i in before} == before
    # the lost worker's batch was run again elsewhere: every mutant has the local verdict
    assert _verdicts(card) == local


def test_a_scheduler_lost_mid_run_is_exit_3_and_the_next_scan_resumes(
    local: dict[str, str], tmp_path: Path, worker_cache: Path
) -> None:
    """Not a missed gate (1) nor a traceback: exit 3 with one paragraph; nothing received is lost."""
    from distributed import LocalCluster

    root = _project(tmp_path / "proj")
    store = root / RESULTS
    seen: list[str] = []
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    try:

        def stop_when_results_arrive() -> None:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                lines = store.read_text().splitlines() if store.is_file() else []
                if len(lines) >= 3:
                    seen.extend(lines)
                    cluster.close()  # the scheduler and its workers go away
                    return
                time.sleep(0.02)

        stopper = threading.Thread(target=stop_when_results_arrive, daemon=True)
        stopper.start()
        command = [sys.executable, "-m", "auditor", "scan", str(root / "tests"), "--only"]
        command += ["mutation", "--jobs", "2", "--quiet", "--executor", "dask"]
        proc = subprocess.run(
            [*command, "--scheduler", cluster.scheduler_address],
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )
        stopper.join(timeout=5)
    finally:
        cluster.close()
    assert seen, "the scheduler was not stopped during the run"
    assert proc.returncode == 3, proc.stderr[-3000:]
    message = " ".join(proc.stderr.split())  # the terminal wraps it
    assert "cancelled a batch (lost the connection?). Finished results are kept" in message
    assert "Traceback" not in proc.stderr, proc.stderr
    received = {r["id"]: r for r in map(json.loads, store.read_text().splitlines())}
    assert len(received) < len(local)  # it stopped part-way
    card = _scan(root)  # the same command without Dask: resumes
    records = {r["id"]: r for r in map(json.loads, store.read_text().splitlines())}
    assert {i: records[i] for i in received} == received  # not run again
    assert _verdicts(card) == local


def test_two_workers_sessions_serve_concurrent_batches_of_one_worker(tmp_path: Path) -> None:
    """A worker with 2 threads runs 2 batches at once in its one warm session."""
    from auditor.mutation.generate import generate
    from auditor.mutation.runner import Job, RunnerSpec
    from auditor.mutation.shared_session import SharedSession
    from auditor.mutation.workspace import prepare
    from auditor.project import load_project

    root = _project(tmp_path / "proj")
    ws, settings = prepare(load_project(root / "tests"))
    generate(ws, settings)
    session = SharedSession(
        RunnerSpec(ws / "mutants", ["-p", "no:randomly"], ["tests/"], jobs=2, log_dir=ws)
    )
    clamp = "tests/test_text.py::test_clamp"
    grade = "tests/test_text.py::test_grade"
    batches = {
        # the same job ids in both batches: each caller gets its own outcomes back
        "a": [Job("clean", "", [clamp], 30), Job("m", "pkg.text.x_clamp__mutmut_1", [clamp], 30)],
        "b": [Job("clean", "", [grade], 30), Job("m", "pkg.text.x_grade__mutmut_3", [grade], 30)],
    }
    results: dict[str, Any] = {}

    def run(name: str) -> None:
        results[name] = session.run(batches[name])

    try:
        threads = [threading.Thread(target=run, args=(name,)) for name in batches]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        pid = session.runner._proc.pid if session.runner._proc else None
    finally:
        session.close()
    for name, jobs in batches.items():
        outcomes = results[name]
        assert [o.job for o in outcomes] == jobs
        assert [o.exit for o in outcomes] == [0, 1]  # clean passes, the mutant is killed
        assert outcomes[1].failed == jobs[1].tests[0]
    assert pid is not None  # one session served both threads
    shutil.rmtree(ws, ignore_errors=True)
