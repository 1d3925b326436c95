"""Quality gates: --fail-under, [tool.auditor.gate], thresholds.break, and the --ratchet."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from auditor import gates, history, score
from auditor.config import Config, parse_config
from auditor.errors import UsageError
from auditor.meta import StaticStats
from auditor.model import Finding, ModuleCoverage, Mutant, Scorecard, StageReport
from auditor.options import Options


def _card(ran: tuple[str, ...] = ("static", "coverage", "mutation")) -> Scorecard:
    card = Scorecard()
    card.stages = [
        StageReport(n, n in ran, "" if n in ran else "skipped by --only/--skip")
        for n in ("static", "coverage", "mutation", "properties")
    ]
    card.meta.static = StaticStats(tests=4)
    card.findings = [Finding("TQ001", "error", "tests/t.py", 1, "m", test="t1")]
    if "coverage" in ran:
        card.coverage = [ModuleCoverage("pkg/a.py", 10, 9)]
    if "mutation" in ran:
        card.mutants = [
            Mutant(f"m{i}", "killed" if i < 5 else "survived", "pkg/a.py", i) for i in range(10)
        ]
    score.finalize(card, Config())
    return card


def _project(tmp_path: Path, **config: object) -> SimpleNamespace:
    return SimpleNamespace(root=tmp_path, config=parse_config(config))


def _options(**fail_under: float) -> Options:
    return Options(fail_under=fail_under)


def test_missed_gates_name_metric_value_and_source(tmp_path: Path) -> None:
    card = _card()
    messages = gates.evaluate(
        card, _options(mutation_score=70, line_coverage=80, errors=0), _project(tmp_path)
    )
    assert messages == [
        "mutation_score is 50%, below the required 70% (--fail-under mutation_score=70).",
        "errors is 1, at most 0 allowed (--fail-under errors=0).",
    ]
    assert [g.passed for g in card.meta.gates or []] == [False, True, False]


def test_config_gates_and_cli_override(tmp_path: Path) -> None:
    card = _card()
    project = _project(tmp_path, gate={"mutation_score": 40, "line_coverage": 95})
    assert gates.evaluate(card, _options(), project) == [
        "line_coverage is 90%, below the required 95% ([tool.auditor.gate] line_coverage = 95)."
    ]
    # the CLI value replaces the config value for the same metric
    assert gates.evaluate(card, _options(line_coverage=90), project) == []


def test_thresholds_break_is_a_mutation_score_gate(tmp_path: Path) -> None:
    messages = gates.evaluate(_card(), _options(), _project(tmp_path, thresholds={"break": 60}))
    assert messages == [
        "mutation_score is 50%, below the required 60% ([tool.auditor.thresholds] break = 60)."
    ]


def test_gate_on_a_stage_that_did_not_run_fails_and_says_why(tmp_path: Path) -> None:
    messages = gates.evaluate(_card(("static",)), _options(mutation_score=10), _project(tmp_path))
    assert messages == [
        "mutation_score >= 10 (--fail-under mutation_score=10) cannot be checked: "
        "the mutation stage did not run (skipped by --only/--skip)."
    ]


def test_patch_gate_without_diff_mode_explains_itself(tmp_path: Path) -> None:
    messages = gates.evaluate(_card(), _options(patch_mutation_score=80), _project(tmp_path))
    assert "run with --diff BASE" in messages[0]


def test_unknown_metric_is_a_usage_error_listing_the_valid_ones(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as info:
        gates.evaluate(_card(), _options(mutaton_score=70), _project(tmp_path))
    assert (
        "mutaton_score" in info.value.message
        and "mutation_score, test_strength" in info.value.message
    )


def _write_history(root: Path, *entries: dict[str, object]) -> None:
    (root / ".auditor").mkdir(exist_ok=True)
    with (root / ".auditor" / "history.jsonl").open("a") as fh:
        for entry in entries:
            fh.write(json.dumps(entry) + "\n")


STAGES = ["static", "coverage", "mutation"]


def test_ratchet_compares_with_the_last_main_entry(tmp_path: Path) -> None:
    _write_history(
        tmp_path,
        {
            "date": "d1",
            "branch": "main",
            "commit": "aaaa1111",
            "stages": STAGES,
            "metrics": {"mutation_score": 55.0, "line_coverage": 80.0, "errors": 0, "score": 10.0},
        },
        {
            "date": "d2",
            "branch": "feature",
            "commit": "bbbb",
            "stages": STAGES,
            "metrics": {"mutation_score": 40.0, "line_coverage": 99.0, "errors": 5},
        },
    )
    options = Options(ratchet=True)
    messages = gates.evaluate(_card(), options, _project(tmp_path))
    assert messages == [
        "ratchet: mutation_score went from 55% (commit aaaa1111 on main, d1) to 50%.",
        "ratchet: errors went from 0 (commit aaaa1111 on main, d1) to 1.",
    ]


def test_ratchet_passes_without_history_and_skips_score_across_stage_sets(tmp_path: Path) -> None:
    options = Options(ratchet=True)
    assert gates.evaluate(_card(), options, _project(tmp_path)) == []
    _write_history(
        tmp_path, {"date": "d", "branch": "x", "stages": ["static"], "metrics": {"score": 99.0}}
    )
    assert gates.evaluate(_card(), options, _project(tmp_path)) == []
    assert history.base_entry(history.load(tmp_path))["branch"] == "x"  # type: ignore[index]


def test_score_gate_speaks_in_points_not_percent(tmp_path: Path) -> None:
    card = _card()
    expected = f"score is {card.summary.score:g}, below the required 99 (--fail-under score=99)."
    assert gates.evaluate(card, _options(score=99), _project(tmp_path)) == [expected]
