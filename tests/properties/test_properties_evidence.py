"""What a search may claim, and when it stops: the rules of evidence.py, one by one."""

from __future__ import annotations

from auditor.properties.evidence import (
    BUDGET_NOT_MET,
    CONFINED,
    MESSAGE_ONLY,
    NEAR_MISS_FACTOR,
    NO_FREE_INPUTS,
    NOT_CONCLUSIVE,
    NOT_REACHED,
    PINS_CAPPED,
    PROBE,
    WINDOW,
    Evidence,
    decide,
    min_distinct_for,
    sentence,
)


def _evidence(**counts: int | bool | str | list[str]) -> Evidence:
    base: dict[str, object] = {
        "free_inputs": 1,
        "pins_total": 5,
        "pins_tried": 5,
        "min_distinct": 100,
        "distinct": 300,
        "reached": 250,
        "conclusive": 250,
    }
    base.update(counts)
    return Evidence(**base)  # type: ignore[arg-type]


def test_a_claim_needs_free_inputs_pins_reach_and_budget() -> None:
    assert decide(_evidence()) == "likely_equivalent"
    cases = {
        NO_FREE_INPUTS: _evidence(free_inputs=0, distinct=1, reached=1, conclusive=1),
        NOT_REACHED: _evidence(reached=0, conclusive=0),
        NOT_CONCLUSIVE: _evidence(conclusive=0),
        PINS_CAPPED: _evidence(pins_total=600, pins_tried=512),
        BUDGET_NOT_MET: _evidence(conclusive=99),
    }
    for reason, evidence in cases.items():
        assert decide(evidence) == "unverified", reason
        assert evidence.reason == reason and sentence(evidence)


def test_an_exhausted_input_space_is_enough_evidence() -> None:
    # a bool and an enum: Hypothesis tried every input there is
    evidence = _evidence(distinct=6, reached=6, conclusive=6, exhausted=True)
    assert decide(evidence) == "likely_equivalent" and evidence.budget_met


def test_no_input_at_all_is_skipped() -> None:
    evidence = _evidence(distinct=0, reached=0, conclusive=0)
    assert decide(evidence) == "skipped"


def test_the_budget_of_a_claim_follows_max_examples() -> None:
    assert min_distinct_for(300) == 100 and min_distinct_for(30) == 10 and min_distinct_for(1) == 1


def test_duplicates_are_not_distinct_inputs() -> None:
    evidence = Evidence()
    assert not evidence.seen("a") and evidence.seen("a") and not evidence.seen("b")
    assert (evidence.distinct, evidence.duplicates) == (2, 1)


def _fed(*examples: tuple[bool, bool, bool], locals_checked: bool = True) -> Evidence:
    """Evidence after reaching inputs given as (absorbed, message_only, difference)."""
    evidence = Evidence(locals_checked=locals_checked)
    for absorbed, message_only, difference in examples:
        evidence.differences += difference
        evidence.note_example(True, True, absorbed, message_only)
    return evidence


def test_confined_and_message_only_mutants_stop_after_the_pins_and_the_probe() -> None:
    confined = _fed(*[(True, False, False)] * PROBE)
    assert confined.early_stop(pins_done=False) == ""  # every pin runs first
    assert confined.early_stop(pins_done=True) == CONFINED
    messages = _fed(*[(False, True, False)] * (PROBE - 2), *[(True, False, False)] * 2)
    assert messages.early_stop(pins_done=True) == MESSAGE_ONLY
    # one input that behaved the same on both sides: the mutant may still be found
    one_plain = _fed(*[(True, False, False)] * (PROBE - 1), (False, False, False))
    assert one_plain.early_stop(pins_done=True) == ""
    # locals that change from run to run prove nothing
    noisy = _fed(*[(True, False, False)] * PROBE, locals_checked=False)
    assert noisy.early_stop(pins_done=True) == ""
    # a difference was seen: keep looking for one that can be written down
    assert _fed(*[(True, False, False)] * PROBE, (False, False, True)).early_stop(True) == ""


def test_the_decision_rests_on_the_watched_window_when_pins_outnumber_it() -> None:
    # python-slugify's parse_args: 62 pins, every one a help string kept in the parser; only the
    # first WINDOW reaching inputs have their locals pictured
    many = _fed(*[(True, False, False)] * WINDOW, *[(False, False, False)] * 22)
    assert (many.watched, many.quiet, many.reached) == (WINDOW, WINDOW, WINDOW + 22)
    assert many.early_stop(pins_done=True) == CONFINED


def test_unreached_mutants_stop_and_near_misses_extend_the_budget() -> None:
    # a mutant not reached yet gets the whole budget: deep lines are reached late
    # (python-slugify's _modern_truncate)
    assert Evidence(distinct=250).early_stop(pins_done=True) == ""
    assert Evidence().limit(300) == 300
    assert Evidence(message_only=1, reached=40).limit(300) == 300 * NEAR_MISS_FACTOR
    assert Evidence(absorbed=3, reached=40).limit(300) == 300  # locals alone are no near miss


def test_only_one_and_the_same_change_of_locals_counts_as_confined() -> None:
    from auditor.properties.differential import locals_change, picture_locals

    parser = picture_locals({"argv": ["-h"], "parser": {"help": "Age"}})
    mutated = picture_locals({"argv": ["-h"], "parser": {"help": "XXAgeXX"}})
    change = locals_change(parser, mutated, frozenset({"argv"}))
    assert change is not None and len(change) == 1  # only `parser`
    # a changed default differs only in its parameter: nothing is kept inside the function
    flag = picture_locals({"text": "a", "lowercase": True})
    unflag = picture_locals({"text": "a", "lowercase": False})
    assert locals_change(flag, unflag, frozenset({"text", "lowercase"})) is None
    assert locals_change(parser, parser, frozenset()) is None
    evidence = Evidence()
    assert evidence.same_change(change) and evidence.same_change(change)
    # `last = len(text) - 1` -> `+ 1`: the change follows the input
    other = locals_change(
        picture_locals({"last": 2}), picture_locals({"last": 4}), frozenset({"text"})
    )
    assert not evidence.same_change(other)
    assert "_change" not in evidence.to_json()
