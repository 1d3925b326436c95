"""Markdown report: the pull-request comment (`pr-comment`, `scan --markdown`, `--format markdown`).

Shaped after what reviewers act on (Codecov's and Arcmutate's comments, Google's surfaced mutants):
a headline with the patch numbers and the project delta, a table per changed file, each surfaced
surviving mutant with its diff and, when Hypothesis found one, a ready regression test, then new
findings and a footer that says what was not looked at and why. GitHub rejects bodies over 65,536
characters, so long parts are collapsed and truncated with a count, never silently cut.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from auditor import metric_registry
from auditor.config import Config, PrConfig
from auditor.counts import MutantCounts
from auditor.model import Finding, Mutant, Scorecard
from auditor.patch_model import Patch, ProjectNumbers
from auditor.pr import patch_metrics

MARKER = "<!-- auditor-pr-comment -->"
MAX_CHARS = 65_536
BUDGET = 60_000  # room kept for the footer and the truncation notes
COLLAPSE_ROWS = 15
MAX_FINDINGS = 50
MAX_DIFF_LINES = 40
# project-wide rows of the Δ table (a subset of `metric_registry.PROJECT_DELTA`)
DELTA_ROWS = ("score", "mutation_score", "test_strength", "line_coverage", "branch_coverage")


def render(
    card: Scorecard, base: Scorecard | None = None, config: Config | None = None, **_: Any
) -> str:
    """The comment body; `base` (a stored base-branch scorecard) adds the project Δ."""
    project = _project_numbers(card, base, config)
    parts = [MARKER, _title(card), _headline(card, project)]
    if project is not None:
        parts.append(_delta_table(project))
    parts.append(_files_section(card))
    used = sum(len(p) for p in parts)
    survivors, notes = _survivors_section(card, BUDGET - used)
    parts.append(survivors)
    used += len(survivors)
    parts.append(_findings_section(card, max(0, BUDGET - used), notes))
    parts.append(_footer(card, notes))
    text = "\n\n".join(p for p in parts if p).rstrip() + "\n"
    if len(text) > MAX_CHARS:  # last resort; the budgets above keep us far from here
        cut = "\n\n…(truncated to fit GitHub's 65,536-character limit)\n"
        text = text[: MAX_CHARS - len(cut)] + cut
    return text


def _project_numbers(
    card: Scorecard, base: Scorecard | None, config: Config | None
) -> ProjectNumbers | None:
    if base is not None:
        return patch_metrics.project_numbers(card, base, config)
    return (card.patch.project if card.patch else None) or card.meta.project_delta


def _title(card: Scorecard) -> str:
    patch = card.patch
    if patch is not None:
        short = patch.merge_base[:10]
        since = f" since `{patch.base}`" + (f" (merge-base `{short}`)" if short else "")
        title = "### 🧪 auditor: would the tests catch a bug in this change?"
        return f"{title}\n<sub>Changes{since}</sub>"
    return "### 🧪 auditor: would the tests catch a bug?"


def _headline(card: Scorecard, project: ProjectNumbers | None) -> str:
    patch, summary = card.patch, card.summary
    items: list[str] = []
    if patch is not None:
        counts = patch.mutants or MutantCounts()
        if patch.mutation_score is not None:
            items.append(
                f"**Patch mutation score {_pct(patch.mutation_score)}** "
                f"({counts.detected} of {counts.valid} mutants on changed lines detected)"
            )
        elif patch.mutants is None:
            items.append("**Patch mutation score –** (the mutation stage did not run)")
        else:
            items.append("**Patch mutation score –** (no mutants on changed lines)")
        if patch.coverage is not None:
            items.append(
                f"**Patch coverage {_pct(patch.coverage)}** ({patch.covered_lines} "
                f"of {patch.coverable_lines} changed statements run by tests)"
            )
        elif patch.coverable_lines == 0:
            items.append("**Patch coverage –** (no coverable changed lines)")
    else:
        if summary.mutation_score is not None:
            items.append(f"**Mutation score {_pct(summary.mutation_score)}**")
        if summary.line_coverage is not None:
            items.append(f"**Line coverage {_pct(summary.line_coverage)}**")
    # a PR run's own score covers the change only; project-wide needs the base scorecard's verdicts
    if project is not None:
        head_score = project.head.score
    else:
        head_score = None if patch is not None else summary.score
    if head_score is not None:
        grade = (project.head.grade if project else None) or summary.grade
        delta = project.delta.score if project else None
        text = f"**Project score {head_score}**" + (f" ({grade})" if grade else "")
        items.append(text + (f" {_delta(delta)} vs base" if delta is not None else ""))
    return " · ".join(items) if items else "_No stage produced a number (see the footer)._"


def _delta_table(project: ProjectNumbers) -> str:
    rows = ["| project | base | head | Δ |", "|---|---:|---:|---:|"]
    for key in DELTA_ROWS:
        metric = metric_registry.metric(key)
        before, after = project.base.get(key), project.head.get(key)
        if before is None and after is None:
            continue
        delta = project.delta.get(key)
        label = "score" if key == "score" else metric.label
        unit = metric.suffix
        rows.append(
            f"| {label} | {_num(before, unit)} | {_num(after, unit)} | "
            f"{_delta(delta) if delta is not None else '–'} |"
        )
    reused = project.reused_from_base
    note = (
        f"\n\n<sub>Head estimate: verdicts of {reused} unchanged mutants reused from the base "
        f"scorecard, the rest from this run.</sub>"
        if reused
        else ""
    )
    return "\n".join(rows) + note


def _files_section(card: Scorecard) -> str:
    patch = card.patch
    if patch is not None:
        rows = _patch_file_rows(card, patch)
        header = (
            "| changed file | lines | patch coverage | killed | survived | no cov. | "
            "patch mutation score |\n|---|---:|---:|---:|---:|---:|---:|"
        )
        title = "#### Changed files"
    else:
        rows = _module_rows(card)
        header = "| module | line coverage | mutation score | survived |\n|---|---:|---:|---:|"
        title = "#### Modules"
    if not rows:
        return ""
    table = header + "\n" + "\n".join(rows)
    if len(rows) > COLLAPSE_ROWS:
        return f"{title}\n\n<details><summary>{len(rows)} files</summary>\n\n{table}\n\n</details>"
    return f"{title}\n\n{table}"


def _patch_file_rows(card: Scorecard, patch: Patch) -> list[str]:
    lines = patch_metrics.changed_from_patch(patch)
    coverage = patch.file_coverage or {}
    mutation = {f.path: f for f in patch.files}
    findings = Counter(f.path for f in patch_metrics.new_findings(card))
    rows = []
    for path in sorted(p for p in lines if p.endswith(".py")):
        cov = coverage.get(path)
        mut = mutation.get(path)
        if cov is None and mut is None:
            kind = "not measured"
            if _is_test_file(card, path):
                kind = "test file" + (
                    f", {_n(findings[path], 'new finding')}" if path in findings else ""
                )
            rows.append(f"| `{_cell(path)}` | {len(lines[path])} | {kind} | | | | |")
            continue
        counts = mut.mutants if mut else MutantCounts()
        rows.append(
            f"| `{_cell(path)}` | {len(lines[path])} | {_pct(cov.coverage if cov else None)} | "
            f"{counts.killed + counts.timeout} | {counts.survived} | "
            f"{counts.no_coverage} | {_pct(mut.mutation_score if mut else None)} |"
        )
    return rows


def _is_test_file(card: Scorecard, path: str) -> bool:
    return any(path == t or path.startswith(t.rstrip("/") + "/") for t in card.project.tests)


def _module_rows(card: Scorecard) -> list[str]:
    rows = []
    for module in card.modules:
        rows.append(
            f"| `{_cell(module.path)}` | {_pct(module.line_coverage)} | "
            f"{_pct(module.mutation_score)} | "
            f"{module.mutants.survived if module.mutants else '–'} |"
        )
    return rows


def _survivors_section(card: Scorecard, budget: int) -> tuple[str, list[str]]:
    notes: list[str] = []
    if card.patch is not None:
        survivors = patch_metrics.patch_survivors(card)
        hidden = card.patch.hidden_survivors
        scope = "on changed lines"
    else:
        every = [m for m in card.mutants if m.status == "survived"]
        survivors, _ = patch_metrics.surface(every, PrConfig().max_survivors, 1)
        hidden = len(every) - len(survivors)
        scope = "(top of the list)"
    if not survivors:
        return "", notes
    blocks: list[str] = []
    used = 0
    for mutant in survivors:
        block = _mutant_block(mutant)
        if used + len(block) > budget:
            break
        blocks.append(block)
        used += len(block)
    cut = len(survivors) - len(blocks)
    if cut:
        notes.append(
            f"{_n(cut, 'surfaced surviving mutant')} not shown to keep the comment under GitHub's "
            f"size limit"
        )
    if hidden:
        notes.append(
            f"{_n(hidden, 'more surviving mutant')} {scope} not surfaced (at most "
            f"{card.patch.max_per_line if card.patch else 1} per line and "
            f"{card.patch.max_survivors if card.patch else PrConfig().max_survivors} "
            f"per report; see the full report)"
        )
    title = f"#### 🧟 Surviving mutants {scope}: {len(blocks)} shown"
    if hidden or cut:
        title += f" of {len(survivors) + hidden}"
    intro = (
        "Each change below leaves every test passing. Add a test that fails on the mutated "
        "code, or mark the line `# pragma: no mutate` with a reason if the change is harmless."
    )
    return "\n\n".join([title, intro, *blocks]), notes


def _mutant_block(mutant: Mutant) -> str:
    where = f"{mutant.path}:{mutant.line}" if mutant.line else mutant.path
    label = f" ({mutant.operator})" if mutant.operator else ""
    lines = [f"**`{_cell(where)}`** in `{mutant.function or '?'}`{label} — `{mutant.id}`"]
    if mutant.likely_equivalent:
        lines.append(
            "_Likely equivalent: no input distinguishing it was found; check before acting._"
        )
    if mutant.diff:
        diff = mutant.diff.rstrip("\n").split("\n")
        if len(diff) > MAX_DIFF_LINES:
            diff = [*diff[:MAX_DIFF_LINES], f"… {len(diff) - MAX_DIFF_LINES} more diff lines"]
        lines.append(_fenced("\n".join(diff), "diff"))
    elif mutant.description:
        lines.append(mutant.description)
    witness = mutant.witness
    if witness is not None:
        lines.append(
            f"Witness: `{witness.call}` gives `{_short(witness.original)}` on the original "
            f"and `{_short(witness.mutant)}` on the mutant."
        )
        if witness.test_code:
            lines.append(
                "<details><summary>Suggested test</summary>\n\n"
                + _fenced(witness.test_code.rstrip("\n"), "python")
                + "\n\n</details>"
            )
    return "\n\n".join(lines)


def _findings_section(card: Scorecard, budget: int, notes: list[str]) -> str:
    findings: list[Finding]
    if card.patch:
        findings = patch_metrics.new_findings(card)
        title = "#### New findings in changed test files"
    else:
        findings = list(card.findings)
        title = "#### Findings"
    if not findings:
        return ""
    order = {"error": 0, "warning": 1, "info": 2}
    findings.sort(key=lambda f: (order.get(f.severity, 3), f.path, f.line, f.rule))
    rows: list[str] = []
    used = 0
    for finding in findings[:MAX_FINDINGS]:
        row = (
            f"- `{_cell(finding.path)}:{finding.line}` **{finding.rule}** ({finding.severity}): "
            f"{_inline(finding.message)}"
        )
        if used + len(row) > budget:
            break
        rows.append(row)
        used += len(row) + 1
    if len(rows) < len(findings):
        notes.append(
            f"{_n(len(findings) - len(rows), 'more finding')} not listed (see the full report)"
        )
    body = "\n".join(rows)
    if len(rows) > COLLAPSE_ROWS:
        body = f"<details><summary>{len(rows)} findings</summary>\n\n{body}\n\n</details>"
    return f"{title}\n\n{body}"


def _footer(card: Scorecard, notes: list[str]) -> str:
    items = list(notes)
    patch = card.patch
    counts = (patch.mutants if patch else None) or MutantCounts()
    if counts.no_coverage:
        items.append(
            f"{_n(counts.no_coverage, 'mutant')} on changed lines that no test runs are counted "
            f"as undetected but not listed: they are a coverage problem (see patch coverage)"
        )
    if patch is not None and patch.uncovered:
        spots = ", ".join(f"`{p}` {r}" for p, r in sorted(patch.uncovered.items())[:10])
        items.append(f"changed lines not run by any test: {spots}")
    for reason, count in patch_metrics.skip_reasons(card.mutants).items():
        items.append(f"{_n(count, 'mutant')} skipped: {reason}")
    for stage in card.stages:
        if not stage.ran:
            items.append(f"stage `{stage.name}` not run: {stage.reason or 'no reason given'}")
    if patch is not None and patch.project is None:
        items.append(
            "no project-wide Δ: pass the base branch's scorecard "
            "(`pr-comment --base base.json` or `scan --base-scorecard base.json`)"
        )
    others = [p for p in (patch.changed_files if patch else []) if not p.endswith(".py")]
    if others:
        items.append(f"{len(others)} changed non-Python files not analysed")
    engines = ", ".join(f"{k} {v}" for k, v in sorted(card.engines.items()) if v != "not installed")
    text = "<details><summary>What was skipped, and why</summary>\n\n"
    text += "\n".join(f"- {item}" for item in items) if items else "- nothing"
    text += "\n\n</details>"
    version = card.tool.get("version", "")
    return (
        f"{text}\n\n<sub>auditor {version} · {engines}. Scores from different engines or operator "
        f"sets are not comparable.</sub>"
    )


def _n(count: int, noun: str) -> str:
    """`1 mutant`, `2 mutants`."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _fenced(text: str, lang: str) -> str:
    """A code fence longer than any backtick run inside (so a diff with ``` cannot break out)."""
    longest = run = 0
    for ch in text:
        run = run + 1 if ch == "`" else 0
        longest = max(longest, run)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{lang}\n{text}\n{fence}"


def _pct(value: Any) -> str:
    return "–" if value is None else f"{float(value):.1f}%"


def _num(value: Any, unit: str) -> str:
    return "–" if value is None else f"{float(value):.1f}{unit}"


def _delta(value: float | None) -> str:
    if value is None:
        return "–"
    if value > 0:
        return f"▲ +{value:.1f}"
    if value < 0:
        return f"▼ {value:.1f}"
    return "± 0.0"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("`", "'")


def _inline(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(str(text).split()).replace("`", "'")
    return text if len(text) <= limit else text[: limit - 1] + "…"
