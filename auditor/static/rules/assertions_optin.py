"""Family 1xx, opt-in rules (default off, info): assertion roulette (TQ102), duplicate assert
(TQ104), magic numbers (TQ108) and weak assertions (TQ109). They describe style more than defects:
pytest's assertion rewriting already shows which assert failed and with which values, and literal
expected values are normal in tests, so they are only worth enabling as a review aid."""

from __future__ import annotations

import re

import libcst as cst

from auditor.static.collect import TestFunc
from auditor.static.context import FileContext
from auditor.static.names import last_segment
from auditor.static.rules._assertions_support import (
    body_index,
    has_call,
    normalized,
    root_name,
    statements,
)
from auditor.static.rules.base import Example, Rule

RECHECK_INTENT = re.compile(r"twice|again|cach|idempot|repeat|re-?check|still", re.IGNORECASE)
BOOLISH_NAME = re.compile(
    r"^(is|has|can|should|ok|valid|found|exists|success|matched|equal|same|changed|done|ready)",
    re.IGNORECASE,
)
PREDICATE_METHODS = frozenset(
    {
        "exists", "is_file", "is_dir", "is_symlink", "is_absolute", "is_alive", "is_set",
        "isdigit", "isalpha", "isalnum", "isupper", "islower", "isspace", "startswith",
        "endswith", "isatty",
    }
)  # fmt: skip


def _asserts(ctx: FileContext, test: TestFunc) -> list[cst.Assert]:
    return [n for n in body_index(ctx, test).own if isinstance(n, cst.Assert)]


class AssertionRoulette(Rule):
    """What it does:
    Reports a test with several message-less asserts (default 3 or more) about two or more
    different subjects.

    Why it matters:
    When one of many unexplained checks fails, the reader has to work out which behaviour broke.
    pytest's assertion rewriting shows the failing line and values, which is why this is opt-in.

    Example:
    def test_order(order, cart):
        assert order.total == 30
        assert cart.items == []
        assert order.paid

    Use instead:
    def test_order_total(order):
        assert order.total == 30, "total includes shipping"
    """

    code = "TQ102"
    name = "assertion-roulette"
    summary = "Many unexplained asserts about different subjects in one test"
    severity = "info"
    tier = "O"
    default_enabled = False
    options = {"min-asserts": 3}
    VALID = [
        "def test_one(order):\n    assert order.total == 30\n    assert order.paid\n",
        Example(
            "def test_same(order):\n    assert order.total == 30\n    assert order.paid\n"
            "    assert order.id == 1\n",
            note="one subject",
        ),
        Example(
            "import pytest\n\n@pytest.mark.parametrize('x', [1, 2])\ndef test_table(x, a, b):\n"
            "    assert a.x == x\n    assert b.x == x\n    assert x > 0\n",
            note="parametrized table tests",
        ),
    ]
    INVALID = [
        Example(
            "def test_order(order, cart):\n    assert order.total == 30\n"
            "    assert cart.items == []\n"
            "    assert order.paid\n",
            lines=[1],
        ),
    ]

    def check(self, ctx: FileContext) -> None:
        minimum = int(ctx.setting(self, "min-asserts") or 3)
        for test in ctx.tests:
            if test.parametrize_names:
                continue
            bare = [a for a in _asserts(ctx, test) if a.msg is None]
            if len(bare) < minimum:
                continue
            subjects = set()
            for node in bare:
                expr = node.test.left if isinstance(node.test, cst.Comparison) else node.test
                root = root_name(expr)
                subjects.add(root.value if root is not None else normalized(ctx, expr))
            if len(subjects) >= 2:
                ctx.report(
                    self,
                    test.node.name,
                    f"{len(bare)} asserts without a message about {len(subjects)} subjects:"
                    f" split the "
                    f"test or add messages saying what each checks.",
                    test=test,
                )


