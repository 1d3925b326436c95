"""Family 4xx — opt-in style rules (off by default, info): print debugging (TQ403), long/obscure
setup (TQ407), mystery guests (TQ408), nondeterministic inputs (TQ409), constructors in
`TestCase` classes (TQ410). They are opt-in: readability signals, not defects.
"""

from __future__ import annotations

import re

import libcst as cst

from auditor.static.collect import TestFunc
from auditor.static.context import FileContext
from auditor.static.oracle import own_nodes
from auditor.static.rules._structure_walk import frozen_clock
from auditor.static.rules.base import Example, Rule

_INTEGRATION = {"integration", "slow", "e2e", "network", "online", "functional", "system"}


class RedundantPrint(Rule):
    """What it does:
    Reports calls to the builtin `print` / `pprint.pprint` in a test body. `from rich import print`
    is not the builtin; prints to a `file=` and tests that capture output (`capsys`, `capfd`) are
    exempt.

    Why it matters:
    pytest captures output anyway; a leftover debug print is noise in the test and in logs.

    Example:
    def test_total():
        print(repr(total(cart)))
        assert total(cart) == 30

    Use instead:
    def test_total():
        assert total(cart) == 30
    """

    code = "TQ403"
    name = "redundant-print"
    summary = "Debug print left in a test"
    severity = "info"
    tier = "O"
    default_enabled = False
    VALID = [
        "def test_a():\n    assert 1\n",
        Example(
            "def test_cli(capsys):\n    print('hi')\n    assert capsys.readouterr().out == 'hi\\n"
            "'\n",
            note="print-based output test with capsys",
        ),
        Example(
            "from rich import print\n\ndef test_rich():\n    print('[b]x')\n    assert 1\n",
            note="rich's print is not the builtin",
        ),
    ]
    INVALID = [
        Example("def test_a():\n    print('debug')\n    assert 1\n", lines=[2]),
        Example(
            "from pprint import pprint\n\ndef test_b(x):\n    pprint(x)\n    assert x\n", lines=[4]
        ),
    ]

    def check(self, ctx: FileContext) -> None:
        if "print" not in ctx.source:
            return
        for test in ctx.tests:
            if test.param_set & {"capsys", "capfd", "capsysbinary", "capfdbinary"}:
                continue
            for node in own_nodes(test.node.body):
                if not isinstance(node, cst.Call):
                    continue
                name = ctx.qualify(node.func, test)
                if name not in ("print", "pprint.pprint", "pprint.pp"):
                    continue
                if any(
                    a.keyword is not None and a.keyword.value in ("file", "stream")
                    for a in node.args
                ):
                    continue
                ctx.report(
                    self,
                    node,
                    "Debug print in a test: remove it (pytest captures output; "
                    "use `-s` or logging when debugging).",
                    test=test,
                )


class ObscureSetup(Rule):
    """What it does:
    Reports a test longer than `max-lines` (50) lines or binding more than `max-locals` (10)
    distinct local names.

    Why it matters:
    Long in-line setup hides what the test is about; the reader cannot tell which of the many
    values matters to the assertion. Data-heavy scenario tests may legitimately be long.

    Example:
    def test_checkout():
        a = ...; b = ...; c = ...  # a dozen more setup lines
        assert checkout(a, b, c) == 42

    Use instead:
    def test_checkout(cart_with_three_items):
        assert checkout(cart_with_three_items) == 42
    """

    code = "TQ407"
    name = "obscure-setup"
    summary = "Test too long or with too many locals (obscure in-line setup)"
    severity = "info"
    tier = "O"
    default_enabled = False
    options = {"max-lines": 50, "max-locals": 10}
    VALID = ["def test_a():\n    x = 1\n    assert x == 1\n"]
    INVALID = [
        Example(
            "def test_many():\n"
            + "".join(f"    v{i} = {i}\n" for i in range(11))
            + "    assert v0 == 0\n",
            lines=[1],
        ),
    ]

    def check(self, ctx: FileContext) -> None:
        max_lines = int(ctx.setting(self, "max-lines"))
        max_locals = int(ctx.setting(self, "max-locals"))
        for test in ctx.tests:
            where = ctx.pos(test.node)
            length = where.end.line - where.start.line + 1
            names = {
                t.target.value
                for node in own_nodes(test.node.body)
                if isinstance(node, cst.Assign)
                for t in node.targets
                if isinstance(t.target, cst.Name)
            }
            if length > max_lines or len(names) > max_locals:
                ctx.report(
                    self,
                    test.node.name,
                    f"`{test.name}` is {length} lines with "
                    f"{len(names)} "
                    f"locals: move setup into fixtures or helpers so the checked behaviour "
                    f"stands out.",
                    test=test,
                )


