"""pytest's configuration, read the way the installed pytest reads it — without running anything.

`read_pytest_settings(root, args)` answers "what will pytest do when run from `root` with these
arguments?" for every stage:

1. the rootdir and config file (`auditor.pytest_inifiles.determine_setup`: pytest.toml,
   .pytest.toml, pytest.ini, .pytest.ini, pyproject.toml `[tool.pytest]` / `[tool.pytest.ini_options]`,
   tox.ini `[pytest]`, setup.cfg `[tool:pytest]`; `-c`, `--rootdir`);
2. the command line in effect: ini `addopts`, then `PYTEST_ADDOPTS`, then the arguments, parsed
   like pytest (`auditor.pytest_cmdline`), with `-o name=value` overrides applied;
3. every option converted with pytest's own type for it: `args` (shell-split string or list),
   `linelist` (one per line), `bool` (y/yes/t/true/on/1, n/no/f/false/off/0), `paths` (relative to
   the config file). The native `[tool.pytest]` table must hold the TOML types pytest expects
   (a list, a bool); otherwise pytest stops with a usage error, and so does this module
   (`PytestConfigError`, exit 2).

Which files pytest then collects from this (testpaths, norecursedirs, --ignore, conftest
`collect_ignore`, python_files) is `auditor.static.discover`.
"""

from __future__ import annotations

import fnmatch
import glob
import os
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any

from auditor.pytest_cmdline import CommandLine, parse_command_line
from auditor.pytest_inifiles import IniDict, IniValue, PytestConfigError, determine_setup

__all__ = [
    "DEFAULT_NORECURSEDIRS",
    "PytestConfigError",
    "PytestSettings",
    "fnmatch_ex",
    "read_pytest_settings",
]

#: pytest's default `norecursedirs`.
DEFAULT_NORECURSEDIRS = (
    "*.egg",
    ".*",
    "_darcs",
    "build",
    "CVS",
    "dist",
    "node_modules",
    "venv",
    "{arch}",
)
_GLOB_CHARS = ("*", "?", "[")


def fnmatch_ex(pattern: str, path: str | PurePath) -> bool:
    """pytest's path glob: a pattern without `/` matches the last path component; one with `/`
    matches the whole path (an absolute path against a relative pattern: `*/` + pattern)."""
    pure = PurePath(path)
    if os.sep not in pattern and "/" not in pattern:
        return fnmatch.fnmatch(pure.name, pattern)
    name = str(pure)
    if pure.is_absolute() and not os.path.isabs(pattern):
        pattern = f"*{os.sep}{pattern}"
    return fnmatch.fnmatch(name, pattern)


def _prefix_or_glob(name: str, patterns: Sequence[str]) -> bool:
    """pytest's class/function name filter: a prefix, or a glob when it has glob characters."""
    for pattern in patterns:
        if name.startswith(pattern):
            return True
        if any(ch in pattern for ch in _GLOB_CHARS) and fnmatch.fnmatch(name, pattern):
            return True
    return False


