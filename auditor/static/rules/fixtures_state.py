"""Family 3xx — fixtures that leak: unreleased resources, unrestored environment/global writes,
marks and defaults that pytest silently ignores."""

from __future__ import annotations

import libcst as cst

from auditor.static.collect import FixtureFunc, TestFunc, mark_name
from auditor.static.context import FileContext
from auditor.static.facts import FileFacts
from auditor.static.oracle import own_nodes
from auditor.static.project_context import ProjectContext
from auditor.static.rules import _fixture_scan as scan
from auditor.static.rules._fixture_scan import WIDE
from auditor.static.rules.base import Example, Rule


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
            "import os\nimport unittest\nfrom unittest import mock\n\n"
            "@mock.patch.dict(os.environ, {})\nclass TestEnv(unittest.TestCase):\n"
            "    def test_a(self):\n        os.environ['A'] = '1'\n        "
            "self.assertTrue(os.environ['A'])\n\n"
            "class TestCwd:\n    def teardown_method(self):\n        os.chdir('/')\n\n"
            "    def test_b(self, tmp_path):\n        os.chdir(tmp_path)\n        assert "
            "os.getcwd()\n",
            note="patch.dict(os.environ) as a class decorator; a class teardown method",
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
        Example(
            "import os\n\ndef test_cur():\n    os.environ['CUR'] = 'eur'\n    assert "
            "os.environ['CUR']\n",
            files={
                "tests/conftest.py": "import pytest\n\n@pytest.fixture(scope='session', "
                "autouse=True)\n"
                "def _locale():\n    with pytest.MonkeyPatch.context() as mp:\n"
                "        mp.setenv('LC_ALL', 'C')\n        yield\n"
            },
            lines=[4],
            note="a session autouse fixture that sets another variable restores nothing per test",
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
        if self.code not in ctx.options.enabled:
            return
        writes: list[dict[str, object]] = []
        manages: dict[str, list[str]] = {}
        funcs: list[FixtureFunc | TestFunc] = [*ctx.tests, *ctx.fixtures]
        for func in funcs:
            ops, restored = scan.global_ops(ctx, func)
            if isinstance(func, FixtureFunc) and func.autouse and func.scope == "function":
                key = f"{func.fixture_name}:{ctx.line(func.node.name)}"
                manages[key] = sorted({op.category for op in ops} | scan.managed(ctx, func))
            if restored or scan.class_restores(func):
                continue
            if scan.patches_environ(ctx, func):
                ops = [op for op in ops if op.category != "environ"]
            for op in scan.unrestored(ops):
                where = ctx.span(op.node, func.node)
                writes.append(
                    {
                        "line": where.line,
                        "column": where.column + 1,
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
                    severity="info",  # held-out precision 0/8 (defaults reused by other tests)
                )
