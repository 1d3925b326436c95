"""`ProjectContext`: the joined facts of every scanned file, for project-level rules.

It answers the cross-file questions: which fixture definition does a name resolve to from a given
place (class -> module -> conftest chain upwards -> plugins -> built-in table, docs/static.md), which
classes are inherited by collected ones, which helper functions in other modules assert, and what a
patch target resolves to in the code under test.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from auditor.static.facts import SCOPE_RANK, FileFacts, FixtureFact, RawFinding, TestFact
from auditor.static.rules.base import Rule
from auditor.static.source_index import SourceIndex

# Built-in and common plugin fixtures and their scopes ("any" = request).
BUILTIN_FIXTURES: dict[str, str] = {
    **dict.fromkeys(
        [
            "monkeypatch",
            "tmp_path",
            "tmpdir",
            "capsys",
            "capfd",
            "capsysbinary",
            "capfdbinary",
            "capteesys",
            "caplog",
            "recwarn",
            "record_property",
            "record_xml_attribute",
            "subtests",
            "mocker",
            "db",
            "transactional_db",
            "client",
            "admin_client",
            "settings",
            "event_loop",
            "faker",
            "rf",
            "admin_user",
            "django_user_model",
            "live_server",
            "httpx_mock",
            "requests_mock",
            "benchmark",
        ],
        "function",
    ),
    "class_mocker": "class",
    "module_mocker": "module",
    "package_mocker": "package",
    **dict.fromkeys(
        [
            "pytestconfig",
            "tmp_path_factory",
            "tmpdir_factory",
            "doctest_namespace",
            "record_testsuite_property",
            "session_mocker",
            "django_db_setup",
            "django_db_blocker",
            "worker_id",
            "testrun_uid",
            "cache",
        ],
        "session",
    ),
    "request": "any",
}


@dataclass
class ResolvedFixture:
    name: str
    scope: str
    fact: FixtureFact | None  # None for built-in / plugin fixtures


class ProjectContext:
    def __init__(
        self,
        files: dict[str, FileFacts],
        source_index: SourceIndex,
        enabled: frozenset[str],
        rule_settings: dict[str, dict[str, object]],
    ) -> None:
        self.files = files
        self.source = source_index
        self.enabled = enabled
        self.rule_settings = rule_settings
        self.findings: dict[str, list[RawFinding]] = {}
        self._by_file: dict[str, dict[str | None, dict[str, FixtureFact]]] = {}
        for path, facts in files.items():
            table: dict[str | None, dict[str, FixtureFact]] = {}
            for fixture in facts.fixtures:
                table.setdefault(fixture.cls, {})[fixture.name] = fixture
            self._by_file[path] = table
        self._helpers = {
            f"{h.module}.{h.name}": h for facts in files.values() for h in facts.helpers
        }
        self._plugin_modules = {
            plugin
            for facts in files.values()
            if facts.is_conftest
            for plugin in facts.pytest_plugins
        }

    # -- iteration ----------------------------------------------------------------------------
    def tests(self) -> list[TestFact]:
        return [t for facts in self.files.values() for t in facts.tests]

    def fixtures(self) -> list[FixtureFact]:
        return [f for facts in self.files.values() for f in facts.fixtures]

    def setting(self, rule: Rule | type[Rule], key: str) -> object:
        return self.rule_settings.get(rule.code, {}).get(key, rule.options.get(key))

    # -- fixture graph ------------------------------------------------------------------------
    def conftest_chain(self, path: str) -> list[str]:
        """conftest.py files visible from `path`, nearest first."""
        chain: list[str] = []
        directory = posixpath.dirname(path)
        while True:
            candidate = posixpath.join(directory, "conftest.py") if directory else "conftest.py"
            if candidate in self.files and candidate != path:
                chain.append(candidate)
            if not directory:
                break
            directory = posixpath.dirname(directory)
        return chain

    def resolve_fixture(
        self, name: str, path: str, cls: str | None = None, skip: FixtureFact | None = None
    ) -> ResolvedFixture | None:
        """The definition pytest would use for `name` requested from `path` (and class `cls`).

        `skip` excludes one definition (a fixture requesting its own name gets the outer one).
        """
        candidates: list[dict[str, FixtureFact]] = []
        table = self._by_file.get(path, {})
        if cls is not None:
            candidates.extend(self._class_tables(path, cls))
        candidates.append(table.get(None, {}))
        for conftest in self.conftest_chain(path):
            candidates.append(self._by_file.get(conftest, {}).get(None, {}))
        for plugin in sorted(self._plugin_modules):
            plugin_path = plugin.replace(".", "/") + ".py"
            if plugin_path in self._by_file:
                candidates.append(self._by_file[plugin_path].get(None, {}))
        for level in candidates:
            fact = level.get(name)
            if fact is not None and fact is not skip:
                return ResolvedFixture(name=name, scope=fact.scope, fact=fact)
        if name in BUILTIN_FIXTURES:
            return ResolvedFixture(name=name, scope=BUILTIN_FIXTURES[name], fact=None)
        return None

    def _class_tables(self, path: str, cls: str) -> list[dict[str, FixtureFact]]:
        """Fixture tables of `cls` and its base classes, nearest first: pytest collects a class's
        fixtures with `dir()`, so fixtures defined on a base (mixin) class are visible too."""
        tables: list[dict[str, FixtureFact]] = []
        queue = [(path, cls)]
        seen: set[tuple[str, str]] = set()
        while queue and len(seen) < 32:
            where, name = queue.pop(0)
            if (where, name) in seen:
                continue
            seen.add((where, name))
            table = self._by_file.get(where, {}).get(name)
            if table:
                tables.append(table)
            for fact in self.files[where].classes if where in self.files else []:
                if fact.name != name:
                    continue
                for base in fact.bases:
                    homes = (
                        [where]
                        if self._defines(where, base)
                        else sorted(p for p in self.files if self._defines(p, base))
                    )
                    queue.extend((home, base) for home in homes[:1])
        return tables

    def _defines(self, path: str, cls: str) -> bool:
        return any(c.name == cls for c in self.files[path].classes)

    @staticmethod
    def narrower(requested_scope: str, requester_scope: str) -> bool:
        if requested_scope in ("any", "dynamic") or requester_scope == "dynamic":
            return False
        return SCOPE_RANK.get(requested_scope, 0) < SCOPE_RANK.get(requester_scope, 0)

    # -- classes ------------------------------------------------------------------------------
    def collected_subclasses(self, class_name: str) -> list[str]:
        """Collected classes (anywhere in the project) that inherit from `class_name`, transitively."""
        children: dict[str, list[tuple[str, bool]]] = {}
        for facts in self.files.values():
            for cls in facts.classes:
                for base in cls.bases:
                    children.setdefault(base, []).append((cls.name, cls.collected))
        found: list[str] = []
        stack = [class_name]
        seen: set[str] = set()
        while stack:
            current = stack.pop()
            for child, collected in children.get(current, []):
                if child in seen:
                    continue
                seen.add(child)
                if collected:
                    found.append(child)
                stack.append(child)
        return found

    # -- helpers ------------------------------------------------------------------------------
    def helper_asserts(self, qualified: str, depth: int = 2) -> bool:
        """Does a called helper defined in another scanned module verify something (depth <= 2)?"""
        if depth <= 0:
            return False
        helper = self._helpers.get(qualified)
        if helper is None:
            for key, candidate in self._helpers.items():
                if (
                    key.endswith("." + qualified)
                    or qualified.endswith("." + key)
                    or ("." in qualified and key.split(".")[-2:] == qualified.split(".")[-2:])
                ):
                    helper = candidate
                    break
        if helper is None:
            return False
        if helper.has_oracle:
            return True
        return any(self.helper_asserts(c, depth - 1) for c in helper.calls if c != qualified)

    def test_has_oracle(self, test: TestFact) -> bool:
        if test.has_local_oracle:
            return True
        if any(self.helper_asserts(call) for call in test.helper_calls):
            return True
        for param in test.called_params:
            resolved = self.resolve_fixture(param, test.path, test.cls)
            if resolved is not None and resolved.fact is not None and resolved.fact.contains_oracle:
                return True
        return False

    # -- reporting ----------------------------------------------------------------------------
    def report(
        self,
        rule: Rule | type[Rule],
        path: str,
        line: int,
        message: str,
        *,
        test: TestFact | None = None,
        severity: str | None = None,
        column: int = 1,
        end_line: int | None = None,
        anchor: str = "",
        context_hash: str = "",
        def_line: int | None = None,
    ) -> None:
        if rule.code not in self.enabled:
            return
        self.findings.setdefault(path, []).append(
            RawFinding(
                rule=rule.code,
                line=line,
                column=column,
                end_line=end_line or line,
                end_column=column,
                message=message,
                severity=severity or rule.severity,
                test=test.nodeid if test else None,
                def_line=def_line if def_line is not None else (test.line if test else None),
                anchor=anchor,
                context_hash=context_hash or (test.source_hash if test else ""),
            )
        )
