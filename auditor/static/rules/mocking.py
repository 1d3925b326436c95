"""Family 2xx — over-mocking: tests that replace the unit they test, or so much nothing real runs.

The patch targets of every test are recorded per file (`PatchFact`, see `auditor/static/mocks.py`)
and classified at project level against the source index: a target string that resolves to a
*definition* in the unit under test is self-mocking; one that resolves to an *import* in it
(`pkg.console.os.get_terminal_size`) is a boundary double, the normal "patch where it is used".
"""

from __future__ import annotations

from collections import Counter
from posixpath import basename

from auditor.static.collect import FunctionInfo
from auditor.static.context import FileContext
from auditor.static.facts import FileFacts, PatchFact, TestFact
from auditor.static.mocks import extract
from auditor.static.project_context import ProjectContext
from auditor.static.rules.base import Example, Rule
from auditor.static.source_index import SourceIndex, is_boundary

RECORDED = "TQ2xx-patches"


def record_patches(ctx: FileContext, facts: FileFacts) -> None:
    """Fill `TestFact.patches` once per file, whichever 2xx rule asks first."""
    if facts.extra.get(RECORDED) or not facts.is_test_module:
        return
    facts.extra[RECORDED] = True
    by_id = {t.nodeid: t for t in facts.tests}
    for test in ctx.tests:
        fact = by_id.get(test.nodeid)
        if fact is not None:
            fact.patches = extract(ctx, test)


def project_module(index: SourceIndex, dotted_name: str) -> str | None:
    """The longest project module `dotted_name` lies in (`pkg.orders.Order` -> `pkg.orders`)."""
    parts = dotted_name.split(".")
    for cut in range(len(parts), 0, -1):
        name = ".".join(parts[:cut])
        if name in index.modules:
            return name
    return None


def _stem(path: str) -> str:
    name = basename(path)[:-3]
    if name.startswith("test_"):
        return name[5:]
    return name[:-5] if name.endswith("_test") else name


def sut_module(project: ProjectContext, path: str) -> str | None:
    """RULES.md §4.2: the project module most imported by the test module (tie: test_foo -> foo)."""
    cache: dict[str, str | None] = project.__dict__.setdefault("_tq_sut_modules", {})
    if path not in cache:
        cache[path] = _sut_module(project, path)
    return cache[path]


def _sut_module(project: ProjectContext, path: str) -> str | None:
    index = project.source
    counts: Counter[str] = Counter()
    for value in project.files[path].imported_modules:
        module = project_module(index, value)
        if module is not None:
            counts[module] += 1
    stem = _stem(path)
    if not counts:
        named = sorted(m for m in index.modules if m.rsplit(".", 1)[-1] == stem)
        return named[0] if named else None
    best = max(counts.values())
    tied = sorted(m for m, c in counts.items() if c == best)
    for module in tied:
        if module.rsplit(".", 1)[-1] == stem:
            return module
    # `import shop.orders` binds only the package `shop`: look for its namesake submodule
    namesake = f"{tied[0]}.{stem}"
    return namesake if namesake in index.modules else tied[0]


def classify(project: ProjectContext, patch: PatchFact) -> tuple[str, str]:
    """('project'|'external'|'unknown', qualified target) through the source index.

    A name both imported and conditionally redefined in its module (requests.utils `proxy_bypass`,
    a win32 shim over `urllib.request.proxy_bypass`) counts as the import: a boundary double.
    """
    index = project.source
    parts = patch.target.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        module = index.modules.get(".".join(parts[:cut]))
        if module is None:
            continue
        head = parts[cut]
        if head in module.imports and head in module.definitions:
            return index.resolve(".".join([module.imports[head], *parts[cut + 1 :]]))
        break
    return index.resolve(patch.target)


def _anchor(test: TestFact, patch: PatchFact) -> str:
    return f"{patch.api}:{patch.target}"


def _patch_tests(project: ProjectContext) -> list[TestFact]:
    return [t for t in project.tests() if t.patches and project.files[t.path].is_test_module]


def self_mocked(
    project: ProjectContext, test: TestFact, patch: PatchFact, allow_private: bool
) -> str | None:
    """The SUT module a replacement stubs out (TQ201), or None."""
    if patch.new_literal or patch.wraps or (patch.kind == "object" and not patch.attribute):
        return None
    kind, qualified = classify(project, patch)
    if kind != "project":
        return None
    if allow_private and patch.side_effect and qualified.rsplit(".", 1)[-1].startswith("_"):
        return None
    defining = project_module(project.source, qualified)
    if defining is None or _is_setting(project.source, defining, qualified):
        return None
    sut = sut_module(project, test.path)
    if defining is not None and defining == sut:
        return defining
    if patch.instantiated and defining is not None:
        return defining
    return None


