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
    same_transcript,
    transcript,
)
from auditor.properties.reach import MutationSite, Watch, watching
from auditor.properties.render import (
    has_identity_eq,
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


def locals_change(original: Any, mutant: Any, parameters: frozenset[str]) -> Any:
    """The variables whose pictures differ between two `picture_locals` pictures, leaving out
    the function's `parameters` (a changed default differs in its parameter on every call; that
    is the mutation itself, not a change kept inside the function): a hashable
    ((name picture, original picture, mutant picture), ...) sorted by name, or None when no
    other variable differs."""
    if original == mutant:
        return None
    if not (_is_dict_picture(original) and _is_dict_picture(mutant)):
        return (("<locals>", original, mutant),)
    left, right = dict(original[1]), dict(mutant[1])
    skip = {snapshot(name) for name in parameters}
    changed = [
        (name, left.get(name), right.get(name))
        for name in sorted(set(left) | set(right), key=repr)
        if name not in skip and left.get(name) != right.get(name)
    ]
    return tuple(changed) or None


def _is_dict_picture(picture: Any) -> bool:
    return isinstance(picture, tuple) and len(picture) == 2 and picture[0] == "dict"


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
