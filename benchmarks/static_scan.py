"""Static stage speed, side by side with its peers on a big real test suite, in one run.

Downloads the pytest sdist (its `testing/` suite is ~65k lines) into benchmarks/.cache, then times:
  1. our cold scan (`auditor scan testing --only static`, cache emptied first),
  2. our warm scan (same command again: content-hash cache),
  3. bare `libcst.parse_module` over the same files (single process: the parser's floor),
  4. `falsegreen` on the same directory, if it is installed (a stdlib-ast test-smell scanner).
Prints CPU time (user + system of the child processes, from `resource.getrusage`) and wall time,
and the ratios. Targets: cold CPU time <= 1.0x falsegreen's, warm <= 0.5 s. Our scan analyses only
the files pytest collects (plus loaded conftests and imported helpers); falsegreen reads every file
under the directory it is given, as it was designed to.

    python benchmarks/static_scan.py [--version 9.2.0] [--repeat 3]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import sdist

CACHE = Path(__file__).resolve().parent / ".cache"


def fetch_pytest(version: str) -> Path:
    target = CACHE / f"pytest-{version}"
    if not (target / "testing").is_dir():
        sdist.extract(sdist.download(f"pytest=={version}", f"pytest-{version}", CACHE), CACHE)
    return target


def count_lines(files: list[Path]) -> int:
    return sum(p.read_bytes().count(b"\n") for p in files)


def timed(cmd: list[str], cwd: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the child: user + system)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def bare_libcst(files: list[Path]) -> float:
    import libcst

    started = time.perf_counter()
    for path in files:
        with contextlib.suppress(Exception):  # a parse failure is still parse time
            libcst.parse_module(path.read_bytes())
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--version", default="9.2.0", help="pytest sdist version to scan")
    parser.add_argument("--repeat", type=int, default=3, help="repetitions (median is reported)")
    args = parser.parse_args()

    root = fetch_pytest(args.version)
    testing = root / "testing"
    files = sorted(testing.rglob("*.py"))
    print(
        f"suite: pytest {args.version} testing/ — {len(files)} files, {count_lines(files):,} lines"
    )

    load_before = os.getloadavg()[0]
    auditor = [
        sys.executable,
        "-m",
        "auditor",
        "scan",
        "testing",
        "--only",
        "static",
        "--format",
        "json",
    ]
    cold: list[tuple[float, float]] = []
    warm: list[tuple[float, float]] = []
    for _ in range(args.repeat):
        shutil.rmtree(root / ".auditor", ignore_errors=True)
        cold.append(timed(auditor, root))
        warm.append(timed(auditor, root))
    parse = bare_libcst(files)
    falsegreen = shutil.which("falsegreen") or (
        str(Path(sys.executable).parent / "falsegreen")
        if (Path(sys.executable).parent / "falsegreen").exists()
        else None
    )
    fg = (
        [timed([falsegreen, "testing", "--format", "json"], root) for _ in range(args.repeat)]
        if falsegreen
        else []
    )

    def med(runs: list[tuple[float, float]], index: int) -> float:
        return statistics.median(r[index] for r in runs)

    c_wall, c_cpu = med(cold, 0), med(cold, 1)
    w_wall, w_cpu = med(warm, 0), med(warm, 1)
    print(f"{'':32} {'CPU s':>8} {'wall s':>8}")
    print(f"{'auditor cold (--jobs auto)':32} {c_cpu:8.2f} {c_wall:8.2f}")
    print(
        f"{'auditor warm (cache)':32} {w_cpu:8.2f} {w_wall:8.2f}   "
        f"target wall <= 0.5 s -> {'OK' if w_wall <= 0.5 else 'MISSED'}"
    )
    print(f"{'bare libcst.parse_module (1 core)':32} {parse:8.2f} {parse:8.2f}")
    if fg:
        f_wall, f_cpu = med(fg, 0), med(fg, 1)
        print(f"{'falsegreen (stdlib ast)':32} {f_cpu:8.2f} {f_wall:8.2f}")
        print(
            f"ratio cold CPU / falsegreen CPU = {c_cpu / f_cpu:.2f}x   target <= 1.0x -> "
            f"{'OK' if c_cpu <= f_cpu else 'MISSED'}"
        )
        print(f"ratio cold wall / falsegreen wall = {c_wall / f_wall:.2f}x")
    else:
        print("falsegreen not installed (pip install falsegreen) — peer comparison skipped")
    # CPU time is the comparable number on a shared machine; the load says how shared it was
    print(f"load average (1 min): {load_before:.2f} before, {os.getloadavg()[0]:.2f} after")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
