"""Formatting shared by the renderers, so every format words and rounds things the same way.

No numbers are computed here: they all come from `card.summary` / `card.modules` (score.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from auditor.model import Scorecard

# summary key -> (label, stage that measures it)
HEADLINE: tuple[tuple[str, str, str], ...] = (
    ("mutation_score", "mutation score", "mutation"),
    ("test_strength", "test strength", "mutation"),
    ("line_coverage", "line coverage", "coverage"),
    ("branch_coverage", "branch coverage", "coverage"),
    ("oracle_gap", "oracle gap", "coverage"),
    ("property_reach", "property-test reach", "properties"),
)


def fmt_pct(value: Any) -> str:
    return f"{value:.1f}%" if isinstance(value, (int, float)) else "n/a"


def fmt_score(summary: dict[str, Any]) -> str:
    score = summary.get("score")
    if not isinstance(score, (int, float)):
        return "n/a"
    return f"{score:.1f} ({summary.get('grade')})"


def not_measured(card: Scorecard, stage: str) -> str:
    """Why a metric of `stage` has no value: the stage's own reason when it did not run."""
    report = card.stage(stage)
    if report is None:
        return f"{stage} stage not run"
    if not report.ran:
        return f"{stage} not run: {report.reason}" if report.reason else f"{stage} not run"
    return "no data"


def headline(card: Scorecard) -> list[tuple[str, str, str]]:
    """(label, value, note) rows for the summary of every format."""
    summary = card.summary
    rows = []
    for key, label, stage in HEADLINE:
        value = summary.get(key)
        rows.append((label, fmt_pct(value), "" if value is not None else not_measured(card, stage)))
    return rows


def mutant_line(summary: dict[str, Any]) -> str:
    counts = summary.get("mutants")
    if not counts:
        return ""
    parts = [
        f"{counts['total']} mutants",
        f"{counts['killed']} killed",
        f"{counts['survived']} survived",
    ]
    for key, label in (
        ("timeout", "timeout"),
        ("no_coverage", "no coverage"),
        ("skipped", "skipped"),
        ("error", "error"),
        ("equivalent", "equivalent (excluded)"),
    ):
        if counts.get(key):
            parts.append(f"{counts[key]} {label}")
    return ", ".join(parts)


def findings_line(summary: dict[str, Any]) -> str:
    f = summary.get("findings") or {}
    return f"{f.get('error', 0)} error, {f.get('warning', 0)} warning, {f.get('info', 0)} info"


def mutation_engine(card: Scorecard) -> str:
    report = card.stage("mutation")
    if report and report.engine:
        return report.engine
    version = card.engines.get("mutmut")
    return f"mutmut {version}" if version else "mutmut"


def source_lines(root: Path | str | None, path: str) -> list[str] | None:
    """The project file's lines, read at render time; None when the file is not available."""
    if root is None:
        return None
    try:
        return (Path(root) / path).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None


def excerpt(
    lines: list[str] | None, line: int, end_line: int | None = None, context: int = 2
) -> list[tuple[int, str]]:
    """(line number, text) around a 1-based line range, for findings shown with their code."""
    if not lines or line < 1:
        return []
    first = max(1, line - context)
    last = min(len(lines), (end_line or line) + context, line + 12)
    return [(n, lines[n - 1]) for n in range(first, last + 1)]


def grouped_findings(card: Scorecard) -> dict[str, list[Any]]:
    """Findings by file, files sorted, findings by line then rule."""
    groups: dict[str, list[Any]] = {}
    for finding in sorted(card.findings, key=lambda f: (f.path, f.line, f.column, f.rule)):
        groups.setdefault(finding.path, []).append(finding)
    return groups


def survivors(card: Scorecard) -> list[Any]:
    return sorted(
        (m for m in card.mutants if m.status == "survived"),
        key=lambda m: (m.path, m.line or 0, m.id),
    )
