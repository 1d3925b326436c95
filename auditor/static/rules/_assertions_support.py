"""Shared shape analysis for the 1xx (assertion / oracle strength) rules.

Kept apart from `assertions.py` so the rule module stays about the rules (docs, examples, messages)
while the questions several rules ask — "is this name a bare Mock?", "is this name ever read?",
"is this an expectation context?", "is this expression always truthy?" — are answered once, here.
All helpers work on one test's own libcst subtree; none builds scope metadata (performance).
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field

import libcst as cst

from auditor.static.collect import FunctionInfo, TestFunc
from auditor.static.context import FileContext
from auditor.static.names import last_segment
from auditor.static.oracle import all_nodes, is_oracle_call, own_nodes

MOCK_ASSERT_METHODS = frozenset(
    {
        "assert_called",
        "assert_called_once",
        "assert_called_with",
        "assert_called_once_with",
        "assert_any_call",
        "assert_has_calls",
        "assert_not_called",
        "assert_awaited",
        "assert_awaited_once",
        "assert_awaited_with",
        "assert_awaited_once_with",
        "assert_any_await",
        "assert_has_awaits",
        "assert_not_awaited",
    }
)
MOCK_STATE_ATTRS = frozenset(
    {
        "called",
        "call_count",
        "call_args",
        "call_args_list",
        "mock_calls",
        "method_calls",
        "await_count",
        "await_args",
        "await_args_list",
        "side_effect",
    }
)
MOCK_LOOKALIKES = frozenset(
    {"called_once", "called_once_with", "called_with", "has_calls", "not_called", "any_call"}
)
MOCK_CLASSES = frozenset(
    {
        "Mock",
        "MagicMock",
        "AsyncMock",
        "NonCallableMock",
        "NonCallableMagicMock",
        "stub",
        "async_stub",
    }
)
MOCK_MODULES = ("unittest.mock", "mock", "pytest_mock", "asynctest")
SPEC_KWARGS = frozenset({"spec", "spec_set", "wraps", "autospec", "new", "new_callable"})
RAISES_NAMES = frozenset({"pytest.raises"})
WARNS_NAMES = frozenset({"pytest.warns", "pytest.deprecated_call"})
UNITTEST_RAISES = re.compile(r"^assertRaises(Regex|Regexp)?$")
UNITTEST_WARNS = re.compile(r"^assertWarns(Regex)?$")


def statements(suite: cst.BaseSuite) -> list[cst.BaseStatement | cst.BaseSmallStatement]:
    """Top-level statements of a block (`if x: a; b` suites give their small statements)."""
    if isinstance(suite, cst.IndentedBlock):
        return list(suite.body)
    return list(suite.body)


def small_statements(stmt: cst.CSTNode) -> list[cst.BaseSmallStatement]:
    if isinstance(stmt, cst.SimpleStatementLine):
        return list(stmt.body)
    if isinstance(stmt, cst.BaseSmallStatement):
        return [stmt]
    return []


def is_docstring_or_pass(stmt: cst.CSTNode) -> bool:
    smalls = small_statements(stmt)
    return bool(smalls) and all(
        isinstance(s, cst.Pass)
        or (
            isinstance(s, cst.Expr)
            and isinstance(s.value, (cst.Ellipsis, cst.SimpleString, cst.ConcatenatedString))
        )
        for s in smalls
    )


# -- expectation contexts ---------------------------------------------------------------------
def expectation_kind(ctx: FileContext, expr: cst.BaseExpression, func: FunctionInfo) -> str | None:
    """'raises' / 'warns' for `pytest.raises(...)`, `self.assertRaises(...)`, ... (call or with
    item)."""
    target = expr.func if isinstance(expr, cst.Call) else expr
    qualified = ctx.qualify(target, func) or ""
    last = last_segment(target) or ""
    if qualified in RAISES_NAMES:
        return "raises"
    if qualified in WARNS_NAMES:
        return "warns"
    if isinstance(target, cst.Attribute) and UNITTEST_RAISES.match(last):
        return "raises"
    if isinstance(target, cst.Attribute) and UNITTEST_WARNS.match(last):
        return "warns"
    return None


# -- truthiness -------------------------------------------------------------------------------
def truthy_constant(expr: cst.BaseExpression) -> bool:
    """An expression that is always truthy by construction (literal or container display)."""
    if isinstance(expr, cst.Name):
        return expr.value == "True"
    if isinstance(expr, (cst.Integer, cst.Float, cst.Imaginary)):
        try:
            return bool(expr.evaluated_value)
        except (ValueError, SyntaxError):
            return False
    if isinstance(expr, cst.SimpleString):
        return bool(expr.evaluated_value)
    if isinstance(expr, cst.ConcatenatedString):
        return truthy_constant(expr.left) or truthy_constant(expr.right)
    if isinstance(expr, cst.FormattedString):
        return any(isinstance(p, cst.FormattedStringText) and p.value for p in expr.parts)
    if isinstance(expr, (cst.List, cst.Tuple, cst.Set)):
        return bool(expr.elements)
    if isinstance(expr, cst.Dict):
        return bool(expr.elements)
    return False


def has_call(expr: cst.CSTNode) -> bool:
    return any(
        isinstance(n, (cst.Call, cst.Await, cst.Yield)) for n in all_nodes(expr)
    ) or isinstance(expr, (cst.Call, cst.Await))


def normalized(ctx: FileContext, node: cst.CSTNode) -> str:
    return "".join(ctx.code(node).split())


# -- bindings and verifications --------------------------------------------------------------
def binding_names(target: cst.BaseExpression) -> list[cst.Name]:
    """The Names an assignment target binds (`a`, `a, b`, `(a, [b, *c])`)."""
    if isinstance(target, cst.Name):
        return [target]
    if isinstance(target, (cst.Tuple, cst.List)):
        out: list[cst.Name] = []
        for el in target.elements:
            value = el.value
            out.extend(binding_names(value))
        return out
    if isinstance(target, cst.StarredElement):
        return binding_names(target.value)
    return []


def contains_verification(ctx: FileContext, root: cst.CSTNode, func: FunctionInfo) -> bool:
    """An assert, an `assert*` call, raises/warns/fail, or another oracle call in `root` (own
    nodes)."""
    nodes = [root, *own_nodes(root)]
    for node in nodes:
        if type(node) is cst.Assert:
            return True
        if type(node) is cst.Call:
            if is_oracle_call(node, ctx.imports, func.param_set, ctx.helper_patterns):
                return True
            name = ctx.qualify(node.func, func)
            if name and ctx.local_helper_asserts(name, depth=2):
                return True
    return False


def is_fail_call(ctx: FileContext, node: cst.CSTNode, func: FunctionInfo) -> bool:
    if type(node) is not cst.Call:
        return False
    qualified = ctx.qualify(node.func, func) or ""
    last = last_segment(node.func) or ""
    return qualified == "pytest.fail" or (isinstance(node.func, cst.Attribute) and last == "fail")


# -- mocks ------------------------------------------------------------------------------------
def _mock_api(ctx: FileContext, func_expr: cst.BaseExpression, owner: FunctionInfo) -> str | None:
    """'mock' for Mock()/MagicMock()/mocker.Mock(), 'patch' / 'patch.object' for patchers."""
    qualified = ctx.qualify(func_expr, owner)
    if qualified is None:
        return None
    if not qualified.startswith(MOCK_MODULES):
        return None
    parts = qualified.split(".")
    if parts[-1] in MOCK_CLASSES:
        return "mock"
    if parts[-1] == "patch":
        return "patch"
    if parts[-2:] == ["patch", "object"]:
        return "patch.object"
    return None


def _unspecced(call: cst.Call, api: str) -> bool:
    if any(a.keyword is not None and a.keyword.value in SPEC_KWARGS for a in call.args):
        return False
    positional = [a for a in call.args if a.keyword is None and a.star == ""]
    if api == "mock":
        return not positional  # Mock(spec) takes spec positionally
    if api == "patch":
        return len(positional) <= 1  # patch(target, new)
    return len(positional) <= 2  # patch.object(target, attr, new)


def _patch_call(ctx: FileContext, expr: cst.BaseExpression, owner: FunctionInfo) -> cst.Call | None:
    """The unspecced patcher/mock call behind `expr` (`patch(...)`, `patch(...).start()`)."""
    if not isinstance(expr, cst.Call):
        return None
    func = expr.func
    if (
        isinstance(func, cst.Attribute)
        and func.attr.value == "start"
        and isinstance(func.value, cst.Call)
    ):
        expr = func.value
    api = _mock_api(ctx, expr.func, owner)
    if api is None or not _unspecced(expr, api):
        return None
    return expr


def unspecced_mock_names(ctx: FileContext, test: TestFunc) -> set[str]:
    """Local names bound to a Mock without spec: `Mock()`, `mocker.patch(...)`, `with patch() as m`,
    and parameters injected by `@patch(...)` decorators without `autospec`/`new`."""
    names: set[str] = set()
    for node in body_index(ctx, test).own:
        if type(node) is cst.Assign and _patch_call(ctx, node.value, test) is not None:
            for target in node.targets:
                if isinstance(target.target, cst.Name):
                    names.add(target.target.value)
        elif (
            type(node) is cst.WithItem
            and node.asname is not None
            and isinstance(node.asname.name, cst.Name)
            and _patch_call(ctx, node.item, test) is not None
        ):
            names.add(node.asname.name.value)
    params = list(test.params)
    if test.cls is not None and params and params[0] in ("self", "cls"):
        params = params[1:]
    index = 0
    for deco in reversed(test.node.decorators):
        expr = deco.decorator
        if not isinstance(expr, cst.Call):
            continue
        api = _mock_api(ctx, expr.func, test)
        if api not in ("patch", "patch.object"):
            continue
        injects = not any(
            a.keyword is not None and a.keyword.value in ("new",) for a in expr.args
        ) and len([a for a in expr.args if a.keyword is None]) <= (1 if api == "patch" else 2)
        if not injects:
            continue
        if index < len(params) and _unspecced(expr, api):
            names.add(params[index])
        index += 1
    return names


def root_name(expr: cst.BaseExpression) -> cst.Name | None:
    """The Name at the root of `a.b(c).d[0]`."""
    while True:
        if isinstance(expr, cst.Attribute):
            expr = expr.value
        elif isinstance(expr, cst.Call):
            expr = expr.func
        elif isinstance(expr, cst.Subscript):
            expr = expr.value
        elif isinstance(expr, cst.Name):
            return expr
        else:
            return None


def attribute_chain(expr: cst.BaseExpression) -> list[str]:
    """Attribute names along `m.a().b.c(...)`, root first (calls and subscripts skipped)."""
    parts: list[str] = []
    while True:
        if isinstance(expr, cst.Attribute):
            parts.append(expr.attr.value)
            expr = expr.value
        elif isinstance(expr, (cst.Call,)):
            expr = expr.func
        elif isinstance(expr, cst.Subscript):
            expr = expr.value
        else:
            return list(reversed(parts))


def only_constant_assert(test: TestFunc) -> bool:
    """The test's only statement (besides a docstring / pass) is `assert <truthy constant>`."""
    body = [s for s in statements(test.node.body) if not is_docstring_or_pass(s)]
    if len(body) != 1:
        return False
    smalls = small_statements(body[0])
    return (
        len(smalls) == 1
        and isinstance(smalls[0], cst.Assert)
        and truthy_constant(smalls[0].test)
        and not isinstance(smalls[0].test, cst.Tuple)
    )


