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
    assert data["schema_version"] == SCHEMA_VERSION == "4"


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


def _everything_card() -> Scorecard:
    """The full report card with every optional part filled: patch (+ project Δ), all meta fields,
    properties with line reach, gates and tool errors."""
    from auditor import score
    from auditor.config import Config
    from auditor.meta import GateResult, Meta, MutationStats, ShardInfo, StaticStats, ToolError
    from auditor.patch_model import FileCoverage, FileMutation, Patch, ProjectNumbers, ProjectSide
    from auditor.properties_model import (
        FunctionReach,
        KillAttribution,
        Properties,
        PropertyStats,
        WitnessSummary,
    )

    card = make_full_card()
    card.meta = Meta(
        python="3.11.7",
        tool_errors=[ToolError("coverage", "boom")],
        gates=[GateResult("score (--fail-under score=1)", True)],
        notes=["a note"],
        static=StaticStats(files=1, tests=2, parsed=1),
        mutation=MutationStats(generated=5, run_now=4, changed_test_files=[]),
        mutation_workspace="/tmp/ws",
        tests_without_kills=["tests/test_core.py::test_is_adult"],
        shard=ShardInfo(index=1, count=2, mutants=5),
        shard_spec="1/2",
        merged_shards=["1/2", "2/2"],
        project_delta=ProjectNumbers(head=ProjectSide(score=1.0, grade="F")),
    )
    card.properties = Properties(
        property_tests=1,
        tests=[PropertyStats("tests/test_core.py::test_p", examples=3)],
        functions=FunctionReach(total=2, reached=1),
        kills=KillAttribution(killed=1),
        witness=WitnessSummary(searched=1, witness=1),
        reached_lines=3,
        coverable_lines=6,
        line_share_by_given=50.0,
    )
    card.patch = Patch(
        base="main",
        merge_base="abc",
        file_coverage={"pkg/core.py": FileCoverage(2, 1, 50.0)},
        files=[FileMutation("pkg/core.py", 50.0)],
        project=ProjectNumbers(base=ProjectSide(score=2.0)),
    )
    score.finalize(card, Config())
    return card


def test_every_typed_part_round_trips_exactly() -> None:
    card = _everything_card()
    data = json.loads(json_report.render(card))
    jsonschema.Draft7Validator(SCHEMA).validate(data)
    loaded = Scorecard.from_dict(data)
    assert loaded == card  # dataclass equality: every field, nested types included
    assert loaded.to_dict() == data
    kinds = {type(a).__name__ for a in loaded.top_actions}
    assert {"TopAction", "FindingAction", "SurvivorAction"} <= kinds


def test_optional_parts_keep_the_json_shape(static_card: Scorecard) -> None:
    data = json.loads(json_report.render(static_card))
    assert data["properties"] == {}  # the properties stage did not run
    assert data["patch"] is None and data["summary"]["patch"] is None
    assert data["meta"] == {}  # no stage recorded anything: no key, not a key holding null
    assert Scorecard.from_dict(data).properties is None
