"""Body scans behind the 3xx fixture rules: what a fixture hands out, what a consumer mutates,
which global state a function writes and whether it puts it back.

Kept apart from `fixtures.py` so the rule classes stay readable; every function here is a pure
walk of one function body (`own_nodes`: nested def/lambda/class are other scopes).
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from auditor.static.collect import FunctionInfo, decorators_of
from auditor.static.context import FileContext
from auditor.static.facts import FixtureFact
from auditor.static.names import dotted
from auditor.static.oracle import own_nodes

MUTATORS = {
    "append",
    "extend",
    "insert",
    "pop",
    "remove",
    "clear",
    "update",
    "setdefault",
    "popitem",
    "add",
    "discard",
    "sort",
    "reverse",
    "commit",
    "add_all",
    "delete",
    "execute",
    "flush",
    "merge",
    "rollback",
}
MUTABLE_CALLS = {
    "list": "list",
    "dict": "dict",
    "set": "set",
    "bytearray": "bytearray",
    "collections.defaultdict": "defaultdict",
    "collections.OrderedDict": "OrderedDict",
    "collections.Counter": "Counter",
    "collections.deque": "deque",
}
STATEFUL_CALLS = {
    "requests.Session": "session",
    "requests.session": "session",
    "sqlite3.connect": "connection",
    "sqlalchemy.orm.Session": "session",
    "django.test.Client": "client",
    "flask.testing.FlaskClient": "client",
}
STATEFUL_METHODS = {"connect": "connection", "cursor": "cursor", "test_client": "client"}
ACQUIRE_CALLS = {
    "open",
    "builtins.open",
    "io.open",
    "codecs.open",
    "gzip.open",
    "bz2.open",
    "lzma.open",
    "tarfile.open",
    "zipfile.ZipFile",
    "socket.socket",
    "socket.create_connection",
    "subprocess.Popen",
    "tempfile.TemporaryDirectory",
    "tempfile.NamedTemporaryFile",
    "tempfile.TemporaryFile",
    "tempfile.SpooledTemporaryFile",
    "tempfile.mkdtemp",
    "sqlite3.connect",
    "requests.Session",
    "requests.session",
    "httpx.Client",
    "httpx.AsyncClient",
    "aiohttp.ClientSession",
    "concurrent.futures.ThreadPoolExecutor",
    "concurrent.futures.ProcessPoolExecutor",
    "multiprocessing.Pool",
    "urllib.request.urlopen",
    "smtplib.SMTP",
    "ftplib.FTP",
    "http.client.HTTPConnection",
    "http.client.HTTPSConnection",
    "asyncio.new_event_loop",
}
ACQUIRE_METHODS = {"connect", "cursor", "open", "urlopen", "Popen"}
POOLED = {"create_engine", "create_async_engine", "sessionmaker"}
GLOBAL_WORDS = ("environ", "chdir", "putenv", "unsetenv", "path", "setattr", "delattr")
RESTORE_CALLS = {"undo", "addfinalizer", "addCleanup", "enter_context", "callback", "push"}


def root_name(node: cst.BaseExpression) -> str | None:
    """`p` for `p`, `p.a`, `p["k"]`, `p.a[0].b` (not through calls)."""
    while isinstance(node, (cst.Attribute, cst.Subscript)):
        node = node.value
    return node.value if type(node) is cst.Name else None


def _value_kind(ctx: FileContext, func: FunctionInfo, value: cst.BaseExpression) -> str | None:
    if isinstance(value, (cst.List, cst.ListComp)):
        return "list"
    if isinstance(value, (cst.Dict, cst.DictComp)):
        return "dict"
    if isinstance(value, (cst.Set, cst.SetComp)):
        return "set"
    if not isinstance(value, cst.Call):
        return None
    if isinstance(value.func, cst.Call):  # sessionmaker(...)()
        inner = ctx.qualify(value.func.func, func) or ""
        return "session" if inner.endswith("sessionmaker") else None
    name = ctx.qualify(value.func, func)
    if name in MUTABLE_CALLS:
        return MUTABLE_CALLS[name]
    if name in STATEFUL_CALLS:
        return STATEFUL_CALLS[name]
    last = (
        name.rsplit(".", 1)[-1]
        if name
        else (value.func.attr.value if isinstance(value.func, cst.Attribute) else "")
    )
    if isinstance(value.func, cst.Attribute) and last in STATEFUL_METHODS:
        return STATEFUL_METHODS[last]
    if last in ("Session", "Client"):
        return last.lower()
    return None


def assignments(func: FunctionInfo) -> dict[str, cst.BaseExpression]:
    out: dict[str, cst.BaseExpression] = {}
    for node in own_nodes(func.node.body):
        if type(node) is cst.Assign:
            for target in node.targets:
                if isinstance(target.target, cst.Name):
                    out[target.target.value] = node.value
    return out


def handed_out(func: FunctionInfo) -> list[tuple[cst.CSTNode, cst.BaseExpression, str]]:
    """(node, value, 'return'|'yield'|'yield from') for every value a fixture hands out."""
    out: list[tuple[cst.CSTNode, cst.BaseExpression, str]] = []
    for node in own_nodes(func.node.body):
        if type(node) is cst.Return and node.value is not None:
            out.append((node, node.value, "return"))
        elif type(node) is cst.Yield and node.value is not None:
            if isinstance(node.value, cst.From):
                out.append((node, node.value.item, "yield from"))
            else:
                out.append((node, node.value, "yield"))
    return out


def mutable_kind(ctx: FileContext, func: FunctionInfo) -> str | None:
    """What mutable/stateful value the fixture returns or yields (TQ302), or None."""
    local = assignments(func)
    for _, value, how in handed_out(func):
        if how == "yield from":
            return None
        if isinstance(value, cst.Name) and value.value in local:
            value = local[value.value]
        kind = _value_kind(ctx, func, value)
        if kind is not None:
            return kind
    return None


def mutations(func: FunctionInfo, params: set[str]) -> dict[str, cst.CSTNode]:
    """Which of `params` the body mutates in place (`MUTATORS`, assignment, `del`), with the first mutating node."""
    found: dict[str, cst.CSTNode] = {}

    def hit(expr: cst.BaseExpression, node: cst.CSTNode, through: bool) -> None:
        if not through and isinstance(expr, cst.Name):
            return
        name = root_name(expr)
        if name in params and name not in found:
            found[name] = node

    for node in own_nodes(func.node.body):
        if type(node) is cst.Call and isinstance(node.func, cst.Attribute):
            if node.func.attr.value in MUTATORS:
                hit(node.func.value, node, True)
        elif type(node) is cst.Assign:
            for target in node.targets:
                hit(target.target, node, False)
        elif type(node) is cst.AugAssign:
            hit(node.target, node, True)
        elif type(node) is cst.Del:
            targets = node.target.elements if isinstance(node.target, cst.Tuple) else None
            victims: list[cst.BaseExpression] = (
                [el.value for el in targets] if targets else [node.target]
            )
            for victim in victims:
                hit(victim, node, False)
    return found


@dataclass
class GlobalWrite:
    category: str
    node: cst.CSTNode
    what: str
    write: bool


def _qual(ctx: FileContext, func: FunctionInfo, node: cst.BaseExpression) -> str:
    return ctx.qualify(node, func) or ""


def global_ops(ctx: FileContext, func: FunctionInfo) -> tuple[list[GlobalWrite], bool]:
    """Ordered env/cwd/sys.path/module-attribute operations, and whether a restore mechanism
    (try/finally, undo, addfinalizer, addCleanup, ExitStack) is present."""
    ops: list[GlobalWrite] = []
    restored = False
    text = ctx.source_of(func.node)
    if not any(word in text for word in GLOBAL_WORDS):  # cheap pre-filter
        return ops, restored
    protected: set[int] = set()
    locals_ = set(assignments(func)) | set(func.params) | set(func.defaulted)
    for node in own_nodes(func.node.body):
        if type(node) is cst.Try and node.finalbody is not None:
            restored = True
        elif type(node) is cst.With:
            for item in node.items:
                call = item.item
                target = call.func if isinstance(call, cst.Call) else call
                name = _qual(ctx, func, target)
                if (
                    name.endswith("patch.dict")
                    or name.endswith(".context")
                    or name.endswith("chdir")
                ):
                    protected.update(id(n) for n in own_nodes(node.body))
        elif type(node) is cst.Call:
            if isinstance(node.func, cst.Attribute) and node.func.attr.value in RESTORE_CALLS:
                restored = True
            _call_op(ctx, func, node, ops, locals_)
        elif isinstance(node, (cst.Assign, cst.AugAssign)):
            targets = (
                [t.target for t in node.targets] if isinstance(node, cst.Assign) else [node.target]
            )
            for target in targets:
                _assign_op(ctx, func, target, node, ops, locals_, write=True)
        elif type(node) is cst.Del:
            _assign_op(ctx, func, node.target, node, ops, locals_, write=False)
    return [op for op in ops if id(op.node) not in protected], restored


def _call_op(
    ctx: FileContext, func: FunctionInfo, call: cst.Call, ops: list[GlobalWrite], locals_: set[str]
) -> None:
    name = _qual(ctx, func, call.func)
    if name in ("os.environ.update", "os.environ.setdefault", "os.putenv"):
        ops.append(GlobalWrite("environ", call, name, True))
    elif name in ("os.environ.pop", "os.environ.clear", "os.unsetenv"):
        ops.append(GlobalWrite("environ", call, name, False))
    elif name == "os.chdir":
        ops.append(GlobalWrite("cwd", call, "os.chdir", True))
    elif name in ("sys.path.insert", "sys.path.append", "sys.path.extend"):
        ops.append(GlobalWrite("sys.path", call, name, True))
    elif name in ("sys.path.remove", "sys.path.pop", "sys.path.clear"):
        ops.append(GlobalWrite("sys.path", call, name, False))
    elif name in ("setattr", "delattr", "builtins.setattr") and len(call.args) >= 2:
        obj = dotted(call.args[0].value)
        attr = call.args[1].value
        if (
            obj is None
            or obj.split(".")[0] in locals_
            or obj.split(".")[0] not in ctx.imports.bindings
        ):
            return
        key = str(attr.evaluated_value) if isinstance(attr, cst.SimpleString) else "?"
        ops.append(
            GlobalWrite(f"attr:{obj}.{key}", call, f"setattr({obj}, ...)", name != "delattr")
        )


def _assign_op(
    ctx: FileContext,
    func: FunctionInfo,
    target: cst.BaseExpression,
    node: cst.CSTNode,
    ops: list[GlobalWrite],
    locals_: set[str],
    write: bool,
) -> None:
    if isinstance(target, cst.Subscript) and _qual(ctx, func, target.value) == "os.environ":
        ops.append(GlobalWrite("environ", node, "os.environ[...]", write))
    elif _qual(ctx, func, target) == "sys.path" or (
        isinstance(target, cst.Subscript) and _qual(ctx, func, target.value) == "sys.path"
    ):
        ops.append(GlobalWrite("sys.path", node, "sys.path", False))
    elif isinstance(target, cst.Attribute):
        obj = dotted(target.value)
        if obj and obj.split(".")[0] not in locals_ and obj.split(".")[0] in ctx.imports.bindings:
            ops.append(GlobalWrite(f"attr:{obj}.{target.attr.value}", node, obj, False))


def unrestored(ops: list[GlobalWrite]) -> list[GlobalWrite]:
    """First write per category with no later operation in that category (no restore)."""
    out: list[GlobalWrite] = []
    seen: set[str] = set()
    for index, op in enumerate(ops):
        if not op.write or op.category in seen:
            continue
        seen.add(op.category)
        if not any(later.category == op.category for later in ops[index + 1 :]):
            out.append(op)
    return out


def is_acquire(ctx: FileContext, func: FunctionInfo, value: cst.BaseExpression) -> str | None:
    """The acquire call a value is (`open`, `*.connect()`, `Popen`, ...), or None (TQ308)."""
    if isinstance(value, cst.Await):
        value = value.expression
    if not isinstance(value, cst.Call):
        return None
    name = ctx.qualify(value.func, func) or ""
    last = (
        name.rsplit(".", 1)[-1]
        if name
        else (value.func.attr.value if isinstance(value.func, cst.Attribute) else "")
    )
    if last in POOLED:
        return None
    if name in ACQUIRE_CALLS:
        return name
    if isinstance(value.func, cst.Attribute) and last in ACQUIRE_METHODS:
        return f".{last}()"
    return None


def manual_monkeypatches(ctx: FileContext, func: FunctionInfo) -> list[tuple[str, cst.CSTNode]]:
    """`mp = MonkeyPatch()` (not `.context()`) whose `mp.undo()` is never called."""
    created: dict[str, cst.CSTNode] = {}
    undone: set[str] = set()
    for node in own_nodes(func.node.body):
        if type(node) is cst.Assign and isinstance(node.value, cst.Call) and len(node.targets) == 1:
            target = node.targets[0].target
            name = ctx.qualify(node.value.func, func) or ""
            if isinstance(target, cst.Name) and name.endswith("MonkeyPatch"):
                created[target.value] = node
        elif type(node) is cst.Call and isinstance(node.func, cst.Attribute):
            receiver = dotted(node.func.value)
            if node.func.attr.value == "undo" and receiver:
                undone.add(receiver)
            elif node.func.attr.value in ("addfinalizer", "addCleanup", "callback") and node.args:
                arg = dotted(node.args[0].value) or ""
                if arg.endswith(".undo"):
                    undone.add(arg[: -len(".undo")])
    return [(name, node) for name, node in created.items() if name not in undone]


# monkeypatch restores the whole cwd / sys.path it saved, but only the env keys it set itself
MANAGING_METHODS = {"chdir": "cwd", "syspath_prepend": "sys.path"}


def managed(ctx: FileContext, func: FunctionInfo) -> set[str]:
    """Global-state categories a fixture handles with restoring tools (monkeypatch, patch.dict)."""
    out: set[str] = set()
    for node in own_nodes(func.node.body):
        if type(node) is cst.Call and isinstance(node.func, cst.Attribute):
            method = node.func.attr.value
            if method in MANAGING_METHODS:
                out.add(MANAGING_METHODS[method])
            elif method == "dict" and node.args and "environ" in (dotted(node.args[0].value) or ""):
                out.add("environ")
    return out


TEARDOWN_METHODS = {
    "tearDown",
    "tearDownClass",
    "teardown_method",
    "teardown_class",
    "teardown",
    "asyncTearDown",
}


def class_restores(func: FunctionInfo) -> bool:
    """The test's class has a teardown method (unittest `tearDown`, pytest `teardown_method`)."""
    cls = func.cls
    while cls is not None:
        body = cls.node.body.body if isinstance(cls.node.body, cst.IndentedBlock) else []
        if any(isinstance(s, cst.FunctionDef) and s.name.value in TEARDOWN_METHODS for s in body):
            return True
        cls = cls.parent
    return False


def patches_environ(ctx: FileContext, func: FunctionInfo) -> bool:
    """`@patch.dict(os.environ, ...)` on the function or its class restores the environment."""
    decorators = list(func.decorators)
    cls = func.cls
    while cls is not None:
        decorators += decorators_of(cls.node, ctx.imports)
        cls = cls.parent
    return any(d.qualified.endswith("patch.dict") for d in decorators)


#: fixture scopes wider than a test function
WIDE = ("class", "module", "package", "session")


def where_of(fact: FixtureFact) -> str:
    """`path:line` of a fixture definition, for messages."""
    return f"{fact.path}:{fact.line}"
