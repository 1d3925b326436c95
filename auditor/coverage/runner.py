"""Run the project's pytest suite once under coverage.py with per-test contexts.

`coverage run -m pytest -p auditor.coverage.plugin` rather than starting coverage from inside a
plugin: coverage is then active before conftest files import the project, so import-time lines are
measured like `coverage run` users expect. `COVERAGE_CORE=ctrace` is forced because the sysmon core
attributes each line to the first test that ran it only, which would empty the who-tests-what map.

The pytest arguments and environment come from `auditor.pytest_command` (the project's own
configuration minus what conflicts with measuring). Python subprocesses the tests start
(`subprocess.run([sys.executable, "-m", "pkg.cli"])`) are measured too: the plugin exports
`COVERAGE_PROCESS_START` (coverage.py's subprocess support, through the `.pth` file coverage
installs) pointing at a child rcfile whose static context is the running test's node id, so a
child's lines are attributed to the test that started it. Every process writes its own data file
(`parallel = True`); they are combined after the run.
"""

from __future__ import annotations

import importlib.util
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coverage import Coverage

import auditor
from auditor.coverage import limits
from auditor.errors import StageFailed
from auditor.project import Project
from auditor.pytest_command import Override, pytest_command

STATS_PLUGIN = "auditor.properties.stats_plugin"
CHILD_RC_ENV = "AUDITOR_SUBPROCESS_RCFILE"  # read by auditor.coverage.plugin
CONTEXT_ENV = "AUDITOR_TEST_CONTEXT"  # set by the plugin per test, read by the child rcfile


@dataclass
class SuiteRun:
    """What one instrumented pytest run produced.

    `timed_out` is True when the run was stopped at `limit` seconds; `hung_test` is then the
    test that had started but not finished (None when the run hung outside any test).
    """

    exit_code: int
    data_file: Path
    rcfile: Path
    tests: list[dict[str, Any]] = field(default_factory=list)
    collect_errors: list[dict[str, Any]] = field(default_factory=list)
    collect_skips: list[dict[str, Any]] = field(default_factory=list)
    output: str = ""
    overrides: list[Override] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    seconds: float = 0.0
    timed_out: bool = False
    limit: float | None = None
    hung_test: str | None = None


def coverage_dir(project: Project) -> Path:
    return project.state_dir / "coverage"


def _measured(project: Project) -> tuple[list[str], list[str]]:
    """(rcfile `[run]` lines that select the project's source, omit patterns)."""
    dirs = [p for p in project.source_paths if p.is_dir()]
    files = [p for p in project.source_paths if not p.is_dir()]
    if not dirs and not files:
        # an empty `source =` would measure every file Python imports (the stdlib, auditor)
        raise StageFailed(
            f"auditor found no source package under {project.root} to measure. Set "
            f'`source = ["path/to/package"]` under [tool.auditor] in pyproject.toml.'
        )
    if files:
        patterns = [str(d.resolve() / "*") for d in dirs] + [str(f.resolve()) for f in files]
        select = ["include =", *(f"    {p}" for p in patterns)]
    else:
        select = ["source =", *(f"    {d.resolve()}" for d in dirs)]
    own = Path(auditor.__file__).resolve().parent
    omit = [str(p) for p in project.test_modules_in_source()] + [str(own / "*")]
    return select, omit


def write_rcfile(project: Project, data_file: Path, *, child: bool = False) -> Path:
    """Our own rcfile: measure only the project's source (never its test modules, never auditor's
    own files), with branches, on the ctrace core, one data file per process. The child rcfile
    (`child=True`, used by subprocesses) takes its static context from `$AUDITOR_TEST_CONTEXT`."""
    rc = coverage_dir(project) / ("coveragerc-child" if child else "coveragerc")
    select, omit = _measured(project)
    lines = [
        "[run]",
        "branch = True",
        f"data_file = {data_file}",
        "core = ctrace",
        "parallel = True",
        *select,
        "omit =",
        *(f"    {p}" for p in omit),
    ]
    if child:
        lines.append(f"context = ${{{CONTEXT_ENV}}}")
    lines += [
        "",
        "[report]",
        "exclude_lines =",
        "    pragma: no cover",
        "    if TYPE_CHECKING:",
        "",
    ]
    rc.write_text("\n".join(lines), encoding="utf-8")
    return rc


def run_suite(project: Project, limit: float | None = None) -> SuiteRun:
    """One run of the suite under coverage; `limit` seconds (None: from the baseline) before the
    whole process group is stopped."""
    out_dir = coverage_dir(project)
    out_dir.mkdir(parents=True, exist_ok=True)
    data_file = out_dir / ".coverage"
    for old in out_dir.glob(".coverage*"):
        old.unlink(missing_ok=True)
    log = out_dir / "tests.jsonl"
    log.unlink(missing_ok=True)
    rc = write_rcfile(project, data_file)
    plugins = ["auditor.coverage.plugin"]
    stats: Path | None = None
    if importlib.util.find_spec(STATS_PLUGIN) is not None:
        stats = out_dir / "hypothesis-stats.jsonl"
        stats.unlink(missing_ok=True)
        plugins.append(STATS_PLUGIN)
    command = pytest_command(project, targets=project.pytest_targets(), plugins=plugins)
    env = command.env
    env["AUDITOR_TEST_LOG"] = str(log)
    if project.config.coverage.subprocesses:
        env[CHILD_RC_ENV] = str(write_rcfile(project, data_file, child=True))
    if stats is not None:
        env["AUDITOR_STATS_FILE"] = str(stats)
    cmd = command.argv(("-m", "coverage", "run", f"--rcfile={rc}", "-m", "pytest"))
    if limit is None:
        limit = limits.suite_limit(project)
    started = time.perf_counter()
    done = limits.run_group(cmd, cwd=project.root, env=env, limit=limit)
    seconds = time.perf_counter() - started
    (out_dir / "pytest.log").write_text(done.output, encoding="utf-8")
    combine(rc, data_file)
    records = _read_jsonl(log)
    tests = [r for r in records if r.get("kind") == "test"]
    if not done.timed_out and done.exit_code in (0, 1, 5):
        limits.save_baseline(project, seconds)
    return SuiteRun(
        exit_code=done.exit_code,
        data_file=data_file,
        rcfile=rc,
        tests=tests,
        collect_errors=[r for r in records if r.get("kind") == "collect_error"],
        collect_skips=[r for r in records if r.get("kind") == "collect_skip"],
        output=done.output,
        overrides=command.overrides,
        conflicts=[c for r in records if r.get("kind") == "session" for c in r["conflicts"]],
        seconds=round(seconds, 3),
        timed_out=done.timed_out,
        limit=limit,
        hung_test=_running(records) if done.timed_out else None,
    )


def combine(rcfile: Path, data_file: Path) -> None:
    """Merge the per-process data files (`.coverage.<host>.<pid>.<random>`) into `data_file`."""
    cov = Coverage(data_file=str(data_file), config_file=str(rcfile))
    cov.combine(data_paths=[str(data_file.parent)], keep=False, strict=False)
    cov.save()


def _running(records: list[dict[str, Any]]) -> str | None:
    """The last test that started and never reported an outcome."""
    finished = {r.get("id") for r in records if r.get("kind") == "test"}
    started = [r.get("id") for r in records if r.get("kind") == "start"]
    pending = [t for t in started if t not in finished]
    return str(pending[-1]) if pending else None


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line:
            try:
                out.append(json.loads(line))
            except ValueError:
                continue  # a line cut short by a stopped run
    return out
