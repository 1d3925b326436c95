"""Money helpers. Amounts are integer cents, never floats, so sums are exact."""

from __future__ import annotations

import os
from dataclasses import dataclass

CURRENCY_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£"}


@dataclass(frozen=True, order=True)
class Money:
    """An amount in one currency; adding two currencies is a bug, so it raises."""

    cents: int
    currency: str = "EUR"

    def __add__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        if other.currency != self.currency:
            raise ValueError(f"cannot add {other.currency} to {self.currency}")
        return Money(self.cents + other.cents, self.currency)

    def times(self, qty: int) -> Money:
        return Money(self.cents * qty, self.currency)

    def __str__(self) -> str:
        return format_cents(self.cents, self.currency)


def default_currency() -> str:
    """The shop currency from STOREFRONT_CURRENCY; unknown codes fall back to EUR."""
    code = os.environ.get("STOREFRONT_CURRENCY", "EUR").strip().upper()
    return code if code in CURRENCY_SYMBOLS else "EUR"


def parse_amount(text: str) -> int:
    """'4.50' -> 450, '12' -> 1200, '0,5' -> 50. Negative amounts and sub-cent digits are errors."""
    cleaned = text.strip().replace(",", ".")
    if cleaned.startswith("-"):
        raise ValueError(f"negative amount: {text!r}")
    whole, _, frac = cleaned.partition(".")
    if not whole.isdigit() or (frac and not frac.isdigit()):
        raise ValueError(f"not an amount: {text!r}")
    if len(frac) > 2:
        raise ValueError(f"more than two decimals: {text!r}")
    return int(whole) * 100 + int(frac.ljust(2, "0"))


def format_cents(cents: int, currency: str = "EUR") -> str:
    """450 -> '€4.50'; thousands get a separator; unknown currencies are spelled out."""
    symbol = CURRENCY_SYMBOLS.get(currency, currency + " ")
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), 100)
    return f"{sign}{symbol}{whole:,}.{frac:02d}"


def percent_of(cents: int, percent: int) -> int:
    """``percent`` % of ``cents``, rounded half up to a whole cent (integer maths, no float drift)."""
    return (cents * percent + 50) // 100


def clamp(value: int, lo: int, hi: int) -> int:
    """Limit ``value`` to ``[lo, hi]``; an empty range is a caller bug.

    Deliberate EQUIVALENT mutant site: ``value < lo`` -> ``value <= lo`` (and ``value > hi`` ->
    ``value >= hi``) only changes what happens when ``value`` equals the bound, and then both
    versions return the same number. No test can kill these two mutants. (The ``lo > hi`` guard
    is what makes the first one truly equivalent: with ``lo > hi`` allowed, ``clamp(0, 0, -1)``
    would tell them apart.)
    """
    if lo > hi:
        raise ValueError(f"empty range [{lo}, {hi}]")
    if value < lo:
        return lo
    if value > hi:
        return hi
    return value
