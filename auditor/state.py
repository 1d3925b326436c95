"""Where auditor keeps its state, and how it reads and writes it without losing or running anything.

Location (`state_dir`): everything auditor remembers about a project (caches, the coverage map,
mutation workspaces, `history.jsonl`, the lock) lives in ONE directory:

1. `--cache-dir DIR` (the `cache_dir` argument), else
2. the `AUDITOR_CACHE_DIR` environment variable (like ruff's `RUFF_CACHE_DIR`), else
3. `<project root>/.auditor/` — except that when no project marker (pyproject.toml, setup.cfg,
   setup.py, pytest.ini, tox.ini) is found above the tests, the root auditor falls back to is the
   tests directory itself, and state would land *inside* `tests/`; it then goes next to the tests
   directory instead (`<parent of tests>/.auditor/`).

Writes are atomic (`atomic_write_text`/`atomic_write_json`: a temporary file in the same directory,
then `os.replace`), so a crash or a full disk never leaves half a file. `append_line` appends one
record with a single `write` on an `O_APPEND` descriptor and first terminates a truncated last line,
so a crash mid-append never swallows the next record.

Caches (`read_cache`/`write_cache`) are JSON envelopes `{"key": KEY, "data": DATA}` decoded by
msgspec against a declared type: the key is compared before the data is decoded, and a corrupt or
truncated file is deleted with a one-line warning (`warn`) so the caller recomputes it. Nothing read
from a cache can run code: there is no pickle anywhere; decoding builds only the declared types.

The project lock (`project_lock`) is a `filelock.FileLock` on `<state dir>/scan.lock`; a second
scan of the same project waits for it with a message, or refuses after `timeout` seconds.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

import msgspec

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: O_APPEND alone
    fcntl = None  # type: ignore[assignment]

from auditor.errors import ToolError, UsageError

ENV_VAR = "AUDITOR_CACHE_DIR"
DIR_NAME = ".auditor"
LOCK_FILE = "scan.lock"
PROJECT_MARKERS = ("pyproject.toml", "setup.cfg", "setup.py", "pytest.ini", "tox.ini")

T = TypeVar("T")

# -- warnings ---------------------------------------------------------------------------------
_seen_warnings: set[str] = set()


def _stderr_sink(message: str) -> None:
    print(f"auditor: warning: {message}", file=sys.stderr)


warning_sink: Callable[[str], None] = _stderr_sink
"""Where `warn` sends its one-line messages (the CLI may replace it; tests may capture it)."""


def warn(message: str) -> None:
    """Emit a one-line warning once per process (identical messages are not repeated)."""
    if message not in _seen_warnings:
        _seen_warnings.add(message)
        warning_sink(message)


# -- location ---------------------------------------------------------------------------------
def state_dir(
    root: Path, tests_dirs: Sequence[Path] = (), cache_dir: str | Path | None = None
) -> Path:
    """The absolute directory that holds all of a project's state (see the module docstring).

    `root` is the project root, `tests_dirs` the tests directories scanned (used only to keep the
    default location out of them), `cache_dir` an explicit `--cache-dir` (beats the environment).
    The directory is not created here.
    """
    explicit = cache_dir or os.environ.get(ENV_VAR)
    if explicit:
        return Path(explicit).expanduser().resolve()
    root = Path(root).resolve()
    if not any((root / marker).exists() for marker in PROJECT_MARKERS):
        for tests in tests_dirs:
            tests = Path(tests).resolve()
            tests_dir = tests if tests.is_dir() or not tests.exists() else tests.parent
            if root == tests_dir or tests_dir in root.parents:
                return tests_dir.parent / DIR_NAME
    return root / DIR_NAME


def unwritable_reason(directory: Path) -> str | None:
    """None when `directory` can be created and written, else the OS's reason (one line)."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=directory, prefix=".probe-"):
            pass
    except OSError as exc:
        return exc.strerror or str(exc)
    return None


def require_writable(directory: Path) -> None:
    """Raise `UsageError` naming `--cache-dir`/`AUDITOR_CACHE_DIR` when state cannot be written."""
    reason = unwritable_reason(directory)
    if reason is not None:
        raise UsageError(
            f"auditor keeps its state in {directory}, which cannot be written ({reason}). For a "
            f"read-only checkout put the state elsewhere: `--cache-dir DIR` or "
            f"{ENV_VAR}=DIR (e.g. a directory under /tmp). `--only static` runs without it."
        )


# -- atomic writes ----------------------------------------------------------------------------
def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write `data` to `path` atomically (temp file in the same directory + `os.replace`).

    Parent directories are created. Raises `OSError` when the directory cannot be written.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, 0o644)  # mkstemp's 0600 would hide state from the user's other tools
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    """`atomic_write_bytes` of UTF-8 text."""
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_json(path: Path, data: Any, *, indent: int | None = None) -> None:
    """`atomic_write_text` of `json.dumps(data, sort_keys=True)` (plain JSON types only)."""
    atomic_write_text(path, json.dumps(data, indent=indent, sort_keys=True))


