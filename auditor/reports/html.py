"""The HTML report (`--html`): one self-contained file for a pre-release review.

Inline CSS, a few lines of inline JS (findings filter) and inline SVG (trend chart): no network, so
it opens from a CI artifact, an e-mail or an air-gapped laptop. Findings show their code, read from
the project at render time; surviving mutants show their diff and, when Hypothesis found one, the
witness and a ready-to-paste test.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from auditor import metric_registry
from auditor.model import Mutant, Scorecard
from auditor.reports import common, flaky_text, html_release
from auditor.reports.html_parts import CSS, JS, trend_svg
from auditor.reports.html_release import inline_code
from auditor.summary import SurvivorAction

MODULE_HEADERS = (
    "module",
    "line cov",
    "branch cov",
    "mutation score",
    "test strength",
    "oracle gap",
    "survivors",
    "pseudo-tested",
)


def _band(card: Scorecard, value: Any, key: str) -> str:
    """The CSS class of a value of metric `key` (registry bands; "none" for unbanded metrics)."""
    return common.metric_band(card, key, value)


def _tile(cls: str, label: str, value: str, note: str) -> str:
    return (
        f'<div class="tile {cls}"><div class="label">{escape(label)}</div>'
        f'<div class="value">{escape(value)}</div><div class="note">{escape(note)}</div></div>'
    )


def _summary(card: Scorecard) -> str:
    s = card.summary
    score_cls = "big " + _band(card, s.score, "score")
    score_label = metric_registry.metric("score").label
    tiles = [_tile(score_cls, score_label, common.fmt_score(s), s.score_basis)]
    for row in common.headline(card):
        tile_class = row.band if row.metric.banded else "neutral"
        tiles.append(_tile(tile_class, row.metric.label, row.text, row.note))
    tiles.append(_tile("neutral", "findings", str(s.findings.total), common.findings_line(s)))
    if s.mutants is not None:
        note = f"{common.mutant_line(s)}; {common.mutation_engine(card)}"
        tiles.append(_tile("neutral", "mutants", str(s.mutants.total), note))
    if card.stage_ran("flaky"):
        note = f"{flaky_text.counts_line(card)}; {flaky_text.search_line(card)}"
        tiles.append(_tile("neutral", "flaky tests", str(len(card.flaky)), note))
    patch = s.patch
    if patch is not None:
        coverage = common.fmt_pct(patch.coverage)
        note = f"mutation score on changed lines; patch coverage {coverage}"
        value = common.fmt_pct(patch.mutation_score)
        cls = _band(card, patch.mutation_score, "patch_mutation_score")
        tiles.append(_tile(cls, "patch", value, note))
    notes = "".join(
        f"<li><b>{escape(e.component)}</b> left out of the score: {escape(e.reason)}</li>"
        for e in s.excluded
    )
    weights = ", ".join(f"{escape(k)} {v * 100:.0f}%" for k, v in s.weights.items())
    return (
        f'<section id="summary"><div class="tiles">{"".join(tiles)}</div>'
        f'<p class="muted">Weights used: {weights or "none"} '
        f"(see <code>auditor explain-score</code>).</p>"
        f'<ul class="muted">{notes}</ul></section>'
    )


def _actions(card: Scorecard) -> str:
    if not card.top_actions:
        return ""
    items = []
    for a in card.top_actions:
        diff = ""
        if isinstance(a, SurvivorAction) and a.diff:
            diff = f'<pre class="diff">{_diff_html(a.diff)}</pre>'
        items.append(
            f'<li><span class="where">{escape(a.where)}</span> <b>{inline_code(a.title)}</b>'
            f'<div class="how">{inline_code(a.how)}</div>{diff}</li>'
        )
    listing = f'<ol class="actions">{"".join(items)}</ol>'
    return f'<section id="actions"><h2>Top actions</h2>{listing}</section>'


def _bar(card: Scorecard, value: Any, key: str) -> str:
    if not isinstance(value, (int, float)):
        return '<td class="num muted">n/a</td>'
    width = max(0.0, min(100.0, value))
    return (
        f'<td class="num"><span class="bar {_band(card, value, key)}" '
        f'style="width:{width:.0f}%"></span>'
        f'<span class="barlabel">{value:.1f}%</span></td>'
    )


def _modules(card: Scorecard) -> str:
    if not card.modules:
        return ""
    rows = []
    for m in card.modules:
        survivors = m.mutants.survived if m.mutants else "-"
        rows.append(
            f"<tr><td><code>{escape(m.path)}</code></td>"
            + "".join(_bar(card, value, key) for key, value in common.module_percentages(m))
            + f'<td class="num">{escape(common.fmt_pct(m.oracle_gap))}</td>'
            + f'<td class="num">{survivors}</td>'
            + f'<td class="num">{m.pseudo_tested}</td></tr>'
        )
    head = "".join(f"<th>{h}</th>" for h in MODULE_HEADERS)
    return (
        '<section id="modules"><h2>Modules</h2><table class="modules">'
        f"<thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></section>"
    )


def _diff_html(diff: str) -> str:
    out = []
    for line in diff.splitlines():
        added = line.startswith("+") and not line.startswith("+++")
        removed = line.startswith("-") and not line.startswith("---")
        cls = "add" if added else "del" if removed else "ctx"
        out.append(f'<span class="{cls}">{escape(line) or " "}</span>')
    return "".join(out)  # spans are blocks: a newline between them would double the spacing


def _mutant_html(m: Mutant) -> str:
    witness = ""
    if m.witness:
        w = m.witness
        code = f'<pre class="code">{escape(w.test_code)}</pre>' if w.test_code else ""
        witness = (
            f'<div class="witness"><b>Witness</b> <code>{escape(w.call)}</code> gives '
            f"<code>{escape(w.original)}</code> on your code but "
            f"<code>{escape(w.mutant)}</code> on the mutant{code}</div>"
        )
    elif m.likely_equivalent:
        witness = '<div class="witness muted">No witness found: likely equivalent.</div>'
    if m.verification is not None:
        v = m.verification
        text = {
            "confirmed": "Verified by hand: the tests pass with it applied to a fresh copy.",
            "refuted": f"Refuted by hand: {v.killed_by or v.by_hand} ({v.note}).",
            "unverified": f"Not verified: {v.note}",
        }[v.result]
        witness += f'<div class="witness muted">{escape(text)}</div>'
    tests = f"{len(m.covered_by)} covering test(s)" if m.covered_by else "no covering test recorded"
    meta = " · ".join(escape(part) for part in (m.operator, m.id, tests) if part)
    summary = (
        f'<span class="where">{escape(m.path)}:{m.line or "?"}</span> '
        f'<b>{escape(m.function or m.id)}</b> <span class="muted">{meta}</span>'
    )
    body = f'<pre class="diff">{_diff_html(m.diff) or escape(m.description)}</pre>{witness}'
    search = " ".join([m.path, m.function, m.operator, m.id, m.diff, m.description])
    return html_release.survivor_details(summary, search, body)


def _survivors(card: Scorecard) -> str:
    if not card.stage_ran("mutation"):
        return ""
    items = [_mutant_html(m) for m in common.survivors(card)]
    body = "".join(items) or '<p class="muted">No surviving mutants.</p>'
    verified = ""
    if card.verified_survivors is not None:
        faults = "".join(
            f'<div class="witness">Runner fault: {escape(common.fault_line(f))}</div>'
            for f in card.verified_survivors.faults
        )
        verified = f'<p class="muted">{escape(common.verified_line(card))}</p>{faults}'
    toolbar = html_release.survivors_toolbar(len(items))
    return (
        f'<section id="survivors"><h2>Surviving mutants ({len(items)})</h2>{verified}{toolbar}{body}'
        "</section>"
    )


def _measurement_notes(card: Scorecard) -> str:
    """Covered code without mutants, test modules pytest skipped, pytest options overridden."""
    parts = []
    if card.unmutated:
        share = card.summary.mutated_share
        head = f" ({share}% of covered function code was mutated)" if share is not None else ""
        rows = "".join(
            f"<div>{_where(u.path, u.line)} <b>{escape(u.function)}</b> "
            f'<span class="muted">{escape(u.reason)}</span></div>'
            for u in card.unmutated
        )
        parts.append(f"<h3>Covered but not mutated ({len(card.unmutated)}){head}</h3>{rows}")
    if card.skipped_modules:
        rows = "".join(
            f"<div>{_where(m.path, None)} {len(m.tests)} test(s) skipped: "
            f'<span class="muted">{escape(m.reason)}</span></div>'
            for m in card.skipped_modules
        )
        parts.append(f"<h3>Test modules skipped by pytest</h3>{rows}")
    if card.pytest_overrides:
        rows = "".join(
            f"<div><code>{escape(o.option)}</code> ({escape(o.source)}): "
            f'<span class="muted">{escape(o.reason)}</span></div>'
            for o in card.pytest_overrides
        )
        parts.append(f"<h3>pytest options not passed on</h3>{rows}")
    if not parts:
        return ""
    return f'<section id="measurement"><h2>What was not measured</h2>{"".join(parts)}</section>'


def _excerpt_html(lines: list[str] | None, line: int, end_line: int | None) -> str:
    rows = common.excerpt(lines, line, end_line)
    if not rows:
        return ""
    last = end_line or line
    spans = "".join(
        f'<span class="{"hit" if line <= n <= last else "ctx"}">'
        f'<span class="ln">{n:>4}</span> {escape(text)}</span>'
        for n, text in rows
    )
    return f'<pre class="code">{spans}</pre>'


def _where(path: str, line: int | None) -> str:
    return f'<span class="where">{escape(path)}{":" + str(line) if line else ""}</span>'


def _input_problems(card: Scorecard) -> str:
    diagnostics = "".join(
        f'<div class="finding sev-error"><span class="sev">{escape(d.kind)}</span> '
        f"{_where(d.path, d.line)} {escape(d.message)}</div>"
        for d in card.diagnostics
    )
    unused = "".join(
        f'<div class="finding sev-info"><span class="sev">unused</span> {_where(u.path, u.line)} '
        f"suppression of {escape(', '.join(u.codes))} ({escape(u.source)}) matches no finding: "
        "remove it</div>"
        for u in card.unused_suppressions
    )
    return diagnostics + unused


def _findings(card: Scorecard, root: Path | str | None) -> str:
    blocks = []
    for path, findings in common.grouped_findings(card).items():
        lines = common.source_lines(root, path)
        items = []
        for f in findings:
            text = escape(f"{f.rule} {f.severity} {f.path} {f.message}".lower())
            items.append(
                f'<div class="finding sev-{f.severity}" data-text="{text}">'
                f'<div><span class="sev">{f.severity}</span> <b>{escape(f.rule)}</b> '
                f"{_where(path, f.line)} {inline_code(f.message)}</div>"
                f"{_excerpt_html(lines, f.line, f.end_line)}</div>"
            )
        summary = f"<summary><code>{escape(path)}</code> ({len(findings)})</summary>"
        blocks.append(f"<details open>{summary}{''.join(items)}</details>")
    extra = _input_problems(card)
    title = f"<h2>Findings ({escape(common.findings_line(card.summary))})</h2>"
    if not blocks and not extra:
        return f'<section id="findings">{title}<p class="muted">No findings.</p></section>'
    search = (
        '<input id="filter" type="search" placeholder="filter findings (rule, severity, text)">'
        if blocks
        else ""
    )
    return f'<section id="findings">{title}{extra}{search}{"".join(blocks)}</section>'


def _flaky(card: Scorecard) -> str:
    if not card.stage_ran("flaky"):
        return ""
    title = f"<h2>Flaky tests ({escape(flaky_text.counts_line(card))})</h2>"
    if not card.flaky:
        note = escape(flaky_text.search_line(card))
        return f'<section id="flaky">{title}<p class="muted">None found ({note}).</p></section>'
    items = []
    for entry in card.flaky:
        predicted = (
            f'<div class="muted">predicted by {escape(", ".join(entry.predicted_by))}</div>'
            if entry.predicted_by
            else ""
        )
        items.append(
            f'<div class="finding"><div><span class="sev">{escape(entry.kind)}</span> '
            f"<b>{escape(entry.test)}</b> {_where(entry.path, entry.line)}</div>"
            f"<div>{escape(flaky_text.cause(entry))}</div>{predicted}"
            f"<pre><code>{escape(entry.reproduce)}</code></pre></div>"
        )
    return f'<section id="flaky">{title}{"".join(items)}</section>'


def _header(card: Scorecard, title: str, root: Path | str | None = None) -> str:
    stages = "".join(
        f"<li><b>{escape(s.name)}</b>: {'ran' if s.ran else 'not run'}"
        f"{' — ' + escape(s.reason) if s.reason else ''}"
        f"{' (' + escape(s.engine) + ')' if s.engine else ''}</li>"
        for s in card.stages
    )
    version = escape(card.tool.get("version", ""))
    tests = escape(", ".join(card.project.tests))
    return (
        f"<header><h1>{escape(title)}</h1>"
        f"{html_release.identity_html(html_release.identity(card, root))}"
        f'<p class="muted">auditor {version} · tests: {tests}</p>'
        f'<ul class="stages">{stages}</ul></header>'
    )


def render(
    card: Scorecard,
    root: Path | str | None = None,
    history: list[dict[str, Any]] | None = None,
    **_: Any,
) -> str:
    """The whole page as one self-contained HTML document.

    `history` is the list of recorded scans (`auditor.history.load`), oldest first, for the trend
    chart; the caller reads it, rendering reads no state. `root` is the project root, used to show
    the source lines of findings.
    """
    title = f"auditor scorecard — {', '.join(card.project.source) or card.project.root}"
    trend = f'<section id="trend"><h2>Trend</h2>{trend_svg(history or [])}</section>'
    body = "".join(
        [
            _header(card, title, root),
            html_release.gates_section(card),
            _summary(card),
            _actions(card),
            trend,
            _modules(card),
            _survivors(card),
            _measurement_notes(card),
            _findings(card, root),
            _flaky(card),
        ]
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{CSS}{html_release.CSS}</style></head>"
        f"<body><main>{body}</main><script>{JS}{html_release.SURVIVOR_FILTER_JS}</script>"
        "</body></html>\n"
    )
