"""Flaky tests in every report: JSON (documented schema), terminal, HTML, SARIF, JUnit, PR comment."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema

from auditor import gates, score
from auditor.config import Config
from auditor.flaky.locate import locate, predicted_by
from auditor.meta import FlakySearch
from auditor.model import Finding, FlakyTest, Scorecard, StageReport
from auditor.patch_model import Patch
from auditor.pr import comment
from auditor.reports import html, json_report, junit, sarif, terminal

REPO = Path(__file__).resolve().parents[2]
VICTIM = "tests/test_b.py::TestB::test_victim[x]"
POLLUTER = "tests/test_a.py::test_polluter"
TEST_A = "import os\n\n\ndef test_polluter():\n    os.environ['MODE'] = 'on'\n"
TEST_B = (
    "import os\n\n\nclass TestB:\n    @staticmethod\n    def helper():\n        pass\n\n"
    "    def test_victim(self, x):\n        assert 'MODE' not in os.environ\n"
)


def project(tmp_path: Path) -> Path:
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_a.py").write_text(TEST_A)
    (tmp_path / "tests" / "test_b.py").write_text(TEST_B)
    return tmp_path


def flaky_card(root: Path) -> Scorecard:
    card = Scorecard(tool={"name": "auditor", "version": "0.1.0"})
    card.stages = [StageReport(name="static", ran=True), StageReport(name="flaky", ran=True)]
    card.findings = [
        Finding("TQ309", "warning", "tests/test_a.py", 5, "unrestored", test=POLLUTER),
        Finding("TQ401", "warning", "tests/test_a.py", 5, "sleep", test=POLLUTER),
    ]
    card.flaky = [
        FlakyTest(
            test=VICTIM,
            kind="order-dependent",
            polluter=POLLUTER,
            state=[
                {
                    "kind": "environ",
                    "name": "MODE",
                    "change": "added",
                    "before": "",
                    "after": "on",
                    "by": "polluter",
                }
            ],
            runs=6,
            failures=2,
            failure_rate=33.3,
            failure_ci=[9.7, 70.0],
            reproduce=f"python -m pytest -p no:randomly {POLLUTER} '{VICTIM}'",
            passes=f"python -m pytest -p no:randomly '{VICTIM}'",
        ),
        FlakyTest(
            test=POLLUTER,
            kind="non-deterministic",
            runs=10,
            failures=3,
            failure_rate=30.0,
            failure_ci=[10.8, 60.3],
            reproduce=f"python -m pytest -p no:randomly {POLLUTER}",
        ),
    ]
    locate(root, card.flaky)
    for entry in card.flaky:
        entry.predicted_by = predicted_by(entry, card.findings)
    card.meta.flaky = FlakySearch(tests=8, runs=12, pair_coverage=0.5)
    score.finalize(card, Config())
    return card


def test_location_is_the_def_line_and_static_findings_are_cross_linked(tmp_path: Path) -> None:
    card = flaky_card(project(tmp_path))
    victim, nod = card.flaky
    assert (victim.path, victim.line) == ("tests/test_b.py", 9)
    assert (nod.path, nod.line) == ("tests/test_a.py", 4)
    assert victim.predicted_by == ["TQ309 tests/test_a.py:5"]  # on its polluter
    assert nod.predicted_by == ["TQ401 tests/test_a.py:5"]  # a sleep predicts non-determinism


def test_json_has_the_documented_flaky_fields_and_score_component(tmp_path: Path) -> None:
    data = json.loads(json_report.render(flaky_card(project(tmp_path))))
    schema = json.loads((REPO / "docs" / "scorecard.schema.json").read_text())
    jsonschema.Draft7Validator(schema).validate(data)
    entry = data["flaky"][0]
    for key in ("test", "kind", "polluter", "cleaner", "state_setter", "state", "runs"):
        assert key in entry
    assert entry["failures"] == 2 and entry["reproduce"].endswith(f"'{VICTIM}'")
    assert data["summary"]["flaky_tests"] == 2
    assert data["summary"]["components"]["flakiness"] == 75.0  # 6 of 8 tests not flaky


def test_gate_on_flaky_tests_is_a_maximum(tmp_path: Path) -> None:
    card = flaky_card(project(tmp_path))
    message = gates.gate_message(card, "flaky_tests", 0, "--fail-under")
    assert message is not None and "flaky_tests is 2" in message
    assert gates.gate_message(card, "flaky_tests", 2, "--fail-under") is None


def test_terminal_html_and_junit_show_cause_and_reproduction(tmp_path: Path) -> None:
    card = flaky_card(project(tmp_path))
    text = " ".join(terminal.render(card).split())  # the terminal wraps at 80 columns
    assert "Flaky tests (1 order-dependent, 1 non-deterministic)" in text
    assert f"fails when {POLLUTER} runs before it (os.environ['MODE'] set to 'on')" in text
    assert "reproduce: python -m pytest -p no:randomly" in text
    assert "failed 3 of 10 runs (30%, 95% CI 10.8-60.3%)" in text
    page = html.render(card)
    assert '<section id="flaky">' in page and "predicted by TQ309 tests/test_a.py:5" in page
    root = ET.fromstring(junit.render(card).split("\n", 1)[1])
    suite = root.find("testsuite[@name='auditor.flaky']")
    assert suite is not None and suite.get("failures") == "2"
    case = suite.find("testcase")
    assert case is not None and case.get("line") == "9"


def test_sarif_puts_each_flaky_test_at_its_def_line_and_validates(tmp_path: Path) -> None:
    root = project(tmp_path)
    data = sarif.build(flaky_card(root), root)
    official = json.loads((REPO / "tests" / "schemas" / "sarif-schema-2.1.0.json").read_text())
    jsonschema.Draft4Validator(official).validate(data)
    [run] = [r for r in data["runs"] if r["automationDetails"]["id"] == "auditor/flaky/"]
    by_rule = {r["ruleId"]: r for r in run["results"]}
    region = by_rule["FLK001"]["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] == 9
    assert by_rule["FLK003"]["level"] == "warning"


def test_pr_comment_lists_flaky_tests_that_involve_a_changed_test(tmp_path: Path) -> None:
    card = flaky_card(project(tmp_path))
    card.patch = Patch(base="main", merge_base="abc123", changed_files=["tests/test_a.py"])
    assert card.meta.flaky is not None
    card.meta.flaky.changed_tests = ["tests/test_a.py::test_polluter"]
    text = comment.render(card)
    assert "#### New flaky tests" in text
    assert VICTIM in text  # its polluter changed
    card.meta.flaky.changed_tests = ["tests/test_c.py::test_other"]
    assert "New flaky tests" not in comment.render(card)
