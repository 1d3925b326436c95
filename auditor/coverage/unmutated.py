"""Covered code that was never mutated, with the reason, and the share of covered code mutated.

A mutation score only speaks for the code that got mutants. mutmut 3.8 leaves whole functions
without any (its generator, `mutmut/mutation/file_mutation.py`, skips them by rule), and a scan
that says nothing about them presents partial evidence as complete: a module of `@property` and
`@functools.lru_cache` functions scores 100 % with weak tests. This module lists every such
function or statement that the tests executed, with the rule that excluded it, re-derived from
the generator's own logic (`MutationVisitor._skip_node_and_children`, `OuterFunctionProvider`,
`pragma_handling`):

| mutmut's rule | our reason |
|---|---|
| a function with decorators, except exactly one `@staticmethod`/`@classmethod` | `decorated with @X` |
| `# pragma: no mutate block` on the `def`/`class` line | `# pragma: no mutate block` |
| `# pragma: no mutate` on a statement inside a mutated function (bare, `start`..`end`) | `# pragma: no mutate` (one entry per line) |
| only top-level functions and methods of top-level classes are mutated | `nested class`, `defined inside a module-level block` |
| `__new__`, `__getattribute__`, `__setattr__` are never mutated | `mutmut never mutates X` |
| `__init__`/`_generate_next_value_` of Enum subclasses | `Enum creation hook` |
| a class whose body is on its `class` line | `one-line class body` |
| module- and class-level code runs at import, outside any trampoline | `module-level code` / `class body code` |
| a function in scope with no mutant at all | `no mutation operator applies` |
| every mutant of the function left unrun (arid lines, `max-mutants` budget, `--diff`) | `its N mutant(s) were not run: ...` |

Module- and class-level statements are listed only when they compute something (a call, a
comprehension, control flow): literal constants and imports are data, not logic.

`mutated_share` = covered statements inside functions with at least one mutant that ran / covered
statements inside all functions and methods, in percent (module- and class-level statements are
listed but not counted: mutmut's trampolines cannot switch code that ran at import).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from auditor.meta import MutationScope
from auditor.model import Unmutated

if TYPE_CHECKING:
    from auditor.model import Scorecard
    from auditor.project import Project

NEVER_MUTATED_NAMES = {"__getattribute__", "__setattr__", "__new__"}
ENUM_HOOKS = {"__init__", "_generate_next_value_"}
ENUM_BASES = {"Enum", "IntEnum", "StrEnum", "Flag", "IntFlag"}
TRAMPOLINE_OK = {"staticmethod", "classmethod"}
NO_OPERATOR = "no mutation operator applies to its code"
UNRUN = ("skipped", "pending")  # statuses of mutants no test verdict speaks for
_PRAGMA = re.compile(r"#\s*pragma:.*no mutate")


@dataclass
class FileScope:
    """What mutmut's rules say about one source file."""

    units: list[Unmutated] = field(
        default_factory=list
    )  # function-like units, reason "" = in scope
    unit_lines: dict[str, set[int]] = field(default_factory=dict)  # unit key -> statement lines
    statements: list[Unmutated] = field(default_factory=list)  # module/class-level statements
    pragma_lines: set[int] = field(default_factory=set)  # every `# pragma: no mutate` line


def _decorator_name(node: ast.expr) -> str:
    target = node.func if isinstance(node, ast.Call) else node
    try:
        return ast.unparse(target)
    except (ValueError, TypeError):  # pragma: no cover - unparse handles every expr
        return "a decorator"


def _statement_lines(node: ast.AST) -> set[int]:
    """First lines of the statements inside `node` (what coverage.py counts), docstrings and
    nested `def`/`class` headers included (they execute when the function runs)."""
    lines: set[int] = set()
    for child in ast.walk(node):
        if isinstance(child, ast.stmt) and child is not node:
            lines.add(child.lineno)
    return lines


