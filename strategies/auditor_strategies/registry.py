"""The entry point through which a project teaches Hypothesis (and auditor) about its own types.

A project lists `"module:function"` specs under `[tool.auditor] strategies`; the witness search
imports each module and calls the function (with no arguments) before generating any input. The
function calls `st.register_type_strategy(MyType, ...)` so that `st.from_type`, `st.builds` and
`from_signature` respect the type's invariants (e.g. `Interval.lo <= Interval.hi`) instead of
producing objects the code never sees in practice.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from typing import Any


class StrategyEntryPointError(ValueError):
    """A `[tool.auditor] strategies` entry point that cannot be imported, found or called.

    A `ValueError`; the message names the spec and the fix.
    """


def load_entry_point(spec: str) -> Callable[[], Any]:
    """Import `module:function` and return the function; errors say which spec and how to fix.

    `function` may be dotted (`module:Class.method`). The module is imported (its import-time code
    runs); the function is not called. Raises `StrategyEntryPointError` when the spec is not of the
    form `module:function`, the module cannot be imported, the attribute is missing, or it is not
    callable.
    """
    module_name, sep, attr = spec.partition(":")
    if not sep or not module_name or not attr:
        raise StrategyEntryPointError(
            f"Strategy entry point {spec!r} is not of the form 'module:function', "
            f"e.g. 'myproject.testing:register'."
        )
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise StrategyEntryPointError(
            f"Cannot import module {module_name!r} of strategy entry point {spec!r}: {exc}. "
            f"Check the spelling and that the module is importable from the project root."
        ) from exc
    target: Any = module
    for part in attr.split("."):
        target = getattr(target, part, None)
        if target is None:
            raise StrategyEntryPointError(
                f"Module {module_name!r} has no attribute {attr!r} (strategy entry point {spec!r})."
            )
    if not callable(target):
        raise StrategyEntryPointError(f"Strategy entry point {spec!r} is not callable.")
    return target  # type: ignore[no-any-return]


def register_all(specs: Iterable[str]) -> list[str]:
    """Call every entry point in order; returns the specs that ran (for logging).

    Each function is called with no arguments and its return value ignored. Stops at the first
    failure with `StrategyEntryPointError` (from `load_entry_point`, or wrapping any exception the
    function raised); entry points before it have already run.
    """
    ran: list[str] = []
    for spec in specs:
        function = load_entry_point(spec)
        try:
            function()
        except Exception as exc:
            raise StrategyEntryPointError(
                f"Strategy entry point {spec!r} raised {type(exc).__name__}: {exc}."
            ) from exc
        ran.append(spec)
    return ran