def _is_setting(index: SourceIndex, module_name: str, qualified: str) -> bool:
    """A constant (`MAX_ITEMS`) or a non-method class attribute (`Response.autocorrect_...`) is a
    setting the test turns, not a collaborator it replaces; an attribute of a module-level object
    (`log.warning`) is that object's API, not a definition of the unit."""
    rest = qualified[len(module_name) + 1 :].split(".")
    if rest[-1].isupper():
        return True
    classes = index.modules[module_name].classes
    if len(rest) == 1:
        return False
    # only `Cls.method` is a definition; `log.warning` is a method of a module-level logger object
    return not (len(rest) == 2 and rest[0] in classes and rest[1] in classes[rest[0]])


def exercises_double(project: ProjectContext, patch: PatchFact) -> bool:
    """TQ206: the test calls the replaced project symbol (or its mock) itself."""
    if patch.wraps or not (patch.called_after or patch.asserts_return_value):
        return False
    return classify(project, patch)[0] == "project"


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
    severity = "warning"
    tier = "S"
    options = {"allow-private-error-paths": True}
    _SRC = {
        "src/shop/__init__.py": "",
        "src/shop/orders.py": (
            "import os\nfrom shop.tax import rate\n\nLIMIT = 3\n\n"
            "def compute_total(items):\n    return sum(items) * rate()\n\n"
            "def _raise_if_closed():\n    pass\n\n"
            "def checkout(items):\n    _raise_if_closed()\n    return compute_total(items) + "
            "len(os.getcwd())\n\n"
            "class Repo:\n    def save(self, x):\n        return x\n"
        ),
        "src/shop/tax.py": "def rate():\n    return 1\n",
    }
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
        for test in _patch_tests(project):
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
                    anchor=_anchor(test, patch),
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
    options = {"max-replacements": 3, "boundary-weight": 0.5}
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
            "    monkeypatch.setattr('shop.d', None)\n    assert a is not b\n",
            lines=[5],
        ),
        Example(
            "from unittest import mock\n\n@mock.patch('shop.a')\nclass TestX:\n"
            "    @mock.patch.multiple('shop', b=1, c=2)\n    def test_y(self, a):\n"
            "        with mock.patch.dict('shop.CONFIG', {'k': 1}):\n            assert a\n",
            lines=[6],
            note="class decorators, patch.multiple names and patch.dict(non-environ) all count",
        ),
    ]

    def collect(self, ctx: FileContext, facts: FileFacts) -> None:
        record_patches(ctx, facts)

    def check_project(self, project: ProjectContext) -> None:
        limit = float(project.setting(self, "max-replacements"))  # type: ignore[arg-type]
        weight = float(project.setting(self, "boundary-weight"))  # type: ignore[arg-type]
        for test in _patch_tests(project):
            weights = []
            for patch in test.patches:
                kind, qualified = classify(project, patch)
                weights.append(weight if kind == "external" and is_boundary(qualified) else 1.0)
            total = _branch_total(list(zip(test.patches, weights, strict=True)), 1)
            if total <= limit:
                continue
            names = ", ".join(sorted({p.target.rsplit(".", 1)[-1] for p in test.patches}))
            project.report(
                self,
                test.path,
                test.line,
                f"`{test.name}` replaces {len(test.patches)} objects (weighted {total:g} > "
                f"{limit:g}: {names[:120]}): inject the collaborators or split the test.",
                test=test,
            )


def _branch_total(items: list[tuple[PatchFact, float]], depth: int) -> float:
    """Sum of weights, but only the heaviest of exclusive `if/elif/else` branches counts."""
    total = 0.0
    chains: dict[str, dict[str, list[tuple[PatchFact, float]]]] = {}
    for patch, weight in items:
        path = patch.branch.split("/")
        if len(path) <= depth:
            total += weight
            continue
        chain, _, index = path[depth].partition(".")
        chains.setdefault(chain, {}).setdefault(index, []).append((patch, weight))
    for branches in chains.values():
        total += max(_branch_total(group, depth + 1) for group in branches.values())
    return total


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
    _SRC = MockingUnitUnderTest._SRC
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
        for test in _patch_tests(project):
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
                    anchor=_anchor(test, patch),
                )


