"""What a module says to Hypothesis: `settings(...)` arguments, registered and loaded profiles,
and which `@given` strategies cannot vary. Shared by the 5xx rules in `properties.py`.

Names are resolved through the module's imports, so `from hypothesis import settings, HealthCheck,
Phase`, `import hypothesis` + `hypothesis.settings`, `from hypothesis import strategies as st`,
`import hypothesis.strategies as st` and `from hypothesis.strategies import just` all work.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

import libcst as cst

from auditor.static.collect import FunctionInfo
from auditor.static.context import FileContext
from auditor.static.names import dotted
from auditor.static.walk import all_nodes

SETTINGS = "hypothesis.settings"
REGISTER = "hypothesis.settings.register_profile"
LOAD = "hypothesis.settings.load_profile"
STRATEGIES = "hypothesis.strategies."
HEALTH = "hypothesis.HealthCheck"
PHASE = "hypothesis.Phase"
# HealthCheck members of Hypothesis 6.170 (docs/hypothesis-internals.md); "all" = at least these five
ALL_CORE_CHECKS = {
    "data_too_large",
    "filter_too_much",
    "too_slow",
    "large_base_example",
    "function_scoped_fixture",
}
QUALITY_CHECKS = {"function_scoped_fixture", "filter_too_much", "data_too_large", "nested_given"}
ALL = "*all*"


@dataclass
class SettingsFacts:
    """The arguments of one `settings(...)` / `register_profile(...)` call that the rules judge."""

    line: int
    max_examples: int | None = None
    phases: list[str] | None = None  # None = not given or not literal
    suppress: list[str] = field(default_factory=list)  # member names, or [ALL]
    deadline_none: bool = False
    commented: bool = False

    @property
    def suppresses_all(self) -> bool:
        return ALL in self.suppress or set(self.suppress) >= ALL_CORE_CHECKS

    @property
    def no_generate(self) -> bool:
        return self.phases is not None and "generate" not in self.phases


def qualify(ctx: FileContext, node: cst.BaseExpression) -> str:
    return (ctx.imports.qualify(node) if dotted(node) else None) or ""


def _members(ctx: FileContext, expr: cst.BaseExpression, prefix: str) -> list[str] | None:
    """`[Phase.explicit, Phase.reuse]` -> ["explicit", "reuse"]; None when not a literal list."""
    if isinstance(expr, (cst.List, cst.Tuple, cst.Set)):
        out: list[str] = []
        for el in expr.elements:
            if isinstance(el, cst.StarredElement):
                if qualify(ctx, el.value) == prefix:
                    return [ALL]
                return None
            name = qualify(ctx, el.value)
            if not name.startswith(prefix + "."):
                return None
            out.append(name.rsplit(".", 1)[-1])
        return out
    if isinstance(expr, cst.Call):
        func = qualify(ctx, expr.func)
        if (
            func in ("list", "tuple", "set", "frozenset")
            and expr.args
            and qualify(ctx, expr.args[0].value) == prefix
        ):
            return [ALL]
        if func == f"{prefix}.all":
            return [ALL]
    return None


def settings_facts(ctx: FileContext, call: cst.Call) -> SettingsFacts:
    facts = SettingsFacts(line=ctx.line(call), commented=_has_comment(ctx, call))
    for arg in call.args:
        key = arg.keyword.value if arg.keyword is not None else None
        value = arg.value
        if key == "max_examples" and isinstance(value, cst.Integer):
            facts.max_examples = int(value.evaluated_value)
        elif key == "phases":
            facts.phases = _members(ctx, value, PHASE)
            if facts.phases == [ALL]:
                facts.phases = None
        elif key == "suppress_health_check":
            facts.suppress = _members(ctx, value, HEALTH) or []
        elif key == "deadline" and isinstance(value, cst.Name) and value.value == "None":
            facts.deadline_none = True
        elif (
            (key == "parent" or key is None)
            and isinstance(value, cst.Call)
            and qualify(ctx, value.func) == SETTINGS
        ):
            parent = settings_facts(ctx, value)
            facts.max_examples = (
                facts.max_examples if facts.max_examples is not None else parent.max_examples
            )
            facts.phases = facts.phases if facts.phases is not None else parent.phases
            facts.suppress = facts.suppress or parent.suppress
            facts.deadline_none = facts.deadline_none or parent.deadline_none
    return facts


def _has_comment(ctx: FileContext, node: cst.CSTNode) -> bool:
    """A justification comment on the call's lines or the line just above it."""
    where = ctx.pos(node)
    lines = ctx.source.splitlines()
    first = max(where.start.line - 2, 0)
    return any("#" in line for line in lines[first : where.end.line])


def all_calls(root: cst.CSTNode) -> Iterator[cst.Call]:
    """Every call under `root` (itself included), via the engine's fast field walker."""
    if isinstance(root, cst.Call):
        yield root
    for node in all_nodes(root):
        if isinstance(node, cst.Call):
            yield node


