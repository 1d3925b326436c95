"""The worker's search loop in-process, with a fake trampoline (the real one is in the slow tests)."""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator
from pathlib import Path

import pytest

from auditor.properties import worker
from auditor.properties.names import parse_mutant_name

ACTIVE = {"name": ""}
MODULE = "fake_shop_for_worker"

SOURCE = """
from __future__ import annotations

from typing import Protocol

ACTIVE = None  # replaced by the test
LIMIT = 1000


class Clock(Protocol):
    def now(self) -> int: ...


def cost(weight_g: int) -> int:
    if ACTIVE["name"].endswith("x_cost__mutmut_1"):
        return 300 if weight_g <= LIMIT else 500
    return 300 if weight_g < LIMIT else 500


def same(x: int) -> int:
    if x < 0:
        raise ValueError("XXnegXX" if ACTIVE["name"].endswith("x_same__mutmut_1") else "neg")
    return x


def stamp(clock: Clock) -> int:
    return clock.now()


def untyped(x):
    return x
"""


@pytest.fixture
def fake_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[types.ModuleType]:
    path = tmp_path / f"{MODULE}.py"
    path.write_text(SOURCE)
    monkeypatch.syspath_prepend(str(tmp_path))
    module = __import__(MODULE)
    module.ACTIVE = ACTIVE
    monkeypatch.setattr(worker, "set_mutant", lambda name: ACTIVE.__setitem__("name", name))
    yield module
    sys.modules.pop(MODULE, None)


def _search(mutant_id: str, tmp_path: Path, **job: object) -> dict[str, object]:
    name = parse_mutant_name(mutant_id)
    target = worker.resolve(name, tmp_path, {})
    settings = {"max_examples": 100, "seconds": 5, "call_timeout": 1.0, **job}
    return worker.search(name, mutant_id, target, settings)


def test_boundary_mutant_gets_a_shrunk_verified_witness(
    fake_module: types.ModuleType, tmp_path: Path
) -> None:
    record = _search(f"{MODULE}.x_cost__mutmut_1", tmp_path)
    assert record["outcome"] == "witness"
    witness = record["witness"]
    assert isinstance(witness, dict)
    # the module constant LIMIT = 1000 is what makes the boundary reachable
    assert witness["call"] == "cost(weight_g=1000)" and witness["verified"] is True
    assert "assert cost(weight_g=1000) == 500" in witness["test_code"]


def test_message_only_difference_is_likely_equivalent_with_a_note(
    fake_module: types.ModuleType, tmp_path: Path
) -> None:
    record = _search(f"{MODULE}.x_same__mutmut_1", tmp_path, max_examples=50)
    assert record["outcome"] == "likely_equivalent" and record["examples"] == 50
    assert "only the exception message differs" in str(record["note"])


def test_time_budget_ends_the_search_honestly(
    fake_module: types.ModuleType, tmp_path: Path
) -> None:
    record = _search(f"{MODULE}.x_same__mutmut_2", tmp_path, seconds=0.0001, max_examples=10**6)
    # no example finished in time: not a claim of equivalence
    assert (record["outcome"], record["examples"]) == ("skipped", 0)
    assert record["note"] == "stopped after 0.0001s"


def test_unbuildable_and_unhinted_parameters_are_skipped_with_reasons(
    fake_module: types.ModuleType, tmp_path: Path
) -> None:
    with pytest.raises(worker.Skip, match="cannot generate arguments for stamp"):
        _search(f"{MODULE}.x_stamp__mutmut_1", tmp_path)
    with pytest.raises(worker.Skip, match="'x' of untyped"):
        _search(f"{MODULE}.x_untyped__mutmut_1", tmp_path)
    with pytest.raises(worker.Skip, match="not a module-level function"):
        _search(f"{MODULE}.x_missing__mutmut_1", tmp_path)
