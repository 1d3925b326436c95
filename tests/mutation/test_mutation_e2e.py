"""End to end: the real CLI, real coverage.py and real mutmut runs on a small generated project.

The project has one deliberately weak test (is_positive is never asked about 0) so a reader can
check the verdicts by hand: `x > 0` -> `x >= 0` survives until the test is strengthened.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow

CALC = """def is_positive(x):
    return x > 0


def double(n):
    print("doubling", n)
    return n * 2


def describe(x):
    if x < 0:
        return "negative"
    return "non-negative"
"""

POS_TESTS = """from pkg.calc import is_positive


def test_is_positive():
    assert is_positive(5)
    assert not is_positive(-3)
"""

WEAK_TESTS = """from pkg.calc import describe, double


def test_double():
    assert double(4) == 8


def test_describe_runs():
    describe(3)
"""


def make_project(
    root: Path, tests: str = WEAK_TESTS, pos: str | None = POS_TESTS, runner: str = "auditor"
) -> Path:
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text("")
    (root / "pkg" / "calc.py").write_text(CALC)
    (root / "tests").mkdir()
    (root / "tests" / "test_calc.py").write_text(tests)
    if pos is not None:
        (root / "tests" / "test_pos.py").write_text(pos)
    (root / "pyproject.toml").write_text(
        f'[project]\nname = "pkg"\nversion = "0"\n\n[tool.auditor.mutation]\nrunner = "{runner}"\n'
    )
    return root


def scan(root: Path, *args: str, **kwargs: Any) -> tuple[int, dict[str, Any], str]:
    out = root.parent / f"{root.name}-card.json"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "auditor",
            "scan",
            str(root / "tests"),
            "--json",
            str(out),
            "--jobs",
            "2",
            *args,
        ],
        capture_output=True,
        text=True,
        check=False,
        **kwargs,
    )
    card = json.loads(out.read_text()) if out.is_file() else {}
    return proc.returncode, card, proc.stdout + proc.stderr


def tree_hashes(root: Path) -> dict[str, str]:
    out = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if rel.parts[0] == ".auditor":
            continue
        out[rel.as_posix()] = (
            hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "dir"
        )
    return out


def by_description(card: dict[str, Any], line: int, description: str) -> dict[str, Any]:
    found = [m for m in card["mutants"] if m["line"] == line and m["description"] == description]
    assert len(found) == 1, [(m["line"], m["description"]) for m in card["mutants"]]
    return found[0]


ENGINES = {
    "auditor": "auditor warm runner, mutmut 3.8.1 mutants, 2 workers",
    "mutmut": "mutmut 3.8.1 (fork, 2 children)",
}


@pytest.mark.parametrize("runner", ["auditor", "mutmut"])
def test_scan_reports_mutmut_verdicts_leaves_the_tree_alone_and_reruns_on_test_change(
    tmp_path: Path, runner: str
) -> None:
    root = make_project(tmp_path / "proj", runner=runner)
    before = tree_hashes(root)
    code, card, output = scan(root, "--only", "mutation")
    assert code == 0, output
    assert tree_hashes(root) == before  # nothing but .auditor/ was written
    report = next(s for s in card["stages"] if s["name"] == "mutation")
    assert report["ran"] and report["engine"].startswith(ENGINES[runner])

    weak = by_description(card, 2, "`>` -> `>=`")
    assert weak["status"] == "survived"  # no test checks is_positive(0)
    assert weak["path"] == "pkg/calc.py" and weak["function"] == "is_positive"
    assert weak["operator"] == "comparison"
    assert weak["covered_by"] == ["tests/test_pos.py::test_is_positive"]
    assert "-    return x > 0" in weak["diff"] and "+    return x >= 0" in weak["diff"]

    div = by_description(card, 7, "`*` -> `/`")
    assert div["status"] == "killed"  # 4 / 2 != 8
    assert div["killed_by"] == ["tests/test_calc.py::test_double"]

    arid = [m for m in card["mutants"] if m["line"] == 6]
    assert arid and all(m["status"] == "skipped" and m["reason"].startswith("arid") for m in arid)
    assert all(m["exit_code"] is None for m in arid)  # generated, never run

    never_run = [m for m in card["mutants"] if m["line"] == 12]  # return "negative"
    assert never_run and all(
        m["status"] == "no_coverage" and not m["covered_by"] for m in never_run
    )

    pseudo = {p["function"]: p["status"] for p in card["pseudo_tested"]}
    assert pseudo == {"is_positive": "tested", "double": "tested", "describe": "pseudo_tested"}
    tests = {t["id"]: t for t in card["tests"]}
    assert tests["tests/test_calc.py::test_double"]["kills"] >= 2
    assert "tests/test_calc.py::test_describe_runs" in card["meta"]["tests_without_kills"]
    assert Path(card["meta"]["mutation_workspace"]).is_dir()

    # strengthen the weak test: mutmut alone would keep the old verdicts; we re-run its mutants
    (root / "tests" / "test_pos.py").write_text(POS_TESTS + "    assert not is_positive(0)\n")
    code, card2, output = scan(root, "--only", "mutation")
    assert code == 0, output
    meta = card2["meta"]["mutation"]
    assert meta["changed_test_files"] == ["tests/test_pos.py"]
    is_positive_mutants = [m for m in card["mutants"] if m["function"] == "is_positive"]
    assert meta["rerun_for_changed_tests"] == len(is_positive_mutants) == meta["run_now"] == 2
    assert by_description(card2, 2, "`>` -> `>=`")["status"] == "killed"
    assert by_description(card2, 7, "`*` -> `/`")["status"] == "killed"  # re-used, not re-run


def test_failing_project_tests_stop_the_scan_with_exit_3_naming_the_test(tmp_path: Path) -> None:
    root = make_project(
        tmp_path / "proj", WEAK_TESTS + "\n\ndef test_broken():\n    assert double(2) == 5\n"
    )
    code, card, output = scan(root, "--only", "mutation")
    assert code == 3
    assert "tests/test_calc.py::test_broken" in output
    mutation = next(s for s in card["stages"] if s["name"] == "mutation")
    assert not mutation["ran"] and "coverage" in mutation["reason"]
    assert not (root / ".auditor" / "mutation" / "workspace").exists()


def test_missing_test_dependency_names_the_module(tmp_path: Path) -> None:
    root = make_project(tmp_path / "proj", "import notinstalledmod_xyz\n" + WEAK_TESTS)
    code, _, output = scan(root, "--only", "coverage")
    assert code == 3
    assert "notinstalledmod_xyz" in output and "pip install" in output


def test_coverage_stage_records_per_test_lines_and_hypothesis_tests(tmp_path: Path) -> None:
    tests = WEAK_TESTS + (
        "\n\nfrom hypothesis import given, strategies as st\n\n\n@given(st.integers())\n"
        "def test_double_prop(n):\n    assert double(n) == n + n\n"
    )
    root = make_project(tmp_path / "proj", tests)
    code, card, output = scan(root, "--only", "coverage")
    assert code == 0, output
    by_id = {t["id"]: t for t in card["tests"]}
    assert by_id["tests/test_calc.py::test_double_prop"]["property_based"] is True
    assert by_id["tests/test_calc.py::test_double"]["property_based"] is False
    assert by_id["tests/test_pos.py::test_is_positive"]["covers_lines"] == 1
    module = next(m for m in card["coverage"] if m["path"] == "pkg/calc.py")
    assert module["missing_lines"] == [12]
    from auditor.coverage.map import CoverageMap

    cov = CoverageMap.load(root / ".auditor")
    assert cov.tests_for("pkg/calc.py", 7) == {
        "tests/test_calc.py::test_double",
        "tests/test_calc.py::test_double_prop",
    }
    assert cov.tests_for("pkg/calc.py", 12) == set()
    # unchanged project: the second scan re-uses the recorded result
    code, card2, _ = scan(root, "--only", "coverage")
    report = next(s for s in card2["stages"] if s["name"] == "coverage")
    assert code == 0 and report["reason"].startswith("re-used")
    assert card2["coverage"] == card["coverage"]


SLOW_TESTS = """import time

