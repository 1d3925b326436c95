"""mutation-testing-report-schema v2 JSON (`--mutation-report`): Stryker's HTML viewer, the Stryker
dashboard and PIT's tooling read it.

The schema stores no score (consumers compute it from the statuses), so what matters is the status
map and the locations: 1-based lines and columns, end exclusive, found by diffing the original and
mutated line and widening the change to whole tokens (a `18 -> 19` mutant covers `18`, not `8`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from auditor.model import Mutant, Scorecard
from auditor.reports import common

SCHEMA_VERSION = "2"
STATUS = {
    "killed": "Killed",
    "survived": "Survived",
    "no_coverage": "NoCoverage",
    "timeout": "Timeout",
    "skipped": "Ignored",
    "error": "RuntimeError",
    "pending": "Pending",
}
_OPERATOR_CHARS = set("<>=!+-*/%&|^~@")


def _char_class(ch: str) -> str | None:
    if ch.isalnum() or ch == "_":
        return "word"
    return "op" if ch in _OPERATOR_CHARS else None


def changed_lines(diff: str) -> tuple[list[str], list[str], int | None]:
    """Removed lines, added lines and the first old line number of a unified diff."""
    removed, added, first = [], [], None
    for line in diff.splitlines():
        if line.startswith(("---", "+++")):
            continue
        if line.startswith("@@") and first is None:
            try:
                first = int(line.split()[1].lstrip("-").split(",")[0])
            except (IndexError, ValueError):
                first = None
        elif line.startswith("-"):
            removed.append(line[1:])
        elif line.startswith("+"):
            added.append(line[1:])
    return removed, added, first


def token_span(old: str, new: str) -> tuple[int, int, str]:
    """(start, end): the 0-based, end-exclusive span of `old` that changed, and its replacement."""
    limit = min(len(old), len(new))
    p = 0
    while p < limit and old[p] == new[p]:
        p += 1
    q = 0
    while q < limit - p and old[len(old) - 1 - q] == new[len(new) - 1 - q]:
        q += 1
    changed = old[p : len(old) - q] or new[p : len(new) - q]
    if changed:
        head, tail = _char_class(changed[0]), _char_class(changed[-1])
        while p > 0 and head and _char_class(old[p - 1]) == head:
            p -= 1
        while q > 0 and tail and _char_class(old[len(old) - q]) == tail:
            q -= 1
    return p, len(old) - q, new[p : len(new) - q]


def location(mutant: Mutant, lines: list[str] | None) -> tuple[dict[str, Any], str | None]:
    """Schema location (1-based, end exclusive) and replacement text of one mutant."""
    removed, added, first = changed_lines(mutant.diff)
    line = mutant.line or first or 1
    if len(removed) == 1 and len(added) <= 1:
        start, end, replacement = token_span(removed[0], added[0] if added else "")
        end = max(end, start + 1)
        return {
            "start": {"line": line, "column": start + 1},
            "end": {"line": line, "column": end + 1},
        }, replacement
    end_line = mutant.end_line or (line + len(removed) - 1 if removed else line)
    last = (
        removed[-1]
        if removed
        else (lines[end_line - 1] if lines and end_line <= len(lines) else "")
    )
    indent = len(removed[0]) - len(removed[0].lstrip()) if removed else 0
    loc = {
        "start": {"line": line, "column": indent + 1},
        "end": {"line": end_line, "column": len(last) + 1},
    }
    return loc, ("\n".join(added) if removed else None)


def _status(mutant: Mutant, equivalent_excluded: bool) -> tuple[str, str]:
    if mutant.status == "survived" and mutant.likely_equivalent:
        budget = f" in {mutant.equivalence_budget} examples" if mutant.equivalence_budget else ""
        reason = f"likely equivalent: Hypothesis found no input that tells it apart{budget}"
        return ("Ignored", reason) if equivalent_excluded else ("Survived", reason)
    if mutant.status == "survived" and mutant.witness:
        w = mutant.witness
        return "Survived", f"witness: {w.sentence()}"
    return STATUS.get(mutant.status, "Pending"), mutant.reason


def mutant_result(
    mutant: Mutant, lines: list[str] | None, equivalent_excluded: bool
) -> dict[str, Any]:
    """One mutant in Stryker's mutation-testing-report-schema (status, location, replacement, tests)."""
    loc, replacement = location(mutant, lines)
    status, reason = _status(mutant, equivalent_excluded)
    result: dict[str, Any] = {
        "id": mutant.id,
        "mutatorName": mutant.operator or "unknown",
        "location": loc,
        "status": status,
        "coveredBy": list(mutant.covered_by),
        "killedBy": list(mutant.killed_by),
    }
    if reason:
        result["statusReason"] = reason
    if replacement is not None:
        result["replacement"] = replacement
    if mutant.description:
        result["description"] = mutant.description
    if mutant.duration is not None:
        result["duration"] = round(mutant.duration * 1000)
    return result


def _test_files(card: Scorecard) -> dict[str, Any]:
    ids = {t.id for t in card.tests}
    for mutant in card.mutants:
        ids.update(mutant.covered_by)
        ids.update(mutant.killed_by)
    files: dict[str, Any] = {}
    for test_id in sorted(ids):
        path, _, name = test_id.partition("::")
        files.setdefault(path, {"tests": []})["tests"].append(
            {"id": test_id, "name": name or test_id}
        )
    return files


def build(card: Scorecard, root: Path | str | None = None) -> dict[str, Any]:
    """The whole report (schema version 2 of mutation-testing-elements) as a dict; `root` is read for the sources."""
    thresholds = card.summary.thresholds
    equivalent_excluded = bool(card.summary.mutants and card.summary.mutants.equivalent)
    files: dict[str, Any] = {}
    by_path: dict[str, list[Mutant]] = {}
    for mutant in sorted(card.mutants, key=lambda m: (m.path, m.line or 0, m.id)):
        by_path.setdefault(mutant.path, []).append(mutant)
    for path, mutants in by_path.items():
        lines = common.source_lines(root, path)
        source = (
            (Path(root) / path).read_text(encoding="utf-8") if lines is not None and root else ""
        )
        files[path] = {
            "language": "python",
            "source": source,
            "mutants": [mutant_result(m, lines, equivalent_excluded) for m in mutants],
        }
    return {
        "schemaVersion": SCHEMA_VERSION,
        "thresholds": {"high": int(thresholds.high), "low": int(thresholds.low)},
        "files": files,
        "testFiles": _test_files(card),
        "framework": {
            "name": "auditor",
            "version": card.tool.get("version", ""),
            "dependencies": {k: v for k, v in sorted(card.engines.items())},
        },
        "config": {"engine": common.mutation_engine(card)},
    }


def render(card: Scorecard, root: Path | str | None = None, **_: Any) -> str:
    """The report as JSON text."""
    return json.dumps(build(card, root), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
