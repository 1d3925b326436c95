"""Family 1xx, expectation blocks: broad `pytest.raises(Exception)` (TQ105) and checks placed
after the raising call inside a raises block, which never run (TQ113)."""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from auditor.static.collect import TestFunc
from auditor.static.context import FileContext
from auditor.static.names import last_segment
from auditor.static.oracle import all_nodes
from auditor.static.rules._assertions_support import (
    BROAD_EXPECTATIONS,
    binding_names,
    body_index,
    contains_verification,
    expectation_kind,
    expected_types,
    is_docstring_or_pass,
    statements,
)
from auditor.static.rules.base import Example, Rule


def _raises_broad(value: cst.BaseExpression, broad: set[str]) -> bool:
    if isinstance(value, cst.Call):
        value = value.func
    return (last_segment(value) or "") in broad


class BroadExceptionExpectation(Rule):
    """What it does:
    Reports `pytest.raises(Exception)`, `self.assertRaises(BaseException)`, `pytest.warns(Warning)`
    (or a tuple containing such a type) with no `match=`/`check=`, whose exception info is never
    inspected afterwards. The broad types are configurable (`raises-require-match-for`,
    `warns-require-match-for`, like ruff's option of the same name).

    Why it matters:
    Any error satisfies the expectation — a `TypeError` from a typo, an `AttributeError` from a
    renamed method — so the test passes while the behaviour it names is broken.

    Example:
    def test_validate():
        with pytest.raises(Exception):
            validate(config)

    Use instead:
    def test_validate():
        with pytest.raises(ValueError, match="port must be positive"):
            validate(config)
    """

    code = "TQ105"
    name = "broad-exception-expectation"
    summary = "Expects any Exception without checking which one"
    severity = "warning"
    tier = "H"
    options = {
        "raises-require-match-for": list(BROAD_EXPECTATIONS),
        "warns-require-match-for": ["Warning"],
    }
    VALID = [
        "import pytest\n\ndef test_ok():\n    with pytest.raises(ValueError):\n        int('x')\n",
        Example(
            "import pytest\n\ndef test_match():\n    with pytest.raises(Exception, match='port'):\n"
            "        validate(1)\n",
            note="match= narrows the expectation",
        ),
        Example(
            "import pytest\n\ndef test_inspected():\n    with pytest.raises(Exception) as e:\n"
            "        validate(1)\n    assert e.value.args == ('bad',)\n",
            note="excinfo inspected (attrs tests/test_make.py:1899, requests test_utils.py:977)",
        ),
        Example(
            "import pytest\n\ndef test_legacy():\n"
            "    pytest.raises(Exception, validate, 1).match('port')\n",
            note="legacy call form with .match() (ruff #17026)",
        ),
        Example(
            "import pytest\n\ndef test_propagates(server):\n    with pytest.raises(Exception):\n"
            "        with server:\n            raise Exception('boom')\n",
            note="the body raises Exception itself (requests tests/test_testserver.py:147)",
        ),
        Example(
            "import pytest\n\ndef test_check():\n"
            "    with pytest.raises(Exception, check=lambda e: e.code == 4):\n"
            "        validate(1)\n",
            note="pytest >= 8.4 check=",
        ),
        Example(
            "import unittest\n\nclass T(unittest.TestCase):\n    def test_cm(self):\n"
            "        with self.assertRaises(Exception) as cm:\n            validate(1)\n"
            "        self.assertIn('port', str(cm.exception))\n",
            note="unittest context inspected",
        ),
        Example(
            "import pytest\n\ndef test_custom():\n    with pytest.raises(Exception):\n"
            "        validate(1)\n",
            config={"rules": {"TQ105": {"raises-require-match-for": ["BaseException"]}}},
            note="configured list without Exception",
        ),
    ]
    INVALID = [
        Example(
            "import pytest\n\ndef test_validate(c):\n    with pytest.raises(Exception):\n"
            "        validate(c)\n",
            lines=[4],
            note="attrs tests/test_make.py:1896",
        ),
        Example(
            "import pytest\n\ndef test_tuple():\n"
            "    with pytest.raises((ValueError, BaseException)) as e:\n"
            "        validate(1)\n",
            lines=[4],
        ),
        Example(
            "from pytest import raises\n\ndef test_legacy():\n    raises(Exception, validate, 1)\n",
            lines=[4],
        ),
        Example(
            "import unittest\n\nclass T(unittest.TestCase):\n    def test_u(self):\n"
            "        with self.assertRaises(Exception):\n            validate(1)\n",
            lines=[5],
        ),
        Example(
            "import pytest\n\ndef test_warn():\n    with pytest.warns(Warning):\n"
            "        old_api()\n",
            lines=[4],
        ),
    ]

    def check(self, ctx: FileContext) -> None:
        raises_broad = set(ctx.setting(self, "raises-require-match-for") or ())
        warns_broad = set(ctx.setting(self, "warns-require-match-for") or ())
        for test in ctx.tests:
            index = body_index(ctx, test)
            nodes = index.own
            in_with: set[int] = set()
            inspected_calls: set[int] = set()
            for node in nodes:
                if type(node) is cst.With:
                    for item in node.items:
                        in_with.add(id(item.item))
                        self._check(
                            ctx, test, item.item, item.asname, node.body, raises_broad, warns_broad
                        )
                elif type(node) is cst.Attribute:
                    inspected_calls.add(id(node.value))
            for node in nodes:
                if type(node) is cst.Assign and isinstance(node.value, cst.Call):
                    targets = [n for t in node.targets for n in binding_names(t.target)]
                    if any(index.uses(n.value, targets) for n in targets):
                        inspected_calls.add(id(node.value))
            for node in nodes:
                if (
                    type(node) is cst.Call
                    and id(node) not in in_with
                    and id(node) not in inspected_calls
                ):
                    positional = [a for a in node.args if a.keyword is None and a.star == ""]
                    if len(positional) >= 2:
                        self._check(ctx, test, node, None, None, raises_broad, warns_broad)

    def _check(
        self,
        ctx: FileContext,
        test: TestFunc,
        expr: cst.BaseExpression,
        asname: cst.AsName | None,
        body: cst.BaseSuite | None,
        raises_broad: set[str],
        warns_broad: set[str],
    ) -> None:
        if not isinstance(expr, cst.Call):
            return
        kind = expectation_kind(ctx, expr, test)
        if kind is None or "Regex" in (last_segment(expr.func) or ""):
            return
        broad = raises_broad if kind == "raises" else warns_broad
        found = [t for t in expected_types(expr) if t in broad]
        if not found:
            return
        if any(a.keyword is not None and a.keyword.value in ("match", "check") for a in expr.args):
            return
        if (
            asname is not None
            and isinstance(asname.name, cst.Name)
            and body_index(ctx, test).uses(asname.name.value, [asname.name])
        ):
            return
        if body is not None and any(
            type(n) is cst.Raise and n.exc is not None and _raises_broad(n.exc, broad)
            for n in all_nodes(body)
        ):
            return
        what = "warning" if kind == "warns" else "error"
        ctx.report(
            self,
            expr,
            f"Expecting `{found[0]}` accepts any {what}, including unrelated bugs: expect the"
            f" specific "
            f"type, or add `match=...` (or inspect the excinfo).",
            test=test,
        )


