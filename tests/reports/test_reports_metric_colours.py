"""Every report colours a metric with the registry's bands and `[tool.auditor.thresholds]`.

Regression tests for two drift bugs: the HTML property-reach tile was always grey (its key was
rebuilt from its label, "property-test reach" -> "property_test_reach", which is no summary key),
and the badge ignored the configured bands (it hard-coded 60/80).
"""

from __future__ import annotations

import json
import re

import pytest
from report_cards import make_full_card

from auditor import metric_registry, score
from auditor.config import Config, ThresholdsConfig, parse_config
from auditor.model import Scorecard, StageReport
from auditor.properties_model import Properties
from auditor.reports import badge, html, terminal


def _card_with_reach(reach_lines: int, config: Config | None = None) -> Scorecard:
    """The full report card with the properties stage run: `reach_lines` of 100 lines reached."""
    card = make_full_card()
    card.stages = [s for s in card.stages if s.name != "properties"]
    card.stages.append(StageReport(name="properties", ran=True))
    card.properties = Properties(reached_lines=reach_lines, coverable_lines=100)
    score.finalize(card, config or Config())
    return card


def _tile_class(page: str, label: str) -> str:
    match = re.search(
        r'<div class="tile ([a-z ]+)"><div class="label">' + re.escape(label) + "</div>", page
    )
    assert match, f"no tile labelled {label!r}"
    return match.group(1)


@pytest.mark.parametrize(("reached", "expected"), [(85, "high"), (70, "medium"), (20, "low")])
def test_html_property_reach_tile_is_coloured_by_its_band(reached: int, expected: str) -> None:
    card = _card_with_reach(reached)
    assert card.summary.property_reach == float(reached)
    assert _tile_class(html.render(card), "property-test reach") == expected


@pytest.mark.parametrize("key", metric_registry.HEADLINE)
def test_every_html_headline_tile_uses_its_metrics_band(key: str) -> None:
    card = _card_with_reach(85)
    metric = metric_registry.metric(key)
    value = score.metric_value(card, metric)
    expected = metric_registry.band(value, score.card_bands(card)) if metric.banded else "neutral"
    assert _tile_class(html.render(card), metric.label) == expected


def test_html_tiles_follow_configured_thresholds() -> None:
    strict = Config(thresholds=ThresholdsConfig(high=90, low=86))
    card = _card_with_reach(85, strict)
    assert _tile_class(html.render(card), "property-test reach") == "low"


def test_terminal_colours_property_reach_by_its_band() -> None:
    from rich.console import Console

    card = _card_with_reach(20)
    console = Console(record=True, width=80, force_terminal=True, color_system="standard")
    terminal.render(card, console=console)
    styled = console.export_text(styles=True)
    line = next(ln for ln in styled.splitlines() if "property-test reach" in ln)
    assert re.search(r"\x1b\[31m\s*20\.0%", line), line  # red: below the low band


@pytest.mark.parametrize(
    ("thresholds", "colour"),
    [
        ({}, "red"),  # 50.0 with the default 80/60
        ({"high": 50, "low": 40}, "green"),
        ({"high": 70, "low": 45}, "orange"),
    ],
)
def test_badge_uses_the_configured_bands(thresholds: dict[str, float], colour: str) -> None:
    card = make_full_card()
    score.finalize(card, parse_config({"thresholds": thresholds}))
    data = json.loads(badge.render(card))
    assert data["message"] == "50.0%"
    assert data["color"] == colour


def test_badge_of_a_perfect_score_is_brightgreen_under_any_bands() -> None:
    assert badge.colour(100.0, metric_registry.Bands(high=100, low=99)) == "brightgreen"
