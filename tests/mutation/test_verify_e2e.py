"""Verified survivors end to end: real scans, checked against mutants applied by hand.

The oracle is `mutation_oracle.by_hand`: mutmut's own `apply_mutant` on a copy of the workspace
and plain `pytest` on the whole tests dir (an implementation independent of ours). Each project
shows one behaviour:

- genuine survivors (plain functions, static/class/async methods) are confirmed, and the oracle
  agrees that each of them survives;
- our warm runner runs only the tests that cover the mutated line; a module-scoped fixture is
  set up by the first test of its module, so coverage attributes its lines to that test alone
  and a mutant only another test notices survives in the runner. Applied by hand it is killed:
  a runner fault, fixed by re-running the function's survivors in a fresh process;
- `runner = "mutmut"` forks after the suite imported a dispatch table built at import time:
  its mutants falsely survive; verification refutes them and the fresh-process re-run gives
  every one of them the oracle's verdict;
- `--diff BASE` verifies every survivor on the changed lines.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from mutation_oracle import by_hand

pytestmark = pytest.mark.slow

RATES = """def load_rates():
    return {"eur": 2, "usd": 3}


def convert(amount, rate):
    return amount * rate
"""

RATES_TESTS = """import pytest

from pkg.rates import convert, load_rates


@pytest.fixture(scope="module")
def rates():
    return load_rates()


def test_has_euro(rates):
    assert "eur" in rates


def test_convert_euro(rates):
    assert convert(10, rates["eur"]) == 20
"""

SHOP = """class Shop:
    rate = 2

    def total(self, n):
        return n * self.rate + 1

    @staticmethod
    def tax(n):
        return n // 10

    @classmethod
    def make(cls, r):
        shop = cls()
        shop.rate = r
        return shop

    async def fetch(self, n):
        return n - 1
"""

SHOP_TESTS = """import asyncio

from pkg.shop import Shop


def test_total():
    assert Shop().total(0) == 1


def test_tax():
    assert Shop.tax(5) == 0


def test_make():
    assert Shop.make(3) is not None


def test_fetch():
    assert asyncio.run(Shop().fetch(1)) < 5
"""

EXTRACT = """def _txt(data):
    return data.decode("utf-8").strip()


def build_extractors():
    table = {}
    table["csv"] = lambda data: [row.split(",") for row in data.decode().splitlines()]
    table["upper"] = lambda data: data.decode().upper()
    return table


EXTRACTORS = {"txt": _txt, **build_extractors()}


def extract(kind, data):
    return EXTRACTORS[kind](data)
"""

EXTRACT_TESTS = """from pkg.extract import extract


def test_txt():
    assert extract("txt", b" a ") == "a"


def test_csv():
    assert extract("csv", b"a,b\\nc,d") == [["a", "b"], ["c", "d"]]


def test_upper():
    assert extract("upper", b"ab") == "AB"
