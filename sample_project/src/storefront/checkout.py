"""Checkout: reserve stock, price the order and produce an invoice (and a printable receipt)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from storefront.inventory import InventoryRepository
from storefront.money import format_cents
from storefront.orders import Order, OrderLine
from storefront.pricing import apply_coupon, bulk_discount
from storefront.shipping import express_surcharge, shipping_cost, vat_cents

logger = logging.getLogger(__name__)

GRAMS_PER_ITEM = 250


@dataclass(frozen=True)
class Invoice:
    lines: tuple[OrderLine, ...]
    subtotal: int
    discount: int
    shipping: int
    vat: int
    created_at: datetime

    def total(self) -> int:
        return self.subtotal - self.discount + self.shipping + self.vat


def checkout(
    order: Order, repo: InventoryRepository, country: str, coupon: str = "", express: bool = False
) -> Invoice:
    """Reserve every line, then price: bulk discounts, coupon, shipping, VAT on goods + shipping."""
    if not order.lines:
        raise ValueError("cannot check out an empty order")
    for line in order.lines:
        repo.reserve(line.sku, line.qty)
    subtotal = order.subtotal()
    discount = sum(bulk_discount(line.qty, line.unit_cents) for line in order.lines)
    if coupon:
        discount += apply_coupon(subtotal - discount, coupon)
    net = subtotal - discount
    shipping = shipping_cost(order.quantity() * GRAMS_PER_ITEM, country, net)
    shipping += express_surcharge(shipping, express)
    vat = vat_cents(net + shipping, country)
    logger.info("checkout: %d lines, net %d, shipping %d", len(order.lines), net, shipping)
    return Invoice(tuple(order.lines), subtotal, discount, shipping, vat, repo.clock.now())


def render_receipt(invoice: Invoice, currency: str = "EUR") -> str:
    """The plain-text receipt that is e-mailed to the customer."""
    rows = [f"Receipt {invoice.created_at:%Y-%m-%d %H:%M}"]
    for line in invoice.lines:
        amount = format_cents(line.total(), currency)
        rows.append(f"{line.qty:>3} x {line.sku:<10}{amount:>12}")
    rows.append(f"{'Subtotal':<16}{format_cents(invoice.subtotal, currency):>12}")
    if invoice.discount:
        rows.append(f"{'Discount':<16}{format_cents(-invoice.discount, currency):>12}")
    rows.append(f"{'Shipping':<16}{format_cents(invoice.shipping, currency):>12}")
    rows.append(f"{'VAT':<16}{format_cents(invoice.vat, currency):>12}")
    rows.append(f"{'Total':<16}{format_cents(invoice.total(), currency):>12}")
    return "\n".join(rows)


def print_receipt(invoice: Invoice) -> None:
    """Print the receipt on the shop counter's terminal."""
    print(render_receipt(invoice))
