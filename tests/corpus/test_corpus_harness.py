"""The real-project harness (benchmarks/corpus): its registry and its pure parts.

Slow tests download one small sdist (skipped offline) and build throw-away venvs; nothing here
installs a corpus project.
"""

from __future__ import annotations

import json
import os
import re
import sys
import textwrap
import time
from pathlib import Path

import pytest

from benchmarks.corpus import env, oracle, procs, registry, scan, table, traits

# traits the issues name, each of which at least one pinned project must have
NEEDED = {
    "pytest-cov-addopts",
    "cov-fail-under",
    "xdist-addopts",
    "tests-in-package",
    "src-layout",
    "subprocess-cli",
    "importorskip",
    "importorskip-module",
    "collect-ignore",
    "norecursedirs",
    "python-files",
    "native-tool-pytest",
    "unittest-testcase",
    "doctest-modules",
    "randomly",
    "vendored-code",
}
ISSUE_PROJECTS = {
    "iso8601",
    "cachetools",
    "parse",
    "isodate",
    "schema",
    "python-slugify",
    "humanize",
}


# --- registry ---------------------------------------------------------------------------------


def test_registry_pins_each_project_once_with_a_sha256() -> None:
    names = [p.name.lower() for p in registry.PROJECTS]
    assert len(names) == len(set(names)) >= 14
    for p in registry.PROJECTS:
        assert re.fullmatch(r"[0-9a-f]{64}", p.sha256), p.name
        assert re.fullmatch(r"\d+(\.\d+)+", p.version), p.name
        assert p.traits <= set(registry.TRAITS), p.traits - set(registry.TRAITS)
        assert p.package and p.test_requires


def test_registry_covers_the_traits_and_projects_the_issues_name() -> None:
    have = set().union(*(p.traits for p in registry.PROJECTS))
    assert have >= NEEDED, NEEDED - have
    assert {p.name for p in registry.PROJECTS} >= ISSUE_PROJECTS
    assert len([p for p in registry.PROJECTS if not p.heavy]) >= 8


def test_each_neutralising_argument_has_its_reason() -> None:
    for p in registry.PROJECTS:
        assert bool(p.neutralise) == bool(p.neutralise_why), p.name
    cov = [p for p in registry.PROJECTS if "pytest-cov-addopts" in p.traits]
    assert cov and all("--no-cov" in p.neutralise for p in cov)
    xdist = [p for p in registry.PROJECTS if "xdist-addopts" in p.traits]
    assert xdist and all("-n" in p.neutralise for p in xdist)


def test_select_and_get() -> None:
    assert registry.select("all") == list(registry.PROJECTS)
    assert all(not p.heavy for p in registry.select("light"))
    assert registry.get("JINJA2").name == "Jinja2"
    assert registry.get("python-slugify").sdist_stem == "python_slugify-9.2.0"
    with pytest.raises(KeyError, match="known:"):
        registry.get("no-such-project")


# --- pytest output parsing ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("output", "expected"),
    [
        ("....\n12 passed in 0.34s\n", {"passed": 12}),
        ("3 failed, 10 passed, 1 warning in 0.40s", {"failed": 3, "passed": 10, "warning": 1}),
        ("===== 5 passed, 2 warnings in 1.00s =====", {"passed": 5, "warning": 2}),
        (
            "1 passed, 1 skipped, 2 xfailed, 1 xpassed, 3 errors in 2.50s (0:00:02)",
            {"passed": 1, "skipped": 1, "xfailed": 2, "xpassed": 1, "error": 3},
        ),
        ("no tests ran in 0.01s", {}),
        ("Traceback (most recent call last):\nKeyboardInterrupt\n", None),
        ("5 passed in 1s\nsomething\n2 failed, 3 passed in 2.0s", {"failed": 2, "passed": 3}),
        ("2 workers [10 items]\n..........\n10 passed in 3.1s", {"passed": 10}),
        ("476 passed, 24 subtests passed in 4.67s", {"passed": 476, "subtests_passed": 24}),
        ("\x1b[32m\x1b[1m140 passed\x1b[0m\x1b[32m in 8.06s\x1b[0m", {"passed": 140}),
    ],
)
def test_parse_summary(output: str, expected: dict[str, int] | None) -> None:
    assert oracle.parse_summary(output) == expected


def test_parse_summary_ignores_lines_that_only_contain_numbers_and_words() -> None:
    assert oracle.parse_summary("collected 3 items\nthe 2 tests in the file") is None


