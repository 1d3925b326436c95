"""Parsing mutmut's on-disk formats (hand-written from docs/mutmut-internals.md) and locating mutants."""

from __future__ import annotations

import ast
import json
from pathlib import Path

from auditor.mutation.locate import classify, locate
from auditor.mutation.results import (
    function_names,
    qualified_name,
    read_all,
    read_spans,
    read_stats,
    reset_results,
)

ORIGINAL = '''import logging


def clamp(x, lo, hi):
    """Keep x in range."""
    if x < lo:
        return lo
    return min(x, hi)


class Account:
    @staticmethod
    def fee(amount):
        return amount * 2
'''

# what mutmut writes into mutants/pkg/core.py for the functions above (trimmed to the copies)
MUTANTS_FILE = '''import logging

def clamp(x, lo, hi):
    pass


def x_clamp__mutmut_orig(x, lo, hi):
    """Keep x in range."""
    if x < lo:
        return lo
    return min(x, hi)


def x_clamp__mutmut_1(x, lo, hi):
    """Keep x in range."""
    if x <= lo:
        return lo
    return min(x, hi)


def x_clamp__mutmut_2(x, lo, hi):
    """Keep x in range."""
    if x < lo:
        return lo
    return min(hi)
class Account:
    @staticmethod
    def xǁAccountǁfee__mutmut_orig(amount):
        return amount * 2
    @staticmethod
    def xǁAccountǁfee__mutmut_1(amount):
        return amount / 2
'''


def write_fixture(tmp_path: Path) -> Path:
    mutants = tmp_path / "mutants"
    (mutants / "pkg").mkdir(parents=True)
    (mutants / "pkg" / "core.py").write_text(MUTANTS_FILE, encoding="utf-8")
    meta = {
        "exit_code_by_key": {
            "pkg.core.x_clamp__mutmut_2": 1,
            "pkg.core.x_clamp__mutmut_1": 0,
            "pkg.core.x\u01c1Account\u01c1fee__mutmut_1": None,
        },
        "hash_by_function_name": {"x_clamp": "868d011eb511"},
        "type_check_error_by_key": {},
        "durations_by_key": {"pkg.core.x_clamp__mutmut_1": 0.25, "pkg.core.x_clamp__mutmut_2": 0.1},
        "estimated_durations_by_key": {"pkg.core.x_clamp__mutmut_1": 0.001},
    }
    (mutants / "pkg" / "core.py.meta").write_text(json.dumps(meta, indent=4), encoding="utf-8")
    spans = {
        "version": 1,
        "spans": {
            "x_clamp__mutmut_orig": [5, 11],
            "x_clamp__mutmut_1": [12, 18],
            "x_clamp__mutmut_2": [19, 25],
            "x\u01c1Account\u01c1fee__mutmut_orig": [27, 29],
            "x\u01c1Account\u01c1fee__mutmut_1": [30, 32],
        },
    }
    (mutants / "pkg" / "core.py.spans").write_text(json.dumps(spans), encoding="utf-8")
    stats = {
        "tests_by_mangled_function_name": {"pkg.core.x_clamp": ["tests/test_c.py::test_clamp"]},
        "duration_by_test": {"tests/test_c.py::test_clamp": 0.001},
        "stats_time": 0.5,
    }
    (mutants / "mutmut-stats.json").write_text(json.dumps(stats), encoding="utf-8")
    return mutants


def test_read_all_returns_every_mutant_in_mutmut_order_with_codes_and_durations(
    tmp_path: Path,
) -> None:
    raws = read_all(write_fixture(tmp_path))
    assert [r.name for r in raws] == [
        "pkg.core.x_clamp__mutmut_1",
        "pkg.core.x_clamp__mutmut_2",
        "pkg.core.xǁAccountǁfee__mutmut_1",
    ]
    assert [r.exit_code for r in raws] == [0, 1, None]
    assert raws[0].duration == 0.25 and raws[0].estimated == 0.001
    assert raws[0].source == "pkg/core.py"
    assert raws[2].function_key == "pkg.core.xǁAccountǁfee"
    assert raws[2].mangled == "xǁAccountǁfee"


def test_function_names_split_methods_and_functions() -> None:
    assert function_names("x_clamp") == (None, "clamp")
    assert function_names("xǁAccountǁfee") == ("Account", "fee")
    assert qualified_name("xǁAccountǁfee") == "Account.fee"
    assert qualified_name("x__private") == "_private"