_LOOPBACK = re.compile(
    r"^https?://(localhost|127\.0\.0\.1|\[::1\]|0\.0\.0\.0|testserver|example\.(com|org))"
)
_RESOURCE_CALLS = {
    "open",
    "io.open",
    "pathlib.Path",
    "os.path.exists",
    "urllib.request.urlopen",
    "requests.get",
    "requests.post",
    "requests.put",
    "requests.delete",
    "requests.head",
    "httpx.get",
    "httpx.post",
    "httpx.put",
    "httpx.delete",
    "socket.create_connection",
}


def _mystery(value: str) -> bool:
    if value.startswith(("http://", "https://")):
        return not _LOOPBACK.match(value)
    if value.startswith("~"):
        return True
    if value.startswith("/") and not value.startswith(("/tmp", "/dev/null")):
        return True
    return bool(re.match(r"^[A-Za-z]:\\", value))


class MysteryGuest(Rule):
    """What it does:
    Reports a test that opens an absolute or `~` path, or contacts a non-loopback URL, through
    `open`, `pathlib.Path`, `requests`/`httpx`/`urllib`. Tests marked integration/slow/network are
    exempt; loopback and `example.com` URLs are fine.

    Why it matters:
    The test depends on a file or server outside the repository: it fails on another machine or
    offline, and the reader cannot see the input.

    Example:
    def test_load():
        assert load_config(open("/etc/app/config.toml"))

    Use instead:
    def test_load(tmp_path):
        path = tmp_path / "config.toml"
        path.write_text("debug = true")
        assert load_config(path.open())
    """

    code = "TQ408"
    name = "mystery-guest"
    summary = "Test reads an absolute path or contacts an external URL"
    severity = "info"
    tier = "O"
    default_enabled = False
    VALID = [
        "import requests\n\ndef test_local(server):\n    assert "
        "requests.get('http://127.0.0.1:8000/')\n",
        Example(
            "import pytest, requests\n\n@pytest.mark.integration\ndef test_live():\n"
            "    assert requests.get('https://api.github.com')\n",
            note="integration-marked test",
        ),
    ]
    INVALID = [
        Example("def test_cfg():\n    assert open('/etc/app.toml').read()\n", lines=[2]),
        Example(
            "import requests\n\ndef test_api():\n    assert "
            "requests.get('https://api.github.com')\n",
            lines=[4],
        ),
    ]

    def check(self, ctx: FileContext) -> None:
        for test in ctx.tests:
            if test.marks & _INTEGRATION:
                continue
            for node in own_nodes(test.node.body):
                if (
                    isinstance(node, cst.Call)
                    and node.args
                    and ctx.qualify(node.func, test) in _RESOURCE_CALLS
                ):
                    first = node.args[0].value
                    if isinstance(first, cst.SimpleString) and _mystery(str(first.evaluated_value)):
                        ctx.report(
                            self,
                            node,
                            "Test depends on a resource outside the repository: "
                            "put "
                            "the data in `tmp_path`/a fixture file or use a local test "
                            "server.",
                            test=test,
                        )


_NONDETERMINISTIC = {
    "datetime.datetime.now",
    "datetime.datetime.utcnow",
    "datetime.datetime.today",
    "datetime.date.today",
    "time.time",
    "time.monotonic",
    "uuid.uuid4",
    "uuid.uuid1",
    "random.random",
    "random.randint",
    "random.choice",
    "random.shuffle",
    "random.uniform",
    "random.sample",
    "random.randrange",
}


