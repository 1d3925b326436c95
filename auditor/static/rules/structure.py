"""Family 4xx — collection: tests that pytest never runs (TQ405, TQ406).

The syntax walks these rules share live in `auditor/static/rules/_structure_walk.py`; the runtime
smells of the family (sleeps, conditional checks, skip reasons, async tests) are in
`structure_flaky.py` and `structure_marks.py`.
"""

from __future__ import annotations

from typing import Any

import libcst as cst

from auditor.static.context import FileContext
from auditor.static.facts import FileFacts
from auditor.static.project_context import ProjectContext
from auditor.static.rules._structure_walk import (
    empty_parametrize_calls,
    misspelled_test_name,
    nested_test_is_used,
    shadowed_definitions,
    tests_nested_in_tests,
)
from auditor.static.rules.base import Example, Rule

_DATA_DIRS = {
    "data",
    "fixtures",
    "resources",
    "samples",
    "testdata",
    "test_data",
    "examples",
    "assets",
    "type_tests",
    "typing_tests",
    "typesafety",
}


class DuplicateTestName(Rule):
    """What it does:
    Reports a test function defined twice in the same namespace (module, class, or a module-level
    `if`/`try`/`with` block); the earlier definition is reported. Alternatives in different
    branches of one `if`/`elif`/`else` (or `try`/`except`) are exempt.

    Why it matters:
    Python keeps the last binding of a name, so pytest only ever sees the second function: the first
    test silently never runs. rich had three such pairs (`test_soft_wrap`, `test_force_color`, and
    `test_write_styled_reverse` inside `if sys.platform == "win32":`).

    Example:
    def test_soft_wrap():
        assert render("x", soft_wrap=True) == "x"

    def test_soft_wrap():
        assert render("y") == "y"

    Use instead:
    def test_soft_wrap_enabled():
        assert render("x", soft_wrap=True) == "x"

    def test_soft_wrap_default():
        assert render("y") == "y"
    """

    code = "TQ406"
    name = "duplicate-test-name"
    summary = "Test name defined twice in one scope; the first definition never runs"
    severity = "error"
    tier = "P"
    VALID = [
        "def test_a():\n    assert 1\n\ndef test_b():\n    assert 1\n",
        Example(
            "import sys\n\nif sys.platform == 'win32':\n    def test_path():\n        assert 1\n"
            "else:\n    def test_path():\n        assert 2\n",
            note="alternative definitions in different if/else branches",
        ),
        Example(
            "try:\n    import numpy\nexcept ImportError:\n    def test_np():\n        assert 1\n"
            "else:\n    pass\n\nclass TestX:\n    def test_np(self):\n        assert 1\n",
            note="same name in a different namespace (class vs module)",
        ),
        Example(
            "import pytest\n\n@pytest.fixture\ndef test_data():\n    return 1\n\n"
            "@pytest.fixture\ndef test_data():\n    return 2\n",
            note="fixtures are TQ307's job, not this rule's",
        ),
        Example(
            "import sys\n\nif sys.version_info >= (3, 11):\n    def test_v():\n        assert 1\n"
            "elif sys.version_info >= (3, 9):\n    def test_v():\n        assert 2\n",
            note="if/elif alternatives",
        ),
    ]
    INVALID = [
        Example(
            "def test_soft_wrap():\n    assert 1\n\ndef test_soft_wrap():\n    assert 2\n",
            lines=[1],
        ),
        Example(
            "import sys\n\nif sys.platform == 'win32':\n    def test_write_styled_reverse():\n"
            "        assert 1\n\n    def test_write_styled_reverse():\n        assert 2\n",
            lines=[4],
            note="rich tests/test_win32_console.py:123/140",
        ),
        Example(
            "class TestStyle:\n    def test_parse(self):\n        assert 1\n\n"
            "    def test_parse(self):\n        assert 2\n",
            lines=[2],
        ),
        Example(
            "import pytest\n\n@pytest.mark.parametrize('x', [1, 2, 3])\ndef test_force_color(x):\n"
            "    assert x\n\ndef test_force_color():\n    assert 0 == 0\n",
            lines=[4],
            note="rich tests/test_console.py:947/962 (first one parametrized)",
        ),
    ]

    def check(self, ctx: FileContext) -> None:
        for node, later in shadowed_definitions(ctx):
            ctx.report(
                self,
                node.name,
                f"`{node.name.value}` is defined again at line {ctx.line(later.name)}, so this "
                f"test "
                f"never runs: rename one of them.",
            )


