"""The worker's search in-process, on modules shaped like mutmut's trampolined copies
(fake_trampoline.py); the real mutmut runs are in test_properties_evidence_real.py."""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fake_trampoline import load, trampolined

from auditor.properties import worker
from auditor.properties.evidence import (
    CONFINED,
    MESSAGE_ONLY,
    NO_FREE_INPUTS,
    NOT_REACHED,
    WINDOW,
    min_distinct_for,
)
from auditor.properties.names import parse_mutant_name

MODULE = "fake_shop_for_worker"

PREAMBLE = """
import argparse
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol, TypedDict

import attrs

LIMIT = 1000


class Clock(Protocol):
    def now(self) -> int: ...


@dataclass
class Member:
    name: str
    age: int


class Point(NamedTuple):
    x: int
    y: int


class Order(TypedDict):
    sku: str
    qty: int


@attrs.define
class Box:
    width: int
    label: str = ""
"""

FUNCTIONS = [
    trampolined(
        """
        def cost(weight_g: int) -> int:
            return 300 if weight_g < LIMIT else 500
        """,
        [("weight_g < LIMIT", "weight_g <= LIMIT")],
    ),
    trampolined(
        """
        def check_age(age: int) -> int:
            if age < 0:
                raise ValueError("age must not be negative")
            return age
        """,
        [('"age must not be negative"', '"XXage must not be negativeXX"')],
    ),
    trampolined(
        """
        def stamp(clock: Clock) -> int:
            return clock.now()
        """,
        [("clock.now()", "clock.now() + 1")],
    ),
    trampolined(
        """
        def untyped(x):
            return x
        """,
        [("return x", "return None")],
    ),
    trampolined(
        """
        def fee(member: Member) -> int:
            if member.age < 26:
                return 10
            return 20
        """,
        [("member.age < 26", "member.age <= 26")],
    ),
    trampolined(
        """
        def quadrant(p: Point) -> str:
            return "east" if p.x > 100 else "west"
        """,
        [("p.x > 100", "p.x >= 100")],
    ),
    trampolined(
        """
        def bulk(order: Order) -> bool:
            return order["qty"] >= 12
        """,
        [('order["qty"] >= 12', 'order["qty"] > 12')],
    ),
    trampolined(
        """
        def wide(box: Box) -> bool:
            return box.width > 40
        """,
        [("box.width > 40", "box.width >= 40")],
    ),
    trampolined(
        """
        def build(yeardigits=4, expanded=False):
            if expanded:
                return yeardigits + 2
            return yeardigits
        """,
        [("yeardigits + 2", "yeardigits - 2"), ("if expanded:", "if not expanded:")],
    ),
    trampolined(
        """
        def utc(tz=None):
            return "UTC" if tz is None else "local"
        """,
        [('"local"', '"XXlocalXX"')],
    ),
    trampolined(
        """
        def version():
            return "1.0"
        """,
        [('"1.0"', '"XX1.0XX"')],
    ),
    trampolined(
        """
        def adder(n: int):
            def add(x):
                return x + n * 2
            return add
        """,
        [("n * 2", "n * 3")],
    ),
    trampolined(
        """
        def is_big(data: Any) -> bool:
            return isinstance(data, int) and data > 5
        """,
        [("data > 5", "data >= 5")],
    ),
    trampolined(
        """
        def parse_args(argv: list[str]) -> argparse.Namespace:
            parser = argparse.ArgumentParser(description="Club tool")
            parser.add_argument("--age", type=int, default=0, help="Age in years")
            return parser.parse_args(argv)
        """,
        [('help="Age in years"', 'help="XXAge in yearsXX"')],
    ),
    trampolined(
        """
        def parse_many(argv: list[str]) -> argparse.Namespace:
            parser = argparse.ArgumentParser(description="Slug tool")
            parser.add_argument("text", nargs="*", help="Text to slugify")
            parser.add_argument("--max-length", type=int, default=0, help="Cut to this")
            parser.add_argument("--separator", type=str, default="-", help="Separator")
            parser.add_argument("--stopwords", nargs="+", help="Words to drop")
            parser.add_argument("--regex-pattern", default=None, help="Allowed chars")
            parser.add_argument("--no-entities", action="store_false", help="No HTML")
            parser.add_argument("--no-decimal", action="store_false", help="No decimals")
            parser.add_argument("--no-hexadecimal", action="store_false", help="No hex")
            parser.add_argument("--word-boundary", action="store_true", help="Whole words")
            parser.add_argument("--save-order", action="store_true", help="Keep order")
            parser.add_argument("--allow-unicode", action="store_true", help="Unicode")
            parser.add_argument("--lowercase", action="store_true", help="Lower case")
            parser.add_argument("--replacements", nargs="+", help="Pairs to replace")
            parser.add_argument("--max-words", type=int, default=8, help="Word cap")
            parser.add_argument("--prefix", default="", help="Put in front")
            parser.add_argument("--suffix", default="", help="Put after")
            return parser.parse_args(argv)
        """,
        [('help="Whole words"', 'help="XXWhole wordsXX"')],
    ),
    trampolined(
        """
        def slug(text: str, lowercase: bool = True) -> str:
            if text in ("ab", "cd", "ef", "gh", "ij", "kl", "mn", "op", "qr", "st", "uv"):
                return "pair"
            if text in ("wx", "yz", "ba", "dc", "fe", "hg", "ji", "lk", "nm", "po", "rq"):
                return "reversed"
            words = text.split()
            joined = "-".join(words)
            if lowercase:
                joined = joined.lower()
            return joined
        """,
        [("lowercase: bool = True", "lowercase: bool = False")],
    ),
    trampolined(
        """
        def cut(text: str) -> str:
            size = len(text) + 1
            if text in ("ab", "cd", "ef", "gh", "ij", "kl", "mn", "op", "qr", "st", "uv"):
                return "pair"
            if text in ("wx", "yz", "ba", "dc", "fe", "hg", "ji", "lk", "nm", "po", "rq"):
                return "reversed"
            if size > 3 * 4:
                return text[:2 * 5]
            return text
        """,
        [("len(text) + 1", "len(text) + 2")],
    ),
    trampolined(
        """
        def clamp(x: int) -> int:
            if x < 0:
                return 0
            return x
        """,
        [("x < 0", "x <= 0")],
    ),
    trampolined(
        """
        def needle(text: str) -> int:
            if text == "a-very-specific-needle-of-forty-one-chars-x".upper():
                return len(text) + 1
            return 0
        """,
        [("len(text) + 1", "len(text) + 2")],
    ),
]


