"""A plan of every field a function's arguments reach, with literal-biased strategies and pins.

Why a plan of our own instead of `st.from_type` for composite types: `from_type(Member)` draws
`Member.age` from plain `st.integers()`, so `member.age < 26` -> `member.age <= 26` survives a
300-example search although `age=26` kills it. The plan walks dataclasses, attrs classes,
NamedTuples, TypedDicts, pydantic models and classes with a fully hinted `__init__` down to their
scalar fields, so the function's literals reach every nested field, and it enumerates *pins*: one
input per (field, boundary value), with everything else at its simplest, so every boundary is tried
in every field before any random example (a claim of "no input tells them apart" needs that).

Shapes: `plan_type(hint)` and `plan_signature(func)` return a `Node` tree; `strategy(node,
literals)` turns it into a Hypothesis strategy; `pins(node, literals)` lists `Pin`s (a dotted
field path, the value that field takes, and the whole input). Objects the plan builds are
remembered by `recipe_of` (class and keyword arguments) so a witness test can write them down.
"""

from __future__ import annotations

import collections.abc
import dataclasses
import enum
import inspect
import sys
import types
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

from auditor_strategies.literals import (
    Literals,
    bytes_from,
    floats_near,
    integers_near,
    text_from,
)
from auditor_strategies.signature import UnhintedParameterError, drawable_parameters

MAX_DEPTH = 3  # records inside records inside records; deeper ones go to st.from_type
SCALARS = (bool, int, float, str, bytes)


class Node:
    """One type in the plan (see the subclasses)."""


@dataclass
class Scalar(Node):
    """bool, int, float, str or bytes: drawn near the literals, pinned at each boundary."""

    kind: type


@dataclass
class Choice(Node):
    """A finite set of values (`Literal[...]`, an Enum, `None`): every value is a pin."""

    values: tuple[Any, ...]


@dataclass
class Broad(Node):
    """`Any`, `object` or an unbound TypeVar: scalars, None and small containers of them."""


@dataclass
class Union(Node):
    options: list[Node]


@dataclass
class Collection(Node):
    """list/set/frozenset/variadic tuple/Sequence... of one item type."""

    kind: Callable[[Any], Any]  # list, set, frozenset or tuple: builds the value from a list
    item: Node


@dataclass
class Fixed(Node):
    """`tuple[A, B]`: one node per position."""

    items: list[Node]


@dataclass
class Mapping(Node):
    key: Node
    value: Node


@dataclass
class Field:
    node: Node
    required: bool


@dataclass
class Record(Node):
    """Something built from named fields: a class (`flavour` says which kind) or, with
    flavour "call", a function's keyword arguments (the value is the dict itself)."""

    cls: Any
    flavour: str
    fields: dict[str, Field]
    fixed: list[str] = field(default_factory=list)  # parameters never varied (kept at default)

    def build(self, values: dict[str, Any]) -> Any:
        if self.flavour in ("call", "typeddict"):
            return dict(values)
        obj = self.cls(**values)
        _remember(obj, self.cls, values)
        return obj


@dataclass
class Opaque(Node):
    """Anything else: `st.from_type(hint)` (registered strategies are respected)."""

    hint: Any


# ---------------------------------------------------------------------------------- recipes

_RECIPES: dict[int, tuple[Any, type, dict[str, Any]]] = {}


def _remember(obj: Any, cls: type, values: dict[str, Any]) -> None:
    _RECIPES[id(obj)] = (obj, cls, dict(values))


def recipe_of(obj: Any) -> tuple[type, dict[str, Any]] | None:
    """(class, keyword arguments) of an object the plan built, or None."""
    entry = _RECIPES.get(id(obj))
    if entry is None or entry[0] is not obj:
        return None
    return entry[1], entry[2]


def forget_recipes() -> None:
    """Drop the remembered recipes (call between searches; they keep their objects alive)."""
    _RECIPES.clear()


# ---------------------------------------------------------------------------------- planning


def _registered(cls: Any) -> bool:
    """True when the project registered its own strategy for `cls` (we must respect it)."""
    try:
        from hypothesis.strategies._internal import types as hypothesis_types

        return cls in getattr(hypothesis_types, "_global_type_lookup", {})
    except Exception:
        return False


def _is_stdlib(cls: type) -> bool:
    top = (getattr(cls, "__module__", "") or "").partition(".")[0]
    names = getattr(sys, "stdlib_module_names", ())
    return top in ("builtins", "typing", "collections", "abc") or top in names


_SEQUENCES: dict[Any, Callable[[Any], Any]] = {
    list: list,
    collections.abc.Sequence: list,
    collections.abc.MutableSequence: list,
    collections.abc.Iterable: list,
    collections.abc.Collection: list,
    set: set,
    collections.abc.Set: frozenset,
    collections.abc.MutableSet: set,
    frozenset: frozenset,
}
_MAPPINGS = (dict, collections.abc.Mapping, collections.abc.MutableMapping)


