"""Shared fixtures for the storefront tests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from storefront.inventory import InMemoryStorage, InventoryRepository

# CI machines are slow and the quantity strategies throw a lot away; keep Hypothesis quiet.
settings.register_profile(
    "storefront",
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow],
)
settings.load_profile("storefront")

DATA = Path(__file__).parent / "data"


class FixedClock:
    """A clock that only moves when a test says so."""

    def __init__(self, when: dt.datetime) -> None:
        self.when = when

    def now(self) -> dt.datetime:
        return self.when

    def advance(self, **delta: float) -> None:
        self.when += dt.timedelta(**delta)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(dt.datetime(2024, 3, 1, 9, 30, tzinfo=dt.timezone.utc))


@pytest.fixture
def storage() -> InMemoryStorage:
    return InMemoryStorage({"MUG-1": 12, "TEE-2": 3, "CAP-3": 0})


@pytest.fixture
def repo(storage: InMemoryStorage, clock: FixedClock) -> InventoryRepository:
    return InventoryRepository(storage, clock)


@pytest.fixture
def catalog() -> dict[str, int]:
    """Unit prices in cents."""
    return {"MUG-1": 850, "TEE-2": 1999, "CAP-3": 1250}


@pytest.fixture
def order_file():
    """The example order from the docs, as an open file."""
    return open(DATA / "order.txt", encoding="utf-8")


@pytest.fixture(scope="session", autouse=True)
def _c_locale():
    """Receipts format numbers: pin the locale for the whole run and restore it afterwards."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LC_ALL", "C")
        yield


@pytest.fixture(scope="session")
def stocked_repo(storage: InMemoryStorage, clock: FixedClock) -> InventoryRepository:
    """A repository with plenty of mugs, built once for the whole run."""
    repo = InventoryRepository(storage, clock)
    repo.restock("MUG-1", 100)
    return repo