@dataclass
class PytestSettings:
    """The pytest options the collection model and the pytest subprocesses need.

    Defaults are pytest's. `command_line` is the full command line in effect (ini addopts +
    PYTEST_ADDOPTS + our arguments); `addopts` is the ini option alone, as tokens. Paths
    (`rootdir`, `inifile`, `invocation_dir`, `pythonpath`) are absolute.
    """

    python_files: list[str] = field(default_factory=lambda: ["test_*.py", "*_test.py"])
    python_classes: list[str] = field(default_factory=lambda: ["Test"])
    python_functions: list[str] = field(default_factory=lambda: ["test"])
    testpaths: list[str] = field(default_factory=list)
    usefixtures: list[str] = field(default_factory=list)
    addopts: list[str] = field(default_factory=list)
    xfail_strict: bool = False
    asyncio_mode: str = ""
    trio_mode: bool = False
    configfile: str | None = None
    norecursedirs: list[str] = field(default_factory=lambda: list(DEFAULT_NORECURSEDIRS))
    filterwarnings: list[str] = field(default_factory=list)
    pythonpath: list[Path] = field(default_factory=list)
    consider_namespace_packages: bool = False
    collect_imported_tests: bool = True
    rootdir: Path | None = None
    inifile: Path | None = None
    invocation_dir: Path | None = None
    command_line: CommandLine = field(default_factory=CommandLine)

    # -- names -------------------------------------------------------------------------------
    def matches_file(self, path: str | PurePath) -> bool:
        """Does a file path (absolute, or a bare name) match `python_files` (pytest's fnmatch_ex)?"""
        return any(fnmatch_ex(pattern, path) for pattern in self.python_files)

    def matches_function(self, name: str) -> bool:
        """Is `name` a test function/method name under `python_functions`?"""
        return _prefix_or_glob(name, self.python_functions)

    def matches_class(self, name: str) -> bool:
        """Is `name` a test class name under `python_classes`?"""
        return _prefix_or_glob(name, self.python_classes)

    # -- the command line in effect ----------------------------------------------------------
    def _cwd(self) -> Path:
        return self.invocation_dir or self.rootdir or Path.cwd()

    @property
    def ignore(self) -> list[Path]:
        """`--ignore` paths (absolute; relative ones are relative to the invocation dir)."""
        return [
            Path(os.path.normpath(self._cwd() / p)) for p in self.command_line.values("--ignore")
        ]

    @property
    def ignore_glob(self) -> list[str]:
        """`--ignore-glob` patterns, made absolute like pytest does."""
        return [
            os.path.normpath(self._cwd() / p) for p in self.command_line.values("--ignore-glob")
        ]

    @property
    def deselect(self) -> list[str]:
        """`--deselect` node-id prefixes."""
        return self.command_line.values("--deselect")

    @property
    def plugins(self) -> list[str]:
        """`-p` values in order (`no:cacheprovider`, `xdist`...)."""
        return [p.strip() for p in self.command_line.values("-p")]

    @property
    def markexpr(self) -> str:
        """The `-m` expression in effect ('' when none)."""
        return self.command_line.last("-m") or ""

    @property
    def keyword(self) -> str:
        """The `-k` expression in effect ('' when none)."""
        return self.command_line.last("-k") or ""

    @property
    def import_mode(self) -> str:
        """`--import-mode`: prepend (pytest's default), append or importlib."""
        return self.command_line.last("--import-mode") or "prepend"

    @property
    def noconftest(self) -> bool:
        """`--noconftest`: pytest loads no conftest.py at all."""
        return self.command_line.has_flag("--noconftest")

    @property
    def collect_in_virtualenv(self) -> bool:
        """`--collect-in-virtualenv`: do not skip directories holding a virtualenv."""
        return self.command_line.has_flag("--collect-in-virtualenv")

    @property
    def confcutdir(self) -> Path | None:
        """Where conftest.py loading stops going up: `--confcutdir`, else the config file's
        directory, else the rootdir (pytest's default)."""
        given = self.command_line.last("--confcutdir")
        if given:
            return Path(os.path.normpath(self._cwd() / given))
        if self.inifile is not None:
            return self.inifile.parent
        return self.rootdir

    @property
    def pythonwarnings(self) -> list[str]:
        """`-W` filters in order."""
        return self.command_line.values("-W", "--pythonwarnings")

    @property
    def args(self) -> list[str]:
        """Positional arguments in effect (from addopts, PYTEST_ADDOPTS and our arguments)."""
        return list(self.command_line.args)

    def warnings_are_errors(self) -> bool:
        """Do `-W error` or a bare `filterwarnings = error` turn every warning into a failure?"""
        return any(warning_filter_is_error(f) for f in [*self.filterwarnings, *self.pythonwarnings])

    # -- testpaths ---------------------------------------------------------------------------
    def expanded_testpaths(self) -> list[Path]:
        """`testpaths` with pytest's recursive glob expansion, relative to the invocation dir
        (`Tests/SystemData/**.py` works); sorted per entry, missing entries dropped."""
        base = self._cwd()
        out: list[Path] = []
        for entry in self.testpaths:
            matches = sorted(glob.glob(entry, root_dir=base, recursive=True))
            out.extend(Path(os.path.normpath(base / m)) for m in matches)
        return out

    def initial_paths(self) -> list[Path]:
        """What pytest collects from: the positional args, else the expanded `testpaths` (only
        when run from the rootdir), else the invocation dir."""
        base = self._cwd()
        if self.args:
            return [Path(os.path.normpath(base / a.split("::", 1)[0])) for a in self.args]
        if self.rootdir is not None and base == self.rootdir:
            expanded = self.expanded_testpaths()
            if expanded:
                return expanded
        return [base]


def warning_filter_is_error(text: str) -> bool:
    """Is a `-W`/`filterwarnings` filter (`action:message:category:module:lineno`) one that turns
    every warning into an exception (`error`, `error::Warning`)?"""
    parts = [p.strip() for p in text.split(":")] + [""] * 5
    action, message, category, module = parts[0], parts[1], parts[2], parts[3]
    return (
        action == "error"
        and not message
        and category in ("", "Warning", "builtins.Warning")
        and not module
    )


