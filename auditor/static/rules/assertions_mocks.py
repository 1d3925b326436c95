"""Family 1xx, mock-API checks: mock assertions that cannot fail (TQ114) and tests whose only
verifications are mock-call checks (TQ106, opt-in)."""

from __future__ import annotations

import libcst as cst

from auditor.static.context import FileContext
from auditor.static.names import last_segment
from auditor.static.oracle import all_nodes, is_oracle_call
from auditor.static.rules._assertions_support import (
    MOCK_ASSERT_METHODS,
    MOCK_LOOKALIKES,
    MOCK_STATE_ATTRS,
    body_index,
    mock_names,
    root_name,
)
from auditor.static.rules.base import Example, Rule


class NoOpMockAssertion(Rule):
    """What it does:
    Reports mock assertions that never check anything: (a) an assert method that is not called
    (`m.assert_called_once` without `()`); (b) a look-alike without the `assert_` prefix
    (`m.called_once_with(1)`, `assert m.called_with(x)`, `m.has_calls`, `m.not_called`, ...) on a
    Mock,
    MagicMock, `@patch` parameter or `mocker.patch(...)` result without autospec; (c) `assert
    m.assert_called_with(...)`, which wraps a method that returns None.

    Why it matters:
    Python only rejects misspelt `assert*`/`assret*` names. A look-alike is just a new child Mock:
    `m.called_once_with(1)` passes, and `bool(m.called_with(1))` is True, whatever the code did.
    Forgetting the parentheses evaluates a bound method and checks nothing.

    Example:
    def test_send(mocker):
        send = mocker.patch("app.send")
        notify()
        send.called_once_with("hi")

    Use instead:
    def test_send(mocker):
        send = mocker.patch("app.send")
        notify()
        send.assert_called_once_with("hi")
    """

    code = "TQ114"
    name = "no-op-mock-assertion"
    summary = "Mock assertion that cannot fail (missing call, `called_*` look-alike)"
    severity = "error"
    tier = "P"
    VALID = [
        "def test_ok(mocker):\n    send = mocker.patch('app.send')\n    notify()\n"
        "    send.assert_called_once_with('hi')\n",
        Example(
            "def test_real(job):\n    job.run()\n    assert job.called_once_with(3)\n",
            note="receiver is not known to be a Mock (a real API may have such a method)",
        ),
        Example(
            "from unittest import mock\n\n@mock.patch('app.send', autospec=True)\n"
            "def test_auto(send):\n"
            "    notify()\n    send.called_once_with('hi')\n",
            note="autospec rejects unknown attributes at run time",
        ),
        Example(
            "from unittest.mock import Mock\n\ndef test_spec():\n    m = Mock(spec=Sender)\n"
            "    notify(m)\n    assert m.called_with(1)\n",
            note="spec'd Mock raises AttributeError on look-alikes",
        ),
        Example(
            "from unittest.mock import Mock\n\ndef test_state():\n    m = Mock()\n    notify(m)\n"
            "    assert m.called\n",
            note="`called` is a real state attribute",
        ),
        Example(
            "def test_stub(mocker):\n    stub = mocker.stub()\n"
            "    assert stub.assert_called_with.__module__ != stub.__module__\n",
            note="attribute of the assert method, not a missing call (pytest-mock tests)",
        ),
    ]
    INVALID = [
        Example(
            "from unittest.mock import Mock\n\ndef test_missing_call():\n    m = Mock()\n"
            "    notify(m)\n"
            "    m.assert_called_once\n",
            lines=[6],
        ),
        Example(
            "def test_lookalike(mocker):\n    send = mocker.patch('app.send')\n    notify()\n"
            "    send.called_once_with('hi')\n",
            lines=[4],
        ),
        Example(
            "from unittest import mock\n\nclass TestX:\n    @mock.patch('app.log')\n"
            "    @mock.patch('app.send')\n    def test_deco(self, send, log):\n        notify()\n"
            "        assert send.called_with('hi')\n        log.not_called\n",
            lines=[8, 9],
        ),
        Example(
            "from unittest.mock import MagicMock, patch\n\ndef test_with():\n"
            "    with patch('app.send') as send:\n        notify()\n"
            "    send.method.has_calls([])\n",
            lines=[6],
        ),
        Example(
            "from unittest.mock import Mock\n\ndef test_wrapped():\n    m = Mock()\n    notify(m)\n"
            "    assert m.assert_called_once_with(1)\n",
            lines=[6],
        ),
    ]

    def check(self, ctx: FileContext) -> None:
        for test in ctx.tests:
            bare: set[int] = set()  # an attribute that is a whole statement / assert test
            nodes = body_index(ctx, test).own
            for node in nodes:
                if type(node) is cst.Expr:
                    bare.add(id(node.value))
                elif type(node) is cst.Assert:
                    bare.add(id(node.test))
            mocks: set[str] | None = None
            for node in nodes:
                if type(node) is cst.Assert and isinstance(node.test, cst.Call):
                    func = node.test.func
                    if isinstance(func, cst.Attribute) and func.attr.value in MOCK_ASSERT_METHODS:
                        ctx.report(
                            self,
                            node,
                            f"`{func.attr.value}()` returns None, so this `assert` fails even"
                            f" when the "
                            f"call matched: drop the `assert` keyword.",
                            test=test,
                        )
                if type(node) is not cst.Attribute:
                    continue
                attr = node.attr.value
                if attr in MOCK_ASSERT_METHODS and id(node) in bare:
                    ctx.report(
                        self,
                        node,
                        f"`{attr}` is referenced but never called, so nothing is checked: add"
                        f" `()`.",
                        test=test,
                    )
                elif attr in MOCK_LOOKALIKES:
                    if mocks is None:
                        mocks = mock_names(ctx, test)
                    root = root_name(node.value)
                    if root is not None and root.value in mocks:
                        ctx.report(
                            self,
                            node,
                            f"`{attr}` is not a Mock assertion (it returns a child Mock and always "
                            f"passes): use `assert_{attr}(...)`.",
                            test=test,
                        )


