"""`read_pytest_settings` against the installed pytest's own reading of the same project.

Each case writes a small project under tmp_path and compares our settings with what pytest itself
computes (rootdir, config file, ini values, the options in addopts): pytest is the oracle.
"""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest
from pytest_oracle import pytest_refuses, pytest_view

from auditor.pytest_cmdline import (
    OPTIONAL_VALUE,
    PYTEST_OPTIONAL_VALUE,
    PYTEST_VALUE_OPTIONS,
    VALUE_OPTIONS,
    parse_command_line,
)
from auditor.pytest_config import PytestConfigError, read_pytest_settings, warning_filter_is_error
from auditor.pytest_inifiles import native_toml_supported


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


def _compare(root: Path, args: list[str], cwd: Path | None = None) -> None:
    cwd = cwd or root
    view = pytest_view(cwd, args)
    ours = read_pytest_settings(cwd, args, env={})
    assert str(ours.rootdir) == view["rootdir"]
    assert (str(ours.inifile) if ours.inifile else None) == view["inifile"]
    ini = view["ini"]
    assert isinstance(ini, dict)
    assert ours.python_files == ini["python_files"]
    assert ours.python_classes == ini["python_classes"]
    assert ours.python_functions == ini["python_functions"]
    assert ours.testpaths == ini["testpaths"]
    assert ours.norecursedirs == ini["norecursedirs"]
    assert ours.usefixtures == ini["usefixtures"]
    assert ours.filterwarnings == ini["filterwarnings"]
    assert [str(p) for p in ours.pythonpath] == ini["pythonpath"]
    assert ours.consider_namespace_packages == ini["consider_namespace_packages"]
    assert ours.xfail_strict == bool(ini["xfail_strict"])
    assert ours.addopts == ini["addopts"]
    assert [str(p) for p in ours.ignore] == [os.path.normpath(cwd / p) for p in view["ignore"]]
    assert ours.ignore_glob == [os.path.normpath(cwd / g) for g in view["ignore_glob"]]
    assert ours.deselect == view["deselect"]
    assert ours.markexpr == view["markexpr"]
    assert ours.keyword == view["keyword"]
    assert ours.import_mode == view["importmode"]
    assert [p for p in ours.plugins if p != "no:cacheprovider"] == [
        p for p in view["plugins"] if p != "no:cacheprovider"
    ]
    assert str(ours.confcutdir) == view["confcutdir"]
    assert ours.pythonwarnings == view["pythonwarnings"]
    assert [str(p) for p in ours.initial_paths()] == [
        os.path.normpath(cwd / a) for a in view["args"]
    ]


CASES: dict[str, tuple[dict[str, str], list[str]]] = {
    "pytest.ini-wins-over-pyproject": (
        {
            "pytest.ini": "[pytest]\npython_files = check_*.py *_spec.py\ntestpaths = t\n",
            "pyproject.toml": "[tool.pytest.ini_options]\npython_files = ['nope_*.py']\n",
            "t/check_a.py": "",
        },
        [],
    ),
    "empty-pytest.ini-still-wins": (
        {
            "pytest.ini": "[other]\nx = 1\n",
            "tox.ini": "[pytest]\npython_files = tox_*.py\n",
        },
        [],
    ),
    "dot-pytest.ini": ({".pytest.ini": "[pytest]\npython_classes = Check Spec*\n"}, []),
    "pyproject-ini-options": (
        {
            "pyproject.toml": """
                [tool.pytest.ini_options]
                python_functions = "check_ *_spec"
                norecursedirs = ["data", "*.egg"]
                addopts = "-p no:randomly --ignore=tests/slow --ignore-glob='*_big.py' -m 'not net' --import-mode=importlib"
                xfail_strict = true
                pythonpath = ["src", "."]
                consider_namespace_packages = true
                filterwarnings = ["error", "ignore::DeprecationWarning"]
                testpaths = ["tests"]
            """,
            "tests/test_a.py": "",
            "src/.keep": "",
        },
        [],
    ),
    "tox.ini-section": (
        {
            "tox.ini": """
                [tox]
                envlist = py3
                [pytest]
                addopts = -ra -q --deselect tests/test_a.py::test_x -k "slow and not net"
                filterwarnings =
                    error
                    ignore:.*deprecated:DeprecationWarning
                usefixtures = clean_env other
            """,
            "tests/test_a.py": "",
        },
        [],
    ),
    "setup.cfg-tool-pytest": (
        {
            "setup.cfg": "[metadata]\nname = x\n[tool:pytest]\nnorecursedirs = .git data*\n"
            "xfail_strict = yes\nconfcutdir = .\n",
            "tests/test_a.py": "",
        },
        ["tests"],
    ),
    "pyproject-without-table-is-rootdir-fallback": (
        {"pyproject.toml": "[project]\nname = 'x'\n", "tests/test_a.py": ""},
        ["tests"],
    ),
    "setup.py-rootdir": ({"setup.py": "", "tests/test_a.py": ""}, ["tests"]),
    "no-config-at-all": ({"tests/test_a.py": ""}, ["tests"]),
    "dash-c-and-rootdir": (
        {
            "configs/my.ini": "[pytest]\npython_files = *_check.py\n",
            "tests/a_check.py": "",
            "other/.keep": "",
        },
        ["-c", "configs/my.ini", "--rootdir=other", "tests"],
    ),
    "override-ini": (
        {"pytest.ini": "[pytest]\naddopts = -o python_files=spec_*.py\npython_files = x_*.py\n"},
        ["-o", "python_classes=Spec"],
    ),
    "xfail-strict-alias": ({"pytest.ini": "[pytest]\nstrict_xfail = true\n"}, []),
    "testpaths-recursive-glob": (
        {
            "pytest.ini": "[pytest]\ntestpaths = Tests/SystemData/**.py tests/*/unit\n",
            "Tests/SystemData/a.py": "",
            "Tests/SystemData/sub/b.py": "",
            "tests/x/unit/test_a.py": "",
            "tests/y/unit/test_b.py": "",
        },
        [],
    ),
    "addopts-positional-and-combined-short-flags": (
        {"pytest.ini": "[pytest]\naddopts = -vx -rA -pno:doctest -Werror tests\n"},
        [],
    ),
}
if native_toml_supported():
    CASES["native-tool-pytest-table"] = (
        {
            "pyproject.toml": """
                [tool.pytest]
                python_files = ["check_*.py"]
                python_classes = ["Check"]
                addopts = ["--ignore", "tests/data", "-p", "no:doctest"]
                norecursedirs = ["fixtures"]
                xfail_strict = true
                testpaths = ["tests"]
            """,
            "tests/check_a.py": "",
        },
        [],
    )
    CASES["pytest.toml-wins-over-pytest.ini"] = (
        {
            "pytest.toml": "[pytest]\npython_files = ['t_*.py']\n",
            "pytest.ini": "[pytest]\npython_files = ini_*.py\n",
        },
        [],
    )


