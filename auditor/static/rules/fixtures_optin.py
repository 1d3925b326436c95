"""Family 3xx — opt-in fixture hygiene: useless yields, unused and shadowed fixtures."""

from __future__ import annotations

import libcst as cst

from auditor.static.collect import string_items
from auditor.static.context import FileContext
from auditor.static.facts import FileFacts
from auditor.static.oracle import own_nodes
from auditor.static.project_context import ProjectContext
from auditor.static.rules._fixture_scan import where_of
from auditor.static.rules.base import Example, Rule


class UselessYieldFixture(Rule):
    """What it does:
    Reports a generator fixture whose only `yield` is its last top-level statement — nothing runs
    after it, it is not inside `with`/`try`/a loop, and there is no `yield from`.

    Why it matters:
    The `yield` promises a teardown that does not exist: use `return`. It often hides a *missing*
    teardown (see TQ308).

    Example:
    @pytest.fixture
    def df():
        yield make_frame()

    Use instead:
    @pytest.fixture
    def df():
        return make_frame()
    """

    code = "TQ304"
    name = "useless-yield-fixture"
    summary = "Fixture yields as its last statement with no teardown"
    severity = "info"
    tier = "O"
    default_enabled = False
    VALID = [
        Example(
            "import pytest\n\n@pytest.fixture\ndef conn(db):\n    c = db.connect()\n    yield c\n"
            "    c.close()\n",
            note="teardown after yield",
        ),
        Example(
            "import pytest\n\n@pytest.fixture(scope='session')\ndef server():\n"
            "    yield from serve_in_thread()\n",
            note="`yield from` delegates teardown (httpx tests/conftest.py:284)",
        ),
        Example(
            "import pytest\n\n@pytest.fixture\ndef fh(p):\n    with open(p) as f:\n        yield "
            "f\n",
            note="`with ctx: yield x`",
        ),
    ]
    INVALID = [
        Example(
            "import pytest\n\n@pytest.fixture(scope='class')\ndef df():\n    yield {'a': [1, 2]}\n",
            lines=[5],
        ),
    ]

    def check(self, ctx: FileContext) -> None:
        for fixture in ctx.fixtures:
            yields = [n for n in own_nodes(fixture.node.body) if isinstance(n, cst.Yield)]
            if len(yields) != 1 or isinstance(yields[0].value, cst.From):
                continue
            body = fixture.node.body
            last = body.body[-1] if isinstance(body, cst.IndentedBlock) and body.body else None
            if isinstance(last, cst.SimpleStatementLine) and any(
                isinstance(s, cst.Expr) and s.value is yields[0] for s in last.body
            ):
                ctx.report(
                    self,
                    yields[0],
                    f"Fixture `{fixture.fixture_name}` yields as its last statement, so there is "
                    f"no "
                    f"teardown: use `return`, or add the missing cleanup after the `yield`.",
                    test=fixture,
                )


