"""Stock levels behind a small repository, so the shop can swap the storage backend."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Protocol

from storefront.text import normalize_sku, slugify

logger = logging.getLogger(__name__)


class Storage(Protocol):
    def get(self, sku: str) -> int | None: ...

    def put(self, sku: str, qty: int) -> None: ...

    def skus(self) -> list[str]: ...


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    """The real clock; tests pass a fixed one instead."""

    def now(self) -> datetime:
        return datetime.now(timezone.utc)


class InMemoryStorage:
    """A dict-backed Storage, used by the demo shop and by tests."""

    def __init__(self, initial: dict[str, int] | None = None) -> None:
        self._data = dict(initial or {})

    def get(self, sku: str) -> int | None:
        return self._data.get(sku)

    def put(self, sku: str, qty: int) -> None:
        self._data[sku] = qty

    def skus(self) -> list[str]:
        return sorted(self._data)


class OutOfStock(Exception):
    """Raised when a reservation asks for more units than are in stock."""


@dataclass(frozen=True)
class Reservation:
    sku: str
    qty: int
    at: datetime


class InventoryRepository:
    """Reserves and restocks units; every change goes straight to the storage."""

    def __init__(self, storage: Storage, clock: Clock, low_stock_level: int = 5) -> None:
        self._storage = storage
        self.clock = clock
        self.low_stock_level = low_stock_level
        self.reservations: list[Reservation] = []

    def available(self, sku: str) -> int:
        qty = self._storage.get(normalize_sku(sku))
        return 0 if qty is None else qty

    def reserve(self, sku: str, qty: int) -> Reservation:
        if qty <= 0:
            raise ValueError("reserve a positive quantity")
        key = normalize_sku(sku)
        have = self.available(key)
        if qty > have:
            logger.warning("out of stock: %s wants %d, has %d", key, qty, have)
            raise OutOfStock(key)
        self._storage.put(key, have - qty)
        reservation = Reservation(key, qty, self.clock.now())
        self.reservations.append(reservation)
        logger.info("reserved %d x %s", qty, key)
        return reservation

    def restock(self, sku: str, qty: int) -> int:
        if qty <= 0:
            raise ValueError("restock a positive quantity")
        key = normalize_sku(sku)
        level = self.available(key) + qty
        self._storage.put(key, level)
        logger.info("restocked %s to %d", key, level)
        return level

    def low_stock(self) -> list[str]:
        """SKUs below the reorder level, sorted."""
        return [sku for sku in self._storage.skus() if self.available(sku) < self.low_stock_level]

    def snapshot_path(self, name: str) -> str:
        """Where the nightly job writes a stock snapshot (relative to the working directory)."""
        return os.path.join(os.getcwd(), "snapshots", f"{slugify(name)}.json")

    def to_csv(self) -> str:
        """Stock levels as CSV for the accountant's spreadsheet."""
        rows = ["sku,qty"]
        for sku in self._storage.skus():
            rows.append(f"{sku},{self.available(sku)}")
        return "\n".join(rows) + "\n"
