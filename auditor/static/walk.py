"""Fast traversal of libcst trees, and line numbers without libcst's PositionProvider.

Why: libcst's `node.children` runs a visitor per call and `PositionProvider` re-generates the whole
module's code; on a 6,000-line test file they cost ~3 s, more than parsing. Here children come from
the dataclass fields (skipping whitespace/punctuation fields), and line numbers come from the stdlib
`ast` tree of the same source, matched statement by statement (a cheap parallel walk). A node that
is not a statement is located by finding its innermost enclosing statement (done only on report).
"""

from __future__ import annotations

import ast
import dataclasses
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import libcst as cst

_SKIP_PREFIXES = (
    "whitespace",
    "lpar",
    "rpar",
    "comma",
    "semicolon",
    "leading_lines",
    "lines_after_decorators",
    "trailing_whitespace",
    "header",
    "footer",
    "newline",
    "first_line",
    "empty_lines",
    "equal",
    "colon",
    "star",
    "dot",
    "default_indent",
    "default_newline",
    "encoding",
    "indent",
    "asynchronous",
)
_FIELDS: dict[type, tuple[str, ...]] = {}


def _fields(cls: type) -> tuple[str, ...]:
    names = _FIELDS.get(cls)
    if names is None:
        names = tuple(
            f.name for f in dataclasses.fields(cls) if not f.name.startswith(_SKIP_PREFIXES)
        )
        _FIELDS[cls] = names
    return names


_IS_NODE: dict[type, bool] = {}


def _is_node_type(cls: type) -> bool:
    known = _IS_NODE.get(cls)
    if known is None:
        known = _IS_NODE[cls] = issubclass(cls, cst.CSTNode)
    return known