class DuplicateAssert(Rule):
    """What it does:
    Reports an assert repeated verbatim in the same block with only asserts in between.

    Why it matters:
    Usually a copy-paste slip where the second line was meant to check something else. Re-checks
    after a state change, and deliberate repeats of a call (caching, idempotency) that a comment
    or the docstring explains, are not reported.

    Example:
    def test_fields(a):
        assert a.x == 1
        assert a.x == 1

    Use instead:
    def test_fields(a):
        assert a.x == 1
        assert a.y == 2
    """

    code = "TQ104"
    name = "duplicate-assert"
    summary = "Same assert repeated with nothing in between"
    severity = "info"
    tier = "O"
    default_enabled = False
    VALID = [
        Example(
            "def test_state(a):\n    assert a.x == 1\n    a.bump()\n    assert a.x == 1\n",
            note="re-check after a state change",
        ),
        Example(
            "def test_cache(has, A):\n    assert has(A[str])\n"
            "    # Verify twice, since there's caching going on.\n    assert has(A[str])\n",
            note="attrs tests/test_funcs.py:564 — explained repeat of a call",
        ),
        Example(
            "def test_view(client):\n    assert client.get('/').data == b'1'\n"
            "    assert client.get('/').data == b'1'\n",
            note="adjacent repeat of a call: deliberate re-check (flask tests/test_views.py:271)",
        ),
        Example(
            "def test_url(url_for):\n    assert url_for('i') == '/'\n"
            "    assert url_for('i', scheme='https') == 'https:/'\n"
            "    assert url_for('i') == '/'\n",
            note="a call in between may change state (flask tests/test_helpers.py:128)",
        ),
        Example(
            "def test_blocks(a, xs):\n    for x in xs:\n        assert a.x == 1\n"
            "    with ctx():\n        assert a.x == 1\n",
            note="separate blocks",
        ),
    ]
    INVALID = [
        Example("def test_fields(a):\n    assert a.x == 1\n    assert a.x == 1\n", lines=[3]),
        Example(
            "def test_pair(f, A, B):\n    assert f(A).a == B\n    assert f(B).a == A\n\n"
            "    assert f(A).a == B\n    assert f(B).a == A\n",
            lines=[5, 6],
            note="attrs tests/test_annotations.py:634-638 shape, no comment",
        ),
    ]

    def check(self, ctx: FileContext) -> None:
        for test in ctx.tests:
            docstring = test.node.get_docstring() or ""
            blocks = [test.node.body] + [
                n for n in body_index(ctx, test).own if isinstance(n, cst.IndentedBlock)
            ]
            for block in blocks:
                self._block(ctx, test, block, bool(RECHECK_INTENT.search(docstring)))

    def _block(self, ctx: FileContext, test: TestFunc, block: cst.BaseSuite, intent: bool) -> None:
        runs: list[list[tuple[str, cst.SimpleStatementLine, cst.Assert]]] = [[]]
        for stmt in statements(block):
            node = stmt.body[0] if isinstance(stmt, cst.SimpleStatementLine) else None
            if isinstance(stmt, cst.SimpleStatementLine) and isinstance(node, cst.Assert):
                runs[-1].append((normalized(ctx, node.test), stmt, node))
            elif runs[-1]:
                runs.append([])
        for run in runs:
            keys = [k for k, _, _ in run]
            for index in range(1, len(run)):
                if self._duplicate(run[: index + 1], keys, intent):
                    ctx.report(
                        self,
                        run[index][2],
                        "This assert repeats an earlier one with nothing in between: check a "
                        "different value, or delete it.",
                        test=test,
                    )

    @staticmethod
    def _duplicate(
        run: list[tuple[str, cst.SimpleStatementLine, cst.Assert]], keys: list[str], intent: bool
    ) -> bool:
        """Is the last assert of `run` an unexplained repeat of an earlier one in the run?"""
        key, stmt, node = run[-1]
        earlier = [i for i, (k, _, _) in enumerate(run[:-1]) if k == key]
        if not earlier:
            return False
        between = run[earlier[-1] + 1 : -1]
        if has_call(node.test) and (
            intent or not between or any(c.comment for c in stmt.leading_lines)
        ):
            return False  # a deliberate, adjacent or explained re-check of a call
        # a call in between may change state, unless the whole group was pasted twice
        return all(not has_call(n.test) or keys.count(k) > 1 for k, _, n in between)


