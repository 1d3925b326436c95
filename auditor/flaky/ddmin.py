"""Delta debugging (Zeller & Hildebrandt, "Simplifying and Isolating Failure-Inducing Input",
TSE 2002): a 1-minimal sub-list of `items` for which `interesting(sub)` holds.

Used to find the polluter of a victim (the tests before it that make it fail), the state-setter of
a brittle (the tests before it that make it pass) and a cleaner (the tests between a polluter and
its victim that make it pass again). Sub-lists keep the relative order of `items`. With one
responsible test the search is a bisection (about log2 n probes, like detect-test-pollution);
when two tests are needed together, ddmin raises the granularity instead of giving up.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")


def _chunks(items: list[T], n: int) -> list[list[T]]:
    size, extra = divmod(len(items), n)
    out: list[list[T]] = []
    start = 0
    for i in range(n):
        end = start + size + (1 if i < extra else 0)
        if end > start:
            out.append(items[start:end])
        start = end
    return out


def ddmin(items: Sequence[T], interesting: Callable[[list[T]], bool]) -> list[T]:
    """A 1-minimal sub-list of `items` that is still interesting.

    Precondition: `interesting(list(items))` is true (the caller has checked it). The predicate
    may raise to abort the search (e.g. when the time budget is used up); its results are cached,
    so no sub-list is probed twice.
    """
    seen: dict[tuple[T, ...], bool] = {}

    def probe(sub: list[T]) -> bool:
        key = tuple(sub)  # sub-lists keep the order of `items`, so equal lists are equal keys
        if key not in seen:
            seen[key] = interesting(sub)
        return seen[key]

    current = list(items)
    n = 2
    while len(current) >= 2:
        chunks = _chunks(current, min(n, len(current)))
        reduced = False
        for chunk in chunks:
            if probe(chunk):
                current, n, reduced = chunk, 2, True
                break
        if not reduced and len(chunks) > 2:
            for i in range(len(chunks)):
                complement = [x for j, c in enumerate(chunks) if j != i for x in c]
                if probe(complement):
                    current, n, reduced = complement, max(len(chunks) - 1, 2), True
                    break
        if not reduced:
            if n >= len(current):
                break
            n = min(len(current), 2 * n)
    return current
