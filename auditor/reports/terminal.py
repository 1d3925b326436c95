"""The terminal report (rich): summary, modules, findings by file, top actions; fits 80 columns.

`quiet=True` prints one summary line for scripts and hooks. Colour follows the console, which the
CLI builds with NO_COLOR / `--no-color` honoured; without a console the text is returned instead.
"""

from __future__ import annotations

import io
from typing import Any

from rich import box
from rich.console import Console, Group
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from auditor import metric_registry
from auditor.meta import GateResult
from auditor.model import Scorecard
from auditor.reports import common, flaky_text
from auditor.score import metric_value
from auditor.summary import SurvivorAction
from auditor.textsafe import printable, sanitized

COLOUR = {"high": "green", "medium": "yellow", "low": "red", "none": "dim"}
SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
MAX_FINDINGS_PER_FILE = 25
QUIET_METRICS = ("mutation_score", "test_strength", "line_coverage")


def _style(card: Scorecard, value: Any, key: str) -> str:
    """The rich style of a value of metric `key` (registry bands; dim for unbanded metrics)."""
    return COLOUR[common.metric_band(card, key, value)]


def quiet_line(card: Scorecard, gate_messages: list[str]) -> str:
    """The one-line summary of `--quiet`: score (with its basis), headline metrics, findings, failed gates."""
    s = card.summary
    parts = [f"score {common.fmt_score(s)}"]
    if s.score_basis and s.score_basis != "all components":
        parts[0] += f" [{s.score_basis.split(':')[0]}]"
    for key in QUIET_METRICS:
        metric = metric_registry.metric(key)
        value = metric_value(card, metric)
        if value is not None:
            parts.append(f"{metric.short} {metric.format(value)}")
    f = s.findings
    parts.append(f"findings {f.error}E {f.warning}W {f.info}I")
    if gate_messages:
        parts.append(f"{len(gate_messages)} gate(s) failed")
    return "auditor: " + " | ".join(parts)


def _summary_panel(card: Scorecard) -> Panel:
    s = card.summary
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(justify="right", no_wrap=True)
    grid.add_column(style="dim", overflow="fold")
    score_text = Text(common.fmt_score(s), style=f"bold {_style(card, s.score, 'score')}")
    grid.add_row(metric_registry.metric("score").label, score_text, s.score_basis)
    if s.weights:
        shares = ", ".join(f"{name} {share * 100:.0f}%" for name, share in s.weights.items())
        grid.add_row("", "", f"weights: {shares} (auditor explain-score)")
    missing: dict[str, list[str]] = {}
    for row in common.headline(card):
        if row.note:
            missing.setdefault(row.note, []).append(row.metric.label)
            continue
        style = COLOUR[row.band] if row.metric.banded else ""
        grid.add_row(row.metric.label, Text(row.text, style=style), "")
    grid.add_row("findings", str(s.findings.total), common.findings_line(s))
    if s.mutants is not None:
        grid.add_row(
            "mutants",
            str(s.mutants.total),
            common.mutant_line(s) + f"; engine {common.mutation_engine(card)}",
        )
    if card.verified_survivors is not None:
        v = card.verified_survivors
        style = "red" if v.refuted else "green" if v.confirmed else "yellow"
        grid.add_row(
            "verified", Text(f"{v.confirmed}/{v.sampled}", style=style), common.verified_line(card)
        )
    if s.mutated_share is not None:
        grid.add_row(
            "mutated",
            f"{s.mutated_share:.1f}%",
            f"of covered function code; {s.unmutated or 0} covered unit(s) without mutants",
        )
    pseudo = s.pseudo_tested
    if pseudo is not None and pseudo.checked:
        grid.add_row(
            "pseudo-tested",
            str(pseudo.pseudo_tested),
            f"of {pseudo.checked} functions checked",
        )
    if card.stage_ran("flaky"):
        note = f"{flaky_text.counts_line(card)}; {flaky_text.search_line(card)}"
        grid.add_row("flaky tests", str(len(card.flaky)), note)
    if s.patch:
        for key, note in (
            ("patch_coverage", "changed lines only"),
            ("patch_mutation_score", "mutants on changed lines"),
        ):
            metric = metric_registry.metric(key)
            grid.add_row(metric.short, metric.format(metric_value(card, metric)), note)
    for note, labels in missing.items():
        grid.add_row("not measured", "n/a", f"{', '.join(labels)} ({note})")
    title = f"auditor {card.tool.get('version', '')} scorecard".replace("  ", " ")
    return Panel(grid, title=title, title_align="left", box=box.ROUNDED)


