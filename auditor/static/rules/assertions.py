"""Family 1xx — assertions and oracle strength: tests that check nothing, or cannot fail."""

from __future__ import annotations

import libcst as cst

from auditor.static.collect import TestFunc
from auditor.static.context import FileContext
from auditor.static.facts import FileFacts
from auditor.static.oracle import own_nodes
from auditor.static.project_context import ProjectContext
from auditor.static.rules._assertions_support import (
    body_index,
    only_constant_assert,
)
from auditor.static.rules._swallow_walk import swallowed_expectations
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
    In the wild (attrs `test_hash_deprecated`) the docstring even claims a check the body never
    makes.

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
            "import pytest\n\n@pytest.mark.skip(reason='placeholder for #12')\n"
            "def test_later():\n    pass\n",
            note="skip-decorated placeholders are intentional",
        ),
        Example(
            "class Base:\n    def test_hook(self):\n        raise NotImplementedError\n\n"
            "class TestImpl(Base):\n    def test_hook(self):\n        assert True is not False\n",
            note="raise NotImplementedError is not empty",
        ),
        Example("def helper():\n    pass\n", note="not a test"),
        Example(
            "from typing import overload\n\n@overload\ndef test_value(x: int) -> int: ...\n"
            "@overload\ndef test_value(x: str) -> str: ...\ndef test_value(x=1):\n    assert x\n",
            note="@overload stubs are typing declarations, not tests",
        ),
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
                _is_docstring_or_noop(s)
                if isinstance(s, cst.BaseStatement)
                else isinstance(s, cst.SimpleStatementSuite)
                and all(isinstance(x, (cst.Pass, cst.Expr)) for x in s.body)
                for s in statements
            ):
                ctx.report(
                    self,
                    test.node.name,
                    f"`{test.name}` has an empty body and always passes: add the act and an"
                    f" assert, "
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
        if type(node) is cst.With:
            for item in node.items:
                expr = item.item
                func = expr.func if isinstance(expr, cst.Call) else expr
                name = ctx.qualify(func, test) or ""
                last = name.rsplit(".", 1)[-1]
                if name in RAISES_CONTEXTS or last.startswith(("assertRaises", "assertWarns")):
                    inside.update(id(n) for n in own_nodes(node.body))
        elif type(node) is cst.Try:
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
    for node in body_index(ctx, test).own:
        if type(node) is cst.Expr and id(node) not in exempt and _is_discarded_comparison(node):
            return True
        if (
            type(node) is cst.Return
            and node.value is not None
            and not (isinstance(node.value, cst.Name) and node.value.value == "None")
        ):
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
            "class TestStyle:\n    def test_get_style(self):\n        x = 1\n        x != 2\n",
            lines=[4],
        ),
    ]

    def check(self, ctx: FileContext) -> None:
        for test in ctx.tests:
            exempt = _inside_expectation(ctx, test)
            for node in own_nodes(test.node.body):
                if type(node) is cst.Expr and id(node) not in exempt:
                    if _is_discarded_comparison(node):
                        ctx.report(
                            self,
                            node,
                            f"Comparison `{ctx.code(node.value).strip()[:60]}` is evaluated and "
                            f"discarded: add `assert` in front of it.",
                            test=test,
                        )
                elif type(node) is cst.Return and node.value is not None:
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
    severity = "info"  # held-out precision below the bar (docs/precision.md): info until fixed
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
            files={
                "tests/util.py": "def looks_right(x):\n    inner(x)\n\n"
                "def inner(x):\n    assert x\n"
            },
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
        Example(
            "import pytest\n\n@pytest.mark.mypy_testing\ndef test_mypy_chunk() -> None:\n"
            "    reveal_type(chunk([1, 2], 2))  # R: builtins.list[builtins.int]\n",
            note="pytest-mypy-testing: the expectation is the `# R:` comment (pydash)",
        ),
        Example(
            "import parse\n\ndef test_numbers():\n    def y(fmt, s, e):\n"
            "        r = parse.parse(fmt, s)\n        assert r is not None\n"
            "        assert r.fixed[0] == e\n\n    def n(fmt, s, e):\n"
            "        assert parse.parse(fmt, s) is None\n\n"
            "    y('a {:d} b', 'a 0 b', 0)\n    n('a {:d} b', 'a x b', None)\n",
            note="asserting helpers defined in the test and called (parse 1.22.4 y()/n())",
        ),
        Example(
            "import trio\n\ndef test_cancel():\n    async def main():\n"
            "        with trio.move_on_after(1):\n            await trio.sleep(2)\n"
            "        assert trio.current_time() >= 1\n\n    trio.run(main)\n",
            note="async function defined in the test and handed to a runner",
        ),
        Example(
            "def test_async_runner(run):\n    async def check():\n        assert await fetch() == 1\n"
            "\n    run(check)\n",
            note="async function run by a runner fixture",
        ),
        Example(
            "def test_hooks(manager):\n    class Plugin:\n        def hook(self, arg):\n"
            "            assert arg == 3\n\n    manager.register(Plugin())\n    manager.call(arg=3)\n",
            note="hook methods of a local class verify what the code under test passes them",
        ),
        Example(
            "def test_route(app, client):\n    @app.route('/')\n    def index():\n"
            "        assert client.request_started\n        return 'ok'\n\n    client.get('/')\n",
            note="a decorated nested function is handed to the code under test",
        ),
        Example(
            "import warnings\n\ndef test_no_warning():\n    with warnings.catch_warnings():\n"
            "        warnings.simplefilter('error')\n        build()\n",
            note="`simplefilter('error')`: any warning fails the test",
        ),
        Example(
            "import pytest\n\n@pytest.mark.filterwarnings('error')\ndef test_quiet():\n"
            "    build()\n",
            note="filterwarnings('error') mark",
        ),
        Example(
            "def test_deprecated_alias_warns_nothing():\n    old_api()\n",
            pytest_ini="filterwarnings = error\n",
            note="`filterwarnings = error` in the configuration makes a warnings test a check",
        ),
    ]
    INVALID = [
        Example("def test_parse():\n    int('3')\n", lines=[1]),
        Example(
            "def test_unused_helper():\n    def check(x):\n        assert x\n\n    build()\n",
            lines=[1],
            note="an asserting nested helper that is never called checks nothing",
        ),
        Example(
            "def test_build():\n    build()\n",
            pytest_ini="filterwarnings = error\n",
            lines=[1],
            note="-W error alone does not make an unrelated test check its result",
        ),
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
            'def test_placeholder():\n    """Parses orders."""\n    assert True\n',
            lines=[1],
            note="`assert True` as the only statement is a missing oracle, not TQ103",
        ),
    ]

    def collect(self, ctx: FileContext, facts: FileFacts) -> None:
        """Record tests TQ112/TQ107(c) already report, and tests whose only check is
        `assert True`."""
        discarded = "TQ112" in ctx.options.enabled
        swallowing = "TQ107" in ctx.options.enabled
        record: dict[str, list[str]] = {"tq112": [], "constant": []}
        for test in ctx.tests:
            if (discarded and has_discarded_comparison(ctx, test)) or (
                swallowing and any(v == "c" for _, v, _ in swallowed_expectations(ctx, test))
            ):
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
