"""The on-disk cache: sdists (sha256-checked), pristine trees, per-project venvs, fresh work trees.

Layout under `cache_root()` ($AUDITOR_CORPUS_CACHE, else ~/.cache/auditor-corpus):

    sdists/<stem>.tar.gz       downloaded once with `pip download --no-binary :all: --no-deps`
    src/<name-version>/        the pristine extracted tree (never run in)
    work/<name-version>/       a fresh copy for each oracle or scan run; the project is installed
                               editable from here, as a user's checkout is
    venvs/<name-version>/      project (editable) + its test requirements + auditor (editable)
    runners/<name-version>/<h> a pip-less venv layered on venvs/<name-version> whose `auditor` is
                               another checkout (`auditor=PATH`), so several branches share one
                               venv without re-installing into it
    oracle/, scans/            JSON results (oracle.py, scan.py)
    locks/<name-version>.lock  one run at a time per work tree (fcntl.flock)
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path

from . import procs
from .registry import Project

REPO = Path(__file__).resolve().parents[2]  # the auditor checkout this harness lives in
ENV_VAR = "AUDITOR_CORPUS_CACHE"
SETUP_VERSION = 1  # bump when what a venv holds changes


class SetupError(RuntimeError):
    """A project could not be downloaded, verified or installed (the message says which step)."""


def cache_root() -> Path:
    """$AUDITOR_CORPUS_CACHE, else ~/.cache/auditor-corpus (created on first use)."""
    root = Path(os.environ.get(ENV_VAR) or Path.home() / ".cache" / "auditor-corpus")
    return root.expanduser().resolve()


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def sdist_path(project: Project) -> Path | None:
    """The cached sdist of `project` (any case of the normalised stem), or None."""
    folder = cache_root() / "sdists"
    if not folder.is_dir():
        return None
    for path in folder.glob("*.tar.gz"):
        if path.name.lower() == f"{project.sdist_stem}.tar.gz":
            return path
    return None


def download(project: Project, timeout: float = 300.0) -> Path:
    """Download (once) and sha256-verify the sdist. Raises SetupError (network, hash mismatch)."""
    folder = cache_root() / "sdists"
    folder.mkdir(parents=True, exist_ok=True)
    path = sdist_path(project)
    if path is None:
        done = procs.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-binary",
                ":all:",
                "--no-deps",
                "--quiet",
                project.requirement,
                "-d",
                str(folder),
            ],
            timeout=timeout,
        )
        path = sdist_path(project)
        if path is None:
            raise SetupError(f"pip download {project.requirement} failed: {done.tail(8)}")
    actual = sha256_of(path)
    if actual != project.sha256:
        raise SetupError(f"{path.name}: sha256 {actual} does not match the pinned {project.sha256}")
    return path


def pristine(project: Project) -> Path:
    """The extracted, never-modified source tree (extracting the verified sdist once)."""
    target = cache_root() / "src" / project.key
    if target.is_dir():
        return target
    archive = download(project)
    staging = target.with_name(target.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    with tarfile.open(archive) as tar:
        if hasattr(tarfile, "data_filter"):
            tar.extractall(staging, filter="data")
        else:  # pragma: no cover - Python without PEP 706 backports
            tar.extractall(staging)
    (top,) = list(staging.iterdir())
    top.rename(target)
    staging.rmdir()
    return target


def work_dir(project: Project) -> Path:
    return cache_root() / "work" / project.key


def refresh_work(project: Project) -> Path:
    """Replace work/<key> by a fresh copy of the pristine tree; the caller holds `lock`."""
    work = work_dir(project)
    shutil.rmtree(work, ignore_errors=True)
    work.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(pristine(project), work, symlinks=True)
    return work


@contextlib.contextmanager
def lock(project: Project) -> Iterator[None]:
    """Exclusive use of the project's work tree (blocks until other holders finish)."""
    path = cache_root() / "locks" / f"{project.key}.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def venv_dir(project: Project) -> Path:
    return cache_root() / "venvs" / project.key


def venv_python(project: Project) -> Path:
    return venv_dir(project) / "bin" / "python"


def _marker(project: Project, auditor: Path) -> dict[str, object]:
    return {
        "setup_version": SETUP_VERSION,
        "sha256": project.sha256,
        "test_requires": list(project.test_requires),
        "auditor": str(auditor),
    }


