"""Which survivors are verified, and how a by-hand run becomes a verification (no engine runs).

The by-hand runs themselves are real in tests/mutation/test_verify_e2e.py; here `HandRun`s stand
for what plain pytest reported, to pin down the decisions: a failing test must fail again before
a survivor is refuted, a test that fails once and then passes is flaky (unverified), collection
errors and timeouts refute, a run that imported the code from outside the copy proves nothing.
"""

from __future__ import annotations

import random
from pathlib import Path

from auditor.model import Mutant
from auditor.mutation.byhand import HandRun
from auditor.mutation.verify import _classify, _clean_problem, function_key, sample


def _survivor(mid: str, function: str, tests: int, line: int = 1) -> Mutant:
    covered = [f"tests/test_a.py::test_{i}" for i in range(tests)]
    return Mutant(mid, "survived", "pkg/a.py", line, function=function, covered_by=covered)


def test_the_sample_prefers_what_top_actions_show_and_is_the_same_in_any_order() -> None:
    survivors = [
        _survivor("pkg.a.x_f__mutmut_1", "f", 1, line=3),
        _survivor("pkg.a.x_f__mutmut_2", "f", 4, line=5),  # f's top action: most tests
        _survivor("pkg.a.x_g__mutmut_1", "g", 2),
        _survivor("pkg.a.x_h__mutmut_1", "h", 9),
        _survivor("pkg.a.x_h__mutmut_2", "h", 0),
    ]
    first = sample(survivors, 3)
    assert [m.id for m in first] == [
        "pkg.a.x_h__mutmut_1",
        "pkg.a.x_f__mutmut_2",
        "pkg.a.x_g__mutmut_1",
    ]
    for seed in range(5):
        shuffled = list(survivors)
        random.Random(seed).shuffle(shuffled)
        assert [m.id for m in sample(shuffled, 3)] == [m.id for m in first]
    everything = sample(survivors, None)
    assert sorted(m.id for m in everything) == sorted(m.id for m in survivors)
    assert [m.id for m in everything][:3] == [m.id for m in first]


def test_ties_are_broken_by_a_hash_of_the_mutant_id_not_by_position() -> None:
    same = [_survivor(f"pkg.a.x_f{i}__mutmut_1", f"f{i}", 1) for i in range(30)]
    picked = {m.id for m in sample(same, 5)}
    assert picked == {m.id for m in sample(list(reversed(same)), 5)}
    assert picked != {m.id for m in same[:5]} or picked != {m.id for m in same[-5:]}


def _again(*runs: HandRun):  # type: ignore[no-untyped-def]
    queue = list(runs)
    calls: list[list[str]] = []

    def again(targets: list[str]) -> HandRun:
        calls.append(targets)
        return queue.pop(0)

    return again, calls


def test_every_test_passing_confirms_the_survivor() -> None:
    again, calls = _again()
    v = _classify(HandRun(0, passed=3, seconds=1.2), again, ["tests/test_a.py"], [])
    assert (v.result, v.by_hand, v.tests) == ("confirmed", "survived", 3)
    assert calls == []


def test_a_failing_test_refutes_only_when_it_fails_again() -> None:
    failed = HandRun(1, failed=["tests/test_a.py::test_x"], passed=1)
    again, calls = _again(HandRun(1, failed=["tests/test_a.py::test_x"]))
    v = _classify(failed, again, ["tests/test_a.py"], [])
    assert (v.result, v.by_hand, v.killed_by) == ("refuted", "killed", "tests/test_a.py::test_x")
    assert calls == [["tests/test_a.py::test_x"]]  # re-run alone

    # passes alone, fails again after its module's other tests: order-dependent, still refuted
    again, calls = _again(HandRun(0, passed=1), HandRun(1, failed=["tests/test_a.py::test_x"]))
    v = _classify(failed, again, ["tests/test_a.py"], [])
    assert v.result == "refuted" and "passes alone" in v.note
    assert calls == [["tests/test_a.py::test_x"], ["tests/test_a.py"]]

    # fails once, then passes twice: flaky, never a verdict
    again, _ = _again(HandRun(0, passed=1), HandRun(0, passed=2))
    v = _classify(failed, again, ["tests/test_a.py"], [])
    assert (v.result, v.killed_by) == ("unverified", "tests/test_a.py::test_x")
    assert "flaky" in v.note


def test_timeouts_and_collection_errors_refute_other_exits_leave_it_unverified() -> None:
    again, _ = _again()
    assert _classify(HandRun(None, timed_out=True), again, [], []).by_hand == "timeout"
    broken = _classify(HandRun(2, collect_errors=["tests/test_a.py"]), again, [], [])
    assert (broken.result, broken.killed_by) == ("refuted", "tests/test_a.py (collection error)")
    for run in (HandRun(4, output="ERROR: usage"), HandRun(5), HandRun(0, passed=0), HandRun(2)):
        assert _classify(run, again, [], []).result == "unverified"


def test_a_clean_copy_must_run_tests_before_any_mutant_is_compared() -> None:
    assert _clean_problem(HandRun(0, passed=4)) == ""
    assert _clean_problem(HandRun(1, passed=4, failed=["t"])) == ""  # failing tests deselected
    assert "no test ran" in _clean_problem(HandRun(5))
    assert "exits 2" in _clean_problem(HandRun(2, output="errors during collection"))
    assert "did not finish" in _clean_problem(HandRun(None, timed_out=True))


def test_a_module_imported_from_outside_the_copy_is_reported(tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    (copy / "pkg").mkdir(parents=True)
    run = HandRun(
        0,
        passed=1,
        files={
            "pkg.a": str(copy / "pkg" / "a.py"),
            "pkg.b": str(tmp_path / "site-packages" / "pkg" / "b.py"),
            "pkg.c": None,
        },
    )
    assert run.foreign_imports(copy) == {"pkg.b": str(tmp_path / "site-packages" / "pkg" / "b.py")}


def test_function_keys_group_the_mutants_of_one_function() -> None:
    assert function_key("pkg.a.xǁShopǁtotal__mutmut_12") == "pkg.a.xǁShopǁtotal"
    assert function_key("pkg.a.x_f__mutmut_1") == function_key("pkg.a.x_f__mutmut_2")
