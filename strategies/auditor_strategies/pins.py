"""Boundary inputs ("pins"): one input per (field, boundary value), everything else simplest.

A search that claims "no input tells the original and the mutant apart" must at least have tried
each literal of the function (and its neighbours) in each field its arguments reach: `age=26` in
`fee(member: Member)` with `member.age < 26`. Random generation hits such values only by chance
in nested fields, so the witness search runs every pin before any random input.

`variants(node, literals)` walks a `fields` plan: for a scalar field the boundary values of its
kind (`boundary_values`), for a finite choice each value, for `Any` every literal; containers hold
one pinned item (and, for each small int literal n, n-1/n/n+1 items); records get one field
pinned and the required others at their simplest value (`simplest`). A record whose constructor
rejects a pinned value leaves that variant out (it is not an input the function can receive).

`parameter_table` lists, per parameter, its base value and its variants; `single_rows` are the
pins (one boundary at a time), `pairwise_rows` a greedy covering array of pairs of boundaries.
"""

from __future__ import annotations

import functools
from collections import abc
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from auditor_strategies.fields import (
    Broad,
    Choice,
    Collection,
    Fixed,
    Mapping,
    Node,
    Opaque,
    Record,
    Scalar,
    Union,
)
from auditor_strategies.literals import Literals

MAX_PINS = 512  # more boundary inputs than this and a claim of equivalence is not made
MAX_LENGTH_PIN = 64  # int literals up to this also pin the length of strings and sequences
PAIR_OPTIONS = 24  # options per parameter that `pairwise_rows` combines


class NoSimplestValue(Exception):
    """A part of the input has no value we can build without drawing (see `simplest`)."""


@functools.lru_cache(maxsize=256)
def _simplest_opaque(hint: Any) -> Any:
    """The first value Hypothesis generates for `hint` (its simplest: the generator starts from
    the all-zero choices), without shrinking and with no example database."""
    from hypothesis import HealthCheck, Phase, find, settings

    quick = settings(
        max_examples=10,
        database=None,
        derandomize=True,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
        deadline=None,
    )
    try:
        return find(st.from_type(hint), lambda _: True, settings=quick)
    except Exception as exc:
        raise NoSimplestValue(f"no value of {hint!r}: {type(exc).__name__}") from exc


def simplest(node: Node) -> Any:
    """The simplest value of `node` (0, "", empty containers, required fields only)."""
    if isinstance(node, Scalar):
        return node.kind()
    if isinstance(node, Choice):
        return node.values[0]
    if isinstance(node, Broad):
        return None
    if isinstance(node, Union):
        for option in node.options:
            if isinstance(option, Choice) and option.values == (None,):
                return None
        return simplest(node.options[0])
    if isinstance(node, Collection):
        return node.kind([])
    if isinstance(node, Fixed):
        return tuple(simplest(i) for i in node.items)
    if isinstance(node, Mapping):
        return {}
    if isinstance(node, Record):
        return node.build({n: simplest(f.node) for n, f in node.fields.items() if f.required})
    assert isinstance(node, Opaque)
    try:
        return _simplest_opaque(node.hint)
    except TypeError as exc:  # an unhashable hint
        raise NoSimplestValue(str(exc)) from exc


def boundary_values(kind: type, literals: Literals) -> list[Any]:
    """The values a scalar field is pinned at: each literal of its kind first (in the order
    the function uses them), then their neighbours (`Literals.boundary_ints`/`boundary_floats`).
    Earlier values are tried first when boundaries of two parameters are paired."""
    if kind is bool:
        return [False, True]
    if kind is int:
        return _unique([*literals.ints, *literals.boundary_ints()])
    if kind is float:
        return _unique([*literals.floats, *literals.boundary_floats()])
    if kind is str:
        lengths = [n for n in literals.boundary_ints() if 0 < n <= MAX_LENGTH_PIN]
        filler = (literals.characters() or ["a"])[0]
        return _unique([*literals.strs, "", *(filler * n for n in lengths)])
    if kind is bytes:
        lengths = [n for n in literals.boundary_ints() if 0 < n <= MAX_LENGTH_PIN]
        return _unique([*literals.bytes_, b"", *(b"a" * n for n in lengths)])
    return []


