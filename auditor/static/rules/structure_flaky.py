"""Family 4xx — flakiness and rotten-green shapes: sleeping tests (TQ401) and tests whose every
check is conditional (TQ402)."""

from __future__ import annotations

from typing import Any

import libcst as cst

from auditor.static.collect import FunctionInfo
from auditor.static.context import FileContext
from auditor.static.facts import FileFacts
from auditor.static.project_context import ProjectContext
from auditor.static.rules._structure_walk import (
    frozen_clock,
    is_test_name,
    sleep_calls,
)
from auditor.static.rules._verification_walk import conditional_verification
from auditor.static.rules.base import Example, Rule

_SLOW_MARKS = {"slow", "integration", "e2e", "functional", "system"}


class SleepyTest(Rule):
    """What it does:
    Reports `time.sleep` / `asyncio.sleep` / `trio.sleep` / `anyio.sleep` / `gevent.sleep` with a
    positive or computed duration in a test or fixture body (or a same-module helper they call).
    `sleep(0)` (a yield point), modules using `freezegun`/`time_machine`, and tests that patch
    `sleep` are exempt; tests marked slow/integration get info instead of a warning.

    Why it matters:
    A sleep either waits for something nondeterministic (flaky on a loaded CI runner) or waits
    for nothing (a slow suite). Polling with a timeout, events, or a fake clock are deterministic.

    Example:
    def test_cache_expires():
        cache.put("k", 1, ttl=0.1)
        time.sleep(0.2)
        assert cache.get("k") is None

    Use instead:
    def test_cache_expires(frozen_clock):
        cache.put("k", 1, ttl=0.1)
        frozen_clock.tick(0.2)
        assert cache.get("k") is None
    """

    code = "TQ401"
    name = "sleepy-test"
    summary = "Test or fixture sleeps (nondeterministic timing, slow suite)"
    severity = "info"  # held-out precision below the bar (docs/precision.md): info until fixed
    tier = "H"
    VALID = [
        "import asyncio\n\nasync def test_yield():\n    await asyncio.sleep(0)\n    assert 1\n",
        Example(
            "import time\nfrom freezegun import freeze_time\n\n@freeze_time('2020-01-01')\n"
            "def test_frozen():\n    time.sleep(5)\n    assert 1\n",
            note="frozen clock (freezegun)",
        ),
        Example(
            "import time\n\ndef test_fake(monkeypatch):\n    monkeypatch.setattr(time, 'sleep', "
            "lambda s: None)\n"
            "    time.sleep(5)\n    assert 1\n",
            note="sleep is patched out",
        ),
        Example(
            "import time\n\ndef test_sut(server):\n    def slow_handler():\n        time.sleep(1)\n"
            "    server.handler = slow_handler\n    assert server.call()\n",
            note="sleep in a nested fake handed to the SUT",
        ),
        Example(
            "import time\n\ndef test_server(server):\n    while not server.started:\n"
            "        time.sleep(0.001)\n    assert server.get('/') == 200\n",
            note="polling a condition in a while loop is the recommended fix (httpx "
            "conftest.py:276)",
        ),
        Example(
            "import trio\n\nasync def test_timeout(autojump_clock):\n    await trio.sleep(10)\n"
            "    assert 1\n",
            note="fake clock fixture: the sleep costs no real time (trio test_dtls.py)",
        ),
    ]
    INVALID = [
        Example("import time\n\ndef test_wait():\n    time.sleep(0.5)\n    assert 1\n", lines=[4]),
        Example(
            "from time import sleep\n\ndef test_wait(n):\n    sleep(n)\n    assert 1\n", lines=[4]
        ),
        Example(
            "import asyncio\nimport pytest\n\n@pytest.fixture\nasync def server():\n"
            "    await asyncio.sleep(1)\n    return 1\n",
            lines=[6],
        ),
        Example(
            "import time\n\ndef wait_ready():\n    time.sleep(2)\n\ndef test_ready():\n    "
            "wait_ready()\n"
            "    assert 1\n",
            lines=[4],
        ),
    ]

    def check(self, ctx: FileContext) -> None:
        if "sleep" not in ctx.source or frozen_clock(ctx):
            return
        called: set[str] = set()
        for func in [*ctx.tests, *ctx.fixtures]:
            marks = getattr(func, "marks", set()) | ctx.inventory.module_marks
            severity = "info" if marks & _SLOW_MARKS else None
            for call in sleep_calls(ctx, func):
                ctx.report(
                    self,
                    call,
                    "Test sleeps: wait on an event/condition with a timeout, or "
                    "use a fake clock, instead of a fixed delay.",
                    test=func,
                    severity=severity,
                )
            called.update(n.split(".")[-1] for n in ctx.oracle(func).calls)
        for name, node in ctx.inventory.helpers.items():
            if name in called and not is_test_name(ctx, name):
                helper = FunctionInfo_for(node)
                for call in sleep_calls(ctx, helper):
                    ctx.report(
                        self,
                        call,
                        f"Helper `{name}` (called by tests) sleeps: wait on a "
                        f"condition with a timeout, or use a fake clock.",
                    )


