"""Did an example run the mutated code, and what did the function hold when it returned?

A search that never runs the mutated statement has compared nothing about the mutant, so such
examples are not evidence of equivalence. mutmut keeps the untouched function (`..__mutmut_orig`)
and each mutant (`..__mutmut_N`) as separate functions in the trampolined module; the lines where
the two differ are the *mutation site*. An example *reaches* the mutant when a line of the smallest
statement holding the change runs in the mutant function (or in a function nested in it); when
the change is in the signature (a default value), calling the mutant is enough.

The same trace records the mutated function's local variables when it returns (on the outermost
return). Equal results with different locals mean the mutant changed something that never reached
the result (an argparse help string stored in a parser the function drops): the search learns
nothing more from such inputs and stops early (`evidence.py`).

Tracing uses `sys.settrace` for the duration of one call (Python 3.10-3.13 alike); the global
trace function is called on every Python call but returns None except for the mutant's code.
"""

from __future__ import annotations

import ast
import difflib
import inspect
import re
import sys
import textwrap
import types
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

_MANGLED = re.compile(r"__mutmut_(orig|\d+)")


@dataclass(frozen=True)
class MutationSite:
    """Where the mutant differs from the original: code objects and absolute line numbers.

    `lines` is None when the change is in the signature (reaching = calling the mutant).
    """

    mutant_codes: frozenset[types.CodeType]
    mutant_top: types.CodeType
    original_top: types.CodeType
    lines: frozenset[int] | None
    description: str = ""
    defaults: frozenset[str] = frozenset()  # parameters whose default value the mutant changed

    def reached_by(self, watch: Watch, passed: Collection[str]) -> bool:
        """Did a call that passed the arguments named in `passed` run the mutated code?

        A changed default only matters when its parameter is not passed."""
        if not watch.reached:
            return False
        return not self.defaults or any(name not in passed for name in self.defaults)


def _code_of(func: Any) -> types.CodeType | None:
    func = getattr(func, "__func__", func)
    func = inspect.unwrap(func)
    code = getattr(func, "__code__", None)
    return code if isinstance(code, types.CodeType) else None


def nested_codes(code: types.CodeType) -> Iterator[types.CodeType]:
    """`code` and every code object defined inside it (lambdas, comprehensions, closures)."""
    yield code
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from nested_codes(const)


def locate(original: Any, mutant: Any) -> MutationSite | None:
    """The mutation site of `mutant` against `original` (two functions), or None when either
    has no Python source or the two cannot be told apart by their source lines."""
    orig_code, mut_code = _code_of(original), _code_of(mutant)
    if orig_code is None or mut_code is None:
        return None
    try:
        orig_lines, _ = inspect.getsourcelines(getattr(original, "__func__", original))
        mut_lines, mut_start = inspect.getsourcelines(getattr(mutant, "__func__", mutant))
    except (OSError, TypeError):
        return None
    a = [_MANGLED.sub("__mutmut_N", line) for line in orig_lines]
    b = [_MANGLED.sub("__mutmut_N", line) for line in mut_lines]
    changed: set[int] = set()
    for tag, _i1, _i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag != "equal":
            changed.update(range(j1, max(j2, j1 + 1)))
    if not changed:
        return None
    codes = frozenset(nested_codes(mut_code))
    first, last = min(changed) + mut_start, max(changed) + mut_start
    statement = _statement_lines(mut_lines, mut_start, first, last)
    defaults = _changed_defaults(original, mutant) if statement is None else frozenset()
    where = f"lines {first}-{last}"
    if statement is None:
        where = f"the default of {', '.join(sorted(defaults))}" if defaults else "the signature"
    return MutationSite(
        mutant_codes=codes,
        mutant_top=mut_code,
        original_top=orig_code,
        lines=statement,
        description=where,
        defaults=defaults,
    )


def _changed_defaults(original: Any, mutant: Any) -> frozenset[str]:
    try:
        a = inspect.signature(getattr(original, "__func__", original)).parameters
        b = inspect.signature(getattr(mutant, "__func__", mutant)).parameters
    except (TypeError, ValueError):
        return frozenset()
    changed = set()
    for name, param in b.items():
        other = a.get(name)
        if other is None or other.default is param.default:
            continue
        try:
            same = type(other.default) is type(param.default) and bool(
                other.default == param.default
            )
        except Exception:
            same = False
        if not same:
            changed.add(name)
    return frozenset(changed)


def _statement_lines(source: list[str], start: int, first: int, last: int) -> frozenset[int] | None:
    """Lines of the innermost statement spanning [first, last]; None for a signature change."""
    try:
        tree = ast.parse(textwrap.dedent("".join(source)))
    except SyntaxError:
        return frozenset(range(first, last + 1))
    func = next(
        (n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))), None
    )
    if func is None or not func.body:
        return frozenset(range(first, last + 1))
    offset = start - 1
    body_start = func.body[0].lineno + offset
    if first < body_start:
        return None
    best: ast.stmt | None = None
    for node in ast.walk(func):
        if not isinstance(node, ast.stmt) or node is func:
            continue
        lo, hi = node.lineno + offset, (node.end_lineno or node.lineno) + offset
        smaller = best is None or (hi - lo) < (best.end_lineno or best.lineno) - best.lineno
        if lo <= first and last <= hi and smaller:
            best = node
    if best is None:
        return frozenset(range(first, last + 1))
    return frozenset(range(best.lineno + offset, (best.end_lineno or best.lineno) + offset + 1))


@dataclass
class Watch:
    """What one traced call saw: `reached` (the mutation site ran) and `locals` (a structural
    picture of the mutated function's variables at its outermost return, if asked for)."""

    reached: bool = False
    locals: Any = None
    returns: int = field(default=0, repr=False)


@contextmanager
def watching(
    site: MutationSite | None,
    side: str,
    want_locals: bool,
    picture: Callable[[Any], Any],
) -> Iterator[Watch]:
    """Trace one call on `side` ("original" or "mutant"): reach on the mutant side, locals on
    either side when `want_locals`. A None site traces nothing (reached stays False)."""
    watch = Watch()
    if site is None or (side == "original" and not want_locals):
        yield watch
        return
    top = site.mutant_top if side == "mutant" else site.original_top
    codes = site.mutant_codes if side == "mutant" else frozenset((top,))
    lines = site.lines if side == "mutant" else frozenset()
    depth = [0]

    def local(frame: types.FrameType, event: str, arg: Any) -> Any:
        if event == "line":
            if lines is not None and frame.f_lineno in lines:
                watch.reached = True
        elif event == "return" and frame.f_code is top:
            depth[0] -= 1
            if want_locals and depth[0] == 0:
                try:
                    watch.locals = picture(dict(frame.f_locals))
                except Exception:
                    watch.locals = ("<unrepresentable>",)
        return local

    def global_(frame: types.FrameType, event: str, arg: Any) -> Any:
        code = frame.f_code
        if code in codes:
            if side == "mutant" and lines is None:
                watch.reached = True
            if code is top:
                depth[0] += 1
            return local
        return None

    previous = sys.gettrace()
    sys.settrace(global_)
    try:
        yield watch
    finally:
        sys.settrace(previous)