def _numeric(expr: cst.BaseExpression) -> str | None:
    if isinstance(expr, cst.UnaryOperation) and isinstance(expr.operator, cst.Minus):
        inner = _numeric(expr.expression)
        return f"-{inner}" if inner is not None else None
    if isinstance(expr, (cst.Integer, cst.Float)):
        return expr.value
    return None


class MagicNumber(Rule):
    """What it does:
    Reports a numeric literal other than 0, 1, -1 and 2 compared in an assert.

    Why it matters:
    `assert total == 4137` does not say where 4137 comes from; a named constant or the
    computation (`3 * 1379`) documents the expectation. Literal expected values are normal in
    tests, hence opt-in.

    Example:
    def test_total(cart):
        assert total(cart) == 4137

    Use instead:
    def test_total(cart):
        assert total(cart) == 3 * ITEM_PRICE
    """

    code = "TQ108"
    name = "magic-number"
    summary = "Unexplained numeric literal in an assertion"
    severity = "info"
    tier = "O"
    default_enabled = False
    options = {"allowed": [0, 1, -1, 2]}
    VALID = [
        "def test_len(xs):\n    assert len(xs) == 2\n",
        Example(
            "import pytest\n\n@pytest.mark.parametrize('n', [10, 20])\ndef test_p(n):\n"
            "    assert double(n) == n * 2\n",
            note="parametrize tables",
        ),
    ]
    INVALID = [
        Example("def test_total(cart):\n    assert total(cart) == 4137\n", lines=[2]),
        Example(
            "import unittest\n\nclass T(unittest.TestCase):\n    def test_u(self):\n"
            "        self.assertEqual(total(), -17.5)\n",
            lines=[5],
        ),
    ]

    def check(self, ctx: FileContext) -> None:
        allowed = {str(v) for v in (ctx.setting(self, "allowed") or ())}
        for test in ctx.tests:
            for node in body_index(ctx, test).own:
                operands: list[cst.BaseExpression] = []
                if isinstance(node, cst.Assert) and isinstance(node.test, cst.Comparison):
                    operands = [node.test.left, *(c.comparator for c in node.test.comparisons)]
                elif isinstance(node, cst.Call) and (last_segment(node.func) or "").startswith(
                    "assert"
                ):
                    operands = [a.value for a in node.args]
                for operand in operands:
                    value = _numeric(operand)
                    if value is not None and value not in allowed:
                        ctx.report(
                            self,
                            operand,
                            f"Magic number {value} in an assertion: name it or show how it is "
                            f"computed.",
                            test=test,
                        )
                        break


