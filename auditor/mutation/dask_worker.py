"""Worker side of the Dask executor: the shipped workspace, one warm session per worker, batches.

Imported by Dask workers (and by the scan that starts them, to register the plugin); never
imported unless the Dask executor was asked for. Workers need the project's environment: the
same Python, the project and its test dependencies, and auditor (docs/distributed.md).

- `WorkspacePlugin` carries one packed workspace (`ship.Package`). The scheduler keeps it and
  hands it to every worker, also to workers that join or are restarted later. Nothing happens at
  setup: the first batch on a worker unpacks it into the worker's cache
  (`<cache>/<digest>/mutants/`, shared by the worker processes of one machine), so a broken
  cache directory is reported by the batch that needed it, with the worker's name.
- `run_batch(task, jobs)` is the Dask task: it finds (or starts) the worker's warm session for
  this workspace and runs the jobs in it (`shared_session.SharedSession`, so all of a worker's
  threads share one session with `jobs = nthreads`). It returns a `BatchResult`: the outcomes as
  plain dicts (the client re-attaches its own `Job` objects), the session's `Ready` (the client
  checks that every worker collected the same suite), and what the batch cost.
- Removing the plugin (`client.unregister_worker_plugin`, at the end of a scan) closes the
  sessions of its workspace on every worker.
"""

from __future__ import annotations

import dataclasses
import os
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from distributed import get_worker
from distributed.diagnostics.plugin import WorkerPlugin

from auditor.mutation import ship
from auditor.mutation.runner import Job, RunnerError, RunnerSpec
from auditor.mutation.shared_session import SharedSession

PLUGIN_PREFIX = "auditor-workspace-"


class WorkspacePlugin(WorkerPlugin):  # type: ignore[misc,unused-ignore]  # Any without dask
    """One packed workspace, delivered by the scheduler to every worker (see module docstring)."""

    def __init__(self, digest: str, data: bytes) -> None:
        self.digest = digest
        self.data = data
        # one name per scan: two scans of the same workspace at once keep separate sessions,
        # and the first to finish does not remove the other's plugin
        self.name = f"{PLUGIN_PREFIX}{digest[:16]}-{uuid.uuid4().hex[:8]}"

    def setup(self, worker: Any) -> None:
        """Nothing: the first batch unpacks (its errors then reach the scan)."""

    def teardown(self, worker: Any) -> None:
        """The scan is over: close its sessions on this worker."""
        close_sessions(self.name)


@dataclass(frozen=True)
class WorkerTask:
    """What every batch carries besides its jobs (small; the workspace travels in the plugin).

    `env` is set and `unset` removed on top of the worker's own environment (the scan's
    `pytest_command.child_env` choices, never the scan machine's paths); `hypothesis_dir` is the
    Hypothesis database directory to use ("" = one per workspace in the worker's cache).
    """

    plugin: str
    digest: str
    pytest_args: list[str]
    selection: list[str]
    env: dict[str, str] = field(default_factory=dict)
    unset: list[str] = field(default_factory=list)
    hypothesis_dir: str = ""


@dataclass
class BatchResult:
    """One batch's outcomes (`runner.Outcome` fields without the job, in the jobs' order) and
    where and how it ran. Seconds are wall-clock seconds measured on the worker."""

    worker: str
    host: str
    outcomes: list[dict[str, Any]]
    collected: int
    import_time: list[str]
    startup_seconds: float
    unpacked: bool  # this batch unpacked the workspace on the worker
    session_started: bool  # this batch started the worker's session
    seconds: float  # the whole task, unpacking and session start included


_SESSIONS: dict[tuple[str, str], SharedSession] = {}  # (plugin name, task) -> session
_LOCK = threading.Lock()


def close_sessions(plugin: str | None = None) -> int:
    """Close the sessions of one scan (its plugin name; all when None) in this process; how
    many were closed."""
    with _LOCK:
        keys = [k for k in _SESSIONS if plugin is None or k[0] == plugin]
        sessions = [_SESSIONS.pop(k) for k in keys]
    for session in sessions:
        session.close()
    return len(sessions)


def _cache() -> Path:
    import dask

    return ship.default_cache(dask.config.get("temporary-directory", None))


def _environment(task: WorkerTask, root: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in task.unset}
    env.update(task.env)
    if task.hypothesis_dir:
        env["HYPOTHESIS_STORAGE_DIRECTORY"] = task.hypothesis_dir
    else:
        env.setdefault("HYPOTHESIS_STORAGE_DIRECTORY", str(root / "hypothesis"))
    return env


def _session(task: WorkerTask, worker: Any) -> tuple[SharedSession, bool, bool]:
    """This worker's session for the task's workspace (started here if needed), whether this
    call unpacked the workspace, and whether it started the session."""
    plugin = worker.plugins.get(task.plugin)
    if plugin is None:
        raise RunnerError(
            f"the workspace {task.digest[:12]} is not registered on Dask worker {worker.address} "
            f"(the scan that shipped it has ended)"
        )
    mutants, unpacked = ship.unpack(task.digest, plugin.data, _cache())
    key = (task.plugin, repr(dataclasses.astuple(task)))
    with _LOCK:
        session = _SESSIONS.get(key)
        if session is None or session.broken is not None:
            spec = RunnerSpec(
                mutants=mutants,
                pytest_args=list(task.pytest_args),
                selection=list(task.selection),
                jobs=max(1, int(worker.state.nthreads)),
                log_dir=mutants.parent / "logs" / f"worker-{os.getpid()}",
                env=_environment(task, mutants.parent),
            )
            session = _SESSIONS[key] = SharedSession(spec)
    started = not session.runner.ready.seconds
    return session, unpacked, started


def run_batch(task: WorkerTask, jobs: list[Job]) -> BatchResult:
    """The Dask task: run `jobs` in this worker's warm session (see the module docstring).

    An empty `jobs` only prepares the worker (unpack, start the session) and reports its `Ready`.
    Raises RunnerError, naming the worker, when the session cannot start or dies.
    """
    began = time.perf_counter()
    worker = get_worker()
    try:
        session, unpacked, started = _session(task, worker)
        ready = session.start()
        outcomes = session.run(jobs) if jobs else []
    except RunnerError as exc:
        raise RunnerError(f"on Dask worker {worker.address}: {exc}") from None
    except (OSError, ValueError) as exc:  # the worker's cache directory, a damaged archive
        raise RunnerError(
            f"on Dask worker {worker.address}: could not unpack the workspace into {_cache()}: "
            f"{exc}"
        ) from None
    return BatchResult(
        worker=str(worker.address),
        host=os.uname().nodename,
        outcomes=[_fields(o) for o in outcomes],
        collected=ready.collected,
        import_time=sorted(ready.import_time),
        startup_seconds=ready.seconds,
        unpacked=unpacked,
        session_started=started,
        seconds=round(time.perf_counter() - began, 4),
    )


def _fields(outcome: Any) -> dict[str, Any]:
    data = {f.name: getattr(outcome, f.name) for f in dataclasses.fields(outcome)}
    data.pop("job")
    return data
