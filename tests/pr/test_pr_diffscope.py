"""diffscope: which lines changed since BASE, from real git repositories and hand-written diffs."""

from __future__ import annotations

from pathlib import Path

import pytest
from pr_gitrepo import commit, git, init_repo, write

from auditor.errors import UsageError
from auditor.pr import diffscope

BASE_SRC = "def f(x):\n    return x + 1\n\n\ndef g(x):\n    return x * 2\n"


def test_parse_added_and_modified_lines_in_new_numbering() -> None:
    diff = (
        "diff --git a/pkg/m.py b/pkg/m.py\n"
        "index 1..2 100644\n"
        "--- a/pkg/m.py\n"
        "+++ b/pkg/m.py\n"
        "@@ -2 +2 @@ def f(x):\n"
        "-    return x + 1\n"
        "+    return x + 2\n"
        "@@ -5,0 +6,2 @@ def g(x):\n"
        "+    if x:\n"
        "+        return 0\n"
        "@@ -9,2 +11,0 @@\n"
        "-gone\n"
        "-gone too\n"
    )
    assert diffscope.parse_unified_diff(diff) == {"pkg/m.py": {2, 6, 7}}


def test_parse_deleted_file_is_dropped_and_new_file_counts_every_line() -> None:
    diff = (
        "diff --git a/old.py b/old.py\n"
        "deleted file mode 100644\n"
        "--- a/old.py\n"
        "+++ /dev/null\n"
        "@@ -1,2 +0,0 @@\n"
        "-a\n"
        "-b\n"
        "diff --git a/new.py b/new.py\n"
        "new file mode 100644\n"
        "--- /dev/null\n"
        "+++ b/new.py\n"
        "@@ -0,0 +1,3 @@\n"
        "+++x = 1\n"
        "+--y\n"
        "+z\n"
    )
    assert diffscope.parse_unified_diff(diff) == {"new.py": {1, 2, 3}}


def test_parse_pure_rename_and_quoted_path() -> None:
    diff = (
        "diff --git a/a.py b/b.py\n"
        "similarity index 100%\n"
        "rename from a.py\n"
        "rename to b.py\n"
        'diff --git "a/caf\\303\\251 x.py" "b/caf\\303\\251 x.py"\n'
        "index 1..2 100644\n"
        '--- "a/caf\\303\\251 x.py"\n'
        '+++ "b/caf\\303\\251 x.py"\n'
        "@@ -1 +1 @@\n"
        "-a\n"
        "+b\n"
        "diff --git a/img.png b/img.png\n"
        "Binary files a/img.png and b/img.png differ\n"
    )
    assert diffscope.parse_unified_diff(diff) == {"b.py": set(), "café x.py": {1}, "img.png": set()}


def test_ranges_round_trip() -> None:
    lines = {1, 2, 3, 7, 9, 10}
    assert diffscope.format_ranges(lines) == "1-3,7,9-10"
    assert diffscope.parse_ranges("1-3,7,9-10") == lines
    assert diffscope.format_ranges(set()) == ""


def test_changed_lines_committed_uncommitted_untracked(tmp_path: Path) -> None:
    init_repo(
        tmp_path, {"pkg/m.py": BASE_SRC, "pkg/other.py": "A = 1\n", ".gitignore": ".auditor/\n"}
    )
    git(tmp_path, "checkout", "-q", "-b", "feature")
    write(tmp_path, {"pkg/m.py": BASE_SRC.replace("x + 1", "x + 3")})
    commit(tmp_path, "change f")
    # uncommitted edit, an untracked new module, and tool droppings that must not count
    write(
        tmp_path,
        {
            "pkg/m.py": BASE_SRC.replace("x + 1", "x + 3") + "\n\ndef h():\n    return 5\n",
            "pkg/new.py": "B = 2\nC = 3\n",
            ".auditor/cache.json": "{}",
            ".hypothesis/examples/x": "1",
            ".coverage": "x",
        },
    )
    assert diffscope.changed_lines(tmp_path, "main") == {
        "pkg/m.py": {2, 7, 8, 9, 10},
        "pkg/new.py": {1, 2},
    }
    assert diffscope.changed_files(tmp_path, "main") == ["pkg/m.py", "pkg/new.py"]


def test_merge_base_semantics_ignore_later_commits_on_base(tmp_path: Path) -> None:
    init_repo(tmp_path, {"a.py": "x = 1\n", "b.py": "y = 1\n"})
    git(tmp_path, "checkout", "-q", "-b", "feature")
    write(tmp_path, {"a.py": "x = 2\n"})
    commit(tmp_path, "feature work")
    git(tmp_path, "checkout", "-q", "main")
    write(tmp_path, {"b.py": "y = 2\n"})
    commit(tmp_path, "main moved on")
    git(tmp_path, "checkout", "-q", "feature")
    scope = diffscope.scope(tmp_path, "main")
    assert scope.lines == {"a.py": {1}}
    assert scope.merge_base == git(tmp_path, "merge-base", "main", "HEAD").strip()


def test_rename_counts_only_the_changed_lines(tmp_path: Path) -> None:
    body = "".join(f"line_{i} = {i}\n" for i in range(20))
    init_repo(tmp_path, {"pkg/old_name.py": body})
    git(tmp_path, "checkout", "-q", "-b", "feature")
    git(tmp_path, "mv", "pkg/old_name.py", "pkg/new_name.py")
    write(tmp_path, {"pkg/new_name.py": body.replace("line_5 = 5", "line_5 = 55")})
    commit(tmp_path, "rename")
    assert diffscope.changed_lines(tmp_path, "main") == {"pkg/new_name.py": {6}}


def test_project_in_a_subdirectory_gets_project_relative_paths(tmp_path: Path) -> None:
    init_repo(tmp_path, {"proj/pkg/m.py": BASE_SRC, "elsewhere.py": "z = 1\n"})
    write(
        tmp_path, {"proj/pkg/m.py": BASE_SRC.replace("x * 2", "x * 3"), "elsewhere.py": "z = 2\n"}
    )
    write(tmp_path, {"proj/pkg/new.py": "A = 1\n", "untracked_elsewhere.py": "B = 2\n"})
    assert diffscope.changed_lines(tmp_path / "proj", "HEAD") == {
        "pkg/m.py": {6},
        "pkg/new.py": {1},
    }


def test_unknown_base_says_how_to_fix(tmp_path: Path) -> None:
    init_repo(tmp_path, {"a.py": "x = 1\n"})
    with pytest.raises(UsageError, match=r"git fetch origin main"):
        diffscope.changed_lines(tmp_path, "origin/main")
    with pytest.raises(UsageError, match=r"git rev-parse --verify nope"):
        diffscope.changed_lines(tmp_path, "nope")


def test_not_a_repository_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="not inside one"):
        diffscope.changed_lines(tmp_path, "main")


def test_unrelated_histories_suggest_unshallow(tmp_path: Path) -> None:
    init_repo(tmp_path, {"a.py": "x = 1\n"})
    git(tmp_path, "checkout", "-q", "--orphan", "other")
    commit(tmp_path, "orphan")
    with pytest.raises(UsageError, match="unshallow"):
        diffscope.changed_lines(tmp_path, "main")
