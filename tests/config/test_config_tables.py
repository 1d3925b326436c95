"""`[tool.auditor]`: typed tables, defaults declared once, and the validation messages users see."""

from __future__ import annotations

import dataclasses
import re
import sys
from pathlib import Path

import pytest

from auditor import score
from auditor.config import (
    SUBTABLE_KEYS,
    TOP_LEVEL_KEYS,
    Config,
    MutationConfig,
    PrConfig,
    ThresholdsConfig,
    WitnessConfig,
    parse_config,
    toml_keys,
)
from auditor.errors import ConfigError
from auditor.metric_registry import Bands

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

REFERENCE = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (
            {"ignroe": []},
            "Unknown key 'ignroe' in [tool.auditor]. Did you mean 'ignore'? Valid keys are: "
            "also-copy, arid,",
        ),
        (
            {"jobs": True},
            "[tool.auditor] key 'jobs' must be int (parallel workers (default: all cores)); "
            "got bool True.",
        ),
        ({"select": ["TQ1", 3]}, "[tool.auditor] key 'select' must be a list of strings; got 3."),
        (
            {"per-file-ignores": {"a": "TQ1"}},
            """[tool.auditor] per-file-ignores['a'] must be a list of codes, e.g. "a" = ["TQ101"]; """
            "got 'TQ1'.",
        ),
        (
            {"mutation": {"max-mutant": 3}},
            "Unknown key 'max-mutant' in [tool.auditor.mutation]. Did you mean 'max-mutants'?",
        ),
        (
            {"mutation": {"pseudo-tested": 1}},
            "[tool.auditor.mutation] key 'pseudo-tested' must be bool; got 1.",
        ),
        (
            {"witness": {"strategies": []}},
            "Unknown key 'strategies' in [tool.auditor.witness]. Valid keys are: enabled, "
            "max-examples, seconds.",
        ),
        (
            {"gate": {"mutation": 70}},
            "Unknown key 'mutation' in [tool.auditor.gate]. Did you mean 'mutation_score'?",
        ),
        ({"gate": {"errors": True}}, "[tool.auditor.gate] key 'errors' must be int or float; got True."),
        (
            {"thresholds": {"brake": 50}},
            "Unknown key 'brake' in [tool.auditor.thresholds]. Did you mean 'break'? Valid keys "
            "are: break, high, low.",
        ),
        ({"pr": {"max-per-line": 1.5}}, "[tool.auditor.pr] key 'max-per-line' must be int; got 1.5."),
    ],
)
def test_bad_values_are_refused_with_a_message_naming_key_and_fix(
    table: dict[str, object], message: str
) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_config(table)
    assert str(raised.value).startswith(message)


def test_sub_tables_are_typed_and_keep_the_defaults_of_keys_not_set() -> None:
    config = parse_config(
        {
            "mutation": {"max-mutants": 5, "process-isolation": "forkserver"},
            "witness": {"seconds": 2},
            "thresholds": {"break": 50, "high": 90},
            "pr": {"max-per-line": 2},
            "score": {"properties": 5},
            "gate": {"errors": 0},
        }
    )
    assert config.mutation == MutationConfig(max_mutants=5, process_isolation="forkserver")
    assert config.witness == WitnessConfig(seconds=2)
    assert config.thresholds == ThresholdsConfig(high=90, break_=50)
    assert config.pr == PrConfig(max_per_line=2)
    assert config.score == {"properties": 5.0} and config.gate == {"errors": 0.0}
    assert score.bands(config) == Bands(high=90.0, low=60.0)


def test_absent_keys_take_the_declared_defaults() -> None:
    assert parse_config({}) == Config()
    assert Config().arid and parse_config({"arid": False}).arid == []
    assert parse_config({"arid": True}).arid == Config().arid


def test_every_key_declares_its_types_and_a_description() -> None:
    assert all(types and description for types, description in TOP_LEVEL_KEYS.values())
    for cls in (MutationConfig, WitnessConfig, ThresholdsConfig, PrConfig):
        declared = toml_keys(cls)
        assert len(declared) == len(dataclasses.fields(cls))  # no field without a TOML key
        assert all(s.description for _, s in declared.values())


def test_the_reference_shows_the_real_defaults() -> None:
    """docs/configuration.md's example shows defaults for these tables: they are the code's."""
    text = REFERENCE.read_text(encoding="utf-8")
    block = re.search(r"^```toml\n(.*?)^```", text, re.M | re.S)
    assert block
    documented = tomllib.loads(block.group(1))["tool"]["auditor"]
    for name, cls in (("witness", WitnessConfig), ("pr", PrConfig)):
        for key, (attribute, _) in toml_keys(cls).items():
            assert documented[name][key] == getattr(cls(), attribute), f"{name}.{key}"
    defaults = ThresholdsConfig()
    assert (documented["thresholds"]["high"], documented["thresholds"]["low"]) == (
        defaults.high,
        defaults.low,
    )
    assert {k: float(v) for k, v in documented["score"].items()} == score.DEFAULT_WEIGHTS
    assert set(SUBTABLE_KEYS["score"]) == set(score.DEFAULT_WEIGHTS)