def _pragma_lines(text: str) -> tuple[set[int], set[int]]:
    """(lines mutmut leaves alone because of a `# pragma: no mutate` comment, lines whose
    pragma is `block`). A bare pragma covers its line, `start`..`end` a region; `block` on a
    `def`/`class` line skips the whole function or class (mutmut's `ignore_node_lines`)."""
    lines: set[int] = set()
    blocks: set[int] = set()
    start: int | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if not _PRAGMA.search(line):
            continue
        tail = line.partition("no mutate")[2].strip(" :")
        if tail.startswith("start"):
            start = number
        elif tail.startswith("end") and start is not None:
            lines.update(range(start, number + 1))
            start = None
        else:
            lines.add(number)
            if tail.startswith("block"):
                blocks.add(number)
    return lines, blocks


def _function_reason(
    node: ast.FunctionDef | ast.AsyncFunctionDef, pragmas: set[int], enum_class: bool
) -> str:
    if node.lineno in pragmas:
        return "# pragma: no mutate block"
    if node.name in NEVER_MUTATED_NAMES:
        return f"mutmut never mutates {node.name}"
    if enum_class and node.name in ENUM_HOOKS:
        return f"Enum creation hook ({node.name}): mutmut does not mutate it"
    decorators = [_decorator_name(d) for d in node.decorator_list]
    if decorators and not (len(decorators) == 1 and decorators[0] in TRAMPOLINE_OK):
        shown = ", ".join(f"@{d}" for d in decorators)
        return f"decorated with {shown}: mutmut does not mutate decorated functions"
    return ""


def _computes(node: ast.stmt) -> bool:
    """A module/class-level statement that is logic rather than data or an import."""
    if isinstance(node, (ast.Import, ast.ImportFrom, ast.Pass)):
        return False
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
        return False  # docstring
    if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
        return False
    return any(
        isinstance(
            n, (ast.Call, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.Lambda)
        )
        for n in ast.walk(node)
    ) or isinstance(node, (ast.If, ast.For, ast.While, ast.Try, ast.With, ast.Match))


def _is_enum(node: ast.ClassDef) -> bool:
    for base in node.bases:
        name = base.attr if isinstance(base, ast.Attribute) else getattr(base, "id", "")
        if name in ENUM_BASES:
            return True
    return False


def _nested_functions(node: ast.AST) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    """Functions defined inside a module-level block (if/try/with/for), not inside functions."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield child
        elif isinstance(child, ast.stmt) and not isinstance(child, ast.ClassDef):
            yield from _nested_functions(child)


def file_scope(path: str, text: str) -> FileScope:
    """Every function-like unit of a file with mutmut's verdict on it ("" = mutmut mutates it)."""
    scope = FileScope()
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return scope
    pragmas, blocks = _pragma_lines(text)
    scope.pragma_lines = pragmas

    def unit(name: str, node: ast.AST, reason: str) -> None:
        scope.units.append(Unmutated(path, name, getattr(node, "lineno", 1), reason))
        scope.unit_lines[name] = _statement_lines(node)

    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            unit(node.name, node, _function_reason(node, blocks, False))
        elif isinstance(node, ast.ClassDef):
            class_pragma = node.lineno in blocks
            one_line = node.body and node.body[0].lineno == node.lineno
            enum_class = _is_enum(node)
            for item in node.body:
                name = f"{node.name}.{getattr(item, 'name', '')}"
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    if class_pragma:
                        reason = "# pragma: no mutate block (on the class)"
                    elif one_line:
                        reason = "one-line class body: mutmut does not mutate it"
                    else:
                        reason = _function_reason(item, blocks, enum_class)
                    unit(name, item, reason)
                elif isinstance(item, ast.ClassDef):
                    for inner in item.body:
                        if isinstance(inner, (ast.FunctionDef, ast.AsyncFunctionDef)):
                            unit(
                                f"{name}.{inner.name}",
                                inner,
                                "method of a nested class: mutmut mutates only top-level "
                                "functions and methods of top-level classes",
                            )
                elif isinstance(item, ast.stmt) and _computes(item):
                    scope.statements.append(
                        Unmutated(
                            path,
                            node.name,
                            item.lineno,
                            "class body code runs at import: mutmut mutates only inside functions",
                        )
                    )
        elif isinstance(node, ast.stmt):
            for func in _nested_functions(node):
                unit(
                    func.name,
                    func,
                    "defined inside a module-level block: mutmut mutates only top-level functions",
                )
            if _computes(node):
                scope.statements.append(
                    Unmutated(
                        path,
                        "<module>",
                        node.lineno,
                        "module-level code runs at import: mutmut mutates only inside functions",
                    )
                )
    return scope


