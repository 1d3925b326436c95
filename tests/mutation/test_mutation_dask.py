"""The Dask executor's parts that need no cluster: shipping, options, error paths, bookkeeping.

The end-to-end checks on a real LocalCluster (same verdicts as a local run, a killed worker) are
in test_mutation_dask_cluster.py.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import tarfile
import time
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest

from auditor.errors import ConfigError, UsageError
from auditor.mutation import ship
from auditor.mutation.dask_runner import DaskRunner, DaskSettings, _Batch, connect, env_delta
from auditor.mutation.executor import check, choose
from auditor.mutation.runner import Job, RunnerError, RunnerSpec
from auditor.options import Options
from auditor.project import load_project

# The test extra installs dask.distributed, so CI runs every test here; a bare dev install skips
# only the ones that talk to Dask (the error paths for a missing Dask run everywhere).
needs_dask = pytest.mark.skipif(
    importlib.util.find_spec("distributed") is None,
    reason="dask.distributed is not installed (pip install 'auditor[dask]'; the test extra has it)",
)


def _tree(root: Path) -> Path:
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text("")
    (root / "pkg" / "mod.py").write_text("def f():\n    return 1\n")
    (root / "tests").mkdir()
    (root / "tests" / "test_mod.py").write_text(
        "from pkg.mod import f\n\n\ndef test_f():\n    assert f() == 1\n"
    )
    (root / "run.sh").write_text("#!/bin/sh\n")
    (root / "run.sh").chmod(0o755)
    return root


# --- shipping -------------------------------------------------------------------------------


def test_the_package_name_depends_on_content_only(tmp_path: Path) -> None:
    a, b = _tree(tmp_path / "a"), _tree(tmp_path / "b")
    os.utime(b / "pkg" / "mod.py", (1, 1))  # another mtime: same content, same name
    first, second = ship.pack(a), ship.pack(b)
    assert first.digest == second.digest and first.data == second.data
    (b / "pkg" / "mod.py").write_text("def f():\n    return 2\n")
    assert ship.pack(b).digest != first.digest
    (b / "pkg" / "mod.py").write_text("def f():\n    return 1\n")
    (b / "run.sh").chmod(0o644)  # the executable bit is content too
    assert ship.pack(b).digest != first.digest


def test_run_records_and_caches_are_not_shipped(tmp_path: Path) -> None:
    root = _tree(tmp_path / "ws")
    before = ship.pack(root)
    for rel in (
        "pkg/mod.py.meta",
        "pkg/mod.py.spans",
        "auditor-results.jsonl",
        "auditor-generated.json",
        "mutmut-stats.json",
        "pkg/__pycache__/mod.cpython-311.pyc",
        ".pytest_cache/v/x",
    ):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("local state")
    after = ship.pack(root)
    assert after.digest == before.digest and after.files == before.files == 4


def test_a_worker_unpacks_a_workspace_once(tmp_path: Path) -> None:
    package = ship.pack(_tree(tmp_path / "ws"))
    cache = tmp_path / "cache"
    mutants, fresh = ship.unpack(package.digest, package.data, cache)
    assert fresh and (mutants / "pkg" / "mod.py").read_text() == "def f():\n    return 1\n"
    assert os.access(mutants / "run.sh", os.X_OK)
    (mutants / "marker").write_text("kept")  # a second batch finds the same directory
    again, fresh_again = ship.unpack(package.digest, package.data, cache)
    assert again == mutants and not fresh_again and (again / "marker").exists()
    assert sorted(p.name for p in cache.iterdir()) == [package.digest]  # no scratch left


def test_an_archive_escaping_its_directory_is_refused(tmp_path: Path) -> None:
    buffer = BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        info = tarfile.TarInfo("../evil.py")
        info.size = 1
        tar.addfile(info, BytesIO(b"x"))
    with pytest.raises(ValueError, match="outside the workspace"):
        ship.unpack("d" * 64, buffer.getvalue(), tmp_path / "cache")
    assert not (tmp_path / "evil.py").exists()
    assert list((tmp_path / "cache").iterdir()) == []


def test_the_worker_environment_gets_the_scans_choices_not_its_paths() -> None:
    local = {"PATH": "/usr/bin", "PYTHONPATH": "/home/me/src", "PYTEST_ADDOPTS": "-n 4 -v"}
    base = {"PATH": "/usr/bin", "PYTHONPATH": "/home/me/src", "COVERAGE_CORE": "ctrace"}
    base["PYTEST_ADDOPTS"] = "-v"
    base["HYPOTHESIS_STORAGE_DIRECTORY"] = "/home/me/proj/.auditor/hypothesis"
    assert env_delta(base, local) == ({"COVERAGE_CORE": "ctrace", "PYTEST_ADDOPTS": "-v"}, [])
    del base["PYTEST_ADDOPTS"]  # every option neutralised: the variable is removed on workers
    assert env_delta(base, local) == ({"COVERAGE_CORE": "ctrace"}, ["PYTEST_ADDOPTS"])


# --- options --------------------------------------------------------------------------------


def _project(tmp_path: Path, mutation_table: str = "") -> Any:
    root = _tree(tmp_path / "proj")
    (root / "pyproject.toml").write_text(
        f'[project]\nname = "pkg"\nversion = "0"\n\n[tool.auditor.mutation]\n{mutation_table}'
    )
    return load_project(root / "tests")


@needs_dask
def test_the_executor_comes_from_the_flag_then_the_config(tmp_path: Path) -> None:
    project = _project(tmp_path, 'executor = "dask"\nscheduler = "tcp://10.0.0.1:8786"\n')
    assert choose(project, Options()).scheduler == "tcp://10.0.0.1:8786"
    assert choose(project, Options(scheduler="tcp://h:1")).scheduler == "tcp://h:1"
    assert choose(project, Options(executor="dask")).kind == "dask"
    assert choose(_project(tmp_path / "x"), Options()).kind == "local"


def test_contradictory_executor_settings_fail_before_anything_runs(tmp_path: Path) -> None:
    project = _project(tmp_path)
    with pytest.raises(UsageError, match="--executor dask"):
        choose(project, Options(scheduler="tcp://h:8786"))
    with pytest.raises(UsageError, match="Unknown executor"):
        choose(project, Options(executor="ray"))
    mutmut = _project(tmp_path / "m", 'runner = "mutmut"\n')
    with pytest.raises(UsageError, match='runner = "mutmut"'):
        choose(mutmut, Options(executor="dask"))


def test_an_unknown_executor_in_the_config_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match='"local" or "dask"'):
        _project(tmp_path, 'executor = "spark"\n')


def test_without_dask_installed_the_message_names_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # `import distributed` fails
    with pytest.raises(UsageError, match=r"pip install 'auditor\[dask\]'"):
        choose(_project(tmp_path), Options(executor="dask"))


def test_the_cli_exits_2_without_dask_before_running_the_suite(tmp_path: Path) -> None:
    project = _project(tmp_path)
    shadow = tmp_path / "shadow" / "distributed"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("raise ImportError('no dask here')\n")
    env = {**os.environ, "PYTHONPATH": str(shadow.parent)}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "auditor",
            "scan",
            str(project.root / "tests"),
            "--executor",
            "dask",
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert proc.returncode == 2, proc.stderr
    assert "pip install 'auditor[dask]'" in proc.stderr and "Traceback" not in proc.stderr
    assert not (project.root / ".auditor" / "coverage").exists()  # stopped before the suite ran


@pytest.mark.slow  # Dask tries to connect for the whole connect timeout (10 s)
@needs_dask
def test_the_cli_exits_2_on_an_unreachable_scheduler_from_the_config(tmp_path: Path) -> None:
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        address = f"tcp://127.0.0.1:{sock.getsockname()[1]}"
    project = _project(tmp_path, f'executor = "dask"\nscheduler = "{address}"\n')
    proc = subprocess.run(
        [sys.executable, "-m", "auditor", "scan", str(project.root / "tests")],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert proc.returncode == 2, proc.stderr
    assert f"could not connect to the Dask scheduler at {address}" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (project.root / ".auditor" / "coverage").exists()  # stopped before the suite ran


@needs_dask
def test_an_unreachable_scheduler_is_a_clear_error_within_the_timeout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket

    from auditor.mutation import dask_runner

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setattr(dask_runner, "CONNECT_TIMEOUT", 1.5)
    started = time.perf_counter()
    with pytest.raises(
        UsageError, match=f"could not connect to the Dask scheduler at tcp://127.0.0.1:{port}"
    ):
        check(_project(tmp_path), Options(executor="dask", scheduler=f"tcp://127.0.0.1:{port}"))
    assert time.perf_counter() - started < 1.5 + dask_runner.HANDSHAKE_GRACE + 2


@needs_dask
def test_a_port_that_never_answers_like_dask_is_reported_within_the_timeout(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Dask's own timeout does not cover the handshake: a silent listener would block forever."""
    import socket

    from auditor.mutation import dask_runner

    monkeypatch.setattr(dask_runner, "HANDSHAKE_GRACE", 0.5)

    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()  # accepts, never speaks (like an HTTP server waiting for a request)
        address = f"tcp://127.0.0.1:{server.getsockname()[1]}"
        started = time.perf_counter()
        with pytest.raises(RunnerError, match="did not answer like a Dask scheduler"):
            connect(address, timeout=0.5)
        assert time.perf_counter() - started < 0.5 + 0.5 + 2


