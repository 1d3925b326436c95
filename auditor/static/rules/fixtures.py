"""Family 3xx — pytest fixtures: scope mismatches, shared mutable state, leaks, no-op marks.

The fixture graph is resolved the way pytest does it (`ProjectContext.resolve_fixture`: class ->
module -> conftest chain -> plugins -> built-in table), so a request is checked against the
definition pytest would really use from the requesting place.
"""

from __future__ import annotations

import posixpath

import libcst as cst

from auditor.static.collect import FixtureFunc, TestFunc, mark_name
from auditor.static.context import FileContext
from auditor.static.facts import FileFacts, FixtureFact
from auditor.static.oracle import own_nodes
from auditor.static.project_context import ProjectContext
from auditor.static.rules import _fixture_scan as scan
from auditor.static.rules.base import Example, Rule

WIDE = ("class", "module", "package", "session")


def _requests(fixture: FixtureFact) -> list[str]:
    return [p for p in [*fixture.params, *fixture.getfixturevalue] if p != "request"]


def _where(fact: FixtureFact) -> str:
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
                where = f" ({_where(resolved.fact)})" if resolved.fact else ""
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
            self._overrides(project, fixture)

    def _overrides(self, project: ProjectContext, wide: FixtureFact) -> None:
        """pytest #7320: a narrower override, below `wide`, of a name `wide` depends on."""
        area = posixpath.dirname(wide.path) if project.files[wide.path].is_conftest else None
        for name in _requests(wide):
            own = project.resolve_fixture(
                name, wide.path, wide.cls, skip=wide if name == wide.name else None
            )
            for path, facts in project.files.items():
                if path == wide.path and wide.cls is not None:
                    continue
                if path != wide.path and (
                    area is None or not (area == "" or path.startswith(area + "/"))
                ):
                    continue
                for fact in facts.fixtures:
                    if fact.name != name or fact is wide or (own is not None and own.fact is fact):
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
                        f"`{wide.name}` ({_where(wide)}) depends on it: tests here fail with "
                        f"ScopeMismatch. Give the override scope `{wide.scope}` or rename it.",
                        anchor=f"override:{wide.name}->{name}",
                        context_hash=fact.source_hash,
                        def_line=fact.line,
                    )


