"""Family 4xx — structure, collection and flakiness: tests that never run, or run unreliably.

The helpers these rules share (the namespace walk behind TQ406, the verification walk behind
TQ402, the async-runner facts behind TQ411) live in `auditor/static/rules/_structure_walk.py` so
this module stays a list of rule classes with their examples.
"""

from __future__ import annotations

import itertools
from typing import Any

import libcst as cst

from auditor.static.collect import FunctionInfo
from auditor.static.context import FileContext
from auditor.static.facts import FileFacts
from auditor.static.project_context import ProjectContext
from auditor.static.rules._structure_walk import (
    ASYNC_MARKS,
    async_file_facts,
    conditional_verification,
    empty_parametrize_calls,
    frozen_clock,
    is_test_name,
    mark_reason_problems,
    misspelled_test_name,
    nested_test_is_used,
    runs_coroutines,
    shadowed_definitions,
    sleep_calls,
    test_sync_wrapped,
    tests_nested_in_tests,
)
from auditor.static.rules.base import Example, Rule

_DATA_DIRS = {
    "data",
    "fixtures",
    "resources",
    "samples",
    "testdata",
    "test_data",
    "examples",
    "assets",
    "type_tests",
    "typing_tests",
    "typesafety",
}


class DuplicateTestName(Rule):
    """What it does:
    Reports a test function defined twice in the same namespace (module, class, or a module-level
    `if`/`try`/`with` block); the earlier definition is reported. Alternatives in different
    branches of one `if`/`elif`/`else` (or `try`/`except`) are exempt.

    Why it matters:
    Python keeps the last binding of a name, so pytest only ever sees the second function: the first
    test silently never runs. rich had three such pairs (`test_soft_wrap`, `test_force_color`, and
    `test_write_styled_reverse` inside `if sys.platform == "win32":`).

    Example:
    def test_soft_wrap():
        assert render("x", soft_wrap=True) == "x"

    def test_soft_wrap():
        assert render("y") == "y"

    Use instead:
    def test_soft_wrap_enabled():
        assert render("x", soft_wrap=True) == "x"

    def test_soft_wrap_default():
        assert render("y") == "y"
    """

    code = "TQ406"
    name = "duplicate-test-name"
    summary = "Test name defined twice in one scope; the first definition never runs"
    severity = "error"
    tier = "P"
    VALID = [
        "def test_a():\n    assert 1\n\ndef test_b():\n    assert 1\n",
        Example(
            "import sys\n\nif sys.platform == 'win32':\n    def test_path():\n        assert 1\n"
            "else:\n    def test_path():\n        assert 2\n",
            note="alternative definitions in different if/else branches",
        ),
        Example(
            "try:\n    import numpy\nexcept ImportError:\n    def test_np():\n        assert 1\n"
            "else:\n    pass\n\nclass TestX:\n    def test_np(self):\n        assert 1\n",
            note="same name in a different namespace (class vs module)",
        ),
        Example(
            "import pytest\n\n@pytest.fixture\ndef test_data():\n    return 1\n\n"
            "@pytest.fixture\ndef test_data():\n    return 2\n",
            note="fixtures are TQ307's job, not this rule's",
        ),
        Example(
            "import sys\n\nif sys.version_info >= (3, 11):\n    def test_v():\n        assert 1\n"
            "elif sys.version_info >= (3, 9):\n    def test_v():\n        assert 2\n",
            note="if/elif alternatives",
        ),
    ]
    INVALID = [
        Example(
            "def test_soft_wrap():\n    assert 1\n\ndef test_soft_wrap():\n    assert 2\n",
            lines=[1],
        ),
        Example(
            "import sys\n\nif sys.platform == 'win32':\n    def test_write_styled_reverse():\n"
            "        assert 1\n\n    def test_write_styled_reverse():\n        assert 2\n",
            lines=[4],
            note="rich tests/test_win32_console.py:123/140",
        ),
        Example(
            "class TestStyle:\n    def test_parse(self):\n        assert 1\n\n"
            "    def test_parse(self):\n        assert 2\n",
            lines=[2],
        ),
        Example(
            "import pytest\n\n@pytest.mark.parametrize('x', [1, 2, 3])\ndef test_force_color(x):\n"
            "    assert x\n\ndef test_force_color():\n    assert 0 == 0\n",
            lines=[4],
            note="rich tests/test_console.py:947/962 (first one parametrized)",
        ),
    ]

    def check(self, ctx: FileContext) -> None:
        for node, later in shadowed_definitions(ctx):
            ctx.report(
                self,
                node.name,
                f"`{node.name.value}` is defined again at line {ctx.line(later.name)}, so this "
                f"test "
                f"never runs: rename one of them.",
            )