def append_line(path: Path, line: str) -> None:
    """Append one record (`line` without its newline) to a line-oriented file, atomically.

    One `os.write` on an `O_APPEND` descriptor under an exclusive `flock`, so concurrent appenders
    never interleave; if the file's last line was cut short by a crash, it is terminated first so
    this record stays whole.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = line.rstrip("\n").encode("utf-8") + b"\n"
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        if fcntl is not None:  # other appenders wait while we look at the last byte
            fcntl.flock(fd, fcntl.LOCK_EX)
        size = os.fstat(fd).st_size
        if size:
            with path.open("rb") as fh:
                fh.seek(size - 1)
                if fh.read(1) != b"\n":
                    data = b"\n" + data
        os.write(fd, data)
    finally:
        os.close(fd)


# -- key-verified caches ----------------------------------------------------------------------
class _Envelope(msgspec.Struct):
    key: str
    data: msgspec.Raw


def _discard(path: Path, why: str) -> None:
    warn(f"discarded a corrupt cache file {path} ({why}); it is recomputed")
    with contextlib.suppress(OSError):
        path.unlink()


def read_cache(path: Path, key: str, kind: type[T] | Any) -> T | None:
    """The data cached at `path` under `key`, decoded as `kind` (e.g. `dict[str, FileFacts]`).

    None when the file is missing, holds another key (stale), or is corrupt (then it is deleted
    with a one-line warning). The key is compared before the data is decoded; decoding builds only
    the declared types (msgspec), so a planted file cannot run code.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        warn(f"cannot read cache file {path} ({exc.strerror}); it is recomputed")
        return None
    try:
        envelope = msgspec.json.decode(raw, type=_Envelope)
    except msgspec.DecodeError as exc:
        _discard(path, str(exc))
        return None
    if envelope.key != key:
        return None
    try:
        data: T = msgspec.json.decode(envelope.data, type=kind)
    except msgspec.DecodeError as exc:  # ValidationError is a DecodeError
        _discard(path, str(exc))
        return None
    return data


def write_cache(path: Path, key: str, data: Any) -> bool:
    """Store `data` (JSON-encodable by msgspec: dataclasses, dicts, lists, sets...) under `key`.

    Atomic. Returns False (with a one-line warning) when the file cannot be written: a cache that
    cannot be saved costs time on the next run, never the current run's results.
    """
    try:
        atomic_write_bytes(path, msgspec.json.encode({"key": key, "data": data}))
    except OSError as exc:
        warn(f"cannot write cache file {path} ({exc.strerror}); continuing without it")
        return False
    return True


def read_json(path: Path, what: str = "state file") -> Any | None:
    """Parsed JSON at `path`; None when missing, or when corrupt (deleted with a warning)."""
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        warn(f"cannot read {what} {path} ({exc.strerror}); it is recomputed")
        return None
    except UnicodeDecodeError as exc:
        _discard(path, f"not UTF-8: {exc.reason}")
        return None
    try:
        return json.loads(text)
    except ValueError as exc:
        _discard(path, str(exc))
        return None


# -- the project lock -------------------------------------------------------------------------
@contextlib.contextmanager
def project_lock(
    directory: Path,
    *,
    timeout: float | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> Iterator[None]:
    """Hold the lock of the project whose state is in `directory` for the duration of the block.

    When another process holds it, `on_wait` gets one message (who holds it, since when) and the
    call waits: forever when `timeout` is None, else up to `timeout` seconds and then raises
    `ToolError` with a clear message. The holder's pid and start time are in `scan.lock.info`.
    """
    from filelock import FileLock, Timeout

    directory.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(directory / LOCK_FILE))
    info = directory / (LOCK_FILE + ".info")
    try:
        lock.acquire(timeout=0)
    except Timeout:
        holder = _lock_holder(info)
        message = (
            f"another auditor scan of this project is running ({holder}); waiting for it to "
            f"finish (state directory {directory}; Ctrl-C to stop)"
        )
        if on_wait is not None:
            on_wait(message)
        try:
            lock.acquire(timeout=-1 if timeout is None else timeout)
        except Timeout:
            raise ToolError(
                f"another auditor scan of this project is still running ({holder}) after "
                f"{timeout:g}s, and two scans sharing {directory} would corrupt each other's "
                f"results. Wait for it to finish, or give this scan its own state with "
                f"`--cache-dir DIR`."
            ) from None
    try:
        with contextlib.suppress(OSError):
            info.write_text(
                json.dumps({"pid": os.getpid(), "started": time.strftime("%Y-%m-%d %H:%M:%S")}),
                encoding="utf-8",
            )
        yield
    finally:
        with contextlib.suppress(OSError):
            info.unlink()
        lock.release()


def _lock_holder(info: Path) -> str:
    try:
        data = json.loads(info.read_text(encoding="utf-8"))
        return f"pid {int(data['pid'])}, started {data['started']}"
    except (OSError, ValueError, KeyError, TypeError):
        return "another process"
