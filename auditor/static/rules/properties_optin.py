"""Family 5xx — opt-in: `@given` nested in a `@given` test or on a function that never runs
(TQ507)."""

from __future__ import annotations

import libcst as cst

from auditor.static.context import FileContext
from auditor.static.oracle import own_nodes
from auditor.static.rules._hypothesis_shapes import (
    qualify,
)
from auditor.static.rules.base import Example, Rule

HYP = "from hypothesis import given, settings, strategies as st\n\n"


class NestedGiven(Rule):
    """What it does:
    Reports `@given` on a function defined inside another `@given` test, and `@given` on a
    module-level function that is neither collected as a test nor referenced anywhere in its module.

    Why it matters:
    A `@given` inside a `@given` multiplies the example counts (100 x 100 runs) and Hypothesis
    flags it with `HealthCheck.nested_given`; a `@given` function that is not a test and never
    called generates nothing. The documented workaround for expensive fixtures — an inner `@given`
    inside a plain (non-`@given`) test — is fine and not reported.

    Example:
    @given(st.integers())
    def test_outer(x):
        @given(st.integers())
        def inner(y):
            assert f(x, y)
        inner()

    Use instead:
    @given(st.integers(), st.integers())
    def test_outer(x, y):
        assert f(x, y)
    """

    code = "TQ507"
    name = "nested-given"
    summary = "@given nested in a @given test, or on a function that never runs"
    severity = "info"
    tier = "O"
    default_enabled = False
    VALID = [
        HYP + "def test_outer(expensive):\n    @given(st.integers())\n    def inner(y):\n"
        "        assert expensive(y)\n    inner()\n",
        Example(
            HYP + "@given(st.integers())\ndef check_prop(x):\n    assert x == x\n\n"
            "def test_prop():\n    check_prop()\n",
            note="non-test @given called by a test",
        ),
    ]
    INVALID = [
        Example(
            HYP + "@given(st.integers())\ndef test_outer(x):\n    @given(st.integers())\n"
            "    def inner(y):\n        assert x + y == y + x\n    inner()\n",
            lines=[5],
        ),
        Example(HYP + "@given(st.integers())\ndef check_lost(x):\n    assert x == x\n", lines=[3]),
    ]

    def check(self, ctx: FileContext) -> None:
        for test in ctx.tests:
            if not test.is_given:
                continue
            for node in own_nodes(test.node.body):
                if isinstance(node, cst.FunctionDef) and any(
                    qualify(
                        ctx, d.decorator.func if isinstance(d.decorator, cst.Call) else d.decorator
                    )
                    == "hypothesis.given"
                    for d in node.decorators
                ):
                    ctx.report(
                        self,
                        node.decorators[0].decorator,
                        f"`@given` inside `@given` test "
                        f"`{test.name}` multiplies the examples: merge the strategies into "
                        f"the outer `@given`.",
                        test=test,
                    )
        tested = {id(t.node) for t in ctx.tests} | {id(f.node) for f in ctx.fixtures}
        for stmt in ctx.module.body:
            if not isinstance(stmt, cst.FunctionDef) or id(stmt) in tested:
                continue
            given = next(
                (
                    d
                    for d in stmt.decorators
                    if qualify(
                        ctx, d.decorator.func if isinstance(d.decorator, cst.Call) else d.decorator
                    )
                    == "hypothesis.given"
                ),
                None,
            )
            if given is None:
                continue
            if ctx.source.count(stmt.name.value) > 1:
                continue  # referenced somewhere else in the module (called by a test)
            ctx.report(
                self,
                given.decorator,
                f"`{stmt.name.value}` has `@given` but is not a test "
                f"and "
                f"nothing calls it, so it never runs: rename it `test_...`.",
            )
