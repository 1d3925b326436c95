"""Mutants applied by hand (auditor/mutation/apply.py) are exactly mutmut's mutants.

mutmut's generator writes every mutant of a file into `mutants/<file>`; `applied_source` puts
one of them into the ORIGINAL file in place of its function. The oracle here is an independent
reading of the same generated file with `ast` (not libcst, not our spans reader): for every
mutant, the function in the applied file must have exactly the AST of mutmut's mutant copy
(renamed to the original name), with the original's decorators, and every other statement of
the file must be unchanged. The shapes that make this hard are all here: methods, static and
class methods, async methods and generators, a nested class with a same-named method, two
classes with a same-named method, a decorated class, a redefined function, 2-space indentation.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from auditor.mutation.apply import ApplyError, applied_source, check_applied, parse_name

SHAPES = '''"""Shapes of functions the generator mutates."""
from __future__ import annotations

import dataclasses

LIMIT = 10


def clamp(x, lo=0, hi=LIMIT):
    # a comment above the body
    if x < lo:
        return lo
    return min(x, hi)


class Shop:
    """A shop."""

    rate = 2

    class Inner:
        def total(self, n):
            return n * 3

    def total(self, n):
        return n * self.rate + 1

    @staticmethod
    def tax(n):
        return n // 10

    @classmethod
    def make(cls, r):
        obj = cls()
        obj.rate = r + 1
        return obj

    async def fetch(self, n):
        return n - 1

    def evens(self, n):
        for i in range(n):
            yield i * 2


class Cart:
  def total(self, n):
      return n + 2


@dataclasses.dataclass
class Item:
    price: int = 1

    def doubled(self):
        return self.price * 2


def clamp(x, lo=0, hi=LIMIT):
    if x <= lo:
        return lo
    return min(x, hi)
'''


def _generated(tmp_path: Path) -> tuple[Path, Path, list[str]]:
    """(project root, workspace mutants dir, every mutant id) for SHAPES in pkg/shapes.py."""
    from auditor.mutation.generate import generate
    from auditor.mutation.workspace import prepare
    from auditor.project import load_project

    root = tmp_path / "proj"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text("")
    (root / "pkg" / "shapes.py").write_text(SHAPES)
    (root / "tests").mkdir()
    (root / "tests" / "test_shapes.py").write_text("def test_nothing():\n    pass\n")
    (root / "pyproject.toml").write_text('[project]\nname = "pkg"\nversion = "0"\n')
    ws, settings = prepare(load_project(root / "tests"))
    generate(ws, settings)
    meta = json.loads((ws / "mutants" / "pkg" / "shapes.py.meta").read_text())
    return root, ws / "mutants", list(meta["exit_code_by_key"])


def _defs(body: list[ast.stmt], name: str) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    return [
        n for n in body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == name
    ]


def _scope(tree: ast.Module, cls: str | None) -> list[ast.stmt]:
    if cls is None:
        return tree.body
    classes = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == cls]
    return classes[-1].body


def test_every_mutant_applied_by_hand_is_exactly_mutmuts_mutant(tmp_path: Path) -> None:
    root, mutants, ids = _generated(tmp_path)
    original = (root / "pkg" / "shapes.py").read_text()
    generated = ast.parse((mutants / "pkg" / "shapes.py").read_text())
    kinds = {parse_name(i).qualified for i in ids}
    # mutmut's scope: methods of top-level classes, never the nested class's method
    assert {"clamp", "Shop.total", "Shop.tax", "Shop.make", "Shop.fetch", "Shop.evens"} <= kinds
    assert {"Cart.total", "Item.doubled"} <= kinds and "Inner.total" not in kinds
    for mutant_id in ids:
        name = parse_name(mutant_id)
        applied = applied_source(original, mutants, "pkg/shapes.py", mutant_id)
        # oracle: mutmut's copy read with ast (the last definition wins, as at import)
        copy = _defs(_scope(generated, name.cls), name.generated)[-1]
        copy.name = name.func
        tree = ast.parse(applied.code)
        placed = _defs(_scope(tree, name.cls), name.func)[-1]
        assert ast.dump(placed) == ast.dump(copy), mutant_id
        assert [ast.dump(d) for d in placed.decorator_list] == [
            ast.dump(d)
            for d in _defs(_scope(ast.parse(original), name.cls), name.func)[-1].decorator_list
        ]
        # everything else is the original file: swap the original function back in
        before = ast.parse(original)
        _replace_last(tree, name.cls, name.func, _defs(_scope(before, name.cls), name.func)[-1])
        assert ast.dump(tree) == ast.dump(before), mutant_id
        assert "mutmut" not in applied.code and "__mutmut_" not in applied.code


def _replace_last(tree: ast.Module, cls: str | None, func: str, node: ast.stmt) -> None:
    body = _scope(tree, cls)
    index = max(i for i, n in enumerate(body) if n in _defs(body, func))
    body[index] = node


def test_the_applied_file_runs_the_mutant_without_trampolines(tmp_path: Path) -> None:
    """Executed, the applied file behaves like the mutant: static, class and async methods."""
    root, mutants, ids = _generated(tmp_path)
    original = (root / "pkg" / "shapes.py").read_text()
    probe = (
        "import asyncio, sys\nsys.path.insert(0, '.')\nimport shapes as s\n"
        "print(s.Shop.tax(25), s.Shop.make(1).rate, asyncio.run(s.Shop().fetch(5)), "
        "list(s.Shop().evens(3)), s.Shop().total(2), s.Cart().total(1), s.clamp(0))\n"
    )

    def run(code: str) -> str:
        work = tmp_path / "run"
        work.mkdir(exist_ok=True)
        (work / "shapes.py").write_text(code)
        # -B: two mutants of equal size written within one second would otherwise run the
        # first one's cached bytecode (a .pyc is keyed by the source's mtime and size)
        return subprocess.run(
            [sys.executable, "-B", "-c", probe], cwd=work, capture_output=True, text=True, check=True
        ).stdout.strip()

    assert run(original) == "2 2 4 [0, 2, 4] 5 3 0"
    outputs = {}
    for mutant_id in ids:
        if any(
            part in mutant_id for part in ("tax__mutmut_1", "make__mutmut_3", "fetch__mutmut_1")
        ):
            outputs[mutant_id.rpartition(".")[2]] = run(
                applied_source(original, mutants, "pkg/shapes.py", mutant_id).code
            )
    assert outputs == {
        "xǁShopǁtax__mutmut_1": "2.5 2 4 [0, 2, 4] 5 3 0",  # n // 10 -> n / 10
        "xǁShopǁmake__mutmut_3": "2 0 4 [0, 2, 4] 5 3 0",  # r + 1 -> r - 1
        "xǁShopǁfetch__mutmut_1": "2 2 6 [0, 2, 4] 5 3 0",  # n - 1 -> n + 1
    }


def test_a_source_changed_since_generation_is_not_applied(tmp_path: Path) -> None:
    root, mutants, ids = _generated(tmp_path)
    changed = (root / "pkg" / "shapes.py").read_text().replace("n * self.rate + 1", "n + 7")
    mutant = next(i for i in ids if "xǁShopǁtotal__mutmut_" in i)
    with pytest.raises(ApplyError, match="changed since the mutants were generated"):
        applied_source(changed, mutants, "pkg/shapes.py", mutant)
    with pytest.raises(ApplyError, match="is not in"):
        applied_source(changed, mutants, "pkg/shapes.py", "pkg.shapes.x_clamp__mutmut_999")


def test_check_applied_rejects_anything_but_one_replaced_function() -> None:
    original = "def f(x):\n    return x + 1\n\n\ndef g(x):\n    return x\n"
    mutant = "def f(x):\n    return x - 1\n"
    good = "def f(x):\n    return x - 1\n\n\ndef g(x):\n    return x\n"
    check_applied(original, good, mutant, mutant)
    with pytest.raises(ApplyError):  # g changed too
        check_applied(original, good.replace("return x\n", "return -x\n"), mutant, mutant)
    with pytest.raises(ApplyError):  # the function written is not the mutant
        check_applied(original, original, "def f(x):\n    return x + 1\n", mutant)


def test_mutant_names_split_into_module_class_and_function() -> None:
    name = parse_name("pkg.sub.mod.xǁShopǁtotal__mutmut_12")
    assert (name.module, name.cls, name.func) == ("pkg.sub.mod", "Shop", "total")
    assert (name.generated, name.orig) == ("xǁShopǁtotal__mutmut_12", "xǁShopǁtotal__mutmut_orig")
    assert parse_name("mod.x_f__mutmut_1").qualified == "f"
    with pytest.raises(ValueError):
        parse_name("pkg.mod.f")
