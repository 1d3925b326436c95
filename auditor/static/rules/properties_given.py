"""Family 5xx — `@given` shapes: heavy rejection (TQ501), degenerate strategies (TQ504),
function-scoped fixtures shared by every example (TQ506)."""

from __future__ import annotations

from typing import Any

import libcst as cst

from auditor.static.collect import TestFunc
from auditor.static.context import FileContext
from auditor.static.facts import FileFacts
from auditor.static.oracle import own_nodes
from auditor.static.project_context import ProjectContext
from auditor.static.rules._hypothesis_shapes import (
    all_calls,
    default_profiles,
    degenerate,
    qualify,
    record_profiles,
    test_settings,
)
from auditor.static.rules.base import Example, Rule

HYP = "from hypothesis import given, settings, strategies as st\n\n"


def _given_args(test: TestFunc) -> list[cst.Arg]:
    deco = test.decorator("hypothesis.given")
    return list(deco.call.args) if deco is not None and deco.call is not None else []


class HeavyRejection(Rule):
    """What it does:
    In a `@given` test, reports rejection shapes that discard most generated inputs:
    `assume(a == b)`, `assume(x in <literal>)`, more than `max-assumes` `assume` calls, `assume`
    inside a loop, a strategy with two or more chained `.filter(...)`, or
    `.filter(lambda v: v == ...)`. Low-rejection guards such as `assume(step != 0)` are fine, and
    `integers().filter(lambda x: x > 0)` is not reported: Hypothesis 6.170 rewrites it into
    `integers(min_value=1)` (verified), so nothing is rejected.

    Why it matters:
    Rejected inputs are wasted: below Hypothesis' `filter_too_much` threshold the test silently
    explores far fewer cases than `max_examples` suggests; above it, it fails at run time.

    Example:
    @given(st.integers(), st.integers())
    def test_eq(a, b):
        assume(a == b)
        assert f(a) == f(b)

    Use instead:
    @given(st.integers())
    def test_eq(a):
        assert f(a) == f(a)
    """

    code = "TQ501"
    name = "heavy-rejection"
    summary = "Property test rejects most generated inputs (assume/filter shape)"
    severity = "warning"
    tier = "H"
    options = {"max-assumes": 2}
    VALID = [
        HYP
        + "from hypothesis import assume\n\n@given(st.integers(-20, 20), st.integers(-20, 20))\n"
        "def test_step(start, step):\n    assume(step != 0)\n    assert start + step != start\n",
        Example(
            HYP
            + "@given(st.integers().filter(lambda x: x > 0))\ndef test_pos(x):\n    assert x > 0\n",
            note="simple bound filters are rewritten into min_value by Hypothesis",
        ),
        Example(
            HYP
            + "from hypothesis import assume\n\n@given(st.text())\ndef test_parse(s):\n    try:\n"
            "        v = parse(s)\n    except ValueError:\n        assume(False)\n    assert v\n",
            note="assume(False) for invalid inputs (pandas test_offsets_properties.py:29)",
        ),
        Example(
            "from hypothesis import assume\n\ndef test_plain(a):\n    assume(a == 1)\n",
            note="not @given",
        ),
        Example(
            HYP + "from hypothesis import assume\n\n@given(st.datetimes())\ndef test_tz(dt):\n"
            "    assume(dt.utcoffset().total_seconds() % 60 == 0)\n    assert dt == dt\n",
            note="== on a computed expression rejects little (dateutil test_isoparse_prop.py:38)",
        ),
    ]
    INVALID = [
        Example(
            HYP + "from hypothesis import assume\n\n@given(st.integers(), st.integers())\n"
            "def test_eq(a, b):\n    assume(a == b)\n    assert a - b == 0\n",
            lines=[7],
        ),
        Example(
            HYP + "from hypothesis import assume\n\n@given(st.integers())\ndef test_in(a):\n"
            "    assume(a in [1, 2, 3])\n    assert a\n",
            lines=[7],
        ),
        Example(
            HYP + "@given(st.text().filter(lambda s: s.isdigit()).filter(lambda s: len(s) > 3))\n"
            "def test_chain(s):\n    assert int(s) >= 0\n",
            lines=[3],
        ),
        Example(
            HYP
            + "@given(st.integers().filter(lambda v: v == 7))\ndef test_seven(v):\n    assert v == "
            "7\n",
            lines=[3],
        ),
        Example(
            HYP + "from hypothesis import assume\n\n@given(st.lists(st.integers()))\ndef "
            "test_loop(xs):\n"
            "    for x in xs:\n        assume(x > 0)\n    assert xs\n",
            lines=[8],
        ),
        Example(
            HYP + "from hypothesis import assume\n\n@given(st.integers(), st.integers(), "
            "st.integers())\n"
            "def test_many(a, b, c):\n    assume(a > 0)\n    assume(b > 0)\n    assume(c > 0)\n"
            "    assert a + b + c > 0\n",
            lines=[7],
        ),
    ]

    def check(self, ctx: FileContext) -> None:
        limit = int(ctx.setting(self, "max-assumes"))
        for test in ctx.tests:
            if not test.is_given:
                continue
            in_loop = {
                id(n)
                for loop in own_nodes(test.node.body)
                if isinstance(loop, (cst.For, cst.While))
                for n in own_nodes(loop.body)
            }
            assumes = [
                n
                for n in own_nodes(test.node.body)
                if isinstance(n, cst.Call) and qualify(ctx, n.func) == "hypothesis.assume"
            ]
            for call in assumes:
                problem = self._assume_problem(call, id(call) in in_loop)
                if problem:
                    ctx.report(self, call, problem, test=test)
            if len(assumes) > limit:
                ctx.report(
                    self,
                    assumes[0],
                    f"`{test.name}` calls `assume` {len(assumes)} times: "
                    f"each one discards inputs — generate valid inputs with bounds, `st.builds` or "
                    f"`@st.composite` instead.",
                    test=test,
                )
            for arg in [*_given_args(test), *own_nodes(test.node.body)]:
                self._filters(ctx, test, arg)

    @staticmethod
    def _assume_problem(call: cst.Call, in_loop: bool) -> str | None:
        cond = call.args[0].value if call.args else None
        if in_loop:
            return (
                "`assume` inside a loop rejects the whole example when any element fails: "
                "filter or build the elements instead."
            )
        if isinstance(cond, cst.Comparison):
            ops = [c.operator for c in cond.comparisons]
            simple = (cst.Name, cst.Attribute, cst.Subscript, cst.Integer, cst.SimpleString)
            sides = [cond.left, *(c.comparator for c in cond.comparisons)]
            if any(isinstance(o, cst.Equal) for o in ops) and all(
                isinstance(x, simple) for x in sides
            ):
                return (
                    "`assume(a == b)` rejects nearly every example: generate one value and "
                    "derive the other from it."
                )
            if any(isinstance(o, cst.In) for o in ops) and isinstance(
                cond.comparisons[0].comparator, (cst.List, cst.Tuple, cst.Set)
            ):
                return (
                    "`assume(x in [...])` rejects nearly every example: "
                    "use `st.sampled_from([...])`."
                )
        return None

    def _filters(self, ctx: FileContext, test: TestFunc, root: cst.CSTNode) -> None:
        calls = [
            c
            for c in ([root] if isinstance(root, cst.Call) else []) + list(all_calls(root))
            if isinstance(c.func, cst.Attribute) and c.func.attr.value == "filter"
        ]
        receivers = {id(c.func.value) for c in calls if isinstance(c.func, cst.Attribute)}
        for call in {id(c): c for c in calls}.values():
            if id(call) in receivers:
                continue
            depth = 0
            node: cst.BaseExpression = call
            while (
                isinstance(node, cst.Call)
                and isinstance(node.func, cst.Attribute)
                and node.func.attr.value == "filter"
            ):
                depth += 1
                lam = node.args[0].value if node.args else None
                if (
                    isinstance(lam, cst.Lambda)
                    and isinstance(lam.body, cst.Comparison)
                    and any(isinstance(c.operator, cst.Equal) for c in lam.body.comparisons)
                ):
                    ctx.report(
                        self,
                        node,
                        "`.filter(lambda v: v == ...)` keeps almost nothing: use "
                        "`st.just(...)`/`st.sampled_from(...)` or derive the value.",
                        test=test,
                    )
                    depth = -99
                node = node.func.value
            if depth >= 2:
                ctx.report(
                    self,
                    call,
                    f"{depth} chained `.filter(...)` calls multiply their rejection "
                    f"rates: build valid values directly (`st.builds`, `@st.composite`).",
                    test=test,
                )


