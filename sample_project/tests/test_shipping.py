from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storefront.shipping import express_surcharge, shipping_cost, vat_cents


@pytest.mark.parametrize(
    ("weight_g", "country", "expected"),
    [(750, "DE", 490), (1000, "de", 490), (1001, "NL", 640), (3500, "FR", 940)],
)
def test_domestic_parcel_price(weight_g, country, expected):
    assert shipping_cost(weight_g, country, subtotal_cents=2000) == expected


def test_domestic_shipping_is_free_for_big_orders():
    assert shipping_cost(2500, "DE", subtotal_cents=10_000) == 0


def test_shipping_outside_the_eu():
    cost = shipping_cost(2500, "GB", subtotal_cents=10_000)
    if cost > 0:
        assert cost == 1590


def test_zero_weight_is_rejected():
    with pytest.raises(ValueError, match="weight"):
        shipping_cost(0, "DE", 100)


@given(
    st.integers(min_value=1, max_value=50_000),
    st.integers(min_value=1, max_value=50_000),
    st.sampled_from(["DE", "GB", "US"]),
    st.integers(min_value=0, max_value=20_000),
)
def test_heavier_parcels_never_cost_less(a, b, country, subtotal):
    light, heavy = sorted((a, b))
    assert shipping_cost(light, country, subtotal) <= shipping_cost(heavy, country, subtotal)


@pytest.mark.parametrize(("cost", "express", "expected"), [(490, True, 98), (490, False, 0)])
def test_express_surcharge(cost, express, expected):
    assert express_surcharge(cost, express) == expected


@pytest.mark.parametrize(
    ("net", "country", "expected"),
    [(10_000, "DE", 1900), (10_000, "nl", 2100), (999, "FR", 200), (10_000, "US", 0)],
)
def test_vat(net, country, expected):
    assert vat_cents(net, country) == expected


@settings(max_examples=5)
@given(st.integers(min_value=0, max_value=100_000), st.sampled_from(["DE", "FR", "NL", "GB"]))
def test_vat_is_never_negative(net, country):
    assert vat_cents(net, country) >= 0
