"""The JSON scorecard (contract: docs/scorecard.schema.json): stable, sorted, with `schema_version`."""

from __future__ import annotations

import json
from typing import Any

from auditor.model import Scorecard


def render(card: Scorecard, **_: Any) -> str:
    """The JSON scorecard: keys sorted, two-space indent, UTF-8, one trailing newline."""
    return json.dumps(card.to_dict(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
