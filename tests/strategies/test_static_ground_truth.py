"""Property-based tests of the static analyser against generated modules with planted truth."""

from __future__ import annotations

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from auditor.model import Finding
from auditor.static.registry import all_rules
from auditor.static.rules.base import Example
from auditor.static.testing import run_example
from auditor_strategies.testcode import (
    PROVABLE_CODES,
    PlantedModule,
    add_blank_lines,
    add_comments,
    planted_modules,
    rename_local,
    reorder,
    rule_threshold,
    strip_asserts,
)

SETTINGS = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
ENABLED = {r.code for r in all_rules() if r.default_enabled}
CHECKED = [c for c in PROVABLE_CODES if c in ENABLED]


def block_of_line(module: PlantedModule, source: str) -> dict[int, str]:
    """line number -> planted test name, for the test blocks of `source` (built from `module`)."""
    owner: dict[int, str] = {}
    offset = module.header.count("\n") + 2
    for test in module.tests:
        lines = test.source.count("\n") + 2
        for line in range(offset + 1, offset + lines + 1):
            owner[line] = test.name
        offset += lines
    return owner


def observed(module: PlantedModule, findings: list[Finding]) -> set[tuple[str, str]]:
    owner = block_of_line(module, module.source)
    out = set()
    for finding in findings:
        if finding.rule not in CHECKED:
            continue
        name = finding.test.split("::")[-1] if finding.test else owner.get(finding.line, "?")
        out.add((finding.rule, name))
    return out


def expected(module: PlantedModule) -> set[tuple[str, str]]:
    return {(code, name) for code, name in module.truth() if code in CHECKED}


@SETTINGS
@given(planted_modules())
def test_provable_findings_equal_planted_truth(module):
    findings = run_example(Example(code=module.source))
    assert observed(module, findings) == expected(module)


def _keys(findings: list[Finding]) -> set[tuple[str, str | None, str]]:
    return {(f.rule, f.test, f.fingerprint) for f in findings}


@SETTINGS
@given(planted_modules())
def test_findings_and_fingerprints_survive_comments_and_blank_lines(module):
    before = run_example(Example(code=module.source))
    after = run_example(Example(code=add_blank_lines(add_comments(module.source))))
    assert _keys(after) == _keys(before)


@SETTINGS
@given(planted_modules())
def test_findings_survive_renaming_locals(module):
    before = {(f.rule, f.test) for f in run_example(Example(code=module.source))}
    after = {(f.rule, f.test) for f in run_example(Example(code=rename_local(module.source)))}
    assert after == before


@SETTINGS
@given(planted_modules(min_tests=2), st.randoms(use_true_random=False))
def test_findings_survive_reordering_tests(module, rnd):
    order = list(range(len(module.tests)))
    rnd.shuffle(order)
    shuffled = reorder(module, order)
    before = run_example(Example(code=module.source))
    after = run_example(Example(code=shuffled.source))
    assert _keys(after) == _keys(before)


@SETTINGS
@given(planted_modules())
def test_deleting_asserts_never_removes_a_missing_assertion_finding(module):
    before = {f.test for f in run_example(Example(code=module.source)) if f.rule == "TQ101"}
    after = {
        f.test for f in run_example(Example(code=strip_asserts(module.source))) if f.rule == "TQ101"
    }
    assert before <= after


def test_tq502_threshold_is_read_from_the_rule():
    # the generator draws around the rule's own threshold, so it must be the configured one
    from auditor.static.registry import rule_by_code

    rule = rule_by_code("TQ502")
    if rule is not None:
        assert rule_threshold("TQ502", -1) in rule.options.values()


def test_generator_reaches_both_sides_of_every_threshold():
    # a property over a generator that never plants a case proves nothing: check both sides exist
    from hypothesis import find

    for kind, code in (("max_examples", "TQ502"), ("patches", "TQ202"), ("assumes", "TQ501")):
        for planted in (True, False):
            find(
                planted_modules(),
                lambda m, kind=kind, code=code, planted=planted: any(
                    t.kind == kind and (code in t.truth) == planted for t in m.tests
                ),
                settings=settings(max_examples=2000, database=None, phases=[Phase.generate]),
            )
