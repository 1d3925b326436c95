"""Dataclasses <-> JSON-compatible values, driven by the classes' own type hints.

The scorecard's JSON shape is a contract (users parse it), so the conversion is exact both ways:

- every dataclass field is written, `None` included (a stable shape), except fields declared with
  `metadata=OPTIONAL_KEY`: those are left out while they are `None`, for keys the JSON has only
  sometimes;
- str-valued `Enum`s are written as their value;
- `from_jsonable(cls, data)` rebuilds nested dataclasses, lists, dicts and enums from the field
  types; unknown keys are ignored (a newer scorecard still loads) and absent keys take their
  default. A class may pick a subclass per record with a `json_subclass(data)` classmethod.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import sys
import types
import typing
from typing import Any, TypeVar, Union

T = TypeVar("T")

OMIT_NONE = "auditor.omit_none"
# `field(default=None, metadata=OPTIONAL_KEY)`: a field written to JSON only when it is not None
# (a key the JSON has only sometimes).
OPTIONAL_KEY: dict[str, bool] = {OMIT_NONE: True}
EMPTY_IF_NONE = "auditor.empty_if_none"
# `field(default=None, metadata=EMPTY_OBJECT_IF_NONE)`: None is written as `{}` and `{}` read as None
# (an object the JSON always has, empty when nothing filled it).
EMPTY_OBJECT_IF_NONE: dict[str, bool] = {EMPTY_IF_NONE: True}


def to_jsonable(obj: Any) -> Any:
    """Dataclasses -> dicts, enums -> their values, recursively (lists/tuples -> lists)."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        out: dict[str, Any] = {}
        for f in dataclasses.fields(obj):
            value = getattr(obj, f.name)
            if value is None and f.metadata.get(OMIT_NONE):
                continue
            if value is None and f.metadata.get(EMPTY_IF_NONE):
                out[f.name] = {}
                continue
            out[f.name] = to_jsonable(value)
        return out
    if isinstance(obj, enum.Enum):
        return obj.value
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v) for v in obj]
    return obj


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    module = sys.modules.get(cls.__module__)
    return typing.get_type_hints(cls, globalns=vars(module) if module else None)


def _convert(tp: Any, value: Any) -> Any:
    """`value` (parsed JSON) as an instance of the type hint `tp`, as far as the hint says."""
    if value is None:
        return None
    origin = typing.get_origin(tp)
    if origin is Union or origin is types.UnionType:
        options = [a for a in typing.get_args(tp) if a is not type(None)]
        for option in options:
            if dataclasses.is_dataclass(option) and isinstance(value, dict):
                return _convert(option, value)
            if isinstance(option, type) and issubclass(option, enum.Enum):
                try:
                    return option(value)
                except ValueError:
                    continue
        return _convert(options[0], value) if len(options) == 1 else value
    if origin in (list, tuple) and isinstance(value, list):
        args = typing.get_args(tp)
        item = args[0] if args else Any
        converted = [_convert(item, v) for v in value]
        return tuple(converted) if origin is tuple else converted
    if origin is dict and isinstance(value, dict):
        args = typing.get_args(tp)
        item = args[1] if len(args) == 2 else Any
        return {k: _convert(item, v) for k, v in value.items()}
    if isinstance(tp, type) and dataclasses.is_dataclass(tp) and isinstance(value, dict):
        return from_jsonable(tp, value)
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return tp(value)
    return value


def from_jsonable(cls: type[T], data: dict[str, Any]) -> T:
    """Inverse of `to_jsonable` for a dataclass `cls`; unknown keys are ignored (forward compat).

    Raises ValueError for an enum field holding an unknown value and TypeError when a required
    field is missing.
    """
    pick = getattr(cls, "json_subclass", None)
    if pick is not None:
        cls = pick(data)
    hints = _hints(cls)  # type: ignore[arg-type]
    kwargs: dict[str, Any] = {}
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        if f.name in data and f.init:
            value = data[f.name]
            if value == {} and f.metadata.get(EMPTY_IF_NONE):
                value = None
            kwargs[f.name] = _convert(hints[f.name], value)
    return cls(**kwargs)
