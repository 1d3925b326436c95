"""What the witness search feeds one mutated function: strategies, boundary pins, probe arguments.

Built from `auditor_strategies.fields`: the function's parameters (and, for a method, its class's
constructor) are planned down to their scalar fields, every field is biased towards the
function's own literals, and one *pin* per (field, boundary value) is listed so the search tries
each boundary in each field before any random input (evidence.py needs that before a claim).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

from auditor.properties.differential import Target, snapshot
from auditor_strategies.fields import Record, free_inputs, plan_signature, strategy
from auditor_strategies.literals import Literals, function_literals, integers_near, text_from
from auditor_strategies.pins import (
    MAX_PINS,
    NoSimplestValue,
    Table,
    pairwise_rows,
    parameter_table,
    row_values,
    single_rows,
)

Drawn = tuple[dict[str, Any], dict[str, Any]]


@dataclass
class SearchInputs:
    """Everything one search draws from. `pins` are (constructor kwargs, call kwargs) pairs,
    one boundary each; `pins_total` counts them all (only the first MAX_PINS are tried);
    `pairs` combine boundaries of two parameters; `pins_error` says why none could be built;
    `free` lists the dotted paths the search varies; `fixed` the unhinted parameters left at
    their defaults."""

    strategy: st.SearchStrategy[Drawn]
    pins: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)
    pin_rows: list[list[int]] = field(default_factory=list)  # option indexes of each pin
    pinned: list[tuple[int, int] | None] = field(default_factory=list)  # what each pin varies
    table: Table | None = None
    pairs: list[tuple[dict[str, Any], dict[str, Any]]] | None = None  # built after the pins ran
    pins_total: int = 0
    pins_error: str = ""
    free: list[str] = field(default_factory=list)
    fixed: list[str] = field(default_factory=list)
    probes: list[tuple[Any, ...]] = field(default_factory=list)  # for pins
    probe_strategy: st.SearchStrategy[list[tuple[Any, ...]]] = field(
        default_factory=lambda: st.just([(0,)])
    )  # drawn for every input once the pins showed that the function returns a callable


def literals_of(target: Target) -> Literals:
    source = target.cls.__init__ if target.kind == "init" else target.func  # type: ignore[misc]
    return function_literals(source)


def plan_records(target: Target) -> tuple[Record | None, Record]:
    """(constructor plan for a method's instance, call plan). Raises UnhintedParameterError,
    TypeError/ValueError (no signature)."""
    if target.kind == "init":
        assert target.cls is not None
        return None, plan_signature(target.cls)
    call = plan_signature(target.func, skip_first=target.kind in ("method", "classmethod"))
    if target.kind == "method":
        assert target.cls is not None
        return plan_signature(target.cls), call
    return None, call


def default_probes(literals: Literals) -> list[tuple[Any, ...]]:
    """Arguments for calling a returned function when the input is a pin (no draw)."""
    ints = [n for n in literals.ints if n not in (0, 1)][:1]
    strs = literals.strs[:1]
    return [(0,), (1, *ints), *((s,) for s in strs)]


def probe_strategy(literals: Literals) -> st.SearchStrategy[list[tuple[Any, ...]]]:
    scalar = st.one_of(integers_near(literals), text_from(literals), st.none())
    return st.lists(st.lists(scalar, max_size=2).map(tuple), min_size=1, max_size=3)


def search_inputs(target: Target) -> SearchInputs:
    """The plan for `target`: strategies and the pins (one boundary at a time, in every
    parameter and nested field); `pairs_for` adds rows pairing boundaries of two parameters once
    the pins have run. Raises what `plan_records` raises."""
    literals = literals_of(target)
    ctor, call = plan_records(target)
    ctor_strategy: st.SearchStrategy[dict[str, Any]] = (
        st.just({}) if ctor is None else strategy(ctor, literals)
    )
    drawn = st.tuples(ctor_strategy, strategy(call, literals))
    out = SearchInputs(
        strategy=drawn, probes=default_probes(literals), probe_strategy=probe_strategy(literals)
    )
    out.free = free_inputs(call) + [f"self.{p}" for p in (free_inputs(ctor) if ctor else [])]
    out.fixed = call.fixed + [f"self.{p}" for p in (ctor.fixed if ctor else [])]
    records = [("", call)] + ([("self.", ctor)] if ctor is not None else [])
    try:
        table = parameter_table(records, literals)
    except NoSimplestValue as exc:
        out.pins_error = str(exc)
        return out
    except Exception as exc:  # a constructor that rejects its simplest arguments
        out.pins_error = f"{type(exc).__name__}: {exc}"[:200]
        return out
    singles = single_rows(table)
    out.table = table
    out.pins_total = len(singles)
    out.pinned = [pinned for pinned, _ in singles[:MAX_PINS]]
    out.pin_rows = [row for _, row in singles[:MAX_PINS]]
    out.pins = [_split(row_values(table, row)) for row in out.pin_rows]
    return out


def pairs_for(
    inputs: SearchInputs, limit: int, kinds: list[str]
) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Up to `limit` rows pairing boundaries of two parameters, after the pins ran; `kinds[k]`
    is how the original ended on pin k ("return", "raise", or "" when it did not run)."""
    if inputs.table is None:
        return []
    raising, accepted = _learned(inputs, kinds)
    rows = pairwise_rows(inputs.table, limit, avoid=raising, fill=accepted)
    return [_split(row_values(inputs.table, row)) for row in rows]


def _learned(
    inputs: SearchInputs, kinds: list[str]
) -> tuple[set[tuple[int, int]], list[int] | None]:
    """(options that make the original raise on their own, a pin row it returned on).

    With a base row that returns, a pin that raises is caused by its own option. With a base
    row that raises (a `weight <= 0` check on a parameter whose simplest value is 0), only the
    parameters of which some pin returns are the cause: their raising options, base included."""
    pins = list(zip(inputs.pinned, inputs.pin_rows, kinds, strict=False))
    accepted = next((row for _, row, kind in pins if kind == "return"), None)
    if not pins or pins[0][2] != "raise":
        return {p for p, _, kind in pins if p is not None and kind == "raise"}, accepted
    causes = {p[0] for p, _, kind in pins if p is not None and kind == "return"}
    raising = {p for p, _, kind in pins if p is not None and kind == "raise" and p[0] in causes}
    return raising | {(i, 0) for i in causes}, accepted


def _split(values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    ctor = {k[len("self.") :]: v for k, v in values.items() if k.startswith("self.")}
    call = {k: v for k, v in values.items() if not k.startswith("self.")}
    return ctor, call


def input_key(ctor: dict[str, Any], kwargs: dict[str, Any], probes: Any = None) -> str:
    """A canonical text of one input: equal inputs (by structure) have equal keys. `probes`
    (arguments for a returned function) are part of the input when given."""
    try:
        return repr(snapshot((ctor, kwargs, probes)))
    except Exception:
        return repr((ctor, kwargs, probes))