class NeverCollectedTest(Rule):
    """What it does:
    Reports tests pytest will never collect: (a) a `Test*` class with `__init__`; (b) `test*`
    methods in a class pytest does not collect and that no collected class (anywhere in the
    project) inherits from; (c) `test*` functions in a module whose name does not match
    `python_files` (and that no test module imports); (d) a `test*` function nested in another
    function; (e) a class with `__test__ = False` holding test methods and no subclass turning
    collection back on; (f) `@pytest.mark.parametrize(..., [])` (zero cases); (g) misspelled test
    prefixes such as `tset_` or `Test_` on a function.

    Why it matters:
    These tests look like coverage in review but are never executed: pytest only emits a
    collection warning for (a) and skips (f) as "got empty parameter set". Base/mixin classes used
    by `Test*` subclasses (pandas `SharedTests`) are not reported.

    Example:
    class TestCart:
        def __init__(self):
            self.cart = Cart()

        def test_add(self):
            assert self.cart.add(1) == 1

    Use instead:
    class TestCart:
        def setup_method(self):
            self.cart = Cart()

        def test_add(self):
            assert self.cart.add(1) == 1
    """

    code = "TQ405"
    name = "never-collected-test"
    summary = (
        "Test that pytest never collects (constructor, orphan base, nested, empty parametrize)"
    )
    severity = "error"
    tier = "P"
    VALID = [
        "class TestCart:\n    def setup_method(self):\n        self.n = 1\n\n    def "
        "test_n(self):\n"
        "        assert self.n == 1\n",
        Example(
            "class SharedTests:\n    def test_len(self):\n        assert len(self.make()) == 0\n\n"
            "class TestList(SharedTests):\n    def make(self):\n        return []\n",
            note="mixin inherited by a collected class (pandas SharedTests)",
        ),
        Example(
            "from tests.common import Base\n\nclass TestIndex(Base):\n    def make(self):\n"
            "        return []\n",
            files={
                "tests/common.py": "class Base:\n    def test_empty(self):\n        assert not "
                "self.make()\n"
            },
            note="base class in another module (pandas indexes/common.py Base)",
        ),
        Example(
            "def make_test(value):\n    def test_generated():\n        assert value\n"
            "    return test_generated\n\ntest_one = make_test(1)\n",
            note="nested test returned by a factory and bound at module level",
        ),
        Example(
            "import pytest\n\n@pytest.mark.parametrize('x', [1])\ndef test_x(x):\n    assert x\n",
            note="non-empty parametrize",
        ),
        Example(
            "def test_session(app, client):\n    @app.route('/test')\n    def test():\n"
            "        return 'ok'\n\n    assert client.get('/test').data == b'ok'\n",
            note="route handler named test inside a test (flask tests/test_basic.py:433)",
        ),
        Example(
            "import unittest\n\nclass CartTests(unittest.TestCase):\n    def __init__(self, *a):\n"
            "        super().__init__(*a)\n\n    def test_add(self):\n        self.assertTrue(1)\n",
            note="unittest.TestCase classes are collected whatever their name or __init__",
        ),
        Example(
            "from tests.shared import test_roundtrip\n\ndef test_other():\n    assert 1\n",
            files={"tests/shared.py": "def test_roundtrip():\n    assert 1\n"},
            note="test function in a helper module, imported into a test module",
        ),
        Example(
            "class Base:\n    __test__ = False\n\n    def test_x(self):\n        assert self.v\n\n"
            "class TestImpl(Base):\n    __test__ = True\n    v = 1\n",
            note="__test__ = False base re-enabled by a subclass",
        ),
        Example(
            "class TestHelper:\n    def __init__(self, app):\n        self.app = app\n\n"
            "    def get(self):\n        return self.app\n",
            note="`Test*` helper class with a constructor but no test methods",
        ),
    ]
    INVALID = [
        Example(
            "class TestCart:\n    def __init__(self):\n        self.n = 1\n\n    def "
            "test_n(self):\n"
            "        assert self.n == 1\n",
            lines=[1],
        ),
        Example(
            "class CartChecks:\n    def test_total(self):\n        assert 1 + 1 == 2\n", lines=[1]
        ),
        Example(
            "def helper():\n    def test_inner():\n        assert 1\n    test_inner\n\n"
            "def other():\n    def test_lost():\n        assert 2\n",
            lines=[7],
        ),
        Example(
            "import pytest\n\n@pytest.mark.parametrize('x', [])\ndef test_x(x):\n    assert x\n",
            lines=[3],
        ),
        Example(
            "def test_totals():\n    assert 1\n\n    def test_empty_totals():\n        assert 0 == "
            "0\n",
            lines=[4],
            note="indentation slip: a test inside a test (sample_project test_orders.py:81)",
        ),
        Example("def tset_total():\n    assert 1 + 1 == 2\n", lines=[1]),
        Example(
            "def test_ok():\n    assert 1\n",
            files={"tests/check_cart.py": "def test_cart():\n    assert 1\n"},
            count=1,
            note="(c) test in a module not matching python_files",
        ),
        Example(
            "class TestDisabled:\n    __test__ = False\n\n"
            "    def test_x(self):\n        assert 1\n",
            lines=[1],
        ),
    ]

    def check(self, ctx: FileContext) -> None:
        if ctx.is_test_module:
            for cls in ctx.inventory.classes:
                if (
                    cls.has_init
                    and cls.has_test_methods
                    and not cls.is_testcase
                    and not cls.test_false
                    and ctx.settings.matches_class(cls.name)
                ):
                    ctx.report(
                        self,
                        cls.node.name,
                        f"`{cls.name}` defines `__init__`, so pytest does not collect it and its "
                        f"tests never run: move the setup to `setup_method` or a fixture.",
                    )
        for test in ctx.inventory.nested_tests:
            if nested_test_is_used(ctx, test):
                continue
            ctx.report(
                self,
                test.node.name,
                f"`{test.name}` is nested inside `{test.qualname.split('.')[0]}`, so pytest never "
                f"collects it: move it to module level.",
            )
        for node, outer in tests_nested_in_tests(ctx):
            ctx.report(
                self,
                node.name,
                f"`{node.name.value}` is nested inside test `{outer}`, so pytest never collects "
                f"it: dedent it to module level.",
            )
        for call in empty_parametrize_calls(ctx):
            ctx.report(
                self,
                call,
                "`parametrize` with an empty list produces zero test cases (pytest skips the "
                "test): "
                "give it values or delete it.",
            )
        if ctx.is_test_module:
            for node, name in misspelled_test_name(ctx):
                ctx.report(
                    self,
                    node.name,
                    f"`{name}` looks like a test but does not match `python_functions`, so it "
                    f"never "
                    f"runs: rename it to start with `test`.",
                    severity="warning",
                )

    def collect(self, ctx: FileContext, facts: FileFacts) -> None:
        classes: list[dict[str, Any]] = []
        for cls in ctx.inventory.classes:
            if cls.parent is not None:
                continue
            classes.append(
                {
                    "name": cls.name,
                    "line": ctx.line(cls.node.name),
                    "collected": cls.collected,
                    "tests": cls.has_test_methods,
                    "test_false": cls.test_false,
                    "test_true": _sets_test_true(cls.node),
                    "named": ctx.settings.matches_class(cls.name),
                    "init": cls.has_init,
                    "testcase": cls.is_testcase,
                    "bases": [b.split(".")[-1] for b in cls.bases],
                }
            )
        orphans: list[dict[str, Any]] = []
        parts = set(ctx.relpath.split("/")[:-1])
        name = ctx.relpath.rsplit("/", 1)[-1]
        if (
            not ctx.is_test_module
            and not ctx.is_conftest
            and name != "__init__.py"
            and not (parts & _DATA_DIRS)
        ):
            for test_like in ctx.module.body:
                if (
                    isinstance(test_like, cst.FunctionDef)
                    and ctx.settings.matches_function(test_like.name.value)
                    and not any("fixture" in ctx.code(d.decorator) for d in test_like.decorators)
                ):
                    orphans.append({"name": test_like.name.value, "line": ctx.line(test_like.name)})
        stars = [
            ctx.code(stmt.module) if stmt.module is not None else ""
            for line in ctx.module.body
            if isinstance(line, cst.SimpleStatementLine)
            for stmt in line.body
            if isinstance(stmt, cst.ImportFrom) and isinstance(stmt.names, cst.ImportStar)
        ]
        facts.extra[self.code] = {"classes": classes, "orphans": orphans, "stars": stars}

    def check_project(self, project: ProjectContext) -> None:
        all_classes = [
            (path, cls)
            for path, facts in project.files.items()
            for cls in facts.extra.get(self.code, {}).get("classes", [])
        ]
        children: dict[str, list[dict[str, Any]]] = {}
        for _, cls in all_classes:
            for base in cls["bases"]:
                children.setdefault(base, []).append(cls)
        for path, cls in all_classes:
            if not cls["tests"] or cls["collected"] or cls["testcase"]:
                continue
            if cls["named"] and cls["init"]:
                continue  # (a), reported per file
            if cls["test_false"]:
                if not any(c["test_true"] for c in _descendants(cls["name"], children)):
                    project.report(
                        self,
                        path,
                        cls["line"],
                        f"`{cls['name']}` sets `__test__ = False` and no subclass sets it back, so "
                        f"its tests never run: remove it or mark the tests skipped with a reason.",
                        severity="warning",
                        anchor=f"test-false {cls['name']}",
                    )
                continue
            if project.collected_subclasses(cls["name"]):
                continue
            project.report(
                self,
                path,
                cls["line"],
                f"`{cls['name']}` is not collected (name does not match `python_classes`) and no "
                f"collected class inherits from it, so its tests never run: rename it `Test...`.",
                severity="warning",
                anchor=f"orphan-class {cls['name']}",
            )
        self._orphan_functions(project)

    def _orphan_functions(self, project: ProjectContext) -> None:
        imported = {m for facts in project.files.values() for m in facts.imported_modules}
        stars = {
            s
            for facts in project.files.values()
            for s in facts.extra.get(self.code, {}).get("stars", [])
        }
        for path, facts in project.files.items():
            leaf = facts.module.rsplit(".", 1)[-1]
            if any(s == facts.module or s.endswith("." + leaf) or s == leaf for s in stars):
                continue
            for orphan in facts.extra.get(self.code, {}).get("orphans", []):
                suffix = f"{leaf}.{orphan['name']}"
                if any(m == suffix or m.endswith("." + suffix) for m in imported):
                    continue
                project.report(
                    self,
                    path,
                    orphan["line"],
                    f"`{orphan['name']}` is in `{path}`, which does not match `python_files`, so "
                    f"it "
                    f"never runs: move it into a `test_*.py` module.",
                    severity="warning",
                    anchor=f"orphan-function {orphan['name']}",
                )


