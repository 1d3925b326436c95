"""Cheap fingerprints of the process state a test can leak into the tests after it.

A snapshot maps a key to `(fingerprint, shown)`:

- `environ:NAME`          an `os.environ` entry;
- `cwd`                   the working directory;
- `sys.path:ENTRY`        one `sys.path` entry (present/absent);
- `global:MODULE.NAME`    a module global of one of the project's own modules (a module whose file
                          is under the project root, outside virtualenvs and site-packages);
- `file:REL/PATH`         a file under the project root (size and mtime; `tmp_path` lives
                          outside the project, so it never shows).

Fingerprints are bounded `reprlib` renderings with memory addresses removed, not deep copies:
they cost microseconds per value, compare across processes, and catch a changed value at any of
the first three levels of nesting. Loaded by the pytest plugin in the child process only when
state snapshots are asked for (verification runs), never in the ordered runs.
"""

from __future__ import annotations

import hashlib
import os
import re
import reprlib
import sys
import types
from pathlib import Path
from typing import Any

Snapshot = dict[str, tuple[str, str]]

IGNORED_ENV = frozenset({"PYTEST_CURRENT_TEST", "COLUMNS", "LINES"})
SKIP_PARTS = frozenset(
    {
        ".git",
        ".hg",
        ".tox",
        ".nox",
        ".venv",
        "venv",
        "env",
        "__pycache__",
        "node_modules",
        ".auditor",
        "mutants",
        ".eggs",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".hypothesis",
        "site-packages",
        "dist-packages",
    }
)
MAX_FILES = 20_000
SHOWN = 80
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")

_REPR = reprlib.Repr()
_REPR.maxlevel = 3
_REPR.maxdict = 24
_REPR.maxlist = 24
_REPR.maxtuple = 24
_REPR.maxset = 24
_REPR.maxfrozenset = 24
_REPR.maxdeque = 24
_REPR.maxstring = 200
_REPR.maxother = 120
_REPR.maxlong = 60


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "replace"), digest_size=8).hexdigest()


def _short(text: str) -> str:
    return text if len(text) <= SHOWN else text[: SHOWN - 3] + "..."


def value_fingerprint(value: Any) -> str:
    """A bounded, address-free rendering of a value (its type name first)."""
    try:
        if isinstance(value, (types.FunctionType, types.BuiltinFunctionType)):
            text = f"{getattr(value, '__module__', '')}.{getattr(value, '__qualname__', '')}"
        elif isinstance(value, type):
            attrs = {
                k: v
                for k, v in vars(value).items()
                if not k.startswith("__")
                and not callable(v)
                and not isinstance(v, (staticmethod, classmethod, property))
            }
            text = _REPR.repr(attrs)
        elif hasattr(value, "__dict__") and not isinstance(value, types.ModuleType):
            text = _REPR.repr(vars(value))
        else:
            text = _REPR.repr(value)
    except Exception:  # a user __repr__ that raises: identity is all we can compare
        text = "<unrepresentable>"
    return f"{type(value).__name__}:{_ADDRESS.sub('', text)}"


def own_module(module: Any, root: str) -> bool:
    """Whether a loaded module belongs to the project (its file under root, not a dependency)."""
    path = getattr(module, "__file__", None)
    if not isinstance(path, str) or not path.startswith(root):
        return False
    name = getattr(module, "__name__", "")
    if name.startswith("auditor.flaky"):
        return False
    return not any(part in SKIP_PARTS for part in Path(path[len(root) :]).parts)


def take(root: str, files: bool = True) -> Snapshot:
    """Snapshot of environ, cwd, sys.path, the project's module globals and (optionally) files."""
    snap: Snapshot = {}
    for name, value in os.environ.items():
        if name not in IGNORED_ENV:
            snap[f"environ:{name}"] = (_digest(value), _short(value))
    try:
        cwd = os.getcwd()
    except OSError:  # the directory was removed under us
        cwd = "<deleted>"
    snap["cwd"] = (cwd, cwd)
    for entry in sys.path:
        snap[f"sys.path:{entry}"] = ("present", "present")
    for mod_name, module in list(sys.modules.items()):
        if module is None or not own_module(module, root):
            continue
        for name, value in list(vars(module).items()):
            if name.startswith("__") or isinstance(value, types.ModuleType):
                continue
            text = value_fingerprint(value)
            snap[f"global:{mod_name}.{name}"] = (_digest(text), _short(text.partition(":")[2]))
    if files:
        snap.update(file_fingerprints(root))
    return snap


def file_fingerprints(root: str) -> Snapshot:
    """Size and mtime of every file under the project root (virtualenvs and caches left out)."""
    snap: Snapshot = {}
    count = 0
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in SKIP_PARTS and not d.endswith(".egg-info")]
        for filename in filenames:
            if filename.endswith((".pyc", ".pyo")):
                continue
            path = os.path.join(dirpath, filename)
            try:
                st = os.stat(path)
            except OSError:
                continue
            rel = os.path.relpath(path, root).replace(os.sep, "/")
            snap[f"file:{rel}"] = (f"{st.st_size}:{st.st_mtime_ns}", f"{st.st_size} bytes")
            count += 1
            if count >= MAX_FILES:
                return snap
    return snap


def changed(before: Snapshot, after: Snapshot) -> dict[str, list[str]]:
    """Keys whose fingerprint differs: key -> [change, shown before, shown after].

    `change` is "added", "removed" or "modified"; the shown values are short renderings.
    """
    out: dict[str, list[str]] = {}
    for key, (fp, shown) in after.items():
        old = before.get(key)
        if old is None:
            out[key] = ["added", "", shown]
        elif old[0] != fp:
            out[key] = ["modified", old[1], shown]
    for key, (_fp, shown) in before.items():
        if key not in after:
            out[key] = ["removed", shown, ""]
    return out
