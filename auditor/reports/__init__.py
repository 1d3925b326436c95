"""One module per output format, each a function `render(card, **options) -> str`.

`FORMATS` maps the format name to its renderer; the CLI only looks names up here, so adding a
format touches one new module and one line.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from auditor.model import Scorecard

FORMATS: dict[str, str] = {
    "terminal": "auditor.reports.terminal:render",
    "json": "auditor.reports.json_report:render",
    "sarif": "auditor.reports.sarif:render",
    "markdown": "auditor.pr.comment:render",
    "html": "auditor.reports.html:render",
    "mutation-report": "auditor.reports.mutation_report:render",
    "badge": "auditor.reports.badge:render",
    "junit": "auditor.reports.junit:render",
}


def renderer(name: str) -> Callable[..., str]:
    """The render function of format `name` (a key of `FORMATS`); KeyError for an unknown format."""
    module_name, _, func = FORMATS[name].partition(":")
    module = importlib.import_module(module_name)
    fn: Callable[..., str] = getattr(module, func)
    return fn


def render(name: str, card: Scorecard, **options: Any) -> str:
    """The report of format `name` for the card, as text; `options` go to the renderer."""
    return renderer(name)(card, **options)
