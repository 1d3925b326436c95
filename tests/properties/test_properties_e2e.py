"""End to end through the real CLI: scan -> witnesses -> `suggest --write` -> re-scan kills them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

SOURCE = """
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


def untyped(x):
    return x * 2
"""

TESTS = """
from shop.pricing import floor_at, shipping_cost, untyped


def test_weak():
    assert floor_at(5, 0) == 5
    assert floor_at(-5, 0) == 0
    assert shipping_cost(10) > 0
    shipping_cost(5000, True)
    untyped(2)
"""


def _auditor(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("MUTANT_UNDER_TEST", "NO_COLOR")}
    return subprocess.run(
        [sys.executable, "-m", "auditor", *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=500,
    )


def _scan(root: Path, *extra: str) -> dict:  # type: ignore[type-arg]
    proc = _auditor(
        root, "scan", "tests", "--skip", "static,flaky", "--json", "card.json", "--quiet", *extra
    )
    assert proc.returncode in (0, 1), proc.stdout[-3000:] + proc.stderr[-3000:]
    return json.loads((root / "card.json").read_text())  # type: ignore[no-any-return]


@pytest.mark.slow
def test_scan_suggest_and_rescan(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    (root / "shop").mkdir(parents=True)
    (root / "tests").mkdir()
    (root / "shop" / "__init__.py").write_text("")
    (root / "shop" / "pricing.py").write_text(textwrap.dedent(SOURCE))
    (root / "tests" / "test_pricing.py").write_text(textwrap.dedent(TESTS))
    (root / "pyproject.toml").write_text(
        '[project]\nname = "shop"\nversion = "0"\n\n[tool.auditor.witness]\nmax-examples = 200\n'
    )
    card = _scan(root)
    stage = next(s for s in card["stages"] if s["name"] == "properties")
    assert stage["ran"], stage
    survivors = [m for m in card["mutants"] if m["status"] == "survived"]
    by_status = {m["id"]: m.get("witness_status") for m in survivors}
    assert survivors and all(by_status.values()), by_status
    equivalent = [m for m in survivors if m["likely_equivalent"]]
    assert any("floor_at" in m["id"] for m in equivalent)
    for m in equivalent:  # a claim carries its evidence: 200 // 3 distinct reaching inputs at least
        evidence = m["witness_evidence"]
        assert evidence["budget_met"] and m["equivalence_budget"] == evidence["conclusive"] >= 66
        assert evidence["pins_tried"] == evidence["pins_total"] > 0
    assert all(by_status[m["id"]] == "skipped" for m in survivors if "untyped" in m["id"])
    witnessed = [m for m in survivors if m["witness"]]
    assert len(witnessed) >= 5 and all(m["witness"]["verified"] for m in witnessed)
    props = card["properties"]
    assert props["witness"]["witness"] == len(witnessed)
    assert props["witness"]["likely_equivalent"] == len(equivalent)
    assert props["functions"]["total"] == 3 and props["functions"]["reached_by_given"] == 0

    listing = _auditor(root, "suggest")
    assert listing.returncode == 0 and "# tests/test_pricing.py" in listing.stdout
    written = _auditor(root, "suggest", "--write", "tests")
    assert written.returncode == 0, written.stderr
    new_file = root / "tests" / "test_auditor_witnesses_pricing.py"
    assert new_file.is_file()
    assert (root / "tests" / "test_pricing.py").read_text() == textwrap.dedent(TESTS)

    # --no-cache: a fresh mutmut run, so every verdict comes from the tests as they are now
    again = _scan(root, "--no-cache")
    status = {m["id"]: m["status"] for m in again["mutants"]}
    still_alive = [m["id"] for m in witnessed if status.get(m["id"]) != "killed"]
    assert not still_alive, f"suggested tests did not kill: {still_alive}"
