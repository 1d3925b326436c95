"""The suite's no-trace guard (tests/conftest.py) really notices a change under a tree, including
ignored state such as `.auditor/history.jsonl`, and the sample copy leaves local state behind."""

from __future__ import annotations

from pathlib import Path

from tree_guard import SAMPLE, changes, copy_sample_project, snapshot


def test_guard_sees_added_modified_and_removed_files_including_ignored_state(tmp_path: Path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.py").write_text("x = 1\n")
    (tmp_path / "old.txt").write_text("old\n")
    before = snapshot(tmp_path)
    assert changes(before, snapshot(tmp_path)) == []

    (tmp_path / ".auditor").mkdir()
    (tmp_path / ".auditor" / "history.jsonl").write_text("{}\n")
    (tmp_path / "src" / "a.py").write_text("x = 2\n")
    (tmp_path / "old.txt").unlink()

    assert changes(before, snapshot(tmp_path)) == [
        "added: .auditor/history.jsonl",
        "removed: old.txt",
        "modified: src/a.py",
    ]


def test_sample_copy_has_the_project_but_not_local_run_state(tmp_path: Path):
    copy = copy_sample_project(tmp_path)
    tracked = {p for p in snapshot(SAMPLE) if not p.startswith((".auditor/", ".hypothesis/"))}
    tracked = {p for p in tracked if "__pycache__" not in p and ".pytest_cache" not in p}
    copied = set(snapshot(copy))
    assert "pyproject.toml" in copied and "tests/conftest.py" in copied
    assert copied == tracked
    assert not any(p.startswith(".auditor/") for p in copied)
