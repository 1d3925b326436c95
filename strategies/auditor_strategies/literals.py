"""Boundary-biased strategies built from a function's own literals.

Why: a mutant such as `x < 1000` -> `x <= 1000` or `"%"` -> `"XX%XX"` is only distinguishable on
inputs near the function's own constants. Plain `st.integers()` / `st.text()` almost never hit
`1000` or a string made of `%` characters; mixing the literals (and int literal +/- 1) into the
draw turned 6/18 differential kills into 17/18 in a prototype (docs/hypothesis-internals.md).

Pitfall this module avoids: `st.text(alphabet=st.one_of(st.sampled_from(["%"]), ...))` flattens the
alphabet and produced `"%%"` in 0/300 examples; `st.lists(st.one_of(...)).map("".join)` produced it
in 148/300. Every text/bytes strategy here is built the second way.
"""

from __future__ import annotations

import ast
import collections.abc
import inspect
import math
import textwrap
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

# how many literal values of each kind we keep (a function with hundreds of string constants
# would otherwise turn every draw into a sampled constant)
MAX_LITERALS = 64
MAX_TEXT_SIZE = 24


@dataclass
class Literals:
    """The constants found in one function's source (docstrings and f-string text excluded).

    Four lists of distinct values in the order first seen, at most `MAX_LITERALS` (64) each:
    `ints`, `floats`, `strs`, `bytes_`. Built by `extract_literals` / `function_literals`.
    """

    ints: list[int] = field(default_factory=list)
    floats: list[float] = field(default_factory=list)
    strs: list[str] = field(default_factory=list)
    bytes_: list[bytes] = field(default_factory=list)

    def add(self, value: Any) -> None:
        """Keep `value` if it is a new int/float/str/bytes literal (bools are not ints here).

        Anything else, a duplicate, or a value past the 64-per-kind cap is ignored; never raises.
        """
        if isinstance(value, bool):
            return
        kinds: list[tuple[type, list[Any]]] = [
            (int, self.ints),
            (float, self.floats),
            (str, self.strs),
            (bytes, self.bytes_),
        ]
        for kind, bucket in kinds:
            if isinstance(value, kind):
                if len(bucket) < MAX_LITERALS and value not in bucket:
                    bucket.append(value)
                return

    def boundary_ints(self) -> list[int]:
        """Each int literal and its neighbours (the values a `<` vs `<=` mutant disagrees on).

        Sorted, distinct: every `n - 1, n, n + 1` for the int literals, plus `-1, 0, 1`.
        """
        values = {0, 1, -1}
        for value in self.ints:
            values.update((value - 1, value, value + 1))
        return sorted(values)

    def boundary_floats(self) -> list[float]:
        """Sorted, distinct finite floats near each float and int literal: the value, +/- 1.0 and
        the next representable float on either side (`math.nextafter`), plus `-1.0, 0.0, 1.0`."""
        values = {0.0, 1.0, -1.0}
        for value in [*self.floats, *(float(i) for i in self.ints)]:
            if math.isfinite(value):
                values.update(
                    (
                        value,
                        value - 1.0,
                        value + 1.0,
                        math.nextafter(value, math.inf),
                        math.nextafter(value, -math.inf),
                    )
                )
        return sorted(v for v in values if math.isfinite(v))

    def characters(self) -> list[str]:
        """Every distinct character of the string literals, sorted (single-character strings)."""
        return sorted({ch for text in self.strs for ch in text})


def _docstring_nodes(tree: ast.AST) -> set[int]:
    """ids of the Constant nodes that are docstrings (never interesting as inputs)."""
    ids: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Module)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def _message_strings(tree: ast.AST) -> set[int]:
    """ids of str/bytes constants inside `raise ...` and assert messages: error texts make odd
    inputs (a witness like `shipping_cost(country='weight must be positive')`), and a mutant of a
    message is compared by exception type only, so they never help to tell mutants apart."""
    ids: set[int] = set()
    for node in ast.walk(tree):
        holder: ast.AST | None = None
        if isinstance(node, ast.Raise):
            holder = node.exc
        elif isinstance(node, ast.Assert):
            holder = node.msg
        if holder is not None:
            ids.update(
                id(sub)
                for sub in ast.walk(holder)
                if isinstance(sub, ast.Constant) and isinstance(sub.value, (str, bytes))
            )
    return ids


