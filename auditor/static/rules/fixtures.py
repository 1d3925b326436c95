"""Family 3xx — pytest fixtures: scope mismatches, shared mutable state, leaks, no-op marks.

The fixture graph is resolved the way pytest does it (`ProjectContext.resolve_fixture`: class ->
module -> conftest chain -> plugins -> built-in table), so a request is checked against the
definition pytest would really use from the requesting place.
"""

from __future__ import annotations

import posixpath

from auditor.static.context import FileContext
from auditor.static.facts import FileFacts, FixtureFact
from auditor.static.project_context import ProjectContext
from auditor.static.rules import _fixture_scan as scan
from auditor.static.rules.base import Example, Rule

WIDE = ("class", "module", "package", "session")


def _requests(fixture: FixtureFact) -> list[str]:
    return [p for p in [*fixture.params, *fixture.getfixturevalue] if p != "request"]


def where_of(fact: FixtureFact) -> str:
    return f"{fact.path}:{fact.line}"


class ScopeMismatch(Rule):
    """What it does:
    For every fixture with a static scope, resolves each requested fixture (parameters and
    `request.getfixturevalue("name")` literals) from the fixture's own place — class, module,
    conftest chain, plugins, built-ins — and reports a request for a narrower scope. Also reports a
    module/class that overrides a fixture name with a narrower scope while a wider fixture from a
    conftest (autouse, or requested there) depends on that name (pytest #7320).

    Why it matters:
    pytest raises `ScopeMismatch` at setup: every test using the fixture errors.

    Example:
    @pytest.fixture(scope="session")
    def server(tmp_path): ...

    Use instead:
    @pytest.fixture(scope="session")
    def server(tmp_path_factory):
        root = tmp_path_factory.mktemp("server")
    """

    code = "TQ301"
    name = "fixture-scope-mismatch"
    summary = "Wider-scoped fixture requests a narrower-scoped one"
    severity = "error"
    tier = "P"
    VALID = [
        Example(
            "import pytest\n\n@pytest.fixture(scope='session')\ndef root(tmp_path_factory, "
            "request):\n"
            "    return tmp_path_factory.mktemp('r')\n\ndef test_root(root):\n    assert "
            "root.exists()\n",
            note="session-scoped built-ins and `request` are valid at any scope",
        ),
        Example(
            "import pytest\n\ndef pick(name):\n    return 'session'\n\n"
            "@pytest.fixture(scope=pick)\ndef dyn(tmp_path):\n    return tmp_path\n",
            note="dynamic scope (callable) is skipped",
        ),
        Example(
            "import pytest\n\n@pytest.fixture(scope='module')\ndef data(data):\n    return data + "
            "[1]\n",
            files={
                "tests/conftest.py": "import pytest\n\n@pytest.fixture(scope='session')\n"
                "def data():\n    return [0]\n"
            },
            note="a fixture requesting its own name gets the outer (wider) definition",
        ),
        Example(
            "import pytest\n\n@pytest.fixture\ndef db(settings):\n    return settings\n",
            files={
                "tests/conftest.py": "import pytest\n\n@pytest.fixture(scope='session')\n"
                "def settings():\n    return {}\n"
            },
            note="narrower requesting wider is fine",
        ),
    ]
    INVALID = [
        Example(
            "import pytest\n\n@pytest.fixture(scope='module')\ndef server(tmp_path):\n"
            "    return tmp_path\n",
            lines=[4],
        ),
        Example(
            "import pytest\n\n@pytest.fixture(scope='session')\ndef engine(request):\n"
            "    return request.getfixturevalue('conn')\n",
            files={
                "tests/conftest.py": "import pytest\n\n@pytest.fixture\ndef conn():\n    return 1\n"
            },
            lines=[4],
        ),
        Example(
            "import pytest\n\n@pytest.fixture\ndef config():\n    return {}\n\n"
            "def test_x(config):\n    assert config == {}\n",
            files={
                "tests/conftest.py": "import pytest\n\n@pytest.fixture(scope='session')\n"
                "def config():\n    return {'a': 1}\n\n"
                "@pytest.fixture(scope='session', autouse=True)\ndef setup_env(config):\n"
                "    return config\n"
            },
            lines=[4],
            note="module override narrower than what a session autouse fixture needs (pytest "
            "#7320)",
        ),
    ]

    def check_project(self, project: ProjectContext) -> None:
        defer_monkeypatch = "TQ309" in project.enabled
        by_name: dict[str, list[FixtureFact]] = {}
        for fact in project.fixtures():
            by_name.setdefault(fact.name, []).append(fact)
        for fixture in project.fixtures():
            if fixture.scope in ("function", "dynamic"):
                continue
            for name in _requests(fixture):
                if name == "monkeypatch" and defer_monkeypatch:
                    continue  # TQ309(a) reports it with the specific fix
                skip = fixture if name == fixture.name else None
                resolved = project.resolve_fixture(name, fixture.path, fixture.cls, skip=skip)
                if resolved is None or not project.narrower(resolved.scope, fixture.scope):
                    continue
                where = f" ({where_of(resolved.fact)})" if resolved.fact else ""
                project.report(
                    self,
                    fixture.path,
                    fixture.line,
                    f"{fixture.scope}-scoped fixture `{fixture.name}` requests "
                    f"{resolved.scope}-scoped "
                    f"`{name}`{where}: pytest fails with ScopeMismatch. Widen `{name}`'s scope or "
                    f"narrow `{fixture.name}`'s.",
                    anchor=f"{fixture.name}->{name}",
                    context_hash=fixture.source_hash,
                    def_line=fixture.line,
                )
            self._overrides(project, fixture, by_name)

    def _overrides(
        self, project: ProjectContext, wide: FixtureFact, by_name: dict[str, list[FixtureFact]]
    ) -> None:
        """pytest #7320: a narrower override, below `wide`, of a name `wide` depends on."""
        area = posixpath.dirname(wide.path) if project.files[wide.path].is_conftest else None
        for name in _requests(wide):
            own = project.resolve_fixture(
                name, wide.path, wide.cls, skip=wide if name == wide.name else None
            )
            for fact in by_name.get(name, []):
                path = fact.path
                facts = project.files[path]
                if path == wide.path and wide.cls is not None:
                    continue
                if path != wide.path and (
                    area is None or not (area == "" or path.startswith(area + "/"))
                ):
                    continue
                if fact is wide or (own is not None and own.fact is fact):
                    continue
                if path == wide.path and fact.cls is None:
                    continue
                if not project.narrower(fact.scope, wide.scope):
                    continue
                seen = project.resolve_fixture(wide.name, path, fact.cls)
                if seen is None or seen.fact is not wide:
                    continue
                if not (wide.autouse or wide.name in facts.fixture_requests):
                    continue
                project.report(
                    self,
                    path,
                    fact.line,
                    f"`{name}` is overridden here with {fact.scope} scope, but "
                    f"{wide.scope}-scoped "
                    f"`{wide.name}` ({where_of(wide)}) depends on it: tests here fail with "
                    f"ScopeMismatch. Give the override scope `{wide.scope}` or rename it.",
                    anchor=f"override:{wide.name}->{name}",
                    context_hash=fact.source_hash,
                    def_line=fact.line,
                )


