"""`[tool.auditor]` in pyproject.toml, validated with errors that name the key and the fix.

The schema below is the single list of accepted keys. Unknown keys are an error (exit 2) that lists
the valid ones, because a silently ignored typo (`ignroe = [...]`) is worse than a loud one.
"""

from __future__ import annotations

import difflib
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditor.errors import ConfigError
from auditor.metric_registry import COMPONENTS, GATE_METRICS

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

# toml key -> (expected python type(s), human description)
TOP_LEVEL_KEYS: dict[str, tuple[tuple[type, ...], str]] = {
    "source": ((list,), 'list of source package/module paths, e.g. ["src/pkg"]'),
    "tests": ((list,), "list of test directories"),
    "exclude": ((list,), "glob patterns of test files to skip"),
    "select": ((list,), 'rule codes or prefixes to enable, e.g. ["TQ1", "TQ306"]'),
    "extend-select": ((list,), "rule codes or prefixes to enable on top of the defaults"),
    "ignore": ((list,), "rule codes or prefixes to disable"),
    "per-file-ignores": ((dict,), "mapping of glob -> list of codes"),
    "rules": ((dict,), "per-rule settings: [tool.auditor.rules.TQ202] max-replacements = 3"),
    "assertion-helpers": ((list,), "regexes of helper names that count as assertions"),
    "arid": ((list, bool), "regexes of source lines whose mutants are skipped, or false"),
    "jobs": ((int,), "parallel workers (default: all cores)"),
    "pytest-args": ((list,), "extra arguments for every pytest run"),
    "also-copy": ((list,), "extra paths copied into the mutation workspace"),
    "mutation": ((dict,), "mutation settings table"),
    "exclude-likely-equivalent": ((bool,), "leave likely-equivalent mutants out of the score"),
    "strategies": ((list,), "entry points 'module:function' that register Hypothesis strategies"),
    "witness": ((dict,), "witness search settings table"),
    "score": ((dict,), "score weights table"),
    "gate": ((dict,), "quality gate table: metric = minimum"),
    "thresholds": ((dict,), "colour bands: high/low (Stryker)"),
    "pr": ((dict,), "pull-request mode settings table"),
    "baseline": ((str,), "path of a baseline file to apply"),
}

# Sub-tables with a closed set of keys; owners document them in docs/configuration.md.
SUBTABLE_KEYS: dict[str, dict[str, tuple[type, ...]]] = {
    "mutation": {
        "timeout-multiplier": (int, float),
        "timeout-constant": (int, float),
        "process-isolation": (str,),
        "pseudo-tested": (bool,),
        "max-mutants": (int,),
        "only-mutate": (list,),
    },
    "witness": {"max-examples": (int,), "seconds": (int, float), "enabled": (bool,)},
    "score": {c.name: (int, float) for c in COMPONENTS},
    "gate": {key: (int, float) for key in GATE_METRICS},
    "thresholds": {"high": (int, float), "low": (int, float), "break": (int, float)},
    "pr": {"max-survivors": (int,), "max-per-line": (int,)},
}


@dataclass
class Config:
    """Validated configuration; CLI flags are applied on top by `auditor.options.Options`."""

    source: list[str] = field(default_factory=list)
    tests: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    select: list[str] = field(default_factory=list)
    extend_select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)
    rules: dict[str, dict[str, Any]] = field(default_factory=dict)
    assertion_helpers: list[str] = field(default_factory=list)
    arid: list[str] = field(default_factory=lambda: list(DEFAULT_ARID))
    jobs: int | None = None
    pytest_args: list[str] = field(default_factory=list)
    also_copy: list[str] = field(default_factory=list)
    mutation: dict[str, Any] = field(default_factory=dict)
    exclude_likely_equivalent: bool = False
    strategies: list[str] = field(default_factory=list)
    witness: dict[str, Any] = field(default_factory=dict)
    score: dict[str, Any] = field(default_factory=dict)
    gate: dict[str, Any] = field(default_factory=dict)
    thresholds: dict[str, Any] = field(default_factory=dict)
    pr: dict[str, Any] = field(default_factory=dict)
    baseline: str | None = None
    source_file: str | None = None


def _suggest(key: str, valid: list[str]) -> str:
    close = difflib.get_close_matches(key, valid, n=1)
    return f" Did you mean '{close[0]}'?" if close else ""


def _type_names(types: tuple[type, ...]) -> str:
    return " or ".join(t.__name__ for t in types)


def parse_config(table: dict[str, Any], where: str = "[tool.auditor]") -> Config:
    """Validate a `[tool.auditor]` table and return a Config; raise ConfigError on the first problem."""
    config = Config()
    valid = sorted(TOP_LEVEL_KEYS)
    value: Any
    for key, value in table.items():
        if key not in TOP_LEVEL_KEYS:
            raise ConfigError(
                f"Unknown key '{key}' in {where}.{_suggest(key, valid)} Valid keys are: "
                f"{', '.join(valid)}. Remove or rename it (see docs/configuration.md)."
            )
        types, description = TOP_LEVEL_KEYS[key]
        # bool is an int subclass; do not accept `jobs = true`
        if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
            raise ConfigError(
                f"{where} key '{key}' must be {_type_names(types)} ({description}); "
                f"got {type(value).__name__} {value!r}."
            )
        checked: Any = value  # its type was validated just above
        if key in SUBTABLE_KEYS:
            _check_subtable(key, checked, where)
        if key in (
            "select",
            "extend-select",
            "ignore",
            "tests",
            "source",
            "exclude",
            "strategies",
            "assertion-helpers",
        ):
            bad = [v for v in checked if not isinstance(v, str)]
            if bad:
                raise ConfigError(f"{where} key '{key}' must be a list of strings; got {bad[0]!r}.")
        if key == "per-file-ignores":
            for glob, codes in checked.items():
                if not isinstance(codes, list):
                    raise ConfigError(
                        f"{where} per-file-ignores['{glob}'] must be a list of codes, "
                        f'e.g. "{glob}" = ["TQ101"]; got {codes!r}.'
                    )
        if key == "arid" and value is True:
            value = list(DEFAULT_ARID)
        if key == "arid" and value is False:
            value = []
        setattr(config, key.replace("-", "_"), value)
    return config


def _check_subtable(name: str, value: dict[str, Any], where: str) -> None:
    allowed = SUBTABLE_KEYS[name]
    for sub, subvalue in value.items():
        if sub not in allowed:
            raise ConfigError(
                f"Unknown key '{sub}' in {where[:-1]}.{name}].{_suggest(sub, sorted(allowed))} "
                f"Valid keys are: {', '.join(sorted(allowed))}."
            )
        types = allowed[sub]
        if not isinstance(subvalue, types) or (isinstance(subvalue, bool) and bool not in types):
            raise ConfigError(
                f"{where[:-1]}.{name}] key '{sub}' must be {_type_names(types)}; got {subvalue!r}."
            )


def read_toml(path: Path) -> dict[str, Any]:
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
