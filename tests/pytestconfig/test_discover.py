"""`discover` (which files pytest collects) against `pytest --collect-only` on small projects.

Every module in these projects defines one passing test, so the files pytest collects are exactly
the files named in its node ids. Files pytest must not collect hold syntax errors: collecting
them would be a collection error, which the comparison would show.
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest
from pytest_oracle import collect_only

from auditor.pytest_config import read_pytest_settings
from auditor.static.discover import discover, read_conftest_ignores

TEST = "def test_it():\n    pass\n"
BROKEN = "def broken(:\n"


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


def _ours(root: Path, args: list[str]) -> set[str]:
    settings = read_pytest_settings(root, args, env={})
    found = discover(settings)
    assert settings.rootdir is not None
    return {p.relative_to(settings.rootdir).as_posix() for p in found.test_modules}


def _pytest_files(root: Path, args: list[str]) -> set[str]:
    return {nodeid.split("::", 1)[0] for nodeid in collect_only(root, args)}


CASES: dict[str, tuple[dict[str, str], list[str]]] = {
    "black-data-files-are-not-test-modules": (
        {
            "pyproject.toml": "[tool.pytest.ini_options]\ntestpaths = ['tests']\n",
            "tests/test_format.py": TEST,
            "tests/data/cases/comments.py": BROKEN,
            "tests/data/miscellaneous/force_py36.py": BROKEN,
            "tests/util.py": "X = 1\n",
        },
        [],
    ),
    "default-norecursedirs-and-virtualenvs": (
        {
            "pytest.ini": "[pytest]\n",
            "tests/test_a.py": TEST,
            "tests/.hidden/test_h.py": BROKEN,
            "tests/build/test_b.py": BROKEN,
            "tests/node_modules/test_n.py": BROKEN,
            "tests/env1/pyvenv.cfg": "home = /usr\n",
            "tests/env1/test_v.py": BROKEN,
            "tests/sub/test_s.py": TEST,
        },
        ["tests"],
    ),
    "custom-norecursedirs-replaces-defaults": (
        {
            "pytest.ini": "[pytest]\nnorecursedirs = fixtures *_data\n",
            "tests/test_a.py": TEST,
            "tests/fixtures/test_f.py": BROKEN,
            "tests/big_data/test_d.py": BROKEN,
            "tests/build/test_b.py": TEST,
        },
        ["tests"],
    ),
    "conftest-collect-ignore-nearest-wins": (
        {
            "pytest.ini": "[pytest]\n",
            "conftest.py": "collect_ignore = ['tests/test_top.py']\n",
            "tests/test_top.py": BROKEN,
            "tests/test_ok.py": TEST,
            "tests/example_scripts/conftest.py": "collect_ignore = ['test_local.py']\n",
            "tests/example_scripts/test_local.py": BROKEN,
            "tests/example_scripts/test_kept.py": TEST,
            "tests/roots/conftest.py": "collect_ignore_glob = ['*/test_*']\n",
            "tests/roots/test_r.py": TEST,
            "tests/roots/deep/test_d.py": BROKEN,
        },
        [],
    ),
    "collect-ignore-forms-and-version-conditions": (
        {
            "pytest.ini": "[pytest]\n",
            "conftest.py": f"""
                import sys
                collect_ignore = ["setup.py"]
                collect_ignore += ["tests/test_plus.py"]
                collect_ignore.append("tests/test_append.py")
                collect_ignore.extend(["tests/test_extend.py"])
                if sys.version_info < (3, 0):
                    collect_ignore.append("tests/test_kept.py")
                if sys.version_info >= (3, {sys.version_info[1]}):
                    collect_ignore.append("tests/test_new.py")
                try:
                    import json
                except ImportError:
                    collect_ignore.append("tests/test_json.py")
                """,
            "setup.py": BROKEN,
            "tests/test_plus.py": BROKEN,
            "tests/test_append.py": BROKEN,
            "tests/test_extend.py": BROKEN,
            "tests/test_kept.py": TEST,
            "tests/test_new.py": BROKEN,
            "tests/test_json.py": TEST,
        },
        ["."],
    ),
    "ignore-options-in-addopts": (
        {
            "pyproject.toml": "[tool.pytest.ini_options]\naddopts = "
            "\"--ignore=tests/legacy --ignore-glob='*_slow.py' --ignore tests/test_x.py\"\n",
            "tests/test_a.py": TEST,
            "tests/test_x.py": BROKEN,
            "tests/legacy/test_l.py": BROKEN,
            "tests/test_b_slow.py": BROKEN,
        },
        ["tests"],
    ),
    "python-files-forms": (
        {
            "tox.ini": "[pytest]\npython_files = check_*.py\n    *_spec.py\n    tests/special/*.py\n",
            "tests/check_a.py": TEST,
            "tests/b_spec.py": TEST,
            "tests/test_c.py": BROKEN,
            "tests/special/anything.py": TEST,
            "tests/other/anything.py": BROKEN,
        },
        ["tests"],
    ),
    "testpaths-globs": (
        {
            "pytest.ini": "[pytest]\ntestpaths = Tests/SystemData/**.py pkg/*/tests\n",
            "Tests/SystemData/test_a.py": TEST,
            "Tests/SystemData/helper.py": TEST,
            "Tests/Other/test_o.py": BROKEN,
            "pkg/one/tests/test_1.py": TEST,
            "pkg/two/tests/test_2.py": TEST,
            "pkg/two/test_outside.py": BROKEN,
        },
        [],
    ),
    "explicit-file-argument-need-not-match": (
        {"pytest.ini": "[pytest]\n", "tests/checks.py": TEST, "tests/other.py": BROKEN},
        ["tests/checks.py"],
    ),
    "confcutdir-stops-conftest-above": (
        {
            "conftest.py": "collect_ignore = ['sub/tests/test_a.py']\n",
            "sub/pytest.ini": "[pytest]\n",
            "sub/tests/test_a.py": TEST,
        },
        ["tests"],
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_discovered_modules_match_pytest_collect_only(tmp_path: Path, case: str) -> None:
    files, args = CASES[case]
    _write(tmp_path, files)
    cwd = tmp_path / "sub" if case == "confcutdir-stops-conftest-above" else tmp_path
    expected = _pytest_files(cwd, args)
    assert expected, "the oracle collected nothing: the case is broken"
    assert _ours(cwd, args) == expected


def test_unknown_condition_counts_as_ignored(tmp_path: Path) -> None:
    conftest = tmp_path / "conftest.py"
    conftest.write_text(
        "import os\ncollect_ignore = []\nif os.environ.get('X'):\n"
        "    collect_ignore.append('a.py')\nelse:\n    collect_ignore.append('b.py')\n",
        encoding="utf-8",
    )
    assert read_conftest_ignores(conftest).collect_ignore == ["a.py"]


def test_conftests_loaded_are_reported(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "pytest.ini": "[pytest]\n",
            "conftest.py": "",
            "tests/conftest.py": "",
            "tests/test_a.py": TEST,
            "tests/build/conftest.py": "",
        },
    )
    found = discover(read_pytest_settings(tmp_path, ["tests"], env={}))
    assert [p.relative_to(tmp_path.resolve()).as_posix() for p in found.conftests] == [
        "conftest.py",
        "tests/conftest.py",
    ]
    assert found.ignored[(tmp_path / "tests" / "build").resolve()] == "norecursedirs"