class NeverCollectedTest(Rule):
    """What it does:
    Reports tests pytest will never collect: (a) a `Test*` class with `__init__`; (b) `test*`
    methods in a class pytest does not collect and that no collected class (anywhere in the
    project) inherits from; (c) `test*` functions in a module whose name does not match
    `python_files` (and that no test module imports); (d) a `test*` function nested in another
    function; (e) a class with `__test__ = False` holding test methods and no subclass turning
    collection back on; (f) `@pytest.mark.parametrize(..., [])` (zero cases); (g) misspelled test
    prefixes such as `tset_` or `Test_` on a function.

    Why it matters:
    These tests look like coverage in review but are never executed: pytest only emits a
    collection warning for (a) and skips (f) as "got empty parameter set". Base/mixin classes used
    by `Test*` subclasses (pandas `SharedTests`) are not reported.

    Example:
    class TestCart:
        def __init__(self):
            self.cart = Cart()

        def test_add(self):
            assert self.cart.add(1) == 1

    Use instead:
    class TestCart:
        def setup_method(self):
            self.cart = Cart()

        def test_add(self):
            assert self.cart.add(1) == 1
    """

    code = "TQ405"
    name = "never-collected-test"
    summary = (
        "Test that pytest never collects (constructor, orphan base, nested, empty parametrize)"
    )
    severity = "error"
    tier = "P"
    VALID = [
        "class TestCart:\n    def setup_method(self):\n        self.n = 1\n\n    def "
        "test_n(self):\n"
        "        assert self.n == 1\n",
        Example(
            "class SharedTests:\n    def test_len(self):\n        assert len(self.make()) == 0\n\n"
            "class TestList(SharedTests):\n    def make(self):\n        return []\n",
            note="mixin inherited by a collected class (pandas SharedTests)",
        ),
        Example(
            "from tests.common import Base\n\nclass TestIndex(Base):\n    def make(self):\n"
            "        return []\n",
            files={
                "tests/common.py": "class Base:\n    def test_empty(self):\n        assert not "
                "self.make()\n"
            },
            note="base class in another module (pandas indexes/common.py Base)",
        ),
        Example(
            "def make_test(value):\n    def test_generated():\n        assert value\n"
            "    return test_generated\n\ntest_one = make_test(1)\n",
            note="nested test returned by a factory and bound at module level",
        ),
        Example(
            "import pytest\n\n@pytest.mark.parametrize('x', [1])\ndef test_x(x):\n    assert x\n",
            note="non-empty parametrize",
        ),
        Example(
            "def test_session(app, client):\n    @app.route('/test')\n    def test():\n"
            "        return 'ok'\n\n    assert client.get('/test').data == b'ok'\n",
            note="route handler named test inside a test (flask tests/test_basic.py:433)",
        ),
        Example(
            "import unittest\n\nclass CartTests(unittest.TestCase):\n    def __init__(self, *a):\n"
            "        super().__init__(*a)\n\n    def test_add(self):\n        self.assertTrue(1)\n",
            note="unittest.TestCase classes are collected whatever their name or __init__",
        ),
        Example(
            "from tests.shared import test_roundtrip\n\ndef test_other():\n    assert 1\n",
            files={"tests/shared.py": "def test_roundtrip():\n    assert 1\n"},
            note="test function in a helper module, imported into a test module",
        ),
        Example(
            "class Base:\n    __test__ = False\n\n    def test_x(self):\n        assert self.v\n\n"
            "class TestImpl(Base):\n    __test__ = True\n    v = 1\n",
            note="__test__ = False base re-enabled by a subclass",
        ),
        Example(
            "class TestHelper:\n    def __init__(self, app):\n        self.app = app\n\n"
            "    def get(self):\n        return self.app\n",
            note="`Test*` helper class with a constructor but no test methods",
        ),
    ]
    INVALID = [
        Example(
            "class TestCart:\n    def __init__(self):\n        self.n = 1\n\n    def "
            "test_n(self):\n"
            "        assert self.n == 1\n",
            lines=[1],
        ),
        Example(
            "import dataclasses\n\n@dataclasses.dataclass\nclass TestConfig:\n    name: str = 'x'\n\n"
            "    def test_name(self):\n        assert self.name == 'x'\n",
            lines=[4],
            note="a @dataclass test class: pytest warns it cannot collect it and runs none of it",
        ),
        Example(
            "from dataclasses import dataclass\n\n@dataclass\nclass Base:\n    n: int = 1\n\n"
            "class TestDerived(Base):\n    def test_n(self):\n        assert self.n == 1\n",
            lines=[7],
            note="the constructor comes from a dataclass base class",
        ),
        Example(
            "class CartChecks:\n    def test_total(self):\n        assert 1 + 1 == 2\n", lines=[1]
        ),
        Example(
            "def helper():\n    def test_inner():\n        assert 1\n    test_inner\n\n"
            "def other():\n    def test_lost():\n        assert 2\n",
            lines=[7],
        ),
        Example(
            "import pytest\n\n@pytest.mark.parametrize('x', [])\ndef test_x(x):\n    assert x\n",
            lines=[3],
        ),
        Example(
            "def test_totals():\n    assert 1\n\n    def test_empty_totals():\n        assert 0 == "
            "0\n",
            lines=[4],
            note="indentation slip: a test inside a test (sample_project test_orders.py:81)",
        ),
        Example("def tset_total():\n    assert 1 + 1 == 2\n", lines=[1]),
        Example(
            "def test_ok():\n    assert 1\n",
            files={"tests/check_cart.py": "def test_cart():\n    assert 1\n"},
            count=1,
            note="(c) test in a module not matching python_files",
        ),
        Example(
            "class TestDisabled:\n    __test__ = False\n\n"
            "    def test_x(self):\n        assert 1\n",
            lines=[1],
        ),
    ]

    def check(self, ctx: FileContext) -> None:
        if ctx.is_test_module:
            for cls in ctx.inventory.classes:
                if (
                    cls.has_init
                    and cls.has_test_methods
                    and not cls.is_testcase
                    and not cls.test_false
                    and ctx.settings.matches_class(cls.name)
                ):
                    why = {
                        "__init__": "defines `__init__`",
                        "__new__": "defines `__new__`",
                    }.get(cls.init_source, f"gets a constructor from {cls.init_source}")
                    ctx.report(
                        self,
                        cls.node.name,
                        f'`{cls.name}` {why}, so pytest does not collect it (it warns "cannot '
                        f'collect test class") and its tests never run: move the setup to '
                        f"`setup_method` or a fixture.",
                    )
        for test in ctx.inventory.nested_tests:
            if nested_test_is_used(ctx, test):
                continue
            ctx.report(
                self,
                test.node.name,
                f"`{test.name}` is nested inside `{test.qualname.split('.')[0]}`, so pytest never "
                f"collects it: move it to module level.",
            )
        for node, outer in tests_nested_in_tests(ctx):
            ctx.report(
                self,
                node.name,
                f"`{node.name.value}` is nested inside test `{outer}`, so pytest never collects "
                f"it: dedent it to module level.",
            )
        for call in empty_parametrize_calls(ctx):
            ctx.report(
                self,
                call,
                "`parametrize` with an empty list produces zero test cases (pytest skips the "
                "test): "
                "give it values or delete it.",
            )
        if ctx.is_test_module:
            for node, name in misspelled_test_name(ctx):
                ctx.report(
                    self,
                    node.name,
                    f"`{name}` looks like a test but does not match `python_functions`, so it "
                    f"never "
                    f"runs: rename it to start with `test`.",
                    severity="info",  # held-out: 0/2 (tst_* helpers called by tests)
                )

    def collect(self, ctx: FileContext, facts: FileFacts) -> None:
        classes: list[dict[str, Any]] = []
        for cls in ctx.inventory.classes:
            if cls.parent is not None:
                continue
            classes.append(
                {
                    "name": cls.name,
                    "line": ctx.line(cls.node.name),
                    "collected": cls.collected,
                    "tests": cls.has_test_methods,
                    "test_false": cls.test_false,
                    "test_true": _sets_test_true(cls.node),
                    "named": ctx.settings.matches_class(cls.name),
                    "init": cls.has_init,
                    "testcase": cls.is_testcase,
                    "bases": [b.split(".")[-1] for b in cls.bases],
                }
            )
        orphans: list[dict[str, Any]] = []
        parts = set(ctx.relpath.split("/")[:-1])
        name = ctx.relpath.rsplit("/", 1)[-1]
        if (
            not ctx.is_test_module
            and not ctx.is_conftest
            and name != "__init__.py"
            and not (parts & _DATA_DIRS)
        ):
            for test_like in ctx.module.body:
                if (
                    isinstance(test_like, cst.FunctionDef)
                    and ctx.settings.matches_function(test_like.name.value)
                    and not any("fixture" in ctx.code(d.decorator) for d in test_like.decorators)
                ):
                    orphans.append({"name": test_like.name.value, "line": ctx.line(test_like.name)})
        stars = [
            ctx.code(stmt.module) if stmt.module is not None else ""
            for line in ctx.module.body
            if isinstance(line, cst.SimpleStatementLine)
            for stmt in line.body
            if isinstance(stmt, cst.ImportFrom) and isinstance(stmt.names, cst.ImportStar)
        ]
        facts.extra[self.code] = {"classes": classes, "orphans": orphans, "stars": stars}

    def check_project(self, project: ProjectContext) -> None:
        all_classes = [
            (path, cls)
            for path, facts in project.files.items()
            for cls in facts.extra.get(self.code, {}).get("classes", [])
        ]
        children: dict[str, list[dict[str, Any]]] = {}
        for _, cls in all_classes:
            for base in cls["bases"]:
                children.setdefault(base, []).append(cls)
        for path, cls in all_classes:
            if not cls["tests"] or cls["collected"] or cls["testcase"]:
                continue
            if cls["named"] and cls["init"]:
                continue  # (a), reported per file
            if cls["test_false"]:
                if not any(c["test_true"] for c in _descendants(cls["name"], children)):
                    project.report(
                        self,
                        path,
                        cls["line"],
                        f"`{cls['name']}` sets `__test__ = False` and no subclass sets it back, so "
                        f"its tests never run: remove it or mark the tests skipped with a reason.",
                        severity="warning",
                        anchor=f"test-false {cls['name']}",
                    )
                continue
            if project.collected_subclasses(cls["name"]):
                continue
            project.report(
                self,
                path,
                cls["line"],
                f"`{cls['name']}` is not collected (name does not match `python_classes`) and no "
                f"collected class inherits from it, so its tests never run: rename it `Test...`.",
                severity="warning",
                anchor=f"orphan-class {cls['name']}",
            )
        self._orphan_functions(project)

    def _orphan_functions(self, project: ProjectContext) -> None:
        imported = {m for facts in project.files.values() for m in facts.imported_modules}
        stars = {
            s
            for facts in project.files.values()
            for s in facts.extra.get(self.code, {}).get("stars", [])
        }
        for path, facts in project.files.items():
            leaf = facts.module.rsplit(".", 1)[-1]
            if any(s == facts.module or s.endswith("." + leaf) or s == leaf for s in stars):
                continue
            for orphan in facts.extra.get(self.code, {}).get("orphans", []):
                suffix = f"{leaf}.{orphan['name']}"
                if any(m == suffix or m.endswith("." + suffix) for m in imported):
                    continue
                project.report(
                    self,
                    path,
                    orphan["line"],
                    f"`{orphan['name']}` is in `{path}`, which does not match `python_files`, so "
                    f"it "
                    f"never runs: move it into a `test_*.py` module.",
                    severity="warning",
                    anchor=f"orphan-function {orphan['name']}",
                )


def _sets_test_true(node: cst.ClassDef) -> bool:
    body = node.body.body if isinstance(node.body, cst.IndentedBlock) else []
    for stmt in body:
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if (
                    isinstance(small, cst.Assign)
                    and any(
                        isinstance(t.target, cst.Name) and t.target.value == "__test__"
                        for t in small.targets
                    )
                    and isinstance(small.value, cst.Name)
                    and small.value.value == "True"
                ):
                    return True
    return False


def _descendants(name: str, children: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    stack, seen = [name], {name}
    while stack:
        for child in children.get(stack.pop(), []):
            if child["name"] not in seen:
                seen.add(child["name"])
                out.append(child)
                stack.append(child["name"])
    return out
