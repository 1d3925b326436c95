"""Which orders to run: seeded shuffles that, together, cover every consecutive pair of tests.

A test that depends on one other test (a victim and its polluter, a brittle and its state-setter)
shows its dependency in any order where the two run back to back. Random shuffles find such a
pair only with a probability (Wei et al., TACAS 2021); a *Tuscan square* — n rows, each a
permutation of n symbols, every ordered pair (a, b) adjacent in exactly one row — finds every one
of them in n orders instead of the n·(n-1) pairs.

Construction (Williams 1949, a row-complete Latin square for even n): the base row
`s = 0, 1, n-1, 2, n-2, 3, ...` has the consecutive differences `1, -2, 3, -4, ...`, which are all
the non-zero residues mod n exactly once; row i is `s + i (mod n)`. An ordered pair (a, b) is
adjacent in row i at position j iff `b - a ≡ s[j+1] - s[j]` and `i ≡ a - s[j]`, which has exactly
one solution. For odd n we build the square for n+1 and delete the extra symbol from every row:
every pair not involving it stays adjacent, so n+1 rows cover all n·(n-1) pairs.

Two more properties we use and test (tests/flaky/test_schedule.py):

- row `i + n/2` is row `i` reversed (`s[n-1-j] ≡ s[j] + n/2`), so rows are emitted in pairs
  (row, reverse): after the first two orders every ordered pair (a, b) has had a before b in one
  of them, which already exposes every victim without a cleaner and every brittle;
- the symbols are relabelled by a seeded random permutation, so each row on its own is a uniform
  random shuffle: the first orders are exactly the seeded shuffles pytest-randomly would run;
- the (row, reverse) pairs are themselves taken in a seeded random order, and every other pair of
  orders is two independent seeded shuffles instead. Rows of a Williams square are shifts of one
  base row, so three tests keep their relative order over long runs of rows: a victim whose
  cleaner tends to run between it and its polluter would wait for the guarantee (up to n orders)
  where independent shuffles find it sooner. The interleaving keeps the guarantee (every square
  pair within `length` = 2·rows - 2 orders) and random shuffling's speed on victims with
  cleaners; benchmarks/flaky_schedule.py measures both against plain random shuffling.

Grouping. pytest sets a module- or class-scoped fixture up again each time the order leaves and
re-enters its module or class. `grouping = "module"` (the default, like pytest-randomly) keeps
each module's tests together and each class's tests together inside it; the square is applied at
every level of that tree with one shared row index, so the (row, reverse) pairing holds for the
whole order and every ordered pair of *siblings* (two tests of one class or module, two classes
of one module, two modules) is adjacent within `length` orders. `"class"` keeps only classes
together (modules interleave); `"none"` treats the suite as one flat group, which gives the full
consecutive-pair guarantee between any two tests at the price of more fixture set-ups.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Literal

Grouping = Literal["module", "class", "none"]
GROUPINGS: tuple[Grouping, ...] = ("module", "class", "none")


def square_rows(n: int) -> list[list[int]]:
    """Rows over the symbols `0..n-1` in which every ordered pair of distinct symbols is adjacent.

    Returns an even number of rows (n for even n, n+1 for odd n; two single-symbol rows for n = 1,
    none for n = 0), ordered so that rows 2k and 2k+1 are reverses of each other.
    """
    if n <= 0:
        return []
    m = n if n % 2 == 0 else n + 1
    base = [0] * m
    low, high = 1, m - 1
    for j in range(1, m):
        if j % 2:
            base[j], low = low, low + 1
        else:
            base[j], high = high, high - 1
    rows: list[list[int]] = []
    for i in range(m // 2):
        for shift in (i, i + m // 2):
            rows.append([x for x in ((b + shift) % m for b in base) if x < n])
    return rows


def split_nodeid(nodeid: str) -> list[str]:
    """`tests/a.py::TestX::test_y[p::q]` -> `["tests/a.py", "TestX", "test_y[p::q]"]`.

    A parameter id may contain `::`, so only the part before the first `[` is split.
    """
    head, bracket, tail = nodeid.partition("[")
    parts = head.split("::")
    parts[-1] += bracket + tail
    return parts


@dataclass
class _Group:
    key: str
    children: list[_Group | str] = field(default_factory=list)
    index: dict[str, _Group] = field(default_factory=dict)

    def group(self, key: str) -> _Group:
        found = self.index.get(key)
        if found is None:
            found = self.index[key] = _Group(key)
            self.children.append(found)
        return found


def group_tree(tests: Sequence[str], grouping: Grouping) -> _Group:
    """The grouping tree: inner nodes are modules/classes, leaves are node ids (first-seen order)."""
    root = _Group("")
    for test in tests:
        parts = split_nodeid(test)
        if grouping == "none" or len(parts) == 1:
            root.children.append(test)
            continue
        if grouping == "class":
            if len(parts) == 2:  # a module-level test function
                root.children.append(test)
                continue
            node = root.group("::".join(parts[:2]))
            scopes = parts[2:-1]
            prefix = node.key
        else:
            node = root.group(parts[0])
            scopes = parts[1:-1]
            prefix = parts[0]
        for scope in scopes:
            prefix = f"{prefix}::{scope}"
            node = node.group(prefix)
        node.children.append(test)
    return root


@dataclass
class Schedule:
    """Orders of `tests`: `order(r)` for r = 0, 1, ...; `length` orders complete the square.

    Deterministic for a given `(tests, seed, grouping)`; the node ids are opaque strings.
    """

    tests: list[str]
    seed: int = 0
    grouping: Grouping = "module"

    def __post_init__(self) -> None:
        self._root = group_tree(self.tests, self.grouping)
        self._perms: dict[str, list[int]] = {}
        self._pairs: dict[str, list[int]] = {}
        self.square_length = self._length(self._root)
        # square pairs at even pair indices, seeded random pairs in between (see module doc)
        self.length = max(0, 2 * self.square_length - 2)

    def _length(self, node: _Group) -> int:
        own = len(square_rows(len(node.children))) if len(node.children) > 1 else 0
        inner = [self._length(c) for c in node.children if isinstance(c, _Group)]
        return max([own, *inner, 0])

    def _perm(self, node: _Group) -> list[int]:
        perm = self._perms.get(node.key)
        if perm is None:
            perm = list(range(len(node.children)))
            random.Random(f"auditor-flaky:{self.seed}:{node.key}").shuffle(perm)
            self._perms[node.key] = perm
        return perm

    def _pair_order(self, node: _Group, pairs: int) -> list[int]:
        order = self._pairs.get(node.key)
        if order is None:
            order = list(range(pairs))
            random.Random(f"auditor-flaky-rows:{self.seed}:{node.key}").shuffle(order)
            self._pairs[node.key] = order
        return order

    def order(self, r: int) -> list[str]:
        """The r-th order (0-based).

        Even pairs (orders 4j, 4j+1) are the square's j-th pair (an order and its reverse); the
        orders of odd pairs are independent seeded grouped shuffles."""
        pair, half = divmod(r, 2)
        out: list[str] = []
        if pair % 2 == 0:
            self._emit(self._root, 2 * (pair // 2) + half, out)
        else:
            rng = random.Random(f"auditor-flaky-shuffle:{self.seed}:{r}")
            self._shuffle(self._root, rng, out)
        return out

    def _shuffle(self, node: _Group, rng: random.Random, out: list[str]) -> None:
        children = list(node.children)
        rng.shuffle(children)
        for child in children:
            if isinstance(child, _Group):
                self._shuffle(child, rng, out)
            else:
                out.append(child)

    def _emit(self, node: _Group, r: int, out: list[str]) -> None:
        children = node.children
        if len(children) > 1:
            rows = square_rows(len(children))
            perm = self._perm(node)
            pairs = self._pair_order(node, len(rows) // 2)
            row = 2 * pairs[(r // 2) % len(pairs)] + r % 2
            children = [node.children[perm[x]] for x in rows[row]]
        for child in children:
            if isinstance(child, _Group):
                self._emit(child, r, out)
            else:
                out.append(child)

    def orders(self, limit: int | None = None) -> Iterator[list[str]]:
        """The first `limit` orders (default: `length`, the whole square)."""
        for r in range(self.length if limit is None else limit):
            yield self.order(r)

    def sibling_groups(self) -> list[list[str]]:
        """Each inner node's children as keys (a group's key or a node id), for coverage checks."""
        out: list[list[str]] = []

        def walk(node: _Group) -> None:
            out.append([c.key if isinstance(c, _Group) else c for c in node.children])
            for child in node.children:
                if isinstance(child, _Group):
                    walk(child)

        walk(self._root)
        return out

    def members(self, key: str) -> list[str]:
        """The node ids inside a group key (or `[key]` for a node id)."""
        out: list[str] = []

        def walk(node: _Group, inside: bool) -> None:
            for child in node.children:
                if isinstance(child, _Group):
                    walk(child, inside or child.key == key)
                elif inside or child == key:
                    out.append(child)

        walk(self._root, key == "")
        return out


def adjacent_pairs(order: Sequence[str]) -> set[tuple[str, str]]:
    """Ordered consecutive pairs of one order."""
    return set(itertools.pairwise(order))


def pair_coverage(orders: Sequence[Sequence[str]], tests: Sequence[str]) -> float:
    """Share (0-1) of the n·(n-1) ordered pairs of `tests` that ran back to back in some order."""
    n = len(set(tests))
    if n < 2:
        return 1.0
    seen: set[tuple[str, str]] = set()
    for order in orders:
        seen |= adjacent_pairs(order)
    wanted = set(tests)
    return len({p for p in seen if p[0] in wanted and p[1] in wanted}) / (n * (n - 1))