class SharedMutableFixture(Rule):
    """What it does:
    Reports a test or fixture that mutates (`append`, `update`, `pop`, item/attribute assignment,
    `del`, `commit`, `execute`, ... RULES.md §5.2) the value of a class/module/package/session
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
                    p: ctx.line(n) for p, n in found.items()
                }
        test_mutations: dict[str, dict[str, int]] = {}
        by_id = {t.nodeid: t for t in facts.tests}
        for test in ctx.tests:
            found = scan.mutations(test, set(test.fixture_requests))
            if found and test.nodeid in by_id:
                by_id[test.nodeid].mutated_params = sorted(found)
                test_mutations[test.nodeid] = {p: ctx.line(n) for p, n in found.items()}
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
            f"other tests ({_where(shared)}): make the fixture function-scoped, or copy it "
            f"(`copy.deepcopy`) before changing it.",
            test=test,  # type: ignore[arg-type]
            anchor=f"{param}:{line}",
            def_line=None if test is not None else consumer.line if consumer else None,
        )


class LeakedResourceFixture(Rule):
    """What it does:
    Reports a fixture that `return`s a resource made by an acquire call (`open`, `*.connect()`,
    `.cursor()`, `socket.socket`, `subprocess.Popen`, `tempfile.*`, HTTP client sessions...), or
    `yield`s it as its last statement with no teardown — no `with`, no `yield from`, no
    `request.addfinalizer`, no code after the `yield`.

    Why it matters:
    Nobody closes the resource: file/socket/connection leaks, ResourceWarnings, and state that leaks
    into later tests. (Wild: pandas `io/test_sql.py` `yield sqlite_engine.connect()`, never closed.)

    Example:
    @pytest.fixture
    def conn(engine):
        yield engine.connect()

    Use instead:
    @pytest.fixture
    def conn(engine):
        with engine.connect() as c:
            yield c
    """

    code = "TQ308"
    name = "leaked-resource-fixture"
    summary = "Fixture hands out an acquired resource and never releases it"
    severity = "warning"
    tier = "H"
    VALID = [
        Example(
            "import pytest\n\n@pytest.fixture\ndef fh(tmp_path):\n    with open(tmp_path / 'x', "
            "'w') as f:\n"
            "        yield f\n",
            note="acquired in a `with` block",
        ),
        Example(
            "import pytest\n\n@pytest.fixture\ndef conn(engine):\n    c = engine.connect()\n    "
            "yield c\n"
            "    c.close()\n",
            note="teardown after yield (runs even when the test fails)",
        ),
        Example(
            "import pytest\n\n@pytest.fixture(scope='session')\ndef server():\n"
            "    yield from serve_in_thread()\n",
            note="`yield from` delegates teardown (httpx tests/conftest.py:284)",
        ),
        Example(
            "import pytest\n\n@pytest.fixture\ndef fh(request, tmp_path):\n    f = open(tmp_path "
            "/ 'x', 'w')\n"
            "    request.addfinalizer(f.close)\n    return f\n",
            note="request.addfinalizer",
        ),
        Example(
            "import pytest\nfrom sqlalchemy import create_engine\n\n@pytest.fixture\ndef "
            "engine():\n"
            "    return create_engine('sqlite://')\n",
            note="pooled engines manage their own connections",
        ),
    ]
    INVALID = [
        Example(
            "import pytest\n\n@pytest.fixture\ndef sqlite_conn(sqlite_engine):\n"
            "    yield sqlite_engine.connect()\n",
            lines=[5],
        ),
        Example(
            "import pytest\n\n@pytest.fixture\ndef data_file(tmp_path):\n    f = open(tmp_path / "
            "'d')\n"
            "    return f\n",
            lines=[6],
        ),
        Example(
            "import pytest, subprocess\n\n@pytest.fixture(scope='session')\ndef proc():\n"
            "    return subprocess.Popen(['sleep', '100'])\n",
            lines=[5],
        ),
    ]

    def check(self, ctx: FileContext) -> None:
        for fixture in ctx.fixtures:
            handed = scan.handed_out(fixture)
            if any(how == "yield from" for _, _, how in handed):
                continue
            if any(
                isinstance(n, cst.Call)
                and isinstance(n.func, cst.Attribute)
                and n.func.attr.value in ("addfinalizer", "close", "callback", "enter_context")
                for n in own_nodes(fixture.node.body)
            ):
                continue
            local = scan.assignments(fixture)
            body = fixture.node.body
            last = body.body[-1] if isinstance(body, cst.IndentedBlock) and body.body else None
            for node, value, how in handed:
                if isinstance(value, cst.Name) and value.value in local:
                    value = local[value.value]
                acquired = scan.is_acquire(ctx, fixture, value)
                if acquired is None:
                    continue
                if how == "yield" and not (
                    isinstance(last, cst.SimpleStatementLine)
                    and any(isinstance(s, cst.Expr) and s.value is node for s in last.body)
                ):
                    continue  # code after the yield (teardown) or yield nested in with/try
                verb = "returns" if how == "return" else "yields"
                ctx.report(
                    self,
                    node,
                    f"Fixture `{fixture.fixture_name}` {verb} a resource from `{acquired}` and "
                    f"never "
                    f"releases it: use `with ...: yield x`, or close it after the `yield`.",
                    test=fixture,
                )


class EnvironmentInWideScope(Rule):
    """What it does:
    (a) Reports a class/module/package/session-scoped fixture that requests `monkeypatch` (a
    parameter or `request.getfixturevalue("monkeypatch")`). (b) Reports a test or fixture that
    writes process-global state — `os.environ[...] = ...`, `os.environ.update(...)`, `os.putenv`,
    `os.chdir`, `sys.path.insert/append`, `setattr(<imported module>, ...)` — and never puts it back
    (no later restoring operation, no `try/finally`, no `mp.undo()`/`addfinalizer`/`addCleanup`,
    not inside `with patch.dict(os.environ)`).

    Why it matters:
    (a) pytest raises ScopeMismatch. (b) The change outlives the test: later tests run in a
    different environment and results depend on test order.

    Example:
    def test_home():
        os.environ["HOME"] = "/tmp/x"
        assert home() == "/tmp/x"

    Use instead:
    def test_home(monkeypatch):
        monkeypatch.setenv("HOME", "/tmp/x")
        assert home() == "/tmp/x"
    """

    code = "TQ309"
    name = "environment-in-wide-scope"
    summary = "monkeypatch in a wide-scoped fixture, or unrestored global/environment writes"
    severity = "error"
    tier = "P"
    VALID = [
        Example(
            "import pytest\nfrom _pytest import monkeypatch\n\n"
            "@pytest.fixture(scope='session', autouse=True)\ndef _standard_os_environ():\n"
            "    mp = monkeypatch.MonkeyPatch()\n    mp.setenv('FLASK_ENV', 'x')\n    yield\n    "
            "mp.undo()\n",
            note="flask tests/conftest.py:12: session MonkeyPatch() + mp.undo() is the correct "
            "pattern",
        ),
        Example(
            "import os\n\ndef test_cwd(tmp_path):\n    old = os.getcwd()\n    os.chdir(tmp_path)\n"
            "    try:\n"
            "        assert os.getcwd() == str(tmp_path)\n    finally:\n        os.chdir(old)\n",
            note="restored in finally",
        ),
        Example(
            "import os\nimport pytest\n\n@pytest.fixture\ndef env():\n    os.environ['A'] = '1'\n "
            "   yield\n"
            "    del os.environ['A']\n",
            note="restored after the yield",
        ),
        Example(
            "import os\nfrom unittest import mock\n\ndef test_env():\n    with "
            "mock.patch.dict(os.environ):\n"
            "        os.environ['A'] = '1'\n        assert os.environ['A'] == '1'\n",
            note="inside patch.dict(os.environ), which restores it",
        ),
        Example(
            "import pytest\n\n@pytest.fixture(scope='module')\ndef env():\n"
            "    with pytest.MonkeyPatch.context() as mp:\n        mp.setenv('A', '1')\n        "
            "yield\n",
            note="MonkeyPatch.context() in a wide fixture is the recommended fix",
        ),
        Example(
            "import os\n\ndef test_proxies():\n    os.environ.update({'NO_PROXY': 'x'})\n"
            "    assert os.environ['NO_PROXY']\n",
            files={
                "tests/conftest.py": "import os\nimport pytest\n\n@pytest.fixture(autouse=True)\n"
                "def clean_environ():\n    original = os.environ.copy()\n    yield\n"
                "    os.environ.clear()\n    os.environ.update(original)\n"
            },
            note="an autouse fixture restores the environment for every test (httpx conftest)",
        ),
        Example(
            "def test_local():\n    env = {}\n    env['A'] = '1'\n    assert env\n",
            note="a local dict is not the environment",
        ),
    ]
    INVALID = [
        Example(
            "import pytest\n\n@pytest.fixture(scope='session')\ndef env(monkeypatch):\n"
            "    monkeypatch.setenv('A', '1')\n",
            lines=[4],
        ),
        Example(
            "import pytest\n\n@pytest.fixture(scope='module')\ndef env(request):\n"
            "    mp = request.getfixturevalue('monkeypatch')\n    return mp\n",
            lines=[4],
        ),
        Example(
            "import os\n\ndef test_home():\n    os.environ['HOME'] = '/x'\n    assert "
            "os.environ['HOME']\n",
            lines=[4],
        ),
        Example(
            "import sys, os\n\ndef test_path(tmp_path):\n    sys.path.insert(0, str(tmp_path))\n"
            "    os.chdir(tmp_path)\n    assert sys.path\n",
            lines=[4, 5],
        ),
        Example(
            "import pytest\nimport shop.settings\n\n@pytest.fixture\ndef debug():\n"
            "    setattr(shop.settings, 'DEBUG', True)\n",
            lines=[6],
        ),
        Example(
            "import pytest\n\n@pytest.fixture(scope='session')\ndef env():\n    mp = "
            "pytest.MonkeyPatch()\n"
            "    mp.setenv('A', '1')\n    yield\n",
            lines=[5],
            note="a manual MonkeyPatch() that is never undone",
        ),
    ]

    def check(self, ctx: FileContext) -> None:
        for fixture in ctx.fixtures:
            if fixture.scope in WIDE:
                literals = [
                    n
                    for n in own_nodes(fixture.node.body)
                    if isinstance(n, cst.Call)
                    and isinstance(n.func, cst.Attribute)
                    and n.func.attr.value == "getfixturevalue"
                    and n.args
                    and isinstance(n.args[0].value, cst.SimpleString)
                    and n.args[0].value.evaluated_value == "monkeypatch"
                ]
                if "monkeypatch" in fixture.params or literals:
                    ctx.report(
                        self,
                        fixture.node.name,
                        f"{fixture.scope}-scoped fixture `{fixture.fixture_name}` requests the "
                        f"function-scoped `monkeypatch` (ScopeMismatch): use `with "
                        f"pytest.MonkeyPatch.context() as mp:` inside the fixture instead.",
                        test=fixture,
                    )
        funcs: list[FixtureFunc | TestFunc] = [*ctx.tests, *ctx.fixtures]
        for func in funcs:
            who = func.fixture_name if isinstance(func, FixtureFunc) else func.name
            for name, ctor in scan.manual_monkeypatches(ctx, func):
                ctx.report(
                    self,
                    ctor,
                    f"`{who}` creates `{name} = MonkeyPatch()` and never calls `{name}.undo()`: "
                    f"its changes leak into later tests. Call `{name}.undo()` in teardown or use "
                    f"`pytest.MonkeyPatch.context()`.",
                    test=func,
                    severity="warning",
                )

    def collect(self, ctx: FileContext, facts: FileFacts) -> None:
        """Unrestored writes per test/fixture, and what each autouse fixture manages: an autouse
        fixture that resets the environment (httpx `clean_environ`) restores it for every test."""
        writes: list[dict[str, object]] = []
        manages: dict[str, list[str]] = {}
        funcs: list[FixtureFunc | TestFunc] = [*ctx.tests, *ctx.fixtures]
        for func in funcs:
            ops, restored = scan.global_ops(ctx, func)
            if isinstance(func, FixtureFunc) and func.autouse:
                key = f"{func.fixture_name}:{ctx.line(func.node.name)}"
                manages[key] = sorted({op.category for op in ops} | scan.managed(ctx, func))
            if restored:
                continue
            for op in scan.unrestored(ops):
                where = ctx.pos(op.node)
                writes.append(
                    {
                        "line": where.start.line,
                        "column": where.start.column + 1,
                        "what": op.what,
                        "category": op.category,
                        "who": func.fixture_name if isinstance(func, FixtureFunc) else func.name,
                        "test": func.nodeid if isinstance(func, TestFunc) else None,
                        "cls": func.cls.name if func.cls else None,
                        "def_line": ctx.line(func.node.name),
                    }
                )
        facts.extra[self.code] = {"writes": writes, "manages": manages}

    def check_project(self, project: ProjectContext) -> None:
        autouse = [
            (
                f,
                set(
                    project.files[f.path]
                    .extra.get(self.code, {})
                    .get("manages", {})
                    .get(f"{f.name}:{f.line}", [])
                ),
            )
            for f in project.fixtures()
            if f.autouse
        ]
        for path, facts in project.files.items():
            tests = {t.nodeid: t for t in facts.tests}
            for write in facts.extra.get(self.code, {}).get("writes", []):
                category = str(write["category"])
                cls = write["cls"] if isinstance(write["cls"], str) else None
                if any(
                    category in managed
                    and (seen := project.resolve_fixture(fixture.name, path, cls)) is not None
                    and seen.fact is fixture
                    for fixture, managed in autouse
                ):
                    continue
                fix = _FIX.get(category.split(":")[0], "setattr")
                test = tests.get(str(write["test"])) if write["test"] else None
                project.report(
                    self,
                    path,
                    int(str(write["line"])),
                    f"`{write['who']}` changes {write['what']} and never restores it, so later "
                    f"tests inherit the change: use `monkeypatch` ({fix}) or restore it in "
                    f"`finally`.",
                    test=test,
                    severity="warning",
                    column=int(str(write["column"])),
                    anchor=f"{write['who']}:{write['what']}",
                    def_line=int(str(write["def_line"])),
                )


_FIX = {"environ": "setenv", "cwd": "chdir", "sys.path": "syspath_prepend", "attr": "setattr"}


class FixtureMarksAndDefaults(Rule):
    """What it does:
    Reports `@pytest.mark.*` (including `usefixtures`) applied to a fixture function, and test
    parameters with a default value (`def test_x(a=1)`).

    Why it matters:
    Marks on fixtures have no effect (pytest ignores them; recent versions error). A defaulted
    parameter is never filled by pytest: `def test_x(a=1)` silently runs with `a=1` even when a
    fixture `a` exists (verified), and parametrize cannot set it.

    Example:
    @pytest.fixture
    @pytest.mark.usefixtures("db")
    def user(): ...

    Use instead:
    @pytest.fixture
    def user(db): ...
    """

    code = "TQ310"
    name = "fixture-mark-or-defaulted-param"
    summary = "Mark on a fixture, or a defaulted test parameter (silent no-ops)"
    severity = "warning"
    tier = "P"
    VALID = [
        Example(
            "import pytest\n\n@pytest.fixture\ndef user(db):\n    return db\n\n"
            "@pytest.mark.usefixtures('user')\ndef test_u():\n    assert True is not False\n",
            note="usefixtures on a test is the documented way",
        ),
        Example(
            "def helper(a=1):\n    return a\n\ndef test_h():\n    assert helper() == 1\n",
            note="defaults on helpers are fine",
        ),
        Example(
            "import unittest\n\nclass TestU(unittest.TestCase):\n    def test_x(self, a=1):\n"
            "        self.assertEqual(a, 1)\n",
            note="unittest methods never get fixtures",
        ),
    ]
    INVALID = [
        Example(
            "import pytest\n\n@pytest.fixture\n@pytest.mark.usefixtures('db')\ndef user():\n    "
            "return 1\n",
            lines=[4],
        ),
        Example("def test_default(a=1):\n    assert a == 1\n", lines=[1]),
        Example(
            "import pytest\n\n@pytest.mark.slow\n@pytest.fixture(scope='session')\ndef big():\n   "
            " return 1\n",
            lines=[3],
        ),
    ]

    def check(self, ctx: FileContext) -> None:
        for fixture in ctx.fixtures:
            for deco in fixture.decorators:
                mark = mark_name(deco.qualified)
                if mark is None or not deco.qualified.startswith("pytest.mark."):
                    continue
                fix = (
                    "request those fixtures as parameters of the fixture"
                    if mark == "usefixtures"
                    else "move the mark to the tests that use the fixture"
                )
                ctx.report(
                    self,
                    deco.node,
                    f"`@pytest.mark.{mark}` on fixture `{fixture.fixture_name}` has no effect: "
                    f"{fix}.",
                    test=fixture,
                )
        for test in ctx.tests:
            if test.cls is not None and test.cls.is_testcase:
                continue
            params = test.node.params
            for param in [*params.posonly_params, *params.params, *params.kwonly_params]:
                name = param.name.value
                if param.default is None or (test.is_given and name in test.parametrize_names):
                    continue
                ctx.report(
                    self,
                    param,
                    f"`{test.name}` gives `{name}` a default, so pytest never injects a fixture or "
                    f"parameter into it: drop the default (request the fixture) or move the value "
                    f"into "
                    f"the body / `@pytest.mark.parametrize`.",
                    test=test,
                )
