"""shields.io endpoint JSON (`--badge`), coloured with the configured bands (Stryker's by default).

Serve the file anywhere public and point `https://img.shields.io/endpoint?url=<its URL>` at it.
The badge shows the mutation score when the mutation stage ran, else the overall score, and its
label says which: a badge never passes one number off as the other.
"""

from __future__ import annotations

import json
from typing import Any

from auditor.metric_registry import Band, Bands, band
from auditor.model import Scorecard
from auditor.score import card_bands

# Stryker's ShieldMapper colours per band; a perfect 100 is brightgreen.
BADGE_COLOUR: dict[Band, str] = {
    "high": "green",
    "medium": "orange",
    "low": "red",
    "none": "lightgrey",
}


def colour(value: float | None, bands: Bands | None = None) -> str:
    """shields.io colour of a 0-100 value: below `low` red, below `high` orange, else green,
    100 brightgreen, no value lightgrey. `bands` defaults to 80/60 (`[tool.auditor.thresholds]`)."""
    if value is not None and value >= 100:
        return "brightgreen"
    return BADGE_COLOUR[band(value, bands or Bands())]


def build(card: Scorecard) -> dict[str, Any]:
    """The endpoint JSON: {"schemaVersion": 1, "label", "message", "color"}."""
    summary = card.summary
    if card.stage_ran("mutation"):
        label, value = "mutation score", summary.mutation_score
    else:
        label, value = "test score", summary.score
    message = f"{value:.1f}%" if value is not None else "unknown"
    if label == "test score" and value is not None:
        message = f"{value:.1f} ({summary.grade})"
        if summary.score_basis.startswith("static only"):
            message += " static only"
    return {
        "schemaVersion": 1,
        "label": label,
        "message": message,
        "color": colour(value, card_bands(card)),
    }


def render(card: Scorecard, **_: Any) -> str:
    """The shields.io endpoint JSON as text."""
    return json.dumps(build(card), sort_keys=True) + "\n"
