"""Which lines changed since a git BASE: the scope of pull-request mode.

Google's and Codecov's lesson is that a review only has attention for what the change touched, so
PR mode mutates and reports only added or modified lines. The scope is diff-cover's `BASE...`
semantics: everything in the current working tree (commits, staged and unstaged edits, untracked
files) compared with the merge-base of BASE and HEAD, so commits that landed on BASE after the
branch point do not count as "changed" here. Renames are followed (`-M`): a renamed file
contributes only the lines that changed, not the whole file.

Only `git` itself is used (no GitPython); the `--unified=0` output is parsed here, because it is
small, stable and easy to test.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from auditor.errors import UsageError
from auditor.project import SKIP_DIRS

_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")
_OCTAL = re.compile(r"\\([0-7]{3})|\\(.)")
_ESCAPES = {
    "n": "\n",
    "t": "\t",
    '"': '"',
    "\\": "\\",
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "v": "\v",
    "r": "\r",
}


@dataclass
class DiffScope:
    """The changed lines of one working tree against the merge-base of BASE and HEAD."""

    base: str
    merge_base: str
    lines: dict[str, set[int]] = field(default_factory=dict)

    @property
    def files(self) -> list[str]:
        """The changed files, sorted (project-relative paths)."""
        return sorted(self.lines)

    def line_count(self) -> int:
        """How many lines were added or modified, over all files."""
        return sum(len(v) for v in self.lines.values())


def changed_lines(root: Path, base: str) -> dict[str, set[int]]:
    """Project-relative posix path -> added/modified line numbers in the current working tree."""
    return scope(root, base).lines


def changed_files(root: Path, base: str) -> list[str]:
    """Project-relative paths of every file added, modified or renamed since the merge-base."""
    return scope(root, base).files


def scope(root: Path, base: str) -> DiffScope:
    """Run git and return the full `DiffScope` (merge-base sha included, for the report)."""
    root = Path(root)
    _require_repository(root)
    merge_base = resolve_merge_base(root, base)
    diff = _git(
        root,
        "-c",
        "core.quotePath=false",
        "diff",
        "--no-color",
        "--no-ext-diff",
        "--unified=0",
        "-M",
        "--relative",
        "--src-prefix=a/",
        "--dst-prefix=b/",
        merge_base,
        "--",
    )
    lines = parse_unified_diff(diff)
    for path in _untracked(root):
        lines.setdefault(path, _all_lines(root / path))
    return DiffScope(base=base, merge_base=merge_base, lines=lines)


def resolve_merge_base(root: Path, base: str) -> str:
    """The merge-base commit of BASE and HEAD, or a UsageError that says exactly how to fix BASE."""
    if not base or base.startswith("-"):
        raise UsageError(
            f"--diff needs a git commit, branch or tag to compare with; got {base!r}. "
            f"Example: `auditor scan --diff origin/main`."
        )
    probe = _run(root, "rev-parse", "--verify", "--quiet", f"{base}^{{commit}}")
    if probe.returncode != 0:
        hint = (
            f"run `git fetch origin {base.split('/', 1)[1]}` first (CI checkouts often fetch only "
            f"the PR branch; with actions/checkout use `fetch-depth: 0`)"
            if base.startswith("origin/") and "/" in base
            else f"use a commit, branch or tag that exists "
            f"(`git rev-parse --verify {base}` must succeed)"
        )
        raise UsageError(f"--diff {base}: git does not know the revision '{base}'. Fix: {hint}.")
    if _run(root, "rev-parse", "--verify", "--quiet", "HEAD").returncode != 0:
        raise UsageError(
            f"--diff {base}: the repository at {root} has no commit yet (HEAD does not exist). "
            f"Commit your work first, or run `auditor scan` without --diff."
        )
    result = _run(root, "merge-base", base, "HEAD")
    if result.returncode != 0:
        raise UsageError(
            f"--diff {base}: '{base}' and HEAD have no common ancestor in this clone, usually "
            f"because it is shallow. Fix: fetch the history (`git fetch --unshallow`, or "
            f"`fetch-depth: 0` in actions/checkout), then run again."
        )
    return result.stdout.strip()


def parse_unified_diff(text: str) -> dict[str, set[int]]:
    """`git diff` output -> new-side path -> numbers of added lines (new file's numbering).

    Deleted files are left out (nothing of them remains to test); renamed, binary and mode-only
    changes appear with the lines their hunks add, possibly none.
    """
    files: dict[str, set[int]] = {}
    current: str | None = None
    new_line = 0
    in_hunk = False
    for raw in text.split("\n"):
        if raw.startswith("diff --git "):
            current = _path_from_git_header(raw[len("diff --git ") :])
            in_hunk = False
            if current is not None:
                files.setdefault(current, set())
            continue
        if not in_hunk:
            current = _header_line(raw, current, files)
            hunk = _HUNK.match(raw)
            if hunk and current is not None:
                in_hunk = True
                new_line = int(hunk.group(1))
            continue
        hunk = _HUNK.match(raw)
        if hunk:
            new_line = int(hunk.group(1))
        elif raw.startswith("+") and current is not None:
            files[current].add(new_line)
            new_line += 1
        elif raw.startswith(" "):
            new_line += 1
        elif raw.startswith(("-", "\\")):
            continue
        else:
            in_hunk = False
            current = _header_line(raw, current, files)
    return files


def _header_line(raw: str, current: str | None, files: dict[str, set[int]]) -> str | None:
    """Handle one extended-header line of a file's diff; return the (possibly new) current path."""
    if raw.startswith("+++ "):
        target = raw[4:].rstrip("\t")
        if target == "/dev/null":
            if current is not None:
                files.pop(current, None)
            return None
        path = _strip_prefix(unquote_path(target), "b/")
        if current is not None and current != path:
            files.pop(current, None)
        files.setdefault(path, set())
        return path
    if raw.startswith("deleted file mode") and current is not None:
        files.pop(current, None)
        return None
    if raw.startswith("rename to "):
        path = unquote_path(raw[len("rename to ") :])
        if current is not None and current != path:
            files.pop(current, None)
        files.setdefault(path, set())
        return path
    return current


def _path_from_git_header(rest: str) -> str | None:
    """The b/ path of `diff --git a/X b/Y` (quoted or not); None when it cannot be split safely."""
    if rest.startswith('"'):
        end = _closing_quote(rest)
        remainder = rest[end + 1 :].lstrip(" ")
    else:
        half = (len(rest) - 1) // 2
        if rest[half] == " " and rest[:half][2:] == rest[half + 1 :][2:]:
            remainder = rest[half + 1 :]
        else:
            marker = rest.find(" b/")
            if marker < 0:
                return None
            remainder = rest[marker + 1 :]
    return _strip_prefix(unquote_path(remainder), "b/")


def _closing_quote(text: str) -> int:
    i = 1
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == '"':
            return i
        i += 1
    return len(text) - 1


def unquote_path(text: str) -> str:
    """Undo git's C-style quoting of unusual path names (`"a/caf\\303\\251.py"`)."""
    if not (len(text) >= 2 and text.startswith('"') and text.endswith('"')):
        return text
    body = text[1:-1]
    out = bytearray()
    i = 0
    while i < len(body):
        match = _OCTAL.match(body, i)
        if match:
            if match.group(1):
                out.append(int(match.group(1), 8))
            else:
                out.extend(_ESCAPES.get(match.group(2), match.group(2)).encode())
            i = match.end()
        else:
            out.extend(body[i].encode())
            i += 1
    return out.decode("utf-8", errors="replace")


def _strip_prefix(path: str, prefix: str) -> str:
    return path[len(prefix) :] if path.startswith(prefix) else path


def format_ranges(lines: set[int] | list[int]) -> str:
    """{1,2,3,7} -> "1-3,7": the compact form stored in the scorecard and shown in reports."""
    parts: list[str] = []
    ordered = sorted(set(lines))
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1] == ordered[j] + 1:
            j += 1
        parts.append(str(ordered[i]) if i == j else f"{ordered[i]}-{ordered[j]}")
        i = j + 1
    return ",".join(parts)