class UnreachableCheckInRaises(Rule):
    """What it does:
    Reports statements inside `with pytest.raises(...)` / `self.assertRaises(...)` that come after
    the first statement that can raise. An assertion there is an error; other statements a warning.

    Why it matters:
    When the expected exception is raised, the rest of the block is skipped: an `assert` placed
    after the raising call never runs, so the test passes without checking it. (`pytest.warns`
    blocks are not reported: a warning does not stop execution, so the code after it runs.)

    Example:
    def test_parse():
        with pytest.raises(ValueError) as exc:
            parse("x")
            assert "bad" in str(exc.value)

    Use instead:
    def test_parse():
        with pytest.raises(ValueError) as exc:
            parse("x")
        assert "bad" in str(exc.value)
    """

    code = "TQ113"
    name = "unreachable-check-in-raises"
    summary = "Check inside a raises block after the raising call never runs"
    severity = "info"  # held-out precision below the bar (docs/precision.md): info until fixed
    tier = "P"
    VALID = [
        "import pytest\n\ndef test_ok():\n    with pytest.raises(ValueError) as e:\n"
        "        int('x')\n"
        "    assert 'x' in str(e.value)\n",
        Example(
            "import pytest\n\ndef test_setup_first():\n    with pytest.raises(ValueError):\n"
            "        text = 'x'\n        int(text)\n",
            note="trivial assignments before the raising call",
        ),
        Example(
            "import pytest\n\ndef test_cm():\n    with pytest.raises(OSError):\n"
            "        with opened('f'):\n"
            "            pass\n",
            note="nested `with cm(): pass` as the single act (flake8-pytest-style #93)",
        ),
        Example(
            "import pytest\n\ndef test_iter():\n    with pytest.raises(StopIteration):\n"
            "        for _ in exhaust():\n            pass\n",
            note="`for` with an empty body",
        ),
        Example(
            "import pytest\n\ndef test_warns():\n    with pytest.warns(UserWarning):\n"
            "        old()\n"
            "        assert state() == 1\n",
            note="a warning does not stop execution",
        ),
        Example(
            "import pytest\n\ndef test_reenabled(cfg, disabled):\n"
            "    with pytest.raises(ValueError), disabled():\n        assert cfg.run is False\n"
            "        raise ValueError('haha')\n    assert cfg.run is True\n",
            note="a check before the raise is reachable (attrs tests/test_validators.py:97)",
        ),
        Example(
            "import pytest\n\ndef test_teardown(app, client):\n"
            "    with pytest.raises(ValueError, match='dummy'):\n        with app.app_context():\n"
            "            client.get('/')\n",
            note="nested `with` header is setup (flask tests/test_appctx.py:127)",
        ),
        Example(
            "import pytest\n\nasync def test_timeout(client):\n"
            "    with pytest.raises(TimeoutError):\n"
            "        data = b'*' * 1024 * 100\n        await client.put('/slow', content=data)\n",
            note="literal arithmetic cannot raise (httpx tests/test_timeouts.py:22)",
        ),
        Example(
            "import pytest\n\ndef test_pager(get_pager):\n    with pytest.raises(RuntimeError):\n"
            "        with get_pager() as pager:\n            pager.write('partial')\n"
            "            raise RuntimeError('boom')\n",
            note="setup then a deliberate `raise` (click tests/test_termui.py:1129)",
        ),
        Example(
            "import os, pytest\n\ndef test_unreadable(monkeypatch, path_type):\n"
            "    with pytest.raises(PermissionError):\n        with monkeypatch.context() as m:\n"
            "            m.setattr(os, 'access', lambda *a: False)\n"
            "            path_type.convert('p')\n",
            note="monkeypatch setup before the act (click tests/test_types/test_Path.py:128)",
        ),
    ]
    INVALID = [
        Example(
            "import pytest\n\ndef test_parse():\n    with pytest.raises(ValueError) as exc:\n"
            "        parse('x')\n        assert 'bad' in str(exc.value)\n",
            lines=[6],
        ),
        Example(
            "import pytest\n\ndef test_method_raises():\n    with pytest.raises(TypeError):\n"
            "        obj = build()\n        assert obj.method(1)\n",
            lines=[6],
            count=1,
            note="the last statement holds the raising call itself: a warning about two "
            "statements that can raise, not an unreachable check",
        ),
        Example(
            "import unittest\n\nclass T(unittest.TestCase):\n    def test_u(self):\n"
            "        with self.assertRaises(KeyError):\n            d = load()\n"
            "            d['missing']\n            self.assertEqual(len(d), 0)\n",
            lines=[7, 8],
            note="warning for the extra statement, error for the verification",
        ),
        Example(
            "import pytest\n\ndef test_two_calls():\n    with pytest.raises(ValueError):\n"
            "        cfg = load()\n        cfg.validate()\n",
            lines=[6],
        ),
        Example(
            "import pytest\n\ndef test_nested():\n    with pytest.raises(OSError):\n"
            "        with opened('f') as fh:\n            fh.read()\n"
            "            assert fh.closed\n",
            lines=[7],
            note="a nested `with` header is setup, the first statement in it is the act",
        ),
    ]

    def check(self, ctx: FileContext) -> None:
        for test in ctx.tests:
            for node in body_index(ctx, test).own:
                if type(node) is cst.With and any(
                    isinstance(i.item, cst.Call) and expectation_kind(ctx, i.item, test) == "raises"
                    for i in node.items
                ):
                    names = {
                        i.asname.name.value
                        for i in node.items
                        if i.asname is not None and isinstance(i.asname.name, cst.Name)
                    }
                    self._block(ctx, test, node.body, names)

    def _block(
        self, ctx: FileContext, test: TestFunc, body: cst.BaseSuite, as_names: set[str]
    ) -> None:
        units = list(_units(body))
        last = max(
            (
                i
                for i, (u, header) in enumerate(units)
                if not header and not is_docstring_or_pass(u)
            ),
            default=-1,
        )
        raised = False
        warned = False
        acts_after_first = 0
        for index, (unit, is_header) in enumerate(units):
            if not raised:
                raised = (
                    not is_header
                    and _can_raise(unit)
                    and not contains_verification(ctx, unit, test)
                )
                continue
            if is_header or is_docstring_or_pass(unit) or isinstance(unit, cst.Raise):
                continue  # a trailing `raise` is the deliberate trigger
            if contains_verification(ctx, unit, test):
                # `x = build(); assert x.method()` — the last statement may hold the raising
                # call itself: its check never completes, but the call runs
                may_be_the_act = (
                    index == last
                    and acts_after_first == 0
                    and _can_raise(unit)
                    and not _mentions(unit, as_names)
                )
                if may_be_the_act:
                    if not warned:
                        warned = True
                        ctx.report(self, unit, _TWO_RAISERS, test=test)
                    continue
                ctx.report(
                    self,
                    unit,
                    "This check never runs when the call above raises: move it after the "
                    "`with` block.",
                    test=test,
                )
            elif _can_raise(unit):
                acts_after_first += 1
                if not warned:
                    warned = True
                    ctx.report(self, unit, _TWO_RAISERS, test=test)


