"""The one place that builds the argv and environment of every pytest subprocess auditor starts.

The coverage run, the mutation runner, the pseudo-tested pass and flaky re-runs all run the
project's suite *the way its own pytest runs it* (its ini file, conftest files, plugins and
`addopts`), except for the options that conflict with measuring. Those are taken out and reported,
each with its reason, so the scorecard can say what was overridden and why:

| what | why it conflicts |
|---|---|
| pytest-xdist (`-n`, `--dist`, `-p xdist`, ...) | tests run in worker processes: per-test coverage contexts and the active mutant need one process |
| pytest-cov (`--cov*`, `--no-cov*`, `--cov-fail-under`) | a second coverage measurement inside ours; its fail-under fails the run |
| pytest-randomly, pytest-random-order | test order changes between runs |
| `--lf`, `--ff`, `--nf`, `--sw`, cache options | a subset/order chosen from pytest's cache; the cache is off (nothing written into the tree) |
| `-x`, `--exitfirst`, `--maxfail` | stops before every test has an outcome |
| `--pdb`, `--trace`, `--pdbcls` | a debugger waits for input |
| `--junitxml`, `--html`, `--report-log`, ... | writes report files into the project |
| `--forked`, `--boxed` | each test in a forked child: coverage of the child is lost |

How the project's `addopts` are overridden: `-o addopts=` empties the ini value (pytest reads
`-o` before it expands `addopts`), and the options that are kept are passed again on the command
line, in their original order. `PYTEST_ADDOPTS` is filtered the same way in the child's environment.

Usage::

    cmd = pytest_command(project, targets=["tests"], plugins=["auditor.coverage.plugin"])
    subprocess.run(cmd.argv(), cwd=project.root, env=cmd.env)
    cmd.overrides   # [Override(option="-n 2", reason=..., source="addopts in pyproject.toml")]

The environment never puts the project root on `PYTHONPATH` (a root `sitecustomize.py` would then
run in every child although plain `python -m pytest` does not run it); only import roots *below*
the root (an uninstalled `src/` layout) are added.
"""

from __future__ import annotations

import importlib.util
import os
import shlex
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from auditor.project import Project

XDIST = (
    "pytest-xdist runs the tests in worker processes; per-test coverage contexts and the active "
    "mutant need every test in one process"
)
COV = (
    "pytest-cov would start a second coverage measurement inside auditor's (and its fail-under "
    "would fail the run); auditor measures coverage itself"
)
ORDER = "random test order makes runs differ; auditor needs the same order in every run"
CACHE = (
    "runs a subset or order chosen from pytest's cache of the last run; auditor needs the whole "
    "suite and keeps pytest's cache out of your tree"
)
STOP = "stops the run early; auditor needs the outcome of every test"
DEBUG = "opens a debugger on failure; the run would wait for input"
REPORT = "writes a report file into your project"
FORK = "runs each test in a forked child whose coverage is lost"
BENCH = "runs only benchmarks; auditor needs the whole suite"

# long option -> (takes a value: "yes" / "no" / "optional", reason)
_LONG: dict[str, tuple[str, str]] = {
    # pytest-xdist
    "--numprocesses": ("yes", XDIST),
    "--maxprocesses": ("yes", XDIST),
    "--dist": ("yes", XDIST),
    "--tx": ("yes", XDIST),
    "--rsyncdir": ("yes", XDIST),
    "--rsyncignore": ("yes", XDIST),
    "--max-worker-restart": ("yes", XDIST),
    "--maxworkerrestart": ("yes", XDIST),
    "--looponfail": ("no", XDIST),
    "--distload": ("no", XDIST),
    "--loadscope-reorder": ("no", XDIST),
    "--no-loadscope-reorder": ("no", XDIST),
    # pytest-cov
    "--cov": ("optional", COV),
    "--cov-report": ("yes", COV),
    "--cov-config": ("yes", COV),
    "--cov-fail-under": ("yes", COV),
    "--cov-context": ("yes", COV),
    "--cov-precision": ("yes", COV),
    "--cov-append": ("no", COV),
    "--cov-branch": ("no", COV),
    "--cov-reset": ("no", COV),
    "--no-cov": ("no", COV),
    "--no-cov-on-fail": ("no", COV),
    # pytest-randomly, pytest-random-order
    "--randomly-seed": ("yes", ORDER),
    "--randomly-dont-reset-seed": ("no", ORDER),
    "--randomly-dont-reorganize": ("no", ORDER),
    "--random-order": ("no", ORDER),
    "--random-order-bucket": ("yes", ORDER),
    "--random-order-seed": ("yes", ORDER),
    # pytest's cacheprovider and stepwise
    "--lf": ("no", CACHE),
    "--last-failed": ("no", CACHE),
    "--ff": ("no", CACHE),
    "--failed-first": ("no", CACHE),
    "--nf": ("no", CACHE),
    "--new-first": ("no", CACHE),
    "--sw": ("no", CACHE),
    "--stepwise": ("no", CACHE),
    "--sw-skip": ("no", CACHE),
    "--stepwise-skip": ("no", CACHE),
    "--sw-reset": ("no", CACHE),
    "--stepwise-reset": ("no", CACHE),
    "--cache-clear": ("no", CACHE),
    "--cache-show": ("optional", CACHE),
    "--lfnf": ("yes", CACHE),
    "--last-failed-no-failures": ("yes", CACHE),
    # stopping early, debuggers
    "--exitfirst": ("no", STOP),
    "--maxfail": ("yes", STOP),
    "--pdb": ("no", DEBUG),
    "--trace": ("no", DEBUG),
    "--pdbcls": ("yes", DEBUG),
    # report files
    "--junitxml": ("yes", REPORT),
    "--junit-xml": ("yes", REPORT),
    "--html": ("yes", REPORT),
    "--report-log": ("yes", REPORT),
    "--resultlog": ("yes", REPORT),
    "--result-log": ("yes", REPORT),
    "--json-report-file": ("yes", REPORT),
    "--alluredir": ("yes", REPORT),
    # forking
    "--forked": ("no", FORK),
    "--boxed": ("no", FORK),
    # pytest-benchmark (we pass --benchmark-disable when it is installed)
    "--benchmark-only": ("no", BENCH),
}