class InternalCollaboratorPatch(Rule):
    """What it does:
    Reports a replacement whose target resolves to a symbol *defined in the project* but outside
    the unit under test — a domain collaborator — as opposed to stdlib/third-party code or I/O
    boundaries. The target is resolved through the source index, so `pkg.console.os.getcwd` (an
    import) is not mistaken for project code. Info; warning when one test patches two or more.

    Why it matters:
    Patching internal collaborators couples the test to the implementation: a refactor that keeps
    behaviour (inlining, renaming a helper) breaks the test.

    Example:
    @patch("shop.pricing.discount_for", return_value=0)
    def test_checkout(_): ...

    Use instead:
    def test_checkout():
        assert checkout(cart, pricing=FlatPricing()) == 30
    """

    code = "TQ203"
    name = "internal-collaborator-patch"
    summary = "Patches a project symbol outside the unit under test"
    severity = "info"
    tier = "S"
    default_enabled = False
    _SRC = MockingUnitUnderTest._SRC
    VALID = [
        Example(
            "from unittest.mock import patch\nfrom shop.orders import checkout\n\n"
            "@patch('shop.orders.os.getcwd', return_value='/x')\ndef test_checkout(_cwd):\n"
            "    assert checkout([1]) == 3\n",
            files=_SRC,
            note="prefix matching is wrong: `shop.orders.os` is an import (rich.console.os)",
        ),
        Example(
            "import shop.tax\nfrom shop.orders import checkout\n\ndef test_seam(monkeypatch):\n"
            "    monkeypatch.setattr(shop.tax, 'TESTING', True)\n    assert checkout([1]) == 3\n",
            files=_SRC,
            note="test-only seams (settings flags) are configuration",
        ),
    ]
    INVALID = [
        Example(
            "from unittest.mock import patch\nfrom shop.orders import checkout\n\n"
            "def test_rate():\n    with patch('shop.orders.rate', return_value=2):\n"
            "        assert checkout([1]) == 4\n",
            files=_SRC,
            lines=[5],
            note="`shop.orders.rate` is imported from shop.tax: a domain collaborator",
        ),
    ]

    def collect(self, ctx: FileContext, facts: FileFacts) -> None:
        record_patches(ctx, facts)

    def check_project(self, project: ProjectContext) -> None:
        for test in _patch_tests(project):
            sut = sut_module(project, test.path)
            hits: list[tuple[PatchFact, str]] = []
            for patch in test.patches:
                if patch.new_literal or patch.wraps:
                    continue
                kind, qualified = classify(project, patch)
                module = project_module(project.source, qualified) if kind == "project" else None
                if module is None or module == sut or _is_setting(project.source, module, qualified):
                    continue
                hits.append((patch, qualified))
            for patch, qualified in hits:
                project.report(
                    self,
                    test.path,
                    patch.line,
                    f"`{test.name}` replaces project code `{qualified}` outside the unit under test: "
                    f"the test now depends on how the unit is built. Pass a fake collaborator in, "
                    f"or patch only I/O boundaries.",
                    test=test,
                    severity="warning" if len(hits) >= 2 else None,
                    anchor=_anchor(test, patch),
                )


MOCK_CLASSES = {"Mock", "MagicMock", "AsyncMock", "NonCallableMock", "NonCallableMagicMock"}
MOCK_MODULES = ("unittest.mock.", "mock.", "pytest_mock.mocker.")
SPEC_ARGS = {"spec", "spec_set", "wraps", "autospec", "new", "new_callable"}


class UnspeccedMock(Rule):
    """What it does:
    Reports `Mock()`/`MagicMock()`/`AsyncMock()`/`NonCallableMock()` built without `spec`,
    `spec_set` or `wraps`, and `patch(...)`/`patch.object(...)`/`mocker.patch(...)` without
    `autospec=True`, `spec`, `spec_set`, `new` or `new_callable`, in tests and fixtures.

    Why it matters:
    An unspecced mock accepts any attribute and any call, so typos (`assert_caled_once`) and API
    drift pass silently; adding `autospec` has turned green suites red in real projects.

    Example:
    repo = Mock()

    Use instead:
    repo = create_autospec(Repository, instance=True)
    """

    code = "TQ204"
    name = "unspecced-mock"
    summary = "Mock or patch without spec/autospec"
    severity = "info"
    tier = "O"
    default_enabled = False
    VALID = [
        Example(
            "from unittest import mock\n\ndef test_x():\n    m = mock.Mock(spec=dict)\n"
            "    n = mock.create_autospec(dict)\n    assert m is not n\n",
            note="spec= and create_autospec are specced (rich tests)",
        ),
        Example(
            "from unittest.mock import patch\n\ndef test_y():\n"
            "    with patch('os.getcwd', autospec=True), patch('os.sep', new='/'):\n"
            "        assert True is not False\n",
            note="autospec=True; new= installs a real object",
        ),
    ]
    INVALID = [
        Example("from unittest.mock import MagicMock\n\ndef test_z():\n    m = MagicMock()\n    m.a()\n",
                lines=[4]),
        Example("def test_p(mocker):\n    mocker.patch('os.getcwd')\n    assert True\n", lines=[2]),
    ]

    def check(self, ctx: FileContext) -> None:
        funcs: list[FunctionInfo] = [*ctx.tests, *ctx.fixtures]
        for func in funcs:
            for node in own_nodes(func.node.body):
                if not isinstance(node, cst.Call):
                    continue
                qualified = ctx.qualify(node.func, func) or ""
                keywords = {a.keyword.value for a in node.args if a.keyword is not None}
                positional = [a for a in node.args if a.keyword is None]
                if qualified.startswith(MOCK_MODULES) and qualified.rsplit(".", 1)[-1] in MOCK_CLASSES:
                    if positional or keywords & SPEC_ARGS:
                        continue
                    what = f"`{qualified.rsplit('.', 1)[-1]}()` has no spec"
                else:
                    api = patch_api(qualified)
                    if api not in ("patch", "patch.object") or keywords & SPEC_ARGS:
                        continue
                    if len(positional) > (1 if api == "patch" else 2):
                        continue  # positional `new`
                    what = f"`{api}(...)` installs a MagicMock without autospec"
                ctx.report(
                    self,
                    node,
                    f"{what}: any attribute or call passes, so typos and API drift go unnoticed. "
                    f"Use `spec=`/`autospec=True` or `create_autospec(...)`.",
                    test=func,
                )


