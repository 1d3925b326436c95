"""Run one input against the original and a mutant, compare, and write/verify the killing test.

Runs inside the witness worker process, where the trampolined module is imported and the active
mutant is switched with mutmut's own `set_mutant_under_test` (it sets both `MUTANT_UNDER_TEST` and
the process-local copy the 3.8.1 trampoline falls back to).

Comparison rules (why): return values compare with `==` first and then with a structural snapshot
(so NaN equals NaN and two plain objects with equal attributes are equal); exceptions compare by
type only, because a message-only difference is what a test that checks the type cannot see (it is
noted, not counted); arguments (including `self`) are compared after the call, because a mutant in
a method that updates state usually returns `None` either way.
"""

from __future__ import annotations

import builtins
import copy
import inspect
import itertools
import re
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

from auditor.properties.probe import (
    Transcript,
    is_probeable,
    render_transcript,
    same_transcript,
    transcript,
)
from auditor.properties.reach import MutationSite, Watch, watching
from auditor.properties.render import (
    Imports,
    Unrenderable,
    assertion,
    call_source,
    has_identity_eq,
    render_kwargs,
    safe_variable,
    to_source,
)

GENERATOR_LIMIT = 1000
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


class CallTimeout(BaseException):
    """SIGALRM inside a call that runs too long (a BaseException, so user code cannot eat it)."""


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Interrupt the block after `seconds` with CallTimeout (main thread, pure-Python code only)."""

    def handler(signum: int, frame: Any) -> None:
        raise CallTimeout()

    previous = signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


Kind = Literal["function", "method", "staticmethod", "classmethod", "init"]


@dataclass
class Target:
    """How to call the mutated function: a module function, a method, a constructor..."""

    module: str
    function: str
    kind: Kind
    func: Callable[..., Any]  # module function, or the class attribute (function) for methods
    cls: type | None = None
    positional_only: list[str] = field(default_factory=list)
    is_generator: bool = False

    @property
    def import_name(self) -> str:
        return self.cls.__name__ if self.cls is not None else self.function


@dataclass
class Outcome:
    kind: Literal["return", "raise", "timeout"]
    value: Any = None
    exc_type: type[BaseException] | None = None
    exc_message: str = ""
    state: dict[str, Any] = field(default_factory=dict)  # arguments (and "self") after the call
    transcript: Transcript | None = None  # a returned callable, called (probe.py)
    watch: Watch = field(default_factory=Watch)  # reach of the mutation site, locals at return

    def describe(self, state: list[str] | tuple[str, ...] = ()) -> str:
        """Human summary; `state` names arguments whose post-call value is part of the story."""
        if self.kind == "timeout":
            return "does not return (timed out)"
        if self.kind == "raise":
            assert self.exc_type is not None
            return f"raises {self.exc_type.__name__}({self.exc_message!r})"
        parts = [] if state and self.value is None else [_short(repr(self.value))]
        for name in state:
            if name in self.state:
                value = self.state[name]
                shown = vars(value) if has_identity_eq(value) else value
                parts.append(f"{name} -> {_short(repr(shown), 200)}")
        return "; ".join(parts)


def changed_state(original: Outcome, mutant: Outcome) -> list[str]:
    """Arguments (and "self") whose value after the call differs between the two runs."""
    if original.kind != "return" or mutant.kind != "return":
        return []
    return [
        name
        for name, value in original.state.items()
        if name in mutant.state and not same_value(value, mutant.state[name])
    ]


def _short(text: str, limit: int = 300) -> str:
    text = _ADDRESS.sub("", text)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def snapshot(value: Any, depth: int = 0, budget: list[int] | None = None) -> Any:
    """A hashable structural picture of `value` (NaN-safe, address-free).

    With `budget` (a one-item list), at most that many parts are pictured; the rest is
    "<large>" (the budget is spent in place)."""
    if depth > 8:
        return ("<deep>",)
    if budget is not None:
        if budget[0] <= 0:
            return ("<large>",)
        budget[0] -= 1
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, tuple(snapshot(v, depth + 1, budget) for v in value))
    if isinstance(value, dict):
        return (
            "dict",
            tuple(
                (snapshot(k, depth + 1, budget), snapshot(v, depth + 1, budget))
                for k, v in value.items()
            ),
        )
    if isinstance(value, (set, frozenset)):
        parts = (repr(snapshot(v, depth + 1, budget)) for v in value)
        return (type(value).__name__, tuple(sorted(parts)))
    if has_identity_eq(value):
        return (type(value).__qualname__, snapshot(vars(value), depth + 1, budget))
    try:
        text = repr(value)
    except Exception:
        text = "<unrepresentable>"
    if budget is not None:
        text = text[:LARGE_REPR]  # a picture of locals, never a comparison of results
    return (type(value).__qualname__, _ADDRESS.sub("", text))


LOCALS_PARTS = 5000  # parts of a function's locals pictured at its return (reach.py)
LARGE_REPR = 10_000


def picture_locals(values: dict[str, Any]) -> Any:
    """A bounded structural picture of a function's local variables (for `reach.watching`)."""
    return snapshot(values, budget=[LOCALS_PARTS])


