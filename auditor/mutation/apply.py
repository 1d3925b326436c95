"""Apply one mutmut mutant *by hand*: the original source with one function replaced, no trampolines.

mutmut writes every mutant of a function as a full copy of it in `mutants/<file>`
(`x_f__mutmut_3`, `xǁClassǁmethod__mutmut_3`), next to an untouched copy (`x_f__mutmut_orig`),
with their line ranges in `<file>.spans` (docs/mutmut-internals.md). `applied_source` reads the
mutant's copy, finds the function it was generated from in the ORIGINAL file (a top-level function,
or a method of a top-level class: mutmut's scope) and puts the mutant in its place with libcst,
keeping the original's name, decorators, leading comments and class context. The result is plain
Python a user could have written: nothing imports mutmut, nothing switches at call time.

Two checks make the result trustworthy (an `ApplyError` otherwise, naming what did not match):

- the function chosen in the original file has exactly the AST of mutmut's `__mutmut_orig` copy
  (so a stale workspace, or two same-named definitions, cannot pick the wrong one);
- after the replacement, the function in the new file has exactly the AST of mutmut's mutant copy
  (renamed), and nothing else in the file changed (`check_applied`).
"""

from __future__ import annotations

import ast
import copy
from dataclasses import dataclass
from pathlib import Path

import libcst as cst
from libcst.metadata import PositionProvider

from auditor.mutation.results import function_names, read_spans

ORIG_SUFFIX = "__mutmut_orig"


class ApplyError(Exception):
    """The mutant could not be applied by hand (the message says what did not match)."""


@dataclass(frozen=True)
class MutantName:
    """The parts of a mutmut mutant id such as `pkg.mod.xǁShopǁtotal__mutmut_3`.

    `module` is the importable module (`pkg.mod`), `cls` the top-level class or None, `func` the
    function name, `generated` the name of the mutant's copy in the mutated file
    (`xǁShopǁtotal__mutmut_3`) and `orig` that of the untouched copy (`xǁShopǁtotal__mutmut_orig`).
    """

    module: str
    cls: str | None
    func: str
    generated: str
    orig: str

    @property
    def qualified(self) -> str:
        """`func` or `Class.func`."""
        return f"{self.cls}.{self.func}" if self.cls else self.func


def parse_name(mutant_id: str) -> MutantName:
    """Split a mutmut mutant id; ValueError when it is not one."""
    key, sep, number = mutant_id.rpartition("__mutmut_")
    if not sep or not number:
        raise ValueError(f"not a mutmut mutant id: {mutant_id!r}")
    module, _, mangled = key.rpartition(".")
    cls, func = function_names(mangled)
    return MutantName(module, cls, func, f"{mangled}__mutmut_{number}", mangled + ORIG_SUFFIX)


@dataclass(frozen=True)
class Applied:
    """A source file with one mutant applied by hand.

    `code` is the whole new file; `line` the 1-based line of the replaced function's `def` (or of
    its first decorator) in the original file; `mutant_code` the mutant's function as it appears
    in `code`.
    """

    code: str
    line: int
    mutant_code: str


def _parse_function(
    source: str, name: str, is_method: bool, config: cst.PartialParserConfig
) -> cst.FunctionDef | None:
    """A function read out of the mutated file by itself (methods are indented: wrap them)."""
    text = ("class _:\n" + source) if is_method else source
    try:
        module = cst.parse_module(text, config)
    except cst.ParserSyntaxError:
        return None
    body: list[cst.CSTNode] = list(module.body)
    if is_method:
        if not body or not isinstance(body[0], cst.ClassDef):
            return None
        inner = body[0].body
        body = list(inner.body) if isinstance(inner, cst.IndentedBlock) else []
    for node in body:
        if isinstance(node, cst.FunctionDef) and node.name.value == name:
            return node
    return None


def _whole_file_function(mutated: cst.Module, cls: str | None, name: str) -> cst.FunctionDef | None:
    body: list[cst.CSTNode] = list(mutated.body)
    if cls is not None:
        classes = [n for n in body if isinstance(n, cst.ClassDef) and n.name.value == cls]
        if not classes or not isinstance(classes[-1].body, cst.IndentedBlock):
            return None
        body = list(classes[-1].body.body)
    found = [n for n in body if isinstance(n, cst.FunctionDef) and n.name.value == name]
    return found[-1] if found else None


