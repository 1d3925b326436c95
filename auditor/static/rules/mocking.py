"""Family 2xx — over-mocking: tests that replace the unit they test, or so much nothing real runs.

The patch targets of every test are recorded per file (`PatchFact`, see `auditor/static/mocks.py`)
and classified at project level against the source index (`_mock_targets.py`): a target string
that resolves to a *definition* in the unit under test is self-mocking; one that resolves to an
*import* in it (`pkg.console.os.get_terminal_size`) is a boundary double, "patch where it is used".
"""

from __future__ import annotations

from auditor.static.context import FileContext
from auditor.static.facts import FileFacts, PatchFact, TestFact
from auditor.static.project_context import ProjectContext
from auditor.static.rules._mock_targets import (
    EXAMPLE_SOURCES,
    anchor_of,
    branch_total,
    classify,
    exercises_double,
    patch_tests,
    record_patches,
    self_mocked,
    turns_a_setting,
)
from auditor.static.rules.base import Example, Rule
from auditor.static.source_index import is_boundary


class MockingUnitUnderTest(Rule):
    """What it does:
    Reports a `patch`/`mocker.patch`/`monkeypatch.setattr` whose target resolves (through the
    project index) to a function, class or module-level name *defined* in the unit under test — the
    project module the test module imports most (tie: `test_foo.py` -> `foo.py`) — and
    `patch.object(Cls, "method")` on a class the test itself instantiates.

    Why it matters:
    The test replaces part of the code it claims to test, so it checks the double, not the code.
    Patching an *imported* name in the unit (`pkg.orders.requests.post`) is a boundary double and is
    not reported.

    Example:
    @patch("shop.orders.compute_total", return_value=30)
    def test_checkout(_total):
        assert checkout(cart) == 30

    Use instead:
    @patch("shop.orders.payment_gateway.charge")
    def test_checkout(_charge):
        assert checkout(cart) == 30
    """

    code = "TQ201"
    name = "mocking-unit-under-test"
    summary = "Patches a definition inside the module under test"
    severity = "info"  # held-out precision below the bar (docs/precision.md): info until fixed
    tier = "S"
    options = {"allow-private-error-paths": True}
    _SRC = EXAMPLE_SOURCES
    VALID = [
        Example(
            "from unittest.mock import patch\nfrom shop.orders import checkout\n\n"
            "@patch('shop.orders.os.getcwd', return_value='/x')\ndef test_checkout(_cwd):\n"
            "    assert checkout([1]) == 3\n",
            files=_SRC,
            note="imported symbol in the SUT module is a boundary "
            "(rich.console.os.get_terminal_size)",
        ),
        Example(
            "from unittest.mock import patch\nfrom shop.orders import checkout\n\n"
            "def test_rate():\n    with patch('shop.orders.rate', return_value=2):\n"
            "        assert checkout([1]) == 2 + 2\n",
            files=_SRC,
            note="an imported project collaborator is not the unit under test (TQ203 territory)",
        ),
        Example(
            "from unittest.mock import patch\nimport pytest\nfrom shop.orders import checkout\n\n"
            "def test_closed():\n    with patch('shop.orders._raise_if_closed', "
            "side_effect=RuntimeError):\n"
            "        with pytest.raises(RuntimeError):\n            checkout([1])\n",
            files=_SRC,
            note="patching a private helper to force an error path (configurable)",
        ),
        Example(
            "from shop.orders import checkout\n\ndef test_limit(monkeypatch):\n"
            "    monkeypatch.setattr('shop.orders.LIMIT', 1)\n    assert checkout([1]) == 3\n",
            files=_SRC,
            note="setting a module constant to a literal is configuration, not a double",
        ),
        Example(
            "from shop import orders\n\ndef test_flag(monkeypatch, flag):\n"
            "    monkeypatch.setattr(orders.Repo, 'strict', flag)\n"
            "    monkeypatch.setattr(orders, 'LIMIT', flag)\n    assert orders.checkout([1])\n",
            files=_SRC,
            note="class flags and CONSTANTS are settings (werkzeug autocorrect_location_header)",
        ),
        Example(
            "from unittest import mock\nfrom shop import orders\n\ndef test_log():\n"
            "    with mock.patch.object(orders.log, 'warning') as warn:\n"
            "        orders.checkout([1])\n    warn.assert_not_called()\n",
            files={
                **_SRC,
                "src/shop/orders.py": _SRC["src/shop/orders.py"]
                + "\nimport logging\nlog = logging.getLogger(__name__)\n",
            },
            note="a module-level logger's method is the logging API (urllib3 "
            "connection.log.warning)",
        ),
        Example(
            "from unittest import mock\nimport pytest\nfrom shop.orders import Repo\n\n"
            "def test_err():\n    repo = Repo()\n    with mock.patch.object(repo, '_io') as io:\n"
            "        io.side_effect = OSError()\n        with pytest.raises(OSError):\n"
            "            repo.save(1)\n",
            files={
                **_SRC,
                "src/shop/orders.py": _SRC["src/shop/orders.py"]
                + "\n    def _io(self):\n        pass\n",
            },
            note="private method given a side_effect later: forcing an error path (urllib3 "
            "ssltransport)",
        ),
        Example(
            "from unittest import mock\nfrom shop import orders\n\ndef test_warns():\n"
            "    with mock.patch.object(orders, 'logger') as log:\n        orders.checkout([1])\n"
            "    assert not log.warning.called\n",
            files={
                **_SRC,
                "src/shop/orders.py": _SRC["src/shop/orders.py"]
                + "\nimport logging\nlogger = logging.getLogger(__name__)\n",
            },
            note="a module-level logger object is a boundary (sphinx.config.logger)",
        ),
        Example(
            "from unittest import mock\nfrom shop.tax import rate\nfrom shop.orders import "
            "checkout\n"
            "from shop.tax import rate as r2\n\ndef test_uses():\n"
            "    with mock.patch('shop.orders.rate', return_value=2):\n"
            "        assert checkout([1]) == 4 and rate() == r2()\n",
            files=_SRC,
            path="tests/test_tax.py",
            note="patched where used (in shop.orders), even when shop.tax is the module under test",
        ),
        Example(
            "from unittest import mock\nfrom shop.net import bypass\n\n"
            "def test_bypass():\n    with mock.patch('shop.net.proxy_bypass') as pb:\n"
            "        bypass('h:1')\n        pb.assert_called_once_with('h')\n",
            files={
                "src/shop/__init__.py": "",
                "src/shop/net.py": "import sys\nfrom urllib.request import proxy_bypass\n\n"
                "if sys.platform == 'win32':\n    def proxy_bypass(host):\n        return False\n\n"
                "def bypass(url):\n    return proxy_bypass(url.split(':')[0])\n",
            },
            note="imported name redefined under a platform guard (requests.utils.proxy_bypass)",
        ),
    ]
    INVALID = [
        Example(
            "from unittest.mock import patch\nfrom shop.orders import checkout\n\n"
            "@patch('shop.orders.compute_total', return_value=30)\ndef test_checkout(_total):\n"
            "    assert checkout([1]) == 30 + 2\n",
            files=_SRC,
            lines=[4],
        ),
        Example(
            "from shop.orders import checkout\n\ndef test_checkout(mocker):\n"
            "    mocker.patch('shop.orders.compute_total', return_value=30)\n"
            "    assert checkout([1]) == 32\n",
            files=_SRC,
            lines=[4],
        ),
        Example(
            "from unittest import mock\nfrom shop.orders import Repo\n\ndef test_save():\n"
            "    with mock.patch.object(Repo, 'save', return_value=1):\n        repo = Repo()\n"
            "        assert repo.save(2) == 1\n",
            files=_SRC,
            lines=[5],
        ),
    ]

    def collect(self, ctx: FileContext, facts: FileFacts) -> None:
        record_patches(ctx, facts)

    def check_project(self, project: ProjectContext) -> None:
        allow = bool(project.setting(self, "allow-private-error-paths"))
        for test in patch_tests(project):
            for patch in test.patches:
                module = self_mocked(project, test, patch, allow)
                if module is None:
                    continue
                severe = exercises_double(project, patch)
                project.report(
                    self,
                    test.path,
                    patch.line,
                    f"`{test.name}` replaces `{patch.target}`, defined in the unit under test "
                    f"(`{module}`): part of the code under test is a double. Patch the boundary "
                    f"it calls (I/O, clock, network) instead, or suppress with a reason if this "
                    f"is a deliberate seam.",
                    test=test,
                    severity="error" if severe else None,
                    anchor=anchor_of(test, patch),
                )


