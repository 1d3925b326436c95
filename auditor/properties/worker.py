"""The witness search subprocess: `python -I -m auditor.properties.worker JOB.json`.

Runs with cwd = mutmut's `mutants/` directory. Its own imports (auditor, auditor_strategies, Hypothesis,
mutmut's trampoline) are resolved *before* the workspace is put first on `sys.path`, the way mutmut
does it (`mutants/`, `mutants/src`, `mutants/source`), so the project's modules are the trampolined
copies while the worker itself never is.

Protocol: for each mutant the worker appends `{"event": "start", "id": ...}` and then
`{"event": "done", "id": ..., "outcome": ...}` to the results file (flushed per line), so a crash or
a hang loses at most the mutant in progress; the parent restarts the worker on the rest.
"""

from __future__ import annotations

import importlib
import inspect
import json
import os
import sys
import time
import traceback
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, given, reject, settings
from hypothesis import strategies as st
from hypothesis.errors import HypothesisException, Unsatisfiable
from mutmut.mutation.trampoline import set_mutant_under_test

from auditor.properties.differential import (
    Outcome,
    Target,
    build_test,
    changed_state,
    compare,
    execute,
    verify,
)
from auditor.properties.names import MutantName, parse_mutant_name
from auditor.properties.render import Unrenderable, witness_test_name
from auditor_strategies.literals import Literals, for_type, function_literals
from auditor_strategies.registry import register_all
from auditor_strategies.signature import UnhintedParameterError, signature_strategy


class Skip(Exception):
    """The mutant's function cannot be searched (reason in the message)."""


class _Found(Exception):
    """Raised inside the property when a verified witness is found (Hypothesis then shrinks)."""


class _OutOfTime(BaseException):
    """The per-mutant time budget ran out (BaseException so Hypothesis does not shrink it)."""


def set_mutant(name: str) -> None:
    set_mutant_under_test(name)


def setup_paths(workspace: Path) -> None:
    """Put the trampolined copies first, like mutmut's `setup_source_paths`.

    The directory above `mutants/` (the mutation stage's mirror of the project) goes *last*, so a
    root-level helper module named in `[tool.auditor] strategies` is importable while every
    package that mutmut copied still resolves to its trampolined copy.
    """
    for sub in ("source", "src", ""):
        path = str(workspace / sub) if sub else str(workspace)
        if Path(path).is_dir():
            sys.path.insert(0, path)
    sys.path.append(str(workspace.parent))


def _module(name: MutantName, workspace: Path, cache: dict[str, Any]) -> Any:
    if name.module not in cache:
        try:
            module = importlib.import_module(name.module)
        except BaseException as exc:  # SystemExit at import time included
            cache[name.module] = Skip(f"cannot import {name.module}: {type(exc).__name__}: {exc}")
        else:
            origin = Path(getattr(module, "__file__", "") or "").resolve()
            if workspace.resolve() not in origin.parents:
                cache[name.module] = Skip(
                    f"{name.module} resolves to {origin}, not to the mutation workspace "
                    f"(its name clashes with a module auditor itself imports)"
                )
            else:
                cache[name.module] = module
    value = cache[name.module]
    if isinstance(value, Skip):
        raise value
    return value


