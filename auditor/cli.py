"""Command line: argument parsing, output files, exit codes. No logic of its own.

Every sub-command takes `--no-color`, `--quiet` and `--verbose`. Exit codes are in
`auditor.errors` and the README: a crash (EXIT_INTERNAL) is never confused with a missed gate.
SIGTERM/SIGHUP behave like Ctrl-C (`auditor.procs.install_signal_handlers`): child process groups
are ended, finished results are kept, and the exit code is 128 + the signal number.

Sub-commands that belong to one subsystem (merge, pr-comment, history, suggest, explain-score) live
in that subsystem's module, which exports `add_arguments(parser)` and `run(args) -> int`; they are
listed in `SUBSYSTEM_COMMANDS`.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from auditor import procs
from auditor.errors import (
    DEBUG_ENV,
    EXIT_GATE_FAILED,
    EXIT_INTERNAL,
    EXIT_OK,
    EXIT_TOOL,
    AuditorError,
    UsageError,
    internal_error_message,
)
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

STATE_COMMANDS = ("history", "suggest")  # sub-commands that read `.auditor/` state

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
        raise argparse.ArgumentTypeError(
            f"rule codes look like TQ101 or a prefix like TQ1; got {bad[0]!r}"
        )
    return codes


def _jobs(value: str) -> int:
    try:
        jobs = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--jobs takes a whole number; got {value!r}") from None
    if jobs < 1:
        raise argparse.ArgumentTypeError(f"--jobs must be 1 or more; got {jobs}")
    return jobs


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
    from auditor.gates import check_limit

    metric, sep, number = value.partition("=")
    if not sep:
        raise argparse.ArgumentTypeError(
            f"--fail-under takes METRIC=VALUE, e.g. score=70; got {value!r}"
        )
    try:
        limit = float(number)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--fail-under value must be a number; got {number!r}"
        ) from None
    try:
        check_limit(metric.strip(), limit, f"--fail-under {value}")
    except UsageError as exc:
        raise argparse.ArgumentTypeError(exc.message) from None
    return metric.strip(), limit


def common_options() -> argparse.ArgumentParser:
    """`--no-color`, `--quiet`, `--verbose`: accepted by every sub-command (like ruff's)."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--no-color", action="store_true", help="no colours (NO_COLOR is honoured too)"
    )
    common.add_argument("--quiet", "-q", action="store_true", help="print less (only the summary)")
    common.add_argument(
        "--verbose",
        "-v",
        action="store_true",
        help="print more, and a traceback on an internal error (AUDITOR_DEBUG=1 does too)",
    )
    return common


def _cache_dir_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--cache-dir",
        metavar="DIR",
        help="keep all state (caches, workspaces, history, lock) in DIR instead of .auditor/ "
        "(also AUDITOR_CACHE_DIR); lets a read-only checkout be audited",
    )