class WeakAssertion(Rule):
    """What it does:
    Reports assertions that accept almost any output: `assertTrue(a == b)`, `assertEqual(x, None)`,
    `assert result` on the act's return value, `assert len(x) > 0`, `assert "s" in str(obj)`,
    `assert x == None`, and (warning) a predicate method used without calling it
    (`assert path.exists`, always true).

    Why it matters:
    A truthiness or "non-empty" check passes for wrong results too, and the unittest forms give
    worse failure messages than the specific assert methods.

    Example:
    def test_parse():
        result = parse("1 x apple")
        assert result

    Use instead:
    def test_parse():
        assert parse("1 x apple") == Order(1, "apple")
    """

    code = "TQ109"
    name = "weak-assertion"
    summary = "Assertion accepts almost any result"
    severity = "info"
    tier = "H"
    default_enabled = False
    VALID = [
        "def test_eq():\n    assert parse('x') == 1\n",
        Example("def test_pred(user):\n    assert user.is_admin()\n", note="predicate call"),
        Example(
            "def test_bool():\n    is_valid = validate('x')\n    assert is_valid\n",
            note="bool-returning API",
        ),
        Example("def test_inst(x):\n    assert isinstance(x, int)\n", note="isinstance"),
    ]
    INVALID = [
        Example("def test_truthy():\n    result = parse('x')\n    assert result\n", lines=[3]),
        Example("def test_len(xs):\n    assert len(xs) > 0\n", lines=[2]),
        Example("def test_str(obj):\n    assert 'ok' in str(obj)\n", lines=[2]),
        Example("def test_none(x):\n    assert x == None\n", lines=[2]),
        Example("def test_parens(path):\n    assert path.exists\n", lines=[2]),
        Example(
            "import unittest\n\nclass T(unittest.TestCase):\n    def test_u(self):\n"
            "        self.assertTrue(f() == 1)\n        self.assertEqual(f(), None)\n",
            lines=[5, 6],
        ),
    ]

    def check(self, ctx: FileContext) -> None:
        for test in ctx.tests:
            from_calls = {
                t.target.value
                for n in body_index(ctx, test).own
                if isinstance(n, cst.Assign) and isinstance(n.value, (cst.Call, cst.Await))
                for t in n.targets
                if isinstance(t.target, cst.Name)
            }
            for node in body_index(ctx, test).own:
                found: tuple[str, str] | None = None
                if isinstance(node, cst.Assert):
                    found = self._pytest(ctx, node.test, from_calls)
                elif isinstance(node, cst.Call):
                    found = self._unittest(node)
                if found is not None:
                    message, severity = found
                    ctx.report(self, node, message, test=test, severity=severity)

    @staticmethod
    def _pytest(
        ctx: FileContext, expr: cst.BaseExpression, from_calls: set[str]
    ) -> tuple[str, str] | None:
        if (
            isinstance(expr, cst.Name)
            and expr.value in from_calls
            and not BOOLISH_NAME.match(expr.value)
        ):
            return (
                f"`assert {expr.value}` accepts any truthy result: compare it with the"
                f" expected value.",
                "info",
            )
        if isinstance(expr, cst.Attribute) and expr.attr.value in PREDICATE_METHODS:
            return (
                f"`{expr.attr.value}` is a method and a method object is always true: call it "
                f"(`{expr.attr.value}()`).",
                "warning",
            )
        if not isinstance(expr, cst.Comparison) or len(expr.comparisons) != 1:
            return None
        op = expr.comparisons[0].operator
        right = expr.comparisons[0].comparator
        left = expr.left
        if (
            isinstance(left, cst.Call)
            and last_segment(left.func) == "len"
            and (
                (isinstance(op, cst.GreaterThan) and _numeric(right) == "0")
                or (isinstance(op, cst.GreaterThanEqual) and _numeric(right) == "1")
            )
        ):
            return "`len(x) > 0` accepts any non-empty result: compare the content.", "info"
        if (
            isinstance(op, cst.In)
            and isinstance(right, cst.Call)
            and last_segment(right.func) in ("str", "repr")
        ):
            return "A substring of `str(obj)` accepts many wrong objects: compare fields.", "info"
        if (
            isinstance(op, (cst.Equal, cst.NotEqual))
            and isinstance(right, cst.Name)
            and right.value == "None"
        ):
            return "Compare with None using `is` / `is not`.", "info"
        del ctx
        return None

    @staticmethod
    def _unittest(call: cst.Call) -> tuple[str, str] | None:
        last = last_segment(call.func)
        if not isinstance(call.func, cst.Attribute) or not call.args:
            return None
        first = call.args[0].value
        if last in ("assertTrue", "assertFalse") and isinstance(first, cst.Comparison):
            return (
                f"`{last}(a == b)` hides the values on failure: use `assertEqual`/`assertIn`.",
                "info",
            )
        if last in ("assertEqual", "assertNotEqual") and len(call.args) >= 2:
            second = call.args[1].value
            if isinstance(second, cst.Name) and second.value in ("True", "False", "None"):
                return f"`{last}(x, {second.value})`: use `assertIs`/`assertIsNone`.", "info"
        return None
