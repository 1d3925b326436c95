"""Patch metrics: what a pull request's changed lines are worth, from the card and the diff scope.

Definitions (docs/definitions.md): patch coverage = covered changed lines / coverable changed lines
(diff-cover, Codecov); patch mutation score = mutation score (Stryker, detected / valid) over
mutants on changed lines only, computed with the formulas of `score.py` so the two can never
disagree. Following Google's code-review experience, at most `max-per-line` surviving mutants per
line and `max-survivors` per PR are *surfaced*; the rest are counted, never dropped silently.
Uncovered lines surface as a coverage problem (patch coverage), not as one survivor per mutant.

Everything is stored in `card.patch` (plain JSON) so `merge` and `pr-comment` can recompute the
mutation part and render the comment without git or the project at hand.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

from auditor import score
from auditor.config import Config, PrConfig
from auditor.errors import UsageError
from auditor.metric_registry import PROJECT_DELTA
from auditor.model import Finding, Mutant, Scorecard, SkipReason
from auditor.patch_model import (
    FileCoverage,
    FileMutation,
    Patch,
    ProjectDelta,
    ProjectNumbers,
    ProjectSide,
)
from auditor.pr import diffscope


def pr_settings(config: Config | None) -> tuple[int, int]:
    """(max-survivors, max-per-line) from `[tool.auditor.pr]` (defaults there: 10 and 1).

    A negative max-survivors counts as 0 and a max-per-line below 1 as 1.
    """
    table = config.pr if config else PrConfig()
    return max(0, table.max_survivors), max(1, table.max_per_line)


def check_inputs(root: Path, base: str | None, base_scorecard: str | None) -> None:
    """Fail on a bad --diff BASE or --base-scorecard before minutes of test runs, not after."""
    if base:
        diffscope.scope(root, base)
    if base_scorecard:
        load_scorecard(base_scorecard)


def attach(
    card: Scorecard,
    root: Path,
    base: str | None,
    config: Config | None,
    base_scorecard: str | None = None,
) -> None:
    """Compute `card.patch` for `scan --diff BASE` (`api.audit` calls it before finalize).

    Without --diff but with --base-scorecard, only the project Δ is stored (`meta.project_delta`).
    """
    if base:
        scope = diffscope.scope(root, base)
        ran = card.stage_ran("coverage")
        coverable = coverable_changed_lines(root, scope.lines, card) if ran else None
        card.patch = compute(card, scope, coverable, config)
    if base_scorecard:
        numbers = project_numbers(card, load_scorecard(base_scorecard), config)
        if card.patch is not None:
            card.patch.project = numbers
        else:
            card.meta.project_delta = numbers


def compute(
    card: Scorecard,
    scope: diffscope.DiffScope,
    coverable: dict[str, set[int]] | None,
    config: Config | None,
) -> Patch:
    """The patch metrics of a card and its diff scope; `coverable` None = coverage did not run."""
    max_survivors, max_per_line = pr_settings(config)
    patch = Patch(
        base=scope.base,
        merge_base=scope.merge_base,
        changed_files=scope.files,
        changed_lines=scope.line_count(),
        lines={path: diffscope.format_ranges(lines) for path, lines in sorted(scope.lines.items())},
        max_survivors=max_survivors,
        max_per_line=max_per_line,
    )
    _apply_coverage(patch, card, coverable)
    apply_mutation(patch, card, scope.lines, config)
    new = new_findings(card, scope.files)
    patch.new_findings = len(new)
    patch.new_finding_keys = [finding_key(f) for f in new]
    return patch


def changed_from_patch(patch: Patch) -> dict[str, set[int]]:
    """The changed-lines map stored in a card (no git needed): path -> 1-based line numbers."""
    return {path: diffscope.parse_ranges(text) for path, text in patch.lines.items()}


def refresh(card: Scorecard, config: Config | None) -> None:
    """Recompute the mutation part of `card.patch` after its mutants changed (used by `merge`)."""
    if card.patch is not None:
        apply_mutation(card.patch, card, changed_from_patch(card.patch), config)


# -- coverage -------------------------------------------------------------------------------------


def coverable_changed_lines(
    root: Path, changed: dict[str, set[int]], card: Scorecard
) -> dict[str, set[int]]:
    """Per measured source file: the statements (coverage.py's first lines) changed lines touch.

    A change on the second line of a multi-line call touches the statement coverage.py records on
    its first line, so both sides are compared in coverage.py's own numbering.
    """
    measured = {m.path for m in card.coverage}
    exclude = _exclude_regex(root)
    out: dict[str, set[int]] = {}
    for path, lines in changed.items():
        if path not in measured or not path.endswith(".py") or not lines:
            continue
        statements = _statement_lines(root / path, lines, exclude)
        if statements is not None:
            out[path] = statements
    return out


def _statement_lines(path: Path, lines: set[int], exclude: str) -> set[int] | None:
    from coverage.exceptions import NotPython
    from coverage.parser import PythonParser

    try:
        parser = PythonParser(
            text=path.read_text(encoding="utf-8"), filename=str(path), exclude=exclude
        )
        parser.parse_source()
    except (OSError, UnicodeDecodeError, NotPython, SyntaxError):
        return None
    touched = {parser.first_line(line) for line in lines}
    return {line for line in touched if line in parser.statements}


def _exclude_regex(root: Path) -> str:
    """The exclusion regex the coverage stage measured with, so both sides agree on "coverable".

    That is the stage's own rcfile (`.auditor/coverage/coveragerc`) when it exists, else the
    project's coverage.py configuration, else coverage.py's defaults.
    """
    import coverage
    from coverage.misc import join_regex

    config_file: str | bool = False
    for name in (
        ".auditor/coverage/coveragerc",
        ".coveragerc",
        "setup.cfg",
        "tox.ini",
        "pyproject.toml",
    ):
        if (root / name).is_file():
            config_file = str(root / name)
            break
    try:
        cov = coverage.Coverage(data_file=None, config_file=config_file)
    except coverage.CoverageException:
        cov = coverage.Coverage(data_file=None, config_file=False)
    return join_regex(cov.get_exclude_list())


def _apply_coverage(patch: Patch, card: Scorecard, coverable: dict[str, set[int]] | None) -> None:
    """Patch coverage = covered changed statements / coverable changed statements, per file too."""
    if coverable is None:
        return  # coverage did not run: the numbers stay None, `file_coverage` absent
    missing = {m.path: set(m.missing_lines) for m in card.coverage}
    total = covered = 0
    uncovered: dict[str, str] = {}
    files: dict[str, FileCoverage] = {}
    for path, statements in sorted(coverable.items()):
        not_run = statements & missing.get(path, set())
        total += len(statements)
        covered += len(statements) - len(not_run)
        files[path] = FileCoverage(
            coverable=len(statements),
            covered=len(statements) - len(not_run),
            coverage=score.pct(len(statements) - len(not_run), len(statements)),
        )
        if not_run:
            uncovered[path] = diffscope.format_ranges(not_run)
    patch.coverage = score.pct(covered, total)
    patch.coverable_lines = total
    patch.covered_lines = covered
    patch.uncovered = uncovered
    patch.file_coverage = files


# -- mutation -------------------------------------------------------------------------------------


def on_changed_lines(mutant: Mutant, changed: dict[str, set[int]]) -> bool:
    """True when any line the mutant spans is an added/modified line (`Mutant.touches`)."""
    return mutant.touches(changed.get(mutant.path, ()))


def patch_mutants(card: Scorecard, changed: dict[str, set[int]] | None = None) -> list[Mutant]:
    """Mutants on changed lines (any status); `changed` defaults to the map in card.patch."""
    if changed is None:
        changed = changed_from_patch(card.patch) if card.patch else {}
    return [m for m in card.mutants if on_changed_lines(m, changed)]


def patch_survivors(card: Scorecard, surfaced_only: bool = True) -> list[Mutant]:
    """Surviving mutants on changed lines (SARIF in PR mode); only the surfaced ones by default."""
    if not card.patch:
        return [m for m in card.mutants if m.status == "survived"]
    if surfaced_only:
        wanted = set(card.patch.surfaced_survivors)
        return [m for m in card.mutants if m.id in wanted]
    return [m for m in patch_mutants(card) if m.status == "survived"]


def apply_mutation(
    patch: Patch, card: Scorecard, changed: dict[str, set[int]], config: Config | None
) -> None:
    """Set the patch mutation score, per-file counts and the surfaced/hidden survivors.

    Scored with the formulas of `score.py` (no second definition); all None/empty when the
    mutation stage did not run.
    """
    if not card.stage_ran("mutation"):
        patch.mutation_score = patch.test_strength = patch.mutants = None
        patch.files, patch.surfaced_survivors, patch.hidden_survivors = [], [], 0
        return
    mutants = patch_mutants(card, changed)
    patch.mutants = score.mutant_counts(mutants, config)
    patch.mutation_score, patch.test_strength = score.mutation_metrics(patch.mutants)
    surfaced, hidden = surface(mutants, patch.max_survivors, patch.max_per_line)
    patch.files = []
    for path in sorted({m.path for m in mutants}):
        counts = score.mutant_counts([m for m in mutants if m.path == path], config)
        own_score, _ = score.mutation_metrics(counts)
        patch.files.append(FileMutation(path=path, mutation_score=own_score, mutants=counts))
    patch.surfaced_survivors = [m.id for m in surfaced]
    patch.hidden_survivors = hidden


def surface(
    mutants: list[Mutant], max_survivors: int, max_per_line: int
) -> tuple[list[Mutant], int]:
    """The survivors to show: <= max_per_line per line, <= max_survivors in all; count the rest.

    Survivors with a witness (a ready regression test) and without a likely-equivalent verdict go
    first, because those are the ones a reviewer can act on.
    """
    survivors = sorted((m for m in mutants if m.status == "survived"), key=_preference)
    per_line: Counter[tuple[str, int | None]] = Counter()
    picked: list[Mutant] = []
    for mutant in survivors:
        key = (mutant.path, mutant.line)
        if per_line[key] >= max_per_line or len(picked) >= max_survivors:
            continue
        per_line[key] += 1
        picked.append(mutant)
    picked.sort(key=lambda m: (m.path, m.line or 0, natural_key(m.id)))
    return picked, len(survivors) - len(picked)


def _preference(mutant: Mutant) -> tuple[Any, ...]:
    return (
        mutant.likely_equivalent,
        mutant.witness is None,
        mutant.path,
        mutant.line or 0,
        natural_key(mutant.id),
    )


def natural_key(text: str) -> tuple[Any, ...]:
    """`x_f__mutmut_10` after `x_f__mutmut_9`."""
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", text))


def skip_reasons(mutants: list[Mutant]) -> dict[str, int]:
    """Why mutants were not run, grouped: 'not changed since origin/main' counts once per base."""
    counts: Counter[str] = Counter()
    for mutant in mutants:
        if mutant.status == "skipped":
            counts[mutant.reason or "skipped (no reason given)"] += 1
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


# -- findings -------------------------------------------------------------------------------------


def new_findings(card: Scorecard, changed_files: list[str] | None = None) -> list[Finding]:
    """Findings in test files the change touched (the static stage already applied a baseline)."""
    if changed_files is None:
        changed_files = card.patch.changed_files if card.patch else []
    files = set(changed_files)
    return [f for f in card.findings if f.path in files]


def finding_key(finding: Finding) -> str:
    """A finding's identity across scans: its fingerprint, else `rule:path:line`."""
    return finding.fingerprint or f"{finding.rule}:{finding.path}:{finding.line}"


# -- project-wide numbers vs the base branch ------------------------------------------------------


def load_scorecard(path: str | Path) -> Scorecard:
    """Read a JSON scorecard (an earlier run's artifact), with a clear error when it is not one."""
    file = Path(path)
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(
            f"Scorecard '{file}' does not exist. Write one with `auditor scan --json {file}` "
            f"(on the "
            f"base branch for --base / --base-scorecard), or fix the path."
        ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsageError(
            f"'{file}' is not a readable JSON scorecard ({exc}). Pass a file written by "
            f"`auditor scan --json FILE`."
        ) from None
    if not isinstance(data, dict) or "schema_version" not in data:
        raise UsageError(
            f"'{file}' is JSON but not an auditor scorecard (no schema_version). Pass a file "
            f"written "
            f"by `auditor scan --json FILE`."
        )
    return Scorecard.from_dict(data)


def project_numbers(card: Scorecard, base: Scorecard, config: Config | None) -> ProjectNumbers:
    """Project-wide head numbers, base numbers and their difference (Stryker's `--with-baseline`).

    A PR run mutates only changed lines, so its own mutation score covers the change, not the
    project.
    The head estimate therefore takes the base run's verdict for every mutant that was skipped as
    unchanged, and this run's verdict for the rest, then scores the result with `score.finalize`.
    """
    reused = 0
    by_id = {m.id: m for m in base.mutants}
    head = Scorecard.from_dict(card.to_dict())
    head.patch = None
    mutants: list[Mutant] = []
    for mutant in head.mutants:
        earlier = by_id.get(mutant.id)
        if earlier is not None and mutant.skip_reason is SkipReason.NOT_CHANGED:
            mutants.append(earlier)
            reused += 1
        else:
            mutants.append(mutant)
    head.mutants = mutants
    score.finalize(head, config or Config())
    before, after = _side(base), _side(head)
    delta = ProjectDelta(
        **{key: _difference(before.get(key), after.get(key)) for key in PROJECT_DELTA}
    )
    return ProjectNumbers(base=before, head=after, delta=delta, reused_from_base=reused)


def _side(card: Scorecard) -> ProjectSide:
    s = card.summary
    return ProjectSide(
        score=s.score,
        mutation_score=s.mutation_score,
        test_strength=s.test_strength,
        line_coverage=s.line_coverage,
        branch_coverage=s.branch_coverage,
        oracle_gap=s.oracle_gap,
        grade=s.grade,
    )


def _difference(before: float | None, after: float | None) -> float | None:
    if before is None or after is None:
        return None
    return round(float(after) - float(before), 1)
