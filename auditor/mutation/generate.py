"""mutmut's mutant generation, called in-process: `mutants/` with trampolines, `.meta`, `.spans`.

mutmut stays the mutant *generator* (its operators, trampolines and names), but we do not start a
second Python process to import it: `mutate_file_contents` (mutmut 3.8.x) is called here for each
source file, and the files mutmut's `mutmut run` would write are written in its own formats, so
`mutmut results`/`show`/`browse` keep working in the workspace:

- `mutants/<path>`: the mutated copy (trampolines + every mutant of the file), followed by our
  pseudo-tested variants (`auditor.mutation.pseudo_variants`);
- `mutants/<path>.meta`: exit codes per mutant; verdicts of functions whose AST hash is unchanged
  are kept (mutmut's own rule), others are reset to `null` ("not checked");
- `mutants/<path>.spans`: the line span of every generated function.

A file is regenerated only when its content (or the generator) changed since the last generation
(recorded in `mutants/auditor-generated.json`); mutmut itself compares mtimes.
Everything that touches mutmut internals for generation is in this module (pinned 3.8.x).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from auditor.mutation.pseudo_variants import append_pseudo_variants
from auditor.mutation.workspace import MutmutSettings

GENERATOR_VERSION = "1"
RECORD = "auditor-generated.json"


@dataclass
class Generation:
    """What one generation pass did (all counts are files)."""

    mutated: int = 0
    unchanged: int = 0
    copied: int = 0
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)


class GenerationError(Exception):
    """mutmut could not mutate a source file (message names the file)."""


def _load_mutmut_config(ws: Path) -> None:
    """mutmut's config() reads `[tool.mutmut]` from the current directory: load it from `ws` once."""
    from mutmut import configuration

    configuration.reset_config()
    old = Path.cwd()
    os.chdir(ws)
    try:
        configuration.config()
    finally:
        os.chdir(old)


def _digest(text: str) -> str:
    version = metadata.version("mutmut")
    return hashlib.sha256(f"{GENERATOR_VERSION}\0{version}\0{text}".encode()).hexdigest()[:20]


def _walk(ws: Path, source_paths: list[str]) -> list[Path]:
    """Workspace-relative files under the source paths (every file, like mutmut's copy)."""
    out: list[Path] = []
    for entry in source_paths:
        base = ws / entry
        if base.is_file():
            out.append(Path(entry.rstrip("/")))
            continue
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
            here = Path(dirpath).relative_to(ws)
            out.extend(here / f for f in sorted(filenames) if not f.endswith((".pyc", ".pyo")))
    return out


def _copy_if_changed(source: Path, target: Path) -> bool:
    data = source.read_bytes()
    if target.is_file() and target.read_bytes() == data:
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return True


def _copy_also(ws: Path, mutants: Path, also_copy: list[str]) -> None:
    """mutmut's `also_copy` plus its always-copied entries, kept in sync by content."""
    fixed = ["tests/", "test/", "setup.cfg", "pyproject.toml", "uv.lock", "poetry.lock"]
    fixed += ["Pipfile.lock", "pdm.lock", *(p.name for p in ws.glob("test*.py"))]
    for entry in dict.fromkeys([*also_copy, *fixed]):
        source = ws / entry.rstrip("/")
        if source.is_file():
            _copy_if_changed(source, mutants / entry.rstrip("/"))
        elif source.is_dir():
            for dirpath, dirnames, filenames in os.walk(source):
                dirnames[:] = [d for d in dirnames if d != "__pycache__"]
                for name in filenames:
                    if name.endswith((".pyc", ".pyo")):
                        continue
                    path = Path(dirpath) / name
                    _copy_if_changed(path, mutants / path.relative_to(ws))


def _should_mutate(rel: Path, only_mutate: list[str], do_not_mutate: Sequence[str] = ()) -> bool:
    """mutmut's rule: a .py file matching `only_mutate` (when set) and no `do_not_mutate` glob."""
    import fnmatch

    text = rel.as_posix()
    if not text.endswith(".py") or any(fnmatch.fnmatch(text, p) for p in do_not_mutate):
        return False
    return not only_mutate or any(fnmatch.fnmatch(text, p) for p in only_mutate)