def FunctionInfo_for(node: cst.FunctionDef) -> FunctionInfo:
    return FunctionInfo(
        node=node,
        name=node.name.value,
        qualname=node.name.value,
        cls=None,
        params=[],
        defaulted=[],
        decorators=[],
        is_async=node.asynchronous is not None,
    )


class ConditionalVerification(Rule):
    """What it does:
    Reports a test whose every verification sits under an `if`/`elif` without a verifying `else`,
    a loop over an iterable that may be empty, a `while` loop, a `match` case or an `except`
    handler: there is an execution path through the test that checks nothing. Loops over literal
    tables (`for x in [1, 2]`, `range(3)`, module-level literal constants), `if`/`else` that verify
    in every branch, and `try` bodies (they run unconditionally) are not conditional.

    Why it matters:
    These are rotten-green tests: when the condition is false or the collection comes back empty
    (often *because* of the bug), the test passes without asserting anything.

    Example:
    def test_all_items_priced(cart):
        for item in cart.items():
            assert item.price > 0

    Use instead:
    def test_all_items_priced(cart):
        items = cart.items()
        assert items
        for item in items:
            assert item.price > 0
    """

    code = "TQ402"
    name = "conditional-verification"
    summary = "Every verification of the test is behind a condition or a possibly-empty loop"
    severity = "info"  # held-out precision below the bar (docs/precision.md): info until fixed
    tier = "H"
    options = {"one-sided-if": False}
    VALID = [
        "def test_a():\n    x = compute()\n    assert x == 1\n",
        Example(
            "def test_table():\n    for value, want in [(1, 2), (2, 4)]:\n        assert value * 2 "
            "== want\n",
            note="loop over a literal table",
        ),
        Example(
            "CASES = [1, 2, 3]\n\ndef test_cases():\n    for c in CASES:\n        assert c > 0\n",
            note="loop over a module-level literal constant",
        ),
        Example(
            "def test_branches(flag):\n    if flag:\n        assert f(1) == 1\n    else:\n"
            "        assert f(2) == 2\n",
            note="both branches verify",
        ),
        Example(
            "def test_select(flag):\n    expected = 1 if flag else 2\n    if flag:\n        "
            "expected = 3\n"
            "    assert f() == expected\n",
            note="if selects the expected value, the assert is unconditional",
        ),
        Example(
            "def test_try():\n    try:\n        assert f() == 1\n    finally:\n        cleanup()\n",
            note="try body runs unconditionally",
        ),
        Example(
            "def test_range():\n    for i in range(3):\n        assert f(i) >= 0\n",
            note="range with a positive literal",
        ),
        Example(
            "from itertools import permutations\n\nATTEMPTS = 3\n\ndef test_order():\n"
            "    for _ in range(ATTEMPTS):\n        assert run() == 0\n"
            "    for seconds in range(-120, 121):\n        assert shift(seconds) is not None\n"
            "    for a, b in permutations((1, 2)):\n        assert f(a, b) == f(b, a)\n",
            note="negative range bounds and permutations of a literal (dateutil, cattrs)",
        ),
        Example(
            "def _keys():\n    keys = sorted(available())\n    assert keys\n    return keys\n\n"
            "def test_every_key_loads():\n    for key in _keys():\n        assert load(key)\n",
            note="the iterable comes from a helper that asserts it is non-empty (dateutil)",
        ),
        Example(
            "def test_hashable(self):\n    try:\n        {make(): 1}\n    except TypeError:\n"
            "        self.fail('not hashable')\n",
            note="`except: self.fail()` is a no-raise check (dateutil test_relativedelta.py:659)",
        ),
        Example(
            "import pytest\n\ndef test_mapped():\n    missing = {'a'} - known()\n    if missing:\n"
            "        pytest.fail(f'unmapped: {missing}')\n",
            note="`if bad: pytest.fail()` is an unconditional check (httpx test_exceptions.py:14)",
        ),
        Example(
            "def test_headers(client):\n    headers = {'a': '1', 'b': ''}\n    r = "
            "client.get(headers)\n"
            "    for key in headers.keys():\n        assert r.headers[key] == headers[key]\n",
            note="loop over a local literal table (requests test_header_validation)",
        ),
        Example(
            "class TestDigest:\n    algos = ('MD5', 'SHA-256')\n\n    def test_auth(self):\n"
            "        for algo in self.algos:\n            assert auth(algo) == 200\n",
            note="loop over a class-level literal (requests digest_auth_algo)",
        ),
        Example(
            "def test_many():\n    items = [make(i) for i in range(10)]\n    for item in items:\n"
            "        assert item.ok\n",
            note="a list built from a literal range(10) cannot be empty",
        ),
        Example(
            "def test_many():\n    items = []\n    for i in range(10):\n        items.append(make(i))\n"
            "    for item in items:\n        assert item.ok\n",
            note="a list filled by a loop over a literal range",
        ),
        Example(
            "import pytest\n\n@pytest.mark.parametrize('mode', ['ok', 'bad'])\ndef test_mode(mode):\n"
            "    if mode == 'ok':\n        assert run(mode) == 1\n    elif mode == 'bad':\n"
            "        with pytest.raises(ValueError):\n            run(mode)\n",
            note="each branch holds an oracle (one asserts, the other pytest.raises)",
        ),
        Example(
            "from hypothesis import given, strategies as st\n\n"
            "@given(st.lists(st.integers(), min_size=1))\ndef test_each(xs):\n    for x in xs:\n"
            "        assert f(x) >= 0\n",
            note="a @given list with min_size=1 is never empty",
        ),
    ]
    INVALID = [
        Example(
            "def test_items(cart):\n    for item in cart.items():\n        assert item.price > 0\n",
            lines=[2],
        ),
        Example(
            "from hypothesis import given, strategies as st\n\n"
            "@given(st.lists(st.integers()), st.lists(st.integers()))\ndef test_pairs(xs, ys):\n"
            "    for a, b in zip(xs, ys):\n        assert f(a, b) == f(b, a)\n",
            lines=[5],
            note="property test whose asserts are only inside a loop over generated lists",
        ),
        Example(
            "from hypothesis import given, strategies as st\n\n@given(st.integers())\n"
            "def test_positive(x):\n    if x > 0:\n        assert f(x) > 0\n",
            lines=[5],
            note="property test whose only assert is under an if: use assume()",
        ),
        Example(
            "def test_flag(obj):\n    if obj.ready:\n        assert obj.value == 1\n", lines=[2]
        ),
        Example(
            "def test_history(r):\n    i = 0\n    for item in r.history:\n"
            "        assert item.history == r.history[:i]\n        i += 1\n",
            lines=[3],
            note="requests test_requests_history_is_saved: empty history checks nothing",
        ),
        Example(
            "def test_except():\n    try:\n        run()\n    except ValueError as e:\n"
            "        assert 'bad' in str(e)\n",
            lines=[4],
        ),
        Example(
            "class TestX:\n    def test_while(self, q):\n        while q:\n            assert "
            "q.pop()\n",
            lines=[3],
        ),
    ]

    def check(self, ctx: FileContext) -> None:
        """Variant (b), opt-in (`one-sided-if = true`): info on an `if` that verifies without an
        `else` in a test that does verify elsewhere. Off by default: the broad conditional-assert
        check was measured as noise (2,111 hits in pandas' suite)."""
        if not ctx.setting(self, "one-sided-if"):
            return
        for test in ctx.tests:
            if test.is_given or test.marks & {"skip", "skipif", "xfail"}:
                continue
            shape = conditional_verification(ctx, test)
            if not shape.unconditional:
                continue
            for node in shape.one_sided:
                ctx.report(
                    self,
                    node,
                    "This check only runs when the condition holds: add an "
                    "`else` that checks (or `pytest.fail`s) the other case.",
                    test=test,
                    severity="info",
                )

    def collect(self, ctx: FileContext, facts: FileFacts) -> None:
        candidates: list[dict[str, Any]] = []
        for test in ctx.tests:
            if test.marks & {"skip", "skipif", "xfail"}:
                continue
            shape = conditional_verification(ctx, test)
            if shape.unconditional or not shape.conditional_kinds:
                continue
            candidates.append(
                {
                    "nodeid": test.nodeid,
                    "kinds": sorted(shape.conditional_kinds),
                    "line": min(shape.conditional_lines),
                    "calls": sorted(set(shape.unconditional_calls)),
                    "params": sorted(shape.unconditional_params),
                }
            )
        facts.extra[self.code] = candidates

    def check_project(self, project: ProjectContext) -> None:
        for path, facts in project.files.items():
            tests = {t.nodeid: t for t in facts.tests}
            for entry in facts.extra.get(self.code, []):
                test = tests.get(entry["nodeid"])
                if test is None or test.exempt in ("skip/xfail", "benchmark"):
                    continue
                if any(project.helper_asserts(c) for c in entry["calls"]):
                    continue
                if any(
                    (r := project.resolve_fixture(p, path, test.cls)) is not None
                    and r.fact is not None
                    and r.fact.contains_oracle
                    for p in entry["params"]
                ):
                    continue
                kinds = entry["kinds"]
                if test.is_given:
                    fix = (
                        "Hypothesis examples where the loop is empty or the condition is false "
                        "check nothing: assert unconditionally, use `assume(...)` to discard those "
                        "examples, or generate only non-empty data (`min_size=1`)."
                    )
                elif kinds == ["for"]:
                    fix = "the loop may run zero times: assert the iterable is non-empty before it."
                else:
                    fix = (
                        f"they only run under {'/'.join(kinds)}: add an unconditional assert or an "
                        f"`else: pytest.fail(...)` branch."
                    )
                project.report(
                    self,
                    path,
                    entry["line"],
                    f"Every check in `{test.name}` is conditional — {fix}",
                    test=test,
                )
