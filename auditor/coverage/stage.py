"""The coverage stage: one instrumented pytest run -> card.coverage, card.tests, CoverageMap.

If the project's own tests fail on unmodified code nothing downstream is meaningful (a mutant
"killed" by an already failing test proves nothing), so the stage raises `StageFailed` naming the
failing tests and the mutation stage does not start. Results are cached by a content hash of the
source, tests and configuration.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
from typing import Any

from auditor.coverage.fingerprint import project_fingerprint
from auditor.coverage.map import CoverageMap, map_path
from auditor.coverage.read import read_map, read_modules
from auditor.coverage.runner import SuiteRun, coverage_dir, run_suite
from auditor.coverage.skips import skipped_modules
from auditor.errors import StageFailed
from auditor.model import (
    ModuleCoverage,
    PytestOverride,
    Scorecard,
    SkippedModule,
    StageReport,
    TestResult,
    to_jsonable,
)
from auditor.options import Options
from auditor.project import Project
from auditor.version import __version__

RESULT_FILE = "result.json"
RESULT_FORMAT = "result-2"  # overrides, skipped modules, subprocess coverage
MAX_NAMED = 10


def engine() -> str:
    import coverage

    return f"coverage.py {coverage.__version__} (ctrace, branch, per-test contexts)"


def run(project: Project, options: Options, card: Scorecard) -> None:
    key = project_fingerprint(
        project,
        __version__,
        engine(),
        RESULT_FORMAT,
        os.environ.get("PYTEST_ADDOPTS", ""),
        json.dumps(dataclasses.asdict(project.config.coverage), sort_keys=True),
        *project.config.pytest_args,
    )
    cached = _load_cached(project, key) if options.use_cache else None
    if cached is not None:
        _apply(card, cached)
        card.stages.append(
            StageReport(
                name="coverage",
                ran=True,
                engine=engine(),
                reason="re-used: source, tests and config are unchanged",
            )
        )
        return
    if options.console is not None:
        with options.console.status("coverage: running the test suite with per-test contexts"):
            suite = run_suite(project)
    else:
        suite = run_suite(project)
    # what was overridden explains the run even when the suite then fails
    card.pytest_overrides.extend(
        PytestOverride(o.option, o.reason, o.source) for o in suite.overrides
    )
    check_suite(project, suite)
    cov_map = read_map(project, suite.data_file)
    cov_map.save(map_path(project.state_dir))
    result = {
        "key": key,
        "coverage": to_jsonable(read_modules(project, suite.data_file, suite.rcfile)),
        "tests": to_jsonable(build_tests(suite, cov_map)),
        "pytest_overrides": [o.to_json() for o in suite.overrides],
        "skipped_modules": to_jsonable(skipped_modules(project, suite.collect_skips, suite.tests)),
    }
    (coverage_dir(project) / RESULT_FILE).write_text(json.dumps(result, indent=1), "utf-8")
    _apply(card, result)
    card.stages.append(StageReport(name="coverage", ran=True, engine=engine()))


def build_tests(suite: SuiteRun, cov_map: CoverageMap) -> list[TestResult]:
    lines = cov_map.lines_per_test()
    out = [
        TestResult(
            id=rec["id"],
            outcome=rec.get("outcome", "passed"),
            duration=round(float(rec.get("duration", 0.0)), 4),
            covers_lines=lines.get(rec["id"], 0),
            property_based=bool(rec.get("hypothesis")),
            reason=str(rec.get("reason", "")),
        )
        for rec in suite.tests
    ]
    return sorted(out, key=lambda t: t.id)


def check_suite(project: Project, suite: SuiteRun) -> None:
    """Raise StageFailed with a message that says which tests fail and what to do next."""
    failing = [t for t in suite.tests if t.get("outcome") in ("failed", "error")]
    if suite.timed_out:
        where = (
            f"the test {suite.hung_test} started and did not finish"
            if suite.hung_test
            else "no test was running (collection, a fixture or session teardown hung)"
        )
        raise StageFailed(
            f"The test suite did not finish within {suite.limit:.0f} s under coverage and was "
            f"stopped (with every process it started): {where}. If the suite is just slow, raise "
            f"the limit with `timeout = SECONDS` under [tool.auditor.coverage]; pytest's output "
            f"is in {project.rel(coverage_dir(project) / 'pytest.log')}."
        )
    if suite.conflicts:
        raise StageFailed(
            f"{' and '.join(suite.conflicts)} stayed active in auditor's coverage run although "
            f"auditor removed its options from the pytest configuration it read "
            f"({project.pytest.configfile or 'no ini file found'}): its numbers would be wrong. "
            f"Move the option into that file's addopts, or pass `-p no:xdist`/`--no-cov` with "
            f"pytest-args = [...] under [tool.auditor]."
        )
    if suite.collect_errors:
        raise StageFailed(collection_message(suite.collect_errors))
    if failing:
        names = ", ".join(t["id"] for t in failing[:MAX_NAMED])
        more = f" (and {len(failing) - MAX_NAMED} more)" if len(failing) > MAX_NAMED else ""
        raise StageFailed(
            f"The project's own tests fail on unmodified code: {names}{more}. Mutation testing "
            f"needs a green suite (a mutant 'killed' by an already failing test proves nothing). "
            f'Fix or deselect these tests (e.g. pytest-args = ["--deselect", "<id>"] under '
            f"[tool.auditor]) and run again; pytest's output is in "
            f"{project.rel(coverage_dir(project) / 'pytest.log')}."
        )
    if suite.exit_code == 5 or not suite.tests:
        raise StageFailed(
            f"pytest collected no tests under "
            f"{', '.join(project.rel(t) for t in project.tests_dirs)}"
            f" (exit code {suite.exit_code}). Pass the directory that holds your tests, e.g. "
            f"`auditor scan tests`. pytest said: {_tail(suite.output)}"
        )
    if suite.exit_code not in (0, 1):
        raise StageFailed(
            f"pytest could not run the suite under coverage (exit code {suite.exit_code}): "
            f"{_tail(suite.output)} Run `python -m pytest {project.rel(project.tests_dirs[0])}` "
            f"from {project.root} to see the problem."
        )


_MISSING = re.compile(r"No module named '([^']+)'")


def collection_message(errors: list[dict[str, Any]]) -> str:
    first = errors[0]
    where = first.get("id") or "a test module"
    text = str(first.get("message", ""))
    missing = _MISSING.search(text)
    if missing:
        module = missing.group(1).split(".")[0]
        return (
            f"pytest could not import {where}: the module '{module}' is not installed in the "
            f"interpreter auditor runs with. Install the project's test dependencies into it "
            f"(e.g. `python -m pip install {module}` or `python -m pip install -e '.[test]'`) and "
            f"run again."
        )
    return (
        f"pytest could not collect {where} ({len(errors)} collection error(s)): "
        f"{_tail(text)} Fix the error (run `python -m pytest --collect-only` to reproduce it) and "
        f"run again."
    )


def _tail(text: str, lines: int = 6) -> str:
    kept = [line for line in text.strip().splitlines() if line.strip()][-lines:]
    return " | ".join(kept)


def _load_cached(project: Project, key: str) -> dict[str, Any] | None:
    path = coverage_dir(project) / RESULT_FILE
    if not path.is_file() or not map_path(project.state_dir).is_file():
        return None
    try:
        data: dict[str, Any] = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return data if data.get("key") == key else None


def _apply(card: Scorecard, result: dict[str, Any]) -> None:
    card.coverage.extend(ModuleCoverage(**m) for m in result["coverage"])
    card.tests.extend(TestResult(**t) for t in result["tests"])
    if not card.pytest_overrides:
        card.pytest_overrides.extend(
            PytestOverride(**o) for o in result.get("pytest_overrides", [])
        )
    card.skipped_modules.extend(SkippedModule(**m) for m in result.get("skipped_modules", []))
    if card.pytest_overrides:
        options = ", ".join(o.option for o in card.pytest_overrides)
        card.meta.add_note(
            f"pytest options not passed on because they conflict with measuring: {options} "
            f"(reasons in the scorecard's pytest_overrides)"
        )
    for module in card.skipped_modules:
        card.meta.add_note(
            f"{module.path} was skipped by pytest ({module.reason or 'no reason given'}): its "
            f"{len(module.tests)} test(s) did not run"
        )
