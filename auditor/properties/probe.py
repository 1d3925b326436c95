"""Compare returned functions by calling them: closures, decorators, factories.

Two closures made by the original and the mutant look alike to any structural comparison (same
qualified name, same attributes), so a mutant inside a function that returns a function was
"likely equivalent" on every input (cachetools: all 10 claims). Here each returned callable is
called with the same arguments on both sides and the results are compared, one level further
when a call returns a callable again (a decorator factory returns a decorator, which returns the
wrapper). A parameter named like a function (`func`, `f`, `user_function`, ... or hinted
`Callable`) receives a *probe*: a plain function that records its calls and returns how many it
has had, so caching and call-count behaviour shows in the comparison and in the generated test.

Every step is recorded in a transcript that `render_transcript` turns into test lines.
"""

from __future__ import annotations

import collections.abc
import functools
import inspect
import sys
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

MAX_DEPTH = 2
CALLS_PER_PROBE = 2  # each argument tuple twice: caches and counters show on the second call
FUNCTION_NAMES = frozenset(
    {"func", "f", "fn", "function", "method", "user_function", "wrapped", "callback", "cb"}
)


class _ProbeMarker:
    def __repr__(self) -> str:
        return "probe"


PROBE = _ProbeMarker()  # stands for the probe function in a transcript's arguments


def make_probe() -> tuple[Callable[..., int], list[tuple[tuple[Any, ...], dict[str, Any]]]]:
    """A fresh probe function and the list its calls go to (exactly what the test defines)."""
    calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = []

    def probe(*args: Any, **kwargs: Any) -> int:
        calls.append((args, kwargs))
        return len(calls)

    return probe, calls


def is_probeable(value: Any) -> bool:
    """A callable compared by calling it: a Python function, closure or bound method (or a
    `functools.partial` of one) defined outside the standard library. Builtins and stdlib
    functions (`os.remove`, `print`) are never called with generated arguments; two such
    results compare by identity."""
    if isinstance(value, functools.partial):
        value = value.func
    if not (inspect.isfunction(value) or inspect.ismethod(value)):
        return False
    top = (getattr(value, "__module__", "") or "").partition(".")[0]
    return top not in getattr(sys, "stdlib_module_names", ()) and top != "builtins"


@dataclass
class Step:
    """One call in a transcript: `callee` (a variable), the arguments, and what happened."""

    callee: str
    args: tuple[Any, ...]
    kind: str  # "return" | "raise" | "callable" (returned a callable, bound to `var`)
    value: Any = None
    exc_type: type[BaseException] | None = None
    exc_message: str = ""
    var: str = ""


@dataclass
class Transcript:
    steps: list[Step] = field(default_factory=list)
    calls: list[Any] | None = None  # the probe's calls, when the probe was passed
    conclusive: bool = False  # some call returned a value, or raised other than TypeError

    def uses_probe(self) -> bool:
        return self.calls is not None


def _wants_function(param: inspect.Parameter) -> bool:
    hint = param.annotation
    origin = typing.get_origin(hint)
    is_callable_hint = hint is collections.abc.Callable or origin is collections.abc.Callable
    return param.name in FUNCTION_NAMES or is_callable_hint


def _arguments(func: Any, values: tuple[Any, ...]) -> tuple[Any, ...] | None:
    """Positional arguments for `func` from `values`: the probe for a function parameter,
    otherwise the values (cut or padded with 0 to fit); None when it takes no usable form."""
    try:
        params = list(inspect.signature(func).parameters.values())
    except (TypeError, ValueError):
        return values
    positional = [
        p
        for p in params
        if p.kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    ]
    variadic = any(p.kind is inspect.Parameter.VAR_POSITIONAL for p in params)
    required = [p for p in positional if p.default is inspect.Parameter.empty]
    if (
        len(required) == 1
        and len(positional) == 1
        and not variadic
        and _wants_function(required[0])
    ):
        return (PROBE,)
    if any(
        p.kind is inspect.Parameter.KEYWORD_ONLY and p.default is inspect.Parameter.empty
        for p in params
    ):
        return None
    most = len(values) if variadic else len(positional)
    args = list(values[:most])
    while len(args) < len(required):
        args.append(0)
    return tuple(args)


