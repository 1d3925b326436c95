"""A tiny text format for orders, as typed into the shop's back office.

    # comments and blank lines are ignored
    note: leave at the door
    MUG-1 x2 @8.50
    tee_2 x1 @19.99

One line per SKU: ``<SKU> x<quantity> @<unit price>``. SKUs are case-insensitive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from storefront.money import parse_amount
from storefront.text import normalize_sku

LINE_RE = re.compile(
    r"^(?P<sku>[a-z]{2,5}[-_]\d{1,4})\s+x(?P<qty>\d+)\s+@(?P<price>\S+)$", re.IGNORECASE
)
MAX_QTY = 999


@dataclass(frozen=True)
class OrderLine:
    sku: str
    qty: int
    unit_cents: int

    def total(self) -> int:
        return self.qty * self.unit_cents


@dataclass
class Order:
    lines: list[OrderLine] = field(default_factory=list)
    note: str = ""

    def subtotal(self) -> int:
        return sum(line.total() for line in self.lines)

    def quantity(self) -> int:
        return sum(line.qty for line in self.lines)


def parse_line(text: str) -> OrderLine:
    """Parse one ``SKU xQTY @PRICE`` line; quantities must be 1..999."""
    match = LINE_RE.match(text.strip())
    if match is None:
        raise ValueError(f"cannot parse order line: {text!r}")
    qty = int(match["qty"])
    if qty < 1 or qty > MAX_QTY:
        raise ValueError(f"quantity out of range: {qty}")
    return OrderLine(normalize_sku(match["sku"]), qty, parse_amount(match["price"]))


def parse_order(text: str) -> Order:
    """Parse a whole order; errors name the 1-based line number the clerk has to fix."""
    order = Order()
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.lower().startswith("note:"):
            order.note = line[5:].strip()
            continue
        try:
            order.lines.append(parse_line(line))
        except ValueError as exc:
            raise ValueError(f"line {number}: {exc}") from exc
    return order