@pytest.fixture
def fake_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[types.ModuleType]:
    monkeypatch.syspath_prepend(str(tmp_path))
    module = load(tmp_path, MODULE, PREAMBLE, *FUNCTIONS)
    monkeypatch.setattr(worker, "set_mutant", lambda name: module.ACTIVE.__setitem__("name", name))
    worker._INPUTS.clear()
    yield module
    sys.modules.pop(MODULE, None)


def _search(mutant_id: str, tmp_path: Path, **job: object) -> dict[str, Any]:
    name = parse_mutant_name(mutant_id)
    cache: dict[str, Any] = {}
    target = worker.resolve(name, tmp_path, cache)
    site = worker.mutation_site(name, target, tmp_path, cache)
    settings = {"max_examples": 150, "seconds": 20, "call_timeout": 1.0, **job}
    return worker.search(name, mutant_id, target, settings, site)


def _witness_call(record: dict[str, Any]) -> str:
    assert record["outcome"] == "witness", record
    assert record["witness"]["verified"] is True
    return str(record["witness"]["call"])


def test_boundary_mutant_gets_a_shrunk_verified_witness(
    fake_module: types.ModuleType, tmp_path: Path
) -> None:
    record = _search(f"{MODULE}.x_cost__mutmut_1", tmp_path)
    # the module constant LIMIT = 1000 is what makes the boundary reachable
    assert _witness_call(record) == "cost(weight_g=1000)"
    assert "assert cost(weight_g=1000) == 500" in record["witness"]["test_code"]


@pytest.mark.parametrize(
    ("function", "call"),
    [
        # issue 10 item 8: `member.age < 26` inside a dataclass argument
        ("fee", "fee(member=Member(name='', age=26))"),
        ("quadrant", "quadrant(p=Point(x=100, y=0))"),
        ("bulk", "bulk(order={'sku': '', 'qty': 12})"),
        ("wide", "wide(box=Box(width=40))"),
    ],
)
def test_boundaries_reach_fields_of_records(
    fake_module: types.ModuleType, tmp_path: Path, function: str, call: str
) -> None:
    record = _search(f"{MODULE}.x_{function}__mutmut_1", tmp_path)
    assert _witness_call(record) == call


def test_any_gets_a_broad_strategy_with_the_literals(
    fake_module: types.ModuleType, tmp_path: Path
) -> None:
    # schema 0.7.8: "Could not resolve typing.Any" skipped most of its survivors
    assert _witness_call(_search(f"{MODULE}.x_is_big__mutmut_1", tmp_path)) == "is_big(data=5)"


def test_unhinted_defaults_are_drawn_from_their_type(
    fake_module: types.ModuleType, tmp_path: Path
) -> None:
    # isodate: `build_date_regexps(yeardigits=4, expanded=False)` was called once and claimed
    first = _search(f"{MODULE}.x_build__mutmut_1", tmp_path)
    assert "expanded=True" in _witness_call(first)
    assert _search(f"{MODULE}.x_build__mutmut_2", tmp_path)["outcome"] == "witness"


def test_no_free_input_is_not_evidence(fake_module: types.ModuleType, tmp_path: Path) -> None:
    record = _search(f"{MODULE}.x_utc__mutmut_1", tmp_path)
    # `tz=None` has no type to draw from: the function is called once, which proves nothing
    assert record["outcome"] == "unverified"
    assert record["evidence"]["reason"] == NO_FREE_INPUTS
    assert record["evidence"]["fixed"] == ["tz"]
    assert "no input the search can vary" in record["note"]
    # ... but a call that differs is still a witness
    assert _witness_call(_search(f"{MODULE}.x_version__mutmut_1", tmp_path)) == "version()"


