"""The witness search driver: batching, result protocol, crash resilience, real mutmut runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import jsonschema
import pytest

from auditor.config import Config, WitnessConfig
from auditor.meta import Meta
from auditor.model import Mutant, Scorecard
from auditor.properties.witness import (
    OUT_OF_BUDGET,
    SearchResult,
    WitnessSettings,
    _read_new,
    apply,
    cacheable,
    candidates,
    mutants_dir,
    search,
    split_by_module,
)
from auditor.reports.json_report import render as render_json

MUTMUT = str(Path(sys.executable).with_name("mutmut"))
SCHEMA = json.loads(
    (Path(__file__).resolve().parents[2] / "docs" / "scorecard.schema.json").read_text()
)


def test_settings_come_from_the_witness_table_and_strategies() -> None:
    config = Config(witness=WitnessConfig(max_examples=50, seconds=2), strategies=["p.t:register"])
    settings = WitnessSettings.from_config(config, jobs=2)
    assert (settings.max_examples, settings.seconds, settings.jobs) == (50, 2.0, 2)
    assert settings.strategies == ["p.t:register"] and settings.enabled
    assert not WitnessSettings.from_config(Config(witness=WitnessConfig(enabled=False))).enabled


def test_modules_stay_together_when_split_over_workers() -> None:
    ids = [f"a.m.x_f__mutmut_{i}" for i in range(3)] + ["b.n.x_g__mutmut_1", "c.o.x_h__mutmut_1"]
    groups = split_by_module(ids, 2)
    assert sorted(map(len, groups)) == [2, 3]
    assert any(set(g) >= {f"a.m.x_f__mutmut_{i}" for i in range(3)} for g in groups)
    assert split_by_module(ids, 1) == [ids]


def test_partial_result_lines_wait_for_their_newline(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    path.write_bytes(b'{"event": "start", "id": "a"}\n{"event": "do')
    offset, events = _read_new(path, 0)
    assert events == [{"event": "start", "id": "a"}]
    with path.open("ab") as fh:
        fh.write(b'ne", "id": "\xc7\x81"}\n')
    offset, events = _read_new(path, offset)
    assert events == [{"event": "done", "id": "ǁ"}]
    assert _read_new(path, offset) == (offset, [])


def test_apply_records_witnesses_and_keeps_likely_equivalent_mutants() -> None:
    card = Scorecard(
        mutants=[
            Mutant("p.m.x_f__mutmut_1", "survived", "p/m.py"),
            Mutant("p.m.x_f__mutmut_2", "survived", "p/m.py"),
            Mutant("p.m.x_f__mutmut_3", "killed", "p/m.py"),
            Mutant("not-mutmut", "survived", "p/m.py"),
        ]
    )
    assert [m.id for m in candidates(card)] == ["p.m.x_f__mutmut_1", "p.m.x_f__mutmut_2"]
    apply(
        card,
        {
            "p.m.x_f__mutmut_1": SearchResult(
                "p.m.x_f__mutmut_1",
                "witness",
                witness={
                    "call": "f(x=1)",
                    "original": "1",
                    "mutant": "2",
                    "test_code": "...",
                    "verified": True,
                },
            ),
            "p.m.x_f__mutmut_2": SearchResult(
                "p.m.x_f__mutmut_2", "likely_equivalent", examples=300
            ),
        },
    )
    first, second = card.mutants[0], card.mutants[1]
    assert (
        first.witness is not None and first.witness.verified and first.witness_status == "witness"
    )
    assert second.likely_equivalent and second.equivalence_budget == 300
    assert second.status == "survived" and len(card.mutants) == 4


EVIDENCE = {
    "distinct": 300,
    "reached": 210,
    "conclusive": 205,
    "min_distinct": 100,
    "budget_met": True,
    "exhausted": False,
    "pins_tried": 12,
    "pins_total": 12,
    "pairs_tried": 30,
    "free_inputs": 2,
    "fixed": [],
    "absorbed": 0,
    "message_only": 0,
    "differences": 0,
    "stopped_early": "",
    "reason": "",
    "site": "lines 4-5",
    "locals_checked": True,  # worker-only keys are not part of the card
}


def test_claims_carry_their_evidence_into_the_schema_valid_card() -> None:
    card = Scorecard(
        mutants=[
            Mutant("p.m.x_f__mutmut_1", "survived", "p/m.py"),
            Mutant("p.m.x_f__mutmut_2", "survived", "p/m.py"),
        ]
    )
    unverified = {**EVIDENCE, "distinct": 1, "reached": 1, "conclusive": 1, "free_inputs": 0}
    unverified.update(budget_met=False, reason="no_free_inputs", fixed=["tz"])
    apply(
        card,
        {
            "p.m.x_f__mutmut_1": SearchResult(
                "p.m.x_f__mutmut_1", "likely_equivalent", examples=300, evidence=EVIDENCE
            ),
            "p.m.x_f__mutmut_2": SearchResult(
                "p.m.x_f__mutmut_2", "unverified", examples=1, evidence=unverified
            ),
        },
    )
    claim, other = card.mutants
    # the claim's budget is what reached the mutated code, not what was drawn
    assert claim.likely_equivalent and claim.equivalence_budget == 205
    assert claim.witness_evidence is not None and claim.witness_evidence.budget_met
    assert not other.likely_equivalent and other.equivalence_budget is None
    assert other.witness_evidence is not None and other.witness_evidence.fixed == ["tz"]
    data = json.loads(render_json(card))
    mutant_schema = {
        **SCHEMA["properties"]["mutants"]["items"],
        "definitions": SCHEMA["definitions"],
    }
    for item in data["mutants"]:
        jsonschema.Draft7Validator(mutant_schema).validate(item)
    assert data["mutants"][1]["witness_evidence"]["reason"] == "no_free_inputs"
    assert "locals_checked" not in data["mutants"][0]["witness_evidence"]
    assert (
        "witness_evidence"
        not in json.loads(render_json(Scorecard(mutants=[Mutant("a", "killed", "p")])))["mutants"][
            0
        ]
    )


def test_only_outcomes_that_do_not_depend_on_time_are_cached() -> None:
    assert cacheable(SearchResult("a", "likely_equivalent", evidence=EVIDENCE))
    confined = SearchResult("a", "unverified", evidence={**EVIDENCE, "reason": "confined"})
    assert cacheable(confined)
    short = SearchResult("a", "unverified", evidence={**EVIDENCE, "reason": "budget_not_met"})
    assert not cacheable(short)
    assert not cacheable(SearchResult("a", "unverified", note="stopped after 10s"))
    assert not cacheable(SearchResult("a", "skipped", note=OUT_OF_BUDGET))


def test_mutants_dir_needs_the_workspace_of_the_mutation_stage(tmp_path: Path) -> None:
    assert mutants_dir(Scorecard()) is None
    (tmp_path / "mutants").mkdir()
    assert (
        mutants_dir(Scorecard(meta=Meta(mutation_workspace=str(tmp_path)))) == tmp_path / "mutants"
    )


@pytest.mark.slow
def test_a_worker_that_dies_loses_only_the_mutant_in_progress(tmp_path: Path) -> None:
    """No mutmut needed: a hand-written module where one function kills the interpreter."""
    pkg = tmp_path / "mutants" / "fragile"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "core.py").write_text(
        textwrap.dedent("""
        import os

        def boom(x: int) -> int:
            os._exit(3)

        def same(x: int) -> int:
            return x
    """)
    )
    settings = WitnessSettings(max_examples=20, seconds=5)
    ids = ["fragile.core.x_boom__mutmut_1", "fragile.core.x_same__mutmut_1"]
    results = search(ids, tmp_path / "mutants", settings, scratch=tmp_path / "scratch")
    assert results[ids[0]].outcome == "error" and "crashed (exit code 3)" in results[ids[0]].note
    # no trampoline here, so "mutant" and original agree: the search ran and found no difference
    assert results[ids[1]].outcome == "likely_equivalent" and results[ids[1]].examples == 20


def _mutmut_project(root: Path) -> Path:
    """A small typed project with weak tests, mutated by a real `mutmut run`."""
    (root / "shop").mkdir(parents=True)
    (root / "tests").mkdir()
    (root / "shop" / "__init__.py").write_text("")
    (root / "shop" / "pricing.py").write_text(
        textwrap.dedent("""
        from __future__ import annotations


        def floor_at(x: int, lo: int) -> int:
            if x < lo:
                return lo
            return x


        def shipping_cost(weight_g: int, express: bool = False) -> int:
            cost = 300 if weight_g < 1000 else 500
            if express:
                cost = cost * 2
            return cost


        def decode(s: str) -> str:
            return s.replace("%%", "%")


        def untyped(x):
            return x * 2


        class Account:
            def __init__(self, balance: int = 0) -> None:
                self.balance = balance

            def deposit(self, amount: int) -> None:
                self.balance += amount
    """)
    )
    (root / "tests" / "test_pricing.py").write_text(
        textwrap.dedent("""
        from shop.pricing import Account, decode, floor_at, shipping_cost, untyped


        def test_weak():
            assert floor_at(5, 0) == 5
            assert floor_at(-5, 0) == 0
            assert shipping_cost(10) > 0
            shipping_cost(5000, True)
            decode("abc")
            untyped(2)
            Account().deposit(5)
    """)
    )
    (root / "pyproject.toml").write_text(
        '[project]\nname = "shop"\nversion = "0"\n\n[tool.mutmut]\nsource_paths = ["shop/"]\n'
    )
    env = {k: v for k, v in os.environ.items() if k != "MUTANT_UNDER_TEST"}
    proc = subprocess.run(
        [MUTMUT, "run", "--max-children", "2"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    return root / "mutants"


def _mutant_containing(mutated_file: Path, function: str, text: str) -> str:
    """The mutmut name of the mutant of `function` whose body contains `text` (via .spans)."""
    lines = mutated_file.read_text().splitlines()
    spans = json.loads(mutated_file.with_name(mutated_file.name + ".spans").read_text())["spans"]
    for name, (start, end) in spans.items():
        is_mutant = name.startswith(f"x_{function}__mutmut_") and not name.endswith("orig")
        if is_mutant and any(text in line for line in lines[start - 1 : end]):
            return f"shop.pricing.{name}"
    raise AssertionError(f"no mutant of {function} contains {text!r}")


@pytest.mark.slow
def test_real_mutmut_survivors_get_verified_witnesses(tmp_path: Path) -> None:
    workdir = _mutmut_project(tmp_path / "proj")
    meta = json.loads((workdir / "shop" / "pricing.py.meta").read_text())
    survivors = sorted(k for k, code in meta["exit_code_by_key"].items() if code == 0)
    assert len(survivors) >= 8
    results = search(
        survivors,
        workdir,
        WitnessSettings(max_examples=200, seconds=5, jobs=2),
        scratch=tmp_path / "scratch",
    )
    assert set(results) == set(survivors)
    outcomes = {mid: r.outcome for mid, r in results.items()}
    # `x < lo` -> `x <= lo` in floor_at returns lo == x either way: equivalent
    equivalent = _mutant_containing(workdir / "shop" / "pricing.py", "floor_at", "if x <= lo:")
    assert results[equivalent].outcome == "likely_equivalent", results[equivalent]
    assert results[equivalent].examples == 200
    for mid in survivors:
        if "untyped" in mid:
            assert outcomes[mid] == "skipped" and "no type hint" in results[mid].note
    witnessed = [r for r in results.values() if r.outcome == "witness"]
    assert len(witnessed) >= len(survivors) - 4
    boundary = [r for r in witnessed if r.witness and "weight_g=1000" in r.witness["call"]]
    assert boundary, "the literal-aware search should find the 1000 boundary"
    for r in witnessed:
        assert r.witness is not None and r.witness["verified"]
        assert "def test_" in r.witness["test_code"]


METERS = """
import os
from dataclasses import dataclass
from typing import Protocol


