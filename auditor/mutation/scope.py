"""Which functions mutmut mutates: top-level functions and methods of top-level classes.

One definition shared by the pseudo-tested pass and the property-test reach signal, so both count
the same functions mutmut does (docs/mutmut-internals.md: nested classes and module-level code are never
mutated; nested functions belong to their outer function).
"""

from __future__ import annotations

import ast

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef


def mutmut_scope_functions(tree: ast.Module) -> list[tuple[str, FunctionNode]]:
    """(qualified name like `f` or `Cls.method`, node) in source order."""
    found: list[tuple[str, FunctionNode]] = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found.append((node.name, node))
        elif isinstance(node, ast.ClassDef):
            found += [
                (f"{node.name}.{item.name}", item)
                for item in node.body
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))
            ]
    return found