def _stages(card: Scorecard) -> Text | None:
    missing = [s for s in card.stages if not s.ran]
    notes = list(card.meta.notes or [])
    if not missing and not notes:
        return None
    text = Text("\n".join(f"note: {n}" for n in notes) + ("\n" if notes and missing else ""))
    if not missing:
        return text
    text.append("Stages not run: ", style="bold")
    text.append(
        "; ".join(f"{s.name} ({s.reason or 'no reason given'})" for s in missing), style="dim"
    )
    return text


def _common_dir(paths: list[str]) -> str:
    """The directory all paths share ("src/pkg/"), shown once in the title to save columns."""
    parts = [p.split("/")[:-1] for p in paths]
    shared: list[str] = []
    for names in zip(*parts, strict=False):  # shortest path bounds the shared prefix
        if len(set(names)) != 1:
            break
        shared.append(names[0])
    return "/".join(shared) + "/" if shared else ""


def _modules(card: Scorecard) -> Table | None:
    if not card.modules:
        return None
    prefix = _common_dir([row.path for row in card.modules])
    title = f"Modules ({prefix})" if prefix else "Modules"
    table = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left", pad_edge=False)
    table.add_column("module", overflow="fold", ratio=1)
    for column in ("line", "branch", "mutation", "strength", "surv", "pseudo"):
        table.add_column(column, justify="right", no_wrap=True)
    for row in card.modules:
        table.add_row(
            row.path[len(prefix) :],
            *(
                Text(common.fmt_pct(value), style=_style(card, value, key))
                for key, value in common.module_percentages(row)
            ),
            str(row.mutants.survived) if row.mutants else "-",
            str(row.pseudo_tested),
        )
    return table


def _findings(card: Scorecard) -> list[Any]:
    out: list[Any] = []
    groups = common.grouped_findings(card)
    if not groups:
        return out
    out.append(Text(f"Findings ({common.findings_line(card.summary)})", style="bold"))
    for path, findings in groups.items():
        table = Table.grid(padding=(0, 1))
        table.add_column(style="dim", no_wrap=True, justify="right")
        table.add_column(no_wrap=True)
        table.add_column(style="bold", no_wrap=True)
        table.add_column(overflow="fold")
        for finding in findings[:MAX_FINDINGS_PER_FILE]:
            table.add_row(
                f"  {finding.line}:{finding.column}",
                Text(finding.severity, style=SEVERITY_STYLE.get(finding.severity, "")),
                finding.rule,
                finding.message,
            )
        out += [Text(path, style="bold underline"), table]
        if len(findings) > MAX_FINDINGS_PER_FILE:
            out.append(
                Text(
                    f"  ... {len(findings) - MAX_FINDINGS_PER_FILE} more in this file "
                    "(all of them are in --json / --html / --sarif)",
                    style="dim",
                )
            )
    return out


def _diagnostics(card: Scorecard) -> list[Any]:
    out: list[Any] = []
    for diag in card.diagnostics:
        where = f"{diag.path}:{diag.line}" if diag.line else diag.path
        out.append(
            Text.assemble((f"{diag.kind}: ", "bold red"), (f"{where}: ", "bold"), diag.message)
        )
    for unused in card.unused_suppressions:
        where = f"{unused.path}:{unused.line}" if unused.line else unused.path
        out.append(
            Text.assemble(
                ("unused suppression: ", "yellow"),
                (f"{where} ", "bold"),
                f"{', '.join(unused.codes)} ({unused.source}) matches no finding; remove it",
            )
        )
    return out


def _diff_lines(diff: str, limit: int = 2) -> Text:
    """The changed lines of a mutant's diff, red then green (at most `limit` of each)."""
    text = Text()
    for sign, style in (("-", "red"), ("+", "green")):
        lines = [
            ln for ln in diff.splitlines() if ln.startswith(sign) and not ln.startswith(sign * 3)
        ]
        for line in lines[:limit]:
            text.append(f"\n{sign} {line[1:].strip()}", style=style)
    return text


