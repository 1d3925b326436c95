"""All rules, by code. Rule families live in `auditor/static/rules/<family>.py`."""

from __future__ import annotations

import importlib
from functools import lru_cache

from auditor.static.rules.base import Rule, validate_rule_class

FAMILY_MODULES = (
    "auditor.static.rules.assertions",  # TQ1xx oracle strength
    "auditor.static.rules.assertions_tautology",  # TQ1xx always-true asserts
    "auditor.static.rules.assertions_expect",  # TQ1xx raises blocks
    "auditor.static.rules.assertions_swallow",  # TQ1xx try/except that hides failures
    "auditor.static.rules.assertions_mocks",  # TQ1xx mock-API checks
    "auditor.static.rules.assertions_capture",  # TQ1xx unchecked captures
    "auditor.static.rules.assertions_optin",  # TQ1xx opt-in style rules
    "auditor.static.rules.mocking",  # TQ2xx over-mocking
    "auditor.static.rules.mocking_optin",  # TQ2xx opt-in mock hygiene
    "auditor.static.rules.fixtures",  # TQ3xx pytest fixtures: scope, shared state
    "auditor.static.rules.fixtures_state",  # TQ3xx leaks, env writes, ignored marks
    "auditor.static.rules.fixtures_optin",  # TQ3xx opt-in fixture hygiene
    "auditor.static.rules.structure",  # TQ4xx collection: never-run tests
    "auditor.static.rules.structure_marks",  # TQ4xx skip reasons, async runners
    "auditor.static.rules.structure_flaky",  # TQ4xx sleeps, conditional checks
    "auditor.static.rules.structure_optin",  # TQ4xx opt-in style rules
    "auditor.static.rules.properties",  # TQ5xx Hypothesis settings and profiles
    "auditor.static.rules.properties_given",  # TQ5xx @given shapes: rejection, strategies, fixtures
    "auditor.static.rules.properties_optin",  # TQ5xx opt-in: nested/non-test @given
)


@lru_cache(maxsize=1)
def all_rules() -> tuple[type[Rule], ...]:
    """Every rule class, sorted by code. Missing family modules are skipped (partial installs)."""
    found: dict[str, type[Rule]] = {}
    for module_name in FAMILY_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                continue
            raise
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, Rule)
                and value is not Rule
                and value.code
                and value.__module__ == module_name
            ):
                validate_rule_class(value)
                if value.code in found and found[value.code] is not value:
                    raise ValueError(f"duplicate rule code {value.code}")
                found[value.code] = value
    return tuple(found[c] for c in sorted(found))


def rule_by_code(code: str) -> type[Rule] | None:
    for rule in all_rules():
        if rule.code == code.upper():
            return rule
    return None


def _matches(code: str, selectors: list[str]) -> bool:
    return any(code.startswith(s.upper()) or s.upper() == "ALL" for s in selectors)


def select_codes(
    rules: list[tuple[str, bool]],
    select: list[str],
    ignore: list[str],
    extend_select: list[str] | None = None,
) -> set[str]:
    """`select` replaces the default set (codes or prefixes, like ruff); `extend_select` adds;
    `ignore` removes. `rules` is (code, default_enabled) pairs."""
    codes: set[str] = set()
    for code, default_enabled in rules:
        on = _matches(code, select) if select else default_enabled
        if extend_select and _matches(code, extend_select):
            on = True
        if ignore and _matches(code, ignore):
            on = False
        if on:
            codes.add(code)
    return codes
