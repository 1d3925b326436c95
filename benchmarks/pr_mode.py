"""PR mode vs a full run on sample_project: what a one-function change costs to audit.

    python benchmarks/pr_mode.py                       # all stages, 2 jobs
    python benchmarks/pr_mode.py --skip properties     # leave the witness search out of both runs
    python benchmarks/pr_mode.py --function pricing.py:line_total
    python benchmarks/pr_mode.py --no-pseudo           # without the pseudo-tested pass

Makes two fresh copies of sample_project/ (no .auditor/ cache, so both runs are cold), commits each
as the base of a git repository, then:

- full run: `auditor scan tests` on the first copy;
- PR run: on the second copy, one function gets a one-line edit (a trailing comment on one of its
  statements, so behaviour is unchanged and the tests stay green), committed on a branch, then
  `auditor scan tests --diff main`.

Prints wall time, per-stage seconds and mutants run for both, and the PR/full ratio (target <= 10%
for the mutation work). Static analysis and the coverage run are the same in both modes, so on a
project as small as sample_project they bound the total ratio from below.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SAMPLE = HERE.parent / "sample_project"
PROJECT = [SAMPLE]  # set from --project
TESTS = ["tests"]  # set from --tests
IGNORE = shutil.ignore_patterns(
    ".auditor", "__pycache__", ".pytest_cache", ".hypothesis", "mutants", "*.egg-info", ".coverage*"
)
GIT_ENV = {
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(root), *args],
        check=True,
        capture_output=True,
        env={**os.environ, **GIT_ENV},
    )


def fresh_copy(target: Path, pseudo: bool = True) -> Path:
    shutil.copytree(PROJECT[0], target, ignore=IGNORE)
    if not pseudo:
        with (target / "pyproject.toml").open("a", encoding="utf-8") as fh:
            fh.write("\n[tool.auditor.mutation]\npseudo-tested = false\n")
    git(target, "init", "-q", "-b", "main")
    (target / ".gitignore").write_text(".auditor/\nmutants/\n", encoding="utf-8")
    git(target, "add", "-A")
    git(target, "commit", "-q", "-m", "base")
    return target


def pick_line(root: Path, wanted: str | None) -> tuple[Path, int, str]:
    """(file, line, function) to edit: `--function file.py:name`, else the first function with a
    single-line `return` of an operator/call expression (something mutmut mutates)."""
    source_root = root / "src" if (root / "src").is_dir() else root
    skip = {"tests", "test", "docs", "tools", "benchmarks"}
    for path in sorted(source_root.rglob("*.py")):
        rel_parts = path.relative_to(root).parts
        if (
            rel_parts[0] in skip
            or path.name in ("setup.py", "__main__.py")
            or path.name.startswith("test")
        ):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef) or node.name.startswith("__"):
                continue
            if wanted and f"{path.name}:{node.name}" != wanted:
                continue
            for stmt in ast.walk(node):
                if (
                    isinstance(stmt, ast.Return)
                    and stmt.value is not None
                    and stmt.lineno == stmt.end_lineno
                    and isinstance(stmt.value, (ast.BinOp, ast.Compare, ast.BoolOp, ast.Call))
                ):  # an expression mutmut mutates, so the PR run has mutants to test
                    return path, stmt.lineno, node.name
    raise SystemExit(f"no function to edit found{f' matching {wanted}' if wanted else ''}")


def one_function_change(root: Path, wanted: str | None) -> str:
    path, line, function = pick_line(root, wanted)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[line - 1] = lines[line - 1].rstrip("\n") + "  # reviewed in this PR\n"
    path.write_text("".join(lines), encoding="utf-8")
    git(root, "checkout", "-q", "-b", "feature")
    git(root, "commit", "-q", "-am", "touch one function")
    return f"{path.relative_to(root).as_posix()}:{line} ({function})"


def scan(root: Path, extra: list[str]) -> tuple[float, dict[str, Any], int]:
    started = time.perf_counter()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "auditor",
            "scan",
            TESTS[0],
            "--json",
            "card.json",
            "--format",
            "json",
            *extra,
        ],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    if result.returncode not in (0, 1):
        sys.stderr.write(result.stderr[-3000:])
        raise SystemExit(f"auditor scan failed in {root} (exit {result.returncode})")
    return seconds, json.loads((root / "card.json").read_text(encoding="utf-8")), result.returncode


def describe(card: dict[str, Any]) -> dict[str, Any]:
    stages = {s["name"]: s["seconds"] if s["ran"] else None for s in card["stages"]}
    mutation = card.get("meta", {}).get("mutation") or {}
    return {
        "stages": stages,
        "generated": mutation.get("generated"),
        "run": mutation.get("run_now"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--skip", default="", help="stages to skip in both runs, e.g. properties")
    parser.add_argument("--function", help="file.py:function to edit (default: the first suitable)")
    parser.add_argument(
        "--no-pseudo",
        action="store_true",
        help="turn the pseudo-tested pass off in both runs (it checks every function)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary copies")
    parser.add_argument(
        "--project",
        type=Path,
        default=SAMPLE,
        help="project to copy (default sample_project; e.g. the slugify sdist "
        "unpacked by mutation_vs_mutmut.py in benchmarks/.cache/)",
    )
    parser.add_argument("--tests", default="tests", help="tests directory inside --project")
    args = parser.parse_args(argv)
    PROJECT[0] = args.project.resolve()
    TESTS[0] = args.tests
    extra = ["--jobs", str(args.jobs)] + (["--skip", args.skip] if args.skip else [])
    work = Path(tempfile.mkdtemp(prefix="auditor-pr-bench-"))
    try:
        full_root = fresh_copy(work / "full", not args.no_pseudo)
        pr_root = fresh_copy(work / "pr", not args.no_pseudo)
        where = one_function_change(pr_root, args.function)
        print(f"change: {where}")
        full_s, full_card, _ = scan(full_root, extra)
        pr_s, pr_card, _ = scan(pr_root, [*extra, "--diff", "main"])
        full, pr = describe(full_card), describe(pr_card)
        print(f"{'':<22}{'full':>10}{'PR':>10}{'ratio':>9}")
        print(f"{'wall time (s)':<22}{full_s:>10.1f}{pr_s:>10.1f}{pr_s / full_s:>9.1%}")
        for name in full["stages"]:
            a, b = full["stages"][name], pr["stages"].get(name)
            ratio = f"{b / a:>9.1%}" if a and b is not None else f"{'':>9}"
            print(f"{name + ' stage (s)':<22}{_num(a):>10}{_num(b):>10}{ratio}")
        print(f"{'mutants generated':<22}{_num(full['generated']):>10}{_num(pr['generated']):>10}")
        print(f"{'mutants run':<22}{_num(full['run']):>10}{_num(pr['run']):>10}")
        patch = pr_card.get("patch") or {}
        print(
            f"patch: {patch.get('changed_lines')} changed lines, mutation score "
            f"{patch.get('mutation_score')}, coverage {patch.get('coverage')}"
        )
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


def _num(value: Any) -> str:
    if value is None:
        return "-"
    return f"{value:.1f}" if isinstance(value, float) else str(value)


if __name__ == "__main__":
    raise SystemExit(main())
