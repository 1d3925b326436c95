"""The terminal report: what a developer reads after `auditor scan`."""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console

from auditor.cli import make_console
from auditor.meta import GateResult
from auditor.model import Scorecard
from auditor.reports import terminal


def test_static_only_card_shows_findings_diagnostics_and_what_did_not_run(
    static_card: Scorecard,
) -> None:
    text = terminal.render(static_card)
    assert "static only" in text
    assert "Stages not run" in text and "coverage (skipped by --only/--skip)" in text
    assert "tests/test_core.py" in text
    assert "TQ001" in text and "add `assert` on the result" in text
    assert "cannot parse: invalid syntax" in text
    assert "unused suppression" in text and "TQ205" in text
    assert "Top actions" in text
    assert "mutation score, test strength" in text  # listed as not measured, never as 0%


def test_every_line_fits_80_columns(full_card: Scorecard) -> None:
    text = terminal.render(full_card)
    assert max(len(line.rstrip()) for line in text.splitlines()) <= 80
    assert "pkg/core.py" in text and "50.0%" in text
    assert "mutmut 3.8.1" in text  # a score names its engine


def test_quiet_prints_one_summary_line(full_card: Scorecard) -> None:
    text = terminal.render(full_card, quiet=True, gate_messages=["mutation_score is 50%"])
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1
    assert (
        "score 48.0 (F)" in lines[0]
        and "mutation 50.0%" in lines[0]
        and "1 gate(s) failed" in lines[0]
    )


def test_gate_messages_are_printed(static_card: Scorecard) -> None:
    text = terminal.render(
        static_card, gate_messages=["errors is 1, at most 0 allowed (--fail-under errors=0)."]
    )
    assert "Quality gates" in text and "failed errors is 1" in text


def test_gates_from_the_card_show_passes_too(static_card: Scorecard) -> None:
    static_card.meta.gates = [
        GateResult("errors (--fail-under errors=3)", True),
        GateResult("score (--fail-under score=90)", False, "score is 37.5, below 90"),
    ]
    text = terminal.render(static_card, gate_messages=["score is 37.5, below 90"])
    assert "passed errors (--fail-under errors=3)" in text
    assert "failed score is 37.5, below 90" in text


def test_surviving_mutant_actions_show_the_change(full_card: Scorecard) -> None:
    text = terminal.render(full_card)
    assert "- return age >= 18" in text and "+ return age > 18" in text


@pytest.mark.parametrize(
    ("no_color_flag", "env", "coloured"),
    [(False, None, True), (True, None, False), (False, "1", False)],
)
def test_colour_follows_no_color_and_flag(
    monkeypatch: pytest.MonkeyPatch,
    static_card: Scorecard,
    no_color_flag: bool,
    env: str | None,
    coloured: bool,
) -> None:
    if env is None:
        monkeypatch.delenv("NO_COLOR", raising=False)
    else:
        monkeypatch.setenv("NO_COLOR", env)
    monkeypatch.setenv("FORCE_COLOR", "1")  # behave as on a colour terminal
    console = make_console(no_color_flag)
    buffer = io.StringIO()
    console.file = buffer
    assert terminal.render(static_card, console=console) == ""
    foreground = re.compile(r"\x1b\[(?:\d+;)*3[0-7](?:;\d+)*m")
    assert bool(foreground.search(buffer.getvalue())) is coloured


def test_prints_on_the_given_console(full_card: Scorecard) -> None:
    buffer = io.StringIO()
    terminal.render(full_card, console=Console(file=buffer, width=80, no_color=True))
    assert "pseudo-tested function is_adult" in buffer.getvalue()


def test_stage_notes_are_shown(static_card: Scorecard) -> None:
    static_card.meta.notes = ["no tests found under tests: no Python files to analyse"]
    assert "note: no tests found under tests" in terminal.render(static_card)


def test_shared_module_directory_is_shown_once(full_card: Scorecard) -> None:
    for row in full_card.modules:
        row.path = "src/storefront/" + row.path
    text = terminal.render(full_card)
    assert "Modules (src/storefront/pkg/)" in text
    assert " core.py " in text and "src/storefront/pkg/core.py" not in text
