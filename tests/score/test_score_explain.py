"""`auditor explain-score`: the formula with the weights in effect, and a replay of one card."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor import cli, score
from auditor.config import Config
from auditor.model import ModuleCoverage, Mutant, Scorecard, StageReport


def test_prints_formula_with_configured_weights(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.auditor.score]\nmutation = 3\ncoverage = 1\n")
    assert cli.main(["explain-score", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "[tool.auditor.score]" in out
    # mutation 3 of 3+1+15+10+10 (flakiness)+0 = 39 -> 8%
    assert "mutation           3  (8%)" in out
    assert "Grade: A >= 90, B >= 80, C >= 70, D >= 60, else F." in out


def test_replays_a_scorecard(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    card = Scorecard(
        stages=[
            StageReport("coverage", True),
            StageReport("mutation", True),
            StageReport("properties", False, "skipped by --only/--skip"),
        ]
    )
    card.coverage = [ModuleCoverage("pkg/a.py", 10, 8)]
    card.mutants = [Mutant("a", "killed", "pkg/a.py"), Mutant("b", "survived", "pkg/a.py")]
    score.finalize(card, Config())
    path = tmp_path / "card.json"
    path.write_text(json.dumps(card.to_dict()))
    assert cli.main(["explain-score", str(tmp_path), "--scorecard", str(path)]) == 0
    out = capsys.readouterr().out
    # mutation 50 x 50/70, coverage 80 x 20/70 -> 35.71 + 22.86 = 58.57 -> 58.6
    assert "mutation         50.0 x 0.7143 =   35.72" in out
    assert "coverage         80.0 x 0.2857 =   22.86" in out
    assert "score 58.6 (F)" in out
    assert (
        "properties     left out: the properties stage did not run: skipped by --only/--skip" in out
    )


def test_unreadable_scorecard_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["explain-score", "--scorecard", str(tmp_path / "missing.json")]) == 2
    assert "auditor scan --json FILE" in capsys.readouterr().err
