"""Shard assignment is a pure function of the mutant name: stable, complete and balanced enough."""

from __future__ import annotations

from collections import Counter

import pytest

from auditor.errors import UsageError
from auditor.pr.shards import parse_shard, shard_of


def test_known_values_are_stable_across_machines() -> None:
    # sha256 of the name, first 8 bytes big-endian, mod n, plus one: pinned so a change is noticed
    assert [shard_of(f"pkg.mod.x_f__mutmut_{i}", 4) for i in range(1, 9)] == [
        4,
        4,
        2,
        3,
        4,
        3,
        3,
        1,
    ]
    import hashlib

    name = "pkg.mod.x_f__mutmut_7"
    expected = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big") % 3 + 1
    assert shard_of(name, 3) == expected


def test_every_mutant_is_in_exactly_one_shard_and_shards_are_balanced() -> None:
    names = [f"pkg.m{i % 7}.x_f{i % 13}__mutmut_{i}" for i in range(2000)]
    for n in (1, 2, 3, 5):
        owners = [[k for k in range(1, n + 1) if shard_of(name, n) == k] for name in names]
        assert all(len(o) == 1 for o in owners)
        sizes = Counter(o[0] for o in owners)
        assert set(sizes) == set(range(1, n + 1))
        assert max(sizes.values()) - min(sizes.values()) < 0.3 * len(names) / n


def test_parse_shard_errors() -> None:
    assert parse_shard("2/4") == (2, 4)
    for bad in ("0/4", "5/4", "x/2", "1-2"):
        with pytest.raises(UsageError, match="K/N"):
            parse_shard(bad)
    with pytest.raises(ValueError):
        shard_of("x", 0)
