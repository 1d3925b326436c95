"""The witness test: Python source that pins exactly what a mutant changes, and its execution.

A difference between the original and a mutant is a witness only when it can be written down as a
pytest test (`build_test`) and that test, executed, passes on the original and fails on the
mutant (`verify`). The test imports the function under its own name, so it runs through mutmut's
trampoline in the worker and against plain source when a user pastes it.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable
from typing import Any

from auditor.properties.differential import (
    Outcome,
    Target,
    same_value,
    time_limit,
)
from auditor.properties.probe import Transcript, render_transcript
from auditor.properties.render import (
    Imports,
    Unrenderable,
    assertion,
    call_source,
    render_kwargs,
    safe_variable,
    to_source,
)


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
