"""The TQ107 walk: try/except shapes that swallow a failure or pass when nothing is raised.

Shared by TQ107 (reports them) and TQ101 (stays quiet on a test TQ107 already reports).
"""

from __future__ import annotations

import libcst as cst

from auditor.static.collect import TestFunc
from auditor.static.context import FileContext
from auditor.static.names import last_segment
from auditor.static.oracle import all_nodes, own_nodes
from auditor.static.rules._assertions_support import (
    body_index,
    contains_verification,
    is_fail_call,
    small_statements,
    statements,
)

BROAD_HANDLERS = frozenset({"Exception", "BaseException", "AssertionError"})
OPTIONAL_DEPENDENCY = frozenset({"ImportError", "ModuleNotFoundError"})
CLEANUP_CALLS = frozenset(
    {
        "close", "remove", "unlink", "rmtree", "rmdir", "removedirs", "kill", "terminate", "stop",
        "shutdown", "join", "cancel", "disconnect", "delete", "cleanup", "teardown", "unregister",
        "release", "quit", "exit", "wait", "undo", "reset", "dispose", "flush", "unpatch",
    }
)  # fmt: skip
LOG_METHODS = frozenset(
    {"debug", "info", "warning", "warn", "error", "exception", "critical", "log", "print_exc"}
)


def _handler_types(handler: cst.ExceptHandler) -> list[str] | None:
    """Last segments of the caught types; None for a bare `except:`."""
    if handler.type is None:
        return None
    caught = handler.type
    items = [el.value for el in caught.elements] if isinstance(caught, cst.Tuple) else [caught]
    return [last_segment(i) or "" for i in items]


def _swallows(handler: cst.ExceptHandler) -> bool:
    """The handler body only passes/continues/returns or logs/prints."""
    for stmt in statements(handler.body):
        smalls = small_statements(stmt)
        if not smalls:
            return False
        for small in smalls:
            if isinstance(small, (cst.Pass, cst.Continue, cst.Break)):
                continue
            if isinstance(small, cst.Return) and (
                small.value is None
                or (isinstance(small.value, cst.Name) and small.value.value == "None")
            ):
                continue
            if isinstance(small, cst.Expr):
                value = small.value
                if isinstance(value, (cst.Ellipsis, cst.SimpleString, cst.ConcatenatedString)):
                    continue
                if isinstance(value, cst.Call):
                    last = last_segment(value.func) or ""
                    if last == "print" or (
                        isinstance(value.func, cst.Attribute) and last in LOG_METHODS
                    ):
                        continue
            return False
    return True


def _has_act(body: cst.BaseSuite) -> bool:
    """A call in the try body that is not best-effort cleanup (`os.remove`, `proc.kill`, ...) and
    not the constructor of an exception the body raises itself (`raise Exception("dummy")`)."""
    raised: set[int] = set()
    for node in own_nodes(body):
        if isinstance(node, cst.Raise):
            raised.update(id(n) for n in all_nodes(node))
    return any(
        isinstance(n, cst.Call)
        and id(n) not in raised
        and (last_segment(n.func) or "") not in CLEANUP_CALLS
        for n in own_nodes(body)
    )


def _guards_no_raise(ctx: FileContext, node: cst.Try, test: TestFunc) -> bool:
    """`try: act; pytest.fail()` / `assert False` / `else: pytest.fail()`: no raise fails the
    test."""
    for n in own_nodes(node.body):
        if isinstance(n, cst.Raise) or is_fail_call(ctx, n, test):
            return True
        if (
            isinstance(n, cst.Assert)
            and isinstance(n.test, (cst.Name, cst.Integer))
            and n.test.value in ("False", "0")
        ):
            return True
    return node.orelse is not None and (
        contains_verification(ctx, node.orelse, test)
        or any(isinstance(n, cst.Raise) for n in own_nodes(node.orelse))
    )


def _reraises(ctx: FileContext, handler: cst.ExceptHandler, test: TestFunc) -> bool:
    return any(
        isinstance(n, cst.Raise) or is_fail_call(ctx, n, test) for n in own_nodes(handler.body)
    )


def swallowed_expectations(ctx: FileContext, test: TestFunc) -> list[tuple[cst.CSTNode, str, str]]:
    """(handler, variant, message) for every TQ107 shape in the test."""
    out: list[tuple[cst.CSTNode, str, str]] = []
    for node in body_index(ctx, test).own:
        if type(node) is not cst.Try:  # exact type: a failing ABC isinstance is slow
            continue
        verifies = contains_verification(ctx, node.body, test)
        act = _has_act(node.body)
        for handler in node.handlers:
            types = _handler_types(handler)
            if types is not None and set(types) & OPTIONAL_DEPENDENCY:
                continue
            broad = types is None or bool(set(types) & BROAD_HANDLERS)
            caught = "except:" if types is None else f"except {', '.join(types)}"
            swallows = _swallows(handler)
            if broad and swallows and not verifies and act and ctx.oracle(test).has_oracle:
                # the checks are outside the `try`: they still run; only errors of the act
                # (`gc.collect()`, a best-effort call) are hidden
                out.append((handler, "a-act", (
                    f"`{caught}` hides any error raised in the `try` (the test's checks outside "
                    f"it still run): let it raise, or catch only the exception you expect."
                )))  # fmt: skip
            elif broad and swallows and (verifies or act):
                out.append((handler, "a", (
                    f"`{caught}` swallows the failure (AssertionError too), so this test cannot "
                    f"fail: remove the try/except, or re-raise / `pytest.fail(...)` in it."
                )))  # fmt: skip
            elif (
                not broad
                and swallows
                and act
                and not verifies
                and not ctx.oracle(test).has_oracle
                and not _guards_no_raise(ctx, node, test)
            ):
                expected = types[0] if types else "E"
                out.append((handler, "c", (
                    f"`try`/`{caught}: pass` passes whether or not the error happens: use "
                    f"`with pytest.raises({expected}):`."
                )))  # fmt: skip
            elif (
                act
                and contains_verification(ctx, handler.body, test)
                and not _reraises(ctx, handler, test)
                and not _guards_no_raise(ctx, node, test)
            ):
                out.append((handler, "b", (
                    "The checks in this handler are skipped when nothing is raised, and the test "
                    "passes: use `with pytest.raises(...) as exc:` (or add `else: pytest.fail()`)."
                )))  # fmt: skip
    return out
