"""Shared by the benchmarks: download a project's sdist from PyPI once, and unpack it."""

from __future__ import annotations

import subprocess
import sys
import tarfile
from pathlib import Path


def download(requirement: str, prefix: str, cache: Path) -> Path:
    """The `<prefix>*.tar.gz` archive for `requirement` in `cache` (pip-downloaded once)."""
    cache.mkdir(parents=True, exist_ok=True)
    archive = next(cache.glob(f"{prefix}*.tar.gz"), None)
    if archive is None:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-binary",
                ":all:",
                "--no-deps",
                "--quiet",
                requirement,
                "-d",
                str(cache),
            ],
            check=True,
        )
        archive = next(cache.glob(f"{prefix}*.tar.gz"))
    return archive


def extract(archive: Path, destination: Path) -> None:
    with tarfile.open(archive) as tar:
        if sys.version_info >= (3, 12):
            tar.extractall(destination, filter="data")
        else:  # 3.10/3.11: sdists from PyPI, extracted into our own cache
            tar.extractall(destination)
