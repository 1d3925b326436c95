"""A whole scan (coverage + mutation) of a project configured like real ones: pytest-xdist and
pytest-cov with fail-under in addopts, tests inside the package, a decorated function mutmut
skips. Plain pytest passes it, so the scan must finish; verdicts come from mutants applied by hand.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from tests.coverage.conftest import plain_pytest, run_auditor, write_tree

SOURCE = (
    "import functools\n\n\n"
    "def price(qty, unit):\n"
    "    if qty >= 10:\n"
    "        return qty * unit * 0.9\n"
    "    return qty * unit\n\n\n"
    "@functools.lru_cache(maxsize=None)\n"
    "def rate(code):\n"
    "    return {'EUR': 1.0, 'USD': 1.1}.get(code, 0.5)\n"
)
TESTS = (
    "from shop.core import price, rate\n\n\n"
    "def test_small():\n    assert price(2, 5) == 10\n\n\n"
    "def test_bulk():\n    assert price(10, 1) == 9.0\n\n\n"
    "def test_rate_runs():\n    rate('EUR')\n"
)


@pytest.mark.slow
@pytest.mark.skipif(
    importlib.util.find_spec("xdist") is None or importlib.util.find_spec("pytest_cov") is None,
    reason="pytest-xdist and pytest-cov are in the test extra",
)
def test_scan_of_a_real_style_configuration(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "proj",
        {
            "pyproject.toml": (
                "[project]\nname = 'shop'\n\n[tool.pytest.ini_options]\n"
                'addopts = "-n 2 --cov=shop --cov-fail-under=95"\n'
                "\n[tool.auditor.mutation]\npseudo-tested = false\n"
            ),
            "shop/__init__.py": "",
            "shop/core.py": SOURCE,
            "shop/test_core.py": TESTS,
        },
    )
    assert plain_pytest(root).returncode == 0  # 3 passed, coverage 100 % >= 95
    code, card, err = run_auditor(root, "--skip", "static,properties", timeout=600)
    assert code == 0, err
    assert {m["path"] for m in card["mutants"]} == {"shop/core.py"}  # never the test module
    by_function = {m["function"] for m in card["mutants"]}
    assert "price" in by_function and "rate" not in by_function
    statuses = {m["id"]: m["status"] for m in card["mutants"] if m["function"] == "price"}
    assert "killed" in statuses.values()
    (unmutated,) = [u for u in card["unmutated"] if u["function"] == "rate"]
    assert "@functools.lru_cache" in unmutated["reason"] and unmutated["line"] == 11
    assert card["summary"]["mutated_share"] < 90
    assert card["summary"]["grade"] not in ("A",)
    assert "partial evidence" in card["summary"]["score_basis"]
    assert {o["option"] for o in card["pytest_overrides"]} == {
        "-n 2",
        "--cov=shop",
        "--cov-fail-under=95",
    }
