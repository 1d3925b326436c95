"""Top actions: the ten fixes that buy the most test effectiveness, ranked by one documented rule.

Each action says where (path:line) and how (the exact change), and carries `evidence`: what
proves it is worth doing. Actions backed by evidence come first, whatever their impact:

- `witness`: a surviving mutant with a Hypothesis witness (an input on which the mutant differs);
- `verified`: a surviving mutant confirmed by applying it by hand to a fresh copy;
- `measured`: a pseudo-tested function, or a module no test executes;
- `error_finding`: an error-level static finding (a test that provably cannot fail);
- `unproven`: a survivor without either (it may be equivalent: a dict value never read, a
  constant `__hash__`), a warning finding, a module whose tests were skipped.

Within a tier, the impact number orders the list; docs/scoring.md explains it:

- pseudo-tested function: 90 + covering tests (max +9): its whole body can go and nothing fails;
- error-level finding: 80: a test that provably cannot fail;
- surviving mutant: 50 + 3 x covering tests (max +30), +5 with a witness (a ready regression test),
  -20 when the witness search found no difference (likely equivalent, unproven); heavily used code
  first, one action per function (the rest are counted in the action);
- uncovered module: 40 + statements / 10 (max +30): no test even runs it; 20 when tests that
  import it exist but pytest skipped their module (the action says which and why);
- warning finding: 30; a no-coverage mutant is part of its uncovered module, not its own action.
"""

from __future__ import annotations

from collections import defaultdict

from auditor.model import Finding, Mutant, Scorecard, SkippedModule
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
        evidence="error_finding" if finding.severity == "error" else "unproven",
    )


def _survivor_actions(card: Scorecard) -> list[TopAction]:
    by_function: dict[tuple[str, str], list[Mutant]] = defaultdict(list)
    for mutant in card.mutants:
        if mutant.status == "survived":
            by_function[(mutant.path, mutant.function or mutant.id)].append(mutant)
    actions: list[TopAction] = []
    for (path, function), group in by_function.items():
        group.sort(key=lambda m: (-len(m.covered_by), m.witness is None, m.line or 0, m.id))
        group.sort(key=lambda m: (_survivor_evidence(m) == "unproven", m.likely_equivalent))
        best = group[0]
        evidence = _survivor_evidence(best)
        impact = 50 + min(30, 3 * len(best.covered_by)) + (5 if best.witness else 0)
        if best.likely_equivalent and evidence == "unproven":
            impact -= 20  # a search found no difference: least likely to be worth the time
        how = (
            f"add the regression test found by Hypothesis: {best.witness.sentence()}"
            if best.witness
            else "add an assertion that fails when this change is applied"
        )
        if best.likely_equivalent and not best.witness:
            # never advise `# pragma: no mutate` on an unproven equivalence claim
            how += " (no witness was found: it may be equivalent; check it by hand first)"
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
                evidence=evidence,
            )
        )
    return actions


def _survivor_evidence(mutant: Mutant) -> str:
    if mutant.witness is not None:
        return "witness"
    if getattr(mutant, "verified", None) is True:  # confirmed by a hand-applied re-run
        return "verified"
    return "unproven"


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
            evidence="measured",
        )
        for item in card.pseudo_tested
        if item.status == "pseudo_tested"
    ]


def _uncovered_actions(card: Scorecard) -> list[TopAction]:
    skipped_by: dict[str, list[SkippedModule]] = defaultdict(list)
    for skipped in card.skipped_modules:
        for target in skipped.targets:
            skipped_by[target].append(skipped)
    actions: list[TopAction] = []
    for module in card.coverage:
        if module.statements <= 0 or module.covered != 0:
            continue
        skips = skipped_by.get(module.path)
        if skips:
            # not untested: its tests exist but pytest skipped them (e.g. importorskip)
            first = skips[0]
            count = sum(len(s.tests) for s in skips)
            actions.append(
                TopAction(
                    kind="uncovered_module",
                    impact=20,
                    title=f"unmeasured module {module.path}",
                    path=module.path,
                    line=1,
                    how=(
                        f"{count} test(s) that import it were skipped by pytest "
                        f"({first.path}: {first.reason or 'no reason given'}): run them (e.g. "
                        "install what they need) to measure it"
                    ),
                    evidence="unproven",
                )
            )
            continue
        actions.append(
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
                evidence="measured",
            )
        )
    return actions


def top_actions(card: Scorecard, limit: int = MAX_ACTIONS) -> list[TopAction]:
    """The `limit` most valuable actions: evidence-backed before unproven, then highest impact
    first, ties broken by place (stable).

    Each action gets its 1-based `rank` and `where` ("path:line", or the path without a line).
    """
    candidates: list[TopAction] = []
    candidates += _pseudo_actions(card)
    candidates += [_finding_action(f) for f in card.findings if f.severity in ("error", "warning")]
    candidates += _survivor_actions(card)
    candidates += _uncovered_actions(card)
    candidates.sort(
        key=lambda a: (a.evidence == "unproven", -a.impact, a.path, a.line or 0, a.title)
    )
    ranked = candidates[:limit]
    for rank, action in enumerate(ranked, start=1):
        action.rank = rank
        action.where = f"{action.path}:{action.line}" if action.line else action.path
    return ranked
