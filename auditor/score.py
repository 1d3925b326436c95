"""Every number a user sees is computed here, from the stage results on the Scorecard.

Definitions (docs/definitions.md): mutation score = detected / valid (Stryker); test strength = detected /
(detected + survived) (PIT); oracle gap = line coverage - mutation score. Percentages are 0-100 with
one decimal; a metric whose stage did not run is `None`, never 0, so no report can make a stage look
as if it ran. The overall score is a weighted mean of the components that have data; the weights of
missing components are redistributed, and the summary names what was left out and why
(docs/scoring.md, `auditor explain-score`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from auditor.config import Config, ThresholdsConfig
from auditor.counts import FindingCounts, MutantCounts, PseudoCounts
from auditor.metric_registry import COMPONENT_BY_NAME, COMPONENTS, Bands, Metric
from auditor.model import Finding, Mutant, PseudoTested, Scorecard
from auditor.summary import ExcludedComponent, ModuleRow, StageNotRun, Summary

# Component weights, labels and stages: `auditor.metric_registry.COMPONENTS`;
# `[tool.auditor.score]` overrides the weights (same keys).
DEFAULT_WEIGHTS: dict[str, float] = {c.name: c.default_weight for c in COMPONENTS}
# A test's penalty is capped at 1: one broken test cannot count as more than one test.
FINDING_PENALTY: dict[str, float] = {"error": 1.0, "warning": 0.25, "info": 0.0}
GRADE_BANDS: tuple[tuple[float, str], ...] = ((90.0, "A"), (80.0, "B"), (70.0, "C"), (60.0, "D"))
# Below this share of covered function code with mutants, the mutation evidence is partial: the
# grade is capped at PARTIAL_GRADE_CAP and score_basis says so (docs/scoring.md).
COMPLETE_EVIDENCE_SHARE = 90.0
PARTIAL_GRADE_CAP = "B"


def pct(numerator: float, denominator: float) -> float | None:
    """numerator/denominator as a 0-100 percentage with one decimal; None when undefined."""
    if denominator <= 0:
        return None
    return round(100.0 * numerator / denominator, 1)


def grade(score: float | None) -> str | None:
    """A >= 90, B >= 80, C >= 70, D >= 60, else F (school bands: easy to read, hard to argue)."""
    if score is None:
        return None
    for floor, letter in GRADE_BANDS:
        if score >= floor:
            return letter
    return "F"


def mutated_share(card: Scorecard) -> float | None:
    """Covered statements inside functions with a mutant that ran / covered statements inside
    all functions and methods, in percent (`auditor.coverage.unmutated`); None when the mutation
    stage did not measure it."""
    scope = card.meta.mutation_scope
    if not card.stage_ran("mutation") or scope is None:
        return None
    return pct(scope.mutated_statements, scope.covered_statements)


def cap_grade(letter: str | None, cap: str) -> str | None:
    """The worse of `letter` and `cap` (A best, F worst)."""
    if letter is None:
        return None
    order = [band for _, band in GRADE_BANDS] + ["F"]
    return letter if order.index(letter) >= order.index(cap) else cap


def finding_counts(findings: Iterable[Finding]) -> FindingCounts:
    """Findings by severity."""
    counts = Counter(f.severity for f in findings)
    return FindingCounts(error=counts["error"], warning=counts["warning"], info=counts["info"])


def mutant_counts(mutants: Iterable[Mutant], config: Config | None = None) -> MutantCounts:
    """Status counts plus `detected` and `valid` (Stryker).

    With `exclude-likely-equivalent`, surviving mutants that the witness search marked likely
    equivalent move to `equivalent` and out of the denominator; otherwise they count as survivors.
    """
    exclude_equivalent = bool(config and config.exclude_likely_equivalent)
    counts: Counter[str] = Counter()
    total = likely = 0
    for mutant in mutants:
        total += 1
        likely += bool(mutant.likely_equivalent)
        if exclude_equivalent and mutant.likely_equivalent and mutant.status == "survived":
            counts["equivalent"] += 1
        else:
            counts[mutant.status] += 1
    detected = counts["killed"] + counts["timeout"]
    return MutantCounts(
        killed=counts["killed"],
        survived=counts["survived"],
        timeout=counts["timeout"],
        no_coverage=counts["no_coverage"],
        skipped=counts["skipped"],
        error=counts["error"],
        pending=counts["pending"],
        equivalent=counts["equivalent"],
        likely_equivalent=likely,
        total=total,
        detected=detected,
        valid=detected + counts["survived"] + counts["no_coverage"],
    )


def mutation_metrics(counts: MutantCounts) -> tuple[float | None, float | None]:
    """(mutation score, test strength) from `mutant_counts`, 0-100; None when undefined."""
    detected = counts.detected
    return pct(detected, counts.valid), pct(detected, detected + counts.survived)


def oracle_gap(line_coverage: float | None, mutation_score: float | None) -> float | None:
    """Line coverage - mutation score, in points (one decimal): code the tests run but do not check.

    None when either is None.
    """
    if line_coverage is None or mutation_score is None:
        return None
    return round(line_coverage - mutation_score, 1)


def test_count(card: Scorecard) -> int:
    """How many tests the suite has: the static inventory (the ids findings name), else the run's.

    The static count comes first because findings name static test ids; a parametrized test run
    by pytest as ten cases is still one test to fix.
    """
    static = card.meta.static
    if static is not None and static.tests > 0:
        return static.tests
    return len(card.tests)


def findings_component(card: Scorecard) -> float | None:
    """100 x (1 - penalty / tests): the share of tests a reviewer would not flag.

    Each test's penalty is the sum of its findings' weights (error 1, warning 0.25, info 0), capped
    at 1; findings not tied to one test (a mis-scoped fixture) add their weight once each.
    """
    tests = test_count(card)
    if tests <= 0:
        return None
    per_test: dict[str, float] = defaultdict(float)
    loose = 0.0
    for finding in card.findings:
        weight = FINDING_PENALTY.get(finding.severity, 0.0)
        if finding.test:
            per_test[finding.test] += weight
        else:
            loose += weight
    penalty = sum(min(1.0, p) for p in per_test.values()) + loose
    return round(max(0.0, 100.0 * (1.0 - penalty / tests)), 1)


def property_reach(card: Scorecard) -> float | None:
    """Share of coverable source lines that some `@given` test executes (properties stage data)."""
    props = card.properties
    if props is None or props.reached_lines is None or props.coverable_lines is None:
        return None
    return pct(props.reached_lines, props.coverable_lines)


def pseudo_counts(card: Scorecard) -> PseudoCounts:
    """Covered functions checked for being pseudo-tested, by outcome."""
    counts = Counter(p.status for p in card.pseudo_tested)
    pseudo, tested = counts["pseudo_tested"], counts["tested"]
    return PseudoCounts(pseudo_tested=pseudo, tested=tested, checked=pseudo + tested)


def _coverage_totals(card: Scorecard) -> dict[str, int]:
    return {
        "statements": sum(m.statements for m in card.coverage),
        "covered": sum(m.covered for m in card.coverage),
        "branches": sum(m.branches for m in card.coverage),
        "covered_branches": sum(m.covered_branches for m in card.coverage),
    }


def bands(config: Config | None) -> Bands:
    """The colour bands in effect: `[tool.auditor.thresholds]` high/low, else 80/60 (Stryker)."""
    table = config.thresholds if config else ThresholdsConfig()
    return Bands(high=float(table.high), low=float(table.low))


def card_bands(card: Scorecard) -> Bands:
    """The colour bands a card was scored with (`summary.thresholds`)."""
    return card.summary.thresholds


def raw_metric_value(card: Scorecard, metric: Metric) -> int | float | None:
    """The metric's number as the summary holds it (an int count stays an int); None = n/a.

    Patch metrics come from `summary.patch`; `errors` is the error-level finding count, None
    when the static stage did not run.
    """
    summary = card.summary
    value: Any
    if metric.patch_key is not None:
        value = summary.patch.get_metric(metric.patch_key) if summary.patch else None
    elif metric.key == "errors":
        value = summary.findings.error if card.stage_ran("static") else None
    else:
        value = getattr(summary, metric.key)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return value


def metric_value(card: Scorecard, metric: Metric) -> float | None:
    """The metric's value on the card's summary as a float; None when it was not measured."""
    value = raw_metric_value(card, metric)
    return None if value is None else float(value)


def weights(config: Config | None) -> dict[str, float]:
    """Component -> weight: the registry's default weights with `[tool.auditor.score]` on top."""
    merged = dict(DEFAULT_WEIGHTS)
    for key, value in (config.score if config else {}).items():
        merged[key] = float(value)
    return merged


