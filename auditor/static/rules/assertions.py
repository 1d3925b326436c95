"""Family 1xx — assertions and oracle strength: tests that check nothing, or cannot fail."""

from __future__ import annotations

import re

import libcst as cst

from auditor.static.collect import TestFunc
from auditor.static.context import FileContext
from auditor.static.facts import FileFacts
from auditor.static.oracle import all_nodes, own_nodes
from auditor.static.project_context import ProjectContext
from auditor.static.rules.assertions_support import (
    MOCK_ASSERT_METHODS,
    MOCK_LOOKALIKES,
    MOCK_STATE_ATTRS,
    attribute_chain,
    has_call,
    normalized,
    only_constant_assert,
    root_name,
    truthy_constant,
    unspecced_mock_names,
)
from auditor.static.rules.base import Example, Rule


def _is_docstring_or_noop(stmt: cst.BaseStatement) -> bool:
    if not isinstance(stmt, cst.SimpleStatementLine):
        return False
    for small in stmt.body:
        if isinstance(small, cst.Pass):
            continue
        if isinstance(small, cst.Expr) and isinstance(
            small.value, (cst.Ellipsis, cst.SimpleString, cst.ConcatenatedString)
        ):
            continue
        return False
    return True


class EmptyTest(Rule):
    """What it does:
    Reports a collected test whose body is only `pass`, `...` and/or a docstring.

    Why it matters:
    An empty test always passes, so the suite reports a green check for behaviour nobody verifies.
    In the wild (attrs `test_hash_deprecated`) the docstring even claims a check the body never makes.

    Example:
    def test_hash_deprecated():
        '''Emits a DeprecationWarning.'''

    Use instead:
    def test_hash_deprecated():
        with pytest.warns(DeprecationWarning):
            make_hash()
    """

    code = "TQ110"
    name = "empty-test"
    summary = "Test body is empty (pass / ... / docstring only)"
    severity = "error"
    tier = "P"
    VALID = [
        "def test_real():\n    assert 1 + 1 == 2\n",
        Example(
            "import pytest\n\n@pytest.mark.skip(reason='placeholder for #12')\ndef test_later():\n    pass\n",
            note="skip-decorated placeholders are intentional",
        ),
        Example(
            "class Base:\n    def test_hook(self):\n        raise NotImplementedError\n\n"
            "class TestImpl(Base):\n    def test_hook(self):\n        assert True is not False\n",
            note="raise NotImplementedError is not empty",
        ),
        Example("def helper():\n    pass\n", note="not a test"),
    ]
    INVALID = [
        Example("def test_nothing():\n    pass\n", lines=[1]),
        Example('def test_documented():\n    """Checks the deprecation warning."""\n', lines=[1]),
        Example("class TestThing:\n    def test_todo(self):\n        ...\n", lines=[2]),
    ]

    def check(self, ctx: FileContext) -> None:
        for test in ctx.tests:
            if test.marks & {"skip", "skipif", "xfail"}:
                continue
            body = test.node.body
            statements = body.body if isinstance(body, cst.IndentedBlock) else [body]
            if all(
                _is_docstring_or_noop(s)  # type: ignore[arg-type]
                if isinstance(s, cst.BaseStatement)
                else isinstance(s, cst.SimpleStatementSuite)
                and all(isinstance(x, (cst.Pass,)) or isinstance(x, cst.Expr) for x in s.body)
                for s in statements
            ):
                ctx.report(
                    self,
                    test.node.name,
                    f"`{test.name}` has an empty body and always passes: add the act and an assert, "
                    f"or delete the test.",
                    test=test,
                )


COMPARISON_STRICT = (cst.Equal, cst.NotEqual, cst.Is, cst.IsNot)
RAISES_CONTEXTS = {"pytest.raises", "pytest.warns", "pytest.deprecated_call"}
EXCEPTION_NAMES_FOR_COMPARE = {"TypeError", "ValueError", "Exception", "BaseException"}


