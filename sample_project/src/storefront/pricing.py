"""Discounts: bulk tiers, coupon codes and loyalty. All results are discounts in cents."""

from __future__ import annotations

from storefront.money import clamp, percent_of

# code -> (kind, amount, minimum spend in cents)
COUPONS = {
    "SAVE10": ("percent", 10, 5000),
    "FLAT5": ("flat", 500, 0),
}


def bulk_discount(qty: int, unit_cents: int) -> int:
    """Discount for buying ``qty`` units of one SKU: 10 % from 100 units, 5 % from 20 units."""
    if qty <= 0:
        raise ValueError("quantity must be positive")
    gross = qty * unit_cents
    if qty >= 100:
        return percent_of(gross, 10)
    if qty >= 20:
        return percent_of(gross, 5)
    return 0


def apply_coupon(subtotal_cents: int, code: str) -> int:
    """Discount for a coupon code (case and spaces ignored); 0 when unknown or below minimum."""
    rule = COUPONS.get(code.strip().upper())
    if rule is None:
        return 0
    kind, amount, min_spend = rule
    if subtotal_cents < min_spend:
        return 0
    if kind == "percent":
        return percent_of(subtotal_cents, amount)
    return min(amount, subtotal_cents)


def loyalty_percent(years: int) -> int:
    """Members get 2 % per full year of membership, capped at 10 %, never negative."""
    return clamp(years * 2, 0, 10)
