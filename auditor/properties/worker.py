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
import traceback
from pathlib import Path
from typing import Any

from mutmut.mutation.trampoline import set_mutant_under_test

from auditor.properties.differential import Target
from auditor.properties.names import MutantName, parse_mutant_name
from auditor.properties.reach import MutationSite, locate
from auditor.properties.search import _INPUTS as _INPUTS
from auditor.properties.search import Skip
from auditor.properties.search import search as search_mutant
from auditor_strategies.registry import register_all


def set_mutant(name: str) -> None:
    """Activate a mutant by its mutmut name ("" = the original), as mutmut's runner does."""
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


def search(
    name: MutantName,
    mutant_id: str,
    target: Target,
    job: dict[str, Any],
    site: MutationSite | None = None,
) -> dict[str, Any]:
    """`search.search` for one mutant, switching mutants with this module's `set_mutant`."""
    return search_mutant(name, mutant_id, target, job, site, set_mutant)


def mutation_site(
    name: MutantName, target: Target, workspace: Path, cache: dict[str, Any]
) -> MutationSite | None:
    """Where mutmut's copy of this mutant differs from its untouched copy (None: not found)."""
    module = _module(name, workspace, cache)
    holder: Any = module if name.cls is None else target.cls
    try:
        original = inspect.getattr_static(holder, name.orig_name)
        mutant = inspect.getattr_static(holder, name.mangled)
    except AttributeError:
        return None
    return locate(original, mutant)


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
                site = mutation_site(name, target, workspace, cache)
                record = search(name, mutant_id, target, job, site)
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
