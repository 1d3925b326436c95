"""Which files pytest collects: its directory walk, replayed without importing anything.

From the initial paths (`PytestSettings.initial_paths()`: the arguments, else the expanded
`testpaths`, else the invocation dir), pytest walks each directory in name order and, for every
entry that is not an initial path itself, asks `pytest_ignore_collect`:

- `__pycache__`, `--ignore` paths, the `collect_ignore` list of the *nearest* loaded conftest.py
  that defines one (paths relative to that conftest), `--ignore-glob` and `collect_ignore_glob`
  (fnmatch on the absolute path), virtualenvs (`pyvenv.cfg`, `conda-meta/history`) and, for
  directories, `norecursedirs` (pytest's defaults include `.*`, `build`, `dist`, `venv`...);

a remaining `.py` file is a test module when it matches `python_files` (or is an initial path).
pytest loads the `conftest.py` of every directory it enters and of the initial paths' ancestors
that are not above `confcutdir` (none with `--noconftest`).

`collect_ignore`/`collect_ignore_glob` are read from each conftest's syntax tree (stdlib `ast`,
never executed): list/tuple literals, `+=`, `.append`, `.extend`, `if` on `sys.version_info`,
`sys.platform`, `os.name` (evaluated for the running Python) and `try`/`except ImportError`
(the `try` body is assumed to succeed, as in an environment where the suite runs). A condition
it cannot evaluate is taken as true, so a file that *may* be ignored is not analysed.
"""

from __future__ import annotations

import ast
import fnmatch
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from auditor.pytest_config import PytestSettings, fnmatch_ex


@dataclass
class ConftestIgnores:
    """What one conftest.py declares: `collect_ignore` / `collect_ignore_glob` (None = not
    defined, so a conftest further up may apply), relative to its directory."""

    collect_ignore: list[str] | None = None
    collect_ignore_glob: list[str] | None = None


@dataclass
class Collection:
    """The files of one pytest run: test modules in collection order, the conftest.py files it
    loads, and the other `.py` files under the walked directories (candidate helper modules)."""

    test_modules: list[Path] = field(default_factory=list)
    conftests: list[Path] = field(default_factory=list)
    helpers: list[Path] = field(default_factory=list)
    ignored: dict[Path, str] = field(default_factory=dict)


# -- reading collect_ignore --------------------------------------------------------------------
_IGNORE_NAMES = ("collect_ignore", "collect_ignore_glob")


class _Unknown(Exception):
    """A condition the static reader cannot evaluate."""


def _literal_strings(node: ast.expr) -> list[str]:
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return [
            el.value
            for el in node.elts
            if isinstance(el, ast.Constant) and isinstance(el.value, str)
        ]
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _literal_strings(node.left) + _literal_strings(node.right)
    return []


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else ""
    return ""