# -- profiles ---------------------------------------------------------------------------------
@dataclass
class ModuleProfiles:
    registered: dict[str, dict[str, Any]] = field(
        default_factory=dict
    )  # name -> asdict(SettingsFacts)
    loads: list[tuple[str, bool]] = field(default_factory=list)  # (name, loaded by default)
    profile_call_ids: set[int] = field(default_factory=set)


_CACHE: weakref.WeakKeyDictionary[FileContext, ModuleProfiles] = weakref.WeakKeyDictionary()


def module_profiles(ctx: FileContext) -> ModuleProfiles:
    """Profiles this module registers and loads; a load is *default* when it is an unconditional
    module-level (or `pytest_configure`) call with a literal name — env-switched loads are not."""
    cached = _CACHE.get(ctx)
    if cached is not None:
        return cached
    out = ModuleProfiles()
    if "register_profile" in ctx.source or "load_profile" in ctx.source:
        default_calls = {id(c) for c in _unconditional_calls(ctx)}
        for call in all_calls(ctx.module):
            name = qualify(ctx, call.func)
            first = call.args[0].value if call.args else None
            literal = str(first.evaluated_value) if isinstance(first, cst.SimpleString) else None
            if name == REGISTER and literal is not None:
                out.registered[literal] = asdict(settings_facts(ctx, call))
                out.profile_call_ids.update(id(c) for c in all_calls(call))
            elif name == LOAD:
                out.loads.append((literal or "", literal is not None and id(call) in default_calls))
    _CACHE[ctx] = out
    return out


def _unconditional_calls(ctx: FileContext) -> list[cst.Call]:
    statements: list[cst.BaseStatement] = list(ctx.module.body)
    for top in ctx.module.body:
        if isinstance(top, cst.FunctionDef) and top.name.value == "pytest_configure":
            statements.extend(top.body.body if isinstance(top.body, cst.IndentedBlock) else [])
    out: list[cst.Call] = []
    for stmt in statements:
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
                    out.append(small.value)
    return out


def default_profiles(files: Any) -> dict[str, tuple[str, dict[str, Any]]]:
    """name -> (path, facts) for every registered profile that some module loads by default."""
    loaded = {
        name
        for f in files.values()
        for name, default in f.extra.get("hypothesis", {}).get("loads", [])
        if default
    }
    out: dict[str, tuple[str, dict[str, Any]]] = {}
    for path, facts in files.items():
        for name, data in facts.extra.get("hypothesis", {}).get("registered", {}).items():
            if name in loaded:
                out[name] = (path, data)
    return out


def record_profiles(ctx: FileContext, extra: dict[str, Any]) -> None:
    profiles = module_profiles(ctx)
    extra["hypothesis"] = {"registered": profiles.registered, "loads": profiles.loads}


def test_settings(ctx: FileContext, func: FunctionInfo) -> list[tuple[cst.Call, SettingsFacts]]:
    return [
        (deco.call, settings_facts(ctx, deco.call))
        for deco in func.decorators
        if deco.qualified == SETTINGS and deco.call is not None
    ]


# -- strategies -------------------------------------------------------------------------------
def strategy_name(ctx: FileContext, expr: cst.BaseExpression) -> str | None:
    """`st.just(1)` -> "just" when the call resolves into hypothesis.strategies."""
    if isinstance(expr, cst.Call):
        name = qualify(ctx, expr.func)
        if name.startswith(STRATEGIES):
            return name[len(STRATEGIES) :]
    return None


def _same_literal(a: cst.BaseExpression | None, b: cst.BaseExpression | None) -> bool:
    literal = (cst.Integer, cst.Float, cst.SimpleString, cst.UnaryOperation)
    return isinstance(a, literal) and isinstance(b, literal) and a.deep_equals(b)


def degenerate(ctx: FileContext, expr: cst.BaseExpression, depth: int = 0) -> bool:
    """A strategy that can only ever produce one value."""
    if isinstance(expr, cst.Name) and depth < 2:
        value = _module_assignment(ctx, expr.value)
        return value is not None and degenerate(ctx, value, depth + 1)
    name = strategy_name(ctx, expr)
    if name is None or not isinstance(expr, cst.Call):
        return False
    args = {a.keyword.value if a.keyword else i: a.value for i, a in enumerate(expr.args)}
    if name in ("just", "none"):
        return True
    if name == "sampled_from":
        seq = args.get(0, args.get("elements"))
        return isinstance(seq, (cst.List, cst.Tuple, cst.Set)) and len(seq.elements) == 1
    if name in ("integers", "floats"):
        low, high = args.get(0, args.get("min_value")), args.get(1, args.get("max_value"))
        return _same_literal(low, high)
    if name == "one_of":
        options = [a.value for a in expr.args]
        if len(options) == 1 and isinstance(options[0], (cst.List, cst.Tuple)):
            options = [el.value for el in options[0].elements]
        return len(options) == 1 and degenerate(ctx, options[0], depth)
    return False


def _module_assignment(ctx: FileContext, name: str) -> cst.BaseExpression | None:
    for stmt in ctx.module.body:
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if isinstance(small, cst.Assign) and any(
                    isinstance(t.target, cst.Name) and t.target.value == name for t in small.targets
                ):
                    return small.value
    return None
