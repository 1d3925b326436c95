"""Our mutation stage vs plain `mutmut run` (and other peers), side by side on real projects.

    python benchmarks/mutation_vs_mutmut.py                          # python-slugify 9.2.0
    python benchmarks/mutation_vs_mutmut.py --project humanize --repeat 2
    python benchmarks/mutation_vs_mutmut.py --project ledger --peers-python /path/to/venv/bin/python

Every tool runs in its DEFAULT configuration (only what it needs to find the code: source paths,
files the tests read) and with the environment as a user has it: no PYTHONDONTWRITEBYTECODE or
other switches for anyone. Runs alternate (ours, mutmut, mutmut, ours, ...) on fresh copies, and
the 1-minute load average is printed before and after every run: on a shared machine a number is
only meaningful next to its load.

Printed: wall and CPU seconds, mutants, mutants/second for each tool; the ratio mutmut/ours; the
verdict agreement on every mutant both ran (mutmut's exit-code class vs ours); our fixed costs
(coverage run, generation, warm session start, import check, pseudo-tested fallback) and the
per-mutant cost against its floor (pytest's own duration of the tests each mutant ran, in the warm
session). With `--peers-python`, cosmic-ray and pytest-gremlins run from that interpreter (a
venv with them and the project's test dependencies), each capped by `--peer-timeout`.

Projects: python-slugify 9.2.0, humanize 4.17.0, iso8601 2.1.0, isodate 0.7.2 (sdists from PyPI,
downloaded once into --cache), and two small fixtures in benchmarks/projects/ (tinylib: 75 lines,
21 tests; ledger: about a hundred mutants). Test dependencies are not installed by this script.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sdist

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from auditor.mutation.results import read_all  # noqa: E402
from auditor.mutation.store import ResultStore  # noqa: E402


@dataclass
class Spec:
    source: str  # "pypi:REQUIREMENT:SDIST_PREFIX" or "local:DIR"
    tests: str
    code: list[str]  # source paths (mutmut's source_paths, our `source`)
    also_copy: list[str] = field(default_factory=list)
    needs: list[str] = field(default_factory=list)
    mutmut_extra: str = ""  # only what plain mutmut needs to run the suite at all


SPECS = {
    "slugify": Spec(
        "pypi:python-slugify==9.2.0:python_slugify-9.2.0",
        "tests",
        ["slugify"],
        ["tools/", "README.md"],
        ["text_unidecode"],
    ),
    "humanize": Spec(
        "pypi:humanize==4.17.0:humanize-4.17.0",
        "tests",
        ["src/humanize"],
        ["scripts/"],
        ["freezegun", "pytest_benchmark"],
        # mutmut's fork mode aborts on humanize's clean run (state between runs); the doctests
        # in src/ are duplicated into every mutant copy without the test selection
        'pytest_add_cli_args_test_selection = ["tests/"]\nprocess_isolation = "forkserver"\n'
        'forkserver_warmup = "none"\n',
    ),
    "iso8601": Spec("pypi:iso8601==2.1.0:iso8601-2.1.0", "iso8601", ["iso8601"]),
    "isodate": Spec("pypi:isodate==0.7.2:isodate-0.7.2", "tests", ["src/isodate"]),
    "tinylib": Spec("local:projects/tinylib", "tests", ["tinylib"]),
    "ledger": Spec("local:projects/ledger", "tests", ["ledger"]),
}

# mutmut exit code -> the verdict class both tools must agree on
CLASS_BY_CODE = {
    1: "killed",
    3: "killed",
    0: "survived",
    5: "no tests",
    33: "no tests",
    -24: "timeout",
    24: "timeout",
    152: "timeout",
    36: "timeout",
    255: "timeout/255",
    35: "error",
    None: "not checked",
}


@dataclass
class Run:
    tool: str
    wall: float
    cpu: float
    mutants: int
    load_before: float
    load_after: float
    codes: dict[str, Any] = field(default_factory=dict)
    card: dict[str, Any] = field(default_factory=dict)
    note: str = ""

    @property
    def rate(self) -> float:
        return self.mutants / self.wall if self.wall else 0.0


def load() -> float:
    return os.getloadavg()[0]


def fetch(spec: Spec, cache: Path) -> Path:
    kind, _, rest = spec.source.partition(":")
    if kind == "local":
        return HERE / rest
    requirement, prefix = rest.split(":")
    extracted = cache / prefix
    if not extracted.is_dir():
        sdist.extract(sdist.download(requirement, prefix, cache), cache)
    return extracted


def fresh_copy(source: Path, target: Path) -> Path:
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", ".auditor"))
    return target


def append_table(pyproject: Path, header: str, body: str) -> None:
    text = pyproject.read_text(encoding="utf-8") if pyproject.is_file() else ""
    pyproject.write_text(f"{text.rstrip()}\n\n[{header}]\n{body}", encoding="utf-8")


def toml_list(items: list[str]) -> str:
    return "[" + ", ".join(json.dumps(i) for i in items) + "]"


def timed(
    cmd: list[str], cwd: Path, timeout: float | None = None, env: dict[str, str] | None = None
) -> tuple[float, float, int, str]:
    """(wall s, CPU s of the finished process tree, exit code, output tail)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    try:
        proc = subprocess.run(
            cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=timeout
        )
        code, out = proc.returncode, proc.stdout[-6000:] + proc.stderr[-3000:]
    except subprocess.TimeoutExpired as exc:
        code, out = -1, f"stopped after {timeout} s: {str(exc.stdout or '')[-500:]}"
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, code, out


