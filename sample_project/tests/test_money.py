from __future__ import annotations

import os

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storefront.money import Money, clamp, default_currency, format_cents, parse_amount, percent_of


@pytest.mark.parametrize(
    ("text", "cents"),
    [("4.50", 450), ("12", 1200), ("0.5", 50), (" 3,99 ", 399), ("0.07", 7)],
)
def test_parse_amount(text, cents):
    assert parse_amount(text) == cents


@pytest.mark.parametrize("text", ["", "-1.00", "abc", "1.234", "1.x", ".50"])
def test_parse_amount_rejects(text):
    with pytest.raises(ValueError):
        parse_amount(text)


@pytest.mark.parametrize(
    ("cents", "currency", "expected"),
    [
        (450, "EUR", "€4.50"),
        (123456, "USD", "$1,234.56"),
        (-5, "GBP", "-£0.05"),
        (100, "CHF", "CHF 1.00"),
    ],
)
def test_format_cents(cents, currency, expected):
    assert format_cents(cents, currency) == expected


@given(st.integers(min_value=0, max_value=10**9))
def test_format_then_parse_roundtrip(cents):
    text = format_cents(cents).removeprefix("€").replace(",", "")
    assert parse_amount(text) == cents


@pytest.mark.parametrize(
    ("cents", "percent", "expected"),
    [(1000, 10, 100), (999, 5, 50), (1, 50, 1), (0, 20, 0), (149, 1, 1)],
)
def test_percent_of_rounds_half_up(cents, percent, expected):
    assert percent_of(cents, percent) == expected


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=0, max_value=100))
def test_percent_of_stays_within_the_amount(cents, percent):
    assert 0 <= percent_of(cents, percent) <= cents


@pytest.mark.parametrize(("value", "expected"), [(5, 5), (-3, 0), (42, 10), (0, 0), (10, 10)])
def test_clamp(value, expected):
    assert clamp(value, 0, 10) == expected


def test_clamp_to_a_single_value():
    assert clamp(7, 3, 3) == 3


def test_clamp_rejects_an_empty_range():
    with pytest.raises(ValueError, match="empty range"):
        clamp(1, 5, 4)


def test_money_addition():
    assert Money(450) + Money(50) == Money(500)


def test_money_addition_keeps_currency():
    assert (Money(100, "USD") + Money(50, "USD") == Money(150, "USD"), "sum keeps the currency")


def test_adding_two_currencies_is_an_error():
    with pytest.raises(ValueError, match="cannot add USD to EUR"):
        Money(100) + Money(100, "USD")


def test_money_is_not_comparable_with_plain_numbers():
    with pytest.raises(TypeError):
        Money(100) < 5


def test_money_times_returns_a_new_value():
    price = Money(450)
    doubled = price.times(2)
    assert price is price
    assert doubled == Money(900)


def test_money_str():
    assert str(Money(123456, "GBP")) == "£1,234.56"


def test_default_currency_from_environment():
    os.environ["STOREFRONT_CURRENCY"] = " eur "
    assert default_currency() == "EUR"


def test_unknown_currency_falls_back_to_eur(monkeypatch):
    monkeypatch.setenv("STOREFRONT_CURRENCY", "XYZ")
    assert default_currency() == "EUR"


@pytest.fixture(scope="module")
def usd_shop(monkeypatch):
    monkeypatch.setenv("STOREFRONT_CURRENCY", "USD")


@pytest.mark.scope_demo
def test_shop_currency_usd(usd_shop):
    assert default_currency() == "USD"
