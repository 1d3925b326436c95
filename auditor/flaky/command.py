"""The pytest command line and environment of a flakiness run.

Built on `auditor.pytest_command` (auditor's one builder of pytest subprocesses: the project's own
configuration minus the options that conflict with measuring: xdist, pytest-cov, pytest-randomly,
`-x`/`--maxfail`, `--lf`/`--ff`, debuggers, report files; `-p no:cacheprovider`, `-p
no:randomly`), plus what a flakiness run needs:

- `-p auditor.flaky.plugin`, `--rootdir=<project root>` (node ids are the same paths in every
  run, whatever the arguments), `--continue-on-collection-errors`, `-n 0` where xdist is
  installed (or `-n 2 --dist load` for a run about parallelism, `xdist=2`);
- `clean_addopts` drops what only matters here: `--reruns`/`--only-rerun` (pytest-rerunfailures:
  a rerun hides a failure) and `--count` (pytest-repeat), and is applied to `PYTEST_ADDOPTS` too;
- Hypothesis' example database under `.auditor/flaky/`.
"""

from __future__ import annotations

import importlib.util
import os
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

from auditor.flaky.plugin import ORDER_ENV, RESULTS_ENV, STATE_ENV
from auditor.project import Project

PLUGIN = "auditor.flaky.plugin"
# option -> number of values it takes (None: an optional value, only in `--opt=value` form or as
# a following token that does not start with "-")
DROPPED: dict[str, int | None] = {
    "-x": 0,
    "--exitfirst": 0,
    "--maxfail": 1,
    "--lf": 0,
    "--last-failed": 0,
    "--ff": 0,
    "--failed-first": 0,
    "--nf": 0,
    "--new-first": 0,
    "--sw": 0,
    "--stepwise": 0,
    "--sw-skip": 0,
    "--stepwise-skip": 0,
    "--pdb": 0,
    "--trace": 0,
    "-f": 0,
    "--looponfail": 0,
    "-n": 1,
    "--numprocesses": 1,
    "--maxprocesses": 1,
    "--dist": 1,
    "--tx": 1,
    "--cov": None,
    "--cov-report": 1,
    "--cov-config": 1,
    "--cov-fail-under": 1,
    "--cov-context": 1,
    "--cov-branch": 0,
    "--cov-append": 0,
    "--no-cov-on-fail": 0,
    "--no-cov": 0,
    "--randomly-seed": 1,
    "--randomly-dont-reset-seed": 0,
    "--randomly-dont-reorganize": 0,
    "--reruns": 1,
    "--reruns-delay": 1,
    "--only-rerun": 1,
    "--count": 1,
}
# single-letter flags pytest takes without a value (may be clustered: `-xvs`)
_SHORT_FLAGS = set("xvqslf")
_SHORT_WITH_VALUE = set("rkmpconW")
_DROPPED_PLUGINS = {"randomly", "pytest_randomly", "xdist", "xdist.plugin"}


def clean_addopts(tokens: list[str]) -> list[str]:
    """`tokens` minus the options listed in `DROPPED` (and `-p randomly`/`-p xdist`)."""
    out: list[str] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        i += 1
        name, eq, _value = token.partition("=")
        if name in DROPPED:
            arity = DROPPED[name]
            if not eq and (arity == 1 or (arity is None and _is_value(tokens, i))):
                i += 1
            continue
        if token.startswith("-") and not token.startswith("--") and len(token) > 1:
            kept, skip_next = _clean_cluster(token, tokens[i] if i < len(tokens) else None)
            i += skip_next
            if kept:
                out.append(kept)
            continue
        out.append(token)
    return out


def _is_value(tokens: list[str], i: int) -> bool:
    return i < len(tokens) and not tokens[i].startswith("-")


def _clean_cluster(token: str, following: str | None) -> tuple[str, int]:
    """`-xvs` -> `-vs`; `-n4`/`-n 4` and `-p randomly` dropped; other clusters kept as they are."""
    letters = token[1:]
    flags = ""
    for pos, char in enumerate(letters):
        if char in _SHORT_WITH_VALUE:
            value = letters[pos + 1 :]
            takes_next = not value
            value = value or (following or "")
            if char == "n" or (char == "p" and value in _DROPPED_PLUGINS):
                return (f"-{flags}" if flags else ""), int(takes_next)
            return f"-{flags}{letters[pos:]}", 0
        if char not in _SHORT_FLAGS:
            return token, 0  # not a cluster we understand: keep it untouched
        if char not in "xf":
            flags += char
    return (f"-{flags}" if flags else ""), 0


def xdist_installed() -> bool:
    return importlib.util.find_spec("xdist") is not None


@dataclass
class Invocation:
    """A ready-to-run pytest child: argv, environment and working directory."""

    argv: list[str]
    env: dict[str, str]
    cwd: Path


def invocation(
    project: Project,
    *,
    results: Path,
    order: Path | None,
    targets: list[str],
    state: bool = False,
    xdist: int = 0,
) -> Invocation:
    """The pytest command of one flakiness run.

    `results`: the JSON-lines file the plugin writes; `order`: a JSON list of node ids to run in
    that order (None: pytest's own order, all collected tests); `targets`: paths/node ids given
    to pytest (the tests directories, or the files of the tests in `order`); `state`: snapshot
    shared state around each test; `xdist`: number of xdist workers (0: no distribution).
    """
    from auditor.pytest_command import pytest_command

    extra = [f"--rootdir={project.root}", "--continue-on-collection-errors", "-q"]
    if xdist_installed():
        extra += ["-n", str(xdist), *(["--dist", "load"] if xdist else [])]
    # auditor's one pytest command (the project's configuration minus what conflicts with
    # measuring), then the options only a flakiness run must also drop (reruns, repeats)
    command = pytest_command(project, plugins=[PLUGIN])
    argv = [sys.executable, "-m", "pytest", *clean_addopts(command.args), *extra, *targets]
    env = dict(command.env)
    env.pop("COVERAGE_CORE", None)
    env["HYPOTHESIS_STORAGE_DIRECTORY"] = str(project.state_dir / "flaky" / "hypothesis")
    if env.get("PYTEST_ADDOPTS"):
        env["PYTEST_ADDOPTS"] = shlex.join(clean_addopts(shlex.split(env["PYTEST_ADDOPTS"])))
    env[RESULTS_ENV] = str(results)
    env.pop(ORDER_ENV, None)
    env.pop(STATE_ENV, None)
    if order is not None:
        env[ORDER_ENV] = str(order)
    if state:
        env[STATE_ENV] = str(project.root) + os.sep
    return Invocation(argv=argv, env=env, cwd=project.root)


def reproduce(tests: list[str], *, xdist: int = 0) -> str:
    """The plain-pytest command that runs `tests` in this order (no auditor involved)."""
    argv = ["python", "-m", "pytest", "-p", "no:randomly"]
    if xdist:
        argv += ["-n", str(xdist)]
    return shlex.join([*argv, *tests])
