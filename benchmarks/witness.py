"""The witness search before and after: time per mutant, witnesses found, likely-equivalent claims.

    python benchmarks/witness.py                          # sample_project and python-slugify 9.2.0
    python benchmarks/witness.py --project sample --baseline main~3
    python benchmarks/witness.py --project isodate --python /path/to/isodate-venv/bin/python
    python benchmarks/witness.py --max-examples 100 --json witness-bench.json

For each project: a fresh copy in a temporary directory, then the real pipeline
`auditor scan <tests> --skip static` (coverage.py, then the mutation stage) with the witness search
switched off. On that one mutation workspace, the witness search of the
surviving mutants then runs twice, with the same settings: once with auditor at `--baseline` and
once at `--after` (git revisions, default HEAD, exported with `git archive`), each through an
interpreter that imports that tree on top of the project's environment (`layered.py`). The scan
itself runs with the `--after` tree. Printed side by side:

- survivors searched, verified witnesses, likely-equivalent claims, unverified, skipped, error;
- wall seconds of the search, CPU seconds of its workers (the trusted figure on a shared machine),
  and seconds per mutant; the machine's load average before each run;
- witnesses the baseline found that the current tree does not (must be none), and new ones;
- the current tree's likely-equivalent claims with their evidence (distinct examples, how many
  reached the mutated code), and the reasons of everything else;
- the functions that took the most search time on each side.

The project's own interpreter (`--python`, default: this one; for the real projects the corpus
venv under $AUDITOR_CORPUS_CACHE/venvs/<name-version>/ when it exists) must have the project's
test requirements: slugify needs `text-unidecode`. sdists come from /work/cache/sdists or
benchmarks/.cache (downloaded once with `pip download --no-binary :all: --no-deps`).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import layered
import sdist

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CACHE = HERE / ".cache"
SHARED_SDISTS = (Path("/work/cache/sdists"), Path("/work/cache/venvs-corpus/sdists"))
DEFAULT_BASELINE = "ff46a14"  # main before the evidence-based witness search (issue 10/13)
OUTCOMES = ("witness", "likely_equivalent", "unverified", "skipped", "error")

DRIVER = r"""
import dataclasses, json, resource, sys, time
from pathlib import Path
import auditor
from auditor.properties.witness import WitnessSettings, search
job = json.loads(sys.argv[1])
settings = WitnessSettings(max_examples=job["max_examples"], seconds=job["seconds"], jobs=job["jobs"])
started = time.perf_counter()
results = search(job["ids"], Path(job["workdir"]), settings, scratch=Path(job["scratch"]))
wall = time.perf_counter() - started
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({
    "auditor": auditor.__file__,
    "wall": round(wall, 2),
    "cpu": round(usage.ru_utime + usage.ru_stime, 2),
    "results": {k: dataclasses.asdict(v) for k, v in results.items()},
}))
"""


@dataclass(frozen=True)
class Spec:
    """A project: its sdist (requirement, file stem), the tests argument, extra [tool.auditor]."""

    requirement: str
    stem: str
    tests: str
    toml: str
    corpus_key: str


SPECS = {
    "slugify": Spec(
        "python-slugify==9.2.0",
        "python_slugify-9.2.0",
        "tests",
        'source = ["slugify"]',
        "python-slugify-9.2.0",
    ),
    "isodate": Spec("isodate==0.7.2", "isodate-0.7.2", "tests", "", "isodate-0.7.2"),
    "cachetools": Spec("cachetools==8.0.2", "cachetools-8.0.2", "tests", "", "cachetools-8.0.2"),
    "schema": Spec("schema==0.7.8", "schema-0.7.8", "test_schema.py", "", "schema-0.7.8"),
}
PROJECTS = ["sample", *SPECS]


def prepare(name: str, work: Path, max_mutants: int | None) -> tuple[Path, str]:
    """A fresh copy of the project under `work` with the witness search switched off (and a
    mutation budget when `max_mutants` is given)."""
    if name == "sample":
        target = work / "sample_project"
        shutil.copytree(ROOT / "sample_project", target, ignore=shutil.ignore_patterns(".auditor"))
        tests, toml = "tests", ""
    else:
        spec = SPECS[name]
        found = [p for folder in SHARED_SDISTS for p in folder.glob(f"{spec.stem}.tar.gz")]
        archive = found[0] if found else sdist.download(spec.requirement, spec.stem, CACHE)
        sdist.extract(archive, work)
        target = work / spec.stem
        tests, toml = spec.tests, spec.toml
    pyproject = target / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8") if pyproject.is_file() else ""
    if toml:
        text += f"\n[tool.auditor]\n{toml}\n"
    text += "\n[tool.auditor.witness]\nenabled = false\n"
    if max_mutants:
        text += f"\n[tool.auditor.mutation]\nmax-mutants = {max_mutants}\n"
    pyproject.write_text(text, encoding="utf-8")
    return target, tests


def project_python(name: str, given: str | None) -> Path:
    if given:
        return Path(given)
    if name in SPECS:
        cache = Path(os.environ.get("AUDITOR_CORPUS_CACHE", "/work/cache/venvs-corpus"))
        candidate = cache / "venvs" / SPECS[name].corpus_key / "bin" / "python"
        if candidate.exists():
            return candidate
    return Path(sys.executable)


def clean_env() -> dict[str, str]:
    drop = ("PYTHONPATH", "MUTANT_UNDER_TEST", "PYTEST_ADDOPTS", "COVERAGE_PROCESS_START")
    return {k: v for k, v in os.environ.items() if k not in drop}


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def scan(python: Path, project: Path, tests: str) -> tuple[dict[str, Any], float]:
    started = time.perf_counter()
    proc = subprocess.run(
        [
            str(python),
            "-m",
            "auditor",
            "scan",
            tests,
            "--skip",
            "static",
            "--json",
            "card.json",
            "--quiet",
            "--no-color",
        ],
        cwd=project,
        env=clean_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - started
    card_path = project / "card.json"
    if not card_path.is_file():
        raise SystemExit(f"scan failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
    return json.loads(card_path.read_text(encoding="utf-8")), wall


def search(python: Path, job: dict[str, Any]) -> dict[str, Any]:
    proc = subprocess.run(
        [str(python), "-c", DRIVER, json.dumps(job)],
        env=clean_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise SystemExit(f"witness search with {python} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def reason_of(result: dict[str, Any]) -> str:
    """A short reason key: the result's own `reason` when it has one, else the note's start."""
    evidence = result.get("evidence") or {}
    if evidence.get("reason"):
        return str(evidence["reason"])
    note = str(result.get("note") or "")
    return note.split(":")[0].split(";")[0][:50] or "-"


def function_of(mutant_id: str) -> str:
    return mutant_id.rsplit("__mutmut_", 1)[0]


def summarise(side: dict[str, Any]) -> dict[str, Any]:
    results: dict[str, dict[str, Any]] = side["results"]
    counts = Counter(r["outcome"] for r in results.values())
    n = len(results)
    per_function: dict[str, float] = defaultdict(float)
    for mutant_id, r in results.items():
        per_function[function_of(mutant_id)] += float(r.get("seconds") or 0.0)
    return {
        "searched": n,
        **{k: counts.get(k, 0) for k in OUTCOMES},
        "wall": side["wall"],
        "cpu": side["cpu"],
        "wall_per_mutant": round(side["wall"] / n, 3) if n else None,
        "cpu_per_mutant": round(side["cpu"] / n, 3) if n else None,
        "load": side["load"],
        "top_functions": sorted(per_function.items(), key=lambda kv: -kv[1])[:5],
    }


def evidence_table(results: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Likely-equivalent claims with their evidence, and the reasons of everything else."""
    claims = [r for r in results.values() if r["outcome"] == "likely_equivalent"]

    def count(r: dict[str, Any]) -> int:
        # the baseline has no evidence: its claims rest on `examples` compared
        return int((r.get("evidence") or {}).get("conclusive", r["examples"]))

    budgets = sorted(count(r) for r in claims)
    met = sum(1 for r in claims if (r.get("evidence") or {}).get("budget_met"))
    reasons = Counter(
        f"{r['outcome']}: {reason_of(r)}"
        for r in results.values()
        if r["outcome"] in ("unverified", "skipped", "error")
    )
    return {
        "claims": len(claims),
        "claims_with_budget_met": met,
        "claim_examples_min": budgets[0] if budgets else None,
        "claim_examples_median": budgets[len(budgets) // 2] if budgets else None,
        "claims_of_one_example": sum(1 for b in budgets if b <= 1),
        "reasons": dict(reasons.most_common()),
    }


def run_project(name: str, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    base = project_python(name, args.python)
    venvs = CACHE / "layered"
    pythons = {
        "before": layered.layered_python(
            base, layered.export_tree(args.baseline, CACHE / "trees"), venvs
        ),
        "after": layered.layered_python(
            base, layered.export_tree(args.after, CACHE / "trees"), venvs
        ),
    }
    project, tests = prepare(name, work, args.max_mutants)
    card, scan_wall = scan(pythons["after"], project, tests)
    workspace = Path(card["meta"]["mutation_workspace"]) / "mutants"
    ids = [m["id"] for m in card["mutants"] if m["status"] == "survived" and "__mutmut_" in m["id"]]
    sides: dict[str, dict[str, Any]] = {}
    for label in ("before", "after"):
        job = {
            "ids": ids,
            "workdir": str(workspace),
            "scratch": str(work / f"scratch-{name}-{label}"),
            "max_examples": args.max_examples,
            "seconds": args.seconds,
            "jobs": args.jobs,
        }
        before_load = load()
        sides[label] = search(pythons[label], job)
        sides[label]["load"] = before_load
    outcome = {
        label: {k: r["outcome"] for k, r in s["results"].items()} for label, s in sides.items()
    }
    witnessed = {
        label: {k for k, o in o_.items() if o == "witness"} for label, o_ in outcome.items()
    }
    return {
        "project": name,
        "mutants": len(card["mutants"]),
        "survivors": len(ids),
        "scan_wall_without_witness": round(scan_wall, 1),
        "before": summarise(sides["before"]),
        "after": summarise(sides["after"]),
        "lost_witnesses": sorted(witnessed["before"] - witnessed["after"]),
        "new_witnesses": sorted(witnessed["after"] - witnessed["before"]),
        "evidence_before": evidence_table(sides["before"]["results"]),
        "evidence_after": evidence_table(sides["after"]["results"]),
        "after_results": sides["after"]["results"],
    }


def print_report(result: dict[str, Any]) -> None:
    name = result["project"]
    print(
        f"\n## {name}: {result['mutants']} mutants, {result['survivors']} survivors searched; "
        f"scan without witness search {result['scan_wall_without_witness']} s"
    )
    cols = ("searched", *OUTCOMES, "wall", "cpu", "wall_per_mutant", "cpu_per_mutant", "load")
    print("| side | " + " | ".join(cols) + " |")
    print("|---" * (len(cols) + 1) + "|")
    for label in ("before", "after"):
        row = result[label]
        print(f"| {label} | " + " | ".join(str(row[c]) for c in cols) + " |")
    b, a = result["before"], result["after"]
    if b["cpu"] and b["wall"]:
        print(
            f"after/before: wall {a['wall'] / b['wall']:.2f}x, cpu {a['cpu'] / b['cpu']:.2f}x; "
            f"witness share of a full scan before "
            f"{100 * b['wall'] / (b['wall'] + result['scan_wall_without_witness']):.0f} %, after "
            f"{100 * a['wall'] / (a['wall'] + result['scan_wall_without_witness']):.0f} %"
        )
    print(f"witnesses lost: {len(result['lost_witnesses'])} {result['lost_witnesses'][:10]}")
    print(f"witnesses new:  {len(result['new_witnesses'])} {result['new_witnesses'][:10]}")
    for label in ("before", "after"):
        ev = result[f"evidence_{label}"]
        print(
            f"{label}: likely-equivalent claims {ev['claims']} (evidence: budget met "
            f"{ev['claims_with_budget_met']}; examples behind a claim min "
            f"{ev['claim_examples_min']}, median {ev['claim_examples_median']}; claims resting on "
            f"one example {ev['claims_of_one_example']})"
        )
        for reason, count in ev["reasons"].items():
            print(f"    {count:4d}  {reason}")
        print(
            "    slowest functions: "
            + ", ".join(f"{f} {s:.1f}s" for f, s in result[label]["top_functions"])
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--project",
        choices=PROJECTS,
        action="append",
        help="project(s) to run (default: sample and slugify)",
    )
    parser.add_argument(
        "--baseline",
        default=DEFAULT_BASELINE,
        help=f"git revision of the 'before' side (default {DEFAULT_BASELINE})",
    )
    parser.add_argument(
        "--after",
        default="HEAD",
        help="git revision of the 'after' side (default HEAD: the committed tree, so the "
        "checkout can change while the benchmark runs)",
    )
    parser.add_argument("--python", help="the project's interpreter (with its test requirements)")
    parser.add_argument("--max-examples", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=10.0, help="per-mutant budget")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument(
        "--max-mutants", type=int, help="[tool.auditor.mutation] max-mutants for the scan"
    )
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    parser.add_argument("--keep", action="store_true", help="keep the temporary project copies")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="auditor-witness-bench-"))
    results = []
    try:
        for name in args.project or ["sample", "slugify"]:
            result = run_project(name, args, work)
            results.append(result)
            print_report(result)
            sys.stdout.flush()
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
