"""`auditor rules` / `auditor explain` come from the rule classes, and docs/rules.md stays in sync."""

from __future__ import annotations

from pathlib import Path

from auditor.cli import main
from auditor.static.docs import explain_markdown, rules_markdown
from auditor.static.registry import all_rules

REPO = Path(__file__).resolve().parents[2]


def test_explain_has_the_four_parts_for_every_rule():
    for rule in all_rules():
        text = explain_markdown(rule.code)
        for part in ("## What it does", "## Why it matters", "## Example", "## Use instead"):
            assert part in text, (rule.code, part)
        docs = rule.docs()
        assert docs["Why it matters"].strip(), f"{rule.code} docstring lacks 'Why it matters'"


def test_cli_explain_and_rules(capsys):
    assert main(["explain", "TQ112"]) == 0
    out = capsys.readouterr().out
    assert "TQ112" in out and "Use instead" in out
    assert main(["rules"]) == 0
    out = capsys.readouterr().out
    assert "TQ101" in out and "TQ411" in out


def test_explain_unknown_code_is_a_usage_error(capsys):
    assert main(["explain", "TQ999"]) == 2
    assert "Unknown rule 'TQ999'" in capsys.readouterr().err


def test_docs_rules_md_is_generated_from_the_rules():
    committed = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    assert committed == rules_markdown(), (
        "regenerate: python -m auditor.static.docs > docs/rules.md"
    )
