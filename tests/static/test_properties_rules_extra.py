"""Behaviour of the 5xx (Hypothesis) rules beyond the VALID/INVALID examples: name resolution
variants, thresholds as options (threshold +/- 1), profiles across files, severities, and the real
Hypothesis behaviour the rules' docstrings claim."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from auditor.static.registry import rule_by_code
from auditor.static.rules.base import Example
from auditor.static.testing import findings_for


def _found(code: str, source: str, **kwargs: object) -> dict[int, str]:
    found = findings_for(Example(source, **kwargs), code)  # type: ignore[arg-type]
    return {f.line: f.severity for f in found}


@pytest.mark.parametrize(
    "header, strategy",
    [
        ("from hypothesis import given, strategies as st", "st.just(1)"),
        ("from hypothesis import given\nimport hypothesis.strategies as st", "st.just(1)"),
        ("from hypothesis import given\nfrom hypothesis.strategies import just", "just(1)"),
        ("from hypothesis import given, strategies", "strategies.none()"),
    ],
)
def test_degenerate_strategy_through_every_import_style(header, strategy):
    source = f"{header}\n\n@given({strategy})\ndef test_x(x):\n    assert x == x\n"
    line = source.count("\n", 0, source.index("@given")) + 1
    assert _found("TQ504", source) == {line: "warning"}


def test_degenerate_through_qualified_decorator():
    source = (
        "import hypothesis\nimport hypothesis.strategies as st\n\n"
        "@hypothesis.given(st.integers(3, 3), st.text())\ndef test_x(n, s):\n    assert n\n"
    )
    assert _found("TQ504", source) == {4: "info"}


@pytest.mark.parametrize("delta", [-1, 0, 1])
def test_max_examples_threshold_is_the_rule_option(delta):
    threshold = rule_by_code("TQ502").options["min-examples"]  # type: ignore[union-attr]
    n = threshold + delta
    source = (
        "from hypothesis import given, settings, strategies as st\n\n"
        f"@settings(max_examples={n})\n@given(st.text())\ndef test_a(s):\n    assert s == s\n"
    )
    assert bool(_found("TQ502", source)) is (n < threshold)


def test_max_examples_threshold_is_configurable():
    source = (
        "from hypothesis import given, settings, strategies as st\n\n"
        "@settings(max_examples=7)\n@given(st.text())\ndef test_a(s):\n    assert s == s\n"
    )
    assert _found("TQ502", source) == {3: "warning"}
    config = {"rules": {"TQ502": {"min-examples": 5}}}
    assert _found("TQ502", source, config=config) == {}


def test_profile_loaded_in_pytest_configure_is_default_but_env_switched_is_not():
    conftest = (
        "from hypothesis import settings, Phase\n\n"
        "settings.register_profile('x', phases=[Phase.explicit], max_examples=3)\n\n"
        "def pytest_configure(config):\n    settings.load_profile('x')\n"
    )
    example = Example("def test_ok():\n    assert 1\n", files={"tests/conftest.py": conftest})
    assert [f.path for f in findings_for(example, "TQ503")] == ["tests/conftest.py"]
    assert [f.path for f in findings_for(example, "TQ502")] == ["tests/conftest.py"]
    switched = conftest.replace(
        "    settings.load_profile('x')",
        "    if config.getoption('-v'):\n        settings.load_profile('x')",
    )
    example = Example("def test_ok():\n    assert 1\n", files={"tests/conftest.py": switched})
    assert findings_for(example, "TQ503") == []


def test_suppress_all_is_warning_and_patience_profile_is_info():
    per_test = (
        "from hypothesis import given, settings, HealthCheck, strategies as st\n\n"
        "@settings(suppress_health_check=list(HealthCheck))\n@given(st.text())\n"
        "def test_a(s):\n    assert s == s\n"
    )
    assert _found("TQ505", per_test) == {3: "warning"}
    patience = (
        "from hypothesis import settings, HealthCheck\n\n"
        "settings.register_profile('patience', "
        "settings(suppress_health_check=[HealthCheck.too_slow]))\n"
        "settings.load_profile('patience')\n"
    )
    found = findings_for(
        Example("def test_ok():\n    assert 1\n", files={"tests/conftest.py": patience}), "TQ505"
    )
    assert [(f.path, f.line, f.severity) for f in found] == [("tests/conftest.py", 3, "info")]


def test_given_fixture_scope_is_resolved_through_the_conftest_chain():
    conftest = "import pytest\n\n@pytest.fixture\ndef db():\n    return {}\n"
    source = (
        "import pytest\nfrom hypothesis import given, strategies as st\n\n"
        "@given(st.text())\ndef test_a(db, s):\n    assert s == s\n"
    )
    assert _found("TQ506", source, files={"tests/conftest.py": conftest}) == {5: "error"}
    overridden = source.replace(
        "@given", "@pytest.fixture(scope='module')\ndef db():\n    return {}\n\n@given"
    )
    assert _found("TQ506", overridden, files={"tests/conftest.py": conftest}) == {}


def test_global_profile_suppression_lowers_given_fixture_to_info():
    conftest = (
        "from hypothesis import settings, HealthCheck\n\n"
        "settings.register_profile('d', "
        "suppress_health_check=[HealthCheck.function_scoped_fixture])\n"
        "settings.load_profile('d')\n"
    )
    source = (
        "from hypothesis import given, strategies as st\n\n"
        "@given(st.text())\ndef test_a(tmp_path, s):\n    assert s == s\n"
    )
    assert _found("TQ506", source, files={"tests/conftest.py": conftest}) == {4: "info"}


def test_max_assumes_option():
    source = (
        "from hypothesis import assume, given, strategies as st\n\n"
        "@given(st.integers(), st.integers())\ndef test_a(a, b):\n"
        "    assume(a > 0)\n    assume(b > 0)\n    assert a + b > 0\n"
    )
    assert _found("TQ501", source) == {}
    assert _found("TQ501", source, config={"rules": {"TQ501": {"max-assumes": 1}}}) == {
        5: "warning"
    }


def _pytest(tmp_path: Path, source: str) -> str:
    (tmp_path / "test_h.py").write_text(textwrap.dedent(source), encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rA", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    return run.stdout


@pytest.mark.slow
def test_documented_hypothesis_behaviour(tmp_path: Path):
    """What TQ503/TQ504/TQ506 claim, checked against the installed Hypothesis."""
    out = _pytest(
        tmp_path,
        """
        import pytest
        from hypothesis import Phase, example, given, settings, strategies as st

        @settings(phases=[Phase.explicit])
        @given(st.integers())
        @example(5)
        def test_explicit_only(x):
            assert x == 5

        @given(st.just(3))
        def test_just(x):
            assert x == 3

        @given(st.text())
        def test_tmp(tmp_path, s):
            assert s == s

        @pytest.fixture(autouse=True)
        def reset():
            yield

        @given(st.text())
        def test_autouse_not_named(s):
            assert s == s
        """,
    )
    assert "PASSED test_h.py::test_explicit_only" in out
    assert "PASSED test_h.py::test_just" in out
    assert "FAILED test_h.py::test_tmp" in out and "function-scoped fixture" in out
    assert "PASSED test_h.py::test_autouse_not_named" in out
