"""shields.io endpoint JSON (`--badge`), coloured with Stryker's dashboard bands.

Serve the file anywhere public and point `https://img.shields.io/endpoint?url=<its URL>` at it.
The badge shows the mutation score when the mutation stage ran, else the overall score, and its
label says which: a badge never passes one number off as the other.
"""

from __future__ import annotations

import json
from typing import Any

from auditor.model import Scorecard


def colour(value: float | None) -> str:
    """Stryker's ShieldMapper bands: < 60 red, < 80 orange, < 100 green, 100 brightgreen."""
    if value is None:
        return "lightgrey"
    if value < 60:
        return "red"
    if value < 80:
        return "orange"
    return "green" if value < 100 else "brightgreen"


def build(card: Scorecard) -> dict[str, Any]:
    summary = card.summary
    if card.stage_ran("mutation"):
        label, value = "mutation score", summary.get("mutation_score")
    else:
        label, value = "test score", summary.get("score")
    message = f"{value:.1f}%" if isinstance(value, (int, float)) else "unknown"
    if label == "test score" and isinstance(value, (int, float)):
        message = f"{value:.1f} ({summary.get('grade')})"
        if summary.get("score_basis", "").startswith("static only"):
            message += " static only"
    return {"schemaVersion": 1, "label": label, "message": message, "color": colour(value)}


def render(card: Scorecard, **_: Any) -> str:
    return json.dumps(build(card), sort_keys=True) + "\n"