MOCK_STATE_READS = MOCK_STATE_ATTRS - {"side_effect"}
NEGATIVE_MOCK_CHECKS = frozenset({"assert_not_called", "assert_not_awaited"})


def _mock_check(node: cst.CSTNode, mocks: set[str]) -> str | None:
    """The mock-API name a verification relies on, or None when it checks something else.

    `assert_called_with(expected)` with arguments checks the data handed on (argument forwarding,
    requests tests/test_utils.py:787), so only argument-free call checks count as mock-only."""
    if type(node) is cst.Call:
        last = last_segment(node.func)
        if last not in MOCK_ASSERT_METHODS:
            return None
        return None if last.endswith(("_with", "_call", "_calls")) and node.args else last
    if type(node) is cst.Assert:
        for sub in [node.test, *all_nodes(node.test)]:
            if type(sub) is cst.Attribute and sub.attr.value in MOCK_STATE_READS:
                root = root_name(sub.value)
                if root is not None and (root.value in mocks or "mock" in root.value.lower()):
                    return sub.attr.value
    return None


class MockOnlyVerification(Rule):
    """What it does:
    Reports a test whose every verification is about mock calls (`assert_called*`,
    `assert_has_calls`, `.call_count`, `.call_args`, ...) and none about a result or state.

    Why it matters:
    Such a test checks the shape of calls, not the outcome: it keeps passing when the behaviour is
    broken but the call shape is kept. Interaction *is* the contract at a boundary (terminal,
    network, OS), for "the destructive call was not made" checks, and with autospecced mocks, so
    this is opt-in and info only.

    Example:
    def test_checkout(mocker):
        charge = mocker.patch("shop.payments.charge")
        checkout(cart)
        charge.assert_called_once()

    Use instead:
    def test_checkout(mocker):
        charge = mocker.patch("shop.payments.charge")
        receipt = checkout(cart)
        assert receipt.total == 30
        charge.assert_called_once_with(30)
    """

    code = "TQ106"
    name = "mock-only-verification"
    summary = "Every check in the test is about mock calls"
    severity = "info"
    tier = "S"
    default_enabled = False
    VALID = [
        "def test_mixed(mocker):\n    send = mocker.patch('app.send')\n    assert notify() == 1\n"
        "    send.assert_called_once()\n",
        Example(
            "def test_no_delete(mocker):\n    rm = mocker.patch('app.delete')\n    dry_run()\n"
            "    rm.assert_not_called()\n",
            note="'destructive call not made' is the contract",
        ),
        Example(
            "from unittest.mock import create_autospec\n\ndef test_term():\n"
            "    term = create_autospec(Term)\n    render(term)\n"
            "    term.write.assert_called_once_with('x')\n",
            note="autospecced boundary (rich tests/test_windows_renderer.py)",
        ),
        Example(
            "def test_bypass(mocker):\n    bypass = mocker.patch('app.proxy_bypass')\n"
            "    should_bypass('http://x/')\n    bypass.assert_called_once_with('x')\n",
            note="argument forwarding (requests tests/test_utils.py:787)",
        ),
        Example(
            "def test_factory(app):\n    class NS:\n        called = False\n\n"
            "    def create():\n        NS.called = True\n\n    run(create)\n"
            "    assert NS.called\n",
            note="`.called` on a plain class (flask tests/test_testing.py:353)",
        ),
    ]
    INVALID = [
        Example(
            "def test_checkout(mocker):\n    charge = mocker.patch('shop.charge')\n    checkout()\n"
            "    charge.assert_called_once()\n    assert charge.call_count == 1\n",
            lines=[1],
        ),
    ]

    def check(self, ctx: FileContext) -> None:
        for test in ctx.tests:
            verifications: list[cst.CSTNode] = []
            autospec = False
            for node in body_index(ctx, test).own:
                if type(node) is cst.Assert or (
                    type(node) is cst.Call
                    and is_oracle_call(node, ctx.imports, test.param_set, ctx.helper_patterns)
                ):
                    verifications.append(node)
                if type(node) is cst.Call and last_segment(node.func) == "create_autospec":
                    autospec = True
                if type(node) is cst.Arg and node.keyword is not None:
                    autospec = autospec or node.keyword.value in ("autospec", "spec_set")
            autospec = autospec or any(
                isinstance(d.decorator, cst.Call)
                and any(
                    a.keyword is not None and a.keyword.value == "autospec"
                    for a in d.decorator.args
                )
                for d in test.node.decorators
            )
            if not verifications or autospec:
                continue
            mocks = mock_names(ctx, test)
            checks = [_mock_check(v, mocks) for v in verifications]
            if any(c is None for c in checks):
                continue
            if all(c in NEGATIVE_MOCK_CHECKS for c in checks):
                continue
            ctx.report(
                self,
                test.node.name,
                f"`{test.name}` only checks mock calls: also assert on the result or state the "
                f"code produces.",
                test=test,
            )