# -- value conversion --------------------------------------------------------------------------
def _strtobool(name: str, text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("y", "yes", "t", "true", "on", "1"):
        return True
    if lowered in ("n", "no", "f", "false", "off", "0"):
        return False
    raise PytestConfigError(f"pytest config option '{name}': invalid truth value {text!r}")


def _toml_type_error(name: str, expected: str, value: object) -> PytestConfigError:
    return PytestConfigError(
        f"pytest config option '{name}' expects {expected}, got "
        f"{type(value).__name__}: {value!r} (pytest stops on this too)"
    )


def convert(name: str, raw: IniValue, kind: str, base: Path) -> Any:
    """One option converted like pytest's getini for its type (args, linelist, bool, paths,
    string). Raises `PytestConfigError` where pytest raises its usage error."""
    value = raw.value
    if raw.mode == "toml":
        if kind in ("args", "linelist", "paths"):
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise _toml_type_error(name, "a list of strings", value)
            items = list(value)
            return [base / v for v in items] if kind == "paths" else items
        if kind == "bool":
            if not isinstance(value, bool):
                raise _toml_type_error(name, "a bool", value)
            return value
        return value if isinstance(value, str) else str(value)
    if kind in ("args", "paths"):
        items = shlex.split(value) if isinstance(value, str) else [str(v) for v in value]
        return [base / v for v in items] if kind == "paths" else items
    if kind == "linelist":
        if isinstance(value, str):
            return [line.strip() for line in value.split("\n") if line.strip()]
        return [str(v) for v in value]
    if kind == "bool":
        return _strtobool(name, str(value))
    return value if isinstance(value, str) else str(value)


#: option name -> (pytest's type, attribute, aliases)
_OPTIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "python_files": ("args", ()),
    "python_classes": ("args", ()),
    "python_functions": ("args", ()),
    "testpaths": ("args", ()),
    "usefixtures": ("args", ()),
    "norecursedirs": ("args", ()),
    "filterwarnings": ("linelist", ()),
    "pythonpath": ("paths", ()),
    "consider_namespace_packages": ("bool", ()),
    "collect_imported_tests": ("bool", ()),
    "xfail_strict": ("bool", ("strict_xfail",)),
    "asyncio_mode": ("string", ()),
    "trio_mode": ("bool", ()),
}


def _overrides(command_line: CommandLine) -> IniDict:
    out: IniDict = {}
    for item in command_line.values("-o", "--override-ini"):
        key, eq, value = item.partition("=")
        if not eq:
            raise PytestConfigError(
                f"-o/--override-ini expects option=value style (got: {item!r})."
            )
        out[key.strip()] = IniValue(value, "ini")
    return out


def read_pytest_settings(
    root: Path,
    args: Sequence[str] = (),
    *,
    env: Mapping[str, str] | None = None,
) -> PytestSettings:
    """The settings pytest uses when run from `root` with `args` (paths and options).

    `env` defaults to `os.environ` (for `PYTEST_ADDOPTS`). Raises `PytestConfigError` (exit 2)
    where pytest itself stops with a usage error.
    """
    environ = os.environ if env is None else env
    invocation_dir = Path(root).resolve()
    env_tokens = shlex.split(environ.get("PYTEST_ADDOPTS", ""))
    early = parse_command_line([*env_tokens, *args])
    rootdir, inifile, cfg = determine_setup(
        early.args,
        invocation_dir,
        inifile=early.last("-c", "--config-file", "--inifile"),
        rootdir_arg=early.last("--rootdir"),
    )
    cfg = {**cfg, **_overrides(early)}
    base = inifile.parent if inifile is not None else invocation_dir
    addopts: list[str] = (
        convert("addopts", cfg["addopts"], "args", base) if "addopts" in cfg else []
    )
    command_line = parse_command_line([*addopts, *env_tokens, *args])
    cfg.update(_overrides(command_line))
    settings = PytestSettings(
        configfile=inifile.name if inifile is not None else None,
        rootdir=rootdir,
        inifile=inifile,
        invocation_dir=invocation_dir,
        addopts=list(addopts),
        command_line=command_line,
    )
    for name, (kind, aliases) in _OPTIONS.items():
        for key in (name, *aliases):
            if key in cfg:
                setattr(settings, name, convert(key, cfg[key], kind, base))
                break
    return settings