def mutant_key(rel: Path, mangled: str) -> str:
    """mutmut's mutant name for a generated function of the file `rel` (its get_mutant_name)."""
    from mutmut.utils.format_utils import get_mutant_name

    return str(get_mutant_name(rel, mangled))


def _read_meta(path: Path) -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data


def _mutate_file(ws: Path, mutants: Path, rel: Path) -> list[str]:
    """Write the mutated copy, `.meta` (merging unchanged verdicts) and `.spans` of one file."""
    import libcst as cst
    from mutmut.mutation.file_mutation import mutate_file_contents

    source = (ws / rel).read_text(encoding="utf-8")
    target = mutants / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    warnings: list[str] = []
    try:
        mutated = mutate_file_contents(str(rel), source)
        code, names = mutated.code, list(mutated.mutant_names)
        spans = {k: [v.start, v.end] for k, v in mutated.line_span_by_function_name.items()}
        hashes = dict(mutated.hash_by_function_name)
    except cst.ParserSyntaxError as exc:  # mutmut copies such files unmutated, with a warning
        warnings.append(f"{rel}: libcst cannot parse it ({exc}); copied without mutants")
        code, names, spans, hashes = source, [], {}, {}
    try:
        compile(code, str(target), "exec")
    except SyntaxError as exc:
        raise GenerationError(
            f"mutmut generated invalid Python for {rel} ({exc}); the original parses, so this is "
            f"a mutmut bug: exclude the file with `only-mutate` under [tool.auditor.mutation]."
        ) from exc
    code, spans = run_as_main_fix(code, spans)
    code = append_pseudo_variants(code, source, rel)
    target.write_text(code, encoding="utf-8")
    meta_path = mutants / f"{rel}.meta"
    old = _read_meta(meta_path)
    old_hashes = old.get("hash_by_function_name", {})
    old_codes = old.get("exit_code_by_key", {})
    old_durations = old.get("durations_by_key", {})
    codes: dict[str, int | None] = {}
    durations: dict[str, float] = {}
    for name in names:
        key = mutant_key(rel, name)
        func = name.partition("__mutmut_")[0]
        unchanged = func in hashes and old_hashes.get(func) == hashes[func]
        codes[key] = old_codes.get(key) if unchanged else None
        if unchanged and key in old_durations:
            durations[key] = old_durations[key]
    meta = {
        "exit_code_by_key": codes,
        "hash_by_function_name": hashes,
        "type_check_error_by_key": {},
        "durations_by_key": durations,
        "estimated_durations_by_key": {},
    }
    meta_path.write_text(json.dumps(meta, indent=4), encoding="utf-8")
    (mutants / f"{rel}.spans").write_text(
        json.dumps({"version": 1, "spans": spans}), encoding="utf-8"
    )
    return warnings


TRAMPOLINE_IMPORT = "from mutmut.mutation.trampoline import wrap_in_trampoline as _mutmut_mutated"
MAIN_FIX = """if __name__ == "__main__" and __spec__ is not None:  # auditor: run by `python -m`
    def _mutmut_as_module(wrap, name):
        def decorator(*args, **kwargs):
            def apply(func):
                func.__module__ = name  # the trampoline compares it with MUTANT_UNDER_TEST
                return wrap(*args, **kwargs)(func)
            return apply
        return decorator
    _mutmut_mutated = _mutmut_as_module(_mutmut_mutated, __spec__.name)"""


def run_as_main_fix(code: str, spans: dict[str, list[int]]) -> tuple[str, dict[str, list[int]]]:
    """Let mutants switch on in a module run as `python -m pkg.cli` (a test's subprocess).

    Run that way, the module executes as `__main__`, its functions get `__module__ ==
    "__main__"`, and mutmut's trampoline (which compares it with the module part of
    MUTANT_UNDER_TEST) never switches the mutant on: the mutant would survive although applying
    it by hand kills it. Right after mutmut's trampoline import we wrap the decorator so the
    functions keep the module's real name; the `.spans` line numbers are shifted to match.
    """
    lines = code.split("\n")
    at = next((i for i, line in enumerate(lines) if line.startswith(TRAMPOLINE_IMPORT)), None)
    if at is None:
        return code, spans
    fix = MAIN_FIX.split("\n")
    shifted = {
        k: [a + len(fix), b + len(fix)] if a > at + 1 else [a, b] for k, (a, b) in spans.items()
    }
    return "\n".join([*lines[: at + 1], *fix, *lines[at + 1 :]]), shifted