def test_stats_give_tests_per_function(tmp_path: Path) -> None:
    stats = read_stats(write_fixture(tmp_path))
    assert stats.tests_by_function["pkg.core.x_clamp"] == ["tests/test_c.py::test_clamp"]
    assert read_stats(tmp_path / "nowhere").tests_by_function == {}


def test_reset_results_marks_named_mutants_not_checked(tmp_path: Path) -> None:
    mutants = write_fixture(tmp_path)
    assert (
        reset_results(mutants, {"pkg.core.x_clamp__mutmut_2", "pkg.core.xǁAccountǁfee__mutmut_1"})
        == 1
    )
    codes = {r.name: r.exit_code for r in read_all(mutants)}
    assert codes["pkg.core.x_clamp__mutmut_2"] is None
    assert codes["pkg.core.x_clamp__mutmut_1"] == 0


def _locate(mutants: Path, name: str, mangled: str):  # type: ignore[no-untyped-def]
    lines = (mutants / "pkg" / "core.py").read_text(encoding="utf-8").splitlines()
    return locate(
        name, mangled, "pkg/core.py", lines, read_spans(mutants, "pkg/core.py"), ast.parse(ORIGINAL)
    )


def test_locate_maps_the_changed_line_to_the_original_file(tmp_path: Path) -> None:
    mutants = write_fixture(tmp_path)
    loc = _locate(mutants, "pkg.core.x_clamp__mutmut_1", "x_clamp")
    assert (loc.line, loc.end_line) == (6, 6)  # `if x < lo:` is line 6 of ORIGINAL
    assert loc.operator == "comparison"
    assert loc.description == "`<` -> `<=`"
    assert "@@ -5,3 +5,3 @@" in loc.diff  # hunk numbered in the original file
    assert "-    if x < lo:" in loc.diff and "+    if x <= lo:" in loc.diff


def test_locate_method_under_a_decorator(tmp_path: Path) -> None:
    mutants = write_fixture(tmp_path)
    loc = _locate(mutants, "pkg.core.xǁAccountǁfee__mutmut_1", "xǁAccountǁfee")
    assert loc.line == 14
    assert loc.operator == "arithmetic"


def test_locate_argument_removal(tmp_path: Path) -> None:
    loc = _locate(write_fixture(tmp_path), "pkg.core.x_clamp__mutmut_2", "x_clamp")
    assert loc.line == 8
    assert loc.operator == "arg_removal"
    assert loc.description == "removed `x ,`"


def test_locate_without_spans_has_no_line() -> None:
    loc = locate("pkg.core.x_f__mutmut_1", "x_f", "pkg/core.py", [], {}, None)
    assert loc.line is None


def test_classify_names_mutmut_operator_families() -> None:
    cases = {
        ("return 1", "return 2"): "number",
        ("s = 'a'", "s = 'XXaXX'"): "string",
        ("ok = True", "ok = False"): "boolean",
        ("a = b + c", "a = b - c"): "arithmetic",
        ("a = b & c", "a = b | c"): "bitwise",
        ("total += n", "total = n"): "augmented_assignment",
        ("x = compute()", "x = None"): "assignment",
        ("f(a, b)", "f(None, b)"): "arg_removal",
        ("f(a, b)", "f(b)"): "arg_removal",
        ("if a and b:", "if a or b:"): "boolean_operator",
        ("s.lower()", "s.upper()"): "string_method",
        ("if x is None:", "if x is not None:"): "keyword",
        ("if not ok:", "if ok:"): "unary_removal",
        ("break", "return"): "keyword",
        ("y = a if c else b", "y = a if (c) and False else b"): "if_expression",
        ("f = lambda: x", "f = lambda: None"): "lambda",
        ("dict(a=1)", "dict(aXX=1)"): "dict_arguments",
    }
    for (orig, mutant), family in cases.items():
        assert classify(orig, mutant)[0] == family, (orig, mutant)


def test_compact_names_uses_globs_only_for_whole_functions(tmp_path: Path) -> None:
    from auditor.mutation.mutmut_run import compact_names

    mutants = write_fixture(tmp_path)
    every = [
        "pkg.core.x_clamp__mutmut_1",
        "pkg.core.x_clamp__mutmut_2",
        "pkg.core.xǁAccountǁfee__mutmut_1",
    ]
    assert compact_names(mutants, every) == [
        "pkg.core.x_clamp__mutmut_*",
        "pkg.core.xǁAccountǁfee__mutmut_1",
    ]
    assert compact_names(mutants, ["pkg.core.x_clamp__mutmut_2"]) == ["pkg.core.x_clamp__mutmut_2"]
