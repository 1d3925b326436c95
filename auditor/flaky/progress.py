"""A rich progress bar with ETA for the flakiness runs, counted in test executions (like the
mutation stage's bar; nothing is printed without a console)."""

from __future__ import annotations

from types import TracebackType
from typing import Any


class RichProgress:
    """`plan(n)` grows the total, `advance(n, label)` moves the bar; a context manager."""

    def __init__(self, console: Any) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        columns = (
            TextColumn("flaky: {task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("test runs"),
            TimeRemainingColumn(),
        )
        self._progress = Progress(*columns, console=console, transient=True)
        self._task = self._progress.add_task("baseline", total=None)
        self._total = 0

    def __enter__(self) -> RichProgress:
        self._progress.__enter__()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._progress.__exit__(kind, value, tb)

    def plan(self, executions: int) -> None:
        self._total += executions
        self._progress.update(self._task, total=self._total)

    def advance(self, executions: int, label: str) -> None:
        if self._total == 0:  # the baseline: its size is known only now
            self.plan(executions)
        self._progress.update(self._task, advance=executions, description=label)
