"""User-facing errors and the exit codes documented in README.md ("Exit codes").

Every error carries one paragraph that says what happened, why it matters and the exact fix; the CLI
prints it without a traceback and exits with the error's code. Anything else that escapes is a bug
in auditor: it exits EXIT_INTERNAL with `internal_error_message` (never 1, the missed-gate code), and
the traceback only with `--verbose` or `AUDITOR_DEBUG=1`.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_GATE_FAILED = 1
EXIT_USAGE = 2
EXIT_TOOL = 3
EXIT_INTERNAL = 4
EXIT_INTERRUPTED = 130  # Ctrl-C (SIGINT); SIGTERM exits 143 and SIGHUP 129 (128 + signal number)

DEBUG_ENV = "AUDITOR_DEBUG"


def internal_error_message(exc: BaseException, command: str) -> str:
    """The paragraph printed for an unexpected exception: what happened and what to report."""
    detail = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else ""
    what = f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
    return (
        f"internal error ({what}) while running `auditor {command}`. This is a bug in auditor, "
        f"not a problem with your tests, and no quality gate was evaluated. Please report it to "
        f"the auditor issue tracker with the command line, `auditor --version`, your Python "
        f"version and the traceback (run again with --verbose or {DEBUG_ENV}=1 to print it). "
        f"Finished results are kept under the state directory (.auditor/ by default)."
    )


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
