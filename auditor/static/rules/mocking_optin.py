"""Family 2xx — opt-in over-mocking rules: internal-collaborator patches, unspecced mocks, mock
train-wrecks. Off by default (info): useful for a focused review, too noisy to gate on."""

from __future__ import annotations

import libcst as cst

from auditor.static.collect import FunctionInfo
from auditor.static.context import FileContext
from auditor.static.facts import FileFacts, PatchFact
from auditor.static.mocks import patch_api
from auditor.static.oracle import own_nodes
from auditor.static.project_context import ProjectContext
from auditor.static.rules._mock_targets import (
    EXAMPLE_SOURCES,
    anchor_of,
    classify,
    is_setting,
    patch_tests,
    project_module,
    record_patches,
    sut_module,
)
from auditor.static.rules.base import Example, Rule


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
    _SRC = EXAMPLE_SOURCES
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
        for test in patch_tests(project):
            sut = sut_module(project, test.path)
            hits: list[tuple[PatchFact, str]] = []
            for patch in test.patches:
                if patch.new_literal or patch.wraps:
                    continue
                kind, qualified = classify(project, patch)
                module = project_module(project.source, qualified) if kind == "project" else None
                if module is None or module == sut or is_setting(project.source, module, qualified):
                    continue
                hits.append((patch, qualified))
            for patch, qualified in hits:
                project.report(
                    self,
                    test.path,
                    patch.line,
                    f"`{test.name}` replaces project code `{qualified}` outside the unit under "
                    f"test: "
                    f"the test now depends on how the unit is built. Pass a fake collaborator in, "
                    f"or patch only I/O boundaries.",
                    test=test,
                    severity="warning" if len(hits) >= 2 else None,
                    anchor=anchor_of(test, patch),
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
        Example(
            "from unittest.mock import MagicMock\n\ndef test_z():\n    m = MagicMock()\n    "
            "m.a()\n",
            lines=[4],
        ),
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
                if (
                    qualified.startswith(MOCK_MODULES)
                    and qualified.rsplit(".", 1)[-1] in MOCK_CLASSES
                ):
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
        Example(
            "def test_one(m):\n    m.return_value.read = print\n    assert m\n", note="one hop"
        ),
    ]
    INVALID = [
        Example(
            "def test_chain(m):\n    m.return_value.session.return_value.get.return_value = 1\n"
            "    assert m\n",
            lines=[2],
        ),
        Example(
            "def test_cm(m):\n    m.return_value.__enter__.return_value.read.return_value = 1\n"
            "    assert m\n",
            lines=[2],
            note="the context-manager hop counts once, two hops remain",
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
                    if _hops(list(reversed(chain))) > limit:
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