def components(card: Scorecard, summary: Summary) -> dict[str, tuple[float | None, str]]:
    """Each component's 0-100 value, or None with the reason it is left out of the score."""
    out: dict[str, tuple[float | None, str]] = {}
    reasons = {c.name: _not_run_reason(card, c.stage) for c in COMPONENTS}
    out["mutation"] = (summary.mutation_score, reasons["mutation"] or "no valid mutants")
    totals = _coverage_totals(card)
    combined = (
        pct(
            totals["covered"] + totals["covered_branches"],
            totals["statements"] + totals["branches"],
        )
        if card.stage_ran("coverage")
        else None
    )
    out["coverage"] = (combined, reasons["coverage"] or "no coverable statements")
    out["findings"] = (
        findings_component(card) if card.stage_ran("static") else None,
        reasons["findings"] or "no tests were found",
    )
    pseudo = pseudo_counts(card)
    out["pseudo-tested"] = (
        pct(pseudo.tested, pseudo.checked) if card.stage_ran("mutation") else None,
        reasons["pseudo-tested"] or "no pseudo-tested check ran (no covered functions)",
    )
    out["properties"] = (
        summary.property_reach,
        reasons["properties"] or "the properties stage reported no reach data",
    )
    return out


def _not_run_reason(card: Scorecard, stage: str) -> str:
    report = card.stage(stage)
    if report is None:
        return f"the {stage} stage did not run"
    if not report.ran:
        return f"the {stage} stage did not run: {report.reason or 'no reason given'}"
    return ""


