"""--mutation-report: mutation-testing-report-schema v2, valid, with token-exact locations."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from report_cards import schema

from auditor.model import Mutant, Scorecard
from auditor.reports import mutation_report
from auditor.reports.mutation_report import location, token_span


def test_report_validates_against_the_official_schema(
    full_card: Scorecard, project_root: Path
) -> None:
    data = json.loads(mutation_report.render(full_card, root=project_root))
    jsonschema.Draft7Validator(schema("mutation-testing-report-schema.json")).validate(data)
    assert data["schemaVersion"] == "2"
    assert data["files"]["pkg/core.py"]["source"] == (project_root / "pkg" / "core.py").read_text()


def test_status_map_and_test_links(full_card: Scorecard, project_root: Path) -> None:
    data = json.loads(mutation_report.render(full_card, root=project_root))
    statuses = {m["id"]: m["status"] for m in data["files"]["pkg/core.py"]["mutants"]}
    assert statuses == {
        "pkg.core.x_is_adult__mutmut_1": "Survived",
        "pkg.core.x_is_adult__mutmut_2": "Killed",
        "pkg.core.x_label__mutmut_1": "NoCoverage",
        "pkg.core.x_label__mutmut_2": "Timeout",
        "pkg.core.x_label__mutmut_3": "Ignored",
    }
    killed = next(m for m in data["files"]["pkg/core.py"]["mutants"] if m["status"] == "Killed")
    assert killed["killedBy"] == ["tests/test_core.py::test_label"]
    assert "tests/test_core.py" in data["testFiles"]
    survivor = next(m for m in data["files"]["pkg/core.py"]["mutants"] if m["status"] == "Survived")
    assert "is_adult(age=18)" in survivor["statusReason"]


def test_location_is_one_based_end_exclusive_and_covers_whole_tokens(full_card: Scorecard) -> None:
    survivor = full_card.mutants[0]  # "    return age >= 18" -> "    return age > 18"
    loc, replacement = location(survivor, None)
    assert loc == {"start": {"line": 2, "column": 16}, "end": {"line": 2, "column": 18}}
    assert replacement == ">"
    loc, replacement = location(full_card.mutants[1], None)  # 18 -> 19
    assert loc["start"]["column"] == 19 and loc["end"]["column"] == 21 and replacement == "19"


@pytest.mark.parametrize(
    ("old", "new", "span", "replacement"),
    [
        ("x = a + b", "x = a - b", "+", "-"),
        ("if x and y:", "if x or y:", "and", "or"),
        ("return foo(x)", "return None", "foo(x)", "None"),
        ("s = 'adult'", "s = 'XXadultXX'", "adult", "XXadultXX"),
    ],
)
def test_token_span(old: str, new: str, span: str, replacement: str) -> None:
    start, end, repl = token_span(old, new)
    assert (old[start:end], repl) == (span, replacement)


def test_multi_line_change_spans_the_removed_lines() -> None:
    mutant = Mutant(
        "m", "survived", "pkg/a.py", 3, diff="@@ -3,2 +3 @@\n-    a = 1\n-    b = 2\n+    pass\n"
    )
    loc, replacement = location(mutant, None)
    assert loc == {"start": {"line": 3, "column": 5}, "end": {"line": 4, "column": 10}}
    assert replacement == "    pass"


def test_likely_equivalent_is_ignored_only_when_excluded_from_the_score(project_root: Path) -> None:
    from report_cards import make_full_card

    from auditor import score
    from auditor.config import Config

    card = make_full_card()
    card.mutants[0].likely_equivalent = True
    card.mutants[0].witness = None
    score.finalize(card, Config(exclude_likely_equivalent=True))
    data = json.loads(mutation_report.render(card, root=project_root))
    first = data["files"]["pkg/core.py"]["mutants"][0]
    assert first["status"] == "Ignored" and "likely equivalent" in first["statusReason"]


def test_no_mutation_stage_gives_an_empty_valid_report(static_card: Scorecard) -> None:
    data = json.loads(mutation_report.render(static_card))
    jsonschema.Draft7Validator(schema("mutation-testing-report-schema.json")).validate(data)
    assert data["files"] == {}
