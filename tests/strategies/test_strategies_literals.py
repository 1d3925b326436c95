"""Literal extraction and the literal-aware strategies the witness search relies on."""

from __future__ import annotations

from typing import Optional

import pytest
from hypothesis import find, given, settings
from hypothesis import strategies as st

from auditor_strategies import (
    UnhintedParameterError,
    extract_literals,
    for_type,
    function_literals,
    literal_aware,
    text_from,
)
from auditor_strategies.literals import Literals


def shipping_cost(weight_g: int, express: bool = False) -> int:
    """Docstring with 12345 and 'ignored' text."""
    if weight_g <= 0:
        raise ValueError(f"bad weight {weight_g}")
    cost = 300 if weight_g < 1000 else 500
    return cost * 2 if express else cost


def decode(s: str) -> str:
    return s.replace("%%", "%")


def untyped(x, y: int):  # type: ignore[no-untyped-def]
    return x + y


def test_extracts_ints_floats_strings_bytes_and_negatives() -> None:
    lits = extract_literals(
        "def f(x):\n    return x * -3 + 2.5 if x > 1000 else 'a%' + b'\\x00'.decode()\n"
    )
    assert sorted(lits.ints) == [-3, 1000]
    assert lits.floats == [2.5]
    assert lits.strs == ["a%"]
    assert lits.bytes_ == [b"\x00"]


def test_docstrings_fstring_text_and_bools_are_not_literals() -> None:
    lits = function_literals(shipping_cost)
    assert 12345 not in lits.ints
    assert "ignored" not in " ".join(lits.strs)
    assert not any("bad weight" in s for s in lits.strs)
    assert sorted(lits.ints) == [0, 2, 300, 500, 1000]
    assert True not in lits.ints  # `False` default is a bool, not the int 0


def test_boundary_ints_include_each_literal_and_its_neighbours() -> None:
    boundaries = Literals(ints=[1000]).boundary_ints()
    assert {999, 1000, 1001, -1, 0, 1} <= set(boundaries)


def test_literal_aware_text_actually_produces_the_literal_characters() -> None:
    # the lists(...).map("".join) trick: a string made only of the literal's character
    # (find raises NoSuchExample when the strategy never produces one; shrinking is not
    # guaranteed to reach the minimum, so only the property of the example is asserted)
    strategy = text_from(function_literals(decode))
    found = find(
        strategy,
        lambda s: s.count("%") >= 3 and set(s) == {"%"},
        settings=settings(database=None, derandomize=True),
    )
    assert set(found) == {"%"} and found.count("%") >= 3


def test_alphabet_based_text_rarely_repeats_a_literal_character() -> None:
    """The pitfall the module avoids (docs/hypothesis-internals.md), measured on both strategies."""
    hits = {"alphabet": 0, "lists_join": 0}
    alphabet = st.text(alphabet=st.one_of(st.sampled_from(["%"]), st.characters()), max_size=24)

    @settings(max_examples=100, derandomize=True, database=None)
    @given(st.data())
    def count(data: st.DataObject) -> None:
        if "%%" in data.draw(alphabet):
            hits["alphabet"] += 1
        if "%%" in data.draw(text_from(Literals(strs=["%"]))):
            hits["lists_join"] += 1

    count()
    assert hits["lists_join"] > 3 * max(1, hits["alphabet"])


def test_for_type_walks_optionals_and_containers() -> None:
    lits = Literals(ints=[1000])
    optional = Optional[list[int]]  # noqa: UP045 - typing.Union and X | None are both handled
    assert find(for_type(optional, lits), lambda v: v is not None and 1001 in v) == [1001]
    assert find(for_type(int | None, lits), lambda v: v == 999) == 999
    assert find(for_type(dict[str, int], lits), lambda d: 999 in d.values()) == {"": 999}


def test_literal_aware_draws_boundaries_and_omits_defaults_sometimes() -> None:
    strategy = literal_aware(shipping_cost)
    assert find(strategy, lambda kw: kw["weight_g"] == 1000) == {"weight_g": 1000}
    find(strategy, lambda kw: "express" not in kw)
    find(strategy, lambda kw: kw.get("express") is True)


def test_literal_aware_refuses_unhinted_parameters_by_name() -> None:
    with pytest.raises(UnhintedParameterError, match="'x' of untyped"):
        literal_aware(untyped)


def test_error_messages_are_not_used_as_inputs():
    from auditor_strategies.literals import extract_literals

    found = extract_literals(
        "def f(country: str, w: int) -> int:\n"
        "    if w <= 0:\n"
        "        raise ValueError('weight must be positive')\n"
        "    assert country, 'country required'\n"
        "    return {'DE': 1}.get(country, 3) * w\n"
    )
    assert "DE" in found.strs
    assert "weight must be positive" not in found.strs
    assert "country required" not in found.strs
