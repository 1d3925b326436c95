"""pytest plugin loaded with `-p auditor.coverage.plugin` inside `coverage run`.

Why our own plugin instead of pytest-cov: we need exactly one thing from pytest, the node id of the
test that is running, so that coverage.py records it as the dynamic context. Setup, call and
teardown all land in the same context (the bare node id), because fixtures can execute the code a
mutant changes. The plugin also writes one JSON line per test (outcome, duration, Hypothesis)
and one per collection error, so the stage can name failing tests and missing dependencies.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Generator
from typing import Any, TextIO

import pytest

LOG_ENV = "AUDITOR_TEST_LOG"
CHILD_RC_ENV = "AUDITOR_SUBPROCESS_RCFILE"
CONTEXT_ENV = "AUDITOR_TEST_CONTEXT"


class _Recorder:
    def __init__(self, path: str) -> None:
        self._fh: TextIO = open(path, "a", encoding="utf-8")  # noqa: SIM115 - lives as long as pytest
        self._outcomes: dict[str, dict[str, Any]] = {}

    def write(self, record: dict[str, Any]) -> None:
        self._fh.write(json.dumps(record, sort_keys=True) + "\n")
        self._fh.flush()

    def report(self, report: pytest.TestReport) -> None:
        entry = self._outcomes.setdefault(report.nodeid, {"outcome": "passed", "duration": 0.0})
        entry["duration"] += report.duration
        if report.failed:
            entry["outcome"] = "failed" if report.when == "call" else "error"
            entry.setdefault("message", _short(report.longreprtext))
        elif report.skipped and entry["outcome"] == "passed":
            entry["outcome"] = "xfailed" if hasattr(report, "wasxfail") else "skipped"
            entry["reason"] = _skip_reason(report)

    def finish(self, item: pytest.Item) -> None:
        entry = self._outcomes.pop(item.nodeid, {"outcome": "passed", "duration": 0.0})
        obj = getattr(item, "obj", None)
        hypothesis = bool(item.get_closest_marker("hypothesis")) or bool(
            getattr(obj, "is_hypothesis_test", False)
        )
        self.write({"kind": "test", "id": item.nodeid, "hypothesis": hypothesis, **entry})

    def close(self) -> None:
        self._fh.close()


def _skip_reason(report: pytest.TestReport | pytest.CollectReport) -> str:
    """The reason pytest prints for a skip (`Skipped: ` prefix removed) or an xfail."""
    wasxfail = getattr(report, "wasxfail", None)
    if wasxfail is not None:
        return str(wasxfail)
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        text = str(longrepr[2])
    else:
        text = str(longrepr or "")
    return _short(text.removeprefix("Skipped: "), 500)


def _short(text: str, limit: int = 2000) -> str:
    text = text.strip()
    return text if len(text) <= limit else "..." + text[-limit:]


def _coverage() -> Any:
    try:
        from coverage import Coverage
    except ImportError:  # pragma: no cover - coverage is a core dependency
        return None
    return Coverage.current()


_RECORDER: _Recorder | None = None


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    global _RECORDER
    path = os.environ.get(LOG_ENV)
    if path and _RECORDER is None:
        _RECORDER = _Recorder(path)
        _RECORDER.write({"kind": "session", "conflicts": conflicts(config)})
    child_rc = os.environ.get(CHILD_RC_ENV)
    if child_rc:
        # coverage.py's subprocess support: Python children started by a test measure
        # themselves with this rcfile (its context comes from CONTEXT_ENV, set per test below)
        os.environ["COVERAGE_PROCESS_START"] = child_rc


def conflicts(config: pytest.Config) -> list[str]:
    """Measuring conflicts still active although `auditor.pytest_command` removed their options
    (a configuration source it did not read): the stage reports them instead of wrong numbers."""
    found = []
    if getattr(config.option, "numprocesses", None) or getattr(config.option, "dist", "no") != "no":
        found.append("pytest-xdist")
    if config.pluginmanager.has_plugin("_cov"):
        found.append("pytest-cov")
    if config.pluginmanager.has_plugin("randomly_plugin") or config.pluginmanager.has_plugin(
        "randomly"
    ):
        found.append("pytest-randomly")
    return found


def pytest_unconfigure(config: pytest.Config) -> None:
    global _RECORDER
    if _RECORDER is not None:
        _RECORDER.close()
        _RECORDER = None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(
    item: pytest.Item, nextitem: pytest.Item | None
) -> Generator[None, None, None]:
    cov = _coverage()
    if cov is not None:
        cov.switch_context(item.nodeid)
    if _RECORDER is not None:
        _RECORDER.write({"kind": "start", "id": item.nodeid})
    os.environ[CONTEXT_ENV] = item.nodeid
    started = time.perf_counter()
    try:
        yield
    finally:
        os.environ.pop(CONTEXT_ENV, None)
    if cov is not None:
        cov.switch_context("")
    if _RECORDER is not None:
        _RECORDER._outcomes.setdefault(item.nodeid, {"outcome": "passed", "duration": 0.0})
        if not _RECORDER._outcomes[item.nodeid]["duration"]:
            _RECORDER._outcomes[item.nodeid]["duration"] = time.perf_counter() - started
        _RECORDER.finish(item)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if _RECORDER is not None:
        _RECORDER.report(report)


def pytest_collectreport(report: pytest.CollectReport) -> None:
    if _RECORDER is None:
        return
    if report.failed:
        _RECORDER.write(
            {"kind": "collect_error", "id": report.nodeid, "message": _short(report.longreprtext)}
        )
    elif report.skipped:
        # a whole module (or class) skipped at collection, e.g. `pytest.importorskip` at the top
        _RECORDER.write(
            {"kind": "collect_skip", "id": report.nodeid, "reason": _skip_reason(report)}
        )