def _inside_expectation(ctx: FileContext, test: TestFunc) -> set[int]:
    """ids of statements inside `with pytest.raises/...`, `self.assertRaises`, or a try whose
    handlers catch TypeError/ValueError (comparisons there are expected to raise)."""
    inside: set[int] = set()
    for node in own_nodes(test.node.body):
        if isinstance(node, cst.With):
            for item in node.items:
                expr = item.item
                func = expr.func if isinstance(expr, cst.Call) else expr
                name = ctx.qualify(func, test) or ""
                last = name.rsplit(".", 1)[-1]
                if name in RAISES_CONTEXTS or last.startswith(("assertRaises", "assertWarns")):
                    inside.update(id(n) for n in own_nodes(node.body))
        elif isinstance(node, cst.Try):
            for handler in node.handlers:
                caught = handler.type
                names: list[str] = []
                if isinstance(caught, cst.Tuple):
                    names = [ctx.code(el.value) for el in caught.elements]
                elif caught is not None:
                    names = [ctx.code(caught)]
                if any(n.split(".")[-1] in EXCEPTION_NAMES_FOR_COMPARE for n in names):
                    inside.update(id(n) for n in own_nodes(node.body))
    return inside


def _is_discarded_comparison(node: cst.Expr) -> bool:
    value = node.value
    if isinstance(value, cst.UnaryOperation) and isinstance(value.operator, cst.Not):
        value = value.expression
    return isinstance(value, cst.Comparison) and any(
        isinstance(t.operator, COMPARISON_STRICT) for t in value.comparisons
    )


def has_discarded_comparison(ctx: FileContext, test: TestFunc) -> bool:
    """TQ112's shape in `test` (TQ101 stays quiet there: one finding per defect)."""
    exempt = _inside_expectation(ctx, test)
    for node in own_nodes(test.node.body):
        if isinstance(node, cst.Expr) and id(node) not in exempt and _is_discarded_comparison(node):
            return True
        if isinstance(node, cst.Return) and node.value is not None:
            if not (isinstance(node.value, cst.Name) and node.value.value == "None"):
                return True
    return False


class DiscardedComparison(Rule):
    """What it does:
    Reports a comparison used as a statement (`result == expected` without `assert`) or returned
    from a test (`return result == expected`).

    Why it matters:
    The comparison is evaluated and thrown away: the test passes whatever the result is. pytest only
    warns about a returned value (`PytestReturnNotNoneWarning`) and still passes the test.

    Example:
    def test_total():
        total(cart) == 30

    Use instead:
    def test_total():
        assert total(cart) == 30
    """

    code = "TQ112"
    name = "discarded-comparison"
    summary = "Comparison result is discarded or returned instead of asserted"
    severity = "error"
    tier = "P"
    VALID = [
        "def test_ok():\n    assert 1 + 1 == 2\n",
        Example(
            "import pytest\n\ndef test_cmp_raises():\n    with pytest.raises(TypeError):\n"
            "        object() < object()\n",
            note="comparison expected to raise (attrs tests/test_cmp.py:110)",
        ),
        Example(
            "def test_side_effect(idx):\n    90 in idx\n    assert idx.cached\n",
            note="`in` only warns (side-effect lookups in pandas); covered as info at most",
        ),
        Example(
            "def test_try():\n    try:\n        1 < 'a'\n    except TypeError:\n        pass\n"
            "    assert True is not False\n",
            note="inside try/except TypeError",
        ),
        Example("def helper(a, b):\n    return a == b\n", note="helpers may return comparisons"),
    ]
    INVALID = [
        Example("def test_sum():\n    result = sum([1, 2])\n    result == 3\n", lines=[3]),
        Example("def test_not():\n    not 1 == 2\n", lines=[2]),
        Example("def test_ret():\n    return sum([1, 2]) == 3\n", lines=[2]),
        Example(
            "class TestStyle:\n    def test_get_style(self):\n        x = 1\n        x != 2\n", lines=[4]
        ),
    ]

    def check(self, ctx: FileContext) -> None:
        for test in ctx.tests:
            exempt = _inside_expectation(ctx, test)
            for node in own_nodes(test.node.body):
                if isinstance(node, cst.Expr) and id(node) not in exempt:
                    if _is_discarded_comparison(node):
                        ctx.report(
                            self,
                            node,
                            f"Comparison `{ctx.code(node.value).strip()[:60]}` is evaluated and "
                            f"discarded: add `assert` in front of it.",
                            test=test,
                        )
                elif isinstance(node, cst.Return) and node.value is not None:
                    value = node.value
                    if isinstance(value, cst.Name) and value.value == "None":
                        continue
                    is_cmp = isinstance(value, cst.Comparison)
                    ctx.report(
                        self,
                        node,
                        (
                            "Test returns a comparison instead of asserting it: replace "
                            "`return` with `assert`."
                            if is_cmp
                            else "Test returns a value; pytest ignores it (only a warning): assert "
                            "on it instead."
                        ),
                        test=test,
                    )