def _sets_test_true(node: cst.ClassDef) -> bool:
    body = node.body.body if isinstance(node.body, cst.IndentedBlock) else []
    for stmt in body:
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if (
                    isinstance(small, cst.Assign)
                    and any(
                        isinstance(t.target, cst.Name) and t.target.value == "__test__"
                        for t in small.targets
                    )
                    and isinstance(small.value, cst.Name)
                    and small.value.value == "True"
                ):
                    return True
    return False


def _descendants(name: str, children: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    stack, seen = [name], {name}
    while stack:
        for child in children.get(stack.pop(), []):
            if child["name"] not in seen:
                seen.add(child["name"])
                out.append(child)
                stack.append(child["name"])
    return out


class SkipWithoutReason(Rule):
    """What it does:
    Reports `@pytest.mark.skip` / `skipif` / `xfail`, `pytest.skip()` / `pytest.xfail()` and
    `@unittest.skip` without a reason, and (as info) an `xfail` that is not strict while the
    project does not set `xfail_strict = true`.

    Why it matters:
    An unexplained skip is a permanently disabled test nobody dares to re-enable; a non-strict
    xfail silently accepts an unexpected pass (XPASS), so a fixed bug is never noticed and a
    re-broken one is never caught.

    Example:
    @pytest.mark.xfail
    def test_unicode_path():
        assert open_path("é")

    Use instead:
    @pytest.mark.xfail(reason="#412: latin-1 paths on Windows", strict=True)
    def test_unicode_path():
        assert open_path("é")
    """

    code = "TQ404"
    name = "skip-without-reason"
    summary = "skip/xfail without a reason (or a non-strict xfail)"
    severity = "warning"
    tier = "H"
    VALID = [
        "import pytest\n\n@pytest.mark.skip(reason='needs network')\ndef test_a():\n    assert 1\n",
        Example(
            "import sys\nimport pytest\n\n@pytest.mark.skipif(sys.platform == 'win32', "
            "reason='posix only')\n"
            "def test_b():\n    assert 1\n",
            note="skipif with a reason",
        ),
        Example(
            "import pytest\n\n@pytest.mark.xfail(reason='#12', strict=True)\ndef test_c():\n    "
            "assert 0\n",
            note="strict xfail with a reason",
        ),
        Example(
            "import pytest\n\n@pytest.mark.xfail(reason='#12')\ndef test_d():\n    assert 0\n",
            pytest_ini="xfail_strict = true\n",
            note="xfail_strict set in the pytest config",
        ),
        Example(
            "import pytest\n\ndef test_e():\n    pytest.skip('server not running')\n",
            note="pytest.skip with a message",
        ),
        Example(
            "import pytest\n\npytest.importorskip('numpy')\n", note="importorskip explains itself"
        ),
    ]
    INVALID = [
        Example("import pytest\n\n@pytest.mark.skip\ndef test_a():\n    assert 1\n", lines=[3]),
        Example("import pytest\n\n@pytest.mark.skip()\ndef test_a():\n    assert 1\n", lines=[3]),
        Example(
            "import pytest\n\n@pytest.mark.xfail\ndef test_proxy():\n    assert 0\n",
            lines=[3],
            note="requests tests/test_requests.py:2200",
        ),
        Example("import pytest\n\ndef test_x():\n    pytest.skip()\n", lines=[4]),
        Example(
            "import unittest\n\nclass TestU(unittest.TestCase):\n    @unittest.skip('')\n"
            "    def test_u(self):\n        pass\n",
            lines=[4],
        ),
        Example(
            "import pytest\n\n@pytest.mark.parametrize('x', [1, pytest.param(2, "
            "marks=pytest.mark.xfail)])\n"
            "def test_p(x):\n    assert x == 1\n",
            lines=[3],
        ),
        Example(
            "import pytest\n\n@pytest.mark.xfail(reason='#12')\ndef test_loose():\n    assert 0\n",
            lines=[3],
            note="non-strict xfail -> info",
        ),
    ]

    def check(self, ctx: FileContext) -> None:
        for problem in mark_reason_problems(ctx):
            ctx.report(self, problem.node, problem.message, severity=problem.severity)


_SLOW_MARKS = {"slow", "integration", "e2e", "functional", "system"}


class SleepyTest(Rule):
    """What it does:
    Reports `time.sleep` / `asyncio.sleep` / `trio.sleep` / `anyio.sleep` / `gevent.sleep` with a
    positive or computed duration in a test or fixture body (or a same-module helper they call).
    `sleep(0)` (a yield point), modules using `freezegun`/`time_machine`, and tests that patch
    `sleep` are exempt; tests marked slow/integration get info instead of a warning.

    Why it matters:
    A sleep either waits for something nondeterministic (flaky on a loaded CI runner) or waits
    for nothing (a slow suite). Polling with a timeout, events, or a fake clock are deterministic.

    Example:
    def test_cache_expires():
        cache.put("k", 1, ttl=0.1)
        time.sleep(0.2)
        assert cache.get("k") is None

    Use instead:
    def test_cache_expires(frozen_clock):
        cache.put("k", 1, ttl=0.1)
        frozen_clock.tick(0.2)
        assert cache.get("k") is None
    """

    code = "TQ401"
    name = "sleepy-test"
    summary = "Test or fixture sleeps (nondeterministic timing, slow suite)"
    severity = "warning"
    tier = "H"
    VALID = [
        "import asyncio\n\nasync def test_yield():\n    await asyncio.sleep(0)\n    assert 1\n",
        Example(
            "import time\nfrom freezegun import freeze_time\n\n@freeze_time('2020-01-01')\n"
            "def test_frozen():\n    time.sleep(5)\n    assert 1\n",
            note="frozen clock (freezegun)",
        ),
        Example(
            "import time\n\ndef test_fake(monkeypatch):\n    monkeypatch.setattr(time, 'sleep', "
            "lambda s: None)\n"
            "    time.sleep(5)\n    assert 1\n",
            note="sleep is patched out",
        ),
        Example(
            "import time\n\ndef test_sut(server):\n    def slow_handler():\n        time.sleep(1)\n"
            "    server.handler = slow_handler\n    assert server.call()\n",
            note="sleep in a nested fake handed to the SUT",
        ),
        Example(
            "import time\n\ndef test_server(server):\n    while not server.started:\n"
            "        time.sleep(0.001)\n    assert server.get('/') == 200\n",
            note="polling a condition in a while loop is the recommended fix (httpx "
            "conftest.py:276)",
        ),
        Example(
            "import trio\n\nasync def test_timeout(autojump_clock):\n    await trio.sleep(10)\n"
            "    assert 1\n",
            note="fake clock fixture: the sleep costs no real time (trio test_dtls.py)",
        ),
    ]
    INVALID = [
        Example("import time\n\ndef test_wait():\n    time.sleep(0.5)\n    assert 1\n", lines=[4]),
        Example(
            "from time import sleep\n\ndef test_wait(n):\n    sleep(n)\n    assert 1\n", lines=[4]
        ),
        Example(
            "import asyncio\nimport pytest\n\n@pytest.fixture\nasync def server():\n"
            "    await asyncio.sleep(1)\n    return 1\n",
            lines=[6],
        ),
        Example(
            "import time\n\ndef wait_ready():\n    time.sleep(2)\n\ndef test_ready():\n    "
            "wait_ready()\n"
            "    assert 1\n",
            lines=[4],
        ),
    ]

    def check(self, ctx: FileContext) -> None:
        if "sleep" not in ctx.source or frozen_clock(ctx):
            return
        called: set[str] = set()
        for func in [*ctx.tests, *ctx.fixtures]:
            marks = getattr(func, "marks", set()) | ctx.inventory.module_marks
            severity = "info" if marks & _SLOW_MARKS else None
            for call in sleep_calls(ctx, func):
                ctx.report(
                    self,
                    call,
                    "Test sleeps: wait on an event/condition with a timeout, or "
                    "use a fake clock, instead of a fixed delay.",
                    test=func,
                    severity=severity,
                )
            called.update(n.split(".")[-1] for n in ctx.oracle(func).calls)
        for name, node in ctx.inventory.helpers.items():
            if name in called and not is_test_name(ctx, name):
                helper = FunctionInfo_for(node)
                for call in sleep_calls(ctx, helper):
                    ctx.report(
                        self,
                        call,
                        f"Helper `{name}` (called by tests) sleeps: wait on a "
                        f"condition with a timeout, or use a fake clock.",
                    )


def FunctionInfo_for(node: cst.FunctionDef) -> FunctionInfo:
    return FunctionInfo(
        node=node,
        name=node.name.value,
        qualname=node.name.value,
        cls=None,
        params=[],
        defaulted=[],
        decorators=[],
        is_async=node.asynchronous is not None,
    )


class ConditionalVerification(Rule):
    """What it does:
    Reports a test whose every verification sits under an `if`/`elif` without a verifying `else`,
    a loop over an iterable that may be empty, a `while` loop, a `match` case or an `except`
    handler: there is an execution path through the test that checks nothing. Loops over literal
    tables (`for x in [1, 2]`, `range(3)`, module-level literal constants), `if`/`else` that verify
    in every branch, and `try` bodies (they run unconditionally) are not conditional.

    Why it matters:
    These are rotten-green tests: when the condition is false or the collection comes back empty
    (often *because* of the bug), the test passes without asserting anything.

    Example:
    def test_all_items_priced(cart):
        for item in cart.items():
            assert item.price > 0

    Use instead:
    def test_all_items_priced(cart):
        items = cart.items()
        assert items
        for item in items:
            assert item.price > 0
    """

    code = "TQ402"
    name = "conditional-verification"
    summary = "Every verification of the test is behind a condition or a possibly-empty loop"
    severity = "warning"
    tier = "H"
    VALID = [
        "def test_a():\n    x = compute()\n    assert x == 1\n",
        Example(
            "def test_table():\n    for value, want in [(1, 2), (2, 4)]:\n        assert value * 2 "
            "== want\n",
            note="loop over a literal table",
        ),
        Example(
            "CASES = [1, 2, 3]\n\ndef test_cases():\n    for c in CASES:\n        assert c > 0\n",
            note="loop over a module-level literal constant",
        ),
        Example(
            "def test_branches(flag):\n    if flag:\n        assert f(1) == 1\n    else:\n"
            "        assert f(2) == 2\n",
            note="both branches verify",
        ),
        Example(
            "def test_select(flag):\n    expected = 1 if flag else 2\n    if flag:\n        "
            "expected = 3\n"
            "    assert f() == expected\n",
            note="if selects the expected value, the assert is unconditional",
        ),
        Example(
            "def test_try():\n    try:\n        assert f() == 1\n    finally:\n        cleanup()\n",
            note="try body runs unconditionally",
        ),
        Example(
            "def test_range():\n    for i in range(3):\n        assert f(i) >= 0\n",
            note="range with a positive literal",
        ),
        Example(
            "import pytest\n\ndef test_mapped():\n    missing = {'a'} - known()\n    if missing:\n"
            "        pytest.fail(f'unmapped: {missing}')\n",
            note="`if bad: pytest.fail()` is an unconditional check (httpx test_exceptions.py:14)",
        ),
        Example(
            "def test_headers(client):\n    headers = {'a': '1', 'b': ''}\n    r = "
            "client.get(headers)\n"
            "    for key in headers.keys():\n        assert r.headers[key] == headers[key]\n",
            note="loop over a local literal table (requests test_header_validation)",
        ),
        Example(
            "class TestDigest:\n    algos = ('MD5', 'SHA-256')\n\n    def test_auth(self):\n"
            "        for algo in self.algos:\n            assert auth(algo) == 200\n",
            note="loop over a class-level literal (requests digest_auth_algo)",
        ),
    ]
    INVALID = [
        Example(
            "def test_items(cart):\n    for item in cart.items():\n        assert item.price > 0\n",
            lines=[2],
        ),
        Example(
            "def test_flag(obj):\n    if obj.ready:\n        assert obj.value == 1\n", lines=[2]
        ),
        Example(
            "def test_history(r):\n    i = 0\n    for item in r.history:\n"
            "        assert item.history == r.history[:i]\n        i += 1\n",
            lines=[3],
            note="requests test_requests_history_is_saved: empty history checks nothing",
        ),
        Example(
            "def test_except():\n    try:\n        run()\n    except ValueError as e:\n"
            "        assert 'bad' in str(e)\n",
            lines=[4],
        ),
        Example(
            "class TestX:\n    def test_while(self, q):\n        while q:\n            assert "
            "q.pop()\n",
            lines=[3],
        ),
    ]

    def collect(self, ctx: FileContext, facts: FileFacts) -> None:
        candidates: list[dict[str, Any]] = []
        for test in ctx.tests:
            if test.is_given or test.marks & {"skip", "skipif", "xfail"}:
                continue
            shape = conditional_verification(ctx, test)
            if shape.unconditional or not shape.conditional_kinds:
                continue
            candidates.append(
                {
                    "nodeid": test.nodeid,
                    "kinds": sorted(shape.conditional_kinds),
                    "line": min(shape.conditional_lines),
                    "calls": sorted(set(shape.unconditional_calls)),
                    "params": sorted(shape.unconditional_params),
                }
            )
        facts.extra[self.code] = candidates

    def check_project(self, project: ProjectContext) -> None:
        for path, facts in project.files.items():
            tests = {t.nodeid: t for t in facts.tests}
            for entry in facts.extra.get(self.code, []):
                test = tests.get(entry["nodeid"])
                if test is None or test.exempt in ("skip/xfail", "benchmark"):
                    continue
                if any(project.helper_asserts(c) for c in entry["calls"]):
                    continue
                if any(
                    (r := project.resolve_fixture(p, path, test.cls)) is not None
                    and r.fact is not None
                    and r.fact.contains_oracle
                    for p in entry["params"]
                ):
                    continue
                kinds = entry["kinds"]
                if kinds == ["for"]:
                    fix = "the loop may run zero times: assert the iterable is non-empty before it."
                else:
                    fix = (
                        f"they only run under {'/'.join(kinds)}: add an unconditional assert or an "
                        f"`else: pytest.fail(...)` branch."
                    )
                project.report(
                    self,
                    path,
                    entry["line"],
                    f"Every check in `{test.name}` is conditional — {fix}",
                    test=test,
                )


class UnawaitedAsyncTest(Rule):
    """What it does:
    Reports an `async def` test that no async runner will execute: no `asyncio`/`anyio`/`trio`
    mark on the test, its class or module `pytestmark`; no `asyncio_mode = auto` (or
    `--asyncio-mode=auto` in addopts) or `trio_mode = true`; no conftest hook adding such a mark;
    no auto-running plugin in `pytest_plugins`; no `anyio_backend` parameter; no sync-wrapping
    decorator (tornado `gen_test`, twisted); and not an `IsolatedAsyncioTestCase` method.
    A plain `unittest.TestCase` with an `async def` test is reported too.

    Why it matters:
    Verified with pytest 9.2.0 / Python 3.11: an unmarked `async def test_*` FAILS with "async def
    functions are not natively supported" (pytest >= 8.4; older pytest skipped it with a
    `PytestUnhandledCoroutineWarning`, so it silently never ran). Installing pytest-asyncio is not
    enough: its default strict mode only runs marked tests. Worst of all, in a plain
    `unittest.TestCase` the coroutine is created and never awaited and the test PASSES (only a
    `RuntimeWarning: coroutine ... was never awaited`) — its assertions never execute.

    Example:
    async def test_fetch():
        assert await fetch() == 200

    Use instead:
    @pytest.mark.asyncio
    async def test_fetch():
        assert await fetch() == 200
    """

    code = "TQ411"
    name = "unawaited-async-test"
    summary = "async test that no async plugin or marker will run"
    severity = "error"
    tier = "P"
    VALID = [
        "import pytest\n\n@pytest.mark.asyncio\nasync def test_a():\n    assert 1\n",
        Example(
            "import pytest\n\npytestmark = pytest.mark.anyio\n\n"
            "async def test_b():\n    assert 1\n",
            note="module pytestmark",
        ),
        Example(
            "import pytest\n\n@pytest.mark.trio\nclass TestT:\n    async def test_c(self):\n       "
            " assert 1\n",
            note="class mark",
        ),
        Example(
            "async def test_d():\n    assert 1\n",
            pytest_ini="asyncio_mode = auto\n",
            note="pytest-asyncio auto mode",
        ),
        Example(
            "async def test_d():\n    assert 1\n",
            pytest_ini="addopts = --asyncio-mode=auto\n",
            note="auto mode via addopts",
        ),
        Example(
            "import unittest\n\nclass TestI(unittest.IsolatedAsyncioTestCase):\n    async def "
            "test_e(self):\n"
            "        self.assertTrue(1)\n",
            note="IsolatedAsyncioTestCase runs coroutines",
        ),
        Example(
            "async def test_f():\n    assert 1\n",
            files={
                "tests/conftest.py": "import pytest\n\ndef pytest_collection_modifyitems(items):\n"
                "    for item in items:\n        item.add_marker(pytest.mark.anyio)\n"
            },
            note="project-wide anyio marker added by a conftest hook",
        ),
        Example("async def test_g(anyio_backend):\n    assert 1\n", note="requests anyio_backend"),
        Example(
            "from tornado.testing import gen_test\n\n"
            "@gen_test\nasync def test_h():\n    assert 1\n",
            note="sync-wrapping decorator",
        ),
        Example(
            "async def helper():\n    return 1\n\ndef test_i():\n    assert helper\n",
            note="not a test",
        ),
    ]
    INVALID = [
        Example("async def test_fetch():\n    assert 1\n", lines=[1]),
        Example(
            "import pytest\n\nclass TestApi:\n    @pytest.mark.parametrize('x', [1])\n"
            "    async def test_get(self, x):\n        assert x\n",
            lines=[5],
        ),
        Example(
            "import unittest\n\nclass TestU(unittest.TestCase):\n    async def "
            "test_passes_silently(self):\n"
            "        self.assertTrue(False)\n",
            lines=[4],
            note="plain TestCase: the coroutine is never awaited and the test passes",
        ),
        Example(
            "async def test_strict():\n    assert 1\n",
            files={"tests/conftest.py": "pytest_plugins = ['pytest_asyncio']\n"},
            lines=[1],
            note="pytest-asyncio loaded but in (default) strict mode",
        ),
    ]

    def collect(self, ctx: FileContext, facts: FileFacts) -> None:
        settings = ctx.settings
        opts = " ".join(settings.addopts).replace("=", " ").split()
        auto = (
            settings.asyncio_mode.lower() == "auto"
            or any(a == "--asyncio-mode" and b == "auto" for a, b in itertools.pairwise(opts))
            or settings.trio_mode
        )
        candidates: list[dict[str, Any]] = []
        for test in ctx.tests:
            if not test.is_async or test.in_base_class or auto:
                continue
            if test.marks & ASYNC_MARKS or "anyio_backend" in test.param_set:
                continue
            if (
                test.cls is not None
                and test.cls.is_testcase
                and any(
                    "IsolatedAsyncio" in b or "AsyncTestCase" in b or "AioHTTPTestCase" in b
                    for b in test.cls.bases
                )
            ):
                continue
            if (
                test.cls is not None
                and test.cls.is_testcase
                and any(
                    b not in ("unittest.TestCase", "unittest.case.TestCase") for b in test.cls.bases
                )
            ):
                continue  # a TestCase subclass of unknown origin may run coroutines itself
            if test_sync_wrapped(ctx, test):
                continue
            candidates.append(
                {
                    "line": ctx.line(test.node.name),
                    "name": test.name,
                    "nodeid": test.nodeid,
                    "unittest": bool(test.cls is not None and test.cls.is_testcase),
                }
            )
        facts.extra[self.code] = {"tests": candidates, **async_file_facts(ctx)}

    def check_project(self, project: ProjectContext) -> None:
        data_by_file = {p: f.extra.get(self.code, {}) for p, f in project.files.items()}
        for path, facts in project.files.items():
            data = data_by_file[path]
            if not data.get("tests"):
                continue
            if runs_coroutines(data_by_file, project.conftest_chain(path), path):
                continue
            by_id = {t.nodeid: t for t in facts.tests}
            for entry in data["tests"]:
                if entry["unittest"]:
                    message = (
                        f"`{entry['name']}` is `async def` in a plain `unittest.TestCase`: the "
                        f"coroutine is never awaited and the test passes without running — "
                        f"inherit from `unittest.IsolatedAsyncioTestCase`."
                    )
                else:
                    message = (
                        f"`{entry['name']}` is `async def` but no async plugin will run it "
                        f"(pytest fails it, older pytest skipped it): add `@pytest.mark.asyncio` "
                        f"(or anyio/trio), or set `asyncio_mode = auto`."
                    )
                project.report(self, path, entry["line"], message, test=by_id.get(entry["nodeid"]))
