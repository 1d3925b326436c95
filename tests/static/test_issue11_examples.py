"""Issue 11's examples that a VALID/INVALID list cannot express: severities, wording, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from auditor.cli import main
from auditor.static.rules.base import Example
from auditor.static.testing import findings_for


def test_tq107_on_a_best_effort_act_is_info_and_does_not_claim_the_test_cannot_fail() -> None:
    source = (
        "import gc\n\ndef test_weakref(obj):\n    ref = make_ref(obj)\n    del obj\n    try:\n"
        "        gc.collect()\n    except BaseException:\n        pass\n    assert ref() is None\n"
    )
    found = findings_for(Example(source), "TQ107")
    assert [(f.line, f.severity) for f in found] == [(8, "info")]
    assert "cannot fail" not in found[0].message


def test_tq107_still_says_cannot_fail_when_the_check_is_inside_the_try() -> None:
    source = (
        "def test_total(cart):\n    try:\n        assert total(cart) == 30\n"
        "    except Exception:\n        pass\n"
    )
    found = findings_for(Example(source), "TQ107")
    assert [(f.line, f.severity) for f in found] == [(4, "error")]
    assert "cannot fail" in found[0].message


def test_tq113_does_not_call_the_raising_call_unreachable() -> None:
    source = (
        "import pytest\n\ndef test_method_raises():\n    with pytest.raises(TypeError):\n"
        "        obj = build()\n        assert obj.method(1)\n"
    )
    found = findings_for(Example(source), "TQ113")
    assert len(found) == 1
    assert "never runs" not in found[0].message


def test_files_pytest_does_not_collect_never_fail_the_scan(tmp_path: Path, capsys) -> None:
    """black's tests/data/*.py formatter inputs: not test modules, not imported, syntax errors."""
    (tmp_path / "pyproject.toml").write_text(
        "[project]\nname = 'fmt'\n\n[tool.pytest.ini_options]\ntestpaths = ['tests']\n",
        encoding="utf-8",
    )
    data = tmp_path / "tests" / "data" / "cases"
    data.mkdir(parents=True)
    (data / "comments.py").write_text("def broken(:\n    print(  'x'\n", encoding="utf-8")
    (data / "test_like.py.txt").write_text("x", encoding="utf-8")
    (tmp_path / "tests" / "test_format.py").write_text(
        "def test_format():\n    assert format_str('x') == 'x'\n", encoding="utf-8"
    )
    code = main(
        ["scan", str(tmp_path / "tests"), "--only", "static", "--format", "json", "--no-cache"]
    )
    card = json.loads(capsys.readouterr().out)
    assert code == 0
    assert not card.get("diagnostics")
    assert all(not f["path"].startswith("tests/data/") for f in card["findings"])
