"""A fork server for the many small runs of the analysis (probes and verifications).

Starting Python, pytest and its plugins (Hypothesis alone takes about a second) dominates a run of
two tests. The zygote is one child process that has imported pytest, its internal modules, the
installed pytest plugins (entry points `pytest11`) and our plugin, and nothing of the project; for each run it forks, and the fork sets the run's
environment, working directory and argv, reseeds `random` and calls `pytest.main` — a fresh
process as far as the project can tell, except that every fork shares the zygote's hash seed
(`PYTHONHASHSEED`). That is why only the analysis uses it: the suite runs that look for
non-determinism (baseline, reruns, orders, xdist) always start a new interpreter.

Protocol (JSON lines): the runner writes `{"argv", "env", "cwd", "log"}`; the zygote answers
`{"pid"}` when the fork started and `{"pid", "exit"}` when it ended. POSIX only: where `fork` is
missing the runner starts plain processes.
"""

from __future__ import annotations

import json
import os
import random
import sys
from typing import Any

PRELOAD = ("pytest", "_pytest.config", "_pytest.main", "_pytest.python", "_pytest.fixtures")
# imported lazily by their pytest plugins in every run (Hypothesis' terminal summary)
HEAVY = ("hypothesis",)
# preloaded plugin modules cannot be assertion-rewritten any more; pytest warns about each one
QUIET = ["-W", "ignore::pytest.PytestAssertRewriteWarning"]


def _child(request: dict[str, Any]) -> None:  # pragma: no cover - runs in the forked process
    os.setsid()
    log = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.close(log)
    os.environ.clear()
    os.environ.update(request["env"])
    os.chdir(request["cwd"])
    random.seed()
    sys.dont_write_bytecode = True
    argv = [*request["argv"], *QUIET]
    sys.argv = ["pytest", *argv]
    code = 1
    try:
        import pytest

        code = int(pytest.main(argv))
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def serve() -> None:  # pragma: no cover - exercised through runner.Zygote in a subprocess
    """Read requests from stdin, fork one pytest run per request, report pid and exit code."""
    import importlib
    from importlib import metadata

    for name in PRELOAD:
        importlib.import_module(name)
    importlib.import_module("auditor.flaky.plugin")
    for entry in metadata.entry_points(group="pytest11"):
        # installed pytest plugins (Hypothesis' alone takes about a second to import)
        try:
            importlib.import_module(entry.module)
        except Exception:  # pytest will report it in the run itself, as it would anyway
            continue
    for name in HEAVY:
        try:
            importlib.import_module(name)
        except ImportError:
            continue
    out = sys.stdout
    print(json.dumps({"ready": True}), file=out, flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            _child(request)
        print(json.dumps({"pid": pid}), file=out, flush=True)
        _pid, status = os.waitpid(pid, 0)
        code = os.waitstatus_to_exitcode(status)
        print(json.dumps({"pid": pid, "exit": code}), file=out, flush=True)


if __name__ == "__main__":  # pragma: no cover
    serve()