def children(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """Child nodes in field order (source order for the node types rules care about).

    Type checks go through a per-class cache: `isinstance(x, CSTNode)` is an ABC check and was
    the single hottest call on big files."""
    for name in _fields(type(node)):
        value = getattr(node, name)
        cls = type(value)
        if cls is tuple or cls is list:
            for item in value:
                if _is_node_type(type(item)):
                    yield item
        elif _is_node_type(cls):
            yield value


_NESTED_SCOPES = frozenset({cst.FunctionDef, cst.Lambda, cst.ClassDef})  # exact types: no ABC check

# Per-file memo of traversals: many rules walk the same test bodies; one walk serves them all.
# Keyed by id(root) with the root kept alive in the value, cleared by `clear_memo()` per file.
_OWN_MEMO: dict[int, tuple[cst.CSTNode, list[cst.CSTNode]]] = {}
_ALL_MEMO: dict[int, tuple[cst.CSTNode, list[cst.CSTNode]]] = {}
# The file's module (registered by `use_module`) and, once a walk is asked for, its pre-order.
_MODULE: list[cst.Module] = []
_PREORDER: list[_Preorder] = []


def clear_memo() -> None:
    _OWN_MEMO.clear()
    _ALL_MEMO.clear()
    _MODULE.clear()
    _PREORDER.clear()


def use_module(module: cst.Module) -> None:
    """Serve the walks of nodes inside `module` from one pre-order walk of the whole module
    (until `clear_memo()`). A subtree's pre-order is a contiguous slice of its module's, so every
    test body, handler and loop body costs a slice instead of a walk of its own; the result is
    the same list, node for node. Roots outside `module` are walked as before."""
    clear_memo()
    _MODULE.append(module)


class _Preorder:
    """Pre-order of a module's nodes (the module itself excluded): the nodes under `order[i]`
    are `order[i + 1 : end[i]]`; `where` maps id(node) -> i."""

    __slots__ = ("end", "order", "parent", "where")

    def __init__(self, module: cst.Module) -> None:
        order: list[cst.CSTNode] = []
        parent: list[int] = []
        kids = list(children(module))
        kids.reverse()
        stack: list[tuple[cst.CSTNode, int]] = [(k, -1) for k in kids]
        while stack:
            node, up = stack.pop()
            index = len(order)
            order.append(node)
            parent.append(up)
            kids = list(children(node))
            kids.reverse()
            stack.extend((k, index) for k in kids)
        end = list(range(1, len(order) + 1))
        for index in range(len(order) - 1, -1, -1):  # children come after their parent
            up = parent[index]
            if up >= 0 and end[index] > end[up]:
                end[up] = end[index]
        self.order = order
        self.end = end
        self.parent = parent
        # id -> first position (a node object met twice would be found where a walk meets it)
        positions = range(len(order) - 1, -1, -1)
        self.where = dict(zip(map(id, reversed(order)), positions, strict=True))

    def own(self, start: int, stop: int) -> list[cst.CSTNode]:
        """Nodes of order[start:stop] outside nested def/lambda/class scopes (a nested scope's
        own node is included, its inside skipped)."""
        order, end = self.order, self.end
        out: list[cst.CSTNode] = []
        index = start
        while index < stop:
            node = order[index]
            out.append(node)
            index = end[index] if type(node) in _NESTED_SCOPES else index + 1
        return out


def _preorder() -> _Preorder | None:
    if not _MODULE:
        return None
    if not _PREORDER:
        _PREORDER.append(_Preorder(_MODULE[0]))
    return _PREORDER[0]


def _span_of(root: cst.CSTNode) -> tuple[_Preorder, int, int] | None:
    """(pre-order, start, stop) of the nodes under `root` when it lies in the registered module."""
    tree = _preorder()
    if tree is None:
        return None
    if root is _MODULE[0]:
        return tree, 0, len(tree.order)
    index = tree.where.get(id(root))
    if index is None or tree.order[index] is not root:
        return None
    return tree, index + 1, tree.end[index]


def _ancestors(node: cst.CSTNode) -> list[cst.CSTNode] | None:
    """The nodes enclosing `node` in the registered module, nearest first (the module itself
    excluded); None when `node` is not in it."""
    tree = _preorder()
    if tree is None:
        return None
    index = tree.where.get(id(node))
    if index is None or tree.order[index] is not node:
        return None
    out: list[cst.CSTNode] = []
    up = tree.parent[index]
    while up >= 0:
        out.append(tree.order[up])
        up = tree.parent[up]
    return out


def _walk(root: cst.CSTNode, stop_at_scopes: bool) -> list[cst.CSTNode]:
    out: list[cst.CSTNode] = []
    stack = list(children(root))
    stack.reverse()
    while stack:
        node = stack.pop()
        out.append(node)
        if stop_at_scopes and type(node) in _NESTED_SCOPES:
            continue
        kids = list(children(node))
        kids.reverse()
        stack.extend(kids)
    return out


def _walk_both(root: cst.CSTNode) -> None:
    """One pre-order traversal that fills both memos: every node, and the nodes outside nested
    def/lambda/class scopes (a nested scope's own node is included, its inside is not). Rules ask
    for both views of the same test body; walking once halves the cost."""
    own: list[cst.CSTNode] = []
    every: list[cst.CSTNode] = []
    kids = list(children(root))
    kids.reverse()
    stack: list[tuple[cst.CSTNode, bool]] = [(k, True) for k in kids]
    while stack:
        node, is_own = stack.pop()
        every.append(node)
        if is_own:
            own.append(node)
        inner = is_own and type(node) not in _NESTED_SCOPES
        kids = list(children(node))
        kids.reverse()
        stack.extend((k, inner) for k in kids)
    _OWN_MEMO[id(root)] = (root, own)
    _ALL_MEMO[id(root)] = (root, every)


def own_nodes(root: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """Every node under `root` (pre-order), not descending into nested def/lambda/class."""
    hit = _OWN_MEMO.get(id(root))
    if hit is None or hit[0] is not root:
        span = _span_of(root)
        if span is None:
            _walk_both(root)
        else:
            tree, start, stop = span
            _OWN_MEMO[id(root)] = (root, tree.own(start, stop))
        hit = _OWN_MEMO[id(root)]
    return iter(hit[1])


def all_nodes(root: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """Every node under `root` (pre-order), including nested scopes."""
    hit = _ALL_MEMO.get(id(root))
    if hit is None or hit[0] is not root:
        span = _span_of(root)
        if span is None:
            _walk_both(root)
        else:
            tree, start, stop = span
            _ALL_MEMO[id(root)] = (root, tree.order[start:stop])
        hit = _ALL_MEMO[id(root)]
    return iter(hit[1])


@dataclass(frozen=True)
class Span:
    line: int
    column: int  # 0-based, like libcst CodePosition
    end_line: int
    end_column: int


def _stmt_span(node: ast.stmt) -> Span:
    return Span(
        node.lineno, node.col_offset, node.end_lineno or node.lineno, node.end_col_offset or 0
    )


class LineIndex:
    """id(libcst statement or small statement) -> Span, built by walking the `ast` tree alongside."""

    def __init__(self, module: cst.Module, tree: ast.Module) -> None:
        self.spans: dict[int, Span] = {}
        self.names: dict[int, Span] = {}
        self._walk(list(module.body), list(tree.body))

    def _walk(self, cst_body: Sequence[cst.CSTNode], ast_body: list[ast.stmt]) -> None:
        index = 0
        for stmt in cst_body:
            if isinstance(stmt, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
                count = len(stmt.body)
                group = ast_body[index : index + count]
                index += count
                if not group:
                    continue
                first, last = group[0], group[-1]
                self.spans[id(stmt)] = Span(
                    first.lineno,
                    first.col_offset,
                    last.end_lineno or last.lineno,
                    last.end_col_offset or 0,
                )
                for small, node in zip(stmt.body, group, strict=False):
                    self.spans[id(small)] = _stmt_span(node)
                continue
            if index >= len(ast_body):
                return
            node = ast_body[index]
            index += 1
            self._compound(stmt, node)

    def _suite(self, suite: cst.BaseSuite, body: list[ast.stmt]) -> None:
        if isinstance(suite, cst.IndentedBlock):
            self._walk(list(suite.body), body)
        elif isinstance(suite, cst.SimpleStatementSuite):
            self._walk([suite], body)

    def _compound(self, stmt: cst.CSTNode, node: ast.stmt) -> None:
        span = _stmt_span(node)
        if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
            decorators = getattr(node, "decorator_list", [])
            start = min([d.lineno for d in decorators] + [node.lineno])
            self.spans[id(stmt)] = Span(start, node.col_offset, span.end_line, span.end_column)
            name_col = node.col_offset + (
                len("async def ")
                if isinstance(node, ast.AsyncFunctionDef)
                else len("def ")
                if isinstance(node, ast.FunctionDef)
                else len("class ")
            )
            self.spans[id(stmt.name)] = Span(
                node.lineno, name_col, node.lineno, name_col + len(stmt.name.value)
            )
            for deco, ast_deco in zip(stmt.decorators, decorators, strict=False):
                self.spans[id(deco)] = Span(
                    ast_deco.lineno,
                    max(ast_deco.col_offset - 1, 0),
                    ast_deco.end_lineno or ast_deco.lineno,
                    ast_deco.end_col_offset or 0,
                )
            self._suite(stmt.body, node.body)  # type: ignore[attr-defined]
            return
        self.spans[id(stmt)] = span
        if isinstance(stmt, cst.If) and isinstance(node, ast.If):
            self._suite(stmt.body, node.body)
            orelse = stmt.orelse
            if isinstance(orelse, cst.If) and node.orelse:
                self._compound(orelse, node.orelse[0])
            elif isinstance(orelse, cst.Else):
                self.spans[id(orelse)] = _stmt_span(node.orelse[0]) if node.orelse else span
                self._suite(orelse.body, node.orelse)
        elif isinstance(stmt, (cst.For, cst.While)) and isinstance(
            node, (ast.For, ast.AsyncFor, ast.While)
        ):
            self._suite(stmt.body, node.body)
            if stmt.orelse is not None:
                self._suite(stmt.orelse.body, node.orelse)
        elif isinstance(stmt, cst.With) and isinstance(node, (ast.With, ast.AsyncWith)):
            for item, ast_item in zip(stmt.items, node.items, strict=False):
                expr = ast_item.context_expr
                self.spans[id(item)] = Span(
                    expr.lineno,
                    expr.col_offset,
                    expr.end_lineno or expr.lineno,
                    expr.end_col_offset or 0,
                )
            self._suite(stmt.body, node.body)
        elif isinstance(stmt, (cst.Try, cst.TryStar)) and isinstance(
            node, (ast.Try, getattr(ast, "TryStar", ast.Try))
        ):
            self._suite(stmt.body, node.body)  # type: ignore[attr-defined]
            handlers: Sequence[cst.ExceptHandler | cst.ExceptStarHandler] = stmt.handlers
            for handler, ast_handler in zip(handlers, node.handlers, strict=False):  # type: ignore[attr-defined]
                self.spans[id(handler)] = _stmt_span(ast_handler)
                self._suite(handler.body, ast_handler.body)
            if stmt.orelse is not None:
                self._suite(stmt.orelse.body, node.orelse)  # type: ignore[attr-defined]
            if stmt.finalbody is not None:
                self._suite(stmt.finalbody.body, node.finalbody)  # type: ignore[attr-defined]
        elif isinstance(stmt, cst.Match) and hasattr(ast, "Match") and isinstance(node, ast.Match):
            for case, ast_case in zip(stmt.cases, node.cases, strict=False):
                self._suite(case.body, ast_case.body)

    def span(self, node: cst.CSTNode, roots: Sequence[cst.CSTNode]) -> Span:
        """Span of a statement, or of the innermost indexed node that encloses `node`."""
        found = self.spans.get(id(node))
        if found is not None:
            return found
        ancestors = _ancestors(node)
        if ancestors is not None:  # the nearest indexed ancestor, as the search below finds it
            for ancestor in ancestors:
                found = self.spans.get(id(ancestor))
                if found is not None:
                    return found
            return Span(1, 0, 1, 0)
        for root in roots:
            path = _find_path(root, node)
            if path:
                for ancestor in reversed(path):
                    found = self.spans.get(id(ancestor))
                    if found is not None:
                        return found
        return Span(1, 0, 1, 0)


def _find_path(root: cst.CSTNode, target: cst.CSTNode) -> list[cst.CSTNode] | None:
    """Ancestors of `target` under `root` (root first), or None."""
    stack: list[tuple[cst.CSTNode, int]] = [(root, 0)]
    path: list[cst.CSTNode] = []
    while stack:
        node, depth = stack.pop()
        del path[depth:]
        path.append(node)
        if node is target:
            return path[:-1]
        kids = list(children(node))
        for kid in reversed(kids):
            stack.append((kid, depth + 1))
    return None
