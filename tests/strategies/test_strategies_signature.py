"""from_signature and the strategies entry point."""

from __future__ import annotations

import sys
from dataclasses import dataclass

import pytest
from hypothesis import find, given, settings
from hypothesis.errors import NoSuchExample

from auditor_strategies import (
    StrategyEntryPointError,
    UnhintedParameterError,
    from_signature,
    load_entry_point,
    register_all,
)


@dataclass
class Interval:
    lo: int
    hi: int


def overlaps(a: Interval, b: Interval) -> bool:
    return a.lo <= b.hi and b.lo <= a.hi


def with_defaults(x: int, label: str = "a", verbose=False) -> str:  # type: ignore[no-untyped-def]
    return label * x


def needs_hint(x: int, y) -> int:  # type: ignore[no-untyped-def]
    return x


def positional(x: int, /, y: int) -> int:
    return x - y


@settings(max_examples=30, derandomize=True, database=None)
@given(from_signature(overlaps))
def test_from_signature_builds_hinted_arguments(kwargs: dict[str, Interval]) -> None:
    assert set(kwargs) == {"a", "b"}
    assert isinstance(kwargs["a"], Interval) and isinstance(kwargs["b"], Interval)
    assert isinstance(overlaps(**kwargs), bool)


def test_unhinted_parameter_with_default_keeps_its_default() -> None:
    find(from_signature(with_defaults), lambda kw: "label" not in kw)
    assert find(from_signature(with_defaults), lambda kw: True).keys() == {"x"}
    # never drawn: no hint, so it is left at its default
    with pytest.raises(NoSuchExample):
        find(
            from_signature(with_defaults),
            lambda kw: "verbose" in kw,
            settings=settings(max_examples=50, database=None),
        )


def test_refuses_unhinted_required_parameter_naming_it() -> None:
    with pytest.raises(UnhintedParameterError) as info:
        from_signature(needs_hint)
    assert "'y'" in str(info.value) and "needs_hint" in str(info.value)
    assert isinstance(info.value, TypeError)


def test_positional_only_parameters_are_drawn_by_name() -> None:
    assert set(find(from_signature(positional), lambda kw: True)) == {"x", "y"}


def test_entry_point_errors_name_the_spec(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(StrategyEntryPointError, match="module:function"):
        load_entry_point("no_colon_here")
    with pytest.raises(StrategyEntryPointError, match="Cannot import module 'no_such_mod_xyz'"):
        load_entry_point("no_such_mod_xyz:register")
    (tmp_path / "proj_strats.py").write_text(
        "from hypothesis import strategies as st\n"
        "class Money:\n"
        "    def __init__(self, cents: int) -> None:\n"
        "        self.cents = cents\n"
        "CALLS = []\n"
        "def register():\n"
        "    CALLS.append(1)\n"
        "    st.register_type_strategy(Money, st.integers(0, 99).map(Money))\n"
        "def broken():\n"
        "    raise RuntimeError('nope')\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(StrategyEntryPointError, match="no attribute 'missing'"):
        load_entry_point("proj_strats:missing")
    assert register_all(["proj_strats:register"]) == ["proj_strats:register"]
    module = sys.modules["proj_strats"]
    assert module.CALLS == [1]

    def pay(m: module.Money) -> int:  # type: ignore[name-defined]
        return int(m.cents)

    pay.__annotations__["m"] = module.Money
    drawn = find(from_signature(pay), lambda kw: True)
    assert 0 <= drawn["m"].cents <= 99
    with pytest.raises(StrategyEntryPointError, match="raised RuntimeError: nope"):
        register_all(["proj_strats:broken"])