class UnusedFixture(Rule):
    """What it does:
    Reports a fixture whose effective name (`name=` honoured) is never requested in the scanned
    roots: not a test or fixture parameter (base-class methods included), not in `usefixtures`,
    not a `request.getfixturevalue("...")` literal, not a string in a fixture's `params=[...]`, not
    an indirect parametrize name. Autouse fixtures are exempt.

    Why it matters:
    Dead setup code that readers still have to understand and maintain.

    Example:
    @pytest.fixture
    def non_coercible_categorical(): ...

    Use instead:
    Delete it, or request it from the test that needs it.
    """

    code = "TQ306"
    name = "unused-fixture"
    summary = "Fixture is never requested"
    severity = "info"
    tier = "H"
    default_enabled = False
    VALID = [
        Example(
            "import pytest\n\n@pytest.fixture(name='async_app')\ndef _async_app():\n    return 1\n"
            "\n"
            "def test_a(async_app):\n    assert async_app\n",
            note="`name=` alias (flask tests/test_async.py:41)",
        ),
        Example(
            "import pytest\n\n@pytest.fixture(autouse=True)\ndef _reset():\n    yield\n",
            note="autouse fixtures are used implicitly",
        ),
        Example(
            "import pytest\n\nHAS_TOOL = True\n\n@pytest.fixture(autouse=HAS_TOOL)\ndef tool():\n    yield\n",
            note="autouse given by a flag (aiohttp `autouse=HAS_BLOCKBUSTER`)",
        ),
        Example(
            "class BaseGetitem:\n    def test_cmp(self, na_cmp):\n        assert na_cmp(1, 1)\n",
            files={
                "tests/conftest.py": "import pytest\n\n@pytest.fixture\ndef na_cmp():\n"
                "    return lambda a, b: a == b\n"
            },
            note="requested only from a base class (pandas extension/base)",
        ),
        Example(
            "import pytest\n\n@pytest.fixture\ndef a():\n    return 1\n\n@pytest.fixture\ndef "
            "b():\n"
            "    return 2\n\n@pytest.fixture(params=['a', 'b'])\ndef either(request):\n"
            "    return request.getfixturevalue(request.param)\n\n"
            "@pytest.mark.usefixtures('either')\ndef test_e():\n    assert True is not False\n",
            note="names in params= consumed via getfixturevalue(request.param); usefixtures",
        ),
        Example(
            "import pytest\n\nclass Base:\n    def test_x(self):\n        assert True is not "
            "False\n\n"
            "@pytest.mark.usefixtures('requires_tls')\nclass TestTLS(Base):\n    pass\n",
            files={
                "tests/conftest.py": "import pytest\n\n@pytest.fixture\ndef requires_tls():\n"
                "    pass\n"
            },
            note="usefixtures on a class whose tests are inherited (urllib3 test_https.py:1181)",
        ),
        Example(
            "def test_x():\n    assert True is not False\n",
            files={
                "tests/conftest.py": "import pytest\n\n@pytest.fixture\ndef clean_db():\n    pass\n"
            },
            pytest_ini="usefixtures = clean_db\n",
            note="`usefixtures` in the pytest ini",
        ),
    ]
    INVALID = [
        Example(
            "import pytest\n\n@pytest.fixture\ndef non_coercible_categorical():\n    return 1\n\n"
            "def test_x():\n    assert True is not False\n",
            lines=[4],
        ),
    ]

    def collect(self, ctx: FileContext, facts: FileFacts) -> None:
        if self.code not in ctx.options.enabled:
            return
        names: set[str] = set(ctx.settings.usefixtures)  # `usefixtures` in the pytest ini
        for fixture in ctx.fixtures:
            call = fixture.deco.call if fixture.deco else None
            names.update(_string_literals(call, "params"))
            if call is not None and any(  # autouse=SOME_FLAG may well be on
                a.keyword is not None
                and a.keyword.value == "autouse"
                and not (isinstance(a.value, cst.Name) and a.value.value == "False")
                for a in call.args
            ):
                names.add(fixture.fixture_name)
        for test in ctx.tests:
            for mark, call in test.mark_calls:
                if (
                    mark == "parametrize"
                    and call is not None
                    and any(
                        a.keyword is not None and a.keyword.value == "indirect" for a in call.args
                    )
                ):
                    names.update(test.parametrize_names)
        # usefixtures on classes that hold no tests of their own (their tests come from a base)
        calls = [
            c for cls in ctx.inventory.classes for m, c in cls.mark_calls if m == "usefixtures"
        ]
        calls += [c for m, c in ctx.inventory.module_mark_calls if m == "usefixtures"]
        for call in calls:
            if call is not None:
                names.update(
                    str(a.value.evaluated_value)
                    for a in call.args
                    if isinstance(a.value, cst.SimpleString)
                )
        facts.extra[self.code] = sorted(names)

    def check_project(self, project: ProjectContext) -> None:
        requested: set[str] = set()
        for facts in project.files.values():
            requested.update(facts.fixture_requests)
            requested.update(facts.extra.get(self.code, []))
            for test in facts.tests:
                requested.update(test.getfixturevalue)
            for fixture in facts.fixtures:
                requested.update(fixture.getfixturevalue)
        for fixture in project.fixtures():
            if fixture.autouse or fixture.name in requested:
                continue
            project.report(
                self,
                fixture.path,
                fixture.line,
                f"Fixture `{fixture.name}` is never requested in the scanned tests: delete it, or "
                f"request it where it is needed.",
                anchor=f"unused:{fixture.name}",
                context_hash=fixture.source_hash,
                def_line=fixture.line,
            )


def _string_literals(call: cst.Call | None, keyword: str) -> list[str]:
    if call is None:
        return []
    for arg in call.args:
        if (
            arg.keyword is not None
            and arg.keyword.value == keyword
            and isinstance(arg.value, (cst.List, cst.Tuple))
        ):
            return string_items(arg.value)
    return []


