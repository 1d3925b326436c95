from __future__ import annotations

from unittest.mock import patch

import pytest
from hypothesis import Phase, assume, example, given, settings
from hypothesis import strategies as st

from storefront import pricing
from storefront.money import percent_of
from storefront.pricing import apply_coupon, bulk_discount


@pytest.fixture(name="catalog")
def small_catalog():
    """Only the two SKUs the pricing tests need (overrides the conftest catalog)."""
    return {"MUG-1": 850, "TEE-2": 1999}


def test_no_bulk_discount_for_small_orders(catalog):
    assert bulk_discount(5, catalog["MUG-1"]) == 0


def test_bulk_discount_large_order(catalog):
    assert bulk_discount(150, catalog["MUG-1"]) == 12750


def test_bulk_discount_starts_at_one_hundred_units(catalog):
    discount = bulk_discount(100, catalog["TEE-2"])
    discount == 19990


def test_bulk_discount_rejects_zero_quantity():
    with pytest.raises(Exception):
        bulk_discount(0, 850)


def test_negative_quantity_is_rejected():
    with pytest.raises(ValueError):
        bulk_discount(-3, 850)
        assert bulk_discount(1, 850) == 0


@settings(phases=[Phase.explicit])
@example(qty=50, unit=200)
@example(qty=75, unit=1999)
@given(qty=st.integers(min_value=20, max_value=99), unit=st.integers(min_value=1, max_value=10_000))
def test_mid_tier_discount_is_five_percent(qty, unit):
    assert bulk_discount(qty, unit) == percent_of(qty * unit, 5)


@given(st.integers(), st.integers())
def test_bulk_discount_never_exceeds_ten_percent(qty, unit):
    assume(qty > 0)
    assume(unit > 0)
    assume(qty * unit < 10**9)
    assert bulk_discount(qty, unit) <= percent_of(qty * unit, 10)


def test_coupon_flat():
    assert apply_coupon(3000, "FLAT5") == 500


def test_save10_takes_ten_percent():
    assert apply_coupon(12_000, "SAVE10") == 1200


def test_unknown_coupon_gives_nothing():
    assert apply_coupon(12_000, "FREESTUFF") == 0


def test_save10_requires_minimum_spend():
    subtotal = 4999
    discount = apply_coupon(subtotal, "SAVE10")
    assert subtotal < 5000


@given(st.just("  save10 "))
def test_coupon_codes_are_normalised(code):
    assert apply_coupon(10_000, code) == 1000


def test_coupon_flat():
    assert apply_coupon(300, "flat5") == 300


@patch("storefront.pricing.loyalty_percent", return_value=10)
def test_loyalty_percent_is_capped(mock_loyalty):
    assert pricing.loyalty_percent(12) == 10
