"""pytest plugin of the by-hand verification runs (`-p auditor.mutation.verify_probe`).

It only observes: which tests failed (in order), how many passed, which collectors failed, and
the file each named module was imported from, written as JSON at the end of the session to the
path in `AUDITOR_VERIFY_PROBE`. `AUDITOR_VERIFY_MODULES` is a comma-separated list of module
names; a module that was never imported in the pytest process is written as null. This tells a
confirmed survivor ("every test passed") from a run that tested some other copy of the code.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

PROBE_ENV = "AUDITOR_VERIFY_PROBE"
MODULES_ENV = "AUDITOR_VERIFY_MODULES"

_failed: list[str] = []
_errors: list[str] = []
_passed = 0


def pytest_runtest_logreport(report: Any) -> None:
    global _passed
    if report.failed:
        if report.nodeid not in _failed:
            _failed.append(report.nodeid)
    elif report.when == "call" and report.passed:
        _passed += 1


def pytest_collectreport(report: Any) -> None:
    if report.failed:
        _errors.append(report.nodeid or "<session>")


def pytest_sessionfinish(session: Any, exitstatus: Any) -> None:
    path = os.environ.get(PROBE_ENV)
    if not path:
        return
    modules = [m for m in os.environ.get(MODULES_ENV, "").split(",") if m]
    files = {m: getattr(sys.modules.get(m), "__file__", None) for m in modules}
    data = {
        "exit": int(exitstatus),
        "failed": _failed,
        "passed": _passed,
        "collect_errors": _errors,
        "files": files,
    }
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(data, fh)