class MissingAssertion(Rule):
    """What it does:
    Reports a collected test with statements but no verification: no assert, no `assert*` call,
    no `pytest.raises`/`warns`, no snapshot check, no `subprocess.run(check=True)`, and no call to a
    helper (same module, conftest fixture or imported helper module, depth <= 2) that verifies.

    Why it matters:
    A green test with no oracle only proves that nothing raised. It runs the code (so coverage goes
    up) but would not notice a wrong result, which mutation testing then reports as survivors.
    Intentional smoke tests are exempt when they say so (docstring/comment like "should not raise")
    or use `with does_not_raise():`; `@given` properties, benchmarks and skipped tests are exempt.

    Example:
    def test_parse():
        parse_order("2 x apple")

    Use instead:
    def test_parse():
        assert parse_order("2 x apple") == Order(qty=2, item="apple")
    """

    code = "TQ101"
    name = "missing-assertion"
    summary = "Test verifies nothing (no assert, raises, or asserting helper)"
    severity = "warning"
    tier = "H"
    VALID = [
        "def test_ok():\n    assert sum([1]) == 1\n",
        Example(
            "def test_smoke():\n    '''Rendering should not raise.'''\n    render()\n",
            note="intentional no-raise test (rich tests/test_bar.py:50)",
        ),
        Example(
            "from unittest import mock\n\ndef test_proxy(proxies):\n"
            "    proxies['one'].clear.assert_called_once_with()\n",
            note="mock assert through a subscript receiver (requests test_requests.py:2217)",
        ),
        Example(
            "import pytest\n\ndef test_legacy():\n    pytest.raises(ValueError, int, 'x')\n",
            note="legacy call form of pytest.raises",
        ),
        Example(
            "import subprocess\n\ndef test_cli():\n    subprocess.run(['true'], check=True)\n",
            note="external verification",
        ),
        Example(
            "def check_total(cart, expected):\n    assert sum(cart) == expected\n\n"
            "def test_total():\n    check_total([1, 2], 3)\n",
            note="same-module assertion helper",
        ),
        Example(
            "from tests.helpers import expect_valid\n\ndef test_valid():\n    expect_valid('x')\n",
            files={"tests/helpers.py": "def expect_valid(x):\n    assert x\n"},
            note="imported assertion helper",
        ),
        Example(
            "from tests.util import looks_right\n\ndef test_valid():\n    looks_right('x')\n",
            files={"tests/util.py": "def looks_right(x):\n    inner(x)\n\ndef inner(x):\n    assert x\n"},
            note="imported helper asserting at depth 2",
        ),
        Example(
            "import unittest\n\nclass TestX(unittest.TestCase):\n    def test_eq(self):\n"
            "        self.assertEqual(1, 1)\n",
            note="unittest assert methods",
        ),
        Example(
            "from hypothesis import given, strategies as st\n\n@given(st.integers())\n"
            "def test_no_crash(x):\n    str(x)\n",
            note="@given 'does not crash' properties are endorsed by Hypothesis",
        ),
        Example(
            "import pytest\n\n@pytest.mark.skip(reason='flaky')\ndef test_skip():\n    run()\n",
            note="skipped tests",
        ),
        Example(
            "def test_fixture_helper(assert_valid):\n    assert_valid('x')\n",
            files={
                "tests/conftest.py": "import pytest\n\n@pytest.fixture\ndef assert_valid():\n"
                "    def check(x):\n        assert x\n    return check\n"
            },
            note="asserting helper handed out by a conftest fixture",
        ),
        Example(
            "import numpy as np\n\ndef test_arr(a):\n    np.testing.assert_allclose(a, a)\n",
            note="numpy testing helpers",
        ),
        Example(
            "def test_total():\n    total = sum([1, 2])\n    total == 3\n",
            note="TQ112 already reports the discarded comparison (one finding per defect)",
        ),
    ]
    INVALID = [
        Example("def test_parse():\n    int('3')\n", lines=[1]),
        Example(
            "from tests.helpers import build\n\ndef test_build():\n    build('x')\n",
            files={"tests/helpers.py": "def build(x):\n    return x\n"},
            lines=[3],
        ),
        Example(
            "class TestCart:\n    def test_add(self):\n        cart = []\n        cart.append(1)\n",
            lines=[2],
        ),
        Example(
            "def test_placeholder():\n    \"\"\"Parses orders.\"\"\"\n    assert True\n",
            lines=[1],
            note="`assert True` as the only statement is a missing oracle, not TQ103",
        ),
    ]

    def collect(self, ctx: FileContext, facts: FileFacts) -> None:
        """Record tests TQ112 already reports, and tests whose only check is `assert True`."""
        discarded = "TQ112" in ctx.options.enabled
        record: dict[str, list[str]] = {"tq112": [], "constant": []}
        for test in ctx.tests:
            if discarded and has_discarded_comparison(ctx, test):
                record["tq112"].append(test.nodeid)
            elif only_constant_assert(test):
                record["constant"].append(test.nodeid)
        facts.extra[self.code] = record

    def check_project(self, project: ProjectContext) -> None:
        for test in project.tests():
            if test.exempt or test.statement_count == 0:
                continue
            facts = project.files[test.path]
            if not facts.is_test_module:
                continue
            record = facts.extra.get(self.code, {})
            if test.nodeid in record.get("tq112", ()):
                continue
            if project.test_has_oracle(test) and test.nodeid not in record.get("constant", ()):
                continue
            project.report(
                self,
                test.path,
                test.line,
                f"`{test.name}` verifies nothing: it can only fail by raising. Assert on the "
                f"result, or say it is a smoke test (`with does_not_raise():` / a docstring).",
                test=test,
            )


