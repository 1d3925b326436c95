"""Field plans and boundary pins: the literals of a function reach every field its arguments hold."""

from __future__ import annotations

import enum
import itertools
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple, TypedDict

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor_strategies.fields import (
    Broad,
    Choice,
    Record,
    Scalar,
    UnhintedParameterError,
    free_inputs,
    infer_from_default,
    plan_signature,
    plan_type,
    recipe_of,
    strategy,
)
from auditor_strategies.literals import Literals, function_literals
from auditor_strategies.pins import (
    OMIT,
    Table,
    pairwise_rows,
    parameter_table,
    row_values,
    single_rows,
    variants,
)


@dataclass
class Member:
    name: str
    age: int


class Point(NamedTuple):
    x: int
    y: int = 0


class Order(TypedDict):
    sku: str
    qty: int


@attrs.define
class Box:
    width: int
    _label: str = ""


@dataclass
class Team:
    lead: Member
    size: int


class Colour(enum.Enum):
    RED = 1
    BLUE = 2


def fee(member: Member) -> int:
    return 10 if member.age < 26 else 20


def pick(team: Team, mode: Literal["a", "b"], colour: Colour | None = None) -> int:
    return team.lead.age + team.size if mode == "a" and team.size > 3 else 0


def legacy(yeardigits=4, expanded=False, tz=None, sep="-", order=(1, 2)):  # type: ignore[no-untyped-def]
    return yeardigits


def anything(data: Any, other: object) -> bool:
    return data == 7


@pytest.mark.parametrize(
    ("cls", "flavour", "fields"),
    [
        (Member, "dataclass", {"name": True, "age": True}),
        (Point, "namedtuple", {"x": True, "y": False}),
        (Order, "typeddict", {"sku": True, "qty": True}),
        (Box, "attrs", {"width": True, "label": False}),
    ],
)
def test_records_are_planned_down_to_their_fields(
    cls: type, flavour: str, fields: dict[str, bool]
) -> None:
    plan = plan_type(cls)
    assert isinstance(plan, Record) and plan.flavour == flavour
    assert {n: f.required for n, f in plan.fields.items()} == fields


def test_hints_map_to_the_node_kinds() -> None:
    assert plan_type(Any) == Broad() and plan_type(object) == Broad()
    assert plan_type(Literal["a", "b"]) == Choice(("a", "b"))
    assert plan_type(Colour) == Choice((Colour.RED, Colour.BLUE))
    assert plan_type(int) == Scalar(int)


def test_the_functions_literals_reach_a_nested_field_as_pins() -> None:
    literals = function_literals(fee)
    values = [value for path, value in variants(plan_signature(fee), literals)]
    assert {"member": Member(name="", age=26)} in values
    assert {"member": Member(name="", age=25)} in values
    deep = [path for path, _ in variants(plan_signature(pick), function_literals(pick))]
    assert "team.lead.age" in deep and "team.size" in deep and "mode" in deep


def _draws(strat: st.SearchStrategy[Any], n: int = 200) -> list[Any]:
    seen: list[Any] = []

    @settings(max_examples=n, database=None, derandomize=True)
    @given(strat)
    def collect(value: Any) -> None:
        seen.append(value)

    collect()
    return seen


def test_drawn_nested_fields_hit_the_boundary_often() -> None:
    biased = [
        kw["member"].age for kw in _draws(strategy(plan_signature(fee), function_literals(fee)))
    ]
    plain = [member.age for member in _draws(st.from_type(Member))]
    near = {25, 26, 27}
    # st.from_type(Member) draws the boundary by chance only; here it is a pinned value of the field
    assert sum(a in near for a in biased) >= 5 + 2 * sum(a in near for a in plain)


def test_drawn_records_remember_how_they_were_built() -> None:
    for drawn in _draws(strategy(plan_type(Member), Literals(ints=[26])), 20):
        cls, kwargs = recipe_of(drawn)  # type: ignore[misc]
        assert cls is Member and Member(**kwargs) == drawn


def test_unhinted_defaults_are_drawn_from_their_type_where_that_is_safe() -> None:
    plan = plan_signature(legacy)
    assert set(plan.fields) == {"yeardigits", "expanded", "sep", "order"}
    assert plan.fixed == ["tz"]  # None says nothing about the type
    assert infer_from_default(4) == Scalar(int) and infer_from_default(None) is None
    assert free_inputs(plan) == ["yeardigits", "expanded", "sep", "order[]"]


def test_any_and_object_draw_broad_values() -> None:
    kwargs = strategy(plan_signature(anything), function_literals(anything))
    seen = {type(drawn["data"]) for drawn in _draws(kwargs, 200)}
    kinds = {int, float, str, bytes, bool, list, tuple, dict, type(None)}
    assert len(seen & kinds) >= 6, seen  # st.from_type(Any) raises "Could not resolve"
    pinned = [v["data"] for _, v in variants(plan_signature(anything), function_literals(anything))]
    assert 7 in pinned and None in pinned


def test_an_unhinted_required_parameter_is_refused() -> None:
    def f(x, y: int = 0):  # type: ignore[no-untyped-def]
        return x

    with pytest.raises(UnhintedParameterError, match="'x'"):
        plan_signature(f)


def test_single_rows_pin_one_boundary_at_a_time() -> None:
    table = parameter_table([("", plan_signature(fee))], function_literals(fee))
    rows = single_rows(table)
    assert rows[0][0] is None  # the base row first
    assert all(sum(1 for x in row if x) <= 1 for _, row in rows)
    assert {"member": Member(name="", age=26)} in [row_values(table, r) for _, r in rows]


def test_optional_parameters_are_omitted_in_the_base_row() -> None:
    table = parameter_table([("", plan_signature(pick))], function_literals(pick))
    assert table.options[table.names.index("colour")][0] is OMIT
    assert "colour" not in row_values(table, single_rows(table)[0][1])


def test_pairwise_rows_cover_every_pair_of_boundaries() -> None:
    table = Table(["a", "b", "c"], [list(range(4)), list(range(3)), list(range(5))])
    rows = pairwise_rows(table, limit=1000)
    for (i, si), (j, sj) in itertools.combinations(enumerate([4, 3, 5]), 2):
        for a, b in itertools.product(range(1, si), range(1, sj)):
            assert any(r[i] == a and r[j] == b for r in rows), (i, a, j, b)
    assert len(rows) < 3 * 2 * 4  # fewer rows than trying the pairs one by one


def test_pairwise_rows_fill_from_an_accepted_row_and_avoid_raising_values() -> None:
    # weight 0 and -1 raise on their own; the shop accepted weight=3 (option 2)
    table = Table(["weight", "country", "subtotal"], [[0, -1, 3], ["", "DE"], [0, 4999, 5000]])
    rows = pairwise_rows(table, limit=100, avoid={(0, 0), (0, 1)}, fill=[2, 0, 0])
    pairs = [(table.options[1][r[1]], table.options[2][r[2]], table.options[0][r[0]]) for r in rows]
    assert ("DE", 5000, 3) in pairs  # the combination that kills `>=` -> `>`
    for r in rows:
        if r[0] in (0, 1):  # a raising weight only where it is one of the pair under test
            assert any(r[k] for k in (1, 2)) and r[0] == 1


def test_pydantic_models_are_records() -> None:
    pydantic = pytest.importorskip("pydantic")

    class Account(pydantic.BaseModel):  # type: ignore[name-defined,misc]
        owner: str
        balance: int = 0

    plan = plan_type(Account)
    assert isinstance(plan, Record) and plan.flavour == "pydantic"
    assert {n: f.required for n, f in plan.fields.items()} == {"owner": True, "balance": False}