def run_plain(spec: Spec, root: Path, jobs: int, only: list[str]) -> Run:
    body = f"source_paths = {toml_list([c + ('/' if (root / c).is_dir() else '') for c in spec.code])}\n"
    body += f"also_copy = {toml_list(spec.also_copy)}\n" if spec.also_copy else ""
    body += spec.mutmut_extra + (f"only_mutate = {toml_list(only)}\n" if only else "")
    append_table(root / "pyproject.toml", "tool.mutmut", body)
    mutmut = Path(sys.executable).with_name("mutmut")
    before = load()
    wall, cpu, code, out = timed([str(mutmut), "run", "--max-children", str(jobs)], root)
    if code != 0:
        sys.exit(f"plain mutmut failed (exit {code}):\n{out}")
    codes = {m.name: m.exit_code for m in read_all(root / "mutants")}
    return Run("mutmut 3.8.1", wall, cpu, len(codes), before, load(), codes)


def run_ours(spec: Spec, root: Path, jobs: int, only: list[str], pseudo: bool) -> Run:
    body = f"source = {toml_list(spec.code)}\narid = false\n"
    body += f"\n[tool.auditor.mutation]\npseudo-tested = {str(pseudo).lower()}\n"
    body += f"only-mutate = {toml_list(only)}\n" if only else ""
    append_table(root / "pyproject.toml", "tool.auditor", body)
    card_path = root.parent / f"{root.name}-card.json"
    before = load()
    cmd = [sys.executable, "-m", "auditor", "scan", str(root / spec.tests), "--only", "mutation"]
    cmd += ["--jobs", str(jobs), "--json", str(card_path), "--quiet"]
    wall, cpu, code, out = timed(cmd, root)
    if code not in (0, 1):
        sys.exit(f"auditor failed (exit {code}):\n{out}")
    card = json.loads(card_path.read_text(encoding="utf-8"))
    codes = {m["id"]: m["exit_code"] for m in card["mutants"]}
    return Run("auditor", wall, cpu, len(codes), before, load(), codes, card)


def peer_env(spec: Spec, root: Path) -> dict[str, str]:
    """The project importable as if installed (`pip install -e .`), nothing else changed."""
    roots = {str(root / Path(c).parent) for c in spec.code}
    return dict(os.environ, PYTHONPATH=os.pathsep.join(sorted(roots)))


def run_cosmic_ray(spec: Spec, root: Path, python: str, timeout: float) -> Run:
    """cosmic-ray 8.7: mutate on disk, run the test command per mutant (local distributor)."""
    config = (
        f"[cosmic-ray]\nmodule-path = {toml_list(spec.code)}\ntimeout = 30.0\n"
        f'excluded-modules = []\ntest-command = "{python} -m pytest -x -q {spec.tests}"\n\n'
        '[cosmic-ray.distributor]\nname = "local"\n'
    )
    (root / "cr.toml").write_text(config, encoding="utf-8")
    cosmic = str(Path(python).with_name("cosmic-ray"))
    env = peer_env(spec, root)
    subprocess.run(
        [cosmic, "init", "cr.toml", "cr.sqlite"], cwd=root, env=env, check=True, capture_output=True
    )
    before = load()
    wall, cpu, _, _ = timed([cosmic, "exec", "cr.toml", "cr.sqlite"], root, timeout, env)
    done = _count_sqlite(root / "cr.sqlite")
    note = f"(stopped at the {timeout:.0f} s cap)" if wall >= timeout else ""
    return Run("cosmic-ray 8.7.0", wall, cpu, done, before, load(), note=note)


