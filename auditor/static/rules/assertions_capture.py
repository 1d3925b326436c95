"""Family 1xx, unchecked captures (TQ111): output, results and fake-recorded values that a test
captures and then never compares — the capture looks like a check but any value passes."""

from __future__ import annotations

import libcst as cst

from auditor.static.collect import TestFunc
from auditor.static.context import FileContext
from auditor.static.names import last_segment
from auditor.static.oracle import all_nodes
from auditor.static.rules._assertions_support import (
    BROAD_EXPECTATIONS,
    BodyIndex,
    binding_names,
    body_index,
    expectation_kind,
    expected_types,
    root_name,
)
from auditor.static.rules.base import Example, Rule

CAPTURE_FIXTURES = frozenset({"capsys", "capfd", "capsysbinary", "capfdbinary", "capteesys"})
CAPLOG_SETUP = frozenset({"set_level", "at_level", "clear", "handler"})
CONTAINER_WRITES = frozenset(
    {"append", "extend", "update", "add", "setdefault", "insert", "appendleft"}
)
CONTAINER_TYPES = frozenset(
    {"dict", "list", "set", "defaultdict", "OrderedDict", "Counter", "deque"}
)
NOT_AN_ACT = ("pytest.", "unittest.mock.", "mock.", "pytest_mock.")


