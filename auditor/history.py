"""Scan history in `.auditor/history.jsonl`: trends, the HTML trend chart and the `--ratchet` gate.

Every full scan (not a shard, not a `--diff` run, no engine failure) appends one JSON line: date,
commit, branch, the stages that ran and the headline metrics. JSON lines rather than SQLite: the
file is append-only, diffable, trivially merged, and a truncated last line loses one scan, not the
history. `auditor history` prints the trend.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from auditor import metric_registry
from auditor.model import Scorecard
from auditor.score import raw_metric_value

HISTORY_FILE = "history.jsonl"
BASE_BRANCHES = ("main", "master")
COLUMNS = ("date", "branch", "commit", "score", "mutation", "strength", "line", "errors")


def _git(root: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() or None if done.returncode == 0 else None


def git_info(root: Path) -> dict[str, str | None]:
    """Commit and branch; a detached CI checkout takes the branch from the CI's environment."""
    branch = _git(root, "rev-parse", "--abbrev-ref", "HEAD")
    if branch in (None, "HEAD"):
        branch = (
            os.environ.get("GITHUB_HEAD_REF")
            or os.environ.get("GITHUB_REF_NAME")
            or os.environ.get("CI_COMMIT_REF_NAME")
            or branch
        )
    return {"commit": _git(root, "rev-parse", "HEAD"), "branch": branch}


def entry_for(card: Scorecard, root: Path, now: datetime | None = None) -> dict[str, Any]:
    """One history line for the card: date (UTC), commit, branch, stages run and the tracked metrics
    (`metric_registry.TRACKED`, plus grade and survivors).
    """
    summary = card.summary
    metrics: dict[str, Any] = {
        key: raw_metric_value(card, metric_registry.metric(key)) for key in metric_registry.TRACKED
    }
    metrics["grade"] = summary.grade
    metrics["survived"] = summary.mutants.survived if summary.mutants else None
    return {
        "date": (now or datetime.now(timezone.utc)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        **git_info(root),
        "stages": list(summary.stages_included),
        "metrics": metrics,
        "tool_version": card.tool.get("version", ""),
    }


def history_path(root: Path) -> Path:
    return root / ".auditor" / HISTORY_FILE


def load(root: Path) -> list[dict[str, Any]]:
    """All recorded entries, oldest first; unreadable lines (a crash mid-write) are skipped."""
    path = history_path(root)
    if not path.is_file():
        return []
    entries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(entry, dict) and isinstance(entry.get("metrics"), dict):
            entries.append(entry)
    return entries


def should_record(card: Scorecard, options: Any) -> bool:
    return not (card.meta.tool_errors or options.shard or options.diff)


def record(card: Scorecard, project: Any, options: Any = None) -> Path | None:
    """Append this scan to the history (when it is a full scan); returns the file written."""
    if options is not None and not should_record(card, options):
        return None
    path = history_path(project.root)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(entry_for(card, project.root), sort_keys=True) + "\n")
    except OSError as exc:  # a read-only checkout must not cost the user the scan's reports
        card.meta.add_note(f"history not recorded: cannot write {path}: {exc}")
        return None
    return path


def base_entry(entries: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The last entry recorded on main/master, else the last entry."""
    on_base = [entry for entry in entries if entry.get("branch") in BASE_BRANCHES]
    candidates = on_base or entries
    return candidates[-1] if candidates else None


def ratchet_messages(card: Scorecard, project: Any) -> list[str]:
    """One message per tracked metric that got worse than on the base entry.

    `score` is compared only between scans of the same stages: a static-only score and a full
    score measure different things.
    """
    base = base_entry(load(project.root))
    if base is None:
        return []
    current = entry_for(card, project.root)["metrics"]
    commit = str(base.get("commit") or "?")[:8]
    where = f"commit {commit} on {base.get('branch') or '?'}, {base.get('date')}"
    messages = []
    for metric in metric_registry.TRACKED:
        definition = metric_registry.metric(metric)
        before, now = base["metrics"].get(metric), current.get(metric)
        if not isinstance(before, (int, float)) or not isinstance(now, (int, float)):
            continue
        if metric == "score" and sorted(base.get("stages") or []) != sorted(
            card.summary.stages_included
        ):
            continue
        worse = now < before if definition.higher_is_better else now > before
        if worse:
            unit = definition.suffix
            messages.append(
                f"ratchet: {metric} went from {before:g}{unit} ({where}) to {now:g}{unit}."
            )
    return messages


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", nargs="?", default=".", help="project root (default: .)")
    parser.add_argument("--limit", type=int, default=20, help="show the last N scans (default 20)")
    parser.add_argument("--json", action="store_true", help="print the entries as JSON lines")


def _cell(value: Any, previous: Any, unit: str = "%") -> str:
    """The value, with its change since the previous scan when it moved: `42% +1.0`.

    Only the score and the mutation score show their change, so the table fits 80 columns.
    """
    if not isinstance(value, (int, float)):
        return "-"
    text = f"{value:g}{unit}"
    if isinstance(previous, (int, float)) and previous != value:
        text += f" {value - previous:+.1f}"
    return text


def run(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    from auditor.errors import UsageError
    from auditor.project import find_root

    start = Path(args.path)
    if not start.exists():
        raise UsageError(
            f"'{start}' does not exist. Run `auditor history` in (or give it) a project root."
        )
    root = find_root(start.resolve())
    entries = load(root)
    shown = entries[-max(1, args.limit) :]
    if args.json:
        for entry in shown:
            print(json.dumps(entry, sort_keys=True))
        return 0
    console = Console(no_color=bool(os.environ.get("NO_COLOR")), highlight=False)
    if not entries:
        console.print(f"No scans recorded yet in {history_path(root)}. Run `auditor scan` first.")
        return 0
    table = Table(
        title=f"auditor history: {len(entries)} scans",
        caption=str(history_path(root)),
        box=None,
        pad_edge=False,
        header_style="bold underline",
    )
    for column in COLUMNS:
        left = column in ("date", "branch", "commit")
        table.add_column(
            column,
            justify="left" if left else "right",
            no_wrap=column != "branch",
            min_width=6 if column == "branch" else None,
        )
    offset = len(entries) - len(shown)
    for index, entry in enumerate(shown):
        before = entries[offset + index - 1] if offset + index > 0 else {}
        prev = before.get("metrics") or {}
        # a score is only comparable with a scan of the same stages
        same_stages = sorted(before.get("stages") or []) == sorted(entry.get("stages") or [])
        m = entry["metrics"]
        table.add_row(
            str(entry.get("date", ""))[:10],
            str(entry.get("branch") or "-"),
            str(entry.get("commit") or "-")[:7],
            f"{_cell(m.get('score'), prev.get('score') if same_stages else None, '')} "
            f"{m.get('grade') or ''}".strip(),
            _cell(m.get("mutation_score"), prev.get("mutation_score")),
            _cell(m.get("test_strength"), None),
            _cell(m.get("line_coverage"), None),
            _cell(m.get("errors"), None, ""),
        )
    console.print(table)
    return 0