def _value(node: ast.expr) -> object:
    """A constant, tuple of constants, or one of the platform facts the conftest may test."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Tuple):
        return tuple(_value(el) for el in node.elts)
    if isinstance(node, ast.Subscript) and _dotted(node.value) == "sys.version_info":
        index = node.slice
        if isinstance(index, ast.Constant) and isinstance(index.value, int):
            return sys.version_info[index.value]
        if (
            isinstance(index, ast.Slice)
            and index.lower is None
            and isinstance(index.upper, ast.Constant)
        ):
            upper = index.upper.value
            if isinstance(upper, int):
                return tuple(sys.version_info[:upper])
        raise _Unknown
    name = _dotted(node)
    flag = _version_flag(name.rsplit(".", 1)[-1]) if name else None
    if flag is not None:
        return flag
    facts: dict[str, object] = {
        "sys.version_info": tuple(sys.version_info),
        "sys.platform": sys.platform,
        "os.name": os.name,
        "sys.implementation.name": sys.implementation.name,
    }
    if name in facts:
        return facts[name]
    if isinstance(node, ast.Call) and not node.args and _dotted(node.func) == "platform.system":
        import platform

        return platform.system()
    if isinstance(node, ast.Call) and _dotted(node.func) == "platform.python_implementation":
        import platform

        return platform.python_implementation()
    raise _Unknown


_VERSION_FLAG = re.compile(
    r"^(?:IS_)?PY_?(\d)(?:_?(\d+))?(_?PLUS|_OR_(?:LATER|NEWER|ABOVE|GREATER)|_?UP)?$", re.I
)


def _version_flag(name: str) -> bool | None:
    """Conventional compatibility flags: `PY2`, `PY3`, `PY_3_10_PLUS`, `PY310`, `IS_PYPY`."""
    if name.upper() in ("PYPY", "IS_PYPY"):
        return sys.implementation.name == "pypy"
    match = _VERSION_FLAG.match(name)
    if match is None:
        return None
    major, minor, plus = int(match.group(1)), match.group(2), match.group(3)
    if minor is None:
        return sys.version_info[0] >= major if plus else sys.version_info[0] == major
    if len(minor) > 2:
        return None
    current = tuple(sys.version_info[:2])
    return current >= (major, int(minor)) if plus else current == (major, int(minor))


def _condition(node: ast.expr) -> bool:
    if isinstance(node, (ast.Name, ast.Attribute)):
        value = _value(node)
        if isinstance(value, bool):
            return value
        raise _Unknown
    if isinstance(node, ast.BoolOp):
        results = [_condition(v) for v in node.values]
        return all(results) if isinstance(node.op, ast.And) else any(results)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return not _condition(node.operand)
    if isinstance(node, ast.Compare) and len(node.ops) == 1:
        left, right = _value(node.left), _value(node.comparators[0])
        op = node.ops[0]
        try:
            if isinstance(op, ast.Eq):
                return left == right
            if isinstance(op, ast.NotEq):
                return left != right
            if isinstance(op, ast.Lt):
                return bool(left < right)  # type: ignore[operator]
            if isinstance(op, ast.LtE):
                return bool(left <= right)  # type: ignore[operator]
            if isinstance(op, ast.Gt):
                return bool(left > right)  # type: ignore[operator]
            if isinstance(op, ast.GtE):
                return bool(left >= right)  # type: ignore[operator]
            if isinstance(op, ast.In):
                return left in right  # type: ignore[operator]
            if isinstance(op, ast.NotIn):
                return left not in right  # type: ignore[operator]
        except TypeError as exc:
            raise _Unknown from exc
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "startswith"
        and len(node.args) == 1
    ):
        subject, prefix = _value(node.func.value), _value(node.args[0])
        if isinstance(subject, str) and isinstance(prefix, (str, tuple)):
            return subject.startswith(prefix)
    raise _Unknown


def _run_block(body: list[ast.stmt], found: ConftestIgnores) -> None:
    for stmt in body:
        if isinstance(stmt, (ast.Assign, ast.AnnAssign)):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            for target in targets:
                if (
                    isinstance(target, ast.Name)
                    and target.id in _IGNORE_NAMES
                    and stmt.value is not None
                ):
                    setattr(found, target.id, _literal_strings(stmt.value))
        elif isinstance(stmt, ast.AugAssign):
            if isinstance(stmt.target, ast.Name) and stmt.target.id in _IGNORE_NAMES:
                current = getattr(found, stmt.target.id) or []
                setattr(found, stmt.target.id, current + _literal_strings(stmt.value))
        elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
            call = stmt.value
            func = call.func
            if (
                isinstance(func, ast.Attribute)
                and isinstance(func.value, ast.Name)
                and func.value.id in _IGNORE_NAMES
                and func.attr in ("append", "extend")
                and call.args
            ):
                current = getattr(found, func.value.id) or []
                setattr(found, func.value.id, current + _literal_strings(call.args[0]))
        elif isinstance(stmt, ast.If):
            try:
                taken = _condition(stmt.test)
            except _Unknown:
                taken = True  # may be ignored: do not analyse what pytest may skip
            _run_block(stmt.body if taken else stmt.orelse, found)
        elif isinstance(stmt, ast.Try):
            # the try body is assumed to succeed (the suite's dependencies are installed)
            _run_block(stmt.body, found)
            _run_block(stmt.orelse, found)
            _run_block(stmt.finalbody, found)
        elif isinstance(stmt, ast.With):
            _run_block(stmt.body, found)


def read_conftest_ignores(path: Path) -> ConftestIgnores:
    """`collect_ignore` / `collect_ignore_glob` of one conftest.py, read statically (never run).

    An unreadable or unparsable conftest declares nothing (pytest would stop on it anyway)."""
    found = ConftestIgnores()
    try:
        source = path.read_bytes()
    except OSError:
        return found
    if b"collect_ignore" not in source:
        return found
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return found
    _run_block(tree.body, found)
    return found


# -- the walk ----------------------------------------------------------------------------------
def _in_venv(path: Path) -> bool:
    try:
        return (path / "pyvenv.cfg").is_file() or (path / "conda-meta" / "history").is_file()
    except OSError:
        return False


class _Walker:
    def __init__(self, settings: PytestSettings, initial: list[Path]) -> None:
        self.settings = settings
        self.initial = [Path(os.path.normpath(p)) for p in initial]
        self.initial_set = set(self.initial)
        self.initial_parents = {parent for p in self.initial for parent in p.parents}
        self.ignore = set(settings.ignore)
        self.ignore_glob = settings.ignore_glob
        self.norecurse = settings.norecursedirs
        self.venv_ok = settings.collect_in_virtualenv
        self.noconftest = settings.noconftest
        cut = settings.confcutdir
        self.confcut_parents = set(cut.parents) if cut is not None else set()
        self.conftests: dict[Path, ConftestIgnores] = {}  # directory -> its conftest's ignores
        self.result = Collection()
        self.seen: set[Path] = set()

    # conftest handling
    def _load_conftest(self, directory: Path) -> None:
        if self.noconftest or directory in self.conftests or directory in self.confcut_parents:
            return
        path = directory / "conftest.py"
        if path.is_file():
            self.conftests[directory] = read_conftest_ignores(path)
            self.result.conftests.append(path)

    def _nearest(self, directory: Path, attr: str) -> tuple[Path, list[str]] | None:
        for candidate in (directory, *directory.parents):
            ignores = self.conftests.get(candidate)
            if ignores is not None and getattr(ignores, attr) is not None:
                return candidate, list(getattr(ignores, attr))
        return None

    def ignored(self, path: Path, is_dir: bool) -> str | None:
        """Why pytest's `pytest_ignore_collect` skips `path`, or None."""
        if path.name == "__pycache__":
            return "__pycache__"
        near = self._nearest(path.parent, "collect_ignore")
        if near is not None and path in {Path(os.path.normpath(near[0] / p)) for p in near[1]}:
            return f"collect_ignore in {near[0] / 'conftest.py'}"
        if path in self.ignore:
            return "--ignore"
        text = str(path)
        near_glob = self._nearest(path.parent, "collect_ignore_glob")
        if near_glob is not None and any(
            fnmatch.fnmatch(text, os.path.normpath(near_glob[0] / g)) for g in near_glob[1]
        ):
            return f"collect_ignore_glob in {near_glob[0] / 'conftest.py'}"
        if any(fnmatch.fnmatch(text, g) for g in self.ignore_glob):
            return "--ignore-glob"
        if is_dir and not self.venv_ok and _in_venv(path):
            return "virtualenv"
        if is_dir and any(fnmatch_ex(pattern, path) for pattern in self.norecurse):
            return "norecursedirs"
        return None

    def run(self) -> Collection:
        for path in self.initial:
            for parent in reversed(path.parents if path.is_file() else (path, *path.parents)):
                self._load_conftest(parent)
        for path in self.initial:
            if path.is_dir():
                self._walk(path)
            elif path.is_file() and path.suffix == ".py":
                self._module(path, initial=True)
        return self.result

    def _module(self, path: Path, initial: bool) -> None:
        if path in self.seen:
            return
        self.seen.add(path)
        if path.name == "conftest.py":
            return
        if initial or self.settings.matches_file(path):
            self.result.test_modules.append(path)
        else:
            self.result.helpers.append(path)

    def _walk(self, directory: Path) -> None:
        self._load_conftest(directory)
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError:
            return
        if (directory / "__init__.py").is_file():  # a Package collects __init__.py first
            entries.sort(key=lambda e: (e.name != "__init__.py", e.name))
        for entry in entries:
            path = Path(entry.path)
            try:
                is_dir = entry.is_dir()
                is_file = not is_dir and entry.is_file()
            except OSError as exc:  # a symlink loop: pytest skips it silently, we say so
                if path.suffix == ".py":
                    from auditor.state import warn

                    warn(f"skipped {path}: it cannot be read ({type(exc).__name__}: {exc})")
                continue
            if is_dir:
                if path not in self.initial_set and path not in self.initial_parents:
                    reason = self.ignored(path, True)
                    if reason is not None:
                        self.result.ignored[path] = reason
                        continue
                self._walk(path)
            elif is_file and path.suffix == ".py":
                if path not in self.initial_set:
                    reason = self.ignored(path, False)
                    if reason is not None:
                        self.result.ignored[path] = reason
                        continue
                self._module(path, initial=path in self.initial_set)


def discover(settings: PytestSettings, initial: list[Path] | None = None) -> Collection:
    """The files pytest collects from `initial` (default: `settings.initial_paths()`).

    Paths are absolute. Never imports or runs project code; never raises on unreadable
    directories (they are skipped, as pytest would report them)."""
    paths = initial if initial is not None else settings.initial_paths()
    return _Walker(settings, [p.resolve() for p in paths]).run()