class ShadowedFixture(Rule):
    """What it does:
    (a) Reports a fixture name defined twice in the same module or class body — the later one
    silently wins (warning). (b) Reports a cross-level override (conftest -> module -> class) only
    when it narrows the scope of the definition it hides or changes `autouse` (info).

    Why it matters:
    (a) is a copy-paste bug: one definition is dead. (b) Overriding is a documented pytest
    feature, but a narrower override breaks wider fixtures that depend on the name (pytest #7320),
    and an autouse change silently alters which tests get the setup.

    Example:
    @pytest.fixture
    def user(): ...

    @pytest.fixture
    def user(): ...
    """

    code = "TQ307"
    name = "shadowed-fixture"
    summary = "Fixture defined twice in one scope, or overridden with a narrower scope"
    severity = "info"
    tier = "H"
    default_enabled = False
    VALID = [
        Example(
            "import pytest\n\nclass TestX:\n    @pytest.fixture\n    def app(self, app):\n"
            "        return app\n\n    def test_a(self, app):\n        assert app\n",
            files={
                "tests/conftest.py": "import pytest\n\n@pytest.fixture\ndef app():\n    return 1\n"
            },
            note="same-scope override of the conftest fixture (flask tests/test_cli.py:448)",
        ),
        Example(
            "import sys\nimport pytest\n\nif sys.platform == 'win32':\n    @pytest.fixture\n"
            "    def sep():\n        return '\\\\'\nelse:\n    @pytest.fixture\n    def sep():\n"
            "        return '/'\n",
            note="conditional alternatives are not duplicates",
        ),
    ]
    INVALID = [
        Example(
            "import pytest\n\n@pytest.fixture\ndef user():\n    return 1\n\n@pytest.fixture\n"
            "def user():\n    return 2\n",
            lines=[8],
        ),
        Example(
            "import pytest\n\n@pytest.fixture\ndef settings():\n    return {}\n",
            files={
                "tests/conftest.py": "import pytest\n\n@pytest.fixture(scope='session')\n"
                "def settings():\n    return {}\n"
            },
            lines=[4],
        ),
    ]

    def check(self, ctx: FileContext) -> None:
        bodies: list[list[cst.BaseStatement]] = [list(ctx.module.body)]
        bodies += [
            list(c.node.body.body)
            for c in ctx.inventory.classes
            if isinstance(c.node.body, cst.IndentedBlock)
        ]
        fixtures = {id(f.node): f for f in ctx.fixtures}
        for body in bodies:
            seen: dict[str, int] = {}
            for stmt in body:
                fixture = fixtures.get(id(stmt))
                if fixture is None:
                    continue
                name = fixture.fixture_name
                if name in seen:
                    ctx.report(
                        self,
                        fixture.node.name,
                        f"Fixture `{name}` is defined again here (first at line {seen[name]}); "
                        f"only "
                        f"this one is used: delete or rename one of them.",
                        test=fixture,
                        severity="warning",
                    )
                seen.setdefault(name, ctx.line(fixture.node.name))

    def check_project(self, project: ProjectContext) -> None:
        for fixture in project.fixtures():
            outer = project.resolve_fixture(fixture.name, fixture.path, fixture.cls, skip=fixture)
            if (
                outer is None
                or outer.fact is None
                or (outer.fact.path == fixture.path and outer.fact.cls == fixture.cls)
            ):
                continue
            narrows = project.narrower(fixture.scope, outer.scope)
            if not narrows and fixture.autouse == outer.fact.autouse:
                continue
            change = (
                f"narrows its scope from {outer.scope} to {fixture.scope}"
                if narrows
                else "changes `autouse`"
            )
            project.report(
                self,
                fixture.path,
                fixture.line,
                f"Fixture `{fixture.name}` overrides {where_of(outer.fact)} and {change}: wider "
                f"fixtures that depend on it may break (pytest #7320). Keep the scope, or rename "
                f"it.",
                anchor=f"shadow:{fixture.name}",
                context_hash=fixture.source_hash,
                def_line=fixture.line,
            )


_HTTP = ("get", "post", "put", "patch", "delete", "head", "request", "Session", "session")
HEAVY_PREFIXES = (
    "subprocess.",
    "socket.",
    "urllib.request.urlopen",
    "aiohttp.ClientSession",
    "threading.Thread",
    "multiprocessing.",
    "sqlite3.connect",
    "time.sleep",
    "asyncio.sleep",
    "shutil.rmtree",
    "sqlalchemy.create_engine",
    "smtplib.",
    "ftplib.",
    *(f"requests.{name}" for name in _HTTP),
    *(f"httpx.{name}" for name in (*_HTTP, "Client", "AsyncClient")),
)


