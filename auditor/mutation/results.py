"""Read mutmut 3.8.1's on-disk results: `mutants/**/*.py.meta`, `.py.spans`, `mutmut-stats.json`.

These JSON files are the integration contract (docs/mutmut-internals.md): mutmut's terminal output is a `\\r`
spinner and its internal API moved in every 3.x minor. Unknown keys are tolerated here; missing
required keys raise `ValueError` naming the file so a format change is loud, not silent.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SEP = "ǁ"


@dataclass
class RawMutant:
    """One entry of a `.meta` file, before locating it in the original source."""

    name: str
    source: str  # workspace-relative path of the original source file, e.g. "pkg/mod.py"
    exit_code: int | None
    duration: float | None = None
    estimated: float | None = None
    type_check_error: str = ""
    hash: str = ""  # AST hash of the function at generation (mutmut's hash_by_function_name)
    killed_by: str = ""  # our runner: the first failing test
    error: str = ""  # our runner: why no verdict could be measured
    limit: float | None = None  # our runner: the wall-clock limit it ran under

    @property
    def function_key(self) -> str:
        """`pkg.mod.x_func` / `pkg.mod.xǁClassǁmethod`: what mutmut's stats are keyed by."""
        return self.name.rpartition("__mutmut_")[0]

    @property
    def mangled(self) -> str:
        """`x_func` / `xǁClassǁmethod`: the function part of the key."""
        return self.function_key.rpartition(".")[2]


@dataclass
class Stats:
    tests_by_function: dict[str, list[str]] = field(default_factory=dict)


def function_names(mangled: str) -> tuple[str | None, str]:
    """`x_func` -> (None, "func"); `xǁCǁm` -> ("C", "m")."""
    if mangled.startswith("x" + SEP):
        _, cls, func = mangled.split(SEP, 2)
        return cls, func
    if mangled.startswith("x_"):
        return None, mangled[2:]
    raise ValueError(f"not a mutmut function key: {mangled!r}")


def qualified_name(mangled: str) -> str:
    cls, func = function_names(mangled)
    return f"{cls}.{func}" if cls else func


def read_meta(meta_path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(meta_path.read_text(encoding="utf-8"))
    if "exit_code_by_key" not in data:
        raise ValueError(f"{meta_path}: no 'exit_code_by_key'; is this a mutmut 3.8 .meta file?")
    return data


def read_all(mutants_dir: Path) -> list[RawMutant]:
    """Every mutant mutmut generated, sorted by file then mutmut's own order."""
    out: list[RawMutant] = []
    for meta_path in sorted(mutants_dir.rglob("*.py.meta")):
        data = read_meta(meta_path)
        source = meta_path.relative_to(mutants_dir).as_posix()[: -len(".meta")]
        durations = data.get("durations_by_key", {})
        estimated = data.get("estimated_durations_by_key", {})
        errors = data.get("type_check_error_by_key", {})
        hashes = data.get("hash_by_function_name", {})
        for name, code in data["exit_code_by_key"].items():
            out.append(
                RawMutant(
                    name=name,
                    source=source,
                    exit_code=code,
                    duration=durations.get(name),
                    estimated=estimated.get(name),
                    type_check_error=str(errors.get(name) or ""),
                    hash=str(hashes.get(name.partition("__mutmut_")[0].rpartition(".")[2], "")),
                )
            )
    return sorted(out, key=lambda m: (m.source, _order_key(m.name)))


def _order_key(name: str) -> tuple[str, int]:
    prefix, _, number = name.rpartition("__mutmut_")
    return prefix, int(number) if number.isdigit() else 0


def read_spans(mutants_dir: Path, source: str) -> dict[str, tuple[int, int]]:
    path = mutants_dir / (source + ".spans")
    if not path.is_file():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {k: (int(v[0]), int(v[1])) for k, v in data.get("spans", {}).items()}


def read_stats(mutants_dir: Path) -> Stats:
    path = mutants_dir / "mutmut-stats.json"
    if not path.is_file():
        return Stats()
    data = json.loads(path.read_text(encoding="utf-8"))
    return Stats(
        tests_by_function={
            k: list(v) for k, v in data.get("tests_by_mangled_function_name", {}).items()
        },
    )


def reset_results(mutants_dir: Path, names: set[str]) -> int:
    """Set the named mutants back to 'not checked' in their .meta (forces mutmut to re-run them)."""
    count = 0
    for meta_path in sorted(mutants_dir.rglob("*.py.meta")):
        data = read_meta(meta_path)
        hit = [
            n
            for n in data["exit_code_by_key"]
            if n in names and data["exit_code_by_key"][n] is not None
        ]
        if not hit:
            continue
        for name in hit:
            data["exit_code_by_key"][name] = None
            data.get("durations_by_key", {}).pop(name, None)
        meta_path.write_text(json.dumps(data, indent=4), encoding="utf-8")
        count += len(hit)
    return count