def _configured(ctx: FileContext, test: TestFunc, expr: cst.BaseExpression) -> bool:
    """The test sets the asserted attribute (or a prefix) itself: `m.ready = False` / `Mock(ready=...)`."""
    path = normalized(ctx, expr)
    for node in own_nodes(test.node.body):
        targets: list[cst.BaseExpression] = []
        if isinstance(node, cst.Assign):
            targets = [t.target for t in node.targets]
        elif isinstance(node, (cst.AnnAssign, cst.AugAssign)):
            targets = [node.target]
        elif isinstance(node, cst.Arg) and node.keyword is not None:
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
    `isinstance(x, object)`, a call-free self-comparison (`x == x`, warning), or the truthiness of an
    unspecced Mock (`assert m.some_attr`), which is always a truthy child Mock.

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
            "from unittest.mock import Mock\n\ndef test_flag():\n    m = Mock()\n    m.ready = False\n"
            "    start(m)\n    assert m.ready\n",
            note="the test configured the attribute, so the SUT must have changed it",
        ),
        Example(
            "from unittest.mock import Mock\n\ndef test_ret():\n    m = Mock()\n    assert m.get().ok\n",
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
        Example("def test_len(xs):\n    assert len(xs) >= 0\n    assert 0 <= abs(xs[0])\n", lines=[2, 3]),
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
            for node in own_nodes(test.node.body):
                if not isinstance(node, cst.Assert):
                    continue
                expr = node.test
                message, severity = self._classify(ctx, test, expr)
                if message is None and isinstance(expr, (cst.Name, cst.Attribute, cst.Call)):
                    if mocks is None:
                        mocks = unspecced_mock_names(ctx, test)
                    message = self._mock_truthiness(expr, mocks, lookalikes_elsewhere)
                    if message is not None and _configured(ctx, test, expr):
                        message = None
                if message is not None:
                    ctx.report(self, node, message, test=test, severity=severity)

    def _classify(
        self, ctx: FileContext, test: TestFunc, expr: cst.BaseExpression
    ) -> tuple[str | None, str | None]:
        if isinstance(expr, cst.Tuple) and expr.elements:
            return "Asserting a tuple is always true: write `assert cond, \"message\"` without parentheses.", None
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
                return "`or` with a truthy constant makes this assert always true: remove the constant.", None
        if isinstance(expr, (cst.GeneratorExp, cst.Lambda)):
            kind = "generator" if isinstance(expr, cst.GeneratorExp) else "lambda"
            fix = "`all(...)`" if kind == "generator" else "the call (drop `lambda:`)"
            return f"A {kind} object is always truthy: assert {fix} instead.", None
        if _numeric_tautology(expr):
            return f"`{ctx.code(expr)[:50]}` holds for every value: assert the expected value.", None
        if isinstance(expr, cst.Comparison) and len(expr.comparisons) == 1:
            target = expr.comparisons[0]
            op = target.operator
            if isinstance(op, (cst.Is, *SELF_COMPARE_OPS)) and not has_call(expr):
                if normalized(ctx, expr.left) == normalized(ctx, target.comparator):
                    text = ctx.code(expr.left).strip()[:40]
                    if isinstance(op, cst.Is):
                        return f"`{text} is {text}` is always true: compare against another object.", None
                    severity = "info" if DUNDER_TEST.search(test.name) else "warning"
                    return (
                        f"`{text}` is compared with itself: compare against an independently built "
                        f"expected value.",
                        severity,
                    )
        return None, None

    @staticmethod
    def _mock_truthiness(expr: cst.BaseExpression, mocks: set[str], lookalikes_elsewhere: bool) -> str | None:
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
            f"`{root.value}` is a Mock without spec: `assert {'.'.join([root.value, *chain])}` is always "
            f"true. Assert `.called`/`.assert_called_with(...)` or on the real result."
        )


