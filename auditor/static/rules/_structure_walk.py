"""Syntax walks behind the 4xx rules (kept apart so the rule modules read as lists of rules).

Each function answers one question about a parsed file the way Python or pytest would: which
definitions a later one shadows (TQ406), whether a nested test escapes its function (TQ405d), which
skip/xfail marks lack a reason (TQ404), which sleeps run in a test (TQ401). The TQ402 walk is in
`_verification_walk.py`, the TQ411 runner facts in `_async_runners.py`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import libcst as cst

from auditor.static.collect import FunctionInfo, TestFunc
from auditor.static.context import FileContext
from auditor.static.names import dotted
from auditor.static.oracle import own_nodes
from auditor.static.walk import all_nodes

Path = tuple[tuple[int, int], ...]


def block_statements(suite: cst.BaseSuite) -> list[cst.CSTNode]:
    """Statements of a block; a one-line suite (`if x: assert y`) is kept as one statement."""
    if isinstance(suite, cst.IndentedBlock):
        return list(suite.body)
    return [suite]


_body = block_statements


# -- TQ406: shadowed definitions ------------------------------------------------------------
def is_test_name(ctx: FileContext, name: str) -> bool:
    return ctx.settings.matches_function(name) or name.startswith("test")


def _skip_def(ctx: FileContext, node: cst.FunctionDef) -> bool:
    """Fixtures (TQ307), overloads and property accessors legitimately repeat a name."""
    for deco in node.decorators:
        name = (
            ctx.imports.qualify(
                deco.decorator.func if isinstance(deco.decorator, cst.Call) else deco.decorator
            )
            or ""
        )
        last = name.rsplit(".", 1)[-1]
        if last in ("fixture", "yield_fixture", "overload", "setter", "getter", "deleter"):
            return True
    return False


def _defs(
    body: list[cst.CSTNode],
    path: Path,
    out: list[tuple[cst.FunctionDef, Path]],
    classes: list[cst.ClassDef],
) -> None:
    """Function definitions of one namespace with their branch path (if-chain id, branch index)."""
    for stmt in body:
        if isinstance(stmt, cst.FunctionDef):
            out.append((stmt, path))
        elif isinstance(stmt, cst.ClassDef):
            classes.append(stmt)
        elif isinstance(stmt, cst.If):
            chain, index, branch = id(stmt), 0, stmt
            while True:
                _defs(_body(branch.body), (*path, (chain, index)), out, classes)
                index += 1
                orelse = branch.orelse
                if isinstance(orelse, cst.If):
                    branch = orelse
                    continue
                if isinstance(orelse, cst.Else):
                    _defs(_body(orelse.body), (*path, (chain, index)), out, classes)
                break
        elif isinstance(stmt, (cst.Try, cst.TryStar)):
            chain = id(stmt)
            orelse = stmt.orelse
            main = _body(stmt.body) + (_body(orelse.body) if orelse is not None else [])
            _defs(main, (*path, (chain, 0)), out, classes)
            handlers: list[cst.ExceptHandler | cst.ExceptStarHandler] = list(stmt.handlers)
            for index, handler in enumerate(handlers, 1):
                _defs(_body(handler.body), (*path, (chain, index)), out, classes)
            if stmt.finalbody is not None:
                _defs(_body(stmt.finalbody.body), path, out, classes)
        elif isinstance(stmt, cst.With):
            _defs(_body(stmt.body), path, out, classes)


def _exclusive(a: Path, b: Path) -> bool:
    for (chain_a, branch_a), (chain_b, branch_b) in zip(a, b, strict=False):
        if chain_a != chain_b:
            return False
        if branch_a != branch_b:
            return True
    return False


def shadowed_definitions(ctx: FileContext) -> list[tuple[cst.FunctionDef, cst.FunctionDef]]:
    """(shadowed, later) pairs of test functions in each module/class namespace."""
    found: list[tuple[cst.FunctionDef, cst.FunctionDef]] = []
    pending: list[list[cst.CSTNode]] = [list(ctx.module.body)]
    while pending:
        defs: list[tuple[cst.FunctionDef, Path]] = []
        classes: list[cst.ClassDef] = []
        _defs(pending.pop(), (), defs, classes)
        pending.extend(_body(c.body) for c in classes)
        by_name: dict[str, list[tuple[cst.FunctionDef, Path]]] = {}
        for node, path in defs:
            if is_test_name(ctx, node.name.value) and not _skip_def(ctx, node):
                by_name.setdefault(node.name.value, []).append((node, path))
        for entries in by_name.values():
            for index, (node, path) in enumerate(entries):
                later = next((n for n, p in entries[index + 1 :] if not _exclusive(path, p)), None)
                if later is not None:
                    found.append((node, later))
    return found


# -- TQ405 ------------------------------------------------------------------------------------
def registered_elsewhere(ctx: FileContext, node: cst.FunctionDef) -> bool:
    """A decorator other than a pytest mark hands the function on (`@app.route`, `@cli.command`:
    flask's nested `def test()` view functions are not lost tests)."""
    for deco in node.decorators:
        expr = deco.decorator.func if isinstance(deco.decorator, cst.Call) else deco.decorator
        if not (ctx.imports.qualify(expr) or "").startswith("pytest.mark."):
            return True
    return False


def nested_test_is_used(ctx: FileContext, test: TestFunc) -> bool:
    """A nested test that its function returns, calls or hands on is a factory product, not lost.

    Nested tests are only recorded for module-level helpers, so the enclosing function is the
    helper named by the first segment of the qualname.
    """
    if registered_elsewhere(ctx, test.node):
        return True
    outer = ctx.inventory.helpers.get(test.qualname.split(".")[0])
    if outer is None:
        return False
    for node in own_nodes(outer.body):
        if isinstance(node, cst.Name) and node.value == test.name:
            return True
    return False


def tests_nested_in_tests(ctx: FileContext) -> list[tuple[cst.FunctionDef, str]]:
    """`def test_x` defined inside a test's own body (not called or passed on): never collected.

    The collector only records tests nested in helpers; a test written inside another test (an
    indentation slip) is just as lost.
    """
    out: list[tuple[cst.FunctionDef, str]] = []
    for test in ctx.tests:
        inner = [n for n in own_nodes(test.node.body) if type(n) is cst.FunctionDef]
        for node in inner:
            if not ctx.settings.matches_function(node.name.value):
                continue
            used = any(
                isinstance(n, cst.Name) and n.value == node.name.value
                for n in own_nodes(test.node.body)
            )
            if not used and not registered_elsewhere(ctx, node):
                out.append((node, test.name))
    return out


def empty_parametrize_calls(ctx: FileContext) -> list[cst.Call]:
    seen: dict[int, cst.Call] = {}
    for test in [*ctx.tests, *ctx.inventory.nested_tests]:
        for mark, call in test.mark_calls:
            if mark != "parametrize" or call is None or id(call) in seen:
                continue
            values: cst.BaseExpression | None = None
            for index, arg in enumerate(call.args):
                key = arg.keyword.value if arg.keyword is not None else None
                if key == "argvalues" or (key is None and index == 1):
                    values = arg.value
            if (isinstance(values, (cst.List, cst.Tuple, cst.Set)) and not values.elements) or (
                isinstance(values, cst.Call)
                and dotted(values.func) in ("list", "tuple")
                and not values.args
            ):
                seen[id(call)] = call
    return list(seen.values())


_MISSPELLED = re.compile(r"^(tset|tets|tst|tes|testt|est|teest)_|^Test_")


def misspelled_test_name(ctx: FileContext) -> list[tuple[cst.FunctionDef, str]]:
    """Module-level functions (or methods of collected classes) that look like typo'd tests."""
    out: list[tuple[cst.FunctionDef, str]] = []
    tested = {id(t.node) for t in ctx.tests}
    candidates: list[cst.BaseStatement] = list(ctx.module.body)
    for cls in ctx.inventory.classes:
        if cls.collected and isinstance(cls.node.body, cst.IndentedBlock):
            candidates.extend(cls.node.body.body)
    for stmt in candidates:
        if not isinstance(stmt, cst.FunctionDef) or id(stmt) in tested:
            continue
        name = stmt.name.value
        if (
            _MISSPELLED.match(name)
            and not ctx.settings.matches_function(name)
            and not stmt.decorators
        ):
            out.append((stmt, name))
    return out


# -- TQ404: skip/xfail reasons ------------------------------------------------------------------
@dataclass
class MarkProblem:
    node: cst.CSTNode
    message: str
    severity: str


def _kw(call: cst.Call, name: str) -> cst.BaseExpression | None:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg.value
    return None


def _has_text(expr: cst.BaseExpression | None) -> bool:
    """A reason is present unless it is missing or an empty string literal."""
    if expr is None:
        return False
    if isinstance(expr, cst.SimpleString):
        return bool(str(expr.evaluated_value).strip())
    return True


def mark_reason_problems(ctx: FileContext) -> list[MarkProblem]:
    """Every skip/xfail mark, `pytest.skip()`/`xfail()` call and unittest skip lacking a reason."""
    if "skip" not in ctx.source and "xfail" not in ctx.source:
        return []
    problems: list[MarkProblem] = []
    callees: set[int] = set()
    strict_ini = ctx.settings.xfail_strict
    for node in _all(ctx.module):
        kind = type(node)  # exact types and a name pre-filter: this walks the whole module
        if kind is cst.Call:
            assert isinstance(node, cst.Call)
            callees.add(id(node.func))
            if _tail(node.func) not in _MARK_TAILS:
                continue
            name = ctx.imports.qualify(node.func) if dotted(node.func) else None
            positional = [a for a in node.args if a.keyword is None and not a.star]
            if name == "pytest.mark.skip":
                if not _has_text(positional[0].value if positional else _kw(node, "reason")):
                    problems.append(
                        MarkProblem(
                            node,
                            "`@pytest.mark.skip` has no reason: add "
                            '`reason="..."` saying why and when to re-enable it.',
                            "warning",
                        )
                    )
            elif name == "pytest.mark.skipif":
                cond = positional[0].value if positional else None
                if not isinstance(cond, cst.SimpleString) and not _has_text(_kw(node, "reason")):
                    problems.append(
                        MarkProblem(
                            node,
                            "`@pytest.mark.skipif` has no reason: add "
                            '`reason="..."` (pytest requires it for boolean conditions).',
                            "warning",
                        )
                    )
            elif name == "pytest.mark.xfail":
                problems.extend(_xfail_problem(node, strict_ini))
            elif name in ("pytest.skip", "pytest.xfail", "pytest.importorskip"):
                if name == "pytest.importorskip":
                    continue
                if not _has_text(
                    positional[0].value if positional else _kw(node, "reason") or _kw(node, "msg")
                ):
                    problems.append(
                        MarkProblem(
                            node,
                            f"`{name}()` has no message: pass the reason as its first argument.",
                            "warning",
                        )
                    )
            elif name == "unittest.skip" and not _has_text(
                positional[0].value if positional else None
            ):
                problems.append(
                    MarkProblem(
                        node,
                        "`@unittest.skip` has an empty reason: say why the test is skipped.",
                        "warning",
                    )
                )
        elif (kind is cst.Attribute or kind is cst.Name) and id(node) not in callees:
            assert isinstance(node, (cst.Attribute, cst.Name))
            if _tail(node) not in _MARK_TAILS:
                continue
            name = ctx.imports.qualify(node) if dotted(node) else None
            if name == "pytest.mark.skip" or name == "unittest.skip":
                problems.append(
                    MarkProblem(
                        node,
                        f"`{name}` has no reason: call it with "
                        f'`reason="..."` saying why the test is skipped.',
                        "warning",
                    )
                )
            elif name == "pytest.mark.xfail":
                problems.append(
                    MarkProblem(
                        node,
                        '`@pytest.mark.xfail` has no reason: add `reason="..."`'
                        + ("" if strict_ini else " and `strict=True`")
                        + ".",
                        "warning",
                    )
                )
    return problems


def _xfail_problem(call: cst.Call, strict_ini: bool) -> list[MarkProblem]:
    reason = _has_text(_kw(call, "reason"))
    strict = _kw(call, "strict")
    is_strict = (isinstance(strict, cst.Name) and strict.value == "True") or (
        strict is None and strict_ini
    )
    if not reason:
        extra = "" if is_strict else " and `strict=True` (so an unexpected pass fails)"
        return [
            MarkProblem(
                call, f'`@pytest.mark.xfail` has no reason: add `reason="..."`{extra}.', "warning"
            )
        ]
    if not is_strict and strict is None:
        return [
            MarkProblem(
                call,
                "`@pytest.mark.xfail` is not strict, so an unexpected pass goes unnoticed: "
                "add `strict=True` (or `xfail_strict = true` in the pytest config).",
                "info",
            )
        ]
    return []


_MARK_TAILS = frozenset({"skip", "skipif", "xfail", "importorskip"})


def _tail(node: cst.BaseExpression) -> str | None:
    if type(node) is cst.Attribute:
        return node.attr.value
    if type(node) is cst.Name:
        return node.value
    return None


def _all(root: cst.CSTNode) -> Iterator[cst.CSTNode]:
    yield root
    yield from all_nodes(root)


# -- TQ401: sleeps ------------------------------------------------------------------------------
SLEEPS = {
    "time.sleep",
    "asyncio.sleep",
    "trio.sleep",
    "anyio.sleep",
    "gevent.sleep",
    "eventlet.sleep",
}
FROZEN_CLOCKS = ("freezegun", "time_machine")


def _is_zero(expr: cst.BaseExpression) -> bool:
    return isinstance(expr, (cst.Integer, cst.Float)) and float(expr.evaluated_value) == 0.0


def sleep_calls(ctx: FileContext, func: FunctionInfo) -> list[cst.Call]:
    """Sleeps with a positive or computed duration in a function's own body (not in `while`
    polling loops, not with a fake-clock fixture)."""
    out: list[cst.Call] = []
    patched_sleep = any("clock" in p for p in func.param_set)  # a fake-clock fixture
    polling = {
        id(n)
        for loop in own_nodes(func.node.body)
        if isinstance(loop, cst.While)
        for n in own_nodes(loop.body)
    }
    for node in own_nodes(func.node.body):
        if not isinstance(node, cst.Call):
            continue
        name = ctx.qualify(node.func, func)
        if name in SLEEPS and id(node) not in polling:
            args = [
                a
                for a in node.args
                if a.keyword is None or a.keyword.value in ("seconds", "delay", "secs")
            ]
            if args and not _is_zero(args[0].value):
                out.append(node)
        elif (
            name
            and name.rsplit(".", 1)[-1] in ("patch", "setattr", "object")
            and "sleep" in ctx.code(node)
        ):
            patched_sleep = True
    return [] if patched_sleep else out


def frozen_clock(ctx: FileContext) -> bool:
    """freezegun/time_machine, or trio's autojumping MockClock: sleeps there cost no real time."""
    return any(
        v.split(".")[0] in FROZEN_CLOCKS or v.endswith("MockClock")
        for v in ctx.imports.bindings.values()
    )
