"""Failure rates with a Wilson score interval (the interval that stays sensible at 0/n and n/n)."""

from __future__ import annotations

import math

Z95 = 1.959963984540054  # two-sided 95 %


def wilson(failures: int, runs: int, z: float = Z95) -> tuple[float, float]:
    """95 % Wilson score interval for a failure rate, as fractions (low, high).

    Source: E. B. Wilson, "Probable inference, the law of succession, and statistical inference",
    JASA 22 (1927). For `runs == 0` the interval is the whole of [0, 1].
    Raises ValueError when `failures` is outside 0..runs.
    """
    if runs < 0 or failures < 0 or failures > runs:
        raise ValueError(f"need 0 <= failures <= runs, got {failures} of {runs}")
    if runs == 0:
        return 0.0, 1.0
    p = failures / runs
    denom = 1 + z * z / runs
    centre = (p + z * z / (2 * runs)) / denom
    half = z * math.sqrt(p * (1 - p) / runs + z * z / (4 * runs * runs)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def rate_pct(failures: int, runs: int) -> tuple[float | None, list[float] | None]:
    """(failure rate, [low, high] 95 % interval), all 0-100 with one decimal; None for no runs."""
    if runs <= 0:
        return None, None
    low, high = wilson(failures, runs)
    return round(100 * failures / runs, 1), [round(100 * low, 1), round(100 * high, 1)]
