"""One real `auditor scan` run writes every format; each output is validated.

The fast test runs the static stage only; the slow one runs the real engines (coverage.py and
mutmut) on a tiny generated project, so the mutation report, SARIF mutation run, badge and HTML
show real mutants.
"""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from report_cards import REPO_ROOT, schema

PYPROJECT = """\
[project]
name = "tinycalc"
version = "0.0.1"

[tool.pytest.ini_options]
testpaths = ["tests"]
"""
SOURCE = """\
def is_adult(age):
    return age >= 18


def clamp(value, low, high):
    if value < low:
        return low
    if value > high:
        return high
    return value
"""
TESTS = """\
from tinycalc.core import clamp, is_adult


def test_is_adult():
    assert is_adult(30)


def test_clamp_low():
    assert clamp(-5, 0, 10) == 0


def test_clamp_runs():
    clamp(50, 0, 10)
"""
FORMATS = {
    "json": "card.json",
    "html": "report.html",
    "sarif": "report.sarif",
    "mutation-report": "mutation.json",
    "badge": "badge.json",
    "junit": "junit.xml",
}


def _project(root: Path) -> Path:
    root.mkdir(parents=True)
    (root / "pyproject.toml").write_text(PYPROJECT)
    (root / "tinycalc").mkdir()
    (root / "tinycalc" / "__init__.py").write_text("")
    (root / "tinycalc" / "core.py").write_text(SOURCE)
    (root / "tests").mkdir()
    (root / "tests" / "test_core.py").write_text(TESTS)
    return root


def _scan(root: Path, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    flags = [arg for fmt, name in FORMATS.items() for arg in (f"--{fmt}", str(out / name))]
    return subprocess.run(
        [sys.executable, "-m", "auditor", "scan", "tests", *flags, "--no-color", *extra],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def _validate_all(out: Path) -> dict[str, Any]:
    card = json.loads((out / "card.json").read_text())
    card_schema = json.loads((REPO_ROOT / "docs" / "scorecard.schema.json").read_text())
    jsonschema.Draft7Validator(card_schema).validate(card)
    sarif = json.loads((out / "report.sarif").read_text())
    jsonschema.Draft4Validator(schema("sarif-schema-2.1.0.json")).validate(sarif)
    mutation = json.loads((out / "mutation.json").read_text())
    jsonschema.Draft7Validator(schema("mutation-testing-report-schema.json")).validate(mutation)
    badge = json.loads((out / "badge.json").read_text())
    assert badge["schemaVersion"] == 1 and badge["color"] in {
        "red",
        "orange",
        "green",
        "brightgreen",
    }
    junit = ET.parse(out / "junit.xml").getroot()
    assert junit.tag == "testsuites"
    page = (out / "report.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and "auditor scorecard" in page
    return {
        "card": card,
        "sarif": sarif,
        "mutation": mutation,
        "badge": badge,
        "junit": junit,
        "html": page,
    }


def test_static_scan_writes_every_format(tmp_path: Path) -> None:
    root = _project(tmp_path / "proj")
    out = tmp_path / "out"
    done = _scan(
        root,
        out,
        "--only",
        "static",
        "--fail-under",
        "errors=0",
        "--fail-under",
        "mutation_score=50",
    )
    assert done.returncode == 1, (
        done.stderr
    )  # the mutation gate cannot pass without a mutation stage
    stdout = " ".join(done.stdout.split())  # the console wraps long lines
    assert "mutation_score >= 50 (--fail-under mutation_score=50) cannot be checked" in stdout
    reports = _validate_all(out)
    summary = reports["card"]["summary"]
    assert summary["score_basis"].startswith("static only")
    assert summary["mutation_score"] is None and reports["mutation"]["files"] == {}
    assert [g["passed"] for g in reports["card"]["meta"]["gates"]] == [True, False]
    assert [tc.get("name") for tc in reports["junit"].iter("testcase")][:2] == [
        "errors (--fail-under errors=0)",
        "mutation_score (--fail-under mutation_score=50)",
    ]
    assert "static only" in done.stdout
    # the scan was recorded for the trend and the ratchet
    history = (root / ".auditor" / "history.jsonl").read_text().splitlines()
    assert len(history) == 1 and json.loads(history[0])["stages"] == ["static"]


def test_unknown_gate_metric_fails_before_scanning(tmp_path: Path) -> None:
    root = _project(tmp_path / "proj")
    done = _scan(root, tmp_path / "out", "--only", "static", "--fail-under", "coverage=80")
    assert done.returncode == 2
    assert "Unknown quality-gate metric 'coverage'" in done.stderr
    assert not (root / ".auditor" / "history.jsonl").exists()


@pytest.mark.slow
def test_full_scan_writes_every_format_with_real_mutants(tmp_path: Path) -> None:
    root = _project(tmp_path / "proj")
    out = tmp_path / "out"
    done = _scan(root, out, "--skip", "properties", "--jobs", "2")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    reports = _validate_all(out)
    summary = reports["card"]["summary"]
    assert summary["mutation_score"] is not None and summary["line_coverage"] is not None
    mutants = summary["mutants"]
    assert mutants["total"] > 0 and mutants["survived"] > 0  # test_clamp_runs checks nothing
    assert reports["badge"]["label"] == "mutation score"
    assert reports["badge"]["message"] == f"{summary['mutation_score']:.1f}%"
    files = reports["mutation"]["files"]
    assert list(files) == ["tinycalc/core.py"] and files["tinycalc/core.py"]["source"] == SOURCE
    statuses = [m["status"] for m in files["tinycalc/core.py"]["mutants"]]
    assert statuses.count("Survived") == mutants["survived"]
    runs = {run["automationDetails"]["id"]: run for run in reports["sarif"]["runs"]}
    assert len(runs["auditor/mutation/"]["results"]) >= mutants["survived"]
    assert "Surviving mutants" in reports["html"]


def test_ratchet_fails_when_a_metric_drops_below_the_last_scan(tmp_path: Path) -> None:
    root = _project(tmp_path / "proj")
    first = _scan(root, tmp_path / "out1", "--only", "static", "--ratchet")
    assert first.returncode == 0, first.stdout + first.stderr  # nothing recorded yet: passes
    (root / "tests" / "test_more.py").write_text(
        "from tinycalc.core import is_adult\n\n\n"
        "def test_nothing_checked():\n    is_adult(3) == False\n"
    )
    second = _scan(root, tmp_path / "out2", "--only", "static", "--ratchet")
    assert second.returncode == 1
    text = " ".join(second.stdout.split())
    assert "ratchet: errors went from 0" in text and "to 1." in text
    assert len((root / ".auditor" / "history.jsonl").read_text().splitlines()) == 2
