"""One warm runner shared by the threads of one process (a Dask worker runs several tasks at once).

A Dask worker with `nthreads = N` runs up to N batch tasks at the same time, and each should not
start a pytest session of its own: `SharedSession` owns one `WarmRunner` (started with `jobs = N`,
so up to N mutants run at once in forks of one warm session) and lets any number of threads
hand it batches. `run(jobs)` blocks until every job of the caller's batch has an outcome.

How the threads share it: jobs go into one queue (renamed with a private token, so two batches may
hold the same job id); whichever thread holds the `drive` lock feeds the runner from the queue
and files each outcome under its token. A thread drives only while some of its own jobs are still
queued, so it returns soon after its batch is done and never serves others forever; the next
waiting thread takes over. If the runner dies (`RunnerError`), every waiting thread gets the error
and the session is marked broken (the caller starts a new one).
"""

from __future__ import annotations

import itertools
import threading
from collections import deque
from dataclasses import replace

from auditor.mutation.runner import Job, Outcome, Ready, RunnerError, RunnerSpec, WarmRunner

POLL_SECONDS = 0.05  # how often a waiting thread checks whether its jobs are done


class SharedSession:
    """A `WarmRunner` usable from many threads; see the module docstring."""

    def __init__(self, spec: RunnerSpec) -> None:
        self.spec = spec
        self.runner = WarmRunner(spec)
        self.broken: RunnerError | None = None
        self._started = False
        self._closed = False
        self._start_lock = threading.Lock()
        self._drive = threading.Lock()
        self._mutex = threading.Lock()
        self._queue: deque[Job] = deque()
        self._done: dict[str, Outcome] = {}
        self._tokens = itertools.count()

    def start(self) -> Ready:
        """Start the session once (later callers wait for the first); RunnerError on failure."""
        with self._start_lock:
            if self.broken is not None:
                raise self.broken
            if not self._started:
                try:
                    self.runner.start()
                except RunnerError as exc:
                    self.broken = exc
                    raise
                self._started = True
        return self.runner.ready

    def run(self, jobs: list[Job]) -> list[Outcome]:
        """Outcomes of `jobs`, in their order (blocks; other threads' batches run meanwhile)."""
        self.start()
        mine: dict[str, Job] = {}
        with self._mutex:
            for job in jobs:
                token = f"s{next(self._tokens)}"
                mine[token] = job
                self._queue.append(replace(job, id=token))
        while True:
            with self._mutex:
                if self.broken is not None:
                    raise RunnerError(str(self.broken))
                if all(token in self._done for token in mine):
                    return [replace(self._done.pop(t), job=job) for t, job in mine.items()]
            if not self._drive.acquire(timeout=POLL_SECONDS):
                continue
            try:
                self._drive_while_queued(set(mine))
            except RunnerError as exc:
                with self._mutex:
                    self.broken = exc
                raise
            finally:
                self._drive.release()

    def _drive_while_queued(self, mine: set[str]) -> None:
        def next_job() -> Job | None:
            with self._mutex:
                if self._closed or not any(job.id in mine for job in self._queue):
                    return None  # nothing of ours waits: finish what runs, then hand over
                return self._queue.popleft()

        for outcome in self.runner.run(next_job):
            with self._mutex:
                self._done[outcome.job.id] = outcome

    def close(self) -> None:
        """Stop the session (running tests are terminated); waiting threads get RunnerError."""
        with self._mutex:
            self._closed = True
            if self.broken is None:
                self.broken = RunnerError("the worker's test session was closed")
        self.runner.close()
