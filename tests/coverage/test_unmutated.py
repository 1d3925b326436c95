"""Covered-but-unmutated code: our reasons agree with what mutmut 3.8's generator really does.

The oracle is mutmut itself: `mutate_file_contents` generates the mutants of the example file,
and every function we call unmutated must have none, every function we call mutated some.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.coverage.unmutated import NO_OPERATOR, file_scope, find_unmutated
from auditor.mutation.results import qualified_name

SOURCE = """\
import enum
import functools

TABLE = {"a": 1, **dict(b=2)}
LIMIT = 10


def plain(a):
    b = a * 3  # pragma: no mutate
    return a + 1


@functools.lru_cache(maxsize=None)
def cached(a):
    return a * 2


def custom(fn):
    fn.tag = 1
    return fn


@custom
def wrapped(a):
    return a - 1


def ignored(a):  # pragma: no mutate block
    return a + 3


def identity(a):
    return a


if LIMIT > 5:
    def conditional(a):
        return a + 5


class Box:
    SIZE = len("abc") + 1

    def __init__(self, x):
        self.x = x + 1

    @property
    def doubled(self):
        return self.x * 2

    @staticmethod
    def helper(y):
        return y + 2

    @classmethod
    def make(cls):
        return cls(1 + 1)

    def __new__(cls, *args):
        return super().__new__(cls)

    class Inner:
        def deep(self):
            return 4 + 4


class Colour(enum.Enum):
    RED = 1

    def __init__(self, value):
        self.label = str(value + 1)

    def describe(self):
        return self.name + "!"
"""

EXPECTED = {
    "cached": "decorated with @functools.lru_cache",
    "wrapped": "decorated with @custom",
    "Box.doubled": "decorated with @property",
    "ignored": "# pragma: no mutate block",
    "identity": NO_OPERATOR,
    "conditional": "defined inside a module-level block",
    "Box.__new__": "mutmut never mutates __new__",
    "Box.Inner.deep": "method of a nested class",
    "Colour.__init__": "Enum creation hook",
}


@pytest.fixture
def mutmut_functions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> set[str]:
    """Functions mutmut 3.8 generates at least one mutant for, in `f` / `Cls.method` form."""
    import mutmut.configuration
    from mutmut.mutation.file_mutation import mutate_file_contents

    (tmp_path / "pyproject.toml").write_text('[tool.mutmut]\nsource_paths = ["mod.py"]\n')
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(mutmut.configuration, "_config", None)
    mutated = mutate_file_contents("mod.py", SOURCE)
    return {
        qualified_name(name.rsplit("__mutmut_", 1)[0].removeprefix("mod."))
        for name in mutated.mutant_names
    }


def test_reasons_match_mutmuts_generator(mutmut_functions: set[str]) -> None:
    assert {
        "plain",
        "custom",
        "Box.__init__",
        "Box.helper",
        "Box.make",
        "Colour.describe",
    } <= mutmut_functions
    report = find_unmutated(
        [("mod.py", SOURCE)], {"mod.py": set()}, {("mod.py", f) for f in mutmut_functions}
    )
    functions = {
        u.function: u.reason for u in report.items if u.function not in ("<module>", "Box", "plain")
    }
    assert set(functions) == set(EXPECTED)
    for name, reason in EXPECTED.items():
        assert reason in functions[name], name
        assert name not in mutmut_functions  # mutmut really left it alone
    assert [(u.line, u.reason) for u in report.items if u.function == "plain"] == [
        (9, "# pragma: no mutate")
    ]
    statements = {(u.function, u.line) for u in report.items if u.function in ("<module>", "Box")}
    assert statements == {("<module>", 4), ("<module>", 36), ("Box", 42)}  # TABLE, the if, SIZE
    assert ("<module>", 5) not in statements  # a literal constant is data, not logic


def test_mutated_share_counts_covered_function_statements_only() -> None:
    text = "def a(x):\n    y = x + 1\n    return y\n\n\n@property\ndef b(self):\n    return 1 + 1\n"
    report = find_unmutated([("m.py", text)], {"m.py": set()}, {("m.py", "a")})
    assert (report.mutated, report.covered) == (2, 3)
    assert report.mutated_share == pytest.approx(66.7)
    uncovered_b = find_unmutated([("m.py", text)], {"m.py": {8}}, {("m.py", "a")})
    assert [u.function for u in uncovered_b.items] == []  # not covered -> not listed
    assert uncovered_b.mutated_share == 100.0


def test_files_not_measured_are_left_out() -> None:
    report = find_unmutated([("m.py", "@property\ndef b(self):\n    return 1\n")], {}, set())
    assert report.items == [] and report.mutated_share is None


def test_scope_of_an_unparsable_file_is_empty() -> None:
    assert file_scope("bad.py", "def (:\n").units == []


def test_functions_whose_mutants_were_all_left_unrun_are_unmutated() -> None:
    text = "def a(x):\n    return x + 1\n\n\ndef b(x):\n    return x - 1\n"
    report = find_unmutated(
        [("m.py", text)],
        {"m.py": set()},
        {("m.py", "a")},
        {("m.py", "b"): "its 2 mutant(s) were not run: over the max-mutants budget"},
    )
    assert [(u.function, u.reason) for u in report.items] == [
        ("b", "its 2 mutant(s) were not run: over the max-mutants budget")
    ]
    assert report.mutated_share == 50.0
