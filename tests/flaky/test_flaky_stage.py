"""The stage: configuration, --diff scoping, and `auditor scan --only flaky` end to end."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from auditor.config import parse_config
from auditor.errors import ConfigError
from auditor.flaky.diff import changed_tests
from auditor.flaky.schedule import GROUPINGS
from auditor.flaky.settings import Settings
from auditor.project import load_project

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.com",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}
POLLUTER = "import os\n\n\ndef test_polluter():\n    os.environ['AUDITOR_DEMO_MODE'] = 'on'\n"
VICTIM = (
    "import os\n\n\ndef test_victim():\n    assert os.environ.get('AUDITOR_DEMO_MODE') != 'on'\n"
)


def git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(root), *args],
        env={**os.environ, **GIT_ENV},
        check=True,
        capture_output=True,
    )


def test_config_keys_are_validated_and_mapped() -> None:
    config = parse_config({"flaky": {"budget": 2.5, "grouping": "none", "reruns": 4}})
    settings = config.flaky
    assert (settings.budget, settings.grouping, settings.reruns) == (2.5, "none", 4)
    assert settings.xdist is Settings().xdist
    with pytest.raises(ConfigError, match=r"Unknown key 'budjet'.*Did you mean 'budget'"):
        parse_config({"flaky": {"budjet": 2}})
    with pytest.raises(ConfigError, match="grouping must be one of module, class, none"):
        parse_config({"flaky": {"grouping": "file"}})
    with pytest.raises(ConfigError, match="budget must be > 0"):
        parse_config({"flaky": {"budget": 0}})
    with pytest.raises(ConfigError, match="'reruns' must be int"):
        parse_config({"flaky": {"reruns": "3"}})
    from auditor.config import GROUPINGS as CONFIG_GROUPINGS

    assert CONFIG_GROUPINGS == GROUPINGS  # the config's choices are the schedule's


def test_diff_mode_finds_the_changed_tests_and_their_files(tmp_path: Path) -> None:
    root = tmp_path
    (root / "tests").mkdir()
    (root / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    (root / "tests" / "test_a.py").write_text(POLLUTER)
    (root / "tests" / "test_b.py").write_text(VICTIM)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    git(root, "checkout", "-q", "-b", "feature")
    (root / "tests" / "test_b.py").write_text(VICTIM + "\n\ndef test_new():\n    assert True\n")
    (root / "tests" / "helper.py").write_text("X = 1\n")
    project = load_project(root / "tests")
    files, changed = changed_tests(project, "main")
    assert files == ("tests/test_b.py",)
    assert changed == ["tests/test_b.py::test_new"]
    (root / "tests" / "test_b.py").write_text(
        "import sys\n" + VICTIM + "\n\ndef test_new():\n    pass\n"
    )
    assert changed_tests(project, "main")[1] == [
        "tests/test_b.py::test_new",
        "tests/test_b.py::test_victim",
    ]


@pytest.mark.slow
def test_scan_only_flaky_reports_the_verified_polluter(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    (root / "tests").mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        "[project]\nname = 'demo'\nversion = '0'\n\n"
        "[tool.auditor.flaky]\nreruns = 1\nverify-runs = 1\nxdist = false\n"
    )
    (root / "tests" / "test_a.py").write_text(POLLUTER)
    (root / "tests" / "test_b.py").write_text(VICTIM)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "auditor",
            "scan",
            "tests",
            "--only",
            "flaky",
            "--json",
            "card.json",
        ],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    card = json.loads((root / "card.json").read_text())
    [entry] = card["flaky"]
    assert entry["test"] == "tests/test_b.py::test_victim"
    assert (
        entry["kind"] == "order-dependent" and entry["polluter"] == "tests/test_a.py::test_polluter"
    )
    assert entry["state"][0]["name"] == "AUDITOR_DEMO_MODE"
    assert entry["line"] == 4
    assert card["summary"]["flaky_tests"] == 1
    assert "fails when tests/test_a.py::test_polluter runs before it" in " ".join(
        proc.stdout.split()
    )
    stage = next(s for s in card["stages"] if s["name"] == "flaky")
    assert stage["ran"] and "runs" in stage["reason"]
    # a second scan of the unchanged project re-uses every finished run
    again = subprocess.run(
        [
            sys.executable,
            "-m",
            "auditor",
            "scan",
            "tests",
            "--only",
            "flaky",
            "--json",
            "card2.json",
        ],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert again.returncode == 0
    assert json.loads((root / "card2.json").read_text())["flaky"] == card["flaky"]
    assert json.loads((root / "card2.json").read_text())["meta"]["flaky"]["seconds"] == 0


@pytest.mark.slow
def test_diff_mode_reports_a_new_victim_of_an_old_polluter_in_the_pr_comment(
    tmp_path: Path,
) -> None:
    root = tmp_path / "repo"
    (root / "tests").mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        "[project]\nname = 'demo'\nversion = '0'\n\n[tool.auditor.flaky]\n"
        "reruns = 0\ndiff-orders = 0\nverify-runs = 1\nxdist = false\n"
    )
    (root / "tests" / "test_a.py").write_text(POLLUTER)
    (root / "tests" / "test_c.py").write_text("def test_other():\n    assert True\n")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    git(root, "checkout", "-q", "-b", "feature")
    (root / "tests" / "test_b.py").write_text(VICTIM)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "new test")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "auditor",
            "scan",
            "tests",
            "--only",
            "flaky",
            "--diff",
            "main",
            "--json",
            "pr.json",
            "--markdown",
            "pr.md",
        ],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    card = json.loads((root / "pr.json").read_text())
    assert [(f["test"], f["polluter"]) for f in card["flaky"]] == [
        ("tests/test_b.py::test_victim", "tests/test_a.py::test_polluter")
    ]
    assert card["meta"]["flaky"]["changed_tests"] == ["tests/test_b.py::test_victim"]
    markdown = (root / "pr.md").read_text()
    assert "#### New flaky tests" in markdown and "tests/test_b.py::test_victim" in markdown
    assert not (root / ".pytest_cache").exists()
