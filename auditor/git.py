"""The one place auditor runs git (scan history, pull-request mode).

- `run(root, *args)` -> `GitResult(returncode, stdout, stderr)`: never raises for a failing git
  command, only `GitError` when git itself is missing (or hangs past `timeout` seconds);
- `output(root, *args)` -> stdout, raising `GitError` with git's own message when the command fails;
- `maybe(root, *args)` -> stripped stdout or None, for optional information (history records a
  scan outside a repository with no commit);
- `verify_revision(root, rev, flag=)` -> the full sha of a commit, or `GitError` saying how to
  make the revision known (fetch it, `fetch-depth: 0`);
- `commit_and_branch(root)` -> {"commit", "branch"} (a detached CI checkout takes the branch from
  the CI's environment variables).

Every command runs with `git -C ROOT`, UTF-8 output (undecodable bytes replaced) and a time limit,
through `auditor.procs` (own process group, ended on Ctrl-C/SIGTERM).
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from auditor import procs
from auditor.errors import UsageError

TIMEOUT_SECONDS = 120.0


class GitError(UsageError):
    """git is missing, hangs, or a command/revision failed (exit 2: fix the checkout or flag)."""


@dataclass
class GitResult:
    returncode: int
    stdout: str
    stderr: str


def require_git() -> str:
    """The path of the git executable, or `GitError` saying how to install it."""
    found = shutil.which("git")
    if found is None:
        raise GitError(
            "git is not on PATH, and this needs it. Install git (e.g. `apt-get install git`) or "
            "leave out the option that needs it (--diff)."
        )
    return found


def run(root: Path, *args: str, timeout: float = TIMEOUT_SECONDS) -> GitResult:
    """`git -C ROOT ARGS...`; a non-zero exit is returned, not raised."""
    executable = require_git()
    env = dict(os.environ)
    env.setdefault("GIT_TERMINAL_PROMPT", "0")  # never wait for a password on a fetch
    env["LC_ALL"] = "C"  # messages parsed below are git's English ones
    try:
        done = procs.run(
            [executable, "-C", str(root), *args], env=env, timeout=timeout, separate_stderr=True
        )
    except OSError as exc:
        raise GitError(f"git could not be started: {exc}. Check the git installation.") from exc
    if done.timed_out:
        raise GitError(
            f"`git {' '.join(args)}` did not finish in {timeout:g}s in {root}. Check that the "
            f"repository is reachable and not locked by another git process."
        )
    return GitResult(done.exit_code, done.output, done.stderr)


def output(root: Path, *args: str, timeout: float = TIMEOUT_SECONDS) -> str:
    """stdout of `git -C ROOT ARGS...`; `GitError` with git's message when it fails."""
    result = run(root, *args, timeout=timeout)
    if result.returncode != 0:
        raise GitError(
            f"`git {' '.join(args)}` failed in {root}: {result.stderr.strip() or 'no message'}. "
            f"Check that the repository is not corrupt (`git status` must work)."
        )
    return result.stdout


def maybe(root: Path, *args: str, timeout: float = 10.0) -> str | None:
    """Stripped stdout, or None when git is missing, fails, hangs or prints nothing."""
    try:
        result = run(root, *args, timeout=timeout)
    except GitError:
        return None
    return (result.stdout.strip() or None) if result.returncode == 0 else None


def is_repository(root: Path) -> bool:
    """True when `root` is inside a git work tree (False also when git is missing)."""
    return maybe(root, "rev-parse", "--is-inside-work-tree") == "true"


def verify_revision(root: Path, rev: str, flag: str = "--diff") -> str:
    """The full sha of commit `rev`, or `GitError` that says how to make it known."""
    if not rev or rev.startswith("-"):
        raise GitError(
            f"{flag} needs a git commit, branch or tag; got {rev!r}. "
            f"Example: `auditor scan {flag} origin/main`."
        )
    result = run(root, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
    if result.returncode != 0:
        hint = (
            f"run `git fetch origin {rev.split('/', 1)[1]}` first (CI checkouts often fetch only "
            f"the PR branch; with actions/checkout use `fetch-depth: 0`)"
            if rev.startswith("origin/")
            else f"use a commit, branch or tag that exists (`git rev-parse --verify {rev}` "
            f"must succeed)"
        )
        raise GitError(f"{flag} {rev}: git does not know the revision '{rev}'. Fix: {hint}.")
    return result.stdout.strip()


def commit_and_branch(root: Path) -> dict[str, str | None]:
    """{"commit": sha or None, "branch": name or None} of the checkout at `root`.

    A detached HEAD (CI) takes the branch from GITHUB_HEAD_REF, GITHUB_REF_NAME or
    CI_COMMIT_REF_NAME.
    """
    branch = maybe(root, "rev-parse", "--abbrev-ref", "HEAD")
    if branch in (None, "HEAD"):
        branch = (
            os.environ.get("GITHUB_HEAD_REF")
            or os.environ.get("GITHUB_REF_NAME")
            or os.environ.get("CI_COMMIT_REF_NAME")
            or branch
        )
    return {"commit": maybe(root, "rev-parse", "HEAD"), "branch": branch}


def toplevel(root: Path) -> Path | None:
    """The repository's top directory containing `root`, or None outside a repository."""
    top = maybe(root, "rev-parse", "--show-toplevel")
    return Path(top) if top else None
