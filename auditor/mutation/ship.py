"""The mutated workspace as one content-addressed archive, and its unpacked copy on a worker.

A distributed executor runs the same warm runner on other machines, so each machine needs the
workspace's `mutants/` directory (mutated copies, tests, data files, the `pyproject.toml` mutmut
wrote). `pack(mutants)` walks it once and returns a `Package`: a gzip'd tar archive and the
SHA-256 of its *content* (every file's relative path, executable bit and bytes, in sorted order;
symlinks by their target), so the same workspace always gets the same name, whatever the mtimes.

Left out: what a run writes or reads only on the machine that started the scan (bytecode caches,
mutmut's `.meta`/`.spans` verdict files, our result store and generation record, pytest's and
Hypothesis' caches). Nothing in them changes what a test run does.

`unpack(package, cache)` on a worker writes the archive to `cache/<digest>/mutants/` once: the
next batch (and every other worker process sharing the cache directory) finds it there. Unpacking
goes to a private temporary directory first and is renamed into place, so a half-written copy is
never used and two processes unpacking at once both end with one complete copy.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import os
import shutil
import stat
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

SKIP_DIRS = frozenset({"__pycache__", ".pytest_cache", ".hypothesis", ".mypy_cache"})
SKIP_FILES = frozenset({"auditor-results.jsonl", "auditor-generated.json", "mutmut-stats.json"})
SKIP_SUFFIXES = (".meta", ".spans", ".pyc", ".pyo", ".log")
STALE_SECONDS = 7 * 24 * 3600.0  # unpacked workspaces unused this long are removed


@dataclass(frozen=True)
class Package:
    """A packed workspace: `digest` (hex SHA-256 of the content), `data` (tar.gz bytes),
    `files` (how many regular files and symlinks it holds)."""

    digest: str
    data: bytes
    files: int


def _included(rel: Path) -> bool:
    if any(part in SKIP_DIRS for part in rel.parts[:-1]):
        return False
    return rel.name not in SKIP_FILES and not rel.name.endswith(SKIP_SUFFIXES)


def _entries(mutants: Path) -> list[Path]:
    """Workspace-relative paths of the files to ship, sorted (directories are implied)."""
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(mutants):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
        base = Path(dirpath)
        for name in filenames:
            rel = (base / name).relative_to(mutants)
            if _included(rel):
                found.append(rel)
    return sorted(found, key=lambda p: p.as_posix())


def pack(mutants: Path) -> Package:
    """Archive `mutants` (see the module docstring for what is left out).

    Raises FileNotFoundError when `mutants` is not a directory.
    """
    if not mutants.is_dir():
        raise FileNotFoundError(f"no workspace to ship: {mutants} is not a directory")
    digest = hashlib.sha256()
    buffer = io.BytesIO()
    entries = _entries(mutants)
    # mtime=0 in the gzip header too: the same content gives the same bytes
    with (
        gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=6, mtime=0) as gz,
        tarfile.open(fileobj=gz, mode="w") as tar,
    ):
        for rel in entries:
            path = mutants / rel
            name = rel.as_posix()
            info = tarfile.TarInfo(name)
            info.mtime = 0  # the archive's bytes depend on the content only
            if path.is_symlink():
                target = os.readlink(path)
                info.type, info.linkname = tarfile.SYMTYPE, target
                digest.update(f"L\0{name}\0{target}\0".encode())
                tar.addfile(info)
                continue
            data = path.read_bytes()
            executable = bool(path.stat().st_mode & stat.S_IXUSR)
            info.size, info.mode = len(data), 0o755 if executable else 0o644
            digest.update(f"F\0{name}\0{int(executable)}\0{len(data)}\0".encode())
            digest.update(data)
            tar.addfile(info, io.BytesIO(data))
    return Package(digest.hexdigest(), buffer.getvalue(), len(entries))


def default_cache(temporary_directory: str | None = None) -> Path:
    """Where a worker keeps unpacked workspaces: `$AUDITOR_WORKER_CACHE`, else
    `<temporary_directory>/auditor-workspaces` (a worker passes Dask's configured
    `temporary-directory`), else under the system's temporary directory."""
    configured = os.environ.get("AUDITOR_WORKER_CACHE")
    if configured:
        return Path(configured)
    return Path(temporary_directory or tempfile.gettempdir()) / "auditor-workspaces"


def unpack(digest: str, data: bytes, cache: Path) -> tuple[Path, bool]:
    """The unpacked workspace's `mutants/` dir under `cache/<digest>/`, and whether this call
    unpacked it (False: it was already there). Refuses archive members that would land outside
    the target (absolute paths, `..`, links pointing out): ValueError."""
    root = cache / digest
    mutants = root / "mutants"
    if mutants.is_dir():
        with contextlib.suppress(OSError):
            os.utime(root)  # in use: not stale
        return mutants, False
    cache.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{digest[:12]}-", dir=cache))
    try:
        target = scratch / "mutants"
        target.mkdir()
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
            members = tar.getmembers()
            for member in members:
                _check_member(member)
            if hasattr(tarfile, "data_filter"):  # 3.12+, and 3.10/3.11 security releases
                tar.extractall(target, members=members, filter="data")
            else:  # pragma: no cover - older patch releases; every member was checked above
                tar.extractall(target, members=members)
        try:
            os.rename(scratch, root)
        except OSError:
            if not mutants.is_dir():  # not a lost race with another process: a real failure
                raise
            return mutants, False
        _remove_stale(cache, keep=digest)
        return mutants, True
    finally:
        if scratch.exists():
            shutil.rmtree(scratch, ignore_errors=True)


def _check_member(member: tarfile.TarInfo) -> None:
    name = Path(member.name)
    if name.is_absolute() or ".." in name.parts:
        raise ValueError(f"refusing archive member outside the workspace: {member.name}")
    if member.issym() or member.islnk():
        link = Path(member.linkname)
        parts = link.parts if member.islnk() else (*name.parent.parts, *link.parts)
        depth = 0
        for part in parts:
            depth += -1 if part == ".." else 0 if part == "." else 1
            if depth < 0 or link.is_absolute():
                raise ValueError(
                    f"refusing link {member.name} -> {member.linkname} outside the workspace"
                )
    elif not (member.isfile() or member.isdir()):
        raise ValueError(f"refusing archive member of unsupported type: {member.name}")


def _remove_stale(cache: Path, keep: str) -> None:
    """Delete unpacked workspaces nobody used for STALE_SECONDS (best effort)."""
    now = time.time()
    for entry in cache.iterdir():
        if entry.name == keep or entry.name.startswith("."):
            continue
        with contextlib.suppress(OSError):
            if now - entry.stat().st_mtime > STALE_SECONDS:
                shutil.rmtree(entry, ignore_errors=True)
