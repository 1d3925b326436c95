from __future__ import annotations

from unittest.mock import Mock, patch

import pytest

from storefront.checkout import checkout, print_receipt, render_receipt
from storefront.orders import Order, parse_order

ORDER = "MUG-1 x2 @8.50\nTEE-2 x1 @19.99"


def test_checkout_prices_a_small_german_order(repo, clock):
    invoice = checkout(parse_order(ORDER), repo, "DE")
    assert (invoice.subtotal, invoice.discount, invoice.shipping, invoice.vat) == (3699, 0, 490, 796)
    assert invoice.total() == 4985
    assert invoice.created_at == clock.now()
    assert repo.available("MUG-1") == 10


def test_checkout_of_an_empty_order_is_refused(repo):
    with pytest.raises(ValueError, match="empty"):
        checkout(Order(), repo, "DE")


def test_checkout_does_not_sell_what_is_not_there(repo):
    with pytest.raises(Exception, match="CAP-3"):
        checkout(parse_order("CAP-3 x1 @12.50"), repo, "DE")


@patch("storefront.checkout.vat_cents", return_value=0)
@patch("storefront.checkout.shipping_cost", return_value=0)
@patch("storefront.checkout.apply_coupon", return_value=0)
@patch("storefront.checkout.bulk_discount", return_value=0)
def test_checkout_reserves_every_line(mock_bulk, mock_coupon, mock_shipping, mock_vat):
    repo = Mock()
    checkout(parse_order(ORDER), repo, "DE", coupon="SAVE10", express=True)
    assert repo.reserve.call_count == 2
    mock_coupon.assert_called_once()


def test_receipt_renders(repo):
    """Smoke test: rendering a normal invoice should not raise."""
    invoice = checkout(parse_order(ORDER), repo, "DE")
    render_receipt(invoice)


def test_print_receipt(repo, capsys):
    print_receipt(checkout(parse_order(ORDER), repo, "DE"))
    captured = capsys.readouterr()


@pytest.mark.scope_demo
async def test_checkout_from_an_async_handler(repo):
    invoice = checkout(parse_order(ORDER), repo, "DE")
    assert invoice.total() == 4985
