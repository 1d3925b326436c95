"""Family 1xx, tautological assertions (TQ103): asserts that pass by construction — constants,
tuples, `x is x`, `or True`, generators, numeric tautologies, self-comparisons and the truthiness of
a bare Mock."""

from __future__ import annotations

import re

import libcst as cst

from auditor.static.collect import TestFunc
from auditor.static.context import FileContext
from auditor.static.rules._assertions_support import (
    MOCK_LOOKALIKES,
    MOCK_STATE_ATTRS,
    attribute_chain,
    body_index,
    has_call,
    mock_names,
    normalized,
    only_constant_assert,
    root_name,
    truthy_constant,
)
from auditor.static.rules.base import Example, Rule


def _configured(ctx: FileContext, test: TestFunc, expr: cst.BaseExpression) -> bool:
    """The test sets the asserted attribute (or a prefix) itself: `m.ready = False`,
    `Mock(ready=...)`."""
    path = normalized(ctx, expr)
    for node in body_index(ctx, test).own:
        targets: list[cst.BaseExpression] = []
        if type(node) is cst.Assign:
            targets = [t.target for t in node.targets]
        elif isinstance(node, (cst.AnnAssign, cst.AugAssign)):
            targets = [node.target]
        elif type(node) is cst.Arg and node.keyword is not None:
            chain = attribute_chain(expr)
            if chain and node.keyword.value == chain[0]:
                return True
        for target in targets:
            if isinstance(target, cst.Name):
                continue  # the binding itself
            text = normalized(ctx, target)
            if path == text or path.startswith(text + "."):
                return True
    return False


DUNDER_TEST = re.compile(r"eq|hash|cmp|compar|order|reflex", re.IGNORECASE)
SELF_COMPARE_OPS = (cst.Equal, cst.GreaterThanEqual, cst.LessThanEqual)


def _numeric_tautology(expr: cst.BaseExpression) -> bool:
    """`len(x) >= 0`, `0 <= abs(x)`, `isinstance(x, object)`."""
    if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Name):
        return (
            expr.func.value == "isinstance"
            and len(expr.args) == 2
            and isinstance(expr.args[1].value, cst.Name)
            and expr.args[1].value.value == "object"
        )
    if not isinstance(expr, cst.Comparison) or len(expr.comparisons) != 1:
        return False
    target = expr.comparisons[0]
    left, right = expr.left, target.comparator
    if isinstance(target.operator, cst.LessThanEqual):
        left, right = right, left
    elif not isinstance(target.operator, cst.GreaterThanEqual):
        return False
    return (
        isinstance(left, cst.Call)
        and isinstance(left.func, cst.Name)
        and left.func.value in ("len", "abs")
        and isinstance(right, cst.Integer)
        and right.value == "0"
    )