class DegenerateStrategy(Rule):
    """What it does:
    Reports `@given` arguments whose strategy can only produce one value: `st.just(...)`,
    `st.none()`, `st.sampled_from([single])`, `st.integers(a, a)` / `floats(a, a)`,
    `st.one_of(<one degenerate strategy>)` (also through a module-level strategy constant). A
    warning when every argument is degenerate; info when only some are.

    Why it matters:
    Verified: `@given(st.just(3))` passes — there is no input variation, so the "property" is one
    example run 100 times. Pinning one field with `builds(Cls, field=st.just(...))` or mixing
    `st.just` into `one_of` with other strategies is fine and not reported.

    Example:
    @given(st.just(3))
    def test_double(x):
        assert double(x) == 6

    Use instead:
    def test_double():
        assert double(3) == 6
    """

    code = "TQ504"
    name = "degenerate-strategy"
    summary = "@given strategy can only produce one value"
    severity = "warning"
    tier = "H"
    VALID = [
        HYP + "@given(st.integers(0, 10))\ndef test_a(x):\n    assert x >= 0\n",
        Example(
            HYP + "@given(st.one_of(st.just(1), st.integers()))\ndef test_b(x):\n    assert x\n",
            note="just inside one_of with other strategies",
        ),
        Example(
            HYP
            + "@given(st.builds(dict, a=st.just(1), b=st.integers()))\ndef test_c(d):\n    assert "
            "d\n",
            note="builds with partial pinning",
        ),
        Example(
            HYP + "@given(st.sampled_from([1, 2]))\ndef test_d(x):\n    assert x\n",
            note="two values",
        ),
    ]
    INVALID = [
        Example(HYP + "@given(st.just(3))\ndef test_a(x):\n    assert x == 3\n", lines=[3]),
        Example(
            "from hypothesis import given\nfrom hypothesis.strategies import just, sampled_from\n\n"
            "@given(x=just(1), y=sampled_from([2]))\ndef test_b(x, y):\n    assert x < y\n",
            lines=[4],
        ),
        Example(
            HYP + "@given(st.integers(min_value=4, max_value=4), st.text())\ndef test_c(n, s):\n"
            "    assert len(s * n) >= 0\n",
            lines=[3],
            note="some degenerate -> info",
        ),
        Example(
            HYP
            + "ONE = st.one_of(st.none())\n\n@given(ONE)\ndef test_d(x):\n    assert x is None\n",
            lines=[5],
        ),
    ]

    def check(self, ctx: FileContext) -> None:
        for test in ctx.tests:
            args = _given_args(test)
            if not test.is_given or not args:
                continue
            bad = [ctx.code(a.value).strip() for a in args if degenerate(ctx, a.value)]
            if not bad:
                continue
            deco = test.decorator("hypothesis.given")
            assert deco is not None
            if len(bad) == len(args):
                ctx.report(
                    self,
                    deco.node.decorator,
                    f"Every `@given` strategy of `{test.name}` produces a "
                    f"single value ({', '.join(bad)[:80]}): this is one example — use a plain test "
                    f"or `parametrize`, or widen the strategies.",
                    test=test,
                )
            else:
                ctx.report(
                    self,
                    deco.node.decorator,
                    f"`{', '.join(bad)[:80]}` can only produce one value: "
                    f"pass it as a constant or widen the strategy.",
                    test=test,
                    severity="info",
                )