# short options: letter -> (takes a value, reason to drop or "" to keep)
_SHORT_DROP: dict[str, tuple[bool, str]] = {
    "n": (True, XDIST),
    "d": (False, XDIST),
    "f": (False, XDIST),
    "x": (False, STOP),
}
_SHORT_WITH_VALUE = set("kmcprowWn")  # pytest's and xdist's short options that take a value

# `-p NAME` values that load a conflicting plugin
_PLUGINS: dict[str, str] = {
    "xdist": XDIST,
    "xdist.plugin": XDIST,
    "xdist.looponfail": XDIST,
    "pytest_cov": COV,
    "pytest_cov.plugin": COV,
    "cov": COV,
    "randomly": ORDER,
    "pytest_randomly": ORDER,
    "random_order": ORDER,
    "random_order.plugin": ORDER,
    "cacheprovider": CACHE,
    "stepwise": CACHE,
}

# what every auditor pytest run passes itself
BASE_ARGS = ("-p", "no:cacheprovider", "-p", "no:randomly")


@dataclass(frozen=True)
class Override:
    """One option of the project's pytest configuration that auditor did not pass on.

    `option` is the option as the project wrote it (`"-n 2"`, `"--cov=pkg"`), `reason` one
    sentence, `source` where it was found (`"addopts in pyproject.toml"`, `"PYTEST_ADDOPTS"`,
    `"[tool.auditor] pytest-args"`).
    """

    option: str
    reason: str
    source: str

    def to_json(self) -> dict[str, str]:
        return {"option": self.option, "reason": self.reason, "source": self.source}


@dataclass
class PytestCommand:
    """A ready pytest invocation: `args` after `-m pytest`, the child `env`, and the overrides."""

    args: list[str]
    env: dict[str, str]
    overrides: list[Override] = field(default_factory=list)

    def argv(self, runner: Sequence[str] = ("-m", "pytest")) -> list[str]:
        """`[python, *runner, *args]`; `runner` is e.g. `("-m", "coverage", "run", ..., "-m",
        "pytest")` to run the same suite under coverage."""
        return [sys.executable, *runner, *self.args]


def neutralise(args: Sequence[str], source: str) -> tuple[list[str], list[Override]]:
    """Split a pytest argument list into (kept arguments, overrides).

    Parses the way pytest's argparse does: `--opt=value` and `--opt value`, optional values
    (`--cov` / `--cov pkg`), combined short flags (`-vx` keeps `-v`), attached short values
    (`-n2`, `-pxdist`). Unknown options are kept untouched.
    """
    kept: list[str] = []
    overrides: list[Override] = []
    i = 0
    items = list(args)
    while i < len(items):
        token = items[i]
        i += 1
        if token == "--":
            kept.extend(items[i - 1 :])
            break
        if token.startswith("--"):
            name, eq, _value = token.partition("=")
            spec = _LONG.get(name)
            if spec is None:
                kept.append(token)
                continue
            takes, reason = spec
            dropped = [token]
            if (
                not eq
                and (
                    takes == "yes"
                    or (takes == "optional" and i < len(items) and not items[i].startswith("-"))
                )
                and i < len(items)
            ):
                dropped.append(items[i])
                i += 1
            overrides.append(Override(" ".join(dropped), reason, source))
            continue
        if token.startswith("-") and len(token) > 1:
            i, kept_token, dropped_opts = _short(token, items, i)
            if kept_token:
                kept.extend(kept_token)
            overrides.extend(Override(text, reason, source) for text, reason in dropped_opts)
            continue
        kept.append(token)
    return kept, overrides


