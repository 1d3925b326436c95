"""unittest misuses pytest runs without complaint: pytest features on `unittest.TestCase` methods
(TQ412) and an expected value in the message slot of `assertTrue`/`assertFalse` (TQ115)."""

from __future__ import annotations

import re

import libcst as cst

from auditor.static.context import FileContext
from auditor.static.names import last_segment
from auditor.static.oracle import own_nodes
from auditor.static.rules.base import Example, Rule

_MESSAGE_NAME = re.compile(
    r"msg|message|reason|err|info|text|desc|note|hint|fmt|template|why", re.I
)
_TRUTH_ASSERTS = frozenset({"assertTrue", "assertFalse", "assert_", "failUnless", "failIf"})


class PytestFeatureOnTestCase(Rule):
    """What it does:
    Reports pytest features used on a method of a `unittest.TestCase` subclass, where pytest does
    not apply them: `@pytest.mark.parametrize`, and parameters besides `self` meant to be filled by
    fixtures. (Checked against pytest: the method is called without the argument, so it fails with
    `TypeError: missing 1 required positional argument`, or — when the parameter has a default —
    silently runs once with the default and none of the parameter sets.)

    Why it matters:
    pytest runs TestCase methods through unittest, which knows neither parametrization nor
    fixture injection. The cases the decorator lists are never run.

    Example:
    class TestParse(unittest.TestCase):
        @pytest.mark.parametrize("text", ["1", "2"])
        def test_parse(self, text):
            self.assertTrue(parse(text))

    Use instead:
    @pytest.mark.parametrize("text", ["1", "2"])
    def test_parse(text):
        assert parse(text)
    """

    code = "TQ412"
    name = "pytest-feature-on-testcase"
    summary = "pytest parametrize/fixture arguments on a unittest.TestCase method (not applied)"
    severity = "error"
    tier = "P"
    VALID = [
        Example(
            "import unittest\n\nclass TestU(unittest.TestCase):\n    def test_x(self):\n"
            "        self.assertEqual(1, 1)\n",
        ),
        Example(
            "import unittest, pytest\n\nclass TestU(unittest.TestCase):\n"
            "    @pytest.mark.usefixtures('db')\n    def test_x(self):\n        self.assertTrue(1)\n",
            note="usefixtures and autouse fixtures do apply to TestCase methods",
        ),
        Example(
            "import unittest\nfrom unittest import mock\n\nclass TestU(unittest.TestCase):\n"
            "    @mock.patch('os.getcwd')\n    def test_x(self, getcwd):\n"
            "        self.assertTrue(getcwd)\n",
            note="a decorator (patch, parameterized.expand) supplies the argument",
        ),
        Example(
            "import pytest\n\nclass TestPlain:\n    @pytest.mark.parametrize('x', [1])\n"
            "    def test_x(self, x):\n        assert x\n",
            note="plain pytest classes are parametrized",
        ),
    ]
    INVALID = [
        Example(
            "import unittest, pytest\n\nclass TestU(unittest.TestCase):\n"
            "    @pytest.mark.parametrize('x', [1, 2])\n    def test_x(self, x):\n"
            "        self.assertTrue(x)\n",
            lines=[4],
        ),
        Example(
            "import unittest\n\nclass TestU(unittest.TestCase):\n    def test_tmp(self, tmp_path):\n"
            "        self.assertTrue(tmp_path.exists())\n",
            lines=[4],
            note="fixtures are not injected into TestCase methods",
        ),
        Example(
            "import unittest, pytest\n\nclass TestU(unittest.TestCase):\n"
            "    @pytest.mark.parametrize('x', [1, 2])\n    def test_x(self, x=0):\n"
            "        self.assertEqual(x, 0)\n",
            lines=[4],
            note="with a default the method silently runs once with x=0",
        ),
    ]

    def check(self, ctx: FileContext) -> None:
        for test in ctx.tests:
            if test.cls is None or not test.cls.is_testcase:
                continue
            params_mark = next(
                (d for d in test.decorators if d.qualified == "pytest.mark.parametrize"), None
            )
            if params_mark is not None:
                ctx.report(
                    self,
                    params_mark.node,
                    f"`{test.name}` is a unittest.TestCase method: pytest does not parametrize "
                    f"it and calls it without the parameters, so the listed cases never run. Move "
                    f"the test out of the TestCase class (or use subTest).",
                    test=test,
                )
                continue
            supplied = any(
                not d.qualified.startswith("pytest.mark.") for d in test.decorators
            )  # patch, parameterized.expand, given: the decorator passes arguments
            missing = [p for p in test.params if p not in test.defaulted]
            if missing and not supplied:
                ctx.report(
                    self,
                    test.node.name,
                    f"`{test.name}` is a unittest.TestCase method: pytest does not inject "
                    f"fixtures into it, so `{missing[0]}` is never passed (TypeError at run time). "
                    f"Use `@pytest.mark.usefixtures` with an attribute, or a plain pytest class.",
                    test=test,
                )


