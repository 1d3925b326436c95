"""CASES.md names the tests that keep each case of issue 12 fixed: every name must exist."""

from __future__ import annotations

import re
from pathlib import Path

HERE = Path(__file__).parent


def test_every_case_in_the_table_names_existing_tests():
    table = (HERE / "CASES.md").read_text(encoding="utf-8")
    rows = [line for line in table.splitlines() if re.match(r"\| \d+ \|", line)]
    assert [int(r.split("|")[1]) for r in rows] == list(range(1, 35))
    defined = {
        name
        for path in HERE.glob("test_*.py")
        for name in re.findall(r"^def (test_case_\w+)", path.read_text(encoding="utf-8"), re.M)
    }
    named = set(re.findall(r"`(test_case_\w+)`", table))
    assert named - defined == set(), "CASES.md names tests that do not exist"
    assert defined - named == set(), "a case test is missing from CASES.md"
