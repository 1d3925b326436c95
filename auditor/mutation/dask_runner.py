"""The Dask executor, scan side: the same interface as `WarmRunner`, jobs run on a Dask cluster.

`DaskRunner(spec, settings)` is what `Campaign` drives instead of a local `WarmRunner`:
`start()` returns the `Ready` of a worker's session, `run(next_job)` yields an `Outcome` per job
as results come back, `close()` ends everything. Verdicts, re-checks and recording stay in
`Campaign`, so results land in the same result store as a local run (Ctrl-C, resume, `--shard`,
`--diff` and the timeout/kill re-checks work unchanged).

- **Cluster.** `settings.scheduler` is the scheduler's address (`tcp://host:8786`, or a scheduler
  file written by `dask scheduler --scheduler-file`); without one, a `LocalCluster` of
  `settings.local_workers` worker processes with one thread each is started here and stopped
  at the end.
- **Shipping.** The workspace's `mutants/` dir is packed once (`ship.pack`: tar.gz named by its
  content hash) and registered as a worker plugin: the scheduler hands it to each worker once,
  also to workers that join later, and the worker unpacks it once into a cache keyed by the hash.
- **Batches.** Jobs are taken from `next_job()` lazily, a few at a time (`batch_size`, smaller
  when there are few jobs per worker thread), and about two batches per worker thread are in
  flight; Dask's scheduler gives each batch to a free worker (dynamic load balancing: a fast worker
  simply takes more batches). Each worker runs its batches in its one warm session.
  Results stream back with `as_completed`. A timeout re-check runs on the worker that measured
  the timeout when it is still there (the same session, like a local run).
- **Lost workers.** When a worker dies, Dask's scheduler runs its unfinished batches again on
  other workers (up to `distributed.scheduler.allowed-failures` times, default 3); results
  already received are kept, nothing is run twice. A batch that still fails that way is split
  into single jobs; a single job that kills its workers every time is an `error` outcome.
- **Consistency.** Every worker reports the number of tests its session collected and the
  functions run at import time; a worker that differs from the first stops the scan (its
  environment differs: verdicts would not be comparable).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import os
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import CancelledError
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditor.mutation import ship
from auditor.mutation.runner import STARTUP_LIMIT, Job, Outcome, Ready, RunnerError, RunnerSpec

INSTALL_HINT = "pip install 'auditor[dask]'"
CONNECT_TIMEOUT = 10.0  # seconds to reach the scheduler
HANDSHAKE_GRACE = 5.0  # seconds on top for its handshake (see `connect`)
WORKER_WAIT = 120.0  # seconds to wait for the first worker of an empty cluster
WARMUP_LIMIT = STARTUP_LIMIT + 60.0  # unpack + collect on the first worker
MAX_BATCH = 8  # jobs per batch at most
BATCHES_PER_THREAD = 4  # smaller batches when there are fewer jobs than this many per thread
INFLIGHT_PER_THREAD = 2  # batches submitted per worker thread (the rest wait in next_job)
PINNED_TAGS = ("timeout-check", "rerun")  # re-checks run on the worker that measured the timeout
LOCAL_ONLY_ENV = ("PYTHONPATH", "MUTANT_UNDER_TEST", "HYPOTHESIS_STORAGE_DIRECTORY")


@dataclass
class DaskSettings:
    """How to reach the cluster. `scheduler` None: a LocalCluster of `local_workers` processes.
    `expected_jobs` (if known) sizes the batches so every worker thread gets several."""

    scheduler: str | None = None
    local_workers: int = 2
    expected_jobs: int = 0
    batch_size: int = MAX_BATCH
    connect_timeout: float | None = None  # None: CONNECT_TIMEOUT
    worker_wait: float = WORKER_WAIT


@dataclass
class DaskStats:
    """What the executor did (reported in the stage's notes and by the benchmark)."""

    address: str = ""
    workers: set[str] = field(default_factory=set)  # workers that returned a batch
    batches: int = 0  # batches whose results arrived
    jobs: int = 0
    lost_batches: int = 0  # batches split after Dask gave up rescheduling them
    unpacked: int = 0  # workers that unpacked the workspace (0: all had it cached)
    package_bytes: int = 0
    threads: int = 0  # worker threads when the run started
    cluster_seconds: float = 0.0  # connecting (or starting the LocalCluster) until a worker is up
    package_seconds: float = 0.0  # packing the workspace
    warmup_seconds: float = 0.0  # shipping + the first worker's session start (until `ready`)
    session_start_seconds: float = 0.0  # sum over workers: collecting the suite
    round_trip_seconds: float = 0.0  # sum over batches: submit to result
    worker_seconds: float = 0.0  # sum over batches: the task on the worker
    job_seconds: float = 0.0  # sum over jobs: each job's own wall time
    overhead_seconds: float = 0.0  # sum over batches: task time - its jobs - a session start


def require_dask() -> None:
    """RunnerError naming the install command when `dask.distributed` is missing."""
    try:
        import distributed  # noqa: F401
    except ImportError as exc:
        raise RunnerError(
            f"the Dask executor needs dask.distributed, which is not installed ({exc}). "
            f"Install it with `{INSTALL_HINT}`."
        ) from None


def connect(scheduler: str, timeout: float | None = None) -> Any:
    """A `distributed.Client` for `scheduler` (an address, or a scheduler file ending in .json).

    Raises RunnerError within about `timeout` seconds (default CONNECT_TIMEOUT) when it cannot
    be reached. Dask's own timeout covers opening the connection but not its handshake: a port
    that accepts and never answers (an HTTP server, e.g. the dashboard's) would block forever,
    so the attempt runs in a helper thread that is abandoned after the timeout.
    """
    timeout = CONNECT_TIMEOUT if timeout is None else timeout
    require_dask()
    client_class = _distributed().Client
    if scheduler.endswith(".json") and "://" not in scheduler:
        if not Path(scheduler).is_file():
            raise RunnerError(f"the Dask scheduler file {scheduler} does not exist")
        kwargs: dict[str, Any] = {"scheduler_file": scheduler, "timeout": timeout}
    else:
        kwargs = {"address": scheduler, "timeout": timeout}
    box: dict[str, Any] = {}

    def attempt() -> None:
        try:
            box["client"] = client_class(**kwargs)
        except Exception as exc:  # OSError, TimeoutError, ValueError; MemoryError: not Dask
            box["error"] = exc

    thread = threading.Thread(target=attempt, name="auditor-dask-connect", daemon=True)
    thread.start()
    thread.join(timeout + HANDSHAKE_GRACE)
    hint = (
        "Check the address (e.g. tcp://HOST:8786, not the dashboard's port) and that the "
        "scheduler is running and reachable from this machine."
    )
    if "client" in box:
        return box["client"]
    if "error" in box:
        exc = box["error"]
        raise RunnerError(
            f"could not connect to the Dask scheduler at {scheduler} within {timeout:.0f} s "
            f"({type(exc).__name__}: {exc}). {hint}"
        )
    raise RunnerError(
        f"{scheduler} accepted the connection but did not answer like a Dask scheduler within "
        f"{timeout + HANDSHAKE_GRACE:.0f} s. {hint}"
    )


def quiet_dask_logs() -> Callable[[], None]:
    """Silence Dask's own loggers in the scan's process; returns the function that restores them.

    When the scheduler goes away, Dask's client logs its reconnect attempts with tracebacks on
    stderr; the scan reports the problem itself in one paragraph (and keeps its results), so the
    `distributed` loggers are set to CRITICAL for the run. `AUDITOR_DEBUG=1` keeps them.
    """
    if os.environ.get("AUDITOR_DEBUG"):
        return lambda: None
    manager = logging.Logger.manager
    names = ["distributed", *(n for n in list(manager.loggerDict) if n.startswith("distributed."))]
    loggers = [logging.getLogger(name) for name in names]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL)

    def restore() -> None:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)

    return restore