def _count_sqlite(path: Path) -> int:
    """Finished work items in cosmic-ray's session database."""
    try:
        with sqlite3.connect(path) as db:
            return int(db.execute("select count(*) from work_results").fetchone()[0])
    except sqlite3.Error:
        return 0


def run_gremlins(spec: Spec, root: Path, python: str, timeout: float) -> Run:
    """pytest-gremlins 1.12: a pytest plugin, `pytest --gremlins` over the source paths."""
    before = load()
    cmd = [python, "-m", "pytest", "--gremlins", "-q", f"--gremlin-targets={','.join(spec.code)}"]
    wall, cpu, _code, out = timed([*cmd, spec.tests], root, timeout, peer_env(spec, root))
    counts = _gremlins_counts(out)
    note = ", ".join(f"{k} {v}" for k, v in counts.items())
    if wall >= timeout:
        note += f" (stopped at the {timeout:.0f} s cap)"
    return Run("pytest-gremlins", wall, cpu, sum(counts.values()), before, load(), note=note)


def _gremlins_counts(output: str) -> dict[str, int]:
    """`Zapped: 12 gremlins (..)` / `Survived: ..` / `Error: ..` lines of its report."""
    import re

    found = re.findall(r"^(Zapped|Survived|Error|Timeout):\s+(\d+)\s+gremlins", output, flags=re.M)
    return {name.lower(): int(n) for name, n in found}


# what a verdict means for the score: detected (killed, timeout) or not (survived, no test)
OUTCOME = {"killed": "detected", "timeout": "detected", "survived": "missed", "no tests": "missed"}


def outcome(code: Any) -> str:
    kind = CLASS_BY_CODE.get(code, "other")
    return OUTCOME.get(kind, kind)


def agreement(plain: Run, ours: Run) -> tuple[int, list[str], list[str]]:
    """(mutants both ran, those whose outcome differs, those only mutmut generated).

    Outcomes are compared as detected / missed: a survivor on a line coverage.py says never runs
    is `no_coverage` for us without running it (exit 33), and `survived` for mutmut (exit 0).
    """
    shared = sorted(
        n
        for n in plain.codes
        if n in ours.codes and plain.codes[n] is not None and ours.codes[n] is not None
    )
    differ = [n for n in shared if outcome(plain.codes[n]) != outcome(ours.codes[n])]
    only_plain = sorted(set(plain.codes) - set(ours.codes))
    return len(shared), differ, only_plain


def floor(ours_root: Path, card: dict[str, Any]) -> tuple[float, float, int]:
    """Mean wall seconds per run mutant vs the mean duration of the tests it ran (warm)."""
    records = ResultStore(Path(card["meta"]["mutation_workspace"]) / "mutants").load()
    ran = [r for r in records.values() if r.tests_run]
    if not ran:
        return 0.0, 0.0, 0
    return (
        sum(r.seconds for r in ran) / len(ran),
        sum(r.test_seconds for r in ran) / len(ran),
        sum(r.fresh for r in ran),
    )