@needs_dask
def test_a_missing_scheduler_file_is_named() -> None:
    with pytest.raises(RunnerError, match=r"scheduler file /nonexistent/scheduler\.json"):
        connect("/nonexistent/scheduler.json", timeout=1)


# --- bookkeeping of results (stubbed futures) -----------------------------------------------


class _Result:
    def __init__(self, worker: str, collected: int, import_time: list[str], outcomes: list[Any]):
        self.worker, self.host = worker, "h"
        self.collected, self.import_time = collected, import_time
        self.outcomes = outcomes
        self.startup_seconds, self.seconds = 0.5, 0.1
        self.unpacked, self.session_started = True, True


class _Future:
    def __init__(self, key: str, result: Any = None, error: BaseException | None = None):
        self.key, self._result, self._error = key, result, error

    def result(self) -> Any:
        if self._error is not None:
            raise self._error
        return self._result

    def cancelled(self) -> bool:
        return False

    def release(self) -> None:
        pass


def _runner(tmp_path: Path) -> DaskRunner:
    runner = DaskRunner(RunnerSpec(tmp_path, [], []), DaskSettings())
    runner._submit = lambda jobs, split=False: runner.submitted.append((jobs, split))  # type: ignore[method-assign,attr-defined]
    runner.submitted = []  # type: ignore[attr-defined]
    return runner


