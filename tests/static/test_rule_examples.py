"""Every VALID and INVALID example of every rule becomes a test case (Fixit's pattern).

INVALID examples must produce at least one finding of their rule (exactly `count` / at `lines`
when the example says so); VALID examples (the look-alikes) must produce none.
"""

from __future__ import annotations

import pytest

from auditor.static.registry import all_rules
from auditor.static.rules.base import as_example
from auditor.static.testing import findings_for


def _cases(kind: str) -> list[object]:
    cases = []
    for rule in all_rules():
        for index, example in enumerate(getattr(rule, kind)):
            cases.append(
                pytest.param(rule.code, as_example(example), id=f"{rule.code}-{kind}-{index}")
            )
    return cases


@pytest.mark.parametrize(("code", "example"), _cases("INVALID"))
def test_invalid_example_is_reported(code, example):
    found = findings_for(example, code)
    assert found, f"{code} did not fire on:\n{example.code}"
    if example.count is not None:
        assert len(found) == example.count, [f.line for f in found]
    if example.lines is not None:
        assert sorted({f.line for f in found}) == sorted(example.lines)
    for finding in found:
        assert finding.message.strip()
        assert finding.fingerprint


@pytest.mark.parametrize(("code", "example"), _cases("VALID"))
def test_valid_example_is_not_reported(code, example):
    found = findings_for(example, code)
    assert not found, f"{code} fired on a look-alike ({example.note}):\n{example.code}\n{found}"


def test_every_rule_has_examples():
    for rule in all_rules():
        assert rule.VALID, f"{rule.code} has no VALID examples"
        assert rule.INVALID, f"{rule.code} has no INVALID examples"
