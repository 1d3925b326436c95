"""Modules shaped like mutmut's trampolined copies, for fast in-process tests of the search.

mutmut keeps each function's untouched body as `x_<f>__mutmut_orig` and every mutant as
`x_<f>__mutmut_<N>`, and wraps `<f>` (with `functools.wraps`, so its signature, hints and
source stay the original's) in a trampoline that calls one of them by the active mutant.
`trampolined(...)` writes the same shape from the original source and its mutated variants, so
the witness search (mutation site, reach, comparison) sees what it sees in a real workspace;
`ACTIVE["name"]` stands for mutmut's MUTANT_UNDER_TEST.
"""

from __future__ import annotations

import ast
import importlib
import sys
import textwrap
import types
from pathlib import Path

HEADER = """
from __future__ import annotations

import functools

ACTIVE = {"name": ""}


def _trampoline(decorated, orig, mutants):
    @functools.wraps(decorated)
    def trampoline(*args, **kwargs):
        name = ACTIVE["name"]
        for key, func in mutants.items():
            if name.endswith("." + key):
                return func(*args, **kwargs)
        return orig(*args, **kwargs)

    return trampoline
"""


def trampolined(function_source: str, mutants: list[tuple[str, str]]) -> str:
    """Module text for one module-level function: `function_source` is its `def` (any
    decorators excluded), `mutants` are (old text, new text) replacements, one per mutant."""
    source = textwrap.dedent(function_source).strip("\n")
    func = ast.parse(source).body[0]
    assert isinstance(func, ast.FunctionDef)
    name = func.name
    parts = [source, source.replace(f"def {name}(", f"def x_{name}__mutmut_orig(", 1)]
    table = []
    for number, (old, new) in enumerate(mutants, start=1):
        assert old in source, old
        mutated = source.replace(old, new, 1)
        parts.append(mutated.replace(f"def {name}(", f"def x_{name}__mutmut_{number}(", 1))
        table.append(f"'x_{name}__mutmut_{number}': x_{name}__mutmut_{number}")
    parts.append(f"{name} = _trampoline({name}, x_{name}__mutmut_orig, {{{', '.join(table)}}})")
    return "\n\n\n".join(parts)


def load(tmp: Path, module: str, preamble: str, *functions: str) -> types.ModuleType:
    """Write `module.py` (header, `preamble`, then each trampolined function) under `tmp`,
    import it fresh and return it. The caller puts `tmp` on sys.path."""
    text = HEADER + "\n" + textwrap.dedent(preamble) + "\n\n" + "\n\n\n".join(functions) + "\n"
    (tmp / f"{module}.py").write_text(text)
    sys.modules.pop(module, None)
    importlib.invalidate_caches()
    return importlib.import_module(module)
