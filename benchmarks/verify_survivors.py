"""Verified survivors on real projects: sampled / confirmed / refuted, each one re-checked by hand.

    AUDITOR_CORPUS_CACHE=/work/cache/venvs-corpus \\
        python -m benchmarks.verify_survivors iso8601 cachetools parse isodate \\
        [--verify N] [--max-mutants M] [--runner auditor|mutmut] [--timeout S]

For each corpus project (benchmarks/corpus, set up as for `python -m benchmarks.corpus setup`):
a fresh work tree gets `[tool.auditor.mutation] verify-survivors = N` (and `max-mutants = M`)
appended to its pyproject.toml, `auditor scan TESTS --only mutation` runs in it with the project's
venv, and then every mutant the scan verified is checked again by an independent oracle: mutmut's
own `apply_mutant` on a copy of the mutation workspace and plain `python -m pytest -x` on the
project's tests (with the corpus' per-project neutralising options, e.g. `--no-cov`). The table
prints, per project: survivors, sampled, confirmed, refuted, unverified, verdicts corrected by the
fresh-process re-runs, agreement of the oracle with each verification, and the time verification
took. Nothing is timed as a test; this is a measurement to read.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
from pathlib import Path
from typing import Any

from benchmarks.corpus import env, procs
from benchmarks.corpus.api import ensure_project


def _configure(work: Path, verify: int, max_mutants: int | None, runner: str) -> None:
    pyproject = work / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8") if pyproject.is_file() else ""
    if re.search(r"^\[tool\.auditor\.mutation\]", text, re.M):
        raise SystemExit(f"{pyproject} already has [tool.auditor.mutation]")
    table = f"\n\n[tool.auditor.mutation]\nverify-survivors = {verify}\nrunner = {runner!r}\n"
    if max_mutants:
        table += f"max-mutants = {max_mutants}\n"
    pyproject.write_text(text.rstrip("\n") + table.replace("'", '"'), encoding="utf-8")


def oracle(python: Path, ws: Path, mutant: str, tests: str, extra: list[str], scratch: Path) -> int:
    """pytest's exit code with `mutant` applied by mutmut's `apply_mutant` to a copy of `ws`."""
    copy = scratch / "by-hand"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(
        ws, copy, symlinks=True, ignore=shutil.ignore_patterns("__pycache__", ".auditor")
    )
    apply = f"from mutmut.mutation.diff_apply import apply_mutant; apply_mutant({mutant!r})"
    run_env = env.run_env(python)
    done = procs.run([str(python), "-c", apply], cwd=copy, env=run_env, timeout=120)
    if done.returncode != 0:
        return -1
    shutil.rmtree(copy / "mutants")
    argv = [str(python), "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *extra]
    argv += [tests] if tests else []
    result = procs.run(argv, cwd=copy, env=run_env, timeout=900)
    return -2 if result.returncode is None else result.returncode


def measure(
    name: str, verify: int, max_mutants: int | None, runner: str, timeout: float
) -> dict[str, Any]:
    handle = ensure_project(name)
    project = handle.project
    with handle.fresh_tree() as work:
        _configure(work, verify, max_mutants, runner)
        card_path = work.parent / f"{project.key}-verify.json"
        argv = ["-m", "auditor", "scan", *([project.tests] if project.tests else [])]
        argv += ["--only", "mutation", "--json", str(card_path), "--no-color"]
        done = handle.run(argv, cwd=work, timeout=timeout)
        if not card_path.is_file():
            return {"project": project.key, "error": f"exit {done.returncode}: {done.tail(8)}"}
        card = json.loads(card_path.read_text())
        card_path.unlink()
        ws = Path(card["meta"].get("mutation_workspace") or "")
        rows = []
        scratch = work.parent / f"{project.key}-oracle"
        for m in card["mutants"]:
            v = m.get("verification")
            if not v or v["result"] == "unverified":
                continue
            code = oracle(
                handle.python, ws, m["id"], project.tests, list(project.neutralise), scratch
            )
            by_oracle = "survived" if code == 0 else "killed" if code in (1, 2) else f"exit {code}"
            rows.append(
                {
                    "id": m["id"],
                    "result": v["result"],
                    "status": m["status"],
                    "killed_by": v["killed_by"],
                    "oracle": by_oracle,
                }
            )
        shutil.rmtree(scratch, ignore_errors=True)
    vs = card.get("verified_survivors") or {}
    agree = sum((r["result"] == "confirmed") == (r["oracle"] == "survived") for r in rows)
    return {
        "project": project.key,
        "exit": done.returncode,
        "seconds": done.seconds,
        "mutants": len(card["mutants"]),
        "verified": vs,
        "checked": rows,
        "oracle_agrees": f"{agree}/{len(rows)}",
        "unverified_notes": sorted(
            {
                m["verification"]["note"]
                for m in card["mutants"]
                if m.get("verification") and m["verification"]["result"] == "unverified"
            }
        ),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("projects", nargs="+")
    parser.add_argument("--verify", type=int, default=10, help="verify-survivors (default 10)")
    parser.add_argument("--max-mutants", type=int, default=400)
    parser.add_argument("--runner", default="auditor", choices=["auditor", "mutmut"])
    parser.add_argument("--timeout", type=float, default=3600.0)
    parser.add_argument("--json", type=Path, help="write every result here")
    args = parser.parse_args(argv)
    results = []
    print(
        "| project | mutants | survivors | sampled | confirmed | refuted | unverified | "
        "corrected | oracle agrees | verify s | scan s |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for name in args.projects:
        r = measure(name, args.verify, args.max_mutants, args.runner, args.timeout)
        results.append(r)
        if "error" in r:
            print(f"| {r['project']} | {r['error']} |")
            continue
        v = r["verified"]
        print(
            f"| {r['project']} | {r['mutants']} | {v.get('survivors')} | {v.get('sampled')} | "
            f"{v.get('confirmed')} | {v.get('refuted')} | {v.get('unverified')} | "
            f"{v.get('corrected')} | {r['oracle_agrees']} | {v.get('seconds')} | {r['seconds']} |",
            flush=True,
        )
    for r in results:
        for fault in (r.get("verified") or {}).get("faults", []):
            print(
                f"- {r['project']}: fault in {fault['path']} {fault['function']}: "
                f"{fault['cause']}; {len(fault['changed'])}/{fault['rerun']} changed"
            )
        for row in r.get("checked", []):
            if row["result"] != "confirmed" or row["oracle"] != "survived":
                print(f"- {r['project']}: {row}")
        for note in r.get("unverified_notes", []):
            print(f"- {r['project']}: unverified: {note}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