@dataclass
class BodyIndex:
    """One walk of a test body, shared by every 1xx rule (rules run per file, many per test)."""

    __test__ = False

    own: list[cst.CSTNode]  # own_nodes(body): no nested def/lambda/class
    names: dict[str, list[cst.Name]]  # every Name node in the body, nested scopes included
    stores: set[int]  # ids of Names that are plain assignment targets
    _mocks: set[str] | None = field(default=None, repr=False)

    def uses(self, name: str, skip: Iterable[cst.CSTNode] = ()) -> bool:
        """Is `name` used anywhere other than at the given Name nodes?"""
        ignored = {id(n) for n in skip}
        return any(id(n) not in ignored for n in self.names.get(name, ()))

    def loads(self, name: str) -> list[cst.Name]:
        """Name nodes of `name` that are not plain assignment targets."""
        return [n for n in self.names.get(name, ()) if id(n) not in self.stores]


_INDEXES: weakref.WeakKeyDictionary[FileContext, dict[int, BodyIndex]] = weakref.WeakKeyDictionary()


def body_index(ctx: FileContext, func: FunctionInfo) -> BodyIndex:
    """The (cached) index of a function body for this file context."""
    per_file = _INDEXES.setdefault(ctx, {})
    key = id(func.node)
    index = per_file.get(key)
    if index is None:
        body = func.node.body
        names: dict[str, list[cst.Name]] = {}
        stores: set[int] = set()
        for node in all_nodes(body):
            if type(node) is cst.Name:
                names.setdefault(node.value, []).append(node)
            elif type(node) is cst.Assign:
                for target in node.targets:
                    stores.update(id(n) for n in binding_names(target.target))
            elif type(node) is cst.AnnAssign and node.value is not None:
                stores.update(id(n) for n in binding_names(node.target))
        index = BodyIndex(own=list(own_nodes(body)), names=names, stores=stores)
        per_file[key] = index
    return index


def mock_names(ctx: FileContext, test: TestFunc) -> set[str]:
    """`unspecced_mock_names`, computed once per test."""
    index = body_index(ctx, test)
    if index._mocks is None:
        index._mocks = unspecced_mock_names(ctx, test)
    return index._mocks


#: TQ105's default `raises-require-match-for` (also read by TQ111)
BROAD_EXPECTATIONS = ("Exception", "BaseException")


def expected_types(call: cst.Call) -> list[str]:
    """Last segments of the expected exception/warning types (first positional argument or
    `expected_exception=`)."""
    value: cst.BaseExpression | None = None
    for arg in call.args:
        if arg.keyword is None and arg.star == "":
            value = arg.value
            break
        if arg.keyword is not None and arg.keyword.value in (
            "expected_exception",
            "expected_warning",
        ):
            value = arg.value
            break
    if value is None:
        return []
    items = [el.value for el in value.elements] if isinstance(value, cst.Tuple) else [value]
    return [seg for seg in (last_segment(i) for i in items) if seg]