class GivenWithFunctionFixture(Rule):
    """What it does:
    Reports a `@given` test that requests a function-scoped fixture (resolved like pytest: class,
    module, conftest chain, plugins, then built-ins such as `monkeypatch`, `tmp_path`, `capsys`,
    `mocker`). Suppressing `HealthCheck.function_scoped_fixture` on the test or in a default-loaded
    profile lowers it to info. Only fixtures named in the signature count — exactly what
    Hypothesis checks (`_hypothesis_pytestplugin`), so autouse fixtures the test does not name are
    exempt.

    Why it matters:
    The fixture runs once per test, not once per generated example: every example shares the same
    `tmp_path`, the same monkeypatched state, the same captured output. Hypothesis fails such a
    test with `FailedHealthCheck` at run time.

    Example:
    @given(st.text())
    def test_save(tmp_path, s):
        (tmp_path / "f").write_text(s)

    Use instead:
    @given(st.text())
    def test_save(tmp_path_factory, s):
        path = tmp_path_factory.mktemp("case") / "f"
        path.write_text(s)
    """

    code = "TQ506"
    name = "given-function-scoped-fixture"
    summary = "@given test uses a function-scoped fixture shared by all examples"
    severity = "error"
    tier = "P"
    VALID = [
        HYP + "@given(st.text())\ndef test_a(tmp_path_factory, s):\n    assert s == s[:]\n",
        Example(
            HYP + "import pytest\n\n@pytest.fixture(scope='module')\ndef db():\n    return {}\n\n"
            "@given(st.text())\ndef test_b(db, s):\n    assert s == s[:]\n",
            note="module-scoped fixture",
        ),
        Example(
            HYP + "@given(s=st.text())\ndef test_c(s):\n    assert s == s[:]\n",
            files={
                "tests/conftest.py": "import pytest\n\n@pytest.fixture(autouse=True)\ndef "
                "reset():\n    yield\n"
            },
            note="autouse fixture not named in the signature",
        ),
    ]
    INVALID = [
        Example(
            HYP + "@given(st.text())\ndef test_a(tmp_path, s):\n    assert s == s[:]\n", lines=[4]
        ),
        Example(
            HYP + "@given(n=st.integers())\ndef test_b(client, n):\n    assert n == n\n",
            files={
                "tests/conftest.py": "import pytest\n\n@pytest.fixture\ndef client():\n    return "
                "object()\n"
            },
            lines=[4],
        ),
        Example(
            HYP + "from hypothesis import HealthCheck\n\n"
            "@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])\n"
            "@given(st.text())\ndef test_c(monkeypatch, s):\n    assert s == s[:]\n",
            lines=[7],
            note="suppressed -> info",
        ),
    ]

    def collect(self, ctx: FileContext, facts: FileFacts) -> None:
        record_profiles(ctx, facts.extra)
        entries: list[dict[str, Any]] = []
        for test in ctx.tests:
            if not test.is_given or not test.fixture_requests:
                continue
            suppressed = any(
                f.suppresses_all or "function_scoped_fixture" in f.suppress
                for _, f in test_settings(ctx, test)
            )
            entries.append(
                {
                    "nodeid": test.nodeid,
                    "requests": list(test.fixture_requests),
                    "suppressed": suppressed,
                }
            )
        facts.extra[self.code] = entries

    def check_project(self, project: ProjectContext) -> None:
        global_suppressed = any(
            "function_scoped_fixture" in d.get("suppress", []) or "*all*" in d.get("suppress", [])
            for _, d in default_profiles(project.files).values()
        )
        for path, facts in project.files.items():
            tests = {t.nodeid: t for t in facts.tests}
            for entry in facts.extra.get(self.code, []):
                test = tests.get(entry["nodeid"])
                if test is None:
                    continue
                for name in entry["requests"]:
                    resolved = project.resolve_fixture(name, path, test.cls)
                    if resolved is None or resolved.scope != "function":
                        continue
                    quiet = entry["suppressed"] or global_suppressed
                    project.report(
                        self,
                        path,
                        test.line,
                        f"`{test.name}` is `@given` but requests function-scoped fixture `{name}`, "
                        f"which is "
                        f"shared by every generated example: widen its scope or create the state "
                        f"inside "
                        f"the test.",
                        test=test,
                        severity="info" if quiet else None,
                        anchor=f"fixture {name}",
                    )
