"""`auditor pr-comment`: render the pull-request comment from stored scorecards, optionally post it.

It runs in the trusted half of a fork-safe workflow (a `workflow_run` job), so it needs nothing but
the scorecard artifacts: no checkout of the untrusted code, no test run.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from auditor.config import Config, load_config
from auditor.errors import EXIT_OK
from auditor.pr import comment, github
from auditor.pr.patch_metrics import load_scorecard
from auditor.project import find_root


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """`auditor pr-comment --scorecard FILE [--base FILE] [--output FILE] [--post] [--pr N] [--repo R]`."""
    parser.add_argument(
        "--scorecard",
        required=True,
        metavar="FILE",
        help="the PR run's JSON scorecard (`auditor scan --diff BASE --json FILE`)",
    )
    parser.add_argument(
        "--base", metavar="FILE", help="the base branch's JSON scorecard, for the project Δ"
    )
    parser.add_argument("--output", metavar="FILE", help="write the markdown to FILE")
    parser.add_argument(
        "--post",
        action="store_true",
        help="post to the PR, updating the previous auditor comment "
        "(GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_EVENT_PATH or --pr)",
    )
    parser.add_argument(
        "--pr", type=int, metavar="N", help="pull request number (default: from the event)"
    )
    parser.add_argument(
        "--repo", metavar="OWNER/NAME", help="repository (default: GITHUB_REPOSITORY)"
    )


def run(args: argparse.Namespace) -> int:
    """Render the comment; write it, post it or print it. UsageError for unreadable scorecards."""
    card = load_scorecard(args.scorecard)
    base = load_scorecard(args.base) if args.base else None
    body = comment.render(card, base=base, config=_config())
    if args.output:
        out = Path(args.output)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(body, encoding="utf-8")
    if args.post:
        target = github.target_from_env(pr=args.pr, repo=args.repo)
        result = github.post_or_update(body, comment.MARKER, target)
        print(
            f"auditor: {result['action']} the comment on {target.repo} PR #{target.pr}"
            + (f": {result['url']}" if result.get("url") else ""),
            file=sys.stderr,
        )
    if not args.output and not args.post:
        sys.stdout.write(body)
    return EXIT_OK


def _config() -> Config:
    """Score weights of the project in the current directory (defaults when there is none)."""
    root = find_root(Path.cwd())
    return load_config(root)
