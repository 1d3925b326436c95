"""How often does the witness search turn a surviving mutant into a verified, pasteable test?

    python benchmarks/witness.py                       # sample_project and python-slugify 9.2.0
    python benchmarks/witness.py --project sample      # only sample_project
    python benchmarks/witness.py --max-examples 100 --json witness-bench.json

For each project: a fresh copy in a temporary directory, then the real pipeline
`auditor scan <tests> --skip static --json card.json` (coverage.py, mutmut 3.8.1, then the
properties stage). From the scorecard it reports, over the surviving mutants in type-hinted
functions (survivors skipped because a parameter has no hint are counted apart):

- the share with a verified witness (the generated test passed on the original and failed on the
  mutant when it was executed),
- the share marked likely equivalent (no difference in N examples; still listed in the report),
- the rest (skipped: no strategy for a parameter type; unverified: a difference that could not be
  written as a test that reproduces it; error),
- search seconds per mutant (sum of per-mutant search times / mutants searched).

python-slugify's sdist is downloaded once into benchmarks/.cache/ with
`pip download --no-binary :all: --no-deps python-slugify==9.2.0`; its tests need `text-unidecode`.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import sdist

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CACHE = HERE / ".cache"
SLUGIFY = "python-slugify==9.2.0"
SLUGIFY_DIR = "python_slugify-9.2.0"


def prepare_sample(work: Path) -> tuple[Path, str]:
    target = work / "sample_project"
    shutil.copytree(ROOT / "sample_project", target, ignore=shutil.ignore_patterns(".auditor"))
    return target, "tests"


def prepare_slugify(work: Path) -> tuple[Path, str]:
    sdist.extract(sdist.download(SLUGIFY, SLUGIFY_DIR, CACHE), work)
    target = work / SLUGIFY_DIR
    with (target / "pyproject.toml").open("a", encoding="utf-8") as fh:
        fh.write('\n[tool.auditor]\nsource = ["slugify"]\n')
    return target, "tests"


PROJECTS = {"sample": prepare_sample, "slugify": prepare_slugify}


def metrics(card: dict[str, Any]) -> dict[str, Any]:
    """The benchmark numbers from one scorecard (survivors the properties stage searched)."""
    searched = [m for m in card["mutants"] if m.get("witness_status")]
    unhinted = [
        m
        for m in searched
        if m["witness_status"] == "skipped" and "no type hint" in m.get("witness_note", "")
    ]
    hinted = [m for m in searched if m not in unhinted]
    counts = {
        k: sum(1 for m in hinted if m["witness_status"] == k)
        for k in ("witness", "likely_equivalent", "unverified", "skipped", "error")
    }
    verified = sum(1 for m in hinted if m.get("witness") and m["witness"].get("verified"))
    summary = (card.get("properties") or {}).get("witness") or {}
    seconds = float(summary.get("search_seconds") or 0.0)
    searched_now = int(summary.get("searched_now") or 0)

    def share(n: int) -> float | None:
        return round(100.0 * n / len(hinted), 1) if hinted else None

    return {
        "survivors_searched": len(searched),
        "unhinted": len(unhinted),
        "hinted": len(hinted),
        **counts,
        "verified_witness_share": share(verified),
        "likely_equivalent_share": share(counts["likely_equivalent"]),
        "seconds_per_mutant": round(seconds / searched_now, 3) if searched_now else None,
        "max_examples": summary.get("max_examples"),
    }


def run_one(name: str, work: Path, max_examples: int | None) -> dict[str, Any]:
    project, tests = PROJECTS[name](work)
    if max_examples is not None:
        with (project / "pyproject.toml").open("a", encoding="utf-8") as fh:
            fh.write(f"\n[tool.auditor.witness]\nmax-examples = {max_examples}\n")
    started = time.perf_counter()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "auditor",
            "scan",
            tests,
            "--skip",
            "static",
            "--json",
            "card.json",
            "--quiet",
        ],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = round(time.perf_counter() - started, 1)
    card_path = project / "card.json"
    if not card_path.is_file():
        raise SystemExit(
            f"{name}: auditor scan failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}"
        )
    card = json.loads(card_path.read_text(encoding="utf-8"))
    stages = {s["name"]: s for s in card["stages"]}
    result = metrics(card)
    result.update(
        project=name,
        scan_wall_seconds=wall,
        properties_stage_seconds=stages.get("properties", {}).get("seconds"),
        mutants_total=len(card["mutants"]),
    )
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--project",
        choices=sorted(PROJECTS),
        action="append",
        help="which project(s) to run (default: all)",
    )
    parser.add_argument(
        "--max-examples",
        type=int,
        default=None,
        help="[tool.auditor.witness] max-examples (default: auditor's, 300)",
    )
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    parser.add_argument("--keep", action="store_true", help="keep the temporary project copies")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="auditor-witness-bench-"))
    results = []
    try:
        for name in args.project or sorted(PROJECTS):
            result = run_one(name, work, args.max_examples)
            results.append(result)
            print(json.dumps(result, indent=1), flush=True)
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