from pkg.calc import describe, double, is_positive


def test_is_positive():
    time.sleep(0.4)
    assert is_positive(5)
    assert not is_positive(-3)


def test_double():
    time.sleep(0.4)
    assert double(4) == 8


def test_describe():
    time.sleep(0.4)
    assert describe(-1) == "negative"
"""


def _finished(meta: Path, runner: str) -> dict[str, Any]:
    """Mutant id -> result saved so far (mutmut's .meta, or our runner's streamed results)."""
    if runner == "auditor":
        from auditor.mutation.store import ResultStore

        return {k: r.exit_code for k, r in ResultStore(meta.parent.parent).load().items()}
    try:
        return {
            k: v
            for k, v in json.loads(meta.read_text())["exit_code_by_key"].items()
            if v is not None
        }
    except (OSError, ValueError):
        return {}


@pytest.mark.parametrize("runner", ["auditor", "mutmut"])
def test_ctrl_c_keeps_finished_results_and_the_next_scan_resumes(
    tmp_path: Path, runner: str
) -> None:
    root = make_project(tmp_path / "proj", SLOW_TESTS, pos=None)
    (root / "pyproject.toml").write_text(
        '[project]\nname = "pkg"\nversion = "0"\n\n[tool.auditor.mutation]\npseudo-tested = false\n'
        f'runner = "{runner}"\n'
    )
    out = tmp_path / "first.json"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "auditor",
            "scan",
            str(root / "tests"),
            "--only",
            "mutation",
            "--jobs",
            "1",
            "--json",
            str(out),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    meta = root / ".auditor" / "mutation" / "workspace" / "mutants" / "pkg" / "calc.py.meta"
    deadline = time.time() + 60
    finished = 0
    while time.time() < deadline and finished < 3:
        time.sleep(0.2)
        finished = len(_finished(meta, runner))
    assert finished >= 3, "the runner never produced results"
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
    proc.wait(timeout=60)
    saved = json.loads(meta.read_text())["exit_code_by_key"]
    done = {k for k, v in saved.items() if v is not None}  # folded into mutmut's .meta on Ctrl-C
    assert done and len(done) < len(saved)
    assert set(_finished(meta, runner)) >= done

    code, card, output = scan(root, "--only", "mutation")
    assert code == 0, output
    info = card["meta"]["mutation"]
    assert info["run_now"] <= len(saved) - len(done)
    assert not [m for m in card["mutants"] if m["status"] == "pending"]


STATEFUL_TESTS = """from pkg.calc import double

