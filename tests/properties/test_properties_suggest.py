"""`auditor suggest`: grouping, printing, and writing new files only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.cli import main
from auditor.properties.suggest import guess_test_module, merge_tests, suggestions

CLAMP_TEST = """from shop.pricing import clamp


def test_clamp_kills_mutant_1():
    assert clamp(x=0, lo=0, hi=-1) == -1
"""
SHIP_TEST = """import pytest
from shop.pricing import shipping_cost


def test_shipping_cost_kills_mutant_2():
    with pytest.raises(ValueError):
        shipping_cost(weight_g=0)
"""


def _card(tmp_path: Path) -> Path:
    def mutant(mid: str, line: int, code: str, verified: bool = True) -> dict[str, object]:
        return {
            "id": mid,
            "status": "survived",
            "path": "shop/pricing.py",
            "line": line,
            "witness": {
                "call": "c()",
                "original": "1",
                "mutant": "2",
                "test_code": code,
                "verified": verified,
            },
        }

    card = {
        "project": {"root": ".", "source": ["shop"], "tests": ["tests"]},
        "mutants": [
            mutant("shop.pricing.x_shipping_cost__mutmut_2", 20, SHIP_TEST),
            mutant("shop.pricing.x_clamp__mutmut_1", 13, CLAMP_TEST),
            mutant("shop.pricing.x_clamp__mutmut_9", 14, CLAMP_TEST, verified=False),
            {
                "id": "shop.pricing.x_clamp__mutmut_2",
                "status": "survived",
                "path": "shop/pricing.py",
                "witness": None,
                "likely_equivalent": True,
            },
            {"id": "shop.cart.x_total__mutmut_1", "status": "killed", "path": "shop/cart.py"},
        ],
    }
    path = tmp_path / "card.json"
    path.write_text(json.dumps(card))
    return path


def test_guess_test_module_from_source_path() -> None:
    assert guess_test_module("pkg/pricing.py") == "tests/test_pricing.py"
    assert guess_test_module("src/pkg/pricing.py", "test") == "test/test_pricing.py"
    assert guess_test_module("src/pkg/__init__.py") == "tests/test_pkg.py"


def test_only_verified_witnesses_are_suggested(tmp_path: Path) -> None:
    items = suggestions(json.loads(_card(tmp_path).read_text())["mutants"])
    assert [i.mutant for i in items] == [
        "shop.pricing.x_clamp__mutmut_1",
        "shop.pricing.x_shipping_cost__mutmut_2",
    ]


def test_merged_module_has_each_import_once_and_compiles(tmp_path: Path) -> None:
    items = suggestions(json.loads(_card(tmp_path).read_text())["mutants"])
    merged = merge_tests(items)
    compile(merged, "merged.py", "exec")
    assert merged.count("from shop.pricing import clamp, shipping_cost") == 1
    assert merged.count("import pytest") == 1


def test_cli_prints_tests_grouped_by_test_module(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    card = _card(tmp_path)
    assert main(["suggest", "--scorecard", str(card), "--project", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "# tests/test_pricing.py (2 suggested tests; new file)" in out
    assert "def test_clamp_kills_mutant_1():" in out
    assert "mutmut_9" not in out and "mutmut_2 " not in out.replace("mutmut_2 (", "")


def test_write_creates_new_files_and_never_touches_existing_ones(tmp_path: Path) -> None:
    card = _card(tmp_path)
    out_dir = tmp_path / "tests"
    assert main(["suggest", "--scorecard", str(card), "--write", str(out_dir)]) == 0
    written = out_dir / "test_auditor_witnesses_pricing.py"
    assert written.is_file() and "test_shipping_cost_kills_mutant_2" in written.read_text()
    written.write_text("# my edits\n")
    assert main(["suggest", "--scorecard", str(card), "--write", str(out_dir)]) == 2
    assert written.read_text() == "# my edits\n"


def test_missing_scan_results_are_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["suggest", "--project", str(tmp_path)]) == 2
    assert "Run `auditor scan` first" in capsys.readouterr().err
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2]")
    assert main(["suggest", "--scorecard", str(bad)]) == 2


def test_identical_tests_are_suggested_once_naming_every_mutant(tmp_path: Path) -> None:
    card = json.loads(_card(tmp_path).read_text())
    twin = dict(card["mutants"][1], id="shop.pricing.x_clamp__mutmut_4")
    twin["witness"] = dict(twin["witness"], test_code=CLAMP_TEST.replace("mutant_1", "mutant_4"))
    items = suggestions([*card["mutants"], twin])
    assert len(items) == 2
    clamp = next(i for i in items if "clamp" in i.mutant)
    assert clamp.killed() == "shop.pricing.x_clamp__mutmut_1 (also shop.pricing.x_clamp__mutmut_4)"
