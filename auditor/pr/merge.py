"""`auditor merge`: combine `--shard K/N` scorecards into the scorecard one unsharded run gives.

Shards differ only in which mutants they ran (`shards.shard_of`); static findings, coverage and
tests are the same in each. So the merge takes the first card as the frame, unions the mutants by
id (each shard's card holds only its own mutants), recounts the per-test kills, and re-runs
`score.finalize` (and the patch metrics) so every derived number is computed the usual way.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from auditor import score
from auditor.config import Config, load_config
from auditor.errors import EXIT_OK, UsageError
from auditor.meta import MutationStats
from auditor.model import Mutant, Scorecard, StageReport
from auditor.pr import patch_metrics
from auditor.pr.shards import parse_shard
from auditor.project import find_root
from auditor.reports import json_report


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """`auditor merge SHARD.json... [--json FILE] [--allow-partial]`."""
    parser.add_argument(
        "scorecards",
        nargs="+",
        metavar="SHARD.json",
        help="scorecards written by `auditor scan --shard K/N --json FILE`",
    )
    parser.add_argument(
        "--json", metavar="FILE", help="write the merged scorecard (default: stdout)"
    )
    parser.add_argument(
        "--allow-partial",
        action="store_true",
        help="merge even when some shards of K/N are missing",
    )


def run(args: argparse.Namespace) -> int:
    """Merge the shard scorecards and write (or print) the result; UsageError for shards that do not belong together."""
    cards = [patch_metrics.load_scorecard(path) for path in args.scorecards]
    merged = merge(cards, load_config(find_root(Path.cwd())), allow_partial=args.allow_partial)
    text = json_report.render(merged)
    if args.json:
        out = Path(args.json)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
        total = merged.summary.mutants.total if merged.summary.mutants else 0
        print(
            f"auditor: merged {len(cards)} scorecards ({total} mutants) "
            f"into {out}",
            file=sys.stderr,
        )
    else:
        sys.stdout.write(text)
    return EXIT_OK


def merge(
    cards: list[Scorecard], config: Config | None = None, allow_partial: bool = False
) -> Scorecard:
    """The union of shard scorecards, finalized; UsageError for shards that do not belong."""
    if not cards:
        raise UsageError("auditor merge needs at least one scorecard.")
    _check_compatible(cards, allow_partial)
    merged = Scorecard.from_dict(cards[0].to_dict())
    merged.mutants = _merge_mutants(cards)
    merged.tests = _merge_tests(cards, merged)
    merged.stages = _merge_stages(cards)
    merged.pseudo_tested = _union(
        cards, lambda c: c.pseudo_tested, lambda p: (p.path, p.function, p.line)
    )
    shards = sorted(s for s in (shard_spec(c) for c in cards) if s is not None)
    merged.meta.shard = None
    merged.meta.shard_spec = None
    if shards:
        merged.meta.merged_shards = [f"{k}/{n}" for k, n in shards]
    _sum_mutation_counts(cards, merged)
    errors = [e for c in cards for e in c.meta.tool_errors or []]
    merged.meta.tool_errors = errors or None
    # each shard's project Δ saw only its own mutants; `pr-comment --base` recomputes it
    if merged.patch is not None:
        merged.patch.project = None
    merged.meta.project_delta = None
    config = config or Config()
    patch_metrics.refresh(merged, config)
    score.finalize(merged, config)
    return merged


def _sum_mutation_counts(cards: list[Scorecard], merged: Scorecard) -> None:
    """How many mutants each shard ran is per shard; the merged card reports the total.

    A count is summed only when every shard recorded it.
    """
    stats = merged.meta.mutation
    if stats is None:
        return
    shards = [c.meta.mutation or MutationStats() for c in cards]
    stats.run_now = _total([s.run_now for s in shards], stats.run_now)
    stats.reused = _total([s.reused for s in shards], stats.reused)
    stats.rerun_for_changed_tests = _total(
        [s.rerun_for_changed_tests for s in shards], stats.rerun_for_changed_tests
    )


def _total(values: list[int | None], fallback: int | None) -> int | None:
    counts = [v for v in values if v is not None]
    return sum(counts) if len(counts) == len(values) else fallback


def _check_compatible(cards: list[Scorecard], allow_partial: bool) -> None:
    first = cards[0]
    for card in cards[1:]:
        if card.project.source != first.project.source or card.tool.get(
            "version"
        ) != first.tool.get("version"):
            raise UsageError(
                "These scorecards come from different projects or auditor versions "
                f"(source {first.project.source} vs {card.project.source}). Merge only the shards "
                "of "
                "one run: same commit, same `auditor scan` options apart from --shard."
            )
        base_a = first.patch.merge_base if first.patch else None
        base_b = card.patch.merge_base if card.patch else None
        if base_a != base_b:
            raise UsageError(
                f"The shards were scanned against different diff bases ({base_a} vs {base_b}). Run "
                "every shard with the same --diff BASE on the same commit."
            )
    shards = [s for s in (shard_spec(c) for c in cards) if s is not None]
    if not shards:
        return
    counts = {n for _, n in shards}
    if len(counts) != 1 or len(shards) != len(cards):
        raise UsageError(
            "Mixed shard layouts: every scorecard must come from `--shard K/N` with the same N "
            f"(got {sorted(f'{k}/{n}' for k, n in shards)} from {len(cards)} files)."
        )
    n = counts.pop()
    seen = sorted(k for k, _ in shards)
    if len(set(seen)) != len(seen):
        raise UsageError(f"A shard was passed twice: {seen}. Pass each K/{n} scorecard once.")
    missing = sorted(set(range(1, n + 1)) - set(seen))
    if missing and not allow_partial:
        raise UsageError(
            f"Shards {', '.join(f'{k}/{n}' for k in missing)} are missing, so the merged score "
            "would "
            "cover only part of the mutants. Pass every shard's scorecard, or add --allow-partial."
        )


def shard_spec(card: Scorecard) -> tuple[int, int] | None:
    """(K, N) of a shard scorecard: `meta.shard_spec` "K/N" (api.audit), else `meta.shard`."""
    if card.meta.shard_spec:
        return parse_shard(card.meta.shard_spec)
    if card.meta.shard is not None:
        return card.meta.shard.index, card.meta.shard.count
    return None


def _merge_mutants(cards: list[Scorecard]) -> list[Mutant]:
    """Every shard's mutants, by id (a mutant in two cards is taken from the first), sorted."""
    chosen = _union(cards, lambda c: c.mutants, lambda m: m.id)
    return sorted(chosen, key=lambda m: (m.path, m.line or 0, patch_metrics.natural_key(m.id)))