def _short(token: str, items: list[str], i: int) -> tuple[int, list[str], list[tuple[str, str]]]:
    """One `-abc` token: returns (next index, tokens kept, (dropped text, reason) pairs)."""
    letters = token[1:]
    kept_flags = ""
    dropped: list[tuple[str, str]] = []
    out: list[str] = []
    pos = 0
    while pos < len(letters):
        letter = letters[pos]
        rest = letters[pos + 1 :]
        drop_takes, drop_reason = _SHORT_DROP.get(letter, (False, ""))
        if letter in _SHORT_WITH_VALUE or drop_takes:
            if rest:
                value, consumed = rest, [f"-{letter}{rest}"]
            elif i < len(items):
                value, consumed = items[i], [f"-{letter}", items[i]]
                i += 1
            else:
                value, consumed = "", [f"-{letter}"]
            reason = drop_reason or (_PLUGINS.get(value.strip(), "") if letter == "p" else "")
            if reason:
                dropped.append((" ".join(consumed), reason))
            else:
                out.extend(consumed)
            break
        if drop_reason:
            dropped.append((f"-{letter}", drop_reason))
        else:
            kept_flags += letter
        pos += 1
    if kept_flags:
        out.insert(0, f"-{kept_flags}")
    return i, out, dropped


def _ini_addopts(project: Project) -> tuple[list[str], str]:
    """The project's ini `addopts` and where they come from (its config file)."""
    settings = project.pytest
    where = f"addopts in {settings.configfile}" if settings.configfile else "addopts"
    return list(settings.addopts), where


def base_args() -> list[str]:
    """Arguments every auditor pytest run needs: no cache dir in the user's tree, no reordering,
    benchmarks off (pytest-benchmark would otherwise time every benchmark)."""
    args = list(BASE_ARGS)
    if importlib.util.find_spec("pytest_benchmark") is not None:
        args.append("--benchmark-disable")
    return args


def pytest_args(
    project: Project,
    *,
    targets: Iterable[str] = (),
    plugins: Iterable[str] = (),
    extra: Iterable[str] = (),
) -> tuple[list[str], list[Override]]:
    """The pytest arguments (after `-m pytest`) of a run of the project's suite, and the overrides.

    Order: our fixed options, the project's kept `addopts` (re-passed after `-o addopts=`), its
    kept `[tool.auditor] pytest-args`, `-p PLUGIN` for each of `plugins`, `extra`, `targets`.
    """
    ini, where = _ini_addopts(project)
    kept_ini, overrides = neutralise(ini, where)
    kept_cfg, more = neutralise(project.config.pytest_args, "[tool.auditor] pytest-args")
    overrides += more
    args = [*base_args()]
    if ini:
        args += ["-o", "addopts=", *kept_ini]
    args += kept_cfg
    for plugin in plugins:
        args += ["-p", plugin]
    args += [*extra, *targets]
    return args, overrides


def child_env(
    project: Project, base: Mapping[str, str] | None = None
) -> tuple[dict[str, str], list[Override]]:
    """Environment for a subprocess that runs the project's tests, and the overrides it made.

    Writes nothing into the user's tree (no bytecode, Hypothesis' database under `.auditor/`),
    forces coverage's ctrace core (the sysmon core attributes each line to the first test only),
    filters `PYTEST_ADDOPTS` like `addopts`, and puts import roots *below* the project root on
    `PYTHONPATH` (uninstalled src layouts) — never the root itself.
    """
    env = dict(os.environ if base is None else base)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["COVERAGE_CORE"] = "ctrace"
    env.setdefault("HYPOTHESIS_STORAGE_DIRECTORY", str(project.state_dir / "hypothesis"))
    overrides: list[Override] = []
    from_env = env.get("PYTEST_ADDOPTS", "")
    if from_env.strip():
        kept, overrides = neutralise(shlex.split(from_env), "PYTEST_ADDOPTS")
        if kept:
            env["PYTEST_ADDOPTS"] = shlex.join(kept)
        else:
            env.pop("PYTEST_ADDOPTS", None)
    roots = [str(r) for r in import_roots(project) if r != project.root.resolve()]
    if roots:
        env["PYTHONPATH"] = os.pathsep.join(roots + [p for p in [env.get("PYTHONPATH")] if p])
    return env, overrides


def import_roots(project: Project) -> list[Path]:
    """Directories to put on sys.path so the source packages import by their normal names."""
    roots: list[Path] = []
    for source in project.source_paths:
        parent = source.resolve().parent
        if parent not in roots:
            roots.append(parent)
    return roots


def pytest_command(
    project: Project,
    *,
    targets: Iterable[str] = (),
    plugins: Iterable[str] = (),
    extra: Iterable[str] = (),
    env: Mapping[str, str] | None = None,
) -> PytestCommand:
    """Argv tail, environment and overrides of one run of the project's suite (see module doc).

    `targets` are test paths or node ids (relative to the project root, which is the child's
    cwd); `plugins` are modules loaded with `-p`; `extra` are our own options (e.g. `-x` for a
    run that stops at the first failure on purpose); `env` is the base environment (default
    `os.environ`).
    """
    args, overrides = pytest_args(project, targets=targets, plugins=plugins, extra=extra)
    child, env_overrides = child_env(project, env)
    return PytestCommand(args=args, env=child, overrides=_unique([*overrides, *env_overrides]))


def _unique(items: list[Override]) -> list[Override]:
    return list(dict.fromkeys(items))