def _actions(card: Scorecard) -> list[Any]:
    if not card.top_actions:
        return []
    table = Table.grid(padding=(0, 1))
    table.add_column(justify="right", no_wrap=True)
    table.add_column(overflow="fold")
    for action in card.top_actions:
        body = Text.assemble((action.where, "bold"), f"  {action.title}")
        if action.evidence == "verified":
            body.append("  (verified by hand)", style="green")
        body.append_text(Text.assemble("\n", (action.how, "dim")))
        if isinstance(action, SurvivorAction) and action.diff:
            body.append_text(_diff_lines(action.diff))
        table.add_row(f"{action.rank}.", body)
    return [Text("Top actions", style="bold"), table]


def _flaky(card: Scorecard) -> list[Any]:
    """Each flaky test: kind, where, the verified cause and the command that reproduces it."""
    if not card.flaky:
        return []
    out: list[Any] = [Text(f"Flaky tests ({flaky_text.counts_line(card)})", style="bold")]
    for entry in card.flaky:
        where = f"{entry.path}:{entry.line}" if entry.line else entry.path
        out.append(
            Text.assemble(("  " + entry.kind, "bold magenta"), f" {entry.test}  ", (where, "dim"))
        )
        out.append(Text("    " + flaky_text.cause(entry)))
        if entry.predicted_by:
            out.append(Text("    predicted by " + ", ".join(entry.predicted_by), style="dim"))
        out.append(Text("    reproduce: " + entry.reproduce, style="cyan"))
    return out


def _unmutated(card: Scorecard, limit: int = 10) -> list[Any]:
    """Covered code without mutants (up to `limit`), so a score is never read as complete."""
    if not card.unmutated:
        return []
    out: list[Any] = [Text("Covered but not mutated", style="bold")]
    for item in card.unmutated[:limit]:
        line = Text(f"  {item.path}:{item.line} ", style="cyan")
        line.append(f"{item.function}: ", style="bold")
        line.append(item.reason, style="dim")
        out.append(line)
    if len(card.unmutated) > limit:
        more = len(card.unmutated) - limit
        out.append(Text(f"  ... and {more} more (JSON: unmutated)", style="dim"))
    return out


def _verification(card: Scorecard) -> list[Any]:
    """Runner faults found by re-running survivors by hand, and why survivors stayed unverified."""
    v = card.verified_survivors
    if v is None or not (v.faults or v.unverified):
        return []
    out: list[Any] = [Text("Verified survivors", style="bold")]
    for fault in v.faults:
        out.append(
            Text.assemble(("  runner fault ", "bold red"), (common.fault_line(fault), "dim"))
        )
    notes = sorted(
        {
            m.verification.note
            for m in card.mutants
            if m.verification and m.verification.result == "unverified"
        }
    )
    for note in notes:
        out.append(Text.assemble(("  unverified ", "yellow"), (note, "dim")))
    return out


def _gates(card: Scorecard, gate_messages: list[str]) -> list[Any]:
    """Every gate with its outcome (from `gates.evaluate`), else just the failure messages."""
    results = card.meta.gates
    if not results:
        results = [GateResult(name="", passed=False, message=m) for m in gate_messages]
    if not results:
        return []
    out: list[Any] = [Text("Quality gates", style="bold")]
    for gate in results:
        if gate.passed:
            out.append(Text.assemble(("  passed ", "green"), gate.name))
        else:
            out.append(Text.assemble(("  failed ", "bold red"), gate.message))
    return out


def render(
    card: Scorecard,
    console: Console | None = None,
    quiet: bool = False,
    gate_messages: list[str] | None = None,
    **_: Any,
) -> str:
    """Print the report on `console`; with no console, return it as plain text."""
    target = console or Console(
        width=80, record=True, no_color=True, file=io.StringIO(), highlight=False
    )
    card = sanitized(card, printable)  # test source must not drive the reader's terminal
    gates = [printable(message) for message in gate_messages or []]
    if quiet:
        target.print(escape(quiet_line(card, gates)), soft_wrap=True, highlight=False)
    else:
        parts: list[Any] = [_summary_panel(card)]
        for extra in (_stages(card), _modules(card)):
            if extra is not None:
                parts.append(extra)
        sections = (
            _diagnostics(card),
            _findings(card),
            _flaky(card),
            _unmutated(card),
            _verification(card),
            _actions(card),
            _gates(card, gates),
        )
        for section in sections:
            if section:
                parts += [Text(""), *section]
        target.print(Group(*parts))
    return target.export_text() if console is None else ""