class SharedMutableFixture(Rule):
    """What it does:
    Reports a test or fixture that mutates (`append`, `update`, `pop`, item/attribute assignment,
    `del`, `commit`, `execute`, ...) the value of a class/module/package/session
    scoped fixture that hands out a mutable literal (`[]`, `{}`, `list()`, `defaultdict()`, ...)
    or a stateful resource (`Session()`, `*.connect()`, `.cursor()`, a test client).

    Why it matters:
    Every test of the scope shares that one object: what one test writes, the next one reads, and
    the outcome depends on test order (verified: a module-scoped list mutated by one test breaks
    the next).

    Example:
    @pytest.fixture(scope="module")
    def cart():
        return []

    def test_add(cart):
        cart.append("apple")

    Use instead:
    @pytest.fixture
    def cart():
        return []
    """

    code = "TQ302"
    name = "shared-mutable-fixture"
    summary = "Test mutates a mutable value shared by a wide-scoped fixture"
    severity = "warning"
    tier = "H"
    _CONF = {
        "tests/conftest.py": "import pytest\n\n@pytest.fixture(scope='module')\ndef cart():\n"
        "    return []\n\n@pytest.fixture(scope='session')\ndef conn():\n"
        "    import sqlite3\n    c = sqlite3.connect(':memory:')\n    yield c\n    c.close()\n"
    }
    VALID = [
        Example(
            "def test_read(cart):\n    assert len(cart) == 0\n",
            files=_CONF,
            note="read-only sharing is the purpose of wide scopes",
        ),
        Example(
            "import copy\n\ndef test_copy(cart):\n    mine = copy.deepcopy(cart)\n    "
            "mine.append(1)\n"
            "    assert mine == [1]\n",
            files=_CONF,
            note="copy.deepcopy at the use site",
        ),
        Example(
            "import pytest\n\n@pytest.fixture(scope='module')\ndef factory():\n    return lambda: "
            "[]\n\n"
            "def test_f(factory):\n    items = factory()\n    items.append(1)\n    assert items\n",
            note="factories hand out a fresh object each call",
        ),
        Example(
            "import pytest\n\n@pytest.fixture(autouse=True)\ndef _reset(cart):\n    yield\n    "
            "cart.clear()\n\n"
            "def test_add(cart):\n    cart.append(1)\n    assert cart == [1]\n",
            files=_CONF,
            note="a function-scoped autouse companion resets the shared state",
        ),
    ]
    INVALID = [
        Example(
            "def test_add(cart):\n    cart.append('apple')\n    assert cart\n",
            files=_CONF,
            lines=[2],
        ),
        Example(
            "class TestDb:\n    def test_insert(self, conn):\n"
            "        conn.execute('create table t (x)')\n        assert conn\n",
            files=_CONF,
            lines=[3],
        ),
        Example(
            "import pytest\n\n@pytest.fixture(scope='class')\ndef registry():\n    reg = {}\n    "
            "return reg\n\n"
            "def test_register(registry):\n    registry['a'] = 1\n    assert registry\n",
            lines=[9],
        ),
    ]

    def collect(self, ctx: FileContext, facts: FileFacts) -> None:
        if self.code not in ctx.options.enabled:
            return
        by_line = {(f.name, f.line): f for f in facts.fixtures}
        fixture_mutations: dict[str, dict[str, int]] = {}
        for fixture in ctx.fixtures:
            fact = by_line.get((fixture.fixture_name, ctx.line(fixture.node.name)))
            if fact is None:
                continue
            fact.returns_mutable = scan.mutable_kind(ctx, fixture)
            found = scan.mutations(fixture, set(fixture.params))
            if found:
                fixture_mutations[f"{fact.name}:{fact.line}"] = {
                    p: ctx.span(n, fixture.node).line for p, n in found.items()
                }
        test_mutations: dict[str, dict[str, int]] = {}
        by_id = {t.nodeid: t for t in facts.tests}
        for test in ctx.tests:
            found = scan.mutations(test, set(test.fixture_requests))
            if found and test.nodeid in by_id:
                test_mutations[test.nodeid] = {
                    p: ctx.span(n, test.node).line for p, n in found.items()
                }
        facts.extra[self.code] = {"tests": test_mutations, "fixtures": fixture_mutations}

    def check_project(self, project: ProjectContext) -> None:
        reset = {
            p for f in project.fixtures() if f.autouse and f.scope == "function" for p in f.params
        }
        for path, facts in project.files.items():
            extra = facts.extra.get(self.code, {})
            for test in facts.tests:
                for param, line in extra.get("tests", {}).get(test.nodeid, {}).items():
                    self._check(project, path, line, param, test.cls, None, reset, test.name, test)
            for fixture in facts.fixtures:
                key = f"{fixture.name}:{fixture.line}"
                for param, line in extra.get("fixtures", {}).get(key, {}).items():
                    self._check(
                        project, path, line, param, fixture.cls, fixture, reset, fixture.name, None
                    )

    def _check(
        self,
        project: ProjectContext,
        path: str,
        line: int,
        param: str,
        cls: str | None,
        consumer: FixtureFact | None,
        reset: set[str],
        who: str,
        test: object,
    ) -> None:
        skip = consumer if consumer is not None and consumer.name == param else None
        resolved = project.resolve_fixture(param, path, cls, skip=skip)
        if resolved is None or resolved.fact is None:
            return
        shared = resolved.fact
        if shared.scope not in WIDE or not shared.returns_mutable or param in reset:
            return
        project.report(
            self,
            path,
            line,
            f"`{who}` mutates `{param}`, a {shared.scope}-scoped {shared.returns_mutable} shared "
            f"with "
            f"other tests ({where_of(shared)}): make the fixture function-scoped, or copy it "
            f"(`copy.deepcopy`) before changing it.",
            test=test,  # type: ignore[arg-type]
            anchor=f"{param}:{line}",
            def_line=None if test is not None else consumer.line if consumer else None,
        )