def test_parse_collect_keeps_node_ids_whose_file_exists(tmp_path: Path) -> None:
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_a.py").write_text("")
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "mod.py").write_text("")
    output = textwrap.dedent("""\
        tests/test_a.py::test_one
        tests/test_a.py::test_param[a b-1]
        tests/test_a.py::TestX::test_m
        pkg/mod.py::pkg.mod.function
        elsewhere.py::not_a_file_here
        ERROR tests/test_b.py - ImportError: nope

        5/7 tests collected (2 deselected) in 0.05s
        """)
    got = oracle.parse_collect(output, tmp_path)
    assert got["node_ids"] == [
        "tests/test_a.py::test_one",
        "tests/test_a.py::test_param[a b-1]",
        "tests/test_a.py::TestX::test_m",
        "pkg/mod.py::pkg.mod.function",
    ]
    assert got["files"] == ["pkg/mod.py", "tests/test_a.py"]
    assert got["count"] == 5
    assert got["errors"] == ["ERROR tests/test_b.py - ImportError: nope"]


def test_parse_collect_without_a_count_line_counts_the_ids() -> None:
    assert oracle.parse_collect("a.py::t1\na.py::t2\n")["count"] == 2


@pytest.mark.parametrize(
    ("addopts", "flags"),
    [([], 1), (["-v"], 2), (["-vv", "--tb=short"], 3), (["-q"], 1), (["--verbose", "-v"], 3)],
)
def test_quiet_flags_reach_verbosity_minus_one(addopts: list[str], flags: int) -> None:
    assert oracle.quiet_flags(addopts) == ["-q"] * flags


# --- the table ----------------------------------------------------------------------------


def _oracle(exit_code: int = 0, line: float = 90.0, collected: int = 10) -> dict:
    return {
        "pytest": {"exit_code": exit_code, "counts": {"passed": 9, "skipped": 1}},
        "collect": {"count": collected, "files": ["tests/test_a.py"]},
        "coverage": {"line_percent": line},
    }


def _record(exit_code: int = 0, card: dict | None = None, **kw: object) -> dict:
    base = {
        "exit_code": exit_code,
        "seconds": 12.3,
        "timed_out": False,
        "traceback": False,
        "scorecard": card,
    }
    base.update(kw)
    return base


def _card(line: float = 90.0, tests: int = 10, mutants: dict | None = None) -> dict:
    return {
        "summary": {
            "line_coverage": line,
            "mutants": mutants,
            "findings": {"error": 1, "warning": 2, "info": 0},
        },
        "tests": [{"id": f"t{i}"} for i in range(tests)],
        "meta": {"static": {"files": 1, "tests": 9}},
        "stages": [],
    }


def test_diagnose_flags_exit_3_when_plain_pytest_passes_and_coverage_gaps() -> None:
    notes = table.diagnose(_oracle(line=96.6), _record(3, _card(line=0.0, tests=7)))
    assert "exit 3 although plain pytest passes" in notes
    assert "line coverage 0.0 vs 96.6" in notes
    assert "0.0% line coverage" in notes
    assert "7 test items vs 10 collected" in notes


def test_diagnose_is_quiet_when_auditor_agrees_with_the_oracle() -> None:
    assert table.diagnose(_oracle(line=90.0), _record(0, _card(line=90.4))) == []


def test_diagnose_exit_3_is_not_flagged_when_pytest_fails_too() -> None:
    assert table.diagnose(_oracle(exit_code=1), _record(3, None)) == ["no scorecard"]


def test_diagnose_reports_timeouts_and_kills() -> None:
    mutants = {"total": 100, "killed": 50, "timeout": 35, "survived": 15}
    notes = table.diagnose(
        _oracle(),
        _record(None, _card(mutants=mutants), timed_out=True, traceback=True, seconds=1800.0),
    )
    assert notes[:2] == ["killed at time limit (1800s)", "traceback in output"]
    assert "35/100 mutants timeout" in notes


def test_diagnose_reports_an_oracle_coverage_run_that_failed() -> None:
    truth = _oracle()
    truth["coverage"].update(line_percent=None, exit_code=-15, error="coverage json: No data")
    assert table.diagnose(truth, None) == [
        "oracle coverage run: exit -15 (coverage json: No data)",
        "not scanned",
    ]


def test_row_and_render() -> None:
    mutants = {"total": 10, "killed": 7, "survived": 2, "no_coverage": 1, "timeout": 0}
    card = _card(line=88.0, mutants=mutants)
    card["unmutated"] = [{"path": "a.py"}] * 3
    r = table.row("demo-1.0", _oracle(line=90.0), _record(0, card))
    assert r[table.COLUMNS.index("pytest")] == "exit 0: 9p 1s"
    assert r[table.COLUMNS.index("Δ cov")] == "-2.0"
    assert r[table.COLUMNS.index("mutants")] == "10: 7k 2s 1nc"
    assert r[table.COLUMNS.index("unmutated")] == "3"
    assert r[table.COLUMNS.index("verified")] == "n/a"
    assert r[table.COLUMNS.index("findings E/W/I")] == "1/2/0"
    text = table.render([r, table.row("missing-1.0", None, None)])
    lines = text.splitlines()
    assert len(lines) == 4 and all(
        line.count(" | ") == len(table.COLUMNS) - 1 for line in lines if not line.startswith("|--")
    )
    assert "not scanned" in lines[-1]