def plan_type(hint: Any, depth: int = 0) -> Node:
    """The plan of one type hint (never raises: what it cannot see into becomes `Opaque`)."""
    if hint is Any or hint is object or isinstance(hint, typing.TypeVar):
        return Broad()
    if hint is None or hint is type(None):
        return Choice((None,))
    if hint in SCALARS:
        return Scalar(hint)
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is typing.Annotated:
        return plan_type(args[0], depth)
    if origin is typing.Literal:
        return Choice(tuple(args))
    if origin is typing.Union or (hasattr(types, "UnionType") and origin is types.UnionType):
        return Union([plan_type(a, depth) for a in args])
    if origin in _SEQUENCES and len(args) == 1:
        return Collection(_SEQUENCES[origin], plan_type(args[0], depth))
    if origin is tuple and args:
        if len(args) == 2 and args[1] is Ellipsis:
            return Collection(tuple, plan_type(args[0], depth))
        if args == ((),):
            return Choice(((),))
        return Fixed([plan_type(a, depth) for a in args])
    if origin in _MAPPINGS and len(args) == 2:
        return Mapping(plan_type(args[0], depth), plan_type(args[1], depth))
    if isinstance(hint, type):
        if issubclass(hint, enum.Enum) and len(hint) > 0:
            return Choice(tuple(hint))
        record = _plan_record(hint, depth)
        if record is not None:
            return record
    return Opaque(hint)


def _plan_record(cls: type, depth: int) -> Record | None:
    if depth >= MAX_DEPTH or _registered(cls) or _is_stdlib(cls) or inspect.isabstract(cls):
        return None
    try:
        found = _record_fields(cls)
    except Exception:  # unresolvable annotations and friends: let from_type try
        return None
    if found is None:
        return None
    flavour, raw = found
    fields = {
        name: Field(plan_type(hint, depth + 1), required) for name, (hint, required) in raw.items()
    }
    return Record(cls, flavour, fields)


def _record_fields(cls: type) -> tuple[str, dict[str, tuple[Any, bool]]] | None:
    """(flavour, {init name: (hint, required)}) for the kinds of record we know, else None."""
    if dataclasses.is_dataclass(cls):
        hints = typing.get_type_hints(cls)
        return "dataclass", {
            f.name: (
                hints.get(f.name, Any),
                f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING,
            )
            for f in dataclasses.fields(cls)
            if f.init
        }
    attrs_fields = getattr(cls, "__attrs_attrs__", None)
    if attrs_fields is not None:
        hints = typing.get_type_hints(cls)
        out = {}
        for a in attrs_fields:
            if not a.init:
                continue
            name = getattr(a, "alias", None) or a.name.lstrip("_")
            hint = hints.get(a.name, a.type if a.type is not None else Any)
            out[name] = (hint, type(a.default).__name__ == "_Nothing")
        return "attrs", out
    if issubclass(cls, tuple) and hasattr(cls, "_fields"):
        hints = typing.get_type_hints(cls)
        defaults = getattr(cls, "_field_defaults", {})
        return "namedtuple", {n: (hints.get(n, Any), n not in defaults) for n in cls._fields}
    if issubclass(cls, dict) and hasattr(cls, "__required_keys__"):
        hints = typing.get_type_hints(cls)
        required: frozenset[str] = getattr(cls, "__required_keys__", frozenset())
        return "typeddict", {n: (h, n in required) for n, h in hints.items()}
    model_fields = getattr(cls, "model_fields", None)
    if isinstance(model_fields, dict) and hasattr(cls, "model_validate"):  # pydantic 2
        return "pydantic", {
            (info.alias or name): (info.annotation, bool(info.is_required()))
            for name, info in model_fields.items()
        }
    if getattr(cls, "__init__", None) is object.__init__:
        return None
    return _class_fields(cls)


def _class_fields(cls: type) -> tuple[str, dict[str, tuple[Any, bool]]] | None:
    """A plain class whose `__init__` parameters are all hinted (or have defaults)."""
    init = cls.__init__  # type: ignore[misc]
    hints = typing.get_type_hints(init)
    out: dict[str, tuple[Any, bool]] = {}
    for param in drawable_parameters(init, skip_first=True):
        required = param.default is inspect.Parameter.empty
        if param.name in hints:
            out[param.name] = (hints[param.name], required)
        elif required:
            return None
    return "class", out


