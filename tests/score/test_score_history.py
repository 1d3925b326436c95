"""History: what a full scan records, what it skips, and `auditor history`."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest

from auditor import cli, history, score
from auditor.config import Config
from auditor.meta import StaticStats
from auditor.model import Scorecard, StageReport
from auditor.options import Options


def _card() -> Scorecard:
    card = Scorecard(stages=[StageReport("static", True)], tool={"version": "0.1.0"})
    card.meta.static = StaticStats(tests=2)
    score.finalize(card, Config())
    return card


def test_record_appends_commit_branch_and_metrics(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", "-b", "main", str(tmp_path)], check=True)
    subprocess.run(
        [
            "git",
            "-C",
            str(tmp_path),
            "-c",
            "user.email=a@b",
            "-c",
            "user.name=a",
            "commit",
            "-q",
            "--allow-empty",
            "-m",
            "x",
        ],
        check=True,
    )
    project = SimpleNamespace(root=tmp_path)
    history.record(_card(), project, Options())
    history.record(_card(), project, Options())
    entries = history.load(tmp_path)
    assert len(entries) == 2
    entry = entries[0]
    assert entry["branch"] == "main" and len(entry["commit"]) == 40
    assert entry["stages"] == ["static"]
    assert entry["metrics"]["score"] == 100.0 and entry["metrics"]["errors"] == 0
    assert entry["metrics"]["mutation_score"] is None


@pytest.mark.parametrize("options", [Options(shard=(1, 2)), Options(diff="origin/main")])
def test_shards_and_diff_runs_are_not_recorded(tmp_path: Path, options: Options) -> None:
    assert history.record(_card(), SimpleNamespace(root=tmp_path), options) is None
    assert history.load(tmp_path) == []


def test_scan_with_engine_failure_is_not_recorded(tmp_path: Path) -> None:
    card = _card()
    card.meta.add_error("coverage", "tests fail")
    assert history.record(card, SimpleNamespace(root=tmp_path), Options()) is None


def test_a_truncated_line_loses_one_entry_not_the_history(tmp_path: Path) -> None:
    (tmp_path / ".auditor").mkdir()
    good = json.dumps({"date": "d", "metrics": {"score": 1}})
    (tmp_path / ".auditor" / "history.jsonl").write_text(f'{good}\n{{"date": "tr\n{good}\n')
    assert len(history.load(tmp_path)) == 2


def test_history_command_prints_the_trend(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname='x'\n")
    (tmp_path / ".auditor").mkdir()
    rows = [
        {
            "date": f"2026-11-0{d}T10:00:00Z",
            "branch": "main",
            "commit": "abcdef1234",
            "metrics": {"score": 50.0 + d, "grade": "F", "mutation_score": 40.0 + d},
        }
        for d in (1, 2)
    ]
    (tmp_path / ".auditor" / "history.jsonl").write_text(
        "".join(json.dumps(r) + "\n" for r in rows)
    )
    assert cli.main(["history", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "2026-11-02" in out and "52 +1.0 F" in out and "42% +1.0" in out
    assert cli.main(["history", str(tmp_path), "--json", "--limit", "1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["metrics"]["score"] == 52.0


def test_history_command_without_history(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "pyproject.toml").write_text("")
    assert cli.main(["history", str(tmp_path)]) == 0
    assert "No scans recorded yet" in capsys.readouterr().out


def test_unwritable_history_is_a_note_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / ".auditor").write_text("a file where the state directory should be")
    card = _card()
    assert history.record(card, SimpleNamespace(root=tmp_path), Options()) is None
    assert (card.meta.notes or [""])[0].startswith("history not recorded: cannot write")
