"""From raw findings to reported findings: suppression comments, config ignores, fingerprints,
baselines, and the suppressions that no longer match anything.

Fingerprints are content-based (relative path, code, normalised source of the enclosing test, the
normalised text of the flagged node, occurrence index) and never use line numbers, so moving code
does not resurrect baselined findings.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
from collections import Counter
from pathlib import Path

from auditor.errors import UsageError
from auditor.model import Finding, UnusedSuppression
from auditor.static.facts import FileFacts, RawFinding

BASELINE_VERSION = 1


def fingerprint(path: str, raw: RawFinding, occurrence: int) -> str:
    text = "\x1f".join([path, raw.rule, raw.context_hash, raw.anchor, str(occurrence)])
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:20]


def _code_matches(code: str, selectors: list[str]) -> bool:
    return any(code.startswith(s.upper()) for s in selectors)


def apply_suppressions(
    facts: FileFacts,
    raw_findings: list[RawFinding],
    per_file_ignores: dict[str, list[str]],
    enabled: frozenset[str],
) -> tuple[list[Finding], list[UnusedSuppression]]:
    """Inline/file-level/config suppression for one file; returns kept findings and unused entries."""
    path = facts.path
    ignored_here: list[str] = []
    for glob, codes in per_file_ignores.items():
        if fnmatch.fnmatch(path, glob) or fnmatch.fnmatch(path.rsplit("/", 1)[-1], glob):
            ignored_here.extend(codes)
    used: set[tuple[int, str]] = set()
    used_file: set[str] = set()
    kept: list[Finding] = []
    occurrences: Counter[tuple[str, str, str]] = Counter()
    for raw in sorted(raw_findings, key=lambda r: (r.line, r.column, r.rule)):
        key = (raw.rule, raw.context_hash, raw.anchor)
        occurrence = occurrences[key]
        occurrences[key] += 1
        if _code_matches(raw.rule, facts.file_suppressions):
            used_file.update(c for c in facts.file_suppressions if raw.rule.startswith(c))
            continue
        if _code_matches(raw.rule, ignored_here):
            continue
        hit = False
        for line in {raw.line, raw.def_line} - {None}:
            codes = facts.suppressions.get(line, [])  # type: ignore[arg-type]
            for code in codes:
                if raw.rule.startswith(code):
                    used.add((line, code))  # type: ignore[arg-type]
                    hit = True
        if hit:
            continue
        kept.append(
            Finding(
                rule=raw.rule,
                severity=raw.severity,  # type: ignore[arg-type]
                path=path,
                line=raw.line,
                end_line=raw.end_line,
                column=raw.column,
                end_column=raw.end_column,
                test=raw.test,
                message=raw.message,
                fingerprint=fingerprint(path, raw, occurrence),
            )
        )
    unused: list[UnusedSuppression] = []
    for line, codes in sorted(facts.suppressions.items()):
        stale = [c for c in codes if (line, c) not in used and c in enabled]
        if stale:
            unused.append(UnusedSuppression(path=path, line=line, codes=stale, source="inline"))
    stale_file = [c for c in facts.file_suppressions if c not in used_file and c in enabled]
    if stale_file:
        unused.append(UnusedSuppression(path=path, line=None, codes=stale_file, source="file"))
    return kept, unused


def write_baseline(path: Path, findings: list[Finding]) -> None:
    entries = sorted(
        (
            {"fingerprint": f.fingerprint, "rule": f.rule, "path": f.path, "test": f.test}
            for f in findings
        ),
        key=lambda e: (e["path"], e["rule"], e["fingerprint"]),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps({"version": BASELINE_VERSION, "findings": entries}, indent=2) + "\n",
        encoding="utf-8",
    )


def read_baseline(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        raise UsageError(
            f"Baseline file '{path}' does not exist. Create it with `auditor scan TESTS "
            f"--write-baseline {path}` first, or drop --baseline."
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        entries = data["findings"]
        if not isinstance(entries, list):
            raise TypeError
        return [dict(e) for e in entries]
    except (ValueError, KeyError, TypeError) as exc:
        raise UsageError(
            f"Baseline file '{path}' is not an auditor baseline ({exc.__class__.__name__}). "
            f"Re-create it with `--write-baseline {path}`."
        ) from None


def apply_baseline(
    findings: list[Finding], entries: list[dict[str, str]]
) -> tuple[list[Finding], list[UnusedSuppression], int]:
    """Hide baselined findings; report baseline entries that match nothing any more."""
    known = {e["fingerprint"] for e in entries}
    kept = [f for f in findings if f.fingerprint not in known]
    present = {f.fingerprint for f in findings}
    stale = [
        UnusedSuppression(
            path=e.get("path", ""), line=None, codes=[e.get("rule", "")], source="baseline"
        )
        for e in entries
        if e["fingerprint"] not in present
    ]
    return kept, stale, len(findings) - len(kept)
