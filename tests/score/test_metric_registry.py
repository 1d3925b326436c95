"""The metric registry is the one definition every report, gate and doc reads."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from auditor import gates, metric_registry, score
from auditor.config import SUBTABLE_KEYS, Config
from auditor.errors import UsageError
from auditor.model import Scorecard, StageReport
from auditor.patch_model import Patch, ProjectDelta, ProjectSide
from auditor.summary import Summary

DOCS = Path(__file__).resolve().parents[2] / "docs" / "scoring.md"


def test_docs_metric_table_is_the_registrys() -> None:
    assert metric_registry.metrics_table() in DOCS.read_text(encoding="utf-8")


def test_docs_component_table_has_the_registrys_default_weights() -> None:
    rows = re.findall(r"^\| `([a-z-]+)` \| (\d+) \|", DOCS.read_text(encoding="utf-8"), re.M)
    documented = {name: float(weight) for name, weight in rows}
    assert documented == {c.name: c.default_weight for c in metric_registry.COMPONENTS}


def test_config_gate_and_score_tables_accept_exactly_the_registry_keys() -> None:
    assert set(SUBTABLE_KEYS["gate"]) == set(metric_registry.GATE_METRICS)
    assert set(SUBTABLE_KEYS["score"]) == set(score.DEFAULT_WEIGHTS)


def _scored(ran: tuple[str, ...] = ("static", "coverage", "mutation", "properties")) -> Scorecard:
    card = Scorecard(stages=[StageReport(name=n, ran=n in ran) for n in ("static", "coverage")])
    card.stages += [StageReport(name=n, ran=n in ran) for n in ("mutation", "properties")]
    score.finalize(card, Config())
    return card


def test_every_summary_metric_is_a_summary_key() -> None:
    fields = {f.name for f in dataclasses.fields(Summary)}
    for m in metric_registry.METRICS:
        if m.patch_key is None and m.key != "errors":
            assert m.key in fields, m.key
        if m.patch_key is not None:
            assert m.patch_key in {f.name for f in dataclasses.fields(Patch)}, m.key
    for key in metric_registry.PROJECT_DELTA:
        assert key in {f.name for f in dataclasses.fields(ProjectSide)}
        assert key in {f.name for f in dataclasses.fields(ProjectDelta)}


@pytest.mark.parametrize("key", metric_registry.GATE_METRICS)
def test_every_gate_metric_is_accepted_and_explains_a_missing_value(key: str) -> None:
    gates.check_metric(key)
    card = _scored(ran=())
    message = gates.gate_message(card, key, 50, "--fail-under")
    assert message is not None and "cannot be checked" in message


def test_metrics_outside_the_gate_list_are_refused() -> None:
    with pytest.raises(UsageError, match="Valid metrics are: score, mutation_score"):
        gates.check_metric("oracle_gap")


@pytest.mark.parametrize(
    ("key", "value", "text"),
    [("mutation_score", 77.83, "77.8%"), ("score", 82.3, "82.3"), ("errors", 3.0, "3")],
)
def test_values_are_shown_in_their_unit(key: str, value: float, text: str) -> None:
    assert metric_registry.metric(key).format(value) == text
    assert metric_registry.metric(key).format(None) == "n/a"


def test_lower_is_better_metrics_are_unbanded_and_gate_as_maxima() -> None:
    bands = metric_registry.Bands()
    assert metric_registry.metric("oracle_gap").band(90.0, bands) == "none"
    assert metric_registry.metric("errors").band(0.0, bands) == "none"
    card = _scored()
    card.summary.findings.error = 2
    assert gates.gate_message(card, "errors", 1, "x") == "errors is 2, at most 1 allowed (x)."
    assert gates.gate_message(card, "errors", 2, "x") is None