def _merge_tests(cards: list[Scorecard], merged: Scorecard) -> list[Any]:
    """Per-test facts come from the shared coverage run; kills are recounted over all mutants.

    The recount uses the mutation stage's own `apply_test_results`, so "kills" and "tests that
    kill nothing" mean the same after a merge as after one run.
    """
    from auditor.mutation.build import apply_test_results

    unique: dict[str, Any] = {}
    for card in cards:
        for test in Scorecard.from_dict({"tests": card.to_dict()["tests"]}).tests:
            unique.setdefault(test.id, test)
    tests = list(unique.values())
    without = apply_test_results(tests, merged.mutants)
    if merged.meta.tests_without_kills is not None:
        merged.meta.tests_without_kills = without
    return tests


def _merge_stages(cards: list[Scorecard]) -> list[StageReport]:
    stages = Scorecard.from_dict(cards[0].to_dict()).stages
    for report in stages:
        if report.name != "mutation":
            continue
        others = [c.stage("mutation") for c in cards[1:]]
        runs = [r for r in [report, *others] if r is not None]
        report.ran = any(r.ran for r in runs)
        report.seconds = round(sum(r.seconds for r in runs), 3)
        if report.ran:
            report.reason = ""
    return stages


def _union(cards: list[Scorecard], items: Any, key: Any) -> list[Any]:
    seen: dict[Any, Any] = {}
    for card in cards:
        for item in items(card):
            seen.setdefault(key(item), item)
    return list(seen.values())