def build_parser() -> argparse.ArgumentParser:
    common = common_options()
    parser = argparse.ArgumentParser(
        prog="auditor",
        description="Would your tests catch a bug? Audits a project's tests with coverage.py, "
        "mutmut, libcst and Hypothesis and reports one scorecard.",
    )
    parser.add_argument("--version", action="version", version=f"auditor {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    scan = sub.add_parser(
        "scan", parents=[common], help="audit a test suite and report the scorecard"
    )
    scan.add_argument(
        "tests", nargs="?", help="tests directory (default: pytest testpaths, else ./tests)"
    )
    scan.add_argument(
        "--only", type=_stage_list, help=f"run only these stages ({','.join(STAGES)})"
    )
    scan.add_argument("--skip", type=_stage_list, default=set(), help="skip these stages")
    scan.add_argument(
        "--diff", metavar="BASE", help="pull-request mode: only what changed since git BASE"
    )
    scan.add_argument(
        "--base-scorecard", metavar="FILE", help="project-wide numbers of the base branch"
    )
    for dest, fmt in OUTPUT_FLAGS.items():
        scan.add_argument(
            f"--{fmt}", dest=dest, metavar="FILE", help=f"write the {fmt} report to FILE"
        )
    scan.add_argument(
        "--format",
        choices=["terminal", "json", "markdown", "sarif"],
        default="terminal",
        help="what goes to stdout (default: terminal)",
    )
    scan.add_argument(
        "--fail-under",
        type=_gate,
        action="append",
        default=[],
        metavar="METRIC=VALUE",
        help="quality gate, e.g. mutation_score=70 (repeatable); exit 1 when missed",
    )
    scan.add_argument(
        "--ratchet",
        action="store_true",
        help="fail when a metric drops below the last recorded value",
    )
    scan.add_argument(
        "--select",
        type=_codes,
        metavar="CODES",
        help="static rules to run (codes/prefixes, comma-separated; replaces the defaults)",
    )
    scan.add_argument(
        "--extend-select",
        type=_codes,
        metavar="CODES",
        help="enable these rules on top of the defaults, e.g. TQ102,TQ306",
    )
    scan.add_argument("--ignore", type=_codes, metavar="CODES", help="disable these rules")
    scan.add_argument("--baseline", metavar="FILE", help="hide findings recorded in this baseline")
    scan.add_argument(
        "--write-baseline", metavar="FILE", help="record current findings as the baseline"
    )
    scan.add_argument(
        "--shard", type=_shard, metavar="K/N", help="run a deterministic 1/N of the mutants"
    )
    scan.add_argument(
        "--jobs", "-j", type=_jobs, metavar="N", help="parallel workers (default: all cores)"
    )
    scan.add_argument(
        "--executor",
        choices=("local", "dask"),
        help="where mutants run: this machine (default) or a Dask cluster",
    )
    scan.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="Dask scheduler, e.g. tcp://HOST:8786 (default: a local Dask cluster)",
    )
    scan.add_argument(
        "--no-cache", action="store_true", help="ignore cached results under .auditor/"
    )
    _cache_dir_option(scan)
    scan.add_argument(
        "--exit-zero",
        action="store_true",
        help="exit 0 even when a quality gate is missed (errors still exit non-zero)",
    )

    rules = sub.add_parser("rules", parents=[common], help="list every static rule")
    rules.add_argument(
        "--all", action="store_true", help="(kept for symmetry; all rules are listed)"
    )
    explain = sub.add_parser(
        "explain", parents=[common], help="explain one rule, e.g. `auditor explain TQ112`"
    )
    explain.add_argument("code")
    init = sub.add_parser(
        "init", parents=[common], help="add .auditor/ to .gitignore and a [tool.auditor] stub"
    )
    init.add_argument("path", nargs="?", default=".")

    for name, (module_name, help_text) in SUBSYSTEM_COMMANDS.items():
        module = importlib.import_module(module_name)
        command = sub.add_parser(name, parents=[common], help=help_text)
        module.add_arguments(command)
        if name in STATE_COMMANDS:
            _cache_dir_option(command)
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
        cache_dir=args.cache_dir,
        quiet=args.quiet,
        console=None if args.quiet or args.format != "terminal" else err_console,
        fail_under=dict(args.fail_under),
        ratchet=args.ratchet,
        executor=args.executor,
        scheduler=args.scheduler,
    )
    for metric in options.fail_under:
        gates.check_metric(metric)  # a typo fails now, not after a long mutation run
    project = load_project(options.tests, cache_dir=options.cache_dir)
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
    trend = history.load(project) if args.html else []

    for dest, fmt in OUTPUT_FLAGS.items():
        target = getattr(args, dest)
        if target:
            text = reports.render(fmt, card, root=project.root, history=trend)
            _write_output(Path(target), text, f"--{fmt}")

    if args.format == "terminal":
        console = make_console(args.no_color)
        reports.renderer("terminal")(
            card, console=console, quiet=args.quiet, gate_messages=gate_messages
        )
    else:
        sys.stdout.write(reports.render(args.format, card, root=project.root))

    errors = card.meta.tool_errors or []
    if errors:
        for error in errors:
            err_console.print(f"[bold red]error[/]: {escape(error.message)}", markup=True)
        return EXIT_TOOL
    if gate_messages:
        if args.format != "terminal" or args.quiet:  # the full terminal report already lists them
            for message in gate_messages:
                err_console.print(
                    f"[bold red]quality gate failed[/]: {escape(message)}", markup=True
                )
        if args.exit_zero:
            err_console.print("exit code 0 because of --exit-zero", markup=False)
            return EXIT_OK
        return EXIT_GATE_FAILED
    return EXIT_OK


def escape(text: str) -> str:
    """`text` safe to print through rich: markup such as `[tool.auditor]` stays literal, and
    control characters (terminal escape sequences from test source) are shown, not obeyed."""
    from rich.markup import escape as rich_escape

    from auditor.textsafe import printable

    return rich_escape(printable(text))


def _write_output(target: Path, text: str, flag: str) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(
            f"{flag}: cannot write {target} ({exc.strerror}). Choose a writable path."
        ) from None


def cmd_rules(args: argparse.Namespace) -> int:
    from auditor.static.docs import print_rules

    print_rules(make_console(args.no_color))
    return EXIT_OK


def cmd_explain(args: argparse.Namespace) -> int:
    from auditor.static.docs import print_explain

    print_explain(make_console(args.no_color), args.code)
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
    debug = bool(getattr(args, "verbose", False) or os.environ.get(DEBUG_ENV))
    restore = _install_signal_handlers()
    try:
        if args.command in COMMANDS:
            return COMMANDS[args.command](args)
        module = importlib.import_module(SUBSYSTEM_COMMANDS[args.command][0])
        return int(module.run(args))
    except AuditorError as exc:
        _print_error(f"auditor: {exc.message}")
        return exc.exit_code
    except KeyboardInterrupt as exc:  # Ctrl-C, and SIGTERM/SIGHUP via procs.Interrupted
        procs.stop_all()
        name = "terminated" if isinstance(exc, procs.Interrupted) else "interrupted"
        _print_error(
            f"auditor: {name}. Child processes were stopped; finished results are kept in the "
            f"state directory (.auditor/ by default); run the same command again to resume "
            f"where it stopped."
        )
        return procs.exit_code_for(exc)
    except BrokenPipeError:
        # `auditor explain-score | head`: the reader went away; exit quietly like coreutils do
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except Exception as exc:  # a bug in auditor: its own exit code, never the gate's
        if debug:
            traceback.print_exc(file=sys.stderr)
        _print_error(f"auditor: {internal_error_message(exc, args.command)}")
        return EXIT_INTERNAL
    finally:
        restore()


def _print_error(text: str) -> None:
    with contextlib.suppress(OSError, ValueError):
        print(text, file=sys.stderr, flush=True)


def _install_signal_handlers() -> Callable[[], None]:
    """SIGTERM/SIGHUP like Ctrl-C (only possible in the main thread; API callers keep theirs)."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    return procs.install_signal_handlers()
