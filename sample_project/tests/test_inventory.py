from __future__ import annotations

import time
from unittest.mock import Mock, patch

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storefront.inventory import (
    InMemoryStorage,
    InventoryRepository,
    OutOfStock,
    Reservation,
    SystemClock,
)


def test_reserve_takes_units_out_of_stock(repo, storage, clock):
    reservation = repo.reserve("mug_1", 5)
    assert reservation == Reservation("MUG-1", 5, clock.now())
    assert storage.get("MUG-1") == 7
    assert repo.reservations == [reservation]


def test_reserve_the_last_units(repo):
    repo.reserve("TEE-2", 3)
    assert repo.available("TEE-2") == 0


def test_reserving_more_than_available_changes_nothing(repo, storage):
    with pytest.raises(OutOfStock, match="TEE-2"):
        repo.reserve("TEE-2", 4)
    assert storage.get("TEE-2") == 3
    assert repo.reservations == []


@pytest.mark.parametrize("qty", [0, -1])
def test_reserve_rejects_non_positive_quantities(repo, qty):
    with pytest.raises(ValueError, match="positive"):
        repo.reserve("MUG-1", qty)


def test_out_of_stock_is_logged(repo, caplog):
    with pytest.raises(OutOfStock):
        repo.reserve("CAP-3", 1)
    time.sleep(0)  # let the logging handler of another thread catch up before we read
    assert "out of stock: CAP-3" in caplog.text


def test_unknown_sku_has_no_stock(repo):
    assert repo.available("NOPE-1") == 0


def test_restock_updates_storage(repo):
    repo.restock("cap_3", 10)


def test_restock_writes_the_new_level():
    storage = Mock()
    storage.get.return_value = 4
    repo = InventoryRepository(storage, SystemClock())
    assert repo.restock("mug-1", 6) == 10
    storage.put.assert_called_once_with("MUG-1", 10)


def test_restock_rejects_zero(repo):
    with pytest.raises(ValueError):
        repo.restock("MUG-1", 0)


def test_reserve_writes_through_to_storage(clock):
    storage = Mock()
    storage.get.return_value = 10
    repo = InventoryRepository(storage, clock)
    repo.reserve("MUG-1", 4)
    storage.put.called_once_with("MUG-1", 6)


def test_low_stock(repo):
    assert repo.low_stock() == ["CAP-3", "TEE-2"]


def test_snapshot_path_is_under_working_directory(repo):
    with patch("storefront.inventory.os.getcwd", return_value="/srv/shop"):
        path = repo.snapshot_path("Daily Stock!")
    assert path == "/srv/shop/snapshots/daily-stock.json"


def test_reservations_are_timestamped_in_order():
    repo = InventoryRepository(InMemoryStorage({"MUG-1": 5}), SystemClock())
    first = repo.reserve("MUG-1", 1)
    time.sleep(0.05)
    second = repo.reserve("MUG-1", 1)
    assert second.at > first.at


@pytest.mark.scope_demo
def test_stocked_repo_has_mugs(stocked_repo):
    assert stocked_repo.available("MUG-1") == 112


@pytest.mark.scope_demo
@given(qty=st.integers(min_value=1, max_value=20))
def test_reserve_never_leaves_negative_stock(repo, qty):
    try:
        repo.reserve("MUG-1", qty)
    except OutOfStock:
        pass
    assert repo.available("MUG-1") >= 0