def plan_signature(func: Callable[..., Any], *, skip_first: bool = False) -> Record:
    """The plan of `func`'s keyword arguments (a Record with flavour "call").

    Hinted parameters are planned from their hints; an unhinted parameter with a default of a
    scalar type (or a non-empty tuple/list of one scalar type) is drawn as that type, since every
    caller that relies on the default passes such a value; other unhinted defaults stay fixed
    (listed in `Record.fixed`). Raises `UnhintedParameterError` for a required parameter without
    a hint or unresolvable hints, `ValueError`/`TypeError` when `func` has no signature.
    """
    target = func.__init__ if isinstance(func, type) else func  # type: ignore[misc]
    skip = skip_first or isinstance(func, type)
    try:
        hints = typing.get_type_hints(inspect.unwrap(target))
    except Exception as exc:
        raise UnhintedParameterError(
            f"Cannot resolve the type hints of {getattr(func, '__qualname__', func)!r}: {exc}. "
            f"Make every annotation importable at module level (not only under TYPE_CHECKING)."
        ) from exc
    if isinstance(func, type) and dataclasses.is_dataclass(func):
        with_fields = _record_fields(func)
        if with_fields is not None:
            hints = {**{n: h for n, (h, _) in with_fields[1].items()}, **hints}
    fields: dict[str, Field] = {}
    fixed: list[str] = []
    name = getattr(func, "__qualname__", repr(func))
    for param in drawable_parameters(target, skip_first=skip):
        has_default = param.default is not inspect.Parameter.empty
        if param.name in hints:
            fields[param.name] = Field(plan_type(hints[param.name]), not has_default)
            continue
        if not has_default:
            raise UnhintedParameterError(
                f"Parameter '{param.name}' of {name}() has no type hint, so no strategy can be "
                f"inferred for it. Annotate it (e.g. `{param.name}: int`), or register a strategy."
            )
        inferred = infer_from_default(param.default)
        if inferred is None:
            fixed.append(param.name)
        else:
            fields[param.name] = Field(inferred, False)
    return Record(func, "call", fields, fixed)


def infer_from_default(default: Any) -> Node | None:
    """The plan for an unhinted parameter from its default value, or None (leave it fixed)."""
    if type(default) in SCALARS:
        return Scalar(type(default))
    if isinstance(default, enum.Enum):
        return Choice(tuple(type(default)))
    if type(default) in (tuple, list) and default:
        kinds = {type(v) for v in default}
        if len(kinds) == 1 and next(iter(kinds)) in SCALARS:
            return Collection(type(default), Scalar(next(iter(kinds))))
    return None


def free_inputs(record: Record) -> list[str]:
    """Dotted paths of the inputs a search varies (empty: there is nothing to vary)."""
    return list(leaf_paths(record))


def leaf_paths(node: Node, prefix: str = "") -> Iterator[str]:
    if isinstance(node, Record):
        for name, item in node.fields.items():
            yield from leaf_paths(item.node, f"{prefix}.{name}" if prefix else name)
    elif isinstance(node, Union):
        for option in node.options:
            yield from leaf_paths(option, prefix)
    elif isinstance(node, Collection):
        yield from leaf_paths(node.item, f"{prefix}[]")
    elif isinstance(node, Fixed):
        for i, part in enumerate(node.items):
            yield from leaf_paths(part, f"{prefix}[{i}]")
    elif isinstance(node, Mapping):
        yield from leaf_paths(node.key, f"{prefix}{{key}}")
        yield from leaf_paths(node.value, f"{prefix}{{value}}")
    elif isinstance(node, Choice) and len(node.values) < 2:
        return
    else:
        yield prefix or "(value)"


# ---------------------------------------------------------------------------------- strategies


def broad(literals: Literals) -> st.SearchStrategy[Any]:
    """Values for `Any`: None, bools, literal-biased scalars, and small lists/tuples/dicts."""
    scalar = st.one_of(
        st.none(),
        st.booleans(),
        integers_near(literals),
        floats_near(literals),
        text_from(literals),
        bytes_from(literals),
    )
    return st.one_of(
        scalar,
        st.lists(scalar, max_size=4),
        st.lists(scalar, max_size=4).map(tuple),
        st.dictionaries(text_from(literals), scalar, max_size=4),
    )


def strategy(node: Node, literals: Literals) -> st.SearchStrategy[Any]:
    """A Hypothesis strategy for `node`, biased towards `literals` in every scalar field."""
    if isinstance(node, Scalar):
        if node.kind is bool:
            return st.booleans()
        scalar: dict[type, Callable[[Literals], st.SearchStrategy[Any]]] = {
            int: integers_near,
            float: floats_near,
            str: text_from,
            bytes: bytes_from,
        }
        return scalar[node.kind](literals)
    if isinstance(node, Choice):
        return st.sampled_from(node.values)
    if isinstance(node, Broad):
        return broad(literals)
    if isinstance(node, Union):
        return st.one_of(*(strategy(o, literals) for o in node.options))
    if isinstance(node, Collection):
        unique = node.kind in (set, frozenset)
        items = strategy(node.item, literals)
        drawn = st.lists(items, max_size=8, unique_by=_hashable_key if unique else None)
        return drawn.map(node.kind)
    if isinstance(node, Fixed):
        return st.tuples(*(strategy(i, literals) for i in node.items))
    if isinstance(node, Mapping):
        return st.dictionaries(
            strategy(node.key, literals), strategy(node.value, literals), max_size=6
        )
    if isinstance(node, Record):
        required = {n: strategy(f.node, literals) for n, f in node.fields.items() if f.required}
        optional = {n: strategy(f.node, literals) for n, f in node.fields.items() if not f.required}
        kwargs = st.fixed_dictionaries(required, optional=optional)
        return kwargs if node.flavour == "call" else kwargs.map(node.build)
    assert isinstance(node, Opaque)
    return st.from_type(node.hint)


def _hashable_key(value: Any) -> Any:
    try:
        hash(value)
        return value
    except TypeError:
        return repr(value)
