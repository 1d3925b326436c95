"""Comparison, test generation and verification of witnesses, in-process with a fake trampoline.

The module-level functions below dispatch on `ACTIVE["name"]` the way mutmut's trampoline dispatches
on MUTANT_UNDER_TEST, so the generated test code (which imports them from this module) really runs
against "original" and "mutant".
"""

from __future__ import annotations

import math

from auditor.properties.differential import (
    Outcome,
    Target,
    changed_state,
    compare,
    execute,
)
from auditor.properties.testgen import build_test, verify

ACTIVE = {"name": ""}


def set_mutant(name: str) -> None:
    ACTIVE["name"] = name


def price(x: int) -> int:
    if ACTIVE["name"] == "plus_one":
        return x + 1
    if ACTIVE["name"] == "boundary" and x == 1000:
        return -1
    if ACTIVE["name"] == "hang":
        while True:
            pass
    if x < 0:
        raise ValueError("negative" if ACTIVE["name"] != "message" else "XXnegativeXX")
    return x


def append_to(items: list[int], value: int) -> None:
    items.append(value if ACTIVE["name"] != "drop" else 0)


class Counter:
    def __init__(self, start: int = 0) -> None:
        self.count = start

    def bump(self, by: int) -> None:
        self.count = self.count + by if ACTIVE["name"] != "assign" else by


def _target(func: object, name: str, kind: str = "function", cls: type | None = None) -> Target:
    return Target(module=__name__, function=name, kind=kind, func=func, cls=cls)  # type: ignore[arg-type]


def _run(
    target: Target, kwargs: dict[str, object], mutant: str, ctor: dict[str, object] | None = None
):  # type: ignore[no-untyped-def]
    original = execute(target, ctor or {}, kwargs, set_mutant, "", 0.5)
    mutated = execute(target, ctor or {}, kwargs, set_mutant, mutant, 0.5)
    return original, mutated


def test_nan_results_and_equal_plain_objects_are_the_same() -> None:
    assert compare(Outcome("return", value=math.nan), Outcome("return", value=math.nan)) == (
        True,
        "",
    )
    a, b = Counter(3), Counter(3)
    assert compare(Outcome("return", value=a), Outcome("return", value=b))[0]
    assert not compare(Outcome("return", value=a), Outcome("return", value=Counter(4)))[0]


def test_exceptions_compare_by_type_and_note_message_only_differences() -> None:
    original, mutated = _run(_target(price, "price"), {"x": -1}, "message")
    same, note = compare(original, mutated)
    assert same and "only the exception message differs" in note
    assert not compare(Outcome("raise", exc_type=ValueError), Outcome("raise", exc_type=TypeError))[
        0
    ]
    assert not compare(Outcome("raise", exc_type=ValueError), Outcome("return", value=1))[0]


def test_return_value_witness_is_a_verified_pasteable_test() -> None:
    target = _target(price, "price")
    original, mutated = _run(target, {"x": 1000}, "boundary")
    assert not compare(original, mutated)[0]
    call, code = build_test(target, "test_price_kills_mutant_7", {}, {"x": 1000}, original, mutated)
    assert call == "price(x=1000)"
    assert f"from {__name__} import price" in code
    assert "assert price(x=1000) == 1000" in code
    assert verify(code, "test_price_kills_mutant_7", set_mutant, "boundary", 1.0) == (True, "")


def test_verification_rejects_tests_that_do_not_separate_original_and_mutant() -> None:
    target = _target(price, "price")
    original, mutated = _run(target, {"x": 1000}, "boundary")
    _, code = build_test(target, "test_p", {}, {"x": 1000}, original, mutated)
    ok, why = verify(code, "test_p", set_mutant, "plus_one", 1.0)  # plus_one also changes 1000
    assert ok
    ok, why = verify(code, "test_p", set_mutant, "message", 1.0)  # same value on this input
    assert not ok and "passes on the mutant" in why
    wrong = code.replace("== 1000", "== 999")
    ok, why = verify(wrong, "test_p", set_mutant, "boundary", 1.0)
    assert not ok and "fails on the original" in why
    ok, why = verify("def broken(:\n", "test_p", set_mutant, "boundary", 1.0)
    assert not ok and "does not import/compile" in why


def test_exception_witness_uses_pytest_raises() -> None:
    target = _target(price, "price")
    original = execute(target, {}, {"x": -5}, set_mutant, "", 0.5)
    mutated = Outcome("return", value=-5)
    _, code = build_test(target, "test_raise", {}, {"x": -5}, original, mutated)
    assert "import pytest" in code and "with pytest.raises(ValueError):" in code
    assert (
        verify(code, "test_raise", set_mutant, "", 1.0)[1]
        == "the generated test passes on the mutant"
    )


def test_a_hanging_mutant_is_a_difference_and_its_test_fails_by_timeout() -> None:
    target = _target(price, "price")
    original, mutated = _run(target, {"x": 2}, "hang")
    assert mutated.kind == "timeout" and not compare(original, mutated)[0]
    _, code = build_test(target, "test_hang", {}, {"x": 2}, original, mutated)
    assert verify(code, "test_hang", set_mutant, "hang", 0.3) == (True, "")


def test_argument_mutation_is_compared_and_pinned() -> None:
    target = _target(append_to, "append_to")
    original, mutated = _run(target, {"items": [1], "value": 5}, "drop")
    assert original.value is None and mutated.value is None
    assert changed_state(original, mutated) == ["items"]
    assert "items -> [1, 5]" in original.describe(["items"])
    _, code = build_test(target, "test_append", {}, {"items": [1], "value": 5}, original, mutated)
    assert "items = [1]" in code and "assert items == [1, 5]" in code
    assert verify(code, "test_append", set_mutant, "drop", 1.0) == (True, "")


def test_method_state_change_is_pinned_through_vars() -> None:
    target = _target(Counter.bump, "bump", kind="method", cls=Counter)
    original, mutated = _run(target, {"by": 2}, "assign", ctor={"start": 3})
    assert changed_state(original, mutated) == ["self"]
    call, code = build_test(target, "test_bump", {"start": 3}, {"by": 2}, original, mutated)
    assert call == "Counter(start=3).bump(by=2)"
    assert "obj = Counter(start=3)" in code and "assert vars(obj) == {'count': 5}" in code
    assert verify(code, "test_bump", set_mutant, "assign", 1.0) == (True, "")


def countdown(n: int):  # type: ignore[no-untyped-def]
    start = n + 1 if ACTIVE["name"] == "off_by_one" else n
    yield from range(start, 0, -1)


def test_generators_are_compared_by_their_items() -> None:
    target = Target(
        module=__name__, function="countdown", kind="function", func=countdown, is_generator=True
    )
    original, mutated = _run(target, {"n": 2}, "off_by_one")
    assert (original.value, mutated.value) == ([2, 1], [3, 2, 1])
    _, code = build_test(target, "test_countdown", {}, {"n": 2}, original, mutated)
    assert "assert list(countdown(n=2)) == [2, 1]" in code
    assert verify(code, "test_countdown", set_mutant, "off_by_one", 1.0) == (True, "")
