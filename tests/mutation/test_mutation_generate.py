"""In-process generation writes what mutmut's own generation phase writes (plus pseudo variants)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from auditor.mutation.generate import generate, run_as_main_fix
from auditor.mutation.pseudo_variants import PSEUDO_SUFFIX
from auditor.mutation.workspace import prepare
from auditor.project import load_project

MOD = """import functools


def clamp(x, lo=0, hi=10):
    if x < lo:
        return lo
    return min(x, hi)


class Account:
    def __init__(self, balance: int = 0) -> None:
        self.balance = balance

    def deposit(self, amount: int) -> int:
        self.balance += amount
        return self.balance

    @classmethod
    def empty(cls) -> "Account":
        acc = cls(0)
        return acc

    @property
    def doubled(self):
        return self.balance * 2


@functools.lru_cache
def cached(n):
    return n + 1


async def fetch(n: int) -> int:
    m = n * 2
    return m
"""


def _project(root: Path) -> Path:
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text("")
    (root / "pkg" / "mod.py").write_text(MOD)
    (root / "tests").mkdir()
    (root / "tests" / "test_mod.py").write_text(
        "from pkg.mod import clamp\n\ndef test_c():\n    assert clamp(3) == 3\n"
    )
    (root / "pyproject.toml").write_text('[project]\nname = "pkg"\nversion = "0"\n')
    return root


def _mutmut_generation(ws: Path) -> None:
    code = (
        "from pathlib import Path\n"
        "from mutmut.__main__ import create_mutants\n"
        "from mutmut.utils.file_utils import copy_also_copy_files, copy_src_dir\n"
        "Path('mutants').mkdir(exist_ok=True)\ncopy_src_dir()\ncopy_also_copy_files()\ncreate_mutants(1)\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ws, check=True, capture_output=True)


def test_in_process_generation_matches_mutmuts_own_files(tmp_path: Path) -> None:
    project = load_project(_project(tmp_path / "proj") / "tests")
    ws, settings = prepare(project)
    result = generate(ws, settings, jobs=2)  # forked copies of this process mutate the files
    assert result.mutated == 2 and not result.warnings  # __init__.py and mod.py
    reference = tmp_path / "reference"
    shutil.copytree(ws, reference, ignore=shutil.ignore_patterns("mutants"))
    _mutmut_generation(reference)

    ours = (ws / "mutants" / "pkg" / "mod.py").read_text()
    theirs = (reference / "mutants" / "pkg" / "mod.py").read_text()
    their_spans = json.loads((reference / "mutants" / "pkg" / "mod.py.spans").read_text())["spans"]
    # mutmut's code with our `python -m` fix after its trampoline import, then pseudo variants
    expected, expected_spans = run_as_main_fix(theirs, their_spans)
    assert expected != theirs and ours.startswith(expected.rstrip("\n"))
    ours_meta = json.loads((ws / "mutants" / "pkg" / "mod.py.meta").read_text())
    theirs_meta = json.loads((reference / "mutants" / "pkg" / "mod.py.meta").read_text())
    assert ours_meta == theirs_meta
    spans = json.loads((ws / "mutants" / "pkg" / "mod.py.spans").read_text())["spans"]
    assert spans == expected_spans
    lines = ours.splitlines()
    start, end = spans["x_clamp__mutmut_orig"]
    first = next(line for line in lines[start - 1 : end] if line.strip())
    assert first.startswith("def x_clamp__mutmut_orig(") and lines[end - 1].strip()
    assert (ws / "mutants" / "tests" / "test_mod.py").is_file()

    # unchanged sources are not regenerated; verdicts of unchanged functions survive an edit
    assert generate(ws, settings).unchanged == 2
    meta_path = ws / "mutants" / "pkg" / "mod.py.meta"
    meta = json.loads(meta_path.read_text())
    meta["exit_code_by_key"] = {k: 1 for k in meta["exit_code_by_key"]}
    meta_path.write_text(json.dumps(meta))
    (ws / "pkg" / "mod.py").write_text(MOD.replace("return min(x, hi)", "return max(x, hi)"))
    assert generate(ws, settings).mutated == 1
    codes = json.loads(meta_path.read_text())["exit_code_by_key"]
    assert {k for k, v in codes.items() if v is None} == {k for k in codes if ".x_clamp__" in k}


def test_pseudo_variants_switch_on_through_the_trampoline(tmp_path: Path) -> None:
    project = load_project(_project(tmp_path / "proj") / "tests")
    ws, settings = prepare(project)
    generate(ws, settings)
    text = (ws / "mutants" / "pkg" / "mod.py").read_text()
    assert "def x_cached" + PSEUDO_SUFFIX not in text  # decorated: no trampoline, no variant
    script = (
        "import asyncio, os\n"
        "from pkg.mod import clamp, Account, fetch\n"
        "def active(name):\n"
        "    os.environ['MUTANT_UNDER_TEST'] = 'pkg.mod.' + name + '__mutmut_pseudo'\n"
        "active('x_clamp'); print(clamp(3))\n"
        "active('xǁAccountǁdeposit'); print(Account(1).deposit(2))\n"
        "active('xǁAccountǁempty'); print(Account.empty())\n"
        "active('x_fetch'); print(asyncio.run(fetch(2)))\n"
        "active(''); print(clamp(3), Account(1).deposit(2), asyncio.run(fetch(2)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ws / "mutants",
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\n")
    assert out[:5] == ["None", "0", "None", "0", "3 3 4"]
