"""End to end on a generated git repository: `scan --diff BASE` mutates only the change.

The base commit holds a small, well-tested package. The change adds a weakly tested branch to
`discount` (the cap at 0.5 is never checked at the boundary), so `rate > 0.5` -> `rate >= 0.5`
survives on a changed line, while `add`/`mul` are not mutated at all.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pr_gitrepo import commit, git, init_repo, write

pytestmark = pytest.mark.slow

PYPROJECT = """[project]
name = "shop"
version = "0.0.1"

[tool.pytest.ini_options]
testpaths = ["tests"]

[tool.auditor.mutation]
pseudo-tested = false  # not what this test is about; keeps the four real runs short
"""

BASE_CODE = """def add(a, b):
    return a + b


def mul(a, b):
    return a * b


def discount(price, rate):
    return price * (1 - rate)
"""

BASE_TESTS = """from shop.core import add, discount, mul


def test_add():
    assert add(2, 3) == 5
    assert add(-1, 1) == 0


def test_mul():
    assert mul(2, 3) == 6
    assert mul(0, 5) == 0


def test_discount():
    assert discount(100, 0.25) == 75
"""

CHANGED_CODE = BASE_CODE.replace(
    "def discount(price, rate):\n",
    "def discount(price, rate):\n    if rate > 0.5:\n        rate = 0.5\n",
)
CHANGED_TESTS = BASE_TESTS + (
    "\n\ndef test_discount_is_capped():\n    assert discount(100, 0.9) == 50\n"
    "\n\ndef test_discount_self():\n    result = discount(100, 0.1)\n    assert result == result\n"
)
LEGACY_TESTS = "from shop.core import mul\n\n\ndef test_mul_runs():\n    mul(2, 2)\n"


def run_cli(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "auditor", *args],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def load(path: Path) -> dict[str, Any]:
    return dict(json.loads(path.read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("shop")
    init_repo(
        root,
        {
            "pyproject.toml": PYPROJECT,
            "shop/__init__.py": "",
            "shop/core.py": BASE_CODE,
            "tests/test_core.py": BASE_TESTS,
            "tests/test_legacy.py": LEGACY_TESTS,
            ".gitignore": ".auditor/\nmutants/\n",
        },
    )
    git(root, "checkout", "-q", "-b", "feature")
    write(root, {"shop/core.py": CHANGED_CODE, "tests/test_core.py": CHANGED_TESTS})
    commit(root, "cap the discount")
    return root


@pytest.fixture(scope="module")
def pr_run(repo: Path) -> dict[str, Any]:
    result = run_cli(
        repo,
        "scan",
        "tests",
        "--diff",
        "main",
        "--skip",
        "properties,flaky",
        "--json",
        "pr.json",
        "--markdown",
        "pr.md",
        "--format",
        "json",
        "--jobs",
        "2",
    )
    assert result.returncode == 0, result.stderr
    return load(repo / "pr.json")


def test_survivor_on_the_changed_line_is_surfaced(pr_run: dict[str, Any]) -> None:
    patch = pr_run["patch"]
    assert patch["lines"] == {"shop/core.py": "10-11", "tests/test_core.py": "16-24"}
    by_id = {m["id"]: m for m in pr_run["mutants"]}
    surfaced = [by_id[i] for i in patch["surfaced_survivors"]]
    assert any(m["line"] == 10 and ">=" in m["diff"] for m in surfaced), surfaced
    assert all(m["path"] == "shop/core.py" and m["line"] in (10, 11) for m in surfaced)
    assert patch["mutation_score"] is not None and patch["mutation_score"] < 100
    assert patch["coverage"] == 100.0


def test_only_findings_in_changed_test_files_are_new(pr_run: dict[str, Any]) -> None:
    paths = {f["path"] for f in pr_run["findings"]}
    assert {"tests/test_core.py", "tests/test_legacy.py"} <= paths, pr_run["findings"]
    assert pr_run["patch"]["new_findings"] == sum(
        1 for f in pr_run["findings"] if f["path"] == "tests/test_core.py"
    )


def test_unchanged_code_is_not_mutated(pr_run: dict[str, Any]) -> None:
    changed = {10, 11}
    ran = [m for m in pr_run["mutants"] if m["status"] != "skipped"]
    assert ran and all(m["line"] in changed or (m["end_line"] or 0) >= 10 for m in ran)
    outside = [m for m in pr_run["mutants"] if m["function"] in ("add", "mul") or m["line"] < 9]
    assert outside, "mutmut generated no mutants for add/mul: the test would prove nothing"
    assert all(
        m["status"] == "skipped" and m["reason"] == "not changed since main" for m in outside
    )
    # mutmut was asked to run only the mutants on the change
    assert pr_run["meta"]["mutation"]["run_now"] == len(ran)


def test_comment_shows_the_survivor_with_its_diff(repo: Path, pr_run: dict[str, Any]) -> None:
    result = run_cli(repo, "pr-comment", "--scorecard", "pr.json")
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert text == (repo / "pr.md").read_text(encoding="utf-8")
    assert "**Patch mutation score" in text and "**Patch coverage 100.0%**" in text
    assert "`shop/core.py:10`" in text
    assert "```diff" in text and ">= 0.5" in text
    assert "mutants skipped: not changed since main" in text
    new_section = text[text.index("#### New findings in changed test files") :]
    assert "tests/test_core.py:" in new_section and "tests/test_legacy.py" not in new_section


def test_two_shards_merge_into_the_single_run(repo: Path, pr_run: dict[str, Any]) -> None:
    for k in (1, 2):
        result = run_cli(
            repo,
            "scan",
            "tests",
            "--diff",
            "main",
            "--skip",
            "properties,flaky",
            "--shard",
            f"{k}/2",
            "--json",
            f"shard{k}.json",
            "--format",
            "json",
            "--jobs",
            "2",
            "--no-cache",
        )
        assert result.returncode == 0, result.stderr
    result = run_cli(repo, "merge", "shard1.json", "shard2.json", "--json", "merged.json")
    assert result.returncode == 0, result.stderr
    merged = load(repo / "merged.json")
    assert {m["id"]: m["status"] for m in merged["mutants"]} == {
        m["id"]: m["status"] for m in pr_run["mutants"]
    }
    for key in ("mutation_score", "surfaced_survivors", "hidden_survivors", "coverage"):
        assert merged["patch"][key] == pr_run["patch"][key]
    assert merged["summary"]["mutation_score"] == pr_run["summary"]["mutation_score"]
