"""Issue 12: SIGTERM (timeout, docker stop, CI cancellation) ends the whole process group, keeps
finished results and exits 143; internal errors have their own exit code."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hardening_projects import make_project, pid_alive

from auditor import cli, errors

HANGING_TESTS = '''\
import os, subprocess, sys, time


def test_spawns_and_hangs():
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    with open(os.environ["PID_FILE"], "w") as fh:
        fh.write(f"{os.getpid()} {child.pid}")
    time.sleep(600)
'''


def _processes_under(path: Path) -> list[int]:
    """Pids whose working directory is inside `path` (our children and their children)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cwd = os.readlink(entry / "cwd")
        except OSError:
            continue
        if cwd.startswith(str(path)) and pid_alive(int(entry.name)):
            found.append(int(entry.name))
    return found


def _start(tests: Path, *args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    full = {k: v for k, v in os.environ.items() if k != "AUDITOR_CACHE_DIR"}
    full.update(env, NO_COLOR="1")
    return subprocess.Popen(
        [sys.executable, "-m", "auditor", "scan", str(tests), *args],
        cwd=tests.parent, env=full, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def _wait_file(path: Path, proc: subprocess.Popen[str], seconds: float = 120) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if path.is_file() and path.read_text().strip():
            return path.read_text()
        if proc.poll() is not None:
            raise AssertionError(f"scan ended early: {proc.communicate()}")
        time.sleep(0.1)
    raise AssertionError(f"{path} never appeared")


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_case_sigterm_ends_the_whole_process_group(tmp_path, sig, code):
    tests = make_project(tmp_path, tests=HANGING_TESTS)
    pid_file = tmp_path / "pids"
    scan = _start(tests, "--skip", "mutation,properties", env={"PID_FILE": str(pid_file)})
    pytest_pid, grandchild = map(int, _wait_file(pid_file, scan).split())
    started = time.monotonic()
    scan.send_signal(sig)
    _, err = scan.communicate(timeout=60)
    assert scan.returncode == code, err
    assert time.monotonic() - started < 20
    assert ("terminated" if sig == signal.SIGTERM else "interrupted") in err
    assert "Traceback" not in err
    time.sleep(0.5)
    assert not pid_alive(pytest_pid), "the test process outlived the scan"
    assert not pid_alive(grandchild), "a child of the tests was left running (re-parented to 1)"
    # the static stage finished before the signal: its results are kept for the next run
    assert any((tmp_path / ".auditor" / "static").glob("facts-*.json"))


SLOW_TESTS = '''\
import time
from calc import add, is_adult


def test_add():
    time.sleep(0.4)
    assert add(2, 3) == 5


def test_is_adult():
    time.sleep(0.4)
    assert is_adult(30)
    assert not is_adult(3)
'''


@pytest.mark.slow
def test_case_sigterm_during_mutation_leaves_no_mutmut_running(tmp_path):
    tests = make_project(tmp_path, tests=SLOW_TESTS)
    scan = _start(tests, "--skip", "properties", "--jobs", "1", env={})
    workspace = tmp_path / ".auditor" / "mutation" / "workspace"
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:  # wait until mutmut is running mutants
        if any(workspace.rglob("*.py.meta")) and _processes_under(workspace):
            break
        assert scan.poll() is None, scan.communicate()
        time.sleep(0.2)
    time.sleep(1.5)
    scan.send_signal(signal.SIGTERM)
    _, err = scan.communicate(timeout=60)
    assert scan.returncode == 143, err
    deadline = time.monotonic() + 10  # the mutmut child ran on for 40 s
    while _processes_under(tmp_path) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _processes_under(tmp_path) == [], "a mutation child (or a test) kept running"
    assert any(workspace.rglob("*.py.meta"))  # finished results are on disk for the next run


def test_case_internal_error_has_its_own_exit_code(tmp_path, capsys, monkeypatch):
    tests = make_project(tmp_path)

    def broken(*args, **kwargs):
        raise ZeroDivisionError("a bug in auditor")

    monkeypatch.setattr("auditor.api.audit", broken)
    monkeypatch.delenv(errors.DEBUG_ENV, raising=False)
    code = cli.main(["scan", str(tests), "--only", "static"])
    err = capsys.readouterr().err
    assert code == errors.EXIT_INTERNAL == 4
    assert code != errors.EXIT_GATE_FAILED
    assert "internal error (ZeroDivisionError: a bug in auditor)" in err
    assert "report it" in err and "Traceback" not in err
    assert cli.main(["scan", str(tests), "--only", "static", "--verbose"]) == 4
    assert "Traceback" in capsys.readouterr().err
    monkeypatch.setenv(errors.DEBUG_ENV, "1")
    assert cli.main(["scan", str(tests), "--only", "static"]) == 4
    assert "Traceback" in capsys.readouterr().err


def test_case_symlink_loop_test_file(tmp_path, capsys):
    tests = make_project(tmp_path)
    (tests / "test_loop.py").symlink_to("test_loop.py")
    code = cli.main(["scan", str(tests), "--only", "static", "-q"])
    err = capsys.readouterr().err
    assert code == 0, err
    assert "skipped" in err and "test_loop.py" in err
