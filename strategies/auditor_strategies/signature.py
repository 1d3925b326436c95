"""`from_signature(func)`: keyword arguments for a typed function, from its type hints only.

Why refuse un-hinted parameters: Hypothesis' ghostwriter falls back to `st.just(default)` or
`st.nothing()` for them, which silently turns a property into an example test (or into a test that
never runs). A loud error naming the parameter is more useful than a strategy that explores nothing.
"""

from __future__ import annotations

import contextlib
import inspect
import typing
from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st


class UnhintedParameterError(TypeError):
    """A required parameter has no type hint (or the hints cannot be resolved), so no strategy can
    be inferred without guessing. A `TypeError`; the message names the parameter and the fix."""


def _hints(func: Callable[..., Any]) -> dict[str, Any]:
    """Resolved hints; for a class, its field annotations plus those of its `__init__`."""
    try:
        if isinstance(func, type):
            hints = dict(typing.get_type_hints(func))
            # a generated __init__ (dataclass) may not resolve; its fields did above
            with contextlib.suppress(Exception):
                init = getattr(func, "__init__")  # noqa: B009 - mypy rejects instance.__init__
                hints.update(typing.get_type_hints(inspect.unwrap(init)))
            return hints
        return typing.get_type_hints(inspect.unwrap(func))
    except Exception as exc:  # NameError for an unresolvable string annotation, and friends
        raise UnhintedParameterError(
            f"Cannot resolve the type hints of {getattr(func, '__qualname__', func)!r}: {exc}. "
            f"Make every annotation importable at module level (not only under TYPE_CHECKING)."
        ) from exc


def drawable_parameters(
    func: Callable[..., Any], *, skip_first: bool = False
) -> list[inspect.Parameter]:
    """The parameters a caller passes by name or position (not *args/**kwargs, not bound self).

    `skip_first` drops `self`/`cls` of a function taken from a class body (unbound). Returns the
    `inspect.Parameter`s in declaration order; raises `ValueError` or `TypeError` (from
    `inspect.signature`) when `func` has no inspectable signature (some builtins, C extensions).
    """
    params = list(inspect.signature(func).parameters.values())
    if skip_first and params:
        params = params[1:]
    return [
        p
        for p in params
        if p.kind not in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    ]


def signature_strategy(
    func: Callable[..., Any],
    strategy_for: Callable[[Any], st.SearchStrategy[Any]],
    *,
    skip_first: bool = False,
) -> st.SearchStrategy[dict[str, Any]]:
    """`fixed_dictionaries` over `func`'s parameters, with `strategy_for(hint)` per parameter.

    Required parameters must be hinted. Hinted parameters with a default go to `optional=` (they
    are sometimes omitted, so the default itself is exercised); un-hinted ones with a default are
    always omitted and keep their default. `func` may be a class (its fields and `__init__`
    parameters). Draws are `dict[str, Any]` keyed by parameter name. Raises
    `UnhintedParameterError` for a required parameter without a hint or hints that cannot be
    resolved; `ValueError`/`TypeError` when `func` has no signature (see `drawable_parameters`).
    """
    hints = _hints(func)
    required: dict[str, st.SearchStrategy[Any]] = {}
    optional: dict[str, st.SearchStrategy[Any]] = {}
    name = getattr(func, "__qualname__", repr(func))
    for param in drawable_parameters(func, skip_first=skip_first):
        hint = hints.get(param.name, inspect.Parameter.empty)
        has_default = param.default is not inspect.Parameter.empty
        if hint is inspect.Parameter.empty:
            if has_default:
                continue
            raise UnhintedParameterError(
                f"Parameter '{param.name}' of {name}() has no type hint, so no strategy can be "
                f"inferred for it. Annotate it (e.g. `{param.name}: int`), or build the strategy "
                f"yourself with st.fixed_dictionaries({{'{param.name}': ...}})."
            )
        strategy = strategy_for(hint)
        if has_default:
            optional[param.name] = strategy
        else:
            required[param.name] = strategy
    return st.fixed_dictionaries(required, optional=optional)


def from_signature(func: Callable[..., Any]) -> st.SearchStrategy[dict[str, Any]]:
    """Keyword arguments for `func` from `st.from_type` of each hinted parameter.

    Use as `@given(kwargs=from_signature(f))` then `f(**kwargs)`. Draws are `dict[str, Any]`
    keyed by parameter name; hinted parameters with a default are sometimes omitted. Raises
    `UnhintedParameterError` (a `TypeError`) naming the first required parameter without a hint;
    `ValueError`/`TypeError` when `func` has no inspectable signature.
    """
    return signature_strategy(func, st.from_type)
