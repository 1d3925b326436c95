"""Arid lines and the --diff / --shard selection."""

from __future__ import annotations

from auditor.config import DEFAULT_ARID
from auditor.model import Mutant, SkipReason
from auditor.mutation.arid import AridMatcher
from auditor.mutation.select import cap, select


def test_default_arid_patterns_match_logging_print_and_warnings() -> None:
    arid = AridMatcher(DEFAULT_ARID)
    for line in (
        '    log.info("x %s", a)',
        "    logger.debug(x)",
        '    print("hi")',
        '    warnings.warn("old", DeprecationWarning)',
        "    logging.error('boom')",
    ):
        assert arid.match(line) is not None, line
    for line in ("    return log(x)", "    value = print_report(x)", "    catalog.info(x)"):
        assert arid.match(line) is None, line


def test_arid_reason_uses_the_original_line() -> None:
    arid = AridMatcher(DEFAULT_ARID)
    lines = ["def f(a):", '    print("a", a)', "    return a + 1"]
    reason = arid.reason(lines, 2)
    assert reason is not None and reason.startswith("arid line")
    assert arid.reason(lines, 3) is None
    assert arid.reason(lines, None) is None
    assert AridMatcher([]).reason(lines, 2) is None  # `arid = false`


def _mutants() -> list[Mutant]:
    return [
        Mutant(id="m.x_f__mutmut_1", status="pending", path="pkg/m.py", line=3, end_line=3),
        Mutant(id="m.x_f__mutmut_2", status="killed", path="pkg/m.py", line=10, end_line=12),
        Mutant(id="m.x_g__mutmut_1", status="pending", path="pkg/other.py", line=3, end_line=3),
    ]


def test_diff_marks_mutants_off_changed_lines_skipped_and_keeps_them() -> None:
    sel = select(_mutants(), changed={"pkg/m.py": {11}}, base="origin/main")
    status = {m.id: (m.status, m.reason) for m in sel.kept}
    assert status["m.x_f__mutmut_2"] == ("killed", "")  # line range 10-12 touches 11
    assert status["m.x_f__mutmut_1"] == ("skipped", "not changed since origin/main")
    assert status["m.x_g__mutmut_1"][0] == "skipped"
    assert len(sel.kept) == 3
    assert {m.id: m.skip_reason for m in sel.kept} == {
        "m.x_f__mutmut_1": SkipReason.NOT_CHANGED,
        "m.x_f__mutmut_2": None,
        "m.x_g__mutmut_1": SkipReason.NOT_CHANGED,
    }


def test_a_mutant_whose_end_line_is_before_its_line_runs_when_its_line_changed() -> None:
    # mutmut can report an end before the start; the mutant still sits on its first line
    inverted = Mutant(id="m.x_f__mutmut_3", status="pending", path="pkg/m.py", line=7, end_line=5)
    sel = select([inverted], changed={"pkg/m.py": {7}}, base="origin/main")
    assert sel.kept[0].status == "pending" and sel.kept[0].skip_reason is None


def test_shard_leaves_other_shards_out_entirely() -> None:
    def shard_of(mutant_id: str, n: int) -> int:
        return 1 if mutant_id.endswith("_1") else 2

    sel = select(_mutants(), shard=(2, 2), shard_of=shard_of)
    assert [m.id for m in sel.kept] == ["m.x_f__mutmut_2"]
    assert sel.dropped == 2


def test_no_filters_keep_everything_unchanged() -> None:
    sel = select(_mutants())
    assert [m.status for m in sel.kept] == ["pending", "killed", "pending"]


def test_max_mutants_budget_skips_the_rest_in_a_stable_order() -> None:
    mutants = _mutants()
    mutants[0].status = "skipped"  # already skipped mutants do not use the budget
    assert cap(mutants, 1) == 1
    assert [m.status for m in mutants] == ["skipped", "killed", "skipped"]
    assert mutants[2].reason == "over the max-mutants budget (1)"
    assert mutants[2].skip_reason is SkipReason.MAX_MUTANTS
    assert cap(_mutants(), None) == 0
