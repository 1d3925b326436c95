"""Command line: argument parsing, output files, exit codes. No logic of its own.

Sub-commands that belong to one subsystem (merge, pr-comment, history, suggest, explain-score) live
in that subsystem's module, which exports `add_arguments(parser)` and `run(args) -> int`; they are
listed in `SUBSYSTEM_COMMANDS`.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from pathlib import Path
from typing import Any

from auditor.errors import EXIT_GATE_FAILED, EXIT_OK, EXIT_TOOL, AuditorError, UsageError
from auditor.model import STAGES
from auditor.version import __version__

OUTPUT_FLAGS: dict[str, str] = {
    "json": "json",
    "html": "html",
    "sarif": "sarif",
    "markdown": "markdown",
    "mutation_report": "mutation-report",
    "badge": "badge",
    "junit": "junit",
}

SUBSYSTEM_COMMANDS: dict[str, tuple[str, str]] = {
    "merge": ("auditor.pr.merge", "combine shard scorecards into one"),
    "pr-comment": ("auditor.pr.command", "render (and post) the pull-request comment"),
    "history": ("auditor.history", "print the trend of recorded scans"),
    "suggest": ("auditor.properties.suggest", "list suggested tests that kill surviving mutants"),
    "explain-score": ("auditor.scoredoc", "explain how the overall score is computed"),
}


def _stage_list(value: str) -> set[str]:
    names = {v.strip() for v in value.split(",") if v.strip()}
    unknown = names - set(STAGES)
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown stage {sorted(unknown)[0]!r}; choose from {', '.join(STAGES)}"
        )
    return names


def _codes(value: str) -> list[str]:
    codes = [v.strip().upper() for v in value.split(",") if v.strip()]
    bad = [c for c in codes if not c.startswith("TQ") and c != "ALL"]
    if bad:
        raise argparse.ArgumentTypeError(f"rule codes look like TQ101 or a prefix like TQ1; got {bad[0]!r}")
    return codes


def _shard(value: str) -> tuple[int, int]:
    try:
        k_text, n_text = value.split("/")
        k, n = int(k_text), int(n_text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--shard takes K/N, e.g. 1/4; got {value!r}") from None
    if n < 1 or not 1 <= k <= n:
        raise argparse.ArgumentTypeError(f"--shard K/N needs 1 <= K <= N; got {value!r}")
    return k, n


def _gate(value: str) -> tuple[str, float]:
    metric, sep, number = value.partition("=")
    if not sep:
        raise argparse.ArgumentTypeError(f"--fail-under takes METRIC=VALUE, e.g. score=70; got {value!r}")
    try:
        return metric.strip(), float(number)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--fail-under value must be a number; got {number!r}") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="auditor",
        description="Would your tests catch a bug? Audits a project's tests with coverage.py, "
        "mutmut, libcst and Hypothesis and reports one scorecard.",
    )
    parser.add_argument("--version", action="version", version=f"auditor {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    scan = sub.add_parser("scan", help="audit a test suite and report the scorecard")
    scan.add_argument("tests", nargs="?", help="tests directory (default: pytest testpaths, else ./tests)")
    scan.add_argument("--only", type=_stage_list, help=f"run only these stages ({','.join(STAGES)})")
    scan.add_argument("--skip", type=_stage_list, default=set(), help="skip these stages")
    scan.add_argument("--diff", metavar="BASE", help="pull-request mode: only what changed since git BASE")
    scan.add_argument("--base-scorecard", metavar="FILE", help="project-wide numbers of the base branch")
    for dest, fmt in OUTPUT_FLAGS.items():
        scan.add_argument(f"--{fmt}", dest=dest, metavar="FILE", help=f"write the {fmt} report to FILE")
    scan.add_argument(
        "--format",
        choices=["terminal", "json", "markdown", "sarif"],
        default="terminal",
        help="what goes to stdout (default: terminal)",
    )
    scan.add_argument("--fail-under", type=_gate, action="append", default=[], metavar="METRIC=VALUE",
                      help="quality gate, e.g. mutation_score=70 (repeatable); exit 1 when missed")
    scan.add_argument("--ratchet", action="store_true",
                      help="fail when a metric drops below the last recorded value")
    scan.add_argument("--select", type=_codes, metavar="CODES",
                      help="static rules to run (codes/prefixes, comma-separated; replaces the defaults)")
    scan.add_argument("--extend-select", type=_codes, metavar="CODES",
                      help="enable these rules on top of the defaults, e.g. TQ102,TQ306")
    scan.add_argument("--ignore", type=_codes, metavar="CODES", help="disable these rules")
    scan.add_argument("--baseline", metavar="FILE", help="hide findings recorded in this baseline")
    scan.add_argument("--write-baseline", metavar="FILE", help="record current findings as the baseline")
    scan.add_argument("--shard", type=_shard, metavar="K/N", help="run a deterministic 1/N of the mutants")
    scan.add_argument("--jobs", "-j", type=int, metavar="N", help="parallel workers (default: all cores)")
    scan.add_argument("--executor", choices=("local", "dask"),
                      help="where mutants run: this machine (default) or a Dask cluster")
    scan.add_argument("--scheduler", metavar="ADDRESS",
                      help="Dask scheduler, e.g. tcp://HOST:8786 (default: a local Dask cluster)")
    scan.add_argument("--no-cache", action="store_true", help="ignore cached results under .auditor/")
    scan.add_argument("--quiet", "-q", action="store_true", help="only the summary line")
    scan.add_argument("--no-color", action="store_true", help="no colours (NO_COLOR is honoured too)")

    rules = sub.add_parser("rules", help="list every static rule")
    rules.add_argument("--all", action="store_true", help="(kept for symmetry; all rules are listed)")
    explain = sub.add_parser("explain", help="explain one rule, e.g. `auditor explain TQ112`")
    explain.add_argument("code")
    init = sub.add_parser("init", help="add .auditor/ to .gitignore and a [tool.auditor] stub")
    init.add_argument("path", nargs="?", default=".")

    for name, (module_name, help_text) in SUBSYSTEM_COMMANDS.items():
        module = importlib.import_module(module_name)
        command = sub.add_parser(name, help=help_text)
        module.add_arguments(command)
    return parser


def make_console(no_color: bool = False, stderr: bool = False) -> Any:
    from rich.console import Console

    color = not (no_color or os.environ.get("NO_COLOR"))
    return Console(stderr=stderr, no_color=not color, highlight=False, soft_wrap=False)


def cmd_scan(args: argparse.Namespace) -> int:
    from auditor import gates, history, reports
    from auditor.api import audit
    from auditor.options import Options
    from auditor.project import load_project

    err_console = make_console(args.no_color, stderr=True)
    options = Options(
        tests=args.tests,
        only=args.only,
        skip=args.skip,
        jobs=args.jobs,
        diff=args.diff,
        base_scorecard=args.base_scorecard,
        baseline=args.baseline,
        write_baseline=args.write_baseline,
        shard=args.shard,
        use_cache=not args.no_cache,
        quiet=args.quiet,
        console=None if args.quiet or args.format != "terminal" else err_console,
        fail_under=dict(args.fail_under),
        ratchet=args.ratchet,
        executor=args.executor,
        scheduler=args.scheduler,
    )
    for metric in options.fail_under:
        gates.check_metric(metric)  # a typo fails now, not after a long mutation run
    project = load_project(options.tests)
    # rule selection flags override [tool.auditor] (like ruff's --select/--extend-select/--ignore)
    if args.select is not None:
        project.config.select = args.select
    if args.extend_select is not None:
        project.config.extend_select = [*project.config.extend_select, *args.extend_select]
    if args.ignore is not None:
        project.config.ignore = [*project.config.ignore, *args.ignore]
    card = audit(options, project)

    gate_messages: list[str] = gates.evaluate(card, options, project)
    history.record(card, project, options)
    trend = history.load(project.root) if args.html else []

    for dest, fmt in OUTPUT_FLAGS.items():
        target = getattr(args, dest)
        if target:
            text = reports.render(fmt, card, root=project.root, history=trend)
            Path(target).parent.mkdir(parents=True, exist_ok=True)
            Path(target).write_text(text, encoding="utf-8")

    if args.format == "terminal":
        console = make_console(args.no_color)
        reports.renderer("terminal")(card, console=console, quiet=args.quiet, gate_messages=gate_messages)
    else:
        sys.stdout.write(reports.render(args.format, card, root=project.root))

    errors = card.meta.tool_errors or []
    if errors:
        for error in errors:
            err_console.print(f"[bold red]error[/]: {error.message}", markup=True)
        return EXIT_TOOL
    if gate_messages:
        if args.format != "terminal" or args.quiet:  # the full terminal report already lists them
            for message in gate_messages:
                err_console.print(f"[bold red]quality gate failed[/]: {message}", markup=True)
        return EXIT_GATE_FAILED
    return EXIT_OK


def cmd_rules(args: argparse.Namespace) -> int:
    from auditor.static.docs import print_rules

    print_rules(make_console())
    return EXIT_OK


def cmd_explain(args: argparse.Namespace) -> int:
    from auditor.static.docs import print_explain

    print_explain(make_console(), args.code)
    return EXIT_OK


def cmd_init(args: argparse.Namespace) -> int:
    root = Path(args.path)
    if not root.is_dir():
        raise UsageError(f"'{root}' is not a directory. Run `auditor init` in your project root.")
    gitignore = root / ".gitignore"
    lines = gitignore.read_text(encoding="utf-8").splitlines() if gitignore.exists() else []
    if ".auditor/" not in lines and ".auditor" not in lines:
        lines.append(".auditor/")
        gitignore.write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"added .auditor/ to {gitignore}")
    pyproject = root / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8") if pyproject.exists() else ""
    if "[tool.auditor]" not in text:
        stub = '\n[tool.auditor]\n# select = ["TQ"]\n# ignore = []\n# [tool.auditor.gate]\n# mutation_score = 60\n'
        pyproject.write_text(text + stub, encoding="utf-8")
        print(f"added a [tool.auditor] section to {pyproject}")
    return EXIT_OK


COMMANDS = {"scan": cmd_scan, "rules": cmd_rules, "explain": cmd_explain, "init": cmd_init}


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_OK
    try:
        if args.command in COMMANDS:
            return COMMANDS[args.command](args)
        module = importlib.import_module(SUBSYSTEM_COMMANDS[args.command][0])
        return int(module.run(args))
    except AuditorError as exc:
        print(f"auditor: {exc.message}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(
            "auditor: interrupted. Finished results are kept under .auditor/; run the same command "
            "again to resume where it stopped.",
            file=sys.stderr,
        )
        return 130
    except BrokenPipeError:
        # `auditor explain-score | head`: the reader went away; exit quietly like coreutils do
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