class HeavyAutouseFixture(Rule):
    """What it does:
    Reports an `autouse=True` fixture that does I/O — subprocesses, sockets, HTTP, databases,
    sleeps, threads/processes, file-tree deletion. Warning for a session-scoped autouse fixture in a
    `conftest.py`, info otherwise. Environment/log resets are not reported: they are good practice.

    Why it matters:
    Autouse fixtures run for every test in scope, invisibly: hidden coupling, slow suites, and
    preconditions nobody reading a test can see.

    Example:
    @pytest.fixture(autouse=True)
    def database():
        subprocess.run(["createdb", "test"], check=True)

    Use instead:
    @pytest.fixture
    def database(): ...   # requested by the tests that need it
    """

    code = "TQ303"
    name = "heavy-autouse-fixture"
    summary = "autouse fixture does I/O, sleeps or starts processes for every test"
    severity = "info"
    tier = "H"
    default_enabled = False
    VALID = [
        Example(
            "import os\nimport pytest\n\n@pytest.fixture(autouse=True)\ndef _env(monkeypatch):\n"
            "    monkeypatch.delenv('HOME', raising=False)\n",
            note="environment resets are good practice (requests tests/conftest.py:26)",
        ),
        Example(
            "import subprocess\nimport pytest\n\n@pytest.fixture\ndef db():\n"
            "    subprocess.run(['true'], check=True)\n",
            note="not autouse",
        ),
    ]
    INVALID = [
        Example(
            "import subprocess\nimport pytest\n\n@pytest.fixture(autouse=True)\ndef db():\n"
            "    subprocess.run(['createdb', 't'], check=True)\n    yield\n",
            lines=[6],
        ),
    ]

    def check(self, ctx: FileContext) -> None:
        for fixture in ctx.fixtures:
            if not fixture.autouse:
                continue
            for node in own_nodes(fixture.node.body):
                if not isinstance(node, cst.Call):
                    continue
                name = ctx.qualify(node.func, fixture) or ""
                if not name.startswith(HEAVY_PREFIXES):
                    continue
                wide = fixture.scope == "session" and ctx.is_conftest
                ctx.report(
                    self,
                    node,
                    f"autouse fixture `{fixture.fixture_name}` calls `{name}` before every test in "
                    f"its scope: request it explicitly from the tests that need it.",
                    test=fixture,
                    severity="warning" if wide else None,
                )
                break


ACQUIRE_NAMES = ("start", "mkdtemp", "connect", "Popen", "open", "TemporaryDirectory", "cursor")


class FragileTeardown(Rule):
    """What it does:
    Reports a generator fixture that acquires two or more resources (`open`, `connect`, `Popen`,
    `start`, `mkdtemp`, `create_*`, `TemporaryDirectory()` outside `with`) before its `yield` and
    releases them after it, without `try/finally` or an `ExitStack`.

    Why it matters:
    If the second acquisition raises, the first resource leaks; if the first release raises, the
    later ones never run (pytest's "safe teardowns": one state-changing action per fixture).

    Example:
    @pytest.fixture
    def env():
        server = start_server()
        db = connect_db()
        yield server, db
        db.close()
        server.stop()

    Use instead:
    Two fixtures (`server`, `db`), each with its own teardown.
    """

    code = "TQ305"
    name = "fragile-teardown"
    summary = "Fixture acquires several resources before yield without try/finally"
    severity = "info"
    tier = "H"
    default_enabled = False
    VALID = [
        Example(
            "import pytest\n\n@pytest.fixture\ndef conn(db):\n    c = db.connect()\n    yield c\n"
            "    c.close()\n",
            note="a single acquisition with teardown after yield is fine",
        ),
        Example(
            "import pytest\nfrom contextlib import ExitStack\n\n@pytest.fixture\ndef two(a, b):\n"
            "    with ExitStack() as stack:\n        x = stack.enter_context(a.connect())\n"
            "        y = stack.enter_context(b.connect())\n        yield x, y\n",
            note="ExitStack",
        ),
    ]
    INVALID = [
        Example(
            "import pytest\n\n@pytest.fixture\ndef env(srv, db):\n    s = srv.start()\n    c = "
            "db.connect()\n"
            "    yield s, c\n    c.close()\n    s.stop()\n",
            lines=[7],
        ),
    ]

    def check(self, ctx: FileContext) -> None:
        for fixture in ctx.fixtures:
            body = fixture.node.body
            stmts = list(body.body) if isinstance(body, cst.IndentedBlock) else []
            index = next(
                (
                    i
                    for i, s in enumerate(stmts)
                    if isinstance(s, cst.SimpleStatementLine)
                    and any(
                        isinstance(x, cst.Expr) and isinstance(x.value, cst.Yield) for x in s.body
                    )
                ),
                None,
            )
            if index is None or index == len(stmts) - 1:
                continue
            acquired = 0
            for stmt in stmts[:index]:
                if isinstance(stmt, (cst.Try, cst.With)):
                    acquired = -99
                    break
                for node in own_nodes(stmt):
                    if isinstance(node, cst.Call):
                        func = node.func
                        last = (
                            func.attr.value
                            if isinstance(func, cst.Attribute)
                            else (func.value if isinstance(func, cst.Name) else "")
                        )
                        if last in ACQUIRE_NAMES or last.startswith("create_"):
                            acquired += 1
            if acquired >= 2:
                yield_stmt = stmts[index]
                ctx.report(
                    self,
                    yield_stmt,
                    f"Fixture `{fixture.fixture_name}` acquires {acquired} resources before "
                    f"`yield` "
                    f"and releases them after it without try/finally: split it into one fixture "
                    f"per "
                    f"resource, or use an `ExitStack`.",
                    test=fixture,
                )
