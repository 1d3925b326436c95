"""Parcel prices and VAT for the countries the shop ships to."""

from __future__ import annotations

from storefront.money import percent_of

FREE_SHIPPING_FROM = 5000
# country -> shipping zone (1 = domestic/EU neighbours, 2 = rest of Europe); unknown -> 3
ZONES = {"DE": 1, "NL": 1, "FR": 1, "AT": 1, "GB": 2, "CH": 2}
VAT_PERCENT = {"DE": 19, "NL": 21, "FR": 20, "AT": 20}


def shipping_cost(weight_g: int, country: str, subtotal_cents: int) -> int:
    """Parcel price in cents.

    Zone 1 ships free from 50 €. Otherwise a base price covers the first kilogram and every
    further started kilogram costs 1.50 € per zone number.
    """
    if weight_g <= 0:
        raise ValueError("weight must be positive")
    zone = ZONES.get(country.upper(), 3)
    if zone == 1 and subtotal_cents >= FREE_SHIPPING_FROM:
        return 0
    kilos = -(-weight_g // 1000)
    base = 490 if zone == 1 else 990
    return base + (kilos - 1) * 150 * zone


def express_surcharge(cost_cents: int, express: bool) -> int:
    """Express delivery costs 20 % on top of the normal parcel price."""
    return round(cost_cents * 0.2) if express else 0


def vat_cents(net_cents: int, country: str) -> int:
    """VAT on a net amount; countries outside the EU table are zero-rated (export)."""
    rate = VAT_PERCENT.get(country.upper(), 0)
    return percent_of(net_cents, rate)