def resolve(name: MutantName, workspace: Path, cache: dict[str, Any]) -> Target:
    """Find what to call for this mutant; Skip with a reason when it cannot be called directly."""
    module = _module(name, workspace, cache)
    if name.cls is None:
        func = getattr(module, name.function, None)
        if func is None or not callable(func):
            raise Skip(f"{name.module}.{name.function} is not a module-level function")
        kind: Any = "function"
        cls = None
    else:
        cls = getattr(module, name.cls, None)
        if not isinstance(cls, type):
            raise Skip(f"{name.module}.{name.cls} is not a class")
        static = inspect.getattr_static(cls, name.function, None)
        if isinstance(static, staticmethod):
            kind, func = "staticmethod", static.__func__
        elif isinstance(static, classmethod):
            kind, func = "classmethod", static.__func__
        elif name.function == "__init__":
            kind, func = "init", cls
        elif inspect.isfunction(static):
            kind, func = "method", static
        else:
            raise Skip(f"{name.qualname} is not a plain method")
    unwrapped = inspect.unwrap(func)
    if inspect.iscoroutinefunction(unwrapped) or inspect.isasyncgenfunction(unwrapped):
        raise Skip(f"{name.qualname} is async; the witness search calls functions synchronously")
    skip_first = kind in ("method", "classmethod")
    params = inspect.signature(func).parameters.values()
    positional_only = [p.name for p in params if p.kind is inspect.Parameter.POSITIONAL_ONLY]
    if skip_first and positional_only:
        positional_only = positional_only[1:]
    return Target(
        module=name.module,
        function=name.function,
        kind=kind,
        func=func,
        cls=cls,
        positional_only=positional_only,
        is_generator=inspect.isgeneratorfunction(unwrapped),
    )


def strategies_for(target: Target) -> tuple[st.SearchStrategy[Any], st.SearchStrategy[Any]]:
    """(constructor kwargs, call kwargs) strategies, biased with the function's literals."""
    source_func = target.cls.__init__ if target.kind == "init" else target.func  # type: ignore[misc]
    literals: Literals = function_literals(source_func)

    def biased(hint: Any) -> st.SearchStrategy[Any]:
        return for_type(hint, literals)

    ctor: st.SearchStrategy[Any] = st.just({})
    try:
        if target.kind == "init":
            kwargs = signature_strategy(target.cls, biased)  # type: ignore[arg-type]
        else:
            kwargs = signature_strategy(
                target.func, biased, skip_first=target.kind in ("method", "classmethod")
            )
        if target.kind == "method":
            ctor = signature_strategy(target.cls, biased)  # type: ignore[arg-type]
    except UnhintedParameterError as exc:
        raise Skip(str(exc)) from exc
    except (TypeError, ValueError) as exc:  # no signature (builtins, C extensions)
        raise Skip(f"no usable signature: {exc}") from exc
    return ctor, kwargs


def search(name: MutantName, mutant_id: str, target: Target, job: dict[str, Any]) -> dict[str, Any]:
    """Differential property test original vs mutant; returns the "done" record."""
    ctor_strategy, kwargs_strategy = strategies_for(target)
    call_timeout = float(job.get("call_timeout", 1.0))
    deadline = time.monotonic() + float(job["seconds"])
    state: dict[str, Any] = {
        "examples": 0,
        "note": "",
        "unrenderable": 0,
        "unverified": "",
        "witness": None,
    }
    name_of_test = witness_test_name(name.function, name.cls, name.number)

    @settings(
        max_examples=int(job["max_examples"]),
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
        print_blob=False,
    )
    @given(st.tuples(ctor_strategy, kwargs_strategy))
    def differential(drawn: tuple[dict[str, Any], dict[str, Any]]) -> None:
        state["drawn"] = True
        if time.monotonic() > deadline:
            raise _OutOfTime()
        ctor, kwargs = drawn
        original = execute(target, ctor, kwargs, set_mutant, "", call_timeout)
        if original.kind == "timeout":
            reject()  # no test can pin the behaviour of a call that does not return
        mutant = execute(target, ctor, kwargs, set_mutant, mutant_id, call_timeout)
        state["examples"] += 1
        same, note = compare(original, mutant)
        if same:
            state["note"] = state["note"] or note
            return
        try:
            call, code = build_test(target, name_of_test, ctor, kwargs, original, mutant)
        except Unrenderable as exc:
            state["unrenderable"] += 1
            state["unrenderable_reason"] = str(exc)
            return
        ok, why = verify(code, name_of_test, set_mutant, mutant_id, call_timeout * 2)
        if not ok:
            state["unverified"] = why
            return
        state["witness"] = _witness(call, original, mutant, code)
        raise _Found()

    started = time.monotonic()
    record: dict[str, Any] = {"event": "done", "id": mutant_id}
    try:
        differential()
    except _Found:
        pass
    except _OutOfTime:
        record["note"] = f"stopped after {job['seconds']}s"
    except Unsatisfiable:
        if state["witness"] is None:
            record.update(
                outcome="skipped",
                reason="no generated input could be run: the original timed out or was rejected",
            )
    except HypothesisException as exc:
        if state["witness"] is None:
            record.update(outcome="error", reason=f"Hypothesis: {type(exc).__name__}: {exc}"[:500])
    except Exception as exc:
        if state.get("drawn"):
            raise
        raise Skip(
            f"cannot generate arguments for {name.qualname}: {type(exc).__name__}: {exc}. "
            f"Register a strategy for the parameter types ([tool.auditor] strategies)."[:500]
        ) from exc
    record["seconds"] = round(time.monotonic() - started, 3)
    record["examples"] = state["examples"]
    if state["witness"] is not None:
        record.update(outcome="witness", witness=state["witness"])
    elif "outcome" not in record:
        notes = [state["note"]]
        if state["unrenderable"]:
            notes.append(
                f"{state['unrenderable']} differing inputs could not be written as source "
                f"({state.get('unrenderable_reason', '')})"
            )
        if state["unverified"]:
            notes.append(f"a difference was seen but {state['unverified']}")
        if record.get("note"):
            notes.append(record["note"])
        record["note"] = "; ".join(n for n in notes if n)
        found_difference = bool(state["unrenderable"] or state["unverified"])
        if found_difference:
            record["outcome"] = "unverified"
        elif state["examples"] == 0:
            record["outcome"] = "skipped"
            record["note"] = record["note"] or "no generated input could be run on the original"
        else:
            record["outcome"] = "likely_equivalent"
    return record


