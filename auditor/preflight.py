"""Checks that run before any stage: a bad setting fails in a second, not after a long run.

`check(project, options, stages)` validates what the stages would otherwise trip over late or,
worse, silently: rule selectors that match no rule (`select = ["TQ999"]` would switch every rule
off and the score would rise to 100), regular expressions (`assertion-helpers`, `arid`), quality
gates (finite, in range), worker counts, the mutation executor (`--executor dask`: Dask installed,
its scheduler reachable), and whether the state directory can be written (with
`--only static` an unwritable directory only turns the cache off). Each problem raises
`ConfigError`/`UsageError` (exit 2) with one paragraph naming the setting, the value and the fix.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from auditor import state
from auditor.errors import ConfigError, UsageError
from auditor.options import Options
from auditor.project import Project


def check(project: Project, options: Options, stages: list[str]) -> None:
    """Raise on the first invalid setting; may turn `options.use_cache` off (static-only scans
    of a read-only checkout). `stages` are the stages that will run."""
    config = project.config
    if options.jobs is not None and options.jobs < 1:
        raise UsageError(f"--jobs must be 1 or more; got {options.jobs}.")
    if "static" in stages:
        check_rule_selectors(project, options)
    for key, patterns in (("assertion-helpers", config.assertion_helpers), ("arid", config.arid)):
        check_regexes(key, patterns)
    from auditor import gates

    gates.requested_gates(options, config)  # validates every gate's metric and limit
    _check_state_dir(project, options, stages)
    if "mutation" in stages:  # last: it may wait for a Dask scheduler (up to its connect timeout)
        from auditor.mutation import executor

        executor.check(project, options)  # a missing Dask or unreachable scheduler: exit 2


def known_rule_codes(project: Project | None = None) -> list[str]:
    """Every rule code, sorted (from the static engine's cached rule metadata when available)."""
    from auditor.static.engine import rules_meta

    cache = project.state_dir / "static" if project is not None else None
    try:
        meta = rules_meta(cache if cache is not None and cache.is_dir() else None)
    except OSError:
        meta = rules_meta(None)
    return sorted(meta)


def check_rule_selectors(project: Project, options: Options | None = None) -> None:
    """Every code or prefix in select/extend-select/ignore/per-file-ignores matches some rule."""
    config = project.config
    codes = known_rule_codes(project)
    sources: list[tuple[str, list[str]]] = [
        ("select", config.select),
        ("extend-select", config.extend_select),
        ("ignore", config.ignore),
    ]
    sources += [
        (f'per-file-ignores["{glob}"]', [str(c) for c in listed])
        for glob, listed in config.per_file_ignores.items()
    ]
    for where, selectors in sources:
        for selector in selectors:
            upper = str(selector).strip().upper()
            if upper == "ALL" or any(code.startswith(upper) for code in codes):
                continue
            families = sorted({code[:3] for code in codes})
            raise ConfigError(
                f"{where} names '{selector}', which matches no rule, so it would silently change "
                f"nothing (or, in `select`, switch every rule off). Rule codes run from "
                f"{codes[0]} to {codes[-1]}; prefixes are {', '.join(families)} and ALL. "
                f"`auditor rules` lists them all. Fix the code in [tool.auditor] or on the "
                f"command line (--select/--extend-select/--ignore)."
            )


def check_regexes(key: str, patterns: Any) -> None:
    """Each pattern of `key` compiles; the error names the pattern and Python's message."""
    if not isinstance(patterns, list):
        return
    for pattern in patterns:
        if not isinstance(pattern, str):
            raise ConfigError(f"[tool.auditor] {key} must be a list of regex strings; got {pattern!r}.")
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ConfigError(
                f"[tool.auditor] {key} has an invalid regular expression {pattern!r}: {exc}. "
                f"Fix it (Python `re` syntax; escape literal brackets and dots with a backslash)."
            ) from None


def _check_state_dir(project: Project, options: Options, stages: list[str]) -> None:
    directory: Path = project.state_dir
    reason = state.unwritable_reason(directory)
    if reason is None:
        return
    if set(stages) <= {"static"}:
        if options.use_cache:
            state.warn(
                f"cannot write {directory} ({reason}); running without the cache. Pass "
                f"`--cache-dir DIR` or set {state.ENV_VAR} to keep one."
            )
        options.use_cache = False
        return
    state.require_writable(directory)
