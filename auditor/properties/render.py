"""Python source for witness inputs and expectations, and the ready-to-paste pytest test.

Why a renderer of our own instead of `repr`: a witness is only useful if the suggested test can be
pasted and run. `repr(float('nan'))`, enums (`<Color.RED: 1>`) and plain objects
(`<Foo object at 0x...>`) are not valid source, so each value is rendered to an expression that
rebuilds it (collecting the imports it needs), or refused (`Unrenderable`) so the search keeps
looking for an input that can be written down.
"""

from __future__ import annotations

import dataclasses
import enum
import importlib
import keyword
import math
import re
from dataclasses import dataclass, field
from typing import Any

from auditor_strategies.fields import recipe_of


class Unrenderable(ValueError):
    """The value cannot be written as a Python expression that rebuilds it."""


@dataclass
class Imports:
    """`from module import name` lines a generated test needs (sorted, deduplicated)."""

    names: set[tuple[str, str]] = field(default_factory=set)
    modules: set[str] = field(default_factory=set)

    def add(self, module: str, name: str) -> None:
        self.names.add((module, name))

    def lines(self) -> list[str]:
        out = [f"import {m}" for m in sorted(self.modules)]
        by_module: dict[str, set[str]] = {}
        for module, name in self.names:
            by_module.setdefault(module, set()).add(name)
        out += [f"from {m} import {', '.join(sorted(n))}" for m, n in sorted(by_module.items())]
        return out


def _importable(cls: type) -> tuple[str, str]:
    """(module, name) of a class reachable as a module attribute; else Unrenderable."""
    module = getattr(cls, "__module__", "")
    name = getattr(cls, "__qualname__", "")
    if not module or not name or "." in name or "<" in name or module == "__main__":
        raise Unrenderable(f"{cls!r} is not importable by name")
    return module, name


def to_source(value: Any, imports: Imports) -> str:
    """An expression that evaluates to a value equal to `value`."""
    if value is None or isinstance(value, (bool, int, str, bytes)):
        if isinstance(value, (bool, int, str, bytes)) and type(value) not in (
            bool,
            int,
            str,
            bytes,
        ):
            raise Unrenderable(f"subclass {type(value).__name__} of a builtin")
        return repr(value)
    if type(value) is float:
        if math.isnan(value):
            raise Unrenderable("NaN is not equal to itself")
        if math.isinf(value):
            return "float('inf')" if value > 0 else "float('-inf')"
        return repr(value)
    if type(value) is complex:
        if math.isnan(value.real) or math.isnan(value.imag) or math.isinf(abs(value)):
            raise Unrenderable("non-finite complex")
        return repr(value)
    if type(value) is list:
        return "[" + ", ".join(to_source(v, imports) for v in value) + "]"
    if type(value) is tuple:
        items = [to_source(v, imports) for v in value]
        return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
    if type(value) in (set, frozenset):
        items = sorted(to_source(v, imports) for v in value)
        inner = "{" + ", ".join(items) + "}" if items else ""
        if type(value) is frozenset:
            return f"frozenset({inner})"
        return inner or "set()"
    if type(value) is dict:
        return (
            "{"
            + ", ".join(
                f"{to_source(k, imports)}: {to_source(v, imports)}" for k, v in value.items()
            )
            + "}"
        )
    if isinstance(value, enum.Enum):
        module, name = _importable(type(value))
        imports.add(module, name)
        return f"{name}.{value.name}"
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        module, name = _importable(type(value))
        fields = dataclasses.fields(value)
        if any(not f.init for f in fields):
            raise Unrenderable(f"{name} has fields outside __init__")
        imports.add(module, name)
        args = ", ".join(f"{f.name}={to_source(getattr(value, f.name), imports)}" for f in fields)
        return f"{name}({args})"
    if type(value).__module__ in REPR_MODULES:
        return _stdlib_repr(value, imports)
    arguments = _record_fields(value)
    if arguments is not None:
        module, name = _importable(type(value))
        imports.add(module, name)
        return _constructor(name, arguments, imports)
    raise Unrenderable(f"no source form for {type(value).__name__} values")