def _witness(call: str, original: Outcome, mutant: Outcome, code: str) -> dict[str, Any]:
    changed = changed_state(original, mutant)
    return {
        "call": call,
        "original": original.describe(changed),
        "mutant": mutant.describe(changed),
        "test_code": code,
        "verified": True,
    }


MEMORY_LIMIT = 4 * 1024**3  # a mutant like `"-" * n` must fail with MemoryError, not swap


def limit_memory() -> None:
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if soft == resource.RLIM_INFINITY or soft > MEMORY_LIMIT:
            cap = MEMORY_LIMIT if hard == resource.RLIM_INFINITY else min(MEMORY_LIMIT, hard)
            resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    except (ImportError, ValueError, OSError):
        pass


def run_job(job: dict[str, Any]) -> None:
    limit_memory()
    workspace = Path(job["workspace"]).resolve()
    results = Path(job["results"])
    os.chdir(workspace)
    setup_paths(workspace)
    cache: dict[str, Any] = {}
    with results.open("a", encoding="utf-8") as out:

        def emit(record: dict[str, Any]) -> None:
            out.write(json.dumps(record) + "\n")
            out.flush()

        try:
            register_all(job.get("strategies", []))
        except Exception as exc:
            for mutant_id in job["mutants"]:
                emit({"event": "done", "id": mutant_id, "outcome": "error", "reason": str(exc)})
            return
        for mutant_id in job["mutants"]:
            emit({"event": "start", "id": mutant_id})
            try:
                name = parse_mutant_name(mutant_id)
            except ValueError as exc:
                emit({"event": "done", "id": mutant_id, "outcome": "skipped", "reason": str(exc)})
                continue
            try:
                target = resolve(name, workspace, cache)
                record = search(name, mutant_id, target, job)
            except Skip as exc:
                record = {
                    "event": "done",
                    "id": mutant_id,
                    "outcome": "skipped",
                    "reason": str(exc),
                }
            except Exception as exc:
                record = {
                    "event": "done",
                    "id": mutant_id,
                    "outcome": "error",
                    "reason": f"{type(exc).__name__}: {exc}"[:500],
                    "traceback": traceback.format_exc()[-2000:],
                }
            emit(record)


def main(argv: list[str]) -> int:
    job = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    run_job(job)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
