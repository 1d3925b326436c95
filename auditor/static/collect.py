"""The pytest-faithful collection model (docs/static.md) over one parsed module.

Which functions are tests, which classes are collected, which are base/mixin classes, which functions
are fixtures (with effective name, scope and autouse), and which marks apply. Getting this right is
what keeps precision: a rule is only as good as its idea of what pytest will run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import libcst as cst

from auditor.pytest_config import PytestSettings
from auditor.static.names import ImportMap
from auditor.static.walk import own_nodes

FIXTURE_DECORATORS = {
    "pytest.fixture",
    "pytest.yield_fixture",
    "pytest_asyncio.fixture",
    "_pytest.fixtures.fixture",
}
TESTCASE_BASES = {
    "unittest.TestCase",
    "unittest.IsolatedAsyncioTestCase",
    "unittest.case.TestCase",
    "django.test.TestCase",
    "django.test.SimpleTestCase",
    "django.test.TransactionTestCase",
    "asynctest.TestCase",
    "twisted.trial.unittest.TestCase",
}
OVERLOAD_DECORATORS = frozenset({"typing.overload", "typing_extensions.overload"})
#: decorators that give a class a generated `__init__`
CONSTRUCTOR_DECORATORS = frozenset(
    {
        "dataclasses.dataclass",
        "attr.s",
        "attr.attrs",
        "attr.define",
        "attr.frozen",
        "attr.mutable",
        "attrs.define",
        "attrs.frozen",
        "attrs.mutable",
        "pydantic.dataclasses.dataclass",
    }
)
SCOPES = ("function", "class", "module", "package", "session")


@dataclass
class Decorator:
    qualified: str
    node: cst.Decorator
    call: cst.Call | None


@dataclass
class ClassInfo:
    node: cst.ClassDef
    name: str
    qualname: str
    bases: list[str]
    collected: bool
    has_init: bool
    test_false: bool
    is_testcase: bool
    marks: set[str] = field(default_factory=set)
    mark_calls: list[tuple[str, cst.Call | None]] = field(default_factory=list)
    has_test_methods: bool = False
    parent: ClassInfo | None = None
    init_source: str = ""  # why pytest sees a constructor: "__init__", "@dataclass", "base X"...


@dataclass
class FunctionInfo:
    node: cst.FunctionDef
    name: str
    qualname: str
    cls: ClassInfo | None
    params: list[str]
    defaulted: list[str]
    decorators: list[Decorator]
    is_async: bool

    @property
    def param_set(self) -> frozenset[str]:
        return frozenset(self.params) | frozenset(self.defaulted)

    def decorator(self, *qualified: str) -> Decorator | None:
        for deco in self.decorators:
            if deco.qualified in qualified:
                return deco
        return None


@dataclass
class TestFunc(FunctionInfo):
    __test__ = False

    nodeid: str = ""
    marks: set[str] = field(default_factory=set)
    mark_calls: list[tuple[str, cst.Call | None]] = field(default_factory=list)
    is_given: bool = False
    in_base_class: bool = False
    parametrize_names: set[str] = field(default_factory=set)
    usefixtures: list[str] = field(default_factory=list)

    @property
    def fixture_requests(self) -> list[str]:
        """Parameters pytest fills from fixtures (not parametrize argnames, not Hypothesis args)."""
        return [p for p in self.params if p not in self.parametrize_names]


@dataclass
class FixtureFunc(FunctionInfo):
    fixture_name: str = ""
    scope: str = "function"
    autouse: bool = False
    has_params: bool = False
    deco: Decorator | None = None


@dataclass
class ModuleInventory:
    tests: list[TestFunc] = field(default_factory=list)
    fixtures: list[FixtureFunc] = field(default_factory=list)
    classes: list[ClassInfo] = field(default_factory=list)
    helpers: dict[str, cst.FunctionDef] = field(default_factory=dict)
    module_marks: set[str] = field(default_factory=set)
    module_mark_calls: list[tuple[str, cst.Call | None]] = field(default_factory=list)
    module_test_false: bool = False
    nested_tests: list[TestFunc] = field(default_factory=list)
    pytest_plugins: list[str] = field(default_factory=list)


def _params(node: cst.FunctionDef) -> tuple[list[str], list[str]]:
    names: list[str] = []
    defaulted: list[str] = []
    p = node.params
    for param in [*p.posonly_params, *p.params, *p.kwonly_params]:
        name = param.name.value
        if param.default is not None:
            defaulted.append(name)
        else:
            names.append(name)
    return names, defaulted


def decorators_of(node: cst.FunctionDef | cst.ClassDef, imports: ImportMap) -> list[Decorator]:
    out: list[Decorator] = []
    for deco in node.decorators:
        expr = deco.decorator
        call = expr if isinstance(expr, cst.Call) else None
        target = call.func if call is not None else expr
        name = imports.qualify(target) or ""
        out.append(Decorator(qualified=name, node=deco, call=call))
    return out


def mark_name(qualified: str) -> str | None:
    """`pytest.mark.skip` -> `skip`; unittest skip decorators map to `skip`."""
    if qualified.startswith("pytest.mark."):
        return qualified[len("pytest.mark.") :]
    if qualified.startswith("_pytest.mark."):
        return qualified.rsplit(".", 1)[-1]
    if qualified in ("unittest.skip", "unittest.skipIf", "unittest.skipUnless"):
        return "skip" if qualified == "unittest.skip" else "skipif"
    if qualified == "unittest.expectedFailure":
        return "xfail"
    return None


def _marks_from_expr(
    expr: cst.BaseExpression, imports: ImportMap
) -> list[tuple[str, cst.Call | None]]:
    """Marks in a `pytestmark = ...` value (a mark, or a list/tuple of marks)."""
    items: list[cst.BaseExpression] = []
    if isinstance(expr, (cst.List, cst.Tuple)):
        items = [el.value for el in expr.elements]
    else:
        items = [expr]
    out: list[tuple[str, cst.Call | None]] = []
    for item in items:
        call = item if isinstance(item, cst.Call) else None
        target = call.func if call is not None else item
        name = mark_name(imports.qualify(target) or "")
        if name:
            out.append((name, call))
    return out


def _assigned_names(stmt: cst.BaseSmallStatement) -> list[tuple[str, cst.BaseExpression]]:
    if isinstance(stmt, cst.Assign):
        return [
            (t.target.value, stmt.value) for t in stmt.targets if isinstance(t.target, cst.Name)
        ]
    if (
        isinstance(stmt, cst.AnnAssign)
        and stmt.value is not None
        and isinstance(stmt.target, cst.Name)
    ):
        return [(stmt.target.value, stmt.value)]
    return []


def _simple_assignments(body: list[cst.BaseStatement]) -> list[tuple[str, cst.BaseExpression]]:
    out: list[tuple[str, cst.BaseExpression]] = []
    for stmt in body:
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                out.extend(_assigned_names(small))
    return out


def fixture_settings(deco: Decorator) -> tuple[str | None, str, bool, bool]:
    """(name=, scope, autouse, has params=) from a fixture decorator; scope 'dynamic' if callable."""
    name: str | None = None
    scope = "function"
    autouse = False
    has_params = False
    if deco.call is None:
        return name, scope, autouse, has_params
    for index, arg in enumerate(deco.call.args):
        value = arg.value
        key = arg.keyword.value if arg.keyword is not None else None
        if key is None and index == 0 and isinstance(value, cst.SimpleString):
            scope = str(value.evaluated_value)  # legacy positional scope
        elif key == "scope":
            if isinstance(value, cst.SimpleString):
                scope = str(value.evaluated_value)
            else:
                scope = "dynamic"
        elif key == "autouse":
            autouse = isinstance(value, cst.Name) and value.value == "True"
        elif key == "name" and isinstance(value, cst.SimpleString):
            name = str(value.evaluated_value)
        elif key == "params":
            has_params = True
    if scope not in SCOPES and scope != "dynamic":
        scope = "dynamic"
    return name, scope, autouse, has_params


def parametrize_argnames(call: cst.Call | None) -> list[str]:
    if call is None or not call.args:
        return []
    first = call.args[0].value
    if isinstance(first, cst.SimpleString):
        text = str(first.evaluated_value)
        return [n.strip() for n in text.split(",") if n.strip()]
    if isinstance(first, (cst.List, cst.Tuple)):
        return [
            str(el.value.evaluated_value)
            for el in first.elements
            if isinstance(el.value, cst.SimpleString)
        ]
    return []


class Collector:
    """Builds a ModuleInventory for one module the way pytest would collect it."""

    def __init__(
        self,
        module: cst.Module,
        imports: ImportMap,
        settings: PytestSettings,
        relpath: str,
        is_test_module: bool,
    ) -> None:
        self.module = module
        self.imports = imports
        self.settings = settings
        self.relpath = relpath
        self.is_test_module = is_test_module
        self.inv = ModuleInventory()
        self.local_classes: dict[str, ClassInfo] = {}

    def collect(self) -> ModuleInventory:
        for name, value in _simple_assignments(list(self.module.body)):
            if name == "pytestmark":
                calls = _marks_from_expr(value, self.imports)
                self.inv.module_mark_calls.extend(calls)
                self.inv.module_marks.update(n for n, _ in calls)
            elif name == "__test__" and isinstance(value, cst.Name) and value.value == "False":
                self.inv.module_test_false = True
            elif name == "pytest_plugins":
                self.inv.pytest_plugins.extend(string_items(value))
        self._walk_block(list(self.module.body), cls=None)
        return self.inv

    def _walk_block(self, body: Sequence[cst.CSTNode], cls: ClassInfo | None) -> None:
        for stmt in body:
            if isinstance(stmt, cst.FunctionDef):
                self._function(stmt, cls)
            elif isinstance(stmt, cst.ClassDef):
                if cls is None or cls.collected:
                    self._class(stmt, parent=cls)
            elif cls is None and isinstance(stmt, cst.If):
                self._walk_if(stmt)
            elif cls is None and isinstance(stmt, (cst.Try, cst.TryStar)):
                self._walk_block(list(stmt.body.body), cls)
                for handler in stmt.handlers:
                    self._walk_block(list(handler.body.body), cls)
                if stmt.orelse is not None:
                    self._walk_block(list(stmt.orelse.body.body), cls)
                if stmt.finalbody is not None:
                    self._walk_block(list(stmt.finalbody.body.body), cls)
            elif cls is None and isinstance(stmt, cst.With):
                self._walk_block(list(stmt.body.body), cls)

    def _walk_if(self, node: cst.If) -> None:
        self._walk_block(list(node.body.body), None)
        orelse = node.orelse
        if isinstance(orelse, cst.If):
            self._walk_if(orelse)
        elif isinstance(orelse, cst.Else):
            self._walk_block(list(orelse.body.body), None)

    def _class(self, node: cst.ClassDef, parent: ClassInfo | None) -> None:
        bases = [self.imports.qualify(arg.value) or "" for arg in node.bases if arg.keyword is None]
        body = list(node.body.body) if isinstance(node.body, cst.IndentedBlock) else []
        init_source = self._constructor(node, body, bases)
        has_init = bool(init_source)
        test_false = False
        marks: set[str] = set()
        mark_calls: list[tuple[str, cst.Call | None]] = []
        for name, value in _simple_assignments(body):
            if name == "__test__" and isinstance(value, cst.Name) and value.value == "False":
                test_false = True
            if name == "pytestmark":
                calls = _marks_from_expr(value, self.imports)
                mark_calls.extend(calls)
                marks.update(n for n, _ in calls)
        for deco in decorators_of(node, self.imports):
            mname = mark_name(deco.qualified)
            if mname:
                marks.add(mname)
                mark_calls.append((mname, deco.call))
        is_testcase = any(b in TESTCASE_BASES or b.endswith("TestCase") for b in bases) or any(
            b in self.local_classes and self.local_classes[b].is_testcase for b in bases
        )
        qualname = f"{parent.qualname}::{node.name.value}" if parent else node.name.value
        collected = (
            self.settings.matches_class(node.name.value) and not has_init and not test_false
        ) or (is_testcase and not test_false)
        if parent is not None and not parent.collected:
            collected = False
        info = ClassInfo(
            node=node,
            name=node.name.value,
            qualname=qualname,
            bases=bases,
            collected=collected,
            has_init=has_init,
            test_false=test_false,
            is_testcase=is_testcase,
            init_source=init_source,
            marks=marks | (parent.marks if parent else set()),
            mark_calls=mark_calls + (parent.mark_calls if parent else []),
            parent=parent,
        )
        self.local_classes[info.name] = info
        self.inv.classes.append(info)
        self._walk_block(body, cls=info)

    def _constructor(
        self, node: cst.ClassDef, body: list[cst.BaseStatement], bases: list[str]
    ) -> str:
        """Why pytest would find a constructor on this class ("" if none): its own `__init__` /
        `__new__`, a decorator that generates one (@dataclass, attrs), a NamedTuple base, or a
        base class of this module that has one. pytest then warns "cannot collect test class
        ... because it has a __init__ constructor" and runs none of its tests."""
        for stmt in body:
            if isinstance(stmt, cst.FunctionDef) and stmt.name.value in ("__init__", "__new__"):
                return stmt.name.value
        for deco in decorators_of(node, self.imports):
            if deco.qualified in CONSTRUCTOR_DECORATORS:
                return "@" + deco.qualified.rsplit(".", 1)[-1]
        for base in bases:
            if base in ("typing.NamedTuple", "collections.namedtuple"):
                return f"base {base.rsplit('.', 1)[-1]}"
            local = self.local_classes.get(base)
            if local is not None and local.init_source and not local.is_testcase:
                return f"base {base}"
        return ""

    def _is_test_name(self, name: str, cls: ClassInfo | None) -> bool:
        if cls is not None and cls.is_testcase:
            return name.startswith("test")
        return self.settings.matches_function(name)

    def _function(self, node: cst.FunctionDef, cls: ClassInfo | None) -> None:
        decorators = decorators_of(node, self.imports)
        names, defaulted = _params(node)
        if cls is not None and names and names[0] in ("self", "cls"):
            names = names[1:]
        name = node.name.value
        qualname = f"{cls.qualname}::{name}" if cls else name
        common = {
            "node": node,
            "name": name,
            "qualname": qualname,
            "cls": cls,
            "params": names,
            "defaulted": defaulted,
            "decorators": decorators,
            "is_async": node.asynchronous is not None,
        }
        if any(d.qualified in OVERLOAD_DECORATORS for d in decorators):
            return  # a typing stub: the final definition is the one pytest sees
        fixture_deco = next((d for d in decorators if d.qualified in FIXTURE_DECORATORS), None)
        if fixture_deco is None:
            fixture_deco = next(
                (
                    d
                    for d in decorators
                    if d.qualified.endswith(".fixture") or d.qualified == "fixture"
                ),
                None,
            )
        if fixture_deco is not None:
            fname, scope, autouse, has_params = fixture_settings(fixture_deco)
            self.inv.fixtures.append(
                FixtureFunc(
                    **common,  # type: ignore[arg-type]
                    fixture_name=fname or name,
                    scope=scope,
                    autouse=autouse,
                    has_params=has_params,
                    deco=fixture_deco,
                )
            )
            return
        if not self._is_test_name(name, cls):
            if cls is None:
                self.inv.helpers[name] = node
                self._nested_tests(node)
            return
        if cls is not None:
            cls.has_test_methods = True
        test = TestFunc(**common)  # type: ignore[arg-type]
        test.nodeid = f"{self.relpath}::{qualname}"
        test.in_base_class = cls is not None and not cls.collected
        for deco in decorators:
            mname = mark_name(deco.qualified)
            if mname:
                test.marks.add(mname)
                test.mark_calls.append((mname, deco.call))
                if mname == "parametrize":
                    test.parametrize_names.update(parametrize_argnames(deco.call))
                if mname == "usefixtures" and deco.call is not None:
                    test.usefixtures.extend(_call_strings(deco.call))
            if deco.qualified in ("hypothesis.given",):
                test.is_given = True
                if deco.call is not None:
                    test.parametrize_names.update(
                        a.keyword.value for a in deco.call.args if a.keyword is not None
                    )
                    positional = [a for a in deco.call.args if a.keyword is None]
                    if positional:
                        # positional @given strategies fill the rightmost parameters
                        test.parametrize_names.update(names[len(names) - len(positional) :])
        if cls is not None:
            test.marks |= cls.marks
            test.mark_calls += cls.mark_calls
            for mname, call in cls.mark_calls:
                if mname == "usefixtures" and call is not None:
                    test.usefixtures.extend(_call_strings(call))
        test.marks |= self.inv.module_marks
        test.mark_calls += self.inv.module_mark_calls
        for mname, call in self.inv.module_mark_calls:
            if mname == "usefixtures" and call is not None:
                test.usefixtures.extend(_call_strings(call))
        if self.inv.module_test_false:
            return
        self.inv.tests.append(test)

    def _nested_tests(self, node: cst.FunctionDef) -> None:
        """`def test_x` inside a helper function never runs (TQ405d)."""

        # own_nodes stops at nested def/class/lambda scopes and yields their nodes in source
        # order: exactly the defs the former CSTVisitor found (it did not descend into either)
        found = [n for n in own_nodes(node.body) if type(n) is cst.FunctionDef]
        for inner in found:
            if self.settings.matches_function(inner.name.value):
                names, defaulted = _params(inner)
                test = TestFunc(
                    node=inner,
                    name=inner.name.value,
                    qualname=f"{node.name.value}.<locals>.{inner.name.value}",
                    cls=None,
                    params=names,
                    defaulted=defaulted,
                    decorators=decorators_of(inner, self.imports),
                    is_async=inner.asynchronous is not None,
                )
                self.inv.nested_tests.append(test)


def string_items(value: cst.BaseExpression) -> list[str]:
    """The string literals of `'a'` or `['a', 'b']` / `('a', 'b')` (other items ignored)."""
    if isinstance(value, cst.SimpleString):
        return [str(value.evaluated_value)]
    if isinstance(value, (cst.List, cst.Tuple)):
        return [
            str(el.value.evaluated_value)
            for el in value.elements
            if isinstance(el.value, cst.SimpleString)
        ]
    return []


def _call_strings(call: cst.Call) -> list[str]:
    return [
        str(arg.value.evaluated_value)
        for arg in call.args
        if isinstance(arg.value, cst.SimpleString) and arg.keyword is None
    ]
