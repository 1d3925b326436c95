"""Patch metrics from hand-built scorecards and real files (no engine runs)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pr_cards import card, mutant
from pr_gitrepo import git, init_repo, write

from auditor import score
from auditor.config import Config, parse_config
from auditor.counts import MutantCounts
from auditor.errors import UsageError
from auditor.mutation.select import select
from auditor.patch_model import FileMutation
from auditor.pr import patch_metrics
from auditor.pr.diffscope import DiffScope

CALC = (
    "def clamp(x):\n"  # 1
    "    lo = 0\n"  # 2
    "    hi = 10\n"  # 3
    "    y = x\n"  # 4
    "    if x > hi:\n"  # 5
    "        return min(hi,\n"  # 6
    "                   y)\n"  # 7
    "    # a comment\n"  # 8
    "    return max(lo, y)\n"  # 9
)


def scope(lines: dict[str, set[int]]) -> DiffScope:
    return DiffScope(base="origin/main", merge_base="abc123", lines=lines)


def test_patch_mutation_score_counts_only_mutants_on_changed_lines() -> None:
    c = card()
    result = patch_metrics.compute(c, scope({"pkg/calc.py": {5, 6, 9}}), None, Config())
    # on lines 5, 6, 9: killed 1, timeout 1, survived 3, no_coverage 1 -> 2 / 6 detected
    assert result.mutants.valid == 6
    assert result.mutation_score == 33.3
    assert result.test_strength == 40.0
    assert result.files == [FileMutation("pkg/calc.py", 33.3, result.mutants or MutantCounts())]
    # the project-wide score over the same card counts nothing else as valid either
    assert score.mutation_metrics(score.mutant_counts(c.mutants))[0] == 33.3


def test_one_survivor_per_line_prefers_a_witness_and_counts_the_rest() -> None:
    result = patch_metrics.compute(card(), scope({"pkg/calc.py": {5, 6}}), None, Config())
    assert result.surfaced_survivors == [
        "pkg.calc.x_clamp__mutmut_3",
        "pkg.calc.x_clamp__mutmut_4",
    ]
    assert result.hidden_survivors == 1


def test_cap_per_pr_from_config() -> None:
    config = parse_config({"pr": {"max-survivors": 1, "max-per-line": 2}})
    result = patch_metrics.compute(card(), scope({"pkg/calc.py": {5, 6}}), None, config)
    assert result.surfaced_survivors == ["pkg.calc.x_clamp__mutmut_3"]
    assert result.hidden_survivors == 2
    assert (result.max_survivors, result.max_per_line) == (1, 2)


def test_multi_line_mutant_touching_a_changed_line_is_in_the_patch() -> None:
    wide = mutant("pkg.calc.x_clamp__mutmut_9", "survived", 3)
    wide.end_line = 7
    c = card([wide])
    assert patch_metrics.patch_mutants(c, {"pkg/calc.py": {6}}) == [wide]
    assert patch_metrics.patch_mutants(c, {"pkg/calc.py": {8}}) == []
    assert patch_metrics.patch_mutants(c, {"pkg/other.py": {3}}) == []


@pytest.mark.parametrize(
    ("line", "end_line", "changed"),
    [(7, 5, {7}), (7, 5, {6}), (7, 5, {5}), (3, 7, {6}), (3, None, {3}), (3, 3, {4}), (3, 0, {3})],
)
def test_the_run_selection_and_the_patch_agree_on_which_mutants_changed(
    line: int, end_line: int | None, changed: set[int]
) -> None:
    """One check decides both which mutants a PR run mutates and which count in the patch."""
    m = mutant("pkg.calc.x_clamp__mutmut_9", "pending", line)
    m.end_line = end_line
    expected = line in changed or (end_line is not None and line <= min(changed) <= end_line)
    in_patch = patch_metrics.patch_mutants(card([m]), {"pkg/calc.py": changed}) == [m]
    run = select([m], changed={"pkg/calc.py": changed}, base="main").kept[0].status == "pending"
    assert in_patch == run == expected


def test_a_mutant_with_its_end_before_its_line_spans_its_line_only() -> None:
    m = mutant("pkg.calc.x_clamp__mutmut_9", "survived", 7)
    m.end_line = 5
    assert list(m.span()) == [7]
    assert m.touches({7}) and not m.touches({5, 6})
    m.line, m.end_line = 3, 5
    assert list(m.span()) == [3, 4, 5]
    m.line = None
    assert not m.touches({3})


def test_patch_coverage_uses_coverage_statements(tmp_path: Path) -> None:
    write(tmp_path, {"pkg/calc.py": CALC})
    c = card()
    # line 7 continues the statement on 6; line 8 is a comment; line 9 never ran
    coverable = patch_metrics.coverable_changed_lines(tmp_path, {"pkg/calc.py": {5, 7, 8, 9}}, c)
    assert coverable == {"pkg/calc.py": {5, 6, 9}}
    result = patch_metrics.compute(c, scope({"pkg/calc.py": {5, 7, 8, 9}}), coverable, Config())
    assert (result.covered_lines, result.coverable_lines, result.coverage) == (2, 3, 66.7)
    assert result.uncovered == {"pkg/calc.py": "9"}


def test_pragma_no_cover_lines_are_not_coverable(tmp_path: Path) -> None:
    write(
        tmp_path, {"pkg/calc.py": CALC.replace("    lo = 0\n", "    lo = 0  # pragma: no cover\n")}
    )
    assert patch_metrics.coverable_changed_lines(tmp_path, {"pkg/calc.py": {2, 3}}, card()) == {
        "pkg/calc.py": {3}
    }


def test_without_coverage_or_mutation_the_numbers_are_none_not_zero() -> None:
    c = card()
    c.stages[2].ran = False
    result = patch_metrics.compute(c, scope({"pkg/calc.py": {5}}), None, Config())
    assert result.coverage is None and result.mutation_score is None
    assert result.surfaced_survivors == []


def test_new_findings_are_those_in_changed_test_files() -> None:
    result = patch_metrics.compute(card(), scope({"tests/test_calc.py": {4}}), None, Config())
    assert result.new_findings == 1
    assert result.new_finding_keys == ["TQ101:tests/test_calc.py:4"]


def test_refresh_recomputes_from_the_stored_lines() -> None:
    c = card()
    c.patch = patch_metrics.compute(c, scope({"pkg/calc.py": {5, 6, 9}}), None, Config())
    c.mutants[1].status = "killed"
    patch_metrics.refresh(c, Config())
    assert c.patch.mutants.detected == 3
    assert "pkg.calc.x_clamp__mutmut_2" not in c.patch.surfaced_survivors
    assert patch_metrics.changed_from_patch(c.patch) == {"pkg/calc.py": {5, 6, 9}}


def test_patch_survivors_for_sarif_are_the_surfaced_ones() -> None:
    c = card()
    c.patch = patch_metrics.compute(c, scope({"pkg/calc.py": {5}}), None, Config())
    assert [m.id for m in patch_metrics.patch_survivors(c)] == ["pkg.calc.x_clamp__mutmut_3"]
    assert len(patch_metrics.patch_survivors(c, surfaced_only=False)) == 2


def test_project_numbers_reuse_base_verdicts_for_unchanged_mutants() -> None:
    base = card()
    for m in base.mutants:
        if m.id.startswith("pkg.calc.x_other"):
            m.status, m.reason = "killed", ""
    score.finalize(base, Config())
    head = card()
    score.finalize(head, Config())
    numbers = patch_metrics.project_numbers(head, base, Config())
    assert numbers.reused_from_base == 2
    # head estimate = base's 2 killed + this run's 6 valid (2 detected) = 4 / 8
    assert numbers.head.mutation_score == 50.0
    assert numbers.base.mutation_score == base.summary.mutation_score
    assert numbers.delta.mutation_score == round(50.0 - base.summary.mutation_score, 1)


def test_load_scorecard_errors(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="does not exist"):
        patch_metrics.load_scorecard(tmp_path / "nope.json")
    (tmp_path / "bad.json").write_text("{", encoding="utf-8")
    with pytest.raises(UsageError, match="not a readable JSON scorecard"):
        patch_metrics.load_scorecard(tmp_path / "bad.json")
    (tmp_path / "other.json").write_text(json.dumps({"a": 1}), encoding="utf-8")
    with pytest.raises(UsageError, match="not an auditor scorecard"):
        patch_metrics.load_scorecard(tmp_path / "other.json")


def test_attach_reads_git_and_files(tmp_path: Path) -> None:
    init_repo(tmp_path, {"pkg/calc.py": CALC.replace("x > hi", "x > 11")})
    git(tmp_path, "checkout", "-q", "-b", "feature")
    write(tmp_path, {"pkg/calc.py": CALC})
    c = card()
    patch_metrics.attach(c, tmp_path, "main", Config())
    assert c.patch is not None
    assert c.patch.lines == {"pkg/calc.py": "5"}
    assert c.patch.changed_files == ["pkg/calc.py"]
    assert c.patch.coverage == 100.0
    assert c.patch.merge_base == git(tmp_path, "rev-parse", "main").strip()


def test_base_scorecard_without_diff_stores_the_project_delta(tmp_path: Path) -> None:
    base = card()
    score.finalize(base, Config())
    path = tmp_path / "base.json"
    path.write_text(json.dumps(base.to_dict()), encoding="utf-8")
    c = card()
    patch_metrics.attach(c, tmp_path, None, Config(), str(path))
    assert c.patch is None
    assert c.meta.project_delta.delta.mutation_score == 0.0


def test_scan_with_a_bad_base_fails_before_running_anything(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from auditor import cli

    init_repo(
        tmp_path,
        {
            "pyproject.toml": "[project]\nname='x'\n",
            "pkg/__init__.py": "",
            "tests/test_x.py": "def test_x():\n    assert 1\n",
        },
    )
    monkeypatch.chdir(tmp_path)
    assert cli.main(["scan", "tests", "--diff", "origin/main", "--format", "json"]) == 2
    err = capsys.readouterr().err
    assert "git fetch origin main" in err
    assert not (tmp_path / ".auditor").exists()
    assert cli.main(["scan", "tests", "--base-scorecard", "nope.json", "--format", "json"]) == 2
    assert "nope.json' does not exist" in capsys.readouterr().err


def test_coverable_uses_the_coverage_stage_exclusions(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pkg/calc.py": CALC.replace("    hi = 10\n", "    hi = 10  # skipme\n"),
            ".auditor/coverage/coveragerc": "[report]\nexclude_lines =\n    skipme\n",
        },
    )
    assert patch_metrics.coverable_changed_lines(tmp_path, {"pkg/calc.py": {2, 3}}, card()) == {
        "pkg/calc.py": {2}
    }
