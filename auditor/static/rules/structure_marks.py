"""Family 4xx — marks and runners: skips without a reason (TQ404) and async tests no plugin
runs (TQ411)."""

from __future__ import annotations

import itertools
from typing import Any

from auditor.static.context import FileContext
from auditor.static.facts import FileFacts
from auditor.static.project_context import ProjectContext
from auditor.static.rules._async_runners import (
    ASYNC_MARKS,
    async_file_facts,
    runs_coroutines,
    test_sync_wrapped,
)
from auditor.static.rules._structure_walk import (
    mark_reason_problems,
)
from auditor.static.rules.base import Example, Rule


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