class UncheckedCapture(Rule):
    """What it does:
    Reports captured values nobody checks: (a) `capsys/capfd.readouterr()` whose result is never
    read, or `caplog` requested but its records never read; (c) the act's return value assigned
    (`result = sut(...)`) and never read; (d) a container filled by a nested fake handed to the
    code (`def fake(**kw): rv["x"] = kw["x"]` + `monkeypatch.setattr(..., fake)`) and never read;
    (b, info) `pytest.raises(Exception) as e` with `e` never read, when TQ105 is disabled.
    `_`-prefixed names are exempt.

    Why it matters:
    The test went to the trouble of capturing the output, but never compares it, so any output
    passes. Wild example: flask `test_werkzeug_passthrough_errors` records
    `rv["passthrough_errors"]` in 24 parametrized cases and never asserts on it.

    Example:
    def test_greet(capsys):
        greet("Ada")
        out, err = capsys.readouterr()

    Use instead:
    def test_greet(capsys):
        greet("Ada")
        assert capsys.readouterr().out == "Hello, Ada\\n"
    """

    code = "TQ111"
    name = "unchecked-capture"
    summary = "Captured output / result / fake-recorded value is never checked"
    severity = "info"  # held-out precision below the bar (docs/precision.md): info until fixed
    tier = "H"
    VALID = [
        "def test_out(capsys):\n    greet()\n    out, _ = capsys.readouterr()\n"
        "    assert out == 'hi\\n'\n",
        Example(
            "def test_reset(capsys):\n    setup_noise()\n    capsys.readouterr()\n    greet()\n"
            "    assert capsys.readouterr().out == 'hi\\n'\n",
            note="a discarded readouterr() used to reset, a later one is read",
        ),
        Example(
            "def test_log(caplog):\n    run()\n    assert 'done' in caplog.text\n",
            note="caplog read",
        ),
        Example(
            "def test_log_helper(caplog):\n    run()\n    check_logs(caplog)\n",
            note="values read in a helper",
        ),
        Example(
            "def test_unused():\n    _result = run()\n    assert done()\n",
            note="`_`-prefixed names",
        ),
        Example(
            "def test_fake(monkeypatch):\n    calls = []\n\n    def fake(*args):\n"
            "        calls.append(args)\n\n    monkeypatch.setattr('app.send', fake)\n    run()\n"
            "    assert calls == [(1,)]\n",
            note="the recorded calls are asserted",
        ),
        Example(
            "def test_patch(mocker):\n    send = mocker.patch('app.send')\n    run()\n"
            "    assert done()\n",
            note="patching is not the act",
        ),
        Example(
            "def test_rebound():\n    r = first()\n    r = second(r)\n    assert r\n",
            note="read later under the same name",
        ),
        Example(
            "def test_prompt(capfd, monkeypatch):\n    value = prompt('value', default='100')\n"
            "    capfd.readouterr()\n    assert value == 100\n",
            note="a discarded readouterr() flushes the prompt (click tests/test_utils/test_prompt)",
        ),
        Example(
            "def test_pickle(storage_class):\n    cls = storage_class\n\n"
            "    def create_instance(module):\n        cls.__module__ = module\n"
            "        return cls()\n\n"
            "    assert roundtrip(create_instance('x')) == create_instance('x')\n",
            note="attribute writes in a helper are not recording (werkzeug test_datastructures)",
        ),
        Example(
            "def test_counter(runner):\n    count = 0\n\n    def cli():\n        nonlocal count\n"
            "        count += 1\n        if count == 2:\n            raise RuntimeError\n\n"
            "    assert runner.invoke(cli).exit_code == 0\n",
            note="state driving the fake, not a capture (click tests/test_stream_lifecycle.py:432)",
        ),
    ]
    INVALID = [
        Example(
            "def test_greet(capsys):\n    greet('Ada')\n    out, err = capsys.readouterr()\n",
            lines=[3],
        ),
        Example(
            "def test_log(caplog):\n    caplog.set_level(10)\n    run()\n    assert done()\n",
            lines=[1],
        ),
        Example(
            "def test_result(client):\n    response = client.get('/')\n    assert client.calls\n",
            lines=[2],
        ),
        Example(
            "import werkzeug.serving\n\n"
            "def test_werkzeug_passthrough_errors(monkeypatch, app):\n    rv = {}\n\n"
            "    def run_simple_mock(*args, **kwargs):\n"
            "        rv['passthrough_errors'] = kwargs.get('passthrough_errors')\n\n"
            "    monkeypatch.setattr(werkzeug.serving, 'run_simple', run_simple_mock)\n"
            "    app.run()\n",
            lines=[4],
            note="flask tests/test_basic.py:1628",
        ),
        Example(
            "import pytest\n\ndef test_exc():\n    with pytest.raises(Exception) as e:\n"
            "        run()\n",
            config={"ignore": ["TQ105"]},
            lines=[4],
            note="(b) info when TQ105 is off",
        ),
    ]

    def check(self, ctx: FileContext) -> None:
        for test in ctx.tests:
            index = body_index(ctx, test)
            if any(name in index.names for name in ("locals", "vars", "eval")):
                continue  # names may be read dynamically
            self._captures(ctx, test, index)
            self._caplog(ctx, test, index)
            self._results(ctx, test, index)
            self._fakes(ctx, test, index)
            if "TQ105" not in ctx.options.enabled:
                self._excinfo(ctx, test, index)

    @staticmethod
    def _unread(index: BodyIndex, node: cst.Assign) -> list[str] | None:
        """The names `node` binds when none of them is ever read anywhere in the test, else None."""
        names = [n.value for t in node.targets for n in binding_names(t.target)]
        if not names or any(n.startswith("_") for n in names):
            return None
        if any(index.loads(name) for name in names):
            return None
        return names

    def _captures(self, ctx: FileContext, test: TestFunc, index: BodyIndex) -> None:
        fixtures = CAPTURE_FIXTURES & test.param_set
        if not fixtures:
            return
        assigned: dict[int, cst.Assign] = {}
        kept: list[cst.Call] = []
        for node in index.own:
            if type(node) is cst.Assign:
                assigned[id(node.value)] = node
            elif (
                type(node) is cst.Call
                and isinstance(node.func, cst.Attribute)
                and node.func.attr.value == "readouterr"
                and isinstance(node.func.value, cst.Name)
                and node.func.value.value in fixtures
            ):
                kept.append(node)
        discarded = {
            id(n.value) for n in index.own if type(n) is cst.Expr
        }  # a discarded readouterr() is a flush
        kept = [c for c in kept if id(c) not in discarded]
        for call in kept:
            owner = assigned.get(id(call))
            if owner is None or self._unread(index, owner) is None:
                return  # this capture is read
        if kept:
            ctx.report(
                self,
                kept[-1],
                "The captured output is never checked: assert on `readouterr().out` / `.err`.",
                test=test,
            )

    def _caplog(self, ctx: FileContext, test: TestFunc, index: BodyIndex) -> None:
        if "caplog" not in test.fixture_requests:
            return
        uses = index.names.get("caplog", [])
        if uses:
            setup = {
                id(node.value)
                for node in all_nodes(test.node.body)
                if type(node) is cst.Attribute
                and isinstance(node.value, cst.Name)
                and node.value.value == "caplog"
                and node.attr.value in CAPLOG_SETUP
            }
            if any(id(n) not in setup for n in uses):
                return
        ctx.report(
            self,
            test.node.name,
            "`caplog` is requested but its records are never checked: assert on `caplog.text` / "
            "`caplog.records`, or drop the fixture.",
            test=test,
        )

    def _results(self, ctx: FileContext, test: TestFunc, index: BodyIndex) -> None:
        for node in index.own:
            if type(node) is not cst.Assign:
                continue
            value = node.value.expression if isinstance(node.value, cst.Await) else node.value
            if not isinstance(value, cst.Call):
                continue
            names = self._unread(index, node)
            if not names:
                continue
            qualified = ctx.qualify(value.func, test) or ""
            if (
                qualified.startswith(NOT_AN_ACT)
                or "patch" in qualified
                or "mock" in qualified.lower()
            ):
                continue
            ctx.report(
                self,
                node,
                f"`{names[0]}` holds the result of `{last_segment(value.func) or 'the call'}(...)` "
                f"but is never checked: assert on it (or name it `_`).",
                test=test,
            )

    def _fakes(self, ctx: FileContext, test: TestFunc, index: BodyIndex) -> None:
        bindings: dict[str, cst.Assign] = {}
        fakes: list[cst.FunctionDef] = []
        for node in index.own:
            if type(node) is cst.Assign and is_container(node.value):
                for target in node.targets:
                    if isinstance(target.target, cst.Name):
                        bindings.setdefault(target.target.value, node)
            elif type(node) is cst.FunctionDef:
                fakes.append(node)
        if not bindings:
            return
        for fake in fakes:
            if len(index.names.get(fake.name.value, [])) < 2:
                continue  # the fake is never handed to anything (only its own def name)
            inside = {id(n) for n in all_nodes(fake)}
            for name in sorted(written_by(fake) & set(bindings)):
                if name.startswith("_"):
                    continue
                if not [n for n in index.loads(name) if id(n) not in inside]:
                    ctx.report(
                        self,
                        bindings[name],
                        f"`{name}` is filled by the fake `{fake.name.value}` but never checked: "
                        f"assert on `{name}` after the act.",
                        test=test,
                    )

    def _excinfo(self, ctx: FileContext, test: TestFunc, index: BodyIndex) -> None:
        tq105 = ctx.options.rule_settings.get("TQ105", {})
        broad = set(tq105.get("raises-require-match-for", BROAD_EXPECTATIONS) or ())
        for node in index.own:
            if type(node) is not cst.WithItem or not isinstance(node.item, cst.Call):
                continue
            if node.asname is None or not isinstance(node.asname.name, cst.Name):
                continue
            if expectation_kind(ctx, node.item, test) != "raises":
                continue
            if any(
                a.keyword is not None and a.keyword.value in ("match", "check")
                for a in node.item.args
            ):
                continue
            name = node.asname.name.value
            if set(expected_types(node.item)) & broad and not index.uses(name, [node.asname.name]):
                ctx.report(
                    self,
                    node.item,
                    f"`{name}` captures the exception but is never inspected: assert on "
                    f"`{name}.value` or add `match=...`.",
                    test=test,
                    severity="info",
                )