def report(project: str, args: argparse.Namespace, runs: list[Run], peers: list[Run]) -> bool:
    scope = ", ".join(args.only_mutate) or "all files"
    print(f"\n== {project} ({scope}), {args.jobs} jobs, {os.cpu_count()} cores ==")
    print(f"{'tool':<18}{'wall s':>9}{'CPU s':>9}{'mutants':>9}{'mut/s':>8}  load before/after")
    for run in [*runs, *peers]:
        print(
            f"{run.tool:<18}{run.wall:9.1f}{run.cpu:9.1f}{run.mutants:9d}{run.rate:8.2f}  "
            f"{run.load_before:.2f} / {run.load_after:.2f} {run.note}"
        )
    ours = [r for r in runs if r.tool == "auditor"]
    plain = [r for r in runs if r.tool != "auditor"]
    best_ours, best_plain = min(ours, key=lambda r: r.wall), min(plain, key=lambda r: r.wall)
    print(
        f"speed-up mutmut/ours (best wall): {best_plain.wall / best_ours.wall:.2f}x; "
        f"CPU: {best_plain.cpu / max(best_ours.cpu, 1e-9):.2f}x"
    )
    identical = True
    for o, p in zip(ours, plain, strict=False):
        shared, differ, only_plain = agreement(p, o)
        identical &= not differ and not only_plain
        finer = Counter(
            f"{CLASS_BY_CODE.get(p.codes[n])} -> {CLASS_BY_CODE.get(o.codes[n])}"
            for n in p.codes
            if n in o.codes
            and CLASS_BY_CODE.get(p.codes[n]) != CLASS_BY_CODE.get(o.codes[n])
            and n not in differ
        )
        print(
            f"verdicts: {shared} mutants run by both, {shared - len(differ)} same outcome "
            f"(detected/missed), {len(differ)} different, {len(only_plain)} only in mutmut"
            + (f"; same outcome, other class (mutmut -> ours): {dict(finer)}" if finer else "")
        )
        for name in differ[:20]:
            print(f"  DIFFERENT {name}: mutmut exit {p.codes[name]} vs ours {o.codes[name]}")
    card = best_ours.card
    stages = {s["name"]: s.get("seconds") for s in card["stages"]}
    seconds = card["meta"]["mutation"].get("seconds", {})
    fixed = {"coverage run": stages.get("coverage"), **seconds}
    print("our fixed costs (s): " + ", ".join(f"{k} {v}" for k, v in fixed.items()))
    per, base, fresh = floor(Path(card["meta"]["mutation_workspace"]), card)
    print(
        f"per run mutant: {per * 1000:.1f} ms wall vs floor {base * 1000:.1f} ms (pytest's "
        f"duration of the tests it ran, warm); overhead {(per - base) * 1000:.1f} ms; "
        f"{fresh} ran in a fresh process"
    )
    counts = Counter(m["status"] for m in card["mutants"])
    plain_counts = Counter(CLASS_BY_CODE.get(c, "other") for c in best_plain.codes.values())
    print(f"ours: {dict(counts)}\nmutmut: {dict(plain_counts)}")
    print("VERDICTS IDENTICAL" if identical else "VERDICTS DIFFER (see above)")
    return identical


def bench(project: str, args: argparse.Namespace) -> bool:
    spec = SPECS[project]
    missing = [m for m in spec.needs if importlib.util.find_spec(m) is None]
    if missing:
        print(f"{project}: its tests need {', '.join(missing)}; install them into {sys.executable}")
        return False
    source = fetch(spec, args.cache)
    work = args.cache / "work"
    runs: list[Run] = []
    for i in range(args.repeat):
        order = ["ours", "plain"] if i % 2 == 0 else ["plain", "ours"]
        for which in order:
            root = fresh_copy(source, work / f"{project}-{which}")
            if which == "ours":
                runs.append(run_ours(spec, root, args.jobs, args.only_mutate, args.pseudo))
            else:
                runs.append(run_plain(spec, root, args.jobs, args.only_mutate))
    peers: list[Run] = []
    if args.peers_python:
        for name, runner in (("cosmic-ray", run_cosmic_ray), ("gremlins", run_gremlins)):
            root = fresh_copy(source, work / f"{project}-{name}")
            try:
                peers.append(runner(spec, root, args.peers_python, args.peer_timeout))
            except (OSError, subprocess.CalledProcessError) as exc:
                print(f"{name} did not run: {exc}")
    return report(project, args, runs, peers)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", choices=sorted(SPECS), action="append")
    parser.add_argument("--only-mutate", action="append", default=[], metavar="GLOB")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--repeat", type=int, default=1, help="alternated runs of each tool")
    parser.add_argument("--cache", type=Path, default=HERE / ".cache")
    parser.add_argument("--pseudo", action="store_true", help="include the pseudo-tested pass")
    parser.add_argument("--peers-python", help="interpreter with cosmic-ray and pytest-gremlins")
    parser.add_argument("--peer-timeout", type=float, default=300.0)
    args = parser.parse_args(argv)
    ok = True
    for project in args.project or ["slugify"]:
        ok &= bench(project, args)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
