"""pytest plugin loaded with `-p auditor.flaky.plugin` in every run of the flakiness stage.

Driven by environment variables set by `auditor.flaky.command` (inert without them):

- `AUDITOR_FLAKY_RESULTS`  JSON-lines file this process appends to (one line per finished test,
                           flushed at once, so a killed run keeps what it finished); an xdist
                           worker appends `.gwN` to the name;
- `AUDITOR_FLAKY_ORDER`    a JSON list of node ids: the collected items are put in exactly that
                           order (after every other plugin's reordering) and the rest deselected;
- `AUDITOR_FLAKY_STATE`    the project root: snapshot shared state (`snapshot.take`) before and
                           after each test and record what changed.

Lines written: `{"kind": "collected", "ids": [...]}` (collection order, before reordering),
`{"kind": "missing", "ids": [...]}` (ordered ids pytest did not collect),
`{"kind": "start", "id"}` before a test runs, `{"kind": "test", "id", "outcome", "duration",
"start", "stop", "worker", "message"?, "before"?, "changes"?}` after it, `{"kind":
"collect_error", "id", "message"}` and `{"kind": "done", "exitstatus"}`.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Generator
from typing import Any, TextIO

import pytest

RESULTS_ENV = "AUDITOR_FLAKY_RESULTS"
ORDER_ENV = "AUDITOR_FLAKY_ORDER"
STATE_ENV = "AUDITOR_FLAKY_STATE"
WORKER_ENV = "PYTEST_XDIST_WORKER"
MESSAGE_LIMIT = 1500


class _Recorder:
    def __init__(self, path: str) -> None:
        self._fh: TextIO = open(path, "a", encoding="utf-8")  # noqa: SIM115 - lives as long as pytest
        self.worker = os.environ.get(WORKER_ENV, "")
        self.entries: dict[str, dict[str, Any]] = {}
        self.state_root = os.environ.get(STATE_ENV, "")

    def write(self, record: dict[str, Any]) -> None:
        self._fh.write(json.dumps(record, sort_keys=True) + "\n")
        self._fh.flush()

    def report(self, report: pytest.TestReport) -> None:
        entry = self.entries.setdefault(report.nodeid, {"outcome": "passed", "duration": 0.0})
        entry["duration"] += report.duration
        outcome: str = report.outcome
        if outcome == "rerun":  # pytest-rerunfailures: a failed attempt is a failure here
            entry["outcome"] = "failed"
            entry["reruns"] = entry.get("reruns", 0) + 1
            entry.setdefault("message", _short(report.longreprtext))
        elif report.failed:
            if entry["outcome"] not in ("failed", "error"):
                entry["outcome"] = "failed" if report.when == "call" else "error"
            entry.setdefault("message", _short(report.longreprtext))
        elif report.skipped and entry["outcome"] == "passed":
            entry["outcome"] = "xfailed" if hasattr(report, "wasxfail") else "skipped"
        elif report.passed and report.when == "call" and hasattr(report, "wasxfail"):
            entry["outcome"] = "xpassed"

    def close(self) -> None:
        self._fh.close()


def _short(text: str) -> str:
    text = text.strip()
    return text if len(text) <= MESSAGE_LIMIT else "..." + text[-MESSAGE_LIMIT:]


_RECORDER: _Recorder | None = None


def pytest_configure(config: pytest.Config) -> None:
    global _RECORDER
    path = os.environ.get(RESULTS_ENV)
    if not path or _RECORDER is not None:
        return
    worker = os.environ.get(WORKER_ENV)
    if worker:
        path = f"{path}.{worker}"
    elif getattr(config.option, "numprocesses", None):
        return  # the xdist controller runs no test; its workers record
    _RECORDER = _Recorder(path)


def pytest_unconfigure(config: pytest.Config) -> None:
    global _RECORDER
    if _RECORDER is not None:
        _RECORDER.close()
        _RECORDER = None


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    if _RECORDER is not None and not _RECORDER.worker:
        _RECORDER.write({"kind": "collected", "ids": [item.nodeid for item in items]})
    order_file = os.environ.get(ORDER_ENV)
    if not order_file:
        return
    with open(order_file, encoding="utf-8") as fh:
        wanted: list[str] = json.load(fh)
    by_id = {item.nodeid: item for item in items}
    chosen = [by_id[nodeid] for nodeid in dict.fromkeys(wanted) if nodeid in by_id]
    keep = {id(item) for item in chosen}
    dropped = [item for item in items if id(item) not in keep]
    missing = [nodeid for nodeid in wanted if nodeid not in by_id]
    if missing and _RECORDER is not None and not _RECORDER.worker:
        _RECORDER.write({"kind": "missing", "ids": missing})
    if dropped:
        config.hook.pytest_deselected(items=dropped)
    items[:] = chosen


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(
    item: pytest.Item, nextitem: pytest.Item | None
) -> Generator[None, None, None]:
    recorder = _RECORDER
    if recorder is None:
        yield
        return
    recorder.write({"kind": "start", "id": item.nodeid})
    before = None
    if recorder.state_root:
        from auditor.flaky import snapshot

        before = snapshot.take(recorder.state_root)
    started = time.time()
    yield
    stopped = time.time()
    entry = recorder.entries.pop(item.nodeid, {"outcome": "passed", "duration": 0.0})
    entry.update({"kind": "test", "id": item.nodeid, "start": started, "stop": stopped})
    if recorder.worker:
        entry["worker"] = recorder.worker
    if before is not None:
        from auditor.flaky import snapshot

        after = snapshot.take(recorder.state_root)
        entry["before"] = {key: list(value) for key, value in before.items()}
        entry["changes"] = snapshot.changed(before, after)
    recorder.write(entry)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if _RECORDER is not None:
        _RECORDER.report(report)


def pytest_collectreport(report: pytest.CollectReport) -> None:
    if _RECORDER is not None and report.failed:
        _RECORDER.write(
            {"kind": "collect_error", "id": report.nodeid, "message": _short(report.longreprtext)}
        )


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _RECORDER is not None:
        _RECORDER.write({"kind": "done", "exitstatus": int(exitstatus)})