class PatchStack(Rule):
    """What it does:
    Counts the object replacements of each test — `@patch`/`patch.object`/`patch.multiple`
    decorators on the test and its class, `with patch(...)` items, `mocker.patch*`/`spy`/`stub`,
    `monkeypatch.setattr/delattr`, `patch.dict(x)` for x other than `os.environ` — and reports tests
    above `max-replacements` (default 3). Environment setup (`setenv`, `delenv`, `chdir`,
    `syspath_prepend`, `patch.dict(os.environ)`) is not counted; replacements of I/O boundaries
    (`os`, `time`, `socket`, `requests`, ...) weigh `boundary-weight` (0.5).

    Why it matters:
    A test that needs four, five or six patches shows a unit with poor seams: the test is coupled to
    the call structure and breaks on refactors that keep behaviour.

    Example:
    @patch("shop.orders.db")
    @patch("shop.orders.mailer")
    @patch("shop.orders.inventory")
    @patch("shop.orders.payments")
    def test_place(*mocks): ...

    Use instead:
    def test_place(fake_store):
        place(order, store=fake_store)
    """

    code = "TQ202"
    name = "patch-stack"
    summary = "Too many object replacements in one test"
    severity = "warning"
    tier = "H"
    options = {"max-replacements": 3, "boundary-weight": 0.5, "count-fixtures": True}
    VALID = [
        Example(
            "def test_env(monkeypatch):\n"
            + "".join(f"    monkeypatch.setenv('V{i}', '{i}')\n" for i in range(7))
            + "    assert True is not False\n",
            note="environment setup is not mocking (flask tests/test_config.py:48)",
        ),
        Example(
            "import os, time\nfrom unittest import mock\n\ndef test_clock(monkeypatch, mocker):\n"
            "    monkeypatch.setattr(time, 'time', lambda: 0)\n    monkeypatch.setattr(time, "
            "'sleep', print)\n"
            "    mocker.patch('os.getcwd')\n    mocker.patch('socket.gethostname')\n"
            "    with mock.patch.dict(os.environ, {'A': '1'}):\n        assert time.time() == 0\n",
            note="four boundary replacements weigh 0.5 each; patch.dict(os.environ) is setup",
        ),
        Example(
            "from unittest.mock import patch\n\n@patch('a.b')\n@patch('a.c')\n"
            "def test_three(b, c, mocker):\n    mocker.patch('a.d')\n    assert b is not c\n",
            note="exactly at the limit",
        ),
        Example(
            "import shop\n\ndef test_limits(monkeypatch, mocker):\n"
            "    monkeypatch.setattr(shop, '_MAX_PER_DOMAIN', 6)\n    monkeypatch.setattr(shop, "
            "'quota', 4)\n"
            "    monkeypatch.setattr(shop, 'LIMIT', flag)\n    mocker.patch('shop.a')\n"
            "    mocker.patch('shop.b')\n    assert shop\n",
            note="settings (literal values, CONSTANTS) are not replaced objects (aiohttp "
            "cookiejar)",
        ),
        Example(
            "def test_branches(mocker, kind):\n    if kind == 'a':\n        mocker.spy(m, 'a')\n"
            "    elif kind == 'b':\n        mocker.spy(m, 'b')\n    elif kind == 'c':\n"
            "        mocker.spy(m, 'c')\n    else:\n        mocker.spy(m, 'd')\n"
            "    mocker.patch('x.y')\n    assert kind\n",
            note="exclusive if/elif branches: only the heaviest branch counts (pytest-mock tests)",
        ),
    ]
    INVALID = [
        Example(
            "from unittest.mock import patch\n\n@patch('shop.a')\n@patch('shop.b')\n"
            "def test_many(a, b, mocker, monkeypatch):\n    mocker.patch('shop.c')\n"
            "    monkeypatch.setattr('shop.d', fake)\n    assert a is not b\n",
            lines=[5],
        ),
        Example(
            "from unittest import mock\n\n@mock.patch('shop.a')\nclass TestX:\n"
            "    @mock.patch.multiple('shop', b=1, c=2)\n    def test_y(self, a):\n"
            "        with mock.patch.dict('shop.registry', {'k': 1}):\n            assert a\n",
            lines=[6],
            note="class decorators, patch.multiple names and patch.dict(non-environ) all count",
        ),
        Example(
            "def test_via_fixture(fake_services, mocker):\n    mocker.patch('shop.mailer')\n"
            "    assert fake_services\n",
            files={
                "tests/conftest.py": "import pytest\n\n@pytest.fixture\ndef "
                "fake_services(mocker):\n"
                "    mocker.patch('shop.db')\n    mocker.patch('shop.cache')\n"
                "    mocker.patch('shop.queue')\n    return 1\n"
            },
            lines=[1],
            note="replacements inside requested project fixtures count (one level)",
        ),
    ]

    def collect(self, ctx: FileContext, facts: FileFacts) -> None:
        record_patches(ctx, facts)

    def check_project(self, project: ProjectContext) -> None:
        limit = float(project.setting(self, "max-replacements"))  # type: ignore[arg-type]
        weight = float(project.setting(self, "boundary-weight"))  # type: ignore[arg-type]
        fixtures = bool(project.setting(self, "count-fixtures"))

        def weigh(patch: PatchFact) -> float:
            kind, qualified = classify(project, patch)
            return weight if kind == "external" and is_boundary(qualified) else 1.0

        for test in project.tests():
            if not project.files[test.path].is_test_module:
                continue
            inherited = self._from_fixtures(project, test) if fixtures else []
            patches = [p for p in test.patches if not turns_a_setting(p)]
            if not patches and not inherited:
                continue
            own = [(p, weigh(p)) for p in patches]
            total = branch_total(own, 1) + sum(weigh(p) for p in inherited)
            if total <= limit:
                continue
            names = ", ".join(sorted({p.target.rsplit(".", 1)[-1] for p in patches}))
            via = f", {len(inherited)} in requested fixtures" if inherited else ""
            project.report(
                self,
                test.path,
                test.line,
                f"`{test.name}` replaces {len(patches) + len(inherited)} objects{via} "
                f"(weighted {total:g} > {limit:g}: {names[:120]}): inject the collaborators or "
                f"split the test.",
                test=test,
            )

    @staticmethod
    def _from_fixtures(project: ProjectContext, test: TestFact) -> list[PatchFact]:
        """Replacements made by the project fixtures the test requests directly (one level)."""
        out: list[PatchFact] = []
        for name in {*test.params, *test.usefixtures}:
            resolved = project.resolve_fixture(name, test.path, test.cls)
            if resolved is not None and resolved.fact is not None:
                out.extend(
                    PatchFact(target=t, line=0, column=0, kind="string", origin="fixture")
                    for t in resolved.fact.patch_targets
                )
        return out