def extract_literals(source: str) -> Literals:
    """Collect int/float/str/bytes literals from Python source (negative numbers included);
    docstrings, f-string text and error messages are left out.

    `source` may be indented (it is dedented first), e.g. a method taken from a class body.
    Returns a `Literals`; raises `SyntaxError` when the source does not parse.
    """
    tree = ast.parse(textwrap.dedent(source))
    skip = _docstring_nodes(tree) | _message_strings(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):  # f-string text is never a useful input by itself
            for part in node.values:
                skip.add(id(part))
    found = Literals()
    add = found.add

    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if (
            isinstance(node, ast.UnaryOp)
            and isinstance(node.op, ast.USub)
            and isinstance(node.operand, ast.Constant)
            and isinstance(node.operand.value, (int, float))
            and not isinstance(node.operand.value, bool)
        ):
            add(-node.operand.value)
            skip.add(id(node.operand))  # walk is breadth-first: the operand comes later
        elif isinstance(node, ast.Constant):
            add(node.value)
    return found


def function_literals(func: Callable[..., Any]) -> Literals:
    """The literals of `func`'s source plus those of the module constants it reads.

    Module constants matter as much as inline literals: `if subtotal < FREE_SHIPPING_FROM` or
    `COUPONS.get(code)` are only told apart from their mutants with the constant's own values.
    Constants are read up to 3 levels deep in containers of at most 256 items; strings and bytes
    longer than 64 characters are skipped. Decorated functions are unwrapped first. Empty (never an
    error) when the source is unavailable or does not parse (builtins, C extensions, the REPL).
    """
    target = inspect.unwrap(func)
    try:
        found = extract_literals(inspect.getsource(target))
    except (OSError, TypeError, SyntaxError):
        found = Literals()
    code = getattr(target, "__code__", None)
    namespace = getattr(target, "__globals__", None)
    if code is not None and isinstance(namespace, dict):
        for name in sorted(_global_names(code)):
            if name in namespace and not name.startswith("__"):
                _harvest(namespace[name], found, 0)
    return found


def _global_names(code: types.CodeType) -> set[str]:
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _global_names(const)
    return names


MAX_CONSTANT_ITEMS = 256
MAX_CONSTANT_TEXT = 64


def _harvest(value: Any, found: Literals, depth: int) -> None:
    """Literal values inside a module constant (scalars and small containers of them)."""
    if depth > 3:
        return
    if isinstance(value, (str, bytes)):
        if len(value) <= MAX_CONSTANT_TEXT:
            found.add(value)
    elif isinstance(value, (int, float)):
        found.add(value)
    elif isinstance(value, (list, tuple, set, frozenset)) and len(value) <= MAX_CONSTANT_ITEMS:
        for item in value:
            _harvest(item, found, depth + 1)
    elif isinstance(value, dict) and len(value) <= MAX_CONSTANT_ITEMS:
        for key, item in value.items():
            _harvest(key, found, depth + 1)
            _harvest(item, found, depth + 1)


def integers_near(literals: Literals) -> st.SearchStrategy[int]:
    """Half the draws come from literal +/- 1 boundaries, the rest from the full integer range.

    The boundary values are `literals.boundary_ints()`; the other half is unbounded `st.integers()`.
    """
    return st.one_of(st.sampled_from(literals.boundary_ints()), st.integers())


def floats_near(literals: Literals) -> st.SearchStrategy[float]:
    """Half the draws from `literals.boundary_floats()`, the rest from `st.floats()` (which
    includes NaN and the infinities)."""
    return st.one_of(st.sampled_from(literals.boundary_floats()), st.floats())


