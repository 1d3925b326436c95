"""Picklable per-file facts: what cross-file rules need, without the syntax tree.

Workers parse a file once, run the file-local rules, and return `FileFacts`; the main process joins
the facts of every file into a `ProjectFacts` (fixture graph, base classes, assertion helpers, patch
targets) and runs the project-level rules on it. Facts are cached by file content hash.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from auditor.project import PytestSettings

SCOPE_RANK = {"function": 0, "class": 1, "module": 2, "package": 3, "session": 4}


@dataclass
class RawFinding:
    """A finding before suppression/baseline: `def_line` lets `# auditor: ignore` sit on the def."""

    rule: str
    line: int
    column: int
    end_line: int
    end_column: int
    message: str
    severity: str
    test: str | None = None
    def_line: int | None = None
    anchor: str = ""
    context_hash: str = ""


@dataclass
class FixtureFact:
    name: str
    path: str
    line: int
    scope: str
    autouse: bool
    cls: str | None
    params: list[str]
    getfixturevalue: list[str] = field(default_factory=list)
    returns_mutable: str | None = None
    contains_oracle: bool = False
    source_hash: str = ""
    patch_targets: list[str] = field(default_factory=list)


@dataclass
class PatchFact:
    """An object replacement in a test: `patch("pkg.mod.X")`, `patch.object(Cls, "m")`..."""

    target: str
    line: int
    column: int
    kind: str  # "string" | "object"
    attribute: str = ""
    called_after: bool = False  # the test calls the replaced symbol itself (TQ206)
    asserts_return_value: bool = False
    api: str = ""  # "patch", "patch.object", "patch.multiple", "patch.dict", "spy", "setattr", ...
    origin: str = "call"  # "decorator" | "class-decorator" | "call"
    wraps: bool = False  # spy / wraps=: the real code still runs
    side_effect: bool = False
    new_literal: bool = False  # new= a constant (a setting, not a double)
    specced: bool = False  # autospec / spec / spec_set / new / new_callable
    instantiated: bool = False  # patch.object(C, ...) and the test itself constructs C
    anchor: str = ""  # normalised code of the replacement, for fingerprints
    branch: str = ""  # "<if line>.<branch index>/..." when inside exclusive if/elif/else branches


@dataclass
class TestFact:
    __test__ = False

    nodeid: str
    name: str
    path: str
    line: int
    end_line: int
    cls: str | None
    params: list[str]
    usefixtures: list[str]
    is_given: bool
    is_async: bool
    in_base_class: bool
    marks: list[str]
    exempt: str | None  # why oracle rules do not apply (skip/xfail/benchmark/no-raise intent)
    has_local_oracle: bool
    helper_calls: list[str]
    called_params: list[str]
    patches: list[PatchFact] = field(default_factory=list)
    statement_count: int = 0
    source_hash: str = ""
    getfixturevalue: list[str] = field(default_factory=list)


@dataclass
class ClassFact:
    name: str
    path: str
    line: int
    bases: list[str]
    collected: bool
    has_test_methods: bool
    has_init: bool
    is_testcase: bool


@dataclass
class HelperFact:
    module: str
    name: str
    has_oracle: bool
    calls: list[str]


@dataclass
class FileFacts:
    path: str
    module: str
    is_conftest: bool
    is_test_module: bool
    tests: list[TestFact] = field(default_factory=list)
    fixtures: list[FixtureFact] = field(default_factory=list)
    classes: list[ClassFact] = field(default_factory=list)
    helpers: list[HelperFact] = field(default_factory=list)
    imported_modules: list[str] = field(default_factory=list)
    fixture_requests: list[str] = field(default_factory=list)
    pytest_plugins: list[str] = field(default_factory=list)
    suppressions: dict[int, list[str]] = field(default_factory=dict)
    suppression_reasons: dict[int, str] = field(default_factory=dict)
    file_suppressions: list[str] = field(default_factory=list)
    findings: list[RawFinding] = field(default_factory=list)
    error: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class EngineOptions:
    """What a worker needs besides the file itself (picklable, hashed into the cache key)."""

    settings: PytestSettings
    enabled: frozenset[str]
    rule_settings: dict[str, dict[str, Any]] = field(default_factory=dict)
    helper_patterns: tuple[str, ...] = ()

    def cache_token(self) -> str:
        text = repr(
            (
                sorted(self.enabled),
                sorted((k, sorted(v.items())) for k, v in self.rule_settings.items()),
                self.helper_patterns,
                self.settings,
            )
        )
        return hashlib.sha256(text.encode()).hexdigest()[:16]