def same_value(a: Any, b: Any) -> bool:
    try:
        if type(a) is type(b) and bool(a == b):
            return True
    except Exception:
        pass
    return bool(snapshot(a) == snapshot(b))


def compare(original: Outcome, mutant: Outcome) -> tuple[bool, str]:
    """(same, note): note explains a difference that is deliberately not counted."""
    if original.kind != mutant.kind:
        return False, ""
    if original.kind == "timeout":
        return True, ""
    if original.kind == "raise":
        if original.exc_type is not mutant.exc_type:
            return False, ""
        if original.exc_message != mutant.exc_message:
            return True, (
                f"only the exception message differs: {original.exc_message!r} vs "
                f"{mutant.exc_message!r}"
            )
        return True, ""
    if original.transcript is not None or mutant.transcript is not None:
        if original.transcript is None or mutant.transcript is None:
            return False, ""
        if not same_transcript(original.transcript, mutant.transcript, same_value):
            return False, ""
    elif not same_value(original.value, mutant.value):
        return False, ""
    for name, before in original.state.items():
        if name in mutant.state and not same_value(before, mutant.state[name]):
            return False, ""
    return True, ""


def execute(
    target: Target,
    ctor_kwargs: dict[str, Any],
    kwargs: dict[str, Any],
    set_mutant: Callable[[str], None],
    mutant: str,
    timeout: float,
    probes: list[tuple[Any, ...]] | None = None,
    site: MutationSite | None = None,
    want_locals: bool = False,
) -> Outcome:
    """Call the target once with `mutant` active ("" = original) on deep copies of the inputs.

    A returned callable is called with each tuple of `probes` (probe.py) inside the same time
    limit, with the same side active. With a `site`, the call is traced: `Outcome.watch` says
    whether the mutated code ran (mutant side) and, with `want_locals`, holds a structural
    picture of the mutated function's locals when it returned.
    """
    ctor = copy.deepcopy(ctor_kwargs)
    kw = copy.deepcopy(kwargs)
    args = [kw.pop(name) for name in target.positional_only if name in kw]
    set_mutant(mutant)
    state: dict[str, Any] = {}
    script: Transcript | None = None
    side = "mutant" if mutant else "original"
    watch = Watch()
    try:
        with time_limit(timeout), watching(site, side, want_locals, picture_locals) as watch:
            if target.kind == "init":
                assert target.cls is not None
                obj = target.cls(*args, **kw)
                result: Any = None
                state["self"] = obj
            elif target.kind == "method":
                assert target.cls is not None
                obj = target.cls(**ctor)
                result = getattr(obj, target.function)(*args, **kw)
                state["self"] = obj
            elif target.kind in ("staticmethod", "classmethod"):
                result = getattr(target.cls, target.function)(*args, **kw)
            else:
                result = target.func(*args, **kw)
            if inspect.isgenerator(result):
                result = list(itertools.islice(result, GENERATOR_LIMIT))
            if is_probeable(result) and probes is not None:
                script = transcript(result, probes)
    except CallTimeout:
        return Outcome("timeout", watch=watch)
    except (Exception, SystemExit) as exc:
        return Outcome("raise", exc_type=type(exc), exc_message=_message(exc), watch=watch)
    finally:
        set_mutant("")
    for name, value in kw.items():
        state[name] = value
    return Outcome("return", value=result, state=state, transcript=script, watch=watch)


def _message(exc: BaseException) -> str:
    try:
        return str(exc)
    except Exception:
        return "<unprintable>"


def _exception_name(exc_type: type[BaseException], imports: Imports) -> str:
    for candidate in exc_type.__mro__:
        if (
            candidate.__module__ == "builtins"
            and getattr(builtins, candidate.__name__, None) is candidate
        ):
            return str(candidate.__name__)
        qualname = candidate.__qualname__
        if "." not in qualname and "<" not in qualname and candidate.__module__ != "__main__":
            imports.add(candidate.__module__, candidate.__name__)
            return candidate.__name__
    return "Exception"


