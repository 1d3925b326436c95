"""--sarif: SARIF 2.1.0 that GitHub code scanning accepts, with content-based fingerprints."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from report_cards import make_full_card, schema

from auditor import score
from auditor.config import Config
from auditor.model import Finding, Scorecard
from auditor.reports import sarif


def _validate(data: dict[str, Any]) -> None:
    jsonschema.Draft4Validator(schema("sarif-schema-2.1.0.json")).validate(data)


def _github_required(data: dict[str, Any]) -> None:
    """Every property GitHub code scanning requires, non-empty (docs/reports.md)."""
    assert data["$schema"] and data["version"] == "2.1.0"
    for run in data["runs"]:
        driver = run["tool"]["driver"]
        assert driver["name"] == "auditor"
        ids = [rule["id"] for rule in driver["rules"]]
        assert len(ids) == len(set(ids))
        for rule in driver["rules"]:
            for key in ("shortDescription", "fullDescription", "help"):
                assert rule[key]["text"].strip()
            assert len(rule["shortDescription"]["text"]) <= 1024
        for result in run["results"]:
            assert result["message"]["text"].strip()
            assert result["partialFingerprints"]["primaryLocationLineHash"]
            assert result["ruleId"] in ids
            region = result["locations"][0]["physicalLocation"]["region"]
            assert {"startLine", "startColumn", "endLine", "endColumn"} <= set(region)
            uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            assert not uri.startswith("/")


def test_static_and_mutation_runs_validate(full_card: Scorecard, project_root: Path) -> None:
    data = json.loads(sarif.render(full_card, root=project_root))
    _validate(data)
    _github_required(data)
    ids = [run["automationDetails"]["id"] for run in data["runs"]]
    assert ids == ["auditor/static/", "auditor/mutation/"]
    static, mutation = data["runs"]
    assert [r["ruleId"] for r in static["results"]] == ["TQ001", "TQ101"]
    assert static["results"][0]["level"] == "error"
    hashes = [r["partialFingerprints"]["primaryLocationLineHash"] for r in static["results"]]
    assert hashes == ["fp-tq001-a", "fp-tq101-b"]  # the finding's content fingerprint
    assert [r["ruleId"] for r in mutation["results"]] == ["MUT001", "MUT002"]
    survivor = mutation["results"][0]
    assert survivor["locations"][0]["physicalLocation"]["region"]["startColumn"] == 16
    assert "is_adult(age=18)" in survivor["message"]["text"]


def test_missing_end_column_is_taken_from_the_file(
    static_card: Scorecard, project_root: Path
) -> None:
    data = json.loads(sarif.render(static_card, root=project_root))
    warning = data["runs"][0]["results"][1]  # TQ101 at line 9 col 5, no end given
    region = warning["locations"][0]["physicalLocation"]["region"]
    line = (project_root / "tests" / "test_core.py").read_text().splitlines()[8]
    assert region == {"startLine": 9, "startColumn": 5, "endLine": 9, "endColumn": len(line) + 1}


def test_mutant_fingerprint_ignores_line_numbers() -> None:
    card = make_full_card()
    before = sarif.mutant_fingerprint(card.mutants[0])
    card.mutants[0].line = 40
    card.mutants[0].diff = card.mutants[0].diff.replace("@@ -2 +2 @@", "@@ -40 +40 @@")
    assert sarif.mutant_fingerprint(card.mutants[0]) == before
    assert sarif.mutant_fingerprint(card.mutants[1]) != before


def test_rule_metadata_comes_from_the_registry(
    monkeypatch: pytest.MonkeyPatch, static_card: Scorecard
) -> None:
    class AssertionFree:
        """Flags tests without an assertion.

        Why it matters:
            A test without an assertion can only fail by crashing.
        """

        code, name, severity, tier = "TQ001", "assertion-free-test", "error", "P"
        summary = "Test function contains no assertion"

        @classmethod
        def docs(cls) -> dict[str, str]:
            return {
                "What it does": cls.summary,
                "Why it matters": "It can only fail by crashing.",
                "Example": "def test_x():\n    f()",
                "Use instead": "def test_x():\n    assert f()",
            }

    monkeypatch.setattr(sarif, "_registry", lambda: {"TQ001": AssertionFree})
    data = json.loads(sarif.render(static_card))
    rule = data["runs"][0]["tool"]["driver"]["rules"][0]
    assert rule["name"] == "assertion-free-test"
    assert rule["shortDescription"]["text"] == "Test function contains no assertion"
    assert "only fail by crashing" in rule["fullDescription"]["text"]
    assert "```python" in rule["help"]["markdown"]
    assert rule["properties"]["precision"] == "high"
    # TQ101 is not in the fake registry: its metadata is derived from its findings
    fallback = data["runs"][0]["tool"]["driver"]["rules"][1]
    assert fallback["id"] == "TQ101" and fallback["shortDescription"]["text"]
    _validate(data)


def test_results_are_capped_at_5000_per_run_most_severe_first() -> None:
    card = Scorecard(stages=make_full_card().stages[:1])
    card.findings = [
        Finding("TQ101", "warning", "tests/t.py", i, "w", fingerprint=f"w{i}")
        for i in range(1, 5004)
    ]
    card.findings.append(Finding("TQ001", "error", "tests/t.py", 9999, "e", fingerprint="e"))
    score.finalize(card, Config())
    data = json.loads(sarif.render(card))
    run = data["runs"][0]
    assert len(run["results"]) == 5000
    assert run["results"][0]["level"] == "error"
    note = run["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"]
    assert note.startswith("4 lower-severity results were left out")
    _validate(data)