def test_render_escapes_pipes() -> None:
    assert "a \\| b" in table.render([["a | b"] + [""] * (len(table.COLUMNS) - 1)])


# --- scan helpers -------------------------------------------------------------------------


def test_label_for() -> None:
    assert scan.label_for(["--only", "static,coverage"], None) == "only-static-coverage"
    assert scan.label_for([], None) == "full"
    assert scan.label_for([], 200) == "full-m200"


def test_has_traceback() -> None:
    assert scan.has_traceback("x\nTraceback (most recent call last):\n  File ...")
    assert scan.has_traceback("│ FileNotFoundError: Could not figure out where the code is │")
    assert scan.has_traceback("mutmut.MutmutError: boom")
    assert not scan.has_traceback("error: pytest collected no tests under tests (exit code 3)")
    assert not scan.has_traceback("TQ107 `except Exception: pass` swallows the failure")


def test_add_budget_appends_and_never_overwrites(tmp_path: Path) -> None:
    scan.add_budget(tmp_path, 50)
    import tomllib

    data = tomllib.loads((tmp_path / "pyproject.toml").read_text())
    assert data["tool"]["auditor"]["mutation"]["max-mutants"] == 50
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    scan.add_budget(tmp_path, 7)
    data = tomllib.loads((tmp_path / "pyproject.toml").read_text())
    assert (
        data["project"]["name"] == "x" and data["tool"]["auditor"]["mutation"]["max-mutants"] == 7
    )
    with pytest.raises(ValueError, match="already has"):
        scan.add_budget(tmp_path, 9)


# --- trait detection ----------------------------------------------------------------------


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


def _project(**kw: object) -> registry.Project:
    fields = {
        "name": "demo",
        "version": "1.0",
        "sha256": "0" * 64,
        "package": "demo",
        "tests": "tests",
        "test_requires": ("pytest",),
        "traits": frozenset(),
    }
    fields.update(kw)
    return registry.Project(**fields)  # type: ignore[arg-type]


def test_detect_reads_native_tool_pytest_and_test_sources(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "pyproject.toml": """\
            [tool.pytest]
            addopts = ["-n", "logical", "--cov=demo", "--cov-fail-under=90"]
            python_files = ["check_*.py"]
            testpaths = ["tests/**"]
            """,
            "src/demo/__init__.py": "",
            "src/demo/_vendor/lib.py": "",
            "tests/conftest.py": "collect_ignore_glob = ['*_old.py']\n",
            "tests/check_cli.py": """\
            import subprocess, sys
            import pytest
            np = pytest.importorskip("numpy")
            def test_cli():
                subprocess.run([sys.executable, "-m", "demo"])
            """,
            "tests/test_ignored_by_python_files.py": "import unittest\nclass T(unittest.TestCase): pass\n",
        },
    )
    found = traits.detect(_project(test_requires=("pytest-randomly>=3",)), tmp_path)
    assert found == {
        "config-pyproject",
        "native-tool-pytest",
        "xdist-addopts",
        "pytest-cov-addopts",
        "cov-fail-under",
        "python-files",
        "testpaths-glob",
        "src-layout",
        "vendored-code",
        "collect-ignore",
        "subprocess-cli",
        "importorskip",
        "importorskip-module",
        "randomly",
    }


def test_detect_config_precedence_and_tests_in_package(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "pytest.ini": "[pytest]\naddopts = --doctest-modules --ignore=build -W error\n",
            "pyproject.toml": "[tool.pytest.ini_options]\naddopts = '-n 2'\n",
            "demo/__init__.py": "",
            "demo/test_demo.py": "def test_x():\n    assert True\n",
        },
    )
    found = traits.detect(_project(), tmp_path)
    assert found == {
        "config-pytest-ini",
        "doctest-modules",
        "ignore-addopts",
        "filterwarnings-error",
        "tests-in-package",
    }


def test_detect_tox_ini_setup_cfg_and_no_config(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "setup.cfg": "[tool:pytest]\nnorecursedirs = data\n",
            "tox.ini": "[tox]\nenvlist = py\n",
            "test_demo.py": "",
            "demo.py": "",
        },
    )
    assert traits.detect(_project(), tmp_path) == {
        "config-setup-cfg",
        "norecursedirs",
        "single-module-tests",
    }
    (tmp_path / "tox.ini").write_text("[pytest]\nasyncio_mode = auto\n")
    assert "config-tox-ini" in traits.detect(_project(), tmp_path)
    other = tmp_path / "other"
    _write(other, {"tests/test_a.py": ""})
    assert "no-pytest-config" in traits.detect(_project(), other)


