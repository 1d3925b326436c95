"""The command line contract: entry points, init, stage selection, broken stages."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from auditor import __version__
from auditor.api import STAGE_RUNNERS, Options, audit, resolve_stages
from auditor.cli import SUBSYSTEM_COMMANDS, build_parser, main
from auditor.errors import UsageError


def test_python_dash_m_is_the_same_cli():
    proc = subprocess.run(
        [sys.executable, "-m", "auditor", "--version"], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"auditor {__version__}"


def test_no_command_prints_help(capsys):
    assert main([]) == 0
    assert "scan" in capsys.readouterr().out


def test_init_adds_gitignore_entry_and_config_stub_once(tmp_path, capsys):
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n", encoding="utf-8")
    assert main(["init", str(tmp_path)]) == 0
    assert main(["init", str(tmp_path)]) == 0
    assert (tmp_path / ".gitignore").read_text(encoding="utf-8").splitlines().count(
        ".auditor/"
    ) == 1
    assert (tmp_path / "pyproject.toml").read_text(encoding="utf-8").count("[tool.auditor]") == 1


def test_unknown_stage_is_rejected_by_the_parser(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["scan", "tests", "--only", "statik"])
    assert exc.value.code == 2
    assert "unknown stage 'statik'" in capsys.readouterr().err


def test_only_mutation_implies_coverage():
    assert resolve_stages(Options(only={"mutation"})) == ["coverage", "mutation"]
    assert resolve_stages(Options(skip={"mutation", "properties"})) == ["static", "coverage"]
    with pytest.raises(UsageError):
        resolve_stages(Options(only={"nope"}))


def test_a_stage_that_cannot_be_imported_is_an_error_not_a_skipped_stage(tmp_path, monkeypatch):
    """A broken install must not pass for a stage the user chose to leave out."""
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n", encoding="utf-8")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_a.py").write_text("def test_a():\n    assert 1\n", encoding="utf-8")
    (tmp_path / "x").mkdir()  # a source package: coverage (which properties needs) can run
    (tmp_path / "x" / "__init__.py").write_text("", encoding="utf-8")
    monkeypatch.setitem(STAGE_RUNNERS, "properties", "auditor.not_a_module:run")
    with pytest.raises(ModuleNotFoundError, match=r"auditor\.not_a_module"):
        audit(Options(tests=str(tmp_path / "tests"), only={"static", "properties"}, use_cache=False))


def test_a_sub_command_whose_module_fails_to_import_is_not_an_invalid_choice(monkeypatch):
    """A missing dependency of a sub-command surfaces as itself, not as "invalid choice"."""
    monkeypatch.setitem(SUBSYSTEM_COMMANDS, "merge", ("auditor.not_a_module", "broken"))
    with pytest.raises(ModuleNotFoundError, match=r"auditor\.not_a_module"):
        build_parser()


def test_skipped_stages_are_named_in_the_json(tmp_path, capsys):
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n", encoding="utf-8")
    tests = Path(tmp_path / "tests")
    tests.mkdir()
    (tests / "test_a.py").write_text("def test_a():\n    assert 1\n", encoding="utf-8")
    assert main(["scan", str(tests), "--only", "static", "--format", "json", "--no-cache"]) == 0
    card = json.loads(capsys.readouterr().out)
    reasons = {s["name"]: (s["ran"], s["reason"]) for s in card["stages"]}
    assert reasons["static"][0] is True
    for stage in ("coverage", "mutation", "properties"):
        assert reasons[stage] == (False, "skipped by --only/--skip")
    assert card["summary"]["mutation_score"] is None


def test_rule_selection_flags_override_config(tmp_path, capsys):
    (tmp_path / "pyproject.toml").write_text(
        "[project]\nname = 'x'\n[tool.auditor]\nignore = ['TQ112']\n", encoding="utf-8"
    )
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "test_a.py").write_text(
        "def test_a():\n    x = 1\n    x == 2\n    assert x\n\ndef test_b():\n    pass\n",
        encoding="utf-8",
    )

    def rules(*flags: str) -> set[str]:
        assert (
            main(["scan", str(tests), "--only", "static", "--format", "json", "--no-cache", *flags])
            == 0
        )
        return {f["rule"] for f in json.loads(capsys.readouterr().out)["findings"]}

    assert rules() == {"TQ110"}
    assert rules("--select", "TQ112") == set()  # still ignored by the config
    assert rules("--ignore", "TQ110") == set()
    assert "TQ112" not in rules("--extend-select", "TQ104")
