"""Layouts seen on real projects: CLIs tested through subprocesses, tests inside the package,
whole test modules skipped at collection, a test that hangs. Compared with plain pytest/coverage.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.coverage.conftest import (
    line_percent,
    oracle_line_percent,
    plain_coverage,
    plain_pytest,
    run_auditor,
    write_tree,
)

CLI = {
    "pyproject.toml": "",
    "pkg/__init__.py": "",
    "pkg/cli.py": (
        "import sys\n\n\n"
        "def main(argv):\n"
        "    if argv and argv[0] == 'hi':\n"
        "        print('hello')\n"
        "        return 0\n"
        "    print('usage')\n"
        "    return 2\n\n\n"
        "if __name__ == '__main__':\n"
        "    sys.exit(main(sys.argv[1:]))\n"
    ),
    "tests/test_cli.py": (
        "import subprocess, sys\n\n"
        "def test_hi():\n"
        "    out = subprocess.run([sys.executable, '-m', 'pkg.cli', 'hi'], capture_output=True, text=True)\n"
        "    assert out.stdout == 'hello\\n'\n\n"
        "def test_nothing():\n"
        "    assert True\n"
    ),
}


@pytest.mark.slow
def test_code_run_in_a_subprocess_is_measured_per_test(project_dir: Path) -> None:
    write_tree(project_dir, CLI)
    code, card, err = run_auditor(project_dir, "tests", "--only", "coverage")
    assert code == 0, err
    # oracle: coverage.py's own subprocess measurement
    oracle = plain_coverage(project_dir, "[run]\nsource = pkg\nbranch = True\npatch = subprocess\n")
    assert oracle_line_percent(oracle) > 50
    assert abs(line_percent(card) - oracle_line_percent(oracle)) <= 1.0
    tests = {t["id"]: t for t in card["tests"]}
    assert tests["tests/test_cli.py::test_hi"]["covers_lines"] > 0
    assert tests["tests/test_cli.py::test_nothing"]["covers_lines"] == 0
    cov_map = json.loads((project_dir / ".auditor/coverage/map.json").read_text())
    hi = cov_map["tests"].index("tests/test_cli.py::test_hi")
    lines = cov_map["files"]["pkg/cli.py"]
    assert hi in lines["6"]  # print('hello'): ran only in the child, attributed to test_hi
    assert "8" not in lines  # print('usage') never ran


ISO = {
    "pyproject.toml": "[project]\nname = 'isolike'\n",
    "isolike/__init__.py": "from .core import parse\n",
    "isolike/core.py": "def parse(text):\n    if not text:\n        raise ValueError('empty')\n    return text.split('-')\n",
    "isolike/test_isolike.py": (
        "import pytest\nimport isolike\n\n"
        "def test_parse():\n    assert isolike.parse('1-2') == ['1', '2']\n\n"
        "def test_empty():\n    with pytest.raises(ValueError):\n        isolike.parse('')\n"
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("where", [["isolike"], ["."], []])
def test_tests_inside_the_package(project_dir: Path, where: list[str]) -> None:
    write_tree(project_dir, ISO)
    code, card, err = run_auditor(project_dir, *where, "--only", "coverage")
    assert code == 0, err
    assert "Traceback" not in err
    assert card["project"]["source"] == ["isolike"]
    measured = sorted(m["path"] for m in card["coverage"])
    assert measured == ["isolike/__init__.py", "isolike/core.py"]  # never the test module
    collected = plain_pytest(project_dir, "--collect-only", "-q", *where)
    expected = sorted(line for line in collected.stdout.splitlines() if "::" in line)
    assert sorted(t["id"] for t in card["tests"]) == expected
    assert line_percent(card) == 100.0


@pytest.mark.slow
def test_module_skipped_at_collection_is_reported_with_its_tests(project_dir: Path) -> None:
    write_tree(
        project_dir,
        {
            "pyproject.toml": "",
            "pkg/__init__.py": "",
            "pkg/fast.py": "def f(x):\n    return x + 1\n",
            "pkg/heavy.py": "def g(x):\n    return x * 2\n",
            "tests/test_fast.py": "from pkg.fast import f\n\ndef test_f():\n    assert f(1) == 2\n",
            "tests/test_heavy.py": (
                "import pytest\n"
                "pytest.importorskip('no_such_module_xyz')\n"
                "from pkg.heavy import g\n\n"
                "def test_g():\n    assert g(2) == 4\n\n"
                "class TestG:\n    def test_zero(self):\n        assert g(0) == 0\n"
            ),
        },
    )
    plain = plain_pytest(project_dir, "-rs")
    assert "1 passed, 1 skipped" in plain.stdout
    code, card, err = run_auditor(project_dir, "tests", "--only", "coverage")
    assert code == 0, err
    (skipped,) = card["skipped_modules"]
    assert skipped["path"] == "tests/test_heavy.py"
    assert "no_such_module_xyz" in skipped["reason"]
    assert skipped["tests"] == ["test_g", "TestG::test_zero"]
    assert skipped["targets"] == ["pkg/heavy.py"]
    untested = [a for a in card["top_actions"] if a["path"] == "pkg/heavy.py"]
    assert untested and all("add tests that import and call it" not in a["how"] for a in untested)
    assert all("skipped" in a["how"] for a in untested)


@pytest.mark.slow
def test_a_hanging_test_is_named_and_every_process_is_stopped(project_dir: Path) -> None:
    pidfile = project_dir.parent / "child.pid"
    write_tree(
        project_dir,
        {
            "pyproject.toml": "[tool.auditor.coverage]\ntimeout = 8\n",
            "pkg/__init__.py": "def f():\n    return 1\n",
            "tests/test_ok.py": "from pkg import f\n\ndef test_ok():\n    assert f() == 1\n",
            "tests/test_zz_hang.py": (
                "import subprocess, sys, time\n\n"
                "def test_hangs():\n"
                "    child = subprocess.Popen([sys.executable, '-c', 'while True: pass'])\n"
                f"    open({str(pidfile)!r}, 'w').write(str(child.pid))\n"
                "    time.sleep(3600)\n"
            ),
        },
    )
    started = time.monotonic()
    code, _card, err = run_auditor(project_dir, "tests", "--only", "coverage", timeout=120)
    assert time.monotonic() - started < 90
    assert code == 3
    assert "tests/test_zz_hang.py::test_hangs" in err
    assert "8 s" in err
    pid = int(pidfile.read_text())
    for _ in range(50):
        if not _alive(pid):
            break
        time.sleep(0.1)
    assert not _alive(pid), "the test's child process is still running"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie waiting for its parent counts as stopped
        with open(f"/proc/{pid}/stat", encoding="utf-8") as fh:
            return fh.read().split()[2] != "Z"
    except OSError:
        return False


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_stopping_auditor_stops_the_suite_and_its_children(project_dir: Path, sig: int) -> None:
    pidfile = project_dir.parent / "child.pid"
    write_tree(
        project_dir,
        {
            "pyproject.toml": "",
            "pkg/__init__.py": "",
            "tests/test_hang.py": (
                "import subprocess, sys, time\n\n"
                "def test_hangs():\n"
                "    child = subprocess.Popen([sys.executable, '-c', 'while True: pass'])\n"
                f"    open({str(pidfile)!r}, 'w').write(str(child.pid))\n"
                "    time.sleep(3600)\n"
            ),
        },
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "auditor", "scan", "tests", "--only", "coverage", "--quiet"],
        cwd=project_dir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    for _ in range(600):
        if pidfile.exists() and pidfile.read_text():
            break
        time.sleep(0.1)
    proc.send_signal(sig)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode in (130, 143), stderr
    assert b"Traceback" not in stderr
    pid = int(pidfile.read_text())
    for _ in range(50):
        if not _alive(pid):
            break
        time.sleep(0.1)
    assert not _alive(pid), "the test's child process is still running"
