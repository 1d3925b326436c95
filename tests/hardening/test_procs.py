"""auditor.procs: children run in their own process group and are ended as a whole group."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from pathlib import Path

import pytest
from hardening_projects import pid_alive

from auditor import procs

# a child that forks a grandchild (in the same group), records its pid, then waits forever
FORKS_AND_HANGS = (
    "import subprocess, sys, time\n"
    "g = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'])\n"
    "open(sys.argv[1], 'w').write(str(g.pid))\n"
    "print('started', flush=True)\n"
    "time.sleep(600)\n"
)


def _wait_for(path: Path, seconds: float = 20.0) -> int:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if path.is_file() and path.read_text().strip():
            return int(path.read_text())
        time.sleep(0.05)
    raise AssertionError(f"{path} was never written")


def _gone(pid: int, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not pid_alive(pid):
            return True
        time.sleep(0.05)
    return False


def test_run_returns_exit_code_and_merged_output():
    done = procs.run([sys.executable, "-c", "import sys; print('out'); print('err', file=sys.stderr); sys.exit(3)"])
    assert done.exit_code == 3
    assert "out" in done.output and "err" in done.output
    assert done.timed_out is False


def test_run_separates_stderr_when_asked():
    done = procs.run(
        [sys.executable, "-c", "import sys; print('out'); print('err', file=sys.stderr)"],
        separate_stderr=True,
    )
    assert done.output.strip() == "out"
    assert done.stderr.strip() == "err"


def test_timeout_ends_the_whole_group_including_grandchildren(tmp_path):
    pid_file = tmp_path / "grandchild.pid"
    started = time.monotonic()
    done = procs.run(
        [sys.executable, "-c", FORKS_AND_HANGS, str(pid_file)], timeout=2.0, grace=0.5
    )
    assert done.timed_out is True
    assert time.monotonic() - started < 15
    assert done.exit_code != 0
    assert "started" in done.output  # output before the limit is kept
    assert _gone(_wait_for(pid_file)), "the grandchild kept running after the time limit"


def test_child_runs_in_its_own_process_group():
    with procs.start([sys.executable, "-c", "import time; time.sleep(30)"]) as child:
        assert os.getpgid(child.pid) == child.pid
        assert os.getpgid(child.pid) != os.getpgid(0)
    assert child.popen.returncode is not None


def test_leaving_the_block_by_an_exception_stops_the_group(tmp_path):
    pid_file = tmp_path / "grandchild.pid"
    with pytest.raises(RuntimeError), procs.start(
        [sys.executable, "-c", FORKS_AND_HANGS, str(pid_file)]
    ) as child:
        grandchild = _wait_for(pid_file)
        raise RuntimeError("boom")
    assert not pid_alive(child.pid)
    assert _gone(grandchild)
    assert procs.live_children() == []


def test_grandchildren_left_by_a_finished_leader_are_ended(tmp_path):
    pid_file = tmp_path / "grandchild.pid"
    script = (
        "import subprocess, sys\n"
        "g = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'])\n"
        "open(sys.argv[1], 'w').write(str(g.pid))\n"
    )
    done = procs.run([sys.executable, "-c", script, str(pid_file)], timeout=30)
    assert done.exit_code == 0
    assert _gone(_wait_for(pid_file))


def test_sigterm_handler_raises_interrupted_and_forwards_to_children(tmp_path):
    """In the CLI, SIGTERM behaves like Ctrl-C: an exception in the main thread, children told."""
    pid_file = tmp_path / "grandchild.pid"
    restore = procs.install_signal_handlers()
    try:
        with pytest.raises(procs.Interrupted) as caught, procs.start(
            [sys.executable, "-c", FORKS_AND_HANGS, str(pid_file)]
        ) as child:
            grandchild = _wait_for(pid_file)
            threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGTERM)).start()
            child.wait(timeout=30)
        assert procs.exit_code_for(caught.value) == 143
        with pytest.raises(KeyboardInterrupt):  # no new child after the signal
            procs.start([sys.executable, "-c", "pass"])
    finally:
        restore()
    assert _gone(grandchild)
    procs.run([sys.executable, "-c", "pass"])  # restored: children may start again


def test_exit_codes_for_signals():
    assert procs.exit_code_for(KeyboardInterrupt()) == 130
    assert procs.exit_code_for(procs.Interrupted(signal.SIGTERM)) == 143
    assert procs.exit_code_for(procs.Interrupted(signal.SIGHUP)) == 129


def test_a_missing_program_raises_oserror():
    with pytest.raises(FileNotFoundError):
        procs.run(["/nonexistent/program"])