def env_delta(base: dict[str, str], local: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """What the scan's runner environment `base` changes in this machine's environment `local`:
    (variables to set, variables to remove), without the ones that name this machine's paths."""
    changed = {k: v for k, v in base.items() if local.get(k) != v and k not in LOCAL_ONLY_ENV}
    removed = sorted(k for k in local if k not in base and k not in LOCAL_ONLY_ENV)
    return changed, removed


@dataclass
class _Batch:
    jobs: list[Job]
    submitted: float
    split: bool = False  # already a single job split out of a lost batch


class DaskRunner:
    """`WarmRunner`'s interface on a Dask cluster (see the module docstring)."""

    def __init__(self, spec: RunnerSpec, settings: DaskSettings) -> None:
        self.spec = spec
        self.settings = settings
        self.ready = Ready(0, set(), 0.0)
        self.stats = DaskStats()
        self._client: Any = None
        self._cluster: Any = None
        self._plugin: str = ""
        self._task: Any = None
        self._ac: Any = None
        self._batches: dict[str, _Batch] = {}
        self._futures: dict[str, Any] = {}
        self._warmups: dict[str, Any] = {}
        self._where: dict[str, str] = {}  # job id -> worker that ran it last
        self._first: tuple[str, int, list[str]] | None = None  # worker, collected, import_time
        self._threads = (-math.inf, 1)  # (checked at, total worker threads)
        self._restore_logs: Callable[[], None] = lambda: None

    def __enter__(self) -> DaskRunner:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- start ---------------------------------------------------------------------------------

    def start(self) -> Ready:
        """Connect (or start a LocalCluster), ship the workspace, wait for a worker's session."""
        require_dask()
        try:
            self._start()
        except BaseException:
            self.close()
            raise
        return self.ready

    def _start(self) -> None:
        dist = _distributed()
        from auditor.mutation.dask_worker import WorkerTask, WorkspacePlugin

        began = time.perf_counter()
        self._restore_logs = quiet_dask_logs()
        self._client = self._connect()
        try:
            self._client.wait_for_workers(1, timeout=self.settings.worker_wait)
        except (TimeoutError, asyncio.TimeoutError, OSError) as exc:
            raise RunnerError(
                f"the Dask scheduler at {self.stats.address} has no worker after "
                f"{self.settings.worker_wait:.0f} s ({exc}): start workers with "
                f"`dask worker {self.stats.address}`"
            ) from None
        started = time.perf_counter()
        self.stats.cluster_seconds = round(started - began, 4)
        self.stats.threads = self._total_threads()
        package = ship.pack(self.spec.mutants)
        self.stats.package_seconds = round(time.perf_counter() - started, 4)
        self.stats.package_bytes = len(package.data)
        plugin = WorkspacePlugin(package.digest, package.data)
        self._client.register_plugin(plugin, name=plugin.name)
        self._plugin = plugin.name
        changed, removed = env_delta(dict(self.spec.env or os.environ), dict(os.environ))
        hypothesis = (self.spec.env or {}).get("HYPOTHESIS_STORAGE_DIRECTORY", "")
        self._task = WorkerTask(
            plugin=plugin.name,
            digest=package.digest,
            pytest_args=list(self.spec.pytest_args),
            selection=list(self.spec.selection),
            env=changed,
            unset=removed,
            hypothesis_dir=hypothesis if self._cluster is not None else "",  # same machine
        )
        self._ac = dist.as_completed()

        for address in sorted(self._client.scheduler_info()["workers"]):
            future = self._client.submit(
                _run_batch(),
                self._task,
                [],
                key=f"auditor-warmup-{uuid.uuid4().hex}",
                workers=[address],
                allow_other_workers=False,
                pure=False,
            )
            self._warmups[future.key] = future
        try:
            done, _ = dist.wait(
                list(self._warmups.values()), timeout=WARMUP_LIMIT, return_when="FIRST_COMPLETED"
            )
        except (TimeoutError, asyncio.TimeoutError):
            raise RunnerError(
                f"no Dask worker at {self.stats.address} started the test session within "
                f"{WARMUP_LIMIT:.0f} s"
            ) from None
        first = next(iter(done))
        self._absorb(self._warmups.pop(first.key))
        self.stats.warmup_seconds = round(time.perf_counter() - started, 4)
        for future in self._warmups.values():
            self._ac.add(future)

    def _connect(self) -> Any:
        dist = _distributed()
        if self.settings.scheduler:
            client = connect(self.settings.scheduler, self.settings.connect_timeout)
            self.stats.address = str(client.scheduler.address)
            return client
        self._cluster = dist.LocalCluster(
            n_workers=max(1, self.settings.local_workers),
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            memory_limit=0,  # like a local run: no memory limit of Dask's own
            silence_logs=logging.ERROR,
        )
        self.stats.address = str(self._cluster.scheduler_address)
        return dist.Client(self._cluster)

    # --- results -------------------------------------------------------------------------------

    def _absorb(self, future: Any) -> Any:
        """The BatchResult of a finished future (RunnerError when its task failed); checks the
        worker's session against the first one seen."""
        result = future.result()
        collected, import_time = int(result.collected), list(result.import_time)
        if self._first is None:
            self._first = (result.worker, collected, import_time)
            self.ready = Ready(collected, set(import_time), float(result.startup_seconds))
        elif (collected, import_time) != self._first[1:]:
            worker, first_collected, first_import = self._first
            raise RunnerError(
                f"the Dask workers' environments differ: {worker} collected {first_collected} "
                f"tests ({len(first_import)} functions run at import), {result.worker} collected "
                f"{collected} ({len(import_time)}). Every worker needs the same Python, the "
                f"project and its test dependencies (docs/distributed.md)."
            )
        self.stats.unpacked += int(bool(result.unpacked))
        if result.session_started:
            self.stats.session_start_seconds += float(result.startup_seconds)
        return result

    def _collect(self, future: Any) -> list[Outcome]:
        from distributed import KilledWorker

        key = future.key
        if key in self._warmups:
            self._absorb(self._warmups.pop(key))
            return []
        batch = self._batches.pop(key)
        self._futures.pop(key, None)
        try:
            result = self._absorb(future)
        except KilledWorker as exc:
            return self._lost(batch, exc)
        except RunnerError:
            raise
        except (Exception, asyncio.CancelledError) as exc:
            if future.cancelled() or isinstance(exc, (asyncio.CancelledError, CancelledError)):
                raise RunnerError(
                    f"the Dask scheduler at {self.stats.address} cancelled a batch (lost the "
                    f"connection?). Finished results are kept; run the same command to resume."
                ) from None
            raise RunnerError(
                f"a batch failed on a Dask worker: {type(exc).__name__}: {exc}"
            ) from None
        finally:
            future.release()
        self.stats.batches += 1
        self.stats.jobs += len(batch.jobs)
        self.stats.workers.add(result.worker)
        self.stats.round_trip_seconds += time.perf_counter() - batch.submitted
        self.stats.worker_seconds += float(result.seconds)
        outcomes = [
            Outcome(job=job, **data) for job, data in zip(batch.jobs, result.outcomes, strict=True)
        ]
        jobs_seconds = sum(o.seconds for o in outcomes)
        self.stats.job_seconds += jobs_seconds
        start = float(result.startup_seconds) if result.session_started else 0.0
        self.stats.overhead_seconds += max(0.0, float(result.seconds) - jobs_seconds - start)
        for outcome in outcomes:
            self._where[outcome.job.id] = result.worker
        return outcomes

    def _lost(self, batch: _Batch, exc: Exception) -> list[Outcome]:
        """Dask gave up on a batch whose workers kept dying: split it, or give up on one job."""
        self.stats.lost_batches += 1
        if len(batch.jobs) > 1 or not batch.split:
            for job in batch.jobs:
                self._submit([job], split=True)
            return []
        return [
            Outcome(
                job=batch.jobs[0],
                exit=None,
                error=(
                    f"every Dask worker that ran this mutant died ({exc}); it was run again "
                    f"as often as distributed.scheduler.allowed-failures allows"
                ),
            )
        ]

    # --- submitting ----------------------------------------------------------------------------

    def _total_threads(self) -> int:
        checked, total = self._threads
        now = time.perf_counter()
        if now - checked > 5.0:
            with contextlib.suppress(Exception):
                total = max(1, sum(self._client.nthreads().values()))
            self._threads = (now, total)
        return total

    def _batch_size(self) -> int:
        expected = self.settings.expected_jobs
        if expected <= 0:
            return max(1, self.settings.batch_size)
        per_thread = expected / (self._total_threads() * BATCHES_PER_THREAD)
        return max(1, min(self.settings.batch_size, math.ceil(per_thread)))

    def _submit(self, jobs: list[Job], *, split: bool = False) -> None:
        where = self._where.get(jobs[0].id) if jobs[0].tag in PINNED_TAGS else None
        placement: dict[str, Any] = (
            {"workers": [where], "allow_other_workers": True} if where else {}
        )
        future = self._client.submit(
            _run_batch(),
            self._task,
            jobs,
            key=f"auditor-batch-{uuid.uuid4().hex}",
            pure=False,
            **placement,
        )
        self._batches[future.key] = _Batch(jobs, time.perf_counter(), split)
        self._futures[future.key] = future
        self._ac.add(future)

    def run(self, next_job: Callable[[], Job | None]) -> Iterator[Outcome]:
        """Submit batches as results come back; yield each job's outcome (see module doc)."""
        held: deque[Job] = deque()

        def take() -> Job | None:
            return held.popleft() if held else next_job()

        exhausted = False
        while True:
            limit = INFLIGHT_PER_THREAD * self._total_threads()
            while not exhausted and len(self._batches) < limit:
                batch: list[Job] = []
                size = self._batch_size()
                while len(batch) < size:
                    job = take()
                    if job is None:
                        exhausted = True
                        break
                    if job.tag in PINNED_TAGS:  # alone, on the worker that measured it
                        self._submit([job])
                        continue
                    batch.append(job)
                if batch:
                    self._submit(batch)
            if not self._batches:
                job = take()  # the consumer may have queued follow-ups meanwhile
                if job is None:
                    return
                held.append(job)
                exhausted = False
                continue
            future = next(self._ac)
            yield from self._collect(future)
            exhausted = False

    def close(self) -> None:
        """Cancel what is still queued, remove the workspace from the workers (their sessions
        close), and disconnect; a LocalCluster started here is shut down."""
        client, self._client = self._client, None
        if client is not None:
            with contextlib.suppress(Exception):
                pending = [*self._futures.values(), *self._warmups.values()]
                if pending:
                    client.cancel(pending)
            if self._plugin:
                with contextlib.suppress(Exception):
                    client.unregister_worker_plugin(self._plugin)
            with contextlib.suppress(Exception):
                client.close()
        self._futures.clear()
        self._warmups.clear()
        self._batches.clear()
        if self._cluster is not None:
            with contextlib.suppress(Exception):
                self._cluster.close()
            self._cluster = None
        self._restore_logs()
        self._restore_logs = lambda: None


def _distributed() -> Any:
    """The `distributed` module, untyped (its public functions have no annotations)."""
    import distributed

    return distributed


def _run_batch() -> Callable[..., Any]:
    from auditor.mutation.dask_worker import run_batch

    return run_batch