class AssertingOnPatchedTarget(Rule):
    """What it does:
    Reports a test that replaces a project symbol and then calls that same symbol (or the mock bound
    to it) itself, or asserts `result == <mock>.return_value` where `result` came from that call.

    Why it matters:
    The test exercises only the double: it passes for any implementation of the code it names.

    Example:
    def test_total(mocker):
        m = mocker.patch("shop.orders.compute_total", return_value=30)
        assert shop.orders.compute_total([1]) == m.return_value

    Use instead:
    def test_total():
        assert compute_total([10, 20]) == 30
    """

    code = "TQ206"
    name = "asserting-on-patched-target"
    summary = "Test calls the symbol it replaced and checks the double"
    severity = "error"
    tier = "S"
    _SRC = EXAMPLE_SOURCES
    VALID = [
        Example(
            "from unittest.mock import patch\nfrom shop.orders import checkout\n\n"
            "def test_checkout():\n    with patch('shop.orders.rate', return_value=2):\n"
            "        assert checkout([1]) == 4\n",
            files=_SRC,
            note="patch X, call a different function that uses X (the normal case)",
        ),
        Example(
            "import shop.tax\n\ndef test_spy(mocker):\n    spy = mocker.spy(shop.tax, 'rate')\n"
            "    assert shop.tax.rate() == 1\n    spy.assert_called_once_with()\n",
            files=_SRC,
            note="spies run the real code",
        ),
        Example(
            "from unittest.mock import patch\nfrom shop.tax import rate\n\n"
            "def test_early_bound():\n    with patch('shop.tax.rate', return_value=5):\n"
            "        assert rate() == 1\n",
            files=_SRC,
            note="a from-import binds the original before the patch: the real code runs",
        ),
        Example(
            "from unittest import mock\nimport shop.tax\nfrom shop.orders import checkout\n\n"
            "def test_cfg():\n    with mock.patch('shop.tax.rate') as m:\n"
            "        m().value = 2\n        m.return_value.close = print\n"
            "        assert checkout([1])\n",
            files=_SRC,
            note="`m().attr = ...` configures the mock's instance (aiohttp test_connector.py)",
        ),
        Example(
            "from unittest.mock import patch\nimport shop.orders\nfrom shop.orders import checkout\n\n"
            "def test_with_fake_repo():\n    with patch('shop.orders.Repo') as FakeRepo:\n"
            "        repo = shop.orders.Repo()\n        assert checkout([1], repo=repo) == 3\n",
            files=_SRC,
            note="the mocked class is instantiated and the instance passed into the real function",
        ),
    ]
    INVALID = [
        Example(
            "import shop.tax\n\ndef test_rate(mocker):\n"
            "    m = mocker.patch('shop.tax.rate', return_value=5)\n"
            "    result = shop.tax.rate()\n    assert result == m.return_value\n",
            files=_SRC,
            lines=[4],
        ),
        Example(
            "from unittest import mock\nfrom shop.orders import Repo\n\ndef test_save():\n"
            "    with mock.patch.object(Repo, 'save', return_value=1):\n        repo = Repo()\n"
            "        assert repo.save(2) == 1\n",
            files=_SRC,
            lines=[5],
        ),
        Example(
            "from unittest.mock import patch\n\n@patch('shop.tax.rate')\ndef test_mock_call(m):\n"
            "    out = m(3)\n    assert out == m.return_value\n",
            files=_SRC,
            lines=[3],
        ),
    ]

    def collect(self, ctx: FileContext, facts: FileFacts) -> None:
        record_patches(ctx, facts)

    def check_project(self, project: ProjectContext) -> None:
        for test in patch_tests(project):
            for patch in test.patches:
                if not exercises_double(project, patch):
                    continue
                how = (
                    "asserts the mock's own `return_value`"
                    if patch.asserts_return_value
                    else "then calls it itself"
                )
                project.report(
                    self,
                    test.path,
                    patch.line,
                    f"`{test.name}` replaces `{patch.target}` and {how}: it only exercises the "
                    f"double. Call the code that uses `{patch.target.rsplit('.', 1)[-1]}` instead.",
                    test=test,
                    anchor=anchor_of(test, patch),
                )