def build_test(
    target: Target,
    name: str,
    ctor_kwargs: dict[str, Any],
    kwargs: dict[str, Any],
    original: Outcome,
    mutant: Outcome,
) -> tuple[str, str]:
    """(call, test module source) pinning exactly the behaviour the mutant changes.

    Raises Unrenderable when an input or the expected value has no source form.
    """
    imports = Imports()
    imports.add(target.module, target.import_name)
    taken = {"obj", "result"}
    kw_src = render_kwargs(kwargs, imports)
    both_return = original.kind == "return" and mutant.kind == "return"
    changed_args = [
        n
        for n in kwargs
        if both_return
        and n in original.state
        and not same_value(original.state[n], mutant.state[n])
    ]
    lines: list[str] = []
    variables: dict[str, str] = {}
    for arg in changed_args:
        var = safe_variable(arg, taken)
        variables[arg] = var
        lines.append(f"{var} = {kw_src[arg]}")
        kw_src[arg] = var
    args = [kw_src.pop(n) for n in target.positional_only if n in kw_src]
    if target.kind == "method":
        ctor_src = call_source(target.import_name, [], render_kwargs(ctor_kwargs, imports))
        lines.append(f"obj = {ctor_src}")
        callee = f"obj.{target.function}"
        shown = f"{ctor_src}.{target.function}"
    elif target.kind in ("staticmethod", "classmethod"):
        callee = shown = f"{target.import_name}.{target.function}"
    else:
        callee = shown = target.import_name
    call = call_source(callee, args, kw_src)
    shown_call = call_source(shown, args, render_kwargs(kwargs, Imports()))
    if target.is_generator:
        call = f"list({call})"

    if original.kind == "raise":
        assert original.exc_type is not None
        exc = _exception_name(original.exc_type, imports)
        imports.modules.add("pytest")
        lines += [f"with pytest.raises({exc}):", f"    {call}"]
    elif target.kind == "init":
        lines.append(f"obj = {call}")
        obj = original.state["self"]
        lines.append(
            f"assert vars(obj) == {to_source(vars(obj), imports)}"
            if hasattr(obj, "__dict__")
            else assertion("obj", obj, imports)
        )
    elif both_return and original.transcript is not None and mutant.transcript is not None:
        lines += _transcript_lines(call, original.transcript, imports)
    else:
        value_differs = not both_return or not same_value(original.value, mutant.value)
        self_differs = (
            both_return
            and "self" in original.state
            and not same_value(original.state["self"], mutant.state["self"])
        )
        if value_differs:
            try:
                check = assertion(
                    call if not (changed_args or self_differs) else "result",
                    original.value,
                    imports,
                )
            except Unrenderable:
                if both_return:
                    raise
                check = ""  # the mutant raises or hangs: calling is enough to fail
            if check and (changed_args or self_differs):
                lines += [f"result = {call}", check]
            else:
                lines.append(check or call)
        else:
            lines.append(call)
        for arg in changed_args:
            lines.append(assertion(variables[arg], original.state[arg], imports))
        if self_differs:
            lines.append(assertion("obj", original.state["self"], imports))

    body = "\n".join(("    " + line) if line else "" for line in lines)
    source = "\n".join(imports.lines()) + f"\n\n\ndef {name}():\n{body}\n"
    return shown_call, source


def _transcript_lines(call: str, script: Transcript, imports: Imports) -> list[str]:
    """`result = call`, then the calls made on the returned callable, asserting each result."""

    def exception(exc_type: type[BaseException]) -> str:
        imports.modules.add("pytest")
        return _exception_name(exc_type, imports)

    before, after = render_transcript(
        script,
        lambda value: to_source(value, imports),
        lambda expr, value: assertion(expr, value, imports),
        exception,
    )
    return [*before, f"result = {call}", *after]


def verify(
    source: str,
    name: str,
    set_mutant: Callable[[str], None],
    mutant: str,
    timeout: float,
) -> tuple[bool, str]:
    """Execute the generated test: it must pass on the original and fail on the mutant."""
    namespace: dict[str, Any] = {"__name__": "auditor_witness_check"}
    try:
        exec(compile(source, "<auditor witness>", "exec"), namespace)
    except Exception as exc:
        return False, f"the generated test does not import/compile: {type(exc).__name__}: {exc}"
    test = namespace[name]
    for active, must_pass in (("", True), (mutant, False)):
        set_mutant(active)
        try:
            with time_limit(timeout):
                test()
            passed = True
        except KeyboardInterrupt:
            raise
        except BaseException:  # includes pytest's Failed and our CallTimeout
            passed = False
        finally:
            set_mutant("")
        if passed != must_pass:
            side = "original" if must_pass else "mutant"
            verb = "fails" if must_pass else "passes"
            return False, f"the generated test {verb} on the {side}"
    return True, ""