def text_from(literals: Literals, max_size: int = MAX_TEXT_SIZE) -> st.SearchStrategy[str]:
    """Whole string literals, and strings mixing their characters with arbitrary ones.

    A mixed string is at most `max_size` characters (default 24), built as a list of pieces
    joined together (whole literals, their characters, any character), not as `st.text` over a
    combined alphabet, which flattens the alphabet and almost never repeats a literal character.
    Without string literals it is plain arbitrary text of that size.
    """
    pieces: list[st.SearchStrategy[str]] = [st.characters()]
    chars = literals.characters()
    if chars:
        pieces.insert(0, st.sampled_from(chars))
    if literals.strs:
        pieces.insert(0, st.sampled_from(literals.strs))
    mixed = st.lists(st.one_of(*pieces), max_size=max_size).map("".join)
    if literals.strs:
        return st.one_of(st.sampled_from(literals.strs), mixed)
    return mixed


def bytes_from(literals: Literals, max_size: int = MAX_TEXT_SIZE) -> st.SearchStrategy[bytes]:
    """The bytes counterpart of `text_from`: whole bytes literals, and up to `max_size` pieces
    (whole literals, their single bytes, any byte) joined together."""
    pieces: list[st.SearchStrategy[bytes]] = [st.binary(min_size=1, max_size=1)]
    single = sorted({bytes([b]) for value in literals.bytes_ for b in value})
    if single:
        pieces.insert(0, st.sampled_from(single))
    if literals.bytes_:
        pieces.insert(0, st.sampled_from(literals.bytes_))
    mixed = st.lists(st.one_of(*pieces), max_size=max_size).map(b"".join)
    if literals.bytes_:
        return st.one_of(st.sampled_from(literals.bytes_), mixed)
    return mixed


_CONTAINERS: dict[Any, Callable[[st.SearchStrategy[Any]], st.SearchStrategy[Any]]] = {
    list: st.lists,
    collections.abc.Sequence: st.lists,
    collections.abc.MutableSequence: st.lists,
    collections.abc.Iterable: st.lists,
    set: st.sets,
    collections.abc.Set: st.frozensets,
    collections.abc.MutableSet: st.sets,
    frozenset: st.frozensets,
}


def for_type(hint: Any, literals: Literals) -> st.SearchStrategy[Any]:
    """A strategy for `hint` that prefers `literals` wherever an int/float/str/bytes appears.

    Containers and unions are walked so `list[int]` or `str | None` get the bias too; anything
    else (dataclasses, enums, project types with registered strategies) goes to `st.from_type`.
    Building the strategy does not raise for unknown types: Hypothesis raises (e.g.
    `ResolutionFailed`) when such a strategy is first drawn from.
    """
    if hint is bool:
        return st.booleans()
    if hint is int:
        return integers_near(literals)
    if hint is float:
        return floats_near(literals)
    if hint is str:
        return text_from(literals)
    if hint is bytes:
        return bytes_from(literals)
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is typing.Union or (hasattr(types, "UnionType") and origin is types.UnionType):
        return st.one_of(*(st.none() if a is type(None) else for_type(a, literals) for a in args))
    if origin in _CONTAINERS and len(args) == 1:
        return _CONTAINERS[origin](for_type(args[0], literals))
    if origin is tuple and args:
        if len(args) == 2 and args[1] is Ellipsis:
            return st.lists(for_type(args[0], literals)).map(tuple)
        return st.tuples(*(for_type(a, literals) for a in args))
    if origin in (dict, collections.abc.Mapping, collections.abc.MutableMapping) and len(args) == 2:
        return st.dictionaries(for_type(args[0], literals), for_type(args[1], literals))
    return st.from_type(hint)


def literal_aware(
    func: Callable[..., Any], *, skip_first: bool = False
) -> st.SearchStrategy[dict[str, Any]]:
    """Keyword arguments for `func`, biased towards its own literals and their boundaries.

    Same shape and the same refusal of un-hinted parameters as `from_signature`; parameters with a
    default are sometimes left out, so mutants of the default value itself can be told apart.
    Draws are `dict[str, Any]` keyed by parameter name; call `func(**kwargs)`. `skip_first` leaves
    out `self`/`cls` of a function taken from a class body. Raises `UnhintedParameterError` (a
    `TypeError`) for a required parameter without a hint or hints that cannot be resolved, and
    `ValueError`/`TypeError` from `inspect.signature` when `func` has no signature.
    """
    from auditor_strategies.signature import signature_strategy

    literals = function_literals(func)
    return signature_strategy(func, lambda hint: for_type(hint, literals), skip_first=skip_first)