class NoOpMockAssertion(Rule):
    """What it does:
    Reports mock assertions that never check anything: (a) an assert method that is not called
    (`m.assert_called_once` without `()`); (b) a look-alike without the `assert_` prefix
    (`m.called_once_with(1)`, `assert m.called_with(x)`, `m.has_calls`, `m.not_called`, ...) on a Mock,
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
            "from unittest import mock\n\n@mock.patch('app.send', autospec=True)\ndef test_auto(send):\n"
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
    ]
    INVALID = [
        Example(
            "from unittest.mock import Mock\n\ndef test_missing_call():\n    m = Mock()\n    notify(m)\n"
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
            "    with patch('app.send') as send:\n        notify()\n    send.method.has_calls([])\n",
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
            called: set[int] = set()
            nodes = list(own_nodes(test.node.body))
            for node in nodes:
                if isinstance(node, cst.Call):
                    called.add(id(node.func))
            mocks: set[str] | None = None
            for node in nodes:
                if isinstance(node, cst.Assert) and isinstance(node.test, cst.Call):
                    func = node.test.func
                    if isinstance(func, cst.Attribute) and func.attr.value in MOCK_ASSERT_METHODS:
                        ctx.report(
                            self,
                            node,
                            f"`{func.attr.value}()` returns None, so this `assert` fails even when the "
                            f"call matched: drop the `assert` keyword.",
                            test=test,
                        )
                if not isinstance(node, cst.Attribute):
                    continue
                attr = node.attr.value
                if attr in MOCK_ASSERT_METHODS and id(node) not in called:
                    ctx.report(
                        self,
                        node,
                        f"`{attr}` is referenced but never called, so nothing is checked: add `()`.",
                        test=test,
                    )
                elif attr in MOCK_LOOKALIKES:
                    if mocks is None:
                        mocks = unspecced_mock_names(ctx, test)
                    root = root_name(node.value)
                    if root is not None and root.value in mocks:
                        ctx.report(
                            self,
                            node,
                            f"`{attr}` is not a Mock assertion (it returns a child Mock and always "
                            f"passes): use `assert_{attr}(...)`.",
                            test=test,
                        )
