"""Mutant-name parsing and rendering values as Python source for generated tests."""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field

import pytest

from auditor.properties.names import parse_mutant_name
from auditor.properties.render import Imports, Unrenderable, assertion, to_source, witness_test_name


class Color(enum.Enum):
    RED = 1


@dataclass
class Point:
    x: int
    y: float


@dataclass
class Hidden:
    x: int
    cache: dict[str, int] = field(init=False, default_factory=dict)


def test_parses_function_and_method_mutant_names() -> None:
    f = parse_mutant_name("shop.pricing.x_clamp__mutmut_12")
    assert (f.module, f.cls, f.function, f.number) == ("shop.pricing", None, "clamp", 12)
    assert f.mangled == "x_clamp__mutmut_12"
    m = parse_mutant_name("pkg.mod.xǁAccountǁ__init____mutmut_2")
    assert (m.module, m.cls, m.function, m.number) == ("pkg.mod", "Account", "__init__", 2)
    assert m.qualname == "Account.__init__"
    for bad in ("pkg.mod.clamp", "x_f__mutmut_1", "pkg.mod.y_f__mutmut_1", "pkg.xǁAǁ__mutmut_3"):
        with pytest.raises(ValueError):
            parse_mutant_name(bad)


@pytest.mark.parametrize(
    "value",
    [
        None,
        True,
        0,
        -7,
        10**30,
        "a'b\"\n",
        b"\x00%",
        1.5,
        float("inf"),
        -0.0,
        [1, (2,)],
        {"k": {1, 2}},
        frozenset({3}),
        set(),
        (),
        2 + 3j,
    ],
)
def test_rendered_builtins_evaluate_back_to_an_equal_value(value: object) -> None:
    source = to_source(value, Imports())
    assert eval(source) == value


def test_enums_and_dataclasses_render_with_their_imports() -> None:
    imports = Imports()
    source = to_source([Color.RED, Point(1, 2.5)], imports)
    assert source == "[Color.RED, Point(x=1, y=2.5)]"
    assert imports.lines() == [f"from {__name__} import Color, Point"]
    assert eval(source) == [Color.RED, Point(1, 2.5)]


@pytest.mark.parametrize("value", [math.nan, [math.nan], object(), Hidden(1), lambda: 1])
def test_values_without_a_faithful_source_form_are_refused(value: object) -> None:
    with pytest.raises(Unrenderable):
        to_source(value, Imports())


def test_assertions_use_identity_for_singletons_and_vars_for_plain_objects() -> None:
    class Plain:
        def __init__(self) -> None:
            self.a = 1

    assert assertion("f()", None, Imports()) == "assert f() is None"
    assert assertion("f()", False, Imports()) == "assert f() is False"
    assert assertion("f()", Plain(), Imports()) == "assert vars(f()) == {'a': 1}"
    assert assertion("f()", "x", Imports()) == "assert f() == 'x'"


def test_generated_test_names_are_identifiers() -> None:
    assert witness_test_name("clamp", None, 3) == "test_clamp_kills_mutant_3"
    assert witness_test_name("__init__", "Account", 1) == "test_account_init_kills_mutant_1"


def test_stdlib_values_render_through_a_checked_repr() -> None:
    import datetime
    import decimal
    import uuid

    imports = Imports()
    values = [
        datetime.datetime(2000, 1, 2, 3, 4, tzinfo=datetime.timezone.utc),
        decimal.Decimal("1.50"),
        uuid.UUID(int=5),
    ]
    source = to_source(values, imports)
    namespace: dict[str, object] = {}
    exec("\n".join(imports.lines()), namespace)
    assert eval(source, namespace) == values
    assert "import datetime" in imports.lines()
    with pytest.raises(Unrenderable, match="round-trip"):
        to_source(decimal.Decimal("NaN"), Imports())
