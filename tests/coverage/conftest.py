"""Helpers for the coverage-stage tests: small projects under tmp_path, auditor and the oracles
(plain pytest, plain `coverage run -m pytest`) run on them as subprocesses."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest


def write_tree(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def run_auditor(root: Path, *args: str, timeout: float = 300) -> tuple[int, dict[str, Any], str]:
    """`auditor scan ARGS --format json` in root: (exit code, scorecard or {}, stderr)."""
    proc = subprocess.run(
        [sys.executable, "-m", "auditor", "scan", *args, "--format", "json", "--no-color"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )
    try:
        card = json.loads(proc.stdout)
    except ValueError:
        card = {}
    return proc.returncode, card, proc.stderr + proc.stdout[-2000:]


def plain_pytest(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )


def plain_coverage(root: Path, rc: str, *pytest_args: str) -> dict[str, Any]:
    """The oracle: `coverage run --rcfile=RC -m pytest ARGS` then `coverage json`; returns the
    JSON report (totals and files). `rc` is an rcfile body written next to the project."""
    rcfile = root.parent / f"{root.name}-oracle.coveragerc"
    rcfile.write_text(rc, encoding="utf-8")
    data = root.parent / f"{root.name}-oracle.coverage"
    base = [sys.executable, "-m", "coverage"]
    env_rc = [f"--rcfile={rcfile}"]
    subprocess.run(
        [
            *base,
            "run",
            *env_rc,
            f"--data-file={data}",
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            *pytest_args,
        ],
        cwd=root,
        capture_output=True,
        check=False,
    )
    subprocess.run(
        [*base, "combine", *env_rc, f"--data-file={data}"],
        cwd=root,
        capture_output=True,
        check=False,
    )
    out = root.parent / f"{root.name}-oracle.json"
    subprocess.run(
        [*base, "json", *env_rc, f"--data-file={data}", "-o", str(out)],
        cwd=root,
        capture_output=True,
        check=True,
    )
    report: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return report


def line_percent(card: dict[str, Any]) -> float:
    statements = sum(m["statements"] for m in card["coverage"])
    covered = sum(m["covered"] for m in card["coverage"])
    return 100.0 * covered / statements if statements else 0.0


def oracle_line_percent(report: dict[str, Any]) -> float:
    totals = report["totals"]
    return 100.0 * totals["covered_lines"] / totals["num_statements"]


@pytest.fixture
def project_dir(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    return root
