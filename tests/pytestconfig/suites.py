"""Real test suites for the collection comparison: sdists downloaded once into a shared cache.

The cache is `$AUDITOR_SDIST_CACHE`, else `/work/cache/sdists` when it exists, else
`~/.cache/auditor/sdists`. `fetch` returns None (the caller skips) when PyPI cannot be reached.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
from pathlib import Path


def cache_dir() -> Path:
    """Where downloaded sdists are kept between runs."""
    explicit = os.environ.get("AUDITOR_SDIST_CACHE")
    if explicit:
        return Path(explicit)
    shared = Path("/work/cache/sdists")
    if shared.is_dir():
        return shared
    return Path.home() / ".cache" / "auditor" / "sdists"


def _archive(name: str, version: str) -> Path | None:
    cache = cache_dir()
    stems = {f"{name}-{version}", f"{name.replace('-', '_')}-{version}"}
    for stem in stems:
        candidate = cache / f"{stem}.tar.gz"
        if candidate.is_file():
            return candidate
    return None


def fetch(name: str, version: str, into: Path) -> Path | None:
    """Download (once) and unpack `name==version`'s sdist under `into`; its root, or None when
    the download fails (no network)."""
    archive = _archive(name, version)
    if archive is None:
        cache_dir().mkdir(parents=True, exist_ok=True)
        proc = subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-binary", ":all:", "--no-deps",
             "--quiet", f"{name}=={version}", "-d", str(cache_dir())],
            capture_output=True,
            check=False,
            timeout=300,
        )  # fmt: skip
        archive = _archive(name, version)
        if proc.returncode != 0 or archive is None:
            return None
    with tarfile.open(archive) as tar:
        if sys.version_info >= (3, 12):
            tar.extractall(into, filter="data")
        else:
            tar.extractall(into)  # a PyPI sdist, into a tmp dir
    roots = [p for p in into.iterdir() if p.is_dir()]
    return roots[0] if len(roots) == 1 else None