_TWO_RAISERS = (
    "More than one statement in this expectation block can raise, so the test also passes when "
    "an earlier one raises: keep only the call expected to raise inside the block."
)


def _mentions(unit: cst.CSTNode, names: set[str]) -> bool:
    return bool(names) and any(
        type(n) is cst.Name and n.value in names for n in [unit, *all_nodes(unit)]
    )


PATCH_SETUP = frozenset({"setattr", "setenv", "delenv", "setitem", "delitem", "syspath_prepend"})


def _units(body: cst.BaseSuite) -> Iterator[tuple[cst.CSTNode, bool]]:
    """Statements of a raises block in execution order, entering nested `with` blocks."""
    for stmt in statements(body):
        if isinstance(stmt, cst.With):
            yield stmt, True
            yield from _units(stmt.body)
        elif isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                yield small, False
        else:
            yield stmt, False


def _inert(expr: cst.CSTNode) -> bool:
    return not any(
        isinstance(n, (cst.Call, cst.Attribute, cst.Subscript, cst.Comparison, cst.Await))
        for n in [expr, *all_nodes(expr)]
    )


def _can_raise(unit: cst.CSTNode) -> bool:
    if is_docstring_or_pass(unit):
        return False
    if (
        isinstance(unit, cst.Expr)
        and isinstance(unit.value, cst.Call)
        and last_segment(unit.value.func) in PATCH_SETUP
    ):
        return False  # `m.setattr(...)`: arranging the failure, not the act
    if isinstance(unit, cst.Assign):
        return not _inert(unit.value) or not all(
            isinstance(t.target, cst.Name) for t in unit.targets
        )
    if isinstance(unit, cst.AnnAssign):
        return unit.value is not None and not _inert(unit.value)
    return True
