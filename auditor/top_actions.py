"""Top actions: the ten fixes that buy the most test effectiveness, ranked by one documented rule.

Each action says where (path:line) and how (the exact change). The impact number only orders the
list; docs/scoring.md explains it:

- pseudo-tested function: 90 + covering tests (max +9): its whole body can go and nothing fails;
- error-level finding: 80: a test that provably cannot fail;
- surviving mutant: 50 + 3 x covering tests (max +30), +5 with a witness (a ready regression test);
  heavily used code first, one action per function (the rest are counted in the action);
- uncovered module: 40 + statements / 10 (max +30): no test even runs it;
- warning finding: 30; a no-coverage mutant is part of its uncovered module, not its own action.
"""

from __future__ import annotations

from collections import defaultdict

from auditor.model import Finding, Mutant, Scorecard
from auditor.summary import FindingAction, SurvivorAction, TopAction

MAX_ACTIONS = 10


def _finding_action(finding: Finding) -> FindingAction:
    impact = 80 if finding.severity == "error" else 30
    subject = finding.test.rsplit("::", 1)[-1] if finding.test else finding.path
    rule = f"{finding.rule} {finding.name}".strip()
    return FindingAction(
        kind="finding",
        impact=impact,
        title=f"{rule} in {subject}",
        path=finding.path,
        line=finding.line,
        how=finding.message,
        rule=finding.rule,
        severity=finding.severity,
    )


def _survivor_actions(card: Scorecard) -> list[TopAction]:
    by_function: dict[tuple[str, str], list[Mutant]] = defaultdict(list)
    for mutant in card.mutants:
        if mutant.status == "survived":
            by_function[(mutant.path, mutant.function or mutant.id)].append(mutant)
    actions: list[TopAction] = []
    for (path, function), group in by_function.items():
        group.sort(key=lambda m: (-len(m.covered_by), m.witness is None, m.line or 0, m.id))
        best = group[0]
        impact = 50 + min(30, 3 * len(best.covered_by)) + (5 if best.witness else 0)
        how = (
            f"add the regression test found by Hypothesis: {best.witness.sentence()}"
            if best.witness
            else "add an assertion that fails when this change is applied"
        )
        if best.likely_equivalent:
            how += " (no witness found: may be equivalent; mark it `# pragma: no mutate` if so)"
        more = f" (+{len(group) - 1} more in this function)" if len(group) > 1 else ""
        actions.append(
            SurvivorAction(
                kind="surviving_mutant",
                impact=impact,
                title=f"surviving mutant in {function}{more}",
                path=path,
                line=best.line,
                how=how,
                mutant=best.id,
                diff=best.diff,
                covered_by=len(best.covered_by),
                witness=best.witness.test_code if best.witness and best.witness.test_code else None,
            )
        )
    return actions


def _pseudo_actions(card: Scorecard) -> list[TopAction]:
    return [
        TopAction(
            kind="pseudo_tested",
            impact=90 + min(9, len(item.covered_by)),
            title=f"pseudo-tested function {item.function}",
            path=item.path,
            line=item.line,
            how=(
                f"{len(item.covered_by)} test(s) run it, yet none fails when its body is replaced"
                + (f" by `{item.replacement}`" if item.replacement else "")
                + ": assert on what it returns or changes"
            ),
        )
        for item in card.pseudo_tested
        if item.status == "pseudo_tested"
    ]


def _uncovered_actions(card: Scorecard) -> list[TopAction]:
    return [
        TopAction(
            kind="uncovered_module",
            impact=40 + min(30, module.statements // 10),
            title=f"untested module {module.path}",
            path=module.path,
            line=1,
            how=(
                f"no test executes any of its {module.statements} statements: "
                "add tests that import and call it"
            ),
        )
        for module in card.coverage
        if module.statements > 0 and module.covered == 0
    ]


def top_actions(card: Scorecard, limit: int = MAX_ACTIONS) -> list[TopAction]:
    """The `limit` most valuable actions, highest impact first, ties broken by place (stable).

    Each action gets its 1-based `rank` and `where` ("path:line", or the path without a line).
    """
    candidates: list[TopAction] = []
    candidates += _pseudo_actions(card)
    candidates += [_finding_action(f) for f in card.findings if f.severity in ("error", "warning")]
    candidates += _survivor_actions(card)
    candidates += _uncovered_actions(card)
    candidates.sort(key=lambda a: (-a.impact, a.path, a.line or 0, a.title))
    ranked = candidates[:limit]
    for rank, action in enumerate(ranked, start=1):
        action.rank = rank
        action.where = f"{action.path}:{action.line}" if action.line else action.path
    return ranked
