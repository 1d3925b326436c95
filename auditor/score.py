"""Every number a user sees is computed here, from the stage results on the Scorecard.

Definitions (DESIGN.md): mutation score = detected / valid (Stryker); test strength = detected /
(detected + survived) (PIT); oracle gap = line coverage - mutation score. Percentages are 0-100 with
one decimal; a metric whose stage did not run is `None`, never 0.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from auditor.config import Config
from auditor.model import SEVERITIES, Scorecard


def pct(numerator: float, denominator: float) -> float | None:
    """numerator/denominator as a 0-100 percentage with one decimal; None when undefined."""
    if denominator <= 0:
        return None
    return round(100.0 * numerator / denominator, 1)


def finding_counts(card: Scorecard) -> dict[str, int]:
    counts = Counter(f.severity for f in card.findings)
    return {sev: counts.get(sev, 0) for sev in SEVERITIES}


def mutant_counts(card: Scorecard, config: Config | None = None) -> dict[str, int]:
    counts = Counter(m.status for m in card.mutants)
    out = {status: counts.get(status, 0) for status in
           ("killed", "survived", "timeout", "no_coverage", "skipped", "error", "pending")}
    out["total"] = len(card.mutants)
    out["likely_equivalent"] = sum(1 for m in card.mutants if m.likely_equivalent)
    return out


def finalize(card: Scorecard, config: Config) -> None:
    """Fill `card.summary` (and friends) from the stage results."""
    summary: dict[str, Any] = {"findings": finding_counts(card)}
    if card.stage_ran("mutation"):
        counts = mutant_counts(card, config)
        detected = counts["killed"] + counts["timeout"]
        valid = detected + counts["survived"] + counts["no_coverage"]
        summary["mutants"] = counts
        summary["mutation_score"] = pct(detected, valid)
        summary["test_strength"] = pct(detected, detected + counts["survived"])
    else:
        summary["mutants"] = None
        summary["mutation_score"] = None
        summary["test_strength"] = None
    if card.stage_ran("coverage"):
        statements = sum(m.statements for m in card.coverage)
        covered = sum(m.covered for m in card.coverage)
        branches = sum(m.branches for m in card.coverage)
        summary["line_coverage"] = pct(covered, statements)
        summary["branch_coverage"] = pct(sum(m.covered_branches for m in card.coverage), branches)
    else:
        summary["line_coverage"] = None
        summary["branch_coverage"] = None
    if summary["line_coverage"] is not None and summary["mutation_score"] is not None:
        summary["oracle_gap"] = round(summary["line_coverage"] - summary["mutation_score"], 1)
    else:
        summary["oracle_gap"] = None
    summary["patch"] = card.patch
    card.summary = summary
