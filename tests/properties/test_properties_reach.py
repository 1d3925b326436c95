"""Where a mutant differs from its original, and whether an input ran that code."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import Any

import pytest
from fake_trampoline import load, trampolined

from auditor.properties.differential import picture_locals
from auditor.properties.reach import Watch, locate, watching

FUNCTIONS = [
    trampolined(
        """
        def shipping(weight: int, zone: int) -> int:
            if weight <= 0:
                raise ValueError("weight")
            if zone == 1 and weight > 1000:
                return 0
            return 490
        """,
        [("weight > 1000", "weight >= 1000")],
    ),
    trampolined(
        """
        def memo(maxsize=128):
            def decorator(func):
                def wrapper(*args):
                    return func(*args) if maxsize else None
                return wrapper
            return decorator
        """,
        [("maxsize=128", "maxsize=129"), ("if maxsize else None", "if not maxsize else None")],
    ),
]


@pytest.fixture
def module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.syspath_prepend(str(tmp_path))
    yield load(tmp_path, "reach_shop", "", *FUNCTIONS)
    sys.modules.pop("reach_shop", None)


def _traced(site: Any, func: Any, *args: Any, side: str = "mutant") -> Watch:
    tracing = watching(site, side, want_locals=True, picture=picture_locals)
    with tracing as watch, contextlib.suppress(ValueError):
        func(*args)
    return watch


def test_the_site_is_the_statement_holding_the_change(module: Any) -> None:
    site = locate(module.x_shipping__mutmut_orig, module.x_shipping__mutmut_1)
    assert site is not None and site.lines is not None and site.defaults == frozenset()
    first = module.x_shipping__mutmut_1.__code__.co_firstlineno
    assert first + 3 in site.lines and first + 4 in site.lines  # `if zone ...:` and its body
    assert _traced(site, module.x_shipping__mutmut_1, 5, 1).reached
    # the weight check raises first: the mutated `if` never runs
    assert not _traced(site, module.x_shipping__mutmut_1, 0, 1).reached


def test_a_changed_default_is_reached_only_when_the_parameter_is_left_out(module: Any) -> None:
    site = locate(module.x_memo__mutmut_orig, module.x_memo__mutmut_1)
    assert site is not None and site.lines is None and site.defaults == {"maxsize"}
    assert site.description == "the default of maxsize"
    watch = _traced(site, module.x_memo__mutmut_1)
    assert site.reached_by(watch, passed={})
    assert not site.reached_by(watch, passed={"maxsize": 3})


def test_code_in_a_returned_closure_counts_when_it_runs(module: Any) -> None:
    site = locate(module.x_memo__mutmut_orig, module.x_memo__mutmut_2)
    assert site is not None and site.lines is not None
    assert not _traced(site, module.x_memo__mutmut_2).reached  # only built, never called
    with watching(site, "mutant", want_locals=False, picture=picture_locals) as watch:
        module.x_memo__mutmut_2()(len)("ab")
    assert watch.reached


def test_locals_at_return_are_pictured_on_either_side(module: Any) -> None:
    site = locate(module.x_shipping__mutmut_orig, module.x_shipping__mutmut_1)
    original = _traced(site, module.x_shipping__mutmut_orig, 5, 2, side="original")
    assert original.locals == picture_locals({"weight": 5, "zone": 2})
    assert not original.reached  # reach is a property of the mutant's code only
