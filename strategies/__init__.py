"""Hypothesis strategies: small helpers for users, and ground-truth generators for auditor's tests.

User-facing (documented in strategies/README.md):
- `from_signature(func)`: keyword arguments from the type hints; refuses un-hinted parameters.
- `literal_aware(func)`: the same, biased towards the function's own literals and boundaries
  (what auditor's witness search uses).
- `register_all(specs)`: run `[tool.auditor] strategies` entry points.
"""

from __future__ import annotations

from strategies.literals import (
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
from strategies.registry import StrategyEntryPointError, load_entry_point, register_all
from strategies.signature import UnhintedParameterError, from_signature

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
