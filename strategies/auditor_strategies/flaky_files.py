"""Write a `PlantedSuite` out as a real pytest project (for the slow end-to-end tests).

Layout: `pyproject.toml` (pytest `pythonpath = ["."]`), `gtpkg/state.py` (the module whose globals
the "global" channel uses), `tests/conftest.py` (removes stale flag files at session start, so a
"file" channel's state lives exactly as long as one pytest process) and one `tests/test_mN.py` per
module. Racing tests (`PlantedSuite.race`) first meet each other under `pytest -n 2` (start marks
that carry xdist's test-run id), so they overlap however loaded the machine is, then write and
re-read one shared file; when they overlap, every racer fails (deterministic ground truth). Non-deterministic tests either draw `random.random() < q` (`nondeterminism="random"`) or
fail on every other run by a counter kept outside the project (`"alternate"`: a deterministic
stand-in, so an end-to-end test of the non-deterministic path cannot itself be flaky).
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from auditor_strategies.flaky_suites import PlantedSuite, Relation

PYPROJECT = """\
[project]
name = "gtsuite"
version = "0"

[tool.pytest.ini_options]
pythonpath = ["."]
testpaths = ["tests"]
"""

CONFTEST = """\
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def pytest_sessionstart(session):
    for flag in ROOT.glob("gt_*.flag"):
        flag.unlink()
"""

HEADER = """\
import os
import random
import sys
import time
from pathlib import Path

from gtpkg import state

ROOT = Path(__file__).resolve().parent.parent
"""


def _effect(rel: Relation, role: str) -> list[str]:
    """Statements that pollute/set (role "partner") or clean (role "cleaner") the relation's key."""
    value = "dirty" if rel.kind == "victim" else "set"
    name = f"AUDITOR_GT_{rel.key}"
    if rel.channel == "environ":
        return (
            [f"os.environ[{name!r}] = {value!r}"]
            if role == "partner"
            else [f"os.environ.pop({name!r}, None)"]
        )
    if rel.channel == "global":
        return [f"state.{rel.key} = {value!r}" if role == "partner" else f"state.{rel.key} = None"]
    if rel.channel == "cwd":
        return (
            ["(ROOT / 'gt_dir').mkdir(exist_ok=True)", "os.chdir(ROOT / 'gt_dir')"]
            if role == "partner"
            else ["os.chdir(ROOT)"]
        )
    if rel.channel == "sys.path":
        entry = f"/gt/{rel.key}"
        return (
            [f"sys.path.append({entry!r})"]
            if role == "partner"
            else [f"while {entry!r} in sys.path: sys.path.remove({entry!r})"]
        )
    flag = f"gt_{rel.key}.flag"
    return (
        [f"(ROOT / {flag!r}).write_text({value!r})"]
        if role == "partner"
        else [f"(ROOT / {flag!r}).unlink(missing_ok=True)"]
    )


def _check(rel: Relation) -> str:
    """An expression that is true when the relation's key is dirty (victim) / set (brittle)."""
    name = f"AUDITOR_GT_{rel.key}"
    if rel.channel == "environ":
        return f"os.environ.get({name!r}) is not None"
    if rel.channel == "global":
        return f"state.{rel.key} is not None"
    if rel.channel == "cwd":
        return "Path.cwd() != ROOT"
    if rel.channel == "sys.path":
        return f"{f'/gt/{rel.key}'!r} in sys.path"
    return f"(ROOT / {f'gt_{rel.key}.flag'!r}).exists()"


