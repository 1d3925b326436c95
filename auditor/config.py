"""`[tool.auditor]` in pyproject.toml, validated with errors that name the key and the fix.

The dataclasses below are the one declarative table of accepted keys: each field declares its
default, the TOML types it accepts and a description (`spec(...)` metadata), and `parse_config`
validates a table against them. Unknown keys are an error (exit 2) that lists the valid ones,
because a silently ignored typo (`ignroe = [...]`) is worse than a loud one. To add a key, add a
field; to check a value further (a range, a choice), give its `spec` a `check`.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditor.errors import ConfigError
from auditor.metric_registry import COMPONENTS, DEFAULT_HIGH, DEFAULT_LOW, GATE_METRICS

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

# Default arid patterns (Google's "arid lines"): mutants on these lines are reported as skipped.
DEFAULT_ARID = [
    r"^\s*(log|logger|logging|LOG|LOGGER|_log|_logger|self\.log|self\.logger)\.(debug|info|warning|warn|error|exception|critical|log)\(",
    r"^\s*print\(",
    r"^\s*warnings\.warn\(",
]

NUMBER: tuple[type, ...] = (int, float)
SPEC = "auditor.config"


@dataclass(frozen=True)
class Spec:
    """How one TOML key is validated: accepted types, what it is, and optional extra checks.

    `items`: the type every list element must have; `keys`: the closed key set of a mapping whose
    keys are names (weights, gates); `check(value)` returns a problem sentence or None.
    """

    types: tuple[type, ...]
    description: str = ""
    key: str = ""
    items: type | None = None
    keys: tuple[str, ...] | None = None
    check: Callable[[Any], str | None] | None = None


def spec(
    types: tuple[type, ...],
    description: str = "",
    *,
    key: str = "",
    items: type | None = None,
    keys: tuple[str, ...] | None = None,
    check: Callable[[Any], str | None] | None = None,
) -> dict[str, Spec]:
    """Field metadata declaring a TOML key (`key` defaults to the field name with '-' for '_')."""
    return {SPEC: Spec(types, description, key, items, keys, check)}


def toml_keys(cls: type) -> dict[str, tuple[str, Spec]]:
    """TOML key -> (attribute name, Spec) for a config dataclass, in declaration order."""
    out: dict[str, tuple[str, Spec]] = {}
    for f in dataclasses.fields(cls):
        declared = f.metadata.get(SPEC)
        if isinstance(declared, Spec):
            out[declared.key or f.name.replace("_", "-")] = (f.name, declared)
    return out


def _finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def at_least(minimum: float, key: str) -> Callable[[Any], str | None]:
    """A `check` for numbers: finite and >= `minimum` (a negative budget would inflate the score)."""

    def check(value: Any) -> str | None:
        if not _finite(value):
            return f"{key} must be a finite number; got {value!r}."
        return f"{key} must be at least {minimum:g}; got {value:g}." if value < minimum else None

    return check


def between(low: float, high: float, key: str) -> Callable[[Any], str | None]:
    """A `check` for numbers: finite and within [low, high]."""

    def check(value: Any) -> str | None:
        problem = at_least(low, key)(value)
        if problem:
            return problem
        return f"{key} must be at most {high:g}; got {value:g}." if value > high else None

    return check


def one_of(choices: tuple[str, ...], key: str) -> Callable[[Any], str | None]:
    """A `check` for strings: one of `choices`."""

    def check(value: Any) -> str | None:
        if value in choices:
            return None
        return f"{key} must be one of {', '.join(map(repr, choices))}; got {value!r}."

    return check


def _thresholds(value: Any) -> str | None:
    """high/low each 0-100 (checked per key) and in order: high is where "good" starts."""
    high = value.get("high", DEFAULT_HIGH)
    low = value.get("low", DEFAULT_LOW)
    if _finite(high) and _finite(low) and high < low:
        return (
            f"thresholds: high ({high:g}) is below low ({low:g}); high is the score from which "
            f"a result is good, low the one below which it is bad."
        )
    return None


def _weights(value: Any) -> str | None:
    """Score weights: finite, >= 0, and not all 0 (no score could be computed)."""
    for name, weight in value.items():
        if isinstance(weight, (int, float)) and not isinstance(weight, bool):
            problem = at_least(0, f"score weight '{name}'")(weight)
            if problem:
                return problem
    if value and all(value.get(c.name, c.default_weight) == 0 for c in COMPONENTS):
        return (
            "score sets every weight to 0, so there would be no overall score. Give at least "
            "one component a positive weight."
        )
    return None


def _gates(value: Any) -> str | None:
    for name, limit in value.items():
        if isinstance(limit, (int, float)) and not isinstance(limit, bool) and not math.isfinite(
            limit
        ):
            return f"gate {name} must be a finite number; got {limit!r}."
    return None


@dataclass
class MutationConfig:
    """`[tool.auditor.mutation]`."""

    timeout_multiplier: float | None = field(
        default=None,
        metadata=spec(
            NUMBER,
            "mutmut's timeout = (estimate + constant) x this",
            check=at_least(1, "timeout-multiplier"),
        ),
    )
    timeout_constant: float | None = field(
        default=None,
        metadata=spec(
            NUMBER, "seconds added to each test-time estimate", check=at_least(0, "timeout-constant")
        ),
    )
    process_isolation: str | None = field(
        default=None,
        metadata=spec(
            (str,),
            '"fork" or "forkserver" (default: fork, automatic)',
            check=one_of(("fork", "forkserver"), "process-isolation"),
        ),
    )
    pseudo_tested: bool = field(default=True, metadata=spec((bool,), "extreme-mutation pass"))
    max_mutants: int | None = field(
        default=None,
        metadata=spec(
            (int,), "test at most N mutants; the rest are skipped", check=at_least(0, "max-mutants")
        ),
    )
    only_mutate: list[str] = field(
        default_factory=list, metadata=spec((list,), "globs of source files to mutate")
    )
    runner: str = field(
        default="auditor",
        metadata=spec((str,), '"auditor" (our warm runner) or "mutmut" (`mutmut run`)'),
    )
    verify_survivors: int = field(
        default=3,
        metadata=spec(
            (int,),
            "survivors re-run by hand after each scan (0: none); --diff re-runs all of them",
            check=lambda v: None if v >= 0 else f"verify-survivors must be 0 or more; got {v}.",
        ),
    )


@dataclass
class CoverageConfig:
    """`[tool.auditor.coverage]`: the coverage run (docs/coverage.md)."""

    timeout: float | None = field(
        default=None, metadata=spec(NUMBER, "fixed time limit of the run, in seconds")
    )
    timeout_multiplier: float = field(
        default=10.0, metadata=spec(NUMBER, "limit = multiplier x last measured run + constant")
    )
    timeout_constant: float = field(
        default=60.0, metadata=spec(NUMBER, "seconds added to the measured run's multiple")
    )
    subprocesses: bool = field(
        default=True, metadata=spec((bool,), "measure Python subprocesses the tests start")
    )


@dataclass
class WitnessConfig:
    """`[tool.auditor.witness]`: the Hypothesis witness search for surviving mutants."""

    max_examples: int = field(
        default=300,
        metadata=spec((int,), "inputs tried per mutant", check=at_least(1, "max-examples")),
    )
    seconds: float = field(
        default=10.0, metadata=spec(NUMBER, "time budget per mutant", check=at_least(0, "seconds"))
    )
    enabled: bool = field(default=True, metadata=spec((bool,), "run the witness search"))


@dataclass
class ThresholdsConfig:
    """`[tool.auditor.thresholds]`: colour bands (Stryker) and the break threshold."""

    high: float = field(
        default=DEFAULT_HIGH,
        metadata=spec(NUMBER, ">= high is good (green)", check=between(0, 100, "high")),
    )
    low: float = field(
        default=DEFAULT_LOW,
        metadata=spec(NUMBER, ">= low is acceptable", check=between(0, 100, "low")),
    )
    break_: float | None = field(
        default=None,
        metadata=spec(
            NUMBER, "minimum mutation score (a gate)", key="break", check=between(0, 100, "break")
        ),
    )


@dataclass
class PrConfig:
    """`[tool.auditor.pr]`: how many surviving mutants a pull request surfaces (Google: 10, 1)."""

    max_survivors: int = field(
        default=10,
        metadata=spec((int,), "survivors surfaced per PR", check=at_least(0, "max-survivors")),
    )
    max_per_line: int = field(
        default=1,
        metadata=spec((int,), "survivors surfaced per line", check=at_least(1, "max-per-line")),
    )


GROUPINGS: tuple[str, ...] = ("module", "class", "none")


def _positive(name: str) -> Callable[[Any], str | None]:
    return lambda value: None if value > 0 else f"{name} must be > 0; got {value!r}."


def _at_least(name: str, low: int) -> Callable[[Any], str | None]:
    return lambda value: None if value >= low else f"{name} must be >= {low}; got {value!r}."


def _grouping(value: Any) -> str | None:
    if value in GROUPINGS:
        return None
    return f"grouping must be one of {', '.join(GROUPINGS)}; got {value!r}."


@dataclass
class FlakyConfig:
    """`[tool.auditor.flaky]`: the flakiness stage (docs/flaky.md). The stage's budget is
    `max(min_seconds, budget x the baseline run's wall time)`; a run's time limit is
    `timeout_multiplier x its expected time + timeout_seconds`."""

    budget: float = field(
        default=5.0,
        metadata=spec(
            NUMBER, "time budget: multiple of the baseline run", check=_positive("budget")
        ),
    )
    min_seconds: float = field(
        default=60.0,
        metadata=spec(NUMBER, "the budget is never below this (s)", check=_positive("min-seconds")),
    )
    reruns: int = field(
        default=2, metadata=spec((int,), "same-order reruns", check=_at_least("reruns", 0))
    )
    orders: int | None = field(
        default=None,
        metadata=spec((int,), "at most this many scheduled orders", check=_at_least("orders", 0)),
    )
    seed: int = field(default=0, metadata=spec((int,), "seed of the orders"))
    grouping: str = field(
        default="module",
        metadata=spec((str,), "what stays together in an order", check=_grouping),
    )
    xdist: bool = field(default=True, metadata=spec((bool,), "one pytest -n 2 run"))
    state: bool = field(default=True, metadata=spec((bool,), "snapshot shared state"))
    timeout_multiplier: float = field(
        default=3.0,
        metadata=spec(NUMBER, "run time limit factor", check=_positive("timeout-multiplier")),
    )
    timeout_seconds: float = field(
        default=30.0,
        metadata=spec(NUMBER, "seconds added to a run's limit", check=_positive("timeout-seconds")),
    )
    baseline_timeout: float = field(
        default=1800.0,
        metadata=spec(NUMBER, "the baseline run's limit (s)", check=_positive("baseline-timeout")),
    )
    verify_runs: int = field(
        default=2,
        metadata=spec((int,), "runs each verification needs", check=_at_least("verify-runs", 1)),
    )
    diff_orders: int = field(
        default=6,
        metadata=spec(
            (int,), "--diff: orders of the changed files", check=_at_least("diff-orders", 0)
        ),
    )


def _per_file_ignores(value: Any) -> str | None:
    for glob, codes in value.items():
        if not isinstance(codes, list):
            return (
                f"per-file-ignores['{glob}'] must be a list of codes, "
                f'e.g. "{glob}" = ["TQ101"]; got {codes!r}.'
            )
    return None

@dataclass
class Config:
    """Validated `[tool.auditor]`; CLI flags are applied on top by `auditor.options.Options`.

    Every field's default is the value used when the key is absent. `score` and `gate` hold only
    the keys the project set (component -> weight, metric -> limit).
    """

    source: list[str] = field(
        default_factory=list,
        metadata=spec((list,), 'list of source package/module paths, e.g. ["src/pkg"]', items=str),
    )
    tests: list[str] = field(
        default_factory=list, metadata=spec((list,), "list of test directories", items=str)
    )
    exclude: list[str] = field(
        default_factory=list,
        metadata=spec((list,), "glob patterns of test files to skip", items=str),
    )
    select: list[str] = field(
        default_factory=list,
        metadata=spec(
            (list,), 'rule codes or prefixes to enable, e.g. ["TQ1", "TQ306"]', items=str
        ),
    )
    extend_select: list[str] = field(
        default_factory=list,
        metadata=spec(
            (list,), "rule codes or prefixes to enable on top of the defaults", items=str
        ),
    )
    ignore: list[str] = field(
        default_factory=list,
        metadata=spec((list,), "rule codes or prefixes to disable", items=str),
    )
    per_file_ignores: dict[str, list[str]] = field(
        default_factory=dict,
        metadata=spec((dict,), "mapping of glob -> list of codes", check=_per_file_ignores),
    )
    rules: dict[str, dict[str, Any]] = field(
        default_factory=dict,
        metadata=spec(
            (dict,), "per-rule settings: [tool.auditor.rules.TQ202] max-replacements = 3"
        ),
    )
    assertion_helpers: list[str] = field(
        default_factory=list,
        metadata=spec((list,), "regexes of helper names that count as assertions", items=str),
    )
    arid: list[str] = field(
        default_factory=lambda: list(DEFAULT_ARID),
        metadata=spec((list, bool), "regexes of source lines whose mutants are skipped, or false"),
    )
    jobs: int | None = field(
        default=None,
        metadata=spec((int,), "parallel workers (default: all cores)", check=at_least(1, "jobs")),
    )
    pytest_args: list[str] = field(
        default_factory=list, metadata=spec((list,), "extra arguments for every pytest run")
    )
    also_copy: list[str] = field(
        default_factory=list,
        metadata=spec((list,), "extra paths copied into the mutation workspace"),
    )
    mutation: MutationConfig = field(
        default_factory=MutationConfig, metadata=spec((dict,), "mutation settings table")
    )
    coverage: CoverageConfig = field(
        default_factory=CoverageConfig, metadata=spec((dict,), "coverage stage settings table")
    )
    exclude_likely_equivalent: bool = field(
        default=False, metadata=spec((bool,), "leave likely-equivalent mutants out of the score")
    )
    strategies: list[str] = field(
        default_factory=list,
        metadata=spec(
            (list,), "entry points 'module:function' that register Hypothesis strategies", items=str
        ),
    )
    witness: WitnessConfig = field(
        default_factory=WitnessConfig, metadata=spec((dict,), "witness search settings table")
    )
    score: dict[str, float] = field(
        default_factory=dict,
        metadata=spec(
            (dict,), "score weights table", keys=tuple(c.name for c in COMPONENTS), check=_weights
        ),
    )
    gate: dict[str, float] = field(
        default_factory=dict,
        metadata=spec(
            (dict,), "quality gate table: metric = minimum", keys=GATE_METRICS, check=_gates
        ),
    )
    thresholds: ThresholdsConfig = field(
        default_factory=ThresholdsConfig,
        metadata=spec((dict,), "colour bands: high/low (Stryker)", check=_thresholds),
    )
    pr: PrConfig = field(
        default_factory=PrConfig, metadata=spec((dict,), "pull-request mode settings table")
    )
    flaky: FlakyConfig = field(
        default_factory=FlakyConfig,
        metadata=spec((dict,), "flakiness stage settings table (docs/flaky.md)"),
    )
    baseline: str | None = field(
        default=None, metadata=spec((str,), "path of a baseline file to apply")
    )
    source_file: str | None = None  # the pyproject.toml read (not a key)


TABLE_CLASSES: dict[str, type] = {
    "mutation": MutationConfig,
    "coverage": CoverageConfig,
    "witness": WitnessConfig,
    "thresholds": ThresholdsConfig,
    "pr": PrConfig,
    "flaky": FlakyConfig,
}

# The accepted keys, for docs and tests: key -> (types, description), table -> key -> types.
TOP_LEVEL_KEYS: dict[str, tuple[tuple[type, ...], str]] = {
    key: (s.types, s.description) for key, (_, s) in toml_keys(Config).items()
}
SUBTABLE_KEYS: dict[str, dict[str, tuple[type, ...]]] = {
    **{
        name: {k: s.types for k, (_, s) in toml_keys(cls).items()}
        for name, cls in TABLE_CLASSES.items()
    },
    "score": {name: NUMBER for name in (c.name for c in COMPONENTS)},
    "gate": {name: NUMBER for name in GATE_METRICS},
}


def _suggest(key: str, valid: list[str]) -> str:
    close = difflib.get_close_matches(key, valid, n=1)
    return f" Did you mean '{close[0]}'?" if close else ""


def _type_names(types: tuple[type, ...]) -> str:
    return " or ".join(t.__name__ for t in types)


def _has_type(value: Any, types: tuple[type, ...]) -> bool:
    # bool is an int subclass; do not accept `jobs = true`
    return isinstance(value, types) and not (isinstance(value, bool) and bool not in types)


def parse_config(table: dict[str, Any], where: str = "[tool.auditor]") -> Config:
    """Validate a `[tool.auditor]` table and return a Config; raise ConfigError on the first problem.

    Every message names the key, what it must be and what was given.
    """
    config = Config()
    keys = toml_keys(Config)
    valid = sorted(keys)
    for key, value in table.items():
        if key not in keys:
            raise ConfigError(
                f"Unknown key '{key}' in {where}.{_suggest(key, valid)} Valid keys are: "
                f"{', '.join(valid)}. Remove or rename it (see docs/configuration.md)."
            )
        name, declared = keys[key]
        if not _has_type(value, declared.types):
            raise ConfigError(
                f"{where} key '{key}' must be {_type_names(declared.types)} "
                f"({declared.description}); got {type(value).__name__} {value!r}."
            )
        if declared.items is not None:
            bad = [v for v in value if not isinstance(v, declared.items)]
            if bad:
                raise ConfigError(f"{where} key '{key}' must be a list of strings; got {bad[0]!r}.")
        problem = declared.check(value) if declared.check else None
        if problem:
            raise ConfigError(f"{where} {problem}")
        setattr(config, name, _table_value(key, value, declared, where))
    return config


def _table_value(key: str, value: Any, declared: Spec, where: str) -> Any:
    """The attribute value for one validated top-level key (sub-tables become their class)."""
    if key in TABLE_CLASSES:
        return _parse_table(key, TABLE_CLASSES[key], value, where)
    if declared.keys is not None:
        _check_names(key, value, declared.keys, where)
        return {name: float(limit) for name, limit in value.items()}
    if key == "arid" and isinstance(value, bool):
        return list(DEFAULT_ARID) if value else []
    return value


def _unknown_sub(sub: str, name: str, allowed: list[str], where: str) -> ConfigError:
    return ConfigError(
        f"Unknown key '{sub}' in {where[:-1]}.{name}].{_suggest(sub, allowed)} "
        f"Valid keys are: {', '.join(allowed)}."
    )


def _check_names(name: str, value: dict[str, Any], allowed: tuple[str, ...], where: str) -> None:
    for sub, subvalue in value.items():
        if sub not in allowed:
            raise _unknown_sub(sub, name, sorted(allowed), where)
        if not _has_type(subvalue, NUMBER):
            raise ConfigError(
                f"{where[:-1]}.{name}] key '{sub}' must be {_type_names(NUMBER)}; got {subvalue!r}."
            )


def _parse_table(name: str, cls: type, value: dict[str, Any], where: str) -> Any:
    keys = toml_keys(cls)
    parsed = cls()
    for sub, subvalue in value.items():
        if sub not in keys:
            raise _unknown_sub(sub, name, sorted(keys), where)
        attribute, declared = keys[sub]
        if not _has_type(subvalue, declared.types):
            raise ConfigError(
                f"{where[:-1]}.{name}] key '{sub}' must be {_type_names(declared.types)}; "
                f"got {subvalue!r}."
            )
        problem = declared.check(subvalue) if declared.check else None
        if problem:
            raise ConfigError(f"{where[:-1]}.{name}] {problem}")
        setattr(parsed, attribute, subvalue)
    return parsed


def read_toml(path: Path) -> dict[str, Any]:
    """The parsed TOML file; ConfigError naming the file and the syntax problem."""
    try:
        with path.open("rb") as fh:
            data: dict[str, Any] = tomllib.load(fh)
            return data
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"{path} is not valid TOML: {exc}. Fix the syntax and run again."
        ) from exc


def load_config(root: Path) -> Config:
    """Read `[tool.auditor]` from `root/pyproject.toml` (absent file or table -> defaults)."""
    pyproject = root / "pyproject.toml"
    if not pyproject.is_file():
        return Config()
    data = read_toml(pyproject)
    table = data.get("tool", {}).get("auditor")
    if table is None:
        return Config()
    if not isinstance(table, dict):
        raise ConfigError(f"{pyproject}: [tool.auditor] must be a table.")
    config = parse_config(table)
    config.source_file = str(pyproject)
    return config
