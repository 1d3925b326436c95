"""Family 5xx — Hypothesis settings and profiles: too few examples (TQ502), generation switched
off (TQ503), suppressed health checks (TQ505).

Settings profiles count when a module loads them by default (module level or `pytest_configure`,
literal name); env-switched dev/ci profiles do not. The `@given` shape rules are in
`properties_given.py`; the shared name resolution is in `_hypothesis_shapes.py`.
"""

from __future__ import annotations

from auditor.static.context import FileContext
from auditor.static.facts import FileFacts
from auditor.static.project_context import ProjectContext
from auditor.static.rules._hypothesis_shapes import (
    QUALITY_CHECKS,
    SETTINGS,
    all_calls,
    default_profiles,
    module_profiles,
    qualify,
    record_profiles,
    settings_facts,
    test_settings,
)
from auditor.static.rules.base import Example, Rule

HYP = "from hypothesis import given, settings, strategies as st\n\n"


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