class NondeterministicInput(Rule):
    """What it does:
    Reports the clock (`datetime.now`, `date.today`, `time.time`), unseeded `random.*` and
    `uuid4()` whose value reaches an `assert` in the test (directly, or through a local name).
    Modules using freezegun/time_machine and tests that call `random.seed` are exempt.

    Why it matters:
    The expected value changes between runs: the test fails around midnight, at a DST change,
    or for one random draw in a thousand — a flaky test nobody can reproduce.

    Example:
    def test_age():
        assert age(date(2000, 1, 1)) == date.today().year - 2000

    Use instead:
    def test_age():
        assert age(date(2000, 1, 1), today=date(2024, 6, 1)) == 24
    """

    code = "TQ409"
    name = "nondeterministic-input"
    summary = "Clock, random or uuid value flows into an assertion"
    severity = "info"
    tier = "O"
    default_enabled = False
    VALID = [
        "import random\n\ndef test_seeded():\n    random.seed(1)\n    x = random.random()\n    "
        "assert x < 1\n",
        Example(
            "import time\n\ndef test_elapsed():\n    t = time.time()\n    run()\n    log(t)\n",
            note="not asserted",
        ),
    ]
    INVALID = [
        Example(
            "from datetime import date\n\ndef test_year():\n    assert year() == "
            "date.today().year\n",
            lines=[4],
        ),
        Example(
            "import uuid\n\ndef test_id():\n    u = uuid.uuid4()\n    assert make(u).id == u\n",
            lines=[4],
        ),
    ]

    def check(self, ctx: FileContext) -> None:
        if frozen_clock(ctx):
            return
        for test in ctx.tests:
            self._check_test(ctx, test)

    def _check_test(self, ctx: FileContext, test: TestFunc) -> None:
        calls: list[tuple[cst.Call, str]] = []
        asserted: set[int] = set()
        names_in_asserts: set[str] = set()
        seeded = False
        for node in own_nodes(test.node.body):
            if isinstance(node, cst.Call):
                name = ctx.qualify(node.func, test) or ""
                if name == "random.seed":
                    seeded = True
                if name in _NONDETERMINISTIC:
                    calls.append((node, name))
            elif isinstance(node, cst.Assert):
                for sub in own_nodes(node):
                    asserted.add(id(sub))
                    if isinstance(sub, cst.Name):
                        names_in_asserts.add(sub.value)
        bound: dict[int, str] = {}
        for node in own_nodes(test.node.body):
            if isinstance(node, cst.Assign) and isinstance(node.value, cst.Call):
                for target in node.targets:
                    if isinstance(target.target, cst.Name):
                        bound[id(node.value)] = target.target.value
        for call, name in calls:
            if seeded and name.startswith("random."):
                continue
            if id(call) in asserted or bound.get(id(call)) in names_in_asserts:
                ctx.report(
                    self,
                    call,
                    f"`{name}()` makes the expected value change between runs: "
                    f"pass a fixed value (or freeze the clock / seed the RNG).",
                    test=test,
                )


class ConstructorInTestClass(Rule):
    """What it does:
    Reports `__init__` in a `unittest.TestCase` subclass. (A pytest `Test*` class with `__init__`
    is not collected at all — that is TQ405's error.)

    Why it matters:
    unittest builds one instance per test method; state set up in `__init__` is easy to share by
    accident and hides the per-test setup that `setUp` makes explicit.

    Example:
    class TestCart(unittest.TestCase):
        def __init__(self, *args):
            super().__init__(*args)
            self.cart = Cart()

    Use instead:
    class TestCart(unittest.TestCase):
        def setUp(self):
            self.cart = Cart()
    """

    code = "TQ410"
    name = "constructor-in-test-class"
    summary = "__init__ in a unittest TestCase (use setUp)"
    severity = "info"
    tier = "O"
    default_enabled = False
    VALID = [
        "import unittest\n\nclass TestA(unittest.TestCase):\n    def setUp(self):\n        "
        "self.x = 1\n"
    ]
    INVALID = [
        Example(
            "import unittest\n\nclass TestA(unittest.TestCase):\n    def __init__(self, *a):\n"
            "        super().__init__(*a)\n",
            lines=[4],
        ),
    ]

    def check(self, ctx: FileContext) -> None:
        for cls in ctx.inventory.classes:
            if not cls.is_testcase or not isinstance(cls.node.body, cst.IndentedBlock):
                continue
            for stmt in cls.node.body.body:
                if isinstance(stmt, cst.FunctionDef) and stmt.name.value == "__init__":
                    ctx.report(
                        self,
                        stmt.name,
                        f"`{cls.name}` defines `__init__`: move the setup "
                        f"to "
                        f"`setUp` so each test's preconditions are explicit.",
                    )