@pytest.mark.parametrize("case", sorted(CASES))
def test_settings_match_pytest(tmp_path: Path, case: str) -> None:
    files, args = CASES[case]
    _write(tmp_path, files)
    _compare(tmp_path, args)


def test_settings_from_a_subdirectory_find_the_parent_config(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {"tox.ini": "[pytest]\npython_files = spec_*.py\n", "pkg/tests/spec_a.py": ""},
    )
    _compare(tmp_path, ["tests"], cwd=tmp_path / "pkg")


def test_pytest_addopts_environment_comes_after_ini_addopts(tmp_path: Path) -> None:
    _write(tmp_path, {"pytest.ini": "[pytest]\naddopts = -m fast\n"})
    ours = read_pytest_settings(tmp_path, [], env={"PYTEST_ADDOPTS": "-m slow --ignore=x"})
    assert ours.markexpr == "slow"  # argparse: the last -m wins
    assert ours.ignore == [tmp_path.resolve() / "x"]


@pytest.mark.skipif(not native_toml_supported(), reason="pytest < 9 has no native TOML table")
@pytest.mark.parametrize(
    "table",
    [
        '[tool.pytest]\npython_files = "test_*.py"\n',  # a string where pytest wants a list
        "[tool.pytest]\nxfail_strict = 'true'\n",  # a string where pytest wants a bool
        "[tool.pytest]\naddopts = ['-q']\n[tool.pytest.ini_options]\naddopts = '-q'\n",
    ],
)
def test_native_table_with_wrong_types_is_refused_like_pytest(tmp_path: Path, table: str) -> None:
    _write(tmp_path, {"pyproject.toml": table, "tests/test_a.py": "def test_a(): pass\n"})
    pytest_refuses(tmp_path, ["--co"])
    with pytest.raises(PytestConfigError) as info:
        settings = read_pytest_settings(tmp_path, [], env={})
        settings.python_files  # noqa: B018 - the bad value is converted eagerly
    assert "pytest" in str(info.value)


def test_setup_cfg_pytest_section_is_refused(tmp_path: Path) -> None:
    _write(tmp_path, {"setup.cfg": "[pytest]\naddopts = -q\n"})
    pytest_refuses(tmp_path)
    with pytest.raises(PytestConfigError, match=r"tool:pytest"):
        read_pytest_settings(tmp_path, [], env={})


def test_value_option_table_matches_the_installed_pytest() -> None:
    """Every pytest option that takes a value is known, so addopts split like pytest splits."""
    import argparse

    from _pytest.config import get_config

    parser = get_config([])._parser.optparser
    flag_actions = (
        argparse._StoreTrueAction,
        argparse._StoreFalseAction,
        argparse._CountAction,
        argparse._StoreConstAction,
    )
    for action in parser._actions:
        if not action.option_strings or action.nargs == 0 or isinstance(action, flag_actions):
            continue
        for spelling in action.option_strings:
            if action.nargs == "?":
                assert spelling in PYTEST_OPTIONAL_VALUE, spelling
            else:
                assert spelling in PYTEST_VALUE_OPTIONS, spelling


def test_command_line_forms() -> None:
    parsed = parse_command_line(
        [
            "-n",
            "4",
            "--cov",
            "src",
            "--cov",
            "--ignore=a",
            "-kfoo",
            "-vvx",
            "-rfE",
            "tests",
            "--",
            "-x",
        ]
    )
    assert parsed.values("-n") == ["4"]
    assert parsed.values("--cov") == ["src", ""]
    assert parsed.values("--ignore") == ["a"]
    assert parsed.last("-k") == "foo"
    assert parsed.flags == ["-v", "-v", "-x"]
    assert parsed.values("-r") == ["fE"]
    assert parsed.args == ["tests", "-x"]
    assert "--cov" in OPTIONAL_VALUE and "-n" in VALUE_OPTIONS


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("error", True),
        ("error::Warning", True),
        ("error::DeprecationWarning", False),
        ("ignore", False),
        ("error:some message", False),
    ],
)
def test_warning_filter_is_error(text: str, expected: bool) -> None:
    assert warning_filter_is_error(text) is expected
