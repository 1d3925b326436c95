"""--badge (shields.io endpoint, Stryker bands) and --junit (a case per gate and error finding)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from auditor.meta import GateResult
from auditor.model import Scorecard
from auditor.reports import badge, junit


@pytest.mark.parametrize(
    ("value", "colour"),
    [
        (0, "red"),
        (59.9, "red"),
        (60, "orange"),
        (79.9, "orange"),
        (80, "green"),
        (99.9, "green"),
        (100, "brightgreen"),
        (None, "lightgrey"),
    ],
)
def test_stryker_colour_bands(value: float | None, colour: str) -> None:
    assert badge.colour(value) == colour


def test_badge_shows_mutation_score_when_mutation_ran(full_card: Scorecard) -> None:
    data = json.loads(badge.render(full_card))
    assert data == {
        "schemaVersion": 1,
        "label": "mutation score",
        "message": "50.0%",
        "color": "red",
    }


def test_badge_falls_back_to_the_labelled_overall_score(static_card: Scorecard) -> None:
    data = json.loads(badge.render(static_card))
    assert data["label"] == "test score"
    assert data["message"] == "37.5 (F) static only"


def test_junit_has_a_case_per_gate_and_per_error_finding(full_card: Scorecard) -> None:
    full_card.meta.gates = [
        GateResult(
            "mutation_score (--fail-under mutation_score=70)", False, "mutation_score is 50%"
        ),
        GateResult("errors ([tool.auditor.gate] errors = 3)", True),
    ]
    root = ET.fromstring(junit.render(full_card))
    cases = root.findall(".//testcase")
    names = [c.get("name") for c in cases]
    assert names[:2] == [
        "mutation_score (--fail-under mutation_score=70)",
        "errors ([tool.auditor.gate] errors = 3)",
    ]
    assert names[2].startswith("TQ001 tests/test_core.py::test_is_adult")
    assert len(cases) == 3  # the warning is not a test case
    assert root.get("tests") == "3" and root.get("failures") == "2"
    failing = [c.get("name") for c in cases if c.find("failure") is not None]
    assert len(failing) == 2 and names[1] not in failing