# --- processes ----------------------------------------------------------------------------


def test_run_kills_the_whole_process_group_at_the_time_limit(tmp_path: Path) -> None:
    pidfile = tmp_path / "child.pid"
    script = (
        "import subprocess, sys, time\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
        f"open({str(pidfile)!r}, 'w').write(str(child.pid))\n"
        "time.sleep(60)\n"
    )
    done = procs.run([sys.executable, "-c", script], timeout=2)
    assert done.timed_out and done.returncode is None and done.seconds < 20
    child = int(pidfile.read_text())
    for _ in range(50):  # the grandchild is gone (reaped by init shortly after the kill)
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            break
        if Path(f"/proc/{child}/stat").read_text().split()[2] == "Z":
            break
        time.sleep(0.1)
    else:
        pytest.fail("grandchild still running")


def test_run_captures_output_and_exit_code() -> None:
    done = procs.run([sys.executable, "-c", "import sys; print('out'); sys.exit(4)"], timeout=30)
    assert (done.returncode, done.stdout.strip(), done.timed_out) == (4, "out", False)


# --- cache environment (slow: real downloads and venvs) -------------------------------------


@pytest.mark.slow
def test_download_verifies_sha256_and_traits_match_the_registry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(env.ENV_VAR, str(tmp_path))
    project = registry.get("iso8601")  # 6.5 kB
    try:
        tree = env.pristine(project)
    except env.SetupError as exc:
        pytest.skip(f"PyPI unreachable: {exc}")
    assert traits.detect(project, tree) == project.traits
    bad = registry.Project(**{**project.__dict__, "sha256": "f" * 64})
    with pytest.raises(env.SetupError, match="does not match the pinned"):
        env.download(bad)


@pytest.mark.slow
def test_runner_layers_another_auditor_checkout_on_a_shared_venv(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(env.ENV_VAR, str(tmp_path / "cache"))
    project = registry.get("schema")
    venv = env.venv_dir(project)
    assert (
        procs.run(
            [sys.executable, "-m", "venv", "--without-pip", str(venv)], timeout=120
        ).returncode
        == 0
    )
    site = env._purelib(env.venv_python(project))
    (site / "shared_dep.py").write_text("VALUE = 1\n")
    checkouts = {}
    for name in ("main", "branch"):
        repo = tmp_path / name
        _write(repo, {"auditor/__init__.py": f"WHERE = {name!r}\n"})
        checkouts[name] = repo
    (site / "_editable_impl_auditor.pth").write_text(f"{checkouts['main']}\n")
    (venv / "corpus.json").write_text(json.dumps({"auditor": str(checkouts["main"])}))
    assert env.runner_python(project, checkouts["main"]) == env.venv_python(project)
    runner = env.runner_python(project, checkouts["branch"])
    done = procs.run(
        [str(runner), "-c", "import auditor, shared_dep; print(auditor.WHERE, shared_dep.VALUE)"],
        cwd=tmp_path,
        env=env.run_env(runner),
        timeout=60,
    )
    assert done.stdout.split() == ["branch", "1"], done.tail()
    isolated = procs.run(
        [str(runner), "-I", "-c", "import auditor; print(auditor.WHERE)"], cwd=tmp_path, timeout=60
    )
    assert isolated.stdout.strip() == "branch"  # `python -I` workers see the same checkout


def test_diagnose_names_source_discovery_faults() -> None:
    truth = _oracle()
    truth["collect"]["node_ids"] = [
        "pkg/test_pkg.py::test_a",
        "pkg/core.py::pkg.core.parse",  # a doctest: not a test module
        "tests/test_b.py::TestB::test_c[1]",
    ]
    card = _card(line=90.0)
    card["project"] = {"source": []}
    card["modules"] = [{"path": "/venv/auditor/api.py"}, {"path": "pkg/test_pkg.py"}]
    card["meta"]["static"]["files"] = 1
    assert oracle.test_module_files(truth["collect"]["node_ids"]) == [
        "pkg/test_pkg.py",
        "tests/test_b.py",
    ]
    notes = table.diagnose(truth, _record(0, card))
    assert "no source discovered" in notes
    assert "1 modules outside the project measured (e.g. /venv/auditor/api.py)" in notes
    assert "1 test modules measured as source" in notes
    assert "static analysed 1 files, pytest collects tests from 2" in notes
    card["meta"]["static"]["files"] = 3  # conftest / helpers: not flagged
    assert not any("static" in n for n in table.diagnose(truth, _record(0, card)))
    card["meta"]["static"]["files"] = 40  # data files analysed as test modules
    assert "static analysed 40 files, pytest collects tests from 2" in table.diagnose(
        truth, _record(0, card)
    )
