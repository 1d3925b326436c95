"""Formatting shared by the renderers, so every format words and rounds things the same way.

No numbers are computed here: they all come from `card.summary` / `card.modules` (score.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from auditor import metric_registry
from auditor.metric_registry import Band, Metric
from auditor.model import Scorecard
from auditor.score import card_bands, metric_value
from auditor.summary import ModuleRow, Summary


@dataclass(frozen=True)
class HeadlineRow:
    """One summary row: the metric (label, unit, key), its value, its text and colour band.

    `text` is the formatted value ("77.8%", "n/a"); `note` says why there is no value ("" when
    there is one); `band` is the metric's colour band under the card's thresholds.
    """

    metric: Metric
    value: float | None
    text: str
    note: str
    band: Band


def fmt_pct(value: Any) -> str:
    """`77.8%`, or "n/a" for a value that is not a number."""
    return f"{value:.1f}%" if isinstance(value, (int, float)) else "n/a"


def fmt_score(summary: Summary) -> str:
    """`82.3 (B)`, or "n/a" when no score was computed."""
    if summary.score is None:
        return "n/a"
    return f"{summary.score:.1f} ({summary.grade})"


def not_measured(card: Scorecard, stage: str) -> str:
    """Why a metric of `stage` has no value: the stage's own reason when it did not run."""
    report = card.stage(stage)
    if report is None:
        return f"{stage} stage not run"
    if not report.ran:
        return f"{stage} not run: {report.reason}" if report.reason else f"{stage} not run"
    return "no data"


def module_percentages(row: ModuleRow) -> list[tuple[str, float | None]]:
    """(metric key, value) of a module row's banded percentages, in report column order."""
    return [
        ("line_coverage", row.line_coverage),
        ("branch_coverage", row.branch_coverage),
        ("mutation_score", row.mutation_score),
        ("test_strength", row.test_strength),
    ]


def metric_band(card: Scorecard, key: str, value: Any) -> Band:
    """The colour band of `value` for the metric `key`, with the card's `[thresholds]` bands."""
    number = float(value) if isinstance(value, (int, float)) else None
    return metric_registry.metric(key).band(number, card_bands(card))


def headline(card: Scorecard) -> list[HeadlineRow]:
    """The summary rows of every format (`metric_registry.HEADLINE`, in that order)."""
    bands = card_bands(card)
    rows = []
    for key in metric_registry.HEADLINE:
        metric = metric_registry.metric(key)
        value = metric_value(card, metric)
        note = "" if value is not None else not_measured(card, metric.stage)
        rows.append(
            HeadlineRow(metric, value, metric.format(value), note, metric.band(value, bands))
        )
    return rows


def mutant_line(summary: Summary) -> str:
    """`12 mutants, 8 killed, 3 survived, 1 timeout`; "" when the mutation stage did not run."""
    counts = summary.mutants
    if counts is None:
        return ""
    parts = [f"{counts.total} mutants", f"{counts.killed} killed", f"{counts.survived} survived"]
    for count, label in (
        (counts.timeout, "timeout"),
        (counts.no_coverage, "no coverage"),
        (counts.skipped, "skipped"),
        (counts.error, "error"),
        (counts.equivalent, "equivalent (excluded)"),
    ):
        if count:
            parts.append(f"{count} {label}")
    return ", ".join(parts)


def findings_line(summary: Summary) -> str:
    """`2 error, 1 warning, 0 info`."""
    f = summary.findings
    return f"{f.error} error, {f.warning} warning, {f.info} info"


def mutation_engine(card: Scorecard) -> str:
    """The mutation engine with its settings as the stage reported it ("mutmut 3.8.1 (fork, 2 children)")."""
    report = card.stage("mutation")
    if report and report.engine:
        return report.engine
    version = card.engines.get("mutmut")
    return f"mutmut {version}" if version else "mutmut"


def source_lines(root: Path | str | None, path: str) -> list[str] | None:
    """The project file's lines, read at render time; None when the file is not available.

    Python files are decoded with the encoding their PEP 263 coding line declares (latin-1 source
    shows as written, not as U+FFFD)."""
    if root is None:
        return None
    try:
        data = (Path(root) / path).read_bytes()
    except OSError:
        return None
    encoding = "utf-8"
    if path.endswith(".py"):  # PEP 263: a coding cookie (or a BOM) names the encoding
        import io
        import tokenize

        try:
            encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        except SyntaxError:
            encoding = "utf-8"
    return data.decode(encoding, errors="replace").splitlines()


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
    """Surviving mutants, by file, line and id."""
    return sorted(
        (m for m in card.mutants if m.status == "survived"),
        key=lambda m: (m.path, m.line or 0, m.id),
    )


def verified_line(card: Scorecard) -> str:
    """`3 of 16 survivors re-run by hand: 2 confirmed, 1 refuted (12 verdicts corrected)`;
    "" when no survivor was verified (card.verified_survivors, auditor/mutation/verify.py)."""
    v = card.verified_survivors
    if v is None:
        return ""
    if not v.sampled:
        return "no survivor to re-run by hand"
    which = "every survivor" if v.mode == "all" else f"{v.sampled} of {v.survivors} survivors"
    parts = [f"{v.confirmed} confirmed"]
    if v.refuted:
        parts.append(f"{v.refuted} refuted ({v.corrected} verdicts corrected)")
    if v.unverified:
        parts.append(f"{v.unverified} unverified")
    return f"{which} re-run by hand (fresh copy, plain pytest): " + ", ".join(parts)


def fault_line(fault: Any) -> str:
    """One runner fault (`VerifiedSurvivors.faults` item) in a sentence."""
    return (
        f"{fault.path} {fault.function}: {fault.refuted} survived in the runner but not by hand; "
        f"{fault.cause}; {len(fault.changed)} of {fault.rerun} survivors changed verdict in a "
        f"fresh process"
    )