def _body(suite: PlantedSuite, test: str, nondeterminism: str, counter_dir: Path) -> list[str]:
    lines: list[str] = []
    for rel in suite.relations:
        if rel.test == test and rel.kind == "victim":
            lines.append(f"assert not ({_check(rel)}), 'polluted: {rel.channel} {rel.key}'")
        if rel.test == test and rel.kind == "brittle":
            lines.append(f"assert {_check(rel)}, 'needs {rel.channel} {rel.key}'")
    for nod_test, odds in suite.nondeterministic:
        if nod_test != test:
            continue
        if nondeterminism == "random":
            lines.append(f"assert random.random() >= {odds}, 'unlucky draw'")
        else:
            counter = counter_dir / (test.replace("/", "_").replace(":", "_") + ".count")
            lines += [
                f"counter = Path({str(counter)!r})",
                "runs = int(counter.read_text()) + 1 if counter.exists() else 1",
                "counter.write_text(str(runs))",
                "assert runs % 2, 'fails on every other run'",
            ]
    if test in suite.race:
        me = _race_mark(test)
        others = [_race_mark(t) for t in suite.race if t != test]
        lines += [
            # under xdist, meet the other racers of the same test run (their start marks carry
            # xdist's run id) for up to 30 s, so two workers overlap however loaded the machine
            # is; a serial run does not wait. A racer that met another one still running fails,
            # as does one whose write was overwritten: when they overlap, EVERY racer fails, so
            # which one fails never depends on which write came last (a verification re-run
            # sees the same test fail again)
            "run_id = os.environ.get('PYTEST_XDIST_TESTRUNUID')",
            "overlapped = False",
            f"mark = ROOT / {me!r}",
            "if run_id:",
            "    mark.write_text(run_id + ':running')",
            "    deadline = time.time() + 30",
            f"    others = [ROOT / name for name in {others!r}]",
            "    while time.time() < deadline and not any(",
            "        o.exists() and o.read_text().startswith(run_id) for o in others",
            "    ):",
            "        time.sleep(0.05)",
            "    overlapped = any(",
            "        o.exists() and o.read_text() == run_id + ':running' for o in others",
            "    )",
            "shared = ROOT / 'gt_race.txt'",
            f"shared.write_text({test!r})",
            "time.sleep(1.0)",
            f"clobbered = shared.read_text() != {test!r}",
            "if run_id:",
            "    mark.write_text(run_id + ':done')",
            "assert not (overlapped or clobbered), 'another test wrote the shared file'",
        ]
    for rel in suite.relations:
        if rel.partner == test:
            lines += _effect(rel, "partner")
        if test in rel.cleaners:
            lines += _effect(rel, "cleaner")
    return lines or ["assert True"]


def _race_mark(test: str) -> str:
    return "gt_race_" + test.split("::")[-1] + ".mark"


def materialize(suite: PlantedSuite, root: Path, *, nondeterminism: str = "alternate") -> Path:
    """Write the suite under `root` (created); returns `root`. Node ids match `suite.tests`."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    (root / "gtpkg").mkdir(exist_ok=True)
    (root / "gtpkg" / "__init__.py").write_text("", encoding="utf-8")
    keys = sorted({r.key for r in suite.relations if r.channel == "global"})
    (root / "gtpkg" / "state.py").write_text(
        "".join(f"{k} = None\n" for k in keys) or "# no globals planted\n", encoding="utf-8"
    )
    tests_dir = root / "tests"
    tests_dir.mkdir(exist_ok=True)
    (tests_dir / "conftest.py").write_text(CONFTEST, encoding="utf-8")
    counter_dir = root.parent / f"{root.name}-counters"
    counter_dir.mkdir(exist_ok=True)
    modules: dict[str, list[str]] = {}
    for test in suite.tests:
        modules.setdefault(test.split("::")[0], []).append(test)
    for path, tests in modules.items():
        functions, methods = [], []
        for test in tests:
            name = test.split("::")[-1]
            body = _body(suite, test, nondeterminism, counter_dir)
            if "::TestGroup::" in test:
                methods.append(
                    f"    def {name}(self):\n" + textwrap.indent("\n".join(body), " " * 8)
                )
            else:
                functions.append(f"def {name}():\n" + textwrap.indent("\n".join(body), " " * 4))
        source = HEADER + "\n\n" + "\n\n\n".join(functions)
        if methods:
            source += "\n\n\nclass TestGroup:\n" + "\n\n".join(methods)
        (root / path).write_text(source + "\n", encoding="utf-8")
    return root
