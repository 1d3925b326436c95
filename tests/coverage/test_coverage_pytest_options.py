"""Projects whose own pytest options change how the suite runs (issue: confidently wrong numbers).

Each example is compared with the oracle: plain pytest for what passes and what is collected,
plain `coverage run -m pytest` for the line coverage (within one point).
"""

from __future__ import annotations

import importlib.util
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

PKG = {
    "pkg/__init__.py": "",
    "pkg/calc.py": (
        "def add(a, b):\n"
        "    if a > b:\n"
        "        return a + b\n"
        "    return b + a\n"
        "\n"
        "\n"
        "def unused(x):\n"
        "    y = x * 2\n"
        "    z = y + 1\n"
        "    return z\n"
    ),
    "tests/test_calc.py": (
        "from pkg.calc import add\n\n"
        "def test_one():\n    assert add(1, 2) == 3\n\n"
        "def test_two():\n    assert add(2, 1) == 3\n\n"
        "def test_three():\n    assert add(0, 0) == 0\n"
    ),
}
ORACLE_RC = "[run]\nsource = pkg\nbranch = True\n"

needs_xdist = pytest.mark.skipif(
    importlib.util.find_spec("xdist") is None, reason="pytest-xdist is in the test extra"
)
needs_cov = pytest.mark.skipif(
    importlib.util.find_spec("pytest_cov") is None, reason="pytest-cov is in the test extra"
)


@pytest.mark.slow
@needs_xdist
def test_xdist_in_addopts_is_neutralised(project_dir: Path) -> None:
    write_tree(
        project_dir, {**PKG, "pyproject.toml": '[tool.pytest.ini_options]\naddopts = "-n 2"\n'}
    )
    plain = plain_pytest(project_dir)
    assert plain.returncode == 0 and "3 passed" in plain.stdout
    assert "2 workers" in plain.stdout  # the option really is active for plain pytest

    code, card, err = run_auditor(project_dir, "tests", "--only", "coverage")
    assert code == 0, err
    oracle = plain_coverage(project_dir, ORACLE_RC, "-o", "addopts=")
    assert abs(line_percent(card) - oracle_line_percent(oracle)) <= 1.0
    assert sorted(t["id"] for t in card["tests"]) == [
        "tests/test_calc.py::test_one",
        "tests/test_calc.py::test_three",
        "tests/test_calc.py::test_two",
    ]
    assert all(t["covers_lines"] > 0 for t in card["tests"])
    assert [(o["option"], o["source"]) for o in card["pytest_overrides"]] == [
        ("-n 2", "addopts in pyproject.toml")
    ]
    assert "xdist" in card["pytest_overrides"][0]["reason"]


@pytest.mark.slow
@needs_cov
def test_pytest_cov_in_addopts_is_neutralised(project_dir: Path) -> None:
    addopts = "--cov=pkg --cov-branch --cov-report=term-missing --cov-fail-under=95"
    write_tree(project_dir, {**PKG, "setup.cfg": f"[tool:pytest]\naddopts = {addopts}\n"})
    plain = plain_pytest(project_dir)
    assert plain.returncode == 1 and "3 passed" in plain.stdout  # only its fail-under fails
    assert "fail-under" in plain.stdout.lower() or "not reached" in plain.stdout
    for leftover in project_dir.glob(".coverage*"):  # written by plain pytest's pytest-cov
        leftover.unlink()

    code, card, err = run_auditor(project_dir, "tests", "--only", "coverage")
    assert code == 0, err
    oracle = plain_coverage(project_dir, ORACLE_RC, "-o", "addopts=")
    ours = line_percent(card)
    assert 0 < ours < 95
    assert abs(ours - oracle_line_percent(oracle)) <= 1.0
    assert {o["option"] for o in card["pytest_overrides"]} == set(addopts.split())
    assert not list(project_dir.glob(".coverage*"))  # pytest-cov wrote nothing into the tree


@pytest.mark.slow
def test_testpaths_glob_is_expanded_like_pytest(project_dir: Path) -> None:
    files = {
        "pkg/__init__.py": "def one():\n    return 1\n",
        "Tests/SystemData/test_a.py": "from pkg import one\n\ndef test_a():\n    assert one() == 1\n",
        "Tests/SystemData/test_b.py": "def test_b():\n    assert True\n",
        "Tests/other/test_c.py": "def test_c():\n    assert False\n",
        "pyproject.toml": '[tool.pytest.ini_options]\ntestpaths = ["Tests/SystemData/**.py"]\n',
    }
    write_tree(project_dir, files)
    collected = plain_pytest(project_dir, "--collect-only", "-q")
    expected = sorted(line for line in collected.stdout.splitlines() if "::" in line)
    assert expected == ["Tests/SystemData/test_a.py::test_a", "Tests/SystemData/test_b.py::test_b"]

    code, card, err = run_auditor(project_dir, "--only", "coverage")
    assert code == 0, err
    assert sorted(t["id"] for t in card["tests"]) == expected


@pytest.mark.slow
def test_root_sitecustomize_runs_only_when_plain_pytest_runs_it(project_dir: Path) -> None:
    marker = project_dir.parent / "sitecustomize-ran"
    write_tree(
        project_dir,
        {
            **PKG,
            "pyproject.toml": "",
            "sitecustomize.py": f"open({str(marker)!r}, 'a').write('x')\n",
        },
    )
    assert plain_pytest(project_dir).returncode == 0
    assert not marker.exists()  # plain pytest does not run a root sitecustomize.py
    code, _card, err = run_auditor(project_dir, "tests", "--only", "coverage")
    assert code == 0, err
    assert not marker.exists()