def _record_fields(value: Any) -> dict[str, Any] | None:
    """Constructor keyword arguments that rebuild `value`: the recipe of an object the search
    built (`auditor_strategies.fields`), or the fields of a NamedTuple, an attrs class or a
    pydantic model; None otherwise."""
    recipe = recipe_of(value)
    if recipe is not None and recipe[0] is type(value):
        return recipe[1]
    cls = type(value)
    if isinstance(value, tuple) and hasattr(cls, "_fields") and hasattr(value, "_asdict"):
        return dict(value._asdict())
    attrs_fields = getattr(cls, "__attrs_attrs__", None)
    if attrs_fields is not None:
        if any(not a.init for a in attrs_fields):
            raise Unrenderable(f"{cls.__name__} has attributes outside __init__")
        return {
            (getattr(a, "alias", None) or a.name.lstrip("_")): getattr(value, a.name)
            for a in attrs_fields
        }
    model_fields = getattr(cls, "model_fields", None)
    if isinstance(model_fields, dict) and hasattr(cls, "model_validate"):
        return {(info.alias or n): getattr(value, n) for n, info in model_fields.items()}
    return None


def _constructor(name: str, fields: dict[str, Any], imports: Imports) -> str:
    if all(key.isidentifier() and not keyword.iskeyword(key) for key in fields):
        return f"{name}({', '.join(f'{k}={to_source(v, imports)}' for k, v in fields.items())})"
    return f"{name}(**{to_source(dict(fields), imports)})"


# stdlib value types whose repr is a constructor call once their module/class is imported
REPR_MODULES = (
    "datetime",
    "decimal",
    "fractions",
    "uuid",
    "pathlib",
    "ipaddress",
    "zoneinfo",
    "argparse",  # Namespace(a=1): what a parse_args function returns
    "collections",  # OrderedDict, Counter, deque (the round trip rejects the rest)
)


def _stdlib_repr(value: Any, imports: Imports) -> str:
    """`repr` of a stdlib value, accepted only if evaluating it gives back an equal value."""
    cls = type(value)
    text = repr(value)
    namespace: dict[str, Any] = {}
    needed_modules = {m for m in REPR_MODULES if f"{m}." in text}
    for module in needed_modules:
        namespace[module] = importlib.import_module(module)
    needs_class = not text.startswith(f"{cls.__module__}.")
    if needs_class:
        namespace[cls.__name__] = cls
    try:
        same = eval(text, namespace) == value
    except Exception:
        same = False
    if not same:
        raise Unrenderable(f"{cls.__name__} value {text} does not round-trip")
    imports.modules.update(needed_modules)
    if needs_class:
        imports.add(cls.__module__, cls.__name__)
    return text


def has_identity_eq(value: Any) -> bool:
    """True for plain objects whose `==` is identity: compare their `vars()` instead."""
    return (
        hasattr(value, "__dict__")
        and not isinstance(value, type)
        and getattr(type(value), "__eq__", None) is getattr(object, "__eq__", None)
        and not dataclasses.is_dataclass(value)
    )


def assertion(expr: str, value: Any, imports: Imports) -> str:
    """`assert <expr> == <value>` in the form that holds for `value` (None/bools by identity)."""
    if value is None or isinstance(value, bool):
        return f"assert {expr} is {value!r}"
    if has_identity_eq(value):
        return f"assert vars({expr}) == {to_source(vars(value), imports)}"
    return f"assert {expr} == {to_source(value, imports)}"


def call_source(callee: str, args: list[str], kwargs: dict[str, str]) -> str:
    parts = list(args) + [f"{k}={v}" for k, v in kwargs.items()]
    return f"{callee}({', '.join(parts)})"


def render_kwargs(values: dict[str, Any], imports: Imports) -> dict[str, str]:
    return {name: to_source(v, imports) for name, v in values.items()}


_IDENT = re.compile(r"[^0-9a-zA-Z_]+")


def witness_test_name(function: str, cls: str | None, number: int) -> str:
    base = f"{cls}_{function}" if cls else function
    base = re.sub("_+", "_", _IDENT.sub("_", base)).strip("_").lower() or "function"
    return f"test_{base}_kills_mutant_{number}"


def safe_variable(name: str, taken: set[str]) -> str:
    candidate = name if name.isidentifier() and not keyword.iskeyword(name) else f"{name}_"
    while candidate in taken:
        candidate += "_"
    taken.add(candidate)
    return candidate