def written_by(fake: cst.FunctionDef) -> set[str]:
    """Enclosing-scope names a nested fake records into (`rv[k] = v`, `calls.append(x)`); names
    local to the fake (parameters, plain assignments) excluded."""
    params = fake.params
    local = {p.name.value for p in [*params.params, *params.kwonly_params, *params.posonly_params]}
    for star in (params.star_arg, params.star_kwarg):
        if isinstance(star, cst.Param):
            local.add(star.name.value)
    written: set[str] = set()
    for node in all_nodes(fake.body):
        if type(node) is cst.Assign:
            for target in node.targets:
                if isinstance(target.target, cst.Name):
                    local.add(target.target.value)
                elif isinstance(target.target, cst.Subscript):
                    root = root_name(target.target)
                    if root is not None:
                        written.add(root.value)
        elif (
            type(node) is cst.Call
            and isinstance(node.func, cst.Attribute)
            and node.func.attr.value in CONTAINER_WRITES
            and isinstance(node.func.value, cst.Name)
        ):
            written.add(node.func.value.value)
    return written - local


def is_container(value: cst.BaseExpression) -> bool:
    """`{}`, `[]`, `set()`, `dict()`, `defaultdict(list)`, ...: a value built to record into."""
    if isinstance(value, (cst.Dict, cst.List, cst.Set)):
        return True
    return isinstance(value, cst.Call) and last_segment(value.func) in CONTAINER_TYPES
