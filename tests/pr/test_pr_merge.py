"""Merging shard scorecards gives the scorecard of one unsharded run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pr_cards import card, mutant

from auditor import cli, score
from auditor.config import Config
from auditor.errors import UsageError
from auditor.meta import MutationStats
from auditor.model import Mutant, Scorecard, SkipReason
from auditor.pr import patch_metrics
from auditor.pr.diffscope import DiffScope
from auditor.pr.merge import merge
from auditor.pr.shards import shard_of

STATUSES = ("killed", "survived", "timeout", "no_coverage", "survived", "killed", "skipped")


def full_card(with_patch: bool = False) -> Scorecard:
    mutants: list[Mutant] = []
    for i in range(1, 41):
        status = STATUSES[i % len(STATUSES)]
        killer = ["tests/test_calc.py::test_a" if i % 2 else "tests/test_calc.py::test_b"]
        m = mutant(
            f"pkg.calc.x_f{i % 4}__mutmut_{i}",
            status,
            1 + i % 12,
            killed_by=killer if status == "killed" else [],
        )
        if status == "skipped":
            m.skip(SkipReason.ARID, "arid line")
        mutants.append(m)
    c = card(sorted(mutants, key=lambda m: (m.path, m.line or 0, m.id)))
    c.tests[0].kills = 0
    c.tests.append(type(c.tests[0])(id="tests/test_calc.py::test_b"))
    _count_kills(c)
    if with_patch:
        scope = DiffScope("origin/main", "abc", {"pkg/calc.py": {2, 3, 5, 8}})
        c.patch = patch_metrics.compute(c, scope, {"pkg/calc.py": {2, 3, 5}}, Config())
    score.finalize(c, Config())
    return c


def _count_kills(c: Scorecard) -> None:
    for test in c.tests:
        test.kills = sum(1 for m in c.mutants if test.id in m.killed_by)


def split(c: Scorecard, n: int) -> list[Scorecard]:
    """What `scan --shard K/N` produces: the same card with only shard K's mutants."""
    shards = []
    for k in range(1, n + 1):
        part = Scorecard.from_dict(c.to_dict())
        part.mutants = [m for m in part.mutants if shard_of(m.id, n) == k]
        part.meta.shard_spec = f"{k}/{n}"
        _count_kills(part)
        if part.patch:
            patch_metrics.refresh(part, Config())
        score.finalize(part, Config())
        shards.append(part)
    return shards


def comparable(c: Scorecard) -> dict[str, object]:
    data = c.to_dict()
    data.pop("meta")
    data["mutants"] = sorted(data["mutants"], key=lambda m: m["id"])  # order is merge's own choice
    data["stages"] = [{k: v for k, v in s.items() if k != "seconds"} for s in data["stages"]]
    return data


@pytest.mark.parametrize("n", [2, 3, 5])
def test_merging_the_shards_of_a_card_gives_the_card(n: int) -> None:
    whole = full_card()
    parts = split(whole, n)
    assert all(p.summary.mutants.total < whole.summary.mutants.total for p in parts)
    merged = merge(list(reversed(parts)), Config())
    assert comparable(merged) == comparable(whole)
    assert merged.meta.merged_shards == [f"{k}/{n}" for k in range(1, n + 1)]


def test_merge_recomputes_the_patch_metrics() -> None:
    whole = full_card(with_patch=True)
    parts = split(whole, 2)
    assert parts[0].patch != whole.patch
    merged = merge(parts, Config())
    assert merged.patch == whole.patch
    assert merged.summary.patch.mutation_score == whole.summary.patch.mutation_score


def test_mutants_run_per_shard_add_up() -> None:
    parts = split(full_card(), 2)
    for i, part in enumerate(parts):
        part.meta.mutation = MutationStats(generated=40, run_now=10 + i, reused=1)
    stats = merge(parts).meta.mutation
    assert stats == MutationStats(generated=40, run_now=21, reused=2)


def test_shards_that_do_not_belong_together_are_refused() -> None:
    parts = split(full_card(), 3)
    with pytest.raises(UsageError, match="3/3 are missing"):
        merge(parts[:2])
    assert merge(parts[:2], allow_partial=True).meta.merged_shards == ["1/3", "2/3"]
    with pytest.raises(UsageError, match="passed twice"):
        merge([parts[0], parts[0], parts[1]])
    other = split(full_card(), 2)[0]
    with pytest.raises(UsageError, match="Mixed shard layouts"):
        merge([parts[0], other])
    foreign = Scorecard.from_dict(parts[1].to_dict())
    foreign.project.source = ["otherpkg"]
    with pytest.raises(UsageError, match="different projects"):
        merge([parts[0], foreign, parts[2]])


def test_merge_command_writes_the_merged_scorecard(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    whole = full_card()
    files = []
    for i, part in enumerate(split(whole, 2), 1):
        files.append(tmp_path / f"shard{i}.json")
        files[-1].write_text(json.dumps(part.to_dict()), encoding="utf-8")
    out = tmp_path / "all.json"
    assert cli.main(["merge", *map(str, files), "--json", str(out)]) == 0
    merged = Scorecard.from_dict(json.loads(out.read_text(encoding="utf-8")))
    assert merged.summary.mutation_score == whole.summary.mutation_score
    assert cli.main(["merge", str(files[0]), "--json", str(out)]) == 2