def _zero_weight_reason(name: str, config: Config | None) -> str:
    if config is not None and name in config.score:
        return "weight is 0 in [tool.auditor.score]"
    return f"weight is 0 by default (set `{name} = N` in [tool.auditor.score] to count it)"


def apply_overall(card: Scorecard, summary: Summary, config: Config | None) -> None:
    """Set the summary's score, grade, basis, components, weights and exclusions.

    The score is the weighted mean over components with data, weights renormalised to sum to 1.
    """
    configured = weights(config)
    values = components(card, summary)
    included = {n: v for n, (v, _) in values.items() if v is not None and configured[n] > 0}
    excluded = [
        ExcludedComponent(
            component=n, reason=reason if value is None else _zero_weight_reason(n, config)
        )
        for n, (value, reason) in values.items()
        if n not in included
    ]
    total_weight = sum(configured[n] for n in included)
    used = {n: round(configured[n] / total_weight, 4) for n in included} if total_weight else {}
    score = round(sum(included[n] * used[n] for n in included), 1) if used else None
    if not used:
        basis = "no score: no component had data"
    elif set(used) == {"findings"}:
        basis = "static only: score from test findings alone (no coverage or mutation run)"
    elif set(used) == set(configured) - {n for n, w in configured.items() if w <= 0}:
        basis = "all components"
    else:
        basis = "partial: " + ", ".join(COMPONENT_BY_NAME[n].label for n in used)
    summary.score = score
    letter = grade(score)
    share = summary.mutated_share
    if "mutation" in used and share is not None and share < COMPLETE_EVIDENCE_SHARE:
        letter = cap_grade(letter, PARTIAL_GRADE_CAP)
        basis += (
            f"; partial evidence: only {share}% of the covered function code was mutated "
            f"(grade capped at {PARTIAL_GRADE_CAP}; see unmutated)"
        )
    summary.grade = letter
    summary.score_basis = basis
    summary.components = {n: values[n][0] for n in values}
    summary.weights = used
    summary.excluded = excluded


