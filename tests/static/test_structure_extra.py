"""Behaviour of the 4xx rules beyond the VALID/INVALID examples: severities per variant, cross-file
joins, configuration read from the pytest config, and the real pytest behaviour TQ411 documents."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from auditor.cli import main
from auditor.static.rules.base import Example
from auditor.static.testing import findings_for


def _lines(code: str, source: str, **kwargs: object) -> dict[int, str]:
    found = findings_for(Example(source, **kwargs), code)  # type: ignore[arg-type]
    return {f.line: f.severity for f in found}


def test_every_shadowed_definition_is_reported_not_the_last():
    source = (
        "def test_x():\n    assert 1\n\n"
        "def test_x():\n    assert 2\n\n"
        "def test_x():\n    assert 3\n"
    )
    assert _lines("TQ406", source) == {1: "error", 4: "error"}


def test_definition_in_a_module_level_if_shadows_the_earlier_module_one():
    source = (
        "import sys\n\n"
        "def test_path():\n    assert 1\n\n"
        "if sys.platform == 'win32':\n"
        "    def test_path():\n        assert 2\n"
    )
    assert _lines("TQ406", source) == {3: "error"}


def test_try_body_and_except_handler_are_alternatives():
    source = (
        "try:\n    import numpy\n\n    def test_np():\n        assert numpy\n"
        "except ImportError:\n    def test_np():\n        assert 1\n"
    )
    assert _lines("TQ406", source) == {}


def test_orphan_base_class_is_reported_until_a_collected_subclass_exists_in_another_file():
    base = "class Checks:\n    def test_empty(self):\n        assert not self.make()\n"
    alone = findings_for(
        Example("def test_ok():\n    assert 1\n", files={"tests/common.py": base}), "TQ405"
    )
    assert [(f.path, f.line, f.severity) for f in alone] == [("tests/common.py", 1, "warning")]
    used = findings_for(
        Example(
            "from tests.common import Checks\n\nclass TestList(Checks):\n"
            "    def make(self):\n        return []\n",
            files={"tests/common.py": base},
        ),
        "TQ405",
    )
    assert used == []


def test_custom_python_classes_makes_a_class_collected():
    source = "class CartChecks:\n    def test_total(self):\n        assert 1 + 1 == 2\n"
    assert _lines("TQ405", source) == {1: "warning"}
    assert _lines("TQ405", source, pytest_ini="python_classes = *Checks\n") == {}


def test_non_strict_xfail_is_info_and_missing_reason_is_warning():
    source = (
        "import pytest\n\n"
        "@pytest.mark.xfail(reason='#1')\ndef test_a():\n    assert 0\n\n"
        "@pytest.mark.xfail()\ndef test_b():\n    assert 0\n\n"
        "@pytest.mark.xfail(reason='#2', strict=True)\ndef test_c():\n    assert 0\n"
    )
    assert _lines("TQ404", source) == {3: "info", 7: "warning"}
    assert _lines("TQ404", source, pytest_ini="xfail_strict = true\n") == {7: "warning"}


def test_sleep_in_slow_marked_test_is_info_and_sleep_zero_is_ignored():
    source = (
        "import time\nimport pytest\n\n"
        "@pytest.mark.slow\ndef test_timing():\n    time.sleep(0.2)\n    assert 1\n\n"
        "def test_fast():\n    time.sleep(0)\n    time.sleep(1)\n    assert 1\n"
    )
    # TQ401 is info (held-out precision 0/4, docs/precision.md): sleep(0) is still ignored
    assert _lines("TQ401", source) == {6: "info", 11: "info"}


def test_conditional_verification_names_the_loop_or_the_condition():
    found = findings_for(
        Example(
            "def test_loop(xs):\n    for x in xs:\n        assert x\n\n"
            "def test_cond(x):\n    if x:\n        assert x\n"
        ),
        "TQ402",
    )
    messages = {f.line: f.message for f in found}
    assert "may run zero times" in messages[2]
    assert "only run under if" in messages[6]


def test_unconditional_assertion_helper_in_another_module_counts_as_verification():
    source = (
        "from tests.helpers import expect_sorted\n\n"
        "def test_sorted(xs):\n    for x in xs:\n        assert x\n    expect_sorted(xs)\n"
    )
    helper = {"tests/helpers.py": "def expect_sorted(xs):\n    assert xs == sorted(xs)\n"}
    assert findings_for(Example(source, files=helper), "TQ402") == []


def _scan_rules(tests_dir: Path, capsys: pytest.CaptureFixture[str]) -> set[str]:
    capsys.readouterr()
    code = main(["scan", str(tests_dir), "--only", "static", "--format", "json", "--no-cache"])
    assert code in (0, 1)
    return {f["rule"] for f in json.loads(capsys.readouterr().out)["findings"]}


def test_async_tests_run_by_auto_mode_from_pyproject(tmp_path: Path, capsys):
    project = tmp_path / "proj"
    (project / "tests").mkdir(parents=True)
    (project / "tests" / "test_a.py").write_text(
        "async def test_a():\n    assert 1\n", encoding="utf-8"
    )
    (project / "pyproject.toml").write_text(
        "[project]\nname = 'p'\n\n[tool.pytest.ini_options]\nasyncio_mode = 'auto'\n",
        encoding="utf-8",
    )
    assert "TQ411" not in _scan_rules(project / "tests", capsys)
    (project / "pyproject.toml").write_text("[project]\nname = 'p'\n", encoding="utf-8")
    assert "TQ411" in _scan_rules(project / "tests", capsys)


@pytest.mark.slow
def test_documented_pytest_behaviour_of_unmarked_async_tests(tmp_path: Path):
    """TQ411's docstring claims: plain async test fails; async method of a plain TestCase passes."""
    (tmp_path / "test_async.py").write_text(
        textwrap.dedent(
            """
            import unittest

            async def test_plain():
                assert False

            class TestCase(unittest.TestCase):
                async def test_method(self):
                    self.assertTrue(False)
            """
        ),
        encoding="utf-8",
    )
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rA", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert "FAILED test_async.py::test_plain" in run.stdout
    assert "not natively supported" in run.stdout
    assert "PASSED test_async.py::TestCase::test_method" in run.stdout


def test_one_sided_if_is_an_opt_in_info_variant():
    source = (
        "def test_status(r):\n    assert r.ok\n    if r.json:\n        assert r.json['id'] == 1\n"
    )
    assert _lines("TQ402", source) == {}
    assert _lines("TQ402", source, config={"rules": {"TQ402": {"one-sided-if": True}}}) == {
        3: "info"
    }
