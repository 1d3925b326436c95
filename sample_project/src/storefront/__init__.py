"""storefront: the pieces of a small web shop that are worth testing.

Amounts are integer cents everywhere (``money``); ``pricing`` and ``shipping`` turn an
``orders.Order`` into discounts, parcel cost and VAT; ``inventory`` keeps stock levels in a
pluggable storage; ``checkout`` ties them together into an ``Invoice``.
"""

__version__ = "0.3.0"
