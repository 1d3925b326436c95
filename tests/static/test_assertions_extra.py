"""Behaviour of the 1xx rules beyond "fires / does not fire": severities per variant, options, and
one finding per defect when two rules see the same shape."""

from __future__ import annotations

import json

from auditor.cli import main
from auditor.static.rules.base import Example
from auditor.static.testing import findings_for, run_example


def _severities(code: str, source: str, **kwargs: object) -> dict[int, str]:
    return {f.line: f.severity for f in findings_for(Example(source, **kwargs), code)}  # type: ignore[arg-type]


def test_tautology_severity_depends_on_variant():
    """`x is x` is an error; a self-comparison is info (held-out precision 0/4: reflexivity
    tests of comparison operators, docs/precision.md)."""
    source = (
        "def test_identity(x):\n"
        "    assert x is x\n"
        "    assert x == x\n"
        "\n"
        "def test_eq_reflexive(x):\n"
        "    assert x == x\n"
    )
    assert _severities("TQ103", source) == {2: "error", 3: "info", 6: "info"}


def test_mock_lookalike_reported_once_by_tq114_not_tq103():
    source = (
        "from unittest.mock import Mock\n\n"
        "def test_send():\n"
        "    m = Mock()\n"
        "    notify(m)\n"
        "    assert m.called_with(1)\n"
    )
    found = [f for f in run_example(source) if f.rule in ("TQ103", "TQ114")]
    assert [(f.rule, f.line) for f in found] == [("TQ114", 6)]
    alone = findings_for(Example(source, config={"ignore": ["TQ114"]}), "TQ103")
    assert [f.line for f in alone] == [6]


def test_swallowed_failure_variants_have_their_own_severity():
    source = (
        "def test_a(cart):\n"
        "    try:\n"
        "        assert total(cart) == 30\n"
        "    except Exception:\n"
        "        pass\n"
        "\n"
        "def test_b():\n"
        "    try:\n"
        "        parse('x')\n"
        "    except ValueError as e:\n"
        "        assert 'x' in str(e)\n"
    )
    # (b) is info: held-out precision 9/12 (docs/precision.md)
    assert _severities("TQ107", source) == {4: "error", 10: "info"}


def test_unreachable_check_and_extra_statement_are_reported_at_info():
    """TQ113 is info until its held-out precision (1/9) reaches the bar (docs/precision.md)."""
    source = (
        "import pytest\n\n"
        "def test_u():\n"
        "    with pytest.raises(KeyError) as exc:\n"
        "        d = load()\n"
        "        d['missing']\n"
        "        assert exc.value.args\n"
    )
    assert _severities("TQ113", source) == {6: "info", 7: "info"}


def test_broad_exception_list_is_configurable():
    source = "import pytest\n\ndef test_v():\n    with pytest.raises(ValueError):\n        run()\n"
    assert not findings_for(source, "TQ105")
    config = {"rules": {"TQ105": {"raises-require-match-for": ["ValueError"]}}}
    found = findings_for(Example(source, config=config), "TQ105")
    assert [f.line for f in found] == [4]
    assert "ValueError" in found[0].message


def test_missing_assertion_skips_tests_already_reported_as_discarded_or_swallowed():
    source = (
        "def test_cmp():\n"
        "    x = compute()\n"
        "    x == 3\n"
        "\n"
        "def test_expect():\n"
        "    try:\n"
        "        parse('x')\n"
        "    except ValueError:\n"
        "        pass\n"
    )
    codes = sorted(
        (f.rule, f.line) for f in run_example(source) if f.rule in ("TQ101", "TQ107", "TQ112")
    )
    assert codes == [("TQ107", 8), ("TQ112", 3)]


def test_assert_true_alone_is_missing_assertion_not_tautology():
    source = "def test_todo():\n    assert True\n"
    rules = {f.rule for f in run_example(source)}
    assert "TQ101" in rules
    assert "TQ103" not in rules


def test_messages_name_the_fix():
    source = "def test_greet(capsys):\n    greet()\n    out, err = capsys.readouterr()\n"
    (finding,) = findings_for(source, "TQ111")
    assert "readouterr().out" in finding.message


WEAK_SUITE = """\
import pytest
from unittest import mock


def test_identity():
    e1 = object()
    assert e1 is e1


def test_validate():
    with pytest.raises(Exception):
        int("x")


def test_swallow():
    try:
        assert int("3") == 4
    except Exception:
        pass


def test_unreachable():
    with pytest.raises(ValueError) as exc:
        int("x")
        assert "x" in str(exc.value)


@mock.patch("os.getcwd")
def test_lookalike(getcwd):
    getcwd.called_once_with()


def test_greet(capsys):
    print("hi")
    out, err = capsys.readouterr()
"""


def test_cli_json_reports_each_planted_1xx_defect_with_its_severity(tmp_path, capsys):
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'demo'\n", encoding="utf-8")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_weak.py").write_text(WEAK_SUITE, encoding="utf-8")
    code = main(
        ["scan", str(tmp_path / "tests"), "--only", "static", "--format", "json", "--no-cache"]
    )
    card = json.loads(capsys.readouterr().out)
    ours = [f for f in card["findings"] if f["rule"].startswith("TQ1")]
    found = {(f["rule"], f["line"], f["severity"]) for f in ours if f["rule"] != "TQ101"}
    # the look-alike and the unread capture are the only "checks" of their tests
    unverified = {f["test"].rsplit("::", 1)[-1] for f in ours if f["rule"] == "TQ101"}
    assert unverified == {"test_lookalike", "test_greet"}
    assert found == {
        ("TQ103", 7, "error"),
        ("TQ105", 11, "warning"),
        ("TQ107", 18, "error"),
        ("TQ113", 25, "info"),
        ("TQ114", 30, "error"),
        ("TQ111", 35, "info"),
    }
    assert code == 0  # no gate configured: findings alone do not fail the scan
