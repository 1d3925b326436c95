"""Interpreters that import a chosen auditor tree on top of an existing environment.

Shared by the benchmarks that compare two revisions of auditor on the same project: a small
venv without pip whose site-packages holds two `.pth` files, the auditor tree (and its
`strategies/` folder, where `auditor_strategies` lives) first, then `site.addsitedir` of the base
interpreter's site-packages (the project, its test requirements, mutmut, Hypothesis). An
editable install of another auditor checkout in the base environment does not win: its finder is
appended to `sys.meta_path`, after the path entries.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def purelib(python: Path) -> Path:
    """The site-packages directory of `python` (its `purelib`)."""
    out = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    )
    return Path(out.stdout.strip())


def export_tree(ref: str, destination: Path) -> Path:
    """`auditor/` and `strategies/` of git revision `ref` unpacked under `destination/<sha>`."""
    sha = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", ref], capture_output=True, text=True, check=True
    ).stdout.strip()
    tree = destination / sha[:12]
    if (tree / "auditor" / "__init__.py").is_file():
        return tree
    tree.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryFile() as archive:
        subprocess.run(
            ["git", "-C", str(ROOT), "archive", sha, "auditor", "strategies"],
            stdout=archive,
            check=True,
        )
        archive.seek(0)
        with tarfile.open(fileobj=archive) as tar:
            if sys.version_info >= (3, 12):
                tar.extractall(tree, filter="data")
            else:  # our own repository's archive
                tar.extractall(tree)
    return tree


def layered_python(base: Path, tree: Path, cache: Path) -> Path:
    """A python that imports auditor from `tree` and everything else from `base`'s environment.

    Cached under `cache/<hash of base and tree>`; raises `RuntimeError` when the result does not
    import auditor from `tree`.
    """
    tag = hashlib.sha1(f"{base.absolute()}\0{tree.resolve()}".encode()).hexdigest()[:12]
    venv = cache / tag
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([str(base), "-m", "venv", "--without-pip", str(venv)], check=True)
        site = purelib(python)
        (site / "00_auditor_tree.pth").write_text(f"{tree}\n{tree / 'strategies'}\n")
        (site / "10_base_env.pth").write_text(
            f"import site; site.addsitedir({str(purelib(base))!r})\n"
        )
    check = subprocess.run(
        [
            str(python),
            "-I",
            "-c",
            "import auditor, auditor_strategies as s; print(auditor.__file__, s.__file__)",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    found = check.stdout.split()
    if len(found) != 2 or not all(path.startswith(str(tree)) for path in found):
        raise RuntimeError(f"{python} imports auditor from {check.stdout or check.stderr!r}")
    return python