def module_rows(card: Scorecard, config: Config | None) -> list[ModuleRow]:
    """One row per source module: coverage, mutation and pseudo-tested numbers side by side."""
    coverage = {m.path: m for m in card.coverage}
    mutants: dict[str, list[Mutant]] = defaultdict(list)
    for mutant in card.mutants:
        mutants[mutant.path].append(mutant)
    pseudo: dict[str, list[PseudoTested]] = defaultdict(list)
    for item in card.pseudo_tested:
        pseudo[item.path].append(item)
    findings: dict[str, list[Finding]] = defaultdict(list)
    for finding in card.findings:
        findings[finding.path].append(finding)
    mutation_ran = card.stage_ran("mutation")
    rows = []
    for path in sorted(set(coverage) | set(mutants) | set(pseudo)):
        cov = coverage.get(path)
        if cov is not None and cov.statements == 0 and path not in mutants and path not in pseudo:
            continue  # an empty `__init__.py` has nothing to measure
        line = pct(cov.covered, cov.statements) if cov else None
        counts = mutant_counts(mutants.get(path, []), config) if mutation_ran else None
        score, strength = mutation_metrics(counts) if counts else (None, None)
        rows.append(
            ModuleRow(
                path=path,
                statements=cov.statements if cov else None,
                covered_lines=cov.covered if cov else None,
                line_coverage=line,
                branch_coverage=pct(cov.covered_branches, cov.branches) if cov else None,
                mutation_score=score,
                test_strength=strength,
                oracle_gap=oracle_gap(line, score),
                mutants=counts,
                pseudo_tested=sum(1 for p in pseudo.get(path, []) if p.status == "pseudo_tested"),
                findings=finding_counts(findings.get(path, [])),
            )
        )
    return rows


def build_summary(card: Scorecard, config: Config | None) -> Summary:
    """Every headline number of the card, from its stage results (docs/scoring.md)."""
    summary = Summary(findings=finding_counts(card.findings))
    if card.stage_ran("mutation"):
        summary.mutants = mutant_counts(card.mutants, config)
        summary.mutation_score, summary.test_strength = mutation_metrics(summary.mutants)
        summary.pseudo_tested = pseudo_counts(card)
    summary.mutated_share = mutated_share(card)
    summary.unmutated = len(card.unmutated) if summary.mutated_share is not None else None
    if card.stage_ran("coverage"):
        totals = _coverage_totals(card)
        summary.line_coverage = pct(totals["covered"], totals["statements"])
        summary.branch_coverage = pct(totals["covered_branches"], totals["branches"])
    summary.oracle_gap = oracle_gap(summary.line_coverage, summary.mutation_score)
    tests = test_count(card)
    summary.tests = tests or None
    with_findings = {f.test for f in card.findings if f.test}
    summary.tests_with_findings = len(with_findings) if card.stage_ran("static") else None
    summary.findings_per_test = round(len(card.findings) / tests, 2) if tests else None
    summary.property_reach = property_reach(card) if card.stage_ran("properties") else None
    summary.stages_included = [s.name for s in card.stages if s.ran]
    summary.stages_not_run = [StageNotRun(s.name, s.reason) for s in card.stages if not s.ran]
    apply_overall(card, summary, config)
    summary.thresholds = bands(config)
    summary.patch = card.patch
    return summary


def finalize(card: Scorecard, config: Config | None) -> None:
    """Fill `card.summary`, `card.modules` and `card.top_actions` from the stage results."""
    from auditor.top_actions import top_actions

    card.summary = build_summary(card, config)
    card.modules = module_rows(card, config)
    card.top_actions = top_actions(card)