class MockTrainWreck(Rule):
    """What it does:
    Reports mock configuration or reads that chain two or more `return_value`/`side_effect` hops
    (`m.return_value.session.return_value.get.return_value = ...`), including
    `configure_mock(**{"a.return_value.b.return_value": ...})`. A context-manager hop
    (`__enter__.return_value`) counts as part of the previous one.

    Why it matters:
    The test mirrors the implementation's call chain (Law of Demeter); any refactor of that chain
    breaks it while behaviour stays the same.

    Example:
    client.return_value.session.return_value.get.return_value = resp

    Use instead:
    session = FakeSession(get=resp)
    """

    code = "TQ205"
    name = "mock-train-wreck"
    summary = "Mock configured through a chain of return_value hops"
    severity = "info"
    tier = "O"
    default_enabled = False
    options = {"max-hops": 1}
    VALID = [
        Example(
            "def test_open(mocker):\n    m = mocker.patch('builtins.open')\n"
            "    m.return_value.__enter__.return_value = 'f'\n    assert m\n",
            note="a context-manager mock counts as one hop",
        ),
        Example("def test_one(m):\n    m.return_value.read.return_value = b''\n    assert m\n",
                note="two hops on different objects: read() of the returned object is fine"),
    ]
    INVALID = [
        Example(
            "def test_chain(m):\n    m.return_value.session.return_value.get.return_value = 1\n"
            "    assert m\n",
            lines=[2],
        ),
        Example(
            "def test_cfg(m):\n    m.configure_mock(**{'a.return_value.b.return_value': 1})\n"
            "    assert m\n",
            lines=[2],
        ),
    ]

    def check(self, ctx: FileContext) -> None:
        limit = int(ctx.setting(self, "max-hops"))
        for func in [*ctx.tests, *ctx.fixtures]:
            inner: set[int] = set()
            for node in own_nodes(func.node.body):
                if isinstance(node, cst.Attribute) and id(node) not in inner:
                    chain: list[str] = []
                    current: cst.BaseExpression = node
                    while isinstance(current, cst.Attribute):
                        inner.add(id(current))
                        chain.append(current.attr.value)
                        current = current.value
                    if _hops(list(reversed(chain))) > limit + 1:
                        self._report(ctx, func, node)
                elif isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
                    if node.func.attr.value != "configure_mock":
                        continue
                    for arg in node.args:
                        if arg.star == "**" and isinstance(arg.value, cst.Dict):
                            keys = [
                                str(el.key.evaluated_value)
                                for el in arg.value.elements
                                if isinstance(el, cst.DictElement)
                                and isinstance(el.key, cst.SimpleString)
                            ]
                            if any(_hops(k.split(".")) > limit for k in keys):
                                self._report(ctx, func, node)

    def _report(self, ctx: FileContext, func: FunctionInfo, node: cst.CSTNode) -> None:
        ctx.report(
            self,
            node,
            "Mock configured through a chain of `return_value` hops: the test mirrors the call "
            "structure. Hand the code a small fake object, or inject the innermost collaborator.",
            test=func,
        )


def _hops(chain: list[str]) -> int:
    hops = 0
    for index, part in enumerate(chain):
        if part in ("return_value", "side_effect"):
            if index > 0 and chain[index - 1] in ("__enter__", "__aenter__"):
                continue
            hops += 1
    return hops
