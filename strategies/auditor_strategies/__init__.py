"""Hypothesis strategies: small helpers for users, and ground-truth generators for auditor's tests.

Imported as `auditor_strategies` (the package lives in the repository's `strategies/` folder), so a
user's own `strategies` module never collides with it.

User-facing (documented in strategies/README.md):
- `from_signature(func)`: keyword arguments from the type hints; refuses un-hinted parameters.
- `literal_aware(func)`: the same, biased towards the function's own literals and boundaries.
- `fields.plan_signature(func)`, `fields.strategy`, `pins.parameter_table`: every field the
  arguments reach (records included) and their boundary inputs (what the witness search uses).
- `register_all(specs)`: run `[tool.auditor] strategies` entry points.
"""

from __future__ import annotations

from auditor_strategies.literals import (
    Literals,
    bytes_from,
    extract_literals,
    floats_near,
    for_type,
    function_literals,
    integers_near,
    literal_aware,
    text_from,
)
from auditor_strategies.registry import StrategyEntryPointError, load_entry_point, register_all
from auditor_strategies.signature import UnhintedParameterError, from_signature

__all__ = [
    "Literals",
    "StrategyEntryPointError",
    "UnhintedParameterError",
    "bytes_from",
    "extract_literals",
    "floats_near",
    "for_type",
    "from_signature",
    "function_literals",
    "integers_near",
    "literal_aware",
    "load_entry_point",
    "register_all",
    "text_from",
]
