"""`[tool.auditor.flaky]`: the flakiness stage's settings.

The keys, their defaults and their checks are declared once, in `auditor.config.FlakyConfig`
(the declarative table of every accepted key); the stage reads `project.config.flaky`. `Settings`
is that class under the name the engine uses.
"""

from __future__ import annotations

from typing import cast

from auditor.config import FlakyConfig
from auditor.flaky.schedule import Grouping

Settings = FlakyConfig


def grouping(settings: Settings) -> Grouping:
    """The validated grouping as the schedule's type."""
    return cast(Grouping, settings.grouping)
