"""Patch-target extraction: which objects does a test replace, and does it then exercise the double?

docs/static-mocking-fixtures.md separates *object replacement* (`patch`, `patch.object`, `patch.multiple`, `mocker.*`,
`monkeypatch.setattr/delattr`, `patch.dict(x)` for x other than `os.environ`) from *environment
setup* (`setenv`, `delenv`, `chdir`, `syspath_prepend`, `patch.dict(os.environ)`), which is not
mocking. This module turns a test into a list of `PatchFact`s; the 2xx rules classify the targets
against the source index at project level (definition in the unit under test vs imported boundary).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from auditor.static.collect import ClassInfo, FunctionInfo, decorators_of
from auditor.static.context import FileContext, normalized_source
from auditor.static.facts import PatchFact
from auditor.static.names import dotted
from auditor.static.walk import children, own_nodes

PATCH_BASES = ("unittest.mock.patch", "mock.patch", "pytest_mock.mocker.patch", "asynctest.patch")
MONKEYPATCH = "pytest.MonkeyPatch"
MONKEYPATCH_CLASSES = {"pytest.MonkeyPatch", "_pytest.monkeypatch.MonkeyPatch", "MonkeyPatch"}
ENV_METHODS = {"setenv", "delenv", "chdir", "syspath_prepend"}
SPEC_KWARGS = {"autospec", "spec", "spec_set", "new", "new_callable"}
MULTIPLE_OPTIONS = {"spec", "spec_set", "create", "autospec", "new_callable"}
ENVIRON = {"os.environ", "posix.environ"}
BODY_WORDS = ("patch", "spy", "stub", "setattr", "delattr")


def patch_api(qualified: str | None) -> str | None:
    """The replacement API a qualified call name denotes ('patch', 'patch.object', 'env', ...)."""
    if not qualified:
        return None
    for base in PATCH_BASES:
        if qualified == base:
            return "patch"
        if qualified.startswith(base + "."):
            rest = qualified[len(base) + 1 :]
            if rest in ("object", "multiple", "dict"):
                return "patch." + rest
            return None
    if qualified in ("pytest_mock.mocker.spy", "pytest_mock.mocker.stub"):
        return qualified.rsplit(".", 1)[-1]
    if qualified.startswith(MONKEYPATCH + "."):
        method = qualified[len(MONKEYPATCH) + 1 :]
        if method in ("setattr", "delattr"):
            return method
        if method in ENV_METHODS or method == "setitem":
            return "env"
    return None


def _string(node: cst.BaseExpression) -> str | None:
    if type(node) is cst.SimpleString:
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def _is_literal(node: cst.BaseExpression) -> bool:
    if isinstance(node, (cst.Integer, cst.Float, cst.SimpleString, cst.ConcatenatedString)):
        return True
    if type(node) is cst.UnaryOperation:
        return _is_literal(node.expression)
    return type(node) is cst.Name and node.value in ("None", "True", "False")


@dataclass
class MockScope:
    """Per-function name facts: local MonkeyPatch instances, locals built from `C(...)`."""

    monkeypatch_names: set[str] = field(default_factory=set)
    instances: dict[str, str] = field(default_factory=dict)


_SCOPE_TYPES = frozenset({cst.FunctionDef, cst.Lambda, cst.ClassDef})  # no libcst subclasses
# node type -> is it a statement line, compound statement or with-item
_HAS_LINE: dict[type, bool] = {}


class PatchExtractor:
    """Extract the object replacements of one function (its decorators, its class's, its body)."""

    def __init__(self, ctx: FileContext, func: FunctionInfo) -> None:
        self.ctx = ctx
        self.func = func
        self.scope = MockScope()
        self.with_new: set[int] = set()  # replacements given `new=`: no mock argument is injected
        self.by_node: dict[int, int] = {}  # id(PatchFact) -> id(the patch call node)
        self._prescan()

    def qualify(self, node: cst.BaseExpression) -> str | None:
        name = dotted(node)
        if name is None:
            return None
        head, _, rest = name.partition(".")
        if head in self.scope.monkeypatch_names:
            return f"{MONKEYPATCH}.{rest}" if rest else MONKEYPATCH
        return self.ctx.qualify(node, self.func)

    def _prescan(self) -> None:
        for node in own_nodes(self.func.node.body):
            if type(node) is cst.WithItem and node.asname is not None:
                target = node.asname.name
                if isinstance(target, cst.Name) and self._is_monkeypatch_ctor(node.item):
                    self.scope.monkeypatch_names.add(target.value)
            elif type(node) is cst.Assign and len(node.targets) == 1:
                assigned = node.targets[0].target
                if not isinstance(assigned, cst.Name):
                    continue
                if self._is_monkeypatch_ctor(node.value):
                    self.scope.monkeypatch_names.add(assigned.value)
                elif isinstance(node.value, cst.Call):
                    ctor = self.ctx.qualify(node.value.func, self.func)
                    if ctor and ctor.split(".")[-1][:1].isupper():
                        self.scope.instances[assigned.value] = ctor

    def _is_monkeypatch_ctor(self, expr: cst.BaseExpression) -> bool:
        if not isinstance(expr, cst.Call):
            return False
        name = self.ctx.qualify(expr.func, self.func) or ""
        if name.endswith(".context"):
            name = name[: -len(".context")]
        return name in MONKEYPATCH_CLASSES or name.endswith("monkeypatch.MonkeyPatch")

    # -- extraction ---------------------------------------------------------------------------
    def replacements(self, include_class: bool = True) -> list[PatchFact]:
        out: list[PatchFact] = []
        for deco in self.func.decorators:
            if deco.call is not None:
                out.extend(self._from_call(deco.call, "decorator", self.ctx.line(deco.node)))
        cls: ClassInfo | None = self.func.cls if include_class else None
        while cls is not None:
            for deco in decorators_of(cls.node, self.ctx.imports):
                if deco.call is not None:
                    out.extend(
                        self._from_call(deco.call, "class-decorator", self.ctx.line(deco.node))
                    )
            cls = cls.parent
        text = self.ctx.source_of(self.func.node)
        if any(word in text for word in BODY_WORDS):  # cheap pre-filter: most tests patch nothing
            self._walk(self.func.node.body, "", out)
        return out

    def _walk(self, node: cst.CSTNode, branch: str, out: list[PatchFact], line: int = 0) -> None:
        """Body calls, remembering which exclusive `if/elif/else` branch each one sits in.
        `line` is the enclosing statement's line (statement spans are cheap, expression spans not)."""
        kind = type(node)  # per-type answers: a failing ABC isinstance is slow
        if kind in _SCOPE_TYPES:
            return
        has_line = _HAS_LINE.get(kind)
        if has_line is None:
            has_line = _HAS_LINE[kind] = issubclass(
                kind, (cst.SimpleStatementLine, cst.BaseCompoundStatement, cst.WithItem)
            )
        if has_line:
            line = self.ctx.line(node)
        if type(node) is cst.If:
            self._walk_if(node, branch, line, 0, out)
            return
        if type(node) is cst.Call:
            for fact in self._from_call(node, "call", line):
                fact.branch = branch
                out.append(fact)
        for child in children(node):
            self._walk(child, branch, out, line)

    def _walk_if(
        self, node: cst.If, branch: str, chain: int, index: int, out: list[PatchFact]
    ) -> None:
        self._walk(node.test, branch, out, self.ctx.line(node))
        self._walk(node.body, f"{branch}/{chain}.{index}", out)
        orelse = node.orelse
        if isinstance(orelse, cst.If):
            self._walk_if(orelse, branch, chain, index + 1, out)
        elif isinstance(orelse, cst.Else):
            self._walk(orelse.body, f"{branch}/{chain}.{index + 1}", out)

    def _from_call(self, call: cst.Call, origin: str, line: int) -> list[PatchFact]:
        api = patch_api(self.qualify(call.func))
        if api is None or api == "env":
            return []
        facts = self._from_patch_call(call, api, origin, line)
        for fact in facts:
            self.by_node[id(fact)] = id(call)
        return facts

    def _from_patch_call(self, call: cst.Call, api: str, origin: str, line: int) -> list[PatchFact]:
        positional = [a.value for a in call.args if a.keyword is None and a.star == ""]
        keywords = {a.keyword.value: a.value for a in call.args if a.keyword is not None}
        base = PatchFact(
            target="",
            line=line,
            column=1,
            kind="string",
            api=api,
            origin=origin,
            wraps="wraps" in keywords or api == "spy",
            side_effect="side_effect" in keywords,
            specced=bool(SPEC_KWARGS & set(keywords)),
            anchor=normalized_source(self.ctx.code(call))[:200],
        )
        if api == "patch":
            new = positional[1] if len(positional) > 1 else keywords.get("new")
            if new is not None:
                self.with_new.add(id(base))
            base.specced = base.specced or new is not None
            base.new_literal = new is not None and _is_literal(new)
            return self._with_target(base, positional[:1], None)
        if api in ("patch.object", "spy", "setattr", "delattr"):
            if api in ("setattr", "delattr") and positional and _string(positional[0]) is not None:
                # monkeypatch.setattr("pkg.mod.name", value): the dotted-path form
                if api == "setattr":
                    base.new_literal = len(positional) > 1 and _is_literal(positional[1])
                return self._with_target(base, positional[:1], None)
            attr = _string(positional[1]) if len(positional) > 1 else None
            if api == "patch.object":
                new = positional[2] if len(positional) > 2 else keywords.get("new")
                if new is not None:
                    self.with_new.add(id(base))
                base.specced = base.specced or new is not None
                base.new_literal = new is not None and _is_literal(new)
            elif api == "setattr" and len(positional) > 2:
                base.new_literal = _is_literal(positional[2])
            return self._with_target(base, positional[:1], attr)
        if api == "patch.multiple":
            names = [k for k in keywords if k not in MULTIPLE_OPTIONS]
            out: list[PatchFact] = []
            for name in names or [""]:
                fact = PatchFact(**{**base.__dict__})
                out.extend(self._with_target(fact, positional[:1], name or None))
            return out
        if api == "patch.dict":
            if positional:
                text = _string(positional[0])
                qualified = text if text is not None else self.qualify(positional[0])
                if qualified in ENVIRON:
                    return []
            return self._with_target(base, positional[:1], None)
        if api == "stub":
            base.target = "<stub>"
            base.kind = "object"
            return [base]
        return []

    def _with_target(
        self, fact: PatchFact, first: list[cst.BaseExpression], attr: str | None
    ) -> list[PatchFact]:
        if not first:
            return []
        node = first[0]
        text = _string(node)
        if text is not None:
            fact.kind = "string"
            fact.target = f"{text}.{attr}" if attr else text
        else:
            fact.kind = "object"
            receiver = self.qualify(node)
            if receiver is None:
                receiver = normalized_source(self.ctx.code(node)).replace(" ", "")
            elif receiver.split(".")[0] in self.scope.instances:
                head, _, rest = receiver.partition(".")
                receiver = ".".join(p for p in (self.scope.instances[head], rest) if p)
            fact.target = f"{receiver}.{attr}" if attr else receiver
            fact.attribute = attr or ""
            fact.instantiated = attr is not None and receiver in self.scope.instances.values()
        return [fact]

    # -- does the test exercise the double itself? (TQ206) ------------------------------------
    def mock_names(self, facts: list[PatchFact]) -> dict[str, PatchFact]:
        """Local names bound to the mock a replacement installs (with-as, assignment, argument)."""
        names: dict[str, PatchFact] = {}
        by_call = {self.by_node[id(f)]: f for f in facts if id(f) in self.by_node}
        injected = [
            f
            for f in facts
            if f.origin == "decorator"
            and f.api in ("patch", "patch.object")
            and id(f) not in self.with_new
        ]
        for index, fact in enumerate(sorted(injected, key=lambda f: -f.line)):
            if index < len(self.func.params):
                names[self.func.params[index]] = fact
        for node in own_nodes(self.func.node.body):
            bound: tuple[str, cst.BaseExpression] | None = None
            if type(node) is cst.WithItem and node.asname is not None:
                if isinstance(node.asname.name, cst.Name):
                    bound = (node.asname.name.value, node.item)
            elif (
                type(node) is cst.Assign
                and len(node.targets) == 1
                and isinstance(node.targets[0].target, cst.Name)
            ):
                bound = (node.targets[0].target.value, node.value)
            if bound is None:
                continue
            value = bound[1]
            if (
                isinstance(value, cst.Call)
                and isinstance(value.func, cst.Attribute)
                and value.func.attr.value == "start"
                and isinstance(value.func.value, cst.Call)
            ):
                value = value.func.value
            if isinstance(value, cst.Call) and id(value) in by_call:
                names[bound[0]] = by_call[id(value)]
        return names

    def mark_self_calls(self, facts: list[PatchFact]) -> None:
        """Set `called_after` / `asserts_return_value` on replacements the test exercises itself."""
        if not facts:
            return
        mocks = self.mock_names(facts)
        results: dict[str, PatchFact] = {}
        receivers = {  # `m().resolve.return_value = ...` configures the mock, it does not run it
            id(node.value)
            for node in own_nodes(self.func.node.body)
            if type(node) is cst.Attribute and isinstance(node.value, cst.Call)
        }
        for node in own_nodes(self.func.node.body):
            if type(node) is cst.Assign:
                for target in node.targets:
                    name = (
                        dotted(target.target) if isinstance(target.target, cst.Attribute) else None
                    )
                    if name and name.endswith(".side_effect") and name.split(".")[0] in mocks:
                        mocks[name.split(".")[0]].side_effect = True
            if type(node) is cst.Assign and isinstance(node.value, (cst.Call, cst.Await)):
                call = node.value.expression if isinstance(node.value, cst.Await) else node.value
                if isinstance(call, cst.Call):
                    hit = self._called_fact(call, facts, mocks)
                    if hit is not None:
                        for target in node.targets:
                            if isinstance(target.target, cst.Name):
                                results[target.target.value] = hit
            if type(node) is cst.Call and id(node) not in receivers:
                hit = self._called_fact(node, facts, mocks)
                if hit is not None and self.ctx.span(node, self.func.node).line >= hit.line:
                    hit.called_after = True
        for node in own_nodes(self.func.node.body):
            if type(node) is cst.Assert and isinstance(node.test, cst.Comparison):
                self._check_echo(node.test, mocks, results)
        for fact in self._handed_on(facts, mocks, results):
            fact.called_after = False

    def _handed_on(
        self, facts: list[PatchFact], mocks: dict[str, PatchFact], results: dict[str, PatchFact]
    ) -> list[PatchFact]:
        """Replacements whose instance the test builds and passes into other code:
        `client = MockClient(); sync(client)` exercises `sync` with a double collaborator, not
        the double itself."""
        handed: list[PatchFact] = []
        for node in own_nodes(self.func.node.body):
            if type(node) is not cst.Call or self._called_fact(node, facts, mocks) is not None:
                continue
            for arg in node.args:
                value = arg.value
                fact: PatchFact | None = None
                if isinstance(value, cst.Call):
                    fact = self._called_fact(value, facts, mocks)
                elif isinstance(value, cst.Name):
                    fact = results.get(value.value)
                if fact is not None and not fact.asserts_return_value and fact not in handed:
                    handed.append(fact)
        return handed

    def _check_echo(
        self, comp: cst.Comparison, mocks: dict[str, PatchFact], results: dict[str, PatchFact]
    ) -> None:
        if len(comp.comparisons) != 1 or not isinstance(
            comp.comparisons[0].operator, (cst.Equal, cst.Is)
        ):
            return
        sides = [comp.left, comp.comparisons[0].comparator]
        for one, other in (sides, sides[::-1]):
            name = dotted(one)
            if not name or not name.endswith(".return_value"):
                continue
            mock = mocks.get(name.split(".")[0])
            result = dotted(other)
            if mock is not None and result in results and results[result] is mock:
                mock.asserts_return_value = True

    def _called_fact(
        self, call: cst.Call, facts: list[PatchFact], mocks: dict[str, PatchFact]
    ) -> PatchFact | None:
        func = call.func
        if isinstance(func, cst.Name) and func.value in mocks:
            return mocks[func.value]
        name = dotted(func)
        qualified: str | None = None
        if name is not None:
            head, _, rest = name.partition(".")
            if not rest:
                return (
                    None  # a bare name is bound at import time: it is the original, not the double
                )
            if head in self.scope.instances:
                qualified = f"{self.scope.instances[head]}.{rest}"
            else:
                qualified = self.ctx.qualify(func, self.func)
        elif isinstance(func, cst.Attribute) and isinstance(func.value, cst.Call):
            ctor = self.ctx.qualify(func.value.func, self.func)
            qualified = f"{ctor}.{func.attr.value}" if ctor else None
        if qualified is None:
            return None
        for fact in facts:
            if fact.target == qualified and not fact.wraps:
                return fact
        return None


def extract(ctx: FileContext, func: FunctionInfo, include_class: bool = True) -> list[PatchFact]:
    extractor = PatchExtractor(ctx, func)
    facts = extractor.replacements(include_class)
    extractor.mark_self_calls(facts)
    return facts
