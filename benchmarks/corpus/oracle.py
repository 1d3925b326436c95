"""Ground truth for a project, from the real tools only: pytest and coverage.py.

`compute(project)` runs, each on a fresh work tree, in the project's venv:

- `pytest`:  `python -m pytest -q -p no:cacheprovider` exactly as the project configures it (its
  addopts and plugins kept): exit code and summary counts;
- `collect`: `python -m pytest --collect-only -q -p no:cacheprovider` (enough `-q` to cancel a `-v`
  in addopts): the node ids and the files they come from;
- `coverage`: `python -m coverage run --source=SRC -m pytest -q -p no:cacheprovider NEUTRALISE`,
  then `coverage combine` (for `parallel = true` configs) and `coverage json`: `line_percent` =
  covered statements / statements over the files under the package directory, leaving out the
  test modules pytest collects there (`line_percent_with_tests` keeps them; per-file counts in
  `files`); the project's own [tool.coverage] settings apply, as for a user. NEUTRALISE are the registry's arguments that
  switch off plugins in addopts which conflict with measuring (pytest-cov, xdist, randomly);
- `coverage_no_addopts`: the same with `-o addopts=` (the project's addopts dropped), for projects
  that have addopts and are not heavy; otherwise null with the reason.

Results are cached as JSON under oracle/, keyed by a hash of everything that can change them
(the pinned sdist, requirements, arguments, the venv's `pip freeze` and this file's version).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shutil
from pathlib import Path
from typing import Any

from . import env, procs, traits
from .registry import Project

ORACLE_VERSION = 2
PYTEST = ["-m", "pytest", "-q", "-p", "no:cacheprovider"]

_SUMMARY = re.compile(
    r"^=*\s*(?P<body>(?:\d+ [a-z]+(?: [a-z]+)?(?:, )?)+|no tests ran)(?: in [\d.]+s(?: \([^)]*\))?)?\s*=*$"
)
_COUNT = re.compile(r"^(\d+) ([a-z]+(?: [a-z]+)?)$")
_PLURALS = {
    "errors": "error",
    "warnings": "warning",
    "reruns": "rerun",
    "tests": "test",
    "subtests passed": "subtests_passed",
    "subtests failed": "subtests_failed",
    "subtests skipped": "subtests_skipped",
}


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def strip_ansi(text: str) -> str:
    """`text` without terminal colour codes (a project's addopts may hold `--color=yes`)."""
    return _ANSI.sub("", text)


def parse_summary(output: str) -> dict[str, int] | None:
    """Counts from pytest's final summary line, e.g. `3 failed, 10 passed, 1 warning in 0.4s`.

    Keys are singular (`passed`, `failed`, `skipped`, `xfailed`, `xpassed`, `error`, `warning`,
    `deselected`, `rerun`); {} for "no tests ran"; None when no summary line is found (pytest
    crashed or was killed). The last matching line wins.
    """
    found: dict[str, int] | None = None
    for line in strip_ansi(output).splitlines():
        match = _SUMMARY.match(line.strip())
        if match is None:
            continue
        body = match.group("body")
        if body == "no tests ran":
            found = {}
            continue
        found = {}
        for part in body.split(", "):
            count = _COUNT.match(part.strip())
            if count:
                word = count.group(2)
                found[_PLURALS.get(word, word).replace(" ", "_")] = int(count.group(1))
    return found


_COLLECTED = re.compile(
    r"(?:(\d+)/)?(\d+) tests? collected|no tests collected|collected (\d+) items?"
)


def parse_collect(output: str, root: Path | None = None) -> dict[str, Any]:
    """Node ids and files from `pytest --collect-only -q` output.

    A node id is a line `path::rest` (parametrize ids may contain spaces) whose path exists under
    `root` when a root is given. Returns {"count", "node_ids", "files", "errors"}: `count` is the
    number pytest printed (selected items), `errors` the "ERROR collecting" lines.
    """
    node_ids: list[str] = []
    errors: list[str] = []
    count: int | None = None
    for line in strip_ansi(output).splitlines():
        if line.startswith("ERROR ") or line.startswith("ERROR:"):
            errors.append(line)
        match = _COLLECTED.search(line)
        if match and not line.startswith(" "):
            count = int(match.group(1) or match.group(2) or match.group(3) or 0)
            continue
        if "::" in line and not line[:1].isspace() and not line.startswith(("=", "_")):
            path = line.split("::", 1)[0]
            if root is None or (root / path).exists():
                node_ids.append(line.rstrip())
    files = sorted({n.split("::", 1)[0] for n in node_ids})
    return {
        "count": count if count is not None else len(node_ids),
        "node_ids": node_ids,
        "files": files,
        "errors": errors,
    }


def quiet_flags(addopts: list[str]) -> list[str]:
    """Enough `-q` to make verbosity -1 whatever `-v`/`-q` the project's addopts hold."""
    level = 0
    for tok in addopts:
        if tok in ("--verbose",):
            level += 1
        elif tok == "--quiet":
            level -= 1
        elif re.fullmatch(r"-v+", tok):
            level += len(tok) - 1
        elif re.fullmatch(r"-q+", tok):
            level -= len(tok) - 1
    return ["-q"] * max(1, level + 1)


def _freeze(python: Path) -> str:
    done = procs.run([str(python), "-m", "pip", "freeze", "--exclude-editable"], timeout=120)
    return done.stdout


def cache_key(project: Project, python: Path) -> str:
    blob = json.dumps(
        {
            "v": ORACLE_VERSION,
            "sha": project.sha256,
            "req": project.test_requires,
            "neutralise": project.neutralise,
            "source": project.source,
            "freeze": _freeze(python),
            "python": str(python),
        },
        sort_keys=True,
    )
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def oracle_path(project: Project, key: str) -> Path:
    return env.cache_root() / "oracle" / f"{project.key}-{key}.json"


def latest(project: Project) -> dict[str, Any] | None:
    """The newest cached oracle of `project`, whatever its key (for tables), or None."""
    folder = env.cache_root() / "oracle"
    found = sorted(folder.glob(f"{project.key}-*.json"), key=lambda p: p.stat().st_mtime)
    return json.loads(found[-1].read_text()) if found else None


def _run_fresh(
    project: Project, python: Path, args: list[str], timeout: float
) -> tuple[procs.Completed, Path]:
    work = env.refresh_work(project)
    return procs.run([str(python), *args], cwd=work, env=env.run_env(python), timeout=timeout), work


def _source_dir(project: Project, work: Path) -> Path:
    if "/" in project.source:
        return work / project.source
    rel = Path(*project.package.split("."))
    return work / "src" / rel if (work / "src" / rel).is_dir() else work / rel


def test_module_files(node_ids: list[str]) -> list[str]:
    """Files from which pytest collects non-doctest items (a doctest id is `file::dotted.name`
    with no `test` in its last part and no parameters)."""
    files = set()
    for node in node_ids:
        path, _, rest = node.partition("::")
        last = rest.split("::")[-1]
        if "test" in last.lower() or "[" in last or "::" in rest:
            files.add(path)
    return sorted(files)


def _coverage(
    project: Project, python: Path, extra: list[str], timeout: float, test_modules: list[str]
) -> dict[str, Any]:
    args = ["-m", "coverage", "run", f"--source={project.source}", *PYTEST, *extra]
    done, work = _run_fresh(project, python, args, timeout)
    result: dict[str, Any] = {
        "argv": ["python", *args],
        "exit_code": done.returncode,
        "seconds": done.seconds,
        "timed_out": done.timed_out,
        "counts": parse_summary(done.stdout),
        "failures": [ln for ln in strip_ansi(done.stdout).splitlines() if ln.startswith("FAILED")],
        "line_percent": None,
        "line_percent_with_tests": None,
        "statements": None,
        "covered": None,
        "files": {},
    }
    run_env = env.run_env(python)
    if list(work.glob(".coverage.*")):
        procs.run([str(python), "-m", "coverage", "combine"], cwd=work, env=run_env, timeout=300)
    out = work / ".corpus-coverage.json"
    report = procs.run(
        [str(python), "-m", "coverage", "json", "-q", "-o", str(out)],
        cwd=work,
        env=run_env,
        timeout=300,
    )
    if not out.is_file():
        result["error"] = f"coverage json: {report.tail(5)}"
        return result
    data = json.loads(out.read_text())
    source = _source_dir(project, work).resolve()
    totals = {"code": [0, 0], "all": [0, 0]}
    for name, info in sorted(data.get("files", {}).items()):
        path = (work / name).resolve()
        if source != path and source not in path.parents:
            continue
        summary = info["summary"]
        rel = str(path.relative_to(work.resolve()))
        counts = [summary["num_statements"], summary["covered_lines"]]
        result["files"][rel] = {
            "statements": counts[0],
            "covered": counts[1],
            "test_module": rel in test_modules,
        }
        for kind in ("all",) if rel in test_modules else ("all", "code"):
            totals[kind][0] += counts[0]
            totals[kind][1] += counts[1]

    def pct(pair: list[int]) -> float | None:
        return round(100.0 * pair[1] / pair[0], 2) if pair[0] else None

    result.update(
        statements=totals["code"][0],
        covered=totals["code"][1],
        line_percent=pct(totals["code"]),
        line_percent_with_tests=pct(totals["all"]),
    )
    return result


def compute(
    project: Project, python: Path, timeout: float = 1800.0, force: bool = False
) -> dict[str, Any]:
    """The oracle of `project` run with the venv `python` (cached; `force` recomputes)."""
    key = cache_key(project, python)
    path = oracle_path(project, key)
    if path.is_file() and not force:
        return dict(json.loads(path.read_text()))
    with env.lock(project):
        config = traits.read_pytest_config(env.pristine(project))
        addopts = config.addopts()
        plain, _ = _run_fresh(project, python, PYTEST, timeout)
        collect_args = [
            "-m",
            "pytest",
            "--collect-only",
            *quiet_flags(addopts),
            "-p",
            "no:cacheprovider",
        ]
        collected, work = _run_fresh(project, python, collect_args, timeout)
        collect = parse_collect(collected.stdout, work)
        tests = test_module_files(collect["node_ids"])
        coverage = _coverage(project, python, list(project.neutralise), timeout, tests)
        if addopts and not project.heavy:
            no_addopts: dict[str, Any] | None = _coverage(
                project, python, [*project.neutralise, "-o", "addopts="], timeout, tests
            )
        else:
            no_addopts = None
        shutil.rmtree(env.work_dir(project), ignore_errors=True)
    result = {
        "project": project.key,
        "oracle_version": ORACLE_VERSION,
        "key": key,
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "config": {"where": config.where, "addopts": addopts},
        "pytest": {
            "argv": ["python", *PYTEST],
            "exit_code": plain.returncode,
            "seconds": plain.seconds,
            "timed_out": plain.timed_out,
            "counts": parse_summary(plain.stdout),
            "tail": plain.tail(12),
        },
        "collect": {
            "argv": ["python", *collect_args],
            "exit_code": collected.returncode,
            "seconds": collected.seconds,
            **collect,
        },
        "coverage": {
            **coverage,
            "neutralised": list(project.neutralise),
            "why": project.neutralise_why,
        },
        "coverage_no_addopts": no_addopts,
        "coverage_no_addopts_reason": (
            None
            if no_addopts is not None
            else "no addopts"
            if not addopts
            else "heavy project: skipped"
        ),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=1))
    return result