def _outcome(exit_code: int) -> dict[str, Any]:
    return {
        "exit": exit_code,
        "failed": None,
        "failures": [],
        "ran": 1,
        "seconds": 0.2,
        "test_seconds": 0.1,
        "timeout": False,
        "missing": [],
        "error": "",
    }


@needs_dask
def test_outcomes_come_back_attached_to_the_scans_jobs(tmp_path: Path) -> None:
    runner = _runner(tmp_path)
    jobs = [Job("m1", "m1", ["t"], 5.0), Job("m2", "m2", ["t"], 5.0)]
    runner._batches["k"] = _Batch(jobs, time.perf_counter())
    outcomes = runner._collect(_Future("k", _Result("w1", 3, [], [_outcome(1), _outcome(0)])))
    assert [(o.job, o.exit) for o in outcomes] == [(jobs[0], 1), (jobs[1], 0)]
    assert runner._where == {"m1": "w1", "m2": "w1"}  # a timeout re-check goes back to w1
    assert runner.stats.batches == 1 and runner.stats.jobs == 2


@needs_dask
def test_a_worker_that_collected_another_suite_stops_the_scan(tmp_path: Path) -> None:
    runner = _runner(tmp_path)
    runner._batches["a"] = _Batch([], time.perf_counter())
    runner._batches["b"] = _Batch([], time.perf_counter())
    runner._collect(_Future("a", _Result("w1", 3, ["pkg.x_f"], [])))
    with pytest.raises(RunnerError, match=r"environments differ: w1 collected 3 .* w2 collected 2"):
        runner._collect(_Future("b", _Result("w2", 2, ["pkg.x_f"], [])))


def _killed(key: str) -> BaseException:
    """distributed's KilledWorker (its constructor's arguments vary between releases)."""
    from types import SimpleNamespace

    from distributed import KilledWorker

    last_worker = SimpleNamespace(address="tcp://w:1")
    try:
        return KilledWorker(key, last_worker, 3)
    except TypeError:  # pragma: no cover - older releases
        return KilledWorker(key, last_worker)  # type: ignore[call-arg,unused-ignore]


@needs_dask
def test_a_batch_dask_gave_up_on_is_split_and_a_single_job_becomes_an_error(
    tmp_path: Path,
) -> None:
    runner = _runner(tmp_path)
    jobs = [Job("m1", "m1", ["t"], 5.0), Job("m2", "m2", ["t"], 5.0)]
    runner._batches["k"] = _Batch(jobs, time.perf_counter())
    assert runner._collect(_Future("k", error=_killed("k"))) == []
    assert runner.submitted == [([jobs[0]], True), ([jobs[1]], True)]  # type: ignore[attr-defined]
    runner._batches["s"] = _Batch([jobs[0]], time.perf_counter(), split=True)
    (outcome,) = runner._collect(_Future("s", error=_killed("s")))
    assert outcome.job is jobs[0] and outcome.exit is None and "died" in outcome.error
