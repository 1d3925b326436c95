"""Bad input gets a clear error and loses nothing (issue 2, "Robustness")."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from auditor.cli import main


def make_project(root: Path, files: dict[str, str | bytes], pyproject: str = "") -> Path:
    (root / "pyproject.toml").write_text("[project]\nname = 'demo'\n" + pyproject, encoding="utf-8")
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root / "tests"


def scan_json(tests: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, dict]:
    code = main(["scan", str(tests), "--only", "static", "--format", "json", "--no-cache", *extra])
    out = capsys.readouterr().out
    return code, json.loads(out)


def test_syntax_error_in_one_file_is_reported_and_the_rest_is_scanned(tmp_path, capsys):
    tests = make_project(
        tmp_path,
        {
            "tests/test_broken.py": "def test_x(:\n    pass\n",
            "tests/test_fine.py": "def test_y():\n    1 == 2\n",
        },
    )
    code, card = scan_json(tests, capsys)
    assert code == 3
    assert [d["path"] for d in card["diagnostics"]] == ["tests/test_broken.py"]
    assert "syntax error at line 1" in card["diagnostics"][0]["message"]
    assert "TQ112" in {f["rule"] for f in card["findings"] if f["path"] == "tests/test_fine.py"}


def test_non_utf8_file_is_reported_and_the_rest_is_scanned(tmp_path, capsys):
    tests = make_project(
        tmp_path,
        {
            "tests/test_latin.py": b"def test_x():\n    s = '\xe9t\xe9'\n    s == 1\n",
            "tests/test_fine.py": "def test_y():\n    pass\n",
        },
    )
    code, card = scan_json(tests, capsys)
    assert code == 3
    assert card["diagnostics"][0]["path"] == "tests/test_latin.py"
    assert "UTF-8" in card["diagnostics"][0]["message"]
    assert {f["rule"] for f in card["findings"]} == {"TQ110"}


def test_declared_latin1_encoding_is_honoured(tmp_path, capsys):
    tests = make_project(
        tmp_path,
        {
            "tests/test_latin.py": b"# -*- coding: latin-1 -*-\ndef test_x():\n    s = '\xe9'\n    s == 1\n"
        },
    )
    code, card = scan_json(tests, capsys)
    assert code == 0
    assert "TQ112" in {f["rule"] for f in card["findings"]}


def test_missing_path_exits_2_with_one_paragraph(tmp_path, capsys):
    code = main(["scan", str(tmp_path / "nope"), "--only", "static"])
    err = capsys.readouterr().err
    assert code == 2
    assert "does not exist" in err and "auditor scan" in err
    assert "Traceback" not in err


def test_empty_directory_says_no_tests_found(tmp_path, capsys):
    tests = make_project(tmp_path, {})
    tests.mkdir()
    code, card = scan_json(tests, capsys)
    assert code == 0
    assert card["findings"] == []
    assert any("no tests found" in note for note in card["meta"]["notes"])


def test_unknown_config_key_exits_2_naming_the_key_and_valid_ones(tmp_path, capsys):
    tests = make_project(
        tmp_path,
        {"tests/test_a.py": "def test_a():\n    assert 1\n"},
        "[tool.auditor]\nignroe = ['TQ101']\n",
    )
    code = main(["scan", str(tests), "--only", "static"])
    err = capsys.readouterr().err
    assert code == 2
    assert "ignroe" in err and "Did you mean 'ignore'" in err and "select" in err


def test_bad_rule_setting_exits_2(tmp_path, capsys):
    tests = make_project(
        tmp_path,
        {"tests/test_a.py": "def test_a():\n    assert 1\n"},
        "[tool.auditor.rules.TQ101]\nthreshold = 3\n",
    )
    code = main(["scan", str(tests), "--only", "static"])
    assert code == 2
    assert "Unknown setting 'threshold'" in capsys.readouterr().err


def _big_test_file(n_tests: int) -> str:
    chunks = []
    for i in range(n_tests):
        chunks.append(
            f"def test_case_{i}(value={i}):\n"
            f"    result = value * 2\n"
            f"    expected = {i} * 2\n"
            f"    assert result == expected, 'doubling'\n"
            f"    assert result >= 0\n"
        )
    return "\n\n".join(chunks) + "\n\ndef test_broken_compare():\n    3 == 4\n"


def test_five_thousand_line_file(tmp_path, capsys):
    source = _big_test_file(900)
    assert source.count("\n") >= 5000
    tests = make_project(tmp_path, {"tests/test_big.py": source})
    started = time.perf_counter()
    code, card = scan_json(tests, capsys)
    elapsed = time.perf_counter() - started
    assert code == 0
    assert [f["line"] for f in card["findings"] if f["rule"] == "TQ112"] == [source.count("\n")]
    assert card["meta"]["static"]["tests"] == 901
    assert elapsed < 120  # generous bound: this is a "works at all" check, not a benchmark


def test_directory_of_thousand_files(tmp_path, capsys):
    files = {
        f"tests/pkg_{i // 100}/test_mod_{i}.py": f"def test_m{i}():\n    assert {i} + 1 == {i + 1}\n"
        for i in range(1000)
    }
    files["tests/pkg_3/test_mod_333.py"] = "def test_m333():\n    pass\n"
    tests = make_project(tmp_path, files)
    code, card = scan_json(tests, capsys)
    assert code == 0
    assert card["meta"]["static"]["files"] == 1000
    assert [(f["path"], f["rule"]) for f in card["findings"]] == [
        ("tests/pkg_3/test_mod_333.py", "TQ110")
    ]
