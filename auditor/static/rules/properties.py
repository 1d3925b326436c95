"""Family 5xx — Hypothesis property tests that generate little, nothing, or the wrong thing.

Each rule judges a *shape* Hypothesis itself only notices at run time (if at all): explicit-only
phases, tiny `max_examples`, degenerate strategies, heavy rejection, suppressed health checks and
function-scoped fixtures shared across examples. Settings profiles count when a module loads them
by default (module level or `pytest_configure`, literal name); env-switched dev/ci profiles do not.
"""

from __future__ import annotations

from typing import Any

import libcst as cst

from auditor.static.collect import TestFunc
from auditor.static.context import FileContext
from auditor.static.facts import FileFacts
from auditor.static.oracle import own_nodes
from auditor.static.project_context import ProjectContext
from auditor.static.rules._hypothesis_shapes import (
    QUALITY_CHECKS,
    SETTINGS,
    all_calls,
    default_profiles,
    degenerate,
    module_profiles,
    qualify,
    record_profiles,
    settings_facts,
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
                "`assume` inside a loop rejects the whole example when any element fails: filter "
                "or "
                "build the elements instead."
            )
        if isinstance(cond, cst.Comparison):
            ops = [c.operator for c in cond.comparisons]
            if any(isinstance(o, cst.Equal) for o in ops):
                return (
                    "`assume(a == b)` rejects nearly every example: generate one value and derive "
                    "the "
                    "other from it."
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


class TooFewExamples(Rule):
    """What it does:
    Reports `settings(max_examples=N)` with a literal `N` below `min-examples` (default 10) on a
    test, a state machine or any `settings(...)` call, and in a settings profile that a module
    loads by default. Profiles chosen through an environment variable (dev/ci switches) are exempt;
    a justification comment next to the setting lowers the finding to info.

    Why it matters:
    Hypothesis' default is 100 examples; a property with 5 examples is a slow, random
    parametrization that rarely reaches the inputs that break the code.

    Example:
    @settings(max_examples=5)
    @given(st.text())
    def test_roundtrip(s):
        assert decode(encode(s)) == s

    Use instead:
    @given(st.text())
    def test_roundtrip(s):
        assert decode(encode(s)) == s
    """

    code = "TQ502"
    name = "too-few-examples"
    summary = "max_examples below the threshold (test or default-loaded profile)"
    severity = "warning"
    tier = "H"
    options = {"min-examples": 10}
    VALID = [
        HYP
        + "@settings(max_examples=50)\n@given(st.text())\ndef test_a(s):\n    assert s == s[:]\n",
        Example(
            "import os\n",
            files={
                "tests/conftest.py": "import os\nfrom hypothesis import settings\n\n"
                "settings.register_profile('dev', max_examples=5)\nsettings.register_profile('ci', "
                "max_examples=500)\n"
                "settings.load_profile(os.getenv('HYPOTHESIS_PROFILE', 'dev'))\n"
            },
            note="dev/ci profiles switched by an environment variable",
        ),
        Example(
            HYP + "settings.register_profile('quick', max_examples=3)\n\n@given(st.text())\n"
            "def test_b(s):\n    assert s == s[:]\n",
            note="profile registered but never loaded by default",
        ),
    ]
    INVALID = [
        Example(
            HYP + "@settings(max_examples=5)\n@given(st.text())\n"
            "def test_a(s):\n    assert s == s[:]\n",
            lines=[3],
        ),
        Example(
            "import hypothesis\nimport hypothesis.strategies as st\n\n"
            "@hypothesis.settings(max_examples=9)\n"
            "@hypothesis.given(st.text())\ndef test_b(s):\n    assert s == s[:]\n",
            lines=[4],
        ),
        Example(
            "def test_ok():\n    assert 1\n",
            files={
                "tests/conftest.py": "from hypothesis import settings\n\n"
                "settings.register_profile('fast', max_examples=2)\nsettings.load_profile('fast')\n"
            },
            count=1,
            note="default-loaded profile",
        ),
    ]

    def check(self, ctx: FileContext) -> None:
        if "max_examples" not in ctx.source:
            return
        minimum = int(ctx.setting(self, "min-examples"))
        skip = module_profiles(ctx).profile_call_ids
        for call in all_calls(ctx.module):
            if id(call) in skip or qualify(ctx, call.func) != SETTINGS:
                continue
            facts = settings_facts(ctx, call)
            if facts.max_examples is not None and facts.max_examples < minimum:
                ctx.report(
                    self,
                    call,
                    f"`max_examples={facts.max_examples}` makes this a near-fixed "
                    f"example test: drop it (default 100) or use at least {minimum}.",
                    severity="info" if facts.commented else None,
                )

    def collect(self, ctx: FileContext, facts: FileFacts) -> None:
        record_profiles(ctx, facts.extra)

    def check_project(self, project: ProjectContext) -> None:
        minimum = int(str(project.setting(self, "min-examples")))
        for name, (path, data) in sorted(default_profiles(project.files).items()):
            value = data.get("max_examples")
            if value is not None and value < minimum:
                project.report(
                    self,
                    path,
                    data["line"],
                    f"Profile `{name}` is loaded by default with `max_examples={value}`, so "
                    f"every property runs {value} examples: raise it to at least {minimum} or "
                    f"load it only via an environment switch.",
                    anchor=f"profile {name}",
                )


class ExplicitOnlyPropertyTest(Rule):
    """What it does:
    Reports `settings(phases=[...])` without `Phase.generate` on a `@given` test or in a profile
    loaded by default (error), and `@example` on a function without `@given` (info).

    Why it matters:
    Verified: `@settings(phases=[Phase.explicit])` + `@given(st.integers())` + `@example(5)` with
    `assert x == 5` passes — generation is silently switched off and the property test is a single
    hand-written example. `@example` without `@given` errors at run time ("fixture 'x' not found").

    Example:
    @settings(phases=[Phase.explicit])
    @given(st.integers())
    @example(5)
    def test_square(x):
        assert x * x >= 0

    Use instead:
    @given(st.integers())
    @example(5)
    def test_square(x):
        assert x * x >= 0
    """

    code = "TQ503"
    name = "explicit-only-property-test"
    summary = "Property test with generation switched off (phases without generate)"
    severity = "error"
    tier = "P"
    VALID = [
        HYP + "from hypothesis import Phase\n\n@settings(phases=[Phase.explicit, Phase.generate])\n"
        "@given(st.integers())\ndef test_a(x):\n    assert x * x >= 0\n",
        Example(
            "def test_ok():\n    assert 1\n",
            files={
                "tests/conftest.py": "import os\nfrom hypothesis import settings, Phase\n\n"
                "settings.register_profile('repro', phases=[Phase.explicit, Phase.reuse])\n"
                "if os.getenv('REPRO'):\n    settings.load_profile('repro')\n"
            },
            note="reproduction profile loaded only on demand",
        ),
        Example(
            HYP + "from hypothesis import example\n\n@given(st.integers())\n@example(0)\n"
            "def test_b(x):\n    assert x * 0 == 0\n",
            note="@example with @given",
        ),
    ]
    INVALID = [
        Example(
            HYP + "from hypothesis import Phase, example\n\n@settings(phases=[Phase.explicit])\n"
            "@given(st.integers())\n@example(5)\ndef test_a(x):\n    assert x == 5\n",
            lines=[5],
        ),
        Example(
            "import hypothesis\nfrom hypothesis import strategies as st\n\n"
            "@hypothesis.settings(phases=(hypothesis.Phase.explicit, hypothesis.Phase.reuse))\n"
            "@hypothesis.given(st.integers())\ndef test_b(x):\n    assert x\n",
            lines=[4],
        ),
        Example(
            "from hypothesis import example\n\n@example(3)\ndef test_c(x):\n    assert x == 3\n",
            lines=[3],
        ),
        Example(
            "def test_ok():\n    assert 1\n",
            files={
                "tests/conftest.py": "from hypothesis import settings, Phase\n\n"
                "settings.register_profile('x', phases=[Phase.explicit])\n"
                "settings.load_profile('x')\n"
            },
            count=1,
        ),
    ]

    def check(self, ctx: FileContext) -> None:
        for test in ctx.tests:
            if test.is_given:
                for call, facts in test_settings(ctx, test):
                    if facts.no_generate:
                        ctx.report(
                            self,
                            call,
                            f"`phases={facts.phases}` has no `Phase.generate`: Hypothesis "
                            f"generates nothing and only runs explicit examples — add "
                            f"`Phase.generate` or remove `phases=`.",
                            test=test,
                        )
            else:
                deco = test.decorator("hypothesis.example")
                if deco is not None:
                    ctx.report(
                        self,
                        deco.node.decorator,
                        "`@example` without `@given` does nothing useful "
                        '(pytest fails with "fixture not found"): add `@given(...)` or use '
                        "`@pytest.mark.parametrize`.",
                        test=test,
                        severity="info",
                    )

    def collect(self, ctx: FileContext, facts: FileFacts) -> None:
        record_profiles(ctx, facts.extra)

    def check_project(self, project: ProjectContext) -> None:
        for name, (path, data) in sorted(default_profiles(project.files).items()):
            phases = data.get("phases")
            if phases is not None and "generate" not in phases:
                project.report(
                    self,
                    path,
                    data["line"],
                    f"Profile `{name}` is loaded by default without `Phase.generate`: no property "
                    f"test generates inputs — add `Phase.generate`.",
                    anchor=f"profile {name}",
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


class SuppressedHealthChecks(Rule):
    """What it does:
    Reports `suppress_health_check=` that suppresses every health check (`list(HealthCheck)`,
    `HealthCheck.all()`, all members) and, in a profile loaded by default, suppression of
    `function_scoped_fixture`, `filter_too_much`, `data_too_large` or `nested_given` (warnings).
    A default-loaded profile that only suppresses `too_slow` (attrs' "patience" profile) or sets
    `deadline=None` is info; per-test suppression with a justification comment is info.

    Why it matters:
    Health checks are how Hypothesis tells you a property explores little (too much filtering,
    oversized data) or shares state between examples (function-scoped fixtures). Suppressing them
    for the whole suite hides exactly the weak properties this tool looks for. (`deadline=None` and
    `too_slow` do not reduce bug-finding power: Hypothesis' own `ci` profile sets both.)

    Example:
    settings.register_profile("default", suppress_health_check=list(HealthCheck))
    settings.load_profile("default")

    Use instead:
    settings.register_profile("default", suppress_health_check=[HealthCheck.too_slow])
    settings.load_profile("default")
    """

    code = "TQ505"
    name = "suppressed-health-checks"
    summary = "Hypothesis health checks suppressed wholesale or globally"
    severity = "warning"
    tier = "H"
    VALID = [
        HYP + "from hypothesis import HealthCheck\n\n"
        "@settings(suppress_health_check=[HealthCheck.too_slow])\n"
        "@given(st.text())\ndef test_a(s):\n    assert s == s[:]\n",
        Example(
            "import os\n",
            files={
                "tests/conftest.py": "import os\nfrom hypothesis import settings, HealthCheck\n\n"
                "settings.register_profile('ci', suppress_health_check=list(HealthCheck))\n"
                "if os.getenv('CI'):\n    settings.load_profile('ci')\n"
            },
            note="profile loaded only when CI is set: not the default path",
            config={"ignore": []},
        ),
    ]
    INVALID = [
        Example(
            HYP + "from hypothesis import HealthCheck\n\n"
            "@settings(suppress_health_check=list(HealthCheck))\n"
            "@given(st.text())\ndef test_a(s):\n    assert s == s[:]\n",
            lines=[5],
        ),
        Example(
            HYP + "from hypothesis import HealthCheck\n\n"
            "@settings(suppress_health_check=HealthCheck.all())\n"
            "@given(st.text())\ndef test_b(s):\n    assert s == s[:]\n",
            lines=[5],
        ),
        Example(
            "def test_ok():\n    assert 1\n",
            files={
                "tests/conftest.py": "from hypothesis import settings, HealthCheck\n\n"
                "settings.register_profile('default', "
                "suppress_health_check=[HealthCheck.filter_too_much])\n"
                "settings.load_profile('default')\n"
            },
            count=1,
        ),
        Example(
            "def test_ok():\n    assert 1\n",
            files={
                "tests/conftest.py": "from hypothesis import HealthCheck, settings\n\n"
                "# 'too_slow' causes more trouble than good -- especially in CIs.\n"
                "settings.register_profile(\n    'patience', "
                "settings(suppress_health_check=[HealthCheck.too_slow])\n)\n"
                "settings.load_profile('patience')\n"
            },
            count=1,
            note="attrs tests/conftest.py:22-31 -> info",
        ),
    ]

    def check(self, ctx: FileContext) -> None:
        if "suppress_health_check" not in ctx.source:
            return
        skip = module_profiles(ctx).profile_call_ids
        for call in all_calls(ctx.module):
            if id(call) in skip or qualify(ctx, call.func) != SETTINGS:
                continue
            facts = settings_facts(ctx, call)
            if facts.suppresses_all:
                ctx.report(
                    self,
                    call,
                    "Every Hypothesis health check is suppressed: suppress only the "
                    "specific check you have investigated (e.g. `HealthCheck.too_slow`).",
                    severity="info" if facts.commented else None,
                )
            elif set(facts.suppress) & (
                QUALITY_CHECKS - {"function_scoped_fixture", "nested_given"}
            ):
                ctx.report(
                    self,
                    call,
                    f"Suppressing {sorted(set(facts.suppress) & QUALITY_CHECKS)} hides "
                    f"heavy filtering/oversized data: fix the strategy instead.",
                    severity="info",
                )

    def collect(self, ctx: FileContext, facts: FileFacts) -> None:
        record_profiles(ctx, facts.extra)

    def check_project(self, project: ProjectContext) -> None:
        for name, (path, data) in sorted(default_profiles(project.files).items()):
            suppressed = set(data.get("suppress", []))
            quality = sorted(suppressed & QUALITY_CHECKS)
            severity: str | None = None
            if (
                "*all*" in suppressed
                or {
                    "data_too_large",
                    "filter_too_much",
                    "too_slow",
                    "large_base_example",
                    "function_scoped_fixture",
                }
                <= suppressed
            ):
                message = f"Profile `{name}` (loaded by default) suppresses every health check"
            elif quality:
                message = (
                    f"Profile `{name}` (loaded by default) suppresses "
                    f"{', '.join(quality)} for every test"
                )
            elif suppressed or data.get("deadline_none"):
                what = ", ".join(sorted(suppressed)) + (
                    " and deadline=None" if data.get("deadline_none") else ""
                )
                message = (
                    f"Profile `{name}` (loaded by default) relaxes {what.strip(' ,')} (low risk)"
                )
                severity = "info"
            else:
                continue
            project.report(
                self,
                path,
                data["line"],
                message + ": suppress checks per test, where you have investigated them.",
                severity=severity,
                anchor=f"profile {name}",
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