def transcript(value: Any, probes: list[tuple[Any, ...]]) -> Transcript:
    """Call `value` (a callable) with each argument tuple in `probes`, CALLS_PER_PROBE times,
    recursing into callables it returns (up to MAX_DEPTH levels)."""
    out = Transcript()
    probe, calls = make_probe()
    counter = [0]

    def visit(callee: str, func: Any, depth: int) -> None:
        for values in probes or [()]:
            args = _arguments(func, values)
            if args is None:
                continue
            real = tuple(probe if a is PROBE else a for a in args)
            repeats = 1 if PROBE in args else CALLS_PER_PROBE
            for _ in range(repeats):
                step = Step(callee, args, "return")
                try:
                    result = func(*real)
                except (Exception, SystemExit) as exc:
                    step.kind, step.exc_type = "raise", type(exc)
                    step.exc_message = _message(exc)
                    out.steps.append(step)
                    out.conclusive = out.conclusive or not isinstance(exc, TypeError)
                    continue
                if PROBE in args:
                    out.calls = calls
                if is_probeable(result) and depth < MAX_DEPTH:
                    counter[0] += 1
                    step.kind, step.var = "callable", f"f{counter[0]}"
                    out.steps.append(step)
                    visit(step.var, result, depth + 1)
                else:
                    step.value = result
                    out.steps.append(step)
                    out.conclusive = True  # a value was compared
            if PROBE in args:
                break  # one decorated function is enough; its wrapper gets the other probes

    visit("result", value, 1)
    if out.calls is not None:
        out.calls = list(out.calls)
    return out


def _message(exc: BaseException) -> str:
    try:
        return str(exc)
    except Exception:
        return "<unprintable>"


def same_transcript(a: Transcript, b: Transcript, same_value: Callable[[Any, Any], bool]) -> bool:
    """Equal step by step (values by `same_value`, exceptions by type) and equal probe calls."""
    if len(a.steps) != len(b.steps) or (a.calls is None) != (b.calls is None):
        return False
    for x, y in zip(a.steps, b.steps, strict=False):
        if x.kind != y.kind or x.args != y.args:
            return False
        if x.kind == "raise" and x.exc_type is not y.exc_type:
            return False
        if x.kind == "return" and not same_value(x.value, y.value):
            return False
    return a.calls is None or same_value(a.calls, b.calls)


def render_transcript(
    script: Transcript,
    to_source: Callable[[Any], str],
    assertion: Callable[[str, Any], str],
    exception_name: Callable[[type[BaseException]], str],
) -> tuple[list[str], list[str]]:
    """(lines before the call, lines after it) replaying `script` as test code on `result`.

    The lines before define the probe function when the transcript used it. Raises whatever
    `to_source`/`assertion` raise for a value without a source form.
    """
    before: list[str] = []
    if script.uses_probe():
        before = [
            "calls = []",
            "",
            "def probe(*args, **kwargs):",
            "    calls.append((args, kwargs))",
            "    return len(calls)",
            "",
        ]
    after: list[str] = []
    for step in script.steps:
        args = ", ".join("probe" if a is PROBE else to_source(a) for a in step.args)
        call = f"{step.callee}({args})"
        if step.kind == "callable":
            after.append(f"{step.var} = {call}")
        elif step.kind == "raise":
            assert step.exc_type is not None
            after += [f"with pytest.raises({exception_name(step.exc_type)}):", f"    {call}"]
        else:
            after.append(assertion(call, step.value))
    if script.calls is not None:
        after.append(assertion("calls", script.calls))
    return before, after