def venv_ready(project: Project) -> bool:
    """True when the venv exists and was built for this pin and these requirements."""
    marker = venv_dir(project) / "corpus.json"
    if not marker.is_file() or not venv_python(project).exists():
        return False
    data = json.loads(marker.read_text())
    expected = _marker(project, Path(str(data.get("auditor", ""))))
    return all(data.get(k) == v for k, v in expected.items())


def setup(
    project: Project,
    auditor: Path = REPO,
    python: str = sys.executable,
    force: bool = False,
    timeout: float = 1800.0,
) -> Path:
    """Download, verify, extract, and build the project's venv; returns the venv's python.

    The venv gets the project installed editable from work/<key>, its `test_requires`, and
    auditor installed editable from `auditor` (a checkout). Raises SetupError on any failure.
    """
    if venv_ready(project) and not force:
        return venv_python(project)
    venv = venv_dir(project)
    shutil.rmtree(venv, ignore_errors=True)
    with lock(project):
        refresh_work(project)
        steps = [
            [python, "-m", "venv", str(venv)],
            [
                str(venv / "bin" / "python"),
                "-m",
                "pip",
                "install",
                "--quiet",
                "-e",
                str(work_dir(project)),
                *project.test_requires,
                "-e",
                str(auditor),
            ],
        ]
        for argv in steps:
            done = procs.run(argv, timeout=timeout)
            if done.returncode != 0:
                raise SetupError(
                    f"{project.key}: {' '.join(argv[:6])} ... failed:\n{done.tail(15)}"
                )
    (venv / "corpus.json").write_text(json.dumps(_marker(project, auditor.resolve()), indent=1))
    return venv_python(project)


def _purelib(python: Path) -> Path:
    done = procs.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], timeout=60
    )
    return Path(done.stdout.strip())


def runner_python(project: Project, auditor: Path | None = None) -> Path:
    """A python for `project` whose `import auditor` loads the checkout at `auditor`.

    With None, or the checkout the venv was built with, this is the venv's own python; otherwise
    a small venv (no pip) layered on it by two .pth files, cached under runners/.
    """
    base = venv_python(project)
    installed = json.loads((venv_dir(project) / "corpus.json").read_text())["auditor"]
    if auditor is None or auditor.resolve() == Path(installed):
        return base
    repo = auditor.resolve()
    tag = hashlib.sha1(str(repo).encode()).hexdigest()[:12]
    runner = cache_root() / "runners" / project.key / tag
    python = runner / "bin" / "python"
    if not python.exists():
        shutil.rmtree(runner, ignore_errors=True)
        done = procs.run([str(base), "-m", "venv", "--without-pip", str(runner)], timeout=120)
        if done.returncode != 0:
            raise SetupError(f"runner venv for {repo}: {done.tail(8)}")
        site = _purelib(python)
        (site / "00_corpus_auditor.pth").write_text(f"{repo}\n")
        (site / "10_corpus_base.pth").write_text(
            f"import site; site.addsitedir({str(_purelib(base))!r})\n"
        )
        (runner / "corpus-base").write_text(str(base.parent))
    check = procs.run(
        [str(python), "-c", "import auditor; print(auditor.__file__)"],
        cwd=runner,
        env=run_env(python),
        timeout=60,
    )
    if not check.stdout.strip().startswith(str(repo)):
        raise SetupError(f"runner for {repo} imports auditor from {check.tail(3)!r}")
    return python


def run_env(python: Path) -> dict[str, str]:
    """The environment for running the project's tools with `python`: its venv first on PATH,
    and none of the caller's PYTHONPATH / PYTEST_ADDOPTS / coverage variables leaking in."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTEST_", "COVERAGE_", "PYTHON", "VIRTUAL_ENV", "AUDITOR_"))
    }
    bins = [str(python.parent)]
    base = python.parent.parent / "corpus-base"
    if base.is_file():  # a runner: the scripts of the venv it is layered on come next
        bins.append(base.read_text().strip())
    env["PATH"] = os.pathsep.join([*bins, env.get("PATH", "")])
    env["VIRTUAL_ENV"] = str(python.parent.parent)
    env["NO_COLOR"] = "1"
    env["COLUMNS"] = "120"
    return env
