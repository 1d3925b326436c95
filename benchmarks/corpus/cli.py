"""`python -m benchmarks.corpus COMMAND`: list, setup, oracle, scan, table, path."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import env, oracle, registry, scan, table, traits


def _cmd_list(args: argparse.Namespace) -> int:
    bad = 0
    for p in registry.PROJECTS:
        state = "venv" if env.venv_ready(p) else ("sdist" if env.sdist_path(p) else "-")
        print(
            f"{p.key:24} {p.package:14} tests={p.tests or '(default)':18} [{state}]"
            f"{' heavy' if p.heavy else ''}\n    {' '.join(sorted(p.traits))}"
        )
        if args.verify:
            found = traits.detect(p, env.pristine(p))
            if found != p.traits:
                bad += 1
                print(
                    f"    MISMATCH declared-only={sorted(p.traits - found)} "
                    f"detected-only={sorted(found - p.traits)}"
                )
    return 1 if bad else 0


def _cmd_setup(args: argparse.Namespace) -> int:
    failed = 0
    for p in registry.select(args.names):
        try:
            python = env.setup(
                p, auditor=Path(args.auditor).resolve(), python=args.python, force=args.force
            )
            print(f"{p.key}: {python}")
        except env.SetupError as exc:
            failed += 1
            print(f"{p.key}: FAILED {exc}", file=sys.stderr)
    return 1 if failed else 0


def _cmd_oracle(args: argparse.Namespace) -> int:
    for p in registry.select(args.names):
        if not env.venv_ready(p):
            print(f"{p.key}: not set up (run setup first)", file=sys.stderr)
            continue
        result = oracle.compute(p, env.venv_python(p), timeout=args.timeout, force=args.force)
        cov = result["coverage"]
        print(
            f"{p.key}: pytest exit {result['pytest']['exit_code']} "
            f"{table.counts_text(result['pytest']['counts'])} "
            f"({result['pytest']['seconds']}s); collected {result['collect']['count']} in "
            f"{len(result['collect']['files'])} files; line {cov['line_percent']}% "
            f"(pytest under coverage: exit {cov['exit_code']} {table.counts_text(cov['counts'])})"
        )
    return 0


def _cmd_scan(args: argparse.Namespace) -> int:
    auditor = Path(args.auditor).resolve()
    for p in registry.select(args.names):
        python = env.runner_python(p, auditor)
        record = scan.run_scan(
            p,
            python,
            args.auditor_args,
            auditor=auditor,
            tests=args.tests,
            timeout=args.timeout,
            max_mutants=args.max_mutants,
            label=args.label,
        )
        summary = (record.scorecard or {}).get("summary", {})
        print(
            f"{p.key} [{record.label}]: exit {record.exit_code} in {record.seconds}s; "
            f"line {summary.get('line_coverage')} mutants "
            f"{table.mutants_text(summary.get('mutants'))}; "
            f"{'; '.join(table.diagnose(oracle.latest(p), record.to_json()))}"
        )
    return 0


def _cmd_table(args: argparse.Namespace) -> int:
    rows = []
    for p in registry.select(args.names):
        record = scan.load(p, args.label)
        if record is None and args.skip_missing:
            continue
        rows.append(table.row(p.key, oracle.latest(p), record))
    print(table.render(rows))
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    auditor_args: list[str] = []
    if "--" in argv:
        cut = argv.index("--")
        argv, auditor_args = argv[:cut], argv[cut + 1 :]
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.corpus",
        description=f"cache: {env.cache_root()} (${env.ENV_VAR})",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p_list = sub.add_parser("list", help="the registry, set-up state and traits")
    p_list.add_argument(
        "--verify",
        action="store_true",
        help="re-derive traits from the sdists and show differences (exit 1)",
    )
    p_setup = sub.add_parser("setup", help="download, verify, extract, build the venv")
    p_oracle = sub.add_parser("oracle", help="pytest / collect-only / coverage.py ground truth")
    p_scan = sub.add_parser("scan", help="auditor scan on a fresh copy: `scan NAME -- ARGS`")
    p_table = sub.add_parser("table", help="markdown table: oracle vs the saved scans")
    for p in (p_setup, p_oracle, p_scan, p_table):
        p.add_argument("names", nargs="+", help="project names, `all`, or `light` (not heavy)")
    for p in (p_setup, p_scan):
        p.add_argument(
            "--auditor",
            default=str(env.REPO),
            help="auditor checkout to use (default: the one holding this script)",
        )
    p_setup.add_argument("--python", default=sys.executable, help="interpreter for the venvs")
    for p in (p_setup, p_oracle):
        p.add_argument("--force", action="store_true", help="rebuild / recompute")
    for p in (p_oracle, p_scan):
        p.add_argument("--timeout", type=float, default=1800.0, help="seconds per command")
    p_scan.add_argument("--tests", default=None, help="tests argument (default: the registry's)")
    p_scan.add_argument(
        "--max-mutants",
        type=int,
        default=None,
        help="mutation budget written to the copy's [tool.auditor.mutation]",
    )
    for p in (p_scan, p_table):
        p.add_argument("--label", default=None, help="record name (default: from the arguments)")
    p_table.add_argument("--skip-missing", action="store_true", help="omit unscanned projects")
    sub.add_parser("path", help="print the cache directory")
    args = parser.parse_args(argv)
    args.auditor_args = auditor_args
    if args.command == "path":
        print(env.cache_root())
        return 0
    if args.command == "table" and args.label is None:
        args.label = scan.label_for(auditor_args, None)
    handlers = {
        "list": _cmd_list,
        "setup": _cmd_setup,
        "oracle": _cmd_oracle,
        "scan": _cmd_scan,
        "table": _cmd_table,
    }
    return handlers[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
