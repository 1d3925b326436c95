"""Family 1xx, swallowed failures (TQ107): try/except blocks that hide the assertion error, or
that let the test pass when the expected exception is never raised."""

from __future__ import annotations

import libcst as cst

from auditor.static.collect import TestFunc
from auditor.static.context import FileContext
from auditor.static.names import last_segment
from auditor.static.oracle import all_nodes, own_nodes
from auditor.static.rules.assertions_support import (
    body_index,
    contains_verification,
    is_fail_call,
    small_statements,
    statements,
)
from auditor.static.rules.base import Example, Rule

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
        if not isinstance(node, cst.Try):
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


class SwallowedFailure(Rule):
    """What it does:
    (a) Reports a `try` around a check or the act whose `except:` / `except Exception` /
    `except BaseException` / `except AssertionError` handler only passes, continues or logs (error).
    (b) Reports a handler that asserts on the exception with no `else: pytest.fail(...)` (warning).
    (c) Reports `try: act() / except SomeError: pass` as the test's only expectation (warning).

    Why it matters:
    `AssertionError` is an `Exception`: `except Exception: pass` hides the very failure the test is
    for. In (b) and (c) the test also passes when nothing is raised at all.
    `except ImportError: pytest.skip(...)` (optional dependencies) and cleanup-only bodies are fine.

    Example:
    def test_total():
        try:
            assert total(cart) == 30
        except Exception:
            pass

    Use instead:
    def test_total():
        assert total(cart) == 30
    """

    code = "TQ107"
    name = "swallowed-failure"
    summary = "try/except swallows the failure or passes when nothing is raised"
    severity = "error"
    tier = "P"
    VALID = [
        Example(
            "import pytest\n\ndef test_optional():\n    try:\n        import numpy\n"
            "    except ImportError:\n        pytest.skip('numpy missing')\n"
            "    assert numpy.ones(1)[0] == 1\n",
            note="optional dependency skip",
        ),
        Example(
            "import pytest\n\ndef test_fail():\n    try:\n        assert run() == 1\n"
            "    except Exception as exc:\n        pytest.fail(f'crashed: {exc}')\n",
            note="`except E: pytest.fail(...)` is fine",
        ),
        Example(
            "import os\n\ndef test_cleanup(path):\n    assert make(path)\n    try:\n"
            "        os.remove(path)\n    except Exception:\n        pass\n",
            note="best-effort cleanup",
        ),
        Example(
            "def test_finally(res):\n    try:\n        assert res.get() == 1\n    finally:\n"
            "        res.close()\n",
            note="cleanup-only `finally`",
        ),
        Example(
            "import pytest\n\ndef test_else():\n    try:\n        parse('x')\n"
            "    except ValueError as e:\n        assert 'x' in str(e)\n    else:\n"
            "        pytest.fail('no error')\n",
            note="`else: pytest.fail` makes a missing raise fail",
        ),
        Example(
            "def test_reraise():\n    try:\n        assert run() == 1\n    except AssertionError:\n"
            "        dump_state()\n        raise\n",
            note="handler re-raises",
        ),
        Example(
            "def test_teardown_after_exception(app):\n    try:\n        raise Exception('dummy')\n"
            "    except Exception:\n        pass\n    assert app.cleaned == [None]\n",
            note="the body only raises to set up state (flask tests/test_appctx.py:66)",
        ),
        Example(
            "def test_flag():\n    raised = False\n    try:\n        parse('x')\n"
            "    except ValueError:\n        raised = True\n    assert raised\n",
            note="flag set in the handler and asserted",
        ),
    ]
    INVALID = [
        Example(
            "def test_total(cart):\n    try:\n        assert total(cart) == 30\n"
            "    except Exception:\n        pass\n",
            lines=[4],
        ),
        Example(
            "import gc\n\ndef test_weakref(obj):\n    ref = make_ref(obj)\n    del obj\n    try:\n"
            "        gc.collect()\n    except BaseException:\n        pass\n    assert ref() is None\n",
            lines=[8],
            note="asserts outside the try still run: reported at info, without 'cannot fail'",
        ),
        Example(
            "import logging\n\ndef test_bare():\n    try:\n        result = run()\n"
            "        assert result.ok\n    except:\n        logging.exception('boom')\n",
            lines=[7],
        ),
        Example(
            "def test_loop(items):\n    for item in items:\n        try:\n            check(item)\n"
            "        except AssertionError:\n            continue\n",
            lines=[5],
        ),
        Example(
            "def test_handler_asserts():\n    try:\n        parse('x')\n"
            "    except ValueError as e:\n        assert 'x' in str(e)\n",
            lines=[4],
            note="(b) passes when nothing is raised (requests tests/test_requests.py:2514)",
        ),
        Example(
            "def test_expect():\n    try:\n        parse('x')\n    except ValueError:\n"
            "        pass\n",
            lines=[4],
            note="(c) try/except/pass as the expectation",
        ),
    ]

    def check(self, ctx: FileContext) -> None:
        for test in ctx.tests:
            for node, variant, message in swallowed_expectations(ctx, test):
                severity = {"a": "error", "a-act": "info"}.get(variant, "warning")
                ctx.report(self, node, message, test=test, severity=severity)