def _unique(values: list[Any]) -> list[Any]:
    seen: list[Any] = []
    for value in values:
        if not any(type(value) is type(s) and value == s for s in seen):
            seen.append(value)
    return seen


def variants(node: Node, literals: Literals, path: str = "") -> Iterator[tuple[str, Any]]:
    """(path, value of `node`) with one leaf at one boundary value, the rest simplest.

    May raise NoSimplestValue (a sibling part cannot be built without drawing); a variant whose
    construction raises (a validating constructor rejecting the boundary) is left out.
    """
    if isinstance(node, Scalar):
        for value in boundary_values(node.kind, literals):
            yield path, value
    elif isinstance(node, Choice):
        if len(node.values) > 1:
            for value in node.values:
                yield path, value
    elif isinstance(node, Broad):
        values: list[Any] = [None, True, False]
        values += literals.boundary_ints() + literals.floats + literals.strs + literals.bytes_
        for value in _unique(values):
            yield path, value
    elif isinstance(node, Union):
        for option in node.options:
            yield from variants(option, literals, path)
    elif isinstance(node, Collection):
        for sub, value in variants(node.item, literals, f"{path}[]"):
            built = _container(node.kind, [value])
            if built is not None:
                yield sub, built
        lengths = [n for n in literals.boundary_ints() if 1 < n <= MAX_LENGTH_PIN]
        if lengths:
            item = simplest(node.item)
            for n in lengths:
                if node.kind not in (set, frozenset):
                    yield f"{path}[len]", node.kind([item] * n)
    elif isinstance(node, Fixed):
        parts = [simplest(i) for i in node.items]
        for i, part in enumerate(node.items):
            for sub, value in variants(part, literals, f"{path}[{i}]"):
                yield sub, tuple([*parts[:i], value, *parts[i + 1 :]])
    elif isinstance(node, Mapping):
        key, value = simplest(node.key), simplest(node.value)
        for sub, k in variants(node.key, literals, f"{path}{{key}}"):
            built = _container(dict, [(k, value)])
            if built is not None:
                yield sub, built
        for sub, v in variants(node.value, literals, f"{path}{{value}}"):
            built = _container(dict, [(key, v)])
            if built is not None:
                yield sub, built
    elif isinstance(node, Record):
        base = {n: simplest(f.node) for n, f in node.fields.items() if f.required}
        for name, item in node.fields.items():
            sub_path = f"{path}.{name}" if path else name
            for sub, value in variants(item.node, literals, sub_path):
                try:
                    built = node.build({**base, name: value})
                except Exception:
                    continue  # the constructor rejects this boundary: not an input
                yield sub, built


def _container(kind: Any, items: list[Any]) -> Any:
    """`kind(items)`, or None when the items do not fit (an unhashable set item or key)."""
    try:
        return kind(items)
    except TypeError:
        return None


class _Omit:
    def __repr__(self) -> str:
        return "<omitted>"


OMIT = _Omit()  # an optional parameter left out (its default is used)


@dataclass
class Table:
    """Per parameter: its label and its options, the first being the base (simplest value, or
    OMIT for an optional parameter); every other option pins one boundary in that parameter."""

    names: list[str]
    options: list[list[Any]]


def parameter_table(records: list[tuple[str, Record]], literals: Literals) -> Table:
    """The options of each parameter of the given records (`(label prefix, record)` pairs, e.g.
    `("self.", constructor)` and `("", call)`). Raises NoSimplestValue."""
    names: list[str] = []
    options: list[list[Any]] = []
    for prefix, record in records:
        for name, item in record.fields.items():
            base = simplest(item.node) if item.required else OMIT
            seen = {_text(base)}
            opts = [base]
            for _path, value in variants(item.node, literals):
                text = _text(value)
                if text not in seen:
                    seen.add(text)
                    opts.append(value)
            names.append(prefix + name)
            options.append(opts)
    return Table(names, options)


