"""User-facing errors and the exit codes documented in README.md ("Exit codes").

Every error carries one paragraph that says what happened, why it matters and the exact fix; the CLI
prints it without a traceback and exits with the error's code.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_GATE_FAILED = 1
EXIT_USAGE = 2
EXIT_TOOL = 3


class AuditorError(Exception):
    """Base class: `exit_code` is what the CLI returns."""

    exit_code = EXIT_USAGE

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UsageError(AuditorError):
    """A bad path, flag or argument (exit 2)."""

    exit_code = EXIT_USAGE


class ConfigError(AuditorError):
    """A broken `[tool.auditor]` key or value (exit 2)."""

    exit_code = EXIT_USAGE


class ToolError(AuditorError):
    """The project's own tests fail, or an engine could not run (exit 3)."""

    exit_code = EXIT_TOOL


class StageFailed(ToolError):
    """A stage could not produce results (e.g. the project's own tests fail): exit 3.

    The scan stops the stages that depend on the failed one and keeps everything already found.
    """
