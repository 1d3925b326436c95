"""Our mutation stage vs plain `mutmut run` on a real project, side by side in one run.

    python benchmarks/mutation_vs_mutmut.py                      # python-slugify 9.2.0, all files
    python benchmarks/mutation_vs_mutmut.py --only-mutate slugify/slugify.py
    python benchmarks/mutation_vs_mutmut.py --project humanize --only-mutate src/humanize/lists.py

Downloads the project's sdist from PyPI once (`pip download --no-binary :all: --no-deps`) into
benchmarks/.cache, makes two fresh copies, runs plain mutmut 3.8.1 (hand-configured as in
docs/mutmut-internals.md) on one and `auditor scan --only mutation` on the other, then prints both wall times,
the ratio, and whether every mutant both tools ran got the same verdict (same mutmut exit-code
class). Arid-line skipping and the pseudo-tested pass are off by default so both sides test exactly
the same mutants; `--arid` / `--pseudo` turn them on to show what they cost or save.

Test dependencies are NOT installed by this script: slugify needs `text-unidecode`; humanize needs
`freezegun` and `pytest-benchmark` (the script says so when they are missing).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
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


@dataclass
class Spec:
    requirement: str
    sdist_prefix: str
    tests: str
    mutmut_toml: str
    auditor_toml: str
    needs: list[str] = field(default_factory=list)


SPECS = {
    "slugify": Spec(
        requirement="python-slugify==9.2.0",
        sdist_prefix="python_slugify-9.2.0",
        tests="tests",
        mutmut_toml=(
            'source_paths = ["slugify/"]\nalso_copy = ["tools/", "README.md"]\n'
            'pytest_add_cli_args = ["-p", "no:cacheprovider"]\n'
        ),
        auditor_toml='source = ["slugify"]\n',
        needs=["text_unidecode"],
    ),
    "humanize": Spec(
        requirement="humanize==4.17.0",
        sdist_prefix="humanize-4.17.0",
        tests="tests",
        mutmut_toml=(
            'source_paths = ["src/"]\nalso_copy = ["scripts/"]\n'
            'pytest_add_cli_args_test_selection = ["tests/"]\n'
            'pytest_add_cli_args = ["--benchmark-disable", "-p", "no:cacheprovider"]\n'
            'process_isolation = "forkserver"\nforkserver_warmup = "none"\n'
        ),
        auditor_toml='source = ["src/humanize"]\n',
        needs=["freezegun", "pytest_benchmark"],
    ),
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
    None: "not checked",
}


def fetch(spec: Spec, cache: Path) -> Path:
    """The extracted sdist (downloaded once)."""
    extracted = cache / spec.sdist_prefix
    if not extracted.is_dir():
        sdist.extract(sdist.download(spec.requirement, spec.sdist_prefix, cache), cache)
    return extracted


def fresh_copy(source: Path, target: Path) -> Path:
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(source, target)
    return target


def append_table(pyproject: Path, header: str, body: str) -> None:
    text = pyproject.read_text(encoding="utf-8") if pyproject.is_file() else ""
    pyproject.write_text(f"{text.rstrip()}\n\n[{header}]\n{body}", encoding="utf-8")


def toml_list(items: list[str]) -> str:
    return "[" + ", ".join(json.dumps(i) for i in items) + "]"


def run_plain(spec: Spec, root: Path, jobs: int, only: list[str]) -> tuple[float, dict[str, Any]]:
    body = spec.mutmut_toml + (f"only_mutate = {toml_list(only)}\n" if only else "")
    append_table(root / "pyproject.toml", "tool.mutmut", body)
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "mutmut", "run", "--max-children", str(jobs)],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        sys.exit(f"plain mutmut failed (exit {proc.returncode}):\n{proc.stdout[-2000:]}")
    return seconds, {m.name: m.exit_code for m in read_all(root / "mutants")}


def run_ours(
    spec: Spec, root: Path, jobs: int, only: list[str], arid: bool, pseudo: bool
) -> tuple[float, dict[str, Any], dict[str, Any]]:
    body = spec.auditor_toml + ("" if arid else "arid = false\n")
    body += f"\n[tool.auditor.mutation]\npseudo-tested = {str(pseudo).lower()}\n"
    if only:
        body += f"only-mutate = {toml_list(only)}\n"
    append_table(root / "pyproject.toml", "tool.auditor", body)
    card_path = root.parent / f"{root.name}-card.json"
    started = time.perf_counter()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "auditor",
            "scan",
            str(root / spec.tests),
            "--only",
            "mutation",
            "--jobs",
            str(jobs),
            "--json",
            str(card_path),
            "--quiet",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    if proc.returncode not in (0, 1):
        tail = proc.stdout[-2000:] + proc.stderr[-2000:]
        sys.exit(f"auditor failed (exit {proc.returncode}):\n{tail}")
    card = json.loads(card_path.read_text(encoding="utf-8"))
    workspace = Path(card["meta"]["mutation_workspace"]) / "mutants"
    return seconds, {m.name: m.exit_code for m in read_all(workspace)}, card


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", choices=sorted(SPECS), default="slugify")
    parser.add_argument(
        "--only-mutate",
        action="append",
        default=[],
        metavar="GLOB",
        help="mutate only these files (mutmut only_mutate globs); repeatable",
    )
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--cache", type=Path, default=HERE / ".cache")
    parser.add_argument("--arid", action="store_true", help="let auditor skip arid lines")
    parser.add_argument("--pseudo", action="store_true", help="include the pseudo-tested pass")
    parser.add_argument("--ours-first", action="store_true", help="run auditor before mutmut")
    args = parser.parse_args(argv)
    spec = SPECS[args.project]
    missing = [m for m in spec.needs if importlib.util.find_spec(m) is None]
    if missing:
        print(
            f"{args.project}'s tests need: {', '.join(missing)}. Install them into this "
            f"interpreter ({sys.executable} -m pip install ...) and run again.",
            file=sys.stderr,
        )
        return 2
    source = fetch(spec, args.cache)
    work = args.cache / "work"
    plain_root = fresh_copy(source, work / f"{args.project}-plain")
    ours_root = fresh_copy(source, work / f"{args.project}-auditor")
    order = ["ours", "plain"] if args.ours_first else ["plain", "ours"]
    results: dict[str, Any] = {}
    for which in order:
        if which == "plain":
            results["plain"] = run_plain(spec, plain_root, args.jobs, args.only_mutate)
        else:
            results["ours"] = run_ours(
                spec, ours_root, args.jobs, args.only_mutate, args.arid, args.pseudo
            )
    plain_s, plain_codes = results["plain"]
    ours_s, ours_codes, card = results["ours"]
    report(args, plain_s, plain_codes, ours_s, ours_codes, card)
    return 0


def report(
    args: argparse.Namespace,
    plain_s: float,
    plain: dict[str, Any],
    ours_s: float,
    ours: dict[str, Any],
    card: dict[str, Any],
) -> None:
    shared = sorted(n for n in plain if n in ours and plain[n] is not None and ours[n] is not None)
    differ = [
        n
        for n in shared
        if CLASS_BY_CODE.get(plain[n], "other") != CLASS_BY_CODE.get(ours[n], "other")
    ]
    plain_counts = Counter(CLASS_BY_CODE.get(c, "other") for c in plain.values())
    ours_counts = Counter(m["status"] for m in card["mutants"])
    scope = ", ".join(args.only_mutate) or "all files"
    print(f"project: {args.project} ({scope}), {args.jobs} jobs")
    print(f"plain mutmut:   {plain_s:8.1f} s  {len(plain)} mutants  {dict(plain_counts)}")
    print(f"auditor stage:  {ours_s:8.1f} s  {len(card['mutants'])} mutants  {dict(ours_counts)}")
    print(f"ratio auditor/mutmut: {ours_s / plain_s:.2f}x  (target <= 1.2x)")
    summary = card["summary"]
    print(
        f"auditor mutation score {summary['mutation_score']}%, test strength "
        f"{summary['test_strength']}%  engine: "
        f"{next(s['engine'] for s in card['stages'] if s['name'] == 'mutation')}"
    )
    only_plain = sorted(set(plain) - set(ours))
    print(
        f"mutants run by both: {len(shared)}; same verdict: {len(shared) - len(differ)}; "
        f"different: {len(differ)}; generated only by plain mutmut: {len(only_plain)}"
    )
    for name in differ[:20]:
        print(f"  DIFFERENT {name}: mutmut exit {plain[name]} vs auditor exit {ours[name]}")
    print("VERDICTS IDENTICAL" if not differ and not only_plain else "VERDICTS DIFFER")


if __name__ == "__main__":
    raise SystemExit(main())
