"""SARIF 2.1.0 (`--sarif`) for GitHub code scanning: static findings and surviving mutants.

Two runs, told apart by `automationDetails.id` ("auditor/static/" and "auditor/mutation/") so each
is its own code-scanning category. Every property GitHub requires is filled (listed in docs/reports.md).
`partialFingerprints.primaryLocationLineHash` is the finding's content fingerprint (or a hash of the
mutant's file, function and change), never a line number: an alert survives unrelated edits above
it. GitHub shows at most 5,000 results per run, so each run is capped there, most severe first,
and the run says how many were left out.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from auditor.model import Finding, Mutant, Scorecard
from auditor.reports import common
from auditor.reports.mutation_report import location

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
MAX_RESULTS_PER_RUN = 5000
LEVEL = {"error": "error", "warning": "warning", "info": "note"}
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
MUTATION_RULES: dict[str, dict[str, str]] = {
    "MUT001": {
        "name": "surviving-mutant",
        "short": "A change to the code under test made no test fail",
        "full": "The mutation engine changed this code and every test that runs it still "
        "passed, so a real bug of the same shape would go unnoticed.",
        "help": "Add or strengthen an assertion so that a test fails on the mutated code. When the "
        "mutant is a true equivalent, mark the line `# pragma: no mutate`.",
    },
    "MUT002": {
        "name": "pseudo-tested-function",
        "short": "Tests run this function but none fails when its whole body is removed",
        "full": "Extreme mutation (Descartes) replaced the function body with a constant and every "
        "covering test still passed: the tests execute it without checking what it does.",
        "help": "Assert on what the function returns or changes in at least one covering test.",
    },
}


def _text(value: str, limit: int = 1024) -> str:
    value = " ".join(value.split()) or "-"
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _registry() -> dict[str, Any]:
    try:
        from auditor.static.registry import all_rules
    except ImportError:
        return {}
    try:
        return {rule.code: rule for rule in all_rules()}
    except Exception:  # a broken rule module must not cost the user the whole report
        return {}


def _static_rule(code: str, findings: list[Finding], registry: dict[str, Any]) -> dict[str, Any]:
    rule = registry.get(code)
    severity = rule.severity if rule else findings[0].severity
    name = (rule.name if rule else findings[0].name) or code
    summary = (rule.summary if rule else "") or findings[0].message
    docs: dict[str, str] = {}
    if rule is not None and hasattr(rule, "docs"):
        try:
            docs = rule.docs()
        except Exception:
            docs = {}
    why = docs.get("Why it matters", "")
    full = " ".join(p for p in (docs.get("What it does", summary), why) if p)
    help_md = (
        "\n\n".join(
            f"**{title}**\n\n"
            + (
                f"```python\n{docs[title]}\n```"
                if title in ("Example", "Use instead")
                else docs[title]
            )
            for title in ("What it does", "Why it matters", "Example", "Use instead")
            if docs.get(title)
        )
        or summary
    )
    return {
        "id": code,
        "name": name,
        "shortDescription": {"text": _text(summary)},
        "fullDescription": {"text": _text(full or summary)},
        "help": {
            "text": f"{summary} Run `auditor explain {code}` for examples.",
            "markdown": help_md,
        },
        "defaultConfiguration": {"level": LEVEL.get(severity, "warning")},
        "properties": {
            "tags": ["test-quality"],
            "precision": "high" if getattr(rule, "tier", "") == "P" else "medium",
            "problem.severity": "recommendation" if severity == "info" else severity,
        },
    }


def _region(
    line: int, column: int, end_line: int | None, end_column: int | None, lines: list[str] | None
) -> dict[str, int]:
    """GitHub needs all four numbers; a missing end is the end of the (last) line."""
    end_line = max(end_line or line, line)
    if end_column is None:
        text = lines[end_line - 1] if lines and 1 <= end_line <= len(lines) else ""
        end_column = len(text) + 1
    if end_line == line and end_column <= column:
        end_column = column + 1
    return {"startLine": line, "startColumn": column, "endLine": end_line, "endColumn": end_column}


def _physical(path: str, region: dict[str, int]) -> list[dict[str, Any]]:
    return [{"physicalLocation": {"artifactLocation": {"uri": path}, "region": region}}]


def _cap(results: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], int]:
    results.sort(key=lambda r: SEVERITY_ORDER.get({"note": "info"}.get(r["level"], r["level"]), 3))
    return results[:MAX_RESULTS_PER_RUN], max(0, len(results) - MAX_RESULTS_PER_RUN)


def _run(
    card: Scorecard,
    automation_id: str,
    rules: list[dict[str, Any]],
    results: list[dict[str, Any]],
    skipped: int,
) -> dict[str, Any]:
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "auditor",
                "semanticVersion": card.tool.get("version", "0.0.0"),
                "rules": rules,
            }
        },
        "automationDetails": {"id": automation_id},
        "results": results,
        "columnKind": "unicodeCodePoints",
    }
    if skipped:
        run["invocations"] = [
            {
                "executionSuccessful": True,
                "toolExecutionNotifications": [
                    {
                        "level": "warning",
                        "message": {
                            "text": f"{skipped} lower-severity results were left out: GitHub "
                            f"code scanning shows at most {MAX_RESULTS_PER_RUN} results per run. "
                            "The JSON report has all of them."
                        },
                    }
                ],
            }
        ]
    return run


def static_run(card: Scorecard, root: Path | str | None) -> dict[str, Any]:
    """The SARIF run of the static findings (rules with their metadata, results most severe first)."""
    registry = _registry()
    by_rule: dict[str, list[Finding]] = {}
    for finding in card.findings:
        by_rule.setdefault(finding.rule, []).append(finding)
    codes = sorted(by_rule)
    rules = [_static_rule(code, by_rule[code], registry) for code in codes]
    index = {code: i for i, code in enumerate(codes)}
    results = []
    cache: dict[str, list[str] | None] = {}
    for f in sorted(card.findings, key=lambda f: (f.path, f.line, f.column, f.rule)):
        lines = cache.setdefault(f.path, common.source_lines(root, f.path))
        fingerprint = (
            f.fingerprint
            or hashlib.sha256(f"{f.rule}|{f.path}|{f.test}|{f.message}".encode()).hexdigest()[:16]
        )
        results.append(
            {
                "ruleId": f.rule,
                "ruleIndex": index[f.rule],
                "level": LEVEL.get(f.severity, "warning"),
                "message": {"text": _text(f.message, 4000)},
                "locations": _physical(
                    f.path, _region(f.line, f.column or 1, f.end_line, f.end_column, lines)
                ),
                "partialFingerprints": {"primaryLocationLineHash": fingerprint},
            }
        )
    kept, skipped = _cap(results)
    return _run(card, "auditor/static/", rules, kept, skipped)


def mutant_fingerprint(mutant: Mutant) -> str:
    """Content, not position: file, function and the changed text of the diff."""
    removed_added = [
        ln for ln in mutant.diff.splitlines() if ln[:1] in "+-" and ln[:3] not in ("---", "+++")
    ]
    key = (
        "|".join([mutant.path, mutant.function, mutant.operator, *removed_added])
        if removed_added
        else mutant.id
    )
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def mutation_run(card: Scorecard, root: Path | str | None) -> dict[str, Any]:
    """The SARIF run of the surviving mutants (only the surfaced ones in pull-request mode)."""
    rules = [
        {
            "id": code,
            "name": r["name"],
            "shortDescription": {"text": r["short"]},
            "fullDescription": {"text": r["full"]},
            "help": {"text": r["help"]},
            "defaultConfiguration": {"level": "warning"},
            "properties": {
                "tags": ["test-quality", "mutation-testing"],
                "precision": "medium",
                "problem.severity": "warning",
            },
        }
        for code, r in MUTATION_RULES.items()
    ]
    engine = common.mutation_engine(card)
    results = []
    for mutant in common.survivors(card):
        lines = common.source_lines(root, mutant.path)
        loc, replacement = location(mutant, lines)
        region = {
            "startLine": loc["start"]["line"],
            "startColumn": loc["start"]["column"],
            "endLine": loc["end"]["line"],
            "endColumn": loc["end"]["column"],
        }
        message = f"Surviving mutant {mutant.id} ({engine}): " + (
            f"replacing this with `{replacement}` " if replacement else "this change "
        )
        message += f"made none of the {len(mutant.covered_by)} covering test(s) fail."
        if mutant.witness:
            w = mutant.witness
            message += f" Witness: {w.sentence()}."
        if mutant.likely_equivalent:
            message += " No witness found: it may be equivalent."
        results.append(
            {
                "ruleId": "MUT001",
                "ruleIndex": 0,
                "level": "warning",
                "message": {"text": _text(message, 4000)},
                "locations": _physical(mutant.path, region),
                "partialFingerprints": {"primaryLocationLineHash": mutant_fingerprint(mutant)},
            }
        )
    for item in card.pseudo_tested:
        if item.status != "pseudo_tested":
            continue
        lines = common.source_lines(root, item.path)
        key = hashlib.sha256(f"pseudo|{item.path}|{item.function}".encode()).hexdigest()[:16]
        results.append(
            {
                "ruleId": "MUT002",
                "ruleIndex": 1,
                "level": "warning",
                "message": {
                    "text": f"{item.function} is pseudo-tested: {len(item.covered_by)} "
                    "test(s) run it, none fails when its body is replaced."
                },
                "locations": _physical(item.path, _region(item.line, 1, None, None, lines)),
                "partialFingerprints": {"primaryLocationLineHash": key},
            }
        )
    kept, skipped = _cap(results)
    return _run(card, "auditor/mutation/", rules, kept, skipped)


def build(card: Scorecard, root: Path | str | None = None) -> dict[str, Any]:
    """The SARIF 2.1.0 log as a dict; `root` is read for end columns and snippets."""
    runs = [static_run(card, root)]
    if card.stage_ran("mutation"):
        runs.append(mutation_run(card, root))
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": runs}


def render(card: Scorecard, root: Path | str | None = None, **_: Any) -> str:
    """The SARIF log as JSON text."""
    return json.dumps(build(card, root), indent=2, ensure_ascii=False) + "\n"