@dataclass
class UnmutatedReport:
    """`items`: every covered, unmutated function or statement; `mutated_share`: percent (None
    when no covered function code exists); `covered`/`mutated`: the statement counts behind it."""

    items: list[Unmutated]
    covered: int
    mutated: int

    @property
    def mutated_share(self) -> float | None:
        return round(100.0 * self.mutated / self.covered, 1) if self.covered else None


def find_unmutated(
    files: Iterable[tuple[str, str]],
    missing_lines: dict[str, set[int]],
    mutated_functions: set[tuple[str, str]],
    not_run: dict[tuple[str, str], str] | None = None,
) -> UnmutatedReport:
    """`files`: (project-relative path, source text) of the files that were mutated;
    `missing_lines`: coverage.py's missing lines per path (a path absent = not measured, skipped);
    `mutated_functions`: (path, `f` or `Cls.method`) of every function with at least one mutant
    that ran; `not_run`: functions whose mutants were all left unrun, with the reason (budget,
    arid lines) — they count as unmutated: no verdict speaks for them.
    """
    not_run = not_run or {}
    items: list[Unmutated] = []
    covered_total = mutated_total = 0
    for path, text in files:
        if path not in missing_lines:
            continue
        missing = missing_lines[path]
        scope = file_scope(path, text)
        for unit in scope.units:
            lines = scope.unit_lines.get(unit.function, set())
            covered = len(lines - missing)
            if not covered:
                continue
            covered_total += covered
            if (path, unit.function) in mutated_functions:
                mutated_total += covered
                items.extend(
                    Unmutated(path, unit.function, line, "# pragma: no mutate", 1)
                    for line in sorted(lines & scope.pragma_lines - missing)
                )
                continue
            unit.reason = unit.reason or not_run.get((path, unit.function)) or NO_OPERATOR
            unit.covered_statements = covered
            items.append(unit)
        for statement in scope.statements:
            if statement.line not in missing:
                statement.covered_statements = 1
                items.append(statement)
    items.sort(key=lambda u: (u.path, u.line))
    return UnmutatedReport(items=items, covered=covered_total, mutated=mutated_total)


def attach(project: Project, card: Scorecard, only: Iterable[str] | None = None) -> None:
    """After the mutation stage: fill `card.unmutated` and `card.meta.mutation_scope`
    (`covered_statements`, `mutated_statements`: what `summary.mutated_share` is computed from).

    `only`: the source files mutated in this scan (PR mode); default every source file."""
    if not card.stage_ran("coverage"):
        return
    paths = list(only) if only is not None else [project.rel(p) for p in project.source_files()]
    missing = {m.path: set(m.missing_lines) for m in card.coverage}
    mutated = {(m.path, m.function) for m in card.mutants if m.function and m.status not in UNRUN}
    not_run: dict[tuple[str, str], str] = {}
    for m in card.mutants:
        key = (m.path, m.function)
        if m.function and m.status in UNRUN and key not in mutated and key not in not_run:
            count = sum(1 for o in card.mutants if (o.path, o.function) == key)
            not_run[key] = f"its {count} mutant(s) were not run: {m.reason or m.status}"
    report = find_unmutated(read_sources(project.root, paths), missing, mutated, not_run)
    card.unmutated = report.items
    card.meta.mutation_scope = MutationScope(report.covered, report.mutated)


def read_sources(root: Path, paths: Iterable[str]) -> list[tuple[str, str]]:
    out = []
    for rel in sorted(set(paths)):
        try:
            out.append((rel, (root / rel).read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError):
            continue
    return out