def _text(value: Any) -> str:
    return f"{type(value).__qualname__}:{value!r}"


def single_rows(table: Table) -> list[tuple[tuple[int, int] | None, list[int]]]:
    """The base row, then one row per (parameter, non-base option) with the rest at base, each
    with the (parameter, option) it pins (None for the base row). Rows hold option indexes."""
    base = [0] * len(table.names)
    rows: list[tuple[tuple[int, int] | None, list[int]]] = [(None, base)]
    for i, opts in enumerate(table.options):
        for a in range(1, len(opts)):
            row = list(base)
            row[i] = a
            rows.append(((i, a), row))
    return rows


def pairwise_rows(
    table: Table,
    limit: int,
    avoid: abc.Collection[tuple[int, int]] = (),
    fill: list[int] | None = None,
) -> list[list[int]]:
    """Up to `limit` rows that together try pairs of non-base options of two parameters
    (a greedy covering array: each row covers as many untried pairs as it can).

    A boundary that shows only in combination (`subtotal == 5000` *and* `code == "SAVE10"`)
    is missed by `single_rows`, which vary one parameter at a time. `avoid` lists (parameter,
    option) pairs known to make the function raise on their own (a `weight <= 0` check): pairs
    with them come last and other parameters are not filled with them; `fill` is a row the
    function accepted, whose options fill the parameters a row leaves free when nothing else
    is gained."""
    # the first options of each parameter are its own literals: pairing beyond them costs
    # quadratic time for inputs the random phase draws anyway
    sizes = [min(len(opts), PAIR_OPTIONS) for opts in table.options]
    n = len(sizes)
    if n < 2 or limit <= 0:
        return []
    bad = set(avoid)
    todo = sorted(
        (
            (i, a, j, b)
            for i in range(n)
            for j in range(i + 1, n)
            for a in range(1, sizes[i])
            for b in range(1, sizes[j])
        ),
        key=lambda p: (p[0], p[1]) in bad or (p[2], p[3]) in bad,
    )
    base = fill if fill is not None and len(fill) == n else [0] * n
    uncovered = set(todo)
    rows: list[list[int]] = []
    cursor = 0
    while uncovered and len(rows) < limit:
        while todo[cursor] not in uncovered:
            cursor += 1
        i, a, j, b = todo[cursor]
        row: list[int | None] = [None] * n
        row[i], row[j] = a, b
        for k in range(n):
            if row[k] is None:
                row[k] = _best_fill(k, sizes[k], row, uncovered, bad, base[k])
        done = [int(x) for x in row if x is not None]
        for p in range(n):
            for q in range(p + 1, n):
                uncovered.discard((p, done[p], q, done[q]))
        rows.append(done)
    return rows


def _best_fill(
    k: int,
    size: int,
    row: list[int | None],
    uncovered: set[tuple[int, int, int, int]],
    bad: set[tuple[int, int]],
    fallback: int,
) -> int:
    """The option for parameter k: not known to raise, covering most untried pairs, else
    the option of the accepted row."""

    def score(c: int) -> tuple[bool, int, bool]:
        return (k, c) not in bad, _gain(k, c, row, uncovered), c == fallback

    candidates: list[int] = list(range(size))
    if fallback >= size:
        candidates.append(fallback)
    best: int = max(candidates, key=score)
    return best


def _gain(k: int, c: int, row: list[int | None], uncovered: set[tuple[int, int, int, int]]) -> int:
    gain = 0
    for m, value in enumerate(row):
        if value is None or m == k:
            continue
        pair = (k, c, m, value) if k < m else (m, value, k, c)
        gain += pair in uncovered
    return gain


def row_values(table: Table, row: list[int]) -> dict[str, Any]:
    """{parameter label: value} of a row; omitted parameters are left out."""
    out = {}
    for name, opts, index in zip(table.names, table.options, row, strict=True):
        value = opts[index]
        if value is not OMIT:
            out[name] = value
    return out
