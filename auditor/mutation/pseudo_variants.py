"""Pseudo-tested variants (extreme mutation) as extra mutants behind mutmut's trampolines.

For each function mutmut put behind a trampoline, the generated file gets one more variant whose
whole body is a trivial `return` (None, or False/0/""/[]... from the return annotation):

    def x_f__mutmut_pseudo(a, b=None): return None
    mutants_x_f__mutmut['x_f__mutmut_pseudo'] = x_f__mutmut_pseudo

so `MUTANT_UNDER_TEST=pkg.mod.x_f__mutmut_pseudo` switches it on exactly like a mutmut mutant: in
the warm runner, in a fresh process, and in child processes the tests start. The variant keeps the
parameter list (defaults become None: binding errors stay errors) and is `async` when the function
is. Generators are not candidates (a `return` would change the protocol, not the result).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from auditor.mutation.scope import mutmut_scope_functions

PSEUDO_SUFFIX = "__mutmut_pseudo"

BY_ANNOTATION = {
    "bool": "False",
    "int": "0",
    "float": "0.0",
    "str": '""',
    "bytes": 'b""',
    "list": "[]",
    "dict": "{}",
    "set": "set()",
    "tuple": "()",
}


@dataclass
class Candidate:
    """A function whose body can be replaced by a trivial return."""

    path: str
    function: str  # `f` or `Class.method`
    mangled: str  # mutmut's key part: `x_f` or `xǁClassǁmethod`
    line: int
    body_start: int
    body_end: int
    indent: str
    replacement: str
    source: str
    node: ast.FunctionDef | ast.AsyncFunctionDef


def mangle(function: str) -> str:
    cls, _, func = function.rpartition(".")
    return f"xǁ{cls}ǁ{func}" if cls else f"x_{func}"


def candidates(path: str, text: str) -> list[Candidate]:
    """Top-level functions and methods of top-level classes (mutmut's scope), minus trivial ones."""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return []
    lines = text.splitlines()
    out = []
    for name, node in mutmut_scope_functions(tree):
        body = node.body
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            body = body[1:]  # keep the docstring
        if not body or body[0].lineno == node.lineno or _trivial(body) or _is_generator(node):
            continue
        start, end = body[0].lineno, node.end_lineno or body[-1].lineno
        indent = lines[start - 1][: len(lines[start - 1]) - len(lines[start - 1].lstrip())]
        out.append(
            Candidate(
                path,
                name,
                mangle(name),
                node.lineno,
                start,
                end,
                indent,
                replacement(node),
                "\n".join(lines[node.lineno - 1 : end]),
                node,
            )
        )
    return out


def _trivial(body: list[ast.stmt]) -> bool:
    if len(body) != 1:
        return False
    stmt = body[0]
    if isinstance(stmt, (ast.Pass, ast.Raise)):
        return True
    if isinstance(stmt, ast.Return):
        return stmt.value is None or isinstance(stmt.value, ast.Constant)
    return isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)


def _is_generator(node: ast.AST) -> bool:
    return any(isinstance(n, (ast.Yield, ast.YieldFrom)) for n in ast.walk(node))


def replacement(node: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    """`return None`, or the annotation's empty value when the function returns something."""
    returns_value = any(isinstance(n, ast.Return) and n.value is not None for n in ast.walk(node))
    if not returns_value:
        return "return None"
    annotation = ast.unparse(node.returns) if node.returns is not None else ""
    return f"return {BY_ANNOTATION.get(annotation.split('[')[0], 'None')}"


def _parameters(args: ast.arguments) -> str:
    """The parameter list without annotations, every default replaced by None."""

    def bare(arg: ast.arg) -> ast.arg:
        return ast.arg(arg=arg.arg)

    stripped = ast.arguments(
        posonlyargs=[bare(a) for a in args.posonlyargs],
        args=[bare(a) for a in args.args],
        vararg=bare(args.vararg) if args.vararg else None,
        kwonlyargs=[bare(a) for a in args.kwonlyargs],
        kw_defaults=[None if d is None else ast.Constant(None) for d in args.kw_defaults],
        kwarg=bare(args.kwarg) if args.kwarg else None,
        defaults=[ast.Constant(None) for _ in args.defaults],
    )
    return ast.unparse(stripped)


def _is_classmethod(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    return any(isinstance(d, ast.Name) and d.id == "classmethod" for d in node.decorator_list)


def variant_code(cand: Candidate) -> str:
    """The module-level code that registers the pseudo variant of one trampolined function."""
    name = cand.mangled + PSEUDO_SUFFIX
    prefix = "async def" if isinstance(cand.node, ast.AsyncFunctionDef) else "def"
    lines = [
        f"{prefix} {name}({_parameters(cand.node.args)}):  # auditor: pseudo-tested variant",
        f"    {cand.replacement}",
    ]
    if "." in cand.function and _is_classmethod(cand.node):
        cls = cand.function.split(".", 1)[0]
        lines.append(f"{cls}.{name} = classmethod({name})  # type: ignore")
    lines.append(f"mutants_{cand.mangled}__mutmut['{name}'] = {name}  # type: ignore")
    return "\n".join(lines)


def has_trampoline(code: str, mangled: str) -> bool:
    return f"mutants_{mangled}__mutmut: MutantDict" in code


def append_pseudo_variants(code: str, source: str, rel: Path) -> str:
    """mutmut's generated `code` for `rel` plus the pseudo variant of every trampolined candidate."""
    blocks = [
        variant_code(c)
        for c in candidates(rel.as_posix(), source)
        if has_trampoline(code, c.mangled)
    ]
    if not blocks:
        return code
    return code.rstrip("\n") + "\n\n\n" + "\n\n".join(blocks) + "\n"