class Meter(Protocol):
    def read(self) -> int: ...


@dataclass
class Fixed:
    value: int

    def read(self) -> int:
        return self.value


def double(m: Meter) -> int:
    # stands in for mutmut's trampoline, which dispatches on the same variable
    if os.environ.get("MUTANT_UNDER_TEST", "").endswith("x_double__mutmut_1"):
        return m.read() * 3
    return m.read() * 2


def register() -> None:
    from hypothesis import strategies as st

    st.register_type_strategy(Meter, st.builds(Fixed, value=st.integers()))
"""


@pytest.mark.slow
def test_strategies_entry_point_makes_protocol_parameters_searchable(tmp_path: Path) -> None:
    pkg = tmp_path / "mutants" / "meters"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "core.py").write_text(METERS)
    ids = ["meters.core.x_double__mutmut_1"]
    plain = search(ids, tmp_path / "mutants", WitnessSettings(max_examples=50), tmp_path / "a")
    assert plain[ids[0]].outcome == "skipped"
    assert "cannot generate arguments for double" in plain[ids[0]].note
    settings = WitnessSettings(max_examples=50, strategies=["meters.core:register"])
    found = search(ids, tmp_path / "mutants", settings, tmp_path / "b")[ids[0]]
    assert found.outcome == "witness" and found.witness is not None
    assert found.witness["call"] == "double(m=Fixed(value=1))"
    assert "from meters.core import Fixed, double" in found.witness["test_code"]