"""


def make_project(root: Path, files: dict[str, str], runner: str = "auditor") -> Path:
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text("")
    (root / "tests").mkdir()
    for rel, text in files.items():
        (root / rel).write_text(text)
    (root / "pyproject.toml").write_text(
        '[project]\nname = "pkg"\nversion = "0"\n\n[tool.auditor]\narid = false\n\n'
        f'[tool.auditor.mutation]\nrunner = "{runner}"\npseudo-tested = false\n'
        "verify-survivors = 50\n"
    )
    return root


def scan(root: Path, *args: str) -> dict[str, Any]:
    out = root.parent / f"{root.name}-card.json"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "auditor",
            "scan",
            "tests",
            "--only",
            "mutation",
            "--json",
            str(out),
            "--jobs",
            "2",
            *args,
        ],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode in (0, 1), proc.stdout[-3000:] + proc.stderr[-3000:]
    card: dict[str, Any] = json.loads(out.read_text())
    return card


def _consistent(card: dict[str, Any]) -> dict[str, Any]:
    """The counts add up, every sampled mutant carries its verification, nothing refuted survives."""
    v = card["verified_survivors"]
    assert v["sampled"] == v["confirmed"] + v["refuted"] + v["unverified"]
    verified = [m for m in card["mutants"] if m["verification"]]
    assert len(verified) == v["sampled"]
    assert sum(m["verification"]["result"] == "confirmed" for m in verified) == v["confirmed"]
    for m in verified:
        if m["verification"]["result"] == "refuted":
            assert m["status"] in ("killed", "timeout"), m  # never counted as a survivor
    survived = sum(m["status"] == "survived" for m in card["mutants"])
    assert card["summary"]["mutants"]["survived"] == survived
    return v


GIT = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.com",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.com",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(root: Path, *args: str) -> None:
    env = {**os.environ, **GIT}
    subprocess.run(["git", "-C", str(root), *args], env=env, check=True, capture_output=True)


def test_survivors_are_confirmed_by_hand_and_a_fixture_fault_is_found_and_fixed(
    tmp_path: Path,
) -> None:
    root = make_project(
        tmp_path / "proj",
        {
            "pkg/rates.py": RATES,
            "pkg/shop.py": SHOP,
            "tests/test_rates.py": RATES_TESTS,
            "tests/test_shop.py": SHOP_TESTS,
        },
    )
    git(root, "init", "-q", "-b", "main")
    (root / ".gitignore").write_text(".auditor/\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    card = scan(root)
    v = _consistent(card)
    ws = Path(card["meta"]["mutation_workspace"])
    mutants = {m["id"]: m for m in card["mutants"]}
    assert v["mode"] == "sample" and v["sampled"] == v["survivors"] and v["unverified"] == 0
    confirmed = [
        m for m in mutants.values() if (m["verification"] or {}).get("result") == "confirmed"
    ]
    kinds = {m["function"] for m in confirmed}
    assert {"Shop.tax", "Shop.make", "Shop.fetch"} <= kinds  # static, class and async methods
    for m in confirmed:
        assert m["status"] == "survived" and m["verification"]["by_hand"] == "survived"
        assert by_hand(ws, m["id"], tmp_path) == 0, m["id"]  # the oracle agrees: it survives

    # the module-scoped fixture: "eur" -> 3 is noticed only by test_convert_euro
    fault = next(f for f in v["faults"] if f["function"] == "load_rates")
    assert "coverage map" in fault["cause"] and "test_convert_euro" in fault["cause"]
    refuted = mutants[fault["refuted"]]
    assert refuted["verification"]["result"] == "refuted"
    assert refuted["verification"]["killed_by"] == "tests/test_rates.py::test_convert_euro"
    assert refuted["status"] == "killed" and by_hand(ws, refuted["id"], tmp_path) == 1
    changed = {c["id"]: c for c in fault["changed"]}
    assert refuted["id"] in changed and changed[refuted["id"]]["before"] == "survived"
    assert v["corrected"] == sum(len(f["changed"]) for f in v["faults"])
    for mutant_id in changed:  # every corrected verdict is the oracle's
        assert by_hand(ws, mutant_id, tmp_path) != 0, mutant_id
    # the top action of a confirmed survivor says so
    assert any(a.get("evidence") == "verified" for a in card["top_actions"])

    # --diff: every survivor on the changed lines is verified, not a sample
    (root / "pkg" / "shop.py").write_text(SHOP.replace("return n // 10", "return n // 10 * 1"))
    pr = scan(root, "--diff", "HEAD")
    vp = _consistent(pr)
    on_changed = [m for m in pr["mutants"] if m["status"] != "skipped"]
    assert on_changed and all(m["function"] == "Shop.tax" for m in on_changed)
    survivors = [m for m in on_changed if m["verification"]]
    assert vp["mode"] == "all" and vp["sampled"] == vp["survivors"] == len(survivors) >= 2


def test_false_survivors_of_import_time_code_are_refuted_and_rerun_fresh(tmp_path: Path) -> None:
    root = make_project(
        tmp_path / "proj",
        {"pkg/extract.py": EXTRACT, "tests/test_extract.py": EXTRACT_TESTS},
        runner="mutmut",
    )
    (root / "pyproject.toml").write_text(
        (root / "pyproject.toml")
        .read_text()
        .replace("verify-survivors = 50", "verify-survivors = 2")
    )
    card = scan(root)
    v = _consistent(card)
    ws = Path(card["meta"]["mutation_workspace"])
    table = [m for m in card["mutants"] if ".x_build_extractors__" in m["id"]]
    assert v["sampled"] == 2 and v["refuted"] >= 1
    fault = next(f for f in v["faults"] if f["function"] == "build_extractors")
    assert "imported" in fault["cause"]
    # plain mutmut reported every mutant of the import-time function as a survivor; the
    # fresh-process re-run gives each one the verdict of the mutant applied by hand
    assert fault["rerun"] == len(table) and len(fault["changed"]) >= len(table) - 1
    assert all(c["before"] == "survived" for c in fault["changed"])
    for m in table:
        expected = "survived" if by_hand(ws, m["id"], tmp_path) == 0 else "killed"
        assert m["status"] == expected, m["id"]
    assert any("verification refuted" in note for note in card["meta"]["notes"])