def generate(
    ws: Path,
    settings: MutmutSettings,
    progress: Callable[[str], None] | None = None,
    jobs: int = 1,
) -> Generation:
    """Bring `ws/mutants/` up to date with the workspace sources; returns what was done.

    Files are mutated by up to `jobs` forked copies of this process (they inherit the imported
    generator: no second import of mutmut). Raises GenerationError when a file cannot be mutated
    into valid Python.
    """
    started = time.perf_counter()
    result = Generation()
    mutants = ws / "mutants"
    mutants.mkdir(exist_ok=True)
    _load_mutmut_config(ws)
    record_path = mutants / RECORD
    record: dict[str, str] = _read_meta(record_path)
    new_record: dict[str, str] = {}
    _copy_also(ws, mutants, settings.also_copy)
    todo: list[Path] = []
    for rel in _walk(ws, settings.source_paths):
        if not _should_mutate(rel, settings.only_mutate, settings.do_not_mutate):
            if _copy_if_changed(ws / rel, mutants / rel):
                result.copied += 1
            if rel.suffix == ".py":  # an earlier run may have mutated it: forget those results
                for suffix in (".meta", ".spans"):
                    (mutants / f"{rel}{suffix}").unlink(missing_ok=True)
            continue
        text = (ws / rel).read_text(encoding="utf-8")
        digest = _digest(text)
        key = rel.as_posix()
        new_record[key] = digest
        if (
            record.get(key) == digest
            and (mutants / rel).is_file()
            and (mutants / f"{rel}.meta").is_file()
        ):
            result.unchanged += 1
            continue
        if progress is not None:
            progress(key)
        todo.append(rel)
    result.warnings += _mutate_all(ws, mutants, todo, jobs)
    result.mutated = len(todo)
    _drop_stale(mutants, set(new_record), settings)
    record_path.write_text(json.dumps(new_record, indent=1, sort_keys=True), encoding="utf-8")
    result.seconds = time.perf_counter() - started
    return result


def _mutate_all(ws: Path, mutants: Path, files: list[Path], jobs: int) -> list[str]:
    if jobs <= 1 or len(files) <= 1:
        return [w for rel in files for w in _mutate_file(ws, mutants, rel)]
    import multiprocessing
    from functools import partial

    with multiprocessing.get_context("fork").Pool(min(jobs, len(files))) as pool:
        parts = pool.map(partial(_mutate_file, ws, mutants), files, chunksize=1)
    return [w for part in parts for w in part]


def _drop_stale(mutants: Path, current: set[str], settings: MutmutSettings) -> None:
    """Remove `.meta`/`.spans` (and copies) of source files that no longer exist."""
    roots = [mutants / p.rstrip("/") for p in settings.source_paths]
    for meta in mutants.rglob("*.py.meta"):
        rel = meta.relative_to(mutants).as_posix()[: -len(".meta")]
        if rel in current:
            continue
        if not any(root == mutants / rel or root in (mutants / rel).parents for root in roots):
            continue
        if settings.only_mutate and not _should_mutate(Path(rel), settings.only_mutate):
            continue
        meta.unlink(missing_ok=True)
        (mutants / f"{rel}.spans").unlink(missing_ok=True)
        if not (mutants.parent / rel).exists():
            (mutants / rel).unlink(missing_ok=True)
    for root in roots:
        if root.is_dir():
            _remove_deleted(mutants, root)


def _remove_deleted(mutants: Path, root: Path) -> None:
    ws = mutants.parent
    for dirpath, _dirnames, filenames in os.walk(root, topdown=False):
        here = Path(dirpath)
        for name in filenames:
            path = here / name
            rel = path.relative_to(mutants)
            if name.endswith((".meta", ".spans")) or "__pycache__" in rel.parts:
                continue
            if not (ws / rel).exists():
                path.unlink(missing_ok=True)
        if here.name == "__pycache__":
            continue
        if not (ws / here.relative_to(mutants)).exists():
            shutil.rmtree(here, ignore_errors=True)