def read_copies(
    mutants_dir: Path, source: str, name: MutantName, config: cst.PartialParserConfig
) -> tuple[cst.FunctionDef, cst.FunctionDef]:
    """(mutmut's `__mutmut_orig` copy, the mutant's copy) of `name` from `mutants/<source>`.

    Uses the `.spans` line index (parsing a megabyte mutated file is slow); falls back to parsing
    the whole file when the index is missing or does not match. ApplyError when either copy is
    not in the file.
    """
    path = mutants_dir / source
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ApplyError(f"cannot read mutmut's mutated file {path}: {exc}") from exc
    lines = text.splitlines(keepends=True)
    spans = read_spans(mutants_dir, source)
    copies: list[cst.FunctionDef | None] = []
    for generated in (name.orig, name.generated):
        span = spans.get(generated)
        node = None
        if span is not None:
            snippet = "".join(lines[span[0] - 1 : span[1]])
            node = _parse_function(snippet, generated, name.cls is not None, config)
        copies.append(node)
    if None in copies:
        module = cst.parse_module(text, config)
        copies = [_whole_file_function(module, name.cls, n) for n in (name.orig, name.generated)]
    orig, mutant = copies
    if orig is None or mutant is None:
        missing = name.orig if orig is None else name.generated
        raise ApplyError(f"{missing} is not in {path}: was the workspace regenerated?")
    return orig, mutant


def _function_ast(code: str) -> str:
    """The AST of one rendered function (no positions), for comparison."""
    tree = ast.parse(code)
    nodes = [n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    if len(nodes) != 1:
        raise ApplyError(f"expected one function, found {len(nodes)}")
    return ast.dump(nodes[0])


def _render(module: cst.Module, node: cst.FunctionDef, name: str) -> str:
    return module.code_for_node(node.with_changes(name=cst.Name(name), leading_lines=()))


def _candidates(module: cst.Module, name: MutantName) -> list[tuple[cst.FunctionDef, int]]:
    """Every definition mutmut could have mutated for `name`, with its index among siblings."""
    body: list[cst.CSTNode] = list(module.body)
    if name.cls is not None:
        body = []
        for node in module.body:
            if (
                isinstance(node, cst.ClassDef)
                and node.name.value == name.cls
                and isinstance(node.body, cst.IndentedBlock)
            ):
                body += list(node.body.body)
    return [
        (node, i)
        for i, node in enumerate(body)
        if isinstance(node, cst.FunctionDef) and node.name.value == name.func
    ]


def applied_source(original_code: str, mutants_dir: Path, source: str, mutant_id: str) -> Applied:
    """The original file `source` (its text `original_code`) with mutant `mutant_id` applied.

    ApplyError when the mutant's copies are missing, no function of the original matches mutmut's
    unmutated copy, or the result is not exactly the mutant (see the module docstring).
    """
    name = parse_name(mutant_id)
    try:
        module = cst.parse_module(original_code)
    except cst.ParserSyntaxError as exc:
        raise ApplyError(f"{source} does not parse: {exc}") from exc
    config = module.config_for_parsing
    orig_copy, mutant_copy = read_copies(mutants_dir, source, name, config)
    wanted = _function_ast(_render(module, orig_copy, name.func))
    matches = [
        node
        for node, _ in _candidates(module, name)
        if _function_ast(_render(module, node, name.func)) == wanted
    ]
    if not matches:
        raise ApplyError(
            f"no {name.qualified} in {source} matches the function mutmut mutated: the source "
            f"changed since the mutants were generated"
        )
    target = matches[-1]  # the definition that wins at import, as mutmut's
    replacement = mutant_copy.with_changes(
        name=target.name,
        decorators=target.decorators,
        leading_lines=target.leading_lines,
        lines_after_decorators=target.lines_after_decorators,
    )
    new_module = module.deep_replace(target, replacement)
    assert isinstance(new_module, cst.Module)
    code = new_module.code
    mutant_code = new_module.code_for_node(replacement)
    check_applied(original_code, code, mutant_code, _render(module, mutant_copy, name.func))
    wrapper = cst.MetadataWrapper(module, unsafe_skip_copy=True)
    line = wrapper.resolve(PositionProvider)[target].start.line
    return Applied(code=code, line=line, mutant_code=mutant_code)


def check_applied(original: str, applied: str, applied_function: str, mutant_function: str) -> None:
    """ApplyError unless `applied` is `original` with exactly one function replaced by the mutant.

    `applied_function` is the function as written into `applied`; `mutant_function` mutmut's
    mutant copy renamed to the original name. Compares ASTs: the replaced function must equal the
    mutant, and every other top-level statement (and class member) must be unchanged.
    """
    if _function_ast(applied_function) != _function_ast(mutant_function):
        raise ApplyError("the function written into the copy is not mutmut's mutant")
    before, after = _flat(ast.parse(original)), _flat(ast.parse(applied))
    if len(before) != len(after):
        raise ApplyError("applying the mutant changed the number of statements in the file")
    changed = [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
    if len(changed) != 1 or after[changed[0]] != _function_ast(mutant_function):
        raise ApplyError(f"applying the mutant changed {len(changed)} definitions, not one")


def _flat(tree: ast.Module) -> list[str]:
    """Top-level statements, with classes split into their members (for `check_applied`)."""
    out: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            shell = copy.copy(node)
            shell.body = []
            out.append(ast.dump(shell))
            out += [ast.dump(member) for member in node.body]
        else:
            out.append(ast.dump(node))
    return out
