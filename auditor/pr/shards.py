"""Deterministic sharding of the mutant list for CI matrices (`--shard K/N`, like cargo-mutants).

A mutant's shard depends only on its name (mutmut's `pkg.mod.x_func__mutmut_7`), hashed with sha256:
every machine of a matrix computes the same split without talking to the others, and adding or
removing a mutant elsewhere does not move the rest (which an order-based split would). The price is
that shards are balanced only statistically, which is fine at the mutant counts where sharding pays.
"""

from __future__ import annotations

import hashlib

from auditor.errors import UsageError


def shard_of(mutant_id: str, n: int) -> int:
    """The 1-based shard (1..n) that runs `mutant_id`; the same on every machine and Python."""
    if n < 1:
        raise ValueError(f"shard count must be >= 1, got {n}")
    digest = hashlib.sha256(mutant_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % n + 1


def parse_shard(value: str) -> tuple[int, int]:
    """ "2/4" -> (2, 4), with a usage error that shows the expected form."""
    try:
        k_text, n_text = value.split("/")
        k, n = int(k_text), int(n_text)
    except ValueError:
        raise UsageError(f"A shard is written K/N, e.g. 1/4; got {value!r}.") from None
    if n < 1 or not 1 <= k <= n:
        raise UsageError(f"A shard K/N needs 1 <= K <= N; got {value!r}.")
    return k, n
