"""Family 1xx, swallowed failures (TQ107): try/except blocks that hide the assertion error, or
that let the test pass when the expected exception is never raised."""

from __future__ import annotations

from auditor.static.context import FileContext
from auditor.static.rules._swallow_walk import swallowed_expectations
from auditor.static.rules.base import Example, Rule


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
                # (b) measured 9/12 on held-out suites (below 0.85): info until fixed
                severity = {"a": "error", "a-act": "info", "b": "info"}.get(variant, "warning")
                ctx.report(self, node, message, test=test, severity=severity)
