"""The Dask executor (a 2-worker LocalCluster) against the local runner, on real projects.

    python benchmarks/mutation_dask.py --project python-slugify --max-mutants 300
    python benchmarks/mutation_dask.py --project humanize --repeat 2 --workers 2

Each run is `auditor scan TESTS --only mutation --jobs N` on a fresh copy of the project (the
corpus cache: `python -m benchmarks.corpus setup NAME`, `AUDITOR_CORPUS_CACHE`), once with the
local runner and once with `--executor dask` (a LocalCluster of N worker processes, one thread
each, started by the scan), alternating local, dask, dask, local, ... The interpreter is the
project's corpus venv with this checkout's auditor and dask.distributed layered on top (built
once under `<cache>/runners-dask/`).

Printed per run: wall seconds of the whole scan and of the run phase (session start to close:
where the executors differ), CPU seconds of the scan's process tree, mutants run, and the load
average (`uptime`) before and after; for Dask runs also the batches, the workspace archive, the
mean round trip of a batch (submit to result, queueing included), and the in-worker overhead per
batch (the task's time minus its jobs' own wall time: unpacking, session start, bookkeeping).
Then the verdict agreement on every mutant, and the ratio of the run phases. On one machine the
Dask executor can only add overhead (the same cores run the same tests); the numbers say how much,
not how it scales across machines.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

from benchmarks.corpus import env  # noqa: E402
from benchmarks.corpus.api import ensure_project  # noqa: E402

DASK_REQUIREMENT = "dask[distributed]>=2024.4.1,<2027"


@dataclass
class Run:
    executor: str
    wall: float
    cpu: float
    load_before: str
    load_after: str
    exit_code: int
    verdicts: dict[str, str] = field(default_factory=dict)
    phases: dict[str, float] = field(default_factory=dict)
    stage_seconds: float = 0.0
    dask: dict[str, Any] = field(default_factory=dict)


def uptime() -> str:
    """The machine load as `uptime` prints it (1, 5, 15 minutes)."""
    out = subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout
    match = re.search(r"load average[s]?: (.*)$", out.strip())
    return match.group(1) if match else " ".join(f"{x:.2f}" for x in os.getloadavg())


def dask_python(handle: Any) -> Path:
    """The project's venv + this checkout's auditor + dask.distributed (a layered venv with pip)."""
    base = handle.venv_python
    tag = hashlib.sha1(str(REPO).encode()).hexdigest()[:12]  # one per checkout, as corpus runners
    root = env.cache_root() / "runners-dask" / handle.project.key / tag
    python = root / "bin" / "python"
    if not python.exists():
        shutil.rmtree(root, ignore_errors=True)
        subprocess.run([str(base), "-m", "venv", str(root)], check=True)
        purelib = subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        base_lib = subprocess.run(
            [str(base), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        (Path(purelib) / "00_bench_auditor.pth").write_text(f"{REPO}\n")
        (Path(purelib) / "10_bench_base.pth").write_text(
            f"import site; site.addsitedir({base_lib!r})\n"
        )
        (root / "corpus-base").write_text(str(base.parent))
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", DASK_REQUIREMENT], check=True, timeout=900
    )
    where = subprocess.run(
        [str(python), "-c", "import auditor; print(auditor.__file__)"],
        capture_output=True,
        text=True,
        env=env.run_env(python),
        check=False,
    ).stdout.strip()
    if not where.startswith(str(REPO)):
        raise SystemExit(f"{python} imports auditor from {where!r}, not {REPO}")
    return python


def scan_once(handle: Any, python: Path, executor: str, args: argparse.Namespace) -> Run:
    out = Path(tempfile.mkdtemp(prefix="bench-dask-")) / "card.json"
    argv = [str(python), "-m", "auditor", "scan", handle.project.tests, "--only", "mutation"]
    argv += ["--json", str(out), "--jobs", str(args.workers), "--quiet", "--no-color"]
    if executor == "dask":
        argv += ["--executor", "dask"]
    run_env = env.run_env(python)
    run_env["AUDITOR_WORKER_CACHE"] = str(out.parent / "worker-cache")
    with env.lock(handle.project):
        work = env.refresh_work(handle.project)
        try:
            pyproject = work / "pyproject.toml"
            text = pyproject.read_text() if pyproject.is_file() else ""
            table = "\n\n[tool.auditor.mutation]\npseudo-tested = false\n"
            if args.max_mutants:
                table += f"max-mutants = {args.max_mutants}\n"
            pyproject.write_text(text.rstrip("\n") + table)
            before = uptime()
            cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.perf_counter()
            proc = subprocess.run(argv, cwd=work, env=run_env, capture_output=True, text=True)
            wall = time.perf_counter() - started
            cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            after = uptime()
            stats_file = work / ".auditor" / "mutation" / "workspace" / "dask-run.json"
            stats = json.loads(stats_file.read_text()) if stats_file.is_file() else {}
        finally:
            shutil.rmtree(work, ignore_errors=True)
    cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    run = Run(executor, wall, cpu, before, after, proc.returncode, dask=stats)
    if out.is_file():
        card = json.loads(out.read_text())
        run.verdicts = {m["id"]: m["status"] for m in card["mutants"] if m["status"] != "skipped"}
        run.phases = dict(card["meta"]["mutation"].get("seconds") or {})
        stage = next(s for s in card["stages"] if s["name"] == "mutation")
        run.stage_seconds = float(stage.get("seconds") or 0.0)
    else:
        print(proc.stdout[-2000:], proc.stderr[-3000:])
    shutil.rmtree(out.parent, ignore_errors=True)
    return run


def describe(run: Run) -> str:
    text = (
        f"{run.executor:5s} exit {run.exit_code}  scan {run.wall:7.1f} s  mutation stage "
        f"{run.stage_seconds:6.1f} s  run phase {run.phases.get('run', 0.0):6.1f} s  CPU "
        f"{run.cpu:6.1f} s  mutants {len(run.verdicts):4d}  load {run.load_before} -> "
        f"{run.load_after}"
    )
    stats = run.dask
    if stats.get("batches"):
        batches = stats["batches"]
        text += (
            f"\n      dask: {len(stats['workers'])} workers ({stats['threads']} threads), "
            f"cluster up in {stats['cluster_seconds']:.1f} s, archive "
            f"{stats['package_bytes'] / 1024:.0f} KiB packed in "
            f"{stats['package_seconds'] * 1000:.0f} ms and unpacked {stats['unpacked']}x, first "
            f"session ready after {stats['warmup_seconds']:.1f} s; {batches} batches of "
            f"{stats['jobs']} runs; per batch: round trip "
            f"{stats['round_trip_seconds'] / batches * 1000:.0f} ms (queueing included), "
            f"in-worker overhead {stats['overhead_seconds'] / batches * 1000:.1f} ms"
        )
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--project", default="python-slugify", help="corpus project name")
    parser.add_argument("--repeat", type=int, default=1, help="pairs of runs (alternated)")
    parser.add_argument("--workers", type=int, default=2, help="--jobs / LocalCluster workers")
    parser.add_argument("--max-mutants", type=int, default=0, help="budget (0: all mutants)")
    args = parser.parse_args(argv)
    handle = ensure_project(args.project)
    python = dask_python(handle)
    order = ["local", "dask", "dask", "local"] * args.repeat
    runs: list[Run] = []
    for executor in order[: 2 * args.repeat]:
        run = scan_once(handle, python, executor, args)
        runs.append(run)
        print(describe(run), flush=True)
    local = [r for r in runs if r.executor == "local"]
    dask = [r for r in runs if r.executor == "dask"]
    reference = local[0].verdicts
    for run in runs[1:]:
        same = sum(run.verdicts.get(i) == v for i, v in reference.items())
        differ = sorted(i for i, v in reference.items() if run.verdicts.get(i) != v)
        print(
            f"verdicts {run.executor} vs first local: {same} of {len(reference)} identical"
            + (f"; differ: {differ[:10]}" if differ else "")
        )
    mean = lambda rs, key: sum(key(r) for r in rs) / len(rs)  # noqa: E731
    ratio = mean(dask, lambda r: r.phases.get("run", 0.0)) / max(
        1e-9, mean(local, lambda r: r.phases.get("run", 0.0))
    )
    print(
        f"run phase, dask / local: {ratio:.2f}x; whole scan: "
        f"{mean(dask, lambda r: r.wall) / mean(local, lambda r: r.wall):.2f}x "
        f"(one 2-core machine: overhead only, not scaling); CPU of the scan's process tree: "
        f"{mean(dask, lambda r: r.cpu) / max(1e-9, mean(local, lambda r: r.cpu)):.2f}x"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
