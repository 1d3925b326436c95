"""The TQ402 walk: does every path through a test reach a verification?

A test whose every check sits under an `if` without a verifying `else`, a loop over a possibly
empty iterable, a `while`, a `match` case or an `except` handler can pass without checking
anything (a rotten-green test). Literal tables, `range(n>0)`, `while True`, `try` bodies and
`if bad: pytest.fail()` are unconditional.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from auditor.static.collect import TestFunc
from auditor.static.context import FileContext
from auditor.static.names import dotted
from auditor.static.oracle import is_oracle_call, own_nodes
from auditor.static.rules._structure_walk import block_statements as _body


# -- TQ402: conditional verification --------------------------------------------------------------
@dataclass
class VerificationShape:
    unconditional: bool = False
    conditional_kinds: set[str] = field(default_factory=set)
    conditional_lines: list[int] = field(default_factory=list)  # line of the enclosing condition
    unconditional_calls: list[str] = field(default_factory=list)
    unconditional_params: set[str] = field(default_factory=set)
    one_sided: list[cst.If] = field(default_factory=list)  # `if` that verifies, no `else` (b)


_WRAPPERS = {
    "enumerate",
    "sorted",
    "reversed",
    "list",
    "tuple",
    "zip",
    "iter",
    "set",
    "itertools.permutations",
    "permutations",
    "itertools.product",
    "product",
}


def _int(expr: cst.BaseExpression) -> int | None:
    """An integer literal, also negative (`-120`)."""
    if isinstance(expr, cst.Integer):
        return int(expr.evaluated_value)
    if (
        isinstance(expr, cst.UnaryOperation)
        and isinstance(expr.operator, cst.Minus)
        and isinstance(expr.expression, cst.Integer)
    ):
        return -int(expr.expression.evaluated_value)
    return None


def _non_empty_literal(
    ctx: FileContext, expr: cst.BaseExpression, test: TestFunc | None = None, depth: int = 0
) -> bool:
    """Provably non-empty iterables: literal tables, `range(n>0)`, wrappers of those, and names
    bound to such literals (a test local, a class attribute via `self.X`, a module constant)."""
    if depth > 3:
        return False
    if isinstance(expr, (cst.List, cst.Tuple, cst.Set, cst.Dict)):
        return bool(expr.elements)
    if isinstance(expr, cst.SimpleString):
        return bool(str(expr.evaluated_value))
    if isinstance(expr, (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp)):
        # `[make(i) for i in range(10)]`: non-empty when every `for` is and nothing filters
        comp: cst.CompFor | None = expr.for_in
        while comp is not None:
            if comp.ifs or not _non_empty_literal(ctx, comp.iter, test, depth + 1):
                return False
            comp = comp.inner_for_in
        return True
    if isinstance(expr, cst.Call):
        name = dotted(expr.func) or ""
        args = [a.value for a in expr.args]
        ints = [_int(_resolve(ctx, a, test)) for a in args[:2]]
        if name == "range" and args and len(args) <= 2 and None not in ints:
            low, high = (0, ints[0]) if len(ints) == 1 else (ints[0], ints[1])
            return low is not None and high is not None and high > low
        wrapped = args if name in ("zip", "itertools.product", "product") else args[:1]
        if name in _WRAPPERS and args:
            return all(_non_empty_literal(ctx, a, test, depth + 1) for a in wrapped)
        if isinstance(expr.func, cst.Attribute) and expr.func.attr.value in (
            "items",
            "keys",
            "values",
        ):
            return _non_empty_literal(ctx, expr.func.value, test, depth + 1)
    bound: cst.BaseExpression | None = None
    if isinstance(expr, cst.Name):
        if test is not None and test.is_given and expr.value in test.params:
            return _given_non_empty(test, expr.value)
        if test is not None:
            bound = _single_assignment(_body(test.node.body), expr.value)
            if (
                isinstance(bound, cst.List)
                and not bound.elements
                and _filled_by_loop(ctx, test, expr.value, depth)
            ):
                return True
        if bound is None:
            bound = _single_assignment(list(ctx.module.body), expr.value)
    elif (
        isinstance(expr, cst.Attribute)
        and isinstance(expr.value, cst.Name)
        and expr.value.value in ("self", "cls")
        and test is not None
        and test.cls is not None
    ):
        bound = _single_assignment(_body(test.cls.node.body), expr.attr.value)
    return bound is not None and _non_empty_literal(ctx, bound, test, depth + 1)


def _given_non_empty(test: TestFunc, param: str) -> bool:
    """A `@given` argument drawn from `st.lists(..., min_size=N)` (N >= 1) is never empty."""
    given = test.decorator("hypothesis.given")
    if given is None or given.call is None:
        return False
    positional = [a for a in given.call.args if a.keyword is None]
    strategy: cst.BaseExpression | None = None
    for arg in given.call.args:
        if arg.keyword is not None and arg.keyword.value == param:
            strategy = arg.value
    if strategy is None and positional and param in test.params:
        offset = len(test.params) - len(positional)
        index = test.params.index(param) - offset
        if 0 <= index < len(positional):
            strategy = positional[index].value
    if not isinstance(strategy, cst.Call):
        return False
    for arg in strategy.args:
        if arg.keyword is not None and arg.keyword.value == "min_size":
            size = _int(arg.value)
            return size is not None and size > 0
    return False


def _filled_by_loop(ctx: FileContext, test: TestFunc, name: str, depth: int) -> bool:
    """`items = []` then `for i in range(10): items.append(...)` at the test's top level: the
    list is built from a non-empty literal, so it is not empty."""
    for stmt in _body(test.node.body):
        if not isinstance(stmt, cst.For) or not _non_empty_literal(ctx, stmt.iter, test, depth + 1):
            continue
        for inner in _body(stmt.body):
            if not isinstance(inner, cst.SimpleStatementLine):
                continue
            for small in inner.body:
                call = small.value if isinstance(small, cst.Expr) else None
                if (
                    isinstance(call, cst.Call)
                    and isinstance(call.func, cst.Attribute)
                    and isinstance(call.func.value, cst.Name)
                    and call.func.value.value == name
                    and call.func.attr.value in ("append", "add", "insert")
                ):
                    return True
    return False


def _resolve(
    ctx: FileContext, expr: cst.BaseExpression, test: TestFunc | None
) -> cst.BaseExpression:
    """A name bound once to a value (in the test, else at module level) -> that value."""
    if not isinstance(expr, cst.Name):
        return expr
    bound = _single_assignment(_body(test.node.body), expr.value) if test is not None else None
    if bound is None:
        bound = _single_assignment(list(ctx.module.body), expr.value)
    return bound if bound is not None else expr


def _single_assignment(body: list[cst.CSTNode], name: str) -> cst.BaseExpression | None:
    """The value of the only top-level `name = ...` in a block (None if absent or rebound)."""
    found: list[cst.BaseExpression] = []
    for stmt in body:
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if isinstance(small, cst.Assign) and any(
                    isinstance(t.target, cst.Name) and t.target.value == name for t in small.targets
                ):
                    found.append(small.value)
                if (
                    isinstance(small, cst.AnnAssign)
                    and isinstance(small.target, cst.Name)
                    and small.target.value == name
                    and small.value is not None
                ):
                    found.append(small.value)
    return found[0] if len(found) == 1 else None


def _fails_on_condition(node: cst.If | cst.ExceptHandler | cst.ExceptStarHandler) -> bool:
    """The `if`/`except` body raises or calls `fail(...)`: reaching it is the failure, so the
    condition (or the absence of the exception) itself is the check."""
    for stmt in _body(node.body):
        for sub in [stmt, *own_nodes(stmt)]:
            if isinstance(sub, cst.Raise):
                return True
            if isinstance(sub, cst.Call) and (dotted(sub.func) or "").split(".")[-1] == "fail":
                return True
    return False


class _VerificationWalk:
    def __init__(self, ctx: FileContext, test: TestFunc) -> None:
        self.ctx = ctx
        self.test = test
        self.shape = VerificationShape()
        self._condition_line = 0

    def verifies(self, node: cst.CSTNode) -> bool:
        """Does this statement (own nodes only) contain a verification?"""
        ctx, test = self.ctx, self.test
        for sub in [node, *own_nodes(node)]:
            kind = type(sub)  # exact types: a failing ABC isinstance is slow
            if kind is cst.Assert:
                return True
            if kind is cst.Call:
                assert isinstance(sub, cst.Call)
                if is_oracle_call(sub, ctx.imports, test.param_set, ctx.helper_patterns):
                    return True
                name = dotted(sub.func)
                if name and (
                    ctx.local_helper_asserts(name, 2) or name.split(".")[-1] in ("skip", "fail")
                ):
                    return True
        return False

    def block(self, stmts: list[cst.CSTNode], kind: str | None) -> bool:
        """Walk statements; return True when every path through them verifies."""
        verified = False
        for stmt in stmts:
            if self.statement(stmt, kind):
                verified = True
        return verified

    def statement(self, stmt: cst.CSTNode, kind: str | None) -> bool:
        """True when every path through `stmt` verifies; `kind` names the enclosing condition."""
        if type(stmt) is cst.If and _fails_on_condition(stmt):  # exact types below: no ABC check
            self._record(stmt, kind)  # `if bad: pytest.fail(...)` is `assert not bad`
            return True
        if type(stmt) is cst.If:
            branches: list[list[cst.CSTNode]] = []
            node: cst.If | cst.Else | None = stmt
            while isinstance(node, cst.If):
                branches.append(_body(node.body))
                node = node.orelse
            has_else = isinstance(node, cst.Else)
            if isinstance(node, cst.Else):
                branches.append(_body(node.body))
            before = len(self.shape.conditional_lines)
            results = [self.block(b, self._enter(stmt, kind, "if")) for b in branches]
            if kind is None and not has_else and len(self.shape.conditional_lines) > before:
                self.shape.one_sided.append(stmt)
            if not has_else and len(branches) > 1 and all(results):
                # if/elif where every branch checks (one asserts, another `pytest.raises`):
                # the cases are enumerated, each with its oracle
                return True
            return has_else and all(results)
        if type(stmt) is cst.For:
            if self.verifies(stmt.iter):  # `for key in checked_keys():` a helper that asserts
                self._record(stmt, kind)
                return True
            if kind is None:
                self._calls(stmt.iter)
            inner = None if _non_empty_literal(self.ctx, stmt.iter, self.test) else "for"
            body = self.block(_body(stmt.body), self._enter(stmt, kind, inner))
            return body and inner is None
        if type(stmt) is cst.While:
            forever = isinstance(stmt.test, cst.Name) and stmt.test.value == "True"
            inner = None if forever else "while"
            return self.block(_body(stmt.body), self._enter(stmt, kind, inner)) and forever
        if type(stmt) is cst.Match:
            for case in stmt.cases:
                self.block(_body(case.body), self._enter(stmt, kind, "match"))
            return False
        if type(stmt) is cst.Try or type(stmt) is cst.TryStar:
            main = self.block(_body(stmt.body), kind)
            for handler in stmt.handlers:
                if _fails_on_condition(handler):
                    self._record(handler, kind)  # `except E: self.fail(...)`: a no-raise check
                    main = True
                    continue
                self.block(_body(handler.body), self._enter(handler, kind, "except"))
            if stmt.orelse is not None:
                main = self.block(_body(stmt.orelse.body), kind) or main
            if stmt.finalbody is not None:
                main = self.block(_body(stmt.finalbody.body), kind) or main
            return main
        if type(stmt) is cst.With:
            head = any(self.verifies(item) for item in stmt.items)
            if head:
                self._record(stmt, kind)
            return self.block(_body(stmt.body), kind) or head
        if type(stmt) is cst.FunctionDef or type(stmt) is cst.ClassDef:
            return False
        if self.verifies(stmt):
            self._record(stmt, kind)
            return True
        if kind is None:
            self._calls(stmt)
        return False

    def _calls(self, node: cst.CSTNode) -> None:
        """Record unconditional calls: a helper in another module may verify (project check)."""
        for sub in [node, *own_nodes(node)]:
            if type(sub) is cst.Call and (name := dotted(sub.func)):
                root = name.split(".")[0]
                if root in self.test.param_set:
                    self.shape.unconditional_params.add(root)
                else:
                    self.shape.unconditional_calls.append(self.ctx.imports.qualify_dotted(name))

    def _enter(self, stmt: cst.CSTNode, kind: str | None, inner: str | None) -> str | None:
        """The condition kind inside `stmt`; remembers the outermost condition's line."""
        if kind is None and inner is not None:
            self._condition_line = self.ctx.line(stmt)
        return kind or inner

    def _record(self, stmt: cst.CSTNode, kind: str | None) -> None:
        if kind is not None:
            self.shape.conditional_kinds.add(kind)
            self.shape.conditional_lines.append(self._condition_line)


def conditional_verification(ctx: FileContext, test: TestFunc) -> VerificationShape:
    walk = _VerificationWalk(ctx, test)
    walk.shape.unconditional = walk.block(_body(test.node.body), None)
    return walk.shape
