"""Where the mutants run: this machine ("local", default) or a Dask cluster ("dask").

`choose(project, options)` resolves `--executor` / `--scheduler` over `[tool.auditor.mutation]
executor` / `scheduler` (flags win) and Dask's own `scheduler-address` setting
(`DASK_SCHEDULER_ADDRESS`); `check(project, options)` runs before the first stage, so a scan with
a bad choice stops in seconds with exit 2 instead of after the coverage run:

- an executor other than "local"/"dask";
- `scheduler` without the Dask executor;
- the Dask executor with `runner = "mutmut"` (mutmut's own loop cannot run on Dask);
- dask.distributed not installed (the message names `pip install 'auditor[dask]'`);
- a scheduler that cannot be reached within `dask_runner.CONNECT_TIMEOUT` seconds.

Nothing here imports Dask unless the Dask executor was chosen.
"""

from __future__ import annotations

from dataclasses import dataclass

from auditor.errors import UsageError
from auditor.options import Options
from auditor.project import Project

EXECUTORS = ("local", "dask")


@dataclass(frozen=True)
class ExecutorChoice:
    """`kind` is "local" or "dask"; `scheduler` the Dask scheduler (None: a LocalCluster)."""

    kind: str = "local"
    scheduler: str | None = None

    @property
    def distributed(self) -> bool:
        return self.kind == "dask"


def choose(project: Project, options: Options) -> ExecutorChoice:
    """The executor this scan uses; UsageError for an unknown or contradictory choice."""
    config = project.config.mutation
    kind = options.executor or config.executor or "local"
    if kind not in EXECUTORS:
        raise UsageError(
            f"Unknown executor {kind!r}: use `--executor local` (this machine, the default) or "
            f"`--executor dask` (a Dask cluster)."
        )
    scheduler = options.scheduler or config.scheduler or None
    if kind != "dask":
        if scheduler:
            raise UsageError(
                f"A Dask scheduler ({scheduler}) was given but the executor is {kind!r}: add "
                f'`--executor dask` (or `executor = "dask"` under [tool.auditor.mutation]).'
            )
        return ExecutorChoice()
    if (config.runner or "auditor") == "mutmut":
        raise UsageError(
            'The Dask executor runs auditor\'s own runner; `runner = "mutmut"` under '
            "[tool.auditor.mutation] cannot run on Dask. Remove one of the two settings."
        )
    _require_dask()
    if not scheduler:
        import dask

        scheduler = dask.config.get("scheduler-address", None) or None
    return ExecutorChoice("dask", scheduler)


def check(project: Project, options: Options) -> ExecutorChoice:
    """`choose`, and for a remote scheduler a test connection (closed again): UsageError when
    it is not reachable within the connect timeout."""
    choice = choose(project, options)
    if choice.distributed and choice.scheduler:
        from auditor.mutation.dask_runner import connect
        from auditor.mutation.runner import RunnerError

        try:
            connect(choice.scheduler).close()
        except RunnerError as exc:
            raise UsageError(str(exc)) from None
    return choice


def _require_dask() -> None:
    from auditor.mutation.dask_runner import require_dask
    from auditor.mutation.runner import RunnerError

    try:
        require_dask()
    except RunnerError as exc:
        raise UsageError(str(exc)) from None
