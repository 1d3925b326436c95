"""Which mutants run in this scan: the PR-mode (--diff) and --shard filters, in one place.

- `--diff BASE`: only mutants intersecting changed lines run; the others stay in the report as
  skipped ("not changed since BASE") so the counts stay honest.
- `--shard K/N`: mutants of other shards are left out of this card entirely (the merge command puts
  the shards back together); the counts are recorded in card.meta["shard"].
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from auditor.model import Mutant, SkipReason


@dataclass
class Selection:
    kept: list[Mutant] = field(default_factory=list)
    dropped: int = 0


def select(
    mutants: list[Mutant],
    *,
    changed: dict[str, set[int]] | None = None,
    base: str | None = None,
    shard: tuple[int, int] | None = None,
    shard_of: Callable[[str, int], int] | None = None,
) -> Selection:
    """Drop other shards' mutants; mark mutants off the changed lines as skipped (in place)."""
    out = Selection()
    for mutant in mutants:
        if shard is not None and shard_of is not None and shard_of(mutant.id, shard[1]) != shard[0]:
            out.dropped += 1
            continue
        touched = changed is not None and mutant.touches(changed.get(mutant.path, ()))
        if changed is not None and not touched and mutant.status != "skipped":
            mutant.skip(SkipReason.NOT_CHANGED, f"not changed since {base}")
        out.kept.append(mutant)
    return out


def cap(mutants: list[Mutant], limit: int | None) -> int:
    """`[tool.auditor.mutation] max-mutants`: mutants past the budget are skipped (in place).

    The budget counts mutants that would be tested (not already skipped), in mutmut's stable order,
    so the same project always tests the same ones. Returns how many were skipped.
    """
    if limit is None:
        return 0
    skipped = 0
    budget = max(0, limit)
    for mutant in mutants:
        if mutant.status == "skipped":
            continue
        if budget > 0:
            budget -= 1
            continue
        mutant.skip(SkipReason.MAX_MUTANTS, f"over the max-mutants budget ({limit})")
        skipped += 1
    return skipped