def test_returned_closures_are_compared_by_calling_them(
    fake_module: types.ModuleType, tmp_path: Path
) -> None:
    # cachetools: closures compared structurally were "equal" on every input
    record = _search(f"{MODULE}.x_adder__mutmut_1", tmp_path)
    _witness_call(record)
    code = record["witness"]["test_code"]
    assert "result = adder(n=" in code and "assert result(" in code


def test_help_strings_stop_early_without_a_claim(
    fake_module: types.ModuleType, tmp_path: Path
) -> None:
    record = _search(f"{MODULE}.x_parse_args__mutmut_1", tmp_path)
    evidence = record["evidence"]
    assert record["outcome"] == "unverified" and evidence["reason"] == CONFINED
    assert evidence["stopped_early"] == CONFINED
    assert evidence["distinct"] < 150 / 2  # far below the budget of a claim
    assert "local variables differed" in record["note"]


def test_message_only_differences_stop_early_without_a_claim(
    fake_module: types.ModuleType, tmp_path: Path
) -> None:
    record = _search(f"{MODULE}.x_check_age__mutmut_1", tmp_path)
    assert record["outcome"] == "unverified"
    assert record["evidence"]["reason"] == MESSAGE_ONLY
    assert "only the exception message differs" in record["note"]


def test_a_claim_needs_its_budget_of_distinct_reaching_inputs(
    fake_module: types.ModuleType, tmp_path: Path
) -> None:
    record = _search(f"{MODULE}.x_clamp__mutmut_1", tmp_path, max_examples=90)
    evidence = record["evidence"]
    assert record["outcome"] == "likely_equivalent", record
    assert evidence["budget_met"] and evidence["reason"] == ""
    assert evidence["conclusive"] >= min_distinct_for(90) == 30
    assert evidence["pins_tried"] == evidence["pins_total"] > 0
    assert record["examples"] == evidence["distinct"] >= evidence["conclusive"]


def test_unreached_mutants_are_not_claimed(fake_module: types.ModuleType, tmp_path: Path) -> None:
    record = _search(f"{MODULE}.x_needle__mutmut_1", tmp_path)
    assert record["outcome"] == "unverified", record
    assert record["evidence"]["reason"] == NOT_REACHED
    assert record["evidence"]["reached"] == 0


def test_time_budget_ends_the_search_honestly(
    fake_module: types.ModuleType, tmp_path: Path
) -> None:
    record = _search(f"{MODULE}.x_clamp__mutmut_1", tmp_path, seconds=0.0001, max_examples=10**6)
    # no example finished in time: not a claim of equivalence
    assert (record["outcome"], record["examples"]) == ("skipped", 0)
    assert "stopped after 0.0001s" in record["note"]


def test_unbuildable_and_unhinted_parameters_are_skipped_with_reasons(
    fake_module: types.ModuleType, tmp_path: Path
) -> None:
    with pytest.raises(worker.Skip, match="cannot generate arguments for stamp"):
        _search(f"{MODULE}.x_stamp__mutmut_1", tmp_path)
    with pytest.raises(worker.Skip, match="'x' of untyped"):
        _search(f"{MODULE}.x_untyped__mutmut_1", tmp_path)
    with pytest.raises(worker.Skip, match="not a module-level function"):
        _search(f"{MODULE}.x_missing__mutmut_1", tmp_path)


def test_help_strings_stop_early_when_the_pins_outnumber_the_watched_inputs(
    fake_module: types.ModuleType, tmp_path: Path
) -> None:
    # python-slugify's parse_args: more boundary inputs than the reaching inputs whose locals are
    # pictured; the decision rests on those, so the mutant still stops right after the pins
    record = _search(f"{MODULE}.x_parse_many__mutmut_1", tmp_path)
    evidence = record["evidence"]
    assert evidence["pins_total"] > WINDOW
    assert evidence["stopped_early"] == CONFINED, evidence
    assert evidence["distinct"] <= evidence["pins_total"] + evidence["pairs_tried"] + 1


@pytest.mark.parametrize(
    "mutant",
    [
        # python-slugify's slugify(lowercase=True -> False): the parameter differs on every call
        "x_slug__mutmut_1",
        # python-slugify's _replace_disallowed_unicode(last = len(text) - 1 -> + 1): a local that
        # differs with the input reaches the result only on rarer inputs
        "x_cut__mutmut_1",
    ],
)
def test_a_local_that_varies_with_the_input_or_a_changed_default_is_not_confined(
    fake_module: types.ModuleType, tmp_path: Path, mutant: str
) -> None:
    record = _search(f"{MODULE}.{mutant}", tmp_path)
    assert record["evidence"]["stopped_early"] == "", record["evidence"]
    _witness_call(record)
