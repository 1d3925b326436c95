"""Returned functions are compared by calling them, never by their names."""

from __future__ import annotations

import functools
import os
import shutil
from typing import Any

from auditor.properties.differential import Outcome, compare, same_value
from auditor.properties.probe import (
    PROBE,
    is_probeable,
    render_transcript,
    same_transcript,
    transcript,
)


def adder(n: int) -> Any:
    def add(x: int) -> int:
        return x + n

    return add


def memo(maxsize: int) -> Any:
    def decorator(func: Any) -> Any:
        cache: dict[Any, Any] = {}

        def wrapper(*args: Any) -> Any:
            if args in cache:
                return cache[args]
            result = func(*args)
            if len(cache) < maxsize:
                cache[args] = result
            return result

        return wrapper

    return decorator


def test_only_python_functions_outside_the_stdlib_are_called() -> None:
    assert is_probeable(adder(1)) and is_probeable(functools.partial(adder(1), 2))
    for dangerous in (os.remove, print, shutil.rmtree, functools.partial(os.remove, "x")):
        assert not is_probeable(dangerous)
    assert not is_probeable(int) and not is_probeable(3)


def test_two_closures_with_the_same_name_differ_when_called() -> None:
    # what structural comparison called equal on every cachetools input
    one, two = adder(1), adder(2)
    assert same_value(one, two)  # the structural picture cannot tell them apart ...
    a, b = transcript(one, [(0,), (5,)]), transcript(two, [(0,), (5,)])
    assert not same_transcript(a, b, same_value)  # ... calling them can
    assert same_transcript(a, transcript(adder(1), [(0,), (5,)]), same_value)
    assert not compare(
        Outcome("return", value=one, transcript=a), Outcome("return", value=two, transcript=b)
    )[0]


def test_a_decorator_gets_a_probe_function_and_caching_shows() -> None:
    caching, not_caching = transcript(memo(8), [(1,), (2,)]), transcript(memo(0), [(1,), (2,)])
    assert caching.steps[0].args == (PROBE,) and caching.steps[0].kind == "callable"
    # memo(0) calls the probe again on the repeated argument: its results count up
    assert not same_transcript(caching, not_caching, same_value)
    assert caching.calls == [((1,), {}), ((2,), {})]


def test_a_function_that_cannot_be_called_is_not_conclusive() -> None:
    def needs_keyword(*, key: str) -> str:
        return key

    def needs_two(a: int, b: int) -> int:
        raise TypeError("never callable this way")

    assert not transcript(lambda: needs_keyword, [(1,)]).conclusive  # returns a callable ...
    assert not transcript(needs_two, [(1,)]).conclusive
    assert transcript(adder(1), [(1,)]).conclusive


def test_the_transcript_renders_as_test_lines_that_replay_it() -> None:
    script = transcript(memo(8), [(1,)])
    before, after = render_transcript(
        script, repr, lambda expr, value: f"assert {expr} == {value!r}", lambda t: t.__name__
    )
    assert "def probe(*args, **kwargs):" in before
    assert after[0] == "f1 = result(probe)"
    assert after[1:3] == ["assert f1(1) == 1", "assert f1(1) == 1"]
    assert after[-1] == "assert calls == [((1,), {})]"
    namespace: dict[str, Any] = {}
    namespace["memo"] = memo
    exec("\n".join([*before, "result = memo(8)", *after]), namespace)
