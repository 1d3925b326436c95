"""The static engine's fast paths give exactly what the plain paths give.

Speed work must not change a finding: the module-wide pre-order that serves every subtree walk,
the parse without libcst's per-node validation, and the suppression pre-check are each compared
here with the straightforward computation they replace.
"""

from __future__ import annotations

import ast

import libcst as cst

from auditor.static import walk
from auditor.static.context import _suppressions, parse_module
from auditor.static.facts import FileFacts

SOURCE = """
import pytest

@pytest.mark.parametrize("x", [1, 2])
def test_a(x, tmp_path):
    def helper(y):
        assert y
        return lambda z: z + 1
    class Local:
        def check(self):
            assert x
    try:
        helper(x)
    except (ValueError, KeyError) as exc:
        raise AssertionError(exc) from None
    else:
        pass
    finally:
        x = [i for i in range(3) if i]
    with open(tmp_path / "f") as f, pytest.raises(OSError):
        f.read()
    match x:
        case [1, *rest] if rest:
            assert rest
        case _:
            pass
    for i in range(2):
        while i:
            i -= 1
    else:
        assert {k: v for k, v in {}.items()} == {}

class TestB:
    @pytest.fixture
    def f(self):
        yield 1

    async def test_c(self, f):
        assert await something(f)  # noqa: E501
"""


def _plain(root: cst.CSTNode) -> tuple[list[cst.CSTNode], list[cst.CSTNode]]:
    walk.clear_memo()
    return list(walk.own_nodes(root)), list(walk.all_nodes(root))


def test_module_preorder_serves_the_same_walk_for_every_node() -> None:
    module = cst.parse_module(SOURCE)
    every = [module, *walk.all_nodes(module)]
    expected = {id(node): _plain(node) for node in every}
    walk.use_module(module)
    try:
        for node in every:
            own, full = expected[id(node)]
            assert [id(n) for n in walk.own_nodes(node)] == [id(n) for n in own]
            assert [id(n) for n in walk.all_nodes(node)] == [id(n) for n in full]
        outside = cst.parse_module("def g():\n    assert 1\n")  # not the registered module
        assert list(walk.all_nodes(outside)) == _plain(outside)[1]
    finally:
        walk.clear_memo()


def test_enclosing_statement_spans_are_the_same_through_the_module_preorder() -> None:
    module = cst.parse_module(SOURCE)
    index = walk.LineIndex(module, ast.parse(SOURCE))
    every = list(walk.all_nodes(module))
    walk.clear_memo()
    expected = [index.span(node, [module]) for node in every]  # searched from the root
    walk.use_module(module)
    try:
        assert [index.span(node, [module]) for node in every] == expected
    finally:
        walk.clear_memo()
    assert len(set(expected)) > 20  # expressions get their statements' spans, not one default


def test_unvalidated_parse_builds_the_same_tree_and_restores_validation() -> None:
    assert parse_module(SOURCE).deep_equals(cst.parse_module(SOURCE))
    try:  # nodes built outside the parse are still validated
        cst.Name("not a name")
    except cst.CSTValidationError:
        pass
    else:
        raise AssertionError("libcst validation stayed switched off after parse_module")


def test_suppression_precheck_finds_what_tokenising_finds() -> None:
    source = 'x = "auditor: ignore[TQ101]"  # noqa: E501\n'
    facts = FileFacts(path="t.py", module="t", is_conftest=False, is_test_module=True)
    _suppressions(source, facts)
    assert facts.suppressions == {}  # only inside a string: no suppression
    marked = source + "y = 1  # auditor: ignore[TQ102] -- flaky upstream\nz = 2  # NOQA: TQ103\n"
    facts = FileFacts(path="t.py", module="t", is_conftest=False, is_test_module=True)
    _suppressions(marked, facts)
    assert facts.suppressions == {2: ["TQ102"], 3: ["TQ103"]}
    assert facts.suppression_reasons == {2: "flaky upstream"}
