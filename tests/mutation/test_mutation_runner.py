"""Our warm runner against the oracles: plain mutmut, and mutants applied by hand.

Small projects under tmp_path, each showing one kind of fault the runner must get right:
- code run at import time (a dispatch table built by calling a factory at import): the mutant
  must be active from the first import, so verdicts equal the mutant applied by hand - plain
  mutmut, forking after import, reports these as survivors;
- a CLI tested only through `subprocess.run([sys.executable, "-m", "pkg.cli", ...])`: the child
  process must import the mutated workspace copy with the mutant active;
- timeouts: confirmed only against a measured clean run of the same tests.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from mutation_oracle import by_hand, plain_mutmut, verdict_class

from auditor.mutation.plan import Planner, Target
from auditor.mutation.runner import Job, RunnerSpec, WarmRunner, run_batch
from auditor.mutation.store import ERROR_CODE

pytestmark = pytest.mark.slow

EXTRACT = """def _txt(data):
    return data.decode("utf-8").strip()


def build_extractors():
    table = {}
    table["csv"] = lambda data: [row.split(",") for row in data.decode().splitlines()]
    table["upper"] = lambda data: data.decode().upper()
    return table


EXTRACTORS = {"txt": _txt, **build_extractors()}


def extract(kind, data):
    return EXTRACTORS[kind](data)
"""

EXTRACT_TESTS = """from pkg.extract import extract


def test_txt():
    assert extract("txt", b" a ") == "a"


def test_csv():
    assert extract("csv", b"a,b\\nc,d") == [["a", "b"], ["c", "d"]]


def test_upper():
    assert extract("upper", b"ab") == "AB"
"""

CALC = """def is_positive(x):
    return x > 0


def double(n):
    return n * 2


def clamp(x, lo=0, hi=10):
    if x < lo:
        return lo
    return min(x, hi)
"""

CALC_TESTS = """from pkg.calc import clamp, double, is_positive


def test_is_positive():
    assert is_positive(5)
    assert not is_positive(-3)


def test_double():
    assert double(4) == 8


def test_clamp():
    assert clamp(-1) == 0
    assert clamp(20) == 10
"""

CLI = """import sys