class TautologicalAssertion(Rule):
    """What it does:
    Reports an `assert` that cannot fail: a truthy constant (`assert "todo"`), a tuple
    (`assert (x, "msg")`), `x is x`, `x or True`, a generator or lambda, `len(x) >= 0`,
    `isinstance(x, object)`, a call-free self-comparison (`x == x`, warning), or the truthiness of
    an unspecced Mock (`assert m.some_attr`), which is always a truthy child Mock.

    Why it matters:
    The assertion passes by construction, so the test looks checked while nothing is verified.
    Deliberate `__eq__`/ordering tests of the code under test (test names with eq/hash/cmp/order/
    reflex) only get an info, and comparisons whose operands call something are left alone
    (`list(keys) == list(keys)` checks re-iteration).

    Example:
    def test_identity():
        e1 = make()
        assert e1 is e1

    Use instead:
    def test_identity():
        assert make() is not make()
    """

    code = "TQ103"
    name = "tautological-assertion"
    summary = "Assertion is always true (constant, tuple, self-comparison, bare Mock)"
    severity = "error"
    tier = "P"
    VALID = [
        "def test_ok():\n    x = compute()\n    assert x == 3\n",
        Example(
            "def test_keys(d):\n    keys = d.keys()\n    assert list(keys) == list(keys)\n",
            note="operands contain calls: iterator re-use check (requests test_requests.py:1369)",
        ),
        Example(
            "def test_eq_equal(C):\n    assert C(1) == C(1)\n",
            note="attrs tests/test_cmp.py:76 — the SUT's __eq__ is under test",
        ),
        Example(
            "def test_placeholder():\n    assert True\n",
            note="`assert True` as the only statement is reported by TQ101 instead",
        ),
        Example(
            "def test_nan(x):\n    assert x != x\n",
            note="`!=` self-compare is the NaN idiom, not a tautology",
        ),
        Example(
            "from unittest import mock\n\ndef test_called():\n    m = mock.Mock()\n    run(m)\n"
            "    assert m.called\n    assert m.call_count\n",
            note="mock state attributes are real values",
        ),
        Example(
            "from unittest import mock\n\ndef test_spec():\n    m = mock.Mock(spec=Service)\n"
            "    assert m.ready\n",
            note="specced mocks are left to TQ204",
        ),
        Example("def test_or(x):\n    assert x or y\n", note="no constant operand"),
        Example(
            "from unittest.mock import Mock\n\ndef test_flag():\n    m = Mock()\n"
            "    m.ready = False\n"
            "    start(m)\n    assert m.ready\n",
            note="the test configured the attribute, so the SUT must have changed it",
        ),
        Example(
            "from unittest.mock import Mock\n\ndef test_ret():\n    m = Mock()\n"
            "    assert m.get().ok\n",
            note="through a call: the return value may be configured elsewhere",
        ),
        Example(
            "def test_len(x):\n    assert len(x) >= 1\n",
            note="only the `>= 0` bound is a tautology",
        ),
    ]
    INVALID = [
        Example("def test_const(x):\n    run(x)\n    assert 'not implemented'\n", lines=[3]),
        Example("def test_tuple(x):\n    assert (x == 1, 'x must be one')\n", lines=[2]),
        Example(
            "def test_identity():\n    e1 = make()\n    assert e1 is e1\n",
            lines=[3],
            note="attrs tests/test_functional.py:600",
        ),
        Example("def test_or(x):\n    run(x)\n    assert x.ok or True\n", lines=[3]),
        Example("def test_gen(xs):\n    assert (x > 0 for x in xs)\n", lines=[2]),
        Example("def test_lambda(x):\n    assert lambda: x == 1\n", lines=[2]),
        Example(
            "def test_len(xs):\n    assert len(xs) >= 0\n    assert 0 <= abs(xs[0])\n", lines=[2, 3]
        ),
        Example("def test_inst(x):\n    assert isinstance(x, object)\n", lines=[2]),
        Example("def test_self_eq(x):\n    y = x.total\n    assert y == y\n", lines=[3]),
        Example(
            "def test_eq_reflexive(x):\n    assert x == x\n",
            lines=[2],
            note="dunder test: reported as info only",
        ),
        Example(
            "from unittest.mock import MagicMock\n\ndef test_mock():\n    m = MagicMock()\n"
            "    run(m)\n    assert m.saved\n",
            lines=[6],
        ),
        Example(
            "from unittest import mock\n\n@mock.patch('app.send')\ndef test_patch(send):\n"
            "    run()\n    assert send.return_value\n",
            lines=[6],
        ),
        Example(
            "def test_mocker(mocker):\n    m = mocker.patch('app.send')\n    run()\n    assert m\n",
            lines=[4],
        ),
    ]

    def check(self, ctx: FileContext) -> None:
        lookalikes_elsewhere = "TQ114" in ctx.options.enabled
        for test in ctx.tests:
            if only_constant_assert(test):
                continue
            mocks: set[str] | None = None
            for node in body_index(ctx, test).own:
                if type(node) is not cst.Assert:
                    continue
                expr = node.test
                message, severity = self._classify(ctx, test, expr)
                if message is None and isinstance(expr, (cst.Name, cst.Attribute, cst.Call)):
                    if mocks is None:
                        mocks = mock_names(ctx, test)
                    message = self._mock_truthiness(expr, mocks, lookalikes_elsewhere)
                    if message is not None and _configured(ctx, test, expr):
                        message = None
                if message is not None:
                    ctx.report(self, node, message, test=test, severity=severity)

    def _classify(
        self, ctx: FileContext, test: TestFunc, expr: cst.BaseExpression
    ) -> tuple[str | None, str | None]:
        if isinstance(expr, cst.Tuple) and expr.elements:
            return (
                'Asserting a tuple is always true: write `assert cond, "message"` without '
                "parentheses.",
                None,
            )
        if truthy_constant(expr):
            return (
                f"`assert {ctx.code(expr)[:40]}` is always true: assert on the result, or use "
                f"`pytest.fail(...)`/`pytest.skip(...)` for placeholders.",
                None,
            )
        if isinstance(expr, cst.BooleanOperation) and isinstance(expr.operator, cst.Or):
            operands: list[cst.BaseExpression] = []
            stack: list[cst.BaseExpression] = [expr]
            while stack:
                cur = stack.pop()
                if isinstance(cur, cst.BooleanOperation) and isinstance(cur.operator, cst.Or):
                    stack.extend([cur.left, cur.right])
                else:
                    operands.append(cur)
            if any(truthy_constant(o) for o in operands):
                return (
                    "`or` with a truthy constant makes this assert always true: remove the"
                    " constant.",
                    None,
                )
        if isinstance(expr, (cst.GeneratorExp, cst.Lambda)):
            kind = "generator" if isinstance(expr, cst.GeneratorExp) else "lambda"
            fix = "`all(...)`" if kind == "generator" else "the call (drop `lambda:`)"
            return f"A {kind} object is always truthy: assert {fix} instead.", None
        if _numeric_tautology(expr):
            return (
                f"`{ctx.code(expr)[:50]}` holds for every value: assert the expected value.",
                None,
            )
        if isinstance(expr, cst.Comparison) and len(expr.comparisons) == 1:
            target = expr.comparisons[0]
            op = target.operator
            if (
                isinstance(op, (cst.Is, *SELF_COMPARE_OPS))
                and not has_call(expr)
                and normalized(ctx, expr.left) == normalized(ctx, target.comparator)
            ):
                text = ctx.code(expr.left).strip()[:40]
                if isinstance(op, cst.Is):
                    return (
                        f"`{text} is {text}` is always true: compare against another object.",
                        None,
                    )
                severity = "info"  # held-out precision 0/4 (reflexivity tests of operators)
                return (
                    f"`{text}` is compared with itself: compare against an independently built "
                    f"expected value.",
                    severity,
                )
        return None, None

    @staticmethod
    def _mock_truthiness(
        expr: cst.BaseExpression, mocks: set[str], lookalikes_elsewhere: bool
    ) -> str | None:
        root = root_name(expr)
        if root is None or root.value not in mocks:
            return None
        chain = attribute_chain(expr)
        through_call = isinstance(expr, cst.Attribute) and has_call(expr.value)
        if through_call:
            return None  # `m.get().ok`: the return value may be configured
        if chain and (chain[-1] in MOCK_STATE_ATTRS or chain[-1].startswith(("assert_", "_"))):
            return None
        if isinstance(expr, cst.Call) and chain and chain[-1] not in MOCK_LOOKALIKES:
            return None  # a configured return value may be falsy
        if lookalikes_elsewhere and chain and chain[-1] in MOCK_LOOKALIKES:
            return None  # TQ114 reports the look-alike
        return (
            f"`{root.value}` is a Mock without spec: `assert {'.'.join([root.value, *chain])}`"
            f" is always "
            f"true. Assert `.called`/`.assert_called_with(...)` or on the real result."
        )
