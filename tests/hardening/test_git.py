"""auditor.git: the one git runner, with clear errors for a missing git or an unknown revision."""

from __future__ import annotations

import subprocess

import pytest

from auditor import git


def _repo(path):
    subprocess.run(["git", "init", "-q", "-b", "main", str(path)], check=True)
    (path / "a.txt").write_text("a\n")
    subprocess.run(["git", "-C", str(path), "add", "."], check=True)
    subprocess.run(
        ["git", "-C", str(path), "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "a"],
        check=True,
    )
    return path


def test_commit_and_branch_of_a_repository(tmp_path):
    info = git.commit_and_branch(_repo(tmp_path))
    assert info["branch"] == "main"
    assert len(info["commit"] or "") == 40


def test_outside_a_repository_there_is_no_commit(tmp_path, monkeypatch):
    monkeypatch.delenv("GITHUB_HEAD_REF", raising=False)
    monkeypatch.delenv("GITHUB_REF_NAME", raising=False)
    monkeypatch.delenv("CI_COMMIT_REF_NAME", raising=False)
    assert git.commit_and_branch(tmp_path) == {"commit": None, "branch": None}
    assert git.is_repository(tmp_path) is False


def test_unknown_revision_says_how_to_fetch_it(tmp_path):
    root = _repo(tmp_path)
    with pytest.raises(git.GitError, match=r"git fetch origin feature"):
        git.verify_revision(root, "origin/feature")
    with pytest.raises(git.GitError, match=r"does not know the revision 'nope'"):
        git.verify_revision(root, "nope")
    assert len(git.verify_revision(root, "main")) == 40


def test_missing_git_is_a_clear_error_not_a_traceback(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no git here
    with pytest.raises(git.GitError, match="git is not on PATH"):
        git.run(tmp_path, "status")
    assert git.maybe(tmp_path, "rev-parse", "HEAD") is None


def test_a_failing_command_carries_gits_message(tmp_path):
    with pytest.raises(git.GitError, match="not a git repository"):
        git.output(tmp_path, "log")