def parse_ranges(text: str) -> set[int]:
    """Inverse of `format_ranges`."""
    out: set[int] = set()
    for part in filter(None, (p.strip() for p in text.split(","))):
        first, _, last = part.partition("-")
        out.update(range(int(first), int(last or first) + 1))
    return out


def _untracked(root: Path) -> list[str]:
    """New files not yet added to git (but not ignored): all their lines are changed."""
    out = _git(
        root, "-c", "core.quotePath=false", "ls-files", "--others", "--exclude-standard", "-z"
    )
    return sorted(p for p in out.split("\0") if p and not _in_state_dir(p))


def _in_state_dir(path: str) -> bool:
    """Tool droppings (.auditor/, .hypothesis/, .coverage...) are not part of anyone's change."""
    parts = path.split("/")
    return any(part in SKIP_DIRS or part.endswith(".egg-info") for part in parts[:-1]) or parts[
        -1
    ].startswith(".coverage")


def _all_lines(path: Path) -> set[int]:
    try:
        data = path.read_bytes()
    except OSError:
        return set()
    if b"\0" in data[:8192]:
        return set()
    count = data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)
    return set(range(1, count + 1))


def _require_repository(root: Path) -> None:
    if shutil.which("git") is None:
        raise UsageError(
            "--diff needs git, which is not on PATH. Install git (e.g. `apt-get install git`), "
            "or run "
            "`auditor scan` without --diff to audit the whole project."
        )
    if not root.is_dir():
        raise UsageError(f"--diff: the project root {root} is not a directory.")
    result = _run(root, "rev-parse", "--show-toplevel")
    if result.returncode != 0:
        raise UsageError(
            f"--diff needs a git repository, but {root} is not inside one. Run `auditor scan` "
            f"without --diff, or run it in a git checkout of the project."
        )


def _run(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "-C", str(root), *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        check=False,
    )


def _git(root: Path, *args: str) -> str:
    result = _run(root, *args)
    if result.returncode != 0:
        raise UsageError(
            f"`git {' '.join(args)}` failed in {root}: {result.stderr.strip() or 'no message'}. "
            f"Check that the repository is not corrupt (`git status` must work)."
        )
    return result.stdout
