"""The JSON scorecard: validated against docs/scorecard.schema.json, stable, and round-trippable."""

from __future__ import annotations

import json

import jsonschema
import pytest
from report_cards import REPO_ROOT, make_full_card, make_static_card

from auditor.model import SCHEMA_VERSION, Scorecard, SkipReason
from auditor.reports import json_report

SCHEMA = json.loads((REPO_ROOT / "docs" / "scorecard.schema.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("make", [make_static_card, make_full_card])
def test_output_validates_against_the_documented_schema(make) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(json_report.render(make()))
    jsonschema.Draft7Validator(SCHEMA).validate(data)
    assert data["schema_version"] == SCHEMA_VERSION


def test_metrics_of_stages_that_did_not_run_are_null(static_card: Scorecard) -> None:
    summary = json.loads(json_report.render(static_card))["summary"]
    for key in (
        "mutation_score",
        "test_strength",
        "line_coverage",
        "branch_coverage",
        "oracle_gap",
        "mutants",
    ):
        assert summary[key] is None
    assert summary["findings"] == {"error": 1, "warning": 1, "info": 0}


def test_schema_rejects_a_broken_scorecard(full_card: Scorecard) -> None:
    data = json.loads(json_report.render(full_card))
    data["summary"]["mutation_score"] = 140
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft7Validator(SCHEMA).validate(data)


def test_render_is_stable_and_round_trips(full_card: Scorecard) -> None:
    text = json_report.render(full_card)
    assert text == json_report.render(Scorecard.from_dict(json.loads(text)))


def test_skip_reasons_are_the_documented_enum_and_load_back_as_the_enum(
    full_card: Scorecard,
) -> None:
    documented = SCHEMA["properties"]["mutants"]["items"]["properties"]["skip_reason"]["enum"]
    assert documented == [None, *(r.value for r in SkipReason)]
    loaded = Scorecard.from_dict(json.loads(json_report.render(full_card)))
    arid = [m for m in loaded.mutants if m.status == "skipped"]
    assert arid and all(m.skip_reason is SkipReason.ARID for m in arid)
    assert all(m.skip_reason is None for m in loaded.mutants if m.status != "skipped")