def main(argv):
    n = int(argv[0])
    print(n * 2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
"""

CLI_TESTS = """import subprocess
import sys


def test_cli_doubles():
    proc = subprocess.run(
        [sys.executable, "-m", "pkg.cli", "4"], capture_output=True, text=True, check=True
    )
    assert proc.stdout.strip() == "8"
"""

LOOP = """import time


def countdown(n):
    while n > 0:
        n -= 1
    return n


def slow_double(n):
    time.sleep(0.3)
    return n * 2
"""

LOOP_TESTS = """from pkg.loop import countdown, slow_double


def test_countdown():
    assert countdown(3) == 0


def test_slow_double():
    assert slow_double(2) == 4


def test_workspace_sensitive():  # passes in the project, fails in any `mutants/` copy
    import os

    assert countdown(0) == 0
    assert os.path.basename(os.getcwd()) != "mutants"
"""


def make_project(root: Path, files: dict[str, str], runner: str = "auditor") -> Path:
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text("")
    (root / "tests").mkdir()
    for rel, text in files.items():
        (root / rel).write_text(text)
    (root / "pyproject.toml").write_text(
        '[project]\nname = "pkg"\nversion = "0"\n\n[tool.auditor]\narid = false\n\n'
        f'[tool.auditor.mutation]\nrunner = "{runner}"\npseudo-tested = false\n'
    )
    return root


def scan(root: Path, *args: str) -> dict[str, Any]:
    out = root.parent / f"{root.name}-card.json"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "auditor",
            "scan",
            str(root / "tests"),
            "--only",
            "mutation",
            "--json",
            str(out),
            "--jobs",
            "2",
            *args,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode in (0, 1), proc.stdout[-3000:] + proc.stderr[-3000:]
    card: dict[str, Any] = json.loads(out.read_text())
    return card


def test_verdicts_equal_plain_mutmut_and_mutants_applied_by_hand(tmp_path: Path) -> None:
    root = make_project(
        tmp_path / "proj",
        {
            "pkg/calc.py": CALC,
            "pkg/extract.py": EXTRACT,
            "tests/test_calc.py": CALC_TESTS,
            "tests/test_extract.py": EXTRACT_TESTS,
        },
    )
    card = scan(root)
    ours = {m["id"]: m for m in card["mutants"]}
    assert card["meta"]["mutation"]["runner"] == "auditor"
    import_time = [i for i in ours if ".x_build_extractors__" in i]
    assert import_time and card["meta"]["mutation"]["fresh_process"] == len(import_time)
    ws = Path(card["meta"]["mutation_workspace"])
    plain = plain_mutmut(ws, tmp_path)
    assert set(plain) == set(ours)
    differ = {i for i in ours if plain[i] != _class(ours[i]["status"])}
    # plain mutmut forks after the dispatch table was built without the mutant: false survivors
    assert differ and differ <= set(import_time)
    assert all(plain[i] == "survived" for i in differ)
    # the mutant applied by hand is the oracle: every import-time mutant, and a sample of the rest
    sample = import_time + [i for i in ours if i not in import_time][::6]
    for mutant in sample:
        expected = "survived" if by_hand(ws, mutant, tmp_path) == 0 else "killed"
        assert _class(ours[mutant]["status"]) == expected, mutant
    killed = [m for m in ours.values() if m["status"] == "killed"]
    assert killed and all(len(m["killed_by"]) == 1 for m in killed)  # the killer is always known


def _class(status: str) -> str:
    return {"no_coverage": "no tests"}.get(status, status)


def _workspace(tmp_path: Path, files: dict[str, str]) -> tuple[Path, list[str]]:
    """A generated workspace (no scan): its mutants dir and every mutant id."""
    from auditor.mutation.generate import generate
    from auditor.mutation.workspace import prepare
    from auditor.project import load_project

    root = make_project(tmp_path / "proj", files)
    ws, settings = prepare(load_project(root / "tests"))
    generate(ws, settings)
    ids = [
        name
        for meta in (ws / "mutants").rglob("*.py.meta")
        for name in json.loads(meta.read_text())["exit_code_by_key"]
    ]
    return ws / "mutants", ids


def test_the_active_mutant_reaches_a_cli_run_in_a_child_process(tmp_path: Path) -> None:
    mutants, ids = _workspace(tmp_path, {"pkg/cli.py": CLI, "tests/test_cli.py": CLI_TESTS})
    spec = RunnerSpec(mutants=mutants, pytest_args=["-p", "no:randomly"], selection=["tests/"])
    test = "tests/test_cli.py::test_cli_doubles"
    times_two = next(i for i in ids if i.endswith("x_main__mutmut_5"))  # `n * 2` -> `n / 2`
    jobs = [Job("clean", "", [test], 60), Job(times_two, times_two, [test], 60)]
    outcomes = {o.job.id: o for o in run_batch(spec, jobs)}
    assert outcomes["clean"].exit == 0  # the clean workspace passes
    assert outcomes[times_two].exit == 1 and outcomes[times_two].failed == test
    assert by_hand(mutants.parent, times_two, tmp_path) == 1


def test_timeouts_and_kills_are_confirmed_against_measured_clean_runs(tmp_path: Path) -> None:
    from auditor.mutation.campaign import Campaign

    mutants, ids = _workspace(tmp_path, {"pkg/loop.py": LOOP, "tests/test_loop.py": LOOP_TESTS})
    spec = RunnerSpec(
        mutants=mutants, pytest_args=["-p", "no:randomly"], selection=["tests/"], jobs=2
    )
    loop = next(i for i in ids if i.endswith("x_countdown__mutmut_3"))  # `n -= 1` -> `n = 1`
    slow = next(i for i in ids if i.endswith("x_slow_double__mutmut_4"))  # `* 2` -> `* 3`
    slow_same = next(i for i in ids if i.endswith("x_slow_double__mutmut_1"))  # sleep(None)
    broken = next(i for i in ids if i.endswith("x_countdown__mutmut_2"))
    records: dict[str, Any] = {}
    with WarmRunner(spec) as runner:
        # durations as if measured by a much faster command: a 0.3 s test gets a 0.03 s limit
        planner = Planner({}, multiplier=3.0, constant=0.01)
        campaign = Campaign(runner, planner, {}, lambda r: records.__setitem__(r.id, r))
        countdown, doubling = (
            ("pkg.loop.x_countdown", "pkg/loop.py"),
            ("pkg.loop.x_slow_double", "pkg/loop.py"),
        )
        campaign.run(
            [
                Target(loop, *countdown, ["tests/test_loop.py::test_countdown"]),
                Target(slow, *doubling, ["tests/test_loop.py::test_slow_double"]),
                Target(slow_same, *doubling, ["tests/test_loop.py::test_slow_double"]),
                Target(broken, *countdown, ["tests/test_loop.py::test_workspace_sensitive"]),
            ]
        )
    assert verdict_class(records[loop].exit_code) == "timeout"  # confirmed: the clean run is fast
    assert records[slow].exit_code == 1  # the first limit was too short; re-run: a real kill
    assert records[slow_same].exit_code == 1 and not records[slow_same].error
    assert by_hand(mutants.parent, slow, tmp_path) == 1
    # "killed" only by a test that fails with no mutant active either: not a kill
    assert records[broken].exit_code == ERROR_CODE and "no mutant active" in records[broken].error


DRAIN = """def shrink(items):
    items.pop()
    return len(items)


def drain(items):
    while items:
        shrink(items)
    return "empty"


class Box:
    def __init__(self, v):
        self.v = v

    @property
    def double(self):
        x = self.v * 2
        return x
"""

DRAIN_TESTS = """from pkg.drain import Box, drain


def test_drain():
    assert drain([1, 2, 3]) == "empty"


def test_box():
    assert Box(2).double == 4
"""


def test_pseudo_tested_pass_runs_warm_and_a_hanging_variant_counts_as_tested(
    tmp_path: Path,
) -> None:
    """`return None` in shrink() makes drain() loop forever: a time limit, then "tested"."""
    root = make_project(
        tmp_path / "proj", {"pkg/drain.py": DRAIN, "tests/test_drain.py": DRAIN_TESTS}
    )
    (root / "pyproject.toml").write_text(
        '[project]\nname = "pkg"\nversion = "0"\n\n[tool.auditor.mutation]\n'
        "timeout-multiplier = 3.0\ntimeout-constant = 0.5\n"
    )
    card = scan(root)
    pseudo = {p["function"]: p["status"] for p in card["pseudo_tested"]}
    assert pseudo == {
        "shrink": "tested",
        "drain": "tested",
        "Box.__init__": "tested",
        "Box.double": "tested",
    }
    assert not [m for m in card["mutants"] if m["status"] in ("error", "pending")]


HANG_TESTS = """import os
import time


def test_hang():
    with open(os.environ["HANG_PID_FILE"], "w") as fh:
        fh.write(str(os.getpid()))
    time.sleep(600)
"""


def test_closing_the_runner_stops_a_running_test_and_its_process_group(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C in auditor closes the runner: no test may keep running in the background."""
    import os
    import time

    mutants, _ = _workspace(tmp_path, {"pkg/calc.py": CALC, "tests/test_hang.py": HANG_TESTS})
    pid_file = tmp_path / "pid"
    monkeypatch.setenv("HANG_PID_FILE", str(pid_file))
    spec = RunnerSpec(mutants=mutants, pytest_args=["-p", "no:randomly"], selection=["tests/"])
    runner = WarmRunner(spec)
    runner.start()
    runner.submit(Job("hang", "", ["tests/test_hang.py::test_hang"], 600))
    deadline = time.time() + 60
    while not pid_file.is_file() and time.time() < deadline:
        time.sleep(0.1)
    pid = int(pid_file.read_text())
    runner.close()
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.2)
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
