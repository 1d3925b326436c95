"""Suppression comments, config selection, baselines and stale-suppression reporting."""

from __future__ import annotations

import json
from pathlib import Path

from auditor.cli import main
from auditor.static.rules.base import Example
from auditor.static.testing import run_example

DISCARDED = "def test_a():\n    x = 1\n    x == 2{comment}\n    assert x\n"


def rules_of(code: str, **kw: object) -> list[tuple[str, int]]:
    return [(f.rule, f.line) for f in run_example(Example(code=code, **kw))]  # type: ignore[arg-type]


def test_inline_ignore_on_the_reported_line():
    assert ("TQ112", 3) in rules_of(DISCARDED.format(comment=""))
    assert rules_of(DISCARDED.format(comment="  # auditor: ignore[TQ112] -- demo")) == []


def test_noqa_is_honoured():
    assert rules_of(DISCARDED.format(comment="  # noqa: TQ112")) == []


def test_ignore_on_the_def_line_covers_function_rules():
    code = "def test_a():  # auditor: ignore[TQ112] -- whole test\n    x = 1\n    x == 2\n    assert x\n"
    assert rules_of(code) == []


def test_ignore_for_another_code_does_not_hide_the_finding():
    assert ("TQ112", 3) in rules_of(DISCARDED.format(comment="  # auditor: ignore[TQ101]"))


def test_file_level_ignore():
    code = "# auditor: ignore-file[TQ110]\n\ndef test_a():\n    pass\n\ndef test_b():\n    ...\n"
    assert rules_of(code) == []


def test_per_file_ignores_and_ignore_and_select():
    code = "def test_a():\n    pass\n"
    assert rules_of(code) == [("TQ110", 1)]
    assert rules_of(code, config={"per-file-ignores": {"tests/test_*.py": ["TQ110"]}}) == []
    assert rules_of(code, config={"ignore": ["TQ1"]}) == []
    assert rules_of(code, config={"select": ["TQ4"]}) == []


def test_opt_in_rule_is_off_until_extend_select():
    from auditor.static.registry import all_rules

    opt_in = [r for r in all_rules() if not r.default_enabled]
    assert opt_in, "expected some opt-in rules"
    rule = opt_in[0]
    example = rule.INVALID[0]
    ex = example if isinstance(example, Example) else Example(code=example)
    assert rule.code not in {f.rule for f in run_example(ex)}
    forced = Example(code=ex.code, files=ex.files, config={"extend-select": [rule.code]})
    assert rule.code in {f.rule for f in run_example(forced)}


def _project(root: Path, test_source: str) -> Path:
    (root / "pyproject.toml").write_text("[project]\nname = 'demo'\n", encoding="utf-8")
    tests = root / "tests"
    tests.mkdir(exist_ok=True)
    (tests / "test_a.py").write_text(test_source, encoding="utf-8")
    return tests


def _scan(tests: Path, capsys, *args: str) -> dict:
    code = main(["scan", str(tests), "--only", "static", "--format", "json", "--no-cache", *args])
    assert code == 0
    return json.loads(capsys.readouterr().out)


def test_unused_inline_suppression_is_reported(tmp_path, capsys):
    tests = _project(
        tmp_path, "def test_a():\n    assert 1 == 1  # auditor: ignore[TQ112] -- old\n"
    )
    card = _scan(tests, capsys)
    assert card["unused_suppressions"] == [
        {"path": "tests/test_a.py", "line": 2, "codes": ["TQ112"], "source": "inline"}
    ]


def test_baseline_hides_known_findings_and_survives_moving_code(tmp_path, capsys):
    original = "def test_a():\n    x = 1\n    x == 2\n    assert x\n"
    tests = _project(tmp_path, original)
    baseline = tmp_path / "baseline.json"
    card = _scan(tests, capsys, "--write-baseline", str(baseline))
    assert [f["rule"] for f in card["findings"]] == ["TQ112"]
    assert json.loads(baseline.read_text())["findings"][0]["rule"] == "TQ112"

    # move the test down, re-indent nothing, add comments and another test above it
    moved = (
        "import os\n\n\ndef test_new():\n    assert os.sep\n\n\n# moved here\n"
        + original.replace("x = 1", "x = 1  # set up")
    )
    (tests / "test_a.py").write_text(moved, encoding="utf-8")
    card = _scan(tests, capsys, "--baseline", str(baseline))
    assert card["findings"] == []
    assert card["unused_suppressions"] == []

    # a new discarded comparison is not in the baseline: reported
    (tests / "test_a.py").write_text(
        moved + "\n\ndef test_b():\n    y = 2\n    y != 3\n", encoding="utf-8"
    )
    card = _scan(tests, capsys, "--baseline", str(baseline))
    assert [(f["rule"], f["test"]) for f in card["findings"]] == [
        ("TQ112", "tests/test_a.py::test_b")
    ]


def test_stale_baseline_entries_are_reported(tmp_path, capsys):
    tests = _project(tmp_path, "def test_a():\n    x = 1\n    x == 2\n    assert x\n")
    baseline = tmp_path / "baseline.json"
    _scan(tests, capsys, "--write-baseline", str(baseline))
    (tests / "test_a.py").write_text(
        "def test_a():\n    x = 1\n    assert x == 1\n", encoding="utf-8"
    )
    card = _scan(tests, capsys, "--baseline", str(baseline))
    assert card["findings"] == []
    assert [u["source"] for u in card["unused_suppressions"]] == ["baseline"]


def test_missing_baseline_file_is_a_usage_error(tmp_path, capsys):
    tests = _project(tmp_path, "def test_a():\n    assert 1\n")
    code = main(["scan", str(tests), "--only", "static", "--baseline", str(tmp_path / "nope.json")])
    assert code == 2
    assert "--write-baseline" in capsys.readouterr().err


def test_warm_scan_uses_the_cache_and_gives_the_same_findings(tmp_path, capsys):
    tests = _project(tmp_path, "def test_a():\n    x = 1\n    x == 2\n    assert x\n")
    main(["scan", str(tests), "--only", "static", "--format", "json"])
    cold = json.loads(capsys.readouterr().out)
    main(["scan", str(tests), "--only", "static", "--format", "json"])
    warm = json.loads(capsys.readouterr().out)
    assert warm["findings"] == cold["findings"]
    assert cold["meta"]["static"]["parsed"] == 1
    assert warm["meta"]["static"]["parsed"] == 0 and warm["meta"]["static"]["cached"] == 1
