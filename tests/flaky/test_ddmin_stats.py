"""Delta debugging finds the responsible tests; the Wilson interval matches published values."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.flaky.ddmin import ddmin
from auditor.flaky.stats import rate_pct, wilson


@given(st.integers(min_value=1, max_value=64), st.data())
@settings(max_examples=60, deadline=None, derandomize=True)
def test_single_culprit_is_found_by_bisection(n: int, data: st.DataObject) -> None:
    items = list(range(n))
    culprit = data.draw(st.sampled_from(items))
    probes: list[list[int]] = []

    def interesting(sub: list[int]) -> bool:
        probes.append(sub)
        return culprit in sub

    assert ddmin(items, interesting) == [culprit]
    assert len(probes) <= 2 * max(1, n.bit_length()) + 2


@given(st.integers(min_value=2, max_value=40), st.data())
@settings(max_examples=60, deadline=None, derandomize=True)
def test_two_culprits_needed_together_are_both_kept(n: int, data: st.DataObject) -> None:
    items = list(range(n))
    a, b = data.draw(st.lists(st.sampled_from(items), min_size=2, max_size=2, unique=True))
    found = ddmin(items, lambda sub: a in sub and b in sub)
    assert sorted(found) == sorted([a, b])


def test_subsets_keep_the_original_order() -> None:
    seen: list[list[str]] = []

    def interesting(sub: list[str]) -> bool:
        seen.append(sub)
        return "c" in sub

    assert ddmin(["a", "b", "c", "d"], interesting) == ["c"]
    assert len(seen) >= 2
    for sub in seen:
        assert sub == sorted(sub)


@pytest.mark.parametrize(
    ("failures", "runs", "low", "high"),
    [
        # Newcombe (1998), Statistics in Medicine 17:857, table I, method 3 (Wilson)
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_matches_newcombe(failures: int, runs: int, low: float, high: float) -> None:
    got = wilson(failures, runs)
    assert got == pytest.approx((low, high), abs=6e-4)


def test_rate_pct_and_bad_input() -> None:
    assert rate_pct(0, 0) == (None, None)
    rate, ci = rate_pct(3, 10)
    assert rate == 30.0 and ci is not None and ci[0] < 30.0 < ci[1]
    with pytest.raises(ValueError, match="failures"):
        wilson(5, 3)