def _message_like(expr: cst.BaseExpression) -> bool:
    """Could this argument be a failure message (a string, a formatted string, a msg variable)?"""
    if isinstance(expr, (cst.SimpleString, cst.FormattedString, cst.ConcatenatedString)):
        return True
    if isinstance(expr, cst.BinaryOperation):
        return _message_like(expr.left) or isinstance(expr.operator, cst.Modulo)
    if isinstance(expr, cst.Call):
        last = last_segment(expr.func) or ""
        return last in ("format", "str", "repr", "join", "dedent", "_", "gettext") or bool(
            _MESSAGE_NAME.search(last)
        )
    if isinstance(expr, (cst.Integer, cst.Float, cst.List, cst.Tuple, cst.Dict, cst.Set)):
        return False  # a literal value: the expected result
    if isinstance(expr, (cst.Name, cst.Attribute)):
        name = last_segment(expr) or ""
        return name not in ("True", "False", "None") and bool(_MESSAGE_NAME.search(name))
    return True  # anything else may build a message: stay quiet


class ExpectedInMessageSlot(Rule):
    """What it does:
    Reports `self.assertTrue(result, expected)` / `assertFalse(...)` with a second positional
    argument that is not a message: the second parameter of these methods is `msg`.

    Why it matters:
    The call only checks that `result` is truthy; `expected` is printed if it is not. A non-empty
    result passes whatever its value — the author meant `assertEqual(result, expected)`.

    Example:
    self.assertTrue(parse("1"), 1)

    Use instead:
    self.assertEqual(parse("1"), 1)
    """

    code = "TQ115"
    name = "expected-in-message-slot"
    summary = "assertTrue/assertFalse given an expected value where the message goes"
    severity = "warning"
    tier = "P"
    VALID = [
        Example(
            "import unittest\n\nclass TestU(unittest.TestCase):\n    def test_x(self):\n"
            "        self.assertTrue(ok(), 'ok() failed')\n        self.assertTrue(ok(), msg)\n"
            "        self.assertFalse(bad(), f'bad: {bad()}')\n",
            note="a message, a message variable, an f-string",
        ),
        Example(
            "import unittest\n\nclass TestU(unittest.TestCase):\n    def test_x(self):\n"
            "        self.assertEqual(parse('1'), 1)\n",
        ),
    ]
    INVALID = [
        Example(
            "import unittest\n\nclass TestU(unittest.TestCase):\n    def test_x(self):\n"
            "        result = parse('1')\n        self.assertTrue(result, expected)\n",
            lines=[6],
        ),
        Example(
            "import unittest\n\nclass TestU(unittest.TestCase):\n    def test_x(self):\n"
            "        self.assertTrue(parse('1'), 1)\n",
            lines=[5],
        ),
    ]

    def check(self, ctx: FileContext) -> None:
        if "assert" not in ctx.source and "fail" not in ctx.source:
            return
        for test in ctx.tests:
            if test.cls is None or not test.cls.is_testcase:
                continue
            for node in own_nodes(test.node.body):
                if type(node) is not cst.Call:
                    continue
                assert isinstance(node, cst.Call)
                func = node.func
                if not (
                    isinstance(func, cst.Attribute)
                    and isinstance(func.value, cst.Name)
                    and func.value.value == "self"
                    and func.attr.value in _TRUTH_ASSERTS
                ):
                    continue
                positional = [a for a in node.args if a.keyword is None and not a.star]
                if len(positional) == 2 and not _message_like(positional[1].value):
                    method = func.attr.value
                    truth = "false" if method in ("assertFalse", "failIf") else "true"
                    ctx.report(
                        self,
                        node,
                        f"`{method}(result, {ctx.code(positional[1].value)})` only checks that "
                        f"the result is {truth}: its second argument is the failure message. Use "
                        f"`assertEqual(result, expected)`.",
                        test=test,
                    )
