"""The PR comment: what a reviewer sees, and that it always fits GitHub's 65,536-character limit."""

from __future__ import annotations

from pr_cards import card, mutant

from auditor import score
from auditor.config import Config, parse_config
from auditor.model import Finding
from auditor.pr import comment, patch_metrics
from auditor.pr.diffscope import DiffScope


def pr_card(lines: dict[str, set[int]] | None = None, config: Config | None = None):  # type: ignore[no-untyped-def]
    c = card()
    scope = DiffScope(
        "origin/main",
        "abc1234567890",
        lines or {"pkg/calc.py": {5, 6, 9}, "tests/test_calc.py": {4}},
    )
    c.patch = patch_metrics.compute(c, scope, {"pkg/calc.py": {5, 6, 9}}, config or Config())
    score.finalize(c, config or Config())
    return c


def test_comment_shows_patch_numbers_survivors_with_diff_and_witness() -> None:
    text = comment.render(pr_card())
    assert text.startswith(comment.MARKER)
    assert "**Patch mutation score 33.3%** (2 of 6 mutants on changed lines detected)" in text
    assert "**Patch coverage 66.7%** (2 of 3 changed statements run by tests)" in text
    assert "`pkg/calc.py:5`" in text and "`pkg/calc.py:6`" in text
    assert "```diff\n--- a/pkg/calc.py" in text
    assert "+    if x >= 10:" in text
    assert "Witness: `clamp(x=10)` gives `10` on the original and `9` on the mutant." in text
    assert "def test_clamp_10():" in text
    # one survivor per line: mutant 2 (line 5, no witness) is counted, not shown
    assert "x_clamp__mutmut_2" not in text
    assert "1 more surviving mutant on changed lines not surfaced" in text


def test_new_findings_only_from_changed_test_files() -> None:
    text = comment.render(pr_card())
    assert "#### New findings in changed test files" in text
    assert "**TQ101**" in text and "**TQ201**" not in text


def test_footer_says_what_was_skipped_and_why() -> None:
    text = comment.render(pr_card())
    footer = text[text.index("What was skipped") :]
    assert "2 mutants skipped: not changed since origin/main" in footer
    assert "1 mutant skipped: arid line" in footer
    assert "stage `properties` not run: skipped by --only/--skip" in footer
    assert "1 mutant on changed lines that no test runs" in footer
    assert "changed lines not run by any test: `pkg/calc.py` 9" in footer
    assert "mutmut 3.8.1" in footer


def test_changed_files_table() -> None:
    text = comment.render(pr_card())
    assert "| `pkg/calc.py` | 3 | 66.7% | 2 | 3 | 1 | 33.3% |" in text
    assert "| `tests/test_calc.py` | 1 | test file, 1 new finding |" in text


def test_project_delta_against_a_base_scorecard() -> None:
    base = card()
    for m in base.mutants:
        if m.id.startswith("pkg.calc.x_other"):
            m.status, m.reason = "killed", ""
    for m in base.mutants[1:4]:
        m.status = "killed"
    score.finalize(base, Config())
    head = pr_card()
    text = comment.render(head, base=base)
    numbers = patch_metrics.project_numbers(head, base, Config())
    assert numbers.delta.mutation_score < 0
    assert f"▼ {numbers.delta.mutation_score:.1f}" in text
    assert "| mutation score |" in text
    assert "verdicts of 2 unchanged mutants reused from the base scorecard" in text


def test_stays_under_the_limit_by_truncating_with_a_count() -> None:
    big_diff = "--- a/x\n+++ b/x\n@@ -1 +1 @@\n" + "".join(
        f"-old {i}\n+new {i}\n" for i in range(30)
    )
    many = [
        mutant(f"pkg.calc.x_f__mutmut_{i}", "survived", i, diff=big_diff) for i in range(1, 3001)
    ]
    c = card(many)
    c.findings = [
        Finding(
            rule="TQ101", severity="warning", path="tests/test_calc.py", line=i, message="x" * 300
        )
        for i in range(1, 500)
    ]
    config = parse_config({"pr": {"max-survivors": 5000}})
    scope = DiffScope(
        "main", "abc", {"pkg/calc.py": set(range(1, 3001)), "tests/test_calc.py": {1}}
    )
    c.patch = patch_metrics.compute(c, scope, None, config)
    score.finalize(c, config)
    text = comment.render(c)
    assert len(text) <= comment.MAX_CHARS
    assert (
        "surfaced surviving mutants not shown to keep the comment under GitHub's size limit" in text
    )
    assert "more findings not listed" in text
    assert text.rstrip().endswith("</sub>")  # the footer survived


def test_backticks_in_a_diff_cannot_break_the_fence() -> None:
    m = mutant("pkg.calc.x_clamp__mutmut_1", "survived", 5, diff="-a = '```'\n+a = '````'\n")
    c = card([m])
    c.patch = patch_metrics.compute(c, DiffScope("main", "abc", {"pkg/calc.py": {5}}), None, Config())
    text = comment.render(c)
    assert "`````diff\n-a = '```'" in text


def test_full_scan_markdown_without_patch() -> None:
    c = card()
    score.finalize(c, Config())
    text = comment.render(c)
    assert text.startswith(comment.MARKER)
    assert "**Mutation score" in text and "#### Modules" in text
    assert "#### Findings" in text and "**TQ201**" in text