SEEN = []


def test_double_once():
    SEEN.append(1)
    assert len(SEEN) == 1  # fails when the same process runs the suite twice
    assert double(4) == 8
"""


def test_suite_with_state_between_runs_falls_back_to_forkserver(tmp_path: Path) -> None:
    root = make_project(tmp_path / "proj", STATEFUL_TESTS, pos=None)
    (root / "pkg" / "calc.py").write_text("def double(n):\n    return n * 2\n")
    (root / "pyproject.toml").write_text(
        '[project]\nname = "pkg"\nversion = "0"\n\n[tool.auditor.mutation]\npseudo-tested = false\n'
        'runner = "mutmut"\n'
    )
    code, card, output = scan(root, "--only", "mutation")
    assert code == 0, output
    report = next(s for s in card["stages"] if s["name"] == "mutation")
    assert "forkserver" in report["engine"] and "forkserver" in report["reason"]
    assert {m["description"]: m["status"] for m in card["mutants"]} == {
        "`*` -> `/`": "killed",
        "`2` -> `3`": "killed",
    }
    assert all(m["duration"] is None for m in card["mutants"])  # forkserver records no durations


def test_our_runner_needs_no_fallback_for_a_suite_with_state_between_runs(tmp_path: Path) -> None:
    """Every mutant runs in a fork of a session that never ran a test: no state carries over."""
    root = make_project(tmp_path / "proj", STATEFUL_TESTS, pos=None)
    (root / "pkg" / "calc.py").write_text("def double(n):\n    return n * 2\n")
    code, card, output = scan(root, "--only", "mutation")
    assert code == 0, output
    report = next(s for s in card["stages"] if s["name"] == "mutation")
    assert "forkserver" not in report["reason"]
    assert {m["description"]: m["status"] for m in card["mutants"]} == {
        "`*` -> `/`": "killed",
        "`2` -> `3`": "killed",
    }
